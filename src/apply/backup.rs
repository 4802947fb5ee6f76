//! Backups: before ai-setup replaces a file, the bytes it had are copied to
//! `$XDG_STATE_HOME/ai-setup/backups/` (0600, in a 0700 folder) and listed in `manifest.jsonl`.
//! `ai-setup restore` lists and restores them. The last ten backups of each file are kept.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::write::{create_private_dir, write_file};

const KEEP_PER_FILE: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Backup {
    pub id: String,
    /// Unix time.
    pub time: i64,
    pub client: String,
    /// The file that was backed up.
    pub path: PathBuf,
    pub sha256: String,
    /// Where the copy is.
    pub copy: PathBuf,
}

pub(super) fn dir(paths: &Paths) -> PathBuf {
    paths.state_dir.join("backups")
}

fn manifest(paths: &Paths) -> PathBuf {
    dir(paths).join("manifest.jsonl")
}

/// Every backup that still exists, oldest first.
pub fn list(paths: &Paths) -> Result<Vec<Backup>> {
    let text = match std::fs::read_to_string(manifest(paths)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read", &manifest(paths), e)),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<Backup>(l).ok())
        .filter(|b| b.copy.is_file())
        .collect())
}

/// Copies `bytes`, the current content of `path`, into the backups. Returns the backup's id.
pub fn save(paths: &Paths, client: &str, path: &Path, bytes: &[u8]) -> Result<String> {
    create_private_dir(&dir(paths))?;
    let now = crate::now_unix();
    let existing = list(paths)?;
    let n = existing.iter().filter(|b| b.time == now).count();
    let id = format!("{now}-{n}");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let copy = dir(paths).join(format!("{id}-{client}-{name}"));
    write_file(&copy, bytes, Some(0o600))?;
    let backup = Backup {
        id: id.clone(),
        time: now,
        client: client.to_string(),
        path: path.to_path_buf(),
        sha256: Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        copy,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(manifest(paths))
        .map_err(|e| Error::io("open", &manifest(paths), e))?;
    writeln!(
        file,
        "{}",
        serde_json::to_string(&backup).expect("serialises")
    )
    .map_err(|e| Error::io("write", &manifest(paths), e))?;
    prune(paths, path, existing)?;
    Ok(id)
}

pub(super) fn originals_dir(paths: &Paths) -> PathBuf {
    dir(paths).join("originals")
}

/// Keeps the bytes a file had before ai-setup first changed it, under their sha256.
pub fn keep_original(paths: &Paths, sha: &str, bytes: &[u8]) -> Result<()> {
    let copy = originals_dir(paths).join(sha);
    if copy.is_file() {
        return Ok(());
    }
    write_file(&copy, bytes, Some(0o600))
}

/// The original bytes kept under `sha`, if the copy is there and intact.
pub fn original(paths: &Paths, sha: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(originals_dir(paths).join(sha)).ok()?;
    (super::ledger::sha256(&bytes) == sha).then_some(bytes)
}

/// Removes the originals that no file refers to any more.
pub fn forget_originals(paths: &Paths, still_used: &std::collections::HashSet<&str>) {
    let Ok(entries) = std::fs::read_dir(originals_dir(paths)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with('.') && !still_used.contains(name.as_ref()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Drops a backup taken for a change that was then undone (the file has those bytes again).
/// The manifest lists only copies that exist, so removing the copy is enough.
pub fn discard(paths: &Paths, id: &str) {
    if let Some(backup) = list(paths)
        .ok()
        .and_then(|all| all.into_iter().find(|b| b.id == id))
    {
        let _ = std::fs::remove_file(backup.copy);
    }
}

/// Keeps the newest backups of `path`; the manifest keeps listing only what exists.
fn prune(paths: &Paths, path: &Path, existing: Vec<Backup>) -> Result<()> {
    let of_file: Vec<&Backup> = existing.iter().filter(|b| b.path == path).collect();
    // `existing` does not hold the one just saved, so keep one fewer of the older ones.
    if of_file.len() < KEEP_PER_FILE {
        return Ok(());
    }
    for old in &of_file[..of_file.len() + 1 - KEEP_PER_FILE] {
        let _ = std::fs::remove_file(&old.copy);
    }
    let kept: String = list(paths)?
        .iter()
        .map(|b| serde_json::to_string(b).expect("serialises") + "\n")
        .collect();
    write_file(&manifest(paths), kept.as_bytes(), Some(0o600))
}
