//! The editor for strict JSON files that their client itself rewrites whole, such as OpenCode's
//! `auth.json` (written by `JSON.stringify(data, null, 2)`): keys keep their order and the
//! output has the client's own layout, so a file edited by ai-setup looks as if the client had
//! written it. Files users edit by hand, with comments, get the lossless CST editor (issue #3),
//! except one that does not exist yet: there is nothing of the user's to keep, so it is built
//! here, which is linear in its size, and laid out as the CST editor lays out what it adds.

use serde_json::{Map, Value};

use super::{Doc, Step, element_key, item_key, names, no_elements};
use crate::error::{Error, Result};

pub struct JsonDoc {
    root: Value,
    final_newline: bool,
    layout: Layout,
}

/// How the file is laid out when rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `JSON.stringify(data, null, 2)`: what OpenCode writes.
    Stringify,
    /// Two spaces, lists of plain values on one line: what the JSONC editor writes.
    Jsonc,
}

impl JsonDoc {
    pub fn parse(before: Option<&[u8]>) -> Result<Self> {
        let root: Value = match before {
            None => Value::Object(Map::new()),
            Some(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Value::Object(Map::new()),
            Some(bytes) => serde_json::from_slice(bytes).map_err(|e| {
                Error::failure(format!(
                    "not valid JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ))
            })?,
        };
        if !root.is_object() {
            return Err(Error::failure("the file is JSON but not an object"));
        }
        Ok(JsonDoc {
            root,
            // Keep the file's own convention about a final newline.
            final_newline: before.is_some_and(|b| b.ends_with(b"\n")),
            layout: Layout::Stringify,
        })
    }

    /// A JSONC file that does not exist yet.
    pub fn new_jsonc() -> Self {
        JsonDoc {
            root: Value::Object(Map::new()),
            final_newline: true,
            layout: Layout::Jsonc,
        }
    }
}

impl Doc for JsonDoc {
    fn get(&self, key: &[Step]) -> Option<Value> {
        super::lookup(&self.root, key).cloned()
    }

    fn set(&mut self, key: &[Step], value: &Value) -> Result<()> {
        if let Some((list, item)) = item_key(key) {
            return add_item(&mut self.root, &list, item);
        }
        if let Some((list, field, at)) = element_key(key) {
            let items = list_made(&mut self.root, &list)?;
            let found = items
                .iter_mut()
                .find(|v| v.get(field).and_then(Value::as_str) == Some(at));
            match found {
                Some(slot) => *slot = value.clone(),
                None => items.push(value.clone()),
            }
            return Ok(());
        }
        let parts = names(key).ok_or_else(|| no_elements(key))?;
        set(&mut self.root, &parts, value.clone())
    }

    fn snapshot(&self) -> Value {
        self.root.clone()
    }

    fn remove(&mut self, key: &[Step]) -> bool {
        if let Some((list, item)) = item_key(key) {
            return remove_item(&mut self.root, &list, |v| v.as_str() == Some(item));
        }
        if let Some((list, field, at)) = element_key(key) {
            let is_it = |v: &Value| v.get(field).and_then(Value::as_str) == Some(at);
            return remove_item(&mut self.root, &list, is_it);
        }
        names(key).is_some_and(|parts| remove(&mut self.root, &parts))
    }

    fn render(&self) -> Vec<u8> {
        let mut out = match self.layout {
            Layout::Stringify => serde_json::to_vec_pretty(&self.root).expect("JSON serialises"),
            Layout::Jsonc => {
                let mut text = String::new();
                write_jsonc(&self.root, 0, &mut text);
                text.into_bytes()
            }
        };
        if self.final_newline {
            out.push(b'\n');
        }
        out
    }
}

/// `value` in [`Layout::Jsonc`], at an indent of `indent` spaces.
fn write_jsonc(value: &Value, indent: usize, out: &mut String) {
    let plain = |v: &Value| serde_json::to_string(v).expect("JSON serialises");
    let inner = " ".repeat(indent + 2);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (key, item)) in map.iter().enumerate() {
                out.push_str(&inner);
                out.push_str(&plain(&Value::String(key.clone())));
                out.push_str(": ");
                write_jsonc(item, indent + 2, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&inner);
                write_jsonc(item, indent + 2, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(plain).collect();
            out.push('[');
            out.push_str(&items.join(", "));
            out.push(']');
        }
        other => out.push_str(&plain(other)),
    }
}

fn set(root: &mut Value, key: &[&str], value: Value) -> Result<()> {
    let (last, parents) = key.split_last().expect("a key has at least one part");
    let mut node = root;
    for (i, part) in parents.iter().enumerate() {
        let object = node.as_object_mut().ok_or_else(|| not_object(&key[..i]))?;
        node = object
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let object = node.as_object_mut().ok_or_else(|| not_object(parents))?;
    object.insert(last.to_string(), value);
    Ok(())
}

fn remove(root: &mut Value, key: &[&str]) -> bool {
    let (last, parents) = key.split_last().expect("a key has at least one part");
    let mut node = root;
    for part in parents {
        match node.get_mut(part) {
            Some(child) => node = child,
            None => return false,
        }
    }
    node.as_object_mut()
        .is_some_and(|object| object.shift_remove(*last).is_some())
}

/// Adds `item` to the list of strings at `list`, creating the list and its parents.
fn add_item(root: &mut Value, list: &[&str], item: &str) -> Result<()> {
    let items = list_made(root, list)?;
    if !items.iter().any(|v| v.as_str() == Some(item)) {
        items.push(item.into());
    }
    Ok(())
}

/// The list at `list`, created with its parents where missing.
fn list_made<'v>(root: &'v mut Value, list: &[&str]) -> Result<&'v mut Vec<Value>> {
    let (name, parents) = list.split_last().expect("a list has a name");
    let mut node = root;
    for (i, part) in parents.iter().enumerate() {
        let object = node.as_object_mut().ok_or_else(|| not_object(&list[..i]))?;
        node = object
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let object = node.as_object_mut().ok_or_else(|| not_object(parents))?;
    object
        .entry(name.to_string())
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
        .ok_or_else(|| not_list(list))
}

/// Removes the members of the list at `list` that `is_it` picks; whether there were any.
fn remove_item(root: &mut Value, list: &[&str], is_it: impl Fn(&Value) -> bool) -> bool {
    let steps = super::path(list);
    let Some(Value::Array(items)) = super::lookup_mut(root, &steps) else {
        return false;
    };
    let before = items.len();
    items.retain(|v| !is_it(v));
    items.len() != before
}

/// The error for a list wanted where the file has something else.
pub(crate) fn not_list(key: &[&str]) -> Error {
    Error::failure(format!(
        "'{}' is not a list, so ai-setup cannot add entries to it",
        key.join(".")
    ))
}

fn not_object(key: &[&str]) -> Error {
    Error::failure(format!(
        "'{}' is not an object, so ai-setup cannot add keys under it",
        key.join(".")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(k: &str) -> Vec<Step> {
        vec![Step::from(k)]
    }

    #[test]
    fn keeps_other_entries_and_order() {
        let before = b"{\n  \"z\": {\"type\": \"api\", \"key\": \"k\"},\n  \"a\": 1\n}";
        let mut doc = JsonDoc::parse(Some(before)).unwrap();
        doc.set(&key("m"), &json!({"type": "wellknown"})).unwrap();
        let text = String::from_utf8(doc.render()).unwrap();
        assert!(text.find("\"z\"").unwrap() < text.find("\"a\"").unwrap());
        assert!(text.contains("\"m\": {\n    \"type\": \"wellknown\"\n  }"));
        assert!(!text.ends_with('\n'));
    }

    #[test]
    fn a_new_jsonc_file_reads_back_as_written_and_as_the_cst_editor_would_lay_it_out() {
        let mut doc = JsonDoc::new_jsonc();
        let value =
            json!({"command": "/bin/x", "args": ["a", "b \"q\""], "env": {}, "l": [{"k": 1}]});
        doc.set(&[Step::from("mcpServers"), Step::from("s.1")], &value)
            .unwrap();
        let text = String::from_utf8(doc.render()).unwrap();
        assert_eq!(
            text,
            "{\n  \"mcpServers\": {\n    \"s.1\": {\n      \"command\": \"/bin/x\",\n      \"args\": [\"a\", \"b \\\"q\\\"\"],\n      \"env\": {},\n      \"l\": [\n        {\n          \"k\": 1\n        }\n      ]\n    }\n  }\n}\n"
        );
        let back = super::super::jsonc::JsoncDoc::parse(Some(text.as_bytes())).unwrap();
        assert_eq!(back.snapshot(), json!({"mcpServers": {"s.1": value}}));
    }

    #[test]
    fn refuses_broken_json_and_removes_only_the_key() {
        assert!(JsonDoc::parse(Some(b"{\"a\": ")).is_err());
        let mut doc = JsonDoc::parse(Some(b"{\"a\": 1, \"b\": 2}\n")).unwrap();
        assert!(doc.remove(&key("a")));
        assert!(!doc.remove(&key("a")));
        assert_eq!(doc.render(), b"{\n  \"b\": 2\n}\n");
    }
}
