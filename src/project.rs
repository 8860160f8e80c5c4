//! A project on disk: its root, its specification files and the files they
//! name. The only module besides `main` and `output` that touches the file
//! system; every path it takes is relative to the project root.

use crate::diagnostic::{Code, Diagnostic, Result};
use crate::limits::Limits;
use crate::source::{FileId, Sources};
use std::path::{Path, PathBuf};

pub struct Project {
    pub root: PathBuf,
    pub limits: Limits,
}

/// Why a path named in the specification was refused. Carried inside an
/// `io::Error` so that loaders keep one error type; see [`refusal`].
#[derive(Debug)]
pub enum PathRefusal {
    /// Absolute, `..` past the root, a drive or UNC form, or a link leading out.
    Outside(String),
    /// A folder, a device, a pipe: not a regular file.
    NotAFile,
    /// A file in a source folder whose name is not UTF-8 (shown with
    /// U+FFFD in its place): it could be named in no message or manifest.
    NotUtf8Name(String),
    /// Larger than the limit.
    TooLarge {
        size: u64,
        limit: u64,
        name: &'static str,
    },
}

impl std::fmt::Display for PathRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathRefusal::Outside(why) => write!(f, "{why}"),
            PathRefusal::NotAFile => write!(f, "not a regular file"),
            PathRefusal::NotUtf8Name(shown) => {
                write!(f, "it holds `{shown}`, a file name that is not UTF-8")
            }
            PathRefusal::TooLarge { size, limit, name } => {
                write!(
                    f,
                    "{size} bytes, above the limit of {limit} (raise it with --limit {name}=N)"
                )
            }
        }
    }
}

impl std::error::Error for PathRefusal {}

/// The refusal inside an I/O error from [`Project::read`], if any.
pub fn refusal(error: &std::io::Error) -> Option<&PathRefusal> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<PathRefusal>())
}

/// The diagnostic for a file that could not be read.
pub fn read_error(what: &str, error: &std::io::Error) -> Diagnostic {
    match refusal(error) {
        Some(PathRefusal::TooLarge { .. }) => {
            Diagnostic::error(Code::LimitExceeded, format!("{what} is too large: {error}"))
                .help("is it the right file? an export this large is unusual")
        }
        Some(PathRefusal::NotUtf8Name(_)) => {
            Diagnostic::error(Code::Io, format!("cannot read {what}: {error}")).help(
                "rename the file with a UTF-8 name: every input is named in messages and in the manifest",
            )
        }
        Some(refused) => Diagnostic::error(
            Code::PathOutsideProject,
            format!("{what} is refused: {refused}"),
        )
        .help("name files inside the project folder, relative to its root (e.g. `ledgers/gl.csv`)"),
        None => Diagnostic::error(Code::Io, format!("cannot read {what}: {error}")),
    }
}

fn refuse(refusal: PathRefusal) -> std::io::Error {
    std::io::Error::other(refusal)
}

impl Project {
    pub fn new(root: impl Into<PathBuf>) -> Project {
        Project {
            root: root.into(),
            limits: Limits::default(),
        }
    }

    /// Reads a file named relative to the root, confined to the root.
    pub fn read(&self, relative: &str) -> std::io::Result<Vec<u8>> {
        self.read_limited(relative, self.limits.spec_file_bytes, "spec-file-bytes")
    }

    /// Reads a ledger export (its own, larger size limit).
    pub fn read_ledger(&self, relative: &str) -> std::io::Result<Vec<u8>> {
        self.read_limited(relative, self.limits.ledger_file_bytes, "ledger-file-bytes")
    }

    /// The path of a ledger export that [`Project::read_ledger`] would read,
    /// with the same refusals, for a reader that streams it.
    pub fn ledger_path(&self, relative: &str) -> std::io::Result<PathBuf> {
        self.checked_path(relative, self.limits.ledger_file_bytes, "ledger-file-bytes")
    }

    fn read_limited(
        &self,
        relative: &str,
        limit: u64,
        name: &'static str,
    ) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.checked_path(relative, limit, name)?)
    }

    fn checked_path(
        &self,
        relative: &str,
        limit: u64,
        name: &'static str,
    ) -> std::io::Result<PathBuf> {
        let path = self.confine(relative)?;
        let metadata = std::fs::metadata(&path)?;
        if !metadata.is_file() {
            return Err(refuse(PathRefusal::NotAFile));
        }
        if metadata.len() > limit {
            return Err(refuse(PathRefusal::TooLarge {
                size: metadata.len(),
                limit,
                name,
            }));
        }
        Ok(path)
    }

    /// The path of `relative` under the root; refuses anything that leaves it.
    fn confine(&self, relative: &str) -> std::io::Result<PathBuf> {
        let outside = |why: &str| Err(refuse(PathRefusal::Outside(why.to_string())));
        if relative.starts_with('/') || relative.starts_with('\\') || relative.contains('\\') {
            return outside("an absolute path, or one written with backslashes");
        }
        if relative.as_bytes().get(1) == Some(&b':') {
            return outside("a drive letter");
        }
        let mut depth: i32 = 0;
        for part in relative.split('/') {
            match part {
                ".." => depth -= 1,
                "" | "." => {}
                _ => depth += 1,
            }
            if depth < 0 {
                return outside("`..` leads out of the project folder");
            }
        }
        let path = self.root.join(relative);
        if let (Ok(root), Ok(real)) = (self.root.canonicalize(), path.canonicalize())
            && !real.starts_with(&root)
        {
            return outside("a link leads out of the project folder");
        }
        Ok(path)
    }

    /// A source path: the file itself, or every `*.csv` of a folder in name order.
    pub fn expand(&self, relative: &str) -> std::io::Result<Vec<String>> {
        let path = self.confine(relative)?;
        if !path.is_dir() {
            std::fs::metadata(&path)?;
            return Ok(vec![relative.to_string()]);
        }
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&path)? {
            let name = entry?.file_name();
            let Some(name) = name.to_str() else {
                let shown = crate::diagnostic::visible(&name.to_string_lossy());
                return Err(refuse(PathRefusal::NotUtf8Name(shown)));
            };
            if name.to_ascii_lowercase().ends_with(".csv") {
                files.push(format!("{}/{name}", relative.trim_end_matches('/')));
            }
        }
        files.sort();
        Ok(files)
    }

    /// Loads every `*.rdn` under `reports/`, in path order, into `sources`.
    pub fn load_specification(&self, sources: &mut Sources) -> Result<Vec<FileId>> {
        let paths = self.specification_paths()?;
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            let shown = path
                .strip_prefix(&self.root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            match self.load_specification_file(&path, shown, sources) {
                Ok(file) => files.push(file),
                Err(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }

    /// The paths of every `*.rdn` under `reports/`, sorted, within the limit.
    fn specification_paths(&self) -> Result<Vec<PathBuf>> {
        let reports = self.root.join("reports");
        let mut paths = Vec::new();
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        collect_rdn(&root, &reports, &mut paths, 0)
            .map_err(|error| vec![specification_folder_error(&reports, &error)])?;
        paths.sort();
        if paths.len() > self.limits.spec_files {
            return Err(vec![
                Diagnostic::error(
                    Code::LimitExceeded,
                    format!(
                        "{} specification files under `{}`, above the limit of {}",
                        paths.len(),
                        reports.display(),
                        self.limits.spec_files
                    ),
                )
                .help("raise it with --limit spec-files=N"),
            ]);
        }
        if paths.is_empty() {
            return Err(vec![Diagnostic::error(
                Code::ProjectShape,
                format!(
                    "no specification file (*.rdn) under `{}`",
                    reports.display()
                ),
            )]);
        }
        Ok(paths)
    }

    /// Reads one specification file into `sources`: within the size limit,
    /// UTF-8, a byte-order mark dropped.
    fn load_specification_file(
        &self,
        path: &Path,
        shown: String,
        sources: &mut Sources,
    ) -> std::result::Result<FileId, Diagnostic> {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size > self.limits.spec_file_bytes {
            return Err(Diagnostic::error(
                Code::LimitExceeded,
                format!(
                    "`{shown}` is {size} bytes, above the limit of {}",
                    self.limits.spec_file_bytes
                ),
            )
            .help("raise it with --limit spec-file-bytes=N"));
        }
        let bytes = std::fs::read(path).map_err(|error| {
            Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {error}"))
        })?;
        match String::from_utf8(bytes) {
            // A byte-order mark, as some editors write, is not part of the text.
            Ok(text) => Ok(sources.add_read(shown, text)),
            Err(error) => {
                // Show the file with the bad bytes replaced, pointing at the first.
                let valid = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let width = text[valid..].chars().next().map_or(0, char::len_utf8);
                let file = sources.add(shown.clone(), text);
                Err(Diagnostic::error(Code::SpecNotUtf8, format!("`{shown}` is not valid UTF-8"))
                    .at(crate::source::Span::new(file, valid, valid + width), "invalid byte here")
                    .help("specification files are UTF-8; re-save the file as UTF-8 (it looks like Windows-1252 or Latin-1)"))
            }
        }
    }
}

/// Why the `reports/` folder could not be read: a link leading out of the
/// project, or an I/O error.
fn specification_folder_error(reports: &Path, error: &std::io::Error) -> Diagnostic {
    if let Some(refused) = refusal(error) {
        return Diagnostic::error(
            Code::PathOutsideProject,
            format!("specification refused: {refused}"),
        )
        .help("keep every specification file inside the project folder");
    }
    Diagnostic::error(
        Code::Io,
        format!(
            "cannot read the specification folder `{}`: {error}",
            reports.display()
        ),
    )
    .help("run from a project root (a folder with reports/), or pass its path")
}

/// Every `*.rdn` under `folder`, following links that stay inside `root`
/// (a link leading out is an error), with a bound on the depth of folders.
fn collect_rdn(
    root: &Path,
    folder: &Path,
    paths: &mut Vec<PathBuf>,
    depth: usize,
) -> std::io::Result<()> {
    if depth > 32 {
        return Err(refuse(PathRefusal::Outside(
            "folders nested more than 32 deep (a link loop?)".into(),
        )));
    }
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let real = path.canonicalize()?;
        if !real.starts_with(root) {
            return Err(refuse(PathRefusal::Outside(format!(
                "`{}` is a link leading out of the project folder",
                path.display()
            ))));
        }
        let metadata = std::fs::metadata(&path)?;
        if metadata.is_dir() {
            collect_rdn(root, &path, paths, depth + 1)?;
        } else if metadata.is_file() && path.extension().is_some_and(|e| e == "rdn") {
            paths.push(path);
        }
    }
    Ok(())
}
