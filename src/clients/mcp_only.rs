//! Clients whose one settings file takes the org's MCP servers, and whose model, where they can
//! have one, goes through `ai-setup proxy` (`proxied`), since their endpoint cannot be given a
//! token command (`limits` says how each one falls short). They differ in file, root key, the
//! spelling of a stdio entry and the few files of their own, so they are rows of one table
//! rather than modules of their own.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::artifacts::{
    self, Entry, Files, Permissions, Prose, Rules, Translated, frontmatter, item_key, plain_rules,
    template_in_words, yaml_string,
};
use super::translate::{
    StdioEntry, default_model, mcp_entries, model_for, plain_entry, typed_entry,
};
use super::{Client, Detection, OrgContext, environment, find_program};
use crate::apply::{Desired, Kind, Managed};
use crate::edit::{self, Format, Step};
use crate::paths::Paths;

pub struct McpOnly {
    pub id: &'static str,
    pub name: &'static str,
    /// The program that shows the client is installed.
    pub program: &'static str,
    /// The client's settings folder, which also shows it is installed.
    pub dir: fn(&Paths) -> PathBuf,
    /// The MCP file, relative to `dir`.
    pub file: &'static str,
    pub format: Format,
    pub root: &'static [&'static str],
    /// How the client spells a stdio server.
    pub entry: StdioEntry,
    /// Where the default model goes, and the provider whose models the client speaks.
    pub model: Option<(&'static [&'static str], &'static str)>,
    /// Where the org's instructions, agents, commands and permissions go (see
    /// [`super::artifacts`]); permission keys go in `file`.
    pub prose: Option<&'static Prose>,
    /// Keys the client requires in a file ai-setup creates (Continue's header).
    pub new_file: &'static [(&'static str, &'static str)],
    /// How the client is pointed at the org's models through `ai-setup proxy`, when it can be.
    pub proxied: Option<fn(&OrgContext, &Paths) -> Proxied>,
    /// The environment variables that point the client at the org's models, for a client
    /// that reads them from nowhere else (see [`super::environment`]); `Err` says why not.
    pub environment: Option<environment::Make>,
    pub limits: &'static str,
}

/// What pointing a client at `ai-setup proxy` takes: keys in its main file, and files of
/// its own (the environment file that holds the local secret).
#[derive(Default)]
pub struct Proxied {
    pub keys: Vec<Managed>,
    pub files: Vec<Desired>,
}

impl Client for McpOnly {
    fn id(&self) -> &'static str {
        self.id
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn limits(&self) -> &'static str {
        self.limits
    }

    fn prose(&self) -> Option<&'static Prose> {
        self.prose
    }

    fn detect(&self, paths: &Paths) -> Detection {
        Detection {
            program: find_program(self.program),
            config_present: (self.dir)(paths).is_dir(),
        }
    }

    fn configure(&self, ctx: &OrgContext, paths: &Paths) -> Vec<Desired> {
        let mut keys = mcp_entries(ctx, self.root, self.entry);
        if let Some((key, provider)) = self.model
            && let Some(model) = model_for(ctx, provider)
        {
            keys.push(Managed::setting(edit::path(key), Value::String(model)));
        }
        // Written only if ai-setup creates the file, and never pruned afterwards.
        keys.extend(self.new_file.iter().map(|(key, value)| Managed {
            key: edit::path(&[key]),
            value: Value::String(value.to_string()),
            kind: Kind::Scaffold,
        }));
        if let Some(prose) = self.prose {
            keys.extend(artifacts::permission_keys(prose, ctx));
        }
        let proxied = self.proxied.map(|p| p(ctx, paths)).unwrap_or_default();
        keys.extend(proxied.keys);
        let mut files = vec![Desired {
            client: self.id,
            path: (self.dir)(paths).join(self.file),
            format: self.format,
            sensitive: false,
            keys,
        }];
        if let Some(prose) = self.prose {
            files.extend(artifacts::desired(self.id, prose, ctx, paths));
        }
        files.extend(proxied.files);
        if let Some(Ok(vars)) = self.environment.map(|vars| vars(ctx)) {
            let block = artifacts::org_slug(ctx);
            files.extend(environment::desired(
                self.id, self.name, &block, &vars, paths,
            ));
        }
        files
    }

    fn gaps(&self, ctx: &OrgContext) -> Vec<String> {
        let mut gaps = artifacts::gaps(self.prose.unwrap_or(&artifacts::NONE), ctx);
        if let Some(Err(why)) = self.environment.map(|vars| vars(ctx)) {
            gaps.push(why);
        }
        gaps
    }

    fn chosen_files(&self, paths: &Paths) -> Vec<PathBuf> {
        match self.environment {
            Some(_) => environment::chosen_files(paths),
            None => Vec::new(),
        }
    }

    fn uses_proxy(&self) -> bool {
        self.proxied.is_some()
    }

    /// Every model the org offers of the provider a client through the proxy speaks (which
    /// leaves out Continue, given the org's default model alone).
    fn serves_models_of(&self, provider: &str) -> bool {
        self.proxied.is_some() && self.model.is_some_and(|(_, p)| p == provider)
    }
}

/// Gemini CLI 0.61 (its docs in the package, `bundle/docs/`): instructions in a block of
/// `~/.gemini/GEMINI.md`; commands as `~/.gemini/commands/NAME.toml` (`description`, `prompt`
/// with `{{args}}`, the `TomlCommandDefSchema` of its bundle); a denied tool in
/// `tools.exclude`. Its subagents are experimental and not written.
pub static GEMINI_PROSE: Prose = Prose {
    instructions: Some(Rules::Block(|p| p.home.join(".gemini/GEMINI.md"))),
    project_files: &["GEMINI.md"],
    agents: None,
    commands: Some(Files {
        dir: |p| p.home.join(".gemini/commands"),
        suffix: ".toml",
        render: gemini_command,
    }),
    permissions: Some(gemini_permissions),
};

/// `$ARGUMENTS` (and a lone `$1`) become `{{args}}`, Gemini CLI's one placeholder.
fn gemini_command(entry: &Entry) -> Result<String, String> {
    let template = entry.text("template").ok_or("it has no template")?;
    if (2..=9).any(|n| template.contains(&format!("${n}"))) {
        return Err(
            "it uses several positional arguments, and Gemini CLI has only {{args}}".into(),
        );
    }
    let prompt = template
        .replace("$ARGUMENTS", "{{args}}")
        .replace("$1", "{{args}}");
    let mut doc = toml_edit::DocumentMut::new();
    if let Some(description) = entry.text("description") {
        doc["description"] = toml_edit::value(description);
    }
    doc["prompt"] = toml_edit::value(prompt);
    Ok(doc.to_string())
}

/// Gemini CLI asks before its shell, edit and fetch tools unless the user says otherwise, so
/// `ask` needs nothing; `deny` excludes the tools.
fn gemini_permissions(p: &Permissions) -> Translated {
    let mut out = Translated::default();
    for rule in p.rules() {
        let tools: &[&str] = match rule.tool {
            "bash" => &["run_shell_command"],
            "edit" => &["replace", "write_file"],
            "webfetch" => &["web_fetch"],
            other => {
                out.gaps.push(format!(
                    "permission.{other}: Gemini CLI has no such tool setting; its own default applies"
                ));
                continue;
            }
        };
        match (rule.action, rule.pattern) {
            ("ask", _) => {}
            ("deny", pattern) => {
                if let Some(pattern) = pattern {
                    out.gaps.push(format!(
                        "permission.{} '{pattern}': Gemini CLI has no rules by command; the whole tool is excluded",
                        rule.tool
                    ));
                }
                for tool in tools {
                    out.keys.push(Managed::setting(
                        item_key(&["tools", "exclude"], tool),
                        Value::String(tool.to_string()),
                    ));
                }
            }
            (action, _) => out.gaps.push(format!(
                "permission.{}: '{action}' is not written: an org may narrow what Gemini CLI does without asking, never widen it",
                rule.tool
            )),
        }
    }
    out
}

pub static GEMINI: McpOnly = McpOnly {
    id: "gemini",
    name: "Gemini CLI",
    program: "gemini",
    dir: |p| p.home.join(".gemini"),
    file: "settings.json",
    format: Format::Jsonc,
    root: &["mcpServers"],
    entry: plain_entry,
    model: Some((&["model", "name"], "google")),
    prose: Some(&GEMINI_PROSE),
    new_file: &[],
    proxied: Some(gemini_through_proxy),
    environment: None,
    limits: "LLM endpoint through ai-setup proxy, named in ~/.gemini/.env, which Gemini CLI reads only in trusted folders, and only when no .env of a folder above the working one comes first",
};

/// Gemini CLI 0.61 takes a base URL only from `GOOGLE_GEMINI_BASE_URL` and a key only from
/// `GEMINI_API_KEY` (`createContentGeneratorConfig` and `createContentGenerator` in its
/// bundle), and reads both from `~/.gemini/.env` too (`loadEnvironment`: in a trusted folder,
/// when no folder between the working one and `/` has a `.env` of its own; a variable already
/// in the environment wins). So the org's `google` provider is reached through the proxy,
/// whose address and the local secret go in a block of that file, and the auth type is
/// `gemini-api-key`: a cached Google login would otherwise be used instead, and with no auth
/// type set it would pick `gateway`, which `gemini -p` refuses ("Invalid auth method").
/// Later lines of a dotenv file win, so a user's own `GEMINI_API_KEY` below the block still
/// does (the user's entry wins, as everywhere).
fn gemini_through_proxy(ctx: &OrgContext, paths: &Paths) -> Proxied {
    if super::translate::base_url(ctx, "google").is_none() {
        return Proxied::default();
    }
    let base_url = super::translate::proxy_base_url(paths, "gemini", "google");
    Proxied {
        // Gemini CLI's auth dialog writes this key itself: taken over, and given back at
        // logout.
        keys: vec![auth_type("gemini-api-key")],
        files: vec![secret_in_dotenv(
            "gemini",
            paths.home.join(".gemini/.env"),
            ctx,
            &[("GOOGLE_GEMINI_BASE_URL", &base_url)],
            "GEMINI_API_KEY",
        )],
    }
}

/// `security.auth.selectedType`, the auth type Gemini CLI and its fork Qwen Code keep in their
/// settings, which their own auth dialog writes: taken over (see [`Kind::Takeover`]).
fn auth_type(value: &str) -> Managed {
    Managed {
        key: edit::path(&["security", "auth", "selectedType"]),
        value: json!(value),
        kind: Kind::Takeover,
    }
}

/// A block of a client's user-level `.env` with `vars` and the local secret as `key_var`:
/// a credential entry (gone at any logout) in a file of mode 0600. The secret stays out of the
/// client's settings file, whose first bytes ai-setup can then keep for an exact restore.
fn secret_in_dotenv(
    client: &'static str,
    path: PathBuf,
    ctx: &OrgContext,
    vars: &[(&str, &str)],
    key_var: &str,
) -> Desired {
    let secret = ctx.local_secret_or_placeholder();
    let mut text: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    text.push_str(&format!("{key_var}={secret}\n"));
    Desired {
        client,
        path,
        format: Format::Dotenv,
        sensitive: true,
        keys: vec![Managed {
            key: vec![Step::from(artifacts::org_slug(ctx))],
            value: Value::String(text),
            kind: Kind::Credential,
        }],
    }
}

/// Windsurf (docs.windsurf.com, "Memories & Rules" and "Workflows"): instructions in a block
/// of `~/.codeium/windsurf/memories/global_rules.md`, its one global rules file (it truncates
/// a rules file past 6,000 characters); commands as global workflows,
/// `~/.codeium/windsurf/global_workflows/NAME.md`, run as `/NAME` with the user's text after
/// it. Its permissions live in its settings UI.
pub static WINDSURF_PROSE: Prose = Prose {
    instructions: Some(Rules::Block(|p| {
        p.home.join(".codeium/windsurf/memories/global_rules.md")
    })),
    project_files: &["AGENTS.md"],
    agents: None,
    commands: Some(Files {
        dir: |p| p.home.join(".codeium/windsurf/global_workflows"),
        suffix: ".md",
        render: |entry| {
            let body = template_in_words(entry, &format!("/{}", entry.name), "Windsurf")?;
            Ok(frontmatter(
                &[("description", yaml_string(&entry.description("command")))],
                &body,
            ))
        },
    }),
    permissions: None,
};

/// Cline (docs.cline.bot, "Rules" and "Workflows"): instructions as a file of the global rules
/// folder, `DOCUMENTS/Cline/Rules/`, all of whose Markdown files it loads; commands as global
/// workflows, `DOCUMENTS/Cline/Workflows/NAME.md`, run as `/NAME.md`. DOCUMENTS is
/// [`Paths::documents`], the folder its CLI 2.18 resolves (`getDocumentsPath` in its
/// `cli.mjs`: `xdg-user-dir DOCUMENTS` on Linux, which is home itself on a machine with no
/// `user-dirs.dirs`). Its auto-approval settings live in VS Code's storage, not in a file.
pub static CLINE_PROSE: Prose = Prose {
    instructions: Some(Rules::Own(
        |p| p.documents.join("Cline/Rules"),
        ".md",
        plain_rules,
    )),
    project_files: &["AGENTS.md", ".clinerules"],
    agents: None,
    commands: Some(Files {
        dir: |p| p.documents.join("Cline/Workflows"),
        suffix: ".md",
        render: |entry| {
            let body = template_in_words(entry, &format!("/{}.md", entry.name), "Cline")?;
            Ok(format!(
                "# {}\n\n{}\n\n{}\n",
                entry.name,
                entry.description("command"),
                body.trim_end()
            ))
        },
    }),
    permissions: None,
};

/// Continue's CLI 1.5 (`src/systemMessage.ts` and `src/util/loadMarkdownSkills.ts` in
/// `@continuedev/cli`): every Markdown file of `~/.continue/rules/` without `globs` is always
/// applied, so instructions go in one file there; commands are skills,
/// `~/.continue/skills/NAME/SKILL.md` (`name` and `description` required), run as `/NAME`.
pub static CONTINUE_PROSE: Prose = Prose {
    instructions: Some(Rules::Own(
        |p| p.home.join(".continue/rules"),
        ".md",
        |org, text| {
            frontmatter(
                &[
                    ("name", yaml_string(&format!("{org} rules"))),
                    ("alwaysApply", "true".into()),
                ],
                text,
            )
        },
    )),
    project_files: &["AGENTS.md"],
    agents: None,
    commands: Some(Files {
        dir: |p| p.home.join(".continue/skills"),
        suffix: "/SKILL.md",
        render: |entry| artifacts::skill(entry, "/", "a Continue skill"),
    }),
    permissions: None,
};

/// VS Code with GitHub Copilot (code.visualstudio.com, "Custom instructions", "Prompt files",
/// "Custom agents"): the user profile's `prompts/` folder holds instructions
/// (`*.instructions.md`, applied to every file with `applyTo: "**"`), prompt files
/// (`*.prompt.md`, run as `/NAME`, with `${input:NAME}` variables) and custom agents
/// (`*.agent.md`). Tool approvals are settings VS Code keeps per workspace.
pub static VSCODE_PROSE: Prose = Prose {
    instructions: Some(Rules::Own(
        |p| p.app_config.join("Code/User/prompts"),
        ".instructions.md",
        |org, text| {
            frontmatter(
                &[
                    (
                        "description",
                        yaml_string(&format!("The {org} org's rules")),
                    ),
                    ("applyTo", yaml_string("**")),
                ],
                text,
            )
        },
    )),
    project_files: &["AGENTS.md", ".github/copilot-instructions.md"],
    agents: Some(Files {
        dir: |p| p.app_config.join("Code/User/prompts"),
        suffix: ".agent.md",
        render: vscode_agent,
    }),
    commands: Some(Files {
        dir: |p| p.app_config.join("Code/User/prompts"),
        suffix: ".prompt.md",
        render: vscode_prompt,
    }),
    permissions: None,
};

/// A custom agent: its description and prompt. VS Code lists the tools an agent *may* use,
/// so an agent that switches some off is not written rather than given every tool.
fn vscode_agent(entry: &Entry) -> Result<String, String> {
    let prompt = entry.prompt()?;
    if artifacts::switches_tools_off(entry) {
        return Err("it switches tools off, which a VS Code agent file states only as a list of every tool it may use".into());
    }
    Ok(frontmatter(
        &[("description", yaml_string(&entry.description("agent")))],
        prompt,
    ))
}

/// A prompt file: `$ARGUMENTS` is `${input:args}` and `$1` … `$9` are `${input:arg1}` …, each
/// asked for when the prompt runs.
fn vscode_prompt(entry: &Entry) -> Result<String, String> {
    let mut body = entry
        .text("template")
        .ok_or("it has no template")?
        .replace("$ARGUMENTS", "${input:args}");
    for n in 1..=9 {
        body = body.replace(&format!("${n}"), &format!("${{input:arg{n}}}"));
    }
    Ok(frontmatter(
        &[
            ("description", yaml_string(&entry.description("command"))),
            ("agent", "agent".into()),
        ],
        &body,
    ))
}

/// Goose (its docs, "Using goosehints"): instructions in a block of the global hints file,
/// `~/.config/goose/.goosehints`. Its recipes are not commands, and its permissions are set
/// per tool by `goose configure`.
pub static GOOSE_PROSE: Prose = Prose {
    instructions: Some(Rules::Block(|p| (GOOSE.dir)(p).join(".goosehints"))),
    project_files: &[".goosehints", "AGENTS.md"],
    agents: None,
    commands: None,
    permissions: None,
};

pub static WINDSURF: McpOnly = McpOnly {
    id: "windsurf",
    name: "Windsurf",
    program: "windsurf",
    dir: |p| p.home.join(".codeium/windsurf"),
    file: "mcp_config.json",
    format: Format::Jsonc,
    root: &["mcpServers"],
    entry: plain_entry,
    model: None,
    prose: Some(&WINDSURF_PROSE),
    new_file: &[],
    proxied: None,
    environment: None,
    limits: "no custom LLM endpoint: models come from Windsurf's own service",
};

pub static CURSOR: McpOnly = McpOnly {
    id: "cursor",
    name: "Cursor",
    program: "cursor",
    dir: |p| p.home.join(".cursor"),
    file: "mcp.json",
    format: Format::Jsonc,
    root: &["mcpServers"],
    entry: plain_entry,
    model: None,
    prose: None,
    new_file: &[],
    proxied: None,
    environment: None,
    limits: "LLM endpoint and key are set in Cursor's UI only (stored in its own database)",
};

pub static VSCODE: McpOnly = McpOnly {
    id: "vscode",
    name: "VS Code",
    program: "code",
    dir: |p| p.app_config.join("Code/User"),
    file: "mcp.json",
    format: Format::Jsonc,
    root: &["servers"],
    entry: typed_entry,
    model: None,
    prose: Some(&VSCODE_PROSE),
    new_file: &[],
    proxied: None,
    environment: None,
    limits: "custom model keys live in VS Code's secret storage, which a file cannot reach",
};

pub static ZED: McpOnly = McpOnly {
    id: "zed",
    name: "Zed",
    program: "zed",
    dir: |p| {
        if cfg!(windows) {
            p.app_config.join("Zed")
        } else {
            p.xdg_config.join("zed")
        }
    },
    file: "settings.json",
    format: Format::Jsonc,
    root: &["context_servers"],
    // The tag older Zed requires and newer Zed ignores.
    entry: |name, program, args| {
        (
            Step::Name(name.into()),
            json!({ "source": "custom", "command": program, "args": args }),
        )
    },
    model: None,
    prose: None,
    new_file: &[],
    proxied: None,
    environment: None,
    limits: "LLM keys come from the OS keychain or an environment variable only",
};

pub static CLAUDE_DESKTOP: McpOnly = McpOnly {
    id: "claude-desktop",
    name: "Claude Desktop",
    program: "claude-desktop",
    dir: |p| p.app_config.join("Claude"),
    file: "claude_desktop_config.json",
    format: Format::Jsonc,
    root: &["mcpServers"],
    entry: plain_entry,
    model: None,
    prose: None,
    new_file: &[],
    proxied: None,
    environment: None,
    limits: "models come from Anthropic's service; remote servers are reached through the stdio bridge",
};

/// Cline, the VS Code extension and its CLI, which share the rules and workflows folders.
pub static CLINE: McpOnly = McpOnly {
    id: "cline",
    name: "Cline",
    program: "cline",
    dir: |p| {
        p.app_config
            .join("Code/User/globalStorage/saoudrizwan.claude-dev/settings")
    },
    file: "cline_mcp_settings.json",
    format: Format::Jsonc,
    root: &["mcpServers"],
    entry: |name, program, args| {
        (
            Step::Name(name.into()),
            json!({ "command": program, "args": args, "disabled": false }),
        )
    },
    model: None,
    prose: Some(&CLINE_PROSE),
    new_file: &[],
    proxied: Some(cline_cli),
    environment: None,
    limits: "in VS Code, the provider (base URL and key) is set in Cline's UI and kept in VS Code's storage; Cline's CLI (~/.cline) gets the org's OpenAI models through ai-setup proxy, unless its secrets.json holds an OpenAI-compatible key of your own, which is then left to you",
};

/// Cline's CLI 2.18 (`cline` on npm; its `dist/cli.mjs`) keeps its own files under `~/.cline/data`
/// (`CLINE_DIR` moves them; ai-setup writes the default place):
/// - MCP servers in `settings/cline_mcp_settings.json`, as `cline mcp add NAME -- PROGRAM ARGS`
///   writes them (`type: "stdio"`);
/// - the provider in `globalState.json` and its key in `secrets.json` (0600), as `cline auth
///   -p openai -k KEY -m MODEL -b URL` writes them: `actModeApiProvider`/`planModeApiProvider`
///   `openai` (any OpenAI-compatible endpoint, spoken as Chat Completions), the model as
///   `actModeOpenAiModelId`/`planModeOpenAiModelId`, the base URL as `openAiBaseUrl`, the key
///   as `openAiApiKey`.
///
/// The org's `openai` provider is reached through the proxy with the local secret as the key.
/// The provider, model and base URL are the user's own choice in `cline auth`, so they are taken
/// over and given back at logout. A key of the user's own in `secrets.json` is never replaced
/// (ai-setup keeps no copy of a user's key), so the CLI is then left on the user's provider.
fn cline_cli(ctx: &OrgContext, paths: &Paths) -> Proxied {
    let data = paths.home.join(".cline/data");
    let mcp = Desired {
        client: "cline",
        path: data.join("settings/cline_mcp_settings.json"),
        format: Format::Jsonc,
        sensitive: false,
        keys: mcp_entries(ctx, &["mcpServers"], typed_entry),
    };
    let secrets = data.join("secrets.json");
    let Some(model) =
        model_for(ctx, "openai").filter(|_| super::translate::base_url(ctx, "openai").is_some())
    else {
        return Proxied {
            keys: Vec::new(),
            files: vec![mcp],
        };
    };
    let take_over = |key: &str, value: Value| Managed {
        key: edit::path(&[key]),
        value,
        kind: Kind::Takeover,
    };
    // With a key of the user's own, the provider stays theirs; both files are still planned,
    // so that the report says whose key it is and a run after the user's key is gone is not
    // skipped as unchanged.
    let own_key = holds_own_key(&secrets, "openAiApiKey");
    let state = Desired {
        client: "cline",
        path: data.join("globalState.json"),
        format: Format::Jsonc,
        sensitive: false,
        keys: match own_key {
            true => Vec::new(),
            false => vec![
                take_over("actModeApiProvider", json!("openai")),
                take_over("planModeApiProvider", json!("openai")),
                take_over("actModeOpenAiModelId", json!(model)),
                take_over("planModeOpenAiModelId", json!(model)),
                take_over(
                    "openAiBaseUrl",
                    json!(super::translate::proxy_base_url(paths, "cline", "openai")),
                ),
            ],
        },
    };
    // A credential entry never replaces a value it did not write: the user's key is kept.
    let key = Desired {
        client: "cline",
        path: secrets,
        format: Format::Jsonc,
        sensitive: true,
        keys: vec![Managed {
            key: edit::path(&["openAiApiKey"]),
            value: json!(ctx.local_secret_or_placeholder()),
            kind: Kind::Credential,
        }],
    };
    Proxied {
        keys: Vec::new(),
        files: vec![mcp, state, key],
    }
}

/// Whether the JSON file at `path` holds a key of the user's own at `field`: any value but
/// ai-setup's local secret. A file that cannot be read as JSON counts as the user's.
fn holds_own_key(path: &std::path::Path, field: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    match edit::parse(Format::Jsonc, Some(&bytes)) {
        Ok(doc) => doc.get(&edit::path(&[field])).is_some_and(|v| {
            !v.as_str()
                .is_some_and(|s| s.is_empty() || s.starts_with(crate::logging::LOCAL_SECRET_PREFIX))
        }),
        Err(_) => true,
    }
}

pub static GOOSE: McpOnly = McpOnly {
    id: "goose",
    name: "Goose",
    program: "goose",
    dir: |p| {
        if cfg!(windows) {
            p.app_config.join("Block/goose/config")
        } else {
            p.xdg_config.join("goose")
        }
    },
    file: "config.yaml",
    format: Format::Yaml,
    root: &["extensions"],
    // Goose's extensions name their program `cmd` and repeat the name inside.
    entry: |name, program, args| {
        (
            Step::Name(name.into()),
            json!({
                "type": "stdio",
                "name": name,
                "cmd": program,
                "args": args,
                "enabled": true,
                "timeout": 300,
            }),
        )
    },
    model: None,
    prose: Some(&GOOSE_PROSE),
    new_file: &[],
    proxied: Some(goose_through_proxy),
    environment: None,
    limits: "models only through the proxy as a custom provider (from Goose's documentation and source: its build cannot be installed here to run it)",
};

/// Goose reads custom providers from `custom_providers/*.json` beside its config
/// (`load_custom_providers` in goose's `declarative_providers.rs`; the fields are those of
/// `DeclarativeProviderConfig` and of its documentation). ai-setup writes one per org, for the
/// org's OpenAI-compatible provider through the proxy: no key of Goose's own (`api_key_env`
/// empty, `requires_auth` false) and the local secret as a fixed `Authorization` header, which
/// Goose sends with every request. `GOOSE_PROVIDER` and `GOOSE_MODEL` in config.yaml name it;
/// they are taken over, and the user's are given back at logout. Goose takes the URL's origin
/// as the host and, with `base_path` given, exactly that path (`from_declarative_config` in
/// its `openai.rs`).
fn goose_through_proxy(ctx: &OrgContext, paths: &Paths) -> Proxied {
    let Some(model) =
        model_for(ctx, "openai").filter(|_| super::translate::base_url(ctx, "openai").is_some())
    else {
        return Proxied::default();
    };
    let id = format!("ai_setup_{}", artifacts::org_slug(ctx).replace('-', "_"));
    let base = super::translate::proxy_base_url(paths, "goose", "openai");
    let path = base.split_once("//").map_or("", |(_, rest)| {
        rest.split_once('/').map_or("", |(_, path)| path)
    });
    let context = ctx
        .config
        .get("provider")
        .and_then(|p| {
            p.get("openai")?
                .get("models")?
                .get(&model)?
                .pointer("/limit/context")
        })
        .and_then(Value::as_u64)
        .unwrap_or(128_000);
    let provider = json!({
        "name": id,
        "engine": "openai",
        "display_name": format!("{} (ai-setup)", ctx.org_name.unwrap_or(ctx.org)),
        "description": "The org's models through ai-setup's local proxy; `ai-setup logout` removes it",
        "api_key_env": "",
        "requires_auth": false,
        "base_url": format!("{base}/v1"),
        "base_path": format!("{path}/v1/chat/completions"),
        "models": [{"name": model, "context_limit": context}],
        "headers": {"Authorization": format!("Bearer {}", ctx.local_secret_or_placeholder())},
        "supports_streaming": true,
    });
    let mut file = artifacts::whole_file(
        "goose",
        (GOOSE.dir)(paths).join(format!("custom_providers/{id}.json")),
        serde_json::to_string_pretty(&provider).expect("a JSON value") + "\n",
    );
    // It holds the local secret: 0600, and never copied into a backup.
    file.sensitive = true;
    let take_over = |key: &str, value: Value| Managed {
        key: edit::path(&[key]),
        value,
        kind: Kind::Takeover,
    };
    Proxied {
        keys: vec![
            take_over("GOOSE_PROVIDER", json!(id)),
            take_over("GOOSE_MODEL", json!(model)),
        ],
        files: vec![file],
    }
}

pub static CONTINUE: McpOnly = McpOnly {
    id: "continue",
    name: "Continue",
    program: "cn",
    dir: |p| p.home.join(".continue"),
    file: "config.yaml",
    format: Format::Yaml,
    root: &["mcpServers"],
    // A list element, addressed by its `name` field.
    entry: |name, program, args| {
        (
            Step::Element {
                field: "name".into(),
                value: name.into(),
            },
            json!({ "name": name, "type": "stdio", "command": program, "args": args }),
        )
    },
    model: None,
    prose: Some(&CONTINUE_PROSE),
    new_file: &[
        ("name", "Local Config"),
        ("version", "1.0.0"),
        ("schema", "v1"),
    ],
    proxied: Some(continue_through_proxy),
    environment: None,
    limits: "the org's default model through ai-setup proxy, when it is an Anthropic or OpenAI one; its key is `${{ secrets.AI_SETUP_LOCAL_SECRET }}`, from ~/.continue/.env unless the environment has that variable",
};

/// Continue's CLI 1.5 (`@continuedev/cli`): a model is an entry of `models` (`provider`,
/// `model`, `apiBase`, `apiKey`), and an API key may be `${{ secrets.NAME }}`, which it looks up
/// in the environment, then `~/.continue/.env`, then the working folder's `.continue/.env` and
/// `.env` (`findSecretInLocalEnvFiles` in its `dist/index.js`). So the org's default model gets
/// an entry named after the org that reaches it through the proxy, and the local secret goes in
/// a block of that `.env`. Its `anthropic` and `openai` providers add the API's path to
/// `apiBase` (`messages`, `responses`), so `apiBase` ends in `/v1/`.
fn continue_through_proxy(ctx: &OrgContext, paths: &Paths) -> Proxied {
    let Some((provider, id)) = default_model(ctx) else {
        return Proxied::default();
    };
    let name = format!("{} {id}", ctx.org_name.unwrap_or(ctx.org));
    let entry = json!({
        "name": name,
        "provider": provider,
        "model": id,
        "apiBase": format!("{}/v1/", super::translate::proxy_base_url(paths, "continue", provider)),
        "apiKey": "${{ secrets.AI_SETUP_LOCAL_SECRET }}",
    });
    let key = vec![
        Step::from("models"),
        Step::Element {
            field: "name".into(),
            value: name,
        },
    ];
    Proxied {
        keys: vec![Managed::setting(key, entry)],
        files: vec![secret_in_dotenv(
            "continue",
            paths.home.join(".continue/.env"),
            ctx,
            &[],
            "AI_SETUP_LOCAL_SECRET",
        )],
    }
}

/// Qwen Code 0.15 (`@qwen-code/qwen-code`, a Gemini CLI fork; its `cli.js`): MCP servers in
/// `~/.qwen/settings.json` as `qwen mcp add` writes them; instructions in a block of the global
/// `~/.qwen/QWEN.md` (its `DEFAULT_CONTEXT_FILENAME`); commands as Gemini CLI's TOML
/// (`TomlCommandDefSchema`: `prompt`, `description`, `{{args}}`) in `~/.qwen/commands/`.
pub static QWEN_PROSE: Prose = Prose {
    instructions: Some(Rules::Block(|p| p.home.join(".qwen/QWEN.md"))),
    project_files: &["QWEN.md"],
    agents: None,
    commands: Some(Files {
        dir: |p| p.home.join(".qwen/commands"),
        suffix: ".toml",
        render: gemini_command,
    }),
    permissions: None,
};

pub static QWEN: McpOnly = McpOnly {
    id: "qwen",
    name: "Qwen Code",
    program: "qwen",
    dir: |p| p.home.join(".qwen"),
    file: "settings.json",
    format: Format::Jsonc,
    root: &["mcpServers"],
    entry: plain_entry,
    model: Some((&["model", "name"], "openai")),
    prose: Some(&QWEN_PROSE),
    new_file: &[],
    proxied: Some(qwen_through_proxy),
    environment: None,
    limits: "LLM endpoint through ai-setup proxy, whose local secret is in ~/.qwen/.env, which Qwen Code reads only when no .env of a folder between the working one and home comes first; an OPENAI_API_KEY or OPENAI_BASE_URL in the environment wins",
};

/// Qwen Code 0.15 speaks the OpenAI Chat Completions API with auth type `openai`. It takes
/// its base URL from `OPENAI_BASE_URL`, else `security.auth.baseUrl` of its settings, and its
/// key from `OPENAI_API_KEY`, which it also reads from `~/.qwen/.env` in any folder, trusted or
/// not (`resolveModelConfig`'s layers and `findEnvFile` in its `cli.js`). So the org's `openai`
/// provider is reached through the proxy: its address in the settings, the local secret in a
/// block of that `.env`, and the auth type, which its `/auth` dialog writes, taken over.
fn qwen_through_proxy(ctx: &OrgContext, paths: &Paths) -> Proxied {
    if super::translate::base_url(ctx, "openai").is_none() {
        return Proxied::default();
    }
    Proxied {
        keys: vec![
            auth_type("openai"),
            Managed::setting(
                edit::path(&["security", "auth", "baseUrl"]),
                json!(super::translate::proxy_base_url(paths, "qwen", "openai")),
            ),
        ],
        files: vec![secret_in_dotenv(
            "qwen",
            paths.home.join(".qwen/.env"),
            ctx,
            &[],
            "OPENAI_API_KEY",
        )],
    }
}

/// GitHub Copilot CLI 1.0 (`@github/copilot`): MCP servers in `~/.copilot/mcp-config.json`, a
/// stdio one as `copilot mcp add NAME -- PROGRAM ARGS` writes it (`type: "local"`, every tool).
pub static COPILOT: McpOnly = McpOnly {
    id: "copilot",
    name: "Copilot CLI",
    program: "copilot",
    dir: |p| p.home.join(".copilot"),
    file: "mcp-config.json",
    format: Format::Jsonc,
    root: &["mcpServers"],
    entry: |name, program, args| {
        (
            Step::Name(name.into()),
            json!({ "type": "local", "command": program, "args": args, "tools": ["*"] }),
        )
    },
    model: None,
    prose: None,
    new_file: &[],
    proxied: None,
    environment: Some(copilot_environment),
    limits: "its model provider is set through environment variables only: they go in ~/.config/environment.d (desktop sessions under systemd) and a block of ~/.profile, ~/.bashrc and ~/.zshenv (shells started after login)",
};

/// Copilot CLI's own provider (`copilot help environment`, 1.0.102): `COPILOT_PROVIDER_BASE_URL`,
/// `COPILOT_PROVIDER_TYPE` (`anthropic` or `openai`), `COPILOT_PROVIDER_API_KEY_COMMAND` (a
/// shell command run for each request: the token helper, so the org is reached directly, no
/// proxy), `COPILOT_PROVIDER_WIRE_API` (`responses` for OpenAI's GPT-5 models) and
/// `COPILOT_MODEL`. With a provider set, no GitHub login is needed. The org's default model
/// is used; its Anthropic client adds `/v1/messages` to the base URL, its OpenAI one
/// `/responses`.
fn copilot_environment(ctx: &OrgContext) -> Result<environment::Vars, String> {
    let Some((provider, id)) = default_model(ctx) else {
        return Err("model: the org's default model is not an Anthropic or OpenAI one, which Copilot CLI's provider needs".into());
    };
    let base = super::translate::base_url(ctx, provider).expect("checked by default_model");
    let mut vars = match provider {
        "anthropic" => vec![
            ("COPILOT_PROVIDER_TYPE", "anthropic".to_string()),
            (
                "COPILOT_PROVIDER_BASE_URL",
                base.strip_suffix("/v1").unwrap_or(&base).to_string(),
            ),
        ],
        _ => vec![
            ("COPILOT_PROVIDER_TYPE", "openai".to_string()),
            ("COPILOT_PROVIDER_BASE_URL", base.clone()),
            ("COPILOT_PROVIDER_WIRE_API", "responses".to_string()),
        ],
    };
    let command = crate::output::shell_words(&super::translate::token_command(ctx.org));
    vars.push(("COPILOT_PROVIDER_API_KEY_COMMAND", command));
    vars.push(("COPILOT_MODEL", id.to_string()));
    match vars.iter().find(|(_, v)| !environment::writable(v)) {
        Some((var, _)) => Err(format!(
            "model: {var} would hold a character a shell reads as syntax, so Copilot CLI's environment is not written"
        )),
        None => Ok(vars),
    }
}

/// Factory's Droid 0.225 (`@factory/cli-linux-x64`, whose binary bundles its own source, where
/// the settings schema and `droid mcp add` were read): MCP servers in `~/.factory/mcp.json`, as
/// `droid mcp add NAME PROGRAM ARGS…` writes them. Instructions in a block of
/// `~/.factory/AGENTS.md` (its "personal global instructions"), commands as
/// `~/.factory/commands/NAME.md` with `$ARGUMENTS`, agents as custom droids in
/// `~/.factory/droids/NAME.md`: all seen in what `droid exec` sends. A model of one's own is an entry of
/// `customModels` in `~/.factory/settings.json` (`model`, `displayName`, `baseUrl`, `apiKey`,
/// `provider`, `maxOutputTokens`), and `sessionDefaultSettings.model` = `custom:MODEL` picks it
/// (Droid finds a `custom:` id by the entry's `model`). Droid takes a key only as a value (it
/// strips credential commands from user settings), so the org's default model goes through the
/// proxy with the local secret as the key, and that settings file is kept 0600.
pub static DROID: McpOnly = McpOnly {
    id: "droid",
    name: "Factory Droid",
    program: "droid",
    dir: |p| p.home.join(".factory"),
    file: "mcp.json",
    format: Format::Jsonc,
    root: &["mcpServers"],
    entry: typed_entry,
    model: None,
    prose: Some(&DROID_PROSE),
    new_file: &[],
    proxied: Some(droid_through_proxy),
    environment: None,
    limits: "the org's default model through ai-setup proxy, when it is an Anthropic or OpenAI one; an agent with tools switched off gets an allowlist of the others, without MCP tools",
};

pub static DROID_PROSE: Prose = Prose {
    instructions: Some(Rules::Block(|p| p.home.join(".factory/AGENTS.md"))),
    project_files: &["AGENTS.md", "CLAUDE.md"],
    agents: Some(Files {
        dir: |p| p.home.join(".factory/droids"),
        suffix: ".md",
        render: droid_agent,
    }),
    commands: Some(Files {
        dir: |p| p.home.join(".factory/commands"),
        suffix: ".md",
        render: droid_command,
    }),
    permissions: None,
};

/// The tools of Droid 0.225 (as `droid exec` offers them, deferred ones included) that an
/// org agent's OpenCode tools stand for.
const DROID_TOOLS: &[(&str, &[&str])] = &[
    ("read", &["Read"]),
    ("list", &["LS"]),
    ("grep", &["Grep"]),
    ("glob", &["Glob"]),
    ("bash", &["Execute"]),
    ("edit", &["Edit"]),
    ("write", &["Create"]),
    ("patch", &["Edit", "Create"]),
    ("webfetch", &["FetchUrl"]),
    ("websearch", &["WebSearch"]),
];

/// A custom droid, `~/.factory/droids/NAME.md`: `name`, `description`, `model: inherit` (the
/// session's, which is the org's) and the prompt as its body, as Droid's own `stringifyDroid`
/// writes one. Droid's `tools` is an allowlist only: an agent with tools switched off gets the
/// tools above but those, and so loses the others (MCP tools, subagents): narrower, never
/// broader. A tool it cannot name is reported instead.
fn droid_agent(entry: &Entry) -> Result<String, String> {
    let (prompt, mut fields) = entry.subagent("Droid")?;
    fields.push(("model", "inherit".to_string()));
    let denied = entry.tools_off("Droid", |tool| {
        DROID_TOOLS
            .iter()
            .find(|(name, _)| *name == tool)
            .map(|(_, names)| *names)
    })?;
    if !denied.is_empty() {
        let mut allowed: Vec<&str> = Vec::new();
        for name in DROID_TOOLS.iter().flat_map(|(_, names)| names.iter()) {
            if !denied.contains(name) && !allowed.contains(name) {
                allowed.push(name);
            }
        }
        fields.push(("tools", allowed.join(", ")));
    }
    Ok(frontmatter(&fields, prompt))
}

/// A Markdown command with its `description` in front matter; `$ARGUMENTS` (and a lone `$1`)
/// is Droid's one placeholder.
fn droid_command(entry: &Entry) -> Result<String, String> {
    let template = entry.text("template").ok_or("it has no template")?;
    if (2..=9).any(|n| template.contains(&format!("${n}"))) {
        return Err("it uses several positional arguments, and Droid has only $ARGUMENTS".into());
    }
    let body = template.replace("$1", "$ARGUMENTS");
    Ok(frontmatter(
        &[("description", yaml_string(&entry.description("command")))],
        &body,
    ))
}

fn droid_through_proxy(ctx: &OrgContext, paths: &Paths) -> Proxied {
    let Some((provider, id)) = default_model(ctx) else {
        return Proxied::default();
    };
    let secret = ctx.local_secret_or_placeholder();
    let base = super::translate::proxy_base_url(paths, "droid", provider);
    let display = format!("{} {id}", ctx.org_name.unwrap_or(ctx.org));
    // Its Anthropic client adds `/v1/messages`; its OpenAI one adds `/responses` only.
    let base_url = match provider {
        "openai" => format!("{base}/v1"),
        _ => base,
    };
    let entry = json!({
        "model": id,
        "displayName": display,
        "baseUrl": base_url,
        "apiKey": secret,
        "provider": provider,
        "maxOutputTokens": 8192,
    });
    let keys = vec![
        // It holds the local secret: rewritten with it, and gone at any logout.
        Managed {
            key: vec![
                Step::from("customModels"),
                Step::Element {
                    field: "displayName".into(),
                    value: display,
                },
            ],
            value: entry,
            kind: Kind::Credential,
        },
        // Where Droid keeps the model chosen for new sessions: taken over, and given back at
        // logout.
        Managed {
            key: edit::path(&["sessionDefaultSettings", "model"]),
            value: json!(format!("custom:{id}")),
            kind: Kind::Takeover,
        },
    ];
    Proxied {
        keys: Vec::new(),
        files: vec![Desired {
            client: "droid",
            path: paths.home.join(".factory/settings.json"),
            format: Format::Jsonc,
            sensitive: true,
            keys,
        }],
    }
}
