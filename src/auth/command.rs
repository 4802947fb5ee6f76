//! Running the org's `auth.command` (PROTOCOL.md §2.2).
//!
//! The command comes from the network, so it runs only after the user accepted that exact argv
//! for that origin (see `commands::login`). It runs without a shell. Its stdout is the token;
//! its stderr goes to the user as it is written (SSO helpers print URLs and prompts there) and
//! the last lines are kept for the error message when it fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Interactive SSO can take a while; nothing should hang forever.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
const STDERR_TAIL_LINES: usize = 12;

/// Runs `argv` and returns its stdout. `interactive` lets the command read the terminal.
pub fn run(argv: &[String], interactive: bool) -> Result<String> {
    let timeout = std::env::var("AI_SETUP_AUTH_COMMAND_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_TIMEOUT);
    let shown = crate::output::shell_words(argv);
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .envs(crate::http::trust_env())
        .stdin(if interactive {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            let err = if e.kind() == std::io::ErrorKind::NotFound {
                Error::auth(format!(
                    "the org's login command `{}` was not found",
                    argv[0]
                ))
                .hint(format!(
                    "install `{}` (your org's SSO helper) and make sure it is on PATH",
                    argv[0]
                ))
            } else {
                Error::auth(format!("cannot run the org's login command `{shown}`: {e}"))
            };
            err.hint("or log in with a token: --token-stdin or --token-env VAR")
        })?;

    let mut stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = stdout.read_to_string(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut tail: Vec<String> = Vec::new();
        let mut terminal = std::io::stderr();
        for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
            // Shown as it comes, masked: a login command that prints a token on stderr
            // must not put it on the screen or into a CI log.
            let _ = writeln!(terminal, "  {}", crate::logging::redact(&line));
            tail.push(line);
            if tail.len() > STDERR_TAIL_LINES {
                tail.remove(0);
            }
        }
        tail
    });

    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::auth(format!(
                    "the org's login command `{shown}` did not finish within {}s",
                    timeout.as_secs()
                ))
                .hint("finish the login it asked for, or pass a token with --token-stdin"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(Error::auth(format!("waiting for `{shown}`: {e}"))),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let tail = err_reader.join().unwrap_or_default();
    if !status.success() {
        let code = status
            .code()
            .map(|c| format!("exit code {c}"))
            .unwrap_or_else(|| "a signal".into());
        let mut message = format!("the org's login command `{shown}` failed with {code}");
        // ai-setup's own message repeats the end of it, masked as well.
        if !tail.is_empty() {
            message.push_str(":\n  ");
            message.push_str(&crate::logging::redact(&tail.join("\n  ")));
        }
        return Err(Error::auth(message));
    }
    Ok(stdout)
}
