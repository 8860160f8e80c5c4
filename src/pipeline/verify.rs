//! The bundle re-read before anything is committed: a difference is a
//! defect of ours (exit 70), never of the data.

use super::Built;
use crate::diagnostic::{Diagnostic, Result};
use crate::model::Program;
use crate::money::Amount;
use crate::output::Bundle;
use crate::render;

/// Re-reads the rendered outputs before anything is committed: each
/// entity's table of local codes must add up to the lines and amounts read,
/// the CSV and JSON views of every statement must carry the same exact
/// values, and every ministry file must read back, through an XML parser,
/// as the values of its CSV and JSON views.
pub(super) fn verify_bundle(program: &Program, built: &Built, bundle: &Bundle) -> Result<()> {
    let mut errors = Vec::new();
    correspondences_add_up(program, built, bundle, &mut errors);
    statement_views_agree(program, bundle, &mut errors);
    submissions_read_back(program, built, bundle, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn defect(what: String) -> Diagnostic {
    Diagnostic::error(
        crate::diagnostic::Code::Conservation,
        format!("internal error: {what}"),
    )
    .help("the outputs were not written; please report this with the inputs")
}

/// Each entity's `correspondances.csv` adds up, year by year, to the lines
/// and the net amount the build read.
fn correspondences_add_up(
    program: &Program,
    built: &Built,
    bundle: &Bundle,
    errors: &mut Vec<Diagnostic>,
) {
    for (entity, data) in program.entities.iter().zip(&built.cube.entities) {
        let path = format!("{}/correspondances.csv", entity.name);
        let Some(table) = bundle.get(&path) else {
            continue;
        };
        let mut reader = csv::Reader::from_reader(table.as_slice());
        let header: Vec<String> = reader
            .headers()
            .map(|h| h.iter().map(String::from).collect())
            .unwrap_or_default();
        for (year, totals) in &data.reconciliation {
            let lines_column = header.iter().position(|h| *h == format!("lignes_{year}"));
            let balance_column = header.iter().position(|h| *h == format!("solde_{year}"));
            let (Some(lines_column), Some(balance_column)) = (lines_column, balance_column) else {
                errors.push(defect(format!("`{path}` has no columns for {year}")));
                continue;
            };
            let (lines, balance) = column_totals(table, lines_column, balance_column);
            let read = totals.opening_net.checked_add(totals.ledger_net);
            if lines != totals.opening_lines + totals.ledger_lines || balance != read {
                errors.push(defect(format!(
                    "`{path}` for {year} re-reads as {lines} lines and {balance:?}, but {} lines and {read:?} were read",
                    totals.opening_lines + totals.ledger_lines
                )));
            }
        }
    }
}

/// The sum of a column of line counts and of a column of amounts of a CSV table.
fn column_totals(
    table: &[u8],
    lines_column: usize,
    balance_column: usize,
) -> (u64, Option<Amount>) {
    let mut lines: u64 = 0;
    let mut balance = Some(Amount::ZERO);
    let mut reader = csv::Reader::from_reader(table);
    for record in reader.records().flatten() {
        lines += record
            .get(lines_column)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let amount = record.get(balance_column).and_then(Amount::parse_plain);
        balance = balance
            .zip(amount)
            .and_then(|(sum, amount)| sum.checked_add(amount));
    }
    (lines, balance)
}

/// The CSV and JSON views of every statement carry the same exact values.
fn statement_views_agree(program: &Program, bundle: &Bundle, errors: &mut Vec<Diagnostic>) {
    // Statements only: a submission's views have their own layout.
    let is_submission = |path: &str| {
        program
            .submissions
            .iter()
            .any(|s| path.ends_with(&format!("/{}.json", s.name)))
    };
    for (path, content) in bundle
        .iter()
        .filter(|(path, _)| path.ends_with(".json") && path.contains('/') && !is_submission(path))
    {
        let Some(csv_view) = bundle.get(&path.replace(".json", ".csv")) else {
            continue;
        };
        if exact_values_of_json(content) != exact_values_of_csv(csv_view) {
            errors.push(defect(format!(
                "the CSV and JSON views of `{path}` disagree"
            )));
        }
    }
}

/// The exact values of a statement's JSON view, row by row.
fn exact_values_of_json(content: &[u8]) -> Vec<String> {
    serde_json::from_slice::<serde_json::Value>(content)
        .ok()
        .and_then(|statement| statement["rows"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .flat_map(|row| row["values"].as_array().cloned().unwrap_or_default())
        .map(|value| value["exact"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The exact values of a statement's CSV view: every other column after
/// the six that describe the row.
fn exact_values_of_csv(content: &[u8]) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(content);
    reader
        .records()
        .flatten()
        .flat_map(|record| {
            record
                .iter()
                .skip(6)
                .step_by(2)
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|value| !value.is_empty())
        .collect()
}

/// Every ministry file reads back, through an XML parser, as the values of
/// its CSV and JSON views.
fn submissions_read_back(
    program: &Program,
    built: &Built,
    bundle: &Bundle,
    errors: &mut Vec<Diagnostic>,
) {
    for submission in &program.submissions {
        for scope in &built.figures.scopes {
            let base = format!("{}/{}", scope.name, submission.name);
            let view = |extension: &str| bundle.get(&format!("{base}.{extension}"));
            let (Some(xml), Some(csv), Some(json)) = (view("xml"), view("csv"), view("json"))
            else {
                continue;
            };
            let xml = String::from_utf8_lossy(xml);
            if !render::submission::views_agree(&xml, csv, json) {
                errors.push(defect(format!(
                    "`{base}.xml` does not read back as its CSV and JSON views"
                )));
            }
        }
    }
}
