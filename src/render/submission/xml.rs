//! Writing a tree as XML with quick-xml: UTF-8, declaration first,
//! two-space indentation, text and attribute values escaped.

use super::Tree;
use crate::model::SubmissionDef;
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

/// The file as XML: UTF-8, declaration first, two-space indentation.
pub fn xml(submission: &SubmissionDef, tree: &Tree) -> String {
    document(|writer| write_tree(writer, tree, submission.namespace.as_deref()))
}

/// A document written by `body` after the XML declaration (UTF-8), with
/// two-space indentation and a final line break.
pub(super) fn document(body: impl FnOnce(&mut Writer<Vec<u8>>) -> std::io::Result<()>) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let declaration = Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None));
    match writer
        .write_event(declaration)
        .and_then(|()| body(&mut writer))
    {
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
pub(super) fn push(start: &mut BytesStart<'_>, name: &str, value: &str) {
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
