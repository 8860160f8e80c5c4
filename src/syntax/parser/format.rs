//! Export formats: how a ledger export is written (its dialect options), its
//! columns and how its movement column reads.

use super::combinators::{block, choice, named_block, span_from};
use crate::syntax::ast::{
    Column, ColumnRole, Format, FormatOption, MovementKind, Movements, Spanned, Str,
};
use crate::syntax::lexical::{Input, PResult, keyword, position, string, symbol};
use nom::Parser;
use nom::branch::alt;
use nom::combinator::{cut, map, opt};
use nom::multi::separated_list1;
use nom::sequence::preceded;

/// `format = "format" ident string "{" { format_field } "}"`
pub(super) fn format(input: Input<'_>) -> PResult<'_, Format> {
    let (input, (name, label, fields)) = named_block(input, "format", format_field)?;
    let mut format = Format {
        name,
        label,
        options: Vec::new(),
        columns: Vec::new(),
        movements: Vec::new(),
    };
    for field in fields {
        match field {
            FormatField::Option(option, text) => format.options.push((option, text)),
            FormatField::Columns(columns) => format.columns.extend(columns),
            FormatField::Movements(movements) => format.movements.push(movements),
        }
    }
    Ok((input, format))
}

enum FormatField {
    Option(Spanned<FormatOption>, Str),
    Columns(Vec<Column>),
    Movements(Movements),
}

/// `format_field = format_option | columns | movements`
fn format_field(input: Input<'_>) -> PResult<'_, FormatField> {
    alt((
        map(format_option, |(option, text)| {
            FormatField::Option(option, text)
        }),
        map(columns, FormatField::Columns),
        map(movements, FormatField::Movements),
    ))
    .parse(input)
}

/// `format_option = ( "delimiter" | "quote" | "decimal" | "thousands" | "encoding" | "date" ) string`
fn format_option(input: Input<'_>) -> PResult<'_, (Spanned<FormatOption>, Str)> {
    let options = [
        ("delimiter", FormatOption::Delimiter),
        ("quote", FormatOption::Quote),
        ("decimal", FormatOption::Decimal),
        ("thousands", FormatOption::Thousands),
        ("encoding", FormatOption::Encoding),
        ("date", FormatOption::Date),
    ];
    let (input, option) = choice(input, keyword, &options)?;
    let (input, text) = cut(string).parse(input)?;
    Ok((input, (option, text)))
}

/// `columns = "columns" "{" { column } "}"`
fn columns(input: Input<'_>) -> PResult<'_, Vec<Column>> {
    let (input, _) = keyword("columns")(input)?;
    cut(|i| block(i, column)).parse(input)
}

/// `column = column_role string { "," string } [ "joined" string ]`
fn column(input: Input<'_>) -> PResult<'_, Column> {
    let (input, role) = column_role(input)?;
    let (input, headers) = cut(separated_list1(symbol(","), string)).parse(input)?;
    let (input, joined) = opt(preceded(keyword("joined"), cut(string))).parse(input)?;
    Ok((
        input,
        Column {
            role,
            headers,
            joined,
        },
    ))
}

/// `column_role = "date" | "account" | "amount" | "debit" | "credit" | "journal" | "reference" | "description" | "movement" | "counterparty"`
fn column_role(input: Input<'_>) -> PResult<'_, Spanned<ColumnRole>> {
    let roles = [
        ("date", ColumnRole::Date),
        ("account", ColumnRole::Account),
        ("amount", ColumnRole::Amount),
        ("debit", ColumnRole::Debit),
        ("credit", ColumnRole::Credit),
        ("journal", ColumnRole::Journal),
        ("reference", ColumnRole::Reference),
        ("description", ColumnRole::Description),
        ("movement", ColumnRole::Movement),
        ("counterparty", ColumnRole::Counterparty),
    ];
    choice(input, keyword, &roles)
}

/// `movements = "movements" "from" column_role "{" { movement_case } "}"`
fn movements(input: Input<'_>) -> PResult<'_, Movements> {
    let start = position(input);
    let (input, _) = keyword("movements")(input)?;
    let (input, (_, from)) = cut((keyword("from"), column_role)).parse(input)?;
    let (input, cases) = cut(|i| block(i, movement_case)).parse(input)?;
    Ok((
        input,
        Movements {
            from,
            cases,
            span: span_from(&input, start),
        },
    ))
}

/// `movement_case = string "=>" movement`
fn movement_case(input: Input<'_>) -> PResult<'_, (Str, Spanned<MovementKind>)> {
    let (input, text) = string(input)?;
    let (input, (_, kind)) = cut((symbol("=>"), movement)).parse(input)?;
    Ok((input, (text, kind)))
}

/// `movement = "acquisition" | "disposal" | "transfer" | "borrowing" | "repayment"`
fn movement(input: Input<'_>) -> PResult<'_, Spanned<MovementKind>> {
    let kinds = [
        ("acquisition", MovementKind::Acquisition),
        ("disposal", MovementKind::Disposal),
        ("transfer", MovementKind::Transfer),
        ("borrowing", MovementKind::Borrowing),
        ("repayment", MovementKind::Repayment),
    ];
    choice(input, keyword, &kinds)
}
