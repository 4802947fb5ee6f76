//! The model catalog: the models.dev snapshot shipped in `assets/catalog/` (132 providers,
//! 4,803 models, MIT), and the models an org offers.
//!
//! What an org offers follows OpenCode's reading of a `config`: a provider with a `whitelist`
//! offers exactly those models; otherwise it offers the models its config defines plus, for a
//! provider the catalog knows, every catalog model of that provider, minus its `blacklist`.
//! The org's models endpoint (PROTOCOL.md §4), when it has one, adds to that and its details
//! win. Details are layered: the snapshot, then the config's model entry, then the endpoint's.

use std::collections::BTreeMap;
use std::io::Read;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clients::Client;
use crate::error::{Error, Result};
use crate::layers::merge::merge;

/// The snapshot, as published (`models-dev-api.json.gz`): 170 KB in the binary, parsed in
/// about 20 ms, and only when a command or the dashboard asks for the catalog.
const SNAPSHOT: &[u8] = include_bytes!("../../assets/catalog/models-dev-api.json.gz");

/// The details of one model, in the models.dev field names (prices in USD per million tokens).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ModelInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modalities: Option<Modalities>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_weights: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Limit {
    #[serde(default)]
    pub context: Option<u64>,
    #[serde(default)]
    pub output: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Cost {
    #[serde(default)]
    pub input: Option<f64>,
    #[serde(default)]
    pub output: Option<f64>,
    #[serde(default)]
    pub cache_read: Option<f64>,
    #[serde(default)]
    pub cache_write: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Modalities {
    #[serde(default)]
    pub input: Vec<String>,
    #[serde(default)]
    pub output: Vec<String>,
}

/// One model of one provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub provider: String,
    pub provider_name: String,
    /// The model's id within its provider (`claude-sonnet-4-5`).
    pub id: String,
    pub info: ModelInfo,
}

impl Model {
    /// `provider/model`, as OpenCode's `model` setting names it.
    pub fn key(&self) -> String {
        format!("{}/{}", self.provider, self.id)
    }

    /// The display name, or the id when the catalog has none.
    pub fn name(&self) -> &str {
        self.info.name.as_deref().unwrap_or(&self.id)
    }

    pub fn context(&self) -> Option<u64> {
        self.info.limit.as_ref().and_then(|l| l.context)
    }

    pub fn output(&self) -> Option<u64> {
        self.info.limit.as_ref().and_then(|l| l.output)
    }

    pub fn input_price(&self) -> Option<f64> {
        self.info.cost.as_ref().and_then(|c| c.input)
    }

    pub fn output_price(&self) -> Option<f64> {
        self.info.cost.as_ref().and_then(|c| c.output)
    }

    /// Whether `needle` (already lowercase) is in the id, name, provider or family.
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || [
                Some(self.id.as_str()),
                Some(self.name()),
                Some(self.provider.as_str()),
                Some(self.provider_name.as_str()),
                self.info.family.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|field| contains_ignoring_case(field, needle))
    }
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

/// The models.dev `api.json` shape: provider id to provider.
/// Each model is kept as raw JSON text until it is parsed on its own, so one malformed model
/// costs only its own details and no intermediate tree of values is built.
#[derive(Debug, Deserialize)]
struct ProviderEntry<'a> {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, borrow)]
    models: BTreeMap<String, &'a serde_json::value::RawValue>,
}

/// A set of models, sorted by provider and id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub models: Vec<Model>,
}

impl Catalog {
    /// The shipped snapshot.
    pub fn snapshot() -> Result<Catalog> {
        let mut text = Vec::with_capacity(SNAPSHOT.len() * 12);
        flate2::read::GzDecoder::new(SNAPSHOT)
            .read_to_end(&mut text)
            .map_err(|e| Error::failure(format!("the built-in catalog is damaged: {e}")))?;
        Catalog::from_api_json(&text, "the built-in catalog")
    }

    /// Parses the models.dev `api.json` shape (the snapshot, or an org's models endpoint). A
    /// model whose details are malformed keeps its id and loses its details, rather than
    /// costing the whole catalog.
    pub fn from_api_json(bytes: &[u8], origin: &str) -> Result<Catalog> {
        let providers: BTreeMap<String, ProviderEntry<'_>> = serde_json::from_slice(bytes)
            .map_err(|e| Error::network(format!("{origin} is not a models catalog: {e}")))?;
        let mut models = Vec::new();
        for (provider, entry) in providers {
            let provider_name = entry.name.unwrap_or_else(|| provider.clone());
            for (id, details) in entry.models {
                models.push(Model {
                    provider: provider.clone(),
                    provider_name: provider_name.clone(),
                    id,
                    info: serde_json::from_str(details.get()).unwrap_or_default(),
                });
            }
        }
        Ok(Catalog { models })
    }

    pub fn get(&self, provider: &str, id: &str) -> Option<&Model> {
        self.models
            .binary_search_by(|m| (m.provider.as_str(), m.id.as_str()).cmp(&(provider, id)))
            .ok()
            .map(|i| &self.models[i])
    }

    fn of_provider<'a>(&'a self, provider: &'a str) -> impl Iterator<Item = &'a Model> + 'a {
        let start = self
            .models
            .partition_point(|m| m.provider.as_str() < provider);
        self.models[start..]
            .iter()
            .take_while(move |m| m.provider == provider)
    }

    /// The catalog in the models.dev `api.json` shape (what the reference endpoint serves).
    pub fn to_api_json(&self) -> Value {
        let mut out = Map::new();
        for model in &self.models {
            let provider = out.entry(model.provider.clone()).or_insert_with(|| {
                serde_json::json!({
                    "id": model.provider,
                    "name": model.provider_name,
                    "models": {},
                })
            });
            let mut details = serde_json::to_value(&model.info).unwrap_or_default();
            details["id"] = Value::String(model.id.clone());
            provider["models"][&model.id] = details;
        }
        Value::Object(out)
    }
}

/// Where the list of an org's models came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The org's models endpoint, with its `config` providers.
    Endpoint,
    /// The org's `config` providers only (no endpoint, or it could not be reached).
    Config,
}

/// A model the org offers, and what it means here.
#[derive(Debug, Clone)]
pub struct Offered {
    pub model: Model,
    /// The resolved `model` setting names it.
    pub default: bool,
    /// The resolved `small_model` setting names it.
    pub small: bool,
    /// The shipped snapshot knows it (otherwise its details come from the org alone).
    pub in_catalog: bool,
    /// The org offers it (always, except in [`whole`]'s listing).
    pub offered: bool,
    /// The configured clients that can use it.
    pub clients: Vec<&'static str>,
}

/// The models an org offers, sorted by provider and id.
#[derive(Debug, Clone)]
pub struct OrgModels {
    pub source: Source,
    pub default: Option<String>,
    pub small: Option<String>,
    pub models: Vec<Offered>,
}

/// The models offered by the resolved `config` (the org's and the user's layers), with the
/// org's endpoint catalog when there is one, detailed from `snapshot`. `clients` are the
/// configured clients, to say which can use each model.
pub fn offered(
    config: &Map<String, Value>,
    endpoint: Option<&Catalog>,
    snapshot: &Catalog,
    clients: &[&'static dyn Client],
) -> OrgModels {
    let mut found: BTreeMap<(String, String), (String, Value)> = BTreeMap::new();
    let mut add = |provider: &str, provider_name: &str, id: &str, details: Option<&Value>| {
        let entry = found
            .entry((provider.to_string(), id.to_string()))
            .or_insert_with(|| (provider_name.to_string(), Value::Object(Map::new())));
        if let (Some(Value::Object(over)), Value::Object(base)) = (details, &mut entry.1) {
            merge(base, over);
        }
    };
    let providers = config.get("provider").and_then(Value::as_object);
    for (provider, spec) in providers.into_iter().flatten() {
        let known_name = snapshot
            .of_provider(provider)
            .next()
            .map(|m| m.provider_name.clone());
        let name = spec
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or(known_name)
            .unwrap_or_else(|| provider.clone());
        let custom = spec.get("models").and_then(Value::as_object);
        let list = |key: &str| -> Option<Vec<&str>> {
            spec.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
        };
        let blacklist = list("blacklist").unwrap_or_default();
        let ids: Vec<String> = match list("whitelist") {
            Some(white) => white.into_iter().map(str::to_string).collect(),
            None => snapshot
                .of_provider(provider)
                .map(|m| m.id.clone())
                .chain(custom.into_iter().flat_map(|m| m.keys().cloned()))
                .filter(|id| !blacklist.contains(&id.as_str()))
                .collect(),
        };
        for id in ids {
            add(provider, &name, &id, custom.and_then(|m| m.get(&id)));
        }
    }
    let source = match endpoint {
        Some(catalog) => {
            for model in &catalog.models {
                let details = serde_json::to_value(&model.info).ok();
                add(
                    &model.provider,
                    &model.provider_name,
                    &model.id,
                    details.as_ref(),
                );
            }
            Source::Endpoint
        }
        None => Source::Config,
    };
    let setting = |key: &str| config.get(key).and_then(Value::as_str).map(str::to_string);
    let (default, small) = (setting("model"), setting("small_model"));
    let models = found
        .into_iter()
        .map(|((provider, id), (provider_name, org_details))| {
            let known = snapshot.get(&provider, &id);
            let mut details = known
                .and_then(|m| serde_json::to_value(&m.info).ok())
                .unwrap_or_else(|| Value::Object(Map::new()));
            if let (Value::Object(base), Value::Object(over)) = (&mut details, &org_details) {
                merge(base, over);
            }
            let model = Model {
                provider_name,
                info: serde_json::from_value(details).unwrap_or_default(),
                id,
                provider,
            };
            let key = model.key();
            Offered {
                default: default.as_deref() == Some(key.as_str()),
                small: small.as_deref() == Some(key.as_str()),
                in_catalog: known.is_some(),
                offered: true,
                clients: clients
                    .iter()
                    .filter(|c| c.serves_models_of(&model.provider))
                    .map(|c| c.id())
                    .collect(),
                model,
            }
        })
        .collect();
    OrgModels {
        source,
        default,
        small,
        models,
    }
}

/// Every model of the snapshot, plus the org's own, with what the org offers marked (and
/// detailed as the org has it): the catalog to browse. Takes the snapshot, so that its
/// models move rather than being copied (the dashboard keeps only this).
pub fn whole(snapshot: Catalog, org: Option<&OrgModels>) -> Vec<Offered> {
    let mut org_models = org.map(|o| o.models.iter().peekable());
    let mut all = Vec::with_capacity(snapshot.models.len());
    for model in snapshot.models {
        if let Some(org_models) = org_models.as_mut() {
            while let Some(o) = org_models.next_if(|o| {
                (o.model.provider.as_str(), o.model.id.as_str())
                    <= (model.provider.as_str(), model.id.as_str())
            }) {
                all.push(o.clone());
            }
            if all.last().is_some_and(|o| o.model.key() == model.key()) {
                continue;
            }
        }
        all.push(Offered {
            model,
            default: false,
            small: false,
            in_catalog: true,
            offered: false,
            clients: Vec::new(),
        });
    }
    all.extend(org_models.into_iter().flatten().cloned());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_snapshot_holds_the_whole_catalog_sorted() {
        let catalog = Catalog::snapshot().unwrap();
        assert_eq!(catalog.models.len(), 4803);
        assert!(
            catalog
                .models
                .windows(2)
                .all(|w| (&w[0].provider, &w[0].id) < (&w[1].provider, &w[1].id))
        );
        let sonnet = catalog.get("anthropic", "claude-sonnet-4-5").unwrap();
        assert_eq!(sonnet.provider_name, "Anthropic");
        assert_eq!(sonnet.context(), Some(200_000));
        assert_eq!(sonnet.input_price(), Some(3.0));
        assert_eq!(sonnet.info.tool_call, Some(true));
    }

    fn config(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_whitelist_limits_a_known_provider_and_custom_models_join() {
        let snapshot = Catalog::snapshot().unwrap();
        let config = config(json!({
            "model": "anthropic/claude-sonnet-4-5",
            "provider": {
                "anthropic": {"whitelist": ["claude-sonnet-4-5", "claude-haiku-4-5"]},
                "openai": {"blacklist": ["gpt-4"]},
                "inhouse": {"name": "In-house", "models": {
                    "coder": {"name": "Coder", "limit": {"context": 65536, "output": 8192}}
                }}
            }
        }));
        let clients: Vec<&'static dyn Client> = crate::clients::ALL.to_vec();
        let org = offered(&config, None, &snapshot, &clients);
        let keys: Vec<String> = org.models.iter().map(|o| o.model.key()).collect();
        assert!(keys.contains(&"anthropic/claude-haiku-4-5".to_string()));
        assert!(!keys.iter().any(|k| k == "anthropic/claude-opus-4-1"));
        let openai = snapshot.of_provider("openai").count();
        assert_eq!(
            keys.iter().filter(|k| k.starts_with("openai/")).count(),
            openai - 1
        );
        assert!(!keys.contains(&"openai/gpt-4".to_string()));
        let coder = org
            .models
            .iter()
            .find(|o| o.model.key() == "inhouse/coder")
            .unwrap();
        assert!(!coder.in_catalog);
        assert_eq!(coder.model.provider_name, "In-house");
        assert_eq!(coder.model.context(), Some(65536));
        // Only the clients that load the org's whole config reach an in-house provider.
        assert_eq!(coder.clients, ["opencode", "kilo"]);
        let sonnet = org.models.iter().find(|o| o.default).unwrap();
        assert_eq!(sonnet.model.key(), "anthropic/claude-sonnet-4-5");
        assert_eq!(sonnet.model.input_price(), Some(3.0));
        assert_eq!(sonnet.clients, ["opencode", "claude-code", "pi", "kilo"]);
        assert_eq!(org.source, Source::Config);
    }

    #[test]
    fn the_endpoint_adds_models_and_its_details_win() {
        let snapshot = Catalog::snapshot().unwrap();
        let endpoint = Catalog::from_api_json(
            json!({"anthropic": {"name": "Anthropic", "models": {
                "claude-sonnet-4-5": {"cost": {"input": 2.5}},
                "claude-opus-4-1": {}
            }}})
            .to_string()
            .as_bytes(),
            "test",
        )
        .unwrap();
        let config =
            config(json!({"provider": {"anthropic": {"whitelist": ["claude-sonnet-4-5"]}}}));
        let org = offered(&config, Some(&endpoint), &snapshot, &[]);
        let keys: Vec<String> = org.models.iter().map(|o| o.model.key()).collect();
        assert_eq!(
            keys,
            ["anthropic/claude-opus-4-1", "anthropic/claude-sonnet-4-5"]
        );
        let sonnet = &org.models[1].model;
        assert_eq!(sonnet.input_price(), Some(2.5));
        assert_eq!(
            sonnet.output_price(),
            Some(15.0),
            "the rest from the snapshot"
        );
        assert_eq!(org.source, Source::Endpoint);
    }

    #[test]
    fn the_whole_catalog_marks_what_the_org_offers() {
        let snapshot = Catalog::snapshot().unwrap();
        let config = config(json!({"provider": {
            "anthropic": {"whitelist": ["claude-sonnet-4-5"]},
            "zzz": {"models": {"own": {}}}
        }}));
        let org = offered(&config, None, &snapshot, &[]);
        let all = whole(snapshot.clone(), Some(&org));
        assert_eq!(
            all.len(),
            snapshot.models.len() + 1,
            "the org's own model joins"
        );
        let marked: Vec<String> = all
            .iter()
            .filter(|o| o.offered)
            .map(|o| o.model.key())
            .collect();
        assert_eq!(marked, ["anthropic/claude-sonnet-4-5", "zzz/own"]);
        assert_eq!(whole(snapshot, None).len(), 4803);
    }

    #[test]
    fn search_ignores_case_and_looks_at_names_and_providers() {
        let snapshot = Catalog::snapshot().unwrap();
        let sonnet = snapshot.get("anthropic", "claude-sonnet-4-5").unwrap();
        assert!(sonnet.matches("sonnet 4.5"));
        assert!(sonnet.matches("anthropic"));
        assert!(!sonnet.matches("gemini"));
    }
}
