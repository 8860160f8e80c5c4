//! The header line of a streamed file, and the columns of each role.

use super::text::{check_text, decode};
use super::{Doubt, Input};
use crate::ingest::Encoding;
use crate::ingest::Layout;
use crate::ingest::amount::is_cell_space;
use crate::ingest::header::{self, Columns};

/// The header line.
pub(super) struct Header {
    /// Trimmed names.
    pub(super) names: Vec<String>,
    /// The byte after the header's terminator.
    pub(super) end: usize,
    pub(super) lines: usize,
}

impl Header {
    /// Reads the header from the first bytes of the file; anything but a
    /// plain, unquoted line of text is a doubt.
    pub(super) fn read(first: &[u8], input: &Input<'_>) -> Result<Header, Doubt> {
        if first.starts_with(b"\xFF\xFE") || first.starts_with(b"\xFE\xFF") {
            return Err(Doubt("UTF-16"));
        }
        if first.starts_with(b"PK\x03\x04") {
            return Err(Doubt("a zip file"));
        }
        let start = match input.dialect.encoding {
            Encoding::Utf8 if first.starts_with(b"\xEF\xBB\xBF") => 3,
            _ => 0,
        };
        let Some(newline) = memchr::memchr2(b'\n', b'\r', &first[start..]) else {
            return Err(Doubt("no line ends in the first block"));
        };
        let line = &first[start..start + newline];
        if line.is_empty() {
            return Err(Doubt("the first line is empty"));
        }
        if line.len() > input.limits.line_bytes || line.contains(&0) {
            return Err(Doubt("the header is too long or not text"));
        }
        let mut end = start + newline + 1;
        if first[start + newline] == b'\r' && first.get(end) == Some(&b'\n') {
            end += 1;
        }
        check_text(&first[..end], input.dialect.encoding)?;
        let names = names(line, input)?;
        Ok(Header {
            names,
            end,
            lines: 1,
        })
    }
}

/// The trimmed names of the header's cells.
fn names(line: &[u8], input: &Input<'_>) -> Result<Vec<String>, Doubt> {
    let (delimiter, quote) = (input.dialect.delimiter, input.dialect.quote);
    let mut names = Vec::new();
    for cell in line.split(|b| *b == delimiter) {
        // A quoted header cell may hold the delimiter: the precise reader
        // handles that rare case.
        if cell.contains(&quote) {
            return Err(Doubt("a quoted header"));
        }
        let text = decode(cell, input.dialect.encoding)?;
        names.push(text.trim_matches(is_cell_space).to_string());
    }
    if names.len() > input.limits.columns {
        return Err(Doubt("too many columns"));
    }
    Ok(names)
}

/// The columns of each role, resolved as the precise reader resolves them
/// ([`crate::ingest::header`]): a column missing or repeated is a doubt.
pub(super) struct Roles<'l> {
    /// The number of header cells: a well-formed record has as many.
    pub(super) count: usize,
    pub(super) columns: Columns<'l>,
}

impl<'l> Roles<'l> {
    pub(super) fn resolve(names: &[String], layout: &'l Layout) -> Result<Roles<'l>, Doubt> {
        let columns =
            header::resolve(names, layout).map_err(|_| Doubt("a column is missing or repeated"))?;
        Ok(Roles {
            count: names.len(),
            columns,
        })
    }
}
