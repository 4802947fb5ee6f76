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
    let expanded = requests
        .iter()
        .find(|r| {
            r["last_user"]
                .as_str()
                .unwrap()
                .contains("Read ticket TICK-5 with the tickets MCP server")
        })
        .unwrap_or_else(|| panic!("the command expanded: {requests:#?}"));
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
    for (path, bytes) in files_under(&env.path(".pi")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "{} holds no token",
            path.display()
        );
    }

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
fn the_demo_ends_with_claude_code_codex_and_opencode_answering_through_the_demo_org() {
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
