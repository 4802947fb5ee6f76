//! `ai-setup service install|uninstall`: `ai-setup sync` on a timer, so clients stay
//! configured as the org changes and tokens are renewed before they run out. Linux gets
//! systemd user units (`~/.config/systemd/user/ai-setup-sync.{service,timer}`), and the
//! credential proxy's socket (`ai-setup-proxy.{socket,service}`: systemd listens on its
//! loopback address and starts `ai-setup proxy` at the first connection); macOS a launchd
//! agent for the sync (`~/Library/LaunchAgents/dev.ai-setup.sync.plist`), from the templates in
//! `dist/systemd/` and `dist/launchd/`. The interval is `--interval`, else the org's
//! `ai_setup.refresh`, else one hour; never under a minute.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::json;

use crate::cli::{ServiceAction, ServiceInstallArgs, ServiceUninstallArgs};
use crate::engine::org::Org;
use crate::error::{Error, Finished, Result};
use crate::output::Output;
use crate::paths::Paths;
use crate::state::State;
use crate::write::write_file;

const SYSTEMD_SERVICE: &str = include_str!("../../dist/systemd/ai-setup-sync.service");
const SYSTEMD_TIMER: &str = include_str!("../../dist/systemd/ai-setup-sync.timer");
const PROXY_SOCKET: &str = include_str!("../../dist/systemd/ai-setup-proxy.socket");
const PROXY_SERVICE: &str = include_str!("../../dist/systemd/ai-setup-proxy.service");
const SOCKET: &str = "ai-setup-proxy.socket";
const LAUNCHD_AGENT: &str = include_str!("../../dist/launchd/dev.ai-setup.sync.plist");
const TIMER: &str = "ai-setup-sync.timer";
const AGENT: &str = "dev.ai-setup.sync";
const DEFAULT_INTERVAL: Duration = Duration::from_secs(3600);

pub fn run(action: &ServiceAction, paths: &Paths, out: &mut Output) -> Result<Finished> {
    match action {
        ServiceAction::Install(args) => install(args, paths, out),
        ServiceAction::Uninstall(args) => uninstall(args, paths, out),
    }
}

/// The files of the timer on this platform, filled in.
fn units(paths: &Paths, program: &str, seconds: u64) -> Vec<(PathBuf, String)> {
    let fill = |template: &str| {
        template
            .replace("{program}", program)
            .replace("{seconds}", &seconds.to_string())
            .replace("{home}", &paths.home.display().to_string())
            .replace("{listen}", &paths.proxy_address)
    };
    if cfg!(target_os = "macos") {
        vec![(
            paths
                .home
                .join(format!("Library/LaunchAgents/{AGENT}.plist")),
            fill(LAUNCHD_AGENT),
        )]
    } else {
        let dir = paths.xdg_config.join("systemd/user");
        vec![
            (dir.join("ai-setup-sync.service"), fill(SYSTEMD_SERVICE)),
            (dir.join(TIMER), fill(SYSTEMD_TIMER)),
            (dir.join("ai-setup-proxy.service"), fill(PROXY_SERVICE)),
            (dir.join(SOCKET), fill(PROXY_SOCKET)),
        ]
    }
}

/// `--interval`, the default org's `ai_setup.refresh`, or an hour.
fn interval(given: Option<&str>, paths: &Paths) -> Result<(Duration, &'static str)> {
    let parse = |text: &str, origin: &str| {
        humantime::parse_duration(text).map_err(|e| {
            Error::usage(format!("{origin} '{text}' is not a duration: {e}"))
                .hint("write it like 30m, 1h or 2h30m")
        })
    };
    let (duration, source) = match given {
        Some(text) => (parse(text, "--interval")?, "--interval"),
        None => {
            let state = State::load(paths)?;
            let refresh = match &state.default_org {
                Some(key) => Org::cached(paths, &state, key)?,
                None => None,
            }
            .and_then(|org| org.document.ai_setup.as_ref()?.refresh.clone());
            match refresh {
                Some(text) => (
                    parse(&text, "the org's ai_setup.refresh")?,
                    "the org's ai_setup.refresh",
                ),
                None => (DEFAULT_INTERVAL, "the default"),
            }
        }
    };
    if duration < Duration::from_secs(60) {
        return Err(Error::usage(format!(
            "{} is shorter than a minute",
            humantime::format_duration(duration)
        ))
        .hint("a sync a minute is plenty; use --interval 5m or more"));
    }
    Ok((duration, source))
}

/// Runs a service manager command; its error output when it fails.
fn manage(argv: &[&str]) -> Result<(), String> {
    match Command::new(argv[0]).args(&argv[1..]).output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) => Err(format!("{}: {e}", argv[0])),
    }
}

fn start_commands(files: &[(PathBuf, String)]) -> Vec<Vec<String>> {
    if cfg!(target_os = "macos") {
        vec![vec![
            "launchctl".into(),
            "bootstrap".into(),
            format!("gui/{}", uid()),
            files[0].0.display().to_string(),
        ]]
    } else {
        vec![
            vec!["systemctl".into(), "--user".into(), "daemon-reload".into()],
            vec![
                "systemctl".into(),
                "--user".into(),
                "enable".into(),
                "--now".into(),
                TIMER.into(),
                SOCKET.into(),
            ],
        ]
    }
}

fn install(args: &ServiceInstallArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let (duration, source) = interval(args.interval.as_deref(), paths)?;
    let program = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| Error::failure(format!("cannot find this program's path: {e}")))?;
    let files = units(paths, &program.display().to_string(), duration.as_secs());
    for (path, text) in &files {
        write_file(path, text.as_bytes(), Some(0o644))?;
    }
    let commands = start_commands(&files);
    let mut started = false;
    if !args.no_start {
        let failed = commands.iter().find_map(|argv| {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            manage(&argv).err().map(|e| (argv.join(" "), e))
        });
        match failed {
            None => started = true,
            Some((command, error)) => out.warn(&format!(
                "the files are written, but `{command}` failed: {error}"
            )),
        }
    }
    let every = humantime::format_duration(duration).to_string();
    let mut text = format!("`ai-setup sync` will run every {every} ({source}).\n");
    for (path, _) in &files {
        text.push_str(&format!("  wrote {}\n", paths.display(path)));
    }
    if started {
        text.push_str("The timer is enabled and started.\n");
    } else {
        text.push_str("Start it with:\n");
        for argv in &commands {
            text.push_str(&format!("  {}\n", argv.join(" ")));
        }
    }
    out.result(
        json!({
            "interval_seconds": duration.as_secs(),
            "interval_source": source,
            "files": files.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            "started": started,
            "start_commands": commands,
        }),
        &text,
    );
    Ok(Finished::Done)
}

fn uninstall(args: &ServiceUninstallArgs, paths: &Paths, out: &mut Output) -> Result<Finished> {
    let files = units(paths, "", 0);
    if !args.no_stop && files.iter().any(|(p, _)| p.exists()) {
        let stop: Vec<String> = if cfg!(target_os = "macos") {
            vec![
                "launchctl".into(),
                "bootout".into(),
                format!("gui/{}", uid()),
                files[0].0.display().to_string(),
            ]
        } else {
            vec![
                "systemctl".into(),
                "--user".into(),
                "disable".into(),
                "--now".into(),
                TIMER.into(),
                SOCKET.into(),
            ]
        };
        let argv: Vec<&str> = stop.iter().map(String::as_str).collect();
        if let Err(error) = manage(&argv) {
            out.warn(&format!("`{}` failed: {error}", argv.join(" ")));
        }
    }
    let mut removed = Vec::new();
    for (path, _) in &files {
        match std::fs::remove_file(path) {
            Ok(()) => removed.push(path.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", path, e)),
        }
    }
    let text = if removed.is_empty() {
        "No ai-setup timer was installed.\n".to_string()
    } else {
        removed
            .iter()
            .map(|p| format!("removed {}\n", paths.display(p)))
            .collect()
    };
    out.result(json!({ "removed": removed }), &text);
    Ok(Finished::Done)
}

fn uid() -> String {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
