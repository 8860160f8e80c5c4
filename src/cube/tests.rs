//! The cube's diagnostics on data read again: excerpts in the declared
//! encoding.

use super::*;
use crate::diagnostic::Code;

/// The minimal project's specification, with ASCII headers, its exports
/// declared in windows-1252, and one ledger.
fn spec() -> String {
    let minimal = include_str!("../../tests/cases/bases/minimal/reports/spec.rdn");
    let sources = minimal
        .lines()
        .filter(|line| line.trim_start().starts_with("opening") || line.contains("gl-2024"))
        .map(|line| format!("{line}\n"))
        .collect::<String>();
    minimal.replace(&sources, "").replace(
        r#"columns { date "Date" account "Compte" amount "Montant" reference "Pièce" }"#,
        r#"encoding "windows-1252"
  columns { date "Date" account "Compte" amount "Montant" reference "Piece" description "Libelle" }"#,
    )
}

#[test]
fn an_excerpt_is_decoded_as_declared_not_guessed() {
    // `’` written as UTF-8 (E2 80 99) is, in windows-1252, the three
    // characters `â€™`: the whole file is valid UTF-8, so a guess would
    // read it as UTF-8, though its format declares windows-1252.
    let ledger = b"Date;Libelle;Compte;Montant;Piece\n\
        15/08/2024;x;000-110;5,00;B1\n\
        15/08/2024;l\xE2\x80\x99ecole;231-999;-5,00;B1\n";
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path();
    for (path, bytes) in [
        ("reports/spec.rdn", spec().into_bytes()),
        ("ledgers/gl-2025.csv", ledger.to_vec()),
    ] {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().expect("a folder")).expect("a folder");
        std::fs::write(full, bytes).expect("written");
    }
    let project = Project::new(root);
    let mut sources = Sources::default();
    let program = crate::pipeline::check_project(&project, &mut sources).expect("checks");
    let errors = build(&program, &project, &mut sources, &ReadOptions::default())
        .expect_err("a code no rule maps");
    let unmapped = errors
        .iter()
        .find(|error| error.code == Code::Unmapped)
        .expect("the unmapped code is reported");
    let span = unmapped.primary_span().expect("at the first unmapped code");
    let excerpt = sources.get(span.file);
    assert_eq!(excerpt.text, "15/08/2024;lâ€™ecole;231-999;-5,00;B1");
    assert_eq!(excerpt.text.get(span.range()), Some("231-999"));
}
