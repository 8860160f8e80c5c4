//! What `--out` may name: checks made before anything is created, so a
//! refused target is left exactly as it was.

use super::MANIFEST;
use crate::diagnostic::{Code, Diagnostic};
use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The folder holding `target` and the target's own name. Refuses a path
/// ending in `.` or `..` (it names no entry of its own: `out/..` would
/// replace the folder above) and a symbolic link (renaming over it would
/// replace the link, not what it points to).
pub fn place(target: &Path, what: &str) -> Result<(PathBuf, String), Diagnostic> {
    let name = match target.components().next_back() {
        Some(Component::Normal(name)) => name.to_string_lossy().into_owned(),
        _ => {
            return Err(Diagnostic::error(
                Code::OutputIo,
                format!("`{}` does not name a {what}", target.display()),
            )
            .help(format!(
                "--out names the {what} itself, without `.` or `..` at its end, e.g. `--out out`"
            )));
        }
    };
    if let Ok(pointed) = fs::read_link(target) {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!(
                "`{}` is a symbolic link (to `{}`); --out replaces a real {what}",
                target.display(),
                pointed.display()
            ),
        )
        .help(format!("name the {what} it points to, or a new one")));
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok((parent, name))
}

/// Refuses a folder unless it is missing, empty, or a previous output
/// holding nothing its manifest does not list: files a user added (notes,
/// a workbook) would be lost with it.
pub fn previous_output(target: &Path) -> Result<(), Diagnostic> {
    if fs::symlink_metadata(target).is_err() {
        return Ok(());
    }
    if fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_none()) {
        return Ok(());
    }
    let Some(listed) = listed_outputs(target) else {
        return Err(Diagnostic::error(
            Code::OutputIo,
            format!(
                "refusing to replace `{}`: it is neither empty nor a previous reddition output",
                target.display()
            ),
        )
        .help("choose an empty or new folder for --out; reddition replaces its output folder as a whole"));
    };
    let mut extras = Vec::new();
    unlisted(target, "", &listed, &mut extras);
    if extras.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = extras.iter().take(5).map(|e| format!("`{e}`")).collect();
    let more = match extras.len() {
        0..=5 => String::new(),
        n => format!(" and {} more", n - 5),
    };
    Err(Diagnostic::error(
        Code::OutputIo,
        format!(
            "refusing to replace `{}`: besides a previous output it holds {}{more}",
            target.display(),
            shown.join(", ")
        ),
    )
    .help("move them out of the folder, or choose another folder for --out; reddition replaces its output folder as a whole"))
}

/// The outputs a reddition manifest in `folder` lists, with the manifest
/// itself; `None` if the folder has no such manifest.
fn listed_outputs(folder: &Path) -> Option<BTreeSet<String>> {
    let bytes = fs::read(folder.join(MANIFEST)).ok()?;
    let manifest = serde_json::from_slice::<serde_json::Value>(&bytes).ok()?;
    if manifest["tool"] != "reddition" {
        return None;
    }
    let mut listed: BTreeSet<String> = manifest["outputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|file| file["path"].as_str().map(str::to_string))
        .collect();
    listed.insert(MANIFEST.to_string());
    Some(listed)
}

/// Every entry under `folder` that is neither a listed file nor a folder
/// leading to one (links are never followed), as `relative` paths.
fn unlisted(folder: &Path, relative: &str, listed: &BTreeSet<String>, extras: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = format!("{relative}{}", entry.file_name().to_string_lossy());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && listed.iter().any(|l| l.starts_with(&format!("{path}/"))) {
            unlisted(&entry.path(), &format!("{path}/"), listed, extras);
        } else if is_dir {
            extras.push(format!("{path}/"));
        } else if !listed.contains(&path) {
            extras.push(path);
        }
    }
}

/// Refuses to replace a file that is not a previous trial balance (a
/// template, a build's manifest, a user's file).
pub fn replaceable_file(target: &Path) -> Result<(), Diagnostic> {
    // The first bytes tell a trial balance; the file may be large.
    let mut previous = Vec::new();
    if let Ok(file) = fs::File::open(target) {
        let _ = file.take(16).read_to_end(&mut previous);
    }
    if previous.is_empty() || previous.starts_with(b"entity,account,") {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::OutputIo,
        format!(
            "refusing to replace `{}`: it is not a trial balance",
            target.display()
        ),
    )
    .help(
        "--out replaces only a previous trial balance; choose a new file, e.g. `--out balance.csv`",
    ))
}
