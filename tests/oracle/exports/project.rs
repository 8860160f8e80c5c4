//! The generated project: six centres, their crosswalks and exports.

use super::{CENTRES, Entity, Role, Source, YEARS};
use crate::oracle::chart::{self, CHART, is_flow, is_surplus};
use crate::oracle::crosswalk::Crosswalk;
use crate::oracle::dialect::Family;
use crate::oracle::ledgers::{self, Posting, first_day};
use crate::oracle::rng::Rng;
use crate::oracle::structure::{self, Structure};
use std::collections::BTreeSet;
use std::fmt::Write as _;

pub(super) struct Generated {
    pub(super) files: Vec<(String, Vec<u8>)>,
    pub(super) entities: Vec<Entity>,
}

fn structure(family: Family) -> (Structure, [usize; 5], u64) {
    match family {
        Family::Sommets => (Structure::sommets(), [8, 3, 30, 20, 0], 0),
        Family::Riviere => (Structure::riviere(), [3, 25, 25, 8, 5], 30),
        Family::Lakeshore => (Structure::lakeshore(), [5, 12, 20, 15, 0], 0),
    }
}

/// Per code: the sum of some postings, in cents.
fn sums(postings: &[Posting], codes: usize) -> Vec<i64> {
    let mut sums = vec![0i64; codes];
    for posting in postings {
        sums[posting.code] += posting.cents;
    }
    sums
}

fn flatten(entries: Vec<Vec<Posting>>) -> Vec<Posting> {
    entries.into_iter().flatten().collect()
}

/// The opening balances of the second year: each balance-sheet code's
/// closing balance, the year's result carried to a surplus code.
fn carried(
    closing: &[i64],
    targets: &[usize],
    surplus: usize,
    date: chrono::NaiveDate,
) -> Vec<Posting> {
    let mut opening = vec![0i64; closing.len()];
    for (code, balance) in closing.iter().enumerate() {
        let slot = if is_flow(targets[code]) {
            surplus
        } else {
            code
        };
        opening[slot] += balance;
    }
    opening
        .iter()
        .enumerate()
        .filter(|(_, cents)| **cents != 0)
        .map(|(code, cents)| Posting {
            date,
            code,
            cents: *cents,
            reference: "OUV-REPORT".into(),
            description: "Solde reporté".into(),
            zero_side: 0,
        })
        .collect()
}

/// One centre of a family and encoding: its codes, crosswalk and exports
/// (`lines` postings a year), and the files to write.
fn entity(
    rng: &mut Rng,
    (family, cp1252): (Family, bool),
    lines: usize,
) -> (Entity, Vec<(String, Vec<u8>)>) {
    let id = format!("{}_{}", family.name(), if cp1252 { "1252" } else { "utf8" });
    let (structure, pools, tail) = structure(family);
    let codes = structure::codes(rng, &structure, (lines / 12).max(8), |i| pools[i], tail);
    let mut crosswalk = Crosswalk::random(rng, &structure, &codes);
    let target = |crosswalk: &Crosswalk, code: &str| crosswalk.target(&structure, code).unwrap();
    // The result of a year is carried to a code of the accumulated surplus.
    if !codes
        .iter()
        .any(|code| is_surplus(target(&crosswalk, code)))
    {
        let surplus = (0..CHART.len()).find(|t| is_surplus(*t)).unwrap();
        crosswalk.force(&codes[rng.below(codes.len() as u64) as usize], surplus);
    }
    let targets: Vec<usize> = codes.iter().map(|code| target(&crosswalk, code)).collect();
    let surplus = targets.iter().position(|t| is_surplus(*t)).unwrap();
    let all: Vec<usize> = (0..codes.len()).collect();
    let balance_sheet: Vec<usize> = all
        .iter()
        .copied()
        .filter(|c| !is_flow(targets[*c]))
        .collect();
    let dialect = family.dialect(cp1252, rng);
    let entries = (lines / 3).max(1);
    let year = |rng: &mut Rng, year: i32, adjustments: bool, tag: &str| {
        let count = if adjustments {
            entries / 40 + 1
        } else {
            entries
        };
        ledgers::year_entries(rng, &all, count, year, adjustments, tag, cp1252)
    };
    let [prior, built] = YEARS;
    let label = |year: i32| format!("{}-{year}", year - 1);

    // The prior year: opening balances, the ledger, the adjustments.
    let lines = balance_sheet.len().max(2);
    let opening = ledgers::entry(rng, &balance_sheet, lines, first_day(prior), "OUV", cp1252);
    let ledger = flatten(year(rng, prior, false, "A"));
    let adjusting = flatten(year(rng, prior, true, "J"));
    let mut closing = sums(&opening, codes.len());
    for postings in [&ledger, &adjusting] {
        for (code, cents) in sums(postings, codes.len()).into_iter().enumerate() {
            closing[code] += cents;
        }
    }
    // The year built: the balances carried, the ledger in parts, the adjustments.
    let reopening = carried(&closing, &targets, surplus, first_day(built));
    let ledger_built = year(rng, built, false, "B");
    let adjusting_built = flatten(year(rng, built, true, "K"));
    let folder = format!("ledgers/{id}");
    let mut planned = vec![
        (
            format!("ouverture-{}", first_day(prior)),
            Role::Opening,
            prior,
            opening,
        ),
        (
            format!("grand-livre-{}", label(prior)),
            Role::Ledger,
            prior,
            ledger,
        ),
        (
            format!("ajustements-{}", label(prior)),
            Role::Adjustments,
            prior,
            adjusting,
        ),
        (
            format!("ouverture-{}", first_day(built)),
            Role::Opening,
            built,
            reopening,
        ),
    ];
    let parts = rng.range(1, 3);
    for (part, entries) in ledger_built
        .chunks(ledger_built.len().div_ceil(parts))
        .enumerate()
    {
        let postings = entries.iter().flatten().cloned().collect();
        let name = format!("grand-livre-{}/partie-{part:02}", label(built));
        planned.push((name, Role::Ledger, built, postings));
    }
    let name = format!("ajustements-{}", label(built));
    planned.push((name, Role::Adjustments, built, adjusting_built));

    let mut files = Vec::new();
    let mut sources = Vec::new();
    for (name, role, year, postings) in planned {
        let path = format!("{folder}/{name}.csv");
        let export = dialect.export(&postings, &codes, rng);
        files.push((path.clone(), export.bytes));
        sources.push(Source {
            path,
            role,
            year,
            postings: postings.len(),
            tamper: export.tamper,
        });
    }
    files.push((
        format!("reports/crosswalks/{id}.csv"),
        crosswalk.table_csv().into_bytes(),
    ));
    let entity = Entity {
        id,
        family,
        dialect,
        structure,
        crosswalk,
        codes: codes.len(),
        sources,
    };
    (entity, files)
}

impl Entity {
    fn rdn(&self, index: usize) -> String {
        let id = &self.id;
        let mut text = self.structure.rdn(&format!("s_{id}"));
        text.push_str(&self.crosswalk.rdn(
            &format!("x_{id}"),
            &format!("s_{id}"),
            &self.structure,
            &format!("reports/crosswalks/{id}.csv"),
        ));
        text.push_str(&self.dialect.rdn(&format!("f_{id}")));
        let _ = writeln!(
            text,
            "entity {id} \"Centre « {} » ({})\" {{\n  code \"{}\"\n  crosswalk x_{id}",
            self.family.name(),
            self.encoding(),
            901 + index
        );
        let mut declared = BTreeSet::new();
        for source in &self.sources {
            let keyword = match source.role {
                Role::Opening => "opening",
                Role::Ledger => "ledger",
                Role::Adjustments => "adjustments",
            };
            // The parts of a ledger are declared as their folder.
            let path = match source.path.rsplit_once("/partie-") {
                Some((folder, _)) => folder,
                None => &source.path,
            };
            if declared.insert(path.to_string()) {
                let _ = writeln!(text, "  {keyword} \"{path}\" format f_{id}");
            }
        }
        text.push_str("}\n\n");
        text
    }
}

pub(super) fn generate(seed: u64, lines: usize) -> Generated {
    let mut rng = Rng::new(seed);
    let mut files = Vec::new();
    let mut entities = Vec::new();
    let mut spec = format!("fiscal_year {}\n\n{}\n", YEARS[1], chart::chart_rdn());
    for (index, centre) in CENTRES.into_iter().enumerate() {
        let (entity, more) = entity(&mut rng, centre, lines);
        spec.push_str(&entity.rdn(index));
        files.extend(more);
        entities.push(entity);
    }
    spec.push_str(&chart::report_rdn("courant = year, precedent = year - 1"));
    files.insert(0, ("reports/spec.rdn".to_string(), spec.into_bytes()));
    Generated { files, entities }
}
