//! The command line. Definitions only: each command's work is in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::secrets::StoreChoice;

const AFTER_HELP: &str = "\
Exit codes: 0 success, 1 local failure (files, credential store), 2 usage or a decision that \
needs a flag, 3 authentication needed or failed, 4 network or discovery error, 5 partial \
(some clients could not be configured).

Start with `ai-setup demo` to see everything against a built-in demo org.";

/// `--version`: the version, then the build (`ai-setup --version` prints both lines).
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nbuild: ",
    env!("AI_SETUP_BUILD_SOURCE"),
    ", ",
    env!("AI_SETUP_BUILD_TARGET"),
    ", ",
    env!("AI_SETUP_BUILD_PROFILE"),
);

#[derive(Debug, Parser)]
#[command(
    name = "ai-setup",
    version,
    long_version = LONG_VERSION,
    about = "Sign in to your organisation's AI coding stack and configure every AI client on this machine",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Diagnostics on stderr: -v info, -vv debug, -vvv everything (RUST_LOG overrides), tokens redacted
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Write the diagnostics to FILE instead of stderr (appended to; created readable by you alone)
    #[arg(long, value_name = "FILE", global = true)]
    pub log_file: Option<PathBuf>,
    /// Also trust the certificate authorities in this PEM file (a corporate CA); remembered at login
    #[arg(long, value_name = "PATH", global = true)]
    pub ca_file: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to an org and configure this machine's AI clients for it (the URL is remembered)
    Login(LoginArgs),
    /// Forget an org's credentials and remove its token from the clients' files
    Logout(LogoutArgs),
    /// Show who you are, which org, token expiry, where the token is stored, and clients
    Status(StatusArgs),
    /// Re-fetch the org's configuration and re-apply it to the clients (for timers); approves nothing
    Sync(SyncArgs),
    /// Review the programs the org's local MCP servers run (new or changed), approve them, and sync
    Approve(SyncArgs),
    /// Let a project file (.ai-setup.json[c]) take effect, as it is now; or list or revoke trust
    Trust(TrustArgs),
    /// Print the current org token and nothing else (for client helpers and scripts)
    Token(TokenArgs),
    /// The supported clients: installed, configured, drift, and what cannot be configured
    Clients(ClientsArgs),
    /// Check everything (endpoint, token, credential store, clients, files, PATH, clock) and say how to fix each problem
    Doctor(DoctorArgs),
    /// The models the org offers, with limits, prices and which clients can use each
    Models(ModelsArgs),
    /// Your own usage of the org's models: totals, per model, per day, and your budget
    Usage(UsageArgs),
    /// The dashboard: identity, clients, models, usage and MCP servers (the default on a terminal)
    Dashboard(DashboardArgs),
    /// Show the resolved configuration and where each value comes from
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// MCP helpers that clients run: a stdio bridge to the org's remote MCP servers
    Mcp {
        #[command(subcommand)]
        action: McpAction,
    },
    /// Run one of the org's local MCP servers with the org token in its environment
    Exec(McpArgs),
    /// Forward model requests from clients that hold only a static key to the org, with the
    /// org token (loopback only; socket-activated by `service install`)
    Proxy(ProxyArgs),
    /// List the backups ai-setup took before changing files, or restore one
    Restore(RestoreArgs),
    /// Keep the clients fresh: run `ai-setup sync` periodically (systemd user timer, launchd agent)
    Service {
        #[command(subcommand)]
        action: ServiceAction,
    },
    /// Run the reference org endpoint (PROTOCOL.md) from an org folder
    Serve(ServeArgs),
    /// Run the whole login against a built-in demo org, in a sandbox home
    Demo(DemoArgs),
    /// Write the shell completions and man pages into DIR (`dist/` holds the committed ones)
    #[command(hide = true)]
    Generate {
        /// The folder to write `completions/` and `man/` into
        dir: PathBuf,
    },
    /// Print a development token from an `ai-setup serve` endpoint (the demo org's login command)
    #[command(hide = true)]
    DevToken {
        /// The endpoint's base URL
        url: String,
        /// The user to issue the token for (default: the org's first user)
        #[arg(long)]
        user: Option<String>,
    },
}

/// Flags shared by the commands that configure clients.
#[derive(Debug, Clone, Args)]
pub struct ApplyFlags {
    /// Accept the org's login command, and with `login` or `approve` its local servers' programs,
    /// without asking (required without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show what would change, as diffs, without changing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Replace entries ai-setup wrote that were changed since (drift) with the org's
    #[arg(long)]
    pub force: bool,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// Clients to configure: a comma-separated list of ids, `all` (every client the org
    /// enables), or `installed` (those of them installed here); later runs without the flag,
    /// the timer's too, keep to the last one given [default: installed]
    #[arg(long, value_name = "LIST|all|installed")]
    pub clients: Option<String>,
    /// Where to keep the token
    #[arg(
        long,
        value_enum,
        env = "AI_SETUP_CREDENTIAL_STORE",
        default_value = "auto"
    )]
    pub credential_store: StoreChoice,
    /// Let `token` and `sync` re-run the org's login command, without asking, when the token runs
    /// out (for commands such as `cloudflared access token` that need no person while their own
    /// session lasts)
    #[arg(long)]
    pub unattended: bool,
    /// Sign in on another device (OpenID Connect device flow) instead of a browser here; without a
    /// terminal, required to wait for someone to approve
    #[arg(long)]
    pub no_browser: bool,
    /// Set a configuration key for the clients, above every other layer; VALUE is JSON or a string
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Log in as a service account (OAuth client credentials) with this client id
    #[arg(long, value_name = "ID", requires = "client_secret_env")]
    pub client_id: Option<String>,
    /// The environment variable that holds the service account's client secret
    #[arg(long, value_name = "VAR", requires = "client_id")]
    pub client_secret_env: Option<String>,
    /// Exchange the CI identity token in this environment variable for an org token (RFC 8693)
    #[arg(long, value_name = "VAR", conflicts_with = "github_actions")]
    pub id_token_env: Option<String>,
    /// Exchange this GitHub Actions job's OIDC token for an org token (needs `id-token: write`)
    #[arg(long)]
    pub github_actions: bool,
    /// Read the token from standard input instead of running the org's login command
    #[arg(long, conflicts_with = "token_env")]
    pub token_stdin: bool,
    /// Take the token from this environment variable instead of running the login command
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// The org's address, e.g. https://ai.example.com [default: the remembered org]
    pub url: Option<String>,
    #[command(flatten)]
    pub flags: ApplyFlags,
}

#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// The org [default: the remembered org]
    pub url: Option<String>,
    #[command(flatten)]
    pub flags: ApplyFlags,
}

#[derive(Debug, Clone, Args)]
pub struct LogoutArgs {
    /// The org [default: the remembered org]
    pub url: Option<String>,
    /// Also remove everything else ai-setup wrote into the clients' files for this org
    #[arg(long)]
    pub restore: bool,
    /// Show what would change without changing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum McpAction {
    /// A stdio MCP server forwarding to the org's remote server NAME with the current token
    Bridge(McpArgs),
}

#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    /// The server's name in the org's `mcp` configuration
    pub name: String,
    /// The org [default: the remembered org]
    #[arg(long)]
    pub org: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ProxyArgs {
    /// Loopback address to listen on, unless systemd hands over a socket (`LISTEN_FDS`)
    #[arg(long, env = "AI_SETUP_PROXY_ADDRESS", default_value = crate::paths::DEFAULT_PROXY_ADDRESS)]
    pub listen: String,
    /// The org [default: the remembered org]
    #[arg(long)]
    pub org: Option<String>,
    /// Exit after this many seconds without a request (socket activation starts it again)
    #[arg(long, value_name = "SECONDS")]
    pub idle_exit: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum ServiceAction {
    /// Install and start the timer (systemd user units on Linux, a launchd agent on macOS)
    Install(ServiceInstallArgs),
    /// Stop and remove it
    Uninstall(ServiceUninstallArgs),
}

#[derive(Debug, Args)]
pub struct ServiceInstallArgs {
    /// How often to sync, e.g. 30m or 2h [default: the org's ai_setup.refresh, else 1h]
    #[arg(long, value_name = "DURATION")]
    pub interval: Option<String>,
    /// Write the files but do not enable or start the timer
    #[arg(long)]
    pub no_start: bool,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServiceUninstallArgs {
    /// Remove the files without stopping the timer first
    #[arg(long)]
    pub no_stop: bool,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ModelsArgs {
    /// Only models whose id, name, provider or family contains TEXT (any case)
    #[arg(long, short = 's', value_name = "TEXT")]
    pub search: Option<String>,
    /// Only models of this provider id (e.g. anthropic)
    #[arg(long, value_name = "ID")]
    pub provider: Option<String>,
    /// The whole catalog shipped with ai-setup, not only what the org offers (works logged out)
    #[arg(long)]
    pub all: bool,
    /// The org [default: the remembered org]
    #[arg(long, value_name = "URL")]
    pub org: Option<String>,
    /// Print one JSON object (shape in README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// The last N days, today included
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=366))]
    pub days: u32,
    /// The first day (YYYY-MM-DD, UTC); overrides --days
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// The last day (YYYY-MM-DD, UTC) [default: today]
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// The org [default: the remembered org]
    #[arg(long, value_name = "URL")]
    pub org: Option<String>,
    /// Print the org's report as one JSON object (PROTOCOL.md §3)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The org [default: the remembered org]
    #[arg(long, value_name = "URL")]
    pub org: Option<String>,
    /// Print the checks as one JSON object (shape in README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// The org [default: the remembered org]
    #[arg(long, value_name = "URL")]
    pub org: Option<String>,
}

#[derive(Debug, Args)]
pub struct ClientsArgs {
    /// The org [default: the remembered org]
    #[arg(long)]
    pub org: Option<String>,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The backup to restore (from the list) [default: list the backups]
    pub id: Option<String>,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct TrustArgs {
    /// The project file, or a folder holding one [default: the nearest one here or above]
    pub path: Option<PathBuf>,
    /// Stop trusting it
    #[arg(long, conflicts_with = "list")]
    pub revoke: bool,
    /// List the trusted files and whether each is still as trusted
    #[arg(long)]
    pub list: bool,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// The org [default: the remembered org]
    pub url: Option<String>,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ConfigAction {
    /// The resolved configuration, each value with the layer and file that set it
    Show(ConfigScope),
    /// One key: its value, the layer and file that set it, what it overrode, whether it is locked
    Explain {
        /// A dotted key, e.g. `model` or `mcp.docs.url`
        key: String,
        #[command(flatten)]
        scope: ConfigScope,
    },
    /// The files each layer is read from, and whether they exist
    Path(ConfigScope),
}

/// Which configuration `config` looks at.
#[derive(Debug, Clone, Args)]
pub struct ConfigScope {
    /// The org [default: the remembered org]; its layer is the last fetched document
    #[arg(long)]
    pub org: Option<String>,
    /// Include the org's overlay for this client (`ai_setup.clients.<ID>`)
    #[arg(long, value_name = "ID")]
    pub client: Option<String>,
    /// Set a key for this command only (the highest layer); VALUE is JSON or a string
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TokenFormat {
    /// The token alone
    Raw,
    /// `Authorization: Bearer <token>`
    Header,
    /// `{"Authorization": "Bearer <token>"}` (Claude Code's headersHelper)
    Headers,
    /// `{"token": …, "expires_at": …}`
    Json,
}

impl TokenFormat {
    /// The format named on the command line, as clap reads it (without building clap's parser).
    pub fn named(name: &str) -> Option<TokenFormat> {
        Some(match name {
            "raw" => TokenFormat::Raw,
            "header" => TokenFormat::Header,
            "headers" => TokenFormat::Headers,
            "json" => TokenFormat::Json,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The org [default: the remembered org]
    #[arg(long)]
    pub org: Option<String>,
    #[arg(long, value_enum, default_value = "raw")]
    pub format: TokenFormat,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The org folder: discovery.json, and optionally users.json [default: the built-in demo org]
    #[arg(long, value_name = "DIR")]
    pub org_dir: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// The base URL to announce instead of the address requests arrive at (behind a proxy)
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Lifetime of the development tokens it issues, in seconds
    #[arg(long, default_value_t = 3600)]
    pub token_ttl: i64,
    /// Send a Date header this many seconds off the real time (to try `doctor`'s clock check)
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub clock_offset: i64,
    /// Append every model request to FILE, one JSON line each: path, API, model, the token's
    /// user (never the token), user agent, system prompt, tool names, the last user text
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// The sandbox home to configure [default: a fresh folder in ai-setup's cache]
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Keep the demo endpoint running afterwards, so you can run the clients against it
    #[arg(long)]
    pub keep_serving: bool,
    /// Do not open the dashboard at the end (it opens only on a terminal anyway)
    #[arg(long)]
    pub no_dashboard: bool,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
}
