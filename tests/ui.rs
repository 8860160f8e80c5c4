//! UI tests: every folder under `tests/cases/` is a small project with an
//! `args` file holding the command line (`{out}` is a fresh output folder).
//! The snapshot records the command, the exit code, stderr and stdout; the
//! test also proves that a failed run left the output folder untouched.
//! A case may list in a `show` file other outputs to include (`centre/bilan.csv`).
//! `UI_CASE=name cargo test ui` runs the cases whose name contains `name`.

use std::path::Path;
use std::process::Command;

const PREVIOUS_MANIFEST: &str = "{\"tool\": \"reddition\", \"previous\": true}\n";

#[test]
fn ui_cases() {
    let cases_folder = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&cases_folder)
        .expect("tests/cases exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("args").is_file())
        .collect();
    cases.sort();
    let only = std::env::var("UI_CASE").ok();
    for case in &cases {
        let name = case
            .file_name()
            .expect("named")
            .to_string_lossy()
            .into_owned();
        if only
            .as_ref()
            .is_some_and(|only| !name.contains(only.as_str()))
        {
            continue;
        }
        let args_path = case.join("args");
        let case = case.as_path();
        let args = std::fs::read_to_string(args_path).expect("readable args");
        let scratch = tempfile::tempdir().expect("a temporary folder");
        let out = scratch.path().join("out");
        // A previous output that a failed run must leave exactly as it was.
        std::fs::create_dir(&out).expect("out folder");
        std::fs::write(out.join("manifest.json"), PREVIOUS_MANIFEST).expect("previous manifest");
        let out_text = out.to_string_lossy().into_owned();
        let argv: Vec<String> = args
            .split_whitespace()
            .map(|a| a.replace("{out}", &out_text))
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_reddition"))
            .args(&argv)
            .current_dir(case)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs");
        let code = output.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&output.stdout).replace(&out_text, "{out}");
        let stderr = String::from_utf8_lossy(&output.stderr).replace(&out_text, "{out}");
        assert!(
            !stderr.contains("panicked"),
            "a panic in {}: {stderr}",
            case.display()
        );
        if code == 0 {
            assert!(
                out.join("manifest.json").is_file(),
                "a successful build writes a manifest"
            );
        } else {
            assert_untouched(&out);
            assert!(!stderr.trim().is_empty(), "a failed run explains itself");
        }
        let leftovers: Vec<_> = std::fs::read_dir(scratch.path())
            .expect("scratch readable")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "out")
            .collect();
        assert!(
            leftovers.is_empty(),
            "temporary files left behind: {leftovers:?}"
        );
        let mut snapshot = format!(
            "args: {}\nexit: {code}\n----- stderr\n{stderr}----- stdout\n{stdout}",
            args.trim()
        );
        if code == 0 {
            for text in text_outputs(&out) {
                snapshot.push_str(&text);
            }
            // Other outputs a case wants to show (one relative path a line).
            for shown in std::fs::read_to_string(case.join("show"))
                .unwrap_or_default()
                .lines()
            {
                let text = std::fs::read_to_string(out.join(shown.trim()))
                    .unwrap_or_else(|_| "(missing)\n".into());
                snapshot.push_str(&format!("----- {}\n{text}", shown.trim()));
            }
        }
        insta::assert_snapshot!(name, snapshot);
    }
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

fn assert_untouched(out: &Path) {
    let entries: Vec<String> = std::fs::read_dir(out)
        .expect("the output folder still exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        entries,
        vec!["manifest.json".to_string()],
        "the failed run changed the output folder"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).expect("manifest readable");
    assert_eq!(
        manifest, PREVIOUS_MANIFEST,
        "the failed run changed the previous manifest"
    );
}

/// Every error code is produced by at least one case of the catalogue: the
/// list of codes is the error index, and each entry has its fixture.
#[test]
fn every_error_code_has_a_case() {
    let snapshots = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut shown = String::new();
    for entry in std::fs::read_dir(snapshots).expect("snapshots").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("main__ui__") {
            shown.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
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
    assert!(missing.is_empty(), "codes without a UI case: {missing:?}");
}
