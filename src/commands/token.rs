//! `ai-setup token`: on the hot path of every LLM request a client makes through a helper, so it
//! reads two small files (or one keyring entry) and prints; no async runtime, no network, no
//! HTTP client built. A missing or expired token is exit code 3 with one line on stderr.

use std::io::Write;

use serde_json::json;

use crate::auth::jwt;
use crate::cli::{TokenArgs, TokenFormat};
use crate::error::{Error, Result};
use crate::output::{relative, timestamp};
use crate::paths::Paths;
use crate::secrets::{Credential, Store};
use crate::state::State;

pub fn run(args: &TokenArgs, paths: &Paths) -> Result<u8> {
    let (org, credential, expires_at) = current(args.org.as_deref(), paths)?;
    let token = credential.token.expose();
    let text = match args.format {
        TokenFormat::Raw => format!("{token}\n"),
        TokenFormat::Header => format!("Authorization: Bearer {token}\n"),
        TokenFormat::Headers => format!(
            "{}\n",
            json!({ "Authorization": format!("Bearer {token}") })
        ),
        TokenFormat::Json => format!(
            "{}\n",
            json!({ "token": token, "expires_at": expires_at.map(timestamp), "org": org })
        ),
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| Error::failure(format!("cannot write the token: {e}")))?;
    Ok(0)
}

/// The org, its valid credential and the token's expiry (Unix time, when it is a JWT).
pub fn current(org: Option<&str>, paths: &Paths) -> Result<(String, Credential, Option<i64>)> {
    let state = State::load(paths)?;
    let org = state.resolve_org(org)?;
    let org_state = state.org(&org)?;
    let credential = Store::open(org_state.credential_store, paths)
        .get(&org)?
        .ok_or_else(|| {
            Error::auth(format!(
                "no token for {org} in the {}",
                org_state.credential_store
            ))
            .hint(format!("run `ai-setup login {org}`"))
        })?;
    let expires_at = jwt::claims(credential.token.expose()).and_then(|c| c.exp);
    let now = crate::now_unix();
    if let Some(exp) = expires_at.filter(|exp| *exp <= now) {
        return Err(Error::auth(format!(
            "the token for {org} expired {}",
            relative(exp, now)
        ))
        .hint(format!("run `ai-setup login {org}`")));
    }
    Ok((org, credential, expires_at))
}
