//! A block cut into records, each record into cells, and each well-formed
//! record handed to the fold.

use super::blocks::Count;
use super::cells::{CellAt, Cells, DateCache, Scratch, amount_of, side};
use super::header::Roles;
use super::text::{check_text, decode};
use super::{Doubt, Fold, Input, Position, Record};
use crate::ingest::amount::is_cell_space;
use crate::ingest::header::AmountColumns;
use crate::ingest::{Dialect, Movement, MovementFrom, MovementRule};
use crate::money::Millionths;

/// Reusable buffers: the per-line work allocates nothing.
pub(super) struct Parser<'a> {
    input: &'a Input<'a>,
    roles: &'a Roles<'a>,
    delimiter: u8,
    quote: u8,
    cells: Vec<CellAt>,
    scratch: Scratch,
    dates: DateCache,
    /// The bytes that end an unquoted cell.
    stops: [bool; 256],
}

/// A place in a block: the byte, and the physical line (0-based).
#[derive(Clone, Copy)]
struct Scan {
    pos: usize,
    line: u32,
}

/// The length of the line terminator at `pos` (`\n`, `\r` or `\r\n`), if any.
#[inline]
fn line_end(block: &[u8], pos: usize) -> Option<usize> {
    match block.get(pos) {
        Some(b'\n') => Some(1),
        Some(b'\r') if block.get(pos + 1) == Some(&b'\n') => Some(2),
        Some(b'\r') => Some(1),
        _ => None,
    }
}

impl<'a> Parser<'a> {
    pub(super) fn new(input: &'a Input<'a>, roles: &'a Roles<'a>) -> Parser<'a> {
        let (delimiter, quote) = (input.dialect.delimiter, input.dialect.quote);
        let mut stops = [false; 256];
        for byte in [delimiter, b'\n', b'\r'] {
            stops[usize::from(byte)] = true;
        }
        Parser {
            input,
            roles,
            delimiter,
            quote,
            cells: Vec::with_capacity(roles.count + 1),
            scratch: Scratch::default(),
            dates: DateCache::default(),
            stops,
        }
    }

    /// Parses a block of whole records into `fold`; its counts.
    pub(super) fn block<F: Fold>(
        &mut self,
        block: &[u8],
        index: u32,
        fold: &mut F,
    ) -> Result<Count, Doubt> {
        let utf8 = check_text(block, self.input.dialect.encoding)?;
        let mut count = Count::default();
        let mut scan = Scan { pos: 0, line: 0 };
        while scan.pos < block.len() {
            // Terminators where a record would start are blank lines.
            if let Some(width) = line_end(block, scan.pos) {
                scan.pos += width;
                scan.line += 1;
                count.blank += 1;
                continue;
            }
            let start = scan;
            let terminated = self.split(block, &mut scan)?;
            if scan.pos - start.pos > self.input.limits.line_bytes {
                return Err(Doubt("a long record"));
            }
            let single_line = scan.line == start.line;
            scan.line += u32::from(terminated);
            if self.cells.len() != self.roles.count || !self.readable(block) {
                if single_line && self.blank(block)? {
                    count.blank += 1;
                    continue;
                }
                return Err(Doubt("a record that is not well-formed"));
            }
            count.records += 1;
            let at = Position {
                file: self.input.index,
                block: index,
                line: start.line,
            };
            self.record(block, utf8, at, &mut count, fold)?;
        }
        let unterminated = block
            .last()
            .is_some_and(|last| !matches!(last, b'\n' | b'\r'));
        count.lines = u64::from(scan.line) + u64::from(unterminated);
        Ok(count)
    }

    /// Cuts the record at `scan` into cells; whether a line terminator (or
    /// else the end of the block) ended it. Always inlined, like [`Parser::plain`]:
    /// called apart, the scan position leaves the registers of the block's
    /// loop, which cost about 2% of the instructions of a run.
    #[inline(always)]
    fn split(&mut self, block: &[u8], scan: &mut Scan) -> Result<bool, Doubt> {
        self.cells.clear();
        loop {
            if self.cells.len() > self.roles.count {
                return Err(Doubt("too many fields"));
            }
            let cell = if block.get(scan.pos) == Some(&self.quote) {
                self.quoted(block, scan)?
            } else {
                self.plain(block, scan)
            };
            self.cells.push(cell);
            match block.get(scan.pos) {
                Some(&byte) if byte == self.delimiter => scan.pos += 1,
                Some(_) => {
                    scan.pos += line_end(block, scan.pos).unwrap_or(1);
                    return Ok(true);
                }
                None => return Ok(false),
            }
        }
    }

    /// An unquoted cell: up to the delimiter or the line's end.
    #[inline(always)]
    fn plain(&self, block: &[u8], scan: &mut Scan) -> CellAt {
        let start = scan.pos;
        while scan.pos < block.len() && !self.stops[usize::from(block[scan.pos])] {
            scan.pos += 1;
        }
        CellAt {
            start,
            end: scan.pos,
            ..CellAt::default()
        }
    }

    /// A quoted cell, from its opening quote to the byte after its closing
    /// one; only a description may span lines.
    #[inline]
    fn quoted(&self, block: &[u8], scan: &mut Scan) -> Result<CellAt, Doubt> {
        let quote = self.quote;
        scan.pos += 1;
        let mut cell = CellAt {
            start: scan.pos,
            ..CellAt::default()
        };
        loop {
            let Some(offset) = memchr::memchr3(quote, b'\n', b'\r', &block[scan.pos..]) else {
                return Err(Doubt("a quote is not closed"));
            };
            scan.pos += offset;
            if block[scan.pos] == quote {
                if block.get(scan.pos + 1) == Some(&quote) {
                    cell.escaped = true;
                    scan.pos += 2;
                    continue;
                }
                cell.end = scan.pos;
                scan.pos += 1;
                break;
            }
            if !self.roles.columns.multiline().contains(&self.cells.len()) {
                return Err(Doubt("a line break inside quotes outside a description"));
            }
            scan.pos += line_end(block, scan.pos).unwrap_or(1);
            scan.line += 1;
        }
        match block.get(scan.pos) {
            Some(&byte) if byte != self.delimiter && !matches!(byte, b'\n' | b'\r') => {
                Err(Doubt("text after a closing quote"))
            }
            _ => Ok(cell),
        }
    }

    /// Whether the date cell holds something: a record without one is either
    /// a blank line or an error, both decided by [`Parser::blank`].
    fn readable(&self, block: &[u8]) -> bool {
        self.roles.columns.date.indices.iter().any(|index| {
            let cell = self.cells[*index];
            block[cell.start..cell.end]
                .iter()
                .any(|b| !matches!(b, b' ' | b'\t'))
        })
    }

    /// A one-line record whose every cell is empty once trimmed.
    fn blank(&self, block: &[u8]) -> Result<bool, Doubt> {
        for cell in &self.cells {
            let text = decode(&block[cell.start..cell.end], self.input.dialect.encoding)?;
            if !text.trim_matches(is_cell_space).is_empty() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Reads a well-formed record's cells, adds it to the block's totals
    /// and hands it to the fold.
    fn record<F: Fold>(
        &mut self,
        block: &[u8],
        utf8: Option<&str>,
        at: Position,
        count: &mut Count,
        fold: &mut F,
    ) -> Result<(), Doubt> {
        let (roles, input) = (self.roles, self.input);
        let columns = &roles.columns;
        let dialect = input.dialect;
        let cells = Cells {
            block,
            utf8,
            cells: &self.cells,
            encoding: dialect.encoding,
            quote: dialect.quote,
        };
        let scratch = &mut self.scratch;
        let date = cells.role(&columns.date, &mut scratch.date)?;
        let date = self.dates.read(date, &dialect.date)?;
        let account = cells.role(&columns.account, &mut scratch.account)?;
        let (amount, debit, credit) = amounts(
            &cells,
            &columns.amount,
            dialect,
            &mut scratch.amount,
            &mut scratch.credit,
        )?;
        let reference = match &columns.reference {
            Some(role) => cells.role(role, &mut scratch.reference)?,
            None => "",
        };
        let movement = match &input.layout.movements {
            Some(rule) => movement(rule, roles, &cells, &mut scratch.movement)?,
            None => None,
        };
        let counterparty = match &columns.counterparty {
            Some(role) => cells.role(role, &mut scratch.counterparty)?,
            None => "",
        };
        let overflow = Doubt("overflow");
        count.debits = count.debits.checked_add(debit).ok_or(overflow)?;
        count.credits = count.credits.checked_add(credit).ok_or(overflow)?;
        fold.take(&Record {
            date,
            account,
            amount,
            reference,
            movement,
            counterparty,
            at,
        })
    }
}

/// The movement type, when the format reads one: a value the format does
/// not list is a doubt, but for a journal (most journals are not movements).
#[inline]
fn movement<'b>(
    rule: &MovementRule,
    roles: &Roles<'_>,
    cells: &Cells<'b>,
    scratch: &'b mut String,
) -> Result<Option<Movement>, Doubt> {
    let Some(role) = roles.columns.movement_source(rule) else {
        return Ok(None);
    };
    let text = cells.role(role, scratch)?;
    let found = rule
        .cases
        .iter()
        .find(|(case, _)| case == text)
        .map(|(_, movement)| *movement);
    if found.is_none() && rule.from != MovementFrom::Journal && !text.is_empty() {
        return Err(Doubt("a movement not listed"));
    }
    Ok(found)
}

/// The signed amount of a record, its debit and its credit (both positive).
#[inline]
fn amounts<'b>(
    cells: &Cells<'b>,
    columns: &AmountColumns<'_>,
    dialect: &Dialect,
    amount_scratch: &'b mut String,
    credit_scratch: &'b mut String,
) -> Result<(Millionths, Millionths, Millionths), Doubt> {
    match columns {
        AmountColumns::Signed(role) => {
            let amount = amount_of(cells.role(role, amount_scratch)?, dialect)?;
            Ok((amount, amount.debit(), amount.credit()))
        }
        AmountColumns::DebitCredit { debit, credit } => {
            let debit = side(cells.role(debit, amount_scratch)?, dialect)?;
            let credit = side(cells.role(credit, credit_scratch)?, dialect)?;
            match (debit, credit) {
                (None, None) => Err(Doubt("neither debit nor credit")),
                (Some(debit), Some(credit)) if !debit.is_zero() && !credit.is_zero() => {
                    Err(Doubt("both debit and credit"))
                }
                (debit, credit) => {
                    let (debit, credit) = (debit.unwrap_or_default(), credit.unwrap_or_default());
                    let amount = debit.checked_sub(credit).ok_or(Doubt("overflow"))?;
                    Ok((amount, debit, credit))
                }
            }
        }
    }
}
