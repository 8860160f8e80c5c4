//! The sample's statements tie to each other as printed: for every centre
//! and the network, both years, every quantity that appears in several
//! places prints the same in all of them, last year's closing is this
//! year's opening, and every section foots. Read from the JSON outputs'
//! `rounded` values, which every other format prints. Each scope's
//! `provenance.json` adds up to every figure.

// Independent arithmetic: the test adds the provenance with its own decimals.
#![allow(clippy::disallowed_types)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// `line id → column id → rounded value`, in whole units.
type Lines = BTreeMap<String, BTreeMap<String, i64>>;

fn lines(statement: &Value) -> Lines {
    let columns: Vec<&str> = statement["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["id"].as_str().expect("column id"))
        .collect();
    let mut lines = Lines::new();
    for row in statement["rows"].as_array().expect("rows") {
        let (Some(id), Some(values)) = (row["id"].as_str(), row["values"].as_array()) else {
            continue;
        };
        for (column, value) in columns.iter().zip(values) {
            let rounded = value["rounded"].as_str().expect("a rounded value");
            let whole = rounded
                .parse::<i64>()
                .unwrap_or_else(|_| panic!("`{rounded}` is not whole"));
            lines
                .entry(id.to_string())
                .or_default()
                .insert(column.to_string(), whole);
        }
    }
    lines
}

fn read(out: &Path, scope: &str, report: &str) -> (Value, Lines) {
    let text = std::fs::read_to_string(out.join(scope).join(format!("{report}.json")))
        .expect("the statement was written");
    let statement: Value = serde_json::from_str(&text).expect("JSON");
    let lines = lines(&statement);
    (statement, lines)
}

fn value(lines: &Lines, line: &str, column: &str) -> i64 {
    lines[line][column]
}

/// Every total row equals the sum of the lines and totals directly under
/// it (one level deeper, up to the next row at its own depth or above),
/// memo lines aside.
fn foots(statement: &Value, scope: &str, checked: &mut usize) {
    let rows = statement["rows"].as_array().expect("rows");
    let report = statement["report"].as_str().expect("report");
    for (index, row) in rows.iter().enumerate() {
        if row["kind"] != "total" {
            continue;
        }
        let depth = row["depth"].as_u64().expect("depth");
        let start = rows[..index]
            .iter()
            .rposition(|r| r["kind"] == "heading" && r["depth"].as_u64() == Some(depth))
            .expect("a total closes a section");
        let parts: Vec<&Value> = rows[start + 1..index]
            .iter()
            .filter(|r| r["depth"].as_u64() == Some(depth + 1))
            .filter(|r| r["kind"] == "line" || r["kind"] == "total")
            .collect();
        let columns = row["values"].as_array().expect("values").len();
        for column in 0..columns {
            let whole = |r: &Value| -> i64 {
                r["values"][column]["rounded"]
                    .as_str()
                    .expect("rounded")
                    .parse()
                    .expect("whole")
            };
            let sum: i64 = parts.iter().map(|r| whole(r)).sum();
            assert_eq!(
                whole(row),
                sum,
                "{scope}/{report}: `{}` column {column} does not foot as printed",
                row["label"]
            );
            *checked += 1;
        }
    }
}

#[test]
fn the_sample_statements_tie_as_printed() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let out = scratch.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_reddition"))
        .args(["build", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (mut ties, mut footings) = (0, 0);
    for scope in ["sommets", "riviere", "lakeshore", "reseau"] {
        let (ops_json, ops) = read(&out, scope, "resultats");
        let (surplus_json, surplus) = read(&out, scope, "excedent");
        let (debt_json, debt) = read(&out, scope, "dette_nette");
        let (cash_json, cash) = read(&out, scope, "flux");
        let (position_json, position) = read(&out, scope, "situation");
        let (charges_json, charges) = read(&out, scope, "charges_activite_nature");
        for statement in [
            &ops_json,
            &surplus_json,
            &debt_json,
            &cash_json,
            &position_json,
            &charges_json,
        ] {
            foots(statement, scope, &mut footings);
        }
        for column in ["courant", "precedent"] {
            let same = [
                (
                    "surplus of the year: operations, surplus",
                    value(&ops, "excedent", column),
                    value(&surplus, "excedent_exercice", column),
                ),
                (
                    "surplus of the year: operations, net debt",
                    value(&ops, "excedent", column),
                    value(&debt, "excedent", column),
                ),
                (
                    "surplus of the year: operations, cash flow",
                    value(&ops, "excedent", column),
                    value(&cash, "excedent", column),
                ),
                (
                    "accumulated surplus: surplus, position",
                    value(&surplus, "fin", column),
                    value(&position, "excedent_accumule", column),
                ),
                (
                    "net debt: net debt, position",
                    value(&debt, "fin", column),
                    value(&position, "dette_nette", column),
                ),
                (
                    "cash: cash flow, position",
                    value(&cash, "fin", column),
                    value(&position, "encaisse", column)
                        + value(&position, "placements_temporaires", column),
                ),
            ];
            let closing = [
                (
                    "cash: opening + change = closing",
                    value(&cash, "debut", column) + value(&cash, "variation", column),
                    value(&cash, "fin", column),
                ),
                (
                    "net debt: opening + change = closing",
                    value(&debt, "debut", column) + value(&debt, "variation", column),
                    value(&debt, "fin", column),
                ),
                (
                    "surplus: opening + surplus of the year = closing",
                    value(&surplus, "debut_redresse", column)
                        + value(&surplus, "excedent_exercice", column),
                    value(&surplus, "fin", column),
                ),
            ];
            for (what, left, right) in same.into_iter().chain(closing) {
                assert_eq!(left, right, "{scope}, {column}: {what}");
                ties += 1;
            }
        }
        // The charges schedule (a matrix by nature) totals the statement
        // of operations' charges.
        assert_eq!(
            value(&charges, "charges", "total"),
            value(&ops, "charges", "courant"),
            "{scope}: charges schedule"
        );
        // Last year's closing is this year's opening, as printed.
        for (what, lines, opening, closing) in [
            ("cash", &cash, "debut", "fin"),
            ("net debt", &debt, "debut", "fin"),
            ("accumulated surplus", &surplus, "debut_redresse", "fin"),
        ] {
            assert_eq!(
                value(lines, opening, "courant"),
                value(lines, closing, "precedent"),
                "{scope}: {what} opens where it closed"
            );
        }
        ties += 4;
    }
    let provenance = provenance_files_add_up(&out);
    println!(
        "{ties} ties and {footings} footings checked as printed; {provenance} figures of provenance.json add up"
    );
    assert!(
        ties >= 60 && footings > 100,
        "{ties} ties, {footings} footings"
    );
}

/// Every figure of each scope's `provenance.json` is the sum of its terms
/// and constant, and each term the sum of its members' parts and the
/// eliminations. Returns the figures checked.
fn provenance_files_add_up(out: &Path) -> usize {
    let amount = |value: &Value| -> rust_decimal::Decimal {
        value
            .as_str()
            .expect("an amount")
            .parse()
            .expect("a decimal")
    };
    let mut checked = 0;
    for scope in ["sommets", "riviere", "lakeshore", "reseau"] {
        let text =
            std::fs::read_to_string(out.join(scope).join("provenance.json")).expect("written");
        let file: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(file["scope"], scope);
        for figure in file["figures"].as_array().expect("figures") {
            if figure["linear"] != true {
                continue;
            }
            let mut total = amount(&figure["constant"]);
            for term in figure["terms"].as_array().expect("terms") {
                let mut value = rust_decimal::Decimal::ZERO;
                for member in term["members"].as_array().expect("members") {
                    value += amount(&member["part"]);
                    for elimination in member["eliminations"].as_array().expect("eliminations") {
                        value += amount(&elimination["value"]);
                    }
                }
                assert_eq!(
                    value,
                    amount(&term["value"]),
                    "{}: {}",
                    figure["figure"],
                    term["code"]
                );
                total += value;
            }
            assert_eq!(
                total,
                amount(&figure["exact"]),
                "{} [{}]",
                figure["figure"],
                figure["column"]
            );
            checked += 1;
        }
    }
    assert!(checked > 3_000, "{checked} figures");
    checked
}
