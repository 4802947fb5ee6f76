//! The dashboard's background work: each [`Effect`] runs on a thread of its own, calls the
//! same library functions as the commands (`status`, `clients`, `models`, `usage`, `sync`),
//! and ends in one [`Action`]. Nothing here draws; nothing here can freeze a frame.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::app::{Action, Effect, McpServer, ModelsData, Probe};
use crate::api::catalog::{self, Catalog};
use crate::api::usage::{Range, today};
use crate::api::{self, Endpoint};
use crate::engine::inspect;
use crate::engine::org::Org;
use crate::engine::sync::{self, Mode, Request};
use crate::error::{Error, Result};
use crate::layers;
use crate::output::Output;
use crate::paths::Paths;

/// How long a probe of an MCP server may take, start to tool list.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// What the background work needs to know.
#[derive(Debug, Clone)]
pub struct Context {
    pub paths: Paths,
    /// The org asked for, or the remembered one.
    pub org: Option<String>,
    /// Set for the processes it starts (the demo's sandbox), besides the inherited ones.
    pub child_env: Vec<(&'static str, PathBuf)>,
}

/// Starts `effect` on its own thread; its action arrives through `send`.
pub fn spawn(effect: Effect, context: &Context, send: impl Fn(Action) + Send + 'static) {
    let context = context.clone();
    std::thread::spawn(move || send(perform(effect, &context)));
}

/// Does the work of one effect (blocking).
pub fn perform(effect: Effect, ctx: &Context) -> Action {
    let org = ctx.org.as_deref();
    match effect {
        Effect::LoadOverview => {
            Action::OverviewLoaded(inspect::status(&ctx.paths, org, &mut |_| {}))
        }
        Effect::LoadClients => Action::ClientsLoaded(
            inspect::clients(&ctx.paths, org, true, &mut quiet()).map(|(_, rows)| rows),
        ),
        Effect::LoadModels => Action::ModelsLoaded(models(ctx)),
        Effect::LoadUsage(days) => Action::UsageLoaded(days, usage(ctx, days)),
        Effect::LoadMcp => Action::McpLoaded(mcp_servers(ctx)),
        Effect::Probe(name) => {
            let result = probe(ctx, &name);
            Action::Probed(name, result)
        }
        Effect::Apply(client) => Action::Done(sync(ctx, client.map(str::to_string))),
        Effect::SetDefault(model) => Action::Done(set_default(ctx, &model)),
    }
}

/// Output that prints nothing: the terminal belongs to the dashboard.
fn quiet() -> Output {
    Output::capturing()
}

fn models(ctx: &Context) -> Result<Option<ModelsData>> {
    let snapshot = Catalog::snapshot()?;
    let org = match Org::open(&ctx.paths, ctx.org.as_deref()) {
        Ok(org) => org,
        // Logged out: the catalog alone.
        Err(_) => {
            return Ok(Some(ModelsData {
                rows: catalog::whole(snapshot, None),
                org: None,
                source: None,
                warning: None,
            }));
        }
    };
    let (offered, problem) = api::org_models(&org, &ctx.paths, &snapshot)?;
    Ok(Some(ModelsData {
        rows: catalog::whole(snapshot, Some(&offered)),
        org: Some(org.name),
        source: Some(offered.source),
        warning: problem.map(|e| format!("models endpoint: {}", e.message)),
    }))
}

fn usage(ctx: &Context, days: u32) -> Result<Result<crate::api::usage::Report, String>> {
    let org = Org::open(&ctx.paths, ctx.org.as_deref())?;
    let Some(url) = org.endpoint(Endpoint::Usage)? else {
        return Ok(Err(format!(
            "{} publishes no usage endpoint, so there is no usage to show. The org's platform \
             team can add `ai_setup.endpoints.usage` to its discovery document.",
            org.name
        )));
    };
    let token = crate::auth::current_token(&org.key, &ctx.paths)?;
    let range = Range::last(days, today());
    crate::runtime()?
        .block_on(api::fetch_usage(&url, &token, range))
        .map(Ok)
}

fn mcp_servers(ctx: &Context) -> Result<Vec<McpServer>> {
    let org = Org::open(&ctx.paths, ctx.org.as_deref())?;
    let config = org.config(&ctx.paths)?;
    let servers = config.get("mcp").and_then(Value::as_object);
    Ok(servers
        .into_iter()
        .flatten()
        .map(|(name, spec)| {
            let remote = spec.get("type").and_then(Value::as_str) == Some("remote");
            let target = if remote {
                spec.get("url")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            } else {
                spec.get("command")
                    .and_then(Value::as_array)
                    .map(|parts| {
                        parts
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default()
            };
            McpServer {
                name: name.clone(),
                remote,
                target,
                enabled: spec.get("enabled") != Some(&Value::Bool(false)),
                probe: Probe::Idle,
            }
        })
        .collect())
}

/// Starts the server the way clients do (`ai-setup mcp bridge NAME` or `ai-setup exec NAME`),
/// initialises an MCP session over stdio and lists the tools. Returns the tool names and the
/// time it took.
fn probe(ctx: &Context, name: &str) -> Result<(Vec<String>, u64), String> {
    let org = Org::open(&ctx.paths, ctx.org.as_deref()).map_err(|e| e.message)?;
    let config = org.config(&ctx.paths).map_err(|e| e.message)?;
    let remote = config
        .get("mcp")
        .and_then(|m| m.get(name))
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        == Some("remote");
    let program = std::env::current_exe().map_err(|e| format!("cannot find ai-setup: {e}"))?;
    let mut command = Command::new(program);
    if remote {
        command.args(["mcp", "bridge", name]);
    } else {
        command.args(["exec", name]);
    }
    command
        .args(["--org", &org.key])
        .envs(
            ctx.child_env
                .iter()
                .map(|(k, v)| (*k, v.as_os_str().to_owned())),
        )
        .envs(crate::http::trust_env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start ai-setup: {e}"))?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        return Err("cannot talk to the server".into());
    };
    let (lines, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr)
            .lines()
            .map_while(|l| l.ok())
            .take(20)
        {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let deadline = started + PROBE_TIMEOUT;
    let mut ask = |message: Value, id: Option<i64>| -> Result<Option<Value>, String> {
        writeln!(stdin, "{message}").map_err(|_| "the server closed its input".to_string())?;
        let Some(id) = id else { return Ok(None) };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = receive.recv_timeout(left).map_err(|e| match e {
                mpsc::RecvTimeoutError::Timeout => {
                    format!("no answer within {}s", PROBE_TIMEOUT.as_secs())
                }
                mpsc::RecvTimeoutError::Disconnected => "the server exited".to_string(),
            })?;
            let Ok(reply) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if reply.get("id") == Some(&json!(id)) {
                if let Some(error) = reply.get("error") {
                    let message = error
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("error");
                    return Err(message.to_string());
                }
                return Ok(reply.get("result").cloned());
            }
        }
    };
    let result = (|| {
        ask(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "ai-setup-dashboard", "version": env!("CARGO_PKG_VERSION")}
            }}),
            Some(1),
        )?;
        ask(
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            None,
        )?;
        let tools = ask(
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}),
            Some(2),
        )?;
        Ok(tools
            .as_ref()
            .and_then(|t| t.get("tools"))
            .and_then(Value::as_array)
            .map(|tools| {
                tools
                    .iter()
                    .filter_map(|t| t.get("name").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default())
    })();
    let millis = started.elapsed().as_millis() as u64;
    let _ = child.kill();
    let _ = child.wait();
    let stderr = errors.join().unwrap_or_default();
    match result {
        Ok(tools) => Ok((tools, millis)),
        Err(message) => Err(match stderr.lines().find(|l| l.starts_with("error:")) {
            Some(line) => line.trim_start_matches("error:").trim().to_string(),
            None => message,
        }),
    }
}

/// `ai-setup sync` for one client, or for every client configured for the org, printing
/// nothing; the outcome in one sentence.
fn sync(ctx: &Context, client: Option<String>) -> Result<String> {
    let configured = Org::open(&ctx.paths, ctx.org.as_deref())?
        .clients
        .iter()
        .map(|c| c.id())
        .collect::<Vec<_>>()
        .join(",");
    let targets = client
        .clone()
        .or((!configured.is_empty()).then_some(configured));
    let request = Request::headless(Mode::Sync, ctx.org.as_deref(), targets.as_deref());
    let synced =
        crate::runtime()?.block_on(sync::run(&request, &ctx.paths, &mut quiet(), false))?;
    let who = client.unwrap_or_else(|| "every client".into());
    Ok(match synced.finished() {
        crate::error::Finished::Done => format!("Applied the org's configuration to {who}."),
        _ => format!("Applied to {who}, but some files could not be changed: see the Clients tab."),
    })
}

/// Writes `model` into the user's override layer, then applies it to every client.
fn set_default(ctx: &Context, model: &str) -> Result<String> {
    let org = Org::open(&ctx.paths, ctx.org.as_deref())?;
    let file = layers::user::set(&ctx.paths, Some(&org.document), "model", &json!(model))?;
    let applied = sync(ctx, None).map_err(|e| {
        Error::new(
            e.kind,
            format!(
                "{model} is your default now, but applying it failed: {}",
                e.message
            ),
        )
    })?;
    Ok(format!(
        "{model} is your default (in {}). {applied}",
        ctx.paths.display(&file)
    ))
}
