//! The OS keyring, through the `keyring` crate. Every call runs on its own thread under a time
//! limit: a Secret Service that is locked (waiting on an unlock prompt nobody sees) or that D-Bus
//! tries to start can otherwise hang for minutes. `AI_SETUP_KEYRING_TIMEOUT` (seconds) sets the
//! limit; the default leaves time to answer an unlock prompt.

use std::sync::mpsc;
use std::time::Duration;

use crate::error::{Error, Result};

const SERVICE: &str = "ai-setup";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

pub fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    }
}

fn timeout() -> Duration {
    std::env::var("AI_SETUP_KEYRING_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_TIMEOUT)
}

fn unavailable(reason: String) -> Error {
    Error::failure(format!("the OS keyring is not usable: {reason}")).hint(
        "unlock your keyring, or use --credential-store file (a 0600 file) on machines without one",
    )
}

/// Runs `op` on an entry for `org` within the time limit.
fn call<T: Send + 'static>(
    org: &str,
    op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> Result<keyring::Result<T>> {
    let org = org.to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = keyring::Entry::new(SERVICE, &org).and_then(|entry| op(&entry));
        let _ = tx.send(result);
    });
    let limit = timeout();
    rx.recv_timeout(limit).map_err(|_| {
        unavailable(format!(
            "{} did not answer within {}s (locked, or waiting for an unlock prompt?)",
            backend_name(),
            limit.as_secs_f64()
        ))
    })
}

/// Keyring errors carry no secret, but can be long D-Bus messages: keep the first line.
fn describe(err: keyring::Error) -> String {
    err.to_string().lines().next().unwrap_or("").to_string()
}

pub fn get(org: &str) -> Result<Option<String>> {
    match call(org, |e| e.get_password())? {
        Ok(text) => Ok(Some(text)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(describe(e))),
    }
}

pub fn set(org: &str, text: &str) -> Result<()> {
    let text = text.to_string();
    call(org, move |e| e.set_password(&text))?.map_err(|e| unavailable(describe(e)))
}

pub fn delete(org: &str) -> Result<bool> {
    match call(org, |e| e.delete_credential())? {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(unavailable(describe(e))),
    }
}
