//! `ai-setup mcp bridge` and `ai-setup exec`, driven by a real MCP client (the MCP inspector
//! CLI) against the reference endpoint and against `@modelcontextprotocol/server-everything`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::rogue::Rogue;
use crate::common::*;

/// Runs the MCP inspector CLI against `ai-setup mcp bridge NAME`; returns its parsed output.
fn inspector(env: &TestEnv, name: &str, method: &[&str]) -> Value {
    let inspector = client_cli("mcp-inspector");
    let mut args = vec!["--cli", BIN, "mcp", "bridge", name, "--method"];
    args.extend_from_slice(method);
    let out = env
        .command(inspector.to_str().unwrap(), &args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "inspector failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `@modelcontextprotocol/server-everything` in `mode` on a free port; stopped on drop.
struct Everything(Child, u16);

impl Everything {
    fn start(mode: &str) -> Self {
        let port = free_port();
        // Owned by the guard at once, so that it is stopped even if it never comes up.
        let server = Everything(
            Command::new(client_cli("mcp-server-everything"))
                .arg(mode)
                .env("PORT", port.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
            port,
        );
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("server-everything did not start");
    }
}

impl Drop for Everything {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_real_mcp_client_lists_and_calls_tools_through_the_bridge() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);

    let tools = inspector(&env, "docs", &["tools/list"]);
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["whoami", "echo"]);
    // The reference server answers only with a valid token: this proves the bridge sent it.
    let who = inspector(&env, "tickets", &["tools/call", "--tool-name", "whoami"]);
    assert_eq!(
        who["content"][0]["text"],
        "dev@demo.example (MCP server 'tickets')"
    );
}

#[test]
fn the_bridge_speaks_streamable_http_and_legacy_sse_to_server_everything() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    let http = Everything::start("streamableHttp");
    let sse = Everything::start("sse");
    env.write(
        ".config/ai-setup/config.json",
        json!({"mcp": {
            "everything": {"type": "remote", "url": format!("http://127.0.0.1:{}/mcp", http.1)},
            "everything-sse": {"type": "remote", "url": format!("http://127.0.0.1:{}/sse", sse.1)}
        }})
        .to_string()
        .as_bytes(),
    );
    for name in ["everything", "everything-sse"] {
        let tools = inspector(&env, name, &["tools/list"]);
        assert!(
            tools["tools"].as_array().unwrap().len() >= 3,
            "{name}: {tools}"
        );
        let echo = inspector(
            &env,
            name,
            &[
                "tools/call",
                "--tool-name",
                "echo",
                "--tool-arg",
                "message=over the bridge",
            ],
        );
        assert_eq!(
            echo["content"][0]["text"], "Echo: over the bridge",
            "{name}"
        );
    }
}

/// A bridge process with its stdin and stdout, for talking JSON-RPC by hand.
struct Bridge {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Bridge {
    fn start(env: &TestEnv, name: &str) -> Self {
        let mut child = env
            .command(BIN, &["mcp", "bridge", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Bridge { child, stdout }
    }

    fn call(&mut self, message: Value) -> Value {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}})
}

#[test]
fn after_a_401_the_bridge_retries_once_with_the_current_token() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut first = Endpoint::start(None, &["--listen", &listen]);
    let env = TestEnv::new();
    assert_eq!(env.login(&first.url).code, 0);
    let mut bridge = Bridge::start(&env, "docs");
    assert!(bridge.call(initialize())["result"].is_object());

    // The endpoint restarts with a new signing key: the bridge's token is no longer valid.
    // The user logs in again; the running bridge must pick the new token up on the 401.
    first.stop();
    let second = Endpoint::start(None, &["--listen", &listen]);
    assert_eq!(env.login(&second.url).code, 0);
    let answer = bridge.call(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "whoami", "arguments": {}}}));
    assert_eq!(
        answer["result"]["content"][0]["text"], "dev@demo.example (MCP server 'docs')",
        "{answer}"
    );
}

#[test]
fn a_refused_token_becomes_a_json_rpc_error_not_a_hang() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut first = Endpoint::start(None, &["--listen", &listen]);
    let env = TestEnv::new();
    assert_eq!(env.login(&first.url).code, 0);
    let mut bridge = Bridge::start(&env, "docs");
    assert!(bridge.call(initialize())["result"].is_object());
    first.stop();
    let _second = Endpoint::start(None, &["--listen", &listen]);
    let answer = bridge.call(json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list"}));
    assert_eq!(answer["id"], 7);
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("refused the token (HTTP 401)"),
        "{message}"
    );
    assert!(message.contains("ai-setup login"), "{message}");
}

#[test]
fn the_org_token_is_not_sent_to_another_origin() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    let body = br#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"x","version":"1"}}}"#;
    let elsewhere = Rogue::respond("200 OK", &[("Content-Type", "application/json")], body);
    env.write(
        ".config/ai-setup/config.json",
        json!({"mcp": {"third-party": {"type": "remote", "url": format!("{}/mcp", elsewhere.url)}}})
            .to_string()
            .as_bytes(),
    );
    let mut bridge = Bridge::start(&env, "third-party");
    assert!(bridge.call(initialize())["result"].is_object());
    let request = elsewhere.last_request().to_lowercase();
    assert!(request.starts_with("post /mcp"), "{request}");
    assert!(!request.contains("authorization"), "{request}");
    assert!(!request.contains(&env.stored_token(&endpoint.url).to_lowercase()));
}

#[test]
fn exec_runs_a_local_server_with_the_token_in_its_environment() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    let seen = env.path("seen-token");
    env.write(
        ".config/ai-setup/config.json",
        json!({"mcp": {"probe": {
            "type": "local",
            "command": ["sh", "-c", format!("printf %s \"$PROBE_TOKEN\" > '{}'", seen.display())],
            "environment": {"PROBE_TOKEN": "{env:DEMO_AI_TOKEN}"}
        }}})
        .to_string()
        .as_bytes(),
    );
    let run = env.run(&["exec", "probe"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        std::fs::read_to_string(&seen).unwrap(),
        env.stored_token(&endpoint.url)
    );

    let run = env.run(&["exec", "docs"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("ai-setup mcp bridge docs"), "{run:?}");
    let run = env.run(&["mcp", "bridge", "probe"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("ai-setup exec probe"), "{run:?}");
    let run = env.run(&["exec", "nope"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("known servers:"), "{run:?}");
}
