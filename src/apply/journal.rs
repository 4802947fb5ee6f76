//! The journal (`$XDG_STATE_HOME/ai-setup/journal.json`): what a transaction is about to do to
//! clients' files, made durable before the first of them is replaced, and removed once the
//! ledger records the result.
//!
//! A run killed at any instant in between leaves it behind. The next run, under the same lock,
//! reads each file it names: a file that hashes to what was to be written gets the new ledger
//! entries, one that still hashes to what it was keeps the old ones, and one that is neither
//! (someone edited it since) gets both, so that every entry ai-setup may have written stays
//! known as ai-setup's (and shows as drift rather than as the user's own). The journal never
//! holds a value, only hashes, so it holds no secret.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Change;
use super::ledger::{Entry, Ledger, sha256};
use super::write::{remove_leftovers, write_file};
use crate::edit::Format;
use crate::error::{Error, Result};
use crate::paths::Paths;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Journal {
    pub files: Vec<Intent>,
}

/// One file a transaction is about to replace, create or remove.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Intent {
    pub org: String,
    pub client: String,
    pub path: PathBuf,
    pub format: Format,
    pub sensitive: bool,
    /// sha256 of the file's bytes before and after; `None`: no file.
    pub before: Option<String>,
    pub after: Option<String>,
    /// The ledger's entries of this org and client in the file, before and after.
    pub entries_before: BTreeMap<String, Entry>,
    pub entries_after: BTreeMap<String, Entry>,
    #[serde(default)]
    pub created_dirs: Vec<PathBuf>,
    #[serde(default)]
    pub scaffold: BTreeMap<String, String>,
}

impl Intent {
    pub fn of(org: &str, change: &Change, ledger: &Ledger) -> Self {
        Intent {
            org: org.to_string(),
            client: change.client.to_string(),
            path: change.path.clone(),
            format: change.format,
            sensitive: change.sensitive,
            before: change.before.as_deref().map(sha256),
            after: change.after.as_deref().map(sha256),
            entries_before: ledger.managed(&change.path, org, change.client),
            entries_after: change.entries.clone(),
            created_dirs: change.created_dirs.clone(),
            scaffold: change.scaffold.clone(),
        }
    }
}

pub fn path(paths: &Paths) -> PathBuf {
    paths.state_dir.join("journal.json")
}

/// Writes the journal durably (the writer fsyncs the file and its folder).
pub fn write(paths: &Paths, journal: &Journal) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(journal).expect("the journal serialises");
    bytes.push(b'\n');
    write_file(&path(paths), &bytes, Some(0o600))
}

pub fn remove(paths: &Paths) -> Result<()> {
    match std::fs::remove_file(path(paths)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("remove", &path(paths), e)),
    }
}

/// The journal an interrupted run left, if any.
pub fn read(paths: &Paths) -> Result<Option<Journal>> {
    let file = path(paths);
    match std::fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::failure(format!("{} is damaged: {e}", file.display())).hint(
                "it lists what an interrupted run was changing; move it away and run `ai-setup doctor`",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", &file, e)),
    }
}

/// Brings `ledger` in line with what the interrupted run left in each file. Returns the
/// folders it was writing in, where temporary files may be left.
pub fn replay(journal: &Journal, ledger: &mut Ledger) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for intent in &journal.files {
        let current = match std::fs::read(&intent.path) {
            Ok(bytes) => Some(sha256(&bytes)),
            Err(_) => None,
        };
        let (entries, written) = if current == intent.after {
            (intent.entries_after.clone(), true)
        } else if current == intent.before {
            (intent.entries_before.clone(), false)
        } else {
            let mut both = intent.entries_before.clone();
            both.extend(intent.entries_after.clone());
            (both, intent.after.is_some())
        };
        tracing::info!(path = %intent.path.display(), written, "recovering an interrupted change");
        ledger.set_entries(
            &intent.path,
            intent.format,
            intent.sensitive,
            &intent.org,
            &intent.client,
            entries,
        );
        if written && let Some(record) = ledger.files.get_mut(&intent.path.display().to_string()) {
            if intent.before.is_none() {
                record.created = true;
                record.created_dirs = intent.created_dirs.clone();
                record.scaffold.extend(intent.scaffold.clone());
            } else if record.original.is_none() && !intent.sensitive {
                // The writer kept the copy before replacing the file.
                record.original = intent.before.clone();
            }
        }
        if let Some(target) = super::write::resolve_target(&intent.path)
            .ok()
            .as_deref()
            .and_then(Path::parent)
        {
            dirs.push(target.to_path_buf());
        }
    }
    dirs
}

/// Finishes what an interrupted run left: the ledger learns what is in the files, leftover
/// temporary files go, and the journal is removed. Called under the apply lock.
pub fn recover(paths: &Paths) -> Result<()> {
    let Some(journal) = read(paths)? else {
        return Ok(());
    };
    let mut ledger = Ledger::load(paths)?;
    let dirs = replay(&journal, &mut ledger);
    ledger.save(paths)?;
    for dir in dirs
        .iter()
        .chain([&paths.state_dir, &paths.state_dir.join("backups")])
    {
        remove_leftovers(dir);
    }
    remove(paths)
}
