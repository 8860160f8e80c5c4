//! Where a posting goes in the cube: its fiscal year and period. Both
//! readers place every posting through here; the precise one words a
//! misplaced posting as a diagnostic, the fast path as a doubt.

use crate::calendar::{self, Period};
use crate::model::SourceRole;
use chrono::NaiveDate;

/// Why a posting has no place in the cube.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Misplaced {
    /// An opening balance dated other than the first day of a fiscal year.
    NotOpeningDay,
    /// A date in a fiscal year the build does not cover.
    OutsideYears(i32),
}

/// A posting's place: the fiscal year, its index among the years built,
/// and the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Place {
    pub(super) year: i32,
    pub(super) year_index: usize,
    pub(super) period: Period,
}

/// The place of a posting dated `date` in a file declared with `role`:
/// opening balances are dated 1 July and go to period 0, postings of a file
/// of year-end adjustments to period 13, every other posting to the month
/// of its date ([`calendar::period_of`]). `years` are the consecutive
/// fiscal years built, ascending.
pub(super) fn place(
    date: NaiveDate,
    role: SourceRole,
    adjustments: bool,
    years: &[i32],
) -> Result<Place, Misplaced> {
    let (year, month) = calendar::period_of(date);
    let period = match role {
        SourceRole::Opening if calendar::opens_a_year(date) => calendar::OPENING,
        SourceRole::Opening => return Err(Misplaced::NotOpeningDay),
        SourceRole::Ledger | SourceRole::Budget if adjustments => calendar::ADJUSTMENTS,
        SourceRole::Ledger | SourceRole::Budget => month,
    };
    let year_index = years
        .first()
        .and_then(|first| usize::try_from(year - first).ok())
        .filter(|index| years.get(*index) == Some(&year))
        .ok_or(Misplaced::OutsideYears(year))?;
    Ok(Place {
        year,
        year_index,
        period,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_has_its_period() {
        let years = [2024, 2025];
        let cases = [
            ("2024-07-01", SourceRole::Opening, false, Ok((2025, 1, 0))),
            (
                "2024-07-02",
                SourceRole::Opening,
                false,
                Err(Misplaced::NotOpeningDay),
            ),
            ("2024-03-31", SourceRole::Ledger, false, Ok((2024, 0, 9))),
            ("2024-03-31", SourceRole::Ledger, true, Ok((2024, 0, 13))),
            ("2025-01-15", SourceRole::Budget, false, Ok((2025, 1, 7))),
            (
                "2025-07-01",
                SourceRole::Ledger,
                false,
                Err(Misplaced::OutsideYears(2026)),
            ),
            (
                "2022-06-30",
                SourceRole::Ledger,
                false,
                Err(Misplaced::OutsideYears(2022)),
            ),
        ];
        for (date, role, adjustments, expected) in cases {
            let date: NaiveDate = date.parse().expect("a date");
            let found = place(date, role, adjustments, &years)
                .map(|place| (place.year, place.year_index, place.period));
            assert_eq!(found, expected, "{date} {role:?}");
        }
    }
}
