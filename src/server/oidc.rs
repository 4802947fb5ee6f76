//! The development OpenID provider of the reference endpoint: enough of OpenID Connect for
//! ai-setup's native login to be exercised end to end on loopback.
//!
//! - `GET /.well-known/openid-configuration`
//! - `GET /oauth/authorize`: the browser flow (Authorization Code with PKCE S256, loopback
//!   redirect only); it approves the org's first user at once.
//! - `POST /oauth/device`: device authorization (RFC 8628); `GET /oauth/device/verify` shows the
//!   approval page, `POST /oauth/device/verify` (`user_code`, `decision=approve|deny`) decides.
//! - `POST /oauth/token`: the authorization-code, device-code, client-credentials (the users'
//!   ids with the secret `dev-secret-<id>`) and token-exchange (any JWT naming one of the users)
//!   grants, and the refresh-token grant with rotation: a refresh token works once, and reusing
//!   it is `invalid_grant`.
//! - `GET /oauth/stats`: how many refreshes it has served (tests count them).
//!
//! Access tokens are the same signed development JWTs as `/dev/token`, for the org's first
//! user (or the user named at approval).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::{OrgSource, Server, error_response, load_users, random_token};

/// A device authorization waiting for the user.
#[derive(Debug, Clone)]
pub struct Pending {
    user_code: String,
    expires_at: i64,
    /// `None` while waiting; the approving user's subject, or `Err` when denied.
    decision: Option<Result<String, ()>>,
    last_poll: i64,
}

/// An authorization code waiting to be exchanged (browser flow).
#[derive(Debug, Clone)]
pub struct Grant {
    user: String,
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    expires_at: i64,
}

#[derive(Debug, Default)]
pub struct Provider {
    /// device_code -> pending authorization.
    devices: HashMap<String, Pending>,
    /// authorization code -> grant.
    codes: HashMap<String, Grant>,
    /// refresh token -> user subject.
    refresh_tokens: HashMap<String, String>,
    pub refreshes: u64,
}

const DEVICE_LIFETIME: i64 = 600;
const POLL_INTERVAL: i64 = 1;

pub async fn configuration(State(server): State<Arc<Server>>, headers: HeaderMap) -> Response {
    let base = server.base_url(&headers);
    axum::Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "device_authorization_endpoint": format!("{base}/oauth/device"),
        "jwks_uri": format!("{base}/oauth/jwks"),
        "id_token_signing_alg_values_supported": ["ES256"],
        "grant_types_supported": ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["openid", "email", "profile", "offline_access"],
    }))
    .into_response()
}

#[derive(Deserialize)]
pub struct DeviceRequest {
    client_id: Option<String>,
}

pub async fn device(
    State(server): State<Arc<Server>>,
    headers: HeaderMap,
    Form(request): Form<DeviceRequest>,
) -> Response {
    if request.client_id.as_deref().unwrap_or("").is_empty() {
        return oauth_error("invalid_client", "client_id is required");
    }
    let device_code = random_token();
    let user_code = random_token()[..8].to_uppercase();
    let now = crate::now_unix();
    server
        .provider
        .lock()
        .expect("not poisoned")
        .devices
        .insert(
            device_code.clone(),
            Pending {
                user_code: user_code.clone(),
                expires_at: now + DEVICE_LIFETIME,
                // The demo stands in for the person who would approve on their phone.
                decision: match server.options.org {
                    OrgSource::DemoOidc => load_users(&server.options.org)
                        .ok()
                        .and_then(|u| u.first().map(|u| Ok(u.sub.clone()))),
                    _ => None,
                },
                last_poll: 0,
            },
        );
    let base = server.base_url(&headers);
    axum::Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": format!("{base}/oauth/device/verify"),
        "verification_uri_complete": format!("{base}/oauth/device/verify?user_code={user_code}"),
        "expires_in": DEVICE_LIFETIME,
        "interval": POLL_INTERVAL,
    }))
    .into_response()
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    user_code: Option<String>,
}

/// The approval page a person sees at the verification URL.
pub async fn verify_page(Query(query): Query<VerifyQuery>) -> Response {
    let code = query.user_code.unwrap_or_default();
    Html(format!(
        "<!doctype html><title>ai-setup development sign-in</title>\
         <h1>Sign in to the development org</h1>\
         <form method=post><label>Code <input name=user_code value=\"{}\"></label>\
         <label>User <input name=user placeholder=\"first user\"></label>\
         <button name=decision value=approve>Approve</button>\
         <button name=decision value=deny>Deny</button></form>",
        code.replace(['"', '<', '>', '&'], "")
    ))
    .into_response()
}

#[derive(Deserialize)]
pub struct Decision {
    user_code: String,
    decision: String,
    user: Option<String>,
}

pub async fn verify(State(server): State<Arc<Server>>, Form(form): Form<Decision>) -> Response {
    let users = match load_users(&server.options.org) {
        Ok(users) => users,
        Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.message),
    };
    let user = match form.user.as_deref().filter(|u| !u.is_empty()) {
        None => users[0].sub.clone(),
        Some(id) => match users
            .iter()
            .find(|u| u.sub == id || u.email.as_deref() == Some(id))
        {
            Some(u) => u.sub.clone(),
            None => return error_response(StatusCode::FORBIDDEN, &format!("unknown user {id}")),
        },
    };
    let mut provider = server.provider.lock().expect("not poisoned");
    let wanted = form.user_code.trim().to_uppercase();
    let Some(pending) = provider
        .devices
        .values_mut()
        .find(|p| p.user_code == wanted && p.expires_at > crate::now_unix())
    else {
        return error_response(StatusCode::NOT_FOUND, "unknown or expired code");
    };
    pending.decision = Some(if form.decision == "approve" {
        Ok(user)
    } else {
        Err(())
    });
    Html("<!doctype html><p>Done. You can close this window and return to the terminal.</p>")
        .into_response()
}

#[derive(Deserialize)]
pub struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// The browser flow's authorization endpoint. A development provider has no one to sign in:
/// it approves the org's first user and redirects back to the loopback address at once.
pub async fn authorize(
    State(server): State<Arc<Server>>,
    Query(query): Query<AuthorizeQuery>,
) -> Response {
    let redirect = query.redirect_uri.clone().unwrap_or_default();
    let loopback = url::Url::parse(&redirect).is_ok_and(|u| {
        u.scheme() == "http"
            && matches!(
                u.host_str(),
                Some("127.0.0.1") | Some("[::1]") | Some("localhost")
            )
    });
    if !loopback {
        return error_response(
            StatusCode::BAD_REQUEST,
            "redirect_uri must be a loopback http URL",
        );
    }
    if query.response_type.as_deref() != Some("code")
        || query.code_challenge_method.as_deref() != Some("S256")
        || query.code_challenge.as_deref().unwrap_or("").is_empty()
        || query.client_id.as_deref().unwrap_or("").is_empty()
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            "response_type=code, client_id and an S256 code_challenge are required",
        );
    }
    let users = match load_users(&server.options.org) {
        Ok(users) => users,
        Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.message),
    };
    let code = random_token();
    server.provider.lock().expect("not poisoned").codes.insert(
        code.clone(),
        Grant {
            user: users[0].sub.clone(),
            client_id: query.client_id.unwrap_or_default(),
            redirect_uri: redirect.clone(),
            code_challenge: query.code_challenge.unwrap_or_default(),
            expires_at: crate::now_unix() + 120,
        },
    );
    let mut target = url::Url::parse(&redirect).expect("checked");
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = &query.state {
        target.query_pairs_mut().append_pair("state", state);
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

#[derive(Deserialize)]
pub struct TokenRequest {
    grant_type: String,
    device_code: Option<String>,
    refresh_token: Option<String>,
    code: Option<String>,
    code_verifier: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    subject_token: Option<String>,
}

/// The client id and secret of an `Authorization: Basic` header (RFC 6749 §2.3.1).
fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?,
    )
    .ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

fn oauth_error(code: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": code, "error_description": description}).to_string(),
    )
        .into_response()
}

pub async fn token(
    State(server): State<Arc<Server>>,
    headers: HeaderMap,
    Form(request): Form<TokenRequest>,
) -> Response {
    let now = crate::now_unix();
    let subject = {
        let mut provider = server.provider.lock().expect("not poisoned");
        match request.grant_type.as_str() {
            "urn:ietf:params:oauth:grant-type:device_code" => {
                let code = request.device_code.unwrap_or_default();
                let Some(pending) = provider.devices.get_mut(&code) else {
                    return oauth_error("invalid_grant", "unknown device code");
                };
                if pending.expires_at <= now {
                    return oauth_error("expired_token", "the device code expired");
                }
                let too_soon = now - pending.last_poll < POLL_INTERVAL;
                pending.last_poll = now;
                match pending.decision.clone() {
                    None if too_soon => return oauth_error("slow_down", "poll less often"),
                    None => return oauth_error("authorization_pending", "waiting for the user"),
                    Some(Err(())) => {
                        provider.devices.remove(&code);
                        return oauth_error("access_denied", "the user denied the request");
                    }
                    Some(Ok(user)) => {
                        provider.devices.remove(&code);
                        user
                    }
                }
            }
            "authorization_code" => {
                let Some(grant) = provider.codes.remove(&request.code.unwrap_or_default()) else {
                    return oauth_error("invalid_grant", "unknown or already used code");
                };
                let verifier = request.code_verifier.unwrap_or_default();
                let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                if grant.expires_at <= now
                    || challenge != grant.code_challenge
                    || request.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str())
                    || request.client_id.as_deref() != Some(grant.client_id.as_str())
                {
                    return oauth_error(
                        "invalid_grant",
                        "the code, verifier or redirect does not match",
                    );
                }
                grant.user
            }
            // Service accounts. The development provider's service clients are its users' ids
            // with the secret `dev-secret-<id>`; a production provider has a client registry.
            "client_credentials" => {
                let (client, secret) = basic_client(&headers).unwrap_or((
                    request.client_id.clone().unwrap_or_default(),
                    request.client_secret.clone().unwrap_or_default(),
                ));
                if secret != format!("dev-secret-{client}") {
                    return oauth_error("invalid_client", "unknown client or wrong secret");
                }
                client
            }
            // Token exchange (RFC 8693) of a CI identity token. The development provider trusts
            // any JWT whose subject is one of its users; a production one verifies the issuer.
            "urn:ietf:params:oauth:grant-type:token-exchange" => {
                let subject = request
                    .subject_token
                    .as_deref()
                    .and_then(crate::auth::jwt::claims)
                    .and_then(|c| c.sub);
                match subject {
                    Some(sub) => sub,
                    None => {
                        return oauth_error(
                            "invalid_grant",
                            "the subject token is not a JWT with a subject",
                        );
                    }
                }
            }
            "refresh_token" => {
                let presented = request.refresh_token.unwrap_or_default();
                // Rotation: a refresh token is good for one use.
                let Some(user) = provider.refresh_tokens.remove(&presented) else {
                    return oauth_error("invalid_grant", "unknown or already used refresh token");
                };
                provider.refreshes += 1;
                user
            }
            other => return oauth_error("unsupported_grant_type", other),
        }
    };
    let users = load_users(&server.options.org).unwrap_or_default();
    let Some(user) = users.iter().find(|u| u.sub == subject) else {
        return oauth_error("invalid_grant", "the user no longer exists");
    };
    let refresh = random_token();
    server
        .provider
        .lock()
        .expect("not poisoned")
        .refresh_tokens
        .insert(refresh.clone(), subject);
    let access = server.issue(user, &server.base_url(&headers));
    axum::Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": server.options.token_ttl,
        "refresh_token": refresh,
    }))
    .into_response()
}

/// Revokes every refresh token (what an admin does when a laptop is lost): tests use it.
pub async fn revoke_all(State(server): State<Arc<Server>>) -> StatusCode {
    server
        .provider
        .lock()
        .expect("not poisoned")
        .refresh_tokens
        .clear();
    StatusCode::NO_CONTENT
}

pub async fn stats(State(server): State<Arc<Server>>) -> Response {
    let refreshes = server.provider.lock().expect("not poisoned").refreshes;
    axum::Json(json!({"refreshes": refreshes})).into_response()
}
