//! `diff`: the same ledgers built twice, with the crosswalk rules valid on
//! two dates, and every figure that moved between the two, with the local
//! codes whose mapping changed, the rules before and after, and how much of
//! the movement each accounts for.

use crate::calendar;
use crate::cube::EntityCube;
use crate::diagnostic::{Code, Diagnostic, Result};
use crate::eval;
use crate::mapping::Mapped;
use crate::model::{FigureId, Program, ReportDef};
use crate::money::Amount;
use crate::pipeline::{self, Built};
use crate::project::Project;
use crate::render::french;
use crate::source::{Sources, Span};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One side of the comparison: the program checked for one date, and what
/// it built.
struct Side {
    program: Program,
    built: Built,
}

/// A local code of one entity whose harmonized code or dimensions differ
/// between the two sides (indices into each side's cube).
struct Moved<'a> {
    code: &'a str,
    before: usize,
    after: usize,
}

/// Builds the project with the rules valid on `from` and on `to` and
/// describes, in French, every figure that differs. Fails as `build` does
/// when either side cannot be built.
pub fn diff(
    project: &Project,
    sources: &mut Sources,
    (from, to): (NaiveDate, NaiveDate),
    entity: Option<&str>,
    reading: &crate::cube::ReadOptions<'_>,
) -> Result<String> {
    let programs = pipeline::check_project_versions(project, sources, &[Some(from), Some(to)])?;
    let mut sides = Vec::new();
    for program in programs {
        let built = pipeline::run(&program, project, sources, reading)?;
        sides.push(Side { program, built });
    }
    let [before, after] = <[Side; 2]>::try_from(sides).map_err(|_| Vec::new())?;
    let scopes = &before.built.figures.scopes;
    let chosen: Vec<usize> = match entity {
        Some(name) => match scopes.iter().position(|scope| scope.name == name) {
            Some(index) => vec![index],
            None => {
                let names: Vec<&str> = scopes.iter().map(|s| s.name.as_str()).collect();
                return Err(vec![
                    Diagnostic::error(Code::UnknownName, format!("no entity or group `{name}`"))
                        .help(format!("choose one of {}", names.join(", "))),
                ]);
            }
        },
        None => (0..scopes.len()).collect(),
    };
    Ok(Comparison {
        before: &before,
        after: &after,
        sources,
        from,
        to,
    }
    .render(&chosen))
}

/// Every figure's exact value had only one code moved (see `effects`).
type Effect = Option<Vec<Amount>>;

struct Comparison<'a> {
    before: &'a Side,
    after: &'a Side,
    sources: &'a Sources,
    from: NaiveDate,
    to: NaiveDate,
}

/// How many figures were compared and how many moved.
#[derive(Default)]
struct Counts {
    compared: usize,
    moved: usize,
}

/// A whole-year column of a report compared on both sides: its year, the
/// year's index among the figures, and each moved code's effect in it.
struct YearColumn {
    year: i32,
    year_index: usize,
    effects: Vec<Effect>,
}

impl Comparison<'_> {
    fn render(&self, chosen: &[usize]) -> String {
        let program = &self.before.program;
        let figures = &self.before.built.figures;
        let moved_codes: Vec<Vec<Moved<'_>>> = (0..program.entities.len())
            .map(|entity| self.moved_codes(entity))
            .collect();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Règles de correspondance au {} (avant) et au {} (après)",
            self.from, self.to
        );
        let mut counts = Counts::default();
        for &scope in chosen {
            let info = &figures.scopes[scope];
            let codes: Vec<(usize, &Moved<'_>)> = info
                .members
                .iter()
                .flat_map(|member| moved_codes[*member].iter().map(move |m| (*member, m)))
                .collect();
            let mut scope_text = String::new();
            for report in &program.reports {
                let report_text = self.report_changes(report, scope, &codes, &mut counts);
                if !report_text.is_empty() {
                    let _ = writeln!(scope_text, "  {} ({})", report.label, report.name);
                    scope_text.push_str(&report_text);
                }
            }
            if !scope_text.is_empty() {
                let _ = writeln!(out, "\n{} ({})", info.label, info.name);
                out.push_str(&scope_text);
            }
        }
        let reclassified: usize = chosen
            .iter()
            .flat_map(|scope| &figures.scopes[*scope].members)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|member| moved_codes[*member].len())
            .sum();
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", summary(&counts, reclassified));
        out
    }

    /// The figures of one report of one scope that moved, with why.
    fn report_changes(
        &self,
        report: &ReportDef,
        scope: usize,
        codes: &[(usize, &Moved<'_>)],
        counts: &mut Counts,
    ) -> String {
        let program = &self.before.program;
        let shown = |amount: Amount| french(amount, report.rounding.unit.scale());
        let columns = self.year_columns(report, scope, codes);
        let mut report_text = String::new();
        for row in &report.rows {
            let Some(figure) = row.figure else {
                continue;
            };
            for column in &columns {
                counts.compared += 1;
                let old = &self.before.built.figures.values[scope][column.year_index];
                let new = &self.after.built.figures.values[scope][column.year_index];
                if old.exact[figure] == new.exact[figure]
                    && old.rounded[figure] == new.rounded[figure]
                {
                    continue;
                }
                counts.moved += 1;
                let difference = new.rounded[figure]
                    .checked_sub(old.rounded[figure])
                    .unwrap_or(Amount::ZERO);
                let _ = writeln!(
                    report_text,
                    "    {} « {} », {} : {} → {} (écart {})",
                    local_name(&program.figures[figure].qualified),
                    row.label.replace(['\n', '\t', '\r'], " "),
                    calendar::label(column.year),
                    shown(old.rounded[figure]),
                    shown(new.rounded[figure]),
                    shown(difference),
                );
                if old.exact[figure] == new.exact[figure] {
                    // A total recomputed from rounded lines moves when
                    // its lines' roundings do, though nothing in it moved.
                    let exact = old.exact[figure];
                    let _ = writeln!(
                        report_text,
                        "      arrondi seulement : valeur exacte inchangée, {}",
                        french(exact, exact.scale().max(2))
                    );
                    continue;
                }
                self.explain_figure(
                    &mut report_text,
                    figure,
                    old.exact[figure],
                    codes,
                    &column.effects,
                );
            }
        }
        report_text
    }

    /// The report's columns over a whole year of the books that both sides
    /// have: a code's share of a figure is computed over a year.
    fn year_columns(
        &self,
        report: &ReportDef,
        scope: usize,
        codes: &[(usize, &Moved<'_>)],
    ) -> Vec<YearColumn> {
        let program = &self.before.program;
        let figures = &self.before.built.figures;
        report
            .columns
            .iter()
            .filter_map(|column| {
                let year = program.fiscal_year - column.years_back as i32;
                let slice = eval::Slice::of_column(column, program.fiscal_year);
                if slice != eval::Slice::year(year) {
                    return None;
                }
                let year_index = figures.year_index(year)?;
                // Same ledgers, same years; a side without the year has nothing to compare.
                if self.after.built.figures.year_index(year) != Some(year_index) {
                    return None;
                }
                Some(YearColumn {
                    year,
                    year_index,
                    effects: self.effects(scope, year, year_index, codes),
                })
            })
            .collect()
    }

    /// The local codes of an entity mapped differently by the two sides, by code.
    fn moved_codes(&self, entity: usize) -> Vec<Moved<'_>> {
        let old = &self.before.built.cube.entities[entity];
        let new = &self.after.built.cube.entities[entity];
        let index: BTreeMap<&str, usize> = new
            .locals
            .iter()
            .enumerate()
            .map(|(i, local)| (local.code.as_str(), i))
            .collect();
        let mut moved: Vec<Moved<'_>> = old
            .locals
            .iter()
            .enumerate()
            .filter_map(|(before, local)| {
                let after = *index.get(local.code.as_str())?;
                let (a, b) = (&local.mapped, &new.locals[after].mapped);
                (a.target != b.target || a.dimensions != b.dimensions).then_some(Moved {
                    code: &local.code,
                    before,
                    after,
                })
            })
            .collect();
        moved.sort_by(|a, b| a.code.cmp(b.code));
        moved
    }

    /// For each moved code of the scope, every figure's exact value in
    /// `year` had only that code moved: the old aggregates, plus what the
    /// code adds to each under the new rules, minus what it added under the
    /// old. `None` for a code that changes no aggregate.
    fn effects(
        &self,
        scope: usize,
        year: i32,
        year_index: usize,
        codes: &[(usize, &Moved<'_>)],
    ) -> Vec<Effect> {
        let program = &self.before.program;
        let base = &self.before.built.figures.values[scope][year_index].aggregates;
        codes
            .iter()
            .map(|(entity, moved)| {
                let old = &self.before.built.cube.entities[*entity];
                let new = &self.after.built.cube.entities[*entity];
                let mut aggregates = base.clone();
                let mut changed = false;
                for (index, aggregate) in program.aggregates.iter().enumerate() {
                    let share = |cube: &EntityCube, local: usize| {
                        aggregate.terms.iter().try_fold(Amount::ZERO, |sum, term| {
                            sum.checked_add(eval::term_value(
                                aggregate,
                                term,
                                cube,
                                eval::Slice::year(year),
                                None,
                                eval::Eliminate::default(),
                                Some(local),
                            )?)
                        })
                    };
                    let delta = share(new, moved.after)?.checked_sub(share(old, moved.before)?)?;
                    if !delta.is_zero() {
                        changed = true;
                        aggregates[index] = aggregates[index].checked_add(delta)?;
                    }
                }
                if changed {
                    eval::exact_figures(program, &aggregates)
                } else {
                    None
                }
            })
            .collect()
    }

    /// The codes behind a figure's movement: each with its old and new
    /// mapping, its share of the movement, and the rule that mapped it on
    /// each side.
    fn explain_figure(
        &self,
        out: &mut String,
        figure: FigureId,
        old_exact: Amount,
        codes: &[(usize, &Moved<'_>)],
        effects: &[Effect],
    ) {
        for ((entity, moved), effect) in codes.iter().zip(effects) {
            let Some(share) = effect
                .as_ref()
                .and_then(|values| values[figure].checked_sub(old_exact))
            else {
                continue;
            };
            if share.is_zero() {
                continue;
            }
            let old = &self.before.built.cube.entities[*entity].locals[moved.before].mapped;
            let new = &self.after.built.cube.entities[*entity].locals[moved.after].mapped;
            let decimals = share.scale().max(2);
            let _ = writeln!(
                out,
                "      {} {} : {} → {}, {}",
                self.before.program.entities[*entity].name,
                moved.code,
                self.mapping_text(&self.before.program, old, new),
                self.mapping_text(&self.after.program, new, old),
                french(share, decimals)
            );
            let _ = writeln!(
                out,
                "        avant : {}",
                self.rule_text(&self.before.program, *entity, old)
            );
            let _ = writeln!(
                out,
                "        après : {}",
                self.rule_text(&self.after.program, *entity, new)
            );
        }
    }

    /// `12210`, or `12210 [nature=N400]` when the dimensions changed too.
    fn mapping_text(&self, program: &Program, mapped: &Mapped, other: &Mapped) -> String {
        let code = &program.chart.accounts[mapped.target].code;
        if mapped.dimensions == other.dimensions {
            return code.clone();
        }
        let dimensions: Vec<String> = mapped
            .dimensions
            .iter()
            .map(|(d, value)| format!("{}={value}", program.dimensions[*d].name))
            .collect();
        format!("{code} [{}]", dimensions.join(";"))
    }

    /// `file:line:column  text of the rule`.
    fn rule_text(&self, program: &Program, entity: usize, mapped: &Mapped) -> String {
        let crosswalk = &program.crosswalks[program.entities[entity].crosswalk];
        let Some(rule) = crosswalk.rules.get(mapped.rule) else {
            return String::new();
        };
        format!(
            "{}  {}",
            self.sources.location(rule.span),
            excerpt(self.sources, rule.span)
        )
    }
}

/// `section.line` without its report.
fn local_name(qualified: &str) -> &str {
    qualified
        .split_once('.')
        .map_or(qualified, |(_, name)| name)
}

/// The source text of a span on one line, whitespace collapsed.
fn excerpt(sources: &Sources, span: Span) -> String {
    let text = sources.get(span.file).text.get(span.range()).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The closing line: how many figures changed, how many local codes moved.
fn summary(counts: &Counts, reclassified: usize) -> String {
    let compared = counts.compared;
    let figures_text = match counts.moved {
        0 => format!("Aucun chiffre n'a changé sur {compared} comparés"),
        1 => format!("1 chiffre a changé sur {compared} comparés"),
        n => format!("{n} chiffres ont changé sur {compared} comparés"),
    };
    let codes_text = match reclassified {
        0 => "aucun code local ne change de correspondance".to_string(),
        1 => "1 code local change de correspondance".to_string(),
        n => format!("{n} codes locaux changent de correspondance"),
    };
    format!("{figures_text} ; {codes_text}.")
}
