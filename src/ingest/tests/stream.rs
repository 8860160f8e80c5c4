use super::blocks::record_boundary;
use super::cells::simple_amount;
use super::*;
use crate::ingest::{Amounts, ColumnRef, DecimalMark, Posting, parse_amount};
use crate::source::{Sources, Span};
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
    let millionths = |text: &[u8], mark| simple_amount(text, mark).map(Millionths::count);
    assert_eq!(millionths(b"1234.56", b'.'), Some(1_234_560_000));
    assert_eq!(millionths(b"-0.000001", b'.'), Some(-1));
    assert_eq!(millionths(b"007", b'.'), Some(7_000_000));
    assert_eq!(millionths(b"12,5", b','), Some(12_500_000));
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
            prop_assert_eq!(Millionths::from_amount(amount), Some(value));
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

/// The records of one core, as (line, account, amount).
#[derive(Default)]
struct Collect(Vec<(Position, String, Millionths)>);

impl Fold for Collect {
    fn take(&mut self, record: &Record<'_>) -> Result<(), Doubt> {
        self.0
            .push((record.at, record.account.to_string(), record.amount));
        Ok(())
    }
}

fn column(header: &str) -> ColumnRef {
    ColumnRef {
        headers: vec![header.to_string()],
        joined: String::new(),
        span: Span::new(crate::source::FileId(0), 0, 0),
    }
}

#[test]
fn bytes_in_memory_are_streamed_like_a_file() {
    let bytes = b"Date;Compte;Montant\n2024-07-01;5210;12,50\n\n2024-07-02;4110;-12,50\n";
    let dialect = Dialect {
        delimiter: b';',
        decimal: DecimalMark::Comma,
        ..Dialect::default()
    };
    let layout = Layout::new(
        column("Date"),
        column("Compte"),
        Amounts::Signed(column("Montant")),
    );
    let limits = Limits::default();
    let input = Input {
        index: 0,
        dialect: &dialect,
        layout: &layout,
        limits: &limits,
        hash: true,
        progress: None,
        cancelled: None,
        block: 16,
    };
    let mut folds = [Collect::default(), Collect::default()];
    let streamed = stream(&input, &bytes[..], &mut folds).expect("well-formed");
    let mut fast: Vec<(usize, String, Millionths)> = folds
        .into_iter()
        .flat_map(|fold| fold.0)
        .map(|(at, account, amount)| (streamed.line(at), account, amount))
        .collect();
    fast.sort();
    let mut precise = Vec::new();
    let mut sink = |posting: &Posting<'_>| {
        let amount = Millionths::from_amount(posting.amount).unwrap_or_default();
        precise.push((posting.line, posting.account.to_string(), amount));
        Ok(())
    };
    let summary = crate::ingest::read_export(
        "gl.csv",
        bytes,
        &dialect,
        &layout,
        &mut Sources::default(),
        &mut sink,
    )
    .expect("read");
    assert_eq!(fast, precise);
    assert_eq!(streamed.summary, summary);
    assert_eq!(streamed.bytes, bytes.len() as u64);
    assert_eq!(streamed.sha256, Some(crate::digest::sha256(bytes)));
}

#[test]
fn a_source_past_the_size_limit_is_a_doubt() {
    let bytes = b"Date,Compte,Montant\n2024-07-01,5210,1\n";
    let layout = Layout::new(
        column("Date"),
        column("Compte"),
        Amounts::Signed(column("Montant")),
    );
    let limits = Limits {
        ledger_file_bytes: 30,
        ..Limits::default()
    };
    let input = Input {
        index: 0,
        dialect: &Dialect::default(),
        layout: &layout,
        limits: &limits,
        hash: false,
        progress: None,
        cancelled: None,
        block: BLOCK,
    };
    let result = stream(&input, &bytes[..], &mut [Collect::default()]);
    assert_eq!(result.err(), Some(Doubt("file above the size limit")));
}
