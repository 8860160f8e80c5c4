//! The negative controls: the comparison must catch a changed digit and a
//! moved rule.

use super::sides::{Read, bounds, chart_of, fiscal, hledger_local, place, rules_path};
use super::{Balances, Entity, Key, compare, label};
use crate::oracle::chart::CHART;
use crate::oracle::crosswalk::{self, Crosswalk};
use crate::oracle::tools::{self, Locales};
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

/// Control 1: one digit of one amount changed in a copy of the smallest
/// export hledger can change; hledger reads the copy, and the comparison
/// must show exactly that balance off by exactly that much.
pub(super) fn tamper_control(
    root: &Path,
    work: &Path,
    entities: &[Entity],
    reads: &[Vec<Read>],
    locales: &Locales,
    reddition: &Balances,
) -> Result<String, String> {
    let (e, s) = entities
        .iter()
        .enumerate()
        .flat_map(|(e, entity)| {
            entity
                .sources
                .iter()
                .enumerate()
                .map(move |(s, x)| (e, s, x))
        })
        .filter(|(_, _, source)| source.tamper.is_some())
        .min_by_key(|(_, _, source)| source.postings)
        .map(|(e, s, _)| (e, s))
        .ok_or("no export has an amount to change")?;
    let (entity, source) = (&entities[e], &entities[e].sources[s]);
    let tamper = source.tamper.as_ref().unwrap();
    let mut bytes = std::fs::read(root.join(&source.path)).map_err(|e| e.to_string())?;
    let before = bytes[tamper.offset];
    bytes[tamper.offset] = tamper.replacement;
    let copy = work.join("tampered.csv");
    std::fs::write(&copy, &bytes).map_err(|e| e.to_string())?;
    let [from, to] = bounds(source.year);
    let rows = tools::hledger_balances(
        &copy,
        &rules_path(work, entity),
        locales,
        entity.dialect.cp1252,
        [&from, &to],
    )?;
    let local = hledger_local(entities, reads, Some(((e, s), &rows)))?;
    let mut mismatches = Vec::new();
    compare(
        "hledger",
        reddition,
        &local,
        |k| k.period.is_some(),
        entities,
        &mut mismatches,
    );
    let (year, period) = fiscal(&tamper.date.format("%Y-%m").to_string()).unwrap();
    let expected = format!(
        "{} ({}, {}) {}: reddition ",
        entity.id,
        entity.family.name(),
        entity.encoding(),
        label(&Key {
            entity: e,
            year,
            period: Some(place(source.role, period)),
            account: tamper.code.clone(),
        })
    );
    let key_matches = mismatches.len() == 1 && mismatches[0].starts_with(&expected);
    let difference = mismatches.first().and_then(|line| {
        let (_, numbers) = line.split_once(": reddition ")?;
        let (ours, theirs) = numbers.split_once(", hledger ")?;
        Some(Decimal::from_str(theirs).ok()? - Decimal::from_str(ours).ok()?)
    });
    let wanted = Decimal::new(tamper.cents, 2);
    if !key_matches || difference != Some(wanted) {
        return Err(format!(
            "changing byte {} of {} from `{}` to `{}` should put exactly `{expected}…` off by {wanted}; the comparison found {mismatches:#?}",
            tamper.offset,
            source.path,
            char::from(before),
            char::from(tamper.replacement),
        ));
    }
    Ok(format!(
        "byte {} of {} changed from `{}` to `{}`: hledger's {} differs by {wanted}, the only mismatch",
        tamper.offset,
        source.path,
        char::from(before),
        char::from(tamper.replacement),
        label(&Key {
            entity: e,
            year,
            period: Some(place(source.role, period)),
            account: tamper.code.clone()
        }),
    ))
}

/// Control 2: the rule that maps a code with a balance, in the test's copy
/// of a crosswalk, pointed at another chart code; the yearly chart balances
/// must then differ on exactly the old and the new code.
pub(super) fn crosswalk_control(
    entities: &[Entity],
    hledger: &Balances,
    reddition: &Balances,
) -> Result<String, String> {
    let candidates = hledger
        .iter()
        .filter(|(key, value)| key.period.is_none() && !value.is_zero())
        .map(|(key, _)| key);
    for key in candidates {
        let entity = &entities[key.entity];
        let (target, rule) = entity
            .crosswalk
            .map(&entity.structure, &key.account, crosswalk::as_of())
            .map_err(|why| format!("{why:?}"))?;
        let moved = (target + 1) % CHART.len();
        let mut rules = entity.crosswalk.rules.clone();
        rules[rule].target = moved;
        let altered = Crosswalk { rules };
        let crosswalks: Vec<&Crosswalk> = entities
            .iter()
            .enumerate()
            .map(|(e, x)| {
                if e == key.entity {
                    &altered
                } else {
                    &x.crosswalk
                }
            })
            .collect();
        let (chart, errors) = chart_of(entities, hledger, &crosswalks);
        if !errors.is_empty() {
            // The change made two best rules disagree: try another code.
            continue;
        }
        let mut mismatches = Vec::new();
        compare(
            "hledger",
            reddition,
            &chart,
            |k| k.period.is_none(),
            entities,
            &mut mismatches,
        );
        let codes = [CHART[target].0, CHART[moved].0];
        let only_those = mismatches
            .iter()
            .all(|m| codes.iter().any(|c| m.contains(&format!("year `{c}`"))));
        if mismatches.is_empty() || !only_those {
            return Err(format!(
                "pointing rule {rule} of {}'s crosswalk from {} to {} should put the yearly balances of those two codes off; the comparison found {mismatches:#?}",
                entity.id, codes[0], codes[1]
            ));
        }
        return Ok(format!(
            "rule {rule} of {}'s crosswalk (it maps `{}`) pointed from {} to {}: {} yearly chart balances differ",
            entity.id,
            key.account,
            codes[0],
            codes[1],
            mismatches.len()
        ));
    }
    Err("no rule could be moved".into())
}
