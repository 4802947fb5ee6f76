//! ai-setup's own memory (`$XDG_STATE_HOME/ai-setup/state.json`): which orgs you logged in to,
//! which is the default, where each org's token is stored, when it was last synced, and which
//! login commands you accepted for which origin, and which local MCP server commands you
//! approved for which org (see [`crate::layers::approval`]), and which project files you
//! trusted. It never holds a token.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::secrets::StoreKind;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// The org `login`, `token`, `status` and `sync` use when no URL is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_org: Option<String>,
    #[serde(default)]
    pub orgs: BTreeMap<String, OrgState>,
    /// Origin to the login command the user accepted for it. Survives logout: consent is about
    /// trusting the command, not about holding a token.
    #[serde(default)]
    pub accepted_commands: BTreeMap<String, Vec<String>>,
    /// Org to the local MCP servers the user approved for it, by name: what `exec` runs. Like
    /// accepted commands, approvals survive logout.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approved_servers: BTreeMap<String, BTreeMap<String, Pinned>>,
    /// Project files (`.ai-setup.json[c]`) the user trusted, by absolute path, with the
    /// sha256 of the bytes they trusted (see [`crate::layers::trust`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub trusted_projects: BTreeMap<String, String>,
    /// Certificate authorities given with `login --ca-file`, trusted by every later command
    /// (the MCP bridge and the sync timer among them, which no flag reaches).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ca_files: Vec<std::path::PathBuf>,
}

/// One approved program: what runs, exactly, and its digest (what approval compares).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pinned {
    pub command: Vec<String>,
    /// The variables it gets, with the values as the configuration spells them (placeholders
    /// unfilled).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgState {
    pub credential_store: StoreKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `auth.env` of the discovery document: the variable `{env:…}` placeholders use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_env: Option<String>,
    /// How the token was obtained.
    pub login_method: LoginMethod,
    pub logged_in_at: i64,
    /// When the org was last logged in to or synced as this file says; a sync that changes
    /// nothing else leaves it, and [`synced_at`] has the later time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<i64>,
    /// Clients configured at the last login or sync.
    #[serde(default)]
    pub clients: Vec<String>,
    /// The `--clients` of the last login or sync that was given one (`installed` clears it):
    /// later runs without it, the service timer's among them, keep to it, so that a client the
    /// user asked for stays up to date where the org does not enable it by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients_requested: Option<String>,
    /// The user allowed `token` and `sync` to re-run the accepted login command when the token
    /// runs out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rerun_command: bool,
    /// Where to refresh the token, when it came from the org's OpenID provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcSession>,
}

/// How a token was obtained (`status` shows it; `sync` keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    /// The org's login command.
    Command,
    /// `--token-stdin`.
    Stdin,
    /// `--token-env VAR`.
    Env,
    /// A person signed in at the org's OpenID provider.
    Oidc,
    /// A service account.
    ClientCredentials,
    /// A CI identity token exchanged.
    TokenExchange,
}

impl std::fmt::Display for LoginMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LoginMethod::Command => "command",
            LoginMethod::Stdin => "stdin",
            LoginMethod::Env => "env",
            LoginMethod::Oidc => "oidc",
            LoginMethod::ClientCredentials => "client_credentials",
            LoginMethod::TokenExchange => "token_exchange",
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcSession {
    pub token_endpoint: String,
    pub client_id: String,
}

/// The stamp whose modification time says when `org` was last synced.
fn sync_stamp(paths: &Paths, org: &str) -> std::path::PathBuf {
    let name = crate::paths::name_for(org, 8);
    paths.state_dir.join("synced").join(name)
}

/// Notes that `org` was synced now. A stamp's time, not a field of `state.json`: a sync that
/// changed nothing then writes nothing (`state.json` is replaced atomically, with an fsync, and
/// is worth that only when it changes). Best effort: only `status` reads it.
pub fn mark_synced(paths: &Paths, org: &str) {
    let stamp = sync_stamp(paths, org);
    let touched = stamp
        .parent()
        .map_or(Ok(()), crate::write::create_private_dir)
        .map_err(|e| e.message)
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&stamp)
                .and_then(|file| file.set_modified(std::time::SystemTime::now()))
                .map_err(|e| e.to_string())
        });
    if let Err(e) = touched {
        tracing::warn!(path = %stamp.display(), error = %e, "cannot note the time of the sync");
    }
}

/// When `org` was last synced: the later of its stamp and `last_sync` in `state.json`.
pub fn synced_at(paths: &Paths, org: &str, recorded: Option<i64>) -> Option<i64> {
    let stamped = std::fs::metadata(sync_stamp(paths, org))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    stamped.max(recorded)
}

/// Removes `org`'s stamp (at logout).
pub fn forget_synced(paths: &Paths, org: &str) {
    let stamp = sync_stamp(paths, org);
    let _ = std::fs::remove_file(&stamp);
    if let Some(dir) = stamp.parent() {
        let _ = std::fs::remove_dir(dir);
    }
}

impl State {
    pub fn load(paths: &Paths) -> Result<Self> {
        let path = paths.state_file();
        match std::fs::read(&path) {
            Ok(bytes) => Self::parse(&path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(Error::io("read", &path, e)),
        }
    }

    /// The state in `bytes`, read from `path`.
    pub fn parse(path: &std::path::Path, bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| {
            Error::failure(format!("{} is damaged: {e}", path.display())).hint(format!(
                "move {} away and log in again; the clients' files are not touched until then",
                path.display()
            ))
        })
    }

    /// The state as saved. Only the apply transaction writes it, under the apply lock, on a
    /// copy it has just read: two runs never lose each other's changes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("state serialises");
        bytes.push(b'\n');
        bytes
    }

    pub fn accepted_command(&self, origin: &str) -> Option<&[String]> {
        self.accepted_commands.get(origin).map(Vec::as_slice)
    }

    pub fn accept_command(&mut self, origin: &str, argv: &[String]) {
        self.accepted_commands
            .insert(origin.to_string(), argv.to_vec());
    }

    /// The local servers approved for `org`, by name.
    pub fn approved(&self, org: &str) -> Option<&BTreeMap<String, Pinned>> {
        self.approved_servers.get(org)
    }

    pub fn approve(&mut self, org: &str, name: &str, pinned: Pinned) {
        self.approved_servers
            .entry(org.to_string())
            .or_default()
            .insert(name.to_string(), pinned);
    }

    /// The org a command without a URL means, or an error that says how to log in.
    pub fn resolve_org(&self, given: Option<&str>) -> Result<String> {
        if let Some(given) = given {
            return Ok(crate::http::org_key(&crate::http::parse_org_url(given)?));
        }
        self.default_org.clone().ok_or_else(|| {
            Error::auth("not logged in to any org")
                .hint("run `ai-setup login https://ai.example.com` with your org's address")
        })
    }

    pub fn org(&self, org: &str) -> Result<&OrgState> {
        self.orgs.get(org).ok_or_else(|| {
            Error::auth(format!("not logged in to {org}"))
                .hint(format!("run `ai-setup login {org}`"))
        })
    }
}
