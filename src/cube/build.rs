//! The precise reader of an entity: every posting read through
//! [`ingest::read_export_limited`], mapped once per distinct code, placed in
//! its year and period, and added to its cell, the control totals and its
//! journal entry. Every refusal is a located diagnostic.

use super::period::{self, Misplaced};
use super::twins::Twins;
use super::unmapped::{Unmapped, UnmappedCodes};
use super::{Cell, EntityCube, FileRead, LocalCode, Period};
use crate::calendar;
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest::{self, Posting, Role};
use crate::limits::Limits;
use crate::mapping::{MapError, Mapped};
use crate::model::{EntityDef, Program, SourceDef, SourceRole};
use crate::money::Amount;
use crate::project::Project;
use crate::source::Sources;
use std::collections::{BTreeMap, BTreeSet, HashMap};

type Result<T> = std::result::Result<T, Diagnostic>;

/// An entity being read, and what its checks need once it is.
pub(super) struct EntityReader<'p> {
    pub(super) program: &'p Program,
    pub(super) entity: &'p EntityDef,
    years: &'p [i32],
    pub(super) cube: EntityCube,
    by_code: HashMap<String, usize>,
    /// Local codes that could not be mapped: code → (error, lines, amount, first location).
    pub(super) unmapped: UnmappedCodes,
    /// The files read, for [`Unmapped::file`].
    pub(super) paths: Vec<String>,
    /// Per fiscal year, per journal reference: (net, file and line of its first posting).
    pub(super) entries: BTreeMap<i32, HashMap<String, (Amount, String, usize)>>,
    /// The format each file was read with, to read a line of it again.
    pub(super) formats: HashMap<String, usize>,
    /// Files whose out-of-range dates were already reported (once per file).
    dates_reported: BTreeSet<String>,
    /// An overflow or the local-code limit was reported: once is enough.
    capacity_reported: bool,
    limits: &'p Limits,
    /// Files that repeat one another, and entries split between files.
    pub(super) twins: Twins,
    /// When asked for ([`super::ledger_lines`]): every line placed, with its
    /// cell, for the local codes kept.
    pub(super) recorded: Option<Recorder<'p>>,
}

/// What [`super::ledger_lines`] asks the reader to keep.
pub(super) struct Recorder<'p> {
    pub(super) keep: &'p dyn Fn(&str) -> bool,
    pub(super) lines: Vec<super::LedgerLine>,
}

impl<'p> EntityReader<'p> {
    pub(super) fn new(
        program: &'p Program,
        entity: &'p EntityDef,
        years: &'p [i32],
        limits: &'p Limits,
    ) -> EntityReader<'p> {
        EntityReader {
            program,
            entity,
            years,
            cube: EntityCube::default(),
            by_code: HashMap::new(),
            unmapped: UnmappedCodes::default(),
            paths: Vec::new(),
            entries: BTreeMap::new(),
            formats: HashMap::new(),
            dates_reported: BTreeSet::new(),
            capacity_reported: false,
            limits,
            twins: Twins::default(),
            recorded: None,
        }
    }

    /// Reads every file of every source of the entity.
    pub(super) fn read_sources(
        &mut self,
        project: &Project,
        sources: &mut Sources,
        errors: &mut Vec<Diagnostic>,
    ) {
        let entity = self.entity;
        for source in &entity.sources {
            match source_files(project, source) {
                Ok(files) => {
                    for path in files {
                        if let Err(error) = self.read_file(project, sources, source, path) {
                            errors.extend(error);
                        }
                    }
                }
                Err(error) => errors.push(error),
            }
        }
    }

    /// Reads one export of a source; its errors, or none.
    fn read_file(
        &mut self,
        project: &Project,
        sources: &mut Sources,
        source: &SourceDef,
        path: String,
    ) -> std::result::Result<(), Vec<Diagnostic>> {
        let refused = |error: std::io::Error| {
            let what = format!("`{path}`");
            vec![crate::project::read_error(&what, &error).at(source.span, "declared here")]
        };
        // Read twice, piece by piece: once to hash (an identical file is not
        // read at all), once to read; memory holds a piece, not the file.
        let full = project.ledger_path(&path).map_err(refused)?;
        let (hash, bytes) = hash_file(&full).map_err(refused)?;
        if let Some(twin) = self
            .cube
            .files
            .iter()
            .find(|f| f.sha256.as_ref() == Some(&hash))
        {
            return Err(vec![read_twice(&path, &twin.path, source)]);
        }
        let format = &self.program.formats[source.format];
        self.formats.insert(path.clone(), source.format);
        self.twins.begin();
        let (role, adjustments, limits) = (source.role, source.adjustments, self.limits);
        let mut file = std::fs::File::open(&full).map_err(refused)?;
        let mut sink = |posting: &Posting<'_>| self.posting(&path, role, adjustments, posting);
        let export = ingest::Export {
            name: &path,
            dialect: &format.dialect,
            layout: &format.layout,
            limits,
        };
        let summary =
            ingest::read_export_from(&export, &mut file, ingest::PIECE_BYTES, sources, &mut sink)?;
        let mut errors = Vec::new();
        if let Some(twin) = self.twins.end_file(&path) {
            errors.push(same_postings(&path, &twin, summary.records, source));
        }
        if summary.records == 0 {
            errors.push(
                Diagnostic::error(Code::NoData, format!("`{path}` holds no posting"))
                    .at(source.span, "declared here")
                    .help("an export with only its header adds nothing: is it the right file?"),
            );
        }
        self.cube.files.push(FileRead {
            path,
            format: source.format,
            role,
            adjustments,
            summary,
            bytes,
            sha256: Some(hash),
        });
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Takes one posting: maps its code (once per distinct code), finds its
    /// period, and adds it to its cell and to the control totals.
    fn posting(
        &mut self,
        path: &str,
        role: SourceRole,
        adjustments: bool,
        posting: &Posting<'_>,
    ) -> Result<()> {
        self.twins.posting(posting);
        let (year, period) = match self.place(role, adjustments, posting) {
            Ok(found) => found,
            // One located error per file says it; the run fails either way.
            Err(_) if self.dates_reported.contains(path) => return Ok(()),
            Err(diagnostic) => {
                self.dates_reported.insert(path.to_string());
                return Err(diagnostic.note("only the first such line of this file is shown"));
            }
        };
        let Some(local) = self.local(path, posting)? else {
            return Ok(());
        };
        let cell = Cell {
            year,
            local,
            period,
            movement: posting.movement,
            counterparty: self.counterparty(posting)?,
        };
        self.record(path, role, posting, cell);
        let added = match role {
            SourceRole::Budget => self.add_budget(path, posting.amount, cell),
            SourceRole::Opening | SourceRole::Ledger => self.add_posting(path, role, posting, cell),
        };
        match added {
            Some(()) => Ok(()),
            // One overflow says it all; the run fails either way.
            None if self.capacity_reported => Ok(()),
            None => {
                self.capacity_reported = true;
                Err(Diagnostic::error(
                    Code::Overflow,
                    "the running total overflows 28 significant digits",
                )
                .at(posting.span(Role::Amount), "adding this amount")
                .help("amounts this large cannot be real; look for a misplaced decimal mark"))
            }
        }
    }

    /// Keeps the line with its cell, when lines are recorded.
    fn record(&mut self, path: &str, role: SourceRole, posting: &Posting<'_>, cell: Cell) {
        let Some(recorder) = &mut self.recorded else {
            return;
        };
        if (recorder.keep)(posting.account) {
            recorder.lines.push(super::LedgerLine {
                cell,
                budget: role == SourceRole::Budget,
                file: path.to_string(),
                line: posting.line,
                date: posting.date,
                reference: posting.reference.to_string(),
                description: posting.description.to_string(),
                amount: posting.amount,
            });
        }
    }

    /// Adds a budget line to its cell; `None` on overflow.
    fn add_budget(&mut self, path: &str, amount: Amount, cell: Cell) -> Option<()> {
        let total = self.cube.budget.entry(cell).or_default();
        *total = total.checked_add(amount)?;
        let totals = self.cube.reconciliation.entry(cell.year).or_default();
        totals.budget_lines += 1;
        if !totals.budget_files.contains(path) {
            totals.budget_files.insert(path.to_string());
        }
        Some(())
    }

    /// Adds an opening balance or a posting to its cell, the control totals
    /// and its entry; `None` on overflow.
    fn add_posting(
        &mut self,
        path: &str,
        role: SourceRole,
        posting: &Posting<'_>,
        cell: Cell,
    ) -> Option<()> {
        let Cell { year, local, .. } = cell;
        let total = self.cube.cells.entry(cell).or_default();
        *total = total.checked_add(posting.amount)?;
        *self.cube.locals[local].lines.entry(year).or_default() += 1;
        let totals = self.cube.reconciliation.entry(year).or_default();
        let (net, lines, files) = match role {
            SourceRole::Opening => (
                &mut totals.opening_net,
                &mut totals.opening_lines,
                &mut totals.opening_files,
            ),
            SourceRole::Ledger | SourceRole::Budget => (
                &mut totals.ledger_net,
                &mut totals.ledger_lines,
                &mut totals.ledger_files,
            ),
        };
        if !files.contains(path) {
            files.insert(path.to_string());
        }
        *net = net.checked_add(posting.amount)?;
        *lines += 1;
        if posting.amount.is_negative() {
            totals.credits = totals.credits.checked_sub(posting.amount)?;
        } else {
            totals.debits = totals.debits.checked_add(posting.amount)?;
        }
        if role == SourceRole::Ledger && !posting.reference.is_empty() {
            self.add_to_entry(path, year, posting)?;
        }
        Some(())
    }

    /// Adds a posting to the net of its journal entry; `None` on overflow.
    fn add_to_entry(&mut self, path: &str, year: i32, posting: &Posting<'_>) -> Option<()> {
        let entries = self.entries.entry(year).or_default();
        match entries.get_mut(posting.reference) {
            Some((net, first, _)) => {
                *net = net.checked_add(posting.amount)?;
                if first != path {
                    let (reference, line) = (posting.reference, posting.line);
                    self.twins.split(year, reference, first, path, line);
                }
            }
            None => {
                entries.insert(
                    posting.reference.to_string(),
                    (posting.amount, path.to_string(), posting.line),
                );
            }
        }
        Some(())
    }

    /// The entity a posting names as its counterparty, by its code.
    fn counterparty(&self, posting: &Posting<'_>) -> Result<Option<u16>> {
        if posting.counterparty.is_empty() {
            return Ok(None);
        }
        let entities = &self.program.entities;
        match entities.iter().position(|e| e.code == posting.counterparty) {
            Some(index) if entities[index].name != self.entity.name => {
                Ok(u16::try_from(index).ok())
            }
            found => {
                let codes: Vec<String> = entities
                    .iter()
                    .filter(|e| e.name != self.entity.name)
                    .map(|e| format!("`{}` ({})", e.code, e.name))
                    .collect();
                let what = if found.is_some() {
                    "is the entity's own code".to_string()
                } else {
                    "is not the code of an entity of the project".to_string()
                };
                Err(Diagnostic::error(
                    Code::UnknownName,
                    format!("counterparty `{}` {what}", posting.counterparty),
                )
                .at(posting.span(Role::Counterparty), "counterparty")
                .help(if codes.is_empty() {
                    "an inter-entity posting names another entity of the project by its code"
                        .to_string()
                } else {
                    format!("the other entities are {}", codes.join(", "))
                }))
            }
        }
    }

    /// The fiscal year and period of a posting ([`period::place`]).
    fn place(
        &self,
        role: SourceRole,
        adjustments: bool,
        posting: &Posting<'_>,
    ) -> Result<(i32, Period)> {
        match period::place(posting.date, role, adjustments, self.years) {
            Ok(place) => Ok((place.year, place.period)),
            Err(Misplaced::NotOpeningDay) => Err(Diagnostic::error(
                Code::DateOutOfRange,
                format!(
                    "opening balance dated {}, not on the first day of a fiscal year",
                    posting.date
                ),
            )
            .at(
                posting.span(Role::Date),
                format!("expected {}", calendar::OPENING_DAY),
            )
            .help(format!(
                "opening balances are dated {}, the first day of the fiscal year they open",
                calendar::OPENING_DAY
            ))),
            Err(Misplaced::OutsideYears(year)) => {
                let first = self.years.first().copied().unwrap_or(year);
                let last = self.years.last().copied().unwrap_or(year);
                Err(Diagnostic::error(
                    Code::DateOutOfRange,
                    format!("posting dated {} falls in fiscal year {}, which this build does not cover", posting.date, calendar::label(year)),
                )
                .at(posting.span(Role::Date), "outside the years built")
                .help(format!(
                    "this build covers the fiscal years {} to {}; remove the line or split the export by year",
                    calendar::label(first),
                    calendar::label(last)
                )))
            }
        }
    }

    /// The local code id of a posting, mapping the code on first sight.
    /// `None` for a code that could not be mapped (reported after reading).
    fn local(&mut self, path: &str, posting: &Posting<'_>) -> Result<Option<usize>> {
        if let Some(local) = self.by_code.get(posting.account) {
            return Ok(Some(*local));
        }
        if self.unmapped.add_line(posting.account, posting.amount) {
            return Ok(None);
        }
        // Codes no rule maps are distinct local codes too: they count
        // against the limit, or their list would grow without bound.
        if self.cube.locals.len() + self.unmapped.len() >= self.limits.local_codes {
            return self.too_many_codes(posting);
        }
        let crosswalk = &self.program.crosswalks[self.entity.crosswalk];
        let error = match crosswalk.map(posting.account) {
            Ok(mapped) => return Ok(Some(self.add_local(path, posting, mapped))),
            Err(error) => error,
        };
        let shape = error == MapError::Shape;
        let file = self.path_index(path);
        self.unmapped.insert(
            posting.account,
            Unmapped {
                error,
                lines: 1,
                amount: posting.amount,
                file,
                line: posting.line,
            },
        );
        if !shape {
            return Ok(None);
        }
        Err(Diagnostic::error(
            Code::CodeShape,
            format!(
                "local code `{}` does not fit structure `{}` ({})",
                posting.account,
                crosswalk.structure.name,
                crosswalk.structure.shape()
            ),
        )
        .at(posting.span(Role::Account), "this code")
        .help(format!(
            "entity `{}` writes its codes as {}; check the export's account column",
            self.entity.name,
            crosswalk.structure.shape()
        )))
    }

    /// The index of a file in [`EntityReader::paths`], added if new.
    fn path_index(&mut self, path: &str) -> u32 {
        let index = match self.paths.iter().position(|p| p == path) {
            Some(index) => index,
            None => {
                self.paths.push(path.to_string());
                self.paths.len() - 1
            }
        };
        u32::try_from(index).unwrap_or(u32::MAX)
    }

    /// A code mapped for the first time: its id.
    fn add_local(&mut self, path: &str, posting: &Posting<'_>, mapped: Mapped) -> usize {
        let local = self.cube.locals.len();
        self.cube
            .by_chart
            .entry(mapped.target)
            .or_default()
            .push(local);
        self.cube.locals.push(LocalCode {
            code: posting.account.to_string(),
            mapped,
            lines: BTreeMap::new(),
            first_seen: format!("{path}:{}", posting.line),
        });
        self.by_code.insert(posting.account.to_string(), local);
        local
    }

    /// The `local-codes` limit, reported once.
    fn too_many_codes(&mut self, posting: &Posting<'_>) -> Result<Option<usize>> {
        if self.capacity_reported {
            return Ok(None);
        }
        self.capacity_reported = true;
        Err(Diagnostic::error(
            Code::LimitExceeded,
            format!(
                "entity `{}` has more than {} distinct local codes",
                self.entity.name, self.limits.local_codes
            ),
        )
        .at(posting.span(Role::Account), "one too many")
        .help("is the account column right? raise the limit with --limit local-codes=N"))
    }
}

/// The files of a source: the file it names, or the `.csv` files of the
/// folder it names.
fn source_files(project: &Project, source: &SourceDef) -> Result<Vec<String>> {
    let files = project.expand(&source.path).map_err(|error| {
        let what = format!("source `{}`", source.path);
        let diagnostic = crate::project::read_error(&what, &error).at(source.span, "declared here");
        match diagnostic.help {
            Some(_) => diagnostic,
            None => diagnostic.help("source paths are relative to the project root"),
        }
    })?;
    if files.is_empty() {
        return Err(Diagnostic::error(
            Code::NoData,
            format!("source folder `{}` holds no `.csv` file", source.path),
        )
        .at(source.span, "declared here")
        .help("put the exports in the folder, or name the file itself"));
    }
    Ok(files)
}

/// The SHA-256 and size of a file, read block by block.
fn hash_file(path: &std::path::Path) -> std::io::Result<(String, usize)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut digest = crate::digest::Sha256Stream::default();
    let mut block = vec![0u8; 1 << 20];
    let mut bytes = 0;
    loop {
        let read = file.read(&mut block)?;
        if read == 0 {
            return Ok((digest.finish(), bytes));
        }
        digest.update(&block[..read]);
        bytes += read;
    }
}

/// An export whose postings are those of another, in other bytes.
fn same_postings(path: &str, twin: &str, postings: usize, source: &SourceDef) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateName,
        format!("`{path}` holds the same {postings} postings as `{twin}`"),
    )
    .at(source.span, "declared here")
    .note("the bytes differ (line ends, header spacing, encoding or order), the postings do not")
    .help(
        "it is the same export twice; declare it once: counting it twice would double its amounts",
    )
}

/// An export read a second time, by the same path or another.
fn read_twice(path: &str, twin: &str, source: &SourceDef) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateName,
        if twin == path {
            format!("`{path}` is declared twice")
        } else {
            format!("`{path}` is read twice: it has the same content as `{twin}`")
        },
    )
    .at(source.span, "declared here")
    .help("each export is declared once; counting it twice would double its amounts")
}
