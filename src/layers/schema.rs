//! Validated layers: the configuration is OpenCode's format, so it is checked against
//! OpenCode's own config schema ([`crate::discovery::schema::problems`]). A value of the wrong type, or a key OpenCode does not know, is refused
//! with the file (or URL, variable, flag) that set it, its key path and what OpenCode expects,
//! before anything is written: OpenCode itself would refuse to start on it ("Configuration is
//! invalid"), and other clients would get it half-translated.
//!
//! Two things are checked: the resolved configuration (every layer merged), and what the
//! user's layers change on top of the org's, since that is written into OpenCode's global
//! config file, which OpenCode checks on its own.

use serde_json::{Map, Value};

use super::{Source, Stack};
pub use crate::discovery::schema::{Problem, problems};
use crate::error::{Error, Result};

/// The most problems one message lists.
const SHOWN: usize = 5;

/// Checks the resolved configuration and the user's changes on top of the org's (both
/// objects); the error names the layer of `stack` that set each wrong value.
pub fn check(stack: &Stack, resolved: &Value, overrides: &Value) -> Result<()> {
    let mut found = problems(resolved);
    for p in problems(overrides) {
        if !found.contains(&p) {
            found.push(p);
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = found
        .iter()
        .take(SHOWN)
        .map(|p| {
            format!(
                "  {}: `{}`: {}",
                origin_of(stack, &p.path),
                p.key(),
                p.message
            )
        })
        .collect();
    let more = found.len().saturating_sub(SHOWN);
    Err(Error::failure(format!(
        "the configuration does not match OpenCode's config schema, which OpenCode would \
         refuse to start on:\n{}{}",
        lines.join("\n"),
        if more > 0 {
            format!("\n  and {more} more")
        } else {
            String::new()
        }
    ))
    .hint("fix the value in the file named; nothing was written"))
}

/// [`check`] for a whole stack.
pub fn check_stack(stack: &Stack) -> Result<()> {
    check(
        stack,
        &Value::Object(stack.resolve()),
        &Value::Object(stack.resolve_above(Source::OrgClient)),
    )
}

/// The layer that set the value at `path`: the highest one that has it, else the highest that
/// has anything on the way to it.
fn origin_of(stack: &Stack, path: &[String]) -> String {
    for depth in (0..=path.len()).rev() {
        let prefix = &path[..depth];
        if let Some(layer) = stack
            .layers()
            .iter()
            .rev()
            .find(|l| depth > 0 && get(&l.value, prefix).is_some())
        {
            return layer.origin.clone();
        }
    }
    "a layer".into()
}

fn get<'a>(map: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = map.get(first)?;
    for part in rest {
        value = match value {
            Value::Object(m) => m.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Layer;
    use serde_json::json;

    fn layer(source: Source, origin: &str, value: Value) -> Layer {
        Layer {
            source,
            origin: origin.into(),
            value: value.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn wrong_types_and_unknown_keys_are_named_with_the_layer_that_set_them() {
        let mut stack = Stack::default();
        stack.add(layer(
            Source::Org,
            "org",
            json!({"model": "a/b", "mcp": {"docs": {"type": "remote", "url": "https://x"}}}),
        ));
        assert!(check_stack(&stack).is_ok());
        // Disabling an org server alone is a valid entry in OpenCode's file.
        stack.add(layer(
            Source::User,
            "~/.config/ai-setup/config.json",
            json!({"mcp": {"docs": {"enabled": false}}}),
        ));
        assert!(check_stack(&stack).is_ok());
        stack.add(layer(
            Source::Cli,
            "--set",
            json!({"small_model": 7, "modle": "x"}),
        ));
        let err = check_stack(&stack).unwrap_err().message;
        assert!(
            err.contains("--set: `small_model`: 7 is not of type \"string\""),
            "{err}"
        );
        assert!(err.contains("modle"), "{err}");

        let mut stack = Stack::default();
        stack.add(layer(Source::User, "mine.json", json!({"mcp": 5})));
        let err = check_stack(&stack).unwrap_err().message;
        assert!(
            err.contains("mine.json: `mcp`: 5 is not of type \"object\""),
            "{err}"
        );
    }
}
