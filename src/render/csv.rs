//! CSV for spreadsheets: one row per statement row, exact and rounded values.

use super::Statement;

/// Text cells a spreadsheet would run as a formula get a leading apostrophe;
/// amounts are written by us from decimals and are left as they are.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

pub fn render(statement: &Statement) -> String {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header = vec![
        "entite".to_string(),
        "rapport".to_string(),
        "ligne".to_string(),
        "libelle".to_string(),
        "niveau".to_string(),
        "type".to_string(),
    ];
    for column in &statement.columns {
        // A whole year is named by its year; a part of a year by its column.
        let name = if (column.from, column.to) == (1, 13) && !column.budget {
            column.year.to_string()
        } else {
            column.id.clone()
        };
        header.push(format!("{name}_exact"));
        header.push(format!("{name}_arrondi"));
    }
    let mut result = writer.write_record(&header);
    for row in &statement.rows {
        let mut record = vec![
            statement.entity.id.clone(),
            statement.report.clone(),
            row.id.clone().unwrap_or_default(),
            neutralise(&row.label),
            row.depth.to_string(),
            row.kind.to_string(),
        ];
        for value in &row.values {
            record.push(value.exact.clone());
            record.push(value.rounded.clone());
        }
        record.resize(header.len(), String::new());
        result = result.and_then(|()| writer.write_record(&record));
    }
    match (result, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
        _ => String::new(),
    }
}
