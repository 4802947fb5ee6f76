//! `ai-setup status`: who you are, which org, when the token expires and where it is stored,
//! when the org was last synced, and the clients. Reads local state only (no network), so it
//! answers instantly and works offline.

use serde_json::json;

use crate::auth::jwt;
use crate::cli::StatusArgs;
use crate::clients;
use crate::error::{ErrorKind, Result};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;
use crate::secrets::Store;
use crate::state::State;

pub fn run(args: &StatusArgs, paths: &Paths, out: &mut Output) -> Result<u8> {
    let state = State::load(paths)?;
    let org = match state.resolve_org(args.url.as_deref()) {
        Ok(org) if state.orgs.contains_key(&org) => org,
        other => {
            let org = other.ok();
            out.result(
                json!({ "logged_in": false, "org": org }),
                &match &org {
                    Some(org) => format!(
                        "Not logged in to {org}.\nRun `ai-setup login {org}` to log in.\n"
                    ),
                    None => "Not logged in.\nRun `ai-setup login https://ai.example.com` with your org's address, or `ai-setup demo` to try it.\n".into(),
                },
            );
            return Ok(ErrorKind::Auth.exit_code());
        }
    };
    let org_state = state.org(&org)?;
    let store = Store::open(org_state.credential_store, paths);
    let now = crate::now_unix();
    let (token_state, claims) = match store.get(&org) {
        Ok(Some(cred)) => {
            out.secret(&cred.token);
            let claims = jwt::claims(cred.token.expose());
            let expired = claims
                .as_ref()
                .and_then(|c| c.exp)
                .is_some_and(|e| e <= now);
            (if expired { "expired" } else { "valid" }, claims)
        }
        Ok(None) => ("missing", None),
        Err(err) => {
            out.warn(&err.message);
            ("unreadable", None)
        }
    };
    let expires_at = claims.as_ref().and_then(|c| c.exp);
    let client_rows: Vec<_> = clients::ALL
        .iter()
        .map(|c| {
            let detection = c.detect(paths);
            json!({
                "id": c.id(),
                "name": c.name(),
                "installed": detection.program.is_some(),
                "configured": org_state.clients.iter().any(|id| id == c.id()),
            })
        })
        .collect();
    let json = json!({
        "logged_in": true,
        "org": org,
        "org_name": org_state.name,
        "default": state.default_org.as_deref() == Some(org.as_str()),
        "identity": claims.as_ref().and_then(|c| c.identity()),
        "subject": claims.as_ref().and_then(|c| c.sub.clone()),
        "token": token_state,
        "expires_at": expires_at.map(timestamp),
        "credential_store": org_state.credential_store,
        "credential_location": store.describe(),
        "login_method": org_state.login_method,
        "logged_in_at": timestamp(org_state.logged_in_at),
        "last_sync": org_state.last_sync.map(timestamp),
        "clients": client_rows,
    });

    let mut text = format!(
        "Org:        {}{}\n",
        org_state
            .name
            .as_deref()
            .map(|n| format!("{n} "))
            .unwrap_or_default(),
        if org_state.name.is_some() {
            format!("({org})")
        } else {
            org.clone()
        }
    );
    text.push_str(&format!(
        "User:       {}\n",
        claims
            .as_ref()
            .and_then(|c| c.identity())
            .unwrap_or("unknown (the token is not a JWT)")
    ));
    let expiry = match (token_state, expires_at) {
        ("valid", Some(e)) => format!("valid, expires {} ({})", relative(e, now), timestamp(e)),
        ("valid", None) => "valid (no expiry in the token)".into(),
        ("expired", Some(e)) => {
            format!("EXPIRED {} — run `ai-setup login {org}`", relative(e, now))
        }
        (other, _) => format!("{other} — run `ai-setup login {org}`"),
    };
    text.push_str(&format!("Token:      {expiry}\n"));
    text.push_str(&format!("Stored in:  {}\n", store.describe()));
    text.push_str(&format!(
        "Last sync:  {}\n",
        org_state
            .last_sync
            .map(|t| format!("{} ({})", relative(t, now), timestamp(t)))
            .unwrap_or_else(|| "never".into())
    ));
    text.push_str("Clients:\n");
    for c in clients::ALL {
        let configured = org_state.clients.iter().any(|id| id == c.id());
        let installed = c.detect(paths).program.is_some();
        text.push_str(&format!(
            "  {:<16}{}{}\n",
            c.name(),
            if configured {
                "configured"
            } else {
                "not configured"
            },
            if installed { "" } else { " (not installed)" }
        ));
    }
    out.result(json, &text);
    Ok(if token_state == "valid" {
        0
    } else {
        ErrorKind::Auth.exit_code()
    })
}
