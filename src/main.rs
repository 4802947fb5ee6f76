use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ai_setup::cli::Cli::parse();
    ExitCode::from(ai_setup::commands::run(cli))
}
