//! Replays the fuzz corpora and every crash input the fuzzers found
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`) through the very
//! functions the cargo-fuzz targets call, in process: none may panic. No
//! libFuzzer needed; to fuzz, see `fuzz/README.md`.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// At most this many corpus files per target are replayed (the first by
/// name), to keep the test fast; crash inputs are always all replayed.
const MAX_CORPUS_FILES: usize = 1000;

fn fuzz_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `folder/<target>/`, sorted; none if the folder is absent.
fn inputs(folder: &Path, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder.join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs each file through the target; returns the files that panicked.
fn replay(target: &str, files: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for file in files {
        let data = match std::fs::read(file) {
            Ok(data) => data,
            // A running fuzzer replaces corpus files as it shrinks them.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => panic!("{}: {error}", file.display()),
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| harness::run(target, &data)));
        match outcome {
            Ok(true) => {}
            Ok(false) => failures.push(format!("{}: no target `{target}`", file.display())),
            Err(_) => failures.push(format!("{}: panicked (see above)", file.display())),
        }
    }
    failures
}

#[test]
fn every_corpus_and_regression_folder_is_a_target() {
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_folder().join(kind)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                harness::TARGETS.contains(&name.as_str()),
                "fuzz/{kind}/{name}: not a fuzz target (targets: {:?})",
                harness::TARGETS
            );
        }
    }
}

#[test]
fn fuzz_crash_inputs_do_not_panic() {
    let folder = fuzz_folder().join("regressions");
    let mut failures = Vec::new();
    for target in harness::TARGETS {
        failures.extend(replay(target, &inputs(&folder, target)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fuzz_corpora_do_not_panic() {
    let folder = fuzz_folder().join("corpus");
    let mut failures = Vec::new();
    let mut replayed = 0;
    for target in harness::TARGETS {
        let files = inputs(&folder, target);
        assert!(!files.is_empty(), "fuzz/corpus/{target}/ has no seed");
        let files = &files[..files.len().min(MAX_CORPUS_FILES)];
        replayed += files.len();
        failures.extend(replay(target, files));
    }
    assert!(replayed > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `check` input built from the sample project, as `fuzz/seed_corpus.py`
/// builds it: spec files in path order joined by `\x01`, `\0`, then the
/// tables in include order.
fn sample_project_input() -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    let mut specs = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("reports/").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rdn") {
                specs.push(path);
            }
        }
    }
    specs.sort();
    let read = |path: &Path| std::fs::read(path).expect("readable");
    let mut input = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        if index > 0 {
            input.push(harness::FILE_SEPARATOR);
        }
        input.extend(read(spec));
    }
    input.push(harness::TABLES_SEPARATOR);
    for (index, name) in ["lakeshore", "riviere", "sommets"].iter().enumerate() {
        if index > 0 {
            input.push(harness::FILE_SEPARATOR);
        }
        input.extend(read(&root.join(format!("crosswalks/{name}.csv"))));
    }
    input
}

/// The seeds reach the whole checker: the sample project and the minimal
/// crosswalk spec are valid inputs of their targets, not early errors.
#[test]
fn fuzz_harness_accepts_the_valid_seeds() {
    let (sources, result) = harness::check_input(&sample_project_input());
    if let Err(diagnostics) = result {
        panic!(
            "{}",
            reddition::diagnostic::render(&sources, &diagnostics, false)
        );
    }
    let table = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/bases/table/reports/table.csv"),
    )
    .expect("table");
    let (sources, result) = harness::crosswalk_table_input(&table);
    if let Err(diagnostics) = result {
        panic!(
            "{}",
            reddition::diagnostic::render(&sources, &diagnostics, false)
        );
    }
}
