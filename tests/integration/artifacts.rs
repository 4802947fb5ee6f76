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

/// The files under `dirs` of the home, for byte-exact comparisons.
fn files_in(env: &TestEnv, dirs: &[&str]) -> BTreeMap<PathBuf, Vec<u8>> {
    dirs.iter()
        .filter(|dir| env.path(dir).is_dir())
        .flat_map(|dir| files_under(&env.path(dir)))
        .collect()
}

/// Claude Code's, Codex's and Gemini CLI's folders' files.
fn client_files(env: &TestEnv) -> BTreeMap<PathBuf, Vec<u8>> {
    files_in(env, &[".claude", ".codex", ".gemini"])
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
    // An agent every client with subagents can take (the demo's reviewer switches tools off,
    // which a Codex role cannot).
    let helper = "Drafts release notes in Demo Corp's house style";
    document["config"]["agent"]["notes"] =
        json!({"description": helper, "prompt": "You draft release notes."});
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
    // The org's agent is a role Codex offers to the model, in its tools' descriptions.
    assert!(
        requests
            .iter()
            .any(|r| r["tool_descriptions"].as_str().unwrap().contains(helper)),
        "Codex offers the org's agent: {requests:#?}"
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
    assert!(
        main["tool_descriptions"].as_str().unwrap().contains(helper),
        "OpenCode offers the org's agent: {main}"
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

/// The folders the other clients keep their rules, workflows, skills and prompts in.
const OTHER_DIRS: &[&str] = &[
    ".codeium",
    "Documents/Cline",
    ".continue",
    ".config/Code",
    ".config/goose",
];

fn other_client_files(env: &TestEnv) -> BTreeMap<PathBuf, Vec<u8>> {
    files_in(env, OTHER_DIRS)
}

/// Windsurf, Cline, Continue, VS Code and Goose: the org's instructions in each one's rules
/// file or folder, its commands as their workflows, skills or prompt files (with the
/// arguments in each one's spelling), its agents as VS Code custom agents; the user's bytes,
/// and the user's own file of the same name, untouched; pruned when the org drops them;
/// nothing left after `logout --restore`.
#[test]
fn the_other_clients_get_the_orgs_rules_and_commands_as_their_own_files() {
    let mut document = demo_document();
    // Every client enabled, so that `sync` keeps each one this home has.
    document["ai_setup"]["clients"]
        .as_object_mut()
        .unwrap()
        .remove("enabled");
    let config = &mut document["config"];
    config["agent"]["helper"] =
        json!({"description": "Helps", "prompt": "You help with the org's code."});
    config["command"]["pair"] = json!({"description": "Pair", "template": "Pair on $1 with $2"});
    config["command"]["sweep"] = json!({"template": "Sweep the repo"});
    let endpoint = org_with(&document, &[]);
    let env = TestEnv::new();
    // The user's own rules, in odd shapes, and a prompt file with the org command's name.
    env.write(
        ".codeium/windsurf/memories/global_rules.md",
        b"Use tabs.\r\nNo final newline",
    );
    env.write(".config/goose/.goosehints", b"goose: mine\n");
    env.write("Documents/Cline/Rules/mine.md", b"# Mine\n");
    env.write(".config/Code/User/prompts/ticket.prompt.md", b"my ticket\n");
    env.write(
        ".continue/config.yaml",
        b"name: Mine\nversion: 1.0.0\nschema: v1\n# mine\n",
    );
    let before = other_client_files(&env);

    let clients = "windsurf,cline,continue,vscode,goose";
    let login = env.login_with(&endpoint.url, &["--clients", clients]);
    assert_eq!(login.code, 0, "{login:?}");
    let out = login.all();
    let read = |rel: &str| {
        std::fs::read_to_string(env.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}\n{out}"))
    };
    let text = CODEX_TEXT.trim_end();

    // Blocks on top of the user's own rules, whose bytes follow as they were.
    for (file, user) in [
        (
            ".codeium/windsurf/memories/global_rules.md",
            "Use tabs.\r\nNo final newline",
        ),
        (".config/goose/.goosehints", "goose: mine\n"),
    ] {
        let rules = read(file);
        assert!(rules.ends_with(user), "{file}: {rules}");
        assert!(
            rules.replace("\r\n", "\n").contains(text),
            "{file}: {rules}"
        );
        assert!(
            rules.contains("<!-- BEGIN ai-setup demo-corp -->"),
            "{rules}"
        );
    }
    // Files of ai-setup's own in rules folders, with the frontmatter each client wants.
    assert_eq!(
        read("Documents/Cline/Rules/ai-setup-demo-corp.md"),
        CODEX_TEXT
    );
    assert_eq!(read("Documents/Cline/Rules/mine.md"), "# Mine\n");
    let continue_rules = read(".continue/rules/ai-setup-demo-corp.md");
    assert!(
        continue_rules.starts_with("---\nname: \"demo-corp rules\"\nalwaysApply: true\n---\n"),
        "{continue_rules}"
    );
    assert!(continue_rules.contains(text));
    let vscode_rules = read(".config/Code/User/prompts/ai-setup-demo-corp.instructions.md");
    assert!(
        vscode_rules.contains("\napplyTo: \"**\"\n"),
        "{vscode_rules}"
    );
    assert!(vscode_rules.contains(text));

    // Commands: the arguments in words where a client has no placeholder, as inputs in VS Code.
    let workflow = read(".codeium/windsurf/global_workflows/ticket.md");
    assert!(
        workflow.contains("Read ticket (the text given after /ticket) with"),
        "{workflow}"
    );
    assert!(workflow.starts_with("---\ndescription: \"Summarise a ticket"));
    let workflow = read("Documents/Cline/Workflows/ticket.md");
    assert!(
        workflow.contains("Read ticket (the text given after /ticket.md) with"),
        "{workflow}"
    );
    let skill = read(".continue/skills/ticket/SKILL.md");
    assert!(
        skill.starts_with("---\nname: ticket\ndescription: "),
        "{skill}"
    );
    assert!(skill.contains("(the text given after /ticket)"), "{skill}");
    let prompt = read(".config/Code/User/prompts/pair.prompt.md");
    assert!(
        prompt.contains("Pair on ${input:arg1} with ${input:arg2}"),
        "{prompt}"
    );
    // The user's own prompt file with the org's name stays, and the report says so.
    assert_eq!(
        read(".config/Code/User/prompts/ticket.prompt.md"),
        "my ticket\n"
    );
    assert!(out.contains("the file is your own: kept"), "{out}");
    // Positional arguments cannot be carried where there are no placeholders.
    for gone in [
        ".codeium/windsurf/global_workflows/pair.md",
        "Documents/Cline/Workflows/pair.md",
        ".continue/skills/pair",
    ] {
        assert!(!env.path(gone).exists(), "{gone}");
    }
    assert!(
        out.contains(
            "command 'pair': it uses positional arguments ($1 …), which Windsurf cannot tell apart"
        ),
        "{out}"
    );
    // Agents: VS Code's custom agents, except one that switches tools off; reported elsewhere.
    let agent = read(".config/Code/User/prompts/helper.agent.md");
    assert!(agent.contains("You help with the org's code."), "{agent}");
    assert!(
        !env.path(".config/Code/User/prompts/reviewer.agent.md")
            .exists()
    );
    assert!(
        out.contains("agent 'reviewer': it switches tools off"),
        "{out}"
    );
    // Continue's own config keeps its comment and gets only the MCP servers.
    assert!(read(".continue/config.yaml").contains("# mine\n"));

    // `clients` says what each cannot express.
    let listing = env.run(&["clients", "--json"]);
    let rows = listing.json()["clients"].as_array().unwrap().clone();
    let goose = rows.iter().find(|r| r["id"] == "goose").unwrap();
    assert!(
        goose["not_expressible"]
            .to_string()
            .contains("commands (ticket, pair, sweep): this client has no such files"),
        "{goose}"
    );

    // A second sync writes nothing.
    let written = other_client_files(&env);
    let again = env.run(&["sync"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(other_client_files(&env), written);

    // The org drops a command, an agent and its instructions: gone from every client.
    let config = document["config"].as_object_mut().unwrap();
    config["command"].as_object_mut().unwrap().remove("sweep");
    config["agent"].as_object_mut().unwrap().remove("helper");
    config.remove("instructions");
    endpoint.set_document(&document);
    let sync = env.run(&["sync"]);
    assert_eq!(sync.code, 0, "{sync:?}");
    for gone in [
        ".codeium/windsurf/global_workflows/sweep.md",
        "Documents/Cline/Workflows/sweep.md",
        ".continue/skills/sweep",
        ".config/Code/User/prompts/sweep.prompt.md",
        "Documents/Cline/Rules/ai-setup-demo-corp.md",
        ".continue/rules/ai-setup-demo-corp.md",
        ".config/Code/User/prompts/helper.agent.md",
    ] {
        assert!(
            !env.path(gone).exists(),
            "{gone} is pruned:\n{}",
            sync.all()
        );
    }
    assert_eq!(read(".config/goose/.goosehints"), "goose: mine\n");

    // logout --restore gives every folder back byte for byte.
    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert_eq!(other_client_files(&env), before);
}
