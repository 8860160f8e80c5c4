//! Decoded text to postings: header, line accounting, structure, cells.

use super::amount::{amount_help, amount_hint, is_cell_space};
use super::date::DateError;
use super::scan::{Cell, Lines, RawRecord, Scanner};
use super::{
    Amounts, ColumnRef, Dialect, Layout, MAX_ERRORS, Movement, MovementFrom, PLACEHOLDER,
    Posting, ReadSummary, Role, parse_amount,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::money::Amount;
use crate::source::{FileId, Sources, Span};

const QUOTE_HELP: &str =
    "close the quote on the same line, or double it (`\"\"`) if it is part of the text";

/// Header indices of each role.
struct Columns {
    date: Vec<usize>,
    account: Vec<usize>,
    amount: AmountColumns,
    journal: Option<Vec<usize>>,
    reference: Option<Vec<usize>>,
    description: Option<Vec<usize>>,
    movement: Option<Vec<usize>>,
}

enum AmountColumns {
    Signed(Vec<usize>),
    DebitCredit { debit: Vec<usize>, credit: Vec<usize> },
}

struct Reader<'t> {
    name: &'t str,
    text: &'t str,
    lines: Lines,
    dialect: &'t Dialect,
    layout: &'t Layout,
    /// Trimmed header names.
    header: Vec<String>,
    /// Excerpts registered for the current record: line index and file.
    excerpts: Vec<(usize, FileId)>,
    errors: Vec<Diagnostic>,
    summary: ReadSummary,
    totals_overflowed: bool,
}

/// What a record's cells hold once read.
struct Values {
    date: chrono::NaiveDate,
    account: String,
    amount: Amount,
    debit: Amount,
    credit: Amount,
    journal: String,
    reference: String,
    description: String,
    movement: Option<Movement>,
}

pub fn read_text(
    name: &str,
    text: &str,
    dialect: &Dialect,
    layout: &Layout,
    sources: &mut Sources,
    sink: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
) -> Result<ReadSummary, Vec<Diagnostic>> {
    let mut reader = Reader {
        name,
        text,
        lines: Lines::new(text),
        dialect,
        layout,
        header: Vec::new(),
        excerpts: Vec::new(),
        errors: Vec::new(),
        summary: ReadSummary::default(),
        totals_overflowed: false,
    };
    reader.summary.physical_lines = reader.lines.len();
    let mut scanner = Scanner::new(text, dialect.delimiter, dialect.quote);
    let mut csv_records = csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter)
        .quote(dialect.quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records();

    let Some(header) = scanner.next() else {
        let at = reader.span(sources, 0, 0);
        let what = if text.is_empty() { "the file is empty" } else { "the file has only blank lines" };
        return Err(vec![
            Diagnostic::error(Code::CsvStructure, format!("{what}: expected a header line"))
                .at(at, "no header"),
        ]);
    };
    reader.agree(sources, &header, csv_records.next());
    if header.start != 0 {
        let at = reader.span(sources, 0, 0);
        reader.errors.push(
            Diagnostic::error(Code::CsvStructure, "line 1 is empty: the first line must be the header")
                .at(at, "empty line"),
        );
    } else if let Some(error) = reader.structure(sources, &header, &[], None) {
        reader.errors.push(error);
    }
    if !reader.errors.is_empty() {
        return Err(reader.errors);
    }
    reader.header = header
        .cells
        .iter()
        .map(|cell| cell.value.trim_matches(is_cell_space).to_string())
        .collect();
    let columns = reader.resolve(sources, &header)?;
    reader.summary.header_lines = 1;
    let mut next_line = 1;
    let mut stopped = false;

    for record in scanner.by_ref() {
        reader.excerpts.clear();
        let agreed = reader.agree(sources, &record, csv_records.next());
        let (first, last) = reader.line_range(&record);
        stopped |= !agreed || !reader.blank_between(sources, next_line, first);
        if stopped {
            break;
        }
        next_line = last + 1;
        if first == last && record.cells.iter().all(|cell| cell.value.trim_matches(is_cell_space).is_empty()) {
            reader.summary.blank_lines += 1;
            continue;
        }
        reader.summary.records += 1;
        reader.record(sources, &record, &columns, sink);
        if reader.errors.len() >= MAX_ERRORS {
            if let Some(last) = reader.errors.last_mut() {
                last.notes.push(format!("reading of `{name}` stopped after {MAX_ERRORS} errors"));
            }
            stopped = true;
            break;
        }
    }
    if !stopped {
        reader.agree_end(sources, csv_records.next());
        reader.blank_between(sources, next_line, reader.lines.len());
    }
    if reader.errors.is_empty() {
        Ok(reader.summary)
    } else {
        Err(reader.errors)
    }
}

impl Reader<'_> {
    // ---------- locations ----------

    /// The span of the bytes `start..end` on the line holding `start`,
    /// registering that line as an excerpt once per record.
    fn span(&mut self, sources: &mut Sources, start: usize, end: usize) -> Span {
        let index = self.lines.index_of(start);
        let (line_start, line_end) = self.lines.span(index);
        let (line_start, line_end) = if line_start > self.text.len() {
            (self.text.len(), self.text.len())
        } else {
            (line_start, line_end)
        };
        let file = match self.excerpts.iter().find(|(line, _)| *line == index) {
            Some((_, file)) => *file,
            None => {
                let line_text = self.text.get(line_start..line_end).unwrap_or_default();
                let file = sources.add_excerpt(self.name, line_text, index + 1);
                self.excerpts.push((index, file));
                file
            }
        };
        let start = start.clamp(line_start, line_end);
        let end = end.clamp(start, line_end);
        Span::new(file, start - line_start, end - line_start)
    }

    /// The span of some cells, on the line of the first.
    fn cells_span(&mut self, sources: &mut Sources, cells: &[&Cell]) -> Span {
        let start = cells.first().map_or(0, |cell| cell.start);
        let end = cells.last().map_or(start, |cell| cell.end);
        self.span(sources, start, end)
    }

    /// 0-based first and last physical lines of a record.
    fn line_range(&self, record: &RawRecord) -> (usize, usize) {
        let first = self.lines.index_of(record.start);
        let last = self.lines.index_of(record.end.max(record.start));
        (first, last.max(first))
    }

    fn line_number(&self, byte: usize) -> usize {
        self.lines.index_of(byte) + 1
    }

    /// `in column `A`` or `in columns `A`, `B``.
    fn column_label(&self, indices: &[usize]) -> String {
        let names: Vec<String> = indices.iter().map(|index| format!("`{}`", self.column_name(*index))).collect();
        match names.len() {
            1 => format!("in column {}", names.join("")),
            _ => format!("in columns {}", names.join(", ")),
        }
    }

    fn column_name(&self, index: usize) -> String {
        match self.header.get(index) {
            Some(name) => name.clone(),
            None => format!("field {}", index + 1),
        }
    }

    // ---------- accounting ----------

    /// Counts the lines `from..to` (0-based) as blank; they must be empty.
    fn blank_between(&mut self, sources: &mut Sources, from: usize, to: usize) -> bool {
        for index in from..to {
            let (start, end) = self.lines.span(index);
            if start != end {
                let at = self.span(sources, start, end);
                self.errors.push(
                    Diagnostic::error(Code::CsvStructure, "this line was not read (a bug in reddition)")
                        .at(at, "neither header, blank, nor part of a record"),
                );
                return false;
            }
            self.summary.blank_lines += 1;
        }
        true
    }

    /// The `csv` crate must read the same fields as the scanner.
    fn agree(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        theirs: Option<csv::Result<csv::StringRecord>>,
    ) -> bool {
        let same = match &theirs {
            Some(Ok(fields)) => {
                fields.len() == record.cells.len()
                    && fields.iter().zip(&record.cells).all(|(field, cell)| field == cell.value)
            }
            _ => false,
        };
        if !same {
            let at = self.span(sources, record.start, record.start);
            self.errors.push(
                Diagnostic::error(
                    Code::CsvStructure,
                    "the CSV reader and the line scanner disagree on this record (a bug in reddition)",
                )
                .at(at, "record read here"),
            );
        }
        same
    }

    fn agree_end(&mut self, sources: &mut Sources, theirs: Option<csv::Result<csv::StringRecord>>) {
        if theirs.is_some() {
            let end = self.text.len();
            let at = self.span(sources, end, end);
            self.errors.push(
                Diagnostic::error(
                    Code::CsvStructure,
                    "the CSV reader found a record the line scanner did not (a bug in reddition)",
                )
                .at(at, "end of the file"),
            );
        }
    }

    // ---------- header ----------

    fn resolve(&mut self, sources: &mut Sources, header: &RawRecord) -> Result<Columns, Vec<Diagnostic>> {
        let layout = self.layout;
        let mut find = |reader: &mut Self, column: &ColumnRef| reader.find(sources, header, column);
        let date = find(self, &layout.date);
        let account = find(self, &layout.account);
        let amount = match &layout.amounts {
            Amounts::Signed(column) => AmountColumns::Signed(find(self, column)),
            Amounts::DebitCredit { debit, credit } => AmountColumns::DebitCredit {
                debit: find(self, debit),
                credit: find(self, credit),
            },
        };
        let mut optional = |reader: &mut Self, column: &Option<ColumnRef>| {
            column.as_ref().map(|column| find(reader, column))
        };
        let journal = optional(self, &layout.journal);
        let reference = optional(self, &layout.reference);
        let description = optional(self, &layout.description);
        let movement = optional(self, &layout.movement);
        if self.errors.is_empty() {
            Ok(Columns {
                date,
                account,
                amount,
                journal,
                reference,
                description,
                movement,
            })
        } else {
            Err(std::mem::take(&mut self.errors))
        }
    }

    /// The header indices of a column reference; errors for missing or repeated names.
    fn find(&mut self, sources: &mut Sources, header: &RawRecord, column: &ColumnRef) -> Vec<usize> {
        let mut indices = Vec::new();
        for wanted in &column.headers {
            let wanted = wanted.trim_matches(is_cell_space);
            let found: Vec<usize> = (0..self.header.len()).filter(|i| self.header[*i] == wanted).collect();
            match found.as_slice() {
                [] => {
                    let error = self.missing_column(sources, header, wanted, column.span);
                    self.errors.push(error);
                }
                [index] => indices.push(*index),
                [first, second, ..] => {
                    let at = self.cells_span(sources, &[&header.cells[*second]]);
                    let before = self.cells_span(sources, &[&header.cells[*first]]);
                    self.errors.push(
                        Diagnostic::error(
                            Code::CsvStructure,
                            format!("column `{wanted}` appears twice in the header"),
                        )
                        .at(at, "again here")
                        .also(before, "first here")
                        .also(column.span, "the format reads this column"),
                    );
                }
            }
        }
        indices
    }

    fn missing_column(&mut self, sources: &mut Sources, header: &RawRecord, wanted: &str, declared: Span) -> Diagnostic {
        let at = self.span(sources, header.start, header.end);
        let listed: Vec<String> = self.header.iter().map(|name| format!("`{name}`")).collect();
        let mut diagnostic = Diagnostic::error(Code::MissingColumn, format!("column `{wanted}` not found in the header"))
            .at(at, format!("no column `{wanted}` in this header"))
            .also(declared, "the format names it here")
            .note(format!("the header has {} columns: {}", listed.len(), listed.join(", ")));
        if let Some(help) = self.header_help(wanted) {
            diagnostic = diagnostic.help(help);
        }
        diagnostic
    }

    fn header_help(&self, wanted: &str) -> Option<String> {
        let delimiter = char::from(self.dialect.delimiter);
        if let [only] = self.header.as_slice()
            && let Some(other) = [';', ',', '\t', '|'].into_iter().find(|c| *c != delimiter && only.contains(*c))
        {
            let shown = if other == '\t' { "\\t".to_string() } else { other.to_string() };
            return Some(format!(
                "the header is a single column containing `{shown}`: is the format's delimiter `{shown}`?"
            ));
        }
        if self.header.first().is_some_and(|first| first.to_ascii_lowercase().starts_with("sep=")) {
            return Some("remove the first line (`sep=…`) that the spreadsheet added".to_string());
        }
        let key = fold(wanted);
        self.header
            .iter()
            .find(|name| fold(name) == key)
            .map(|name| format!("a column is named `{name}`; the format must name it exactly"))
    }

    // ---------- records ----------

    /// The first structural fault of a record: quotes, then field count.
    fn structure(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        multiline_ok: &[usize],
        expected: Option<usize>,
    ) -> Option<Diagnostic> {
        for (index, cell) in record.cells.iter().enumerate() {
            let Some(quote) = cell.quote else { continue };
            let opened_line = self.line_number(quote.open);
            let open = self.span(sources, quote.open, quote.open + 1);
            let Some(close) = quote.close else {
                let last_line = self.lines.len();
                return Some(
                    Diagnostic::error(Code::CsvStructure, format!("quote opened on line {opened_line} is never closed"))
                        .at(open, "unterminated quote opened here")
                        .note(format!(
                            "the rest of the file, lines {opened_line} to {last_line}, would be read as one field"
                        ))
                        .help(QUOTE_HELP),
                );
            };
            if quote.multiline && !multiline_ok.contains(&index) {
                let closed_line = self.line_number(close);
                let closed = self.span(sources, close, close + 1);
                return Some(
                    Diagnostic::error(
                        Code::CsvStructure,
                        format!("quote opened on line {opened_line} is not closed on that line"),
                    )
                    .at(open, "unterminated quote opened here")
                    .also(closed, format!("the next quote, on line {closed_line}"))
                    .note(format!(
                        "only a description may span several lines; this quote is {}",
                        self.column_label(&[index])
                    ))
                    .help(QUOTE_HELP),
                );
            }
            if let Some(trailing) = quote.trailing {
                let at = self.span(sources, trailing, cell.end);
                let mut diagnostic = Diagnostic::error(
                    Code::CsvStructure,
                    format!("unexpected text after a closing quote {}", self.column_label(&[index])),
                )
                .at(at, "text after the closing quote")
                .help("inside quotes, write a quote as `\"\"`; or remove the quotes around the cell");
                if quote.multiline {
                    diagnostic = diagnostic
                        .also(open, format!("the quote was opened here, on line {opened_line}"))
                        .note(format!(
                            "the quoted field runs from line {opened_line} to line {}",
                            self.line_number(close)
                        ));
                }
                return Some(diagnostic);
            }
        }
        let expected = expected?;
        let found = record.cells.len();
        if found == expected {
            return None;
        }
        let (first, last) = self.line_range(record);
        let (at, label, help) = if found > expected {
            let extra = &record.cells[expected];
            let line_end = self.lines.span(self.lines.index_of(extra.start)).1;
            let extra_count = found - expected;
            let label = if extra_count == 1 { "1 extra field".to_string() } else { format!("{extra_count} extra fields") };
            let help = format!(
                "a value that contains `{}` must be quoted",
                char::from(self.dialect.delimiter)
            );
            (self.span(sources, extra.start, line_end), label, help)
        } else {
            let cells: Vec<&Cell> = record.cells.last().into_iter().collect();
            let help = format!(
                "every line needs {expected} fields separated by `{}`",
                char::from(self.dialect.delimiter)
            );
            (self.cells_span(sources, &cells), format!("the line ends after field {found}"), help)
        };
        let mut diagnostic = Diagnostic::error(Code::CsvStructure, format!("expected {expected} fields, found {found}"))
            .at(at, label)
            .help(help);
        if first != last {
            diagnostic = diagnostic.note(format!(
                "the record spans lines {} to {} because of a quoted description",
                first + 1,
                last + 1
            ));
        }
        Some(diagnostic)
    }

    fn record(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &Columns,
        sink: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
    ) {
        let multiline_ok = columns.description.clone().unwrap_or_default();
        if let Some(error) = self.structure(sources, record, &multiline_ok, Some(self.header.len())) {
            self.errors.push(error);
            return;
        }
        let Some(values) = self.values(sources, record, columns) else {
            return;
        };
        self.add_to_totals(sources, record, columns, &values);
        let account_cell = columns.account.first().and_then(|index| record.cells.get(*index));
        let account_start = account_cell.map_or(record.start, |cell| cell.start);
        let (line_start, _) = self.lines.span(self.lines.index_of(account_start));
        let account_column = self
            .text
            .get(line_start..account_start)
            .map_or(1, |before| before.chars().count() + 1);
        let posting = Posting {
            date: values.date,
            account: &values.account,
            amount: values.amount,
            journal: &values.journal,
            reference: &values.reference,
            description: &values.description,
            movement: values.movement,
            line: self.line_number(record.start),
            account_column,
        };
        if let Err(diagnostic) = sink(&posting) {
            let diagnostic = self.relocate(sources, record, columns, &values, diagnostic);
            self.errors.push(diagnostic);
        }
    }

    /// Reads every cell of a well-formed record; `None` after pushing errors.
    fn values(&mut self, sources: &mut Sources, record: &RawRecord, columns: &Columns) -> Option<Values> {
        let errors_before = self.errors.len();
        let date = self.date(sources, record, &columns.date);
        let amounts = self.amount(sources, record, &columns.amount);
        let movement = self.movement(sources, record, columns);
        let (amount, debit, credit) = amounts?;
        let text = |indices: &Option<Vec<usize>>, column: &Option<ColumnRef>| match (indices, column) {
            (Some(indices), Some(column)) => joined(record, indices, &column.joined),
            _ => String::new(),
        };
        let values = Values {
            date: date?,
            account: joined(record, &columns.account, &self.layout.account.joined),
            amount,
            debit,
            credit,
            journal: text(&columns.journal, &self.layout.journal),
            reference: text(&columns.reference, &self.layout.reference),
            description: text(&columns.description, &self.layout.description),
            movement: movement?,
        };
        (self.errors.len() == errors_before).then_some(values)
    }

    fn date(&mut self, sources: &mut Sources, record: &RawRecord, indices: &[usize]) -> Option<chrono::NaiveDate> {
        let value = joined(record, indices, &self.layout.date.joined);
        let error = match self.dialect.date.read_detailed(&value) {
            Ok(date) => return Some(date),
            Err(error) => error,
        };
        let format = self.dialect.date.pattern();
        let message = match error {
            DateError::Empty => "the date is empty".to_string(),
            DateError::Format => format!("date `{value}` is not in the format `{format}`"),
            DateError::NotCalendar => format!("date `{value}` is not a calendar date"),
        };
        let at = self.cells_span(sources, &cells(record, indices));
        let label = self.column_label(indices);
        let help = format!("expected a date like {} (format `{format}`)", self.dialect.date.example());
        self.errors.push(Diagnostic::error(Code::BadDate, message).at(at, label).help(help));
        None
    }

    /// Signed amount, debit and credit (both non-negative).
    fn amount(&mut self, sources: &mut Sources, record: &RawRecord, columns: &AmountColumns) -> Option<(Amount, Amount, Amount)> {
        let layout = self.layout;
        match (columns, &layout.amounts) {
            (AmountColumns::Signed(indices), Amounts::Signed(column)) => {
                let value = joined(record, indices, &column.joined);
                let amount = self.cell_amount(sources, record, indices, &value, "amount")?;
                if amount.is_negative() {
                    Some((amount, Amount::ZERO, amount.abs()))
                } else {
                    Some((amount, amount, Amount::ZERO))
                }
            }
            (
                AmountColumns::DebitCredit { debit, credit },
                Amounts::DebitCredit { debit: debit_column, credit: credit_column },
            ) => {
                let debit_value = joined(record, debit, &debit_column.joined);
                let credit_value = joined(record, credit, &credit_column.joined);
                let debit_amount = self.side(sources, record, debit, &debit_value, "debit");
                let credit_amount = self.side(sources, record, credit, &credit_value, "credit");
                let (debit_amount, credit_amount) = (debit_amount?, credit_amount?);
                let both_empty = debit_amount.is_none() && credit_amount.is_none();
                let both_set = debit_amount.is_some_and(|a| !a.is_zero()) && credit_amount.is_some_and(|a| !a.is_zero());
                if both_empty || both_set {
                    let debit_span = self.cells_span(sources, &cells(record, debit));
                    let credit_span = self.cells_span(sources, &cells(record, credit));
                    let (debit_label, credit_label) = if both_empty { ("empty debit", "empty credit") } else { ("debit", "and credit") };
                    self.errors.push(
                        Diagnostic::error(Code::BadAmount, "a line must have a debit or a credit")
                            .at(debit_span, format!("{debit_label} {}", self.column_label(debit)))
                            .also(credit_span, format!("{credit_label} {}", self.column_label(credit)))
                            .help(if both_empty {
                                "write the amount in one of the two columns"
                            } else {
                                "split the line in two, or write the net amount on one side"
                            }),
                    );
                    return None;
                }
                let debit_amount = debit_amount.unwrap_or_default();
                let credit_amount = credit_amount.unwrap_or_default();
                let Some(amount) = debit_amount.checked_sub(credit_amount) else {
                    let at = self.cells_span(sources, &cells(record, debit));
                    self.errors.push(
                        Diagnostic::error(Code::Overflow, "debit minus credit exceeds 28 significant digits")
                            .at(at, self.column_label(debit)),
                    );
                    return None;
                };
                Some((amount, debit_amount, credit_amount))
            }
            _ => None,
        }
    }

    /// A debit or credit cell: `Some(None)` when empty, `None` after an error.
    fn side(&mut self, sources: &mut Sources, record: &RawRecord, indices: &[usize], value: &str, role: &str) -> Option<Option<Amount>> {
        if value.trim_matches(is_cell_space).is_empty() {
            return Some(None);
        }
        let amount = self.cell_amount(sources, record, indices, value, role)?;
        if amount.is_negative() {
            let at = self.cells_span(sources, &cells(record, indices));
            let label = self.column_label(indices);
            self.errors.push(
                Diagnostic::error(Code::BadAmount, format!("{role} `{value}` is negative"))
                    .at(at, label)
                    .help("write a negative debit as a credit, and a negative credit as a debit"),
            );
            return None;
        }
        Some(Some(amount))
    }

    fn cell_amount(&mut self, sources: &mut Sources, record: &RawRecord, indices: &[usize], value: &str, role: &str) -> Option<Amount> {
        let error = match parse_amount(value, self.dialect) {
            Ok(amount) => return Some(amount),
            Err(error) => error,
        };
        let shown = value.trim_matches(is_cell_space);
        let message = if shown.is_empty() {
            format!("the {role} is empty")
        } else {
            format!("{role} `{shown}` {}", error.reason())
        };
        let at = self.cells_span(sources, &cells(record, indices));
        let label = self.column_label(indices);
        let mut diagnostic = Diagnostic::error(Code::BadAmount, message)
            .at(at, label)
            .help(amount_help(self.dialect));
        if let Some(hint) = amount_hint(value, self.dialect) {
            diagnostic = diagnostic.note(hint);
        }
        self.errors.push(diagnostic);
        None
    }

    /// `Some(movement)`, or `None` after an error.
    fn movement(&mut self, sources: &mut Sources, record: &RawRecord, columns: &Columns) -> Option<Option<Movement>> {
        let Some(rule) = &self.layout.movements else {
            return Some(None);
        };
        let (indices, column) = match rule.from {
            MovementFrom::Journal => (&columns.journal, &self.layout.journal),
            MovementFrom::MovementColumn => (&columns.movement, &self.layout.movement),
        };
        let (Some(indices), Some(column)) = (indices, column) else {
            return Some(None);
        };
        let value = joined(record, indices, &column.joined);
        let found = rule.cases.iter().find(|(case, _)| *case == value).map(|(_, movement)| *movement);
        if found.is_some() || rule.from == MovementFrom::Journal || value.is_empty() {
            return Some(found);
        }
        let listed: Vec<String> = rule.cases.iter().map(|(case, _)| format!("`{case}`")).collect();
        let at = self.cells_span(sources, &cells(record, indices));
        let label = self.column_label(indices);
        self.errors.push(
            Diagnostic::error(Code::UnknownMovement, format!("movement `{value}` is not listed in the format"))
                .at(at, label)
                .help(format!(
                    "listed values: {}; leave the cell empty for a posting without a movement type",
                    listed.join(", ")
                )),
        );
        None
    }

    fn add_to_totals(&mut self, sources: &mut Sources, record: &RawRecord, columns: &Columns, values: &Values) {
        if self.totals_overflowed {
            return;
        }
        let debit_total = self.summary.debit_total.checked_add(values.debit);
        let credit_total = self.summary.credit_total.checked_add(values.credit);
        match (debit_total, credit_total) {
            (Some(debit), Some(credit)) => {
                self.summary.debit_total = debit;
                self.summary.credit_total = credit;
            }
            (debit, _) => {
                self.totals_overflowed = true;
                let side = if debit.is_none() { "debits" } else { "credits" };
                let indices = amount_cells(columns, values);
                let at = self.cells_span(sources, &cells(record, indices));
                let label = self.column_label(indices);
                self.errors.push(
                    Diagnostic::error(Code::Overflow, format!("the total of {side} exceeds 28 significant digits"))
                        .at(at, label)
                        .note("the file's control totals cannot be computed"),
                );
            }
        }
    }

    /// Puts a sink diagnostic on the record's cells (see [`Posting::span`]).
    fn relocate(&mut self, sources: &mut Sources, record: &RawRecord, columns: &Columns, values: &Values, mut diagnostic: Diagnostic) -> Diagnostic {
        let mut labels = std::mem::take(&mut diagnostic.labels);
        for label in &mut labels {
            if label.span.file != PLACEHOLDER {
                continue;
            }
            let indices = role_cells(columns, values, label.span.start);
            label.span = self.cells_span(sources, &cells(record, indices));
            if label.text.is_empty() {
                label.text = self.column_label(indices);
            }
        }
        if !labels.iter().any(|label| label.primary) {
            let at = self.cells_span(sources, &cells(record, &columns.account));
            labels.insert(
                0,
                crate::diagnostic::Label {
                    span: at,
                    text: self.column_label(&columns.account),
                    primary: true,
                },
            );
        }
        diagnostic.labels = labels;
        diagnostic
    }
}

/// The cells of a role, joined (each trimmed) when the role joins several columns.
fn joined(record: &RawRecord, indices: &[usize], separator: &str) -> String {
    let parts: Vec<&str> = indices
        .iter()
        .filter_map(|index| record.cells.get(*index))
        .map(|cell| cell.value.trim_matches(is_cell_space))
        .collect();
    parts.join(separator)
}

fn cells<'r>(record: &'r RawRecord, indices: &[usize]) -> Vec<&'r Cell> {
    indices.iter().filter_map(|index| record.cells.get(*index)).collect()
}

/// The amount columns that hold a posting's value.
fn amount_cells<'c>(columns: &'c Columns, values: &Values) -> &'c [usize] {
    match &columns.amount {
        AmountColumns::Signed(indices) => indices,
        AmountColumns::DebitCredit { debit, credit } => {
            if values.debit.is_zero() && !values.credit.is_zero() { credit } else { debit }
        }
    }
}

/// The columns of a placeholder role (see [`Posting::span`]).
fn role_cells<'c>(columns: &'c Columns, values: &Values, role: u32) -> &'c [usize] {
    let optional = |indices: &'c Option<Vec<usize>>| indices.as_deref().unwrap_or(&columns.account);
    match role {
        r if r == Role::Date as u32 => &columns.date,
        r if r == Role::Amount as u32 => amount_cells(columns, values),
        r if r == Role::Journal as u32 => optional(&columns.journal),
        r if r == Role::Reference as u32 => optional(&columns.reference),
        r if r == Role::Description as u32 => optional(&columns.description),
        r if r == Role::Movement as u32 => optional(&columns.movement),
        _ => &columns.account,
    }
}

/// A header name folded for near-miss suggestions: lowercase, no accents, no spaces.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .map(|c| match c.to_lowercase().next().unwrap_or(c) {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}
