//! Plain text for the terminal: aligned columns, French amounts.

use super::{RowOut, Statement};

/// The label column is at least this wide.
const LABEL_WIDTH: usize = 20;
/// A value column is at least this wide.
const VALUE_WIDTH: usize = 6;

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
    /// The label column fits the longest label at its indentation; a value
    /// column the widest amount or heading.
    fn of(statement: &Statement) -> Widths {
        let label = statement
            .rows
            .iter()
            .map(|row| row.depth * 2 + row.label.chars().count())
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
            .max(VALUE_WIDTH);
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
        out.push_str(&" ".repeat(widths.label - label_width));
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
