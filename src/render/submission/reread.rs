//! Re-reading a written file as another program would, through
//! quick-xml's reader, and proving its CSV and JSON views carry exactly the
//! values it reads back as.

use super::views::FlatValue;
use quick_xml::events::{BytesRef, BytesStart, Event};

/// Reads a written file back with quick-xml's reader, as another program
/// would: every attribute and element text in document order (paths
/// without the `[n]` of repeated elements, values unescaped, empty texts
/// left out). `None` when the file is not well-formed.
pub fn reread(xml: &str) -> Option<Vec<FlatValue>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut reading = Reading::default();
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => reading.open(&start)?,
            // `<P01 a="1"/>`: attributes only, no text.
            Event::Empty(start) => {
                reading.open(&start)?;
                reading.stack.pop();
            }
            // Blanks outside the root element belong to no element.
            Event::Text(text) => {
                if let Some(open) = reading.stack.last_mut() {
                    open.text.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => reading.reference(&reference)?,
            Event::End(_) => reading.close()?,
            Event::Eof => return reading.stack.is_empty().then_some(reading.values),
            _ => {}
        }
    }
}

/// An element whose end is not read yet.
struct Open {
    name: String,
    text: String,
    has_children: bool,
}

/// The elements open, outermost first, and the values read so far.
#[derive(Default)]
struct Reading {
    stack: Vec<Open>,
    values: Vec<FlatValue>,
}

impl Reading {
    /// `/A/B`: the path of the innermost open element.
    fn path(&self) -> String {
        self.stack
            .iter()
            .map(|open| format!("/{}", open.name))
            .collect()
    }

    /// An element starts: its attributes are values (the namespace aside).
    fn open(&mut self, start: &BytesStart<'_>) -> Option<()> {
        if let Some(parent) = self.stack.last_mut() {
            parent.has_children = true;
        }
        self.stack.push(Open {
            name: start.name().as_ref().to_string(),
            text: String::new(),
            has_children: false,
        });
        let here = self.path();
        for attribute in start.attributes() {
            let attribute = attribute.ok()?;
            let name: &str = attribute.key.as_ref();
            if name == "xmlns" {
                continue;
            }
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .ok()?;
            self.values.push(FlatValue {
                path: here.clone(),
                attribute: true,
                name: name.to_string(),
                value: value.into_owned(),
            });
        }
        Some(())
    }

    /// `&amp;` or `&#10;` in a text, resolved.
    fn reference(&mut self, reference: &BytesRef<'_>) -> Option<()> {
        let resolved = match reference.resolve_char_ref().ok()? {
            Some(c) => c.to_string(),
            None => quick_xml::escape::resolve_predefined_entity(reference)?.to_string(),
        };
        self.stack.last_mut()?.text.push_str(&resolved);
        Some(())
    }

    /// An element ends: its text is a value if it holds no element.
    fn close(&mut self) -> Option<()> {
        let path = self.path();
        let open = self.stack.pop()?;
        if !open.has_children && !open.text.is_empty() {
            self.values.push(FlatValue {
                path,
                attribute: false,
                name: open.name,
                value: open.text,
            });
        }
        Some(())
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
            let same =
                cell.value == xml.value || cell.value == crate::render::csv::neutralise(&xml.value);
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

#[cfg(test)]
mod tests {
    use crate::render::submission::{Leaf, Tree, csv, reread, views_agree, xml};

    #[test]
    fn a_file_reads_back_unescaped_without_indentation() {
        let xml = "<?xml version=\"1.0\"?>\n<A xmlns=\"urn:x\" v=\"a&#10;&quot;b\">\n  <B>x &amp; y</B>\n  <C>\n    <D>2</D>\n  </C>\n</A>\n";
        let read = reread(xml).unwrap_or_default();
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
        assert!(reread("<A><B></A>").is_none());
    }

    fn leaf(name: &str, value: &str, amount: bool) -> Tree {
        Tree {
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
        let tree = Tree {
            name: "A".into(),
            attributes: vec![Leaf {
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
        let xml = xml(&submission, &tree);
        assert!(xml.contains("<C></C>"), "{xml}");
        let csv = csv(&tree);
        let json = serde_json::json!({"root": &tree}).to_string();
        assert!(views_agree(&xml, csv.as_bytes(), json.as_bytes()));
        let altered = csv.replace("-12.50", "-12.5");
        assert!(!views_agree(&xml, altered.as_bytes(), json.as_bytes()));
        let altered = json.replace("a < b", "a > b");
        assert!(!views_agree(&xml, csv.as_bytes(), altered.as_bytes()));
    }
}
