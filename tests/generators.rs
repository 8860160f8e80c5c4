//! A generator of whole projects for the property tests, and the test's own
//! reading of what it generated.
//!
//! A generated project has two or three centres and two groups: `reseau`,
//! which eliminates what its members (all of them, or two of three) bill
//! and owe each other, and `ensemble`, every centre with no elimination.
//! Each centre has the opening balances of the prior year (or none), its
//! ledger, the opening balances of the year dated 1 July (the prior year's
//! closing, so continuity holds), the ledger of the year with the
//! inter-entity invoices and payments naming their counterparty, a ledger
//! of year-end adjustments (period 13) and a budget phased by month. Each
//! centre writes its exports in one of two dialects: comma, decimal point
//! and signed amounts in UTF-8, or semicolon, decimal comma, space (or
//! no-break space) between thousands, debit and credit columns in
//! Windows-1252; with LF or CRLF line ends, columns in any order and
//! descriptions holding delimiters, quotes, line breaks and accents. Each
//! centre's crosswalk has exact codes, patterns, segment ranges, a dated
//! rule, an optional CSV table and two patterns of equal specificity that
//! both match one code, one of them raised by `priority` (which one is
//! drawn), with its rules in any order. The reports have whole-year,
//! prior-year, period, quarter, year-to-date (`through`), adjustments and
//! budget columns, nested sections, memo lines, a check, and a matrix over
//! the `nature` dimension of any of those slices; rounding is drawn from
//! `unit` 1 or 1000, `method` half_even or half_up and `residual` total or
//! largest, for the project and for the matrix on its own.
//!
//! The test's reading ([`Generated::facts`], [`Generated::expected_rows`])
//! is independent of reddition: it places each posting in its fiscal year
//! and period from its date and file, maps each local code by the
//! precedence the crosswalk was written for, and sums.

// Independent arithmetic: the test rounds with its own decimals.
#![allow(clippy::disallowed_types)]

use proptest::prelude::*;
use proptest::sample::Index;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::path::Path;

/// The year built (1 July 2024 to 30 June 2025).
pub const FISCAL_YEAR: i32 = 2025;

/// The harmonized chart: code, label, kind, normal balance is credit.
pub const CHART: &[(&str, &str, &str, bool)] = &[
    ("11000", "Encaisse", "actif_financier", false),
    (
        "12100",
        "Débiteurs – autres centres",
        "actif_financier",
        false,
    ),
    ("21100", "Créditeurs", "passif", true),
    ("21500", "Dette à long terme", "passif", true),
    ("31100", "Immobilisations", "actif_non_financier", false),
    ("41000", "Excédent accumulé", "excedent_accumule", true),
    ("51000", "Subventions", "revenu", true),
    ("54030", "Services rendus", "revenu", true),
    ("61000", "Enseignement", "charge", false),
    ("62000", "Soutien", "charge", false),
    ("63000", "Services reçus", "charge", false),
];

/// `reseau`'s eliminations: codes, against, label.
pub const ELIMINATIONS: &[(&str, &str, &str)] = &[
    ("12100", "21100", "Créances et dettes entre centres"),
    ("54030", "63000", "Services facturés entre centres"),
];

/// Where a local code lands by the crosswalk's precedence.
#[derive(Clone, Copy, Debug)]
enum Lands {
    On(&'static str),
    /// Matched by two patterns of equal specificity: the one with the
    /// higher `priority` wins (54030 when the services pattern has it).
    Contested,
}

/// Every local code a centre uses (`unit-fund-activity-object`).
const LOCALS: &[(&str, Lands)] = &[
    ("000-1-91010-000", Lands::On("11000")),
    ("000-1-91020-000", Lands::On("11000")),
    ("000-1-92100-000", Lands::On("12100")),
    ("000-1-93100-000", Lands::On("21100")),
    ("000-1-93110-000", Lands::On("21100")),
    ("000-1-93500-000", Lands::On("21500")),
    ("000-2-90100-000", Lands::On("31100")),
    ("000-1-95000-000", Lands::On("41000")),
    ("000-1-81010-000", Lands::On("51000")),
    ("000-1-81020-000", Lands::On("51000")),
    ("000-2-84010-000", Lands::On("51000")),
    ("000-1-84040-000", Lands::Contested),
    ("050-1-84040-000", Lands::On("54030")),
    ("231-1-11010-110", Lands::On("61000")),
    ("232-1-11500-410", Lands::On("61000")),
    // Two dated versions of an exact rule: the one valid on 30 June 2025.
    ("231-1-11010-520", Lands::On("61000")),
    // An exact code taken out of its activity's range.
    ("231-1-11010-510", Lands::On("62000")),
    ("231-1-21000-120", Lands::On("62000")),
    ("233-1-21500-720", Lands::On("62000")),
    ("231-1-31000-550", Lands::On("63000")),
    // Object 650 goes to 63000 whatever the activity (`priority 1`).
    ("231-1-21000-650", Lands::On("63000")),
    ("050-1-31000-800", Lands::On("63000")),
];

const CASH: usize = 0;
const RECEIVABLE: usize = 2;
const PAYABLE: usize = 3;
const SURPLUS: usize = 7;
const SERVICES_BILLED: usize = 12;
const SERVICES_BOUGHT: usize = 21;
/// Balance-sheet codes other than the surplus (opening balances).
const BALANCE_SHEET: std::ops::Range<usize> = 0..SURPLUS;
/// Revenue and expense codes (the budget).
const FLOWS: std::ops::Range<usize> = 8..22;

/// The crosswalk's rules, written in a drawn order. `{grants}` and
/// `{services}` mark the two patterns of equal specificity (8 literal
/// characters each) that both match `000-1-84040-000`: the drawn priority
/// goes on one of them. Rules 0 to 5 may come from a CSV table instead.
const RULES: &[&str] = &[
    "\"000-1-91???-*\" => 11000 \"Encaisse\"",
    "\"000-1-92100-*\" => 12100",
    "\"000-1-931??-*\" => 21100 \"Créditeurs\"",
    "\"000-1-935??-*\" => 21500",
    "\"000-2-90???-*\" => 31100",
    "\"000-1-95000-000\" => 41000 \"Excédent accumulé\"",
    "activity 81000..81999 => 51000",
    "\"000-?-84???-*\" => 51000{grants}",
    "\"???-1-8?040-*\" => 54030{services}",
    "activity 11000..11999 => 61000",
    "activity 21000..21999 => 62000 \"Soutien\"",
    "activity 31000..31999 => 63000",
    "\"231-1-11010-510\" => 62000 \"Reclassé au soutien\"",
    "object \"650\" => 63000 priority 1",
    "\"231-1-11010-520\" => 61000 valid until 2025-06-30",
    "\"231-1-11010-520\" => 62000 valid from 2025-07-01 \"Dès 2025-2026\"",
];
const TABLE_RULES: usize = 6;

const DESCRIPTIONS: &[&str] = &[
    "Fournitures scolaires",
    "Contrat d'entretien – école Sainte-Thérèse",
    "Facture \"urgente\"; 2e envoi, 50 €",
    "Ligne 1\nligne 2",
    "",
    "Café | thé",
];

const CENTRES: &[(&str, &str, &str)] = &[
    ("alpha", "701", "Centre de services scolaire Alpha"),
    ("beta", "702", "Centre de services scolaire Bêta"),
    ("gamma", "703", "Centre de services scolaire Gamma"),
];

// ------------------------------------------------------------- the draw

/// How a centre writes its exports.
#[derive(Clone, Debug)]
pub struct Dialect {
    /// Semicolon, decimal comma, debit and credit, Windows-1252; else
    /// comma, decimal point, signed amount, UTF-8.
    pub windows: bool,
    pub thousands: Option<char>,
    pub crlf: bool,
    /// The order of the seven columns.
    pub order: Vec<usize>,
}

/// A journal entry: its lines (a code of [`LOCALS`] and an amount in
/// cents), then a line on `balance` that makes it sum to zero.
#[derive(Clone, Debug)]
pub struct RawEntry {
    lines: Vec<(Index, i64)>,
    balance: Index,
    month: u32,
    day: u32,
    description: usize,
}

#[derive(Clone, Debug)]
pub struct Centre {
    pub dialect: Dialect,
    /// The services pattern holds the higher priority (else the grants one).
    pub services_first: bool,
    pub priority: u8,
    pub rule_order: Vec<usize>,
    /// Balance-sheet rules in a CSV table.
    pub table: bool,
    /// Opening balances of the prior year (1 July 2023), if any.
    pub prior_opening: Option<Vec<(Index, i64)>>,
    pub prior: Vec<RawEntry>,
    pub current: Vec<RawEntry>,
    pub adjustments: Vec<RawEntry>,
    /// Budget lines: a revenue or expense code, cents, month, day.
    pub budget: Vec<(Index, i64, u32, u32)>,
}

/// One centre bills another, which records the charge (maybe at another
/// amount: the pair then does not match) and maybe pays part of it.
#[derive(Clone, Debug)]
pub struct Trade {
    pub seller: usize,
    pub buyer: usize,
    pub billed: i64,
    pub recorded: i64,
    pub paid: Option<i64>,
    pub month: u32,
    pub day: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounding {
    pub thousands: bool,
    pub half_up: bool,
    pub largest: bool,
    /// Write every option, even the defaults.
    pub explicit: bool,
}

/// The part of a year a column covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Year,
    Period(u8),
    Quarter(u8),
    ThroughPeriod(u8),
    ThroughQuarter(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slice {
    pub back: u8,
    pub part: Part,
    pub budget: bool,
}

#[derive(Clone, Debug)]
pub struct Generated {
    pub centres: Vec<Centre>,
    pub trades: Vec<Trade>,
    /// The centre `reseau` leaves out (three centres only).
    pub excluded: Option<usize>,
    pub rounding: Rounding,
    pub matrix_rounding: Option<Rounding>,
    /// The columns of `resultats`, in a drawn order.
    pub columns: Vec<(&'static str, Slice)>,
    /// The extra year-to-date column of `situation`, if any.
    pub situation_cumul: Option<Part>,
    /// What each column of the matrix covers.
    pub matrix: Slice,
}

fn cents() -> impl Strategy<Value = i64> {
    prop_oneof![
        -10_000_000_000i64..10_000_000_000,
        -100_000i64..100_000,
        // Halves of a dollar and of a thousand dollars: rounding ties.
        (-400i64..400).prop_map(|k| k * 50),
        (-40i64..40).prop_map(|k| k * 50_000),
    ]
}

fn entry() -> impl Strategy<Value = RawEntry> {
    (
        prop::collection::vec((any::<Index>(), cents()), 1..=2),
        any::<Index>(),
        1u32..=12,
        1u32..=28,
        0..DESCRIPTIONS.len(),
    )
        .prop_map(|(lines, balance, month, day, description)| RawEntry {
            lines,
            balance,
            month,
            day,
            description,
        })
}

fn dialect() -> impl Strategy<Value = Dialect> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![0usize, 1, 2]),
        Just((0..7).collect::<Vec<usize>>()).prop_shuffle(),
    )
        .prop_map(|(windows, crlf, thousands, order)| Dialect {
            windows,
            thousands: match (windows, thousands) {
                (_, 0) => None,
                (true, 1) => Some(' '),
                (true, _) => Some('\u{a0}'),
                (false, _) => Some(','),
            },
            crlf,
            order,
        })
}

fn centre() -> impl Strategy<Value = Centre> {
    let mapping = (
        dialect(),
        any::<bool>(),
        1u8..=3,
        Just((0..RULES.len()).collect::<Vec<usize>>()).prop_shuffle(),
        any::<bool>(),
    );
    let books = (
        prop::option::of(prop::collection::vec((any::<Index>(), cents()), 1..5)),
        prop::collection::vec(entry(), 1..8),
        prop::collection::vec(entry(), 1..12),
        prop::collection::vec(entry(), 1..4),
        prop::collection::vec((any::<Index>(), cents(), 1u32..=12, 1u32..=28), 1..10),
    );
    (mapping, books).prop_map(
        |(
            (dialect, services_first, priority, rule_order, table),
            (prior_opening, prior, current, adjustments, budget),
        )| Centre {
            dialect,
            services_first,
            priority,
            rule_order,
            table,
            prior_opening,
            prior,
            current,
            adjustments,
            budget,
        },
    )
}

fn trade(centres: usize) -> impl Strategy<Value = Trade> {
    (
        0..centres,
        1..centres,
        1i64..1_000_000_000,
        prop::option::weighted(0.3, -100_000i64..100_000),
        prop::option::of(1i64..1_000_000_000),
        1u32..=12,
        1u32..=28,
    )
        .prop_map(
            move |(seller, offset, billed, difference, paid, month, day)| Trade {
                seller,
                buyer: (seller + offset) % centres,
                billed,
                recorded: billed + difference.unwrap_or(0),
                paid: paid.map(|p| p.min(billed)),
                month,
                day,
            },
        )
}

fn rounding() -> impl Strategy<Value = Rounding> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(thousands, half_up, largest, explicit)| Rounding {
            thousands,
            half_up,
            largest,
            explicit,
        },
    )
}

fn part_of_year() -> impl Strategy<Value = Part> {
    prop_oneof![
        2 => Just(Part::Year),
        1 => (1u8..=13).prop_map(Part::Period),
        1 => (1u8..=4).prop_map(Part::Quarter),
        1 => (1u8..=12).prop_map(Part::ThroughPeriod),
        1 => (1u8..=3).prop_map(Part::ThroughQuarter),
    ]
}

fn columns() -> impl Strategy<Value = Vec<(&'static str, Slice)>> {
    let slice = |back, part, budget| Slice { back, part, budget };
    (
        prop_oneof![1 => Just(13u8), 3 => 1u8..=12],
        prop_oneof![1 => Just(4u8), 3 => 1u8..=3],
        prop_oneof![
            (1u8..=12).prop_map(Part::ThroughPeriod),
            (1u8..=3).prop_map(Part::ThroughQuarter),
        ],
        prop_oneof![
            (1u8..=12).prop_map(Part::ThroughPeriod),
            (1u8..=4).prop_map(Part::Quarter),
        ],
        prop::option::of(1u8..=4),
    )
        .prop_map(
            move |(period, quarter, cumul, budget_part, prior_quarter)| {
                let mut columns = vec![
                    ("courant", slice(0, Part::Year, false)),
                    ("precedent", slice(1, Part::Year, false)),
                    ("mois", slice(0, Part::Period(period), false)),
                    ("trimestre", slice(0, Part::Quarter(quarter), false)),
                    ("cumul", slice(0, cumul, false)),
                    ("budget", slice(0, Part::Year, true)),
                    ("budget_partiel", slice(0, budget_part, true)),
                ];
                if let Some(quarter) = prior_quarter {
                    columns.push((
                        "trimestre_precedent",
                        slice(1, Part::Quarter(quarter), false),
                    ));
                }
                columns
            },
        )
        .prop_shuffle()
}

/// A whole project, ready to write.
pub fn project() -> impl Strategy<Value = Generated> {
    (2usize..=3).prop_flat_map(|count| {
        (
            prop::collection::vec(centre(), count),
            prop::collection::vec(trade(count), 1..5),
            prop::option::of(0..count).prop_map(move |c| c.filter(|_| count == 3)),
            rounding(),
            prop::option::of(rounding()),
            columns(),
            prop::option::of(prop_oneof![
                (1u8..=12).prop_map(Part::ThroughPeriod),
                (1u8..=3).prop_map(Part::ThroughQuarter),
            ]),
            (part_of_year(), 0u8..3),
        )
            .prop_map(
                |(
                    centres,
                    trades,
                    excluded,
                    rounding,
                    matrix_rounding,
                    columns,
                    situation_cumul,
                    (part, book),
                )| Generated {
                    centres,
                    trades,
                    excluded,
                    rounding,
                    matrix_rounding,
                    columns,
                    situation_cumul,
                    // The books of the year or of the prior year, or the budget.
                    matrix: Slice {
                        back: u8::from(book == 1),
                        part,
                        budget: book == 2,
                    },
                },
            )
    })
}

// --------------------------------------------------------- the postings

/// The source a posting is written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum File {
    PriorOpening,
    PriorLedger,
    Opening,
    Ledger,
    Adjustments,
    Budget,
}

impl File {
    const ALL: [File; 6] = [
        File::PriorOpening,
        File::PriorLedger,
        File::Opening,
        File::Ledger,
        File::Adjustments,
        File::Budget,
    ];

    fn name(self) -> &'static str {
        match self {
            File::PriorOpening => "ouverture-2023-07-01.csv",
            File::PriorLedger => "grand-livre-2023-2024.csv",
            File::Opening => "ouverture-2024-07-01.csv",
            File::Ledger => "grand-livre-2024-2025.csv",
            File::Adjustments => "ajustements-2024-2025.csv",
            File::Budget => "budget-2024-2025.csv",
        }
    }

    fn role(self) -> &'static str {
        match self {
            File::PriorOpening | File::Opening => "opening",
            File::PriorLedger | File::Ledger => "ledger",
            File::Adjustments => "adjustments",
            File::Budget => "budget",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Posting {
    pub entity: usize,
    pub file: File,
    pub reference: String,
    /// Calendar year, month, day.
    pub date: (i32, u32, u32),
    pub local: usize,
    pub cents: i64,
    pub counterparty: Option<usize>,
    pub description: usize,
}

/// A posting as the test reads it: its fiscal year and period, where it
/// lands, and whether it is budget.
#[derive(Clone, Debug)]
pub struct Fact {
    pub entity: usize,
    pub year: i32,
    pub period: u8,
    pub local: usize,
    pub code: &'static str,
    pub cents: i64,
    pub counterparty: Option<usize>,
    pub budget: bool,
}

/// The calendar year of a month of the fiscal year ending in `fiscal`.
fn calendar_year(fiscal: i32, month: u32) -> i32 {
    if month >= 7 { fiscal - 1 } else { fiscal }
}

impl Generated {
    pub fn entity_name(&self, entity: usize) -> &'static str {
        CENTRES[entity].0
    }

    /// Members of `reseau`.
    pub fn members(&self) -> Vec<usize> {
        (0..self.centres.len())
            .filter(|c| Some(*c) != self.excluded)
            .collect()
    }

    /// The chart code a local code of a centre lands on.
    pub fn target(&self, entity: usize, local: usize) -> &'static str {
        match LOCALS[local].1 {
            Lands::On(code) => code,
            Lands::Contested if self.centres[entity].services_first => "54030",
            Lands::Contested => "51000",
        }
    }

    pub fn postings(&self) -> Vec<Posting> {
        let mut all = Vec::new();
        for (entity, centre) in self.centres.iter().enumerate() {
            let mut out = Postings {
                entity,
                all: &mut all,
            };
            if let Some(lines) = &centre.prior_opening {
                let lines: Vec<(usize, i64)> = lines
                    .iter()
                    .map(|(i, c)| (BALANCE_SHEET.start + i.index(BALANCE_SHEET.len()), *c))
                    .collect();
                out.opening(File::PriorOpening, 2023, &lines);
            }
            for (number, raw) in centre.prior.iter().enumerate() {
                out.entry(File::PriorLedger, 2024, &format!("GL24-{number}"), raw);
            }
            let closing = closing_lines(out.all, entity);
            out.opening(File::Opening, 2024, &closing);
            for (number, raw) in centre.current.iter().enumerate() {
                out.entry(File::Ledger, 2025, &format!("GL25-{number}"), raw);
            }
            for (number, trade) in self.trades.iter().enumerate() {
                out.trade(number, trade);
            }
            for (number, raw) in centre.adjustments.iter().enumerate() {
                out.entry(File::Adjustments, 2025, &format!("AJ25-{number}"), raw);
            }
            for (number, (local, cents, month, day)) in centre.budget.iter().enumerate() {
                let local = FLOWS.start + local.index(FLOWS.len());
                out.push(
                    File::Budget,
                    &format!("BUD25-{number}"),
                    (calendar_year(2025, *month), *month, *day),
                    (local, *cents, None),
                    0,
                );
            }
        }
        all
    }

    /// Whether two exports of a centre have as many lines and the same
    /// debit and credit totals: the fast path then leaves the centre to the
    /// precise reader, which compares them line by line.
    pub fn has_twin_totals(&self, entity: usize) -> bool {
        let mut totals: BTreeMap<File, (usize, i64, i64)> = BTreeMap::new();
        for posting in self.postings().iter().filter(|p| p.entity == entity) {
            let (lines, debits, credits) = totals.entry(posting.file).or_default();
            *lines += 1;
            if posting.cents >= 0 {
                *debits += posting.cents;
            } else {
                *credits -= posting.cents;
            }
        }
        let totals: Vec<_> = totals.values().collect();
        totals
            .iter()
            .enumerate()
            .any(|(i, a)| totals[i + 1..].contains(a))
    }

    /// Every posting placed by the test: period 0 for opening balances,
    /// 13 for adjustments, else the month from July.
    pub fn facts(&self) -> Vec<Fact> {
        self.postings()
            .into_iter()
            .map(|p| {
                let (year, month, _) = p.date;
                let fiscal = if month >= 7 { year + 1 } else { year };
                let period = match p.file {
                    File::PriorOpening | File::Opening => 0,
                    File::Adjustments => 13,
                    _ => ((month + 5) % 12 + 1) as u8,
                };
                Fact {
                    entity: p.entity,
                    year: fiscal,
                    period,
                    local: p.local,
                    code: self.target(p.entity, p.local),
                    cents: p.cents,
                    counterparty: p.counterparty,
                    budget: p.file == File::Budget,
                }
            })
            .collect()
    }
}

/// Collects the postings of one centre.
struct Postings<'a> {
    entity: usize,
    all: &'a mut Vec<Posting>,
}

impl Postings<'_> {
    fn push(
        &mut self,
        file: File,
        reference: &str,
        date: (i32, u32, u32),
        (local, cents, counterparty): (usize, i64, Option<usize>),
        description: usize,
    ) {
        self.all.push(Posting {
            entity: self.entity,
            file,
            reference: reference.to_string(),
            date,
            local,
            cents,
            counterparty,
            description,
        });
    }

    /// Opening balances on 1 July of `year`, balanced on the surplus.
    fn opening(&mut self, file: File, year: i32, lines: &[(usize, i64)]) {
        let reference = format!("OUV-{year}");
        let mut net = 0;
        for (local, cents) in lines {
            net += cents;
            self.push(file, &reference, (year, 7, 1), (*local, *cents, None), 1);
        }
        self.push(file, &reference, (year, 7, 1), (SURPLUS, -net, None), 0);
    }

    fn entry(&mut self, file: File, fiscal: i32, reference: &str, raw: &RawEntry) {
        let date = (calendar_year(fiscal, raw.month), raw.month, raw.day);
        let mut net = 0;
        for (local, cents) in &raw.lines {
            net += cents;
            let local = local.index(LOCALS.len());
            self.push(
                file,
                reference,
                date,
                (local, *cents, None),
                raw.description,
            );
        }
        let balance = raw.balance.index(LOCALS.len());
        self.push(
            file,
            reference,
            date,
            (balance, -net, None),
            raw.description,
        );
    }

    fn trade(&mut self, number: usize, trade: &Trade) {
        let date = (calendar_year(2025, trade.month), trade.month, trade.day);
        let file = File::Ledger;
        if trade.seller == self.entity {
            let other = Some(trade.buyer);
            let reference = format!("IE{number}-F");
            self.push(file, &reference, date, (RECEIVABLE, trade.billed, other), 2);
            self.push(
                file,
                &reference,
                date,
                (SERVICES_BILLED, -trade.billed, other),
                2,
            );
            if let Some(paid) = trade.paid {
                let reference = format!("IE{number}-E");
                self.push(file, &reference, date, (CASH, paid, None), 1);
                self.push(file, &reference, date, (RECEIVABLE, -paid, other), 1);
            }
        } else if trade.buyer == self.entity {
            let other = Some(trade.seller);
            let reference = format!("IE{number}-A");
            self.push(
                file,
                &reference,
                date,
                (SERVICES_BOUGHT, trade.recorded, other),
                3,
            );
            self.push(file, &reference, date, (PAYABLE, -trade.recorded, other), 3);
            if let Some(paid) = trade.paid {
                let reference = format!("IE{number}-P");
                self.push(file, &reference, date, (PAYABLE, paid, other), 5);
                self.push(file, &reference, date, (CASH, -paid, None), 5);
            }
        }
    }
}

/// The opening lines of 2024-2025 from the postings of 2023-2024 so far:
/// each balance-sheet code carries its closing balance; revenues and
/// expenses close into the surplus (the balancing line).
fn closing_lines(all: &[Posting], entity: usize) -> Vec<(usize, i64)> {
    let mut closing: BTreeMap<usize, i64> = BTreeMap::new();
    for posting in all.iter().filter(|p| p.entity == entity) {
        *closing.entry(posting.local).or_default() += posting.cents;
    }
    closing
        .into_iter()
        .filter(|(local, cents)| BALANCE_SHEET.contains(local) && *cents != 0)
        .collect()
}

// ------------------------------------------------------------- coverage

/// What a generated project may exercise; [`Generated::features`] names
/// those it does.
pub const FEATURES: &[&str] = &[
    "two centres",
    "three centres",
    "a group of two of three centres",
    "comma, decimal point, signed amount, UTF-8",
    "semicolon, decimal comma, debit and credit, windows-1252",
    "CRLF",
    "space between thousands",
    "no-break space between thousands",
    "comma between thousands, amounts quoted",
    "a crosswalk table",
    "the services pattern raised by priority",
    "the grants pattern raised by priority",
    "a code claimed by two patterns posted",
    "opening balances of the prior year",
    "a prior year without opening balances",
    "an invoice between members eliminated",
    "an invoice between members not matched",
    "a payment between members",
    "an invoice with a centre outside the group",
    "amounts at half a dollar",
    "amounts at half a thousand",
    "unit 1",
    "unit 1000",
    "half_even",
    "half_up",
    "residual total",
    "residual largest",
    "the matrix with its own rounding",
    "a column of period 13",
    "a column of the fourth quarter",
    "a budget column of a quarter",
    "a budget column to a date",
    "a prior-year quarter column",
    "a column to the end of a quarter",
    "a column to the end of a period",
    "a balance sheet to a date",
    "a matrix of the year",
    "a matrix of the prior year",
    "a matrix of the budget",
    "a matrix of a quarter",
    "a matrix of a period",
    "a matrix to a date",
];

impl Generated {
    /// The features of [`FEATURES`] this project exercises.
    pub fn features(&self) -> Vec<&'static str> {
        let mut found = Vec::new();
        let mut note = |present: bool, feature: &'static str| {
            assert!(FEATURES.contains(&feature), "{feature} is listed");
            if present {
                found.push(feature);
            }
        };
        let centres = &self.centres;
        let any = |test: &dyn Fn(&Centre) -> bool| centres.iter().any(test);
        note(centres.len() == 2, "two centres");
        note(centres.len() == 3, "three centres");
        note(
            self.members().len() == 2 && centres.len() == 3,
            "a group of two of three centres",
        );
        note(
            any(&|c| !c.dialect.windows),
            "comma, decimal point, signed amount, UTF-8",
        );
        note(
            any(&|c| c.dialect.windows),
            "semicolon, decimal comma, debit and credit, windows-1252",
        );
        note(any(&|c| c.dialect.crlf), "CRLF");
        note(
            any(&|c| c.dialect.thousands == Some(' ')),
            "space between thousands",
        );
        note(
            any(&|c| c.dialect.thousands == Some('\u{a0}')),
            "no-break space between thousands",
        );
        note(
            any(&|c| c.dialect.thousands == Some(',')),
            "comma between thousands, amounts quoted",
        );
        note(any(&|c| c.table), "a crosswalk table");
        let postings = self.postings();
        let contested = |services: bool| {
            postings.iter().any(|p| {
                matches!(LOCALS[p.local].1, Lands::Contested)
                    && centres[p.entity].services_first == services
            })
        };
        note(contested(true), "the services pattern raised by priority");
        note(contested(false), "the grants pattern raised by priority");
        note(
            contested(true) || contested(false),
            "a code claimed by two patterns posted",
        );
        note(
            any(&|c| c.prior_opening.is_some()),
            "opening balances of the prior year",
        );
        note(
            any(&|c| c.prior_opening.is_none()),
            "a prior year without opening balances",
        );
        let members = self.members();
        let inside = |t: &&Trade| members.contains(&t.seller) && members.contains(&t.buyer);
        note(
            self.trades
                .iter()
                .filter(inside)
                .any(|t| t.billed == t.recorded),
            "an invoice between members eliminated",
        );
        note(
            self.trades
                .iter()
                .filter(inside)
                .any(|t| t.billed != t.recorded),
            "an invoice between members not matched",
        );
        note(
            self.trades.iter().filter(inside).any(|t| t.paid.is_some()),
            "a payment between members",
        );
        note(
            self.trades.iter().any(|t| !inside(&t)),
            "an invoice with a centre outside the group",
        );
        note(
            postings.iter().any(|p| p.cents % 100 == 50),
            "amounts at half a dollar",
        );
        note(
            postings.iter().any(|p| p.cents % 100_000 == 50_000),
            "amounts at half a thousand",
        );
        let roundings = [
            Some(self.rounding),
            self.matrix_rounding
                .map(|_| self.rounding_of("charges_nature")),
        ];
        let rounding = |test: &dyn Fn(&Rounding) -> bool| roundings.iter().flatten().any(test);
        note(rounding(&|r| !r.thousands), "unit 1");
        note(rounding(&|r| r.thousands), "unit 1000");
        note(rounding(&|r| !r.half_up), "half_even");
        note(rounding(&|r| r.half_up), "half_up");
        note(rounding(&|r| !r.largest), "residual total");
        note(rounding(&|r| r.largest), "residual largest");
        note(
            self.matrix_rounding.is_some(),
            "the matrix with its own rounding",
        );
        let column = |test: &dyn Fn(&Slice) -> bool| self.columns.iter().any(|(_, s)| test(s));
        note(
            column(&|s| s.part == Part::Period(13)),
            "a column of period 13",
        );
        note(
            column(&|s| s.part == Part::Quarter(4) && !s.budget),
            "a column of the fourth quarter",
        );
        note(
            column(&|s| matches!(s.part, Part::Quarter(_)) && s.budget),
            "a budget column of a quarter",
        );
        note(
            column(&|s| matches!(s.part, Part::ThroughPeriod(_)) && s.budget),
            "a budget column to a date",
        );
        note(
            column(&|s| matches!(s.part, Part::Quarter(_)) && s.back == 1),
            "a prior-year quarter column",
        );
        note(
            column(&|s| matches!(s.part, Part::ThroughQuarter(_))),
            "a column to the end of a quarter",
        );
        note(
            column(&|s| matches!(s.part, Part::ThroughPeriod(_)) && !s.budget),
            "a column to the end of a period",
        );
        note(self.situation_cumul.is_some(), "a balance sheet to a date");
        let matrix = self.matrix;
        note(
            matrix.part == Part::Year && !matrix.budget && matrix.back == 0,
            "a matrix of the year",
        );
        note(matrix.back == 1, "a matrix of the prior year");
        note(matrix.budget, "a matrix of the budget");
        note(
            matches!(matrix.part, Part::Quarter(_)),
            "a matrix of a quarter",
        );
        note(
            matches!(matrix.part, Part::Period(_)),
            "a matrix of a period",
        );
        note(
            matches!(
                matrix.part,
                Part::ThroughPeriod(_) | Part::ThroughQuarter(_)
            ),
            "a matrix to a date",
        );
        found
    }
}

// ------------------------------------------------------------ the files

impl Rounding {
    fn text(&self) -> String {
        let mut options = Vec::new();
        if self.thousands || self.explicit {
            options.push(format!("unit {}", if self.thousands { 1000 } else { 1 }));
        }
        if self.half_up || self.explicit {
            let method = if self.half_up { "half_up" } else { "half_even" };
            options.push(format!("method {method}"));
        }
        if self.largest || self.explicit {
            let residual = if self.largest { "largest" } else { "total" };
            options.push(format!("residual {residual}"));
        }
        format!("rounding {{ {} }}\n", options.join(" "))
    }

    /// `value` rounded as documented: to a multiple of the unit, ties to
    /// even or away from zero.
    pub fn round(&self, value: Decimal) -> Decimal {
        let unit = Decimal::from(if self.thousands { 1000 } else { 1 });
        let strategy = if self.half_up {
            RoundingStrategy::MidpointAwayFromZero
        } else {
            RoundingStrategy::MidpointNearestEven
        };
        (value / unit).round_dp_with_strategy(0, strategy) * unit
    }
}

impl Slice {
    fn text(&self) -> String {
        let mut text = String::new();
        if self.budget {
            text.push_str("budget ");
        }
        text.push_str("year");
        if self.back > 0 {
            text.push_str(&format!(" - {}", self.back));
        }
        match self.part {
            Part::Year => {}
            Part::Period(p) => text.push_str(&format!(" period {p}")),
            Part::Quarter(q) => text.push_str(&format!(" quarter {q}")),
            Part::ThroughPeriod(p) => text.push_str(&format!(" through period {p}")),
            Part::ThroughQuarter(q) => text.push_str(&format!(" through quarter {q}")),
        }
        text
    }

    /// The periods covered, as the reference defines them: a quarter is
    /// three months, the fourth also takes the adjustments (13).
    pub fn periods(&self) -> (u8, u8) {
        let quarter_end = |q: u8| if q == 4 { 13 } else { 3 * q };
        match self.part {
            Part::Year => (1, 13),
            Part::Period(p) => (p, p),
            Part::Quarter(q) => (3 * q - 2, quarter_end(q)),
            Part::ThroughPeriod(p) => (1, p),
            Part::ThroughQuarter(q) => (1, quarter_end(q)),
        }
    }

    pub fn year(&self) -> i32 {
        FISCAL_YEAR - i32::from(self.back)
    }
}

/// A report row as declared.
pub enum Item {
    Line {
        id: &'static str,
        aggregate: &'static str,
        codes: &'static [&'static str],
        nature: Option<&'static str>,
        memo: bool,
    },
    Section {
        id: &'static str,
        items: Vec<Item>,
    },
    /// A line computed from others: (sign, id) terms.
    Formula {
        id: &'static str,
        terms: &'static [(i64, &'static str)],
    },
}

pub struct Report {
    pub id: &'static str,
    pub items: Vec<Item>,
    pub check: Option<&'static str>,
}

impl Report {
    /// The sections that hold at least one line of their own (not memo):
    /// under `residual largest` each shows its own rounded total.
    pub fn sections_with_lines(&self) -> Vec<&'static str> {
        fn walk(items: &[Item], out: &mut Vec<&'static str>) {
            for item in items {
                if let Item::Section { id, items } = item {
                    let own_line = items
                        .iter()
                        .any(|i| matches!(i, Item::Line { memo: false, .. }));
                    if own_line {
                        out.push(id);
                    }
                    walk(items, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.items, &mut out);
        out
    }
}

fn line(id: &'static str, aggregate: &'static str, codes: &'static [&'static str]) -> Item {
    Item::Line {
        id,
        aggregate,
        codes,
        nature: None,
        memo: false,
    }
}

fn section(id: &'static str, items: Vec<Item>) -> Item {
    Item::Section { id, items }
}

/// The three reports. Sections have at most two parts, so a rounding
/// difference never exceeds one unit and `residual largest` can always
/// place it.
pub fn reports() -> Vec<Report> {
    let resultats = Report {
        id: "resultats",
        items: vec![
            section(
                "revenus",
                vec![
                    line("subventions", "sum(51000)", &["51000"]),
                    line("services_rendus", "sum(54030)", &["54030"]),
                ],
            ),
            section(
                "charges",
                vec![
                    section(
                        "directes",
                        vec![
                            line("enseignement", "sum(61000)", &["61000"]),
                            line("soutien", "flow(62000)", &["62000"]),
                        ],
                    ),
                    line("services_recus", "sum(63000)", &["63000"]),
                    Item::Line {
                        id: "remuneration",
                        aggregate: "sum(61000..63000 where nature = N100)",
                        codes: &["61000", "62000", "63000"],
                        nature: Some("N100"),
                        memo: true,
                    },
                ],
            ),
            Item::Formula {
                id: "excedent",
                terms: &[(1, "revenus"), (-1, "charges")],
            },
        ],
        check: None,
    };
    let situation = Report {
        id: "situation",
        items: vec![
            section(
                "actifs",
                vec![
                    line("encaisse", "sum(11000)", &["11000"]),
                    line("debiteurs", "balance(12100)", &["12100"]),
                ],
            ),
            section(
                "passifs",
                vec![
                    line("crediteurs", "sum(21100)", &["21100"]),
                    line("dette", "sum(21500)", &["21500"]),
                ],
            ),
            Item::Formula {
                id: "dette_nette",
                terms: &[(1, "actifs"), (-1, "passifs")],
            },
            section(
                "non_financiers",
                vec![line("immobilisations", "sum(31100)", &["31100"])],
            ),
            Item::Formula {
                id: "excedent",
                terms: &[(1, "dette_nette"), (1, "non_financiers")],
            },
            Item::Line {
                id: "solde_excedent",
                aggregate: "sum(41000)",
                codes: &["41000"],
                nature: None,
                memo: true,
            },
        ],
        check: Some("excedent == sum(41000) + resultats.excedent"),
    };
    let matrice = Report {
        id: "charges_nature",
        items: vec![section(
            "charges",
            vec![
                line("enseignement", "sum(61000)", &["61000"]),
                line("autres", "sum(62000, 63000)", &["62000", "63000"]),
            ],
        )],
        check: None,
    };
    vec![resultats, situation, matrice]
}

fn report_body(report: &Report) -> String {
    fn items(out: &mut String, list: &[Item], depth: usize) {
        let pad = "  ".repeat(depth);
        for item in list {
            match item {
                Item::Line {
                    id,
                    aggregate,
                    memo,
                    ..
                } => {
                    let memo = if *memo { " memo" } else { "" };
                    out.push_str(&format!(
                        "{pad}line {id} \"Ligne {id}\" = {aggregate}{memo}\n"
                    ));
                }
                Item::Section { id, items: inner } => {
                    out.push_str(&format!("{pad}section {id} \"Section {id}\" {{\n"));
                    items(out, inner, depth + 1);
                    out.push_str(&format!("{pad}  total \"Total {id}\"\n{pad}}}\n"));
                }
                Item::Formula { id, terms } => {
                    let mut formula = String::new();
                    for (index, (sign, term)) in terms.iter().enumerate() {
                        match (index, *sign < 0) {
                            (0, false) => {}
                            (0, true) => formula.push('-'),
                            (_, false) => formula.push_str(" + "),
                            (_, true) => formula.push_str(" - "),
                        }
                        formula.push_str(term);
                    }
                    out.push_str(&format!("{pad}line {id} \"Ligne {id}\" = {formula}\n"));
                }
            }
        }
    }
    let mut out = String::new();
    items(&mut out, &report.items, 1);
    if let Some(check) = report.check {
        out.push_str(&format!("  check equilibre \"Équilibre\" : {check}\n"));
    }
    out
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

impl Generated {
    /// Writes the project under `root`.
    pub fn write(&self, root: &Path) {
        let mut chart = format!("fiscal_year {FISCAL_YEAR}\n{}", self.rounding.text());
        chart.push_str("chart meq \"Plan comptable\" {\n");
        for (code, label, kind, credit) in CHART {
            let side = if *credit { "credit" } else { "debit" };
            chart.push_str(&format!("  {code} \"{label}\" {kind} {side}\n"));
        }
        chart.push_str("}\ndimension nature \"Nature\" {\n  N100 \"Rémunération\"\n  N400 \"Fournitures\"\n  N500 \"Services\"\n}\n");
        chart.push_str("structure poste \"UUU-F-AAAAA-OOO\" {\n  unit:3 \"-\" fund:1 \"-\" activity:5 \"-\" object:3\n}\n");
        write(&root.join("reports/chart.rdn"), chart);
        for entity in 0..self.centres.len() {
            self.write_centre(root, entity);
        }
        let names = |members: &[usize]| {
            let names: Vec<&str> = members.iter().map(|m| self.entity_name(*m)).collect();
            names.join(", ")
        };
        let mut groups = format!("group reseau \"Réseau\" {{\n  {}\n", names(&self.members()));
        for (codes, against, label) in ELIMINATIONS {
            groups.push_str(&format!(
                "  eliminate {codes} against {against} \"{label}\"\n"
            ));
        }
        let all: Vec<usize> = (0..self.centres.len()).collect();
        groups.push_str(&format!(
            "}}\ngroup ensemble \"Ensemble\" {{ {} }}\n",
            names(&all)
        ));
        write(&root.join("reports/centres/groupes.rdn"), groups);
        for report in reports() {
            let columns = match report.id {
                "resultats" => {
                    let list: Vec<String> = self
                        .columns
                        .iter()
                        .map(|(id, slice)| format!("{id} = {}", slice.text()))
                        .collect();
                    format!("  columns {{ {} }}\n", list.join(", "))
                }
                "situation" => match self.situation_cumul {
                    Some(part) => format!(
                        "  columns {{ courant = year, precedent = year - 1, cumul = {} }}\n",
                        Slice {
                            back: 0,
                            part,
                            budget: false
                        }
                        .text()
                    ),
                    None => String::new(),
                },
                _ => format!("  columns by nature of {}\n", self.matrix.text()),
            };
            let rounding = match (report.id, self.matrix_rounding) {
                ("charges_nature", Some(own)) => format!("  {}", own.text()),
                _ => String::new(),
            };
            let text = format!(
                "report {} \"Rapport {}\" {{\n  subtitle \"Exercice clos le {{year_end}}\"\n{columns}{rounding}{}}}\n",
                report.id,
                report.id,
                report_body(&report)
            );
            write(&root.join(format!("reports/etats/{}.rdn", report.id)), text);
        }
        let postings = self.postings();
        for entity in 0..self.centres.len() {
            for file in File::ALL {
                let lines: Vec<&Posting> = postings
                    .iter()
                    .filter(|p| p.entity == entity && p.file == file)
                    .collect();
                if lines.is_empty() {
                    continue;
                }
                let path = root.join(format!(
                    "ledgers/{}/{}",
                    self.entity_name(entity),
                    file.name()
                ));
                write(&path, self.export(entity, &lines));
            }
        }
    }

    fn write_centre(&self, root: &Path, entity: usize) {
        let (name, code, label) = CENTRES[entity];
        let centre = &self.centres[entity];
        let dialect = &centre.dialect;
        let thousands = match dialect.thousands {
            Some(mark) => format!("  thousands \"{}\"\n", if mark == ',' { ',' } else { ' ' }),
            None => String::new(),
        };
        let [date, account, amount, reference, description] = if dialect.windows {
            [
                "Date",
                "Compte",
                "debit \"Débit\" credit \"Crédit\"",
                "No pièce",
                "Libellé",
            ]
        } else {
            [
                "Date",
                "Poste budgétaire",
                "amount \"Montant\"",
                "Pièce",
                "Description",
            ]
        };
        let (delimiter, decimal, encoding, date_format) = if dialect.windows {
            (";", ",", "windows-1252", "%d/%m/%Y")
        } else {
            (",", ".", "utf-8", "%Y-%m-%d")
        };
        let mut text = format!(
            "format f_{name} \"Export de {label}\" {{\n  delimiter \"{delimiter}\"\n  decimal \"{decimal}\"\n{thousands}  encoding \"{encoding}\"\n  date \"{date_format}\"\n  columns {{\n    date \"{date}\"\n    account \"{account}\"\n    {amount}\n    reference \"{reference}\"\n    description \"{description}\"\n    counterparty \"Centre lié\"\n  }}\n}}\n"
        );
        text.push_str(&format!("crosswalk x_{name}: poste -> meq {{\n"));
        let (grants, services) = if centre.services_first {
            (String::new(), format!(" priority {}", centre.priority))
        } else {
            (format!(" priority {}", centre.priority), String::new())
        };
        if centre.table {
            text.push_str(&format!("  include \"reports/crosswalks/{name}.csv\"\n"));
            let mut table = String::from("pattern,code,note\n");
            for rule in &RULES[..TABLE_RULES] {
                let (pattern, rest) = rule.split_once(" => ").unwrap();
                let code = rest.split_whitespace().next().unwrap();
                table.push_str(&format!(
                    "{},{code},Ligne du tableau\n",
                    pattern.trim_matches('"')
                ));
            }
            write(&root.join(format!("reports/crosswalks/{name}.csv")), table);
        }
        for index in &centre.rule_order {
            if centre.table && *index < TABLE_RULES {
                continue;
            }
            let rule = RULES[*index]
                .replace("{grants}", &grants)
                .replace("{services}", &services);
            text.push_str(&format!("  {rule}\n"));
        }
        text.push_str("  dimension nature {\n    object 100..399 => N100\n    object 400..699 => N400\n    object 700..999 => N500\n  }\n}\n");
        text.push_str(&format!(
            "entity {name} \"{label}\" {{\n  code \"{code}\"\n  crosswalk x_{name}\n"
        ));
        for file in File::ALL {
            if file == File::PriorOpening && centre.prior_opening.is_none() {
                continue;
            }
            text.push_str(&format!(
                "  {} \"ledgers/{name}/{}\" format f_{name}\n",
                file.role(),
                file.name()
            ));
        }
        text.push_str("}\n");
        write(&root.join(format!("reports/centres/{name}.rdn")), text);
    }

    /// One export in the centre's dialect.
    fn export(&self, entity: usize, lines: &[&Posting]) -> Vec<u8> {
        let dialect = &self.centres[entity].dialect;
        let delimiter = if dialect.windows { ";" } else { "," };
        let eol = if dialect.crlf { "\r\n" } else { "\n" };
        let header: [&str; 7] = if dialect.windows {
            [
                "Date",
                "Compte",
                "Débit",
                "Crédit",
                "No pièce",
                "Libellé",
                "Centre lié",
            ]
        } else {
            [
                "Date",
                "Journal",
                "Pièce",
                "Poste budgétaire",
                "Description",
                "Montant",
                "Centre lié",
            ]
        };
        let ordered = |cells: [String; 7]| {
            let cells: Vec<String> = dialect.order.iter().map(|i| cells[*i].clone()).collect();
            cells.join(delimiter)
        };
        let mut text = ordered(header.map(str::to_string));
        text.push_str(eol);
        for posting in lines {
            let (year, month, day) = posting.date;
            let date = if dialect.windows {
                format!("{day:02}/{month:02}/{year}")
            } else {
                format!("{year}-{month:02}-{day:02}")
            };
            let description = cell(
                &DESCRIPTIONS[posting.description].replace('\n', eol),
                delimiter,
            );
            let other = posting
                .counterparty
                .map_or("", |c| CENTRES[c].1)
                .to_string();
            let account = LOCALS[posting.local].0.to_string();
            let reference = posting.reference.clone();
            let cells = if dialect.windows {
                let amount = cell(&amount_text(posting.cents.abs(), dialect), delimiter);
                let (debit, credit) = if posting.cents >= 0 {
                    (amount, String::new())
                } else {
                    (String::new(), amount)
                };
                [date, account, debit, credit, reference, description, other]
            } else {
                let amount = cell(&amount_text(posting.cents, dialect), delimiter);
                [
                    date,
                    "GEN".to_string(),
                    reference,
                    account,
                    description,
                    amount,
                    other,
                ]
            };
            text.push_str(&ordered(cells));
            text.push_str(eol);
        }
        if dialect.windows {
            encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
        } else {
            text.into_bytes()
        }
    }
}

fn amount_text(cents: i64, dialect: &Dialect) -> String {
    let mark = if dialect.windows { ',' } else { '.' };
    let whole = (cents.abs() / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if let Some(separator) = dialect.thousands
            && index > 0
            && (whole.len() - index).is_multiple_of(3)
        {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{grouped}{mark}{:02}", cents.abs() % 100)
}

fn cell(text: &str, delimiter: &str) -> String {
    if text.contains(delimiter) || text.contains('"') || text.contains('\n') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

// ------------------------------------------------------------ the oracle

/// An entity or a group, as the test reads it.
pub struct Scope {
    pub name: &'static str,
    pub members: Vec<usize>,
    pub eliminates: bool,
}

/// What one column of a statement covers: a slice, and in a matrix the
/// one `nature` value it holds.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub slice: Slice,
    pub nature: Option<&'static str>,
}

/// A row the test expects: its kind, id and exact value in each column (cents).
#[derive(Debug)]
pub struct Row {
    pub kind: &'static str,
    pub id: Option<&'static str>,
    pub exact: Vec<i128>,
}

/// The nature a local code gets from its object segment.
fn nature(local: usize) -> Option<&'static str> {
    let object: u32 = LOCALS[local].0[12..].parse().ok()?;
    match object {
        100..=399 => Some("N100"),
        400..=699 => Some("N400"),
        700..=999 => Some("N500"),
        _ => None,
    }
}

fn credit(code: &str) -> bool {
    CHART.iter().any(|(c, _, _, credit)| *c == code && *credit)
}

fn is_flow(code: &str) -> bool {
    CHART
        .iter()
        .any(|(c, _, kind, _)| *c == code && (*kind == "revenu" || *kind == "charge"))
}

impl Generated {
    pub fn scopes(&self) -> Vec<Scope> {
        let mut scopes: Vec<Scope> = (0..self.centres.len())
            .map(|entity| Scope {
                name: self.entity_name(entity),
                members: vec![entity],
                eliminates: false,
            })
            .collect();
        scopes.push(Scope {
            name: "reseau",
            members: self.members(),
            eliminates: true,
        });
        scopes.push(Scope {
            name: "ensemble",
            members: (0..self.centres.len()).collect(),
            eliminates: false,
        });
        scopes
    }

    /// The columns of a report, by their id in the JSON (`value` for a
    /// matrix's nature columns, `None` for its total column).
    pub fn column(&self, report: &str, id: &str, value: Option<&str>) -> Column {
        let plain = |slice| Column {
            slice,
            nature: None,
        };
        let year = |back| Slice {
            back,
            part: Part::Year,
            budget: false,
        };
        match report {
            "resultats" => plain(
                self.columns
                    .iter()
                    .find(|(c, _)| *c == id)
                    .map(|(_, s)| *s)
                    .unwrap_or_else(|| panic!("no column `{id}` was generated")),
            ),
            "situation" => match (id, self.situation_cumul) {
                ("courant", _) => plain(year(0)),
                ("precedent", _) => plain(year(1)),
                ("cumul", Some(part)) => plain(Slice {
                    back: 0,
                    part,
                    budget: false,
                }),
                _ => panic!("no column `{id}` in situation"),
            },
            _ => Column {
                slice: self.matrix,
                nature: value.map(|v| match v {
                    "N100" => "N100",
                    "N400" => "N400",
                    "N500" => "N500",
                    other => panic!("no nature `{other}` was declared"),
                }),
            },
        }
    }

    /// One aggregate over the facts of a scope, in its presentation sign:
    /// flows over the slice's periods, balances at its end.
    fn aggregate(
        &self,
        facts: &[Fact],
        scope: &Scope,
        column: Column,
        codes: &[&str],
        filter: Option<&str>,
    ) -> i128 {
        let (from, to) = column.slice.periods();
        let eliminated = |code: &str| {
            ELIMINATIONS
                .iter()
                .any(|(codes, against, _)| *codes == code || *against == code)
        };
        facts
            .iter()
            .filter(|f| {
                let first = if is_flow(f.code) { from } else { 0 };
                scope.members.contains(&f.entity)
                    && f.budget == column.slice.budget
                    && f.year == column.slice.year()
                    && (first..=to).contains(&f.period)
                    && codes.contains(&f.code)
                    && filter.is_none_or(|n| nature(f.local) == Some(n))
                    && column.nature.is_none_or(|n| nature(f.local) == Some(n))
                    && !(scope.eliminates
                        && eliminated(f.code)
                        && f.counterparty.is_some_and(|c| scope.members.contains(&c)))
            })
            .map(|f| {
                let cents = i128::from(f.cents);
                if credit(f.code) { -cents } else { cents }
            })
            .sum()
    }

    /// Every row of a report for a scope, with its exact value in each
    /// column, computed from the facts alone.
    pub fn expected_rows(
        &self,
        facts: &[Fact],
        report: &Report,
        scope: &Scope,
        columns: &[Column],
    ) -> Vec<Row> {
        let mut rows = Vec::new();
        let mut named: BTreeMap<&'static str, Vec<i128>> = BTreeMap::new();
        self.rows_of(facts, &report.items, scope, columns, &mut rows, &mut named);
        rows
    }

    /// The rows of a list of items, and the sum of its items added into a
    /// total (memo lines are not).
    fn rows_of(
        &self,
        facts: &[Fact],
        items: &[Item],
        scope: &Scope,
        columns: &[Column],
        rows: &mut Vec<Row>,
        named: &mut BTreeMap<&'static str, Vec<i128>>,
    ) -> Vec<i128> {
        let mut sum = vec![0i128; columns.len()];
        let add = |sum: &mut Vec<i128>, values: &[i128]| {
            for (total, value) in sum.iter_mut().zip(values) {
                *total += value;
            }
        };
        for item in items {
            match item {
                Item::Line {
                    id,
                    codes,
                    nature,
                    memo,
                    ..
                } => {
                    let values: Vec<i128> = columns
                        .iter()
                        .map(|c| self.aggregate(facts, scope, *c, codes, *nature))
                        .collect();
                    if !memo {
                        add(&mut sum, &values);
                    }
                    let kind = if *memo { "memo" } else { "line" };
                    named.insert(id, values.clone());
                    rows.push(Row {
                        kind,
                        id: Some(id),
                        exact: values,
                    });
                }
                Item::Section { id, items } => {
                    rows.push(Row {
                        kind: "heading",
                        id: None,
                        exact: Vec::new(),
                    });
                    let values = self.rows_of(facts, items, scope, columns, rows, named);
                    add(&mut sum, &values);
                    named.insert(id, values.clone());
                    rows.push(Row {
                        kind: "total",
                        id: Some(id),
                        exact: values,
                    });
                }
                Item::Formula { id, terms } => {
                    let mut values = vec![0i128; columns.len()];
                    for (sign, term) in *terms {
                        for (value, part) in values.iter_mut().zip(&named[term]) {
                            *value += i128::from(*sign) * part;
                        }
                    }
                    add(&mut sum, &values);
                    named.insert(id, values.clone());
                    rows.push(Row {
                        kind: "line",
                        id: Some(id),
                        exact: values,
                    });
                }
            }
        }
        sum
    }

    /// The rounding of a report: the options its own block writes, the
    /// project's for the others.
    pub fn rounding_of(&self, report: &str) -> Rounding {
        match (report, self.matrix_rounding) {
            ("charges_nature", Some(own)) => {
                let base = self.rounding;
                let pick = |written: bool, own: bool, base: bool| if written { own } else { base };
                Rounding {
                    thousands: pick(own.thousands || own.explicit, own.thousands, base.thousands),
                    half_up: pick(own.half_up || own.explicit, own.half_up, base.half_up),
                    largest: pick(own.largest || own.explicit, own.largest, base.largest),
                    explicit: own.explicit,
                }
            }
            _ => self.rounding,
        }
    }
}

/// Cents as a decimal amount.
pub fn dollars(cents: i128) -> Decimal {
    Decimal::from_i128_with_scale(cents, 2)
}
