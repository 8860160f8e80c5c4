//! The cube: every posting of every entity, mapped and summed by
//! (fiscal year, local code, period, movement). Memory grows with the number
//! of distinct keys, never with the number of ledger lines. Reading also
//! proves conservation and balance: per entity and year the sum mapped equals
//! the sum read, opening balances and postings each sum to zero, and so does
//! every journal entry.

use crate::calendar;
use crate::diagnostic::{Code, Diagnostic, Result};
use crate::ingest::{self, Movement, Posting, ReadSummary, Role};
use crate::mapping::{MapError, Mapped};
use crate::model::{EntityDef, Program, SourceRole};
use crate::money::Amount;
use crate::project::Project;
use crate::source::Sources;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod fast;

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
    /// Read on the fast path (see [`fast`]); the precise reader leaves it false.
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

#[derive(Debug)]
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
/// Each entity is read on the fast path ([`fast`]) first; if that path
/// doubts, the precise reader reads the entity again and reports.
pub fn build(
    program: &Program,
    project: &Project,
    sources: &mut Sources,
    options: &ReadOptions<'_>,
) -> Result<Cube> {
    let oldest = program
        .reports
        .iter()
        .flat_map(|r| &r.columns)
        .map(|c| c.years_back)
        .max()
        .unwrap_or(0);
    let years: Vec<i32> = (program.fiscal_year - oldest as i32..=program.fiscal_year).collect();
    if let Some(progress) = options.progress {
        let total = fast::ledger_bytes(program, project);
        progress
            .total
            .store(total, std::sync::atomic::Ordering::Relaxed);
    }
    let mut errors = Vec::new();
    let mut entities = Vec::new();
    for entity in &program.entities {
        let mut reader = EntityReader::new(program, entity, &years);
        reader.local_limit = project.limits.local_codes;
        let before = errors.len();
        let fast = match options.precise {
            true => Err(fast::Doubt("the precise reader was asked for")),
            false => fast::read_entity(program, entity, project, &years, options),
        };
        match fast {
            Ok(cube) => reader.cube = cube,
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

struct EntityReader<'p> {
    program: &'p Program,
    entity: &'p EntityDef,
    years: &'p [i32],
    cube: EntityCube,
    by_code: HashMap<String, usize>,
    /// Local codes that could not be mapped: code → (error, lines, amount, first location).
    unmapped: BTreeMap<String, Unmapped>,
    /// Per fiscal year, per journal reference: (net, file and line of its first posting).
    entries: BTreeMap<i32, HashMap<String, (Amount, String, usize)>>,
    /// Files whose out-of-range dates were already reported (once per file).
    dates_reported: BTreeSet<String>,
    /// An overflow or the local-code limit was reported: once is enough.
    capacity_reported: bool,
    /// Most distinct local codes allowed (the `local-codes` limit).
    local_limit: usize,
}

struct Unmapped {
    error: MapError,
    lines: u64,
    amount: Amount,
    file: String,
    line: usize,
}

impl<'p> EntityReader<'p> {
    fn new(program: &'p Program, entity: &'p EntityDef, years: &'p [i32]) -> EntityReader<'p> {
        EntityReader {
            program,
            entity,
            years,
            cube: EntityCube::default(),
            by_code: HashMap::new(),
            unmapped: BTreeMap::new(),
            entries: BTreeMap::new(),
            dates_reported: BTreeSet::new(),
            capacity_reported: false,
            local_limit: usize::MAX,
        }
    }

    fn read_sources(
        &mut self,
        project: &Project,
        sources: &mut Sources,
        errors: &mut Vec<Diagnostic>,
    ) {
        for source in &self.entity.sources {
            let files = match project.expand(&source.path) {
                Ok(files) => files,
                Err(error) => {
                    let what = format!("source `{}`", source.path);
                    let mut diagnostic =
                        crate::project::read_error(&what, &error).at(source.span, "declared here");
                    if diagnostic.help.is_none() {
                        diagnostic =
                            diagnostic.help("source paths are relative to the project root");
                    }
                    errors.push(diagnostic);
                    continue;
                }
            };
            if files.is_empty() {
                errors.push(
                    Diagnostic::error(
                        Code::NoData,
                        format!("source folder `{}` holds no `.csv` file", source.path),
                    )
                    .at(source.span, "declared here")
                    .help("put the exports in the folder, or name the file itself"),
                );
                continue;
            }
            let format = &self.program.formats[source.format];
            for path in files {
                let bytes = match project.read_ledger(&path) {
                    Ok(bytes) => bytes,
                    Err(error) => {
                        let what = format!("`{path}`");
                        errors.push(
                            crate::project::read_error(&what, &error)
                                .at(source.span, "declared here"),
                        );
                        continue;
                    }
                };
                let hash = crate::digest::sha256(&bytes);
                if let Some(twin) = self
                    .cube
                    .files
                    .iter()
                    .find(|f| f.sha256.as_ref() == Some(&hash))
                {
                    errors.push(
                        Diagnostic::error(
                            Code::DuplicateName,
                            if twin.path == path {
                                format!("`{path}` is declared twice")
                            } else {
                                format!("`{path}` is read twice: it has the same content as `{}`", twin.path)
                            },
                        )
                        .at(source.span, "declared here")
                        .help("each export is declared once; counting it twice would double its amounts"),
                    );
                    continue;
                }
                let (role, adjustments) = (source.role, source.adjustments);
                let mut sink =
                    |posting: &Posting<'_>| self.posting(&path, role, adjustments, posting);
                match ingest::read_export_limited(
                    &path,
                    &bytes,
                    &format.dialect,
                    &format.layout,
                    &project.limits,
                    sources,
                    &mut sink,
                ) {
                    Ok(summary) => {
                        if summary.records == 0 {
                            errors.push(
                                Diagnostic::error(Code::NoData, format!("`{path}` holds no posting"))
                                    .at(source.span, "declared here")
                                    .help("an export with only its header adds nothing: is it the right file?"),
                            );
                        }
                        self.cube.files.push(FileRead {
                            path,
                            role,
                            adjustments: source.adjustments,
                            summary,
                            bytes: bytes.len(),
                            sha256: Some(hash),
                        });
                    }
                    Err(mut found) => errors.append(&mut found),
                }
            }
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
    ) -> std::result::Result<(), Diagnostic> {
        let (year, period) = match self.period_of(role, posting) {
            Ok((year, _)) if adjustments => (year, calendar::ADJUSTMENTS),
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
        match self.accumulate(path, role, posting, cell) {
            // One overflow says it all; the run fails either way.
            Err(_) if self.capacity_reported => Ok(()),
            Err(diagnostic) => {
                self.capacity_reported = true;
                Err(diagnostic
                    .help("amounts this large cannot be real; look for a misplaced decimal mark"))
            }
            Ok(()) => Ok(()),
        }
    }

    /// Adds a mapped posting to its cell, the control totals and its entry.
    fn accumulate(
        &mut self,
        path: &str,
        role: SourceRole,
        posting: &Posting<'_>,
        cell: Cell,
    ) -> std::result::Result<(), Diagnostic> {
        let Cell { year, local, .. } = cell;
        let overflow = || {
            Diagnostic::error(
                Code::Overflow,
                "the running total overflows 28 significant digits",
            )
            .at(posting.span(Role::Amount), "adding this amount")
        };
        if role == SourceRole::Budget {
            let total = self.cube.budget.entry(cell).or_default();
            *total = total.checked_add(posting.amount).ok_or_else(overflow)?;
            let totals = self.cube.reconciliation.entry(year).or_default();
            totals.budget_lines += 1;
            if !totals.budget_files.contains(path) {
                totals.budget_files.insert(path.to_string());
            }
            return Ok(());
        }
        let total = self.cube.cells.entry(cell).or_default();
        *total = total.checked_add(posting.amount).ok_or_else(overflow)?;
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
        *net = net.checked_add(posting.amount).ok_or_else(overflow)?;
        *lines += 1;
        if posting.amount.is_negative() {
            totals.credits = totals
                .credits
                .checked_sub(posting.amount)
                .ok_or_else(overflow)?;
        } else {
            totals.debits = totals
                .debits
                .checked_add(posting.amount)
                .ok_or_else(overflow)?;
        }
        if role == SourceRole::Ledger && !posting.reference.is_empty() {
            let entries = self.entries.entry(year).or_default();
            match entries.get_mut(posting.reference) {
                Some((net, _, _)) => *net = net.checked_add(posting.amount).ok_or_else(overflow)?,
                None => {
                    entries.insert(
                        posting.reference.to_string(),
                        (posting.amount, path.to_string(), posting.line),
                    );
                }
            }
        }
        Ok(())
    }

    /// The entity a posting names as its counterparty, by its code.
    fn counterparty(&self, posting: &Posting<'_>) -> std::result::Result<Option<u16>, Diagnostic> {
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

    fn period_of(
        &self,
        role: SourceRole,
        posting: &Posting<'_>,
    ) -> std::result::Result<(i32, Period), Diagnostic> {
        let (year, period) = calendar::period_of(posting.date);
        let period = match role {
            SourceRole::Opening if calendar::opens_a_year(posting.date) => calendar::OPENING,
            SourceRole::Opening => {
                return Err(Diagnostic::error(
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
                )));
            }
            SourceRole::Ledger | SourceRole::Budget => period,
        };
        if !self.years.contains(&year) {
            let first = self.years.first().copied().unwrap_or(year);
            let last = self.years.last().copied().unwrap_or(year);
            return Err(Diagnostic::error(
                Code::DateOutOfRange,
                format!("posting dated {} falls in fiscal year {}, which this build does not cover", posting.date, calendar::label(year)),
            )
            .at(posting.span(Role::Date), "outside the years built")
            .help(format!(
                "this build covers the fiscal years {} to {}; remove the line or split the export by year",
                calendar::label(first),
                calendar::label(last)
            )));
        }
        Ok((year, period))
    }

    /// The local code id of a posting, mapping the code on first sight.
    /// `None` for a code that could not be mapped (reported after reading).
    fn local(
        &mut self,
        path: &str,
        posting: &Posting<'_>,
    ) -> std::result::Result<Option<usize>, Diagnostic> {
        if let Some(local) = self.by_code.get(posting.account) {
            return Ok(Some(*local));
        }
        if let Some(unmapped) = self.unmapped.get_mut(posting.account) {
            unmapped.lines += 1;
            unmapped.amount = unmapped
                .amount
                .checked_add(posting.amount)
                .unwrap_or(unmapped.amount);
            return Ok(None);
        }
        if self.cube.locals.len() >= self.local_limit {
            if self.capacity_reported {
                return Ok(None);
            }
            self.capacity_reported = true;
            return Err(Diagnostic::error(
                Code::LimitExceeded,
                format!(
                    "entity `{}` has more than {} distinct local codes",
                    self.entity.name, self.local_limit
                ),
            )
            .at(posting.span(Role::Account), "one too many")
            .help("is the account column right? raise the limit with --limit local-codes=N"));
        }
        let crosswalk = &self.program.crosswalks[self.entity.crosswalk];
        match crosswalk.map(posting.account) {
            Ok(mapped) => {
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
                Ok(Some(local))
            }
            Err(MapError::Shape) => {
                self.unmapped.insert(
                    posting.account.to_string(),
                    Unmapped {
                        error: MapError::Shape,
                        lines: 1,
                        amount: posting.amount,
                        file: path.to_string(),
                        line: posting.line,
                    },
                );
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
            Err(error) => {
                self.unmapped.insert(
                    posting.account.to_string(),
                    Unmapped {
                        error,
                        lines: 1,
                        amount: posting.amount,
                        file: path.to_string(),
                        line: posting.line,
                    },
                );
                Ok(None)
            }
        }
    }

    /// After reading: unmapped and ambiguous codes, balances, conservation.
    fn finish(
        &mut self,
        sources: &mut Sources,
        project: &Project,
        errors: &mut Vec<Diagnostic>,
        complete: bool,
    ) {
        self.report_unmapped(sources, project, errors);
        if complete && self.unmapped.is_empty() {
            self.check_balances(sources, project, errors);
            self.check_conservation(errors);
            if errors.is_empty() {
                self.check_continuity(errors);
            }
        }
    }

    fn report_unmapped(
        &mut self,
        sources: &mut Sources,
        project: &Project,
        errors: &mut Vec<Diagnostic>,
    ) {
        let crosswalk = &self.program.crosswalks[self.entity.crosswalk];
        let unmapped: Vec<(&String, &Unmapped)> = self
            .unmapped
            .iter()
            .filter(|(_, u)| u.error == MapError::Unmapped)
            .collect();
        if let Some((first_code, first)) = unmapped.first() {
            let mut diagnostic = Diagnostic::error(
                Code::Unmapped,
                format!(
                    "{} local code{} of entity `{}` {} mapped by no rule of crosswalk `{}`",
                    unmapped.len(),
                    if unmapped.len() == 1 { "" } else { "s" },
                    self.entity.name,
                    if unmapped.len() == 1 { "is" } else { "are" },
                    crosswalk.name
                ),
            );
            if let Some(span) = excerpt(sources, project, &first.file, first.line, first_code) {
                diagnostic = diagnostic.at(span, "first unmapped code");
            }
            for (code, info) in &unmapped {
                diagnostic = diagnostic.note(format!(
                    "`{code}`: {} line{}, amount {}, first at {}:{}",
                    info.lines,
                    if info.lines == 1 { "" } else { "s" },
                    info.amount,
                    info.file,
                    info.line
                ));
            }
            errors.push(diagnostic.also(crosswalk.span, "crosswalk").help(
                "add a rule for each code (exact, pattern or segment range) to the crosswalk, or to its CSV table",
            ));
        }
        for (code, info) in &self.unmapped {
            if let MapError::Ambiguous(a, b) = info.error {
                let (first, second) = (&crosswalk.rules[a], &crosswalk.rules[b]);
                let chart = &self.program.chart.accounts;
                errors.push(
                    Diagnostic::error(
                        Code::AmbiguousRules,
                        format!(
                            "local code `{code}` is claimed by two rules of equal precedence: `{}` and `{}`",
                            chart[first.target].code, chart[second.target].code
                        ),
                    )
                    .at(second.span, format!("maps it to `{}`", chart[second.target].code))
                    .also(first.span, format!("maps it to `{}`", chart[first.target].code))
                    .note(format!("{} line{}, first at {}:{}", info.lines, if info.lines == 1 { "" } else { "s" }, info.file, info.line))
                    .help("make one rule more specific, or give it `priority 1`"),
                );
            }
            if let MapError::AmbiguousDimension(rule, a, b) = info.error
                && let crate::mapping::DimensionBody::Cases(cases) =
                    &crosswalk.dimension_rules[rule].body
            {
                errors.push(
                    Diagnostic::error(
                        Code::AmbiguousRules,
                        format!(
                            "local code `{code}` gets two values of one dimension: `{}` and `{}`",
                            cases[a].value, cases[b].value
                        ),
                    )
                    .at(cases[b].span, "this case")
                    .also(cases[a].span, "and this one")
                    .help("make one case more specific"),
                );
            }
        }
    }

    fn check_balances(
        &mut self,
        sources: &mut Sources,
        project: &Project,
        errors: &mut Vec<Diagnostic>,
    ) {
        for (year, totals) in &self.cube.reconciliation {
            for (role, what, net, lines, files) in [
                (
                    SourceRole::Opening,
                    "opening balances",
                    totals.opening_net,
                    totals.opening_lines,
                    &totals.opening_files,
                ),
                (
                    SourceRole::Ledger,
                    "postings",
                    totals.ledger_net,
                    totals.ledger_lines,
                    &totals.ledger_files,
                ),
            ] {
                if net.is_zero() {
                    continue;
                }
                let excess = if net.is_negative() {
                    format!("credits exceed debits by {}", net.abs())
                } else {
                    format!("debits exceed credits by {net}")
                };
                let files: Vec<&str> = files.iter().map(String::as_str).collect();
                let mut diagnostic = Diagnostic::error(
                    Code::UnbalancedLedger,
                    format!(
                        "the {what} of `{}` for {} do not balance: {excess}",
                        self.entity.name,
                        calendar::label(*year)
                    ),
                )
                .note(format!(
                    "{lines} line{} read from {}",
                    if lines == 1 { "" } else { "s" },
                    files.join(", ")
                ))
                .help(match role {
                    SourceRole::Budget => "",
                    SourceRole::Opening => "opening balances are a trial balance: their debits and credits must be equal; look for a missing account line",
                    SourceRole::Ledger => "an export must hold whole journal entries; look for a missing or truncated file",
                });
                let declared = self.entity.sources.iter().find(|source| {
                    source.role == role && files.iter().any(|file| is_under(file, &source.path))
                });
                if let Some(source) = declared {
                    diagnostic = diagnostic.at(
                        source.span,
                        format!("{what} of {} declared here", calendar::label(*year)),
                    );
                }
                errors.push(diagnostic);
            }
        }
        let mut unbalanced: Vec<(i32, &String, &(Amount, String, usize))> = self
            .entries
            .iter()
            .flat_map(|(year, entries)| {
                entries
                    .iter()
                    .map(move |(reference, entry)| (*year, reference, entry))
            })
            .filter(|(_, _, (net, _, _))| !net.is_zero())
            .collect();
        unbalanced.sort_by(|a, b| (&a.2.1, a.2.2).cmp(&(&b.2.1, b.2.2)));
        for (year, reference, (net, file, line)) in unbalanced.iter().take(20) {
            let mut diagnostic = Diagnostic::error(
                Code::UnbalancedEntry,
                format!(
                    "journal entry `{reference}` ({}) does not balance: off by {net}",
                    calendar::label(*year)
                ),
            );
            if let Some(span) = excerpt(sources, project, file, *line, reference) {
                diagnostic = diagnostic.at(span, "first line of the entry");
            }
            errors.push(diagnostic.help("the debits and credits of an entry must be equal"));
        }
        if unbalanced.len() > 20 {
            errors.push(Diagnostic::error(
                Code::UnbalancedEntry,
                format!(
                    "and {} more unbalanced journal entries",
                    unbalanced.len() - 20
                ),
            ));
        }
    }

    /// Each year opens where the one before closed: balance-sheet codes carry
    /// their closing balance, revenues and expenses open at zero, and the
    /// accumulated surplus opens at its closing plus the year's result.
    fn check_continuity(&self, errors: &mut Vec<Diagnostic>) {
        let years: Vec<i32> = self.cube.reconciliation.keys().copied().collect();
        for pair in years.windows(2) {
            let (before, year) = (pair[0], pair[1]);
            if year != before + 1 {
                continue;
            }
            let chart = &self.program.chart.accounts;
            let mut closing = vec![Amount::ZERO; chart.len()];
            let mut opening = vec![Amount::ZERO; chart.len()];
            for (cell, amount) in &self.cube.cells {
                let code = self.cube.locals[cell.local].mapped.target;
                let slot = if cell.year == before {
                    &mut closing[code]
                } else if cell.year == year && cell.period == 0 {
                    &mut opening[code]
                } else {
                    continue;
                };
                *slot = slot.checked_add(*amount).unwrap_or(*slot);
            }
            let result = chart
                .iter()
                .enumerate()
                .filter(|(_, account)| account.kind.is_flow())
                .try_fold(Amount::ZERO, |sum, (code, _)| {
                    sum.checked_add(closing[code])
                });
            let surplus = |values: &[Amount]| {
                chart
                    .iter()
                    .enumerate()
                    .filter(|(_, account)| account.kind == crate::model::Kind::AccumulatedSurplus)
                    .try_fold(Amount::ZERO, |sum, (code, _)| sum.checked_add(values[code]))
            };
            let mut breaks = Vec::new();
            for (code, account) in chart.iter().enumerate() {
                let expected = match account.kind {
                    crate::model::Kind::AccumulatedSurplus => continue,
                    kind if kind.is_flow() => Amount::ZERO,
                    _ => closing[code],
                };
                if opening[code] != expected {
                    breaks.push(format!(
                        "`{}` {}: opens at {} (debit), closed at {}",
                        account.code, account.label, opening[code], expected
                    ));
                }
            }
            let expected_surplus = surplus(&closing)
                .zip(result)
                .and_then(|(s, r)| s.checked_add(r));
            if surplus(&opening) != expected_surplus {
                breaks.push(format!(
                    "accumulated surplus: opens at {} (debit), closed at {} once the result is carried",
                    surplus(&opening).unwrap_or_default(),
                    expected_surplus.unwrap_or_default()
                ));
            }
            if breaks.is_empty() {
                continue;
            }
            let mut diagnostic = Diagnostic::error(
                Code::Continuity,
                format!(
                    "the opening balances of `{}` for {} are not the closing balances of {}",
                    self.entity.name,
                    calendar::label(year),
                    calendar::label(before)
                ),
            );
            let files = self
                .cube
                .reconciliation
                .get(&year)
                .map(|r| &r.opening_files);
            let declared = self.entity.sources.iter().find(|source| {
                source.role == SourceRole::Opening
                    && files.is_some_and(|files| files.iter().any(|f| is_under(f, &source.path)))
            });
            match declared {
                Some(source) => {
                    diagnostic = diagnostic.at(
                        source.span,
                        format!("opening balances of {}", calendar::label(year)),
                    );
                }
                None => {
                    diagnostic = diagnostic.note(format!(
                        "no opening balances are declared for {}",
                        calendar::label(year)
                    ));
                }
            }
            let shown = breaks.len().min(12);
            for line in &breaks[..shown] {
                diagnostic = diagnostic.note(line.clone());
            }
            if breaks.len() > shown {
                diagnostic = diagnostic.note(format!("and {} more codes", breaks.len() - shown));
            }
            errors.push(diagnostic.help(
                "the opening balances of a year are the prior year's closing trial balance, with revenues and expenses closed into the accumulated surplus",
            ));
        }
    }

    fn check_conservation(&mut self, errors: &mut Vec<Diagnostic>) {
        if !self.unmapped.is_empty() {
            return;
        }
        for (year, totals) in self.cube.reconciliation.iter_mut() {
            let cells = self
                .cube
                .cells
                .iter()
                .filter(|(cell, _)| cell.year == *year)
                .map(|(_, amount)| *amount);
            let read = totals.opening_net.checked_add(totals.ledger_net);
            match (crate::money::checked_sum(cells), read) {
                (Some(mapped), Some(read)) if mapped == read => totals.mapped_net = mapped,
                (mapped, read) => errors.push(Diagnostic::error(
                    Code::Conservation,
                    format!(
                        "internal error: `{}` {}: sum read {read:?} differs from sum mapped {mapped:?}",
                        self.entity.name,
                        calendar::label(*year)
                    ),
                )),
            }
        }
    }
}

/// Whether a file read comes from a declared source path (itself or its folder).
fn is_under(file: &str, source: &str) -> bool {
    file == source || file.starts_with(&format!("{}/", source.trim_end_matches('/')))
}

/// Registers the line `line` of a data file as an excerpt and returns the span
/// of `needle` in it (or of the whole line).
fn excerpt(
    sources: &mut Sources,
    project: &Project,
    file: &str,
    line: usize,
    needle: &str,
) -> Option<crate::source::Span> {
    let bytes = project.read(file).ok()?;
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    let text = match std::str::from_utf8(&bytes) {
        Ok(utf8) => std::borrow::Cow::Borrowed(utf8),
        Err(_) => text,
    };
    let content = text.lines().nth(line.checked_sub(1)?)?;
    let start = content.find(needle).unwrap_or(0);
    let end = if content.contains(needle) {
        start + needle.len()
    } else {
        content.len()
    };
    let id = sources.add_excerpt(file, content.to_string(), line);
    Some(crate::source::Span::new(id, start, end))
}

/// Distinct years with data for an entity.
pub fn years_with_data(cube: &EntityCube) -> BTreeSet<i32> {
    cube.reconciliation.keys().copied().collect()
}
