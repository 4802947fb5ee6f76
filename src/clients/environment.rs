//! Environment variables for a client that takes its endpoint from nowhere else (GitHub
//! Copilot CLI's `COPILOT_PROVIDER_*`). A program gets them whether a person starts it from a
//! shell or from the desktop, and right after `login` for any shell started from then on:
//!
//! - `~/.config/environment.d/60-ai-setup-CLIENT.conf`, a file ai-setup owns: systemd's user
//!   manager reads it at login (`environment.d(5)`), so that programs a graphical session starts
//!   (an IDE, a launcher, a terminal) have them;
//! - a block in `~/.profile` (created when missing), and in `~/.bashrc` and `~/.zshenv` where
//!   they exist, with the same variables as `export NAME='VALUE'`: a login shell, an interactive
//!   bash and every zsh, wherever the session did not come through systemd (ssh, a container,
//!   macOS).
//!
//! Neither holds a secret: a client here gets a key *command* (the token helper). Both are
//! read by a shell or parsed as one, so a value is written only when it has none of the
//! characters a shell or `environment.d` would read as syntax (quotes, `\`, `$`, a backtick,
//! control characters); an org's URL with one of them is left out and reported.

use std::path::PathBuf;

use serde_json::Value;

use crate::apply::{Desired, Managed};
use crate::edit::{Format, Step, text::WHOLE_FILE};
use crate::paths::Paths;

/// Variables by name, with their values.
pub type Vars = Vec<(&'static str, String)>;

/// How a client's variables are made for an org; `Err` says why they cannot be.
pub type Make = fn(&super::OrgContext) -> Result<Vars, String>;

/// The shell startup files that get the block: `~/.profile` always, the others where they are.
fn shell_files(paths: &Paths) -> Vec<PathBuf> {
    let mut files = vec![paths.home.join(".profile")];
    files.extend(
        [".bashrc", ".zshenv"]
            .iter()
            .map(|name| paths.home.join(name))
            .filter(|path| path.is_file()),
    );
    files
}

/// The files that [`desired`] picks by whether they exist.
pub fn chosen_files(paths: &Paths) -> Vec<PathBuf> {
    shell_files(paths)
}

/// Whether `value` can be written as it is, between quotes, for a shell and for
/// `environment.d`.
pub fn writable(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_control() && !matches!(c, '"' | '\'' | '\\' | '$' | '`'))
}

fn environment_d(paths: &Paths, client: &str) -> PathBuf {
    paths
        .xdg_config
        .join(format!("environment.d/60-ai-setup-{client}.conf"))
}

/// The files that give `vars` to `client`, whose name the comments use; `block` names its
/// block in the shell files (the org's slug). Every value must be [`writable`].
pub fn desired(
    client: &'static str,
    name: &str,
    block: &str,
    vars: &Vars,
    paths: &Paths,
) -> Vec<Desired> {
    debug_assert!(vars.iter().all(|(_, v)| writable(v)));
    let mut conf = format!("# {name}'s endpoint, written by ai-setup (gone at logout --restore)\n");
    let mut exports = String::new();
    for (var, value) in vars {
        conf.push_str(&format!("{var}=\"{value}\"\n"));
        exports.push_str(&format!("export {var}='{value}'\n"));
    }
    let file = |path: PathBuf, format: Format, key: &str, text: String| Desired {
        client,
        path,
        format,
        sensitive: false,
        keys: vec![Managed::setting(vec![Step::from(key)], Value::String(text))],
    };
    let mut files = vec![file(
        environment_d(paths, client),
        Format::Text,
        WHOLE_FILE,
        conf,
    )];
    for path in shell_files(paths) {
        files.push(file(path, Format::Dotenv, block, exports.clone()));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::writable;

    /// A hostile org's base URL cannot run a command in the user's shell.
    #[test]
    fn only_values_a_shell_reads_as_plain_text_are_written() {
        for fine in [
            "https://ai.example.com/anthropic",
            "/home/me/.local/bin/ai-setup-token --org https://ai.example.com",
        ] {
            assert!(writable(fine), "{fine}");
        }
        for hostile in [
            "https://x/'; rm -rf ~; '",
            "https://x/$(id)",
            "https://x/`id`",
            "https://x/\"",
            "https://x/\\",
            "https://x/\nexport PATH=/tmp",
            "",
        ] {
            assert!(!writable(hostile), "{hostile:?}");
        }
    }
}
