//! Bytes to text in the declared encoding, refusing anything doubtful.
//!
//! Never produces U+FFFD: a byte that is not a character is an error located at
//! its line and column, with the line shown (bad bytes written as `\xNN`).

use super::Encoding;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Sources, Span};
use std::borrow::Cow;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The five bytes Windows-1252 leaves undefined (WHATWG maps them to C1 controls).
pub(super) const CP1252_UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

const NOT_UTF8_HELP: &str = "the file is not UTF-8; if it was saved by Excel as 'CSV (séparateur: point-virgule)' declare encoding \"windows-1252\"";

/// Where decoded bytes come from: the export's name, and the physical line
/// (0-based) its piece starts at; only the first piece may start with a
/// byte order mark or tell UTF-16 and zip files by their first bytes.
#[derive(Clone, Copy)]
pub struct Origin<'n> {
    pub name: &'n str,
    pub first_line: usize,
}

impl Origin<'_> {
    fn at_start(self) -> bool {
        self.first_line == 0
    }

    /// Registers an excerpt: `line` is 1-based within the piece.
    fn excerpt(self, sources: &mut Sources, shown: String, line: usize) -> crate::source::FileId {
        sources.add_excerpt(self.name, shown, self.first_line + line)
    }
}

/// Decodes an export, or a piece of one cut at a line end. The fault that
/// comes first in the bytes is the one reported, whatever its kind, so that
/// a piece says what the whole file would.
pub fn decode<'b>(
    origin: Origin<'_>,
    bytes: &'b [u8],
    encoding: Encoding,
    sources: &mut Sources,
) -> Result<Cow<'b, str>, Diagnostic> {
    if let Some(diagnostic) = not_text(origin, bytes, sources) {
        return Err(diagnostic);
    }
    let nul = bytes.iter().position(|b| *b == 0);
    let before_nul = &bytes[..nul.unwrap_or(bytes.len())];
    let decoded = match encoding {
        Encoding::Utf8 => decode_utf8(origin, before_nul, sources),
        Encoding::Windows1252 => decode_cp1252(origin, before_nul, sources),
    };
    match (decoded, nul) {
        (Err(diagnostic), _) => Err(diagnostic),
        (Ok(_), Some(offset)) => Err(nul_byte(origin, bytes, offset, sources)),
        (Ok(text), None) => Ok(text),
    }
}

/// A NUL byte: the file is likely UTF-16 without a byte order mark.
fn nul_byte(origin: Origin<'_>, bytes: &[u8], offset: usize, sources: &mut Sources) -> Diagnostic {
    let at = locate(origin, bytes, offset, 1, sources);
    Diagnostic::error(Code::BadEncoding, "the file contains a NUL byte")
        .at(at, "NUL byte")
        .help("the file may be UTF-16 ('Unicode text'); save it again as 'CSV UTF-8'")
}

/// Files that are not text at all: UTF-16, spreadsheets, binary.
fn not_text(origin: Origin<'_>, bytes: &[u8], sources: &mut Sources) -> Option<Diagnostic> {
    let start = origin.at_start();
    let (message, help) =
        if start && (bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF")) {
            (
                "the file is UTF-16 text, not a CSV export in a supported encoding",
                "save it again as 'CSV UTF-8' or 'CSV (séparateur: point-virgule)'",
            )
        } else if start && bytes.starts_with(b"PK\x03\x04") {
            (
                "the file is a spreadsheet workbook (zip), not a CSV export",
                "open it in the spreadsheet and save it as 'CSV UTF-8'",
            )
        } else {
            return None;
        };
    let at = locate(origin, bytes, 0, bytes.len().min(2), sources);
    Some(
        Diagnostic::error(Code::BadEncoding, message)
            .at(at, "here")
            .help(help),
    )
}

fn decode_utf8<'b>(
    origin: Origin<'_>,
    bytes: &'b [u8],
    sources: &mut Sources,
) -> Result<Cow<'b, str>, Diagnostic> {
    let body = match origin.at_start() {
        true => bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes),
        false => bytes,
    };
    let decoded = std::str::from_utf8(body);
    // The valid part is searched first: a control character before the
    // first invalid byte comes first.
    let valid = match &decoded {
        Ok(text) => text,
        Err(error) => std::str::from_utf8(&body[..error.valid_up_to()]).unwrap_or_default(),
    };
    if let Some((index, c)) = valid
        .char_indices()
        .find(|(_, c)| ('\u{80}'..='\u{9f}').contains(c))
    {
        let offset = bytes.len() - body.len() + index;
        let at = locate(origin, bytes, offset, c.len_utf8(), sources);
        return Err(Diagnostic::error(
            Code::BadEncoding,
            format!(
                "the file holds the control character U+{:04X}",
                u32::from(c)
            ),
        )
        .at(at, "control character")
        .help(
            "the file was probably converted from windows-1252 as if it were Latin-1; \
             read the original with encoding \"windows-1252\"",
        ));
    }
    let error = match decoded {
        Ok(text) => return Ok(Cow::Borrowed(text)),
        Err(error) => error,
    };
    let offset = bytes.len() - body.len() + error.valid_up_to();
    let width = error
        .error_len()
        .unwrap_or(body.len() - error.valid_up_to());
    let at = locate(origin, bytes, offset, width.max(1), sources);
    let shown = bytes
        .get(offset..offset + width.max(1))
        .unwrap_or_default()
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    Err(
        Diagnostic::error(Code::BadEncoding, "the file is not valid UTF-8")
            .at(
                at,
                format!(
                    "{} {shown} is not UTF-8",
                    if width > 1 { "bytes" } else { "byte" }
                ),
            )
            .help(NOT_UTF8_HELP),
    )
}

fn decode_cp1252<'b>(
    origin: Origin<'_>,
    bytes: &'b [u8],
    sources: &mut Sources,
) -> Result<Cow<'b, str>, Diagnostic> {
    // UTF-8 is looked for up to the first undefined byte (a pair may end on
    // it): whichever fault starts first is reported.
    let undefined = bytes.iter().position(|b| CP1252_UNDEFINED.contains(b));
    let before = &bytes[..undefined.map_or(bytes.len(), |at| at + 1)];
    if let Some(diagnostic) = looks_utf8(origin, before, sources) {
        return Err(diagnostic);
    }
    if let Some(offset) = undefined {
        let at = locate(origin, bytes, offset, 1, sources);
        let byte = bytes.get(offset).copied().unwrap_or_default();
        return Err(Diagnostic::error(
            Code::BadEncoding,
            format!("byte 0x{byte:02X} is not a character in windows-1252"),
        )
        .at(at, "undefined in windows-1252")
        .help("the file is in another encoding; export it again as 'CSV UTF-8' and declare encoding \"utf-8\""));
    }
    match encoding_rs::WINDOWS_1252.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) if !text.contains('\u{fffd}') => Ok(text),
        _ => {
            let at = locate(origin, bytes, 0, 0, sources);
            Err(Diagnostic::error(
                Code::BadEncoding,
                "the file cannot be decoded as windows-1252",
            )
            .at(at, "in this file"))
        }
    }
}

/// A file declared windows-1252 that is in fact UTF-8 would decode into
/// mojibake (`Ã©` for `é`): refuse it when it starts with a UTF-8 byte order
/// mark, or holds a valid two-byte UTF-8 sequence for a Latin-1 letter
/// (`Ã` followed by a character of U+0080..U+00BF once decoded).
fn looks_utf8(origin: Origin<'_>, bytes: &[u8], sources: &mut Sources) -> Option<Diagnostic> {
    let (offset, width, what) = if origin.at_start() && bytes.starts_with(UTF8_BOM) {
        (
            0,
            3,
            "the file starts with a UTF-8 byte order mark".to_string(),
        )
    } else {
        let offset = bytes
            .windows(2)
            .position(|pair| matches!(pair, [0xC2 | 0xC3, 0x80..=0xBF]))?;
        let pair = bytes.get(offset..offset + 2)?;
        let letter = std::str::from_utf8(pair).ok()?;
        (
            offset,
            2,
            format!(
                "`{letter}` is written in UTF-8 (bytes {:02X} {:02X})",
                pair[0], pair[1]
            ),
        )
    };
    // The excerpt is shown as UTF-8, which is what the line really is.
    let (line_number, line_start, line_end) = line_around(bytes, offset);
    let line = bytes.get(line_start..line_end).unwrap_or_default();
    let shown = render(line.strip_prefix(UTF8_BOM).unwrap_or(line));
    let start = if offset == 0 && width == 3 {
        0
    } else {
        render(bytes.get(line_start..offset).unwrap_or_default()).len()
    };
    let end = shown
        .get(start..)
        .and_then(|rest| rest.chars().next())
        .map_or(start, |c| start + c.len_utf8());
    let file = origin.excerpt(sources, shown, line_number);
    Some(
        Diagnostic::error(
            Code::BadEncoding,
            "the file is declared windows-1252 but looks like UTF-8",
        )
        .at(Span::new(file, start, end), what)
        .help("declare encoding \"utf-8\" in the format"),
    )
}

/// Registers the line holding `offset` as an excerpt and returns the span of
/// the `width` bytes at `offset` within it. Those bytes are shown as `\xNN`;
/// the others are decoded as UTF-8 or, failing that, as windows-1252.
fn locate(
    origin: Origin<'_>,
    bytes: &[u8],
    offset: usize,
    width: usize,
    sources: &mut Sources,
) -> Span {
    let (line_number, line_start, line_end) = line_around(bytes, offset);
    let offset = offset.clamp(line_start, line_end);
    let target_end = (offset + width).min(line_end);
    let before = bytes.get(line_start..offset).unwrap_or_default();
    let before = before.strip_prefix(UTF8_BOM).unwrap_or(before);
    let target = bytes.get(offset..target_end).unwrap_or_default();
    let after = bytes.get(target_end..line_end).unwrap_or_default();
    let mut shown = render(before);
    let start = shown.len();
    for byte in target {
        shown.push_str(&format!("\\x{byte:02X}"));
    }
    let end = shown.len();
    shown.push_str(&render(after));
    let file = origin.excerpt(sources, shown, line_number);
    Span::new(file, start, end)
}

/// Bytes for display: UTF-8 where valid, else windows-1252, else `\xNN`.
fn render(bytes: &[u8]) -> String {
    let mut shown = String::new();
    for chunk in bytes.utf8_chunks() {
        shown.push_str(chunk.valid());
        for byte in chunk.invalid() {
            match cp1252_char(*byte) {
                Some(c) if !c.is_control() => shown.push(c),
                _ => shown.push_str(&format!("\\x{byte:02X}")),
            }
        }
    }
    shown
}

fn cp1252_char(byte: u8) -> Option<char> {
    if CP1252_UNDEFINED.contains(&byte) {
        return None;
    }
    let decoded = encoding_rs::WINDOWS_1252
        .decode_without_bom_handling_and_without_replacement(std::slice::from_ref(&byte))?;
    decoded.chars().next()
}

/// The 1-based number, start and end (before its terminator) of the line
/// holding `offset`. Lines end at `\n`, `\r\n` or `\r`, as in the CSV reader.
pub(crate) fn line_around(bytes: &[u8], offset: usize) -> (usize, usize, usize) {
    let offset = offset.min(bytes.len());
    let mut number = 1;
    let mut start = 0;
    let mut index = 0;
    while index < offset {
        match bytes[index] {
            b'\n' => {
                number += 1;
                start = index + 1;
            }
            b'\r' => {
                if bytes.get(index + 1) == Some(&b'\n') && index + 1 < offset {
                    index += 1;
                } else if bytes.get(index + 1) == Some(&b'\n') {
                    // `offset` is the `\n` of a `\r\n`: still the same line.
                    break;
                }
                number += 1;
                start = index + 1;
            }
            _ => {}
        }
        index += 1;
    }
    let end = bytes
        .get(start..)
        .and_then(|rest| rest.iter().position(|b| *b == b'\n' || *b == b'\r'))
        .map_or(bytes.len(), |length| start + length);
    (number, start, end.max(start))
}

#[cfg(test)]
#[path = "tests/decode.rs"]
mod tests;
