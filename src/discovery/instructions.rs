//! The org's instructions (`config.instructions`, OpenCode's list of rule files): the text of
//! each URL, fetched with the document and cached beside it for offline use.
//!
//! OpenCode fetches them itself; every other client gets their text in its own rules file
//! (see `clients::artifacts`), so it has to be here before translation. Entries that are not
//! URLs are paths: a relative one (`AGENTS.md`) names a project's file, which clients that read
//! such files find themselves.
//!
//! What the org names is never a way to read this machine: the text ends up in what clients
//! send to the org's models. So an absolute or `~/` path is not read (`~/.ssh/id_ed25519` would
//! go to the org), and a URL is fetched only from the org's own origin or over HTTPS from a
//! host that is not this machine (`http://127.0.0.1:…` would reach the user's local services).
//!
//! Limits: at most [`MAX_ENTRIES`] URLs, each answer within the HTTP limits (1 MiB, the
//! timeouts, HTTPS except loopback) and UTF-8. The token goes only to the org's own origin. A
//! URL that cannot be fetched now keeps its cached text, with a warning; one never fetched is
//! left out, with a warning.

use std::path::PathBuf;

use serde_json::Value;
use url::Url;

use super::Document;
use crate::http::Http;
use crate::paths::Paths;

/// How many instruction URLs are fetched.
pub const MAX_ENTRIES: usize = 20;

/// One instruction's text and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    pub source: String,
    pub text: String,
}

/// The org's instructions that ai-setup carries (URLs), in the document's order, and warnings about those it could not get.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    pub texts: Vec<Instruction>,
    pub warnings: Vec<String>,
    /// Fresh copies to cache once the command succeeds.
    fresh: Vec<(PathBuf, String)>,
}

impl Fetched {
    pub fn remember(&self) {
        for (path, text) in &self.fresh {
            // A cache: failing to write it must not fail the command.
            let _ = crate::write::write_file(path, text.as_bytes(), Some(0o600));
        }
    }
}

/// The entries of `config.instructions`, as strings.
pub fn entries(config: Option<&serde_json::Map<String, Value>>) -> Vec<String> {
    config
        .and_then(|c| c.get("instructions"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether an entry is a project's file (a relative path or glob), which clients find in the
/// project themselves.
pub fn is_project_file(entry: &str) -> bool {
    !(is_url(entry) || entry.starts_with('/') || entry.starts_with("~/"))
}

fn is_url(entry: &str) -> bool {
    entry.starts_with("https://") || entry.starts_with("http://")
}

fn cache_path(paths: &Paths, url: &str) -> PathBuf {
    let name = crate::paths::name_for(url, 12);
    paths
        .discovery_cache_dir()
        .join("instructions")
        .join(format!("{name}.md"))
}

/// Why an entry the org names is not read, if it is not.
fn refused(org: &Url, entry: &str) -> Option<&'static str> {
    if !is_url(entry) {
        return Some("ai-setup reads no file of this machine that the org names");
    }
    let url = Url::parse(entry).ok()?;
    let own = url.origin() == org.origin();
    let local = crate::http::is_loopback(&url);
    (!own && (local || url.scheme() != "https")).then_some(
        "ai-setup fetches instructions only from the org itself or over HTTPS from another host",
    )
}

/// The instructions' texts as cached: no network.
pub fn cached(paths: &Paths, org: &Url, document: &Document) -> Fetched {
    let mut fetched = Fetched::default();
    for entry in document
        .instructions()
        .into_iter()
        .filter(|e| !is_project_file(e))
    {
        let text = match refused(org, &entry) {
            Some(why) => Err(why.to_string()),
            None => std::fs::read_to_string(cache_path(paths, &entry)).map_err(|e| e.to_string()),
        };
        match text {
            Ok(text) => fetched.texts.push(Instruction {
                source: entry,
                text,
            }),
            Err(why) => fetched.warnings.push(format!(
                "the org's instructions {entry} are left out: {why}"
            )),
        }
    }
    fetched
}

/// Fetches the instruction URLs of `document` (the org at `org`, whose `token` goes only to
/// its own origin).
pub async fn fetch(
    http: &Http,
    paths: &Paths,
    org: &Url,
    token: Option<&str>,
    document: &Document,
) -> Fetched {
    let mut fetched = Fetched::default();
    let all = document.instructions();
    let urls = all.iter().filter(|e| is_url(e)).count();
    if urls > MAX_ENTRIES {
        fetched.warnings.push(format!(
            "the org lists {urls} instruction URLs: only the first {MAX_ENTRIES} are used"
        ));
    }
    let mut seen_urls = 0;
    for entry in all.into_iter().filter(|e| !is_project_file(e)) {
        if let Some(why) = refused(org, &entry) {
            fetched.warnings.push(format!(
                "the org's instructions {entry} are left out: {why}"
            ));
            continue;
        }
        seen_urls += 1;
        if seen_urls > MAX_ENTRIES {
            continue;
        }
        let cache = cache_path(paths, &entry);
        match get(http, org, token, &entry).await {
            Ok(text) => {
                fetched.fresh.push((cache, text.clone()));
                fetched.texts.push(Instruction {
                    source: entry,
                    text,
                });
            }
            Err(why) => match std::fs::read_to_string(&cache) {
                Ok(text) => {
                    fetched.warnings.push(format!(
                        "the org's instructions {entry} could not be fetched ({why}): using the copy fetched before"
                    ));
                    fetched.texts.push(Instruction {
                        source: entry,
                        text,
                    });
                }
                Err(_) => fetched.warnings.push(format!(
                    "the org's instructions {entry} are left out: {why}"
                )),
            },
        }
    }
    fetched
}

async fn get(http: &Http, org: &Url, token: Option<&str>, entry: &str) -> Result<String, String> {
    let url = Url::parse(entry).map_err(|e| format!("not a URL: {e}"))?;
    let same_origin = url.origin() == org.origin();
    let response = http
        .get(&url, token.filter(|_| same_origin), &[])
        .await
        .map_err(|e| e.message)?;
    if response.status != 200 {
        return Err(format!("HTTP {}", response.status));
    }
    String::from_utf8(response.body).map_err(|_| "the answer is not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_files_are_told_from_urls_and_local_files() {
        assert!(is_project_file("AGENTS.md"));
        assert!(is_project_file("docs/**/*.md"));
        assert!(!is_project_file("https://example.com/rules.md"));
        assert!(!is_project_file("~/rules.md"));
        assert!(!is_project_file("/etc/rules.md"));
    }
}
