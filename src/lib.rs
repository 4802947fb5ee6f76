//! ai-setup signs a developer in to their organisation's AI coding stack and configures every AI
//! client on the machine for it. The modules follow the pipeline (DESIGN.md):
//!
//! ```text
//! discover ──► authenticate ──► resolve ──► translate per client ──► plan ──► apply ──► report
//! discovery/    auth/, secrets/              clients/                 apply/   apply/    output
//! ```
//!
//! - [`discovery`]: fetch and check `<org>/.well-known/opencode`, with ETag cache and offline copy.
//! - [`auth`]: obtain the org token (the org's login command with consent, or a supplied token).
//! - [`secrets`]: keep it in the OS keyring or a 0600 file, never silently elsewhere.
//! - [`clients`]: one module per AI client, saying which keys it wants in which file.
//! - [`edit`]: format editors that change only the keys asked for.
//! - [`apply`]: plan (diffs, no writes) and apply through the one atomic writer.
//! - [`api`]: the read side: the org's usage and models endpoints, the model catalog.
//! - [`output`]: human or `--json` reports, with secrets redacted.
//! - [`server`]: the reference org endpoint, `ai-setup serve`, also used by the demo and tests.
//! - [`tui`]: the dashboard, on the same read side.
//! - [`commands`]: thin wiring of the stages per command; [`cli`] defines the command line.
//!
//! Everything takes a [`paths::Paths`], so the whole pipeline can run against another home.

pub mod api;
pub mod apply;
pub mod auth;
pub mod cli;
pub mod clients;
pub mod commands;
pub mod discovery;
pub mod edit;
pub mod engine;
pub mod error;
pub mod http;
pub mod layers;
pub mod logging;
pub mod mcp;
pub mod output;
pub mod paths;
pub mod secrets;
pub mod server;
pub mod state;
pub mod tui;
pub mod write;

/// A single-threaded async runtime, built only by the commands that use the network, so that
/// `ai-setup token` never pays for one.
pub fn runtime() -> error::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| error::Error::failure(format!("cannot start the async runtime: {e}")))
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
