//! Crosswalk tables: CSV files a crosswalk includes, `pattern,code` then
//! optional `note`, `valid_from` and `valid_until` columns. Each row becomes
//! a whole-code rule located at its line, its errors reported like those of
//! a rule written in a specification.

use crate::check::{Checker, Loader};
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::mapping::pattern::Pattern;
use crate::mapping::{Matcher, Rule};
use crate::model::Chart;
use crate::source::{FileId, Sources, Span};
use crate::syntax::ast;

/// The optional columns a header may name after `pattern,code`.
const OPTIONAL_COLUMNS: [&str; 3] = ["note", "valid_from", "valid_until"];

impl Checker {
    /// Loads a crosswalk table `pattern,code[,note]`; each row becomes a
    /// whole-code rule located at its line.
    pub(super) fn table(
        &mut self,
        sources: &mut Sources,
        path: &ast::Str,
        chart: &Chart,
        loader: &Loader<'_>,
    ) -> Vec<Rule> {
        if !self.one_more_table(path) {
            return Vec::new();
        }
        let Some(text) = self.table_text(path, loader) else {
            return Vec::new();
        };
        let file = sources.add_read(path.value.clone(), text);
        let text = sources.get(file).text.clone();
        // A table's notes and codes are read by people as a specification
        // is, so they are refused the same characters.
        if let Some(diagnostic) =
            crate::diagnostic::invisible_character(&text, file, "a crosswalk table")
        {
            self.error(diagnostic);
            return Vec::new();
        }
        self.table_rules(&text, file, chart)
    }

    /// Counts the table against the limit on tables; false past it.
    fn one_more_table(&mut self, path: &ast::Str) -> bool {
        self.tables_read += 1;
        if self.tables_read <= self.tables_limit {
            return true;
        }
        self.error(
            Diagnostic::error(
                Code::LimitExceeded,
                format!(
                    "more than {} crosswalk tables are included",
                    self.tables_limit
                ),
            )
            .at(path.span, "one too many")
            .help("merge small tables into one, or raise the limit with --limit tables=N"),
        );
        false
    }

    /// The text of a table: read through the loader, UTF-8, without a byte
    /// order mark.
    fn table_text(&mut self, path: &ast::Str, loader: &Loader<'_>) -> Option<String> {
        let bytes = match loader(&path.value) {
            Ok(bytes) => bytes,
            Err(error) => {
                let what = format!("crosswalk table `{}`", path.value);
                let mut diagnostic =
                    crate::project::read_error(&what, &error).at(path.span, "included here");
                if diagnostic.help.is_none() {
                    diagnostic = diagnostic.help("paths are relative to the project root");
                }
                self.error(diagnostic);
                return None;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                self.error(
                    Diagnostic::error(
                        Code::BadEncoding,
                        format!("crosswalk table `{}` is not UTF-8", path.value),
                    )
                    .at(path.span, "included here")
                    .note(format!(
                        "invalid byte at offset {}",
                        error.utf8_error().valid_up_to()
                    ))
                    .help("save the table as CSV UTF-8"),
                );
                return None;
            }
        };
        Some(text)
    }

    /// The rules of a table's rows; reading stops at a bad header or an
    /// unreadable row.
    fn table_rules(&mut self, text: &str, file: FileId, chart: &Chart) -> Vec<Rule> {
        let mut rules = Vec::new();
        let mut columns = TableColumns::default();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for (index, record) in reader.records().enumerate() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    self.error(
                        Diagnostic::error(
                            Code::CsvStructure,
                            format!("unreadable crosswalk table row: {error}"),
                        )
                        .at(Span::new(file, 0, 0), "in this table"),
                    );
                    break;
                }
            };
            let Some(position) = record.position() else {
                continue;
            };
            let row = TableRow::new(text, file, position.byte() as usize, &record);
            if index == 0 {
                match self.table_header(&row) {
                    Some(read) => columns = read,
                    None => return rules,
                }
                continue;
            }
            if record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            rules.extend(self.table_row(&row, &columns, chart));
        }
        rules
    }

    /// The columns the header names; `None` when it is refused.
    fn table_header(&mut self, row: &TableRow<'_>) -> Option<TableColumns> {
        let header: Vec<&str> = row.record.iter().map(str::trim).collect();
        if header.first() != Some(&"pattern") || header.get(1) != Some(&"code") {
            self.error(
                Diagnostic::error(
                    Code::MissingColumn,
                    "a crosswalk table starts with the header `pattern,code,note`",
                )
                .at(row.span, "found this header")
                .help("make the first row `pattern,code,note` (the note column is optional)"),
            );
            return None;
        }
        let unknown = match TableColumns::read(&header) {
            Ok(read) => return Some(read),
            Err(unknown) => unknown,
        };
        // Suggest only a column the header does not have yet.
        let known = OPTIONAL_COLUMNS
            .into_iter()
            .filter(|name| !header.contains(name));
        let help = match closest(&unknown, known) {
            Some(close) => format!("did you mean `{close}`? The columns are `pattern,code`, then `note`, `valid_from` and `valid_until`, each optional"),
            None => "the columns are `pattern,code`, then `note`, `valid_from` and `valid_until`, each optional".to_string(),
        };
        self.error(
            Diagnostic::error(
                Code::MissingColumn,
                format!("unknown column `{unknown}` in a crosswalk table"),
            )
            .at(row.span, "in this header")
            .help(help),
        );
        None
    }

    /// The rule of one row, if the row checks.
    fn table_row(
        &mut self,
        row: &TableRow<'_>,
        columns: &TableColumns,
        chart: &Chart,
    ) -> Option<Rule> {
        if !self.row_width(row, columns) {
            return None;
        }
        let pattern = row.field(0);
        if pattern.is_empty() {
            self.error(
                Diagnostic::error(Code::BadMatcher, "empty pattern in crosswalk table")
                    .at(row.span, "this row"),
            );
            return None;
        }
        let validity = self.validity(row.validity(columns).as_ref());
        let target = self.target(&row.code(), chart);
        Some(Rule {
            matcher: Matcher::Whole(Pattern::new(pattern)),
            target: target?,
            priority: 0,
            validity: validity?,
            note: columns
                .note
                .map(|column| row.field(column).to_string())
                .filter(|n| !n.is_empty()),
            span: row.span,
        })
    }

    /// A row has `pattern,code` and at most the columns of its header.
    fn row_width(&mut self, row: &TableRow<'_>, columns: &TableColumns) -> bool {
        let fields = row.record.len();
        if (2..=columns.width).contains(&fields) {
            return true;
        }
        let (expected, help) = if columns.width == 3 {
            (
                "2 or 3".to_string(),
                "each row is `pattern,code` or `pattern,code,note`; quote a note that holds a comma",
            )
        } else {
            (
                format!("2 to {}", columns.width),
                "each row is `pattern,code` followed by the columns its header names, empty cells allowed; quote a note that holds a comma",
            )
        };
        self.error(
            Diagnostic::error(
                Code::CsvStructure,
                format!(
                    "expected {expected} fields ({}), found {fields}",
                    columns.names.join(",")
                ),
            )
            .at(row.span, "this row")
            .help(help),
        );
        false
    }
}

/// One record of a table, with where its line lies in the table's text.
struct TableRow<'t> {
    text: &'t str,
    file: FileId,
    record: &'t csv::StringRecord,
    start: usize,
    line_end: usize,
    /// The row's line.
    span: Span,
}

impl<'t> TableRow<'t> {
    fn new(text: &'t str, file: FileId, start: usize, record: &'t csv::StringRecord) -> Self {
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        TableRow {
            text,
            file,
            record,
            start,
            line_end,
            span: Span::new(file, start, line_end.max(start)),
        }
    }

    /// A field without its surrounding blanks; empty if the row has none.
    fn field(&self, column: usize) -> &'t str {
        self.record.get(column).unwrap_or("").trim()
    }

    fn line(&self) -> &'t str {
        &self.text[self.start..self.line_end]
    }

    /// The code, located at its first occurrence in the line.
    fn code(&self) -> ast::Name {
        let text = self.field(1);
        let start = self
            .line()
            .find(text)
            .map_or(self.start, |offset| self.start + offset);
        ast::Name {
            text: text.to_string(),
            span: Span::new(self.file, start, start + text.len()),
        }
    }

    /// A date cell becomes a validity date located at the cell, so that a
    /// bad one is reported exactly like one in a specification.
    fn validity(&self, columns: &TableColumns) -> Option<ast::Validity> {
        let (from, until) = (self.cell(columns.from), self.cell(columns.until));
        (from.is_some() || until.is_some()).then_some(ast::Validity {
            from,
            until,
            span: self.span,
        })
    }

    /// A non-empty cell, located at its last occurrence in the line.
    fn cell(&self, column: Option<usize>) -> Option<ast::Name> {
        let value = self.record.get(column?)?.trim();
        if value.is_empty() {
            return None;
        }
        let start = self.start + self.line().rfind(value).unwrap_or(0);
        Some(ast::Name {
            text: value.to_string(),
            span: Span::new(self.file, start, start + value.len()),
        })
    }
}

/// Where the optional columns of a crosswalk table are. The first two are
/// always `pattern,code`; a third column of any other name is the note, as
/// it was before tables could carry validity dates.
struct TableColumns {
    note: Option<usize>,
    from: Option<usize>,
    until: Option<usize>,
    /// The most fields a row may have.
    width: usize,
    names: Vec<String>,
}

impl Default for TableColumns {
    fn default() -> TableColumns {
        TableColumns {
            note: Some(2),
            from: None,
            until: None,
            width: 3,
            names: ["pattern", "code", "note"].map(String::from).to_vec(),
        }
    }
}

impl TableColumns {
    /// Reads a header that starts `pattern,code`; an unknown column past the
    /// third is returned as the error.
    fn read(header: &[&str]) -> Result<TableColumns, String> {
        let mut columns = TableColumns {
            note: None,
            ..TableColumns::default()
        };
        for (index, name) in header.iter().enumerate().skip(2) {
            match *name {
                "valid_from" if columns.from.is_none() => columns.from = Some(index),
                "valid_until" if columns.until.is_none() => columns.until = Some(index),
                "note" if columns.note.is_none() => columns.note = Some(index),
                _ if index == 2 => columns.note = Some(index),
                other => return Err(other.to_string()),
            }
        }
        if header.len() <= 2 {
            columns.note = Some(2);
        }
        columns.width = header.len().max(3);
        columns.names = header.iter().map(|name| name.to_string()).collect();
        if header.len() <= 2 {
            columns.names.push("note".into());
        }
        Ok(columns)
    }
}
