//! `ai-setup doctor`: each check passing on a healthy setup, then failing (or warning) when
//! that one thing is broken, with the fix it names. The JSON shape is the README's.

use std::path::Path;

use serde_json::Value;

use crate::common::{BIN, Endpoint, TestEnv};

/// `doctor --json` with ai-setup on PATH; the checks by id.
fn doctor(env: &TestEnv) -> (i32, Value, std::collections::BTreeMap<String, Value>) {
    let bin_dir = Path::new(BIN)
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let run = env.env_run(
        &["PATH", &format!("{bin_dir}:/usr/bin:/bin")],
        &["doctor", "--json"],
    );
    let json = run.json();
    let checks = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c.clone()))
        .collect();
    (run.code, json, checks)
}

fn status(checks: &std::collections::BTreeMap<String, Value>, id: &str) -> String {
    checks
        .get(id)
        .unwrap_or_else(|| panic!("no check {id}: {checks:?}"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An org folder serving the demo org, and a home logged in to it with OpenCode and Claude Code.
fn healthy(extra: &[&str]) -> (tempfile::TempDir, Endpoint, TestEnv) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("discovery.json"),
        include_str!("../../assets/demo/discovery.json"),
    )
    .unwrap();
    let mut args = vec!["--org-dir", dir.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    let endpoint = Endpoint::start(None, &args);
    let env = TestEnv::new();
    let login = env.login_with(&endpoint.url, &["--clients", "opencode,claude-code"]);
    assert_eq!(login.code, 0, "{login:?}");
    let install = env.run(&["service", "install", "--no-start"]);
    assert_eq!(install.code, 0, "{install:?}");
    (dir, endpoint, env)
}

#[test]
fn a_healthy_setup_passes_every_check() {
    let (_dir, endpoint, env) = healthy(&[]);
    let (code, json, checks) = doctor(&env);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["ok"], true);
    assert_eq!(json["org"], endpoint.url);
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert!(json["took_ms"].as_u64().is_some());
    for id in [
        "org",
        "endpoint",
        "version",
        "clock",
        "token",
        "credential_store",
        "clients",
        "drift",
        "file_modes",
        "path",
        "opencode_auth",
        "service",
    ] {
        assert_eq!(status(&checks, id), "ok", "{id}: {}", checks[id]);
        assert!(
            checks[id].get("fix").is_none(),
            "no fix for a passing check: {}",
            checks[id]
        );
    }
    let human = env.run(&["doctor"]);
    assert!(human.stdout.contains("0 failed"), "{human:?}");
}

#[test]
fn each_broken_thing_fails_its_check_with_the_fix() {
    let (dir, endpoint, env) = healthy(&[]);

    // Drift and a file that no longer parses.
    let settings = env.path(".claude/settings.json");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(
        &settings,
        text.replace("\"model\": \"claude-sonnet-4-5\"", "\"model\": \"mine\""),
    )
    .unwrap();
    let (_, _, checks) = doctor(&env);
    assert_eq!(status(&checks, "drift"), "warn", "{}", checks["drift"]);
    assert!(checks["drift"]["fix"].as_str().unwrap().contains("--force"));
    std::fs::write(&settings, "{ not json").unwrap();
    let (code, _, checks) = doctor(&env);
    assert_eq!(code, 1);
    assert_eq!(status(&checks, "clients"), "fail");
    assert!(
        checks["clients"]["detail"]
            .as_str()
            .unwrap()
            .contains("Claude Code")
    );
    std::fs::write(&settings, text).unwrap();

    // A secret file others can read.
    let credentials = env.path(".local/share/ai-setup/credentials.json");
    set_mode(&credentials, 0o644);
    let (_, _, checks) = doctor(&env);
    assert_eq!(status(&checks, "file_modes"), "fail");
    assert!(
        checks["file_modes"]["fix"]
            .as_str()
            .unwrap()
            .starts_with("chmod 600")
    );
    set_mode(&credentials, 0o600);

    // OpenCode's entry holding another token.
    let auth = env.auth_json();
    let original = std::fs::read_to_string(&auth).unwrap();
    let mut edited: Value = serde_json::from_str(&original).unwrap();
    edited[&endpoint.url]["token"] = "stale".into();
    std::fs::write(&auth, edited.to_string()).unwrap();
    let (_, _, checks) = doctor(&env);
    assert_eq!(status(&checks, "opencode_auth"), "fail");
    assert_eq!(checks["opencode_auth"]["fix"], "ai-setup sync");
    std::fs::write(&auth, original).unwrap();

    // ai-setup not on PATH.
    let run = env
        .env_run(&["PATH", "/usr/bin:/bin"], &["doctor", "--json"])
        .json();
    let path = run["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "path")
        .unwrap()
        .clone();
    assert_eq!(path["status"], "warn");
    assert!(path["fix"].as_str().unwrap().starts_with("add "), "{path}");

    // The org requires a newer ai-setup.
    let mut doc: Value = crate::common::demo_document();
    doc["ai_setup"]["min_version"] = "99.0.0".into();
    std::fs::write(dir.path().join("discovery.json"), doc.to_string()).unwrap();
    let (_, _, checks) = doctor(&env);
    assert_eq!(status(&checks, "version"), "fail");
    assert!(
        checks["version"]["fix"]
            .as_str()
            .unwrap()
            .contains("upgrade")
    );
    std::fs::write(
        dir.path().join("discovery.json"),
        include_str!("../../assets/demo/discovery.json"),
    )
    .unwrap();

    // No timer.
    assert_eq!(env.run(&["service", "uninstall", "--no-stop"]).code, 0);
    let (_, _, checks) = doctor(&env);
    assert_eq!(status(&checks, "service"), "warn");
    assert_eq!(checks["service"]["fix"], "ai-setup service install");

    // The token gone from the store.
    std::fs::write(&credentials, "{}").unwrap();
    let (_, _, checks) = doctor(&env);
    assert_eq!(status(&checks, "token"), "fail");
    assert_eq!(
        checks["token"]["fix"],
        format!("ai-setup login {}", endpoint.url)
    );

    // The credential store unreadable: the state says keyring, and there is no Secret Service.
    let state_path = env.path(".local/state/ai-setup/state.json");
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    state["orgs"][&endpoint.url]["credential_store"] = "keyring".into();
    std::fs::write(&state_path, state.to_string()).unwrap();
    let (_, _, checks) = doctor(&env);
    assert_eq!(
        status(&checks, "credential_store"),
        "fail",
        "{}",
        checks["credential_store"]
    );
    assert!(
        checks["credential_store"]["fix"]
            .as_str()
            .unwrap()
            .contains("--credential-store file")
    );
}

#[test]
fn an_endpoint_down_or_out_of_step_fails_its_checks() {
    let (_dir, mut endpoint, env) = healthy(&["--clock-offset", "-900"]);
    let (code, _, checks) = doctor(&env);
    assert_eq!(code, 1);
    assert_eq!(status(&checks, "clock"), "fail", "{}", checks["clock"]);
    assert!(
        checks["clock"]["detail"]
            .as_str()
            .unwrap()
            .starts_with("+9"),
        "{}",
        checks["clock"]
    );
    assert!(
        checks["clock"]["fix"]
            .as_str()
            .unwrap()
            .contains("network time")
    );

    endpoint.stop();
    let (code, _, checks) = doctor(&env);
    assert_eq!(code, 1);
    assert_eq!(status(&checks, "endpoint"), "fail");
    assert!(
        checks["endpoint"]["detail"]
            .as_str()
            .unwrap()
            .contains("cannot connect")
    );
    assert!(checks["endpoint"].get("fix").is_some());
    assert_eq!(status(&checks, "clock"), "skip");
    assert_eq!(status(&checks, "token"), "ok", "local checks still run");
}

#[test]
fn logged_out_says_to_log_in() {
    let env = TestEnv::new();
    let (code, json, checks) = doctor(&env);
    assert_eq!(code, 1);
    assert_eq!(json["ok"], false);
    assert_eq!(status(&checks, "org"), "fail");
    assert!(
        checks["org"]["fix"]
            .as_str()
            .unwrap()
            .starts_with("ai-setup login")
    );
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The proxy check tells the proxy from another program that took its port first, which would
/// see what clients send (SECURITY.md).
#[test]
fn the_proxy_check_tells_the_proxy_from_another_program_on_its_port() {
    let (_dir, endpoint, env) = healthy(&[]);
    let _ = endpoint;
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .to_string()
    };

    // Nobody there: said, not failed (the socket unit `healthy` installed is not running).
    let addr = free();
    let env = env.env("AI_SETUP_PROXY_ADDRESS", &addr);
    let (_, _, checks) = doctor(&env);
    assert_eq!(status(&checks, "proxy"), "warn", "{}", checks["proxy"]);
    assert!(
        checks["proxy"]["fix"]
            .as_str()
            .unwrap()
            .contains("ai-setup-proxy.socket")
    );

    // Another program on the port: a failure that says what it would see.
    let squatter = std::net::TcpListener::bind(&addr).unwrap();
    let answering = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut stream, _) = squatter.accept().unwrap();
        let mut buf = [0u8; 1024];
        let _ = stream.read(&mut buf);
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
    });
    let (code, _, checks) = doctor(&env);
    answering.join().unwrap();
    assert_eq!(status(&checks, "proxy"), "fail", "{}", checks["proxy"]);
    assert!(
        checks["proxy"]["detail"]
            .as_str()
            .unwrap()
            .contains("another program listens"),
        "{}",
        checks["proxy"]
    );
    assert_eq!(code, 1);

    // The proxy itself: fine.
    let mut proxy = env
        .command(BIN, &["proxy"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(proxy.stderr.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(
        first.contains(&addr),
        "it listens where the variable says: {first}"
    );
    let (_, _, checks) = doctor(&env);
    let _ = proxy.kill();
    let _ = proxy.wait();
    assert_eq!(status(&checks, "proxy"), "ok", "{}", checks["proxy"]);
}
