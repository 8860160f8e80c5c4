//! Validation rules, run for every entity and group once every figure is
//! known: each compares sums of figures taken in report columns (a quarter
//! to date against the year, twelve months against the year), exactly,
//! within its tolerance. A failing `error` rule blocks the build; a failing
//! `warning` is reported. Every outcome goes to the validation report.

use super::{Figures, Slice};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::money::Amount;
use serde::Serialize;

/// The outcome of one rule for one scope.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    pub validation: usize,
    pub rule: usize,
    pub scope: usize,
    pub status: Status,
    pub left: Amount,
    pub right: Amount,
    pub difference: Amount,
    /// Every figure the test compares, as the rule names it, and its value.
    pub terms: Vec<(String, Amount)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    /// Its `when` does not hold for this scope.
    NotApplicable,
    /// Outside its validity period on the build's day.
    NotInForce,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::NotApplicable => "not_applicable",
            Status::NotInForce => "not_in_force",
        }
    }
}

/// Runs every rule of every validation for every scope.
pub fn run(program: &Program, figures: &Figures) -> Vec<RuleOutcome> {
    let mut outcomes = Vec::new();
    for (validation_index, validation) in program.validations.iter().enumerate() {
        for (rule_index, rule) in validation.rules.iter().enumerate() {
            for scope in 0..figures.scopes.len() {
                let applies = rule
                    .when
                    .as_ref()
                    .is_none_or(|when| test(program, figures, scope, when).passed);
                let tested = test(program, figures, scope, &rule.test);
                let status = match (applies, tested.passed) {
                    _ if !rule.in_force => Status::NotInForce,
                    (false, _) => Status::NotApplicable,
                    (true, true) => Status::Passed,
                    (true, false) => Status::Failed,
                };
                outcomes.push(RuleOutcome {
                    validation: validation_index,
                    rule: rule_index,
                    scope,
                    status,
                    left: tested.left,
                    right: tested.right,
                    difference: tested.difference,
                    terms: tested.terms,
                });
            }
        }
    }
    outcomes
}

struct Tested {
    left: Amount,
    right: Amount,
    difference: Amount,
    passed: bool,
    terms: Vec<(String, Amount)>,
}

fn test(program: &Program, figures: &Figures, scope: usize, test: &RuleTestDef) -> Tested {
    let mut terms = Vec::new();
    let left = sum(program, figures, scope, test, &test.left, &mut terms);
    let right = sum(program, figures, scope, test, &test.right, &mut terms);
    let difference = left.checked_sub(right).unwrap_or(Amount::ZERO);
    let passed = match test.comparison {
        Comparison::Equal => difference.abs() <= test.tolerance,
        Comparison::AtMost => left.checked_sub(test.tolerance).is_some_and(|l| l <= right),
        Comparison::AtLeast => left.checked_add(test.tolerance).is_some_and(|l| l >= right),
    };
    Tested {
        left,
        right,
        difference,
        passed,
        terms,
    }
}

/// A side of a test: each figure summed over its columns (exact values, or
/// as printed for a `rounded` test).
fn sum(
    program: &Program,
    figures: &Figures,
    scope: usize,
    test: &RuleTestDef,
    terms: &[RuleTermDef],
    seen: &mut Vec<(String, Amount)>,
) -> Amount {
    let mut total = Amount::ZERO;
    for term in terms {
        let value = match &term.value {
            RuleValueDef::Number(number) => *number,
            RuleValueDef::Figure {
                figure,
                columns,
                text,
            } => {
                let report = &program.reports[program.figures[*figure].report];
                let value = columns
                    .iter()
                    .filter_map(|column| {
                        let slice = Slice::of_column(&report.columns[*column], program.fiscal_year);
                        figures.slice_index(slice)
                    })
                    .fold(Amount::ZERO, |sum, slice| {
                        let values = &figures.values[scope][slice];
                        let value = match test.rounded {
                            true => values.rounded[*figure],
                            false => values.exact[*figure],
                        };
                        sum.checked_add(value).unwrap_or(sum)
                    });
                seen.push((text.clone(), value));
                value
            }
        };
        let signed = if term.negative {
            value.negated()
        } else {
            value
        };
        total = total.checked_add(signed).unwrap_or(total);
    }
    total
}

/// Failing rules as diagnostics: errors for `error` rules, warnings for
/// `warning` ones.
pub fn diagnostics(program: &Program, figures: &Figures) -> Vec<Diagnostic> {
    figures
        .rules
        .iter()
        .filter(|outcome| outcome.status == Status::Failed)
        .map(|outcome| {
            let validation = &program.validations[outcome.validation];
            let rule = &validation.rules[outcome.rule];
            let message = format!(
                "rule `{}` of `{}` fails for `{}`: {}",
                rule.id, validation.name, figures.scopes[outcome.scope].name, rule.label
            );
            let mut diagnostic = match rule.severity {
                RuleSeverity::Error => Diagnostic::error(Code::CheckFailed, message),
                RuleSeverity::Warning => Diagnostic::warning(Code::CheckFailed, message),
            }
            .at(rule.span, "this rule");
            if rule.test.rounded {
                diagnostic = diagnostic.note("compared as printed (rounded values)");
            }
            for (text, value) in &outcome.terms {
                diagnostic = diagnostic.note(format!("{text} = {value}"));
            }
            diagnostic
                .note(format!(
                    "left {}, right {}, difference {} (tolerance {})",
                    outcome.left, outcome.right, outcome.difference, rule.test.tolerance
                ))
                .help("the validation report (validation.txt) lists every rule and the figures it compared")
        })
        .collect()
}
