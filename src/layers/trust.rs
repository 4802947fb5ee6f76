//! Project files only when trusted, as direnv's `allow` and mise's `trust` do: a
//! `.ai-setup.json[c]` found in the working directory or above is a layer only once the user
//! ran `ai-setup trust` on it, and only while its bytes are the ones trusted (their sha256 is
//! remembered by path in `state.json`). A file changed since is untrusted again. A folder the
//! user happens to stand in (a shared `/tmp`, a cloned repository) therefore changes nothing
//! until they read and trust its file.
//!
//! A file that someone else could have written is refused outright, even when trusted: one
//! owned by another user, one anyone may write, or one in a folder anyone may write without the
//! sticky bit (where anyone may replace it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Reason;

/// What may be done with one project file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Trusted,
    Ignored(Reason),
}

/// The key a file is remembered by: its absolute, symlink-free path.
pub fn key(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

pub fn digest(bytes: &[u8]) -> String {
    crate::apply::ledger::hex(&Sha256::digest(bytes))
}

/// Whether the file at `path`, holding `bytes`, is to be used, given what was `trusted`.
pub fn verdict(path: &Path, bytes: &[u8], trusted: &BTreeMap<String, String>) -> Verdict {
    if let Some(why) = unsafe_reason(path) {
        return Verdict::Ignored(Reason::Unsafe(why));
    }
    match trusted.get(&key(path).display().to_string()) {
        Some(sha) if *sha == digest(bytes) => Verdict::Trusted,
        Some(_) => Verdict::Ignored(Reason::ChangedSinceTrusted),
        None => Verdict::Ignored(Reason::Untrusted),
    }
}

/// Why others could have written the file, if they could.
#[cfg(unix)]
pub fn unsafe_reason(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    const WORLD_WRITABLE: u32 = 0o002;
    const STICKY: u32 = 0o1000;
    let file = std::fs::metadata(path).ok()?;
    let me = rustix::process::geteuid().as_raw();
    if file.uid() != me {
        return Some(format!(
            "it is owned by another user (uid {}), so it is never used",
            file.uid()
        ));
    }
    if file.mode() & WORLD_WRITABLE != 0 {
        return Some("anyone on this machine may change it, so it is never used".into());
    }
    let dir = key(path).parent().map(Path::to_path_buf)?;
    let folder = std::fs::metadata(&dir).ok()?;
    if folder.mode() & WORLD_WRITABLE != 0 && folder.mode() & STICKY == 0 {
        return Some(format!(
            "anyone on this machine may replace it ({} is writable by all, without the \
             sticky bit), so it is never used",
            dir.display()
        ));
    }
    None
}

#[cfg(not(unix))]
pub fn unsafe_reason(_path: &Path) -> Option<String> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn trusted_bytes_only_and_never_a_file_others_may_write() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".ai-setup.json");
        std::fs::write(&file, b"{}").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut trusted = BTreeMap::new();
        assert_eq!(
            verdict(&file, b"{}", &trusted),
            Verdict::Ignored(Reason::Untrusted)
        );
        trusted.insert(key(&file).display().to_string(), digest(b"{}"));
        assert_eq!(verdict(&file, b"{}", &trusted), Verdict::Trusted);
        assert_eq!(
            verdict(&file, b"{ }", &trusted),
            Verdict::Ignored(Reason::ChangedSinceTrusted)
        );

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o646)).unwrap();
        assert!(matches!(
            verdict(&file, b"{}", &trusted),
            Verdict::Ignored(Reason::Unsafe(_))
        ));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(
            verdict(&file, b"{}", &trusted),
            Verdict::Ignored(Reason::Unsafe(why)) if why.contains("sticky")
        ));
        // A shared folder with the sticky bit (as /tmp): only the owner may replace the file.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(verdict(&file, b"{}", &trusted), Verdict::Trusted);
    }
}
