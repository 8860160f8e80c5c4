//! Checking export formats: dialect options and column roles.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest::{
    Amounts, ColumnRef, Dialect, DialectOption, Layout, Movement, MovementFrom, MovementRule,
    Refusal,
};
use crate::model::FormatDef;
use crate::syntax::ast::{self, ColumnRole, FormatOption, Item, MovementKind};
use std::collections::BTreeMap;

impl Checker {
    pub(super) fn formats(&mut self, items: &[&Item]) -> Vec<FormatDef> {
        let mut formats: Vec<FormatDef> = Vec::new();
        let mut spans = Vec::new();
        for item in items {
            let Item::Format(format) = item else {
                continue;
            };
            if let Some(index) = formats.iter().position(|f| f.name == format.name.text) {
                self.duplicate("format", &format.name, spans[index]);
                continue;
            }
            let dialect = self.dialect(format);
            let layout = self.layout(format);
            if dialect.is_none() || layout.is_none() {
                self.refused_formats.push(format.name.text.clone());
            }
            if let (Some(dialect), Some(layout)) = (dialect, layout) {
                spans.push(format.name.span);
                formats.push(FormatDef {
                    name: format.name.text.clone(),
                    label: format.label.value.clone(),
                    dialect,
                    layout,
                });
            }
        }
        formats
    }

    fn dialect(&mut self, format: &ast::Format) -> Option<Dialect> {
        let mut dialect = Dialect::default();
        let mut ok = true;
        for (option, text) in &format.options {
            let option = dialect_option(option.value);
            let value = text.value.as_str();
            let set = dialect.set(option, value);
            if set.is_err() || refused_at_the_value(option, value) {
                self.error(bad_option(option, text, set.err()));
                ok = false;
            }
        }
        if dialect.thousands == Some(dialect.decimal.char()) {
            let thousands = format
                .options
                .iter()
                .find(|(o, _)| o.value == FormatOption::Thousands);
            let span = thousands.map_or(format.name.span, |(_, text)| text.span);
            self.error(
                Diagnostic::error(Code::BadFormat, "the thousands separator is also the decimal mark")
                    .at(span, "same character as `decimal`")
                    .help("with a decimal comma, thousands are usually separated by a space: `thousands \" \"`"),
            );
            ok = false;
        }
        if ok && let Err(why) = dialect.validate() {
            self.error(
                Diagnostic::error(Code::BadFormat, why).at(format.name.span, "in this format"),
            );
            ok = false;
        }
        ok.then_some(dialect)
    }

    fn layout(&mut self, format: &ast::Format) -> Option<Layout> {
        let mut roles: BTreeMap<ColumnRole, ColumnRef> = BTreeMap::new();
        for column in &format.columns {
            let reference = ColumnRef {
                headers: column.headers.iter().map(|h| h.value.clone()).collect(),
                joined: column
                    .joined
                    .as_ref()
                    .map(|j| j.value.clone())
                    .unwrap_or_default(),
                span: column
                    .role
                    .span
                    .to(column.headers.last().map_or(column.role.span, |h| h.span)),
            };
            if roles.insert(column.role.value, reference).is_some() {
                self.error(
                    Diagnostic::error(Code::DuplicateName, "this column role is declared twice")
                        .at(column.role.span, "again here"),
                );
            }
        }
        let missing = |role: &str, help: &str| {
            Diagnostic::error(
                Code::MissingColumnRole,
                format!("format `{}` names no `{role}` column", format.name.text),
            )
            .at(format.name.span, "in this format")
            .help(help.to_string())
        };
        let date = roles.remove(&ColumnRole::Date);
        let account = roles.remove(&ColumnRole::Account);
        if date.is_none() {
            self.error(missing("date", "add `date \"Header\"` to its columns"));
        }
        if account.is_none() {
            self.error(missing(
                "account",
                "add `account \"Header\"` to its columns",
            ));
        }
        let amount = roles.remove(&ColumnRole::Amount);
        let debit = roles.remove(&ColumnRole::Debit);
        let credit = roles.remove(&ColumnRole::Credit);
        let amounts = match (amount, debit, credit) {
            (Some(amount), None, None) => Some(Amounts::Signed(amount)),
            (None, Some(debit), Some(credit)) => Some(Amounts::DebitCredit { debit, credit }),
            _ => {
                self.error(missing(
                    "amount",
                    "name either one signed `amount` column, or both `debit` and `credit` columns",
                ));
                None
            }
        };
        let movements = self.movement_rule(format, &roles);
        Some(Layout {
            journal: roles.remove(&ColumnRole::Journal),
            reference: roles.remove(&ColumnRole::Reference),
            description: roles.remove(&ColumnRole::Description),
            movement: roles.remove(&ColumnRole::Movement),
            counterparty: roles.remove(&ColumnRole::Counterparty),
            movements: movements?,
            ..Layout::new(date?, account?, amounts?)
        })
    }

    /// `Some(None)` when the format declares no movements; `None` on error.
    fn movement_rule(
        &mut self,
        format: &ast::Format,
        roles: &BTreeMap<ColumnRole, ColumnRef>,
    ) -> Option<Option<MovementRule>> {
        let [movements] = format.movements.as_slice() else {
            if let [_, second, ..] = format.movements.as_slice() {
                self.error(
                    Diagnostic::error(Code::DuplicateName, "a format has one `movements` block")
                        .at(second.span, "second block"),
                );
                return None;
            }
            return Some(None);
        };
        let from = match movements.from.value {
            ColumnRole::Journal => MovementFrom::Journal,
            ColumnRole::Movement => MovementFrom::MovementColumn,
            _ => {
                self.error(
                    Diagnostic::error(
                        Code::BadFormat,
                        "movement types come from the `journal` or the `movement` column",
                    )
                    .at(movements.from.span, "not one of those"),
                );
                return None;
            }
        };
        if !roles.contains_key(&movements.from.value) {
            self.error(
                Diagnostic::error(
                    Code::MissingColumnRole,
                    "movements are read from a column the format does not name",
                )
                .at(movements.from.span, "no such column in `columns`"),
            );
            return None;
        }
        let mut cases: Vec<(String, Movement)> = Vec::new();
        for (text, kind) in &movements.cases {
            if cases.iter().any(|(seen, _)| *seen == text.value) {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!("movement value `{}` is listed twice", text.value),
                    )
                    .at(text.span, "again here"),
                );
                continue;
            }
            cases.push((text.value.clone(), movement_of(kind.value)));
        }
        Some(Some(MovementRule { from, cases }))
    }
}

pub(super) fn movement_of(kind: MovementKind) -> Movement {
    match kind {
        MovementKind::Acquisition => Movement::Acquisition,
        MovementKind::Disposal => Movement::Disposal,
        MovementKind::Transfer => Movement::Transfer,
        MovementKind::Borrowing => Movement::Borrowing,
        MovementKind::Repayment => Movement::Repayment,
    }
}

fn dialect_option(option: FormatOption) -> DialectOption {
    match option {
        FormatOption::Delimiter => DialectOption::Delimiter,
        FormatOption::Quote => DialectOption::Quote,
        FormatOption::Decimal => DialectOption::Decimal,
        FormatOption::Thousands => DialectOption::Thousands,
        FormatOption::Encoding => DialectOption::Encoding,
        FormatOption::Date => DialectOption::Date,
    }
}

/// Values the dialect would only refuse once every option is set, at the
/// format: a format refuses them at the value itself, where the fix is.
fn refused_at_the_value(option: DialectOption, value: &str) -> bool {
    match option {
        DialectOption::Delimiter => matches!(value, "\"" | "\n" | "\r"),
        DialectOption::Quote => matches!(value, "\n" | "\r"),
        DialectOption::Thousands => value.starts_with(|c: char| c.is_ascii_digit() || c == '-'),
        _ => false,
    }
}

/// `invalid `delimiter` option: …`, at the value.
fn bad_option(option: DialectOption, value: &ast::Str, refusal: Option<Refusal>) -> Diagnostic {
    let (why, help) = match (option, refusal) {
        (DialectOption::Delimiter, _) => (
            "a delimiter is one character".to_string(),
            "write `delimiter \";\"` or `delimiter \",\"`",
        ),
        (DialectOption::Quote, _) => (
            "a quote is one character".to_string(),
            "write `quote \"\\\"\"`",
        ),
        (DialectOption::Decimal, _) => (
            "the decimal mark is `.` or `,`".to_string(),
            "write `decimal \",\"` for a decimal comma",
        ),
        (DialectOption::Thousands, _) => (
            "the thousands separator is one character that is not a digit".to_string(),
            "write `thousands \" \"` for a space",
        ),
        (DialectOption::Encoding, _) => (
            "unknown encoding".to_string(),
            "the encodings are \"utf-8\" and \"windows-1252\" (Excel's ANSI on French Windows)",
        ),
        (DialectOption::Date, refusal) => (
            match refusal {
                Some(Refusal::DatePattern(why)) => why,
                _ => String::new(),
            },
            "use %Y, %m and %d, e.g. \"%d/%m/%Y\"",
        ),
    };
    Diagnostic::error(
        Code::BadFormat,
        format!("invalid `{}` option: {why}", option.name()),
    )
    .at(value.span, "this value")
    .help(help.to_string())
}
