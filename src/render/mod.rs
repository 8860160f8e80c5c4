//! Rendering: figures → the statement model (`Statement`), then each output
//! format. Renderers get finished values; they compute nothing.

pub mod csv;
pub mod html;
pub mod submission;
pub mod text;
pub mod validation;

use crate::calendar;
use crate::eval::{Figures, Scope, Slice};
use crate::model::*;
use crate::money::Amount;
use serde::Serialize;

/// Version of the JSON schema of a statement (see README, "JSON output").
pub const SCHEMA: &str = "reddition.statement/1";

/// One report for one entity or group: what every output format shows.
#[derive(Debug, Serialize)]
pub struct Statement {
    pub schema: &'static str,
    pub report: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub entity: EntityInfo,
    pub fiscal_year: i32,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<RowOut>,
    pub checks: Vec<CheckOut>,
    pub rounding: RoundingOut,
}

#[derive(Debug, Serialize)]
pub struct EntityInfo {
    pub id: String,
    pub label: String,
    pub code: String,
    pub kind: &'static str,
    pub members: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ColumnInfo {
    pub id: String,
    /// The calendar year in which the fiscal year ends.
    pub year: i32,
    /// "2024-2025".
    pub period: String,
    /// "30 juin 2025".
    pub year_end: String,
    /// The periods of the year the column covers: 1 (July) to 12 (June),
    /// 13 for the year-end adjustments; 1 to 13 for the whole year.
    pub from: u8,
    pub to: u8,
    /// The column's heading: the year (`2025`) for a whole year, else
    /// `P3`, `T3` (a quarter), `Cumul P9` (year to date) or `Ajust.`.
    pub heading: String,
    /// The last day the column covers: "31 mars 2025".
    pub ends: String,
    /// The budget rather than the books (the heading then starts `Budget`).
    pub budget: bool,
    /// In a matrix: the dimension value of the column (its heading), and
    /// its label; `None` for the total column and for other reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_label: Option<String>,
    /// The total column of a matrix: each row shows the sum of its other
    /// columns as shown, so rows foot; a difference with the rounded exact
    /// total is listed among the rounding differences.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub footing: bool,
}

/// The heading of a column over `periods` of the fiscal year `year`; a
/// part of another year than the one built says which (`P2 2024`).
fn heading(year: i32, periods: Periods, built: i32) -> String {
    let part = periods.heading(year);
    if periods.is_year() || year == built {
        part
    } else {
        format!("{part} {year}")
    }
}

#[derive(Debug, Serialize)]
pub struct RowOut {
    /// `heading`, `line`, `memo` or `total`.
    pub kind: &'static str,
    pub id: Option<String>,
    pub label: String,
    pub depth: usize,
    pub values: Vec<ValueOut>,
}

#[derive(Debug, Serialize)]
pub struct ValueOut {
    /// Exact value, a plain decimal string.
    pub exact: String,
    /// Presentation value after rounding, a plain decimal string.
    pub rounded: String,
    /// French presentation: `1 234 567 $`, negatives in parentheses.
    pub display: String,
}

#[derive(Debug, Serialize)]
pub struct CheckOut {
    pub id: String,
    pub label: String,
    pub comparison: &'static str,
    pub tolerance: String,
    pub results: Vec<CheckResultOut>,
}

#[derive(Debug, Serialize)]
pub struct CheckResultOut {
    pub column: String,
    pub left: String,
    pub right: String,
    pub difference: String,
    pub passed: bool,
}

#[derive(Debug, Serialize)]
pub struct RoundingOut {
    pub unit: String,
    pub method: &'static str,
    pub residual: &'static str,
    /// Every rounding difference shown or allocated (écarts d'arrondi).
    pub residuals: Vec<ResidualOut>,
}

#[derive(Debug, Serialize)]
pub struct ResidualOut {
    pub line: String,
    pub label: String,
    pub column: String,
    pub year: i32,
    pub amount: String,
    pub allocated: bool,
}

/// Builds the statement of one report for one scope.
pub fn statement(
    program: &Program,
    figures: &Figures,
    report_index: usize,
    scope_index: usize,
) -> Statement {
    let report = &program.reports[report_index];
    let scope: &Scope = &figures.scopes[scope_index];
    let columns: Vec<(ColumnInfo, Option<usize>)> = report
        .columns
        .iter()
        .map(|column| {
            let slice = Slice::of_column(column, program.fiscal_year);
            let year = slice.year;
            let value = column.filter.and_then(|(dimension, value)| {
                let values = program.dimensions.get(dimension)?.values.as_ref()?;
                values.iter().nth(value)
            });
            let info = ColumnInfo {
                id: column.name.clone(),
                year,
                period: calendar::label(year),
                year_end: calendar::year_end_fr(year),
                from: slice.periods.from,
                to: slice.periods.to,
                heading: match (value, column.footing, slice.budget) {
                    (Some((code, _)), _, _) => code.clone(),
                    (None, true, _) => "Total".to_string(),
                    (None, false, true) => format!(
                        "Budget {}",
                        heading(year, slice.periods, program.fiscal_year)
                    ),
                    (None, false, false) => heading(year, slice.periods, program.fiscal_year),
                },
                budget: slice.budget,
                value: value.map(|(code, _)| code.clone()),
                value_label: value.map(|(_, label)| label.clone()),
                footing: column.footing,
                ends: calendar::period_end_fr(year, slice.periods.to),
            };
            (info, figures.slice_index(slice))
        })
        .collect();
    let decimals = report.rounding.unit.scale();
    let rounded_at = |figure: FigureId, slice: Option<usize>| {
        slice.map_or(Amount::ZERO, |y| {
            figures.values[scope_index][y].rounded[figure]
        })
    };
    // A matrix's total column is already the sum of its row as shown: the
    // evaluator foots it.
    let value = |figure: FigureId, year: Option<usize>| {
        let values = year.map(|y| &figures.values[scope_index][y]);
        let exact = values.map_or(Amount::ZERO, |v| v.exact[figure]);
        let rounded = rounded_at(figure, year);
        ValueOut {
            exact: exact.to_string(),
            rounded: rounded.to_string(),
            display: french(rounded, decimals),
        }
    };
    let rows = report
        .rows
        .iter()
        .map(|row| RowOut {
            kind: match row.kind {
                RowKind::Heading => "heading",
                RowKind::Line => "line",
                RowKind::Memo => "memo",
                RowKind::Total => "total",
            },
            id: row
                .figure
                .map(|f| local_name(&program.figures[f].qualified)),
            label: row.label.clone(),
            depth: row.depth,
            values: row
                .figure
                .map(|figure| {
                    columns
                        .iter()
                        .map(|(_, year)| value(figure, *year))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let checks = report
        .checks
        .iter()
        .enumerate()
        .map(|(check_index, check)| CheckOut {
            id: check.name.clone(),
            label: check.label.clone(),
            comparison: match check.comparison {
                Comparison::Equal => "==",
                Comparison::AtMost => "<=",
                Comparison::AtLeast => ">=",
            },
            tolerance: check.tolerance.to_string(),
            results: figures
                .checks
                .iter()
                .filter(|r| {
                    r.scope == scope_index && r.report == report_index && r.check == check_index
                })
                .map(|r| CheckResultOut {
                    column: columns
                        .iter()
                        .find(|(info, _)| {
                            info.year == r.year
                                && (info.from, info.to) == (r.periods.from, r.periods.to)
                                && info.budget == r.budget
                        })
                        .map_or(String::new(), |(info, _)| info.id.clone()),
                    left: r.left.to_string(),
                    right: r.right.to_string(),
                    difference: r.difference.to_string(),
                    passed: r.passed,
                })
                .collect(),
        })
        .collect();
    let mut residuals = Vec::new();
    for (info, year) in &columns {
        // A matrix total column is footed below, against the exact total.
        let Some(year) = year.filter(|_| !info.footing) else {
            continue;
        };
        for residue in &figures.values[scope_index][year].residuals {
            let figure = &program.figures[residue.figure];
            if figure.report == report_index
                && !figure.qualified.ends_with(".left")
                && !figure.qualified.ends_with(".right")
            {
                let label = report
                    .rows
                    .iter()
                    .filter(|row| row.figure == Some(residue.figure))
                    .map(|row| row.label.clone())
                    .next_back()
                    .unwrap_or_else(|| local_name(&figure.qualified));
                residuals.push(ResidualOut {
                    line: local_name(&figure.qualified),
                    label,
                    column: info.id.clone(),
                    year: info.year,
                    amount: residue.amount.to_string(),
                    allocated: residue.allocated,
                });
            }
        }
    }
    for row in &report.rows {
        let Some(figure) = row.figure else { continue };
        for (info, slice) in columns.iter().filter(|(info, _)| info.footing) {
            let exact = slice.map_or(Amount::ZERO, |y| {
                figures.values[scope_index][y].exact[figure]
            });
            let policy = &report.rounding;
            let footed = rounded_at(figure, *slice);
            let Some(difference) = exact
                .round_to(policy.unit, policy.method)
                .and_then(|rounded| footed.checked_sub(rounded))
            else {
                continue;
            };
            if !difference.is_zero() {
                residuals.push(ResidualOut {
                    line: local_name(&program.figures[figure].qualified),
                    label: row.label.clone(),
                    column: info.id.clone(),
                    year: info.year,
                    amount: difference.to_string(),
                    allocated: false,
                });
            }
        }
    }
    Statement {
        schema: SCHEMA,
        report: report.name.clone(),
        title: report.label.clone(),
        subtitle: report
            .subtitle
            .as_ref()
            .map(|s| s.replace("{year_end}", &calendar::year_end_fr(program.fiscal_year))),
        entity: EntityInfo {
            id: scope.name.clone(),
            label: scope.label.clone(),
            code: scope.code.clone(),
            kind: if scope.is_group { "group" } else { "entity" },
            members: scope
                .members
                .iter()
                .map(|m| program.entities[*m].name.clone())
                .collect(),
        },
        fiscal_year: program.fiscal_year,
        columns: columns.into_iter().map(|(info, _)| info).collect(),
        rows,
        checks,
        rounding: RoundingOut {
            unit: report.rounding.unit.to_string(),
            method: match report.rounding.method {
                RoundingMethod::HalfEven => "half_even",
                RoundingMethod::HalfUp => "half_up",
            },
            residual: match report.rounding.residual {
                Residual::Total => "total",
                Residual::Largest => "largest",
            },
            residuals,
        },
    }
}

fn local_name(qualified: &str) -> String {
    qualified
        .split_once('.')
        .map_or(qualified, |(_, name)| name)
        .to_string()
}

/// French presentation of an amount: `1 234 567 $` with narrow no-break
/// spaces between thousands, a decimal comma, negatives in parentheses, and
/// a dash for zero.
pub fn french(amount: Amount, decimals: u32) -> String {
    if amount.is_zero() {
        return "–".to_string();
    }
    let fixed = amount.abs().fixed(decimals);
    let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(digit);
    }
    if !fraction.is_empty() {
        grouped.push(',');
        grouped.push_str(fraction);
    }
    if amount.is_negative() {
        format!("({grouped})\u{a0}$")
    } else {
        format!("{grouped}\u{a0}$")
    }
}

/// The statement as pretty JSON (the documented, versioned schema).
pub fn json(statement: &Statement) -> String {
    let mut text = serde_json::to_string_pretty(statement).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_presentation() {
        let amount = |s| Amount::parse_plain(s).unwrap_or_default();
        assert_eq!(
            french(amount("1234567"), 0),
            "1\u{202f}234\u{202f}567\u{a0}$"
        );
        assert_eq!(
            french(amount("-240845000"), 0),
            "(240\u{202f}845\u{202f}000)\u{a0}$"
        );
        assert_eq!(french(amount("999"), 0), "999\u{a0}$");
        assert_eq!(french(amount("-0.5"), 2), "(0,50)\u{a0}$");
        assert_eq!(french(Amount::ZERO, 0), "–");
    }
}
