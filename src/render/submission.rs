//! Ministry files: a checked `submission` layout and the figures of one
//! scope → a tree of elements (`Tree`), written as XML (quick-xml), and as
//! CSV and JSON views of the same tree; and, once per layout, its XML
//! Schema. The schema is derived from the same declaration as the files, so
//! every file written conforms to it (tests/xml_schemas.rs runs xmllint on
//! each). Like the other renderers, this computes nothing: values are the
//! figures already evaluated and rounded.
//!
//! This file holds the tree; `tree` builds it from the figures, `xml`
//! writes it, `xsd` writes the schema, `views` the CSV and JSON views, and
//! `reread` reads a written file back.

mod reread;
mod tree;
mod views;
mod xml;
mod xsd;

pub use reread::{reread, views_agree};
pub use tree::{number, tree};
pub use views::{FlatValue, csv, flatten, json};
pub use xml::xml;
pub use xsd::xsd;

use serde::Serialize;

/// Version of the JSON view's schema (see README, "Ministry files").
pub const SCHEMA: &str = "reddition.submission/1";

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
