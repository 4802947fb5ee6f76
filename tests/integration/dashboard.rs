//! The dashboard end to end: the real binary in tmux against the reference endpoint. It
//! opens, switches tabs, filters the catalog, sets a default model (written to the user's
//! override layer and applied to the clients), probes an MCP server through the bridge, quits,
//! and leaves the terminal as it found it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{BIN, Endpoint, TestEnv};

/// A tmux server of this test's own (its own socket), stopped when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(env: &TestEnv, command: &str, width: u16, height: u16) -> Tmux {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("ai-setup-test-{}-{n}", std::process::id());
        let status = env
            .command(
                "tmux",
                &[
                    "-L",
                    &socket,
                    "-f",
                    "/dev/null",
                    "new-session",
                    "-d",
                    "-x",
                    &width.to_string(),
                    "-y",
                    &height.to_string(),
                    command,
                ],
            )
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .status()
            .expect("tmux runs");
        assert!(status.success());
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.tmux(&["send-keys", key]);
        }
    }

    /// Waits until the screen shows `text`, and returns the screen.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "no `{text}` on the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

#[test]
fn the_dashboard_in_a_real_terminal() {
    let endpoint = Endpoint::demo();
    let env = TestEnv::new();
    let login = env.login_with(&endpoint.url, &["--clients", "opencode,claude-code"]);
    assert_eq!(login.code, 0, "{login:?}");
    let stty = env.path("stty-after");
    // `-v`: diagnostics wait until the dashboard gives the terminal back.
    let command = format!(
        "{BIN} -v; echo \"EXITED $?\"; stty -a > '{}'; sleep 600",
        stty.display()
    );
    let tmux = Tmux::start(&env, &command, 100, 30);

    // The first frame, then the overview fills in.
    tmux.wait_for("1 Overview");
    let overview = tmux.wait_for("dev@demo.example");
    assert!(overview.contains("Demo Corp"), "{overview}");
    tmux.wait_for("✓ Claude Code");

    // Tabs by number and by Tab.
    tmux.keys(&["2"]);
    tmux.wait_for("Installed");
    tmux.keys(&["Tab"]);
    tmux.wait_for("Offered by Demo Corp: 10 of 10");

    // Filter, then make the only match the default.
    tmux.keys(&["/", "h", "a", "i", "k", "u", "Enter"]);
    tmux.wait_for("1 of 10");
    tmux.keys(&["Enter"]);
    tmux.wait_for("anthropic/claude-haiku-4-5 is your default");
    let config = std::fs::read_to_string(env.path(".config/ai-setup/config.json")).unwrap();
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["model"], "anthropic/claude-haiku-4-5");
    let claude = std::fs::read_to_string(env.path(".claude/settings.json")).unwrap();
    assert!(
        claude.contains("\"model\": \"claude-haiku-4-5\""),
        "applied to Claude Code:\n{claude}"
    );

    // Usage, and an MCP server reached through the bridge.
    tmux.keys(&["4"]);
    tmux.wait_for("Budget $");
    // A smaller terminal: the frame is drawn again to fit it.
    tmux.tmux(&["resize-window", "-x", "80", "-y", "24"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let screen = tmux.screen();
        let widest = screen.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        if widest <= 80 && screen.lines().count() <= 24 && screen.contains("Cost per day") {
            assert!(screen.lines().next().unwrap().contains("5 MCP"), "{screen}");
            break;
        }
        assert!(Instant::now() < deadline, "not redrawn at 80x24:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["5"]);
    let mcp = tmux.wait_for("connected · 2 tools");
    assert!(mcp.contains("docs"), "{mcp}");
    assert!(
        !mcp.contains("INFO"),
        "no log line over the dashboard:\n{mcp}"
    );

    // Help, then quit: the normal screen is back, in cooked mode.
    tmux.keys(&["?"]);
    tmux.wait_for("Any key closes this help");
    tmux.keys(&["Escape", "q"]);
    let after = tmux.wait_for("EXITED 0");
    assert!(
        !after.contains("Overview"),
        "the alternate screen was left:\n{after}"
    );
    assert!(
        after.contains("INFO"),
        "the held diagnostics are written after:\n{after}"
    );
    assert_eq!(tmux.tmux(&["display", "-p", "#{alternate_on}"]).trim(), "0");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&stty).exists() {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    let modes = std::fs::read_to_string(&stty).unwrap();
    let words: Vec<&str> = modes.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig", "opost"] {
        assert!(
            words.contains(&mode),
            "raw mode was left on ({mode}):\n{modes}"
        );
    }
}

#[test]
fn the_demo_on_a_terminal_can_skip_the_dashboard() {
    let env = TestEnv::new();
    let sandbox = env.path("sandbox");
    let (code, screen) = crate::common::on_terminal(
        &env,
        &format!("demo --no-dashboard --home '{}'", sandbox.display()),
        "",
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Log in to your own org"), "{screen}");
    assert!(!screen.contains("Opening the dashboard"), "{screen}");
}

#[test]
fn the_dashboard_needs_a_terminal() {
    let env = TestEnv::new();
    let run = env.run(&["dashboard"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("needs a terminal"), "{run:?}");
    // With no command and no terminal, the help.
    let help = env.run(&[]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Usage: ai-setup"), "{help:?}");
}

#[test]
fn the_demo_ends_in_the_dashboard_on_a_terminal() {
    let env = TestEnv::new();
    let sandbox = env.path("sandbox");
    let command = format!(
        "{BIN} demo --home '{}'; echo \"EXITED $?\"; sleep 600",
        sandbox.display()
    );
    let tmux = Tmux::start(&env, &command, 100, 30);
    tmux.wait_for("Opening the dashboard");
    tmux.wait_for("dev@demo.example");
    tmux.keys(&["4"]);
    tmux.wait_for("Budget $");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("EXITED 0");
    assert!(
        after.contains("Log in to your own org"),
        "the demo's story is back:\n{after}"
    );
}
