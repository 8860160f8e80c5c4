//! The ledger checks, once an entity is read: codes no rule maps or two
//! rules claim, balances (opening balances and postings of each year, each
//! journal entry), conservation (the sum mapped is the sum read) and
//! continuity (each year opens where the one before closed).

use super::build::EntityReader;
use super::unmapped::{LISTED_AMBIGUOUS, LISTED_UNMAPPED, Refusal, Unmapped};
use crate::calendar;
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest;
use crate::mapping::{DimensionBody, MapError};
use crate::model::{Kind, SourceRole};
use crate::money::Amount;
use crate::project::Project;
use crate::source::{Sources, Span};
use std::collections::BTreeSet;

/// The unbalanced journal entries reported one by one; the rest are counted.
const ENTRIES_SHOWN: usize = 20;

/// The codes whose opening does not follow on listed in a continuity error.
const BREAKS_SHOWN: usize = 12;

/// Opening balances or postings of one year, as their balance check sees them.
struct Side<'c> {
    role: SourceRole,
    what: &'static str,
    net: Amount,
    lines: u64,
    files: &'c BTreeSet<String>,
}

impl EntityReader<'_> {
    /// After reading: unmapped and ambiguous codes, balances, conservation,
    /// continuity.
    pub(super) fn finish(
        &mut self,
        sources: &mut Sources,
        project: &Project,
        errors: &mut Vec<Diagnostic>,
        complete: bool,
    ) {
        self.report_unmapped(sources, project, errors);
        if complete && self.unmapped.is_empty() {
            self.check_balances(errors);
            self.check_entries(sources, project, errors);
            self.check_split_entries(sources, project, errors);
            self.check_conservation(errors);
            if errors.is_empty() {
                self.check_continuity(errors);
            }
        }
    }

    fn report_unmapped(
        &self,
        sources: &mut Sources,
        project: &Project,
        errors: &mut Vec<Diagnostic>,
    ) {
        if let Some(error) = self.unmapped_codes(sources, project) {
            errors.push(error);
        }
        let before = errors.len();
        errors.extend(
            self.unmapped
                .listed(Refusal::Ambiguous)
                .filter_map(|(code, info)| self.ambiguous(code, info))
                .take(LISTED_AMBIGUOUS),
        );
        // The others are counted on the last error listed, not each printed.
        let shown = errors.len() - before;
        let more = self
            .unmapped
            .count(Refusal::Ambiguous)
            .saturating_sub(shown);
        if more > 0
            && let Some(last) = errors.last_mut()
        {
            last.notes.push(format!(
                "and {more} more code{} claimed by two rules",
                if more == 1 { "" } else { "s" }
            ));
        }
    }

    /// One error for every code no rule maps, at the first of them.
    fn unmapped_codes(&self, sources: &mut Sources, project: &Project) -> Option<Diagnostic> {
        let crosswalk = &self.program.crosswalks[self.entity.crosswalk];
        let unmapped = || self.unmapped.listed(Refusal::Unmapped);
        let count = self.unmapped.count(Refusal::Unmapped);
        let (first_code, first) = unmapped().next()?;
        let mut diagnostic = Diagnostic::error(
            Code::Unmapped,
            format!(
                "{count} local code{} of entity `{}` {} mapped by no rule of crosswalk `{}`",
                if count == 1 { "" } else { "s" },
                self.entity.name,
                if count == 1 { "is" } else { "are" },
                crosswalk.name
            ),
        );
        let first_file = self.path_of(first);
        if let Some(span) = self.excerpt(sources, project, first_file, first.line, first_code) {
            diagnostic = diagnostic.at(span, "first unmapped code");
        }
        for (code, info) in unmapped().take(LISTED_UNMAPPED) {
            diagnostic = diagnostic.note(format!(
                "`{code}`: {} line{}, amount {}, first at {}:{}",
                info.lines,
                if info.lines == 1 { "" } else { "s" },
                info.amount,
                self.path_of(info),
                info.line
            ));
        }
        if let Some(more) = count.checked_sub(LISTED_UNMAPPED).filter(|n| *n > 0) {
            diagnostic = diagnostic.note(format!(
                "and {more} more code{}",
                if more == 1 { "" } else { "s" }
            ));
        }
        Some(diagnostic.also(crosswalk.span, "crosswalk").help(
            "add a rule for each code (exact, pattern or segment range) to the crosswalk, or to its CSV table",
        ))
    }

    /// The file of an unmapped code's first posting.
    fn path_of(&self, info: &Unmapped) -> &str {
        self.paths
            .get(info.file as usize)
            .map_or("", String::as_str)
    }

    /// A code two rules (or two cases of a dimension) claim with equal precedence.
    fn ambiguous(&self, code: &str, info: &Unmapped) -> Option<Diagnostic> {
        let crosswalk = &self.program.crosswalks[self.entity.crosswalk];
        match info.error {
            MapError::Ambiguous(a, b) => {
                let (first, second) = (&crosswalk.rules[a], &crosswalk.rules[b]);
                let chart = &self.program.chart.accounts;
                Some(Diagnostic::error(
                    Code::AmbiguousRules,
                    format!(
                        "local code `{code}` is claimed by two rules of equal precedence: `{}` and `{}`",
                        chart[first.target].code, chart[second.target].code
                    ),
                )
                .at(second.span, format!("maps it to `{}`", chart[second.target].code))
                .also(first.span, format!("maps it to `{}`", chart[first.target].code))
                .note(format!("{} line{}, first at {}:{}", info.lines, if info.lines == 1 { "" } else { "s" }, self.path_of(info), info.line))
                .help("make one rule more specific, or give it `priority 1`"))
            }
            MapError::AmbiguousDimension(rule, a, b) => {
                let DimensionBody::Cases(cases) = &crosswalk.dimension_rules[rule].body else {
                    return None;
                };
                Some(
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
                )
            }
            _ => None,
        }
    }

    /// The opening balances and the postings of each year sum to zero.
    fn check_balances(&self, errors: &mut Vec<Diagnostic>) {
        for (year, totals) in &self.cube.reconciliation {
            let sides = [
                Side {
                    role: SourceRole::Opening,
                    what: "opening balances",
                    net: totals.opening_net,
                    lines: totals.opening_lines,
                    files: &totals.opening_files,
                },
                Side {
                    role: SourceRole::Ledger,
                    what: "postings",
                    net: totals.ledger_net,
                    lines: totals.ledger_lines,
                    files: &totals.ledger_files,
                },
            ];
            for side in sides {
                if !side.net.is_zero() {
                    errors.push(self.unbalanced(*year, &side));
                }
            }
        }
    }

    fn unbalanced(&self, year: i32, side: &Side<'_>) -> Diagnostic {
        let Side {
            role,
            what,
            net,
            lines,
            files,
        } = *side;
        let excess = if net.is_negative() {
            format!("credits exceed debits by {}", net.abs())
        } else {
            format!("debits exceed credits by {net}")
        };
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let diagnostic = Diagnostic::error(
            Code::UnbalancedLedger,
            format!(
                "the {what} of `{}` for {} do not balance: {excess}",
                self.entity.name,
                calendar::label(year)
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
        match declared {
            Some(source) => diagnostic.at(
                source.span,
                format!("{what} of {} declared here", calendar::label(year)),
            ),
            None => diagnostic,
        }
    }

    /// Every journal entry sums to zero.
    fn check_entries(
        &self,
        sources: &mut Sources,
        project: &Project,
        errors: &mut Vec<Diagnostic>,
    ) {
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
        for (year, reference, (net, file, line)) in unbalanced.iter().take(ENTRIES_SHOWN) {
            let mut diagnostic = Diagnostic::error(
                Code::UnbalancedEntry,
                format!(
                    "journal entry `{reference}` ({}) does not balance: off by {net}",
                    calendar::label(*year)
                ),
            );
            if let Some(span) = self.excerpt(sources, project, file, *line, reference) {
                diagnostic = diagnostic.at(span, "first line of the entry");
            }
            errors.push(diagnostic.help("the debits and credits of an entry must be equal"));
        }
        if unbalanced.len() > ENTRIES_SHOWN {
            errors.push(Diagnostic::error(
                Code::UnbalancedEntry,
                format!(
                    "and {} more unbalanced journal entries",
                    unbalanced.len() - ENTRIES_SHOWN
                ),
            ));
        }
    }

    /// No journal entry has postings in two exports: overlapping exports
    /// (a period exported twice) would count the overlap twice, and the
    /// entries would still balance. One error per pair of files.
    fn check_split_entries(
        &self,
        sources: &mut Sources,
        project: &Project,
        errors: &mut Vec<Diagnostic>,
    ) {
        for ((first, second), split) in self.twins.splits_to_report() {
            let mut diagnostic = Diagnostic::error(
                Code::SplitEntry,
                format!(
                    "journal entry `{}` ({}) has postings in `{first}` and in `{second}`",
                    split.reference,
                    calendar::label(split.year)
                ),
            );
            if let Some(span) = self.excerpt(sources, project, second, split.line, &split.reference)
            {
                diagnostic = diagnostic.at(span, "a posting of the entry in the second file");
            }
            if split.entries > 1 {
                diagnostic = diagnostic.note(format!(
                    "{} entries in all have postings in both files",
                    split.entries
                ));
            }
            errors.push(diagnostic.help(
                "an entry belongs to one export: do the two overlap (a period exported twice, or a partial copy)?",
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
            let breaks = self.continuity_breaks(before, year);
            if !breaks.is_empty() {
                errors.push(self.continuity_error(before, year, &breaks));
            }
        }
    }

    /// The chart codes (and the accumulated surplus) whose opening of `year`
    /// is not the closing of `before`, each described.
    fn continuity_breaks(&self, before: i32, year: i32) -> Vec<String> {
        let chart = &self.program.chart.accounts;
        let (closing, opening) = self.closing_and_opening(before, year);
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
                .filter(|(_, account)| account.kind == Kind::AccumulatedSurplus)
                .try_fold(Amount::ZERO, |sum, (code, _)| sum.checked_add(values[code]))
        };
        let mut breaks = Vec::new();
        for (code, account) in chart.iter().enumerate() {
            let expected = match account.kind {
                Kind::AccumulatedSurplus => continue,
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
        breaks
    }

    /// Per chart code: the closing balance of `before` and the opening
    /// balance of `year`.
    fn closing_and_opening(&self, before: i32, year: i32) -> (Vec<Amount>, Vec<Amount>) {
        let codes = self.program.chart.accounts.len();
        let mut closing = vec![Amount::ZERO; codes];
        let mut opening = vec![Amount::ZERO; codes];
        for (cell, amount) in &self.cube.cells {
            let code = self.cube.locals[cell.local].mapped.target;
            let slot = if cell.year == before {
                &mut closing[code]
            } else if cell.year == year && cell.period == calendar::OPENING {
                &mut opening[code]
            } else {
                continue;
            };
            *slot = slot.checked_add(*amount).unwrap_or(*slot);
        }
        (closing, opening)
    }

    fn continuity_error(&self, before: i32, year: i32, breaks: &[String]) -> Diagnostic {
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
        diagnostic = match declared {
            Some(source) => diagnostic.at(
                source.span,
                format!("opening balances of {}", calendar::label(year)),
            ),
            None => diagnostic.note(format!(
                "no opening balances are declared for {}",
                calendar::label(year)
            )),
        };
        let shown = breaks.len().min(BREAKS_SHOWN);
        for line in &breaks[..shown] {
            diagnostic = diagnostic.note(line.clone());
        }
        if breaks.len() > shown {
            diagnostic = diagnostic.note(format!("and {} more codes", breaks.len() - shown));
        }
        diagnostic.help(
            "the opening balances of a year are the prior year's closing trial balance, with revenues and expenses closed into the accumulated surplus",
        )
    }

    /// The cells of each year sum to what was read; records the sum mapped.
    fn check_conservation(&mut self, errors: &mut Vec<Diagnostic>) {
        // Every line read is placed in a year: the debits and credits read
        // are those placed (nets alone would not see a balanced entry lost).
        match self.cube.read_and_placed() {
            Some((read, placed)) if read == placed => {}
            found => errors.push(Diagnostic::error(
                Code::Conservation,
                format!(
                    "internal error: `{}`: debits and credits read and placed differ: {found:?}",
                    self.entity.name
                ),
            )),
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

    /// Registers line `line` of a ledger as an excerpt and returns the span
    /// of `needle` in it (or of the whole line). The line is read again as
    /// the build read it: in the encoding its format declares, under the
    /// project's limits.
    fn excerpt(
        &self,
        sources: &mut Sources,
        project: &Project,
        file: &str,
        line: usize,
        needle: &str,
    ) -> Option<Span> {
        let format = &self.program.formats[*self.formats.get(file)?];
        let mut bytes = project
            .ledger_path(file)
            .and_then(std::fs::File::open)
            .ok()?;
        let content = ingest::export_line(&mut bytes, format.dialect.encoding, line)?;
        let (start, end) = match content.find(needle) {
            Some(start) => (start, start + needle.len()),
            None => (0, content.len()),
        };
        let id = sources.add_excerpt(file, content, line);
        Some(Span::new(id, start, end))
    }
}

/// Whether a file read comes from a declared source path (itself or its folder).
fn is_under(file: &str, source: &str) -> bool {
    file == source || file.starts_with(&format!("{}/", source.trim_end_matches('/')))
}
