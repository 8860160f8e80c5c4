//! The nom parser: one function per production of `grammar/reddition.ebnf`,
//! with the same name. After a keyword, `cut` commits to the production so an
//! error points at the real problem instead of backtracking.
//!
//! This file holds the entry point, `file`, with its recovery at item
//! boundaries; each family of items has its own file under `parser/`, and
//! the tokens are in `lexical.rs`.

mod chart;
mod combinators;
mod crosswalk;
mod entity;
mod expr;
mod format;
mod report;
mod submission;
mod validation;

pub use expr::RESERVED;

use super::ast::{File, Item, Spanned};
use super::error::{Problem, SyntaxError};
use super::lexical::{Input, PResult, blanks, keyword, small_integer, take};
use nom::branch::alt;
use nom::combinator::{cut, map};
use nom::{Err, Parser};

/// How deeply expressions may nest (parentheses and unary minus).
pub const MAX_DEPTH: u32 = 64;

/// How many operands and signs one formula may hold.
pub const MAX_TERMS: u32 = 1_000;

/// `file = { item }`. Recovers at item boundaries: after an error it skips to
/// the next line that starts with an item keyword, so one file reports all
/// its independent mistakes.
pub fn file(mut input: Input<'_>) -> (File, Vec<SyntaxError>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    loop {
        input = blanks(input);
        if input.fragment().is_empty() {
            break;
        }
        match item(input) {
            Ok((rest, parsed)) => {
                items.push(parsed);
                input = rest;
            }
            Err(Err::Error(error) | Err::Failure(error)) => {
                errors.push(error);
                match next_item_start(input) {
                    Some(rest) => input = rest,
                    None => break,
                }
            }
            Err(Err::Incomplete(_)) => break,
        }
    }
    (File { items }, errors)
}

/// The keywords that start an item (`item` below): where recovery resumes.
const ITEM_KEYWORDS: [&str; 12] = [
    "fiscal_year",
    "chart",
    "dimension",
    "structure",
    "crosswalk",
    "format",
    "entity",
    "group",
    "rounding",
    "report",
    "validation",
    "submission",
];

fn next_item_start(input: Input<'_>) -> Option<Input<'_>> {
    let text = input.fragment();
    let mut offset = text.find('\n')? + 1;
    loop {
        let line = &text[offset..];
        if ITEM_KEYWORDS.iter().any(|word| {
            line.starts_with(word)
                && line[word.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
        }) {
            return Some(take(input, offset).0);
        }
        offset += line.find('\n')? + 1;
    }
}

/// `item = fiscal_year | chart | dimension | structure | crosswalk | format | entity | group | rounding | report | validation | submission`
fn item(input: Input<'_>) -> PResult<'_, Item> {
    alt((
        map(fiscal_year, Item::FiscalYear),
        map(chart::chart, Item::Chart),
        map(chart::dimension, Item::Dimension),
        map(chart::structure, Item::Structure),
        map(crosswalk::crosswalk, Item::Crosswalk),
        map(format::format, Item::Format),
        map(entity::entity, Item::Entity),
        map(entity::group, Item::Group),
        map(report::rounding, Item::Rounding),
        map(report::report, Item::Report),
        map(validation::validation, Item::Validation),
        map(submission::submission, Item::Submission),
    ))
    .parse(input)
}

/// `fiscal_year = "fiscal_year" integer`
fn fiscal_year(input: Input<'_>) -> PResult<'_, Spanned<i32>> {
    let (input, _) = keyword("fiscal_year")(input)?;
    let (input, (year, span)) = cut(small_integer).parse(input)?;
    match i32::try_from(year) {
        Ok(value) if (1900..=9999).contains(&value) => Ok((input, Spanned { value, span })),
        _ => Err(Err::Failure(SyntaxError::at(
            span,
            Problem::BadNumber("a fiscal year is written as its four-digit closing year"),
        ))),
    }
}
