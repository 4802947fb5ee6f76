//! Models through the org: the real clients, configured by `ai-setup login`, ask the reference
//! endpoint's stand-in model (`serve --record`, src/server/model.rs) and print its answer. The
//! recorded requests show what each client really sends: the path under the org's base URL,
//! the org token's user, a model the org offers, its system prompt and its tools.

use serde_json::Value;

use crate::common::*;

const PROMPT: &str = "Say hello to the ai-setup tests";

pub fn recorded(file: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The names of the tools a recorded request offered.
pub fn tools_of(request: &Value) -> Vec<&str> {
    request["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// The org's `/ticket` command with its argument, and its template as it reaches the model.
const TICKET: (&str, &str) = (
    "/ticket TICK-5",
    "Read ticket TICK-5 with the tickets MCP server",
);

/// The request in which the org's `/ticket TICK-5` reached the model, expanded.
fn ticket_expanded(requests: &[Value]) -> &Value {
    requests
        .iter()
        .find(|r| r["last_user"].as_str().unwrap().contains(TICKET.1))
        .unwrap_or_else(|| panic!("the command expanded: {requests:#?}"))
}

/// `program args` as a client runs for a person, with no key of its own in the environment.
pub fn ask(env: &TestEnv, program: &str, args: &[&str]) -> String {
    let mut command = env.command(client_cli(program).to_str().unwrap(), args);
    command
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("ANTHROPIC_AUTH_TOKEN")
        .env_remove("ANTHROPIC_BASE_URL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("CODEX_HOME")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1");
    client_output(&mut command, &format!("{program} {args:?}"))
}

/// A client run: program, its arguments, the path it calls, the model it asks for, and one org
/// MCP tool it is offered.
type Case = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    Option<&'static str>,
);

#[test]
fn claude_code_codex_and_opencode_answer_through_the_org_with_its_token_and_its_models() {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let endpoint = Endpoint::start(None, &["--record", file.to_str().unwrap()]);
    let env = TestEnv::new();
    let login = env.login_with(&endpoint.url, &["--clients", "opencode,claude-code,codex"]);
    assert_eq!(login.code, 0, "{login:?}");
    // What the demo org offers (assets/demo/discovery.json): its whitelists and models.
    let document = demo_document();
    let offered: Vec<String> = document["config"]["provider"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|p| {
            let listed = p["whitelist"].as_array().cloned().unwrap_or_default();
            let defined = p["models"]
                .as_object()
                .map(|m| m.keys().map(|k| Value::from(k.as_str())).collect())
                .unwrap_or_else(Vec::new);
            listed.into_iter().chain(defined)
        })
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect();

    // Claude Code defers MCP tools behind its tool search, so none is listed for it.
    let cases: [Case; 3] = [
        (
            "claude",
            &["-p", PROMPT],
            "/anthropic/v1/messages",
            "claude-sonnet-4-5",
            None,
        ),
        (
            "codex",
            &["exec", "--skip-git-repo-check", PROMPT],
            "/openai/v1/responses",
            // The org's default is an Anthropic model: Codex gets the first OpenAI model the
            // org offers, not its own built-in default.
            "gpt-5",
            Some("mcp__docs"),
        ),
        (
            "opencode",
            &["run", PROMPT],
            "/anthropic/v1/messages",
            "claude-sonnet-4-5",
            Some("docs_whoami"),
        ),
    ];
    for (program, args, path, model, mcp_tool) in cases {
        std::fs::write(&file, b"").unwrap();
        let answer = ask(&env, program, args);
        assert!(
            answer.contains(&format!("Stand-in model {model} of the org endpoint here")),
            "{program} printed the org model's answer:\n{answer}"
        );
        let requests = recorded(&file);
        assert!(!requests.is_empty(), "{program} sent no model request");
        for request in &requests {
            assert_eq!(request["path"], path, "{program}: {request}");
            assert_eq!(request["user"], "dev@demo.example", "{program}: {request}");
            let asked = request["model"].as_str().unwrap();
            assert!(
                offered.iter().any(|m| m == asked),
                "{program} asked for {asked}, which the org does not offer ({offered:?})"
            );
        }
        let main = requests
            .iter()
            .find(|r| r["model"] == model && r["last_user"].as_str().unwrap().contains(PROMPT))
            .unwrap_or_else(|| panic!("{program} asked {model} the prompt: {requests:?}"));
        assert!(
            main["system"].as_str().unwrap().len() > 100,
            "{program} sent its system prompt: {main}"
        );
        let tools = tools_of(main);
        assert!(!tools.is_empty(), "{program} offered tools: {main}");
        if let Some(tool) = mcp_tool {
            assert!(
                tools.contains(&tool),
                "{program} offered the org's MCP tool {tool}: {tools:?}"
            );
        }
    }
    // The token went only where it belongs: not into the record.
    let token = env.stored_token(&endpoint.url);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(&token));
}

/// pi (real, from the npm registry) answers through the org: its custom provider's key is
/// `!ai-setup-token`, which it runs at each request, so the org sees the org token while no
/// file of pi's holds one; `logout --restore` takes its files away again.
#[test]
fn pi_answers_through_the_org_with_a_token_from_the_helper() {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let endpoint = Endpoint::start(None, &["--record", file.to_str().unwrap()]);
    let env = TestEnv::new();
    // The user's own provider, which stays as it is.
    let mine = b"{\n  \"providers\": {\n    \"mine\": {\"baseUrl\": \"http://localhost:11434/v1\", \"api\": \"openai-completions\", \"apiKey\": \"ollama\", \"models\": [{\"id\": \"llama3.1:8b\"}]}\n  }\n}\n";
    env.write(".pi/agent/models.json", mine);
    let login = env.login_with(&endpoint.url, &["--clients", "pi"]);
    assert_eq!(login.code, 0, "{login:?}");
    let token = env.stored_token(&endpoint.url);
    let models: Value =
        serde_json::from_slice(&std::fs::read(env.path(".pi/agent/models.json")).unwrap()).unwrap();
    assert_eq!(models["providers"]["mine"]["apiKey"], "ollama");
    assert!(
        models["providers"]["demo-corp-anthropic"]["apiKey"]
            .as_str()
            .unwrap()
            .starts_with('!'),
        "{models}"
    );

    let answer = ask(&env, "pi", &["-p", "hello from pi"]);
    assert!(
        answer.contains("Stand-in model claude-sonnet-4-5 of the org endpoint here"),
        "{answer}"
    );
    // The org's command, a prompt template, expands with its argument, and the org's rules
    // (a block of ~/.pi/agent/AGENTS.md) go with the request.
    ask(&env, "pi", &["-p", "/ticket TICK-5"]);
    let requests = recorded(&file);
    let expanded = ticket_expanded(&requests);
    assert!(
        expanded["system"]
            .as_str()
            .unwrap()
            .contains("Every change ships with a test that fails without it."),
        "the org rules reached pi: {expanded}"
    );
    assert!(!requests.is_empty(), "pi reached the org");
    for request in &requests {
        assert_eq!(request["path"], "/anthropic/v1/messages", "{request}");
        assert_eq!(
            request["user"], "dev@demo.example",
            "the org token: {request}"
        );
        assert_eq!(
            request["model"], "claude-sonnet-4-5",
            "the org's default: {request}"
        );
    }
    assert_no_token_under(&env.path(".pi"), &token);

    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert_eq!(
        std::fs::read(env.path(".pi/agent/models.json")).unwrap(),
        mine,
        "the user's models.json byte for byte"
    );
    let settings = std::fs::read_to_string(env.path(".pi/agent/settings.json")).unwrap_or_default();
    assert!(!settings.contains("demo-corp"), "{settings}");
}

#[test]
fn the_stand_in_model_wants_the_org_token() {
    let endpoint = Endpoint::demo();
    for path in [
        "/anthropic/v1/messages",
        "/openai/v1/responses",
        "/compat/v1/chat/completions",
    ] {
        let status = post_form(&format!("{}{path}", endpoint.url), &[("model", "x")]);
        assert_eq!(status, 401, "{path}");
    }
    let status = post_form(&format!("{}/openai/v1/embeddings", endpoint.url), &[]);
    assert_eq!(status, 404, "no model API there");
}

#[test]
fn the_demo_ends_with_claude_code_codex_opencode_and_gemini_answering_through_the_demo_org() {
    let tools = client_cli("claude").parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(tools).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let env = TestEnv::new().env("PATH", path.to_str().unwrap());
    let run = env.run(&["demo", "--json", "--no-dashboard"]);
    assert_eq!(run.code, 0, "{run:?}");
    let steps = run.json()["steps"].as_array().unwrap().clone();
    for (program, model) in [
        ("claude", "claude-sonnet-4-5"),
        ("codex", "gpt-5"),
        ("opencode", "claude-sonnet-4-5"),
        ("gemini", "gemini-2.5-pro"),
    ] {
        let step = steps
            .iter()
            .find(|s| s["command"].as_str().unwrap().starts_with(program))
            .unwrap_or_else(|| panic!("{program} was asked: {steps:#?}"));
        assert_eq!(step["exit_code"], 0, "{step}");
        assert!(
            step["output"]
                .as_str()
                .unwrap()
                .contains(&format!("Stand-in model {model} of the org endpoint here")),
            "{program} answered through the demo org: {step}"
        );
    }
    // The files listed are what ai-setup wrote, not the clients' own sessions and caches.
    let files = run.json()["files"].to_string();
    assert!(files.contains(".claude/settings.json"), "{files}");
    assert!(!files.contains("opencode/snapshot"), "{files}");
    // The proxy the demo's login started for Gemini CLI stops when the demo ends.
    let state = env.path(".cache/ai-setup/demo/home/.local/state/ai-setup");
    assert!(!state.join("proxy-secret").exists());
    let stopped = (0..40).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::fs::read_to_string(state.join("proxy.log")).is_ok_and(|log| log.contains("stopping"))
    });
    assert!(stopped, "the demo's proxy stopped");
}

#[test]
fn claude_code_codex_and_opencode_call_an_org_mcp_tool_and_send_its_result_back() {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let endpoint = Endpoint::start(None, &["--record", file.to_str().unwrap()]);
    let env = TestEnv::new().env("ENABLE_TOOL_SEARCH", "false");
    let login = env.login_with(&endpoint.url, &["--clients", "opencode,claude-code,codex"]);
    assert_eq!(login.code, 0, "{login:?}");
    // The words that make the stand-in model call the tool (src/server/model.rs, `Turn`).
    let prompt = "Please use the whoami tool";
    // Claude Code and Codex ask before running an MCP tool; the tool is allowed for this one
    // run, on the command line.
    let cases: [(&str, &[&str], &str); 3] = [
        (
            "claude",
            &["-p", prompt, "--allowedTools", "mcp__docs__whoami"],
            "mcp__docs__whoami",
        ),
        (
            "codex",
            &[
                "exec",
                "--skip-git-repo-check",
                "-c",
                "mcp_servers.docs.default_tools_approval_mode=\"approve\"",
                prompt,
            ],
            "mcp__docs__whoami",
        ),
        ("opencode", &["run", prompt], "docs_whoami"),
    ];
    for (program, args, tool) in cases {
        std::fs::write(&file, b"").unwrap();
        let answer = ask(&env, program, args);
        let requests = recorded(&file);
        let called = requests.iter().any(|r| {
            tools_of(r).contains(&tool) && r["last_user"].as_str().unwrap().contains(prompt)
        });
        assert!(called, "{program} offered {tool}: {requests:#?}");
        let result = requests
            .iter()
            .find_map(|r| r["tool_result"].as_str())
            .unwrap_or_else(|| panic!("{program} sent the tool's result back: {requests:#?}"));
        // The demo org's MCP server answers whoami with the token's user.
        assert!(result.contains("dev@demo.example"), "{program}: {result}");
        assert!(
            answer.contains("The tool answered:") && answer.contains("dev@demo.example"),
            "{program} printed the answer made from the tool's result:\n{answer}"
        );
    }
}

/// POSTs `body` as JSON with one extra header; the status and the response's body.
fn post_json(url: &str, header: (&str, &str), body: &Value) -> (u16, String) {
    use std::io::{Read, Write};
    let (host, path) = url.trim_start_matches("http://").split_once('/').unwrap();
    let body = body.to_string();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{}: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        header.0,
        header.1,
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

#[test]
fn the_stand_in_model_speaks_gemini_generate_content_whole_and_streamed() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    assert_eq!(
        env.login_with(&endpoint.url, &["--clients", "codex"]).code,
        0
    );
    let token = env.stored_token(&endpoint.url);
    let request = serde_json::json!({
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "contents": [{"role": "user", "parts": [{"text": "hello gemini"}]}],
    });
    let base = format!("{}/google/v1beta/models/gemini-2.5-pro", endpoint.url);
    let (status, body) = post_json(
        &format!("{base}:generateContent"),
        ("x-goog-api-key", &token),
        &request,
    );
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    let text = answer["candidates"][0]["content"]["parts"][0]["text"]
        .as_str()
        .unwrap();
    assert_eq!(
        text,
        "Stand-in model gemini-2.5-pro of the org endpoint here. You said: hello gemini"
    );
    let (status, body) = post_json(
        &format!("{base}:streamGenerateContent?alt=sse"),
        ("x-goog-api-key", &token),
        &request,
    );
    assert_eq!(status, 200, "{body}");
    let chunk: Value =
        serde_json::from_str(body.lines().find_map(|l| l.strip_prefix("data: ")).unwrap()).unwrap();
    assert_eq!(chunk["candidates"][0]["content"]["parts"][0]["text"], text);
    let (status, _) = post_json(
        &format!("{base}:generateContent"),
        ("x-goog-api-key", "not-a-token"),
        &request,
    );
    assert_eq!(status, 401);
    // A body that is not a JSON object is refused, whatever the API.
    let (status, body) = post_json(
        &format!("{}/anthropic/v1/messages", endpoint.url),
        ("x-api-key", &token),
        &serde_json::json!(["not", "an", "object"]),
    );
    assert_eq!(status, 400, "{body}");
}

/// A client that reaches the org through `ai-setup proxy`, as a person meets it: the user's
/// own files before, a `login` that starts the proxy, the real CLI run from a project folder.
struct ProxiedClient {
    id: &'static str,
    program: &'static str,
    /// The flags of a non-interactive run (before `PROMPT_FLAG PROMPT`), and those that also
    /// let it run the org's tool without asking (`None`: the stand-in model cannot make it).
    flags: &'static [&'static str],
    tool_flags: Option<&'static [&'static str]>,
    /// The flag before the prompt (`-p`), or none.
    prompt_flag: Option<&'static str>,
    /// How the client runs the org's `ticket` command non-interactively, and the words of it
    /// that then reach the model, with the org's rules.
    command: Option<(&'static str, &'static str)>,
    /// The client offers the org's `reviewer` agent to the model as a subagent.
    offers_agents: bool,
    /// The path prefix and model its requests reach the org with.
    path: &'static str,
    model: &'static str,
    /// The client's folder under home, and the user's own files in it (restored byte for byte).
    dir: &'static str,
    user_files: &'static [(&'static str, &'static [u8])],
    /// Variables of the user's environment that would take the place of what ai-setup wrote.
    unset: &'static [&'static str],
    /// The client rewrites its JSON files itself when it runs (Qwen Code adds `$version` and
    /// its own layout, Cline its state): the user's keys are then checked one by one.
    rewrites_its_files: bool,
}

fn answers_through_the_proxy_that_login_started(client: &ProxiedClient) {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let endpoint = Endpoint::start(None, &["--record", file.to_str().unwrap()]);
    let env = TestEnv::new();
    for (path, bytes) in client.user_files {
        env.write(path, bytes);
    }
    let login = env.login_with(&endpoint.url, &["--clients", client.id]);
    assert_eq!(login.code, 0, "{login:?}");
    assert!(
        login.stdout.contains("Model proxy: started on"),
        "{login:?}"
    );
    let status = env.run(&["status", "--json"]).json();
    assert_eq!(status["proxy"]["state"], "running", "{status}");
    let token = env.stored_token(&endpoint.url);

    // From a project folder below home, as a person runs it.
    let project = env.path("work/project");
    std::fs::create_dir_all(&project).unwrap();
    let run = |flags: &[&str], prompt: &str| {
        let mut args = flags.to_vec();
        args.extend(client.prompt_flag);
        args.push(prompt);
        let mut command = env.command(client_cli(client.program).to_str().unwrap(), &args);
        command.current_dir(&project);
        for var in client.unset {
            command.env_remove(var);
        }
        client_output(&mut command, &format!("{} {args:?}", client.program))
    };
    let answer = run(client.flags, "hello through the proxy");
    assert!(
        answer.contains(&format!(
            "Stand-in model {} of the org endpoint here. You said: hello through the proxy",
            client.model
        )),
        "{answer}"
    );
    if let Some((prompt, expanded)) = client.command {
        run(client.flags, prompt);
        let requests = recorded(&file);
        let sent = requests
            .iter()
            .map(|r| format!("{}{}", r["system"], r["user_context"]))
            .find(|sent| sent.contains(expanded))
            .unwrap_or_else(|| panic!("{prompt} expanded: {requests:#?}"));
        assert!(
            sent.contains("Every change ships with a test that fails without it."),
            "the org rules reached {}: {sent}",
            client.program
        );
    }
    if client.offers_agents {
        let requests = recorded(&file);
        assert!(
            requests.iter().any(|r| {
                let offered = format!("{}{}", r["user_context"], r["tool_descriptions"]);
                offered.contains("reviewer")
                    && offered
                        .contains("Reviews a change against Demo Corp's engineering guidelines")
            }),
            "{} offered the org's reviewer: {requests:#?}",
            client.program
        );
    }
    // The org's tool, through `ai-setup mcp bridge`, allowed for this one run.
    if let Some(tool_flags) = client.tool_flags {
        let mut answer = run(tool_flags, "Please use the whoami tool");
        // Droid starts its MCP servers beside the first request: on a loaded machine the org's
        // may not be listed yet, and the model answers in words. One more try, as a person would.
        if !answer.contains("The tool answered:") {
            answer = run(tool_flags, "Please use the whoami tool");
        }
        assert!(
            answer.contains("The tool answered:") && answer.contains("dev@demo.example"),
            "{} printed the answer made from the tool's result:\n{answer}",
            client.program,
        );
        let requests = recorded(&file);
        assert!(
            requests
                .iter()
                .any(|r| tools_of(r).iter().any(|t| t.ends_with("whoami"))),
            "the org tool was offered: {requests:#?}"
        );
    }

    let requests = recorded(&file);
    assert!(!requests.is_empty(), "{requests:#?}");
    for request in &requests {
        assert!(
            request["path"].as_str().unwrap().starts_with(client.path),
            "{request}"
        );
        assert_eq!(
            request["model"], client.model,
            "a model the org offers: {request}"
        );
        assert_eq!(
            request["user"], "dev@demo.example",
            "the org token: {request}"
        );
        assert_eq!(
            request["client"], client.id,
            "the proxy names the client: {request}"
        );
    }
    assert_no_token_under(&env.path(client.dir), &token);

    // --restore gives the user's files back byte for byte.
    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    for (path, bytes) in client.user_files {
        let now = std::fs::read(env.path(path)).unwrap();
        if client.rewrites_its_files && path.ends_with(".json") {
            // Every key of the user's is back with its value, and nothing of ai-setup's is
            // left; the keys the client added of its own accord stay.
            let text = String::from_utf8(now).unwrap();
            let (now, mine) = (jsonc(&text), jsonc(std::str::from_utf8(bytes).unwrap()));
            for (key, value) in mine.as_object().unwrap() {
                assert_eq!(&now[key], value, "{path}: {key}");
            }
            let proxied = format!("/{}/", client.id);
            assert!(
                !text.contains(&proxied) && !text.contains("\"bridge\""),
                "{path}: {text}"
            );
        } else {
            assert_eq!(&now, bytes, "{path}");
        }
    }
}

/// Gemini CLI takes its endpoint only from environment variables, which ai-setup keeps out of
/// reach of the token: it is pointed at `ai-setup proxy` with the machine's local secret, in a
/// block of `~/.gemini/.env`. The user's own `.env` and a Google login chosen before come back
/// at logout. `--skip-trust` is what Gemini CLI asks for in a folder not yet trusted (a trusted
/// one reads `~/.gemini/.env` alike).
#[test]
fn gemini_cli_answers_through_the_proxy_that_login_started_and_calls_an_org_tool() {
    answers_through_the_proxy_that_login_started(&ProxiedClient {
        id: "gemini",
        program: "gemini",
        flags: &["--skip-trust"],
        tool_flags: Some(&["--skip-trust", "--yolo"]),
        prompt_flag: Some("-p"),
        command: Some(TICKET),
        offers_agents: false,
        path: "/google/v1beta/models/gemini-2.5-pro:",
        model: "gemini-2.5-pro",
        dir: ".gemini",
        user_files: &[
            (".gemini/.env", b"# my tools\nOTHER_TOOL_HOME=/opt/other\n"),
            (
                ".gemini/settings.json",
                b"{\n  \"security\": { \"auth\": { \"selectedType\": \"oauth-personal\" } }\n}\n",
            ),
        ],
        unset: &["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL"],
        rewrites_its_files: false,
    });
}

/// Qwen Code speaks Chat Completions to the org's `openai` provider through the proxy, with
/// the local secret in a block of `~/.qwen/.env` (here one with no final newline).
#[test]
fn qwen_code_answers_through_the_proxy_that_login_started_and_calls_an_org_tool() {
    answers_through_the_proxy_that_login_started(&ProxiedClient {
        id: "qwen",
        program: "qwen",
        flags: &[],
        // Qwen Code offers MCP tools through its `tool_search` unless that tool is excluded,
        // which the stand-in model does not use.
        tool_flags: Some(&["--yolo", "--exclude-tools", "tool_search"]),
        prompt_flag: Some("-p"),
        command: Some(TICKET),
        offers_agents: false,
        path: "/openai/v1/chat/completions",
        model: "gpt-5",
        dir: ".qwen",
        user_files: &[
            (
                ".qwen/settings.json",
                b"{\n  // mine\n  \"ui\": { \"theme\": \"GitHub\" }\n}\n",
            ),
            (".qwen/.env", b"OTHER_TOOL_HOME=/opt/other"),
        ],
        unset: &["OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"],
        rewrites_its_files: true,
    });
}

/// Continue's CLI gets the org's default model (an Anthropic one here) as an entry of its
/// `models`, through the proxy, with `${{ secrets.AI_SETUP_LOCAL_SECRET }}` from a block of
/// `~/.continue/.env`.
#[test]
fn continue_cli_answers_through_the_proxy_that_login_started_and_calls_an_org_tool() {
    answers_through_the_proxy_that_login_started(&ProxiedClient {
        id: "continue",
        program: "cn",
        flags: &[],
        tool_flags: Some(&["--auto"]),
        prompt_flag: Some("-p"),
        // Continue gets the org's commands as skills, which `cn -p "/NAME"` does not run.
        command: None,
        offers_agents: false,
        path: "/anthropic/v1/messages",
        model: "claude-sonnet-4-5",
        dir: ".continue",
        user_files: &[
            (
                ".continue/config.yaml",
                b"name: Mine\nversion: 1.0.0\nschema: v1\n# my own models come later\n",
            ),
            (".continue/.env", b"MY_OTHER_SECRET=x\n"),
        ],
        unset: &["AI_SETUP_LOCAL_SECRET"],
        rewrites_its_files: false,
    });
}

/// Factory's Droid gets the org's default model as a custom model through the proxy, with the
/// local secret as its key in its settings (0600), and runs without a Factory account.
#[test]
fn droid_answers_through_the_proxy_that_login_started_and_calls_an_org_tool() {
    answers_through_the_proxy_that_login_started(&ProxiedClient {
        id: "droid",
        program: "droid",
        flags: &["exec"],
        // Droid defers MCP tools: the stand-in model loads the org's with its ToolSearch first.
        // `droid exec` runs an MCP tool only at `--auto high` ("insufficient permission" below).
        tool_flags: Some(&["exec", "--auto", "high"]),
        prompt_flag: None,
        command: Some(TICKET),
        offers_agents: true,
        path: "/anthropic/v1/messages",
        model: "claude-sonnet-4-5",
        dir: ".factory",
        user_files: &[(
            ".factory/settings.json",
            b"{\n  \"cloudSessionSync\": false,\n  \"sessionDefaultSettings\": {\n    \"model\": \"gpt-5.6-sol\"\n  }\n}\n",
        )],
        unset: &["FACTORY_API_KEY"],
        rewrites_its_files: false,
    });
}

/// Cline's CLI speaks Chat Completions to the org's `openai` provider through the proxy: the
/// provider and model the user chose in `cline auth` are taken over and given back at logout,
/// and the local secret is its OpenAI-compatible key in `secrets.json` (0600). It answers and
/// calls tools only as calls of its own `attempt_completion`, which the stand-in model makes.
#[test]
fn cline_cli_answers_through_the_proxy_that_login_started_and_calls_an_org_tool() {
    answers_through_the_proxy_that_login_started(&ProxiedClient {
        id: "cline",
        program: "cline",
        flags: &["-y"],
        tool_flags: Some(&["-y"]),
        prompt_flag: None,
        // A global workflow, which takes no arguments: its words, and what follows it.
        command: Some((
            "/ticket.md TICK-5",
            "Read ticket (the text given after /ticket.md) with the tickets MCP server",
        )),
        offers_agents: false,
        path: "/openai/v1/chat/completions",
        model: "gpt-5",
        dir: ".cline",
        user_files: &[(
            ".cline/data/globalState.json",
            b"{\n  \"actModeApiProvider\": \"anthropic\",\n  \"planModeApiProvider\": \"anthropic\",\n  \"welcomeViewCompleted\": true\n}\n",
        )],
        unset: &["CLINE_DIR"],
        rewrites_its_files: true,
    });
}

/// Copilot CLI takes its provider from environment variables only. After `login`, a login
/// shell has them (a block of `~/.profile`), and so has a desktop session (the
/// `environment.d` file, read here by systemd's own generator); the key is a command, the token
/// helper, so Copilot reaches the org directly.
#[test]
fn copilot_cli_answers_through_the_org_from_a_shell_started_after_login() {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let endpoint = Endpoint::start(None, &["--record", file.to_str().unwrap()]);
    let env = TestEnv::new();
    let profile: &[u8] = b"# my profile\nexport EDITOR=vi\n";
    let bashrc: &[u8] = b"# my bashrc, no final newline";
    env.write(".profile", profile);
    env.write(".bashrc", bashrc);
    let login = env.login_with(&endpoint.url, &["--clients", "copilot"]);
    assert_eq!(login.code, 0, "{login:?}");
    assert!(
        !login.stdout.contains("Model proxy"),
        "no proxy needed: {login:?}"
    );

    // What a desktop session gets: systemd's environment.d generator, on this home.
    let generator =
        "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator";
    let out = std::process::Command::new(generator)
        .env_clear()
        .env("HOME", env.path(""))
        .env("XDG_CONFIG_HOME", env.path(".config"))
        .output()
        .unwrap_or_else(|e| panic!("{generator} (apt systemd): {e}"));
    let desktop = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        desktop.contains("COPILOT_MODEL=claude-sonnet-4-5"),
        "{desktop}"
    );
    assert!(
        desktop.contains("COPILOT_PROVIDER_TYPE=anthropic"),
        "{desktop}"
    );
    assert!(
        desktop.contains(&format!(
            "COPILOT_PROVIDER_BASE_URL={}/anthropic\n",
            endpoint.url
        )),
        "{desktop}"
    );

    // What a login shell started after login gets.
    let copilot = client_cli("copilot");
    let ask_in_a_shell = |prompt: &str| {
        let script = format!("{} -p '{prompt}' --allow-all-tools", copilot.display());
        let mut command = env.command("bash", &["-lc", &script]);
        for var in [
            "COPILOT_PROVIDER_BASE_URL",
            "COPILOT_PROVIDER_TYPE",
            "COPILOT_PROVIDER_API_KEY_COMMAND",
            "COPILOT_MODEL",
            "GH_TOKEN",
            "GITHUB_TOKEN",
        ] {
            command.env_remove(var);
        }
        client_output(&mut command, &format!("copilot -p {prompt:?}"))
    };
    let answer = ask_in_a_shell("hello from copilot");
    assert!(
        answer.contains(
            "Stand-in model claude-sonnet-4-5 of the org endpoint here. You said: hello from copilot"
        ),
        "{answer}"
    );
    let answer = ask_in_a_shell("Please use the whoami tool");
    assert!(
        answer.contains("The tool answered:") && answer.contains("dev@demo.example"),
        "copilot printed the answer made from the tool's result:\n{answer}"
    );
    let requests = recorded(&file);
    assert!(!requests.is_empty());
    for request in &requests {
        assert_eq!(request["path"], "/anthropic/v1/messages", "{request}");
        assert_eq!(
            request["user"], "dev@demo.example",
            "the org token: {request}"
        );
        assert_eq!(request["model"], "claude-sonnet-4-5", "{request}");
    }
    let token = env.stored_token(&endpoint.url);
    assert_no_token_under(&env.path(".copilot"), &token);
    assert_no_token_under(&env.path(".config/environment.d"), &token);

    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert_eq!(std::fs::read(env.path(".profile")).unwrap(), profile);
    assert_eq!(std::fs::read(env.path(".bashrc")).unwrap(), bashrc);
    assert!(
        !env.path(".config/environment.d/60-ai-setup-copilot.conf")
            .exists()
    );
}
