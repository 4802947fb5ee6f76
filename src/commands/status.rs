//! `ai-setup status`: who you are, which org, when the token expires and where it is stored,
//! when the org was last synced, and the clients. Reads local state only (no network), so it
//! answers instantly and works offline.

use serde::Serialize;
use serde_json::json;

use crate::auth::jwt;
use crate::cli::StatusArgs;
use crate::clients;
use crate::error::{ErrorKind, Result};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;
use crate::secrets::{Secret, Store, StoreKind};
use crate::state::State;

/// What `status` knows about one org, read from local state only (also the dashboard's
/// overview).
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub org: String,
    pub org_name: Option<String>,
    /// The org is the remembered default.
    pub default: bool,
    pub identity: Option<String>,
    pub subject: Option<String>,
    /// `valid`, `expired`, `missing` or `unreadable`.
    pub token: &'static str,
    #[serde(skip)]
    pub expires_at: Option<i64>,
    pub credential_store: StoreKind,
    pub credential_location: String,
    pub login_method: String,
    #[serde(skip)]
    pub logged_in_at: i64,
    #[serde(skip)]
    pub last_sync: Option<i64>,
    pub clients: Vec<ClientStatus>,
    /// Why the credential store could not be read.
    #[serde(skip)]
    pub store_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientStatus {
    pub id: &'static str,
    pub name: &'static str,
    pub installed: bool,
    pub configured: bool,
}

/// The org's status, or `Err(org)` when not logged in (with the org asked for, if any). The
/// token, when read, is passed to `seen` so that callers can keep it out of what they print.
pub fn gather(
    paths: &Paths,
    given: Option<&str>,
    seen: &mut dyn FnMut(&Secret),
) -> Result<Result<Status, Option<String>>> {
    let state = State::load(paths)?;
    let org = match state.resolve_org(given) {
        Ok(org) if state.orgs.contains_key(&org) => org,
        other => return Ok(Err(other.ok())),
    };
    let org_state = state.org(&org)?;
    let store = Store::open(org_state.credential_store, paths);
    let now = crate::now_unix();
    let mut store_error = None;
    let (token, claims) = match store.get(&org) {
        Ok(Some(cred)) => {
            seen(&cred.token);
            let claims = jwt::claims(cred.token.expose());
            let expired = claims
                .as_ref()
                .and_then(|c| c.exp)
                .is_some_and(|e| e <= now);
            (if expired { "expired" } else { "valid" }, claims)
        }
        Ok(None) => ("missing", None),
        Err(err) => {
            store_error = Some(err.message);
            ("unreadable", None)
        }
    };
    Ok(Ok(Status {
        org_name: org_state.name.clone(),
        default: state.default_org.as_deref() == Some(org.as_str()),
        identity: claims
            .as_ref()
            .and_then(|c| c.identity())
            .map(str::to_string),
        subject: claims.as_ref().and_then(|c| c.sub.clone()),
        token,
        expires_at: claims.as_ref().and_then(|c| c.exp),
        credential_store: org_state.credential_store,
        credential_location: store.describe(),
        login_method: org_state.login_method.to_string(),
        logged_in_at: org_state.logged_in_at,
        last_sync: org_state.last_sync,
        clients: clients::ALL
            .iter()
            .map(|c| ClientStatus {
                id: c.id(),
                name: c.name(),
                installed: c.detect(paths).program.is_some(),
                configured: org_state.clients.iter().any(|id| id == c.id()),
            })
            .collect(),
        store_error,
        org,
    }))
}

pub fn run(args: &StatusArgs, paths: &Paths, out: &mut Output) -> Result<u8> {
    let status = match gather(paths, args.url.as_deref(), &mut |secret| out.secret(secret))? {
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
            return Ok(ErrorKind::Auth.exit_code());
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
    Ok(if status.token == "valid" {
        0
    } else {
        ErrorKind::Auth.exit_code()
    })
}

/// The token's state in words, with what to do when it is not valid.
pub fn token_line(status: &Status, now: i64) -> String {
    let org = &status.org;
    match (status.token, status.expires_at) {
        ("valid", Some(e)) => format!("valid, expires {} ({})", relative(e, now), timestamp(e)),
        ("valid", None) => "valid (no expiry in the token)".into(),
        ("expired", Some(e)) => {
            format!("EXPIRED {} — run `ai-setup login {org}`", relative(e, now))
        }
        (other, _) => format!("{other} — run `ai-setup login {org}`"),
    }
}
