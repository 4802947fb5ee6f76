//! `ai-setup config show|explain|path`: the layer stack made visible, like
//! `git config --show-origin` and jj's `config list`. Reads local files and the org's last
//! fetched document only; no network.

use serde_json::{Value, json};

use crate::cli::{ConfigAction, ConfigScope};
use crate::clients;
use crate::discovery;
use crate::engine::org::{self, Org};
use crate::error::{Error, Finished, Result};
use crate::layers::{self, Source, Stack};
use crate::output::{Output, relative};
use crate::paths::Paths;
use crate::state::State;

impl ConfigAction {
    pub fn scope(&self) -> &ConfigScope {
        match self {
            ConfigAction::Show(scope) | ConfigAction::Path(scope) => scope,
            ConfigAction::Explain { scope, .. } => scope,
        }
    }
}

/// The org the scope names (or the remembered one), with its document when one was fetched.
struct OrgLayer {
    key: String,
    opened: Option<Org>,
}

fn org_layer(scope: &ConfigScope, paths: &Paths) -> Result<Option<OrgLayer>> {
    let state = State::load(paths)?;
    let Some(key) = org::chosen(&state, scope.org.as_deref())? else {
        return Ok(None);
    };
    let opened = Org::cached(paths, &state, &key)?;
    Ok(Some(OrgLayer { key, opened }))
}

fn stack(scope: &ConfigScope, paths: &Paths, org: Option<&OrgLayer>) -> Result<Stack> {
    if let Some(id) = &scope.client
        && clients::by_id(id).is_none()
    {
        return Err(Error::usage(format!("unknown client '{id}'")));
    }
    org::layers(
        paths,
        org.and_then(|o| o.opened.as_ref()),
        scope.client.as_deref(),
        &scope.sets,
    )
}

pub fn run(action: &ConfigAction, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let scope = action.scope();
    let org = org_layer(scope, paths)?;
    if let Some(o) = &org
        && o.opened.is_none()
        && !matches!(action, ConfigAction::Path(_))
    {
        out.warn(&format!(
            "no fetched configuration of {} yet, so the org layer is empty; run `ai-setup sync`",
            o.key
        ));
    }
    let stack = stack(scope, paths, org.as_ref())?;
    if let ConfigAction::Path(_) = action {
        return path(paths, org.as_ref(), out);
    }
    for ignored in stack.ignored() {
        out.warn(&ignored.describe());
    }
    match action {
        ConfigAction::Show(_) => show(&stack, out),
        ConfigAction::Explain { key, .. } => explain(&stack, key, out),
        ConfigAction::Path(_) => unreachable!("answered above"),
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).expect("JSON serialises")
}

fn show(stack: &Stack, out: &mut Output) -> Result<Finished> {
    let leaves = stack.annotated();
    let width = leaves
        .iter()
        .map(|l| l.key.len() + compact(&l.value).len())
        .max()
        .unwrap_or(0)
        .min(70);
    let mut text = String::new();
    for leaf in &leaves {
        let line = format!("{} = {}", leaf.key, compact(&leaf.value));
        text.push_str(&format!(
            "{line:<w$}  # {} {}\n",
            leaf.source.name(),
            leaf.origin,
            w = width + 3
        ));
    }
    out.result(
        json!({ "config": stack.resolve(), "values": leaves, "ignored": stack.ignored() }),
        &text,
    );
    Ok(Finished::Done)
}

fn explain(stack: &Stack, key: &str, out: &mut Output) -> Result<Finished> {
    let e = stack.explain(key);
    let mut text = match &e.value {
        Some(value) => format!("{key} = {}\n", compact(value)),
        None => format!("{key} is not set\n"),
    };
    for (i, d) in e.defined_in.iter().rev().enumerate() {
        let role = match (i, d.value.is_null()) {
            (_, true) => "deleted by",
            (0, false) if d.value.is_object() => "merged from",
            (0, false) => "set by",
            (_, false) if d.value.is_object() => "merged from",
            _ => "overrode",
        };
        text.push_str(&format!(
            "  {role:<12}{:<11}{}: {}\n",
            d.source.name(),
            d.origin,
            compact(&d.value)
        ));
    }
    for i in &e.ignored {
        text.push_str(&format!(
            "  ignored     {:<11}{} (the org locks '{}')\n",
            i.source.name(),
            i.origin,
            i.key
        ));
    }
    text.push_str(&format!(
        "  locked:     {}\n",
        if e.locked {
            "yes, by the org (ai_setup.locked)"
        } else {
            "no"
        }
    ));
    out.result(serde_json::to_value(&e).expect("serialises"), &text);
    Ok(if e.value.is_some() {
        Finished::Done
    } else {
        Finished::Unmet
    })
}

fn path(paths: &Paths, org: Option<&OrgLayer>, out: &mut Output) -> Result<Finished> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::failure(format!("no working directory: {e}")))?;
    let mut rows: Vec<(Source, String, String)> = Vec::new();
    if let Some(o) = org {
        let state = match &o.opened {
            Some(opened) => format!("fetched {}", relative(opened.fetched_at, crate::now_unix())),
            None => "not fetched yet".into(),
        };
        rows.push((
            Source::Org,
            format!("{}{}", o.key, discovery::WELL_KNOWN),
            state,
        ));
    }
    for p in layers::load::user_files(paths) {
        let state = if p.is_file() { "present" } else { "absent" };
        rows.push((Source::User, p.display().to_string(), state.into()));
    }
    let projects = layers::load::project_files(&cwd);
    if projects.is_empty() {
        rows.push((
            Source::Project,
            format!(".ai-setup.json[c] in {} or above", cwd.display()),
            "absent".into(),
        ));
    }
    let trusted = crate::state::State::load(paths)?.trusted_projects;
    for p in projects {
        let bytes = std::fs::read(&p).unwrap_or_default();
        let state = match layers::trust::verdict(&p, &bytes, &trusted) {
            layers::trust::Verdict::Trusted => "present".to_string(),
            layers::trust::Verdict::Ignored(layers::Reason::Untrusted) => {
                "present, ignored: not trusted; `ai-setup trust` uses it".into()
            }
            layers::trust::Verdict::Ignored(layers::Reason::ChangedSinceTrusted) => {
                "present, ignored: changed since trusted".into()
            }
            layers::trust::Verdict::Ignored(reason) => match reason {
                layers::Reason::Unsafe(why) => format!("present, refused: {why}"),
                _ => "present, ignored".into(),
            },
        };
        rows.push((Source::Project, p.display().to_string(), state));
    }
    let env_set = std::env::var(layers::load::ENV_LAYER).is_ok_and(|v| !v.trim().is_empty());
    rows.push((
        Source::Env,
        layers::load::ENV_LAYER.into(),
        if env_set { "set" } else { "unset" }.into(),
    ));
    let text: String = rows
        .iter()
        .map(|(s, p, st)| format!("{:<9}{p}  ({st})\n", s.name()))
        .collect();
    let json_rows: Vec<Value> = rows
        .iter()
        .map(|(s, p, st)| json!({"layer": s, "location": p, "state": st}))
        .collect();
    out.result(json!({ "layers": json_rows }), &text);
    Ok(Finished::Done)
}
