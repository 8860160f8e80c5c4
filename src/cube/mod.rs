//! The cube: every posting of every entity, mapped and summed by
//! (fiscal year, local code, period, movement). Memory grows with the number
//! of distinct keys, never with the number of ledger lines.
//!
//! ```text
//! exports ─fast (every core)─┐
//!         ─build (precise)───┴─▶ EntityCube ─checks─▶ Cube
//! ```
//! An entity is read on the fast path (`fast`) or, at its first doubt, by
//! the precise reader (`build`); both place a posting in its year and
//! period by one rule (`period`). The ledger checks (`checks`) then prove
//! conservation and balance: per entity and year the sum mapped equals the
//! sum read, opening balances and postings each sum to zero, so does every
//! journal entry, and each year opens where the one before closed.

use crate::diagnostic::Result;
use crate::ingest::{Movement, ReadSummary};
use crate::mapping::Mapped;
use crate::model::{Program, SourceRole};
use crate::money::Amount;
use crate::project::Project;
use crate::source::Sources;
use std::collections::{BTreeMap, BTreeSet};

mod build;
mod checks;
mod fast;
mod period;
mod twins;
mod unmapped;

pub use fast::{Progress, ReadOptions};

pub use crate::calendar::Period;

#[derive(Debug)]
pub struct Cube {
    pub entities: Vec<EntityCube>,
    /// The fiscal years read, ascending.
    pub years: Vec<i32>,
}

#[derive(Debug, Default)]
pub struct EntityCube {
    /// Distinct local codes, in order of first appearance.
    pub locals: Vec<LocalCode>,
    /// Chart code → its local codes.
    pub by_chart: BTreeMap<usize, Vec<usize>>,
    pub cells: BTreeMap<Cell, Amount>,
    /// The budget, keyed like the books: kept apart, it need not balance.
    pub budget: BTreeMap<Cell, Amount>,
    pub files: Vec<FileRead>,
    /// Per fiscal year: the reconciliation of what was read and mapped.
    pub reconciliation: BTreeMap<i32, Reconciliation>,
    /// Read on the fast path (see `fast`); the precise reader leaves it false.
    pub streamed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub year: i32,
    pub local: usize,
    pub period: Period,
    pub movement: Option<Movement>,
    /// The other centre (entity index) of an inter-entity posting.
    pub counterparty: Option<u16>,
}

#[derive(Debug, Clone)]
pub struct LocalCode {
    pub code: String,
    pub mapped: Mapped,
    /// Lines per fiscal year.
    pub lines: BTreeMap<i32, u64>,
    /// `file:line` of its first posting.
    pub first_seen: String,
}

#[derive(Debug)]
pub struct FileRead {
    pub path: String,
    /// The format it was read with (an index into the program's formats).
    pub format: usize,
    pub role: SourceRole,
    /// A ledger of year-end adjustments (period 13).
    pub adjustments: bool,
    pub summary: ReadSummary,
    /// Size and SHA-256 of the file, for the run manifest (the hash only
    /// when the build asked for it, see [`ReadOptions::hash`]).
    pub bytes: usize,
    pub sha256: Option<String>,
}

/// Control totals of one entity and fiscal year.
#[derive(Debug, Default, Clone)]
pub struct Reconciliation {
    pub opening_lines: u64,
    pub ledger_lines: u64,
    pub debits: Amount,
    pub credits: Amount,
    /// Σ of opening lines as read (must be zero).
    pub opening_net: Amount,
    /// Σ of ledger lines as read (must be zero).
    pub ledger_net: Amount,
    /// Σ of the cube cells of the year (must equal opening_net + ledger_net).
    pub mapped_net: Amount,
    /// The files that hold opening balances and postings of the year.
    pub opening_files: BTreeSet<String>,
    pub ledger_files: BTreeSet<String>,
    /// Budget lines of the year (not in the totals above), and their files.
    pub budget_lines: u64,
    pub budget_files: BTreeSet<String>,
}

impl EntityCube {
    /// The debits and credits of the books' files (openings and ledgers) as
    /// read, and as placed in the years; `None` on overflow. Equal when no
    /// line was lost between reading and the cube.
    pub fn read_and_placed(&self) -> Option<((Amount, Amount), (Amount, Amount))> {
        let read = self
            .files
            .iter()
            .filter(|file| file.role != crate::model::SourceRole::Budget)
            .try_fold((Amount::ZERO, Amount::ZERO), |(debits, credits), file| {
                Some((
                    debits.checked_add(file.summary.debit_total)?,
                    credits.checked_add(file.summary.credit_total)?,
                ))
            })?;
        let placed = self.reconciliation.values().try_fold(
            (Amount::ZERO, Amount::ZERO),
            |(debits, credits), year| {
                Some((
                    debits.checked_add(year.debits)?,
                    credits.checked_add(year.credits)?,
                ))
            },
        )?;
        Some((read, placed))
    }

    /// Closing balance (opening plus every posting) of one local code in one year.
    pub fn local_balance(&self, year: i32, local: usize) -> Option<Amount> {
        let first = Cell {
            year,
            local,
            period: 0,
            movement: None,
            counterparty: None,
        };
        self.cells
            .range(first..)
            .take_while(|(cell, _)| cell.year == year && cell.local == local)
            .try_fold(Amount::ZERO, |sum, (_, amount)| sum.checked_add(*amount))
    }
}

/// Reads every source of every entity. Fails with every error found.
///
/// Each entity is read on the fast path (`fast`) first; if that path
/// doubts, the precise reader reads the entity again and reports.
pub fn build(
    program: &Program,
    project: &Project,
    sources: &mut Sources,
    options: &ReadOptions<'_>,
) -> Result<Cube> {
    let years = years_built(program);
    if let Some(progress) = options.progress {
        let total = fast::ledger_bytes(program, project);
        progress
            .total
            .store(total, std::sync::atomic::Ordering::Relaxed);
    }
    let mut errors = Vec::new();
    let mut entities = Vec::new();
    for entity in &program.entities {
        if options.is_cancelled() {
            return Err(vec![fast::interrupted()]);
        }
        let mut reader = build::EntityReader::new(program, entity, &years, &project.limits);
        let before = errors.len();
        let fast = match options.precise {
            true => Err(fast::Doubt("the precise reader was asked for")),
            false => fast::read_entity(program, entity, project, &years, options),
        };
        match fast {
            Ok(cube) => reader.cube = cube,
            // The fast path stops when interrupted: do not read again.
            Err(_) if options.is_cancelled() => return Err(vec![fast::interrupted()]),
            Err(_) => reader.read_sources(project, sources, &mut errors),
        }
        // Balances and conservation are only meaningful over complete data:
        // after a refused line they would only echo the first error.
        let complete = errors.len() == before;
        reader.finish(sources, project, &mut errors, complete);
        entities.push(reader.cube);
    }
    if errors.is_empty() {
        Ok(Cube { entities, years })
    } else {
        Err(errors)
    }
}

/// A line of an export as the precise reader placed it: its cell (in the
/// numbering of local codes of that reading, see [`EntityLines::locals`]).
#[derive(Debug, Clone)]
pub struct LedgerLine {
    pub cell: Cell,
    /// A budget line rather than one of the books.
    pub budget: bool,
    pub file: String,
    pub line: usize,
    pub date: chrono::NaiveDate,
    pub reference: String,
    pub description: String,
    /// Debit positive.
    pub amount: Amount,
}

/// The lines of one entity's exports, each with its cell.
#[derive(Debug, Default)]
pub struct EntityLines {
    /// Local codes by the index the lines' cells use.
    pub locals: Vec<String>,
    pub lines: Vec<LedgerLine>,
}

/// Reads one entity's exports again with the precise reader and keeps
/// every line of the local codes `keep` accepts, with the cell it was added
/// to: the ledger lines behind a figure are exactly those of its cells.
pub fn ledger_lines(
    program: &Program,
    project: &Project,
    entity: usize,
    keep: &dyn Fn(&str) -> bool,
) -> Result<EntityLines> {
    let years = years_built(program);
    let mut reader =
        build::EntityReader::new(program, &program.entities[entity], &years, &project.limits);
    reader.recorded = Some(build::Recorder {
        keep,
        lines: Vec::new(),
    });
    let mut errors = Vec::new();
    reader.read_sources(project, &mut Sources::default(), &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let lines = reader.recorded.map(|r| r.lines).unwrap_or_default();
    let locals = reader.cube.locals.into_iter().map(|l| l.code).collect();
    Ok(EntityLines { locals, lines })
}

/// The fiscal years a build reads: the year built and as many before as
/// the oldest column of a report looks back.
fn years_built(program: &Program) -> Vec<i32> {
    let oldest = program
        .reports
        .iter()
        .flat_map(|r| &r.columns)
        .map(|c| c.years_back)
        .max()
        .unwrap_or(0);
    (program.fiscal_year - oldest as i32..=program.fiscal_year).collect()
}

/// Distinct years with data for an entity.
pub fn years_with_data(cube: &EntityCube) -> BTreeSet<i32> {
    cube.reconciliation.keys().copied().collect()
}

#[cfg(test)]
mod tests;
