//! `ai-setup token`: on the hot path of every LLM request a client makes through a helper, so it
//! reads two small files (or one keyring entry) and prints; no async runtime, no network, no
//! HTTP client built. A missing or expired token is exit code 3 with one line on stderr.

use std::ffi::OsString;
use std::io::Write;

use serde_json::json;

use crate::auth;
use crate::cli::{TokenArgs, TokenFormat};
use crate::error::{Error, Finished, Result};
use crate::output::timestamp;
use crate::paths::Paths;

/// `ai-setup token` with nothing but `--org` and `--format`, run before the whole command line
/// is built: clap's parser for every command is most of what a token otherwise costs. Anything
/// else (`--help`, `-v`, a global flag, `RUST_LOG`, an unknown value) returns `None`, and clap
/// parses it as usual, so both paths behave the same.
pub fn quick(argv: &[OsString]) -> Option<u8> {
    if std::env::var_os("RUST_LOG").is_some() {
        return None;
    }
    let mut words = argv.iter().skip(1).map(|w| w.to_str());
    if words.next()? != Some("token") {
        return None;
    }
    let mut args = TokenArgs {
        org: None,
        format: TokenFormat::Raw,
    };
    let mut format_given = false;
    while let Some(word) = words.next() {
        let (flag, inline) = match word?.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (word?, None),
        };
        let value = match inline {
            Some(value) => value,
            None => words.next()??,
        };
        match flag {
            "--org" if args.org.is_none() && !value.starts_with('-') => {
                args.org = Some(value.to_string())
            }
            "--format" if !format_given => {
                args.format = clap::ValueEnum::from_str(value, false).ok()?;
                format_given = true;
            }
            _ => return None,
        }
    }
    crate::http::trust(Vec::new(), super::remembered_ca_files);
    let result = Paths::from_process().and_then(|paths| run(&args, &paths));
    Some(match result {
        Ok(finished) => finished.exit_code(),
        Err(err) => {
            crate::output::Output::new(false).error(&err);
            err.kind.exit_code()
        }
    })
}

pub fn run(args: &TokenArgs, paths: &Paths) -> Result<Finished> {
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
    Ok(Finished::Done)
}
