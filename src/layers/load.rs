//! Finding and reading each layer. Override files are JSON or JSONC in OpenCode's config format;
//! a file that does not parse is an error that names the file and position, never an empty
//! layer (which would silently drop the user's settings).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::trust::{self, Verdict};
use super::{Ignored, Layer, Source, Stack};
use crate::discovery::Document;
use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::state::State;

const DEFAULTS: &str = include_str!("../../assets/defaults.json");
pub const ENV_LAYER: &str = "AI_SETUP_CONFIG_CONTENT";
const OVERRIDE_NAMES: [&str; 2] = ["config.json", "config.jsonc"];
const PROJECT_NAMES: [&str; 2] = [".ai-setup.json", ".ai-setup.jsonc"];

pub struct LoadOptions<'a> {
    /// The org's document, when known (for `config`, the cached copy).
    pub document: Option<&'a Document>,
    /// The org URL, for the org layers' origin.
    pub org: Option<&'a str>,
    /// The client whose org overlay applies.
    pub client: Option<&'a str>,
    /// Where to look for project files, upward.
    pub cwd: &'a Path,
    /// `--set KEY=VALUE` pairs.
    pub sets: &'a [String],
}

/// Loads every layer that exists.
pub fn load(paths: &Paths, options: &LoadOptions) -> Result<Stack> {
    let mut stack = Stack::default();
    stack.add(Layer {
        source: Source::Default,
        origin: "built-in".into(),
        value: parse_object(DEFAULTS, "built-in defaults")?,
    });
    if let Some(doc) = options.document {
        let origin = options.org.unwrap_or("org").to_string();
        stack.add(Layer {
            source: Source::Org,
            origin: format!("{origin}/.well-known/opencode"),
            value: doc.config().cloned().unwrap_or_default(),
        });
        if let Some(overlay) = options.client.and_then(|c| doc.client_overlay(c)) {
            stack.add(Layer {
                source: Source::OrgClient,
                origin: format!(
                    "{origin}/.well-known/opencode (ai_setup.clients.{})",
                    options.client.unwrap_or_default()
                ),
                value: overlay,
            });
        }
        if let Some(locked) = doc.ai_setup.as_ref().and_then(|e| e.locked.as_ref()) {
            stack.lock(locked);
        }
    }
    for path in user_files(paths).into_iter().filter(|p| p.is_file()) {
        stack.add(file_layer(Source::User, &path)?);
    }
    let found = project_files(options.cwd);
    if !found.is_empty() {
        let trusted = State::load(paths)?.trusted_projects;
        for path in found {
            let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
            match trust::verdict(&path, &bytes, &trusted) {
                Verdict::Trusted => stack.add(bytes_layer(Source::Project, &path, &bytes)?),
                Verdict::Ignored(reason) => stack.ignore(Ignored {
                    key: String::new(),
                    source: Source::Project,
                    origin: path.display().to_string(),
                    reason,
                }),
            }
        }
    }
    if let Ok(text) = std::env::var(ENV_LAYER)
        && !text.trim().is_empty()
    {
        stack.add(Layer {
            source: Source::Env,
            origin: ENV_LAYER.into(),
            value: parse_object(&text, ENV_LAYER)?,
        });
    }
    if !options.sets.is_empty() {
        stack.add(Layer {
            source: Source::Cli,
            origin: "--set".into(),
            value: parse_sets(options.sets)?,
        });
    }
    Ok(stack)
}

/// Feeds what [`load`] reads besides the org's document into `out`: each user and project
/// file that exists (path and bytes, and for a project file whether it is trusted), the
/// environment layer and `sets`. Equal digests mean equal stacks, for the same document.
pub fn digest(paths: &Paths, cwd: &Path, sets: &[String], field: &mut impl FnMut(&[u8])) {
    let projects = project_files(cwd);
    let trusted = match projects.is_empty() {
        true => Default::default(),
        false => State::load(paths)
            .map(|s| s.trusted_projects)
            .unwrap_or_default(),
    };
    let files = user_files(paths).into_iter().filter(|p| p.is_file());
    for (path, project) in files
        .map(|p| (p, false))
        .chain(projects.into_iter().map(|p| (p, true)))
    {
        field(path.as_os_str().as_encoded_bytes());
        // An unreadable file fails `load` itself; here it only has to differ from a readable one.
        let bytes = std::fs::read(&path).unwrap_or_default();
        // A project file not used is the same whatever it holds, but not whatever the reason.
        if project {
            let verdict = trust::verdict(&path, &bytes, &trusted);
            field(format!("{verdict:?}").as_bytes());
            if verdict != Verdict::Trusted {
                continue;
            }
        }
        field(&bytes);
    }
    field(
        std::env::var_os(ENV_LAYER)
            .unwrap_or_default()
            .as_encoded_bytes(),
    );
    for set in sets {
        field(set.as_bytes());
    }
}

/// The user's override files, `.json` before `.jsonc` (the later wins, as in OpenCode).
pub fn user_files(paths: &Paths) -> Vec<PathBuf> {
    OVERRIDE_NAMES
        .iter()
        .map(|n| paths.config_dir.join(n))
        .collect()
}

/// Project files from the farthest directory to the nearest, so the nearest wins (each a layer
/// only when trusted, see [`trust`]).
pub fn project_files(cwd: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = cwd
        .ancestors()
        .flat_map(|dir| PROJECT_NAMES.iter().rev().map(move |n| dir.join(n)))
        .filter(|p| p.is_file())
        .collect();
    found.reverse();
    found
}

/// The project files in `dir` itself.
pub fn project_files_in(dir: &Path) -> Vec<PathBuf> {
    PROJECT_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect()
}

fn file_layer(source: Source, path: &Path) -> Result<Layer> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    bytes_layer(source, path, &bytes)
}

fn bytes_layer(source: Source, path: &Path, bytes: &[u8]) -> Result<Layer> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::failure(format!("{} is not UTF-8 text", path.display()))
            .hint(format!("fix {}; nothing was changed", path.display()))
    })?;
    Ok(Layer {
        source,
        origin: path.display().to_string(),
        value: parse_object(text, &path.display().to_string())?,
    })
}

/// Parses JSON or JSONC text that must hold an object (empty text is an empty object).
pub fn parse_object(text: &str, origin: &str) -> Result<Map<String, Value>> {
    let value: Option<Value> =
        jsonc_parser::parse_to_serde_value(text, &jsonc_parser::ParseOptions::default()).map_err(
            |e| {
                Error::failure(format!("{origin} does not parse: {e}"))
                    .hint(format!("fix {origin}; nothing was changed"))
            },
        )?;
    if let Some(key) = crate::discovery::schema::duplicate_key(text) {
        return Err(
            Error::failure(format!("{origin} has the key '{key}' twice"))
                .hint(format!("keep one of them in {origin}; nothing was changed")),
        );
    }
    match value {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(Error::failure(format!("{origin} must hold a JSON object"))),
    }
}

/// `KEY=VALUE` pairs into one object; the value is JSON when it parses as JSON, else a string.
fn parse_sets(sets: &[String]) -> Result<Map<String, Value>> {
    let mut layer = Map::new();
    for set in sets {
        let (key, raw) = set.split_once('=').ok_or_else(|| {
            Error::usage(format!("--set {set}: expected KEY=VALUE"))
                .hint("for example --set model=anthropic/claude-sonnet-4-5")
        })?;
        let path = super::key_path(key.trim());
        if path.iter().any(String::is_empty) {
            return Err(Error::usage(format!("--set {set}: '{key}' is not a key")));
        }
        let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
        let (last, parents) = path.split_last().expect("non-empty");
        let mut map = &mut layer;
        for part in parents {
            let entry = map
                .entry(part.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            map = entry.as_object_mut().expect("made an object");
        }
        map.insert(last.clone(), value);
    }
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sets_build_nested_objects_and_parse_json_values() {
        let sets = [
            "model=anthropic/x".to_string(),
            "permission.bash=\"deny\"".to_string(),
            "mcp.docs.enabled=false".to_string(),
        ];
        assert_eq!(
            Value::Object(parse_sets(&sets).unwrap()),
            json!({"model": "anthropic/x", "permission": {"bash": "deny"}, "mcp": {"docs": {"enabled": false}}})
        );
        assert!(parse_sets(&["novalue".to_string()]).is_err());
    }

    #[test]
    fn jsonc_with_comments_and_trailing_commas_parses() {
        let map = parse_object("// mine\n{ \"model\": \"a\", /* x */ }\n", "f").unwrap();
        assert_eq!(map["model"], "a");
        let err = parse_object("{ \"model\": }", "f.jsonc").unwrap_err();
        assert!(
            err.message.starts_with("f.jsonc does not parse"),
            "{}",
            err.message
        );
    }
}
