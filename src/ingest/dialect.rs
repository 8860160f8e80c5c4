//! How an export is written (delimiter, quote, decimal mark, thousands,
//! encoding, date pattern), and the one builder of a dialect from written
//! option values, whether a format's `delimiter ";"` or the command line's
//! `--delimiter ';'`. Each caller words the refusals in its own terms.

use super::DateFormat;

/// The character encoding of an export.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    Windows1252,
}

impl Encoding {
    /// `utf-8` (or `utf8`) and `windows-1252` (or `cp1252`, Excel's ANSI on
    /// French Windows), in any case.
    pub fn parse(name: &str) -> Option<Encoding> {
        match name.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "windows-1252" | "cp1252" => Some(Encoding::Windows1252),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// The character between the units and the decimals of an amount.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum DecimalMark {
    #[default]
    Point,
    Comma,
}

impl DecimalMark {
    /// `.` or `,`.
    pub fn parse(text: &str) -> Option<DecimalMark> {
        match text {
            "." => Some(DecimalMark::Point),
            "," => Some(DecimalMark::Comma),
            _ => None,
        }
    }

    pub fn char(self) -> char {
        match self {
            DecimalMark::Point => '.',
            DecimalMark::Comma => ',',
        }
    }
}

/// How an export is written.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Dialect {
    pub delimiter: u8,
    pub quote: u8,
    pub decimal: DecimalMark,
    pub thousands: Option<char>,
    pub encoding: Encoding,
    pub date: DateFormat,
}

impl Default for Dialect {
    /// The defaults of a `format` block: `,` `"` `.`, no thousands, UTF-8, `%Y-%m-%d`.
    fn default() -> Dialect {
        Dialect {
            delimiter: b',',
            quote: b'"',
            decimal: DecimalMark::Point,
            thousands: None,
            encoding: Encoding::Utf8,
            date: DateFormat::default(),
        }
    }
}

/// One option of a dialect.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DialectOption {
    /// The ASCII character between cells.
    Delimiter,
    /// The ASCII character around a cell that holds the delimiter or a line break.
    Quote,
    /// `.` or `,` between the units and the decimals.
    Decimal,
    /// A character between groups of three digits, if any.
    Thousands,
    /// `utf-8` or `windows-1252`.
    Encoding,
    /// The pattern of dates (`%d/%m/%Y`).
    Date,
}

impl DialectOption {
    /// The option's name, the same in a format and as a flag.
    pub fn name(self) -> &'static str {
        match self {
            DialectOption::Delimiter => "delimiter",
            DialectOption::Quote => "quote",
            DialectOption::Decimal => "decimal",
            DialectOption::Thousands => "thousands",
            DialectOption::Encoding => "encoding",
            DialectOption::Date => "date",
        }
    }
}

/// Why a written value cannot set an option.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Refusal {
    /// A delimiter or quote that is not one ASCII character, a thousands
    /// separator that is not one character.
    NotOneCharacter,
    /// A decimal mark other than `.` and `,`.
    NotADecimalMark,
    UnknownEncoding,
    /// A date pattern that cannot be read, and why.
    DatePattern(String),
}

impl Dialect {
    /// Sets one option from its written value. Options that only conflict
    /// with each other (a delimiter that is the quote) are left to
    /// [`Dialect::validate`], once every option is set.
    pub fn set(&mut self, option: DialectOption, value: &str) -> Result<(), Refusal> {
        match option {
            DialectOption::Delimiter => self.delimiter = one_ascii(value)?,
            DialectOption::Quote => self.quote = one_ascii(value)?,
            DialectOption::Decimal => {
                self.decimal = DecimalMark::parse(value).ok_or(Refusal::NotADecimalMark)?;
            }
            DialectOption::Thousands => {
                let mut chars = value.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => self.thousands = Some(c),
                    _ => return Err(Refusal::NotOneCharacter),
                }
            }
            DialectOption::Encoding => {
                self.encoding = Encoding::parse(value).ok_or(Refusal::UnknownEncoding)?;
            }
            DialectOption::Date => {
                self.date = DateFormat::parse(value).map_err(Refusal::DatePattern)?;
            }
        }
        Ok(())
    }

    /// Whether the options can be read together; the error is a message for a
    /// diagnostic at the format (the format checker should call this).
    pub fn validate(&self) -> Result<(), String> {
        let fits = |byte: u8| byte.is_ascii() && !matches!(byte, b'\r' | b'\n' | 0);
        if !fits(self.delimiter) {
            return Err("the delimiter must be one ASCII character other than a line break".into());
        }
        if !fits(self.quote) {
            return Err("the quote must be one ASCII character other than a line break".into());
        }
        if self.delimiter == self.quote {
            return Err(format!(
                "the delimiter and the quote are both `{}`",
                char::from(self.delimiter)
            ));
        }
        if let Some(t) = self.thousands {
            if t == self.decimal.char() {
                return Err(format!(
                    "the thousands character and the decimal mark are both `{t}`"
                ));
            }
            if t.is_ascii_digit() || t == '-' || t == '\r' || t == '\n' {
                return Err(format!("`{t}` cannot separate thousands"));
            }
        }
        Ok(())
    }
}

/// The byte of a value that is one ASCII character.
fn one_ascii(value: &str) -> Result<u8, Refusal> {
    match value.as_bytes() {
        [byte] if byte.is_ascii() => Ok(*byte),
        _ => Err(Refusal::NotOneCharacter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_set_from_their_written_values() {
        let mut dialect = Dialect::default();
        for (option, value) in [
            (DialectOption::Delimiter, ";"),
            (DialectOption::Decimal, ","),
            (DialectOption::Thousands, " "),
            (DialectOption::Encoding, "CP1252"),
            (DialectOption::Date, "%d/%m/%Y"),
        ] {
            assert_eq!(dialect.set(option, value), Ok(()), "{}", option.name());
        }
        assert_eq!(dialect.delimiter, b';');
        assert_eq!(dialect.encoding, Encoding::Windows1252);
        assert_eq!(dialect.validate(), Ok(()));
    }

    #[test]
    fn refusals_say_which_rule() {
        let mut dialect = Dialect::default();
        let refused = [
            (DialectOption::Delimiter, ";;", Refusal::NotOneCharacter),
            (DialectOption::Quote, "«", Refusal::NotOneCharacter),
            (DialectOption::Thousands, "", Refusal::NotOneCharacter),
            (DialectOption::Decimal, "·", Refusal::NotADecimalMark),
            (DialectOption::Encoding, "latin-9", Refusal::UnknownEncoding),
        ];
        for (option, value, refusal) in refused {
            assert_eq!(dialect.set(option, value), Err(refusal), "{value}");
        }
        assert!(matches!(
            dialect.set(DialectOption::Date, "%Q"),
            Err(Refusal::DatePattern(_))
        ));
        assert_eq!(dialect, Dialect::default(), "a refused value sets nothing");
    }
}
