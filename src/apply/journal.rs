//! The journal (`$XDG_STATE_HOME/ai-setup/journal.json`): which files a transaction is about to
//! replace, create or remove, by the hash of their bytes before and after, made durable before
//! the first of them is touched. Next to it, the ledger as it will be once every file is
//! written (`ledger.next.json`). Commit saves the ledger, then removes both.
//!
//! A run killed at any instant in between leaves both behind. The next run, under the same
//! lock, reads each file the journal names: a file that hashes to what was to be written takes
//! its record from the next ledger, one that still hashes to what it was keeps its old record,
//! and one that is neither (someone edited it since) gets the entries of both, so that every
//! entry ai-setup may have written stays known as ai-setup's (and shows as drift rather than as
//! the user's own). Neither file holds a value, only hashes, so neither holds a secret.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Change;
use super::ledger::{Ledger, sha256};
use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::write::{remove_leftovers, write_file};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Journal {
    pub files: Vec<Intent>,
}

/// One file a transaction is about to replace, create or remove.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Intent {
    pub path: PathBuf,
    /// sha256 of the file's bytes before and after; `None`: no file.
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Intent {
    pub fn of(change: &Change) -> Self {
        Intent {
            path: change.path.clone(),
            before: change.before.as_deref().map(sha256),
            after: change.after.as_deref().map(sha256),
        }
    }
}

pub fn path(paths: &Paths) -> PathBuf {
    paths.state_dir.join("journal.json")
}

/// The ledger as it will be once the journaled files are written.
pub fn next_ledger_path(paths: &Paths) -> PathBuf {
    paths.state_dir.join("ledger.next.json")
}

/// Writes the next ledger, then the journal, each durably (the writer fsyncs the file and its
/// folder): a journal is never there without its next ledger.
pub fn write(paths: &Paths, journal: &Journal, next: &Ledger) -> Result<()> {
    write_file(&next_ledger_path(paths), &next.to_bytes(), Some(0o600))?;
    let mut bytes = serde_json::to_vec_pretty(journal).expect("the journal serialises");
    bytes.push(b'\n');
    write_file(&path(paths), &bytes, Some(0o600))
}

/// Removes the journal and the next ledger: the transaction was undone.
pub fn remove(paths: &Paths) -> Result<()> {
    for file in [path(paths), next_ledger_path(paths)] {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", &file, e)),
        }
    }
    Ok(())
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

/// Brings `ledger` (the one saved before the interrupted run) in line with what that run left
/// in each file. Returns the folders it was writing in, where temporary files may be left.
///
/// Without a next ledger (the run had saved the ledger and was removing the two), only the
/// clean-up is left.
pub fn replay(journal: &Journal, ledger: &mut Ledger, next: Option<&Ledger>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    // No run that was interrupted, nor one before it, describes the files now.
    ledger.runs.clear();
    for intent in &journal.files {
        if let Some(target) = crate::write::resolve_target(&intent.path)
            .ok()
            .as_deref()
            .and_then(Path::parent)
        {
            dirs.push(target.to_path_buf());
        }
        let Some(next) = next else {
            continue;
        };
        let name = intent.path.display().to_string();
        let current = std::fs::read(&intent.path).ok().map(|b| sha256(&b));
        let old = ledger.files.get(&name).cloned();
        let new = next.files.get(&name).cloned();
        let record = if current == intent.after {
            new
        } else if current == intent.before {
            old
        } else {
            match (old, new) {
                (Some(mut both), Some(new)) => {
                    for (id, entry) in new.keys {
                        both.keys.entry(id).or_insert(entry);
                    }
                    both.written = None;
                    Some(both)
                }
                (one, other) => one.or(other).map(|mut r| {
                    r.written = None;
                    r
                }),
            }
        };
        tracing::info!(path = %intent.path.display(), written = current == intent.after, "recovering an interrupted change");
        match record {
            Some(record) => {
                ledger.files.insert(name, record);
            }
            None => {
                ledger.files.remove(&name);
            }
        }
    }
    dirs
}

/// The next ledger an interrupted run left, if it is there and readable.
pub fn read_next(paths: &Paths) -> Option<Ledger> {
    let bytes = std::fs::read(next_ledger_path(paths)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Finishes what an interrupted run left: the ledger learns what is in the files, leftover
/// temporary files go, and the journal is removed. Called under the apply lock.
pub fn recover(paths: &Paths) -> Result<()> {
    // ai-setup's own files (state, ledger, the credential file, the backups and the kept
    // originals) are written without a journal: a run killed while writing one leaves its
    // temporary file there.
    let (backups, originals) = (
        super::backup::dir(paths),
        super::backup::originals_dir(paths),
    );
    for dir in [&paths.state_dir, &paths.data_dir, &backups, &originals] {
        remove_leftovers(dir);
    }
    let Some(journal) = read(paths)? else {
        // A next ledger without a journal: the run stopped before journaling anything.
        return remove(paths);
    };
    let mut ledger = Ledger::load(paths)?;
    let dirs = replay(&journal, &mut ledger, read_next(paths).as_ref());
    ledger.save(paths)?;
    for dir in &dirs {
        remove_leftovers(dir);
    }
    remove(paths)
}
