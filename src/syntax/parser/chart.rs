//! The harmonized chart and its accounts, dimensions and the structures that
//! cut a local code into segments.

use super::MAX_DEPTH;
use super::combinators::{block, choice, failure_here, heading, named_block, span_from, spanned};
use crate::syntax::ast::{
    Account, Balance, Chart, Dimension, Kind, Name, Piece, Spanned, Str, Structure,
};
use crate::syntax::error::Problem;
use crate::syntax::lexical::{
    Input, PResult, code, ident, keyword, position, small_integer, string, symbol, value,
};
use nom::branch::alt;
use nom::combinator::{cut, map, opt};
use nom::{Err, Parser};

/// `chart = "chart" ident string "{" { account } "}"`
pub(super) fn chart(input: Input<'_>) -> PResult<'_, Chart> {
    let (input, (name, label, accounts)) = named_block(input, "chart", account)?;
    Ok((
        input,
        Chart {
            name,
            label,
            accounts,
        },
    ))
}

/// `account = code string kind balance { attribute }`
fn account(input: Input<'_>) -> PResult<'_, Account> {
    let (input, code) = code(input)?;
    let (mut input, (label, kind, balance)) = cut((string, kind, balance)).parse(input)?;
    let mut attributes = Vec::new();
    while let Ok((rest, pair)) = attribute(input) {
        attributes.push(pair);
        input = rest;
    }
    Ok((
        input,
        Account {
            code,
            label,
            kind,
            balance,
            attributes,
        },
    ))
}

/// `kind = "actif_financier" | "passif" | ... | "charge"`
pub(super) fn kind(input: Input<'_>) -> PResult<'_, Spanned<Kind>> {
    choice(input, keyword, &Kind::ALL)
}

/// `balance = "debit" | "credit"`
pub(super) fn balance(input: Input<'_>) -> PResult<'_, Spanned<Balance>> {
    choice(
        input,
        keyword,
        &[("debit", Balance::Debit), ("credit", Balance::Credit)],
    )
}

/// `attribute = ident "=" value`
fn attribute(input: Input<'_>) -> PResult<'_, (Name, Name)> {
    let (input, name) = ident(input)?;
    let (input, _) = symbol("=")(input)?;
    let (input, value) = cut(value).parse(input)?;
    Ok((input, (name, value)))
}

/// `dimension = "dimension" ident string [ "{" { dimension_value } "}" ]`
pub(super) fn dimension(input: Input<'_>) -> PResult<'_, Dimension> {
    let (input, (name, label)) = heading(input, "dimension")?;
    let (input, values) = opt(|i| block(i, dimension_value)).parse(input)?;
    Ok((
        input,
        Dimension {
            name,
            label,
            values,
        },
    ))
}

/// `dimension_value = value string`
fn dimension_value(input: Input<'_>) -> PResult<'_, (Name, Str)> {
    let (input, name) = value(input)?;
    let (input, label) = cut(string).parse(input)?;
    Ok((input, (name, label)))
}

/// `structure = "structure" ident string "{" segment_seq "}"`
pub(super) fn structure(input: Input<'_>) -> PResult<'_, Structure> {
    let (input, (name, label)) = heading(input, "structure")?;
    let (input, _) = cut(symbol("{")).parse(input)?;
    let (input, pieces) = segment_seq(input, 0)?;
    let (input, _) = cut(symbol("}")).parse(input)?;
    Ok((
        input,
        Structure {
            name,
            label,
            pieces,
        },
    ))
}

/// `segment_seq = { segment | string | optional_group }`
fn segment_seq(mut input: Input<'_>, depth: u32) -> PResult<'_, Vec<Piece>> {
    let mut pieces = Vec::new();
    loop {
        let group = |i| optional_group(i, depth);
        match alt((segment, map(string, Piece::Literal), group)).parse(input) {
            Ok((rest, piece)) => {
                pieces.push(piece);
                input = rest;
            }
            Err(Err::Error(_)) => return Ok((input, pieces)),
            Err(other) => return Err(other),
        }
    }
}

/// `optional_group = "[" segment_seq "]"`
fn optional_group(input: Input<'_>, depth: u32) -> PResult<'_, Piece> {
    // Groups nest: bound like sections, so that no input overflows the stack.
    if depth > MAX_DEPTH && symbol("[")(input).is_ok() {
        return failure_here(input, Problem::OptionalsTooDeep);
    }
    let start = position(input);
    let (input, _) = symbol("[")(input)?;
    let (input, pieces) = segment_seq(input, depth + 1)?;
    let (input, _) = cut(symbol("]")).parse(input)?;
    Ok((input, Piece::Optional(pieces, span_from(&input, start))))
}

/// `segment = ident ":" integer`
fn segment(input: Input<'_>) -> PResult<'_, Piece> {
    let (input, name) = ident(input)?;
    let (input, _) = cut(symbol(":")).parse(input)?;
    let (input, width) = cut(map(small_integer, spanned)).parse(input)?;
    Ok((input, Piece::Segment { name, width }))
}
