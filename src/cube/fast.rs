//! The fast path of the cube: an entity's exports streamed on every core,
//! each core summing into its own tally, the tallies merged once at the end
//! ([`merge`]).
//!
//! It builds exactly the [`EntityCube`] the precise path builds, or gives up
//! ([`Doubt`]) at the first thing that would be an error or a diagnostic:
//! a date outside the years built, a code no rule maps, an unbalanced
//! journal entry ([`entries`]), an overflow. The precise path then reads the
//! entity again and reports every error; tests check that both paths agree.

mod entries;
mod merge;

use super::period::{self, Misplaced};
use super::{Cell, EntityCube, Period};
use crate::ingest::Movement;
pub(super) use crate::ingest::stream::Doubt;
use crate::ingest::stream::{self, Fold, Input, Position, Record, Streamed};
use crate::mapping::{Crosswalk, Mapped};
use crate::model::{EntityDef, Program, SourceDef, SourceRole};
use crate::money::Millionths;
use crate::project::Project;
use entries::Entries;
use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

/// How a build reads its ledgers.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadOptions<'a> {
    /// Compute every file's SHA-256 (for the run manifest). Without it, only
    /// files whose size matches another file of the entity are hashed, to
    /// find an export declared twice.
    pub hash: bool,
    /// Read with the precise reader only (tests compare both paths).
    pub precise: bool,
    /// Where to count the bytes read, for a progress display.
    pub progress: Option<&'a Progress>,
    /// The size of the blocks read on each core; 0 for the default. Tests
    /// set it small, to cut small files into many blocks.
    pub block_bytes: usize,
    /// Whether the run was asked to stop (Ctrl-C): checked between blocks
    /// and between entities; reading then fails with an "interrupted" error.
    pub cancelled: Option<fn() -> bool>,
}

impl ReadOptions<'_> {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.is_some_and(|cancelled| cancelled())
    }
}

/// The error of a read stopped by [`ReadOptions::cancelled`].
pub fn interrupted() -> crate::diagnostic::Diagnostic {
    crate::diagnostic::Diagnostic::error(
        crate::diagnostic::Code::Io,
        "interrupted while reading the ledgers",
    )
}

/// Bytes of ledgers to read and read so far, shared with a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: AtomicU64,
    pub done: AtomicU64,
}

/// The size of every ledger the program reads (unreadable ones count zero).
pub(super) fn ledger_bytes(program: &Program, project: &Project) -> u64 {
    program
        .entities
        .iter()
        .flat_map(|entity| &entity.sources)
        .flat_map(|source| project.expand(&source.path).unwrap_or_default())
        .filter_map(|path| project.ledger_path(&path).ok())
        .filter_map(|full| std::fs::metadata(full).ok())
        .map(|metadata| metadata.len())
        .sum()
}

/// One export of the entity, and the source that declares it.
struct Export<'p> {
    /// As the project names it.
    path: String,
    full: PathBuf,
    size: u64,
    source: &'p SourceDef,
}

/// Reads an entity on the fast path.
pub(super) fn read_entity(
    program: &Program,
    entity: &EntityDef,
    project: &Project,
    years: &[i32],
    options: &ReadOptions<'_>,
) -> Result<EntityCube, Doubt> {
    if years.is_empty() || years.len() > 64 {
        return Err(Doubt("too many years"));
    }
    let own = program
        .entities
        .iter()
        .position(|e| e.name == entity.name)
        .ok_or(Doubt("an entity outside the program"))?;
    let exports = exports(entity, project)?;
    let local_limit = project.limits.local_codes;
    let mut tallies: Vec<Tally> = (0..stream::cores())
        .map(|_| Tally::new(program, own, years, local_limit))
        .collect();
    let ledgers = exports
        .iter()
        .filter(|e| e.source.role == SourceRole::Ledger);
    if ledgers.count() > 1 {
        for tally in &mut tallies {
            tally.entries.track_files();
        }
    }
    let mut read: Vec<Streamed> = Vec::new();
    for (index, export) in exports.iter().enumerate() {
        let shared_size = exports.iter().filter(|e| e.size == export.size).count() > 1;
        for tally in &mut tallies {
            tally.start_file(export.source, index as u32)?;
        }
        let input = Input {
            index: index as u32,
            dialect: &program.formats[export.source.format].dialect,
            layout: &program.formats[export.source.format].layout,
            limits: &project.limits,
            hash: options.hash || shared_size,
            progress: options.progress.map(|p| &p.done),
            cancelled: options.cancelled,
            block: match options.block_bytes {
                0 => stream::BLOCK,
                n => n,
            },
        };
        let file = std::fs::File::open(&export.full).map_err(|_| Doubt("cannot open"))?;
        let streamed = stream::stream(&input, file, &mut tallies)?;
        if streamed.summary.records == 0 {
            return Err(Doubt("a file without postings"));
        }
        if let Some(hash) = &streamed.sha256
            && read.iter().any(|other| other.sha256.as_ref() == Some(hash))
        {
            return Err(Doubt("a file read twice"));
        }
        // Another file with as many postings and the same totals is likely
        // the same postings in other bytes: the precise reader compares them.
        let same_totals = |other: &Streamed| {
            let (a, b) = (&other.summary, &streamed.summary);
            (a.records, a.debit_total, a.credit_total) == (b.records, b.debit_total, b.credit_total)
        };
        if read.iter().any(same_totals) {
            return Err(Doubt("two files with the same totals"));
        }
        read.push(streamed);
    }
    merge::merge(tallies, &exports, &read, years, local_limit)
}

/// Every export of every source of the entity, in the order declared.
fn exports<'p>(entity: &'p EntityDef, project: &Project) -> Result<Vec<Export<'p>>, Doubt> {
    let mut exports = Vec::new();
    for source in &entity.sources {
        let paths = project
            .expand(&source.path)
            .map_err(|_| Doubt("a source cannot be listed"))?;
        if paths.is_empty() {
            return Err(Doubt("an empty source folder"));
        }
        for path in paths {
            let full = project
                .ledger_path(&path)
                .map_err(|_| Doubt("a source cannot be read"))?;
            let size = std::fs::metadata(&full)
                .map_err(|_| Doubt("cannot stat"))?
                .len();
            exports.push(Export {
                path,
                full,
                size,
                source,
            });
        }
    }
    Ok(exports)
}

/// One core's sums for one entity.
struct Tally<'p> {
    crosswalk: &'p Crosswalk,
    /// Every entity, to find counterparties by code; and this one's index.
    entities: &'p [EntityDef],
    own: usize,
    years: &'p [i32],
    local_limit: usize,
    /// The role of the file being read.
    role: SourceRole,
    /// The file being read holds year-end adjustments (period 13).
    adjustments: bool,
    /// The last date seen and its year index and period: dates come in
    /// runs. Reset at each file, whose role changes how a date is placed
    /// and whose years are marked when a date is first seen.
    last_date: Option<(chrono::NaiveDate, (usize, Period))>,
    /// Codes of at most 15 bytes, packed ([`packed`]): no string to hash
    /// or compare on each line.
    short_codes: FxHashMap<u128, u32>,
    codes: FxHashMap<Box<str>, u32>,
    seen: Vec<Seen>,
    /// (sum, lines) of postings without a movement type or counterparty:
    /// [`PERIODS`] slots a year for each code in turn, in one flat table so
    /// that a line touches one place of memory. Sums in millionths fit an
    /// `i64` up to 9 trillion dollars; beyond, the fast path doubts.
    sums: Vec<(i64, u32)>,
    /// Postings with a movement type or a counterparty, rare: their slot
    /// packed by [`key`] → (sum, lines). The others are in `sums`.
    moved: FxHashMap<u64, (Millionths, u64)>,
    /// Budget lines, keyed like `moved`.
    budget: FxHashMap<u64, (Millionths, u64)>,
    /// Budget lines per year.
    budget_lines: Vec<u64>,
    /// Per year and role ([`totals_index`]).
    totals: Vec<Totals>,
    /// Per file (by index): the years it has postings in, as bits.
    file_years: Vec<u64>,
    entries: Entries,
}

/// A code as a core first saw it.
struct Seen {
    code: Box<str>,
    mapped: Mapped,
    first: Position,
}

/// Periods 0 (opening) to 13 (year-end adjustments).
const PERIODS: usize = 14;

/// Control totals of one year and role.
#[derive(Clone, Copy, Default)]
struct Totals {
    lines: u64,
    debits: Millionths,
    credits: Millionths,
    net: Millionths,
}

fn totals_index(year: usize, role: SourceRole) -> usize {
    year * 2 + usize::from(role == SourceRole::Ledger)
}

fn movement_bits(movement: Option<Movement>) -> u64 {
    match movement {
        None => 0,
        Some(m) => 1 + Movement::ALL.iter().position(|x| *x == m).unwrap_or(0) as u64,
    }
}

/// A cell of one core's tally: a code of the core, a year index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    code: u32,
    year: usize,
    period: Period,
    movement: Option<Movement>,
    counterparty: Option<u16>,
}

/// Packs a slot: code (32 bits), counterparty + 1 (8), year (8), period
/// (5), movement (3).
fn key(slot: Slot) -> u64 {
    let counterparty = slot.counterparty.map_or(0, |c| u64::from(c) + 1);
    (u64::from(slot.code) << 24)
        | (counterparty << 16)
        | ((slot.year as u64) << 8)
        | (u64::from(slot.period) << 3)
        | movement_bits(slot.movement)
}

fn unkey(key: u64) -> Slot {
    let movement = match key & 7 {
        0 => None,
        n => Movement::ALL.get(n as usize - 1).copied(),
    };
    let counterparty = ((key >> 16) & 0xFF) as u16;
    Slot {
        code: (key >> 24) as u32,
        year: ((key >> 8) & 0xFF) as usize,
        period: ((key >> 3) & 0x1F) as Period,
        movement,
        counterparty: counterparty.checked_sub(1),
    }
}

impl Slot {
    fn cell(self, local: usize, years: &[i32]) -> Cell {
        Cell {
            year: years[self.year],
            local,
            period: self.period,
            movement: self.movement,
            counterparty: self.counterparty,
        }
    }
}

impl<'p> Tally<'p> {
    fn new(program: &'p Program, own: usize, years: &'p [i32], local_limit: usize) -> Tally<'p> {
        Tally {
            crosswalk: &program.crosswalks[program.entities[own].crosswalk],
            entities: &program.entities,
            own,
            years,
            local_limit,
            role: SourceRole::Ledger,
            adjustments: false,
            last_date: None,
            short_codes: FxHashMap::default(),
            codes: FxHashMap::default(),
            seen: Vec::new(),
            sums: Vec::new(),
            moved: FxHashMap::default(),
            budget: FxHashMap::default(),
            budget_lines: vec![0; years.len()],
            totals: vec![Totals::default(); years.len() * 2],
            file_years: Vec::new(),
            entries: Entries::default(),
        }
    }

    /// Readies the tally for the next file, the `index`th, declared by `source`.
    fn start_file(&mut self, source: &SourceDef, index: u32) -> Result<(), Doubt> {
        self.role = source.role;
        self.adjustments = source.adjustments;
        self.last_date = None;
        self.entries.start_file(index)
    }

    /// The year index and period of a posting of the file being read
    /// ([`period::place`]).
    fn place(&self, date: chrono::NaiveDate) -> Result<(usize, Period), Doubt> {
        match period::place(date, self.role, self.adjustments, self.years) {
            Ok(place) => Ok((place.year_index, place.period)),
            Err(Misplaced::NotOpeningDay) => Err(Doubt("an opening balance not on 1 July")),
            Err(Misplaced::OutsideYears(_)) => Err(Doubt("a date outside the years built")),
        }
    }

    /// The place of a record's date: looked up once per run of equal dates,
    /// when the file's years are marked too (the first date of each file is
    /// always new here).
    #[inline]
    fn date_place(&mut self, record: &Record<'_>) -> Result<(usize, Period), Doubt> {
        if let Some((date, found)) = self.last_date
            && date == record.date
        {
            return Ok(found);
        }
        let found = self.place(record.date)?;
        self.last_date = Some((record.date, found));
        let file = record.at.file as usize;
        if self.file_years.len() <= file {
            self.file_years.resize(file + 1, 0);
        }
        self.file_years[file] |= 1 << found.0;
        Ok(found)
    }

    /// The entity an inter-entity posting names, by its code.
    fn counterparty(&self, code: &str) -> Result<Option<u16>, Doubt> {
        if code.is_empty() {
            return Ok(None);
        }
        match self.entities.iter().position(|e| e.code == code) {
            Some(index) if index != self.own => u16::try_from(index)
                .ok()
                .filter(|i| *i < 255)
                .map(Some)
                .ok_or(Doubt("too many entities")),
            _ => Err(Doubt("an unknown counterparty")),
        }
    }

    /// The core's id of a local code, mapping it on first sight.
    fn code(&mut self, account: &str, at: Position) -> Result<u32, Doubt> {
        let short = packed(account);
        let known = match short {
            Some(key) => self.short_codes.get(&key),
            None => self.codes.get(account),
        };
        if let Some(id) = known {
            return Ok(*id);
        }
        if self.seen.len() >= self.local_limit {
            return Err(Doubt("too many local codes"));
        }
        let mapped = self
            .crosswalk
            .map(account)
            .map_err(|_| Doubt("a code no rule maps"))?;
        let id = self.seen.len() as u32;
        self.seen.push(Seen {
            code: account.into(),
            mapped,
            first: at,
        });
        let slots = self.years.len() * PERIODS;
        self.sums.resize(self.sums.len() + slots, (0, 0));
        match short {
            Some(key) => self.short_codes.insert(key, id),
            None => self.codes.insert(account.into(), id),
        };
        Ok(id)
    }

    /// Adds an opening balance or a posting to its slot.
    #[inline]
    fn add_to_slot(&mut self, slot: Slot, amount: Millionths) -> Result<(), Doubt> {
        let overflow = Doubt("overflow");
        if let (None, None) = (slot.movement, slot.counterparty) {
            let index = (slot.code as usize * self.years.len() + slot.year) * PERIODS
                + usize::from(slot.period);
            let cell = &mut self.sums[index];
            let amount = amount.to_i64().ok_or(overflow)?;
            cell.0 = cell.0.checked_add(amount).ok_or(overflow)?;
            cell.1 = cell.1.checked_add(1).ok_or(overflow)?;
        } else {
            let cell = self.moved.entry(key(slot)).or_default();
            cell.0 = cell.0.checked_add(amount).ok_or(overflow)?;
            cell.1 += 1;
        }
        Ok(())
    }

    /// Adds an opening balance or a posting to the control totals of its
    /// year and role.
    #[inline]
    fn add_to_totals(&mut self, year_index: usize, amount: Millionths) -> Result<(), Doubt> {
        let overflow = Doubt("overflow");
        let totals = &mut self.totals[totals_index(year_index, self.role)];
        totals.lines += 1;
        totals.net = totals.net.checked_add(amount).ok_or(overflow)?;
        if amount.is_negative() {
            totals.credits = totals.credits.checked_sub(amount).ok_or(overflow)?;
        } else {
            totals.debits = totals.debits.checked_add(amount).ok_or(overflow)?;
        }
        Ok(())
    }
}

impl Fold for Tally<'_> {
    fn take(&mut self, record: &Record<'_>) -> Result<(), Doubt> {
        let (year_index, period) = self.date_place(record)?;
        let code = self.code(record.account, record.at)?;
        let slot = Slot {
            code,
            year: year_index,
            period,
            movement: record.movement,
            counterparty: self.counterparty(record.counterparty)?,
        };
        if self.role == SourceRole::Budget {
            let cell = self.budget.entry(key(slot)).or_default();
            cell.0 = cell.0.checked_add(record.amount).ok_or(Doubt("overflow"))?;
            cell.1 += 1;
            self.budget_lines[year_index] += 1;
            return Ok(());
        }
        self.add_to_slot(slot, record.amount)?;
        self.add_to_totals(year_index, record.amount)?;
        if self.role == SourceRole::Ledger && !record.reference.is_empty() {
            let year = self.years[year_index];
            self.entries.add(year, record.reference, record.amount)?;
        }
        Ok(())
    }
}

/// A code of at most 15 bytes as one integer: its bytes, then its length.
fn packed(code: &str) -> Option<u128> {
    let bytes = code.as_bytes();
    if bytes.len() > 15 {
        return None;
    }
    let mut word = [0u8; 16];
    word[..bytes.len()].copy_from_slice(bytes);
    word[15] = bytes.len() as u8;
    Some(u128::from_le_bytes(word))
}
