//! The lossless JSON/JSONC editor, on jsonc-parser's concrete syntax tree (the editor Deno and
//! dprint use for their own config files). Only the properties set or removed change; comments,
//! trailing commas, indentation, key order and CRLF line endings elsewhere stay as they were,
//! and new properties follow the file's own style. Also used for strict JSON files: it adds no
//! comments or trailing commas to a file that has none.

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstObject, CstRootNode};
use serde_json::Value;

use super::{Doc, Step, names, no_elements, split_bom, with_bom};
use crate::error::{Error, Result};

pub struct JsoncDoc {
    root: CstRootNode,
    bom: bool,
}

impl JsoncDoc {
    pub fn parse(before: Option<&[u8]>) -> Result<Self> {
        let (bom, text) = split_bom(before.unwrap_or(b""))?;
        let root = CstRootNode::parse(text, &ParseOptions::default())
            .map_err(|e| Error::failure(format!("not valid JSON: {e}")))?;
        match root.value() {
            None => {
                root.object_value_or_set();
            }
            Some(value) if value.as_object().is_none() => {
                return Err(Error::failure("the file is JSON but not an object"));
            }
            Some(_) => {}
        }
        Ok(JsoncDoc { root, bom })
    }

    fn root_object(&self) -> CstObject {
        self.root.object_value().expect("checked at parse")
    }

    /// The object at `path`, if every step is an object.
    fn object_at(&self, path: &[&str]) -> Option<CstObject> {
        path.iter()
            .try_fold(self.root_object(), |obj, part| obj.object_value(part))
    }
}

impl Doc for JsoncDoc {
    fn get(&self, key: &[Step]) -> Option<Value> {
        let key = names(key)?;
        let (last, parents) = key.split_last()?;
        self.object_at(parents)?
            .get(last)?
            .value()?
            .to_serde_value()
    }

    fn snapshot(&self) -> Value {
        self.root_object()
            .to_serde_value()
            .unwrap_or_else(|| Value::Object(Default::default()))
    }

    fn has(&self, key: &[Step]) -> bool {
        let Some(key) = names(key) else {
            return false;
        };
        key.split_last()
            .and_then(|(last, parents)| self.object_at(parents)?.get(last))
            .is_some()
    }

    fn set(&mut self, key: &[Step], value: &Value) -> Result<()> {
        let key = names(key).ok_or_else(|| no_elements(key))?;
        let (last, parents) = key.split_last().expect("a key has at least one part");
        let mut object = self.root_object();
        for (i, part) in parents.iter().enumerate() {
            object = match object.get(part) {
                Some(prop) => prop.object_value().ok_or_else(|| {
                    Error::failure(format!(
                        "'{}' is not an object, so ai-setup cannot add keys under it",
                        key[..=i].join(".")
                    ))
                })?,
                None => {
                    object.append(part, CstInputValue::Object(Vec::new()));
                    object.object_value(part).expect("just appended")
                }
            };
        }
        let input = to_input(value);
        match object.get(last) {
            Some(prop) => prop.set_value(input),
            None => {
                object.append(last, input);
            }
        }
        Ok(())
    }

    fn remove(&mut self, key: &[Step]) -> bool {
        let Some(key) = names(key) else {
            return false;
        };
        let Some((last, parents)) = key.split_last() else {
            return false;
        };
        match self.object_at(parents).and_then(|o| o.get(last)) {
            Some(prop) => {
                prop.remove();
                true
            }
            None => false,
        }
    }

    fn render(&self) -> Vec<u8> {
        with_bom(self.bom, self.root.to_string())
    }
}

/// serde_json values as CST input (jsonc-parser has no such conversion).
fn to_input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(to_input).collect()),
        Value::Object(map) => {
            CstInputValue::Object(map.iter().map(|(k, v)| (k.clone(), to_input(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn key(k: &str) -> Vec<Step> {
        k.split('.').map(Step::from).collect()
    }

    fn edit(text: &str, f: impl FnOnce(&mut JsoncDoc)) -> String {
        let mut doc = JsoncDoc::parse(Some(text.as_bytes())).unwrap();
        f(&mut doc);
        String::from_utf8(doc.render()).unwrap()
    }

    #[test]
    fn comments_trailing_commas_and_crlf_survive() {
        let before = "// user settings\r\n{\r\n  \"theme\": \"dark\", // mine\r\n  /* block */\r\n  \"mcpServers\": {\r\n    \"mine\": { \"command\": \"x\" },\r\n  },\r\n}\r\n";
        let after = edit(before, |d| {
            d.set(
                &key("mcpServers.org"),
                &json!({"command": "ai-setup", "args": ["mcp", "bridge", "org"]}),
            )
            .unwrap();
        });
        assert!(after.starts_with(
            "// user settings\r\n{\r\n  \"theme\": \"dark\", // mine\r\n  /* block */\r\n"
        ));
        assert!(after.contains("\"mine\": { \"command\": \"x\" },\r\n"));
        assert!(
            !after.replace("\r\n", "").contains('\n'),
            "CRLF kept: {after:?}"
        );
        let doc = JsoncDoc::parse(Some(after.as_bytes())).unwrap();
        assert_eq!(
            doc.get(&key("mcpServers.org.args")),
            Some(json!(["mcp", "bridge", "org"]))
        );
        assert_eq!(doc.get(&key("theme")), Some(json!("dark")));

        let removed = edit(&after, |d| assert!(d.remove(&key("mcpServers.org"))));
        assert_eq!(
            JsoncDoc::parse(Some(removed.as_bytes()))
                .unwrap()
                .get(&key("mcpServers")),
            Some(json!({"mine": {"command": "x"}}))
        );
        assert!(removed.contains("// mine") && removed.contains("/* block */"));
    }

    #[test]
    fn an_empty_or_missing_file_becomes_an_object() {
        let mut doc = JsoncDoc::parse(None).unwrap();
        doc.set(&key("a.b"), &json!(1)).unwrap();
        let out = String::from_utf8(doc.render()).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap(),
            json!({"a": {"b": 1}})
        );
    }

    #[test]
    fn refuses_what_it_cannot_edit() {
        assert!(JsoncDoc::parse(Some(b"{\"a\": ")).is_err());
        assert!(JsoncDoc::parse(Some(b"[1]")).is_err());
        let mut doc = JsoncDoc::parse(Some(b"{\"a\": 1}")).unwrap();
        assert!(doc.set(&key("a.b"), &json!(1)).is_err());
    }

    #[test]
    fn a_byte_order_mark_is_kept() {
        let out = edit("\u{feff}{\"a\": 1}", |d| {
            d.set(&key("b"), &json!(2)).unwrap()
        });
        assert!(out.starts_with('\u{feff}'));
    }

    /// A JSONC object text with comments between properties, a trailing comma on request, and
    /// the given line ending.
    fn jsonc_text(props: &[(String, i64)], trailing: bool, newline: &str) -> String {
        let mut out = format!("// head{newline}{{{newline}");
        for (i, (k, v)) in props.iter().enumerate() {
            let comma = if i + 1 < props.len() || trailing {
                ","
            } else {
                ""
            };
            out.push_str(&format!(
                "  // about {k}{newline}  \"{k}\": {v}{comma} /* {k}! */{newline}"
            ));
        }
        out.push_str(&format!("}}{newline}"));
        out
    }

    proptest! {
        /// Parse, edit one key, print: every other byte is where it was, and the edit reads back.
        #[test]
        fn editing_one_key_keeps_every_byte_outside_it(
            keys in prop::collection::btree_set("[a-f]{1,3}", 1..6),
            pick in any::<prop::sample::Index>(),
            new_value in -1000i64..1000,
            trailing in any::<bool>(),
            crlf in any::<bool>(),
        ) {
            let newline = if crlf { "\r\n" } else { "\n" };
            let props: Vec<(String, i64)> = keys.into_iter().enumerate().map(|(i, k)| (k, i as i64)).collect();
            let text = jsonc_text(&props, trailing, newline);
            let (target, old) = props[pick.index(props.len())].clone();
            let after = edit(&text, |d| d.set(&key(&target), &json!(new_value)).unwrap());
            let old_literal = format!("\"{target}\": {old}");
            let new_literal = format!("\"{target}\": {new_value}");
            prop_assert_eq!(after, text.replacen(&old_literal, &new_literal, 1));
        }

        /// Adding and then removing a key gives back an equal document with every comment.
        #[test]
        fn adding_then_removing_a_key_keeps_comments_and_values(
            keys in prop::collection::btree_set("[a-f]{1,3}", 0..6),
            trailing in any::<bool>(),
            crlf in any::<bool>(),
        ) {
            let newline = if crlf { "\r\n" } else { "\n" };
            let props: Vec<(String, i64)> = keys.into_iter().enumerate().map(|(i, k)| (k, i as i64)).collect();
            let text = jsonc_text(&props, trailing, newline);
            let added = edit(&text, |d| d.set(&key("zz.managed"), &json!({"x": [1, 2]})).unwrap());
            let removed = edit(&added, |d| { d.remove(&key("zz")); });
            let parse = |t: &str| jsonc_parser::parse_to_serde_value::<Option<Value>>(t, &Default::default()).unwrap();
            prop_assert_eq!(parse(&removed), parse(&text));
            for (k, _) in &props {
                let about = format!("// about {k}");
                let bang = format!("/* {k}! */");
                prop_assert!(added.contains(&about) && added.contains(&bang));
                prop_assert!(removed.contains(&about) && removed.contains(&bang));
            }
            prop_assert!(!added.replace("\r\n", "").contains('\n') || !crlf);
        }
    }
}
