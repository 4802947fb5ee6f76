//! Stages 5 and 6, plan and apply.
//!
//! Clients say which keys they want set or removed in which file ([`FileEdit`]). Planning reads
//! the file, applies the edits with the format's editor and renders the new bytes ([`Change`]),
//! without writing anything: `--dry-run` stops there and prints the diff. Applying checks that
//! the file still holds what was planned against (another program may have written it since),
//! skips files whose bytes would not change, and hands the bytes to [`write::write_file`].
//!
//! A file that does not parse is never rewritten: planning fails for that client alone, names
//! the file and position, and the other clients go on.

pub mod write;

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use crate::edit::{self, Format};
use crate::error::{Error, Result};
use crate::paths::Paths;

/// One key operation. `key` is a path of object keys from the document root.
#[derive(Debug, Clone)]
pub enum Op {
    Set { key: Vec<String>, value: Value },
    Remove { key: Vec<String> },
}

/// What a client wants changed in one file.
#[derive(Debug, Clone)]
pub struct FileEdit {
    pub client: &'static str,
    pub path: PathBuf,
    pub format: Format,
    /// The file holds secrets: mode 0600, and diffs are redacted.
    pub sensitive: bool,
    pub ops: Vec<Op>,
}

/// A planned change: the file's bytes now and after the edits.
#[derive(Debug, Clone)]
pub struct Change {
    pub client: &'static str,
    pub path: PathBuf,
    pub sensitive: bool,
    pub before: Option<Vec<u8>>,
    pub after: Option<Vec<u8>>,
}

impl Change {
    pub fn is_noop(&self) -> bool {
        self.after.is_none() || self.before == self.after
    }
}

pub fn plan(edit: &FileEdit) -> Result<Change> {
    let before = match std::fs::read(&edit.path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("read", &edit.path, e)),
    };
    let only_removals = edit.ops.iter().all(|op| matches!(op, Op::Remove { .. }));
    let after = match &before {
        None if only_removals => None,
        _ => Some(render(edit, before.as_deref()).map_err(|e| {
            e.context(edit.path.display())
                .hint("fix the file (or move it away) and run again; ai-setup never rewrites a file it cannot parse")
        })?),
    };
    Ok(Change {
        client: edit.client,
        path: edit.path.clone(),
        sensitive: edit.sensitive,
        before,
        after,
    })
}

fn render(edit: &FileEdit, before: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut doc = edit::parse(edit.format, before)?;
    for op in &edit.ops {
        match op {
            Op::Set { key, value } => doc.set(key, value)?,
            Op::Remove { key } => {
                doc.remove(key);
            }
        }
    }
    Ok(doc.render())
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    WouldCreate,
    WouldUpdate,
}

impl Outcome {
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::WouldCreate => "would create",
            Outcome::WouldUpdate => "would update",
        }
    }
}

/// Writes a planned change, unless it changes nothing or the file moved on since planning.
pub fn apply(change: &Change, dry_run: bool) -> Result<Outcome> {
    let Some(after) = change.after.as_ref().filter(|_| !change.is_noop()) else {
        return Ok(Outcome::Unchanged);
    };
    let created = change.before.is_none();
    if dry_run {
        return Ok(if created {
            Outcome::WouldCreate
        } else {
            Outcome::WouldUpdate
        });
    }
    let current = std::fs::read(&change.path).ok();
    if current != change.before {
        return Err(Error::failure(format!(
            "{} changed while ai-setup was preparing its edit",
            change.path.display()
        ))
        .hint("run the command again"));
    }
    write::write_file(&change.path, after, change.sensitive.then_some(0o600))?;
    Ok(if created {
        Outcome::Created
    } else {
        Outcome::Updated
    })
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
            &format!("b/{name}"),
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
}
