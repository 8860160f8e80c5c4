//! Line accounting and the structure of records: every line read, the
//! `csv` crate and the scanner agreeing, quotes closed where they may be,
//! as many fields as the header, no line past the limit.

use super::{Cell, Lines, RawRecord, Reader};
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest::decode::Origin;
use crate::source::Sources;

const QUOTE_HELP: &str =
    "close the quote on the same line, or double it (`\"\"`) if it is part of the text";

impl Reader<'_> {
    /// Counts the lines `from..to` (0-based) as blank; they must be empty.
    pub(super) fn blank_between(&mut self, sources: &mut Sources, from: usize, to: usize) -> bool {
        for index in from..to {
            let (start, end) = self.lines.span(index);
            if start != end {
                self.reader_bug(
                    sources,
                    (start, end),
                    "this line was not read (a bug in reddition)",
                    "neither header, blank, nor part of a record",
                );
                return false;
            }
            self.summary.blank_lines += 1;
        }
        true
    }

    /// The `csv` crate must read the same fields as the scanner.
    pub(super) fn agree(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        theirs: Option<csv::Result<csv::StringRecord>>,
    ) -> bool {
        let same = match &theirs {
            Some(Ok(fields)) => {
                fields.len() == record.cells.len()
                    && fields
                        .iter()
                        .zip(&record.cells)
                        .all(|(field, cell)| field == cell.value)
            }
            _ => false,
        };
        if !same {
            self.reader_bug(
                sources,
                (record.start, record.start),
                "the CSV reader and the line scanner disagree on this record (a bug in reddition)",
                "record read here",
            );
        }
        same
    }

    pub(super) fn agree_end(
        &mut self,
        sources: &mut Sources,
        theirs: Option<csv::Result<csv::StringRecord>>,
    ) {
        if theirs.is_some() {
            let end = self.text.len();
            self.reader_bug(
                sources,
                (end, end),
                "the CSV reader found a record the line scanner did not (a bug in reddition)",
                "end of the file",
            );
        }
    }

    /// The first structural fault of a record: quotes, then field count.
    pub(super) fn structure(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        multiline_ok: &[usize],
        expected: Option<usize>,
    ) -> Option<Diagnostic> {
        for (index, cell) in record.cells.iter().enumerate() {
            if let Some(fault) = self.quote_fault(sources, index, cell, multiline_ok) {
                return Some(fault);
            }
        }
        let expected = expected?;
        if record.cells.len() == expected {
            return None;
        }
        Some(self.field_count_fault(sources, record, expected))
    }

    /// A quote of a cell left open, closed on another line (outside a
    /// description), or followed by text.
    fn quote_fault(
        &mut self,
        sources: &mut Sources,
        index: usize,
        cell: &Cell,
        multiline_ok: &[usize],
    ) -> Option<Diagnostic> {
        let quote = cell.quote?;
        let opened_line = self.line_number(quote.open);
        // Spans register an excerpt: build them only for an error, so a
        // file of quoted cells costs nothing per line.
        let Some(close) = quote.close else {
            let open = self.span(sources, quote.open, quote.open + 1);
            let last_line = self.first_line + self.lines.len();
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
            let open = self.span(sources, quote.open, quote.open + 1);
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
        let trailing = quote.trailing?;
        let at = self.span(sources, trailing, cell.end);
        let mut diagnostic = Diagnostic::error(
            Code::CsvStructure,
            format!(
                "unexpected text after a closing quote {}",
                self.column_label(&[index])
            ),
        )
        .at(at, "text after the closing quote")
        .help("inside quotes, write a quote as `\"\"`; or remove the quotes around the cell");
        if quote.multiline {
            let open = self.span(sources, quote.open, quote.open + 1);
            diagnostic = diagnostic
                .also(
                    open,
                    format!("the quote was opened here, on line {opened_line}"),
                )
                .note(format!(
                    "the quoted field runs from line {opened_line} to line {}",
                    self.line_number(close)
                ));
        }
        Some(diagnostic)
    }

    /// A record with more or fewer fields than the header.
    fn field_count_fault(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        expected: usize,
    ) -> Diagnostic {
        let found = record.cells.len();
        let (first, last) = self.line_range(record);
        let delimiter = char::from(self.dialect.delimiter);
        let (at, label, help) = if found > expected {
            let extra = &record.cells[expected];
            let line_end = self.lines.span(self.lines.index_of(extra.start)).1;
            let extra_count = found - expected;
            let label = if extra_count == 1 {
                "1 extra field".to_string()
            } else {
                format!("{extra_count} extra fields")
            };
            let help = format!("a value that contains `{delimiter}` must be quoted");
            (self.span(sources, extra.start, line_end), label, help)
        } else {
            let cells: Vec<&Cell> = record.cells.last().into_iter().collect();
            let help = format!("every line needs {expected} fields separated by `{delimiter}`");
            (
                self.cells_span(sources, &cells),
                format!("the line ends after field {found}"),
                help,
            )
        };
        let mut diagnostic = Diagnostic::error(
            Code::CsvStructure,
            format!("expected {expected} fields, found {found}"),
        )
        .at(at, label)
        .help(help);
        if first != last {
            diagnostic = diagnostic.note(format!(
                "the record spans lines {} to {} because of a quoted description",
                self.first_line + first + 1,
                self.first_line + last + 1
            ));
        }
        diagnostic
    }

    /// A fault of the reader itself, found by a cross-check, at `start..end`.
    fn reader_bug(
        &mut self,
        sources: &mut Sources,
        (start, end): (usize, usize),
        message: &str,
        label: &str,
    ) {
        let at = self.span(sources, start, end);
        self.errors
            .push(Diagnostic::error(Code::CsvStructure, message).at(at, label));
    }
}

/// The first physical line longer than `limit` bytes, as a located error
/// (its excerpt shortened: the point is where, not the whole line).
pub(super) fn long_line(
    origin: Origin<'_>,
    text: &str,
    lines: &Lines,
    limit: usize,
    sources: &mut Sources,
) -> Option<Diagnostic> {
    let index = (0..lines.len()).find(|index| {
        let (start, end) = lines.span(*index);
        end.saturating_sub(start) > limit
    })?;
    let (start, end) = lines.span(index);
    let shown = (0..=80.min(end - start))
        .rev()
        .find(|cut| text.is_char_boundary(start + cut))
        .unwrap_or(0);
    let excerpt = format!("{}…", &text[start..start + shown]);
    let number = origin.first_line + index + 1;
    let file = sources.add_excerpt(origin.name, excerpt, number);
    Some(
        Diagnostic::error(
            Code::LimitExceeded,
            format!(
                "line {number} is {} bytes long, above the limit of {limit}",
                end - start
            ),
        )
        .at(crate::source::Span::new(file, 0, shown), "this line")
        .help(
            "is this a text export? raise the limit with --limit line-bytes=N if the line is real",
        ),
    )
}
