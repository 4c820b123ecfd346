//! Where output bytes go, and how tier avoids harming what is already there.
//!
//! An output path is first *resolved* ([`Destination::resolve`]):
//!
//! - `-` is standard output.
//! - Symbolic links are followed to the file they name; the link itself is never replaced.
//! - A regular file (or a path that does not exist yet) is written *atomically*: into a
//!   temporary file in the same directory, renamed over the real file when the output is
//!   complete ([`Target::commit`]). A run that fails or is interrupted leaves the old file as it
//!   was. A regular file with more than one hard link is not renamed over (that would split the
//!   links): its new content is copied into it at commit instead.
//! - Anything else (a character device such as `/dev/null`, a FIFO, a socket) is written
//!   through, never replaced.
//! - A directory is an error.
//!
//! Temporary files are named `.<target>.tier-<pid>-<random>.tmp`, so that a file left behind by
//! a killed run says what it is ([`stale_temporaries`] finds them), and they are registered while
//! they exist so that the binary's signal handler can remove them on Ctrl-C or SIGTERM
//! ([`remove_temporary_files`]).

use super::write_error;
use crate::diagnostic::{Code, Diagnostic};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Set when standard output turned out to be closed (a pipe whose reader went away, as in
/// `tier run ... | head`): the binary then ends quietly instead of reporting a write error.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a write to standard output failed because its reader is gone (EPIPE).
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Records a failed write to standard output; true when it was a closed pipe.
pub fn note_stdout_error(e: &std::io::Error) -> bool {
    let closed = e.kind() == std::io::ErrorKind::BrokenPipe;
    if closed {
        STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    closed
}

/// Temporary files that exist right now (so that a signal handler can remove them).
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The marker between the target's name and the process id in a temporary file's name.
const TEMP_MARK: &str = ".tier-";
/// The suffix of every temporary file.
const TEMP_SUFFIX: &str = ".tmp";
/// How many symbolic links are followed before giving up (as Linux's ELOOP).
const MAX_LINKS: usize = 40;

fn registry() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the lock was held cannot leave the list inconsistent (push/retain).
    TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes every temporary output file this process has open (an interrupted run's partial
/// outputs); returns how many were removed. For a signal handler: the process exits next.
pub fn remove_temporary_files() -> usize {
    let mut list = registry();
    let mut removed = 0;
    for path in list.drain(..) {
        if std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A temporary file left beside an output by an earlier run that was killed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleTemporary {
    /// The temporary file.
    pub path: PathBuf,
    /// The process that wrote it.
    pub pid: u32,
}

/// Temporary files beside `output` left by earlier tier runs that are no longer running (killed
/// with SIGKILL, or a crash of the machine). They are partial outputs, safe to delete.
pub fn stale_temporaries(output: &Destination) -> Vec<StaleTemporary> {
    let Destination::File { path, .. } = output else {
        return Vec::new();
    };
    let (dir, prefix) = (parent_dir(path), temp_prefix_base(path));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let Some(pid) = rest
            .strip_suffix(TEMP_SUFFIX)
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            found.push(StaleTemporary {
                path: entry.path(),
                pid,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    // Without /proc we cannot tell; never call another process's file stale.
    true
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.<name>.tier-`: the target's file name, shortened so the whole name stays well under the
/// 255-byte limit of common file systems.
fn temp_prefix_base(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut end = name.len().min(150);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}{TEMP_MARK}", &name[..end])
}

/// What an output path leads to, once symbolic links are followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// `-`: standard output.
    Stdout,
    /// A regular file, or a path where a new file will be created.
    File {
        /// The real path (symbolic links followed).
        path: PathBuf,
        /// The file exists and has more than one hard link: written in place at commit.
        linked: bool,
    },
    /// A device, FIFO or socket: written through, never replaced.
    Special(PathBuf),
}

impl Destination {
    /// Follows `path` to what it names. Errors: a directory, a loop of links, a path that
    /// cannot be examined.
    pub fn resolve(path: &Path) -> Result<Destination, Diagnostic> {
        if path.as_os_str() == "-" {
            return Ok(Destination::Stdout);
        }
        let mut current = path.to_path_buf();
        for _ in 0..MAX_LINKS {
            let meta = match std::fs::symlink_metadata(&current) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(Destination::File {
                        path: current,
                        linked: false,
                    })
                }
                Err(e) => return Err(write_error(path, &e)),
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                let link = std::fs::read_link(&current).map_err(|e| write_error(path, &e))?;
                current = if link.is_absolute() {
                    link
                } else {
                    parent_dir(&current).join(link)
                };
            } else if kind.is_dir() {
                return Err(Diagnostic::error(
                    Code::DataWrite,
                    format!("cannot write {}: it is a directory", path.display()),
                )
                .with_help("name a file inside it, e.g. -o dir/graded.csv"));
            } else if kind.is_file() {
                return Ok(Destination::File {
                    path: current,
                    linked: hard_links(&meta) > 1,
                });
            } else {
                return Ok(Destination::Special(current));
            }
        }
        Err(Diagnostic::error(
            Code::DataWrite,
            format!(
                "cannot write {}: more than {MAX_LINKS} symbolic links (a loop?)",
                path.display()
            ),
        ))
    }

    /// Whether writing to both would mix or overwrite one output with another: the same
    /// regular file (however named), the same FIFO or socket, or standard output twice.
    /// Character devices (`/dev/null`, a terminal) may be shared.
    pub fn clashes_with(&self, other: &Destination) -> bool {
        match (self, other) {
            (Destination::Stdout, Destination::Stdout) => true,
            (Destination::File { path: a, .. }, Destination::File { path: b, .. }) => {
                same_file(a, b)
            }
            (Destination::Special(a), Destination::Special(b)) => {
                !is_char_device(a) && same_file(a, b)
            }
            _ => false,
        }
    }
}

#[cfg(unix)]
fn hard_links(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn hard_links(_meta: &std::fs::Metadata) -> u64 {
    1
}

#[cfg(unix)]
fn is_char_device(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

#[cfg(not(unix))]
fn is_char_device(_path: &Path) -> bool {
    false
}

/// Whether two paths name the same file: the same inode when both exist, else the same
/// canonical directory and file name.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    let canonical = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = std::fs::canonicalize(p) {
            return Some(c);
        }
        let dir = std::fs::canonicalize(parent_dir(p)).ok()?;
        Some(dir.join(p.file_name()?))
    };
    match (canonical(a), canonical(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A temporary file that is removed (and unregistered) unless it is committed.
pub(crate) struct Partial {
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Partial {
    fn create(target: &Path) -> Result<Partial, Diagnostic> {
        let prefix = format!("{}{}-", temp_prefix_base(target), std::process::id());
        let file = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(parent_dir(target))
            .map_err(|e| write_error(target, &e))?;
        let path = file.path().to_path_buf();
        registry().push(path.clone());
        Ok(Partial {
            file: Some(file),
            path,
        })
    }

    fn file(&mut self) -> &mut tempfile::NamedTempFile {
        self.file
            .as_mut()
            .expect("a partial file is present until it is taken")
    }

    fn take(mut self) -> tempfile::NamedTempFile {
        self.file
            .take()
            .expect("a partial file is present until it is taken")
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        // The file itself is removed by NamedTempFile's drop (when not taken), or persisted.
        registry().retain(|p| p != &self.path);
    }
}

/// Where bytes go: a temporary file committed over a regular file, a device or FIFO written
/// through, or stdout.
pub(crate) enum Target {
    File {
        partial: Partial,
        /// The real path (symbolic links followed).
        path: PathBuf,
        /// The name the user gave, for messages.
        shown: PathBuf,
        linked: bool,
    },
    Special {
        file: File,
        shown: PathBuf,
    },
    Stdout(std::io::Stdout),
}

impl Target {
    pub(crate) fn new(path: Option<&Path>) -> Result<Target, Diagnostic> {
        let Some(path) = path else {
            return Ok(Target::Stdout(std::io::stdout()));
        };
        match Destination::resolve(path)? {
            Destination::Stdout => Ok(Target::Stdout(std::io::stdout())),
            Destination::Special(real) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&real)
                    .map_err(|e| write_error(path, &e))?;
                Ok(Target::Special {
                    file,
                    shown: path.to_path_buf(),
                })
            }
            Destination::File { path: real, linked } => Ok(Target::File {
                partial: Partial::create(&real)?,
                path: real,
                shown: path.to_path_buf(),
                linked,
            }),
        }
    }

    pub(crate) fn name(&self) -> String {
        match self {
            Target::File { shown, .. } | Target::Special { shown, .. } => {
                shown.display().to_string()
            }
            Target::Stdout(_) => "<stdout>".into(),
        }
    }

    pub(crate) fn is_stdout(&self) -> bool {
        matches!(self, Target::Stdout(_))
    }

    /// Makes the output visible: renames the temporary file over the target (or copies it into
    /// a hard-linked one); flushes a device or stdout.
    pub(crate) fn commit(self) -> Result<(), Diagnostic> {
        match self {
            Target::Stdout(mut s) => s.flush().map_err(|e| {
                note_stdout_error(&e);
                write_error(Path::new("<stdout>"), &e)
            }),
            Target::Special { mut file, shown } => {
                file.flush().map_err(|e| write_error(&shown, &e))
            }
            Target::File {
                mut partial,
                path,
                shown,
                linked,
            } => {
                let err = |e: &dyn std::fmt::Display| write_error(&shown, e);
                partial.file().as_file().sync_all().map_err(|e| err(&e))?;
                if linked {
                    // Renaming would leave the other links with the old content.
                    let tmp = partial.file();
                    let mut from = tmp.reopen().map_err(|e| err(&e))?;
                    let mut to = std::fs::OpenOptions::new()
                        .write(true)
                        .truncate(true)
                        .open(&path)
                        .map_err(|e| err(&e))?;
                    std::io::copy(&mut from, &mut to).map_err(|e| err(&e))?;
                    to.sync_all().map_err(|e| err(&e))?;
                    return Ok(()); // the temporary file is removed when `partial` drops
                }
                // A temporary file is private (0600); the output gets the target's
                // permissions, or ordinary ones.
                let perms = match std::fs::metadata(&path) {
                    Ok(m) => Some(m.permissions()),
                    Err(_) => default_permissions(),
                };
                if let Some(p) = perms {
                    // Best effort: a file system without permissions still gets the output.
                    let _ = partial.file().as_file().set_permissions(p);
                }
                let tmp = partial.take();
                tmp.persist(&path).map_err(|e| err(&e.error))?;
                Ok(())
            }
        }
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Target::File { partial, .. } => partial.file().write(buf),
            Target::Special { file, .. } => file.write(buf),
            Target::Stdout(s) => s.write(buf).inspect_err(|e| {
                note_stdout_error(e);
            }),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Target::File { partial, .. } => partial.file().flush(),
            Target::Special { file, .. } => file.flush(),
            Target::Stdout(s) => s.flush().inspect_err(|e| {
                note_stdout_error(e);
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_are_named_after_their_target_and_registered() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("graded.csv");
        let target = Target::new(Some(&out)).unwrap();
        let tmp = match &target {
            Target::File { partial, .. } => partial.path.clone(),
            _ => panic!("a new file is a regular destination"),
        };
        let name = tmp.file_name().unwrap().to_str().unwrap().to_string();
        assert!(
            name.starts_with(&format!(".graded.csv.tier-{}-", std::process::id())),
            "{name}"
        );
        assert!(registry().contains(&tmp));
        drop(target);
        assert!(!tmp.exists(), "an uncommitted output leaves nothing behind");
        assert!(!registry().contains(&tmp));
    }

    #[test]
    fn a_dead_process_temporary_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("graded.csv");
        // pid 0 is never a user process.
        let left = dir.path().join(".graded.csv.tier-0-abc123.tmp");
        std::fs::write(&left, "partial").unwrap();
        std::fs::write(dir.path().join(".other.csv.tier-0-x.tmp"), "").unwrap();
        let stale = stale_temporaries(&Destination::resolve(&out).unwrap());
        assert_eq!(stale, vec![StaleTemporary { path: left, pid: 0 }]);
    }

    #[test]
    fn long_names_keep_temporary_names_short() {
        let long = "客".repeat(80); // 240 bytes
        let base = temp_prefix_base(Path::new(&long));
        assert!(base.len() <= 160, "{}", base.len());
    }
}
