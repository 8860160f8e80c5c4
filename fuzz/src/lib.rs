//! The fuzz harness: one function per cargo-fuzz target, each taking the raw
//! fuzzer bytes. The targets under `fuzz_targets/` call these, and the test
//! `tests/fuzz_regressions.rs` includes this very file (`#[path]`) to replay
//! every corpus and crash input through the same code under `cargo test`.
//!
//! Each function must never panic, whatever the bytes; the few invariants it
//! asserts are documented where they are checked.

use reddition::diagnostic::{self, Code, Diagnostic};
use reddition::ingest::stream;
use reddition::ingest::{
    self, Amounts, ColumnRef, DateFormat, DecimalMark, Dialect, Encoding, Layout, Movement,
    MovementFrom, MovementRule, Posting, Role,
};
use reddition::model::Program;
use reddition::money::{Amount, MAX_DIGITS, Millionths};
use reddition::pipeline;
use reddition::source::{FileId, Sources, Span};
use reddition::syntax;
use std::cell::Cell;

/// The targets, as named under `fuzz/fuzz_targets/` and `fuzz/corpus/`.
pub const TARGETS: [&str; 6] = [
    "parse",
    "check",
    "csv_reader",
    "amount",
    "crosswalk_table",
    "stream",
];

/// Runs the target named `target` on `data`; `false` if there is no such target.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "parse" => parse(data),
        "check" => check(data),
        "csv_reader" => csv_reader(data),
        "amount" => amount(data),
        "crosswalk_table" => crosswalk_table(data),
        "stream" => stream(data),
        _ => return false,
    }
    true
}

/// Separates the specification from the crosswalk tables in a `check` input.
pub const TABLES_SEPARATOR: u8 = 0;
/// Separates specification files, or tables, in a `check` input.
pub const FILE_SEPARATOR: u8 = 1;
/// The most specification files or tables a `check` input is cut into.
const MAX_PIECES: usize = 32;

/// Renders the diagnostics (exercising every span they carry) and returns
/// the text, so the renderer is fuzzed along with whatever produced them.
fn render(sources: &Sources, diagnostics: &mut [Diagnostic]) -> String {
    diagnostic::sort(diagnostics);
    let _ = diagnostic::exit_code(diagnostics);
    diagnostic::render(sources, diagnostics, false)
}

/// `parse`: any UTF-8 text as one specification file.
pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = Sources::default();
    let file = sources.add("fuzz.rdn", text);
    let (_tree, mut diagnostics) = syntax::parse(&sources, file);
    render(&sources, &mut diagnostics);
}

/// `check`: `spec[\x01 spec…][\0 table[\x01 table…]]`. The specification
/// files (lossy UTF-8) are parsed and checked as one project; the n-th table
/// read through the loader is table n (cycling), whatever path is included.
pub fn check(data: &[u8]) {
    let (sources, result) = check_input(data);
    report(&sources, result);
}

/// What [`check`] checks: the files it registered and the result.
pub fn check_input(data: &[u8]) -> (Sources, diagnostic::Result<Program>) {
    let (spec, tables) = match data.iter().position(|&b| b == TABLES_SEPARATOR) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let tables: Vec<&[u8]> = tables
        .splitn(MAX_PIECES, |&b| b == FILE_SEPARATOR)
        .collect();
    let mut sources = Sources::default();
    let files: Vec<FileId> = spec
        .splitn(MAX_PIECES, |&b| b == FILE_SEPARATOR)
        .enumerate()
        .map(|(index, text)| {
            sources.add(
                format!("reports/fuzz{index}.rdn"),
                String::from_utf8_lossy(text).into_owned(),
            )
        })
        .collect();
    let calls = Cell::new(0usize);
    let loader = |_path: &str| -> std::io::Result<Vec<u8>> {
        let index = calls.get();
        calls.set(index + 1);
        Ok(tables[index % tables.len()].to_vec())
    };
    let result = pipeline::check_files(&mut sources, &files, &loader);
    (sources, result)
}

/// Renders the diagnostics of a failed check; a failure must say why.
fn report(sources: &Sources, result: diagnostic::Result<Program>) {
    if let Err(mut diagnostics) = result {
        assert!(
            !diagnostics.is_empty(),
            "check_files failed without a diagnostic"
        );
        render(sources, &mut diagnostics);
    }
}

/// A valid project whose single crosswalk includes the table under test.
pub const CROSSWALK_SPEC: &str = r#"fiscal_year 2025

chart mini "Plan minimal" {
  11000 "Encaisse"             actif_financier   debit
  21100 "Créditeurs"           passif            credit
  41000 "Excédent accumulé"    excedent_accumule credit
  51000 "Subvention"           revenu            credit
  61000 "Enseignement"         charge            debit
}

structure poste "UUU-OOO" { unit:3 "-" object:3 }

crosswalk local: poste -> mini {
  include "reports/table.csv"
  object 500..599 => 51000
  object 600..699 => 61000
  dimension etablissement = unit
}

dimension etablissement "Établissement"

format export "Export" {
  delimiter ";"
  decimal ","
  date "%d/%m/%Y"
  columns { date "Date" account "Compte" amount "Montant" reference "Pièce" }
}

entity centre "Centre" {
  code "001"
  crosswalk local
  ledger "ledgers/gl-2025.csv" format export
}

report bilan "Bilan" {
  line encaisse "Encaisse" = sum(11000)
  line crediteurs "Créditeurs" = sum(21100)
  line excedent "Excédent accumulé" = encaisse - crediteurs
  line ouverture "dont excédent au début" = sum(41000) memo
}

report resultats "Résultats" {
  line revenus "Revenus" = sum(51000)
  line charges "Charges" = sum(61000)
  line excedent "Excédent" = revenus - charges
}
"#;

/// `crosswalk_table`: the bytes are the table `reports/table.csv` included by
/// [`CROSSWALK_SPEC`].
pub fn crosswalk_table(data: &[u8]) {
    let (sources, result) = crosswalk_table_input(data);
    report(&sources, result);
}

/// What [`crosswalk_table`] checks: the files it registered and the result.
pub fn crosswalk_table_input(data: &[u8]) -> (Sources, diagnostic::Result<Program>) {
    let mut sources = Sources::default();
    let file = sources.add("reports/spec.rdn", CROSSWALK_SPEC);
    let loader = |path: &str| -> std::io::Result<Vec<u8>> {
        assert_eq!(path, "reports/table.csv", "the only table of the spec");
        Ok(data.to_vec())
    };
    let result = pipeline::check_files(&mut sources, &[file], &loader);
    (sources, result)
}

/// The format declarations the layouts' column spans point into (as a real
/// format's spans point into its specification file).
const FORMATS: &str = r#"format riviere "Windows-1252, point-virgule, virgule décimale" {
  columns { date "Date" journal "Journal" reference "N° pièce" account "Code budgétaire"
            description "Libellé" debit "Débit" credit "Crédit" movement "Type de mouvement" }
  movements from movement { "ACQ" => acquisition "ALIEN" => disposal "EMPR" => borrowing }
}
format sommets "UTF-8, virgule, montant signé" {
  columns { date "Date" journal "Journal" reference "Pièce" account "Poste budgétaire"
            description "Description" amount "Montant" }
  movements from journal { "IMM-ACQ" => acquisition "DLT-REM" => repayment }
}
format lakeshore "UTF-8, comma, thousands separator, quoted" {
  columns { date "Posting Date" journal "Source" reference "Document No."
            account "GL Account", "Cost Centre" joined "/" description "Description"
            debit "Debit" credit "Credit" }
  movements from journal { "FA-ADD" => acquisition "LTD-RPY" => repayment }
}
format tab "Tabulations" {
  columns { date "Date" account "Compte" amount "Montant" reference "Pièce" }
}
format export "Cas de test" {
  columns { date "Date" account "Compte" amount "Montant" reference "Pièce" }
}
"#;

fn column(formats: FileId, headers: &[&str], joined: &str) -> ColumnRef {
    let quoted = format!("\"{}\"", headers[0]);
    let start = FORMATS.find(&quoted).unwrap_or(0);
    ColumnRef {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        joined: joined.to_string(),
        span: Span::new(formats, start, start + quoted.len()),
    }
}

fn date(pattern: &str) -> DateFormat {
    DateFormat::parse(pattern).unwrap_or_default()
}

/// The dialects and layouts of `csv_reader`, picked by the first byte.
pub const CSV_DIALECTS: usize = 5;

/// Dialect and layout number `which` (modulo [`CSV_DIALECTS`]):
/// 0. `;`, decimal comma, space thousands, windows-1252, `%d/%m/%Y`,
///    debit/credit, movement column (the Rivière export);
/// 1. `,`, decimal point, signed, UTF-8, `%Y-%m-%d`, movements from the
///    journal (the Sommets export);
/// 2. `,`, decimal point, `,` thousands (so amounts are quoted), `%Y/%m/%d`,
///    debit/credit, account joined from two columns (the Lakeshore export);
/// 3. tab, decimal comma, signed, UTF-8, `%Y-%m-%d`, `'` as quote;
/// 4. `;`, decimal comma, signed, UTF-8, `%d/%m/%Y` (the test-case exports).
pub fn csv_dialect(which: usize, formats: FileId) -> (Dialect, Layout) {
    let col = |headers: &[&str]| column(formats, headers, "/");
    match which % CSV_DIALECTS {
        0 => (
            Dialect {
                delimiter: b';',
                quote: b'"',
                decimal: DecimalMark::Comma,
                thousands: Some(' '),
                encoding: Encoding::Windows1252,
                date: date("%d/%m/%Y"),
            },
            Layout {
                date: col(&["Date"]),
                account: col(&["Code budgétaire"]),
                amounts: Amounts::DebitCredit {
                    debit: col(&["Débit"]),
                    credit: col(&["Crédit"]),
                },
                journal: Some(col(&["Journal"])),
                reference: Some(col(&["N° pièce"])),
                description: Some(col(&["Libellé"])),
                movement: Some(col(&["Type de mouvement"])),
                counterparty: None,
                movements: Some(MovementRule {
                    from: MovementFrom::MovementColumn,
                    cases: vec![
                        ("ACQ".to_string(), Movement::Acquisition),
                        ("ALIEN".to_string(), Movement::Disposal),
                        ("EMPR".to_string(), Movement::Borrowing),
                    ],
                }),
            },
        ),
        1 => (
            Dialect {
                date: date("%Y-%m-%d"),
                ..Dialect::default()
            },
            Layout {
                date: col(&["Date"]),
                account: col(&["Poste budgétaire"]),
                amounts: Amounts::Signed(col(&["Montant"])),
                journal: Some(col(&["Journal"])),
                reference: Some(col(&["Pièce"])),
                description: Some(col(&["Description"])),
                movement: None,
                counterparty: None,
                movements: Some(MovementRule {
                    from: MovementFrom::Journal,
                    cases: vec![
                        ("IMM-ACQ".to_string(), Movement::Acquisition),
                        ("DLT-REM".to_string(), Movement::Repayment),
                    ],
                }),
            },
        ),
        2 => (
            Dialect {
                thousands: Some(','),
                date: date("%Y/%m/%d"),
                ..Dialect::default()
            },
            Layout {
                date: col(&["Posting Date"]),
                account: col(&["GL Account", "Cost Centre"]),
                amounts: Amounts::DebitCredit {
                    debit: col(&["Debit"]),
                    credit: col(&["Credit"]),
                },
                journal: Some(col(&["Source"])),
                reference: Some(col(&["Document No."])),
                description: Some(col(&["Description"])),
                movement: None,
                counterparty: None,
                movements: Some(MovementRule {
                    from: MovementFrom::Journal,
                    cases: vec![
                        ("FA-ADD".to_string(), Movement::Acquisition),
                        ("LTD-RPY".to_string(), Movement::Repayment),
                    ],
                }),
            },
        ),
        3 => (
            Dialect {
                delimiter: b'\t',
                quote: b'\'',
                decimal: DecimalMark::Comma,
                date: date("%Y-%m-%d"),
                ..Dialect::default()
            },
            simple_layout(formats),
        ),
        _ => (
            Dialect {
                delimiter: b';',
                decimal: DecimalMark::Comma,
                date: date("%d/%m/%Y"),
                ..Dialect::default()
            },
            simple_layout(formats),
        ),
    }
}

fn simple_layout(formats: FileId) -> Layout {
    let col = |headers: &[&str]| column(formats, headers, "/");
    Layout {
        date: col(&["Date"]),
        account: col(&["Compte"]),
        amounts: Amounts::Signed(col(&["Montant"])),
        journal: None,
        reference: Some(col(&["Pièce"])),
        description: None,
        movement: None,
        counterparty: None,
        movements: None,
    }
}

/// `csv_reader`: the first byte picks the dialect ([`csv_dialect`]), the rest
/// is the export. The sink refuses postings whose account ends in `9`,
/// pointing at the amount cell, to exercise how sink diagnostics are located.
pub fn csv_reader(data: &[u8]) {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let mut sources = Sources::default();
    let formats = sources.add("reports/formats.rdn", FORMATS);
    let (dialect, layout) = csv_dialect(usize::from(which), formats);
    let mut postings = 0usize;
    let mut sink = |posting: &Posting<'_>| -> Result<(), Diagnostic> {
        postings += 1;
        assert!(posting.line >= 1, "posting at line 0");
        assert!(posting.account_column >= 1, "posting at column 0");
        if posting.account.ends_with('9') {
            return Err(
                Diagnostic::error(Code::CodeShape, "refused by the fuzz sink")
                    .at(posting.span(Role::Amount), "this amount"),
            );
        }
        Ok(())
    };
    let result = ingest::read_export(
        "ledgers/fuzz.csv",
        bytes,
        &dialect,
        &layout,
        &mut sources,
        &mut sink,
    );
    match result {
        Ok(summary) => {
            assert!(
                summary.records >= postings,
                "{postings} postings handed to the sink but {} records counted",
                summary.records
            );
            assert!(
                summary.physical_lines >= summary.header_lines + summary.blank_lines,
                "line accounting: {summary:?}"
            );
            assert!(!summary.debit_total.is_negative(), "{summary:?}");
            assert!(!summary.credit_total.is_negative(), "{summary:?}");
        }
        Err(mut diagnostics) => {
            assert!(
                !diagnostics.is_empty(),
                "read_export failed without a diagnostic"
            );
            for d in &diagnostics {
                for label in &d.labels {
                    assert_ne!(
                        label.span.file,
                        FileId(u32::MAX),
                        "a placeholder span escaped read_export: {d:?}"
                    );
                }
            }
            render(&sources, &mut diagnostics);
        }
    }
    // Read in small pieces, the export gives the same postings, summary and
    // diagnostics as read whole.
    let piece = usize::from(which) % 13 + 1;
    assert_eq!(
        read_in_pieces(bytes, &dialect, &layout, piece),
        read_in_pieces(bytes, &dialect, &layout, ingest::PIECE_BYTES),
        "read in pieces of {piece} bytes"
    );
}

/// An export read in pieces of `piece` bytes, as text: each posting, then
/// the summary or the rendered diagnostics.
fn read_in_pieces(bytes: &[u8], dialect: &Dialect, layout: &Layout, piece: usize) -> String {
    let mut sources = Sources::default();
    let limits = reddition::limits::Limits::default();
    let export = ingest::Export {
        name: "ledgers/fuzz.csv",
        dialect,
        layout,
        limits: &limits,
    };
    let mut seen = Vec::new();
    let mut sink = |p: &Posting<'_>| -> Result<(), Diagnostic> {
        seen.push(format!(
            "{}:{} {} {} {} {}",
            p.line, p.account_column, p.date, p.account, p.amount, p.reference
        ));
        Ok(())
    };
    let mut source = std::io::Cursor::new(bytes);
    let result = ingest::read_export_from(&export, &mut source, piece, &mut sources, &mut sink);
    let end = match result {
        Ok(summary) => format!("{summary:?}"),
        Err(mut diagnostics) => render(&sources, &mut diagnostics),
    };
    format!("{}\n{end}", seen.join("\n"))
}

/// One posting as both readers see it: date, account, amount in
/// millionths, reference, movement, line.
type Seen = (String, String, Millionths, String, Option<Movement>, usize);

/// The postings of one core of the streamed reader.
#[derive(Default)]
struct Collect(
    Vec<(
        String,
        String,
        Millionths,
        String,
        Option<Movement>,
        stream::Position,
    )>,
);

impl stream::Fold for Collect {
    fn take(&mut self, record: &stream::Record<'_>) -> Result<(), stream::Doubt> {
        self.0.push((
            record.date.to_string(),
            record.account.to_string(),
            record.amount,
            record.reference.to_string(),
            record.movement,
            record.at,
        ));
        Ok(())
    }
}

/// `stream`: `[dialect byte][block byte] export`. The streamed reader (on
/// two cores, in blocks of 1 to 256 bytes) and the precise reader read the
/// same bytes; whenever the streamed one accepts the export, the precise
/// one must accept it too, with the same postings, lines and totals.
pub fn stream(data: &[u8]) {
    let [which, block, bytes @ ..] = data else {
        return;
    };
    let mut sources = Sources::default();
    let formats = sources.add("reports/formats.rdn", FORMATS);
    let (dialect, layout) = csv_dialect(usize::from(*which), formats);
    let limits = reddition::limits::Limits::default();
    let input = stream::Input {
        index: 0,
        dialect: &dialect,
        layout: &layout,
        limits: &limits,
        hash: true,
        progress: None,
        cancelled: None,
        block: usize::from(*block) + 1,
    };
    let mut folds = [Collect::default(), Collect::default()];
    let Ok(streamed) = stream::stream(&input, bytes, &mut folds) else {
        return;
    };
    let mut fast: Vec<(stream::Position, Seen)> = folds
        .into_iter()
        .flat_map(|fold| fold.0)
        .map(|(date, account, amount, reference, movement, at)| {
            let line = streamed.line(at);
            (at, (date, account, amount, reference, movement, line))
        })
        .collect();
    fast.sort_by_key(|(at, _)| *at);
    let fast: Vec<Seen> = fast.into_iter().map(|(_, seen)| seen).collect();
    let mut precise: Vec<Seen> = Vec::new();
    let mut sink = |posting: &Posting<'_>| -> Result<(), Diagnostic> {
        precise.push((
            posting.date.to_string(),
            posting.account.to_string(),
            Millionths::from_amount(posting.amount).expect("six decimals at most"),
            posting.reference.to_string(),
            posting.movement,
            posting.line,
        ));
        Ok(())
    };
    let summary = ingest::read_export(
        "fuzz.csv",
        bytes,
        &dialect,
        &layout,
        &mut sources,
        &mut sink,
    )
    .expect("the streamed reader accepted an export the precise reader refuses");
    assert_eq!(fast, precise, "the two readers read different postings");
    assert_eq!(
        streamed.summary, summary,
        "the two readers count differently"
    );
    assert_eq!(
        streamed.sha256.as_deref(),
        Some(reddition::digest::sha256(bytes).as_str())
    );
}

/// The dialects of `amount`, picked by the first byte: (decimal mark,
/// thousands character).
const AMOUNT_DIALECTS: [(DecimalMark, Option<char>); 6] = [
    (DecimalMark::Point, None),
    (DecimalMark::Comma, None),
    (DecimalMark::Comma, Some(' ')),
    (DecimalMark::Point, Some(',')),
    (DecimalMark::Comma, Some('.')),
    (DecimalMark::Point, Some('\'')),
];

fn is_cell_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{202f}')
}

/// The reference grammar for a dialect without thousands: `[-] digits [mark
/// 1..=6 digits]`, at most [`MAX_DIGITS`] significant digits. Returns the
/// plain form (`-123.45`) when the cell is an amount.
fn reference_amount(cell: &str, mark: char) -> Option<String> {
    let text = cell.trim_matches(is_cell_space);
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match rest.split_once(mark) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (rest, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) {
        return None;
    }
    if let Some(fraction) = fraction
        && (!digits(fraction) || fraction.len() > ingest::MAX_DECIMALS)
    {
        return None;
    }
    let fraction = fraction.unwrap_or("");
    let significant = whole.trim_start_matches('0');
    if significant.len() + fraction.len() > MAX_DIGITS {
        return None;
    }
    let mut plain = String::new();
    if negative {
        plain.push('-');
    }
    plain.push_str(if significant.is_empty() {
        "0"
    } else {
        significant
    });
    if !fraction.is_empty() {
        plain.push('.');
        plain.push_str(fraction);
    }
    Some(plain)
}

/// `amount`: the first byte picks the dialect, the rest (UTF-8) is the cell.
/// Checks that an accepted amount prints back to the same value, and that
/// dialects without thousands agree exactly with [`reference_amount`].
pub fn amount(data: &[u8]) {
    let Some((&which, cell)) = data.split_first() else {
        return;
    };
    let Ok(cell) = std::str::from_utf8(cell) else {
        return;
    };
    let (decimal, thousands) = AMOUNT_DIALECTS[usize::from(which) % AMOUNT_DIALECTS.len()];
    let dialect = Dialect {
        decimal,
        thousands,
        ..Dialect::default()
    };
    let parsed = ingest::parse_amount(cell, &dialect);
    if let Err(error) = parsed {
        let _ = error.to_string();
    }
    if let Ok(value) = parsed {
        let printed = value.to_string();
        assert_eq!(
            Amount::parse_plain(&printed),
            Some(value),
            "{cell:?} read as {printed}, which does not read back"
        );
    }
    if thousands.is_none() {
        let expected = reference_amount(cell, decimal.char());
        let expected = expected.map(|plain| Amount::parse_plain(&plain));
        match (parsed, expected) {
            (Ok(value), Some(Some(reference))) => {
                assert_eq!(
                    value, reference,
                    "{cell:?}: value differs from the reference"
                )
            }
            (Err(_), None) => {}
            (parsed, expected) => {
                panic!("{cell:?}: parse_amount gives {parsed:?}, the reference {expected:?}")
            }
        }
    }
}
