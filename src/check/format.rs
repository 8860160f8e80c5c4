//! Checking export formats: dialect options and column roles.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest::{
    Amounts, ColumnRef, DateFormat, DecimalMark, Dialect, Encoding, Layout, Movement, MovementFrom,
    MovementRule,
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
        let mut dialect = Dialect {
            delimiter: b',',
            quote: b'"',
            decimal: DecimalMark::Point,
            thousands: None,
            encoding: Encoding::Utf8,
            date: DateFormat::parse("%Y-%m-%d").ok()?,
        };
        let mut ok = true;
        for (option, text) in &format.options {
            let value = text.value.as_str();
            let bad = |why: &str, help: &str| {
                Diagnostic::error(
                    Code::BadFormat,
                    format!("invalid `{}` option: {why}", option_name(option.value)),
                )
                .at(text.span, "this value")
                .help(help.to_string())
            };
            let single = single_ascii(value);
            match option.value {
                FormatOption::Delimiter => match single {
                    Some(byte) if !matches!(byte, b'"' | b'\n' | b'\r') => dialect.delimiter = byte,
                    _ => {
                        self.error(bad(
                            "a delimiter is one character",
                            "write `delimiter \";\"` or `delimiter \",\"`",
                        ));
                        ok = false;
                    }
                },
                FormatOption::Quote => match single {
                    Some(byte) if !matches!(byte, b'\n' | b'\r') => dialect.quote = byte,
                    _ => {
                        self.error(bad("a quote is one character", "write `quote \"\\\"\"`"));
                        ok = false;
                    }
                },
                FormatOption::Decimal => match value {
                    "." => dialect.decimal = DecimalMark::Point,
                    "," => dialect.decimal = DecimalMark::Comma,
                    _ => {
                        self.error(bad(
                            "the decimal mark is `.` or `,`",
                            "write `decimal \",\"` for a decimal comma",
                        ));
                        ok = false;
                    }
                },
                FormatOption::Thousands => {
                    let mut chars = value.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) if !c.is_ascii_digit() && c != '-' => {
                            dialect.thousands = Some(c)
                        }
                        _ => {
                            self.error(bad(
                                "the thousands separator is one character that is not a digit",
                                "write `thousands \" \"` for a space",
                            ));
                            ok = false;
                        }
                    }
                }
                FormatOption::Encoding => match value.to_ascii_lowercase().as_str() {
                    "utf-8" | "utf8" => dialect.encoding = Encoding::Utf8,
                    "windows-1252" | "cp1252" => dialect.encoding = Encoding::Windows1252,
                    _ => {
                        self.error(bad(
                            "unknown encoding",
                            "the encodings are \"utf-8\" and \"windows-1252\" (Excel's ANSI on French Windows)",
                        ));
                        ok = false;
                    }
                },
                FormatOption::Date => match DateFormat::parse(value) {
                    Ok(date) => dialect.date = date,
                    Err(why) => {
                        self.error(bad(&why, "use %Y, %m and %d, e.g. \"%d/%m/%Y\""));
                        ok = false;
                    }
                },
            }
        }
        let decimal_char = match dialect.decimal {
            DecimalMark::Point => '.',
            DecimalMark::Comma => ',',
        };
        if dialect.thousands == Some(decimal_char) {
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
            date: date?,
            account: account?,
            amounts: amounts?,
            journal: roles.remove(&ColumnRole::Journal),
            reference: roles.remove(&ColumnRole::Reference),
            description: roles.remove(&ColumnRole::Description),
            movement: roles.remove(&ColumnRole::Movement),
            counterparty: roles.remove(&ColumnRole::Counterparty),
            movements: movements?,
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

fn single_ascii(value: &str) -> Option<u8> {
    match value.as_bytes() {
        [byte] if byte.is_ascii() => Some(*byte),
        _ => None,
    }
}

fn option_name(option: FormatOption) -> &'static str {
    match option {
        FormatOption::Delimiter => "delimiter",
        FormatOption::Quote => "quote",
        FormatOption::Decimal => "decimal",
        FormatOption::Thousands => "thousands",
        FormatOption::Encoding => "encoding",
        FormatOption::Date => "date",
    }
}
