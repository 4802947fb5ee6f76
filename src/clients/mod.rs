//! Stage 4, translate per client. Each client module says which keys it wants in which of its
//! files for an org, and which to remove at logout; it never reads or writes files itself
//! (planning and the writer do). [`ALL`] is the table of supported clients.

pub mod artifacts;
pub mod claude_code;
pub mod codex;
pub mod crush;
pub mod environment;
pub mod mcp_only;
pub mod opencode;
pub mod pi;
pub mod translate;

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::apply::Desired;
use crate::discovery::Document;
use crate::error::{Error, Result};
use crate::layers::approval::Pending;
use crate::layers::guard::Refusal;
use crate::paths::Paths;
pub use crate::paths::find_program;
use crate::secrets::Secret;

/// What a client needs to know to configure itself for an org.
pub struct OrgContext<'a> {
    /// The org URL, normalised (the key of the org everywhere).
    pub org: &'a str,
    /// The org's name, from its document (`ai_setup.org.name`).
    pub org_name: Option<&'a str>,
    /// The variable the org's local servers read the token from (`auth.env`).
    pub auth_env: Option<&'a str>,
    /// The token, where the client's native mechanism stores one (OpenCode). `None` when
    /// planning without one (`login --dry-run`).
    pub token: Option<&'a Secret>,
    /// The machine's local secret for `ai-setup proxy` (see [`crate::proxy`]), the key of the
    /// clients whose model traffic goes through it. `None` when planning without one.
    pub local_secret: Option<&'a Secret>,
    /// The resolved configuration for this client, every layer merged (shared between the
    /// clients the org has no overlay for: an org config can be large).
    pub config: Arc<Map<String, Value>>,
    /// The texts of the org's instructions that ai-setup carries (URLs and local files).
    pub instructions: &'a [crate::discovery::instructions::Instruction],
    /// What the user's layers (user, project, env, `--set`) change on top of the org's.
    pub overrides: Arc<Map<String, Value>>,
    /// The entries this client would have used that were left out (see
    /// [`crate::layers::guard`]): `config` and `overrides` no longer hold them.
    pub refused: Vec<Refusal>,
    /// The org's local servers whose program waits for approval (see
    /// [`crate::layers::approval`]): a new one is no longer in `config` or `overrides`.
    pub pending: Vec<Pending>,
}

impl OrgContext<'_> {
    /// The local secret, or [`TOKEN_PLACEHOLDER`] when planning without one.
    pub fn local_secret_or_placeholder(&self) -> &str {
        self.local_secret.map_or(TOKEN_PLACEHOLDER, |s| s.expose())
    }
}

/// The placeholder shown instead of a token that was not obtained (dry runs).
pub const TOKEN_PLACEHOLDER: &str = "<token>";

#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    /// The client's program, when found on PATH.
    pub program: Option<PathBuf>,
    /// The client's configuration directory exists.
    pub config_present: bool,
}

impl Detection {
    pub fn detected(&self) -> bool {
        self.program.is_some() || self.config_present
    }
}

pub trait Client: Sync {
    /// The id used in `--clients` and the org's `ai_setup.clients`.
    fn id(&self) -> &'static str;
    fn name(&self) -> &'static str;
    /// What cannot be configured in this client's files, and why.
    fn limits(&self) -> &'static str;
    /// Whether this client can use the org's models of `provider` (the API it speaks).
    fn serves_models_of(&self, _provider: &str) -> bool {
        false
    }
    /// Whether this client reaches the org's models through `ai-setup proxy`, which must then
    /// be running (see [`crate::proxy::ensure_running`]).
    fn uses_proxy(&self) -> bool {
        false
    }
    /// Whether this client loads the org's whole configuration itself (OpenCode's
    /// `wellknown`), so that every entry of it reaches the client.
    fn takes_whole_config(&self) -> bool {
        false
    }
    fn detect(&self, paths: &Paths) -> Detection;
    /// Where the client keeps the org's instructions, agents, commands and permissions
    /// (see [`artifacts`]); `None`: it has none of these that a file can set.
    fn prose(&self) -> Option<&'static artifacts::Prose> {
        None
    }
    /// What of the org's instructions, agents, commands and permissions this client cannot
    /// have, one sentence each (none for a client that loads the whole configuration).
    fn gaps(&self, ctx: &OrgContext) -> Vec<String> {
        if self.takes_whole_config() {
            return Vec::new();
        }
        artifacts::gaps(self.prose().unwrap_or(&artifacts::NONE), ctx)
    }
    /// The entries of this client's files that hold the token itself (OpenCode's auth.json),
    /// rewritten whenever the token is renewed.
    fn credential_entries(
        &self,
        _org: &str,
        _auth_env: Option<&str>,
        _token: &str,
        _paths: &Paths,
    ) -> Vec<Desired> {
        Vec::new()
    }
    /// The keys this client wants, per file, for the org. Keys it managed before and no
    /// longer lists are pruned; logout removes them through the ledger.
    fn configure(&self, ctx: &OrgContext, paths: &Paths) -> Vec<Desired>;
    /// The files `configure` chooses by what exists (OpenCode's config is whichever of its
    /// names exists): part of what a sync is planned from.
    fn chosen_files(&self, _paths: &Paths) -> Vec<PathBuf> {
        Vec::new()
    }
}

pub static ALL: &[&dyn Client] = &[
    &opencode::OPENCODE,
    &claude_code::ClaudeCode,
    &codex::Codex,
    &mcp_only::GEMINI,
    &mcp_only::WINDSURF,
    &mcp_only::CURSOR,
    &mcp_only::VSCODE,
    &mcp_only::ZED,
    &mcp_only::CLAUDE_DESKTOP,
    &mcp_only::CLINE,
    &mcp_only::GOOSE,
    &mcp_only::CONTINUE,
    &mcp_only::QWEN,
    &mcp_only::COPILOT,
    &pi::Pi,
    &opencode::KILO,
    &mcp_only::DROID,
    &crush::Crush,
];

pub fn by_id(id: &str) -> Option<&'static dyn Client> {
    ALL.iter().copied().find(|c| c.id() == id)
}

/// `--clients installed`: the default, said out loud (it ends a list given before).
pub const INSTALLED: &str = "installed";

/// Which clients a command works on. `None` (no `--clients`) or `installed`: the clients the
/// org enables that are installed here. `all`: every supported client the org enables,
/// installed or not. A list: exactly those.
pub fn select(
    requested: Option<&str>,
    document: &Document,
    paths: &Paths,
) -> Result<Vec<&'static dyn Client>> {
    let enabled = document.enabled_clients();
    let org_enables = |c: &&dyn Client| {
        enabled
            .as_ref()
            .is_none_or(|list| list.iter().any(|id| id == c.id()))
    };
    match requested {
        None | Some(INSTALLED) => Ok(ALL
            .iter()
            .copied()
            .filter(org_enables)
            .filter(|c| c.detect(paths).detected())
            .collect()),
        Some("all") => Ok(ALL.iter().copied().filter(org_enables).collect()),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|id| {
                by_id(id).ok_or_else(|| {
                    Error::usage(format!("unknown client '{id}'")).hint(format!(
                        "supported clients: {}",
                        ALL.iter().map(|c| c.id()).collect::<Vec<_>>().join(", ")
                    ))
                })
            })
            .collect(),
    }
}
