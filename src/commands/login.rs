//! `login` and `sync`: the whole pipeline, discover → authenticate → translate → plan → apply →
//! report. They differ only in where the token comes from: `login` obtains a new one (supplied,
//! or the org's command), `sync` uses the stored one (or a newly supplied one).

use serde_json::json;
use url::Url;

use super::configure::{ClientReport, run_edits};
use crate::auth::{self, Supplied, jwt};
use crate::cli::ApplyFlags;
use crate::clients::{self, OrgContext};
use crate::discovery::{self, Discovered, Source};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Http, org_key, parse_org_url};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;
use crate::secrets::{self, Credential, Secret, Store};
use crate::state::{OrgState, State};

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
    let org_url: Url = match url {
        Some(given) => parse_org_url(given)?,
        None => parse_org_url(&state.resolve_org(None).map_err(|e| {
            if mode == Mode::Login {
                Error::usage("no org URL given and none remembered")
                    .hint("run `ai-setup login https://ai.example.com` with your org's address")
            } else {
                e
            }
        })?)?,
    };
    let org = org_key(&org_url);
    let origin = org_url.origin().ascii_serialization();
    let previous = state.orgs.get(&org).cloned();
    if mode == Mode::Sync && previous.is_none() {
        return Err(Error::auth(format!("not logged in to {org}"))
            .hint(format!("run `ai-setup login {org}`")));
    }

    let supplied = match (flags.token_stdin, &flags.token_env) {
        (true, _) => Some((Supplied::Stdin, "stdin")),
        (false, Some(var)) => Some((Supplied::Env(var.clone()), "env")),
        _ => None,
    };
    let supplied_token = supplied
        .as_ref()
        .map(|(source, _)| auth::read_supplied(source))
        .transpose()?;
    let stored_token = previous
        .as_ref()
        .and_then(|p| {
            Store::open(p.credential_store, paths)
                .get(&org)
                .ok()
                .flatten()
        })
        .map(|c| c.token);
    for token in supplied_token.iter().chain(&stored_token) {
        out.secret(token);
    }

    let http = Http::new()?;
    out.progress(&format!("Fetching {}{}", org, discovery::WELL_KNOWN));
    let discovered = discovery::fetch(
        &http,
        paths,
        &org_url,
        supplied_token
            .as_ref()
            .or(stored_token.as_ref())
            .map(Secret::expose),
    )
    .await?;
    if let Source::OfflineCache { fetched_at, reason } = &discovered.source {
        out.warn(&format!(
            "{reason}; using the copy of the org's configuration fetched {} ({})",
            relative(*fetched_at, crate::now_unix()),
            timestamp(*fetched_at)
        ));
    }
    let document = &discovered.document;

    // Authenticate.
    let (token, method): (Option<Secret>, String) = match (mode, supplied_token) {
        (_, Some(token)) => (Some(token), supplied.expect("supplied").1.to_string()),
        (Mode::Sync, None) => {
            let previous = previous.as_ref().expect("checked above");
            let token = stored_token.ok_or_else(|| {
                Error::auth(format!(
                    "no token for {org} in the {}",
                    previous.credential_store
                ))
                .hint(format!("run `ai-setup login {org}`"))
            })?;
            (Some(token), previous.login_method.clone())
        }
        (Mode::Login, None) => {
            let argv = document
                .auth_command()
                .ok_or_else(|| no_login_method(document, &org))?;
            auth::ensure_consent(&mut state, &origin, argv, flags.yes, interactive)?;
            if flags.dry_run {
                out.progress(&format!(
                    "Would run the org's login command: {}",
                    auth::command::shell_words(argv)
                ));
                (None, "command".into())
            } else {
                out.progress(&format!(
                    "Running the org's login command: {}",
                    auth::command::shell_words(argv)
                ));
                let token = auth::run_command(argv, interactive)?;
                out.secret(&token);
                (Some(token), "command".into())
            }
        }
    };
    let claims = token.as_ref().and_then(|t| jwt::claims(t.expose()));
    if let Some(exp) = claims.as_ref().and_then(|c| c.exp)
        && exp <= crate::now_unix()
    {
        return Err(Error::auth(format!(
            "the token for {org} expired {}",
            relative(exp, crate::now_unix())
        ))
        .hint(if mode == Mode::Sync {
            format!("run `ai-setup login {org}`")
        } else {
            "the login produced an expired token: check the machine's clock, then try again"
                .to_string()
        }));
    }

    // Store the credential, unless this is a dry run or a sync that changed nothing.
    let store_kind = if flags.dry_run {
        previous.as_ref().map(|p| p.credential_store)
    } else if mode == Mode::Login || flags.token_stdin || flags.token_env.is_some() {
        let token = token.clone().expect("a token unless dry run");
        let credential = Credential { token };
        let mut warnings = Vec::new();
        let store =
            secrets::store_new(flags.credential_store, paths, &org, &credential, &mut |w| {
                warnings.push(w)
            })?;
        for w in warnings {
            out.warn(&w);
        }
        if let Some(old) = previous
            .as_ref()
            .filter(|p| p.credential_store != store.kind)
        {
            // The token moved stores: leave no copy behind.
            let _ = Store::open(old.credential_store, paths).delete(&org);
        }
        Some(store.kind)
    } else {
        previous.as_ref().map(|p| p.credential_store)
    };

    // Translate, plan, apply.
    let selected = clients::select(flags.clients.as_deref(), document, paths)?;
    let ctx = OrgContext {
        org: &org,
        document,
        token: token.as_ref(),
    };
    let reports: Vec<ClientReport> = selected
        .iter()
        .map(|client| {
            run_edits(
                *client,
                &client.configure(&ctx, paths),
                paths,
                flags.dry_run,
                out,
            )
        })
        .collect();
    let skipped: Vec<&str> = clients::ALL
        .iter()
        .filter(|c| !selected.iter().any(|s| s.id() == c.id()))
        .map(|c| c.id())
        .collect();

    let now = crate::now_unix();
    if !flags.dry_run {
        let configured: Vec<String> = reports
            .iter()
            .filter(|r| !r.failed())
            .map(|r| r.id.to_string())
            .collect();
        state.orgs.insert(
            org.clone(),
            OrgState {
                credential_store: store_kind.expect("stored above"),
                name: document.org_name().map(str::to_string),
                auth_env: document.auth_env().map(str::to_string),
                login_method: method.clone(),
                logged_in_at: match (mode, &previous) {
                    (Mode::Sync, Some(p)) => p.logged_in_at,
                    _ => now,
                },
                last_sync: Some(now),
                clients: configured,
            },
        );
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

    let failed = reports.iter().filter(|r| r.failed()).count();
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
    if failed > 0 {
        return Ok(ErrorKind::Partial.exit_code());
    }
    Ok(0)
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
        "discovery": discovered.source,
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
        text.push_str(&r.human());
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
