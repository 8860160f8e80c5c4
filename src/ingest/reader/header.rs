//! The header: finding each role's columns, and saying why one is missing.

use super::{AmountColumns, Columns, RawRecord, Reader};
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest::amount::is_cell_space;
use crate::ingest::{Amounts, ColumnRef};
use crate::source::{Sources, Span};

impl Reader<'_> {
    pub(super) fn resolve(
        &mut self,
        sources: &mut Sources,
        header: &RawRecord,
    ) -> Result<Columns, Vec<Diagnostic>> {
        let layout = self.layout;
        let mut find = |reader: &mut Self, column: &ColumnRef| reader.find(sources, header, column);
        let date = find(self, &layout.date);
        let account = find(self, &layout.account);
        let amount = match &layout.amounts {
            Amounts::Signed(column) => AmountColumns::Signed(find(self, column)),
            Amounts::DebitCredit { debit, credit } => AmountColumns::DebitCredit {
                debit: find(self, debit),
                credit: find(self, credit),
            },
        };
        let mut optional = |reader: &mut Self, column: &Option<ColumnRef>| {
            column.as_ref().map(|column| find(reader, column))
        };
        let journal = optional(self, &layout.journal);
        let reference = optional(self, &layout.reference);
        let description = optional(self, &layout.description);
        let movement = optional(self, &layout.movement);
        let counterparty = optional(self, &layout.counterparty);
        if self.errors.is_empty() {
            Ok(Columns {
                date,
                account,
                amount,
                journal,
                reference,
                description,
                movement,
                counterparty,
            })
        } else {
            Err(std::mem::take(&mut self.errors))
        }
    }

    /// The header indices of a column reference; errors for missing or repeated names.
    fn find(
        &mut self,
        sources: &mut Sources,
        header: &RawRecord,
        column: &ColumnRef,
    ) -> Vec<usize> {
        let mut indices = Vec::new();
        for wanted in &column.headers {
            let wanted = wanted.trim_matches(is_cell_space);
            let found: Vec<usize> = (0..self.header.len())
                .filter(|i| self.header[*i] == wanted)
                .collect();
            match found.as_slice() {
                [] => {
                    let error = self.missing_column(sources, header, wanted, column.span);
                    self.errors.push(error);
                }
                [index] => indices.push(*index),
                [first, second, ..] => {
                    let at = self.cells_span(sources, &[&header.cells[*second]]);
                    let before = self.cells_span(sources, &[&header.cells[*first]]);
                    self.errors.push(
                        Diagnostic::error(
                            Code::CsvStructure,
                            format!("column `{wanted}` appears twice in the header"),
                        )
                        .at(at, "again here")
                        .also(before, "first here")
                        .also(column.span, "the format reads this column"),
                    );
                }
            }
        }
        indices
    }

    fn missing_column(
        &mut self,
        sources: &mut Sources,
        header: &RawRecord,
        wanted: &str,
        declared: Span,
    ) -> Diagnostic {
        let at = self.span(sources, header.start, header.end);
        let listed: Vec<String> = self.header.iter().map(|name| format!("`{name}`")).collect();
        let mut diagnostic = Diagnostic::error(
            Code::MissingColumn,
            format!("column `{wanted}` not found in the header"),
        )
        .at(at, format!("no column `{wanted}` in this header"))
        .also(declared, "the format names it here")
        .note(format!(
            "the header has {} column{}: {}",
            listed.len(),
            if listed.len() == 1 { "" } else { "s" },
            listed.join(", ")
        ));
        if let Some(help) = self.header_help(wanted) {
            diagnostic = diagnostic.help(help);
        }
        diagnostic
    }

    fn header_help(&self, wanted: &str) -> Option<String> {
        let delimiter = char::from(self.dialect.delimiter);
        if let [only] = self.header.as_slice()
            && let Some(other) = [';', ',', '\t', '|']
                .into_iter()
                .find(|c| *c != delimiter && only.contains(*c))
        {
            let shown = if other == '\t' {
                "\\t".to_string()
            } else {
                other.to_string()
            };
            return Some(format!(
                "the header is a single column containing `{shown}`: is the format's delimiter `{shown}`?"
            ));
        }
        if self
            .header
            .first()
            .is_some_and(|first| first.to_ascii_lowercase().starts_with("sep="))
        {
            return Some("remove the first line (`sep=…`) that the spreadsheet added".to_string());
        }
        let key = fold(wanted);
        self.header
            .iter()
            .find(|name| fold(name) == key)
            .map(|name| format!("a column is named `{name}`; the format must name it exactly"))
    }
}

/// A header name folded for near-miss suggestions: lowercase, no accents, no spaces.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .map(|c| match c.to_lowercase().next().unwrap_or(c) {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}
