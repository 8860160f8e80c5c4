//! The order figures are computed in: each after the figures its formula
//! names (Kahn's algorithm), and the cycles that forbid such an order.

use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Expr, Figure, FigureId};

/// Kahn's algorithm over figure references; a cycle is reported once, with its path.
pub(super) fn topological_order(checker: &mut Checker, figures: &[Figure]) -> Vec<FigureId> {
    let dependencies: Vec<Vec<FigureId>> = figures.iter().map(|f| dependencies(&f.expr)).collect();
    let mut users: Vec<Vec<FigureId>> = vec![Vec::new(); figures.len()];
    let mut pending: Vec<usize> = vec![0; figures.len()];
    for (figure, deps) in dependencies.iter().enumerate() {
        pending[figure] = deps.len();
        for dep in deps {
            users[*dep].push(figure);
        }
    }
    let mut ready: Vec<FigureId> = (0..figures.len())
        .filter(|f| pending[*f] == 0)
        .rev()
        .collect();
    let mut order = Vec::with_capacity(figures.len());
    while let Some(figure) = ready.pop() {
        order.push(figure);
        for user in &users[figure] {
            pending[*user] -= 1;
            if pending[*user] == 0 {
                ready.push(*user);
            }
        }
    }
    if order.len() < figures.len() {
        report_cycle(checker, figures, &dependencies, &pending);
    }
    order
}

/// `pending` counts, for each figure, the figures it still waits for.
fn report_cycle(
    checker: &mut Checker,
    figures: &[Figure],
    dependencies: &[Vec<FigureId>],
    pending: &[usize],
) {
    let Some(start) = (0..figures.len()).find(|f| pending[*f] > 0) else {
        return;
    };
    // Walk blocked dependencies until a figure repeats: that is a cycle.
    let mut path = vec![start];
    let mut current = start;
    loop {
        let Some(next) = dependencies[current]
            .iter()
            .copied()
            .find(|d| pending[*d] > 0)
        else {
            return;
        };
        if let Some(position) = path.iter().position(|f| *f == next) {
            checker.error(cycle_error(figures, &path[position..]));
            return;
        }
        path.push(next);
        current = next;
    }
}

fn cycle_error(figures: &[Figure], cycle: &[FigureId]) -> Diagnostic {
    let names: Vec<&str> = cycle
        .iter()
        .map(|f| figures[*f].qualified.as_str())
        .collect();
    let mut diagnostic = Diagnostic::error(
        Code::Cycle,
        format!(
            "these lines depend on each other: {} → {}",
            names.join(" → "),
            names[0]
        ),
    )
    .at(figures[cycle[0]].span, "this line needs itself");
    for figure in &cycle[1..] {
        diagnostic = diagnostic.also(figures[*figure].span, "part of the cycle");
    }
    diagnostic.help("one of these lines must be computed from codes, not from the others")
}

/// The figures an expression names, each once.
fn dependencies(expr: &Expr) -> Vec<FigureId> {
    let mut found = Vec::new();
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        match expr {
            Expr::Figure(id, _) => found.push(*id),
            Expr::Sum(ids) => found.extend(ids),
            Expr::Neg(inner) => stack.push(inner),
            Expr::Binary(left, _, right, _) => {
                stack.push(left);
                stack.push(right);
            }
            Expr::Number(_) | Expr::Aggregate(_) => {}
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}
