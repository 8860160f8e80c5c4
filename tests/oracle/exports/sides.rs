//! The three readings compared: reddition's, hledger's and ledger's.

use super::{Balances, CONTRA, Entity, Key, Role, YEARS, add};
use crate::oracle::chart::CHART;
use crate::oracle::crosswalk::Crosswalk;
use crate::oracle::ledgers::first_day;
use crate::oracle::tools::{self, Locales, Printed, Row};
use reddition::commands::trial_balance::{By, from_cube};
use reddition::project::Project;
use reddition::source::Sources;
use reddition::{cube, pipeline};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// reddition's balances of both years, per local account and per chart
/// code, per period and for the year: the rows of its trial balance
/// (`from_cube`, what `trial-balance [--by code] [--by-period]` prints) of
/// the cube its production reader builds from the project; for the year
/// built, the balances per local account and period are those the binary
/// prints (`reddition trial-balance --by-period`), as a user gets them.
pub(super) fn reddition(root: &Path, entities: &[Entity]) -> Result<(Balances, Balances), String> {
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
    let cube = cube::build(&program, &project, &mut sources, &Default::default())
        .map_err(|d| format!("reading the exports fails:\n{}", render(&sources, d)))?;
    let entity = |name: &str| {
        entities
            .iter()
            .position(|e| e.id == name)
            .ok_or(format!("unknown entity `{name}`"))
    };
    let mut balances = [Balances::new(), Balances::new()];
    let mut insert = |index: usize, key: Key, value: Decimal| {
        if balances[index].insert(key.clone(), value).is_some() {
            return Err(format!("two rows for {key:?}"));
        }
        Ok(())
    };
    for (by, index) in [(By::Account, 0), (By::Code, 1)] {
        for year in YEARS {
            for by_period in [true, false] {
                if by == By::Account && year == YEARS[1] && by_period {
                    continue; // from the binary, below
                }
                let rows = from_cube(&program, &cube, year, by, by_period)
                    .map_err(|d| format!("trial balance: {}", render(&sources, d)))?;
                for row in rows {
                    let value = Decimal::from_str(&row.balance.to_string())
                        .map_err(|e| format!("balance `{}`: {e}", row.balance))?;
                    let key = Key {
                        entity: entity(&row.entity)?,
                        year,
                        period: row.period,
                        account: row.account,
                    };
                    insert(index, key, value)?;
                }
            }
        }
    }
    for row in trial_balance(root)? {
        let (name, account, period, balance) = row;
        let key = Key {
            entity: entity(&name)?,
            year: YEARS[1],
            period: Some(period),
            account,
        };
        insert(0, key, balance)?;
    }
    let [local, chart] = balances;
    Ok((local, chart))
}

/// `reddition trial-balance --by-period` of the project:
/// `(entity, account, period, balance)`.
fn trial_balance(root: &Path) -> Result<Vec<(String, String, u8, Decimal)>, String> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_reddition"))
        .args(["trial-balance", "--by-period", "--quiet"])
        .arg(root)
        .output()
        .map_err(|e| format!("cannot run reddition: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "reddition trial-balance: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    if header.iter().collect::<Vec<_>>() != ["entity", "account", "period", "balance"] {
        return Err(format!("reddition trial-balance: header {header:?}"));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("reddition trial-balance: {e}"))?;
        let bad = || format!("reddition trial-balance: row {record:?}");
        let period = record[2]
            .strip_prefix('P')
            .and_then(|p| p.parse().ok())
            .ok_or_else(bad)?;
        let balance = Decimal::from_str(&record[3]).map_err(|_| bad())?;
        rows.push((
            record[0].to_string(),
            record[1].to_string(),
            period,
            balance,
        ));
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------
// hledger and ledger.

/// What hledger made of one export.
pub(super) struct Read {
    pub(super) rows: Vec<Row>,
    pub(super) printed: Vec<Printed>,
}

/// `[first day, day after the last)` of a fiscal year, for `-b` and `-e`.
pub(super) fn bounds(year: i32) -> [String; 2] {
    [first_day(year).to_string(), first_day(year + 1).to_string()]
}

/// The fiscal year and period (1 = July … 12 = June) of a month `YYYY-MM`:
/// the test's own calendar.
pub(super) fn fiscal(month: &str) -> Option<(i32, u8)> {
    let (year, month) = month.split_once('-')?;
    let (year, month): (i32, u8) = (year.parse().ok()?, month.parse().ok()?);
    match month {
        7..=12 => Some((year + 1, month - 6)),
        1..=6 => Some((year, month + 6)),
        _ => None,
    }
}

/// The period of a posting of a month of a file: opening balances are
/// period 0 (and must be dated in July: 100 + the period otherwise, which
/// reddition has not), adjustments period 13.
pub(super) fn place(role: Role, period: u8) -> u8 {
    match role {
        Role::Opening if period == 1 => 0,
        Role::Opening => 100 + period,
        Role::Ledger => period,
        Role::Adjustments => 13,
    }
}

pub(super) fn rules_path(work: &Path, entity: &Entity) -> PathBuf {
    work.join(format!("{}.rules", entity.id))
}

/// hledger reads every export, two at a time.
pub(super) fn hledger_reads(
    root: &Path,
    work: &Path,
    entities: &[Entity],
    locales: &Locales,
) -> Result<Vec<Vec<Read>>, String> {
    for entity in entities {
        let rules = entity
            .dialect
            .hledger_rules()
            .ok_or("hledger cannot read a family")?;
        std::fs::write(rules_path(work, entity), rules).map_err(|e| e.to_string())?;
    }
    let jobs: Vec<(usize, usize)> = entities
        .iter()
        .enumerate()
        .flat_map(|(e, entity)| (0..entity.sources.len()).map(move |s| (e, s)))
        .collect();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..workers() {
            scope.spawn(|| {
                while let Some(&(e, s)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (entity, source) = (&entities[e], &entities[e].sources[s]);
                    let file = root.join(&source.path);
                    let rules = rules_path(work, entity);
                    let cp1252 = entity.dialect.cp1252;
                    let [from, to] = bounds(source.year);
                    let read =
                        tools::hledger_balances(&file, &rules, locales, cp1252, [&from, &to])
                            .and_then(|rows| {
                                let printed =
                                    tools::hledger_postings(&file, &rules, locales, cp1252)?;
                                Ok(Read { rows, printed })
                            });
                    results.lock().unwrap().insert((e, s), read);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    entities
        .iter()
        .enumerate()
        .map(|(e, entity)| {
            (0..entity.sources.len())
                .map(|s| results.remove(&(e, s)).unwrap())
                .collect()
        })
        .collect()
}

pub fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4)
}

/// hledger's balances per local code: its monthly cells placed in periods,
/// its row totals as the year's balance. `replaced` stands in for the rows
/// of one export.
pub(super) fn hledger_local(
    entities: &[Entity],
    reads: &[Vec<Read>],
    replaced: Option<((usize, usize), &[Row])>,
) -> Result<Balances, String> {
    let mut local = Balances::new();
    for (e, entity) in entities.iter().enumerate() {
        for (s, source) in entity.sources.iter().enumerate() {
            let rows = match replaced {
                Some((at, rows)) if at == (e, s) => rows,
                _ => &reads[e][s].rows,
            };
            for row in rows.iter().filter(|row| row.account != CONTRA) {
                for (month, value) in &row.months {
                    if value.is_zero() {
                        continue;
                    }
                    let (year, period) =
                        fiscal(month).ok_or(format!("hledger: a column `{month}`"))?;
                    let key = Key {
                        entity: e,
                        year,
                        period: Some(place(source.role, period)),
                        account: row.account.clone(),
                    };
                    add(&mut local, key, *value);
                }
                if !row.total.is_zero() {
                    let key = Key {
                        entity: e,
                        year: source.year,
                        period: None,
                        account: row.account.clone(),
                    };
                    add(&mut local, key, row.total);
                }
            }
        }
    }
    Ok(local)
}

/// Balances per local code mapped onto the chart by the test's reading of
/// each entity's crosswalk (`crosswalks[entity]`); a code it cannot map is
/// an error.
pub(super) fn chart_of(
    entities: &[Entity],
    local: &Balances,
    crosswalks: &[&Crosswalk],
) -> (Balances, Vec<String>) {
    let mut chart = Balances::new();
    let mut errors = BTreeSet::new();
    let mut targets = BTreeMap::new();
    for (key, value) in local {
        let entity = &entities[key.entity];
        let target = *targets
            .entry((key.entity, key.account.as_str()))
            .or_insert_with(|| crosswalks[key.entity].target(&entity.structure, &key.account));
        match target {
            Ok(target) => {
                let key = Key {
                    account: CHART[target].0.to_string(),
                    ..key.clone()
                };
                add(&mut chart, key, *value);
            }
            Err(why) => {
                errors.insert(format!(
                    "{}: hledger's account `{}` has no chart code by the test's crosswalk: {why:?}",
                    entity.id, key.account
                ));
            }
        }
    }
    (chart, errors.into_iter().collect())
}

/// A ledger journal of hledger's parse of every export: each transaction
/// hledger printed, its accounts prefixed by entity and file.
pub(super) fn ledger_journal(reads: &[Vec<Read>]) -> String {
    let mut journal = String::new();
    for (e, files) in reads.iter().enumerate() {
        for (s, read) in files.iter().enumerate() {
            let mut last: Option<&str> = None;
            for posting in &read.printed {
                if last != Some(posting.transaction.as_str()) {
                    let _ = write!(
                        journal,
                        "\n{} e{e}s{s}t{}\n",
                        posting.date, posting.transaction
                    );
                    last = Some(&posting.transaction);
                }
                let _ = writeln!(
                    journal,
                    "    E{e}:S{s}:{}  {}",
                    posting.account, posting.amount
                );
            }
        }
    }
    journal
}

/// ledger's monthly sums per local code, placed in periods.
pub(super) fn ledger_local(entities: &[Entity], journal: &Path) -> Result<Balances, String> {
    let mut local = Balances::new();
    for (month, account, value) in tools::ledger_monthly(journal)? {
        let bad = || format!("ledger: unexpected account `{account}`");
        let (e, rest) = account
            .strip_prefix('E')
            .and_then(|a| a.split_once(":S"))
            .ok_or_else(bad)?;
        let (s, code) = rest.split_once(':').ok_or_else(bad)?;
        let (e, s): (usize, usize) = (e.parse().map_err(|_| bad())?, s.parse().map_err(|_| bad())?);
        let source = entities
            .get(e)
            .and_then(|x| x.sources.get(s))
            .ok_or_else(bad)?;
        if code == CONTRA || value.is_zero() {
            continue;
        }
        let (year, period) = fiscal(&month).ok_or(format!("ledger: a month `{month}`"))?;
        let key = Key {
            entity: e,
            year,
            period: Some(place(source.role, period)),
            account: code.to_string(),
        };
        add(&mut local, key, value);
    }
    Ok(local)
}
