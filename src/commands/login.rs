//! `login` and `sync`: the whole pipeline, discover → authenticate → translate → plan → apply →
//! report. They differ only in where the token comes from: `login` obtains a new one (supplied,
//! or the org's command), `sync` uses the stored one (or a newly supplied one).

use serde_json::json;
use url::Url;

use super::configure::{ClientReport, Session, client_contexts, run_client};
use crate::apply::Prune;
use crate::apply::ledger::Ledger;
use crate::apply::lock::ApplyLock;
use crate::auth::{self, Supplied, jwt};
use crate::cli::ApplyFlags;
use crate::clients;
use crate::discovery::{self, Discovered, Freshness};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Http, org_key, parse_org_url};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;
use crate::secrets::{self, Credential, Secret, Store, StoreKind};
use crate::state::{OidcSession, OrgState, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Login,
    Sync,
}

/// Runs `login` or `sync` for `url` (or the remembered org). Returns the exit code.
pub async fn run(
    mode: Mode,
    url: Option<&str>,
    flags: &ApplyFlags,
    paths: &Paths,
    out: &mut Output,
    interactive: bool,
) -> Result<u8> {
    let mut state = State::load(paths)?;
    let org_url = target_org(mode, url, &state)?;
    let org = org_key(&org_url);
    let previous = state.orgs.get(&org).cloned();
    if mode == Mode::Sync && previous.is_none() {
        return Err(Error::auth(format!("not logged in to {org}"))
            .hint(format!("run `ai-setup login {org}`")));
    }

    // A token the user hands over, and the one held from before (sent with the discovery
    // request, for endpoints behind single sign-on).
    let supplied = supplied_source(flags)
        .map(|source| auth::read_supplied(&source).map(|t| (t, source)))
        .transpose()?;
    let stored = match &previous {
        Some(p) => {
            let store = Store::open(p.credential_store, paths);
            match store.get(&org).ok().flatten() {
                // A sync renews an expiring token first, as `ai-setup token` does.
                Some(c) if mode == Mode::Sync => Some(
                    auth::refresh::ensure_fresh_async(
                        &org,
                        p,
                        &store,
                        c,
                        auth::org_command(&state, &org).as_deref(),
                        paths,
                    )
                    .await?
                    .token,
                ),
                Some(c) => Some(c.token),
                None => None,
            }
        }
        None => None,
    };
    for token in supplied.iter().map(|(t, _)| t).chain(&stored) {
        out.secret(token);
    }

    out.progress(&format!("Fetching {org}{}", discovery::WELL_KNOWN));
    let held = supplied.as_ref().map(|(t, _)| t).or(stored.as_ref());
    let discovered =
        discovery::fetch(&Http::new()?, paths, &org_url, held.map(Secret::expose)).await?;
    if let Freshness::OfflineCache { fetched_at, reason } = &discovered.freshness {
        out.warn(&format!(
            "{reason}; using the copy of the org's configuration fetched {} ({})",
            relative(*fetched_at, crate::now_unix()),
            timestamp(*fetched_at)
        ));
    }
    let document = &discovered.document;
    tracing::info!(org, freshness = ?discovered.freshness, "discovery document");
    document.check_min_version(&org)?;

    let replaces_token = mode == Mode::Login || supplied.is_some();
    let mut refresh_token = None;
    let mut client_secret = None;
    let mut oidc_session = match (&supplied, mode) {
        (None, Mode::Sync) => previous.as_ref().and_then(|p| p.oidc.clone()),
        _ => None,
    };
    let (token, method) = match (supplied, mode) {
        (Some((token, source)), _) => (Some(token), source.method().to_string()),
        (None, Mode::Sync) => {
            let previous = previous.as_ref().expect("checked above");
            let token = stored.ok_or_else(|| {
                Error::auth(format!(
                    "no token for {org} in the {}",
                    previous.credential_store
                ))
                .hint(format!("run `ai-setup login {org}`"))
            })?;
            (Some(token), previous.login_method.clone())
        }
        (None, Mode::Login)
            if flags.client_id.is_some()
                || flags.id_token_env.is_some()
                || flags.github_actions =>
        {
            let spec = document.oidc().ok_or_else(|| {
                Error::usage(format!(
                    "{org} names no OpenID provider (auth.oidc), so service accounts and token exchange cannot be used"
                ))
                .hint("log in with a token instead: --token-stdin or --token-env VAR")
            })?;
            let method = if flags.client_id.is_some() {
                "client_credentials"
            } else {
                "token_exchange"
            };
            if flags.dry_run {
                out.progress(&format!("Would sign in through {} ({method})", spec.issuer));
                (None, method.to_string())
            } else {
                let http = Http::new()?;
                let provider = auth::oidc::discover(&http, spec).await?;
                let audience = spec.audience.as_deref();
                let (tokens, client_id) = match (&flags.client_id, &flags.client_secret_env) {
                    (Some(client_id), Some(var)) => {
                        let secret = std::env::var(var).map(Secret::new).map_err(|_| {
                            Error::usage(format!(
                                "--client-secret-env {var}: the variable {var} is not set"
                            ))
                        })?;
                        out.secret(&secret);
                        client_secret = Some(secret.clone());
                        let tokens = auth::oidc::client_credentials(
                            &http,
                            &provider.token_endpoint,
                            client_id,
                            &secret,
                            audience,
                        )
                        .await?;
                        (tokens, client_id.clone())
                    }
                    _ => {
                        let subject = match &flags.id_token_env {
                            Some(var) => std::env::var(var).map(Secret::new).map_err(|_| {
                                Error::usage(format!(
                                    "--id-token-env {var}: the variable {var} is not set"
                                ))
                            })?,
                            None => {
                                auth::oidc::github_actions_token(&http, audience.unwrap_or(&org))
                                    .await?
                            }
                        };
                        out.secret(&subject);
                        let tokens = auth::oidc::exchange(
                            &http,
                            &provider.token_endpoint,
                            &spec.client_id,
                            &subject,
                            audience,
                        )
                        .await?;
                        (tokens, spec.client_id.clone())
                    }
                };
                out.secret(&tokens.access);
                if let Some(r) = &tokens.refresh {
                    out.secret(r);
                }
                refresh_token = tokens.refresh;
                oidc_session = Some(OidcSession {
                    token_endpoint: provider.token_endpoint,
                    client_id,
                });
                (Some(tokens.access), method.to_string())
            }
        }
        (None, Mode::Login) if document.oidc().is_some() => {
            let spec = document.oidc().expect("checked");
            if !interactive && !flags.no_browser {
                return Err(Error::usage(format!(
                    "{org} signs in through its OpenID provider, which needs a person to approve, and there is no terminal"
                ))
                .hint("pass --no-browser to sign in on another device (device flow) and wait for approval")
                .hint("or log in with a token: --token-stdin or --token-env VAR"));
            }
            if flags.dry_run {
                out.progress(&format!("Would sign in through {}", spec.issuer));
                (None, "oidc".to_string())
            } else {
                let http = Http::new()?;
                let provider = auth::oidc::discover(&http, spec).await?;
                let tokens = if flags.no_browser || !auth::oidc::browser_available() {
                    auth::oidc::device_login(&http, &provider, spec, out).await?
                } else {
                    auth::oidc::browser_login(&http, &provider, spec, out).await?
                };
                out.secret(&tokens.access);
                if let Some(r) = &tokens.refresh {
                    out.secret(r);
                }
                refresh_token = tokens.refresh;
                oidc_session = Some(OidcSession {
                    token_endpoint: provider.token_endpoint,
                    client_id: spec.client_id.clone(),
                });
                (Some(tokens.access), "oidc".to_string())
            }
        }
        (None, Mode::Login) => {
            let origin = org_url.origin().ascii_serialization();
            let token =
                run_login_command(document, &org, &origin, &mut state, flags, out, interactive)?;
            (token, "command".to_string())
        }
    };
    let claims = token.as_ref().and_then(|t| jwt::claims(t.expose()));
    check_not_expired(claims.as_ref(), &org, mode)?;

    let store_kind = match (&token, replaces_token && !flags.dry_run) {
        (Some(token), true) => Some(store_credential(
            &Credential {
                token: token.clone(),
                refresh_token,
                client_secret,
            },
            &org,
            previous.as_ref(),
            flags,
            paths,
            out,
        )?),
        _ => previous.as_ref().map(|p| p.credential_store),
    };

    // Translate, plan, apply.
    let selected = clients::select(flags.clients.as_deref(), document, paths)?;
    let contexts = client_contexts(
        &selected,
        document,
        &org,
        token.as_ref(),
        &flags.sets,
        paths,
        out,
    )?;
    let _lock = match flags.dry_run {
        true => None,
        false => Some(ApplyLock::acquire(paths, &mut |m| out.progress(m))?),
    };
    let mut ledger = Ledger::load(paths)?;
    let mut session = Session {
        paths,
        ledger: &mut ledger,
        org: &org,
        force: flags.force,
        dry_run: flags.dry_run,
        prune: Prune::Unwanted,
    };
    let reports: Vec<ClientReport> = selected
        .iter()
        .zip(&contexts)
        .map(|(c, ctx)| {
            run_client(
                c.id(),
                c.name(),
                &c.configure(ctx, paths),
                &mut session,
                out,
            )
        })
        .collect();
    if !flags.dry_run {
        ledger.save(paths)?;
    }
    let skipped: Vec<&str> = clients::ALL
        .iter()
        .filter(|c| !selected.iter().any(|s| s.id() == c.id()))
        .map(|c| c.id())
        .collect();

    if !flags.dry_run {
        let org_state = OrgState {
            credential_store: store_kind.expect("a token was stored or held"),
            name: document.org_name().map(str::to_string),
            auth_env: document.auth_env().map(str::to_string),
            login_method: method.clone(),
            logged_in_at: match (mode, &previous) {
                (Mode::Sync, Some(p)) => p.logged_in_at,
                _ => crate::now_unix(),
            },
            last_sync: Some(crate::now_unix()),
            oidc: oidc_session,
            rerun_command: match (mode, &previous) {
                (Mode::Sync, Some(p)) => p.rerun_command,
                _ => flags.unattended && method == "command",
            },
            clients: reports
                .iter()
                .filter(|r| !r.failed())
                .map(|r| r.id.to_string())
                .collect(),
        };
        state.orgs.insert(org.clone(), org_state);
        if mode == Mode::Login || state.default_org.is_none() {
            state.default_org = Some(org.clone());
        }
    }
    if !flags.dry_run || mode == Mode::Login {
        // A dry-run login still remembers an accepted command: that is what --yes said.
        state.save(paths)?;
    }
    if !flags.dry_run {
        discovered.remember();
    }

    report(
        out,
        mode,
        &org,
        &discovered,
        claims.as_ref(),
        store_kind.map(|k| Store::open(k, paths)),
        &method,
        &reports,
        &skipped,
        flags.dry_run,
    );
    Ok(if reports.iter().any(ClientReport::failed) {
        ErrorKind::Partial.exit_code()
    } else {
        0
    })
}

/// The org URL given, or the remembered one.
fn target_org(mode: Mode, url: Option<&str>, state: &State) -> Result<Url> {
    if let Some(given) = url {
        return parse_org_url(given);
    }
    let remembered = state.resolve_org(None).map_err(|e| match mode {
        Mode::Login => Error::usage("no org URL given and none remembered")
            .hint("run `ai-setup login https://ai.example.com` with your org's address"),
        Mode::Sync => e,
    })?;
    parse_org_url(&remembered)
}

fn supplied_source(flags: &ApplyFlags) -> Option<Supplied> {
    match (flags.token_stdin, &flags.token_env) {
        (true, _) => Some(Supplied::Stdin),
        (false, Some(var)) => Some(Supplied::Env(var.clone())),
        _ => None,
    }
}

/// Runs the org's login command once the user accepted it. A dry run only says what it would
/// run, and gets no token.
fn run_login_command(
    document: &crate::discovery::Document,
    org: &str,
    origin: &str,
    state: &mut State,
    flags: &ApplyFlags,
    out: &mut Output,
    interactive: bool,
) -> Result<Option<Secret>> {
    let argv = document
        .auth_command()
        .ok_or_else(|| no_login_method(document, org))?;
    auth::ensure_consent(state, origin, argv, flags.yes, interactive)?;
    let shown = auth::command::shell_words(argv);
    if flags.dry_run {
        out.progress(&format!("Would run the org's login command: {shown}"));
        return Ok(None);
    }
    out.progress(&format!("Running the org's login command: {shown}"));
    let token = auth::run_command(argv, interactive)?;
    out.secret(&token);
    Ok(Some(token))
}

fn check_not_expired(claims: Option<&jwt::Claims>, org: &str, mode: Mode) -> Result<()> {
    let now = crate::now_unix();
    match claims.and_then(|c| c.exp) {
        Some(exp) if exp <= now => Err(Error::auth(format!(
            "the token for {org} expired {}",
            relative(exp, now)
        ))
        .hint(match mode {
            Mode::Sync => format!("run `ai-setup login {org}`"),
            Mode::Login => {
                "the login produced an expired token: check the machine's clock, then try again"
                    .to_string()
            }
        })),
        _ => Ok(()),
    }
}

/// Stores the token where the user chose (warning first when `auto` falls back to the file),
/// and removes the copy from the store it was in before, if that changed.
fn store_credential(
    credential: &Credential,
    org: &str,
    previous: Option<&OrgState>,
    flags: &ApplyFlags,
    paths: &Paths,
    out: &mut Output,
) -> Result<StoreKind> {
    let mut warnings = Vec::new();
    let store = secrets::store_new(flags.credential_store, paths, org, credential, &mut |w| {
        warnings.push(w)
    })?;
    for w in warnings {
        out.warn(&w);
    }
    if let Some(old) = previous.filter(|p| p.credential_store != store.kind) {
        let _ = Store::open(old.credential_store, paths).delete(org);
    }
    Ok(store.kind)
}

fn no_login_method(document: &crate::discovery::Document, org: &str) -> Error {
    let err = if document.oidc().is_some() {
        Error::auth(format!(
            "{org} offers only OpenID Connect login (auth.oidc), which this version of ai-setup cannot do yet"
        ))
    } else {
        Error::auth(format!(
            "{org}'s discovery document names no login method (auth.command)"
        ))
    };
    err.hint(format!(
        "log in with a token instead: `<command that prints your token> | ai-setup login {org} --token-stdin`"
    ))
}

#[allow(clippy::too_many_arguments)]
fn report(
    out: &mut Output,
    mode: Mode,
    org: &str,
    discovered: &Discovered,
    claims: Option<&jwt::Claims>,
    store: Option<Store>,
    method: &str,
    reports: &[ClientReport],
    skipped: &[&str],
    dry_run: bool,
) {
    let document = &discovered.document;
    let (providers, mcp) = document.summary();
    let identity = claims.and_then(|c| c.identity());
    let expires_at = claims.and_then(|c| c.exp);
    let json = json!({
        "command": if mode == Mode::Login { "login" } else { "sync" },
        "dry_run": dry_run,
        "org": org,
        "org_name": document.org_name(),
        "identity": identity,
        "expires_at": expires_at.map(timestamp),
        "credential_store": store.as_ref().map(|s| s.kind),
        "credential_location": store.as_ref().map(Store::describe),
        "login_method": method,
        "discovery": discovered.freshness,
        "providers": providers,
        "mcp_servers": mcp,
        "clients": reports,
        "skipped_clients": skipped,
    });

    let now = crate::now_unix();
    let name = document.org_name().unwrap_or(org);
    let mut text = String::new();
    let verb = match (mode, dry_run) {
        (_, true) => "Dry run for",
        (Mode::Login, false) => "Logged in to",
        (Mode::Sync, false) => "Synced",
    };
    text.push_str(&format!("{verb} {name} ({org})"));
    if let Some(who) = identity {
        text.push_str(&format!(" as {who}"));
    }
    text.push('\n');
    if let Some(store) = store.as_ref().map(Store::describe) {
        let expiry = expires_at
            .map(|e| format!("expires {}", relative(e, now)))
            .unwrap_or_else(|| "no expiry known".into());
        text.push_str(&format!("  token: {expiry}, stored in {store}\n"));
    }
    text.push_str(&format!(
        "  org config: {} providers ({}), {} MCP servers ({})\n",
        providers.len(),
        providers.join(", "),
        mcp.len(),
        mcp.join(", ")
    ));
    text.push_str("Clients:\n");
    for r in reports {
        text.push_str(&r.human("configured"));
    }
    if reports.is_empty() {
        text.push_str("  none selected\n");
    }
    if !skipped.is_empty() {
        text.push_str(&format!(
            "  not installed or not enabled: {} (configure anyway with --clients LIST)\n",
            skipped.join(", ")
        ));
    }
    out.result(json, &text);
}
