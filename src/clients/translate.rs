//! Translations every client shares. The org config is in OpenCode's format; clients differ in
//! where their MCP servers live and how an entry is spelled, but none gets a token: each org
//! server becomes a stdio entry that runs ai-setup, `mcp bridge NAME` for a remote server and
//! `exec NAME` for a local one, which supply the token at run time.

use serde_json::{Map, Value, json};

use super::OrgContext;
use crate::apply::{Kind, Managed};
use crate::edit::{self, Step};

/// How a client spells a stdio MCP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdioShape {
    /// `{command, args}`: Gemini, Windsurf, Cursor, Claude Desktop, Codex (TOML).
    Plain,
    /// `{type: "stdio", command, args}`: Claude Code, VS Code.
    Typed,
    /// `{source: "custom", command, args}`: Zed (the tag older Zed requires, newer ignores).
    ZedCustom,
    /// `{command, args, disabled: false}`: Cline.
    Cline,
    /// `{type: stdio, name, cmd, args, enabled, timeout}`: Goose's extensions.
    Goose,
    /// `{name, type: stdio, command, args}`, an element of a list named by `name`: Continue.
    Continue,
}

/// The program clients run: this executable, by absolute path, because GUI clients do not see
/// the shell's PATH.
pub fn program() -> String {
    std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "ai-setup".into())
}

/// The org's enabled MCP servers, each with the ai-setup arguments that serve it.
pub fn servers(ctx: &OrgContext) -> Vec<(String, Vec<String>)> {
    let Some(mcp) = ctx.config.get("mcp").and_then(Value::as_object) else {
        return Vec::new();
    };
    mcp.iter()
        .filter(|(_, entry)| entry.get("enabled") != Some(&Value::Bool(false)))
        .filter_map(|(name, entry)| {
            let verb: &[&str] = match entry.get("type").and_then(Value::as_str)? {
                "remote" => &["mcp", "bridge"],
                "local" => &["exec"],
                _ => return None,
            };
            let mut args: Vec<String> = verb.iter().map(|s| s.to_string()).collect();
            args.extend([name.clone(), "--org".into(), ctx.org.to_string()]);
            Some((name.clone(), args))
        })
        .collect()
}

/// One managed key per org server under `root` (e.g. `mcpServers`), in `shape`.
pub fn mcp_entries(ctx: &OrgContext, root: &[&str], shape: StdioShape) -> Vec<Managed> {
    let command = program();
    servers(ctx)
        .into_iter()
        .map(|(name, args)| {
            let mut entry = Map::new();
            match shape {
                StdioShape::Typed => {
                    entry.insert("type".into(), "stdio".into());
                }
                StdioShape::ZedCustom => {
                    entry.insert("source".into(), "custom".into());
                }
                StdioShape::Goose => {
                    entry.insert("type".into(), "stdio".into());
                    entry.insert("name".into(), name.clone().into());
                }
                StdioShape::Continue => {
                    entry.insert("name".into(), name.clone().into());
                    entry.insert("type".into(), "stdio".into());
                }
                StdioShape::Plain | StdioShape::Cline => {}
            }
            let program_key = if shape == StdioShape::Goose {
                "cmd"
            } else {
                "command"
            };
            entry.insert(program_key.into(), command.clone().into());
            entry.insert("args".into(), json!(args));
            match shape {
                StdioShape::Cline => {
                    entry.insert("disabled".into(), false.into());
                }
                StdioShape::Goose => {
                    entry.insert("enabled".into(), true.into());
                    entry.insert("timeout".into(), 300.into());
                }
                _ => {}
            }
            let mut key = edit::path(root);
            key.push(match shape {
                StdioShape::Continue => Step::Element {
                    field: "name".into(),
                    value: name,
                },
                _ => Step::Name(name),
            });
            Managed {
                key,
                value: Value::Object(entry),
                kind: Kind::Setting,
            }
        })
        .collect()
}

/// The model for a client whose API is `provider`: the resolved `model` when it names that
/// provider (`anthropic/claude-sonnet-4-5` gives `claude-sonnet-4-5`), or a bare id (a
/// per-client overlay says `claude-sonnet-4-5`).
pub fn model_for(ctx: &OrgContext, provider: &str) -> Option<String> {
    let model = ctx.config.get("model")?.as_str()?;
    match model.split_once('/') {
        Some((p, id)) if p == provider => Some(id.to_string()),
        Some(_) => None,
        None => Some(model.to_string()),
    }
}

/// `provider.<id>.options.baseURL` of the resolved config.
pub fn base_url(ctx: &OrgContext, provider: &str) -> Option<String> {
    ctx.config
        .get("provider")?
        .get(provider)?
        .pointer("/options/baseURL")?
        .as_str()
        .map(str::to_string)
}

/// A name safe as a config key: `Demo Corp` becomes `demo-corp`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}
