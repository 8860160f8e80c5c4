//! Journal entries on the fast path: each core nets the entries it reads,
//! and the merge proves every entry balances over all cores.

use super::Doubt;
use crate::ingest::stream;
use crate::money::Millionths;
use rustc_hash::FxHashMap;

/// Journal entries still open: the net of each reference whose lines do not
/// (yet) sum to zero. Lines of one entry usually follow each other, so a
/// run of one reference is summed apart and only looked up when it ends;
/// an entry that closes leaves the table, which holds only entries split
/// across blocks, and unbalanced ones.
#[derive(Default)]
pub(super) struct Entries {
    run: String,
    run_year: i32,
    run_net: Millionths,
    in_run: bool,
    open: FxHashMap<i32, FxHashMap<Box<str>, Millionths>>,
}

impl Entries {
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
