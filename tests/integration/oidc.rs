//! Native OpenID Connect login and refresh against the reference endpoint's development
//! provider: the device flow with a scripted approval, refresh with rotation, a revoked
//! session, and twenty helpers on an expiring token causing one refresh.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::*;

#[test]
fn device_login_with_an_approval_stores_a_refreshable_session() {
    let (_org, endpoint) = oidc_org("3600");
    let env = TestEnv::new();
    let run = device_login(&env, &endpoint, "approve");
    assert_eq!(run.code, 0, "{run:?}");
    let status = env.run(&["status", "--json"]).json();
    assert_eq!(status["login_method"], "oidc");
    assert_eq!(status["token"], "valid");
    let creds: Value = serde_json::from_slice(
        &std::fs::read(env.path(".local/share/ai-setup/credentials.json")).unwrap(),
    )
    .unwrap();
    assert!(creds[&endpoint.url]["refresh_token"].is_string(), "{creds}");
    // OpenCode got the access token; the refresh token stays in the credential store.
    let auth = std::fs::read_to_string(env.auth_json()).unwrap();
    assert!(auth.contains(&env.stored_token(&endpoint.url)));
    assert!(!auth.contains(creds[&endpoint.url]["refresh_token"].as_str().unwrap()));
}

#[test]
fn a_denied_login_fails_with_the_auth_code() {
    let (_org, endpoint) = oidc_org("3600");
    let env = TestEnv::new();
    let run = device_login(&env, &endpoint, "deny");
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("denied"), "{run:?}");
    assert!(!env.path(".local/share/ai-setup/credentials.json").exists());
}

#[test]
fn without_a_terminal_oidc_login_names_the_flag() {
    let (_org, endpoint) = oidc_org("3600");
    let env = TestEnv::new();
    let started = Instant::now();
    let run = env.run(&["login", &endpoint.url, "--credential-store", "file"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--no-browser"), "{run:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "fails fast");
}

#[test]
fn twenty_helpers_on_an_expiring_token_cause_one_refresh() {
    // Tokens live 12 s: a refresh is due in their last quarter.
    let (_org, endpoint) = oidc_org("12");
    let env = TestEnv::new();
    assert_eq!(device_login(&env, &endpoint, "approve").code, 0);
    let before = env.stored_token(&endpoint.url);
    assert_eq!(
        env.run(&["token"]).stdout,
        format!("{before}\n"),
        "no refresh while fresh"
    );
    assert_eq!(refreshes(&endpoint), 0);
    wait_until_refresh_is_due(&env, &endpoint);

    // Half as `ai-setup token`, half through the helper client files run, which hands a
    // renewal to ai-setup.
    let children: Vec<_> = (0..20)
        .map(|i| {
            let (program, args): (&str, &[&str]) = if i % 2 == 0 {
                (BIN, &["token"])
            } else {
                (HELPER, &[])
            };
            env.command(program, args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        })
        .collect();
    assert_eq!(refreshes(&endpoint), 1, "one refresh for twenty helpers");
    let after = env.stored_token(&endpoint.url);
    assert_ne!(after, before);
    assert!(
        outputs.iter().all(|o| o == &format!("{after}\n")),
        "all print the new token"
    );
    // OpenCode's entry has the refreshed token.
    assert!(
        std::fs::read_to_string(env.auth_json())
            .unwrap()
            .contains(&after)
    );
}

#[test]
fn a_revoked_session_means_log_in_again() {
    let (_org, endpoint) = oidc_org("12");
    let env = TestEnv::new();
    assert_eq!(device_login(&env, &endpoint, "approve").code, 0);
    assert_eq!(
        post_form(&format!("{}/oauth/revoke-all", endpoint.url), &[]),
        204
    );
    wait_until_refresh_is_due(&env, &endpoint);
    let run = env.run(&["token"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("session with"), "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("ai-setup login {}", endpoint.url)),
        "{run:?}"
    );
    let run = env.run(&["sync"]);
    assert_eq!(run.code, 3, "{run:?}");
}

/// A `BROWSER` that fetches the URL and follows the provider's redirect back to ai-setup's
/// loopback address, as a browser would; `mangle` changes the `state` on the way.
fn scripted_browser(env: &TestEnv, mangle: bool) -> String {
    let path = env.path("browser.sh");
    let fix = if mangle {
        "u = u.replace('state=', 'state=forged')"
    } else {
        "pass"
    };
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nexec python3 -c \"import sys, urllib.request\nu = sys.argv[1]\n{fix}\ntry:\n  urllib.request.urlopen(u).read()\nexcept Exception:\n  pass\n\" \"$1\"\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.display().to_string()
}

#[test]
fn browser_login_with_pkce_and_a_loopback_redirect() {
    let (_org, endpoint) = oidc_org("3600");
    let env = TestEnv::new();
    let browser = scripted_browser(&env, false);
    let env = env.env("BROWSER", &browser);
    let (code, screen) = login_on_terminal(&env, &endpoint.url);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Your browser was opened"), "{screen}");
    assert!(
        screen.contains("code_challenge_method=S256"),
        "the URL is printed too: {screen}"
    );
    let status = env.run(&["status", "--json"]).json();
    assert_eq!(status["login_method"], "oidc");
    // The org folder has no users.json: the provider's built-in development user.
    assert_eq!(status["identity"], "dev@example.com");
}

#[test]
fn a_browser_login_with_the_wrong_state_is_refused() {
    let (_org, endpoint) = oidc_org("3600");
    let env = TestEnv::new();
    let browser = scripted_browser(&env, true);
    let env = env.env("BROWSER", &browser);
    let (code, screen) = login_on_terminal(&env, &endpoint.url);
    assert_eq!(code, 3, "{screen}");
    assert!(screen.contains("wrong state"), "{screen}");
    assert!(!env.path(".local/share/ai-setup/credentials.json").exists());
}

#[test]
fn a_service_account_logs_in_with_client_credentials() {
    let (_org, endpoint) = oidc_org("3600");
    let secret = "dev-secret-dev@example.com";
    let env = TestEnv::new().env("SA_SECRET", secret);
    let run = env.login_with(
        &endpoint.url,
        &[
            "--client-id",
            "dev@example.com",
            "--client-secret-env",
            "SA_SECRET",
            "--clients",
            "opencode",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["login_method"], "client_credentials");
    assert!(!run.all().contains(secret), "the secret is never printed");
    let creds =
        std::fs::read_to_string(env.path(".local/share/ai-setup/credentials.json")).unwrap();
    assert!(
        creds.contains(secret),
        "kept in the credential store to renew the token"
    );
    assert!(
        !std::fs::read_to_string(env.path(".local/state/ai-setup/state.json"))
            .unwrap()
            .contains(secret)
    );
    assert_eq!(env.run(&["token"]).code, 0);

    let wrong = TestEnv::new().env("SA_SECRET", "nope");
    let run = wrong.login_with(
        &endpoint.url,
        &[
            "--client-id",
            "dev@example.com",
            "--client-secret-env",
            "SA_SECRET",
        ],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("invalid_client"), "{run:?}");
}

#[test]
fn a_ci_identity_token_is_exchanged_for_an_org_token() {
    let (_org, endpoint) = oidc_org("3600");
    let ci_token =
        jwt(json!({"sub": "dev@example.com", "iss": "https://ci.example", "exp": now() + 300}));
    let env = TestEnv::new().env("CI_ID_TOKEN", &ci_token);
    let run = env.login_with(
        &endpoint.url,
        &[
            "--id-token-env",
            "CI_ID_TOKEN",
            "--clients",
            "opencode",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["login_method"], "token_exchange");
    assert_eq!(run.json()["identity"], "dev@example.com");
    assert_ne!(
        env.stored_token(&endpoint.url),
        ci_token,
        "the org's own token is stored"
    );
}

#[test]
fn github_actions_runner_tokens_are_requested_and_exchanged() {
    let (_org, endpoint) = oidc_org("3600");
    let ci_token = jwt(
        json!({"sub": "dev@example.com", "iss": "https://token.actions.githubusercontent.com"}),
    );
    let runner = crate::common::rogue::Rogue::respond(
        "200 OK",
        &[("Content-Type", "application/json")],
        json!({"value": ci_token}).to_string().as_bytes(),
    );
    let env = TestEnv::new()
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            &format!("{}/idtoken?api-version=2.0", runner.url),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-request-token");
    let run = env.login_with(
        &endpoint.url,
        &["--github-actions", "--clients", "opencode"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let request = runner.last_request();
    assert!(
        request.starts_with("GET /idtoken?api-version=2.0&audience="),
        "{request}"
    );
    assert!(
        request
            .to_lowercase()
            .contains("authorization: bearer runner-request-token"),
        "{request}"
    );

    let run = TestEnv::new().login_with(&endpoint.url, &["--github-actions"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("ACTIONS_ID_TOKEN_REQUEST_URL is not set"),
        "{run:?}"
    );
}

#[test]
fn service_accounts_need_an_org_with_an_openid_provider() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new().env("SA_SECRET", "x");
    let run = env.login_with(
        &endpoint.url,
        &["--client-id", "a", "--client-secret-env", "SA_SECRET"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("names no OpenID provider"), "{run:?}");
}

#[test]
fn trace_diagnostics_show_the_provider_answers_without_their_tokens() {
    let (_org, endpoint) = oidc_org("3600");
    let env = TestEnv::new().env("RUST_LOG", "ai_setup=trace");
    let run = device_login(&env, &endpoint, "approve");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("HTTP body"), "{}", run.stderr);
    assert!(
        run.stderr.contains("\"token_type\""),
        "the token answer is shown: {}",
        run.stderr
    );
    let credentials: Value = serde_json::from_str(
        &std::fs::read_to_string(env.path(".local/share/ai-setup/credentials.json")).unwrap(),
    )
    .unwrap();
    let credential = &credentials[&endpoint.url];
    for secret in [&credential["token"], &credential["refresh_token"]] {
        let secret = secret.as_str().unwrap();
        assert!(
            !run.stderr.contains(secret),
            "a token in the log:\n{}",
            run.stderr
        );
        assert!(!run.stdout.contains(secret));
    }
    assert!(
        run.stderr.contains("\"access_token\":\"***\""),
        "{}",
        run.stderr
    );
}
