//! Each command against the real reference endpoint, in a temporary home.

use serde_json::json;

use crate::common::*;

fn login(env: &TestEnv, url: &str) -> Run {
    let run = env.login(url);
    assert_eq!(run.code, 0, "{run:?}");
    run
}

/// `ai-setup token ARGS`, checked to be exactly what the token helper (`ai-setup-token ARGS`,
/// which client files run) prints and exits with.
fn ask_token(env: &TestEnv, args: &[&str]) -> Run {
    let mut full = vec!["token"];
    full.extend(args);
    let run = env.run(&full);
    let helper = env.run_helper(args);
    assert_eq!(
        (helper.code, &helper.stdout, &helper.stderr),
        (run.code, &run.stdout, &run.stderr),
        "the helper answers `token {args:?}` as ai-setup does"
    );
    run
}

#[test]
fn login_stores_the_token_and_writes_the_opencode_entry() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    // The user's own OpenCode credentials must survive, in their order.
    env.write(
        ".local/share/opencode/auth.json",
        br#"{"zai": {"type": "api", "key": "sk-user"}, "anthropic": {"type": "oauth", "refresh": "r", "access": "a", "expires": 1}}"#,
    );
    let run = login(&env, &endpoint.url);
    assert!(run.stdout.contains("Logged in to Demo Corp"), "{run:?}");
    assert!(run.stdout.contains("as dev@demo.example"), "{run:?}");

    let token = env.stored_token(&endpoint.url);
    assert_eq!(
        token.split('.').count(),
        3,
        "a JWT from the demo org's command"
    );
    let auth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.auth_json()).unwrap()).unwrap();
    let keys: Vec<&String> = auth.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["zai", "anthropic", endpoint.url.as_str()]);
    assert_eq!(auth["zai"], json!({"type": "api", "key": "sk-user"}));
    assert_eq!(
        auth[&endpoint.url],
        json!({"type": "wellknown", "key": "DEMO_AI_TOKEN", "token": token})
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&env.auth_json()), 0o600);
        assert_eq!(
            mode(&env.path(".local/share/ai-setup/credentials.json")),
            0o600
        );
    }
}

#[test]
fn status_reports_identity_expiry_and_store() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    login(&env, &endpoint.url);

    let run = env.run(&["status"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("dev@demo.example"), "{run:?}");
    assert!(run.stdout.contains("expires in 60 minutes"), "{run:?}");
    assert!(
        run.stdout.contains("credentials.json (mode 0600)"),
        "{run:?}"
    );

    let run = env.run(&["status", "--json"]);
    let v = run.json();
    assert_eq!(v["logged_in"], true);
    assert_eq!(v["org"], endpoint.url.as_str());
    assert_eq!(v["org_name"], "Demo Corp");
    assert_eq!(v["identity"], "dev@demo.example");
    assert_eq!(v["token"], "valid");
    assert_eq!(v["credential_store"], "file");
    assert_eq!(v["clients"][0]["id"], "opencode");
    assert_eq!(v["clients"][0]["configured"], true);
    let expires = v["expires_at"].as_str().unwrap();
    assert!(expires.ends_with('Z'), "{expires}");
}

#[test]
fn status_without_login_says_how_to_log_in() {
    let env = TestEnv::new();
    let run = env.run(&["status"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stdout.contains("ai-setup login"), "{run:?}");
    assert_eq!(env.run(&["status", "--json"]).json()["logged_in"], false);
}

#[test]
fn token_prints_only_the_token_in_each_format() {
    let mut endpoint = Endpoint::demo();
    let env = TestEnv::new();
    login(&env, &endpoint.url);
    let token = env.stored_token(&endpoint.url);

    let run = ask_token(&env, &[]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, format!("{token}\n"));
    assert_eq!(run.stderr, "");
    assert_eq!(
        ask_token(&env, &["--format", "header"]).stdout,
        format!("Authorization: Bearer {token}\n")
    );
    let headers: serde_json::Value =
        serde_json::from_str(&ask_token(&env, &["--format", "headers"]).stdout).unwrap();
    assert_eq!(headers, json!({"Authorization": format!("Bearer {token}")}));
    let v: serde_json::Value =
        serde_json::from_str(&ask_token(&env, &["--format", "json"]).stdout).unwrap();
    assert_eq!(v["token"], token.as_str());
    assert_eq!(
        ask_token(&env, &["--org", &endpoint.url]).stdout,
        format!("{token}\n")
    );

    assert_eq!(
        ask_token(
            &env,
            &[&format!("--org={}", endpoint.url), "--format=header"]
        )
        .stdout,
        format!("Authorization: Bearer {token}\n")
    );
    // `token` is answered before the whole command line is parsed; what that quick path does
    // not know goes to the full parser, which answers as for any command.
    for wrong in [
        &["--format", "yaml"][..],
        &["--org", "a", "--org", "b"],
        &["--format", "raw", "--format", "json"],
        &["--org"],
        &["--org", "--format"],
        &["extra"],
    ] {
        let run = ask_token(&env, wrong);
        assert_eq!(run.code, 2, "{wrong:?}: {run:?}");
        assert!(
            run.stderr.starts_with("error: "),
            "{wrong:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{wrong:?}");
    }
    let run = ask_token(&env, &["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("--format"), "{}", run.stdout);
    let run = env.run(&["-v", "token"]);
    assert_eq!(
        (run.code, run.stdout.clone()),
        (0, format!("{token}\n")),
        "{run:?}"
    );

    // A cached valid token needs no network: the endpoint being down changes nothing.
    endpoint.stop();
    assert_eq!(ask_token(&env, &[]).stdout, format!("{token}\n"));
}

#[test]
fn token_without_login_or_after_expiry_exits_3_with_one_hint() {
    let env = TestEnv::new();
    let run = ask_token(&env, &[]);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("ai-setup login"), "{run:?}");

    // A token that expires two seconds after login.
    let endpoint = Endpoint::start(None, &["--token-ttl", "2"]);
    login(&env, &endpoint.url);
    assert_eq!(ask_token(&env, &[]).code, 0);
    std::thread::sleep(std::time::Duration::from_millis(3100));
    // Run one after the other, the two may word how long ago differently.
    for run in [env.run(&["token"]), env.run_helper(&[])] {
        assert_eq!(run.code, 3, "{run:?}");
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains("expired"), "{run:?}");
        assert!(
            run.stderr
                .contains(&format!("ai-setup login {}", endpoint.url))
        );
    }
    let run = env.run(&["status", "--json"]);
    assert_eq!(run.code, 3);
    assert_eq!(run.json()["token"], "expired");
}

#[test]
fn sync_reapplies_writes_nothing_when_nothing_changed_and_uses_the_etag() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    login(&env, &endpoint.url);
    let before = std::fs::read(env.auth_json()).unwrap();
    let state_file = env.path(".local/state/ai-setup/state.json");
    let state = || {
        let meta = std::fs::metadata(&state_file).unwrap();
        (
            std::fs::read(&state_file).unwrap(),
            meta.modified().unwrap(),
        )
    };
    let (state_before, logged_in) = (state(), env.run(&["status", "--json"]).json());
    // The next second, so that a new time of the sync shows.
    std::thread::sleep(std::time::Duration::from_millis(1100));

    let run = env.run(&["sync", "--json", "--clients", "opencode"]);
    assert_eq!(run.code, 0, "{run:?}");
    let v = run.json();
    assert_eq!(
        v["discovery"]["kind"], "not_modified",
        "the ETag was sent and honoured"
    );
    assert_eq!(v["clients"][0]["files"][0]["outcome"], "unchanged");
    assert_eq!(std::fs::read(env.auth_json()).unwrap(), before);
    // Nor is ai-setup's own state rewritten, and yet `status` knows the sync is newer.
    assert!(state() == state_before, "state.json is left alone");
    let synced = env.run(&["status", "--json"]).json();
    assert!(
        synced["last_sync"].as_str() > logged_in["last_sync"].as_str(),
        "{synced} after {logged_in}"
    );

    // OpenCode's entry was removed behind our back: sync puts it back.
    std::fs::write(env.auth_json(), "{}").unwrap();
    let run = env.run(&["sync", "--clients", "opencode"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(std::fs::read(env.auth_json()).unwrap(), before);
}

/// The timer's `sync` (no `--clients`) keeps to the clients the user named at login, even one
/// the org does not enable by default and that is not installed here; `--clients installed`
/// goes back to the default, which leaves the others' files alone and no longer updates them.
#[test]
fn a_sync_without_clients_keeps_to_the_clients_named_at_login() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let run = env.login_with(&endpoint.url, &["--clients", "opencode,qwen"]);
    assert_eq!(run.code, 0, "{run:?}");
    let qwen = env.path(".qwen/settings.json");
    let written = std::fs::read(&qwen).unwrap();
    let ids = |run: &Run| -> Vec<String> {
        run.json()["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };

    let run = env.run(&["sync", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(ids(&run), ["opencode", "qwen"]);
    assert_eq!(std::fs::read(&qwen).unwrap(), written, "left as it was");

    let run = env.run(&["sync", "--json", "--clients", "installed"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!ids(&run).contains(&"qwen".to_string()), "{run:?}");
    assert_eq!(std::fs::read(&qwen).unwrap(), written, "left alone");
    let run = env.run(&["sync", "--json"]);
    assert!(!ids(&run).contains(&"qwen".to_string()), "{run:?}");
}

#[test]
fn sync_uses_the_last_good_document_when_the_endpoint_is_down() {
    let mut endpoint = Endpoint::demo();
    let env = TestEnv::new();
    login(&env, &endpoint.url);
    endpoint.stop();
    let run = env.run(&["sync", "--json", "--clients", "opencode"]);
    assert_eq!(run.code, 0, "{run:?}");
    let v = run.json();
    assert_eq!(v["discovery"]["kind"], "offline_cache");
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .contains("using the copy of the org's configuration fetched"),
        "{v}"
    );
    assert!(run.stderr.contains("warning: cannot connect"), "{run:?}");
}

#[test]
fn sync_without_login_exits_3() {
    let env = TestEnv::new();
    let run = env.run(&["sync"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("ai-setup login"), "{run:?}");
}

#[test]
fn logout_removes_the_credential_and_only_our_opencode_entry() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    env.write(
        ".local/share/opencode/auth.json",
        br#"{"zai": {"type": "api", "key": "sk-user"}}"#,
    );
    login(&env, &endpoint.url);

    let dry = env.run(&["logout", "--dry-run"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains("would update"), "{dry:?}");
    assert!(env.auth_json().exists());
    assert!(
        std::fs::read_to_string(env.auth_json())
            .unwrap()
            .contains("wellknown")
    );

    let run = env.run(&["logout", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["credential_removed"], true);
    let auth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.auth_json()).unwrap()).unwrap();
    assert_eq!(auth, json!({"zai": {"type": "api", "key": "sk-user"}}));
    let creds =
        std::fs::read_to_string(env.path(".local/share/ai-setup/credentials.json")).unwrap();
    assert!(!creds.contains(&endpoint.url), "{creds}");
    assert_eq!(env.run(&["token"]).code, 3);
    assert_eq!(
        env.run(&["logout"]).code,
        3,
        "logging out twice says not logged in"
    );
}

#[test]
fn login_with_a_supplied_token_does_not_run_the_command() {
    let marker = tempfile::tempdir().unwrap();
    let marker_file = marker.path().join("ran");
    let endpoint = Endpoint::with_document(&document_with_auth(json!({
        "command": ["sh", "-c", format!("touch {}; echo t", marker_file.display())],
        "env": "DEMO_AI_TOKEN"
    })));
    let token = jwt(json!({"sub": "ci-bot", "exp": now() + 600}));

    let env = TestEnv::new();
    let run = env.login_with_token(&endpoint.url, &format!("{token}\n"));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(env.stored_token(&endpoint.url), token);
    assert!(!marker_file.exists(), "the login command must not run");

    let env = TestEnv::new().env("MY_TOKEN", &token);
    let run = env.run(&[
        "login",
        &endpoint.url,
        "--token-env",
        "MY_TOKEN",
        "--credential-store",
        "file",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["login_method"], "env");
    assert_eq!(run.json()["identity"], "ci-bot");
    assert!(!marker_file.exists());

    let run = TestEnv::new().run(&["login", &endpoint.url, "--token-env", "UNSET_VARIABLE_X"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("UNSET_VARIABLE_X is not set"),
        "{run:?}"
    );
}

#[test]
fn the_accepted_command_is_remembered_and_a_changed_one_asks_again() {
    let org = tempfile::tempdir().unwrap();
    let write_doc = |cmd: &str| {
        let doc = document_with_auth(json!({"command": ["sh", "-c", cmd], "env": "T"}));
        std::fs::write(org.path().join("discovery.json"), doc.to_string()).unwrap();
    };
    write_doc("echo token-one");
    let endpoint = Endpoint::start(None, &["--org-dir", org.path().to_str().unwrap()]);
    let env = TestEnv::new();
    let first = env.login_with(&endpoint.url, &[]);
    assert_eq!(first.code, 0, "{first:?}");
    let again = env.run(&["login", &endpoint.url, "--credential-store", "file"]);
    assert_eq!(again.code, 0, "accepted before: no --yes needed: {again:?}");

    write_doc("echo token-two");
    let changed = env.run(&["login", &endpoint.url, "--credential-store", "file"]);
    assert_eq!(changed.code, 2, "{changed:?}");
    assert!(changed.stderr.contains("--yes"), "{changed:?}");
    assert!(
        changed.stderr.contains("echo token-two"),
        "the new command is shown in full"
    );
    assert_eq!(env.stored_token(&endpoint.url), "token-one");
}

#[test]
fn dry_run_changes_nothing_runs_nothing_and_shows_the_diff() {
    let marker = tempfile::tempdir().unwrap();
    let marker_file = marker.path().join("ran");
    let endpoint = Endpoint::with_document(&document_with_auth(json!({
        "command": ["sh", "-c", format!("touch {}; echo t", marker_file.display())],
        "env": "DEMO_AI_TOKEN"
    })));
    let env = TestEnv::new();
    env.write(
        ".local/share/opencode/auth.json",
        b"{\n  \"zai\": {\n    \"type\": \"api\",\n    \"key\": \"sk-secret-user-key\"\n  }\n}",
    );
    let before = env.snapshot();
    let run = env.run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--dry-run",
        "--clients",
        "opencode",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!marker_file.exists(), "a dry run runs no login command");
    assert!(run.stdout.contains("+  \""), "a unified diff: {run:?}");
    assert!(run.stdout.contains("\"type\": \"wellknown\""), "{run:?}");
    assert!(
        !run.stdout.contains("sk-secret-user-key"),
        "credentials are masked in diffs"
    );
    let after = env.snapshot();
    let changed: Vec<_> = after
        .iter()
        .filter(|(p, b)| before.get(*p) != Some(*b) && !crate::bad_input::is_lock(p))
        .map(|(p, _)| p.strip_prefix(&env.home).unwrap().to_path_buf())
        .collect();
    // Only ai-setup's own memory of the accepted command (what --yes said) may be written,
    // under its lock.
    assert_eq!(
        changed,
        [std::path::PathBuf::from(".local/state/ai-setup/state.json")]
    );
}

#[test]
fn bad_flags_and_a_missing_url_are_usage_errors() {
    let env = TestEnv::new();
    let run = env.run(&["login", "--no-such-flag"]);
    assert_eq!(run.code, 2, "{run:?}");
    let run = env.run(&["login"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no org URL given"), "{run:?}");
}

#[test]
fn unknown_client_ids_are_named() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let run = env.run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--clients",
        "opencode,nope",
        "--credential-store",
        "file",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("unknown client 'nope'"), "{run:?}");
    assert!(
        run.stderr.contains("supported clients: opencode"),
        "{run:?}"
    );
}

#[test]
fn serve_fills_base_url_from_the_request_and_honours_if_none_match() {
    use std::io::{Read, Write};
    let endpoint = Endpoint::demo();
    let addr = endpoint.url.trim_start_matches("http://").to_string();
    let get = |host: &str, etag: Option<&str>| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        let extra = etag
            .map(|e| format!("If-None-Match: {e}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "GET /.well-known/opencode HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let port = addr.rsplit(':').next().unwrap();
    let response = get(&format!("localhost:{port}"), None);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(&format!("http://localhost:{port}/anthropic/v1")));
    let etag = response
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .expect("an ETag")
        .trim()
        .to_string();
    assert!(get(&format!("localhost:{port}"), Some(&etag)).starts_with("HTTP/1.1 304"));
    let other = get(&addr, Some(&etag));
    assert!(
        other.starts_with("HTTP/1.1 200"),
        "another base URL is another document"
    );
    assert!(other.contains(&format!("http://{addr}/anthropic/v1")));
}

#[test]
fn serve_refuses_a_broken_org_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("discovery.json"),
        r#"{"auth": {"command": "not-a-list"}}"#,
    )
    .unwrap();
    let run = TestEnv::new().run(&[
        "serve",
        "--org-dir",
        dir.path().to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("'auth.command'"), "{run:?}");
}

#[test]
fn demo_logs_in_to_the_demo_org_in_a_sandbox() {
    let env = TestEnv::new();
    let run = env.run(&["demo", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let v = run.json();
    let home = std::path::PathBuf::from(v["home"].as_str().unwrap());
    assert!(
        home.starts_with(
            env.home
                .canonicalize()
                .unwrap()
                .join(".cache/ai-setup/demo")
        ),
        "the sandbox is inside ai-setup's cache, not the user's home: {home:?}"
    );
    assert_eq!(v["steps"][0]["exit_code"], 0, "{v}");
    let login = v["steps"][0]["output"].as_str().unwrap();
    assert!(login.contains("enter the code"), "the device flow: {login}");
    assert!(
        v["steps"][1]["output"]
            .as_str()
            .unwrap()
            .contains("dev@demo.example")
    );
    assert!(home.join(".local/share/opencode/auth.json").exists());
    assert!(
        !env.path(".local/share/opencode/auth.json").exists(),
        "the user's own OpenCode files are not touched"
    );
    let human = env.run(&["demo"]);
    assert_eq!(human.code, 0, "{human:?}");
    assert!(human.stdout.contains("Logged in to Demo Corp"), "{human:?}");
    assert!(human.stdout.contains("opencode debug config"), "{human:?}");
    assert!(
        human.stdout.contains(".local/share/opencode/auth.json"),
        "{human:?}"
    );
    assert_eq!(human.stderr, "", "the story is on stdout: {human:?}");
}

#[test]
fn serve_announces_its_public_url() {
    let endpoint = Endpoint::start(None, &["--public-url", "https://ai.demo.example/"]);
    let run = TestEnv::new().run(&["login", &endpoint.url, "--yes", "--dry-run"]);
    assert_eq!(run.code, 0, "{run:?}");
    // {baseURL} in the document is the public URL, not the loopback address it was fetched from.
    assert!(
        run.stderr.contains(
            "dev-token https://ai.demo.example
"
        ),
        "{run:?}"
    );
}

#[test]
fn demo_home_is_used_and_kept() {
    let env = TestEnv::new();
    let sandbox = env.path("my-sandbox");
    std::fs::create_dir_all(&sandbox).unwrap();
    std::fs::write(sandbox.join("keep.txt"), "mine").unwrap();
    let run = env.run(&["demo", "--home", sandbox.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        std::fs::read_to_string(sandbox.join("keep.txt")).unwrap(),
        "mine"
    );
    assert!(sandbox.join(".local/share/opencode/auth.json").exists());
    assert!(sandbox.join("env.sh").exists());
}

#[test]
fn demo_keep_serving_lets_opencode_load_the_org_config_from_the_sandbox() {
    use std::io::{BufRead, BufReader};
    let env = TestEnv::new();
    let mut demo = env
        .command(BIN, &["demo", "--keep-serving"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(demo.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.starts_with("Serving the demo org at"), "{line}");
    let url = line
        .split_whitespace()
        .nth(5)
        .unwrap()
        .trim_end_matches(';')
        .to_string();
    let env_script = env.path(".cache/ai-setup/demo/home/env.sh");

    // What the README tells the user to run.
    let opencode = client_cli("opencode");
    let out = env
        .command(
            "sh",
            &[
                "-c",
                &format!(
                    ". '{}' && cd \"$HOME\" && '{}' debug config",
                    env_script.display(),
                    opencode.display()
                ),
            ],
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        config["provider"]["workers-ai"]["options"]["baseURL"],
        format!("{url}/compat/v1")
    );

    let _ = std::process::Command::new("kill")
        .args(["-INT", &demo.id().to_string()])
        .status();
    let status = demo.wait().unwrap();
    assert!(status.success(), "Ctrl-C ends the demo cleanly: {status:?}");
}

#[test]
fn restore_lists_backups_and_puts_a_file_back() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let original = b"// mine\n{ \"theme\": \"x\" }\n";
    env.write(".config/opencode/opencode.jsonc", original);
    env.write(
        ".config/ai-setup/config.json",
        br#"{"model": "openai/gpt-5"}"#,
    );
    let run = env.run(&["restore"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("No backups yet"), "{run:?}");

    login(&env, &endpoint.url);
    let list = env.run(&["restore", "--json"]).json();
    let backups = list["backups"].as_array().unwrap();
    assert_eq!(
        backups.len(),
        1,
        "only the user's config; auth.json holds secrets: {list}"
    );
    assert_eq!(backups[0]["client"], "opencode");
    assert!(
        backups[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("opencode/opencode.jsonc")
    );
    let id = backups[0]["id"].as_str().unwrap();

    let run = env.run(&["restore", id]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        std::fs::read(env.path(".config/opencode/opencode.jsonc")).unwrap(),
        original
    );
    // The restore backed up what it replaced, so it can be undone.
    let list = env.run(&["restore", "--json"]).json();
    assert_eq!(list["backups"].as_array().unwrap().len(), 2);
    #[cfg(unix)]
    assert_eq!(mode(&env.path(".local/state/ai-setup/backups")), 0o700);

    let run = env.run(&["restore", "no-such-id"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn the_login_command_is_rerun_for_a_new_token_only_when_allowed() {
    // Tokens live 12 s: a renewal is due in their last quarter.
    let endpoint = Endpoint::start(None, &["--token-ttl", "12"]);
    let allowed = TestEnv::new();
    let run = allowed.login_with(&endpoint.url, &["--unattended", "--clients", "opencode"]);
    assert_eq!(run.code, 0, "{run:?}");
    let not_allowed = TestEnv::new();
    assert_eq!(not_allowed.login(&endpoint.url).code, 0);
    let (first, other) = (
        allowed.stored_token(&endpoint.url),
        not_allowed.stored_token(&endpoint.url),
    );

    wait_until_refresh_is_due(&allowed, &endpoint);
    let run = allowed.run(&["token"]);
    assert_eq!(run.code, 0, "{run:?}");
    let renewed = allowed.stored_token(&endpoint.url);
    assert_ne!(renewed, first, "the command ran again");
    assert_eq!(run.stdout, format!("{renewed}\n"));
    assert!(
        std::fs::read_to_string(allowed.auth_json())
            .unwrap()
            .contains(&renewed)
    );

    let run = not_allowed.run(&["token"]);
    assert_eq!(
        run.stdout,
        format!("{other}\n"),
        "not allowed: the same token until it expires"
    );
}

#[test]
fn development_tokens_verify_against_the_published_jwks() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use p256::ecdsa::signature::Verifier;

    let endpoint = Endpoint::demo();
    let get = |path: &str| crate::common::get(&format!("{}{path}", endpoint.url), None).1;
    let config: serde_json::Value =
        serde_json::from_str(&get("/.well-known/openid-configuration")).unwrap();
    assert_eq!(config["jwks_uri"], format!("{}/oauth/jwks", endpoint.url));
    let jwks: serde_json::Value = serde_json::from_str(&get("/oauth/jwks")).unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["alg"], "ES256");
    let coordinate = |c: &str| URL_SAFE_NO_PAD.decode(key[c].as_str().unwrap()).unwrap();
    let point = p256::EncodedPoint::from_affine_coordinates(
        coordinate("x").as_slice().into(),
        coordinate("y").as_slice().into(),
        false,
    );
    let verifying = p256::ecdsa::VerifyingKey::from_encoded_point(&point).unwrap();

    let token = get("/dev/token").trim().to_string();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature =
        p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    assert!(verifying.verify(input.as_bytes(), &signature).is_ok());
    let tampered = input.replacen('e', "f", 1);
    assert!(verifying.verify(tampered.as_bytes(), &signature).is_err());
}

#[cfg(unix)]
#[test]
fn a_sync_that_changes_nothing_still_keeps_the_state_file_private() {
    use std::os::unix::fs::PermissionsExt;
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    assert_eq!(
        env.login_with(&endpoint.url, &["--clients", "codex"]).code,
        0
    );
    let state = env.path(".local/state/ai-setup/state.json");
    assert_eq!(mode(&state), 0o600);
    let bytes = std::fs::read(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o644)).unwrap();
    let sync = env.run(&["sync"]);
    assert_eq!(sync.code, 0, "{sync:?}");
    assert_eq!(std::fs::read(&state).unwrap(), bytes, "nothing was written");
    assert_eq!(mode(&state), 0o600, "and the file is private again");
}
