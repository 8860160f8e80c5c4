//! The cores' tallies of an entity merged into its cube, in file order: the
//! cube the precise reader would have built.

use super::entries;
use super::{Doubt, Export, PERIODS, Slot, Tally, Totals, key, totals_index, unkey};
use crate::cube::{Cell, EntityCube, FileRead, LocalCode, Period, Reconciliation};
use crate::ingest::stream::{Position, Streamed};
use crate::model::SourceRole;
use crate::money::{Amount, Millionths};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};

/// Merges the cores' tallies into the entity's cube, in file order.
pub(super) fn merge(
    mut tallies: Vec<Tally<'_>>,
    exports: &[Export<'_>],
    read: &[Streamed],
    years: &[i32],
    local_limit: usize,
) -> Result<EntityCube, Doubt> {
    entries::each_in_one_file(tallies.iter_mut().map(|tally| &mut tally.entries))?;
    entries::all_balanced(tallies.iter_mut().map(|tally| &mut tally.entries))?;
    let mut cube = EntityCube::default();
    let ids = locals_in_order(&tallies, exports, read, local_limit, &mut cube)?;
    let cells = cells(&tallies, &ids, years)?;
    for (cell, (_, lines)) in &cells {
        *cube.locals[cell.local].lines.entry(cell.year).or_default() += lines;
    }
    // Built from sorted keys in one pass, rather than key by key.
    cube.cells = cells
        .into_iter()
        .map(|(cell, (sum, _))| sum.to_amount().map(|amount| (cell, amount)))
        .collect::<Option<BTreeMap<Cell, Amount>>>()
        .ok_or(Doubt("overflow"))?;
    cube.budget = budget(&tallies, &ids, years)?;
    cube.reconciliation = reconciliation(&tallies, exports, years)?;
    cube.streamed = true;
    cube.files = exports
        .iter()
        .zip(read)
        .map(|(export, streamed)| FileRead {
            path: export.path.clone(),
            format: export.source.format,
            role: export.source.role,
            adjustments: export.source.adjustments,
            summary: streamed.summary.clone(),
            bytes: streamed.bytes as usize,
            sha256: streamed.sha256.clone(),
        })
        .collect();
    Ok(cube)
}

/// The local codes of every core, in order of first appearance as one
/// reader would see them, added to the cube; per core, its code ids → the
/// cube's.
fn locals_in_order(
    tallies: &[Tally<'_>],
    exports: &[Export<'_>],
    read: &[Streamed],
    local_limit: usize,
    cube: &mut EntityCube,
) -> Result<Vec<Vec<usize>>, Doubt> {
    let mut firsts: Vec<(Position, &str, usize, u32)> = tallies
        .iter()
        .enumerate()
        .flat_map(|(core, tally)| {
            tally
                .seen
                .iter()
                .enumerate()
                .map(move |(id, seen)| (seen.first, &*seen.code, core, id as u32))
        })
        .collect();
    firsts.sort();
    let mut global: FxHashMap<&str, usize> = FxHashMap::default();
    let mut ids: Vec<Vec<usize>> = tallies.iter().map(|t| vec![0; t.seen.len()]).collect();
    for (first, code, core, id) in firsts {
        let local = match global.get(code) {
            Some(local) => *local,
            None => {
                let local = cube.locals.len();
                if local >= local_limit {
                    return Err(Doubt("too many local codes"));
                }
                let mapped = tallies[core].seen[id as usize].mapped.clone();
                let file = first.file as usize;
                cube.by_chart.entry(mapped.target).or_default().push(local);
                cube.locals.push(LocalCode {
                    code: code.to_string(),
                    mapped,
                    lines: BTreeMap::new(),
                    first_seen: format!("{}:{}", exports[file].path, read[file].line(first)),
                });
                global.insert(code, local);
                local
            }
        };
        ids[core][id as usize] = local;
    }
    Ok(ids)
}

/// A cell's sum and lines.
type Summed = (Millionths, u64);

/// The cells of every core, summed, with their lines; sorted.
fn cells(
    tallies: &[Tally<'_>],
    ids: &[Vec<usize>],
    years: &[i32],
) -> Result<Vec<(Cell, Summed)>, Doubt> {
    let mut cells: FxHashMap<Cell, Summed> = FxHashMap::default();
    for (core, tally) in tallies.iter().enumerate() {
        let plain = plain_slots(tally, years.len());
        let moved = tally.moved.iter().map(|(k, v)| (*k, *v));
        for (key, (sum, lines)) in plain.chain(moved) {
            let slot = unkey(key);
            let cell = slot.cell(ids[core][slot.code as usize], years);
            let total = cells.entry(cell).or_default();
            total.0 = total.0.checked_add(sum).ok_or(Doubt("overflow"))?;
            total.1 += lines;
        }
    }
    let mut sorted: Vec<(Cell, Summed)> = cells.into_iter().collect();
    sorted.sort_by_key(|(cell, _)| *cell);
    Ok(sorted)
}

/// The slots of a core's flat table that have lines, keyed like its others.
fn plain_slots<'t>(tally: &'t Tally<'_>, years: usize) -> impl Iterator<Item = (u64, Summed)> + 't {
    tally
        .sums
        .chunks(years * PERIODS)
        .enumerate()
        .flat_map(|(code, sums)| {
            sums.iter()
                .enumerate()
                .filter(|(_, (_, lines))| *lines > 0)
                .map(move |(slot, (sum, lines))| {
                    let slot = Slot {
                        code: code as u32,
                        year: slot / PERIODS,
                        period: (slot % PERIODS) as Period,
                        movement: None,
                        counterparty: None,
                    };
                    (key(slot), (Millionths::from(*sum), u64::from(*lines)))
                })
        })
}

/// The budget cells of every core, summed.
fn budget(
    tallies: &[Tally<'_>],
    ids: &[Vec<usize>],
    years: &[i32],
) -> Result<BTreeMap<Cell, Amount>, Doubt> {
    let mut cells: FxHashMap<Cell, Millionths> = FxHashMap::default();
    for (core, tally) in tallies.iter().enumerate() {
        for (key, (sum, _)) in &tally.budget {
            let slot = unkey(*key);
            let cell = slot.cell(ids[core][slot.code as usize], years);
            let total = cells.entry(cell).or_default();
            *total = total.checked_add(*sum).ok_or(Doubt("overflow"))?;
        }
    }
    cells
        .into_iter()
        .map(|(cell, sum)| sum.to_amount().map(|amount| (cell, amount)))
        .collect::<Option<BTreeMap<Cell, Amount>>>()
        .ok_or(Doubt("overflow"))
}

/// Control totals per year, over every core.
fn reconciliation(
    tallies: &[Tally<'_>],
    exports: &[Export<'_>],
    years: &[i32],
) -> Result<BTreeMap<i32, Reconciliation>, Doubt> {
    let overflow = Doubt("overflow");
    let amount = |value: Millionths| value.to_amount().ok_or(overflow);
    let mut result = BTreeMap::new();
    for (index, year) in years.iter().enumerate() {
        let [opening, ledger] = [SourceRole::Opening, SourceRole::Ledger]
            .map(|role| year_totals(tallies, totals_index(index, role)));
        let (opening, ledger) = (opening?, ledger?);
        let budget_lines: u64 = tallies.iter().map(|t| t.budget_lines[index]).sum();
        if opening.lines + ledger.lines + budget_lines == 0 {
            continue;
        }
        let files_of = |role| files_with_postings(tallies, exports, role, index);
        result.insert(
            *year,
            Reconciliation {
                opening_lines: opening.lines,
                ledger_lines: ledger.lines,
                debits: amount(opening.debits.checked_add(ledger.debits).ok_or(overflow)?)?,
                credits: amount(
                    opening
                        .credits
                        .checked_add(ledger.credits)
                        .ok_or(overflow)?,
                )?,
                opening_net: amount(opening.net)?,
                ledger_net: amount(ledger.net)?,
                mapped_net: Amount::ZERO,
                opening_files: files_of(SourceRole::Opening),
                ledger_files: files_of(SourceRole::Ledger),
                budget_lines,
                budget_files: files_of(SourceRole::Budget),
            },
        );
    }
    Ok(result)
}

/// The totals at `index` ([`totals_index`]) summed over every core.
fn year_totals(tallies: &[Tally<'_>], index: usize) -> Result<Totals, Doubt> {
    let overflow = Doubt("overflow");
    let mut sum = Totals::default();
    for tally in tallies {
        let totals = tally.totals[index];
        sum.lines += totals.lines;
        sum.debits = sum.debits.checked_add(totals.debits).ok_or(overflow)?;
        sum.credits = sum.credits.checked_add(totals.credits).ok_or(overflow)?;
        sum.net = sum.net.checked_add(totals.net).ok_or(overflow)?;
    }
    Ok(sum)
}

/// The exports of a role with postings in the year at `year_index`.
fn files_with_postings(
    tallies: &[Tally<'_>],
    exports: &[Export<'_>],
    role: SourceRole,
    year_index: usize,
) -> BTreeSet<String> {
    exports
        .iter()
        .enumerate()
        .filter(|(file, export)| {
            export.source.role == role
                && tallies.iter().any(|t| {
                    t.file_years
                        .get(*file)
                        .is_some_and(|bits| bits & (1 << year_index) != 0)
                })
        })
        .map(|(_, export)| export.path.clone())
        .collect()
}
