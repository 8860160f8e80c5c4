//! Validation rules: each rule names figures of reports in given columns;
//! lowering resolves every name (report, line, column) once, here.

use super::Checker;
use crate::model::*;
use crate::money::Amount;
use crate::syntax::ast::{self, Item};
use std::collections::BTreeMap;

pub(super) fn lower(
    checker: &mut Checker,
    items: &[&Item],
    as_of: Option<chrono::NaiveDate>,
    reports: &[ReportDef],
    figures: &[Figure],
) -> Vec<ValidationDef> {
    let mut names: BTreeMap<String, ast::Name> = BTreeMap::new();
    let mut validations = Vec::new();
    for item in items {
        let Item::Validation(validation) = item else {
            continue;
        };
        if let Some(first) = names.get(&validation.name.text) {
            checker.duplicate("validation", &validation.name, first.span);
            continue;
        }
        names.insert(validation.name.text.clone(), validation.name.clone());
        let mut ids: BTreeMap<String, ast::Name> = BTreeMap::new();
        let mut rules = Vec::new();
        for rule in &validation.rules {
            if let Some(first) = ids.get(&rule.id.text) {
                checker.duplicate("rule", &rule.id, first.span);
                continue;
            }
            ids.insert(rule.id.text.clone(), rule.id.clone());
            rules.extend(lower_rule(checker, rule, as_of, reports, figures));
        }
        validations.push(ValidationDef {
            name: validation.name.text.clone(),
            label: validation.label.value.clone(),
            rules,
        });
    }
    validations
}

/// A rule, its condition and test resolved; `in_force` when `as_of` (the
/// day rules are checked for) falls within its validity.
fn lower_rule(
    checker: &mut Checker,
    rule: &ast::ValidationRule,
    as_of: Option<chrono::NaiveDate>,
    reports: &[ReportDef],
    figures: &[Figure],
) -> Option<RuleDef> {
    let when = rule
        .when
        .as_ref()
        .map(|test| lower_test(checker, test, reports, figures));
    let test = lower_test(checker, &rule.test, reports, figures);
    let validity = checker.validity(rule.validity.as_ref())?;
    // A condition written but refused refuses the rule.
    let when = match when {
        Some(when) => Some(when?),
        None => None,
    };
    Some(RuleDef {
        id: rule.id.text.clone(),
        severity: rule.severity.value,
        label: rule.label.value.clone(),
        in_force: as_of.is_none_or(|day| validity.contains(day)),
        when,
        test: test?,
        span: rule.id.span,
    })
}

fn lower_test(
    checker: &mut Checker,
    test: &ast::RuleTest,
    reports: &[ReportDef],
    figures: &[Figure],
) -> Option<RuleTestDef> {
    let left = lower_sum(checker, &test.left, reports, figures);
    let right = lower_sum(checker, &test.right, reports, figures);
    Some(RuleTestDef {
        left: left?,
        comparison: test.comparison.value,
        right: right?,
        rounded: test.rounded,
        tolerance: test.tolerance.as_ref().map_or(Amount::ZERO, |t| t.value),
    })
}

fn lower_sum(
    checker: &mut Checker,
    terms: &[ast::RuleTerm],
    reports: &[ReportDef],
    figures: &[Figure],
) -> Option<Vec<RuleTermDef>> {
    let lowered: Vec<Option<RuleTermDef>> = terms
        .iter()
        .map(|term| {
            let value = match &term.value {
                ast::RuleValue::Number(number) => RuleValueDef::Number(number.value),
                ast::RuleValue::Figure {
                    report,
                    line,
                    columns,
                    ..
                } => figure_in_columns(checker, report, line, columns, reports, figures)?,
            };
            Some(RuleTermDef {
                negative: term.negative,
                value,
            })
        })
        .collect();
    lowered.into_iter().collect()
}

/// `report.line[column, …]`: the figure, and the columns' indices.
fn figure_in_columns(
    checker: &mut Checker,
    report: &ast::Name,
    line: &ast::Name,
    columns: &[ast::Name],
    reports: &[ReportDef],
    figures: &[Figure],
) -> Option<RuleValueDef> {
    let index = checker.lookup(report, "report", reports.iter().map(|r| &r.name))?;
    let definition = &reports[index];
    let lines = super::reports::report_lines(figures, index);
    let names: Vec<String> = lines.iter().map(|(name, _)| name.clone()).collect();
    let found = checker.lookup(
        line,
        &format!("line of report `{}`", definition.name),
        names.iter(),
    );
    let column_names: Vec<String> = definition.columns.iter().map(|c| c.name.clone()).collect();
    let what = format!("column of report `{}`", definition.name);
    let columns: Vec<Option<usize>> = columns
        .iter()
        .map(|column| checker.lookup(column, &what, column_names.iter()))
        .collect();
    let figure = lines[found?].1;
    let columns: Vec<usize> = columns.into_iter().collect::<Option<_>>()?;
    let shown: Vec<&str> = columns.iter().map(|c| column_names[*c].as_str()).collect();
    Some(RuleValueDef::Figure {
        figure,
        columns,
        text: format!("{}.{}[{}]", definition.name, line.text, shown.join(", ")),
    })
}
