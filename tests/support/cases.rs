//! The case catalogue: `tests/cases/<name>.case`, one small file per case,
//! each a base project of `tests/cases/bases/<base>/` and the changes that
//! make the case. A case is materialized into a fresh folder before it runs.
//!
//! # The `.case` format
//!
//! A case file is UTF-8 text with LF line ends, read as bytes. It starts
//! with a header:
//!
//! ```text
//! # What the case proves, in one sentence (one or more `#` lines).
//! base minimal
//! args build --format txt --out {out}
//! show centre/bilan.csv
//! ```
//!
//! `base` names a folder of `tests/cases/bases/`; `args` is the command line
//! (split at whitespace; `{out}` is a fresh output folder); each `show` line
//! names another output to add to the snapshot. Blank lines are ignored.
//! Then come sections, each opened by a line starting with `===`, applied
//! in order to a copy of the base:
//!
//! - `=== file PATH`: the file PATH, replaced or added, whole. Each line of
//!   the body is a line of the file ending with LF. Blank lines at the end
//!   of a body are layout, not content.
//! - `=== file PATH escaped`: the same, written with escapes, for bytes that
//!   would not survive an editor or git (CR, NUL, BOM, bidirectional and
//!   zero-width characters, bytes that are not UTF-8, trailing spaces). The
//!   line breaks of the body are layout: every byte is written, LF as `\n`.
//!   Escapes: `\\`, `\n`, `\r`, `\t`, `\xHH` (one byte, any value) and
//!   `\u{H…}` (one character, as UTF-8).
//! - `=== file PATH base64`: the same, in base64 (binary files).
//! - `=== edit PATH`: changes to the lines of PATH, as hunks separated by
//!   `@@` lines. In a hunk, a line starting with `-` must be there and is
//!   removed, `+` is added, and ` ` (or an empty line) is context, kept. The
//!   lines of a hunk's `-` and context lines, in order, must appear exactly
//!   once in the file, from the start of a line; hunks apply one after the
//!   other. `=== edit PATH escaped` takes the escapes above in its lines, each
//!   line still ending with an implicit LF.
//! - `=== delete PATH`: removes a file, or a folder with all it holds.
//! - `=== symlink PATH -> TARGET`: makes PATH a symbolic link to TARGET.
//!
//! In the text bodies of `file` and `edit` sections, two lines are
//! directives rather than content:
//!
//! - `\ no final newline`: the line before it has no LF (the end of a file
//!   without a final newline);
//! - `\ repeat A..=B: TEMPLATE` (in an edit, `+\ repeat …`): the line
//!   TEMPLATE once for each i from A to B, `{i}` replaced by i and `{i:0N}`
//!   by i padded with zeros to N digits.
//!
//! The project is written to `<folder>/<case name>/`. A `file` path starting
//! with `../` writes a file beside the project, outside it (what a link
//! leading out of the project points at). File modes are not carried: every
//! file is written as a plain file of the default mode.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The folder holding the catalogue.
pub fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// Every case of the catalogue, sorted by name; a case file that cannot be
/// read as a case is returned as its error, so that its own test fails.
pub fn catalogue() -> Vec<(String, Result<Case, String>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder())
        .expect("tests/cases exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let name = file
                .file_stem()
                .expect("named")
                .to_string_lossy()
                .into_owned();
            let case = Case::read(&file);
            (name, case)
        })
        .collect()
}

/// The case of this name, read.
pub fn case(name: &str) -> Case {
    Case::read(&folder().join(format!("{name}.case"))).unwrap_or_else(|error| panic!("{error}"))
}

/// One case: its header and the changes it makes to its base.
pub struct Case {
    pub name: String,
    /// The case file.
    pub file: PathBuf,
    /// The case file as it is on disk.
    pub bytes: Vec<u8>,
    /// What the case proves (its `#` lines).
    pub description: Vec<String>,
    pub base: String,
    /// The command line, `{out}` not yet replaced.
    pub args: String,
    /// Other outputs to show in the snapshot.
    pub show: Vec<String>,
    changes: Vec<Change>,
}

enum Change {
    File(PathBuf, Vec<u8>),
    Edit(PathBuf, Vec<Hunk>),
    Delete(PathBuf),
    Symlink(PathBuf, String),
}

/// Bytes that must be found once (`old`) and what replaces them (`new`).
struct Hunk {
    line: usize,
    old: Vec<u8>,
    new: Vec<u8>,
}

/// A file or a link of a project being made.
#[derive(Clone)]
enum Entry {
    File(Vec<u8>),
    Link(String),
}

const NO_FINAL_NEWLINE: &[u8] = b"\\ no final newline";
const REPEAT: &[u8] = b"\\ repeat ";

impl Case {
    /// Reads and parses a case file.
    pub fn read(file: &Path) -> Result<Case, String> {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Case::parse(name, file.to_path_buf(), bytes)
            .map_err(|(line, message)| format!("{}:{line}: {message}", file.display()))
    }

    fn parse(name: String, file: PathBuf, bytes: Vec<u8>) -> Result<Case, (usize, String)> {
        let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        if lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        if let Some(at) = lines.iter().position(|l| l.contains(&b'\r')) {
            return Err((
                at + 1,
                "a carriage return in a case file (write it `\\r`)".into(),
            ));
        }
        let mut case = Case {
            name,
            file,
            bytes: Vec::new(),
            description: Vec::new(),
            base: String::new(),
            args: String::new(),
            show: Vec::new(),
            changes: Vec::new(),
        };
        let mut at = 0;
        let mut args = None;
        while at < lines.len() && !lines[at].starts_with(b"===") {
            let line = utf8(lines[at], at)?;
            if let Some(text) = line.strip_prefix('#') {
                case.description.push(text.trim().to_string());
            } else if let Some(base) = line.strip_prefix("base ") {
                case.base = base.trim().to_string();
            } else if line == "args" || line.starts_with("args ") {
                args = Some(line[4..].trim().to_string());
            } else if let Some(shown) = line.strip_prefix("show ") {
                case.show.push(shown.trim().to_string());
            } else if !line.trim().is_empty() {
                return Err((at + 1, format!("unknown header line `{line}`")));
            }
            at += 1;
        }
        if case.description.is_empty() {
            return Err((1, "no `#` line saying what the case proves".into()));
        }
        if case.base.is_empty() {
            return Err((1, "no `base` line".into()));
        }
        case.args = args.ok_or((1, "no `args` line".to_string()))?;
        while at < lines.len() {
            let start = at;
            let header = utf8(&lines[at][3..], at)?.trim().to_string();
            at += 1;
            while at < lines.len() && !lines[at].starts_with(b"===") {
                at += 1;
            }
            let mut body = &lines[start + 1..at];
            while body.last().is_some_and(|l| l.is_empty()) {
                body = &body[..body.len() - 1];
            }
            case.changes.push(section(&header, body, start + 1)?);
        }
        case.bytes = bytes;
        Ok(case)
    }

    /// The case file as text for the snapshot's description, or a summary
    /// when it is not UTF-8.
    pub fn text(&self) -> String {
        match std::str::from_utf8(&self.bytes) {
            Ok(text) => text.to_string(),
            Err(_) => format!(
                "{} (not UTF-8, {} bytes): {}",
                self.file.display(),
                self.bytes.len(),
                self.description.join(" ")
            ),
        }
    }

    /// Writes the project into `<folder>/<name>/` (and the files the case
    /// puts beside it), and returns the project's root.
    pub fn materialize(&self, folder: &Path) -> Result<PathBuf, String> {
        let fail = |message: String| format!("{}: {message}", self.file.display());
        let base = self::folder().join("bases").join(&self.base);
        if !base.is_dir() {
            return Err(fail(format!("no base `{}`", self.base)));
        }
        let mut tree = BTreeMap::new();
        read_tree(&base, Path::new(""), &mut tree).map_err(&fail)?;
        for change in &self.changes {
            match change {
                Change::File(path, bytes) => {
                    tree.insert(path.clone(), Entry::File(bytes.clone()));
                }
                Change::Symlink(path, target) => {
                    tree.insert(path.clone(), Entry::Link(target.clone()));
                }
                Change::Delete(path) => {
                    let before = tree.len();
                    tree.retain(|entry, _| !entry.starts_with(path));
                    if tree.len() == before {
                        return Err(fail(format!("nothing to delete at `{}`", path.display())));
                    }
                }
                Change::Edit(path, hunks) => {
                    let Some(Entry::File(content)) = tree.get_mut(path) else {
                        return Err(fail(format!("no file `{}` to edit", path.display())));
                    };
                    for hunk in hunks {
                        *content = apply(content, hunk).map_err(|message| {
                            format!("{}:{}: {message}", self.file.display(), hunk.line)
                        })?;
                    }
                }
            }
        }
        let root = folder.join(&self.name);
        std::fs::create_dir_all(&root).map_err(|e| fail(e.to_string()))?;
        for (path, entry) in &tree {
            let target = root.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
            }
            match entry {
                Entry::File(bytes) => std::fs::write(&target, bytes),
                Entry::Link(to) => std::os::unix::fs::symlink(to, &target),
            }
            .map_err(|e| fail(format!("{}: {e}", target.display())))?;
        }
        Ok(root)
    }
}

fn utf8(line: &[u8], at: usize) -> Result<&str, (usize, String)> {
    std::str::from_utf8(line).map_err(|_| (at + 1, "this line is not UTF-8".into()))
}

/// One section: its header line (after `===`) and its body.
fn section(header: &str, body: &[&[u8]], line: usize) -> Result<Change, (usize, String)> {
    let err = |message: String| (line, message);
    let (op, rest) = header.split_once(' ').unwrap_or((header, ""));
    if op == "symlink" {
        let (path, target) = rest
            .split_once(" -> ")
            .ok_or_else(|| err("expected `symlink PATH -> TARGET`".into()))?;
        return Ok(Change::Symlink(inside(path).map_err(err)?, target.into()));
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (path, flag) = match words.as_slice() {
        [path] => (*path, None),
        [path, flag] => (*path, Some(*flag)),
        _ => return Err(err(format!("expected `{op} PATH [FLAG]`"))),
    };
    let no_body = || {
        if body.is_empty() {
            Ok(())
        } else {
            Err(err(format!("`{op}` takes no body")))
        }
    };
    match (op, flag) {
        ("file", flag) => {
            let path = file_path(path).map_err(err)?;
            let bytes = match flag {
                None => text_body(body, line + 1)?,
                Some("escaped") => unescape(&body.concat()).map_err(err)?,
                Some("base64") => base64(&body.concat()).map_err(err)?,
                Some(other) => return Err(err(format!("unknown encoding `{other}`"))),
            };
            Ok(Change::File(path, bytes))
        }
        ("edit", None | Some("escaped")) => {
            let path = inside(path).map_err(err)?;
            let hunks = hunks(body, line + 1, flag.is_some())?;
            if hunks.is_empty() {
                return Err(err("an edit without hunks".into()));
            }
            Ok(Change::Edit(path, hunks))
        }
        ("delete", None) => {
            no_body()?;
            Ok(Change::Delete(inside(path).map_err(err)?))
        }
        _ => Err(err(format!("unknown section `=== {header}`"))),
    }
}

/// A path inside the project: relative, no `..`.
fn inside(path: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(path);
    if path.as_os_str().is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(format!(
            "`{}` is not a path inside the project",
            path.display()
        ));
    }
    Ok(path)
}

/// A path inside the project, or beside it (`../` then a path with no `..`).
fn file_path(path: &str) -> Result<PathBuf, String> {
    match path.strip_prefix("../") {
        Some(outside) => inside(outside).map(|p| Path::new("..").join(p)),
        None => inside(path),
    }
}

/// A text body: one line of the file per line, LF added; the directives.
fn text_body(body: &[&[u8]], first: usize) -> Result<Vec<u8>, (usize, String)> {
    let mut bytes = Vec::new();
    for (n, line) in body.iter().enumerate() {
        let at = first + n;
        if *line == NO_FINAL_NEWLINE {
            if n + 1 != body.len() || bytes.pop() != Some(b'\n') {
                return Err((at, "`\\ no final newline` ends a body after a line".into()));
            }
        } else if line.starts_with(REPEAT) {
            for expanded in repeat(line, at)? {
                bytes.extend(expanded);
                bytes.push(b'\n');
            }
        } else if line.starts_with(b"\\ ") {
            return Err((at, "unknown directive".into()));
        } else {
            bytes.extend(*line);
            bytes.push(b'\n');
        }
    }
    Ok(bytes)
}

fn content(line: &[u8], escaped: bool) -> Result<Vec<u8>, String> {
    if escaped {
        unescape(line)
    } else {
        Ok(line.to_vec())
    }
}

/// `\ repeat A..=B: TEMPLATE`, expanded.
fn repeat(line: &[u8], at: usize) -> Result<Vec<Vec<u8>>, (usize, String)> {
    let err = || {
        (
            at,
            "expected `\\ repeat A..=B: TEMPLATE` with `{i}` or `{i:0N}`".to_string(),
        )
    };
    let line = std::str::from_utf8(&line[REPEAT.len()..]).map_err(|_| err())?;
    let (range, template) = line.split_once(": ").ok_or_else(err)?;
    let (from, to) = range.split_once("..=").ok_or_else(err)?;
    let from: u64 = from.parse().map_err(|_| err())?;
    let to: u64 = to.parse().map_err(|_| err())?;
    if to < from {
        return Err(err());
    }
    let mut lines = Vec::new();
    for i in from..=to {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find("{i") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            if let Some(tail) = after.strip_prefix('}') {
                out.push_str(&i.to_string());
                rest = tail;
            } else if let Some((width, tail)) = after
                .strip_prefix(":0")
                .and_then(|a| a.split_once('}'))
                .filter(|(w, _)| w.parse::<usize>().is_ok())
            {
                let width: usize = width.parse().map_err(|_| err())?;
                out.push_str(&format!("{i:0width$}"));
                rest = tail;
            } else {
                out.push_str("{i");
                rest = after;
            }
        }
        out.push_str(rest);
        lines.push(out.into_bytes());
    }
    Ok(lines)
}

/// The hunks of an edit body.
fn hunks(body: &[&[u8]], first: usize, escaped: bool) -> Result<Vec<Hunk>, (usize, String)> {
    let mut hunks = Vec::new();
    let mut start = 0;
    for end in (0..body.len())
        .filter(|n| body[*n] == b"@@")
        .chain([body.len()])
    {
        let lines = &body[start..end];
        let at = first + start;
        start = end + 1;
        if lines.is_empty() {
            continue;
        }
        let mut hunk = Hunk {
            line: at,
            old: Vec::new(),
            new: Vec::new(),
        };
        // Which of old and new the last line went to (for `\ no final newline`).
        let mut last: (bool, bool) = (false, false);
        for (n, line) in lines.iter().enumerate() {
            let at = at + n;
            if *line == NO_FINAL_NEWLINE {
                let (old, new) = last;
                let ok = (!old || hunk.old.pop() == Some(b'\n'))
                    && (!new || hunk.new.pop() == Some(b'\n'))
                    && (old || new);
                if !ok {
                    return Err((at, "`\\ no final newline` after no line".into()));
                }
                last = (false, false);
                continue;
            }
            let (kind, rest) = match line.split_first() {
                None => (b' ', &line[..]),
                Some((kind, rest)) => (*kind, rest),
            };
            let expanded = if rest.starts_with(REPEAT) {
                if kind != b'+' {
                    return Err((at, "`\\ repeat` adds lines: `+\\ repeat …`".into()));
                }
                repeat(rest, at)?
            } else if rest.starts_with(b"\\ ") {
                return Err((at, "unknown directive".into()));
            } else {
                vec![rest.to_vec()]
            };
            for text in expanded {
                let mut bytes = content(&text, escaped).map_err(|e| (at, e))?;
                bytes.push(b'\n');
                last = match kind {
                    b' ' => {
                        hunk.old.extend(&bytes);
                        hunk.new.extend(&bytes);
                        (true, true)
                    }
                    b'-' => {
                        hunk.old.extend(&bytes);
                        (true, false)
                    }
                    b'+' => {
                        hunk.new.extend(&bytes);
                        (false, true)
                    }
                    _ => return Err((at, "a hunk line starts with ` `, `-` or `+`".into())),
                };
            }
        }
        if hunk.old.is_empty() {
            return Err((
                at,
                "a hunk needs a `-` or context line to find its place".into(),
            ));
        }
        hunks.push(hunk);
    }
    Ok(hunks)
}

/// Replaces the one occurrence of the hunk's old lines.
fn apply(content: &[u8], hunk: &Hunk) -> Result<Vec<u8>, String> {
    let found: Vec<usize> = (0..content.len())
        .filter(|at| *at == 0 || content[at - 1] == b'\n')
        .filter(|at| content[*at..].starts_with(&hunk.old))
        .collect();
    match found.as_slice() {
        [at] => {
            let mut out = content[..*at].to_vec();
            out.extend(&hunk.new);
            out.extend(&content[at + hunk.old.len()..]);
            Ok(out)
        }
        [] => Err("the hunk's lines are not in the file".into()),
        many => Err(format!(
            "the hunk's lines are in the file {} times: add context",
            many.len()
        )),
    }
}

/// Decodes `\\`, `\n`, `\r`, `\t`, `\xHH` and `\u{H…}`.
pub fn unescape(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        if text[at] != b'\\' {
            out.push(text[at]);
            at += 1;
            continue;
        }
        let escape = text.get(at + 1).copied();
        match escape {
            Some(b'\\') => out.push(b'\\'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b't') => out.push(b'\t'),
            Some(b'x') => {
                let hex = text
                    .get(at + 2..at + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("`\\x` takes two hexadecimal digits")?;
                out.push(hex);
                at += 4;
                continue;
            }
            Some(b'u') => {
                let close = text[at..]
                    .iter()
                    .position(|b| *b == b'}')
                    .ok_or("`\\u{…}` is not closed")?;
                let character = text
                    .get(at + 3..at + close)
                    .filter(|_| text.get(at + 2) == Some(&b'{'))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .ok_or("`\\u{…}` takes the hexadecimal number of a character")?;
                let mut buffer = [0; 4];
                out.extend(character.encode_utf8(&mut buffer).as_bytes());
                at += close + 1;
                continue;
            }
            _ => return Err(format!("unknown escape at byte {at}")),
        }
        at += 2;
    }
    Ok(out)
}

/// Standard base64 (with padding); whitespace is not allowed inside.
fn base64(text: &[u8]) -> Result<Vec<u8>, String> {
    let value = |c: u8| -> Result<u32, String> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("`{}` is not base64", c as char)),
        } as u32)
    };
    if !text.len().is_multiple_of(4) {
        return Err("base64 comes in groups of four characters".into());
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for group in text.chunks(4) {
        let padding = group.iter().rev().take_while(|c| **c == b'=').count();
        let mut bits = 0u32;
        for (n, c) in group.iter().enumerate() {
            bits <<= 6;
            if n < 4 - padding {
                bits |= value(*c)?;
            }
        }
        let bytes = bits.to_be_bytes();
        out.extend(&bytes[1..4 - padding]);
    }
    Ok(out)
}

/// Reads a base project: its files and links, by path.
fn read_tree(root: &Path, under: &Path, tree: &mut BTreeMap<PathBuf, Entry>) -> Result<(), String> {
    let folder = root.join(under);
    let entries = std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = under.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        let full = root.join(&path);
        if kind.is_symlink() {
            let target = std::fs::read_link(&full).map_err(|e| e.to_string())?;
            tree.insert(path, Entry::Link(target.to_string_lossy().into_owned()));
        } else if kind.is_dir() {
            read_tree(root, &path, tree)?;
        } else {
            let bytes = std::fs::read(&full).map_err(|e| format!("{}: {e}", full.display()))?;
            tree.insert(path, Entry::File(bytes));
        }
    }
    Ok(())
}
