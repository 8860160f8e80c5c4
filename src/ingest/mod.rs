//! Ingestion: ledger exports (CSV in a declared dialect) to postings.
//!
//! ```text
//! bytes ──decode──▶ text ──scan + csv──▶ records ──cells──▶ Posting ──▶ sink
//! ```
//! Every physical line is accounted for: the header, a blank line, or part of
//! a record. Every refusal is a diagnostic at `file:line:column` with the line
//! shown and the bad cell underlined.
//!
//! Two readers share one rule for each thing they both need: the dialect is
//! built from written option values in `dialect.rs` (for a format and for
//! the trial balance's flags), and a header's columns are resolved in
//! `header.rs` (for the precise reader and the fast path, [`stream`](crate::ingest::stream)).

mod amount;
mod date;
mod decode;
mod dialect;
mod header;
mod reader;
mod scan;
pub mod stream;

pub use amount::{AmountError, MAX_DECIMALS, amount_help, parse_amount};
pub use date::{DateError, DateFormat};
pub use dialect::{DecimalMark, Dialect, DialectOption, Encoding, Refusal};
pub use reader::{Export, PIECE_BYTES, Rewindable, read_export_from, read_export_limited};

use crate::diagnostic::Diagnostic;
use crate::money::Amount;
use crate::source::{FileId, Sources, Span};
use chrono::NaiveDate;

/// The most errors reported for one export before reading stops.
pub const MAX_ERRORS: usize = 100;

/// The header(s) that hold one role, and where the format names them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ColumnRef {
    pub headers: Vec<String>,
    /// Put between the cells of a role that joins several columns.
    pub joined: String,
    pub span: Span,
}

/// Where a posting's amount is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Amounts {
    /// One signed column, debit positive.
    Signed(ColumnRef),
    /// Two columns of non-negative amounts; the posting is debit − credit.
    DebitCredit { debit: ColumnRef, credit: ColumnRef },
}

/// The movement type of a posting (for flows of capital assets and debt).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Movement {
    Acquisition,
    Disposal,
    Transfer,
    Borrowing,
    Repayment,
}

impl Movement {
    pub const ALL: [Movement; 5] = [
        Movement::Acquisition,
        Movement::Disposal,
        Movement::Transfer,
        Movement::Borrowing,
        Movement::Repayment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Acquisition => "acquisition",
            Movement::Disposal => "disposal",
            Movement::Transfer => "transfer",
            Movement::Borrowing => "borrowing",
            Movement::Repayment => "repayment",
        }
    }

    pub fn parse(name: &str) -> Option<Movement> {
        Movement::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// Which column's value gives the movement type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MovementFrom {
    Journal,
    MovementColumn,
}

/// `movements from ROLE { "VALUE" => movement ... }`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MovementRule {
    pub from: MovementFrom,
    pub cases: Vec<(String, Movement)>,
}

/// The columns of an export.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Layout {
    pub date: ColumnRef,
    pub account: ColumnRef,
    pub amounts: Amounts,
    pub journal: Option<ColumnRef>,
    pub reference: Option<ColumnRef>,
    pub description: Option<ColumnRef>,
    pub movement: Option<ColumnRef>,
    pub movements: Option<MovementRule>,
    /// The other centre of an inter-entity posting (its ministry code).
    pub counterparty: Option<ColumnRef>,
}

impl Layout {
    /// The columns every export has; no optional role.
    pub fn new(date: ColumnRef, account: ColumnRef, amounts: Amounts) -> Layout {
        Layout {
            date,
            account,
            amounts,
            journal: None,
            reference: None,
            description: None,
            movement: None,
            movements: None,
            counterparty: None,
        }
    }
}

/// One line of an export, as handed to the sink. Text cells are trimmed;
/// absent roles are empty.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Posting<'a> {
    pub date: NaiveDate,
    pub account: &'a str,
    /// Debit positive.
    pub amount: Amount,
    pub journal: &'a str,
    pub reference: &'a str,
    pub description: &'a str,
    pub movement: Option<Movement>,
    /// The other centre's code, for an inter-entity posting; else empty.
    pub counterparty: &'a str,
    /// Physical 1-based line where the record starts.
    pub line: usize,
    /// 1-based character column of the account cell on its line.
    pub account_column: usize,
}

/// A cell of the record being read, for diagnostics returned by the sink.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    Date,
    Account,
    /// The amount cell, or for debit/credit the non-empty one.
    Amount,
    Journal,
    Reference,
    Description,
    Movement,
    Counterparty,
}

/// The file id of placeholder spans; never a real file.
const PLACEHOLDER: FileId = FileId(u32::MAX);

impl Posting<'_> {
    /// A placeholder for the cell of `role` in this posting's record: a sink
    /// puts it in the labels of the diagnostic it returns and [`read_export`]
    /// replaces it by the cell's real location (the account cell when the role
    /// has no column). A sink diagnostic without a primary label is pointed at
    /// the account cell.
    pub fn span(&self, role: Role) -> Span {
        Span::new(PLACEHOLDER, role as usize, role as usize)
    }
}

/// Counts and control totals of one export.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ReadSummary {
    pub physical_lines: usize,
    pub header_lines: usize,
    pub blank_lines: usize,
    /// Records read (including any the reader or the sink refused).
    pub records: usize,
    /// Σ debits, as a positive amount.
    pub debit_total: Amount,
    /// Σ credits, as a positive amount.
    pub credit_total: Amount,
}

/// Reads one export. `display_name` is the path shown in diagnostics.
///
/// Calls `sink` once per valid record, in file order. The sink may return a
/// [`Diagnostic`] (e.g. the account does not fit the structure), collected like
/// the reader's own errors; see [`Posting::span`] to point it at a cell.
/// Returns every error found (reading continues after a bad record, up to
/// [`MAX_ERRORS`]), each located at file:line:column with a one-line excerpt
/// registered through [`Sources::add_excerpt`] and a span on the bad cell.
pub fn read_export(
    display_name: &str,
    bytes: &[u8],
    dialect: &Dialect,
    layout: &Layout,
    sources: &mut Sources,
    sink: &mut dyn FnMut(&Posting<'_>) -> Result<(), Diagnostic>,
) -> Result<ReadSummary, Vec<Diagnostic>> {
    let limits = crate::limits::Limits::default();
    read_export_limited(display_name, bytes, dialect, layout, &limits, sources, sink)
}

/// Line `number` (1-based) of an export, as the reader sees it: decoded in
/// the declared encoding and cut where the reader cuts lines (`\n`, `\r\n`
/// or `\r`). Read block by block: only that line is kept. `None` when the
/// line is not text in that encoding or the export has no such line.
pub fn export_line(
    source: &mut dyn std::io::Read,
    encoding: Encoding,
    number: usize,
) -> Option<String> {
    let wanted = number.checked_sub(1)?;
    let mut reader = std::io::BufReader::new(source);
    let (mut index, mut line, mut after_cr) = (0usize, Vec::new(), false);
    loop {
        let block = std::io::BufRead::fill_buf(&mut reader).ok()?;
        if block.is_empty() {
            break;
        }
        let length = block.len();
        for &byte in block {
            if after_cr && byte == b'\n' {
                after_cr = false;
                continue;
            }
            after_cr = byte == b'\r';
            if byte == b'\n' || byte == b'\r' {
                if index == wanted {
                    return decode_line(&line, encoding, wanted);
                }
                index += 1;
            } else if index == wanted {
                line.push(byte);
            }
        }
        std::io::BufRead::consume(&mut reader, length);
    }
    (index == wanted && !line.is_empty()).then(|| decode_line(&line, encoding, wanted))?
}

fn decode_line(bytes: &[u8], encoding: Encoding, index: usize) -> Option<String> {
    let origin = decode::Origin {
        name: "",
        first_line: index,
    };
    let text = decode::decode(origin, bytes, encoding, &mut Sources::default()).ok()?;
    Some(text.into_owned())
}

#[cfg(test)]
#[path = "tests/read.rs"]
mod tests;
