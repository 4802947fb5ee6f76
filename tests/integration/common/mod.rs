//! Shared helpers: a temporary home to run the real binary in, the real reference endpoint
//! (`ai-setup serve`) on a loopback port, and a rogue HTTP server that misbehaves on purpose.

pub mod rogue;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub const BIN: &str = env!("CARGO_BIN_EXE_ai-setup");
/// The token helper client files run (`ai-setup-token`).
pub const HELPER: &str = env!("CARGO_BIN_EXE_ai-setup-token");

/// A temporary home. Commands run with HOME pointing at it, no XDG overrides, and no D-Bus
/// session (so no keyring) unless a test gives one.
pub struct TestEnv {
    _dir: Option<tempfile::TempDir>,
    pub home: PathBuf,
    pub envs: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A free loopback port for the proxy that `login` starts in this home, so that no test
/// meets another's (or the machine's). That proxy stops by itself once the home is gone
/// (no local secret left).
fn own_proxy_address() -> Vec<(String, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    vec![("AI_SETUP_PROXY_ADDRESS".into(), format!("127.0.0.1:{port}"))]
}

/// The proxy a login started here stops once its local secret is gone (within a quarter of a
/// second); the secret goes first, since the home's own removal can fail quietly while a
/// client CLI still writes in it (Qwen Code's `.npm`), which would leave the proxy running.
impl Drop for TestEnv {
    fn drop(&mut self) {
        let state = self
            .envs
            .iter()
            .find(|(k, _)| k == "XDG_STATE_HOME")
            .map(|(_, v)| PathBuf::from(v))
            .unwrap_or_else(|| self.home.join(".local/state"));
        let _ = std::fs::remove_file(state.join("ai-setup/proxy-secret"));
    }
}

impl TestEnv {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut env = Self::at(dir.path().join("home"));
        env._dir = Some(dir);
        env
    }

    /// A home at `home`, which the caller owns (a small disk, say). Like a desktop's, it has
    /// the `user-dirs.dirs` that `xdg-user-dirs-update` writes, so that the documents folder
    /// (Cline's) is `~/Documents` whether or not this machine has `xdg-user-dir`.
    pub fn at(home: PathBuf) -> Self {
        std::fs::create_dir_all(home.join(".config")).unwrap();
        std::fs::write(
            home.join(".config/user-dirs.dirs"),
            "XDG_DOCUMENTS_DIR=\"$HOME/Documents\"\n",
        )
        .unwrap();
        TestEnv {
            _dir: None,
            home,
            envs: own_proxy_address(),
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env("HOME", &self.home)
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("AI_SETUP_KEYRING_TIMEOUT", "5")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_STATE_HOME")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("AI_SETUP_CREDENTIAL_STORE")
            .env_remove("AI_SETUP_CONFIG_CONTENT")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("ALL_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("all_proxy")
            .current_dir(&self.home);
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs ai-setup with one more environment variable (`[name, value]`).
    pub fn env_run(&self, var: &[&str; 2], args: &[&str]) -> Run {
        self.run_full(args, None, None, Some((var[0], var[1])))
    }

    /// Runs ai-setup with no stdin.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None)
    }

    /// Runs ai-setup with `dir` as the working directory.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        self.run_full(args, None, Some(dir), None)
    }

    pub fn run_with(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_full(args, stdin, None, None)
    }

    /// Runs the token helper, as a client's token hook does.
    pub fn run_helper(&self, args: &[&str]) -> Run {
        self.run_program(HELPER, args, None, None, None)
    }

    fn run_full(
        &self,
        args: &[&str],
        stdin: Option<&str>,
        dir: Option<&Path>,
        var: Option<(&str, &str)>,
    ) -> Run {
        self.run_program(BIN, args, stdin, dir, var)
    }

    fn run_program(
        &self,
        program: &str,
        args: &[&str],
        stdin: Option<&str>,
        dir: Option<&Path>,
        var: Option<(&str, &str)>,
    ) -> Run {
        let mut cmd = self.command(program, args);
        if let Some((name, value)) = var {
            cmd.env(name, value);
        }
        if let Some(dir) = dir {
            cmd.current_dir(dir);
        }
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("ai-setup runs");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `ai-setup login URL --yes --credential-store file --clients opencode`: the usual login.
    pub fn login(&self, url: &str) -> Run {
        self.login_with(url, &["--clients", "opencode"])
    }

    /// `ai-setup login URL --yes --credential-store file` with `extra` arguments.
    pub fn login_with(&self, url: &str, extra: &[&str]) -> Run {
        let mut args = vec!["login", url, "--yes", "--credential-store", "file"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `ai-setup login URL --token-stdin --credential-store file --clients opencode`, the
    /// token on stdin.
    pub fn login_with_token(&self, url: &str, token: &str) -> Run {
        self.run_with(
            &[
                "login",
                url,
                "--token-stdin",
                "--yes",
                "--credential-store",
                "file",
                "--clients",
                "opencode",
            ],
            Some(token),
        )
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.join(rel)
    }

    pub fn auth_json(&self) -> PathBuf {
        self.path(".local/share/opencode/auth.json")
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Every file under the home with its bytes, for "nothing else changed" checks.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        files_under(&self.home)
    }

    /// The token stored in the file credential store for `org`.
    pub fn stored_token(&self, org: &str) -> String {
        let text =
            std::fs::read_to_string(self.path(".local/share/ai-setup/credentials.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v[org]["token"].as_str().unwrap().to_string()
    }
}

#[cfg(unix)]
/// Every file under `dir`, by path, with its bytes.
pub fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The real reference endpoint, `ai-setup serve`, on a free loopback port.
pub struct Endpoint {
    child: Child,
    pub url: String,
    _org: Option<tempfile::TempDir>,
}

impl Endpoint {
    /// The built-in demo org.
    pub fn demo() -> Self {
        Self::start(None, &[])
    }

    /// An org folder whose discovery.json is `doc`.
    pub fn with_document(doc: &serde_json::Value) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("discovery.json"),
            serde_json::to_vec_pretty(doc).unwrap(),
        )
        .unwrap();
        Self::start(Some(dir), &[])
    }

    pub fn start(org: Option<tempfile::TempDir>, extra: &[&str]) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.arg("serve").args(extra);
        if !extra.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        if let Some(dir) = &org {
            cmd.arg("--org-dir").arg(dir.path());
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("serve printed no address: {line}"))
            .to_string();
        Endpoint {
            child,
            url,
            _org: org,
        }
    }

    /// Replaces the org's discovery.json (the endpoint reads it on every request).
    pub fn set_document(&self, doc: &serde_json::Value) {
        let dir = self
            ._org
            .as_ref()
            .expect("an endpoint started with a document");
        std::fs::write(
            dir.path().join("discovery.json"),
            serde_json::to_vec_pretty(doc).unwrap(),
        )
        .unwrap();
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The built-in demo org's discovery document, as JSON to change in a test.
pub fn demo_document() -> serde_json::Value {
    serde_json::from_str(include_str!("../../../assets/demo/discovery.json")).unwrap()
}

/// The demo org's document with `auth` replaced, for tests that need another login command.
pub fn document_with_auth(auth: serde_json::Value) -> serde_json::Value {
    let mut doc = demo_document();
    doc["auth"] = auth;
    doc
}

/// An unsigned JWT with these claims (ai-setup never verifies signatures).
pub fn jwt(claims: serde_json::Value) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A real client CLI installed by `.ci/run` (`.tools/node_modules/.bin`), or on PATH.
/// Runs a client CLI's `command` with no stdin and returns its stdout and stderr; it must succeed.
pub fn client_output(command: &mut Command, what: &str) -> String {
    let out = command.stdin(Stdio::null()).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

pub fn client_cli(name: &str) -> PathBuf {
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".tools/node_modules/.bin")
        .join(name);
    if local.exists() {
        return local;
    }
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|c| c.exists())
        })
        .unwrap_or_else(|| {
            panic!("the real `{name}` CLI is needed for this test: run `bash .ci/run`, which installs it")
        })
}

/// A real Secret Service: a private D-Bus session bus with gnome-keyring unlocked on it (as CI
/// machines and headless desktops run it). Both daemons are stopped on drop.
pub struct SecretService {
    pub bus: String,
    pids: Vec<u32>,
    _dir: tempfile::TempDir,
}

impl SecretService {
    pub fn start() -> Self {
        for tool in ["dbus-daemon", "gnome-keyring-daemon", "secret-tool"] {
            assert!(
                Command::new("sh")
                    .args(["-c", &format!("command -v {tool}")])
                    .stdout(Stdio::null())
                    .status()
                    .unwrap()
                    .success(),
                "`{tool}` is needed for the Secret Service tests: run `bash .ci/run`, which installs it"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("dbus-daemon")
            .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
            .env("HOME", dir.path())
            .stderr(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        let bus = lines
            .next()
            .expect("dbus-daemon prints its address")
            .to_string();
        let mut pids = vec![lines.next().unwrap().trim().parse().unwrap()];
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .env("HOME", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env_remove("XDG_RUNTIME_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // A password makes it create and unlock the login keyring without a prompt.
        keyring
            .stdin
            .take()
            .unwrap()
            .write_all(b"ci-password")
            .unwrap();
        let output = keyring.wait_with_output().unwrap();
        let env = String::from_utf8_lossy(&output.stdout);
        if let Some(pid) = env
            .lines()
            .find_map(|l| l.strip_prefix("GNOME_KEYRING_PID="))
        {
            pids.push(pid.trim().parse().unwrap());
        }
        SecretService {
            bus,
            pids,
            _dir: dir,
        }
    }

    /// What the Secret Service holds for these attributes, read with libsecret's `secret-tool`.
    pub fn lookup(&self, attributes: &[(&str, &str)]) -> Option<String> {
        let mut cmd = Command::new("secret-tool");
        cmd.arg("lookup");
        for (k, v) in attributes {
            cmd.args([k, v]);
        }
        let out = cmd
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for pid in &self.pids {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// Runs ai-setup on a pseudo-terminal with `answer` typed in; returns exit code and screen.
pub fn on_terminal(env: &TestEnv, args: &str, answer: &str) -> (i32, String) {
    let line = format!("{BIN} {args}");
    let mut child = env
        .command("script", &["-q", "-e", "-c", &line, "/dev/null"])
        .env_remove("CI")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).replace('\r', ""),
    )
}

/// GETs a loopback URL, with a bearer token when given; the status and the body.
pub fn get(url: &str, bearer: Option<&str>) -> (u16, String) {
    let (host, path) = url.trim_start_matches("http://").split_once('/').unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or("");
    (status, body.to_string())
}

/// POSTs a form to a loopback URL and returns the status code.
pub fn post_form(url: &str, fields: &[(&str, &str)]) -> u16 {
    let (host, path) = url.trim_start_matches("http://").split_once('/').unwrap();
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response[9..12].parse().unwrap()
}

/// Waits until the stored token is inside its refresh margin (a quarter of its lifetime).
pub fn wait_until_refresh_is_due(env: &TestEnv, endpoint: &Endpoint) {
    let token = env.stored_token(&endpoint.url);
    let payload = token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    let due = exp - (exp - iat) / 4;
    while now() < due {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// `ai-setup login URL --no-browser`, with `approve` called (with the sign-in code and the
/// complete verification URL) once the login shows them, as the person on their phone would.
pub fn device_login_approved_by(env: &TestEnv, url: &str, approve: impl FnOnce(&str, &str)) -> Run {
    let mut child = env
        .command(
            BIN,
            &[
                "login",
                url,
                "--no-browser",
                "--yes",
                "--credential-store",
                "file",
                "--clients",
                "opencode",
            ],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    let started = std::time::Instant::now();
    let (code, complete) = loop {
        let mut buf = [0u8; 512];
        let n = stderr.read(&mut buf).unwrap();
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        let code = seen
            .split("enter the code ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next());
        let complete = seen
            .split("(or open ")
            .nth(1)
            .and_then(|rest| rest.split(')').next());
        if let (Some(code), Some(complete)) = (code, complete) {
            break (code.to_string(), complete.to_string());
        }
        assert!(
            n > 0 && started.elapsed() < std::time::Duration::from_secs(20),
            "no code shown: {seen}"
        );
    };
    approve(&code, &complete);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: seen + &rest,
    }
}

/// `ai-setup login URL` on a pseudo-terminal, as a person at a desktop runs it (the browser
/// flow when `BROWSER` is set in `env`).
pub fn login_on_terminal(env: &TestEnv, url: &str) -> (i32, String) {
    on_terminal(
        env,
        &format!("login {url} --credential-store file --clients opencode"),
        // Approves the org's local server programs.
        "y\n",
    )
}

/// An org whose discovery document names only its OpenID provider.
pub fn oidc_org(token_ttl: &str) -> (tempfile::TempDir, Endpoint) {
    let dir = tempfile::tempdir().unwrap();
    let doc = document_with_auth(serde_json::json!({
        "env": "DEMO_AI_TOKEN",
        "oidc": {"issuer": "{issuer}", "client_id": "ai-setup"}
    }));
    std::fs::write(dir.path().join("discovery.json"), doc.to_string()).unwrap();
    let endpoint = Endpoint::start(
        None,
        &[
            "--org-dir",
            dir.path().to_str().unwrap(),
            "--token-ttl",
            token_ttl,
        ],
    );
    (dir, endpoint)
}

pub fn refreshes(endpoint: &Endpoint) -> u64 {
    let (_, body) = get(&format!("{}/oauth/stats", endpoint.url), None);
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["refreshes"]
        .as_u64()
        .unwrap()
}

/// Logs in with the device flow, approving (or denying) the code like a person would.
pub fn device_login(env: &TestEnv, endpoint: &Endpoint, decision: &str) -> Run {
    device_login_approved_by(env, &endpoint.url, |code, complete| {
        assert!(
            complete.starts_with(&format!("{}/oauth/device/verify", endpoint.url)),
            "{complete}"
        );
        let status = post_form(
            &format!("{}/oauth/device/verify", endpoint.url),
            &[("user_code", code), ("decision", decision)],
        );
        assert_eq!(status, 200);
    })
}

/// A JSON or JSONC file's text as a value.
pub fn jsonc(text: &str) -> serde_json::Value {
    jsonc_parser::parse_to_serde_value::<serde_json::Value>(text, &Default::default()).unwrap()
}

/// No file under `dir` holds `token`.
pub fn assert_no_token_under(dir: &Path, token: &str) {
    for (path, bytes) in files_under(dir) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(token),
            "{} holds no token",
            path.display()
        );
    }
}
