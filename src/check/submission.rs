//! Checking submissions (ministry file layouts): XML names, the values each
//! field is bound to (reports, lines, columns, entity and period fields),
//! the shape of the tree and the number formats. Everything the XML, its
//! schema and the CSV and JSON views are written from is settled here, so
//! emission cannot fail on a name.
//!
//! This file checks the shape of the tree; `values` the value each field
//! is bound to and its number format, and `xml_name` the names.

mod values;
mod xml_name;

pub use xml_name::{is_name_char, is_name_start};

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{self, Item};
use std::collections::BTreeMap;
use values::lookup;
use xml_name::xml_name;

/// Amounts are written with 2 decimals unless the file says otherwise.
const DEFAULT_DECIMALS: u32 = 2;

/// More decimals than the decimal type holds cannot be written exactly.
const MAX_DECIMALS: u32 = 28;

/// What the checks of one submission read, and the checker they report to.
struct Lowering<'a> {
    checker: &'a mut Checker,
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
        if !checker.output_name_free("submission", &submission.name) {
            continue;
        }
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
    let format = number_format(checker, parts.number);
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
    let mut lowering = Lowering {
        checker,
        reports,
        figures,
        format,
    };
    let root = lowering.element(root, None)?;
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

/// The submission's number format: 2 decimals of the rounded values
/// unless it says otherwise.
fn number_format(checker: &mut Checker, number: Option<&ast::NumberFormat>) -> NumberFmt {
    let default = NumberFmt {
        decimals: DEFAULT_DECIMALS,
        mode: ValueMode::Rounded,
    };
    number.map_or(default, |number| with_options(checker, default, number))
}

/// `format` with the decimals and the mode `own` sets, if any.
fn with_options(
    checker: &mut Checker,
    mut format: NumberFmt,
    own: &ast::NumberFormat,
) -> NumberFmt {
    if let Some(decimals) = own.decimals {
        format.decimals = decimals_in_range(checker, decimals);
    }
    if let Some(mode) = own.mode {
        format.mode = mode.value;
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

impl Lowering<'_> {
    /// Lowers one element; `each` is the report an enclosing `each` repeats
    /// over. Recursion is bounded by the parser's nesting limit.
    fn element(&mut self, element: &ast::Element, each: Option<usize>) -> Option<ElementDef> {
        let name_ok = xml_name(self.checker, &element.name, "element");
        let (attributes, content) = match &element.content {
            ast::ElementContent::Value(binding) => (
                Vec::new(),
                self.binding_value(binding, each).map(ContentDef::Value),
            ),
            ast::ElementContent::Children(nodes) => {
                let (attributes, children) = self.children(nodes, each);
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
        &mut self,
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
                    sibling(
                        self.checker,
                        &mut attribute_names,
                        &attribute.name,
                        "attribute",
                    );
                    attributes.extend(self.attribute(attribute, each));
                }
                ast::Node::Element(inner) => {
                    sibling(self.checker, &mut element_names, &inner.name, "element");
                    elements.extend(self.element(inner, each));
                }
                ast::Node::Each(repeat) => {
                    sibling(
                        self.checker,
                        &mut element_names,
                        &repeat.element.name,
                        "element",
                    );
                    elements.extend(self.each_element(repeat, each));
                }
            }
        }
        (attributes, elements)
    }

    fn attribute(
        &mut self,
        attribute: &ast::XmlAttribute,
        each: Option<usize>,
    ) -> Option<AttributeDef> {
        let ok = xml_name(self.checker, &attribute.name, "attribute");
        let value = self.binding_value(&attribute.binding, each)?;
        ok.then(|| AttributeDef {
            name: attribute.name.text.clone(),
            value,
        })
    }

    /// `each line of REPORT`: the element repeated over the rows of the
    /// report that carry a figure.
    fn each_element(&mut self, repeat: &ast::Each, outer: Option<usize>) -> Option<ElementDef> {
        if outer.is_some() {
            self.checker.error(
                Diagnostic::error(Code::MisplacedValue, "`each` inside another `each`")
                    .at(repeat.span, "nested repetition")
                    .help("`each` repeats an element over the rows of one report; declare a second `each` beside the first"),
            );
            return None;
        }
        let report = lookup(
            self.checker,
            &repeat.report,
            "report",
            self.reports.iter().map(|r| r.name.as_str()),
        )?;
        let mut lowered = self.element(&repeat.element, Some(report))?;
        let rows = self.reports[report]
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.figure.is_some())
            .map(|(index, _)| index)
            .collect();
        lowered.repeat = Some(Repeat { report, rows });
        Some(lowered)
    }
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
