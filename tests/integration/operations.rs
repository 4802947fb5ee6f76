//! Operations: versions (`--version` with build info, the org's `ai_setup.min_version`).

use crate::common::{Endpoint, TestEnv};

#[test]
fn version_names_the_build() {
    let run = TestEnv::new().run(&["--version"]);
    assert_eq!(run.code, 0);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next().unwrap(),
        concat!("ai-setup ", env!("CARGO_PKG_VERSION"))
    );
    let build = lines.next().unwrap();
    assert!(build.starts_with("build: "), "{build}");
    assert!(
        build.contains(std::env::consts::ARCH),
        "the target: {build}"
    );
}

#[test]
fn an_org_that_needs_a_newer_ai_setup_stops_the_login_before_any_change() {
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/demo/discovery.json")).unwrap();
    doc["ai_setup"]["min_version"] = "99.1.0".into();
    let endpoint = Endpoint::with_document(&doc);
    let env = TestEnv::new();
    let before = env.snapshot();
    let run = env.login(&endpoint.url);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "Demo Corp requires ai-setup 99.1.0 or newer; this is {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{run:?}"
    );
    assert!(run.stderr.contains("upgrade ai-setup"), "{run:?}");
    assert_eq!(env.snapshot(), before, "nothing written");

    doc["ai_setup"]["min_version"] = "soon".into();
    let endpoint = Endpoint::with_document(&doc);
    let run = env.login(&endpoint.url);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("not a version"), "{run:?}");

    doc["ai_setup"]["min_version"] = "0.0.1".into();
    let endpoint = Endpoint::with_document(&doc);
    assert_eq!(env.login(&endpoint.url).code, 0);
}

/// Every token this home's credential store and OpenCode's auth.json hold.
fn tokens(env: &TestEnv, org: &str) -> Vec<String> {
    vec![env.stored_token(org)]
}

#[test]
fn diagnostics_show_the_work_and_never_a_token() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let login = env.run(&[
        "-vvv",
        "login",
        &endpoint.url,
        "--yes",
        "--credential-store",
        "file",
        "--clients",
        "opencode,claude-code",
    ]);
    assert_eq!(login.code, 0, "{login:?}");
    assert!(login.stderr.contains("HTTP GET"), "{}", login.stderr);
    assert!(
        login.stderr.contains("/.well-known/opencode"),
        "{}",
        login.stderr
    );
    assert!(
        login.stderr.contains("storing the credential"),
        "{}",
        login.stderr
    );
    // -vvv includes the HTTP stack's own trace lines.
    assert!(
        login.stderr.contains("hyper") || login.stderr.contains("reqwest"),
        "{}",
        login.stderr
    );

    let log = env.path("ai-setup.log");
    let log_arg = log.to_str().unwrap();
    let runs = [
        env.env_run(&["RUST_LOG", "trace"], &["sync", "--log-file", log_arg]),
        env.env_run(&["RUST_LOG", "trace"], &["token", "--log-file", log_arg]),
        env.env_run(
            &["RUST_LOG", "trace"],
            &["usage", "--json", "--log-file", log_arg],
        ),
        env.env_run(
            &["RUST_LOG", "debug"],
            &["status", "-v", "--log-file", log_arg],
        ),
    ];
    for run in &runs {
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            !run.stderr.contains("DEBUG") && !run.stderr.contains("TRACE"),
            "diagnostics go to the file: {run:?}"
        );
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("/v1/usage/me"), "{text}");
    assert!(text.contains("reading the credential"), "{text}");
    assert_eq!(crate::common::mode(&log) & 0o777, 0o600);
    for token in tokens(&env, &endpoint.url) {
        assert!(!login.stderr.contains(&token));
        assert!(!text.contains(&token), "the token is in the log");
        // Not even its signature.
        let signature = token.rsplit('.').next().unwrap();
        assert!(!text.contains(signature) && !login.stderr.contains(signature));
    }
    assert!(
        runs[1].stdout.trim() == env.stored_token(&endpoint.url),
        "token still prints the token"
    );

    let bad = env.env_run(&["RUST_LOG", "ai_setup=[["], &["status"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("RUST_LOG"), "{bad:?}");
}
