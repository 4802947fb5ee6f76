//! The discovery document (PROTOCOL.md §1) as typed data. Unknown keys are ignored so that orgs
//! can add fields before ai-setup knows them; a known key with the wrong type is an error that
//! names the key's path (`auth.command[1]`), because "invalid type at line 1 column 380" helps
//! no platform team.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The error for a wrongly typed value in the org's document: the org's to fix.
fn bad_value(org: &str, path: &str, why: &str) -> Error {
    Error::network(format!(
        "the discovery document of {org} has a bad value at '{path}': {why}"
    ))
    .hint("nothing was run or changed; tell the org's platform team (`ai-setup doctor --json` shows the document)")
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Document {
    #[serde(default)]
    pub auth: Option<AuthSpec>,
    /// The org layer, in OpenCode's config format, as it came. It becomes values only when
    /// something reads it ([`Document::config`]): a sync that changes nothing never does.
    #[serde(default, rename = "config")]
    config_json: Option<Box<RawValue>>,
    #[serde(skip)]
    config: OnceLock<Option<Map<String, Value>>>,
    #[serde(default)]
    pub ai_setup: Option<Extension>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct AuthSpec {
    /// The argv of a command that prints the user's token.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// The environment variable that `{env:…}` placeholders use for the token.
    #[serde(default)]
    pub env: Option<String>,
    #[serde(default)]
    pub oidc: Option<OidcSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OidcSpec {
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub audience: Option<String>,
}

/// The `ai_setup` extension; OpenCode ignores it.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Extension {
    #[serde(default)]
    pub org: Option<OrgInfo>,
    #[serde(default)]
    pub endpoints: Option<Endpoints>,
    /// `enabled` plus per-client overlays; interpreted by the client modules.
    #[serde(default)]
    pub clients: Option<Map<String, Value>>,
    #[serde(default)]
    pub locked: Option<Vec<String>>,
    #[serde(default)]
    pub min_version: Option<String>,
    #[serde(default)]
    pub refresh: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct OrgInfo {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub support: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Endpoints {
    #[serde(default)]
    pub usage: Option<String>,
    #[serde(default)]
    pub models: Option<String>,
}

impl Document {
    /// Parses and checks a document. `origin` names where it came from, for messages.
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Error::network(format!(
                "the discovery document from {origin} is not UTF-8 text"
            ))
        })?;
        // A good document in one plain pass; a bad one again, in a pass that names the key
        // path of the wrongly typed value.
        if let Ok(doc) = serde_json::from_str::<Document>(text) {
            doc.check(origin)?;
            return Ok(doc);
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let doc: Document = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let duplicate = inner
                .to_string()
                .strip_prefix("duplicate field `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(name, _)| name.to_string());
            if let Some(name) = duplicate {
                let key = match path.as_str() {
                    "." => name,
                    parent => format!("{parent}.{name}"),
                };
                Error::network(format!(
                    "the discovery document from {origin} has the key '{key}' twice"
                ))
                .hint("the org endpoint must serve each key once; tell its maintainers")
            } else if inner.is_syntax() || inner.is_eof() {
                Error::network(format!(
                    "the discovery document from {origin} is not valid JSON: {inner}"
                ))
                .hint("the org endpoint must serve JSON at /.well-known/opencode; tell its maintainers")
            } else if path == "." {
                Error::network(format!(
                    "the discovery document from {origin} is not a JSON object"
                ))
            } else {
                Error::network(format!(
                    "the discovery document from {origin} has a bad value at '{path}': {inner}"
                ))
            }
        })?;
        de.end().map_err(|e| {
            Error::network(format!(
                "the discovery document from {origin} is not valid JSON: {e}"
            ))
        })?;
        doc.check(origin)?;
        Ok(doc)
    }

    fn check(&self, origin: &str) -> Result<()> {
        let bad = |key: &str, why: &str| {
            Err(Error::network(format!(
                "the discovery document from {origin} has a bad value at '{key}': {why}"
            )))
        };
        if let Some(raw) = &self.config_json
            && !raw.get().starts_with('{')
        {
            return bad("config", "must be an object");
        }
        if let Some(auth) = &self.auth {
            if let Some(cmd) = &auth.command
                && (cmd.is_empty() || cmd[0].trim().is_empty())
            {
                return bad("auth.command", "the command is empty");
            }
            if let Some(env) = &auth.env
                && (env.is_empty() || !env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                return bad("auth.env", "must be an environment variable name");
            }
        }
        Ok(())
    }

    /// Checks the types of the `config` keys ai-setup reads, and of the per-client overlays,
    /// before any login command runs (see [`super::schema`]).
    pub fn check_config(&self, org: &str) -> Result<()> {
        let overlays = self
            .ai_setup
            .as_ref()
            .and_then(|e| e.clients.as_ref())
            .into_iter()
            .flatten()
            .filter(|(id, _)| id.as_str() != "enabled");
        let mut checks: Vec<(String, Option<&Map<String, Value>>)> =
            vec![("config".into(), self.config())];
        for (id, overlay) in overlays {
            let at = format!("ai_setup.clients.{id}");
            match overlay.as_object() {
                Some(map) => checks.push((at, Some(map))),
                None => {
                    return Err(bad_value(org, &at, "must be an object"));
                }
            }
        }
        for (prefix, map) in checks {
            if let Some(map) = map
                && let Err((path, why)) = super::schema::check_config(map, &prefix)
            {
                return Err(bad_value(org, &path, &why));
            }
        }
        if let Some(key) = self
            .config_json
            .as_ref()
            .and_then(|raw| super::schema::duplicate_key(raw.get()))
        {
            return Err(Error::network(format!(
                "the discovery document of {org} has the key 'config.{key}' twice"
            ))
            .hint("the org endpoint must serve each key once; tell its maintainers"));
        }
        if let Some(config) = self.config()
            && let Some(problem) = super::schema::problems(&Value::Object(config.clone()))
                .into_iter()
                .next()
        {
            let path = match problem.path.is_empty() {
                true => "config".to_string(),
                false => format!("config.{}", problem.key()),
            };
            return Err(bad_value(org, &path, &problem.message));
        }
        Ok(())
    }

    /// Refuses to go on when the org requires a newer ai-setup (`ai_setup.min_version`): an
    /// older one may write configuration the org no longer supports. A version that is not
    /// semver is reported as the org's mistake rather than ignored.
    pub fn check_min_version(&self, org: &str) -> Result<()> {
        let Some(wanted) = self
            .ai_setup
            .as_ref()
            .and_then(|e| e.min_version.as_deref())
        else {
            return Ok(());
        };
        let ours =
            semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("our version is semver");
        let wanted_version =
            semver::Version::parse(wanted.trim_start_matches('v')).map_err(|_| {
                Error::network(format!(
                "{org} asks for ai-setup {wanted}, which is not a version (ai_setup.min_version)"
            ))
            .hint("the org's platform team should write it as MAJOR.MINOR.PATCH, e.g. 0.3.0")
            })?;
        if ours < wanted_version {
            return Err(Error::failure(format!(
                "{} requires ai-setup {wanted_version} or newer; this is {ours}",
                self.org_name().unwrap_or(org)
            ))
            .hint("upgrade ai-setup (`dist/install.sh`, `brew upgrade ai-setup` or your package manager), then run the command again"));
        }
        Ok(())
    }

    pub fn org_name(&self) -> Option<&str> {
        self.ai_setup.as_ref()?.org.as_ref()?.name.as_deref()
    }

    pub fn support_url(&self) -> Option<&str> {
        self.ai_setup.as_ref()?.org.as_ref()?.support.as_deref()
    }

    pub fn auth_env(&self) -> Option<&str> {
        self.auth.as_ref()?.env.as_deref()
    }

    pub fn auth_command(&self) -> Option<&[String]> {
        self.auth.as_ref()?.command.as_deref()
    }

    pub fn oidc(&self) -> Option<&OidcSpec> {
        self.auth.as_ref()?.oidc.as_ref()
    }

    /// Client ids the org enables, if it says.
    pub fn enabled_clients(&self) -> Option<Vec<String>> {
        let list = self.ai_setup.as_ref()?.clients.as_ref()?.get("enabled")?;
        Some(
            list.as_array()?
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        )
    }

    /// The org's overlay for one client, `ai_setup.clients.<id>`, when it is an object (the
    /// `enabled` list is not an overlay).
    pub fn client_overlay(&self, client: &str) -> Option<Map<String, Value>> {
        self.ai_setup
            .as_ref()?
            .clients
            .as_ref()?
            .get(client)?
            .as_object()
            .cloned()
    }

    /// The org layer (`config`), parsed the first time it is asked for.
    pub fn config(&self) -> Option<&Map<String, Value>> {
        self.config
            .get_or_init(|| {
                // `check` saw an object, and the raw value is well-formed JSON.
                let raw = self.config_json.as_ref()?;
                serde_json::from_str(raw.get()).ok()
            })
            .as_ref()
    }

    /// The org's `instructions` entries that are strings: read for that key alone while the
    /// rest of `config` (hundreds of models, say) need not be made into values.
    pub fn instructions(&self) -> Vec<String> {
        if let Some(config) = self.config.get() {
            return crate::discovery::instructions::entries(config.as_ref());
        }
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Listed {
            instructions: Option<Value>,
        }
        let listed: Listed = self
            .config_json
            .as_ref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or_default();
        let config = listed
            .instructions
            .map(|list| Map::from_iter([("instructions".to_string(), list)]));
        crate::discovery::instructions::entries(config.as_ref())
    }

    /// Provider ids and MCP server names of the org config, for reports: read for their
    /// names alone, without making values of the rest.
    pub fn summary(&self) -> (Vec<String>, Vec<String>) {
        // The names alone: each value is skipped, not made into a value.
        type Keys = indexmap::IndexMap<String, serde::de::IgnoredAny>;
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Names {
            provider: Option<Keys>,
            mcp: Option<Keys>,
        }
        if let Some(config) = self.config.get() {
            let keys = |name: &str| -> Vec<String> {
                config
                    .as_ref()
                    .and_then(|c| c.get(name))
                    .and_then(Value::as_object)
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default()
            };
            return (keys("provider"), keys("mcp"));
        }
        let names: Names = self
            .config_json
            .as_ref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or_default();
        let names_of =
            |keys: Option<Keys>| keys.map(|k| k.into_keys().collect()).unwrap_or_default();
        (names_of(names.provider), names_of(names.mcp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_name_the_key() {
        let err = Document::parse(br#"{"auth": {"command": ["a", 3]}}"#, "x").unwrap_err();
        assert!(err.message.contains("'auth.command[1]'"), "{}", err.message);
        let err = Document::parse(br#"{"ai_setup": {"org": {"name": 5}}}"#, "x").unwrap_err();
        assert!(
            err.message.contains("'ai_setup.org.name'"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_keys_are_ignored() {
        let doc = Document::parse(
            br#"{"auth": {"command": ["t"], "env": "T", "future": 1}, "later": {"x": 1}}"#,
            "x",
        )
        .unwrap();
        assert_eq!(doc.auth_env(), Some("T"));
    }

    #[test]
    fn the_config_is_read_when_asked_for_and_must_be_an_object() {
        let doc = Document::parse(
            br#"{"config": {"provider": {"b": {"x": [1]}, "a": {}}, "mcp": {"m": 1}, "model": "a/x"}}"#,
            "x",
        )
        .unwrap();
        let names = (
            vec!["b".to_string(), "a".to_string()],
            vec!["m".to_string()],
        );
        assert_eq!(doc.summary(), names, "read for the names alone");
        assert_eq!(doc.config().unwrap()["model"], "a/x");
        assert_eq!(doc.summary(), names, "the same from the values");
        let doc = Document::parse(br#"{ "config" :  {"mcp": 5} }"#, "x").unwrap();
        assert_eq!(doc.summary(), (vec![], vec![]));
        for bad in [
            &br#"{"config": 5}"#[..],
            br#"{"config": []}"#,
            br#"{"config": "x"}"#,
        ] {
            let err = Document::parse(bad, "x").unwrap_err();
            assert!(err.message.contains("'config'"), "{}", err.message);
        }
        assert!(
            Document::parse(br#"{"config": null}"#, "x")
                .unwrap()
                .config()
                .is_none()
        );
    }

    #[test]
    fn instructions_are_read_alone_or_from_the_values_alike() {
        let raw = br#"{"config": {"provider": {"p": {"models": {"m": {}}}},
            "instructions": ["https://x.example/a.md", 3, "AGENTS.md"]}}"#;
        let doc = Document::parse(raw, "x").unwrap();
        let listed = vec![
            "https://x.example/a.md".to_string(),
            "AGENTS.md".to_string(),
        ];
        assert_eq!(doc.instructions(), listed, "read alone");
        assert!(
            doc.config.get().is_none(),
            "the rest was not made into values"
        );
        assert!(doc.config().is_some());
        assert_eq!(doc.instructions(), listed, "the same from the values");
        let none = Document::parse(br#"{"config": {"instructions": "a.md"}}"#, "x").unwrap();
        assert!(none.instructions().is_empty());
    }

    #[test]
    fn a_key_given_twice_is_named_as_given_twice() {
        for (doc, path) in [
            (
                &br#"{"config": {"model": "a/b"}, "config": {}}"#[..],
                "'config'",
            ),
            (br#"{"auth": {"env": "A", "env": "B"}}"#, "'auth.env'"),
        ] {
            let err = Document::parse(doc, "x").unwrap_err();
            assert!(
                err.message.contains(&format!("has the key {path} twice")),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn empty_command_and_bad_env_are_refused() {
        assert!(Document::parse(br#"{"auth": {"command": []}}"#, "x").is_err());
        assert!(Document::parse(br#"{"auth": {"env": "A B"}}"#, "x").is_err());
        assert!(Document::parse(b"[1]", "x").is_err());
    }
}
