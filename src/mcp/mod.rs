//! Just-in-time tokens for MCP servers (DESIGN principle 1): no client file holds a token.
//!
//! - [`bridge`]: `ai-setup mcp bridge NAME` is a stdio MCP server that forwards to the org's
//!   remote server `mcp.NAME` over Streamable HTTP (or legacy SSE), with the current token.
//!   Every client that can run a stdio server gets the org's remote servers this way.
//! - [`exec`]: `ai-setup exec NAME` runs the org's local server `mcp.NAME` with the token in the
//!   environment variable its config names.
//!
//! Both read the server's definition from the resolved configuration (the org's last fetched
//! document under the user's layers), so they start without touching the network.

pub mod bridge;
pub mod exec;
pub mod sse;

use serde_json::{Map, Value};
use url::Url;

use crate::engine::org::Org;
use crate::error::{Error, Result};
use crate::layers::Grants;
use crate::layers::{approval, guard};
use crate::paths::Paths;
use crate::state::Pinned;

/// An MCP server of the resolved configuration, in OpenCode's terms.
#[derive(Debug, Clone)]
pub enum Server {
    Local {
        command: Vec<String>,
        environment: Map<String, Value>,
    },
    Remote {
        url: Url,
        headers: Map<String, Value>,
    },
}

/// What a bridge or exec needs: the org, its token variable, what the user grants
/// placeholders, and the server.
pub struct Resolved {
    pub org: String,
    /// For a local server that needs approval, what the configuration asks to run, pinned.
    pub needs_approval: Option<Pinned>,
    pub auth_env: Option<String>,
    pub grants: Grants,
    pub server: Server,
}

/// The server `name` as the resolved configuration has it, unless the guard refuses it (a
/// URL that would carry the token in clear, a placeholder the user did not grant): then it is
/// not started, whatever a client's file says.
pub fn resolve(name: &str, org: Option<&str>, paths: &Paths) -> Result<Resolved> {
    let opened = Org::open(paths, org)?;
    let stack = opened.layers(paths, None, &[])?;
    let grants = stack.grants().clone();
    let needs_approval = approval::executables(&stack)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, pinned)| pinned);
    let config = stack.into_resolved();
    let org = opened.key;
    let document = opened.document;
    let entry = format!("mcp.{name}");
    if let Some(refusal) = guard::check(&config, document.auth_env(), &grants)
        .into_iter()
        .find(|r| r.entry == entry)
    {
        return Err(
            Error::failure(format!("refusing to start {entry}: {}", refusal.reason))
                .hint(refusal.hint),
        );
    }
    let entry = config
        .get("mcp")
        .and_then(|m| m.get(name))
        .and_then(Value::as_object)
        .ok_or_else(|| {
            let known: Vec<&String> = config
                .get("mcp")
                .and_then(Value::as_object)
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            Error::usage(format!(
                "no MCP server '{name}' in the configuration of {org}"
            ))
            .hint(format!(
                "known servers: {}",
                known
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let field = |key: &str| entry.get(key);
    let server = match field("type").and_then(Value::as_str) {
        Some("remote") => {
            let raw = field("url").and_then(Value::as_str).ok_or_else(|| {
                Error::usage(format!("MCP server '{name}' is remote but has no url"))
            })?;
            let url = Url::parse(raw)
                .map_err(|e| Error::usage(format!("MCP server '{name}': bad url {raw}: {e}")))?;
            crate::http::check_url(&url)?;
            Server::Remote {
                url,
                headers: object(field("headers")),
            }
        }
        Some("local") => {
            let command: Vec<String> = field("command")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .filter(|c: &Vec<String>| !c.is_empty())
                .ok_or_else(|| {
                    Error::usage(format!("MCP server '{name}' is local but has no command"))
                })?;
            Server::Local {
                command,
                environment: object(field("environment")),
            }
        }
        other => {
            return Err(Error::usage(format!(
                "MCP server '{name}' has type {other:?}; expected \"local\" or \"remote\""
            )));
        }
    };
    Ok(Resolved {
        org,
        needs_approval,
        auth_env: document.auth_env().map(String::from),
        grants,
        server,
    })
}

fn object(value: Option<&Value>) -> Map<String, Value> {
    value
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Fills OpenCode's `{env:VAR}` placeholders: the org's token variable with `token`, a
/// variable the user `granted` with the process environment (empty when unset, as OpenCode
/// does), and any other with nothing (the guard refuses such a server before it starts).
pub fn fill_env(text: &str, auth_env: Option<&str>, granted: &[String], token: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{env:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 5..];
        match after.find('}') {
            Some(end) => {
                let var = &after[..end];
                if Some(var) == auth_env {
                    out.push_str(token);
                } else if granted.iter().any(|g| g == var) {
                    out.push_str(&std::env::var(var).unwrap_or_default());
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_the_token_and_granted_variables_only() {
        let home = std::env::var("HOME").expect("tests run with HOME set");
        assert_eq!(fill_env("<{env:HOME}>", Some("T"), &[], "t"), "<>");
        assert_eq!(
            fill_env("<{env:HOME}>", Some("T"), &["HOME".into()], "t"),
            format!("<{home}>")
        );
        assert_eq!(
            fill_env("Bearer {env:ORG_TOKEN}", Some("ORG_TOKEN"), &[], "t0k"),
            "Bearer t0k"
        );
        assert_eq!(
            fill_env(
                "{env:AI_SETUP_SURELY_UNSET_X}-x",
                Some("T"),
                &["AI_SETUP_SURELY_UNSET_X".into()],
                "t"
            ),
            "-x"
        );
        assert_eq!(
            fill_env("no {env:unclosed", Some("T"), &[], "t"),
            "no {env:unclosed"
        );
    }
}
