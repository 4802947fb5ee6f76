//! Opening an org, once: its key and URL, what local state knows of it, its discovery
//! document (fetched now or cached at the last login or sync) and its layer stack, with the
//! org's per-client overlays as layers (as jj's `ConfigEnv` opens a workspace's config). No
//! caller reads the cache or loads layers by itself.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Map, Value};
use url::Url;

use crate::clients::{self, Client, OrgContext};
use crate::discovery::instructions::{self, Instruction};
use crate::discovery::{self, Document};
use crate::error::{Error, Result};
use crate::http::{org_key, parse_org_url};
use crate::layers::approval::{self, Pending};
use crate::layers::guard::{self, Refusal};
use crate::layers::schema;
use crate::layers::{self, LoadOptions, Source, Stack};
use crate::output::Output;
use crate::paths::Paths;
use crate::secrets::Secret;
use crate::state::{Pinned, State};

/// An org with its document.
#[derive(Clone)]
pub struct Org {
    /// The normalised org URL, the org's key everywhere.
    pub key: String,
    pub url: Url,
    /// The org's name, or its URL.
    pub name: String,
    pub document: Arc<Document>,
    /// When the document was fetched.
    pub fetched_at: i64,
    /// The clients ai-setup configured for this org (none before the first login).
    pub clients: Vec<&'static dyn Client>,
    /// The local servers the user approved for this org (see [`crate::layers::approval`]).
    pub approved: BTreeMap<String, Pinned>,
    /// The texts of the org's instructions (see [`crate::discovery::instructions`]).
    pub instructions: Arc<Vec<Instruction>>,
}

/// Which org a command means: the one `given`, else the remembered default. `None` when
/// neither is known.
pub fn chosen(state: &State, given: Option<&str>) -> Result<Option<String>> {
    match (given, &state.default_org) {
        (Some(given), _) => Ok(Some(org_key(&parse_org_url(given)?))),
        (None, default) => Ok(default.clone()),
    }
}

/// Not logged in, or logged in but the document is gone: the same error, exit code and fix
/// from every command.
fn no_document(key: &str) -> Error {
    Error::auth(format!("no configuration of {key} is stored here"))
        .hint(format!("run `ai-setup sync {key}` to fetch it"))
}

impl Org {
    /// `given` or the default org, logged in, with its cached document.
    pub fn open(paths: &Paths, given: Option<&str>) -> Result<Org> {
        let state = State::load(paths)?;
        let key = state.resolve_org(given)?;
        state.org(&key)?;
        Self::cached(paths, &state, &key)?.ok_or_else(|| no_document(&key))
    }

    /// `key` with the document cached for it, or `None` when none was ever fetched. It need
    /// not be logged in (`config` shows the layers of any org fetched before).
    pub fn cached(paths: &Paths, state: &State, key: &str) -> Result<Option<Org>> {
        let url = parse_org_url(key)?;
        Ok(
            discovery::cached(paths, &url).map(|(document, fetched_at)| Org {
                fetched_at,
                instructions: Arc::new(instructions::cached(paths, &url, &document).texts),
                ..Org::with(state, url, document)
            }),
        )
    }

    /// The org at `url` with a document just fetched (login, sync).
    pub fn with(state: &State, url: Url, document: Arc<Document>) -> Org {
        let key = org_key(&url);
        let known = state.orgs.get(&key);
        Org {
            name: known
                .and_then(|o| o.name.clone())
                .or_else(|| document.org_name().map(str::to_string))
                .unwrap_or_else(|| key.clone()),
            clients: known.map_or_else(Vec::new, |o| {
                clients::ALL
                    .iter()
                    .copied()
                    .filter(|c| o.clients.iter().any(|id| id == c.id()))
                    .collect()
            }),
            approved: state.approved(&key).cloned().unwrap_or_default(),
            key,
            url,
            document,
            fetched_at: crate::now_unix(),
            instructions: Arc::default(),
        }
    }

    /// The layer stack: the org's document, its overlay for `client`, the user's files and
    /// the project's, and `sets` (`--set`) on top.
    pub fn layers(&self, paths: &Paths, client: Option<&str>, sets: &[String]) -> Result<Stack> {
        layers(paths, Some(self), client, sets)
    }

    /// The resolved configuration, as clients without an overlay get it.
    pub fn config(&self, paths: &Paths) -> Result<Map<String, Value>> {
        Ok(self.layers(paths, None, &[])?.into_resolved())
    }

    /// The local servers of `stack` whose program differs from what the user approved for this
    /// org (see [`approval`]).
    pub fn pending_approval(&self, stack: &Stack) -> Vec<Pending> {
        approval::pending(&approval::executables(stack), Some(&self.approved))
    }

    /// The resolved configuration of `base` and what the user's layers change on top of the
    /// org's (the overlay sits below the user's layers, so that is the same for every client),
    /// checked against OpenCode's schema before anything is left out or translated. The stack
    /// is loaded again only to name the layer of a wrong value.
    fn checked(
        &self,
        base: Stack,
        paths: &Paths,
        sets: &[String],
    ) -> Result<(Map<String, Value>, Map<String, Value>)> {
        let overrides = Value::Object(base.resolve_above(Source::OrgClient));
        let resolved = Value::Object(base.into_resolved());
        if !(schema::problems(&resolved).is_empty() && schema::problems(&overrides).is_empty()) {
            schema::check(&self.layers(paths, None, sets)?, &resolved, &overrides)?;
        }
        match (resolved, overrides) {
            (Value::Object(resolved), Value::Object(overrides)) => Ok((resolved, overrides)),
            _ => unreachable!("made from objects"),
        }
    }

    /// Each client's view of the org: its layer stack resolved (the org's overlay for that
    /// client included) and what the user's layers change on top. Clients without an overlay
    /// share one resolution. Warns once about ignored layers. Entries the guard refuses and
    /// local servers never approved are left out.
    pub fn contexts<'a>(
        &'a self,
        clients: &[&'static dyn Client],
        token: Option<&'a Secret>,
        local_secret: Option<&'a Secret>,
        sets: &[String],
        paths: &Paths,
        out: &mut Output,
    ) -> Result<Vec<OrgContext<'a>>> {
        let base = self.layers(paths, None, sets)?;
        for ignored in base.ignored() {
            out.warn(&ignored.describe());
        }
        let auth_env = self.document.auth_env();
        let grants = base.grants().clone();
        let guarded = |mut config: Map<String, Value>| {
            let refused = guard::check(&config, auth_env, &grants);
            guard::remove(&mut config, &refused);
            (Arc::new(config), refused)
        };
        let pending = self.pending_approval(&base);
        let (mut resolved, mut overrides) = self.checked(base, paths, sets)?;
        approval::leave_out_new(&mut resolved, &pending);
        approval::leave_out_new(&mut overrides, &pending);
        let shared = guarded(resolved);
        guard::remove(&mut overrides, &shared.1);
        // A refused server is left out whatever its approval.
        let refused = |name: &str| shared.1.iter().any(|r| r.entry == format!("mcp.{name}"));
        let pending: Vec<Pending> = pending
            .iter()
            .filter(|p| !refused(&p.name))
            .cloned()
            .collect();
        let overrides = Arc::new(overrides);
        clients
            .iter()
            .map(|client| {
                let (config, refused) = match self.document.client_overlay(client.id()) {
                    Some(_) => {
                        let mut config =
                            self.layers(paths, Some(client.id()), sets)?.into_resolved();
                        approval::leave_out_new(&mut config, &pending);
                        guarded(config)
                    }
                    None => shared.clone(),
                };
                Ok(OrgContext {
                    org: &self.key,
                    org_name: self.document.org_name(),
                    auth_env,
                    token,
                    local_secret,
                    config,
                    instructions: &self.instructions,
                    overrides: overrides.clone(),
                    refused: refused
                        .iter()
                        .filter(|r| concerns(r, *client))
                        .map(|r| for_client(r, *client))
                        .collect(),
                    pending: pending.iter().map(|p| pending_for(p, *client)).collect(),
                })
            })
            .collect()
    }
}

/// Whether `client` would have used the refused entry: a provider's entry matters to clients
/// that speak its API, a server's to every client, anything else to clients that take the
/// whole configuration (OpenCode).
fn concerns(refusal: &Refusal, client: &dyn Client) -> bool {
    match refusal.entry.split_once('.') {
        Some(("provider", name)) => client.takes_whole_config() || client.serves_models_of(name),
        Some(("mcp", _)) => true,
        _ => client.takes_whole_config(),
    }
}

/// `refusal` as `client` reports it: a client that loads the org's configuration itself
/// cannot be given it without the entry, so it is left without the org's credential.
fn for_client(refusal: &Refusal, client: &dyn Client) -> Refusal {
    let mut refusal = refusal.clone();
    if client.takes_whole_config() {
        refusal.reason.push_str(&format!(
            "; {} loads the org's configuration itself, so it is not connected to the org \
             until the entry is fixed or granted",
            client.name()
        ));
    }
    refusal
}

/// `pending` as `client` reports it (see [`for_client`]).
fn pending_for(pending: &Pending, client: &dyn Client) -> Pending {
    let mut pending = pending.clone();
    if client.takes_whole_config() {
        pending.note = Some(format!(
            "{} loads the org's configuration itself, so it is not connected to the org \
             until you approve or the org reverts it",
            client.name()
        ));
    }
    pending
}

/// The layer stack of `org` (or the user's and project's layers alone, with no org).
pub fn layers(
    paths: &Paths,
    org: Option<&Org>,
    client: Option<&str>,
    sets: &[String],
) -> Result<Stack> {
    layers::load(
        paths,
        &LoadOptions {
            document: org.map(|o| &*o.document),
            org: org.map(|o| o.key.as_str()),
            client,
            cwd: &working_dir()?,
            sets,
        },
    )
}

pub fn working_dir() -> Result<PathBuf> {
    std::env::current_dir().map_err(|e| Error::failure(format!("no working directory: {e}")))
}
