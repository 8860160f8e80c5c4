//! Provenance adds up: for every figure of every report of the sample, in
//! every column and for every centre and the network, the ledger lines the
//! breakdown lists (with the eliminations and the numbers of the formula)
//! sum to the figure's exact value, and every level of the breakdown sums
//! to the level above.

use reddition::cube::{ReadOptions, ledger_lines};
use reddition::money::Amount;
use reddition::project::Project;
use reddition::provenance::{Context, LineIndex, Provenance, provenance};
use reddition::source::Sources;

fn amount(text: &str) -> Amount {
    Amount::parse_plain(text).unwrap_or_else(|| panic!("`{text}` is an amount"))
}

fn sum<'a>(texts: impl IntoIterator<Item = &'a str>) -> Amount {
    texts.into_iter().fold(Amount::ZERO, |total, text| {
        total.checked_add(amount(text)).expect("no overflow")
    })
}

/// Every level sums to the one above; returns the lines counted.
fn adds_up(found: &Provenance) -> usize {
    let mut lines = 0;
    let mut figure = amount(&found.constant);
    for term in &found.terms {
        let mut term_value = Amount::ZERO;
        for member in &term.members {
            let mut part = Amount::ZERO;
            for local in &member.locals {
                let contributions = sum(local.lines.iter().map(|l| l.contribution.as_str()));
                assert_eq!(
                    contributions,
                    amount(&local.value),
                    "{}: {} lines",
                    found.figure,
                    local.code
                );
                for line in &local.lines {
                    let signed = if term.sign < 0 {
                        amount(&line.amount).negated()
                    } else {
                        amount(&line.amount)
                    };
                    assert_eq!(
                        signed,
                        amount(&line.contribution),
                        "{}: {}:{}",
                        found.figure,
                        line.file,
                        line.line
                    );
                }
                lines += local.lines.len();
                part = part.checked_add(contributions).expect("no overflow");
            }
            assert_eq!(
                part,
                amount(&member.part),
                "{}: {}'s part",
                found.figure,
                member.entity
            );
            let eliminated = sum(member.eliminations.iter().map(|e| e.value.as_str()));
            let eliminated_lines = sum(member
                .locals
                .iter()
                .flat_map(|l| &l.lines)
                .filter(|l| l.eliminated)
                .map(|l| l.contribution.as_str()));
            assert_eq!(
                eliminated,
                eliminated_lines.negated(),
                "{}: eliminations",
                found.figure
            );
            term_value = term_value
                .checked_add(part)
                .and_then(|v| v.checked_add(eliminated))
                .expect("no overflow");
        }
        assert_eq!(
            term_value,
            amount(&term.value),
            "{}: term {}",
            found.figure,
            term.code
        );
        figure = figure.checked_add(term_value).expect("no overflow");
    }
    assert_eq!(
        figure,
        amount(&found.lines_total),
        "{}: lines total",
        found.figure
    );
    lines
}

#[test]
fn every_figure_of_the_sample_adds_up_to_its_ledger_lines() {
    let project = Project::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Sources::default();
    let program =
        reddition::pipeline::check_project(&project, &mut sources).expect("the sample checks");
    let built = reddition::pipeline::run(&program, &project, &mut sources, &ReadOptions::default())
        .expect("the sample builds");
    let read = (0..program.entities.len())
        .map(|entity| ledger_lines(&program, &project, entity, &|_| true).expect("read again"))
        .collect();
    let lines = LineIndex::new(read);
    let context = Context {
        program: &program,
        figures: &built.figures,
        cube: &built.cube,
        sources: &sources,
        lines: Some(&lines),
    };
    let (mut figures, mut ratios, mut lines_summed) = (0, 0, 0);
    for (id, figure) in program.figures.iter().enumerate() {
        let columns = program.reports[figure.report].columns.len();
        for column in 0..columns {
            for scope in 0..built.figures.scopes.len() {
                let Some(found) = provenance(&context, id, column, scope) else {
                    continue;
                };
                if !found.linear {
                    ratios += 1;
                    continue;
                }
                assert_eq!(
                    amount(&found.lines_total),
                    amount(&found.exact),
                    "{} [{}] for {}: the lines do not sum to the figure",
                    found.figure,
                    found.column,
                    found.scope
                );
                lines_summed += adds_up(&found);
                figures += 1;
            }
        }
    }
    println!(
        "{figures} figures added up from {lines_summed} ledger lines; {ratios} ratios explained by their operands"
    );
    assert!(figures > 3_000, "{figures} figures");
}
