//! `ai-setup clients`: every supported client, whether it is installed here, whether the org
//! enables it, whether it is configured, its drift and the user's own entries that shadow the
//! org's, what a `sync` would change, and what cannot be configured in its files and why.
//! It plans each client against the org's last fetched document and the ledger, writing
//! nothing and using no network.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Value, json};

use super::configure::client_contexts;
use crate::apply::transaction::current_ledger;
use crate::apply::{self, NoteKind, Prune};
use crate::cli::ClientsArgs;
use crate::clients::{self, Client};
use crate::discovery;
use crate::error::{ErrorKind, Result};
use crate::http::{org_key, parse_org_url};
use crate::output::Output;
use crate::paths::Paths;
use crate::state::State;

/// One client as `clients` reports it (and the dashboard's Clients tab shows it).
#[derive(Debug, Clone, Serialize)]
pub struct ClientRow {
    pub id: &'static str,
    pub name: &'static str,
    pub installed: bool,
    pub program: Option<PathBuf>,
    pub config_present: bool,
    pub enabled_by_org: bool,
    pub configured: bool,
    pub pending_changes: bool,
    pub drift: Vec<String>,
    pub user_entries: Vec<String>,
    pub error: Option<String>,
    pub limits: &'static str,
    /// What a `sync` would change, as unified diffs (credentials masked); only when asked.
    #[serde(skip)]
    pub diff: String,
}

/// Every supported client planned against the org's last fetched document and the ledger:
/// no network, no writes. `org` is the org asked for, or the remembered one.
pub fn gather(
    paths: &Paths,
    org: Option<&str>,
    with_diffs: bool,
    out: &mut Output,
) -> Result<(Option<String>, Vec<ClientRow>)> {
    let state = State::load(paths)?;
    let org = match (org, &state.default_org) {
        (Some(given), _) => Some(org_key(&parse_org_url(given)?)),
        (None, default) => default.clone(),
    };
    let document = match &org {
        Some(org) => discovery::cached(paths, &parse_org_url(org)?).map(|(d, _)| d),
        None => None,
    };
    let ledger = current_ledger(paths)?;
    let all: Vec<&'static dyn Client> = clients::ALL.to_vec();
    let contexts = match (&org, &document) {
        (Some(org), Some(doc)) => Some(client_contexts(&all, doc, org, None, &[], paths, out)?),
        _ => None,
    };
    let enabled = document.as_ref().and_then(|d| d.enabled_clients());

    let mut rows = Vec::new();
    for (i, client) in all.iter().enumerate() {
        let detection = client.detect(paths);
        let mut row = ClientRow {
            id: client.id(),
            name: client.name(),
            installed: detection.program.is_some(),
            program: detection.program,
            config_present: detection.config_present,
            enabled_by_org: enabled
                .as_ref()
                .is_none_or(|list| list.iter().any(|id| id == client.id())),
            configured: false,
            pending_changes: false,
            drift: Vec::new(),
            user_entries: Vec::new(),
            error: None,
            limits: client.limits(),
            diff: String::new(),
        };
        if let (Some(org), Some(contexts)) = (&org, &contexts) {
            for desired in client.configure(&contexts[i], paths) {
                row.configured |= !ledger.managed(&desired.path, org, client.id()).is_empty();
                match apply::plan(&desired, &ledger, org, false, Prune::Unwanted, paths) {
                    Ok(change) => {
                        // The credential entry is refreshed on every login: not a pending change.
                        let settings = desired.keys.iter().any(|k| k.kind == apply::Kind::Setting);
                        let pending = !change.is_noop() && settings;
                        row.pending_changes |= pending;
                        if with_diffs && pending {
                            row.diff.push_str(&out.redact(&apply::diff(&change, paths)));
                        }
                        for note in change.notes {
                            match note.kind {
                                NoteKind::UserEntry => row.user_entries.push(note.key),
                                _ => row.drift.push(note.key),
                            }
                        }
                    }
                    Err(e) => row.error = Some(e.message),
                }
            }
        }
        rows.push(row);
    }
    Ok((org, rows))
}

pub fn run(args: &ClientsArgs, paths: &Paths, out: &mut Output) -> Result<u8> {
    let (org, rows) = gather(paths, args.org.as_deref(), false, out)?;
    let failed = rows.iter().any(|r| r.error.is_some());
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or_default())
        .collect();

    let mut text = String::new();
    if let Some(org) = &org {
        text.push_str(&format!("Clients for {org}:\n"));
    } else {
        text.push_str(
            "Not logged in: showing what is installed. `ai-setup login URL` configures them.\n",
        );
    }
    text.push_str(&format!(
        "  {:<15}{:<11}{:<9}{:<12}{}\n",
        "CLIENT", "INSTALLED", "ORG", "CONFIGURED", "STATE"
    ));
    for row in &rows {
        let yes = |v: &Value| {
            if v.as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            }
        };
        let list = |v: &Value| {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        let mut state = Vec::new();
        if let Some(e) = row["error"].as_str() {
            state.push(format!("error: {}", e.lines().next().unwrap_or("")));
        }
        if !list(&row["drift"]).is_empty() {
            state.push(format!("drift: {} (--force replaces)", list(&row["drift"])));
        }
        if !list(&row["user_entries"]).is_empty() {
            state.push(format!("your own: {}", list(&row["user_entries"])));
        }
        match (row["configured"] == true, row["pending_changes"] == true) {
            (true, true) => state.push("changes pending (run `ai-setup sync`)".into()),
            (true, false) if state.is_empty() => state.push("up to date".into()),
            _ => {}
        }
        text.push_str(&format!(
            "  {:<15}{:<11}{:<9}{:<12}{}\n",
            row["name"].as_str().unwrap_or(""),
            yes(&row["installed"]),
            if row["enabled_by_org"] == true && org.is_some() {
                "enabled"
            } else {
                "-"
            },
            yes(&row["configured"]),
            state.join("; ")
        ));
    }
    text.push_str("\nWhat cannot be configured in files:\n");
    for row in &rows {
        text.push_str(&format!(
            "  {:<15}{}\n",
            row["name"].as_str().unwrap_or(""),
            row["limits"].as_str().unwrap_or("")
        ));
    }
    out.result(json!({ "org": org, "clients": rows }), &text);
    Ok(if failed {
        ErrorKind::Partial.exit_code()
    } else {
        0
    })
}
