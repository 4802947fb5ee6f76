//! The lossless TOML editor, on `toml_edit` (which jj builds its whole config on). New objects
//! become real tables (`[mcp_servers.docs]`) under implicit parents, rather than the inline
//! tables that indexing into missing keys would create; objects inside them are inline tables.
//! TOML has no null: null values are left out.

use serde_json::{Map, Number, Value};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table};

use super::{Doc, Step, names, no_elements, split_bom, with_bom};
use crate::error::{Error, Result};

pub struct TomlDoc {
    doc: DocumentMut,
    bom: bool,
    /// The file uses CRLF throughout: new lines follow it (toml_edit writes LF).
    crlf: bool,
}

impl TomlDoc {
    pub fn parse(before: Option<&[u8]>) -> Result<Self> {
        let (bom, text) = split_bom(before.unwrap_or(b""))?;
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| Error::failure(format!("not valid TOML: {}", e.to_string().trim())))?;
        let crlf = text.contains("\r\n") && !text.replace("\r\n", "").contains('\n');
        Ok(TomlDoc { doc, bom, crlf })
    }
}

impl Doc for TomlDoc {
    fn get(&self, key: &[Step]) -> Option<Value> {
        item_to_json(find(self.doc.as_item(), &names(key)?)?)
    }

    fn has(&self, key: &[Step]) -> bool {
        names(key).is_some_and(|key| find(self.doc.as_item(), &key).is_some())
    }

    fn snapshot(&self) -> Value {
        item_to_json(self.doc.as_item()).unwrap_or_else(|| Value::Object(Default::default()))
    }

    fn set(&mut self, key: &[Step], value: &Value) -> Result<()> {
        let key = names(key).ok_or_else(|| no_elements(key))?;
        let (last, parents) = key.split_last().expect("a key has at least one part");
        let mut table = self.doc.as_table_mut();
        for (i, part) in parents.iter().enumerate() {
            let item = table.entry(part).or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            });
            table = match item {
                Item::Table(t) => t,
                _ => {
                    return Err(Error::failure(format!(
                        "'{}' is not a table, so ai-setup cannot add keys under it",
                        key[..=i].join(".")
                    )));
                }
            };
        }
        let item = match value {
            Value::Object(map) => Item::Table(json_to_table(map)),
            other => match json_to_value(other) {
                Some(v) => Item::Value(v),
                None => {
                    table.remove(last);
                    return Ok(());
                }
            },
        };
        match table.get_mut(last) {
            // Replacing a value keeps the key's decor (comments before it, spacing).
            Some(Item::Value(existing)) if item.is_value() => {
                let decor = existing.decor().clone();
                let mut new = item.into_value().expect("checked");
                *new.decor_mut() = decor;
                *existing = new;
            }
            _ => {
                table.insert(last, item);
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
        let mut table = self.doc.as_table_mut();
        for part in parents {
            match table.get_mut(part) {
                Some(Item::Table(t)) => table = t,
                _ => return false,
            }
        }
        table.remove(last).is_some()
    }

    fn render(&self) -> Vec<u8> {
        let text = self.doc.to_string();
        let text = if self.crlf {
            text.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            text
        };
        with_bom(self.bom, text)
    }
}

/// The item at `key`, through tables and inline tables alike, converting nothing.
fn find<'a>(item: &'a Item, key: &[&str]) -> Option<&'a Item> {
    key.iter().try_fold(item, |item, part| item.get(*part))
}

fn json_to_table(map: &Map<String, Value>) -> Table {
    let mut table = Table::new();
    for (k, v) in map {
        if let Some(value) = json_to_value(v) {
            table.insert(k, Item::Value(value));
        }
    }
    table
}

fn json_to_value(value: &Value) -> Option<toml_edit::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or(0.0).into(),
        },
        Value::String(s) => s.as_str().into(),
        Value::Array(items) => {
            let mut array = Array::new();
            for item in items.iter().filter_map(json_to_value) {
                array.push(item);
            }
            array.into()
        }
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (k, v) in map {
                if let Some(value) = json_to_value(v) {
                    table.insert(k, value);
                }
            }
            table.into()
        }
    })
}

fn item_to_json(item: &Item) -> Option<Value> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(value_to_json(v)),
        Item::Table(t) => Some(Value::Object(
            t.iter()
                .filter_map(|(k, v)| item_to_json(v).map(|v| (k.to_string(), v)))
                .collect(),
        )),
        Item::ArrayOfTables(tables) => Some(Value::Array(
            tables
                .iter()
                .filter_map(|t| item_to_json(&Item::Table(t.clone())))
                .collect(),
        )),
    }
}

fn value_to_json(value: &toml_edit::Value) -> Value {
    match value {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Integer(i) => Value::from(*i.value()),
        toml_edit::Value::Float(f) => {
            Number::from_f64(*f.value()).map_or(Value::Null, Value::Number)
        }
        toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => Value::String(d.value().to_string()),
        toml_edit::Value::Array(a) => Value::Array(a.iter().map(value_to_json).collect()),
        toml_edit::Value::InlineTable(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), value_to_json(v)))
                .collect(),
        ),
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

    fn edit(text: &str, f: impl FnOnce(&mut TomlDoc)) -> String {
        let mut doc = TomlDoc::parse(Some(text.as_bytes())).unwrap();
        f(&mut doc);
        String::from_utf8(doc.render()).unwrap()
    }

    #[test]
    fn new_objects_become_real_tables_and_comments_stay() {
        let before =
            "# my codex config\nmodel = \"o3\" # mine\n\n[mcp_servers.mine]\ncommand = \"x\"\n";
        let after = edit(before, |d| {
            d.set(
                &key("mcp_servers.org"),
                &json!({"command": "ai-setup", "args": ["mcp", "bridge", "org"], "env": {"A": "1"}}),
            )
            .unwrap();
            d.set(
                &key("model_providers.org.auth"),
                &json!({"command": "ai-setup", "args": ["token"]}),
            )
            .unwrap();
        });
        assert!(after.starts_with(before), "{after}");
        assert!(after.contains("[mcp_servers.org]\ncommand = \"ai-setup\"\nargs = [\"mcp\", \"bridge\", \"org\"]\nenv = { A = \"1\" }\n"), "{after}");
        assert!(after.contains("[model_providers.org.auth]\n"), "{after}");
        assert!(
            !after.contains("[mcp_servers]\n"),
            "parents stay implicit: {after}"
        );
        let doc = TomlDoc::parse(Some(after.as_bytes())).unwrap();
        assert_eq!(
            doc.get(&key("mcp_servers.org.env")),
            Some(json!({"A": "1"}))
        );
        assert_eq!(
            doc.get(&key("mcp_servers.mine")),
            Some(json!({"command": "x"}))
        );

        let removed = edit(&after, |d| assert!(d.remove(&key("mcp_servers.org"))));
        assert!(removed.starts_with(before), "{removed}");
        assert!(!removed.contains("mcp_servers.org"));
    }

    #[test]
    fn replacing_a_value_keeps_its_comment() {
        let after = edit("# the model\nmodel = \"o3\" # why\n", |d| {
            d.set(&key("model"), &json!("gpt-5")).unwrap()
        });
        assert_eq!(after, "# the model\nmodel = \"gpt-5\" # why\n");
    }

    #[test]
    fn crlf_files_get_crlf_lines() {
        let before = "# mine\r\nmodel = \"o3\"\r\n";
        let after = edit(before, |d| {
            d.set(&key("mcp_servers.org"), &json!({"command": "x"}))
                .unwrap()
        });
        assert!(after.starts_with(before));
        assert!(!after.replace("\r\n", "").contains('\n'), "{after:?}");
        let removed = edit(&after, |d| assert!(d.remove(&key("mcp_servers.org"))));
        assert_eq!(removed, before);
    }

    #[test]
    fn refuses_broken_toml() {
        let err = TomlDoc::parse(Some(b"model = \n")).err().unwrap();
        assert!(err.message.contains("line 1"), "{}", err.message);
    }

    proptest! {
        /// Editing one key of a commented TOML file changes that key's value and nothing else.
        #[test]
        fn editing_one_key_keeps_every_byte_outside_it(
            keys in prop::collection::btree_set("[a-f]{1,3}", 1..6),
            pick in any::<prop::sample::Index>(),
            new_value in -1000i64..1000,
        ) {
            let props: Vec<(String, i64)> = keys.into_iter().enumerate().map(|(i, k)| (k, i as i64)).collect();
            let mut text = String::from("# head\n[section]\n");
            for (k, v) in &props {
                text.push_str(&format!("# about {k}\n{k} = {v} # {k}!\n"));
            }
            let (target, old) = props[pick.index(props.len())].clone();
            let after = edit(&text, |d| d.set(&key(&format!("section.{target}")), &json!(new_value)).unwrap());
            let expected = text.replacen(&format!("\n{target} = {old} "), &format!("\n{target} = {new_value} "), 1);
            prop_assert_eq!(after, expected);
        }
    }
}
