//! The parser's error type and its translation into a diagnostic.

use super::lexical::Input;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Sources, Span};
use nom::error::{ErrorKind, ParseError};

#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub span: Span,
    /// What would have been accepted at `span`, in source order of the grammar.
    pub expected: Vec<&'static str>,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Expected,
    UnterminatedString,
    InvalidEscape,
    TooDeep,
    /// Elements of a submission nested deeper than the parser allows.
    ElementsTooDeep,
    SectionsTooDeep,
    /// Optional groups of a structure nested deeper than the parser allows.
    OptionalsTooDeep,
    TooManyTerms,
    /// A string (a label, a header, a path) longer than the parser allows.
    StringTooLong(usize),
    BadNumber(&'static str),
}

impl SyntaxError {
    pub fn expected(input: Input<'_>, what: &'static str) -> SyntaxError {
        SyntaxError {
            span: Span::new(
                input.extra,
                input.location_offset(),
                input.location_offset(),
            ),
            expected: vec![what],
            problem: Problem::Expected,
        }
    }

    pub fn at(span: Span, problem: Problem) -> SyntaxError {
        SyntaxError {
            span,
            expected: Vec::new(),
            problem,
        }
    }

    pub fn to_diagnostic(&self, sources: &Sources) -> Diagnostic {
        match &self.problem {
            Problem::Expected => self.expected_diagnostic(sources),
            Problem::UnterminatedString => {
                Diagnostic::error(Code::UnterminatedString, "unterminated string")
                    .at(self.span, "this string is never closed")
                    .help("close it with `\"` on the same line; write `\\\"` for a quote inside")
            }
            Problem::InvalidEscape => {
                Diagnostic::error(Code::InvalidEscape, "unknown escape in string")
                    .at(self.span, "not an escape")
                    .help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`")
            }
            Problem::TooDeep => self.too_deep(
                "expression",
                "split the formula into several lines that refer to each other",
            ),
            Problem::ElementsTooDeep => self.too_deep(
                "elements",
                "a ministry file this deep is a mistake: flatten the layout",
            ),
            Problem::SectionsTooDeep => self.too_deep(
                "sections",
                "a statement this deep is a mistake: flatten its sections",
            ),
            Problem::OptionalsTooDeep => self.too_deep(
                "optional groups",
                "a local code this deep is a mistake: close a group before opening the next",
            ),
            Problem::TooManyTerms => Diagnostic::error(
                Code::LimitExceeded,
                format!("formula longer than {} terms", super::parser::MAX_TERMS),
            )
            .at(self.span, "one term too many")
            .help("sum a range of codes (`sum(51000..51040)`) or split the formula into lines"),
            Problem::StringTooLong(length) => Diagnostic::error(
                Code::LimitExceeded,
                format!(
                    "string of {length} characters, above the limit of {}",
                    crate::syntax::lexical::MAX_STRING_CHARS
                ),
            )
            .at(self.span, "this string")
            .help("a label, header or path this long is a mistake: shorten it"),
            Problem::BadNumber(why) => {
                Diagnostic::error(Code::Syntax, "invalid number").at(self.span, *why)
            }
        }
    }

    /// "expected X, found Y", with a suggestion when Y is close to a keyword.
    fn expected_diagnostic(&self, sources: &Sources) -> Diagnostic {
        let text = &sources.get(self.span.file).text;
        let start = self.span.start as usize;
        let found = found_token(text.get(start..).unwrap_or(""));
        let span = Span::new(self.span.file, start, start + found.len());
        let found = if found.is_empty() {
            "end of file".to_string()
        } else {
            format!("`{found}`")
        };
        let word = found.trim_matches('`');
        let keywords = self
            .expected
            .iter()
            .copied()
            .filter(|e| !e.starts_with("a "));
        let help = match crate::diagnostic::closest(word, keywords) {
            Some(keyword) if keyword != word => format!("did you mean `{keyword}`?"),
            _ => "grammar/REFERENCE.md shows what each construct accepts".to_string(),
        };
        Diagnostic::error(
            Code::Syntax,
            format!("expected {}, found {found}", list(&self.expected)),
        )
        .at(span, "unexpected here")
        .help(help)
    }

    /// A construct nested past the depth bound that keeps the parser's stack small.
    fn too_deep(&self, what: &str, help: &str) -> Diagnostic {
        Diagnostic::error(
            Code::NestingTooDeep,
            format!(
                "{what} nested deeper than {} levels",
                super::parser::MAX_DEPTH
            ),
        )
        .at(self.span, "too deep here")
        .help(help)
    }
}

/// The token at the start of `text`, for "found `x`" messages.
fn found_token(text: &str) -> &str {
    let mut chars = text.char_indices();
    let Some((_, first)) = chars.next() else {
        return "";
    };
    let end = if first.is_alphanumeric() || first == '_' {
        text.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(text.len())
    } else {
        first.len_utf8()
    };
    // At most 40 bytes, cut on a character boundary.
    let end = (0..=end.min(40))
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    &text[..end]
}

fn list(expected: &[&str]) -> String {
    let mut unique: Vec<String> = Vec::new();
    for item in expected {
        let shown = if item.starts_with("a ") || item.starts_with("an ") {
            item.to_string()
        } else {
            format!("`{item}`")
        };
        if !unique.contains(&shown) {
            unique.push(shown);
        }
    }
    match unique.as_slice() {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl<'a> ParseError<Input<'a>> for SyntaxError {
    fn from_error_kind(input: Input<'a>, _kind: ErrorKind) -> Self {
        SyntaxError {
            span: Span::new(
                input.extra,
                input.location_offset(),
                input.location_offset(),
            ),
            expected: Vec::new(),
            problem: Problem::Expected,
        }
    }

    fn append(_input: Input<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    /// Keeps the error that got furthest; at the same place, merges what was expected.
    fn or(mut self, other: Self) -> Self {
        if other.span.start > self.span.start {
            other
        } else if other.span.start == self.span.start && other.problem == self.problem {
            for item in other.expected {
                if !self.expected.contains(&item) {
                    self.expected.push(item);
                }
            }
            self
        } else {
            self
        }
    }
}
