//! Differential tests of the trial balance (RELIABILITY.md §0 item 9, §1.3).
//!
//! - [`exports_agree_with_hledger_and_ledger`], the oracle (`exports.rs`):
//!   hledger imports the very export files reddition reads, through CSV
//!   rules written from each dialect (the three families of the sample
//!   ledgers, each in UTF-8 and windows-1252); its balances per local code,
//!   per fiscal year and per period, and the same mapped onto the chart by
//!   the test's own reading of the crosswalk, must be reddition's. ledger
//!   sums a journal written from hledger's parse of the CSV. Two negative
//!   controls (a changed digit, a moved rule) must each be caught.
//! - [`random_exports_agree_with_their_generator`], a round trip
//!   (`random.rs`): random dialects, structures and crosswalks; reddition
//!   against the generator's cents and the test's mapping.
//!
//! `ORACLE_EXPORT_LINES=N` sets the oracle's postings per centre and fiscal
//! year (default 3 000), `ORACLE_EXPORT_SEED=k` its seed (default 1; when
//! set, its files are kept). `ORACLE_LEDGERS=N` sets the number of random
//! ledgers (default 200), `ORACLE_SEED=k` replays one and keeps its files.
//!
//! Without `hledger`, `ledger` or `localedef` the oracle is skipped, and a
//! setting that compares nothing only says so, except when `CI` is set (as
//! `.ci/run` does): then both fail, and so does an oracle run that compares
//! fewer than 20 000 balances with hledger.

// Independent arithmetic: these tests check our money type with their own decimals.
#![allow(clippy::disallowed_types)]

mod chart;
mod crosswalk;
mod dialect;
mod exports;
mod ledgers;
mod random;
mod rng;
mod structure;
mod tools;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const DEFAULT_LEDGERS: u64 = 200;
const DEFAULT_EXPORT_LINES: u64 = 3_000;
/// The balances a CI run must compare with hledger, at the least.
const MIN_BALANCES: usize = 20_000;
/// Mismatch lines shown when a test fails.
const SHOWN: usize = 40;

fn ci() -> bool {
    std::env::var_os("CI").is_some()
}

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not `{v}`"))
    })
}

/// Whether the test can run: a missing tool fails under CI, skips elsewhere.
fn tools_present(programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|p| !tools::have(p))
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !ci(),
        "CI must install the oracles (Debian packages hledger, ledger and locales); not found: {}",
        missing.join(", ")
    );
    println!("skipped: not found: {}", missing.join(", "));
    false
}

/// Fails the test with the first mismatches.
fn fail(what: &str, mismatches: &[String]) -> ! {
    let mut shown: Vec<&str> = mismatches.iter().take(SHOWN).map(String::as_str).collect();
    if mismatches.len() > SHOWN {
        shown.push("…");
    }
    panic!("{} {what}:\n{}", mismatches.len(), shown.join("\n"));
}

#[test]
fn exports_agree_with_hledger_and_ledger() {
    if !tools_present(&["hledger", "ledger", "localedef"]) {
        return;
    }
    let locales = match tools::Locales::new() {
        Ok(locales) => locales,
        Err(message) => {
            assert!(!ci(), "{message}");
            println!("skipped: {message}");
            return;
        }
    };
    let lines = env("ORACLE_EXPORT_LINES").unwrap_or(DEFAULT_EXPORT_LINES);
    let chosen = env("ORACLE_EXPORT_SEED");
    let seed = chosen.unwrap_or(1);
    let started = Instant::now();
    let outcome = exports::check(seed, lines as usize, chosen.is_some(), &locales);
    println!(
        "oracle: seed {seed}, {lines} postings per centre and fiscal year: {} balances compared with hledger, {} with ledger, {} mismatches, {:.1?}\n{}",
        outcome.hledger,
        outcome.ledger,
        outcome.failures.len(),
        started.elapsed(),
        outcome.report
    );
    if !outcome.failures.is_empty() {
        let replay = format!(
            "replay: ORACLE_EXPORT_SEED={seed} ORACLE_EXPORT_LINES={lines} cargo test --test main oracle::exports -- --nocapture"
        );
        let mut lines = outcome.failures;
        lines.push(replay);
        fail("mismatches between reddition, hledger and ledger", &lines);
    }
    let floor = if ci() || lines == DEFAULT_EXPORT_LINES {
        MIN_BALANCES
    } else {
        1
    };
    assert!(
        outcome.hledger >= floor && outcome.ledger > 0,
        "only {} balances compared with hledger and {} with ledger (at least {floor} and 1 wanted)",
        outcome.hledger,
        outcome.ledger
    );
}

#[test]
fn random_exports_agree_with_their_generator() {
    let (seeds, keep): (Vec<u64>, bool) = match env("ORACLE_SEED") {
        Some(seed) => (vec![seed], true),
        None => {
            let count = env("ORACLE_LEDGERS").unwrap_or(DEFAULT_LEDGERS);
            ((0..count).collect(), false)
        }
    };
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results = Mutex::new((Vec::new(), 0usize, 0usize));
    std::thread::scope(|scope| {
        for _ in 0..exports::workers() {
            scope.spawn(|| {
                while let Some(seed) = seeds.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (mut found, compared, postings) = random::check_seed(*seed, keep);
                    let mut results = results.lock().unwrap();
                    results.0.append(&mut found);
                    results.1 += compared;
                    results.2 += postings;
                }
            });
        }
    });
    let (mut mismatches, compared, postings) = results.into_inner().unwrap();
    mismatches.sort_by_key(|m| random::seed_of(m));
    println!(
        "random dialects: {} ledgers, {postings} postings, {compared} balances compared with the generator, {} mismatches, {:.1?}",
        seeds.len(),
        mismatches.len(),
        started.elapsed()
    );
    if !mismatches.is_empty() {
        let failing: BTreeSet<u64> = mismatches
            .iter()
            .filter_map(|m| random::seed_of(m))
            .collect();
        let seeds: Vec<String> = failing.iter().map(u64::to_string).collect();
        fail(
            &format!(
                "mismatches in {} ledgers (seeds {})",
                failing.len(),
                seeds.join(", ")
            ),
            &mismatches,
        );
    }
    if compared == 0 {
        assert!(
            !ci(),
            "nothing was compared (ORACLE_LEDGERS=0?): under CI that is a failure"
        );
        println!("compared nothing: ORACLE_LEDGERS is 0");
    }
}
