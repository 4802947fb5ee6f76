//! The reference org endpoint, `ai-setup serve` (PROTOCOL.md §6): what a platform team can
//! read, run and test its own discovery document against, and what the demo and the tests log
//! in to. It is a reference and a fixture, not a production gateway.
//!
//! It serves an org folder (or the built-in demo org):
//! - `GET /.well-known/opencode`: `discovery.json`, re-read on every request so edits show at
//!   once, with `{baseURL}` and `{issuer}` replaced by the address the request came to and
//!   `{ai_setup}` by this program's path (the demo org's login command runs it). `ETag` and
//!   `If-None-Match` are honoured.
//! - `GET /dev/token?user=ID`: a signed development token (an ES256 JWT; the key is made at
//!   start and published at `/oauth/jwks`) for a
//!   user of `users.json`, or its first user. The demo org's `auth.command` prints one.
//! - `GET /v1/usage/me` and `GET /v1/models`: the user's usage and the org's models (see
//!   [`api`]).
//! - `POST /{provider}/…/messages`, `…/responses`, `…/chat/completions`: a stand-in model
//!   in the API each client speaks, for the token, recording what clients send ([`model`]).
//! - `POST /mcp/{name}`: an MCP server (Streamable HTTP, JSON responses) that requires one of
//!   those tokens, unexpired, as `Authorization: Bearer`. Its tools: `whoami` (the token's
//!   subject) and `echo`. It is what `ai-setup mcp bridge` and the tests talk to.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

pub(crate) mod api;
pub mod model;
mod oidc;

use crate::discovery::{Document, WELL_KNOWN};
use crate::error::{Error, Result};

/// The demo org shipped in the binary (`assets/demo/`).
const DEMO_DISCOVERY: &str = include_str!("../../assets/demo/discovery.json");
const DEMO_USERS: &str = include_str!("../../assets/demo/users.json");
const DEMO_CODEX: &str = include_str!("../../assets/demo/docs/engineering.md");

/// Where the org's files come from.
#[derive(Debug, Clone)]
pub enum OrgSource {
    Demo,
    /// The demo org signing in through the development OpenID provider instead of its login
    /// command, with device codes approved for its first user at once (`ai-setup demo`).
    DemoOidc,
    Dir(PathBuf),
}

impl OrgSource {
    fn read(&self, name: &str) -> Result<Option<String>> {
        match self {
            OrgSource::Demo => Ok(match name {
                "discovery.json" => Some(DEMO_DISCOVERY.to_string()),
                "users.json" => Some(DEMO_USERS.to_string()),
                "docs/engineering.md" => Some(DEMO_CODEX.to_string()),
                _ => None,
            }),
            OrgSource::DemoOidc => Ok(match name {
                "discovery.json" => {
                    let mut doc: Value = serde_json::from_str(DEMO_DISCOVERY).expect("valid");
                    doc["auth"] = json!({
                        "env": doc["auth"]["env"],
                        "oidc": {"issuer": "{issuer}", "client_id": "ai-setup"}
                    });
                    Some(doc.to_string())
                }
                "users.json" => Some(DEMO_USERS.to_string()),
                "docs/engineering.md" => Some(DEMO_CODEX.to_string()),
                _ => None,
            }),
            OrgSource::Dir(dir) => {
                let path = dir.join(name);
                match std::fs::read_to_string(&path) {
                    Ok(text) => Ok(Some(text)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(Error::io("read", &path, e)),
                }
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            OrgSource::Demo | OrgSource::DemoOidc => "the built-in demo org".into(),
            OrgSource::Dir(dir) => dir.display().to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
    /// What the usage endpoint reports as the user's budget.
    #[serde(default)]
    budget: Option<UserBudget>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UserBudget {
    limit: f64,
    #[serde(default = "month")]
    period: String,
}

fn month() -> String {
    "month".into()
}

#[derive(Debug, Clone, Deserialize)]
struct Users {
    users: Vec<User>,
}

pub struct Options {
    pub org: OrgSource,
    /// The base URL to announce instead of the one the request came to (behind a proxy).
    pub public_url: Option<String>,
    /// Lifetime of development tokens, in seconds.
    pub token_ttl: i64,
    /// Seconds to add to the time in the `Date` header (0: the real time).
    pub clock_offset: i64,
    /// Where to append each model request, one JSON line each (see [`model`]).
    pub record: Option<PathBuf>,
}

pub(crate) struct Server {
    options: Options,
    signing_key: SigningKey,
    program: String,
    provider: std::sync::Mutex<oidc::Provider>,
    /// The demo org's generated usage, and the day it ends.
    demo_usage: std::sync::Mutex<Option<(time::Date, Arc<Vec<crate::api::usage::Record>>)>>,
    /// The discovery document last served: the file's text and the base URL it was filled
    /// for, with the body and its ETag. The file is read on every request (edits show at
    /// once), but filled, serialised and hashed again only when it changed.
    served: std::sync::Mutex<Option<Served>>,
}

struct Served {
    text: String,
    base: String,
    body: Arc<String>,
    etag: String,
}

/// Checks the org folder, binds `addr` and returns the listener with its actual address. The
/// listener is a std one so that the server can run on a runtime of its own (the demo does).
pub fn bind(addr: &str, org: &OrgSource) -> Result<(std::net::TcpListener, SocketAddr)> {
    let text = org.read("discovery.json")?.ok_or_else(|| {
        Error::usage(format!("{} has no discovery.json", org.describe()))
            .hint("see PROTOCOL.md §6 for the org folder's layout")
    })?;
    Document::parse(text.as_bytes(), "discovery.json")
        .map_err(|e| Error::usage(e.message).hint("fix discovery.json and start again"))?;
    load_users(org)?;
    let listener = std::net::TcpListener::bind(addr)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| Error::failure(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::failure(format!("cannot read the listening address: {e}")))?;
    Ok((listener, local))
}

/// Serves until the listener fails or the task is dropped.
pub async fn serve(listener: std::net::TcpListener, options: Options) -> Result<()> {
    let listener = TcpListener::from_std(listener)
        .map_err(|e| Error::failure(format!("cannot serve: {e}")))?;
    let signing_key = new_signing_key()?;
    let state = Arc::new(Server {
        options,
        signing_key,
        program: std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "ai-setup".into()),
        provider: Default::default(),
        demo_usage: Default::default(),
        served: Default::default(),
    });
    let app = Router::new()
        .route(WELL_KNOWN, get(discovery))
        .route("/dev/token", get(dev_token))
        .route(
            "/.well-known/openid-configuration",
            get(oidc::configuration),
        )
        .route("/oauth/authorize", get(oidc::authorize))
        .route("/oauth/jwks", get(jwks))
        .route("/oauth/device", axum::routing::post(oidc::device))
        .route(
            "/oauth/device/verify",
            get(oidc::verify_page).post(oidc::verify),
        )
        .route("/oauth/token", axum::routing::post(oidc::token))
        .route("/oauth/revoke-all", axum::routing::post(oidc::revoke_all))
        .route("/oauth/stats", get(oidc::stats))
        .route("/docs/{name}", get(doc))
        .route("/v1/usage/me", get(api::usage))
        .route("/v1/models", get(api::models))
        .route(
            "/mcp/{name}",
            axum::routing::post(mcp).get(mcp_no_stream).delete(mcp_end),
        )
        .route("/{provider}/{*rest}", axum::routing::post(model::handle))
        .with_state(state.clone());
    let offset = state.options.clock_offset;
    let app = if offset == 0 {
        app
    } else {
        app.layer(axum::middleware::map_response(
            move |mut response: Response| async move {
                let when = time::OffsetDateTime::now_utc() + time::Duration::seconds(offset);
                if let Ok(date) = when.format(&time::format_description::well_known::Rfc2822)
                    && let Ok(value) = date.parse()
                {
                    response.headers_mut().insert(header::DATE, value);
                }
                response
            },
        ))
    };
    axum::serve(listener, app)
        .await
        .map_err(|e| Error::failure(format!("the server stopped: {e}")))
}

/// `GET /docs/NAME`: the org folder's `docs/NAME`, as Markdown (the org's instructions, which
/// its discovery document lists by URL). Only plain file names are served.
async fn doc(
    axum::extract::State(server): axum::extract::State<Arc<Server>>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    if !crate::clients::artifacts::plain_name(&name) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match server.options.org.read(&format!("docs/{name}")) {
        Ok(Some(text)) => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            text,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.message).into_response(),
    }
}

/// A random URL-safe string for codes and opaque tokens.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 24];
    let _ = getrandom::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn load_users(org: &OrgSource) -> Result<Vec<User>> {
    let Some(text) = org.read("users.json")? else {
        return Ok(vec![User {
            sub: "dev@example.com".into(),
            email: Some("dev@example.com".into()),
            name: Some("Demo Developer".into()),
            budget: None,
        }]);
    };
    let users: Users = serde_json::from_str(&text)
        .map_err(|e| Error::usage(format!("users.json is not valid: {e}")))?;
    if users.users.is_empty() {
        return Err(Error::usage("users.json lists no users"));
    }
    Ok(users.users)
}

impl Server {
    fn base_url(&self, headers: &HeaderMap) -> String {
        if let Some(url) = &self.options.public_url {
            return url.trim_end_matches('/').to_string();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        format!("http://{host}")
    }

    /// The claims of a token this server signed, if the signature holds and it has not expired.
    fn verify(&self, token: &str) -> Option<Value> {
        let (input, signature) = token.rsplit_once('.')?;
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?).ok()?;
        VerifyingKey::from(&self.signing_key)
            .verify(input.as_bytes(), &signature)
            .ok()?;
        let payload = URL_SAFE_NO_PAD.decode(input.split('.').nth(1)?).ok()?;
        let claims: Value = serde_json::from_slice(&payload).ok()?;
        let exp = claims.get("exp")?.as_i64()?;
        (exp > crate::now_unix()).then_some(claims)
    }

    /// A signed development access token for `user`, issued by `issuer`.
    fn issue(&self, user: &User, issuer: &str) -> String {
        let now = crate::now_unix();
        // A unique id per token, as real providers issue: two logins never share a token.
        let mut nonce = [0u8; 12];
        let _ = getrandom::fill(&mut nonce);
        self.sign(&json!({
            "jti": URL_SAFE_NO_PAD.encode(nonce),
            "iss": issuer,
            "aud": issuer,
            "sub": user.sub,
            "email": user.email,
            "name": user.name,
            "iat": now,
            "exp": now + self.options.token_ttl,
        }))
    }

    fn sign(&self, claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD
            .encode(json!({"alg": "ES256", "typ": "JWT", "kid": KEY_ID}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{header}.{payload}");
        let signature: Signature = self.signing_key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// The public half of the signing key, as a JSON Web Key Set.
    fn jwks(&self) -> Value {
        let point = VerifyingKey::from(&self.signing_key).to_encoded_point(false);
        let coordinate = |c: Option<&p256::FieldBytes>| c.map(|b| URL_SAFE_NO_PAD.encode(b));
        json!({"keys": [{
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": KEY_ID,
            "x": coordinate(point.x()), "y": coordinate(point.y()),
        }]})
    }
}

const KEY_ID: &str = "ai-setup-dev";

/// A fresh ES256 key for this run: development tokens do not outlive the server.
fn new_signing_key() -> Result<SigningKey> {
    for _ in 0..8 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::failure(format!("no randomness for the signing key: {e}")))?;
        // Almost every 32-byte string is a valid scalar; retry the rare one that is not.
        if let Ok(key) = SigningKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
    Err(Error::failure("could not make a signing key"))
}

async fn jwks(State(server): State<Arc<Server>>) -> Response {
    axum::Json(server.jwks()).into_response()
}

pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": {"message": message}}).to_string(),
    )
        .into_response()
}

/// Replaces placeholders in every string of the document.
fn fill(value: &mut Value, replacements: &[(&str, &str)]) {
    match value {
        Value::String(s) => {
            for (from, to) in replacements {
                if s.contains(from) {
                    *s = s.replace(from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, replacements)),
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, replacements)),
        _ => {}
    }
}

async fn discovery(State(server): State<Arc<Server>>, headers: HeaderMap) -> Response {
    let text = match server.options.org.read("discovery.json") {
        Ok(Some(text)) => text,
        Ok(None) => return error_response(StatusCode::NOT_FOUND, "no discovery.json"),
        Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.message),
    };
    let base = server.base_url(&headers);
    let (body, etag) = match served(&server, text, base) {
        Ok(found) => found,
        Err(message) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &message),
    };
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::ETAG, etag),
        ],
        body.to_string(),
    )
        .into_response()
}

/// The body and ETag for the document `text` at `base`, from the last request when the same.
fn served(server: &Server, text: String, base: String) -> Result<(Arc<String>, String), String> {
    let mut last = server.served.lock().expect("not poisoned");
    if let Some(last) = last.as_ref().filter(|l| l.text == text && l.base == base) {
        return Ok((last.body.clone(), last.etag.clone()));
    }
    let mut doc: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Err(format!("discovery.json is not valid JSON: {e}")),
    };
    fill(
        &mut doc,
        &[
            ("{baseURL}", &base),
            ("{issuer}", &base),
            ("{ai_setup}", &server.program),
        ],
    );
    let body = serde_json::to_string_pretty(&doc).expect("JSON serialises");
    let digest = Sha256::digest(body.as_bytes());
    let etag = format!(
        "\"{}\"",
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let body = Arc::new(body);
    *last = Some(Served {
        text,
        base,
        body: body.clone(),
        etag: etag.clone(),
    });
    Ok((body, etag))
}

#[derive(Deserialize)]
struct TokenQuery {
    user: Option<String>,
}

async fn dev_token(
    State(server): State<Arc<Server>>,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Response {
    let users = match load_users(&server.options.org) {
        Ok(users) => users,
        Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.message),
    };
    let user = match &query.user {
        None => &users[0],
        Some(id) => match users
            .iter()
            .find(|u| &u.sub == id || u.email.as_ref() == Some(id))
        {
            Some(user) => user,
            None => return error_response(StatusCode::FORBIDDEN, &format!("unknown user {id}")),
        },
    };
    let token = server.issue(user, &server.base_url(&headers));
    ([(header::CONTENT_TYPE, "text/plain")], format!("{token}\n")).into_response()
}

/// The bearer token's claims, or the 401 to answer with.
fn authorize(server: &Server, headers: &HeaderMap) -> Result<Value, Box<Response>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.and_then(|t| server.verify(t)) {
        Some(claims) => Ok(claims),
        None => {
            let mut response = error_response(
                StatusCode::UNAUTHORIZED,
                "a valid, unexpired bearer token is required",
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("valid"));
            Err(Box::new(response))
        }
    }
}

const MCP_PROTOCOL: &str = "2025-06-18";

fn mcp_tools() -> Value {
    json!([
        {
            "name": "whoami",
            "description": "Who the org endpoint thinks you are (the token's subject)",
            "inputSchema": {"type": "object", "properties": {}}
        },
        {
            "name": "echo",
            "description": "Echoes the text back",
            "inputSchema": {
                "type": "object",
                "properties": {"text": {"type": "string", "description": "What to echo"}},
                "required": ["text"]
            }
        }
    ])
}

/// Answers one JSON-RPC request; `None` for a notification.
fn mcp_answer(name: &str, claims: &Value, message: &Value) -> Option<Value> {
    let id = message.get("id")?.clone();
    let method = message.get("method").and_then(Value::as_str).unwrap_or("");
    let params = message.get("params").cloned().unwrap_or(Value::Null);
    let text = |t: String| json!({"content": [{"type": "text", "text": t}]});
    let result = match method {
        "initialize" => Ok(json!({
            "protocolVersion": params.get("protocolVersion").and_then(Value::as_str).unwrap_or(MCP_PROTOCOL),
            "capabilities": {"tools": {"listChanged": false}},
            "serverInfo": {"name": format!("ai-setup-reference-{name}"), "version": env!("CARGO_PKG_VERSION")}
        })),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({"tools": mcp_tools()})),
        "tools/call" => match params.get("name").and_then(Value::as_str) {
            Some("whoami") => Ok(text(format!(
                "{} (MCP server '{name}')",
                claims.get("sub").and_then(Value::as_str).unwrap_or("?")
            ))),
            Some("echo") => Ok(text(
                params
                    .pointer("/arguments/text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )),
            other => Err((-32602, format!("unknown tool {other:?}"))),
        },
        other => Err((-32601, format!("method not found: {other}"))),
    };
    Some(match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err((code, message)) => {
            json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        }
    })
}

async fn mcp(
    State(server): State<Arc<Server>>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let claims = match authorize(&server, &headers) {
        Ok(claims) => claims,
        Err(response) => return *response,
    };
    let message: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(e) => {
            let error = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": format!("parse error: {e}")}});
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json")],
                error.to_string(),
            )
                .into_response();
        }
    };
    let answer = match &message {
        Value::Array(batch) => {
            let answers: Vec<Value> = batch
                .iter()
                .filter_map(|m| mcp_answer(&name, &claims, m))
                .collect();
            (!answers.is_empty()).then_some(Value::Array(answers))
        }
        single => mcp_answer(&name, &claims, single),
    };
    let Some(answer) = answer else {
        return StatusCode::ACCEPTED.into_response();
    };
    let mut response = (
        [(header::CONTENT_TYPE, "application/json")],
        answer.to_string(),
    )
        .into_response();
    if message.get("method").and_then(Value::as_str) == Some("initialize") {
        let mut id = [0u8; 16];
        let _ = getrandom::fill(&mut id);
        let session: String = id.iter().map(|b| format!("{b:02x}")).collect();
        response.headers_mut().insert(
            "mcp-session-id",
            session.parse().expect("hex is a valid header"),
        );
    }
    response
}

/// This server sends nothing unprompted, so it offers no standalone event stream.
async fn mcp_no_stream() -> StatusCode {
    StatusCode::METHOD_NOT_ALLOWED
}

async fn mcp_end(State(server): State<Arc<Server>>, headers: HeaderMap) -> Response {
    match authorize(&server, &headers) {
        Ok(_) => StatusCode::OK.into_response(),
        Err(response) => *response,
    }
}
