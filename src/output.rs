//! Stage 7, report: everything a command says goes through [`Output`].
//!
//! Results go to stdout, as text or, with `--json`, as one JSON object. Progress and warnings go
//! to stderr (and into the JSON's `warnings`). As a last line of defence, every secret the
//! command handled is registered here and replaced by `***` in anything printed, and so is
//! anything shaped like a secret (a JWT, a bearer credential, a `token`/`secret`/`apiKey`
//! field), so a token cannot reach a terminal, a log or a `--json` consumer through a message
//! nobody thought of, even one the process never knew was secret.

use std::io::Write;

use serde_json::Value;

use crate::error::Error;
use crate::secrets::Secret;

#[derive(Default)]
pub struct Output {
    pub json: bool,
    warnings: Vec<String>,
    secrets: Vec<String>,
    /// Captures instead of printing (the demo shows what each step printed, indented).
    pub captured: Option<String>,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output {
            json,
            ..Default::default()
        }
    }

    /// Output kept in `captured` instead of printed (the demo's steps, the dashboard's work).
    pub fn capturing() -> Self {
        Output {
            captured: Some(String::new()),
            ..Default::default()
        }
    }

    /// Remembers a secret so that it is never printed.
    pub fn secret(&mut self, secret: &Secret) {
        if !secret.expose().is_empty() {
            self.secrets.push(secret.expose().to_string());
        }
    }

    /// `text` without the secrets this command handled, nor anything shaped like a secret
    /// ([`crate::logging::redact`]).
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "***");
        }
        crate::logging::redact(&out)
    }

    /// A progress line on stderr (human mode only).
    pub fn progress(&mut self, line: &str) {
        if !self.json {
            self.stderr(line);
        }
    }

    /// Narrative on stdout (human mode only), for commands whose story is their result.
    pub fn say(&mut self, text: &str) {
        if !self.json {
            let text = self.redact(text);
            match &mut self.captured {
                Some(buf) => buf.push_str(&text),
                None => {
                    let _ = std::io::stdout().write_all(text.as_bytes());
                }
            }
        }
    }

    /// A warning: stderr always, and the JSON report's `warnings`.
    pub fn warn(&mut self, message: &str) {
        let message = self.redact(message);
        self.stderr(&format!("warning: {message}"));
        self.warnings.push(message);
    }

    /// The warnings so far.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    fn stderr(&mut self, line: &str) {
        let line = self.redact(line);
        match &mut self.captured {
            Some(buf) => {
                buf.push_str(&line);
                buf.push('\n');
            }
            None => {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
        }
    }

    /// Prints the command's result: `json` with `--json`, else `human`. Adds `warnings`.
    pub fn result(&mut self, json: Value, human: &str) {
        self.result_with(|| json, human)
    }

    /// [`Output::result`] for a large report: the JSON is built only with `--json`.
    pub fn result_with(&mut self, json: impl FnOnce() -> Value, human: &str) {
        let text = if self.json {
            let mut json = json();
            if let Value::Object(map) = &mut json {
                map.insert("warnings".into(), self.take_warnings().into());
            }
            serde_json::to_string_pretty(&json).expect("JSON serialises") + "\n"
        } else {
            human.to_string()
        };
        let text = self.redact(&text);
        match &mut self.captured {
            Some(buf) => buf.push_str(&text),
            None => {
                let _ = std::io::stdout().write_all(text.as_bytes());
            }
        }
    }

    /// Prints an error: as `{"error": …}` on stdout with `--json`, else on stderr with hints.
    pub fn error(&mut self, err: &Error) {
        if self.json {
            let json = serde_json::json!({
                "error": {
                    "kind": err.kind,
                    "exit_code": err.kind.exit_code(),
                    "message": self.redact(&err.message),
                    "hints": err.hints.iter().map(|h| self.redact(h)).collect::<Vec<_>>(),
                },
                "warnings": self.take_warnings(),
            });
            let text = serde_json::to_string_pretty(&json).expect("JSON serialises") + "\n";
            match &mut self.captured {
                Some(buf) => buf.push_str(&text),
                None => {
                    let _ = std::io::stdout().write_all(text.as_bytes());
                }
            }
        } else {
            self.stderr(&format!("error: {}", err.message));
            for hint in &err.hints {
                self.stderr(&format!("  hint: {hint}"));
            }
        }
    }
}

/// "in 59 minutes", "3 hours ago": for expiry and sync times.
pub fn relative(when: i64, now: i64) -> String {
    let delta = when - now;
    let span = delta.unsigned_abs();
    if span < 5 {
        return "just now".into();
    }
    let text = if span < 90 {
        format!("{span} seconds")
    } else if span < 90 * 60 {
        format!("{} minutes", (span + 30) / 60)
    } else if span < 36 * 3600 {
        format!("{} hours", (span + 1800) / 3600)
    } else {
        format!("{} days", (span + 43200) / 86400)
    };
    if delta >= 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// A Unix time as RFC 3339 UTC.
pub fn timestamp(unix: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// A count in a few characters: 950, 12.3k, 51.2M, 1.4B.
pub fn compact(n: u64) -> String {
    let n = n as f64;
    let (value, unit) = match n {
        n if n >= 1e9 => (n / 1e9, "B"),
        n if n >= 1e6 => (n / 1e6, "M"),
        n if n >= 1e3 => (n / 1e3, "k"),
        n => return format!("{n}"),
    };
    if value >= 100.0 {
        format!("{value:.0}{unit}")
    } else {
        format!("{value:.1}{unit}")
    }
}

/// An amount in `currency`: `$42.17` for US dollars, `42.17 EUR` otherwise.
pub fn money(amount: f64, currency: &str) -> String {
    match currency {
        "USD" => format!("${amount:.2}"),
        other => format!("{amount:.2} {other}"),
    }
}

/// A price per million tokens, or `-` when unknown.
pub fn price(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{v:.2}"))
}

/// A bar of `width` cells filled to `ratio` (0 to 1), in eighths of a cell.
pub fn bar(ratio: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (ratio.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut text = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        text.push(PARTS[eighths % 8]);
    }
    text
}

/// The argv as a user would type it, quoting words with spaces or quotes.
/// Asks `question` on stderr and reads a yes (`y`, `yes`) or anything else, which is no.
pub fn ask(question: &str) -> crate::error::Result<bool> {
    let mut err = std::io::stderr();
    let _ = write!(err, "{question}");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut answer)
        .map_err(|e| Error::usage(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}

pub fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_words_that_need_it() {
        let argv = ["sh", "-c", "echo 'hi' there"].map(String::from);
        assert_eq!(shell_words(&argv), r"sh -c 'echo '\''hi'\'' there'");
    }

    use super::*;

    #[test]
    fn figures_read_compactly() {
        assert_eq!(compact(950), "950");
        assert_eq!(compact(12_345), "12.3k");
        assert_eq!(compact(51_200_000), "51.2M");
        assert_eq!(compact(361_000), "361k");
        assert_eq!(money(42.174, "USD"), "$42.17");
        assert_eq!(money(3.5, "EUR"), "3.50 EUR");
        assert_eq!(bar(0.5, 4), "██");
        assert_eq!(bar(1.0 / 16.0, 1), "▏");
        assert_eq!(bar(0.0, 4), "");
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(100 + 3540, 100), "in 59 minutes");
        assert_eq!(relative(0, 7200), "2 hours ago");
        assert_eq!(relative(10, 0), "in 10 seconds");
        assert_eq!(relative(2, 0), "just now");
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn registered_secrets_never_print() {
        let mut out = Output::new(false);
        out.secret(&Secret::new("tok123".into()));
        assert_eq!(out.redact("a tok123 b"), "a *** b");
    }
}
