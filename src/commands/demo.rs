//! `ai-setup demo`: the whole product against a built-in demo org, without touching the user's
//! own configuration. It starts the reference endpoint (the demo org from `assets/demo/`) on a
//! loopback port, in this process, and runs `login` and `status` into a sandbox home, exactly
//! as a user would run them, then says what was written and how to look at it.
//!
//! On a terminal it ends in the dashboard, on the sandbox (`--no-dashboard` skips it).
//!
//! The sandbox is `<ai-setup cache>/demo/home`, made afresh each run, or `--home DIR` (which is
//! never wiped: the user asked for it).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{login, status};
use crate::cli::{DemoArgs, StatusArgs};
use crate::engine::sync::{self, Mode, Request};
use crate::error::{Error, Finished, Result};
use crate::output::{Output, relative};
use crate::paths::Paths;
use crate::secrets::StoreChoice;
use crate::server::{self, Options, OrgSource};

const PREFERRED_ADDR: &str = "127.0.0.1:8787";

pub fn run(args: &DemoArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let home = match &args.home {
        Some(home) => home.clone(),
        None => {
            let home = paths.cache_dir.join("demo/home");
            if home.exists() {
                std::fs::remove_dir_all(&home)
                    .map_err(|e| Error::io("clear the demo sandbox", &home, e))?;
            }
            home
        }
    };
    crate::write::create_private_dir(&home)?;
    let home = home
        .canonicalize()
        .map_err(|e| Error::io("open", &home, e))?;
    let mut sandbox = Paths::under_home(&home);
    // The sandbox's proxy gets a port of its own, away from a real one at the usual address.
    sandbox.proxy_address = free_loopback_address()?;

    let org = OrgSource::DemoOidc;
    let (listener, addr) =
        server::bind(PREFERRED_ADDR, &org).or_else(|_| server::bind("127.0.0.1:0", &org))?;
    let url = format!("http://{addr}");
    // The endpoint gets a thread and runtime of its own: the login below blocks while the demo
    // org's login command asks the endpoint for a token.
    std::thread::spawn(move || {
        let options = Options {
            org,
            public_url: None,
            token_ttl: 3600,
            clock_offset: 0,
            record: None,
        };
        if let Ok(rt) = crate::runtime() {
            let _ = rt.block_on(server::serve(listener, options));
        }
    });

    out.say(&format!(
        "ai-setup demo: a login to the built-in demo org, into a sandbox home.\n\n\
         Demo org endpoint: {url} (`ai-setup serve`, running in this process)\n\
         Sandbox home:      {} (your own configuration is not touched)\n\n\
         The demo org signs in through its OpenID provider with a device code; the demo provider\n\
         approves it for its demo user at once, where you would approve it on your phone.\n\n",
        home.display()
    ));
    write_env_script(&home, &sandbox)?;

    let mut steps = Vec::new();
    let request = Request {
        credential_store: StoreChoice::File,
        ..Request::headless(Mode::Login, Some(&url), Some("all"))
    };
    let login_line =
        format!("ai-setup login {url} --no-browser --clients all --credential-store file");
    let login_result = step(out, &login_line, &mut steps, |o| {
        let synced = crate::runtime()?.block_on(sync::run(&request, &sandbox, o, false))?;
        let proxy = login::start_proxy(&synced, &sandbox);
        Ok(login::report(o, &synced, proxy.as_ref(), &sandbox))
    });
    let _ = step(out, "ai-setup status", &mut steps, |o| {
        status::run(
            &StatusArgs {
                url: None,
                json: o.json,
            },
            &sandbox,
            o,
        )
    });
    let token_line = match crate::auth::current(None, &sandbox) {
        Ok((_, credential, exp)) => format!(
            "prints the {}-character org token for client helpers{} (not shown here)",
            credential.token.expose().len(),
            exp.map(|e| format!(", which expires {}", relative(e, crate::now_unix())))
                .unwrap_or_default()
        ),
        Err(e) => format!("fails: {}", e.message),
    };
    out.say(&format!("$ ai-setup token\n  {token_line}\n\n"));
    // What ai-setup wrote, before the clients add their own caches and sessions.
    let files = list_files(&home);
    if login_result.is_ok() {
        ask_the_clients(out, &sandbox, &home, &mut steps);
    }

    let env_script = home.join("env.sh");
    let human = format!(
        "Files written in the sandbox:\n{}\n\
         Look around (in a subshell, so your own environment stays as it is):\n\
         \x20 (. {env} && {program} status)\n\
         \x20 (. {env} && cat \"$XDG_DATA_HOME/opencode/auth.json\")\n\
         With the endpoint kept running (`ai-setup demo --keep-serving`), OpenCode loads the org config:\n\
         \x20 (. {env} && opencode debug config)\n\n\
         Log in to your own org with `ai-setup login https://ai.example.com`.\n",
        files
            .iter()
            .map(|f| format!("  {}\n", f.strip_prefix(&home).unwrap_or(f).display()))
            .collect::<String>(),
        env = env_script.display(),
        program = program_name(),
    );
    out.result(
        json!({
            "endpoint": url,
            "home": home,
            "env_script": env_script,
            "steps": steps,
            "files": files,
        }),
        &human,
    );
    let finished = login_result.unwrap_or(Finished::Unmet);
    // On a terminal the demo ends in the dashboard, on the sandbox, while the endpoint serves.
    if finished == Finished::Done && !out.json && !args.no_dashboard && crate::tui::can_open() {
        out.progress("Opening the dashboard on the sandbox (q quits, ? shows the keys)…");
        std::thread::sleep(std::time::Duration::from_millis(700));
        crate::tui::run(sandbox.clone(), None, sandbox.sandbox_env().to_vec())?;
    }
    if args.keep_serving && finished == Finished::Done {
        out.progress(&format!(
            "Serving the demo org at {url}; press Ctrl-C to stop."
        ));
        crate::runtime()?.block_on(async {
            let _ = tokio::signal::ctrl_c().await;
        });
    }
    // The sandbox's proxy stops once its local secret is gone, as at a logout.
    crate::secrets::local_secret::rotate(&sandbox)?;
    Ok(finished)
}

fn free_loopback_address() -> Result<String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.to_string())
        .map_err(|e| Error::failure(format!("no free loopback port for the demo's proxy: {e}")))
}

/// Runs one command of the demo, showing its output indented under the command line.
fn step(
    out: &mut Output,
    line: &str,
    steps: &mut Vec<serde_json::Value>,
    f: impl FnOnce(&mut Output) -> Result<Finished>,
) -> Result<Finished> {
    let mut inner = Output::capturing();
    let result = f(&mut inner);
    if let Err(err) = &result {
        inner.error(err);
    }
    let text = inner.captured.take().unwrap_or_default();
    let code = match &result {
        Ok(finished) => finished.exit_code(),
        Err(err) => err.kind.exit_code(),
    };
    out.say(&format!(
        "$ {line}\n{}\n",
        text.lines().map(|l| format!("  {l}\n")).collect::<String>()
    ));
    steps.push(json!({ "command": line, "exit_code": code, "output": text }));
    result
}

/// The question the demo puts to each client.
const QUESTION: &str = "Hello from the ai-setup demo";

/// How long one client may take to answer.
const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// Asks the demo org's stand-in model a question through each agent CLI installed here, as a
/// user would run it in the sandbox, and shows the first line of each answer: the proof that the
/// files just written work. A client that is not installed is named, with how to get it.
fn ask_the_clients(
    out: &mut Output,
    sandbox: &Paths,
    home: &Path,
    steps: &mut Vec<serde_json::Value>,
) {
    // Gemini CLI goes through the sandbox's `ai-setup proxy`; `--skip-trust` because the
    // sandbox is a folder it has not been told to trust.
    let clients: [(&str, &[&str], &str); 4] = [
        ("claude", &["-p", QUESTION], "@anthropic-ai/claude-code"),
        (
            "codex",
            &["exec", "--skip-git-repo-check", QUESTION],
            "@openai/codex",
        ),
        ("opencode", &["run", QUESTION], "opencode-ai"),
        (
            "gemini",
            &["--skip-trust", "-p", QUESTION],
            "@google/gemini-cli",
        ),
    ];
    let mut text = String::new();
    for (program, args, package) in clients {
        let line = format!(
            "{program} {}",
            crate::output::shell_words(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
        );
        let Some(path) = crate::clients::find_program(program) else {
            text.push_str(&format!(
                "$ {line}\n  not installed here (npm install -g {package}, then run the demo again)\n"
            ));
            continue;
        };
        let mut command = std::process::Command::new(&path);
        command
            .args(args)
            .current_dir(home)
            .envs(sandbox.sandbox_env())
            .env("DISABLE_AUTOUPDATER", "1")
            .env("OPENCODE_DISABLE_AUTOUPDATE", "1");
        for key in [
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_AUTH_TOKEN",
            "ANTHROPIC_BASE_URL",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "CODEX_HOME",
            "GEMINI_API_KEY",
            "GOOGLE_API_KEY",
            "GOOGLE_GEMINI_BASE_URL",
        ] {
            command.env_remove(key);
        }
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            out.progress(&format!("Asking {program} through the demo org…"));
        }
        let (code, answer) = match run_with_timeout(command, ANSWER_TIMEOUT) {
            Ok((code, stdout)) => (
                code,
                stdout
                    .lines()
                    .map(str::trim)
                    .find(|l| l.contains("Stand-in model"))
                    .or_else(|| stdout.lines().map(str::trim).rfind(|l| !l.is_empty()))
                    .map(|l| l.chars().take(200).collect::<String>())
                    .unwrap_or_else(|| "(no answer)".into()),
            ),
            Err(why) => (None, why),
        };
        text.push_str(&format!("$ {line}\n  {answer}\n"));
        steps.push(json!({ "command": line, "exit_code": code, "output": answer }));
    }
    out.say(&format!(
        "The clients, asking the demo org's model with what ai-setup wrote:\n{text}\n"
    ));
}

/// Runs `command` with no input, for at most `limit`: its exit code and standard output.
fn run_with_timeout(
    mut command: std::process::Command,
    limit: std::time::Duration,
) -> std::result::Result<(Option<i32>, String), String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    // Read on a thread of its own: a program the client started may hold the pipe open after
    // the client exits, and the demo must not wait for it.
    let (sent, read) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        let _ = sent.send(text);
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < limit => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {} s", limit.as_secs()));
            }
        }
    };
    let text = read
        .recv_timeout(std::time::Duration::from_secs(2))
        .unwrap_or_default();
    Ok((status.code(), text))
}

/// `env.sh`: points HOME and the XDG variables at the sandbox, for looking around.
fn write_env_script(home: &Path, sandbox: &Paths) -> Result<()> {
    let mut script = "# Source this in a subshell to use the ai-setup demo sandbox.\n".to_string();
    for (name, value) in sandbox.sandbox_env() {
        script.push_str(&format!("export {name}='{}'\n", value.display()));
    }
    crate::write::write_file(&home.join("env.sh"), script.as_bytes(), None)
}

fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&d) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files
}

/// `ai-setup` when that is what PATH finds, else this program's path (after `cargo run`).
fn program_name() -> String {
    let current = std::env::current_exe().ok();
    match crate::clients::find_program("ai-setup") {
        Some(found) if found.canonicalize().ok() == current => "ai-setup".into(),
        _ => current
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "ai-setup".into()),
    }
}
