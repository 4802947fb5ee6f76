//! The org's instructions, agents, commands and permissions in the clients that do not load the
//! org's configuration themselves (src/clients/artifacts.rs): written as the clients' own files
//! and blocks beside the user's, which stay byte for byte; pruned when the org drops them;
//! read by the real Claude Code and Codex, as the requests they send to the org show.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::common::*;
use crate::models::{ask, recorded, tools_of};

const CODEX_TEXT: &str = include_str!("../../assets/demo/docs/engineering.md");
const CLIENTS: &str = "claude-code,codex,gemini";

/// An org folder with `document` and the demo org's instructions file.
fn org_with(document: &Value, extra: &[&str]) -> Endpoint {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("discovery.json"),
        serde_json::to_vec_pretty(document).unwrap(),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/engineering.md"), CODEX_TEXT).unwrap();
    Endpoint::start(Some(dir), extra)
}

/// The clients' folders' files, for byte-exact comparisons.
fn client_files(env: &TestEnv) -> BTreeMap<PathBuf, Vec<u8>> {
    [".claude", ".codex", ".gemini"]
        .iter()
        .filter(|dir| env.path(dir).is_dir())
        .flat_map(|dir| files_under(&env.path(dir)))
        .collect()
}

#[test]
fn the_users_own_prose_stays_byte_for_byte_and_what_the_org_drops_goes_everywhere() {
    let mut document = demo_document();
    let config = &mut document["config"];
    config["agent"]["../escape"] = json!({"description": "x", "prompt": "planted"});
    config["command"]["pair"] = json!({"template": "Pair on $1 with $2"});
    config["permission"] = json!({"bash": "deny", "edit": "allow", "webfetch": "ask"});
    let endpoint = org_with(&document, &[]);
    let env = TestEnv::new();
    // The user's own files, in odd shapes: no final newline, CRLF, a marker-like line, and an
    // agent with the org's agent's name.
    env.write(".claude/CLAUDE.md", b"mine\n");
    env.write(
        ".claude/agents/reviewer.md",
        b"---\nname: reviewer\n---\nMy reviewer\n",
    );
    env.write(
        ".codex/AGENTS.md",
        b"# Mine\r\n\r\n<!-- BEGIN ai-setup -->\r\nno newline",
    );
    env.write(
        ".claude/settings.json",
        b"{\n  // mine\n  \"permissions\": {\"deny\": [\"Read(./.env)\"]}\n}\n",
    );
    let before = client_files(&env);

    let login = env.login_with(&endpoint.url, &["--clients", CLIENTS]);
    assert_eq!(login.code, 0, "{login:?}");
    let out = login.all();
    for (file, user) in [
        (".claude/CLAUDE.md", &before[&env.path(".claude/CLAUDE.md")]),
        (
            ".claude/agents/reviewer.md",
            &before[&env.path(".claude/agents/reviewer.md")],
        ),
    ] {
        assert_eq!(&std::fs::read(env.path(file)).unwrap(), user, "{file}");
    }
    assert!(out.contains("the file is your own: kept"), "{out}");
    // The org's text goes on top of the user's, whose bytes follow untouched.
    let agents = std::fs::read(env.path(".codex/AGENTS.md")).unwrap();
    assert!(agents.ends_with(&before[&env.path(".codex/AGENTS.md")]));
    // In the file's own line endings.
    let agents = String::from_utf8_lossy(&agents).replace("\r\n", "\n");
    assert!(agents.contains(CODEX_TEXT.trim_end()), "{agents}");
    let rules = std::fs::read_to_string(env.path(".claude/rules/ai-setup-demo-corp.md")).unwrap();
    assert_eq!(rules, CODEX_TEXT);
    let gemini = std::fs::read_to_string(env.path(".gemini/GEMINI.md")).unwrap();
    assert!(gemini.contains(CODEX_TEXT.trim_end()));
    // Commands, with their placeholders in each client's spelling.
    let ticket = std::fs::read_to_string(env.path(".claude/commands/ticket.md")).unwrap();
    assert!(ticket.contains("Read ticket $ARGUMENTS with"), "{ticket}");
    let ticket = std::fs::read_to_string(env.path(".gemini/commands/ticket.toml")).unwrap();
    assert!(ticket.contains("Read ticket {{args}} with"), "{ticket}");
    assert!(env.path(".codex/skills/ticket/SKILL.md").is_file());
    assert!(env.path(".claude/commands/pair.md").is_file());
    assert!(!env.path(".gemini/commands/pair.toml").exists());
    assert!(
        out.contains("command 'pair': it uses several positional arguments"),
        "{out}"
    );
    // A name that is not a plain file name is written nowhere.
    assert!(
        out.contains(r#"agent "../escape": not a plain file name"#),
        "{out}"
    );
    let planted: Vec<PathBuf> = client_files(&env)
        .into_iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("planted"))
        .map(|(path, _)| path)
        .collect();
    assert!(planted.is_empty(), "{planted:?}");
    // Permissions only narrow: deny and ask beside the user's own rules, allow reported.
    let settings = std::fs::read_to_string(env.path(".claude/settings.json")).unwrap();
    assert!(settings.contains("// mine"));
    let settings: Value = jsonc(&settings);
    assert_eq!(
        settings["permissions"],
        json!({"deny": ["Read(./.env)", "Bash"], "ask": ["WebFetch"]})
    );
    assert!(
        out.contains("permission.edit: 'allow' is not written"),
        "{out}"
    );
    let codex = std::fs::read_to_string(env.path(".codex/config.toml")).unwrap();
    assert!(codex.contains("shell_tool = false"), "{codex}");
    let gemini: Value = jsonc(&std::fs::read_to_string(env.path(".gemini/settings.json")).unwrap());
    assert_eq!(gemini["tools"]["exclude"], json!(["run_shell_command"]));

    // `clients` and `doctor` say the same, with the user's own file named by its path.
    let clients = env.run(&["clients", "--json"]);
    let rows = clients.json()["clients"].as_array().unwrap().clone();
    let claude = rows.iter().find(|r| r["id"] == "claude-code").unwrap();
    assert!(
        claude["user_entries"]
            .as_array()
            .unwrap()
            .contains(&json!("~/.claude/agents/reviewer.md")),
        "{claude}"
    );
    assert!(
        claude["not_expressible"]
            .to_string()
            .contains("permission.edit: 'allow'"),
        "{claude}"
    );
    let doctor = env.run(&["doctor", "--json"]);
    let checks = doctor.json()["checks"].as_array().unwrap().clone();
    let expressible = checks.iter().find(|c| c["id"] == "expressible").unwrap();
    assert!(
        expressible["detail"]
            .as_str()
            .unwrap()
            .contains("Gemini CLI: instructions 'AGENTS.md'"),
        "{expressible}"
    );

    // A second sync writes nothing.
    let written = client_files(&env);
    let again = env.run(&["sync", "--json"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(client_files(&env), written);
    // Answered from the last run, and still saying what the clients cannot express.
    assert!(
        again
            .stdout
            .contains("permission.edit: 'allow' is not written"),
        "{again:?}"
    );

    // The org drops its command: it goes from every client, and so do the folders made for it.
    document["config"]["command"]
        .as_object_mut()
        .unwrap()
        .remove("ticket");
    endpoint.set_document(&document);
    let sync = env.run(&["sync"]);
    assert_eq!(sync.code, 0, "{sync:?}");
    for gone in [
        ".claude/commands/ticket.md",
        ".gemini/commands/ticket.toml",
        ".codex/skills/ticket",
    ] {
        assert!(
            !env.path(gone).exists(),
            "{gone} is pruned:\n{}\n{:?}",
            sync.all(),
            files_under(&env.path(".codex")).keys().collect::<Vec<_>>()
        );
    }

    // logout --restore gives every client folder back as it was.
    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert_eq!(client_files(&env), before);
}

fn jsonc(text: &str) -> Value {
    jsonc_parser::parse_to_serde_value(text, &Default::default()).unwrap()
}

/// What a recorded request gave the model besides the user's words: its system prompt and
/// every user message (where Claude Code puts its memory files).
fn context_of(request: &Value) -> String {
    format!("{}\n{}", request["system"], request["user_context"])
}

#[test]
fn claude_code_codex_and_opencode_send_the_org_rules_and_run_its_command() {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let mut document = demo_document();
    document["config"]["permission"]["bash"] = json!("deny");
    let endpoint = org_with(&document, &["--record", file.to_str().unwrap()]);
    let env = TestEnv::new();
    let login = env.login_with(&endpoint.url, &["--clients", "claude-code,codex"]);
    assert_eq!(login.code, 0, "{login:?}");
    let rule = "Every change ships with a test that fails without it.";

    // Claude Code: the command expands with its argument, the rules arrive with the request,
    // the org's subagent is offered, and the denied shell is not.
    let answer = ask(&env, "claude", &["-p", "/ticket TICK-42"]);
    assert!(answer.contains("Stand-in model"), "{answer}");
    let requests = recorded(&file);
    let main = requests
        .iter()
        .find(|r| {
            r["last_user"]
                .as_str()
                .unwrap()
                .contains("Read ticket TICK-42 with the tickets MCP server")
        })
        .unwrap_or_else(|| panic!("the command expanded: {requests:#?}"));
    let context = context_of(main);
    assert!(
        context.contains(rule),
        "the org rules reached Claude Code: {main}"
    );
    let tools = tools_of(main);
    assert!(
        !tools.contains(&"Bash"),
        "bash: deny takes the shell away: {tools:?}"
    );
    assert!(
        context.contains("Reviews a change against Demo Corp's engineering guidelines"),
        "the org's subagent is offered: {main}"
    );

    // Codex: the rules are in what it sends, before the user's words.
    std::fs::write(&file, b"").unwrap();
    let answer = ask(&env, "codex", &["exec", "--skip-git-repo-check", "hello"]);
    assert!(answer.contains("Stand-in model"), "{answer}");
    let requests = recorded(&file);
    let main = requests
        .iter()
        .find(|r| r["last_user"] == "hello")
        .unwrap_or_else(|| panic!("codex asked: {requests:#?}"));
    let context = context_of(main);
    assert!(
        context.contains(rule),
        "the org rules reached Codex: {main}"
    );
    let tools = tools_of(main);
    assert!(
        !tools
            .iter()
            .any(|t| t.contains("shell") || *t == "exec_command"),
        "shell_tool = false: {tools:?}"
    );

    // Codex runs the org's command as a skill: its text goes with the request.
    std::fs::write(&file, b"").unwrap();
    ask(
        &env,
        "codex",
        &["exec", "--skip-git-repo-check", "$ticket TICK-7"],
    );
    let requests = recorded(&file);
    assert!(
        requests.iter().any(|r| {
            let context = context_of(r);
            context.contains("Read ticket (the text given after $ticket)")
                && context.contains("$ticket TICK-7")
        }),
        "the skill's text was sent: {requests:#?}"
    );

    // OpenCode loads all of it itself, from the org's document: the command, the rules (the
    // URL it fetches) and the denied shell.
    let login = env.login_with(&endpoint.url, &["--clients", "opencode"]);
    assert_eq!(login.code, 0, "{login:?}");
    std::fs::write(&file, b"").unwrap();
    let answer = ask(&env, "opencode", &["run", "--command", "ticket", "TICK-9"]);
    assert!(answer.contains("Stand-in model"), "{answer}");
    let requests = recorded(&file);
    let main = requests
        .iter()
        .find(|r| {
            // The main model, not the small one that titles the session.
            r["model"] == "claude-sonnet-4-5"
                && r["last_user"]
                    .as_str()
                    .unwrap()
                    .contains("Read ticket TICK-9 with the tickets MCP server")
        })
        .unwrap_or_else(|| panic!("OpenCode expanded the command: {requests:#?}"));
    assert!(
        context_of(main).contains(rule),
        "OpenCode sent the org rules: {main}"
    );
    assert!(
        !tools_of(main).contains(&"bash"),
        "bash: deny takes OpenCode's shell away: {main}"
    );
}

#[test]
fn the_endpoint_serves_only_plain_names_from_the_org_docs_folder() {
    let endpoint = org_with(&demo_document(), &[]);
    let (status, body) = get(&format!("{}/docs/engineering.md", endpoint.url), None);
    assert_eq!((status, body.as_str()), (200, CODEX_TEXT));
    for name in [
        "..%2Fdiscovery.json",
        ".hidden",
        "missing.md",
        "%2E%2E%2Fusers.json",
    ] {
        let (status, body) = get(&format!("{}/docs/{name}", endpoint.url), None);
        assert_eq!(status, 404, "{name}: {body}");
    }
}

#[test]
fn instructions_that_cannot_be_fetched_are_named_and_left_out_and_the_rest_is_written() {
    // Another service on this machine, which the org must not make ai-setup read.
    let local_service = Endpoint::demo();
    let env = TestEnv::new();
    env.write("secret.txt", b"SECRET-IN-A-LOCAL-FILE");
    let mut document = demo_document();
    document["config"]["instructions"] = json!([
        "http://rules.example.invalid/plain-http.md",
        "{baseURL}/docs/missing.md",
        "{baseURL}/docs/engineering.md",
        "~/no-such-rules.md",
        "~/secret.txt",
        env.path("secret.txt").display().to_string(),
        format!("{}/.well-known/opencode", local_service.url),
    ]);
    let endpoint = org_with(&document, &[]);
    let login = env.login_with(&endpoint.url, &["--clients", "claude-code"]);
    assert_eq!(login.code, 0, "{login:?}");
    let out = login.all();
    for left_out in [
        "plain-http.md are left out",
        "missing.md are left out: HTTP 404",
        "~/no-such-rules.md are left out",
        "~/secret.txt are left out: ai-setup reads no file of this machine that the org names",
        "/.well-known/opencode are left out: ai-setup fetches instructions only from the org",
    ] {
        assert!(out.contains(left_out), "{left_out}:\n{out}");
    }
    let rules = std::fs::read_to_string(env.path(".claude/rules/ai-setup-demo-corp.md")).unwrap();
    assert_eq!(rules, CODEX_TEXT, "nothing but the org's own text");
    for (path, bytes) in client_files(&env) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRET-IN-A-LOCAL-FILE"),
            "{}",
            path.display()
        );
    }

    // Offline, the copy fetched before is used, and said to be.
    drop(endpoint);
    let sync = env.run(&["sync"]);
    assert!(
        sync.all().contains("engineering.md could not be fetched")
            && sync.all().contains("using the copy fetched before"),
        "the cached instructions are used: {sync:?}"
    );
    let again = std::fs::read_to_string(env.path(".claude/rules/ai-setup-demo-corp.md")).unwrap();
    assert_eq!(again, CODEX_TEXT);
}

#[test]
fn a_block_whose_end_marker_is_missing_leaves_the_file_alone_and_names_it() {
    let endpoint = org_with(&demo_document(), &[]);
    let env = TestEnv::new();
    let broken = b"# Mine\n<!-- BEGIN ai-setup demo-corp -->\nhalf an edit\n";
    env.write(".codex/AGENTS.md", broken);
    let login = env.login_with(&endpoint.url, &["--clients", "codex,claude-code"]);
    assert_eq!(
        login.code, 5,
        "one client failed, the other is configured: {login:?}"
    );
    let out = login.all();
    assert!(
        out.contains("AGENTS.md") && out.contains("has no line '<!-- END ai-setup demo-corp -->'"),
        "{out}"
    );
    assert_eq!(std::fs::read(env.path(".codex/AGENTS.md")).unwrap(), broken);
    assert!(env.path(".claude/rules/ai-setup-demo-corp.md").is_file());
}
