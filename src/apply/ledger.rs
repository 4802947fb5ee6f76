//! The ledger: which keys of which files ai-setup manages, for which org and client, with a hash
//! of the value it wrote (`$XDG_STATE_HOME/ai-setup/ledger.json`).
//!
//! It is how ai-setup tells its own entries from the user's without marking the user's files:
//! a key the ledger does not list is the user's and is never overwritten; a listed key whose
//! value no longer hashes to what was written was edited by the user since (drift).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Change, Desired, Kind};
use crate::edit::{Format, Step};
use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::write::write_file;

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
    /// A value ai-setup took over (see [`crate::apply::Kind::Takeover`]): at logout it is put
    /// back as `replaced` says, or removed when the user had none.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub took_over: bool,
    /// The user's value before ai-setup took the key over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced: Option<Value>,
}

/// What ai-setup manages in one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub format: Format,
    pub sensitive: bool,
    /// A key is its steps as a JSON array (`["mcp","docs"]`; a list element is an object,
    /// `["mcpServers",{"field":"name","value":"docs"}]`).
    pub keys: BTreeMap<String, Entry>,
    /// ai-setup created the file: once nothing of anyone's is left in it, it is removed again,
    /// with the folders ai-setup made for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub created: bool,
    /// The folders ai-setup created for the file, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created_dirs: Vec<PathBuf>,
    /// Keys written only into a file ai-setup creates (Continue's header), by key id, with the
    /// hash of their value: never pruned, and not counted as content when the file is removed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scaffold: BTreeMap<String, String>,
    /// The sha256 of the file's bytes before ai-setup first changed it, whose copy is kept in
    /// `originals/` (not for files with secrets): once nothing of ai-setup's is left in the
    /// file and it says what it said then, it gets those bytes back, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// The sha256 of the bytes ai-setup last wrote, and of the plan that produced them: a file
    /// that still holds those bytes, planned again the same way, needs no parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<Written>,
}

impl FileRecord {
    /// A file ai-setup has recorded nothing of yet.
    pub fn new(format: Format, sensitive: bool) -> Self {
        FileRecord {
            format,
            sensitive,
            keys: BTreeMap::new(),
            created: false,
            created_dirs: Vec::new(),
            scaffold: BTreeMap::new(),
            original: None,
            written: None,
        }
    }

    /// The entries `org` and `client` have here.
    pub fn managed(&self, org: &str, client: &str) -> BTreeMap<String, Entry> {
        self.keys
            .iter()
            .filter(|(_, e)| e.org == org && e.client == client)
            .map(|(k, e)| (k.clone(), e.clone()))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Written {
    pub bytes: String,
    pub plan: String,
    /// The file's inode, size and modification time when it held those bytes: while they are
    /// the same, planning the same plan again does not even read the file. (A write in place
    /// that kept the size within the filesystem's clock tick would go unseen until the next
    /// change of plan; clients replace these files, which gives a new inode.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<crate::write::Stat>,
    /// What planning said about the file then (drift, the user's own entries), said again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<super::Note>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    #[serde(default)]
    pub files: BTreeMap<String, FileRecord>,
    /// The last complete run of each org, by org.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub runs: BTreeMap<String, Run>,
}

/// What an org's last complete `login` or `sync` was planned from, and the files it planned.
/// A sync from the same inputs, over files that are each as that run left them, would plan
/// the same unchanged files again: it is answered from here, without translating the org's
/// configuration or planning a file (`engine::sync`). Any other change an org stages drops
/// its run (`Transaction::commit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The sha256 of everything the run's plan depends on (`engine::sync::inputs`).
    pub inputs: String,
    /// Every file planned, in the clients' order.
    pub files: Vec<RunFile>,
    /// What translating the configuration warned about, said again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// What each client could not express, by client id, said again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub gaps: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFile {
    pub client: String,
    pub path: String,
    pub format: Format,
    pub sensitive: bool,
    /// The file's inode, size and modification time when the run ended (`None`: there was
    /// no file): while they are the same, nobody has written it since.
    pub stat: Option<crate::write::Stat>,
    /// What planning said about the file (drift, the user's own entries), said again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<super::Note>,
}

pub fn key_id(key: &[Step]) -> String {
    serde_json::to_string(key).expect("steps serialise")
}

/// The steps of a key id; `None` for an id that is not a non-empty array of steps (a ledger
/// edited by hand), which loading refuses.
pub fn key_from_id(id: &str) -> Option<Vec<Step>> {
    serde_json::from_str::<Vec<Step>>(id)
        .ok()
        .filter(|k| !k.is_empty())
}

/// sha256 of bytes, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A hash that does not depend on key order (files may reorder objects; the value is the same).
/// It is the sha256 of the value's compact JSON with every object's keys sorted, written
/// straight into the hasher: thousands of entries are hashed on every plan.
pub fn hash(value: &Value) -> String {
    let mut hasher = Sha256::new();
    hash_into(value, &mut hasher);
    hex(&hasher.finalize())
}

/// Feeds `value`'s canonical JSON (as [`hash`] hashes it) into `out`.
pub fn hash_into(value: &Value, out: &mut Sha256) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.update(b"{");
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.update(b",");
                }
                hash_scalar(key, out);
                out.update(b":");
                hash_into(value, out);
            }
            out.update(b"}");
        }
        Value::Array(items) => {
            out.update(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.update(b",");
                }
                hash_into(item, out);
            }
            out.update(b"]");
        }
        other => hash_scalar(other, out),
    }
}

/// Feeds a serialisable value's compact JSON into `out`.
pub fn hash_scalar(value: &(impl Serialize + ?Sized), out: &mut Sha256) {
    struct HashWriter<'a>(&'a mut Sha256);
    impl std::io::Write for HashWriter<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(HashWriter(out), value).expect("a JSON value serialises");
}

pub fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// The error for a ledger that cannot be used. Nothing is changed until it is fixed: without
/// the ledger, every entry ai-setup wrote would look like the user's.
fn damaged(path: &Path, why: &str) -> Error {
    Error::failure(format!("{} is damaged: {why}", path.display()))
        .hint(format!(
            "put back the copy you edited, or move {} away: the next sync takes back the entries that still hold what the org sets, and leaves the others to you",
            path.display()
        ))
}

/// The ledger as a transaction read it under the lock: the run records at once, the file
/// records parsed (and checked) the first time they are asked for. A sync that finds its
/// last run's inputs and files unchanged needs only the runs, and a large org's file records
/// were most of such a sync's own work. A damaged file record is named by the first run that
/// reads the records, and by `doctor`.
pub struct Loaded {
    path: PathBuf,
    bytes: Option<Vec<u8>>,
    runs: BTreeMap<String, Run>,
    full: std::cell::OnceCell<Ledger>,
}

impl Loaded {
    pub fn read(paths: &Paths) -> Result<Self> {
        /// The ledger without its file records (their syntax is still checked).
        #[derive(Deserialize)]
        struct RunsOnly {
            #[serde(default)]
            runs: BTreeMap<String, Run>,
        }
        let path = Ledger::path(paths);
        let bytes = Ledger::read(paths)?;
        let runs = match &bytes {
            Some(bytes) => {
                serde_json::from_slice::<RunsOnly>(bytes)
                    .map_err(|e| damaged(&path, &e.to_string()))?
                    .runs
            }
            None => BTreeMap::new(),
        };
        Ok(Loaded {
            path,
            bytes,
            runs,
            full: std::cell::OnceCell::new(),
        })
    }

    /// There was a ledger file.
    pub fn found(&self) -> bool {
        self.bytes.is_some()
    }

    pub fn runs(&self) -> &BTreeMap<String, Run> {
        match self.full.get() {
            Some(full) => &full.runs,
            None => &self.runs,
        }
    }

    /// The whole ledger, parsed on first use.
    pub fn full(&self) -> Result<&Ledger> {
        if let Some(full) = self.full.get() {
            return Ok(full);
        }
        let ledger = match &self.bytes {
            Some(bytes) => Ledger::parse(&self.path, bytes)?,
            None => Ledger::default(),
        };
        Ok(self.full.get_or_init(|| ledger))
    }

    pub fn full_mut(&mut self) -> Result<&mut Ledger> {
        self.full()?;
        Ok(self.full.get_mut().expect("parsed just now"))
    }

    /// Replaces the whole ledger (after a commit saved `ledger`).
    pub fn set(&mut self, ledger: Ledger) {
        self.full = std::cell::OnceCell::from(ledger);
    }
}

impl Ledger {
    pub fn path(paths: &Paths) -> PathBuf {
        paths.state_dir.join("ledger.json")
    }

    /// The ledger as saved, without what an interrupted run's journal adds (see
    /// [`super::journal`]; [`super::transaction::current_ledger`] includes it).
    pub fn load(paths: &Paths) -> Result<Self> {
        match Self::read(paths)? {
            Some(bytes) => Self::parse(&Self::path(paths), &bytes),
            None => Ok(Ledger::default()),
        }
    }

    /// The saved ledger's bytes; `None` when there is none.
    fn read(paths: &Paths) -> Result<Option<Vec<u8>>> {
        let path = Self::path(paths);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("read", &path, e)),
        }
    }

    /// The ledger in `bytes` (read from `path`), checked.
    fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        let mut ledger: Ledger =
            serde_json::from_slice(bytes).map_err(|e| damaged(path, &e.to_string()))?;
        ledger.migrate();
        ledger.check().map_err(|why| damaged(path, &why))?;
        Ok(ledger)
    }

    /// Rebuilds what a lost ledger knew of `desired`'s file, from the file itself: a key is
    /// taken back as ai-setup's only when it holds exactly the value ai-setup would write now,
    /// so an entry the user changed stays the user's. An object that holds nothing but keys
    /// taken back is taken back too, as the parent ai-setup made for them (restore removes it
    /// with them). Returns how many keys were taken back. A file that is missing or does not
    /// parse gives none (planning reports it).
    pub fn adopt(&mut self, desired: &Desired, org: &str) -> usize {
        let Ok(bytes) = std::fs::read(&desired.path) else {
            return 0;
        };
        let Ok(doc) = crate::edit::parse(desired.format, Some(&bytes)) else {
            return 0;
        };
        let snapshot = doc.snapshot();
        let record = self
            .files
            .entry(desired.path.display().to_string())
            .or_insert_with(|| FileRecord::new(desired.format, desired.sensitive));
        let mut adopted: Vec<&[Step]> = Vec::new();
        for want in desired
            .keys
            .iter()
            // A taken-over key's user value is not known any more: it stays the user's.
            .filter(|k| !matches!(k.kind, Kind::Scaffold | Kind::Policy | Kind::Takeover))
        {
            let id = key_id(&want.key);
            if record.keys.contains_key(&id)
                || crate::edit::lookup(&snapshot, &want.key) != Some(&want.value)
            {
                continue;
            }
            record.keys.insert(
                id,
                Entry {
                    org: org.to_string(),
                    client: desired.client.to_string(),
                    hash: hash(&want.value),
                    credential: want.kind == Kind::Credential,
                    parent: false,
                    took_over: false,
                    replaced: None,
                },
            );
            adopted.push(&want.key);
        }
        let taken = adopted.len();
        // Parents that hold nothing but what was taken back, up the tree (a list of rules
        // inside an object): ai-setup made them.
        let mut owned: Vec<Vec<Step>> = adopted.iter().map(|k| k.to_vec()).collect();
        loop {
            let parents: std::collections::BTreeSet<Vec<Step>> = owned
                .iter()
                .filter_map(|key| key.split_last().map(|(_, parent)| parent.to_vec()))
                .filter(|parent| !parent.is_empty() && !owned.contains(parent))
                .collect();
            let mut grew = false;
            for parent in parents {
                let children = owned
                    .iter()
                    .filter(|k| k.len() == parent.len() + 1 && k.starts_with(&parent))
                    .count();
                let size = match crate::edit::lookup(&snapshot, &parent) {
                    Some(Value::Object(map)) => map.len(),
                    Some(Value::Array(items)) => items.len(),
                    _ => continue,
                };
                if size == children {
                    record.keys.entry(key_id(&parent)).or_insert(Entry {
                        org: org.to_string(),
                        client: desired.client.to_string(),
                        hash: hash(&Value::Object(Default::default())),
                        credential: false,
                        parent: true,
                        took_over: false,
                        replaced: None,
                    });
                    owned.push(parent);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        taken
    }

    /// Ledgers written before list elements were steps of their own spelled them `[f=v]`
    /// inside a name; only Continue's entries were list elements.
    fn migrate(&mut self) {
        for record in self.files.values_mut() {
            if record.format != Format::Yaml {
                continue;
            }
            let old = std::mem::take(&mut record.keys);
            for (id, entry) in old {
                let steps = (entry.client == "continue")
                    .then(|| key_from_id(&id))
                    .flatten();
                let id = match steps {
                    Some(steps) => key_id(&steps.into_iter().map(old_selector).collect::<Vec<_>>()),
                    None => id,
                };
                record.keys.insert(id, entry);
            }
        }
    }

    /// Every key id is a key path, and every entry names an org and a client.
    fn check(&self) -> std::result::Result<(), String> {
        for (file, record) in &self.files {
            let ids = record.keys.keys().chain(record.scaffold.keys());
            if let Some(id) = ids.into_iter().find(|id| key_from_id(id).is_none()) {
                return Err(format!("the key {id} of {file} is not a key path"));
            }
            if let Some((id, _)) = record
                .keys
                .iter()
                .find(|(_, e)| e.org.is_empty() || e.client.is_empty())
            {
                return Err(format!("the key {id} of {file} names no org or client"));
            }
        }
        Ok(())
    }

    pub fn save(&self, paths: &Paths) -> Result<()> {
        write_file(&Self::path(paths), &self.to_bytes(), Some(0o600))
    }

    /// The ledger as saved (the next ledger of a journal is saved the same way, so that
    /// renaming it into place and saving give the same bytes). Compact: a large org's ledger
    /// has tens of thousands of entries, and indenting them adds a third to every write.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).expect("ledger serialises");
        bytes.push(b'\n');
        bytes
    }

    /// The keys of `path` managed for `org` and `client`.
    pub fn managed(&self, path: &Path, org: &str, client: &str) -> BTreeMap<String, Entry> {
        self.files
            .get(&path.display().to_string())
            .map(|f| f.managed(org, client))
            .unwrap_or_default()
    }

    /// Replaces what the ledger knows of `path` for `org` and `client` with `entries`. A file
    /// left with no entries is forgotten.
    pub fn set_entries(
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
            .or_insert_with(|| FileRecord::new(format, sensitive));
        file.keys
            .retain(|_, e| !(e.org == org && e.client == client));
        file.keys.extend(entries);
        file.written = None;
        if file.keys.is_empty() {
            self.files.remove(&name);
        }
    }

    /// Records what an applied (or unchanged) change leaves in its file for `org`.
    pub fn record(&mut self, org: &str, change: &Change) {
        // Not even read: the file and the plan are what they were, and so is the record.
        if change.unread {
            return;
        }
        let name = change.path.display().to_string();
        if change.removes_file() {
            self.files.remove(&name);
            return;
        }
        // The same plan found the same bytes: the stamp stays as it is, so that a run that
        // changes nothing writes nothing (a client that only touched the file costs the next
        // run a read, not a parse).
        let kept = self
            .files
            .get(&name)
            .and_then(|f| f.written.clone())
            .filter(|w| {
                change.is_noop()
                    && w.plan == change.plan_id
                    && Some(&w.bytes) == change.before_sha.as_ref()
            });
        self.set_entries(
            &change.path,
            change.format,
            change.sensitive,
            org,
            change.client,
            change.entries.clone(),
        );
        let Some(file) = self.files.get_mut(&name) else {
            return;
        };
        if change.before.is_none() && change.after.is_some() {
            file.created = true;
            file.created_dirs = change.created_dirs.clone();
        }
        if file.original.is_none() {
            file.original = change.keep_original.clone();
        }
        file.scaffold.extend(change.scaffold.clone());
        if kept.is_some() {
            file.written = kept;
            return;
        }
        let bytes = match &change.before_sha {
            Some(sha) if change.is_noop() => Some(sha.clone()),
            _ => change.after.as_deref().map(sha256),
        };
        file.written = bytes.map(|bytes| Written {
            bytes,
            plan: change.plan_id.clone(),
            stat: change
                .is_noop()
                .then(|| change.before_stat.clone())
                .flatten(),
            notes: change.notes.clone(),
        });
    }

    /// The originals that some file still refers to.
    pub fn originals(&self) -> std::collections::HashSet<&str> {
        self.files
            .values()
            .filter_map(|f| f.original.as_deref())
            .collect()
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

/// `[field=value]` as a list element, anything else as it is.
fn old_selector(step: Step) -> Step {
    match &step {
        Step::Name(name) => match name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .and_then(|n| n.split_once('='))
        {
            Some((field, value)) => Step::Element {
                field: field.to_string(),
                value: value.to_string(),
            },
            None => step,
        },
        Step::Element { .. } | Step::Item { .. } => step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hash_is_the_sha256_of_sorted_compact_json() {
        // Ledgers written before hold these hashes: the way of hashing must not change.
        let value = json!({"b": [1, "x\"y", null, 2.5], "a": {"d": true, "c": "é"}});
        assert_eq!(
            hash(&value),
            sha256(r#"{"a":{"c":"é","d":true},"b":[1,"x\"y",null,2.5]}"#.as_bytes())
        );
    }

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
