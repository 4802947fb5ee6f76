//! The commands: each parses nothing and decides little; it wires the pipeline stages together
//! for one job and reports through [`Output`]. `run` maps errors to exit codes in one place.

mod clients;
mod config;
mod demo;
mod doctor;
mod generate;
pub mod login;
mod logout;
mod models;
mod restore;
mod serve;
mod service;
mod status;
pub mod token;
mod trust;
mod usage;

use std::path::PathBuf;

use clap::CommandFactory;

use crate::apply::transaction::Transaction;
use crate::cli::{Cli, Command, McpAction, ServiceAction};
use crate::error::{Error, Finished, Result};
use crate::output::Output;
use crate::paths::Paths;

/// The CA files a `login --ca-file` remembered; read only when an HTTPS client is built.
pub(crate) fn remembered_ca_files() -> Vec<PathBuf> {
    Paths::from_process()
        .and_then(|paths| crate::state::State::load(&paths))
        .map(|state| state.ca_files)
        .unwrap_or_default()
}

/// Remembers the CA files a successful login needed, by absolute path.
fn remember_ca_files(given: &[PathBuf]) -> Result<()> {
    let paths = Paths::from_process()?;
    let files = given
        .iter()
        .map(|file| file.canonicalize().map_err(|e| Error::io("find", file, e)))
        .collect::<Result<Vec<_>>>()?;
    let mut txn = Transaction::begin(&paths, &mut |_| {})?;
    txn.update_state(move |state, _| {
        for file in files {
            if !state.ca_files.contains(&file) {
                state.ca_files.push(file);
            }
        }
    });
    txn.commit().map(|_| ())
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let json = match &cli.command {
        Some(Command::Login(a)) => a.flags.json,
        Some(Command::Sync(a) | Command::Approve(a)) => a.flags.json,
        Some(Command::Logout(a)) => a.json,
        Some(Command::Status(a)) => a.json,
        Some(Command::Trust(a)) => a.json,
        Some(Command::Restore(a)) => a.json,
        Some(Command::Clients(a)) => a.json,
        Some(Command::Models(a)) => a.json,
        Some(Command::Usage(a)) => a.json,
        Some(Command::Doctor(a)) => a.json,
        Some(Command::Service {
            action: ServiceAction::Install(a),
        }) => a.json,
        Some(Command::Service {
            action: ServiceAction::Uninstall(a),
        }) => a.json,
        Some(Command::Demo(a)) => a.json,
        Some(Command::Config { action }) => action.scope().json,
        _ => false,
    };
    let mut out = Output::new(json);
    if let Err(err) = crate::logging::init(cli.verbose, cli.log_file.as_deref()) {
        out.error(&err);
        return err.kind.exit_code();
    }
    let given_ca = cli.ca_file.clone();
    let login = matches!(cli.command, Some(Command::Login(_)));
    crate::http::trust(given_ca.clone(), remembered_ca_files);
    match dispatch(cli, &mut out) {
        Ok(finished @ (Finished::Done | Finished::Partial)) if login && !given_ca.is_empty() => {
            if let Err(err) = remember_ca_files(&given_ca) {
                out.warn(&format!("the CA file was not remembered: {}", err.message));
            }
            finished.exit_code()
        }
        Ok(finished) => finished.exit_code(),
        Err(err) => {
            out.error(&err);
            err.kind.exit_code()
        }
    }
}

fn dispatch(cli: Cli, out: &mut Output) -> Result<Finished> {
    let Some(command) = cli.command else {
        // The dashboard on a terminal; the help anywhere else (a script, a pipe).
        if crate::tui::can_open() {
            return crate::tui::run(Paths::from_process()?, None, Vec::new());
        }
        let _ = Cli::command().print_help();
        return Ok(Finished::Done);
    };
    let paths = Paths::from_process()?;
    let interactive = crate::auth::can_prompt();
    match command {
        Command::Token(args) => token::run(&args, &paths),
        Command::Status(args) => status::run(&args, &paths, out),
        Command::Trust(args) => trust::run(&args, &paths, out),
        Command::Config { action } => config::run(&action, &paths, out),
        Command::Logout(args) => logout::run(&args, &paths, out),
        Command::Restore(args) => restore::run(&args, &paths, out),
        Command::Clients(args) => clients::run(&args, &paths, out),
        Command::Models(args) => models::run(&args, &paths, out),
        Command::Usage(args) => usage::run(&args, &paths, out),
        Command::Doctor(args) => doctor::run(args.org.as_deref(), &paths, out),
        Command::Dashboard(args) => {
            if !crate::tui::can_open() {
                return Err(Error::usage("the dashboard needs a terminal")
                    .hint("`ai-setup status`, `models` and `usage` print the same with --json"));
            }
            crate::tui::run(paths, args.org, Vec::new())
        }
        Command::Mcp {
            action: McpAction::Bridge(args),
        } => crate::runtime()?.block_on(crate::mcp::bridge::run(
            &args.name,
            args.org.as_deref(),
            &paths,
        )),
        Command::Exec(args) => crate::mcp::exec::run(&args.name, args.org.as_deref(), &paths),
        Command::Proxy(args) => crate::runtime()?.block_on(crate::proxy::run(
            crate::proxy::Options {
                listen: args.listen,
                org: args.org,
                idle_exit: args.idle_exit.map(std::time::Duration::from_secs),
            },
            &paths,
        )),
        Command::Login(args) => crate::runtime()?.block_on(login::run(
            crate::engine::sync::Mode::Login,
            args.url.as_deref(),
            &args.flags,
            &paths,
            out,
            interactive,
        )),
        Command::Sync(args) => crate::runtime()?.block_on(login::run(
            crate::engine::sync::Mode::Sync,
            args.url.as_deref(),
            &args.flags,
            &paths,
            out,
            interactive,
        )),
        Command::Approve(args) => crate::runtime()?.block_on(login::approve(
            args.url.as_deref(),
            &args.flags,
            &paths,
            out,
            interactive,
        )),
        Command::Serve(args) => serve::run(&args),
        Command::Service { action } => service::run(&action, &paths, out),
        Command::Demo(args) => demo::run(&args, &paths, out),
        Command::DevToken { url, user } => serve::dev_token(&url, user.as_deref()),
        Command::Generate { dir } => generate::run(&dir, out),
    }
}
