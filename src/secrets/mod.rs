//! Where the org token lives: the OS keyring, or a 0600 file.
//!
//! The keyring is the default. The file is used when the user chose it
//! (`--credential-store file`, for containers and CI) or, with `auto`, when no keyring can be
//! used: then the user is told before anything is written, and `status` always says which store
//! holds the token. There is no silent in-memory store (keyring's mock) and no silent fallback,
//! which is what gh's users complain about most.

pub(crate) mod file;
mod keyring_store;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::paths::Paths;

/// A token or other secret. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`, and keeps it out of every log line from now on.
    pub fn new(value: String) -> Self {
        crate::logging::register_secret(&value);
        Secret(value)
    }
    /// The secret itself: only for the credential store, HTTP headers and `ai-setup token`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// What is stored per org. Serialised as JSON in either store.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Credential {
    #[serde(with = "secret_string")]
    pub token: Secret,
    /// OpenID Connect refresh token, rotated on every refresh.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_secret"
    )]
    pub refresh_token: Option<Secret>,
    /// A service account's client secret, to obtain a new token when the old one runs out.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_secret"
    )]
    pub client_secret: Option<Secret>,
}

mod optional_secret {
    use super::Secret;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(s: &Option<Secret>, ser: S) -> Result<S::Ok, S::Error> {
        match s {
            Some(s) => ser.serialize_some(s.expose()),
            None => ser.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Secret>, D::Error> {
        Option::<String>::deserialize(de).map(|o| o.map(Secret::new))
    }
}

mod secret_string {
    use super::Secret;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(s: &Secret, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Secret, D::Error> {
        String::deserialize(de).map(Secret::new)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager).
    Keyring,
    /// A file readable by you alone (mode 0600).
    File,
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreKind::Keyring => "keyring",
            StoreKind::File => "file",
        })
    }
}

/// What the user asked for with `--credential-store`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreChoice {
    /// The keyring, or the file with a warning when no keyring can be used.
    Auto,
    /// The OS keyring, or an error.
    Keyring,
    /// A file readable by you alone (mode 0600): containers and CI.
    File,
}

impl From<StoreKind> for StoreChoice {
    fn from(kind: StoreKind) -> Self {
        match kind {
            StoreKind::Keyring => StoreChoice::Keyring,
            StoreKind::File => StoreChoice::File,
        }
    }
}

/// An open credential store.
pub struct Store<'a> {
    pub kind: StoreKind,
    paths: &'a Paths,
}

impl<'a> Store<'a> {
    pub fn open(kind: StoreKind, paths: &'a Paths) -> Self {
        Store { kind, paths }
    }

    /// A description for `status`: "keyring (Secret Service)" or the file's path.
    pub fn describe(&self) -> String {
        match self.kind {
            StoreKind::Keyring => format!("keyring ({})", keyring_store::backend_name()),
            StoreKind::File => format!(
                "file {} (mode 0600)",
                self.paths.display(&self.paths.credentials_file())
            ),
        }
    }

    pub fn get(&self, org: &str) -> Result<Option<Credential>> {
        tracing::debug!(store = %self.kind, org, "reading the credential");
        let raw = match self.kind {
            StoreKind::Keyring => keyring_store::get(org)?,
            StoreKind::File => file::get(self.paths, org)?,
        };
        raw.map(|text| {
            serde_json::from_str(&text).map_err(|_| {
                Error::failure(format!("the stored credential for {org} is corrupt"))
                    .hint(format!("run `ai-setup login {org}` again"))
            })
        })
        .transpose()
    }

    pub fn set(&self, org: &str, credential: &Credential) -> Result<()> {
        let text = serde_json::to_string(credential).expect("a credential serialises");
        tracing::info!(store = %self.kind, org, "storing the credential");
        match self.kind {
            StoreKind::Keyring => keyring_store::set(org, &text),
            StoreKind::File => file::set(self.paths, org, &text),
        }
    }

    /// Removes the org's credential; true when there was one.
    pub fn delete(&self, org: &str) -> Result<bool> {
        match self.kind {
            StoreKind::Keyring => keyring_store::delete(org),
            StoreKind::File => file::delete(self.paths, org),
        }
    }
}

/// Stores `credential` as the user chose. With `auto`, a keyring failure leads to the file store
/// and `warn` is called with the reason before the file is written. Returns the store used.
pub fn store_new<'a>(
    choice: StoreChoice,
    paths: &'a Paths,
    org: &str,
    credential: &Credential,
    warn: &mut dyn FnMut(String),
) -> Result<Store<'a>> {
    match choice {
        StoreChoice::File => {
            let store = Store::open(StoreKind::File, paths);
            store.set(org, credential)?;
            Ok(store)
        }
        StoreChoice::Keyring => {
            let store = Store::open(StoreKind::Keyring, paths);
            store.set(org, credential)?;
            Ok(store)
        }
        StoreChoice::Auto => {
            let keyring = Store::open(StoreKind::Keyring, paths);
            match keyring.set(org, credential) {
                Ok(()) => Ok(keyring),
                Err(err) => {
                    let file = Store::open(StoreKind::File, paths);
                    warn(format!(
                        "no usable OS keyring ({}); storing the token in {} instead, readable by you alone. \
                         Pass --credential-store file to choose this without the warning, or --credential-store keyring to require the keyring.",
                        err.message,
                        paths.display(&paths.credentials_file())
                    ));
                    file.set(org, credential)?;
                    Ok(file)
                }
            }
        }
    }
}

/// The machine's local secret, the key that clients send `ai-setup proxy` (see
/// `crate::proxy`): created (0600) when first asked for, removed at logout.
pub mod local_secret {
    use super::Secret;
    use crate::error::{Error, Result};
    use crate::paths::Paths;

    /// Where it is kept (0600), for a client that reads it there itself (Crush's plugin).
    pub fn file(paths: &Paths) -> std::path::PathBuf {
        paths.state_dir.join("proxy-secret")
    }

    /// The secret, if there is one.
    pub fn read(paths: &Paths) -> Option<Secret> {
        let text = std::fs::read_to_string(file(paths)).ok()?;
        let text = text.trim();
        (!text.is_empty()).then(|| Secret::new(text.into()))
    }

    /// The secret, made now if there is none.
    pub fn get_or_create(paths: &Paths) -> Result<Secret> {
        match read(paths) {
            Some(secret) => Ok(secret),
            None => create(paths),
        }
    }

    /// A new secret, replacing any there was.
    pub fn create(paths: &Paths) -> Result<Secret> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::failure(format!("no randomness for the local secret: {e}")))?;
        let secret = format!(
            "{}{}",
            crate::logging::LOCAL_SECRET_PREFIX,
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
        );
        crate::write::write_file(&file(paths), secret.as_bytes(), Some(0o600))?;
        Ok(Secret::new(secret))
    }

    /// Forgets the secret, so that the next one is new (logout).
    pub fn rotate(paths: &Paths) -> Result<()> {
        match std::fs::remove_file(file(paths)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("remove", &file(paths), e)),
        }
    }
}
