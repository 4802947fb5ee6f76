//! Native OpenID Connect login (PROTOCOL.md §2.1), for orgs whose discovery document names an
//! `auth.oidc` issuer: no helper program to install.
//!
//! This is the device authorization grant (RFC 8628): ai-setup shows a URL and a code, the user
//! approves on any device with a browser, and ai-setup polls the token endpoint (honouring
//! `slow_down` and the code's expiry; Ctrl-C cancels). Refresh tokens are kept and rotated, so
//! that `ai-setup token` can renew the access token before it expires.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::discovery::document::OidcSpec;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::output::Output;
use crate::secrets::Secret;

/// The endpoints of the issuer's `/.well-known/openid-configuration` that ai-setup uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    pub token_endpoint: String,
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
}

/// What the token endpoint hands out.
#[derive(Debug)]
pub struct Tokens {
    pub access: Secret,
    pub refresh: Option<Secret>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct DeviceResponse {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    expires_in: u64,
    #[serde(default)]
    interval: Option<u64>,
}

fn parse_url(text: &str, what: &str) -> Result<Url> {
    let url = Url::parse(text).map_err(|e| {
        Error::network(format!(
            "the OpenID provider's {what} '{text}' is not a URL: {e}"
        ))
    })?;
    crate::http::check_url(&url)?;
    Ok(url)
}

fn json<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(body)
        .map_err(|e| Error::network(format!("the OpenID provider sent an unusable {what}: {e}")))
}

pub async fn discover(http: &Http, spec: &OidcSpec) -> Result<Provider> {
    let issuer = spec.issuer.trim_end_matches('/');
    let url = parse_url(
        &format!("{issuer}/.well-known/openid-configuration"),
        "issuer",
    )?;
    let response = http.get(&url, None, &[]).await?;
    if response.status != 200 {
        return Err(Error::network(format!(
            "{url} answered HTTP {}: is auth.oidc.issuer right?",
            response.status
        )));
    }
    json(&response.body, "configuration")
}

/// Signs in with the device flow. Progress and the code go to `out` (stderr).
pub async fn device_login(
    http: &Http,
    provider: &Provider,
    spec: &OidcSpec,
    out: &mut Output,
) -> Result<Tokens> {
    let endpoint = provider
        .device_authorization_endpoint
        .as_deref()
        .ok_or_else(|| {
            Error::auth("the org's OpenID provider offers no device login")
                .hint("log in with a token: --token-stdin or --token-env VAR")
        })?;
    let scopes = spec
        .scopes
        .clone()
        .unwrap_or_else(|| vec!["openid".into(), "offline_access".into()])
        .join(" ");
    let mut fields = vec![
        ("client_id", spec.client_id.as_str()),
        ("scope", scopes.as_str()),
    ];
    if let Some(audience) = &spec.audience {
        fields.push(("audience", audience));
    }
    let response = http
        .post_form(&parse_url(endpoint, "device endpoint")?, &fields)
        .await?;
    if response.status != 200 {
        return Err(provider_error(
            &response.body,
            "the device login could not start",
        ));
    }
    let device: DeviceResponse = json(&response.body, "device authorization")?;
    out.progress(&format!(
        "\nTo sign in, open {} and enter the code {}\n  (or open {})\nWaiting for you to approve... (Ctrl-C cancels)",
        device.verification_uri,
        device.user_code,
        device.verification_uri_complete.as_deref().unwrap_or(&device.verification_uri),
    ));

    let token_url = parse_url(&provider.token_endpoint, "token endpoint")?;
    let mut interval = Duration::from_secs(device.interval.unwrap_or(5).max(1));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(device.expires_in);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = tokio::signal::ctrl_c() => return Err(Error::auth("login cancelled")),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(
                Error::auth("the sign-in code expired before it was approved")
                    .hint("run `ai-setup login` again and approve within the time shown"),
            );
        }
        let response = http
            .post_form(
                &token_url,
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("device_code", &device.device_code),
                    ("client_id", &spec.client_id),
                ],
            )
            .await?;
        if response.status == 200 {
            return tokens(&response.body);
        }
        match serde_json::from_slice::<OAuthError>(&response.body).map(|e| e.error) {
            Ok(code) if code == "authorization_pending" => {}
            Ok(code) if code == "slow_down" => interval += Duration::from_secs(5),
            Ok(code) if code == "access_denied" => {
                return Err(Error::auth("the sign-in was denied"));
            }
            Ok(code) if code == "expired_token" => {
                return Err(
                    Error::auth("the sign-in code expired before it was approved")
                        .hint("run `ai-setup login` again"),
                );
            }
            _ => return Err(provider_error(&response.body, "the device login failed")),
        }
    }
}

/// Exchanges a refresh token for new tokens. `invalid_grant` means the session is over.
pub async fn refresh(
    http: &Http,
    token_endpoint: &str,
    client_id: &str,
    refresh_token: &Secret,
    org: &str,
) -> Result<Tokens> {
    let response = http
        .post_form(
            &parse_url(token_endpoint, "token endpoint")?,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose()),
                ("client_id", client_id),
            ],
        )
        .await?;
    if response.status == 200 {
        return tokens(&response.body);
    }
    let error = serde_json::from_slice::<OAuthError>(&response.body).ok();
    if error.as_ref().is_some_and(|e| e.error == "invalid_grant") {
        return Err(Error::auth(format!(
            "the session with {org} has ended (the refresh token was revoked or expired)"
        ))
        .hint(format!("run `ai-setup login {org}`")));
    }
    Err(provider_error(&response.body, "the token refresh failed"))
}

fn tokens(body: &[u8]) -> Result<Tokens> {
    let response: TokenResponse = json(body, "token response")?;
    Ok(Tokens {
        access: Secret::new(response.access_token),
        refresh: response.refresh_token.map(Secret::new),
    })
}

fn provider_error(body: &[u8], what: &str) -> Error {
    match serde_json::from_slice::<OAuthError>(body) {
        Ok(e) => Error::auth(format!(
            "{what}: {}{}",
            e.error,
            e.error_description
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )),
        Err(_) => Error::auth(what.to_string()),
    }
}
