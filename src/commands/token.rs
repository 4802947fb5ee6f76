//! `ai-setup token`: on the hot path of every LLM request a client makes through a helper, so it
//! reads two small files (or one keyring entry) and prints; no async runtime, no network, no
//! HTTP client built. A missing or expired token is exit code 3 with one line on stderr.

use std::io::Write;

use serde_json::json;

use crate::auth;
use crate::cli::{TokenArgs, TokenFormat};
use crate::error::{Error, Result};
use crate::output::timestamp;
use crate::paths::Paths;

pub fn run(args: &TokenArgs, paths: &Paths) -> Result<u8> {
    let (org, credential, expires_at) = auth::current(args.org.as_deref(), paths)?;
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
