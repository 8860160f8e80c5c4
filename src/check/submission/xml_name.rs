//! XML names: those of XML 1.0 (fifth edition) that this tool may write
//! as element and attribute names.

use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast;

/// Names are those of XML 1.0 (fifth edition) without `:` (this tool
/// declares no namespace prefix), and not starting with `xml`, which XML
/// reserves.
pub(super) fn xml_name(checker: &mut Checker, name: &ast::Name, what: &str) -> bool {
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

/// XML 1.0 fifth edition, production \[4\] NameStartChar, without `:`.
pub fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 fifth edition, production \[4a\] NameChar, without `:`.
pub fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
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
