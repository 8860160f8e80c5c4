//! Dates in an export's declared pattern: `%Y`, `%m`, `%d` and literal characters.

use chrono::NaiveDate;
use std::fmt;

/// A date pattern: `%Y` (four digits), `%m` and `%d` (exactly two digits each),
/// `%%` (a literal `%`) and any other character taken literally.
#[derive(Clone, PartialEq, Eq)]
pub struct DateFormat {
    pattern: String,
    items: Vec<Item>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Item {
    Year,
    Month,
    Day,
    Literal(char),
}

/// Why a cell is not a date.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DateError {
    /// The cell is empty (after trimming spaces).
    Empty,
    /// The cell does not follow the pattern: `2025-1-5` for `%Y-%m-%d`.
    Format,
    /// The pattern matches but the day does not exist: `31/02/2025`.
    NotCalendar,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateError::Empty => "the date is empty",
            DateError::Format => "not a date in this format",
            DateError::NotCalendar => "not a calendar date",
        })
    }
}

impl DateFormat {
    /// Parses a pattern; the error is a message for a diagnostic.
    pub fn parse(pattern: &str) -> Result<DateFormat, String> {
        let mut items = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                items.push(Item::Literal(c));
                continue;
            }
            items.push(match chars.next() {
                Some('Y') => Item::Year,
                Some('m') => Item::Month,
                Some('d') => Item::Day,
                Some('%') => Item::Literal('%'),
                Some(other) => {
                    return Err(format!(
                        "unknown directive `%{other}` in date format `{pattern}`: only %Y, %m and %d are supported"
                    ));
                }
                None => {
                    return Err(format!(
                        "date format `{pattern}` ends with a lone `%`; write `%%` for a literal `%`"
                    ));
                }
            });
        }
        for (item, name) in [(Item::Year, "%Y"), (Item::Month, "%m"), (Item::Day, "%d")] {
            let count = items.iter().filter(|i| **i == item).count();
            if count != 1 {
                let how = if count == 0 { "lacks" } else { "repeats" };
                return Err(format!(
                    "date format `{pattern}` {how} `{name}`: it needs %Y, %m and %d once each"
                ));
            }
        }
        Ok(DateFormat {
            pattern: pattern.to_string(),
            items,
        })
    }

    /// The pattern as declared.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Reads a date written exactly in the pattern, `None` otherwise.
    pub fn read(&self, text: &str) -> Option<NaiveDate> {
        self.read_detailed(text).ok()
    }

    /// Reads a date (surrounding spaces trimmed), saying why it is not one.
    pub fn read_detailed(&self, text: &str) -> Result<NaiveDate, DateError> {
        let text = text.trim_matches(|c| c == ' ' || c == '\t');
        if text.is_empty() {
            return Err(DateError::Empty);
        }
        let mut chars = text.chars();
        let (mut year, mut month, mut day) = (0i32, 0u32, 0u32);
        for item in &self.items {
            match *item {
                Item::Year => year = digits(&mut chars, 4).ok_or(DateError::Format)? as i32,
                Item::Month => month = digits(&mut chars, 2).ok_or(DateError::Format)?,
                Item::Day => day = digits(&mut chars, 2).ok_or(DateError::Format)?,
                Item::Literal(c) => {
                    if chars.next() != Some(c) {
                        return Err(DateError::Format);
                    }
                }
            }
        }
        if chars.next().is_some() {
            return Err(DateError::Format);
        }
        NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::NotCalendar)
    }

    /// 31 January 2025 written in the pattern, for help texts.
    pub fn example(&self) -> String {
        self.items
            .iter()
            .map(|item| match item {
                Item::Year => "2025".to_string(),
                Item::Month => "01".to_string(),
                Item::Day => "31".to_string(),
                Item::Literal(c) => c.to_string(),
            })
            .collect()
    }
}

impl Default for DateFormat {
    /// `%Y-%m-%d`.
    fn default() -> DateFormat {
        DateFormat {
            pattern: "%Y-%m-%d".to_string(),
            items: vec![
                Item::Year,
                Item::Literal('-'),
                Item::Month,
                Item::Literal('-'),
                Item::Day,
            ],
        }
    }
}

impl fmt::Debug for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateFormat({:?})", self.pattern)
    }
}

/// Exactly `count` ASCII digits as a number (at most 4 digits, so no overflow).
fn digits(chars: &mut std::str::Chars<'_>, count: usize) -> Option<u32> {
    let mut value = 0u32;
    for _ in 0..count {
        let digit = chars.next()?.to_digit(10)?;
        value = value * 10 + digit;
    }
    Some(value)
}

#[cfg(test)]
#[path = "tests/date.rs"]
mod tests;
