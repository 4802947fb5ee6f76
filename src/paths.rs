//! Where files live. Everything derives from `HOME` and the XDG variables, read once at start,
//! so tests (and `ai-setup demo`) can run the whole pipeline against another home without
//! touching the process environment.
//!
//! ai-setup's own files follow the platform convention (the `directories` crate: XDG on Linux).
//! Client files follow each client's own convention, which is not always the platform's:
//! OpenCode uses `~/.config` and `~/.local/share` even on macOS and Windows.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct Paths {
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, or `~/.config` on every platform (for clients that use XDG everywhere).
    pub xdg_config: PathBuf,
    /// `$XDG_DATA_HOME`, or `~/.local/share` on every platform.
    pub xdg_data: PathBuf,
    /// Where desktop applications keep their settings: `~/Library/Application Support` on
    /// macOS, `%APPDATA%` on Windows, the XDG config folder elsewhere (VS Code, Claude Desktop).
    pub app_config: PathBuf,
    /// The documents folder, as Cline finds it (see [`documents_dir`]).
    pub documents: PathBuf,
    /// ai-setup's own directories.
    pub config_dir: PathBuf,
    pub state_dir: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: PathBuf,
    /// Where `ai-setup proxy` listens, and what the clients that use it are given:
    /// [`PROXY_ADDRESS_ENV`], else [`DEFAULT_PROXY_ADDRESS`]; the demo's sandbox has its own.
    pub proxy_address: String,
    /// A sandbox home (the demo's): processes ai-setup starts get its environment.
    pub sandbox: bool,
}

/// The loopback address the proxy listens on unless told otherwise.
pub const DEFAULT_PROXY_ADDRESS: &str = "127.0.0.1:47817";

/// The variable that moves the proxy to another loopback address, for `proxy`, its socket
/// unit, `doctor` and the clients' files alike (a machine where the port is taken; tests).
pub const PROXY_ADDRESS_ENV: &str = "AI_SETUP_PROXY_ADDRESS";

impl Paths {
    /// The paths of the user running the process.
    pub fn from_process() -> Result<Self> {
        let base = directories::BaseDirs::new().ok_or_else(|| {
            Error::failure("cannot find the home directory").hint("set HOME to your home directory")
        })?;
        let home = base.home_dir().to_path_buf();
        let xdg = |var: &str, default: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(default))
        };
        let project = directories::ProjectDirs::from("", "", "ai-setup")
            .ok_or_else(|| Error::failure("cannot find the configuration directories"))?;
        let xdg_config = xdg("XDG_CONFIG_HOME", ".config");
        let app_config = if cfg!(target_os = "macos") {
            home.join("Library/Application Support")
        } else if cfg!(windows) {
            base.config_dir().to_path_buf()
        } else {
            xdg_config.clone()
        };
        let documents = if cfg!(windows) {
            directories::UserDirs::new()
                .and_then(|u| u.document_dir().map(Path::to_path_buf))
                .unwrap_or_else(|| home.join("Documents"))
        } else {
            documents_dir(&home, &xdg_config)
        };
        Ok(Paths {
            app_config,
            documents,
            xdg_config,
            xdg_data: xdg("XDG_DATA_HOME", ".local/share"),
            config_dir: project.config_dir().to_path_buf(),
            state_dir: project
                .state_dir()
                .unwrap_or_else(|| project.data_local_dir())
                .to_path_buf(),
            data_dir: project.data_dir().to_path_buf(),
            cache_dir: project.cache_dir().to_path_buf(),
            home,
            proxy_address: std::env::var(PROXY_ADDRESS_ENV)
                .ok()
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_PROXY_ADDRESS.into()),
            sandbox: false,
        })
    }

    /// A self-contained XDG layout under `home`, whatever the platform: the demo's sandbox
    /// (which also gives its proxy an address of its own).
    pub fn under_home(home: &Path) -> Self {
        Paths {
            home: home.to_path_buf(),
            xdg_config: home.join(".config"),
            xdg_data: home.join(".local/share"),
            app_config: home.join(".config"),
            documents: documents_dir(home, &home.join(".config")),
            config_dir: home.join(".config/ai-setup"),
            state_dir: home.join(".local/state/ai-setup"),
            data_dir: home.join(".local/share/ai-setup"),
            cache_dir: home.join(".cache/ai-setup"),
            proxy_address: DEFAULT_PROXY_ADDRESS.into(),
            sandbox: true,
        }
    }

    /// The environment that makes another ai-setup process use this sandbox's files (the
    /// demo's `env.sh`, and the processes the demo's dashboard starts).
    pub fn sandbox_env(&self) -> [(&'static str, PathBuf); 5] {
        [
            ("HOME", self.home.clone()),
            ("XDG_CONFIG_HOME", self.xdg_config.clone()),
            ("XDG_DATA_HOME", self.xdg_data.clone()),
            ("XDG_STATE_HOME", self.home.join(".local/state")),
            ("XDG_CACHE_HOME", self.home.join(".cache")),
        ]
    }

    pub fn state_file(&self) -> PathBuf {
        self.state_dir.join("state.json")
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.data_dir.join("credentials.json")
    }

    pub fn discovery_cache_dir(&self) -> PathBuf {
        self.cache_dir.join("discovery")
    }

    /// `~/…` for display, so output stays short and does not reveal the user name needlessly.
    pub fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.home) {
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => path.display().to_string(),
        }
    }
}

/// The documents folder as Cline's `getDocumentsPath` finds it, for its global rules and
/// workflows: on Linux, when `xdg-user-dir` is installed, what `xdg-user-dir DOCUMENTS` prints
/// (`XDG_DOCUMENTS_DIR` of `user-dirs.dirs`, else home itself, as that script falls back);
/// otherwise, and on macOS, `~/Documents`.
fn documents_dir(home: &Path, xdg_config: &Path) -> PathBuf {
    if !cfg!(target_os = "linux") || find_program("xdg-user-dir").is_none() {
        return home.join("Documents");
    }
    let dirs = std::fs::read_to_string(xdg_config.join("user-dirs.dirs")).unwrap_or_default();
    documents_in_user_dirs(home, &dirs)
}

/// `XDG_DOCUMENTS_DIR` of a `user-dirs.dirs` (`"$HOME/NAME"` or an absolute path), else home.
fn documents_in_user_dirs(home: &Path, dirs: &str) -> PathBuf {
    let set = dirs.lines().find_map(|line| {
        let value = line.trim().strip_prefix("XDG_DOCUMENTS_DIR=")?;
        Some(value.trim().trim_matches('"').to_string())
    });
    match set {
        Some(value) if value.starts_with("$HOME") => {
            home.join(value["$HOME".len()..].trim_start_matches('/'))
        }
        Some(value) if value.starts_with('/') => PathBuf::from(value),
        _ => home.to_path_buf(),
    }
}

/// The first executable called `name` on PATH.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file() || path.with_extension("cmd").is_file()
}

/// A file name made from `text`: the hex of the first `bytes` bytes of its sha256 (org URLs as
/// cache, lock and stamp names; the names on disk must never change).
pub fn name_for(text: &str, bytes: usize) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())[..bytes]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_from_text_stay_what_they_were() {
        // sha256("x") = 2d711642b726b044 01627ca9…: caches, locks and stamps on disk are
        // named so.
        assert_eq!(super::name_for("x", 8), "2d711642b726b044");
        assert_eq!(super::name_for("x", 12), "2d711642b726b04401627ca9");
    }

    /// What `xdg-user-dir DOCUMENTS` prints for each `user-dirs.dirs`.
    #[test]
    fn the_documents_folder_is_read_as_xdg_user_dir_reads_it() {
        let home = std::path::Path::new("/home/dev");
        let of = |text: &str| super::documents_in_user_dirs(home, text);
        assert_eq!(
            of(
                "# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Desktop\"\nXDG_DOCUMENTS_DIR=\"$HOME/Dokumente\"\n"
            ),
            home.join("Dokumente")
        );
        assert_eq!(
            of("XDG_DOCUMENTS_DIR=\"/data/docs\""),
            std::path::PathBuf::from("/data/docs")
        );
        // Unset, or set to home itself ("disabled"): home.
        assert_eq!(of("XDG_MUSIC_DIR=\"$HOME/Music\"\n"), home);
        assert_eq!(of("XDG_DOCUMENTS_DIR=\"$HOME/\"\n"), home);
        assert_eq!(of(""), home);
    }
}
