//! No input makes reddition panic or overflow its stack: random bytes, every
//! sample file truncated at many points, and deeply nested formulas all end
//! in diagnostics and a clean non-zero exit, with nothing written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copied");
        }
    }
}

/// A copy of the sample project (reports/ and ledgers/) in a temporary folder.
fn sample_copy() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("temporary folder");
    copy_tree(
        &repository().join("reports"),
        &folder.path().join("reports"),
    );
    copy_tree(
        &repository().join("ledgers"),
        &folder.path().join("ledgers"),
    );
    folder
}

fn run(project: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reddition"))
        .args(args)
        .current_dir(project)
        .output()
        .expect("the binary runs")
}

fn assert_clean_failure(output: &Output, context: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code();
    assert!(
        code.is_some(),
        "{context}: killed by a signal (stack overflow?)"
    );
    assert!(!stderr.contains("panicked"), "{context}: panic\n{stderr}");
    assert_ne!(code, Some(70), "{context}: internal error\n{stderr}");
    assert_ne!(code, Some(0), "{context}: accepted");
    assert!(
        stderr.contains("error"),
        "{context}: no diagnostic\n{stderr}"
    );
}

fn spec_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.join("reports")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rdn") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn check_survives_truncated_specification_files() {
    let project = sample_copy();
    for file in spec_files(project.path()) {
        let original = std::fs::read(&file).expect("readable");
        // Cut in the middle of code lines (a cut inside a trailing comment
        // would leave a valid, shorter file).
        let text = String::from_utf8(original.clone()).expect("UTF-8 specification");
        let mut offset = 0;
        let mut cuts = Vec::new();
        for line in text.split_inclusive('\n') {
            let code = line.trim();
            if code.len() >= 4 && !code.starts_with('#') {
                let middle = (0..=line.len() / 2)
                    .rev()
                    .find(|i| line.is_char_boundary(*i))
                    .unwrap_or(0);
                cuts.push(offset + middle);
            }
            offset += line.len();
        }
        let step = (cuts.len() / 7).max(1);
        for length in cuts.into_iter().step_by(step) {
            std::fs::write(&file, &original[..length]).expect("written");
            let output = run(project.path(), &["check"]);
            let name = format!("{} cut at byte {length}", file.display());
            assert_clean_failure(&output, &name);
            assert_eq!(output.status.code(), Some(1), "{name}");
        }
        std::fs::write(&file, &original).expect("restored");
    }
}

#[test]
fn check_survives_random_bytes() {
    let project = sample_copy();
    let target = project.path().join("reports/statements/resultats.rdn");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..24 {
        let bytes: Vec<u8> = (0..(64 + round * 97))
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        std::fs::write(&target, &bytes).expect("written");
        let output = run(project.path(), &["check"]);
        assert_clean_failure(&output, &format!("random bytes, round {round}"));
        assert_eq!(output.status.code(), Some(1));
    }
}

#[test]
fn check_survives_deep_nesting() {
    let project = sample_copy();
    let depth = 200_000;
    let formula = format!("{}sum(52000){}", "(".repeat(depth), ")".repeat(depth));
    let negations = format!("{}sum(52000)", "-".repeat(depth));
    let chain = format!("sum(52000){}", " + 1".repeat(depth));
    for (name, text) in [
        ("parentheses", formula),
        ("negations", negations),
        ("a long chain", chain),
    ] {
        std::fs::write(
            project.path().join("reports/deep.rdn"),
            format!("report deep \"Profond\" {{ line x \"X\" = {text} }}\n"),
        )
        .expect("written");
        let output = run(project.path(), &["check"]);
        assert_clean_failure(&output, name);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("E0104") || stderr.contains("E0901"),
            "{name}: {stderr}"
        );
        assert_eq!(output.status.code(), Some(5), "{name}: a limit");
    }
}

#[test]
fn build_survives_truncated_ledgers() {
    let project = sample_copy();
    let ledger_files: Vec<PathBuf> = {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(project.path().join("ledgers"))
            .expect("ledgers")
            .flatten()
        {
            if entry.path().is_dir() {
                for inner in std::fs::read_dir(entry.path()).expect("centre").flatten() {
                    if inner.path().extension().is_some_and(|e| e == "csv") {
                        files.push(inner.path());
                    }
                }
            }
        }
        files.sort();
        files
    };
    assert!(!ledger_files.is_empty());
    let out = project.path().join("out");
    for file in ledger_files {
        let original = std::fs::read(&file).expect("readable");
        for cut in [1, 3, 5] {
            let length = original.len() * cut / 7;
            std::fs::write(&file, &original[..length]).expect("written");
            let output = run(
                project.path(),
                &["build", "--format", "txt", "--out", "out"],
            );
            assert_clean_failure(&output, &format!("{} cut at byte {length}", file.display()));
            assert!(!out.exists(), "a failed build wrote {}", out.display());
        }
        std::fs::write(&file, &original).expect("restored");
    }
}

/// Acceptance: deleting one crosswalk rule makes the build fail with the list
/// of unmapped codes (count, amount, first location) and writes nothing.
#[test]
fn deleting_a_rule_lists_the_unmapped_codes() {
    let project = sample_copy();
    let crosswalk = project.path().join("reports/centres/sommets.rdn");
    let text = std::fs::read_to_string(&crosswalk).expect("sommets crosswalk");
    let rule = text
        .lines()
        .find(|line| line.contains("=> 61000"))
        .expect("a rule to the teaching code")
        .to_string();
    std::fs::write(&crosswalk, text.replacen(&rule, "", 1)).expect("written");
    let output = run(project.path(), &["build", "--out", "out"]);
    assert_clean_failure(&output, "rule deleted");
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("E0501"), "{stderr}");
    assert!(stderr.contains("lines, amount"), "{stderr}");
    assert!(stderr.contains("first at ledgers/"), "{stderr}");
    assert!(!project.path().join("out").exists());
}

/// A file in a source folder whose name is not UTF-8 is named as such, not
/// reported as missing ("No such file or directory").
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_said_so() {
    use std::os::unix::ffi::OsStrExt;
    let folder = tempfile::tempdir().expect("temporary folder");
    let project = folder.path();
    copy_tree(&repository().join("tests/cases/bases/minimal"), project);
    let monthly = project.join("ledgers/mensuel");
    std::fs::create_dir_all(&monthly).expect("folder");
    std::fs::rename(
        project.join("ledgers/gl-2025.csv"),
        monthly.join("gl-2025.csv"),
    )
    .expect("moved");
    let name = std::ffi::OsStr::from_bytes(b"janvier-\xe9t\xe9.csv");
    std::fs::write(monthly.join(name), "Date;Compte;Montant;Pièce\n").expect("written");
    let spec = project.join("reports/spec.rdn");
    let text = std::fs::read_to_string(&spec).expect("spec");
    let text = text.replace("\"ledgers/gl-2025.csv\"", "\"ledgers/mensuel\"");
    std::fs::write(&spec, text).expect("spec written");
    let output = run(project, &["build", "--out", "out"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_clean_failure(&output, "non-UTF-8 file name");
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
    assert!(stderr.contains("janvier-"), "{stderr}");
    assert!(!stderr.contains("No such file"), "{stderr}");
}
