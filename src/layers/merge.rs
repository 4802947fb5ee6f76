//! OpenCode's merge semantics, so that a config means the same in ai-setup as in OpenCode:
//! objects merge deeply, scalars and arrays replace, `null` deletes, and the top-level `plugin`
//! and `instructions` arrays concatenate without duplicates (OpenCode's
//! `mergeConfigConcatArrays`).

use serde_json::{Map, Value};

/// Top-level keys whose arrays accumulate across layers instead of replacing.
pub const CONCAT_KEYS: &[&str] = &["plugin", "instructions"];

/// Merges `over` into `base` in place.
pub fn merge(base: &mut Map<String, Value>, over: &Map<String, Value>) {
    merge_owned(base, over.clone());
}

/// [`merge`] that moves `over`'s values instead of copying them: resolving a stack that is not
/// needed afterwards copies nothing (an org's config can be large).
pub fn merge_owned(base: &mut Map<String, Value>, over: Map<String, Value>) {
    merge_object_owned(base, over, true);
}

fn merge_object_owned(base: &mut Map<String, Value>, over: Map<String, Value>, top: bool) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (_, Value::Null) => {
                base.shift_remove(&key);
            }
            (Some(Value::Object(below)), Value::Object(above)) => {
                merge_object_owned(below, above, false)
            }
            (Some(Value::Array(below)), Value::Array(above))
                if top && CONCAT_KEYS.contains(&key.as_str()) =>
            {
                for item in above {
                    if !below.contains(&item) {
                        below.push(item);
                    }
                }
            }
            (_, mut value) => {
                drop_nulls(&mut value);
                base.insert(key, value);
            }
        }
    }
}

/// A value placed where nothing was below has no lower layer to delete from: its nulls go.
fn drop_nulls(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|_, v| !v.is_null());
        map.values_mut().for_each(drop_nulls);
    }
}

/// The value at `path`, if every step is an object key.
pub fn get<'a>(map: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let value = map.get(first)?;
    if rest.is_empty() {
        Some(value)
    } else {
        get(value.as_object()?, rest)
    }
}

/// Removes from `layer` whatever would change the value at `locked`: the key itself, or a
/// non-object on the way to it (which would replace the locked subtree). Returns the dotted
/// key that was removed, if any.
pub fn strip_locked(layer: &mut Map<String, Value>, locked: &[String]) -> Option<String> {
    let mut map = layer;
    for (i, part) in locked.iter().enumerate() {
        let last = i + 1 == locked.len();
        match map.get(part) {
            None => return None,
            Some(Value::Object(_)) if !last => {}
            Some(_) => {
                map.shift_remove(part);
                return Some(locked[..=i].join("."));
            }
        }
        map = map.get_mut(part)?.as_object_mut()?;
    }
    None
}

/// Every leaf of `map` as (path, value). Arrays and empty objects are leaves.
pub fn leaves(map: &Map<String, Value>) -> Vec<(Vec<String>, &Value)> {
    let mut out = Vec::new();
    collect_leaves(map, &mut Vec::new(), &mut out);
    out
}

fn collect_leaves<'a>(
    map: &'a Map<String, Value>,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'a Value)>,
) {
    for (key, value) in map {
        prefix.push(key.clone());
        match value {
            Value::Object(inner) if !inner.is_empty() => collect_leaves(inner, prefix, out),
            _ => out.push((prefix.clone(), value)),
        }
        prefix.pop();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn opencode_semantics() {
        let mut base = obj(json!({
            "model": "a", "mcp": {"x": {"type": "local"}, "y": {"type": "remote"}},
            "plugin": ["p1"], "instructions": ["i1"], "tags": ["t1"]
        }));
        merge(
            &mut base,
            &obj(json!({
                "model": "b", "mcp": {"y": null, "z": {"type": "local", "gone": null}},
                "plugin": ["p1", "p2"], "tags": ["t2"]
            })),
        );
        assert_eq!(
            Value::Object(base),
            json!({
                "model": "b", "mcp": {"x": {"type": "local"}, "z": {"type": "local"}},
                "plugin": ["p1", "p2"], "instructions": ["i1"], "tags": ["t2"]
            })
        );
    }

    #[test]
    fn locked_keys_and_their_parents_are_stripped() {
        let locked = ["permission".to_string(), "bash".to_string()];
        let mut layer = obj(json!({"permission": {"bash": "allow", "edit": "ask"}}));
        assert_eq!(
            strip_locked(&mut layer, &locked).as_deref(),
            Some("permission.bash")
        );
        assert_eq!(Value::Object(layer), json!({"permission": {"edit": "ask"}}));
        let mut layer = obj(json!({"permission": "allow", "model": "m"}));
        assert_eq!(
            strip_locked(&mut layer, &locked).as_deref(),
            Some("permission")
        );
        assert_eq!(Value::Object(layer), json!({"model": "m"}));
        let mut layer = obj(json!({"model": "m"}));
        assert_eq!(strip_locked(&mut layer, &locked), None);
    }

    /// Config-shaped objects without nulls: a few keys, nested objects, scalars and arrays.
    pub fn config() -> impl Strategy<Value = Map<String, Value>> {
        let leaf = prop_oneof![
            any::<bool>().prop_map(Value::from),
            (0i64..5).prop_map(Value::from),
            "[a-c]".prop_map(Value::from),
            prop::collection::vec("[a-c]".prop_map(Value::from), 0..3).prop_map(Value::Array),
        ];
        let value = leaf.prop_recursive(3, 24, 4, |inner| {
            prop::collection::btree_map("[a-d]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
        });
        prop::collection::btree_map(
            prop_oneof!["[a-d]".prop_map(String::from), Just("plugin".to_string())],
            value,
            0..5,
        )
        .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #[test]
        fn an_empty_layer_changes_nothing(x in config()) {
            let mut above = x.clone();
            merge(&mut above, &Map::new());
            prop_assert_eq!(&above, &x);
            let mut below = Map::new();
            merge(&mut below, &x);
            prop_assert_eq!(&below, &x);
        }

        #[test]
        fn merging_is_idempotent(x in config(), y in config()) {
            let mut once = x.clone();
            merge(&mut once, &y);
            let mut twice = once.clone();
            merge(&mut twice, &y);
            prop_assert_eq!(once, twice);
        }
    }
}
