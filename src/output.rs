//! Committing outputs: every file is written into a temporary folder beside
//! the target, synced, and only then renamed into place. A failed run leaves
//! no partial file and the previous output untouched.

use crate::diagnostic::{Code, Diagnostic};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file that marks a folder as a reddition output (written last).
pub const MANIFEST: &str = "manifest.json";

/// Relative path → content, in path order.
pub type Bundle = BTreeMap<String, Vec<u8>>;

/// Replaces `target` by a folder holding exactly `bundle`.
pub fn commit(target: &Path, bundle: &Bundle) -> Result<(), Diagnostic> {
    let io = |what: &str, path: &Path, error: std::io::Error| {
        Diagnostic::error(Code::OutputIo, format!("cannot {what} `{}`: {error}", path.display()))
            .help("check the output folder's permissions and free space; the previous output is untouched")
    };
    if target.exists() && !is_previous_output(target) {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!("refusing to replace `{}`: it is not empty and holds no {MANIFEST}", target.display()),
        )
        .help("choose an empty or new folder for --out; reddition replaces its output folder as a whole"));
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| io("create", parent, e))?;
    let name = target
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = write_bundle(&staging, bundle).map_err(|(path, e)| io("write", &path, e));
    if let Err(error) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    let previous = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_previous = target.exists();
    if had_previous && let Err(error) = fs::rename(target, &previous) {
        let _ = fs::remove_dir_all(&staging);
        return Err(io("move aside", target, error));
    }
    if let Err(error) = fs::rename(&staging, target) {
        if had_previous {
            let _ = fs::rename(&previous, target);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(io("rename into place", target, error));
    }
    if had_previous {
        let _ = fs::remove_dir_all(&previous);
    }
    sync_dir(parent);
    Ok(())
}

fn is_previous_output(target: &Path) -> bool {
    target.join(MANIFEST).is_file()
        || fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_none())
}

/// Writes every file, the manifest last, each synced to disk.
fn write_bundle(staging: &Path, bundle: &Bundle) -> Result<(), (PathBuf, std::io::Error)> {
    fs::create_dir_all(staging).map_err(|e| (staging.to_path_buf(), e))?;
    let others = bundle.iter().filter(|(path, _)| path.as_str() != MANIFEST);
    let manifest = bundle.iter().filter(|(path, _)| path.as_str() == MANIFEST);
    for (relative, content) in others.chain(manifest) {
        let path = staging.join(relative);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(|e| (folder.to_path_buf(), e))?;
        }
        let mut file = fs::File::create(&path).map_err(|e| (path.clone(), e))?;
        file.write_all(content).map_err(|e| (path.clone(), e))?;
        file.sync_all().map_err(|e| (path.clone(), e))?;
    }
    sync_dir(staging);
    Ok(())
}

fn sync_dir(path: &Path) {
    if let Ok(folder) = fs::File::open(path) {
        let _ = folder.sync_all();
    }
}
