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

use super::artifacts::{
    self, Entry, Files, Permissions, Prose, Rules, Translated, frontmatter, item_key, yaml_string,
};
use super::translate::{base_url, mcp_entries, model_for, token_command, typed_entry};
use super::{Client, Detection, OrgContext, find_program};
use crate::apply::{Desired, Managed};
use crate::edit;
use crate::edit::Format;
use crate::output::shell_words;
use crate::paths::Paths;

pub struct ClaudeCode;

/// Instructions in a file of ai-setup's own in `~/.claude/rules/`, which Claude Code loads
/// whole at every start like `~/.claude/CLAUDE.md`, so the user's CLAUDE.md is never touched;
/// subagents in `~/.claude/agents/NAME.md` and commands in `~/.claude/commands/NAME.md`, with
/// the frontmatter keys Claude Code 2.1.330 reads (`name`, `description`, `model`,
/// `disallowedTools`, `argument-hint`: the list of frontmatter keys in its binary, and its
/// docs); permissions as `permissions.ask` / `permissions.deny` rules in settings.json, one
/// managed item each, beside the user's own.
pub static PROSE: Prose = Prose {
    instructions: Some(Rules::Own(
        |p| p.home.join(".claude/rules"),
        ".md",
        artifacts::plain_rules,
    )),
    // AGENTS.md where a project has no CLAUDE.md (its `instructionFiles` default).
    project_files: &["CLAUDE.md", "AGENTS.md"],
    agents: Some(Files {
        dir: |p| p.home.join(".claude/agents"),
        suffix: ".md",
        render: agent,
    }),
    commands: Some(Files {
        dir: |p| p.home.join(".claude/commands"),
        suffix: ".md",
        render: command,
    }),
    permissions: Some(permissions),
};

/// OpenCode's tool names as Claude Code's (a false one is disallowed in a subagent).
fn tools(opencode: &str) -> Option<&'static [&'static str]> {
    Some(match opencode {
        "write" => &["Write"],
        "edit" | "patch" => &["Edit", "MultiEdit", "NotebookEdit"],
        "bash" => &["Bash"],
        "read" => &["Read"],
        "grep" => &["Grep"],
        "glob" => &["Glob"],
        "list" => &["LS"],
        "webfetch" => &["WebFetch"],
        "websearch" => &["WebSearch"],
        "todowrite" | "todoread" => &["TodoWrite"],
        "task" => &["Task"],
        _ => return None,
    })
}

/// A model of the org's `anthropic` provider as Claude Code names it; others are left to
/// the session's model.
fn anthropic_model(entry: &Entry) -> Option<String> {
    entry
        .text("model")?
        .strip_prefix("anthropic/")
        .map(yaml_string)
}

fn agent(entry: &Entry) -> Result<String, String> {
    let (prompt, mut fields) = entry.subagent("Claude Code")?;
    if let Some(model) = anthropic_model(entry) {
        fields.push(("model", model));
    }
    let denied = entry.tools_off("Claude Code", tools)?;
    if !denied.is_empty() {
        fields.push(("disallowedTools", denied.join(", ")));
    }
    Ok(frontmatter(&fields, prompt))
}

/// OpenCode's `$ARGUMENTS` and `$1`… are Claude Code's too.
fn command(entry: &Entry) -> Result<String, String> {
    let template = entry.text("template").ok_or("it has no template")?;
    let mut fields = Vec::new();
    if let Some(description) = entry.text("description") {
        fields.push(("description", yaml_string(description)));
    }
    if let Some(model) = anthropic_model(entry) {
        fields.push(("model", model));
    }
    Ok(frontmatter(&fields, template))
}

/// OpenCode's permission tools as Claude Code's rule names.
fn rule_tool(opencode: &str) -> Option<&'static str> {
    Some(match opencode {
        "edit" => "Edit",
        "bash" => "Bash",
        "webfetch" => "WebFetch",
        "read" => "Read",
        _ => return None,
    })
}

fn permissions(p: &Permissions) -> Translated {
    let mut out = Translated::default();
    for rule in p.rules() {
        let Some(tool) = rule_tool(rule.tool) else {
            out.gaps.push(format!(
                "permission.{}: Claude Code has no such rule; its own default applies",
                rule.tool
            ));
            continue;
        };
        let name = match rule.pattern {
            Some(pattern) => format!("{tool}({pattern})"),
            None => tool.to_string(),
        };
        let list = match rule.action {
            "ask" => "ask",
            "deny" => "deny",
            _ => {
                out.gaps.push(format!(
                    "permission.{}{}: '{}' is not written: an org may narrow what Claude Code does without asking, never widen it",
                    rule.tool,
                    rule.pattern.map(|p| format!(" '{p}'")).unwrap_or_default(),
                    rule.action
                ));
                continue;
            }
        };
        out.keys.push(Managed::setting(
            item_key(&["permissions", list], &name),
            Value::String(name),
        ));
    }
    out
}

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

    fn prose(&self) -> Option<&'static Prose> {
        Some(&PROSE)
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
        settings.extend(artifacts::permission_keys(&PROSE, ctx));
        let mut files = vec![
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
        ];
        files.extend(artifacts::desired(self.id(), &PROSE, ctx, paths));
        files
    }
}
