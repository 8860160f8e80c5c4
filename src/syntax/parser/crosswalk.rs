//! Crosswalks: the rules that send local codes to chart codes and dimension
//! values, their matchers and their validity dates.

use super::combinators::{block, span_from, spanned};
use crate::syntax::ast::{
    Condition, Crosswalk, CrosswalkItem, DimensionBody, DimensionCase, DimensionRule, Matcher,
    Rule, SegmentTest, Str, Validity,
};
use crate::syntax::error::SyntaxError;
use crate::syntax::lexical::{
    Input, PResult, blanks, code, date, ident, integer, keyword, position, small_integer, string,
    symbol, value,
};
use nom::branch::alt;
use nom::combinator::{cut, map, opt};
use nom::multi::separated_list1;
use nom::sequence::preceded;
use nom::{Err, Parser};

/// `crosswalk = "crosswalk" ident ":" ident "->" ident "{" { crosswalk_item } "}"`
pub(super) fn crosswalk(input: Input<'_>) -> PResult<'_, Crosswalk> {
    let (input, _) = keyword("crosswalk")(input)?;
    let (input, (name, _, structure, _, chart)) =
        cut((ident, symbol(":"), ident, symbol("->"), ident)).parse(input)?;
    let (input, items) = cut(|i| block(i, crosswalk_item)).parse(input)?;
    Ok((
        input,
        Crosswalk {
            name,
            structure,
            chart,
            items,
        },
    ))
}

/// `crosswalk_item = rule | dimension_rule | include`
fn crosswalk_item(input: Input<'_>) -> PResult<'_, CrosswalkItem> {
    alt((
        map(dimension_rule, CrosswalkItem::Dimension),
        map(include, CrosswalkItem::Include),
        map(rule, CrosswalkItem::Rule),
    ))
    .parse(input)
}

/// `rule = matcher "=>" code [ "priority" integer ] [ validity ] [ string ]`
fn rule(input: Input<'_>) -> PResult<'_, Rule> {
    let start = position(input);
    let (input, matcher) = matcher(input)?;
    let (input, (_, target)) = cut((symbol("=>"), code)).parse(input)?;
    let (input, priority) = opt(preceded(keyword("priority"), cut(small_integer))).parse(input)?;
    let (input, validity) = opt(validity).parse(input)?;
    let (input, note) = same_line_note(input)?;
    Ok((
        input,
        Rule {
            matcher,
            target,
            priority: priority.map(spanned),
            validity,
            note,
            span: span_from(&input, start),
        },
    ))
}

/// `validity = "valid" ( "from" date [ "until" date ] | "until" date )`
///
/// `valid` alone commits nothing: a segment named `valid` may start the next
/// rule (`valid "1" => ...`), and a condition never continues with `from` or
/// `until`, so only `valid from` and `valid until` start a validity.
pub(super) fn validity(input: Input<'_>) -> PResult<'_, Validity> {
    let start = position(input);
    let (input, _) = keyword("valid")(input)?;
    let (rest, (from, until)) = match keyword("from")(input) {
        Ok((rest, _)) => {
            let (rest, from) = cut(date).parse(rest)?;
            let (rest, until) = opt(preceded(keyword("until"), cut(date))).parse(rest)?;
            (rest, (Some(from), until))
        }
        Err(_) => {
            let (rest, _) = keyword("until")(input).map_err(|_| {
                let mut error = SyntaxError::expected(blanks(input), "from");
                error.expected.push("until");
                Err::Error(error)
            })?;
            let (rest, until) = cut(date).parse(rest)?;
            (rest, (None, Some(until)))
        }
    };
    let span = span_from(&rest, start);
    Ok((rest, Validity { from, until, span }))
}

/// The optional note of a rule must sit on the rule's line: a string on the
/// next line starts the next rule.
fn same_line_note(input: Input<'_>) -> PResult<'_, Option<Str>> {
    let text = input.fragment();
    let gap = text.len() - text.trim_start_matches([' ', '\t']).len();
    if text[gap..].starts_with('"') {
        let (rest, note) = string(input)?;
        return Ok((rest, Some(note)));
    }
    Ok((input, None))
}

/// `matcher = string | condition { "and" condition }`
fn matcher(input: Input<'_>) -> PResult<'_, Matcher> {
    alt((
        map(string, Matcher::Pattern),
        map(
            separated_list1(keyword("and"), condition),
            Matcher::Conditions,
        ),
    ))
    .parse(input)
}

/// `condition = ident ( string | integer [ ".." integer ] )`
fn condition(input: Input<'_>) -> PResult<'_, Condition> {
    let start = position(input);
    let (input, segment) = ident(input)?;
    let (input, test) = cut(alt((
        map(string, SegmentTest::Pattern),
        map(
            (integer, opt(preceded(symbol(".."), cut(integer)))),
            |(low, high)| match high {
                Some(high) => SegmentTest::Range { low, high },
                None => SegmentTest::Pattern(Str {
                    value: low.text,
                    span: low.span,
                }),
            },
        ),
    )))
    .parse(input)?;
    Ok((
        input,
        Condition {
            segment,
            test,
            span: span_from(&input, start),
        },
    ))
}

/// `dimension_rule = "dimension" ident ( "=" ident [ validity ] | "{" { dimension_case } "}" )`
fn dimension_rule(input: Input<'_>) -> PResult<'_, DimensionRule> {
    let start = position(input);
    let (input, _) = keyword("dimension")(input)?;
    let (input, dimension) = cut(ident).parse(input)?;
    let (input, (body, validity)) = cut(alt((
        map(
            preceded(symbol("="), cut((ident, opt(validity)))),
            |(segment, validity)| (DimensionBody::Copy(segment), validity),
        ),
        map(
            |i| block(i, dimension_case),
            |cases| (DimensionBody::Cases(cases), None),
        ),
    )))
    .parse(input)?;
    Ok((
        input,
        DimensionRule {
            dimension,
            body,
            validity,
            span: span_from(&input, start),
        },
    ))
}

/// `dimension_case = matcher "=>" value [ validity ]`
fn dimension_case(input: Input<'_>) -> PResult<'_, DimensionCase> {
    let start = position(input);
    let (input, matcher) = matcher(input)?;
    let (input, (_, value)) = cut((symbol("=>"), value)).parse(input)?;
    let (input, validity) = opt(validity).parse(input)?;
    Ok((
        input,
        DimensionCase {
            matcher,
            value,
            validity,
            span: span_from(&input, start),
        },
    ))
}

/// `include = "include" string`
fn include(input: Input<'_>) -> PResult<'_, Str> {
    preceded(keyword("include"), cut(string)).parse(input)
}
