//! Format editors: apply key operations to a file's text and change nothing else.
//!
//! A [`Doc`] is a parsed file that can read, set and remove values at key paths, and print
//! itself. The JSONC and TOML editors work on concrete syntax trees, so comments, trailing
//! commas, key order, indentation and line endings outside the edited keys come out byte for
//! byte as they went in. The plain JSON editor is for files their client rewrites whole anyway
//! (OpenCode's `auth.json`), where matching the client's own layout matters more.

pub mod json;
pub mod jsonc;
pub mod text;
pub mod toml;
pub mod yaml;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// How a file is parsed and edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Strict JSON rewritten whole in the client's own layout (2-space `JSON.stringify`).
    JsonRewrite,
    /// JSON or JSONC edited in place through a CST.
    Jsonc,
    /// TOML edited in place through `toml_edit`.
    Toml,
    /// YAML edited in place through `yaml-edit`.
    Yaml,
    /// A file that is one text value, owned whole (see [`text`]).
    Text,
    /// Markdown with ai-setup's blocks between marker lines (see [`text`]).
    Markdown,
    /// A dotenv file (`KEY=value` lines) with ai-setup's blocks between `#` marker lines.
    Dotenv,
}

/// One step of a key path: a property name, whatever characters it holds, or the element of a
/// list of objects whose `field` is `value` (Continue's `mcpServers`). The two are different
/// variants, so no server name (`[name=x]` included) can ever be read as a list selector. In
/// the ledger a name is a JSON string and an element an object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Step {
    Name(String),
    Element {
        field: String,
        value: String,
    },
    /// A string in a list of strings (`permissions.deny` holding `"Bash"`): ai-setup's own
    /// members of a list the user adds to as well. Always the last step of a key.
    Item {
        item: String,
    },
}

impl Step {
    pub fn name(&self) -> Option<&str> {
        match self {
            Step::Name(name) => Some(name),
            Step::Element { .. } | Step::Item { .. } => None,
        }
    }

    pub fn item(item: impl Into<String>) -> Step {
        Step::Item { item: item.into() }
    }
}

impl From<&str> for Step {
    fn from(name: &str) -> Self {
        Step::Name(name.to_string())
    }
}

impl From<String> for Step {
    fn from(name: String) -> Self {
        Step::Name(name)
    }
}

/// A key path of property names.
pub fn path<S: AsRef<str>>(names: &[S]) -> Vec<Step> {
    names.iter().map(|n| Step::from(n.as_ref())).collect()
}

/// A key path as people read it: `mcpServers.docs`, `mcpServers[name=docs]`.
pub fn display(key: &[Step]) -> String {
    let mut out = String::new();
    for step in key {
        match step {
            Step::Name(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Step::Element { field, value } => out.push_str(&format!("[{field}={value}]")),
            Step::Item { item } => out.push_str(&format!("[{item:?}]")),
        }
    }
    out
}

/// A key that is a string in a list: the list's path (names only) and the string.
pub(crate) fn item_key(key: &[Step]) -> Option<(Vec<&str>, &str)> {
    match key.split_last()? {
        (Step::Item { item }, list) if !list.is_empty() => Some((names(list)?, item)),
        _ => None,
    }
}

/// The list and the `field` and `value` of a key that ends in a list element (a Droid custom
/// model, found by its `displayName`).
pub(crate) fn element_key(key: &[Step]) -> Option<(Vec<&str>, &str, &str)> {
    match key.split_last()? {
        (Step::Element { field, value }, list) if !list.is_empty() => {
            Some((names(list)?, field, value))
        }
        _ => None,
    }
}

/// The names of a path that has no list elements in it, for the editors of formats that
/// address only by name (JSON, TOML).
pub(crate) fn names(key: &[Step]) -> Option<Vec<&str>> {
    key.iter().map(Step::name).collect()
}

/// The error for a list element asked of an editor that has no such addressing.
pub(crate) fn no_elements(key: &[Step]) -> Error {
    Error::failure(format!(
        "'{}' names a list element, which this file format cannot address",
        display(key)
    ))
}

/// A parsed file.
pub trait Doc {
    /// The value at `key`, as JSON.
    fn get(&self, key: &[Step]) -> Option<Value>;
    /// Whether `key` is there, without converting its value (a parent can be large).
    fn has(&self, key: &[Step]) -> bool {
        self.get(key).is_some()
    }
    /// The whole document as JSON: one conversion for many reads.
    fn snapshot(&self) -> Value;
    /// Sets `key`, creating missing parent objects or tables.
    fn set(&mut self, key: &[Step], value: &Value) -> Result<()>;
    /// Sets many keys, in order; an editor may build new sections at once.
    fn set_many(&mut self, writes: &[(Vec<Step>, Value)]) -> Result<()> {
        writes
            .iter()
            .try_for_each(|(key, value)| self.set(key, value))
    }
    /// Removes `key`; true when it was there.
    fn remove(&mut self, key: &[Step]) -> bool;
    fn render(&self) -> Vec<u8>;
}

/// The value at `key` in a JSON value, through objects and list elements.
pub fn lookup<'a>(value: &'a Value, key: &[Step]) -> Option<&'a Value> {
    key.iter().try_fold(value, |node, step| match step {
        Step::Element { field, value } => node
            .as_array()?
            .iter()
            .find(|item| item.get(field).and_then(Value::as_str) == Some(value)),
        Step::Name(name) => node.as_object()?.get(name),
        Step::Item { item } => node.as_array()?.iter().find(|v| v.as_str() == Some(item)),
    })
}

/// [`lookup`] for changing the value found.
pub fn lookup_mut<'a>(value: &'a mut Value, key: &[Step]) -> Option<&'a mut Value> {
    key.iter().try_fold(value, |node, step| match step {
        Step::Element { field, value } => node
            .as_array_mut()?
            .iter_mut()
            .find(|item| item.get(field).and_then(Value::as_str) == Some(value)),
        Step::Name(name) => node.as_object_mut()?.get_mut(name),
        Step::Item { item } => node
            .as_array_mut()?
            .iter_mut()
            .find(|v| v.as_str() == Some(item)),
    })
}

/// Parses `text` (absent: an empty document) in `format`.
pub fn parse(format: Format, text: Option<&[u8]>) -> Result<Box<dyn Doc>> {
    Ok(match format {
        Format::JsonRewrite => Box::new(json::JsonDoc::parse(text)?),
        // A file that does not exist has nothing to keep: it is built in memory.
        Format::Jsonc if text.is_none() => Box::new(json::JsonDoc::new_jsonc()),
        Format::Jsonc => Box::new(jsonc::JsoncDoc::parse(text)?),
        Format::Toml => Box::new(toml::TomlDoc::parse(text)?),
        Format::Yaml => Box::new(yaml::YamlDoc::parse(text)?),
        Format::Text => Box::new(text::WholeDoc::parse(text)),
        Format::Markdown => Box::new(text::BlocksDoc::parse(text, text::Markers::Html)?),
        Format::Dotenv => Box::new(text::BlocksDoc::parse(text, text::Markers::Hash)?),
    })
}

/// Text of a file for a text-based editor: UTF-8, with a byte-order mark split off so that it
/// can be put back.
pub(crate) fn split_bom(bytes: &[u8]) -> Result<(bool, &str)> {
    let (bom, rest) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let text = std::str::from_utf8(rest)
        .map_err(|e| crate::error::Error::failure(format!("not UTF-8 text: {e}")))?;
    Ok((bom, text))
}

pub(crate) fn with_bom(bom: bool, text: String) -> Vec<u8> {
    let mut out = if bom {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        Vec::new()
    };
    out.extend_from_slice(text.as_bytes());
    out
}
