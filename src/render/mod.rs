//! Rendering: figures → the statement model (`Statement`), then each output
//! format. Renderers get finished values; they compute nothing.

pub mod csv;
pub mod html;
pub mod rounding;
mod statement;
pub mod submission;
pub mod text;
pub mod validation;

pub use statement::statement;

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

/// `heading`, `line`, `memo` or `total`, as the JSON model and the
/// ministry files name a row's kind.
fn row_kind(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Heading => "heading",
        RowKind::Line => "line",
        RowKind::Memo => "memo",
        RowKind::Total => "total",
    }
}

/// A comparison as a check or a rule writes it.
fn comparison(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::Equal => "==",
        Comparison::AtMost => "<=",
        Comparison::AtLeast => ">=",
    }
}

/// `line` from `report.line`.
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
