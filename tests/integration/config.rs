//! `ai-setup config`: the layers, their precedence, locks and provenance, from real files.

use serde_json::json;

use crate::common::*;

/// A logged-in home with a user override file (JSONC) and a project folder with its own file.
fn layered_home(endpoint: &Endpoint) -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    env.write(
        ".config/ai-setup/config.jsonc",
        b"// my overrides\n{\n  \"model\": \"openai/gpt-5\",\n  \"permission\": { \"bash\": \"allow\", \"edit\": \"ask\", },\n  \"plugin\": [\"mine\"],\n}\n",
    );
    env.write(
        "work/repo/.ai-setup.json",
        br#"{"small_model": "openai/gpt-5-mini", "plugin": ["team"]}"#,
    );
    let trust = env.run(&["trust", env.path("work/repo").to_str().unwrap()]);
    assert_eq!(trust.code, 0, "{trust:?}");
    let project = env.path("work/repo/src");
    std::fs::create_dir_all(&project).unwrap();
    (env, project)
}

#[test]
fn layers_apply_in_order_and_explain_says_who_set_what() {
    let endpoint = Endpoint::demo();
    let (env, project) = layered_home(&endpoint);
    let env = env.env("AI_SETUP_CONFIG_CONTENT", r#"{"small_model": "env/model"}"#);

    let run = env.run_in(
        &project,
        &["config", "show", "--json", "--set", "model=cli/model"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let v = run.json();
    assert_eq!(v["config"]["model"], "cli/model");
    assert_eq!(v["config"]["small_model"], "env/model");
    assert_eq!(
        v["config"]["permission"],
        json!({"bash": "ask", "edit": "ask", "webfetch": "ask"}),
        "bash stays locked at the org's value; edit is the user's"
    );
    assert_eq!(
        v["config"]["plugin"],
        json!(["mine", "team"]),
        "plugin lists concatenate"
    );
    assert_eq!(
        v["config"]["provider"]["workers-ai"]["name"],
        "Workers AI (Demo Corp)"
    );
    assert_eq!(v["ignored"][0]["key"], "permission.bash");
    assert!(
        run.stderr
            .contains("'permission.bash' is locked by the org"),
        "{run:?}"
    );

    let run = env.run_in(&project, &["config", "explain", "model", "--json"]);
    let e = run.json();
    assert_eq!(e["value"], "openai/gpt-5");
    let sources: Vec<&str> = e["defined_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["org", "user"]);
    assert!(
        e["defined_in"][1]["origin"]
            .as_str()
            .unwrap()
            .ends_with(".config/ai-setup/config.jsonc")
    );

    let run = env.run_in(&project, &["config", "explain", "permission.bash"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("permission.bash = \"ask\""), "{run:?}");
    assert!(run.stdout.contains("ignored     user"), "{run:?}");
    assert!(run.stdout.contains("locked:     yes"), "{run:?}");

    let run = env.run_in(&project, &["config", "explain", "small_model"]);
    assert!(run.stdout.contains("set by      env"), "{run:?}");
    assert!(run.stdout.contains("overrode    project"), "{run:?}");
    assert!(run.stdout.contains("overrode    org"), "{run:?}");

    // Outside the project the project layer is gone.
    let v = env.run(&["config", "show", "--json"]).json();
    assert_eq!(v["config"]["plugin"], json!(["mine"]));
}

#[test]
fn config_path_lists_every_layer_file() {
    let endpoint = Endpoint::demo();
    let (env, project) = layered_home(&endpoint);
    let run = env.run_in(&project, &["config", "path"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("config.jsonc  (present)"), "{run:?}");
    assert!(run.stdout.contains("config.json  (absent)"), "{run:?}");
    assert!(
        run.stdout.contains("work/repo/.ai-setup.json  (present)"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("/.well-known/opencode  (fetched"),
        "{run:?}"
    );
}

#[test]
fn a_broken_override_file_is_named_with_its_position() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    env.write(".config/ai-setup/config.json", b"{\n  \"model\": ,\n}\n");
    let run = env.run(&["config", "show"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("config.json does not parse"), "{run:?}");
    assert!(run.stderr.contains("line 2"), "names the position: {run:?}");
}

#[test]
fn bad_set_and_unknown_keys() {
    let env = TestEnv::new();
    let run = env.run(&["config", "show", "--set", "novalue"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("expected KEY=VALUE"), "{run:?}");
    let run = env.run(&["config", "explain", "no.such.key"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("no.such.key is not set"), "{run:?}");
}
