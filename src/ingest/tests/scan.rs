use super::*;
use proptest::prelude::*;

fn values(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    Scanner::new(text, delimiter, b'"')
        .map(|record| record.cells.into_iter().map(|cell| cell.value).collect())
        .collect()
}

fn csv_values(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn lines_and_terminators() {
    let lines = Lines::new("a\r\nb\n\nc\rd");
    assert_eq!(lines.spans, vec![(0, 1), (3, 4), (5, 5), (6, 7), (8, 9)]);
    assert_eq!(lines.index_of(2), 0);
    assert_eq!(lines.index_of(5), 2);
    assert_eq!(lines.index_of(8), 4);
    assert_eq!(Lines::new("a\n").len(), 1);
    assert_eq!(Lines::new("").len(), 0);
    assert_eq!(Lines::new("\n\n").len(), 2);
}

#[test]
fn cells_know_their_quotes() {
    let text = "a,\"b,\"\"c\"\"\",\"x\ny\"\n\"open\"tail,\"never";
    let records: Vec<_> = Scanner::new(text, b',', b'"').collect();
    assert_eq!(records.len(), 2);
    let first = &records[0];
    assert_eq!(first.cells[1].value, "b,\"c\"");
    assert_eq!(first.cells[1].start, 2);
    assert_eq!(first.cells[2].value, "x\ny");
    assert!(first.cells[2].quote.unwrap().multiline);
    let second = &records[1];
    assert_eq!(second.cells[0].value, "opentail");
    assert_eq!(
        second.cells[0].quote.unwrap().trailing,
        Some(text.find("tail").unwrap())
    );
    assert_eq!(second.cells[1].quote.unwrap().close, None);
    assert_eq!(second.cells[1].value, "never");
    assert_eq!(values(text, b','), csv_values(text, b','));
}

proptest! {
    #[test]
    fn agrees_with_the_csv_crate(text in "[a;,\"\r\n é]{0,40}") {
        prop_assert_eq!(values(&text, b';'), csv_values(&text, b';'));
        prop_assert_eq!(values(&text, b','), csv_values(&text, b','));
    }
}
