//! Formulas: arithmetic over aggregates of chart codes, references to other
//! lines and numbers. Depth and length are bounded so that no formula can
//! overflow the stack here or in a later stage.

use super::chart::{balance, kind};
use super::combinators::{choice, failure_here, span_from};
use super::{MAX_DEPTH, MAX_TERMS};
use crate::syntax::ast::{
    Aggregate, BinaryOp, CodeItem, Expr, ExprKind, Filter, Measure, Name, Spanned,
};
use crate::syntax::error::{Problem, SyntaxError};
use crate::syntax::lexical::{
    Input, PResult, blanks, code, decimal, ident, keyword, position, symbol, value,
};
use nom::branch::alt;
use nom::combinator::{cut, map, opt, value as constant};
use nom::multi::separated_list1;
use nom::sequence::preceded;
use nom::{Err, Parser};
use std::cell::Cell;

/// A whole formula: an `expr` at the top level, with its own budget of terms.
pub(super) fn formula(input: Input<'_>) -> PResult<'_, Expr> {
    expr(input, 0, &Cell::new(MAX_TERMS))
}

/// `expr = term { ( "+" | "-" ) term }`
fn expr<'a>(input: Input<'a>, depth: u32, budget: &Cell<u32>) -> PResult<'a, Expr> {
    let operators = [("+", BinaryOp::Add), ("-", BinaryOp::Sub)];
    left_associative(input, &operators, |i| term(i, depth, budget))
}

/// `term = unary { ( "*" | "/" ) unary }`
fn term<'a>(input: Input<'a>, depth: u32, budget: &Cell<u32>) -> PResult<'a, Expr> {
    let operators = [("*", BinaryOp::Mul), ("/", BinaryOp::Div)];
    left_associative(input, &operators, |i| unary(i, depth, budget))
}

/// `operand { operator operand }`, grouped from the left: `a - b - c` is
/// `(a - b) - c`.
fn left_associative<'a>(
    input: Input<'a>,
    operators: &[(&'static str, BinaryOp)],
    operand: impl Fn(Input<'a>) -> PResult<'a, Expr>,
) -> PResult<'a, Expr> {
    let (mut input, mut left) = operand(input)?;
    loop {
        let Ok((rest, operator)) = choice(input, symbol, operators) else {
            return Ok((input, left));
        };
        let (rest, right) = cut(&operand).parse(rest)?;
        let span = left.span.to(right.span);
        left = Expr {
            kind: ExprKind::Binary(Box::new(left), operator.value, Box::new(right)),
            span,
        };
        input = rest;
    }
}

/// `unary = "-" unary | primary`
fn unary<'a>(input: Input<'a>, depth: u32, budget: &Cell<u32>) -> PResult<'a, Expr> {
    // Every operand and every sign passes here: bound the formula's size so
    // that no later stage recurses deeper than it can.
    match budget.get().checked_sub(1) {
        Some(left) => budget.set(left),
        None => return failure_here(input, Problem::TooManyTerms),
    }
    if depth > MAX_DEPTH {
        return failure_here(input, Problem::TooDeep);
    }
    let start = position(input);
    if let Ok((rest, _)) = symbol("-")(input) {
        let (rest, operand) = cut(|i| unary(i, depth + 1, budget)).parse(rest)?;
        let span = span_from(&rest, start);
        return Ok((
            rest,
            Expr {
                kind: ExprKind::Neg(Box::new(operand)),
                span,
            },
        ));
    }
    primary(input, depth, budget)
}

/// `primary = aggregate | reference | decimal | "(" expr ")"`
fn primary<'a>(input: Input<'a>, depth: u32, budget: &Cell<u32>) -> PResult<'a, Expr> {
    let start = position(input);
    if let Ok((rest, _)) = symbol("(")(input) {
        let (rest, inner) = cut(|i| expr(i, depth + 1, budget)).parse(rest)?;
        let (rest, _) = cut(symbol(")")).parse(rest)?;
        let span = span_from(&rest, start);
        return Ok((
            rest,
            Expr {
                kind: inner.kind,
                span,
            },
        ));
    }
    let (rest, kind) = alt((
        map(aggregate, ExprKind::Aggregate),
        map(reference, |(report, name)| ExprKind::Reference {
            report,
            name,
        }),
        map(decimal, |(amount, _)| ExprKind::Number(amount)),
    ))
    .parse(input)
    .map_err(|error| error.map(|error| formula_expected(error, start)))?;
    let span = span_from(&rest, start);
    Ok((rest, Expr { kind, span }))
}

/// Where no operand starts at all, "a formula" says more than the list of
/// every token an operand may start with.
fn formula_expected(mut error: SyntaxError, start: usize) -> SyntaxError {
    if error.span.start as usize == start {
        error.expected = vec!["a formula"];
    }
    error
}

/// `aggregate = measure "(" codeset [ "where" filter { "and" filter } ] [ "as" balance ] ")"`
fn aggregate(input: Input<'_>) -> PResult<'_, Aggregate> {
    let (input, measure) = measure(input)?;
    let (input, _) = symbol("(")(input)?;
    let (input, (codes, except)) = cut(codeset).parse(input)?;
    let (input, filters) = opt(preceded(
        keyword("where"),
        cut(separated_list1(keyword("and"), filter)),
    ))
    .parse(input)?;
    let (input, sign) = opt(preceded(keyword("as"), cut(balance))).parse(input)?;
    let (input, _) = cut(symbol(")")).parse(input)?;
    Ok((
        input,
        Aggregate {
            measure,
            codes,
            except,
            filters: filters.unwrap_or_default(),
            sign,
        },
    ))
}

/// `measure = "sum" | "balance" | "opening" | "flow" | "change"`
fn measure(input: Input<'_>) -> PResult<'_, Spanned<Measure>> {
    let measures = [
        ("sum", Measure::Sum),
        ("balance", Measure::Balance),
        ("opening", Measure::Opening),
        ("flow", Measure::Flow),
        ("change", Measure::Change),
    ];
    choice(input, keyword, &measures)
}

/// `codeset = code_item { "," code_item } [ "except" code_item { "," code_item } ]`
pub(super) fn codeset(input: Input<'_>) -> PResult<'_, (Vec<CodeItem>, Vec<CodeItem>)> {
    let (input, codes) = separated_list1(symbol(","), code_item).parse(input)?;
    let (input, except) = opt(preceded(
        keyword("except"),
        cut(separated_list1(symbol(","), code_item)),
    ))
    .parse(input)?;
    Ok((input, (codes, except.unwrap_or_default())))
}

/// `code_item = code [ ".." code ] | "kind" kind`
fn code_item(input: Input<'_>) -> PResult<'_, CodeItem> {
    if let Ok((rest, _)) = keyword("kind")(input) {
        let (rest, kind) = cut(kind).parse(rest)?;
        return Ok((rest, CodeItem::Kind(kind)));
    }
    let (input, low) = code(input)?;
    match symbol("..")(input) {
        Ok((rest, _)) => {
            let (rest, high) = cut(code).parse(rest)?;
            Ok((rest, CodeItem::Range(low, high)))
        }
        Err(_) => Ok((input, CodeItem::Code(low))),
    }
}

/// `filter = ident ( "=" | "!=" ) value { "|" value }`
fn filter(input: Input<'_>) -> PResult<'_, Filter> {
    let start = position(input);
    let (input, name) = ident(input)?;
    let (input, negated) = cut(alt((
        constant(true, symbol("!=")),
        constant(false, symbol("=")),
    )))
    .parse(input)?;
    let (input, values) = cut(separated_list1(symbol("|"), value)).parse(input)?;
    Ok((
        input,
        Filter {
            name,
            negated,
            values,
            span: span_from(&input, start),
        },
    ))
}

/// Words that start report items or end formulas: never a reference, so a
/// formula left empty does not swallow the next line.
pub const RESERVED: [&str; 10] = [
    "line",
    "section",
    "total",
    "check",
    "subtitle",
    "columns",
    "rounding",
    "memo",
    "tolerance",
    "report",
];

/// `reference = ident [ "." ident ]`
fn reference(input: Input<'_>) -> PResult<'_, (Option<Name>, Name)> {
    let (rest, first) = ident(input)?;
    if RESERVED.contains(&first.text.as_str()) {
        return Err(Err::Error(SyntaxError::expected(
            blanks(input),
            "a formula",
        )));
    }
    let input = rest;
    match symbol(".")(input) {
        Ok((rest, _)) if !rest.fragment().starts_with('.') => {
            let (rest, second) = cut(ident).parse(rest)?;
            Ok((rest, (Some(first), second)))
        }
        _ => Ok((input, (None, first))),
    }
}
