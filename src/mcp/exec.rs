//! `ai-setup exec NAME`: runs the org's local MCP server `mcp.NAME` with `{env:…}` placeholders
//! in its `environment` (and arguments) filled, the org's token among them, so that the client's
//! file names `ai-setup exec NAME` and holds no token. On Unix the server replaces this process:
//! stdin, stdout and signals are the client's own.

use std::process::Command;

use super::{Server, fill_env, resolve};
use crate::auth::current_token;
use crate::error::{Error, Finished, Result};
use crate::paths::Paths;

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
        if let Some(text) = value.as_str() {
            cmd.env(key, fill(text));
        }
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
