//! Committing outputs: every file is written into a temporary folder beside
//! the target, synced, and only then renamed into place, the manifest last.
//! A failed or interrupted run leaves no partial file and the previous
//! output untouched; what a killed run left behind is cleaned by the next.

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

/// The staging folder of a commit in progress, removed if the run is interrupted.
static STAGING: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// Removes the staging folder (or file) of an interrupted commit (called on Ctrl-C).
pub fn abandon() {
    if let Ok(mut staging) = STAGING.lock()
        && let Some(path) = staging.take()
    {
        if path.is_dir() {
            let _ = fs::remove_dir_all(path);
        } else {
            let _ = fs::remove_file(path);
        }
    }
}

fn set_staging(path: Option<PathBuf>) {
    if let Ok(mut staging) = STAGING.lock() {
        *staging = path;
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
    if target.is_file() {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!("`{}` is a file; --out names a folder", target.display()),
        )
        .help("choose a new or empty folder, e.g. `--out out`"));
    }
    if target.exists() && !is_previous_output(target) {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!(
                "refusing to replace `{}`: it is neither empty nor a previous reddition output",
                target.display()
            ),
        )
        .help("choose an empty or new folder for --out; reddition replaces its output folder as a whole"));
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    disk.create_dir_all(parent)
        .map_err(|e| io_error("create", parent, e))?;
    let name = target
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    remove_stale(parent, &name);
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    set_staging(Some(staging.clone()));
    let result = write_bundle(disk, &staging, bundle)
        .and_then(|()| swap(disk, &staging, target, parent, &name));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    set_staging(None);
    sync_dir(parent);
    result
}

/// Replaces the single file `target` by `content`: written to a temporary
/// file beside it (`.NAME.tmp-PID`), flushed and synced, then renamed over
/// it. A failed or interrupted run leaves the previous file as it was.
/// Refuses a folder, and a target that is one of `inputs`.
pub fn commit_file(target: &Path, content: &[u8], inputs: &[PathBuf]) -> Result<(), Diagnostic> {
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
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!("`{}` does not name a file", target.display()),
        ));
    };
    if let Ok(entries) = fs::read_dir(parent) {
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(&format!(".{name}.tmp-"))
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    set_staging(Some(staging.clone()));
    let result = (|| {
        let mut file = fs::File::create(&staging).map_err(|e| io_error("create", &staging, e))?;
        file.write_all(content)
            .and_then(|()| file.flush())
            .map_err(|e| io_error("write", &staging, e))?;
        file.sync_all().map_err(|e| io_error("sync", &staging, e))?;
        fs::rename(&staging, target).map_err(|e| io_error("rename into place", target, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&staging);
    }
    set_staging(None);
    sync_dir(parent);
    result
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::OutputIo,
        format!("cannot {what} `{}`: {error}", path.display()),
    )
    .help("check the output folder's permissions and free space; the previous output is untouched")
}

/// Moves the previous output aside, the staging folder into place, then
/// drops the previous output; on failure puts the previous output back.
fn swap(
    disk: &mut dyn Disk,
    staging: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
) -> Result<(), Diagnostic> {
    let previous = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_previous = target.exists();
    if had_previous {
        disk.rename(target, &previous)
            .map_err(|e| io_error("move aside", target, e))?;
    }
    if let Err(error) = disk.rename(staging, target) {
        if had_previous {
            let _ = fs::rename(&previous, target);
        }
        return Err(io_error("rename into place", target, error));
    }
    if had_previous {
        let _ = fs::remove_dir_all(&previous);
    }
    Ok(())
}

/// Removes what a killed run left behind (`.NAME.tmp-PID`, `.NAME.old-PID`).
/// A leftover `.old` folder is the previous output: it is put back if the
/// target is missing (the run died between the two renames).
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if file_name.starts_with(&format!(".{name}.tmp-")) {
            let _ = fs::remove_dir_all(&path);
        } else if file_name.starts_with(&format!(".{name}.old-")) {
            let target = parent.join(name);
            if target.exists() {
                let _ = fs::remove_dir_all(&path);
            } else {
                let _ = fs::rename(&path, &target);
            }
        }
    }
}

/// An empty folder, or one whose manifest says reddition wrote it.
fn is_previous_output(target: &Path) -> bool {
    let ours = fs::read(target.join(MANIFEST))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|manifest| manifest["tool"] == "reddition");
    ours || fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_none())
}

/// Writes every file, the manifest last, each flushed and synced to disk.
fn write_bundle(disk: &mut dyn Disk, staging: &Path, bundle: &Bundle) -> Result<(), Diagnostic> {
    disk.create_dir_all(staging)
        .map_err(|e| io_error("create", staging, e))?;
    let others = bundle.iter().filter(|(path, _)| path.as_str() != MANIFEST);
    let manifest = bundle.iter().filter(|(path, _)| path.as_str() == MANIFEST);
    for (relative, content) in others.chain(manifest) {
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
