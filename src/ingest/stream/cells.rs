//! The values of a record's cells: a role's text borrowed from the block
//! when it can be, dates read once per run, amounts in millionths.

use super::Doubt;
use super::text::decode;
use crate::ingest::amount::is_cell_space;
use crate::ingest::header::RoleColumns;
use crate::ingest::{DateFormat, Dialect, Encoding, parse_amount};
use crate::money::Millionths;
use chrono::NaiveDate;

/// Where a cell lies in its block.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct CellAt {
    pub(super) start: usize,
    /// For a quoted cell, `start..end` lies inside the quotes.
    pub(super) end: usize,
    /// A doubled quote inside the quotes stands for one quote.
    pub(super) escaped: bool,
}

/// A block and the cells of its current record.
pub(super) struct Cells<'b> {
    pub(super) block: &'b [u8],
    /// The block as text, when the export is UTF-8 (checked once per block).
    pub(super) utf8: Option<&'b str>,
    pub(super) cells: &'b [CellAt],
    pub(super) encoding: Encoding,
    pub(super) quote: u8,
}

impl<'b> Cells<'b> {
    /// The text of a role: its cells, each unquoted and trimmed, joined.
    /// Borrowed from the block when the role is one plain cell, which is
    /// nearly always; built in `scratch` otherwise.
    #[inline]
    pub(super) fn role(
        &self,
        role: &RoleColumns<'_>,
        scratch: &'b mut String,
    ) -> Result<&'b str, Doubt> {
        if let [index] = role.indices.as_slice()
            && let Some(cell) = self.cells.get(*index)
            && !cell.escaped
        {
            let bytes = &self.block[cell.start..cell.end];
            let text = match self.utf8 {
                Some(text) => text.get(cell.start..cell.end).ok_or(Doubt("not text"))?,
                None if bytes.is_ascii() => {
                    std::str::from_utf8(bytes).map_err(|_| Doubt("not text"))?
                }
                None => return self.build(role, scratch),
            };
            return Ok(trim(text));
        }
        self.build(role, scratch)
    }

    fn build(&self, role: &RoleColumns<'_>, scratch: &'b mut String) -> Result<&'b str, Doubt> {
        scratch.clear();
        for (n, index) in role.indices.iter().enumerate() {
            if n > 0 {
                scratch.push_str(role.joined);
            }
            let cell = self.cells.get(*index).ok_or(Doubt("a missing cell"))?;
            let text = decode(&self.block[cell.start..cell.end], self.encoding)?;
            if cell.escaped {
                let quote = char::from(self.quote);
                let unquoted = text.replace(&format!("{quote}{quote}"), &quote.to_string());
                scratch.push_str(unquoted.trim_matches(is_cell_space));
            } else {
                scratch.push_str(text.trim_matches(is_cell_space));
            }
        }
        Ok(scratch.as_str())
    }
}

/// Trims the characters trimmed around a cell; looks at the two ends first,
/// since nearly every cell has nothing to trim.
#[inline]
fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return text;
    };
    // Space, tab, and the first / last bytes of U+00A0 and U+202F.
    let may_start = matches!(first, b' ' | b'\t' | 0xC2 | 0xE2);
    let may_end = matches!(last, b' ' | b'\t' | 0xA0 | 0xAF);
    if may_start || may_end {
        text.trim_matches(is_cell_space)
    } else {
        text
    }
}

/// Where a role's text is built when it is not one plain cell of the block.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) date: String,
    pub(super) account: String,
    pub(super) amount: String,
    pub(super) credit: String,
    pub(super) reference: String,
    pub(super) movement: String,
    pub(super) counterparty: String,
}

/// The last date cell read and its value: dates come in runs.
#[derive(Default)]
pub(super) struct DateCache {
    text: String,
    value: Option<NaiveDate>,
}

impl DateCache {
    #[inline]
    pub(super) fn read(&mut self, text: &str, format: &DateFormat) -> Result<NaiveDate, Doubt> {
        if let Some(date) = self.value
            && same_text(&self.text, text)
        {
            return Ok(date);
        }
        let date = format
            .read_detailed(text)
            .map_err(|_| Doubt("not a date"))?;
        self.text.clear();
        self.text.push_str(text);
        self.value = Some(date);
        Ok(date)
    }
}

/// Equality of two short texts (a date, a reference) without a library
/// call: on every line, the call costs more than the comparison.
#[inline]
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Differences or'ed together, not an early exit: a loop that stops at
    // the first difference is turned back into the library call.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An amount cell in millionths: the common shape directly, anything else
/// through the full grammar.
#[inline]
pub(super) fn amount_of(text: &str, dialect: &Dialect) -> Result<Millionths, Doubt> {
    let mark = dialect.decimal.char() as u8;
    if let Some(value) = simple_amount(text.as_bytes(), mark) {
        return Ok(value);
    }
    let amount = parse_amount(text, dialect).map_err(|_| Doubt("not an amount"))?;
    Millionths::from_amount(amount).ok_or(Doubt("not an amount"))
}

/// A debit or credit cell: `None` when empty; never negative.
pub(super) fn side(text: &str, dialect: &Dialect) -> Result<Option<Millionths>, Doubt> {
    if text.is_empty() {
        return Ok(None);
    }
    let value = amount_of(text, dialect)?;
    if value.is_negative() {
        return Err(Doubt("a negative debit or credit"));
    }
    Ok(Some(value))
}

/// `-?digits(mark digits)?` with at most 18 digits and six decimals, in
/// millionths; `None` for anything else, which the full grammar then reads.
pub(super) fn simple_amount(text: &[u8], mark: u8) -> Option<Millionths> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut value: i64 = 0;
    let mut decimals: Option<u32> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                value = value * 10 + i64::from(b - b'0');
                if let Some(d) = decimals.as_mut() {
                    *d += 1;
                }
            }
            _ if b == mark && decimals.is_none() => decimals = Some(0),
            _ => return None,
        }
    }
    let decimals = decimals.unwrap_or(0);
    if decimals > Millionths::SCALE || digits[0] == mark || digits[digits.len() - 1] == mark {
        return None;
    }
    let value = i128::from(value) * 10i128.pow(Millionths::SCALE - decimals);
    Some(Millionths::new(if negative { -value } else { value }))
}
