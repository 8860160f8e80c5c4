//! Bytes as text: what the precise decoder would refuse, the fast path
//! doubts.

use super::Doubt;
use crate::ingest::Encoding;
use crate::ingest::decode::CP1252_UNDEFINED;
use std::borrow::Cow;

/// Refuses a block the precise decoder would refuse: a NUL byte, invalid
/// UTF-8 or a C1 control in UTF-8, an undefined byte or UTF-8 look-alikes
/// in windows-1252.
/// Returns the block as text when the export is UTF-8.
pub(super) fn check_text(block: &[u8], encoding: Encoding) -> Result<Option<&str>, Doubt> {
    if memchr::memchr(0, block).is_some() {
        return Err(Doubt("a NUL byte"));
    }
    match encoding {
        Encoding::Utf8 => {
            let text = simdutf8::basic::from_utf8(block).map_err(|_| Doubt("not UTF-8"))?;
            let c1 = memchr::memchr_iter(0xC2, block)
                .any(|i| matches!(block.get(i + 1), Some(0x80..=0x9F)));
            if c1 {
                return Err(Doubt("a C1 control character"));
            }
            Ok(Some(text))
        }
        Encoding::Windows1252 if block.is_ascii() => Ok(None),
        Encoding::Windows1252 => check_cp1252(block).map(|()| None),
    }
}

fn check_cp1252(bytes: &[u8]) -> Result<(), Doubt> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(Doubt("a UTF-8 byte order mark"));
    }
    for (i, b) in bytes.iter().enumerate() {
        if *b < 0x80 {
            continue;
        }
        if CP1252_UNDEFINED.contains(b) {
            return Err(Doubt("a byte undefined in windows-1252"));
        }
        if matches!(b, 0xC2 | 0xC3) && matches!(bytes.get(i + 1), Some(0x80..=0xBF)) {
            return Err(Doubt("UTF-8 in a windows-1252 file"));
        }
    }
    Ok(())
}

/// Bytes of a cell as text in the encoding. Every caller has checked the
/// bytes already, with the whole block ([`check_text`]).
pub(super) fn decode(bytes: &[u8], encoding: Encoding) -> Result<Cow<'_, str>, Doubt> {
    if bytes.is_ascii() {
        return std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| Doubt("not text"));
    }
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| Doubt("not UTF-8")),
        Encoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0),
    }
}
