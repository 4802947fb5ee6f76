//! Prose files: whole files ai-setup owns (a Claude Code subagent, a Codex prompt) and managed
//! blocks in a Markdown file the user writes in too (`~/.codex/AGENTS.md`), or in a dotenv file
//! (`~/.gemini/.env`), whose markers are `#` comments instead.
//!
//! Both are [`Doc`]s, so that the engine treats them as it treats keys: a file or block that
//! is not there is written; one ai-setup wrote is updated while it holds what was written, and
//! is drift once the user edits it; one ai-setup never wrote is the user's and is left alone.
//!
//! A whole file is one key, [`WHOLE_FILE`], whose value is its text. A Markdown file is one key
//! per block, the block's name, whose value is the text between its markers:
//!
//! ```text
//! <!-- BEGIN ai-setup demo-corp -->
//! …the org's text…
//! <!-- END ai-setup demo-corp -->
//!
//! …the user's own text, byte for byte…
//! ```
//!
//! A new block goes at the top, followed by one blank line, so that the user's bytes are not
//! touched at all (only moved); removing the block takes that blank line with it and leaves
//! the file as it was. The snapshot holds the user's text too (under the key `""`, which no
//! block is called), so that a file with nothing but the user's text is not taken for empty.

use serde_json::{Map, Value};

use super::{Doc, Step, split_bom, with_bom};
use crate::error::{Error, Result};

/// The one key of a whole file.
pub const WHOLE_FILE: &str = "(whole file)";

/// A file whose whole text is one value.
pub struct WholeDoc {
    text: Option<String>,
}

impl WholeDoc {
    /// Bytes that are not UTF-8 are read lossily: such a file never holds what ai-setup
    /// writes, so it is never taken for ai-setup's.
    pub fn parse(before: Option<&[u8]>) -> Self {
        WholeDoc {
            text: before.map(|b| String::from_utf8_lossy(b).into_owned()),
        }
    }
}

fn is_whole(key: &[Step]) -> bool {
    matches!(key, [Step::Name(name)] if name == WHOLE_FILE)
}

fn not_text(key: &[Step]) -> Error {
    Error::failure(format!(
        "'{}' is not a text value, which a prose file needs",
        super::display(key)
    ))
}

impl Doc for WholeDoc {
    fn get(&self, key: &[Step]) -> Option<Value> {
        self.text
            .as_ref()
            .filter(|_| is_whole(key))
            .map(|t| Value::String(t.clone()))
    }

    fn snapshot(&self) -> Value {
        let mut map = Map::new();
        if let Some(text) = &self.text {
            map.insert(WHOLE_FILE.into(), Value::String(text.clone()));
        }
        Value::Object(map)
    }

    fn set(&mut self, key: &[Step], value: &Value) -> Result<()> {
        match value.as_str() {
            Some(text) if is_whole(key) => {
                self.text = Some(text.to_string());
                Ok(())
            }
            _ => Err(not_text(key)),
        }
    }

    fn remove(&mut self, key: &[Step]) -> bool {
        is_whole(key) && self.text.take().is_some()
    }

    fn render(&self) -> Vec<u8> {
        self.text.clone().unwrap_or_default().into_bytes()
    }
}

/// A Markdown file with ai-setup's blocks in it.
pub struct BlocksDoc {
    markers: Markers,
    bom: bool,
    /// The file's line ending, which new marker lines use.
    newline: &'static str,
    parts: Vec<Part>,
}

enum Part {
    /// The user's text, as it is.
    Text(String),
    /// A block: its name, its text with `\n` line endings, and whether a blank line follows
    /// the end marker (the one a new block is written with).
    Block {
        name: String,
        text: String,
        blank_after: bool,
    },
}

/// How a block's marker lines are spelled: as a comment of the file's language, so that the
/// client reading the file skips them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markers {
    /// `<!-- BEGIN ai-setup NAME -->`: Markdown.
    Html,
    /// `# BEGIN ai-setup NAME`: dotenv and shell files.
    Hash,
}

impl Markers {
    fn affixes(self) -> (&'static str, &'static str) {
        match self {
            Markers::Html => ("<!-- ", " -->"),
            Markers::Hash => ("# ", ""),
        }
    }

    fn begin(self, name: &str) -> String {
        let (open, close) = self.affixes();
        format!("{open}BEGIN ai-setup {name}{close}")
    }

    fn end(self, name: &str) -> String {
        let (open, close) = self.affixes();
        format!("{open}END ai-setup {name}{close}")
    }

    /// The block name of a begin marker line.
    fn begun(self, line: &str) -> Option<&str> {
        let (open, close) = self.affixes();
        line.trim_end_matches(['\r', '\n'])
            .strip_prefix(open)?
            .strip_prefix("BEGIN ai-setup ")?
            .strip_suffix(close)
            .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
    }
}

impl BlocksDoc {
    /// Refuses a file whose markers do not pair up (a begin without its end): ai-setup could
    /// not tell its text from the user's.
    pub fn parse(before: Option<&[u8]>, markers: Markers) -> Result<Self> {
        let (bom, text) = split_bom(before.unwrap_or(b""))?;
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut parts = Vec::new();
        let mut user = String::new();
        let mut lines = text.split_inclusive('\n').enumerate().peekable();
        while let Some((number, line)) = lines.next() {
            let Some(name) = markers.begun(line) else {
                user.push_str(line);
                continue;
            };
            let end = markers.end(name);
            let mut body = String::new();
            let mut closed = false;
            for (_, inner) in lines.by_ref() {
                if inner.trim_end_matches(['\r', '\n']) == end {
                    closed = true;
                    break;
                }
                body.push_str(&inner.replace("\r\n", "\n"));
            }
            if !closed {
                return Err(Error::failure(format!(
                    "the block '{name}' begun at line {} has no line '{end}'",
                    number + 1
                )));
            }
            if parts
                .iter()
                .any(|p| matches!(p, Part::Block { name: n, .. } if n == name))
            {
                return Err(Error::failure(format!("the block '{name}' is there twice")));
            }
            let blank_after = lines
                .peek()
                .is_some_and(|(_, next)| next.trim_end_matches(['\r', '\n']).is_empty());
            if blank_after {
                lines.next();
            }
            if !user.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut user)));
            }
            parts.push(Part::Block {
                name: name.to_string(),
                text: body,
                blank_after,
            });
        }
        if !user.is_empty() {
            parts.push(Part::Text(user));
        }
        Ok(BlocksDoc {
            markers,
            bom,
            newline,
            parts,
        })
    }

    fn block_mut(&mut self, name: &str) -> Option<&mut String> {
        self.parts.iter_mut().find_map(|p| match p {
            Part::Block { name: n, text, .. } if n == name => Some(text),
            _ => None,
        })
    }
}

/// The block a key names: a single step that is not the user's text.
fn block_name(key: &[Step]) -> Option<&str> {
    match key {
        [Step::Name(name)] if !name.is_empty() => Some(name),
        _ => None,
    }
}

impl Doc for BlocksDoc {
    fn get(&self, key: &[Step]) -> Option<Value> {
        let name = block_name(key)?;
        self.parts.iter().find_map(|p| match p {
            Part::Block { name: n, text, .. } if n == name => Some(Value::String(text.clone())),
            _ => None,
        })
    }

    /// The blocks by name, and the user's text under `""` (without trailing white space,
    /// and only when there is some).
    fn snapshot(&self) -> Value {
        let mut map = Map::new();
        let mut user = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => user.push_str(text),
                Part::Block { name, text, .. } => {
                    map.insert(name.clone(), Value::String(text.clone()));
                }
            }
        }
        let user = user.trim_end();
        if !user.is_empty() {
            map.insert(String::new(), Value::String(user.to_string()));
        }
        Value::Object(map)
    }

    fn set(&mut self, key: &[Step], value: &Value) -> Result<()> {
        let (Some(name), Some(text)) = (block_name(key), value.as_str()) else {
            return Err(not_text(key));
        };
        if name.contains(char::is_whitespace) {
            return Err(Error::failure(format!(
                "'{name}' cannot name a block: it has white space"
            )));
        }
        let mut text = text.replace("\r\n", "\n");
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        match self.block_mut(name) {
            Some(block) => *block = text,
            None => {
                let blank_after = !self.parts.is_empty();
                self.parts.insert(
                    0,
                    Part::Block {
                        name: name.to_string(),
                        text,
                        blank_after,
                    },
                );
            }
        }
        Ok(())
    }

    fn remove(&mut self, key: &[Step]) -> bool {
        let Some(name) = block_name(key) else {
            return false;
        };
        let before = self.parts.len();
        self.parts
            .retain(|p| !matches!(p, Part::Block { name: n, .. } if n == name));
        self.parts.len() != before
    }

    fn render(&self) -> Vec<u8> {
        let nl = self.newline;
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Block {
                    name,
                    text,
                    blank_after,
                } => {
                    out.push_str(&self.markers.begin(name));
                    out.push_str(nl);
                    out.push_str(&text.replace('\n', nl));
                    out.push_str(&self.markers.end(name));
                    out.push_str(nl);
                    if *blank_after {
                        out.push_str(nl);
                    }
                }
            }
        }
        with_bom(self.bom, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn block(name: &str) -> Vec<Step> {
        vec![Step::from(name)]
    }

    fn edit(before: Option<&str>, f: impl FnOnce(&mut BlocksDoc)) -> String {
        let mut doc = BlocksDoc::parse(before.map(str::as_bytes), Markers::Html).unwrap();
        f(&mut doc);
        String::from_utf8(doc.render()).unwrap()
    }

    #[test]
    fn a_block_goes_on_top_and_leaves_the_users_bytes_when_removed() {
        for user in [
            "# Mine\n\nno final newline",
            "\n\nstarts blank\r\nwith CRLF\r\n",
            "",
            "<!-- BEGIN ai-setup -->\n",
        ] {
            let added = edit(Some(user), |d| {
                d.set(&block("demo-corp"), &json!("Rule one.\nRule two."))
                    .unwrap()
            });
            assert!(added.starts_with("<!-- BEGIN ai-setup demo-corp -->"));
            assert!(added.ends_with(user), "{added:?}");
            let doc = BlocksDoc::parse(Some(added.as_bytes()), Markers::Html).unwrap();
            assert_eq!(
                doc.get(&block("demo-corp")),
                Some(json!("Rule one.\nRule two.\n"))
            );
            let removed = edit(Some(&added), |d| assert!(d.remove(&block("demo-corp"))));
            assert_eq!(removed, user);
        }
    }

    #[test]
    fn blocks_are_updated_in_place_and_the_users_text_is_in_the_snapshot() {
        let file = "intro\n<!-- BEGIN ai-setup a -->\nold\n<!-- END ai-setup a -->\noutro\n";
        let updated = edit(Some(file), |d| d.set(&block("a"), &json!("new\n")).unwrap());
        assert_eq!(
            updated,
            "intro\n<!-- BEGIN ai-setup a -->\nnew\n<!-- END ai-setup a -->\noutro\n"
        );
        let doc = BlocksDoc::parse(Some(updated.as_bytes()), Markers::Html).unwrap();
        assert_eq!(doc.snapshot(), json!({"a": "new\n", "": "intro\noutro"}));
        assert_eq!(
            BlocksDoc::parse(None, Markers::Html).unwrap().snapshot(),
            json!({}),
            "nothing there: nothing of the user's"
        );
    }

    #[test]
    fn a_dotenv_block_has_comment_markers_and_an_html_marker_is_the_users_text() {
        let user = "# my keys\nOTHER=1\n<!-- BEGIN ai-setup a -->\n";
        let mut doc = BlocksDoc::parse(Some(user.as_bytes()), Markers::Hash).unwrap();
        doc.set(&block("demo-corp"), &json!("A=1\nB=2")).unwrap();
        let added = String::from_utf8(doc.render()).unwrap();
        assert_eq!(
            added,
            format!("# BEGIN ai-setup demo-corp\nA=1\nB=2\n# END ai-setup demo-corp\n\n{user}")
        );
        let mut doc = BlocksDoc::parse(Some(added.as_bytes()), Markers::Hash).unwrap();
        assert!(doc.remove(&block("demo-corp")));
        assert_eq!(doc.render(), user.as_bytes());
    }

    #[test]
    fn unpaired_or_doubled_markers_are_refused() {
        let open = "<!-- BEGIN ai-setup a -->\ntext\n";
        let err = BlocksDoc::parse(Some(open.as_bytes()), Markers::Html)
            .err()
            .unwrap();
        assert!(err.message.contains("line 1"), "{}", err.message);
        let twice = "<!-- BEGIN ai-setup a -->\n<!-- END ai-setup a -->\n<!-- BEGIN ai-setup a -->\n<!-- END ai-setup a -->\n";
        assert!(BlocksDoc::parse(Some(twice.as_bytes()), Markers::Html).is_err());
    }

    #[test]
    fn a_whole_file_is_one_value() {
        let mut doc = WholeDoc::parse(None);
        assert_eq!(doc.snapshot(), json!({}));
        let key = [Step::from(WHOLE_FILE)];
        doc.set(&key, &json!("---\nname: x\n---\nbody\n")).unwrap();
        assert_eq!(doc.render(), b"---\nname: x\n---\nbody\n");
        assert!(doc.set(&key, &json!(1)).is_err());
        assert!(doc.remove(&key));
        assert_eq!(doc.snapshot(), json!({}));
        let binary = WholeDoc::parse(Some(b"\xff\xfe"));
        assert!(binary.get(&key).is_some_and(|v| v != json!("")));
    }
}
