//! Reading a JWT's claims without verifying it. ai-setup never makes an authorization decision
//! from these: the org endpoint verifies signatures. The claims only tell the user who they are
//! and when the token expires, so that ai-setup can refresh or re-login before a client fails.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Claims {
    #[serde(default)]
    pub exp: Option<i64>,
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub iss: Option<String>,
}

impl Claims {
    /// The best name to show for the user.
    pub fn identity(&self) -> Option<&str> {
        self.email
            .as_deref()
            .or(self.name.as_deref())
            .or(self.sub.as_deref())
    }
}

fn decode_segment(segment: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).ok()
}

/// The claims of `token` if it is a JWT (header with `alg`, JSON payload), else `None`.
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: serde_json::Value = serde_json::from_slice(&decode_segment(header)?).ok()?;
    header.get("alg")?;
    serde_json::from_slice(&decode_segment(payload)?).ok()
}

/// Picks the token out of an auth command's stdout (PROTOCOL.md §2.2): a JWT if one stands among
/// other text (as `cloudflared access login` prints "Successfully fetched your token:"), else the
/// whole trimmed output.
pub fn token_from_output(stdout: &str) -> Option<String> {
    let jwt = stdout
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .find(|word| claims(word).is_some());
    match jwt {
        Some(word) => Some(word.to_string()),
        None => {
            let trimmed = stdout.trim();
            (!trimmed.is_empty()).then(|| trimmed.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_claims() {
        let c = claims(&jwt(r#"{"exp":100,"email":"a@b.c","sub":"u1"}"#)).unwrap();
        assert_eq!(c.exp, Some(100));
        assert_eq!(c.identity(), Some("a@b.c"));
        assert!(claims("not-a-jwt").is_none());
        assert!(claims("a.b.c").is_none());
    }

    #[test]
    fn finds_the_jwt_among_other_text() {
        let token = jwt(r#"{"sub":"x"}"#);
        let out = format!("Successfully fetched your token:\n\n{token}\n");
        assert_eq!(token_from_output(&out).as_deref(), Some(token.as_str()));
        assert_eq!(
            token_from_output("  opaque-token \n").as_deref(),
            Some("opaque-token")
        );
        assert_eq!(token_from_output(" \n"), None);
    }
}
