//! Versioned crosswalk rules: a build with the rules of an earlier date
//! reproduces, byte for byte, the output of the crosswalk as it was before
//! the rule changed, and the manifest says which rules made the figures.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder created");
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("file copied");
        }
    }
}

fn build(project: &Path, out: &Path, extra: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_reddition"))
        .arg("build")
        .arg(project)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{} builds: {}",
        project.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every file of an output folder but the manifest, by relative path.
fn outputs(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                if name != "manifest.json" {
                    found.push((name, std::fs::read(&path).expect("readable")));
                }
            }
        }
    }
    found.sort();
    found
}

/// The sample's Rivière-du-Nord crosswalk reclassifies one local code from
/// 2025-07-01. Its previous version is the same file without the new rule
/// and without the end date of the old one.
#[test]
fn rules_of_an_earlier_date_rebuild_the_earlier_output_exactly() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let previous = scratch.path().join("previous");
    copy_folder(&repository().join("reports"), &previous.join("reports"));
    copy_folder(&repository().join("ledgers"), &previous.join("ledgers"));
    let crosswalk = previous.join("reports/centres/riviere.rdn");
    let text = std::fs::read_to_string(&crosswalk).expect("crosswalk");
    assert!(
        text.contains(" valid until 2025-06-30") && text.contains(" valid from 2025-07-01"),
        "the sample carries a versioned rule"
    );
    let earlier: String = text
        .lines()
        .filter(|line| !line.contains(" valid from 2025-07-01"))
        .map(|line| format!("{}\n", line.replace(" valid until 2025-06-30", "")))
        .collect();
    std::fs::write(&crosswalk, earlier).expect("previous crosswalk written");

    let before = scratch.path().join("before");
    build(&previous, &before, &[]);
    let as_of = scratch.path().join("as-of");
    build(&repository(), &as_of, &["--as-of", "2025-06-30"]);
    let (expected, rebuilt) = (outputs(&before), outputs(&as_of));
    assert_eq!(
        expected.iter().map(|(name, _)| name).collect::<Vec<_>>(),
        rebuilt.iter().map(|(name, _)| name).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in expected.iter().zip(&rebuilt) {
        assert!(
            a == b,
            "{name} differs from the build of the previous crosswalk"
        );
    }

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(as_of.join("manifest.json")).expect("manifest"))
            .expect("JSON");
    assert_eq!(manifest["rules_as_of"], "2025-06-30");
    let applied: Vec<(String, bool)> = manifest["rule_versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| {
            (
                v["target"].as_str().unwrap_or("").to_string(),
                v["applied"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        applied,
        vec![("65020".to_string(), true), ("64020".to_string(), false)]
    );

    // The new rules move the figures, comparatives included.
    let later = scratch.path().join("later");
    build(
        &repository(),
        &later,
        &["--as-of", "2025-07-01", "--format", "txt"],
    );
    let read = |root: &Path| {
        std::fs::read_to_string(root.join("riviere/resultats.txt")).expect("statement")
    };
    assert_ne!(read(&before), read(&later));
}
