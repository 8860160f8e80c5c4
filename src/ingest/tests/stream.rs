use super::*;
use crate::ingest::{DecimalMark, parse_amount};
use proptest::prelude::*;

fn dialect(mark: DecimalMark, thousands: Option<char>) -> Dialect {
    Dialect {
        decimal: mark,
        thousands,
        ..Dialect::default()
    }
}

#[test]
fn simple_amounts_are_read_in_millionths() {
    assert_eq!(simple_amount(b"1234.56", b'.'), Some(1_234_560_000));
    assert_eq!(simple_amount(b"-0.000001", b'.'), Some(-1));
    assert_eq!(simple_amount(b"007", b'.'), Some(7_000_000));
    assert_eq!(simple_amount(b"12,5", b','), Some(12_500_000));
    for other in [
        "",
        "-",
        "1.",
        ".5",
        "1.2.3",
        "1 234",
        "+1",
        "1.1234567",
        "1e5",
    ] {
        assert_eq!(simple_amount(other.as_bytes(), b'.'), None, "{other}");
    }
    // Eighteen characters at most: longer ones go to the full grammar.
    assert_eq!(simple_amount(b"1234567890123456789", b'.'), None);
}

proptest! {
    /// Whatever the shortcut reads, the full grammar reads the same value.
    #[test]
    fn the_shortcut_agrees_with_the_grammar(text in "-?[0-9]{0,20}([.,][0-9]{0,8})?", comma in any::<bool>()) {
        let (mark, byte) = if comma { (DecimalMark::Comma, b',') } else { (DecimalMark::Point, b'.') };
        if let Some(value) = simple_amount(text.as_bytes(), byte) {
            let amount = parse_amount(&text, &dialect(mark, None)).expect("the grammar reads it too");
            prop_assert_eq!(amount.scaled(SCALE), Some(value));
        }
    }
}

#[test]
fn blocks_are_cut_after_a_line_outside_quotes() {
    assert_eq!(record_boundary(b"a,b\nc,d\ne", b'"'), Some(8));
    assert_eq!(record_boundary(b"a,\"x\ny\"\nb", b'"'), Some(8));
    // The last line break is inside an open quote: cut before that record.
    assert_eq!(record_boundary(b"a,b\nc,\"x\ny", b'"'), Some(4));
    assert_eq!(record_boundary(b"a,\"x\ny", b'"'), None);
    assert_eq!(record_boundary(b"no line break", b'"'), None);
}
