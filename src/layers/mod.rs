//! Stage 3, resolve: the configuration a client gets is a stack of layers (DESIGN principle 3),
//! modelled on jj's `StackedConfig`. Precedence is the order of [`Source`]; each layer knows
//! where it came from, so every resolved value can say which layer and file set it and what it
//! overrode (`ai-setup config explain KEY`). Keys the org locks (`ai_setup.locked`) are
//! stripped from every layer above the org's, and each stripped override is reported.
//! `ai_setup`, in a layer, is ai-setup's own settings, never a client's: it is taken out of
//! every layer, and only the user's own (their file, the environment, `--set`) may grant what
//! placeholders read (see [`guard`]). A project file is a layer only once the user trusted
//! it, as it is now ([`trust`]).

pub mod approval;
pub mod guard;
pub mod load;
pub mod merge;
pub mod schema;
pub mod trust;
pub mod user;

use serde::Serialize;
use serde_json::{Map, Value};

pub use load::{LoadOptions, load};

/// Where a layer comes from, lowest precedence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Built into ai-setup (`assets/defaults.json`).
    Default,
    /// The org's discovery document, `config`.
    Org,
    /// The org's overlay for one client, `ai_setup.clients.<id>`.
    OrgClient,
    /// `~/.config/ai-setup/config.json[c]`.
    User,
    /// `.ai-setup.json[c]`, found upward from the working directory.
    Project,
    /// `AI_SETUP_CONFIG_CONTENT`.
    Env,
    /// `--set KEY=VALUE`.
    Cli,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::Org => "org",
            Source::OrgClient => "org-client",
            Source::User => "user",
            Source::Project => "project",
            Source::Env => "env",
            Source::Cli => "cli",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub source: Source,
    /// The file, URL, variable or flag it came from.
    pub origin: String,
    pub value: Map<String, Value>,
}

/// What the user lets placeholders read, from their own layers (user file, environment,
/// `--set`; never the org's or a project's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    pub env: Vec<String>,
    pub files: Vec<String>,
}

impl Grants {
    /// Adds what one layer's `ai_setup` grants: `allow_env` and `allow_files`, lists of names.
    pub fn add(&mut self, own: &Value) {
        for (key, list) in [
            ("allow_env", &mut self.env),
            ("allow_files", &mut self.files),
        ] {
            let names = own.get(key).and_then(Value::as_array).into_iter().flatten();
            list.extend(names.filter_map(Value::as_str).map(str::to_string));
        }
    }
}

/// An override that a lock refused, ai-setup's own settings in a layer that may not set them,
/// or a whole project file that is not trusted.
#[derive(Debug, Clone, Serialize)]
pub struct Ignored {
    /// The key ignored; empty when the whole layer is.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    pub source: Source,
    pub origin: String,
    pub reason: Reason,
}

/// Why a layer, or a key of one, is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The org locks the key.
    Locked,
    /// `ai_setup` outside the user's own layers.
    OwnSettings,
    /// A project file never trusted (`ai-setup trust`).
    Untrusted,
    /// A project file changed since it was trusted.
    ChangedSinceTrusted,
    /// A project file others could have written: never used.
    Unsafe(String),
}

/// The key of ai-setup's own settings in a layer.
pub const OWN_SETTINGS: &str = "ai_setup";

impl Ignored {
    pub fn describe(&self) -> String {
        let origin = &self.origin;
        match &self.reason {
            Reason::OwnSettings => format!(
                "'{OWN_SETTINGS}' in {origin} is ignored: only your own config \
                 (~/.config/ai-setup/config.json, AI_SETUP_CONFIG_CONTENT or --set) grants \
                 what ai-setup may read"
            ),
            Reason::Locked => format!(
                "'{}' is locked by the org; the {} override in {origin} is ignored",
                self.key,
                self.source.name(),
            ),
            Reason::Untrusted => format!(
                "{origin} is ignored: it is not trusted (run `ai-setup trust {}` to use it)",
                crate::output::shell_words(std::slice::from_ref(origin))
            ),
            Reason::ChangedSinceTrusted => format!(
                "{origin} is ignored: it changed since you trusted it (review it, then run \
                 `ai-setup trust {}`)",
                crate::output::shell_words(std::slice::from_ref(origin))
            ),
            Reason::Unsafe(why) => format!("{origin} is refused: {why}"),
        }
    }
}

/// One layer's say about a key, for `config explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    pub source: Source,
    pub origin: String,
    /// The layer's value; `null` means the layer deletes the key.
    pub value: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub key: String,
    /// The resolved value, absent when no layer (left) defines it.
    pub value: Option<Value>,
    /// Every layer that defines the key, lowest first; the last one wins (objects merge).
    pub defined_in: Vec<Definition>,
    pub locked: bool,
    /// Overrides of this key the org's lock refused.
    pub ignored: Vec<Ignored>,
}

/// A resolved leaf with the layer that set it, for `config show`.
#[derive(Debug, Clone, Serialize)]
pub struct Annotated {
    pub key: String,
    pub value: Value,
    pub source: Source,
    pub origin: String,
}

#[derive(Debug, Clone, Default)]
pub struct Stack {
    layers: Vec<Layer>,
    locked: Vec<Vec<String>>,
    ignored: Vec<Ignored>,
    grants: Grants,
}

/// Splits a dotted key (`mcp.docs.url`) into its parts.
pub fn key_path(key: &str) -> Vec<String> {
    key.split('.').map(str::to_string).collect()
}

impl Stack {
    /// Sets the org's locked keys. Call before adding layers above the org's.
    pub fn lock(&mut self, keys: &[String]) {
        self.locked = keys.iter().map(|k| key_path(k)).collect();
    }

    /// Adds a layer in precedence order (after others of the same source).
    pub fn add(&mut self, mut layer: Layer) {
        if let Some(own) = layer.value.shift_remove(OWN_SETTINGS) {
            if matches!(layer.source, Source::User | Source::Env | Source::Cli) {
                self.grants.add(&own);
            } else {
                self.ignored.push(Ignored {
                    key: OWN_SETTINGS.into(),
                    source: layer.source,
                    origin: layer.origin.clone(),
                    reason: Reason::OwnSettings,
                });
            }
        }
        if layer.source > Source::OrgClient {
            for locked in &self.locked {
                if let Some(key) = merge::strip_locked(&mut layer.value, locked) {
                    self.ignored.push(Ignored {
                        key,
                        source: layer.source,
                        origin: layer.origin.clone(),
                        reason: Reason::Locked,
                    });
                }
            }
        }
        let at = self
            .layers
            .iter()
            .position(|l| l.source > layer.source)
            .unwrap_or(self.layers.len());
        self.layers.insert(at, layer);
    }

    /// Records a layer left out as a whole (an untrusted project file).
    pub fn ignore(&mut self, ignored: Ignored) {
        self.ignored.push(ignored);
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Overrides refused because the org locks their keys.
    pub fn ignored(&self) -> &[Ignored] {
        &self.ignored
    }

    /// What the user's own layers let placeholders read.
    pub fn grants(&self) -> &Grants {
        &self.grants
    }

    pub fn resolve(&self) -> Map<String, Value> {
        let mut merged = Map::new();
        for layer in &self.layers {
            merge::merge(&mut merged, &layer.value);
        }
        merged
    }

    /// [`Stack::resolve`] for a stack that is not needed afterwards: the layers' values are
    /// moved into the result, not copied.
    pub fn into_resolved(self) -> Map<String, Value> {
        let mut merged = Map::new();
        for layer in self.layers {
            merge::merge_owned(&mut merged, layer.value);
        }
        merged
    }

    /// The merge of the layers above `source`: what the user overrides on top of the org.
    pub fn resolve_above(&self, source: Source) -> Map<String, Value> {
        let mut merged = Map::new();
        for layer in self.layers.iter().filter(|l| l.source > source) {
            merge::merge(&mut merged, &layer.value);
        }
        merged
    }

    pub fn explain(&self, key: &str) -> Explanation {
        let path = key_path(key);
        let defined_in = self
            .layers
            .iter()
            .filter_map(|layer| {
                merge::get(&layer.value, &path).map(|value| Definition {
                    source: layer.source,
                    origin: layer.origin.clone(),
                    value: value.clone(),
                })
            })
            .collect();
        let locked = self
            .locked
            .iter()
            .any(|l| path.starts_with(l) || l.starts_with(&path));
        Explanation {
            key: key.to_string(),
            value: merge::get(&self.resolve(), &path).cloned(),
            defined_in,
            locked,
            ignored: self
                .ignored
                .iter()
                .filter(|i| {
                    let ignored = key_path(&i.key);
                    ignored.starts_with(&path) || path.starts_with(&ignored)
                })
                .cloned()
                .collect(),
        }
    }

    /// Every resolved leaf with the highest layer that defines it.
    pub fn annotated(&self) -> Vec<Annotated> {
        let resolved = self.resolve();
        merge::leaves(&resolved)
            .into_iter()
            .map(|(path, value)| {
                let top = self
                    .layers
                    .iter()
                    .rev()
                    .find(|l| merge::get(&l.value, &path).is_some_and(|v| !v.is_null()))
                    .expect("a resolved leaf comes from some layer");
                Annotated {
                    key: path.join("."),
                    value: value.clone(),
                    source: top.source,
                    origin: top.origin.clone(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn layer(source: Source, value: Value) -> Layer {
        Layer {
            source,
            origin: source.name().into(),
            value: value.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn explain_names_the_winner_and_what_it_overrode() {
        let mut stack = Stack::default();
        stack.add(layer(
            Source::Org,
            json!({"model": "org/m", "permission": {"bash": "ask"}}),
        ));
        stack.lock(&["permission.bash".into()]);
        stack.add(layer(Source::Cli, json!({"model": "cli/m"})));
        stack.add(layer(
            Source::User,
            json!({"model": "user/m", "permission": {"bash": "allow"}}),
        ));

        let e = stack.explain("model");
        assert_eq!(e.value, Some(json!("cli/m")));
        let sources: Vec<Source> = e.defined_in.iter().map(|d| d.source).collect();
        assert_eq!(sources, [Source::Org, Source::User, Source::Cli]);
        assert!(!e.locked);

        let e = stack.explain("permission.bash");
        assert_eq!(e.value, Some(json!("ask")));
        assert!(e.locked);
        assert_eq!(e.ignored.len(), 1);
        assert_eq!(e.ignored[0].source, Source::User);
    }

    proptest! {
        /// Provenance and merge agree: each resolved leaf is the value the named layer has at
        /// that key, and no higher layer defines the key.
        #[test]
        fn provenance_names_the_top_layer_of_each_value(
            layers in prop::collection::vec(merge::tests::config(), 1..5)
        ) {
            let sources = [Source::Default, Source::Org, Source::User, Source::Project, Source::Cli];
            let mut stack = Stack::default();
            for (value, source) in layers.into_iter().zip(sources) {
                stack.add(Layer { source, origin: source.name().into(), value });
            }
            for leaf in stack.annotated() {
                let path = key_path(&leaf.key);
                let named = stack.layers().iter().find(|l| l.source == leaf.source).unwrap();
                let in_layer = merge::get(&named.value, &path);
                if path.len() == 1 && merge::CONCAT_KEYS.contains(&path[0].as_str()) {
                    prop_assert!(in_layer.is_some());
                } else {
                    prop_assert_eq!(in_layer, Some(&leaf.value));
                }
                prop_assert!(stack.layers().iter().filter(|l| l.source > leaf.source)
                    .all(|l| merge::get(&l.value, &path).is_none()));
            }
        }
    }
}
