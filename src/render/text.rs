//! Plain text for the terminal: aligned columns, French amounts.

use super::Statement;

pub fn render(statement: &Statement) -> String {
    let mut out = String::new();
    let entity = &statement.entity;
    if entity.code.is_empty() {
        out.push_str(&format!("{}\n", entity.label));
    } else {
        out.push_str(&format!("{} ({})\n", entity.label, entity.code));
    }
    out.push_str(&format!("{}\n", statement.title));
    if let Some(subtitle) = &statement.subtitle {
        out.push_str(&format!("{subtitle}\n"));
    }
    out.push('\n');
    let label_width = statement
        .rows
        .iter()
        .map(|row| row.depth * 2 + row.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(20);
    let value_width = statement
        .rows
        .iter()
        .flat_map(|row| row.values.iter().map(|v| v.display.chars().count()))
        .chain(statement.columns.iter().map(|c| c.heading.chars().count()))
        .max()
        .unwrap_or(0)
        .max(6);
    out.push_str(&" ".repeat(label_width));
    for column in &statement.columns {
        out.push_str(&format!("  {:>value_width$}", column.heading));
    }
    out.push('\n');
    for row in &statement.rows {
        let indent = "  ".repeat(row.depth);
        // A label keeps to its row: line breaks and tabs become spaces.
        let label = format!("{indent}{}", row.label.replace(['\n', '\t', '\r'], " "));
        if row.kind == "total" {
            out.push_str(&" ".repeat(label_width));
            for _ in &statement.columns {
                out.push_str(&format!("  {}", "-".repeat(value_width)));
            }
            out.push('\n');
        }
        out.push_str(&label);
        if !row.values.is_empty() {
            out.push_str(&" ".repeat(label_width - label.chars().count()));
            for value in &row.values {
                let padding = value_width.saturating_sub(value.display.chars().count());
                out.push_str(&format!("  {}{}", " ".repeat(padding), value.display));
            }
        }
        out.push('\n');
    }
    if !statement.checks.is_empty() {
        out.push_str("\nVérifications\n");
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
    }
    if !statement.rounding.residuals.is_empty() {
        out.push_str("\nÉcarts d'arrondi\n");
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
    }
    out
}
