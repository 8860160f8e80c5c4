//! The cells of a well-formed record: date, amounts, movement, totals.

use super::{AmountColumns, Columns, RawRecord, Reader, Values};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::ingest::amount::{amount_help, amount_hint, is_cell_space};
use crate::ingest::date::DateError;
use crate::ingest::scan::Cell;
use crate::ingest::{Amounts, ColumnRef, Movement, MovementFrom, PLACEHOLDER, Role, parse_amount};
use crate::money::Amount;
use crate::source::Sources;

impl Reader<'_> {
    /// Reads every cell of a well-formed record; `None` after pushing errors.
    pub(super) fn values(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &Columns,
    ) -> Option<Values> {
        let errors_before = self.errors.len();
        let date = self.date(sources, record, &columns.date);
        let amounts = self.amount(sources, record, &columns.amount);
        let movement = self.movement(sources, record, columns);
        let (amount, debit, credit) = amounts?;
        let text =
            |indices: &Option<Vec<usize>>, column: &Option<ColumnRef>| match (indices, column) {
                (Some(indices), Some(column)) => joined(record, indices, &column.joined),
                _ => String::new(),
            };
        let values = Values {
            date: date?,
            account: joined(record, &columns.account, &self.layout.account.joined),
            amount,
            debit,
            credit,
            journal: text(&columns.journal, &self.layout.journal),
            reference: text(&columns.reference, &self.layout.reference),
            description: text(&columns.description, &self.layout.description),
            movement: movement?,
            counterparty: text(&columns.counterparty, &self.layout.counterparty),
        };
        (self.errors.len() == errors_before).then_some(values)
    }

    fn date(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        indices: &[usize],
    ) -> Option<chrono::NaiveDate> {
        let value = joined(record, indices, &self.layout.date.joined);
        let error = match self.dialect.date.read_detailed(&value) {
            Ok(date) => return Some(date),
            Err(error) => error,
        };
        let format = self.dialect.date.pattern();
        let message = match error {
            DateError::Empty => "the date is empty".to_string(),
            DateError::Format => format!("date `{value}` is not in the format `{format}`"),
            DateError::NotCalendar => format!("date `{value}` is not a calendar date"),
        };
        let at = self.cells_span(sources, &cells(record, indices));
        let label = self.column_label(indices);
        let help = format!(
            "expected a date like {} (format `{format}`)",
            self.dialect.date.example()
        );
        self.errors.push(
            Diagnostic::error(Code::BadDate, message)
                .at(at, label)
                .help(help),
        );
        None
    }

    /// Signed amount, debit and credit (both non-negative).
    fn amount(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &AmountColumns,
    ) -> Option<(Amount, Amount, Amount)> {
        let layout = self.layout;
        match (columns, &layout.amounts) {
            (AmountColumns::Signed(indices), Amounts::Signed(column)) => {
                let value = joined(record, indices, &column.joined);
                let amount = self.cell_amount(sources, record, indices, &value, "amount")?;
                if amount.is_negative() {
                    Some((amount, Amount::ZERO, amount.abs()))
                } else {
                    Some((amount, amount, Amount::ZERO))
                }
            }
            (
                AmountColumns::DebitCredit { debit, credit },
                Amounts::DebitCredit {
                    debit: debit_column,
                    credit: credit_column,
                },
            ) => {
                let debit_value = joined(record, debit, &debit_column.joined);
                let credit_value = joined(record, credit, &credit_column.joined);
                let debit_amount = self.side(sources, record, debit, &debit_value, "debit");
                let credit_amount = self.side(sources, record, credit, &credit_value, "credit");
                let (debit_amount, credit_amount) = (debit_amount?, credit_amount?);
                let both_empty = debit_amount.is_none() && credit_amount.is_none();
                let both_set = debit_amount.is_some_and(|a| !a.is_zero())
                    && credit_amount.is_some_and(|a| !a.is_zero());
                if both_empty || both_set {
                    let debit_span = self.cells_span(sources, &cells(record, debit));
                    let credit_span = self.cells_span(sources, &cells(record, credit));
                    let (debit_label, credit_label) = if both_empty {
                        ("empty debit", "empty credit")
                    } else {
                        ("debit", "and credit")
                    };
                    self.errors.push(
                        Diagnostic::error(
                            Code::BadAmount,
                            if both_empty {
                                "a line must have a debit or a credit"
                            } else {
                                "a line has a debit or a credit, not both"
                            },
                        )
                        .at(
                            debit_span,
                            format!("{debit_label} {}", self.column_label(debit)),
                        )
                        .also(
                            credit_span,
                            format!("{credit_label} {}", self.column_label(credit)),
                        )
                        .help(if both_empty {
                            "write the amount in one of the two columns"
                        } else {
                            "split the line in two, or write the net amount on one side"
                        }),
                    );
                    return None;
                }
                let debit_amount = debit_amount.unwrap_or_default();
                let credit_amount = credit_amount.unwrap_or_default();
                let Some(amount) = debit_amount.checked_sub(credit_amount) else {
                    let at = self.cells_span(sources, &cells(record, debit));
                    self.errors.push(
                        Diagnostic::error(
                            Code::Overflow,
                            "debit minus credit exceeds 28 significant digits",
                        )
                        .at(at, self.column_label(debit)),
                    );
                    return None;
                };
                Some((amount, debit_amount, credit_amount))
            }
            _ => None,
        }
    }

    /// A debit or credit cell: `Some(None)` when empty, `None` after an error.
    fn side(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        indices: &[usize],
        value: &str,
        role: &str,
    ) -> Option<Option<Amount>> {
        if value.trim_matches(is_cell_space).is_empty() {
            return Some(None);
        }
        let amount = self.cell_amount(sources, record, indices, value, role)?;
        if amount.is_negative() {
            let at = self.cells_span(sources, &cells(record, indices));
            let label = self.column_label(indices);
            self.errors.push(
                Diagnostic::error(Code::BadAmount, format!("{role} `{value}` is negative"))
                    .at(at, label)
                    .help("write a negative debit as a credit, and a negative credit as a debit"),
            );
            return None;
        }
        Some(Some(amount))
    }

    fn cell_amount(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        indices: &[usize],
        value: &str,
        role: &str,
    ) -> Option<Amount> {
        let error = match parse_amount(value, self.dialect) {
            Ok(amount) => return Some(amount),
            Err(error) => error,
        };
        let shown = value.trim_matches(is_cell_space);
        let message = if shown.is_empty() {
            format!("the {role} is empty")
        } else {
            format!("{role} `{shown}` {}", error.reason())
        };
        let at = self.cells_span(sources, &cells(record, indices));
        let label = self.column_label(indices);
        let mut diagnostic = Diagnostic::error(Code::BadAmount, message)
            .at(at, label)
            .help(amount_help(self.dialect));
        if let Some(hint) = amount_hint(value, self.dialect) {
            diagnostic = diagnostic.note(hint);
        }
        self.errors.push(diagnostic);
        None
    }

    /// `Some(movement)`, or `None` after an error.
    fn movement(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &Columns,
    ) -> Option<Option<Movement>> {
        let Some(rule) = &self.layout.movements else {
            return Some(None);
        };
        let (indices, column) = match rule.from {
            MovementFrom::Journal => (&columns.journal, &self.layout.journal),
            MovementFrom::MovementColumn => (&columns.movement, &self.layout.movement),
        };
        let (Some(indices), Some(column)) = (indices, column) else {
            return Some(None);
        };
        let value = joined(record, indices, &column.joined);
        let found = rule
            .cases
            .iter()
            .find(|(case, _)| *case == value)
            .map(|(_, movement)| *movement);
        if found.is_some() || rule.from == MovementFrom::Journal || value.is_empty() {
            return Some(found);
        }
        let listed: Vec<String> = rule
            .cases
            .iter()
            .map(|(case, _)| format!("`{case}`"))
            .collect();
        let at = self.cells_span(sources, &cells(record, indices));
        let label = self.column_label(indices);
        self.errors.push(
            Diagnostic::error(
                Code::UnknownMovement,
                format!("movement `{value}` is not listed in the format"),
            )
            .at(at, label)
            .help(format!(
                "listed values: {}; leave the cell empty for a posting without a movement type",
                listed.join(", ")
            )),
        );
        None
    }

    pub(super) fn add_to_totals(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &Columns,
        values: &Values,
    ) {
        if self.totals_overflowed {
            return;
        }
        let debit_total = self.summary.debit_total.checked_add(values.debit);
        let credit_total = self.summary.credit_total.checked_add(values.credit);
        match (debit_total, credit_total) {
            (Some(debit), Some(credit)) => {
                self.summary.debit_total = debit;
                self.summary.credit_total = credit;
            }
            (debit, _) => {
                self.totals_overflowed = true;
                let side = if debit.is_none() { "debits" } else { "credits" };
                let indices = amount_cells(columns, values);
                let at = self.cells_span(sources, &cells(record, indices));
                let label = self.column_label(indices);
                self.errors.push(
                    Diagnostic::error(
                        Code::Overflow,
                        format!("the total of {side} exceeds 28 significant digits"),
                    )
                    .at(at, label)
                    .note("the file's control totals cannot be computed"),
                );
            }
        }
    }

    /// Puts a sink diagnostic on the record's cells (see [`Posting::span`]).
    pub(super) fn relocate(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &Columns,
        values: &Values,
        mut diagnostic: Diagnostic,
    ) -> Diagnostic {
        let mut labels = std::mem::take(&mut diagnostic.labels);
        for label in &mut labels {
            if label.span.file != PLACEHOLDER {
                continue;
            }
            let indices = role_cells(columns, values, label.span.start);
            label.span = self.cells_span(sources, &cells(record, indices));
            if label.text.is_empty() {
                label.text = self.column_label(indices);
            }
        }
        if !labels.iter().any(|label| label.primary) {
            let at = self.cells_span(sources, &cells(record, &columns.account));
            labels.insert(
                0,
                Label {
                    span: at,
                    text: self.column_label(&columns.account),
                    primary: true,
                },
            );
        }
        diagnostic.labels = labels;
        diagnostic
    }
}

/// The cells of a role, joined (each trimmed) when the role joins several columns.
fn joined(record: &RawRecord, indices: &[usize], separator: &str) -> String {
    let parts: Vec<&str> = indices
        .iter()
        .filter_map(|index| record.cells.get(*index))
        .map(|cell| cell.value.trim_matches(is_cell_space))
        .collect();
    parts.join(separator)
}

fn cells<'r>(record: &'r RawRecord, indices: &[usize]) -> Vec<&'r Cell> {
    indices
        .iter()
        .filter_map(|index| record.cells.get(*index))
        .collect()
}

/// The amount columns that hold a posting's value.
fn amount_cells<'c>(columns: &'c Columns, values: &Values) -> &'c [usize] {
    match &columns.amount {
        AmountColumns::Signed(indices) => indices,
        AmountColumns::DebitCredit { debit, credit } => {
            if values.debit.is_zero() && !values.credit.is_zero() {
                credit
            } else {
                debit
            }
        }
    }
}

/// The columns of a placeholder role (see [`Posting::span`]).
fn role_cells<'c>(columns: &'c Columns, values: &Values, role: u32) -> &'c [usize] {
    let optional = |indices: &'c Option<Vec<usize>>| indices.as_deref().unwrap_or(&columns.account);
    match role {
        r if r == Role::Date as u32 => &columns.date,
        r if r == Role::Amount as u32 => amount_cells(columns, values),
        r if r == Role::Journal as u32 => optional(&columns.journal),
        r if r == Role::Reference as u32 => optional(&columns.reference),
        r if r == Role::Description as u32 => optional(&columns.description),
        r if r == Role::Movement as u32 => optional(&columns.movement),
        r if r == Role::Counterparty as u32 => optional(&columns.counterparty),
        _ => &columns.account,
    }
}
