//! The OS keyring for real: gnome-keyring's Secret Service on a private D-Bus session.

use crate::common::*;

#[test]
fn the_token_goes_to_the_secret_service_and_nowhere_else() {
    let service = SecretService::start();
    let endpoint = Endpoint::demo();
    let env = TestEnv::new().env("DBUS_SESSION_BUS_ADDRESS", &service.bus);

    let run = env.run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--clients",
        "opencode",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.is_empty(),
        "no fallback warning with a keyring: {run:?}"
    );
    assert_eq!(run.json()["credential_store"], "keyring");
    assert_eq!(
        run.json()["credential_location"],
        "keyring (Secret Service)"
    );
    assert!(
        !env.path(".local/share/ai-setup/credentials.json").exists(),
        "no file store"
    );

    // The entry is in the real Secret Service (not keyring's in-memory mock), where any
    // libsecret client finds it, and it holds the token `ai-setup token` prints.
    let stored = service
        .lookup(&[("service", "ai-setup"), ("username", &endpoint.url)])
        .expect("the credential is in the Secret Service");
    let token = env.run(&["token"]);
    assert_eq!(token.code, 0, "{token:?}");
    let credential: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(credential["token"].as_str().unwrap(), token.stdout.trim());
    // The helper client files run hands the keyring to ai-setup, with the same answer.
    let helper = env.run_helper(&[]);
    assert_eq!(
        (helper.code, &helper.stdout),
        (0, &token.stdout),
        "{helper:?}"
    );

    let status = env.run(&["status", "--json"]).json();
    assert_eq!(status["credential_store"], "keyring");
    assert_eq!(status["token"], "valid");

    let run = env.run(&["logout"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        service
            .lookup(&[("service", "ai-setup"), ("username", &endpoint.url)])
            .is_none()
    );
}

#[test]
fn moving_the_token_to_the_file_store_leaves_no_copy_in_the_keyring() {
    let service = SecretService::start();
    let endpoint = Endpoint::demo();
    let env = TestEnv::new().env("DBUS_SESSION_BUS_ADDRESS", &service.bus);
    let attrs = [("service", "ai-setup"), ("username", endpoint.url.as_str())];

    assert_eq!(
        env.run(&[
            "login",
            &endpoint.url,
            "--yes",
            "--credential-store",
            "keyring"
        ])
        .code,
        0
    );
    assert!(service.lookup(&attrs).is_some());
    let run = env.run(&["login", &endpoint.url, "--credential-store", "file"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        service.lookup(&attrs).is_none(),
        "the keyring copy is removed"
    );
    assert_eq!(
        env.run(&["status", "--json"]).json()["credential_store"],
        "file"
    );
    assert_eq!(env.run(&["token"]).code, 0);
}

#[test]
fn a_credential_larger_than_the_backend_holds_is_split_and_put_back_together() {
    let service = SecretService::start();
    let endpoint = Endpoint::demo();
    // Entries of 100 characters, as a backend with a small limit would force.
    let env = TestEnv::new()
        .env("DBUS_SESSION_BUS_ADDRESS", &service.bus)
        .env("AI_SETUP_KEYRING_CHUNK", "100");
    let run = env.run(&[
        "login",
        &endpoint.url,
        "--yes",
        "--credential-store",
        "keyring",
        "--clients",
        "opencode",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let head = service
        .lookup(&[("service", "ai-setup"), ("username", &endpoint.url)])
        .unwrap();
    assert!(head.starts_with("ai-setup-chunks:"), "{head}");
    let part = format!("{}#1", endpoint.url);
    assert!(
        service
            .lookup(&[("service", "ai-setup"), ("username", &part)])
            .is_some()
    );

    let token = env.run(&["token"]);
    assert_eq!(token.code, 0, "{token:?}");
    let auth = std::fs::read_to_string(env.auth_json()).unwrap();
    assert!(
        auth.contains(token.stdout.trim()),
        "the whole token, put back together"
    );

    assert_eq!(env.run(&["logout"]).code, 0);
    assert!(
        service
            .lookup(&[("service", "ai-setup"), ("username", &endpoint.url)])
            .is_none()
    );
    assert!(
        service
            .lookup(&[("service", "ai-setup"), ("username", &part)])
            .is_none(),
        "parts go too"
    );
}
