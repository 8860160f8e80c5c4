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
    if let Some(diagnostic) = invisible_character(text, file) {
        return (ast::File { items: Vec::new() }, vec![diagnostic]);
    }
    let (tree, errors) = parser::file(LocatedSpan::new_extra(text.as_str(), file));
    let diagnostics = errors.iter().map(|e| e.to_diagnostic(sources)).collect();
    (tree, diagnostics)
}

/// Specifications are read by people: a character they cannot see (a control
/// character, a bidirectional override that reverses what is shown, a
/// zero-width space) would make the text say something else than it does.
fn invisible_character(text: &str, file: FileId) -> Option<Diagnostic> {
    let (offset, c) = text.char_indices().find(|(_, c)| {
        *c != '\n' && *c != '\r' && *c != '\t' && crate::diagnostic::is_invisible(*c)
    })?;
    let span = crate::source::Span::new(file, offset, offset + c.len_utf8());
    Some(
        Diagnostic::error(
            crate::diagnostic::Code::InvisibleCharacter,
            format!("invisible character U+{:04X} in a specification", u32::from(c)),
        )
        .at(span, "here")
        .help(if crate::diagnostic::is_noncharacter(c) {
            "a noncharacter is not text, and U+FFFE and U+FFFF cannot be written in an XML file; delete it"
        } else {
            "control, bidirectional and zero-width characters can make a file read differently from what it does; delete it"
        }),
    )
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
    fn a_long_accented_word_is_cut_on_a_character_boundary() {
        let text = format!("{}é", "N".repeat(39));
        let (_, errors) = parse_text(&text);
        assert!(errors.contains("E0101"), "{errors}");
    }

    /// A submission whose one value sits inside `depth` copies of `opening`.
    fn nested_submission(opening: &str, depth: usize) -> String {
        format!(
            "submission s \"S\" {{ version \"1\" {} element F = entity.name {} }}",
            opening.repeat(depth),
            "}".repeat(depth)
        )
    }

    fn assert_too_deep(text: &str) {
        let (_, errors) = parse_text(text);
        assert!(errors.contains("E0104"), "{errors}");
    }

    #[test]
    fn deep_elements_are_an_error_not_a_crash() {
        assert_too_deep(&nested_submission("element E {", 100_000));
        assert_too_deep(&nested_submission("element E { each line of r ", 50_000));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!(
            "report r \"R\" {{ line a \"A\" = {}1{} }}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        assert_too_deep(&text);
    }
}
