//! The fast path of the cube: an entity's exports streamed on every core,
//! each core summing into its own tally, the tallies merged once at the end.
//!
//! It builds exactly the [`EntityCube`] the precise path builds, or gives up
//! ([`Doubt`]) at the first thing that would be an error or a diagnostic:
//! a date outside the years built, a code no rule maps, an unbalanced
//! journal entry, an overflow. The precise path then reads the entity again
//! and reports every error; tests check that both paths agree.

use super::{Cell, EntityCube, FileRead, LocalCode, Period, Reconciliation};
use crate::calendar;
use crate::ingest::Movement;
pub(super) use crate::ingest::stream::Doubt;
use crate::ingest::stream::{self, Fold, Input, Position, Record, SCALE, Streamed};
use crate::mapping::{Crosswalk, Mapped};
use crate::model::{EntityDef, Program, SourceRole};
use crate::money::Amount;
use crate::project::Project;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
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

/// The cores to read with.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
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
    let mut files = Vec::new();
    for source in &entity.sources {
        let paths = project
            .expand(&source.path)
            .map_err(|_| Doubt("a source cannot be listed"))?;
        if paths.is_empty() {
            return Err(Doubt("an empty source folder"));
        }
        let format = &program.formats[source.format];
        for path in paths {
            let full = project
                .ledger_path(&path)
                .map_err(|_| Doubt("a source cannot be read"))?;
            let size = std::fs::metadata(&full)
                .map_err(|_| Doubt("cannot stat"))?
                .len();
            files.push((path, full, size, source, format));
        }
    }
    let mut tallies: Vec<Tally> = (0..cores())
        .map(|_| Tally::new(program, own, years, project.limits.local_codes))
        .collect();
    let mut read: Vec<(String, SourceRole, Streamed)> = Vec::new();
    for (index, (path, full, size, source, format)) in files.iter().enumerate() {
        let shared_size = files.iter().filter(|f| f.2 == *size).count() > 1;
        for tally in &mut tallies {
            tally.role = source.role;
            tally.adjustments = source.adjustments;
            tally.last_date = None;
        }
        let input = Input {
            path: full,
            index: index as u32,
            dialect: &format.dialect,
            layout: &format.layout,
            limits: &project.limits,
            hash: options.hash || shared_size,
            progress: options.progress.map(|p| &p.done),
            block: match options.block_bytes {
                0 => stream::BLOCK,
                n => n,
            },
        };
        let streamed = stream::stream(&input, &mut tallies)?;
        if streamed.summary.records == 0 {
            return Err(Doubt("a file without postings"));
        }
        if let Some(hash) = &streamed.sha256
            && read
                .iter()
                .any(|(_, _, other)| other.sha256.as_ref() == Some(hash))
        {
            return Err(Doubt("a file read twice"));
        }
        read.push((path.clone(), source.role, streamed));
    }
    let mut cube = merge(tallies, &read, years, project.limits.local_codes)?;
    for (file, (_, _, _, source, _)) in cube.files.iter_mut().zip(&files) {
        file.adjustments = source.adjustments;
    }
    Ok(cube)
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
    /// Postings with a movement type, rare: (code, year, period, movement)
    /// packed by [`key`] → (sum, lines). The others are in `sums`.
    moved: FxHashMap<u64, (i128, u64)>,
    /// Budget lines, keyed like `moved`.
    budget: FxHashMap<u64, (i128, u64)>,
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

#[derive(Clone, Copy, Default)]
struct Totals {
    lines: u64,
    debits: i128,
    credits: i128,
    net: i128,
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

    /// The year index and period of a posting of the file being read.
    fn period_of(&self, date: chrono::NaiveDate) -> Result<(usize, Period), Doubt> {
        let (year, period) = calendar::period_of(date);
        let period = match self.role {
            SourceRole::Opening if calendar::opens_a_year(date) => calendar::OPENING,
            SourceRole::Opening => return Err(Doubt("an opening balance not on 1 July")),
            SourceRole::Ledger if self.adjustments => calendar::ADJUSTMENTS,
            SourceRole::Ledger | SourceRole::Budget => period,
        };
        let year_index = usize::try_from(year - self.years[0])
            .ok()
            .filter(|index| *index < self.years.len())
            .ok_or(Doubt("a date outside the years built"))?;
        Ok((year_index, period))
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
}

impl Fold for Tally<'_> {
    fn take(&mut self, record: &Record<'_>) -> Result<(), Doubt> {
        let (year_index, period) = match self.last_date {
            Some((date, found)) if date == record.date => found,
            _ => {
                let found = self.period_of(record.date)?;
                self.last_date = Some((record.date, found));
                // The file's years: a year changes only with the date, and
                // the first date of each file is always new here.
                let file = record.at.file as usize;
                if self.file_years.len() <= file {
                    self.file_years.resize(file + 1, 0);
                }
                self.file_years[file] |= 1 << found.0;
                found
            }
        };
        let code = self.code(record.account, record.at)?;
        let slot = Slot {
            code,
            year: year_index,
            period,
            movement: record.movement,
            counterparty: self.counterparty(record.counterparty)?,
        };
        let overflow = Doubt("overflow");
        if self.role == SourceRole::Budget {
            let cell = self.budget.entry(key(slot)).or_default();
            cell.0 = cell.0.checked_add(record.amount).ok_or(overflow)?;
            cell.1 += 1;
            self.budget_lines[year_index] += 1;
            return Ok(());
        }
        if let (None, None) = (record.movement, slot.counterparty) {
            let index =
                (code as usize * self.years.len() + year_index) * PERIODS + usize::from(period);
            let cell = &mut self.sums[index];
            let amount = i64::try_from(record.amount).map_err(|_| overflow)?;
            cell.0 = cell.0.checked_add(amount).ok_or(overflow)?;
            cell.1 = cell.1.checked_add(1).ok_or(overflow)?;
        } else {
            let cell = self.moved.entry(key(slot)).or_default();
            cell.0 = cell.0.checked_add(record.amount).ok_or(overflow)?;
            cell.1 += 1;
        }
        let totals = &mut self.totals[totals_index(year_index, self.role)];
        totals.lines += 1;
        totals.net = totals.net.checked_add(record.amount).ok_or(overflow)?;
        if record.amount < 0 {
            totals.credits = totals.credits.checked_sub(record.amount).ok_or(overflow)?;
        } else {
            totals.debits = totals.debits.checked_add(record.amount).ok_or(overflow)?;
        }
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

/// Journal entries still open: the net of each reference whose lines do not
/// (yet) sum to zero. Lines of one entry usually follow each other, so a
/// run of one reference is summed apart and only looked up when it ends;
/// an entry that closes leaves the table, which holds only entries split
/// across blocks, and unbalanced ones.
#[derive(Default)]
struct Entries {
    run: String,
    run_year: i32,
    run_net: i128,
    in_run: bool,
    open: FxHashMap<i32, FxHashMap<Box<str>, i128>>,
}

impl Entries {
    fn add(&mut self, year: i32, reference: &str, amount: i128) -> Result<(), Doubt> {
        if self.in_run && self.run_year == year && stream::same_text(&self.run, reference) {
            self.run_net = self.run_net.checked_add(amount).ok_or(Doubt("overflow"))?;
            return Ok(());
        }
        self.close()?;
        self.run.clear();
        self.run.push_str(reference);
        self.run_year = year;
        self.run_net = amount;
        self.in_run = true;
        Ok(())
    }

    fn close(&mut self) -> Result<(), Doubt> {
        if !self.in_run {
            return Ok(());
        }
        self.in_run = false;
        // Nearly every entry balances within its run: no table to consult.
        if self.run_net == 0 && self.open.values().all(|open| open.is_empty()) {
            return Ok(());
        }
        let open = self.open.entry(self.run_year).or_default();
        match open.get_mut(self.run.as_str()) {
            Some(net) => {
                *net = net.checked_add(self.run_net).ok_or(Doubt("overflow"))?;
                if *net == 0 {
                    open.remove(self.run.as_str());
                }
            }
            None if self.run_net != 0 => {
                open.insert(self.run.as_str().into(), self.run_net);
            }
            None => {}
        }
        Ok(())
    }
}

/// Merges the cores' tallies into the entity's cube, in file order.
fn merge(
    mut tallies: Vec<Tally<'_>>,
    read: &[(String, SourceRole, Streamed)],
    years: &[i32],
    local_limit: usize,
) -> Result<EntityCube, Doubt> {
    let overflow = Doubt("overflow");
    // Every journal entry must balance over all cores.
    let mut entries: FxHashMap<(i32, Box<str>), i128> = FxHashMap::default();
    for tally in &mut tallies {
        tally.entries.close()?;
        for (year, open) in std::mem::take(&mut tally.entries.open) {
            for (reference, net) in open {
                let sum = entries.entry((year, reference)).or_default();
                *sum = sum.checked_add(net).ok_or(overflow)?;
            }
        }
    }
    if entries.values().any(|net| *net != 0) {
        return Err(Doubt("an unbalanced journal entry"));
    }
    // Local codes in order of first appearance, as one reader would see them.
    let mut firsts: Vec<(Position, &str, usize, u32)> = tallies
        .iter()
        .enumerate()
        .flat_map(|(core, tally)| {
            tally
                .seen
                .iter()
                .enumerate()
                .map(move |(id, seen)| (seen.first, &*seen.code, core, id as u32))
        })
        .collect();
    firsts.sort();
    let mut cube = EntityCube::default();
    let mut global: FxHashMap<&str, usize> = FxHashMap::default();
    let mut ids: Vec<Vec<usize>> = tallies.iter().map(|t| vec![0; t.seen.len()]).collect();
    for (first, code, core, id) in &firsts {
        let local = match global.get(code) {
            Some(local) => *local,
            None => {
                let local = cube.locals.len();
                if local >= local_limit {
                    return Err(Doubt("too many local codes"));
                }
                let mapped = tallies[*core].seen[*id as usize].mapped.clone();
                let (path, _, streamed) = &read[first.file as usize];
                cube.by_chart.entry(mapped.target).or_default().push(local);
                cube.locals.push(LocalCode {
                    code: code.to_string(),
                    mapped,
                    lines: BTreeMap::new(),
                    first_seen: format!("{path}:{}", streamed.line(*first)),
                });
                global.insert(code, local);
                local
            }
        };
        ids[*core][*id as usize] = local;
    }
    // Cells, and lines per code and year.
    let mut cells: FxHashMap<Cell, (i128, u64)> = FxHashMap::default();
    for (core, tally) in tallies.iter().enumerate() {
        let slots = years.len() * PERIODS;
        let plain = tally
            .sums
            .chunks(slots)
            .enumerate()
            .flat_map(|(code, sums)| {
                sums.iter()
                    .enumerate()
                    .filter(|(_, (_, lines))| *lines > 0)
                    .map(move |(slot, (sum, lines))| {
                        let slot = Slot {
                            code: code as u32,
                            year: slot / PERIODS,
                            period: (slot % PERIODS) as Period,
                            movement: None,
                            counterparty: None,
                        };
                        (key(slot), (i128::from(*sum), u64::from(*lines)))
                    })
            });
        let moved = tally.moved.iter().map(|(k, v)| (*k, *v));
        for (key, (sum, lines)) in plain.chain(moved) {
            let slot = unkey(key);
            let cell = slot.cell(ids[core][slot.code as usize], years);
            let total = cells.entry(cell).or_default();
            total.0 = total.0.checked_add(sum).ok_or(overflow)?;
            total.1 += lines;
        }
    }
    let mut sorted: Vec<(Cell, (i128, u64))> = cells.into_iter().collect();
    sorted.sort_by_key(|(cell, _)| *cell);
    for (cell, (_, lines)) in &sorted {
        *cube.locals[cell.local].lines.entry(cell.year).or_default() += lines;
    }
    // Built from sorted keys in one pass, rather than key by key.
    cube.cells = sorted
        .into_iter()
        .map(|(cell, (sum, _))| Amount::from_scaled(sum, SCALE).map(|amount| (cell, amount)))
        .collect::<Option<BTreeMap<Cell, Amount>>>()
        .ok_or(overflow)?;
    cube.budget = budget(&tallies, &ids, years)?;
    cube.reconciliation = reconciliation(&tallies, read, years)?;
    cube.streamed = true;
    cube.files = read
        .iter()
        .map(|(path, role, streamed)| FileRead {
            path: path.clone(),
            role: *role,
            adjustments: false,
            summary: streamed.summary.clone(),
            bytes: streamed.bytes as usize,
            sha256: streamed.sha256.clone(),
        })
        .collect();
    Ok(cube)
}

/// The budget cells of every core, summed.
fn budget(
    tallies: &[Tally<'_>],
    ids: &[Vec<usize>],
    years: &[i32],
) -> Result<BTreeMap<Cell, Amount>, Doubt> {
    let mut cells: FxHashMap<Cell, i128> = FxHashMap::default();
    for (core, tally) in tallies.iter().enumerate() {
        for (key, (sum, _)) in &tally.budget {
            let slot = unkey(*key);
            let cell = slot.cell(ids[core][slot.code as usize], years);
            let total = cells.entry(cell).or_default();
            *total = total.checked_add(*sum).ok_or(Doubt("overflow"))?;
        }
    }
    cells
        .into_iter()
        .map(|(cell, sum)| Amount::from_scaled(sum, SCALE).map(|amount| (cell, amount)))
        .collect::<Option<BTreeMap<Cell, Amount>>>()
        .ok_or(Doubt("overflow"))
}

/// Control totals per year, over every core.
fn reconciliation(
    tallies: &[Tally<'_>],
    read: &[(String, SourceRole, Streamed)],
    years: &[i32],
) -> Result<BTreeMap<i32, Reconciliation>, Doubt> {
    let overflow = Doubt("overflow");
    let amount = |value: i128| Amount::from_scaled(value, SCALE).ok_or(overflow);
    let mut result = BTreeMap::new();
    for (index, year) in years.iter().enumerate() {
        let mut sums = [Totals::default(); 2];
        for tally in tallies {
            for (side, role) in [SourceRole::Opening, SourceRole::Ledger]
                .into_iter()
                .enumerate()
            {
                let t = tally.totals[totals_index(index, role)];
                let s = &mut sums[side];
                s.lines += t.lines;
                s.debits = s.debits.checked_add(t.debits).ok_or(overflow)?;
                s.credits = s.credits.checked_add(t.credits).ok_or(overflow)?;
                s.net = s.net.checked_add(t.net).ok_or(overflow)?;
            }
        }
        let [opening, ledger] = sums;
        let budget_lines: u64 = tallies.iter().map(|t| t.budget_lines[index]).sum();
        if opening.lines + ledger.lines + budget_lines == 0 {
            continue;
        }
        let files_of = |wanted: SourceRole| -> BTreeSet<String> {
            read.iter()
                .enumerate()
                .filter(|(file, (_, role, _))| {
                    *role == wanted
                        && tallies.iter().any(|t| {
                            t.file_years
                                .get(*file)
                                .is_some_and(|bits| bits & (1 << index) != 0)
                        })
                })
                .map(|(_, (path, _, _))| path.clone())
                .collect()
        };
        result.insert(
            *year,
            Reconciliation {
                opening_lines: opening.lines,
                ledger_lines: ledger.lines,
                debits: amount(opening.debits.checked_add(ledger.debits).ok_or(overflow)?)?,
                credits: amount(
                    opening
                        .credits
                        .checked_add(ledger.credits)
                        .ok_or(overflow)?,
                )?,
                opening_net: amount(opening.net)?,
                ledger_net: amount(ledger.net)?,
                mapped_net: Amount::ZERO,
                opening_files: files_of(SourceRole::Opening),
                ledger_files: files_of(SourceRole::Ledger),
                budget_lines,
                budget_files: files_of(SourceRole::Budget),
            },
        );
    }
    Ok(result)
}
