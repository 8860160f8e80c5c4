//! The CSV and JSON views of a file: the same values as the XML, one row
//! per value (with its path) or the same tree as JSON.

use super::{SCHEMA, Tree};
use crate::eval::Figures;
use crate::model::*;
use serde::Serialize;

/// The CSV view: one row per value, in document order: the element's path
/// (`/Racine/Ligne[3]`, an XPath), whether the value is an `attribut` or
/// the text of an `element`, its name, and the value as in the XML.
pub fn csv(tree: &Tree) -> String {
    let mut rows = Vec::new();
    flatten(tree, "", &mut rows);
    let header = ["chemin", "type", "nom", "valeur"];
    crate::render::csv::text(std::iter::once(header).chain(rows.iter().map(FlatValue::cells)))
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
        false => crate::render::csv::neutralise(value),
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
