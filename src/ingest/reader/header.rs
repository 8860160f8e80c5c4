//! The header: each role's columns (resolved once, in `ingest::header`),
//! and saying why one cannot be found.

use super::{RawRecord, Reader};
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest::header::{self, Columns, HeaderFault};
use crate::source::{Sources, Span};
use unicode_normalization::UnicodeNormalization;

impl<'t> Reader<'t> {
    /// The columns of each role, or a located error for every fault.
    pub(super) fn resolve(
        &mut self,
        sources: &mut Sources,
        header: &RawRecord,
    ) -> Result<Columns<'t>, Vec<Diagnostic>> {
        header::resolve(&self.header, self.layout).map_err(|faults| {
            faults
                .into_iter()
                .map(|fault| self.header_fault(sources, header, fault))
                .collect()
        })
    }

    fn header_fault(
        &mut self,
        sources: &mut Sources,
        header: &RawRecord,
        fault: HeaderFault<'_>,
    ) -> Diagnostic {
        match fault {
            HeaderFault::Missing { wanted, column } => {
                self.missing_column(sources, header, wanted, column.span)
            }
            HeaderFault::Repeated {
                wanted,
                first,
                second,
                column,
            } => {
                let at = self.cells_span(sources, &[&header.cells[second]]);
                let before = self.cells_span(sources, &[&header.cells[first]]);
                Diagnostic::error(
                    Code::CsvStructure,
                    format!("column `{wanted}` appears twice in the header"),
                )
                .at(at, "again here")
                .also(before, "first here")
                .also(column.span, "the format reads this column")
            }
        }
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
        // Same letters, other code points: accents written as a letter plus a
        // combining mark (NFD), as some systems export, print identically.
        let composed: String = wanted.nfc().collect();
        if let Some(name) = self
            .header
            .iter()
            .find(|name| name.nfc().eq(composed.chars()))
        {
            return Some(format!(
                "the header's `{name}` is the same text with its accents decomposed (Unicode NFD: a letter, then a combining accent); re-export the header with composed accents (NFC), or write the format's column name with the same code points"
            ));
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
