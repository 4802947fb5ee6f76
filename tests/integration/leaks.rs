//! No token in any output, log or file but the credential store and OpenCode's auth.json.

use crate::common::*;

#[test]
fn the_token_appears_only_where_it_belongs() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let mut outputs = Vec::new();
    let mut run = |args: &[&str]| {
        let r = env.run(args);
        outputs.push((args.join(" "), r.all()));
        r
    };
    run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--clients",
        "opencode",
        "--json",
    ]);
    run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--clients",
        "opencode",
        "--credential-store",
        "file",
    ]);
    run(&["login", &endpoint.url, "--dry-run", "--clients", "opencode"]);
    run(&[
        "login",
        &endpoint.url,
        "--dry-run",
        "--clients",
        "opencode",
        "--json",
    ]);
    run(&["status"]);
    run(&["status", "--json"]);
    run(&["sync", "--json"]);
    run(&["sync", "--dry-run", "--clients", "opencode"]);
    run(&["logout", "--dry-run"]);
    run(&["logout", "--dry-run", "--json"]);

    let token = env.stored_token(&endpoint.url);
    assert!(token.len() > 40);
    for (args, text) in &outputs {
        assert!(
            !text.contains(&token),
            "`ai-setup {args}` printed the token:\n{text}"
        );
    }
    let allowed = [
        env.path(".local/share/ai-setup/credentials.json"),
        env.auth_json(),
    ];
    for (path, bytes) in env.snapshot() {
        let text = String::from_utf8_lossy(&bytes);
        if allowed.contains(&path) {
            assert!(text.contains(&token), "{} should hold it", path.display());
        } else {
            assert!(!text.contains(&token), "{} holds the token", path.display());
        }
    }
}
