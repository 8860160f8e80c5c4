//! Running the outside tools and reading what they print.
//!
//! hledger reads an export through its CSV import with rules written from
//! the dialect. hledger 1.25 (Debian 12) has no `encoding` rule (it came in
//! 1.30): like every GHC program it decodes a file by the locale it runs
//! in. A UTF-8 export is read under `C.UTF-8` (built into glibc); for a
//! windows-1252 one the test compiles the locale `fr_CA.CP1252` with
//! `localedef` (the glibc `locales` data: charmap `CP1252`) into a
//! temporary `LOCPATH`, so hledger decodes the bytes itself.

use rust_decimal::Decimal;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

pub fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The locales hledger runs under.
pub struct Locales {
    dir: tempfile::TempDir,
}

const CP1252_LOCALE: &str = "fr_CA.CP1252";

impl Locales {
    pub fn new() -> Result<Locales, String> {
        let dir = tempfile::Builder::new()
            .prefix("reddition-oracle-locales-")
            .tempdir()
            .map_err(|e| format!("a temporary folder for locales: {e}"))?;
        let target = dir.path().join(CP1252_LOCALE);
        let output = Command::new("localedef")
            .args(["-i", "fr_CA", "-f", "CP1252"])
            .arg(&target)
            .output()
            .map_err(|e| format!("cannot run localedef (glibc's libc-bin): {e}"))?;
        if !target.join("LC_CTYPE").is_file() {
            return Err(format!(
                "localedef could not compile {CP1252_LOCALE} (Debian package `locales`): {}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(Locales { dir })
    }

    fn apply(&self, command: &mut Command, cp1252: bool) {
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("LC_") || name == "LANG" || name == "LOCPATH" {
                command.env_remove(name);
            }
        }
        if cp1252 {
            command
                .env("LOCPATH", self.dir.path())
                .env("LC_ALL", CP1252_LOCALE);
        } else {
            command.env("LC_ALL", "C.UTF-8");
        }
    }
}

fn run(mut command: Command, cp1252: bool) -> Result<String, String> {
    let shown = format!("{command:?}");
    let output = command
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let decode = |bytes: &[u8]| {
        if cp1252 {
            encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned()
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    if !output.status.success() || !output.stderr.is_empty() {
        return Err(format!(
            "{shown}: {}\n{}",
            output.status,
            decode(&output.stderr)
        ));
    }
    if !cp1252 && std::str::from_utf8(&output.stdout).is_err() {
        return Err(format!("{shown}: output not UTF-8"));
    }
    Ok(decode(&output.stdout))
}

pub fn number(program: &str, text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text.trim()).map_err(|e| format!("{program}: bad amount `{text}`: {e}"))
}

fn hledger(file: &Path, rules: &Path, locales: &Locales, cp1252: bool) -> Command {
    let mut command = Command::new("hledger");
    command.arg("-f").arg(file).arg("--rules-file").arg(rules);
    locales.apply(&mut command, cp1252);
    command
}

/// One account of `hledger bal -M`: its balance per month (`YYYY-MM`) and
/// hledger's own total of the row.
pub struct Row {
    pub account: String,
    pub months: Vec<(String, Decimal)>,
    pub total: Decimal,
}

/// `hledger bal --monthly --empty --row-total -O csv` of one export, over
/// `[from, to)`: every account it read, every month.
pub fn hledger_balances(
    file: &Path,
    rules: &Path,
    locales: &Locales,
    cp1252: bool,
    [from, to]: [&str; 2],
) -> Result<Vec<Row>, String> {
    let mut command = hledger(file, rules, locales, cp1252);
    command.args([
        "bal",
        "--monthly",
        "--empty",
        "--row-total",
        "--no-total",
        "-b",
        from,
        "-e",
        to,
        "-O",
        "csv",
    ]);
    let out = run(command, cp1252)?;
    let mut reader = csv::ReaderBuilder::new().from_reader(out.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("hledger bal: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.first().map(String::as_str) != Some("account")
        || header.last().map(String::as_str) != Some("total")
    {
        return Err(format!("hledger bal: unexpected header {header:?}"));
    }
    let months = &header[1..header.len() - 1];
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("hledger bal: {e}"))?;
        if record.len() != header.len() {
            return Err(format!("hledger bal: unexpected row {record:?}"));
        }
        let cells: Vec<Decimal> = record
            .iter()
            .skip(1)
            .map(|cell| number("hledger", cell))
            .collect::<Result<_, _>>()?;
        rows.push(Row {
            account: record[0].to_string(),
            months: months.iter().cloned().zip(cells.iter().copied()).collect(),
            total: cells[cells.len() - 1],
        });
    }
    Ok(rows)
}

/// One posting as `hledger print -O csv` gives it.
pub struct Printed {
    pub transaction: String,
    pub date: String,
    pub account: String,
    pub amount: String,
}

/// `hledger print -O csv` of one export: the postings hledger parsed.
pub fn hledger_postings(
    file: &Path,
    rules: &Path,
    locales: &Locales,
    cp1252: bool,
) -> Result<Vec<Printed>, String> {
    let mut command = hledger(file, rules, locales, cp1252);
    command.args(["print", "-O", "csv"]);
    let out = run(command, cp1252)?;
    let mut reader = csv::ReaderBuilder::new().from_reader(out.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("hledger print: {e}"))?
        .clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("hledger print: no column `{name}` in {header:?}"))
    };
    let (txn, date, account, amount, commodity) = (
        column("txnidx")?,
        column("date")?,
        column("account")?,
        column("amount")?,
        column("commodity")?,
    );
    let mut postings = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("hledger print: {e}"))?;
        if !record[commodity].is_empty() {
            return Err(format!("hledger print: a commodity in {record:?}"));
        }
        postings.push(Printed {
            transaction: record[txn].to_string(),
            date: record[date].to_string(),
            account: record[account].to_string(),
            amount: record[amount].to_string(),
        });
    }
    Ok(postings)
}

/// `ledger reg --monthly` of a journal: `(YYYY-MM, account, amount)` per
/// account and month, ledger's own grouping and sums.
pub fn ledger_monthly(journal: &Path) -> Result<Vec<(String, String, Decimal)>, String> {
    let mut command = Command::new("ledger");
    command.arg("--args-only").arg("-f").arg(journal).args([
        "reg",
        "--monthly",
        "--format",
        "%(format_date(date, \"%Y-%m\"))\t%(account)\t%(quantity(display_amount))\n",
    ]);
    let out = run(command, false)?;
    out.lines()
        .map(|line| {
            let mut fields = line.split('\t');
            match (fields.next(), fields.next(), fields.next(), fields.next()) {
                (Some(month), Some(account), Some(amount), None) => Ok((
                    month.to_string(),
                    account.to_string(),
                    number("ledger", amount)?,
                )),
                _ => Err(format!("ledger: unexpected line `{line}`")),
            }
        })
        .collect()
}
