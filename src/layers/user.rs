//! Writing the user's override layer (`~/.config/ai-setup/config.json[c]`), for
//! `ai-setup config set` and the dashboard's "set as my default". The write goes through the
//! lossless JSONC editor, so the user's comments and other keys stay byte for byte.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::load::user_files;
use super::merge::strip_locked;
use crate::discovery::Document;
use crate::edit::Doc;
use crate::edit::jsonc::JsoncDoc;
use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::write::write_file;

/// Sets `key` (dotted) to `value` in the user's override file: the `.jsonc` one when it
/// exists (it wins over `.json`), else `config.json`. A key the org locks is refused, since
/// the override would be ignored. Returns the file written.
pub fn set(
    paths: &Paths,
    document: Option<&Document>,
    key: &str,
    value: &Value,
) -> Result<PathBuf> {
    let path = super::key_path(key);
    if path.iter().any(String::is_empty) {
        return Err(Error::usage(format!("'{key}' is not a key"))
            .hint("keys are dotted paths, for example model or mcp.docs.enabled"));
    }
    let locked = document
        .and_then(|d| d.ai_setup.as_ref())
        .and_then(|e| e.locked.as_ref());
    for lock in locked.into_iter().flatten() {
        let mut probe = Map::new();
        probe.insert(path[0].clone(), nest(&path[1..], value));
        if strip_locked(&mut probe, &super::key_path(lock)).is_some() {
            return Err(Error::usage(format!(
                "the org locks `{lock}`: an override of `{key}` would be ignored"
            ))
            .hint("ask the org's platform team to change it"));
        }
    }
    let files = user_files(paths);
    let target = files
        .iter()
        .rev()
        .find(|p| p.is_file())
        .unwrap_or(&files[0])
        .clone();
    let before = match std::fs::read(&target) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("read", &target, e)),
    };
    let mut doc = JsoncDoc::parse(before.as_deref()).map_err(|e| {
        e.context(paths.display(&target))
            .hint("fix the file, then try again; it was left as it is")
    })?;
    doc.set(&crate::edit::path(&path), value)?;
    write_file(&target, &doc.render(), None)?;
    Ok(target)
}

fn nest(path: &[String], value: &Value) -> Value {
    match path.split_first() {
        None => value.clone(),
        Some((first, rest)) => {
            let mut map = Map::new();
            map.insert(first.clone(), nest(rest, value));
            Value::Object(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_set_keeps_the_users_comments_and_refuses_locked_keys() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under_home(home.path());
        std::fs::create_dir_all(&paths.config_dir).unwrap();
        let jsonc = paths.config_dir.join("config.jsonc");
        std::fs::write(&jsonc, "// mine\n{\n  \"theme\": \"dark\", // keep\n}\n").unwrap();
        let written = set(&paths, None, "model", &json!("openai/gpt-5")).unwrap();
        assert_eq!(written, jsonc);
        let text = std::fs::read_to_string(&jsonc).unwrap();
        assert!(
            text.starts_with("// mine\n{\n  \"theme\": \"dark\", // keep\n"),
            "{text}"
        );
        assert!(text.contains("\"model\": \"openai/gpt-5\""), "{text}");

        let document = Document::parse(
            br#"{"config": {}, "ai_setup": {"locked": ["permission.bash", "model"]}}"#,
            "test",
        )
        .unwrap();
        let err = set(
            &paths,
            Some(&document),
            "permission",
            &json!({"bash": "allow"}),
        )
        .unwrap_err();
        assert!(err.message.contains("permission.bash"), "{}", err.message);
        assert!(set(&paths, Some(&document), "model", &json!("x/y")).is_err());
        assert!(set(&paths, Some(&document), "small_model", &json!("x/y")).is_ok());
    }
}
