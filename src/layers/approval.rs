//! Consent for what runs: a program the configuration makes this machine start (a local MCP
//! server's `command`, with the `environment` it gets) runs only as the user approved it.
//!
//! A server that a layer other than the user's own defines or changes (the org's document, its
//! overlay for a client, a project file) needs approval; one that only the user's own config
//! mentions is theirs. What was approved is pinned per org in `state.json`
//! ([`crate::state::State::approved_servers`]): the exact command and environment, and their
//! sha256. `exec` runs the pinned version alone. A `sync` that brings a new or changed one
//! approves nothing: a new server is left out of every client, a changed one keeps running as
//! approved, and the report says approval is pending. `ai-setup approve` (or `login`) shows the
//! difference and asks, or takes `--yes`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{Source, Stack};
use crate::output::shell_words;
use crate::state::Pinned;

/// Whether a layer is the user's own (or ai-setup's built-in defaults).
fn own(source: Source) -> bool {
    matches!(
        source,
        Source::Default | Source::User | Source::Env | Source::Cli
    )
}

/// The enabled local servers that need approval, by name, each resolved from `stack` as it
/// would be pinned. Only the servers some layer other than the user's own mentions are
/// resolved, not the whole configuration (a large org's can be megabytes).
pub fn executables(stack: &Stack) -> Vec<(String, Pinned)> {
    let mut names: Vec<&str> = Vec::new();
    for layer in stack.layers().iter().filter(|l| !own(l.source)) {
        if let Some(servers) = layer.value.get("mcp").and_then(Value::as_object) {
            names.extend(servers.keys().map(String::as_str));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|name| seen.insert(*name));
    names
        .into_iter()
        .filter_map(|name| {
            let mut merged = Map::new();
            for layer in stack.layers() {
                let part = match layer.value.get("mcp") {
                    Some(Value::Object(servers)) => match servers.get(name) {
                        Some(entry) => {
                            serde_json::json!({ name: entry })
                        }
                        None => continue,
                    },
                    Some(other) => other.clone(),
                    None => continue,
                };
                let mut layer_part = Map::new();
                layer_part.insert("mcp".into(), part);
                super::merge::merge(&mut merged, &layer_part);
            }
            let entry = merged.get("mcp")?.get(name)?;
            let local = entry.get("type").and_then(Value::as_str) == Some("local");
            let enabled = entry.get("enabled") != Some(&Value::Bool(false));
            (local && enabled).then(|| (name.to_string(), pin(entry)))
        })
        .collect()
}

/// What a server entry runs, as it is pinned.
pub fn pin(entry: &Value) -> Pinned {
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let command: Vec<String> = entry
        .get("command")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(text).collect())
        .unwrap_or_default();
    let environment: BTreeMap<String, String> = entry
        .get("environment")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        .unwrap_or_default();
    let canonical = serde_json::to_vec(&(&command, &environment)).expect("strings serialise");
    Pinned {
        sha256: crate::apply::ledger::hex(&Sha256::digest(&canonical)),
        command,
        environment,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Never approved: not installed.
    New,
    /// Approved before in another form: the approved one keeps running.
    Changed,
}

/// A server whose program waits for the user's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// `mcp.NAME`.
    pub entry: String,
    #[serde(skip)]
    pub name: String,
    pub change: Change,
    /// What the configuration now asks to run.
    pub wants: Pinned,
    /// What was approved before, for a changed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved: Option<Pinned>,
    /// What it means for one client besides (OpenCode is not connected meanwhile).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Pending {
    pub fn describe(&self) -> String {
        let text = match self.change {
            Change::New => format!(
                "{} runs a program you have not approved ({}), so it is not installed \
                 (hint: run `ai-setup approve` to review it)",
                self.entry,
                shell_words(&self.wants.command)
            ),
            Change::Changed => format!(
                "{} now asks to run something else; the version you approved keeps running \
                 (hint: run `ai-setup approve` to review the change)",
                self.entry
            ),
        };
        match &self.note {
            Some(note) => format!("{text}; {note}"),
            None => text,
        }
    }

    /// The change as lines of a diff, for the question.
    pub fn diff(&self) -> String {
        let mut text = format!(
            "  {} ({})\n",
            self.entry,
            match self.change {
                Change::New => "new",
                Change::Changed => "changed",
            }
        );
        let lines = |p: &Pinned| {
            let mut lines = vec![format!("command: {}", shell_words(&p.command))];
            lines.extend(p.environment.iter().map(|(k, v)| format!("env {k}={v}")));
            lines
        };
        let before = self.approved.as_ref().map(lines).unwrap_or_default();
        let after = lines(&self.wants);
        for line in &before {
            let mark = if after.contains(line) { ' ' } else { '-' };
            text.push_str(&format!("    {mark} {line}\n"));
        }
        for line in after.iter().filter(|l| !before.contains(l)) {
            text.push_str(&format!("    + {line}\n"));
        }
        text
    }
}

/// The `executables` that differ from what was `approved`.
pub fn pending(
    executables: &[(String, Pinned)],
    approved: Option<&BTreeMap<String, Pinned>>,
) -> Vec<Pending> {
    executables
        .iter()
        .filter_map(|(name, wants)| {
            let before = approved.and_then(|a| a.get(name));
            (before.map(|b| &b.sha256) != Some(&wants.sha256)).then(|| Pending {
                entry: format!("mcp.{name}"),
                name: name.clone(),
                change: if before.is_some() {
                    Change::Changed
                } else {
                    Change::New
                },
                wants: wants.clone(),
                approved: before.cloned(),
                note: None,
            })
        })
        .collect()
}

/// Takes the servers never approved out of `config`: they are installed in no client.
pub fn leave_out_new(config: &mut Map<String, Value>, pending: &[Pending]) {
    if let Some(servers) = config.get_mut("mcp").and_then(Value::as_object_mut) {
        servers.retain(|name, _| {
            !pending
                .iter()
                .any(|p| p.change == Change::New && p.name == *name)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Layer;
    use serde_json::json;

    fn stack(layers: &[(Source, Value)]) -> Stack {
        let mut stack = Stack::default();
        for (source, value) in layers {
            stack.add(Layer {
                source: *source,
                origin: "test".into(),
                value: value.as_object().unwrap().clone(),
            });
        }
        stack
    }

    #[test]
    fn servers_another_layer_defines_need_approval_and_the_users_own_do_not() {
        let local = |cmd: &str| json!({"type": "local", "command": ["sh", "-c", cmd]});
        let s = stack(&[
            (
                Source::Org,
                json!({"mcp": {"org": local("a"), "off": {"type": "local", "command": ["x"], "enabled": false},
                               "remote": {"type": "remote", "url": "https://x"}}}),
            ),
            (Source::User, json!({"mcp": {"mine": local("b")}})),
            (Source::Project, json!({"mcp": {"planted": local("c")}})),
        ]);
        let names: Vec<String> = executables(&s).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["org", "planted"]);
        // The user changing an org server does not make it theirs.
        let s = stack(&[
            (Source::Org, json!({"mcp": {"org": local("a")}})),
            (Source::User, json!({"mcp": {"org": {"command": ["mine"]}}})),
        ]);
        assert_eq!(executables(&s)[0].1.command, ["mine"]);
        // Nor does deleting it make it anyone's: it is gone.
        let s = stack(&[
            (Source::Org, json!({"mcp": {"org": local("a")}})),
            (Source::User, json!({"mcp": {"org": null}})),
        ]);
        assert!(executables(&s).is_empty());
    }

    #[test]
    fn a_pin_covers_the_command_and_the_environment() {
        let a = pin(&json!({"command": ["srv"], "environment": {"T": "{env:T}"}}));
        let b = pin(
            &json!({"command": ["srv"], "environment": {"T": "{env:T}", "LD_PRELOAD": "/x.so"}}),
        );
        let c = pin(&json!({"command": ["srv", "--evil"], "environment": {"T": "{env:T}"}}));
        assert_ne!(a.sha256, b.sha256);
        assert_ne!(a.sha256, c.sha256);
        assert_eq!(
            a,
            pin(&json!({"environment": {"T": "{env:T}"}, "command": ["srv"]}))
        );

        let approved = BTreeMap::from([("s".to_string(), a.clone())]);
        assert!(pending(&[("s".into(), a.clone())], Some(&approved)).is_empty());
        let changed = pending(&[("s".into(), b), ("n".into(), c)], Some(&approved));
        assert_eq!(changed[0].change, Change::Changed);
        assert_eq!(changed[1].change, Change::New);
        let diff = changed[0].diff();
        assert!(diff.contains("    + env LD_PRELOAD=/x.so"), "{diff}");
        assert!(diff.contains("      command: srv"), "{diff}");
    }
}
