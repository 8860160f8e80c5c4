//! `explain`: how one figure was obtained, down to the local codes, their
//! line counts and the crosswalk rule that mapped each.

use crate::eval::{self, Figures};
use crate::model::*;
use crate::money::Amount;
use crate::pipeline::Built;
use crate::render::french;
use crate::source::{Sources, Span};
use std::fmt::Write;

/// Finds a figure by `report.line` (or `report.check.left|right`).
pub fn find(program: &Program, qualified: &str) -> Option<FigureId> {
    program
        .figures
        .iter()
        .position(|f| f.qualified == qualified)
}

/// Figure names close to `qualified`, for a "did you mean" hint.
pub fn names(program: &Program) -> Vec<&str> {
    program
        .figures
        .iter()
        .map(|f| f.qualified.as_str())
        .collect()
}

pub fn explain(
    program: &Program,
    built: &Built,
    sources: &Sources,
    figure: FigureId,
    scope: usize,
    year: i32,
) -> String {
    let figures: &Figures = &built.figures;
    let definition = &program.figures[figure];
    let report = &program.reports[definition.report];
    let scope_info = &figures.scopes[scope];
    let Some(year_index) = figures.year_index(year) else {
        return format!("no data for fiscal year {}-{year}\n", year - 1);
    };
    let values = &figures.values[scope][year_index];
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", definition.qualified, report.label);
    let _ = writeln!(
        out,
        "{} ({}), exercice {}-{year}",
        scope_info.label,
        scope_info.name,
        year - 1
    );
    let _ = writeln!(
        out,
        "formule ({}): {}",
        sources.location(definition.formula),
        excerpt(sources, definition.formula)
    );
    let _ = writeln!(
        out,
        "valeur exacte {}, présentée {}",
        values.exact[figure],
        french(
            values.rounded[figure],
            report.rounding.unit.decimal().scale()
        )
    );
    let mut aggregates = Vec::new();
    let mut references = Vec::new();
    collect(&definition.expr, &mut aggregates, &mut references);
    for referenced in references {
        let _ = writeln!(
            out,
            "\n  {} = {}   (reddition explain {})",
            program.figures[referenced].qualified,
            values.exact[referenced],
            program.figures[referenced].qualified
        );
    }
    for aggregate_index in aggregates {
        let aggregate = &program.aggregates[aggregate_index];
        let _ = writeln!(
            out,
            "\n  {} = {}",
            excerpt(sources, aggregate.span),
            values.aggregates[aggregate_index]
        );
        for term in &aggregate.terms {
            explain_term(
                &mut out, program, built, sources, aggregate, term, scope_info, year,
            );
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn explain_term(
    out: &mut String,
    program: &Program,
    built: &Built,
    sources: &Sources,
    aggregate: &AggregateDef,
    term: &AggregateTerm,
    scope: &eval::Scope,
    year: i32,
) {
    let account = &program.chart.accounts[term.code];
    let mut total = Amount::ZERO;
    let mut lines = Vec::new();
    for member in &scope.members {
        let data = &built.cube.entities[*member];
        let crosswalk = &program.crosswalks[program.entities[*member].crosswalk];
        let mut locals: Vec<usize> = data.by_chart.get(&term.code).cloned().unwrap_or_default();
        locals.sort_by(|a, b| data.locals[*a].code.cmp(&data.locals[*b].code));
        for local in locals {
            let value =
                eval::term_value(aggregate, term, data, year, Some(local)).unwrap_or(Amount::ZERO);
            let code = &data.locals[local];
            let count = code.lines.get(&year).copied().unwrap_or(0);
            if value.is_zero() && count == 0 {
                continue;
            }
            total = total.checked_add(value).unwrap_or(total);
            let rule = &crosswalk.rules[code.mapped.rule];
            lines.push(format!(
                "      {:<10} {:<24} {:>20}  {:>6} lignes  règle {} {}",
                program.entities[*member].name,
                code.code,
                value.to_string(),
                count,
                sources.location(rule.span),
                excerpt(sources, rule.span)
            ));
        }
    }
    let measure = match term.measure {
        Measure::Opening => "solde d'ouverture",
        Measure::Balance | Measure::Sum => "solde de clôture",
        Measure::Flow => "mouvements de l'exercice",
        Measure::Change => "variation",
    };
    let sign = if term.negate {
        "au crédit"
    } else {
        "au débit"
    };
    let _ = writeln!(
        out,
        "    {} {} ({measure}, {sign}) = {total}",
        account.code, account.label
    );
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

fn collect(expr: &Expr, aggregates: &mut Vec<usize>, references: &mut Vec<FigureId>) {
    match expr {
        Expr::Aggregate(index) => aggregates.push(*index),
        Expr::Figure(id, _) => references.push(*id),
        Expr::Sum(ids) => references.extend(ids),
        Expr::Neg(inner) => collect(inner, aggregates, references),
        Expr::Binary(left, _, right, _) => {
            collect(left, aggregates, references);
            collect(right, aggregates, references);
        }
        Expr::Number(_) => {}
    }
}

/// The source text of a span on one line (collapsed whitespace).
fn excerpt(sources: &Sources, span: Span) -> String {
    let text = sources.get(span.file).text.get(span.range()).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
