//! Lowering reports: names → figures, formulas → expressions over figures
//! and aggregates, then cycle detection and topological order.

use super::Checker;
use crate::calendar;
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest::Movement;
use crate::model::*;
use crate::money::Amount;
use crate::source::Span;
use crate::syntax::ast::{self, Item};
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct Lowered {
    pub reports: Vec<ReportDef>,
    pub figures: Vec<Figure>,
    pub order: Vec<FigureId>,
    pub aggregates: Vec<AggregateDef>,
}

struct Context<'a> {
    chart: &'a Chart,
    dimensions: &'a [DimensionDef],
    /// Report name → (index, names of its lines and sections).
    names: BTreeMap<String, (usize, BTreeMap<String, FigureId>)>,
    figures: Vec<Figure>,
    aggregates: Vec<AggregateDef>,
    reached: BTreeSet<CodeId>,
}

pub(super) fn lower(
    checker: &mut Checker,
    items: &[&Item],
    chart: &Chart,
    dimensions: &[DimensionDef],
    rounding: RoundingPolicy,
) -> Lowered {
    let mut reports_ast: Vec<&ast::Report> = Vec::new();
    for item in items {
        if let Item::Report(report) = item {
            if let Some(first) = reports_ast.iter().find(|r| r.name.text == report.name.text) {
                checker.duplicate("report", &report.name, first.name.span);
                continue;
            }
            reports_ast.push(report);
        }
    }
    let mut context = Context {
        chart,
        dimensions,
        names: BTreeMap::new(),
        figures: Vec::new(),
        aggregates: Vec::new(),
        reached: BTreeSet::new(),
    };
    for (index, report) in reports_ast.iter().enumerate() {
        let mut names = BTreeMap::new();
        declare_items(
            checker,
            &mut context,
            index,
            &report.name.text,
            &report.items,
            None,
            &mut names,
        );
        context
            .names
            .insert(report.name.text.clone(), (index, names));
    }
    let mut reports = Vec::new();
    for (index, report) in reports_ast.iter().enumerate() {
        reports.push(lower_report(checker, &mut context, index, report, rounding));
    }
    // Coverage is judged only on a report set that checked cleanly: a
    // rejected formula would otherwise make its codes look unreached.
    let clean = checker.errors.is_empty();
    for (code, account) in chart.accounts.iter().enumerate() {
        if clean && !context.reached.contains(&code) {
            checker.error(
                Diagnostic::error(
                    Code::UnreachedCode,
                    format!("chart code `{}` is reached by no report line", account.code),
                )
                .at(account.span, "never reported")
                .help("add it to a statement line (amounts mapped to it would otherwise vanish), or remove it from the chart"),
            );
        }
    }
    let order = topological_order(checker, &context.figures);
    Lowered {
        reports,
        figures: context.figures,
        order,
        aggregates: context.aggregates,
    }
}

/// First pass: gives every line and section of a report its figure id.
fn declare_items(
    checker: &mut Checker,
    context: &mut Context<'_>,
    report: usize,
    report_name: &str,
    items: &[ast::ReportItem],
    section: Option<FigureId>,
    names: &mut BTreeMap<String, FigureId>,
) {
    for item in items {
        match item {
            ast::ReportItem::Line(line) => {
                declare(
                    checker,
                    context,
                    report,
                    report_name,
                    &line.name,
                    section,
                    names,
                );
            }
            ast::ReportItem::Section(inner) => {
                declare_section(checker, context, report, report_name, inner, section, names);
            }
            _ => {}
        }
    }
}

fn declare_section(
    checker: &mut Checker,
    context: &mut Context<'_>,
    report: usize,
    report_name: &str,
    section: &ast::Section,
    parent: Option<FigureId>,
    names: &mut BTreeMap<String, FigureId>,
) {
    let id = declare(
        checker,
        context,
        report,
        report_name,
        &section.name,
        parent,
        names,
    );
    for item in &section.items {
        match item {
            ast::SectionItem::Line(line) => {
                declare(
                    checker,
                    context,
                    report,
                    report_name,
                    &line.name,
                    Some(id),
                    names,
                );
            }
            ast::SectionItem::Section(inner) => {
                declare_section(
                    checker,
                    context,
                    report,
                    report_name,
                    inner,
                    Some(id),
                    names,
                );
            }
            ast::SectionItem::Total(_) => {}
        }
    }
}

fn declare(
    checker: &mut Checker,
    context: &mut Context<'_>,
    report: usize,
    report_name: &str,
    name: &ast::Name,
    section: Option<FigureId>,
    names: &mut BTreeMap<String, FigureId>,
) -> FigureId {
    if crate::syntax::RESERVED.contains(&name.text.as_str()) {
        checker.error(
            Diagnostic::error(
                Code::DuplicateName,
                format!("`{}` is a keyword and cannot name a line", name.text),
            )
            .at(name.span, "reserved word")
            .help("choose another name, e.g. `total_revenus`"),
        );
    }
    let id = context.figures.len();
    context.figures.push(Figure {
        qualified: format!("{report_name}.{}", name.text),
        report,
        expr: Expr::Number(Amount::ZERO),
        span: name.span,
        formula: name.span,
        section,
        is_leaf: true,
    });
    if let Some(first) = names.insert(name.text.clone(), id) {
        checker.duplicate("line or section", name, context.figures[first].span);
        names.insert(name.text.clone(), first);
    }
    id
}

fn lower_report(
    checker: &mut Checker,
    context: &mut Context<'_>,
    index: usize,
    report: &ast::Report,
    global_rounding: RoundingPolicy,
) -> ReportDef {
    let mut lowered = ReportDef {
        name: report.name.text.clone(),
        label: report.label.value.clone(),
        subtitle: None,
        columns: vec![
            ColumnDef {
                name: "courant".into(),
                years_back: 0,
                periods: Periods::YEAR,
                budget: false,
                filter: None,
                footing: false,
            },
            ColumnDef {
                name: "precedent".into(),
                years_back: 1,
                periods: Periods::YEAR,
                budget: false,
                filter: None,
                footing: false,
            },
        ],
        rounding: global_rounding,
        rows: Vec::new(),
        checks: Vec::new(),
    };
    for item in &report.items {
        match item {
            ast::ReportItem::Subtitle(text) => lowered.subtitle = Some(text.value.clone()),
            ast::ReportItem::Columns(columns, _) => {
                lowered.columns = columns
                    .iter()
                    .map(|column| ColumnDef {
                        name: column.name.text.clone(),
                        years_back: column.years_back.value,
                        periods: column
                            .periods
                            .as_ref()
                            .map_or(Periods::YEAR, |periods| checker.periods(periods)),
                        budget: column.budget,
                        filter: None,
                        footing: false,
                    })
                    .collect();
            }
            ast::ReportItem::ColumnsBy {
                dimension, slice, ..
            } => {
                if let Some(columns) = matrix_columns(checker, context, dimension, slice) {
                    lowered.columns = columns;
                }
            }
            ast::ReportItem::Rounding(rounding) => {
                lowered.rounding = checker.rounding(rounding, global_rounding);
            }
            ast::ReportItem::Line(line) => {
                lower_line(checker, context, index, line, 0, &mut lowered.rows);
            }
            ast::ReportItem::Section(section) => {
                lower_section(checker, context, index, section, 0, &mut lowered.rows);
            }
            ast::ReportItem::Check(check) => {
                if let Some(check) = lower_check(checker, context, index, report, check) {
                    lowered.checks.push(check);
                }
            }
        }
    }
    lowered
}

fn figure_of(context: &Context<'_>, report: usize, name: &ast::Name) -> FigureId {
    context
        .names
        .values()
        .find(|(index, _)| *index == report)
        .and_then(|(_, names)| names.get(&name.text).copied())
        .unwrap_or(0)
}

fn lower_line(
    checker: &mut Checker,
    context: &mut Context<'_>,
    report: usize,
    line: &ast::Line,
    depth: usize,
    rows: &mut Vec<Row>,
) -> FigureId {
    let id = figure_of(context, report, &line.name);
    let expr = lower_expr(checker, context, report, &line.expr, true);
    // A ratio is rounded from its exact value: recomputing it from rounded
    // operands would not foot anything and could divide by a rounded zero.
    context.figures[id].is_leaf = !refers_to_figures(&expr) || has_product(&expr);
    context.figures[id].expr = expr;
    context.figures[id].formula = line.expr.span;
    rows.push(Row {
        kind: if line.memo {
            RowKind::Memo
        } else {
            RowKind::Line
        },
        label: line.label.value.clone(),
        depth,
        figure: Some(id),
    });
    id
}

fn lower_section(
    checker: &mut Checker,
    context: &mut Context<'_>,
    report: usize,
    section: &ast::Section,
    depth: usize,
    rows: &mut Vec<Row>,
) -> FigureId {
    let id = figure_of(context, report, &section.name);
    rows.push(Row {
        kind: RowKind::Heading,
        label: section.label.value.clone(),
        depth,
        figure: None,
    });
    let mut parts = Vec::new();
    let mut total = None;
    for item in &section.items {
        match item {
            ast::SectionItem::Line(line) => {
                let part = lower_line(checker, context, report, line, depth + 1, rows);
                if !line.memo {
                    parts.push(part);
                }
            }
            ast::SectionItem::Section(inner) => {
                parts.push(lower_section(
                    checker,
                    context,
                    report,
                    inner,
                    depth + 1,
                    rows,
                ));
            }
            ast::SectionItem::Total(label) => total = Some(label.value.clone()),
        }
    }
    context.figures[id].expr = Expr::Sum(parts);
    context.figures[id].is_leaf = false;
    if let Some(label) = total {
        rows.push(Row {
            kind: RowKind::Total,
            label,
            depth,
            figure: Some(id),
        });
    }
    id
}

fn lower_check(
    checker: &mut Checker,
    context: &mut Context<'_>,
    report: usize,
    report_ast: &ast::Report,
    check: &ast::Check,
) -> Option<CheckDef> {
    let mut side = |expr: &ast::Expr, which: &str, context: &mut Context<'_>| {
        let lowered = lower_expr(checker, context, report, expr, false);
        let id = context.figures.len();
        context.figures.push(Figure {
            qualified: format!("{}.{}.{which}", report_ast.name.text, check.name.text),
            report,
            is_leaf: !refers_to_figures(&lowered),
            expr: lowered,
            span: expr.span,
            formula: expr.span,
            section: None,
        });
        id
    };
    let left = side(&check.left, "left", context);
    let right = side(&check.right, "right", context);
    Some(CheckDef {
        name: check.name.text.clone(),
        label: check.label.value.clone(),
        left,
        comparison: check.comparison.value,
        right,
        tolerance: check.tolerance.map_or(Amount::ZERO, |t| t.value),
        span: check.name.span,
    })
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

/// Lowers a formula. `reaches` says whether its codes count as reported
/// (lines do; the sides of checks do not).
fn lower_expr(
    checker: &mut Checker,
    context: &mut Context<'_>,
    report: usize,
    expr: &ast::Expr,
    reaches: bool,
) -> Expr {
    match &expr.kind {
        ast::ExprKind::Number(amount) => Expr::Number(*amount),
        ast::ExprKind::Neg(inner) => Expr::Neg(Box::new(lower_expr(
            checker, context, report, inner, reaches,
        ))),
        ast::ExprKind::Binary(left, operator, right) => Expr::Binary(
            Box::new(lower_expr(checker, context, report, left, reaches)),
            *operator,
            Box::new(lower_expr(checker, context, report, right, reaches)),
            expr.span,
        ),
        ast::ExprKind::Reference {
            report: target,
            name,
        } => match resolve_reference(checker, context, report, target.as_ref(), name) {
            Some(id) => Expr::Figure(id, expr.span),
            None => Expr::Number(Amount::ZERO),
        },
        ast::ExprKind::Aggregate(aggregate) => {
            match lower_aggregate(checker, context, aggregate, expr.span, reaches) {
                Some(index) => Expr::Aggregate(index),
                None => Expr::Number(Amount::ZERO),
            }
        }
    }
}

fn resolve_reference(
    checker: &mut Checker,
    context: &Context<'_>,
    report: usize,
    target: Option<&ast::Name>,
    name: &ast::Name,
) -> Option<FigureId> {
    let names = match target {
        Some(target_report) => match context.names.get(&target_report.text) {
            Some((_, names)) => names,
            None => {
                checker.lookup(target_report, "report", context.names.keys());
                return None;
            }
        },
        None => {
            &context
                .names
                .values()
                .find(|(index, _)| *index == report)?
                .1
        }
    };
    if let Some(id) = names.get(&name.text) {
        return Some(*id);
    }
    let before = checker.errors.len();
    checker.lookup(name, "line or section", names.keys());
    if let (Some(target_report), Some(error)) = (target, checker.errors.get_mut(before)) {
        error.message = format!(
            "report `{}` has no line or section `{}`",
            target_report.text, name.text
        );
    }
    None
}

fn lower_aggregate(
    checker: &mut Checker,
    context: &mut Context<'_>,
    aggregate: &ast::Aggregate,
    span: Span,
    reaches: bool,
) -> Option<usize> {
    let chart = context.chart;
    let mut codes = code_set(checker, chart, &aggregate.codes)?;
    for code in code_set(checker, chart, &aggregate.except)? {
        codes.remove(&code);
    }
    if reaches {
        context.reached.extend(codes.iter().copied());
    }
    let mut filters = Vec::new();
    for filter in &aggregate.filters {
        if filter.name.text == "movement" {
            filters.push(movement_filter(checker, filter)?);
        } else if let Some(dimension) = context
            .dimensions
            .iter()
            .position(|d| d.name == filter.name.text)
        {
            filters.push(dimension_filter(
                checker,
                &context.dimensions[dimension],
                dimension,
                filter,
            )?);
        } else if chart
            .accounts
            .iter()
            .any(|a| a.attributes.contains_key(&filter.name.text))
        {
            let values: Vec<&str> = filter.values.iter().map(|v| v.text.as_str()).collect();
            codes.retain(|code| {
                let value = chart.accounts[*code].attributes.get(&filter.name.text);
                value.is_some_and(|value| values.contains(&value.as_str())) != filter.negated
            });
        } else {
            let mut known: Vec<String> = vec!["movement".into()];
            known.extend(context.dimensions.iter().map(|d| d.name.clone()));
            let attributes: BTreeSet<&String> = chart
                .accounts
                .iter()
                .flat_map(|a| a.attributes.keys())
                .collect();
            known.extend(attributes.into_iter().cloned());
            checker.lookup(
                &filter.name,
                "attribute, dimension or `movement`",
                known.iter(),
            );
            return None;
        }
    }
    if codes.is_empty() {
        checker.error(
            Diagnostic::error(Code::EmptySelection, "this aggregate selects no chart code")
                .at(span, "always zero")
                .help("check the codes, the `except` list and the attribute filters"),
        );
        return None;
    }
    let terms = terms(checker, chart, aggregate, &codes, span)?;
    context.aggregates.push(AggregateDef {
        terms,
        filters,
        span,
    });
    Some(context.aggregates.len() - 1)
}

/// Resolves the measure and the sign of every code, rejecting kind and sign mismatches.
fn terms(
    checker: &mut Checker,
    chart: &Chart,
    aggregate: &ast::Aggregate,
    codes: &BTreeSet<CodeId>,
    span: Span,
) -> Option<Vec<AggregateTerm>> {
    let measure = aggregate.measure;
    let accounts: Vec<(CodeId, &ChartAccount)> =
        codes.iter().map(|c| (*c, &chart.accounts[*c])).collect();
    let flows: Vec<&str> = accounts
        .iter()
        .filter(|(_, a)| a.kind.is_flow())
        .map(|(_, a)| a.code.as_str())
        .collect();
    let stocks: Vec<&str> = accounts
        .iter()
        .filter(|(_, a)| !a.kind.is_flow())
        .map(|(_, a)| a.code.as_str())
        .collect();
    match measure.value {
        Measure::Opening | Measure::Balance | Measure::Change if !flows.is_empty() => {
            checker.error(
                Diagnostic::error(
                    Code::MeasureOnFlowKind,
                    format!(
                        "revenue and expense codes have no balance: {}",
                        sample(&flows)
                    ),
                )
                .at(measure.span, "this measure needs balance-sheet codes")
                .help("use `flow(...)` or `sum(...)` for revenues and expenses"),
            );
            return None;
        }
        Measure::Sum if !flows.is_empty() && !stocks.is_empty() => {
            checker.error(
                Diagnostic::error(Code::MixedKinds, "`sum` mixes flow and balance-sheet codes")
                    .at(span, "ambiguous measure")
                    .note(format!("flows: {}", sample(&flows)))
                    .note(format!("balances: {}", sample(&stocks)))
                    .help("split the set, or name the measure: `flow(...)` or `balance(...)`"),
            );
            return None;
        }
        _ => {}
    }
    let negate_all = match aggregate.sign {
        Some(sign) => Some(sign.value == Balance::Credit),
        None => {
            let debits: Vec<&str> = accounts
                .iter()
                .filter(|(_, a)| a.balance == Balance::Debit)
                .map(|(_, a)| a.code.as_str())
                .collect();
            let credits: Vec<&str> = accounts
                .iter()
                .filter(|(_, a)| a.balance == Balance::Credit)
                .map(|(_, a)| a.code.as_str())
                .collect();
            if !debits.is_empty() && !credits.is_empty() {
                checker.error(
                    Diagnostic::error(Code::MixedNormalBalance, "this set mixes debit and credit accounts")
                        .at(span, "each code would count in its own sign")
                        .note(format!("debit accounts: {}", sample(&debits)))
                        .note(format!("credit accounts: {}", sample(&credits)))
                        .help("subtract the contra accounts in a separate term, or take the set in one sign with `as debit`"),
                );
                return None;
            }
            None
        }
    };
    Some(
        accounts
            .iter()
            .map(|(code, account)| AggregateTerm {
                code: *code,
                measure: match measure.value {
                    Measure::Sum if account.kind.is_flow() => Measure::Flow,
                    Measure::Sum => Measure::Balance,
                    other => other,
                },
                negate: negate_all.unwrap_or(account.balance == Balance::Credit),
            })
            .collect(),
    )
}

fn sample(codes: &[&str]) -> String {
    let shown: Vec<String> = codes.iter().take(6).map(|c| format!("`{c}`")).collect();
    let more = codes.len().saturating_sub(6);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A code set with its exceptions, as chart code ids.
pub(super) fn resolve_codeset(
    checker: &mut Checker,
    chart: &Chart,
    (codes, except): &(Vec<ast::CodeItem>, Vec<ast::CodeItem>),
) -> Option<BTreeSet<CodeId>> {
    let codes = code_set(checker, chart, codes)?;
    let except = code_set(checker, chart, except)?;
    Some(codes.difference(&except).copied().collect())
}

fn code_set(
    checker: &mut Checker,
    chart: &Chart,
    items: &[ast::CodeItem],
) -> Option<BTreeSet<CodeId>> {
    let mut codes = BTreeSet::new();
    let mut ok = true;
    for item in items {
        match item {
            ast::CodeItem::Code(code) => match chart_code(checker, chart, code) {
                Some(index) => {
                    codes.insert(index);
                }
                None => ok = false,
            },
            ast::CodeItem::Range(low, high) => {
                let (Some(low_index), Some(high_index)) = (
                    chart_code(checker, chart, low),
                    chart_code(checker, chart, high),
                ) else {
                    ok = false;
                    continue;
                };
                if low_index > high_index {
                    checker.reversed_range(low, high, "the first code comes after the second");
                    ok = false;
                    continue;
                }
                codes.extend(low_index..=high_index);
            }
            ast::CodeItem::Kind(kind) => {
                codes.extend(
                    chart
                        .accounts
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| a.kind == kind.value)
                        .map(|(i, _)| i),
                );
            }
        }
    }
    ok.then_some(codes)
}

fn chart_code(checker: &mut Checker, chart: &Chart, code: &ast::Name) -> Option<CodeId> {
    if let Some(index) = chart.by_code.get(&code.text) {
        return Some(*index);
    }
    let codes: Vec<String> = chart.by_code.keys().cloned().collect();
    let before = checker.errors.len();
    checker.lookup(code, "chart code", codes.iter());
    if let Some(diagnostic) = checker.errors.get_mut(before) {
        diagnostic.message = format!("`{}` is not a code of chart `{}`", code.text, chart.name);
    }
    None
}

fn movement_filter(checker: &mut Checker, filter: &ast::Filter) -> Option<FilterDef> {
    let mut values = Vec::new();
    for value in &filter.values {
        if value.text == "none" {
            values.push(None);
        } else if let Some(movement) = Movement::parse(&value.text) {
            values.push(Some(movement));
        } else {
            checker.error(
                Diagnostic::error(Code::UnknownName, format!("unknown movement type `{}`", value.text))
                    .at(value.span, "not a movement type")
                    .help("the movement types are `acquisition`, `disposal`, `transfer`, `borrowing`, `repayment`, and `none`"),
            );
            return None;
        }
    }
    Some(FilterDef::Movement {
        negated: filter.negated,
        values,
    })
}

fn dimension_filter(
    checker: &mut Checker,
    definition: &DimensionDef,
    dimension: usize,
    filter: &ast::Filter,
) -> Option<FilterDef> {
    if let Some(allowed) = &definition.values {
        for value in &filter.values {
            if !allowed.contains_key(&value.text) {
                checker.error(
                    Diagnostic::error(
                        Code::BadDimensionValue,
                        format!(
                            "`{}` is not a value of dimension `{}`",
                            value.text, definition.name
                        ),
                    )
                    .at(value.span, "not declared")
                    .help(format!(
                        "its values are {}",
                        allowed
                            .keys()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                return None;
            }
        }
    }
    Some(FilterDef::Dimension {
        dimension,
        negated: filter.negated,
        values: filter.values.iter().map(|v| v.text.clone()).collect(),
    })
}

/// Kahn's algorithm over figure references; a cycle is reported once, with its path.
fn topological_order(checker: &mut Checker, figures: &[Figure]) -> Vec<FigureId> {
    let dependencies: Vec<Vec<FigureId>> = figures.iter().map(|f| dependencies(&f.expr)).collect();
    let mut users: Vec<Vec<FigureId>> = vec![Vec::new(); figures.len()];
    let mut pending: Vec<usize> = vec![0; figures.len()];
    for (figure, deps) in dependencies.iter().enumerate() {
        pending[figure] = deps.len();
        for dep in deps {
            users[*dep].push(figure);
        }
    }
    let mut ready: Vec<FigureId> = (0..figures.len())
        .filter(|f| pending[*f] == 0)
        .rev()
        .collect();
    let mut order = Vec::with_capacity(figures.len());
    while let Some(figure) = ready.pop() {
        order.push(figure);
        for user in &users[figure] {
            pending[*user] -= 1;
            if pending[*user] == 0 {
                ready.push(*user);
            }
        }
    }
    if order.len() < figures.len() {
        report_cycle(checker, figures, &dependencies, &pending);
    }
    order
}

fn report_cycle(
    checker: &mut Checker,
    figures: &[Figure],
    dependencies: &[Vec<FigureId>],
    pending: &[usize],
) {
    let Some(start) = (0..figures.len()).find(|f| pending[*f] > 0) else {
        return;
    };
    // Walk blocked dependencies until a figure repeats: that is a cycle.
    let mut path = vec![start];
    let mut current = start;
    loop {
        let Some(next) = dependencies[current]
            .iter()
            .copied()
            .find(|d| pending[*d] > 0)
        else {
            return;
        };
        if let Some(position) = path.iter().position(|f| *f == next) {
            let cycle = &path[position..];
            let names: Vec<&str> = cycle
                .iter()
                .map(|f| figures[*f].qualified.as_str())
                .collect();
            let mut diagnostic = Diagnostic::error(
                Code::Cycle,
                format!(
                    "these lines depend on each other: {} → {}",
                    names.join(" → "),
                    names[0]
                ),
            )
            .at(figures[cycle[0]].span, "this line needs itself");
            for figure in &cycle[1..] {
                diagnostic = diagnostic.also(figures[*figure].span, "part of the cycle");
            }
            checker.error(
                diagnostic
                    .help("one of these lines must be computed from codes, not from the others"),
            );
            return;
        }
        path.push(next);
        current = next;
    }
}

fn dependencies(expr: &Expr) -> Vec<FigureId> {
    let mut found = Vec::new();
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        match expr {
            Expr::Figure(id, _) => found.push(*id),
            Expr::Sum(ids) => found.extend(ids),
            Expr::Neg(inner) => stack.push(inner),
            Expr::Binary(left, _, right, _) => {
                stack.push(left);
                stack.push(right);
            }
            Expr::Number(_) | Expr::Aggregate(_) => {}
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

impl Checker {
    /// `[through] period N` (1 to 13) or `[through] quarter N` (1 to 4) as a
    /// run of periods. The fourth quarter ends with the year, so it takes
    /// the year-end adjustments (period 13): the fourth quarter to date is
    /// the whole year.
    pub(super) fn periods(&mut self, periods: &ast::Spanned<ast::ColumnPeriods>) -> Periods {
        let ast::ColumnPeriods {
            quarter,
            number,
            to_date,
        } = periods.value;
        let (unit, most) = if quarter {
            ("quarter", 4)
        } else {
            ("period", 13)
        };
        if number == 0 || number > most {
            self.error(
                Diagnostic::error(
                    Code::BadPeriod,
                    format!("there is no {unit} {number} in a fiscal year"),
                )
                .at(periods.span, format!("{unit}s run from 1 to {most}"))
                .help(if quarter {
                    calendar::QUARTER_ENDS
                } else {
                    calendar::PERIODS_RUN
                }),
            );
            return Periods::YEAR;
        }
        let number = number as u8;
        let periods = if quarter {
            Periods::quarter(number)
        } else {
            Periods::single(number)
        };
        if to_date { periods.to_date() } else { periods }
    }
}

/// `columns by DIMENSION of SLICE`: one column per declared value of the
/// dimension, in order, then the total (all amounts, whatever their value).
fn matrix_columns(
    checker: &mut Checker,
    context: &Context<'_>,
    dimension: &ast::Name,
    slice: &ast::ReportColumn,
) -> Option<Vec<ColumnDef>> {
    let names = context.dimensions.iter().map(|d| d.name.as_str());
    let Some(index) = context
        .dimensions
        .iter()
        .position(|d| d.name == dimension.text)
    else {
        let mut diagnostic = Diagnostic::error(
            Code::UnknownName,
            format!("unknown dimension `{}`", dimension.text),
        )
        .at(dimension.span, "no such dimension");
        if let Some(close) = super::closest(&dimension.text, names) {
            diagnostic = diagnostic.help(format!("did you mean `{close}`?"));
        }
        checker.error(diagnostic);
        return None;
    };
    let definition = &context.dimensions[index];
    let Some(values) = &definition.values else {
        checker.error(
            Diagnostic::error(
                Code::BadDimensionValue,
                format!(
                    "dimension `{}` declares no values: a matrix needs them as its columns",
                    definition.name
                ),
            )
            .at(dimension.span, "columns by this dimension")
            .help("list the values in the dimension: `dimension nature \"Nature\" { N100 \"Rémunération\" … }`"),
        );
        return None;
    };
    let periods = slice
        .periods
        .as_ref()
        .map_or(Periods::YEAR, |periods| checker.periods(periods));
    let column = |name: String, filter, footing| ColumnDef {
        name,
        years_back: slice.years_back.value,
        periods,
        budget: slice.budget,
        filter,
        footing,
    };
    let mut columns: Vec<ColumnDef> = values
        .keys()
        .enumerate()
        // `nature_n100`, `mesure_15313`: a name rules can refer to.
        .map(|(value, code)| {
            let name = format!("{}_{}", definition.name, code.to_lowercase());
            column(name, Some((index, value)), false)
        })
        .collect();
    columns.push(column("total".to_string(), None, true));
    Some(columns)
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
