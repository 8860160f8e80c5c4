//! Lowering reports: names → figures, formulas → expressions over figures
//! and aggregates, then cycle detection and topological order.
//!
//! This file lowers the reports themselves (lines, sections, checks and
//! formulas); each other concept has its own file: `columns` (columns,
//! periods and matrices), `aggregates` (`sum(...)` and its filters),
//! `signs` (the kinds and signs of an aggregate's codes), `codes` (code
//! sets and chart coverage) and `order` (cycles and topological order).

mod aggregates;
pub(super) mod codes;
mod columns;
mod order;
mod signs;

pub(super) use codes::resolve_codeset;

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::money::Amount;
use crate::syntax::ast::{self, Item};
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct Lowered {
    pub reports: Vec<ReportDef>,
    pub figures: Vec<Figure>,
    pub order: Vec<FigureId>,
    pub aggregates: Vec<AggregateDef>,
}

/// What lowering reads and builds across all reports: a formula may name a
/// line of another report, so every figure lives in one table.
struct Lowering<'a> {
    checker: &'a mut Checker,
    chart: &'a Chart,
    dimensions: &'a [DimensionDef],
    /// Report name → (index, names of its lines and sections).
    names: BTreeMap<String, (usize, BTreeMap<String, FigureId>)>,
    figures: Vec<Figure>,
    aggregates: Vec<AggregateDef>,
    /// The chart codes some line's formula takes amounts from.
    reached: BTreeSet<CodeId>,
    /// The report whose formulas are being lowered.
    report: usize,
}

/// The report whose lines and sections are being declared.
struct Declaring<'r> {
    report: usize,
    report_name: &'r str,
    names: BTreeMap<String, FigureId>,
}

pub(super) fn lower(
    checker: &mut Checker,
    items: &[&Item],
    chart: &Chart,
    dimensions: &[DimensionDef],
    rounding: RoundingPolicy,
) -> Lowered {
    let reports_ast = unique_reports(checker, items);
    let mut lowering = Lowering {
        checker: &mut *checker,
        chart,
        dimensions,
        names: BTreeMap::new(),
        figures: Vec::new(),
        aggregates: Vec::new(),
        reached: BTreeSet::new(),
        report: 0,
    };
    // Every name is declared before any formula is read, so that a formula
    // may name a line further down or in another report.
    for (index, report) in reports_ast.iter().enumerate() {
        let names = lowering.declare_report(index, report);
        lowering
            .names
            .insert(report.name.text.clone(), (index, names));
    }
    let reports = reports_ast
        .iter()
        .enumerate()
        .map(|(index, report)| lowering.report(index, report, rounding))
        .collect();
    let Lowering {
        figures,
        aggregates,
        reached,
        ..
    } = lowering;
    codes::report_unreached(checker, chart, &reached);
    let order = order::topological_order(checker, &figures);
    Lowered {
        reports,
        figures,
        order,
        aggregates,
    }
}

/// The reports in declaration order, a second report of one name refused.
fn unique_reports<'i>(checker: &mut Checker, items: &[&'i Item]) -> Vec<&'i ast::Report> {
    let mut reports: Vec<&ast::Report> = Vec::new();
    for item in items {
        if let Item::Report(report) = item {
            if let Some(first) = reports.iter().find(|r| r.name.text == report.name.text) {
                checker.duplicate("report", &report.name, first.name.span);
                continue;
            }
            // Kept despite the error, so that lines naming it resolve.
            checker.output_name_free("report", &report.name);
            reports.push(report);
        }
    }
    reports
}

impl Lowering<'_> {
    /// First pass: gives every line and section of a report its figure id.
    fn declare_report(
        &mut self,
        report: usize,
        report_ast: &ast::Report,
    ) -> BTreeMap<String, FigureId> {
        let mut declaring = Declaring {
            report,
            report_name: &report_ast.name.text,
            names: BTreeMap::new(),
        };
        for item in &report_ast.items {
            match item {
                ast::ReportItem::Line(line) => {
                    self.declare(&mut declaring, &line.name, None);
                }
                ast::ReportItem::Section(section) => {
                    self.declare_section(&mut declaring, section, None);
                }
                _ => {}
            }
        }
        declaring.names
    }

    fn declare_section(
        &mut self,
        declaring: &mut Declaring<'_>,
        section: &ast::Section,
        parent: Option<FigureId>,
    ) {
        let id = self.declare(declaring, &section.name, parent);
        for item in &section.items {
            match item {
                ast::SectionItem::Line(line) => {
                    self.declare(declaring, &line.name, Some(id));
                }
                ast::SectionItem::Section(inner) => {
                    self.declare_section(declaring, inner, Some(id));
                }
                ast::SectionItem::Total(_) => {}
            }
        }
    }

    /// A figure for a line or section named `name`, its formula still to
    /// be lowered.
    fn declare(
        &mut self,
        declaring: &mut Declaring<'_>,
        name: &ast::Name,
        section: Option<FigureId>,
    ) -> FigureId {
        if crate::syntax::RESERVED.contains(&name.text.as_str()) {
            self.checker.error(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("`{}` is a keyword and cannot name a line", name.text),
                )
                .at(name.span, "reserved word")
                .help("choose another name, e.g. `total_revenus`"),
            );
        }
        let id = self.figures.len();
        self.figures.push(Figure {
            qualified: format!("{}.{}", declaring.report_name, name.text),
            report: declaring.report,
            expr: Expr::Number(Amount::ZERO),
            span: name.span,
            formula: name.span,
            section,
            is_leaf: true,
        });
        // The first of two lines of one name keeps it.
        if let Some(first) = declaring.names.insert(name.text.clone(), id) {
            self.checker
                .duplicate("line or section", name, self.figures[first].span);
            declaring.names.insert(name.text.clone(), first);
        }
        id
    }

    /// Second pass: the report's columns, rounding, rows and checks.
    fn report(
        &mut self,
        index: usize,
        report: &ast::Report,
        global_rounding: RoundingPolicy,
    ) -> ReportDef {
        self.report = index;
        let mut lowered = ReportDef {
            name: report.name.text.clone(),
            label: report.label.value.clone(),
            subtitle: None,
            columns: columns::default_columns(),
            rounding: global_rounding,
            rows: Vec::new(),
            checks: Vec::new(),
        };
        for item in &report.items {
            match item {
                ast::ReportItem::Subtitle(text) => lowered.subtitle = Some(text.value.clone()),
                ast::ReportItem::Columns(columns, _) => {
                    lowered.columns = columns::listed(self.checker, columns);
                }
                ast::ReportItem::ColumnsBy {
                    dimension, slice, ..
                } => {
                    if let Some(columns) =
                        columns::matrix(self.checker, self.dimensions, dimension, slice)
                    {
                        lowered.columns = columns;
                    }
                }
                ast::ReportItem::Rounding(rounding) => {
                    lowered.rounding = self.checker.rounding(rounding, global_rounding, self.chart);
                }
                ast::ReportItem::Line(line) => {
                    self.line(line, 0, &mut lowered.rows);
                }
                ast::ReportItem::Section(section) => {
                    self.section(section, 0, &mut lowered.rows);
                }
                ast::ReportItem::Check(check) => {
                    let check = self.check(&report.name.text, check);
                    lowered.checks.push(check);
                }
            }
        }
        lowered
    }

    /// The figure declared for a line or section of the report.
    fn figure_of(&self, name: &ast::Name) -> FigureId {
        self.names
            .values()
            .find(|(index, _)| *index == self.report)
            .and_then(|(_, names)| names.get(&name.text).copied())
            .unwrap_or(0)
    }

    fn line(&mut self, line: &ast::Line, depth: usize, rows: &mut Vec<Row>) -> FigureId {
        let id = self.figure_of(&line.name);
        let expr = self.expr(&line.expr, true);
        let figure = &mut self.figures[id];
        // A ratio is rounded from its exact value: recomputing it from rounded
        // operands would not foot anything and could divide by a rounded zero.
        figure.is_leaf = !refers_to_figures(&expr) || has_product(&expr);
        figure.expr = expr;
        figure.formula = line.expr.span;
        let kind = if line.memo {
            RowKind::Memo
        } else {
            RowKind::Line
        };
        rows.push(row(kind, &line.label, depth, Some(id)));
        id
    }

    /// A section is the sum of its lines (memos aside) and inner sections:
    /// a heading row, their rows, then its total row if it has one.
    fn section(&mut self, section: &ast::Section, depth: usize, rows: &mut Vec<Row>) -> FigureId {
        let id = self.figure_of(&section.name);
        rows.push(row(RowKind::Heading, &section.label, depth, None));
        let mut parts = Vec::new();
        let mut total = None;
        for item in &section.items {
            match item {
                ast::SectionItem::Line(line) => {
                    let part = self.line(line, depth + 1, rows);
                    if !line.memo {
                        parts.push(part);
                    }
                }
                ast::SectionItem::Section(inner) => {
                    parts.push(self.section(inner, depth + 1, rows));
                }
                ast::SectionItem::Total(label) => total = Some(label),
            }
        }
        self.figures[id].expr = Expr::Sum(parts);
        self.figures[id].is_leaf = false;
        if let Some(label) = total {
            rows.push(row(RowKind::Total, label, depth, Some(id)));
        }
        id
    }

    /// The two sides of a check become figures of their own
    /// (`report.check.left` and `.right`).
    fn check(&mut self, report_name: &str, check: &ast::Check) -> CheckDef {
        let qualified = |side: &str| format!("{report_name}.{}.{side}", check.name.text);
        let left = self.check_side(qualified("left"), &check.left);
        let right = self.check_side(qualified("right"), &check.right);
        CheckDef {
            name: check.name.text.clone(),
            label: check.label.value.clone(),
            left,
            comparison: check.comparison.value,
            right,
            rounded: check.rounded,
            tolerance: check.tolerance.map_or(Amount::ZERO, |t| t.value),
            span: check.name.span,
        }
    }

    fn check_side(&mut self, qualified: String, expr: &ast::Expr) -> FigureId {
        let lowered = self.expr(expr, false);
        let id = self.figures.len();
        self.figures.push(Figure {
            qualified,
            report: self.report,
            is_leaf: !refers_to_figures(&lowered),
            expr: lowered,
            span: expr.span,
            formula: expr.span,
            section: None,
        });
        id
    }

    /// Lowers a formula. `reaches` says whether its codes count as reported
    /// (lines do; the sides of checks do not).
    fn expr(&mut self, expr: &ast::Expr, reaches: bool) -> Expr {
        match &expr.kind {
            ast::ExprKind::Number(amount) => Expr::Number(*amount),
            ast::ExprKind::Neg(inner) => Expr::Neg(Box::new(self.expr(inner, reaches))),
            ast::ExprKind::Binary(left, operator, right) => Expr::Binary(
                Box::new(self.expr(left, reaches)),
                *operator,
                Box::new(self.expr(right, reaches)),
                expr.span,
            ),
            ast::ExprKind::Reference {
                report: target,
                name,
            } => match self.reference(target.as_ref(), name) {
                Some(id) => Expr::Figure(id, expr.span),
                None => Expr::Number(Amount::ZERO),
            },
            ast::ExprKind::Aggregate(aggregate) => {
                match self.aggregate(aggregate, expr.span, reaches) {
                    Some(index) => Expr::Aggregate(index),
                    None => Expr::Number(Amount::ZERO),
                }
            }
        }
    }

    /// `line` (in the same report) or `report.line`.
    fn reference(&mut self, target: Option<&ast::Name>, name: &ast::Name) -> Option<FigureId> {
        let names = match target {
            Some(target_report) => match self.names.get(&target_report.text) {
                Some((_, names)) => names,
                None => {
                    self.checker
                        .lookup(target_report, "report", self.names.keys());
                    return None;
                }
            },
            None => {
                &self
                    .names
                    .values()
                    .find(|(index, _)| *index == self.report)?
                    .1
            }
        };
        if let Some(id) = names.get(&name.text) {
            return Some(*id);
        }
        let before = self.checker.errors.len();
        self.checker.lookup(name, "line or section", names.keys());
        if let (Some(target_report), Some(error)) = (target, self.checker.errors.get_mut(before)) {
            error.message = format!(
                "report `{}` has no line or section `{}`",
                target_report.text, name.text
            );
        }
        None
    }
}

fn row(kind: RowKind, label: &ast::Str, depth: usize, figure: Option<FigureId>) -> Row {
    Row {
        kind,
        label: label.value.clone(),
        depth,
        figure,
    }
}

fn has_product(expr: &Expr) -> bool {
    match expr {
        Expr::Binary(_, BinaryOp::Mul | BinaryOp::Div, _, _) => true,
        Expr::Binary(left, _, right, _) => has_product(left) || has_product(right),
        Expr::Neg(inner) => has_product(inner),
        Expr::Number(_) | Expr::Aggregate(_) | Expr::Figure(..) | Expr::Sum(_) => false,
    }
}

fn refers_to_figures(expr: &Expr) -> bool {
    match expr {
        Expr::Number(_) | Expr::Aggregate(_) => false,
        Expr::Figure(..) | Expr::Sum(_) => true,
        Expr::Neg(inner) => refers_to_figures(inner),
        Expr::Binary(left, _, right, _) => refers_to_figures(left) || refers_to_figures(right),
    }
}

/// The lines and sections of a report by local name (the sides of checks
/// are not lines).
pub(super) fn report_lines(figures: &[Figure], report: usize) -> Vec<(String, FigureId)> {
    figures
        .iter()
        .enumerate()
        .filter(|(_, figure)| figure.report == report)
        .filter_map(|(id, figure)| {
            let (_, local) = figure.qualified.split_once('.')?;
            (!local.contains('.')).then(|| (local.to_string(), id))
        })
        .collect()
}
