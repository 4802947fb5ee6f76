//! The one place that puts bytes on disk.
//!
//! A write goes through symlinks (dotfile managers keep the link), lands atomically (a temp file
//! in the target's directory, fsync, rename, fsync of the directory), keeps the file's mode, or
//! sets the one asked for (0600 for secrets), and creates missing directories as 0700.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Follows symlinks to the file that is really written, even when the link's target does not
/// exist yet.
pub fn resolve_target(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..32 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)
                    .map_err(|e| Error::io("read the link", &current, e))?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Error::failure(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// A log file opened for appending, created readable by the user alone.
pub fn append_private(path: &Path) -> Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|e| Error::io("open the log file", path, e))
}

/// Atomically replaces (or creates) `path` with `bytes`, unless it already holds them. `mode`
/// forces the file mode; without it an existing file keeps its mode and a new one gets 0644.
pub fn write_file(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
    let target = resolve_target(path)?;
    // Nothing to do when the bytes (and the mode asked for) are already there.
    if std::fs::read(&target).is_ok_and(|current| current == bytes)
        && mode.is_none_or(|m| existing_mode(&target).is_none_or(|e| e == m))
    {
        return Ok(());
    }
    let mut batch = Batch::default();
    batch.stage(path, bytes, mode)?;
    batch.land(|_| {}).map(|_| ())
}

/// Files that land together, each atomically, as [`write_file`] lands one: [`Batch::stage`]
/// writes each in full under a temporary name beside its target, and [`Batch::land`] makes all
/// their bytes durable, renames each onto its target, then makes the renames durable.
///
/// Why a batch: a login writes hundreds of small files (agents, commands), and two flushes
/// per file, each waiting for the disk, cost more than all the rest of the run. There are two
/// ways to flush a batch, and [`Flush::choose`] takes the cheaper one:
/// - dpkg's order for unpacking many files: every file's write-back is started
///   (`sync_file_range` on Linux), then each is fsynced, and each folder once after the
///   renames; it waits for ai-setup's own files only;
/// - on Linux, one `syncfs` per filesystem before the renames and one after: two calls, but
///   each waits for every other program's unwritten data on that filesystem too.
///
/// Measured on one machine (bench/run, 438 files): 98 ms by `syncfs` and 160 ms file by file
/// when little else was unwritten; 400 ms and 170 ms right after 800 MB were written
/// elsewhere. Either way a crash in between leaves each file old or new, never partly
/// written, as with one file at a time; the transaction's journal says which may be either.
#[derive(Default)]
pub struct Batch {
    staged: Vec<Staged>,
    /// Folders known to exist, so that each is looked for once.
    dirs: HashSet<PathBuf>,
}

struct Staged {
    temp: tempfile::NamedTempFile,
    /// The path asked for (a symlink, maybe) and the file really written.
    path: PathBuf,
    target: PathBuf,
    /// Staged with [`Batch::stage_new`].
    new: bool,
}

impl Batch {
    /// Writes `bytes` for `path` (through symlinks) under a temporary name in its folder,
    /// creating the folder (0700) if needed; the file is replaced at [`Batch::land`]. `mode`
    /// as for [`write_file`].
    pub fn stage(&mut self, path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
        self.stage_as(path, bytes, mode, false)
    }

    /// [`Batch::stage`] for a file that is not there: [`Batch::land`] puts it in place only if
    /// there is still none (an atomic rename that replaces nothing), so a file that appears
    /// in the meantime (another program's) is never replaced, and nobody need look first.
    pub fn stage_new(&mut self, path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
        self.stage_as(path, bytes, Some(mode), true)
    }

    fn stage_as(&mut self, path: &Path, bytes: &[u8], mode: Option<u32>, new: bool) -> Result<()> {
        let target = resolve_target(path)?;
        tracing::debug!(path = %target.display(), bytes = bytes.len(), "writing");
        let dir = parent_dir(&target);
        if !self.dirs.contains(dir) {
            create_private_dir(dir)?;
            self.dirs.insert(dir.to_path_buf());
        }
        let mut temp = tempfile::Builder::new()
            .prefix(&temp_prefix(&target))
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir)
            .map_err(|e| Error::io("create a temporary file in", dir, e))?;
        // Through the open file: no second walk of the path.
        set_file_mode(
            temp.as_file(),
            temp.path(),
            mode.or_else(|| existing_mode(&target)).unwrap_or(0o644),
        )?;
        temp.write_all(bytes)
            .map_err(|e| Error::io("write", temp.path(), e))?;
        self.staged.push(Staged {
            temp,
            path: path.to_path_buf(),
            target,
            new,
        });
        Ok(())
    }

    /// Makes the staged files durable and puts each in place, in the order staged. `before`
    /// is told each one's index just before its rename. A failure leaves the files not yet
    /// renamed as they were, and removes their temporary files.
    ///
    /// Returns each file's [`Stat`] by the path it was staged for, as [`stat`] would give it
    /// after the rename (which keeps the inode, size and modification time), taken from the
    /// open file rather than by looking the path up again.
    pub fn land(self, mut before: impl FnMut(usize)) -> Result<Vec<(PathBuf, Option<Stat>)>> {
        let flush = Flush::choose(self.staged.len());
        let temps: Vec<&std::fs::File> = self.staged.iter().map(|s| s.temp.as_file()).collect();
        flush.files(&temps).map_err(|e| match self.staged.first() {
            Some(first) => Error::io("write", parent_dir(&first.target), e),
            None => Error::failure(e.to_string()),
        })?;
        let mut dirs: HashSet<PathBuf> = HashSet::new();
        let mut landed = Vec::with_capacity(self.staged.len());
        for (index, staged) in self.staged.into_iter().enumerate() {
            let Staged {
                temp,
                path,
                target,
                new,
            } = staged;
            let stat = temp.as_file().metadata().ok().and_then(|m| Stat::of(&m));
            before(index);
            match new {
                false => temp.persist(&target).map(drop),
                true => persist_new(temp, &target),
            }
            .map_err(|e| match e.error.kind() {
                std::io::ErrorKind::AlreadyExists => Error::failure(format!(
                    "{} appeared while ai-setup was preparing its edit",
                    target.display()
                ))
                .hint("run the command again"),
                _ => Error::io("replace", &target, e.error),
            })?;
            let dir = parent_dir(&target);
            if !dirs.contains(dir) {
                dirs.insert(dir.to_path_buf());
            }
            landed.push((path, stat));
        }
        // Best effort, as for one file: some filesystems refuse to flush a folder.
        let dirs: Vec<std::fs::File> = dirs
            .iter()
            .filter_map(|d| std::fs::File::open(d).ok())
            .collect();
        let _ = flush.files(&dirs.iter().collect::<Vec<_>>());
        Ok(landed)
    }
}

/// Renames `temp` onto `target` unless something is there. Where the filesystem can rename
/// only by replacing and has no hard links either (FAT, some network mounts), it looks, then
/// renames: the window is back, but the file is still written.
fn persist_new(
    temp: tempfile::NamedTempFile,
    target: &Path,
) -> std::result::Result<(), tempfile::PersistError> {
    match temp.persist_noclobber(target) {
        Ok(_) => Ok(()),
        Err(e)
            if e.error.kind() != std::io::ErrorKind::AlreadyExists
                && std::fs::symlink_metadata(target)
                    .is_err_and(|m| m.kind() == std::io::ErrorKind::NotFound) =>
        {
            e.file.persist(target).map(drop)
        }
        Err(e) => Err(e),
    }
}

/// How a batch is made durable (see [`Batch`]).
#[derive(Clone, Copy)]
enum Flush {
    /// One fsync per file (or folder).
    EachFile,
    /// One `syncfs` per filesystem.
    #[cfg(target_os = "linux")]
    WholeFilesystem,
}

impl Flush {
    /// `syncfs` for a batch of more than a few files when little is waiting to be written on
    /// this machine (so that it waits for little besides ai-setup's files), else file by file.
    fn choose(files: usize) -> Flush {
        #[cfg(target_os = "linux")]
        {
            /// Unwritten data (kB) below which flushing it all costs less than a flush per
            /// file: a few milliseconds of any disk's write speed.
            const CHEAP_KB: u64 = 16 * 1024;
            if files >= 8 && unwritten_kb().is_some_and(|kb| kb <= CHEAP_KB) {
                return Flush::WholeFilesystem;
            }
        }
        let _ = files;
        Flush::EachFile
    }

    fn files(self, files: &[&std::fs::File]) -> std::io::Result<()> {
        match self {
            Flush::EachFile => {
                // Every file's write-back under way before waiting for the first.
                files.iter().for_each(|f| start_write_back(f));
                files.iter().try_for_each(|f| f.sync_data())
            }
            #[cfg(target_os = "linux")]
            Flush::WholeFilesystem => {
                use std::os::unix::fs::MetadataExt;
                let mut devices = Vec::new();
                for file in files {
                    let device = file.metadata()?.dev();
                    if !devices.contains(&device) {
                        devices.push(device);
                        // SAFETY: a plain system call on a descriptor borrowed for its
                        // duration; it touches no memory of this process.
                        if unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(*file)) } != 0 {
                            return Err(std::io::Error::last_os_error());
                        }
                    }
                }
                Ok(())
            }
        }
    }
}

/// The machine's data waiting to be written to disk, in kB (`Dirty` and `Writeback` of
/// /proc/meminfo).
#[cfg(target_os = "linux")]
fn unwritten_kb() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some(field("Dirty:")? + field("Writeback:")?)
}

/// The folder a file is in (`.` for a bare name).
fn parent_dir(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Asks the kernel to start writing the file's bytes to disk now, without waiting: the fsync
/// that follows then waits less. A hint only; elsewhere than Linux it does nothing.
fn start_write_back(file: &std::fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a plain system call on a descriptor this function borrows, open for its
        // duration; it reads and writes no memory of this process.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// How ai-setup's temporary files next to `target` begin: `.<name>.`, then a random part and
/// [`TEMP_SUFFIX`].
fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

/// A file's bytes as they were before a transaction replaced it, kept under a second name: a
/// hard link in the file's directory, named as ai-setup's temporary files are. Putting them
/// back is a rename, which needs no room on the disk: undoing after a full disk must not fail
/// for want of the room the failure ran out of. Dropped, the second name goes; after a kill,
/// the next run's clean-up of leftovers removes it.
pub struct Kept {
    target: PathBuf,
    link: tempfile::TempPath,
}

impl Kept {
    /// `None` when there is no file at `path`, or its filesystem has no hard links; undoing then
    /// writes the bytes back.
    pub fn take(path: &Path) -> Option<Kept> {
        let target = resolve_target(path).ok()?;
        let dir = target.parent().filter(|p| !p.as_os_str().is_empty())?;
        let link = tempfile::Builder::new()
            .prefix(&temp_prefix(&target))
            .suffix(TEMP_SUFFIX)
            .make_in(dir, |link| std::fs::hard_link(&target, link))
            .ok()?
            .into_temp_path();
        Some(Kept { target, link })
    }

    /// Makes the file what it was when it was kept.
    pub fn put_back(self) -> Result<()> {
        let Kept { target, link } = self;
        let second_name = link.to_path_buf();
        link.persist(&target)
            .map_err(|e| Error::io("put back", &target, e.error))?;
        // Renaming a name onto another name of the same file does nothing and succeeds (POSIX):
        // when the file was never replaced (its write failed), the second name is still there.
        let _ = std::fs::remove_file(&second_name);
        if let Some(dir) = target.parent() {
            sync_dir(dir);
        }
        Ok(())
    }
}

/// Removes the file at `path` (through symlinks, as writes go: the link stays), then each of
/// `dirs` that is empty, innermost first. A file already gone is fine.
pub fn remove_file(path: &Path, dirs: &[PathBuf]) -> Result<()> {
    let target = resolve_target(path)?;
    match std::fs::remove_file(&target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("remove", &target, e)),
    }
    if let Some(dir) = target.parent() {
        sync_dir(dir);
    }
    remove_empty_dirs(dirs);
    Ok(())
}

/// Removes `dirs` (outermost first), innermost first, while they are empty. A transaction
/// calls it again once the copies it kept beside a removed file are gone.
pub fn remove_empty_dirs(dirs: &[PathBuf]) {
    for dir in dirs.iter().rev() {
        // Not empty (the user or the client put something there): it stays.
        if std::fs::remove_dir(dir).is_err() {
            break;
        }
    }
}

/// Removes what an interrupted write left in `dir`: ai-setup's temporary files.
pub fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(TEMP_SUFFIX) {
            tracing::info!(path = %entry.path().display(), "removing a leftover temporary file");
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What says a file was not changed since: its inode, size and modification time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stat {
    pub ino: u64,
    pub len: u64,
    pub mtime_ns: i64,
}

impl Stat {
    /// The [`Stat`] in `meta`; `None` where the platform has none.
    pub fn of(meta: &std::fs::Metadata) -> Option<Stat> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Stat {
                ino: meta.ino(),
                len: meta.len(),
                mtime_ns: meta.mtime().saturating_mul(1_000_000_000) + meta.mtime_nsec(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }
}

/// The file's [`Stat`] (through symlinks); `None` where it is missing or the platform has none.
pub fn stat(path: &Path) -> Option<Stat> {
    Stat::of(&std::fs::metadata(path).ok()?)
}

/// How ai-setup's temporary files end; nothing else is ever given this name.
pub const TEMP_SUFFIX: &str = ".ai-setup.tmp";

/// Creates `dir` and its missing parents, new ones readable by the user alone.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Error::io("create the directory", dir, e))
}

/// Gives the file at `path` `mode` when it has another (a private file someone opened up).
pub fn ensure_mode(path: &Path, mode: u32) -> Result<()> {
    match existing_mode(path) {
        Some(current) if current != mode => set_mode(path, mode),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn existing_mode(_path: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io("set the mode of", path, e))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// [`set_mode`] through an open file; `path` is its name, for the error.
#[cfg(unix)]
fn set_file_mode(file: &std::fs::File, path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io("set the mode of", path, e))
}

#[cfg(not(unix))]
fn set_file_mode(_file: &std::fs::File, _path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// Makes the rename durable. Best effort: some filesystems refuse to fsync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_through_symlinks_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();

        write_file(&link, b"new", None).unwrap();

        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn secrets_get_0600_in_a_private_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/secret.json");
        write_file(&path, b"{}", Some(0o600)).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("a/b")), 0o700);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a/b")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_batch_replaces_nothing_before_it_lands_and_leaves_no_temporary_file_when_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        let names = |d: &Path| {
            let mut names: Vec<String> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let old = dir.path().join("old.md");
        std::fs::write(&old, "old").unwrap();
        let same = dir.path().join("same.md");
        std::fs::write(&same, "same").unwrap();
        let new = dir.path().join("sub/new.md");

        let mut batch = Batch::default();
        batch.stage(&old, b"replaced", None).unwrap();
        batch.stage(&new, b"created", Some(0o600)).unwrap();
        assert_eq!(
            std::fs::read_to_string(&old).unwrap(),
            "old",
            "not before land"
        );
        assert!(!new.exists(), "not before land");
        let mut landed = Vec::new();
        batch.land(|i| landed.push(i)).unwrap();
        assert_eq!(landed, [0, 1]);
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "replaced");
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "created");
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(names(dir.path()), ["old.md", "same.md", "sub"]);
        assert_eq!(names(&dir.path().join("sub")), ["new.md"]);

        // A target that cannot be replaced (a folder): the files before it landed, the one
        // after it did not, and no temporary file is left anywhere.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("inside")).unwrap();
        let mut batch = Batch::default();
        batch.stage(&old, b"again", None).unwrap();
        batch.stage(&blocked, b"x", None).unwrap();
        batch.stage(&same, b"later", None).unwrap();
        assert!(batch.land(|_| {}).is_err());
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "again");
        assert_eq!(std::fs::read_to_string(&same).unwrap(), "same");
        assert_eq!(names(dir.path()), ["blocked", "old.md", "same.md", "sub"]);
    }

    #[test]
    fn a_new_file_never_replaces_one_that_appeared_after_it_was_staged() {
        let dir = tempfile::tempdir().unwrap();
        let theirs = dir.path().join("theirs.md");
        let ours = dir.path().join("ours.md");
        let mut batch = Batch::default();
        batch.stage_new(&ours, b"ours", 0o644).unwrap();
        batch.stage_new(&theirs, b"ours too", 0o644).unwrap();
        std::fs::write(&theirs, "another program's").unwrap();
        let err = batch.land(|_| {}).unwrap_err();
        assert!(err.message.contains("appeared while"), "{err:?}");
        assert_eq!(
            std::fs::read_to_string(&theirs).unwrap(),
            "another program's"
        );
        assert_eq!(std::fs::read_to_string(&ours).unwrap(), "ours");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");

        // Landed, it reports what `stat` then sees.
        let fresh = dir.path().join("fresh.md");
        let mut batch = Batch::default();
        batch.stage_new(&fresh, b"new", 0o600).unwrap();
        let landed = batch.land(|_| {}).unwrap();
        assert_eq!(landed, [(fresh.clone(), stat(&fresh))]);
        assert!(landed[0].1.is_some());
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn both_ways_of_flushing_a_batch_take_files_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::create(dir.path().join("f")).unwrap();
        let folder = std::fs::File::open(dir.path()).unwrap();
        Flush::EachFile.files(&[&file, &folder]).unwrap();
        #[cfg(target_os = "linux")]
        Flush::WholeFilesystem.files(&[&file, &folder]).unwrap();
        // Few files never take the whole filesystem's time.
        assert!(matches!(Flush::choose(1), Flush::EachFile));
    }

    #[test]
    fn a_kept_file_is_put_back_through_the_symlink_and_otherwise_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        let names = || {
            let mut names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };

        let kept = Kept::take(&link).expect("a file to keep");
        write_file(&link, b"new", None).unwrap();
        kept.put_back().unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "old");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(names(), ["link.json", "real.json"]);

        // A file whose write failed is still the kept one: putting it back leaves one name.
        let kept = Kept::take(&real).expect("a file to keep");
        kept.put_back().unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "old");
        assert_eq!(
            names(),
            ["link.json", "real.json"],
            "nothing left when unchanged"
        );

        let kept = Kept::take(&real).expect("a file to keep");
        write_file(&real, b"newer", None).unwrap();
        drop(kept);
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "newer");
        assert_eq!(
            names(),
            ["link.json", "real.json"],
            "the second name is gone"
        );
        assert!(Kept::take(&dir.path().join("missing.json")).is_none());
    }
}
