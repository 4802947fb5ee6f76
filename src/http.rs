//! The one HTTP client. Everything ai-setup reads from the network goes through [`Http::get`],
//! which enforces the rules of PROTOCOL.md §1: HTTPS only (plain HTTP for loopback alone, checked
//! before any request), no redirect to another origin, a size limit on every body, and connect
//! and total timeouts.
//!
//! The timeout can be lowered with `AI_SETUP_HTTP_TIMEOUT` (seconds), which tests use.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use url::Url;

use crate::error::{Error, Result};

/// The largest body ai-setup accepts from the network.
pub const MAX_BODY: usize = 1024 * 1024;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_REDIRECTS: usize = 5;

pub const USER_AGENT: &str = concat!("ai-setup/", env!("CARGO_PKG_VERSION"));

/// Parses what the user typed as an org URL: adds `https://` when no scheme was given, drops a
/// trailing slash, and applies [`check_url`]. The result is the org's identity everywhere
/// (state, credential store, OpenCode's auth.json key).
pub fn parse_org_url(input: &str) -> Result<Url> {
    let trimmed = input.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| {
        Error::usage(format!("'{input}' is not a valid URL: {e}"))
            .hint("pass the org's address, for example https://ai.example.com")
    })?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::usage(format!(
            "'{input}' has a query or fragment; pass the org's base address"
        )));
    }
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    check_url(&url)?;
    Ok(url)
}

/// The org URL as a string without the trailing slash the `url` crate adds to bare hosts.
pub fn org_key(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

/// Refuses anything but HTTPS, except plain HTTP to a loopback address.
pub fn check_url(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Error::network(format!(
            "refusing plain HTTP to {}: tokens and configuration must travel over HTTPS",
            url.host_str().unwrap_or("?")
        ))
        .hint(format!(
            "use https://{}",
            url.as_str().trim_start_matches("http://")
        ))),
        other => Err(Error::usage(format!(
            "unsupported URL scheme '{other}' in {url}; use https://"
        ))),
    }
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A response that was read in full within the limits.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Requests under the rules above. The underlying clients are built on first use, one per
/// transport: plain HTTP only ever goes to loopback, so its client trusts no certificate
/// authority at all, and a sync against a loopback org never reads the system's CA files
/// (loading them was most of a no-op sync's time).
pub struct Http {
    plain: OnceLock<reqwest::Client>,
    tls: OnceLock<reqwest::Client>,
    timeout: Duration,
    max_body: usize,
}

impl Http {
    pub fn new() -> Self {
        let timeout = std::env::var("AI_SETUP_HTTP_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| *s > 0.0)
            .map(Duration::from_secs_f64)
            .unwrap_or(DEFAULT_TIMEOUT);
        Http {
            plain: OnceLock::new(),
            tls: OnceLock::new(),
            timeout,
            max_body: MAX_BODY,
        }
    }

    /// The client for `url`'s transport, built the first time it is needed.
    fn client(&self, url: &Url) -> Result<&reqwest::Client> {
        let cell = if url.scheme() == "https" {
            &self.tls
        } else {
            &self.plain
        };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let client = builder(CONNECT_TIMEOUT.min(self.timeout), url)?
            .timeout(self.timeout)
            .build()
            .map_err(build_error)?;
        Ok(cell.get_or_init(|| client))
    }

    /// The same client reading bodies of up to `bytes` (a models catalog can pass 1 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// A client for long-lived exchanges with `url`'s origin (MCP tool calls, event streams):
    /// the same rules and connect timeout, but no limit on the total time. Callers limit what
    /// they read.
    pub fn streaming(url: &Url) -> Result<reqwest::Client> {
        builder(CONNECT_TIMEOUT, url)?.build().map_err(build_error)
    }
}

fn build_error(e: reqwest::Error) -> Error {
    Error::network(format!("cannot set up HTTPS: {}", error_chain(&e)))
        .hint("install the system CA certificates (ca-certificates) or set SSL_CERT_FILE")
}

/// `--ca-file`, set once at start.
static GIVEN_ROOTS: OnceLock<Vec<std::path::PathBuf>> = OnceLock::new();
/// Every CA file to trust, worked out when first needed: a `token` that builds no HTTP client
/// reads no state for it.
static EXTRA_ROOTS: OnceLock<Vec<std::path::PathBuf>> = OnceLock::new();

/// The CA files remembered at login, looked up only when an HTTPS client is first built (the
/// state is not this module's to read).
static REMEMBERED_ROOTS: OnceLock<fn() -> Vec<std::path::PathBuf>> = OnceLock::new();

/// Trusts the certificate authorities in `files` (PEM, `--ca-file`) for every connection of
/// this process, besides `AI_SETUP_CA_FILE` and what `remembered` returns.
pub fn trust(files: Vec<std::path::PathBuf>, remembered: fn() -> Vec<std::path::PathBuf>) {
    let _ = GIVEN_ROOTS.set(files);
    let _ = REMEMBERED_ROOTS.set(remembered);
}

/// `--ca-file`, then `AI_SETUP_CA_FILE` (paths separated as PATH is), then the files a
/// `login --ca-file` remembered.
fn gather_roots() -> Vec<std::path::PathBuf> {
    let mut files = GIVEN_ROOTS.get().cloned().unwrap_or_default();
    if let Some(env) = std::env::var_os("AI_SETUP_CA_FILE") {
        files.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
    }
    if let Some(remembered) = REMEMBERED_ROOTS.get() {
        files.extend(remembered());
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    files
}

/// `AI_SETUP_CA_FILE` for the programs ai-setup starts (the org's login command, the MCP
/// helpers the dashboard probes), so they trust what this process trusts.
pub fn trust_env() -> Option<(&'static str, std::ffi::OsString)> {
    let files = trusted_files();
    (!files.is_empty())
        .then(|| std::env::join_paths(files).ok())
        .flatten()
        .map(|joined| ("AI_SETUP_CA_FILE", joined))
}

/// The CA files this process trusts besides the system's.
pub fn trusted_files() -> &'static [std::path::PathBuf] {
    EXTRA_ROOTS.get_or_init(gather_roots)
}

fn extra_roots() -> Result<Vec<reqwest::Certificate>> {
    let mut roots = Vec::new();
    for path in trusted_files() {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::io("read the CA file", path, e).hint("fix or drop --ca-file / AI_SETUP_CA_FILE")
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&bytes)
            .ok()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                Error::usage(format!("{} holds no PEM certificate", path.display()))
                    .hint("a CA file is PEM: -----BEGIN CERTIFICATE----- blocks")
            })?;
        roots.extend(certs);
    }
    Ok(roots)
}

impl Default for Http {
    fn default() -> Self {
        Self::new()
    }
}

/// User agent, connect timeout and the same-origin redirect rule, for every client; the
/// system's and the given certificate authorities only for HTTPS.
fn builder(connect_timeout: Duration, url: &Url) -> Result<reqwest::ClientBuilder> {
    // reqwest takes the process's rustls provider (see Cargo.toml for why ring); a second
    // install finds it there and changes nothing.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = reqwest::Client::builder();
    let builder = if url.scheme() == "https" {
        builder.tls_certs_merge(extra_roots()?)
    } else {
        builder.tls_certs_only([])
    };
    Ok(builder
        .user_agent(USER_AGENT)
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            let first = &attempt.previous()[0];
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if attempt.url().origin() != first.origin() {
                let msg = format!(
                    "redirect to another origin refused ({} -> {})",
                    first.origin().ascii_serialization(),
                    attempt.url().origin().ascii_serialization()
                );
                attempt.error(msg)
            } else {
                attempt.follow()
            }
        })))
}

impl Http {
    /// GET `url` with optional bearer token and extra headers; reads at most [`MAX_BODY`] bytes.
    pub async fn get(
        &self,
        url: &Url,
        bearer: Option<&str>,
        extra: &[(&str, String)],
    ) -> Result<Response> {
        check_url(url)?;
        tracing::debug!(url = %without_query(url), bearer = bearer.is_some(), "HTTP GET");
        let mut request = self.client(url)?.get(url.clone());
        if let Some(token) = bearer {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| Error::auth("the stored token contains invalid characters"))?;
            value.set_sensitive(true);
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        for (name, value) in extra {
            request = request.header(*name, value);
        }
        let response = request.send().await.map_err(|e| self.describe(url, &e))?;
        self.read(url, response).await
    }

    /// POST an `application/x-www-form-urlencoded` body (OAuth endpoints); same limits as `get`.
    pub async fn post_form(&self, url: &Url, fields: &[(&str, &str)]) -> Result<Response> {
        self.post_form_as(url, fields, None).await
    }

    /// [`Http::post_form`] authenticated as an OAuth client with HTTP Basic (RFC 6749 §2.3.1:
    /// the method every provider must accept), the id and secret form-encoded first.
    pub async fn post_form_as(
        &self,
        url: &Url,
        fields: &[(&str, &str)],
        client: Option<(&str, &str)>,
    ) -> Result<Response> {
        check_url(url)?;
        tracing::debug!(url = %without_query(url), fields = ?fields.iter().map(|(k, _)| *k).collect::<Vec<_>>(), "HTTP POST form");
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request = self.client(url)?.post(url.clone());
        if let Some((id, secret)) = client {
            let encode =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            use base64::Engine;
            let pair = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                encode(id),
                encode(secret)
            ));
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Basic {pair}"))
                .map_err(|_| {
                    Error::usage("the client id or secret has characters HTTP cannot carry")
                })?;
            value.set_sensitive(true);
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        let response = request
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| self.describe(url, &e))?;
        self.read(url, response).await
    }

    async fn read(&self, url: &Url, mut response: reqwest::Response) -> Result<Response> {
        tracing::debug!(
            url = %without_query(url),
            status = response.status().as_u16(),
            version = ?response.version(),
            "HTTP response"
        );
        if let Some(len) = response.content_length()
            && len > self.max_body as u64
        {
            return Err(too_large(url, self.max_body));
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.describe(url, &e))? {
            if body.len() + chunk.len() > self.max_body {
                return Err(too_large(url, self.max_body));
            }
            body.extend_from_slice(&chunk);
        }
        // Bodies at trace level only, cut short; the log writer redacts tokens in them.
        tracing::trace!(
            url = %without_query(url),
            bytes = body.len(),
            body = %String::from_utf8_lossy(&body[..body.len().min(2048)]),
            "HTTP body"
        );
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    fn describe(&self, url: &Url, err: &reqwest::Error) -> Error {
        let target = url.origin().ascii_serialization();
        if err.is_timeout() {
            Error::network(format!(
                "{target} did not answer within {:.0?}",
                self.timeout
            ))
            .hint("check your network or VPN, then try again")
            .transient()
        } else if err.is_redirect() {
            Error::network(format!("{url}: {}", error_chain(err)))
                .hint("the org endpoint must serve its documents from its own origin")
        } else if err.is_connect() && is_certificate_problem(err) {
            Error::network(format!(
                "cannot connect to {target}: its certificate is not trusted here ({})",
                root_cause(err)
            ))
            .hint(
                "if your network or org uses its own certificate authority, pass its PEM file with \
                 --ca-file PATH (remembered at login), or set AI_SETUP_CA_FILE or SSL_CERT_FILE",
            )
        } else if err.is_connect() {
            Error::network(format!("cannot connect to {target}: {}", root_cause(err)))
                .hint("check the URL, your network or VPN, and HTTPS_PROXY if you need a proxy")
                .transient()
        } else {
            Error::network(format!("request to {target} failed: {}", error_chain(err)))
        }
    }
}

/// A URL for a log line: queries can carry codes and states.
fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}

/// A TLS handshake that failed over the server's certificate (unknown issuer, wrong name,
/// expired), as opposed to the network.
fn is_certificate_problem(err: &reqwest::Error) -> bool {
    let chain = error_chain(err).to_lowercase();
    chain.contains("certificate")
        || chain.contains("unknownissuer")
        || chain.contains("invalid peer")
}

fn too_large(url: &Url, limit: usize) -> Error {
    Error::network(format!(
        "{url} sent more than {} KiB; refusing to read it",
        limit / 1024
    ))
}

/// The error and its sources on one line ("a: b: c"), without repeating identical parts.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn root_cause(err: &dyn std::error::Error) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_urls_are_normalised() {
        let url = parse_org_url("ai.example.com/").unwrap();
        assert_eq!(org_key(&url), "https://ai.example.com");
        let url = parse_org_url("https://ai.example.com/org/").unwrap();
        assert_eq!(org_key(&url), "https://ai.example.com/org");
        let url = parse_org_url("http://127.0.0.1:8787").unwrap();
        assert_eq!(org_key(&url), "http://127.0.0.1:8787");
        assert!(parse_org_url("http://[::1]:9/").is_ok());
        assert!(parse_org_url("http://localhost:9").is_ok());
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let err = parse_org_url("http://ai.example.com").unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Network);
        assert!(err.message.contains("refusing plain HTTP"));
        assert!(parse_org_url("http://127.0.0.2.example.com").is_err());
        assert!(parse_org_url("ftp://ai.example.com").is_err());
    }
}
