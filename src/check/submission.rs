//! Checking submissions (ministry file layouts): XML names, the values each
//! field is bound to (reports, lines, columns, entity and period fields),
//! the shape of the tree and the number formats. Everything the XML, its
//! schema and the CSV and JSON views are written from is settled here, so
//! emission cannot fail on a name.

use super::{Checker, closest};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{self, Item};
use std::collections::BTreeMap;

/// Amounts are written with 2 decimals unless the file says otherwise.
const DEFAULT_DECIMALS: u32 = 2;

/// More decimals than the decimal type holds cannot be written exactly.
const MAX_DECIMALS: u32 = 28;

const ENTITY_FIELDS: [&str; 3] = ["code", "name", "label"];
const PERIOD_FIELDS: [&str; 4] = ["year", "label", "start", "end"];
const LINE_FIELDS: [&str; 3] = ["id", "label", "kind"];
/// A help lists this many names at most.
const CANDIDATES_SHOWN: usize = 8;
const PREFIXES: [&str; 4] = ["entity", "period", "line", "submission"];

/// What the checks of one submission read.
struct Scope<'a> {
    reports: &'a [ReportDef],
    figures: &'a [Figure],
    /// The submission's own number format.
    format: NumberFmt,
}

pub(super) fn submissions(
    checker: &mut Checker,
    items: &[&Item],
    reports: &[ReportDef],
    figures: &[Figure],
) -> Vec<SubmissionDef> {
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    let mut lowered = Vec::new();
    for item in items {
        let Item::Submission(submission) = item else {
            continue;
        };
        if let Some(first) = seen.get(submission.name.text.as_str()) {
            checker.duplicate("submission", &submission.name, *first);
            continue;
        }
        seen.insert(&submission.name.text, submission.name.span);
        if reports.iter().any(|r| r.name == submission.name.text) {
            checker.error(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("`{}` already names a report", submission.name.text),
                )
                .at(submission.name.span, "submission of the same name")
                .help("a submission and a report write files of the same name: rename one of them"),
            );
            continue;
        }
        if let Some(def) = submission_def(checker, submission, reports, figures) {
            lowered.push(def);
        }
    }
    lowered
}

fn submission_def(
    checker: &mut Checker,
    submission: &ast::Submission,
    reports: &[ReportDef],
    figures: &[Figure],
) -> Option<SubmissionDef> {
    let parts = parts(checker, submission);
    let version = parts.version.map(|v| v.value.clone());
    if version.is_none() {
        checker.error(shape(
            format!("submission `{}` declares no version", submission.name.text),
            submission.name.span,
            "declared here",
            "add `version \"1.0\"`: the schema carries it, and a file can state it with `submission.version`",
        ));
    }
    if let Some(namespace) = parts.namespace {
        check_namespace(checker, namespace);
    }
    let scope = Scope {
        reports,
        figures,
        format: number_format(checker, parts.number),
    };
    let root = single_root(checker, submission, &parts.roots)?;
    if let ast::ElementContent::Value(binding) = &root.content
        && binding.optional
    {
        checker.error(shape(
            "the root element cannot be optional",
            binding.span,
            "an optional root",
            "a file always has its root element: remove `optional`",
        ));
    }
    let root = element(checker, &scope, root, None)?;
    Some(SubmissionDef {
        name: submission.name.text.clone(),
        label: submission.label.value.clone(),
        version: version?,
        namespace: parts.namespace.map(|n| n.value.clone()),
        root,
    })
}

/// The items of a submission, sorted by kind.
struct Parts<'a> {
    version: Option<&'a ast::Str>,
    namespace: Option<&'a ast::Str>,
    number: Option<&'a ast::NumberFormat>,
    roots: Vec<&'a ast::Element>,
}

fn parts<'a>(checker: &mut Checker, submission: &'a ast::Submission) -> Parts<'a> {
    let mut parts = Parts {
        version: None,
        namespace: None,
        number: None,
        roots: Vec::new(),
    };
    for item in &submission.items {
        match item {
            ast::SubmissionItem::Version(text) => {
                once(checker, &mut parts.version, text, "version")
            }
            ast::SubmissionItem::Namespace(text) => {
                once(checker, &mut parts.namespace, text, "namespace")
            }
            ast::SubmissionItem::Number(format) => {
                if parts.number.is_some() {
                    checker.error(shape(
                        "the number format of a submission is declared twice",
                        submission.name.span,
                        "in this submission",
                        "keep one `number { ... }`; a field may override it",
                    ));
                }
                parts.number = Some(format);
            }
            ast::SubmissionItem::Node(node) => match node.as_ref() {
                ast::Node::Element(element) => parts.roots.push(element),
                ast::Node::Attribute(attribute) => checker.error(shape(
                    "an attribute outside every element",
                    attribute.span,
                    "at the top of the submission",
                    "move it into the root element",
                )),
                ast::Node::Each(each) => checker.error(shape(
                    "`each` cannot be the root of a file",
                    each.span,
                    "at the top of the submission",
                    "an XML file has one root element: put the `each` inside it",
                )),
            },
        }
    }
    parts
}

/// An XML file has exactly one root element.
fn single_root<'a>(
    checker: &mut Checker,
    submission: &ast::Submission,
    roots: &[&'a ast::Element],
) -> Option<&'a ast::Element> {
    match roots {
        [root] => Some(*root),
        [] => {
            checker.error(shape(
                format!("submission `{}` has no root element", submission.name.text),
                submission.name.span,
                "declared here",
                "add `element Name { ... }`: an XML file has exactly one root element",
            ));
            None
        }
        [_, second, ..] => {
            checker.error(shape(
                "a submission has exactly one root element",
                second.name.span,
                "a second root element",
                "wrap the elements in one root element",
            ));
            None
        }
    }
}

fn once<'a>(
    checker: &mut Checker,
    slot: &mut Option<&'a ast::Str>,
    text: &'a ast::Str,
    what: &str,
) {
    if let Some(first) = slot {
        checker.error(
            shape(
                format!("the {what} of a submission is declared twice"),
                text.span,
                "declared again here",
                "keep one",
            )
            .also(first.span, "first declared here"),
        );
    }
    *slot = Some(text);
}

fn shape(
    message: impl Into<String>,
    span: Span,
    label: &str,
    help: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(Code::SubmissionShape, message)
        .at(span, label)
        .help(help)
}

/// A namespace name is a URI: no blank, not empty.
fn check_namespace(checker: &mut Checker, namespace: &ast::Str) {
    if namespace.value.is_empty() || namespace.value.chars().any(char::is_whitespace) {
        checker.error(shape(
            "a namespace is a URI, without blanks",
            namespace.span,
            "not a namespace name",
            "write it like `urn:quebec:education:rfa:1`, or remove `namespace` for none",
        ));
    }
}

fn number_format(checker: &mut Checker, number: Option<&ast::NumberFormat>) -> NumberFmt {
    let mut format = NumberFmt {
        decimals: DEFAULT_DECIMALS,
        mode: ValueMode::Rounded,
    };
    if let Some(number) = number {
        if let Some(decimals) = number.decimals {
            format.decimals = decimals_in_range(checker, decimals);
        }
        if let Some(mode) = number.mode {
            format.mode = mode.value;
        }
    }
    format
}

fn decimals_in_range(checker: &mut Checker, decimals: ast::Spanned<u32>) -> u32 {
    if decimals.value > MAX_DECIMALS {
        checker.error(
            Diagnostic::error(
                Code::BadNumberFormat,
                format!("{} decimals cannot be written exactly", decimals.value),
            )
            .at(decimals.span, "too many decimals")
            .help(format!("amounts carry at most {MAX_DECIMALS} decimals")),
        );
        return MAX_DECIMALS;
    }
    decimals.value
}

/// Lowers one element; `each` is the report an enclosing `each` repeats
/// over. Recursion is bounded by the parser's nesting limit.
fn element(
    checker: &mut Checker,
    scope: &Scope<'_>,
    element: &ast::Element,
    each: Option<usize>,
) -> Option<ElementDef> {
    let name_ok = xml_name(checker, &element.name, "element");
    let (attributes, content) = match &element.content {
        ast::ElementContent::Value(binding) => (
            Vec::new(),
            binding_value(checker, scope, binding, each).map(ContentDef::Value),
        ),
        ast::ElementContent::Children(nodes) => {
            let (attributes, children) = children(checker, scope, nodes, each);
            (attributes, Some(ContentDef::Children(children)))
        }
    };
    let content = content?;
    name_ok.then(|| ElementDef {
        name: element.name.text.clone(),
        repeat: None,
        attributes,
        content,
    })
}

fn children(
    checker: &mut Checker,
    scope: &Scope<'_>,
    nodes: &[ast::Node],
    each: Option<usize>,
) -> (Vec<AttributeDef>, Vec<ElementDef>) {
    let mut attributes = Vec::new();
    let mut elements = Vec::new();
    let mut attribute_names: BTreeMap<&str, Span> = BTreeMap::new();
    let mut element_names: BTreeMap<&str, Span> = BTreeMap::new();
    for node in nodes {
        match node {
            ast::Node::Attribute(attribute) => {
                sibling(checker, &mut attribute_names, &attribute.name, "attribute");
                let ok = xml_name(checker, &attribute.name, "attribute");
                let value = binding_value(checker, scope, &attribute.binding, each);
                if let (true, Some(value)) = (ok, value) {
                    attributes.push(AttributeDef {
                        name: attribute.name.text.clone(),
                        value,
                    });
                }
            }
            ast::Node::Element(inner) => {
                sibling(checker, &mut element_names, &inner.name, "element");
                elements.extend(element(checker, scope, inner, each));
            }
            ast::Node::Each(repeat) => {
                sibling(checker, &mut element_names, &repeat.element.name, "element");
                elements.extend(each_element(checker, scope, repeat, each));
            }
        }
    }
    (attributes, elements)
}

/// Two attributes of one name make the XML ill-formed; two sibling elements
/// of one name make the schema's sequence ambiguous. Both are refused.
fn sibling<'n>(
    checker: &mut Checker,
    seen: &mut BTreeMap<&'n str, Span>,
    name: &'n ast::Name,
    what: &str,
) {
    if let Some(first) = seen.insert(&name.text, name.span) {
        checker.error(
            shape(
                format!("two {what}s `{}` in one element", name.text),
                name.span,
                "declared again here",
                format!("names of sibling {what}s are unique: rename one, or use `each` to repeat an element"),
            )
            .also(first, "first declared here"),
        );
    }
}

fn each_element(
    checker: &mut Checker,
    scope: &Scope<'_>,
    repeat: &ast::Each,
    outer: Option<usize>,
) -> Option<ElementDef> {
    if outer.is_some() {
        checker.error(
            Diagnostic::error(Code::MisplacedValue, "`each` inside another `each`")
                .at(repeat.span, "nested repetition")
                .help("`each` repeats an element over the rows of one report; declare a second `each` beside the first"),
        );
        return None;
    }
    let report = lookup(
        checker,
        &repeat.report,
        "report",
        scope.reports.iter().map(|r| r.name.as_str()),
    )?;
    let mut lowered = element(checker, scope, &repeat.element, Some(report))?;
    let rows = scope.reports[report]
        .rows
        .iter()
        .enumerate()
        .filter(|(_, row)| row.figure.is_some())
        .map(|(index, _)| index)
        .collect();
    lowered.repeat = Some(Repeat { report, rows });
    Some(lowered)
}

/// Names are those of XML 1.0 (fifth edition) without `:` (this tool
/// declares no namespace prefix), and not starting with `xml`, which XML
/// reserves.
fn xml_name(checker: &mut Checker, name: &ast::Name, what: &str) -> bool {
    let problem = xml_name_problem(&name.text);
    if let Some(problem) = problem {
        checker.error(
            Diagnostic::error(
                Code::BadXmlName,
                format!("`{}` is not a valid XML {what} name", name.text),
            )
            .at(name.span, problem)
            .help("an XML name starts with a letter or `_`, then letters, digits, `_`, `-` or `.`; no `:`, and not `xml...`"),
        );
    }
    problem.is_none()
}

fn xml_name_problem(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    let first = chars.next()?;
    if first == ':' || name.contains(':') {
        return Some("`:` belongs to namespace prefixes");
    }
    if !is_name_start(first) {
        return Some("cannot start an XML name");
    }
    if chars.any(|c| !is_name_char(c)) {
        return Some("holds a character an XML name cannot hold");
    }
    // `get`, not indexing: the third byte may fall inside a character.
    if name
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("xml"))
    {
        return Some("names starting with `xml` are reserved by XML");
    }
    None
}

/// XML 1.0 fifth edition, production [4] NameStartChar, without `:`.
pub fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 fifth edition, production [4a] NameChar, without `:`.
pub fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

fn binding_value(
    checker: &mut Checker,
    scope: &Scope<'_>,
    binding: &ast::Binding,
    each: Option<usize>,
) -> Option<ValueDef> {
    let (source, report) = source(checker, scope, &binding.value, each)?;
    let format = field_format(checker, scope, binding, &source, report)?;
    Some(ValueDef {
        source,
        optional: binding.optional,
        format,
    })
}

/// The field's number format: its own options over the submission's. A
/// rounded value keeps its report's rounding: fewer decimals than the
/// report's unit would round it a second time.
fn field_format(
    checker: &mut Checker,
    scope: &Scope<'_>,
    binding: &ast::Binding,
    source: &ValueSource,
    report: Option<usize>,
) -> Option<NumberFmt> {
    let own = &binding.format;
    if !source.is_amount() {
        if let Some(span) = own.decimals.map(|d| d.span).or(own.mode.map(|m| m.span)) {
            checker.error(
                Diagnostic::error(
                    Code::BadNumberFormat,
                    "a number format on a value that is not an amount",
                )
                .at(span, "applies to amounts only")
                .help("remove it: only figures (`report.line.column`, `line.COLUMN`) are numbers"),
            );
            return None;
        }
        return Some(scope.format);
    }
    let mut format = scope.format;
    if let Some(decimals) = own.decimals {
        format.decimals = decimals_in_range(checker, decimals);
    }
    if let Some(mode) = own.mode {
        format.mode = mode.value;
    }
    let report = &scope.reports[report?];
    let unit_decimals = report.rounding.unit.significant_scale();
    if format.mode == ValueMode::Rounded && format.decimals < unit_decimals {
        let span = own.decimals.map_or(binding.span, |d| d.span);
        checker.error(
            Diagnostic::error(
                Code::BadNumberFormat,
                format!(
                    "{} decimals would round a second time the values of `{}`, rounded to {}",
                    format.decimals, report.name, report.rounding.unit
                ),
            )
            .at(span, "too few decimals for the report's rounding")
            .help(format!(
                "write at least `decimals {unit_decimals}`, or `exact` for the exact values"
            )),
        );
        return None;
    }
    Some(format)
}

/// The value a binding names, and the report of an amount (for its
/// rounding).
fn source(
    checker: &mut Checker,
    scope: &Scope<'_>,
    value: &ast::ValueRef,
    each: Option<usize>,
) -> Option<(ValueSource, Option<usize>)> {
    match value {
        ast::ValueRef::Literal(text) => Some((ValueSource::Literal(text.value.clone()), None)),
        ast::ValueRef::Field(prefix, field) => field_source(checker, scope, prefix, field, each),
        ast::ValueRef::Figure {
            report,
            line,
            column,
        } => {
            let report_index = lookup(
                checker,
                report,
                "report",
                scope.reports.iter().map(|r| r.name.as_str()),
            )?;
            let lines = super::reports::report_lines(scope.figures, report_index);
            let within = format!("report `{}`", report.text);
            let figure = lookup_in(checker, line, "line", &within, &lines)?;
            let column = column_index(checker, scope, report_index, column)?;
            Some((
                ValueSource::Figure {
                    figure,
                    report: report_index,
                    column,
                },
                Some(report_index),
            ))
        }
    }
}

fn field_source(
    checker: &mut Checker,
    scope: &Scope<'_>,
    prefix: &ast::Name,
    field: &ast::Name,
    each: Option<usize>,
) -> Option<(ValueSource, Option<usize>)> {
    let known = |fields: &[&str]| -> Vec<(String, usize)> {
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.to_string(), i))
            .collect()
    };
    match prefix.text.as_str() {
        "entity" => {
            let index = lookup_in(checker, field, "entity field", "", &known(&ENTITY_FIELDS))?;
            let sources = [
                ValueSource::EntityCode,
                ValueSource::EntityName,
                ValueSource::EntityLabel,
            ];
            Some((sources[index].clone(), None))
        }
        "period" => {
            let index = lookup_in(checker, field, "period field", "", &known(&PERIOD_FIELDS))?;
            let sources = [
                ValueSource::PeriodYear,
                ValueSource::PeriodLabel,
                ValueSource::PeriodStart,
                ValueSource::PeriodEnd,
            ];
            Some((sources[index].clone(), None))
        }
        "submission" => {
            lookup_in(checker, field, "submission field", "", &known(&["version"]))?;
            Some((ValueSource::Version, None))
        }
        "line" => line_source(checker, scope, prefix, field, each),
        _ => {
            let mut diagnostic = Diagnostic::error(
                Code::UnknownName,
                format!("unknown value `{}.{}`", prefix.text, field.text),
            )
            .at(prefix.span, "not a source of values");
            diagnostic = match closest(&prefix.text, PREFIXES.iter().copied()) {
                Some(close) => diagnostic.help(format!("did you mean `{close}.{}`?", field.text)),
                None if scope.reports.iter().any(|r| r.name == prefix.text) => diagnostic.help(
                    format!(
                        "a figure names its column too: `{}.{}.courant`",
                        prefix.text, field.text
                    ),
                ),
                None => diagnostic.help(
                    "values are `entity.*`, `period.*`, `submission.version`, `line.*` (in `each`) or `report.line.column`",
                ),
            };
            checker.error(diagnostic);
            None
        }
    }
}

fn line_source(
    checker: &mut Checker,
    scope: &Scope<'_>,
    prefix: &ast::Name,
    field: &ast::Name,
    each: Option<usize>,
) -> Option<(ValueSource, Option<usize>)> {
    let Some(report) = each else {
        checker.error(
            Diagnostic::error(
                Code::MisplacedValue,
                format!("`line.{}` outside `each`", field.text),
            )
            .at(prefix.span.to(field.span), "no line here")
            .help("`line.*` names a field of the row an `each line of REPORT` element repeats over; name a figure as `report.line.column`"),
        );
        return None;
    };
    let mut candidates: Vec<(String, usize)> = LINE_FIELDS
        .iter()
        .enumerate()
        .map(|(i, f)| (f.to_string(), i))
        .collect();
    let columns = &scope.reports[report].columns;
    candidates.extend(
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), LINE_FIELDS.len() + i)),
    );
    let within = format!("report `{}`", scope.reports[report].name);
    let index = lookup_in(checker, field, "line field or column", &within, &candidates)?;
    let source = match index {
        0 => ValueSource::LineId,
        1 => ValueSource::LineLabel,
        2 => ValueSource::LineKind,
        column => ValueSource::LineValue {
            column: column - LINE_FIELDS.len(),
        },
    };
    let report = source.is_amount().then_some(report);
    Some((source, report))
}

fn column_index(
    checker: &mut Checker,
    scope: &Scope<'_>,
    report: usize,
    column: &ast::Name,
) -> Option<usize> {
    let columns = &scope.reports[report].columns;
    let within = format!("report `{}`", scope.reports[report].name);
    let candidates: Vec<(String, usize)> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), i))
        .collect();
    lookup_in(checker, column, "column", &within, &candidates)
}

fn lookup<'n>(
    checker: &mut Checker,
    name: &ast::Name,
    what: &str,
    candidates: impl Iterator<Item = &'n str>,
) -> Option<usize> {
    let candidates: Vec<(String, usize)> = candidates
        .enumerate()
        .map(|(i, c)| (c.to_string(), i))
        .collect();
    lookup_in(checker, name, what, "", &candidates)
}

/// Finds `name` among named values, or reports it unknown with the closest
/// candidate. `within` names where it was looked for (`report `x``), if
/// anywhere in particular.
fn lookup_in(
    checker: &mut Checker,
    name: &ast::Name,
    what: &str,
    within: &str,
    candidates: &[(String, usize)],
) -> Option<usize> {
    if let Some((_, value)) = candidates.iter().find(|(c, _)| *c == name.text) {
        return Some(*value);
    }
    let message = match within {
        "" => format!("unknown {what} `{}`", name.text),
        within => format!("unknown {what} `{}` in {within}", name.text),
    };
    let mut diagnostic = Diagnostic::error(Code::UnknownName, message)
        .at(name.span, format!("no {what} of this name"));
    diagnostic = match closest(&name.text, candidates.iter().map(|(c, _)| c.as_str())) {
        Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
        None => {
            let mut names: Vec<String> = candidates
                .iter()
                .take(CANDIDATES_SHOWN)
                .map(|(c, _)| format!("`{c}`"))
                .collect();
            if candidates.len() > CANDIDATES_SHOWN {
                names.push("…".into());
            }
            diagnostic.help(format!("choose one of: {}", names.join(", ")))
        }
    };
    checker.error(diagnostic);
    None
}

#[cfg(test)]
mod tests {
    use super::xml_name_problem;

    #[test]
    fn xml_names() {
        for good in [
            "Rapport",
            "_x",
            "Ligne-2",
            "a.b",
            "Établissement",
            "état_2025",
        ] {
            assert_eq!(xml_name_problem(good), None, "{good}");
        }
        for bad in [
            "2Total",
            "-x",
            "a:b",
            "xmlFoo",
            "XML",
            "a/b",
            "a$b",
            ".a",
            "a\u{FFFD}b\u{FFFF}",
        ] {
            assert!(xml_name_problem(bad).is_some(), "{bad}");
        }
    }
}
