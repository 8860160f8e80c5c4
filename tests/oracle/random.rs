//! Round trip through random dialects: seeded random ledgers are written as
//! reddition projects (a random code structure and crosswalk, exports in
//! random French or English dialects, with every variation the reader
//! accepts, no-break spaces between thousands included); reddition's
//! mapping of each local code must be the test's reading of the crosswalk,
//! and its balances per local code, per chart code and on the report must
//! be the generator's, to the cent.
//!
//! This is the generator's word against reddition's, not an outside
//! oracle: `exports.rs` is where hledger and ledger read the exports.

use super::chart::{self, CHART, is_flow};
use super::crosswalk::Crosswalk;
use super::dialect;
use super::ledgers::{self, Posting, first_day};
use super::rng::Rng;
use super::structure::{self, Structure};
use reddition::pipeline;
use reddition::project::Project;
use reddition::source::Sources;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

/// The fiscal year built: 1 July 2024 to 30 June 2025.
const YEAR: i32 = 2025;

/// Everything generated for one seed.
struct Case {
    /// Relative path → bytes (specification, table and exports).
    files: Vec<(String, Vec<u8>)>,
    /// The generator's own trial balance, in cents: per local code and per chart code.
    expected_local: BTreeMap<String, i64>,
    expected_chart: BTreeMap<&'static str, i64>,
    /// Chart code each local code maps to, by the test's reading of the crosswalk.
    targets: BTreeMap<String, &'static str>,
    postings: usize,
    summary: String,
}

fn generate(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let structure = Structure::random(&mut rng);
    let wanted = rng.range(2, 24);
    // Few first-segment values, so that patterns match several codes.
    let codes = structure::codes(
        &mut rng,
        &structure,
        wanted,
        |i| if i == 0 { 3 } else { 0 },
        50,
    );
    let crosswalk = Crosswalk::random(&mut rng, &structure, &codes);
    let targets: Vec<usize> = codes
        .iter()
        .map(|code| crosswalk.target(&structure, code).unwrap())
        .collect();
    let split = structure
        .segments
        .get(1)
        .map(|(separator, _)| separator.as_str());
    let ledger_dialect = dialect::random(&mut rng, split);
    let balance_sheet: Vec<usize> = (0..codes.len()).filter(|c| !is_flow(targets[*c])).collect();
    let all_codes: Vec<usize> = (0..codes.len()).collect();
    let opening_dialect = (!balance_sheet.is_empty() && rng.percent(50)).then(|| {
        if rng.percent(50) {
            None // same format as the ledger
        } else {
            Some(dialect::random(&mut rng, split))
        }
    });
    let size = if rng.percent(5) {
        rng.range(200, 600)
    } else {
        rng.range(1, 60)
    };
    let mut spec = format!("fiscal_year {YEAR}\n\n{}\n", chart::chart_rdn());
    spec.push_str(&structure.rdn("s"));
    spec.push_str(&crosswalk.rdn("x", "s", &structure, "reports/crosswalks/x.csv"));
    spec.push_str(&ledger_dialect.rdn("grand_livre"));
    if let Some(Some(d)) = &opening_dialect {
        spec.push_str(&d.rdn("ouverture"));
    }
    let mut files = vec![(
        "reports/crosswalks/x.csv".to_string(),
        crosswalk.table_csv().into_bytes(),
    )];
    let mut all: Vec<Posting> = Vec::new();
    let mut entity = String::from(
        "entity e \"Centre de services scolaire d’essai\" {\n  code \"999\"\n  crosswalk x\n",
    );
    if let Some(opening) = &opening_dialect {
        let dialect = opening.as_ref().unwrap_or(&ledger_dialect);
        let format = if opening.is_some() {
            "ouverture"
        } else {
            "grand_livre"
        };
        let lines = rng.range(2, 12);
        let postings = ledgers::entry(
            &mut rng,
            &balance_sheet,
            lines,
            first_day(YEAR),
            "OUV",
            dialect.cp1252,
        );
        files.push((
            "ledgers/ouverture.csv".to_string(),
            dialect.export(&postings, &codes, &mut rng).bytes,
        ));
        let _ = writeln!(
            entity,
            "  opening \"ledgers/ouverture.csv\" format {format}"
        );
        all.extend(postings);
    }
    let cp1252 = ledger_dialect.cp1252;
    let ledger = ledgers::year_entries(&mut rng, &all_codes, size, YEAR, false, "", cp1252);
    let parts = if rng.percent(30) { rng.range(1, 3) } else { 0 };
    if parts == 0 {
        let flat: Vec<Posting> = ledger.iter().flatten().cloned().collect();
        files.push((
            "ledgers/grand-livre.csv".to_string(),
            ledger_dialect.export(&flat, &codes, &mut rng).bytes,
        ));
        entity.push_str("  ledger \"ledgers/grand-livre.csv\" format grand_livre\n");
    } else {
        let chunk = ledger.len().div_ceil(parts);
        for (index, entries) in ledger.chunks(chunk).enumerate() {
            let flat: Vec<Posting> = entries.iter().flatten().cloned().collect();
            files.push((
                format!("ledgers/gl/p{index:02}.csv"),
                ledger_dialect.export(&flat, &codes, &mut rng).bytes,
            ));
        }
        entity.push_str("  ledger \"ledgers/gl\" format grand_livre\n");
    }
    all.extend(ledger.into_iter().flatten());
    entity.push_str("}\n");
    spec.push_str(&entity);
    spec.push('\n');
    spec.push_str(&chart::report_rdn("courant = year"));
    files.insert(0, ("reports/spec.rdn".to_string(), spec.into_bytes()));

    let targets: BTreeMap<String, &'static str> = codes
        .iter()
        .zip(&targets)
        .map(|(code, target)| (code.clone(), CHART[*target].0))
        .collect();
    let mut expected_local: BTreeMap<String, i64> = BTreeMap::new();
    let mut expected_chart: BTreeMap<&'static str, i64> = BTreeMap::new();
    for posting in &all {
        let code = &codes[posting.code];
        *expected_local.entry(code.clone()).or_default() += posting.cents;
        *expected_chart.entry(targets[code]).or_default() += posting.cents;
    }
    let summary = format!(
        "structure {}ledger {:?}\nopening {:?}\n{} postings, {} local codes",
        structure.rdn("s"),
        ledger_dialect,
        opening_dialect,
        all.len(),
        codes.len()
    );
    Case {
        files,
        expected_local,
        expected_chart,
        targets,
        postings: all.len(),
        summary,
    }
}

type Balances = BTreeMap<String, Decimal>;

/// Per journal account (`C…` and `C…:L…`): reddition's balances from the cube
/// and from the report.
fn reddition(root: &Path, case: &Case) -> Result<(Balances, Balances), String> {
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
    let built = pipeline::run(&program, &project, &mut sources, &Default::default())
        .map_err(|d| format!("the build fails:\n{}", render(&sources, d)))?;
    let data = &built.cube.entities[0];
    let mut cube = Balances::new();
    for (index, local) in data.locals.iter().enumerate() {
        let chart = program.chart.accounts[local.mapped.target].code.clone();
        let expected = case.targets.get(&local.code).copied().unwrap_or("none");
        if chart != expected {
            return Err(format!(
                "local code `{}` mapped to {chart}, the test's reading of the crosswalk says {expected}",
                local.code
            ));
        }
        let balance = data
            .local_balance(YEAR, index)
            .ok_or("local_balance overflows")?;
        let balance = Decimal::from_str(&balance.to_string()).map_err(|e| e.to_string())?;
        let account = format!("C{chart}:L{}", local.code);
        if cube.insert(account.clone(), balance).is_some() {
            return Err(format!("local code `{}` appears twice", local.code));
        }
        *cube.entry(format!("C{chart}")).or_default() += balance;
    }
    let statement = reddition::render::statement(&program, &built.figures, 0, 0);
    let mut report = Balances::new();
    for row in &statement.rows {
        let Some(id) = &row.id else { continue };
        let value = Decimal::from_str(&row.values[0].exact)
            .map_err(|e| format!("row {id}: bad exact value: {e}"))?;
        report.insert(format!("C{}", id.trim_start_matches('c')), value);
    }
    Ok((cube, report))
}

/// The seed of a mismatch line (`seed 12: …`).
pub fn seed_of(line: &str) -> Option<u64> {
    line.strip_prefix("seed ")?.split(':').next()?.parse().ok()
}

fn replay(seed: u64) -> String {
    format!("replay: ORACLE_SEED={seed} cargo test --test main oracle::random -- --nocapture")
}

/// Runs one seed: its mismatches (empty when all agree), the balances
/// compared and the postings read.
pub fn check_seed(seed: u64, keep: bool) -> (Vec<String>, usize, usize) {
    let case = generate(seed);
    let folder = tempfile::Builder::new()
        .prefix(&format!("reddition-oracle-{seed}-"))
        .tempdir()
        .expect("a temporary folder");
    let root = folder.path().to_path_buf();
    let root = root.as_path();
    for (path, bytes) in &case.files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    if keep {
        println!("seed {seed}:\n{}", case.summary);
        println!("files kept in {}", folder.keep().display());
    }
    let (cube, report) = match reddition(root, &case) {
        Ok(found) => found,
        Err(message) => {
            let line = format!("seed {seed}: reddition: {message}\n  {}", replay(seed));
            return (vec![line], 0, case.postings);
        }
    };
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for (code, cents) in &case.expected_local {
        expected.insert(format!("C{}:L{code}", case.targets[code]), *cents);
    }
    for (chart, cents) in &case.expected_chart {
        expected.insert(format!("C{chart}"), *cents);
    }
    let mut accounts: BTreeSet<&String> = expected.keys().collect();
    accounts.extend(cube.keys());
    accounts.extend(report.keys());
    let show = |v: Option<&Decimal>| v.map_or("absent".to_string(), |d| d.normalize().to_string());
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for account in &accounts {
        let generator = Decimal::new(expected.get(*account).copied().unwrap_or(0), 2);
        let zero = Decimal::ZERO;
        let redd = cube.get(*account).unwrap_or(&zero);
        // Report lines exist for chart codes only.
        let in_report = !account.contains(':');
        let r = report.get(*account).unwrap_or(&zero);
        compared += 1 + usize::from(in_report);
        if *redd != generator || (in_report && *r != generator) {
            mismatches.push(format!(
                "seed {seed}: account {account}: reddition cube {}, reddition report {}, generator {}\n  {}",
                show(cube.get(*account)),
                if in_report { show(report.get(*account)) } else { "-".to_string() },
                generator.normalize(),
                replay(seed)
            ));
        }
    }
    (mismatches, compared, case.postings)
}
