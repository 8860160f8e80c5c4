//! Shapes that many productions share: a block of elements, the heading of a
//! named item, a choice of words that each stand for a value, and the spans
//! and failures that nodes and limits need.

use crate::source::Span;
use crate::syntax::ast::{Name, Spanned, Str};
use crate::syntax::error::{Problem, SyntaxError};
use crate::syntax::lexical::{Input, PResult, ident, keyword, position, string, symbol};
use nom::combinator::cut;
use nom::error::ParseError;
use nom::multi::separated_list1;
use nom::{Err, Parser};

/// The span of a node from `start` to where `input` now stands.
pub(super) fn span_from(input: &Input<'_>, start: usize) -> Span {
    Span::new(input.extra, start, input.location_offset())
}

/// A token's value with where it was written, as the tree keeps it.
pub(super) fn spanned<T>((value, span): (T, Span)) -> Spanned<T> {
    Spanned { value, span }
}

/// A failure on the first character of what comes next. A limit has no
/// token of its own to point at, so the diagnostic points where it was hit.
pub(super) fn failure_here<T>(input: Input<'_>, problem: Problem) -> PResult<'_, T> {
    let start = position(input);
    let span = Span::new(input.extra, start, start + 1);
    Err(Err::Failure(SyntaxError::at(span, problem)))
}

/// One of several tokens (`keyword` or `symbol`), each standing for a value.
/// Tried in order; when none matches, the error lists every one of them, as
/// nom's `alt` would.
pub(super) fn choice<'a, T: Copy, Token>(
    input: Input<'a>,
    token: fn(&'static str) -> Token,
    choices: &[(&'static str, T)],
) -> PResult<'a, Spanned<T>>
where
    Token: Fn(Input<'a>) -> PResult<'a, Span>,
{
    let mut error: Option<SyntaxError> = None;
    for &(word, value) in choices {
        match token(word)(input) {
            Ok((rest, span)) => return Ok((rest, Spanned { value, span })),
            Err(Err::Error(new)) => {
                error = Some(match error {
                    Some(old) => old.or(new),
                    None => new,
                })
            }
            Err(other) => return Err(other),
        }
    }
    // Only an empty list of choices gets here.
    Err(Err::Error(error.unwrap_or_else(|| {
        SyntaxError::expected(input, "a keyword")
    })))
}

/// `{` element* `}`: reports the element's own error when it fails.
pub(super) fn block<'a, T>(
    input: Input<'a>,
    mut element: impl FnMut(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut input, _) = symbol("{")(input)?;
    let mut items = Vec::new();
    loop {
        if let Ok((rest, _)) = symbol("}")(input) {
            return Ok((rest, items));
        }
        match element(input) {
            Ok((rest, item)) => {
                items.push(item);
                input = rest;
            }
            Err(Err::Error(mut error)) => {
                error.expected.push("}");
                return Err(Err::Failure(error));
            }
            Err(other) => return Err(other),
        }
    }
}

/// `open element { "," element } close`: a list that is never empty, between
/// brackets.
pub(super) fn bracketed_list<'a, T>(
    input: Input<'a>,
    open: &'static str,
    element: impl FnMut(Input<'a>) -> PResult<'a, T>,
    close: &'static str,
) -> PResult<'a, Vec<T>> {
    let (input, (_, elements, _)) = (
        symbol(open),
        separated_list1(symbol(","), element),
        symbol(close),
    )
        .parse(input)?;
    Ok((input, elements))
}

/// `word ident string`: how a named item starts. Past the keyword the item
/// is committed to.
pub(super) fn heading<'a>(input: Input<'a>, word: &'static str) -> PResult<'a, (Name, Str)> {
    let (input, _) = keyword(word)(input)?;
    cut((ident, string)).parse(input)
}

/// `word ident string "{" { element } "}"`: the shape of most items.
pub(super) fn named_block<'a, T>(
    input: Input<'a>,
    word: &'static str,
    mut element: impl FnMut(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, (Name, Str, Vec<T>)> {
    let (input, (name, label)) = heading(input, word)?;
    let (input, elements) = cut(|i| block(i, &mut element)).parse(input)?;
    Ok((input, (name, label, elements)))
}
