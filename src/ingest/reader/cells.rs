//! The cells of a well-formed record: date, amounts, movement, totals.

use super::{RawRecord, Reader, Values};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::ingest::amount::{amount_help, amount_hint, is_cell_space};
use crate::ingest::date::DateError;
use crate::ingest::header::{AmountColumns, Columns, RoleColumns};
use crate::ingest::scan::Cell;
use crate::ingest::{Movement, MovementFrom, PLACEHOLDER, Role, parse_amount};
use crate::money::Amount;
use crate::source::{Sources, Span};

impl Reader<'_> {
    /// Reads every cell of a well-formed record; `None` after pushing errors.
    pub(super) fn values(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &Columns<'_>,
    ) -> Option<Values> {
        let errors_before = self.errors.len();
        let date = self.date(sources, record, &columns.date);
        let amounts = self.amount(sources, record, &columns.amount);
        let movement = self.movement(sources, record, columns);
        let (amount, debit, credit) = amounts?;
        let text = |role: &Option<RoleColumns<'_>>| {
            role.as_ref()
                .map_or_else(String::new, |role| joined(record, role))
        };
        let values = Values {
            date: date?,
            account: joined(record, &columns.account),
            amount,
            debit,
            credit,
            journal: text(&columns.journal),
            reference: text(&columns.reference),
            description: text(&columns.description),
            movement: movement?,
            counterparty: text(&columns.counterparty),
        };
        (self.errors.len() == errors_before).then_some(values)
    }

    /// The span of a role's cells and the label naming its columns.
    fn located(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        indices: &[usize],
    ) -> (Span, String) {
        let at = self.cells_span(sources, &cells(record, indices));
        (at, self.column_label(indices))
    }

    fn date(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        role: &RoleColumns<'_>,
    ) -> Option<chrono::NaiveDate> {
        let value = joined(record, role);
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
        let (at, label) = self.located(sources, record, &role.indices);
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
        columns: &AmountColumns<'_>,
    ) -> Option<(Amount, Amount, Amount)> {
        match columns {
            AmountColumns::Signed(role) => {
                let value = joined(record, role);
                let amount = self.cell_amount(sources, record, &role.indices, &value, "amount")?;
                if amount.is_negative() {
                    Some((amount, Amount::ZERO, amount.abs()))
                } else {
                    Some((amount, amount, Amount::ZERO))
                }
            }
            AmountColumns::DebitCredit { debit, credit } => {
                self.debit_credit(sources, record, debit, credit)
            }
        }
    }

    /// A debit and a credit cell, exactly one of them set.
    fn debit_credit(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        debit: &RoleColumns<'_>,
        credit: &RoleColumns<'_>,
    ) -> Option<(Amount, Amount, Amount)> {
        let debit_amount = self.side(sources, record, debit, "debit");
        let credit_amount = self.side(sources, record, credit, "credit");
        let (debit_amount, credit_amount) = (debit_amount?, credit_amount?);
        let both_empty = debit_amount.is_none() && credit_amount.is_none();
        let both_set = debit_amount.is_some_and(|a| !a.is_zero())
            && credit_amount.is_some_and(|a| !a.is_zero());
        if both_empty || both_set {
            let debit_at = self.located(sources, record, &debit.indices);
            let credit_at = self.located(sources, record, &credit.indices);
            self.errors
                .push(one_side_needed(debit_at, credit_at, both_empty));
            return None;
        }
        let debit_amount = debit_amount.unwrap_or_default();
        let credit_amount = credit_amount.unwrap_or_default();
        let Some(amount) = debit_amount.checked_sub(credit_amount) else {
            let (at, label) = self.located(sources, record, &debit.indices);
            self.errors.push(
                Diagnostic::error(
                    Code::Overflow,
                    "debit minus credit exceeds 28 significant digits",
                )
                .at(at, label),
            );
            return None;
        };
        Some((amount, debit_amount, credit_amount))
    }

    /// A debit or credit cell: `Some(None)` when empty, `None` after an error.
    fn side(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        role: &RoleColumns<'_>,
        name: &str,
    ) -> Option<Option<Amount>> {
        let value = joined(record, role);
        if value.trim_matches(is_cell_space).is_empty() {
            return Some(None);
        }
        let amount = self.cell_amount(sources, record, &role.indices, &value, name)?;
        if amount.is_negative() {
            let (at, label) = self.located(sources, record, &role.indices);
            self.errors.push(
                Diagnostic::error(Code::BadAmount, format!("{name} `{value}` is negative"))
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
        name: &str,
    ) -> Option<Amount> {
        let error = match parse_amount(value, self.dialect) {
            Ok(amount) => return Some(amount),
            Err(error) => error,
        };
        let shown = value.trim_matches(is_cell_space);
        let message = if shown.is_empty() {
            format!("the {name} is empty")
        } else {
            format!("{name} `{shown}` {}", error.reason())
        };
        let (at, label) = self.located(sources, record, indices);
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
        columns: &Columns<'_>,
    ) -> Option<Option<Movement>> {
        let Some(rule) = &self.layout.movements else {
            return Some(None);
        };
        let Some(role) = columns.movement_source(rule) else {
            return Some(None);
        };
        let value = joined(record, role);
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
        let (at, label) = self.located(sources, record, &role.indices);
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
        columns: &Columns<'_>,
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
                let (at, label) = self.located(sources, record, amount_cells(columns, values));
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
    ///
    /// [`Posting::span`]: crate::ingest::Posting::span
    pub(super) fn relocate(
        &mut self,
        sources: &mut Sources,
        record: &RawRecord,
        columns: &Columns<'_>,
        values: &Values,
        mut diagnostic: Diagnostic,
    ) -> Diagnostic {
        let mut labels = std::mem::take(&mut diagnostic.labels);
        for label in &mut labels {
            if label.span.file != PLACEHOLDER {
                continue;
            }
            let indices = role_cells(columns, values, label.span.start);
            let (at, columns_label) = self.located(sources, record, indices);
            label.span = at;
            if label.text.is_empty() {
                label.text = columns_label;
            }
        }
        if !labels.iter().any(|label| label.primary) {
            let (at, text) = self.located(sources, record, &columns.account.indices);
            labels.insert(
                0,
                Label {
                    span: at,
                    text,
                    primary: true,
                },
            );
        }
        diagnostic.labels = labels;
        diagnostic
    }
}

/// A line with neither a debit nor a credit, or with both: the debit and
/// the credit cells, each with the label of its columns.
fn one_side_needed(debit: (Span, String), credit: (Span, String), both_empty: bool) -> Diagnostic {
    let ((debit_span, debit_columns), (credit_span, credit_columns)) = (debit, credit);
    let (message, debit_label, credit_label, help) = if both_empty {
        (
            "a line must have a debit or a credit",
            "empty debit",
            "empty credit",
            "write the amount in one of the two columns",
        )
    } else {
        (
            "a line has a debit or a credit, not both",
            "debit",
            "and credit",
            "split the line in two, or write the net amount on one side",
        )
    };
    Diagnostic::error(Code::BadAmount, message)
        .at(debit_span, format!("{debit_label} {debit_columns}"))
        .also(credit_span, format!("{credit_label} {credit_columns}"))
        .help(help)
}

/// The cells of a role, joined (each trimmed) when the role joins several columns.
fn joined(record: &RawRecord, role: &RoleColumns<'_>) -> String {
    let parts: Vec<&str> = role
        .indices
        .iter()
        .filter_map(|index| record.cells.get(*index))
        .map(|cell| cell.value.trim_matches(is_cell_space))
        .collect();
    parts.join(role.joined)
}

fn cells<'r>(record: &'r RawRecord, indices: &[usize]) -> Vec<&'r Cell> {
    indices
        .iter()
        .filter_map(|index| record.cells.get(*index))
        .collect()
}

/// The amount columns that hold a posting's value.
fn amount_cells<'c>(columns: &'c Columns<'_>, values: &Values) -> &'c [usize] {
    match &columns.amount {
        AmountColumns::Signed(role) => &role.indices,
        AmountColumns::DebitCredit { debit, credit } => {
            if values.debit.is_zero() && !values.credit.is_zero() {
                &credit.indices
            } else {
                &debit.indices
            }
        }
    }
}

/// The columns of a placeholder role (see [`crate::ingest::Posting::span`]).
fn role_cells<'c>(columns: &'c Columns<'_>, values: &Values, role: u32) -> &'c [usize] {
    let optional = |role: &'c Option<RoleColumns<'_>>| {
        role.as_ref()
            .map_or(columns.account.indices.as_slice(), |role| {
                role.indices.as_slice()
            })
    };
    match role {
        r if r == Role::Date as u32 => &columns.date.indices,
        r if r == Role::Amount as u32 => amount_cells(columns, values),
        r if r == Role::Journal as u32 => optional(&columns.journal),
        r if r == Role::Reference as u32 => optional(&columns.reference),
        r if r == Role::Description as u32 => optional(&columns.description),
        r if r == Role::Movement as u32 => optional(&columns.movement),
        r if r == Role::Counterparty as u32 => optional(&columns.counterparty),
        _ => &columns.account.indices,
    }
}
