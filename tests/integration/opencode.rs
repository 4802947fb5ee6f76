//! The real OpenCode CLI (npm `opencode-ai`, installed by `.ci/run`) reads what ai-setup wrote.

use std::process::Stdio;

use crate::common::*;

/// `opencode debug config` in the test's home, parsed. Its output is large: read it from a file.
fn opencode_config(env: &TestEnv) -> serde_json::Value {
    let out_file = env.path("opencode-config.json");
    let project = env.path("project");
    std::fs::create_dir_all(&project).unwrap();
    let status = env
        .command(
            client_cli("opencode").to_str().unwrap(),
            &["debug", "config"],
        )
        .current_dir(&project)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(Stdio::inherit())
        .status()
        .unwrap();
    assert!(status.success(), "opencode debug config failed");
    let text = std::fs::read_to_string(&out_file).unwrap();
    std::fs::remove_file(&out_file).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn opencode_loads_the_org_config_through_our_entry() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();

    // Control: without a login OpenCode knows nothing of the org.
    let before = opencode_config(&env);
    assert!(before.pointer("/provider/workers-ai").is_none(), "{before}");
    assert!(before.pointer("/mcp/docs").is_none());

    // The user's own MCP server, in their own OpenCode config.
    env.write(
        ".config/opencode/opencode.json",
        br#"{"mcp": {"mine": {"type": "local", "command": ["my-own-server"]}}}"#,
    );
    let run = env.login(&endpoint.url);
    assert_eq!(run.code, 0, "{run:?}");

    let config = opencode_config(&env);
    assert_eq!(
        config["mcp"]["mine"]["command"][0], "my-own-server",
        "{config}"
    );
    for provider in ["anthropic", "openai", "google", "workers-ai"] {
        assert!(
            config["provider"][provider].is_object(),
            "provider {provider} missing: {config}"
        );
    }
    assert_eq!(
        config["provider"]["workers-ai"]["options"]["baseURL"],
        format!("{}/compat/v1", endpoint.url)
    );
    for server in ["docs", "tickets", "everything"] {
        assert!(
            config["mcp"][server].is_object(),
            "MCP server {server} missing: {config}"
        );
    }
    assert_eq!(
        config["mcp"]["docs"]["url"],
        format!("{}/mcp/docs", endpoint.url)
    );
    assert_eq!(config["model"], "anthropic/claude-sonnet-4-5");
    assert_eq!(config["permission"]["bash"], "ask");
}

/// A new home where the client `cli` itself ran `auth login URL`.
fn logged_in_by(cli: &str, url: &str) -> TestEnv {
    let env = TestEnv::new();
    let status = env
        .command(client_cli(cli).to_str().unwrap(), &["auth", "login", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{cli} auth login");
    env
}

/// An auth.json's text with the org's token replaced by `TOKEN`.
fn without_token(env: &TestEnv, auth: &str, url: &str) -> String {
    let text = std::fs::read_to_string(env.path(auth)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let token = v[url]["token"].as_str().unwrap().to_string();
    text.replace(&token, "TOKEN")
}

#[test]
fn our_entry_is_byte_for_byte_what_opencode_auth_login_writes() {
    let endpoint = Endpoint::demo();
    let theirs = logged_in_by("opencode", &endpoint.url);
    let ours = TestEnv::new();
    let run = ours.login(&endpoint.url);
    assert_eq!(run.code, 0, "{run:?}");

    // The tokens differ (each login gets a new one); everything else must be identical.
    let auth = ".local/share/opencode/auth.json";
    assert_eq!(
        without_token(&ours, auth, &endpoint.url),
        without_token(&theirs, auth, &endpoint.url)
    );
    #[cfg(unix)]
    assert_eq!(mode(&ours.auth_json()), mode(&theirs.auth_json()));
}

const USER_OPENCODE: &str = ".config/opencode/opencode.jsonc";
/// A user's own OpenCode settings: comments, a trailing comma, CRLF line endings.
const ORIGINAL: &[u8] =
    b"// my opencode settings\r\n{\r\n  \"theme\": \"tokyonight\", // keep\r\n  \"autoupdate\": false,\r\n}\r\n";

fn overrides(env: &TestEnv, json: &str) {
    env.write(".config/ai-setup/config.json", json.as_bytes());
}

fn read_jsonc(env: &TestEnv) -> serde_json::Value {
    let text = std::fs::read_to_string(env.path(USER_OPENCODE)).unwrap();
    jsonc_parser::parse_to_serde_value(&text, &Default::default()).unwrap()
}

#[test]
fn user_overrides_reach_opencode_and_logout_restore_leaves_the_file_as_it_was() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    env.write(USER_OPENCODE, ORIGINAL);
    overrides(
        &env,
        r#"{"model": "openai/gpt-5", "permission": {"bash": "allow", "edit": "ask"}, "mcp": {"docs": {"enabled": false}}}"#,
    );
    let run = env.login(&endpoint.url);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("'permission.bash' is locked by the org"),
        "{run:?}"
    );

    let text = std::fs::read(env.path(USER_OPENCODE)).unwrap();
    assert!(
        text.starts_with(
            b"// my opencode settings\r\n{\r\n  \"theme\": \"tokyonight\", // keep\r\n"
        )
    );
    assert!(
        !String::from_utf8_lossy(&text)
            .replace("\r\n", "")
            .contains('\n'),
        "CRLF kept"
    );

    let config = opencode_config(&env);
    assert_eq!(
        config["model"], "openai/gpt-5",
        "the user's override wins over the org's"
    );
    assert_eq!(config["permission"]["edit"], "ask");
    assert_eq!(config["permission"]["bash"], "ask", "the org's lock holds");
    assert_eq!(config["mcp"]["docs"]["enabled"], false);
    assert_eq!(
        config["mcp"]["docs"]["url"],
        format!("{}/mcp/docs", endpoint.url)
    );
    assert_eq!(
        config["autoupdate"], false,
        "the user's own keys still load"
    );

    // A second run writes nothing.
    let before = env.snapshot();
    let run = env.run(&["sync", "--clients", "opencode", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let changed: Vec<_> = env
        .snapshot()
        .into_iter()
        .filter(|(p, b)| before.get(p) != Some(b))
        .map(|(p, _)| p)
        .filter(|p| !p.ends_with("state.json") && !p.to_string_lossy().contains("/.cache/"))
        .collect();
    assert!(changed.is_empty(), "a second run changed {changed:?}");

    let run = env.run(&["logout", "--restore"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(std::fs::read(env.path(USER_OPENCODE)).unwrap(), ORIGINAL);
    assert!(
        !env.auth_json().exists(),
        "auth.json, which ai-setup created, is gone again"
    );
}

#[test]
fn drift_is_kept_and_reported_and_force_replaces_it() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    env.write(USER_OPENCODE, ORIGINAL);
    overrides(&env, r#"{"model": "openai/gpt-5"}"#);
    assert_eq!(env.login(&endpoint.url).code, 0);

    let edited = std::fs::read_to_string(env.path(USER_OPENCODE))
        .unwrap()
        .replace("openai/gpt-5", "anthropic/claude-opus-4-1");
    std::fs::write(env.path(USER_OPENCODE), &edited).unwrap();
    let run = env.run(&["sync", "--clients", "opencode", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let notes = &run.json()["clients"][0]["files"][1]["notes"];
    assert_eq!(notes[0]["kind"], "drift", "{notes}");
    assert_eq!(notes[0]["key"], "model");
    assert_eq!(
        std::fs::read_to_string(env.path(USER_OPENCODE)).unwrap(),
        edited
    );

    let run = env.run(&["sync", "--clients", "opencode", "--force"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(read_jsonc(&env)["model"], "openai/gpt-5");
}

#[test]
fn a_user_key_with_the_same_name_is_never_overwritten() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let mine = b"{\n  \"model\": \"mine/model\" // chosen by hand\n}\n";
    env.write(USER_OPENCODE, mine);
    overrides(&env, r#"{"model": "openai/gpt-5"}"#);
    let run = env.login_with(&endpoint.url, &["--clients", "opencode", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.json()["clients"][0]["files"][1]["notes"][0]["kind"],
        "user_entry"
    );
    assert_eq!(std::fs::read(env.path(USER_OPENCODE)).unwrap(), mine);
    // Even --force leaves the user's own key alone: it was never ai-setup's.
    assert_eq!(
        env.run(&["sync", "--force", "--clients", "opencode"]).code,
        0
    );
    assert_eq!(std::fs::read(env.path(USER_OPENCODE)).unwrap(), mine);
}

#[test]
fn a_dropped_override_is_pruned_and_nothing_else() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    env.write(USER_OPENCODE, ORIGINAL);
    overrides(
        &env,
        r#"{"model": "openai/gpt-5", "mcp": {"docs": {"enabled": false}}}"#,
    );
    assert_eq!(env.login(&endpoint.url).code, 0);
    overrides(&env, r#"{"model": "openai/gpt-5"}"#);
    let run = env.run(&["sync", "--clients", "opencode"]);
    assert_eq!(run.code, 0, "{run:?}");
    let v = read_jsonc(&env);
    assert!(
        v.get("mcp").is_none(),
        "the parent ai-setup created goes too: {v}"
    );
    assert_eq!(v["model"], "openai/gpt-5");
    assert_eq!(v["theme"], "tokyonight");
    overrides(&env, "{}");
    assert_eq!(env.run(&["sync", "--clients", "opencode"]).code, 0);
    assert_eq!(std::fs::read(env.path(USER_OPENCODE)).unwrap(), ORIGINAL);
}

#[cfg(unix)]
#[test]
fn a_symlinked_config_stays_a_symlink() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    env.write("dotfiles/opencode.jsonc", ORIGINAL);
    std::fs::create_dir_all(env.path(".config/opencode")).unwrap();
    std::os::unix::fs::symlink(env.path("dotfiles/opencode.jsonc"), env.path(USER_OPENCODE))
        .unwrap();
    overrides(&env, r#"{"model": "openai/gpt-5"}"#);
    assert_eq!(env.login(&endpoint.url).code, 0);
    let meta = std::fs::symlink_metadata(env.path(USER_OPENCODE)).unwrap();
    assert!(meta.file_type().is_symlink());
    let target = std::fs::read_to_string(env.path("dotfiles/opencode.jsonc")).unwrap();
    assert!(target.contains("openai/gpt-5"), "{target}");
}

/// The schema ai-setup checks layers against is the one the pinned OpenCode publishes: its
/// server's OpenAPI document, through `assets/opencode/extract.py`.
#[test]
fn the_shipped_schema_is_the_one_the_pinned_opencode_serves() {
    let env = TestEnv::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = env
        .command(
            client_cli("opencode").to_str().unwrap(),
            &["serve", "--port", &port.to_string()],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let version = String::from_utf8(
        env.command(client_cli("opencode").to_str().unwrap(), &["--version"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{port}/doc");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let extracted = loop {
        let out = std::process::Command::new("python3")
            .args(["assets/opencode/extract.py", version.trim(), &url])
            .output()
            .unwrap();
        if out.status.success() {
            break String::from_utf8(out.stdout).unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "opencode serve never answered"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    };
    let _ = server.kill();
    let _ = server.wait();
    let shipped = std::fs::read_to_string("assets/opencode/config.schema.json").unwrap();
    assert!(
        extracted == shipped,
        "assets/opencode/config.schema.json is not what OpenCode {} serves: regenerate it with \
         assets/opencode/extract.py",
        version.trim()
    );
}

#[test]
fn wrongly_typed_overrides_are_named_nothing_is_written_and_opencode_still_starts() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let clients = ["--clients", "opencode,claude-code,codex"];
    assert_eq!(env.login_with(&endpoint.url, &clients).code, 0);
    let own = env.path(".config/ai-setup/config.json");
    let before: Vec<_> = env
        .snapshot()
        .into_iter()
        .filter(|(p, _)| !p.starts_with(env.path(".local/state/ai-setup")))
        .collect();
    for (layer, expected) in [
        (r#"{"mcp": 5}"#, "`mcp`: 5 is not of type \"object\""),
        (
            r#"{"small_model": 7}"#,
            "`small_model`: 7 is not of type \"string\"",
        ),
        (
            r#"{"provider": []}"#,
            "`provider`: [] is not of type \"object\"",
        ),
        (
            r#"{"smal_model": "a/b"}"#,
            "`smal_model`: OpenCode has no such key",
        ),
        (
            r#"{"mcp": {"docs": {"url": "https://mine.example/mcp"}}}"#,
            "`mcp.docs`",
        ),
    ] {
        env.write(".config/ai-setup/config.json", layer.as_bytes());
        let mut args = vec!["sync"];
        args.extend_from_slice(&clients);
        let run = env.run(&args);
        assert_eq!(run.code, 1, "{layer}: {run:?}");
        assert!(
            run.stderr
                .contains(&format!("{}: {expected}", own.display())),
            "{layer}: {run:?}"
        );
        std::fs::remove_file(&own).unwrap();
        let after: Vec<_> = env
            .snapshot()
            .into_iter()
            .filter(|(p, _)| !p.starts_with(env.path(".local/state/ai-setup")))
            .collect();
        assert!(before == after, "{layer}: nothing was written");
    }
    // A key given twice is named as given twice, not silently taken from the last.
    env.write(
        ".config/ai-setup/config.json",
        br#"{"mcp": {"x": {"enabled": false}, "x": {"enabled": true}}}"#,
    );
    let run = env.run(&["sync"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("{} has the key 'mcp.x' twice", own.display())),
        "{run:?}"
    );
    std::fs::remove_file(&own).unwrap();
    // A `--set` names itself.
    let run = env.run(&["sync", "--set", "model=5"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("--set: `model`: 5 is not of type"),
        "{run:?}"
    );
    // And real OpenCode starts on what is there, the org's configuration loaded.
    let config = opencode_config(&env);
    assert!(config.pointer("/mcp/docs").is_some(), "{config}");
}

/// Kilo Code's CLI (real, `@kilocode/cli`), an OpenCode fork with the same `wellknown`
/// mechanism: ai-setup's entry is byte for byte what `kilo auth login` writes; with it, Kilo
/// loads the org's MCP servers, answers through the org with the org token and calls the org's
/// tool; `logout` takes the entry away.
#[test]
fn kilo_code_loads_the_org_through_the_same_wellknown_entry_and_answers_through_it() {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let endpoint = Endpoint::start(None, &["--record", file.to_str().unwrap()]);
    let auth = ".local/share/kilo/auth.json";
    let theirs = logged_in_by("kilo", &endpoint.url);
    let env = TestEnv::new();
    let run = env.login_with(&endpoint.url, &["--clients", "kilo"]);
    assert_eq!(run.code, 0, "{run:?}");
    let token = env.stored_token(&endpoint.url);
    assert_eq!(
        without_token(&env, auth, &endpoint.url),
        without_token(&theirs, auth, &endpoint.url)
    );
    #[cfg(unix)]
    assert_eq!(mode(&env.path(auth)), 0o600);

    let list = client_output(
        &mut env.command(client_cli("kilo").to_str().unwrap(), &["mcp", "list"]),
        "kilo mcp list",
    );
    for name in ["docs", "tickets"] {
        assert!(list.contains(name), "{name} missing:\n{list}");
    }
    let answer = client_output(
        &mut env.command(
            client_cli("kilo").to_str().unwrap(),
            &["run", "hello from kilo"],
        ),
        "kilo run",
    );
    assert!(answer.contains("Stand-in model"), "{answer}");
    // The org's MCP tool, which Kilo (as OpenCode) reaches natively from the org's config.
    let answer = client_output(
        &mut env.command(
            client_cli("kilo").to_str().unwrap(),
            &["run", "Please use the whoami tool"],
        ),
        "kilo run (tool)",
    );
    assert!(
        answer.contains("The tool answered:") && answer.contains("dev@demo.example"),
        "{answer}"
    );
    let requests = crate::models::recorded(&file);
    assert!(
        requests.iter().any(|r| crate::models::tools_of(r)
            .iter()
            .any(|t| t.ends_with("_whoami"))),
        "the org's tool was offered: {requests:#?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r["user"] == "dev@demo.example" && r["path"] == "/anthropic/v1/messages"),
        "Kilo reached the org with the org token: {requests:#?}"
    );
    assert_no_token_under(&env.path(".config/kilo"), &token);

    let logout = env.run(&["logout"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    let left = std::fs::read_to_string(env.path(auth)).unwrap_or_default();
    assert!(!left.contains(&token), "{left}");
}
