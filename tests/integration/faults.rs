//! Faults, as a fleet meets them: the real binary killed at many points of `login` and `sync`
//! (by signal at spread delays, and at named points inside the transaction), a full disk,
//! runs at once, odd server names, a wrongly typed document and a damaged ledger.
//!
//! The promise checked after each: every client file parses and is either what it was or what
//! the run was writing; the next run finishes the job and the one after writes nothing;
//! `logout --restore` gives back the user's bytes and removes what ai-setup created; no token
//! is left outside the credential store; no temporary file is left.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{BIN, Endpoint, TestEnv, jwt, now};

/// The demo org's document, with every client enabled.
fn demo_for_every_client() -> Value {
    let mut doc: Value = crate::common::demo_document();
    doc["ai_setup"]["clients"]
        .as_object_mut()
        .unwrap()
        .remove("enabled");
    doc
}

/// The demo org's document with `servers` more remote MCP servers, named `{tag}-{i}`.
fn large_org(servers: usize, tag: &str) -> Value {
    let mut doc = demo_for_every_client();
    let mcp = doc["config"]["mcp"].as_object_mut().unwrap();
    for i in 0..servers {
        mcp.insert(
            format!("{tag}-{i}"),
            json!({"type": "remote", "url": format!("{{baseURL}}/mcp/{tag}-{i}")}),
        );
    }
    doc
}

/// The user's own files for several clients, with comments and entries of their own.
const USER_FILES: &[(&str, &str)] = &[
    (
        ".local/share/opencode/auth.json",
        "{\n  \"zai\": {\n    \"type\": \"api\",\n    \"key\": \"sk-user\"\n  }\n}\n",
    ),
    (
        ".config/opencode/opencode.jsonc",
        "// mine\n{ \"theme\": \"x\", }\n",
    ),
    (
        ".claude.json",
        "{\n  \"numStartups\": 5,\n  \"mcpServers\": {\n    \"mine\": {\"type\": \"stdio\", \"command\": \"my\"}\n  }\n}\n",
    ),
    (".claude/settings.json", "{\n  \"theme\": \"dark\"\n}\n"),
    (
        ".codex/config.toml",
        "# mine\napproval_policy = \"on-request\"\n\n[mcp_servers.mine]\ncommand = \"my\"\n",
    ),
    (
        ".gemini/settings.json",
        "{\"mcpServers\": {\"mine\": {\"command\": \"my\"}}}\n",
    ),
    (
        ".config/goose/config.yaml",
        "# goose\nextensions:\n  mine:\n    cmd: my\n    type: stdio\n",
    ),
    (
        ".continue/config.yaml",
        "name: Mine\nversion: 1.0.0\nschema: v1\n# my servers\nmcpServers:\n  - name: mine\n    command: my\n",
    ),
];

fn lived_in(env: &TestEnv) {
    for (path, text) in USER_FILES {
        env.write(path, text.as_bytes());
    }
}

/// ai-setup's own files (state, credential store, cache), as opposed to clients' files.
fn is_own(env: &TestEnv, path: &Path) -> bool {
    [".local/state/ai-setup", ".local/share/ai-setup", ".cache"]
        .iter()
        .any(|own| path.starts_with(env.path(own)))
}

/// Every client file under the home, with its bytes.
fn client_files(env: &TestEnv) -> BTreeMap<PathBuf, Vec<u8>> {
    // The proxy's local secret (in Gemini CLI's .env) is new after every logout: it is
    // compared by name, not by value.
    let secret = std::fs::read_to_string(env.path(".local/state/ai-setup/proxy-secret"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    env.snapshot()
        .into_iter()
        .filter(|(p, _)| !is_own(env, p))
        .map(|(p, bytes)| match &secret {
            Some(secret) => {
                let text = String::from_utf8_lossy(&bytes).replace(secret, "<local secret>");
                (p, text.into_bytes())
            }
            None => (p, bytes),
        })
        .collect()
}

/// Every file parses, by a parser that is not ai-setup's editor where one can be had: Python's
/// `json`, `tomllib` and PyYAML, and jsonc-parser for files with comments.
fn assert_all_parse(files: &BTreeMap<PathBuf, Vec<u8>>, when: &str) {
    let mut for_python = Vec::new();
    for (path, bytes) in files {
        let name = path.to_string_lossy();
        if name.ends_with(".json") || name.ends_with(".jsonc") {
            let text =
                std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: not UTF-8 ({when})"));
            let parsed: Result<Option<Value>, _> =
                jsonc_parser::parse_to_serde_value(text, &Default::default());
            assert!(
                matches!(parsed, Ok(Some(Value::Object(_)))),
                "{name} does not parse as a JSON object ({when}):\n{text}"
            );
        } else if name.ends_with(".toml") || name.ends_with(".yaml") {
            for_python.push(name.into_owned());
        }
    }
    if for_python.is_empty() {
        return;
    }
    let script = "import sys, tomllib, yaml\n\
        for p in sys.argv[1:]:\n\
        \x20   data = open(p, 'rb').read()\n\
        \x20   doc = tomllib.loads(data.decode()) if p.endswith('.toml') else yaml.safe_load(data)\n\
        \x20   assert isinstance(doc, dict), p\n";
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&for_python)
        .output()
        .expect("python3 (with PyYAML) runs: `bash .ci/run` installs it");
    assert!(
        out.status.success(),
        "a client file does not parse ({when}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// No temporary file of ai-setup's anywhere under the home.
fn assert_no_temp_files(env: &TestEnv, when: &str) {
    let temp: Vec<_> = env
        .snapshot()
        .into_keys()
        .filter(|p| p.to_string_lossy().ends_with(".ai-setup.tmp"))
        .collect();
    assert!(temp.is_empty(), "temporary files left ({when}): {temp:?}");
}

/// No file under the home holds `token`, but the credential store and (while logged in)
/// OpenCode's auth.json, which is its native mechanism, and Kilo Code's, its fork's.
fn assert_token_only_where_allowed(env: &TestEnv, token: &str, logged_in: bool, when: &str) {
    let allowed = |p: &Path| {
        p == env.path(".local/share/ai-setup/credentials.json")
            || (logged_in && (p == env.auth_json() || p == env.path(".local/share/kilo/auth.json")))
    };
    let holders: Vec<_> = env
        .snapshot()
        .into_iter()
        .filter(|(p, b)| !allowed(p) && String::from_utf8_lossy(b).contains(token))
        .map(|(p, _)| p)
        .collect();
    assert!(holders.is_empty(), "the token is in {holders:?} ({when})");
}

/// The home's bytes, to put back after a reference run.
struct Saved(tempfile::TempDir);

fn save_home(env: &TestEnv) -> Saved {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&env.home, &dir.path().join("home"));
    Saved(dir)
}

fn restore_home(env: &TestEnv, saved: &Saved) {
    std::fs::remove_dir_all(&env.home).unwrap();
    copy_tree(&saved.0.path().join("home"), &env.home);
}

fn copy_tree(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A login (with a fixed token, so that every run writes the same bytes) or a sync.
fn args_of(op: &str, url: &str) -> Vec<String> {
    let mut args: Vec<String> = match op {
        "login" => vec![
            "login".into(),
            url.into(),
            "--token-stdin".into(),
            "--yes".into(),
        ],
        _ => vec!["sync".into(), url.into()],
    };
    args.extend(["--credential-store", "file", "--clients", "all"].map(String::from));
    args
}

/// Runs `op` to the end; how long it took.
fn run_op(env: &TestEnv, op: &str, url: &str, token: &str) -> Duration {
    let args = args_of(op, url);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let run = env.run_with(&args, Some(token));
    assert_eq!(run.code, 0, "{op}: {run:?}");
    started.elapsed()
}

/// How a run is stopped.
#[derive(Debug, Clone)]
enum Kill {
    /// At a named point inside the transaction (`AI_SETUP_CRASH_AT`).
    At(&'static str),
    /// By SIGKILL after a delay.
    After(Duration),
}

/// Runs `op` and kills it; whether it finished before the kill.
fn run_killed(env: &TestEnv, op: &str, url: &str, token: &str, kill: &Kill) -> bool {
    let mut cmd = env.command(BIN, &[]);
    cmd.args(args_of(op, url))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Kill::At(point) = kill {
        cmd.env("AI_SETUP_CRASH_AT", point);
    }
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let _ = child.stdin.take().unwrap().write_all(token.as_bytes());
    }
    if let Kill::After(delay) = kill {
        std::thread::sleep(*delay);
        let _ = child.kill();
    }
    let status = child.wait().unwrap();
    status.success()
}

/// Whether `state.json` knows the org (the login got that far).
fn logged_in(env: &TestEnv, url: &str) -> bool {
    std::fs::read_to_string(env.path(".local/state/ai-setup/state.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .is_some_and(|s| s["orgs"].get(url).is_some())
}

/// After a killed run: files whole and old or new; the next run finishes the job; the one
/// after writes nothing; restore is exact; no token or temporary file is left behind.
#[allow(clippy::too_many_arguments)]
fn check_after_kill(
    env: &TestEnv,
    url: &str,
    token: &str,
    op: &str,
    kill: &Kill,
    old: &BTreeMap<PathBuf, Vec<u8>>,
    new: &BTreeMap<PathBuf, Vec<u8>>,
    original: &BTreeMap<PathBuf, Vec<u8>>,
) {
    let when = format!("{op} killed {kill:?}");
    let files = client_files(env);
    assert_all_parse(&files, &when);
    for (path, bytes) in &files {
        if path.to_string_lossy().ends_with(".ai-setup.tmp") {
            continue;
        }
        assert!(
            old.get(path) == Some(bytes) || new.get(path) == Some(bytes),
            "{} is neither the old nor the new version ({when}):\n{}",
            path.display(),
            String::from_utf8_lossy(bytes)
        );
    }

    // The next run finishes the job: a sync, or the login again when it did not get as far
    // as remembering the org (then there is no token to sync with).
    let next = if logged_in(env, url) { "sync" } else { "login" };
    run_op(env, next, url, token);
    assert_same_files(
        &client_files(env),
        new,
        &format!(
            "after the {next} that followed ({when}), the files are what an uninterrupted {op} writes"
        ),
    );
    assert_no_temp_files(env, &when);
    assert!(
        !env.path(".local/state/ai-setup/journal.json").exists(),
        "the journal is gone ({when})"
    );
    let before = client_files(env);
    run_op(env, "sync", url, token);
    assert_same_files(
        &client_files(env),
        &before,
        &format!("a second sync writes nothing ({when})"),
    );
    assert_token_only_where_allowed(env, token, true, &when);

    let run = env.run(&["logout", url, "--restore"]);
    assert_eq!(run.code, 0, "{when}: {run:?}");
    let after = client_files(env);
    for (path, bytes) in original {
        assert_eq!(
            after
                .get(path)
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            Some(String::from_utf8_lossy(bytes).into_owned()),
            "{} after logout --restore ({when})",
            path.display()
        );
    }
    let extra: Vec<_> = after
        .keys()
        .filter(|p| !original.contains_key(*p))
        .collect();
    assert!(
        extra.is_empty(),
        "files ai-setup created are left ({when}): {extra:?}"
    );
    assert_token_only_where_allowed(env, token, false, &when);
    assert_no_temp_files(env, &when);
}

const POINTS: &[&str] = &[
    "after-journal",
    "after-credential",
    "after-state",
    "before-file-0",
    "before-file-1",
    "before-file-6",
    "before-rename-0",
    "before-rename-5",
    "after-files",
    "after-ledger",
];

/// Kills at named points and at spread delays, for one operation. `prepare` brings a fresh
/// home to the state the operation starts from.
fn kill_everywhere(op: &str, endpoint: &Endpoint, token: &str, prepare: &dyn Fn(&TestEnv)) {
    // The reference: what the operation writes when nothing goes wrong, and how long it takes.
    let env = TestEnv::new();
    lived_in(&env);
    let original = client_files(&env);
    prepare(&env);
    let old = client_files(&env);
    let saved = save_home(&env);
    let took = run_op(&env, op, &endpoint.url, token);
    let new = client_files(&env);
    assert_ne!(old, new, "the {op} changes something");
    restore_home(&env, &saved);

    let mut kills: Vec<Kill> = POINTS.iter().map(|p| Kill::At(p)).collect();
    kills.extend((1..=5).map(|k| Kill::After(took * k / 6)));
    let mut interrupted = 0;
    for kill in &kills {
        restore_home(&env, &saved);
        if !run_killed(&env, op, &endpoint.url, token, kill) {
            interrupted += 1;
        }
        check_after_kill(&env, &endpoint.url, token, op, kill, &old, &new, &original);
    }
    assert!(
        interrupted >= POINTS.len(),
        "most kills landed inside the {op} ({interrupted} of {})",
        kills.len()
    );
}

/// The org the kill tests use: large enough that a run spends most of its time writing.
const KILL_ORG_SERVERS: usize = 150;

fn long_lived_token() -> String {
    jwt(json!({"sub": "dev@example.com", "exp": now() + 86_400, "iat": now()}))
}

#[test]
fn a_login_killed_anywhere_is_finished_by_the_next_run_and_restore_is_exact() {
    let endpoint = Endpoint::with_document(&large_org(KILL_ORG_SERVERS, "srv"));
    let token = long_lived_token();
    kill_everywhere("login", &endpoint, &token, &|_| {});
}

#[test]
fn a_sync_killed_anywhere_is_finished_by_the_next_run_and_restore_is_exact() {
    let endpoint = Endpoint::with_document(&large_org(KILL_ORG_SERVERS, "srv"));
    let token = long_lived_token();
    let url = endpoint.url.clone();
    let login_token = token.clone();
    let doc_v2 = large_org(KILL_ORG_SERVERS, "new");
    let endpoint_ref = &endpoint;
    kill_everywhere("sync", &endpoint, &token, &move |env| {
        endpoint_ref.set_document(&large_org(KILL_ORG_SERVERS, "srv"));
        run_op(env, "login", &url, &login_token);
        endpoint_ref.set_document(&doc_v2);
    });
}

/// A small tmpfs, mounted for one test and unmounted after it (needs root, as CI runs).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(SmallDisk { dir });
        }
        // CI runs as root: there the test must run. A developer without root is told.
        assert!(
            std::env::var_os("CI").is_none(),
            "mounting a tmpfs failed; the disk-full test needs root"
        );
        eprintln!("skipped: mounting a tmpfs needs root");
        None
    }

    /// Fills the disk up to `free` bytes.
    fn fill_leaving(&self, free: u64) {
        use std::io::Write;
        let path = self.dir.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        while file.write_all(&chunk).is_ok() {
            written += chunk.len() as u64;
        }
        let _ = file.flush();
        file.set_len(written.saturating_sub(free)).unwrap();
    }

    fn empty(&self) {
        let _ = std::fs::remove_file(self.dir.path().join("filler"));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_login_on_a_full_disk_leaves_every_file_and_the_token_as_they_were() {
    let Some(disk) = SmallDisk::mount("6m") else {
        return;
    };
    let endpoint = Endpoint::with_document(&large_org(20, "a"));
    let env = TestEnv::at(disk.dir.path().join("home"));
    lived_in(&env);
    let first = long_lived_token();
    run_op(&env, "login", &endpoint.url, &first);
    // The next login brings a much larger configuration and a new token.
    endpoint.set_document(&large_org(150, "b"));
    let second = jwt(json!({"sub": "dev@example.com", "exp": now() + 90_000, "iat": now()}));

    // Where the room runs out decides what there is to undo. The steps are 16 KiB, and page by
    // page around the first that gets past the journal: there the first files are written and
    // the next finds less than a page free, so undoing must need no room at all.
    let (step, page) = (16 << 10, 4 << 10);
    let (mut free, mut fine_until, mut failures) = (0, None, 0);
    loop {
        let before = client_files(&env);
        let state = std::fs::read(env.path(".local/state/ai-setup/state.json")).unwrap();
        let ledger = std::fs::read(env.path(".local/state/ai-setup/ledger.json")).unwrap();
        disk.fill_leaving(free);
        let args = args_of("login", &endpoint.url);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = env.run_with(&args, Some(&second));
        disk.empty();
        if run.code == 0 {
            break;
        }
        failures += 1;
        let when = format!("login with {free} bytes free");
        assert_eq!(run.code, 1, "{when}: {run:?}");
        assert!(
            run.stderr.contains("nothing was changed"),
            "{when}: {run:?}"
        );
        assert_eq!(
            client_files(&env),
            before,
            "{when}: client files as they were"
        );
        assert_eq!(
            env.stored_token(&endpoint.url),
            first,
            "{when}: the token as it was"
        );
        assert_eq!(
            std::fs::read(env.path(".local/state/ai-setup/state.json")).unwrap(),
            state,
            "{when}: state.json as it was"
        );
        assert_eq!(
            std::fs::read(env.path(".local/state/ai-setup/ledger.json")).unwrap(),
            ledger,
            "{when}: the ledger as it was"
        );
        assert!(
            !env.path(".local/state/ai-setup/journal.json").exists(),
            "{when}"
        );
        assert_no_temp_files(&env, &when);
        assert!(
            !run.all().contains(&second) && !run.all().contains(&first),
            "{when}: no token in the output"
        );
        let in_journal = ["ledger.next.json", "journal.json"]
            .iter()
            .any(|name| run.stderr.contains(name));
        free = match fine_until {
            None if !in_journal && free >= step => {
                fine_until = Some(free + 2 * step);
                free - step + page
            }
            Some(end) if free + page < end => free + page,
            Some(end) if free < end => end + step,
            _ => free + step,
        };
        assert!(free < (4 << 20), "a login that never succeeds");
    }
    assert!(fine_until.is_some(), "a login failed past the journal");
    assert!(
        failures >= 3,
        "the disk was full enough to fail ({failures} failures)"
    );
    // With room again, the same login goes through.
    run_op(&env, "login", &endpoint.url, &second);
    assert_eq!(env.stored_token(&endpoint.url), second);
}

#[test]
fn two_orgs_synced_and_a_third_logged_in_at_once_lose_nothing() {
    let endpoints: Vec<Endpoint> = ["a", "b", "c"]
        .iter()
        .map(|tag| Endpoint::with_document(&large_org(30, tag)))
        .collect();
    let env = TestEnv::new();
    lived_in(&env);
    let original = client_files(&env);
    let tokens: Vec<String> = (0..3)
        .map(|i| jwt(json!({"sub": format!("u{i}@example.com"), "exp": now() + 86_400})))
        .collect();
    run_op(&env, "login", &endpoints[0].url, &tokens[0]);
    run_op(&env, "login", &endpoints[1].url, &tokens[1]);

    std::thread::scope(|scope| {
        let mut runs = Vec::new();
        for round in 0..3 {
            for (i, op) in [(0, "sync"), (1, "sync")] {
                let (env, url, token) = (&env, &endpoints[i].url, &tokens[i]);
                runs.push(scope.spawn(move || run_op(env, op, url, token)));
            }
            if round == 1 {
                let (env, url, token) = (&env, &endpoints[2].url, &tokens[2]);
                runs.push(scope.spawn(move || run_op(env, "login", url, token)));
            }
        }
        for run in runs {
            run.join().unwrap();
        }
    });

    let state: Value = serde_json::from_slice(
        &std::fs::read(env.path(".local/state/ai-setup/state.json")).unwrap(),
    )
    .unwrap();
    for (endpoint, token) in endpoints.iter().zip(&tokens) {
        assert!(state["orgs"].get(&endpoint.url).is_some(), "{state}");
        let run = env.run(&["token", "--org", &endpoint.url]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(run.stdout.trim(), token);
    }
    let claude: Value =
        serde_json::from_slice(&std::fs::read(env.path(".claude.json")).unwrap()).unwrap();
    for name in ["mine", "a-0", "a-29", "b-0", "b-29", "c-0", "c-29"] {
        assert!(
            claude["mcpServers"].get(name).is_some(),
            "{name} in {claude}"
        );
    }
    // Every org's entries are known as ai-setup's: each sync after writes nothing.
    for (endpoint, token) in endpoints.iter().zip(&tokens) {
        let before = client_files(&env);
        run_op(&env, "sync", &endpoint.url, token);
        assert_same_files(&client_files(&env), &before, "a sync after writes nothing");
    }
    for endpoint in &endpoints {
        assert_eq!(env.run(&["logout", &endpoint.url, "--restore"]).code, 0);
    }
    assert_same_files(&client_files(&env), &original, "restore is exact");
}

#[test]
fn odd_server_names_keep_every_file_whole_and_restore_exact() {
    let odd = [
        ".",
        "..",
        "../up",
        "a.b",
        "a/b",
        "\"quoted\"",
        "it's",
        "new\nline",
        "[x",
        "x]",
        "a=b",
        "[name=x]",
        "#hash",
        "ünïcødé 🚀",
        &"n".repeat(300),
    ];
    let mut doc = demo_for_every_client();
    for name in odd {
        doc["config"]["mcp"][name] = json!({"type": "remote", "url": "{baseURL}/mcp/docs"});
    }
    let endpoint = Endpoint::with_document(&doc);
    let env = TestEnv::new();
    lived_in(&env);
    let original = client_files(&env);
    let token = long_lived_token();
    run_op(&env, "login", &endpoint.url, &token);

    let files = client_files(&env);
    assert_all_parse(&files, "after the login");
    // Every name is there, next to the user's own entry, in the clients that list by name.
    let read_json = |p: &str| -> Value {
        jsonc_parser::parse_to_serde_value::<Option<Value>>(
            &std::fs::read_to_string(env.path(p)).unwrap(),
            &Default::default(),
        )
        .unwrap()
        .unwrap()
    };
    for (file, root) in [
        (".claude.json", "mcpServers"),
        (".gemini/settings.json", "mcpServers"),
    ] {
        let servers = &read_json(file)[root];
        for name in odd.iter().chain(&["mine", "docs", "tickets"]) {
            assert!(servers.get(name).is_some(), "{name:?} in {file}: {servers}");
        }
    }
    let yaml = |p: &str| -> Value {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            ])
            .arg(env.path(p))
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let goose = &yaml(".config/goose/config.yaml")["extensions"];
    let cont = &yaml(".continue/config.yaml")["mcpServers"];
    for name in odd.iter().chain(&["mine", "docs"]) {
        assert!(goose.get(name).is_some(), "{name:?} in Goose: {goose}");
        assert!(
            cont.as_array().unwrap().iter().any(|s| s["name"] == *name),
            "{name:?} in Continue: {cont}"
        );
    }
    let codex = std::fs::read_to_string(env.path(".codex/config.toml")).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, json, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(codex.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let codex: Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in odd.iter().chain(&["mine"]) {
        assert!(
            codex["mcp_servers"].get(name).is_some(),
            "{name:?} in Codex"
        );
    }

    let before = client_files(&env);
    run_op(&env, "sync", &endpoint.url, &token);
    assert_same_files(
        &client_files(&env),
        &before,
        "the second run writes nothing",
    );
    assert_eq!(env.run(&["logout", &endpoint.url, "--restore"]).code, 0);
    assert_same_files(&client_files(&env), &original, "restore is exact");
}

/// The two sets of files are the same, or the difference is shown as text.
fn assert_same_files(
    got: &BTreeMap<PathBuf, Vec<u8>>,
    want: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    let text = |b: Option<&Vec<u8>>| b.map(|b| String::from_utf8_lossy(b).into_owned());
    for path in got.keys().chain(want.keys()) {
        assert_eq!(
            text(got.get(path)),
            text(want.get(path)),
            "{what}: {}",
            path.display()
        );
    }
}

#[test]
fn a_wrongly_typed_document_is_refused_before_the_login_command_runs() {
    let env = TestEnv::new();
    lived_in(&env);
    let marker = env.path("login-command-ran");
    for (key, value) in [
        ("mcp", json!(5)),
        ("small_model", json!(7)),
        ("provider", json!([])),
    ] {
        let mut doc = crate::common::document_with_auth(json!({
            "command": ["sh", "-c", format!("touch {}; echo tok", marker.display())],
        }));
        doc["config"][key] = value;
        let endpoint = Endpoint::with_document(&doc);
        let before = env.snapshot();
        let run = env.login_with(&endpoint.url, &["--clients", "all"]);
        assert_eq!(run.code, 4, "{run:?}");
        assert!(
            run.stderr.contains(&format!("bad value at 'config.{key}'")),
            "names the key: {run:?}"
        );
        assert!(!marker.exists(), "the login command never ran ({key})");
        assert_eq!(env.snapshot(), before, "nothing was written ({key})");
    }
}

/// `doctor`'s check of ai-setup's own files has `status`, and its detail says `says`.
fn assert_state_check(env: &TestEnv, status: &str, says: &str) {
    let doctor = env.run(&["doctor", "--json"]);
    let checks = doctor.json()["checks"].clone();
    let state = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "state")
        .unwrap();
    assert_eq!(state["status"], status, "{doctor:?}");
    assert!(
        state["detail"].as_str().unwrap().contains(says),
        "{doctor:?}"
    );
}

#[test]
fn a_damaged_ledger_is_named_with_its_fix_and_nothing_panics() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    lived_in(&env);
    assert_eq!(env.login_with(&endpoint.url, &["--clients", "all"]).code, 0);
    let ledger_path = env.path(".local/state/ai-setup/ledger.json");
    let text = std::fs::read_to_string(&ledger_path).unwrap();
    let damaged = text.replacen(
        "\"[\\\"mcpServers\\\",\\\"docs\\\"]\"",
        "\"[\\\"mcpServers\\\",\"",
        1,
    );
    assert_ne!(damaged, text, "the test damages a key");
    std::fs::write(&ledger_path, &damaged).unwrap();
    let before = env.snapshot();
    // A sync with nothing new reads only the ledger's run records (see `ledger::Loaded`): it
    // changes nothing and has nothing to say. Any run that reads the file records names the
    // damage: a sync with a new layer, clients, logout, doctor.
    let noop = env.run(&["sync"]);
    assert_eq!(noop.code, 0, "{noop:?}");
    assert_same_files(&env.snapshot(), &before, "a sync with nothing new");
    assert_eq!(
        env.snapshot(),
        before,
        "a sync with nothing new changes nothing"
    );
    for args in [
        &["logout", "--restore"][..],
        &["sync", "--set", "small_model=\"org/other\""],
        &["clients"],
        &["logout"],
    ] {
        let run = env.run(args);
        assert_ne!(run.code, 101, "{args:?} panicked: {run:?}");
        assert!(
            run.all().contains("ledger.json is damaged") && run.all().contains("move"),
            "{args:?} names the file and the fix: {run:?}"
        );
    }
    assert_eq!(env.snapshot(), before, "nothing was changed");
    assert_state_check(&env, "fail", "ledger.json is damaged");
}

#[test]
fn a_lost_ledger_is_rebuilt_from_the_files_and_a_changed_entry_stays_the_users() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    lived_in(&env);
    assert_eq!(env.login_with(&endpoint.url, &["--clients", "all"]).code, 0);
    let ours = std::fs::read_to_string(env.path(".gemini/settings.json")).unwrap();
    // The user points one org server of Gemini's at their own program; then the ledger goes.
    let theirs = ours.replacen(
        &format!("\"command\": \"{BIN}\""),
        "\"command\": \"/opt/mine/ai-setup\"",
        1,
    );
    assert_ne!(theirs, ours);
    std::fs::write(env.path(".gemini/settings.json"), &theirs).unwrap();
    std::fs::remove_file(env.path(".local/state/ai-setup/ledger.json")).unwrap();

    assert_state_check(&env, "warn", "ledger is missing");

    let dry = env.run(&["sync", "--dry-run", "--json"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    let before_sync = env.snapshot();
    let sync = env.run(&["sync", "--json"]);
    assert_eq!(sync.code, 0, "{sync:?}");
    let warnings = sync.json()["warnings"].to_string();
    assert!(
        warnings.contains("was missing"),
        "the rebuild is said: {warnings}"
    );
    // Nothing in the clients' files changed: every org entry was recognised, and the one the
    // user changed is reported as theirs, not overwritten.
    let client_bytes = |snap: &BTreeMap<PathBuf, Vec<u8>>| -> BTreeMap<PathBuf, Vec<u8>> {
        snap.iter()
            .filter(|(p, _)| !is_own(&env, p))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };
    assert_eq!(client_bytes(&env.snapshot()), client_bytes(&before_sync));
    assert!(
        sync.stdout.contains("user_entry"),
        "the changed entry is the user's now: {}",
        sync.stdout
    );
    let again = env.snapshot();
    assert_eq!(env.run(&["sync"]).code, 0);
    assert_eq!(
        client_bytes(&env.snapshot()),
        client_bytes(&again),
        "the next sync writes nothing"
    );

    // Logging out with --restore removes every entry that was taken back, and leaves the
    // user's.
    assert_eq!(env.run(&["logout", "--restore"]).code, 0);
    for (path, bytes) in client_files(&env) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(BIN), "{}: {text}", path.display());
    }
    assert!(
        std::fs::read_to_string(env.path(".gemini/settings.json"))
            .unwrap()
            .contains("/opt/mine/")
    );
    // The object ai-setup had made for its keys goes with them.
    let settings: Value =
        serde_json::from_slice(&std::fs::read(env.path(".claude/settings.json")).unwrap()).unwrap();
    assert_eq!(settings, json!({"theme": "dark"}));
}

#[test]
fn logout_after_a_lost_ledger_still_removes_what_ai_setup_wrote_and_the_token() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    lived_in(&env);
    assert_eq!(env.login_with(&endpoint.url, &["--clients", "all"]).code, 0);
    let token = env.stored_token(&endpoint.url);
    std::fs::remove_file(env.path(".local/state/ai-setup/ledger.json")).unwrap();

    let run = env.run(&["logout", "--restore"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.all().contains("was missing"),
        "the rebuild is said: {run:?}"
    );
    assert!(!run.all().contains(&token), "the token is not printed");
    for (path, bytes) in client_files(&env) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(BIN), "{}: {text}", path.display());
        assert!(!text.contains(&token), "{} keeps the token", path.display());
    }
    // The user's own entries are still there.
    for (path, text) in USER_FILES {
        if let Ok(now) = std::fs::read_to_string(env.path(path)) {
            let first_key = text.split('"').nth(1).unwrap_or_default();
            assert!(now.contains(first_key), "{path}: {now}");
        }
    }
}
