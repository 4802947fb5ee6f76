//! The file store: one JSON object, org URL to credential, mode 0600 in a 0700 directory.
//! Written through the one atomic writer so that a crash never leaves half a file.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::write::write_file;

fn load(paths: &Paths) -> Result<Map<String, Value>> {
    let path = paths.credentials_file();
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::failure(format!("{} is not valid JSON: {e}", path.display()))
                .hint("fix or remove the file, then log in again")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
        Err(e) => Err(Error::io("read", &path, e)),
    }
}

fn save(paths: &Paths, map: &Map<String, Value>) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(map).expect("JSON serialises");
    bytes.push(b'\n');
    write_file(&paths.credentials_file(), &bytes, Some(0o600))
}

pub fn get(paths: &Paths, org: &str) -> Result<Option<String>> {
    Ok(load(paths)?.get(org).map(Value::to_string))
}

pub fn set(paths: &Paths, org: &str, text: &str) -> Result<()> {
    let mut map = load(paths)?;
    let value: Value = serde_json::from_str(text).expect("credentials are JSON");
    map.insert(org.to_string(), value);
    save(paths, &map)
}

pub fn delete(paths: &Paths, org: &str) -> Result<bool> {
    let mut map = load(paths)?;
    if map.shift_remove(org).is_none() {
        return Ok(false);
    }
    save(paths, &map)?;
    Ok(true)
}
