//! The file table: every text a diagnostic can point into, and byte spans.
//!
//! Specification files are kept whole. Data files (ledger exports, crosswalk
//! tables) are far larger and are streamed, so a diagnostic about one of their
//! lines registers only that line, remembering its line number in the file.

use std::fmt;

/// The UTF-8 byte-order mark some editors write at the start of a file.
const BYTE_ORDER_MARK: &str = "\u{feff}";

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct FileId(pub u32);

/// A byte range in one file. Line and column are computed only when rendering.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// One file, or one excerpt of a large file starting at `first_line`.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to the user (relative to the project root).
    pub name: String,
    pub text: String,
    /// Line number (1-based) of the first line of `text` in the real file.
    pub first_line: usize,
    /// True for a few lines of a larger file, kept for a diagnostic.
    pub is_excerpt: bool,
    /// Whether the file began with a UTF-8 byte-order mark, which is not
    /// part of `text` ([`Sources::add_read`]).
    pub byte_order_mark: bool,
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(name: String, text: String, first_line: usize, is_excerpt: bool) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            text,
            first_line,
            is_excerpt,
            byte_order_mark: false,
            line_starts,
        }
    }

    /// The bytes of the file as read: its text, after the byte-order mark
    /// it began with, so that its SHA-256 is the file's.
    pub fn bytes_read(&self) -> std::borrow::Cow<'_, [u8]> {
        match self.byte_order_mark {
            true => [BYTE_ORDER_MARK.as_bytes(), self.text.as_bytes()]
                .concat()
                .into(),
            false => self.text.as_bytes().into(),
        }
    }

    /// 0-based index of the line holding `byte`, within `text`.
    pub fn line_index(&self, byte: usize) -> usize {
        match self.line_starts.binary_search(&byte) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_range(&self, line_index: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line_index)?;
        let end = self
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(start..end)
    }

    /// 1-based line and column (in characters) of a byte offset, as in the real file.
    pub fn line_column(&self, byte: usize) -> (usize, usize) {
        let byte = floor_char_boundary(&self.text, byte.min(self.text.len()));
        let line = self.line_index(byte);
        let start = self.line_starts[line];
        let column = self.text[start..byte].chars().count() + 1;
        (line + self.first_line, column)
    }
}

fn floor_char_boundary(text: &str, mut byte: usize) -> usize {
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// All files of a run.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Registers a whole file.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.push(SourceFile::new(name.into(), text.into(), 1, false))
    }

    /// Registers a whole file read from disk; a byte-order mark, as some
    /// editors write, is not part of its text but is remembered.
    pub fn add_read(&mut self, name: impl Into<String>, text: String) -> FileId {
        let file = match text.strip_prefix(BYTE_ORDER_MARK) {
            Some(rest) => SourceFile {
                byte_order_mark: true,
                ..SourceFile::new(name.into(), rest.to_string(), 1, false)
            },
            None => SourceFile::new(name.into(), text, 1, false),
        };
        self.push(file)
    }

    /// Registers an excerpt of a large file whose first line is `first_line`.
    pub fn add_excerpt(
        &mut self,
        name: impl Into<String>,
        text: impl Into<String>,
        first_line: usize,
    ) -> FileId {
        self.push(SourceFile::new(name.into(), text.into(), first_line, true))
    }

    fn push(&mut self, file: SourceFile) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index as u32), file))
    }

    /// `file:line:column` of the start of a span.
    pub fn location(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, column) = file.line_column(span.start as usize);
        format!("{}:{}:{}", file.name, line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let mut sources = Sources::default();
        let file = sources.add("a.rdn", "ligne \"é\"\nsecond é x");
        let x = sources.get(file).text.rfind('x').unwrap_or_default();
        assert_eq!(sources.location(Span::new(file, x, x + 1)), "a.rdn:2:10");
    }

    #[test]
    fn a_byte_order_mark_is_not_text_but_is_read() {
        let mut sources = Sources::default();
        let file = sources.add_read("t.csv", "\u{feff}code\n".to_string());
        assert_eq!(sources.get(file).text, "code\n");
        assert_eq!(&*sources.get(file).bytes_read(), b"\xef\xbb\xbfcode\n");
        let plain = sources.add_read("u.csv", "code\n".to_string());
        assert_eq!(&*sources.get(plain).bytes_read(), b"code\n");
    }

    #[test]
    fn excerpts_keep_their_line_numbers() {
        let mut sources = Sources::default();
        let file = sources.add_excerpt("gl.csv", "2024-07-01,x,1.00", 1234);
        assert_eq!(sources.location(Span::new(file, 11, 12)), "gl.csv:1234:12");
    }
}
