//! Stage 2, authenticate: obtain the user's org token (PROTOCOL.md §2).
//!
//! Sources, in the order a login considers them: a token handed over headlessly
//! (`--token-stdin`, `--token-env VAR`), then the org's `auth.command`, run only with the user's
//! consent for that exact argv and origin. Native OpenID Connect comes with issue #4.

pub mod acquire;
pub mod command;
pub mod jwt;
pub mod oidc;
pub mod refresh;

use std::io::{IsTerminal, Read};

use crate::error::{Error, Result};
use crate::output::relative;
use crate::paths::Paths;
use crate::secrets::{Credential, Secret, Store};
use crate::state::State;

/// Where `login` takes the token from when the user supplies it.
#[derive(Debug, Clone)]
pub enum Supplied {
    Stdin,
    Env(String),
}

impl Supplied {
    /// The login method recorded for `status`.
    pub fn method(&self) -> &'static str {
        match self {
            Supplied::Stdin => "stdin",
            Supplied::Env(_) => "env",
        }
    }
}

/// Reads a token handed over on stdin or in an environment variable.
pub fn read_supplied(source: &Supplied) -> Result<Secret> {
    let (raw, from) = match source {
        Supplied::Stdin => {
            let mut text = String::new();
            std::io::stdin()
                .take(64 * 1024)
                .read_to_string(&mut text)
                .map_err(|e| Error::usage(format!("cannot read the token from stdin: {e}")))?;
            (text, "standard input".to_string())
        }
        Supplied::Env(var) => {
            let value = std::env::var(var).map_err(|_| {
                Error::usage(format!("--token-env {var}: the variable {var} is not set"))
            })?;
            (value, format!("the variable {var}"))
        }
    };
    let token = raw.trim();
    if token.is_empty() {
        return Err(Error::usage(format!("no token in {from}")));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::usage(format!(
            "the token in {from} contains whitespace; pass the token alone"
        )));
    }
    Ok(Secret::new(token.to_string()))
}

/// Runs the org's login command and returns the token it printed.
pub fn run_command(argv: &[String], interactive: bool) -> Result<Secret> {
    let stdout = command::run(argv, interactive)?;
    jwt::token_from_output(&stdout)
        .map(Secret::new)
        .ok_or_else(|| {
            Error::auth(format!(
                "the org's login command `{}` printed no token",
                crate::output::shell_words(argv)
            ))
        })
}

/// True when ai-setup may ask the user something: a terminal on stdin and stderr, and not CI.
pub fn can_prompt() -> bool {
    has_terminal() && !ci_set()
}

/// Standard input and standard error are a terminal.
pub fn has_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// `CI` is set to something other than empty, `false` or `0`: nothing prompts.
pub fn ci_set() -> bool {
    std::env::var("CI").is_ok_and(|v| !(v.is_empty() || v == "false" || v == "0"))
}

/// Why nothing can be asked: for the messages that say a decision needs a flag.
pub fn why_no_prompt() -> &'static str {
    if ci_set() && has_terminal() {
        "CI=true is set, so ai-setup asks nothing even on this terminal."
    } else {
        "No terminal to confirm it."
    }
}

/// Makes sure the user accepted running `argv` for `origin`: remembered from before, given by
/// `--yes`, or asked now (`accepted` is what the user accepted before). A changed command asks
/// again. The caller records the acceptance, in the transaction that uses the token.
pub fn ensure_consent(
    accepted: Option<&[String]>,
    origin: &str,
    argv: &[String],
    yes: bool,
    interactive: bool,
) -> Result<()> {
    if accepted == Some(argv) {
        return Ok(());
    }
    let shown = crate::output::shell_words(argv);
    let changed = accepted.is_some();
    if !yes {
        if !interactive {
            return Err(Error::usage(format!(
                "{origin} asks to run this login command on your machine:\n    {shown}\n{}",
                why_no_prompt()
            ))
            .hint("pass --yes to accept it (it is remembered for this org)"));
        }
        let question = format!(
            "{origin} {} this command on your machine to log you in:\n\n    {shown}\n\nRun it? [y/N] ",
            if changed {
                "now asks to run a DIFFERENT"
            } else {
                "asks to run"
            }
        );
        if !crate::output::ask(&question)? {
            return Err(Error::auth(
                "login cancelled: the login command was not accepted",
            ));
        }
    }
    Ok(())
}

/// The org (`org` or the remembered one), its stored credential and the token's expiry (Unix
/// time, when it is a JWT), refreshed first when it expires soon and can be. A missing or
/// expired token is an auth error that says to log in. With a valid token this reads local
/// files (or one keyring entry) only: it is on the hot path of `ai-setup token`.
pub fn current(org: Option<&str>, paths: &Paths) -> Result<(String, Credential, Option<i64>)> {
    let state = State::load(paths)?;
    let org = state.resolve_org(org)?;
    let org_state = state.org(&org)?;
    let store = Store::open(org_state.credential_store, paths);
    let credential = store.get(&org)?.ok_or_else(|| {
        Error::auth(format!(
            "no token for {org} in the {}",
            org_state.credential_store
        ))
        .hint(format!("run `ai-setup login {org}`"))
    })?;
    let command = org_command(&state, &org);
    let credential = refresh::ensure_fresh(
        &org,
        org_state,
        &store,
        credential,
        command.as_deref(),
        paths,
    )?;
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

/// [`current`] where nothing but two small files is needed: the credential is in the file store
/// and the token is neither expired nor due for renewal. `None` otherwise (the keyring, a
/// renewal, any error): [`current`] then does the whole work and says what is wrong. The
/// helper binary runs this alone, so it stays free of the keyring and the network.
pub fn current_in_file(
    org: Option<&str>,
    paths: &Paths,
) -> Option<(String, Credential, Option<i64>)> {
    let state = State::load(paths).ok()?;
    let org = state.resolve_org(org).ok()?;
    let org_state = state.org(&org).ok()?;
    if org_state.credential_store != crate::secrets::StoreKind::File {
        return None;
    }
    let text = crate::secrets::file::get(paths, &org).ok()??;
    let credential: Credential = serde_json::from_str(&text).ok()?;
    let command = org_command(&state, &org);
    if refresh::renewable(org_state, &credential, command.as_deref()) {
        return None;
    }
    let expires_at = jwt::claims(credential.token.expose()).and_then(|c| c.exp);
    if expires_at.is_some_and(|exp| exp <= crate::now_unix()) {
        return None;
    }
    Some((org, credential, expires_at))
}

/// The login command the user accepted for `org`'s origin.
pub fn org_command(state: &State, org: &str) -> Option<Vec<String>> {
    let origin = url::Url::parse(org).ok()?.origin().ascii_serialization();
    state.accepted_command(&origin).map(<[String]>::to_vec)
}

/// The current valid token of `org`.
pub fn current_token(org: &str, paths: &Paths) -> Result<Secret> {
    current(Some(org), paths).map(|(_, credential, _)| credential.token)
}
