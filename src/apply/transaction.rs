//! The transaction: the one way ai-setup changes clients' files, the ledger, the stored
//! credential and `state.json` (DESIGN principle 8).
//!
//! [`Transaction::begin`] takes the apply lock, finishes whatever an interrupted run left (the
//! [`journal`]), and loads the ledger. Callers plan against it and stage changes; [`commit`]
//! then, in this order:
//! 1. writes the journal of the file changes, durably;
//! 2. stores or removes the credential;
//! 3. changes `state.json`, read and written under the lock, so that two runs for two orgs
//!    never lose each other's entry;
//! 4. replaces the files, each atomically, as one [`write::Batch`] (their new bytes are all
//!    written and flushed before the first is renamed into place);
//! 5. saves the ledger and removes the journal.
//!
//! A failure in steps 2 to 5 (a full disk, a read-only folder) undoes what was done, newest
//! first: every file gets its bytes back, the credential and state are as they were. Each file
//! replaced is kept under a second name until the end ([`write::Kept`]), so that undoing is a
//! rename and works on a disk with no room left. A kill at
//! any instant leaves the journal, and the next transaction makes the ledger agree with the
//! files, so no entry ai-setup wrote is ever taken for the user's.
//!
//! [`commit`]: Transaction::commit

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::journal::{self, Intent, Journal};
use super::ledger::{Ledger, Loaded, Run};
use super::lock::ApplyLock;
use super::{Change, Desired, Outcome, Prune, backup};
use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::secrets::{self, Credential, Store, StoreChoice, StoreKind};
use crate::state::State;
use crate::write;

/// Stops the process here, as `kill -9` would, when `AI_SETUP_CRASH_AT` names this point: the
/// fault-injection tests' way into the middle of a transaction. Compiled out of release builds.
pub fn crash_point(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os("AI_SETUP_CRASH_AT").is_some_and(|v| v == name) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &std::process::id().to_string()])
            .status();
        std::thread::sleep(std::time::Duration::from_secs(10));
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}

/// The ledger as it stands, with what an interrupted run's journal says, without writing
/// anything or taking the lock: for planning that only shows (`--dry-run`, `clients`, the
/// dashboard).
pub fn current_ledger(paths: &Paths) -> Result<Ledger> {
    let mut ledger = Ledger::load(paths)?;
    if let Some(journal) = journal::read(paths)? {
        journal::replay(&journal, &mut ledger, journal::read_next(paths).as_ref());
    }
    Ok(ledger)
}

/// A change of the org's stored credential.
pub struct CredentialChange {
    pub org: String,
    /// The store that holds the org's credential now, if any (from `state.json`).
    pub current: Option<StoreKind>,
    /// The credential to store and where the user wants it; `None` removes it.
    pub new: Option<(Credential, StoreChoice)>,
}

/// What a commit did.
#[derive(Debug, Default)]
pub struct Committed {
    /// For each staged change, in order.
    pub outcomes: Vec<Outcome>,
    /// Where the credential went, when one was stored.
    pub store: Option<StoreKind>,
    /// Warnings the user should see (the keyring fell back to the file).
    pub warnings: Vec<String>,
}

/// A change to `state.json`, given where the credential was stored (when this transaction
/// stored one).
type StatePatch = Box<dyn FnOnce(&mut State, Option<StoreKind>)>;

pub struct Transaction<'a> {
    paths: &'a Paths,
    _lock: ApplyLock,
    /// Without a ledger file, entries ai-setup wrote look like the user's ([`Loaded::found`]).
    ledger: Loaded,
    staged: Vec<(String, Change)>,
    credential: Option<CredentialChange>,
    state: Option<StatePatch>,
    /// The run to remember for its org, when the caller planned a whole org's clients.
    run: Option<(String, Run)>,
}

/// What has been done so far, to undo on failure. The files replaced are kept under a second
/// name ([`write::Kept`]), so that undoing on a full disk needs no room.
#[derive(Default)]
struct Undo<'a> {
    state: Option<(Option<write::Kept>, Option<Vec<u8>>)>,
    credential: Option<Box<dyn FnOnce() -> Result<()> + 'a>>,
    files: Vec<UndoFile>,
}

/// A staged change being applied: its index, its backup once saved, its file as it was.
struct UndoFile {
    index: usize,
    backup: Option<String>,
    kept: Option<write::Kept>,
}

impl<'a> Transaction<'a> {
    /// Takes the lock (waiting up to 30 s; `waiting` is told once), recovers an interrupted
    /// run, and loads the ledger.
    pub fn begin(paths: &'a Paths, waiting: &mut dyn FnMut(&str)) -> Result<Self> {
        let lock = ApplyLock::acquire(paths, waiting)?;
        journal::recover(paths)?;
        Ok(Transaction {
            paths,
            _lock: lock,
            ledger: Loaded::read(paths)?,
            staged: Vec::new(),
            credential: None,
            state: None,
            run: None,
        })
    }

    /// The ledger's file records and runs (parsed now, if this is the first ask).
    pub fn ledger(&self) -> Result<&Ledger> {
        self.ledger.full()
    }

    /// The last complete run of `org`, without parsing the file records.
    pub fn last_run(&self, org: &str) -> Option<&Run> {
        self.ledger.runs().get(org)
    }

    /// There was no ledger file when the transaction began.
    pub fn ledger_missing(&self) -> bool {
        !self.ledger.found()
    }

    /// The ledger to rebuild, when it was lost (see [`Ledger::adopt`]).
    pub fn ledger_mut(&mut self) -> Result<&mut Ledger> {
        self.ledger.full_mut()
    }

    /// Plans `desired` for `org` against the file and this transaction's ledger.
    pub fn plan(&self, desired: &Desired, org: &str, force: bool, prune: Prune) -> Result<Change> {
        let folders = super::Folders::default();
        super::plan(
            desired,
            self.ledger()?,
            org,
            force,
            prune,
            self.paths,
            &folders,
        )
    }

    /// Adds a planned change; its outcome is in [`Committed::outcomes`] at the same index.
    pub fn stage(&mut self, org: &str, change: Change) -> usize {
        self.staged.push((org.to_string(), change));
        self.staged.len() - 1
    }

    /// Remembers what `org`'s staged changes were planned from (see [`Run`]).
    pub fn record_run(&mut self, org: &str, run: Run) {
        self.run = Some((org.to_string(), run));
    }

    pub fn set_credential(&mut self, change: CredentialChange) {
        self.credential = Some(change);
    }

    /// Changes `state.json` at commit, on the copy read under the lock.
    pub fn update_state(&mut self, patch: impl FnOnce(&mut State, Option<StoreKind>) + 'static) {
        self.state = Some(Box::new(patch));
    }

    /// Does it all, or, on failure, none of it (see the module's documentation).
    pub fn commit(mut self) -> Result<Committed> {
        let paths = self.paths;
        let pending: Vec<usize> = (0..self.staged.len())
            .filter(|&i| !self.staged[i].1.is_noop())
            .collect();
        // The ledger as it will be. A transaction that only changes the state (a remembered
        // consent), or whose files were not even read, leaves the ledger alone.
        let records = self.run.is_some() || self.staged.iter().any(|(_, c)| !c.unread);
        let next = match records {
            true => Some(self.ledger()?.clone()),
            false => None,
        };
        let next = next.map(|mut next| {
            for (org, change) in &self.staged {
                next.record(org, change);
                // Whatever an org stages is its run now, or no run at all.
                next.runs.remove(org);
            }
            if let Some((org, run)) = &self.run {
                next.runs.insert(org.clone(), run.clone());
            }
            next
        });
        if let Some(next) = next.as_ref().filter(|_| !pending.is_empty()) {
            let journal = Journal {
                files: pending
                    .iter()
                    .map(|&i| Intent::of(&self.staged[i].1))
                    .collect(),
            };
            journal::write(paths, &journal, next).map_err(|e| e.hint("nothing was changed"))?;
        }
        crash_point("after-journal");
        let mut undo = Undo::default();
        let mut committed = Committed::default();
        match self.apply_all(&pending, next, &mut undo, &mut committed) {
            Ok(()) => {
                committed.outcomes = self
                    .staged
                    .iter()
                    .map(|(_, change)| Outcome::done(change))
                    .collect();
                self.after_commit(&committed);
                Ok(committed)
            }
            Err(err) => Err(self.roll_back(undo, err)),
        }
    }

    fn apply_all(
        &mut self,
        pending: &[usize],
        mut next: Option<Ledger>,
        undo: &mut Undo<'a>,
        committed: &mut Committed,
    ) -> Result<()> {
        let paths = self.paths;
        if let Some(change) = &self.credential {
            let previous = match change.current {
                Some(kind) => Store::open(kind, paths).get(&change.org)?,
                None => None,
            };
            let org = change.org.clone();
            let current = change.current;
            // For the file store, undoing is putting its file back as it was (or removing the
            // one this made), which a full disk allows.
            let file_store = paths.credentials_file();
            let file_store_existed = file_store.exists();
            let kept_file_store = write::Kept::take(&file_store);
            let put_back_file_store = move || match kept_file_store {
                Some(kept) => Some(kept.put_back()),
                None if !file_store_existed => Some(write::remove_file(&file_store, &[])),
                None => None,
            };
            match &change.new {
                Some((credential, choice)) => {
                    let store = secrets::store_new(*choice, paths, &org, credential, &mut |w| {
                        committed.warnings.push(w)
                    })?;
                    let used = store.kind;
                    committed.store = Some(used);
                    undo.credential = Some(Box::new(move || {
                        if used == StoreKind::File
                            && let Some(done) = put_back_file_store()
                        {
                            return done;
                        }
                        let store = Store::open(used, paths);
                        match previous.filter(|_| current == Some(used)) {
                            Some(old) => store.set(&org, &old),
                            None => store.delete(&org).map(|_| ()),
                        }
                    }));
                }
                None => {
                    if let Some(kind) = current {
                        Store::open(kind, paths).delete(&org)?;
                        undo.credential = Some(Box::new(move || {
                            if kind == StoreKind::File
                                && let Some(done) = put_back_file_store()
                            {
                                return done;
                            }
                            match previous {
                                Some(old) => Store::open(kind, paths).set(&org, &old),
                                None => Ok(()),
                            }
                        }));
                    }
                }
            }
        }
        crash_point("after-credential");
        if let Some(patch) = self.state.take() {
            let file = paths.state_file();
            let before = read_optional(&file)?;
            let mut state = match &before {
                Some(bytes) => State::parse(&file, bytes)?,
                None => State::default(),
            };
            patch(&mut state, committed.store);
            // A patch that changes nothing (a sync that found all as it was) writes nothing.
            let after = state.to_bytes();
            if before.as_deref() != Some(after.as_slice()) {
                undo.state = Some((write::Kept::take(&file), before));
                write::write_file(&file, &after, Some(0o600))?;
            } else {
                // Not written, but still private: a write would have made it 0600.
                write::ensure_mode(&file, 0o600)?;
            }
        }
        crash_point("after-state");
        let mut batch = write::Batch::default();
        for &i in pending {
            let change = &self.staged[i].1;
            crash_point(&format!("before-file-{}", undo.files.len()));
            // Recorded before the write: a write that fails half-way is undone too (the
            // file is then still as it was, and putting it back changes nothing).
            undo.files.push(UndoFile {
                index: i,
                backup: None,
                kept: change
                    .before
                    .as_ref()
                    .and_then(|_| write::Kept::take(&change.path)),
            });
            let backup = super::apply(change, paths, &mut batch)?;
            undo.files.last_mut().expect("pushed").backup = backup;
        }
        let landed: HashMap<PathBuf, Option<write::Stat>> = batch
            .land(|n| crash_point(&format!("before-rename-{n}")))?
            .into_iter()
            .collect();
        crash_point("after-files");
        // What a file looks like now: as landed, or looked up.
        let stat_of = |path: &Path| match landed.get(path) {
            Some(stat) => stat.clone(),
            None => write::stat(path),
        };
        // What the written files look like now, so that the next plan need not read them.
        if let Some(next) = next.as_mut() {
            for &i in pending {
                let path = &self.staged[i].1.path;
                if let Some(written) = next
                    .files
                    .get_mut(&path.display().to_string())
                    .and_then(|r| r.written.as_mut())
                {
                    written.stat = stat_of(path);
                }
            }
        }
        // How the run leaves its files, so that the next one from the same inputs can tell
        // that nobody wrote them since.
        if let (Some(next), Some((org, _))) = (next.as_mut(), &self.run)
            && let Some(run) = next.runs.get_mut(org)
        {
            for file in &mut run.files {
                file.stat = stat_of(Path::new(&file.path));
            }
        }
        // A run that changed nothing leaves the ledger file alone (one that was not there,
        // and was rebuilt, is written). Only a run record for new inputs is worth a write
        // then: one for the same inputs describes the files it saw and checks them itself,
        // so the one in the file is still true. One for other inputs (a new ai-setup, a
        // changed layer) would never match again, and every later run would plan anew.
        let unchanged = |next: &Ledger| {
            pending.is_empty()
                && self.ledger.found()
                && self
                    .ledger
                    .full()
                    .is_ok_and(|kept| kept.files == next.files)
                && next.runs.iter().all(|(org, run)| {
                    self.ledger
                        .runs()
                        .get(org)
                        .is_some_and(|kept| kept.inputs == run.inputs)
                })
        };
        if let Some(next) = next.filter(|next| !unchanged(next)) {
            // The ledger is complete before the journal goes: a kill in between only makes
            // the next run replay what is already recorded.
            next.save(paths)?;
            if !pending.is_empty() {
                // The kept files go while the journal, which names their folders for the next
                // run's clean-up, is still there.
                for file in &mut undo.files {
                    file.kept = None;
                    // A removed file's folders were not empty while its copy was kept.
                    let change = &self.staged[file.index].1;
                    if change.removes_file() {
                        write::remove_empty_dirs(&change.created_dirs);
                    }
                }
                journal::remove(paths)?;
            }
            backup::forget_originals(paths, &next.originals());
            self.ledger.set(next);
        }
        crash_point("after-ledger");
        Ok(())
    }

    /// Undoes what was done, newest first. When undoing fails too, the journal stays for the
    /// next run, and the error says so.
    fn roll_back(&self, undo: Undo<'a>, err: Error) -> Error {
        let paths = self.paths;
        let mut failures = Vec::new();
        for file in undo.files.into_iter().rev() {
            let change = &self.staged[file.index].1;
            if let Some(id) = &file.backup {
                backup::discard(paths, id);
            }
            // Without a kept file, only what this wrote is undone: a file that is not what
            // it wrote (a write that failed, a user's edit in between) stays as it is.
            if file.kept.is_none() && std::fs::read(&change.path).ok() != change.after {
                continue;
            }
            let restored = match (file.kept, &change.before) {
                (Some(kept), _) => kept.put_back(),
                (None, Some(bytes)) => {
                    write::write_file(&change.path, bytes, change.sensitive.then_some(0o600))
                }
                (None, None) => write::remove_file(&change.path, &change.created_dirs),
            };
            if let Err(e) = restored {
                failures.push(e.message);
            }
        }
        if let Some(undo_credential) = undo.credential
            && let Err(e) = undo_credential()
        {
            failures.push(e.message);
        }
        if let Some((kept, before)) = undo.state {
            let file = paths.state_file();
            let restored = match (kept, before) {
                (Some(kept), _) => kept.put_back(),
                (None, Some(bytes)) => write::write_file(&file, &bytes, Some(0o600)),
                (None, None) => std::fs::remove_file(&file)
                    .or_else(not_found_is_ok)
                    .map_err(|e| Error::io("remove", &file, e)),
            };
            if let Err(e) = restored {
                failures.push(e.message);
            }
        }
        if failures.is_empty() {
            if journal::remove(paths).is_ok() {
                for dir in undo_dirs(&self.staged) {
                    write::remove_leftovers(&dir);
                }
            }
            err.hint("nothing was changed")
        } else {
            err.hint(format!(
                "undoing the partial change failed too ({}); the next ai-setup run finishes the clean-up",
                failures.join("; ")
            ))
        }
    }

    /// Clean-up that needs no undo: the credential's copy in a store it left.
    fn after_commit(&self, committed: &Committed) {
        if let (Some(change), Some(used)) = (&self.credential, committed.store)
            && let Some(old) = change.current.filter(|k| *k != used)
        {
            let _ = Store::open(old, self.paths).delete(&change.org);
        }
    }
}

fn undo_dirs(staged: &[(String, Change)]) -> Vec<PathBuf> {
    staged
        .iter()
        .filter_map(|(_, c)| {
            write::resolve_target(&c.path)
                .ok()?
                .parent()
                .map(PathBuf::from)
        })
        .collect()
}

fn read_optional(path: &std::path::Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

fn not_found_is_ok(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}
