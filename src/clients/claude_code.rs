//! Claude Code. The LLM endpoint and token helper go in `~/.claude/settings.json`
//! (`env.ANTHROPIC_BASE_URL`, `apiKeyHelper`, `model`): the file Claude Code reads settings
//! from and does not rewrite itself. MCP servers must be in `~/.claude.json` (`mcpServers`,
//! user scope), a file Claude Code rewrites all the time: ai-setup edits only its own entries,
//! and the ledger's hashes tell a rewrite that kept them from a user's edit.
//!
//! `ANTHROPIC_BASE_URL` is the org's `anthropic` provider `baseURL` without `/v1`, which Claude
//! Code appends itself. `apiKeyHelper` runs the token helper (`ai-setup-token`, see
//! [`token_command`]), which Claude Code re-runs every five minutes by default.

use serde_json::Value;

use super::translate::{base_url, mcp_entries, model_for, token_command, typed_entry};
use super::{Client, Detection, OrgContext, find_program};
use crate::apply::{Desired, Managed};
use crate::edit;
use crate::edit::Format;
use crate::output::shell_words;
use crate::paths::Paths;

pub struct ClaudeCode;

fn setting(key: &[&str], value: Value) -> Managed {
    Managed::setting(edit::path(key), value)
}

impl Client for ClaudeCode {
    fn id(&self) -> &'static str {
        "claude-code"
    }

    fn name(&self) -> &'static str {
        "Claude Code"
    }

    fn limits(&self) -> &'static str {
        "the org proxy must speak the Anthropic Messages API at ANTHROPIC_BASE_URL"
    }

    fn serves_models_of(&self, provider: &str) -> bool {
        provider == "anthropic"
    }

    fn detect(&self, paths: &Paths) -> Detection {
        Detection {
            program: find_program("claude"),
            config_present: paths.home.join(".claude").is_dir()
                || paths.home.join(".claude.json").is_file(),
        }
    }

    fn configure(&self, ctx: &OrgContext, paths: &Paths) -> Vec<Desired> {
        let mut settings = Vec::new();
        if let Some(url) = base_url(ctx, "anthropic") {
            let url = url.trim_end_matches('/');
            let url = url.strip_suffix("/v1").unwrap_or(url);
            settings.push(setting(&["env", "ANTHROPIC_BASE_URL"], url.into()));
            let helper = shell_words(&token_command(ctx.org));
            settings.push(setting(&["apiKeyHelper"], helper.into()));
        }
        if let Some(model) = model_for(ctx, "anthropic") {
            settings.push(setting(&["model"], model.into()));
        }
        vec![
            Desired {
                client: self.id(),
                path: paths.home.join(".claude/settings.json"),
                format: Format::Jsonc,
                sensitive: false,
                keys: settings,
            },
            Desired {
                client: self.id(),
                path: paths.home.join(".claude.json"),
                format: Format::Jsonc,
                sensitive: false,
                keys: mcp_entries(ctx, &["mcpServers"], typed_entry),
            },
        ]
    }
}
