//! `ai-setup generate DIR` (hidden): the shell completions (bash, zsh, fish, PowerShell) and
//! the man pages (one for `ai-setup`, one per command, as git has), generated from the clap
//! definitions so that they cannot say anything the program does not. `dist/` holds the
//! committed output; a test regenerates it and fails when it differs.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::{Error, Finished, Result};
use crate::output::Output;

/// The bash completion. clap_complete's bash script never completes a subcommand's options
/// when the program's name has a hyphen (clap-rs/clap#6421: its dispatch loop and its case
/// labels escape the hyphen differently), so it is generated for `ai_setup` and registered
/// for `ai-setup`.
fn bash(dir: &Path) -> Result<std::path::PathBuf> {
    let mut command = Cli::command().name("ai_setup");
    let mut script = Vec::new();
    clap_complete::generate(Shell::Bash, &mut command, "ai_setup", &mut script);
    let script = String::from_utf8_lossy(&script).replace(" ai_setup\n", " ai-setup\n");
    let path = dir.join("ai-setup.bash");
    std::fs::write(&path, script).map_err(|e| Error::io("write", &path, e))?;
    Ok(path)
}

pub fn run(dir: &Path, out: &mut Output) -> Result<Finished> {
    let completions = dir.join("completions");
    let man = dir.join("man");
    for folder in [&completions, &man] {
        std::fs::create_dir_all(folder).map_err(|e| Error::io("create", folder, e))?;
    }
    let mut written = Vec::new();
    for shell in [Shell::Zsh, Shell::Fish, Shell::PowerShell] {
        let path = clap_complete::generate_to(shell, &mut Cli::command(), "ai-setup", &completions)
            .map_err(|e| Error::io("write completions into", &completions, e))?;
        written.push(path);
    }
    written.push(bash(&completions)?);
    // The build line of --version changes with every commit: the pages show the version alone.
    let mut command = Cli::command().long_version(None::<&str>);
    command.build();
    let mut pages = vec![("ai-setup".to_string(), command.clone())];
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("ai-setup-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let mut text = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut text)
            .map_err(|e| Error::failure(format!("cannot render the man page {name}: {e}")))?;
        let path = man.join(format!("{name}.1"));
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
        written.push(path);
    }
    out.result(
        serde_json::json!({ "written": written }),
        &written
            .iter()
            .map(|p| format!("{}\n", p.display()))
            .collect::<String>(),
    );
    Ok(Finished::Done)
}
