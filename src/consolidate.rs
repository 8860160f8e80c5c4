//! Consolidation: what a group's statements leave out. Every posting of a
//! member that names another member as its counterparty, on the codes of
//! an elimination rule, is eliminated; this report pairs the two sides of
//! each inter-entity relation (one member's receivable against the other's
//! payable, a revenue against a charge), says which cancel and which do not,
//! and shows, per side, members' total − eliminated = consolidated.

use crate::calendar;
use crate::cube::{Cube, EntityCube};
use crate::model::{CodeId, EliminationDef, Program};
use crate::money::Amount;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Serialize)]
pub struct Eliminations {
    pub fiscal_year: String,
    pub groups: Vec<GroupEliminations>,
}

#[derive(Debug, Serialize)]
pub struct GroupEliminations {
    pub group: String,
    pub label: String,
    pub rules: Vec<RuleEliminations>,
}

#[derive(Debug, Serialize)]
pub struct RuleEliminations {
    pub label: String,
    pub codes: Vec<String>,
    pub against: Vec<String>,
    /// One per ordered pair of members with inter-entity amounts.
    pub pairs: Vec<Pair>,
    /// The `codes` side, then the `against` side.
    pub sides: Vec<Side>,
}

/// `entity`'s amount on the rule's codes naming `counterparty`, against
/// `counterparty`'s amount on the rule's other codes naming `entity`
/// (debit positive: a receivable and its payable cancel).
#[derive(Debug, Serialize)]
pub struct Pair {
    pub entity: String,
    pub counterparty: String,
    pub amount: String,
    pub against: String,
    pub difference: String,
    pub matched: bool,
}

/// One side of a rule: members' total − eliminated = consolidated.
#[derive(Debug, Serialize)]
pub struct Side {
    pub codes: Vec<String>,
    pub members: String,
    pub eliminated: String,
    pub consolidated: String,
}

/// The eliminations of every group, for the fiscal year built; `None` when
/// no group eliminates anything.
pub fn eliminations(program: &Program, cube: &Cube) -> Option<Eliminations> {
    let year = program.fiscal_year;
    let groups: Vec<GroupEliminations> = program
        .groups
        .iter()
        .filter(|group| !group.eliminations.is_empty())
        .map(|group| GroupEliminations {
            group: group.name.clone(),
            label: group.label.clone(),
            rules: group
                .eliminations
                .iter()
                .map(|rule| rule_eliminations(program, cube, &group.members, rule, year))
                .collect(),
        })
        .collect();
    (!groups.is_empty()).then(|| Eliminations {
        fiscal_year: calendar::label(year),
        groups,
    })
}

fn rule_eliminations(
    program: &Program,
    cube: &Cube,
    members: &[usize],
    rule: &EliminationDef,
    year: i32,
) -> RuleEliminations {
    let name = |entity: usize| program.entities[entity].name.clone();
    let mut pairs = Vec::new();
    for &entity in members {
        for &counterparty in members.iter().filter(|m| **m != entity) {
            let on = |who: usize, codes: &BTreeSet<CodeId>, other: usize| {
                amount(&cube.entities[who], year, codes, |c| c == Some(other))
            };
            let amount = on(entity, &rule.codes, counterparty);
            let against = on(counterparty, &rule.against, entity);
            if amount.is_zero() && against.is_zero() {
                continue;
            }
            let difference = amount.checked_add(against).unwrap_or(Amount::ZERO);
            pairs.push(Pair {
                entity: name(entity),
                counterparty: name(counterparty),
                amount: amount.to_string(),
                against: against.to_string(),
                difference: difference.to_string(),
                matched: difference.is_zero(),
            });
        }
    }
    let sides = [&rule.codes, &rule.against]
        .into_iter()
        .map(|codes| side(program, cube, members, codes, year))
        .collect();
    RuleEliminations {
        label: rule.label.clone(),
        codes: code_names(program, &rule.codes),
        against: code_names(program, &rule.against),
        pairs,
        sides,
    }
}

fn side(
    program: &Program,
    cube: &Cube,
    members: &[usize],
    codes: &BTreeSet<CodeId>,
    year: i32,
) -> Side {
    let sum = |keep: &dyn Fn(Option<usize>) -> bool| {
        members.iter().fold(Amount::ZERO, |total, member| {
            let value = amount(&cube.entities[*member], year, codes, keep);
            total.checked_add(value).unwrap_or(total)
        })
    };
    let inside = |c: Option<usize>| c.is_some_and(|c| members.contains(&c));
    let all = sum(&|_| true);
    let eliminated = sum(&inside);
    let consolidated = sum(&|c| !inside(c));
    Side {
        codes: code_names(program, codes),
        members: all.to_string(),
        eliminated: eliminated.to_string(),
        consolidated: consolidated.to_string(),
    }
}

/// An entity's amount for a year (every period: balances at the year end,
/// flows of the year) on some codes, keeping the cells whose counterparty
/// passes `keep`.
fn amount(
    cube: &EntityCube,
    year: i32,
    codes: &BTreeSet<CodeId>,
    keep: impl Fn(Option<usize>) -> bool,
) -> Amount {
    cube.cells
        .iter()
        .filter(|(cell, _)| cell.year == year)
        .filter(|(cell, _)| codes.contains(&cube.locals[cell.local].mapped.target))
        .filter(|(cell, _)| keep(cell.counterparty.map(usize::from)))
        .fold(Amount::ZERO, |total, (_, value)| {
            total.checked_add(*value).unwrap_or(total)
        })
}

fn code_names(program: &Program, codes: &BTreeSet<CodeId>) -> Vec<String> {
    codes
        .iter()
        .map(|c| program.chart.accounts[*c].code.clone())
        .collect()
}

/// The report for people.
pub fn text(report: &Eliminations) -> String {
    let mut out = format!(
        "Éliminations entre entités, exercice {}\n",
        report.fiscal_year
    );
    for group in &report.groups {
        out.push_str(&format!("\n{} ({})\n", group.label, group.group));
        for rule in &group.rules {
            out.push_str(&format!(
                "  {} : {} contre {}\n",
                rule.label,
                rule.codes.join(", "),
                rule.against.join(", ")
            ));
            if rule.pairs.is_empty() {
                out.push_str("    aucune écriture entre membres\n");
            }
            for pair in &rule.pairs {
                let outcome = if pair.matched {
                    "éliminé".to_string()
                } else {
                    format!("NON APPARIÉ, écart {}", pair.difference)
                };
                out.push_str(&format!(
                    "    {} → {} : {} contre {} : {outcome}\n",
                    pair.entity, pair.counterparty, pair.amount, pair.against
                ));
            }
            for side in &rule.sides {
                out.push_str(&format!(
                    "    {} : membres {} − éliminé {} = consolidé {}\n",
                    side.codes.join(", "),
                    side.members,
                    side.eliminated,
                    side.consolidated
                ));
            }
        }
    }
    out
}
