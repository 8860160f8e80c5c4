//! The fiscal calendar of a school service centre: every rule about dates
//! that the pipeline applies lives here, once.
//!
//! A fiscal year runs from 1 July to 30 June and is named by the calendar
//! year in which it closes (2025 is 1 July 2024 – 30 June 2025). Its
//! periods are numbered 0 (the opening balances, dated 1 July), 1 (July) to
//! 12 (June), and 13 (the year-end adjustments, dated within the year but
//! declared apart).

use chrono::{Datelike, NaiveDate};

/// A period of a fiscal year: 0 opening, 1 (July) to 12 (June), 13 adjustments.
pub type Period = u8;

/// The period of opening balances.
pub const OPENING: Period = 0;
/// The last month of the year: June.
pub const LAST_MONTH: Period = 12;
/// The period of year-end adjustments.
pub const ADJUSTMENTS: Period = 13;

/// The calendar month in which the fiscal year opens (July).
const FIRST_MONTH_OF_YEAR: u32 = 7;

/// How periods are numbered, for messages.
pub const PERIODS_RUN: &str =
    "periods run from 1 (July) to 12 (June); 13 holds the year-end adjustments";
/// Where quarters end, for messages.
pub const QUARTER_ENDS: &str =
    "quarters end on 30 September (1), 31 December (2), 31 March (3) and 30 June (4)";

/// A run of periods of a fiscal year: 1 (July) to 12 (June), and 13 for
/// the year-end adjustments. Flows are summed over the run; balances are
/// taken at its end; an opening balance is the balance before its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Periods {
    pub from: Period,
    pub to: Period,
}

impl Periods {
    /// The whole year, adjustments included.
    pub const YEAR: Periods = Periods {
        from: 1,
        to: ADJUSTMENTS,
    };
    /// The last period: year-end adjustments.
    pub const ADJUSTMENTS: Period = ADJUSTMENTS;

    pub fn is_year(self) -> bool {
        self == Periods::YEAR
    }

    /// One period (1 to 13).
    pub fn single(period: Period) -> Periods {
        Periods {
            from: period,
            to: period,
        }
    }

    /// A quarter (1 to 4) of three months; the fourth takes in the
    /// year-end adjustments, which are dated within it.
    pub fn quarter(quarter: u8) -> Periods {
        let from = 3 * quarter - 2;
        let to = if quarter == 4 {
            ADJUSTMENTS
        } else {
            3 * quarter
        };
        Periods { from, to }
    }

    /// From the start of the year to the end of this run.
    pub fn to_date(self) -> Periods {
        Periods { from: 1, ..self }
    }

    /// The heading of a column written year to date (`through`): `Cumul P3`
    /// even where the run is also a quarter, so that a column of months to
    /// date never reads `T1` among `Cumul P2` and `Cumul P4`; the year for
    /// the whole year.
    pub fn heading_to_date(self, year: i32) -> String {
        match self.is_year() || self.from != 1 {
            true => self.heading(year),
            false => format!("Cumul P{}", self.to.min(LAST_MONTH)),
        }
    }

    /// The heading of a column over this run: the year (`2025`) for a
    /// whole year, else `P3`, `T3` (a quarter), `Cumul P9` (year to date),
    /// `P4–P6` or `Ajust.`.
    pub fn heading(self, year: i32) -> String {
        match (self.from, self.to) {
            _ if self.is_year() => year.to_string(),
            (ADJUSTMENTS, ADJUSTMENTS) => "Ajust.".to_string(),
            (from, to) if from == to => format!("P{from}"),
            // Three months from a quarter's start, or the last quarter
            // with its adjustments.
            (from, to) if from % 3 == 1 && (to == from + 2 || (from, to) == (10, ADJUSTMENTS)) => {
                format!("T{}", from.div_ceil(3))
            }
            (1, to) => format!("Cumul P{}", to.min(LAST_MONTH)),
            (from, to) => format!("P{from}–P{to}"),
        }
    }
}

/// The fiscal year (named by its closing year) and the month period of a date.
pub fn period_of(date: NaiveDate) -> (i32, Period) {
    let month = date.month();
    // Months from July onward open the fiscal year closing next calendar year.
    let (year, period) = if month >= FIRST_MONTH_OF_YEAR {
        (date.year() + 1, month + 1 - FIRST_MONTH_OF_YEAR)
    } else {
        (date.year(), month + 13 - FIRST_MONTH_OF_YEAR)
    };
    // `period` is 1..=12 by construction.
    (year, period as Period)
}

/// Whether a date is the first day of a fiscal year, the date opening
/// balances carry.
pub fn opens_a_year(date: NaiveDate) -> bool {
    date.month() == FIRST_MONTH_OF_YEAR && date.day() == 1
}

/// The name of the first day of a year, for messages: "1 July".
pub const OPENING_DAY: &str = "1 July";

/// The first day of the fiscal year closing in `year` (1 July of the year before).
pub fn first_day(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year - 1, FIRST_MONTH_OF_YEAR, 1)
}

/// The last day of the fiscal year closing in `year` (30 June).
pub fn last_day(year: i32) -> Option<NaiveDate> {
    period_last_day(year, LAST_MONTH)
}

/// The last day of a period of the fiscal year closing in `year`; the
/// adjustments (13) end with the year, the opening (0) is its first day.
pub fn period_last_day(year: i32, period: Period) -> Option<NaiveDate> {
    if period == OPENING {
        return first_day(year);
    }
    let (calendar_year, month) = calendar_month(year, period.min(LAST_MONTH));
    let next_month_start = if month == 12 {
        NaiveDate::from_ymd_opt(calendar_year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(calendar_year, month + 1, 1)
    }?;
    next_month_start.pred_opt()
}

/// The calendar year and month (1 to 12) of a month period (1 to 12).
fn calendar_month(year: i32, period: Period) -> (i32, u32) {
    let month = (u32::from(period) + FIRST_MONTH_OF_YEAR - 2) % 12 + 1;
    let calendar_year = if month >= FIRST_MONTH_OF_YEAR {
        year - 1
    } else {
        year
    };
    (calendar_year, month)
}

/// The label of a fiscal year: "2024-2025". A year no ledger could mean
/// (a date of year 0000 closes fiscal year 0) is said in words, not as a
/// subtraction: "ending 30 June of year 0".
pub fn label(year: i32) -> String {
    match year {
        1..=9999 => format!("{:04}-{year:04}", year - 1),
        _ => format!("ending 30 June of year {year}"),
    }
}

/// The year-end as printed on statements: "30 juin 2025".
pub fn year_end_fr(year: i32) -> String {
    period_end_fr(year, LAST_MONTH)
}

/// The last day of a period, in French: "31 mars 2025", "1er juillet 2024".
pub fn period_end_fr(year: i32, period: Period) -> String {
    match period_last_day(year, period) {
        Some(day) => date_fr(day),
        // Only a year near chrono's limits has no such day.
        None => format!("{} {year}", MONTHS_FR[5]),
    }
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A date in French: "30 juin 2025", with "1er" for the first of a month.
pub fn date_fr(date: NaiveDate) -> String {
    let day = if date.day() == 1 {
        "1er".to_string()
    } else {
        date.day().to_string()
    };
    let month = MONTHS_FR[date.month0() as usize];
    format!("{day} {month} {}", date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn july_opens_the_year_closing_next_june() {
        assert_eq!(period_of(day(2024, 7, 1)), (2025, 1));
        assert_eq!(period_of(day(2024, 12, 31)), (2025, 6));
        assert_eq!(period_of(day(2025, 1, 1)), (2025, 7));
        assert_eq!(period_of(day(2025, 6, 30)), (2025, 12));
        assert!(opens_a_year(day(2024, 7, 1)));
        assert!(!opens_a_year(day(2024, 7, 2)));
    }

    #[test]
    fn every_day_falls_within_its_period_bounds() {
        let mut date = day(2023, 7, 1);
        while date <= day(2025, 6, 30) {
            let (year, period) = period_of(date);
            assert!(first_day(year).is_some_and(|first| first <= date));
            assert!(period_last_day(year, period).is_some_and(|last| date <= last));
            assert!(last_day(year).is_some_and(|last| date <= last));
            date = date.succ_opt().expect("a next day");
        }
    }

    #[test]
    fn column_headings() {
        assert_eq!(Periods::YEAR.heading(2025), "2025");
        assert_eq!(Periods::single(13).heading(2025), "Ajust.");
        assert_eq!(Periods::single(3).heading(2025), "P3");
        assert_eq!(Periods::quarter(3).heading(2025), "T3");
        assert_eq!(Periods::quarter(4).heading(2025), "T4");
        assert_eq!(Periods { from: 10, to: 12 }.heading(2025), "T4");
        assert_eq!(Periods::single(9).to_date().heading(2025), "Cumul P9");
        assert_eq!(Periods::quarter(1).heading(2025), "T1");
        assert_eq!(
            Periods::single(3).to_date().heading_to_date(2025),
            "Cumul P3"
        );
        assert_eq!(Periods::quarter(4).to_date().heading_to_date(2025), "2025");
        assert_eq!(Periods { from: 4, to: 5 }.heading(2025), "P4–P5");
    }

    #[test]
    fn french_headings() {
        assert_eq!(label(2025), "2024-2025");
        assert_eq!(label(0), "ending 30 June of year 0");
        assert_eq!(label(1), "0000-0001");
        assert_eq!(year_end_fr(2025), "30 juin 2025");
        assert_eq!(period_end_fr(2025, 9), "31 mars 2025");
        assert_eq!(period_end_fr(2024, 8), "29 février 2024");
        assert_eq!(period_end_fr(2025, 13), "30 juin 2025");
        assert_eq!(period_end_fr(2025, 0), "1er juillet 2024");
    }
}
