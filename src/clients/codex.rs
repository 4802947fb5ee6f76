//! OpenAI Codex CLI, `~/.codex/config.toml`: a model provider for the org, selected with
//! `model_provider`, whose bearer token comes from `ai-setup token` through Codex's
//! command-backed `auth`; `model`; and the org's MCP servers as `[mcp_servers.NAME]`.
//!
//! The provider id is the org's name as a slug (`demo-corp`), never one of Codex's built-in
//! ids. Codex speaks only the OpenAI Responses API (`wire_api = "responses"`), at the org's
//! `openai` provider `baseURL` (which includes `/v1`).

use serde_json::json;

use super::artifacts::{self, Entry, Files, Permissions, Prose, Rules, Translated};
use super::translate::{base_url, mcp_entries, model_for, plain_entry, slug, token_command};
use super::{Client, Detection, OrgContext, find_program};
use crate::apply::{Desired, Kind, Managed};
use crate::edit;
use crate::edit::Format;
use crate::paths::Paths;

pub struct Codex;

/// Instructions in a block of `~/.codex/AGENTS.md`, Codex's global instructions file, which it
/// reads before the project's AGENTS.md (core/src/agents_md.rs in its binary); subagents as
/// `~/.codex/agents/NAME.toml` roles (`name`, `description`, `developer_instructions`);
/// commands as skills, `~/.codex/skills/NAME/SKILL.md`, since Codex 0.169 has no custom
/// prompts any more (a skill is run as `$NAME args`, and `$ARGUMENTS` is not expanded).
pub static PROSE: Prose = Prose {
    instructions: Some(Rules::Block(|p| p.home.join(".codex/AGENTS.md"))),
    project_files: &["AGENTS.md"],
    agents: Some(Files {
        dir: |p| p.home.join(".codex/agents"),
        suffix: ".toml",
        render: agent,
    }),
    commands: Some(Files {
        dir: |p| p.home.join(".codex/skills"),
        suffix: "/SKILL.md",
        render: |entry| artifacts::skill(entry, "$", "a Codex skill"),
    }),
    permissions: Some(permissions),
};

fn agent(entry: &Entry) -> Result<String, String> {
    let prompt = entry.prompt()?;
    if artifacts::switches_tools_off(entry) {
        return Err("it switches tools off, which a Codex role cannot".into());
    }
    let mut doc = toml_edit::DocumentMut::new();
    doc["name"] = toml_edit::value(entry.name);
    doc["description"] = toml_edit::value(entry.description("agent"));
    doc["developer_instructions"] = toml_edit::value(prompt);
    Ok(doc.to_string())
}

/// Codex can switch its shell off (`[features] shell_tool = false`) and keep commands and
/// edits out of the files unless the user approves (`sandbox_mode = "read-only"` with
/// `approval_policy = "on-request"`; 0.169 refuses `"untrusted"`). It has no rules by command
/// and no web-fetch tool. Each rule gets the nearest of those that is at least as strict.
fn permissions(p: &Permissions) -> Translated {
    let mut out = Translated::default();
    let (mut ask_first, mut read_only, mut shell_off) = (false, false, false);
    for rule in p.rules() {
        let tool = rule.tool;
        match (tool, rule.action) {
            ("bash" | "edit", "ask") => ask_first = true,
            ("edit", "deny") => {
                ask_first = true;
                read_only = true;
            }
            ("bash", "deny") if rule.pattern.is_none() => shell_off = true,
            ("bash", "deny") => ask_first = true,
            (_, "allow") => out.gaps.push(format!(
                "permission.{tool}{}: 'allow' is not written: an org may narrow what Codex does without asking, never widen it",
                rule.pattern.map(|p| format!(" '{p}'")).unwrap_or_default()
            )),
            ("webfetch", _) => {}
            (_, action) => out.gaps.push(format!(
                "permission.{tool} '{action}': Codex has no such setting; its own default applies"
            )),
        }
        if rule.pattern.is_some() && rule.action != "allow" {
            out.gaps.push(format!(
                "permission.{tool} '{}': Codex has no rules by command; it applies to every use",
                rule.pattern.unwrap_or_default()
            ));
        }
    }
    if shell_off {
        out.keys
            .push(policy(&["features", "shell_tool"], false.into()));
    }
    if ask_first {
        out.keys
            .push(policy(&["approval_policy"], "on-request".into()));
    }
    if read_only || ask_first {
        out.keys.push(policy(&["sandbox_mode"], "read-only".into()));
    }
    out
}

/// Codex's policies are single values a user often sets the same way (see [`Kind::Policy`]).
fn policy(key: &[&str], value: serde_json::Value) -> Managed {
    Managed {
        key: edit::path(key),
        value,
        kind: Kind::Policy,
    }
}

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

    fn prose(&self) -> Option<&'static Prose> {
        Some(&PROSE)
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
        keys.extend(artifacts::permission_keys(&PROSE, ctx));
        keys.extend(mcp_entries(ctx, &["mcp_servers"], plain_entry));
        let mut files = vec![Desired {
            client: self.id(),
            path: paths.home.join(".codex/config.toml"),
            format: Format::Toml,
            sensitive: false,
            keys,
        }];
        files.extend(artifacts::desired(self.id(), &PROSE, ctx, paths));
        files
    }
}
