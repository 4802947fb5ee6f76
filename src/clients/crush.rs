//! Crush (Charm's agent; its `docs/config/README.md`). Its npm package fetches a native build
//! when installed, so no Crush runs here: this follows its documentation, and the tests run
//! what ai-setup writes with Bash itself.
//!
//! Crush is configured by Bash: `~/.config/crush/crushrc` and, user-wide, every `*.sh` of
//! `~/.config/crush/plugins/`, run in name order at start through its own interpreter, with
//! builtins such as `mcp add`, `provider add`, `model add`, `model large` and `option`. The
//! user's own crushrc overrides every plugin. So ai-setup owns one plugin per org,
//! `plugins/ai-setup-ORG.sh`, and never touches the user's crushrc:
//! - each org MCP server: `mcp add NAME --type=stdio --command=AI_SETUP --args=…` (the bridge);
//! - the org's default model (Anthropic or OpenAI) through `ai-setup proxy`: `provider add`
//!   with the proxy's base URL and, as its key, `"$(cat SECRET_FILE)"`, so the local secret is
//!   read at Crush's start from ai-setup's own 0600 file and is written in none of Crush's;
//!   `model add` and `model large` (a default only: a model the user picks is saved in their
//!   own config, which wins);
//! - the org's instructions, a file of ai-setup's own in `~/.config/crush/ai-setup/`, as an
//!   `option global-context-path`.
//!
//! Everything the org's document supplies is single-quoted for Bash, and a value no quoting
//! makes safe (a control character, a name that reads as a flag) is left out and reported,
//! so a hostile document cannot make Crush's interpreter run anything.

use std::path::PathBuf;

use super::artifacts::{self, Prose, Rules, plain_rules};
use super::translate::{default_model, program, proxy_base_url, servers};
use super::{Client, Detection, OrgContext, find_program};
use crate::apply::Desired;
use crate::paths::Paths;

pub struct Crush;

fn dir(paths: &Paths) -> PathBuf {
    paths.xdg_config.join("crush")
}

pub static PROSE: Prose = Prose {
    instructions: Some(Rules::Own(|p| dir(p).join("ai-setup"), ".md", plain_rules)),
    project_files: &["AGENTS.md", "CRUSH.md", "CLAUDE.md"],
    agents: None,
    commands: None,
    permissions: None,
};

/// `text` single-quoted for Bash, or `None` when no quoting makes it a safe word (a control
/// character, which an interpreter or a terminal may take for more than a character).
fn quoted(text: &str) -> Option<String> {
    if text.chars().any(char::is_control) {
        return None;
    }
    Some(format!("'{}'", text.replace('\'', r"'\''")))
}

/// A server name Crush's `mcp add` takes as its name: quotable, and not read as a flag.
fn plain_name(name: &str) -> Option<String> {
    (!name.is_empty() && !name.starts_with('-'))
        .then(|| quoted(name))
        .flatten()
}

/// The org's servers as `mcp add` lines, each one or why it is left out.
fn server_lines(ctx: &OrgContext) -> Vec<Result<String, String>> {
    let command = program();
    servers(ctx)
        .into_iter()
        .map(|(name, args)| {
            let args: Option<Vec<String>> = args
                .iter()
                .map(|a| quoted(a).map(|q| format!("--args={q}")))
                .collect();
            match (plain_name(&name), quoted(&command), args) {
                (Some(name), Some(command), Some(args)) => Ok(format!(
                    "mcp add {name} --type=stdio --command={command} {}",
                    args.join(" ")
                )),
                _ => Err(format!(
                    "mcp server {name:?}: its name or arguments cannot be written safely for Crush's Bash"
                )),
            }
        })
        .collect()
}

/// The org's default model for Crush: its provider type and the quoted provider id, display
/// name and `PROVIDER/MODEL`, or why it is left out.
fn model_words(ctx: &OrgContext) -> Option<Result<[String; 4], String>> {
    let (provider, model) = default_model(ctx)?;
    let id = format!("ai-setup-{}", artifacts::org_slug(ctx));
    let name = ctx
        .org_name
        .unwrap_or(ctx.org)
        .replace(char::is_control, " ");
    Some(
        match (quoted(&id), quoted(&name), quoted(&format!("{id}/{model}"))) {
            (Some(id), Some(name), Some(model)) => Ok([provider.to_string(), id, name, model]),
            _ => Err(format!(
                "model: the org's model {model:?} cannot be written safely for Crush's Bash"
            )),
        },
    )
}

/// The plugin: the org's servers and model, and its instructions' file (`rules`).
fn plugin(ctx: &OrgContext, paths: &Paths, rules: Option<&std::path::Path>) -> String {
    let mut lines = vec![
        format!(
            "# Written by ai-setup for {}: `ai-setup sync` rewrites this file, `ai-setup logout` removes it.",
            ctx.org_name
                .unwrap_or(ctx.org)
                .replace(char::is_control, " ")
        ),
        "# Your own ~/.config/crush/crushrc is read after it and wins.".to_string(),
    ];
    lines.extend(server_lines(ctx).into_iter().flatten());
    let ours = |path: &std::path::Path| quoted(&path.display().to_string());
    if let Some(Ok([provider, id, name, model])) = model_words(ctx) {
        let base = proxy_base_url(paths, "crush", &provider);
        // Its Anthropic SDK adds `/v1/messages`; an OpenAI-compatible one `/chat/completions`.
        let (kind, base) = match provider.as_str() {
            "anthropic" => ("anthropic", base),
            _ => ("openai-compat", format!("{base}/v1")),
        };
        if let (Some(base), Some(secret)) = (
            quoted(&base),
            ours(&crate::secrets::local_secret::file(paths)),
        ) {
            lines.push(format!(
                "provider add {id} --name={name} --type={kind} --base-url={base} --api-key=\"$(cat {secret})\""
            ));
            lines.push(format!("model add {model}"));
            lines.push(format!("model large {model}"));
        }
    }
    if let Some(path) = rules.and_then(ours) {
        lines.push(format!("option global-context-path {path}"));
    }
    lines.join("\n") + "\n"
}

fn plugin_path(ctx: &OrgContext, paths: &Paths) -> PathBuf {
    dir(paths)
        .join("plugins")
        .join(format!("ai-setup-{}.sh", artifacts::org_slug(ctx)))
}

impl Client for Crush {
    fn id(&self) -> &'static str {
        "crush"
    }

    fn name(&self) -> &'static str {
        "Crush"
    }

    fn limits(&self) -> &'static str {
        "written from Crush's documentation (its build cannot be installed here): a plugin of ai-setup's own per org; the org's default model through ai-setup proxy, when it is an Anthropic or OpenAI one, its key read from ai-setup's secret file at Crush's start; no agents, commands or permissions"
    }

    fn prose(&self) -> Option<&'static Prose> {
        Some(&PROSE)
    }

    fn uses_proxy(&self) -> bool {
        true
    }

    fn detect(&self, paths: &Paths) -> Detection {
        Detection {
            program: find_program("crush"),
            config_present: dir(paths).is_dir(),
        }
    }

    fn gaps(&self, ctx: &OrgContext) -> Vec<String> {
        let mut gaps = artifacts::gaps(&PROSE, ctx);
        gaps.extend(server_lines(ctx).into_iter().filter_map(Result::err));
        gaps.extend(model_words(ctx).and_then(Result::err));
        gaps
    }

    fn configure(&self, ctx: &OrgContext, paths: &Paths) -> Vec<Desired> {
        let mut files = artifacts::desired(self.id(), &PROSE, ctx, paths);
        // The instructions' file, which Crush reads because the plugin names it.
        let rules = files
            .iter()
            .map(|d| d.path.clone())
            .find(|p| p.starts_with(dir(paths).join("ai-setup")));
        let text = plugin(ctx, paths, rules.as_deref());
        files.push(artifacts::whole_file(
            self.id(),
            plugin_path(ctx, paths),
            text,
        ));
        files
    }
}
