//! Journal entries on the fast path: each core nets the entries it reads,
//! and the merge proves every entry balances over all cores.

use super::Doubt;
use crate::ingest::stream;
use crate::money::Millionths;
use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};

/// Journal entries still open: the net of each reference whose lines do not
/// (yet) sum to zero. Lines of one entry usually follow each other, so a
/// run of one reference is summed apart and only looked up when it ends;
/// an entry that closes leaves the table, which holds only entries split
/// across blocks, and unbalanced ones.
///
/// When the entity has several ledger exports, each entry's (year,
/// reference) is also kept as a hash, with its file: an entry found in two
/// files (overlapping exports, or a copy in other bytes) is a doubt, and the
/// precise reader names the files.
#[derive(Default)]
pub(super) struct Entries {
    run: String,
    run_year: i32,
    run_net: Millionths,
    in_run: bool,
    open: FxHashMap<i32, FxHashMap<Box<str>, Millionths>>,
    /// Whether to keep `seen` (only with several ledger exports).
    tracked: bool,
    file: u32,
    /// (hash of year and reference, file) of each run of an entry.
    seen: Vec<(u64, u32)>,
}

impl Entries {
    /// Keeps each entry's file, to find an entry in two files.
    pub(super) fn track_files(&mut self) {
        self.tracked = true;
    }

    /// Starts file `file`: a run never continues across files.
    pub(super) fn start_file(&mut self, file: u32) -> Result<(), Doubt> {
        self.close()?;
        self.file = file;
        Ok(())
    }

    #[inline]
    pub(super) fn add(
        &mut self,
        year: i32,
        reference: &str,
        amount: Millionths,
    ) -> Result<(), Doubt> {
        if self.in_run && self.run_year == year && stream::same_text(&self.run, reference) {
            self.run_net = self.run_net.checked_add(amount).ok_or(Doubt("overflow"))?;
            return Ok(());
        }
        self.close()?;
        self.run.clear();
        self.run.push_str(reference);
        self.run_year = year;
        self.run_net = amount;
        self.in_run = true;
        Ok(())
    }

    fn close(&mut self) -> Result<(), Doubt> {
        if !self.in_run {
            return Ok(());
        }
        self.in_run = false;
        if self.tracked {
            let mut hasher = rustc_hash::FxHasher::default();
            (self.run_year, self.run.as_str()).hash(&mut hasher);
            self.seen.push((hasher.finish(), self.file));
        }
        // Nearly every entry balances within its run: no table to consult.
        if self.run_net.is_zero() && self.open.values().all(|open| open.is_empty()) {
            return Ok(());
        }
        let open = self.open.entry(self.run_year).or_default();
        match open.get_mut(self.run.as_str()) {
            Some(net) => {
                *net = net.checked_add(self.run_net).ok_or(Doubt("overflow"))?;
                if net.is_zero() {
                    open.remove(self.run.as_str());
                }
            }
            None if !self.run_net.is_zero() => {
                open.insert(self.run.as_str().into(), self.run_net);
            }
            None => {}
        }
        Ok(())
    }
}

/// Every journal entry balances over all cores: the entries left open on
/// one core are closed by the others.
pub(super) fn all_balanced<'e>(cores: impl Iterator<Item = &'e mut Entries>) -> Result<(), Doubt> {
    let mut entries: FxHashMap<(i32, Box<str>), Millionths> = FxHashMap::default();
    for core in cores {
        core.close()?;
        for (year, open) in std::mem::take(&mut core.open) {
            for (reference, net) in open {
                let sum = entries.entry((year, reference)).or_default();
                *sum = sum.checked_add(net).ok_or(Doubt("overflow"))?;
            }
        }
    }
    if entries.values().any(|net| !net.is_zero()) {
        return Err(Doubt("an unbalanced journal entry"));
    }
    Ok(())
}

/// No entry has runs in two files (by hash: a collision is a false doubt,
/// which only costs a precise reading).
pub(super) fn each_in_one_file<'e>(
    cores: impl Iterator<Item = &'e mut Entries>,
) -> Result<(), Doubt> {
    let mut seen: Vec<(u64, u32)> = Vec::new();
    for core in cores {
        core.close()?;
        seen.append(&mut core.seen);
    }
    seen.sort_unstable();
    seen.dedup();
    match seen.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        true => Err(Doubt("a journal entry in two files")),
        false => Ok(()),
    }
}
