//! Plain text for the terminal: aligned columns, French amounts.

use super::{RowOut, Statement};

/// The label column is at least this wide.
const LABEL_WIDTH: usize = 20;
/// The label column is at most this wide: a longer label overflows onto a
/// line of its own instead of padding every row of the table to its width
/// (one label of 150 000 characters over 10 000 rows would ask gigabytes).
const MAX_LABEL_WIDTH: usize = 1024;
/// A value column is at least this wide.
const VALUE_WIDTH: usize = 6;
/// A value column is at most this wide: amounts are short, and a longer
/// heading is written whole on the heading line without widening the rows.
const MAX_VALUE_WIDTH: usize = 40;

pub fn render(statement: &Statement) -> String {
    let mut out = title(statement);
    out.push_str(&table(statement));
    out.push_str(&checks(statement));
    out.push_str(&residuals(statement));
    out
}

/// The entity, the title and the subtitle, then a blank line.
fn title(statement: &Statement) -> String {
    let entity = &statement.entity;
    let mut out = if entity.code.is_empty() {
        format!("{}\n", entity.label)
    } else {
        format!("{} ({})\n", entity.label, entity.code)
    };
    out.push_str(&format!("{}\n", statement.title));
    if let Some(subtitle) = &statement.subtitle {
        out.push_str(&format!("{subtitle}\n"));
    }
    out.push('\n');
    out
}

/// The widths of the label column and of every value column, in characters.
struct Widths {
    label: usize,
    value: usize,
}

impl Widths {
    /// The label column fits the longest label at its indentation among
    /// those within the maximum (the others overflow); a value column the
    /// widest amount or heading up to its maximum.
    fn of(statement: &Statement) -> Widths {
        let label = statement
            .rows
            .iter()
            .map(|row| row.depth * 2 + row.label.chars().count())
            .filter(|width| *width <= MAX_LABEL_WIDTH)
            .max()
            .unwrap_or(0)
            .max(LABEL_WIDTH);
        let value = statement
            .rows
            .iter()
            .flat_map(|row| row.values.iter().map(|v| v.display.chars().count()))
            .chain(statement.columns.iter().map(|c| c.heading.chars().count()))
            .max()
            .unwrap_or(0)
            .clamp(VALUE_WIDTH, MAX_VALUE_WIDTH);
        Widths { label, value }
    }
}

/// The headings, then a line per row, a rule above each total.
fn table(statement: &Statement) -> String {
    let widths = Widths::of(statement);
    let value_width = widths.value;
    let mut out = " ".repeat(widths.label);
    for column in &statement.columns {
        out.push_str(&format!("  {:>value_width$}", column.heading));
    }
    out.push('\n');
    for row in &statement.rows {
        if row.kind == "total" {
            out.push_str(&" ".repeat(widths.label));
            for _ in &statement.columns {
                out.push_str(&format!("  {}", "-".repeat(value_width)));
            }
            out.push('\n');
        }
        out.push_str(&row_line(row, &widths));
    }
    out
}

fn row_line(row: &RowOut, widths: &Widths) -> String {
    let indent = "  ".repeat(row.depth);
    // A label keeps to its row: line breaks and tabs become spaces.
    let label = format!("{indent}{}", row.label.replace(['\n', '\t', '\r'], " "));
    let label_width = label.chars().count();
    let mut out = label;
    if !row.values.is_empty() {
        if label_width > widths.label {
            // Too long for the column: the values go on the next line,
            // aligned with every other row's.
            out.push('\n');
            out.push_str(&" ".repeat(widths.label));
        } else {
            out.push_str(&" ".repeat(widths.label - label_width));
        }
        for value in &row.values {
            let padding = widths.value.saturating_sub(value.display.chars().count());
            out.push_str(&format!("  {}{}", " ".repeat(padding), value.display));
        }
    }
    out.push('\n');
    out
}

/// Each check, passed or failed, and the columns where it failed.
fn checks(statement: &Statement) -> String {
    if statement.checks.is_empty() {
        return String::new();
    }
    let mut out = "\nVérifications\n".to_string();
    for check in &statement.checks {
        let passed = check.results.iter().all(|r| r.passed);
        out.push_str(&format!(
            "  [{}] {}: {}\n",
            if passed { "ok" } else { "ÉCHEC" },
            check.id,
            check.label
        ));
        for result in check.results.iter().filter(|r| !r.passed) {
            out.push_str(&format!(
                "        {}: {} ≠ {} (écart {})\n",
                result.column, result.left, result.right, result.difference
            ));
        }
    }
    out
}

/// The rounding differences, each in its column as headed.
fn residuals(statement: &Statement) -> String {
    if statement.rounding.residuals.is_empty() {
        return String::new();
    }
    let mut out = "\nÉcarts d'arrondi\n".to_string();
    for residual in &statement.rounding.residuals {
        let how = if residual.allocated {
            "attribué à cette ligne, la plus importante de sa section"
        } else {
            "somme des montants arrondis"
        };
        // The column as headed: its year, or its period, value or total.
        let column = statement
            .columns
            .iter()
            .find(|column| column.id == residual.column)
            .map_or_else(
                || residual.year.to_string(),
                |column| column.heading.clone(),
            );
        out.push_str(&format!(
            "  {column} – {} : {} $ ({how})\n",
            residual.label, residual.amount
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{ColumnInfo, EntityInfo, RoundingOut, ValueOut};
    use super::*;

    fn row(label: String) -> RowOut {
        let value = ValueOut {
            exact: "1".to_string(),
            rounded: "1".to_string(),
            display: "1\u{a0}$".to_string(),
        };
        RowOut {
            kind: "line",
            id: None,
            label,
            depth: 1,
            values: vec![value],
        }
    }

    fn statement(rows: Vec<RowOut>, heading: String) -> Statement {
        let column = ColumnInfo {
            id: "c".to_string(),
            year: 2025,
            period: "2024-2025".to_string(),
            year_end: "30 juin 2025".to_string(),
            from: 1,
            to: 13,
            heading,
            ends: "30 juin 2025".to_string(),
            budget: false,
            value: None,
            value_label: None,
            footing: false,
        };
        Statement {
            schema: "test",
            report: "r".to_string(),
            title: "T".to_string(),
            subtitle: None,
            entity: EntityInfo {
                id: "e".to_string(),
                label: "E".to_string(),
                code: String::new(),
                kind: "entity",
                members: Vec::new(),
            },
            fiscal_year: 2025,
            columns: vec![column],
            rows,
            checks: Vec::new(),
            rounding: RoundingOut {
                unit: "1".to_string(),
                method: "m",
                residual: "r",
                residuals: Vec::new(),
            },
        }
    }

    /// The issue's specification: one label of 150 000 characters among
    /// 10 000 lines once asked 2.4 GB; the table now grows with its text.
    #[test]
    fn one_long_label_does_not_pad_every_row() {
        let mut rows: Vec<RowOut> = (0..10_000).map(|i| row(format!("l{i}"))).collect();
        rows[5] = row("x".repeat(150_000));
        let text = render(&statement(rows, "2025".to_string()));
        assert!(text.len() < 1_500_000, "{} bytes", text.len());
        let long = text.lines().position(|l| l.ends_with(&"x".repeat(10)));
        let next = long
            .and_then(|i| text.lines().nth(i + 1))
            .unwrap_or_default();
        assert_eq!(next.trim_start(), "1\u{a0}$");
    }

    #[test]
    fn a_long_heading_does_not_widen_the_rows() {
        let rows = vec![row("a".to_string())];
        let text = render(&statement(rows, "h".repeat(100_000)));
        assert!(text.len() < 101_000, "{} bytes", text.len());
    }
}
