//! Runs client edits through plan and apply, one client at a time: a client whose file cannot
//! be parsed or written is reported and skipped, and the others go on (ripgrep's partial-failure
//! rule). The caller turns any failure into exit code 5.

use serde::Serialize;

use crate::apply::{self, FileEdit, Outcome};
use crate::clients::Client;
use crate::output::Output;
use crate::paths::Paths;

#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub outcome: Outcome,
    /// The unified diff, with `--dry-run` (secrets redacted).
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
}

impl ClientReport {
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// One word for the human report.
    pub fn summary(&self) -> &'static str {
        if self.failed() {
            return "failed";
        }
        let outcomes: Vec<Outcome> = self.files.iter().map(|f| f.outcome).collect();
        if outcomes.iter().all(|o| *o == Outcome::Unchanged) {
            "up to date"
        } else if outcomes
            .iter()
            .any(|o| matches!(o, Outcome::WouldCreate | Outcome::WouldUpdate))
        {
            "would change"
        } else {
            "configured"
        }
    }

    pub fn human(&self) -> String {
        let mut text = format!("  {:<14}{}\n", self.name, self.summary());
        for file in &self.files {
            text.push_str(&format!(
                "    {} ({})\n",
                file.path,
                file.outcome.describe()
            ));
            if let Some(diff) = &file.diff {
                for line in diff.lines() {
                    text.push_str(&format!("      {line}\n"));
                }
            }
        }
        if let Some(err) = &self.error {
            text.push_str(&format!("    error: {}\n", err.replace('\n', "\n      ")));
        }
        text
    }
}

/// Plans and (unless `dry_run`) applies `edits` for `client`. Either every file of the client
/// is planned before anything is written, or none is written.
pub fn run_edits(
    client: &dyn Client,
    edits: &[FileEdit],
    paths: &Paths,
    dry_run: bool,
    out: &Output,
) -> ClientReport {
    let mut report = ClientReport {
        id: client.id(),
        name: client.name(),
        files: Vec::new(),
        error: None,
    };
    let planned: Result<Vec<_>, _> = edits.iter().map(apply::plan).collect();
    let changes = match planned {
        Ok(changes) => changes,
        Err(err) => {
            report.error = Some(out.redact(&error_text(&err)));
            return report;
        }
    };
    for change in &changes {
        let diff = (dry_run && !change.is_noop()).then(|| out.redact(&apply::diff(change, paths)));
        match apply::apply(change, dry_run) {
            Ok(outcome) => report.files.push(FileReport {
                path: paths.display(&change.path),
                outcome,
                diff,
            }),
            Err(err) => {
                report.error = Some(out.redact(&error_text(&err)));
                break;
            }
        }
    }
    report
}

fn error_text(err: &crate::error::Error) -> String {
    let mut text = err.message.clone();
    for hint in &err.hints {
        text.push_str(&format!("\n(hint: {hint})"));
    }
    text
}
