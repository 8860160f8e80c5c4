//! The nom parser: one function per production of `grammar/reddition.ebnf`,
//! with the same name. After a keyword, `cut` commits to the production so an
//! error points at the real problem instead of backtracking.

use super::ast::*;
use super::error::{Problem, SyntaxError};
use super::lexical::*;
use crate::money::RoundingMethod;
use crate::source::Span;
use nom::branch::alt;
use nom::combinator::{cut, map, opt, value as constant};
use nom::multi::{many0, separated_list1};
use nom::sequence::preceded;
use nom::{Err, Parser};
use std::cell::Cell;

/// How deeply expressions may nest (parentheses and unary minus).
pub const MAX_DEPTH: u32 = 64;

/// How many operands and signs one formula may hold.
pub const MAX_TERMS: u32 = 1_000;

fn span_from(input: &Input<'_>, start: usize) -> Span {
    Span::new(input.extra, start, input.location_offset())
}

/// `{` element* `}`: reports the element's own error when it fails.
fn block<'a, T>(
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

const ITEM_KEYWORDS: [&str; 11] = [
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

/// `item = fiscal_year | chart | dimension | structure | crosswalk | format | entity | group | rounding | report | submission`
fn item(input: Input<'_>) -> PResult<'_, Item> {
    alt((
        map(fiscal_year, Item::FiscalYear),
        map(chart, Item::Chart),
        map(dimension, Item::Dimension),
        map(structure, Item::Structure),
        map(crosswalk, Item::Crosswalk),
        map(format, Item::Format),
        map(entity, Item::Entity),
        map(group, Item::Group),
        map(rounding, Item::Rounding),
        map(report, Item::Report),
        map(validation, Item::Validation),
        map(submission, Item::Submission),
    ))
    .parse(input)
}

/// `validation = "validation" ident string "{" { rule } "}"`
fn validation(input: Input<'_>) -> PResult<'_, Validation> {
    let (input, _) = keyword("validation")(input)?;
    let (input, (name, label)) = cut((ident, string)).parse(input)?;
    let (input, rules) = cut(|i| block(i, rule_item)).parse(input)?;
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
    let level = |word, value| map(keyword(word), move |span| Spanned { value, span });
    alt((
        level("error", RuleSeverity::Error),
        level("warning", RuleSeverity::Warning),
    ))
    .parse(input)
}

/// `rule_test = rule_sum comparison rule_sum [ "tolerance" decimal ]`
fn rule_test(input: Input<'_>) -> PResult<'_, RuleTest> {
    let (input, (left, comparison, right)) =
        (rule_sum, cut(comparison), cut(rule_sum)).parse(input)?;
    let (input, tolerance) = opt(preceded(keyword("tolerance"), cut(decimal))).parse(input)?;
    Ok((
        input,
        RuleTest {
            left,
            comparison,
            right,
            tolerance: tolerance.map(|(value, span)| Spanned { value, span }),
        },
    ))
}

/// `rule_sum = [ "-" ] rule_value { ( "+" | "-" ) rule_value }`
fn rule_sum(input: Input<'_>) -> PResult<'_, Vec<RuleTerm>> {
    let (mut input, first_negative) = opt(symbol("-")).parse(input)?;
    let (rest, value) = rule_value(input)?;
    input = rest;
    let mut terms = vec![RuleTerm {
        negative: first_negative.is_some(),
        value,
    }];
    while terms.len() < MAX_TERMS as usize {
        let sign = alt((constant(false, symbol("+")), constant(true, symbol("-")))).parse(input);
        let Ok((rest, negative)) = sign else { break };
        let (rest, value) = cut(rule_value).parse(rest)?;
        terms.push(RuleTerm { negative, value });
        input = rest;
    }
    Ok((input, terms))
}

/// `rule_value = ident "." ident "[" ident { "," ident } "]" | decimal`
fn rule_value(input: Input<'_>) -> PResult<'_, RuleValue> {
    if let Ok((rest, (value, span))) = decimal(input) {
        return Ok((rest, RuleValue::Number(Spanned { value, span })));
    }
    let start = position(input);
    let (input, (report, _, line)) = (ident, symbol("."), cut(ident)).parse(input)?;
    let (input, (_, columns, _)) = cut((
        symbol("["),
        separated_list1(symbol(","), ident),
        symbol("]"),
    ))
    .parse(input)?;
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

/// `chart = "chart" ident string "{" { account } "}"`
fn chart(input: Input<'_>) -> PResult<'_, Chart> {
    let (input, _) = keyword("chart")(input)?;
    let (input, (name, label)) = cut((ident, string)).parse(input)?;
    let (input, accounts) = cut(|i| block(i, account)).parse(input)?;
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
    let (input, (label, kind, balance)) = cut((string, kind, balance)).parse(input)?;
    let mut attributes = Vec::new();
    let mut input = input;
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
fn kind(input: Input<'_>) -> PResult<'_, Spanned<Kind>> {
    let mut error: Option<SyntaxError> = None;
    for (word, kind) in Kind::ALL {
        match keyword(word)(input) {
            Ok((rest, span)) => return Ok((rest, Spanned { value: kind, span })),
            Err(Err::Error(e)) => {
                error = Some(error.map_or(e.clone(), |old| nom::error::ParseError::or(old, e)))
            }
            Err(other) => return Err(other),
        }
    }
    Err(Err::Error(
        error.unwrap_or_else(|| SyntaxError::expected(input, "a kind")),
    ))
}

/// `balance = "debit" | "credit"`
fn balance(input: Input<'_>) -> PResult<'_, Spanned<Balance>> {
    alt((
        map(keyword("debit"), |span| Spanned {
            value: Balance::Debit,
            span,
        }),
        map(keyword("credit"), |span| Spanned {
            value: Balance::Credit,
            span,
        }),
    ))
    .parse(input)
}

/// `attribute = ident "=" value`
fn attribute(input: Input<'_>) -> PResult<'_, (Name, Name)> {
    let (input, name) = ident(input)?;
    let (input, _) = symbol("=")(input)?;
    let (input, value) = cut(value).parse(input)?;
    Ok((input, (name, value)))
}

/// `dimension = "dimension" ident string [ "{" { dimension_value } "}" ]`
fn dimension(input: Input<'_>) -> PResult<'_, Dimension> {
    let (input, _) = keyword("dimension")(input)?;
    let (input, (name, label)) = cut((ident, string)).parse(input)?;
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
fn structure(input: Input<'_>) -> PResult<'_, Structure> {
    let (input, _) = keyword("structure")(input)?;
    let (input, (name, label, _)) = cut((ident, string, symbol("{"))).parse(input)?;
    let (input, pieces) = segment_seq(input)?;
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
fn segment_seq(mut input: Input<'_>) -> PResult<'_, Vec<Piece>> {
    let mut pieces = Vec::new();
    loop {
        match alt((segment, map(string, Piece::Literal), optional_group)).parse(input) {
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
fn optional_group(input: Input<'_>) -> PResult<'_, Piece> {
    let start = position(input);
    let (input, _) = symbol("[")(input)?;
    let (input, pieces) = segment_seq(input)?;
    let (input, _) = cut(symbol("]")).parse(input)?;
    Ok((input, Piece::Optional(pieces, span_from(&input, start))))
}

/// `segment = ident ":" integer`
fn segment(input: Input<'_>) -> PResult<'_, Piece> {
    let (input, name) = ident(input)?;
    let (input, _) = cut(symbol(":")).parse(input)?;
    let (input, (value, span)) = cut(small_integer).parse(input)?;
    Ok((
        input,
        Piece::Segment {
            name,
            width: Spanned { value, span },
        },
    ))
}

/// `crosswalk = "crosswalk" ident ":" ident "->" ident "{" { crosswalk_item } "}"`
fn crosswalk(input: Input<'_>) -> PResult<'_, Crosswalk> {
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
            priority: priority.map(|(value, span)| Spanned { value, span }),
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
fn validity(input: Input<'_>) -> PResult<'_, Validity> {
    let start = position(input);
    let (input, _) = keyword("valid")(input)?;
    if let Ok((rest, _)) = keyword("from")(input) {
        let (rest, from) = cut(date).parse(rest)?;
        let (rest, until) = opt(preceded(keyword("until"), cut(date))).parse(rest)?;
        return Ok((
            rest,
            Validity {
                from: Some(from),
                until,
                span: span_from(&rest, start),
            },
        ));
    }
    let (rest, _) = keyword("until")(input).map_err(|_| {
        let mut error = SyntaxError::expected(blanks(input), "from");
        error.expected.push("until");
        Err::Error(error)
    })?;
    let (rest, until) = cut(date).parse(rest)?;
    Ok((
        rest,
        Validity {
            from: None,
            until: Some(until),
            span: span_from(&rest, start),
        },
    ))
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

/// `format = "format" ident string "{" { format_field } "}"`
fn format(input: Input<'_>) -> PResult<'_, Format> {
    let (input, _) = keyword("format")(input)?;
    let (input, (name, label)) = cut((ident, string)).parse(input)?;
    let (input, fields) = cut(|i| block(i, format_field)).parse(input)?;
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
    let option = |word, value| map(keyword(word), move |span| Spanned { value, span });
    let (input, option) = alt((
        option("delimiter", FormatOption::Delimiter),
        option("quote", FormatOption::Quote),
        option("decimal", FormatOption::Decimal),
        option("thousands", FormatOption::Thousands),
        option("encoding", FormatOption::Encoding),
        option("date", FormatOption::Date),
    ))
    .parse(input)?;
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
    let role = |word, value| map(keyword(word), move |span| Spanned { value, span });
    alt((
        role("date", ColumnRole::Date),
        role("account", ColumnRole::Account),
        role("amount", ColumnRole::Amount),
        role("debit", ColumnRole::Debit),
        role("credit", ColumnRole::Credit),
        role("journal", ColumnRole::Journal),
        role("reference", ColumnRole::Reference),
        role("description", ColumnRole::Description),
        role("movement", ColumnRole::Movement),
        role("counterparty", ColumnRole::Counterparty),
    ))
    .parse(input)
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
    let kind = |word, value| map(keyword(word), move |span| Spanned { value, span });
    alt((
        kind("acquisition", MovementKind::Acquisition),
        kind("disposal", MovementKind::Disposal),
        kind("transfer", MovementKind::Transfer),
        kind("borrowing", MovementKind::Borrowing),
        kind("repayment", MovementKind::Repayment),
    ))
    .parse(input)
}

/// `entity = "entity" ident string "{" { entity_field } "}"`
fn entity(input: Input<'_>) -> PResult<'_, Entity> {
    let (input, _) = keyword("entity")(input)?;
    let (input, (name, label)) = cut((ident, string)).parse(input)?;
    let (input, fields) = cut(|i| block(i, entity_field)).parse(input)?;
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

/// `source = ( "ledger" | "opening" ) string "format" ident`
fn source(input: Input<'_>) -> PResult<'_, SourceDecl> {
    let spanned = |value| move |span| Spanned { value, span };
    let (input, (role, adjustments)) = alt((
        map(keyword("ledger"), |span| {
            (spanned(SourceRole::Ledger)(span), false)
        }),
        map(keyword("opening"), |span| {
            (spanned(SourceRole::Opening)(span), false)
        }),
        map(keyword("adjustments"), |span| {
            (spanned(SourceRole::Ledger)(span), true)
        }),
        map(keyword("budget"), |span| {
            (spanned(SourceRole::Budget)(span), false)
        }),
    ))
    .parse(input)?;
    let (input, (path, _, format)) = cut((string, keyword("format"), ident)).parse(input)?;
    Ok((
        input,
        SourceDecl {
            role,
            path,
            format,
            adjustments,
        },
    ))
}

/// `group = "group" ident string "{" ident { "," ident } { elimination } "}"`
fn group(input: Input<'_>) -> PResult<'_, Group> {
    let (input, _) = keyword("group")(input)?;
    let (input, (name, label, _, members, eliminations, _)) = cut((
        ident,
        string,
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

/// `rounding = "rounding" "{" { rounding_option } "}"`
fn rounding(input: Input<'_>) -> PResult<'_, Rounding> {
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

/// `rounding_option = "unit" decimal | "method" ( "half_even" | "half_up" ) | "residual" ( "total" | "largest" )`
fn rounding_option(input: Input<'_>) -> PResult<'_, RoundingOption> {
    let spanned = |word, value| map(keyword(word), move |span| Spanned { value, span });
    alt((
        preceded(
            keyword("unit"),
            cut(map(decimal, |(value, span)| {
                RoundingOption::Unit(Spanned { value, span })
            })),
        ),
        preceded(
            keyword("method"),
            cut(map(
                alt((
                    spanned("half_even", RoundingMethod::HalfEven),
                    spanned("half_up", RoundingMethod::HalfUp),
                )),
                RoundingOption::Method,
            )),
        ),
        preceded(
            keyword("residual"),
            cut(map(
                alt((
                    map(keyword("total"), |span| Spanned {
                        value: Residual::Total,
                        span,
                    }),
                    map(keyword("largest"), |span| Spanned {
                        value: Residual::Largest,
                        span,
                    }),
                )),
                RoundingOption::Residual,
            )),
        ),
    ))
    .parse(input)
}

/// `report = "report" ident string "{" { report_item } "}"`
fn report(input: Input<'_>) -> PResult<'_, Report> {
    let (input, _) = keyword("report")(input)?;
    let (input, (name, label)) = cut((ident, string)).parse(input)?;
    let (input, items) = cut(|i| block(i, report_item)).parse(input)?;
    Ok((input, Report { name, label, items }))
}

/// `report_item = subtitle | report_columns | rounding | section | line | check`
fn report_item(input: Input<'_>) -> PResult<'_, ReportItem> {
    alt((
        map(subtitle, ReportItem::Subtitle),
        report_columns,
        map(rounding, ReportItem::Rounding),
        map(section, ReportItem::Section),
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
        let (input, (dimension, _, slice)) =
            cut((ident, keyword("of"), column_slice)).parse(input)?;
        let span = span_from(&input, start);
        let slice = ReportColumn {
            name: dimension.clone(),
            years_back: slice.0,
            periods: slice.1,
            budget: slice.2,
        };
        return Ok((
            input,
            ReportItem::ColumnsBy {
                dimension,
                slice,
                span,
            },
        ));
    }
    let (input, (_, columns, _)) = cut((
        symbol("{"),
        separated_list1(symbol(","), report_column),
        symbol("}"),
    ))
    .parse(input)?;
    Ok((
        input,
        ReportItem::Columns(columns, span_from(&input, start)),
    ))
}

/// `report_column = ident "=" column_slice`
fn report_column(input: Input<'_>) -> PResult<'_, ReportColumn> {
    let (input, name) = ident(input)?;
    let (input, (years_back, periods, budget)) =
        preceded(cut(symbol("=")), cut(column_slice)).parse(input)?;
    Ok((
        input,
        ReportColumn {
            name,
            years_back,
            periods,
            budget,
        },
    ))
}

/// What a column covers: years back, part of the year, budget.
type ColumnSlice = (Spanned<u32>, Option<Spanned<ColumnPeriods>>, bool);

/// `column_slice = [ "budget" ] "year" [ "-" integer ] [ column_periods ]`
fn column_slice(input: Input<'_>) -> PResult<'_, ColumnSlice> {
    let (input, budget) = opt(keyword("budget")).parse(input)?;
    let (input, year) = cut(keyword("year")).parse(input)?;
    let (input, back) = opt(preceded(symbol("-"), cut(small_integer))).parse(input)?;
    let years_back = match back {
        Some((value, span)) => Spanned { value, span },
        None => Spanned {
            value: 0,
            span: year,
        },
    };
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
fn section(input: Input<'_>) -> PResult<'_, Section> {
    let (input, _) = keyword("section")(input)?;
    let (input, (name, label)) = cut((ident, string)).parse(input)?;
    let (input, items) = cut(|i| block(i, section_item)).parse(input)?;
    Ok((input, Section { name, label, items }))
}

/// `section_item = line | section | total`
fn section_item(input: Input<'_>) -> PResult<'_, SectionItem> {
    alt((
        map(line, SectionItem::Line),
        map(section, SectionItem::Section),
        map(total, SectionItem::Total),
    ))
    .parse(input)
}

/// `line = "line" ident string "=" expr [ "memo" ]`
fn line(input: Input<'_>) -> PResult<'_, Line> {
    let (input, _) = keyword("line")(input)?;
    let (input, (name, label, _)) = cut((ident, string, symbol("="))).parse(input)?;
    let budget = Cell::new(MAX_TERMS);
    let (input, expr) = cut(|i| expr(i, 0, &budget)).parse(input)?;
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
    let (input, _) = keyword("check")(input)?;
    let (input, (name, label, _)) = cut((ident, string, symbol(":"))).parse(input)?;
    let (input, (left, comparison, right)) = cut((
        |i| expr(i, 0, &Cell::new(MAX_TERMS)),
        comparison,
        |i| expr(i, 0, &Cell::new(MAX_TERMS)),
    ))
    .parse(input)?;
    let (input, tolerance) = opt(preceded(keyword("tolerance"), cut(decimal))).parse(input)?;
    Ok((
        input,
        Check {
            name,
            label,
            left,
            comparison,
            right,
            tolerance: tolerance.map(|(value, span)| Spanned { value, span }),
        },
    ))
}

/// `comparison = "==" | "<=" | ">="`
fn comparison(input: Input<'_>) -> PResult<'_, Spanned<Comparison>> {
    let compare = |sym, value| map(symbol(sym), move |span| Spanned { value, span });
    alt((
        compare("==", Comparison::Equal),
        compare("<=", Comparison::AtMost),
        compare(">=", Comparison::AtLeast),
    ))
    .parse(input)
}

/// `expr = term { ( "+" | "-" ) term }`
fn expr<'a>(input: Input<'a>, depth: u32, budget: &Cell<u32>) -> PResult<'a, Expr> {
    let (mut input, mut left) = term(input, depth, budget)?;
    loop {
        let operator = alt((
            constant(BinaryOp::Add, symbol("+")),
            constant(BinaryOp::Sub, symbol("-")),
        ))
        .parse(input);
        let Ok((rest, operator)) = operator else {
            return Ok((input, left));
        };
        let (rest, right) = cut(|i| term(i, depth, budget)).parse(rest)?;
        left = binary(left, operator, right);
        input = rest;
    }
}

fn binary(left: Expr, operator: BinaryOp, right: Expr) -> Expr {
    let span = left.span.to(right.span);
    Expr {
        kind: ExprKind::Binary(Box::new(left), operator, Box::new(right)),
        span,
    }
}

/// `term = unary { ( "*" | "/" ) unary }`
fn term<'a>(input: Input<'a>, depth: u32, budget: &Cell<u32>) -> PResult<'a, Expr> {
    let (mut input, mut left) = unary(input, depth, budget)?;
    loop {
        let operator = alt((
            constant(BinaryOp::Mul, symbol("*")),
            constant(BinaryOp::Div, symbol("/")),
        ))
        .parse(input);
        let Ok((rest, operator)) = operator else {
            return Ok((input, left));
        };
        let (rest, right) = cut(|i| unary(i, depth, budget)).parse(rest)?;
        left = binary(left, operator, right);
        input = rest;
    }
}

/// `unary = "-" unary | primary`
fn unary<'a>(input: Input<'a>, depth: u32, budget: &Cell<u32>) -> PResult<'a, Expr> {
    let start = position(input);
    // Every operand and every sign passes here: bound the formula's size so
    // that no later stage recurses deeper than it can.
    match budget.get().checked_sub(1) {
        Some(left) => budget.set(left),
        None => {
            let span = Span::new(input.extra, start, start + 1);
            return Err(Err::Failure(SyntaxError::at(span, Problem::TooManyTerms)));
        }
    }
    if depth > MAX_DEPTH {
        let span = Span::new(input.extra, start, start + 1);
        return Err(Err::Failure(SyntaxError::at(span, Problem::TooDeep)));
    }
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
        return Ok((
            rest,
            Expr {
                kind: inner.kind,
                span: span_from(&rest, start),
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
    .map_err(|error| {
        error.map(|mut e| {
            if e.span.start as usize == start {
                e.expected = vec!["a formula"];
            }
            e
        })
    })?;
    Ok((
        rest,
        Expr {
            kind,
            span: span_from(&rest, start),
        },
    ))
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
    let measure = |word, value| map(keyword(word), move |span| Spanned { value, span });
    alt((
        measure("sum", Measure::Sum),
        measure("balance", Measure::Balance),
        measure("opening", Measure::Opening),
        measure("flow", Measure::Flow),
        measure("change", Measure::Change),
    ))
    .parse(input)
}

/// `codeset = code_item { "," code_item } [ "except" code_item { "," code_item } ]`
fn codeset(input: Input<'_>) -> PResult<'_, (Vec<CodeItem>, Vec<CodeItem>)> {
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

/// `submission = "submission" ident string "{" { submission_item } "}"`
fn submission(input: Input<'_>) -> PResult<'_, Submission> {
    let (input, _) = keyword("submission")(input)?;
    let (input, (name, label)) = cut((ident, string)).parse(input)?;
    let (input, items) = cut(|i| block(i, submission_item)).parse(input)?;
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
            |(value, span)| NumberOption::Decimals(Spanned { value, span }),
        ),
        map(value_mode, NumberOption::Mode),
    ))
    .parse(input)
}

/// `value_mode = "rounded" | "exact"`
fn value_mode(input: Input<'_>) -> PResult<'_, Spanned<ValueMode>> {
    let mode = |word, value| map(keyword(word), move |span| Spanned { value, span });
    alt((
        mode("rounded", ValueMode::Rounded),
        mode("exact", ValueMode::Exact),
    ))
    .parse(input)
}

/// Elements nest: bound like formulas, so that no input overflows the stack.
fn too_deep<T>(input: Input<'_>, depth: u32) -> Option<PResult<'_, T>> {
    (depth > MAX_DEPTH).then(|| {
        let start = position(input);
        let span = Span::new(input.extra, start, start + 1);
        Err(Err::Failure(SyntaxError::at(
            span,
            Problem::ElementsTooDeep,
        )))
    })
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
    if let Some(error) = too_deep(input, depth) {
        return error;
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

/// `value_ref = string | ident "." ident [ "." ident ]`
fn value_ref(input: Input<'_>) -> PResult<'_, ValueRef> {
    match string(input) {
        Ok((rest, text)) => return Ok((rest, ValueRef::Literal(text))),
        Err(Err::Error(_)) => {}
        Err(other) => return Err(other),
    }
    const EXPECTED: &str =
        "a value: a string, `entity.code`, `period.year`, `line.id` or `report.line.column`";
    let (rest, first) = ident(input).map_err(|error| {
        error.map(|mut e| {
            e.expected = vec![EXPECTED];
            e
        })
    })?;
    // A value left out must not swallow the next field's keyword.
    if ["element", "attribute", "each"].contains(&first.text.as_str()) {
        return Err(Err::Error(SyntaxError::expected(blanks(input), EXPECTED)));
    }
    let input = rest;
    let (input, (_, second)) = cut((symbol("."), ident)).parse(input)?;
    match symbol(".")(input) {
        Ok((rest, _)) => {
            let (rest, third) = cut(ident).parse(rest)?;
            Ok((
                rest,
                ValueRef::Figure {
                    report: first,
                    line: second,
                    column: third,
                },
            ))
        }
        Err(_) => Ok((input, ValueRef::Field(first, second))),
    }
}
