use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = ai_setup::commands::token::quick(&argv) {
        return ExitCode::from(code);
    }
    let cli = ai_setup::cli::Cli::parse_from(argv);
    ExitCode::from(ai_setup::commands::run(cli))
}
