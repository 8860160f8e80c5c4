//! The codes of an entity that no rule maps (or two rules claim). An entity
//! may hold up to `local-codes` of them, so each costs as little as it can:
//! every distinct code is kept once (to count them and to take each line of
//! a known code at once), and the details (lines, amount, first posting)
//! only for the codes the errors list, the smallest of each kind. A code
//! pushed out of that list never returns: the smaller codes that pushed it
//! out stay.

use crate::mapping::MapError;
use crate::money::Amount;
use std::collections::{BTreeMap, HashSet};

/// How many codes no rule maps one error lists with their details.
pub(super) const LISTED_UNMAPPED: usize = 100;

/// How many codes claimed by two rules get an error of their own.
pub(super) const LISTED_AMBIGUOUS: usize = 20;

/// A listed code: why it is not mapped, and its lines so far.
pub(super) struct Unmapped {
    pub(super) error: MapError,
    pub(super) lines: u64,
    pub(super) amount: Amount,
    /// The file of its first posting, an index into the reader's paths.
    pub(super) file: u32,
    pub(super) line: usize,
}

/// The three kinds of code kept apart, each with its own list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// No rule maps it.
    Unmapped,
    /// Two rules (or two cases of a dimension) claim it.
    Ambiguous,
    /// It does not fit the structure (each is an error where it is read).
    Shape,
}

impl Refusal {
    pub(super) fn of(error: &MapError) -> Refusal {
        match error {
            MapError::Unmapped => Refusal::Unmapped,
            MapError::Shape => Refusal::Shape,
            MapError::Ambiguous(..) | MapError::AmbiguousDimension(..) => Refusal::Ambiguous,
        }
    }

    fn listed(self) -> usize {
        match self {
            Refusal::Unmapped => LISTED_UNMAPPED,
            Refusal::Ambiguous => LISTED_AMBIGUOUS,
            Refusal::Shape => 0,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Default)]
pub(super) struct UnmappedCodes {
    seen: HashSet<Box<str>>,
    counts: [usize; 3],
    listed: [BTreeMap<Box<str>, Unmapped>; 3],
}

impl UnmappedCodes {
    /// Distinct codes of every kind.
    pub(super) fn len(&self) -> usize {
        self.seen.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Distinct codes of a kind.
    pub(super) fn count(&self, kind: Refusal) -> usize {
        self.counts[kind.index()]
    }

    /// The listed codes of a kind, in code order.
    pub(super) fn listed(&self, kind: Refusal) -> impl Iterator<Item = (&str, &Unmapped)> {
        self.listed[kind.index()]
            .iter()
            .map(|(code, info)| (&**code, info))
    }

    /// Another line of a known code: true if the code is known.
    pub(super) fn add_line(&mut self, code: &str, amount: Amount) -> bool {
        if !self.seen.contains(code) {
            return false;
        }
        for listed in &mut self.listed {
            if let Some(info) = listed.get_mut(code) {
                info.lines += 1;
                info.amount = info.amount.checked_add(amount).unwrap_or(info.amount);
            }
        }
        true
    }

    /// A code seen for the first time.
    pub(super) fn insert(&mut self, code: &str, info: Unmapped) {
        let kind = Refusal::of(&info.error);
        self.seen.insert(code.into());
        self.counts[kind.index()] += 1;
        let listed = &mut self.listed[kind.index()];
        listed.insert(code.into(), info);
        if listed.len() > kind.listed() {
            listed.pop_last();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(line: usize) -> Unmapped {
        Unmapped {
            error: MapError::Unmapped,
            lines: 1,
            amount: Amount::ZERO,
            file: 0,
            line,
        }
    }

    #[test]
    fn the_smallest_codes_are_listed_with_every_line() {
        let mut codes = UnmappedCodes::default();
        // Codes arrive in reverse order: each new one is the smallest yet.
        for n in (0..1000).rev() {
            let code = format!("{n:04}");
            codes.insert(&code, info(1000 - n));
            assert!(codes.add_line(&code, Amount::ZERO));
        }
        assert_eq!(codes.len(), 1000);
        assert_eq!(codes.count(Refusal::Unmapped), 1000);
        let listed: Vec<(&str, u64)> = codes
            .listed(Refusal::Unmapped)
            .map(|(code, info)| (code, info.lines))
            .collect();
        assert_eq!(listed.len(), LISTED_UNMAPPED);
        assert_eq!(listed[0], ("0000", 2));
        assert_eq!(listed[99], ("0099", 2));
        assert!(!codes.add_line("x", Amount::ZERO));
    }
}
