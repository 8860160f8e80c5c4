//! Entities (the bodies reported on) with the files they are read from, and
//! the groups that consolidate them.

use super::combinators::{choice, heading, named_block, span_from, spanned};
use super::expr::codeset;
use crate::syntax::ast::{Elimination, Entity, EntityField, Group, SourceDecl, SourceRole};
use crate::syntax::lexical::{Input, PResult, ident, keyword, position, string, symbol};
use nom::Parser;
use nom::branch::alt;
use nom::combinator::{cut, map, opt};
use nom::multi::{many0, separated_list1};
use nom::sequence::preceded;

/// `entity = "entity" ident string "{" { entity_field } "}"`
pub(super) fn entity(input: Input<'_>) -> PResult<'_, Entity> {
    let (input, (name, label, fields)) = named_block(input, "entity", entity_field)?;
    Ok((
        input,
        Entity {
            name,
            label,
            fields,
        },
    ))
}

/// `entity_field = "code" string | "crosswalk" ident | source`
fn entity_field(input: Input<'_>) -> PResult<'_, EntityField> {
    alt((
        map(preceded(keyword("code"), cut(string)), EntityField::Code),
        map(
            preceded(keyword("crosswalk"), cut(ident)),
            EntityField::Crosswalk,
        ),
        map(source, EntityField::Source),
    ))
    .parse(input)
}

/// `source = ( "ledger" | "opening" | "adjustments" | "budget" [ "adjustments" ] ) string "format" ident`
///
/// An `adjustments` file is a ledger whose entries are the year-end
/// adjustments (period 13); a `budget adjustments` file budgets them, so
/// that the budget to June compares with the books to June.
fn source(input: Input<'_>) -> PResult<'_, SourceDecl> {
    let roles = [
        ("ledger", (SourceRole::Ledger, false)),
        ("opening", (SourceRole::Opening, false)),
        ("adjustments", (SourceRole::Ledger, true)),
        ("budget", (SourceRole::Budget, false)),
    ];
    let (input, word) = choice(input, keyword, &roles)?;
    let (role, adjustments) = word.value;
    let (input, budget_adjustments) = match role {
        SourceRole::Budget => opt(keyword("adjustments")).parse(input)?,
        _ => (input, None),
    };
    let adjustments = adjustments || budget_adjustments.is_some();
    let (input, (path, _, format)) = cut((string, keyword("format"), ident)).parse(input)?;
    Ok((
        input,
        SourceDecl {
            role: spanned((role, word.span)),
            path,
            format,
            adjustments,
        },
    ))
}

/// `group = "group" ident string "{" ident { "," ident } { elimination } "}"`
pub(super) fn group(input: Input<'_>) -> PResult<'_, Group> {
    let (input, (name, label)) = heading(input, "group")?;
    let (input, (_, members, eliminations, _)) = cut((
        symbol("{"),
        separated_list1(symbol(","), ident),
        many0(elimination),
        symbol("}"),
    ))
    .parse(input)?;
    Ok((
        input,
        Group {
            name,
            label,
            members,
            eliminations,
        },
    ))
}

/// `elimination = "eliminate" codeset "against" codeset string`
fn elimination(input: Input<'_>) -> PResult<'_, Elimination> {
    let start = position(input);
    let (input, _) = keyword("eliminate")(input)?;
    let (input, (codes, _, against, label)) =
        cut((codeset, keyword("against"), codeset, string)).parse(input)?;
    Ok((
        input,
        Elimination {
            codes,
            against,
            label,
            span: span_from(&input, start),
        },
    ))
}
