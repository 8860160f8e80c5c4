//! Physical lines and raw records, with the byte position of every cell.
//!
//! The scanner follows the `csv` crate's reading rules exactly (RFC 4180
//! quoting, `""` inside quotes, lenient text after a closing quote, blank lines
//! skipped, `\r\n`, `\n` and `\r` all ending a line) but also records where each
//! cell and each quote lies, so the reader can account for every physical line
//! and point diagnostics at cells. The reader checks that both agree.

/// The physical lines of a text: `(start, end)` byte offsets, `end` before the
/// line terminator. A final terminator does not start another line.
pub struct Lines {
    spans: Vec<(usize, usize)>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut spans = Vec::new();
        let mut start = 0;
        let mut index = 0;
        while index < bytes.len() {
            match bytes[index] {
                b'\n' => {
                    spans.push((start, index));
                    start = index + 1;
                }
                b'\r' => {
                    spans.push((start, index));
                    if bytes.get(index + 1) == Some(&b'\n') {
                        index += 1;
                    }
                    start = index + 1;
                }
                _ => {}
            }
            index += 1;
        }
        if start < bytes.len() {
            spans.push((start, bytes.len()));
        }
        Lines { spans }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// 0-based index of the line holding `byte` (a terminator belongs to its line).
    pub fn index_of(&self, byte: usize) -> usize {
        match self.spans.binary_search_by_key(&byte, |(start, _)| *start) {
            Ok(index) => index,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// `(start, end)` of a line; an empty span past the end for a bad index.
    pub fn span(&self, index: usize) -> (usize, usize) {
        self.spans
            .get(index)
            .copied()
            .unwrap_or((usize::MAX, usize::MAX))
    }
}

/// How a quoted cell is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    /// Byte of the opening quote.
    pub open: usize,
    /// Byte of the closing quote; `None` when the text ends inside the quotes.
    pub close: Option<usize>,
    /// Byte where text follows the closing quote (`"a"b`), read on as data.
    pub trailing: Option<usize>,
    /// A line terminator lies between the quotes.
    pub multiline: bool,
}

/// One cell: its raw extent in the text (quotes included) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub start: usize,
    pub end: usize,
    pub value: String,
    pub quote: Option<Quote>,
}

/// One record: the bytes from its first cell to its terminator (excluded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    pub start: usize,
    pub end: usize,
    pub cells: Vec<Cell>,
}

pub struct Scanner<'t> {
    text: &'t str,
    delimiter: u8,
    quote: u8,
    pos: usize,
}

enum Ended {
    Delimiter,
    Record,
}

fn is_terminator(byte: u8) -> bool {
    byte == b'\r' || byte == b'\n'
}

impl<'t> Scanner<'t> {
    /// `delimiter` and `quote` must be ASCII, distinct and not line terminators.
    pub fn new(text: &'t str, delimiter: u8, quote: u8) -> Scanner<'t> {
        Scanner {
            text,
            delimiter,
            quote,
            pos: 0,
        }
    }

    fn cell(&mut self) -> (Cell, Ended) {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut value = Vec::new();
        let mut quote = None;
        if bytes.get(self.pos) == Some(&self.quote) {
            let mut q = Quote {
                open: self.pos,
                close: None,
                trailing: None,
                multiline: false,
            };
            self.pos += 1;
            while let Some(&byte) = bytes.get(self.pos) {
                if byte == self.quote {
                    if bytes.get(self.pos + 1) == Some(&self.quote) {
                        value.push(byte);
                        self.pos += 2;
                        continue;
                    }
                    q.close = Some(self.pos);
                    self.pos += 1;
                    break;
                }
                q.multiline |= is_terminator(byte);
                value.push(byte);
                self.pos += 1;
            }
            if let Some(&next) = bytes.get(self.pos)
                && q.close.is_some()
                && next != self.delimiter
                && !is_terminator(next)
            {
                q.trailing = Some(self.pos);
            }
            quote = Some(q);
        }
        if quote.is_none_or(|q| q.close.is_some()) {
            while let Some(&byte) = bytes.get(self.pos) {
                if byte == self.delimiter || is_terminator(byte) {
                    break;
                }
                value.push(byte);
                self.pos += 1;
            }
        }
        let end = self.pos;
        let ended = if bytes.get(self.pos) == Some(&self.delimiter) {
            self.pos += 1;
            Ended::Delimiter
        } else {
            Ended::Record
        };
        // Cells are cut at ASCII bytes of valid UTF-8, so this cannot fail.
        let value = String::from_utf8(value)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
        let cell = Cell {
            start,
            end,
            value,
            quote,
        };
        (cell, ended)
    }
}

impl Iterator for Scanner<'_> {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).is_some_and(|b| is_terminator(*b)) {
            self.pos += 1;
        }
        if self.pos >= bytes.len() {
            return None;
        }
        let start = self.pos;
        let mut cells = Vec::new();
        loop {
            let (cell, ended) = self.cell();
            cells.push(cell);
            if let Ended::Record = ended {
                break;
            }
        }
        Some(RawRecord {
            start,
            end: self.pos,
            cells,
        })
    }
}

#[cfg(test)]
#[path = "tests/scan.rs"]
mod tests;
