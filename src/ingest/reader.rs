//! Decoded text to postings: header, line accounting, structure, cells.

mod cells;
mod header;
mod pieces;
mod structure;

use super::amount::is_cell_space;
use super::decode::{Origin, decode};
use super::header::Columns;
use super::scan::{Cell, Lines, RawRecord, Scanner};
use super::{Dialect, Layout, MAX_ERRORS, Movement, Posting, ReadSummary};
use crate::diagnostic::{Code, Diagnostic};
use crate::limits::Limits;
use crate::money::Amount;
use crate::source::{FileId, Sources, Span};
use pieces::Pieces;
use structure::long_line;

/// The records the `csv` crate reads from the same text, to compare with
/// the scanner's.
type CsvRecords<'t> = csv::StringRecordsIntoIter<&'t [u8]>;

/// The size of the pieces an export is read in: memory holds one piece and
/// its line index, never the whole file.
pub const PIECE_BYTES: usize = 8 << 20;

struct Reader<'t> {
    name: &'t str,
    text: &'t str,
    lines: Lines,
    /// The physical line (0-based) of the file this piece starts at.
    first_line: usize,
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

/// What reading carries from one piece of an export to the next.
#[derive(Default)]
struct Carried {
    header: Vec<String>,
    errors: Vec<Diagnostic>,
    summary: ReadSummary,
    totals_overflowed: bool,
    /// Physical lines of the pieces read so far.
    lines: usize,
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
    counterparty: String,
}

/// [`super::read_export`] under explicit limits (line length, columns).
pub fn read_export_limited(
    display_name: &str,
    bytes: &[u8],
    dialect: &Dialect,
    layout: &Layout,
    limits: &Limits,
    sources: &mut Sources,
    sink: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
) -> Result<ReadSummary, Vec<Diagnostic>> {
    let export = Export {
        name: display_name,
        dialect,
        layout,
        limits,
    };
    let mut source = std::io::Cursor::new(bytes);
    read_export_from(&export, &mut source, PIECE_BYTES, sources, sink)
}

/// An export to read: its name as shown, its format and the limits.
pub struct Export<'a> {
    pub name: &'a str,
    pub dialect: &'a Dialect,
    pub layout: &'a Layout,
    pub limits: &'a Limits,
}

/// A source read twice: once to check its text, once to read its records.
pub trait Rewindable: std::io::Read + std::io::Seek {}

impl<T: std::io::Read + std::io::Seek> Rewindable for T {}

/// Reads an export from `source` in pieces of about `piece_bytes` cut at
/// record boundaries: what is read, and every error, is what reading the
/// whole file at once would give, with memory bounded by the piece. As
/// when reading it whole, the text of the whole export is checked first
/// (encoding, then line lengths), before any record: a first pass decodes
/// every piece, the second reads the records.
pub fn read_export_from(
    export: &Export<'_>,
    source: &mut dyn Rewindable,
    piece_bytes: usize,
    sources: &mut Sources,
    sink: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
) -> Result<ReadSummary, Vec<Diagnostic>> {
    if let Err(message) = export.dialect.validate() {
        return Err(vec![Diagnostic::error(Code::BadFormat, message)]);
    }
    let io = |error: std::io::Error| {
        vec![Diagnostic::error(
            Code::Io,
            format!("cannot read `{}`: {error}", export.name),
        )]
    };
    let marks = (export.dialect.delimiter, export.dialect.quote);
    check_text(
        export,
        &mut Pieces::new(source, marks, piece_bytes, export.limits.line_bytes),
        sources,
    )?;
    source.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
    let mut pieces = Pieces::new(source, marks, piece_bytes, export.limits.line_bytes);
    let mut carried = Carried::default();
    let mut first = true;
    while let Some(piece) = pieces.next().map_err(io)? {
        let more = read_piece(export, &piece.bytes, first, &mut carried, sources, sink)?;
        first = false;
        if !more || (piece.forced && !carried.errors.is_empty()) {
            break;
        }
    }
    if carried.errors.is_empty() {
        Ok(carried.summary)
    } else {
        Err(carried.errors)
    }
}

/// The first pass: every piece decodes, then no line is too long, in that
/// order over the whole export (a long line is reported only once every
/// piece has decoded).
fn check_text(
    export: &Export<'_>,
    pieces: &mut Pieces<'_>,
    sources: &mut Sources,
) -> Result<(), Vec<Diagnostic>> {
    let mut lines = 0;
    let mut long = None;
    while let Some(piece) = pieces.next().map_err(|error| {
        vec![Diagnostic::error(
            Code::Io,
            format!("cannot read `{}`: {error}", export.name),
        )]
    })? {
        let origin = Origin {
            name: export.name,
            first_line: lines,
        };
        let text =
            decode(origin, &piece.bytes, export.dialect.encoding, sources).map_err(|d| vec![d])?;
        let piece_lines = Lines::new(&text);
        if long.is_none() {
            long = long_line(
                origin,
                &text,
                &piece_lines,
                export.limits.line_bytes,
                sources,
            );
        }
        lines += piece_lines.len();
    }
    match long {
        Some(error) => Err(vec![error]),
        None => Ok(()),
    }
}

/// Reads one piece (the first holds the header); whether reading goes on.
fn read_piece(
    export: &Export<'_>,
    bytes: &[u8],
    first: bool,
    carried: &mut Carried,
    sources: &mut Sources,
    sink: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
) -> Result<bool, Vec<Diagnostic>> {
    let origin = Origin {
        name: export.name,
        first_line: carried.lines,
    };
    let fail = |carried: &mut Carried, error: Diagnostic| {
        let mut errors = std::mem::take(&mut carried.errors);
        errors.push(error);
        errors
    };
    let text =
        decode(origin, bytes, export.dialect.encoding, sources).map_err(|d| fail(carried, d))?;
    let lines = Lines::new(&text);
    if let Some(error) = long_line(origin, &text, &lines, export.limits.line_bytes, sources) {
        return Err(fail(carried, error));
    }
    let mut reader = Reader {
        name: export.name,
        text: &text,
        lines,
        first_line: carried.lines,
        dialect: export.dialect,
        layout: export.layout,
        header: std::mem::take(&mut carried.header),
        excerpts: Vec::new(),
        errors: std::mem::take(&mut carried.errors),
        summary: std::mem::take(&mut carried.summary),
        totals_overflowed: carried.totals_overflowed,
    };
    reader.summary.physical_lines += reader.lines.len();
    let mut scanner = Scanner::new(&text, export.dialect.delimiter, export.dialect.quote);
    let mut csv_records = csv::ReaderBuilder::new()
        .delimiter(export.dialect.delimiter)
        .quote(export.dialect.quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records();
    let (columns, next_line) = match first {
        true => (
            reader.read_header(sources, &mut scanner, &mut csv_records, export.limits)?,
            1,
        ),
        false => (reader.columns_again()?, 0),
    };
    let more = reader.read_records(sources, scanner, csv_records, &columns, sink, next_line);
    carried.lines += reader.lines.len();
    carried.header = reader.header;
    carried.errors = reader.errors;
    carried.summary = reader.summary;
    carried.totals_overflowed = reader.totals_overflowed;
    Ok(more)
}

impl<'t> Reader<'t> {
    /// The header line: present, first, well-formed, within the column
    /// limit, and naming every column of the layout.
    fn read_header(
        &mut self,
        sources: &mut Sources,
        scanner: &mut Scanner<'_>,
        csv_records: &mut CsvRecords<'_>,
        limits: &Limits,
    ) -> Result<Columns<'t>, Vec<Diagnostic>> {
        let Some(header) = scanner.next() else {
            let at = self.span(sources, 0, 0);
            let what = if self.text.is_empty() {
                "the file is empty"
            } else {
                "the file has only blank lines"
            };
            return Err(vec![
                Diagnostic::error(
                    Code::CsvStructure,
                    format!("{what}: expected a header line"),
                )
                .at(at, "no header"),
            ]);
        };
        self.agree(sources, &header, csv_records.next());
        if header.start != 0 {
            let at = self.span(sources, 0, 0);
            self.errors.push(
                Diagnostic::error(
                    Code::CsvStructure,
                    "line 1 is empty: the first line must be the header",
                )
                .at(at, "empty line"),
            );
        } else if let Some(error) = self.structure(sources, &header, &[], None) {
            self.errors.push(error);
        }
        if !self.errors.is_empty() {
            return Err(std::mem::take(&mut self.errors));
        }
        if header.cells.len() > limits.columns {
            let at = self.span(sources, 0, 0);
            return Err(vec![
                Diagnostic::error(
                    Code::LimitExceeded,
                    format!("the header has {} columns, above the limit of {}", header.cells.len(), limits.columns),
                )
                .at(at, "this header")
                .help("is the delimiter right? raise the limit with --limit columns=N if the export really is this wide"),
            ]);
        }
        self.header = header
            .cells
            .iter()
            .map(|cell| cell.value.trim_matches(is_cell_space).to_string())
            .collect();
        let columns = self.resolve(sources, &header)?;
        self.summary.header_lines = 1;
        Ok(columns)
    }

    /// The header's columns for a piece after the first (resolved there).
    fn columns_again(&self) -> Result<Columns<'t>, Vec<Diagnostic>> {
        crate::ingest::header::resolve(&self.header, self.layout).map_err(|_| {
            vec![Diagnostic::error(
                Code::CsvStructure,
                format!(
                    "the header of `{}` could not be read again (a bug in reddition)",
                    self.name
                ),
            )]
        })
    }

    /// Every record of the piece from line `next_line` (after the header),
    /// each line accounted for, until the end or [`MAX_ERRORS`] errors.
    /// Whether reading may go on with the next piece.
    fn read_records(
        &mut self,
        sources: &mut Sources,
        scanner: Scanner<'_>,
        mut csv_records: CsvRecords<'_>,
        columns: &Columns<'_>,
        sink: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
        mut next_line: usize,
    ) -> bool {
        for record in scanner {
            self.excerpts.clear();
            let agreed = self.agree(sources, &record, csv_records.next());
            let (first, last) = self.line_range(&record);
            if !agreed || !self.blank_between(sources, next_line, first) {
                return false;
            }
            next_line = last + 1;
            if first == last && is_blank(&record) {
                self.summary.blank_lines += 1;
                continue;
            }
            self.summary.records += 1;
            self.record(sources, &record, columns, sink);
            if self.errors.len() >= MAX_ERRORS {
                if let Some(last) = self.errors.last_mut() {
                    last.notes.push(format!(
                        "reading of `{}` stopped after {MAX_ERRORS} errors",
                        self.name
                    ));
                }
                return false;
            }
        }
        self.agree_end(sources, csv_records.next());
        self.blank_between(sources, next_line, self.lines.len())
    }
}

/// A record whose every cell is empty once trimmed.
fn is_blank(record: &RawRecord) -> bool {
    record
        .cells
        .iter()
        .all(|cell| cell.value.trim_matches(is_cell_space).is_empty())
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
                let file = sources.add_excerpt(self.name, line_text, self.first_line + index + 1);
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

    /// The 1-based line of the file holding byte `byte` of the piece.
    fn line_number(&self, byte: usize) -> usize {
        self.first_line + self.lines.index_of(byte) + 1
    }

    /// `in column `A`` or `in columns `A`, `B``.
    fn column_label(&self, indices: &[usize]) -> String {
        let names: Vec<String> = indices
            .iter()
            .map(|index| format!("`{}`", self.column_name(*index)))
            .collect();
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

    fn record(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &Columns<'_>,
        sink: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
    ) {
        let expected = Some(self.header.len());
        if let Some(error) = self.structure(sources, record, columns.multiline(), expected) {
            self.errors.push(error);
            return;
        }
        let Some(values) = self.values(sources, record, columns) else {
            return;
        };
        self.add_to_totals(sources, record, columns, &values);
        let account_cell = columns
            .account
            .indices
            .first()
            .and_then(|index| record.cells.get(*index));
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
            counterparty: &values.counterparty,
            line: self.line_number(record.start),
            account_column,
        };
        if let Err(diagnostic) = sink(&posting) {
            let diagnostic = self.relocate(sources, record, columns, &values, diagnostic);
            self.errors.push(diagnostic);
        }
    }
}
