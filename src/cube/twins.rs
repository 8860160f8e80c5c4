//! Exports that repeat one another. A second copy of an export would count
//! its amounts twice whatever its bytes, so copies are found by meaning:
//! the same postings (in another encoding, with other line ends or header
//! spacing, in another order) make a twin, and a journal entry whose
//! postings sit in two files is reported, pair of files by pair.

use crate::ingest::Posting;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};

/// What one file's postings are, whatever their bytes and order: the sum
/// of a digest of each posting, and their count.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Fingerprint {
    sum: u128,
    postings: u64,
}

/// An entry first seen in one file and found again in another.
#[derive(Clone, Debug)]
pub(super) struct Split {
    pub year: i32,
    pub reference: String,
    /// The line of the entry's first posting in the second file.
    pub line: usize,
    /// How many entries these two files share.
    pub entries: usize,
}

/// The files of one entity read so far, and the entries they share.
#[derive(Default)]
pub(super) struct Twins {
    current: Fingerprint,
    files: Vec<(String, Fingerprint)>,
    /// Twin files: (the second, the first).
    pub twins: Vec<(String, String)>,
    /// (first file, second file) → the first entry found in both.
    pub splits: BTreeMap<(String, String), Split>,
    counted: HashSet<(i32, String)>,
}

impl Twins {
    /// Starts a file: what an earlier file left unfinished (a read stopped
    /// by an error) is dropped.
    pub fn begin(&mut self) {
        self.current = Fingerprint::default();
    }

    /// Adds a posting of the file being read.
    pub fn posting(&mut self, posting: &Posting<'_>) {
        let mut digest = Sha256::new();
        for field in [
            posting.date.to_string().as_str(),
            posting.account,
            &posting.amount.fixed(posting.amount.significant_scale()),
            posting.journal,
            posting.reference,
            posting.description,
            &format!("{:?}", posting.movement),
            posting.counterparty,
        ] {
            // Length-prefixed, so that no two postings share an encoding.
            digest.update((field.len() as u64).to_le_bytes());
            digest.update(field.as_bytes());
        }
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest.finalize()[..16]);
        self.current.sum = self.current.sum.wrapping_add(u128::from_le_bytes(first));
        self.current.postings += 1;
    }

    /// Ends the file being read: the earlier file holding the same
    /// postings, if one does (an empty file has no twin).
    pub fn end_file(&mut self, path: &str) -> Option<String> {
        let current = std::mem::take(&mut self.current);
        let twin = self
            .files
            .iter()
            .find(|(_, other)| current.postings > 0 && *other == current)
            .map(|(other, _)| other.clone());
        if let Some(twin) = &twin {
            self.twins.push((path.to_string(), twin.clone()));
        }
        self.files.push((path.to_string(), current));
        twin
    }

    /// Records that entry `reference` of `year`, first seen in `first`,
    /// has a posting at `line` of `path`.
    pub fn split(&mut self, year: i32, reference: &str, first: &str, path: &str, line: usize) {
        if !self.counted.insert((year, reference.to_string())) {
            return;
        }
        self.splits
            .entry((first.to_string(), path.to_string()))
            .and_modify(|split| split.entries += 1)
            .or_insert_with(|| Split {
                year,
                reference: reference.to_string(),
                line,
                entries: 1,
            });
    }

    /// The entries split between two files that are not twins (a twin's
    /// entries are all split, and the twin says it better).
    pub fn splits_to_report(&self) -> impl Iterator<Item = (&(String, String), &Split)> {
        self.splits.iter().filter(|((first, second), _)| {
            !self
                .twins
                .iter()
                .any(|(a, b)| (a == first && b == second) || (a == second && b == first))
        })
    }
}
