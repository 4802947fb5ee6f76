//! Operations: versions (`--version` with build info, the org's `ai_setup.min_version`),
//! diagnostics, `dist/` (generated completions and man pages, the install script) and the
//! sync timer.

use crate::common::{BIN, Endpoint, TestEnv};

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
    let mut doc: serde_json::Value = crate::common::demo_document();
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
    let token = env.stored_token(&endpoint.url);
    assert!(!login.stderr.contains(&token));
    assert!(!text.contains(&token), "the token is in the log");
    // Not even its signature.
    let signature = token.rsplit('.').next().unwrap();
    assert!(!text.contains(signature) && !login.stderr.contains(signature));
    assert!(
        runs[1].stdout.trim() == env.stored_token(&endpoint.url),
        "token still prints the token"
    );

    let bad = env.env_run(&["RUST_LOG", "ai_setup=[["], &["status"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("RUST_LOG"), "{bad:?}");
}

/// Every file under `dir`, by its path relative to `dir`.
fn files(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    crate::common::files_under(dir)
        .into_iter()
        .map(|(path, bytes)| (path.strip_prefix(dir).unwrap().to_path_buf(), bytes))
        .collect()
}

#[test]
fn dist_holds_what_the_command_line_generates() {
    let env = TestEnv::new();
    let fresh = env.path("generated");
    let run = env.run(&["generate", fresh.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let generated = files(&fresh);
    assert!(
        generated.len() >= 20,
        "four completions and a man page per command"
    );
    let committed = files(&dist);
    for (path, bytes) in &generated {
        assert!(
            committed.get(path).is_some_and(|c| c == bytes),
            "dist/{} is stale or missing: run `cargo run -- generate dist` and commit it",
            path.display()
        );
    }
    for path in committed
        .keys()
        .filter(|p| p.starts_with("completions") || p.starts_with("man"))
    {
        assert!(
            generated.contains_key(path),
            "dist/{} is no longer generated: remove it",
            path.display()
        );
    }
}

#[test]
fn the_install_script_installs_a_working_ai_setup_with_completions_and_man_pages() {
    let env = TestEnv::new();
    let prefix = env.path("prefix");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dist/install.sh");
    let out = env
        .command(
            "sh",
            &[
                script.to_str().unwrap(),
                "--prefix",
                prefix.to_str().unwrap(),
                "--binary",
                BIN,
            ],
        )
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("Add ") && said.contains("/bin to your PATH"),
        "{said}"
    );

    let installed = prefix.join("bin/ai-setup");
    let version = env
        .command(installed.to_str().unwrap(), &["--version"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("ai-setup "));
    let status = env
        .command(installed.to_str().unwrap(), &["status"])
        .output()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(3),
        "a working binary: not logged in"
    );
    // Claude Code's token hook runs the helper installed beside it, which prints the token.
    let endpoint = Endpoint::demo();
    let login = env
        .command(
            installed.to_str().unwrap(),
            &[
                "login",
                &endpoint.url,
                "--yes",
                "--credential-store",
                "file",
                "--clients",
                "claude-code",
            ],
        )
        .output()
        .unwrap();
    assert!(login.status.success(), "{login:?}");
    let settings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path(".claude/settings.json")).unwrap()).unwrap();
    let hook = settings["apiKeyHelper"].as_str().unwrap();
    let helper = std::fs::canonicalize(prefix.join("bin/ai-setup-token")).unwrap();
    assert_eq!(
        hook,
        format!("{} --org {}", helper.display(), endpoint.url),
        "{settings}"
    );
    let printed = env.command("sh", &["-c", hook]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&printed.stdout).trim(),
        env.stored_token(&endpoint.url)
    );

    let man = std::fs::read_to_string(prefix.join("share/man/man1/ai-setup.1")).unwrap();
    assert!(man.contains(".TH ai-setup 1"), "{man}");
    assert!(prefix.join("share/man/man1/ai-setup-login.1").is_file());
    let zsh = std::fs::read_to_string(prefix.join("share/zsh/site-functions/_ai-setup")).unwrap();
    assert!(zsh.starts_with("#compdef ai-setup"));
    assert!(
        prefix
            .join("share/fish/vendor_completions.d/ai-setup.fish")
            .is_file()
    );

    // Bash completes subcommands and flags from the installed script.
    let completion = prefix.join("share/bash-completion/completions/ai-setup");
    let complete = |words: &str, current: usize| {
        let script = format!(
            "source '{}'; f=$(complete -p ai-setup | sed -E 's/.*-F ([^ ]+).*/\\1/'); \
             COMP_WORDS=({words}); COMP_CWORD={current}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
             $f ai-setup \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            completion.display()
        );
        let out = env.command("bash", &["-c", &script]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let subcommands = complete("ai-setup lo", 1);
    assert!(subcommands.lines().any(|l| l == "login"), "{subcommands}");
    assert!(subcommands.lines().any(|l| l == "logout"), "{subcommands}");
    let flags = complete("ai-setup usage --d", 2);
    assert!(flags.lines().any(|l| l == "--days"), "{flags}");
}

#[test]
fn service_install_writes_a_timer_at_the_orgs_interval() {
    let endpoint = Endpoint::demo();
    // The proxy's default address (the tests' environment names another).
    let env = TestEnv::new().env("AI_SETUP_PROXY_ADDRESS", "");
    assert_eq!(env.login(&endpoint.url).code, 0);
    // --no-start: a test must not enable a timer in the machine's own service manager.
    let run = env.run(&["service", "install", "--no-start", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_eq!(
        json["interval_seconds"], 3600,
        "the demo org's ai_setup.refresh is 1h"
    );
    assert_eq!(json["interval_source"], "the org's ai_setup.refresh");
    assert_eq!(json["started"], false);
    let timer =
        std::fs::read_to_string(env.path(".config/systemd/user/ai-setup-sync.timer")).unwrap();
    assert!(timer.contains("OnUnitActiveSec=3600s"), "{timer}");
    assert!(timer.contains("WantedBy=timers.target"));
    let service =
        std::fs::read_to_string(env.path(".config/systemd/user/ai-setup-sync.service")).unwrap();
    let program = std::fs::canonicalize(BIN).unwrap();
    assert!(
        service.contains(&format!("ExecStart={} sync", program.display())),
        "{service}"
    );
    assert!(
        !service.contains('{'),
        "every placeholder filled: {service}"
    );
    // The proxy: systemd holds its loopback socket and starts it at the first connection.
    let socket =
        std::fs::read_to_string(env.path(".config/systemd/user/ai-setup-proxy.socket")).unwrap();
    assert!(
        socket.contains("\nListenStream=127.0.0.1:47817\n"),
        "{socket}"
    );
    assert!(socket.contains("WantedBy=sockets.target"), "{socket}");
    let proxy =
        std::fs::read_to_string(env.path(".config/systemd/user/ai-setup-proxy.service")).unwrap();
    assert!(
        proxy.contains(&format!(
            "ExecStart={} proxy --idle-exit 600",
            program.display()
        )),
        "{proxy}"
    );

    let run = env.run(&["service", "install", "--no-start", "--interval", "30m"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("every 30m"), "{run:?}");
    assert!(
        run.stdout
            .contains("systemctl --user enable --now ai-setup-sync.timer ai-setup-proxy.socket"),
        "{run:?}"
    );
    let timer =
        std::fs::read_to_string(env.path(".config/systemd/user/ai-setup-sync.timer")).unwrap();
    assert!(timer.contains("OnUnitActiveSec=1800s"), "{timer}");
    assert_eq!(
        env.run(&["service", "install", "--no-start", "--interval", "10s"])
            .code,
        2
    );
    assert_eq!(
        env.run(&["service", "install", "--no-start", "--interval", "often"])
            .code,
        2
    );

    let run = env.run(&["service", "uninstall", "--no-stop", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["removed"].as_array().unwrap().len(), 4);
    assert!(
        !env.path(".config/systemd/user/ai-setup-sync.timer")
            .exists()
    );
}
