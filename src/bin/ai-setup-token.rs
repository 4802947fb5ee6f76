//! `ai-setup-token`: the token helper that client files run on every model request
//! (`apiKeyHelper`, Codex's `auth.command`). It does what `ai-setup token` does, in a program
//! small enough to start in about the time any program takes: it reads the credential from the
//! file store and prints it. Whatever needs more (the keyring, a renewal, an error to explain,
//! `--help`) it hands to `ai-setup token` next to it, which behaves the same.

// Without Rust's own entry point: its start-up (the stack guard read from /proc/self/maps,
// signal handlers, checks of the standard descriptors) is a fifth of a run this short. The
// arguments still come through `std::env` (the C runtime hands them over), and a closed stdout
// ends the helper by SIGPIPE, as it does any C program.
#![no_main]

use std::ffi::{OsString, c_char, c_int};

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if let Some(code) = ai_setup::commands::token::from_file_store(&args) {
        return code.into();
    }
    let full = std::env::current_exe().ok().and_then(|helper| {
        Some(
            helper
                .parent()?
                .join(format!("ai-setup{}", std::env::consts::EXE_SUFFIX)),
        )
    });
    let Some(full) = full else {
        eprintln!("error: cannot find ai-setup next to this helper");
        return 1;
    };
    let mut command = std::process::Command::new(&full);
    command.arg("token").args(&args);
    #[cfg(unix)]
    let error = std::os::unix::process::CommandExt::exec(&mut command);
    #[cfg(not(unix))]
    let error = match command.status() {
        Ok(status) => return status.code().unwrap_or(1),
        Err(error) => error,
    };
    eprintln!("error: cannot run {}: {error}", full.display());
    1
}
