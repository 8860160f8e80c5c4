//! Kinds and signs: the measure each code of an aggregate is taken by and
//! the sign it is shown in. A measure that needs balances refuses revenue
//! and expense codes, `sum` refuses a set mixing flows and balances, and a
//! set mixing debit and credit accounts must say its sign.

use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AggregateTerm, Balance, Chart, ChartAccount, CodeId, Measure};
use crate::source::Span;
use crate::syntax::ast;
use std::collections::BTreeSet;

/// A code set shows at most this many codes in a note.
const CODES_SHOWN: usize = 6;

/// Resolves the measure and the sign of every code, rejecting kind and sign mismatches.
pub(super) fn terms(
    checker: &mut Checker,
    chart: &Chart,
    aggregate: &ast::Aggregate,
    codes: &BTreeSet<CodeId>,
    span: Span,
) -> Option<Vec<AggregateTerm>> {
    let accounts: Vec<(CodeId, &ChartAccount)> =
        codes.iter().map(|c| (*c, &chart.accounts[*c])).collect();
    check_kinds(checker, aggregate.measure, &accounts, span)?;
    let negate_all = match aggregate.sign {
        Some(sign) => Some(sign.value == Balance::Credit),
        None => {
            check_one_balance(checker, &accounts, span)?;
            None
        }
    };
    let measure = aggregate.measure.value;
    Some(
        accounts
            .iter()
            .map(|(code, account)| AggregateTerm {
                code: *code,
                measure: match measure {
                    Measure::Sum if account.kind.is_flow() => Measure::Flow,
                    Measure::Sum => Measure::Balance,
                    other => other,
                },
                negate: negate_all.unwrap_or(account.balance == Balance::Credit),
            })
            .collect(),
    )
}

/// Revenues and expenses have no balance, and `sum` must not mix them with
/// balance-sheet codes: it would not say which measure it takes.
fn check_kinds(
    checker: &mut Checker,
    measure: ast::Spanned<Measure>,
    accounts: &[(CodeId, &ChartAccount)],
    span: Span,
) -> Option<()> {
    let flows = codes_where(accounts, |a| a.kind.is_flow());
    let stocks = codes_where(accounts, |a| !a.kind.is_flow());
    match measure.value {
        Measure::Opening | Measure::Balance | Measure::Change if !flows.is_empty() => {
            checker.error(
                Diagnostic::error(
                    Code::MeasureOnFlowKind,
                    format!(
                        "revenue and expense codes have no balance: {}",
                        sample(&flows)
                    ),
                )
                .at(measure.span, "this measure needs balance-sheet codes")
                .help("use `flow(...)` or `sum(...)` for revenues and expenses"),
            );
            None
        }
        Measure::Sum if !flows.is_empty() && !stocks.is_empty() => {
            checker.error(
                Diagnostic::error(Code::MixedKinds, "`sum` mixes flow and balance-sheet codes")
                    .at(span, "ambiguous measure")
                    .note(format!("flows: {}", sample(&flows)))
                    .note(format!("balances: {}", sample(&stocks)))
                    .help("split the set, or name the measure: `flow(...)` or `balance(...)`"),
            );
            None
        }
        _ => Some(()),
    }
}

/// Without `as debit` or `as credit`, each code counts in its own normal
/// balance: a set mixing both would add contra accounts instead of
/// subtracting them.
fn check_one_balance(
    checker: &mut Checker,
    accounts: &[(CodeId, &ChartAccount)],
    span: Span,
) -> Option<()> {
    let debits = codes_where(accounts, |a| a.balance == Balance::Debit);
    let credits = codes_where(accounts, |a| a.balance == Balance::Credit);
    if !debits.is_empty() && !credits.is_empty() {
        checker.error(
            Diagnostic::error(Code::MixedNormalBalance, "this set mixes debit and credit accounts")
                .at(span, "each code would count in its own sign")
                .note(format!("debit accounts: {}", sample(&debits)))
                .note(format!("credit accounts: {}", sample(&credits)))
                .help("subtract the contra accounts in a separate term, or take the set in one sign with `as debit`"),
        );
        return None;
    }
    Some(())
}

/// The codes of the accounts that pass `test`.
fn codes_where<'c>(
    accounts: &[(CodeId, &'c ChartAccount)],
    test: impl Fn(&ChartAccount) -> bool,
) -> Vec<&'c str> {
    accounts
        .iter()
        .filter(|(_, account)| test(account))
        .map(|(_, account)| account.code.as_str())
        .collect()
}

/// The first codes of a set, and how many more there are.
fn sample(codes: &[&str]) -> String {
    let shown: Vec<String> = codes
        .iter()
        .take(CODES_SHOWN)
        .map(|c| format!("`{c}`"))
        .collect();
    let more = codes.len().saturating_sub(CODES_SHOWN);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
