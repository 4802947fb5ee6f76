//! OpenCode keeps its native mechanism: the `wellknown` entry in its `auth.json`, exactly as
//! `opencode auth login <url>` writes it (`{"<url>": {"type": "wellknown", "key": <auth.env>,
//! "token": <token>}}`, mode 0600). On every start OpenCode then fetches the org's discovery
//! document itself, exposes the token under `key` for `{env:…}` placeholders and merges the org
//! config as its lowest layer, so the org config never needs to be copied into OpenCode's files.
//!
//! Paths: `$XDG_DATA_HOME/opencode/auth.json`, else `~/.local/share/opencode/auth.json`, on
//! every platform (OpenCode uses xdg-basedir everywhere).

use serde_json::{Map, Value};

use super::{Client, Detection, OrgContext, TOKEN_PLACEHOLDER, find_program};
use crate::apply::{FileEdit, Op};
use crate::edit::Format;
use crate::paths::Paths;

pub struct OpenCode;

fn auth_file(paths: &Paths) -> std::path::PathBuf {
    paths.xdg_data.join("opencode/auth.json")
}

impl Client for OpenCode {
    fn id(&self) -> &'static str {
        "opencode"
    }

    fn name(&self) -> &'static str {
        "OpenCode"
    }

    fn detect(&self, paths: &Paths) -> Detection {
        Detection {
            program: find_program("opencode"),
            config_present: paths.xdg_config.join("opencode").is_dir()
                || paths.xdg_data.join("opencode").is_dir(),
        }
    }

    fn configure(&self, ctx: &OrgContext, paths: &Paths) -> Vec<FileEdit> {
        // Key order as OpenCode writes it; `key` is left out when the org names no variable,
        // as JSON.stringify drops an undefined value.
        let mut entry = Map::new();
        entry.insert("type".into(), "wellknown".into());
        if let Some(env) = ctx.document.auth_env() {
            entry.insert("key".into(), env.into());
        }
        let token = ctx.token.map_or(TOKEN_PLACEHOLDER, |t| t.expose());
        entry.insert("token".into(), token.into());
        vec![FileEdit {
            client: self.id(),
            path: auth_file(paths),
            format: Format::JsonRewrite,
            sensitive: true,
            ops: vec![Op::Set {
                key: vec![ctx.org.to_string()],
                value: Value::Object(entry),
            }],
        }]
    }

    fn forget(&self, org: &str, paths: &Paths) -> Vec<FileEdit> {
        vec![FileEdit {
            client: self.id(),
            path: auth_file(paths),
            format: Format::JsonRewrite,
            sensitive: true,
            ops: vec![Op::Remove {
                key: vec![org.to_string()],
            }],
        }]
    }
}
