//! The bundled sample: every statement of every centre and of the network,
//! in text, JSON and HTML, is a reviewed snapshot; two builds give the same
//! bytes, also under another time zone and locale.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build(out: &Path, envs: &[(&str, &str)]) {
    let output = Command::new(env!("CARGO_BIN_EXE_reddition"))
        .args(["build", "--out"])
        .arg(out)
        .current_dir(repository())
        .envs(envs.iter().copied())
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "the sample builds: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn sample_statements() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let first = scratch.path().join("first");
    build(&first, &[]);
    for path in files(&first) {
        let name = path
            .strip_prefix(&first)
            .expect("inside")
            .to_string_lossy()
            .replace('/', "__");
        let snapshot_worthy = ["txt", "json", "html"]
            .iter()
            .any(|ext| path.extension().is_some_and(|e| e == *ext))
            || name.ends_with("correspondances.csv") && name.starts_with("riviere");
        // Of the ministry files, every XML file and schema: their CSV and
        // JSON views are checked against them by the build.
        let submissions = [
            "rapport_financier_annuel",
            "suivi_budgetaire_mensuel",
            "rapport_trimestriel_meq",
            "reddition_mesures_meq",
        ];
        let submission = submissions
            .iter()
            .any(|s| name.contains(&format!("__{s}.")));
        let snapshot_worthy = if submission {
            name.ends_with(".xml") || name.ends_with(".xsd")
        } else {
            snapshot_worthy
        };
        // Each scope's provenance.json (megabytes of figures) is proven by
        // `ties.rs`, which adds every figure of it up, not read by eye.
        let snapshot_worthy = snapshot_worthy && !name.ends_with("provenance.json");
        if snapshot_worthy && !name.starts_with("index") {
            let text = std::fs::read_to_string(&path).expect("UTF-8 output");
            insta::assert_snapshot!(name, text);
        }
    }
    // Same inputs, same bytes: again, in another time zone and locale, and
    // read on one core, then on five (the tallies of more cores merged).
    for (run, threads) in [("second", "1"), ("third", "5")] {
        let other = scratch.path().join(run);
        build(
            &other,
            &[
                ("TZ", "Asia/Tokyo"),
                ("LANG", "de_DE.UTF-8"),
                ("LC_ALL", "de_DE.UTF-8"),
                ("REDDITION_THREADS", threads),
            ],
        );
        same_bytes(&first, &other);
    }
}

/// Two outputs hold the same files with the same bytes.
fn same_bytes(first: &Path, second: &Path) {
    let (first_files, second_files) = (files(first), files(second));
    assert_eq!(first_files.len(), second_files.len());
    for (a, b) in first_files.iter().zip(&second_files) {
        assert_eq!(a.strip_prefix(first).ok(), b.strip_prefix(second).ok());
        assert!(
            std::fs::read(a).ok() == std::fs::read(b).ok(),
            "{} differs between runs",
            a.display()
        );
    }
}

/// Every file the build writes is a report or a submission of the sample, or
/// one of the built-in outputs whose names the checker reserves
/// (`check::BUILT_IN_OUTPUTS`): a new built-in output must be reserved there,
/// or a report of its name would overwrite it.
#[test]
fn every_built_in_output_name_is_reserved() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let out = scratch.path().join("out");
    build(&out, &[]);
    let mut sources = reddition::source::Sources::default();
    let project = reddition::project::Project::new(repository());
    let program = reddition::pipeline::check_project(&project, &mut sources).expect("checks");
    let declared: Vec<&str> = program
        .reports
        .iter()
        .map(|report| report.name.as_str())
        .chain(program.submissions.iter().map(|s| s.name.as_str()))
        .collect();
    let reserved: Vec<&str> = reddition::check::BUILT_IN_OUTPUTS
        .iter()
        .map(|(stem, _)| *stem)
        .collect();
    for path in files(&out) {
        let relative = path.strip_prefix(&out).expect("inside");
        // `schemas/<submission>.xsd` is reserved by its folder.
        let first = relative
            .iter()
            .next()
            .and_then(|c| c.to_str())
            .unwrap_or("");
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        assert!(
            declared.contains(&stem) || reserved.contains(&stem) || reserved.contains(&first),
            "`{}` is neither a declared report or submission nor a reserved built-in output",
            relative.display()
        );
    }
}

/// `ledgers/generate.py` writes exactly the committed sample: its ledgers,
/// the centres' declarations and crosswalk tables, and the ledgers' README.
#[test]
fn the_generator_reproduces_the_committed_sample() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let script = scratch.path().join("ledgers/generate.py");
    std::fs::create_dir_all(scratch.path().join("ledgers")).expect("folder");
    std::fs::copy(repository().join("ledgers/generate.py"), &script).expect("copied");
    let output = Command::new("python3")
        .arg(&script)
        .output()
        .expect("python3 runs (the sample's generator needs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written: Vec<PathBuf> = files(scratch.path())
        .into_iter()
        .filter(|path| path != &script)
        .collect();
    assert!(written.len() >= 25, "{} files written", written.len());
    for path in written {
        let relative = path.strip_prefix(scratch.path()).expect("inside");
        assert!(
            std::fs::read(&path).ok() == std::fs::read(repository().join(relative)).ok(),
            "{} differs from the committed file",
            relative.display()
        );
    }
}
