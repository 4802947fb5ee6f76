//! pi (`@mariozechner/pi-coding-agent` 0.73, its `docs/models.md` and `docs/settings.md`): the
//! org's `anthropic`, `openai` and `google` providers as custom providers in
//! `~/.pi/agent/models.json`, named `ORG-PROVIDER`, each with the models the org offers, and an
//! `apiKey` of `!COMMAND`: pi runs the command at every request and uses what it prints, so the
//! token helper gives it a fresh token and no file holds one. The org's default model becomes
//! `defaultProvider`/`defaultModel` in `~/.pi/agent/settings.json`. pi has no MCP.
//!
//! Base URLs as pi's own providers have them: Anthropic's without `/v1` (its SDK adds it),
//! OpenAI's and Google's with their version.
//!
//! The org's instructions go in a block of the global `~/.pi/agent/AGENTS.md`, and its
//! commands become prompt templates, `~/.pi/agent/prompts/NAME.md`, whose `$ARGUMENTS` and `$1`
//! pi expands as OpenCode does (`docs/prompt-templates.md`). pi has no subagents and no
//! permission settings.

use serde_json::{Value, json};

use super::artifacts::{self, Entry, Files, Prose, Rules, frontmatter, yaml_string};
use super::translate::{base_url, model_for, offered_models, slug, token_command};
use super::{Client, Detection, OrgContext, find_program};
use crate::apply::{Desired, Managed};
use crate::edit::{self, Format, Step};
use crate::output::shell_words;
use crate::paths::Paths;

pub struct Pi;

pub static PROSE: Prose = Prose {
    instructions: Some(Rules::Block(|p| agent_dir(p).join("AGENTS.md"))),
    project_files: &["AGENTS.md", "CLAUDE.md"],
    agents: None,
    commands: Some(Files {
        dir: |p| agent_dir(p).join("prompts"),
        suffix: ".md",
        render: prompt_template,
    }),
    permissions: None,
};

/// A command as a prompt template: its description and its template as it is.
fn prompt_template(entry: &Entry) -> Result<String, String> {
    let template = entry.text("template").ok_or("it has no template")?;
    Ok(frontmatter(
        &[("description", yaml_string(&entry.description("command")))],
        template,
    ))
}

/// The org providers pi can speak to: their id and pi's name for their API.
const APIS: [(&str, &str); 3] = [
    ("anthropic", "anthropic-messages"),
    ("openai", "openai-responses"),
    ("google", "google-generative-ai"),
];

fn agent_dir(paths: &Paths) -> std::path::PathBuf {
    paths.home.join(".pi/agent")
}

impl Client for Pi {
    fn id(&self) -> &'static str {
        "pi"
    }

    fn name(&self) -> &'static str {
        "pi"
    }

    fn limits(&self) -> &'static str {
        "no MCP support: the org's MCP servers are not written"
    }

    fn prose(&self) -> Option<&'static Prose> {
        Some(&PROSE)
    }

    fn serves_models_of(&self, provider: &str) -> bool {
        APIS.iter().any(|(id, _)| *id == provider)
    }

    fn detect(&self, paths: &Paths) -> Detection {
        Detection {
            program: find_program("pi"),
            config_present: agent_dir(paths).is_dir(),
        }
    }

    fn configure(&self, ctx: &OrgContext, paths: &Paths) -> Vec<Desired> {
        let org = slug(ctx.org_name.unwrap_or(ctx.org));
        let key = format!("!{}", shell_words(&token_command(ctx.org)));
        let mut providers = Vec::new();
        let mut default = None;
        for (provider, api) in APIS {
            let (Some(url), models) = (base_url(ctx, provider), offered_models(ctx, provider))
            else {
                continue;
            };
            if models.is_empty() {
                continue;
            }
            let url = url.trim_end_matches('/');
            let url = match provider {
                "anthropic" => url.strip_suffix("/v1").unwrap_or(url),
                _ => url,
            };
            let name = format!("{org}-{provider}");
            if default.is_none()
                && let Some(model) = model_for(ctx, provider).filter(|m| models.contains(m))
            {
                default = Some((name.clone(), model));
            }
            let models: Vec<Value> = models.iter().map(|id| json!({ "id": id })).collect();
            providers.push(Managed::setting(
                vec![Step::from("providers"), Step::Name(name)],
                json!({ "baseUrl": url, "api": api, "apiKey": key, "models": models }),
            ));
        }
        let mut files = artifacts::desired(self.id(), &PROSE, ctx, paths);
        if providers.is_empty() {
            return files;
        }
        files.push(Desired {
            client: self.id(),
            path: agent_dir(paths).join("models.json"),
            format: Format::Jsonc,
            sensitive: false,
            keys: providers,
        });
        if let Some((provider, model)) = default {
            files.push(Desired {
                client: self.id(),
                path: agent_dir(paths).join("settings.json"),
                format: Format::Jsonc,
                sensitive: false,
                keys: vec![
                    Managed::setting(edit::path(&["defaultProvider"]), Value::String(provider)),
                    Managed::setting(edit::path(&["defaultModel"]), Value::String(model)),
                ],
            });
        }
        files
    }
}
