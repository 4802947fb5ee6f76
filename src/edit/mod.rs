//! Format editors: apply key operations to a file's text and change nothing else.
//!
//! A [`Doc`] is a parsed file that can read, set and remove values at key paths, and print
//! itself. The JSONC and TOML editors work on concrete syntax trees, so comments, trailing
//! commas, key order, indentation and line endings outside the edited keys come out byte for
//! byte as they went in. The plain JSON editor is for files their client rewrites whole anyway
//! (OpenCode's `auth.json`), where matching the client's own layout matters more.

pub mod json;
pub mod jsonc;
pub mod toml;
pub mod yaml;

use serde_json::Value;

use crate::error::Result;

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
}

/// A parsed file.
pub trait Doc {
    /// The value at `key`, as JSON.
    fn get(&self, key: &[String]) -> Option<Value>;
    /// Whether `key` is there, without converting its value (a parent can be large).
    fn has(&self, key: &[String]) -> bool {
        self.get(key).is_some()
    }
    /// The whole document as JSON: one conversion for many reads.
    fn snapshot(&self) -> Value;
    /// Sets `key`, creating missing parent objects or tables.
    fn set(&mut self, key: &[String], value: &Value) -> Result<()>;
    /// Sets many keys, in order; an editor may build new sections at once.
    fn set_many(&mut self, writes: &[(Vec<String>, Value)]) -> Result<()> {
        writes
            .iter()
            .try_for_each(|(key, value)| self.set(key, value))
    }
    /// Removes `key`; true when it was there.
    fn remove(&mut self, key: &[String]) -> bool;
    fn render(&self) -> Vec<u8>;
}

/// A key segment `[field=value]` names the element of a list of objects whose `field` is
/// `value` (Continue's `mcpServers` is such a list). Only the YAML editor writes through it.
pub fn selector(part: &str) -> Option<(&str, &str)> {
    part.strip_prefix('[')?.strip_suffix(']')?.split_once('=')
}

/// The value at `key` in a JSON value, through objects and `[field=value]` list selectors.
pub fn lookup<'a>(value: &'a Value, key: &[String]) -> Option<&'a Value> {
    key.iter()
        .try_fold(value, |node, part| match selector(part) {
            Some((field, wanted)) => node
                .as_array()?
                .iter()
                .find(|item| item.get(field).and_then(Value::as_str) == Some(wanted)),
            None => node.as_object()?.get(part),
        })
}

/// Parses `text` (absent: an empty document) in `format`.
pub fn parse(format: Format, text: Option<&[u8]>) -> Result<Box<dyn Doc>> {
    Ok(match format {
        Format::JsonRewrite => Box::new(json::JsonDoc::parse(text)?),
        Format::Jsonc => Box::new(jsonc::JsoncDoc::parse(text)?),
        Format::Toml => Box::new(toml::TomlDoc::parse(text)?),
        Format::Yaml => Box::new(yaml::YamlDoc::parse(text)?),
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
