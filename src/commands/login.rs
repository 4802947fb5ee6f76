//! `login`, `sync` and `approve`: the command line's flags turned into an [`engine::sync::Request`], and
//! what the engine did printed (human or `--json`).

use serde_json::json;

use crate::auth::Supplied;
use crate::cli::ApplyFlags;
use crate::engine::sync::{self, Mode, Request, Synced};
use crate::error::{Finished, Result};
use crate::output::{Output, relative, timestamp};
use crate::paths::Paths;
use crate::proxy::Running;
use crate::secrets::Store;

/// Runs `login` or `sync` for `url` (or the remembered org).
pub async fn run(
    mode: Mode,
    url: Option<&str>,
    flags: &ApplyFlags,
    paths: &Paths,
    out: &mut Output,
    interactive: bool,
) -> Result<Finished> {
    sync_with(
        mode,
        mode == Mode::Login,
        url,
        flags,
        paths,
        out,
        interactive,
    )
    .await
}

/// `approve`: a sync that may approve new or changed local server programs (it asks, or takes
/// `--yes`).
pub async fn approve(
    url: Option<&str>,
    flags: &ApplyFlags,
    paths: &Paths,
    out: &mut Output,
    interactive: bool,
) -> Result<Finished> {
    sync_with(Mode::Sync, true, url, flags, paths, out, interactive).await
}

async fn sync_with(
    mode: Mode,
    approve: bool,
    url: Option<&str>,
    flags: &ApplyFlags,
    paths: &Paths,
    out: &mut Output,
    interactive: bool,
) -> Result<Finished> {
    let request = Request {
        approve,
        mode,
        url,
        supplied: match (flags.token_stdin, &flags.token_env) {
            (true, _) => Some(Supplied::Stdin),
            (false, Some(var)) => Some(Supplied::Env(var.clone())),
            _ => None,
        },
        client_id: flags.client_id.as_deref(),
        client_secret_env: flags.client_secret_env.as_deref(),
        id_token_env: flags.id_token_env.as_deref(),
        github_actions: flags.github_actions,
        no_browser: flags.no_browser,
        yes: flags.yes,
        dry_run: flags.dry_run,
        force: flags.force,
        clients: flags.clients.as_deref(),
        credential_store: flags.credential_store,
        unattended: flags.unattended,
        sets: &flags.sets,
    };
    let synced = sync::run(&request, paths, out, interactive).await?;
    let proxy = start_proxy(&synced, paths);
    let finished = report(out, &synced, proxy.as_ref(), paths);
    // The command ends here: the operating system takes the document and the reports back
    // faster than freeing them piece by piece would (a tenth of a no-op sync).
    std::mem::forget(synced);
    Ok(finished)
}

/// Makes sure the proxy runs when a client just configured reaches the org's models through
/// it, so that the client works as soon as the command returns.
pub(super) fn start_proxy(synced: &Synced, paths: &Paths) -> Option<Running> {
    let uses_proxy = |r: &crate::engine::plan::ClientReport| {
        !r.failed() && crate::clients::by_id(r.id).is_some_and(|c| c.uses_proxy())
    };
    (!synced.dry_run && synced.reports.iter().any(uses_proxy))
        .then(|| crate::proxy::ensure_running(paths))
}

/// Prints what a login or sync did (human or `--json`) and says how it finished.
pub(super) fn report(
    out: &mut Output,
    synced: &Synced,
    proxy: Option<&Running>,
    paths: &Paths,
) -> Finished {
    let Synced {
        mode,
        ref org,
        ref discovered,
        ref claims,
        method,
        dry_run,
        ref reports,
        store,
        ref skipped,
    } = *synced;
    let org = org.as_str();
    let claims = claims.as_ref();
    let store = store.map(|kind| Store::open(kind, paths));
    let document = &discovered.document;
    let (providers, mcp) = document.summary();
    let identity = claims.and_then(|c| c.identity());
    let expires_at = claims.and_then(|c| c.exp);
    let json = || {
        json!({
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
            "proxy": proxy,
        })
    };

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
    if let Some(proxy) = proxy {
        text.push_str(&format!("Model proxy: {}\n", proxy.describe()));
    }
    out.result_with(json, &text);
    synced.finished()
}
