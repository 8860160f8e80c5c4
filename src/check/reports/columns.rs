//! The columns of a report: by default this year and the last, or the
//! columns it lists, or a matrix (`columns by DIMENSION of SLICE`); and the
//! periods of the fiscal year a column covers.

use crate::calendar;
use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::model::{ColumnDef, DimensionDef, Periods};
use crate::syntax::ast;

/// A report without `columns` shows this year and the last, whole.
pub(super) fn default_columns() -> Vec<ColumnDef> {
    vec![whole_year("courant", 0), whole_year("precedent", 1)]
}

fn whole_year(name: &str, years_back: u32) -> ColumnDef {
    ColumnDef {
        name: name.into(),
        years_back,
        periods: Periods::YEAR,
        budget: false,
        filter: None,
        footing: false,
        to_date: false,
    }
}

/// The columns a report lists, in order. Two columns under one heading
/// are an error: a reader could not tell them apart.
pub(super) fn listed(checker: &mut Checker, columns: &[ast::ReportColumn]) -> Vec<ColumnDef> {
    let errors = checker.errors.len();
    let lowered: Vec<ColumnDef> = columns
        .iter()
        .map(|column| over(column, checker.column_periods(column)))
        .collect();
    // A refused period was read as the whole year: no heading to compare.
    if checker.errors.len() > errors {
        return lowered;
    }
    // Headings shift with the year built, all alike: any year compares them.
    let year = checker.fiscal_year.unwrap_or(2000);
    for (index, column) in lowered.iter().enumerate() {
        let heading = column.heading(year);
        let Some(first) = lowered[..index]
            .iter()
            .position(|other| other.heading(year) == heading)
        else {
            continue;
        };
        checker.error(
            Diagnostic::error(
                Code::DuplicateName,
                format!(
                    "columns `{}` and `{}` would print under the same heading `{heading}`",
                    columns[first].name.text, column.name
                ),
            )
            .at(columns[index].name.span, "second column")
            .also(columns[first].name.span, "first column")
            .help("they cover the same periods of the same year: remove one, or make it cover another part of the year"),
        );
    }
    lowered
}

/// The column a declaration names, over `periods` (read from it once).
fn over(column: &ast::ReportColumn, periods: Periods) -> ColumnDef {
    ColumnDef {
        name: column.name.text.clone(),
        years_back: column.years_back.value,
        periods,
        budget: column.budget,
        filter: None,
        footing: false,
        to_date: column.periods.is_some_and(|periods| periods.value.to_date),
    }
}

/// `columns by DIMENSION of SLICE`: one column per declared value of the
/// dimension, in order, then the total (all amounts, whatever their value).
pub(super) fn matrix(
    checker: &mut Checker,
    dimensions: &[DimensionDef],
    dimension: &ast::Name,
    slice: &ast::ReportColumn,
) -> Option<Vec<ColumnDef>> {
    let index = dimension_index(checker, dimensions, dimension)?;
    let definition = &dimensions[index];
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
    // The periods are read once, so that a bad one is reported once.
    let periods = checker.column_periods(slice);
    let mut columns: Vec<ColumnDef> = values
        .keys()
        .enumerate()
        // `nature_n100`, `mesure_15313`: a name rules can refer to.
        .map(|(value, code)| ColumnDef {
            name: format!("{}_{}", definition.name, code.to_lowercase()),
            filter: Some((index, value)),
            ..over(slice, periods)
        })
        .collect();
    columns.push(ColumnDef {
        name: "total".to_string(),
        footing: true,
        ..over(slice, periods)
    });
    Some(columns)
}

fn dimension_index(
    checker: &mut Checker,
    dimensions: &[DimensionDef],
    dimension: &ast::Name,
) -> Option<usize> {
    let found = dimensions.iter().position(|d| d.name == dimension.text);
    if found.is_none() {
        let mut diagnostic = Diagnostic::error(
            Code::UnknownName,
            format!("unknown dimension `{}`", dimension.text),
        )
        .at(dimension.span, "no such dimension");
        let names = dimensions.iter().map(|d| d.name.as_str());
        if let Some(close) = closest(&dimension.text, names) {
            diagnostic = diagnostic.help(format!("did you mean `{close}`?"));
        }
        checker.error(diagnostic);
    }
    found
}

impl Checker {
    /// The periods a column covers: the whole year unless it names some.
    fn column_periods(&mut self, column: &ast::ReportColumn) -> Periods {
        column
            .periods
            .as_ref()
            .map_or(Periods::YEAR, |periods| self.periods(periods))
    }

    /// `[through] period N` (1 to 13) or `[through] quarter N` (1 to 4) as a
    /// run of periods. The fourth quarter ends with the year, so it takes
    /// the year-end adjustments (period 13): the fourth quarter to date is
    /// the whole year.
    fn periods(&mut self, periods: &ast::Spanned<ast::ColumnPeriods>) -> Periods {
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
