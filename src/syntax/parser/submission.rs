//! Submissions: the layout of a ministry file, as nested XML elements and
//! attributes bound to the figures of reports.

use super::MAX_DEPTH;
use super::combinators::{block, choice, failure_here, named_block, span_from, spanned};
use crate::syntax::ast::{
    Binding, Each, Element, ElementContent, Node, NumberFormat, Spanned, Submission,
    SubmissionItem, ValueMode, ValueRef, XmlAttribute,
};
use crate::syntax::error::{Problem, SyntaxError};
use crate::syntax::lexical::{
    Input, PResult, blanks, ident, keyword, position, small_integer, string, symbol, xml_name,
};
use nom::branch::alt;
use nom::combinator::{cut, map};
use nom::sequence::preceded;
use nom::{Err, Parser};

/// `submission = "submission" ident string "{" { submission_item } "}"`
pub(super) fn submission(input: Input<'_>) -> PResult<'_, Submission> {
    let (input, (name, label, items)) = named_block(input, "submission", submission_item)?;
    Ok((input, Submission { name, label, items }))
}

/// `submission_item = "version" string | "namespace" string | number_format | node`
fn submission_item(input: Input<'_>) -> PResult<'_, SubmissionItem> {
    alt((
        map(
            preceded(keyword("version"), cut(string)),
            SubmissionItem::Version,
        ),
        map(
            preceded(keyword("namespace"), cut(string)),
            SubmissionItem::Namespace,
        ),
        map(number_format, SubmissionItem::Number),
        map(|i| node(i, 0), |node| SubmissionItem::Node(Box::new(node))),
    ))
    .parse(input)
}

/// `number_format = "number" "{" { number_option } "}"`
fn number_format(input: Input<'_>) -> PResult<'_, NumberFormat> {
    let (input, _) = keyword("number")(input)?;
    let (input, options) = cut(|i| block(i, number_option)).parse(input)?;
    let mut format = NumberFormat::default();
    for option in options {
        option.apply(&mut format);
    }
    Ok((input, format))
}

/// One option of a number format, for `number { }` and after a binding.
enum NumberOption {
    Decimals(Spanned<u32>),
    Mode(Spanned<ValueMode>),
}

impl NumberOption {
    fn apply(self, format: &mut NumberFormat) {
        match self {
            NumberOption::Decimals(decimals) => format.decimals = Some(decimals),
            NumberOption::Mode(mode) => format.mode = Some(mode),
        }
    }
}

/// `number_option = "decimals" integer | value_mode`
fn number_option(input: Input<'_>) -> PResult<'_, NumberOption> {
    alt((
        map(
            preceded(keyword("decimals"), cut(small_integer)),
            |decimals| NumberOption::Decimals(spanned(decimals)),
        ),
        map(value_mode, NumberOption::Mode),
    ))
    .parse(input)
}

/// `value_mode = "rounded" | "exact"`
fn value_mode(input: Input<'_>) -> PResult<'_, Spanned<ValueMode>> {
    let modes = [("rounded", ValueMode::Rounded), ("exact", ValueMode::Exact)];
    choice(input, keyword, &modes)
}

/// `node = element | xml_attribute | each`
fn node<'a>(input: Input<'a>, depth: u32) -> PResult<'a, Node> {
    alt((
        map(|i| element(i, depth), Node::Element),
        map(xml_attribute, Node::Attribute),
        map(|i| each(i, depth), Node::Each),
    ))
    .parse(input)
}

/// `element = "element" xml_name ( "=" binding | "{" { node } "}" )`
fn element<'a>(input: Input<'a>, depth: u32) -> PResult<'a, Element> {
    let start = position(input);
    let (input, _) = keyword("element")(input)?;
    // Elements nest: bound like formulas, so that no input overflows the stack.
    if depth > MAX_DEPTH {
        return failure_here(input, Problem::ElementsTooDeep);
    }
    let (input, name) = cut(xml_name).parse(input)?;
    let (input, content) = cut(alt((
        map(preceded(symbol("="), cut(binding)), ElementContent::Value),
        map(
            |i| block(i, |i| node(i, depth + 1)),
            ElementContent::Children,
        ),
    )))
    .parse(input)?;
    Ok((
        input,
        Element {
            name,
            content,
            span: span_from(&input, start),
        },
    ))
}

/// `xml_attribute = "attribute" xml_name "=" binding`
fn xml_attribute(input: Input<'_>) -> PResult<'_, XmlAttribute> {
    let start = position(input);
    let (input, _) = keyword("attribute")(input)?;
    let (input, (name, _, binding)) = cut((xml_name, symbol("="), binding)).parse(input)?;
    Ok((
        input,
        XmlAttribute {
            name,
            binding,
            span: span_from(&input, start),
        },
    ))
}

/// `each = "each" "line" "of" ident element`
fn each<'a>(input: Input<'a>, depth: u32) -> PResult<'a, Each> {
    let start = position(input);
    let (input, _) = keyword("each")(input)?;
    let (input, (_, _, report)) = cut((keyword("line"), keyword("of"), ident)).parse(input)?;
    let (input, element) = cut(|i| element(i, depth + 1)).parse(input)?;
    Ok((
        input,
        Each {
            report,
            element,
            span: span_from(&input, start),
        },
    ))
}

/// `binding = value_ref { binding_option }`
fn binding(input: Input<'_>) -> PResult<'_, Binding> {
    let start = position(input);
    let (mut input, value) = value_ref(input)?;
    let mut optional = false;
    let mut format = NumberFormat::default();
    loop {
        match binding_option(input) {
            Ok((rest, None)) => {
                optional = true;
                input = rest;
            }
            Ok((rest, Some(option))) => {
                option.apply(&mut format);
                input = rest;
            }
            Err(Err::Error(_)) => break,
            Err(other) => return Err(other),
        }
    }
    Ok((
        input,
        Binding {
            value,
            optional,
            format,
            span: span_from(&input, start),
        },
    ))
}

/// `binding_option = "optional" | number_option`: `None` for `optional`.
fn binding_option(input: Input<'_>) -> PResult<'_, Option<NumberOption>> {
    alt((map(keyword("optional"), |_| None), map(number_option, Some))).parse(input)
}

/// What a binding's value may be, for the error when none is there.
const VALUE_EXPECTED: &str =
    "a value: a string, `entity.code`, `period.year`, `line.id` or `report.line.column`";

/// `value_ref = string | ident "." ident [ "." ident ]`
fn value_ref(input: Input<'_>) -> PResult<'_, ValueRef> {
    match string(input) {
        Ok((rest, text)) => return Ok((rest, ValueRef::Literal(text))),
        Err(Err::Error(_)) => {}
        Err(other) => return Err(other),
    }
    let (rest, first) = ident(input).map_err(|error| {
        error.map(|mut error| {
            error.expected = vec![VALUE_EXPECTED];
            error
        })
    })?;
    // A value left out must not swallow the next field's keyword.
    if ["element", "attribute", "each"].contains(&first.text.as_str()) {
        return Err(Err::Error(SyntaxError::expected(
            blanks(input),
            VALUE_EXPECTED,
        )));
    }
    let (input, (_, second)) = cut((symbol("."), ident)).parse(rest)?;
    match symbol(".")(input) {
        Ok((rest, _)) => {
            let (rest, column) = cut(ident).parse(rest)?;
            let figure = ValueRef::Figure {
                report: first,
                line: second,
                column,
            };
            Ok((rest, figure))
        }
        Err(_) => Ok((input, ValueRef::Field(first, second))),
    }
}
