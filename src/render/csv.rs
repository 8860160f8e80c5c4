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
    let width = header.len();
    let rows = statement.rows.iter().map(|row| {
        // Identifiers are checked names today; they are neutralised all the
        // same, so no text cell depends on where it came from.
        let mut record = vec![
            neutralise(&statement.entity.id),
            neutralise(&statement.report),
            neutralise(row.id.as_deref().unwrap_or_default()),
            neutralise(&row.label),
            row.depth.to_string(),
            row.kind.to_string(),
        ];
        for value in &row.values {
            record.push(value.exact.clone());
            record.push(value.rounded.clone());
        }
        record.resize(width, String::new());
        record
    });
    text(std::iter::once(header).chain(rows))
}

/// Records as CSV, each ended by `\n`; empty if one could not be written
/// (in memory, every one can).
pub(super) fn text<R, F>(records: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let written = records
        .into_iter()
        .try_for_each(|record| writer.write_record(record));
    match (written, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
        _ => String::new(),
    }
}
