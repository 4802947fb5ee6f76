//! Plans clients' desired keys, one client at a time: a client whose file cannot be parsed is
//! reported and skipped, and the others go on (ripgrep's partial-failure rule; the caller turns
//! it into exit code 5). What is planned is then written in one transaction: all of it or,
//! when a write fails, none of it.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use crate::apply::ledger::{Ledger, Run, RunFile};
use crate::apply::transaction::{Committed, Transaction};
use crate::apply::{self, Change, Desired, Note, Outcome, Prune};
use crate::clients::{Client, OrgContext};
use crate::error::Result;
use crate::layers::approval::Pending;
use crate::layers::guard::Refusal;
use crate::output::Output;
use crate::paths::Paths;
use crate::write;

#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub outcome: Outcome,
    /// Drift, the user's own entries and kept changes, key by key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// The unified diff, with `--dry-run` (secrets masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ClientReport {
    pub id: &'static str,
    pub name: &'static str,
    pub files: Vec<FileReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Entries of the org's configuration this client would have used, left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refusal>,
    /// Local servers whose program waits for the user's approval.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending_approval: Vec<Pending>,
    /// What of the org's instructions, agents, commands and permissions this client cannot
    /// have (see [`crate::clients::artifacts`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_expressible: Vec<String>,
}

impl ClientReport {
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Failed, or configured without an entry it should have had (refused, or waiting for
    /// approval): exit code 5 either way.
    pub fn partial(&self) -> bool {
        self.failed() || !self.refused.is_empty() || !self.pending_approval.is_empty()
    }

    /// One word for the human report; `done` is what a change means for this command.
    pub fn summary(&self, done: &'static str) -> &'static str {
        let outcomes: Vec<Outcome> = self.files.iter().map(|f| f.outcome).collect();
        if self.failed() {
            "failed"
        } else if !self.refused.is_empty() || !self.pending_approval.is_empty() {
            "partly configured"
        } else if outcomes.iter().any(|o| {
            matches!(
                o,
                Outcome::WouldCreate | Outcome::WouldUpdate | Outcome::WouldRemove
            )
        }) {
            "would change"
        } else if outcomes.iter().all(|o| *o == Outcome::Unchanged) {
            "up to date"
        } else {
            done
        }
    }

    pub fn human(&self, done: &'static str) -> String {
        let mut text = format!("  {:<16}{}\n", self.name, self.summary(done));
        for file in &self.files {
            text.push_str(&format!(
                "    {} ({})\n",
                file.path,
                file.outcome.describe()
            ));
            for note in &file.notes {
                text.push_str(&format!("      note: {}\n", note.describe()));
            }
            if let Some(diff) = &file.diff {
                for line in diff.lines() {
                    text.push_str(&format!("      {line}\n"));
                }
            }
        }
        for refusal in &self.refused {
            text.push_str(&format!("    refused: {}\n", refusal.describe()));
        }
        for pending in &self.pending_approval {
            text.push_str(&format!("    approval pending: {}\n", pending.describe()));
        }
        for gap in &self.not_expressible {
            text.push_str(&format!("    not expressible: {gap}\n"));
        }
        if let Some(err) = &self.error {
            text.push_str(&format!("    error: {}\n", err.replace('\n', "\n      ")));
        }
        text
    }
}

/// How one run plans: for which org, and what it may replace or remove.
pub struct Session<'a> {
    pub paths: &'a Paths,
    pub org: &'a str,
    pub force: bool,
    pub dry_run: bool,
    pub prune: Prune,
}

/// Clients' reports, and the changes they will make, planned before anything is written.
#[derive(Default)]
pub struct Plan {
    pub reports: Vec<ClientReport>,
    /// Each change with the report and file it belongs to.
    changes: Vec<(usize, usize, Change)>,
}

impl Plan {
    /// Plans every client's wanted files, on as many threads as the machine has cores:
    /// clients' files are independent, and an org of thousands of servers takes most of a
    /// login to plan. Reports keep the clients' order.
    pub fn clients(&mut self, wanted: &[Wanted], ledger: &Ledger, session: &Session, out: &Output) {
        let folders = apply::Folders::default();
        let planned = parallel_map(wanted, |w| plan_client(w, ledger, session, &folders, out));
        for (report, changes) in planned {
            self.add(report, changes);
        }
    }

    /// The plan of a run from the same inputs as `run` (see [`Run`]), when each file it
    /// planned is as it left it: every file unchanged, with what planning said of it then,
    /// and nothing translated or read. `false`, with nothing planned, when any file moved on.
    pub fn unchanged(
        &mut self,
        run: &Run,
        clients: &[&'static dyn Client],
        session: &Session,
    ) -> bool {
        let mut planned: Vec<(&'static dyn Client, Vec<Change>)> =
            clients.iter().map(|&c| (c, Vec::new())).collect();
        // Every file is looked at in any case (a large org's are hundreds): on every core.
        let stats = parallel_map(&run.files, |file| write::stat(Path::new(&file.path)));
        for (file, now) in run.files.iter().zip(stats) {
            let Some((client, changes)) = planned.iter_mut().find(|(c, _)| c.id() == file.client)
            else {
                return false;
            };
            let path = Path::new(&file.path);
            if now != file.stat {
                return false;
            }
            if now.is_none() {
                continue;
            }
            changes.push(Change {
                before_stat: now,
                notes: file.notes.clone(),
                ..Change::unread(client.id(), path, file.format, file.sensitive)
            });
        }
        for (client, changes) in planned {
            let files = changes
                .iter()
                .map(|c| FileReport {
                    path: session.paths.display(&c.path),
                    outcome: Outcome::Unchanged,
                    notes: c.notes.clone(),
                    diff: None,
                })
                .collect();
            let report = ClientReport {
                id: client.id(),
                name: client.name(),
                files,
                error: None,
                refused: Vec::new(),
                pending_approval: Vec::new(),
                not_expressible: run.gaps.get(client.id()).cloned().unwrap_or_default(),
            };
            self.add(report, changes);
        }
        true
    }

    /// What to remember of this plan of `wanted`, made from `inputs`, for the next run (see
    /// [`Run`]); `None` when a client failed or had entries refused, as the next run must try
    /// (and report) it again.
    pub fn run(&self, wanted: &[Wanted], inputs: String, warnings: Vec<String>) -> Option<Run> {
        if self.reports.iter().any(ClientReport::partial) {
            return None;
        }
        let notes = |client: &str, path: &Path| {
            self.changes
                .iter()
                .find(|(_, _, c)| c.client == client && c.path == path)
                .map(|(_, _, c)| c.notes.clone())
                .unwrap_or_default()
        };
        let files = wanted
            .iter()
            .flat_map(|w| {
                w.desired.iter().map(move |d| RunFile {
                    client: w.id.to_string(),
                    path: d.path.display().to_string(),
                    format: d.format,
                    sensitive: d.sensitive,
                    stat: None,
                    notes: notes(w.id, &d.path),
                })
            })
            .collect();
        let gaps = wanted
            .iter()
            .filter(|w| !w.gaps.is_empty())
            .map(|w| (w.id.to_string(), w.gaps.clone()))
            .collect();
        Some(Run {
            inputs,
            files,
            warnings,
            gaps,
        })
    }

    fn add(&mut self, report: ClientReport, changes: Vec<Change>) {
        let r = self.reports.len();
        self.changes.extend(
            changes
                .into_iter()
                .enumerate()
                .map(|(f, change)| (r, f, change)),
        );
        self.reports.push(report);
    }

    /// Stages every change in `txn`, commits it, and reports what was done.
    pub fn commit(
        mut self,
        mut txn: Transaction,
        org: &str,
    ) -> Result<(Vec<ClientReport>, Committed)> {
        let positions: Vec<(usize, usize)> = self
            .changes
            .drain(..)
            .map(|(r, f, change)| {
                txn.stage(org, change);
                (r, f)
            })
            .collect();
        let committed = txn.commit()?;
        for ((r, f), outcome) in positions.into_iter().zip(&committed.outcomes) {
            tracing::info!(client = self.reports[r].id, path = %self.reports[r].files[f].path, ?outcome, "applied");
            self.reports[r].files[f].outcome = *outcome;
        }
        Ok((self.reports, committed))
    }
}

/// What one client wants written.
pub struct Wanted {
    pub id: &'static str,
    pub name: &'static str,
    pub desired: Vec<Desired>,
    pub refused: Vec<Refusal>,
    pub pending: Vec<Pending>,
    pub gaps: Vec<String>,
}

/// Each client's files and keys for its context (in parallel, as planning is).
pub fn translate(clients: &[(&'static dyn Client, &OrgContext)], paths: &Paths) -> Vec<Wanted> {
    parallel_map(clients, |(client, ctx)| Wanted {
        id: client.id(),
        name: client.name(),
        desired: client.configure(ctx, paths),
        refused: ctx.refused.clone(),
        pending: ctx.pending.clone(),
        gaps: client.gaps(ctx),
    })
}

/// Rebuilds a lost ledger from the clients' files (see [`Ledger::adopt`]), and says so.
pub fn adopt(ledger: &mut Ledger, wanted: &[Wanted], org: &str, paths: &Paths, out: &mut Output) {
    let adopted: usize = wanted
        .iter()
        .flat_map(|w| &w.desired)
        .map(|d| ledger.adopt(d, org))
        .sum();
    out.warn(&format!(
        "ai-setup's ledger ({}) was missing: {adopted} entries that hold exactly what the org \
         sets were taken back as ai-setup's; any that differ are left as yours (the notes \
         below name them)",
        paths.display(&Ledger::path(paths))
    ));
}

/// Plans every file of one client. A file that cannot be planned (it does not parse) fails
/// this client alone; its other files are left as they are too. The changes are in the order
/// of the report's files.
fn plan_client(
    wanted: &Wanted,
    ledger: &Ledger,
    session: &Session,
    folders: &apply::Folders,
    out: &Output,
) -> (ClientReport, Vec<Change>) {
    let mut report = ClientReport {
        id: wanted.id,
        name: wanted.name,
        files: Vec::new(),
        error: None,
        refused: wanted.refused.clone(),
        pending_approval: wanted.pending.clone(),
        not_expressible: wanted.gaps.clone(),
    };
    // Files that hold something of this client's for the org and that it no longer wants
    // (an agent the org dropped): planned with nothing wanted, so that it is pruned.
    let dropped: Vec<Desired> = ledger
        .files
        .iter()
        .filter(|(path, record)| {
            record
                .keys
                .values()
                .any(|e| e.org == session.org && e.client == wanted.id)
                && !wanted
                    .desired
                    .iter()
                    .any(|d| d.path.as_os_str() == path.as_str())
        })
        .map(|(path, record)| Desired {
            client: wanted.id,
            path: path.into(),
            format: record.format,
            sensitive: record.sensitive,
            keys: Vec::new(),
        })
        .collect();
    let planned: Result<Vec<_>, _> = wanted
        .desired
        .iter()
        .chain(&dropped)
        .map(|d| {
            apply::plan(
                d,
                ledger,
                session.org,
                session.force,
                session.prune,
                session.paths,
                folders,
            )
        })
        .collect();
    let mut kept = Vec::new();
    match planned {
        Ok(changes) => {
            // A file that does not exist and is not wanted is nothing to report.
            for change in changes
                .into_iter()
                .filter(|c| c.before.is_some() || c.after.is_some() || c.unread)
            {
                let diff = (session.dry_run && !change.is_noop())
                    .then(|| out.redact(&apply::diff(&change, session.paths)));
                report.files.push(FileReport {
                    path: session.paths.display(&change.path),
                    outcome: Outcome::planned(&change),
                    notes: change.notes.clone(),
                    diff,
                });
                kept.push(change);
            }
        }
        Err(err) => report.error = Some(out.redact(&error_text(&err))),
    }
    (report, kept)
}

/// `f` over `items` on up to one thread per core, the results in the items' order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = f(item);
                    *results[i].lock().expect("not poisoned") = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("not poisoned")
                .expect("every item was mapped")
        })
        .collect()
}

fn error_text(err: &crate::error::Error) -> String {
    let mut text = err.message.clone();
    for hint in &err.hints {
        text.push_str(&format!("\n(hint: {hint})"));
    }
    text
}
