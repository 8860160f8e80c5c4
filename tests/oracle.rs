//! Differential test against two independent oracles, hledger and ledger-cli
//! (RELIABILITY.md §0 item 9, §1.3): seeded random ledgers are written both as
//! a reddition project (exports in random French or English dialects) and as
//! a plain journal; the trial balance per local code and per chart code must
//! agree to the cent between reddition, hledger, ledger and the generator.
//!
//! `ORACLE_LEDGERS=N` sets the number of ledgers (default 200);
//! `ORACLE_SEED=k` replays one seed and keeps its files.
//! Without `hledger` or `ledger` on the PATH the test is skipped, except when
//! `CI` is set (CI must install both: Debian packages `hledger` and `ledger`).

// Independent arithmetic: this test checks our money type with its own decimals.
#![allow(clippy::disallowed_types)]

use chrono::NaiveDate;
use reddition::pipeline;
use reddition::project::Project;
use reddition::source::Sources;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const DEFAULT_LEDGERS: usize = 200;
/// The fiscal year built: 1 July 2024 to 30 June 2025.
const YEAR: i32 = 2025;
/// Mismatch lines shown when the test fails.
const SHOWN: usize = 40;

const CHART: &[(&str, &str, &str, &str)] = &[
    ("11000", "Encaisse", "actif_financier", "debit"),
    (
        "12100",
        "Taxe scolaire à recevoir",
        "actif_financier",
        "debit",
    ),
    ("21100", "Créditeurs – fournisseurs", "passif", "credit"),
    ("31100", "Bâtiments", "actif_non_financier", "debit"),
    ("41000", "Excédent accumulé", "excedent_accumule", "credit"),
    ("51000", "Subvention « MEQ »", "revenu", "credit"),
    ("61000", "Enseignement – jeunes", "charge", "debit"),
    ("65040", "Amortissement", "charge", "debit"),
];

/// Revenues and expenses have flows, not balances (and no opening balance).
fn is_flow(kind: &str) -> bool {
    matches!(kind, "revenu" | "charge")
}

// ---------------------------------------------------------------------------
// A small deterministic PRNG (SplitMix64): same seed, same ledger, anywhere.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below((high - low + 1) as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Local code structure and crosswalk, with the mapping each code must get.

struct Segment {
    name: &'static str,
    width: usize,
    /// Letters allowed besides digits (so no range condition on it).
    letters: bool,
}

struct Structure {
    /// `(separator before, segment)`; the first separator is empty.
    segments: Vec<(&'static str, Segment)>,
    tail: Option<(&'static str, Segment)>,
}

/// A local code: its text and the values of its segments (tail last, if any).
struct Code {
    text: String,
    values: Vec<String>,
    has_tail: bool,
}

struct Crosswalk {
    catch_all: usize,
    exact: BTreeMap<String, usize>,
    /// `"<first segment value>*" => target priority 1`.
    prefix: Option<(String, usize)>,
    /// `<segment> low..high => target priority 2` (index into the code's values).
    range: Option<(usize, u64, u64, usize)>,
}

const SEGMENT_NAMES: [&str; 5] = ["unite", "fonds", "activite", "objet", "site"];
const SEPARATORS: [&str; 4] = ["-", ".", "/", "_"];

fn structure(rng: &mut Rng) -> Structure {
    let count = rng.range(1, 4);
    let segments = (0..count)
        .map(|i| {
            let separator = if i == 0 { "" } else { *rng.pick(&SEPARATORS) };
            let segment = Segment {
                name: SEGMENT_NAMES[i],
                width: rng.range(1, 5),
                letters: rng.percent(20),
            };
            (separator, segment)
        })
        .collect();
    let tail = rng.percent(35).then(|| {
        let segment = Segment {
            name: "mesure",
            width: rng.range(2, 5),
            letters: rng.percent(20),
        };
        (*rng.pick(&SEPARATORS), segment)
    });
    Structure { segments, tail }
}

fn segment_value(rng: &mut Rng, segment: &Segment) -> String {
    const DIGITS: &[u8] = b"0123456789";
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let alphabet = if segment.letters { ALNUM } else { DIGITS };
    (0..segment.width)
        .map(|_| char::from(*rng.pick(alphabet)))
        .collect()
}

fn codes(rng: &mut Rng, structure: &Structure) -> Vec<Code> {
    let wanted = rng.range(2, 24);
    let mut seen = BTreeSet::new();
    let mut codes = Vec::new();
    // Few first-segment values, so that prefix rules match several codes.
    let firsts: Vec<String> = (0..3)
        .map(|_| segment_value(rng, &structure.segments[0].1))
        .collect();
    for _ in 0..wanted * 4 {
        if codes.len() == wanted {
            break;
        }
        let mut text = String::new();
        let mut values = Vec::new();
        for (index, (separator, segment)) in structure.segments.iter().enumerate() {
            let value = if index == 0 && rng.percent(60) {
                rng.pick(&firsts).clone()
            } else {
                segment_value(rng, segment)
            };
            text.push_str(separator);
            text.push_str(&value);
            values.push(value);
        }
        let mut has_tail = false;
        if let Some((separator, segment)) = &structure.tail
            && rng.percent(50)
        {
            let value = segment_value(rng, segment);
            text.push_str(separator);
            text.push_str(&value);
            values.push(value);
            has_tail = true;
        }
        if seen.insert(text.clone()) {
            codes.push(Code {
                text,
                values,
                has_tail,
            });
        }
    }
    codes
}

fn crosswalk(rng: &mut Rng, structure: &Structure, codes: &[Code]) -> Crosswalk {
    let target = |rng: &mut Rng| rng.below(CHART.len() as u64) as usize;
    let catch_all = target(rng);
    let mut exact = BTreeMap::new();
    for code in codes {
        if rng.percent(30) {
            exact.insert(code.text.clone(), target(rng));
        }
    }
    let prefix = rng
        .percent(50)
        .then(|| (rng.pick(codes).values[0].clone(), target(rng)));
    let numeric: Vec<usize> = structure
        .segments
        .iter()
        .chain(&structure.tail)
        .enumerate()
        .filter(|(_, (_, s))| !s.letters)
        .map(|(i, _)| i)
        .collect();
    let range = (!numeric.is_empty() && rng.percent(50)).then(|| {
        let index = *rng.pick(&numeric);
        let width = structure
            .segments
            .iter()
            .chain(&structure.tail)
            .nth(index)
            .map_or(1, |(_, s)| s.width);
        let top = 10u64.pow(width as u32);
        let low = rng.below(top);
        let high = (low + rng.below(top / 4 + 1)).min(top - 1);
        (index, low, high, target(rng))
    });
    Crosswalk {
        catch_all,
        exact,
        prefix,
        range,
    }
}

impl Crosswalk {
    /// The chart index a code must map to, by the documented precedence.
    fn expected(&self, structure: &Structure, code: &Code) -> usize {
        if let Some((index, low, high, target)) = self.range {
            let is_tail = index == structure.segments.len();
            let present = !is_tail || code.has_tail;
            if present
                && let Ok(value) = code.values[index].parse::<u64>()
                && (low..=high).contains(&value)
            {
                return target;
            }
        }
        if let Some((first, target)) = &self.prefix
            && code.text.starts_with(first.as_str())
        {
            return *target;
        }
        self.exact
            .get(&code.text)
            .copied()
            .unwrap_or(self.catch_all)
    }

    fn rdn(&self, structure: &Structure) -> String {
        let mut text = String::from("crosswalk x: s -> meq {\n");
        let _ = writeln!(text, "  \"*\" => {} \"catch-all\"", CHART[self.catch_all].0);
        for (code, target) in &self.exact {
            let _ = writeln!(text, "  \"{code}\" => {}", CHART[*target].0);
        }
        if let Some((first, target)) = &self.prefix {
            let _ = writeln!(text, "  \"{first}*\" => {} priority 1", CHART[*target].0);
        }
        if let Some((index, low, high, target)) = self.range {
            let name = structure
                .segments
                .iter()
                .chain(&structure.tail)
                .nth(index)
                .map_or("unite", |(_, s)| s.name);
            let _ = writeln!(
                text,
                "  {name} {low}..{high} => {} priority 2",
                CHART[target].0
            );
        }
        text.push_str("}\n");
        text
    }
}

impl Structure {
    fn rdn(&self) -> String {
        let mut text = String::from("structure s \"Poste\" {");
        for (separator, segment) in &self.segments {
            if !separator.is_empty() {
                let _ = write!(text, " \"{separator}\"");
            }
            let _ = write!(text, " {}:{}", segment.name, segment.width);
        }
        if let Some((separator, segment)) = &self.tail {
            let _ = write!(
                text,
                " [ \"{separator}\" {}:{} ]",
                segment.name, segment.width
            );
        }
        text.push_str(" }\n");
        text
    }
}

// ---------------------------------------------------------------------------
// Export dialects.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Date,
    Account,
    /// The first segment of the code, for `account "A", "B" joined "SEP"`.
    AccountHead,
    /// The rest of the code after the separator.
    AccountRest,
    Amount,
    Debit,
    Credit,
    Reference,
    Description,
    Extra,
}

#[derive(Debug)]
struct Dialect {
    name: &'static str,
    delimiter: char,
    decimal: char,
    thousands: Option<char>,
    cp1252: bool,
    /// `%d/%m/%Y`, `%Y-%m-%d` or `%m/%d/%Y`.
    date: &'static str,
    debit_credit: bool,
    bom: bool,
    crlf: bool,
    quote_all: bool,
    final_newline: bool,
    /// The code is split in two columns joined by this separator.
    joined: Option<&'static str>,
    columns: Vec<(Role, &'static str)>,
}

/// A random dialect; `split` is the separator after the first segment of
/// the codes (when they have two segments), to write them in two columns.
fn dialect(rng: &mut Rng, split: Option<&'static str>) -> Dialect {
    let french = rng.percent(55);
    let mut dialect = if french {
        Dialect {
            name: "french",
            delimiter: ';',
            decimal: ',',
            thousands: match rng.below(10) {
                0 | 1 => None,
                2 => Some('.'),
                _ => Some(' '),
            },
            cp1252: rng.percent(75),
            date: if rng.percent(70) {
                "%d/%m/%Y"
            } else {
                "%Y-%m-%d"
            },
            debit_credit: rng.percent(80),
            bom: false,
            crlf: rng.percent(60),
            quote_all: rng.percent(10),
            final_newline: rng.percent(85),
            joined: None,
            columns: vec![
                (Role::Date, "Date"),
                (Role::Account, "Compte budgétaire"),
                (Role::Amount, "Montant"),
                (Role::Debit, "Débit"),
                (Role::Credit, "Crédit"),
                (Role::Reference, "No pièce"),
                (Role::Description, "Libellé"),
                (Role::Extra, "Unité « admin »"),
            ],
        }
    } else {
        Dialect {
            name: "english",
            delimiter: ',',
            decimal: '.',
            thousands: rng.percent(40).then_some(','),
            cp1252: false,
            date: if rng.percent(70) {
                "%Y-%m-%d"
            } else {
                "%m/%d/%Y"
            },
            debit_credit: rng.percent(20),
            bom: false,
            crlf: rng.percent(30),
            quote_all: rng.percent(15),
            final_newline: rng.percent(85),
            joined: None,
            columns: vec![
                (Role::Date, "Date"),
                (Role::Account, "GL Account"),
                (Role::Amount, "Amount"),
                (Role::Debit, "Debit"),
                (Role::Credit, "Credit"),
                (Role::Reference, "Reference"),
                (Role::Description, "Description"),
                (Role::Extra, "Memo"),
            ],
        }
    };
    dialect.bom = !dialect.cp1252 && rng.percent(25);
    let debit_credit = dialect.debit_credit;
    let (describe, extra) = (rng.percent(85), rng.percent(40));
    dialect.columns.retain(|(role, _)| match role {
        Role::Amount => !debit_credit,
        Role::Debit | Role::Credit => debit_credit,
        Role::Description => describe,
        Role::Extra => extra,
        _ => true,
    });
    if let Some(separator) = split
        && rng.percent(20)
    {
        let (head, rest) = if french {
            ("Unité", "Poste")
        } else {
            ("Cost Centre", "Account")
        };
        dialect.columns.retain(|(role, _)| *role != Role::Account);
        dialect.columns.push((Role::AccountHead, head));
        dialect.columns.push((Role::AccountRest, rest));
        dialect.joined = Some(separator);
    }
    rng.shuffle(&mut dialect.columns);
    dialect
}

fn rdn_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Dialect {
    fn rdn(&self, id: &str) -> String {
        let mut text = format!("format {id} {} {{\n", rdn_string(self.name));
        let _ = writeln!(text, "  delimiter \"{}\"", self.delimiter);
        let _ = writeln!(text, "  decimal \"{}\"", self.decimal);
        if let Some(t) = self.thousands {
            let _ = writeln!(text, "  thousands \"{t}\"");
        }
        let encoding = if self.cp1252 { "windows-1252" } else { "utf-8" };
        let _ = writeln!(text, "  encoding \"{encoding}\"");
        let _ = writeln!(text, "  date \"{}\"", self.date);
        text.push_str("  columns {\n");
        for (role, header) in &self.columns {
            let keyword = match role {
                Role::Date => "date",
                Role::Account => "account",
                Role::Amount => "amount",
                Role::Debit => "debit",
                Role::Credit => "credit",
                Role::Reference => "reference",
                Role::Description => "description",
                Role::AccountHead => {
                    let rest = self
                        .columns
                        .iter()
                        .find(|(role, _)| *role == Role::AccountRest)
                        .map_or("", |(_, h)| h);
                    let _ = writeln!(
                        text,
                        "    account {}, {} joined {}",
                        rdn_string(header),
                        rdn_string(rest),
                        rdn_string(self.joined.unwrap_or_default())
                    );
                    continue;
                }
                Role::Extra | Role::AccountRest => continue,
            };
            let _ = writeln!(text, "    {keyword} {}", rdn_string(header));
        }
        text.push_str("  }\n}\n");
        text
    }

    fn date(&self, date: NaiveDate) -> String {
        date.format(self.date).to_string()
    }

    /// A cell: quoted when it must be (or when the dialect quotes everything).
    fn cell(&self, value: &str, rng: &mut Rng) -> String {
        let must = value.contains([self.delimiter, '"', '\r', '\n']);
        if must || self.quote_all || rng.percent(3) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value.to_string()
        }
    }

    /// A non-negative or signed amount in cents, written in one of the many
    /// ways the dialect's grammar allows.
    fn amount(&self, cents: i64, rng: &mut Rng) -> String {
        let negative = cents < 0;
        let magnitude = cents.unsigned_abs();
        let (units, fraction) = (magnitude / 100, magnitude % 100);
        let mut integer = units.to_string();
        let grouped = self.thousands.is_some() && integer.len() > 3 && rng.percent(70);
        if grouped {
            let separator = match self.thousands {
                Some(' ') if self.cp1252 => *rng.pick(&[' ', '\u{a0}']),
                Some(' ') => *rng.pick(&[' ', '\u{a0}', '\u{202f}']),
                Some(other) => other,
                None => unreachable!(),
            };
            let digits: Vec<char> = integer.chars().collect();
            let first = digits.len() % 3;
            let mut out = String::new();
            for (i, digit) in digits.iter().enumerate() {
                if i > 0 && (i + 3 - first).is_multiple_of(3) {
                    out.push(separator);
                }
                out.push(*digit);
            }
            integer = out;
        } else if rng.percent(3) {
            integer.insert_str(0, "00");
        }
        let needed = if fraction == 0 {
            0
        } else if fraction % 10 == 0 {
            1
        } else {
            2
        };
        let decimals = match rng.below(10) {
            0 => needed,
            1 => rng.range(needed.max(2), 6),
            _ => 2,
        };
        let mut digits = format!("{fraction:02}");
        while digits.len() < decimals {
            digits.push('0');
        }
        digits.truncate(decimals);
        let mut text = String::new();
        if negative || (cents == 0 && !self.debit_credit && rng.percent(10)) {
            text.push('-');
        }
        text.push_str(&integer);
        if !digits.is_empty() {
            text.push(self.decimal);
            text.push_str(&digits);
        }
        if rng.percent(3) {
            text = format!(" {text} ");
        }
        text
    }

    /// One export: the header and one record per posting.
    fn export(&self, postings: &[Posting], codes: &[Code], rng: &mut Rng) -> Vec<u8> {
        let newline = if self.crlf { "\r\n" } else { "\n" };
        let mut text = String::new();
        if self.bom {
            text.push('\u{feff}');
        }
        let header: Vec<String> = self
            .columns
            .iter()
            .map(|(_, h)| self.cell(h, rng))
            .collect();
        text.push_str(&header.join(&self.delimiter.to_string()));
        for posting in postings {
            text.push_str(newline);
            if rng.percent(2) {
                text.push_str(newline);
            }
            let cells: Vec<String> = self
                .columns
                .iter()
                .map(|(role, _)| {
                    let value = match role {
                        Role::Date => self.date(posting.date),
                        Role::Account => {
                            let code = &codes[posting.code].text;
                            if rng.percent(3) {
                                format!("  {code} ")
                            } else {
                                code.clone()
                            }
                        }
                        Role::AccountHead => codes[posting.code].values[0].clone(),
                        Role::AccountRest => {
                            let code = &codes[posting.code];
                            let skip = code.values[0].len() + self.joined.unwrap_or_default().len();
                            code.text[skip..].to_string()
                        }
                        Role::Amount => self.amount(posting.cents, rng),
                        Role::Debit | Role::Credit => {
                            let debit = *role == Role::Debit;
                            match posting.cents.signum() {
                                1 if debit => self.amount(posting.cents, rng),
                                -1 if !debit => self.amount(-posting.cents, rng),
                                0 if posting.zero_side == 2
                                    || posting.zero_side == u8::from(debit) =>
                                {
                                    self.amount(0, rng)
                                }
                                _ => String::new(),
                            }
                        }
                        Role::Reference => posting.reference.clone(),
                        Role::Description => posting.description.clone(),
                        // Only a description may span several lines (reddition's
                        // guard against unterminated quotes).
                        Role::Extra => description(rng, self.cp1252).replace('\n', " "),
                    };
                    self.cell(&value, rng)
                })
                .collect();
            text.push_str(&cells.join(&self.delimiter.to_string()));
        }
        if self.final_newline {
            text.push_str(newline);
        }
        if self.cp1252 {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
            assert!(
                !unmappable,
                "the generator wrote a character outside windows-1252"
            );
            bytes.into_owned()
        } else {
            text.into_bytes()
        }
    }
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

fn description(rng: &mut Rng, cp1252: bool) -> String {
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

// ---------------------------------------------------------------------------
// Ledgers.

#[derive(Clone)]
struct Posting {
    date: NaiveDate,
    code: usize,
    /// Debit positive.
    cents: i64,
    reference: String,
    description: String,
    /// For a zero amount in debit/credit columns: 0 credit, 1 debit, 2 both.
    zero_side: u8,
}

/// A positive amount in cents, often at an awkward value.
fn awkward(rng: &mut Rng) -> i64 {
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

/// Balanced entries: `(postings, whether they go to the opening file)`.
fn entries(
    rng: &mut Rng,
    codes: &[usize],
    count: usize,
    opening: bool,
    cp1252: bool,
) -> Vec<Vec<Posting>> {
    let start = NaiveDate::from_ymd_opt(YEAR - 1, 7, 1).unwrap();
    let prefixes = ["P", "FAC-", "JE ", "Pièce ", "ÉCR/"];
    (0..count)
        .map(|number| {
            let date = if opening {
                start
            } else {
                match rng.below(20) {
                    0 => start,
                    1 => NaiveDate::from_ymd_opt(YEAR, 6, 30).unwrap(),
                    _ => start + chrono::Days::new(rng.below(365)),
                }
            };
            let reference = if opening {
                "OUV".to_string()
            } else {
                format!("{}{number:05}", rng.pick(&prefixes))
            };
            let lines = if opening {
                rng.range(2, 12)
            } else {
                *rng.pick(&[2, 2, 2, 3, 4, 5])
            };
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
                        reference: reference.clone(),
                        description: description(rng, cp1252),
                        zero_side: rng.below(3) as u8,
                    }
                })
                .collect();
            rng.shuffle(&mut postings);
            postings
        })
        .collect()
}

/// Everything generated for one seed.
struct Case {
    /// Relative path → bytes (specification and exports).
    files: Vec<(String, Vec<u8>)>,
    journal: String,
    /// Account of each local code in the journals.
    accounts: BTreeMap<String, String>,
    /// The generator's own trial balance, in cents: per local code and per chart code.
    expected_local: BTreeMap<String, i64>,
    expected_chart: BTreeMap<&'static str, i64>,
    /// Chart code each local code must map to.
    targets: BTreeMap<String, &'static str>,
    postings: usize,
    summary: String,
}

fn generate(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let structure = structure(&mut rng);
    let codes = codes(&mut rng, &structure);
    let crosswalk = crosswalk(&mut rng, &structure, &codes);
    let split = structure.segments.get(1).map(|(separator, _)| *separator);
    let ledger_dialect = dialect(&mut rng, split);
    let balance_sheet: Vec<usize> = codes
        .iter()
        .enumerate()
        .filter(|(_, code)| !is_flow(CHART[crosswalk.expected(&structure, code)].2))
        .map(|(i, _)| i)
        .collect();
    let all_codes: Vec<usize> = (0..codes.len()).collect();
    let opening_dialect = (!balance_sheet.is_empty() && rng.percent(50)).then(|| {
        if rng.percent(50) {
            None // same format as the ledger
        } else {
            Some(dialect(&mut rng, split))
        }
    });
    let size = if rng.percent(5) {
        rng.range(200, 600)
    } else {
        rng.range(1, 60)
    };
    let mut spec = format!("fiscal_year {YEAR}\n\nchart meq \"Plan comptable\" {{\n");
    for (code, label, kind, balance) in CHART {
        let _ = writeln!(spec, "  {code} {} {kind} {balance}", rdn_string(label));
    }
    spec.push_str("}\n\n");
    spec.push_str(&structure.rdn());
    spec.push_str(&crosswalk.rdn(&structure));
    spec.push_str(&ledger_dialect.rdn("grand_livre"));
    if let Some(Some(d)) = &opening_dialect {
        spec.push_str(&d.rdn("ouverture"));
    }
    let mut files = Vec::new();
    let mut all: Vec<Posting> = Vec::new();
    let mut journal = String::new();
    let mut entity = String::from(
        "entity e \"Centre de services scolaire d’essai\" {\n  code \"999\"\n  crosswalk x\n",
    );
    if let Some(opening) = &opening_dialect {
        let dialect = opening.as_ref().unwrap_or(&ledger_dialect);
        let format = if opening.is_some() {
            "ouverture"
        } else {
            "grand_livre"
        };
        let mut postings = entries(&mut rng, &balance_sheet, 1, true, dialect.cp1252);
        let postings = postings.pop().unwrap();
        files.push((
            "ledgers/ouverture.csv".to_string(),
            dialect.export(&postings, &codes, &mut rng),
        ));
        let _ = writeln!(
            entity,
            "  opening \"ledgers/ouverture.csv\" format {format}"
        );
        journal_entry(&mut journal, &postings, &codes, &structure, &crosswalk);
        all.extend(postings);
    }
    let ledger = entries(&mut rng, &all_codes, size, false, ledger_dialect.cp1252);
    let parts = if rng.percent(30) { rng.range(1, 3) } else { 0 };
    if parts == 0 {
        let flat: Vec<Posting> = ledger.iter().flatten().cloned().collect();
        files.push((
            "ledgers/grand-livre.csv".to_string(),
            ledger_dialect.export(&flat, &codes, &mut rng),
        ));
        entity.push_str("  ledger \"ledgers/grand-livre.csv\" format grand_livre\n");
    } else {
        let chunk = ledger.len().div_ceil(parts);
        for (index, entries) in ledger.chunks(chunk).enumerate() {
            let flat: Vec<Posting> = entries.iter().flatten().cloned().collect();
            files.push((
                format!("ledgers/gl/p{index:02}.csv"),
                ledger_dialect.export(&flat, &codes, &mut rng),
            ));
        }
        entity.push_str("  ledger \"ledgers/gl\" format grand_livre\n");
    }
    for entry in &ledger {
        journal_entry(&mut journal, entry, &codes, &structure, &crosswalk);
    }
    all.extend(ledger.into_iter().flatten());
    entity.push_str("}\n");
    spec.push_str(&entity);
    spec.push_str("\nreport balance \"Balance de vérification\" {\n  columns { courant = year }\n");
    for (code, label, kind, _) in CHART {
        let _ = writeln!(
            spec,
            "  line c{code} {} = {}({code} as debit)",
            rdn_string(label),
            if is_flow(kind) { "flow" } else { "balance" }
        );
    }
    spec.push_str("}\n");
    files.insert(0, ("reports/spec.rdn".to_string(), spec.into_bytes()));

    let mut accounts = BTreeMap::new();
    let mut targets = BTreeMap::new();
    for code in &codes {
        let target = CHART[crosswalk.expected(&structure, code)].0;
        accounts.insert(code.text.clone(), format!("C{target}:L{}", code.text));
        targets.insert(code.text.clone(), target);
    }
    let mut expected_local: BTreeMap<String, i64> = BTreeMap::new();
    let mut expected_chart: BTreeMap<&'static str, i64> = BTreeMap::new();
    for posting in &all {
        let code = &codes[posting.code].text;
        *expected_local.entry(code.clone()).or_default() += posting.cents;
        *expected_chart.entry(targets[code]).or_default() += posting.cents;
    }
    let summary = format!(
        "structure {}ledger {:?}\nopening {:?}\n{} postings, {} local codes",
        structure.rdn(),
        ledger_dialect,
        opening_dialect,
        all.len(),
        codes.len()
    );
    Case {
        files,
        journal,
        accounts,
        expected_local,
        expected_chart,
        targets,
        postings: all.len(),
        summary,
    }
}

fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let magnitude = cents.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// One transaction in the syntax hledger and ledger share.
fn journal_entry(
    journal: &mut String,
    postings: &[Posting],
    codes: &[Code],
    structure: &Structure,
    crosswalk: &Crosswalk,
) {
    let _ = writeln!(journal, "{} entry", postings[0].date.format("%Y-%m-%d"));
    for posting in postings {
        let code = &codes[posting.code];
        let target = CHART[crosswalk.expected(structure, code)].0;
        let _ = writeln!(
            journal,
            "    C{target}:L{}  {}",
            code.text,
            cents_text(posting.cents)
        );
    }
    journal.push('\n');
}

// ---------------------------------------------------------------------------
// Running reddition and the oracles.

type Balances = BTreeMap<String, Decimal>;

/// Per journal account (`C…` and `C…:L…`): reddition's balances from the cube
/// and from the report.
fn reddition(root: &Path, case: &Case) -> Result<(Balances, Balances), String> {
    let project = Project::new(root);
    let mut sources = Sources::default();
    let render = |sources: &Sources, d: Vec<reddition::diagnostic::Diagnostic>| {
        reddition::diagnostic::render(sources, &d, false)
    };
    let program = pipeline::check_project(&project, &mut sources).map_err(|d| {
        format!(
            "the generated specification is refused:\n{}",
            render(&sources, d)
        )
    })?;
    let built = pipeline::run(&program, &project, &mut sources, &Default::default())
        .map_err(|d| format!("the build fails:\n{}", render(&sources, d)))?;
    let data = &built.cube.entities[0];
    let mut cube = Balances::new();
    for (index, local) in data.locals.iter().enumerate() {
        let chart = program.chart.accounts[local.mapped.target].code.clone();
        let expected = case.targets.get(&local.code).copied().unwrap_or("none");
        if chart != expected {
            return Err(format!(
                "local code `{}` mapped to {chart}, expected {expected}",
                local.code
            ));
        }
        let balance = data
            .local_balance(YEAR, index)
            .ok_or("local_balance overflows")?;
        let balance = Decimal::from_str(&balance.to_string()).map_err(|e| e.to_string())?;
        let account = format!("C{chart}:L{}", local.code);
        if cube.insert(account.clone(), balance).is_some() {
            return Err(format!("local code `{}` appears twice", local.code));
        }
        *cube.entry(format!("C{chart}")).or_default() += balance;
    }
    let statement = reddition::render::statement(&program, &built.figures, 0, 0);
    let mut report = Balances::new();
    for row in &statement.rows {
        let Some(id) = &row.id else { continue };
        let value = Decimal::from_str(&row.values[0].exact)
            .map_err(|e| format!("row {id}: bad exact value: {e}"))?;
        report.insert(format!("C{}", id.trim_start_matches('c')), value);
    }
    Ok((cube, report))
}

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !output.status.success() || !output.stderr.is_empty() {
        return Err(format!(
            "{program} {}: {}\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("{program}: output not UTF-8: {e}"))
}

fn number(program: &str, text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text.trim()).map_err(|e| format!("{program}: bad amount `{text}`: {e}"))
}

/// `hledger bal --tree --no-elide -O csv`: every account, parents included.
fn hledger(journal: &Path) -> Result<Balances, String> {
    let file = journal.to_str().ok_or("path")?;
    let out = run(
        "hledger",
        &[
            "-f",
            file,
            "bal",
            "--tree",
            "--no-elide",
            "--no-total",
            "-O",
            "csv",
        ],
    )?;
    let mut balances = Balances::new();
    for (index, line) in out.lines().enumerate() {
        let fields: Vec<&str> = line.split(',').map(|f| f.trim_matches('"')).collect();
        if index == 0 {
            if fields != ["account", "balance"] {
                return Err(format!("hledger: unexpected header `{line}`"));
            }
            continue;
        }
        let [account, amount] = fields[..] else {
            return Err(format!("hledger: unexpected line `{line}`"));
        };
        balances.insert(account.to_string(), number("hledger", amount)?);
    }
    Ok(balances)
}

/// `ledger bal --flat`, leaves and then the top level (`--depth 1`).
fn ledger(journal: &Path) -> Result<Balances, String> {
    let file = journal.to_str().ok_or("path")?;
    let mut balances = Balances::new();
    for depth in [None, Some("1")] {
        let mut args = vec![
            "--args-only",
            "-f",
            file,
            "bal",
            "--flat",
            "--no-total",
            "--format",
            "%(account)\t%(display_total)\n",
        ];
        if let Some(depth) = depth {
            // `--flat --depth 1` prints nothing in ledger 3.3: use the tree.
            args.retain(|a| *a != "--flat");
            args.extend(["--depth", depth]);
        }
        for line in run("ledger", &args)?.lines() {
            let Some((account, amount)) = line.split_once('\t') else {
                return Err(format!("ledger: unexpected line `{line}`"));
            };
            balances.insert(account.to_string(), number("ledger", amount)?);
        }
    }
    Ok(balances)
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The seed of a mismatch line (`seed 12: …`).
fn seed_of(line: &str) -> Option<u64> {
    line.strip_prefix("seed ")?.split(':').next()?.parse().ok()
}

fn replay(seed: u64) -> String {
    format!("replay: ORACLE_SEED={seed} cargo test --test main oracle -- --nocapture")
}

/// Runs one seed; returns its mismatches (empty when all agree) and the
/// number of accounts compared.
fn check_seed(seed: u64, keep: bool) -> (Vec<String>, usize, usize) {
    let case = generate(seed);
    let folder = tempfile::Builder::new()
        .prefix(&format!("reddition-oracle-{seed}-"))
        .tempdir()
        .expect("a temporary folder");
    let root = folder.path().to_path_buf();
    let root = root.as_path();
    for (path, bytes) in &case.files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let journal = root.join("oracle.journal");
    std::fs::write(&journal, &case.journal).unwrap();
    if keep {
        println!("seed {seed}:\n{}", case.summary);
        println!("files kept in {}", folder.keep().display());
    }
    let fail = |what: String| {
        (
            vec![format!("seed {seed}: {what}\n  {}", replay(seed))],
            0,
            case.postings,
        )
    };
    let (cube, report) = match reddition(root, &case) {
        Ok(found) => found,
        Err(message) => return fail(format!("reddition: {message}")),
    };
    let hledger = match hledger(&journal) {
        Ok(found) => found,
        Err(message) => return fail(message),
    };
    let ledger = match ledger(&journal) {
        Ok(found) => found,
        Err(message) => return fail(message),
    };
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for (code, cents) in &case.expected_local {
        expected.insert(case.accounts[code].clone(), *cents);
    }
    for (chart, cents) in &case.expected_chart {
        expected.insert(format!("C{chart}"), *cents);
    }
    let mut accounts: BTreeSet<&String> = expected.keys().collect();
    accounts.extend(cube.keys());
    accounts.extend(report.keys());
    accounts.extend(hledger.keys());
    accounts.extend(ledger.keys());
    let show = |v: Option<&Decimal>| v.map_or("absent".to_string(), |d| d.normalize().to_string());
    let mut mismatches = Vec::new();
    for account in &accounts {
        let generator = Decimal::new(expected.get(*account).copied().unwrap_or(0), 2);
        let zero = Decimal::ZERO;
        let redd = cube.get(*account).unwrap_or(&zero);
        let h = hledger.get(*account).unwrap_or(&zero);
        let l = ledger.get(*account).unwrap_or(&zero);
        // Report lines exist for chart codes only.
        let in_report = !account.contains(':');
        let r = report.get(*account).unwrap_or(&zero);
        let agree = *redd == generator
            && *h == generator
            && *l == generator
            && (!in_report || *r == generator);
        if !agree {
            mismatches.push(format!(
                "seed {seed}: account {account}: reddition cube {}, reddition report {}, hledger {}, ledger {}, generator {}\n  {}",
                show(cube.get(*account)),
                if in_report { show(report.get(*account)) } else { "-".to_string() },
                show(hledger.get(*account)),
                show(ledger.get(*account)),
                generator.normalize(),
                replay(seed)
            ));
        }
    }
    (mismatches, accounts.len(), case.postings)
}

#[test]
fn trial_balances_agree_with_hledger_and_ledger() {
    let missing: Vec<&str> = ["hledger", "ledger"]
        .into_iter()
        .filter(|p| !have(p))
        .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install the oracles (Debian packages hledger and ledger); not found: {}",
            missing.join(", ")
        );
        println!("skipped: hledger/ledger not found ({})", missing.join(", "));
        return;
    }
    let env = |name: &str| -> Option<u64> {
        std::env::var(name).ok().map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{name} must be a number, not `{v}`"))
        })
    };
    let (seeds, keep): (Vec<u64>, bool) = match env("ORACLE_SEED") {
        Some(seed) => (vec![seed], true),
        None => {
            let count = env("ORACLE_LEDGERS").unwrap_or(DEFAULT_LEDGERS as u64);
            ((0..count).collect(), false)
        }
    };
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results = Mutex::new((Vec::new(), 0usize, 0usize));
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(seed) = seeds.get(index) else { break };
                    let (mut found, accounts, postings) = check_seed(*seed, keep);
                    let mut results = results.lock().unwrap();
                    results.0.append(&mut found);
                    results.1 += accounts;
                    results.2 += postings;
                }
            });
        }
    });
    let (mut mismatches, accounts, postings) = results.into_inner().unwrap();
    mismatches.sort_by_key(|m| seed_of(m));
    println!(
        "oracle: {} ledgers, {postings} postings, {accounts} account balances compared with hledger and ledger, {} mismatches, {:.1?}",
        seeds.len(),
        mismatches.len(),
        started.elapsed()
    );
    if !mismatches.is_empty() {
        let failing: BTreeSet<u64> = mismatches.iter().filter_map(|m| seed_of(m)).collect();
        let mut shown: Vec<&str> = mismatches.iter().take(SHOWN).map(String::as_str).collect();
        if mismatches.len() > SHOWN {
            shown.push("…");
        }
        panic!(
            "{} mismatches in {} ledgers (seeds {}):\n{}",
            mismatches.len(),
            failing.len(),
            failing
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            shown.join("\n")
        );
    }
}
