use super::*;
use crate::ingest::{DateFormat, Encoding};

fn dialect(decimal: DecimalMark, thousands: Option<char>) -> Dialect {
    Dialect {
        delimiter: b';',
        quote: b'"',
        decimal,
        thousands,
        encoding: Encoding::Utf8,
        date: DateFormat::default(),
    }
}

fn ok(cell: &str, dialect: &Dialect) -> String {
    match parse_amount(cell, dialect) {
        Ok(amount) => amount.to_string(),
        Err(error) => panic!("{cell:?}: {error}"),
    }
}

#[test]
fn point_without_thousands() {
    let d = dialect(DecimalMark::Point, None);
    assert_eq!(ok("1234.56", &d), "1234.56");
    assert_eq!(ok("-1234.5", &d), "-1234.5");
    assert_eq!(ok("  42 ", &d), "42");
    assert_eq!(ok("0.000001", &d), "0.000001");
    assert_eq!(ok("-0", &d), "0");
    assert_eq!(ok("007.10", &d), "7.1");
    let err = |cell: &str| parse_amount(cell, &d).unwrap_err();
    assert_eq!(err("1,234.56"), AmountError::NotANumber);
    assert_eq!(err("1 234.56"), AmountError::NotANumber);
    assert_eq!(err("1e5"), AmountError::NotANumber);
    assert_eq!(err("+1"), AmountError::NotANumber);
    assert_eq!(err("1."), AmountError::NotANumber);
    assert_eq!(err(".5"), AmountError::NotANumber);
    assert_eq!(err("1.2.3"), AmountError::NotANumber);
    assert_eq!(err("--1"), AmountError::NotANumber);
    assert_eq!(err("\u{2212}1"), AmountError::NotANumber);
    assert_eq!(err("1-"), AmountError::NotANumber);
    assert_eq!(err("(5.00)"), AmountError::NotANumber);
    assert_eq!(err("٣"), AmountError::NotANumber);
    assert_eq!(err("1_000"), AmountError::NotANumber);
    assert_eq!(err(""), AmountError::Empty);
    assert_eq!(err("   "), AmountError::Empty);
    assert_eq!(err("-"), AmountError::NotANumber);
    assert_eq!(err("1.1234567"), AmountError::TooManyDecimals);
}

#[test]
fn comma_with_space_thousands() {
    let d = dialect(DecimalMark::Comma, Some(' '));
    assert_eq!(ok("1 234 567,89", &d), "1234567.89");
    assert_eq!(ok("1\u{a0}234,5", &d), "1234.5");
    assert_eq!(
        ok("-12\u{202f}345\u{202f}678,000001", &d),
        "-12345678.000001"
    );
    assert_eq!(ok("1234567,89", &d), "1234567.89");
    assert_eq!(ok("999", &d), "999");
    let err = |cell: &str| parse_amount(cell, &d).unwrap_err();
    assert_eq!(err("1 23 456"), AmountError::BadGrouping);
    assert_eq!(err("1234 567"), AmountError::BadGrouping);
    assert_eq!(err("1 234\u{a0}567"), AmountError::BadGrouping);
    assert_eq!(err("12,34,5"), AmountError::NotANumber);
    assert_eq!(err("1 234.56"), AmountError::NotANumber);
    assert_eq!(err("1  234"), AmountError::NotANumber);
    assert_eq!(err(" 234,5x"), AmountError::NotANumber);
    assert_eq!(err("1 234,"), AmountError::NotANumber);
    assert_eq!(err("- 5"), AmountError::NotANumber);
}

#[test]
fn comma_thousands_with_point_decimal() {
    let d = dialect(DecimalMark::Point, Some(','));
    assert_eq!(ok("1,234,567.89", &d), "1234567.89");
    assert_eq!(ok("-1,000", &d), "-1000");
    assert_eq!(ok("1234.5", &d), "1234.5");
    let err = |cell: &str| parse_amount(cell, &d).unwrap_err();
    assert_eq!(err("12,34,5"), AmountError::BadGrouping);
    assert_eq!(err("1,234.567,8"), AmountError::NotANumber);
    assert_eq!(err(",123"), AmountError::NotANumber);
    assert_eq!(err("1 234.5"), AmountError::NotANumber);
    let dot_thousands = dialect(DecimalMark::Comma, Some('.'));
    assert_eq!(ok("1.234.567,89", &dot_thousands), "1234567.89");
    let ambiguous = dialect(DecimalMark::Comma, Some(','));
    assert_eq!(
        parse_amount("1", &ambiguous),
        Err(AmountError::AmbiguousDialect)
    );
}

#[test]
fn digit_limits_never_round() {
    let d = dialect(DecimalMark::Point, None);
    let max = "9".repeat(28);
    assert_eq!(ok(&max, &d), max);
    assert_eq!(
        ok(&format!("{}.123456", "9".repeat(22)), &d),
        format!("{}.123456", "9".repeat(22))
    );
    assert_eq!(
        parse_amount(&"9".repeat(29), &d),
        Err(AmountError::TooManyDigits)
    );
    assert_eq!(
        parse_amount(&format!("{}.1234567", "9".repeat(2)), &d),
        Err(AmountError::TooManyDecimals)
    );
    assert_eq!(
        parse_amount(&format!("{}.12", "9".repeat(27)), &d),
        Err(AmountError::TooManyDigits)
    );
    // Leading zeros are not significant.
    assert_eq!(ok(&format!("{}1.5", "0".repeat(60)), &d), "1.5");
}

#[test]
fn help_describes_the_dialect() {
    assert_eq!(
        amount_help(&dialect(DecimalMark::Comma, Some(' '))),
        "expected digits with ',' as decimal mark and ' ' between thousands (or a no-break space), like 1 234 567,89 or -1 234 567,89"
    );
    assert_eq!(
        amount_help(&dialect(DecimalMark::Point, None)),
        "expected digits with '.' as decimal mark, like 1234567.89 or -1234567.89"
    );
    let d = dialect(DecimalMark::Comma, None);
    assert!(
        amount_hint("1234.5", &d)
            .unwrap()
            .contains("decimal mark is `,`")
    );
    assert!(amount_hint("+1", &d).unwrap().contains('+'));
    assert!(amount_hint("(1)", &d).unwrap().contains("parentheses"));
    assert!(amount_hint("1E+03", &d).unwrap().contains("scientific"));
    assert_eq!(amount_hint("12,34,5", &d), None);
}
