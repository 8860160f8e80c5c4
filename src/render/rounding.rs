//! The rounding report (`arrondis.txt` and `.json`): for every entity and
//! group and each rounding policy the reports use, where the rounded trial
//! balance's differences went, period-end by period-end, and their bound
//! (see `eval::rounding`).

use crate::calendar;
use crate::eval::Figures;
use crate::model::Program;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct RoundingReport {
    pub schema: &'static str,
    pub scopes: Vec<ScopeOut>,
}

#[derive(Debug, Serialize)]
pub struct ScopeOut {
    pub scope: String,
    pub unit: String,
    pub method: &'static str,
    /// The rounding account; `null` when none is declared.
    pub account: Option<String>,
    pub years: Vec<YearOut>,
}

#[derive(Debug, Serialize)]
pub struct YearOut {
    pub year: i32,
    pub period: String,
    /// At most half a unit per chart code rounded.
    pub bound: String,
    /// Period 0, the opening, then 1 to 13: the difference placed at each
    /// period-end, cumulative from the opening, and the code that took it.
    pub differences: Vec<DifferenceOut>,
}

#[derive(Debug, Serialize)]
pub struct DifferenceOut {
    pub period: u8,
    pub amount: String,
    pub account: Option<String>,
}

pub fn report(program: &Program, figures: &Figures) -> RoundingReport {
    let code = |id: usize| program.chart.accounts[id].code.clone();
    let mut scopes = Vec::new();
    for (scope, balances) in figures.scopes.iter().zip(&figures.trial_balances) {
        for (policy, differences) in balances {
            let mut years: Vec<YearOut> = Vec::new();
            for difference in differences {
                if years.last().is_none_or(|y| y.year != difference.year) {
                    years.push(YearOut {
                        year: difference.year,
                        period: calendar::label(difference.year),
                        bound: difference.bound.to_string(),
                        differences: Vec::new(),
                    });
                }
                if let Some(year) = years.last_mut() {
                    year.differences.push(DifferenceOut {
                        period: difference.period,
                        amount: difference.amount.to_string(),
                        account: difference.account.map(code),
                    });
                }
            }
            scopes.push(ScopeOut {
                scope: scope.name.clone(),
                unit: policy.unit.to_string(),
                method: policy.method.as_str(),
                account: policy.account.map(code),
                years,
            });
        }
    }
    RoundingReport {
        schema: "reddition.rounding/1",
        scopes,
    }
}

pub fn text(report: &RoundingReport) -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "Balance de vérification arrondie : les écarts placés\n\n\
         Chaque solde de code est arrondi une fois à chaque fin de période ; ce qui\n\
         manque pour que les soldes arrondis s'annulent va, à l'ouverture, à\n\
         l'excédent accumulé, puis au compte d'arrondi (cumulé depuis l'ouverture).\n",
    );
    for scope in &report.scopes {
        let _ = writeln!(
            out,
            "\n{} — unité {}, {}, compte d'arrondi {}",
            scope.scope,
            scope.unit,
            scope.method,
            scope
                .account
                .as_deref()
                .unwrap_or("non déclaré (écarts non placés)")
        );
        for year in &scope.years {
            let cells: Vec<String> = year
                .differences
                .iter()
                .map(|d| {
                    let period = match d.period {
                        0 => "ouverture".to_string(),
                        13 => "P13".to_string(),
                        p => format!("P{p}"),
                    };
                    format!("{period} {}", d.amount)
                })
                .collect();
            let opening = year.differences.first().and_then(|d| d.account.clone());
            let _ = writeln!(
                out,
                "  {} (borne {}; ouverture → {}) : {}",
                year.period,
                year.bound,
                opening.as_deref().unwrap_or("non placé"),
                cells.join(", ")
            );
        }
    }
    out
}
