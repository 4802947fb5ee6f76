//! The lossless JSON/JSONC editor, on jsonc-parser's concrete syntax tree (the editor Deno and
//! dprint use for their own config files). Only the properties set or removed change; comments,
//! trailing commas, indentation, key order and CRLF line endings elsewhere stay as they were,
//! and new properties follow the file's own style. Also used for strict JSON files: it adds no
//! comments or trailing commas to a file that has none. Besides properties, it addresses a
//! string in a list ([`Step::Item`]) and an object in a list by one of its fields
//! ([`Step::Element`]), which is added after the list's last element.

use jsonc_parser::ParseOptions;
use std::collections::HashMap;

use jsonc_parser::cst::{CstArray, CstInputValue, CstNode, CstObject, CstObjectProp, CstRootNode};
use serde_json::Value;

use super::{Doc, Step, element_key, item_key, names, no_elements, split_bom, with_bom};
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

    /// The list at `list`, if it is one.
    fn array_at(&self, list: &[&str]) -> Option<CstArray> {
        let (name, parents) = list.split_last()?;
        self.object_at(parents)?.array_value(name)
    }

    /// The element of the list at `list` that is the string `item`.
    fn item_at(&self, list: &[&str], item: &str) -> Option<CstNode> {
        self.array_at(list)?
            .elements()
            .into_iter()
            .find(|node| node.to_serde_value().as_ref().and_then(Value::as_str) == Some(item))
    }

    /// The object of the list at `list` whose `field` is the string `value`.
    fn element_at(&self, list: &[&str], field: &str, value: &str) -> Option<CstObject> {
        self.array_at(list)?
            .elements()
            .into_iter()
            .filter_map(|node| node.as_object())
            .find(|object| {
                let found = object.get(field).and_then(|p| p.value());
                found
                    .and_then(|v| v.to_serde_value())
                    .as_ref()
                    .and_then(Value::as_str)
                    == Some(value)
            })
    }

    /// The list at `list`, made (with its parents) where missing.
    fn array_made(&self, list: &[&str]) -> Result<CstArray> {
        let (name, parents) = list.split_last().expect("a list has a name");
        let object = self.object_made(parents)?;
        match object.get(name) {
            Some(prop) => prop
                .value()
                .and_then(|v| v.as_array())
                .ok_or_else(|| super::json::not_list(list)),
            None => {
                object.append(name, CstInputValue::Array(Vec::new()));
                Ok(object.array_value(name).expect("just appended"))
            }
        }
    }

    /// Sets the element of the list at `list` whose `field` is `value`: replaced where it is
    /// there, else added after the last element.
    fn set_element(&mut self, list: &[&str], field: &str, value: &str, to: &Value) -> Result<()> {
        match self.element_at(list, field, value) {
            Some(object) => {
                object.replace_with(to_input(to));
            }
            None => {
                self.array_made(list)?.append(to_input(to));
            }
        }
        Ok(())
    }

    /// The object at `path`, made (with its parents) where missing; an error naming the first
    /// step that is something else.
    fn object_made(&self, path: &[&str]) -> Result<CstObject> {
        let mut object = self.root_object();
        for (i, part) in path.iter().enumerate() {
            object = match object.get(part) {
                Some(prop) => prop.object_value().ok_or_else(|| {
                    Error::failure(format!(
                        "'{}' is not an object, so ai-setup cannot add keys under it",
                        path[..=i].join(".")
                    ))
                })?,
                None => {
                    object.append(part, CstInputValue::Object(Vec::new()));
                    object.object_value(part).expect("just appended")
                }
            };
        }
        Ok(object)
    }

    /// Adds the string `item` to the list at `list` (created with its parents when missing),
    /// after the list's last element, in the list's own layout.
    fn add_item(&mut self, list: &[&str], item: &str) -> Result<()> {
        if self.item_at(list, item).is_some() {
            return Ok(());
        }
        self.array_made(list)?
            .append(CstInputValue::String(item.to_string()));
        Ok(())
    }
}

impl Doc for JsoncDoc {
    fn get(&self, key: &[Step]) -> Option<Value> {
        if let Some((list, item)) = item_key(key) {
            return self
                .item_at(&list, item)
                .map(|_| Value::String(item.into()));
        }
        if let Some((list, field, value)) = element_key(key) {
            return self.element_at(&list, field, value)?.to_serde_value();
        }
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
        if let Some((list, item)) = item_key(key) {
            return self.item_at(&list, item).is_some();
        }
        if let Some((list, field, value)) = element_key(key) {
            return self.element_at(&list, field, value).is_some();
        }
        let Some(key) = names(key) else {
            return false;
        };
        key.split_last()
            .and_then(|(last, parents)| self.object_at(parents)?.get(last))
            .is_some()
    }

    fn set(&mut self, key: &[Step], value: &Value) -> Result<()> {
        if let Some((list, item)) = item_key(key) {
            return self.add_item(&list, item);
        }
        if let Some((list, field, at)) = element_key(key) {
            return self.set_element(&list, field, at, value);
        }
        let key = names(key).ok_or_else(|| no_elements(key))?;
        let (last, parents) = key.split_last().expect("a key has at least one part");
        let object = self.object_made(parents)?;
        let input = to_input(value);
        match object.get(last) {
            Some(prop) => prop.set_value(input),
            None => {
                object.append(last, input);
            }
        }
        Ok(())
    }

    /// Writes are grouped by the object they go into, so that the cost is linear in their
    /// number: jsonc-parser looks a property up, and appends one, in time linear in the size of
    /// the object. A missing object is created whole, with its entries, in one append; many new
    /// entries of an existing object are appended as one nested placeholder and spliced into
    /// place (see [`JsoncDoc::splice_batch`]); existing entries are found through one index.
    fn set_many(&mut self, writes: &[(Vec<Step>, Value)]) -> Result<()> {
        let mut groups: Vec<Group> = Vec::new();
        let mut at: HashMap<Vec<&str>, usize> = HashMap::new();
        for (key, value) in writes {
            if let Some((list, item)) = item_key(key) {
                self.add_item(&list, item)?;
                continue;
            }
            if let Some((list, field, at)) = element_key(key) {
                self.set_element(&list, field, at, value)?;
                continue;
            }
            let key = names(key).ok_or_else(|| no_elements(key))?;
            let (last, parent) = key.split_last().expect("a key has at least one part");
            let i = *at.entry(parent.to_vec()).or_insert_with(|| {
                groups.push((parent.to_vec(), Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push((last, value));
        }
        for (parent, entries) in groups {
            self.set_group(&parent, &entries)?;
        }
        Ok(())
    }

    fn remove(&mut self, key: &[Step]) -> bool {
        if let Some((list, item)) = item_key(key) {
            return self.item_at(&list, item).map(CstNode::remove).is_some();
        }
        if let Some((list, field, value)) = element_key(key) {
            return self
                .element_at(&list, field, value)
                .map(CstObject::remove)
                .is_some();
        }
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

/// Writes into one object: its path, and each entry's name and value.
type Group<'a> = (Vec<&'a str>, Vec<(&'a str, &'a Value)>);

/// Above this many new entries in one existing object, they are spliced in as a batch.
const BATCH: usize = 8;

/// The name of the placeholder a batch is appended under; never a key of a real file (a
/// file that has it anyway is edited entry by entry).
const PLACEHOLDER: &str = "\u{1}ai-setup-batch";

impl JsoncDoc {
    /// Sets `entries` in the object at `parent`, creating it (and its parents) when missing.
    fn set_group(&mut self, parent: &[&str], entries: &[(&str, &Value)]) -> Result<()> {
        let not_object = |i: usize| {
            Error::failure(format!(
                "'{}' is not an object, so ai-setup cannot add keys under it",
                parent[..=i].join(".")
            ))
        };
        let mut object = self.root_object();
        for (i, part) in parent.iter().enumerate() {
            object = match object.get(part) {
                Some(prop) => prop.object_value().ok_or_else(|| not_object(i))?,
                None => {
                    // The rest of the path, with every entry in it, in one append.
                    let inner = CstInputValue::Object(
                        entries
                            .iter()
                            .map(|(k, v)| (k.to_string(), to_input(v)))
                            .collect(),
                    );
                    let nested = parent[i + 1..].iter().rev().fold(inner, |value, name| {
                        CstInputValue::Object(vec![(name.to_string(), value)])
                    });
                    object.append(part, nested);
                    return Ok(());
                }
            };
        }
        let index: HashMap<String, CstObjectProp> = object
            .properties()
            .into_iter()
            .filter_map(|p| Some((p.name()?.decoded_value().ok()?, p)))
            .collect();
        let mut new = Vec::new();
        for (name, value) in entries {
            match index.get(*name) {
                Some(prop) => prop.set_value(to_input(value)),
                None => new.push((*name, *value)),
            }
        }
        if new.len() > BATCH
            && !index.contains_key(PLACEHOLDER)
            && self.splice_batch(parent, &object, &new)
        {
            return Ok(());
        }
        for (name, value) in new {
            object.append(name, to_input(value));
        }
        Ok(())
    }

    /// Appends `new` to `object` as the entries of one placeholder property, renders the file,
    /// lifts the placeholder's lines out by one indent, and parses the result. Checked: when
    /// the object does not then hold exactly what it should, nothing is changed and false is
    /// returned (the caller appends one by one).
    fn splice_batch(
        &mut self,
        parent: &[&str],
        object: &CstObject,
        new: &[(&str, &Value)],
    ) -> bool {
        let mut expected = object.to_serde_value().unwrap_or(Value::Null);
        if let Value::Object(map) = &mut expected {
            for (name, value) in new {
                map.insert(name.to_string(), (*value).clone());
            }
        }
        let before = self.root.to_string();
        object.append(
            PLACEHOLDER,
            CstInputValue::Object(
                new.iter()
                    .map(|(k, v)| (k.to_string(), to_input(v)))
                    .collect(),
            ),
        );
        let text = self.root.to_string();
        let spliced = lift_placeholder(&text);
        let parsed = spliced.and_then(|t| CstRootNode::parse(&t, &ParseOptions::default()).ok());
        let ok = parsed.as_ref().is_some_and(|root| {
            root.object_value()
                .and_then(|o| parent.iter().try_fold(o, |o, p| o.object_value(p)))
                .and_then(|o| o.to_serde_value())
                .is_some_and(|v| v == expected)
        });
        self.root = match parsed.filter(|_| ok) {
            Some(root) => root,
            None => {
                CstRootNode::parse(&before, &ParseOptions::default()).expect("it parsed before")
            }
        };
        ok
    }
}

/// `"<placeholder>": {` … `}` with its inner lines moved out by one indent, in place of it.
fn lift_placeholder(text: &str) -> Option<String> {
    let key = format!("{}: {{", serde_json::to_string(PLACEHOLDER).ok()?);
    let at = text.find(&key)?;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..at];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let body_start = text[at..].find('\n')? + at + 1;
    let mut lines = Vec::new();
    let mut pos = body_start;
    let (close_end, close_comma) = loop {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = &text[pos..end];
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare == format!("{indent}}}") || bare == format!("{indent}}},") {
            break (end, bare.ends_with(','));
        }
        if end == text.len() {
            return None;
        }
        lines.push(line);
        pos = end;
    };
    let unit = {
        let first = lines.first()?;
        let lead = first.len() - first.trim_start_matches([' ', '\t']).len();
        first.get(indent.len()..lead)?.to_string()
    };
    if unit.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..line_start]);
    for (i, line) in lines.iter().enumerate() {
        let lifted = line
            .strip_prefix(&format!("{indent}{unit}"))
            .map(|rest| format!("{indent}{rest}"))?;
        let last = i + 1 == lines.len();
        if last && close_comma && !lifted.trim_end().ends_with(',') {
            let body = lifted.trim_end_matches(['\r', '\n']);
            out.push_str(body);
            out.push(',');
            out.push_str(&lifted[body.len()..]);
        } else {
            out.push_str(&lifted);
        }
    }
    out.push_str(&text[close_end..]);
    Some(out)
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
    fn strings_of_a_list_are_added_and_removed_one_by_one() {
        let before =
            "{\n  \"permissions\": {\n    // mine\n    \"deny\": [\"Read(./.env)\"]\n  }\n}\n";
        let deny = |item: &str| {
            vec![
                Step::from("permissions"),
                Step::from("deny"),
                Step::item(item),
            ]
        };
        let after = edit(before, |d| {
            d.set_many(&[
                (deny("Bash"), json!("Bash")),
                (deny("WebFetch"), json!("WebFetch")),
            ])
            .unwrap();
            d.set(&deny("Bash"), &json!("Bash")).unwrap();
            let ask = vec![
                Step::from("permissions"),
                Step::from("ask"),
                Step::item("Edit"),
            ];
            d.set(&ask, &json!("Edit")).unwrap();
        });
        let doc = JsoncDoc::parse(Some(after.as_bytes())).unwrap();
        assert_eq!(
            doc.get(&key("permissions")),
            Some(json!({"deny": ["Read(./.env)", "Bash", "WebFetch"], "ask": ["Edit"]}))
        );
        assert_eq!(doc.get(&deny("Bash")), Some(json!("Bash")));
        assert_eq!(doc.get(&deny("Read")), None);
        assert!(after.contains("// mine"));

        let removed = edit(&after, |d| {
            assert!(d.remove(&deny("Bash")));
            assert!(d.remove(&deny("WebFetch")));
            assert!(!d.remove(&deny("WebFetch")));
            assert!(d.remove(&key("permissions.ask")));
        });
        assert_eq!(removed, before);

        let refused = JsoncDoc::parse(Some(b"{\"permissions\": {\"deny\": 1}}"))
            .unwrap()
            .set(&deny("Bash"), &json!("Bash"));
        assert!(refused.unwrap_err().message.contains("not a list"));
    }

    #[test]
    fn objects_of_a_list_are_found_by_a_field_replaced_and_removed() {
        let before = "{\n  \"customModels\": [\n    // mine\n    {\"displayName\": \"Mine\", \"model\": \"m\"}\n  ]\n}\n";
        let org = vec![
            Step::from("customModels"),
            Step::Element {
                field: "displayName".into(),
                value: "Org".into(),
            },
        ];
        let added = edit(before, |d| {
            d.set(&org, &json!({"displayName": "Org", "model": "a"}))
                .unwrap()
        });
        let doc = JsoncDoc::parse(Some(added.as_bytes())).unwrap();
        assert_eq!(
            doc.get(&org),
            Some(json!({"displayName": "Org", "model": "a"}))
        );
        assert!(
            added.contains("// mine") && added.contains("\"Mine\""),
            "{added}"
        );
        let replaced = edit(&added, |d| {
            d.set(&org, &json!({"displayName": "Org", "model": "b"}))
                .unwrap()
        });
        assert_eq!(replaced.matches("\"Org\"").count(), 1, "{replaced}");
        assert!(replaced.contains("\"b\""), "{replaced}");
        let removed = edit(&replaced, |d| assert!(d.remove(&org)));
        assert_eq!(removed, before);
        // A list made for the element goes again with it, through its parent entry.
        let made = edit("{}\n", |d| {
            d.set(&org, &json!({"displayName": "Org"})).unwrap()
        });
        assert_eq!(
            JsoncDoc::parse(Some(made.as_bytes())).unwrap().snapshot(),
            json!({"customModels": [{"displayName": "Org"}]})
        );
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
