//! UI tests: each case of `tests/cases/` (a `.case` file: a base project,
//! the changes that make the case and the command line; the format is
//! described in `tests/support/cases.rs`) is its own test. The case is
//! materialized into a fresh folder and the binary runs there; the snapshot
//! `tests/snapshots/ui__<case>.snap` records the command, the exit code,
//! stderr and stdout (and the text statements of a successful build, and
//! the outputs its `show` lines name), and carries the case file in its
//! metadata. The test also proves that the run did not panic, that a failed
//! run left the previous output untouched and explained itself, that a
//! successful build replaced it by exactly the files its manifest lists,
//! each with the size and SHA-256 the manifest gives (and its inputs with
//! theirs), that any other command left it as it was, and that no
//! temporary file was left behind.
//!
//! `cargo test --test ui` runs the catalogue; `cargo test --test ui -- E0405`
//! the cases whose name contains `E0405`. `UI_MATERIALIZE=DIR cargo test
//! --test ui` runs nothing and writes every case project into `DIR/<case>/`
//! (the fuzz seeds are taken from there: `fuzz/seed_corpus.py`).
// A harness without #[test]: a panic is a failing case.
#![allow(clippy::expect_used)]

mod support;

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::Path;
use std::process::Command;
use support::cases::{self, Case};

const PREVIOUS_MANIFEST: &str = "{\"tool\": \"reddition\", \"previous\": true}\n";

fn main() {
    if let Some(folder) = std::env::var_os("UI_MATERIALIZE") {
        for (_, case) in cases::catalogue() {
            let case = case.unwrap_or_else(|error| panic!("{error}"));
            case.materialize(Path::new(&folder))
                .unwrap_or_else(|error| panic!("{error}"));
        }
        return;
    }
    let arguments = Arguments::from_args();
    let mut trials: Vec<Trial> = cases::catalogue()
        .into_iter()
        .map(|(name, case)| Trial::test(name, move || run(case?)))
        .collect();
    trials.push(Trial::test(
        "catalogue::every_error_code_has_a_case",
        every_error_code_has_a_case,
    ));
    trials.push(Trial::test(
        "catalogue::case_files_are_plain_text",
        case_files_are_plain_text,
    ));
    trials.push(Trial::test(
        "catalogue::every_snapshot_and_base_has_a_case",
        every_snapshot_and_base_has_a_case,
    ));
    libtest_mimic::run(&arguments, trials).exit();
}

/// Runs one case and compares its snapshot.
fn run(case: Case) -> Result<(), Failed> {
    let inputs = tempfile::tempdir()?;
    let project = case.materialize(inputs.path())?;
    let scratch = tempfile::tempdir()?;
    let out = scratch.path().join("out");
    // A previous output that a failed run must leave exactly as it was.
    std::fs::create_dir(&out)?;
    std::fs::write(out.join("manifest.json"), PREVIOUS_MANIFEST)?;
    let out_text = out.to_string_lossy().into_owned();
    let argv: Vec<String> = case
        .args
        .split_whitespace()
        .map(|a| a.replace("{out}", &out_text))
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_reddition"))
        .args(&argv)
        .current_dir(&project)
        .env("NO_COLOR", "1")
        .output()?;
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout).replace(&out_text, "{out}");
    let stderr = String::from_utf8_lossy(&output.stderr).replace(&out_text, "{out}");
    if stderr.contains("panicked") {
        return Err(format!("a panic: {stderr}").into());
    }
    if code == 0 {
        let builds = argv.iter().any(|a| a == "build") && argv.contains(&out_text);
        if builds {
            product_manifest(&out, &project)?;
        } else {
            assert_only_named_files_added(&out, &argv, &out_text)?;
        }
    } else {
        assert_untouched(&out)?;
        if stderr.trim().is_empty() {
            return Err("a failed run explains itself".into());
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(scratch.path())?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "out")
        .collect();
    if !leftovers.is_empty() {
        return Err(format!("temporary files left behind: {leftovers:?}").into());
    }
    let mut snapshot = format!(
        "args: {}\nexit: {code}\n----- stderr\n{stderr}----- stdout\n{stdout}",
        case.args
    );
    if code == 0 {
        for text in text_outputs(&out) {
            snapshot.push_str(&text);
        }
        // Other outputs a case wants to show (one relative path a line).
        for shown in &case.show {
            let text =
                std::fs::read_to_string(out.join(shown)).unwrap_or_else(|_| "(missing)\n".into());
            snapshot.push_str(&format!("----- {shown}\n{text}"));
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_description(case.text());
    settings.set_input_file(&case.file);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(case.name.as_str(), snapshot));
    Ok(())
}

/// The plain-text statements a successful build wrote, in path order.
fn text_outputs(out: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![out.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|path| {
            let name = path
                .strip_prefix(out)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(path).unwrap_or_default();
            format!("----- {name}\n{text}")
        })
        .collect()
}

/// A successful build replaced the harness's folder by its own output: a
/// manifest written by reddition whose `outputs` are exactly the files in
/// the folder, each with its size and its SHA-256 (computed here, with the
/// `sha2` crate, not with the product's digest), and whose `inputs` carry
/// the SHA-256 of the project files they name.
fn product_manifest(out: &Path, project: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(out.join("manifest.json"))
        .map_err(|e| format!("a successful build writes a manifest: {e}"))?;
    if text == PREVIOUS_MANIFEST {
        return Err("the build succeeded but left the previous manifest".into());
    }
    let manifest: serde_json::Value = serde_json::from_str(&text)?;
    if manifest["tool"] != "reddition" {
        return Err(format!("not a reddition manifest: {text}").into());
    }
    let listed = hashed_files(&manifest["outputs"], "outputs")?;
    let mut present = std::collections::BTreeMap::new();
    for path in files_under(out) {
        let name = relative(out, &path);
        if name != "manifest.json" {
            present.insert(name, std::fs::read(&path)?);
        }
    }
    let listed_names: Vec<&String> = listed.iter().map(|(path, ..)| path).collect();
    let present_names: Vec<&String> = present.keys().collect();
    if listed_names != present_names {
        return Err(format!(
            "the manifest lists {listed_names:?} but the folder holds {present_names:?}"
        )
        .into());
    }
    for (path, bytes, digest) in &listed {
        let content = &present[path];
        if *bytes != content.len() as u64 || *digest != sha256_hex(content) {
            return Err(format!(
                "`{path}`: the manifest says {bytes} bytes, SHA-256 {digest}; \
                 the file has {} bytes, SHA-256 {}",
                content.len(),
                sha256_hex(content)
            )
            .into());
        }
    }
    let inputs = hashed_files(&manifest["inputs"], "inputs")?;
    if inputs.is_empty() {
        return Err("the manifest lists no input".into());
    }
    for (path, bytes, digest) in &inputs {
        let content = std::fs::read(project.join(path))
            .map_err(|e| format!("the manifest's input `{path}`: {e}"))?;
        if *bytes != content.len() as u64 || *digest != sha256_hex(&content) {
            return Err(format!("input `{path}`: the manifest's size or SHA-256 is wrong").into());
        }
    }
    Ok(())
}

/// The `(path, bytes, sha256)` of a manifest's list, in its order, which
/// must be the paths' order with no path twice.
fn hashed_files(
    list: &serde_json::Value,
    what: &str,
) -> Result<Vec<(String, u64, String)>, Failed> {
    let entries = list
        .as_array()
        .ok_or_else(|| format!("the manifest has no `{what}` list"))?;
    let mut files = Vec::new();
    for entry in entries {
        let (Some(path), Some(bytes), Some(digest)) = (
            entry["path"].as_str(),
            entry["bytes"].as_u64(),
            entry["sha256"].as_str(),
        ) else {
            return Err(format!("a malformed entry of `{what}`: {entry}").into());
        };
        files.push((path.to_string(), bytes, digest.to_string()));
    }
    if !files.windows(2).all(|pair| pair[0].0 < pair[1].0) {
        return Err(format!("`{what}` is not in path order, or names a file twice").into());
    }
    Ok(files)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A successful command other than `build` left the previous output as it
/// was, besides the files its command line names inside it
/// (`trial-balance --out {out}/balance.csv`), which must exist.
fn assert_only_named_files_added(
    out: &Path,
    argv: &[String],
    out_text: &str,
) -> Result<(), Failed> {
    let prefix = format!("{out_text}/");
    let named: Vec<&str> = argv
        .iter()
        .filter_map(|a| a.strip_prefix(&prefix))
        .collect();
    let mut found: Vec<String> = files_under(out).iter().map(|p| relative(out, p)).collect();
    found.sort();
    let mut expected: Vec<String> = named.iter().map(|n| (*n).to_string()).collect();
    expected.push("manifest.json".into());
    expected.sort();
    if found != expected {
        return Err(format!("the output folder holds {found:?}, not {expected:?}").into());
    }
    if std::fs::read_to_string(out.join("manifest.json"))? != PREVIOUS_MANIFEST {
        return Err("the run changed the previous manifest".into());
    }
    Ok(())
}

/// Every file under `folder` (links are not followed).
fn files_under(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                folders.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn assert_untouched(out: &Path) -> Result<(), Failed> {
    let entries: Vec<String> = std::fs::read_dir(out)
        .map_err(|e| format!("the output folder still exists: {e}"))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if entries != ["manifest.json"] {
        return Err(format!("the failed run changed the output folder: {entries:?}").into());
    }
    if std::fs::read_to_string(out.join("manifest.json"))? != PREVIOUS_MANIFEST {
        return Err("the failed run changed the previous manifest".into());
    }
    Ok(())
}

fn snapshots() -> Result<Vec<(String, std::path::PathBuf)>, Failed> {
    let folder = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(case) = name
            .strip_prefix("ui__")
            .and_then(|n| n.strip_suffix(".snap"))
        {
            found.push((case.to_string(), entry.path()));
        }
    }
    Ok(found)
}

/// Every error code is produced by at least one case of the catalogue: the
/// list of codes is the error index, and each entry has its fixture.
fn every_error_code_has_a_case() -> Result<(), Failed> {
    let mut shown = String::new();
    for (_, path) in snapshots()? {
        shown.push_str(&std::fs::read_to_string(path)?);
    }
    // E0605 reports a broken conservation invariant: a defect of ours that no
    // input can produce (the property tests prove conservation instead).
    let internal = [reddition::diagnostic::Code::Conservation];
    let missing: Vec<&str> = reddition::diagnostic::Code::ALL
        .iter()
        .filter(|code| !internal.contains(code))
        .map(|code| code.as_str())
        .filter(|code| !shown.contains(&format!("[{code}]")))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("codes without a UI case: {missing:?}").into())
    }
}

/// Case files survive an editor and git as they are: UTF-8, LF line ends,
/// no tab, no trailing space, no invisible or control character (those are
/// written with escapes).
fn case_files_are_plain_text() -> Result<(), Failed> {
    let mut problems = Vec::new();
    for (name, _) in cases::catalogue() {
        let file = cases::folder().join(format!("{name}.case"));
        let bytes = std::fs::read(&file)?;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            problems.push(format!("{name}: not UTF-8"));
            continue;
        };
        if !text.ends_with('\n') {
            problems.push(format!("{name}: no final newline"));
        }
        for (n, line) in text.lines().enumerate() {
            if line.ends_with(' ') {
                problems.push(format!("{name}:{}: trailing space", n + 1));
            }
            if let Some(c) = line.chars().find(|c| invisible(*c)) {
                problems.push(format!("{name}:{}: U+{:04X}", n + 1, c as u32));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// A character an editor may drop, change or hide.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{a0}' | '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{2000}'..='\u{200f}'
            | '\u{2028}'..='\u{202f}' | '\u{205f}'..='\u{206f}' | '\u{3000}' | '\u{feff}'
            | '\u{fff0}'..='\u{fffc}' | '\u{fffe}' | '\u{ffff}' | '\u{e000}'..='\u{f8ff}')
}

/// No snapshot outlives its case, and every base is used by a case.
fn every_snapshot_and_base_has_a_case() -> Result<(), Failed> {
    let catalogue = cases::catalogue();
    let names: Vec<&str> = catalogue.iter().map(|(name, _)| name.as_str()).collect();
    let mut problems: Vec<String> = snapshots()?
        .into_iter()
        .filter(|(case, _)| !names.contains(&case.as_str()))
        .map(|(_, path)| format!("{} has no case", path.display()))
        .collect();
    let used: Vec<&str> = catalogue
        .iter()
        .filter_map(|(_, case)| case.as_ref().ok().map(|c| c.base.as_str()))
        .collect();
    for base in std::fs::read_dir(cases::folder().join("bases"))?.flatten() {
        let base = base.file_name().to_string_lossy().into_owned();
        if !used.contains(&base.as_str()) {
            problems.push(format!("base `{base}` is used by no case"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}
