//! An export cut into pieces at record boundaries, so the precise reader
//! holds one piece at a time. The cut follows the scanner's own rules (a
//! quote opens only at the start of a cell, a doubled quote is text), so a
//! piece never ends inside a quoted cell, and never between the `\r` and
//! `\n` of a line end: reading piece by piece is reading the whole.

use std::io::Read;

/// A piece of an export: whole records, whole lines.
pub(in crate::ingest) struct Piece {
    pub bytes: Vec<u8>,
    /// Cut where no record ended within the largest piece allowed (a quote
    /// left open): the reader reports the quote, and reading stops there.
    pub forced: bool,
}

pub(in crate::ingest) struct Pieces<'s> {
    source: &'s mut dyn super::Rewindable,
    delimiter: u8,
    quote: u8,
    size: usize,
    /// No piece grows past this while looking for a record's end.
    largest: usize,
    /// Bytes read past the last cut.
    carry: Vec<u8>,
    ended: bool,
    started: bool,
}

impl<'s> Pieces<'s> {
    /// Pieces of about `size` bytes; a record longer than a few pieces (or
    /// than `line_bytes`, which the reader refuses anyway) forces a cut.
    pub fn new(
        source: &'s mut dyn super::Rewindable,
        (delimiter, quote): (u8, u8),
        size: usize,
        line_bytes: usize,
    ) -> Pieces<'s> {
        let size = size.max(1);
        Pieces {
            source,
            delimiter,
            quote,
            size,
            largest: size.saturating_mul(4).saturating_add(line_bytes),
            carry: Vec::new(),
            ended: false,
            started: false,
        }
    }

    /// The next piece; an empty file is one empty piece (the reader says it
    /// has no header), then nothing.
    pub fn next(&mut self) -> std::io::Result<Option<Piece>> {
        let mut buffer = std::mem::take(&mut self.carry);
        if self.ended && buffer.is_empty() && self.started {
            return Ok(None);
        }
        self.started = true;
        loop {
            let want = buffer.len() + self.size;
            if !self.ended {
                self.ended = fill(self.source, &mut buffer, want)?;
            }
            if self.ended {
                return Ok(Some(Piece {
                    bytes: buffer,
                    forced: false,
                }));
            }
            if let Some(cut) = last_boundary(&buffer, self.delimiter, self.quote) {
                self.carry = buffer.split_off(cut);
                return Ok(Some(Piece {
                    bytes: buffer,
                    forced: false,
                }));
            }
            if buffer.len() >= self.largest {
                let cut = buffer
                    .iter()
                    .rposition(|&byte| byte == b'\n')
                    .map_or(buffer.len(), |at| at + 1);
                self.carry = buffer.split_off(cut);
                return Ok(Some(Piece {
                    bytes: buffer,
                    forced: true,
                }));
            }
        }
    }
}

/// Reads into `buffer` until it holds `want` bytes; whether the source ended.
fn fill(source: &mut dyn Read, buffer: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let before = buffer.len();
    let wanted = want.saturating_sub(before);
    Read::take(&mut *source, wanted as u64).read_to_end(buffer)?;
    Ok(buffer.len() - before < wanted)
}

/// Where the scanner stands at a byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a cell (or of a record).
    CellStart,
    /// In a cell not opened by a quote, or after a closing quote.
    Unquoted,
    /// Inside quotes.
    Quoted,
    /// On a quote inside quotes: doubled (text) or closing.
    QuoteInQuotes,
}

/// The end of the last line of `bytes` after which a record starts, as the
/// scanner reads them (`bytes` starting at a record's start). A piece holds
/// at least one record: blank lines alone are never cut off (the first
/// piece must hold the header, wherever the blank lines before it end).
pub(in crate::ingest) fn last_boundary(bytes: &[u8], delimiter: u8, quote: u8) -> Option<usize> {
    let mut state = State::CellStart;
    let mut cut = None;
    let content = bytes.iter().position(|b| *b != b'\n' && *b != b'\r')?;
    for (index, &byte) in bytes.iter().enumerate().skip(content) {
        state = match state {
            State::Quoted if byte == quote => State::QuoteInQuotes,
            State::Quoted => State::Quoted,
            State::QuoteInQuotes if byte == quote => State::Quoted,
            State::CellStart if byte == quote => State::Quoted,
            _ if byte == delimiter => State::CellStart,
            _ if byte == b'\n' => {
                cut = Some(index + 1);
                State::CellStart
            }
            _ if byte == b'\r' => {
                // A cut between `\r` and `\n` would count a line twice.
                if bytes.get(index + 1).is_some_and(|next| *next != b'\n') {
                    cut = Some(index + 1);
                }
                State::CellStart
            }
            _ => State::Unquoted,
        };
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &[u8], size: usize) -> Vec<Vec<u8>> {
        let mut source = std::io::Cursor::new(text);
        let mut pieces = Pieces::new(&mut source, (b';', b'"'), size, 1 << 20);
        let mut all = Vec::new();
        while let Some(piece) = pieces.next().expect("reads") {
            all.push(piece.bytes);
        }
        all
    }

    #[test]
    fn pieces_are_the_whole_cut_between_records() {
        let text: &[u8] = b"a;b\r\n\"x\r\ny\";2\r\n\"q\"\"\n\";3\rz;4\n";
        for size in 1..=text.len() + 1 {
            let all = pieces(text, size);
            assert_eq!(all.concat(), text, "size {size}");
            for piece in &all[..all.len() - 1] {
                let end = piece.last().copied();
                assert!(matches!(end, Some(b'\n' | b'\r')), "size {size}: {piece:?}");
            }
            // Never inside the quoted cells.
            assert!(
                all.iter()
                    .all(|p| !p.starts_with(b"y\"") && !p.starts_with(b"\";3")),
                "size {size}: {all:?}"
            );
        }
    }

    #[test]
    fn a_quote_inside_an_unquoted_cell_is_text() {
        assert_eq!(last_boundary(b"12\" pipe;1\nb;2\n", b';', b'"'), Some(15));
        assert_eq!(last_boundary(b"\"open\n", b';', b'"'), None);
        assert_eq!(last_boundary(b"a\r", b';', b'"'), None);
    }

    #[test]
    fn blank_lines_alone_are_never_a_piece() {
        assert_eq!(last_boundary(b"\n\r\n\n", b';', b'"'), None);
        assert_eq!(last_boundary(b"\n\na;b\n", b';', b'"'), Some(6));
        assert_eq!(pieces(b"\n\n\na;b\nc;d\n", 1)[0], b"\n\n\na;b\n");
    }

    #[test]
    fn an_empty_source_is_one_empty_piece() {
        assert_eq!(pieces(b"", 4), vec![Vec::<u8>::new()]);
    }
}
