//! `ai-setup status`: who you are, which org, when the token expires and where it is stored,
//! when the org was last synced, the clients, and whether the credential proxy answers. Reads
//! local state only (no network but the proxy's loopback port), so it answers instantly and
//! works offline.

use serde_json::json;

use crate::cli::StatusArgs;
use crate::engine::inspect::{self, Status, TokenState};
use crate::error::{Finished, Result};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;

pub fn run(args: &StatusArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let status = match inspect::status(paths, args.url.as_deref(), &mut |secret| {
        out.secret(secret)
    })? {
        Ok(status) => status,
        Err(org) => {
            out.result(
                json!({ "logged_in": false, "org": org }),
                &match &org {
                    Some(org) => format!(
                        "Not logged in to {org}.\nRun `ai-setup login {org}` to log in.\n"
                    ),
                    None => "Not logged in.\nRun `ai-setup login https://ai.example.com` with your org's address, or `ai-setup demo` to try it.\n".into(),
                },
            );
            return Ok(Finished::NotLoggedIn);
        }
    };
    if let Some(message) = &status.store_error {
        out.warn(message);
    }
    let now = crate::now_unix();
    let org = &status.org;
    let mut json = serde_json::to_value(&status).unwrap_or_default();
    json["logged_in"] = true.into();
    json["expires_at"] = status.expires_at.map(timestamp).into();
    json["logged_in_at"] = timestamp(status.logged_in_at).into();
    json["last_sync"] = status.last_sync.map(timestamp).into();

    let mut text = format!(
        "Org:        {}\n",
        match &status.org_name {
            Some(name) => format!("{name} ({org})"),
            None => org.clone(),
        }
    );
    text.push_str(&format!(
        "User:       {}\n",
        status
            .identity
            .as_deref()
            .unwrap_or("unknown (the token is not a JWT)")
    ));
    text.push_str(&format!("Token:      {}\n", token_line(&status, now)));
    text.push_str(&format!("Stored in:  {}\n", status.credential_location));
    text.push_str(&format!(
        "Last sync:  {}\n",
        status
            .last_sync
            .map(|t| format!("{} ({})", relative(t, now), timestamp(t)))
            .unwrap_or_else(|| "never".into())
    ));
    for pending in &status.pending_approval {
        text.push_str(&format!("Approval:   {}\n", pending.describe()));
    }
    // The proxy, when a configured client reaches the org's models through it: who answers on
    // its loopback address.
    let uses_proxy = status.clients.iter().any(|c| {
        c.configured && crate::clients::by_id(c.id).is_some_and(|client| client.uses_proxy())
    });
    if uses_proxy {
        let address = &paths.proxy_address;
        let (state, line) = match crate::proxy::probe(address) {
            crate::proxy::Listener::Proxy => ("running", format!("running on {address}")),
            crate::proxy::Listener::Other => (
                "other_program",
                format!("another program answers on {address} — see `ai-setup doctor`"),
            ),
            crate::proxy::Listener::Nobody => (
                "not_running",
                format!("not running on {address} — `ai-setup sync` starts it"),
            ),
        };
        json["proxy"] = json!({ "address": address, "state": state });
        text.push_str(&format!("Proxy:      {line}\n"));
    }
    text.push_str("Clients:\n");
    for c in &status.clients {
        text.push_str(&format!(
            "  {:<16}{}{}\n",
            c.name,
            if c.configured {
                "configured"
            } else {
                "not configured"
            },
            if c.installed { "" } else { " (not installed)" }
        ));
    }
    out.result(json, &text);
    Ok(if status.token == TokenState::Valid {
        Finished::Done
    } else {
        Finished::NotLoggedIn
    })
}

/// The token's state in words, with what to do when it is not valid.
pub fn token_line(status: &Status, now: i64) -> String {
    let org = &status.org;
    match (status.token, status.expires_at) {
        (TokenState::Valid, Some(e)) => {
            format!("valid, expires {} ({})", relative(e, now), timestamp(e))
        }
        (TokenState::Valid, None) => "valid (no expiry in the token)".into(),
        (TokenState::Expired, Some(e)) => {
            format!("EXPIRED {} — run `ai-setup login {org}`", relative(e, now))
        }
        (other, _) => format!("{other} — run `ai-setup login {org}`"),
    }
}
