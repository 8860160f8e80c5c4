//! The trial balance: the balance of every (entity, account) as CSV
//! `entity,account,balance`, exact.
//!
//! Two sources: a project (its sources read through the cube, with every
//! check of a build except the reports' own, for the fiscal year built), or
//! one export read with a dialect given on the command line (summed per
//! account as read, no crosswalk, no balance check).

use crate::cube::{self, Cube, Period};
use crate::diagnostic::{Code, Diagnostic, Result};
use crate::ingest::stream::{self, Doubt, Fold, Input, Record};
use crate::ingest::{self, Amounts, ColumnRef, Dialect, DialectOption, Layout, Refusal};
use crate::limits::Limits;
use crate::model::Program;
use crate::money::{Amount, Millionths};
use crate::pipeline;
use crate::project::Project;
use crate::source::{Sources, Span};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// What a row's account is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// The entity's own local account (budget code), as written in its exports.
    #[default]
    Account,
    /// The harmonized chart code the local account maps to.
    Code,
}

/// One balance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub entity: String,
    pub account: String,
    /// `Some` when balances are split by period (0 = opening, 1 = July … 12 = June).
    pub period: Option<Period>,
    /// Debit positive.
    pub balance: Amount,
}

/// A trial balance and what it was drawn from.
#[derive(Debug, Default)]
pub struct TrialBalance {
    /// Sorted by entity, account, then period.
    pub rows: Vec<Row>,
    /// Ledger lines summed (opening balances included).
    pub lines: u64,
    /// Every file read, for `--out` to refuse replacing one.
    pub inputs: Vec<PathBuf>,
}

/// The trial balance of a project for its fiscal year.
pub fn project(
    project: &Project,
    sources: &mut Sources,
    by: By,
    by_period: bool,
    options: &cube::ReadOptions<'_>,
) -> Result<TrialBalance> {
    let program = pipeline::check_project(project, sources)?;
    let cube = cube::build(&program, project, sources, options)?;
    let rows = from_cube(&program, &cube, program.fiscal_year, by, by_period)?;
    let lines = cube
        .entities
        .iter()
        .filter_map(|entity| entity.reconciliation.get(&program.fiscal_year))
        .map(|totals| totals.opening_lines + totals.ledger_lines)
        .sum();
    let mut inputs: Vec<PathBuf> = sources
        .files()
        .map(|(_, file)| project.root.join(&file.name))
        .collect();
    inputs.extend(
        cube.entities
            .iter()
            .flat_map(|entity| &entity.files)
            .map(|file| project.root.join(&file.path)),
    );
    Ok(TrialBalance {
        rows,
        lines,
        inputs,
    })
}

/// The rows of one fiscal year of a cube: per entity, per local account (or
/// chart code), optionally per period. Accounts with postings in the year
/// that net to zero are kept; accounts without any are not.
pub fn from_cube(
    program: &Program,
    cube: &Cube,
    year: i32,
    by: By,
    by_period: bool,
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (entity, data) in program.entities.iter().zip(&cube.entities) {
        let mut sums: BTreeMap<(&str, Option<Period>), Amount> = BTreeMap::new();
        let mut overflowed = false;
        for (cell, amount) in &data.cells {
            if cell.year != year {
                continue;
            }
            let Some(local) = data.locals.get(cell.local) else {
                continue;
            };
            let account = match by {
                By::Account => local.code.as_str(),
                By::Code => match program.chart.accounts.get(local.mapped.target) {
                    Some(account) => account.code.as_str(),
                    None => continue,
                },
            };
            let period = by_period.then_some(cell.period);
            let sum = sums.entry((account, period)).or_default();
            match sum.checked_add(*amount) {
                Some(total) => *sum = total,
                None => overflowed = true,
            }
        }
        if overflowed {
            errors.push(
                Diagnostic::error(
                    Code::Overflow,
                    format!(
                        "a balance of `{}` overflows 28 significant digits",
                        entity.name
                    ),
                )
                .help("amounts this large cannot be real; look for a misplaced decimal mark"),
            );
            continue;
        }
        rows.extend(sums.into_iter().map(|((account, period), balance)| Row {
            entity: entity.name.clone(),
            account: account.to_string(),
            period,
            balance,
        }));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    sort(&mut rows);
    Ok(rows)
}

fn sort(rows: &mut [Row]) {
    rows.sort_by(|a, b| (&a.entity, &a.account, a.period).cmp(&(&b.entity, &b.account, b.period)));
}

/// Where the amount of a single export is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountColumns {
    /// One signed column, debit positive.
    Signed(String),
    /// Two columns of non-negative amounts.
    DebitCredit { debit: String, credit: String },
}

/// One export and its dialect, as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileOptions {
    pub path: PathBuf,
    pub entity: String,
    pub delimiter: String,
    pub quote: String,
    pub decimal: String,
    pub thousands: Option<String>,
    pub encoding: String,
    pub date: String,
    pub date_column: String,
    pub account: String,
    pub amounts: AmountColumns,
}

/// The name under which the command line is shown in diagnostics.
const COMMAND_LINE: &str = "command line";

/// The trial balance of one export: every record summed by account, exactly.
///
/// The export is streamed on every core first; at the first doubt it is read
/// again by the precise reader, which reports every error.
pub fn file(options: &FileOptions, limits: &Limits, sources: &mut Sources) -> Result<TrialBalance> {
    let (dialect, layout) = dialect_and_layout(options, sources)?;
    if let Ok(balance) = stream_file(options, &dialect, &layout, limits) {
        return Ok(balance);
    }
    if crate::output::interrupted() {
        return Err(vec![crate::output::stopped()]);
    }
    let shown = options.path.to_string_lossy().into_owned();
    let mut file = open_file(&options.path, &shown, limits)?;
    let mut sums: HashMap<String, Amount> = HashMap::new();
    let mut overflowed = false;
    let mut sink = |posting: &ingest::Posting<'_>| {
        let sum = match sums.get_mut(posting.account) {
            Some(sum) => sum,
            None => sums.entry(posting.account.to_string()).or_default(),
        };
        match sum.checked_add(posting.amount) {
            Some(total) => {
                *sum = total;
                Ok(())
            }
            // One overflow says it; the run fails either way.
            None if overflowed => Ok(()),
            None => {
                overflowed = true;
                Err(balance_overflow(posting))
            }
        }
    };
    let export = ingest::Export {
        name: &shown,
        dialect: &dialect,
        layout: &layout,
        limits,
    };
    let summary =
        ingest::read_export_from(&export, &mut file, ingest::PIECE_BYTES, sources, &mut sink)?;
    if summary.records == 0 {
        return Err(vec![
            Diagnostic::error(Code::NoData, format!("`{shown}` holds no posting"))
                .help("an export with only its header adds nothing: is it the right file?"),
        ]);
    }
    Ok(file_balance(options, sums, summary.records))
}

/// The balance of an account overflows.
fn balance_overflow(posting: &ingest::Posting<'_>) -> Diagnostic {
    Diagnostic::error(
        Code::Overflow,
        format!(
            "the balance of `{}` overflows 28 significant digits",
            posting.account
        ),
    )
    .at(posting.span(ingest::Role::Amount), "adding this amount")
    .help("amounts this large cannot be real; look for a misplaced decimal mark")
}

/// The trial balance of one export from its sum per account.
fn file_balance(
    options: &FileOptions,
    sums: impl IntoIterator<Item = (String, Amount)>,
    records: usize,
) -> TrialBalance {
    let mut rows: Vec<Row> = sums
        .into_iter()
        .map(|(account, balance)| Row {
            entity: options.entity.clone(),
            account,
            period: None,
            balance,
        })
        .collect();
    sort(&mut rows);
    TrialBalance {
        rows,
        lines: records as u64,
        inputs: vec![options.path.clone()],
    }
}

/// Sums per account on one core.
#[derive(Default)]
struct AccountSums(FxHashMap<Box<str>, Millionths>);

impl Fold for AccountSums {
    fn take(&mut self, record: &Record<'_>) -> std::result::Result<(), Doubt> {
        let sum = match self.0.get_mut(record.account) {
            Some(sum) => sum,
            None => self.0.entry(record.account.into()).or_default(),
        };
        *sum = sum.checked_add(record.amount).ok_or(Doubt("overflow"))?;
        Ok(())
    }
}

/// [`file`] on the fast path.
fn stream_file(
    options: &FileOptions,
    dialect: &Dialect,
    layout: &Layout,
    limits: &Limits,
) -> std::result::Result<TrialBalance, Doubt> {
    let mut folds: Vec<AccountSums> = (0..stream::cores())
        .map(|_| AccountSums::default())
        .collect();
    let input = Input {
        index: 0,
        dialect,
        layout,
        limits,
        hash: false,
        progress: None,
        cancelled: Some(crate::output::interrupted),
        block: stream::BLOCK,
    };
    let file = std::fs::File::open(&options.path).map_err(|_| Doubt("cannot open"))?;
    let streamed = stream::stream(&input, file, &mut folds)?;
    if streamed.summary.records == 0 {
        return Err(Doubt("no posting"));
    }
    let mut sums: FxHashMap<Box<str>, Millionths> = FxHashMap::default();
    for fold in folds {
        for (account, sum) in fold.0 {
            let total = sums.entry(account).or_default();
            *total = total.checked_add(sum).ok_or(Doubt("overflow"))?;
        }
    }
    let sums = sums
        .into_iter()
        .map(|(account, sum)| Some((account.into(), sum.to_amount()?)))
        .collect::<Option<Vec<(String, Amount)>>>()
        .ok_or(Doubt("overflow"))?;
    Ok(file_balance(options, sums, streamed.summary.records))
}

/// The export, opened once it is known to be a regular file within the
/// size limit (it is then read piece by piece).
fn open_file(path: &Path, shown: &str, limits: &Limits) -> Result<std::fs::File> {
    let io = |error: std::io::Error| {
        vec![Diagnostic::error(
            Code::Io,
            format!("cannot read `{shown}`: {error}"),
        )]
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(vec![Diagnostic::error(
            Code::Io,
            format!("cannot read `{shown}`: not a regular file"),
        )]);
    }
    if metadata.len() > limits.ledger_file_bytes {
        return Err(vec![
            Diagnostic::error(
                Code::LimitExceeded,
                format!(
                    "`{shown}` is too large: {} bytes, above the limit of {} (raise it with --limit ledger-file-bytes=N)",
                    metadata.len(),
                    limits.ledger_file_bytes
                ),
            )
            .help("is it the right file? an export this large is unusual"),
        ]);
    }
    std::fs::File::open(path).map_err(io)
}

/// The dialect and columns given by flags.
fn dialect_and_layout(options: &FileOptions, sources: &mut Sources) -> Result<(Dialect, Layout)> {
    let layout = layout_of_flags(options, sources);
    Ok((dialect_of_flags(options)?, layout))
}

/// The columns named by flags. The flags are registered as a source
/// (`command line`) so that a diagnostic about a column, such as one
/// missing from the header, points at the flag that names it.
fn layout_of_flags(options: &FileOptions, sources: &mut Sources) -> Layout {
    let mut line = FlagLine::default();
    let date = line.flag("date-column", &options.date_column);
    let account = line.flag("account", &options.account);
    let amounts = match &options.amounts {
        AmountColumns::Signed(amount) => vec![line.flag("amount", amount)],
        AmountColumns::DebitCredit { debit, credit } => {
            vec![line.flag("debit", debit), line.flag("credit", credit)]
        }
    };
    let file = sources.add(COMMAND_LINE, line.text);
    let column = |(name, start, end): Flag| ColumnRef {
        headers: vec![name],
        joined: String::new(),
        span: Span::new(file, start, end),
    };
    let mut amounts = amounts.into_iter().map(column);
    let amounts = match (amounts.next(), amounts.next()) {
        (Some(debit), Some(credit)) => Amounts::DebitCredit { debit, credit },
        (amount, _) => Amounts::Signed(amount.unwrap_or_else(|| column((String::new(), 0, 0)))),
    };
    Layout::new(column(date), column(account), amounts)
}

/// A flag's value and where it lies on the command line.
type Flag = (String, usize, usize);

/// The flags that name columns, written out as one line.
#[derive(Default)]
struct FlagLine {
    text: String,
}

impl FlagLine {
    /// Appends `--name value`.
    fn flag(&mut self, name: &str, value: &str) -> Flag {
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(&format!("--{name} "));
        let start = self.text.len();
        self.text.push_str(value);
        (value.to_string(), start, self.text.len())
    }
}

/// The dialect given by flags, each refused value reported in the flag's terms.
fn dialect_of_flags(options: &FileOptions) -> Result<Dialect> {
    let given = [
        (DialectOption::Delimiter, Some(&options.delimiter)),
        (DialectOption::Quote, Some(&options.quote)),
        (DialectOption::Decimal, Some(&options.decimal)),
        (DialectOption::Thousands, options.thousands.as_ref()),
        (DialectOption::Encoding, Some(&options.encoding)),
        (DialectOption::Date, Some(&options.date)),
    ];
    let mut dialect = Dialect::default();
    let mut errors = Vec::new();
    for (option, value) in given {
        if let Some(value) = value
            && let Err(refusal) = dialect.set(option, value)
        {
            errors.push(bad_flag(option, value, refusal));
        }
    }
    if errors.is_empty()
        && let Err(message) = dialect.validate()
    {
        errors.push(
            Diagnostic::error(Code::BadFormat, message)
                .help("the options --delimiter, --quote, --decimal and --thousands must differ"),
        );
    }
    if errors.is_empty() {
        Ok(dialect)
    } else {
        Err(errors)
    }
}

/// `--delimiter: `;;` is not one ASCII character`, with how to write it.
fn bad_flag(option: DialectOption, value: &str, refusal: Refusal) -> Diagnostic {
    let (message, help) = match (option, refusal) {
        (DialectOption::Delimiter, _) => (
            format!("`{value}` is not one ASCII character"),
            "write one character, e.g. --delimiter ';' (or $'\\t' for a tab)",
        ),
        (DialectOption::Quote, _) => (
            format!("`{value}` is not one ASCII character"),
            "write one character, e.g. --quote '\"'",
        ),
        (DialectOption::Decimal, _) => (
            format!("`{value}` is not a decimal mark"),
            "write --decimal . or --decimal ,",
        ),
        (DialectOption::Thousands, _) => (
            format!("`{value}` is not one character"),
            "write one character, e.g. --thousands ' ' or --thousands .",
        ),
        (DialectOption::Encoding, _) => (
            format!("unknown encoding `{value}`"),
            "write --encoding utf-8 or --encoding windows-1252",
        ),
        (DialectOption::Date, refusal) => (
            match refusal {
                Refusal::DatePattern(message) => message,
                _ => String::new(),
            },
            "write the pattern with %Y, %m and %d, e.g. --date %d/%m/%Y",
        ),
    };
    Diagnostic::error(Code::BadFormat, format!("--{}: {message}", option.name()))
        .help(help.to_string())
}

/// An exact amount with at least two decimals (`1250.5` is written `1250.50`;
/// `0.125` stays as it is): zeros are only appended, nothing is rounded.
pub fn amount_text(amount: Amount) -> String {
    let mut text = amount.to_string();
    match text.split_once('.').map(|(_, decimals)| decimals.len()) {
        None => text.push_str(".00"),
        Some(1) => text.push('0'),
        Some(_) => {}
    }
    text
}

/// The CSV: `entity,account,balance`, or `entity,account,period,balance`
/// with periods written `P0` (opening) to `P12`. Text cells that a
/// spreadsheet would run as formulas are neutralised.
pub fn csv(rows: &[Row], by_period: bool) -> String {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let header: &[&str] = if by_period {
        &["entity", "account", "period", "balance"]
    } else {
        &["entity", "account", "balance"]
    };
    let mut result = writer.write_record(header);
    for row in rows {
        let entity = crate::render::csv::neutralise(&row.entity);
        let account = crate::render::csv::neutralise(&row.account);
        let balance = amount_text(row.balance);
        result = result.and_then(|()| match (by_period, row.period) {
            (true, Some(period)) => {
                writer.write_record([&entity, &account, &format!("P{period}"), &balance])
            }
            _ => writer.write_record([&entity, &account, &balance]),
        });
    }
    match (result, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Amount {
        Amount::parse_plain(text).unwrap_or_default()
    }

    #[test]
    fn amounts_keep_every_digit_and_at_least_two_decimals() {
        for (given, written) in [
            ("0", "0.00"),
            ("-1250.5", "-1250.50"),
            ("12", "12.00"),
            ("0.125", "0.125"),
            ("-0.01", "-0.01"),
            (
                "9999999999999999999999999999",
                "9999999999999999999999999999.00",
            ),
        ] {
            assert_eq!(amount_text(amount(given)), written, "{given}");
        }
    }

    #[test]
    fn csv_quotes_and_neutralises_text_cells() {
        let rows = vec![
            Row {
                entity: "centre".into(),
                account: "=1+1".into(),
                period: Some(3),
                balance: amount("-2.5"),
            },
            Row {
                entity: "a,b".into(),
                account: "x\"y".into(),
                period: Some(0),
                balance: amount("1"),
            },
        ];
        assert_eq!(
            csv(&rows, true),
            "entity,account,period,balance\ncentre,'=1+1,P3,-2.50\n\"a,b\",\"x\"\"y\",P0,1.00\n"
        );
        assert_eq!(
            csv(&rows[..1], false),
            "entity,account,balance\ncentre,'=1+1,-2.50\n"
        );
    }
}
