//! `ai-setup trust [PATH]`: lets a project file take effect as it is now (see
//! [`crate::layers::trust`]); `--revoke` forgets it, `--list` shows what is trusted.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::apply::transaction::Transaction;
use crate::cli::TrustArgs;
use crate::engine::org::working_dir;
use crate::error::{Error, Finished, Result};
use crate::layers::load::{parse_object, project_files, project_files_in};
use crate::layers::schema::problems;
use crate::layers::trust;
use crate::output::Output;
use crate::paths::Paths;
use crate::state::State;

pub fn run(args: &TrustArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    if args.list {
        return list(paths, out);
    }
    let files = targets(args.path.as_deref())?;
    let mut text = String::new();
    let mut trusted = Vec::new();
    for file in &files {
        let key = trust::key(file).display().to_string();
        if args.revoke {
            text.push_str(&format!("No longer trusted: {key}\n"));
            trusted.push(json!({ "path": key, "trusted": false }));
            continue;
        }
        if let Some(why) = trust::unsafe_reason(file) {
            return Err(
                Error::failure(format!("refusing to trust {key}: {why}")).hint(
                    "copy what you want from it into your own ~/.config/ai-setup/config.json, \
                     or make it yours and not writable by others",
                ),
            );
        }
        let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
        let text_of = String::from_utf8_lossy(&bytes);
        let layer = parse_object(&text_of, &key)?;
        // Trusting is the user's call; a value OpenCode's schema rejects is said now, as the
        // next sync would stop on it.
        for problem in problems(&serde_json::Value::Object(layer.clone())) {
            out.warn(&format!(
                "{key}: `{}`: {} (the next sync stops on it until it is fixed)",
                problem.key(),
                problem.message
            ));
        }
        let keys: Vec<&String> = layer.keys().collect();
        let sha256 = trust::digest(&bytes);
        text.push_str(&format!(
            "Trusted {key}\n  it sets: {}\n",
            if keys.is_empty() {
                "nothing".to_string()
            } else {
                keys.iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
        trusted.push(json!({ "path": key, "trusted": true, "sha256": sha256, "keys": keys }));
    }
    let changes: Vec<(String, Option<String>)> = trusted
        .iter()
        .map(|t| {
            (
                t["path"].as_str().unwrap_or_default().to_string(),
                t["sha256"].as_str().map(str::to_string),
            )
        })
        .collect();
    let mut txn = Transaction::begin(paths, &mut |m| out.progress(m))?;
    txn.update_state(move |state, _| {
        for (path, sha256) in changes {
            match sha256 {
                Some(sha) => state.trusted_projects.insert(path, sha),
                None => state.trusted_projects.remove(&path),
            };
        }
    });
    txn.commit()?;
    if !args.revoke {
        text.push_str(
            "It takes effect at the next `ai-setup sync`; any change to it makes it untrusted \
             again. Local servers it defines still wait for your approval (`ai-setup approve`).\n",
        );
    }
    out.result(json!({ "files": trusted }), &text);
    Ok(Finished::Done)
}

/// The files `path` means: the file itself, the project files in a folder, or with no path
/// the nearest project file here or above.
fn targets(path: Option<&Path>) -> Result<Vec<PathBuf>> {
    let files = match path {
        Some(p) if p.is_dir() => project_files_in(p),
        Some(p) if p.is_file() => vec![p.to_path_buf()],
        Some(p) => return Err(Error::usage(format!("{} does not exist", p.display()))),
        None => project_files(&working_dir()?)
            .into_iter()
            .last()
            .into_iter()
            .collect(),
    };
    if files.is_empty() {
        let place = path.map_or_else(|| "here or above".into(), |p| format!("in {}", p.display()));
        return Err(
            Error::usage(format!("no .ai-setup.json or .ai-setup.jsonc {place}"))
                .hint("give the project file's path: `ai-setup trust path/to/.ai-setup.json`"),
        );
    }
    Ok(files)
}

fn list(paths: &Paths, out: &mut Output) -> Result<Finished> {
    let state = State::load(paths)?;
    let mut text = String::new();
    let mut rows = Vec::new();
    for (path, sha256) in &state.trusted_projects {
        let now = std::fs::read(path).ok().map(|b| trust::digest(&b));
        let status = match now {
            None => "missing",
            Some(ref now) if now == sha256 => "trusted",
            Some(_) => "changed since trusted (ignored)",
        };
        text.push_str(&format!("{path}  {status}\n"));
        rows.push(json!({ "path": path, "sha256": sha256, "status": status }));
    }
    if rows.is_empty() {
        text.push_str("No project file is trusted.\n");
    }
    out.result(json!({ "files": rows }), &text);
    Ok(Finished::Done)
}
