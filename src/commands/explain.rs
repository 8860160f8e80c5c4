//! `explain`: how one figure was obtained, down to the local codes, their
//! line counts and the crosswalk rule that mapped each.

use crate::calendar;
use crate::diagnostic::visible;
use crate::eval::{self, Figures};
use crate::ingest::{self, Posting};
use crate::model::*;
use crate::money::Amount;
use crate::pipeline::Built;
use crate::project::Project;
use crate::render::french;
use crate::source::{Sources, Span};
use std::collections::{BTreeMap, BTreeSet};
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

/// Ledger lines behind the figure, per (entity index, local code): each line
/// as `file:line  date  reference  amount  description`.
pub type LedgerLines = BTreeMap<(usize, String), Vec<String>>;

/// Reads again the files the build read for the scope's entities, each with
/// its format's dialect and under the project's limits, and keeps, for every
/// local code the figure draws on, up to `limit` of its lines of the fiscal
/// year.
pub fn ledger_lines(
    program: &Program,
    built: &Built,
    project: &Project,
    figure: FigureId,
    scope: usize,
    year: i32,
    limit: usize,
) -> LedgerLines {
    let mut aggregates = Vec::new();
    let mut references = Vec::new();
    collect(
        &program.figures[figure].expr,
        &mut aggregates,
        &mut references,
    );
    let codes: BTreeSet<usize> = aggregates
        .iter()
        .flat_map(|a| program.aggregates[*a].terms.iter().map(|t| t.code))
        .collect();
    let mut found = LedgerLines::new();
    for member in &built.figures.scopes[scope].members {
        let data = &built.cube.entities[*member];
        let wanted: BTreeSet<&str> = codes
            .iter()
            .flat_map(|code| data.by_chart.get(code).into_iter().flatten())
            .map(|local| data.locals[*local].code.as_str())
            .collect();
        for file in &data.files {
            let Ok(mut bytes) = project
                .ledger_path(&file.path)
                .and_then(std::fs::File::open)
            else {
                continue;
            };
            let format = &program.formats[file.format];
            let mut sink = |posting: &Posting<'_>| {
                if !wanted.contains(posting.account) || calendar::period_of(posting.date).0 != year
                {
                    return Ok(());
                }
                let kept = found
                    .entry((*member, posting.account.to_string()))
                    .or_default();
                if kept.len() < limit {
                    kept.push(ledger_line(&file.path, posting));
                } else if kept.len() == limit {
                    kept.push("…".to_string());
                }
                Ok(())
            };
            let export = ingest::Export {
                name: &file.path,
                dialect: &format.dialect,
                layout: &format.layout,
                limits: &project.limits,
            };
            let _ = ingest::read_export_from(
                &export,
                &mut bytes,
                ingest::PIECE_BYTES,
                &mut Sources::default(),
                &mut sink,
            );
        }
    }
    found
}

/// `file:line  date  reference  amount  description [movement]`. The file
/// name, reference and description come from outside and go to a terminal:
/// their control and bidirectional characters are shown, not sent.
fn ledger_line(path: &str, posting: &Posting<'_>) -> String {
    let movement = posting
        .movement
        .map_or(String::new(), |m| format!(" [{}]", m.as_str()));
    format!(
        "{}:{}  {}  {:<12} {:>16}  {}{movement}",
        visible(path),
        posting.line,
        posting.date,
        visible(posting.reference),
        posting.amount.to_string(),
        visible(posting.description)
    )
}

pub fn explain(
    program: &Program,
    built: &Built,
    sources: &Sources,
    figure: FigureId,
    scope: usize,
    year: i32,
    ledger: &LedgerLines,
) -> String {
    let figures: &Figures = &built.figures;
    let definition = &program.figures[figure];
    let report = &program.reports[definition.report];
    let scope_info = &figures.scopes[scope];
    let Some(year_index) = figures.year_index(year) else {
        return format!("no data for fiscal year {}\n", calendar::label(year));
    };
    let values = &figures.values[scope][year_index];
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", definition.qualified, report.label);
    let _ = writeln!(
        out,
        "{} ({}), exercice {}",
        scope_info.label,
        scope_info.name,
        calendar::label(year)
    );
    let _ = writeln!(
        out,
        "formule ({}): {}",
        visible(&sources.location(definition.formula)),
        excerpt(sources, definition.formula)
    );
    let _ = writeln!(
        out,
        "valeur exacte {}, présentée {}",
        values.exact[figure],
        french(values.rounded[figure], report.rounding.unit.scale())
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
            let context = TermContext {
                program,
                built,
                sources,
                scope: scope_info,
                year,
                ledger,
            };
            explain_term(&mut out, &context, aggregate, term);
        }
    }
    out
}

struct TermContext<'a> {
    program: &'a Program,
    built: &'a Built,
    sources: &'a Sources,
    scope: &'a eval::Scope,
    year: i32,
    ledger: &'a LedgerLines,
}

fn explain_term(
    out: &mut String,
    context: &TermContext<'_>,
    aggregate: &AggregateDef,
    term: &AggregateTerm,
) {
    let account = &context.program.chart.accounts[term.code];
    let mut shown = TermLines::default();
    for member in &context.scope.members {
        member_lines(context, aggregate, term, *member, &mut shown);
    }
    let TermLines { total, lines } = shown;
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

/// A term's total over the members of a scope, and the lines behind it.
#[derive(Default)]
struct TermLines {
    total: Amount,
    lines: Vec<String>,
}

/// Adds the local codes of one member behind a term: each with its value,
/// its line count, its rule and its ledger lines.
fn member_lines(
    context: &TermContext<'_>,
    aggregate: &AggregateDef,
    term: &AggregateTerm,
    member: usize,
    shown: &mut TermLines,
) {
    let TermContext {
        program,
        built,
        sources,
        year,
        ledger,
        ..
    } = *context;
    let data = &built.cube.entities[member];
    let crosswalk = &program.crosswalks[program.entities[member].crosswalk];
    let mut locals: Vec<usize> = data.by_chart.get(&term.code).cloned().unwrap_or_default();
    locals.sort_by(|a, b| data.locals[*a].code.cmp(&data.locals[*b].code));
    for local in locals {
        let value = eval::term_value(
            aggregate,
            term,
            data,
            eval::Slice::year(year),
            None,
            eval::Eliminate::default(),
            Some(local),
        )
        .unwrap_or(Amount::ZERO);
        let code = &data.locals[local];
        let count = code.lines.get(&year).copied().unwrap_or(0);
        if value.is_zero() && count == 0 {
            continue;
        }
        shown.total = shown.total.checked_add(value).unwrap_or(shown.total);
        let rule = &crosswalk.rules[code.mapped.rule];
        shown.lines.push(format!(
            "      {:<10} {:<24} {:>20}  {:>6} lignes  règle {} {}",
            program.entities[member].name,
            visible(&code.code),
            value.to_string(),
            count,
            visible(&sources.location(rule.span)),
            excerpt(sources, rule.span)
        ));
        for line in ledger
            .get(&(member, code.code.clone()))
            .into_iter()
            .flatten()
        {
            shown.lines.push(format!("          {line}"));
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cube::ReadOptions;
    use std::path::Path;

    /// Copies the minimal project into `root`, each export widened by
    /// `extra` columns the format does not read.
    fn widened_minimal_project(root: &Path, extra: usize) {
        let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/bases/minimal");
        let spec = std::fs::read(minimal.join("reports/spec.rdn")).expect("the spec");
        std::fs::create_dir_all(root.join("reports")).expect("a folder");
        std::fs::write(root.join("reports/spec.rdn"), spec).expect("written");
        std::fs::create_dir_all(root.join("ledgers")).expect("a folder");
        let ledgers = std::fs::read_dir(minimal.join("ledgers")).expect("the ledgers");
        for entry in ledgers.flatten() {
            let text = std::fs::read_to_string(entry.path()).expect("a ledger");
            let widened: String = text
                .lines()
                .enumerate()
                .map(|(index, line)| {
                    let cells = (0..extra).map(|n| match index {
                        0 => format!(";x{n}"),
                        _ => ";".to_string(),
                    });
                    format!("{line}{}\n", cells.collect::<String>())
                })
                .collect();
            std::fs::write(root.join("ledgers").join(entry.file_name()), widened).expect("written");
        }
    }

    #[test]
    fn ledger_lines_are_read_under_the_projects_limits() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let columns = crate::limits::Limits::default().columns;
        widened_minimal_project(folder.path(), columns);
        let mut project = Project::new(folder.path());
        project.limits.columns = 2 * columns;
        let mut sources = Sources::default();
        let program = crate::pipeline::check_project(&project, &mut sources).expect("checks");
        let built = crate::pipeline::run(&program, &project, &mut sources, &ReadOptions::default())
            .expect("builds under the raised limit");
        let figure = find(&program, "resultats.revenus").expect("a figure");
        let lines = ledger_lines(&program, &built, &project, figure, 0, 2025, 10);
        let revenue = lines.get(&(0, "231-510".to_string()));
        assert_eq!(
            revenue.map(|lines| lines[0].split_whitespace().next()),
            Some(Some("ledgers/gl-2025.csv:3"))
        );
    }
}
