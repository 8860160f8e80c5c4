//! Postings and balanced journal entries, with awkward amounts and
//! descriptions that test quoting and encodings.

use super::rng::Rng;
use chrono::NaiveDate;

#[derive(Clone, Debug)]
pub struct Posting {
    pub date: NaiveDate,
    /// Index into the entity's codes.
    pub code: usize,
    /// Debit positive.
    pub cents: i64,
    pub reference: String,
    pub description: String,
    /// For a zero amount in debit/credit columns: 0 credit, 1 debit, 2 both.
    pub zero_side: u8,
}

const WORDS: &[&str] = &[
    "Achat de fournitures",
    "École Saint-Édouard",
    "Paie « enseignants »",
    "Remboursement, taxe; ajustement",
    "Dépôt \"urgent\"",
    "Frais d’électricité",
    "Œuvre 50 €",
    "Café—réunion",
    "naïve façade",
    "=SOMME(A1)",
    "Réf. 12/34",
    "",
    "   ",
    "ligne 1\nligne 2",
    "\"\"",
];

pub fn description(rng: &mut Rng, cp1252: bool) -> String {
    let mut text = String::new();
    for _ in 0..rng.range(1, 3) {
        let word = rng.pick(WORDS);
        text.push_str(word);
        text.push(' ');
    }
    if !cp1252 && rng.percent(20) {
        text.push_str("→ autobus 🚌 Ψ");
    }
    text
}

/// A positive amount in cents, often at an awkward value.
pub fn awkward(rng: &mut Rng) -> i64 {
    let value = match rng.below(12) {
        0 => 1,
        1 => 99_999,
        2 => 100_000_000,
        3 => 100_000_000_000_000,
        4 => 99_999_999_999_999,
        5 => rng.below(100),
        6 => rng.below(100_000),
        7 => 1 + rng.below(100_000_000_000_000),
        8 => 100 * rng.below(1_000_000),
        9 => 100_000 * (1 + rng.below(1000)),
        10 => 10u64.pow(rng.range(1, 14) as u32) - 1,
        _ => rng.below(10_000_000),
    };
    value as i64
}

/// The first day of fiscal year `year` (1 July of the year before).
pub fn first_day(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year - 1, 7, 1).unwrap()
}

/// The last day of fiscal year `year` (30 June).
pub fn last_day(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 6, 30).unwrap()
}

/// One balanced entry of `lines` postings on `codes`, all on one day.
pub fn entry(
    rng: &mut Rng,
    codes: &[usize],
    lines: usize,
    date: NaiveDate,
    reference: &str,
    cp1252: bool,
) -> Vec<Posting> {
    let mut total = 0i64;
    let mut postings: Vec<Posting> = (0..lines)
        .map(|i| {
            let cents = if i + 1 == lines {
                -total
            } else {
                let value = awkward(rng);
                if rng.percent(50) { value } else { -value }
            };
            total += cents;
            Posting {
                date,
                code: *rng.pick(codes),
                cents,
                reference: reference.to_string(),
                description: description(rng, cp1252),
                zero_side: rng.below(3) as u8,
            }
        })
        .collect();
    rng.shuffle(&mut postings);
    postings
}

/// `count` balanced entries of 2 to 5 lines dated in fiscal year `year`
/// (often on its first or last day), with references starting `tag`.
/// With `year_end`, most fall on 30 June, as adjusting entries do.
pub fn year_entries(
    rng: &mut Rng,
    codes: &[usize],
    count: usize,
    year: i32,
    year_end: bool,
    tag: &str,
    cp1252: bool,
) -> Vec<Vec<Posting>> {
    let prefixes = ["P", "FAC-", "JE ", "Pièce ", "ÉCR/"];
    let (first, last) = (first_day(year), last_day(year));
    (0..count)
        .map(|number| {
            let date = match rng.below(20) {
                _ if year_end && rng.percent(70) => last,
                0 => first,
                1 => last,
                _ => first + chrono::Days::new(rng.below(365)),
            };
            let reference = format!("{tag}{}{number:05}", rng.pick(&prefixes));
            let lines = *rng.pick(&[2, 2, 2, 3, 4, 5]);
            entry(rng, codes, lines, date, &reference, cp1252)
        })
        .collect()
}
