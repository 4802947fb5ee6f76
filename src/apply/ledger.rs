//! The ledger: which keys of which files ai-setup manages, for which org and client, with a hash
//! of the value it wrote (`$XDG_STATE_HOME/ai-setup/ledger.json`).
//!
//! It is how ai-setup tells its own entries from the user's without marking the user's files:
//! a key the ledger does not list is the user's and is never overwritten; a listed key whose
//! value no longer hashes to what was written was edited by the user since (drift).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::write::write_file;
use crate::edit::Format;
use crate::error::{Error, Result};
use crate::paths::Paths;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub org: String,
    pub client: String,
    /// sha256 of the canonical JSON of the value written.
    pub hash: String,
    /// A credential entry (OpenCode's auth.json): refreshed even when changed, removed at logout.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credential: bool,
    /// An object ai-setup created to hold its keys: removed again once nothing is left in it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parent: bool,
}

/// What ai-setup manages in one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRecord {
    pub format: Format,
    pub sensitive: bool,
    /// A key is its parts as a JSON array (`["mcp","docs"]`).
    pub keys: BTreeMap<String, Entry>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Ledger {
    #[serde(default)]
    pub files: BTreeMap<String, FileRecord>,
}

pub fn key_id(key: &[String]) -> String {
    serde_json::to_string(key).expect("strings serialise")
}

pub fn key_from_id(id: &str) -> Vec<String> {
    serde_json::from_str(id).unwrap_or_default()
}

/// A hash that does not depend on key order (files may reorder objects; the value is the same).
pub fn hash(value: &Value) -> String {
    fn canonical(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), canonical(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
            other => other.clone(),
        }
    }
    let digest = Sha256::digest(canonical(value).to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Ledger {
    pub fn load(paths: &Paths) -> Result<Self> {
        let path = paths.state_dir.join("ledger.json");
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::failure(format!("{} is corrupt: {e}", path.display()))
                    .hint("restore it from a backup, or remove it: ai-setup then treats every entry as yours")
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(Error::io("read", &path, e)),
        }
    }

    pub fn save(&self, paths: &Paths) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("ledger serialises");
        bytes.push(b'\n');
        write_file(&paths.state_dir.join("ledger.json"), &bytes, Some(0o600))
    }

    /// The keys of `path` managed for `org` and `client`.
    pub fn managed(&self, path: &Path, org: &str, client: &str) -> BTreeMap<String, Entry> {
        self.files
            .get(&path.display().to_string())
            .map(|f| {
                f.keys
                    .iter()
                    .filter(|(_, e)| e.org == org && e.client == client)
                    .map(|(k, e)| (k.clone(), e.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Replaces what the ledger knows of `path` for `org` and `client` with `entries`.
    pub fn record(
        &mut self,
        path: &Path,
        format: Format,
        sensitive: bool,
        org: &str,
        client: &str,
        entries: BTreeMap<String, Entry>,
    ) {
        let name = path.display().to_string();
        let file = self
            .files
            .entry(name.clone())
            .or_insert_with(|| FileRecord {
                format,
                sensitive,
                keys: BTreeMap::new(),
            });
        file.keys
            .retain(|_, e| !(e.org == org && e.client == client));
        file.keys.extend(entries);
        if file.keys.is_empty() {
            self.files.remove(&name);
        }
    }

    /// Files holding keys of `org`: path, client id and the file's record.
    pub fn files_of(&self, org: &str) -> Vec<(String, String, FileRecord)> {
        let mut out = Vec::new();
        for (path, record) in &self.files {
            let mut clients: Vec<&String> = record
                .keys
                .values()
                .filter(|e| e.org == org)
                .map(|e| &e.client)
                .collect();
            clients.sort();
            clients.dedup();
            for client in clients {
                out.push((path.clone(), client.clone(), record.clone()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hash_ignores_key_order_but_not_values() {
        assert_eq!(
            hash(&json!({"a": 1, "b": [1, 2]})),
            hash(&json!({"b": [1, 2], "a": 1}))
        );
        assert_ne!(hash(&json!({"a": 1})), hash(&json!({"a": 2})));
        assert_ne!(hash(&json!([1, 2])), hash(&json!([2, 1])));
    }
}
