//! No token in any output, log or file but the credential store and OpenCode's auth.json.

use crate::common::*;

/// Every supported client, so that every file ai-setup writes is searched.
const EVERY_CLIENT: &str = "opencode,claude-code,codex,gemini,windsurf,cursor,vscode,zed,claude-desktop,cline,goose,continue,qwen,copilot,pi,kilo,droid,crush";

#[test]
fn the_token_appears_only_where_it_belongs() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let mut outputs = Vec::new();
    let mut tokens = Vec::new();
    let mut run = |args: &[&str]| {
        let r = env.run(args);
        outputs.push((args.join(" "), r.all()));
        if let Ok(text) =
            std::fs::read_to_string(env.path(".local/share/ai-setup/credentials.json"))
        {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            if let Some(t) = v[&endpoint.url]["token"].as_str()
                && !tokens.contains(&t.to_string())
            {
                tokens.push(t.to_string());
            }
        }
        r
    };
    run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--clients",
        EVERY_CLIENT,
        "--json",
    ]);
    run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--clients",
        EVERY_CLIENT,
        "--credential-store",
        "file",
    ]);
    run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--clients",
        EVERY_CLIENT,
        "--credential-store",
        "file",
        "--force",
    ]);
    run(&["login", &endpoint.url, "--dry-run", "--clients", "opencode"]);
    run(&[
        "login",
        &endpoint.url,
        "--dry-run",
        "--clients",
        EVERY_CLIENT,
        "--json",
    ]);
    run(&["status"]);
    run(&["status", "--json"]);
    run(&["approve", "--yes", "--json"]);
    run(&["approve", "--dry-run"]);
    run(&["trust", "--list", "--json"]);
    run(&["sync", "--json"]);
    run(&["sync", "--dry-run", "--clients", "opencode"]);
    // Refused entries (a URL in clear, an ungranted variable) are reported, with reasons.
    let refused = run(&[
        "sync",
        "--json",
        "--set",
        r#"mcp.leak={"type":"remote","url":"http://192.0.2.1/mcp","headers":{"X":"{env:HOME}"}}"#,
        "--set",
        r#"provider.anthropic.options.baseURL=http://192.0.2.1/v1"#,
    ]);
    assert_eq!(refused.code, 5, "{}", refused.all());
    assert!(refused.stdout.contains("mcp.leak"), "{}", refused.all());
    // OpenCode lost its org credential while something was refused; this gives it back.
    assert_eq!(run(&["sync"]).code, 0);
    run(&["config", "show", "--json"]);
    run(&["restore", "--json"]);
    run(&["usage", "--json"]);
    run(&["usage"]);
    run(&["models", "--json"]);
    run(&["doctor", "--json"]);
    run(&["-vv", "doctor"]);
    run(&["logout", "--dry-run"]);
    run(&["logout", "--dry-run", "--json"]);

    let token = env.stored_token(&endpoint.url);
    assert!(token.len() > 40);
    assert!(
        tokens.len() >= 3,
        "each login got its own token: {}",
        tokens.len()
    );
    for (args, text) in &outputs {
        for t in &tokens {
            assert!(
                !text.contains(t),
                "`ai-setup {args}` printed a token:\n{text}"
            );
        }
    }
    // Kilo Code's auth.json is OpenCode's mechanism, its fork's.
    let allowed = [
        env.path(".local/share/ai-setup/credentials.json"),
        env.auth_json(),
        env.path(".local/share/kilo/auth.json"),
    ];
    let files = env.snapshot();
    for written in [
        ".claude.json",
        ".claude/settings.json",
        ".codex/config.toml",
        ".gemini/settings.json",
        ".config/zed/settings.json",
        ".gemini/.env",
        ".qwen/.env",
        ".continue/.env",
        ".factory/settings.json",
        ".pi/agent/models.json",
    ] {
        assert!(
            files.contains_key(&env.path(written)),
            "{written} was not written: the search would miss it"
        );
    }
    // The proxy's local secret, too, is in no output, and only in files of mode 0600.
    let secret = std::fs::read_to_string(env.path(".local/state/ai-setup/proxy-secret")).unwrap();
    let secret = secret.trim();
    for (args, text) in &outputs {
        assert!(
            !text.contains(secret),
            "`ai-setup {args}` printed the local secret"
        );
    }
    for (path, bytes) in &files {
        if String::from_utf8_lossy(bytes).contains(secret) {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} holds the local secret", path.display());
        }
    }
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        if allowed.contains(&path) {
            assert!(text.contains(&token), "{} should hold it", path.display());
        } else {
            for t in &tokens {
                assert!(!text.contains(t), "{} holds a token", path.display());
            }
        }
    }
}
