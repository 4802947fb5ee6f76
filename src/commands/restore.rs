//! `ai-setup restore`: lists the backups taken before each change, newest first, or puts one
//! back. Restoring backs up the current bytes first, so a restore can itself be undone. The next
//! `sync` re-applies the org's configuration; restore a file and log out with `--restore` to be
//! rid of it.

use serde_json::json;

use crate::apply::backup;
use crate::apply::lock::ApplyLock;
use crate::cli::RestoreArgs;
use crate::error::{Error, Finished, Result};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;
use crate::write::write_file;

pub fn run(args: &RestoreArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let backups = backup::list(paths)?;
    let Some(id) = &args.id else {
        let now = crate::now_unix();
        let mut text = String::new();
        for b in backups.iter().rev() {
            text.push_str(&format!(
                "{:<14} {:<20} {:<12} {}\n",
                b.id,
                relative(b.time, now),
                b.client,
                paths.display(&b.path)
            ));
        }
        if backups.is_empty() {
            text.push_str("No backups yet: ai-setup takes one before each change to a file.\n");
        } else {
            text.push_str("\nRestore one with `ai-setup restore ID`.\n");
        }
        let rows: Vec<_> = backups
            .iter()
            .rev()
            .map(|b| json!({"id": b.id, "time": timestamp(b.time), "client": b.client, "path": b.path}))
            .collect();
        out.result(json!({ "backups": rows }), &text);
        return Ok(Finished::Done);
    };
    let backup = backups.iter().find(|b| &b.id == id).ok_or_else(|| {
        Error::usage(format!("no backup '{id}'")).hint("`ai-setup restore` lists them")
    })?;
    let _lock = ApplyLock::acquire(paths, &mut |m| out.progress(m))?;
    let bytes = std::fs::read(&backup.copy).map_err(|e| Error::io("read", &backup.copy, e))?;
    if let Ok(current) = std::fs::read(&backup.path) {
        if current == bytes {
            out.result(
                json!({"restored": id, "path": backup.path, "changed": false}),
                &format!(
                    "{} already holds backup {id}\n",
                    paths.display(&backup.path)
                ),
            );
            return Ok(Finished::Done);
        }
        backup::save(paths, &backup.client, &backup.path, &current)?;
    }
    write_file(&backup.path, &bytes, None)?;
    out.result(
        json!({"restored": id, "path": backup.path, "changed": true}),
        &format!(
            "Restored {} from backup {id} ({})\n",
            paths.display(&backup.path),
            timestamp(backup.time)
        ),
    );
    Ok(Finished::Done)
}
