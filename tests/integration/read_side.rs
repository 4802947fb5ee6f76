//! `ai-setup usage` and `ai-setup models` against the reference endpoint: the JSON shapes the
//! README documents, the per-user restriction of the usage endpoint, and what happens without
//! an endpoint or a login.

use serde_json::{Value, json};

use crate::common::{Endpoint, TestEnv, get};

/// The UTC date `days` ago, as YYYY-MM-DD (the endpoint counts days in UTC).
fn day(days_ago: i64) -> String {
    let unix = crate::common::now() - days_ago * 86_400;
    let date = time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap()
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn line(ts_day: &str, user: &str, model: &str, client: &str, input: u64, cost: f64) -> String {
    json!({
        "ts": format!("{ts_day}T10:00:00Z"), "user": user, "model": model, "client": client,
        "input_tokens": input, "output_tokens": input / 10, "cache_read_tokens": input * 2,
        "cost": cost,
    })
    .to_string()
}

/// An org folder with two users and a usage log for both.
fn two_user_org() -> Endpoint {
    let dir = tempfile::tempdir().unwrap();
    let demo: Value = crate::common::demo_document();
    std::fs::write(dir.path().join("discovery.json"), demo.to_string()).unwrap();
    std::fs::write(
        dir.path().join("users.json"),
        json!({"users": [
            {"sub": "alice@example.com", "email": "alice@example.com",
             "budget": {"limit": 100.0, "period": "month"}},
            {"sub": "bob@example.com", "email": "bob@example.com"}
        ]})
        .to_string(),
    )
    .unwrap();
    let today = day(0);
    let lines = [
        line(
            &today,
            "alice@example.com",
            "anthropic/claude-sonnet-4-5",
            "claude-code",
            1000,
            1.25,
        ),
        line(
            &today,
            "alice@example.com",
            "anthropic/claude-sonnet-4-5",
            "opencode",
            2000,
            2.50,
        ),
        line(
            &today,
            "alice@example.com",
            "openai/gpt-5",
            "codex",
            500,
            0.25,
        ),
        line(
            &today,
            "bob@example.com",
            "anthropic/claude-opus-4-1",
            "claude-code",
            9000,
            40.0,
        ),
        line(
            &day(1),
            "bob@example.com",
            "anthropic/claude-opus-4-1",
            "claude-code",
            9000,
            35.0,
        ),
        // Outside the default 30 days.
        line(
            &day(45),
            "alice@example.com",
            "openai/gpt-5",
            "codex",
            100,
            7.0,
        ),
    ];
    std::fs::write(dir.path().join("usage.jsonl"), lines.join("\n") + "\n").unwrap();
    Endpoint::start(Some(dir), &[])
}

/// A home logged in to `endpoint` as `user`, with a development token for that user.
fn logged_in_as(endpoint: &Endpoint, user: &str) -> (TestEnv, String) {
    let (status, token) = get(&format!("{}/dev/token?user={user}", endpoint.url), None);
    assert_eq!(status, 200, "{token}");
    let token = token.trim().to_string();
    let env = TestEnv::new();
    let run = env.login_with_token(&endpoint.url, &token);
    assert_eq!(run.code, 0, "{run:?}");
    (env, token)
}

#[test]
fn usage_is_the_token_subjects_own_and_nobody_elses() {
    let endpoint = two_user_org();
    let (alice, alice_token) = logged_in_as(&endpoint, "alice@example.com");
    let run = alice.run(&["usage", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["user"], "alice@example.com");
    assert_eq!(report["from"], day(29));
    assert_eq!(report["to"], day(0));
    assert_eq!(report["currency"], "USD");
    assert_eq!(report["totals"]["requests"], 3);
    assert_eq!(report["totals"]["cost"], 4.0);
    assert_eq!(report["totals"]["input_tokens"], 3500);
    assert_eq!(report["days"].as_array().unwrap().len(), 30);
    assert_eq!(report["days"][29]["date"], day(0));
    assert_eq!(report["days"][29]["requests"], 3);
    let models: Vec<&str> = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert_eq!(
        models,
        ["anthropic/claude-sonnet-4-5", "openai/gpt-5"],
        "by cost, bob's opus absent"
    );
    assert_eq!(report["models"][0]["requests"], 2);
    assert_eq!(report["clients"].as_array().unwrap().len(), 3);
    assert_eq!(
        report["budget"],
        json!({"limit": 100.0, "period": "month", "spent": 4.0})
    );
    assert!(report["warnings"].as_array().unwrap().is_empty());

    // The human report: totals, budget, the model table and a bar per day.
    let text = alice.run(&["usage", "--days", "7"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stdout
            .contains("Usage of Demo Corp by alice@example.com"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("Budget    $4.00 of $100.00 this month (4%)"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("anthropic/claude-sonnet-4-5"));
    assert_eq!(
        text.stdout.matches("\n  20").count(),
        7,
        "one row per day:\n{}",
        text.stdout
    );

    // A range that reaches back 45 days includes the older line.
    let longer = alice.run(&["usage", "--json", "--from", &day(50)]).json();
    assert_eq!(longer["totals"]["requests"], 4);

    let (bob, bob_token) = logged_in_as(&endpoint, "bob@example.com");
    let report = bob.run(&["usage", "--json"]).json();
    assert_eq!(report["user"], "bob@example.com");
    assert_eq!(report["totals"]["requests"], 2);
    assert_eq!(report["totals"]["cost"], 75.0);
    assert!(
        report.get("budget").is_none(),
        "bob has no budget: {report}"
    );

    // The endpoint answers for the token's subject only: no parameter names another user,
    // and without a valid token there is no answer at all.
    let url = format!(
        "{}/v1/usage/me?user=alice@example.com&sub=alice@example.com",
        endpoint.url
    );
    let (status, body) = get(&url, Some(&bob_token));
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["user"], "bob@example.com");
    assert_eq!(answer["totals"]["cost"], 75.0);
    assert_eq!(get(&url, None).0, 401);
    let forged = format!("{}x", &alice_token[..alice_token.len() - 1]);
    assert_eq!(get(&url, Some(&forged)).0, 401);

    // Bad ranges are usage errors, before any request.
    assert_eq!(alice.run(&["usage", "--from", "2026-13-01"]).code, 2);
    assert_eq!(
        alice
            .run(&["usage", "--from", &day(0), "--to", &day(3)])
            .code,
        2
    );
    assert_eq!(alice.run(&["usage", "--days", "0"]).code, 2);
}

#[test]
fn an_org_without_endpoints_says_so_and_models_come_from_its_config() {
    let mut doc: Value = crate::common::demo_document();
    doc["ai_setup"].as_object_mut().unwrap().remove("endpoints");
    let endpoint = Endpoint::with_document(&doc);
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    let run = env.run(&["usage"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("Demo Corp publishes no usage endpoint"),
        "{run:?}"
    );
    assert!(run.stderr.contains("ai_setup.endpoints.usage"), "{run:?}");
    let json = env.run(&["usage", "--json"]).json();
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no usage endpoint")
    );

    let models = env.run(&["models", "--json"]);
    assert_eq!(models.code, 0, "{models:?}");
    let models = models.json();
    assert_eq!(models["source"], "config");
    assert_eq!(models["count"], 10);
}

#[test]
fn models_from_the_reference_endpoint_with_catalog_details() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let login = env.login_with(&endpoint.url, &["--clients", "opencode,claude-code,codex"]);
    assert_eq!(login.code, 0, "{login:?}");
    let run = env.run(&["models", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_eq!(json["org"], endpoint.url);
    assert_eq!(json["org_name"], "Demo Corp");
    assert_eq!(json["source"], "endpoint");
    assert_eq!(json["default"], "anthropic/claude-sonnet-4-5");
    assert_eq!(json["small_model"], "anthropic/claude-haiku-4-5");
    assert_eq!(json["count"], 10);
    let models = json["models"].as_array().unwrap();
    let find = |id: &str| {
        models
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let sonnet = find("anthropic/claude-sonnet-4-5");
    assert_eq!(sonnet["default"], true);
    assert_eq!(sonnet["offered"], true);
    assert_eq!(sonnet["in_catalog"], true);
    assert_eq!(sonnet["provider_name"], "Anthropic");
    assert_eq!(sonnet["context"], 200000);
    assert_eq!(sonnet["cost"]["input"], 3.0);
    assert_eq!(sonnet["cost"]["output"], 15.0);
    assert_eq!(sonnet["tool_call"], true);
    assert_eq!(sonnet["clients"], json!(["opencode", "claude-code"]));
    assert_eq!(
        find("openai/gpt-5-codex")["clients"],
        json!(["opencode", "codex"])
    );
    let kimi = find("workers-ai/kimi-k2.5");
    assert_eq!(kimi["context"], 262144, "the org's own details");
    assert_eq!(kimi["clients"], json!(["opencode"]));
    assert!(
        models
            .iter()
            .all(|m| m["default"] == (m["id"] == "anthropic/claude-sonnet-4-5"))
    );

    let haiku = env.run(&["models", "--json", "--search", "HAIKU"]).json();
    assert_eq!(haiku["count"], 1);
    assert_eq!(haiku["models"][0]["id"], "anthropic/claude-haiku-4-5");
    assert_eq!(
        env.run(&["models", "--json", "--provider", "openai"])
            .json()["count"],
        3
    );
    let text = env.run(&["models"]);
    assert!(
        text.stdout.contains("* anthropic/claude-sonnet-4-5"),
        "{}",
        text.stdout
    );

    let all = env
        .run(&["models", "--all", "--json", "--provider", "anthropic"])
        .json();
    assert_eq!(all["source"], "catalog");
    let offered = all["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["offered"] == true)
        .count();
    assert_eq!(offered, 3);
    assert!(all["count"].as_u64().unwrap() > 20);

    // The endpoint wants the token.
    assert_eq!(get(&format!("{}/v1/models", endpoint.url), None).0, 401);
}

#[test]
fn the_catalog_works_logged_out_and_org_models_need_a_login() {
    let env = TestEnv::new();
    let all = env.run(&["models", "--all", "--json"]);
    assert_eq!(all.code, 0, "{all:?}");
    assert_eq!(all.json()["count"], 4803);
    let run = env.run(&["models"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("models --all"), "{run:?}");
    assert_eq!(env.run(&["usage"]).code, 3);
}

#[test]
fn an_org_models_json_is_served_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let demo: Value = crate::common::demo_document();
    std::fs::write(dir.path().join("discovery.json"), demo.to_string()).unwrap();
    std::fs::write(
        dir.path().join("models.json"),
        json!({"inhouse": {"id": "inhouse", "name": "In-house", "models": {
            "coder-2": {"id": "coder-2", "name": "Coder 2", "limit": {"context": 32768, "output": 4096},
                        "cost": {"input": 0.1, "output": 0.2}, "tool_call": true}
        }}})
        .to_string(),
    )
    .unwrap();
    let endpoint = Endpoint::start(Some(dir), &[]);
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    let json = env.run(&["models", "--json"]).json();
    assert_eq!(json["count"], 11, "the config's ten and the endpoint's one");
    let coder = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "inhouse/coder-2")
        .unwrap();
    assert_eq!(coder["provider_name"], "In-house");
    assert_eq!(coder["context"], 32768);
    assert_eq!(coder["in_catalog"], false);
}

#[test]
fn broken_answers_from_the_endpoints_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let demo: Value = crate::common::demo_document();
    std::fs::write(dir.path().join("discovery.json"), demo.to_string()).unwrap();
    std::fs::write(
        dir.path().join("usage.jsonl"),
        format!(
            "{}\nnot json\n",
            line(&day(0), "dev@example.com", "m", "c", 1, 0.1)
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("models.json"), "[1, 2, 3]").unwrap();
    let endpoint = Endpoint::start(Some(dir), &[]);
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);

    let run = env.run(&["usage"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("answered 500: usage.jsonl line 2"),
        "{run:?}"
    );

    // A models endpoint sending something else than a catalog: the config's models, and why.
    let run = env.run(&["models", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_eq!(json["source"], "config");
    assert_eq!(json["count"], 10);
    assert!(
        json["warnings"][0]
            .as_str()
            .unwrap()
            .contains("is not a models catalog"),
        "{json}"
    );
}
