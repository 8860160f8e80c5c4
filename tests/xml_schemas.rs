//! Ministry files against their own schemas, checked by a validator that is
//! not ours: xmllint (Debian package libxml2-utils). Every XML file the
//! sample and the fixture projects write is valid against the XSD written
//! beside it; a file altered by hand is not (the schema constrains); and a
//! new format added in a specification alone, with no change to the
//! compiler, is written and valid. A missing xmllint fails these tests: a
//! schema nobody checked proves nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the project at `root` into `out` (XML outputs and text).
fn build(root: &Path, out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_reddition"))
        .args(["build", "--quiet", "--format", "xml,txt", "--out"])
        .arg(out)
        .arg(root)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "build of {} failed: {}",
        root.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs xmllint; true when the file is valid against the schema.
fn xmllint(schema: &Path, file: &Path) -> (bool, String) {
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(file)
        .output()
        .unwrap_or_else(|error| {
            panic!("xmllint cannot run ({error}): install it with `apt-get install libxml2-utils`")
        });
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every (schema, file) pair of a build: `schemas/NAME.xsd` with each
/// `SCOPE/NAME.xml`.
fn files_and_schemas(out: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut pairs = Vec::new();
    let schemas = std::fs::read_dir(out.join("schemas")).expect("a schemas folder");
    for schema in schemas.flatten().map(|e| e.path()) {
        let stem = schema
            .file_stem()
            .expect("named")
            .to_string_lossy()
            .into_owned();
        for scope in std::fs::read_dir(out).expect("out").flatten() {
            let file = scope.path().join(format!("{stem}.xml"));
            if file.is_file() {
                pairs.push((schema.clone(), file));
            }
        }
    }
    pairs.sort();
    pairs
}

fn assert_all_valid(out: &Path, at_least: usize) {
    let pairs = files_and_schemas(out);
    assert!(
        pairs.len() >= at_least,
        "{}: {} files found",
        out.display(),
        pairs.len()
    );
    for (schema, file) in &pairs {
        let (valid, report) = xmllint(schema, file);
        assert!(valid, "{} is not valid: {report}", file.display());
    }
}

/// Case projects that declare a submission and build successfully,
/// materialized into `folder`.
fn cases_with_submissions(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for (_, case) in crate::support::cases::catalogue() {
        let case = case.unwrap_or_else(|error| panic!("{error}"));
        if !case.args.starts_with("build") {
            continue;
        }
        let project = case
            .materialize(folder)
            .unwrap_or_else(|error| panic!("{error}"));
        let spec = std::fs::read_to_string(project.join("reports/spec.rdn")).unwrap_or_default();
        if spec.contains("\nsubmission ") {
            found.push(project);
        }
    }
    found
}

/// The case project `name`, materialized into `folder`.
fn case_project(name: &str, folder: &Path) -> PathBuf {
    crate::support::cases::case(name)
        .materialize(folder)
        .unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn every_file_is_valid_against_its_schema() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let sample = scratch.path().join("sample");
    build(&repository(), &sample);
    // Four scopes: three centres and the network.
    assert_all_valid(&sample, 4);
    let cases = cases_with_submissions(&scratch.path().join("cases"));
    assert!(!cases.is_empty(), "a case shows a submission");
    for (index, case) in cases.iter().enumerate() {
        let out = scratch.path().join(format!("case-{index}"));
        build(case, &out);
        assert_all_valid(&out, 1);
    }
}

/// Removes the first line of `text` containing `needle` (a whole element
/// written on one line).
fn without_line(text: &str, needle: &str) -> String {
    let mut removed = false;
    text.lines()
        .filter(|line| {
            let drop = !removed && line.contains(needle);
            removed |= drop;
            !drop
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn a_file_altered_by_hand_is_refused_by_the_schema() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let out = scratch.path().join("out");
    build(&case_project("ok-submission-xml", scratch.path()), &out);
    let schema = out.join("schemas/depot.xsd");
    let original = std::fs::read_to_string(out.join("centre/depot.xml")).expect("written");
    let altered = [
        (
            "a required element removed",
            without_line(&original, "<Periode>"),
        ),
        (
            "a line id the report does not have",
            original.replacen("id=\"subvention\"", "id=\"subventions\"", 1),
        ),
        (
            "a kind of row that does not exist",
            original.replacen("type=\"line\"", "type=\"ligne\"", 1),
        ),
        (
            "a required attribute removed",
            original.replacen(" type=\"line\"", "", 1),
        ),
        (
            "a literal changed",
            original.replacen("version=\"2.1\"", "version=\"2.2\"", 1),
        ),
        (
            "an amount with one decimal",
            original.replacen("<Excedent>450.00<", "<Excedent>450.0<", 1),
        ),
        (
            "an amount that is not a number",
            original.replacen("<Excedent>450.00<", "<Excedent>n/d<", 1),
        ),
        (
            "a repeated element missing",
            without_line(&original, "<Ligne id=\"nul\""),
        ),
        (
            "elements out of order",
            original
                .replacen("<Exercice>2025</Exercice>", "", 1)
                .replacen(
                    "</Resultats>",
                    "</Resultats>\n  <Exercice>2025</Exercice>",
                    1,
                ),
        ),
        (
            "an element the schema does not declare",
            original.replacen("<Fin>", "<Inconnu>1</Inconnu>\n  <Fin>", 1),
        ),
    ];
    let (valid, report) = xmllint(&schema, &out.join("centre/depot.xml"));
    assert!(valid, "the original is valid: {report}");
    for (what, text) in altered {
        assert_ne!(text, original, "{what}: the alteration changed nothing");
        let file = scratch.path().join("altered.xml");
        std::fs::write(&file, text).expect("written");
        let (valid, _) = xmllint(&schema, &file);
        assert!(!valid, "{what}: accepted by the schema");
    }
}

/// A format as ministry staff would add it: one new file under reports/
/// (`tests/fixtures/new-format/suivi_trimestriel.rdn`), nothing else. The
/// compiler writes the file, its schema and its views.
#[test]
fn a_new_format_needs_only_a_specification() {
    let fixture = repository().join("tests/fixtures/new-format");
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = case_project("ok-submission-xml", scratch.path());
    std::fs::copy(
        fixture.join("suivi_trimestriel.rdn"),
        project.join("reports/suivi_trimestriel.rdn"),
    )
    .expect("copied");
    let out = scratch.path().join("out");
    build(&project, &out);
    for (written, expected) in [
        ("centre/suivi_trimestriel.xml", "expected.xml"),
        ("centre/suivi_trimestriel.csv", "expected.csv"),
        ("schemas/suivi_trimestriel.xsd", "expected.xsd"),
    ] {
        let written = std::fs::read_to_string(out.join(written)).expect("written");
        let expected = std::fs::read_to_string(fixture.join(expected)).expect("expected");
        assert_eq!(written, expected);
    }
    for view in ["csv", "json"] {
        assert!(
            out.join(format!("tous/suivi_trimestriel.{view}")).is_file(),
            "the {view} view is written"
        );
    }
    assert_all_valid(&out, 4);
}
