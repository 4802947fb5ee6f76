//! Native OpenID Connect login (PROTOCOL.md §2.1), for orgs whose discovery document names an
//! `auth.oidc` issuer: no helper program to install.
//!
//! Two flows. In the browser flow (RFC 8252 and 7636), ai-setup listens on a random loopback
//! port, opens the provider's authorization page with a PKCE S256 challenge and a random
//! `state`, and exchanges the code the browser brings back. In the device flow (RFC 8628),
//! for SSH sessions, containers and `--no-browser`, it shows a URL and a code, the user approves
//! on any device, and ai-setup polls the token endpoint (honouring `slow_down` and the code's
//! expiry). Ctrl-C cancels either. Refresh tokens are kept and rotated, so that
//! `ai-setup token` can renew the access token before it expires.

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
    pub authorization_endpoint: Option<String>,
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

/// Whether a browser can be shown here: `BROWSER` is set, or a display is (Linux), or this is
/// macOS or Windows outside an SSH session.
pub fn browser_available() -> bool {
    let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    if set("BROWSER") {
        return true;
    }
    if cfg!(any(target_os = "macos", windows)) {
        return !set("SSH_CONNECTION") && !set("SSH_TTY");
    }
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// Opens `url` with `$BROWSER` (its first entry; `%s` is replaced by the URL) or the system's
/// handler. Failure is not fatal: the URL is printed too.
fn open_browser(url: &str) -> bool {
    if let Some(entry) = std::env::var("BROWSER").ok().and_then(|b| {
        b.split(':')
            .map(str::trim)
            .find(|e| !e.is_empty())
            .map(String::from)
    }) {
        let mut words = entry.split_whitespace().map(|w| w.replace("%s", url));
        let Some(program) = words.next() else {
            return false;
        };
        let mut args: Vec<String> = words.collect();
        if !entry.contains("%s") {
            args.push(url.to_string());
        }
        return std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .is_ok();
    }
    open::that_detached(url).is_ok()
}

fn random_string(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    let _ = getrandom::fill(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// How long the browser flow waits for the provider to redirect back.
fn browser_timeout() -> Duration {
    std::env::var("AI_SETUP_LOGIN_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(300))
}

/// Signs in through the browser: Authorization Code with PKCE and a loopback redirect.
pub async fn browser_login(
    http: &Http,
    provider: &Provider,
    spec: &OidcSpec,
    out: &mut Output,
) -> Result<Tokens> {
    use base64::Engine;
    use sha2::{Digest, Sha256};

    let endpoint = provider.authorization_endpoint.as_deref().ok_or_else(|| {
        Error::auth("the org's OpenID provider offers no browser login").hint("pass --no-browser")
    })?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Error::failure(format!("cannot listen on a loopback port: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::failure(format!("cannot read the loopback port: {e}")))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let verifier = random_string(32);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let state = random_string(16);
    let scopes = spec
        .scopes
        .clone()
        .unwrap_or_else(|| vec!["openid".into(), "offline_access".into()])
        .join(" ");
    let mut url = parse_url(endpoint, "authorization endpoint")?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &spec.client_id)
        .append_pair("redirect_uri", &redirect)
        .append_pair("scope", &scopes)
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    if let Some(audience) = &spec.audience {
        url.query_pairs_mut().append_pair("audience", audience);
    }
    // OpenID Connect grants offline access (a refresh token) only with an explicit consent.
    if scopes.split(' ').any(|s| s == "offline_access") {
        url.query_pairs_mut().append_pair("prompt", "consent");
    }
    let opened = open_browser(url.as_str());
    out.progress(&format!(
        "\n{} to sign in. If it did not open, visit:\n  {url}\nWaiting for the sign-in to finish... (Ctrl-C cancels)",
        if opened { "Your browser was opened" } else { "Open this page in a browser" }
    ));
    let limit = browser_timeout();
    let code = tokio::select! {
        result = wait_for_callback(&listener, &state) => result?,
        _ = tokio::time::sleep(limit) => {
            return Err(Error::auth(format!("the sign-in did not finish within {}s", limit.as_secs()))
                .hint("run `ai-setup login` again, or `ai-setup login --no-browser` to sign in on another device"));
        }
        _ = tokio::signal::ctrl_c() => return Err(Error::auth("login cancelled")),
    };
    let response = http
        .post_form(
            &parse_url(&provider.token_endpoint, "token endpoint")?,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &redirect),
                ("code_verifier", &verifier),
                ("client_id", &spec.client_id),
            ],
        )
        .await?;
    if response.status != 200 {
        return Err(provider_error(
            &response.body,
            "the sign-in could not be completed",
        ));
    }
    tokens(&response.body)
}

/// Serves the loopback redirect until the provider sends the browser back with a code.
async fn wait_for_callback(listener: &tokio::net::TcpListener, state: &str) -> Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head);
        let target = head.split_whitespace().nth(1).unwrap_or("");
        let Ok(url) = Url::parse(&format!("http://127.0.0.1{target}")) else {
            continue;
        };
        let reply = |status: &str, text: &str| {
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n<!doctype html><title>ai-setup</title><p>{text}</p>"
            )
        };
        if url.path() != "/callback" {
            let _ = stream
                .write_all(reply("404 Not Found", "Not here.").as_bytes())
                .await;
            continue;
        }
        let field = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if field("state").as_deref() != Some(state) {
            let _ = stream
                .write_all(
                    reply("400 Bad Request", "This sign-in was not started here.").as_bytes(),
                )
                .await;
            return Err(Error::auth(
                "the sign-in came back with the wrong state (not the one ai-setup started); refused",
            ));
        }
        if let Some(error) = field("error") {
            let _ = stream
                .write_all(
                    reply("200 OK", "The sign-in failed. You can close this window.").as_bytes(),
                )
                .await;
            return Err(Error::auth(format!("the sign-in failed: {error}")));
        }
        let Some(code) = field("code") else {
            continue;
        };
        let _ = stream
            .write_all(reply("200 OK", "You are signed in to ai-setup. You can close this window and return to the terminal.").as_bytes())
            .await;
        return Ok(code);
    }
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
    let complete = device
        .verification_uri_complete
        .as_deref()
        .unwrap_or(&device.verification_uri);
    if std::io::IsTerminal::is_terminal(&std::io::stderr())
        && let Some(code) = qr(complete)
    {
        out.progress(&format!("\nScan to sign in on your phone:\n{code}"));
    }
    out.progress(&format!(
        "\nTo sign in, open {} and enter the code {}\n  (or open {})\nWaiting for you to approve... (Ctrl-C cancels)",
        device.verification_uri, device.user_code, complete,
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

/// A service account's token (client credentials grant).
pub async fn client_credentials(
    http: &Http,
    token_endpoint: &str,
    client_id: &str,
    secret: &Secret,
    audience: Option<&str>,
) -> Result<Tokens> {
    let mut fields = vec![("grant_type", "client_credentials")];
    if let Some(audience) = audience {
        fields.push(("audience", audience));
    }
    let response = http
        .post_form_as(
            &parse_url(token_endpoint, "token endpoint")?,
            &fields,
            Some((client_id, secret.expose())),
        )
        .await?;
    if response.status != 200 {
        return Err(provider_error(
            &response.body,
            "the service account login failed",
        ));
    }
    tokens(&response.body)
}

/// Exchanges a CI identity token for an org token (RFC 8693).
pub async fn exchange(
    http: &Http,
    token_endpoint: &str,
    client_id: &str,
    subject_token: &Secret,
    audience: Option<&str>,
) -> Result<Tokens> {
    let mut fields = vec![
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("subject_token", subject_token.expose()),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
        (
            "requested_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
        ),
        ("client_id", client_id),
    ];
    if let Some(audience) = audience {
        fields.push(("audience", audience));
    }
    let response = http
        .post_form(&parse_url(token_endpoint, "token endpoint")?, &fields)
        .await?;
    if response.status != 200 {
        return Err(provider_error(&response.body, "the token exchange failed"));
    }
    tokens(&response.body)
}

/// This GitHub Actions job's OIDC token, from the runner's request variables.
pub async fn github_actions_token(http: &Http, audience: &str) -> Result<Secret> {
    #[derive(Deserialize)]
    struct ActionsToken {
        value: String,
    }
    let var = |name: &str| {
        std::env::var(name).map_err(|_| {
            Error::usage(format!("--github-actions: {name} is not set"))
                .hint("run in a GitHub Actions job with `permissions: id-token: write`")
        })
    };
    let mut url = parse_url(&var("ACTIONS_ID_TOKEN_REQUEST_URL")?, "Actions token URL")?;
    url.query_pairs_mut().append_pair("audience", audience);
    let request_token = var("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?;
    let response = http.get(&url, Some(&request_token), &[]).await?;
    if response.status != 200 {
        return Err(Error::auth(format!(
            "the GitHub Actions runner refused an OIDC token (HTTP {})",
            response.status
        )));
    }
    Ok(Secret::new(
        json::<ActionsToken>(&response.body, "Actions token")?.value,
    ))
}

/// `text` as a QR code drawn with half-block characters, two rows of modules per line.
fn qr(text: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_a_square_of_half_blocks() {
        let code = qr("http://127.0.0.1:8787/oauth/device/verify?user_code=ABCD1234").unwrap();
        let lines: Vec<&str> = code.lines().collect();
        let width = lines[0].chars().count();
        assert!(width > 20, "{code}");
        assert!(lines.iter().all(|l| l.chars().count() == width), "{code}");
        assert!(code.contains('▀') || code.contains('▄'), "{code}");
        // Two rows of modules per line: about half as many lines as columns.
        assert!(
            lines.len() * 2 >= width && lines.len() * 2 <= width + 2,
            "{code}"
        );
    }
}
