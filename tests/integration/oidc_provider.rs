//! Native login against an independent, real OpenID provider: panva's `oidc-provider` from npm
//! (`tests/fixtures/oidc-provider/server.mjs`), driven by a scripted browser
//! (`tests/fixtures/oidc-provider/browser.py`) that signs in and consents on its pages.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oidc-provider")
        .join(name)
}

/// oidc-provider on a free loopback port; stopped on drop.
struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    fn start(token_ttl: u64) -> Self {
        let module = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(".tools/node_modules/oidc-provider/lib/index.js");
        assert!(
            module.exists(),
            "oidc-provider is needed: run `bash .ci/run`, which installs it"
        );
        let mut child = Command::new("node")
            .arg(fixture("server.mjs"))
            .env(
                "OIDC_PROVIDER_MODULE",
                format!("file://{}", module.display()),
            )
            .env("TOKEN_TTL", token_ttl.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // Keep reading: a closed pipe would kill the provider the next time it logs.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        assert!(
            line.starts_with("http://127.0.0.1:"),
            "provider did not start: {line}"
        );
        Provider {
            child,
            issuer: line.trim().to_string(),
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An org whose discovery document sends its users to `provider`.
fn org_for(provider: &Provider) -> (tempfile::TempDir, Endpoint) {
    let dir = tempfile::tempdir().unwrap();
    let doc = document_with_auth(json!({
        "env": "DEMO_AI_TOKEN",
        "oidc": {"issuer": provider.issuer, "client_id": "ai-setup", "scopes": ["openid", "offline_access"]}
    }));
    std::fs::write(dir.path().join("discovery.json"), doc.to_string()).unwrap();
    let endpoint = Endpoint::start(None, &["--org-dir", dir.path().to_str().unwrap()]);
    (dir, endpoint)
}

fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn stored(env: &TestEnv, org: &str) -> Value {
    let text = std::fs::read_to_string(env.path(".local/share/ai-setup/credentials.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()[org].clone()
}

fn device_login(env: &TestEnv, endpoint: &Endpoint) -> i32 {
    device_login_approved_by(env, &endpoint.url, |_, complete| {
        // The person approves on "another device".
        let status = Command::new(fixture("browser.py"))
            .arg(complete)
            .status()
            .unwrap();
        assert!(status.success());
    })
    .code
}

fn wait_until_refresh_is_due(token: &str) {
    let c = claims(token);
    let (iat, exp) = (c["iat"].as_i64().unwrap(), c["exp"].as_i64().unwrap());
    while now() < exp - (exp - iat) / 4 {
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn browser_login_against_oidc_provider() {
    let provider = Provider::start(3600);
    let (_org, endpoint) = org_for(&provider);
    let env = TestEnv::new().env("BROWSER", &fixture("browser.py").display().to_string());
    let (code, screen) = login_on_terminal(&env, &endpoint.url);
    assert_eq!(code, 0, "{screen}");
    let token = env.stored_token(&endpoint.url);
    let c = claims(&token);
    assert_eq!(
        c["iss"],
        provider.issuer.as_str(),
        "a token from the real provider"
    );
    assert_eq!(c["sub"], "dev@demo.example");
    assert!(stored(&env, &endpoint.url)["refresh_token"].is_string());
    assert_eq!(
        env.run(&["status", "--json"]).json()["identity"],
        "dev@demo.example"
    );
}

#[test]
fn device_login_and_refresh_with_rotation_against_oidc_provider() {
    let provider = Provider::start(12);
    let (_org, endpoint) = org_for(&provider);
    let env = TestEnv::new();
    assert_eq!(device_login(&env, &endpoint), 0);
    let first = stored(&env, &endpoint.url);
    let token = first["token"].as_str().unwrap().to_string();
    assert_eq!(claims(&token)["iss"], provider.issuer.as_str());

    wait_until_refresh_is_due(&token);
    let run = env.run(&["token"]);
    assert_eq!(run.code, 0, "{run:?}");
    let second = stored(&env, &endpoint.url);
    assert_eq!(run.stdout.trim(), second["token"].as_str().unwrap());
    assert_ne!(second["token"], first["token"], "a new access token");
    assert_ne!(
        second["refresh_token"], first["refresh_token"],
        "the refresh token rotated"
    );
}

#[test]
fn a_revoked_refresh_token_means_log_in_again() {
    let provider = Provider::start(12);
    let (_org, endpoint) = org_for(&provider);
    let env = TestEnv::new();
    assert_eq!(device_login(&env, &endpoint), 0);
    let credential = stored(&env, &endpoint.url);
    let refresh = credential["refresh_token"].as_str().unwrap();
    let status = post_form(
        &format!("{}/token/revocation", provider.issuer),
        &[("token", refresh), ("client_id", "ai-setup")],
    );
    assert_eq!(status, 200);
    wait_until_refresh_is_due(credential["token"].as_str().unwrap());
    let run = env.run(&["token"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("ai-setup login {}", endpoint.url)),
        "{run:?}"
    );
}

#[test]
fn client_credentials_against_oidc_provider() {
    let provider = Provider::start(12);
    let (_org, endpoint) = org_for(&provider);
    let env = TestEnv::new().env("SA_SECRET", "service-secret");
    let run = env.login_with(
        &endpoint.url,
        &[
            "--client-id",
            "service-account",
            "--client-secret-env",
            "SA_SECRET",
            "--clients",
            "opencode",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["login_method"], "client_credentials");
    let token = env.stored_token(&endpoint.url);
    assert_eq!(claims(&token)["client_id"], "service-account");

    // No refresh token for a service account: the stored secret gets a new token.
    wait_until_refresh_is_due(&token);
    let run = env.run(&["token"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_ne!(run.stdout.trim(), token);

    let wrong = TestEnv::new().env("SA_SECRET", "wrong");
    let run = wrong.login_with(
        &endpoint.url,
        &[
            "--client-id",
            "service-account",
            "--client-secret-env",
            "SA_SECRET",
        ],
    );
    assert_eq!(run.code, 3, "{run:?}");
}
