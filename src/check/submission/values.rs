//! The value each field of a submission is bound to (a literal, an entity,
//! period or submission field, a row field in `each`, or a figure in a
//! report column) and its number format.

use super::{Lowering, with_options};
use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::model::*;
use crate::syntax::ast;

const ENTITY_FIELDS: [&str; 3] = ["code", "name", "label"];
const PERIOD_FIELDS: [&str; 4] = ["year", "label", "start", "end"];
const LINE_FIELDS: [&str; 3] = ["id", "label", "kind"];
/// A help lists this many names at most.
const CANDIDATES_SHOWN: usize = 8;
const PREFIXES: [&str; 4] = ["entity", "period", "line", "submission"];

/// A value, and the report of an amount (for its rounding).
type Source = (ValueSource, Option<usize>);

impl Lowering<'_> {
    pub(super) fn binding_value(
        &mut self,
        binding: &ast::Binding,
        each: Option<usize>,
    ) -> Option<ValueDef> {
        let (source, report) = self.source(&binding.value, each)?;
        let format = self.field_format(binding, &source, report)?;
        Some(ValueDef {
            source,
            optional: binding.optional,
            format,
        })
    }

    /// The field's number format: its own options over the submission's. A
    /// rounded value keeps its report's rounding: fewer decimals than the
    /// report's unit would round it a second time.
    fn field_format(
        &mut self,
        binding: &ast::Binding,
        source: &ValueSource,
        report: Option<usize>,
    ) -> Option<NumberFmt> {
        let own = &binding.format;
        if !source.is_amount() {
            if let Some(span) = own.decimals.map(|d| d.span).or(own.mode.map(|m| m.span)) {
                self.checker.error(
                    Diagnostic::error(
                        Code::BadNumberFormat,
                        "a number format on a value that is not an amount",
                    )
                    .at(span, "applies to amounts only")
                    .help(
                        "remove it: only figures (`report.line.column`, `line.COLUMN`) are numbers",
                    ),
                );
                return None;
            }
            return Some(self.format);
        }
        let format = with_options(self.checker, self.format, own);
        let report = &self.reports[report?];
        let unit_decimals = report.rounding.unit.significant_scale();
        if format.mode == ValueMode::Rounded && format.decimals < unit_decimals {
            let span = own.decimals.map_or(binding.span, |d| d.span);
            self.checker.error(
                Diagnostic::error(
                    Code::BadNumberFormat,
                    format!(
                        "{} decimals would round a second time the values of `{}`, rounded to {}",
                        format.decimals, report.name, report.rounding.unit
                    ),
                )
                .at(span, "too few decimals for the report's rounding")
                .help(format!(
                    "write at least `decimals {unit_decimals}`, or `exact` for the exact values"
                )),
            );
            return None;
        }
        Some(format)
    }

    /// The value a binding names.
    fn source(&mut self, value: &ast::ValueRef, each: Option<usize>) -> Option<Source> {
        match value {
            ast::ValueRef::Literal(text) => Some((ValueSource::Literal(text.value.clone()), None)),
            ast::ValueRef::Field(prefix, field) => self.field_source(prefix, field, each),
            ast::ValueRef::Figure {
                report,
                line,
                column,
            } => self.figure_source(report, line, column),
        }
    }

    /// `report.line.column`.
    fn figure_source(
        &mut self,
        report: &ast::Name,
        line: &ast::Name,
        column: &ast::Name,
    ) -> Option<Source> {
        let names = self.reports.iter().map(|r| r.name.as_str());
        let report_index = lookup(self.checker, report, "report", names)?;
        let lines = crate::check::reports::report_lines(self.figures, report_index);
        let within = format!("report `{}`", report.text);
        let figure = lookup_in(self.checker, line, "line", &within, &lines)?;
        let column = self.column_index(report_index, column)?;
        let source = ValueSource::Figure {
            figure,
            report: report_index,
            column,
        };
        Some((source, Some(report_index)))
    }

    /// `entity.*`, `period.*`, `submission.version` or `line.*`.
    fn field_source(
        &mut self,
        prefix: &ast::Name,
        field: &ast::Name,
        each: Option<usize>,
    ) -> Option<Source> {
        let checker = &mut *self.checker;
        let source = match prefix.text.as_str() {
            "entity" => {
                let index = lookup(checker, field, "entity field", ENTITY_FIELDS.into_iter())?;
                [
                    ValueSource::EntityCode,
                    ValueSource::EntityName,
                    ValueSource::EntityLabel,
                ][index]
                    .clone()
            }
            "period" => {
                let index = lookup(checker, field, "period field", PERIOD_FIELDS.into_iter())?;
                [
                    ValueSource::PeriodYear,
                    ValueSource::PeriodLabel,
                    ValueSource::PeriodStart,
                    ValueSource::PeriodEnd,
                ][index]
                    .clone()
            }
            "submission" => {
                lookup(checker, field, "submission field", ["version"].into_iter())?;
                ValueSource::Version
            }
            "line" => {
                let Some(report) = each else {
                    self.line_outside_each(prefix, field);
                    return None;
                };
                return self.line_source(field, report);
            }
            _ => {
                self.unknown_source(prefix, field);
                return None;
            }
        };
        Some((source, None))
    }

    fn unknown_source(&mut self, prefix: &ast::Name, field: &ast::Name) {
        let diagnostic = Diagnostic::error(
            Code::UnknownName,
            format!("unknown value `{}.{}`", prefix.text, field.text),
        )
        .at(prefix.span, "not a source of values");
        let diagnostic = match closest(&prefix.text, PREFIXES.iter().copied()) {
            Some(close) => diagnostic.help(format!("did you mean `{close}.{}`?", field.text)),
            None if self.reports.iter().any(|r| r.name == prefix.text) => diagnostic.help(format!(
                "a figure names its column too: `{}.{}.courant`",
                prefix.text, field.text
            )),
            None => diagnostic.help(
                "values are `entity.*`, `period.*`, `submission.version`, `line.*` (in `each`) or `report.line.column`",
            ),
        };
        self.checker.error(diagnostic);
    }

    fn line_outside_each(&mut self, prefix: &ast::Name, field: &ast::Name) {
        self.checker.error(
            Diagnostic::error(
                Code::MisplacedValue,
                format!("`line.{}` outside `each`", field.text),
            )
            .at(prefix.span.to(field.span), "no line here")
            .help("`line.*` names a field of the row an `each line of REPORT` element repeats over; name a figure as `report.line.column`"),
        );
    }

    /// `line.id`, `line.label`, `line.kind` or `line.COLUMN`: a field of the
    /// row of `report` an enclosing `each` repeats over.
    fn line_source(&mut self, field: &ast::Name, report: usize) -> Option<Source> {
        let definition = &self.reports[report];
        // The row's fields, then its columns: an index past the fields is a column.
        let columns = definition.columns.iter().map(|c| c.name.as_str());
        let candidates = indexed(LINE_FIELDS.into_iter().chain(columns));
        let within = within_report(definition);
        let index = lookup_in(
            self.checker,
            field,
            "line field or column",
            &within,
            &candidates,
        )?;
        let source = match index {
            0 => ValueSource::LineId,
            1 => ValueSource::LineLabel,
            2 => ValueSource::LineKind,
            column => ValueSource::LineValue {
                column: column - LINE_FIELDS.len(),
            },
        };
        let report = source.is_amount().then_some(report);
        Some((source, report))
    }

    fn column_index(&mut self, report: usize, column: &ast::Name) -> Option<usize> {
        let definition = &self.reports[report];
        let candidates = indexed(definition.columns.iter().map(|c| c.name.as_str()));
        let within = within_report(definition);
        lookup_in(self.checker, column, "column", &within, &candidates)
    }
}

fn within_report(report: &ReportDef) -> String {
    format!("report `{}`", report.name)
}

/// Names with their positions, as [`lookup_in`] takes them.
fn indexed<'n>(names: impl Iterator<Item = &'n str>) -> Vec<(String, usize)> {
    names
        .enumerate()
        .map(|(index, name)| (name.to_string(), index))
        .collect()
}

/// The position of `name` among `candidates`, or an error.
pub(super) fn lookup<'n>(
    checker: &mut Checker,
    name: &ast::Name,
    what: &str,
    candidates: impl Iterator<Item = &'n str>,
) -> Option<usize> {
    lookup_in(checker, name, what, "", &indexed(candidates))
}

/// Finds `name` among named values, or reports it unknown with the closest
/// candidate. `within` names where it was looked for (`report `x``), if
/// anywhere in particular.
fn lookup_in(
    checker: &mut Checker,
    name: &ast::Name,
    what: &str,
    within: &str,
    candidates: &[(String, usize)],
) -> Option<usize> {
    if let Some((_, value)) = candidates.iter().find(|(c, _)| *c == name.text) {
        return Some(*value);
    }
    let message = match within {
        "" => format!("unknown {what} `{}`", name.text),
        within => format!("unknown {what} `{}` in {within}", name.text),
    };
    let mut diagnostic = Diagnostic::error(Code::UnknownName, message)
        .at(name.span, format!("no {what} of this name"));
    diagnostic = match closest(&name.text, candidates.iter().map(|(c, _)| c.as_str())) {
        Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
        None => {
            let mut names: Vec<String> = candidates
                .iter()
                .take(CANDIDATES_SHOWN)
                .map(|(c, _)| format!("`{c}`"))
                .collect();
            if candidates.len() > CANDIDATES_SHOWN {
                names.push("…".into());
            }
            diagnostic.help(format!("choose one of: {}", names.join(", ")))
        }
    };
    checker.error(diagnostic);
    None
}
