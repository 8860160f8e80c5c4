//! The tree of a file: a checked layout and the figures of one scope →
//! elements with their attributes and values as written.

use super::{Leaf, Tree};
use crate::calendar;
use crate::eval::{Figures, Slice};
use crate::model::*;
use crate::money::Amount;
use crate::render::{local_name, row_kind};

/// What one value of a file is read from.
struct Context<'a> {
    program: &'a Program,
    figures: &'a Figures,
    scope: usize,
    version: &'a str,
}

/// The file of one submission for one scope (entity or group).
pub fn tree(
    program: &Program,
    figures: &Figures,
    submission: &SubmissionDef,
    scope: usize,
) -> Tree {
    let context = Context {
        program,
        figures,
        scope,
        version: &submission.version,
    };
    let mut roots = element(&context, &submission.root, None);
    roots.pop().unwrap_or(Tree {
        name: submission.root.name.clone(),
        attributes: Vec::new(),
        value: None,
        amount: false,
        children: Vec::new(),
        index: None,
    })
}

/// The elements one declaration yields: one, none (an optional value left
/// out), or one per row for an `each`.
fn element(context: &Context<'_>, def: &ElementDef, row: Option<(usize, usize)>) -> Vec<Tree> {
    match &def.repeat {
        Some(repeat) if row.is_none() => {
            let mut trees: Vec<Tree> = repeat
                .rows
                .iter()
                .filter_map(|row| one_element(context, def, Some((repeat.report, *row))))
                .collect();
            // Positions among the elements written, as XPath counts them.
            for (position, tree) in trees.iter_mut().enumerate() {
                tree.index = Some(position + 1);
            }
            trees
        }
        _ => one_element(context, def, row).into_iter().collect(),
    }
}

fn one_element(
    context: &Context<'_>,
    def: &ElementDef,
    row: Option<(usize, usize)>,
) -> Option<Tree> {
    let attributes = def
        .attributes
        .iter()
        .filter_map(|attribute| {
            let (value, amount) = value(context, &attribute.value, row)?;
            Some(Leaf {
                name: attribute.name.clone(),
                value,
                amount,
            })
        })
        .collect();
    let (value, amount, children) = match &def.content {
        ContentDef::Value(value_def) => {
            let (text, amount) = value(context, value_def, row)?;
            (Some(text), amount, Vec::new())
        }
        ContentDef::Children(children) => (
            None,
            false,
            children
                .iter()
                .flat_map(|child| element(context, child, row))
                .collect(),
        ),
    };
    Some(Tree {
        name: def.name.clone(),
        attributes,
        value,
        amount,
        children,
        index: None,
    })
}

/// The text of a value and whether it is an amount; `None` when an
/// optional value is empty or zero as written.
fn value(
    context: &Context<'_>,
    def: &ValueDef,
    row: Option<(usize, usize)>,
) -> Option<(String, bool)> {
    let program = context.program;
    let year = program.fiscal_year;
    let scope = &context.figures.scopes[context.scope];
    let text = match &def.source {
        ValueSource::Literal(text) => text.clone(),
        ValueSource::Version => context.version.to_string(),
        ValueSource::EntityCode => scope.code.clone(),
        ValueSource::EntityName => scope.name.clone(),
        ValueSource::EntityLabel => scope.label.clone(),
        ValueSource::PeriodYear => year.to_string(),
        ValueSource::PeriodLabel => calendar::label(year),
        ValueSource::PeriodStart => iso_date(calendar::first_day(year)),
        ValueSource::PeriodEnd => iso_date(calendar::last_day(year)),
        ValueSource::Figure {
            figure,
            report,
            column,
        } => return amount(context, def, *figure, *report, *column),
        ValueSource::LineId | ValueSource::LineLabel | ValueSource::LineKind => {
            line_text(program, &def.source, row?)
        }
        ValueSource::LineValue { column } => {
            let (report, row) = row?;
            let figure = program.reports[report].rows[row].figure?;
            return amount(context, def, figure, report, *column);
        }
    };
    (!(def.optional && text.is_empty())).then_some((text, false))
}

/// A day as ISO 8601 (`2024-07-01`); a fiscal year is bounded by 4-digit
/// years, whose days always exist.
fn iso_date(day: Option<chrono::NaiveDate>) -> String {
    day.map(|day| day.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The id, label or kind of a row of a report.
fn line_text(program: &Program, source: &ValueSource, (report, row): (usize, usize)) -> String {
    let row = &program.reports[report].rows[row];
    match source {
        ValueSource::LineLabel => row.label.clone(),
        ValueSource::LineKind => row_kind(row.kind).to_string(),
        _ => row.figure.map_or(String::new(), |figure| {
            local_name(&program.figures[figure].qualified)
        }),
    }
}

/// A figure in a report column, exact or rounded as the format says.
fn amount(
    context: &Context<'_>,
    def: &ValueDef,
    figure: FigureId,
    report: usize,
    column: usize,
) -> Option<(String, bool)> {
    let program = context.program;
    let slice = Slice::of_column(
        &program.reports[report].columns[column],
        program.fiscal_year,
    );
    let values = context
        .figures
        .slice_index(slice)
        .map(|index| &context.figures.values[context.scope][index]);
    let amount = values.map_or(Amount::ZERO, |values| match def.format.mode {
        ValueMode::Rounded => values.rounded[figure],
        ValueMode::Exact => values.exact[figure],
    });
    if def.optional && amount.is_zero() {
        return None;
    }
    Some((number(amount, def.format.decimals), true))
}

/// `-1234.50`: a `.` before the decimals, `-` for a negative, no grouping;
/// at least `decimals` digits after the point, padded with zeros. Nothing
/// is rounded here: a rounded value has no more decimals than its format
/// allows (checked), and an exact value keeps all of its own.
pub fn number(amount: Amount, decimals: u32) -> String {
    let text = amount.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut written = whole.to_string();
    let width = (decimals as usize).max(fraction.len());
    if width > 0 {
        written.push('.');
        written.push_str(fraction);
        written.extend(std::iter::repeat_n('0', width - fraction.len()));
    }
    written
}

#[cfg(test)]
mod tests {
    use super::number;
    use crate::money::Amount;

    #[test]
    fn numbers_are_padded_never_rounded() {
        let amount = |s| Amount::parse_plain(s).unwrap_or_default();
        assert_eq!(number(amount("1234"), 2), "1234.00");
        assert_eq!(number(amount("-1234.5"), 2), "-1234.50");
        assert_eq!(number(amount("0"), 2), "0.00");
        assert_eq!(number(amount("-0.000"), 0), "0");
        assert_eq!(number(amount("12.345"), 2), "12.345");
        assert_eq!(number(amount("12"), 0), "12");
    }
}
