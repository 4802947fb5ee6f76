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
use crate::secrets::Credential;

/// `ai-setup token` with nothing but `--org` and `--format` (the arguments after `token`), read
/// without clap: clap's parser for every command is most of what a token otherwise costs.
/// Anything else (`--help`, `-v`, a global flag, `RUST_LOG`, an unknown value) is `None`, and
/// clap parses it as usual, so both paths behave the same.
pub fn quick_args(args: &[OsString]) -> Option<TokenArgs> {
    if std::env::var_os("RUST_LOG").is_some() {
        return None;
    }
    let mut words = args.iter().map(|w| w.to_str());
    let mut parsed = TokenArgs {
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
            "--org" if parsed.org.is_none() && !value.starts_with('-') => {
                parsed.org = Some(value.to_string())
            }
            "--format" if !format_given => {
                parsed.format = TokenFormat::named(value)?;
                format_given = true;
            }
            _ => return None,
        }
    }
    Some(parsed)
}

/// `ai-setup token` before the whole command line is built (see [`quick_args`]).
pub fn quick(argv: &[OsString]) -> Option<u8> {
    if argv.get(1)?.to_str()? != "token" {
        return None;
    }
    let args = quick_args(&argv[2..])?;
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

/// The token helper's whole work when the token is in the file store and good: prints it and
/// is `Some(0)`. `None` when anything needs the full program (see [`auth::current_in_file`]).
pub fn from_file_store(args: &[OsString]) -> Option<u8> {
    let args = quick_args(args)?;
    let paths = Paths::from_process().ok()?;
    let (org, credential, expires_at) = auth::current_in_file(args.org.as_deref(), &paths)?;
    print(&args, &org, &credential, expires_at).ok()?;
    Some(0)
}

pub fn run(args: &TokenArgs, paths: &Paths) -> Result<Finished> {
    let (org, credential, expires_at) = auth::current(args.org.as_deref(), paths)?;
    print(args, &org, &credential, expires_at)?;
    Ok(Finished::Done)
}

fn print(
    args: &TokenArgs,
    org: &str,
    credential: &Credential,
    expires_at: Option<i64>,
) -> Result<()> {
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
        .map_err(|e| Error::failure(format!("cannot write the token: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_path_names_each_format_as_clap_does() {
        for format in <TokenFormat as clap::ValueEnum>::value_variants() {
            let name = clap::ValueEnum::to_possible_value(format).unwrap();
            assert_eq!(TokenFormat::named(name.get_name()), Some(*format));
        }
        assert_eq!(TokenFormat::named("yaml"), None);
    }
}
