//! `residual largest`: a section's rounding difference moved onto its
//! largest line, within the bound the declared rounding can honour.

use super::Residue;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::money::Amount;

/// Under `residual largest`, moves each section's rounding difference onto
/// its largest leaf line, so the section total shows its own rounded value.
/// A difference larger than one unit and than the line itself is refused
/// (see [`residual_too_large`]).
pub(super) fn allocate_to_largest(
    program: &Program,
    exact: &[Amount],
    rounded: &mut [Amount],
    errors: &mut Vec<Diagnostic>,
) -> Vec<Residue> {
    let mut allocations = Vec::new();
    for figure in &program.order {
        let definition = &program.figures[*figure];
        let policy = program.reports[definition.report].rounding;
        let Expr::Sum(parts) = &definition.expr else {
            continue;
        };
        if policy.residual != Residual::Largest {
            continue;
        }
        let Some(own) = exact[*figure].round_to(policy.unit, policy.method) else {
            continue;
        };
        // The parts as they stand now: a section inside this one (earlier in
        // the order) may have taken its own difference already.
        let Some(current) = parts
            .iter()
            .try_fold(Amount::ZERO, |sum, part| sum.checked_add(rounded[*part]))
        else {
            continue;
        };
        rounded[*figure] = current;
        let Some(difference) = own.checked_sub(current) else {
            continue;
        };
        if difference.is_zero() {
            continue;
        }
        let largest = parts
            .iter()
            .filter(|part| program.figures[**part].is_leaf)
            .max_by_key(|part| (rounded[**part].abs(), std::cmp::Reverse(**part)));
        if let Some(part) = largest
            && difference.abs() > policy.unit.max(rounded[*part].abs())
        {
            errors.push(residual_too_large(
                program,
                *figure,
                *part,
                difference,
                rounded[*part],
            ));
            continue;
        }
        if let Some(part) = largest
            && let Some(adjusted) = rounded[*part].checked_add(difference)
        {
            rounded[*part] = adjusted;
            rounded[*figure] = own;
            allocations.push(Residue {
                figure: *part,
                amount: difference,
                allocated: true,
            });
        }
    }
    allocations
}

/// A residual the line it would land on cannot carry. Rounding promises
/// each line within half a unit of its exact value; `residual largest`
/// relaxes that for one line per section, by a difference that is normally
/// a unit or two on a line far larger. When the difference exceeds both one
/// unit and the line itself (a thousand lines of 0.50 rounded to 0 leave
/// 500 to place), the line shown would say more about rounding than about
/// the books: the build refuses rather than print it.
fn residual_too_large(
    program: &Program,
    section: FigureId,
    line: FigureId,
    difference: Amount,
    shown: Amount,
) -> Diagnostic {
    let (section, line) = (&program.figures[section], &program.figures[line]);
    Diagnostic::error(
        Code::CheckFailed,
        format!(
            "`{}`: a rounding residual of {difference} is too large for `{}`, which shows {shown}",
            section.qualified, line.qualified
        ),
    )
    .at(line.span, "the largest line of the section")
    .also(section.span, "the section whose total does not foot")
    .help("`residual largest` moves at most one unit, or as much as the line shows; use `residual total` to show the difference, or round to a finer `unit`")
}
