//! `ai-setup logout`: removes the org's credential from the store it is in and the org's token
//! from every client file that holds one (OpenCode's auth.json), and forgets the org. What
//! ai-setup wrote into other client files stays until `logout --restore` (issue #3).

use serde_json::json;

use super::configure::run_edits;
use crate::cli::LogoutArgs;
use crate::clients;
use crate::error::{ErrorKind, Result};
use crate::output::Output;
use crate::paths::Paths;
use crate::secrets::Store;
use crate::state::State;

pub fn run(args: &LogoutArgs, paths: &Paths, out: &mut Output) -> Result<u8> {
    let mut state = State::load(paths)?;
    let org = state.resolve_org(args.url.as_deref())?;
    let org_state = state.org(&org)?.clone();
    let store = Store::open(org_state.credential_store, paths);

    let reports: Vec<_> = clients::ALL
        .iter()
        .map(|c| run_edits(*c, &c.forget(&org, paths), paths, args.dry_run, out))
        .collect();
    let removed = if args.dry_run {
        false
    } else {
        let removed = store.delete(&org)?;
        state.orgs.remove(&org);
        if state.default_org.as_deref() == Some(org.as_str()) {
            state.default_org = state.orgs.keys().next().cloned();
        }
        state.save(paths)?;
        removed
    };

    let mut text = format!(
        "{} {org}\n",
        if args.dry_run {
            "Dry run: would log out of"
        } else {
            "Logged out of"
        }
    );
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
    for r in &reports {
        text.push_str(&r.human());
    }
    out.result(
        json!({
            "command": "logout",
            "dry_run": args.dry_run,
            "org": org,
            "credential_removed": removed,
            "credential_store": org_state.credential_store,
            "clients": reports,
            "default_org": state.default_org,
        }),
        &text,
    );
    Ok(if reports.iter().any(|r| r.failed()) {
        ErrorKind::Partial.exit_code()
    } else {
        0
    })
}
