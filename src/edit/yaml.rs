//! The lossless YAML editor, on `yaml-edit` (a rowan syntax tree): comments, blank lines and
//! the layout of everything not edited stay as they were. New mappings are written in block
//! style; their keys come out sorted (yaml-edit builds them from ordered maps).

use std::collections::BTreeMap;
use std::str::FromStr;

use serde_json::{Map, Number, Value};
use yaml_edit::{Document, Mapping, ScalarValue, Sequence, YamlNode, YamlValue};

use super::{Doc, Step, display, split_bom, with_bom};
use crate::error::{Error, Result};

pub struct YamlDoc {
    doc: Document,
    bom: bool,
    /// Nothing has been written into it yet: a file that did not exist, or held nothing.
    empty: bool,
}

impl YamlDoc {
    pub fn parse(before: Option<&[u8]>) -> Result<Self> {
        let (bom, text) = split_bom(before.unwrap_or(b""))?;
        let empty = text.trim().is_empty();
        let doc = if empty {
            Document::new_mapping()
        } else {
            Document::from_str(text).map_err(|e| Error::failure(format!("not valid YAML: {e}")))?
        };
        if doc.as_mapping().is_none() {
            return Err(Error::failure("the file is YAML but not a mapping"));
        }
        Ok(YamlDoc { doc, bom, empty })
    }

    /// Writes everything into a document that holds nothing yet, as one text: yaml-edit
    /// builds a collection node by node, in time that grows with its size for each entry,
    /// while rendering a whole value is linear. Top-level keys keep the order they were
    /// written in (Continue's header first); below them keys are sorted, as yaml-edit writes
    /// new mappings anyway. `None` when a write goes through something that is not a mapping
    /// (the caller then writes entry by entry, and reports what is wrong).
    fn fill_empty(&mut self, writes: &[(Vec<Step>, Value)]) -> Option<()> {
        let mut top: Vec<(String, YamlValue)> = Vec::new();
        for (key, value) in writes {
            let (Step::Name(first), rest) = key.split_first()? else {
                return None;
            };
            let at = match top.iter().position(|(name, _)| name == first) {
                Some(at) => at,
                None => {
                    top.push((first.clone(), YamlValue::Mapping(BTreeMap::new())));
                    top.len() - 1
                }
            };
            if rest.is_empty() {
                top[at].1 = json_to_yaml(value);
            } else {
                insert_at(&mut top[at].1, rest, json_to_yaml(value))?;
            }
        }
        let mut text = String::new();
        for (name, value) in top {
            text.push_str(&YamlValue::Mapping(BTreeMap::from([(name, value)])).to_yaml_string(0));
            if !text.ends_with('\n') {
                text.push('\n');
            }
        }
        self.doc = Document::from_str(&text).ok()?;
        self.empty = false;
        Some(())
    }

    /// Sets `key` to an already converted value (see `Doc::set`).
    fn set_value(&mut self, key: &[Step], new: YamlValue) -> Result<()> {
        let (last, parents) = key.split_last().expect("a key has at least one part");
        let not_container = |i: usize| {
            Error::failure(format!(
                "'{}' is not a mapping or list, so ai-setup cannot add entries under it",
                display(&key[..=i])
            ))
        };
        let mut node = YamlNode::Mapping(self.root());
        for (i, part) in parents.iter().enumerate() {
            node = match child(&node, part) {
                Some(next) => next,
                None => {
                    // Build the missing rest of the path with the value in it and set it at
                    // once: yaml-edit writes a non-empty collection in block style, where an
                    // empty one filled afterwards would stay in flow style.
                    let (YamlNode::Mapping(m), Step::Name(part)) = (&node, part) else {
                        return Err(not_container(i));
                    };
                    let nested = key[i + 1..]
                        .iter()
                        .rev()
                        .fold(new, |inner, step| match step {
                            Step::Element { .. } | Step::Item { .. } => {
                                YamlValue::Sequence(vec![inner])
                            }
                            Step::Name(name) => {
                                YamlValue::Mapping(BTreeMap::from([(name.clone(), inner)]))
                            }
                        });
                    m.set(part.as_str(), nested);
                    return Ok(());
                }
            };
        }
        match (&node, last) {
            (YamlNode::Mapping(m), Step::Name(last)) => match entry_of(m, last) {
                // A plain scalar over a plain scalar: only its text changes, so that what
                // follows it on the line (the user's `# comment`) stays.
                Some(entry) => {
                    let text = new.to_yaml_string(0);
                    let text = text.trim_end_matches('\n');
                    match entry.value_node() {
                        Some(YamlNode::Scalar(old))
                            if matches!(new, YamlValue::Scalar(_))
                                && !old.value().contains('\n')
                                && !text.contains('\n') =>
                        {
                            old.set_value(text)
                        }
                        _ => entry.set_value(new, false),
                    }
                }
                None => m.set(last.as_str(), new),
            },
            (YamlNode::Sequence(seq), Step::Element { field, value }) => {
                match element_index(seq, field, value) {
                    Some(index) => {
                        seq.set(index, new);
                    }
                    None => seq.push(new),
                }
            }
            _ => return Err(not_container(parents.len().saturating_sub(1))),
        }
        Ok(())
    }

    fn root(&self) -> Mapping {
        self.doc.as_mapping().expect("checked at parse")
    }

    /// The node at `path`, through mappings and `[field=value]` list selectors.
    fn find(&self, path: &[Step]) -> Option<YamlNode> {
        path.iter()
            .try_fold(YamlNode::Mapping(self.root()), |node, part| {
                child(&node, part)
            })
    }
}

/// Writes into one section that exists: its path, and each entry's last step and value.
type Group<'a> = (&'a [Step], Vec<(&'a Step, &'a Value)>);

/// Above this many new entries in one existing section, they are spliced in as a batch.
const BATCH: usize = 8;

/// The key a batch is set under; a plain scalar, so that it needs no quoting. A file that has
/// it already is edited entry by entry.
const PLACEHOLDER: &str = "ai-setup-batch-placeholder";

impl YamlDoc {
    /// Sets `entries` in the mapping or list at `parent`, which exists.
    fn set_in_existing(&mut self, parent: &[Step], entries: &[(&Step, &Value)]) -> Result<()> {
        let node = self.find(parent).expect("checked by the caller");
        // What is there already, looked up once.
        let present: std::collections::HashSet<(Option<String>, String)> = match &node {
            YamlNode::Mapping(m) => m.iter().map(|(k, _)| (None, scalar_text(&k))).collect(),
            YamlNode::Sequence(seq) => seq
                .values()
                .filter_map(|item| match item {
                    YamlNode::Mapping(m) => Some(m),
                    _ => None,
                })
                .flat_map(|m| {
                    m.iter()
                        .map(|(k, v)| (Some(scalar_text(&k)), scalar_text(&v)))
                        .collect::<Vec<_>>()
                })
                .collect(),
            _ => Default::default(),
        };
        let id = |step: &Step| match step {
            Step::Name(name) | Step::Item { item: name } => (None, name.clone()),
            Step::Element { field, value } => (Some(field.clone()), value.clone()),
        };
        let (known, new): (Vec<_>, Vec<_>) = entries
            .iter()
            .partition(|(step, _)| present.contains(&id(step)));
        let mut key = parent.to_vec();
        for (step, value) in known {
            key.push((*step).clone());
            self.set(&key, value)?;
            key.pop();
        }
        if new.len() > BATCH
            && !present.contains(&(None, PLACEHOLDER.to_string()))
            && self.splice_batch(parent, &node, &new)
        {
            return Ok(());
        }
        for (step, value) in new {
            key.push((*step).clone());
            self.set(&key, value)?;
            key.pop();
        }
        Ok(())
    }

    /// Adds `new` to the section under one placeholder, renders the file, lifts the
    /// placeholder's lines out by one indent, and parses the result. Checked: when the section
    /// does not then hold exactly what it should, nothing is changed and false is returned.
    fn splice_batch(&mut self, parent: &[Step], node: &YamlNode, new: &[(&Step, &Value)]) -> bool {
        let mut expected = node_to_json(node);
        let before = self.doc.to_string();
        match (node, &mut expected) {
            (YamlNode::Mapping(m), Value::Object(map)) => {
                let mut batch = BTreeMap::new();
                for (step, value) in new {
                    if let Step::Name(name) = step {
                        batch.insert(name.clone(), json_to_yaml(value));
                    }
                }
                for name in batch.keys() {
                    let value = new
                        .iter()
                        .find(|(s, _)| s.name() == Some(name))
                        .map(|(_, v)| (*v).clone());
                    map.insert(name.clone(), value.unwrap_or(Value::Null));
                }
                m.set(PLACEHOLDER, YamlValue::Mapping(batch));
            }
            (YamlNode::Sequence(seq), Value::Array(items)) => {
                items.extend(new.iter().map(|(_, v)| (*v).clone()));
                let batch = YamlValue::Sequence(new.iter().map(|(_, v)| json_to_yaml(v)).collect());
                seq.push(YamlValue::Mapping(BTreeMap::from([(
                    PLACEHOLDER.to_string(),
                    batch,
                )])));
            }
            _ => return false,
        }
        let lifted = lift_placeholder(&self.doc.to_string());
        let parsed = lifted.and_then(|text| Document::from_str(&text).ok());
        let ok = parsed.as_ref().is_some_and(|doc| {
            let probe = YamlDoc {
                doc: doc.clone(),
                bom: self.bom,
                empty: false,
            };
            probe.doc.as_mapping().is_some()
                && probe
                    .find(parent)
                    .is_some_and(|n| node_to_json(&n) == expected)
        });
        self.doc = match parsed.filter(|_| ok) {
            Some(doc) => doc,
            None => Document::from_str(&before).expect("it parsed before"),
        };
        ok
    }
}

/// The placeholder's line removed and the lines of its block moved out by one indent.
fn lift_placeholder(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let at = lines.iter().position(|line| {
        let t = line.trim_start_matches(' ');
        t.strip_prefix("- ").unwrap_or(t).trim_end() == format!("{PLACEHOLDER}:")
    })?;
    let own = indent_of(lines[at]);
    let end = (at + 1..lines.len())
        .find(|&i| !lines[i].trim().is_empty() && indent_of(lines[i]) <= own)
        .unwrap_or(lines.len());
    let first = lines.get(at + 1).filter(|_| at + 1 < end)?;
    let lift = indent_of(first).checked_sub(own).filter(|n| *n > 0)?;
    let mut out = String::with_capacity(text.len());
    for line in &lines[..at] {
        out.push_str(line);
    }
    for line in &lines[at + 1..end] {
        out.push_str(
            line.get(lift..)
                .filter(|_| indent_of(line) >= lift)
                .unwrap_or(line),
        );
    }
    for line in &lines[end..] {
        out.push_str(line);
    }
    Some(out)
}

/// A mapping or list that does not exist yet, with the entries to create it with.
struct NewSection {
    parent: Vec<Step>,
    entries: BTreeMap<String, YamlValue>,
    elements: Vec<YamlValue>,
}

/// The child `part` of `node`: a mapping's key, or a list element chosen by a selector.
fn child(node: &YamlNode, step: &Step) -> Option<YamlNode> {
    match (node, step) {
        (YamlNode::Mapping(m), Step::Name(name)) => {
            m.iter().find(|(k, _)| key_is(k, name)).map(|(_, v)| v)
        }
        (YamlNode::Sequence(seq), Step::Element { field, value }) => seq
            .values()
            .find(|item| element_matches(item, field, value)),
        _ => None,
    }
}

/// Whether a plain or quoted scalar key is `wanted`. yaml-edit's own lookups build a full
/// identity of every key they compare, which made editing a file with hundreds of entries
/// quadratic with a large constant; comparing the key's text is enough for config keys.
fn key_is(key: &YamlNode, wanted: &str) -> bool {
    let YamlNode::Scalar(scalar) = key else {
        return false;
    };
    let raw = scalar.to_string();
    let raw = raw.trim();
    raw == wanted
        || (raw.len() >= 2
            && (raw.starts_with('"') || raw.starts_with('\''))
            && scalar.as_string() == wanted)
}

fn element_matches(item: &YamlNode, field: &str, wanted: &str) -> bool {
    matches!(item, YamlNode::Mapping(m)
        if m.iter().any(|(k, v)| key_is(&k, field) && scalar_text(&v) == wanted))
}

/// The entry of `m` whose key is `wanted`.
fn entry_of(m: &Mapping, wanted: &str) -> Option<yaml_edit::MappingEntry> {
    m.entries()
        .find(|e| e.key_node().is_some_and(|k| key_is(&k, wanted)))
}

fn element_index(seq: &Sequence, field: &str, wanted: &str) -> Option<usize> {
    seq.values()
        .position(|item| element_matches(&item, field, wanted))
}

impl Doc for YamlDoc {
    fn get(&self, key: &[Step]) -> Option<Value> {
        self.find(key).map(|node| node_to_json(&node))
    }

    fn has(&self, key: &[Step]) -> bool {
        self.find(key).is_some()
    }

    fn snapshot(&self) -> Value {
        mapping_to_json(&self.root())
    }

    fn set(&mut self, key: &[Step], value: &Value) -> Result<()> {
        if matches!(key.last(), Some(Step::Item { .. })) {
            return Err(super::no_elements(key));
        }
        self.empty = false;
        self.set_value(key, json_to_yaml(value))
    }

    /// Entries whose parent does not exist yet are built into it and set at once: yaml-edit's
    /// `set` looks through the whole mapping for each new key, which is quadratic for a
    /// section of hundreds of entries.
    ///
    /// Many new entries of a section that exists are spliced in as one batch (see
    /// [`YamlDoc::splice_batch`]).
    fn set_many(&mut self, writes: &[(Vec<Step>, Value)]) -> Result<()> {
        if let Some((key, _)) = writes
            .iter()
            .find(|(key, _)| matches!(key.last(), Some(Step::Item { .. })))
        {
            return Err(super::no_elements(key));
        }
        if self.empty && !writes.is_empty() && self.fill_empty(writes).is_some() {
            return Ok(());
        }
        let mut fresh: Vec<NewSection> = Vec::new();
        let mut existing: Vec<Group> = Vec::new();
        for (key, value) in writes {
            let (last, parent) = key.split_last().expect("a key has at least one part");
            if parent.is_empty() {
                self.set(key, value)?;
                continue;
            }
            if self.has(parent) {
                match existing.iter_mut().find(|(p, _)| *p == parent) {
                    Some((_, entries)) => entries.push((last, value)),
                    None => existing.push((parent, vec![(last, value)])),
                }
                continue;
            }
            let at = match fresh.iter().position(|s| s.parent.as_slice() == parent) {
                Some(at) => at,
                None => {
                    fresh.push(NewSection {
                        parent: parent.to_vec(),
                        entries: BTreeMap::new(),
                        elements: Vec::new(),
                    });
                    fresh.len() - 1
                }
            };
            match last {
                Step::Element { .. } | Step::Item { .. } => {
                    fresh[at].elements.push(json_to_yaml(value))
                }
                Step::Name(name) => {
                    fresh[at].entries.insert(name.clone(), json_to_yaml(value));
                }
            }
        }
        for (parent, entries) in existing {
            self.set_in_existing(parent, &entries)?;
        }
        for section in fresh {
            let collection = if section.elements.is_empty() {
                YamlValue::Mapping(section.entries)
            } else {
                YamlValue::Sequence(section.elements)
            };
            self.set_value(&section.parent, collection)?;
        }
        self.empty = writes.is_empty() && self.empty;
        Ok(())
    }

    fn remove(&mut self, key: &[Step]) -> bool {
        let Some((last, parents)) = key.split_last() else {
            return false;
        };
        match (self.find(parents), last) {
            // Mapping::remove also takes the entry's trivia away; an entry's own removal
            // leaves the next line's indentation behind.
            (Some(YamlNode::Mapping(m)), Step::Name(name)) => m.remove(name.as_str()).is_some(),
            (Some(YamlNode::Sequence(seq)), Step::Element { field, value }) => {
                element_index(&seq, field, value).is_some_and(|i| seq.remove(i).is_some())
            }
            _ => false,
        }
    }

    fn render(&self) -> Vec<u8> {
        with_bom(self.bom, self.doc.to_string())
    }
}

/// Puts `value` at `path` under `node`, making the mappings on the way; a list element is
/// appended. `None` when the path goes through something else.
fn insert_at(node: &mut YamlValue, path: &[Step], value: YamlValue) -> Option<()> {
    let (step, rest) = path.split_first()?;
    match (node, step) {
        (YamlValue::Mapping(map), Step::Name(name)) => {
            if rest.is_empty() {
                map.insert(name.clone(), value);
                return Some(());
            }
            let child = map.entry(name.clone()).or_insert_with(|| match rest[0] {
                Step::Element { .. } | Step::Item { .. } => YamlValue::Sequence(Vec::new()),
                Step::Name(_) => YamlValue::Mapping(BTreeMap::new()),
            });
            insert_at(child, rest, value)
        }
        // A fresh list: its elements are the ones written, in order.
        (node @ YamlValue::Mapping(_), Step::Element { .. }) if rest.is_empty() => match node {
            YamlValue::Mapping(map) if map.is_empty() => {
                *node = YamlValue::Sequence(vec![value]);
                Some(())
            }
            _ => None,
        },
        (YamlValue::Sequence(items), Step::Element { .. }) if rest.is_empty() => {
            items.push(value);
            Some(())
        }
        _ => None,
    }
}

fn json_to_yaml(value: &Value) -> YamlValue {
    match value {
        Value::Null => YamlValue::Scalar(ScalarValue::null()),
        Value::Bool(b) => YamlValue::from(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => YamlValue::from(i),
            None => YamlValue::from(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => YamlValue::Scalar(ScalarValue::string(s.clone())),
        Value::Array(items) => YamlValue::Sequence(items.iter().map(json_to_yaml).collect()),
        Value::Object(map) => YamlValue::Mapping(
            map.iter()
                .map(|(k, v)| (k.clone(), json_to_yaml(v)))
                .collect(),
        ),
    }
}

fn mapping_to_json(mapping: &Mapping) -> Value {
    Value::Object(
        mapping
            .iter()
            .map(|(k, v)| (scalar_text(&k), node_to_json(&v)))
            .collect::<Map<_, _>>(),
    )
}

fn scalar_text(node: &YamlNode) -> String {
    match node {
        YamlNode::Scalar(s) => s.as_string(),
        other => other.to_string(),
    }
}

/// YAML's types as JSON: booleans, integers, floats and null by YAML's rules, other scalars as
/// strings (a quoted `"true"` stays a string).
fn node_to_json(node: &YamlNode) -> Value {
    match node {
        YamlNode::Scalar(s) => {
            let quoted = s.to_string().trim_start().starts_with(['"', '\'']);
            if quoted {
                Value::String(s.as_string())
            } else if s.is_null() {
                Value::Null
            } else if let Some(b) = s.as_bool() {
                Value::Bool(b)
            } else if let Some(i) = s.as_i64() {
                Value::from(i)
            } else if let Some(f) = s.as_f64().and_then(Number::from_f64) {
                Value::Number(f)
            } else {
                Value::String(s.as_string())
            }
        }
        YamlNode::Mapping(m) => mapping_to_json(m),
        YamlNode::Sequence(seq) => Value::Array(seq.values().map(|v| node_to_json(&v)).collect()),
        other => Value::String(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(k: &str) -> Vec<Step> {
        k.split('.').map(Step::from).collect()
    }

    #[test]
    fn a_new_file_is_written_whole_with_its_header_first() {
        let element = |name: &str| {
            vec![
                Step::from("mcpServers"),
                Step::Element {
                    field: "name".into(),
                    value: name.into(),
                },
            ]
        };
        let mut writes = vec![
            (key("name"), json!("Local Config")),
            (key("version"), json!("1.0.0")),
        ];
        for name in ["b", "a: odd", "c"] {
            writes.push((element(name), json!({"name": name, "args": ["--org", "x"]})));
        }
        writes.push((key("extensions.one.cmd"), json!("/bin/ai-setup")));
        let mut doc = YamlDoc::parse(None).unwrap();
        doc.set_many(&writes).unwrap();
        let text = String::from_utf8(doc.render()).unwrap();
        assert!(
            text.starts_with("name: Local Config\nversion: 1.0.0\n"),
            "{text}"
        );
        assert_eq!(
            YamlDoc::parse(Some(text.as_bytes())).unwrap().snapshot(),
            json!({
                "name": "Local Config",
                "version": "1.0.0",
                "mcpServers": [
                    {"args": ["--org", "x"], "name": "b"},
                    {"args": ["--org", "x"], "name": "a: odd"},
                    {"args": ["--org", "x"], "name": "c"},
                ],
                "extensions": {"one": {"cmd": "/bin/ai-setup"}},
            })
        );
    }

    fn edit(text: &str, f: impl FnOnce(&mut YamlDoc)) -> String {
        let mut doc = YamlDoc::parse(Some(text.as_bytes())).unwrap();
        f(&mut doc);
        String::from_utf8(doc.render()).unwrap()
    }

    const GOOSE: &str = "# my goose config\nGOOSE_PROVIDER: anthropic # mine\nextensions:\n  developer:\n    enabled: true\n    name: developer\n    type: builtin\n    timeout: 300\n";

    #[test]
    fn adds_and_removes_an_entry_keeping_the_rest() {
        let entry = json!({"type": "stdio", "name": "docs", "cmd": "/x/ai-setup", "args": ["mcp", "bridge", "docs"], "enabled": true, "timeout": 300});
        let after = edit(GOOSE, |d| d.set(&key("extensions.docs"), &entry).unwrap());
        assert!(
            after.starts_with("# my goose config\nGOOSE_PROVIDER: anthropic # mine\n"),
            "{after}"
        );
        let doc = YamlDoc::parse(Some(after.as_bytes())).unwrap();
        assert_eq!(
            doc.get(&key("extensions.docs")),
            Some(entry.clone()),
            "{after}"
        );
        assert_eq!(
            doc.get(&key("extensions.developer.timeout")),
            Some(json!(300))
        );
        let removed = edit(&after, |d| assert!(d.remove(&key("extensions.docs"))));
        assert_eq!(removed, GOOSE);
    }

    #[test]
    fn a_scalar_replaced_keeps_the_comment_after_it_and_is_quoted_where_it_must_be() {
        let set = |text: &str, value: Value| {
            edit(text, |d| d.set(&key("GOOSE_PROVIDER"), &value).unwrap())
        };
        let after = set(GOOSE, json!("ai_setup_demo"));
        assert!(
            after.starts_with("# my goose config\nGOOSE_PROVIDER: ai_setup_demo # mine\n"),
            "{after}"
        );
        for value in [
            json!("yes"),
            json!("a: b # c"),
            json!(" padded"),
            json!(7),
            json!(true),
        ] {
            let after = set(GOOSE, value.clone());
            let doc = YamlDoc::parse(Some(after.as_bytes())).unwrap();
            assert_eq!(doc.get(&key("GOOSE_PROVIDER")), Some(value), "{after}");
            assert!(after.contains(" # mine\n"), "{after}");
        }
        // Text over more than one line is written as the editor writes a new value.
        let after = set(GOOSE, json!("two\nlines"));
        let doc = YamlDoc::parse(Some(after.as_bytes())).unwrap();
        assert_eq!(
            doc.get(&key("GOOSE_PROVIDER")),
            Some(json!("two\nlines")),
            "{after}"
        );
        assert_eq!(
            doc.get(&key("extensions.developer.timeout")),
            Some(json!(300))
        );
    }

    const CONTINUE: &str = "name: Local Config\nversion: 1.0.0\nschema: v1\n\n# my servers\nmcpServers:\n  - name: mine\n    command: my-server\n  - name: docs\n    command: my-docs\nmodels: []\n";

    #[test]
    fn list_elements_are_found_replaced_added_and_removed_by_name() {
        let key = |name: &str| {
            vec![
                Step::from("mcpServers"),
                Step::Element {
                    field: "name".into(),
                    value: name.into(),
                },
            ]
        };
        let doc = YamlDoc::parse(Some(CONTINUE.as_bytes())).unwrap();
        assert_eq!(
            doc.get(&key("docs")),
            Some(json!({"name": "docs", "command": "my-docs"}))
        );
        assert!(!doc.has(&key("org")));
        let entry = json!({"name": "org", "type": "stdio", "command": "/x/ai-setup", "args": ["exec", "org"]});
        let after = edit(CONTINUE, |d| d.set(&key("org"), &entry).unwrap());
        let doc = YamlDoc::parse(Some(after.as_bytes())).unwrap();
        assert_eq!(doc.get(&key("org")), Some(entry.clone()), "{after}");
        assert_eq!(
            doc.get(&key("mine")),
            Some(json!({"name": "mine", "command": "my-server"}))
        );
        assert!(after.contains("# my servers"));
        let removed = edit(&after, |d| assert!(d.remove(&key("org"))));
        assert_eq!(removed, CONTINUE);
        // A list that did not exist is created as a list.
        let fresh = edit("name: x\n", |d| d.set(&key("org"), &entry).unwrap());
        let doc = YamlDoc::parse(Some(fresh.as_bytes())).unwrap();
        assert_eq!(doc.get(&key("org")), Some(entry), "{fresh}");
    }

    proptest::proptest! {
        /// Editing one key of a commented YAML file changes that key's value and nothing else,
        /// and adding then removing an entry gives back the file byte for byte.
        #[test]
        fn edits_keep_every_byte_outside_them(
            keys in proptest::collection::btree_set("[a-f]{1,3}", 1..6),
            pick in proptest::prelude::any::<proptest::sample::Index>(),
            new_value in -1000i64..1000,
        ) {
            let props: Vec<(String, i64)> = keys.into_iter().enumerate().map(|(i, k)| (k, i as i64)).collect();
            let mut text = String::from("# head\nsection:\n");
            for (k, v) in &props {
                text.push_str(&format!("  # about {k}\n  {k}: {v} # {k}!\n"));
            }
            let (target, old) = props[pick.index(props.len())].clone();
            let after = edit(&text, |d| d.set(&key(&format!("section.{target}")), &json!(new_value)).unwrap());
            let expected = text.replacen(&format!("  {target}: {old} "), &format!("  {target}: {new_value} "), 1);
            proptest::prop_assert_eq!(&after, &expected);

            let added = edit(&text, |d| d.set(&key("section.zz"), &json!({"cmd": "x", "args": ["a"]})).unwrap());
            let removed = edit(&added, |d| { d.remove(&key("section.zz")); });
            proptest::prop_assert_eq!(removed, text);
        }
    }

    #[test]
    fn values_keep_their_types() {
        let after = edit("a: 1\n", |d| {
            d.set(&key("s"), &json!("true")).unwrap();
            d.set(&key("n"), &json!("300")).unwrap();
            d.set(&key("b"), &json!(false)).unwrap();
        });
        let doc = YamlDoc::parse(Some(after.as_bytes())).unwrap();
        assert_eq!(doc.get(&key("s")), Some(json!("true")), "{after}");
        assert_eq!(doc.get(&key("n")), Some(json!("300")), "{after}");
        assert_eq!(doc.get(&key("b")), Some(json!(false)));
        assert_eq!(doc.get(&key("a")), Some(json!(1)));
    }

    #[test]
    fn an_empty_file_becomes_a_mapping_and_broken_yaml_is_refused() {
        let mut doc = YamlDoc::parse(None).unwrap();
        doc.set(&key("extensions.x"), &json!({"cmd": "c"})).unwrap();
        let text = String::from_utf8(doc.render()).unwrap();
        assert_eq!(
            YamlDoc::parse(Some(text.as_bytes()))
                .unwrap()
                .get(&key("extensions.x.cmd")),
            Some(json!("c")),
            "{text}"
        );
        assert!(YamlDoc::parse(Some(b"a: [1, 2\nb: {")).is_err());
        assert!(YamlDoc::parse(Some(b"- 1\n- 2\n")).is_err());
    }
}
