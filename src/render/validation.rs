//! The validation report: every rule, for every entity and group, with its
//! outcome and the figures it compared.

use crate::calendar;
use crate::eval::Figures;
use crate::eval::rules::{RuleOutcome, Status};
use crate::model::{Program, RuleSeverity, ValidationDef};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ValidationReport {
    pub fiscal_year: String,
    pub validations: Vec<ValidationOut>,
}

#[derive(Debug, Serialize)]
pub struct ValidationOut {
    pub id: String,
    pub label: String,
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    pub not_in_force: usize,
    pub rules: Vec<RuleOut>,
}

#[derive(Debug, Serialize)]
pub struct RuleOut {
    pub id: String,
    pub severity: &'static str,
    pub label: String,
    pub comparison: &'static str,
    pub tolerance: String,
    pub results: Vec<ResultOut>,
}

#[derive(Debug, Serialize)]
pub struct ResultOut {
    pub scope: String,
    pub status: Status,
    pub left: String,
    pub right: String,
    pub difference: String,
    pub figures: Vec<FigureOut>,
}

#[derive(Debug, Serialize)]
pub struct FigureOut {
    pub figure: String,
    pub value: String,
}

pub fn report(program: &Program, figures: &Figures) -> ValidationReport {
    let validations = program
        .validations
        .iter()
        .enumerate()
        .map(|(index, validation)| validation_out(figures, index, validation))
        .collect();
    ValidationReport {
        fiscal_year: calendar::label(program.fiscal_year),
        validations,
    }
}

/// One validation: how many outcomes of each status, and each rule's.
fn validation_out(figures: &Figures, index: usize, validation: &ValidationDef) -> ValidationOut {
    let outcomes: Vec<&RuleOutcome> = figures
        .rules
        .iter()
        .filter(|o| o.validation == index)
        .collect();
    let count = |status| outcomes.iter().filter(|o| o.status == status).count();
    ValidationOut {
        id: validation.name.clone(),
        label: validation.label.clone(),
        passed: count(Status::Passed),
        failed: count(Status::Failed),
        not_applicable: count(Status::NotApplicable),
        not_in_force: count(Status::NotInForce),
        rules: validation
            .rules
            .iter()
            .enumerate()
            .map(|(rule_index, rule)| RuleOut {
                id: rule.id.clone(),
                severity: match rule.severity {
                    RuleSeverity::Error => "error",
                    RuleSeverity::Warning => "warning",
                },
                label: rule.label.clone(),
                comparison: super::comparison(rule.test.comparison),
                tolerance: rule.test.tolerance.to_string(),
                results: outcomes
                    .iter()
                    .filter(|o| o.rule == rule_index)
                    .map(|o| result_out(figures, o))
                    .collect(),
            })
            .collect(),
    }
}

/// A rule's outcome for one scope, with the figures it compared.
fn result_out(figures: &Figures, outcome: &RuleOutcome) -> ResultOut {
    ResultOut {
        scope: figures.scopes[outcome.scope].name.clone(),
        status: outcome.status,
        left: outcome.left.to_string(),
        right: outcome.right.to_string(),
        difference: outcome.difference.to_string(),
        figures: outcome
            .terms
            .iter()
            .map(|(figure, value)| FigureOut {
                figure: figure.clone(),
                value: value.to_string(),
            })
            .collect(),
    }
}

pub fn text(report: &ValidationReport) -> String {
    let mut out = format!("Rapport de validation, exercice {}\n", report.fiscal_year);
    for validation in &report.validations {
        out.push_str(&format!(
            "\n{} ({}) : {} respectées, {} en échec, {} sans objet{}\n",
            validation.label,
            validation.id,
            validation.passed,
            validation.failed,
            validation.not_applicable,
            match validation.not_in_force {
                0 => String::new(),
                n => format!(", {n} hors de leur période de validité"),
            }
        ));
        for rule in &validation.rules {
            let severity = if rule.severity == "error" {
                "erreur"
            } else {
                "avertissement"
            };
            out.push_str(&format!("  {} [{severity}] {}\n", rule.id, rule.label));
            for result in &rule.results {
                let status = match result.status {
                    Status::Passed => "respectée",
                    Status::Failed => "ÉCHEC",
                    Status::NotApplicable => "sans objet",
                    Status::NotInForce => "hors de sa période de validité",
                };
                out.push_str(&format!(
                    "    {} : {status} ; {} {} {} (écart {}, tolérance {})\n",
                    result.scope,
                    result.left,
                    rule.comparison,
                    result.right,
                    result.difference,
                    rule.tolerance
                ));
                if result.status == Status::Failed {
                    for figure in &result.figures {
                        out.push_str(&format!("      {} = {}\n", figure.figure, figure.value));
                    }
                }
            }
        }
    }
    out
}
