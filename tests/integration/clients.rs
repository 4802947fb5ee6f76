//! Every client, losslessly: golden files per client, and the real Claude Code, Codex and
//! Gemini CLIs (from npm) reading what ai-setup wrote next to the user's own servers.

use std::collections::BTreeMap;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::common::*;

/// A client's MCP file as a user left it: comments, a trailing comma, CRLF, unknown keys, a
/// server of their own and one with the name the org uses (`docs`).
struct Fixture {
    client: &'static str,
    path: &'static str,
    before: &'static str,
    /// Where the org's servers go.
    root: &'static [&'static str],
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        client: "claude-code",
        path: ".claude.json",
        before: "{\r\n  \"numStartups\": 12,\r\n  \"mcpServers\": {\r\n    \"mine\": {\"type\": \"stdio\", \"command\": \"my-server\"},\r\n    \"docs\": {\"type\": \"stdio\", \"command\": \"my-docs\"}\r\n  },\r\n  \"projects\": {}\r\n}\r\n",
        root: &["mcpServers"],
    },
    Fixture {
        client: "codex",
        path: ".codex/config.toml",
        before: "# my codex settings\r\nmodel = \"o3\" # mine\r\napproval_policy = \"on-request\"\r\n\r\n[mcp_servers.mine]\r\ncommand = \"my-server\"\r\n\r\n[mcp_servers.docs]\r\ncommand = \"my-docs\"\r\n",
        root: &["mcp_servers"],
    },
    Fixture {
        client: "gemini",
        path: ".gemini/settings.json",
        before: "// my gemini settings\r\n{\r\n  \"ui\": { \"theme\": \"GitHub\" }, // keep\r\n  \"mcpServers\": {\r\n    \"mine\": { \"command\": \"my-server\" },\r\n    \"docs\": { \"command\": \"my-docs\" },\r\n  },\r\n}\r\n",
        root: &["mcpServers"],
    },
    Fixture {
        client: "windsurf",
        path: ".codeium/windsurf/mcp_config.json",
        before: "{\n  \"mcpServers\": {\n    \"mine\": { \"command\": \"my-server\", \"disabled\": false },\n    \"docs\": { \"serverUrl\": \"https://docs.example\" }\n  },\n  \"futureKey\": [1, 2, 3]\n}\n",
        root: &["mcpServers"],
    },
    Fixture {
        client: "cursor",
        path: ".cursor/mcp.json",
        before: "{\n\t\"mcpServers\": {\n\t\t\"mine\": {\"command\": \"my-server\"},\n\t\t\"docs\": {\"url\": \"https://docs.example/mcp\"},\n\t},\n}\n",
        root: &["mcpServers"],
    },
    Fixture {
        client: "vscode",
        path: ".config/Code/User/mcp.json",
        before: "// VS Code MCP\n{\n  \"inputs\": [],\n  \"servers\": {\n    \"mine\": { \"type\": \"stdio\", \"command\": \"my-server\" },\n    /* mine too */\n    \"docs\": { \"type\": \"http\", \"url\": \"https://docs.example\" },\n  },\n}\n",
        root: &["servers"],
    },
    Fixture {
        client: "zed",
        path: ".config/zed/settings.json",
        before: "// Zed settings\n{\n  \"theme\": \"One Dark\",\n  \"context_servers\": {\n    \"mine\": { \"command\": \"my-server\", \"args\": [] },\n    \"docs\": { \"command\": \"my-docs\", \"args\": [] },\n  },\n}\n",
        root: &["context_servers"],
    },
    Fixture {
        client: "claude-desktop",
        path: ".config/Claude/claude_desktop_config.json",
        before: "{\n  \"mcpServers\": {\n    \"mine\": {\"command\": \"my-server\"},\n    \"docs\": {\"command\": \"my-docs\"}\n  },\n  \"globalShortcut\": \"Ctrl+Space\"\n}\n",
        root: &["mcpServers"],
    },
    Fixture {
        client: "cline",
        path: ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
        before: "{\n  \"mcpServers\": {\n    \"mine\": {\"command\": \"my-server\", \"disabled\": false},\n    \"docs\": {\"command\": \"my-docs\", \"disabled\": true}\n  }\n}\n",
        root: &["mcpServers"],
    },
    Fixture {
        client: "goose",
        path: ".config/goose/config.yaml",
        before: "# my goose config\nGOOSE_PROVIDER: anthropic # mine\nextensions:\n  mine:\n    type: stdio\n    name: mine\n    cmd: my-server\n    enabled: true\n  docs:\n    type: builtin\n    name: docs\n    cmd: my-docs\n",
        root: &["extensions"],
    },
    Fixture {
        client: "continue",
        path: ".continue/config.yaml",
        before: "name: Local Config\nversion: 1.0.0\nschema: v1\n\n# my servers\nmcpServers:\n  - name: mine\n    command: my-server\n  - name: docs\n    command: my-docs\nmodels: []\n",
        root: &["mcpServers"],
    },
];

fn parse(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "yaml") {
        let doc =
            ai_setup::edit::parse(ai_setup::edit::Format::Yaml, Some(text.as_bytes())).unwrap();
        return doc.snapshot();
    }
    if path.extension().is_some_and(|e| e == "toml") {
        // Through ai-setup's own TOML reader, as JSON, for uniform assertions.
        let doc =
            ai_setup::edit::parse(ai_setup::edit::Format::Toml, Some(text.as_bytes())).unwrap();
        json!({ "mcp_servers": doc.get(&ai_setup::edit::path(&["mcp_servers"])).unwrap_or(Value::Null) })
    } else {
        jsonc_parser::parse_to_serde_value(&text, &Default::default()).unwrap()
    }
}

/// A stdio entry's program: `command`, or Goose's `cmd`.
fn program(entry: &Value) -> &Value {
    entry
        .get("command")
        .or(entry.get("cmd"))
        .unwrap_or(&Value::Null)
}

/// The servers under `root`, as an object by name (Continue keeps a list of named entries).
fn servers(value: &Value, root: &[&str]) -> Value {
    let found = root.iter().fold(value, |v, k| &v[*k]);
    match found.as_array() {
        Some(list) => Value::Object(
            list.iter()
                .map(|e| (e["name"].as_str().unwrap_or("").to_string(), e.clone()))
                .collect(),
        ),
        None => found.clone(),
    }
}

/// The demo org, served from a folder the test can edit.
fn editable_org() -> (tempfile::TempDir, Endpoint) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("discovery.json"),
        include_str!("../../assets/demo/discovery.json"),
    )
    .unwrap();
    let endpoint = Endpoint::start(None, &["--org-dir", dir.path().to_str().unwrap()]);
    (dir, endpoint)
}

#[test]
fn every_client_keeps_the_users_bytes_and_prunes_only_its_own() {
    let (org_dir, endpoint) = editable_org();
    let env = TestEnv::new();
    for f in FIXTURES {
        env.write(f.path, f.before.as_bytes());
    }
    let all: Vec<&str> = FIXTURES.iter().map(|f| f.client).collect();
    let list = all.join(",");
    let login = |extra: &[&str]| {
        let mut args = vec![
            "login",
            &endpoint.url,
            "--yes",
            "--credential-store",
            "file",
            "--clients",
            &list,
            "--json",
        ];
        args.extend_from_slice(extra);
        env.run(&args)
    };
    let run = login(&[]);
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();

    for f in FIXTURES {
        let path = env.path(f.path);
        let value = parse(&path);
        let s = &servers(&value, f.root);
        // The org's servers run ai-setup, which supplies the token; the user's stay as they were.
        for name in ["tickets", "everything"] {
            let entry = &s[name];
            assert!(
                program(entry).as_str().unwrap().ends_with("ai-setup"),
                "{}: {entry}",
                f.client
            );
            let args: Vec<&str> = entry["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            assert_eq!(
                args[args.len() - 2..],
                ["--org", endpoint.url.as_str()],
                "{}",
                f.client
            );
        }
        assert_eq!(s["tickets"]["args"][0], "mcp", "{}", f.client);
        assert_eq!(s["everything"]["args"][0], "exec", "{}", f.client);
        assert!(program(&s["mine"]) == "my-server", "{}: {s}", f.client);
        assert_ne!(
            program(&s["docs"])
                .as_str()
                .map(|c| c.ends_with("ai-setup")),
            Some(true),
            "{}: the user's docs was overwritten",
            f.client
        );
        let client = report["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == f.client)
            .unwrap();
        let kept_users_docs = client["files"].as_array().unwrap().iter().any(|file| {
            file["notes"].as_array().is_some_and(|notes| {
                notes.iter().any(|n| {
                    n["kind"] == "user_entry"
                        && n["key"]
                            .as_str()
                            .unwrap()
                            .trim_end_matches(']')
                            .ends_with("docs")
                })
            })
        });
        assert!(kept_users_docs, "{}: {client}", f.client);
        // Line endings and comments of the user's file are still there.
        let text = std::fs::read_to_string(&path).unwrap();
        if f.before.contains("\r\n") {
            assert!(
                !text.replace("\r\n", "").contains('\n'),
                "{}: CRLF lost",
                f.client
            );
        }
        // Each comment, from its marker on: a value before it on the same line may be one
        // ai-setup takes over (Goose's `GOOSE_PROVIDER`), which logout gives back (below).
        for line in f.before.lines() {
            let Some(at) = ["//", "#", "/*"].iter().filter_map(|m| line.find(m)).min() else {
                continue;
            };
            let comment = line[at..].trim_end_matches('\r');
            assert!(text.contains(comment), "{}: lost {comment:?}", f.client);
        }
    }

    // A second run writes nothing.
    let before = env.snapshot();
    assert_eq!(env.run(&["sync", "--clients", &list]).code, 0);
    for f in FIXTURES {
        assert_eq!(
            before[&env.path(f.path)],
            std::fs::read(env.path(f.path)).unwrap(),
            "{} rewritten",
            f.client
        );
    }

    // The org drops a server: it goes from every client, and nothing else does.
    let mut doc: Value = crate::common::demo_document();
    doc["config"]["mcp"]
        .as_object_mut()
        .unwrap()
        .remove("tickets");
    std::fs::write(org_dir.path().join("discovery.json"), doc.to_string()).unwrap();
    let run = env.run(&["sync", "--clients", &list]);
    assert_eq!(run.code, 0, "{run:?}");
    for f in FIXTURES {
        let value = parse(&env.path(f.path));
        let s = &servers(&value, f.root);
        assert!(s.get("tickets").is_none(), "{}: {s}", f.client);
        assert!(
            s.get("everything").is_some() && s.get("mine").is_some() && s.get("docs").is_some(),
            "{}: {s}",
            f.client
        );
    }

    // Everything ai-setup wrote goes, and each file is byte for byte the user's again.
    let run = env.run(&["logout", "--restore"]);
    assert_eq!(run.code, 0, "{run:?}");
    for f in FIXTURES {
        assert_eq!(
            std::fs::read_to_string(env.path(f.path)).unwrap(),
            f.before,
            "{} after logout --restore",
            f.client
        );
    }
}

#[test]
fn an_unparseable_client_file_is_skipped_and_the_others_are_configured() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let broken = "{\n  \"mcpServers\": {\n    \"mine\": { \"command\": \"x\" \n}\n";
    env.write(".cursor/mcp.json", broken.as_bytes());
    let run = env.login_with(
        &endpoint.url,
        &["--clients", "cursor,windsurf,gemini", "--json"],
    );
    assert_eq!(run.code, 5, "{run:?}");
    let report = run.json();
    let cursor = report["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "cursor")
        .unwrap();
    assert!(
        cursor["error"]
            .as_str()
            .unwrap()
            .contains(".cursor/mcp.json"),
        "{cursor}"
    );
    assert_eq!(
        std::fs::read_to_string(env.path(".cursor/mcp.json")).unwrap(),
        broken
    );
    assert!(parse(&env.path(".gemini/settings.json"))["mcpServers"]["docs"].is_object());
    assert!(
        parse(&env.path(".codeium/windsurf/mcp_config.json"))["mcpServers"]["docs"].is_object()
    );
}

fn cli(env: &TestEnv, name: &str, args: &[&str]) -> String {
    client_output(
        &mut env.command(client_cli(name).to_str().unwrap(), args),
        &format!("{name} {args:?}"),
    )
}

#[test]
fn claude_code_lists_and_connects_the_org_servers_next_to_the_users() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    env.write(
        ".claude.json",
        br#"{"mcpServers": {"mine": {"type": "stdio", "command": "my-own-server"}}}"#,
    );
    let run = env.login_with(&endpoint.url, &["--clients", "claude-code"]);
    assert_eq!(run.code, 0, "{run:?}");

    let list = cli(&env, "claude", &["mcp", "list"]);
    assert!(list.contains("mine: my-own-server"), "{list}");
    for name in ["docs", "tickets"] {
        let line = list
            .lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("{name} missing:\n{list}"));
        assert!(line.contains("mcp bridge"), "{line}");
        // Claude Code ran the bridge, which reached the org's server with the token.
        assert!(line.contains("Connected"), "{line}");
    }
    assert!(
        list.lines().any(|l| l.starts_with("everything: ")),
        "{list}"
    );

    // The API key helper prints exactly the token.
    let settings: Value =
        serde_json::from_slice(&std::fs::read(env.path(".claude/settings.json")).unwrap()).unwrap();
    assert_eq!(
        settings["env"]["ANTHROPIC_BASE_URL"],
        format!("{}/anthropic", endpoint.url)
    );
    assert_eq!(
        settings["model"], "claude-sonnet-4-5",
        "the org's overlay for claude-code"
    );
    let helper = settings["apiKeyHelper"].as_str().unwrap();
    let out = env.command("sh", &["-c", helper]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", env.stored_token(&endpoint.url))
    );
}

#[test]
fn codex_lists_the_org_servers_and_uses_the_org_model_provider() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    env.write(
        ".codex/config.toml",
        b"# mine\n[mcp_servers.mine]\ncommand = \"my-own-server\"\n",
    );
    let run = env.login_with(&endpoint.url, &["--clients", "codex"]);
    assert_eq!(run.code, 0, "{run:?}");

    let out = env
        .command(
            client_cli("codex").to_str().unwrap(),
            &["mcp", "list", "--json"],
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let servers: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = servers
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for name in ["docs", "tickets", "everything", "mine"] {
        assert!(names.contains(&name), "{name} missing: {names:?}");
    }
    let docs = servers
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "docs")
        .unwrap();
    assert_eq!(
        docs["transport"]["args"],
        json!(["mcp", "bridge", "docs", "--org", endpoint.url])
    );

    let out = env
        .command(client_cli("codex").to_str().unwrap(), &["doctor", "--json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let doctor: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let config = &doctor["checks"]["config.load"]["details"];
    assert_eq!(config["model provider"], "demo-corp", "{config}");
    let ws = &doctor["checks"]["network.websocket_reachability"]["details"];
    assert_eq!(ws["provider name"], "Demo Corp (ai-setup)", "{ws}");
    assert_eq!(ws["wire API"], "responses");
}

#[test]
fn gemini_lists_the_org_servers_next_to_the_users() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    env.write(
        ".gemini/settings.json",
        b"// mine\n{ \"mcpServers\": { \"mine\": { \"command\": \"my-own-server\" } } }\n",
    );
    let run = env.login_with(&endpoint.url, &["--clients", "gemini"]);
    assert_eq!(run.code, 0, "{run:?}");
    let list = cli(&env, "gemini", &["mcp", "list"]);
    assert!(list.contains("mine: my-own-server"), "{list}");
    for name in ["docs", "tickets", "everything"] {
        assert!(
            list.contains(&format!("{name}: ")) && list.contains("ai-setup"),
            "{name} missing:\n{list}"
        );
    }
    assert!(
        list.contains(&format!("mcp bridge docs --org {}", endpoint.url)),
        "{list}"
    );
}

/// The user's own files in Qwen Code's and Copilot CLI's folders.
fn qwen_and_copilot_home() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        ".qwen/settings.json",
        b"{\n  // mine\n  \"mcpServers\": { \"mine\": { \"command\": \"my-own-server\" } }\n}\n",
    );
    env.write(
        ".copilot/mcp-config.json",
        b"{\"mcpServers\": {\"mine\": {\"type\": \"local\", \"command\": \"my-own-server\", \"args\": [], \"tools\": [\"*\"]}}}",
    );
    env.write(".qwen/QWEN.md", b"my own rules\n");
    env
}

fn qwen_and_copilot_files(env: &TestEnv) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    [".qwen", ".copilot"]
        .iter()
        .flat_map(|d| files_under(&env.path(d)))
        .collect()
}

/// Qwen Code and GitHub Copilot CLI (real, from the npm registry) list the org's servers next
/// to the user's own; Qwen Code's commands and rules are Gemini CLI's.
#[test]
fn qwen_code_and_copilot_cli_list_the_org_servers_next_to_the_users() {
    let endpoint = Endpoint::demo();
    let env = qwen_and_copilot_home();
    let run = env.login_with(&endpoint.url, &["--clients", "qwen,copilot"]);
    assert_eq!(run.code, 0, "{run:?}");

    let list = cli(&env, "qwen", &["mcp", "list"]);
    assert!(list.contains("mine: my-own-server"), "{list}");
    for name in ["docs", "tickets", "everything"] {
        assert!(
            list.contains(&format!("{name}: ")),
            "{name} missing:\n{list}"
        );
    }
    assert!(
        list.contains(&format!("mcp bridge docs --org {}", endpoint.url)),
        "{list}"
    );
    let list = cli(&env, "copilot", &["mcp", "list"]);
    for name in ["mine", "docs", "tickets", "everything"] {
        assert!(
            list.contains(&format!("  {name} (local)")),
            "{name} missing:\n{list}"
        );
    }
    let docs = cli(&env, "copilot", &["mcp", "get", "docs"]);
    assert!(docs.contains("mcp bridge docs"), "{docs}");

    // Qwen Code: the org's rules on top of the user's, its command in Gemini CLI's TOML.
    let rules = std::fs::read_to_string(env.path(".qwen/QWEN.md")).unwrap();
    assert!(rules.ends_with("my own rules\n"), "{rules}");
    assert!(
        rules.contains("<!-- BEGIN ai-setup demo-corp -->"),
        "{rules}"
    );
    let ticket = std::fs::read_to_string(env.path(".qwen/commands/ticket.toml")).unwrap();
    assert!(ticket.contains("Read ticket {{args}} with"), "{ticket}");
}

/// A second sync writes nothing, and `logout --restore` gives both folders back byte for byte
/// (without the clients running in between: Qwen Code rewrites its own settings.json when it
/// starts, adding `$version`).
#[test]
fn qwen_code_and_copilot_cli_are_restored_byte_for_byte() {
    let endpoint = Endpoint::demo();
    let env = qwen_and_copilot_home();
    let before = qwen_and_copilot_files(&env);
    let run = env.login_with(&endpoint.url, &["--clients", "qwen,copilot"]);
    assert_eq!(run.code, 0, "{run:?}");
    let written = qwen_and_copilot_files(&env);
    assert_ne!(written, before);
    assert_eq!(env.run(&["sync", "--clients", "qwen,copilot"]).code, 0);
    assert_eq!(qwen_and_copilot_files(&env), written);
    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert_eq!(qwen_and_copilot_files(&env), before);
}

#[test]
fn the_clients_command_reports_configuration_drift_and_the_users_entries() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let run = env.run(&["clients", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["clients"].as_array().unwrap().len(), 18);

    env.write(
        ".cursor/mcp.json",
        br#"{"mcpServers": {"docs": {"command": "mine"}}}"#,
    );
    let run = env.login_with(&endpoint.url, &["--clients", "claude-code,cursor"]);
    assert_eq!(run.code, 0, "{run:?}");
    let edited = std::fs::read_to_string(env.path(".claude.json"))
        .unwrap()
        .replace("\"exec\"", "\"exec-edited\"");
    std::fs::write(env.path(".claude.json"), edited).unwrap();

    let report = env.run(&["clients", "--json"]).json();
    let row = |id: &str| {
        report["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(row("claude-code")["configured"], true);
    assert_eq!(
        row("claude-code")["drift"],
        json!(["mcpServers.everything"])
    );
    assert_eq!(row("cursor")["user_entries"], json!(["mcpServers.docs"]));
    assert_eq!(row("cursor")["pending_changes"], false);
    assert_eq!(row("codex")["configured"], false);
    assert_eq!(row("vscode")["enabled_by_org"], false);
    assert!(
        row("gemini")["limits"]
            .as_str()
            .unwrap()
            .contains("trusted folders")
    );
    let human = env.run(&["clients"]);
    assert!(
        human
            .stdout
            .contains("drift: mcpServers.everything (--force replaces)"),
        "{human:?}"
    );
    assert!(
        human.stdout.contains("your own: mcpServers.docs"),
        "{human:?}"
    );
}

/// A sync from the inputs of the last run, over files nobody wrote since, is answered from the
/// ledger (the log says so) and says the same as a planned one; each input, and a file that
/// changed, makes the next sync plan again and reach the clients.
#[test]
fn a_sync_with_nothing_new_is_not_planned_again_but_any_change_is() {
    const SKIPPED: &str = "not planned again";
    let (org_dir, endpoint) = editable_org();
    let env = TestEnv::new();
    let clients = ["--clients", "opencode,claude-code,cursor"];
    // OpenCode's settings go to the user's `opencode.json`, while there is no `.jsonc`.
    env.write(".config/opencode/opencode.json", b"{}\n");
    assert_eq!(env.login_with(&endpoint.url, &clients).code, 0);
    let sync = |dir: Option<&std::path::Path>| {
        let args = ["sync", clients[0], clients[1]];
        let mut cmd = env.command(BIN, &args);
        cmd.env("RUST_LOG", "ai_setup=info");
        if let Some(dir) = dir {
            cmd.current_dir(dir);
        }
        let out = cmd.output().unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_eq!(run.code, 0, "{run:?}");
        run
    };
    let planned = |run: &Run| !run.stderr.contains(SKIPPED);

    let before = env.snapshot();
    let quiet = sync(None);
    assert!(!planned(&quiet), "{quiet:?}");
    assert!(quiet.stdout.contains("up to date"), "{quiet:?}");
    assert_eq!(
        before
            .iter()
            .filter(|(p, b)| env.snapshot().get(*p) != Some(b))
            .count(),
        0,
        "an unplanned sync writes nothing, its own state neither"
    );

    // The user's layer: the model reaches Claude Code.
    env.write(
        ".config/ai-setup/config.json",
        br#"{"model": "anthropic/claude-opus-4-1"}"#,
    );
    assert!(planned(&sync(None)));
    let settings = std::fs::read_to_string(env.path(".claude/settings.json")).unwrap();
    assert!(settings.contains("claude-opus-4-1"), "{settings}");
    assert!(!planned(&sync(None)), "the same inputs again");

    // A project layer in the working folder.
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join(".ai-setup.json"),
        r#"{"model": "anthropic/claude-sonnet-4-5"}"#,
    )
    .unwrap();
    assert!(planned(&sync(Some(project.path()))));
    let settings = std::fs::read_to_string(env.path(".claude/settings.json")).unwrap();
    assert!(
        settings.contains("claude-opus-4-1"),
        "not trusted yet: {settings}"
    );
    // New inputs that change no file are remembered all the same.
    assert!(!planned(&sync(Some(project.path()))), "the same again");
    let trust = env.run(&["trust", project.path().to_str().unwrap()]);
    assert_eq!(trust.code, 0, "{trust:?}");
    assert!(planned(&sync(Some(project.path()))));
    assert!(!planned(&sync(Some(project.path()))));
    assert!(planned(&sync(None)), "and without it again");

    // The user edits ai-setup's entry in a client file: planned, and reported as drift, again
    // on the run after (the note is remembered).
    let cursor = env.path(".cursor/mcp.json");
    let text = std::fs::read_to_string(&cursor).unwrap();
    let edited = text.replacen("\"docs\", \"--org\"", "\"docs\", \"-v\", \"--org\"", 1);
    assert_ne!(text, edited);
    std::fs::write(&cursor, &edited).unwrap();
    let run = sync(None);
    assert!(planned(&run));
    assert!(
        run.stdout.contains("was changed outside ai-setup"),
        "{run:?}"
    );
    let run = sync(None);
    assert!(!planned(&run));
    assert!(
        run.stdout.contains("was changed outside ai-setup"),
        "the note is said again: {run:?}"
    );
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), edited);

    // A file whose existence decides which file OpenCode's settings go to.
    env.write(".config/opencode/opencode.jsonc", b"{}\n");
    let run = sync(None);
    assert!(planned(&run));
    assert!(run.stdout.contains("opencode.jsonc"), "{run:?}");
    assert!(!planned(&sync(None)));

    // The org's document.
    let mut doc: Value = crate::common::demo_document();
    doc["config"]["mcp"]
        .as_object_mut()
        .unwrap()
        .remove("tickets");
    std::fs::write(
        org_dir.path().join("discovery.json"),
        serde_json::to_vec(&doc).unwrap(),
    )
    .unwrap();
    assert!(planned(&sync(None)));
    assert!(
        !std::fs::read_to_string(&cursor)
            .unwrap()
            .contains("tickets")
    );
    assert!(!planned(&sync(None)));
}

/// Factory's Droid connects to the org's servers through the bridge (`droid mcp list` starts
/// each one), next to the user's own, and `logout --restore` gives its files back.
#[test]
fn droid_connects_the_org_servers_next_to_the_users() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let mine = b"{\n  \"mcpServers\": {\n    \"mine\": {\n      \"type\": \"stdio\",\n      \"command\": \"my-own-server\",\n      \"args\": [],\n      \"disabled\": true\n    }\n  }\n}\n";
    env.write(".factory/mcp.json", mine);
    let run = env.login_with(&endpoint.url, &["--clients", "droid"]);
    assert_eq!(run.code, 0, "{run:?}");
    let list = cli(&env, "droid", &["mcp", "list"]);
    for name in ["docs", "tickets"] {
        let line = list
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing:\n{list}"));
        assert!(!line.contains("failed"), "{line}\n{list}");
    }
    assert!(list.contains("mine"), "{list}");
    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert_eq!(std::fs::read(env.path(".factory/mcp.json")).unwrap(), mine);
}

/// A Cline CLI user with an OpenAI-compatible key of their own keeps their provider: ai-setup
/// keeps no copy of a user's key, so it neither replaces it nor takes the provider over, and
/// the CLI still gets the org's servers (seen by `cline mcp` through its own file).
#[test]
fn a_cline_cli_key_of_the_users_own_keeps_their_provider() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let state: &[u8] = b"{\n  \"actModeApiProvider\": \"openai\",\n  \"openAiBaseUrl\": \"https://llm.example.com/v1\",\n  \"actModeOpenAiModelId\": \"mine-1\"\n}\n";
    let secrets: &[u8] = b"{\n  \"openAiApiKey\": \"sk-my-own\"\n}\n";
    env.write(".cline/data/globalState.json", state);
    env.write(".cline/data/secrets.json", secrets);
    let run = env.login_with(&endpoint.url, &["--clients", "cline"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        std::fs::read(env.path(".cline/data/globalState.json")).unwrap(),
        state
    );
    assert_eq!(
        std::fs::read(env.path(".cline/data/secrets.json")).unwrap(),
        secrets
    );
    let servers: Value = serde_json::from_slice(
        &std::fs::read(env.path(".cline/data/settings/cline_mcp_settings.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(servers["mcpServers"]["docs"]["type"], "stdio", "{servers}");
    // Once the user's key is gone, the next sync points the CLI at the org.
    env.write(".cline/data/secrets.json", b"{}\n");
    assert_eq!(env.run(&["sync", "--clients", "cline"]).code, 0);
    let now: Value =
        serde_json::from_slice(&std::fs::read(env.path(".cline/data/globalState.json")).unwrap())
            .unwrap();
    assert_eq!(now["actModeApiProvider"], "openai");
    assert_eq!(now["actModeOpenAiModelId"], "gpt-5", "{now}");
    assert!(
        now["openAiBaseUrl"]
            .as_str()
            .unwrap()
            .ends_with("/cline/openai"),
        "{now}"
    );
    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert_eq!(
        std::fs::read(env.path(".cline/data/globalState.json")).unwrap(),
        state
    );
}

/// A `secrets.json` that does not parse (a crash of Cline's mid-write) may hold the user's
/// key: ai-setup rewrites neither it nor the provider, and says which file and what to do. A
/// client is configured whole or not at all, so the CLI's other files wait too; once the file
/// is mended, the next run configures it.
#[test]
fn an_unparseable_cline_secrets_file_is_left_as_it_is_and_the_provider_with_it() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let state: &[u8] = b"{\"actModeApiProvider\": \"anthropic\"}\n";
    let broken: &[u8] = b"{\"openAiApiKey\": \"sk-my-ow";
    env.write(".cline/data/globalState.json", state);
    env.write(".cline/data/secrets.json", broken);
    let run = env.login_with(&endpoint.url, &["--clients", "cline"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.all().contains("secrets.json"), "{run:?}");
    assert!(run.all().contains("fix the file"), "{run:?}");
    assert!(!run.all().contains("sk-my-ow"), "{run:?}");
    assert_eq!(
        std::fs::read(env.path(".cline/data/secrets.json")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read(env.path(".cline/data/globalState.json")).unwrap(),
        state
    );
    let mcp = env.path(".cline/data/settings/cline_mcp_settings.json");
    assert!(!mcp.exists());

    env.write(".cline/data/secrets.json", b"{}\n");
    let run = env.run(&["sync"]);
    assert_eq!(run.code, 0, "{run:?}");
    let servers: Value = serde_json::from_slice(&std::fs::read(mcp).unwrap()).unwrap();
    assert_eq!(servers["mcpServers"]["docs"]["type"], "stdio", "{servers}");
}

/// Crush cannot be installed here (its package fetches a native build), so its plugin is run
/// by Bash itself, with Crush's builtins as functions that print what they are given: every
/// org server arrives as its exact name, whatever quotes or `$(…)` it holds, and nothing in
/// the document runs; a name no quoting makes safe is left out and reported. The model's key
/// is read from ai-setup's secret file when Crush starts, and is in none of Crush's files.
#[test]
fn crushs_plugin_gives_bash_the_org_exactly_and_runs_nothing_of_the_documents() {
    let odd = [
        "it's",
        "$(touch pwned)",
        "`touch pwned`",
        "a b",
        "\"q\"",
        "x;touch pwned",
    ];
    let refused = ["new\nline", "-flag"];
    let mut doc = demo_document();
    for name in odd.iter().chain(&refused) {
        doc["config"]["mcp"][name] = json!({"type": "remote", "url": "{baseURL}/mcp/docs"});
    }
    // The org folder, with the demo org's rules beside the document.
    let org = tempfile::tempdir().unwrap();
    std::fs::write(org.path().join("discovery.json"), doc.to_string()).unwrap();
    std::fs::create_dir(org.path().join("docs")).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/demo/docs/engineering.md"
        ),
        org.path().join("docs/engineering.md"),
    )
    .unwrap();
    let endpoint = Endpoint::start(Some(org), &[]);
    let env = TestEnv::new();
    let run = env.login_with(&endpoint.url, &["--clients", "crush"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Model proxy: started on"), "{run:?}");
    assert!(
        run.stdout.contains(r#"mcp server "new\nline""#)
            && run.stdout.contains(r#"mcp server "-flag""#),
        "{run:?}"
    );
    let plugin = env.path(".config/crush/plugins/ai-setup-demo-corp.sh");
    let text = std::fs::read_to_string(&plugin).unwrap();
    let secret = std::fs::read_to_string(env.path(".local/state/ai-setup/proxy-secret")).unwrap();
    assert!(!text.contains(secret.trim()), "{text}");

    let builtins = r#"for b in mcp provider model option; do eval "$b() { printf '%s\0' $b \"\$@\"; printf '\n'; }"; done"#;
    let work = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("bash")
        .args([
            "-c",
            &format!("{builtins}\nsource \"$1\""),
            "crush",
            plugin.to_str().unwrap(),
        ])
        .current_dir(work.path())
        .env("HOME", env.path(""))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        std::fs::read_dir(work.path()).unwrap().next().is_none(),
        "the plugin ran something of the document's"
    );
    let calls: Vec<Vec<String>> = String::from_utf8(out.stdout)
        .unwrap()
        .split("\0\n")
        .filter(|c| !c.is_empty())
        .map(|c| c.split('\0').map(str::to_string).collect())
        .collect();
    let call = |words: &[&str]| {
        calls
            .iter()
            .find(|c| c.starts_with(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>()))
    };
    for name in odd.iter().chain(&["docs", "tickets"]) {
        let added = call(&["mcp", "add", name]).unwrap_or_else(|| panic!("{name:?}: {calls:?}"));
        assert_eq!(added[3], "--type=stdio", "{added:?}");
        assert!(added[4].starts_with("--command=/"), "{added:?}");
        assert_eq!(
            added[5..8],
            ["--args=mcp", "--args=bridge", &format!("--args={name}")],
            "{added:?}"
        );
    }
    for name in refused {
        assert!(call(&["mcp", "add", name]).is_none(), "{calls:?}");
    }
    let provider = call(&["provider", "add", "ai-setup-demo-corp"]).unwrap();
    assert!(
        provider.contains(&"--type=anthropic".to_string()),
        "{provider:?}"
    );
    assert!(
        provider.contains(&format!("--api-key={}", secret.trim())),
        "{provider:?}"
    );
    assert!(
        provider
            .iter()
            .any(|w| w.starts_with("--base-url=http://127.0.0.1:")
                && w.ends_with("/crush/anthropic")),
        "{provider:?}"
    );
    assert!(
        call(&["model", "large", "ai-setup-demo-corp/claude-sonnet-4-5"]).is_some(),
        "{calls:?}"
    );
    let context = call(&["option", "global-context-path"]).unwrap_or_else(|| panic!("{calls:?}"));
    let rules = std::fs::read_to_string(&context[2]).unwrap();
    assert!(
        rules.contains("Every change ships with a test that fails without it."),
        "{rules}"
    );

    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert!(!plugin.exists() && !std::path::Path::new(&context[2]).exists());
}
