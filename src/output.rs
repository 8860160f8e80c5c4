//! Committing outputs: every file is written into a temporary folder beside
//! the target, synced, and only then renamed into place, the manifest last.
//! A failed or interrupted run leaves no partial file and the previous
//! output untouched; what a killed run left behind is cleaned by the next.
//! One run at a time works on a given target: it reserves it (a lock
//! beside it) before reading anything and holds it to the end, and an
//! interruption stops a commit only where it can still be undone.

mod guard;
mod target;

use guard::{Active, Lock, lock, remove_stale};
pub use guard::{Interruption, interrupt, interrupted, stopped};

use crate::diagnostic::{Code, Diagnostic};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file that marks a folder as a reddition output (written last).
pub const MANIFEST: &str = "manifest.json";

/// Relative path → content, in path order.
pub type Bundle = BTreeMap<String, Vec<u8>>;

/// The file-system operations a commit performs, so that tests can make any
/// one of them fail. Clean-up (removing folders) is not among them: it is
/// best effort and never decides the outcome.
pub trait Disk {
    fn create_dir_all(&mut self, path: &Path) -> std::io::Result<()>;
    fn create(&mut self, path: &Path) -> std::io::Result<fs::File>;
    fn write(&mut self, file: &mut fs::File, content: &[u8]) -> std::io::Result<()>;
    fn flush(&mut self, file: &mut fs::File) -> std::io::Result<()>;
    fn sync(&mut self, file: &fs::File) -> std::io::Result<()>;
    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()>;
    /// Whether the run was asked to stop (checked between the steps of a
    /// commit); by default whether the signal handler called [`interrupt`].
    fn interrupted(&mut self) -> bool {
        interrupted()
    }
}

/// The real file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn create_dir_all(&mut self, path: &Path) -> std::io::Result<()> {
        fs::create_dir_all(path)
    }
    fn create(&mut self, path: &Path) -> std::io::Result<fs::File> {
        fs::File::create(path)
    }
    fn write(&mut self, file: &mut fs::File, content: &[u8]) -> std::io::Result<()> {
        file.write_all(content)
    }
    fn flush(&mut self, file: &mut fs::File) -> std::io::Result<()> {
        file.flush()
    }
    fn sync(&mut self, file: &fs::File) -> std::io::Result<()> {
        file.sync_all()
    }
    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()> {
        fs::rename(from, to)
    }
}

/// A target reserved for this run: while it lives no other run can write
/// the target. Taken before the inputs are read, so a run refused for a
/// busy target has done no work, and held until the run ends.
pub struct Reservation {
    target: PathBuf,
    parent: PathBuf,
    name: String,
    /// `None` while the folder holding the target does not exist yet: the
    /// lock is then taken once the commit has created it.
    lock: Option<Lock>,
}

/// Reserves `target` (a folder, or a file for `what` = "file"). If another
/// run holds it: an error, or with `wait`, a wait for that run to end,
/// calling `wait` once first (to say so).
pub fn reserve(
    target: &Path,
    what: &str,
    wait: Option<&mut dyn FnMut()>,
) -> Result<Reservation, Diagnostic> {
    let (parent, name) = target::place(target, what)?;
    let lock = match parent.is_dir() {
        true => Some(lock(&parent, &name, target, wait)?),
        false => None,
    };
    Ok(Reservation {
        target: target.to_path_buf(),
        parent,
        name,
        lock,
    })
}

impl Reservation {
    /// Creates the folder holding the target and takes the lock if not yet
    /// held, then removes what killed runs left behind.
    fn ready(&mut self, disk: &mut dyn Disk) -> Result<(), Diagnostic> {
        if self.lock.is_none() {
            disk.create_dir_all(&self.parent)
                .map_err(|e| io_error("create", &self.parent, e))?;
            let held = lock(&self.parent, &self.name, &self.target, None)?;
            self.lock = Some(held);
        }
        remove_stale(&self.parent, &self.name);
        Ok(())
    }

    fn staging(&self) -> PathBuf {
        self.parent
            .join(format!(".{}.tmp-{}", self.name, std::process::id()))
    }
}

/// Replaces `target` by a folder holding exactly `bundle`.
pub fn commit(target: &Path, bundle: &Bundle) -> Result<(), Diagnostic> {
    commit_with(&mut RealDisk, target, bundle)
}

/// Refuses an output folder whose replacement would destroy an input: the
/// project itself, a folder above it, or a folder holding any input file.
/// `inputs` pairs each input's path with the name shown to the user.
pub fn check_target(target: &Path, inputs: &[(PathBuf, String)]) -> Result<(), Diagnostic> {
    let Ok(real_target) = target.canonicalize() else {
        return Ok(());
    };
    let endangered = inputs.iter().find(|(path, _)| {
        path.canonicalize()
            .is_ok_and(|real| real.starts_with(&real_target))
    });
    match endangered {
        Some((_, shown)) => Err(Diagnostic::error(
            Code::OutputIo,
            format!(
                "refusing to write into `{}`: the input `{shown}` is there",
                target.display()
            ),
        )
        .help("--out replaces its folder as a whole; choose a folder outside reports/ and ledgers/, e.g. `out`")),
        None => Ok(()),
    }
}

/// [`commit`] through a given [`Disk`].
pub fn commit_with(disk: &mut dyn Disk, target: &Path, bundle: &Bundle) -> Result<(), Diagnostic> {
    let mut reservation = reserve(target, "folder", None)?;
    commit_reserved(disk, &mut reservation, bundle)
}

/// Replaces the reserved folder by one holding exactly `bundle`.
pub fn commit_reserved(
    disk: &mut dyn Disk,
    reservation: &mut Reservation,
    bundle: &Bundle,
) -> Result<(), Diagnostic> {
    let target = reservation.target.clone();
    if target.is_file() {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!("`{}` is a file; --out names a folder", target.display()),
        )
        .help("choose a new or empty folder, e.g. `--out out`"));
    }
    let staging = reservation.staging();
    let mut active = Active::begin(staging.clone())?;
    reservation.ready(disk)?;
    // Under the lock: another run may have been replacing the folder.
    target::previous_output(&target)?;
    write_bundle(disk, &staging, bundle)?;
    swap(
        disk,
        &staging,
        &target,
        &reservation.parent,
        &reservation.name,
    )?;
    active.written();
    sync_dir(&reservation.parent);
    Ok(())
}

/// Replaces the reserved single file by `content`: written to a temporary
/// file beside it (`.NAME.tmp-PID`), flushed and synced, then renamed over
/// it. A failed or interrupted run leaves the previous file as it was.
/// Refuses a folder, a target that is one of `inputs`, and a file that is
/// not a previous trial balance.
pub fn commit_file(
    reservation: &mut Reservation,
    content: &[u8],
    inputs: &[PathBuf],
) -> Result<(), Diagnostic> {
    let target = reservation.target.clone();
    if target.is_dir() {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!(
                "`{}` is a folder; --out names a file here",
                target.display()
            ),
        )
        .help("name the CSV file to write, e.g. `--out balance.csv`"));
    }
    if let Ok(real) = target.canonicalize()
        && inputs
            .iter()
            .filter_map(|input| input.canonicalize().ok())
            .any(|input| input == real)
    {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!(
                "refusing to write `{}`: it is an input of this run",
                target.display()
            ),
        )
        .help("choose another file for --out"));
    }
    target::replaceable_file(&target)?;
    let staging = reservation.staging();
    let mut active = Active::begin(staging.clone())?;
    reservation.ready(&mut RealDisk)?;
    let mut file = fs::File::create(&staging).map_err(|e| io_error("create", &staging, e))?;
    file.write_all(content)
        .and_then(|()| file.flush())
        .map_err(|e| io_error("write", &staging, e))?;
    file.sync_all().map_err(|e| io_error("sync", &staging, e))?;
    if interrupted() {
        return Err(guard::stopped());
    }
    fs::rename(&staging, &target).map_err(|e| io_error("rename into place", &target, e))?;
    active.written();
    sync_dir(&reservation.parent);
    Ok(())
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::OutputIo,
        format!("cannot {what} `{}`: {error}", path.display()),
    )
    .help("check the output folder's permissions and free space; the previous output is untouched")
}

/// Moves the previous output aside, the staging folder into place, then
/// drops the previous output; on failure, or on an interruption between the
/// two renames, puts the previous output back. Once the new output is in
/// place nothing is undone.
fn swap(
    disk: &mut dyn Disk,
    staging: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
) -> Result<(), Diagnostic> {
    let previous = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_previous = target.exists();
    stop_if_interrupted(disk)?;
    if had_previous {
        disk.rename(target, &previous)
            .map_err(|e| io_error("move aside", target, e))?;
    }
    let moved = if disk.interrupted() {
        Err(guard::stopped())
    } else {
        disk.rename(staging, target)
            .map_err(|e| io_error("rename into place", target, e))
    };
    if moved.is_err() && had_previous {
        let _ = fs::rename(&previous, target);
    }
    moved?;
    if had_previous {
        let _ = fs::remove_dir_all(&previous);
    }
    Ok(())
}

fn stop_if_interrupted(disk: &mut dyn Disk) -> Result<(), Diagnostic> {
    match disk.interrupted() {
        true => Err(guard::stopped()),
        false => Ok(()),
    }
}

/// Writes every file, the manifest last, each flushed and synced to disk.
fn write_bundle(disk: &mut dyn Disk, staging: &Path, bundle: &Bundle) -> Result<(), Diagnostic> {
    disk.create_dir_all(staging)
        .map_err(|e| io_error("create", staging, e))?;
    let others = bundle.iter().filter(|(path, _)| path.as_str() != MANIFEST);
    let manifest = bundle.iter().filter(|(path, _)| path.as_str() == MANIFEST);
    for (relative, content) in others.chain(manifest) {
        stop_if_interrupted(disk)?;
        let path = staging.join(relative);
        if let Some(folder) = path.parent() {
            disk.create_dir_all(folder)
                .map_err(|e| io_error("create", folder, e))?;
        }
        let mut file = disk
            .create(&path)
            .map_err(|e| io_error("create", &path, e))?;
        disk.write(&mut file, content)
            .map_err(|e| io_error("write", &path, e))?;
        disk.flush(&mut file)
            .map_err(|e| io_error("flush", &path, e))?;
        disk.sync(&file).map_err(|e| io_error("sync", &path, e))?;
    }
    sync_dir(staging);
    Ok(())
}

fn sync_dir(path: &Path) {
    if let Ok(folder) = fs::File::open(path) {
        let _ = folder.sync_all();
    }
}
