//! The read-only views: what `status` and `clients` print, what `doctor` checks and what the
//! dashboard's Overview and Clients tabs show. Local state, the cached document and the
//! ledger only: no network, no writes.

use std::path::PathBuf;

use serde::Serialize;

use super::org::{self, Org};
use crate::apply::transaction::current_ledger;
use crate::apply::{self, NoteKind, Prune};
use crate::auth::jwt;
use crate::clients::{self, Client};
use crate::error::Result;
use crate::layers::approval::Pending;
use crate::output::Output;
use crate::paths::Paths;
use crate::secrets::{Secret, Store, StoreKind};
use crate::state::{LoginMethod, State};

/// What is known of the org's token, without asking the org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Valid,
    Expired,
    Missing,
    /// The credential store could not be read (a locked keyring, a damaged file).
    Unreadable,
}

impl std::fmt::Display for TokenState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenState::Valid => "valid",
            TokenState::Expired => "expired",
            TokenState::Missing => "missing",
            TokenState::Unreadable => "unreadable",
        })
    }
}

/// What `status` knows about one org, read from local state only (also the dashboard's
/// overview).
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub org: String,
    pub org_name: Option<String>,
    /// The org is the remembered default.
    pub default: bool,
    pub identity: Option<String>,
    pub subject: Option<String>,
    pub token: TokenState,
    #[serde(skip)]
    pub expires_at: Option<i64>,
    pub credential_store: StoreKind,
    pub credential_location: String,
    pub login_method: LoginMethod,
    #[serde(skip)]
    pub logged_in_at: i64,
    #[serde(skip)]
    pub last_sync: Option<i64>,
    pub clients: Vec<ClientStatus>,
    /// Local servers whose new or changed program waits for the user's approval, as the last
    /// fetched document and the layers have them.
    pub pending_approval: Vec<Pending>,
    /// Why the credential store could not be read.
    #[serde(skip)]
    pub store_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientStatus {
    pub id: &'static str,
    pub name: &'static str,
    pub installed: bool,
    pub configured: bool,
}

/// The org's status, or `Err(org)` when not logged in (with the org asked for, if any). The
/// token, when read, is passed to `seen` so that callers can keep it out of what they print.
pub fn status(
    paths: &Paths,
    given: Option<&str>,
    seen: &mut dyn FnMut(&Secret),
) -> Result<Result<Status, Option<String>>> {
    let state = State::load(paths)?;
    let org = match state.resolve_org(given) {
        Ok(org) if state.orgs.contains_key(&org) => org,
        other => return Ok(Err(other.ok())),
    };
    let org_state = state.org(&org)?;
    let store = Store::open(org_state.credential_store, paths);
    let now = crate::now_unix();
    let mut store_error = None;
    let (token, claims) = match store.get(&org) {
        Ok(Some(cred)) => {
            seen(&cred.token);
            let claims = jwt::claims(cred.token.expose());
            let expired = claims
                .as_ref()
                .and_then(|c| c.exp)
                .is_some_and(|e| e <= now);
            let state = if expired {
                TokenState::Expired
            } else {
                TokenState::Valid
            };
            (state, claims)
        }
        Ok(None) => (TokenState::Missing, None),
        Err(err) => {
            store_error = Some(err.message);
            (TokenState::Unreadable, None)
        }
    };
    let pending_approval = pending_approval(paths, &state, &org);
    Ok(Ok(Status {
        pending_approval,
        org_name: org_state.name.clone(),
        default: state.default_org.as_deref() == Some(org.as_str()),
        identity: claims
            .as_ref()
            .and_then(|c| c.identity())
            .map(str::to_string),
        subject: claims.as_ref().and_then(|c| c.sub.clone()),
        token,
        expires_at: claims.as_ref().and_then(|c| c.exp),
        credential_store: org_state.credential_store,
        credential_location: store.describe(),
        login_method: org_state.login_method,
        logged_in_at: org_state.logged_in_at,
        last_sync: crate::state::synced_at(paths, &org, org_state.last_sync),
        clients: clients::ALL
            .iter()
            .map(|c| ClientStatus {
                id: c.id(),
                name: c.name(),
                installed: c.detect(paths).program.is_some(),
                configured: org_state.clients.iter().any(|id| id == c.id()),
            })
            .collect(),
        store_error,
        org,
    }))
}

/// What waits for approval, from the cached document: nothing when there is none, or when a
/// layer does not load (`sync` reports that error).
fn pending_approval(paths: &Paths, state: &State, org: &str) -> Vec<Pending> {
    let Ok(Some(opened)) = Org::cached(paths, state, org) else {
        return Vec::new();
    };
    match opened.layers(paths, None, &[]) {
        Ok(stack) => opened.pending_approval(&stack),
        Err(_) => Vec::new(),
    }
}

/// One client as `clients` reports it (and the dashboard's Clients tab shows it).
#[derive(Debug, Clone, Serialize)]
pub struct ClientRow {
    pub id: &'static str,
    pub name: &'static str,
    pub installed: bool,
    pub program: Option<PathBuf>,
    pub config_present: bool,
    pub enabled_by_org: bool,
    pub configured: bool,
    pub pending_changes: bool,
    pub drift: Vec<String>,
    pub user_entries: Vec<String>,
    pub error: Option<String>,
    pub limits: &'static str,
    /// What of the org's instructions, agents, commands and permissions this client cannot
    /// have (see [`crate::clients::artifacts`]).
    pub not_expressible: Vec<String>,
    /// What a `sync` would change, as unified diffs (credentials masked); only when asked.
    #[serde(skip)]
    pub diff: String,
}

/// Every supported client planned against the org's last fetched document and the ledger:
/// no network, no writes. `org` is the org asked for, or the remembered one.
pub fn clients(
    paths: &Paths,
    org: Option<&str>,
    with_diffs: bool,
    out: &mut Output,
) -> Result<(Option<String>, Vec<ClientRow>)> {
    let state = State::load(paths)?;
    let key = org::chosen(&state, org)?;
    let opened = match &key {
        Some(key) => Org::cached(paths, &state, key)?,
        None => None,
    };
    let org = key.as_ref();
    let ledger = current_ledger(paths)?;
    let all: Vec<&'static dyn Client> = clients::ALL.to_vec();
    let local_secret = crate::secrets::local_secret::read(paths);
    let contexts = match &opened {
        Some(opened) => {
            Some(opened.contexts(&all, None, local_secret.as_ref(), &[], paths, out)?)
        }
        None => None,
    };
    let enabled = opened.as_ref().and_then(|o| o.document.enabled_clients());

    let mut rows = Vec::new();
    let folders = apply::Folders::default();
    for (i, client) in all.iter().enumerate() {
        let detection = client.detect(paths);
        let mut row = ClientRow {
            id: client.id(),
            name: client.name(),
            installed: detection.program.is_some(),
            program: detection.program,
            config_present: detection.config_present,
            enabled_by_org: enabled
                .as_ref()
                .is_none_or(|list| list.iter().any(|id| id == client.id())),
            configured: false,
            pending_changes: false,
            drift: Vec::new(),
            user_entries: Vec::new(),
            error: None,
            limits: client.limits(),
            not_expressible: Vec::new(),
            diff: String::new(),
        };
        if let (Some(org), Some(contexts)) = (&org, &contexts) {
            row.not_expressible = client.gaps(&contexts[i]);
            for desired in client.configure(&contexts[i], paths) {
                row.configured |= !ledger.managed(&desired.path, org, client.id()).is_empty();
                match apply::plan(
                    &desired,
                    &ledger,
                    org,
                    false,
                    Prune::Unwanted,
                    paths,
                    &folders,
                ) {
                    Ok(change) => {
                        // The credential entry is refreshed on every login: not a pending change.
                        let settings = desired
                            .keys
                            .iter()
                            .any(|k| matches!(k.kind, apply::Kind::Setting | apply::Kind::Policy));
                        let pending = !change.is_noop() && settings;
                        row.pending_changes |= pending;
                        if with_diffs && pending {
                            row.diff.push_str(&out.redact(&apply::diff(&change, paths)));
                        }
                        for note in change.notes {
                            // A whole file is named by its path.
                            let key = if note.key == crate::edit::text::WHOLE_FILE {
                                paths.display(&desired.path)
                            } else {
                                note.key
                            };
                            match note.kind {
                                NoteKind::UserEntry => row.user_entries.push(key),
                                _ => row.drift.push(key),
                            }
                        }
                    }
                    Err(e) => row.error = Some(e.message),
                }
            }
        }
        rows.push(row);
    }
    Ok((key, rows))
}
