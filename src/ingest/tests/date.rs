use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn reads_exactly_the_pattern() {
    let iso = DateFormat::parse("%Y-%m-%d").unwrap();
    assert_eq!(iso, DateFormat::default());
    assert_eq!(iso.read("2024-07-01"), Some(date(2024, 7, 1)));
    assert_eq!(iso.read(" 2024-07-01 "), Some(date(2024, 7, 1)));
    let fr = DateFormat::parse("%d/%m/%Y").unwrap();
    assert_eq!(fr.read("30/06/2025"), Some(date(2025, 6, 30)));
    assert_eq!(fr.example(), "31/01/2025");
    let compact = DateFormat::parse("%Y%m%d").unwrap();
    assert_eq!(compact.read("20250131"), Some(date(2025, 1, 31)));
    for bad in [
        "2024-7-01",
        "2024-07-1",
        "24-07-01",
        "2024/07/01",
        "2024-07-01x",
        "2024-07-0",
        "２０２４-07-01",
        "2024-07-01 00:00",
        "",
    ] {
        assert!(iso.read(bad).is_none(), "{bad}");
    }
    assert_eq!(iso.read_detailed("2024-7-01"), Err(DateError::Format));
    assert_eq!(iso.read_detailed("  "), Err(DateError::Empty));
}

#[test]
fn checks_the_calendar() {
    let fr = DateFormat::parse("%d/%m/%Y").unwrap();
    assert_eq!(fr.read_detailed("31/02/2025"), Err(DateError::NotCalendar));
    assert_eq!(fr.read_detailed("29/02/2025"), Err(DateError::NotCalendar));
    assert_eq!(fr.read_detailed("29/02/2024"), Ok(date(2024, 2, 29)));
    assert_eq!(fr.read_detailed("01/13/2024"), Err(DateError::NotCalendar));
    assert_eq!(fr.read_detailed("00/01/2024"), Err(DateError::NotCalendar));
}

#[test]
fn bad_patterns_are_messages() {
    assert!(DateFormat::parse("%d/%m/%y").unwrap_err().contains("`%y`"));
    assert!(
        DateFormat::parse("%d/%m")
            .unwrap_err()
            .contains("lacks `%Y`")
    );
    assert!(
        DateFormat::parse("%d/%m/%d/%Y")
            .unwrap_err()
            .contains("repeats `%d`")
    );
    assert!(DateFormat::parse("%Y-%m-%d%").unwrap_err().contains("lone"));
    let percent = DateFormat::parse("%Y%%%m%%%d").unwrap();
    assert_eq!(percent.read("2025%01%31"), Some(date(2025, 1, 31)));
}
