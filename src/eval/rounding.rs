//! The rounded trial balance: every balance of a scope's books rounded
//! once, so that every printed figure is a sum of rounded amounts and the
//! statements tie to each other as printed.
//!
//! For each scope (an entity, or a group's members without the amounts it
//! eliminates), each fiscal year and each chart code, the balance at the end
//! of every period (0, the opening, to 13, the adjustments; cumulative from
//! the year's opening) is rounded to the policy's unit. Each code's rounded
//! balance is shared among its cells (local code, movement, counterparty) by
//! largest remainder over their exact balances, so a filtered aggregate
//! selects rounded amounts that add up to the code's; a cell's rounded
//! amount in a period is the difference of its rounded balances.
//!
//! The rounded balances of a period-end do not add up to zero by
//! themselves. At the opening, what they lack goes to the accumulated
//! surplus (the chart's first `excedent_accumule` code), so a year opens
//! exactly where the one before closed as printed; at every later
//! period-end it goes to the policy's rounding `account`, a revenue or
//! charge code, so the difference passes through the year's result and the
//! statements tie. Each difference is kept ([`Difference`]) with where it
//! went; it is at most half a unit per code rounded.
//!
//! The presentation values are then computed from it (`rounded_values`):
//! every figure that adds and subtracts from the rounded amounts of its
//! report's policy, a ratio from its exact value, and under `residual
//! largest` the line-by-line model of `residual.rs`.

use super::{Eliminate, Residue, Scope, Slice, aggregate_value};
use crate::cube::{Cell, Cube, EntityCube, LocalCode};
use crate::diagnostic::{Code, Diagnostic};
use crate::mapping::Mapped;
use crate::model::{BinaryOp, CodeId, Expr, FigureId, Kind, Program, Residual, RoundingPolicy};
use crate::money::{Amount, checked_sum};
use std::collections::BTreeMap;

/// The code a local code stands for when it is the rounding's own entry.
const ROUNDING_ENTRY: &str = "(écart d'arrondi)";

/// A scope's books rounded under one policy, and the differences placed.
#[derive(Debug)]
pub struct RoundedBooks {
    /// The cells rounded (books and budget), with one local code more per
    /// place a difference went.
    pub cube: EntityCube,
    pub differences: Vec<Difference>,
}

/// What the rounded balances of one period-end lacked to add up to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Difference {
    pub year: i32,
    pub period: crate::cube::Period,
    /// Cumulative from the year's opening (debit positive).
    pub amount: Amount,
    /// The chart code that took it; `None` when none is declared.
    pub account: Option<CodeId>,
    /// The largest difference the rounding allows there: half a unit per
    /// code rounded.
    pub bound: Amount,
}

/// The cells of one chart code in one year: per (local code, its index,
/// movement, counterparty), its amount in each period. Ordered by the code
/// itself, so that ties in the sharing never depend on the order the
/// readers met the codes in (the index only tells apart one code in two
/// members of a group, in member order).
type Series<'a> = BTreeMap<SeriesKey<'a>, [Amount; PERIODS]>;
type SeriesKey<'a> = (&'a str, usize, Option<crate::ingest::Movement>, Option<u16>);

const PERIODS: usize = crate::calendar::ADJUSTMENTS as usize + 1;

/// The books a scope's trial balance is rounded from: an entity's cells, or
/// a group's members' cells without those it eliminates, read in place
/// (each member's local codes numbered after the previous member's).
pub struct Books<'c> {
    members: Vec<(&'c EntityCube, usize)>,
    /// The group, whose eliminations are left out; `None` for an entity.
    group: Option<&'c Scope>,
    /// What aggregates read of a local code: its chart code and dimensions.
    locals: Vec<LocalCode>,
    by_chart: BTreeMap<CodeId, Vec<usize>>,
}

pub(super) fn books<'c>(cube: &'c Cube, scope: &'c Scope) -> Books<'c> {
    let mut books = Books {
        members: Vec::new(),
        group: scope.is_group.then_some(scope),
        locals: Vec::new(),
        by_chart: BTreeMap::new(),
    };
    for member in &scope.members {
        let entity = &cube.entities[*member];
        let offset = books.locals.len();
        books.locals.extend(entity.locals.iter().map(lean));
        for (code, locals) in &entity.by_chart {
            books
                .by_chart
                .entry(*code)
                .or_default()
                .extend(locals.iter().map(|local| local + offset));
        }
        books.members.push((entity, offset));
    }
    books
}

impl Books<'_> {
    /// The cells of the books (or of the budget), in the scope's numbering
    /// of local codes.
    fn cells(&self, budget: bool) -> impl Iterator<Item = (Cell, Amount)> + '_ {
        self.members.iter().flat_map(move |&(entity, offset)| {
            let cells = if budget {
                &entity.budget
            } else {
                &entity.cells
            };
            cells
                .iter()
                .filter(|(cell, _)| self.group.is_none_or(|g| !eliminated(g, entity, cell)))
                .map(move |(cell, amount)| {
                    let mut cell = *cell;
                    cell.local += offset;
                    (cell, *amount)
                })
        })
    }
}

/// Rounds a scope's books (and budget) under `policy`; `None` on overflow.
pub fn round_books(
    program: &Program,
    books: &Books<'_>,
    policy: RoundingPolicy,
) -> Option<RoundedBooks> {
    let mut cube = EntityCube {
        locals: books.locals.clone(),
        by_chart: books.by_chart.clone(),
        ..EntityCube::default()
    };
    let (cells, totals) = round_cells(books.cells(false), &books.locals, policy)?;
    cube.cells = cells;
    let (budget, _) = round_cells(books.cells(true), &books.locals, policy)?;
    cube.budget = budget;
    let surplus = program
        .chart
        .accounts
        .iter()
        .position(|account| account.kind == Kind::AccumulatedSurplus);
    let mut differences = Vec::new();
    let mut surplus_local = None;
    let mut rounding_local = None;
    for (year, year_totals) in &totals {
        let bound = policy.unit.checked_mul(half(year_totals.codes)?)?;
        // The opening: what the rounded openings lack goes to the surplus.
        let opening = year_totals.balances[0].negated();
        differences.push(Difference {
            year: *year,
            period: 0,
            amount: opening,
            account: surplus,
            bound,
        });
        if let (Some(code), false) = (surplus, opening.is_zero()) {
            let local = *surplus_local.get_or_insert_with(|| add_local(&mut cube, code));
            cube.cells.insert(cell(*year, local, 0), opening);
        }
        // Every later period-end: to the rounding account, as a flow.
        let mut before = Amount::ZERO;
        for period in 1..PERIODS {
            let lacking = year_totals.balances[period].checked_add(opening)?.negated();
            let period = period as crate::cube::Period;
            differences.push(Difference {
                year: *year,
                period,
                amount: lacking,
                account: policy.account,
                bound,
            });
            let flow = lacking.checked_sub(before)?;
            before = lacking;
            if let (Some(code), false) = (policy.account, flow.is_zero()) {
                let local = *rounding_local.get_or_insert_with(|| add_local(&mut cube, code));
                cube.cells.insert(cell(*year, local, period), flow);
            }
        }
    }
    Some(RoundedBooks { cube, differences })
}

/// A local code without its line counts and first location, which only the
/// reports of what was read need.
fn lean(local: &LocalCode) -> LocalCode {
    LocalCode {
        code: local.code.clone(),
        mapped: local.mapped.clone(),
        lines: BTreeMap::new(),
        first_seen: String::new(),
    }
}

/// Half of `codes`, as an amount.
fn half(codes: usize) -> Option<Amount> {
    Amount::from_scaled(i128::try_from(codes).ok()?.checked_mul(5)?, 1)
}

fn cell(year: i32, local: usize, period: crate::cube::Period) -> Cell {
    Cell {
        year,
        local,
        period,
        movement: None,
        counterparty: None,
    }
}

/// A local code for the rounding's own entry on `code`.
fn add_local(cube: &mut EntityCube, code: CodeId) -> usize {
    let local = cube.locals.len();
    cube.locals.push(LocalCode {
        code: ROUNDING_ENTRY.to_string(),
        mapped: Mapped {
            target: code,
            rule: usize::MAX,
            dimensions: Vec::new(),
        },
        lines: BTreeMap::new(),
        first_seen: String::new(),
    });
    cube.by_chart.entry(code).or_default().push(local);
    local
}

/// Per year: the sum of the rounded balances of every code at each
/// period-end, and how many codes were rounded.
#[derive(Default)]
struct YearTotals {
    balances: [Amount; PERIODS],
    codes: usize,
}

/// Every cell rounded: each code's balance at each period-end rounded, then
/// shared among its cells.
fn round_cells<'a>(
    cells: impl Iterator<Item = (Cell, Amount)>,
    locals: &'a [LocalCode],
    policy: RoundingPolicy,
) -> Option<(BTreeMap<Cell, Amount>, BTreeMap<i32, YearTotals>)> {
    let mut by_code: BTreeMap<(i32, CodeId), Series<'a>> = BTreeMap::new();
    for (cell, amount) in cells {
        let local = locals.get(cell.local)?;
        let series = by_code.entry((cell.year, local.mapped.target)).or_default();
        let periods = series
            .entry((
                local.code.as_str(),
                cell.local,
                cell.movement,
                cell.counterparty,
            ))
            .or_insert([Amount::ZERO; PERIODS]);
        let slot = periods.get_mut(usize::from(cell.period))?;
        *slot = slot.checked_add(amount)?;
    }
    let mut rounded = BTreeMap::new();
    let mut totals: BTreeMap<i32, YearTotals> = BTreeMap::new();
    for ((year, _), series) in &by_code {
        let keys: Vec<&SeriesKey<'_>> = series.keys().collect();
        let mut exact = vec![Amount::ZERO; keys.len()];
        let mut shown_before = vec![Amount::ZERO; keys.len()];
        let year_totals = totals.entry(*year).or_default();
        year_totals.codes += 1;
        for period in 0..PERIODS {
            for (balance, periods) in exact.iter_mut().zip(series.values()) {
                *balance = balance.checked_add(periods[period])?;
            }
            let balance =
                checked_sum(exact.iter().copied())?.round_to(policy.unit, policy.method)?;
            year_totals.balances[period] = year_totals.balances[period].checked_add(balance)?;
            let shown = share(balance, &exact, policy)?;
            for ((key, now), before) in keys.iter().zip(&shown).zip(&mut shown_before) {
                let flow = now.checked_sub(*before)?;
                *before = *now;
                if !flow.is_zero() {
                    let cell = Cell {
                        year: *year,
                        local: key.1,
                        period: period as crate::cube::Period,
                        movement: key.2,
                        counterparty: key.3,
                    };
                    rounded.insert(cell, flow);
                }
            }
        }
    }
    Some((rounded, totals))
}

/// Shares a rounded `total` among exact parts: each part rounded, then the
/// units still lacking given one each to the parts their rounding moved
/// farthest (largest remainder), in order of the parts on ties.
pub fn share(total: Amount, exact: &[Amount], policy: RoundingPolicy) -> Option<Vec<Amount>> {
    let mut shares = exact
        .iter()
        .map(|part| part.round_to(policy.unit, policy.method))
        .collect::<Option<Vec<Amount>>>()?;
    let mut lacking = total.checked_sub(checked_sum(shares.iter().copied())?)?;
    if lacking.is_zero() || shares.is_empty() {
        return lacking.is_zero().then_some(shares);
    }
    let remainders = exact
        .iter()
        .zip(&shares)
        .map(|(part, shown)| part.checked_sub(*shown))
        .collect::<Option<Vec<Amount>>>()?;
    let up = !lacking.is_negative();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| {
        let by_remainder = remainders[*b].cmp(&remainders[*a]);
        (if up {
            by_remainder
        } else {
            by_remainder.reverse()
        })
        .then(a.cmp(b))
    });
    let step = if up {
        policy.unit
    } else {
        policy.unit.negated()
    };
    for part in order.iter().cycle() {
        if lacking.is_zero() {
            break;
        }
        shares[*part] = shares[*part].checked_add(step)?;
        lacking = lacking.checked_sub(step)?;
    }
    Some(shares)
}

/// The rounding policies the reports use, each once (the residual option
/// does not change the trial balance).
pub(super) fn policies(program: &Program) -> Vec<RoundingPolicy> {
    let mut policies: Vec<RoundingPolicy> = Vec::new();
    for report in &program.reports {
        let policy = RoundingPolicy {
            residual: Residual::Total,
            ..report.rounding
        };
        if !policies.contains(&policy) {
            policies.push(policy);
        }
    }
    policies
}

/// A cell a group leaves out: on an eliminated code, with a member as
/// counterparty (as [`super::term_value`] decides for the exact figures).
fn eliminated(scope: &Scope, entity: &EntityCube, cell: &crate::cube::Cell) -> bool {
    let code = entity.locals[cell.local].mapped.target;
    scope.eliminated.contains(&code)
        && cell
            .counterparty
            .is_some_and(|c| scope.members.contains(&usize::from(c)))
}

/// The rounded trial balance of a scope overflowed: located at the sources
/// of its entities, whose amounts it adds.
pub(super) fn rounding_overflow(program: &Program, scope: &Scope) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(
        Code::Overflow,
        format!(
            "the rounded trial balance of `{}` exceeds 28 significant digits",
            scope.name
        ),
    )
    .help("amounts this large cannot be real; look for a misplaced decimal mark in the ledger");
    let sources = scope
        .members
        .iter()
        .filter_map(|member| program.entities[*member].sources.first());
    for (index, source) in sources.enumerate() {
        diagnostic = match index {
            0 => diagnostic.at(source.span, "the ledgers of this entity"),
            _ => diagnostic.also(source.span, "and of this one"),
        };
    }
    diagnostic
}

/// Every aggregate of one slice over a rounded trial balance.
pub(super) fn rounded_aggregates(
    program: &Program,
    rounded: &EntityCube,
    slice: Slice,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Amount> {
    let filter = super::column_filter(program, slice);
    program
        .aggregates
        .iter()
        .map(|aggregate| {
            aggregate_value(aggregate, rounded, slice, filter, Eliminate::default()).unwrap_or_else(
                || {
                    errors.push(super::overflow(aggregate.span));
                    Amount::ZERO
                },
            )
        })
        .collect()
}

/// Whether a formula multiplies or divides: a ratio is rounded from its
/// exact value, never computed from rounded amounts.
fn is_ratio(expr: &Expr) -> bool {
    match expr {
        Expr::Binary(_, BinaryOp::Mul | BinaryOp::Div, _, _) => true,
        Expr::Binary(left, _, right, _) => is_ratio(left) || is_ratio(right),
        Expr::Neg(inner) => is_ratio(inner),
        Expr::Number(_) | Expr::Figure(..) | Expr::Aggregate(_) | Expr::Sum(_) => false,
    }
}

/// Presentation values: every figure that adds and subtracts is computed
/// from the rounded trial balance of its report's policy, so statements
/// foot and tie as printed; a ratio is rounded from its exact value. Where
/// a figure shows other than its own exact value rounded, the difference
/// is listed (or, under `residual largest`, allocated).
pub(super) fn rounded_values(
    program: &Program,
    (exact_aggregates, aggregates): (&[Amount], &[(RoundingPolicy, Vec<Amount>)]),
    exact: &[Amount],
    errors: &mut Vec<Diagnostic>,
) -> (Vec<Amount>, Vec<Residue>) {
    let policy_of = |figure: FigureId| program.reports[program.figures[figure].report].rounding;
    let round = |value: Amount, policy: RoundingPolicy| value.round_to(policy.unit, policy.method);
    let empty = Vec::new();
    let aggregates_of = |policy: RoundingPolicy| {
        aggregates
            .iter()
            .find(|(p, _)| {
                p.unit == policy.unit && p.method == policy.method && p.account == policy.account
            })
            .map_or(&empty, |(_, values)| values)
    };
    let mut rounded = vec![Amount::ZERO; program.figures.len()];
    let mut allocations: Vec<Residue> = Vec::new();
    for pass in 0..2 {
        for figure in &program.order {
            let definition = &program.figures[*figure];
            let policy = policy_of(*figure);
            if definition.is_leaf && pass > 0 {
                continue;
            }
            // `residual largest` keeps the line-by-line model: each line
            // rounded from its exact value, sections from their lines.
            let largest = policy.residual == Residual::Largest;
            if is_ratio(&definition.expr) || (largest && definition.is_leaf) {
                rounded[*figure] = round(exact[*figure], policy).unwrap_or(exact[*figure]);
                continue;
            }
            let operands = match largest {
                true => exact_aggregates,
                false => aggregates_of(policy),
            };
            // Amounts of the rounded trial balance are already multiples of
            // the unit; a number written in a formula is rounded like them.
            let leaf = |value: Amount| round(value, policy).ok_or(None);
            match super::compute(&definition.expr, operands, &rounded, &leaf) {
                Ok(value) => rounded[*figure] = value,
                Err(error) => {
                    if pass == 0 {
                        errors.push(error.unwrap_or_else(|| super::overflow(definition.span)));
                    }
                }
            }
        }
        if pass == 0 {
            allocations =
                super::residual::allocate_to_largest(program, exact, &mut rounded, errors);
            if allocations.is_empty() {
                break;
            }
        }
    }
    let mut residuals = allocations.clone();
    for figure in &program.order {
        let own = round(exact[*figure], policy_of(*figure)).unwrap_or(exact[*figure]);
        // What the trial balance moved, besides what was allocated here.
        let allocated = allocations
            .iter()
            .filter(|r| r.figure == *figure)
            .try_fold(Amount::ZERO, |sum, r| sum.checked_add(r.amount));
        if let Some(difference) = rounded[*figure]
            .checked_sub(own)
            .zip(allocated)
            .and_then(|(difference, allocated)| difference.checked_sub(allocated))
            && !difference.is_zero()
        {
            residuals.push(Residue {
                figure: *figure,
                amount: difference,
                allocated: false,
            });
        }
    }
    (rounded, residuals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Residual;
    use crate::money::RoundingMethod;

    fn amount(text: &str) -> Amount {
        Amount::parse_plain(text).unwrap_or_else(|| panic!("`{text}` is an amount"))
    }

    fn dollar() -> RoundingPolicy {
        RoundingPolicy {
            unit: amount("1"),
            method: RoundingMethod::HalfEven,
            residual: Residual::Total,
            account: None,
        }
    }

    fn shares(total: &str, parts: &[&str]) -> Vec<String> {
        let exact: Vec<Amount> = parts.iter().map(|p| amount(p)).collect();
        share(amount(total), &exact, dollar())
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn parts_already_adding_up_keep_their_own_rounding() {
        assert_eq!(shares("3", &["1.2", "1.3", "0.6"]), ["1", "1", "1"]);
    }

    #[test]
    fn a_missing_unit_goes_to_the_part_rounded_down_the_most() {
        // 0.4 + 0.4 + 0.4 = 1.2, rounded 1: the parts round to 0 each, so
        // the first of the three equal remainders takes the unit.
        assert_eq!(shares("1", &["0.4", "0.4", "0.4"]), ["1", "0", "0"]);
        assert_eq!(shares("1", &["0.3", "0.45", "0.4"]), ["0", "1", "0"]);
    }

    #[test]
    fn an_extra_unit_comes_off_the_part_rounded_up_the_most() {
        // 0.6 × 3 = 1.8, rounded 2: the parts round to 1 each (3).
        assert_eq!(shares("2", &["0.6", "0.6", "0.55"]), ["1", "1", "0"]);
    }

    #[test]
    fn negative_parts_share_the_same_way() {
        assert_eq!(shares("-1", &["-0.4", "-0.4", "-0.4"]), ["-1", "0", "0"]);
    }
}
