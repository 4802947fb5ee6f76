//! `ai-setup proxy`, the loopback credential proxy (src/proxy.rs): only requests with the
//! machine's local secret pass, with the org token put in its place and the client named; a
//! streamed answer comes through chunk by chunk; twenty requests on an expiring token cause one
//! refresh; started by `systemd-socket-activate` on the first connection, it exits when idle.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;
use crate::models::recorded;

/// A running `ai-setup proxy`, stopped when dropped.
struct Proxy {
    child: Child,
    addr: String,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Proxy {
    /// `ai-setup proxy --listen 127.0.0.1:0` in `env`'s home, once it says where it listens.
    fn start(env: &TestEnv) -> Proxy {
        let mut child = env
            .command(BIN, &["proxy", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("the proxy says where it listens: {first:?}"))
            .to_string();
        let output = std::sync::Arc::new(std::sync::Mutex::new(first));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            sink.lock().unwrap().push_str(&rest);
        });
        Proxy {
            child,
            addr,
            output,
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn local_secret(env: &TestEnv) -> String {
    std::fs::read_to_string(env.path(".local/state/ai-setup/proxy-secret"))
        .unwrap()
        .trim()
        .to_string()
}

/// One HTTP/1.1 request to `addr`; the status and the whole body (chunked or not, as sent).
fn request(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write_request(&mut stream, addr, path, headers, body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn write_request(
    stream: &mut TcpStream,
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) {
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
}

fn messages_body() -> Vec<u8> {
    json!({"model": "claude-sonnet-4-5", "max_tokens": 50,
           "messages": [{"role": "user", "content": "hello through the proxy"}]})
    .to_string()
    .into_bytes()
}

#[test]
fn only_requests_with_the_local_secret_pass_with_the_org_token_and_the_client_named() {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let endpoint = Endpoint::start(None, &["--record", file.to_str().unwrap()]);
    let env = TestEnv::new();
    let login = env.login(&endpoint.url);
    assert_eq!(login.code, 0, "{login:?}");
    let token = env.stored_token(&endpoint.url);
    let proxy = Proxy::start(&env);
    let secret = local_secret(&env);
    assert!(secret.starts_with("ai-setup-local-"), "{secret}");
    assert_ne!(secret, token);
    let mode = std::fs::metadata(env.path(".local/state/ai-setup/proxy-secret"))
        .unwrap()
        .permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    // `/CLIENT/PROVIDER` stands for the provider's base URL (`{baseURL}/anthropic/v1`).
    let messages = "/gemini/anthropic/messages";

    // No key, another key, the org token itself: refused, and nothing reaches the org.
    for headers in [
        vec![],
        vec![("x-api-key", "sk-ant-not-the-secret")],
        vec![("Authorization", &*format!("Bearer {token}"))],
    ] {
        let (status, body) = request(&proxy.addr, messages, &headers, &messages_body());
        assert_eq!(status, 401, "{headers:?}: {body}");
        assert!(body.contains("local secret"), "{body}");
    }
    assert!(recorded(&file).is_empty(), "nothing went to the org");

    // With the secret, in any of the headers clients send keys in: the org answers, and sees
    // the org token's user and the client the request came from.
    for (header, value, path, body) in [
        ("x-api-key", secret.clone(), messages, messages_body()),
        (
            "Authorization",
            format!("Bearer {secret}"),
            "/continue/openai/chat/completions",
            json!({"model": "gpt-5", "messages": [{"role": "user", "content": "hi"}]})
                .to_string()
                .into_bytes(),
        ),
        (
            "x-goog-api-key",
            secret.clone(),
            "/gemini/google/models/gemini-2.5-pro:generateContent",
            json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
                .to_string()
                .into_bytes(),
        ),
    ] {
        let (status, answer) = request(&proxy.addr, path, &[(header, &value)], &body);
        assert_eq!(status, 200, "{path}: {answer}");
        assert!(answer.contains("Stand-in model"), "{answer}");
    }
    let requests = recorded(&file);
    let summary: Vec<(&str, &str, &str)> = requests
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap(),
                r["user"].as_str().unwrap(),
                r["client"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("/anthropic/v1/messages", "dev@demo.example", "gemini"),
            (
                "/openai/v1/chat/completions",
                "dev@demo.example",
                "continue"
            ),
            (
                "/google/v1beta/models/gemini-2.5-pro:generateContent",
                "dev@demo.example",
                "gemini"
            ),
        ]
    );

    // A provider the org does not offer, and a body over the limit.
    let key = [("x-api-key", secret.as_str())];
    let (status, body) = request(&proxy.addr, "/gemini/nope/messages", &key, b"{}");
    assert_eq!(status, 404, "{body}");
    let huge = vec![b' '; 33 * 1024 * 1024];
    let (status, _) = request(&proxy.addr, messages, &key, &huge);
    assert_eq!(status, 413);

    // The org token is in nothing the proxy printed.
    let printed = proxy.output.lock().unwrap().clone();
    assert!(!printed.contains(&token), "{printed}");

    // logout rotates the secret: the old one is refused from then on.
    let logout = env.run(&["logout"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert!(!env.path(".local/state/ai-setup/proxy-secret").exists());
    // …and the proxy, with nothing left to serve, stops by itself.
    let mut proxy = proxy;
    let stopped = (0..40).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        proxy.child.try_wait().unwrap().is_some()
    });
    assert!(stopped, "the proxy stops once logged out");
    assert!(proxy.output.lock().unwrap().contains("logged out"));
}

/// An upstream that sends one chunk of an event stream, then waits to be told that the first
/// chunk reached the client before it sends the second and ends.
fn slow_upstream() -> (String, mpsc::Sender<()>, mpsc::Receiver<bool>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (go, wait) = mpsc::channel::<()>();
    let (done, finished) = mpsc::channel::<bool>();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let chunk = |s: &str| format!("{:x}\r\n{s}\r\n", s.len());
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n{}",
            chunk("data: first\n\n")
        )
        .unwrap();
        stream.flush().unwrap();
        let told = wait.recv_timeout(Duration::from_secs(15)).is_ok();
        let _ = write!(stream, "{}0\r\n\r\n", chunk("data: second\n\n"));
        let _ = done.send(told);
    });
    (addr, go, finished)
}

#[test]
fn a_streamed_answer_comes_through_chunk_by_chunk() {
    let (upstream, go, finished) = slow_upstream();
    let mut document = demo_document();
    document["config"]["provider"]["slow"] = json!({
        "npm": "@ai-sdk/openai-compatible",
        "options": {"baseURL": format!("http://{upstream}/v1"), "apiKey": "{env:DEMO_AI_TOKEN}"},
        "models": {"m": {}}
    });
    let endpoint = Endpoint::with_document(&document);
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    let proxy = Proxy::start(&env);
    let secret = local_secret(&env);

    let mut stream = TcpStream::connect(&proxy.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write_request(
        &mut stream,
        &proxy.addr,
        "/gemini/slow/chat/completions",
        &[("Authorization", &format!("Bearer {secret}"))],
        br#"{"model": "m", "stream": true}"#,
    );
    // The first event arrives while upstream still holds the second back.
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("data: first") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the stream ended before its first event: {seen:?}");
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(!String::from_utf8_lossy(&seen).contains("data: second"));
    go.send(()).unwrap();
    assert!(
        finished.recv_timeout(Duration::from_secs(20)).unwrap(),
        "the first chunk reached the client before upstream finished"
    );
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    seen.extend_from_slice(&rest);
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("data: second"), "{text}");
}

#[test]
fn twenty_requests_on_an_expiring_token_cause_one_refresh() {
    // Tokens live 12 s: a refresh is due in their last quarter.
    let (_org, endpoint) = oidc_org("12");
    let env = TestEnv::new();
    let login = device_login(&env, &endpoint, "approve");
    assert_eq!(login.code, 0, "{login:?}");
    let proxy = Proxy::start(&env);
    let secret = local_secret(&env);
    let ask = || {
        request(
            &proxy.addr,
            "/gemini/anthropic/messages",
            &[("x-api-key", &secret)],
            &messages_body(),
        )
    };
    assert_eq!(ask().0, 200);
    assert_eq!(refreshes(&endpoint), 0, "a fresh token is used as it is");
    wait_until_refresh_is_due(&env, &endpoint);

    let statuses: Vec<u16> = std::thread::scope(|s| {
        let asks: Vec<_> = (0..20).map(|_| s.spawn(|| ask().0)).collect();
        asks.into_iter().map(|a| a.join().unwrap()).collect()
    });
    assert_eq!(statuses, [200; 20]);
    assert_eq!(refreshes(&endpoint), 1, "one refresh for twenty requests");
}

/// The systemd protocol: `systemd-socket-activate` (Debian's systemd package) holds the socket
/// and starts the proxy at the first connection; the proxy serves it and exits once idle, and
/// the socket is the next start's.
#[test]
fn socket_activated_it_starts_at_the_first_connection_and_exits_when_idle() {
    let endpoint = Endpoint::start(None, &[]);
    let env = TestEnv::new();
    assert_eq!(env.login(&endpoint.url).code, 0);
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let mut activator = env
        .command(
            "systemd-socket-activate",
            &[
                "-l",
                &addr,
                "-E",
                "HOME",
                "-E",
                "PATH",
                "-E",
                "DBUS_SESSION_BUS_ADDRESS",
                "-E",
                "AI_SETUP_KEYRING_TIMEOUT",
                BIN,
                "proxy",
                "--idle-exit",
                "2",
            ],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("systemd-socket-activate (Debian's systemd package) runs");
    let program = |pid: u32| {
        std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
            .unwrap_or_default()
    };
    // Listening, and nothing started yet.
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_millis(100)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(10), "it listens");
        std::thread::sleep(Duration::from_millis(50));
    }
    // (The probe above was a connection too: the proxy may be starting now, which is the point.)
    let secret_file = env.path(".local/state/ai-setup/proxy-secret");
    let started = Instant::now();
    let (status, body) = loop {
        // The secret is made by the proxy's first start.
        if let Ok(secret) = std::fs::read_to_string(&secret_file) {
            break request(
                &addr,
                "/gemini/anthropic/messages",
                &[("x-api-key", secret.trim())],
                &messages_body(),
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the proxy started at the first connection"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Stand-in model"), "{body}");
    assert!(
        program(activator.id()).contains("proxy"),
        "the activator became the proxy: {}",
        program(activator.id())
    );
    // Idle for 2 s: it exits by itself, successfully.
    let idle = Instant::now();
    let status = loop {
        if let Some(status) = activator.try_wait().unwrap() {
            break status;
        }
        assert!(
            idle.elapsed() < Duration::from_secs(15),
            "an idle proxy exits"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    let _ = activator.stderr.take().unwrap().read_to_string(&mut stderr);
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(
        idle.elapsed() >= Duration::from_secs(1),
        "not before it was idle"
    );
}

#[test]
fn it_listens_on_loopback_only_and_needs_a_login() {
    let env = TestEnv::new();
    let run = env.run(&["proxy", "--listen", "127.0.0.1:0"]);
    assert_eq!(run.code, 3, "not logged in: {run:?}");
    assert!(run.stderr.contains("ai-setup login"), "{run:?}");
    assert!(!env.path(".local/state/ai-setup/proxy-secret").exists());

    let endpoint = Endpoint::start(None, &[]);
    assert_eq!(env.login(&endpoint.url).code, 0);
    for listen in ["0.0.0.0:0", "192.0.2.1:47817"] {
        let run = env.run(&["proxy", "--listen", listen]);
        assert_eq!(run.code, 2, "{listen}: {run:?}");
        assert!(run.stderr.contains("loopback only"), "{run:?}");
    }
    let run = env.run(&["proxy", "--listen", "nowhere"]);
    assert_eq!(run.code, 2, "{run:?}");
    // A port already taken: said at once, not a hang.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let run = env.run(&["proxy", "--listen", &addr]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("cannot listen"), "{run:?}");
}

/// Goose cannot be installed here (its build is fetched at install time), so its custom
/// provider is followed as Goose's source reads it: the host is the origin of `base_url`, the
/// path is `base_path`, and every request carries the file's `headers` and no key of its own.
/// Sent that way, a chat request reaches the org through the proxy that `login` started, with
/// the org token's user and Goose named. The user's provider comes back at logout.
#[test]
fn gooses_custom_provider_reaches_the_org_through_the_proxy_that_login_started() {
    let records = tempfile::tempdir().unwrap();
    let file = records.path().join("requests.jsonl");
    let endpoint = Endpoint::start(None, &["--record", file.to_str().unwrap()]);
    let env = TestEnv::new();
    let config: &[u8] = b"GOOSE_PROVIDER: anthropic\nGOOSE_MODEL: claude-mine\n";
    env.write(".config/goose/config.yaml", config);
    let login = env.login_with(&endpoint.url, &["--clients", "goose"]);
    assert_eq!(login.code, 0, "{login:?}");
    let token = env.stored_token(&endpoint.url);

    let settings = std::fs::read_to_string(env.path(".config/goose/config.yaml")).unwrap();
    let lines: Vec<&str> = settings.lines().collect();
    assert!(
        lines.contains(&"GOOSE_PROVIDER: ai_setup_demo_corp"),
        "{settings}"
    );
    assert!(lines.contains(&"GOOSE_MODEL: gpt-5"), "{settings}");
    let provider_file = env.path(".config/goose/custom_providers/ai_setup_demo_corp.json");
    let text = std::fs::read_to_string(&provider_file).unwrap();
    assert!(!text.contains(&token), "no org token in Goose's files");
    let mode = std::fs::metadata(&provider_file).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let provider: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(provider["name"], "ai_setup_demo_corp");
    assert_eq!(provider["engine"], "openai");
    assert_eq!(provider["api_key_env"], "");
    assert_eq!(provider["requires_auth"], false);
    assert_eq!(provider["models"][0]["name"], "gpt-5");
    let authorization = provider["headers"]["Authorization"].as_str().unwrap();
    assert_eq!(authorization, format!("Bearer {}", local_secret(&env)));

    // What Goose sends: to the origin of `base_url`, at `base_path`.
    let base_url = url::Url::parse(provider["base_url"].as_str().unwrap()).unwrap();
    let addr = format!(
        "{}:{}",
        base_url.host_str().unwrap(),
        base_url.port().unwrap()
    );
    let path = format!("/{}", provider["base_path"].as_str().unwrap());
    let chat =
        json!({"model": "gpt-5", "messages": [{"role": "user", "content": "hi from goose"}]});
    let (status, answer) = request(
        &addr,
        &path,
        &[("Authorization", authorization)],
        chat.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{path}: {answer}");
    assert!(answer.contains("Stand-in model"), "{answer}");
    let requests = recorded(&file);
    let last = requests.last().expect("a request reached the org");
    assert_eq!(last["path"], "/openai/v1/chat/completions", "{last}");
    assert_eq!(last["user"], "dev@demo.example");
    assert_eq!(last["client"], "goose");

    let logout = env.run(&["logout", "--restore"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert_eq!(
        std::fs::read(env.path(".config/goose/config.yaml")).unwrap(),
        config
    );
    assert!(!provider_file.exists());
}
