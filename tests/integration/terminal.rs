//! A person at a terminal: `script` gives ai-setup a real pseudo-terminal, so the consent
//! prompt is asked and answered as on a laptop.

use crate::common::*;

#[test]
fn the_login_command_is_shown_and_runs_only_when_accepted() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let args = format!(
        "login {} --credential-store file --clients opencode",
        endpoint.url
    );

    let (code, screen) = on_terminal(&env, &args, "n\n");
    assert_eq!(code, 3, "{screen}");
    assert!(
        screen.contains("asks to run this command on your machine"),
        "{screen}"
    );
    assert!(
        screen.contains("dev-token"),
        "the command is shown in full: {screen}"
    );
    assert!(screen.contains("Run it? [y/N]"), "{screen}");
    assert!(screen.contains("login cancelled"), "{screen}");
    assert!(!env.auth_json().exists());

    // Yes to the login command, and to the org's local server program shown next.
    let (code, screen) = on_terminal(&env, &args, "y\ny\n");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Logged in to Demo Corp"), "{screen}");
    assert!(
        screen.contains("+ command: npx -y @modelcontextprotocol/server-everything"),
        "{screen}"
    );
    assert!(env.auth_json().exists());

    // Remembered: no question the second time.
    let (code, screen) = on_terminal(&env, &args, "");
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("Run it?"), "{screen}");
    assert!(!screen.contains("Approve?"), "{screen}");
}

#[test]
fn ci_true_on_a_terminal_is_named_as_the_reason_nothing_is_asked() {
    let doc = document_with_auth(serde_json::json!({"command": ["sh", "-c", "echo tok"]}));
    let endpoint = Endpoint::with_document(&doc);
    let env = TestEnv::new();
    let line = format!(
        "{BIN} login {} --credential-store file --clients opencode",
        endpoint.url
    );
    let out = env
        .command("script", &["-q", "-e", "-c", &line, "/dev/null"])
        .env("CI", "true")
        .stdin(std::process::Stdio::piped())
        .output()
        .expect("`script` (util-linux) runs");
    let screen = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert_eq!(out.status.code(), Some(2), "{screen}");
    assert!(
        screen.contains("CI=true is set, so ai-setup asks nothing even on this terminal"),
        "{screen}"
    );
    assert!(screen.contains("--yes"), "names the flag: {screen}");
}
