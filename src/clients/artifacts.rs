//! The org's prose and rules in clients that do not load the org's configuration themselves:
//! its instructions (`instructions`), subagents (`agent`), commands (`command`) and default
//! permissions (`permission`), each in the client's own mechanism.
//!
//! A client's [`Prose`] row says where each kind goes; this module turns the org config into
//! the files and keys of that row, and says what a client cannot express ([`gaps`]). The
//! rules, shared by every client:
//! - instructions are the texts of the org's instruction URLs and local files (see
//!   [`crate::discovery::instructions`]), one after the other, in one file ai-setup owns or in
//!   one block of the client's own rules file; a project's file (`AGENTS.md`) is found by
//!   clients that read it themselves, and reported for the others;
//! - an agent or command becomes one file ai-setup owns, named after it: a name that is not a
//!   plain file name (`../x`, `.hidden`, a slash) is refused and reported, never written;
//! - a user's own file with that name stays, and the report says so (the engine's user entry);
//! - permissions only ever narrow: `ask` and `deny` are written, `allow` is left to the
//!   client's default (which asks), and a rule a client cannot express gets its nearest
//!   stricter setting, reported.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::OrgContext;
use super::translate::slug;
use crate::apply::{Desired, Kind, Managed};
use crate::edit::text::WHOLE_FILE;
use crate::edit::{self, Format, Step};
use crate::paths::Paths;

/// Where one client keeps each kind of the org's prose.
pub struct Prose {
    pub instructions: Option<Rules>,
    /// The project files the client reads itself (`AGENTS.md`): an org instruction naming
    /// one of them needs nothing; one naming another file is reported.
    pub project_files: &'static [&'static str],
    pub agents: Option<Files>,
    pub commands: Option<Files>,
    /// The client's spelling of the org's `permission`.
    pub permissions: Option<fn(&Permissions) -> Translated>,
}

/// A client with none of these.
pub static NONE: Prose = Prose {
    instructions: None,
    project_files: &[],
    agents: None,
    commands: None,
    permissions: None,
};

/// Where instructions go.
pub enum Rules {
    /// A file of ai-setup's own, per org, in a folder the client loads every file of
    /// (`~/.claude/rules/`): `dir`, the name's suffix, and the file's text made from the org's
    /// name and the instructions ([`plain_rules`], or with the frontmatter the client wants).
    Own(
        fn(&Paths) -> PathBuf,
        &'static str,
        fn(&str, &str) -> String,
    ),
    /// A block, per org, in the client's own rules file (`~/.codex/AGENTS.md`).
    Block(fn(&Paths) -> PathBuf),
}

/// One file per agent or command, in `dir`, named NAME + `suffix` (`.md`, or `/SKILL.md` for
/// a folder per entry), with the text `render` gives (or why the client cannot have it).
pub struct Files {
    pub dir: fn(&Paths) -> PathBuf,
    pub suffix: &'static str,
    pub render: fn(&Entry) -> Result<String, String>,
}

/// An agent or command of the org config: its name and its OpenCode entry.
pub struct Entry<'a> {
    pub name: &'a str,
    pub value: &'a Map<String, Value>,
}

impl Entry<'_> {
    pub fn text(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(Value::as_str)
    }

    /// An agent's prompt, or why it has none ai-setup can carry.
    pub fn prompt(&self) -> Result<&str, String> {
        let prompt = self.text("prompt").ok_or("it has no prompt")?;
        if prompt.trim_start().starts_with("{file:") {
            return Err("its prompt is a file reference, which ai-setup does not carry".into());
        }
        Ok(prompt)
    }

    /// The entry's description, or one made from its name.
    pub fn description(&self, kind: &str) -> String {
        self.text("description")
            .map_or_else(|| format!("The org's {} {kind}", self.name), str::to_string)
    }

    /// A subagent's prompt, and the `name` and `description` its file begins with; or why
    /// `client`, whose agents are subagents only, cannot have it.
    pub fn subagent(&self, client: &str) -> Result<(&str, Fields), String> {
        if self.text("mode") == Some("primary") {
            return Err(format!("a primary agent: {client} has subagents only"));
        }
        let prompt = self.prompt()?;
        let fields = vec![
            ("name", self.name.to_string()),
            ("description", yaml_string(&self.description("agent"))),
        ];
        Ok((prompt, fields))
    }

    /// The client's names of the tools the org switched off for this agent (`names` maps an
    /// OpenCode tool to them), each once; or why one cannot be switched off in `client`: a
    /// tool left on there would widen the agent.
    pub fn tools_off<'t>(
        &self,
        client: &str,
        names: impl Fn(&str) -> Option<&'t [&'t str]>,
    ) -> Result<Vec<&'t str>, String> {
        let mut off: Vec<&str> = Vec::new();
        let switches = self.value.get("tools").and_then(Value::as_object);
        for (tool, _) in switches
            .into_iter()
            .flatten()
            .filter(|(_, on)| **on == Value::Bool(false))
        {
            let client_names = names(tool)
                .ok_or_else(|| format!("its tool '{tool}' cannot be switched off in {client}"))?;
            for name in client_names {
                if !off.contains(name) {
                    off.push(name);
                }
            }
        }
        Ok(off)
    }
}

/// Front matter fields, in order: name and YAML text (see [`frontmatter`]).
pub type Fields = Vec<(&'static str, String)>;

/// The org's `permission`, as OpenCode spells it: per tool (`edit`, `bash`, `webfetch`, …),
/// an action (`allow`, `ask`, `deny`) or, for `bash`, actions by command pattern.
pub struct Permissions<'a>(pub &'a Map<String, Value>);

/// One rule: the tool, the command pattern (`None`: every use) and the action.
pub struct Rule<'a> {
    pub tool: &'a str,
    pub pattern: Option<&'a str>,
    pub action: &'a str,
}

impl Permissions<'_> {
    /// Every rule, `*` patterns as rules for every use.
    pub fn rules(&self) -> Vec<Rule<'_>> {
        let mut rules = Vec::new();
        for (tool, value) in self.0 {
            match value {
                Value::String(action) => rules.push(Rule {
                    tool,
                    pattern: None,
                    action,
                }),
                Value::Object(patterns) => {
                    for (pattern, action) in patterns {
                        if let Some(action) = action.as_str() {
                            rules.push(Rule {
                                tool,
                                pattern: (pattern != "*").then_some(pattern.as_str()),
                                action,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        rules
    }
}

/// A client's keys for the org's permissions, and what it could not express.
#[derive(Default)]
pub struct Translated {
    pub keys: Vec<Managed>,
    pub gaps: Vec<String>,
}

/// Whether `name` can name a file: letters, digits, `.`, `_` and `-`, not starting with a
/// dot, at most 64 characters.
pub fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The org's entries of `section` (`agent`, `command`), in order; disabled ones left out.
fn entries<'a>(ctx: &'a OrgContext, section: &str) -> Vec<Entry<'a>> {
    let Some(map) = ctx.config.get(section).and_then(Value::as_object) else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(name, value)| Some((name, value.as_object()?)))
        .filter(|(_, value)| value.get("disable") != Some(&Value::Bool(true)))
        .map(|(name, value)| Entry { name, value })
        .collect()
}

/// The text of the org's instructions, as one document.
fn instructions_text(ctx: &OrgContext) -> Option<String> {
    if ctx.instructions.is_empty() {
        return None;
    }
    let parts: Vec<String> = ctx
        .instructions
        .iter()
        .map(|i| {
            let mut text = i.text.trim_end().to_string();
            text.push('\n');
            text
        })
        .collect();
    Some(parts.join("\n"))
}

/// The org's name as a file or block name.
pub fn org_slug(ctx: &OrgContext) -> String {
    let name = ctx.org_name.map(slug).filter(|s| !s.is_empty());
    name.unwrap_or_else(|| {
        url::Url::parse(ctx.org)
            .ok()
            .and_then(|u| u.host_str().map(slug))
            .unwrap_or_else(|| "org".into())
    })
}

/// A file ai-setup owns whole, with `text` as its content.
pub fn whole_file(client: &'static str, path: PathBuf, text: String) -> Desired {
    Desired {
        client,
        path,
        format: Format::Text,
        sensitive: false,
        keys: vec![Managed {
            key: vec![Step::from(WHOLE_FILE)],
            value: Value::String(text),
            kind: Kind::Setting,
        }],
    }
}

/// The files `prose` gives `client` for the org.
pub fn desired(
    client: &'static str,
    prose: &Prose,
    ctx: &OrgContext,
    paths: &Paths,
) -> Vec<Desired> {
    let mut out = Vec::new();
    if let (Some(rules), Some(text)) = (&prose.instructions, instructions_text(ctx)) {
        out.push(match rules {
            Rules::Own(dir, suffix, render) => {
                let org = org_slug(ctx);
                let text = render(&org, &text);
                whole_file(
                    client,
                    dir(paths).join(format!("ai-setup-{org}{suffix}")),
                    text,
                )
            }
            Rules::Block(path) => Desired {
                client,
                path: path(paths),
                format: Format::Markdown,
                sensitive: false,
                keys: vec![Managed::setting(
                    vec![Step::from(org_slug(ctx))],
                    Value::String(text),
                )],
            },
        });
    }
    for (files, section) in [(&prose.agents, "agent"), (&prose.commands, "command")] {
        let Some(files) = files else { continue };
        for entry in entries(ctx, section) {
            if !plain_name(entry.name) {
                continue;
            }
            if let Ok(text) = (files.render)(&entry) {
                let path = (files.dir)(paths).join(format!("{}{}", entry.name, files.suffix));
                out.push(whole_file(client, path, text));
            }
        }
    }
    out
}

/// The keys `prose` gives for the org's permissions.
pub fn permission_keys(prose: &Prose, ctx: &OrgContext) -> Vec<Managed> {
    let mut keys = match (prose.permissions, permissions(ctx)) {
        (Some(translate), Some(p)) => translate(&p).keys,
        _ => Vec::new(),
    };
    // Several rules can come down to the same setting.
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.key.clone()));
    keys
}

fn permissions<'a>(ctx: &'a OrgContext) -> Option<Permissions<'a>> {
    ctx.config
        .get("permission")
        .and_then(Value::as_object)
        .map(Permissions)
}

/// What of the org's instructions, agents, commands and permissions `prose` cannot give its
/// client, one sentence each.
pub fn gaps(prose: &Prose, ctx: &OrgContext) -> Vec<String> {
    let mut gaps = Vec::new();
    let listed = crate::discovery::instructions::entries(Some(&ctx.config));
    let (project, carried): (Vec<&String>, Vec<&String>) = listed
        .iter()
        .partition(|e| crate::discovery::instructions::is_project_file(e));
    if prose.instructions.is_none() && !carried.is_empty() {
        gaps.push(
            "instructions: this client has no user-level rules file ai-setup can write".into(),
        );
    }
    for name in project {
        if !prose.project_files.contains(&name.as_str()) {
            gaps.push(format!(
                "instructions '{name}': a project's file, which this client does not read"
            ));
        }
    }
    for (files, section, kind) in [
        (&prose.agents, "agent", "agents"),
        (&prose.commands, "command", "commands"),
    ] {
        let entries = entries(ctx, section);
        if entries.is_empty() {
            continue;
        }
        let Some(files) = files else {
            let names: Vec<&str> = entries.iter().map(|e| e.name).collect();
            gaps.push(format!(
                "{kind} ({}): this client has no such files ai-setup can write",
                names.join(", ")
            ));
            continue;
        };
        for entry in &entries {
            if !plain_name(entry.name) {
                gaps.push(format!(
                    "{section} {:?}: not a plain file name, so it is not written",
                    entry.name
                ));
            } else if let Err(why) = (files.render)(entry) {
                gaps.push(format!("{section} '{}': {why}", entry.name));
            }
        }
    }
    if let Some(p) = permissions(ctx) {
        match prose.permissions {
            Some(translate) => gaps.extend(translate(&p).gaps),
            None => gaps.push(
                "permission: this client's permissions cannot be set in a file; its own defaults apply"
                    .into(),
            ),
        }
    }
    gaps
}

/// The instructions as they are, for a client that reads a rules file whole.
pub fn plain_rules(_org: &str, text: &str) -> String {
    text.to_string()
}

/// A command's template for a client with no placeholders, whose user types the arguments
/// after `invocation` (`/review`, `$review`): `$ARGUMENTS` says so in words; positional
/// arguments cannot be told apart and are refused.
pub fn template_in_words(entry: &Entry, invocation: &str, client: &str) -> Result<String, String> {
    let template = entry.text("template").ok_or("it has no template")?;
    if (1..=9).any(|n| template.contains(&format!("${n}"))) {
        return Err(format!(
            "it uses positional arguments ($1 …), which {client} cannot tell apart"
        ));
    }
    Ok(template.replace(
        "$ARGUMENTS",
        &format!("(the text given after {invocation})"),
    ))
}

/// A command as an Agent Skills `SKILL.md` (`name`, `description`, the template in words),
/// run as `PREFIX` + its name.
pub fn skill(entry: &Entry, prefix: &str, client: &str) -> Result<String, String> {
    let body = template_in_words(entry, &format!("{prefix}{}", entry.name), client)?;
    Ok(frontmatter(
        &[
            ("name", entry.name.to_string()),
            ("description", yaml_string(&entry.description("command"))),
        ],
        &body,
    ))
}

/// Whether an agent switches any of its tools off (`tools: {bash: false}`).
pub fn switches_tools_off(entry: &Entry) -> bool {
    entry
        .value
        .get("tools")
        .and_then(Value::as_object)
        .is_some_and(|t| t.values().any(|on| on == &Value::Bool(false)))
}

/// A YAML frontmatter value: a JSON string, which YAML reads as the same string.
pub fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// A Markdown file with YAML frontmatter of `fields` (already quoted where needed) and `body`.
pub fn frontmatter(fields: &[(&str, String)], body: &str) -> String {
    let mut text = String::from("---\n");
    for (key, value) in fields {
        text.push_str(&format!("{key}: {value}\n"));
    }
    text.push_str("---\n\n");
    text.push_str(body.trim_end());
    text.push('\n');
    text
}

/// `path` with a string item at its end, as a key: `permissions.deny["Bash"]`.
pub fn item_key(path: &[&str], item: &str) -> Vec<Step> {
    let mut key = edit::path(path);
    key.push(Step::item(item));
    key
}
