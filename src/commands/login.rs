//! `login` and `sync`: the whole pipeline, discover → authenticate → translate → plan → apply →
//! report. They differ only in where the token comes from: `login` obtains a new one (supplied,
//! or the org's command), `sync` uses the stored one (or a newly supplied one).

use serde_json::json;
use url::Url;

use super::configure::{ClientReport, Plan, Session, client_contexts};
use crate::apply::Prune;
use crate::apply::transaction::{CredentialChange, Transaction, current_ledger};
use crate::auth::acquire::{Acquired, TokenFlags, TokenSource, acquire};
use crate::auth::{self, Supplied, jwt};
use crate::cli::ApplyFlags;
use crate::clients;
use crate::discovery::{self, Discovered, Freshness};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Http, org_key, parse_org_url};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;
use crate::secrets::{Credential, Secret, Store, StoreKind};
use crate::state::{LoginMethod, OrgState, State};

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
    // A snapshot for decisions; every change to the state is made at commit, on a fresh copy
    // read under the lock.
    let state = State::load(paths)?;
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
    // The whole document is checked before anything runs, opens or is written: nobody signs
    // in to an org whose configuration would then be refused.
    document.check_min_version(&org)?;
    document.check_config(&org)?;
    let selected = clients::select(flags.clients.as_deref(), document, paths)?;

    let replaces_token = mode == Mode::Login || supplied.is_some();
    let sync_token = match (mode, &supplied) {
        (Mode::Sync, None) => {
            let p = previous.as_ref().expect("checked above");
            Some((
                stored.ok_or_else(|| {
                    Error::auth(format!("no token for {org} in the {}", p.credential_store))
                        .hint(format!("run `ai-setup login {org}`"))
                })?,
                p.login_method,
            ))
        }
        _ => None,
    };
    let source = TokenSource::resolve(
        TokenFlags {
            supplied,
            client_id: flags.client_id.as_deref(),
            client_secret_env: flags.client_secret_env.as_deref(),
            id_token_env: flags.id_token_env.as_deref(),
            github_actions: flags.github_actions,
            no_browser: flags.no_browser,
        },
        sync_token,
        document,
        &org,
        interactive,
    )?;
    // The org's command runs only once accepted (remembered, --yes, or asked now).
    let origin = org_url.origin().ascii_serialization();
    let accepted = match &source {
        TokenSource::OrgCommand(argv) => {
            auth::ensure_consent(
                state.accepted_command(&origin),
                &origin,
                argv,
                flags.yes,
                interactive,
            )?;
            Some(argv.to_vec())
        }
        _ => None,
    };
    let acquired = if flags.dry_run
        && !matches!(source, TokenSource::Supplied(..) | TokenSource::Stored(..))
    {
        out.progress(&source.describe());
        Acquired {
            token: None,
            method: source.method(),
            refresh_token: None,
            client_secret: None,
            oidc: None,
        }
    } else {
        let keep_session = matches!(source, TokenSource::Stored(..));
        let mut acquired = acquire(source, &org, out, interactive).await?;
        if keep_session {
            acquired.oidc = previous.as_ref().and_then(|p| p.oidc.clone());
        }
        acquired
    };
    let claims = acquired
        .token
        .as_ref()
        .and_then(|t| jwt::claims(t.expose()));
    check_not_expired(claims.as_ref(), &org, mode)?;

    // Translate, plan, apply.
    let contexts = client_contexts(
        &selected,
        document,
        &org,
        acquired.token.as_ref(),
        &flags.sets,
        paths,
        out,
    )?;
    let session = Session {
        paths,
        org: &org,
        force: flags.force,
        dry_run: flags.dry_run,
        prune: Prune::Unwanted,
    };
    let skipped: Vec<&str> = clients::ALL
        .iter()
        .filter(|c| !selected.iter().any(|s| s.id() == c.id()))
        .map(|c| c.id())
        .collect();
    let ran = Ran {
        mode,
        org: &org,
        discovered: &discovered,
        claims: claims.as_ref(),
        method: acquired.method,
        dry_run: flags.dry_run,
        paths,
    };
    let mut plan = Plan::default();

    if flags.dry_run {
        let ledger = current_ledger(paths)?;
        for (c, ctx) in selected.iter().zip(&contexts) {
            plan.client(
                c.id(),
                c.name(),
                &c.configure(ctx, paths),
                &ledger,
                &session,
                out,
            );
        }
        // A dry-run login still remembers an accepted command: that is what --yes said.
        if let Some(argv) = accepted.filter(|_| mode == Mode::Login) {
            let mut txn = Transaction::begin(paths, &mut |m| out.progress(m))?;
            txn.update_state(move |state, _| state.accept_command(&origin, &argv));
            txn.commit()?;
        }
        let store = previous.as_ref().map(|p| p.credential_store);
        return Ok(report(out, &ran, plan.reports, store, &skipped));
    }

    let mut txn = Transaction::begin(paths, &mut |m| out.progress(m))?;
    for (c, ctx) in selected.iter().zip(&contexts) {
        plan.client(
            c.id(),
            c.name(),
            &c.configure(ctx, paths),
            txn.ledger(),
            &session,
            out,
        );
    }
    let token = acquired.token.clone().expect("a token was acquired");
    if replaces_token {
        txn.set_credential(CredentialChange {
            org: org.clone(),
            current: previous.as_ref().map(|p| p.credential_store),
            new: Some((
                Credential {
                    token,
                    refresh_token: acquired.refresh_token.clone(),
                    client_secret: acquired.client_secret.clone(),
                },
                flags.credential_store,
            )),
        });
    }
    let org_state = OrgState {
        credential_store: previous
            .as_ref()
            .map_or(StoreKind::File, |p| p.credential_store),
        name: document.org_name().map(str::to_string),
        auth_env: document.auth_env().map(str::to_string),
        login_method: acquired.method,
        logged_in_at: match (mode, &previous) {
            (Mode::Sync, Some(p)) => p.logged_in_at,
            _ => crate::now_unix(),
        },
        last_sync: Some(crate::now_unix()),
        oidc: acquired.oidc.clone(),
        rerun_command: match (mode, &previous) {
            (Mode::Sync, Some(p)) => p.rerun_command,
            _ => flags.unattended && acquired.method == LoginMethod::Command,
        },
        clients: plan
            .reports
            .iter()
            .filter(|r| !r.failed())
            .map(|r| r.id.to_string())
            .collect(),
    };
    {
        let org = org.clone();
        txn.update_state(move |state, stored_in| {
            let mut org_state = org_state;
            if let Some(kind) = stored_in {
                org_state.credential_store = kind;
            }
            state.orgs.insert(org.clone(), org_state);
            if mode == Mode::Login || state.default_org.is_none() {
                state.default_org = Some(org);
            }
            if let Some(argv) = accepted {
                state.accept_command(&origin, &argv);
            }
        });
    }
    let (reports, committed) = plan.commit(txn, &org)?;
    for w in &committed.warnings {
        out.warn(w);
    }
    discovered.remember();
    let store = committed
        .store
        .or(previous.as_ref().map(|p| p.credential_store));
    Ok(report(out, &ran, reports, store, &skipped))
}

/// 0, or the partial-failure code when a client could not be configured.
fn exit_code(reports: &[ClientReport]) -> u8 {
    if reports.iter().any(ClientReport::failed) {
        ErrorKind::Partial.exit_code()
    } else {
        0
    }
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

/// What a run was, for its report.
struct Ran<'a> {
    mode: Mode,
    org: &'a str,
    discovered: &'a Discovered,
    claims: Option<&'a jwt::Claims>,
    method: LoginMethod,
    dry_run: bool,
    paths: &'a Paths,
}

/// Prints the run's report (human or JSON) and returns its exit code.
fn report(
    out: &mut Output,
    ran: &Ran,
    reports: Vec<ClientReport>,
    store: Option<StoreKind>,
    skipped: &[&str],
) -> u8 {
    let Ran {
        mode,
        org,
        discovered,
        claims,
        method,
        dry_run,
        paths,
    } = *ran;
    let store = store.map(|kind| Store::open(kind, paths));
    let reports = reports.as_slice();
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
        "login_method": method.to_string(),
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
    exit_code(reports)
}
