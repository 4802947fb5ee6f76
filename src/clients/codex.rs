//! OpenAI Codex CLI, `~/.codex/config.toml`: a model provider for the org, selected with
//! `model_provider`, whose bearer token comes from `ai-setup token` through Codex's
//! command-backed `auth`; `model`; and the org's MCP servers as `[mcp_servers.NAME]`.
//!
//! The provider id is the org's name as a slug (`demo-corp`), never one of Codex's built-in
//! ids. Codex speaks only the OpenAI Responses API (`wire_api = "responses"`), at the org's
//! `openai` provider `baseURL` (which includes `/v1`).

use serde_json::json;

use super::translate::{base_url, mcp_entries, model_for, plain_entry, slug, token_command};
use super::{Client, Detection, OrgContext, find_program};
use crate::apply::{Desired, Managed};
use crate::edit;
use crate::edit::Format;
use crate::paths::Paths;

pub struct Codex;

/// Codex's own provider ids, which a config may not redefine.
const BUILT_IN: &[&str] = &["openai", "ollama", "lmstudio", "oss"];

pub fn provider_id(ctx: &OrgContext) -> String {
    let name = ctx
        .org_name
        .map(slug)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            url::Url::parse(ctx.org)
                .ok()
                .and_then(|u| u.host_str().map(slug))
                .unwrap_or_else(|| "org".into())
        });
    if BUILT_IN.contains(&name.as_str()) {
        format!("{name}-org")
    } else {
        name
    }
}

impl Client for Codex {
    fn id(&self) -> &'static str {
        "codex"
    }

    fn name(&self) -> &'static str {
        "Codex"
    }

    fn limits(&self) -> &'static str {
        "the org proxy must speak the OpenAI Responses API (Codex has no chat-completions mode)"
    }

    fn serves_models_of(&self, provider: &str) -> bool {
        provider == "openai"
    }

    fn detect(&self, paths: &Paths) -> Detection {
        Detection {
            program: find_program("codex"),
            config_present: paths.home.join(".codex").is_dir(),
        }
    }

    fn configure(&self, ctx: &OrgContext, paths: &Paths) -> Vec<Desired> {
        let mut keys = Vec::new();
        if let Some(url) = base_url(ctx, "openai") {
            let id = provider_id(ctx);
            let display = ctx.org_name.unwrap_or(ctx.org);
            let helper = token_command(ctx.org);
            keys.push(Managed::setting(
                edit::path(&["model_providers", &id]),
                json!({
                    "name": format!("{display} (ai-setup)"),
                    "base_url": url,
                    "wire_api": "responses",
                    "auth": {"command": helper[0], "args": helper[1..]},
                }),
            ));
            keys.push(Managed::setting(edit::path(&["model_provider"]), id.into()));
            if let Some(model) = model_for(ctx, "openai") {
                keys.push(Managed::setting(edit::path(&["model"]), model.into()));
            }
        }
        keys.extend(mcp_entries(ctx, &["mcp_servers"], plain_entry));
        vec![Desired {
            client: self.id(),
            path: paths.home.join(".codex/config.toml"),
            format: Format::Toml,
            sensitive: false,
            keys,
        }]
    }
}
