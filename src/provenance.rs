//! Provenance: where one figure of one report column and scope comes from,
//! as data that adds up. A figure that adds and subtracts is expanded into
//! its aggregates (through the lines and other reports' lines it refers
//! to); each aggregate into its chart codes; each code into each member's
//! local codes, with the crosswalk rule that mapped it, and the ledger lines
//! of exactly the cells the figure takes (its year, periods, movements,
//! dimension values, books or budget); for a group, each amount it
//! eliminates as its own row. The sum of every line's contribution, plus the
//! eliminations and the numbers written in the formula, is the figure's
//! exact value: `Provenance::lines_total` says so, and `explain` and the
//! tests check it.

use crate::cube::{Cell, EntityLines, LedgerLine};
use crate::eval::{self, Figures, Slice};
use crate::model::*;
use crate::money::Amount;
use crate::source::{Sources, Span};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The provenance of one figure (schema `reddition.provenance/1`).
#[derive(Debug, Serialize)]
pub struct Provenance {
    pub schema: &'static str,
    /// `report.line` (or `report.check.left|right`).
    pub figure: String,
    pub label: String,
    pub scope: String,
    pub column: String,
    pub year: i32,
    /// First and last period covered (1 to 13 is the whole year).
    pub periods: [u8; 2],
    pub budget: bool,
    /// A matrix column's dimension value (`nature = N100`).
    pub filter: Option<String>,
    /// The formula, as written, and where.
    pub formula: String,
    pub location: String,
    pub exact: String,
    pub rounded: String,
    /// The rounding unit and the figure's own exact value rounded.
    pub unit: String,
    pub own_rounded: String,
    /// False for a figure that multiplies or divides: it is not a sum of
    /// ledger lines, and its operands are explained on their own.
    pub linear: bool,
    /// The numbers written in the formula (and the lines it refers to).
    pub constant: String,
    pub terms: Vec<Term>,
    /// The sum of every line's contribution, the eliminations and the
    /// constant: the exact value, for a linear figure.
    pub lines_total: String,
}

/// One chart code of one aggregate of the formula.
#[derive(Debug, Serialize)]
pub struct Term {
    /// The aggregate as written (`sum(61000..61030)`).
    pub aggregate: String,
    pub code: String,
    pub label: String,
    pub measure: &'static str,
    /// +1 or -1: how each debit-positive amount enters the figure (the
    /// aggregate's sign in the formula times the code's presentation sign).
    pub sign: i32,
    /// Its contribution to the figure.
    pub value: String,
    pub members: Vec<Member>,
}

/// What one entity brings to a term.
#[derive(Debug, Serialize)]
pub struct Member {
    pub entity: String,
    /// The contribution of every line below, eliminated ones included.
    pub part: String,
    pub locals: Vec<Local>,
    /// What a group leaves out: each (local code, counterparty) with the
    /// negated contribution of its lines.
    pub eliminations: Vec<Elimination>,
}

#[derive(Debug, Serialize)]
pub struct Local {
    pub code: String,
    /// The crosswalk rule that mapped it: `file:line: rule`.
    pub rule: String,
    pub value: String,
    pub lines: Vec<Line>,
}

#[derive(Debug, Serialize)]
pub struct Line {
    pub file: String,
    pub line: usize,
    pub date: String,
    pub period: u8,
    pub reference: String,
    pub description: String,
    pub movement: Option<&'static str>,
    pub counterparty: Option<String>,
    /// As in the export, debit positive.
    pub amount: String,
    /// `amount` times the term's sign.
    pub contribution: String,
    pub eliminated: bool,
}

#[derive(Debug, Serialize)]
pub struct Elimination {
    pub local: String,
    pub counterparty: String,
    pub value: String,
}

/// The ledger lines of every entity, by cell, for the provenance of many
/// figures: each entity's exports read once.
pub struct LineIndex {
    /// Per entity: (local code, year, period, movement, counterparty,
    /// budget) → its lines.
    entities: Vec<HashMap<LineKey, Vec<LedgerLine>>>,
}

type LineKey = (
    String,
    i32,
    u8,
    Option<crate::ingest::Movement>,
    Option<u16>,
    bool,
);

impl LineIndex {
    /// Indexes the lines read again for each entity (see
    /// [`crate::cube::ledger_lines`]).
    pub fn new(read: Vec<EntityLines>) -> LineIndex {
        let entities = read
            .into_iter()
            .map(|entity| {
                let mut index: HashMap<LineKey, Vec<LedgerLine>> = HashMap::new();
                for line in entity.lines {
                    let Some(local) = entity.locals.get(line.cell.local) else {
                        continue;
                    };
                    let Cell {
                        year,
                        period,
                        movement,
                        counterparty,
                        ..
                    } = line.cell;
                    let key = (
                        local.clone(),
                        year,
                        period,
                        movement,
                        counterparty,
                        line.budget,
                    );
                    index.entry(key).or_default().push(line);
                }
                index
            })
            .collect();
        LineIndex { entities }
    }

    fn lines(&self, entity: usize, key: &LineKey) -> &[LedgerLine] {
        self.entities
            .get(entity)
            .and_then(|index| index.get(key))
            .map_or(&[], Vec::as_slice)
    }
}

/// What a provenance is computed from.
pub struct Context<'a> {
    pub program: &'a Program,
    pub figures: &'a Figures,
    pub cube: &'a crate::cube::Cube,
    pub sources: &'a Sources,
    /// The ledger lines; without them, each local code's part is taken
    /// from the cube's cells and `locals` is left empty (the build's
    /// `provenance.json`; `explain` gives the lines).
    pub lines: Option<&'a LineIndex>,
}

/// The provenance of `figure` in `column` of its report, for `scope`;
/// `None` when the column's slice was not evaluated.
pub fn provenance(
    context: &Context<'_>,
    figure: FigureId,
    column: usize,
    scope: usize,
) -> Option<Provenance> {
    let Context {
        program, figures, ..
    } = *context;
    let definition = &program.figures[figure];
    let report = &program.reports[definition.report];
    let column_def = report.columns.get(column)?;
    let slice = Slice::of_column(column_def, program.fiscal_year);
    let slice_index = figures.slice_index(slice)?;
    let values = &figures.values[scope][slice_index];
    let mut parts = Vec::new();
    let mut constant = Amount::ZERO;
    let linear = expand(program, &definition.expr, 1, &mut parts, &mut constant);
    let terms = match linear {
        true => parts
            .iter()
            .flat_map(|(aggregate, sign)| {
                program.aggregates[*aggregate]
                    .terms
                    .iter()
                    .map(move |term| (*aggregate, term, *sign))
            })
            .map(|(aggregate, term, sign)| {
                term_provenance(context, aggregate, term, sign, scope, slice)
            })
            .collect::<Option<Vec<(Term, Amount)>>>()?,
        false => Vec::new(),
    };
    let lines_total = terms
        .iter()
        .try_fold(constant, |sum, (_, value)| sum.checked_add(*value))?;
    let terms = terms.into_iter().map(|(term, _)| term).collect();
    let policy = report.rounding;
    Some(Provenance {
        schema: "reddition.provenance/1",
        figure: definition.qualified.clone(),
        label: row_label(report, figure),
        scope: figures.scopes[scope].name.clone(),
        column: column_def.name.clone(),
        year: slice.year,
        periods: [slice.periods.from, slice.periods.to],
        budget: slice.budget,
        filter: filter_text(program, slice),
        formula: excerpt(context.sources, definition.formula),
        location: context.sources.location(definition.formula),
        exact: values.exact[figure].to_string(),
        rounded: values.rounded[figure].to_string(),
        unit: policy.unit.to_string(),
        own_rounded: values.exact[figure]
            .round_to(policy.unit, policy.method)
            .unwrap_or(values.exact[figure])
            .to_string(),
        linear,
        constant: constant.to_string(),
        terms,
        lines_total: lines_total.to_string(),
    })
}

/// A scope's `provenance.json`, written with every build: every figure of
/// every report (lines and the sides of checks) in every column, down to
/// each member's part of each chart code and the eliminations; `locals` is
/// left empty there (`correspondances.csv` maps local codes to chart codes,
/// and `explain` gives the local codes and ledger lines of any figure).
#[derive(Debug, Serialize)]
pub struct BuildFile {
    pub schema: &'static str,
    pub scope: String,
    pub figures: Vec<Provenance>,
}

pub fn build_file(
    program: &Program,
    built: &crate::pipeline::Built,
    sources: &Sources,
    scope: usize,
) -> BuildFile {
    let context = Context {
        program,
        figures: &built.figures,
        cube: &built.cube,
        sources,
        lines: None,
    };
    let mut figures = Vec::new();
    for report in &program.reports {
        let columns = report.columns.len();
        for figure in program
            .figures
            .iter()
            .enumerate()
            .filter(|(_, f)| std::ptr::eq(&program.reports[f.report], report))
            .map(|(id, _)| id)
        {
            figures.extend(
                (0..columns)
                    .filter_map(|column| provenance(&context, figure, column, scope))
                    .map(without_empty_parts),
            );
        }
    }
    BuildFile {
        schema: "reddition.provenance/1",
        scope: built.figures.scopes[scope].name.clone(),
        figures,
    }
}

/// Drops the members that bring nothing (no amount on the code, nothing
/// eliminated) and the terms left without members: the sum is unchanged.
fn without_empty_parts(mut found: Provenance) -> Provenance {
    for term in &mut found.terms {
        term.members
            .retain(|m| m.part != "0" || !m.eliminations.is_empty());
    }
    found.terms.retain(|t| !t.members.is_empty());
    found
}

/// The figure as a signed sum of aggregates plus a constant, through the
/// lines and figures it refers to; false if it multiplies or divides.
fn expand(
    program: &Program,
    expr: &Expr,
    sign: i32,
    parts: &mut Vec<(usize, i32)>,
    constant: &mut Amount,
) -> bool {
    let signed = |amount: Amount| if sign < 0 { amount.negated() } else { amount };
    match expr {
        Expr::Number(amount) => match constant.checked_add(signed(*amount)) {
            Some(sum) => {
                *constant = sum;
                true
            }
            None => false,
        },
        Expr::Aggregate(index) => {
            parts.push((*index, sign));
            true
        }
        Expr::Figure(id, _) => expand(program, &program.figures[*id].expr, sign, parts, constant),
        Expr::Sum(ids) => ids
            .iter()
            .all(|id| expand(program, &program.figures[*id].expr, sign, parts, constant)),
        Expr::Neg(inner) => expand(program, inner, -sign, parts, constant),
        Expr::Binary(left, BinaryOp::Add, right, _) => {
            expand(program, left, sign, parts, constant)
                && expand(program, right, sign, parts, constant)
        }
        Expr::Binary(left, BinaryOp::Sub, right, _) => {
            expand(program, left, sign, parts, constant)
                && expand(program, right, -sign, parts, constant)
        }
        Expr::Binary(_, BinaryOp::Mul | BinaryOp::Div, _, _) => false,
    }
}

fn term_provenance(
    context: &Context<'_>,
    aggregate_index: usize,
    term: &AggregateTerm,
    sign: i32,
    scope: usize,
    slice: Slice,
) -> Option<(Term, Amount)> {
    let program = context.program;
    let aggregate = &program.aggregates[aggregate_index];
    let sign = if term.negate { -sign } else { sign };
    let scope_info = &context.figures.scopes[scope];
    let mut members = Vec::new();
    let mut value = Amount::ZERO;
    for member in &scope_info.members {
        let (found, brought) =
            member_provenance(context, aggregate, term, sign, scope, *member, slice)?;
        value = value.checked_add(brought)?;
        members.push(found);
    }
    let account = &program.chart.accounts[term.code];
    let found = Term {
        aggregate: excerpt(context.sources, aggregate.span),
        code: account.code.clone(),
        label: account.label.clone(),
        measure: match term.measure {
            Measure::Opening => "opening",
            Measure::Balance | Measure::Sum => "balance",
            Measure::Flow => "flow",
            Measure::Change => "change",
        },
        sign,
        value: value.to_string(),
        members,
    };
    Some((found, value))
}

fn member_provenance(
    context: &Context<'_>,
    aggregate: &AggregateDef,
    term: &AggregateTerm,
    sign: i32,
    scope: usize,
    member: usize,
    slice: Slice,
) -> Option<(Member, Amount)> {
    let program = context.program;
    let scope_info = &context.figures.scopes[scope];
    let data = &context.cube.entities[member];
    let crosswalk = &program.crosswalks[program.entities[member].crosswalk];
    let eliminated_code = scope_info.eliminated.contains(&term.code);
    let filter = eval::column_filter(program, slice);
    let cells = if slice.budget {
        &data.budget
    } else {
        &data.cells
    };
    let periods = eval::term_periods(term.measure, slice.periods);
    let mut locals: Vec<usize> = data.by_chart.get(&term.code).cloned().unwrap_or_default();
    locals.sort_by(|a, b| data.locals[*a].code.cmp(&data.locals[*b].code));
    let mut member_out = Member {
        entity: program.entities[member].name.clone(),
        part: String::new(),
        locals: Vec::new(),
        eliminations: Vec::new(),
    };
    let mut part = Amount::ZERO;
    let mut eliminations: BTreeMap<(String, String), Amount> = BTreeMap::new();
    for local in locals {
        let code = &data.locals[local];
        let dimensions = &code.mapped.dimensions;
        let in_column =
            filter.is_none_or(|(d, v)| dimensions.iter().any(|(dd, vv)| *dd == d && vv == v));
        if !in_column || !eval::dimensions_match(aggregate, dimensions) {
            continue;
        }
        let first = Cell {
            year: slice.year,
            local,
            period: *periods.start(),
            movement: None,
            counterparty: None,
        };
        let mut value = Amount::ZERO;
        let mut lines = Vec::new();
        let mut taken = false;
        for (cell, amount) in cells.range(first..) {
            if cell.year != slice.year || cell.local != local || cell.period > *periods.end() {
                break;
            }
            if !eval::movement_matches(aggregate, cell.movement) {
                continue;
            }
            let inside = cell
                .counterparty
                .is_some_and(|c| scope_info.members.contains(&usize::from(c)));
            let eliminated = eliminated_code && inside;
            let signed = |amount: Amount| if sign < 0 { amount.negated() } else { amount };
            let contributions: Vec<(Amount, Option<&LedgerLine>)> = match context.lines {
                Some(index) => index
                    .lines(
                        member,
                        &(
                            code.code.clone(),
                            cell.year,
                            cell.period,
                            cell.movement,
                            cell.counterparty,
                            slice.budget,
                        ),
                    )
                    .iter()
                    .map(|line| (signed(line.amount), Some(line)))
                    .collect(),
                None => vec![(signed(*amount), None)],
            };
            for (contribution, line) in contributions {
                taken = true;
                value = value.checked_add(contribution)?;
                if eliminated {
                    let counterparty = counterparty_name(program, cell.counterparty);
                    let slot = eliminations
                        .entry((code.code.clone(), counterparty))
                        .or_default();
                    *slot = slot.checked_sub(contribution)?;
                }
                if let Some(line) = line {
                    lines.push(line_out(program, line, contribution, eliminated));
                }
            }
        }
        if !taken {
            continue;
        }
        part = part.checked_add(value)?;
        if context.lines.is_none() {
            continue;
        }
        let rule = &crosswalk.rules[code.mapped.rule];
        member_out.locals.push(Local {
            code: code.code.clone(),
            rule: format!(
                "{}: {}",
                context.sources.location(rule.span),
                excerpt(context.sources, rule.span)
            ),
            value: value.to_string(),
            lines,
        });
    }
    member_out.part = part.to_string();
    let eliminated = eliminations
        .values()
        .try_fold(Amount::ZERO, |sum, value| sum.checked_add(*value))?;
    member_out.eliminations = eliminations
        .into_iter()
        .map(|((local, counterparty), value)| Elimination {
            local,
            counterparty,
            value: value.to_string(),
        })
        .collect();
    // What the member brings to the term: its part less what is eliminated.
    Some((member_out, part.checked_add(eliminated)?))
}

fn line_out(program: &Program, line: &LedgerLine, contribution: Amount, eliminated: bool) -> Line {
    Line {
        file: line.file.clone(),
        line: line.line,
        date: line.date.to_string(),
        period: line.cell.period,
        reference: line.reference.clone(),
        description: line.description.clone(),
        movement: line.cell.movement.map(|m| m.as_str()),
        counterparty: line
            .cell
            .counterparty
            .map(|c| counterparty_name(program, Some(c))),
        amount: line.amount.to_string(),
        contribution: contribution.to_string(),
        eliminated,
    }
}

fn counterparty_name(program: &Program, counterparty: Option<u16>) -> String {
    counterparty
        .and_then(|c| program.entities.get(usize::from(c)))
        .map_or_else(String::new, |e| e.name.clone())
}

fn row_label(report: &ReportDef, figure: FigureId) -> String {
    report
        .rows
        .iter()
        .filter(|row| row.figure == Some(figure))
        .map(|row| row.label.clone())
        .next_back()
        .unwrap_or_default()
}

fn filter_text(program: &Program, slice: Slice) -> Option<String> {
    let (dimension, value) = slice.filter?;
    let dimension = program.dimensions.get(dimension)?;
    let value = dimension.values.as_ref()?.keys().nth(value)?;
    Some(format!("{} = {value}", dimension.name))
}

/// The source text of a span on one line (collapsed whitespace).
pub fn excerpt(sources: &Sources, span: Span) -> String {
    let text = sources.get(span.file).text.get(span.range()).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
