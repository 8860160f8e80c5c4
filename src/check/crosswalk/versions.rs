//! Versions of crosswalk rules: each rule's validity (the days it applies
//! on), and the versions of one rule that would apply on the same day with
//! different targets.

use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::mapping::{Crosswalk, DimensionBody, DimensionCase, DimensionRule, Rule, Validity};
use crate::model::{Chart, DimensionDef};
use crate::source::Span;
use crate::syntax::ast;
use std::collections::BTreeMap;

impl Checker {
    /// A rule's validity, read and checked: each date a real `YYYY-MM-DD`,
    /// and a period that holds at least one day.
    pub(in crate::check) fn validity(
        &mut self,
        validity: Option<&ast::Validity>,
    ) -> Option<Validity> {
        let Some(validity) = validity else {
            return Some(Validity::default());
        };
        // `Some(None)`: a date was written but could not be read.
        let from = validity.from.as_ref().map(|date| self.date(date));
        let until = validity.until.as_ref().map(|date| self.date(date));
        if from == Some(None) || until == Some(None) {
            return None;
        }
        let (from, until) = (from.flatten(), until.flatten());
        if let (Some(from_day), Some(until_day)) = (from, until)
            && until_day < from_day
        {
            self.error(
                Diagnostic::error(
                    Code::EmptyValidity,
                    format!("this rule is valid on no day: it ends on {until_day}, before it starts on {from_day}"),
                )
                .at(validity.span, "no day between these dates")
                .help("`valid from` gives the first day the rule applies, `until` the last (both inclusive); swap them or correct one"),
            );
            return None;
        }
        Some(Validity { from, until })
    }

    fn date(&mut self, date: &ast::Name) -> Option<chrono::NaiveDate> {
        match crate::mapping::parse_date(&date.text) {
            Ok(day) => Some(day),
            Err(why) => {
                self.error(
                    Diagnostic::error(Code::BadDate, format!("`{}` is not a date", date.text))
                        .at(date.span, why)
                        .help("write a validity date as YYYY-MM-DD: `valid from 2025-07-01` in a specification, `2025-07-01` in the valid_from or valid_until column of a table"),
                );
                None
            }
        }
    }

    /// Rules with the same matcher and priority are versions of one rule:
    /// on any day, at most one of those mapping to different codes may apply.
    pub(super) fn overlapping_rules(&mut self, crosswalk: &Crosswalk, chart: &Chart) {
        let mut versions: BTreeMap<(String, u32), Vec<&Rule>> = BTreeMap::new();
        for rule in &crosswalk.rules {
            versions
                .entry((rule.matcher.key(), rule.priority))
                .or_default()
                .push(rule);
        }
        let code = |rule: &Rule| chart.accounts[rule.target].code.clone();
        let clashes = clashes(&versions, |rule| rule.validity, |a, b| a.target != b.target);
        for (later, earlier, both) in clashes {
            self.overlap(
                (later.span, &code(later), later.validity),
                (earlier.span, &code(earlier), earlier.validity),
                both,
            );
        }
    }

    /// The same for dimensions: two rules filling one dimension, or two
    /// cases of one rule with the same matcher, never apply on one day with
    /// different values.
    pub(super) fn overlapping_dimension_rules(
        &mut self,
        crosswalk: &Crosswalk,
        dimensions: &[DimensionDef],
    ) {
        let rules = &crosswalk.dimension_rules;
        for (position, later) in rules.iter().enumerate() {
            let clash = first_clash(
                &rules[..position],
                later,
                |rule| rule.validity,
                |a, b| a.dimension == b.dimension && !same_copy(a, b),
            );
            if let Some((earlier, both)) = clash {
                let name = format!("dimension `{}`", dimensions[later.dimension].name);
                self.overlap(
                    (later.span, &name, later.validity),
                    (earlier.span, &name, earlier.validity),
                    both,
                );
            }
            if let DimensionBody::Cases(cases) = &later.body {
                self.overlapping_cases(cases);
            }
        }
    }

    /// Cases of one rule with the same matcher are versions of one case.
    fn overlapping_cases(&mut self, cases: &[DimensionCase]) {
        let mut versions: BTreeMap<String, Vec<&DimensionCase>> = BTreeMap::new();
        for case in cases {
            versions.entry(case.matcher.key()).or_default().push(case);
        }
        let clashes = clashes(&versions, |case| case.validity, |a, b| a.value != b.value);
        for (later, earlier, both) in clashes {
            self.overlap(
                (later.span, &later.value, later.validity),
                (earlier.span, &earlier.value, earlier.validity),
                both,
            );
        }
    }

    fn overlap(
        &mut self,
        (later, later_target, later_validity): (Span, &str, Validity),
        (earlier, earlier_target, earlier_validity): (Span, &str, Validity),
        both: Validity,
    ) {
        let help = match (earlier_validity.until, later_validity.from) {
            (None, Some(from)) if from.pred_opt().is_some() => format!(
                "end the earlier version with `valid until {}`, the day before the later one starts",
                from.pred_opt().unwrap_or(from)
            ),
            (Some(until), Some(_)) if until.succ_opt().is_some() => format!(
                "start the later version with `valid from {}`, the day after the earlier one ends",
                until.succ_opt().unwrap_or(until)
            ),
            _ => "give each version its own days with `valid from` and `valid until` (inclusive), so that at most one applies on any date".into(),
        };
        let (later_text, earlier_text) = if later_target == earlier_target {
            (
                format!("valid {later_validity}"),
                format!("valid {earlier_validity}"),
            )
        } else {
            (
                format!("maps to `{later_target}` {later_validity}"),
                format!("maps to `{earlier_target}` {earlier_validity}"),
            )
        };
        self.error(
            Diagnostic::error(
                Code::OverlappingVersions,
                format!("two versions of one crosswalk rule apply at once {both}, with different targets"),
            )
            .at(later, later_text)
            .also(earlier, earlier_text)
            .help(help),
        );
    }
}

/// The first of the `earlier` versions that applies on a day `later` does,
/// with a target that `differ`s, and the days both apply.
fn first_clash<'v, T>(
    earlier: &'v [T],
    later: &T,
    validity: impl Fn(&T) -> Validity,
    differ: impl Fn(&T, &T) -> bool,
) -> Option<(&'v T, Validity)> {
    earlier.iter().find_map(|version| {
        let both = validity(version).intersection(&validity(later))?;
        differ(version, later).then_some((version, both))
    })
}

/// In each group of versions of one rule, in the order written: each
/// version that applies on a day an earlier one does, with a target that
/// `differ`s, with that earlier version and the days both apply.
fn clashes<'v, K, T>(
    groups: &BTreeMap<K, Vec<&'v T>>,
    validity: impl Fn(&T) -> Validity,
    differ: impl Fn(&T, &T) -> bool,
) -> Vec<(&'v T, &'v T, Validity)> {
    let mut found = Vec::new();
    for versions in groups.values() {
        for (position, later) in versions.iter().enumerate() {
            let clash = first_clash(
                &versions[..position],
                later,
                |v| validity(v),
                |a, b| differ(a, b),
            );
            if let Some((earlier, both)) = clash {
                found.push((*later, *earlier, both));
            }
        }
    }
    found
}

/// Two rules copying the same segment into a dimension agree whatever the
/// day.
fn same_copy(a: &DimensionRule, b: &DimensionRule) -> bool {
    match (&a.body, &b.body) {
        (DimensionBody::Copy(a), DimensionBody::Copy(b)) => a == b,
        _ => false,
    }
}
