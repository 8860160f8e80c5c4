//! A report check whose two sides are equal by construction can never
//! fail, whatever the books hold: `check` and `build` warn about it. Each
//! side is expanded, through the lines and sections it names, into a sum of
//! amounts read from the books (a code under a measure and filters) with
//! their coefficients, plus a constant; two sides with the same sum are one
//! figure written twice. Products and quotients of two figures are not
//! expanded: a check using them is never called a tautology.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AggregateDef, BinaryOp, Expr, Figure, FigureId, ReportDef};
use crate::money::Amount;
use std::collections::{BTreeMap, HashMap};

/// A sum of amounts read from the books, by what is read: the constant
/// under the empty key.
type Linear = BTreeMap<String, Amount>;

/// The checks of the reports that compare two equal sums. `order` lists
/// the figures operands first: each is expanded once, from its operands',
/// without recursion (a chain of lines may be long).
pub(super) fn warnings(
    reports: &[ReportDef],
    figures: &[Figure],
    aggregates: &[AggregateDef],
    order: &[FigureId],
) -> Vec<Diagnostic> {
    let mut expander = Expander {
        aggregates,
        expanded: HashMap::new(),
    };
    for id in order {
        let linear = figures
            .get(*id)
            .and_then(|figure| expander.expr(&figure.expr));
        expander.expanded.insert(*id, linear);
    }
    let mut warnings = Vec::new();
    for report in reports {
        for check in &report.checks {
            let left = expander.figure(check.left);
            let right = expander.figure(check.right);
            if left.is_some() && left == right {
                warnings.push(
                    Diagnostic::warning(
                        Code::CheckFailed,
                        format!(
                            "check `{}.{}` can never fail: both sides add up the same amounts by construction",
                            report.name, check.name
                        ),
                    )
                    .at(check.span, "this check")
                    .help("compare two figures computed in different ways (a balance with an opening plus the flows, a total with the codes of its kind), or remove the check"),
                );
            }
        }
    }
    warnings
}

struct Expander<'p> {
    aggregates: &'p [AggregateDef],
    /// Each figure expanded so far; `None` when it holds a product or a
    /// quotient of two figures, or a number too large to scale.
    expanded: HashMap<FigureId, Option<Linear>>,
}

impl Expander<'_> {
    fn figure(&self, id: FigureId) -> Option<Linear> {
        self.expanded.get(&id).cloned().flatten()
    }

    fn expr(&self, expr: &Expr) -> Option<Linear> {
        match expr {
            Expr::Number(value) => Some(constant(*value)),
            Expr::Figure(id, _) => self.figure(*id),
            Expr::Aggregate(index) => self.aggregate(*index),
            Expr::Neg(inner) => scaled(self.expr(inner)?, minus_one()),
            Expr::Sum(ids) => ids.iter().try_fold(Linear::new(), |sum, id| {
                added(sum, self.figure(*id)?, Amount::from_scaled(1, 0)?)
            }),
            Expr::Binary(left, op, right, _) => {
                let (left, right) = (self.expr(left)?, self.expr(right)?);
                match op {
                    BinaryOp::Add => added(left, right, Amount::from_scaled(1, 0)?),
                    BinaryOp::Sub => added(left, right, minus_one()),
                    BinaryOp::Mul => match (as_constant(&left), as_constant(&right)) {
                        (Some(factor), _) => scaled(right, factor),
                        (_, Some(factor)) => scaled(left, factor),
                        _ => None,
                    },
                    BinaryOp::Div => {
                        let divisor = as_constant(&right).filter(|d| !d.is_zero())?;
                        scaled(left, Amount::from_scaled(1, 0)?.checked_div(divisor)?)
                    }
                }
            }
        }
    }

    /// An aggregate: each code read under its measure and filters, with its
    /// sign.
    fn aggregate(&self, index: usize) -> Option<Linear> {
        let aggregate = self.aggregates.get(index)?;
        let filters = format!("{:?}", aggregate.filters);
        let mut linear = Linear::new();
        for term in &aggregate.terms {
            let key = format!("{:?} {:?} {filters}", term.code, term.measure);
            let sign = match term.negate {
                true => minus_one(),
                false => Amount::from_scaled(1, 0)?,
            };
            linear = added(
                linear,
                BTreeMap::from([(key, sign)]),
                Amount::from_scaled(1, 0)?,
            )?;
        }
        Some(linear)
    }
}

fn minus_one() -> Amount {
    Amount::from_scaled(-1, 0).unwrap_or_default()
}

fn constant(value: Amount) -> Linear {
    BTreeMap::from([(String::new(), value)])
}

/// The constant a sum is, if it reads nothing from the books.
fn as_constant(linear: &Linear) -> Option<Amount> {
    match linear.iter().all(|(key, _)| key.is_empty()) {
        true => Some(linear.get("").copied().unwrap_or_default()),
        false => None,
    }
}

/// `sum + factor × other`, zero terms dropped.
fn added(mut sum: Linear, other: Linear, factor: Amount) -> Option<Linear> {
    for (key, value) in other {
        let entry = sum.entry(key).or_default();
        *entry = entry.checked_add(value.checked_mul(factor)?)?;
    }
    sum.retain(|_, value| !value.is_zero());
    Some(sum)
}

fn scaled(linear: Linear, factor: Amount) -> Option<Linear> {
    added(Linear::new(), linear, factor)
}
