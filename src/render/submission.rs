//! Ministry files: a checked `submission` layout and the figures of one
//! scope → a tree of elements (`Tree`), written as XML (quick-xml), and as
//! CSV and JSON views of the same tree; and, once per layout, its XML
//! Schema. The schema is derived from the same declaration as the files, so
//! every file written conforms to it (tests/xml_schemas.rs runs xmllint on
//! each). Like the other renderers, this computes nothing: values are the
//! figures already evaluated and rounded.

use crate::calendar;
use crate::eval::{Figures, Slice};
use crate::model::*;
use crate::money::Amount;
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use serde::Serialize;
use std::collections::BTreeSet;

/// Version of the JSON view's schema (see README, "Ministry files").
pub const SCHEMA: &str = "reddition.submission/1";

/// The XML Schema namespace.
const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// One element of a file, with its values as written.
#[derive(Debug, Serialize)]
pub struct Tree {
    pub name: String,
    pub attributes: Vec<Leaf>,
    /// The text of an element bound to a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The value is an amount written by us.
    #[serde(skip)]
    pub amount: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Tree>,
    /// Position among the elements of one `each` (1-based), for the CSV path.
    #[serde(skip)]
    pub index: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct Leaf {
    pub name: String,
    pub value: String,
    /// An amount written by us (never neutralised in the CSV view).
    #[serde(skip)]
    pub amount: bool,
}

/// What one value of a file is read from.
struct Context<'a> {
    program: &'a Program,
    figures: &'a Figures,
    scope: usize,
    version: &'a str,
}

/// The file of one submission for one scope (entity or group).
pub fn tree(
    program: &Program,
    figures: &Figures,
    submission: &SubmissionDef,
    scope: usize,
) -> Tree {
    let context = Context {
        program,
        figures,
        scope,
        version: &submission.version,
    };
    let mut roots = element(&context, &submission.root, None);
    roots.pop().unwrap_or(Tree {
        name: submission.root.name.clone(),
        attributes: Vec::new(),
        value: None,
        amount: false,
        children: Vec::new(),
        index: None,
    })
}

/// The elements one declaration yields: one, none (an optional value left
/// out), or one per row for an `each`.
fn element(context: &Context<'_>, def: &ElementDef, row: Option<(usize, usize)>) -> Vec<Tree> {
    match &def.repeat {
        Some(repeat) if row.is_none() => {
            let mut trees: Vec<Tree> = repeat
                .rows
                .iter()
                .filter_map(|row| one_element(context, def, Some((repeat.report, *row))))
                .collect();
            // Positions among the elements written, as XPath counts them.
            for (position, tree) in trees.iter_mut().enumerate() {
                tree.index = Some(position + 1);
            }
            trees
        }
        _ => one_element(context, def, row).into_iter().collect(),
    }
}

fn one_element(
    context: &Context<'_>,
    def: &ElementDef,
    row: Option<(usize, usize)>,
) -> Option<Tree> {
    let attributes = def
        .attributes
        .iter()
        .filter_map(|attribute| {
            let (value, amount) = value(context, &attribute.value, row)?;
            Some(Leaf {
                name: attribute.name.clone(),
                value,
                amount,
            })
        })
        .collect();
    let (value, amount, children) = match &def.content {
        ContentDef::Value(value_def) => {
            let (text, amount) = value(context, value_def, row)?;
            (Some(text), amount, Vec::new())
        }
        ContentDef::Children(children) => (
            None,
            false,
            children
                .iter()
                .flat_map(|child| element(context, child, row))
                .collect(),
        ),
    };
    Some(Tree {
        name: def.name.clone(),
        attributes,
        value,
        amount,
        children,
        index: None,
    })
}

/// The text of a value and whether it is an amount; `None` when an
/// optional value is empty or zero as written.
fn value(
    context: &Context<'_>,
    def: &ValueDef,
    row: Option<(usize, usize)>,
) -> Option<(String, bool)> {
    let program = context.program;
    let year = program.fiscal_year;
    let scope = &context.figures.scopes[context.scope];
    let text = match &def.source {
        ValueSource::Literal(text) => text.clone(),
        ValueSource::Version => context.version.to_string(),
        ValueSource::EntityCode => scope.code.clone(),
        ValueSource::EntityName => scope.name.clone(),
        ValueSource::EntityLabel => scope.label.clone(),
        ValueSource::PeriodYear => year.to_string(),
        ValueSource::PeriodLabel => calendar::label(year),
        ValueSource::PeriodStart => iso_date(calendar::first_day(year)),
        ValueSource::PeriodEnd => iso_date(calendar::last_day(year)),
        ValueSource::Figure {
            figure,
            report,
            column,
        } => return amount(context, def, *figure, *report, *column),
        ValueSource::LineId | ValueSource::LineLabel | ValueSource::LineKind => {
            line_text(program, &def.source, row?)
        }
        ValueSource::LineValue { column } => {
            let (report, row) = row?;
            let figure = program.reports[report].rows[row].figure?;
            return amount(context, def, figure, report, *column);
        }
    };
    (!(def.optional && text.is_empty())).then_some((text, false))
}

/// A day as ISO 8601 (`2024-07-01`); a fiscal year is bounded by 4-digit
/// years, whose days always exist.
fn iso_date(day: Option<chrono::NaiveDate>) -> String {
    day.map(|day| day.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn line_text(program: &Program, source: &ValueSource, (report, row): (usize, usize)) -> String {
    let row = &program.reports[report].rows[row];
    match source {
        ValueSource::LineLabel => row.label.clone(),
        ValueSource::LineKind => match row.kind {
            RowKind::Heading => "heading",
            RowKind::Line => "line",
            RowKind::Memo => "memo",
            RowKind::Total => "total",
        }
        .to_string(),
        _ => row.figure.map_or(String::new(), |figure| {
            local_id(&program.figures[figure].qualified)
        }),
    }
}

/// A figure in a report column, exact or rounded as the format says.
fn amount(
    context: &Context<'_>,
    def: &ValueDef,
    figure: FigureId,
    report: usize,
    column: usize,
) -> Option<(String, bool)> {
    let program = context.program;
    let slice = Slice::of_column(
        &program.reports[report].columns[column],
        program.fiscal_year,
    );
    let values = context
        .figures
        .slice_index(slice)
        .map(|index| &context.figures.values[context.scope][index]);
    let amount = values.map_or(Amount::ZERO, |values| match def.format.mode {
        ValueMode::Rounded => values.rounded[figure],
        ValueMode::Exact => values.exact[figure],
    });
    if def.optional && amount.is_zero() {
        return None;
    }
    Some((number(amount, def.format.decimals), true))
}

/// `-1234.50`: a `.` before the decimals, `-` for a negative, no grouping;
/// at least `decimals` digits after the point, padded with zeros. Nothing
/// is rounded here: a rounded value has no more decimals than its format
/// allows (checked), and an exact value keeps all of its own.
pub fn number(amount: Amount, decimals: u32) -> String {
    let text = amount.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut written = whole.to_string();
    let width = (decimals as usize).max(fraction.len());
    if width > 0 {
        written.push('.');
        written.push_str(fraction);
        written.extend(std::iter::repeat_n('0', width - fraction.len()));
    }
    written
}

/// The file as XML: UTF-8, declaration first, two-space indentation.
pub fn xml(submission: &SubmissionDef, tree: &Tree) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut result = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    result = result.and_then(|()| write_tree(&mut writer, tree, submission.namespace.as_deref()));
    finish(result, writer)
}

fn write_tree(
    writer: &mut Writer<Vec<u8>>,
    tree: &Tree,
    namespace: Option<&str>,
) -> std::io::Result<()> {
    let mut start = BytesStart::new(tree.name.as_str());
    if let Some(namespace) = namespace {
        push(&mut start, "xmlns", namespace);
    }
    for attribute in &tree.attributes {
        push(&mut start, &attribute.name, &attribute.value);
    }
    // An element of attributes only is written empty (`<P01 a="1"/>`): the
    // indentation written between a start and an end would be its text.
    if tree.value.is_none() && tree.children.is_empty() {
        return writer.write_event(Event::Empty(start));
    }
    writer.write_event(Event::Start(start))?;
    if let Some(value) = &tree.value {
        let text = partial_escape(value.as_str());
        writer.write_event(Event::Text(BytesText::from_escaped(text)))?;
    }
    for child in &tree.children {
        write_tree(writer, child, None)?;
    }
    writer.write_event(Event::End(BytesEnd::new(tree.name.as_str())))
}

/// Adds an attribute, its value escaped by [`attribute_text`].
fn push(start: &mut BytesStart<'_>, name: &str, value: &str) {
    start.push_attribute(Attribute {
        key: QName(name),
        value: attribute_text(value).into(),
    });
}

/// An attribute value as written: `<`, `>`, `&` and `"` escaped, and the
/// blanks a parser would turn into spaces written as character references.
/// Apostrophes stay as they are (French labels are full of them).
fn attribute_text(value: &str) -> String {
    partial_escape(value)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\t', "&#9;")
        .replace('\r', "&#13;")
}

fn finish(result: std::io::Result<()>, writer: Writer<Vec<u8>>) -> String {
    match result {
        Ok(()) => {
            let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
            text.push('\n');
            text
        }
        // Writing to memory cannot fail; an empty file would fail the
        // bundle's re-reading rather than pass unnoticed.
        Err(_) => String::new(),
    }
}

/// The XML Schema of a submission: the elements in declared order, value
/// types, `minOccurs="0"` for optional fields, occurrences of repeated
/// elements, `use="required"` for required attributes, `fixed` for literals,
/// and the ids and kinds a repeated row may have.
pub fn xsd(program: &Program, submission: &SubmissionDef) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut types = BTreeSet::new();
    collect_types(&submission.root, None, &mut types);
    let context = SchemaContext {
        program,
        version: &submission.version,
    };
    let mut schema = BytesStart::new("xs:schema");
    push(&mut schema, "xmlns:xs", XS);
    if let Some(namespace) = &submission.namespace {
        push(&mut schema, "targetNamespace", namespace);
        push(&mut schema, "xmlns", namespace);
    }
    push(&mut schema, "elementFormDefault", "qualified");
    push(&mut schema, "version", &submission.version);
    let result = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| writer.write_event(Event::Start(schema)))
        .and_then(|()| {
            let comment = format!(
                " {} ({}), version {} ",
                submission.label, submission.name, submission.version
            );
            // `--` cannot appear in a comment; `<` and `&` can.
            let comment = comment.replace("--", "- -");
            writer.write_event(Event::Comment(BytesText::from_escaped(comment.as_str())))
        })
        .and_then(|()| schema_element(&mut writer, &context, &submission.root, None))
        .and_then(|()| {
            types
                .iter()
                .try_for_each(|named| named_type(&mut writer, program, *named))
        })
        .and_then(|()| writer.write_event(Event::End(BytesEnd::new("xs:schema"))));
    finish(result, writer)
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
        .map(|figure| local_id(&program.figures[figure].qualified))
        .collect();
    let mut seen = BTreeSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    ids
}

fn local_id(qualified: &str) -> String {
    qualified
        .split_once('.')
        .map_or(qualified, |(_, local)| local)
        .to_string()
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

fn schema_element(
    writer: &mut Writer<Vec<u8>>,
    context: &SchemaContext<'_>,
    def: &ElementDef,
    each: Option<usize>,
) -> std::io::Result<()> {
    let each = def.repeat.as_ref().map(|repeat| repeat.report).or(each);
    let mut start = BytesStart::new("xs:element");
    push(&mut start, "name", &def.name);
    let optional = matches!(&def.content, ContentDef::Value(value) if value.optional);
    match &def.repeat {
        Some(repeat) => {
            let count = repeat.rows.len().to_string();
            let least = if optional { "0" } else { count.as_str() };
            push(&mut start, "minOccurs", least);
            push(&mut start, "maxOccurs", &count);
        }
        None if optional => push(&mut start, "minOccurs", "0"),
        None => {}
    }
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
        writer.write_event(Event::Empty(declaration))?;
    }
    writer.write_event(Event::End(BytesEnd::new("xs:complexType")))?;
    writer.write_event(Event::End(BytesEnd::new("xs:element")))
}

/// The CSV view: one row per value, in document order: the element's path
/// (`/Racine/Ligne[3]`, an XPath), whether the value is an `attribut` or
/// the text of an `element`, its name, and the value as in the XML.
pub fn csv(tree: &Tree) -> String {
    let mut rows = Vec::new();
    flatten(tree, "", &mut rows);
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut result = writer.write_record(["chemin", "type", "nom", "valeur"]);
    for row in &rows {
        result = result.and_then(|()| writer.write_record(row.cells()));
    }
    match (result, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
        _ => String::new(),
    }
}

/// One value of a file as the CSV view shows it.
#[derive(Debug, PartialEq, Eq)]
pub struct FlatValue {
    pub path: String,
    pub attribute: bool,
    pub name: String,
    pub value: String,
}

impl FlatValue {
    fn cells(&self) -> [&str; 4] {
        let kind = if self.attribute {
            "attribut"
        } else {
            "element"
        };
        [&self.path, kind, &self.name, &self.value]
    }
}

/// Every value of the tree, in document order, as the CSV view writes them
/// (text a spreadsheet would run is neutralised, amounts are left as they
/// are).
pub fn flatten(tree: &Tree, parent: &str, rows: &mut Vec<FlatValue>) {
    let path = match tree.index {
        Some(index) => format!("{parent}/{}[{index}]", tree.name),
        None => format!("{parent}/{}", tree.name),
    };
    for attribute in &tree.attributes {
        rows.push(FlatValue {
            path: path.clone(),
            attribute: true,
            name: attribute.name.clone(),
            value: cell(&attribute.value, attribute.amount),
        });
    }
    if let Some(value) = &tree.value {
        rows.push(FlatValue {
            path: path.clone(),
            attribute: false,
            name: tree.name.clone(),
            value: cell(value, tree.amount),
        });
    }
    for child in &tree.children {
        flatten(child, &path, rows);
    }
}

fn cell(value: &str, amount: bool) -> String {
    match amount {
        true => value.to_string(),
        false => super::csv::neutralise(value),
    }
}

/// Reads a written file back with quick-xml's reader, as another program
/// would: every attribute and element text in document order (paths
/// without the `[n]` of repeated elements, values unescaped, empty texts
/// left out). `None` when the file is not well-formed.
pub fn reread(xml: &str) -> Option<Vec<FlatValue>> {
    struct Open {
        name: String,
        text: String,
        has_children: bool,
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Open> = Vec::new();
    let mut values = Vec::new();
    let path = |stack: &[Open]| {
        stack
            .iter()
            .map(|open| format!("/{}", open.name))
            .collect::<String>()
    };
    loop {
        let event = reader.read_event().ok()?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                if let Some(parent) = stack.last_mut() {
                    parent.has_children = true;
                }
                let name = start.name().as_ref().to_string();
                stack.push(Open {
                    name,
                    text: String::new(),
                    has_children: false,
                });
                let here = path(&stack);
                for attribute in start.attributes() {
                    let attribute = attribute.ok()?;
                    let name: &str = attribute.key.as_ref();
                    if name == "xmlns" {
                        continue;
                    }
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .ok()?;
                    values.push(FlatValue {
                        path: here.clone(),
                        attribute: true,
                        name: name.to_string(),
                        value: value.into_owned(),
                    });
                }
                // `<P01 a="1"/>`: attributes only, no text.
                if empty {
                    stack.pop();
                }
            }
            // Blanks outside the root element belong to no element.
            Event::Text(text) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().ok()? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&reference)?.to_string(),
                };
                stack.last_mut()?.text.push_str(&resolved);
            }
            Event::End(_) => {
                let open = stack.pop()?;
                if !open.has_children && !open.text.is_empty() {
                    values.push(FlatValue {
                        path: format!("{}/{}", path(&stack), open.name),
                        attribute: false,
                        name: open.name,
                        value: open.text,
                    });
                }
            }
            Event::Eof => return stack.is_empty().then_some(values),
            _ => {}
        }
    }
}

/// Whether the CSV view `csv` and the JSON view `json` carry exactly the
/// values the XML file `xml` reads back as.
pub fn views_agree(xml: &str, csv: &[u8], json: &[u8]) -> bool {
    let Some(read) = reread(xml) else {
        return false;
    };
    let mut reader = ::csv::Reader::from_reader(csv);
    let from_csv: Vec<FlatValue> = reader
        .records()
        .flatten()
        .map(|record| FlatValue {
            path: without_indices(record.get(0).unwrap_or_default()),
            attribute: record.get(1) == Some("attribut"),
            name: record.get(2).unwrap_or_default().to_string(),
            value: record.get(3).unwrap_or_default().to_string(),
        })
        .filter(|value| !value.value.is_empty())
        .collect();
    let csv_agrees = from_csv.len() == read.len()
        && from_csv.iter().zip(&read).all(|(cell, xml)| {
            // Text a spreadsheet would run is neutralised in the CSV only.
            let same = cell.value == xml.value || cell.value == super::csv::neutralise(&xml.value);
            cell.path == xml.path
                && cell.attribute == xml.attribute
                && cell.name == xml.name
                && same
        });
    let mut from_json = Vec::new();
    let document: serde_json::Value = serde_json::from_slice(json).unwrap_or_default();
    json_values(&document["root"], "", &mut from_json);
    csv_agrees && from_json == read
}

fn without_indices(path: &str) -> String {
    let mut kept = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '[' => inside = true,
            ']' => inside = false,
            c if !inside => kept.push(c),
            _ => {}
        }
    }
    kept
}

fn json_values(element: &serde_json::Value, parent: &str, values: &mut Vec<FlatValue>) {
    let name = element["name"].as_str().unwrap_or_default();
    let path = format!("{parent}/{name}");
    for attribute in element["attributes"].as_array().into_iter().flatten() {
        values.push(FlatValue {
            path: path.clone(),
            attribute: true,
            name: attribute["name"].as_str().unwrap_or_default().to_string(),
            value: attribute["value"].as_str().unwrap_or_default().to_string(),
        });
    }
    if let Some(value) = element["value"].as_str().filter(|v| !v.is_empty()) {
        values.push(FlatValue {
            path: path.clone(),
            attribute: false,
            name: name.to_string(),
            value: value.to_string(),
        });
    }
    for child in element["children"].as_array().into_iter().flatten() {
        json_values(child, &path, values);
    }
}

#[derive(Serialize)]
struct JsonView<'a> {
    schema: &'static str,
    submission: &'a str,
    label: &'a str,
    version: &'a str,
    entity: &'a str,
    fiscal_year: i32,
    root: &'a Tree,
}

/// The JSON view: the same tree, elements with their attributes, value or
/// children in document order.
pub fn json(
    program: &Program,
    figures: &Figures,
    submission: &SubmissionDef,
    scope: usize,
    tree: &Tree,
) -> String {
    let view = JsonView {
        schema: SCHEMA,
        submission: &submission.name,
        label: &submission.label,
        version: &submission.version,
        entity: &figures.scopes[scope].name,
        fiscal_year: program.fiscal_year,
        root: tree,
    };
    let mut text = serde_json::to_string_pretty(&view).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::number;
    use crate::money::Amount;

    #[test]
    fn numbers_are_padded_never_rounded() {
        let amount = |s| Amount::parse_plain(s).unwrap_or_default();
        assert_eq!(number(amount("1234"), 2), "1234.00");
        assert_eq!(number(amount("-1234.5"), 2), "-1234.50");
        assert_eq!(number(amount("0"), 2), "0.00");
        assert_eq!(number(amount("-0.000"), 0), "0");
        assert_eq!(number(amount("12.345"), 2), "12.345");
        assert_eq!(number(amount("12"), 0), "12");
    }

    #[test]
    fn a_file_reads_back_unescaped_without_indentation() {
        let xml = "<?xml version=\"1.0\"?>\n<A xmlns=\"urn:x\" v=\"a&#10;&quot;b\">\n  <B>x &amp; y</B>\n  <C>\n    <D>2</D>\n  </C>\n</A>\n";
        let read = super::reread(xml).unwrap_or_default();
        let triples: Vec<(&str, &str, &str)> = read
            .iter()
            .map(|v| (v.path.as_str(), v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            triples,
            [
                ("/A", "v", "a\n\"b"),
                ("/A/B", "B", "x & y"),
                ("/A/C/D", "D", "2")
            ]
        );
        assert!(super::reread("<A><B></A>").is_none());
    }

    fn leaf(name: &str, value: &str, amount: bool) -> super::Tree {
        super::Tree {
            name: name.into(),
            attributes: Vec::new(),
            value: Some(value.into()),
            amount,
            children: Vec::new(),
            index: None,
        }
    }

    #[test]
    fn views_agree_only_when_they_carry_the_same_values() {
        use crate::model::*;
        let root = ElementDef {
            name: "A".into(),
            repeat: None,
            attributes: Vec::new(),
            content: ContentDef::Children(Vec::new()),
        };
        let submission = SubmissionDef {
            name: "s".into(),
            label: "S".into(),
            version: "1".into(),
            namespace: None,
            root,
        };
        let tree = super::Tree {
            name: "A".into(),
            attributes: vec![super::Leaf {
                name: "code".into(),
                value: "=1".into(),
                amount: false,
            }],
            value: None,
            amount: false,
            children: vec![
                leaf("B", "-12.50", true),
                leaf("C", "", false),
                leaf("D", "a < b", false),
            ],
            index: None,
        };
        let xml = super::xml(&submission, &tree);
        assert!(xml.contains("<C></C>"), "{xml}");
        let csv = super::csv(&tree);
        let json = serde_json::json!({"root": &tree}).to_string();
        assert!(super::views_agree(&xml, csv.as_bytes(), json.as_bytes()));
        let altered = csv.replace("-12.50", "-12.5");
        assert!(!super::views_agree(
            &xml,
            altered.as_bytes(),
            json.as_bytes()
        ));
        let altered = json.replace("a < b", "a > b");
        assert!(!super::views_agree(
            &xml,
            csv.as_bytes(),
            altered.as_bytes()
        ));
    }
}
