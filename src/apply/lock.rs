//! One ai-setup at a time applies changes: a lock on a sidecar file in ai-setup's state folder
//! (never on the config files themselves, whose inodes the atomic rename replaces). Clients do
//! not take this lock; the writer's compare-before-replace covers them.

use std::fs::{File, TryLockError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::write::create_private_dir;

const WAIT: Duration = Duration::from_secs(30);

pub struct ApplyLock {
    _file: File,
}

impl ApplyLock {
    /// Waits up to 30 s for another ai-setup to finish; `waiting` is told once if it has to.
    pub fn acquire(paths: &Paths, waiting: &mut dyn FnMut(&str)) -> Result<Self> {
        Self::named(paths, "apply", waiting)
    }

    /// The lock called `name` (`refresh-<org>` serialises token refreshes across processes).
    pub fn named(paths: &Paths, name: &str, waiting: &mut dyn FnMut(&str)) -> Result<Self> {
        let dir = paths.state_dir.join("locks");
        create_private_dir(&dir)?;
        let path = dir.join(format!("{name}.lock"));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("open", &path, e))?;
        let started = Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(ApplyLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < WAIT => {
                    if !told {
                        waiting("another ai-setup is changing files; waiting for it");
                        told = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::failure(format!(
                        "another ai-setup has held {} for {}s",
                        path.display(),
                        WAIT.as_secs()
                    ))
                    .hint("wait for it to finish, or stop it, and run again"));
                }
                Err(TryLockError::Error(e)) => return Err(Error::io("lock", &path, e)),
            }
        }
    }
}
