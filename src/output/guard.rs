//! What keeps two runs, or a run and a signal, from destroying an output:
//! the lock beside the target and the interruption flag.

use super::{Disk, io_error, left_behind};
use crate::diagnostic::{Code, Diagnostic};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The lock of one target: `.NAME.lock` beside it, held while the target is
/// replaced. Only the run holding it may create, rename or remove anything
/// named after the target; the lock ends with the process, however it ends.
pub struct Lock {
    file: fs::File,
    path: PathBuf,
}

/// Takes the lock of `parent/name`, or says that another run holds it. With
/// `wait`, waits for that run to finish instead (unless this run is
/// interrupted meanwhile), calling `wait` once if it has to.
pub fn lock(
    parent: &Path,
    name: &str,
    target: &Path,
    mut wait: Option<&mut dyn FnMut()>,
) -> Result<Lock, Diagnostic> {
    let path = parent.join(format!(".{name}.lock"));
    let mut said = false;
    loop {
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_error("create", &path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) if wait.is_some() => {
                if interrupted() {
                    return Err(stopped());
                }
                if let Some(say) = wait.as_mut().filter(|_| !said) {
                    say();
                    said = true;
                }
                // Polled rather than blocking, so that Ctrl-C is seen.
                std::thread::sleep(std::time::Duration::from_millis(50));
                continue;
            }
            Err(fs::TryLockError::WouldBlock) => return Err(held(target, &path)),
            Err(fs::TryLockError::Error(e)) => return Err(io_error("lock", &path, e)),
        }
        // The run that held it may have removed the file between our open
        // and our lock: then we hold a lock no one else sees; take it again.
        if still_named(&file, &path) {
            return Ok(Lock { file, path });
        }
    }
}

fn held(target: &Path, path: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::OutputIo,
        format!(
            "another run is writing `{}` (it holds `{}`)",
            target.display(),
            path.display()
        ),
    )
    .help("wait for it to finish and run again (or add --wait), or choose another folder for --out")
}

#[cfg(unix)]
fn still_named(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_named(_: &fs::File, _: &Path) -> bool {
    true
}

impl Drop for Lock {
    /// Removes the lock file while still holding it (a run that opened it
    /// meanwhile sees it gone and takes a new one), then releases it.
    fn drop(&mut self) {
        #[cfg(unix)]
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Removes what a killed run left behind (`.NAME.tmp-PID`, `.NAME.old-PID`),
/// through `disk`. Called only under the lock: no other run of this target
/// is alive, so every such leftover is stale. A leftover `.old` folder is
/// the previous output: it is put back if the target is missing (a run
/// died between the two renames, or could not put it back); failing to do
/// so is an error, and the commit stops with the previous output still
/// whole beside the target. A leftover that cannot be removed is a warning
/// (it is no part of any output), unless it bears this run's own staging
/// name (a process id reused), which the commit would write into.
pub fn remove_stale(
    disk: &mut dyn Disk,
    parent: &Path,
    name: &str,
    staging: &Path,
) -> Result<Vec<Diagnostic>, Diagnostic> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .collect();
    found.sort();
    let target = parent.join(name);
    let mut warnings = Vec::new();
    for (file_name, path) in found {
        let aside = file_name.starts_with(&format!(".{name}.old-"));
        if aside && fs::symlink_metadata(&target).is_err() {
            disk.rename(&path, &target).map_err(|e| {
                io_error("put back the previous output from", &path, e).help(format!(
                    "the previous output is whole in `{}`; rename it to `{}` yourself",
                    path.display(),
                    target.display()
                ))
            })?;
        } else if aside || file_name.starts_with(&format!(".{name}.tmp-")) {
            match disk.remove_all(&path) {
                Err(e) if path == staging => return Err(io_error("remove", &path, e)),
                Err(e) => warnings.push(left_behind(&path, "what an earlier run left", &e)),
                Ok(()) => {}
            }
        }
    }
    Ok(warnings)
}

/// Removes a folder with all it holds, or a file.
pub fn remove(path: &Path) {
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        let _ = fs::remove_dir_all(path);
    } else {
        let _ = fs::remove_file(path);
    }
}

/// Set once a commit could not put the previous output back: the run must
/// not say that nothing was written.
static ASIDE: AtomicBool = AtomicBool::new(false);

pub(super) fn set_aside() {
    ASIDE.store(true, Ordering::SeqCst);
}

/// Whether a commit of this run left the previous output aside, beside its
/// target, having failed to put it back (its error says where it is).
pub fn previous_aside() -> bool {
    ASIDE.load(Ordering::SeqCst)
}

/// The interruption state, in one word so that the signal handler and a
/// commit starting on another thread see each other: bit 0 is set once an
/// interruption is requested, bit 1 once an output has been committed, and
/// the rest counts the commits in progress.
static STATE: AtomicUsize = AtomicUsize::new(0);
const REQUESTED: usize = 1;
const WRITTEN: usize = 2;
const ACTIVE: usize = 4;

/// What the signal handler may do after [`interrupt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// The first request: the run stops at its next check (between the
    /// steps of reading and of a commit); the handler must not exit.
    Deferred,
    /// A repeated request while no commit is in progress and none has
    /// completed: the handler may exit at once, nothing was written.
    NothingWritten,
    /// A repeated request after a commit completed: the handler may exit,
    /// the output is whole.
    AlreadyWritten,
}

/// Records an interruption (called from the signal handler). It removes
/// nothing itself: the run stops at its next check and cleans its own
/// staging. Only a repeated request outside a commit lets the handler exit,
/// for a run blocked where it cannot check (reading a pipe).
pub fn interrupt() -> Interruption {
    let before = STATE.fetch_or(REQUESTED, Ordering::SeqCst);
    if before & REQUESTED == 0 || before >= ACTIVE {
        Interruption::Deferred
    } else if before & WRITTEN != 0 {
        Interruption::AlreadyWritten
    } else {
        Interruption::NothingWritten
    }
}

/// Whether an interruption was requested: a commit that failed while it
/// was stopped for it, having written nothing.
pub fn interrupted() -> bool {
    STATE.load(Ordering::SeqCst) & REQUESTED != 0
}

/// A commit in progress: while one exists the signal handler defers to it.
pub struct Active {
    staging: PathBuf,
    done: bool,
}

impl Active {
    /// Starts a commit that stages into `staging`, unless an interruption
    /// came first (then nothing is created). Counted before anything is
    /// created, so the signal handler never exits leaving it behind.
    pub fn begin(staging: PathBuf) -> Result<Active, Diagnostic> {
        let before = STATE.fetch_add(ACTIVE, Ordering::SeqCst);
        let active = Active {
            staging,
            done: false,
        };
        if before & REQUESTED != 0 {
            return Err(stopped());
        }
        Ok(active)
    }

    /// Marks the new output in place: from here an interruption changes nothing.
    pub fn written(&mut self) {
        self.done = true;
        STATE.fetch_or(WRITTEN, Ordering::SeqCst);
    }
}

impl Drop for Active {
    /// A commit that did not complete removes its own staging.
    fn drop(&mut self) {
        if !self.done {
            remove(&self.staging);
        }
        STATE.fetch_sub(ACTIVE, Ordering::SeqCst);
    }
}

/// The error of a commit stopped by an interruption.
pub fn stopped() -> Diagnostic {
    Diagnostic::error(Code::OutputIo, "interrupted before the output was replaced")
        .help("the previous output is untouched")
}
