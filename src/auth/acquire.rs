//! Getting a token for a login, in two phases (as ripgrep turns low-level arguments into
//! high-level ones): [`TokenSource::resolve`] decides from the flags and the org's document
//! where the token will come from, checking everything that can be checked without side
//! effects; [`acquire`] then obtains it (runs the command, opens the browser, asks the
//! provider). A dry run resolves but does not acquire.

use crate::discovery::Document;
use crate::discovery::document::OidcSpec;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::output::Output;
use crate::secrets::Secret;
use crate::state::{LoginMethod, OidcSession};

/// What the user asked for on the command line, as far as the token goes.
pub struct TokenFlags<'a> {
    pub supplied: Option<(Secret, super::Supplied)>,
    pub client_id: Option<&'a str>,
    pub client_secret_env: Option<&'a str>,
    pub id_token_env: Option<&'a str>,
    pub github_actions: bool,
    pub no_browser: bool,
}

/// Where the token comes from.
pub enum TokenSource<'d> {
    /// Handed over (`--token-stdin`, `--token-env`).
    Supplied(Secret, super::Supplied),
    /// The one held from before (`sync`).
    Stored(Secret, LoginMethod),
    /// A service account of the org's provider (`--client-id`, `--client-secret-env`).
    ServiceAccount {
        spec: &'d OidcSpec,
        client_id: String,
        secret: Secret,
    },
    /// A CI identity token exchanged at the org's provider.
    Exchange {
        spec: &'d OidcSpec,
        id_token_env: Option<String>,
    },
    /// A person signs in at the org's provider, in a browser or on another device.
    Oidc { spec: &'d OidcSpec, device: bool },
    /// The org's login command, accepted by the user.
    OrgCommand(&'d [String]),
}

/// A token obtained, with what is needed to renew it.
pub struct Acquired {
    /// `None` only for a dry run.
    pub token: Option<Secret>,
    pub method: LoginMethod,
    pub refresh_token: Option<Secret>,
    pub client_secret: Option<Secret>,
    pub oidc: Option<OidcSession>,
}

impl<'d> TokenSource<'d> {
    /// Decides where a login's token comes from. `stored` is the token held from before, which
    /// a `sync` uses when none is supplied. Nothing is run and nothing is asked.
    pub fn resolve(
        flags: TokenFlags,
        stored: Option<(Secret, LoginMethod)>,
        document: &'d Document,
        org: &str,
        interactive: bool,
    ) -> Result<Self> {
        if let Some((token, how)) = flags.supplied {
            return Ok(TokenSource::Supplied(token, how));
        }
        if let Some((token, method)) = stored {
            return Ok(TokenSource::Stored(token, method));
        }
        let oidc = || {
            document.oidc().ok_or_else(|| {
                Error::usage(format!(
                    "{org} names no OpenID provider (auth.oidc), so service accounts and token exchange cannot be used"
                ))
                .hint("log in with a token instead: --token-stdin or --token-env VAR")
            })
        };
        if let Some(client_id) = flags.client_id {
            let var = flags.client_secret_env.ok_or_else(|| {
                Error::usage("--client-id needs --client-secret-env VAR")
                    .hint("the variable holds the service account's secret")
            })?;
            let secret = std::env::var(var).map(Secret::new).map_err(|_| {
                Error::usage(format!(
                    "--client-secret-env {var}: the variable {var} is not set"
                ))
            })?;
            return Ok(TokenSource::ServiceAccount {
                spec: oidc()?,
                client_id: client_id.to_string(),
                secret,
            });
        }
        if flags.id_token_env.is_some() || flags.github_actions {
            return Ok(TokenSource::Exchange {
                spec: oidc()?,
                id_token_env: flags.id_token_env.map(str::to_string),
            });
        }
        if let Some(spec) = document.oidc() {
            if !interactive && !flags.no_browser {
                return Err(no_person_to_sign_in(org));
            }
            return Ok(TokenSource::Oidc {
                spec,
                device: flags.no_browser || !super::oidc::browser_available(),
            });
        }
        match document.auth_command() {
            Some(argv) => Ok(TokenSource::OrgCommand(argv)),
            None => Err(Error::auth(format!(
                "{org}'s discovery document names no login method (auth.command or auth.oidc)"
            ))
            .hint(format!(
                "log in with a token instead: `<command that prints your token> | ai-setup login {org} --token-stdin`"
            ))),
        }
    }

    pub fn method(&self) -> LoginMethod {
        match self {
            TokenSource::Supplied(_, super::Supplied::Stdin) => LoginMethod::Stdin,
            TokenSource::Supplied(_, super::Supplied::Env(_)) => LoginMethod::Env,
            TokenSource::Stored(_, method) => *method,
            TokenSource::ServiceAccount { .. } => LoginMethod::ClientCredentials,
            TokenSource::Exchange { .. } => LoginMethod::TokenExchange,
            TokenSource::Oidc { .. } => LoginMethod::Oidc,
            TokenSource::OrgCommand(_) => LoginMethod::Command,
        }
    }

    /// What a dry run says instead of acquiring.
    pub fn describe(&self) -> String {
        match self {
            TokenSource::Supplied(..) | TokenSource::Stored(..) => {
                "Would use the token given".into()
            }
            TokenSource::ServiceAccount { spec, .. } | TokenSource::Exchange { spec, .. } => {
                format!("Would sign in through {} ({})", spec.issuer, self.method())
            }
            TokenSource::Oidc { spec, .. } => format!("Would sign in through {}", spec.issuer),
            TokenSource::OrgCommand(argv) => format!(
                "Would run the org's login command: {}",
                crate::output::shell_words(argv)
            ),
        }
    }
}

/// The error for a sign-in that needs a person where there is none, naming `CI=true` when
/// that is why a terminal does not count.
fn no_person_to_sign_in(org: &str) -> Error {
    let why = if super::ci_set() && super::has_terminal() {
        "CI=true is set, so ai-setup prompts for nothing and opens no browser, even on this terminal"
    } else {
        "there is no terminal"
    };
    Error::usage(format!(
        "{org} signs in through its OpenID provider, which needs a person to approve, and {why}"
    ))
    .hint("pass --no-browser to sign in on another device (device flow) and wait for approval")
    .hint("or log in with a token: --token-stdin or --token-env VAR")
}

/// Obtains the token from `source`. Secrets are registered with `out` as soon as they exist.
pub async fn acquire(
    source: TokenSource<'_>,
    org: &str,
    out: &mut Output,
    interactive: bool,
) -> Result<Acquired> {
    let method = source.method();
    let mut acquired = Acquired {
        token: None,
        method,
        refresh_token: None,
        client_secret: None,
        oidc: None,
    };
    let tokens = match source {
        TokenSource::Supplied(token, _) | TokenSource::Stored(token, _) => {
            acquired.token = Some(token);
            return Ok(acquired);
        }
        TokenSource::OrgCommand(argv) => {
            out.progress(&format!(
                "Running the org's login command: {}",
                crate::output::shell_words(argv)
            ));
            let token = super::run_command(argv, interactive)?;
            out.secret(&token);
            acquired.token = Some(token);
            return Ok(acquired);
        }
        TokenSource::ServiceAccount {
            spec,
            client_id,
            secret,
        } => {
            out.secret(&secret);
            let http = Http::new();
            let provider = super::oidc::discover(&http, spec).await?;
            let tokens = super::oidc::client_credentials(
                &http,
                &provider.token_endpoint,
                &client_id,
                &secret,
                spec.audience.as_deref(),
            )
            .await?;
            acquired.client_secret = Some(secret);
            acquired.oidc = Some(OidcSession {
                token_endpoint: provider.token_endpoint,
                client_id,
            });
            tokens
        }
        TokenSource::Exchange { spec, id_token_env } => {
            let http = Http::new();
            let provider = super::oidc::discover(&http, spec).await?;
            let audience = spec.audience.as_deref();
            let subject = match &id_token_env {
                Some(var) => std::env::var(var).map(Secret::new).map_err(|_| {
                    Error::usage(format!(
                        "--id-token-env {var}: the variable {var} is not set"
                    ))
                })?,
                None => super::oidc::github_actions_token(&http, audience.unwrap_or(org)).await?,
            };
            out.secret(&subject);
            let tokens = super::oidc::exchange(
                &http,
                &provider.token_endpoint,
                &spec.client_id,
                &subject,
                audience,
            )
            .await?;
            acquired.oidc = Some(OidcSession {
                token_endpoint: provider.token_endpoint,
                client_id: spec.client_id.clone(),
            });
            tokens
        }
        TokenSource::Oidc { spec, device } => {
            let http = Http::new();
            let provider = super::oidc::discover(&http, spec).await?;
            let tokens = if device {
                super::oidc::device_login(&http, &provider, spec, out).await?
            } else {
                super::oidc::browser_login(&http, &provider, spec, out).await?
            };
            acquired.oidc = Some(OidcSession {
                token_endpoint: provider.token_endpoint,
                client_id: spec.client_id.clone(),
            });
            tokens
        }
    };
    out.secret(&tokens.access);
    if let Some(r) = &tokens.refresh {
        out.secret(r);
    }
    acquired.token = Some(tokens.access);
    acquired.refresh_token = tokens.refresh;
    Ok(acquired)
}
