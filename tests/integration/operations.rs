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
