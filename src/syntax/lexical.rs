//! Tokens: whitespace and comments, keywords, symbols, identifiers, codes,
//! strings, numbers, dates and XML names. Every token parser skips the blanks
//! before it.

use super::ast::{Name, Str};
use super::error::{Problem, SyntaxError};
use crate::money::Amount;
use crate::source::Span;
use nom::Err;
use nom_locate::LocatedSpan;

pub type Input<'a> = LocatedSpan<&'a str, crate::source::FileId>;
pub type PResult<'a, T> = nom::IResult<Input<'a>, T, SyntaxError>;

/// Skips spaces, line breaks and `#` comments.
pub fn blanks(input: Input<'_>) -> Input<'_> {
    let text = input.fragment();
    let mut index = 0;
    let bytes = text.as_bytes();
    while index < bytes.len() {
        match bytes[index] {
            b' ' | b'\t' | b'\r' | b'\n' => index += 1,
            b'#' => {
                while index < bytes.len() && bytes[index] != b'\n' {
                    index += 1;
                }
            }
            _ => break,
        }
    }
    take(input, index).0
}

/// Splits `input` after `count` bytes: (rest, taken).
pub fn take(input: Input<'_>, count: usize) -> (Input<'_>, Input<'_>) {
    use nom::Input as _;
    let taken = input.take(count);
    (input.take_from(count), taken)
}

pub fn span_of(input: &Input<'_>, length: usize) -> Span {
    let start = input.location_offset();
    Span::new(input.extra, start, start + length)
}

/// The position right after the blanks, for node spans.
pub fn position(input: Input<'_>) -> usize {
    blanks(input).location_offset()
}

fn fail<'a, T>(input: Input<'a>, expected: &'static str) -> PResult<'a, T> {
    Err(Err::Error(SyntaxError::expected(input, expected)))
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// How many bytes at the start of `text` are characters that `belongs` accepts.
fn run_length(text: &str, belongs: impl Fn(char) -> bool) -> usize {
    text.find(|c: char| !belongs(c)).unwrap_or(text.len())
}

fn word_length(text: &str) -> usize {
    run_length(text, is_ident_char)
}

/// A keyword: the word itself, not followed by an identifier character.
pub fn keyword(word: &'static str) -> impl Fn(Input<'_>) -> PResult<'_, Span> {
    move |input| {
        let input = blanks(input);
        let text = input.fragment();
        if text.starts_with(word) && word_length(text) == word.len() {
            let span = span_of(&input, word.len());
            Ok((take(input, word.len()).0, span))
        } else {
            fail(input, word)
        }
    }
}

/// A punctuation symbol such as `{`, `=>` or `..`.
pub fn symbol(sym: &'static str) -> impl Fn(Input<'_>) -> PResult<'_, Span> {
    move |input| {
        let input = blanks(input);
        if input.fragment().starts_with(sym) {
            let span = span_of(&input, sym.len());
            Ok((take(input, sym.len()).0, span))
        } else {
            fail(input, sym)
        }
    }
}

/// `ident = letter { letter | digit | "_" }`, ASCII only.
pub fn ident(input: Input<'_>) -> PResult<'_, Name> {
    let input = blanks(input);
    let text = input.fragment();
    match text.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => word(input, word_length(text)),
        _ => fail(input, "an identifier"),
    }
}

/// `code = digit { letter | digit }`: a chart code such as `11000`.
pub fn code(input: Input<'_>) -> PResult<'_, Name> {
    let input = blanks(input);
    let text = input.fragment();
    match text.chars().next() {
        Some(c) if c.is_ascii_digit() => {
            word(input, run_length(text, |c| c.is_ascii_alphanumeric()))
        }
        _ => fail(input, "a code"),
    }
}

fn word(input: Input<'_>, length: usize) -> PResult<'_, Name> {
    let span = span_of(&input, length);
    let (rest, taken) = take(input, length);
    Ok((
        rest,
        Name {
            text: taken.fragment().to_string(),
            span,
        },
    ))
}

/// `value = ident | code | string`.
pub fn value(input: Input<'_>) -> PResult<'_, Name> {
    let start = blanks(input);
    match start.fragment().chars().next() {
        Some('"') => {
            let (rest, string) = string(start)?;
            Ok((
                rest,
                Name {
                    text: string.value,
                    span: string.span,
                },
            ))
        }
        Some(c) if c.is_ascii_digit() => code(start),
        Some(c) if c.is_ascii_alphabetic() || c == '_' => ident(start),
        _ => fail(start, "a value"),
    }
}

/// `integer = digit { digit }`.
pub fn integer(input: Input<'_>) -> PResult<'_, Name> {
    let input = blanks(input);
    let text = input.fragment();
    let length = run_length(text, |c| c.is_ascii_digit());
    if length == 0 {
        return fail(input, "a whole number");
    }
    word(input, length)
}

/// An integer that fits in `u32`.
pub fn small_integer(input: Input<'_>) -> PResult<'_, (u32, Span)> {
    let (rest, name) = integer(input)?;
    match name.text.parse::<u32>() {
        Ok(number) => Ok((rest, (number, name.span))),
        Err(_) => Err(Err::Failure(SyntaxError::at(
            name.span,
            Problem::BadNumber("this number is too large"),
        ))),
    }
}

/// `decimal = digit { digit } [ "." digit { digit } ]`, read exactly.
pub fn decimal(input: Input<'_>) -> PResult<'_, (Amount, Span)> {
    let input = blanks(input);
    let text = input.fragment();
    let whole = run_length(text, |c| c.is_ascii_digit());
    if whole == 0 {
        return fail(input, "a number");
    }
    let mut length = whole;
    if let Some(after) = text[whole..].strip_prefix('.') {
        let fraction = run_length(after, |c| c.is_ascii_digit());
        if fraction > 0 {
            length += 1 + fraction;
        }
    }
    let span = span_of(&input, length);
    match Amount::parse_plain(&text[..length]) {
        Some(amount) => Ok((take(input, length).0, (amount, span))),
        None => Err(Err::Failure(SyntaxError::at(
            span,
            Problem::BadNumber("a number has at most 28 significant digits"),
        ))),
    }
}

/// `date = digit digit digit digit "-" digit digit "-" digit digit`: the
/// token is every character a date could be mistyped with (`2025/07/01`,
/// `2025-7-1`), so that `check` can refuse the whole of it with a hint
/// instead of the parser stopping in the middle.
pub fn date(input: Input<'_>) -> PResult<'_, Name> {
    let input = blanks(input);
    let text = input.fragment();
    match text.chars().next() {
        Some(c) if c.is_ascii_digit() => {
            let length = run_length(text, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.')
            });
            word(input, length)
        }
        _ => fail(input, "a date (YYYY-MM-DD)"),
    }
}

/// `xml_name = name_char { name_char }`: a run of characters up to a blank or
/// one of `{ } = " # , ( )`. Whether it is a valid XML name is checked later,
/// with its location, rather than refused here as a syntax error.
pub fn xml_name(input: Input<'_>) -> PResult<'_, Name> {
    let input = blanks(input);
    let length = run_length(input.fragment(), |c| {
        !(c.is_whitespace() || "{}=\"#,()".contains(c))
    });
    if length == 0 {
        return fail(input, "an XML name");
    }
    word(input, length)
}

/// The longest string a specification may hold, in characters: a label is
/// printed whole in every output, and none needs more.
pub const MAX_STRING_CHARS: usize = 4_096;

/// `string = '"' { char | escape } '"'`, on one line, of at most
/// [`MAX_STRING_CHARS`] characters.
pub fn string(input: Input<'_>) -> PResult<'_, Str> {
    let input = blanks(input);
    let text = input.fragment();
    if !text.starts_with('"') {
        return fail(input, "a string");
    }
    let mut value = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => {
                let span = span_of(&input, index + 1);
                let length = value.chars().count();
                if length > MAX_STRING_CHARS {
                    let problem = Problem::StringTooLong(length);
                    return Err(Err::Failure(SyntaxError::at(span, problem)));
                }
                return Ok((take(input, index + 1).0, Str { value, span }));
            }
            '\n' | '\r' => break,
            '\\' => match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((end, other)) => {
                    let start = input.location_offset() + index;
                    let span =
                        Span::new(input.extra, start, start + end - index + other.len_utf8());
                    return Err(Err::Failure(SyntaxError::at(span, Problem::InvalidEscape)));
                }
                None => break,
            },
            other => value.push(other),
        }
    }
    Err(Err::Failure(SyntaxError::at(
        span_of(&input, 1),
        Problem::UnterminatedString,
    )))
}
