//! Streaming, parallel reading of well-formed exports: the fast path.
//!
//! A file is read from any byte source in blocks of about [`BLOCK`] bytes
//! cut at record boundaries (`blocks`), and the blocks are parsed on every
//! core (`record`); memory stays a few blocks per core whatever the
//! file's size. Cells go straight from the block to the fold (`cells`):
//! amounts are parsed into integer [`Millionths`], dates are parsed once per
//! run of equal dates, and nothing is allocated per line. The header's
//! columns are resolved as the precise reader resolves them
//! (`super::header`).
//!
//! This reader only takes what it can prove well-formed. At the first doubt
//! (an error, or anything unusual it does not handle: a quote left open, a
//! short record, a byte outside the encoding, a code the fold cannot map) it
//! gives up with a [`Doubt`], and the caller reads the data again with the
//! precise reader ([`super::read_export`]), which reports every error at
//! file:line:column. On every file the precise reader accepts, both readers
//! produce the same postings and the same counts; tests compare them.

mod blocks;
mod cells;
mod header;
mod record;
mod text;

pub use cells::same_text;

use super::{Dialect, Layout, Movement, ReadSummary};
use crate::limits::Limits;
use crate::money::Millionths;
use blocks::{ByteSource, Count, Cursor};
use chrono::NaiveDate;
use header::{Header, Roles};
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The size of a block: large enough that the per-block work (a lock, a
/// read call) is noise, small enough that a few per core stay in cache.
pub const BLOCK: usize = 1 << 20;

/// The cores to read with: those available, eight at most.
pub fn cores() -> usize {
    let asked = std::env::var("REDDITION_THREADS")
        .ok()
        .and_then(|value| value.parse::<usize>().ok())
        .filter(|n| (1..=64).contains(n));
    asked.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
}

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
    /// Debit positive.
    pub amount: Millionths,
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

/// How to stream one file; the caller opens it.
pub struct Input<'a> {
    /// The file's index, carried in every [`Position`].
    pub index: u32,
    pub dialect: &'a Dialect,
    pub layout: &'a Layout,
    /// The file is refused past `ledger_file_bytes`, a line past `line_bytes`.
    pub limits: &'a Limits,
    /// Compute the file's SHA-256 while reading it.
    pub hash: bool,
    /// Bytes read so far, for a progress display.
    pub progress: Option<&'a AtomicU64>,
    /// Whether the run was asked to stop: checked before each block.
    pub cancelled: Option<fn() -> bool>,
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

/// Streams the bytes of one file from `source` through the folds, one fold
/// per core (at least one).
pub fn stream<F: Fold, R: Read + Send>(
    input: &Input<'_>,
    source: R,
    folds: &mut [F],
) -> Result<Streamed, Doubt> {
    if input.dialect.validate().is_err() {
        return Err(Doubt("the dialect is not readable"));
    }
    let mut source = ByteSource::new(source, input);
    let first = blocks::first_line(&mut source, input)?;
    let header = Header::read(&first, input)?;
    let roles = Roles::resolve(&header.names, input.layout)?;
    let cursor = Mutex::new(Cursor::new(source, first[header.end..].to_vec(), input));
    drop(first);
    if let Some(progress) = input.progress {
        progress.fetch_add(header.end as u64, Ordering::Relaxed);
    }
    let counts = blocks::read_on_every_core(input, &roles, &cursor, folds)?;
    let cursor = cursor
        .into_inner()
        .map_err(|_| Doubt("a reading thread failed"))?;
    finish(cursor.source, header.lines, &counts)
}

/// Totals every block's counts into the file's summary.
fn finish<R>(
    source: ByteSource<R>,
    header_lines: usize,
    counts: &[(u32, Count)],
) -> Result<Streamed, Doubt> {
    let overflow = Doubt("control totals overflow");
    let mut summary = ReadSummary {
        header_lines,
        physical_lines: header_lines,
        ..ReadSummary::default()
    };
    let (mut debits, mut credits) = (Millionths::ZERO, Millionths::ZERO);
    for (_, count) in counts {
        summary.physical_lines += count.lines as usize;
        summary.blank_lines += count.blank as usize;
        summary.records += count.records as usize;
        debits = debits.checked_add(count.debits).ok_or(overflow)?;
        credits = credits.checked_add(count.credits).ok_or(overflow)?;
    }
    summary.debit_total = debits.to_amount().ok_or(overflow)?;
    summary.credit_total = credits.to_amount().ok_or(overflow)?;
    Ok(Streamed {
        summary,
        bytes: source.read,
        sha256: source.sha256(),
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

#[cfg(test)]
#[path = "tests/stream.rs"]
mod tests;
