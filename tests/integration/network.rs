//! Corporate networks: the org endpoint over HTTPS with a certificate from a CA of the test's
//! own (generated here with rcgen, served by a TLS front in Python), reached directly, through
//! an HTTP CONNECT proxy, or not at all when the CA is not trusted.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::{Endpoint, TestEnv};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/network");

/// A process killed when dropped.
struct Helper(Child);

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A CA and a certificate for 127.0.0.1 signed by it, as PEM files in `dir`: (ca, cert, key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "ai-setup test corporate CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    (paths.0, paths.1, paths.2)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The demo org over HTTPS: its address, its CA file, and the processes behind it.
fn https_org(dir: &Path) -> (String, PathBuf, Endpoint, Helper) {
    let (ca, cert, key) = certificates(dir);
    let port = free_port();
    let url = format!("https://127.0.0.1:{port}");
    let endpoint = Endpoint::start(None, &["--public-url", &url]);
    let backend = endpoint.url.rsplit(':').next().unwrap().to_string();
    let mut front = Command::new("python3")
        .arg(format!("{FIXTURES}/tls_front.py"))
        .args([
            cert.to_str().unwrap(),
            key.to_str().unwrap(),
            &port.to_string(),
            &backend,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(front.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    (url, ca, endpoint, Helper(front))
}

/// A CONNECT proxy: its address, and the tunnels it opened so far.
fn proxy() -> (String, Helper, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new("python3")
        .arg(format!("{FIXTURES}/connect_proxy.py"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = lines.next().unwrap().unwrap();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    (
        format!("http://127.0.0.1:{}", port.trim()),
        Helper(child),
        receive,
    )
}

#[test]
fn an_untrusted_certificate_names_the_fix_and_a_ca_file_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let (url, ca, _endpoint, _front) = https_org(dir.path());
    let env = TestEnv::new();
    let before = env.snapshot();
    let run = env.login(&url);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("certificate is not trusted"), "{run:?}");
    assert!(run.stderr.contains("--ca-file"), "{run:?}");
    assert_eq!(env.snapshot(), before, "nothing written");

    let run = env.login_with(
        &url,
        &["--clients", "opencode", "--ca-file", ca.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.path(".local/state/ai-setup/state.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        state["ca_files"][0],
        ca.canonicalize().unwrap().to_str().unwrap()
    );
    // Later commands trust it without the flag: sync and the usage endpoint.
    assert_eq!(env.run(&["sync"]).code, 0);
    assert_eq!(env.run(&["usage", "--json"]).code, 0);

    let bad = env.path("not-a-ca.pem");
    std::fs::write(&bad, "hello").unwrap();
    let run = env.run(&["sync", "--ca-file", bad.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("holds no PEM certificate"), "{run:?}");
}

#[test]
fn ssl_cert_file_and_ai_setup_ca_file_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let (url, ca, _endpoint, _front) = https_org(dir.path());
    let by_openssl_variable = TestEnv::new().env("SSL_CERT_FILE", ca.to_str().unwrap());
    let run = by_openssl_variable.login(&url);
    assert_eq!(run.code, 0, "{run:?}");
    let by_our_variable = TestEnv::new().env("AI_SETUP_CA_FILE", ca.to_str().unwrap());
    let run = by_our_variable.login(&url);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn https_proxy_carries_the_traffic_unless_no_proxy_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let (url, ca, _endpoint, _front) = https_org(dir.path());
    let (proxy_url, _proxy, tunnels) = proxy();
    let target = url.trim_start_matches("https://").to_string();

    let env = TestEnv::new()
        .env("AI_SETUP_CA_FILE", ca.to_str().unwrap())
        .env("HTTPS_PROXY", &proxy_url);
    let run = env.login(&url);
    assert_eq!(run.code, 0, "{run:?}");
    let seen: Vec<String> = tunnels.try_iter().collect();
    assert!(
        seen.contains(&format!("CONNECT {target}")),
        "the proxy saw {seen:?}"
    );
    assert_eq!(env.run(&["usage", "--json"]).code, 0);
    assert!(
        tunnels.try_iter().count() > 0,
        "usage went through the proxy too"
    );

    let direct = TestEnv::new()
        .env("AI_SETUP_CA_FILE", ca.to_str().unwrap())
        .env("HTTPS_PROXY", &proxy_url)
        .env("NO_PROXY", "127.0.0.1");
    let run = direct.login(&url);
    assert_eq!(run.code, 0, "{run:?}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(tunnels.try_iter().count(), 0, "NO_PROXY bypasses the proxy");

    // A proxy that is down is a network error that names HTTPS_PROXY.
    let down = TestEnv::new()
        .env("AI_SETUP_CA_FILE", ca.to_str().unwrap())
        .env("HTTPS_PROXY", &format!("http://127.0.0.1:{}", free_port()));
    let run = down.login(&url);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("HTTPS_PROXY"), "{run:?}");
}
