//! Limits on everything the outside world controls. Each is checked before
//! the work it bounds, and exceeding one is a clean error (exit 5), never a
//! crash or a machine brought to its knees. An operator can raise a limit
//! for an exceptional input with `--limit NAME=VALUE`.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Size of one specification file (`*.rdn`) or crosswalk table.
    pub spec_file_bytes: u64,
    /// Number of specification files under `reports/`.
    pub spec_files: usize,
    /// Number of crosswalk tables included by the project.
    pub tables: usize,
    /// Size of one ledger export.
    pub ledger_file_bytes: u64,
    /// Length of one physical line of an export.
    pub line_bytes: usize,
    /// Columns of an export.
    pub columns: usize,
    /// Distinct local codes of one entity.
    pub local_codes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            spec_file_bytes: 8 << 20,
            spec_files: 1_000,
            tables: 256,
            ledger_file_bytes: 2 << 30,
            line_bytes: 1 << 20,
            columns: 1_024,
            local_codes: 1_000_000,
        }
    }
}

/// The names accepted by `--limit`, with what each bounds.
pub const NAMES: [(&str, &str); 7] = [
    (
        "spec-file-bytes",
        "size of a specification file or crosswalk table",
    ),
    ("spec-files", "number of specification files"),
    ("tables", "number of crosswalk tables"),
    ("ledger-file-bytes", "size of a ledger export"),
    ("line-bytes", "length of a line of an export"),
    ("columns", "columns of an export"),
    ("local-codes", "distinct local codes of an entity"),
];

impl Limits {
    /// Applies `NAME=VALUE`.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("expected NAME=VALUE, found `{assignment}`"))?;
        let value: u64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a whole number"))?;
        let size = usize::try_from(value).map_err(|_| format!("`{value}` is too large"))?;
        match name.trim() {
            "spec-file-bytes" => self.spec_file_bytes = value,
            "spec-files" => self.spec_files = size,
            "tables" => self.tables = size,
            "ledger-file-bytes" => self.ledger_file_bytes = value,
            "line-bytes" => self.line_bytes = size,
            "columns" => self.columns = size,
            "local-codes" => self.local_codes = size,
            other => {
                let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "unknown limit `{other}`; the limits are {}",
                    names.join(", ")
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "spec-file-bytes={} spec-files={} tables={} ledger-file-bytes={} line-bytes={} columns={} local-codes={}",
            self.spec_file_bytes,
            self.spec_files,
            self.tables,
            self.ledger_file_bytes,
            self.line_bytes,
            self.columns,
            self.local_codes
        )
    }
}
