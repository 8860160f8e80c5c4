//! Validation rules: the regulator's tests over figures of several reports,
//! each an error or a warning.

use super::MAX_TERMS;
use super::combinators::{bracketed_list, choice, named_block, span_from, spanned};
use super::crosswalk::validity;
use super::report::{comparison, tolerance};
use crate::syntax::ast::{
    RuleSeverity, RuleTerm, RuleTest, RuleValue, Spanned, Validation, ValidationRule,
};
use crate::syntax::lexical::{Input, PResult, decimal, ident, keyword, position, string, symbol};
use nom::Parser;
use nom::combinator::{cut, opt};
use nom::sequence::preceded;

/// `validation = "validation" ident string "{" { rule_item } "}"`
pub(super) fn validation(input: Input<'_>) -> PResult<'_, Validation> {
    let (input, (name, label, rules)) = named_block(input, "validation", rule_item)?;
    Ok((input, Validation { name, label, rules }))
}

/// `rule_item = "rule" ident severity string [ validity ] [ "when" rule_test ] ":" rule_test`
fn rule_item(input: Input<'_>) -> PResult<'_, ValidationRule> {
    let start = position(input);
    let (input, _) = keyword("rule")(input)?;
    let (input, (id, severity, label)) = cut((ident, severity, string)).parse(input)?;
    let (input, validity) = opt(validity).parse(input)?;
    let (input, when) = opt(preceded(keyword("when"), cut(rule_test))).parse(input)?;
    let (input, test) = preceded(cut(symbol(":")), cut(rule_test)).parse(input)?;
    Ok((
        input,
        ValidationRule {
            id,
            severity,
            label,
            validity,
            when,
            test,
            span: span_from(&input, start),
        },
    ))
}

/// `severity = "error" | "warning"`
fn severity(input: Input<'_>) -> PResult<'_, Spanned<RuleSeverity>> {
    let severities = [
        ("error", RuleSeverity::Error),
        ("warning", RuleSeverity::Warning),
    ];
    choice(input, keyword, &severities)
}

/// `rule_test = rule_sum comparison rule_sum [ "tolerance" decimal ]`
fn rule_test(input: Input<'_>) -> PResult<'_, RuleTest> {
    let (input, (left, comparison, right)) =
        (rule_sum, cut(comparison), cut(rule_sum)).parse(input)?;
    let (input, rounded) = opt(keyword("rounded")).parse(input)?;
    let (input, tolerance) = tolerance(input)?;
    Ok((
        input,
        RuleTest {
            left,
            comparison,
            right,
            rounded: rounded.is_some(),
            tolerance,
        },
    ))
}

/// `rule_sum = [ "-" ] rule_value { ( "+" | "-" ) rule_value }`
fn rule_sum(input: Input<'_>) -> PResult<'_, Vec<RuleTerm>> {
    let signs = [("+", false), ("-", true)];
    let (input, first_negative) = opt(symbol("-")).parse(input)?;
    let (mut input, value) = rule_value(input)?;
    let mut terms = vec![RuleTerm {
        negative: first_negative.is_some(),
        value,
    }];
    while terms.len() < MAX_TERMS as usize {
        let Ok((rest, negative)) = choice(input, symbol, &signs) else {
            break;
        };
        let (rest, value) = cut(rule_value).parse(rest)?;
        terms.push(RuleTerm {
            negative: negative.value,
            value,
        });
        input = rest;
    }
    Ok((input, terms))
}

/// `rule_value = ident "." ident "[" ident { "," ident } "]" | decimal`
fn rule_value(input: Input<'_>) -> PResult<'_, RuleValue> {
    if let Ok((rest, number)) = decimal(input) {
        return Ok((rest, RuleValue::Number(spanned(number))));
    }
    let start = position(input);
    let (input, (report, _, line)) = (ident, symbol("."), cut(ident)).parse(input)?;
    let (input, columns) = cut(|i| bracketed_list(i, "[", ident, "]")).parse(input)?;
    Ok((
        input,
        RuleValue::Figure {
            report,
            line,
            columns,
            span: span_from(&input, start),
        },
    ))
}
