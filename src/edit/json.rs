//! The editor for strict JSON files that their client itself rewrites whole, such as OpenCode's
//! `auth.json` (written by `JSON.stringify(data, null, 2)`): keys keep their order and the
//! output has the client's own layout, so a file edited by ai-setup looks as if the client had
//! written it. Files users edit by hand, with comments, get the lossless CST editor (issue #3).

use serde_json::{Map, Value};

use crate::apply::Op;
use crate::error::{Error, Result};

/// Applies `ops` to the JSON text `before` (absent: an empty object) and renders the result.
pub fn apply(before: Option<&[u8]>, ops: &[Op]) -> Result<Vec<u8>> {
    let mut root: Value = match before {
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
    for op in ops {
        match op {
            Op::Set { key, value } => set(&mut root, key, value.clone())?,
            Op::Remove { key } => remove(&mut root, key),
        }
    }
    let mut out = serde_json::to_vec_pretty(&root).expect("JSON serialises");
    // Keep the file's own convention about a final newline.
    if before.is_some_and(|b| b.ends_with(b"\n")) {
        out.push(b'\n');
    }
    Ok(out)
}

fn set(root: &mut Value, key: &[String], value: Value) -> Result<()> {
    let (last, parents) = key.split_last().expect("a key has at least one part");
    let mut node = root;
    for (i, part) in parents.iter().enumerate() {
        let object = node.as_object_mut().ok_or_else(|| not_object(&key[..i]))?;
        node = object
            .entry(part.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let object = node.as_object_mut().ok_or_else(|| not_object(parents))?;
    object.insert(last.clone(), value);
    Ok(())
}

fn remove(root: &mut Value, key: &[String]) {
    let (last, parents) = key.split_last().expect("a key has at least one part");
    let mut node = root;
    for part in parents {
        match node.get_mut(part) {
            Some(child) => node = child,
            None => return,
        }
    }
    if let Some(object) = node.as_object_mut() {
        object.shift_remove(last);
    }
}

fn not_object(key: &[String]) -> Error {
    Error::failure(format!(
        "'{}' is not an object, so ai-setup cannot add keys under it",
        key.join(".")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(k: &str) -> Vec<String> {
        vec![k.to_string()]
    }

    #[test]
    fn keeps_other_entries_and_order() {
        let before = b"{\n  \"z\": {\"type\": \"api\", \"key\": \"k\"},\n  \"a\": 1\n}";
        let out = apply(
            Some(before),
            &[Op::Set {
                key: key("m"),
                value: json!({"type": "wellknown"}),
            }],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.find("\"z\"").unwrap() < text.find("\"a\"").unwrap());
        assert!(text.contains("\"m\": {\n    \"type\": \"wellknown\"\n  }"));
        assert!(!text.ends_with('\n'));
    }

    #[test]
    fn refuses_broken_json_and_removes_only_the_key() {
        assert!(apply(Some(b"{\"a\": "), &[]).is_err());
        let out = apply(
            Some(b"{\"a\": 1, \"b\": 2}\n"),
            &[Op::Remove { key: key("a") }],
        )
        .unwrap();
        assert_eq!(out, b"{\n  \"b\": 2\n}\n");
    }
}
