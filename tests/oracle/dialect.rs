//! Export dialects: random ones, and the three families of the sample
//! ledgers (Sommets, Rivière-du-Nord, Lakeshore Valley) in either encoding;
//! the bytes of an export in a dialect; the same dialect as a reddition
//! `format` and as hledger CSV rules.

use super::chart::rdn_string;
use super::ledgers::{Posting, description};
use super::rng::Rng;
use chrono::NaiveDate;
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    Date,
    Account,
    /// The code up to the join, for `account "A", "B" joined "SEP"`.
    AccountHead,
    /// The rest of the code after the join.
    AccountRest,
    Amount,
    Debit,
    Credit,
    Journal,
    Reference,
    Description,
    /// A column no role names: read and ignored.
    Extra,
}

#[derive(Debug, Clone)]
pub struct Dialect {
    pub name: String,
    pub delimiter: char,
    pub decimal: char,
    pub thousands: Option<char>,
    pub cp1252: bool,
    /// `%d/%m/%Y`, `%Y-%m-%d`, `%Y/%m/%d` or `%m/%d/%Y`.
    pub date: &'static str,
    pub debit_credit: bool,
    /// Debit and credit columns: `0.00` on the side without the amount
    /// (Lakeshore Valley) rather than an empty cell.
    pub zero_other_side: bool,
    /// With a space between thousands: the no-break spaces the reader also
    /// accepts (U+00A0, and U+202F in UTF-8), now and then.
    pub no_break_spaces: bool,
    pub bom: bool,
    pub crlf: bool,
    pub quote_all: bool,
    pub final_newline: bool,
    /// The code is split in two columns joined by this separator.
    pub joined: Option<String>,
    pub columns: Vec<(Role, String)>,
}

fn columns(list: &[(Role, &str)]) -> Vec<(Role, String)> {
    list.iter().map(|(r, h)| (*r, h.to_string())).collect()
}

/// A random dialect; `split` is the separator after the first segment of
/// the codes (when they have two segments), to write them in two columns.
pub fn random(rng: &mut Rng, split: Option<&str>) -> Dialect {
    let french = rng.percent(55);
    let mut dialect = if french {
        Dialect {
            name: "french".into(),
            delimiter: ';',
            decimal: ',',
            thousands: match rng.below(10) {
                0 | 1 => None,
                2 => Some('.'),
                _ => Some(' '),
            },
            cp1252: rng.percent(75),
            date: if rng.percent(70) {
                "%d/%m/%Y"
            } else {
                "%Y-%m-%d"
            },
            debit_credit: rng.percent(80),
            zero_other_side: false,
            no_break_spaces: true,
            bom: false,
            crlf: rng.percent(60),
            quote_all: rng.percent(10),
            final_newline: rng.percent(85),
            joined: None,
            columns: columns(&[
                (Role::Date, "Date"),
                (Role::Account, "Compte budgétaire"),
                (Role::Amount, "Montant"),
                (Role::Debit, "Débit"),
                (Role::Credit, "Crédit"),
                (Role::Reference, "No pièce"),
                (Role::Description, "Libellé"),
                (Role::Extra, "Unité « admin »"),
            ]),
        }
    } else {
        Dialect {
            name: "english".into(),
            delimiter: ',',
            decimal: '.',
            thousands: rng.percent(40).then_some(','),
            cp1252: false,
            date: if rng.percent(70) {
                "%Y-%m-%d"
            } else {
                "%m/%d/%Y"
            },
            debit_credit: rng.percent(20),
            zero_other_side: false,
            no_break_spaces: true,
            bom: false,
            crlf: rng.percent(30),
            quote_all: rng.percent(15),
            final_newline: rng.percent(85),
            joined: None,
            columns: columns(&[
                (Role::Date, "Date"),
                (Role::Account, "GL Account"),
                (Role::Amount, "Amount"),
                (Role::Debit, "Debit"),
                (Role::Credit, "Credit"),
                (Role::Reference, "Reference"),
                (Role::Description, "Description"),
                (Role::Extra, "Memo"),
            ]),
        }
    };
    dialect.bom = !dialect.cp1252 && rng.percent(25);
    let debit_credit = dialect.debit_credit;
    let (describe, extra) = (rng.percent(85), rng.percent(40));
    dialect.columns.retain(|(role, _)| match role {
        Role::Amount => !debit_credit,
        Role::Debit | Role::Credit => debit_credit,
        Role::Description => describe,
        Role::Extra => extra,
        _ => true,
    });
    if let Some(separator) = split
        && rng.percent(20)
    {
        let (head, rest) = if french {
            ("Unité", "Poste")
        } else {
            ("Cost Centre", "Account")
        };
        dialect.columns.retain(|(role, _)| *role != Role::Account);
        dialect.columns.push((Role::AccountHead, head.into()));
        dialect.columns.push((Role::AccountRest, rest.into()));
        dialect.joined = Some(separator.to_string());
    }
    rng.shuffle(&mut dialect.columns);
    dialect
}

/// The export families of the sample ledgers (ledgers/README.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `,`, decimal point, signed `Montant`, `%Y-%m-%d`, LF.
    Sommets,
    /// `;`, decimal comma, a space between thousands, `Débit`/`Crédit` (one
    /// of the two empty), `%d/%m/%Y`, CRLF.
    Riviere,
    /// `,`, decimal point, `,` between thousands (such amounts quoted),
    /// `Debit`/`Credit` with `0.00` on the other side, `%Y/%m/%d`, LF, the
    /// code in two columns joined by `/`.
    Lakeshore,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Sommets => "sommets",
            Family::Riviere => "riviere",
            Family::Lakeshore => "lakeshore",
        }
    }

    /// The family's dialect in one encoding, with the small variations a
    /// real export shows (a byte-order mark, quoting, the final line end).
    pub fn dialect(self, cp1252: bool, rng: &mut Rng) -> Dialect {
        let encoding = if cp1252 { "windows-1252" } else { "UTF-8" };
        let mut dialect = Dialect {
            name: format!("{} ({encoding})", self.name()),
            delimiter: ',',
            decimal: '.',
            thousands: None,
            cp1252,
            date: "%Y-%m-%d",
            debit_credit: false,
            zero_other_side: false,
            no_break_spaces: false,
            bom: !cp1252 && rng.percent(30),
            crlf: rng.percent(10),
            quote_all: rng.percent(10),
            final_newline: rng.percent(90),
            joined: None,
            columns: Vec::new(),
        };
        match self {
            Family::Sommets => {
                dialect.columns = columns(&[
                    (Role::Date, "Date"),
                    (Role::Journal, "Journal"),
                    (Role::Reference, "Pièce"),
                    (Role::Account, "Poste budgétaire"),
                    (Role::Description, "Description"),
                    (Role::Amount, "Montant"),
                ]);
            }
            Family::Riviere => {
                dialect.delimiter = ';';
                dialect.decimal = ',';
                dialect.thousands = Some(' ');
                dialect.date = "%d/%m/%Y";
                dialect.debit_credit = true;
                dialect.crlf = !rng.percent(10);
                dialect.columns = columns(&[
                    (Role::Date, "Date"),
                    (Role::Journal, "Journal"),
                    (Role::Reference, "N° pièce"),
                    (Role::Account, "Code budgétaire"),
                    (Role::Description, "Libellé"),
                    (Role::Debit, "Débit"),
                    (Role::Credit, "Crédit"),
                    (Role::Extra, "Type de mouvement"),
                ]);
            }
            Family::Lakeshore => {
                dialect.thousands = Some(',');
                dialect.date = "%Y/%m/%d";
                dialect.debit_credit = true;
                dialect.zero_other_side = true;
                dialect.joined = Some("/".into());
                dialect.columns = columns(&[
                    (Role::Date, "Posting Date"),
                    (Role::Journal, "Source"),
                    (Role::Reference, "Document No."),
                    (Role::AccountHead, "GL Account"),
                    (Role::AccountRest, "Cost Centre"),
                    (Role::Description, "Description"),
                    (Role::Debit, "Debit"),
                    (Role::Credit, "Credit"),
                ]);
            }
        }
        dialect
    }
}

/// One export's bytes, and where to change one amount by a unit.
pub struct Export {
    pub bytes: Vec<u8>,
    pub tamper: Option<Tamper>,
}

/// The units digit of one amount of an export: the byte, and what adding one
/// to it (or taking one, from a 9) does to its code's balance.
#[derive(Clone, Debug)]
pub struct Tamper {
    pub offset: usize,
    pub replacement: u8,
    pub code: String,
    pub date: NaiveDate,
    pub cents: i64,
}

const JOURNALS: &[&str] = &["GJ", "PAIE", "AP", "AR", "TAXE", "IMM-ACQ"];

impl Dialect {
    pub fn rdn(&self, id: &str) -> String {
        let mut text = format!("format {id} {} {{\n", rdn_string(&self.name));
        let _ = writeln!(text, "  delimiter \"{}\"", self.delimiter);
        let _ = writeln!(text, "  decimal \"{}\"", self.decimal);
        if let Some(t) = self.thousands {
            let _ = writeln!(text, "  thousands \"{t}\"");
        }
        let encoding = if self.cp1252 { "windows-1252" } else { "utf-8" };
        let _ = writeln!(text, "  encoding \"{encoding}\"");
        let _ = writeln!(text, "  date \"{}\"", self.date);
        text.push_str("  columns {\n");
        for (role, header) in &self.columns {
            let keyword = match role {
                Role::Date => "date",
                Role::Account => "account",
                Role::Amount => "amount",
                Role::Debit => "debit",
                Role::Credit => "credit",
                Role::Journal => "journal",
                Role::Reference => "reference",
                Role::Description => "description",
                Role::AccountHead => {
                    let rest = self
                        .columns
                        .iter()
                        .find(|(role, _)| *role == Role::AccountRest)
                        .map_or("", |(_, h)| h.as_str());
                    let _ = writeln!(
                        text,
                        "    account {}, {} joined {}",
                        rdn_string(header),
                        rdn_string(rest),
                        rdn_string(self.joined.as_deref().unwrap_or_default())
                    );
                    continue;
                }
                Role::Extra | Role::AccountRest => continue,
            };
            let _ = writeln!(text, "    {keyword} {}", rdn_string(header));
        }
        text.push_str("  }\n}\n");
        text
    }

    /// The dialect as hledger CSV rules (hledger 1.25: `skip`, `separator`,
    /// `fields`, `date-format`, `decimal-mark`, field assignments and `if`
    /// blocks); each posting goes to its local code against `contrepartie`.
    /// The encoding is not a rule before hledger 1.30: hledger decodes by
    /// the locale it runs in (see `tools.rs`). `None` when hledger cannot
    /// read the dialect: in `%NAME` it takes `_` and `-` as part of the
    /// name, so a code joined by either cannot be written after one.
    pub fn hledger_rules(&self) -> Option<String> {
        if let Some(joined) = &self.joined
            && joined.starts_with(['_', '-'])
        {
            return None;
        }
        let mut text = String::from("skip 1\n");
        let _ = writeln!(text, "separator {}", self.delimiter);
        let fields: Vec<&str> = self
            .columns
            .iter()
            .map(|(role, _)| match role {
                Role::Date => "date",
                Role::Account => "acct",
                Role::AccountHead => "head",
                Role::AccountRest => "rest",
                Role::Amount => "amt",
                Role::Debit => "debit",
                Role::Credit => "credit",
                _ => "",
            })
            .collect();
        let _ = writeln!(text, "fields {}", fields.join(", "));
        let _ = writeln!(text, "date-format {}", self.date);
        let _ = writeln!(text, "decimal-mark {}", self.decimal);
        match &self.joined {
            Some(joined) => {
                let _ = writeln!(text, "account1 %head{joined}%rest");
            }
            None => text.push_str("account1 %acct\n"),
        }
        text.push_str("account2 contrepartie\n");
        if self.debit_credit {
            // The manual's way with two columns that may both be zero or empty.
            text.push_str(
                "amount1 0\nif %debit [1-9]\n amount1 %debit\nif %credit [1-9]\n amount1 -%credit\n",
            );
        } else {
            text.push_str("amount1 %amt\n");
        }
        Some(text)
    }

    fn date(&self, date: NaiveDate) -> String {
        date.format(self.date).to_string()
    }

    /// A cell: quoted when it must be (or when the dialect quotes everything).
    fn cell(&self, value: &str, rng: &mut Rng) -> String {
        let must = value.contains([self.delimiter, '"', '\r', '\n']);
        if must || self.quote_all || rng.percent(3) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value.to_string()
        }
    }

    /// A non-negative or signed amount in cents, written in one of the many
    /// ways the dialect's grammar allows.
    fn amount(&self, cents: i64, rng: &mut Rng) -> String {
        let negative = cents < 0;
        let magnitude = cents.unsigned_abs();
        let (units, fraction) = (magnitude / 100, magnitude % 100);
        let mut integer = units.to_string();
        let grouped = self.thousands.is_some() && integer.len() > 3 && rng.percent(70);
        if grouped {
            let separator = match self.thousands {
                Some(' ') if self.no_break_spaces && self.cp1252 => *rng.pick(&[' ', '\u{a0}']),
                Some(' ') if self.no_break_spaces => *rng.pick(&[' ', '\u{a0}', '\u{202f}']),
                Some(other) => other,
                None => unreachable!(),
            };
            let digits: Vec<char> = integer.chars().collect();
            let first = digits.len() % 3;
            let mut out = String::new();
            for (i, digit) in digits.iter().enumerate() {
                if i > 0 && (i + 3 - first).is_multiple_of(3) {
                    out.push(separator);
                }
                out.push(*digit);
            }
            integer = out;
        } else if rng.percent(3) {
            integer.insert_str(0, "00");
        }
        let needed = if fraction == 0 {
            0
        } else if fraction % 10 == 0 {
            1
        } else {
            2
        };
        let decimals = match rng.below(10) {
            0 => needed,
            1 => rng.range(needed.max(2), 6),
            _ => 2,
        };
        let mut digits = format!("{fraction:02}");
        while digits.len() < decimals {
            digits.push('0');
        }
        digits.truncate(decimals);
        let mut text = String::new();
        if negative || (cents == 0 && !self.debit_credit && rng.percent(10)) {
            text.push('-');
        }
        text.push_str(&integer);
        if !digits.is_empty() {
            text.push(self.decimal);
            text.push_str(&digits);
        }
        if rng.percent(3) {
            text = format!(" {text} ");
        }
        text
    }

    /// The cell of one amount role of a posting.
    fn amount_cell(&self, role: Role, posting: &Posting, rng: &mut Rng) -> String {
        if role == Role::Amount {
            return self.amount(posting.cents, rng);
        }
        let debit = role == Role::Debit;
        match posting.cents.signum() {
            1 if debit => self.amount(posting.cents, rng),
            -1 if !debit => self.amount(-posting.cents, rng),
            0 if posting.zero_side == 2 || posting.zero_side == u8::from(debit) => {
                self.amount(0, rng)
            }
            _ if self.zero_other_side => self.amount(0, rng),
            _ => String::new(),
        }
    }

    /// One export: the header and one record per posting.
    pub fn export(&self, postings: &[Posting], codes: &[String], rng: &mut Rng) -> Export {
        let newline = if self.crlf { "\r\n" } else { "\n" };
        let delimiter = self.delimiter.to_string();
        let mut text = String::new();
        if self.bom {
            text.push('\u{feff}');
        }
        let header: Vec<String> = self
            .columns
            .iter()
            .map(|(_, h)| self.cell(h, rng))
            .collect();
        text.push_str(&header.join(&delimiter));
        let mut tamper: Option<(usize, Tamper)> = None;
        for posting in postings {
            text.push_str(newline);
            if rng.percent(2) {
                text.push_str(newline);
            }
            let code = &codes[posting.code];
            for (index, (role, _)) in self.columns.iter().enumerate() {
                if index > 0 {
                    text.push_str(&delimiter);
                }
                let value = match role {
                    Role::Date => self.date(posting.date),
                    Role::Account if rng.percent(3) => format!("  {code} "),
                    Role::Account => code.clone(),
                    Role::AccountHead | Role::AccountRest => {
                        let joined = self.joined.as_deref().unwrap_or_default();
                        let (head, rest) = code.split_once(joined).unwrap_or((code, ""));
                        if *role == Role::AccountHead {
                            head
                        } else {
                            rest
                        }
                        .to_string()
                    }
                    Role::Amount | Role::Debit | Role::Credit => {
                        self.amount_cell(*role, posting, rng)
                    }
                    Role::Journal => rng.pick(JOURNALS).to_string(),
                    Role::Reference => posting.reference.clone(),
                    Role::Description => posting.description.clone(),
                    // Only a description may span several lines (reddition's
                    // guard against unterminated quotes).
                    Role::Extra => description(rng, self.cp1252).replace('\n', " "),
                };
                let cell = self.cell(&value, rng);
                let carries = match role {
                    Role::Amount => true,
                    Role::Debit => posting.cents > 0,
                    Role::Credit => posting.cents < 0,
                    _ => false,
                };
                if tamper.is_none()
                    && carries
                    && posting.cents.unsigned_abs() >= 100
                    && let Some(found) = self.units_digit(&cell, *role, posting, code)
                {
                    tamper = Some((text.len() + found.0, found.1));
                }
                text.push_str(&cell);
            }
        }
        if self.final_newline {
            text.push_str(newline);
        }
        let tamper = tamper.map(|(at, mut tamper)| {
            tamper.offset = if self.cp1252 {
                encoding_rs::WINDOWS_1252.encode(&text[..at]).0.len()
            } else {
                at
            };
            tamper
        });
        let bytes = if self.cp1252 {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
            assert!(
                !unmappable,
                "the generator wrote a character outside windows-1252"
            );
            bytes.into_owned()
        } else {
            text.into_bytes()
        };
        Export { bytes, tamper }
    }

    /// The units digit of an amount cell (its byte offset in the cell) and
    /// the change to the code's balance when it goes up one (down, from 9).
    fn units_digit(
        &self,
        cell: &str,
        role: Role,
        posting: &Posting,
        code: &str,
    ) -> Option<(usize, Tamper)> {
        let at = match cell.rfind(self.decimal) {
            Some(mark) => mark.checked_sub(1)?,
            None => cell.rfind(|c: char| c.is_ascii_digit())?,
        };
        let digit = *cell.as_bytes().get(at)?;
        if !digit.is_ascii_digit() {
            return None;
        }
        let (replacement, step) = if digit == b'9' {
            (b'8', -100)
        } else {
            (digit + 1, 100)
        };
        let sign = match role {
            Role::Credit => -1,
            Role::Amount if posting.cents < 0 => -1,
            _ => 1,
        };
        let tamper = Tamper {
            offset: 0,
            replacement,
            code: code.to_string(),
            date: posting.date,
            cents: sign * step,
        };
        Some((at, tamper))
    }
}
