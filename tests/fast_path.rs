//! The fast path (streamed, parallel) against the precise reader: on every
//! project they must build the same cube, or fail with the same errors.
//! Small block sizes cut the files into many blocks, so the cuts, the
//! merging of the cores' tallies and the line numbers across blocks are all
//! exercised on small fixtures.

use proptest::prelude::*;
use reddition::cube::{self, Cube, ReadOptions};
use reddition::diagnostic;
use reddition::pipeline;
use reddition::project::Project;
use reddition::source::Sources;
use std::path::Path;

/// What a build of the cube gave, in a form two runs can be compared by.
fn outcome(root: &Path, options: &ReadOptions<'_>) -> Option<(String, Vec<bool>)> {
    let project = Project::new(root);
    let mut sources = Sources::default();
    let program = pipeline::check_project(&project, &mut sources).ok()?;
    Some(
        match cube::build(&program, &project, &mut sources, options) {
            Ok(cube) => describe(cube),
            Err(mut errors) => {
                diagnostic::sort(&mut errors);
                (diagnostic::render(&sources, &errors, false), Vec::new())
            }
        },
    )
}

/// The cube's Debug text with the `streamed` flags taken out (and returned).
fn describe(mut cube: Cube) -> (String, Vec<bool>) {
    let streamed = cube.entities.iter().map(|e| e.streamed).collect();
    for entity in &mut cube.entities {
        entity.streamed = false;
    }
    (format!("{cube:?}"), streamed)
}

const PRECISE: ReadOptions<'static> = ReadOptions {
    hash: true,
    precise: true,
    progress: None,
    block_bytes: 0,
    cancelled: None,
};

fn fast(block_bytes: usize) -> ReadOptions<'static> {
    ReadOptions {
        hash: true,
        precise: false,
        progress: None,
        block_bytes,
        cancelled: None,
    }
}

#[test]
fn the_sample_is_streamed_and_read_the_same_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (precise, _) = outcome(root, &PRECISE).expect("the sample checks");
    for block in [0, 4096] {
        let (streamed, flags) = outcome(root, &fast(block)).expect("the sample checks");
        assert!(
            flags.iter().all(|f| *f),
            "an entity was not streamed (block {block})"
        );
        assert!(
            precise == streamed,
            "block {block}: the two readers differ on the sample"
        );
    }
}

#[test]
fn every_case_project_is_read_the_same_way() {
    let mut compared = 0;
    let mut streamed_cases = 0;
    for (name, case) in crate::support::cases::catalogue() {
        let case = case.unwrap_or_else(|error| panic!("{error}"));
        let inputs = tempfile::tempdir().expect("a temporary folder");
        let folder = case
            .materialize(inputs.path())
            .unwrap_or_else(|error| panic!("{error}"));
        if !folder.join("reports").is_dir() {
            continue;
        }
        let Some(precise) = outcome(&folder, &PRECISE) else {
            continue;
        };
        compared += 1;
        for block in [0, 1, 7, 64] {
            let (text, flags) = outcome(&folder, &fast(block)).expect("checked once already");
            assert!(
                text == precise.0,
                "{name}: block {block}: the fast path differs from the precise reader\n--- precise\n{}\n--- fast\n{text}",
                precise.0
            );
            if block == 0 && flags.iter().any(|f| *f) {
                streamed_cases += 1;
            }
        }
    }
    assert!(compared > 50, "only {compared} case projects compared");
    assert!(
        streamed_cases > 10,
        "only {streamed_cases} cases were streamed"
    );
}

// ------------------------------------------------------------------ generated

/// A dialect and the way its files are written.
#[derive(Clone, Debug)]
struct Dialect {
    delimiter: char,
    decimal_comma: bool,
    thousands: Option<char>,
    windows_1252: bool,
    crlf: bool,
    debit_credit: bool,
    bom: bool,
}

fn dialect() -> impl Strategy<Value = Dialect> {
    (
        prop::sample::select(vec![',', ';', '\t', '|']),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![' ', '\u{a0}', '.', ','])),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(delimiter, decimal_comma, thousands, windows_1252, crlf, debit_credit, bom)| {
                let mark = if decimal_comma { ',' } else { '.' };
                Dialect {
                    delimiter,
                    decimal_comma,
                    thousands: thousands.filter(|t| *t != mark),
                    windows_1252,
                    crlf,
                    debit_credit,
                    bom: bom && !windows_1252,
                }
            },
        )
}

/// One posting line's free parts.
#[derive(Clone, Debug)]
struct Line {
    code: usize,
    cents: i64,
    month: u32,
    description: usize,
    blank_before: bool,
    spaces: bool,
}

const DESCRIPTIONS: &[&str] = &[
    "Fournitures",
    "Contrat d'entretien, école Sainte-Thérèse",
    "Facture \"urgent\"; 2e envoi",
    "Ligne 1\nligne 2",
    "",
    "Café | thé",
    "  espaces  ",
];

fn lines() -> impl Strategy<Value = Vec<Line>> {
    prop::collection::vec(
        (
            0..6usize,
            -2_000_000_000i64..2_000_000_000,
            1u32..=12,
            0..DESCRIPTIONS.len(),
            prop::bool::weighted(0.05),
            prop::bool::weighted(0.1),
        )
            .prop_map(
                |(code, cents, month, description, blank_before, spaces)| Line {
                    code,
                    cents,
                    month,
                    description,
                    blank_before,
                    spaces,
                },
            ),
        1..80,
    )
}

fn amount_text(cents: i64, dialect: &Dialect) -> String {
    let mark = if dialect.decimal_comma { ',' } else { '.' };
    let whole = (cents.abs() / 100).to_string();
    let whole = match dialect.thousands {
        Some(t) if whole.len() > 3 => {
            let mut grouped = String::new();
            for (i, c) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i).is_multiple_of(3) {
                    grouped.push(t);
                }
                grouped.push(c);
            }
            grouped
        }
        _ => whole,
    };
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{whole}{mark}{:02}", cents.abs() % 100)
}

fn cell(text: &str, dialect: &Dialect) -> String {
    let needs_quotes = text.contains(dialect.delimiter)
        || text.contains('"')
        || text.contains('\n')
        || text.starts_with(' ');
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes a one-entity project: each line is balanced by a line on code 5.
fn write_project(root: &Path, dialect: &Dialect, lines: &[Line]) {
    std::fs::create_dir_all(root.join("reports")).unwrap();
    std::fs::create_dir_all(root.join("ledgers")).unwrap();
    let amounts = if dialect.debit_credit {
        "debit \"Débit\" credit \"Crédit\""
    } else {
        "amount \"Montant\""
    };
    let thousands = match dialect.thousands {
        Some('\u{a0}') | Some(' ') => "thousands \" \"\n".to_string(),
        Some(t) => format!("thousands \"{t}\"\n"),
        None => String::new(),
    };
    let delimiter = match dialect.delimiter {
        '\t' => "\\t".to_string(),
        other => other.to_string(),
    };
    let spec = format!(
        "fiscal_year 2025\n\
         chart c \"C\" {{\n  11000 \"Encaisse\" actif_financier debit\n  21000 \"Dettes\" passif credit\n  61000 \"Charges\" charge debit\n}}\n\
         structure s \"S\" {{ unit:3 \"-\" tail:1 }}\n\
         crosswalk x: s -> c {{\n  \"100-0\" => 11000\n  \"101-1\" => 21000\n  \"102-2\" => 61000\n  \"103-3\" => 61000\n  \"104-4\" => 21000\n  \"105-5\" => 11000\n}}\n\
         format f \"F\" {{\n  delimiter \"{delimiter}\"\n  decimal \"{}\"\n  {thousands}  encoding \"{}\"\n  columns {{ date \"Date\" account \"Compte\" {amounts} reference \"Pièce\" description \"Libellé\" }}\n}}\n\
         entity e \"E\" {{ crosswalk x ledger \"ledgers/gl.csv\" format f }}\n\
         report r \"R\" {{\n  columns {{ courant = year }}\n  line a \"Encaisse\" = sum(11000)\n  line b \"Dettes\" = sum(21000)\n  line c \"Charges\" = sum(61000)\n}}\n",
        if dialect.decimal_comma { "," } else { "." },
        if dialect.windows_1252 {
            "windows-1252"
        } else {
            "utf-8"
        },
    );
    std::fs::write(root.join("reports/spec.rdn"), spec).unwrap();
    let d = dialect.delimiter.to_string();
    let eol = if dialect.crlf { "\r\n" } else { "\n" };
    let mut csv = String::new();
    if dialect.bom {
        csv.push('\u{feff}');
    }
    let header: Vec<&str> = if dialect.debit_credit {
        vec!["Date", "Compte", "Débit", "Crédit", "Pièce", "Libellé"]
    } else {
        vec!["Date", "Compte", "Montant", "Pièce", "Libellé"]
    };
    csv.push_str(&header.join(&d));
    csv.push_str(eol);
    for (number, line) in lines.iter().enumerate() {
        let year = if line.month >= 7 { 2024 } else { 2025 };
        let date = format!("{year}-{:02}-15", line.month);
        let description = DESCRIPTIONS[line.description].replace('\n', eol);
        for (code, cents) in [(line.code, line.cents), (5, -line.cents)] {
            if line.blank_before {
                csv.push_str(eol);
            }
            let account = format!("{}-{}", 100 + code, code);
            let account = if line.spaces {
                format!(" {account} ")
            } else {
                account
            };
            let amount = amount_text(cents, dialect);
            let amounts = if dialect.debit_credit {
                let positive = amount_text(cents.abs(), dialect);
                if cents >= 0 {
                    format!("{}{d}", cell(&positive, dialect))
                } else {
                    format!("{d}{}", cell(&positive, dialect))
                }
            } else {
                cell(&amount, dialect)
            };
            let fields = [
                date.clone(),
                cell(&account, dialect),
                amounts,
                format!("P{number}"),
                cell(&description, dialect),
            ];
            csv.push_str(&fields.join(&d));
            csv.push_str(eol);
        }
    }
    let bytes = if dialect.windows_1252 {
        encoding_rs::WINDOWS_1252.encode(&csv).0.into_owned()
    } else {
        csv.into_bytes()
    };
    std::fs::write(root.join("ledgers/gl.csv"), bytes).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// On generated exports in every dialect, cut into blocks of every
    /// size, the fast path builds the cube the precise reader builds, and
    /// does not give up on a well-formed export.
    #[test]
    fn generated_exports_are_read_the_same_way(dialect in dialect(), lines in lines(), block in 1usize..400) {
        let folder = tempfile::tempdir().unwrap();
        write_project(folder.path(), &dialect, &lines);
        let precise = outcome(folder.path(), &PRECISE).expect("the generated spec checks");
        let (text, flags) = outcome(folder.path(), &fast(block)).expect("checked once already");
        prop_assert!(text == precise.0, "the readers differ\n--- precise\n{}\n--- fast\n{}", precise.0, text);
        let failed = precise.1.is_empty();
        prop_assert!(failed || flags.iter().all(|f| *f), "a well-formed export was not streamed");
    }

    /// One byte changed anywhere in a well-formed export: whatever the fast
    /// path makes of it, it agrees with the precise reader.
    #[test]
    fn damaged_exports_are_read_the_same_way(dialect in dialect(), lines in lines(), block in 1usize..400, at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let folder = tempfile::tempdir().unwrap();
        write_project(folder.path(), &dialect, &lines);
        let path = folder.path().join("ledgers/gl.csv");
        let mut bytes = std::fs::read(&path).unwrap();
        let index = at.index(bytes.len());
        bytes[index] = byte;
        std::fs::write(&path, bytes).unwrap();
        let precise = outcome(folder.path(), &PRECISE).expect("the generated spec checks");
        let (text, _) = outcome(folder.path(), &fast(block)).expect("checked once already");
        prop_assert!(text == precise.0, "the readers differ\n--- precise\n{}\n--- fast\n{}", precise.0, text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// Whole generated projects (two or three centres in both dialect
    /// families, several sources each: openings, prior year, adjustments,
    /// budget, inter-entity postings with their counterparty): the fast
    /// path streams every centre and builds the precise reader's cube,
    /// with the default blocks and cut into small ones.
    #[test]
    fn generated_projects_are_read_the_same_way(generated in crate::generators::project(), block in 1usize..400) {
        let folder = tempfile::tempdir().unwrap();
        generated.write(folder.path());
        let precise = outcome(folder.path(), &PRECISE).expect("the generated spec checks");
        prop_assert!(!precise.1.is_empty(), "the generated project reads:\n{}", precise.0);
        for block in [0, block] {
            let (text, flags) = outcome(folder.path(), &fast(block)).expect("checked once already");
            prop_assert!(text == precise.0, "block {}: the readers differ\n--- precise\n{}\n--- fast\n{}", block, precise.0, text);
            for (entity, streamed) in flags.iter().enumerate() {
                prop_assert!(*streamed || generated.has_twin_totals(entity), "block {}: well-formed centre {} was not streamed", block, entity);
            }
        }
    }
}
