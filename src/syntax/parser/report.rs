//! Reports: their columns, sections, lines and checks, and the presentation
//! rounding that a report or the whole program may set.

use super::MAX_DEPTH;
use super::combinators::{
    block, bracketed_list, choice, failure_here, heading, named_block, span_from, spanned,
};
use super::expr::formula;
use crate::money::{Amount, RoundingMethod};
use crate::syntax::ast::{
    Check, ColumnPeriods, Comparison, Line, Name, Report, ReportColumn, ReportItem, Residual,
    Rounding, RoundingOption, Section, SectionItem, Spanned, Str,
};
use crate::syntax::error::Problem;
use crate::syntax::lexical::{
    Input, PResult, code, decimal, ident, keyword, position, small_integer, string, symbol,
};
use nom::Parser;
use nom::branch::alt;
use nom::combinator::{cut, map, opt};
use nom::sequence::preceded;

/// `report = "report" ident string "{" { report_item } "}"`
pub(super) fn report(input: Input<'_>) -> PResult<'_, Report> {
    let (input, (name, label, items)) = named_block(input, "report", report_item)?;
    Ok((input, Report { name, label, items }))
}

/// `report_item = subtitle | report_columns | rounding | section | line | check`
fn report_item(input: Input<'_>) -> PResult<'_, ReportItem> {
    alt((
        map(subtitle, ReportItem::Subtitle),
        report_columns,
        map(rounding, ReportItem::Rounding),
        map(|i| section(i, 0), ReportItem::Section),
        map(line, ReportItem::Line),
        map(check, ReportItem::Check),
    ))
    .parse(input)
}

/// `subtitle = "subtitle" string`
fn subtitle(input: Input<'_>) -> PResult<'_, Str> {
    preceded(keyword("subtitle"), cut(string)).parse(input)
}

/// `report_columns = "columns" ( "{" report_column { "," report_column } "}" | "by" ident "of" column_slice )`
fn report_columns(input: Input<'_>) -> PResult<'_, ReportItem> {
    let start = position(input);
    let (input, _) = keyword("columns")(input)?;
    if let Ok((input, _)) = keyword("by")(input) {
        return columns_by_dimension(input, start);
    }
    let (input, columns) = cut(|i| bracketed_list(i, "{", report_column, "}")).parse(input)?;
    Ok((
        input,
        ReportItem::Columns(columns, span_from(&input, start)),
    ))
}

/// The `"by" ident "of" column_slice` of `report_columns`, after `by`: one
/// column per value of the dimension, each over the same slice.
fn columns_by_dimension(input: Input<'_>, start: usize) -> PResult<'_, ReportItem> {
    let (input, (dimension, _, slice)) = cut((ident, keyword("of"), column_slice)).parse(input)?;
    let span = span_from(&input, start);
    let slice = sliced_column(dimension.clone(), slice);
    Ok((
        input,
        ReportItem::ColumnsBy {
            dimension,
            slice,
            span,
        },
    ))
}

/// `report_column = ident "=" column_slice`
fn report_column(input: Input<'_>) -> PResult<'_, ReportColumn> {
    let (input, name) = ident(input)?;
    let (input, slice) = preceded(cut(symbol("=")), cut(column_slice)).parse(input)?;
    Ok((input, sliced_column(name, slice)))
}

/// What a column covers: years back, part of the year, budget.
type ColumnSlice = (Spanned<u32>, Option<Spanned<ColumnPeriods>>, bool);

fn sliced_column(name: Name, (years_back, periods, budget): ColumnSlice) -> ReportColumn {
    ReportColumn {
        name,
        years_back,
        periods,
        budget,
    }
}

/// `column_slice = [ "budget" ] "year" [ "-" integer ] [ column_periods ]`
fn column_slice(input: Input<'_>) -> PResult<'_, ColumnSlice> {
    let (input, budget) = opt(keyword("budget")).parse(input)?;
    let (input, year) = cut(keyword("year")).parse(input)?;
    let (input, back) = opt(preceded(symbol("-"), cut(small_integer))).parse(input)?;
    // `year` alone is this year: no years back, written where `year` is.
    let years_back = spanned(back.unwrap_or((0, year)));
    let (input, periods) = opt(column_periods).parse(input)?;
    Ok((input, (years_back, periods, budget.is_some())))
}

/// `column_periods = [ "through" ] ( "period" | "quarter" ) integer`
fn column_periods(input: Input<'_>) -> PResult<'_, Spanned<ColumnPeriods>> {
    let start = position(input);
    let (input, through) = opt(keyword("through")).parse(input)?;
    let unit = alt((
        map(keyword("period"), |_| false),
        map(keyword("quarter"), |_| true),
    ));
    let (input, (quarter, (number, _))) = if through.is_some() {
        cut((unit, small_integer)).parse(input)?
    } else {
        (unit, cut(small_integer)).parse(input)?
    };
    let value = ColumnPeriods {
        quarter,
        number,
        to_date: through.is_some(),
    };
    Ok((
        input,
        Spanned {
            value,
            span: span_from(&input, start),
        },
    ))
}

/// `section = "section" ident string "{" { section_item } "}"`
fn section(input: Input<'_>, depth: u32) -> PResult<'_, Section> {
    // Sections nest: bound like formulas, so that no input overflows the stack.
    if depth > MAX_DEPTH && keyword("section")(input).is_ok() {
        return failure_here(input, Problem::SectionsTooDeep);
    }
    let (input, (name, label, items)) = named_block(input, "section", |i| section_item(i, depth))?;
    Ok((input, Section { name, label, items }))
}

/// `section_item = line | section | total`
fn section_item(input: Input<'_>, depth: u32) -> PResult<'_, SectionItem> {
    alt((
        map(line, SectionItem::Line),
        map(|i| section(i, depth + 1), SectionItem::Section),
        map(total, SectionItem::Total),
    ))
    .parse(input)
}

/// `line = "line" ident string "=" expr [ "memo" ]`
fn line(input: Input<'_>) -> PResult<'_, Line> {
    let (input, (name, label)) = heading(input, "line")?;
    let (input, _) = cut(symbol("=")).parse(input)?;
    let (input, expr) = cut(formula).parse(input)?;
    let (input, memo) = opt(keyword("memo")).parse(input)?;
    Ok((
        input,
        Line {
            name,
            label,
            expr,
            memo: memo.is_some(),
        },
    ))
}

/// `total = "total" string`
fn total(input: Input<'_>) -> PResult<'_, Str> {
    preceded(keyword("total"), cut(string)).parse(input)
}

/// `check = "check" ident string ":" expr comparison expr [ "tolerance" decimal ]`
fn check(input: Input<'_>) -> PResult<'_, Check> {
    let (input, (name, label)) = heading(input, "check")?;
    let (input, _) = cut(symbol(":")).parse(input)?;
    let (input, (left, comparison, right)) = cut((formula, comparison, formula)).parse(input)?;
    let (input, rounded) = opt(keyword("rounded")).parse(input)?;
    let (input, tolerance) = tolerance(input)?;
    Ok((
        input,
        Check {
            name,
            label,
            left,
            comparison,
            right,
            rounded: rounded.is_some(),
            tolerance,
        },
    ))
}

/// `comparison = "==" | "<=" | ">="`
pub(super) fn comparison(input: Input<'_>) -> PResult<'_, Spanned<Comparison>> {
    let comparisons = [
        ("==", Comparison::Equal),
        ("<=", Comparison::AtMost),
        (">=", Comparison::AtLeast),
    ];
    choice(input, symbol, &comparisons)
}

/// `[ "tolerance" decimal ]`, how far apart the two sides of a check or of a
/// validation rule may be.
pub(super) fn tolerance(input: Input<'_>) -> PResult<'_, Option<Spanned<Amount>>> {
    map(
        opt(preceded(keyword("tolerance"), cut(decimal))),
        |tolerance| tolerance.map(spanned),
    )
    .parse(input)
}

/// `rounding = "rounding" "{" { rounding_option } "}"`
pub(super) fn rounding(input: Input<'_>) -> PResult<'_, Rounding> {
    let start = position(input);
    let (input, _) = keyword("rounding")(input)?;
    let (input, options) = cut(|i| block(i, rounding_option)).parse(input)?;
    Ok((
        input,
        Rounding {
            options,
            span: span_from(&input, start),
        },
    ))
}

/// `rounding_option = "unit" decimal | "method" ( "half_even" | "half_up" ) | "residual" ( "total" | "largest" ) | "account" code`
fn rounding_option(input: Input<'_>) -> PResult<'_, RoundingOption> {
    let methods = [
        ("half_even", RoundingMethod::HalfEven),
        ("half_up", RoundingMethod::HalfUp),
    ];
    let residuals = [("total", Residual::Total), ("largest", Residual::Largest)];
    alt((
        preceded(
            keyword("unit"),
            cut(map(decimal, |unit| RoundingOption::Unit(spanned(unit)))),
        ),
        preceded(
            keyword("method"),
            cut(map(
                |i| choice(i, keyword, &methods),
                RoundingOption::Method,
            )),
        ),
        preceded(
            keyword("residual"),
            cut(map(
                |i| choice(i, keyword, &residuals),
                RoundingOption::Residual,
            )),
        ),
        preceded(keyword("account"), cut(map(code, RoundingOption::Account))),
    ))
    .parse(input)
}
