//! Translations every client shares. The org config is in OpenCode's format; clients differ in
//! where their MCP servers live and how an entry is spelled, but none gets a token: each org
//! server becomes a stdio entry that runs ai-setup, `mcp bridge NAME` for a remote server and
//! `exec NAME` for a local one, which supply the token at run time.

use std::path::Path;

use serde_json::{Value, json};

use super::OrgContext;
use crate::apply::{Kind, Managed};
use crate::edit::{self, Step};
use crate::paths::Paths;

/// How a client spells one stdio MCP server that runs `program` with `args`: the step under
/// the client's root that addresses it, and the entry. Each client's row names its own, so a
/// new spelling touches that row alone.
pub type StdioEntry = fn(name: &str, program: &str, args: &[String]) -> (Step, Value);

/// `{command, args}` under the server's name: most clients (Gemini, Windsurf, Cursor, Claude
/// Desktop, Codex in TOML).
pub fn plain_entry(name: &str, program: &str, args: &[String]) -> (Step, Value) {
    (
        Step::Name(name.into()),
        json!({ "command": program, "args": args }),
    )
}

/// `{type: "stdio", command, args}`: Claude Code, VS Code.
pub fn typed_entry(name: &str, program: &str, args: &[String]) -> (Step, Value) {
    (
        Step::Name(name.into()),
        json!({ "type": "stdio", "command": program, "args": args }),
    )
}

/// The program clients run: this executable, by absolute path, because GUI clients do not see
/// the shell's PATH.
pub fn program() -> String {
    std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "ai-setup".into())
}

/// The command line that prints `org`'s token, for the clients' token hooks: the small helper
/// installed next to this executable (`ai-setup-token`, a fraction of the start-up cost, on
/// every model request), else `ai-setup token`.
pub fn token_command(org: &str) -> Vec<String> {
    let program = program();
    let helper = Path::new(&program)
        .with_file_name(format!("ai-setup-token{}", std::env::consts::EXE_SUFFIX));
    let mut argv = if helper.is_file() {
        vec![helper.display().to_string()]
    } else {
        vec![program, "token".into()]
    };
    argv.extend(["--org".into(), org.into()]);
    argv
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

/// One managed key per org server under `root` (e.g. `mcpServers`), spelled by `entry`.
pub fn mcp_entries(ctx: &OrgContext, root: &[&str], entry: StdioEntry) -> Vec<Managed> {
    let command = program();
    servers(ctx)
        .into_iter()
        .map(|(name, args)| {
            let (step, value) = entry(&name, &command, &args);
            let mut key = edit::path(root);
            key.push(step);
            Managed {
                key,
                value,
                kind: Kind::Setting,
            }
        })
        .collect()
}

/// The model for a client whose API is `provider`, so that no client is left asking for its
/// own built-in default, which the org may not serve:
/// 1. the resolved `model` when it names that provider (`anthropic/claude-sonnet-4-5` gives
///    `claude-sonnet-4-5`), or a bare id (the org's per-client overlay,
///    `ai_setup.clients.<id>.model`, says `claude-sonnet-4-5`);
/// 2. else the first model the org offers from that provider: the first of its `whitelist`,
///    else the first of its `models`, in the document's order;
/// 3. else none (the org offers nothing there).
pub fn model_for(ctx: &OrgContext, provider: &str) -> Option<String> {
    if let Some(model) = ctx.config.get("model").and_then(Value::as_str) {
        match model.split_once('/') {
            Some((p, id)) if p == provider => return Some(id.to_string()),
            None => return Some(model.to_string()),
            Some(_) => {}
        }
    }
    offered_models(ctx, provider).into_iter().next()
}

/// The ids of the models the org offers under `provider`: its `whitelist`, else its `models`.
pub fn offered_models(ctx: &OrgContext, provider: &str) -> Vec<String> {
    let Some(entry) = ctx.config.get("provider").and_then(|p| p.get(provider)) else {
        return Vec::new();
    };
    let listed = entry.get("whitelist").and_then(Value::as_array).map(|ids| {
        ids.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    // A whitelist with no names in it does not hide the models.
    listed.filter(|ids| !ids.is_empty()).unwrap_or_else(|| {
        entry
            .get("models")
            .and_then(Value::as_object)
            .map(|models| models.keys().cloned().collect())
            .unwrap_or_default()
    })
}

/// The org's default model as its provider and id, for the clients that are given that model
/// alone: when it is of a provider whose API they speak (Anthropic's or OpenAI's) and whose base
/// URL may carry the token.
pub fn default_model<'c>(ctx: &'c OrgContext) -> Option<(&'c str, &'c str)> {
    let model = ctx.config.get("model").and_then(Value::as_str)?;
    let (provider, id) = model.split_once('/')?;
    (matches!(provider, "anthropic" | "openai") && base_url(ctx, provider).is_some())
        .then_some((provider, id))
}

/// The base URL a client that reaches the org through `ai-setup proxy` is given for the org's
/// `provider`: the proxy's address, then the client (the org's usage per client) and the
/// provider.
pub fn proxy_base_url(paths: &Paths, client: &str, provider: &str) -> String {
    format!("http://{}/{client}/{provider}", paths.proxy_address)
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
