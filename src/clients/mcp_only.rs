//! Clients ai-setup gives the org's MCP servers and nothing else, because their LLM endpoint
//! cannot be set in a file without a long-lived key (`limits` says how each one falls short).
//! They differ only in file, root key and the spelling of a stdio entry, so they are rows of one
//! table rather than modules of their own.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::artifacts::{self, Entry, Files, Permissions, Prose, Rules, Translated, item_key};
use super::translate::{StdioEntry, mcp_entries, model_for, plain_entry, typed_entry};
use super::{Client, Detection, OrgContext, find_program};
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
    pub limits: &'static str,
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
        files
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
    limits: "LLM endpoint only through environment variables (GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY), which would hold a token: not written",
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
    prose: None,
    new_file: &[],
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
    prose: None,
    new_file: &[],
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
    limits: "models come from Anthropic's service; remote servers are reached through the stdio bridge",
};

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
    prose: None,
    new_file: &[],
    limits: "the provider (base URL and key) is set in Cline's UI and kept in VS Code's storage",
};

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
    prose: None,
    new_file: &[],
    limits: "the provider's key comes from the OS keyring or an environment variable only",
};

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
    prose: None,
    new_file: &[
        ("name", "Local Config"),
        ("version", "1.0.0"),
        ("schema", "v1"),
    ],
    limits: "models' API keys come from `${{ secrets.NAME }}` in .env files, which would hold a token: not written",
};
