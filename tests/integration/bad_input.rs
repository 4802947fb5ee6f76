//! Every bad input a login can meet: each gives a clear message and the documented exit code,
//! and leaves every existing file as it was.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::rogue::{Rogue, http_response};
use crate::common::*;

/// A home with a user's OpenCode credentials and an earlier login's state, to prove a failed
/// login touches nothing.
fn lived_in_home() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        ".local/share/opencode/auth.json",
        b"{\n  \"zai\": {\n    \"type\": \"api\",\n    \"key\": \"sk-user\"\n  }\n}",
    );
    env.write(
        ".config/opencode/opencode.jsonc",
        b"// mine\n{ \"theme\": \"x\", }\n",
    );
    env
}

/// Runs a login that must fail with `code` and a message containing `needle`, changing nothing.
fn login_fails(env: &TestEnv, args: &[&str], code: i32, needle: &str) -> Run {
    let before = env.snapshot();
    let mut full = vec!["login"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--credential-store", "file", "--clients", "opencode"]);
    let run = env.run(&full);
    assert_eq!(run.code, code, "{run:?}");
    assert!(
        run.stderr.contains(needle),
        "expected {needle:?} in: {run:?}"
    );
    assert_eq!(
        env.snapshot(),
        before,
        "a failed login must leave every file as it was"
    );
    run
}

#[test]
fn malformed_json() {
    let rogue = Rogue::respond(
        "200 OK",
        &[("Content-Type", "application/json")],
        b"{\"auth\": {",
    );
    let run = login_fails(
        &lived_in_home(),
        &[&rogue.url, "--yes"],
        4,
        "is not valid JSON",
    );
    assert!(run.stderr.contains("hint:"), "{run:?}");
}

#[test]
fn wrong_types_name_the_key() {
    let body = br#"{"auth": {"command": ["ok", 42], "env": "T"}}"#;
    let rogue = Rogue::respond("200 OK", &[("Content-Type", "application/json")], body);
    login_fails(
        &lived_in_home(),
        &[&rogue.url, "--yes"],
        4,
        "bad value at 'auth.command[1]'",
    );
}

#[test]
fn a_config_opencode_would_refuse_is_refused_before_the_login_command_runs() {
    let marker = tempfile::tempdir().unwrap();
    let ran = marker.path().join("ran");
    let body = serde_json::json!({
        "auth": {"command": ["sh", "-c", format!("touch {}; echo t", ran.display())], "env": "T"},
        "config": {"mcp": {"docs": {"type": "remote", "url": "https://x", "retries": 3}}}
    });
    let rogue = Rogue::respond(
        "200 OK",
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    login_fails(
        &lived_in_home(),
        &[&rogue.url, "--yes"],
        4,
        "bad value at 'config.mcp.docs.retries': OpenCode has no such key",
    );
    assert!(!ran.exists(), "the login command did not run");

    let body = br#"{"auth": {"command": ["true"], "env": "T"}, "config": {"mcp": {"a": {"enabled": false}, "a": {"enabled": true}}}}"#;
    let rogue = Rogue::respond("200 OK", &[("Content-Type", "application/json")], body);
    login_fails(
        &lived_in_home(),
        &[&rogue.url, "--yes"],
        4,
        "has the key 'config.mcp.a' twice",
    );
}

#[test]
fn an_html_login_page_means_authentication_required() {
    let page = b"<!DOCTYPE html><html><body>Sign in to Cloudflare Access</body></html>";
    let rogue = Rogue::respond("200 OK", &[("Content-Type", "text/html")], page);
    let run = login_fails(&lived_in_home(), &[&rogue.url, "--yes"], 3, "login page");
    assert!(
        run.stderr.contains("--token-stdin"),
        "says how to get past it: {run:?}"
    );
}

#[test]
fn an_oversized_body_is_refused() {
    let body = vec![b' '; 2 * 1024 * 1024];
    let rogue = Rogue::respond("200 OK", &[("Content-Type", "application/json")], &body);
    login_fails(
        &lived_in_home(),
        &[&rogue.url, "--yes"],
        4,
        "sent more than 1024 KiB",
    );
}

#[test]
fn an_oversized_chunked_body_is_refused() {
    // No Content-Length: the limit must hold while reading.
    let mut response =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..20 {
        response.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        response.extend_from_slice(&chunk);
        response.extend_from_slice(b"\r\n");
    }
    response.extend_from_slice(b"0\r\n\r\n");
    let rogue = Rogue::start(response, Duration::ZERO);
    login_fails(
        &lived_in_home(),
        &[&rogue.url, "--yes"],
        4,
        "sent more than 1024 KiB",
    );
}

#[test]
fn a_slow_server_times_out() {
    let response = http_response("200 OK", &[], b"{}");
    let rogue = Rogue::start(response, Duration::from_secs(30));
    let env = lived_in_home().env("AI_SETUP_HTTP_TIMEOUT", "1");
    let started = Instant::now();
    login_fails(&env, &[&rogue.url, "--yes"], 4, "did not answer within");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_redirect_to_another_origin_is_refused() {
    let elsewhere = Rogue::respond("200 OK", &[], br#"{"auth": {"command": ["echo", "t"]}}"#);
    let location = format!("{}/.well-known/opencode", elsewhere.url);
    let rogue = Rogue::respond("302 Found", &[("Location", &location)], b"");
    login_fails(
        &lived_in_home(),
        &[&rogue.url, "--yes"],
        4,
        "redirect to another origin refused",
    );
    assert_eq!(elsewhere.requests(), 0, "the redirect was not followed");
}

#[test]
fn plain_http_off_loopback_is_refused_before_any_request() {
    // If a request were made it would go through this proxy; it must see none.
    let proxy = Rogue::respond("502 Bad Gateway", &[], b"");
    let env = lived_in_home()
        .env("HTTP_PROXY", &proxy.url)
        .env("http_proxy", &proxy.url)
        .env("ALL_PROXY", &proxy.url);
    let run = login_fails(
        &env,
        &["http://ai.example.com", "--yes"],
        4,
        "refusing plain HTTP",
    );
    assert!(run.stderr.contains("use https://ai.example.com"), "{run:?}");
    assert_eq!(proxy.requests(), 0);
}

#[test]
fn a_failing_auth_command_shows_its_stderr() {
    let endpoint = Endpoint::with_document(&document_with_auth(json!({
        "command": ["sh", "-c", "echo 'SSO says: account locked' >&2; exit 7"],
        "env": "T"
    })));
    let run = login_fails(
        &lived_in_home(),
        &[&endpoint.url, "--yes"],
        3,
        "failed with exit code 7",
    );
    assert!(run.stderr.contains("SSO says: account locked"), "{run:?}");
}

#[test]
fn a_token_printed_by_a_failing_login_command_is_never_repeated() {
    let token = jwt(json!({"sub": "dev@example.com", "exp": now() + 3600}));
    let script = format!(
        "echo 'debug: got {token}' >&2; echo 'retry: access_token=opaque-1234 Authorization: Bearer op-5678' >&2; exit 7"
    );
    let endpoint = Endpoint::with_document(&document_with_auth(json!({
        "command": ["sh", "-c", script],
        "env": "T"
    })));
    let env = lived_in_home();
    for json_output in [false, true] {
        let mut args = vec![endpoint.url.as_str(), "--yes"];
        if json_output {
            args.push("--json");
        }
        let run = login_fails(&env, &args, 3, "debug: got ***");
        for secret in [token.as_str(), "opaque-1234", "op-5678"] {
            assert!(!run.all().contains(secret), "{secret} in {run:?}");
        }
        assert!(run.stderr.contains("retry: access_token=***"), "{run:?}");
        if json_output {
            let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            let message = report["error"]["message"].as_str().unwrap();
            assert!(message.contains("failed with exit code 7"), "{message}");
            assert!(message.contains("debug: got ***"), "{message}");
        }
    }
}

#[test]
fn a_missing_auth_command_says_what_to_install() {
    let endpoint = Endpoint::with_document(&document_with_auth(json!({
        "command": ["no-such-sso-helper-xyz", "token"],
        "env": "T"
    })));
    let run = login_fails(
        &lived_in_home(),
        &[&endpoint.url, "--yes"],
        3,
        "`no-such-sso-helper-xyz` was not found",
    );
    assert!(run.stderr.contains("--token-stdin"), "{run:?}");
}

#[test]
fn an_auth_command_that_prints_nothing_fails() {
    let endpoint = Endpoint::with_document(&document_with_auth(
        json!({"command": ["true"], "env": "T"}),
    ));
    login_fails(
        &lived_in_home(),
        &[&endpoint.url, "--yes"],
        3,
        "printed no token",
    );
}

#[test]
fn a_jwt_among_other_output_is_the_token() {
    let token = jwt(json!({"sub": "u", "exp": now() + 600}));
    let endpoint = Endpoint::with_document(&document_with_auth(json!({
        "command": ["sh", "-c", format!("echo 'Successfully fetched your token:'; echo; echo {token}")],
        "env": "T"
    })));
    let env = TestEnv::new();
    let run = env.login_with(&endpoint.url, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(env.stored_token(&endpoint.url), token);
}

#[test]
fn an_expired_token_from_the_command_is_refused() {
    let token = jwt(json!({"sub": "u", "exp": now() - 60}));
    let endpoint = Endpoint::with_document(&document_with_auth(json!({
        "command": ["echo", token],
        "env": "T"
    })));
    login_fails(&lived_in_home(), &[&endpoint.url, "--yes"], 3, "expired");
}

#[test]
fn no_tty_without_yes_names_the_flag() {
    let endpoint = Endpoint::demo();
    let run = login_fails(&lived_in_home(), &[&endpoint.url], 2, "pass --yes");
    assert!(
        run.stderr.contains("dev-token"),
        "the command is shown in full: {run:?}"
    );
}

#[test]
fn a_required_keyring_that_is_unavailable_fails_and_writes_nothing() {
    let endpoint = Endpoint::demo();
    let env = lived_in_home();
    let before = env.snapshot();
    let run = env.run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--credential-store",
        "keyring",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("the OS keyring is not usable"),
        "{run:?}"
    );
    assert!(run.stderr.contains("--credential-store file"), "{run:?}");
    let new: Vec<_> = env
        .snapshot()
        .into_iter()
        .filter(|(p, b)| before.get(p) != Some(b))
        .map(|(p, _)| p)
        .filter(|p| !p.starts_with(env.path(".cache")) && !is_lock(p))
        .collect();
    assert!(
        new.is_empty(),
        "only the discovery cache and ai-setup's lock may be new: {new:?}"
    );
}

/// ai-setup's lock files (empty; they only carry the lock).
pub fn is_lock(path: &std::path::Path) -> bool {
    path.parent().is_some_and(|p| p.ends_with("ai-setup/locks"))
}

#[test]
fn auto_store_without_a_keyring_warns_before_using_the_file() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let run = env.run(&["login", &endpoint.url, "--yes", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("warning: no usable OS keyring"),
        "{run:?}"
    );
    let v = run.json();
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .contains("no usable OS keyring")
    );
    assert_eq!(v["credential_store"], "file");
    assert!(
        v["credential_location"]
            .as_str()
            .unwrap()
            .contains("credentials.json")
    );
    assert_eq!(
        env.run(&["status", "--json"]).json()["credential_store"],
        "file"
    );
    assert_eq!(env.run(&["token"]).code, 0);
}

#[test]
fn an_unparseable_client_file_is_left_alone_and_the_exit_code_says_partial() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let broken = b"{\"zai\": {\"type\": \"api\", \"key\": \"sk-user\"},,}";
    env.write(".local/share/opencode/auth.json", broken);
    let run = env.login(&endpoint.url);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(
        run.stdout.contains("line 1, column"),
        "names the position: {run:?}"
    );
    assert_eq!(std::fs::read(env.auth_json()).unwrap(), broken);
    assert_eq!(env.run(&["token"]).code, 0, "the login itself succeeded");
}

#[test]
fn a_read_only_client_file_is_left_alone_unless_forced() {
    use std::os::unix::fs::PermissionsExt;
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let mine = b"{\n  \"numStartups\": 3\n}\n";
    env.write(".claude.json", mine);
    let path = env.path(".claude.json");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = env.run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--clients",
        "claude-code,opencode",
    ]);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(
        run.stdout
            .contains(&format!("{} is read-only", path.display())),
        "names the file: {run:?}"
    );
    assert!(run.stdout.contains("--force"), "{run:?}");
    assert_eq!(std::fs::read(&path).unwrap(), mine, "untouched");
    assert!(!env.stored_token(&endpoint.url).is_empty(), "logged in");
    assert!(
        std::fs::read_to_string(env.auth_json()).is_ok_and(|a| a.contains(&endpoint.url)),
        "the other client is configured"
    );
    let run = env.run(&["sync", "--force", "--clients", "claude-code,opencode"]);
    assert_eq!(run.code, 0, "{run:?}");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.contains("numStartups") && written.contains("mcpServers"),
        "{written}"
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444, "the file keeps its mode");
}
