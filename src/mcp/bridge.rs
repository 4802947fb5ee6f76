//! `ai-setup mcp bridge NAME`: newline-delimited JSON-RPC on stdin/stdout, forwarded to the
//! org's remote MCP server.
//!
//! Streamable HTTP (MCP 2025-03-26 and later): each message is POSTed; the answer comes back
//! as JSON or as an event stream, and the `Mcp-Session-Id` and `MCP-Protocol-Version` headers
//! are carried along. When the server refuses the first POST with 404 or 405 it is a legacy
//! HTTP+SSE server (2024-11-05): the bridge opens its event stream, learns the endpoint to POST
//! to, and relays the stream's messages.
//!
//! The token is read when the bridge starts, and read again and the request retried once when
//! the server answers 401 (after `ai-setup login` or a refresh elsewhere). The org's token is
//! sent only where the org's config puts it (`{env:AUTH_ENV}` in `headers`), or, when the
//! config names no `Authorization` header, to servers on the org's own origin. Stdout carries
//! the protocol alone; diagnostics go to stderr and never hold the token.

use std::sync::{Arc, Mutex};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use url::Url;

use super::sse::{self, Parser};
use super::{Server, fill_env, resolve};
use crate::auth::current_token;
use crate::error::{Error, Finished, Result};
use crate::http::Http;
use crate::paths::Paths;
use crate::secrets::Secret;

struct Bridge {
    client: reqwest::Client,
    url: Url,
    headers: serde_json::Map<String, Value>,
    org: String,
    auth_env: Option<String>,
    /// The variables the user lets placeholders read.
    grants: Vec<String>,
    paths: Paths,
    token: Mutex<Secret>,
    session: Mutex<Option<String>>,
    protocol: Mutex<Option<String>>,
    /// The legacy transport's POST endpoint, once the server named it.
    legacy: tokio::sync::Mutex<Option<Url>>,
    out: mpsc::UnboundedSender<String>,
}

fn log(message: &str) {
    eprintln!("ai-setup mcp bridge: {message}");
}

pub async fn run(name: &str, org: Option<&str>, paths: &Paths) -> Result<Finished> {
    let resolved = resolve(name, org, paths)?;
    let Server::Remote { url, headers } = resolved.server else {
        return Err(Error::usage(format!(
            "MCP server '{name}' is a local server, not a remote one"
        ))
        .hint(format!("run it with `ai-setup exec {name}`")));
    };
    let token = current_token(&resolved.org, paths)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let bridge = Arc::new(Bridge {
        client: Http::streaming(&url)?,
        url,
        headers,
        org: resolved.org,
        auth_env: resolved.auth_env,
        grants: resolved.grants.env,
        paths: paths.clone(),
        token: Mutex::new(token),
        session: Mutex::new(None),
        protocol: Mutex::new(None),
        legacy: tokio::sync::Mutex::new(None),
        out: tx,
    });

    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(line) = rx.recv().await {
            if stdout.write_all(line.as_bytes()).await.is_err()
                || stdout.write_all(b"\n").await.is_err()
                || stdout.flush().await.is_err()
            {
                break;
            }
        }
    });

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut tasks = tokio::task::JoinSet::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        let message: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                log(&format!("ignoring a line that is not JSON: {e}"));
                continue;
            }
        };
        // The first message (initialize) must settle the transport and session before others.
        if message.get("method").and_then(Value::as_str) == Some("initialize") {
            bridge.clone().forward(message).await;
        } else {
            tasks.spawn(bridge.clone().forward(message));
        }
    }
    while tasks.join_next().await.is_some() {}
    bridge.end_session().await;
    drop(bridge);
    let _ = writer.await;
    Ok(Finished::Done)
}

impl Bridge {
    fn emit(&self, message: &Value) {
        let _ = self.out.send(message.to_string());
    }

    /// Answers a request with a JSON-RPC error, so that the client is not left waiting.
    fn fail(&self, message: &Value, text: String) {
        log(&text);
        if let Some(id) = message
            .get("id")
            .filter(|_| message.get("method").is_some())
        {
            self.emit(
                &json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32000, "message": text}}),
            );
        }
    }

    fn headers(&self) -> HeaderMap {
        let token = self.token.lock().expect("not poisoned").clone();
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            let Some(text) = value.as_str() else { continue };
            let filled = fill_env(text, self.auth_env.as_deref(), &self.grants, token.expose());
            if let (Ok(name), Ok(mut value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&filled),
            ) {
                value.set_sensitive(true);
                map.insert(name, value);
            }
        }
        let same_origin = Url::parse(&self.org).is_ok_and(|org| org.origin() == self.url.origin());
        if !map.contains_key(reqwest::header::AUTHORIZATION)
            && same_origin
            && let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        {
            value.set_sensitive(true);
            map.insert(reqwest::header::AUTHORIZATION, value);
        }
        if let Some(session) = self.session.lock().expect("not poisoned").as_deref()
            && let Ok(v) = HeaderValue::from_str(session)
        {
            map.insert("mcp-session-id", v);
        }
        if let Some(protocol) = self.protocol.lock().expect("not poisoned").as_deref()
            && let Ok(v) = HeaderValue::from_str(protocol)
        {
            map.insert("mcp-protocol-version", v);
        }
        map
    }

    /// Reads the token again (another process may have logged in or refreshed).
    fn reload_token(&self) -> bool {
        match current_token(&self.org, &self.paths) {
            Ok(token) => {
                *self.token.lock().expect("not poisoned") = token;
                true
            }
            Err(e) => {
                log(&e.message);
                false
            }
        }
    }

    async fn post(&self, url: &Url, body: &str) -> reqwest::Result<reqwest::Response> {
        self.client
            .post(url.clone())
            .headers(self.headers())
            .header(CONTENT_TYPE, "application/json")
            .header(
                reqwest::header::ACCEPT,
                "application/json, text/event-stream",
            )
            .body(body.to_string())
            .send()
            .await
    }

    async fn forward(self: Arc<Self>, message: Value) {
        let body = message.to_string();
        if let Some(endpoint) = self.legacy.lock().await.clone() {
            return self.post_legacy(&endpoint, &message, &body).await;
        }
        let mut retried = false;
        loop {
            let response = match self.post(&self.url, &body).await {
                Ok(r) => r,
                Err(e) => {
                    return self.fail(
                        &message,
                        format!(
                            "cannot reach {}: {}",
                            self.url,
                            crate::http::error_chain(&e)
                        ),
                    );
                }
            };
            let status = response.status().as_u16();
            let initialize = message.get("method").and_then(Value::as_str) == Some("initialize");
            match status {
                401 if !retried && self.reload_token() => {
                    retried = true;
                    continue;
                }
                401 | 403 => {
                    return self.fail(
                        &message,
                        format!(
                            "{} refused the token (HTTP {status}); run `ai-setup login {}`",
                            self.url, self.org
                        ),
                    );
                }
                404 | 405 if initialize && self.session.lock().expect("not poisoned").is_none() => {
                    return match self.open_legacy().await {
                        Ok(endpoint) => self.post_legacy(&endpoint, &message, &body).await,
                        Err(e) => self.fail(&message, e.message),
                    };
                }
                202 => return,
                200..=299 => {}
                _ => {
                    return self.fail(&message, format!("{} answered HTTP {status}", self.url));
                }
            }
            if let Some(session) = response
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
            {
                *self.session.lock().expect("not poisoned") = Some(session.to_string());
            }
            let is_stream = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
            let result = if is_stream {
                self.relay_stream(response).await
            } else {
                self.relay_json(response).await
            };
            if let Err(e) = result {
                self.fail(&message, e.message);
            }
            return;
        }
    }

    fn note_protocol(&self, answer: &Value) {
        if let Some(version) = answer
            .pointer("/result/protocolVersion")
            .and_then(Value::as_str)
        {
            *self.protocol.lock().expect("not poisoned") = Some(version.to_string());
        }
    }

    async fn relay_json(&self, response: reqwest::Response) -> Result<()> {
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::network(crate::http::error_chain(&e)))?
        {
            if body.len() + chunk.len() > sse::MAX_EVENT {
                return Err(Error::network("an MCP answer exceeded 16 MiB"));
            }
            body.extend_from_slice(&chunk);
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|e| Error::network(format!("the MCP server sent invalid JSON: {e}")))?;
        for message in answer.as_array().cloned().unwrap_or_else(|| vec![answer]) {
            self.note_protocol(&message);
            self.emit(&message);
        }
        Ok(())
    }

    async fn relay_stream(&self, response: reqwest::Response) -> Result<()> {
        let mut parser = Parser::default();
        let mut response = response;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::network(crate::http::error_chain(&e)))?
        {
            for event in parser.feed(&chunk)? {
                if event.kind == "message"
                    && let Ok(message) = serde_json::from_str::<Value>(&event.data)
                {
                    self.note_protocol(&message);
                    self.emit(&message);
                }
            }
        }
        Ok(())
    }

    /// Opens the legacy transport's event stream and waits for the endpoint it names.
    async fn open_legacy(self: &Arc<Self>) -> Result<Url> {
        let mut guard = self.legacy.lock().await;
        if let Some(endpoint) = guard.clone() {
            return Ok(endpoint);
        }
        let response = self
            .client
            .get(self.url.clone())
            .headers(self.headers())
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .map_err(|e| {
                Error::network(format!(
                    "cannot reach {}: {}",
                    self.url,
                    crate::http::error_chain(&e)
                ))
            })?;
        if !response.status().is_success() {
            return Err(Error::network(format!(
                "{} is neither a Streamable HTTP nor an SSE MCP server (HTTP {})",
                self.url,
                response.status().as_u16()
            )));
        }
        let (endpoint_tx, endpoint_rx) = oneshot::channel::<Url>();
        let bridge = self.clone();
        tokio::spawn(async move {
            let mut endpoint_tx = Some(endpoint_tx);
            let mut parser = Parser::default();
            let mut response = response;
            while let Ok(Some(chunk)) = response.chunk().await {
                let Ok(events) = parser.feed(&chunk) else {
                    break;
                };
                for event in events {
                    match event.kind.as_str() {
                        "endpoint" => {
                            let target = bridge
                                .url
                                .join(event.data.trim())
                                .ok()
                                .filter(|u| u.origin() == bridge.url.origin());
                            match (target, endpoint_tx.take()) {
                                (Some(url), Some(tx)) => {
                                    let _ = tx.send(url);
                                }
                                _ => log("ignoring an endpoint on another origin"),
                            }
                        }
                        "message" => {
                            if let Ok(message) = serde_json::from_str::<Value>(&event.data) {
                                bridge.emit(&message);
                            }
                        }
                        _ => {}
                    }
                }
            }
        });
        let endpoint = tokio::time::timeout(std::time::Duration::from_secs(10), endpoint_rx)
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| Error::network(format!("{} sent no endpoint event", self.url)))?;
        *guard = Some(endpoint.clone());
        Ok(endpoint)
    }

    /// Posts to the legacy endpoint; the answer comes over the event stream.
    async fn post_legacy(&self, endpoint: &Url, message: &Value, body: &str) {
        match self.post(endpoint, body).await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => self.fail(
                message,
                format!("{endpoint} answered HTTP {}", r.status().as_u16()),
            ),
            Err(e) => self.fail(
                message,
                format!("cannot reach {endpoint}: {}", crate::http::error_chain(&e)),
            ),
        }
    }

    /// Tells a Streamable HTTP server the session is over (best effort).
    async fn end_session(&self) {
        if self.session.lock().expect("not poisoned").is_some() {
            let _ = self
                .client
                .delete(self.url.clone())
                .headers(self.headers())
                .send()
                .await;
        }
    }
}
