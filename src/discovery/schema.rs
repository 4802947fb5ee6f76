//! The types of OpenCode's config, checked twice over:
//!
//! - [`problems`]: the whole of OpenCode's own config schema
//!   (`assets/opencode/config.schema.json`, extracted from the pinned OpenCode by
//!   `assets/opencode/extract.py`; MIT, `assets/opencode/LICENSE`), with the `jsonschema` crate.
//!   Every layer goes through it ([`crate::layers::schema`]), the org's `config` before anything
//!   runs.
//! - [`check_config`]: the keys ai-setup itself reads, with messages that say what each must be
//!   (`must be a string, not 7`) where the schema's alternatives would say only that none
//!   matched; the org's per-client overlays, which are partial, are checked by it alone.
//!
//! A wrongly typed value is refused with its key path before anything is run or written,
//! rather than dropped or half-used later: an `mcp` that is a number would otherwise remove the
//! org's servers from every client.

use std::sync::LazyLock;

use serde_json::{Map, Value};

const SCHEMA: &str = include_str!("../../assets/opencode/config.schema.json");

static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the shipped schema is JSON");
    jsonschema::validator_for(&schema).expect("the shipped schema compiles")
});

/// One place where a configuration breaks OpenCode's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key path, as segments.
    pub path: Vec<String>,
    /// What is wrong, in the validator's words (`7 is not of type "string"`).
    pub message: String,
}

impl Problem {
    /// The key path written with dots (`mcp.docs.url`), `config` itself for the root.
    pub fn key(&self) -> String {
        if self.path.is_empty() {
            "the configuration".into()
        } else {
            self.path.join(".")
        }
    }
}

/// Where `config` (an object) breaks OpenCode's schema.
pub fn problems(config: &Value) -> Vec<Problem> {
    let mut found = Vec::new();
    for e in VALIDATOR.iter_errors(config) {
        explain(&e, &mut found);
    }
    found
}

/// `e` as problems a person can act on: an unknown key at the key itself, and of alternatives
/// none of which matched (OpenCode's local, remote or disabled MCP server), the nearest miss.
fn explain(e: &jsonschema::ValidationError, found: &mut Vec<Problem>) {
    use jsonschema::error::ValidationErrorKind as Kind;
    let path: Vec<String> = e
        .instance_path()
        .as_str()
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    match e.kind() {
        Kind::AdditionalProperties { unexpected } => {
            found.extend(unexpected.iter().map(|key| Problem {
                path: path.iter().cloned().chain([key.clone()]).collect(),
                message: "OpenCode has no such key".into(),
            }));
        }
        Kind::AnyOf { context } | Kind::OneOfNotValid { context }
            if let Some(nearest) = context
                .iter()
                .filter(|errors| !errors.is_empty())
                .min_by_key(|errors| errors.len()) =>
        {
            for sub in nearest {
                explain(sub, found);
            }
        }
        _ => found.push(Problem {
            path,
            message: e.to_string(),
        }),
    }
}

/// The first key given twice in one object of the JSON or JSONC `text`, as its dotted path.
/// A parser keeps the last silently, which would hide half of what someone wrote. `None` as
/// well when the text does not parse (the parse reports that).
pub fn duplicate_key(text: &str) -> Option<String> {
    let parsed = jsonc_parser::parse_to_ast(
        text,
        &jsonc_parser::CollectOptions::default(),
        &jsonc_parser::ParseOptions::default(),
    )
    .ok()?;
    fn walk(value: &jsonc_parser::ast::Value, path: &mut Vec<String>) -> Option<String> {
        use jsonc_parser::ast::Value as Node;
        match value {
            Node::Object(object) => {
                let mut seen = std::collections::HashSet::new();
                for prop in &object.properties {
                    let name = prop.name.as_str();
                    path.push(name.to_string());
                    if !seen.insert(name) {
                        return Some(path.join("."));
                    }
                    if let Some(found) = walk(&prop.value, path) {
                        return Some(found);
                    }
                    path.pop();
                }
                None
            }
            Node::Array(array) => array.elements.iter().enumerate().find_map(|(i, v)| {
                path.push(i.to_string());
                let found = walk(v, path);
                path.pop();
                found
            }),
            _ => None,
        }
    }
    walk(parsed.value.as_ref()?, &mut Vec::new())
}

/// What a value must be.
#[derive(Clone, Copy)]
enum Shape {
    String,
    Bool,
    StringList,
    /// An object whose values are strings.
    StringMap,
    /// An object, otherwise unchecked.
    Object,
    /// An object of named entries, each checked by `fields`.
    Entries(&'static [(&'static str, Shape)]),
    /// An object checked by `fields`.
    Fields(&'static [(&'static str, Shape)]),
    /// A string, or an object (OpenCode's `permission` takes both).
    StringOrObject,
    /// One of these strings.
    OneOf(&'static [&'static str]),
}

const PROVIDER: &[(&str, Shape)] = &[
    ("npm", Shape::String),
    ("name", Shape::String),
    ("options", Shape::Fields(&[("baseURL", Shape::String)])),
    ("models", Shape::Object),
];

const MCP: &[(&str, Shape)] = &[
    ("type", Shape::OneOf(&["local", "remote"])),
    ("command", Shape::StringList),
    ("url", Shape::String),
    ("enabled", Shape::Bool),
    ("environment", Shape::StringMap),
    ("headers", Shape::StringMap),
];

const CONFIG: &[(&str, Shape)] = &[
    ("model", Shape::String),
    ("small_model", Shape::String),
    ("provider", Shape::Entries(PROVIDER)),
    ("mcp", Shape::Entries(MCP)),
    ("instructions", Shape::StringList),
    ("plugin", Shape::StringList),
    ("agent", Shape::Object),
    ("command", Shape::Object),
    ("permission", Shape::StringOrObject),
];

/// Checks `config`; the error is the key path (under `prefix`) and what it should be.
pub fn check_config(config: &Map<String, Value>, prefix: &str) -> Result<(), (String, String)> {
    check_fields(config, CONFIG, prefix)
}

fn check_fields(
    map: &Map<String, Value>,
    fields: &[(&str, Shape)],
    prefix: &str,
) -> Result<(), (String, String)> {
    for (name, shape) in fields {
        if let Some(value) = map.get(*name) {
            check(value, *shape, &format!("{prefix}.{name}"))?;
        }
    }
    Ok(())
}

fn check(value: &Value, shape: Shape, path: &str) -> Result<(), (String, String)> {
    let fail = |what: &str| Err((path.to_string(), format!("{what}, not {}", kind(value))));
    match shape {
        Shape::String if value.is_string() => Ok(()),
        Shape::String => fail("must be a string"),
        Shape::Bool if value.is_boolean() => Ok(()),
        Shape::Bool => fail("must be true or false"),
        Shape::StringList => match value.as_array() {
            Some(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| check(item, Shape::String, &format!("{path}[{i}]"))),
            None => fail("must be a list of strings"),
        },
        Shape::StringMap => match value.as_object() {
            Some(map) => map
                .iter()
                .try_for_each(|(k, v)| check(v, Shape::String, &format!("{path}.{k}"))),
            None => fail("must be an object of strings"),
        },
        Shape::Object if value.is_object() => Ok(()),
        Shape::Object => fail("must be an object"),
        Shape::StringOrObject if value.is_object() || value.is_string() => Ok(()),
        Shape::StringOrObject => fail("must be a string or an object"),
        Shape::Entries(fields) => match value.as_object() {
            Some(map) => map.iter().try_for_each(|(name, entry)| {
                let at = format!("{path}.{name}");
                match entry.as_object() {
                    Some(entry) => check_fields(entry, fields, &at),
                    None => Err((at, format!("must be an object, not {}", kind(entry)))),
                }
            }),
            None => fail("must be an object"),
        },
        Shape::Fields(fields) => match value.as_object() {
            Some(map) => check_fields(map, fields, path),
            None => fail("must be an object"),
        },
        Shape::OneOf(allowed) => match value.as_str() {
            Some(s) if allowed.contains(&s) => Ok(()),
            _ => Err((
                path.to_string(),
                format!(
                    "must be one of {}, not {}",
                    allowed
                        .iter()
                        .map(|a| format!("\"{a}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    kind(value)
                ),
            )),
        },
    }
}

/// How a value reads in a message: `5`, `a list`, `"x"`.
fn kind(value: &Value) -> String {
    match value {
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
        Value::String(s) if s.chars().count() <= 40 => format!("\"{s}\""),
        Value::String(_) => "a long string".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(config: Value) -> String {
        let (path, why) = check_config(config.as_object().unwrap(), "config").unwrap_err();
        format!("{path}: {why}")
    }

    #[test]
    fn a_key_given_twice_anywhere_is_found() {
        assert_eq!(duplicate_key(r#"{"a": 1, "b": {"c": 1}}"#), None);
        assert_eq!(
            duplicate_key(r#"{"mcp": {"x": {}, "y": [{"k": 1, "k": 2}]}}"#),
            Some("mcp.y.0.k".into())
        );
        assert_eq!(
            duplicate_key("// c\n{\"m\": {\"x\": 1, \"x\": 2,},}"),
            Some("m.x".into())
        );
    }

    #[test]
    fn wrongly_typed_keys_are_named_by_path() {
        assert_eq!(
            err(json!({"mcp": 5})),
            "config.mcp: must be an object, not 5"
        );
        assert_eq!(
            err(json!({"small_model": 7})),
            "config.small_model: must be a string, not 7"
        );
        assert_eq!(
            err(json!({"provider": []})),
            "config.provider: must be an object, not a list"
        );
        assert_eq!(
            err(
                json!({"mcp": {"docs": {"type": "remote", "url": "https://x"}, "run": {"type": "local", "command": ["a", 1]}}})
            ),
            "config.mcp.run.command[1]: must be a string, not 1"
        );
        assert_eq!(
            err(json!({"mcp": {"d": {"type": "sse"}}})),
            "config.mcp.d.type: must be one of \"local\", \"remote\", not \"sse\""
        );
        assert_eq!(
            err(json!({"provider": {"a": {"options": {"baseURL": false}}}})),
            "config.provider.a.options.baseURL: must be a string, not false"
        );
        assert!(
            check_config(
                json!({"mcp": {"d": {"type": "local", "command": ["x"], "environment": {"A": "b"}}}, "permission": "ask", "future_key": 1})
                    .as_object()
                    .unwrap(),
                "config"
            )
            .is_ok()
        );
    }
}
