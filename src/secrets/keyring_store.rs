//! The OS keyring, through the `keyring` crate. Every call runs on its own thread under a time
//! limit: a Secret Service that is locked (waiting on an unlock prompt nobody sees) or that D-Bus
//! tries to start can otherwise hang for minutes. `AI_SETUP_KEYRING_TIMEOUT` (seconds) sets the
//! limit; the default leaves time to answer an unlock prompt.
//!
//! A credential larger than the backend holds (Windows Credential Manager: 2,560 bytes, which a
//! JWT with group claims exceeds) is split over entries `ORG#1` … `ORG#N`, the entry `ORG`
//! holding only a marker with the count. `AI_SETUP_KEYRING_CHUNK` lowers the size for tests.

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

const CHUNKED: &str = "ai-setup-chunks:";

/// The most characters one entry takes: Windows stores passwords as UTF-16 in 2,560 bytes.
fn chunk_size() -> usize {
    std::env::var("AI_SETUP_KEYRING_CHUNK")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(if cfg!(windows) { 1200 } else { usize::MAX })
}

fn get_one(name: &str) -> Result<Option<String>> {
    match call(name, |e| e.get_password())? {
        Ok(text) => Ok(Some(text)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(describe(e))),
    }
}

fn set_one(name: &str, text: &str) -> Result<()> {
    let text = text.to_string();
    call(name, move |e| e.set_password(&text))?.map_err(|e| unavailable(describe(e)))
}

fn delete_one(name: &str) -> Result<bool> {
    match call(name, |e| e.delete_credential())? {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(unavailable(describe(e))),
    }
}

fn chunk_count(marker: &str) -> Option<usize> {
    marker.strip_prefix(CHUNKED)?.parse().ok()
}

pub fn get(org: &str) -> Result<Option<String>> {
    let Some(head) = get_one(org)? else {
        return Ok(None);
    };
    let Some(count) = chunk_count(&head) else {
        return Ok(Some(head));
    };
    let mut text = String::new();
    for i in 1..=count {
        let part = get_one(&format!("{org}#{i}"))?.ok_or_else(|| {
            Error::failure(format!(
                "part {i} of the credential for {org} is missing from the keyring"
            ))
            .hint(format!("run `ai-setup login {org}`"))
        })?;
        text.push_str(&part);
    }
    Ok(Some(text))
}

pub fn set(org: &str, text: &str) -> Result<()> {
    let before = get_one(org)
        .ok()
        .flatten()
        .and_then(|h| chunk_count(&h))
        .unwrap_or(0);
    let size = chunk_size();
    let chars: Vec<char> = text.chars().collect();
    let count = if chars.len() > size {
        chars.len().div_ceil(size)
    } else {
        0
    };
    // Parts first, the marker last: a reader never sees a marker without its parts.
    for (i, part) in chars.chunks(size).enumerate().filter(|_| count > 0) {
        set_one(
            &format!("{org}#{}", i + 1),
            &part.iter().collect::<String>(),
        )?;
    }
    if count > 0 {
        set_one(org, &format!("{CHUNKED}{count}"))?;
    } else {
        set_one(org, text)?;
    }
    for stale in count + 1..=before {
        delete_one(&format!("{org}#{stale}"))?;
    }
    Ok(())
}

pub fn delete(org: &str) -> Result<bool> {
    let parts = get_one(org)?.and_then(|h| chunk_count(&h)).unwrap_or(0);
    for i in 1..=parts {
        delete_one(&format!("{org}#{i}"))?;
    }
    delete_one(org)
}
