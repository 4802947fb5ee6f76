//! Stage 1, discover: fetch `<org>/.well-known/opencode` (PROTOCOL.md §1).
//!
//! The last good document of each org is cached with its `ETag`. A `304` reuses it, and when the
//! endpoint cannot be reached (or fails with a 5xx) the cached copy is used and the caller is
//! told so, which keeps `sync` working on a train. Anything that says the document itself is
//! wrong (bad JSON, a login page, a refused redirect) is an error, never silently replaced by
//! the cache.

pub mod document;
pub mod instructions;
pub mod schema;

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

pub use document::Document;

use crate::apply::ledger::sha256;
use crate::error::{Error, Result};
use crate::http::{Http, org_key};
use crate::paths::Paths;
use crate::write::write_file;

pub const WELL_KNOWN: &str = "/.well-known/opencode";

/// Where the document came from this time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Freshness {
    /// Fetched now.
    Network,
    /// The endpoint answered 304: the cached copy is current.
    NotModified,
    /// The endpoint could not be reached; this is the copy fetched at `fetched_at` (Unix time).
    OfflineCache { fetched_at: i64, reason: String },
}

#[derive(Debug, Clone)]
pub struct Discovered {
    /// Shared, not copied: the org, each client's context and the report all hold it.
    pub document: Arc<Document>,
    pub freshness: Freshness,
    /// The sha256 of the document's bytes: part of what a sync is planned from.
    pub digest: String,
    /// The fresh copy to cache, written by [`Discovered::remember`] once the command succeeded,
    /// so that a failed or dry-run login leaves no trace.
    fresh: Option<(PathBuf, CacheEntry)>,
}

impl Discovered {
    /// Keeps this document as the org's last good copy (for ETags and offline use).
    pub fn remember(&self) {
        if let Some((path, entry)) = &self.fresh {
            // The cache is an optimisation: failing to write it must not fail the command.
            let _ = write_file(path, &entry.to_bytes(), Some(0o600));
        }
    }
}

/// An org's last good document. On disk: a line of JSON (where from, its `ETag`, when), then
/// the document's bytes as they came, so that reading it back is one parse of the document
/// and not two.
#[derive(Debug, Clone)]
struct CacheEntry {
    url: String,
    etag: Option<String>,
    fetched_at: i64,
    body: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct CacheHeader {
    url: String,
    etag: Option<String>,
    fetched_at: i64,
    /// Where an older ai-setup kept the document, inside the JSON.
    #[serde(default, skip_serializing)]
    body: Option<String>,
}

impl CacheEntry {
    fn to_bytes(&self) -> Vec<u8> {
        let header = CacheHeader {
            url: self.url.clone(),
            etag: self.etag.clone(),
            fetched_at: self.fetched_at,
            body: None,
        };
        let mut bytes = serde_json::to_vec(&header).expect("JSON serialises");
        bytes.push(b'\n');
        bytes.extend_from_slice(&self.body);
        bytes
    }

    fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        let end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len());
        let header: CacheHeader = serde_json::from_slice(&bytes[..end]).ok()?;
        let body = match header.body {
            Some(body) => body.into_bytes(),
            None if end < bytes.len() => {
                let mut body = bytes;
                body.drain(..=end);
                body
            }
            None => return None,
        };
        Some(CacheEntry {
            url: header.url,
            etag: header.etag,
            fetched_at: header.fetched_at,
            body,
        })
    }
}

pub fn discovery_url(org: &Url) -> Result<Url> {
    Url::parse(&format!("{}{WELL_KNOWN}", org_key(org)))
        .map_err(|e| Error::usage(format!("bad org URL {org}: {e}")))
}

fn cache_path(paths: &Paths, org: &Url) -> PathBuf {
    let name = crate::paths::name_for(&org_key(org), 12);
    paths.discovery_cache_dir().join(format!("{name}.json"))
}

fn read_cache(paths: &Paths, org: &Url) -> Option<CacheEntry> {
    let bytes = std::fs::read(cache_path(paths, org)).ok()?;
    let entry = CacheEntry::from_bytes(bytes)?;
    (entry.url == org_key(org)).then_some(entry)
}

/// The last good document of `org` and when it was fetched, without any network.
pub fn cached(paths: &Paths, org: &Url) -> Option<(Arc<Document>, i64)> {
    let entry = read_cache(paths, org)?;
    let document = Document::parse(&entry.body, &org_key(org)).ok()?;
    Some((Arc::new(document), entry.fetched_at))
}

/// Fetches the org's discovery document, sending `token` when one is held.
pub async fn fetch(
    http: &Http,
    paths: &Paths,
    org: &Url,
    token: Option<&str>,
) -> Result<Discovered> {
    let url = discovery_url(org)?;
    let origin = org.origin().ascii_serialization();
    let cached = read_cache(paths, org);
    let mut extra = vec![("accept", "application/json".to_string())];
    if let Some(etag) = cached.as_ref().and_then(|c| c.etag.clone()) {
        extra.push(("if-none-match", etag));
    }

    let offline = |err: Error, cached: Option<CacheEntry>| -> Result<Discovered> {
        match cached {
            Some(entry) => Ok(Discovered {
                document: Arc::new(Document::parse(&entry.body, &origin)?),
                digest: sha256(&entry.body),
                freshness: Freshness::OfflineCache {
                    fetched_at: entry.fetched_at,
                    reason: err.message,
                },
                fresh: None,
            }),
            None => Err(err),
        }
    };

    let response = match http.get(&url, token, &extra).await {
        Ok(r) => r,
        Err(e) if e.transient => {
            return offline(e, cached);
        }
        Err(e) => return Err(e),
    };

    match response.status {
        200 => {}
        304 => {
            if let Some(entry) = cached {
                return Ok(Discovered {
                    document: Arc::new(Document::parse(&entry.body, &origin)?),
                    digest: sha256(&entry.body),
                    freshness: Freshness::NotModified,
                    fresh: None,
                });
            }
            return Err(Error::network(format!(
                "{url} answered 304 Not Modified to a request without a cached copy"
            )));
        }
        401 => {
            return Err(Error::auth(format!(
                "{origin} requires authentication to read its discovery document (401)"
            ))
            .hint(format!("run `ai-setup login {}`", org_key(org))));
        }
        403 => {
            return Err(Error::auth(format!(
                "{origin} refused access to its discovery document (403){}",
                error_message(&response.body)
            ))
            .hint("ask your platform team for access"));
        }
        404 => {
            return Err(Error::network(format!(
                "{origin} has no discovery document at {WELL_KNOWN} (404)"
            ))
            .hint("check that this is your org's AI endpoint address"));
        }
        status if status >= 500 => {
            let err = Error::network(format!(
                "{origin} failed with HTTP {status}{}",
                error_message(&response.body)
            ))
            .hint("try again later; tell your platform team if it persists")
            .transient();
            return offline(err, cached);
        }
        status => {
            return Err(Error::network(format!(
                "{origin} answered HTTP {status} for its discovery document{}",
                error_message(&response.body)
            )));
        }
    }

    if looks_like_html(&response) {
        return Err(Error::auth(format!(
            "{origin} answered with a web page (a single sign-on login page) instead of its discovery document"
        ))
        .hint("the endpoint is behind single sign-on: log in with a token, e.g. `... | ai-setup login URL --token-stdin`")
        .hint(format!("or run `ai-setup login {}` again if your token expired", org_key(org))));
    }

    let document = Document::parse(&response.body, &origin)?;
    let entry = CacheEntry {
        url: org_key(org),
        etag: response.header("etag").map(str::to_string),
        fetched_at: crate::now_unix(),
        body: response.body.to_vec(),
    };
    Ok(Discovered {
        document: Arc::new(document),
        freshness: Freshness::Network,
        digest: sha256(&response.body),
        fresh: Some((cache_path(paths, org), entry)),
    })
}

fn looks_like_html(response: &crate::http::Response) -> bool {
    let content_type = response.header("content-type").unwrap_or("");
    if content_type.contains("text/html") {
        return true;
    }
    let start = response
        .body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &response.body[i..])
        .unwrap_or(&[]);
    start.first() == Some(&b'<')
}

/// `: <message>` from a PROTOCOL.md §5 error body, or nothing.
pub fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(|m| m.as_str())
                .map(|m| format!(": {}", m.chars().take(300).collect::<String>()))
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_document_reads_back_as_it_came_and_so_does_an_older_cache() {
        let body = b"{\"config\": {\"model\": \"a\\nb\"}}\n".to_vec();
        let entry = CacheEntry {
            url: "https://ai.example.com".into(),
            etag: Some("\"v1\"".into()),
            fetched_at: 7,
            body: body.clone(),
        };
        let back = CacheEntry::from_bytes(entry.to_bytes()).unwrap();
        assert_eq!(
            (back.body, back.etag, back.fetched_at),
            (body.clone(), entry.etag, 7)
        );

        let older = serde_json::json!({
            "url": "https://ai.example.com", "etag": null, "fetched_at": 3,
            "body": String::from_utf8(body.clone()).unwrap(),
        });
        let back = CacheEntry::from_bytes(serde_json::to_vec(&older).unwrap()).unwrap();
        assert_eq!((back.body, back.fetched_at), (body, 3));
        assert!(CacheEntry::from_bytes(b"{\"url\": 1}".to_vec()).is_none());
    }
}
