//! One error type for the whole pipeline, modelled on jj's `CommandError`: every error has a
//! kind (which decides the exit code), a message that names the thing that went wrong, and hints
//! that say what to do about it. Domain code builds these directly; `main` prints them and exits
//! with the kind's code, so exit codes are decided in exactly one place.

use std::fmt;

/// What kind of failure this is. The exit codes are part of the command-line contract
/// (README, "Exit codes") and must not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Something local failed: a file, the credential store, an internal error.
    Failure,
    /// The command line was wrong, or a decision is needed that no flag gave (no TTY to ask).
    Usage,
    /// Not logged in, token expired, the login failed or the endpoint wants authentication.
    Auth,
    /// The org endpoint could not be reached or sent something unusable.
    Network,
    /// Some clients were configured and others were not.
    Partial,
}

impl ErrorKind {
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Failure => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Auth => 3,
            ErrorKind::Network => 4,
            ErrorKind::Partial => 5,
        }
    }
}

/// How a command ended without an error. With [`ErrorKind`] for the errors, the one place where
/// exit codes are decided: commands return one of these, never a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Everything asked for was done.
    Done,
    /// Some clients were done and others were not; the report says which.
    Partial,
    /// The report was printed, but there is no valid login to report on (`status`).
    NotLoggedIn,
    /// What was asked does not hold: a `doctor` check failed, or `config explain` found no
    /// value. The report says which.
    Unmet,
    /// The exit status of the program `exec` ran, passed on unchanged.
    Child(u8),
}

impl Finished {
    /// [`Finished::Partial`] when any part failed, else [`Finished::Done`].
    pub fn partial_if(failed: bool) -> Self {
        if failed {
            Finished::Partial
        } else {
            Finished::Done
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Finished::Done => 0,
            Finished::Partial => ErrorKind::Partial.exit_code(),
            Finished::NotLoggedIn => ErrorKind::Auth.exit_code(),
            Finished::Unmet => ErrorKind::Failure.exit_code(),
            Finished::Child(code) => code,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hints: Vec<String>,
    /// A passing network condition (no connection, timeout, 5xx): a cached copy may stand in.
    pub transient: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hints: Vec::new(),
            transient: false,
        }
    }
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Failure, message)
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Auth, message)
    }
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, message)
    }

    /// Adds a line that tells the user what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn transient(mut self) -> Self {
        self.transient = true;
        self
    }

    /// Prefixes the message with what was being done, keeping kind and hints.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// An I/O error on a path, with the path in the message.
    pub fn io(action: &str, path: &std::path::Path, err: std::io::Error) -> Self {
        Self::failure(format!("cannot {action} {}: {err}", path.display()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
