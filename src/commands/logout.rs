//! `ai-setup logout`: removes the org's credential from the store it is in and the org's token
//! from every client file that holds one (OpenCode's auth.json), and forgets the org. With
//! `--restore` it also removes everything else ai-setup wrote for the org, found through the
//! ledger, and nothing the user wrote.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::json;

use crate::apply::ledger::Ledger;
use crate::apply::transaction::{CredentialChange, Transaction, current_ledger};
use crate::apply::{Desired, Prune};
use crate::cli::LogoutArgs;
use crate::clients;
use crate::engine::org::Org;
use crate::engine::plan::{self, Plan, Session, Wanted};
use crate::error::{Error, Finished, Result};
use crate::output::Output;
use crate::paths::Paths;
use crate::secrets::Store;
use crate::state::State;

pub fn run(args: &LogoutArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let state = State::load(paths)?;
    let org = state.resolve_org(args.url.as_deref())?;
    let org_state = state.orgs.get(&org).cloned();
    let mut txn = match args.dry_run {
        true => None,
        false => Some(Transaction::begin(paths, &mut |m| out.progress(m))?),
    };
    let mut ledger = match &txn {
        Some(txn) => txn.ledger()?.clone(),
        None => current_ledger(paths)?,
    };
    // The ledger is gone but the org was configured: rebuild what it knew of this org from
    // the clients' files first, as a sync would, so that logging out still finds them.
    if let Some(configured) = org_state.as_ref().filter(|o| !o.clients.is_empty())
        && !Ledger::path(paths).exists()
        && let Ok(opened) = Org::open(paths, Some(&org))
    {
        let chosen: Vec<&'static dyn clients::Client> = clients::ALL
            .iter()
            .copied()
            .filter(|c| configured.clients.iter().any(|id| id == c.id()))
            .collect();
        // With the stored token, so that OpenCode's `auth.json` entry is recognised (and goes).
        let token = Store::open(configured.credential_store, paths)
            .get(&org)
            .ok()
            .flatten()
            .map(|c| c.token);
        if let Some(token) = &token {
            out.secret(token);
        }
        let local_secret = crate::secrets::local_secret::read(paths);
        let contexts = opened.contexts(
            &chosen,
            token.as_ref(),
            local_secret.as_ref(),
            &[],
            paths,
            out,
        )?;
        let jobs: Vec<_> = chosen.iter().copied().zip(&contexts).collect();
        plan::adopt(
            &mut ledger,
            &plan::translate(&jobs, paths),
            &org,
            paths,
            out,
        );
        if let Some(txn) = txn.as_mut() {
            *txn.ledger_mut()? = ledger.clone();
        }
    }
    let files = ledger.files_of(&org);
    if org_state.is_none() && files.is_empty() {
        return Err(Error::auth(format!("not logged in to {org}"))
            .hint(format!("run `ai-setup login {org}`")));
    }

    // Every file the ledger says holds something of this org's, grouped by client.
    let mut by_client: BTreeMap<&'static str, Vec<Desired>> = BTreeMap::new();
    for (path, client_id, record) in files {
        let Some(client) = clients::by_id(&client_id) else {
            continue;
        };
        by_client.entry(client.id()).or_default().push(Desired {
            client: client.id(),
            path: PathBuf::from(path),
            format: record.format,
            sensitive: record.sensitive,
            keys: Vec::new(),
        });
    }
    let session = Session {
        paths,
        org: &org,
        force: false,
        dry_run: args.dry_run,
        prune: if args.restore {
            Prune::Unwanted
        } else {
            Prune::Credentials
        },
    };
    let mut plan = Plan::default();
    let wanted: Vec<Wanted> = by_client
        .into_iter()
        .map(|(id, desired)| Wanted {
            id,
            name: clients::by_id(id).map_or(id, |c| c.name()),
            desired,
            refused: Vec::new(),
            pending: Vec::new(),
            gaps: Vec::new(),
        })
        .collect();
    plan.clients(&wanted, &ledger, &session, out);

    let store = org_state
        .as_ref()
        .map(|o| Store::open(o.credential_store, paths));
    let had_credential = match &store {
        Some(store) => store.get(&org).ok().flatten().is_some(),
        None => false,
    };
    let (reports, default_org) = match txn.take() {
        Some(mut txn) => {
            txn.set_credential(CredentialChange {
                org: org.clone(),
                current: org_state.as_ref().map(|o| o.credential_store),
                new: None,
            });
            let forget = org.clone();
            txn.update_state(move |state, _| {
                state.orgs.remove(&forget);
                if state.default_org.as_deref() == Some(forget.as_str()) {
                    state.default_org = state.orgs.keys().next().cloned();
                }
            });
            let (reports, _) = plan.commit(txn, &org)?;
            crate::state::forget_synced(paths, &org);
            // The proxy's local secret goes with any logout; the next login or sync makes a
            // new one (see `crate::proxy`).
            crate::secrets::local_secret::rotate(paths)?;
            (reports, State::load(paths)?.default_org)
        }
        None => (plan.reports, state.default_org.clone()),
    };
    let removed = had_credential && !args.dry_run;

    let mut text = format!(
        "{} {org}\n",
        if args.dry_run {
            "Dry run: would log out of"
        } else {
            "Logged out of"
        }
    );
    if let Some(store) = &store {
        text.push_str(&format!(
            "  credential: {} {}\n",
            if args.dry_run {
                "would be removed from"
            } else if removed {
                "removed from"
            } else {
                "was already gone from"
            },
            store.describe()
        ));
    }
    for r in &reports {
        text.push_str(&r.human("cleaned up"));
    }
    if !args.restore {
        text.push_str(
            "  (settings ai-setup wrote stay; `ai-setup logout --restore` removes them too)\n",
        );
    }
    out.result(
        json!({
            "command": "logout",
            "dry_run": args.dry_run,
            "restore": args.restore,
            "org": org,
            "credential_removed": removed,
            "credential_store": org_state.map(|o| o.credential_store),
            "clients": reports,
            "default_org": default_org,
        }),
        &text,
    );
    Ok(Finished::partial_if(reports.iter().any(|r| r.failed())))
}
