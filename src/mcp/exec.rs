//! `ai-setup exec NAME`: runs the org's local MCP server `mcp.NAME` with `{env:…}` placeholders
//! in its `environment` (and arguments) filled, the org's token among them, so that the client's
//! file names `ai-setup exec NAME` and holds no token. On Unix the server replaces this process:
//! stdin, stdout and signals are the client's own. A server the org (or a project file)
//! defines runs only as the user approved it (see [`crate::layers::approval`]): the approved
//! version while a change waits for approval, nothing when it was never approved.

use std::process::Command;

use super::{Server, fill_env, resolve};
use crate::auth::current_token;
use crate::error::{Error, Finished, Result};
use crate::output::shell_words;
use crate::paths::Paths;
use crate::state::State;

pub fn run(name: &str, org: Option<&str>, paths: &Paths) -> Result<Finished> {
    let resolved = resolve(name, org, paths)?;
    let Server::Local {
        command,
        environment,
    } = resolved.server
    else {
        return Err(Error::usage(format!(
            "MCP server '{name}' is a remote server, not a local one"
        ))
        .hint(format!("connect to it with `ai-setup mcp bridge {name}`")));
    };
    let mut environment: Vec<(String, String)> = environment
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect();
    let mut command = command;
    if let Some(wants) = &resolved.needs_approval {
        let state = State::load(paths)?;
        match state.approved(&resolved.org).and_then(|a| a.get(name)) {
            Some(approved) if approved.sha256 == wants.sha256 => {}
            Some(approved) => {
                eprintln!(
                    "ai-setup: mcp.{name} asks to run something else now; running the version \
                     you approved (run `ai-setup approve` to review the change)"
                );
                command = approved.command.clone();
                environment = approved.environment.clone().into_iter().collect();
            }
            None => {
                return Err(Error::failure(format!(
                    "mcp.{name} runs a program you have not approved: {}",
                    shell_words(&wants.command)
                ))
                .hint("run `ai-setup approve` to review it"));
            }
        }
    }
    if command.is_empty() {
        return Err(Error::usage(format!("MCP server '{name}' has no command")));
    }
    let token = current_token(&resolved.org, paths)?;
    let fill = |s: &str| {
        fill_env(
            s,
            resolved.auth_env.as_deref(),
            &resolved.grants.env,
            token.expose(),
        )
    };
    let mut cmd = Command::new(fill(&command[0]));
    cmd.args(command[1..].iter().map(|a| fill(a)));
    for (key, value) in &environment {
        cmd.env(key, fill(value));
    }
    let not_started = |e: std::io::Error| {
        Error::failure(format!(
            "cannot start MCP server '{name}' ({}): {e}",
            command[0]
        ))
        .hint("install what the org's configuration runs, or ask your platform team")
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        Err(not_started(cmd.exec()))
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().map_err(not_started)?;
        Ok(Finished::Child(
            status.code().unwrap_or(1).clamp(0, 255) as u8
        ))
    }
}
