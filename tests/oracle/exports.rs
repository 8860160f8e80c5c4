//! The oracle that reads what reddition reads: hledger imports the very
//! export files of a generated project through CSV rules written from each
//! dialect, and its balances of the raw local codes, per fiscal year and
//! per period, must be reddition's; mapped onto the chart by the test's own
//! reading of the crosswalk ([`Crosswalk::map`]), they must be reddition's
//! balances per chart code. ledger cannot read these exports (`ledger
//! convert` knows only a comma, English column names, one amount column
//! and no account column), so it reads a journal the test writes from
//! hledger's parse of the CSV (`hledger print -O csv`), never from the
//! generator's cents, and its monthly sums must be reddition's too.
//!
//! Six centres: the three export families of the sample ledgers, each in
//! UTF-8 and in windows-1252. Each has two fiscal years (2023-2024 and
//! 2024-2025): opening balances (period 0), a ledger (periods 1 to 12; the
//! second year's in a folder of parts), year-end adjustments (period 13),
//! and the second year's opening balances are the first year's closing
//! ones (reddition checks continuity).
//!
//! Two negative controls run every time: one digit of one amount is changed
//! in a copy of an export hledger then reads, and one rule of the test's
//! crosswalk is pointed elsewhere; each must show as exactly the mismatch
//! it makes, or the test fails.

mod controls;
mod project;
mod sides;

use super::dialect::{Dialect, Family, Tamper};
use super::tools::Locales;
use crate::oracle::crosswalk::Crosswalk;
use crate::oracle::structure::Structure;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use controls::{crosswalk_control, tamper_control};
use project::generate;
use sides::{chart_of, hledger_local, hledger_reads, ledger_journal, ledger_local, reddition};

pub use sides::workers;

/// The fiscal years of every centre; the project builds the second.
const YEARS: [i32; 2] = [2024, 2025];

/// Every family in both encodings.
const CENTRES: [(Family, bool); 6] = [
    (Family::Sommets, false),
    (Family::Sommets, true),
    (Family::Riviere, true),
    (Family::Riviere, false),
    (Family::Lakeshore, false),
    (Family::Lakeshore, true),
];

/// The account hledger and ledger post the other side of each line to.
const CONTRA: &str = "contrepartie";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Opening,
    Ledger,
    Adjustments,
}

/// One export file.
struct Source {
    /// Relative to the project root.
    path: String,
    role: Role,
    year: i32,
    postings: usize,
    tamper: Option<Tamper>,
}

struct Entity {
    id: String,
    family: Family,
    dialect: Dialect,
    structure: Structure,
    crosswalk: Crosswalk,
    codes: usize,
    sources: Vec<Source>,
}

impl Entity {
    fn encoding(&self) -> &'static str {
        if self.dialect.cp1252 {
            "windows-1252"
        } else {
            "UTF-8"
        }
    }
}

/// A balance: the entity (index), the fiscal year, the period (`None`: the
/// whole year) and the local account or chart code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    entity: usize,
    year: i32,
    period: Option<u8>,
    account: String,
}

type Balances = BTreeMap<Key, Decimal>;

fn add(balances: &mut Balances, key: Key, value: Decimal) {
    *balances.entry(key).or_default() += value;
}

// ---------------------------------------------------------------------------
// Comparisons.

fn label(key: &Key) -> String {
    let period = match key.period {
        None => "year".to_string(),
        Some(p) if p >= 100 => format!("P{} (opening balances not dated 1 July)", p - 100),
        Some(p) => format!("P{p}"),
    };
    format!("{}-{} {period} `{}`", key.year - 1, key.year, key.account)
}

/// Compares the balances `select` keeps, an absent one as zero: the keys
/// compared per entity, and a line per mismatch.
fn compare(
    tool: &str,
    ours: &Balances,
    theirs: &Balances,
    select: impl Fn(&Key) -> bool,
    entities: &[Entity],
    mismatches: &mut Vec<String>,
) -> Vec<usize> {
    let mut counts = vec![0; entities.len()];
    let keys: BTreeSet<&Key> = ours
        .keys()
        .chain(theirs.keys())
        .filter(|k| select(k))
        .collect();
    for key in keys {
        counts[key.entity] += 1;
        let ours = ours.get(key).copied().unwrap_or_default();
        let theirs = theirs.get(key).copied().unwrap_or_default();
        if ours != theirs {
            let entity = &entities[key.entity];
            mismatches.push(format!(
                "{} ({}, {}) {}: reddition {}, {tool} {}",
                entity.id,
                entity.family.name(),
                entity.encoding(),
                label(key),
                ours.normalize(),
                theirs.normalize()
            ));
        }
    }
    counts
}

const CATEGORIES: [&str; 5] = [
    "local/period",
    "local/year",
    "chart/period",
    "chart/year",
    "ledger local/period",
];

// ---------------------------------------------------------------------------
// The run.

pub struct Outcome {
    pub report: String,
    /// Balances compared with hledger: local and chart codes, per period and
    /// per year.
    pub hledger: usize,
    /// Balances compared with ledger: local codes per period.
    pub ledger: usize,
    pub failures: Vec<String>,
}

/// Generates the project of `seed` (`lines` postings per centre and year),
/// reads it with reddition, hledger and ledger, and compares.
pub fn check(seed: u64, lines: usize, keep: bool, locales: &Locales) -> Outcome {
    let folder = tempfile::Builder::new()
        .prefix(&format!("reddition-oracle-exports-{seed}-"))
        .tempdir()
        .expect("a temporary folder");
    let result = run(folder.path(), seed, lines, locales);
    if keep {
        println!("files kept in {}", folder.keep().display());
    }
    result.unwrap_or_else(|failure| Outcome {
        report: String::new(),
        hledger: 0,
        ledger: 0,
        failures: vec![failure],
    })
}

fn run(folder: &Path, seed: u64, lines: usize, locales: &Locales) -> Result<Outcome, String> {
    let mut report = String::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |what: &str, report: &mut String| {
        let _ = writeln!(report, "  {what}: {:.1?}", clock.elapsed());
        clock = std::time::Instant::now();
    };
    let generated = generate(seed, lines);
    let (root, work) = (folder.join("project"), folder.join("hledger"));
    for (path, bytes) in &generated.files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(path, bytes).map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let entities = &generated.entities;
    lap("generated", &mut report);
    let (local, chart) = reddition(&root, entities)?;
    lap("reddition read", &mut report);
    let reads = hledger_reads(&root, &work, entities, locales)?;
    let hledger = hledger_local(entities, &reads, None)?;
    let own: Vec<&Crosswalk> = entities.iter().map(|e| &e.crosswalk).collect();
    let (hledger_chart, mut mismatches) = chart_of(entities, &hledger, &own);
    lap("hledger read (bal and print)", &mut report);
    let journal = work.join("hledger-print.ledger");
    std::fs::write(&journal, ledger_journal(&reads)).map_err(|e| e.to_string())?;
    let ledger = ledger_local(entities, &journal)?;
    lap("ledger read", &mut report);

    let per_period: fn(&Key) -> bool = |k| k.period.is_some();
    let per_year: fn(&Key) -> bool = |k| k.period.is_none();
    // In the order of `CATEGORIES`.
    let views = [
        ("hledger", &local, &hledger, per_period),
        ("hledger", &local, &hledger, per_year),
        ("hledger", &chart, &hledger_chart, per_period),
        ("hledger", &chart, &hledger_chart, per_year),
        ("ledger", &local, &ledger, per_period),
    ];
    let counts = views.map(|(tool, ours, theirs, select)| {
        compare(tool, ours, theirs, select, entities, &mut mismatches)
    });
    for (e, entity) in entities.iter().enumerate() {
        for (category, count) in CATEGORIES.iter().zip(&counts) {
            if count[e] == 0 {
                mismatches.push(format!("{}: no {category} balance compared", entity.id));
            }
        }
    }
    let controls = [
        tamper_control(&root, &work, entities, &reads, locales, &local),
        crosswalk_control(entities, &hledger, &chart),
    ];
    lap("negative controls", &mut report);
    for control in controls {
        match control {
            Ok(line) => {
                let _ = writeln!(report, "  control: {line}");
            }
            Err(failure) => mismatches.push(format!("negative control: {failure}")),
        }
    }
    table(&mut report, entities, &counts);
    let total = |range: std::ops::Range<usize>| -> usize { counts[range].iter().flatten().sum() };
    Ok(Outcome {
        report,
        hledger: total(0..4),
        ledger: total(4..5),
        failures: mismatches,
    })
}

fn table(report: &mut String, entities: &[Entity], counts: &[Vec<usize>; 5]) {
    let _ = writeln!(
        report,
        "  {:<16} {:<13} {:>5} {:>8} {:>5} {}",
        "centre",
        "encoding",
        "files",
        "postings",
        "codes",
        CATEGORIES.map(|c| format!("{c:>12}")).join(" ")
    );
    for (e, entity) in entities.iter().enumerate() {
        let postings: usize = entity.sources.iter().map(|s| s.postings).sum();
        let cells: Vec<String> = counts.iter().map(|c| format!("{:>12}", c[e])).collect();
        let _ = writeln!(
            report,
            "  {:<16} {:<13} {:>5} {:>8} {:>5} {}",
            entity.id,
            entity.encoding(),
            entity.sources.len(),
            postings,
            entity.codes,
            cells.join(" ")
        );
    }
    let totals: Vec<String> = counts
        .iter()
        .map(|c| format!("{:>12}", c.iter().sum::<usize>()))
        .collect();
    let _ = writeln!(
        report,
        "  {:<16} {:<13} {:>5} {:>8} {:>5} {}",
        "total",
        "",
        "",
        "",
        "",
        totals.join(" ")
    );
}
