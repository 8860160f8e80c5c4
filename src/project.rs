//! A project on disk: its root, its specification files and the files they
//! name. The only module besides `main` and `output` that touches the file
//! system; every path it takes is relative to the project root.

use crate::diagnostic::{Code, Diagnostic, Result};
use crate::source::{FileId, Sources};
use std::path::{Path, PathBuf};

pub struct Project {
    pub root: PathBuf,
}

impl Project {
    pub fn new(root: impl Into<PathBuf>) -> Project {
        Project { root: root.into() }
    }

    /// Reads a file named relative to the root.
    pub fn read(&self, relative: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.root.join(relative))
    }

    /// A source path: the file itself, or every `*.csv` of a folder in name order.
    pub fn expand(&self, relative: &str) -> std::io::Result<Vec<String>> {
        let path = self.root.join(relative);
        if !path.is_dir() {
            std::fs::metadata(&path)?;
            return Ok(vec![relative.to_string()]);
        }
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&path)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.to_ascii_lowercase().ends_with(".csv") {
                files.push(format!("{}/{name}", relative.trim_end_matches('/')));
            }
        }
        files.sort();
        Ok(files)
    }

    /// Loads every `*.rdn` under `reports/`, in path order, into `sources`.
    pub fn load_specification(&self, sources: &mut Sources) -> Result<Vec<FileId>> {
        let reports = self.root.join("reports");
        let mut paths = Vec::new();
        collect_rdn(&reports, &mut paths).map_err(|error| {
            vec![
                Diagnostic::error(
                    Code::Io,
                    format!(
                        "cannot read the specification folder `{}`: {error}",
                        reports.display()
                    ),
                )
                .help("run from a project root (a folder with reports/), or pass its path"),
            ]
        })?;
        paths.sort();
        if paths.is_empty() {
            return Err(vec![Diagnostic::error(
                Code::ProjectShape,
                format!(
                    "no specification file (*.rdn) under `{}`",
                    reports.display()
                ),
            )]);
        }
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            let shown = path
                .strip_prefix(&self.root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => files.push(sources.add(shown, text)),
                    Err(error) => {
                        // Show the file with the bad bytes replaced, pointing at the first.
                        let valid = error.utf8_error().valid_up_to();
                        let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                        let width = text[valid..].chars().next().map_or(0, char::len_utf8);
                        let file = sources.add(shown.clone(), text);
                        errors.push(
                            Diagnostic::error(Code::SpecNotUtf8, format!("`{shown}` is not valid UTF-8"))
                                .at(crate::source::Span::new(file, valid, valid + width), "invalid byte here")
                                .help("specification files are UTF-8; re-save the file as UTF-8 (it looks like Windows-1252 or Latin-1)"),
                        );
                    }
                },
                Err(error) => errors.push(Diagnostic::error(
                    Code::Io,
                    format!("cannot read `{shown}`: {error}"),
                )),
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }
}

fn collect_rdn(folder: &Path, paths: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_rdn(&path, paths)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "rdn") {
            paths.push(path);
        }
    }
    Ok(())
}
