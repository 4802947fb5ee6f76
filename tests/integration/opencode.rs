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

    let run = env.login(&endpoint.url);
    assert_eq!(run.code, 0, "{run:?}");

    let config = opencode_config(&env);
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

#[test]
fn our_entry_is_byte_for_byte_what_opencode_auth_login_writes() {
    let endpoint = Endpoint::demo();
    let theirs = TestEnv::new();
    let status = theirs
        .command(
            client_cli("opencode").to_str().unwrap(),
            &["auth", "login", &endpoint.url],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let ours = TestEnv::new();
    let run = ours.login(&endpoint.url);
    assert_eq!(run.code, 0, "{run:?}");

    // The tokens differ (each login gets a new one); everything else must be identical.
    let normalise = |env: &TestEnv| {
        let text = std::fs::read_to_string(env.auth_json()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let token = v[&endpoint.url]["token"].as_str().unwrap().to_string();
        text.replace(&token, "TOKEN")
    };
    assert_eq!(normalise(&ours), normalise(&theirs));
    #[cfg(unix)]
    assert_eq!(mode(&ours.auth_json()), mode(&theirs.auth_json()));
}
