//! Evaluation: cube + program → exact figures for every entity, group and
//! fiscal year, their presentation rounding, and the result of every check.
//! One forward pass over the figures in topological order.

mod residual;
pub mod rounding;
pub mod rules;

use crate::calendar;
use crate::cube::{Cube, EntityCube};
use crate::diagnostic::{Code, Diagnostic, Result};
use crate::model::*;
use crate::money::Amount;
use crate::source::Span;
use std::collections::BTreeSet;

/// An entity or a group: what a statement is produced for.
#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    pub label: String,
    pub code: String,
    /// Entity indices: one for an entity, the members for a group.
    pub members: Vec<usize>,
    pub is_group: bool,
    /// For a group: the codes whose inter-member amounts are eliminated.
    pub eliminated: BTreeSet<CodeId>,
}

#[derive(Debug)]
pub struct Figures {
    pub scopes: Vec<Scope>,
    /// Fiscal years evaluated, ascending (same as the cube's).
    pub years: Vec<i32>,
    /// What each entry of `values[scope]` covers: each whole year of
    /// `years` first, in the same order, then the parts of years that report
    /// columns ask for (a period, a quarter, a year to date).
    pub slices: Vec<Slice>,
    /// `values[scope][slice index]`.
    pub values: Vec<Vec<YearValues>>,
    pub checks: Vec<CheckResult>,
    /// Every validation rule for every scope.
    pub rules: Vec<rules::RuleOutcome>,
    /// `trial_balances[scope]`: the rounded trial balance of each rounding
    /// policy the reports use, and where its differences went.
    pub trial_balances: Vec<Vec<(RoundingPolicy, Vec<rounding::Difference>)>>,
}

/// A fiscal year, or a run of its periods, of the books or of the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slice {
    pub year: i32,
    pub periods: Periods,
    pub budget: bool,
    /// Only amounts with one value of a dimension (see [`ColumnDef::filter`]).
    pub filter: Option<(usize, usize)>,
}

impl Slice {
    pub fn year(year: i32) -> Slice {
        Slice {
            year,
            periods: Periods::YEAR,
            budget: false,
            filter: None,
        }
    }

    /// The slice of a report column in a build of `fiscal_year`.
    pub fn of_column(column: &ColumnDef, fiscal_year: i32) -> Slice {
        Slice {
            year: fiscal_year - column.years_back as i32,
            periods: column.periods,
            budget: column.budget,
            filter: column.filter,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct YearValues {
    pub aggregates: Vec<Amount>,
    pub exact: Vec<Amount>,
    pub rounded: Vec<Amount>,
    /// Rounding differences reported or allocated: (figure, amount).
    pub residuals: Vec<Residue>,
}

#[derive(Debug, Clone, Copy)]
pub struct Residue {
    pub figure: FigureId,
    /// Shown value minus the figure's own exact value rounded.
    pub amount: Amount,
    /// True when the amount was allocated to this (largest) line.
    pub allocated: bool,
}

#[derive(Debug, Clone)]
pub struct CheckResult {
    pub scope: usize,
    pub year: i32,
    pub periods: Periods,
    pub budget: bool,
    pub report: usize,
    pub check: usize,
    pub left: Amount,
    pub right: Amount,
    pub difference: Amount,
    pub passed: bool,
}

impl Figures {
    /// The index of a whole fiscal year in `values[scope]`.
    pub fn year_index(&self, year: i32) -> Option<usize> {
        self.slice_index(Slice::year(year))
    }

    pub fn slice_index(&self, slice: Slice) -> Option<usize> {
        self.slices.iter().position(|s| *s == slice)
    }
}

/// Every whole year of the cube, then every part of a year a report column
/// asks for, each once.
fn slices(program: &Program, years: &[i32]) -> Vec<Slice> {
    let mut slices: Vec<Slice> = years.iter().map(|year| Slice::year(*year)).collect();
    let mut parts: Vec<Slice> = program
        .reports
        .iter()
        .flat_map(|report| &report.columns)
        .map(|column| Slice::of_column(column, program.fiscal_year))
        .filter(|slice| *slice != Slice::year(slice.year) && years.contains(&slice.year))
        .collect();
    parts.sort();
    parts.dedup();
    slices.extend(parts);
    slices
}

/// Evaluates every figure for every scope and year.
pub fn evaluate(program: &Program, cube: &Cube) -> Result<Figures> {
    let scopes = scopes(program);
    let mut errors = Vec::new();
    check_data(program, cube, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let slices = slices(program, &cube.years);
    let mut values = Vec::new();
    let mut trial_balances = Vec::new();
    let policies = rounding::policies(program);
    for scope in &scopes {
        let mut per_year = Vec::new();
        let books = rounding::books(cube, scope);
        let rounded_books = policies
            .iter()
            .copied()
            .map(
                |policy| match rounding::round_books(program, &books, policy) {
                    Some(rounded) => Ok((policy, rounded)),
                    None => Err(rounding::rounding_overflow(program, scope)),
                },
            )
            .collect::<std::result::Result<Vec<_>, Diagnostic>>();
        let rounded_books = match rounded_books {
            Ok(rounded_books) => rounded_books,
            Err(error) => return Err(vec![error]),
        };
        for slice in &slices {
            let year = slice.year;
            let before = errors.len();
            let aggregates = scope_aggregates(program, cube, scope, *slice, &mut errors);
            let exact = exact_values(program, &aggregates, &mut errors);
            let shown: Vec<(RoundingPolicy, Vec<Amount>)> = rounded_books
                .iter()
                .map(|(policy, rounded)| {
                    let values =
                        rounding::rounded_aggregates(program, &rounded.cube, *slice, &mut errors);
                    (*policy, values)
                })
                .collect();
            let (rounded, residuals) = if errors.len() == before {
                rounding::rounded_values(program, (&aggregates, &shown), &exact, &mut errors)
            } else {
                (exact.clone(), Vec::new())
            };
            let context = format!(
                "while computing `{}` for {}{}",
                scope.name,
                calendar::label(year),
                periods_note(slice.periods, slice.budget)
            );
            for error in &mut errors[before..] {
                error.notes.push(context.clone());
            }
            per_year.push(YearValues {
                aggregates,
                exact,
                rounded,
                residuals,
            });
        }
        values.push(per_year);
        trial_balances.push(
            rounded_books
                .into_iter()
                .map(|(policy, rounded)| (policy, rounded.differences))
                .collect(),
        );
    }
    if !errors.is_empty() {
        // One error per formula: the same overflow recurs in every scope and year.
        let mut seen = std::collections::BTreeSet::new();
        errors.retain(|error| seen.insert((error.code, error.primary_span())));
        return Err(errors);
    }
    let uncovered = matrix_coverage(program, &scopes, &slices, &values);
    if !uncovered.is_empty() {
        return Err(uncovered);
    }
    foot_matrices(program, &slices, &mut values);
    let checks = run_checks(program, &slices, &values);
    let mut figures = Figures {
        scopes,
        years: cube.years.clone(),
        slices,
        values,
        checks,
        rules: Vec::new(),
        trial_balances,
    };
    figures.rules = rules::run(program, &figures);
    Ok(figures)
}

/// Failing checks, as diagnostics (the build fails on them).
pub fn check_failures(program: &Program, figures: &Figures) -> Vec<Diagnostic> {
    figures
        .checks
        .iter()
        .filter(|result| !result.passed)
        .map(|result| {
            let report = &program.reports[result.report];
            let check = &report.checks[result.check];
            Diagnostic::error(
                Code::CheckFailed,
                format!(
                    "check `{}.{}` fails for `{}` in {}{}",
                    report.name,
                    check.name,
                    figures.scopes[result.scope].name,
                    calendar::label(result.year),
                    periods_note(result.periods, result.budget)
                ),
            )
            .at(check.span, check.label.clone())
            .note(format!(
                "left:       {}{}",
                result.left,
                if check.rounded { " (as printed)" } else { "" }
            ))
            .note(format!("right:      {}", result.right))
            .note(format!(
                "difference: {} (tolerance {})",
                result.difference, check.tolerance
            ))
            .help(format!(
                "run `reddition explain {}.{}` to see how each side is obtained, down to the ledger lines",
                report.name, check.name
            ))
        })
        .collect()
}

fn scopes(program: &Program) -> Vec<Scope> {
    let entities = program
        .entities
        .iter()
        .enumerate()
        .map(|(index, entity)| Scope {
            name: entity.name.clone(),
            label: entity.label.clone(),
            code: entity.code.clone(),
            members: vec![index],
            is_group: false,
            eliminated: BTreeSet::new(),
        });
    let groups = program.groups.iter().map(|group| Scope {
        name: group.name.clone(),
        label: group.label.clone(),
        code: String::new(),
        members: group.members.clone(),
        is_group: true,
        eliminated: group
            .eliminations
            .iter()
            .flat_map(|e| e.codes.iter().chain(&e.against).copied())
            .collect(),
    });
    entities.chain(groups).collect()
}

fn check_data(program: &Program, cube: &Cube, errors: &mut Vec<Diagnostic>) {
    for (entity, data) in program.entities.iter().zip(&cube.entities) {
        for year in &cube.years {
            if !data.reconciliation.contains_key(year) {
                let span = entity.sources.first().map(|s| s.span);
                let mut diagnostic = Diagnostic::error(
                    Code::NoData,
                    format!("entity `{}` has no data for fiscal year {}", entity.name, calendar::label(*year)),
                )
                .help("the reports show that year (a prior-year column): add its opening balances and ledger");
                if let Some(span) = span {
                    diagnostic = diagnostic.at(span, "sources of this entity");
                }
                errors.push(diagnostic);
            }
        }
    }
}

/// What a group leaves out: amounts on these codes whose counterparty is
/// one of these entities (its members). Nothing for an entity.
#[derive(Clone, Copy, Debug)]
pub struct Eliminate<'a> {
    pub codes: &'a BTreeSet<CodeId>,
    pub members: &'a [u16],
}

static NO_CODES: BTreeSet<CodeId> = BTreeSet::new();

impl Default for Eliminate<'_> {
    fn default() -> Self {
        Eliminate {
            codes: &NO_CODES,
            members: &[],
        }
    }
}

/// `, periods 1 to 9` for a part of a year, nothing for a whole year;
/// `, budget` after it for the budget.
pub fn periods_note(periods: Periods, budget: bool) -> String {
    let part = match (periods.from, periods.to) {
        _ if periods.is_year() => String::new(),
        (from, to) if from == to => format!(", period {from}"),
        (from, to) => format!(", periods {from} to {to}"),
    };
    if budget {
        format!("{part}, budget")
    } else {
        part
    }
}

fn scope_aggregates(
    program: &Program,
    cube: &Cube,
    scope: &Scope,
    slice: Slice,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Amount> {
    // The same for every aggregate of the scope and slice.
    let filter = column_filter(program, slice);
    let members: Vec<u16> = scope
        .members
        .iter()
        .filter_map(|m| u16::try_from(*m).ok())
        .collect();
    let eliminate = Eliminate {
        codes: &scope.eliminated,
        members: &members,
    };
    program
        .aggregates
        .iter()
        .map(|aggregate| {
            let mut total = Amount::ZERO;
            for member in &scope.members {
                match aggregate_value(aggregate, &cube.entities[*member], slice, filter, eliminate)
                {
                    Some(value) => match total.checked_add(value) {
                        Some(sum) => total = sum,
                        None => errors.push(overflow(aggregate.span)),
                    },
                    None => errors.push(overflow(aggregate.span)),
                }
            }
            total
        })
        .collect()
}

/// A matrix column's dimension and value, as the cells' dimensions hold
/// them; `None` for any other column.
pub fn column_filter(program: &Program, slice: Slice) -> Option<(usize, &str)> {
    let (dimension, value) = slice.filter?;
    let values = program.dimensions.get(dimension)?.values.as_ref()?;
    Some((dimension, values.keys().nth(value)?.as_str()))
}

/// One aggregate for one entity and slice, in its presentation sign.
pub fn aggregate_value(
    aggregate: &AggregateDef,
    cube: &EntityCube,
    slice: Slice,
    filter: Option<(usize, &str)>,
    eliminate: Eliminate<'_>,
) -> Option<Amount> {
    let mut total = Amount::ZERO;
    for term in &aggregate.terms {
        let value = term_value(aggregate, term, cube, slice, filter, eliminate, None)?;
        total = total.checked_add(value)?;
    }
    Some(total)
}

/// One term (chart code) of an aggregate, optionally for one local code only.
pub fn term_value(
    aggregate: &AggregateDef,
    term: &AggregateTerm,
    cube: &EntityCube,
    slice: Slice,
    filter: Option<(usize, &str)>,
    eliminate: Eliminate<'_>,
    only_local: Option<usize>,
) -> Option<Amount> {
    let eliminated = eliminate.codes.contains(&term.code);
    let periods = term_periods(term.measure, slice.periods);
    let year = slice.year;
    let mut total = Amount::ZERO;
    for local in cube.by_chart.get(&term.code).into_iter().flatten() {
        let dimensions = &cube.locals[*local].mapped.dimensions;
        let in_column = filter.is_none_or(|(dimension, value)| {
            dimensions
                .iter()
                .any(|(d, v)| *d == dimension && v == value)
        });
        if only_local.is_some_and(|only| only != *local)
            || !in_column
            || !dimensions_match(aggregate, dimensions)
        {
            continue;
        }
        let first = crate::cube::Cell {
            year,
            local: *local,
            period: *periods.start(),
            movement: None,
            counterparty: None,
        };
        let cells = if slice.budget {
            &cube.budget
        } else {
            &cube.cells
        };
        for (cell, amount) in cells.range(first..) {
            if cell.year != year || cell.local != *local || cell.period > *periods.end() {
                break;
            }
            let inside = cell
                .counterparty
                .is_some_and(|c| eliminate.members.contains(&c));
            if movement_matches(aggregate, cell.movement) && !(eliminated && inside) {
                total = total.checked_add(*amount)?;
            }
        }
    }
    Some(if term.negate { total.negated() } else { total })
}

/// The periods a measure takes over a slice: flows over the slice, balances
/// at its end, an opening balance just before its start (period 0 holds
/// the year's opening balances).
pub fn term_periods(
    measure: Measure,
    Periods { from, to }: Periods,
) -> std::ops::RangeInclusive<crate::cube::Period> {
    match measure {
        Measure::Opening => 0..=from - 1,
        Measure::Flow | Measure::Change => from..=to,
        Measure::Balance | Measure::Sum => 0..=to,
    }
}

/// Whether a local code's dimension values pass an aggregate's filters.
pub fn dimensions_match(aggregate: &AggregateDef, dimensions: &[(usize, String)]) -> bool {
    aggregate.filters.iter().all(|filter| match filter {
        FilterDef::Dimension {
            dimension,
            negated,
            values,
        } => {
            let value = dimensions
                .iter()
                .find(|(d, _)| d == dimension)
                .map(|(_, v)| v);
            value.is_some_and(|v| values.contains(v)) != *negated
        }
        FilterDef::Movement { .. } => true,
    })
}

/// Whether a cell's movement passes an aggregate's filters.
pub fn movement_matches(
    aggregate: &AggregateDef,
    movement: Option<crate::ingest::Movement>,
) -> bool {
    aggregate.filters.iter().all(|filter| match filter {
        FilterDef::Movement { negated, values } => values.contains(&movement) != *negated,
        FilterDef::Dimension { .. } => true,
    })
}

fn overflow(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Overflow, "this figure exceeds 28 significant digits")
        .at(span, "overflows here")
        .help("amounts this large cannot be real; look for a misplaced decimal mark in the ledger")
}

/// Every figure's exact value from given aggregate values (one scope and
/// year), or `None` if one cannot be computed. `diff` uses it to tell how
/// much of a figure's change one local code accounts for.
pub fn exact_figures(program: &Program, aggregates: &[Amount]) -> Option<Vec<Amount>> {
    let mut errors = Vec::new();
    let values = exact_values(program, aggregates, &mut errors);
    errors.is_empty().then_some(values)
}

fn exact_values(
    program: &Program,
    aggregates: &[Amount],
    errors: &mut Vec<Diagnostic>,
) -> Vec<Amount> {
    let mut values = vec![Amount::ZERO; program.figures.len()];
    for figure in &program.order {
        let definition = &program.figures[*figure];
        match compute(&definition.expr, aggregates, &values, &|value| Ok(value)) {
            Ok(value) => values[*figure] = value,
            Err(error) => errors.push(error.unwrap_or_else(|| overflow(definition.span))),
        }
    }
    values
}

type Computed = std::result::Result<Amount, Option<Diagnostic>>;

/// Evaluates an expression; `leaf` maps each aggregate value and number
/// (identity for exact values, rounding for presentation).
fn compute(
    expr: &Expr,
    aggregates: &[Amount],
    figures: &[Amount],
    leaf: &dyn Fn(Amount) -> Computed,
) -> Computed {
    Ok(match expr {
        Expr::Number(amount) => leaf(*amount)?,
        Expr::Aggregate(index) => leaf(aggregates[*index])?,
        Expr::Figure(id, _) => figures[*id],
        Expr::Sum(ids) => {
            crate::money::checked_sum(ids.iter().map(|id| figures[*id])).ok_or(None)?
        }
        Expr::Neg(inner) => compute(inner, aggregates, figures, leaf)?.negated(),
        Expr::Binary(left, operator, right, span) => {
            let left = compute(left, aggregates, figures, leaf)?;
            let right = compute(right, aggregates, figures, leaf)?;
            let result = match operator {
                BinaryOp::Add => left.checked_add(right),
                BinaryOp::Sub => left.checked_sub(right),
                BinaryOp::Mul => left.checked_mul(right),
                BinaryOp::Div if right.is_zero() => {
                    return Err(Some(
                        Diagnostic::error(Code::DivisionByZero, "division by zero")
                            .at(*span, "the divisor is zero here")
                            .help("guard the ratio, or divide by a figure that cannot be zero"),
                    ));
                }
                BinaryOp::Div => left.checked_div(right),
            };
            result.ok_or_else(|| Some(overflow(*span)))?
        }
    })
}

/// In a matrix, every amount of a line must fall in one of the value
/// columns: an amount without a value of the dimension would be in the total
/// but in no column, and the total column, which foots the row, would drop it.
fn matrix_coverage(
    program: &Program,
    scopes: &[Scope],
    slices: &[Slice],
    values: &[Vec<YearValues>],
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for report in &program.reports {
        let Some((total_index, parts)) = matrix_slices(program, report, slices) else {
            continue;
        };
        for (scope, per_slice) in values.iter().enumerate() {
            for figure in report.rows.iter().filter_map(|row| row.figure) {
                let whole = per_slice[total_index].exact[figure];
                let split = parts.iter().try_fold(Amount::ZERO, |sum, part| {
                    sum.checked_add(per_slice[*part].exact[figure])
                });
                let Some(missing) = split.and_then(|split| whole.checked_sub(split)) else {
                    continue;
                };
                if missing.is_zero() {
                    continue;
                }
                let definition = &program.figures[figure];
                let dimension = total_dimension(program, report);
                errors.push(
                    Diagnostic::error(
                        Code::CheckFailed,
                        format!(
                            "`{}` of `{}`: {missing} has no value of dimension `{dimension}`, so it is in no column of the matrix",
                            definition.qualified, scopes[scope].name
                        ),
                    )
                    .at(definition.span, "this line")
                    .help(format!(
                        "give every code of the line a `{dimension}` in its crosswalk (a `dimension {dimension} {{ … }}` rule)"
                    )),
                );
            }
        }
    }
    errors
}

/// For a matrix report: the slice of its total column and those of its
/// value columns; `None` for any other report.
fn matrix_slices(
    program: &Program,
    report: &ReportDef,
    slices: &[Slice],
) -> Option<(usize, Vec<usize>)> {
    let index = |column: &ColumnDef| {
        let slice = Slice::of_column(column, program.fiscal_year);
        slices.iter().position(|s| *s == slice)
    };
    let total = report.columns.iter().find(|c| c.footing).and_then(index)?;
    let parts = report
        .columns
        .iter()
        .filter(|c| c.filter.is_some())
        .filter_map(index)
        .collect();
    Some((total, parts))
}

/// The total column of a matrix shows, for each of its lines, the sum of
/// the line's columns as rounded, so that every row foots wherever the
/// figure is shown (statements, ministry files); the difference with the
/// rounded exact total is listed by the statement.
fn foot_matrices(program: &Program, slices: &[Slice], values: &mut [Vec<YearValues>]) {
    for report in &program.reports {
        let Some((total, parts)) = matrix_slices(program, report, slices) else {
            continue;
        };
        for per_slice in values.iter_mut() {
            for figure in report.rows.iter().filter_map(|row| row.figure) {
                let footed = parts.iter().try_fold(Amount::ZERO, |sum, part| {
                    sum.checked_add(per_slice[*part].rounded[figure])
                });
                if let Some(footed) = footed {
                    per_slice[total].rounded[figure] = footed;
                }
            }
        }
    }
}

/// The dimension a matrix report is split by.
fn total_dimension<'p>(program: &'p Program, report: &ReportDef) -> &'p str {
    report
        .columns
        .iter()
        .find_map(|c| c.filter)
        .and_then(|(dimension, _)| program.dimensions.get(dimension))
        .map_or("?", |d| d.name.as_str())
}

fn run_checks(program: &Program, slices: &[Slice], values: &[Vec<YearValues>]) -> Vec<CheckResult> {
    let mut results = Vec::new();
    for (scope, per_slice) in values.iter().enumerate() {
        for (report_index, report) in program.reports.iter().enumerate() {
            for column in &report.columns {
                let slice = Slice::of_column(column, program.fiscal_year);
                let Some(index) = slices.iter().position(|s| *s == slice) else {
                    continue;
                };
                for (check_index, check) in report.checks.iter().enumerate() {
                    let values = match check.rounded {
                        true => &per_slice[index].rounded,
                        false => &per_slice[index].exact,
                    };
                    let (left, right) = (values[check.left], values[check.right]);
                    let difference = left.checked_sub(right).unwrap_or(Amount::ZERO);
                    let passed = match check.comparison {
                        Comparison::Equal => difference.abs() <= check.tolerance,
                        Comparison::AtMost => left <= right,
                        Comparison::AtLeast => left >= right,
                    };
                    results.push(CheckResult {
                        scope,
                        year: slice.year,
                        periods: slice.periods,
                        budget: slice.budget,
                        report: report_index,
                        check: check_index,
                        left,
                        right,
                        difference,
                        passed,
                    });
                }
            }
        }
    }
    results
}
