//! Stages 5 and 6, plan and apply.
//!
//! Clients say which keys they want, with which values, in which file ([`Desired`]). Planning
//! reads the file, compares it with the ledger and decides key by key (DESIGN principle 3):
//! - a key that is not there is written;
//! - a key ai-setup wrote, still as it wrote it, is updated;
//! - a key ai-setup wrote that the user has changed since is drift: kept and reported, replaced
//!   only with `--force`;
//! - a key that is there but that ai-setup never wrote is the user's: never touched, reported;
//! - a key ai-setup wrote that is no longer wanted is pruned (unless the user changed it).
//!
//! The result is a [`Change`]: the file's bytes before and after, rendered by the format's
//! lossless editor, without writing anything (`--dry-run` stops there and shows the diff).
//! [`apply`] then checks the file still holds what was planned against, backs it up, and stages
//! the bytes in the transaction's [`write::Batch`]. A file that does not parse is never rewritten: planning
//! fails for that client alone and names the file and position.

pub mod backup;
pub mod journal;
pub mod ledger;
pub mod lock;
pub mod transaction;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::write;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::edit::Step;
use crate::edit::{self, Format};
use crate::error::{Error, Result};
use crate::paths::Paths;
use ledger::{Entry, Ledger, hash, key_from_id, key_id};

/// How a managed key treats changes made by others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Configuration: the user's edits are respected (drift).
    Setting,
    /// A setting like any other, but one a user may well have chosen with the same value
    /// themselves (Codex's `approval_policy`): when the ledger is lost, one that holds the
    /// org's value is left as the user's rather than taken back.
    Policy,
    /// ai-setup's own login entry (OpenCode's auth.json): always refreshed, removed at logout.
    Credential,
    /// Written only into a file ai-setup creates, because the client needs it there (Continue's
    /// `name`/`version`/`schema` header): never updated or pruned afterwards.
    Scaffold,
    /// A choice the client's own dialog writes for the user (Gemini CLI's auth type), which
    /// has to be the org's for the org's settings to take effect: a value already there is
    /// replaced and remembered in the ledger, and put back at any logout. A later change of
    /// the user's is drift, as for a setting.
    Takeover,
}

/// One key a client wants, with its value.
#[derive(Debug, Clone)]
pub struct Managed {
    pub key: Vec<Step>,
    pub value: Value,
    pub kind: Kind,
}

impl Managed {
    pub fn setting(key: Vec<Step>, value: Value) -> Self {
        Managed {
            key,
            value,
            kind: Kind::Setting,
        }
    }
}

/// Everything a client wants in one file for one org.
#[derive(Debug, Clone)]
pub struct Desired {
    pub client: &'static str,
    pub path: PathBuf,
    pub format: Format,
    /// The file holds secrets: mode 0600, and diffs are masked.
    pub sensitive: bool,
    pub keys: Vec<Managed>,
}

/// Which managed keys that are no longer wanted get removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Prune {
    /// Every one: the org no longer has them (login, sync, `logout --restore`).
    Unwanted,
    /// Credentials only (`logout`): settings stay until `logout --restore`.
    Credentials,
}

/// Something the user should know about one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub key: String,
    pub kind: NoteKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A managed key the user changed: kept (`--force` replaces it).
    Drift,
    /// The user's own key with the name the org uses: kept, the org's not written.
    UserEntry,
    /// A managed key the org removed but the user changed: kept, and now the user's.
    KeptChanged,
}

impl Note {
    pub fn describe(&self) -> String {
        if self.key == edit::text::WHOLE_FILE {
            return match self.kind {
                NoteKind::Drift => {
                    "the file was changed outside ai-setup: kept (--force replaces it)".into()
                }
                NoteKind::UserEntry => {
                    "the file is your own: kept, the org's was not written".into()
                }
                NoteKind::KeptChanged => {
                    "the org no longer has this file but you changed it: kept as yours".into()
                }
            };
        }
        match self.kind {
            NoteKind::Drift => format!(
                "'{}' was changed outside ai-setup: kept (--force replaces it)",
                self.key
            ),
            NoteKind::UserEntry => format!(
                "'{}' is your own entry: kept, the org's was not written",
                self.key
            ),
            NoteKind::KeptChanged => format!(
                "'{}' is no longer the org's but you changed it: kept as yours",
                self.key
            ),
        }
    }
}

/// A planned change: the file's bytes now and after (`None`: no file), and what the ledger
/// will say.
#[derive(Debug, Clone)]
pub struct Change {
    pub client: &'static str,
    pub path: PathBuf,
    pub format: Format,
    pub sensitive: bool,
    pub before: Option<Vec<u8>>,
    pub after: Option<Vec<u8>>,
    /// The ledger's entries for this org and client in this file after the change.
    pub entries: BTreeMap<String, Entry>,
    /// Scaffold keys written into a new file, by key id, with their value's hash.
    pub scaffold: BTreeMap<String, String>,
    /// Folders the change creates for a new file, or, when it removes the file, the folders
    /// ai-setup created for it (removed too when empty); outermost first.
    pub created_dirs: Vec<PathBuf>,
    /// sha256 of `before`, once computed.
    pub before_sha: Option<String>,
    /// The file's inode, size and modification time, taken before it was read.
    pub before_stat: Option<write::Stat>,
    /// Planned without reading the file: it and the plan are as when ai-setup last wrote it
    /// (`before` and `after` are then both `None`, and nothing is recorded).
    pub unread: bool,
    /// ai-setup changes this file for the first time: the sha256 of its bytes, whose copy is
    /// kept so that a restore can give them back (see `FileRecord::original`).
    pub keep_original: Option<String>,
    /// Identifies what was asked for (keys, values, kinds, flags): the same plan against the
    /// same bytes gives the same change.
    pub plan_id: String,
    pub notes: Vec<Note>,
}

impl Change {
    /// The change of a file known to hold what ai-setup last wrote there for the same plan:
    /// none, planned without reading the file. It carries no entries: the ledger does not
    /// record an unread change (its record stays as it is). The caller adds the stat, plan
    /// and notes it knows.
    pub fn unread(client: &'static str, path: &Path, format: Format, sensitive: bool) -> Change {
        Change {
            client,
            path: path.to_path_buf(),
            format,
            sensitive,
            before: None,
            after: None,
            entries: BTreeMap::new(),
            scaffold: BTreeMap::new(),
            created_dirs: Vec::new(),
            keep_original: None,
            before_sha: None,
            before_stat: None,
            unread: true,
            plan_id: String::new(),
            notes: Vec::new(),
        }
    }

    pub fn is_noop(&self) -> bool {
        self.before == self.after
    }

    /// The file is there now and the change removes it (it was ai-setup's, and is empty again).
    pub fn removes_file(&self) -> bool {
        self.before.is_some() && self.after.is_none()
    }
}

/// What was asked of one file, as one hash: the same plan against unchanged bytes needs no parse.
/// Everything is streamed into one hasher, so that a plan that matches costs one pass over the
/// values (an org can have thousands) and no hash per value.
fn plan_id(desired: &Desired, org: &str, force: bool, prune: Prune) -> String {
    let mut hasher = Sha256::new();
    ledger::hash_scalar(
        &(
            org,
            desired.client,
            desired.format,
            desired.sensitive,
            force,
            prune,
        ),
        &mut hasher,
    );
    for want in &desired.keys {
        ledger::hash_scalar(&(&want.key, want.kind), &mut hasher);
        ledger::hash_into(&want.value, &mut hasher);
    }
    ledger::hex(&hasher.finalize())
}

/// Folders looked for while planning, so that files side by side (an org's fifty commands)
/// look their folders up once. Nothing is created while a plan is made, so what was found
/// stays true for as long as the plan is being made; a plan made later needs a new one.
#[derive(Default)]
pub struct Folders(std::sync::Mutex<std::collections::HashMap<PathBuf, bool>>);

impl Folders {
    fn exist(&self, dir: &Path) -> bool {
        if let Some(&found) = self.0.lock().expect("not poisoned").get(dir) {
            return found;
        }
        let found = dir.exists();
        self.0
            .lock()
            .expect("not poisoned")
            .insert(dir.to_path_buf(), found);
        found
    }
}

/// Plans `desired` for `org` against the file and the ledger.
pub fn plan(
    desired: &Desired,
    ledger: &Ledger,
    org: &str,
    force: bool,
    prune: Prune,
    paths: &Paths,
    folders: &Folders,
) -> Result<Change> {
    let record = ledger.files.get(&desired.path.display().to_string());
    let plan_id = plan_id(desired, org, force, prune);
    // One look at the file says whether it is there, what it looks like and whether it is
    // read-only.
    let metadata = std::fs::metadata(&desired.path);
    let before_stat = metadata.as_ref().ok().and_then(write::Stat::of);
    if let Some(record) = record
        && let Some(written) = &record.written
        && written.plan == plan_id
        && written.stat.is_some()
        && written.stat == before_stat
    {
        return Ok(Change {
            before_stat,
            plan_id,
            notes: written.notes.clone(),
            ..Change::unread(
                desired.client,
                &desired.path,
                desired.format,
                desired.sensitive,
            )
        });
    }
    let managed = ledger.managed(&desired.path, org, desired.client);
    let missing = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    let before = match &metadata {
        Err(e) if missing(e) => None,
        _ => match std::fs::read(&desired.path) {
            Ok(bytes) => Some(bytes),
            Err(e) if missing(&e) => None,
            Err(e) => return Err(Error::io("read", &desired.path, e)),
        },
    };
    let mut change = Change {
        client: desired.client,
        path: desired.path.clone(),
        format: desired.format,
        sensitive: desired.sensitive,
        after: before.clone(),
        before,
        entries: BTreeMap::new(),
        scaffold: BTreeMap::new(),
        created_dirs: Vec::new(),
        keep_original: None,
        before_sha: None,
        before_stat,
        unread: false,
        plan_id,
        notes: Vec::new(),
    };
    if change.before.is_none() && desired.keys.iter().all(|k| k.kind == Kind::Scaffold) {
        return Ok(change);
    }
    // The file holds exactly what ai-setup last wrote for this very plan: nothing to do, and
    // no need to parse it (a client file can be tens of megabytes).
    change.before_sha = change.before.as_deref().map(ledger::sha256);
    if let (Some(record), Some(sha)) = (record, &change.before_sha)
        && let Some(written) = &record.written
        && written.plan == change.plan_id
        && &written.bytes == sha
    {
        change.entries = managed;
        change.notes = written.notes.clone();
        return Ok(change);
    }
    let mut doc = edit::parse(desired.format, change.before.as_deref()).map_err(|e| {
        e.context(desired.path.display()).hint(
            "fix the file (or move it away) and run again; ai-setup never rewrites a file it cannot parse",
        )
    })?;
    let creating = change.before.is_none();
    if creating {
        change.created_dirs = missing_dirs(&desired.path, folders)?;
    }
    let entry = |hash: String, kind: Kind| Entry {
        org: org.to_string(),
        client: desired.client.to_string(),
        hash,
        credential: kind == Kind::Credential,
        parent: false,
        took_over: kind == Kind::Takeover,
        replaced: None,
    };
    // Reads come from one snapshot of the file as it was; the editor is for writes (and for
    // parents, which are looked at after removals).
    let snapshot = doc.snapshot();
    let current_of = |key: &[Step]| edit::lookup(&snapshot, key).cloned();
    let mut edited = false;
    // Writes are applied together, so that an editor can build new sections in one go.
    let mut writes: Vec<(Vec<Step>, Value)> = Vec::new();

    // Each value is hashed once: an org can have thousands.
    let hashes: Vec<String> = desired.keys.iter().map(|m| hash(&m.value)).collect();
    let hollow = hash(&Value::Object(Default::default()));
    for (want, want_hash) in desired.keys.iter().zip(&hashes) {
        let id = key_id(&want.key);
        if want.kind == Kind::Scaffold {
            if creating {
                writes.push((want.key.clone(), want.value.clone()));
                change.scaffold.insert(id, want_hash.clone());
            }
            continue;
        }
        let current = current_of(&want.key);
        match (&current, managed.get(&id)) {
            (None, _) => {
                // The first missing parent is created along with the key: remember it, so
                // that pruning can take it away again and leave the file as it was.
                if let Some(parent) = (1..want.key.len())
                    .map(|i| &want.key[..i])
                    .find(|p| !doc.has(p))
                {
                    change.entries.insert(
                        key_id(parent),
                        Entry {
                            parent: true,
                            ..entry(hollow.clone(), want.kind)
                        },
                    );
                }
                writes.push((want.key.clone(), want.value.clone()));
                change
                    .entries
                    .insert(id, entry(want_hash.clone(), want.kind));
            }
            (Some(cur), Some(was))
                if want.kind == Kind::Credential || hash(cur) == was.hash || force =>
            {
                if cur != &want.value {
                    writes.push((want.key.clone(), want.value.clone()));
                }
                let entry = Entry {
                    replaced: was.replaced.clone(),
                    ..entry(want_hash.clone(), want.kind)
                };
                change.entries.insert(id, entry);
            }
            (Some(_), Some(was)) => {
                change.notes.push(Note {
                    key: edit::display(&want.key),
                    kind: NoteKind::Drift,
                });
                change.entries.insert(id, was.clone());
            }
            // Not one another org of ai-setup's holds: that one gives it back at its logout.
            (Some(cur), None)
                if want.kind == Kind::Takeover
                    && !record.is_some_and(|r| r.keys.contains_key(&id)) =>
            {
                writes.push((want.key.clone(), want.value.clone()));
                let entry = Entry {
                    replaced: Some(cur.clone()),
                    ..entry(want_hash.clone(), want.kind)
                };
                change.entries.insert(id, entry);
            }
            (Some(_), None) => change.notes.push(Note {
                key: edit::display(&want.key),
                kind: NoteKind::UserEntry,
            }),
        }
    }

    edited |= !writes.is_empty();
    doc.set_many(&writes)?;

    let wanted: std::collections::HashSet<String> =
        desired.keys.iter().map(|m| key_id(&m.key)).collect();
    // Keys first, then the parents they were in, deepest first. Ids were checked when the
    // ledger was loaded.
    let mut unwanted: Vec<(&String, &Entry, Vec<Step>)> = managed
        .iter()
        .filter(|(id, e)| !wanted.contains(*id) && !change.entries.contains_key(*id) || e.parent)
        .filter_map(|(id, e)| Some((id, e, key_from_id(id)?)))
        .collect();
    unwanted.sort_by_key(|(_, e, key)| (e.parent, std::cmp::Reverse(key.len())));
    for (id, was, key) in unwanted {
        if prune == Prune::Credentials && !was.credential && !was.took_over {
            change.entries.insert(id.clone(), was.clone());
            continue;
        }
        if was.parent {
            let still_used = desired.keys.iter().any(|m| m.key.starts_with(&key));
            match doc.get(&key) {
                _ if still_used => {
                    change.entries.insert(id.clone(), was.clone());
                }
                Some(v) if is_hollow(&v) => {
                    edited |= doc.remove(&key);
                }
                _ => {}
            }
            continue;
        }
        match current_of(&key) {
            None => {}
            Some(cur) if hash(&cur) == was.hash || was.credential || force => match &was.replaced {
                Some(value) => {
                    doc.set(&key, value)?;
                    edited = true;
                }
                None => edited |= doc.remove(&key),
            },
            Some(_) => change.notes.push(Note {
                key: edit::display(&key),
                kind: NoteKind::KeptChanged,
            }),
        }
    }
    if edited {
        change.after = Some(doc.render());
    }
    if record.is_none() && !desired.sensitive && !change.entries.is_empty() {
        change.keep_original = change.before_sha.clone();
    }
    let last_of_ours = change.entries.is_empty()
        && record.is_some_and(|r| {
            !r.keys
                .values()
                .any(|e| !(e.org == org && e.client == desired.client))
        });
    match record {
        // A file ai-setup created goes again once nothing of anyone's is left in it.
        Some(record)
            if last_of_ours && record.created && holds_nothing_but(&*doc, &record.scaffold) =>
        {
            change.after = None;
            change.created_dirs = record.created_dirs.clone();
        }
        // A file ai-setup changed gets its very bytes back once it says what it said then.
        Some(record) if last_of_ours && edited => {
            if let Some(bytes) = record
                .original
                .as_deref()
                .and_then(|sha| backup::original(paths, sha))
                && edit::parse(desired.format, Some(&bytes))
                    .is_ok_and(|was| was.snapshot() == doc.snapshot())
            {
                change.after = Some(bytes);
            }
        }
        _ => {}
    }
    // A file the user made read-only says "leave this alone": it is reported as one that
    // cannot be parsed is, and left as it is, unless --force.
    let read_only = metadata.is_ok_and(|m| m.permissions().readonly());
    if change.after != change.before && !force && read_only {
        return Err(Error::failure(format!(
            "{} is read-only",
            desired.path.display()
        ))
        .hint("ai-setup never rewrites a read-only file: make it writable (chmod u+w) or pass --force to replace it"));
    }
    Ok(change)
}

/// Whether the document is empty apart from scaffold keys that still hold what was written.
fn holds_nothing_but(doc: &dyn edit::Doc, scaffold: &BTreeMap<String, String>) -> bool {
    let mut rest = doc.snapshot();
    for (id, written) in scaffold {
        let Some(key) = key_from_id(id) else { continue };
        let Some((Step::Name(last), parents)) = key.split_last() else {
            continue;
        };
        let parent = if parents.is_empty() {
            Some(&mut rest)
        } else {
            edit::lookup_mut(&mut rest, parents)
        };
        if let Some(Value::Object(map)) = parent
            && map.get(last).is_some_and(|v| &hash(v) == written)
        {
            map.shift_remove(last);
        }
    }
    is_hollow(&rest)
}

/// The folders that writing `path` would create, outermost first (through symlinks, as the
/// writer goes).
fn missing_dirs(path: &std::path::Path, folders: &Folders) -> Result<Vec<PathBuf>> {
    let target = write::resolve_target(path)?;
    let mut missing: Vec<PathBuf> = target
        .ancestors()
        .skip(1)
        .take_while(|dir| !dir.as_os_str().is_empty() && !folders.exist(dir))
        .map(|dir| dir.to_path_buf())
        .collect();
    missing.reverse();
    Ok(missing)
}

/// An object or list with nothing in it but other hollow objects.
fn is_hollow(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.values().all(is_hollow),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Removed,
    Unchanged,
    WouldCreate,
    WouldUpdate,
    WouldRemove,
}

impl Outcome {
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Removed => "removed",
            Outcome::Unchanged => "unchanged",
            Outcome::WouldCreate => "would create",
            Outcome::WouldUpdate => "would update",
            Outcome::WouldRemove => "would remove",
        }
    }

    /// What the change will do, before it is done (`--dry-run`).
    pub fn planned(change: &Change) -> Self {
        match (&change.before, &change.after) {
            _ if change.is_noop() => Outcome::Unchanged,
            (None, _) => Outcome::WouldCreate,
            (Some(_), None) => Outcome::WouldRemove,
            (Some(_), Some(_)) => Outcome::WouldUpdate,
        }
    }

    /// What the change did, once applied.
    pub fn done(change: &Change) -> Self {
        match Outcome::planned(change) {
            Outcome::WouldCreate => Outcome::Created,
            Outcome::WouldRemove => Outcome::Removed,
            Outcome::WouldUpdate => Outcome::Updated,
            other => other,
        }
    }
}

/// Applies `change`, unless it changes nothing: checks the file is still as planned, backs it
/// up (unless it holds credentials), then removes it, or stages its new bytes in `batch`,
/// which the caller lands. Returns the backup's id, if one was made.
pub fn apply(change: &Change, paths: &Paths, batch: &mut write::Batch) -> Result<Option<String>> {
    if change.is_noop() {
        return Ok(None);
    }
    // A file planned as new is not looked for again: it lands only where there is still
    // none (see `Batch::stage_new`), which also covers one that appears after this check.
    if change.before.is_some() || change.after.is_none() {
        let current = match std::fs::read(&change.path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read", &change.path, e)),
        };
        if current != change.before {
            return Err(Error::failure(format!(
                "{} changed while ai-setup was preparing its edit",
                change.path.display()
            ))
            .hint("run the command again"));
        }
    }
    // Files that hold credentials are not copied: a backup would be one more place a secret
    // lives. ai-setup changes only its own entry in them, and their client rewrites them anyway.
    let backup = match change.before.as_ref().filter(|_| !change.sensitive) {
        Some(before) => Some(backup::save(paths, change.client, &change.path, before)?),
        None => None,
    };
    if let (Some(sha), Some(before)) = (&change.keep_original, &change.before) {
        backup::keep_original(paths, sha, before)?;
    }
    let secret = change.sensitive.then_some(0o600);
    match (&change.after, &change.before) {
        // A new file gets 0644 (0600 if it holds secrets); one that is there keeps its mode.
        (Some(after), None) => batch.stage_new(&change.path, after, secret.unwrap_or(0o644))?,
        (Some(after), Some(_)) => batch.stage(&change.path, after, secret)?,
        (None, _) => write::remove_file(&change.path, &change.created_dirs)?,
    }
    Ok(backup)
}

/// A unified diff of the change. In files that hold secrets, the values of credential-like keys
/// are masked on every line, the user's other credentials included.
pub fn diff(change: &Change, paths: &Paths) -> String {
    let text = |b: &Option<Vec<u8>>| {
        let s = b
            .as_deref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        if change.sensitive {
            s.lines()
                .map(mask_credential)
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        } else {
            s
        }
    };
    let (old, new) = (text(&change.before), text(&change.after));
    let name = paths.display(&change.path);
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(
            &if change.before.is_some() {
                format!("a/{name}")
            } else {
                "/dev/null".into()
            },
            &if change.after.is_some() {
                format!("b/{name}")
            } else {
                "/dev/null".into()
            },
        )
        .to_string()
}

/// Keys whose string values are credentials in the JSON files clients keep them in.
const CREDENTIAL_KEYS: &[&str] = &["token", "key", "access", "refresh", "apiKey", "secret"];

/// `"token": "abc",` becomes `"token": "***",`.
fn mask_credential(line: &str) -> String {
    let trimmed = line.trim_start();
    for key in CREDENTIAL_KEYS {
        let prefix = format!("\"{key}\": \"");
        if trimmed.starts_with(&prefix) {
            let indent = &line[..line.len() - trimmed.len()];
            let comma = if trimmed.ends_with(',') { "," } else { "" };
            return format!("{indent}{prefix}***\"{comma}");
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credential_values_are_masked() {
        assert_eq!(
            mask_credential(r#"    "token": "eyJabc","#),
            r#"    "token": "***","#
        );
        assert_eq!(mask_credential(r#"  "key": "sk-1""#), r#"  "key": "***""#);
        assert_eq!(
            mask_credential(r#"  "type": "api","#),
            r#"  "type": "api","#
        );
    }

    fn key(k: &str) -> Vec<Step> {
        k.split('.').map(Step::from).collect()
    }

    /// Plans and applies `keys` into `path` for org "o", recording the ledger; returns notes.
    fn run(
        path: &std::path::Path,
        ledger: &mut Ledger,
        keys: Vec<(&str, Value)>,
        force: bool,
    ) -> Vec<NoteKind> {
        let keys = keys.into_iter().map(|(k, v)| (k, v, Kind::Setting));
        run_as("o", path, ledger, keys.collect(), force, Prune::Unwanted)
    }

    /// [`run`] for `org`, with each key's kind and a way of pruning.
    fn run_as(
        org: &str,
        path: &std::path::Path,
        ledger: &mut Ledger,
        keys: Vec<(&str, Value, Kind)>,
        force: bool,
        prune: Prune,
    ) -> Vec<NoteKind> {
        let desired = Desired {
            client: "test",
            path: path.to_path_buf(),
            format: Format::Jsonc,
            sensitive: false,
            keys: keys
                .into_iter()
                .map(|(k, value, kind)| Managed {
                    key: key(k),
                    value,
                    kind,
                })
                .collect(),
        };
        let paths = Paths::under_home(path.parent().unwrap());
        let change = plan(
            &desired,
            ledger,
            org,
            force,
            prune,
            &paths,
            &Folders::default(),
        )
        .unwrap();
        let mut batch = write::Batch::default();
        apply(&change, &paths, &mut batch).unwrap();
        batch.land(|_| {}).unwrap();
        ledger.record(org, &change);
        change.notes.iter().map(|n| n.kind).collect()
    }

    /// A key the client's own dialog wrote is replaced, and its value put back at any logout;
    /// one another org took over is left to that org, which gives the user's value back.
    #[test]
    fn a_taken_over_key_gets_the_users_value_back_at_logout() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let mine = "{\n  \"auth\": {\"type\": \"oauth\"}\n}\n";
        std::fs::write(&path, mine).unwrap();
        let mut ledger = Ledger::default();
        let take = || vec![("auth.type", json!("api-key"), Kind::Takeover)];
        let read = || std::fs::read_to_string(&path).unwrap();

        let notes = run_as("a", &path, &mut ledger, take(), false, Prune::Unwanted);
        assert!(notes.is_empty(), "{notes:?}");
        assert!(read().contains("\"api-key\""), "{}", read());
        // A second org wants the same: the first holds it.
        let notes = run_as("b", &path, &mut ledger, take(), false, Prune::Unwanted);
        assert_eq!(notes, [NoteKind::UserEntry]);
        // Another sync keeps what was replaced.
        run_as("a", &path, &mut ledger, take(), false, Prune::Unwanted);
        // A plain logout (credentials only) gives it back, byte for byte.
        run_as("a", &path, &mut ledger, vec![], false, Prune::Credentials);
        assert_eq!(read(), mine);
        run_as("b", &path, &mut ledger, vec![], false, Prune::Unwanted);
        assert_eq!(read(), mine);
    }

    #[test]
    fn user_entries_drift_and_pruning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        std::fs::write(&path, "{\n  // mine\n  \"servers\": {\"user\": 1},\n}\n").unwrap();
        let mut ledger = Ledger::default();
        let read = |p: &std::path::Path| {
            jsonc_parser::parse_to_serde_value::<Value>(
                &std::fs::read_to_string(p).unwrap(),
                &Default::default(),
            )
            .unwrap()
        };

        // The user's "user" server has the org's name: it stays and is reported.
        let notes = run(
            &path,
            &mut ledger,
            vec![("servers.org", json!(1)), ("servers.user", json!(2))],
            false,
        );
        assert_eq!(notes, [NoteKind::UserEntry]);
        assert_eq!(read(&path)["servers"], json!({"user": 1, "org": 1}));

        // The user edits the managed entry: drift, kept; --force replaces it.
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"org\": 1", "\"org\": 5");
        std::fs::write(&path, text).unwrap();
        let notes = run(&path, &mut ledger, vec![("servers.org", json!(1))], false);
        assert_eq!(notes, [NoteKind::Drift]);
        assert_eq!(read(&path)["servers"]["org"], 5);
        let notes = run(&path, &mut ledger, vec![("servers.org", json!(1))], true);
        assert!(notes.is_empty());
        assert_eq!(read(&path)["servers"]["org"], 1);

        // The org drops it: pruned, and the user's entry and comment stay.
        run(&path, &mut ledger, vec![], false);
        assert_eq!(read(&path)["servers"], json!({"user": 1}));
        assert!(std::fs::read_to_string(&path).unwrap().contains("// mine"));
        assert!(ledger.files.is_empty());
    }
}
