//! Diagnostics: `-v` (info), `-vv` (debug), `-vvv` (trace, the HTTP stack's too), or `RUST_LOG`
//! for a filter of one's own, to stderr or to `--log-file`. Off by default, so that the hot
//! paths pay nothing.
//!
//! Every line passes through [`redact`] before it is written: secrets the process handled,
//! bearer and basic credentials, JWTs, and `token`/`secret`/`code` values in forms and JSON
//! are replaced by `***`. Log call sites never pass secrets; this is the net under them.

use std::io::Write;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use regex::Regex;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::error::{Error, Result};

/// Secrets seen by this process (tokens read or obtained), for [`redact`].
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers a secret so that no log line shows it.
pub fn register_secret(secret: &str) {
    if secret.len() >= 8
        && let Ok(mut secrets) = SECRETS.lock()
        && !secrets.iter().any(|s| s == secret)
    {
        secrets.push(secret.to_string());
    }
}

/// What secrets look like, whoever printed them: ai-setup masks these in every message, warning,
/// `--json` report and log line, registered or not (a login command that echoes its JWT, a
/// user's file with an API key in a diff). The `value` group is what is masked; a value that
/// is a placeholder (`{env:…}`, `${…}`) says where a secret comes from, not what it is, and
/// stays.
/// How the proxy's local secret begins (made by `secrets::local_secret`), so that one is masked
/// wherever it turns up.
pub const LOCAL_SECRET_PREFIX: &str = "ai-setup-local-";

static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    const NAMES: &str =
        r"[a-z_-]*(?:token|secret|password)|api_?key|code|code_verifier|device_code";
    [
        // Authorization headers.
        r"(?i)\b(?:bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=-]+)".to_string(),
        // JWTs anywhere.
        r"(?P<value>eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)".to_string(),
        // The proxy's local secret anywhere (a diff of a client's .env, say).
        format!(r"(?P<value>{}[A-Za-z0-9_-]{{16,}})", LOCAL_SECRET_PREFIX),
        // Form and query fields: access_token=…, client_secret=…, api_key=…, code=…
        format!(r"(?i)\b(?:{NAMES})=(?P<value>[^&\s]+)"),
        // JSON fields with the same names: "access_token", "clientSecret", "apiKey".
        format!(r#"(?i)"(?:{NAMES})"\s*:\s*"(?P<value>[^"]*)""#),
    ]
    .iter()
    .map(|pattern| Regex::new(pattern).expect("valid pattern"))
    .collect()
});

/// The match with its `value` masked, unless the value is a placeholder or a word (`"token":
/// "valid"` in a status report): a secret has a digit or a symbol in it, or is long.
fn mask_value(caps: &regex::Captures) -> String {
    let whole = caps.get(0).expect("a match");
    let value = caps.name("value").unwrap_or(whole);
    let text = value.as_str();
    let placeholder = ["{env:", "${", "{file:", "***"]
        .iter()
        .any(|p| text.starts_with(p));
    let word = text.len() < 16 && text.chars().all(|c| c.is_ascii_alphabetic());
    if placeholder || word {
        return whole.as_str().to_string();
    }
    let (start, end) = (value.start() - whole.start(), value.end() - whole.start());
    format!("{}***{}", &whole.as_str()[..start], &whole.as_str()[end..])
}

/// `line` with every secret replaced by `***`: those the process registered, and anything
/// shaped like one ([`PATTERNS`]).
pub fn redact(line: &str) -> String {
    let mut text = line.to_string();
    if let Ok(secrets) = SECRETS.lock() {
        for secret in secrets.iter() {
            text = text.replace(secret.as_str(), "***");
        }
    }
    if might_hold_a_secret(&text) {
        for pattern in PATTERNS.iter() {
            text = pattern.replace_all(&text, mask_value).into_owned();
        }
    }
    text
}

/// Whether any of [`PATTERNS`] could match: most lines are plain, and the patterns are
/// compiled only for the first line that is not.
fn might_hold_a_secret(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let named = ["token", "secret", "password", "key", "code"]
        .iter()
        .any(|word| lower.contains(word));
    text.contains("eyJ")
        || text.contains(LOCAL_SECRET_PREFIX)
        || lower.contains("bearer")
        || lower.contains("basic")
        || (named && (text.contains('=') || text.contains('"')))
}

/// While the dashboard owns the terminal, lines meant for stderr wait here (the most recent
/// [`HELD_LINES`]) and are written when it gives the terminal back.
static HELD: Mutex<Option<std::collections::VecDeque<String>>> = Mutex::new(None);
const HELD_LINES: usize = 2000;

/// Holds stderr's log lines until [`release_stderr`] (the dashboard is drawing).
pub fn hold_stderr() {
    if let Ok(mut held) = HELD.lock() {
        *held = Some(Default::default());
    }
}

/// Writes the held log lines to stderr and stops holding them.
pub fn release_stderr() {
    let lines = HELD.lock().ok().and_then(|mut held| held.take());
    for line in lines.into_iter().flatten() {
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
}

/// Where log lines go, redacted.
#[derive(Clone)]
struct Redacting {
    file: Option<std::sync::Arc<Mutex<std::fs::File>>>,
}

struct LineWriter {
    target: Redacting,
    buffer: Vec<u8>,
}

impl Write for LineWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        let text = redact(&String::from_utf8_lossy(&self.buffer));
        match &self.target.file {
            Some(file) => {
                if let Ok(mut file) = file.lock() {
                    let _ = file.write_all(text.as_bytes());
                }
            }
            None => {
                if let Ok(mut held) = HELD.lock()
                    && let Some(lines) = held.as_mut()
                {
                    if lines.len() == HELD_LINES {
                        lines.pop_front();
                    }
                    lines.push_back(text);
                    return;
                }
                let _ = std::io::stderr().write_all(text.as_bytes());
            }
        }
    }
}

impl<'a> MakeWriter<'a> for Redacting {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter {
            target: self.clone(),
            buffer: Vec::new(),
        }
    }
}

/// Starts logging when `-v` or `RUST_LOG` asks for it. A log file is appended to, and created
/// readable by the user alone.
pub fn init(verbosity: u8, file: Option<&Path>) -> Result<()> {
    let from_env = std::env::var("RUST_LOG").ok().filter(|s| !s.is_empty());
    let directives = match (from_env, verbosity) {
        (Some(env), _) => env,
        (None, 0) if file.is_none() => return Ok(()),
        (None, 0 | 1) => "ai_setup=info".into(),
        (None, 2) => "ai_setup=debug".into(),
        (None, _) => "trace".into(),
    };
    let filter = EnvFilter::try_new(&directives).map_err(|e| {
        Error::usage(format!("RUST_LOG='{directives}' is not a filter: {e}"))
            .hint("for example RUST_LOG=ai_setup=debug")
    })?;
    let file = file
        .map(|path| crate::write::append_private(path).map(|f| std::sync::Arc::new(Mutex::new(f))))
        .transpose()?;
    let ansi = file.is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting { file })
        .with_ansi(ansi)
        .with_target(true)
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_a_log_line() {
        register_secret("opaque-token-1234567");
        let line = "GET /x Authorization: Bearer abc.def-ghi and opaque-token-1234567 \
                    grant_type=refresh_token&refresh_token=r1234&code=c999 \
                    {\"access_token\": \"a1\", \"id_token\":\"eyJhbGciOi.eyJzdWIiOi.sig\"} eyJa.eyJb.c";
        let out = redact(line);
        for secret in [
            "abc.def-ghi",
            "opaque-token-1234567",
            "r1234",
            "c999",
            "\"a1\"",
            "eyJhbGciOi",
            "eyJb",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("grant_type=refresh_token"), "{out}");
        assert!(out.contains("Bearer ***"), "{out}");
    }

    #[test]
    fn what_looks_like_a_secret_is_masked_and_plain_text_is_left_alone() {
        let line = r#"{"apiKey": "sk-live-1", "clientSecret":"s2"} api_key=k3 eyJx.eyJy.z
            +GEMINI_API_KEY=ai-setup-local-AbC_12-xyz0987654321qq"#;
        let out = redact(line);
        for secret in ["sk-live-1", "s2", "k3", "eyJy", "AbC_12-xyz0987654321qq"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        let placeholders = r#""apiKey": "{env:ORG_TOKEN}", "token": "${TOKEN}""#;
        assert_eq!(redact(placeholders), placeholders);
        let plain = "codex: 3 entries written to ~/.codex/config.toml (exit code 0)";
        assert_eq!(redact(plain), plain);
        assert!(!might_hold_a_secret(plain));
        let sentence = "basic setup done; Bearer tokens come from `ai-setup token`";
        assert_eq!(redact(sentence), sentence);
        assert_eq!(redact("Bearer abcdefghijklmnopqrstuvwxyz"), "Bearer ***");
        let status = r#"{"token": "valid", "password": "hunter2"}"#;
        assert_eq!(redact(status), r#"{"token": "valid", "password": "***"}"#);
    }
}
