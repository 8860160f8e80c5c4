//! Figures → the statement of one report for one scope: its columns, its
//! rows with their values, its checks and the rounding differences shown.
//! Every value is one the evaluator computed; nothing is computed again
//! but the difference of a footed total with its rounded exact value.

use super::{
    CheckOut, CheckResultOut, ColumnInfo, EntityInfo, ResidualOut, RoundingOut, RowOut, SCHEMA,
    Statement, ValueOut, comparison, french, local_name, row_kind,
};
use crate::calendar;
use crate::eval::{CheckResult, Figures, Scope, Slice, YearValues};
use crate::model::*;
use crate::money::Amount;

/// What the statement of one report for one scope is read from.
struct Reading<'a> {
    program: &'a Program,
    figures: &'a Figures,
    report: &'a ReportDef,
    report_index: usize,
    scope_index: usize,
}

/// A column as shown, and where its values are among the evaluated
/// slices (`None`: a slice not evaluated, shown as zeros).
type Column = (ColumnInfo, Option<usize>);

/// Builds the statement of one report for one scope.
pub fn statement(
    program: &Program,
    figures: &Figures,
    report_index: usize,
    scope_index: usize,
) -> Statement {
    let reading = Reading {
        program,
        figures,
        report: &program.reports[report_index],
        report_index,
        scope_index,
    };
    let report = reading.report;
    let columns: Vec<Column> = report.columns.iter().map(|c| reading.column(c)).collect();
    Statement {
        schema: SCHEMA,
        report: report.name.clone(),
        title: report.label.clone(),
        subtitle: report
            .subtitle
            .as_ref()
            .map(|s| s.replace("{year_end}", &calendar::year_end_fr(program.fiscal_year))),
        entity: reading.entity(&figures.scopes[scope_index]),
        fiscal_year: program.fiscal_year,
        rows: reading.rows(&columns),
        checks: reading.checks(&columns),
        rounding: RoundingOut {
            unit: report.rounding.unit.to_string(),
            method: report.rounding.method.as_str(),
            residual: match report.rounding.residual {
                Residual::Total => "total",
                Residual::Largest => "largest",
            },
            residuals: reading.residuals(&columns),
        },
        columns: columns.into_iter().map(|(info, _)| info).collect(),
    }
}

impl Reading<'_> {
    fn column(&self, column: &ColumnDef) -> Column {
        let program = self.program;
        let slice = Slice::of_column(column, program.fiscal_year);
        let year = slice.year;
        // A matrix column shows one value of a dimension: its code and label.
        let value = column.filter.and_then(|(dimension, value)| {
            let values = program.dimensions.get(dimension)?.values.as_ref()?;
            values.iter().nth(value)
        });
        let info = ColumnInfo {
            id: column.name.clone(),
            year,
            period: calendar::label(year),
            year_end: calendar::year_end_fr(year),
            from: slice.periods.from,
            to: slice.periods.to,
            heading: match (value, column.footing) {
                (Some((code, _)), _) => code.clone(),
                (None, true) => "Total".to_string(),
                (None, false) => column.heading(program.fiscal_year),
            },
            budget: slice.budget,
            value: value.map(|(code, _)| code.clone()),
            value_label: value.map(|(_, label)| label.clone()),
            footing: column.footing,
            ends: calendar::period_end_fr(year, slice.periods.to),
        };
        (info, self.figures.slice_index(slice))
    }

    fn values(&self, slice: Option<usize>) -> Option<&YearValues> {
        slice.map(|slice| &self.figures.values[self.scope_index][slice])
    }

    fn exact(&self, figure: FigureId, slice: Option<usize>) -> Amount {
        self.values(slice).map_or(Amount::ZERO, |v| v.exact[figure])
    }

    /// A matrix's total column is already the sum of its row as shown: the
    /// evaluator foots it.
    fn rounded(&self, figure: FigureId, slice: Option<usize>) -> Amount {
        self.values(slice)
            .map_or(Amount::ZERO, |v| v.rounded[figure])
    }

    fn value(&self, figure: FigureId, slice: Option<usize>) -> ValueOut {
        let rounded = self.rounded(figure, slice);
        ValueOut {
            exact: self.exact(figure, slice).to_string(),
            rounded: rounded.to_string(),
            display: french(rounded, self.report.rounding.unit.scale()),
        }
    }

    fn rows(&self, columns: &[Column]) -> Vec<RowOut> {
        let figures = &self.program.figures;
        self.report
            .rows
            .iter()
            .map(|row| RowOut {
                kind: row_kind(row.kind),
                id: row.figure.map(|f| local_name(&figures[f].qualified)),
                label: row.label.clone(),
                depth: row.depth,
                values: row
                    .figure
                    .map(|figure| {
                        columns
                            .iter()
                            .map(|(_, slice)| self.value(figure, *slice))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    fn checks(&self, columns: &[Column]) -> Vec<CheckOut> {
        self.report
            .checks
            .iter()
            .enumerate()
            .map(|(check_index, check)| CheckOut {
                id: check.name.clone(),
                label: check.label.clone(),
                comparison: comparison(check.comparison),
                tolerance: check.tolerance.to_string(),
                results: self
                    .figures
                    .checks
                    .iter()
                    .filter(|r| {
                        r.scope == self.scope_index
                            && r.report == self.report_index
                            && r.check == check_index
                    })
                    .map(|result| check_result(columns, result))
                    .collect(),
            })
            .collect()
    }

    /// The rounding differences of the report's lines: those the evaluator
    /// reported or allocated, then those of matrix totals.
    fn residuals(&self, columns: &[Column]) -> Vec<ResidualOut> {
        let mut residuals = self.evaluated_residuals(columns);
        residuals.extend(self.footing_residuals(columns));
        residuals
    }

    fn evaluated_residuals(&self, columns: &[Column]) -> Vec<ResidualOut> {
        let mut residuals = Vec::new();
        for (info, slice) in columns {
            // A matrix total column is footed, against the exact total.
            let Some(values) = self.values(*slice).filter(|_| !info.footing) else {
                continue;
            };
            for residue in &values.residuals {
                let figure = &self.program.figures[residue.figure];
                if figure.report == self.report_index
                    && !figure.qualified.ends_with(".left")
                    && !figure.qualified.ends_with(".right")
                {
                    // The label of its last row: a section's total.
                    let label = self
                        .report
                        .rows
                        .iter()
                        .filter(|row| row.figure == Some(residue.figure))
                        .map(|row| row.label.clone())
                        .next_back()
                        .unwrap_or_else(|| local_name(&figure.qualified));
                    residuals.push(ResidualOut {
                        line: local_name(&figure.qualified),
                        label,
                        column: info.id.clone(),
                        year: info.year,
                        amount: residue.amount.to_string(),
                        allocated: residue.allocated,
                    });
                }
            }
        }
        residuals
    }

    /// Each row's total in a matrix's total column is the sum of its other
    /// columns as shown: where that differs from its exact total rounded,
    /// the difference is listed.
    fn footing_residuals(&self, columns: &[Column]) -> Vec<ResidualOut> {
        let policy = &self.report.rounding;
        let mut residuals = Vec::new();
        for row in &self.report.rows {
            let Some(figure) = row.figure else { continue };
            for (info, slice) in columns.iter().filter(|(info, _)| info.footing) {
                let footed = self.rounded(figure, *slice);
                let Some(difference) = self
                    .exact(figure, *slice)
                    .round_to(policy.unit, policy.method)
                    .and_then(|rounded| footed.checked_sub(rounded))
                else {
                    continue;
                };
                if !difference.is_zero() {
                    residuals.push(ResidualOut {
                        line: local_name(&self.program.figures[figure].qualified),
                        label: row.label.clone(),
                        column: info.id.clone(),
                        year: info.year,
                        amount: difference.to_string(),
                        allocated: false,
                    });
                }
            }
        }
        residuals
    }

    fn entity(&self, scope: &Scope) -> EntityInfo {
        EntityInfo {
            id: scope.name.clone(),
            label: scope.label.clone(),
            code: scope.code.clone(),
            kind: if scope.is_group { "group" } else { "entity" },
            members: scope
                .members
                .iter()
                .map(|m| self.program.entities[*m].name.clone())
                .collect(),
        }
    }
}

/// A check's result in the column of its slice.
fn check_result(columns: &[Column], result: &CheckResult) -> CheckResultOut {
    CheckResultOut {
        column: columns
            .iter()
            .find(|(info, _)| {
                info.year == result.year
                    && (info.from, info.to) == (result.periods.from, result.periods.to)
                    && info.budget == result.budget
            })
            .map_or(String::new(), |(info, _)| info.id.clone()),
        left: result.left.to_string(),
        right: result.right.to_string(),
        difference: result.difference.to_string(),
        passed: result.passed,
    }
}
