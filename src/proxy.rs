//! `ai-setup proxy`: a loopback credential proxy, for clients that take an endpoint's key only
//! as a static value or an environment variable (Gemini CLI, Continue, Zed, …), where the org
//! token must never go.
//!
//! Such a client is given `http://127.0.0.1:PORT/CLIENT/PROVIDER` as its base URL and the
//! machine's *local secret* as its key. The proxy accepts a request only with that secret (as
//! `Authorization: Bearer`, `x-api-key`, `x-goog-api-key` or `api-key`, the ways clients send
//! keys), and forwards `/CLIENT/PROVIDER/REST` to `REST` under the org's `PROVIDER` base URL
//! (`provider.PROVIDER.options.baseURL` of the resolved config) with the org token in the
//! same header, and `x-ai-setup-client: CLIENT` so that the org counts usage per client. The
//! secret is useless off the machine: the proxy listens on loopback only, and it is rotated
//! at `logout`.
//!
//! The token is read as `ai-setup token` reads it (refreshed when near its expiry, one refresh
//! for all requests at once) and kept in memory; after a 401 from upstream it is read again and
//! the request sent once more. Request bodies are read whole (at most [`MAX_REQUEST`]) so that
//! they can be sent again; responses are streamed through as they arrive, never buffered.
//!
//! Under systemd socket activation (`LISTEN_FDS`), it serves the socket it is handed and exits
//! once idle for `--idle-exit`; systemd starts it again at the next connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use url::Url;

use crate::auth;
use crate::error::{Error, Finished, Result};
use crate::paths::Paths;
use crate::secrets::{Secret, local_secret};

/// The largest request body forwarded (a prompt with its whole context and images).
pub const MAX_REQUEST: usize = 32 * 1024 * 1024;

/// The upstream path for `rest` under a provider's base path. Clients' SDKs add the API
/// version themselves (`v1beta/models/…` from Gemini's, `v1/messages` from Anthropic's), while
/// an org's base URL usually ends with it (`…/google/v1beta`): a version the base ends with is
/// not repeated.
fn upstream_path(base: &str, rest: &str) -> String {
    let base = base.trim_end_matches('/');
    let version = base.rsplit('/').next().unwrap_or("");
    let is_version = version.len() > 1
        && version.starts_with('v')
        && version[1..].starts_with(|c: char| c.is_ascii_digit());
    let rest = match rest.strip_prefix(version) {
        Some(after) if is_version && (after.is_empty() || after.starts_with('/')) => {
            after.trim_start_matches('/')
        }
        _ => rest,
    };
    format!("{base}/{rest}")
}

/// What [`ensure_running`] found or did.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Running {
    /// It was answering already (started before, or by its socket unit).
    Running { address: String },
    /// Started now, detached, until logout.
    Started { address: String },
    /// It could not be started; the reason, and where its log is.
    Failed { address: String, reason: String },
}

impl Running {
    pub fn describe(&self) -> String {
        match self {
            Running::Running { address } => format!("running on {address}"),
            Running::Started { address } => format!("started on {address}, until logout"),
            Running::Failed { address, reason } => {
                format!("not running on {address}: {reason}; `ai-setup doctor` says more")
            }
        }
    }
}

/// Makes sure the proxy answers at `paths.proxy_address` for the clients `login` just pointed
/// at, with nothing else to start by hand: where its socket unit listens (`service install`),
/// the first connection starts it; elsewhere (no systemd, a container, macOS) it is started
/// here, detached in its own process group, logging to `proxy.log` in the state folder, and
/// runs until logout; after a restart of the machine, the next `sync` (the service timer's
/// too) starts it again. Waits until it answers, or has failed, for up to 5 seconds.
pub fn ensure_running(paths: &Paths) -> Running {
    let address = paths.proxy_address.clone();
    match probe(&address) {
        Listener::Proxy => return Running::Running { address },
        Listener::Other => {
            return Running::Failed {
                address,
                reason: "another program answers on that port".into(),
            };
        }
        Listener::Nobody => {}
    }
    let failed = |reason: String| Running::Failed {
        address: address.clone(),
        reason,
    };
    let log_path = paths.state_dir.join("proxy.log");
    let log = match crate::write::append_private(&log_path) {
        Ok(log) => log,
        Err(e) => return failed(e.message),
    };
    let mut command = std::process::Command::new(crate::clients::translate::program());
    command.args(["proxy", "--listen", &address]);
    if paths.sandbox {
        command.envs(paths.sandbox_env());
    }
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return failed(format!("cannot start it: {e}")),
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            let said = std::fs::read_to_string(&log_path).unwrap_or_default();
            let last = said.lines().last().unwrap_or("").trim().to_string();
            return failed(format!("it exited ({status}): {last}"));
        }
        if let Listener::Proxy = probe(&address) {
            return Running::Started { address };
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    failed(format!(
        "it did not answer within 5 seconds (its log: {})",
        paths.display(&log_path)
    ))
}

/// Who answers at `addr`: the proxy (which refuses a request without a key with its own error
/// type), another program, or nobody.
pub enum Listener {
    Proxy,
    Other,
    Nobody,
}

pub fn probe(addr: &str) -> Listener {
    use std::io::{Read, Write};
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        return Listener::Nobody;
    };
    let timeout = Duration::from_millis(1500);
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&addr, timeout) else {
        return Listener::Nobody;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let request =
        format!("GET /doctor/probe HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return Listener::Other;
    }
    let mut answer = Vec::new();
    let _ = stream.take(16 * 1024).read_to_end(&mut answer);
    match String::from_utf8_lossy(&answer).contains("\"ai_setup_proxy\"") {
        true => Listener::Proxy,
        false => Listener::Other,
    }
}

/// The header that names the client a request came from.
pub const CLIENT_HEADER: &str = "x-ai-setup-client";

/// How long to wait for upstream to start answering.
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(300);

/// The headers a key may come in, in the order they are looked at.
const KEY_HEADERS: [&str; 4] = ["authorization", "x-api-key", "x-goog-api-key", "api-key"];

/// What `ai-setup proxy` was asked for.
pub struct Options {
    pub listen: String,
    pub org: Option<String>,
    /// Exit after this long without a request (socket activation starts it again).
    pub idle_exit: Option<Duration>,
}

struct Proxy {
    org: String,
    paths: Paths,
    /// sha256 of the local secret as last read: the token in memory belongs to it.
    secret_digest: std::sync::Mutex<[u8; 32]>,
    /// Each provider's base URL, from the org's resolved config.
    providers: Vec<(String, Url)>,
    client: reqwest::Client,
    token: tokio::sync::Mutex<Option<Cached>>,
    in_flight: AtomicUsize,
    last_active: AtomicI64,
}

struct Cached {
    token: Secret,
    expires_at: Option<i64>,
    read_at: i64,
}

impl Cached {
    /// Still to be sent: not within the last quarter of its life as the proxy saw it (at most
    /// a minute), when `ai-setup token` would renew it.
    fn usable(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|exp| {
            let margin = ((exp - self.read_at) / 4).clamp(0, 60);
            now < exp - margin
        })
    }
}

pub async fn run(options: Options, paths: &Paths) -> Result<Finished> {
    let org = crate::engine::org::Org::open(paths, options.org.as_deref())?;
    let secret = local_secret::get_or_create(paths)?;
    let providers = provider_urls(&org, paths)?;
    if providers.is_empty() {
        return Err(Error::failure(format!(
            "{} offers no provider with a base URL ai-setup may send the token to",
            org.key
        ))
        .hint("the org's `config.provider.*.options.baseURL` must be HTTPS (or on loopback)"));
    }
    let listener = listener(&options.listen).await?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::failure(format!("cannot read the proxy's address: {e}")))?;
    eprintln!(
        "ai-setup proxy listening on http://{local} for {} (providers: {})",
        org.key,
        providers
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let first_url = &providers[0].1;
    let proxy = Arc::new(Proxy {
        org: org.key.clone(),
        paths: paths.clone(),
        secret_digest: std::sync::Mutex::new(Sha256::digest(secret.expose().as_bytes()).into()),
        client: crate::http::Http::streaming(first_url)?,
        providers,
        token: tokio::sync::Mutex::new(None),
        in_flight: AtomicUsize::new(0),
        last_active: AtomicI64::new(crate::now_unix()),
    });
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(proxy.clone());
    let idle = options.idle_exit;
    let watcher = proxy.clone();
    // It stops when idle (if asked to), and once logged out: with the local secret gone,
    // every request would be refused.
    let shutdown = async move {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if local_secret::read(&watcher.paths).is_none() {
                eprintln!("ai-setup proxy: logged out (no local secret): stopping");
                break;
            }
            let quiet = crate::now_unix() - watcher.last_active.load(Ordering::Relaxed);
            if idle.is_some_and(|idle| {
                watcher.in_flight.load(Ordering::Relaxed) == 0 && quiet >= idle.as_secs() as i64
            }) {
                break;
            }
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::failure(format!("the proxy stopped: {e}")))?;
    Ok(Finished::Done)
}

/// The socket systemd (or launchd's equivalent, `systemd-socket-activate`) handed over, else
/// a new one on `listen`, which must be a loopback address.
async fn listener(listen: &str) -> Result<tokio::net::TcpListener> {
    if let Some(std) = activated_socket() {
        std.set_nonblocking(true)
            .map_err(|e| Error::failure(format!("cannot use the activated socket: {e}")))?;
        return tokio::net::TcpListener::from_std(std)
            .map_err(|e| Error::failure(format!("cannot use the activated socket: {e}")));
    }
    let addr: SocketAddr = listen.parse().map_err(|_| {
        Error::usage(format!("'{listen}' is not an address")).hint("use 127.0.0.1:PORT")
    })?;
    if !addr.ip().is_loopback() {
        return Err(
            Error::usage(format!("the proxy listens on loopback only, not {addr}"))
                .hint("anything that can reach it may spend the org token: use 127.0.0.1:PORT"),
        );
    }
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        Error::failure(format!("cannot listen on {addr}: {e}"))
            .hint("another proxy may be running: `ai-setup status` shows it")
    })
}

/// The first socket passed by the systemd protocol (`LISTEN_PID` is this process,
/// `LISTEN_FDS` at least 1: descriptor 3).
#[cfg(unix)]
fn activated_socket() -> Option<std::net::TcpListener> {
    use std::os::fd::FromRawFd;
    let pid: u32 = std::env::var("LISTEN_PID").ok()?.parse().ok()?;
    let fds: u32 = std::env::var("LISTEN_FDS").ok()?.parse().ok()?;
    if pid != std::process::id() || fds < 1 {
        return None;
    }
    // SAFETY: the systemd protocol hands descriptor 3 to this process, open and owned by
    // nobody else in it; it is taken once (the variables are removed).
    let listener = unsafe { std::net::TcpListener::from_raw_fd(3) };
    // SAFETY: no other thread reads the environment yet: the runtime's workers do not.
    unsafe {
        std::env::remove_var("LISTEN_PID");
        std::env::remove_var("LISTEN_FDS");
    }
    Some(listener)
}

#[cfg(not(unix))]
fn activated_socket() -> Option<std::net::TcpListener> {
    None
}

/// The org's providers whose base URL may carry the token: the resolved config's, after the
/// same checks every client's files get (HTTPS except loopback, nothing refused).
fn provider_urls(org: &crate::engine::org::Org, paths: &Paths) -> Result<Vec<(String, Url)>> {
    let mut out = crate::output::Output::new(false);
    // The providers as Gemini CLI, the proxy's first intended user, gets them (an org overlay
    // for it applies); the guard's refusals (tokens to plain-HTTP hosts) are the same for all.
    let client = crate::clients::by_id("gemini").expect("a known client");
    let contexts = org.contexts(&[client], None, None, &[], paths, &mut out)?;
    let Some(ctx) = contexts.first() else {
        return Ok(Vec::new());
    };
    let Some(providers) = ctx.config.get("provider").and_then(|p| p.as_object()) else {
        return Ok(Vec::new());
    };
    Ok(providers
        .iter()
        .filter_map(|(id, _)| {
            let url = Url::parse(&crate::clients::translate::base_url(ctx, id)?).ok()?;
            crate::http::check_url(&url).ok()?;
            Some((id.clone(), url))
        })
        .collect())
}

impl Proxy {
    /// The token to send: the one in memory while it is not near its expiry, else read (and
    /// refreshed) again. `stale` is one upstream refused: it is not handed out again.
    async fn token(&self, stale: Option<&Secret>) -> Result<Secret> {
        let mut cached = self.token.lock().await;
        let now = crate::now_unix();
        if let Some(c) = cached.as_ref()
            && stale.is_none_or(|s| s.expose() != c.token.expose())
            && c.usable(now)
        {
            return Ok(c.token.clone());
        }
        let (org, paths) = (self.org.clone(), self.paths.clone());
        // `auth::current` runs its own runtime for a refresh: off this one, on a thread.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = tx.send(auth::current(Some(&org), &paths));
        });
        let (_, credential, expires_at) = rx
            .await
            .map_err(|_| Error::failure("reading the token failed"))??;
        *cached = Some(Cached {
            token: credential.token.clone(),
            expires_at,
            read_at: now,
        });
        Ok(credential.token)
    }

    /// Whether `given` is the local secret as it is now on disk. It is read at every request:
    /// `logout` removes it and `login` makes a new one, and the token in memory, which went
    /// with the old one, is forgotten then.
    async fn secret_matches(&self, given: &str) -> bool {
        let Some(secret) = local_secret::read(&self.paths) else {
            return false;
        };
        let current: [u8; 32] = Sha256::digest(secret.expose().as_bytes()).into();
        let rotated = {
            let mut last = self.secret_digest.lock().expect("not poisoned");
            std::mem::replace(&mut *last, current) != current
        };
        if rotated {
            *self.token.lock().await = None;
        }
        let digest: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        digest
            .iter()
            .zip(current.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// The key a request carries, and the header it came in.
fn key_of(headers: &HeaderMap) -> Option<(&'static str, String)> {
    KEY_HEADERS.iter().find_map(|name| {
        let value = headers.get(*name)?.to_str().ok()?;
        let key = match *name {
            "authorization" => value.strip_prefix("Bearer ")?,
            _ => value,
        };
        Some((*name, key.trim().to_string()))
    })
}

/// Headers that belong to one connection, not to the request (RFC 9110 7.6.1), and those the
/// proxy sets itself.
fn passes(name: &HeaderName) -> bool {
    !matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
            | CLIENT_HEADER
    ) && !KEY_HEADERS.contains(&name.as_str())
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({"error": {"type": "ai_setup_proxy", "message": message}});
    (status, axum::Json(body)).into_response()
}

/// Counts a request as in flight until dropped (the response's body included).
struct InFlight(Arc<Proxy>);

impl InFlight {
    fn new(proxy: &Arc<Proxy>) -> Self {
        proxy.in_flight.fetch_add(1, Ordering::Relaxed);
        proxy
            .last_active
            .store(crate::now_unix(), Ordering::Relaxed);
        InFlight(proxy.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .last_active
            .store(crate::now_unix(), Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let in_flight = InFlight::new(&proxy);
    let (parts, body) = request.into_parts();
    let Some((key_header, key)) = key_of(&parts.headers) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "no key: send this machine's ai-setup local secret as the API key",
        );
    };
    if !proxy.secret_matches(&key).await {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "that key is not this machine's ai-setup local secret",
        );
    }
    // `/CLIENT/PROVIDER/REST`
    let path = parts.uri.path().trim_start_matches('/');
    let mut segments = path.splitn(3, '/');
    let (Some(client), Some(provider)) = (segments.next(), segments.next()) else {
        return refuse(StatusCode::NOT_FOUND, "paths are /CLIENT/PROVIDER/…");
    };
    let rest = segments.next().unwrap_or("");
    let Some((_, base)) = proxy.providers.iter().find(|(id, _)| id == provider) else {
        return refuse(
            StatusCode::NOT_FOUND,
            &format!("the org offers no provider '{provider}' through the proxy"),
        );
    };
    let client_name = match HeaderValue::from_str(client) {
        Ok(v) if !client.is_empty() => v,
        _ => return refuse(StatusCode::NOT_FOUND, "paths are /CLIENT/PROVIDER/…"),
    };
    let mut url = base.clone();
    url.set_path(&upstream_path(base.path(), rest));
    url.set_query(parts.uri.query());
    let body = match axum::body::to_bytes(body, MAX_REQUEST).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("request bodies are limited to {MAX_REQUEST} bytes"),
            );
        }
    };
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in parts.headers.iter().filter(|(n, _)| passes(n)) {
        headers.append(name.clone(), value.clone());
    }
    headers.insert(CLIENT_HEADER, client_name);

    let mut stale: Option<Secret> = None;
    let upstream = loop {
        let token = match proxy.token(stale.as_ref()).await {
            Ok(token) => token,
            Err(e) => {
                return refuse(
                    StatusCode::UNAUTHORIZED,
                    &format!("no org token: {}; {}", e.message, e.hints.join("; ")),
                );
            }
        };
        let value = match key_header {
            "authorization" => format!("Bearer {}", token.expose()),
            _ => token.expose().to_string(),
        };
        let Ok(mut value) = HeaderValue::from_str(&value) else {
            return refuse(
                StatusCode::BAD_GATEWAY,
                "the org token is not a header value",
            );
        };
        value.set_sensitive(true);
        let mut sent = headers.clone();
        sent.insert(key_header, value);
        let response = proxy
            .client
            .request(parts.method.clone(), url.clone())
            .headers(sent)
            .body(body.clone())
            .timeout(FIRST_BYTE_TIMEOUT)
            .send()
            .await;
        match response {
            Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED && stale.is_none() => {
                stale = Some(token);
            }
            Ok(r) => break r,
            Err(e) => {
                let status = if e.is_timeout() {
                    StatusCode::GATEWAY_TIMEOUT
                } else {
                    StatusCode::BAD_GATEWAY
                };
                return refuse(
                    status,
                    &format!(
                        "the org's {provider} endpoint did not answer: {}",
                        crate::http::error_chain(&e)
                    ),
                );
            }
        }
    };
    let mut response = Response::builder().status(upstream.status().as_u16());
    for (name, value) in upstream.headers().iter().filter(|(n, _)| passes(n)) {
        response = response.header(name, value);
    }
    // The body as it comes; the request counts as in flight until it has all gone out.
    let stream = upstream.bytes_stream().map(move |chunk| {
        let _ = &in_flight;
        chunk
    });
    response
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| refuse(StatusCode::BAD_GATEWAY, "upstream sent a bad header"))
}

#[cfg(test)]
mod tests {
    use super::upstream_path;

    #[test]
    fn a_version_the_base_url_ends_with_is_not_repeated() {
        let cases = [
            (
                "/google/v1beta",
                "v1beta/models/m:generateContent",
                "/google/v1beta/models/m:generateContent",
            ),
            ("/google/v1beta/", "models/m", "/google/v1beta/models/m"),
            ("/anthropic/v1", "v1/messages", "/anthropic/v1/messages"),
            ("/anthropic/v1", "v1beta/x", "/anthropic/v1/v1beta/x"),
            ("/openai", "v1/responses", "/openai/v1/responses"),
            ("/compat/v1", "v1x/chat", "/compat/v1/v1x/chat"),
            ("/gateway/vertex", "vertex/x", "/gateway/vertex/vertex/x"),
        ];
        for (base, rest, want) in cases {
            assert_eq!(upstream_path(base, rest), want, "{base} + {rest}");
        }
    }
}
