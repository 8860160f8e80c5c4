//! Property tests of the invariants: conservation (every amount read lands
//! on exactly one chart code, or the run names what it could not map),
//! determinism (same inputs, same bytes; row order does not matter),
//! footing (rounded lines add up to the rounded totals shown), and exact
//! amounts in ministry files (written as they are, never rounded again).

// Independent arithmetic: this test checks our money type with its own decimals.
#![allow(clippy::disallowed_types)]

use proptest::prelude::*;
use reddition::diagnostic::Code;
use reddition::pipeline::{self, OutputFormat};
use reddition::project::Project;
use reddition::source::Sources;
use std::collections::BTreeMap;
use std::path::Path;

const CHART: &[(&str, &str, &str)] = &[
    ("11000", "actif_financier", "debit"),
    ("21000", "passif", "credit"),
    ("41000", "excedent_accumule", "credit"),
    ("51000", "revenu", "credit"),
    ("61000", "charge", "debit"),
    ("62000", "charge", "debit"),
];

/// A posting: local code index, amount in cents (debit positive).
#[derive(Clone, Debug)]
struct Entry {
    debit_code: usize,
    credit_code: usize,
    cents: i64,
    month: u32,
}

fn local_code(index: usize) -> String {
    format!("{:03}-{}", 100 + index, index % 7)
}

fn cents(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", value.abs() / 100, value.abs() % 100)
}

/// Writes a project whose crosswalk maps local code `i` to `targets[i]`
/// (`None`: no rule, so the code is unmapped).
fn write_project(root: &Path, targets: &[Option<usize>], entries: &[Entry], report_extra: &str) {
    std::fs::create_dir_all(root.join("reports")).unwrap();
    std::fs::create_dir_all(root.join("ledgers")).unwrap();
    let mut spec = String::from("fiscal_year 2025\nrounding { unit 1 }\nchart c \"C\" {\n");
    for (code, kind, balance) in CHART {
        spec.push_str(&format!("  {code} \"{code}\" {kind} {balance}\n"));
    }
    spec.push_str("}\nstructure s \"S\" { unit:3 \"-\" tail:1 }\ncrosswalk x: s -> c {\n");
    for (index, target) in targets.iter().enumerate() {
        if let Some(target) = target {
            spec.push_str(&format!(
                "  \"{}\" => {}\n",
                local_code(index),
                CHART[*target].0
            ));
        }
    }
    spec.push_str("}\nformat f \"F\" { columns { date \"Date\" account \"Compte\" amount \"Montant\" reference \"Piece\" } }\n");
    spec.push_str("entity e \"E\" { crosswalk x ledger \"ledgers/gl.csv\" format f }\n");
    spec.push_str("report r \"R\" {\n  columns { courant = year }\n");
    spec.push_str("  section actifs \"A\" { line a \"Encaisse\" = sum(11000) total \"T\" }\n");
    spec.push_str("  line p \"Passif\" = sum(21000)\n  line s \"Surplus\" = balance(41000)\n");
    spec.push_str(
        "  section revenus \"Revenus\" { line v \"Subvention\" = sum(51000) total \"Total\" }\n",
    );
    spec.push_str("  section charges \"Charges\" { line c1 \"C1\" = sum(61000) line c2 \"C2\" = sum(62000) total \"Total\" }\n");
    spec.push_str("  line resultat \"Résultat\" = revenus - charges\n");
    spec.push_str(report_extra);
    spec.push_str("}\n");
    std::fs::write(root.join("reports/spec.rdn"), spec).unwrap();
    let mut csv = String::from("Date,Compte,Montant,Piece\n");
    for (number, entry) in entries.iter().enumerate() {
        let date = format!(
            "{}-{:02}-15",
            if entry.month >= 7 { 2024 } else { 2025 },
            entry.month
        );
        csv.push_str(&format!(
            "{date},{},{},P{number}\n",
            local_code(entry.debit_code),
            cents(entry.cents)
        ));
        csv.push_str(&format!(
            "{date},{},{},P{number}\n",
            local_code(entry.credit_code),
            cents(-entry.cents)
        ));
    }
    std::fs::write(root.join("ledgers/gl.csv"), csv).unwrap();
}

fn entries(codes: usize) -> impl Strategy<Value = Vec<Entry>> {
    prop::collection::vec(
        (
            0..codes,
            0..codes,
            -10_000_000_000i64..10_000_000_000,
            1u32..=12,
        )
            .prop_map(|(d, c, cents, month)| Entry {
                debit_code: d,
                credit_code: c,
                cents,
                month,
            }),
        1..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Σ per chart code in the cube equals Σ of the postings whose local code
    /// maps there; an unmapped code fails the run and is named with its count.
    #[test]
    fn conservation(targets in prop::collection::vec(prop::option::weighted(0.9, 0..CHART.len()), 1..12),
                    seed_entries in entries(12)) {
        let codes = targets.len();
        let entries: Vec<Entry> = seed_entries.into_iter().map(|mut e| { e.debit_code %= codes; e.credit_code %= codes; e }).collect();
        let folder = tempfile::tempdir().unwrap();
        write_project(folder.path(), &targets, &entries, "");
        let project = Project::new(folder.path());
        let mut sources = Sources::default();
        let program = pipeline::check_project(&project, &mut sources).expect("the generated spec checks");
        let used: std::collections::BTreeSet<usize> = entries.iter().flat_map(|e| [e.debit_code, e.credit_code]).collect();
        let unmapped: Vec<usize> = used.iter().copied().filter(|i| targets[*i].is_none()).collect();
        match reddition::cube::build(&program, &project, &mut sources, &Default::default()) {
            Ok(cube) => {
                prop_assert!(unmapped.is_empty());
                let mut expected: BTreeMap<String, i128> = BTreeMap::new();
                for entry in &entries {
                    *expected.entry(CHART[targets[entry.debit_code].unwrap()].0.to_string()).or_default() += entry.cents as i128;
                    *expected.entry(CHART[targets[entry.credit_code].unwrap()].0.to_string()).or_default() -= entry.cents as i128;
                }
                let data = &cube.entities[0];
                let mut actual: BTreeMap<String, i128> = BTreeMap::new();
                for (cell, amount) in &data.cells {
                    let code = program.chart.accounts[data.locals[cell.local].mapped.target].code.clone();
                    let hundredths = amount.scaled(2).expect("amounts in cents");
                    *actual.entry(code).or_default() += hundredths;
                }
                expected.retain(|_, v| *v != 0);
                actual.retain(|_, v| *v != 0);
                prop_assert_eq!(expected, actual);
            }
            Err(diagnostics) => {
                prop_assert!(!unmapped.is_empty(), "unexpected failure: {:?}", diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>());
                let listed = diagnostics.iter().find(|d| d.code == Code::Unmapped).expect("an unmapped diagnostic");
                for index in &unmapped {
                    let code = local_code(*index);
                    let lines = entries.iter().filter(|e| e.debit_code == *index).count() + entries.iter().filter(|e| e.credit_code == *index).count();
                    let note = listed.notes.iter().find(|n| n.starts_with(&format!("`{code}`"))).expect("each unmapped code is listed");
                    let expected_count = format!(": {lines} line");
                    prop_assert!(note.contains(&expected_count), "{}", note);
                }
            }
        }
    }

    /// Two builds of the same inputs give the same bytes, and shuffling the
    /// rows of the ledger leaves every statement unchanged.
    #[test]
    fn determinism(entries in entries(6), rotation in 0usize..100) {
        let targets: Vec<Option<usize>> = (0..6).map(|i| Some(i % CHART.len())).collect();
        let build = |entries: &[Entry]| {
            let folder = tempfile::tempdir().unwrap();
            write_project(folder.path(), &targets, entries, "");
            let project = Project::new(folder.path());
            let mut sources = Sources::default();
            let program = pipeline::check_project(&project, &mut sources).unwrap();
            let built = pipeline::run(&program, &project, &mut sources, &Default::default()).unwrap();
            let mut bundle = pipeline::bundle(&program, &built, &project, &sources, &[OutputFormat::Json, OutputFormat::Txt]).unwrap();
            bundle.retain(|path, _| path.starts_with("e/r."));
            bundle
        };
        let first = build(&entries);
        prop_assert_eq!(&first, &build(&entries));
        let mut shuffled = entries.clone();
        let len = shuffled.len();
        shuffled.rotate_left(rotation % len);
        shuffled.reverse();
        prop_assert_eq!(&first, &build(&shuffled));
    }

    /// Rounded statements foot: each total shown equals the sum of the rounded
    /// lines shown above it, and every difference to the exact total is listed.
    #[test]
    fn rounded_statements_foot(entries in entries(6)) {
        let targets: Vec<Option<usize>> = (0..6).map(|i| Some(i % CHART.len())).collect();
        let folder = tempfile::tempdir().unwrap();
        write_project(folder.path(), &targets, &entries, "");
        let project = Project::new(folder.path());
        let mut sources = Sources::default();
        let program = pipeline::check_project(&project, &mut sources).unwrap();
        let built = pipeline::run(&program, &project, &mut sources, &Default::default()).unwrap();
        let statement = reddition::render::statement(&program, &built.figures, 0, 0);
        let value = |id: &str| -> rust_decimal::Decimal {
            let row = statement.rows.iter().find(|r| r.id.as_deref() == Some(id)).expect("row");
            row.values[0].rounded.parse().unwrap()
        };
        prop_assert_eq!(value("charges"), value("c1") + value("c2"));
        prop_assert_eq!(value("resultat"), value("revenus") - value("charges"));
        for id in ["a", "p", "s", "v", "c1", "c2"] {
            prop_assert_eq!(value(id).scale(), 0, "rounded to the dollar");
        }
        let listed = statement.rounding.residuals.iter().any(|r| r.line == "resultats" || r.line == "resultat" || r.line == "charges");
        let exact: rust_decimal::Decimal = statement.rows.iter().find(|r| r.id.as_deref() == Some("charges")).unwrap().values[0].exact.parse().unwrap();
        if exact.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven) != value("charges") {
            prop_assert!(listed, "the rounding difference of a total is reported");
        }
    }
}

proptest! {
    /// Amounts in ministry files: `-?[0-9]+(.[0-9]+)?` with at least the
    /// declared decimals (exactly them when the value has no more), and
    /// they read back as the very amount: padding never rounds.
    #[test]
    fn amounts_in_ministry_files_read_back_exactly(
        mantissa in any::<i64>(),
        scale in 0u32..12,
        decimals in 0u32..8,
    ) {
        use reddition::money::Amount;
        let amount = Amount::from_scaled(i128::from(mantissa), scale).expect("fits");
        let text = reddition::render::submission::number(amount, decimals);
        prop_assert_eq!(Amount::parse_plain(&text), Some(amount));
        let digits = text.strip_prefix('-').unwrap_or(&text);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        prop_assert!(!whole.is_empty() && whole.chars().all(|c| c.is_ascii_digit()));
        prop_assert!(fraction.chars().all(|c| c.is_ascii_digit()));
        let own = amount.significant_scale();
        prop_assert_eq!(fraction.len() as u32, own.max(decimals));
        prop_assert!(!(amount.is_zero() && text.starts_with('-')));
    }
}
