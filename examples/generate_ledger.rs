//! A deterministic ledger generator for benchmarks (standard library only).
//!
//! ```sh
//! cargo run --release --example generate_ledger -- \
//!     --lines 1000000 --entities 5 --accounts 3000 --seed 1 --out target/bench-data/1000000
//! ```
//!
//! Writes, in `--out`:
//! - a reddition project: `reports/bench.rdn` (a chart of 15 codes, one code
//!   structure, one export format, one crosswalk, the entities, a group, and
//!   one report reaching every chart code) and, per entity,
//!   `ledgers/ENTITY/ouverture.csv` (opening balances, 1 July 2024) and
//!   `ledgers/ENTITY/grand-livre.csv` (the postings of fiscal year 2024-2025);
//! - `all.csv`: every posting of every entity in one CSV, with an `entity`
//!   column first and the same other columns (for DuckDB);
//! - `expected.csv`: the generator's own trial balance (`entity,account,balance`,
//!   summed in integer cents), sorted;
//! - `summary.txt`: `lines=N`, `entities=K`, `bytes=B` (bytes of the ledger CSVs).
//!
//! `--lines` counts posting lines over all entities, opening balances
//! included. Every journal entry (2 to 5 lines) balances, and so do the
//! opening balances; each entity has `--accounts` distinct local codes, used
//! with a Zipf-like skew (the code of rank r drawn with weight 1/r).
//! Descriptions carry commas, quotes and accents. Same arguments, same bytes.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The harmonized chart: code, label, kind, normal balance.
const CHART: &[(&str, &str, &str, &str)] = &[
    ("11000", "Encaisse", "actif_financier", "debit"),
    (
        "12100",
        "Taxe scolaire à recevoir",
        "actif_financier",
        "debit",
    ),
    (
        "13000",
        "Subventions à recevoir",
        "actif_financier",
        "debit",
    ),
    ("21100", "Créditeurs et frais courus", "passif", "credit"),
    ("21500", "Dettes à long terme", "passif", "credit"),
    (
        "31100",
        "Immobilisations corporelles",
        "actif_non_financier",
        "debit",
    ),
    ("41000", "Excédent accumulé", "excedent_accumule", "credit"),
    ("51000", "Subvention de fonctionnement", "revenu", "credit"),
    ("52000", "Taxe scolaire", "revenu", "credit"),
    ("53000", "Autres revenus", "revenu", "credit"),
    ("61000", "Enseignement", "charge", "debit"),
    ("62000", "Soutien à l'enseignement", "charge", "debit"),
    ("63000", "Services d'appoint", "charge", "debit"),
    ("64000", "Activités administratives", "charge", "debit"),
    (
        "65000",
        "Entretien des biens meubles et immeubles",
        "charge",
        "debit",
    ),
];

/// The object segment of a local code mapped to `CHART[i]` lies in
/// `10000 + 1000 i ..= 10999 + 1000 i`.
fn object_range(chart: usize) -> (u32, u32) {
    let low = 10_000 + 1_000 * chart as u32;
    (low, low + 999)
}

fn is_balance_sheet(chart: usize) -> bool {
    !matches!(CHART[chart].2, "revenu" | "charge")
}

/// xorshift64*, seeded through splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

struct Args {
    lines: u64,
    entities: usize,
    accounts: usize,
    seed: u64,
    out: PathBuf,
}

fn usage(message: &str) -> ! {
    eprintln!("generate_ledger: {message}");
    eprintln!(
        "usage: generate_ledger --lines N --entities K --accounts A --seed S --out DIR\n\
         (defaults: --lines 1000000 --entities 5 --accounts 3000 --seed 1; --out is required)"
    );
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut args = Args {
        lines: 1_000_000,
        entities: 5,
        accounts: 3_000,
        seed: 1,
        out: PathBuf::new(),
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let Some(value) = given.next() else {
            usage(&format!("{flag} needs a value"));
        };
        let number = || -> u64 {
            value
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| usage(&format!("{flag}: `{value}` is not a number")))
        };
        match flag.as_str() {
            "--lines" => args.lines = number(),
            "--entities" => args.entities = number() as usize,
            "--accounts" => args.accounts = number() as usize,
            "--seed" => args.seed = number(),
            "--out" => args.out = PathBuf::from(&value),
            _ => usage(&format!("unknown option {flag}")),
        }
    }
    if args.out.as_os_str().is_empty() {
        usage("--out is required");
    }
    if args.entities == 0 || args.entities > 999 {
        usage("--entities must be 1 to 999");
    }
    if args.accounts < 20 || args.accounts > 100_000 {
        usage("--accounts must be 20 to 100000");
    }
    if args.lines < 10 * args.entities as u64 {
        usage("--lines must be at least 10 per entity");
    }
    args
}

/// One local code of an entity.
struct Local {
    code: String,
    chart: usize,
}

/// Weight of the code of rank r: `ZIPF_SCALE / (r + 1)`.
const ZIPF_SCALE: u64 = 1 << 40;

/// The local codes of one entity, in rank order (rank 0 the most used), and
/// the cumulative Zipf weights to draw them.
struct Accounts {
    locals: Vec<Local>,
    cumulative: Vec<u64>,
    balance_sheet: Vec<usize>,
}

impl Accounts {
    fn new(rng: &mut Rng, count: usize) -> Accounts {
        // Share of codes per kind: a few balance-sheet codes, many expense codes.
        let weights: Vec<u64> = (0..CHART.len())
            .map(|chart| match CHART[chart].2 {
                "revenu" => 4,
                "charge" => 14,
                "excedent_accumule" => 1,
                _ => 5,
            })
            .collect();
        let total: u64 = weights.iter().sum();
        let mut seen = HashSet::new();
        let mut locals = Vec::with_capacity(count);
        // Every chart code gets at least one local code.
        let mut charts: Vec<usize> = (0..CHART.len()).collect();
        while charts.len() < count {
            let mut draw = rng.below(total);
            let mut chart = 0;
            while draw >= weights[chart] {
                draw -= weights[chart];
                chart += 1;
            }
            charts.push(chart);
        }
        for chart in charts {
            let (low, high) = object_range(chart);
            loop {
                let unit = 100 + rng.below(900);
                let object = u64::from(low) + rng.below(u64::from(high - low + 1));
                let code = format!("{unit:03}-{object:05}");
                if seen.insert(code.clone()) {
                    locals.push(Local { code, chart });
                    break;
                }
            }
        }
        // Ranks independent of the kinds: shuffle (Fisher-Yates).
        for i in (1..locals.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            locals.swap(i, j);
        }
        let mut cumulative = Vec::with_capacity(count);
        let mut sum = 0u64;
        for rank in 0..count as u64 {
            sum += ZIPF_SCALE / (rank + 1);
            cumulative.push(sum);
        }
        let balance_sheet = (0..count)
            .filter(|i| is_balance_sheet(locals[*i].chart))
            .collect();
        Accounts {
            locals,
            cumulative,
            balance_sheet,
        }
    }

    /// A local code, Zipf-distributed over the ranks.
    fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative[self.cumulative.len() - 1];
        let target = rng.below(total);
        self.cumulative
            .partition_point(|c| *c <= target)
            .min(self.cumulative.len() - 1)
    }
}

/// `-1234.05` from cents.
fn cents_text(out: &mut String, cents: i64) {
    if cents < 0 {
        out.push('-');
    }
    let magnitude = cents.unsigned_abs();
    let _ = write!(out, "{}.{:02}", magnitude / 100, magnitude % 100);
}

/// An amount in cents between 1.00 and 999 999.99, signed: a decade drawn
/// uniformly, then a value uniform within it (integers only).
fn amount(rng: &mut Rng) -> i64 {
    let low = 10u64.pow(2 + rng.below(6) as u32);
    let cents = (low + rng.below(9 * low)) as i64;
    if rng.below(2) == 0 { cents } else { -cents }
}

const DESCRIPTIONS: &[&str] = &[
    "Achat de fournitures scolaires",
    "Facture d'électricité, école Sainte-Thérèse",
    "Remboursement de frais de déplacement",
    "Salaire du personnel enseignant",
    "Contrat d'entretien ménager",
    "Subvention « mesure 15024 », ajustement",
    "Taxe scolaire, compte n° 4512",
    "Réparation de toiture, école Côté-Jardin",
    "Transport scolaire, circuit \"Nord\"",
    "Location de salle, centre l'Éveil",
    "Licences de logiciels, année 2024-2025",
    "Cafétéria: denrées, lait et œufs",
];

/// A description: a phrase, sometimes with quotes, commas and a number.
fn description(rng: &mut Rng, out: &mut String) {
    out.push_str(DESCRIPTIONS[rng.below(DESCRIPTIONS.len() as u64) as usize]);
    match rng.below(4) {
        0 => {
            let _ = write!(out, ", bon de commande {}", 10_000 + rng.below(90_000));
        }
        1 => out.push_str(" \"urgent\""),
        _ => {}
    }
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn csv_cell(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// (year, month, day) of the `offset`-th day after 1 July 2024 (within the
/// fiscal year 2024-2025, which has 365 days).
fn date(offset: u32) -> (u32, u32, u32) {
    const MONTHS: [(u32, u32, u32); 12] = [
        (2024, 7, 31),
        (2024, 8, 31),
        (2024, 9, 30),
        (2024, 10, 31),
        (2024, 11, 30),
        (2024, 12, 31),
        (2025, 1, 31),
        (2025, 2, 28),
        (2025, 3, 31),
        (2025, 4, 30),
        (2025, 5, 31),
        (2025, 6, 30),
    ];
    let mut day = offset.min(364);
    for (year, month, days) in MONTHS {
        if day < days {
            return (year, month, day + 1);
        }
        day -= days;
    }
    (2025, 6, 30)
}

/// The outputs written while generating.
struct Writers {
    entity_csv: BufWriter<File>,
    all_csv: BufWriter<File>,
    bytes: u64,
}

/// One posting line, written to the entity's CSV and `all.csv`.
struct Line<'a> {
    entity: &'a str,
    date: (u32, u32, u32),
    account: &'a str,
    cents: i64,
    reference: &'a str,
    description: &'a str,
}

impl Writers {
    fn posting(&mut self, line: &Line<'_>, buffer: &mut String) -> std::io::Result<()> {
        let (y, m, d) = line.date;
        buffer.clear();
        let _ = write!(buffer, "{y}-{m:02}-{d:02},{},", line.account);
        cents_text(buffer, line.cents);
        buffer.push(',');
        buffer.push_str(line.reference);
        buffer.push(',');
        csv_cell(buffer, line.description);
        buffer.push('\n');
        self.entity_csv.write_all(buffer.as_bytes())?;
        self.all_csv.write_all(line.entity.as_bytes())?;
        self.all_csv.write_all(b",")?;
        self.all_csv.write_all(buffer.as_bytes())?;
        self.bytes += buffer.len() as u64;
        Ok(())
    }
}

fn create(path: &Path) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(1 << 20, File::create(path)?))
}

const CSV_HEADER: &str = "Date,Compte,Montant,Pièce,Libellé\n";

/// The entity being written: its name, its rank, its codes and the running
/// balance of each code (the generator's own trial balance).
struct Entity<'a> {
    name: &'a str,
    index: usize,
    accounts: &'a Accounts,
    sums: &'a mut Vec<Option<i64>>,
}

/// Opening balances: some balance-sheet codes, closed on the accumulated
/// surplus. Returns the number of lines written.
fn write_opening(
    writers: &mut Writers,
    entity: &mut Entity<'_>,
    folder: &Path,
    share: u64,
    rng: &mut Rng,
    buffer: &mut String,
) -> std::io::Result<u64> {
    writers.entity_csv = create(&folder.join("ouverture.csv"))?;
    writers.entity_csv.write_all(CSV_HEADER.as_bytes())?;
    writers.bytes += CSV_HEADER.len() as u64;
    let opening_count = (entity.accounts.balance_sheet.len().min(100) as u64)
        .min(share / 4)
        .max(2);
    let surplus = entity
        .accounts
        .balance_sheet
        .iter()
        .copied()
        .find(|i| CHART[entity.accounts.locals[*i].chart].2 == "excedent_accumule")
        .unwrap_or(entity.accounts.balance_sheet[0]);
    let mut opening: Vec<(usize, i64)> = Vec::new();
    let mut net = 0i64;
    for k in 0..opening_count - 1 {
        let local = entity.accounts.balance_sheet[k as usize % entity.accounts.balance_sheet.len()];
        if local == surplus {
            continue;
        }
        let cents = amount(rng) * 10;
        net += cents;
        opening.push((local, cents));
    }
    opening.push((surplus, -net));
    while (opening.len() as u64) < opening_count {
        // Codes skipped above: a zero line keeps the count exact.
        opening.insert(0, (surplus, 0));
    }
    let opening_lines: Vec<Line<'_>> = opening
        .iter()
        .map(|(local, cents)| Line {
            entity: entity.name,
            date: (2024, 7, 1),
            account: &entity.accounts.locals[*local].code,
            cents: *cents,
            reference: "OUV",
            description: "Soldes d'ouverture, au 1er juillet",
        })
        .collect();
    for ((local, cents), line) in opening.iter().zip(&opening_lines) {
        writers.posting(line, buffer)?;
        *entity.sums[*local].get_or_insert(0) += cents;
    }
    writers.entity_csv.flush()?;

    Ok(opening_count)
}

/// The postings of the year, in date order, in balanced entries.
fn write_ledger(
    writers: &mut Writers,
    entity: &mut Entity<'_>,
    folder: &Path,
    lines: u64,
    rng: &mut Rng,
    buffer: &mut String,
) -> std::io::Result<()> {
    let mut text = String::new();
    writers.entity_csv = create(&folder.join("grand-livre.csv"))?;
    writers.entity_csv.write_all(CSV_HEADER.as_bytes())?;
    writers.bytes += CSV_HEADER.len() as u64;
    let mut done = 0u64;
    let mut entry = 0u64;
    let mut postings: Vec<(usize, i64)> = Vec::new();
    while done < lines {
        let left = lines - done;
        let mut size = (2 + rng.below(4)).min(left);
        if left - size == 1 {
            size += 1;
        }
        postings.clear();
        let mut net = 0i64;
        for _ in 0..size - 1 {
            let cents = amount(rng);
            net += cents;
            postings.push((entity.accounts.draw(rng), cents));
        }
        postings.push((entity.accounts.draw(rng), -net));
        entry += 1;
        let day = ((done * 365) / lines.max(1)) as u32;
        let reference = format!("P{:03}-{entry:07}", entity.index);
        text.clear();
        description(rng, &mut text);
        let entry_lines: Vec<Line<'_>> = postings
            .iter()
            .map(|(local, cents)| Line {
                entity: entity.name,
                date: date(day),
                account: &entity.accounts.locals[*local].code,
                cents: *cents,
                reference: &reference,
                description: &text,
            })
            .collect();
        for ((local, cents), line) in postings.iter().zip(&entry_lines) {
            writers.posting(line, buffer)?;
            *entity.sums[*local].get_or_insert(0) += cents;
        }
        done += size;
    }
    writers.entity_csv.flush()?;
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args = parse_args();
    let out = &args.out;
    fs::create_dir_all(out.join("reports"))?;
    fs::create_dir_all(out.join("ledgers"))?;
    let names: Vec<String> = (1..=args.entities)
        .map(|i| format!("centre{i:03}"))
        .collect();
    fs::write(out.join("reports/bench.rdn"), specification(&names))?;

    let mut all_csv = create(&out.join("all.csv"))?;
    all_csv.write_all(b"entity,date,account,amount,reference,description\n")?;
    let mut writers = Writers {
        entity_csv: create(&out.join("placeholder"))?,
        all_csv,
        bytes: 0,
    };
    fs::remove_file(out.join("placeholder"))?;
    // (entity, local code) -> cents: the generator's own trial balance.
    let mut expected: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut rng = Rng::new(args.seed);
    let mut buffer = String::new();
    let base = args.lines / args.entities as u64;
    let mut written = 0u64;
    for (index, name) in names.iter().enumerate() {
        let share = base + u64::from((index as u64) < args.lines % args.entities as u64);
        let accounts = Accounts::new(&mut rng, args.accounts);
        let folder = out.join("ledgers").join(name);
        fs::create_dir_all(&folder)?;

        let mut sums: Vec<Option<i64>> = vec![None; accounts.locals.len()];
        let mut entity = Entity {
            name,
            index,
            accounts: &accounts,
            sums: &mut sums,
        };
        let opening_count = write_opening(
            &mut writers,
            &mut entity,
            &folder,
            share,
            &mut rng,
            &mut buffer,
        )?;
        written += opening_count;
        let lines = share - opening_count;
        write_ledger(
            &mut writers,
            &mut entity,
            &folder,
            lines,
            &mut rng,
            &mut buffer,
        )?;
        written += lines;
        for (local, sum) in accounts.locals.iter().zip(sums) {
            if let Some(cents) = sum {
                expected.insert((name.clone(), local.code.clone()), cents);
            }
        }
    }
    writers.all_csv.flush()?;

    let mut trial = create(&out.join("expected.csv"))?;
    trial.write_all(b"entity,account,balance\n")?;
    for ((entity, account), cents) in &expected {
        buffer.clear();
        let _ = write!(buffer, "{entity},{account},");
        cents_text(&mut buffer, *cents);
        buffer.push('\n');
        trial.write_all(buffer.as_bytes())?;
    }
    trial.flush()?;
    fs::write(
        out.join("summary.txt"),
        format!(
            "lines={written}\nentities={}\naccounts={}\nseed={}\nbytes={}\n",
            args.entities, args.accounts, args.seed, writers.bytes
        ),
    )?;
    eprintln!(
        "generate_ledger: {written} lines, {} entities, {} balances, {} bytes of CSV in {}",
        args.entities,
        expected.len(),
        writers.bytes,
        out.display()
    );
    Ok(())
}

/// `reports/bench.rdn`: chart, dimension, structure, crosswalk, format,
/// entities, group, and one report whose lines reach every chart code.
fn specification(names: &[String]) -> String {
    let mut spec = String::from(
        "# Generated by examples/generate_ledger.rs: a benchmark project.\nfiscal_year 2025\n\n",
    );
    spec.push_str("chart meq \"Plan comptable harmonisé\" {\n");
    for (code, label, kind, balance) in CHART {
        let _ = writeln!(spec, "  {code} \"{label}\" {kind} {balance}");
    }
    spec.push_str("}\n\ndimension etablissement \"Établissement\"\n\n");
    spec.push_str("structure poste \"UUU-OOOOO\" { unit:3 \"-\" object:5 }\n\n");
    spec.push_str("crosswalk reseau: poste -> meq {\n");
    for (index, (code, ..)) in CHART.iter().enumerate() {
        let (low, high) = object_range(index);
        let _ = writeln!(spec, "  object {low}..{high} => {code}");
    }
    spec.push_str("  dimension etablissement = unit\n}\n\n");
    spec.push_str(
        "format export \"Export du grand livre\" {\n  delimiter \",\"\n  decimal \".\"\n  encoding \"utf-8\"\n  date \"%Y-%m-%d\"\n  columns {\n    date \"Date\"\n    account \"Compte\"\n    amount \"Montant\"\n    reference \"Pièce\"\n    description \"Libellé\"\n  }\n}\n\n",
    );
    for (index, name) in names.iter().enumerate() {
        let _ = writeln!(
            spec,
            "entity {name} \"Centre de services scolaire n° {}\" {{\n  code \"{:03}\"\n  crosswalk reseau\n  opening \"ledgers/{name}/ouverture.csv\" format export\n  ledger \"ledgers/{name}/grand-livre.csv\" format export\n}}\n",
            index + 1,
            index + 1
        );
    }
    let _ = writeln!(
        spec,
        "group reseau \"Ensemble des centres\" {{ {} }}\n",
        names.join(", ")
    );
    let section = |spec: &mut String, id: &str, label: &str, kinds: &[&str]| {
        let _ = writeln!(spec, "  section {id} \"{label}\" {{");
        for (code, label, kind, _) in CHART {
            if kinds.contains(kind) {
                let _ = writeln!(spec, "    line c{code} \"{label}\" = sum({code})");
            }
        }
        let _ = writeln!(spec, "    total \"Total – {}\"\n  }}", label.to_lowercase());
    };
    spec.push_str(
        "report balance \"Balance par code harmonisé\" {\n  subtitle \"Exercice clos le {year_end}\"\n  columns { courant = year }\n",
    );
    section(
        &mut spec,
        "actifs",
        "Actifs",
        &["actif_financier", "actif_non_financier"],
    );
    section(&mut spec, "passifs", "Passifs", &["passif"]);
    spec.push_str("  line excedent_debut \"Excédent accumulé\" = sum(41000)\n");
    section(&mut spec, "revenus", "Revenus", &["revenu"]);
    section(&mut spec, "charges", "Charges", &["charge"]);
    spec.push_str(
        "  line resultat \"Excédent (déficit) de l'exercice\" = revenus - charges\n  check equilibre \"Les actifs égalent les passifs, l'excédent accumulé et le résultat\" :\n    actifs == passifs + excedent_debut + resultat\n}\n",
    );
    spec
}
