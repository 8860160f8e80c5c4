//! `explain REPORT.LINE[COLUMN]`: where one figure comes from, down to the
//! ledger lines of exactly the cells it takes, as text or as the JSON of
//! [`crate::provenance`]. Works on a build whose checks fail: a check's name
//! explains both its sides.

use crate::calendar;
use crate::cube;
use crate::diagnostic::{Code, Diagnostic, visible};
use crate::eval::{Figures, Slice};
use crate::model::*;
use crate::pipeline::Built;
use crate::project::Project;
use crate::provenance::{self, Context, LineIndex, Provenance};
use crate::render::french;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The figures a name stands for: `report.line` (or `report.check.left`),
/// or a check's two sides for `report.check`.
pub fn find(program: &Program, qualified: &str) -> Vec<FigureId> {
    let exact = program
        .figures
        .iter()
        .position(|f| f.qualified == qualified);
    if let Some(figure) = exact {
        return vec![figure];
    }
    ["left", "right"]
        .iter()
        .filter_map(|side| {
            let name = format!("{qualified}.{side}");
            program.figures.iter().position(|f| f.qualified == name)
        })
        .collect()
}

/// Figure names close to `qualified`, for a "did you mean" hint.
pub fn names(program: &Program) -> Vec<&str> {
    program
        .figures
        .iter()
        .map(|f| f.qualified.as_str())
        .collect()
}

/// `REPORT.LINE[COLUMN]` → the name and the column, if one is written.
pub fn split_column(text: &str) -> (&str, Option<&str>) {
    match text.strip_suffix(']').and_then(|t| t.split_once('[')) {
        Some((name, column)) => (name, Some(column)),
        None => (text, None),
    }
}

/// No figure of that name, with the closest one.
pub fn unknown_figure(program: &Program, name: &str) -> Diagnostic {
    let known = names(program);
    let help = match crate::diagnostic::closest(name, known.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!(
            "name it as REPORT.LINE, e.g. `{}`",
            known.first().copied().unwrap_or("situation.encaisse")
        ),
    };
    Diagnostic::error(Code::UnknownName, format!("no figure `{name}`")).help(help)
}

/// No such column in the figure's report, with the report's columns.
pub fn unknown_column(name: &str, column: Option<&str>, columns: &[String]) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownName,
        match column {
            Some(column) => format!("no column `{column}` in the report of `{name}`"),
            None => format!("the report of `{name}` has no column for that year"),
        },
    )
    .help(format!("choose one of {}", columns.join(", ")))
}

/// The column of the figure's report: the one named, else the whole year
/// `year` (the year built by default), else the first. An unknown name
/// gives the report's column names.
pub fn column(
    program: &Program,
    figure: FigureId,
    named: Option<&str>,
    year: Option<i32>,
) -> Result<usize, Vec<String>> {
    let report = &program.reports[program.figures[figure].report];
    let names = || report.columns.iter().map(|c| c.name.clone()).collect();
    if let Some(name) = named {
        return report
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(names);
    }
    let year = year.unwrap_or(program.fiscal_year);
    let whole_year = report
        .columns
        .iter()
        .position(|c| Slice::of_column(c, program.fiscal_year) == Slice::year(year));
    match (whole_year, year == program.fiscal_year) {
        (Some(index), _) => Ok(index),
        (None, true) if !report.columns.is_empty() => Ok(0),
        _ => Err(names()),
    }
}

/// The ledger lines of the scope's entities, for the local codes the
/// figures draw on, each entity's exports read once more.
pub fn lines_for(
    program: &Program,
    built: &Built,
    project: &Project,
    figures: &[FigureId],
    scope: usize,
) -> Result<LineIndex, Vec<Diagnostic>> {
    let mut codes = BTreeSet::new();
    for figure in figures {
        collect_codes(program, &program.figures[*figure].expr, &mut codes);
    }
    let members = &built.figures.scopes[scope].members;
    let mut read = Vec::new();
    for entity in 0..program.entities.len() {
        if !members.contains(&entity) {
            read.push(cube::EntityLines::default());
            continue;
        }
        let data = &built.cube.entities[entity];
        let wanted: BTreeSet<&str> = codes
            .iter()
            .flat_map(|code| data.by_chart.get(code).into_iter().flatten())
            .map(|local| data.locals[*local].code.as_str())
            .collect();
        read.push(cube::ledger_lines(program, project, entity, &|code| {
            wanted.contains(code)
        })?);
    }
    Ok(LineIndex::new(read))
}

/// The chart codes an expression reaches, through the figures it refers to.
fn collect_codes(program: &Program, expr: &Expr, codes: &mut BTreeSet<CodeId>) {
    match expr {
        Expr::Aggregate(index) => {
            codes.extend(program.aggregates[*index].terms.iter().map(|t| t.code))
        }
        Expr::Figure(id, _) => collect_codes(program, &program.figures[*id].expr, codes),
        Expr::Sum(ids) => {
            for id in ids {
                collect_codes(program, &program.figures[*id].expr, codes);
            }
        }
        Expr::Neg(inner) => collect_codes(program, inner, codes),
        Expr::Binary(left, _, right, _) => {
            collect_codes(program, left, codes);
            collect_codes(program, right, codes);
        }
        Expr::Number(_) => {}
    }
}

/// The provenance of each figure, in one column and scope.
pub fn provenances(
    context: &Context<'_>,
    figures: &[FigureId],
    column: usize,
    scope: usize,
) -> Vec<Provenance> {
    figures
        .iter()
        .filter_map(|figure| provenance::provenance(context, *figure, column, scope))
        .collect()
}

/// The text view: the figure, its formula and values, then each code,
/// member, local code and up to `lines` ledger lines of each, and the sum
/// of the lines against the exact value.
pub fn text(program: &Program, figures: &Figures, found: &Provenance, lines: usize) -> String {
    let mut out = String::new();
    let definition = program.figures.iter().find(|f| f.qualified == found.figure);
    let report = definition.map(|d| &program.reports[d.report]);
    let scope = figures.scopes.iter().find(|s| s.name == found.scope);
    let _ = writeln!(
        out,
        "{} — {}",
        found.figure,
        report.map_or("", |r| r.label.as_str())
    );
    let _ = writeln!(
        out,
        "{} ({}), colonne {} : exercice {}{}{}",
        scope.map_or("", |s| s.label.as_str()),
        found.scope,
        found.column,
        calendar::label(found.year),
        crate::eval::periods_note(
            Periods {
                from: found.periods[0],
                to: found.periods[1]
            },
            found.budget
        ),
        found
            .filter
            .as_ref()
            .map_or(String::new(), |f| format!(", {f}"))
    );
    let _ = writeln!(
        out,
        "formule ({}): {}",
        visible(&found.location),
        found.formula
    );
    let unit_scale = report.map_or(0, |r| r.rounding.unit.scale());
    let shown = |text: &str| {
        crate::money::Amount::parse_plain(text).map_or(text.to_string(), |a| french(a, unit_scale))
    };
    let _ = writeln!(
        out,
        "valeur exacte {}, présentée {} (exacte arrondie : {})",
        found.exact,
        shown(&found.rounded),
        shown(&found.own_rounded)
    );
    if !found.linear {
        let _ = writeln!(
            out,
            "\n  un ratio : il n'est pas une somme de lignes ; chaque opérande s'explique à part"
        );
        return out;
    }
    if found.constant != "0" {
        let _ = writeln!(out, "\n  nombres de la formule : {}", found.constant);
    }
    for term in &found.terms {
        let measure = match term.measure {
            "opening" => "solde d'ouverture",
            "balance" => "solde de clôture",
            "flow" => "mouvements",
            _ => "variation",
        };
        let sign = if term.sign < 0 {
            "au crédit"
        } else {
            "au débit"
        };
        let _ = writeln!(
            out,
            "\n  {} : {} {} ({measure}, {sign}) = {}",
            term.aggregate, term.code, term.label, term.value
        );
        for member in &term.members {
            term_member(&mut out, member, lines);
        }
    }
    let _ = writeln!(
        out,
        "\nsomme des lignes {} {} valeur exacte {}",
        found.lines_total,
        if found.lines_total == found.exact {
            "="
        } else {
            "≠"
        },
        found.exact
    );
    out
}

fn term_member(out: &mut String, member: &provenance::Member, lines: usize) {
    if member.locals.is_empty() {
        return;
    }
    let _ = writeln!(out, "    {} : {}", member.entity, member.part);
    for local in &member.locals {
        let _ = writeln!(
            out,
            "      {:<24} {:>20}  {:>6} lignes  règle {}",
            visible(&local.code),
            local.value,
            local.lines.len(),
            visible(&local.rule)
        );
        for line in local.lines.iter().take(lines) {
            let movement = line.movement.map_or(String::new(), |m| format!(" [{m}]"));
            let _ = writeln!(
                out,
                "          {}:{}  {}  {:<12} {:>16}  {}{movement}{}",
                visible(&line.file),
                line.line,
                line.date,
                visible(&line.reference),
                line.amount,
                visible(&line.description),
                if line.eliminated { " (éliminée)" } else { "" }
            );
        }
        if local.lines.len() > lines && lines > 0 {
            let _ = writeln!(out, "          …");
        }
    }
    for elimination in &member.eliminations {
        let _ = writeln!(
            out,
            "      éliminé : {} avec {} : {}",
            visible(&elimination.local),
            elimination.counterparty,
            elimination.value
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cube::ReadOptions;
    use crate::provenance::Context;
    use crate::source::Sources;
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
        let figures = find(&program, "resultats.revenus");
        let lines = lines_for(&program, &built, &project, &figures, 0).expect("read again");
        let context = Context {
            program: &program,
            figures: &built.figures,
            cube: &built.cube,
            sources: &sources,
            lines: Some(&lines),
        };
        let found = provenances(&context, &figures, 0, 0);
        let first = found
            .iter()
            .flat_map(|p| &p.terms)
            .flat_map(|t| &t.members)
            .flat_map(|m| &m.locals)
            .find(|l| l.code == "231-510")
            .and_then(|l| l.lines.first())
            .map(|l| format!("{}:{}", l.file, l.line));
        assert_eq!(first.as_deref(), Some("ledgers/gl-2025.csv:3"));
    }
}
