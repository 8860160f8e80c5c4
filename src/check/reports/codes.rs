//! Sets of chart codes (codes, ranges and kinds, with exceptions), and
//! chart coverage: every code of the chart must be reached by some line.

use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Chart, CodeId};
use crate::syntax::ast;
use std::collections::BTreeSet;

/// A code set with its exceptions, as chart code ids.
pub(in crate::check) fn resolve_codeset(
    checker: &mut Checker,
    chart: &Chart,
    (codes, except): &(Vec<ast::CodeItem>, Vec<ast::CodeItem>),
) -> Option<BTreeSet<CodeId>> {
    codes_except(checker, chart, codes, except)
}

/// The codes `codes` names, less those `except` names.
pub(super) fn codes_except(
    checker: &mut Checker,
    chart: &Chart,
    codes: &[ast::CodeItem],
    except: &[ast::CodeItem],
) -> Option<BTreeSet<CodeId>> {
    let codes = code_set(checker, chart, codes)?;
    let except = code_set(checker, chart, except)?;
    Some(codes.difference(&except).copied().collect())
}

fn code_set(
    checker: &mut Checker,
    chart: &Chart,
    items: &[ast::CodeItem],
) -> Option<BTreeSet<CodeId>> {
    let mut codes = BTreeSet::new();
    let mut ok = true;
    for item in items {
        match item {
            ast::CodeItem::Code(code) => match chart_code(checker, chart, code) {
                Some(index) => {
                    codes.insert(index);
                }
                None => ok = false,
            },
            ast::CodeItem::Range(low, high) => match range(checker, chart, low, high) {
                Some(range) => codes.extend(range),
                None => ok = false,
            },
            ast::CodeItem::Kind(kind) => {
                codes.extend(
                    chart
                        .accounts
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| a.kind == kind.value)
                        .map(|(i, _)| i),
                );
            }
        }
    }
    ok.then_some(codes)
}

/// `low..high`: the chart codes between two codes of the chart, in chart
/// order.
fn range(
    checker: &mut Checker,
    chart: &Chart,
    low: &ast::Name,
    high: &ast::Name,
) -> Option<std::ops::RangeInclusive<CodeId>> {
    let (Some(low_index), Some(high_index)) = (
        chart_code(checker, chart, low),
        chart_code(checker, chart, high),
    ) else {
        return None;
    };
    if low_index > high_index {
        checker.reversed_range(low, high, "the first code comes after the second");
        return None;
    }
    Some(low_index..=high_index)
}

pub(in crate::check) fn chart_code(
    checker: &mut Checker,
    chart: &Chart,
    code: &ast::Name,
) -> Option<CodeId> {
    if let Some(index) = chart.by_code.get(&code.text) {
        return Some(*index);
    }
    let codes: Vec<String> = chart.by_code.keys().cloned().collect();
    let before = checker.errors.len();
    checker.lookup(code, "chart code", codes.iter());
    if let Some(diagnostic) = checker.errors.get_mut(before) {
        diagnostic.message = format!("`{}` is not a code of chart `{}`", code.text, chart.name);
    }
    None
}

/// Every chart code no line reaches is an error: amounts mapped to it would
/// vanish from every statement.
pub(super) fn report_unreached(checker: &mut Checker, chart: &Chart, reached: &BTreeSet<CodeId>) {
    // Coverage is judged only on a report set that checked cleanly: a
    // rejected formula would otherwise make its codes look unreached.
    if !checker.errors.is_empty() {
        return;
    }
    for (code, account) in chart.accounts.iter().enumerate() {
        if !reached.contains(&code) {
            checker.error(
                Diagnostic::error(
                    Code::UnreachedCode,
                    format!("chart code `{}` is reached by no report line", account.code),
                )
                .at(account.span, "never reported")
                .help("add it to a statement line (amounts mapped to it would otherwise vanish), or remove it from the chart"),
            );
        }
    }
}
