//! The editor for strict JSON files that their client itself rewrites whole, such as OpenCode's
//! `auth.json` (written by `JSON.stringify(data, null, 2)`): keys keep their order and the
//! output has the client's own layout, so a file edited by ai-setup looks as if the client had
//! written it. Files users edit by hand, with comments, get the lossless CST editor (issue #3).

use serde_json::{Map, Value};

use super::{Doc, Step, names, no_elements};
use crate::error::{Error, Result};

pub struct JsonDoc {
    root: Value,
    final_newline: bool,
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
        })
    }
}

impl Doc for JsonDoc {
    fn get(&self, key: &[Step]) -> Option<Value> {
        names(key)?
            .iter()
            .try_fold(&self.root, |node, part| node.get(part))
            .cloned()
    }

    fn set(&mut self, key: &[Step], value: &Value) -> Result<()> {
        let parts = names(key).ok_or_else(|| no_elements(key))?;
        set(&mut self.root, &parts, value.clone())
    }

    fn snapshot(&self) -> Value {
        self.root.clone()
    }

    fn remove(&mut self, key: &[Step]) -> bool {
        names(key).is_some_and(|parts| remove(&mut self.root, &parts))
    }

    fn render(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(&self.root).expect("JSON serialises");
        if self.final_newline {
            out.push(b'\n');
        }
        out
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
    fn refuses_broken_json_and_removes_only_the_key() {
        assert!(JsonDoc::parse(Some(b"{\"a\": ")).is_err());
        let mut doc = JsonDoc::parse(Some(b"{\"a\": 1, \"b\": 2}\n")).unwrap();
        assert!(doc.remove(&key("a")));
        assert!(!doc.remove(&key("a")));
        assert_eq!(doc.render(), b"{\n  \"b\": 2\n}\n");
    }
}
