//! The XML Schema of a layout, derived from the same declaration as the
//! files, so that every file written conforms to it.

use super::xml::{document, push};
use crate::model::*;
use crate::render::local_name;
use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use std::collections::BTreeSet;

/// The XML Schema namespace.
const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// The XML Schema of a submission: the elements in declared order, value
/// types, `minOccurs="0"` for optional fields, occurrences of repeated
/// elements, `use="required"` for required attributes, `fixed` for literals,
/// and the ids and kinds a repeated row may have.
pub fn xsd(program: &Program, submission: &SubmissionDef) -> String {
    let mut types = BTreeSet::new();
    collect_types(&submission.root, None, &mut types);
    let context = SchemaContext {
        program,
        version: &submission.version,
    };
    let comment = format!(
        " {} ({}), version {} ",
        submission.label, submission.name, submission.version
    );
    // `--` cannot appear in a comment; `<` and `&` can.
    let comment = comment.replace("--", "- -");
    document(|writer| {
        writer.write_event(Event::Start(schema_start(submission)))?;
        writer.write_event(Event::Comment(BytesText::from_escaped(comment.as_str())))?;
        schema_element(writer, &context, &submission.root, None)?;
        for named in &types {
            named_type(writer, program, *named)?;
        }
        writer.write_event(Event::End(BytesEnd::new("xs:schema")))
    })
}

/// `<xs:schema>`, with the file's namespace and the layout's version.
fn schema_start(submission: &SubmissionDef) -> BytesStart<'static> {
    let mut schema = BytesStart::new("xs:schema");
    push(&mut schema, "xmlns:xs", XS);
    if let Some(namespace) = &submission.namespace {
        push(&mut schema, "targetNamespace", namespace);
        push(&mut schema, "xmlns", namespace);
    }
    push(&mut schema, "elementFormDefault", "qualified");
    push(&mut schema, "version", &submission.version);
    schema
}

/// What the schema's declarations read.
struct SchemaContext<'a> {
    program: &'a Program,
    version: &'a str,
}

/// A named simple type of a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Named {
    /// An amount, exact or rounded, with its decimals.
    Amount { exact: bool, decimals: u32 },
    /// `line.kind`: `line`, `memo` or `total`.
    RowKind,
    /// `line.id` in an `each` over this report: the ids of its rows.
    RowId(usize),
}

/// The named type of a value, if it has one; `each` is the report of the
/// enclosing repetition.
fn named(value: &ValueDef, each: Option<usize>) -> Option<Named> {
    match value.source {
        ValueSource::LineKind => Some(Named::RowKind),
        ValueSource::LineId => each.map(Named::RowId),
        ref source if source.is_amount() => Some(Named::Amount {
            exact: value.format.mode == ValueMode::Exact,
            decimals: value.format.decimals,
        }),
        _ => None,
    }
}

/// Every named type the layout uses, each once.
fn collect_types(def: &ElementDef, each: Option<usize>, types: &mut BTreeSet<Named>) {
    let each = def.repeat.as_ref().map(|repeat| repeat.report).or(each);
    let mut add = |value: &ValueDef| types.extend(named(value, each));
    def.attributes.iter().for_each(|a| add(&a.value));
    match &def.content {
        ContentDef::Value(value) => add(value),
        ContentDef::Children(children) => children
            .iter()
            .for_each(|child| collect_types(child, each, types)),
    }
}

fn type_name(program: &Program, named: Named) -> String {
    match named {
        Named::Amount {
            exact: true,
            decimals,
        } => format!("montant_exact_{decimals}"),
        Named::Amount { decimals, .. } => format!("montant_{decimals}"),
        Named::RowKind => "genre_ligne".to_string(),
        Named::RowId(report) => format!("ligne_{}", program.reports[report].name),
    }
}

/// A rounded amount has exactly its decimals, an exact one at least them;
/// a row's kind and id are one of those the report has.
fn named_type(
    writer: &mut Writer<Vec<u8>>,
    program: &Program,
    named: Named,
) -> std::io::Result<()> {
    let (base, facets): (&str, Vec<(&str, String)>) = match named {
        Named::Amount { exact, decimals } => {
            let pattern = match (exact, decimals) {
                (false, 0) => "-?[0-9]+".to_string(),
                (false, n) => format!("-?[0-9]+\\.[0-9]{{{n}}}"),
                (true, 0) => "-?[0-9]+(\\.[0-9]+)?".to_string(),
                (true, n) => format!("-?[0-9]+\\.[0-9]{{{n},}}"),
            };
            ("xs:decimal", vec![("xs:pattern", pattern)])
        }
        Named::RowKind => (
            "xs:string",
            ["line", "memo", "total"]
                .iter()
                .map(|kind| ("xs:enumeration", kind.to_string()))
                .collect(),
        ),
        Named::RowId(report) => (
            "xs:string",
            row_ids(program, report)
                .into_iter()
                .map(|id| ("xs:enumeration", id))
                .collect(),
        ),
    };
    let mut simple = BytesStart::new("xs:simpleType");
    push(&mut simple, "name", &type_name(program, named));
    writer.write_event(Event::Start(simple))?;
    let mut restriction = BytesStart::new("xs:restriction");
    push(&mut restriction, "base", base);
    writer.write_event(Event::Start(restriction))?;
    for (facet, value) in facets {
        let mut facet = BytesStart::new(facet);
        push(&mut facet, "value", &value);
        writer.write_event(Event::Empty(facet))?;
    }
    writer.write_event(Event::End(BytesEnd::new("xs:restriction")))?;
    writer.write_event(Event::End(BytesEnd::new("xs:simpleType")))
}

/// The ids of the rows of a report that carry a figure, in report order.
fn row_ids(program: &Program, report: usize) -> Vec<String> {
    let mut ids: Vec<String> = program.reports[report]
        .rows
        .iter()
        .filter_map(|row| row.figure)
        .map(|figure| local_name(&program.figures[figure].qualified))
        .collect();
    let mut seen = BTreeSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    ids
}

/// The schema type of a value, and its fixed value for a literal.
fn value_type<'v>(
    context: &SchemaContext<'v>,
    value: &'v ValueDef,
    each: Option<usize>,
) -> (String, Option<&'v str>) {
    if let Some(named) = named(value, each) {
        return (type_name(context.program, named), None);
    }
    match &value.source {
        ValueSource::Literal(text) => ("xs:string".into(), Some(text.as_str())),
        ValueSource::Version => ("xs:string".into(), Some(context.version)),
        ValueSource::PeriodYear => ("xs:gYear".into(), None),
        ValueSource::PeriodStart | ValueSource::PeriodEnd => ("xs:date".into(), None),
        _ => ("xs:string".into(), None),
    }
}

/// The declaration of an element: a simple type for a value without
/// attributes, else a complex type with its children and attributes.
fn schema_element(
    writer: &mut Writer<Vec<u8>>,
    context: &SchemaContext<'_>,
    def: &ElementDef,
    each: Option<usize>,
) -> std::io::Result<()> {
    let each = def.repeat.as_ref().map(|repeat| repeat.report).or(each);
    let mut start = BytesStart::new("xs:element");
    push(&mut start, "name", &def.name);
    occurrences(&mut start, def);
    if let ContentDef::Value(value) = &def.content
        && def.attributes.is_empty()
    {
        let (kind, fixed) = value_type(context, value, each);
        push(&mut start, "type", &kind);
        if let Some(fixed) = fixed {
            push(&mut start, "fixed", fixed);
        }
        return writer.write_event(Event::Empty(start));
    }
    writer.write_event(Event::Start(start))?;
    writer.write_event(Event::Start(BytesStart::new("xs:complexType")))?;
    if let ContentDef::Children(children) = &def.content {
        writer.write_event(Event::Start(BytesStart::new("xs:sequence")))?;
        for child in children {
            schema_element(writer, context, child, each)?;
        }
        writer.write_event(Event::End(BytesEnd::new("xs:sequence")))?;
    }
    for attribute in &def.attributes {
        let declaration = attribute_declaration(context, attribute, each);
        writer.write_event(Event::Empty(declaration))?;
    }
    writer.write_event(Event::End(BytesEnd::new("xs:complexType")))?;
    writer.write_event(Event::End(BytesEnd::new("xs:element")))
}

/// How many times an element occurs: once per row for an `each` (none
/// allowed if its value is optional), at most once if optional.
fn occurrences(start: &mut BytesStart<'_>, def: &ElementDef) {
    let optional = matches!(&def.content, ContentDef::Value(value) if value.optional);
    match &def.repeat {
        Some(repeat) => {
            let count = repeat.rows.len().to_string();
            let least = if optional { "0" } else { count.as_str() };
            push(start, "minOccurs", least);
            push(start, "maxOccurs", &count);
        }
        None if optional => push(start, "minOccurs", "0"),
        None => {}
    }
}

fn attribute_declaration<'d>(
    context: &SchemaContext<'_>,
    attribute: &AttributeDef,
    each: Option<usize>,
) -> BytesStart<'d> {
    let mut declaration = BytesStart::new("xs:attribute");
    let (kind, fixed) = value_type(context, &attribute.value, each);
    push(&mut declaration, "name", &attribute.name);
    push(&mut declaration, "type", &kind);
    let usage = if attribute.value.optional {
        "optional"
    } else {
        "required"
    };
    push(&mut declaration, "use", usage);
    if let Some(fixed) = fixed {
        push(&mut declaration, "fixed", fixed);
    }
    declaration
}
