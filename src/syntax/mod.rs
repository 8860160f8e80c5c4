//! Syntax: specification text → syntax tree. nom stays inside this module.

pub mod ast;
mod error;
mod lexical;
mod parser;

pub use parser::{MAX_DEPTH, RESERVED};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources};
use nom_locate::LocatedSpan;

/// Parses one specification file. Returns the items it could read and a
/// diagnostic for each item it could not.
pub fn parse(sources: &Sources, file: FileId) -> (ast::File, Vec<Diagnostic>) {
    let text = &sources.get(file).text;
    let (tree, errors) = parser::file(LocatedSpan::new_extra(text.as_str(), file));
    let diagnostics = errors.iter().map(|e| e.to_diagnostic(sources)).collect();
    (tree, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (ast::File, String) {
        let mut sources = Sources::default();
        let file = sources.add("test.rdn", text);
        let (tree, diagnostics) = parse(&sources, file);
        (
            tree,
            crate::diagnostic::render(&sources, &diagnostics, false),
        )
    }

    #[test]
    fn reference_examples_parse() {
        let reference = include_str!("../../grammar/REFERENCE.md");
        for block in reference.split("```rdn\n").skip(1) {
            let code = block.split("```").next().unwrap_or("");
            let (_, errors) = parse_text(code);
            assert_eq!(errors, "", "{code}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!(
            "report r \"R\" {{ line a \"A\" = {}1{} }}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let (_, errors) = parse_text(&text);
        assert!(errors.contains("E0104"), "{errors}");
    }
}
