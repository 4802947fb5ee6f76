//! OpenAI Codex CLI, `~/.codex/config.toml`: a model provider for the org, selected with
//! `model_provider`, whose bearer token comes from `ai-setup token` through Codex's
//! command-backed `auth`; `model`; and the org's MCP servers as `[mcp_servers.NAME]`.
//!
//! The provider id is the org's name as a slug (`demo-corp`), never one of Codex's built-in
//! ids. Codex speaks only the OpenAI Responses API (`wire_api = "responses"`), at the org's
//! `openai` provider `baseURL` (which includes `/v1`).

use serde_json::json;

use super::artifacts::{
    self, Entry, Files, Permissions, Prose, Rules, Translated, frontmatter, yaml_string,
};
use super::translate::{base_url, mcp_entries, model_for, plain_entry, slug, token_command};
use super::{Client, Detection, OrgContext, find_program};
use crate::apply::{Desired, Managed};
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
        render: skill,
    }),
    permissions: Some(permissions),
};

fn agent(entry: &Entry) -> Result<String, String> {
    let prompt = entry.text("prompt").ok_or("it has no prompt")?;
    if prompt.trim_start().starts_with("{file:") {
        return Err("its prompt is a file reference, which ai-setup does not carry".into());
    }
    if entry
        .value
        .get("tools")
        .and_then(|t| t.as_object())
        .is_some_and(|t| t.values().any(|on| on == &serde_json::Value::Bool(false)))
    {
        return Err("it switches tools off, which a Codex role cannot".into());
    }
    let mut doc = toml_edit::DocumentMut::new();
    doc["name"] = toml_edit::value(entry.name);
    doc["description"] = toml_edit::value(
        entry
            .text("description")
            .map_or_else(|| format!("The org's {} agent", entry.name), str::to_string),
    );
    doc["developer_instructions"] = toml_edit::value(prompt);
    Ok(doc.to_string())
}

/// A command as a skill: the arguments are the rest of the user's message, so `$ARGUMENTS`
/// says so in words; positional arguments cannot be told apart.
fn skill(entry: &Entry) -> Result<String, String> {
    let template = entry.text("template").ok_or("it has no template")?;
    if (1..=9).any(|n| template.contains(&format!("${n}"))) {
        return Err(
            "it uses positional arguments ($1 …), which a Codex skill does not have".into(),
        );
    }
    let body = template.replace(
        "$ARGUMENTS",
        &format!("(the text given after ${})", entry.name),
    );
    let description = entry.text("description").map_or_else(
        || format!("The org's {} command", entry.name),
        str::to_string,
    );
    Ok(frontmatter(
        &[
            ("name", entry.name.to_string()),
            ("description", yaml_string(&description)),
        ],
        &body,
    ))
}

/// Codex can switch its shell off (`[features] shell_tool = false`), ask before anything
/// that would write (`approval_policy = "on-request"` in a read-only sandbox; it refuses
/// `"untrusted"`) and keep
/// commands and edits out of the files (`sandbox_mode = "read-only"`); it has no rules by
/// command and no web-fetch tool. Each rule gets the nearest of those that is at least as
/// strict.
fn permissions(p: &Permissions) -> Translated {
    let mut out = Translated::default();
    let (mut untrusted, mut read_only, mut shell_off) = (false, false, false);
    for rule in p.rules() {
        let tool = rule.tool;
        match (tool, rule.action) {
            ("bash" | "edit", "ask") => untrusted = true,
            ("edit", "deny") => {
                untrusted = true;
                read_only = true;
            }
            ("bash", "deny") if rule.pattern.is_none() => shell_off = true,
            ("bash", "deny") => untrusted = true,
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
        out.keys.push(Managed::setting(
            edit::path(&["features", "shell_tool"]),
            false.into(),
        ));
    }
    if untrusted {
        out.keys.push(Managed::setting(
            edit::path(&["approval_policy"]),
            "on-request".into(),
        ));
    }
    // Codex 0.169 refuses "untrusted"; asking for anything that writes is "on-request" in a
    // read-only sandbox.
    if read_only || untrusted {
        out.keys.push(Managed::setting(
            edit::path(&["sandbox_mode"]),
            "read-only".into(),
        ));
    }
    out
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
