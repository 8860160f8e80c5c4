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
pub use guard::{Interruption, interrupt, interrupted, previous_aside, stopped};

use crate::diagnostic::{Code, Diagnostic};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file that marks a folder as a reddition output (written last).
pub const MANIFEST: &str = "manifest.json";

/// Relative path → content, in path order.
pub type Bundle = BTreeMap<String, Vec<u8>>;

/// The file-system operations of a commit, of a folder (`build`) or of one
/// file (`trial-balance --out`), so that tests can make any one of them
/// fail: every creation, write, sync, rename and removal of an output, of
/// its temporary, of the previous output and of what a killed run left.
/// Two things bypass it: the lock beside the target (`guard.rs`: taken
/// before a run reads anything, failing there is exit 3 with nothing done)
/// and the removal of a failed commit's own staging when the commit ends
/// (also on a panic, where no `Disk` is at hand); what that removal leaves,
/// the next run removes through the `Disk`.
pub trait Disk {
    fn create_dir_all(&mut self, path: &Path) -> std::io::Result<()>;
    fn create(&mut self, path: &Path) -> std::io::Result<fs::File>;
    fn write(&mut self, file: &mut fs::File, content: &[u8]) -> std::io::Result<()>;
    fn flush(&mut self, file: &mut fs::File) -> std::io::Result<()>;
    fn sync(&mut self, file: &fs::File) -> std::io::Result<()>;
    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()>;
    /// Makes the entries of a folder (files created or renamed in it) durable.
    fn sync_dir(&mut self, path: &Path) -> std::io::Result<()>;
    /// Removes a folder with all it holds, or a file.
    fn remove_all(&mut self, path: &Path) -> std::io::Result<()>;
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
    #[cfg(unix)]
    fn sync_dir(&mut self, path: &Path) -> std::io::Result<()> {
        fs::File::open(path)?.sync_all()
    }
    /// Elsewhere a folder cannot be opened to be synced; its entries are
    /// made durable by the file system itself.
    #[cfg(not(unix))]
    fn sync_dir(&mut self, _: &Path) -> std::io::Result<()> {
        Ok(())
    }
    fn remove_all(&mut self, path: &Path) -> std::io::Result<()> {
        if fs::symlink_metadata(path)?.is_dir() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        }
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
    /// held, then puts back the previous output a killed run left aside
    /// and removes its temporaries. Returns warnings for leftovers that
    /// could not be removed.
    fn ready(&mut self, disk: &mut dyn Disk) -> Result<Vec<Diagnostic>, Diagnostic> {
        if self.lock.is_none() {
            disk.create_dir_all(&self.parent)
                .map_err(|e| io_error("create", &self.parent, e))?;
            let held = lock(&self.parent, &self.name, &self.target, None)?;
            self.lock = Some(held);
        }
        remove_stale(disk, &self.parent, &self.name, &self.staging())
    }

    fn staging(&self) -> PathBuf {
        self.parent
            .join(format!(".{}.tmp-{}", self.name, std::process::id()))
    }
}

/// Replaces `target` by a folder holding exactly `bundle`. Returns warnings:
/// what could not be done once the new output was in place, or leftovers
/// of killed runs that could not be removed.
pub fn commit(target: &Path, bundle: &Bundle) -> Result<Vec<Diagnostic>, Diagnostic> {
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
pub fn commit_with(
    disk: &mut dyn Disk,
    target: &Path,
    bundle: &Bundle,
) -> Result<Vec<Diagnostic>, Diagnostic> {
    let mut reservation = reserve(target, "folder", None)?;
    commit_reserved(disk, &mut reservation, bundle)
}

/// Replaces the reserved folder by one holding exactly `bundle`; returns
/// warnings, as [`commit`] does.
pub fn commit_reserved(
    disk: &mut dyn Disk,
    reservation: &mut Reservation,
    bundle: &Bundle,
) -> Result<Vec<Diagnostic>, Diagnostic> {
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
    let mut warnings = reservation.ready(disk)?;
    // Under the lock: another run may have been replacing the folder.
    target::previous_output(&target)?;
    write_bundle(disk, &staging, bundle)?;
    let previous = swap(
        disk,
        &staging,
        &target,
        &reservation.parent,
        &reservation.name,
    )?;
    active.written();
    warnings.extend(settle(disk, &target, &reservation.parent));
    // Only once the renames are durable: removed before, a power failure
    // could leave neither output.
    if let Some(previous) = previous
        && let Err(error) = disk.remove_all(&previous)
    {
        warnings.push(left_behind(&previous, "the previous output", &error));
    }
    Ok(warnings)
}

/// Syncs the folder holding a target once the new output is renamed into
/// place. Not fatal, unlike the syncs before the rename (of each file and
/// of each staging folder, which fail the commit with nothing replaced):
/// here the new output is already in place and seen by every reader, and
/// undoing it would take renames needing the same sync. A warning says
/// that a power failure could still bring back the previous output.
fn settle(disk: &mut dyn Disk, target: &Path, parent: &Path) -> Option<Diagnostic> {
    let error = disk.sync_dir(parent).err()?;
    Some(
        Diagnostic::warning(
            Code::OutputIo,
            format!(
                "`{}` is written, but syncing `{}` failed: {error}",
                target.display(),
                parent.display()
            ),
        )
        .help("the new output is in place; if the machine loses power before the disk settles, the previous output may reappear: run again to be sure"),
    )
}

/// A leftover that could not be removed: nothing is lost, the next run
/// removes it.
fn left_behind(path: &Path, what: &str, error: &std::io::Error) -> Diagnostic {
    Diagnostic::warning(
        Code::OutputIo,
        format!("cannot remove {what} `{}`: {error}", path.display()),
    )
    .help("it is no part of the output; the next run into this folder removes it, or remove it yourself")
}

/// Replaces the reserved single file by `content`: written to a temporary
/// file beside it (`.NAME.tmp-PID`), flushed and synced, then renamed over
/// it. A failed or interrupted run leaves the previous file as it was.
/// Refuses a folder, a target that is one of `inputs`, and a file that is
/// not a previous trial balance. Returns warnings, as [`commit`] does.
pub fn commit_file(
    disk: &mut dyn Disk,
    reservation: &mut Reservation,
    content: &[u8],
    inputs: &[PathBuf],
) -> Result<Vec<Diagnostic>, Diagnostic> {
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
    let mut warnings = reservation.ready(disk)?;
    let mut file = disk
        .create(&staging)
        .map_err(|e| io_error("create", &staging, e))?;
    disk.write(&mut file, content)
        .map_err(|e| io_error("write", &staging, e))?;
    disk.flush(&mut file)
        .map_err(|e| io_error("flush", &staging, e))?;
    disk.sync(&file)
        .map_err(|e| io_error("sync", &staging, e))?;
    drop(file);
    stop_if_interrupted(disk)?;
    disk.rename(&staging, &target)
        .map_err(|e| io_error("rename into place", &target, e))?;
    active.written();
    warnings.extend(settle(disk, &target, &reservation.parent));
    Ok(warnings)
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::OutputIo,
        format!("cannot {what} `{}`: {error}", path.display()),
    )
    .help("check the output folder's permissions and free space; the previous output is untouched")
}

/// Moves the previous output aside (`.NAME.old-PID`), then the staging
/// folder into place; on failure, or on an interruption between the two
/// renames, puts the previous output back. Returns where the previous
/// output is, to be removed once the new one is durably in place.
fn swap(
    disk: &mut dyn Disk,
    staging: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
) -> Result<Option<PathBuf>, Diagnostic> {
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
    match moved {
        Ok(()) => Ok(had_previous.then_some(previous)),
        Err(failure) if had_previous => match disk.rename(&previous, target) {
            Ok(()) => Err(failure),
            Err(error) => Err(not_put_back(&failure, &previous, target, &error)),
        },
        Err(failure) => Err(failure),
    }
}

/// The previous output could not be put back after a failed swap: the
/// target is missing and the previous output is whole beside it. Said
/// loudly (never "nothing was written"); the next run puts it back before
/// anything else ([`remove_stale`]).
fn not_put_back(
    failure: &Diagnostic,
    previous: &Path,
    target: &Path,
    error: &std::io::Error,
) -> Diagnostic {
    guard::set_aside();
    Diagnostic::error(
        Code::OutputIo,
        format!(
            "`{}` is missing: the previous output was moved aside to `{}` and putting it back failed: {error}",
            target.display(),
            previous.display()
        ),
    )
    .note(format!("the commit stopped first: {}", failure.message))
    .help(format!(
        "the previous output is whole in `{}`; the next run writing `{}` puts it back before anything else, or rename it yourself",
        previous.display(),
        target.display()
    ))
}

fn stop_if_interrupted(disk: &mut dyn Disk) -> Result<(), Diagnostic> {
    match disk.interrupted() {
        true => Err(guard::stopped()),
        false => Ok(()),
    }
}

/// Writes every file, the manifest last, each flushed and synced to disk,
/// then syncs every folder of the staging (its own entries last), so that
/// nothing is renamed into place before all of it is durable. A failed
/// sync here fails the commit: nothing has been replaced yet.
fn write_bundle(disk: &mut dyn Disk, staging: &Path, bundle: &Bundle) -> Result<(), Diagnostic> {
    disk.create_dir_all(staging)
        .map_err(|e| io_error("create", staging, e))?;
    let mut folders = std::collections::BTreeSet::new();
    let others = bundle.iter().filter(|(path, _)| path.as_str() != MANIFEST);
    let manifest = bundle.iter().filter(|(path, _)| path.as_str() == MANIFEST);
    for (relative, content) in others.chain(manifest) {
        stop_if_interrupted(disk)?;
        let path = staging.join(relative);
        if let Some(folder) = path.parent()
            && folder != staging
            && !folders.contains(folder)
        {
            disk.create_dir_all(folder)
                .map_err(|e| io_error("create", folder, e))?;
            let created = folder.ancestors().take_while(|f| *f != staging);
            folders.extend(created.map(Path::to_path_buf));
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
    // Deepest first, the staging folder itself last.
    for folder in folders.iter().rev().map(PathBuf::as_path).chain([staging]) {
        disk.sync_dir(folder)
            .map_err(|e| io_error("sync", folder, e))?;
    }
    Ok(())
}
