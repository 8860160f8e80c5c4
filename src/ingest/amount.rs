//! Amounts in an export's dialect, read by a strict grammar: no floats, no rounding.
//!
//! ```text
//! amount   = [ "-" ] integer [ mark decimals ]
//! integer  = digits | group1 { sep group3 }      (* group1: 1-3 digits, group3: exactly 3 *)
//! decimals = 1 to 6 digits
//! ```
//! `mark` is the dialect's decimal mark; `sep` its thousands character (when it
//! is a space, U+00A0 and U+202F are accepted too, one kind per number).
//! Surrounding spaces are trimmed. Digits are ASCII only.

use super::{DecimalMark, Dialect};
use crate::money::{Amount, MAX_DIGITS};
use std::fmt;

/// The most decimals an amount cell may carry.
pub const MAX_DECIMALS: usize = 6;

/// Why a cell is not an amount in the dialect.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AmountError {
    /// Nothing but spaces.
    Empty,
    /// Anything outside the grammar: `1e5`, `+1`, `12,34,5`, `(5)`.
    NotANumber,
    /// Thousands groups that are not of three digits: `1 23 456`.
    BadGrouping,
    /// More than [`MAX_DECIMALS`] digits after the decimal mark.
    TooManyDecimals,
    /// More than [`MAX_DIGITS`] significant digits.
    TooManyDigits,
    /// The dialect's thousands character is its decimal mark: nothing can be read.
    AmbiguousDialect,
}

impl AmountError {
    /// The end of a sentence that starts with "amount `…`".
    pub fn reason(self) -> String {
        match self {
            AmountError::Empty => "is empty".to_string(),
            AmountError::NotANumber => "is not a number in this format".to_string(),
            AmountError::BadGrouping => {
                "is not a number in this format: thousands are grouped by three".to_string()
            }
            AmountError::TooManyDecimals => format!("has more than {MAX_DECIMALS} decimals"),
            AmountError::TooManyDigits => format!("has more than {MAX_DIGITS} significant digits"),
            AmountError::AmbiguousDialect => {
                "cannot be read: the format's thousands character is its decimal mark".to_string()
            }
        }
    }
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the amount {}", self.reason())
    }
}

/// The characters trimmed around a cell.
pub(crate) fn is_cell_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{202f}')
}

/// Parses an amount cell in the dialect.
pub fn parse_amount(cell: &str, dialect: &Dialect) -> Result<Amount, AmountError> {
    let mark = dialect.decimal.char();
    if dialect.thousands == Some(mark) {
        return Err(AmountError::AmbiguousDialect);
    }
    let text = cell.trim_matches(is_cell_space);
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (integer, fraction) = match unsigned.split_once(mark) {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    if let Some(fraction) = fraction {
        if !all_digits(fraction) {
            return Err(AmountError::NotANumber);
        }
        if fraction.len() > MAX_DECIMALS {
            return Err(AmountError::TooManyDecimals);
        }
    }
    let fraction = fraction.unwrap_or("");
    let digits = integer_digits(integer, dialect.thousands)?;
    let whole = digits.trim_start_matches('0');
    if whole.len() + fraction.len() > MAX_DIGITS {
        return Err(AmountError::TooManyDigits);
    }
    let mut plain = String::with_capacity(whole.len() + fraction.len() + 3);
    if negative {
        plain.push('-');
    }
    plain.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        plain.push('.');
        plain.push_str(fraction);
    }
    Amount::parse_plain(&plain).ok_or(AmountError::TooManyDigits)
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// The digits of the integer part, checking the grouping.
fn integer_digits(integer: &str, thousands: Option<char>) -> Result<String, AmountError> {
    let is_separator = |c: char| match thousands {
        Some(' ') => matches!(c, ' ' | '\u{a0}' | '\u{202f}'),
        Some(t) => c == t,
        None => false,
    };
    let mut separators = integer.chars().filter(|c| is_separator(*c));
    let Some(first_separator) = separators.next() else {
        return if all_digits(integer) {
            Ok(integer.to_string())
        } else {
            Err(AmountError::NotANumber)
        };
    };
    let mut groups = integer.split(is_separator);
    let first = groups.next().unwrap_or("");
    if !all_digits(first) || !groups.clone().all(all_digits) {
        return Err(AmountError::NotANumber);
    }
    if separators.any(|c| c != first_separator) {
        return Err(AmountError::BadGrouping);
    }
    if first.len() > 3 || groups.clone().any(|group| group.len() != 3) {
        return Err(AmountError::BadGrouping);
    }
    Ok(std::iter::once(first).chain(groups).collect())
}

/// One line describing the dialect's amounts, for help texts.
pub fn amount_help(dialect: &Dialect) -> String {
    let mark = dialect.decimal.char();
    let example = match dialect.thousands {
        Some(t) => format!("1{t}234{t}567{mark}89"),
        None => format!("1234567{mark}89"),
    };
    let thousands = match dialect.thousands {
        Some(' ') => " and ' ' between thousands (or a no-break space)".to_string(),
        Some(t) => format!(" and '{t}' between thousands"),
        None => String::new(),
    };
    format!(
        "expected digits with '{mark}' as decimal mark{thousands}, like {example} or -{example}"
    )
}

/// A short explanation of a common mistake in `cell`, if one is recognised.
pub fn amount_hint(cell: &str, dialect: &Dialect) -> Option<String> {
    let text = cell.trim_matches(is_cell_space);
    let other_mark = match dialect.decimal {
        DecimalMark::Point => ',',
        DecimalMark::Comma => '.',
    };
    if text.starts_with('+') {
        Some("remove the `+`: positive amounts carry no sign".to_string())
    } else if text.starts_with('(') || text.ends_with(')') {
        Some("write a negative amount with a leading `-`, not in parentheses".to_string())
    } else if text.starts_with('\u{2212}') || (text.ends_with('-') && text.len() > 1) {
        Some("write a negative amount with a leading `-` (ASCII hyphen-minus)".to_string())
    } else if text.contains(['$', '€']) {
        Some("remove the currency sign".to_string())
    } else if text.starts_with('#') {
        Some("the cell holds a spreadsheet error (`#REF!`, `#VALUE!`…): fix the sheet and export again".to_string())
    } else if text.contains(['e', 'E'])
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ".,-+eE".contains(c))
    {
        Some(
            "the cell looks like a spreadsheet's scientific notation; export the full number"
                .to_string(),
        )
    } else if text.contains(other_mark) && dialect.thousands != Some(other_mark) {
        Some(format!(
            "`{other_mark}` is not used in this format's amounts; its decimal mark is `{}`",
            dialect.decimal.char()
        ))
    } else {
        None
    }
}

#[cfg(test)]
#[path = "tests/amount.rs"]
mod tests;
