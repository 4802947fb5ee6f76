//! OpenCode keeps its native mechanism: the `wellknown` entry in its `auth.json`, exactly as
//! `opencode auth login <url>` writes it (`{"<url>": {"type": "wellknown", "key": <auth.env>,
//! "token": <token>}}`, mode 0600). On every start OpenCode then fetches the org's discovery
//! document itself, exposes the token under `key` for `{env:…}` placeholders and merges the org
//! config as its lowest layer, so the org config never needs to be copied into OpenCode's files.
//!
//! The user's own layers (their override files, project files, `--set`) become managed keys in
//! OpenCode's global config file, leaf by leaf, so that they win over the org's layer exactly as
//! they do for every other client, and the user's own keys in that file stay theirs.
//!
//! Paths: `$XDG_DATA_HOME/opencode/auth.json`, else `~/.local/share/opencode/auth.json`, and
//! `$XDG_CONFIG_HOME/opencode/` (else `~/.config/opencode/`) on every platform (OpenCode uses
//! xdg-basedir everywhere). The global config file is the first of `opencode.jsonc`,
//! `opencode.json`, `config.json` that exists, as OpenCode picks it when it writes; a new one is
//! `opencode.jsonc`, which OpenCode edits in place rather than re-serialising.
//!
//! Kilo Code's CLI (`@kilocode/cli` 7.7, an OpenCode fork) keeps the same mechanism under its
//! own name: `kilo auth login <url>` writes the same `wellknown` entry to
//! `~/.local/share/kilo/auth.json` (seen by running it against `ai-setup serve`), and its
//! global config is `~/.config/kilo/kilo.jsonc`. It is the same client with other paths: its
//! org gateway is native, so it is preferred over copying the org's config.

use serde_json::{Map, Value};

use super::{Client, Detection, OrgContext, TOKEN_PLACEHOLDER, find_program};
use crate::apply::{Desired, Kind, Managed};
use crate::edit::{self, Format, Step};
use crate::layers::merge::leaves;
use crate::paths::Paths;

/// OpenCode, or a fork of it that keeps OpenCode's `wellknown` mechanism under its own name.
pub struct OpenCodeLike {
    id: &'static str,
    name: &'static str,
    program: &'static str,
    /// Its folder under the XDG data and config folders.
    dir: &'static str,
    /// Its global config file's names, in the order it picks the one to write.
    config_names: &'static [&'static str],
}

pub static OPENCODE: OpenCodeLike = OpenCodeLike {
    id: "opencode",
    name: "OpenCode",
    program: "opencode",
    dir: "opencode",
    config_names: &["opencode.jsonc", "opencode.json", "config.json"],
};

pub static KILO: OpenCodeLike = OpenCodeLike {
    id: "kilo",
    name: "Kilo Code CLI",
    program: "kilo",
    dir: "kilo",
    config_names: &["kilo.jsonc", "kilo.json"],
};

impl OpenCodeLike {
    /// The `wellknown` entry of auth.json. Key order as OpenCode writes it; `key` is left out
    /// when the org names no variable, as JSON.stringify drops an undefined value.
    fn credential_entry(
        &self,
        org: &str,
        auth_env: Option<&str>,
        token: &str,
        paths: &Paths,
    ) -> Desired {
        let mut entry = Map::new();
        entry.insert("type".into(), "wellknown".into());
        if let Some(env) = auth_env {
            entry.insert("key".into(), env.into());
        }
        entry.insert("token".into(), token.into());
        Desired {
            client: self.id,
            path: self.auth_file(paths),
            format: Format::JsonRewrite,
            sensitive: true,
            keys: vec![Managed {
                key: vec![Step::from(org)],
                value: Value::Object(entry),
                kind: Kind::Credential,
            }],
        }
    }

    pub fn auth_file(&self, paths: &Paths) -> std::path::PathBuf {
        paths.xdg_data.join(self.dir).join("auth.json")
    }

    /// The global config file: the first of its names that exists, else a new one of the first.
    fn global_config_file(&self, paths: &Paths) -> std::path::PathBuf {
        let dir = paths.xdg_config.join(self.dir);
        self.config_names
            .iter()
            .map(|name| dir.join(name))
            .find(|p| p.exists())
            .unwrap_or_else(|| dir.join(self.config_names[0]))
    }
}

/// OpenCode's `auth.json`.
pub fn auth_file(paths: &Paths) -> std::path::PathBuf {
    OPENCODE.auth_file(paths)
}

impl Client for OpenCodeLike {
    fn id(&self) -> &'static str {
        self.id
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn limits(&self) -> &'static str {
        "none: it loads the org's configuration itself"
    }

    fn serves_models_of(&self, _provider: &str) -> bool {
        true
    }

    fn takes_whole_config(&self) -> bool {
        true
    }

    fn detect(&self, paths: &Paths) -> Detection {
        Detection {
            program: find_program(self.program),
            config_present: paths.xdg_config.join(self.dir).is_dir()
                || paths.xdg_data.join(self.dir).is_dir(),
        }
    }

    fn credential_entries(
        &self,
        org: &str,
        auth_env: Option<&str>,
        token: &str,
        paths: &Paths,
    ) -> Vec<Desired> {
        vec![self.credential_entry(org, auth_env, token, paths)]
    }

    fn chosen_files(&self, paths: &Paths) -> Vec<std::path::PathBuf> {
        vec![self.global_config_file(paths)]
    }

    /// OpenCode fetches the org's document itself (at every start), so an entry refused by the
    /// guard, or a local server waiting for approval, cannot be left out of what it loads: it
    /// then gets no credential for the org (the entry is removed if there was one) until that
    /// is resolved.
    fn configure(&self, ctx: &OrgContext, paths: &Paths) -> Vec<Desired> {
        let token = ctx.token.map_or(TOKEN_PLACEHOLDER, |t| t.expose());
        let overrides = leaves(&ctx.overrides)
            .into_iter()
            .map(|(key, value)| Managed::setting(edit::path(&key), value.clone()))
            .collect();
        let mut credential = self.credential_entry(ctx.org, ctx.auth_env, token, paths);
        if !ctx.refused.is_empty() || !ctx.pending.is_empty() {
            credential.keys.clear();
        }
        vec![
            credential,
            Desired {
                client: self.id(),
                path: self.global_config_file(paths),
                format: Format::Jsonc,
                sensitive: false,
                keys: overrides,
            },
        ]
    }
}
