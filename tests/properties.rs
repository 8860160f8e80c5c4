//! Property tests of the invariants: conservation (every amount read lands
//! on exactly one chart code, or the run names what it could not map),
//! determinism (same inputs, same bytes; row order does not matter),
//! footing (rounded lines add up to the rounded totals shown), exact
//! amounts in ministry files (written as they are, never rounded again),
//! provenance that adds up to every figure, and the same quantity printed
//! the same wherever it appears.
//!
//! The first properties use one centre and one year column; the last ones
//! run on whole generated projects (`generators`: several centres in both
//! dialect families, groups with eliminations, openings, prior years,
//! period 13, budgets, period, quarter, year-to-date and budget columns, a
//! matrix, every rounding option), each checked against the test's own
//! reading of the postings it generated.

// Independent arithmetic: this test checks our money type with its own decimals.
#![allow(clippy::disallowed_types)]

use crate::generators::{self, Generated, Rounding};
use proptest::prelude::*;
use reddition::cube::Cube;
use reddition::diagnostic::Code;
use reddition::model::Program;
use reddition::pipeline::{self, OutputFormat};
use reddition::project::Project;
use reddition::source::Sources;
use serde_json::Value;
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

// ------------------------------------------------- generated whole projects

/// Checks and builds a generated project with the library, as `build` does.
fn build_generated(
    root: &Path,
) -> (
    Program,
    reddition::pipeline::Built,
    BTreeMap<String, Vec<u8>>,
    Sources,
) {
    let project = Project::new(root);
    let mut sources = Sources::default();
    let program = pipeline::check_project(&project, &mut sources).unwrap_or_else(|errors| {
        let text = reddition::diagnostic::render(&sources, &errors, false);
        panic!("the generated specification checks:\n{text}")
    });
    let built = pipeline::run(&program, &project, &mut sources, &Default::default())
        .unwrap_or_else(|errors| {
            let text = reddition::diagnostic::render(&sources, &errors, false);
            panic!("the generated project builds:\n{text}")
        });
    let bundle = pipeline::bundle(&program, &built, &project, &sources, &[OutputFormat::Json])
        .unwrap_or_else(|errors| panic!("bundle: {errors:?}"));
    (program, built, bundle, sources)
}

/// Provenance adds up for every figure, column and scope (the lines of its
/// cells, the eliminations and the constant make its exact value), and a
/// quantity printed in two places prints the same: two figures of one scope
/// and slice, rounded under one policy, whose formulas expand into the same
/// terms show the same rounded value.
fn provenance_adds_up_and_ties(
    root: &Path,
    program: &Program,
    built: &reddition::pipeline::Built,
    sources: &Sources,
) -> Result<(), TestCaseError> {
    use reddition::provenance::{Context, LineIndex, provenance};
    let project = Project::new(root);
    let read = (0..program.entities.len())
        .map(|entity| {
            reddition::cube::ledger_lines(program, &project, entity, &|_| true).expect("read again")
        })
        .collect();
    let lines = LineIndex::new(read);
    let context = Context {
        program,
        figures: &built.figures,
        cube: &built.cube,
        sources,
        lines: Some(&lines),
    };
    type Signature = (
        usize,
        reddition::eval::Slice,
        String,
        String,
        Vec<(String, String, &'static str, i32)>,
    );
    let mut printed: BTreeMap<Signature, (String, String)> = BTreeMap::new();
    for (id, figure) in program.figures.iter().enumerate() {
        let report = &program.reports[figure.report];
        for (column, definition) in report.columns.iter().enumerate() {
            for scope in 0..built.figures.scopes.len() {
                let Some(found) = provenance(&context, id, column, scope) else {
                    continue;
                };
                if !found.linear {
                    continue;
                }
                prop_assert_eq!(
                    &found.lines_total,
                    &found.exact,
                    "{} [{}] for {}: lines",
                    &found.figure,
                    &found.column,
                    &found.scope
                );
                let policy = report.rounding;
                if policy.residual != reddition::model::Residual::Total || found.terms.is_empty() {
                    continue;
                }
                let mut terms: Vec<_> = found
                    .terms
                    .iter()
                    // The same amounts whatever the formula's wording:
                    // code, measure, sign and the aggregate's filter.
                    .map(|t| {
                        let filter = t.aggregate.split_once(" where ").map_or("", |(_, f)| f);
                        (filter.to_string(), t.code.clone(), t.measure, t.sign)
                    })
                    .collect();
                terms.sort();
                let slice = reddition::eval::Slice::of_column(definition, program.fiscal_year);
                let rounding = format!(
                    "{} {} {:?}",
                    policy.unit,
                    policy.method.as_str(),
                    policy.account
                );
                let key = (scope, slice, rounding, found.constant.clone(), terms);
                let seen = printed
                    .entry(key)
                    .or_insert_with(|| (found.figure.clone(), found.rounded.clone()));
                prop_assert_eq!(
                    &seen.1,
                    &found.rounded,
                    "{} and {} are the same quantity for {}",
                    &seen.0,
                    &found.figure,
                    &found.scope
                );
            }
        }
    }
    Ok(())
}

/// Conservation: per entity, fiscal year, period, chart code and
/// counterparty, books and budget apart, the cube holds exactly the sum of
/// the postings the test generated and mapped by the precedence it wrote
/// the crosswalk for; so, per entity and year, the sum over chart codes of
/// what was mapped is the sum of what was generated.
fn conserves(generated: &Generated, program: &Program, cube: &Cube) -> Result<(), TestCaseError> {
    type Key = (String, i32, u8, String, Option<String>, bool);
    let mut expected: BTreeMap<Key, i128> = BTreeMap::new();
    let mut expected_totals: BTreeMap<(String, i32, bool), i128> = BTreeMap::new();
    for fact in generated.facts() {
        let entity = generated.entity_name(fact.entity).to_string();
        let other = fact
            .counterparty
            .map(|c| generated.entity_name(c).to_string());
        let key = (
            entity.clone(),
            fact.year,
            fact.period,
            fact.code.to_string(),
            other,
            fact.budget,
        );
        *expected.entry(key).or_default() += i128::from(fact.cents);
        *expected_totals
            .entry((entity, fact.year, fact.budget))
            .or_default() += i128::from(fact.cents);
    }
    let mut actual: BTreeMap<Key, i128> = BTreeMap::new();
    let mut actual_totals: BTreeMap<(String, i32, bool), i128> = BTreeMap::new();
    for (entity, data) in program.entities.iter().zip(&cube.entities) {
        for (budget, cells) in [(false, &data.cells), (true, &data.budget)] {
            for (cell, amount) in cells {
                let code = &program.chart.accounts[data.locals[cell.local].mapped.target].code;
                let other = cell
                    .counterparty
                    .map(|c| program.entities[usize::from(c)].name.clone());
                let cents = amount.scaled(2).expect("amounts in cents");
                let key = (
                    entity.name.clone(),
                    cell.year,
                    cell.period,
                    code.clone(),
                    other,
                    budget,
                );
                *actual.entry(key).or_default() += cents;
                *actual_totals
                    .entry((entity.name.clone(), cell.year, budget))
                    .or_default() += cents;
            }
        }
    }
    for map in [&mut expected, &mut actual] {
        map.retain(|_, cents| *cents != 0);
    }
    prop_assert_eq!(
        expected_totals,
        actual_totals,
        "sum mapped per entity and year"
    );
    prop_assert_eq!(
        expected,
        actual,
        "sum mapped per entity, year, period and code"
    );
    Ok(())
}

fn decimal(value: &Value) -> rust_decimal::Decimal {
    value
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("a decimal string: {value}"))
}

/// The statement foots as printed: in every column, each section total is
/// the sum of the rounded rows printed in it (memo lines aside; a nested
/// section counts by its total), and in a matrix each row's total column
/// is the sum of its other columns.
fn foots(statement: &Value) -> Result<(), TestCaseError> {
    let columns = statement["columns"].as_array().expect("columns");
    let rounded = |row: &Value, column: usize| decimal(&row["values"][column]["rounded"]);
    let mut open: Vec<Vec<rust_decimal::Decimal>> = Vec::new();
    for row in statement["rows"].as_array().expect("rows") {
        let depth = row["depth"].as_u64().expect("depth") as usize;
        let add = |open: &mut Vec<Vec<rust_decimal::Decimal>>| {
            if let Some(sums) = open.last_mut() {
                for (column, sum) in sums.iter_mut().enumerate() {
                    *sum += rounded(row, column);
                }
            }
        };
        match row["kind"].as_str().expect("kind") {
            "heading" => {
                prop_assert_eq!(depth, open.len(), "a heading opens at its depth");
                open.push(vec![rust_decimal::Decimal::ZERO; columns.len()]);
            }
            "line" | "memo" => {
                prop_assert_eq!(depth, open.len(), "{} sits in its section", row["id"]);
                if row["kind"] == "line" {
                    add(&mut open);
                }
            }
            "total" => {
                let sums = open.pop().expect("a total closes a section");
                prop_assert_eq!(depth, open.len(), "a total closes at its heading's depth");
                for (column, sum) in sums.iter().enumerate() {
                    prop_assert_eq!(
                        rounded(row, column),
                        *sum,
                        "total {} foots in column {}",
                        row["id"],
                        column
                    );
                }
                add(&mut open);
            }
            other => prop_assert!(false, "unknown row kind {}", other),
        }
        let footing = columns.iter().position(|c| c["footing"] == true);
        if let Some(footing) = footing.filter(|_| row["kind"] != "heading") {
            let across: rust_decimal::Decimal = (0..columns.len())
                .filter(|c| *c != footing)
                .map(|c| rounded(row, c))
                .sum();
            prop_assert_eq!(
                rounded(row, footing),
                across,
                "row {} foots across",
                row["id"]
            );
        }
    }
    prop_assert!(open.is_empty(), "every section is closed");
    Ok(())
}

/// Every row of every column equals the test's own figure; every rounded
/// value differs from its exact value rounded (by the documented rule) by
/// exactly the rounding differences listed for it; lines computed from
/// others are computed from their rounded values.
fn matches_oracle(
    generated: &Generated,
    facts: &[generators::Fact],
    report: &generators::Report,
    scope: &generators::Scope,
    statement: &Value,
) -> Result<(), TestCaseError> {
    let printed_columns = statement["columns"].as_array().expect("columns");
    let columns: Vec<generators::Column> = printed_columns
        .iter()
        .map(|c| {
            generated.column(
                report.id,
                c["id"].as_str().expect("id"),
                c["value"].as_str(),
            )
        })
        .collect();
    let expected = generated.expected_rows(facts, report, scope, &columns);
    let printed = statement["rows"].as_array().expect("rows");
    let name = format!("{}/{}", scope.name, report.id);
    prop_assert_eq!(printed.len(), expected.len(), "{}: rows", name);
    let rounding: Rounding = generated.rounding_of(report.id);
    let residuals = statement["rounding"]["residuals"]
        .as_array()
        .expect("residuals");
    for (row, printed) in expected.iter().zip(printed) {
        prop_assert_eq!(
            printed["kind"].as_str(),
            Some(row.kind),
            "{}: row kind",
            name
        );
        prop_assert_eq!(printed["id"].as_str(), row.id, "{}: row id", name);
        for (column, exact) in row.exact.iter().enumerate() {
            let value = &printed["values"][column];
            let column_id = printed_columns[column]["id"].as_str().expect("id");
            let shown = decimal(&value["exact"]);
            prop_assert_eq!(
                shown,
                generators::dollars(*exact),
                "{}: {:?} in {}",
                name,
                row.id,
                column_id
            );
            let listed: rust_decimal::Decimal = residuals
                .iter()
                .filter(|r| r["line"].as_str() == row.id && r["column"] == column_id)
                .map(|r| decimal(&r["amount"]))
                .sum();
            let own = rounding.round(shown);
            prop_assert_eq!(
                decimal(&value["rounded"]) - own,
                listed,
                "{}: {:?} in {}: shown − own rounded = listed",
                name,
                row.id,
                column_id
            );
        }
    }
    for residual in residuals {
        let row = printed
            .iter()
            .find(|r| r["id"] == residual["line"])
            .expect("a residual names a row");
        if rounding.largest && residual["allocated"] == true {
            prop_assert_eq!(
                row["kind"].as_str(),
                Some("line"),
                "an allocation lands on a line"
            );
        }
        // Under `residual largest` a section with a line of its own shows its
        // own rounded total (the matrix's total column aside, which foots
        // its row); an inner section takes its difference first. A section
        // of sub-sections alone has no line to take a difference: listed.
        let footing = printed_columns
            .iter()
            .any(|c| c["id"] == residual["column"] && c["footing"] == true);
        let with_lines = report
            .sections_with_lines()
            .contains(&row["id"].as_str().unwrap_or_default());
        prop_assert!(
            !(rounding.largest && row["kind"] == "total" && with_lines && !footing),
            "{}: under residual largest a section of lines shows its own rounded total: {}",
            name,
            residual
        );
    }
    if !rounding.largest {
        prop_assert!(
            residuals.iter().all(|r| r["allocated"] == false),
            "nothing allocated under residual total"
        );
    }
    let rounded_of = |id: &str, column: usize| {
        let row = printed
            .iter()
            .find(|r| r["id"] == id)
            .expect("a row of that id");
        decimal(&row["values"][column]["rounded"])
    };
    for item in &report.items {
        if let generators::Item::Formula { id, terms } = item {
            for column in 0..columns.len() {
                let sum: rust_decimal::Decimal = terms
                    .iter()
                    .map(|(sign, term)| {
                        rust_decimal::Decimal::from(*sign) * rounded_of(term, column)
                    })
                    .sum();
                prop_assert_eq!(
                    rounded_of(id, column),
                    sum,
                    "{}: {} from its rounded terms",
                    name,
                    id
                );
            }
        }
    }
    for check in statement["checks"].as_array().expect("checks") {
        for result in check["results"].as_array().expect("results") {
            prop_assert_eq!(
                &result["passed"],
                &Value::Bool(true),
                "{}: {}",
                name,
                check["id"]
            );
        }
    }
    Ok(())
}

/// Cases of the property below: the coverage test draws as many.
const GENERATED_CASES: u32 = 256;

/// The generator reaches every feature the properties claim to cover, in
/// as many draws as the property over whole projects runs (drawn here with
/// proptest's deterministic generator; every run of the property draws
/// afresh, with the same odds).
#[test]
fn the_generator_reaches_every_feature() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = generators::project();
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for _ in 0..GENERATED_CASES {
        let generated = strategy.new_tree(&mut runner).unwrap().current();
        for feature in generated.features() {
            *seen.entry(feature).or_default() += 1;
        }
    }
    let missing: Vec<&&str> = generators::FEATURES
        .iter()
        .filter(|feature| !seen.contains_key(**feature))
        .collect();
    assert!(
        missing.is_empty(),
        "never generated in {GENERATED_CASES} draws: {missing:?}\nseen: {seen:#?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: GENERATED_CASES, .. ProptestConfig::default() })]

    /// Whole generated projects (centres in both dialect families, groups
    /// with eliminations, openings, prior years, period 13, budgets, period,
    /// quarter, year-to-date and budget columns, a matrix, every rounding
    /// option): conservation per code and period, statements that foot as
    /// printed for every entity and group, every figure equal to the test's
    /// own computation from the postings it generated, provenance that adds
    /// up to every figure, and the same quantity printed the same everywhere.
    #[test]
    fn generated_projects_conserve_foot_and_match_the_postings(generated in generators::project()) {
        let folder = tempfile::tempdir().unwrap();
        generated.write(folder.path());
        let (program, built, bundle, sources) = build_generated(folder.path());
        conserves(&generated, &program, &built.cube)?;
        provenance_adds_up_and_ties(folder.path(), &program, &built, &sources)?;
        let facts = generated.facts();
        for scope in generated.scopes() {
            for report in generators::reports() {
                let path = format!("{}/{}.json", scope.name, report.id);
                let statement: Value = serde_json::from_slice(bundle.get(&path).expect("a statement per scope and report")).expect("JSON");
                foots(&statement)?;
                matches_oracle(&generated, &facts, &report, &scope, &statement)?;
            }
        }
    }
}

/// Every file under `root`, by its path inside it, with its bytes.
fn tree(root: &Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Determinism: a generated project written twice, in two folders, and
    /// built by the binary on one core and on three gives the same files,
    /// byte for byte (statements in every format, eliminations,
    /// reconciliation, correspondences, manifest).
    #[test]
    fn generated_projects_build_the_same_bytes(generated in generators::project()) {
        let scratch = tempfile::tempdir().unwrap();
        let mut outputs = Vec::new();
        for (run, threads) in [("first", "1"), ("second", "3")] {
            let project = scratch.path().join(run);
            generated.write(&project);
            let out = scratch.path().join(format!("{run}-out"));
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_reddition"))
                .args(["build", "--quiet", "--out"])
                .arg(&out)
                .current_dir(&project)
                .env("REDDITION_THREADS", threads)
                .output()
                .unwrap();
            prop_assert!(output.status.success(), "the build succeeds: {}", String::from_utf8_lossy(&output.stderr));
            outputs.push(tree(&out));
        }
        prop_assert!(outputs[0].len() > 20, "{} files written", outputs[0].len());
        prop_assert_eq!(outputs[0].keys().collect::<Vec<_>>(), outputs[1].keys().collect::<Vec<_>>());
        for (path, bytes) in &outputs[0] {
            prop_assert!(&outputs[1][path] == bytes, "{} differs between the two builds", path.display());
        }
    }
}
