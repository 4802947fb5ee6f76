//! `ai-setup clients`: every supported client, whether it is installed here, whether the org
//! enables it, whether it is configured, its drift and the user's own entries that shadow the
//! org's, what a `sync` would change, and what cannot be configured in its files and why.
//! It plans each client against the org's last fetched document and the ledger, writing
//! nothing and using no network.

use serde_json::{Value, json};

use crate::cli::ClientsArgs;
use crate::engine::inspect;
use crate::error::{Finished, Result};
use crate::output::Output;
use crate::paths::Paths;

pub fn run(args: &ClientsArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let (org, rows) = inspect::clients(paths, args.org.as_deref(), false, out)?;
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
        for gap in row["not_expressible"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            text.push_str(&format!("  {:<15}not expressible: {gap}\n", ""));
        }
    }
    out.result(json!({ "org": org, "clients": rows }), &text);
    Ok(Finished::partial_if(failed))
}
