//! Streaming, parallel reading of well-formed exports: the fast path.
//!
//! A file is read in blocks of about [`BLOCK`] bytes cut at record
//! boundaries, and the blocks are parsed on every core; memory stays a few
//! blocks per core whatever the file's size. Cells go straight from the
//! block to the fold: amounts are parsed into integer millionths, dates are
//! parsed once per run of equal dates, and nothing is allocated per line.
//!
//! This reader only takes what it can prove well-formed. At the first doubt
//! (an error, or anything unusual it does not handle: a quote left open, a
//! short record, a byte outside the encoding, a code the fold cannot map) it
//! gives up with a [`Doubt`], and the caller reads the data again with the
//! precise reader ([`super::read_export`]), which reports every error at
//! file:line:column. On every file the precise reader accepts, both readers
//! produce the same postings and the same counts; tests compare them.

use super::amount::is_cell_space;
use super::{Amounts, ColumnRef, Dialect, Encoding, Layout, Movement, MovementFrom, ReadSummary};
use crate::digest::Sha256Stream;
use crate::limits::Limits;
use crate::money::Amount;
use chrono::NaiveDate;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The size of a block: large enough that the per-block work (a lock, a
/// read call) is noise, small enough that a few per core stay in cache.
pub const BLOCK: usize = 1 << 20;

/// Amounts are carried as integer millionths of a dollar: every amount a
/// cell may hold (at most six decimals) is exact at this scale.
pub const SCALE: u32 = 6;

/// Why the fast path gave up; the precise reader then reads the data again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Doubt(pub &'static str);

/// Where a record starts: the file (its index in the caller's list), the
/// block, and the physical line within the block (0-based). Positions
/// order like the file; [`Streamed::line`] turns one into a line number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub file: u32,
    pub block: u32,
    pub line: u32,
}

/// One well-formed record, as the fold sees it. Text cells are trimmed.
#[derive(Debug)]
pub struct Record<'r> {
    pub date: NaiveDate,
    pub account: &'r str,
    /// Debit positive, in millionths ([`SCALE`]).
    pub amount: i128,
    pub reference: &'r str,
    pub movement: Option<Movement>,
    /// The other centre's code, for an inter-entity posting; else empty.
    pub counterparty: &'r str,
    pub at: Position,
}

/// What a core does with the records of the blocks it parses. Each core has
/// its own fold; the caller merges them once reading is over.
pub trait Fold: Send {
    fn take(&mut self, record: &Record<'_>) -> Result<(), Doubt>;
}

/// One file to stream.
pub struct Input<'a> {
    pub path: &'a Path,
    /// The file's index, carried in every [`Position`].
    pub index: u32,
    pub dialect: &'a Dialect,
    pub layout: &'a Layout,
    pub limits: &'a Limits,
    /// Compute the file's SHA-256 while reading it.
    pub hash: bool,
    /// Bytes read so far, for a progress display.
    pub progress: Option<&'a AtomicU64>,
    /// The block size; [`BLOCK`] but in tests, which cut small files into
    /// many blocks.
    pub block: usize,
}

/// What streaming a file found, besides what the folds took.
#[derive(Debug)]
pub struct Streamed {
    pub summary: ReadSummary,
    pub bytes: u64,
    pub sha256: Option<String>,
    /// Physical lines before each block, to turn positions into line numbers.
    block_starts: Vec<u64>,
}

impl Streamed {
    /// The 1-based line number of a position in this file. Line 1 is the
    /// header; block 0 starts on line 2.
    pub fn line(&self, at: Position) -> usize {
        let before = self
            .block_starts
            .get(at.block as usize)
            .copied()
            .unwrap_or(0);
        (2 + before + u64::from(at.line)) as usize
    }
}

/// Streams one file through the folds, one fold per core (at least one).
pub fn stream<F: Fold>(input: &Input<'_>, folds: &mut [F]) -> Result<Streamed, Doubt> {
    if input.dialect.validate().is_err() {
        return Err(Doubt("the dialect is not readable"));
    }
    let mut file = std::fs::File::open(input.path).map_err(|_| Doubt("cannot open"))?;
    let size = file.metadata().map_err(|_| Doubt("cannot stat"))?.len();
    if size > input.limits.ledger_file_bytes {
        return Err(Doubt("file above the size limit"));
    }
    let mut hasher = input.hash.then(Sha256Stream::default);
    let block = input.block.max(1);
    // The header is read first, in as many blocks as it takes.
    let mut first = Vec::with_capacity(block);
    let mut eof = false;
    while !eof && memchr::memchr2(b'\n', b'\r', &first).is_none() {
        if first.len() > input.limits.line_bytes {
            return Err(Doubt("no header line within the line limit"));
        }
        let want = first.len() + block;
        eof = fill(&mut file, &mut first, want, hasher.as_mut())?;
    }
    if !eof && first.last() == Some(&b'\r') {
        // The `\n` of a `\r\n` after the header belongs with it.
        let want = first.len() + 1;
        eof = fill(&mut file, &mut first, want, hasher.as_mut())?;
    }
    let header = Header::read(&first, input)?;
    let roles = Roles::resolve(&header.names, input.layout)?;
    let cursor = Mutex::new(Cursor {
        file,
        tail: first[header.end..].to_vec(),
        eof,
        next_block: 0,
        hasher,
        read: first.len() as u64,
        quote: input.dialect.quote,
        line_bytes: input.limits.line_bytes,
        block,
    });
    drop(first);
    if let Some(progress) = input.progress {
        progress.fetch_add(header.end as u64, Ordering::Relaxed);
    }
    let context = Context {
        input,
        roles: &roles,
        stop: AtomicBool::new(false),
    };
    let results: Vec<Result<Vec<(u32, Count)>, Doubt>> = std::thread::scope(|scope| {
        let (own, others) = folds.split_first_mut().ok_or(Doubt("no fold"))?;
        let handles: Vec<_> = others
            .iter_mut()
            .map(|fold| scope.spawn(|| work(&context, &cursor, fold)))
            .collect();
        let mut results = vec![work(&context, &cursor, own)];
        for handle in handles {
            results.push(
                handle
                    .join()
                    .unwrap_or(Err(Doubt("a reading thread failed"))),
            );
        }
        Ok::<_, Doubt>(results)
    })?;
    let mut counts = Vec::new();
    for result in results {
        counts.extend(result?);
    }
    counts.sort_by_key(|(block, _)| *block);
    let cursor = cursor
        .into_inner()
        .map_err(|_| Doubt("a reading thread failed"))?;
    finish(cursor, header.lines, &counts)
}

/// Totals every block's counts into the file's summary.
fn finish(cursor: Cursor, header_lines: usize, counts: &[(u32, Count)]) -> Result<Streamed, Doubt> {
    let overflow = Doubt("control totals overflow");
    let mut summary = ReadSummary {
        header_lines,
        physical_lines: header_lines,
        ..ReadSummary::default()
    };
    let (mut debits, mut credits) = (0i128, 0i128);
    for (_, count) in counts {
        summary.physical_lines += count.lines as usize;
        summary.blank_lines += count.blank as usize;
        summary.records += count.records as usize;
        debits = debits.checked_add(count.debits).ok_or(overflow)?;
        credits = credits.checked_add(count.credits).ok_or(overflow)?;
    }
    summary.debit_total = Amount::from_scaled(debits, SCALE).ok_or(overflow)?;
    summary.credit_total = Amount::from_scaled(credits, SCALE).ok_or(overflow)?;
    Ok(Streamed {
        summary,
        bytes: cursor.read,
        sha256: cursor.hasher.map(Sha256Stream::finish),
        block_starts: counts
            .iter()
            .scan(0, |before, (_, count)| {
                let start = *before;
                *before += count.lines;
                Some(start)
            })
            .collect(),
    })
}

/// Reads from `file` into `buffer` until it holds `want` bytes or the file
/// ends; hashes what it reads. Returns whether the file ended.
fn fill(
    file: &mut std::fs::File,
    buffer: &mut Vec<u8>,
    want: usize,
    hasher: Option<&mut Sha256Stream>,
) -> Result<bool, Doubt> {
    let before = buffer.len();
    let missing = want.saturating_sub(before);
    // Read into the buffer's room directly, in as few calls as the kernel
    // allows (a file in the page cache fills it in one).
    buffer.resize(before + missing, 0);
    let mut filled = before;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(Doubt("read error")),
        }
    }
    buffer.truncate(filled);
    if let Some(hasher) = hasher {
        hasher.update(&buffer[before..]);
    }
    Ok(filled - before < missing)
}

// ------------------------------------------------------------------ blocks

/// The shared reading position: one core at a time takes the next block.
struct Cursor {
    file: std::fs::File,
    /// The bytes read past the last block's end: the start of the next one.
    tail: Vec<u8>,
    eof: bool,
    next_block: u32,
    hasher: Option<Sha256Stream>,
    read: u64,
    quote: u8,
    line_bytes: usize,
    block: usize,
}

impl Cursor {
    /// Fills `block` with the next whole records; `None` at the end.
    fn next(&mut self, block: &mut Vec<u8>) -> Result<Option<u32>, Doubt> {
        block.clear();
        block.append(&mut self.tail);
        // A record longer than a block grows the block, up to the line limit.
        let most = self.block.saturating_add(self.line_bytes.saturating_mul(2));
        let mut want = self.block;
        loop {
            if !self.eof {
                let before = block.len();
                self.eof = fill(&mut self.file, block, want, self.hasher.as_mut())?;
                self.read += (block.len() - before) as u64;
            }
            if self.eof {
                break;
            }
            if let Some(end) = record_boundary(block, self.quote) {
                self.tail.extend_from_slice(&block[end..]);
                block.truncate(end);
                break;
            }
            if block.len() >= most {
                return Err(Doubt("no record boundary within the line limit"));
            }
            want = block.len() + self.block;
        }
        if block.is_empty() {
            return Ok(None);
        }
        let index = self.next_block;
        self.next_block += 1;
        Ok(Some(index))
    }
}

/// The end of the last complete line of `block` that lies outside quotes,
/// assuming the block starts outside quotes: a cut there falls between two
/// records. Quotes are counted by parity, which a stray quote inside an
/// unquoted cell can mislead; the parser then finds the block ending inside
/// a quote and doubts, so a wrong cut is never taken for a right one.
fn record_boundary(block: &[u8], quote: u8) -> Option<usize> {
    let mut quotes_after = 0usize;
    let total = memchr::memchr_iter(quote, block).count();
    let mut end = block.len();
    while let Some(newline) = memchr::memrchr2(b'\n', quote, &block[..end]) {
        if block[newline] == quote {
            quotes_after += 1;
        } else if (total - quotes_after).is_multiple_of(2) {
            return Some(newline + 1);
        }
        end = newline;
    }
    None
}

/// Counts of one block.
#[derive(Debug, Default, Clone, Copy)]
struct Count {
    /// Physical lines: terminators, plus a last line without one.
    lines: u64,
    blank: u64,
    records: u64,
    debits: i128,
    credits: i128,
}

struct Context<'a> {
    input: &'a Input<'a>,
    roles: &'a Roles,
    /// Set by the first core that doubts: the others stop early.
    stop: AtomicBool,
}

/// One core's loop: take a block, parse it, until the file ends.
fn work<F: Fold>(
    context: &Context<'_>,
    cursor: &Mutex<Cursor>,
    fold: &mut F,
) -> Result<Vec<(u32, Count)>, Doubt> {
    let mut block = Vec::with_capacity(context.input.block.saturating_mul(2).min(BLOCK * 4));
    let mut parser = Parser::new(context.input, context.roles);
    let mut counts = Vec::new();
    loop {
        if context.stop.load(Ordering::Relaxed) {
            return Err(Doubt("another core doubted"));
        }
        let next = {
            let mut cursor = cursor
                .lock()
                .map_err(|_| Doubt("a reading thread failed"))?;
            cursor.next(&mut block)
        };
        let index = match next {
            Ok(Some(index)) => index,
            Ok(None) => return Ok(counts),
            Err(doubt) => {
                context.stop.store(true, Ordering::Relaxed);
                return Err(doubt);
            }
        };
        match parser.block(&block, index, fold) {
            Ok(count) => counts.push((index, count)),
            Err(doubt) => {
                context.stop.store(true, Ordering::Relaxed);
                return Err(doubt);
            }
        }
        if let Some(progress) = context.input.progress {
            progress.fetch_add(block.len() as u64, Ordering::Relaxed);
        }
    }
}

// ------------------------------------------------------------------ header

struct Header {
    /// Trimmed names.
    names: Vec<String>,
    /// The byte after the header's terminator.
    end: usize,
    lines: usize,
}

impl Header {
    fn read(first: &[u8], input: &Input<'_>) -> Result<Header, Doubt> {
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
        let mut names = Vec::new();
        let (delimiter, quote) = (input.dialect.delimiter, input.dialect.quote);
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
        Ok(Header {
            names,
            end,
            lines: 1,
        })
    }
}

/// Bytes of a cell as text in the encoding. Every caller has checked the
/// bytes already, with the whole block ([`check_text`]).
fn decode(bytes: &[u8], encoding: Encoding) -> Result<std::borrow::Cow<'_, str>, Doubt> {
    if bytes.is_ascii() {
        return std::str::from_utf8(bytes)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|_| Doubt("not text"));
    }
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|_| Doubt("not UTF-8")),
        Encoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0),
    }
}

/// The header indices of each role.
struct Roles {
    columns: usize,
    date: Vec<usize>,
    account: Vec<usize>,
    amount: AmountRoles,
    reference: Option<Vec<usize>>,
    /// The cells that give the movement type, when the format reads one.
    movement: Option<Vec<usize>>,
    counterparty: Option<Vec<usize>>,
    /// Only these cells may span lines.
    description: Vec<usize>,
    joined: Joined,
}

enum AmountRoles {
    Signed(Vec<usize>),
    DebitCredit {
        debit: Vec<usize>,
        credit: Vec<usize>,
    },
}

/// The separators of joined roles.
struct Joined {
    date: String,
    account: String,
    amount: String,
    debit: String,
    credit: String,
    reference: String,
    movement: String,
    counterparty: String,
}

impl Roles {
    fn resolve(names: &[String], layout: &Layout) -> Result<Roles, Doubt> {
        let find = |column: &ColumnRef| -> Result<Vec<usize>, Doubt> {
            column
                .headers
                .iter()
                .map(|wanted| {
                    let wanted = wanted.trim_matches(is_cell_space);
                    let mut found = names.iter().enumerate().filter(|(_, n)| *n == wanted);
                    match (found.next(), found.next()) {
                        (Some((index, _)), None) => Ok(index),
                        _ => Err(Doubt("a column is missing or repeated")),
                    }
                })
                .collect()
        };
        let optional = |column: &Option<ColumnRef>| column.as_ref().map(find).transpose();
        let date = find(&layout.date)?;
        let account = find(&layout.account)?;
        let (amount, amount_join, debit_join, credit_join) = match &layout.amounts {
            Amounts::Signed(column) => (
                AmountRoles::Signed(find(column)?),
                column.joined.clone(),
                String::new(),
                String::new(),
            ),
            Amounts::DebitCredit { debit, credit } => (
                AmountRoles::DebitCredit {
                    debit: find(debit)?,
                    credit: find(credit)?,
                },
                String::new(),
                debit.joined.clone(),
                credit.joined.clone(),
            ),
        };
        let journal = optional(&layout.journal)?;
        let reference = optional(&layout.reference)?;
        let description = optional(&layout.description)?.unwrap_or_default();
        let movement_column = optional(&layout.movement)?;
        let counterparty = optional(&layout.counterparty)?;
        let (movement, movement_join) = match layout.movements.as_ref().map(|rule| rule.from) {
            Some(MovementFrom::Journal) => (journal, &layout.journal),
            Some(MovementFrom::MovementColumn) => (movement_column, &layout.movement),
            None => (None, &None),
        };
        let joined = |column: &Option<ColumnRef>| {
            column
                .as_ref()
                .map(|c| c.joined.clone())
                .unwrap_or_default()
        };
        Ok(Roles {
            columns: names.len(),
            date,
            account,
            amount,
            reference,
            movement,
            counterparty,
            description,
            joined: Joined {
                date: layout.date.joined.clone(),
                account: layout.account.joined.clone(),
                amount: amount_join,
                debit: debit_join,
                credit: credit_join,
                reference: joined(&layout.reference),
                movement: joined(movement_join),
                counterparty: joined(&layout.counterparty),
            },
        })
    }
}

// ------------------------------------------------------------------ records

/// Where a cell lies in its block.
#[derive(Clone, Copy, Debug, Default)]
struct CellAt {
    start: usize,
    end: usize,
    /// The cell was quoted (`start..end` is then inside the quotes).
    quoted: bool,
    /// A doubled quote inside the quotes stands for one quote.
    escaped: bool,
}

/// Reusable buffers: the per-line work allocates nothing.
struct Parser<'a> {
    input: &'a Input<'a>,
    roles: &'a Roles,
    cells: Vec<CellAt>,
    scratch: Scratch,
    dates: DateCache,
    /// The bytes that end an unquoted cell.
    stops: [bool; 256],
}

/// Where a role's text is built when it is not one plain cell of the block.
#[derive(Default)]
struct Scratch {
    date: String,
    account: String,
    amount: String,
    credit: String,
    reference: String,
    movement: String,
    counterparty: String,
}

/// The last date cell read and its value: dates come in runs.
#[derive(Default)]
struct DateCache {
    text: String,
    value: Option<NaiveDate>,
}

impl DateCache {
    fn read(&mut self, text: &str, format: &super::DateFormat) -> Result<NaiveDate, Doubt> {
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
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Differences or'ed together, not an early exit: a loop that stops at
    // the first difference is turned back into the library call.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A block and the cells of its current record.
struct Cells<'b> {
    block: &'b [u8],
    /// The block as text, when the export is UTF-8 (checked once per block).
    utf8: Option<&'b str>,
    cells: &'b [CellAt],
    encoding: Encoding,
    quote: u8,
}

impl<'b> Cells<'b> {
    /// The text of a role: its cells, each unquoted and trimmed, joined.
    /// Borrowed from the block when the role is one plain cell, which is
    /// nearly always; built in `scratch` otherwise.
    fn role(
        &self,
        indices: &[usize],
        separator: &str,
        scratch: &'b mut String,
    ) -> Result<&'b str, Doubt> {
        if let [index] = indices
            && let Some(cell) = self.cells.get(*index)
            && !cell.escaped
        {
            let bytes = &self.block[cell.start..cell.end];
            let text = match self.utf8 {
                Some(text) => text.get(cell.start..cell.end).ok_or(Doubt("not text"))?,
                None if bytes.is_ascii() => {
                    std::str::from_utf8(bytes).map_err(|_| Doubt("not text"))?
                }
                None => return self.build(indices, separator, scratch),
            };
            return Ok(trim(text));
        }
        self.build(indices, separator, scratch)
    }

    fn build(
        &self,
        indices: &[usize],
        separator: &str,
        scratch: &'b mut String,
    ) -> Result<&'b str, Doubt> {
        scratch.clear();
        for (n, index) in indices.iter().enumerate() {
            if n > 0 {
                scratch.push_str(separator);
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

impl<'a> Parser<'a> {
    fn new(input: &'a Input<'a>, roles: &'a Roles) -> Parser<'a> {
        let mut stops = [false; 256];
        for byte in [input.dialect.delimiter, b'\n', b'\r'] {
            stops[usize::from(byte)] = true;
        }
        Parser {
            input,
            roles,
            cells: Vec::with_capacity(roles.columns + 1),
            scratch: Scratch::default(),
            dates: DateCache::default(),
            stops,
        }
    }

    fn block<F: Fold>(&mut self, block: &[u8], index: u32, fold: &mut F) -> Result<Count, Doubt> {
        let utf8 = check_text(block, self.input.dialect.encoding)?;
        let dialect = self.input.dialect;
        let (delimiter, quote) = (dialect.delimiter, dialect.quote);
        let mut count = Count::default();
        let mut line = 0u32;
        let mut pos = 0;
        let n = block.len();
        while pos < n {
            // Terminators where a record would start are blank lines.
            match block[pos] {
                b'\n' => {
                    pos += 1;
                    line += 1;
                    count.blank += 1;
                    continue;
                }
                b'\r' => {
                    pos += if block.get(pos + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    line += 1;
                    count.blank += 1;
                    continue;
                }
                _ => {}
            }
            let start = pos;
            let first_line = line;
            self.cells.clear();
            let terminated = loop {
                if self.cells.len() > self.roles.columns {
                    return Err(Doubt("too many fields"));
                }
                let mut cell = CellAt {
                    start: pos,
                    ..CellAt::default()
                };
                if block.get(pos) == Some(&quote) {
                    cell.quoted = true;
                    pos += 1;
                    cell.start = pos;
                    loop {
                        let Some(offset) = memchr::memchr3(quote, b'\n', b'\r', &block[pos..])
                        else {
                            return Err(Doubt("a quote is not closed"));
                        };
                        pos += offset;
                        if block[pos] == quote {
                            if block.get(pos + 1) == Some(&quote) {
                                cell.escaped = true;
                                pos += 2;
                                continue;
                            }
                            cell.end = pos;
                            pos += 1;
                            break;
                        }
                        if !self.roles.description.contains(&self.cells.len()) {
                            return Err(Doubt("a line break inside quotes outside a description"));
                        }
                        pos += if block[pos] == b'\r' && block.get(pos + 1) == Some(&b'\n') {
                            2
                        } else {
                            1
                        };
                        line += 1;
                    }
                    match block.get(pos) {
                        None => {}
                        Some(&b) if b == delimiter || b == b'\n' || b == b'\r' => {}
                        Some(_) => return Err(Doubt("text after a closing quote")),
                    }
                } else {
                    while pos < n && !self.stops[usize::from(block[pos])] {
                        pos += 1;
                    }
                    cell.end = pos;
                }
                self.cells.push(cell);
                match block.get(pos) {
                    Some(&b) if b == delimiter => pos += 1,
                    Some(b'\r') => {
                        pos += if block.get(pos + 1) == Some(&b'\n') {
                            2
                        } else {
                            1
                        };
                        break true;
                    }
                    Some(_) => {
                        pos += 1;
                        break true;
                    }
                    None => break false,
                }
            };
            if pos - start > self.input.limits.line_bytes {
                return Err(Doubt("a long record"));
            }
            let single_line = line == first_line;
            line += u32::from(terminated);
            if self.cells.len() != self.roles.columns || !self.readable(block) {
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
                line: first_line,
            };
            self.record(block, utf8, at, &mut count, fold)?;
        }
        count.lines = u64::from(line) + u64::from(n > 0 && !matches!(block[n - 1], b'\n' | b'\r'));
        Ok(count)
    }

    /// Whether the date cell holds something: a record without one is either
    /// a blank line or an error, both decided by [`Parser::blank`].
    fn readable(&self, block: &[u8]) -> bool {
        self.roles.date.iter().any(|index| {
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

    fn record<F: Fold>(
        &mut self,
        block: &[u8],
        utf8: Option<&str>,
        at: Position,
        count: &mut Count,
        fold: &mut F,
    ) -> Result<(), Doubt> {
        let roles = self.roles;
        let dialect = self.input.dialect;
        let cells = Cells {
            block,
            utf8,
            cells: &self.cells,
            encoding: dialect.encoding,
            quote: dialect.quote,
        };
        let scratch = &mut self.scratch;
        let date = cells.role(&roles.date, &roles.joined.date, &mut scratch.date)?;
        let date = self.dates.read(date, &dialect.date)?;
        let account = cells.role(&roles.account, &roles.joined.account, &mut scratch.account)?;
        let (amount, debit, credit) = match &roles.amount {
            AmountRoles::Signed(indices) => {
                let text = cells.role(indices, &roles.joined.amount, &mut scratch.amount)?;
                let amount = amount_of(text, dialect)?;
                (amount, amount.max(0), (-amount).max(0))
            }
            AmountRoles::DebitCredit { debit, credit } => {
                let debit = cells.role(debit, &roles.joined.debit, &mut scratch.amount)?;
                let credit = cells.role(credit, &roles.joined.credit, &mut scratch.credit)?;
                match (side(debit, dialect)?, side(credit, dialect)?) {
                    (None, None) => return Err(Doubt("neither debit nor credit")),
                    (Some(d), Some(c)) if d != 0 && c != 0 => {
                        return Err(Doubt("both debit and credit"));
                    }
                    (d, c) => {
                        let (d, c) = (d.unwrap_or(0), c.unwrap_or(0));
                        (d - c, d, c)
                    }
                }
            }
        };
        let reference = match &roles.reference {
            Some(indices) => {
                cells.role(indices, &roles.joined.reference, &mut scratch.reference)?
            }
            None => "",
        };
        let movement = match (&roles.movement, &self.input.layout.movements) {
            (Some(indices), Some(rule)) => {
                let text = cells.role(indices, &roles.joined.movement, &mut scratch.movement)?;
                let found = rule
                    .cases
                    .iter()
                    .find(|(case, _)| case == text)
                    .map(|(_, movement)| *movement);
                if found.is_none() && rule.from != MovementFrom::Journal && !text.is_empty() {
                    return Err(Doubt("a movement not listed"));
                }
                found
            }
            _ => None,
        };
        let counterparty = match &roles.counterparty {
            Some(indices) => cells.role(
                indices,
                &roles.joined.counterparty,
                &mut scratch.counterparty,
            )?,
            None => "",
        };
        count.debits = count.debits.checked_add(debit).ok_or(Doubt("overflow"))?;
        count.credits = count.credits.checked_add(credit).ok_or(Doubt("overflow"))?;
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

/// An amount cell in millionths: the common shape directly, anything else
/// through the full grammar.
fn amount_of(text: &str, dialect: &Dialect) -> Result<i128, Doubt> {
    let mark = match dialect.decimal {
        super::DecimalMark::Point => b'.',
        super::DecimalMark::Comma => b',',
    };
    if let Some(value) = simple_amount(text.as_bytes(), mark) {
        return Ok(value);
    }
    let amount = super::parse_amount(text, dialect).map_err(|_| Doubt("not an amount"))?;
    amount.scaled(SCALE).ok_or(Doubt("not an amount"))
}

/// A debit or credit cell: `None` when empty; never negative.
fn side(text: &str, dialect: &Dialect) -> Result<Option<i128>, Doubt> {
    if text.is_empty() {
        return Ok(None);
    }
    let value = amount_of(text, dialect)?;
    if value < 0 {
        return Err(Doubt("a negative debit or credit"));
    }
    Ok(Some(value))
}

/// `-?digits(mark digits)?` with at most 18 digits and six decimals, in
/// millionths; `None` for anything else, which the full grammar then reads.
fn simple_amount(text: &[u8], mark: u8) -> Option<i128> {
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
    if decimals > SCALE || digits[0] == mark || digits[digits.len() - 1] == mark {
        return None;
    }
    let value = i128::from(value) * 10i128.pow(SCALE - decimals);
    Some(if negative { -value } else { value })
}

/// Refuses a block the precise decoder would refuse: a NUL byte, invalid
/// UTF-8 or a C1 control in UTF-8, an undefined byte or UTF-8 look-alikes
/// in windows-1252.
/// Returns the block as text when the export is UTF-8.
fn check_text(block: &[u8], encoding: Encoding) -> Result<Option<&str>, Doubt> {
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
        if super::decode::CP1252_UNDEFINED.contains(b) {
            return Err(Doubt("a byte undefined in windows-1252"));
        }
        if matches!(b, 0xC2 | 0xC3) && matches!(bytes.get(i + 1), Some(0x80..=0xBF)) {
            return Err(Doubt("UTF-8 in a windows-1252 file"));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "tests/stream.rs"]
mod tests;
