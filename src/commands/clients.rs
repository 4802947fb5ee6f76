//! `ai-setup clients`: every supported client, whether it is installed here, whether the org
//! enables it, whether it is configured, its drift and the user's own entries that shadow the
//! org's, what a `sync` would change, and what cannot be configured in its files and why.
//! It plans each client against the org's last fetched document and the ledger, writing
//! nothing and using no network.

use serde_json::{Value, json};

use super::configure::client_contexts;
use crate::apply::ledger::Ledger;
use crate::apply::{self, NoteKind, Prune};
use crate::cli::ClientsArgs;
use crate::clients::{self, Client};
use crate::discovery;
use crate::error::{ErrorKind, Result};
use crate::http::{org_key, parse_org_url};
use crate::output::Output;
use crate::paths::Paths;
use crate::state::State;

pub fn run(args: &ClientsArgs, paths: &Paths, out: &mut Output) -> Result<u8> {
    let state = State::load(paths)?;
    let org = match (&args.org, &state.default_org) {
        (Some(given), _) => Some(org_key(&parse_org_url(given)?)),
        (None, default) => default.clone(),
    };
    let document = match &org {
        Some(org) => discovery::cached(paths, &parse_org_url(org)?).map(|(d, _)| d),
        None => None,
    };
    let ledger = Ledger::load(paths)?;
    let all: Vec<&'static dyn Client> = clients::ALL.to_vec();
    let contexts = match (&org, &document) {
        (Some(org), Some(doc)) => Some(client_contexts(&all, doc, org, None, &[], paths, out)?),
        _ => None,
    };
    let enabled = document.as_ref().and_then(|d| d.enabled_clients());

    let mut rows = Vec::new();
    let mut failed = false;
    for (i, client) in all.iter().enumerate() {
        let detection = client.detect(paths);
        let (mut configured, mut pending, mut drift, mut yours, mut error) =
            (false, false, Vec::new(), Vec::new(), None::<String>);
        if let (Some(org), Some(contexts)) = (&org, &contexts) {
            for desired in client.configure(&contexts[i], paths) {
                configured |= !ledger.managed(&desired.path, org, client.id()).is_empty();
                match apply::plan(&desired, &ledger, org, false, Prune::Unwanted) {
                    Ok(change) => {
                        // The credential entry is refreshed on every login: not a pending change.
                        pending |= !change.is_noop()
                            && desired.keys.iter().any(|k| k.kind == apply::Kind::Setting);
                        for note in change.notes {
                            match note.kind {
                                NoteKind::UserEntry => yours.push(note.key),
                                _ => drift.push(note.key),
                            }
                        }
                    }
                    Err(e) => {
                        failed = true;
                        error = Some(e.message);
                    }
                }
            }
        }
        let enabled = enabled
            .as_ref()
            .is_none_or(|list| list.iter().any(|id| id == client.id()));
        rows.push(json!({
            "id": client.id(),
            "name": client.name(),
            "installed": detection.program.is_some(),
            "program": detection.program,
            "config_present": detection.config_present,
            "enabled_by_org": enabled,
            "configured": configured,
            "pending_changes": pending,
            "drift": drift,
            "user_entries": yours,
            "error": error,
            "limits": client.limits(),
        }));
    }

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
