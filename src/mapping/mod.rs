//! Mapping: a centre's local codes → harmonized chart codes and dimensions,
//! by the crosswalk's rules and their documented precedence.

pub mod pattern;
pub mod structure;

use crate::source::Span;
use chrono::NaiveDate;
use pattern::Pattern;
pub use structure::Structure;

/// Index of a chart account in the checked program's chart
/// (`model::Chart::accounts`): what a crosswalk rule maps a local code to.
pub type CodeId = usize;

#[derive(Debug)]
pub struct Crosswalk {
    pub name: String,
    pub structure: Structure,
    /// The rules that apply on the date the program was checked for (every
    /// rule until [`Crosswalk::select`] runs), in the order written.
    pub rules: Vec<Rule>,
    pub dimension_rules: Vec<DimensionRule>,
    /// Every dated rule, dimension rule or case, and whether it applies: what
    /// the manifest records so a run can be traced to the rules that made it.
    pub versions: Vec<Version>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Rule {
    pub matcher: Matcher,
    pub target: CodeId,
    pub priority: u32,
    pub validity: Validity,
    pub note: Option<String>,
    /// Where the rule is written (a specification line or a CSV row).
    pub span: Span,
}

/// The days a rule applies on, both ends inclusive; `None` is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Validity {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Validity {
    pub fn is_always(&self) -> bool {
        self.from.is_none() && self.until.is_none()
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && self.until.is_none_or(|until| date <= until)
    }

    /// The days both apply on, if there is one.
    pub fn intersection(&self, other: &Validity) -> Option<Validity> {
        let from = match (self.from, other.from) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let until = match (self.until, other.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (from, until) {
            (Some(from), Some(until)) if from > until => None,
            _ => Some(Validity { from, until }),
        }
    }
}

impl std::fmt::Display for Validity {
    /// As written in a specification: `from 2025-07-01 until 2026-06-30`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.from, self.until) {
            (None, None) => write!(f, "on every date"),
            (Some(from), None) => write!(f, "from {from}"),
            (None, Some(until)) => write!(f, "until {until}"),
            (Some(from), Some(until)) if from == until => write!(f, "on {from}"),
            (Some(from), Some(until)) => write!(f, "from {from} until {until}"),
        }
    }
}

/// A dated piece of a crosswalk, as the manifest lists it.
#[derive(Debug, Clone)]
pub struct Version {
    pub span: Span,
    pub validity: Validity,
    /// What it maps to: a chart code index, or a dimension value.
    pub target: VersionTarget,
    pub applies: bool,
}

#[derive(Debug, Clone)]
pub enum VersionTarget {
    Code(CodeId),
    Dimension(usize),
}

/// Reads a date written `YYYY-MM-DD` (exactly: four, two and two digits).
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err("a date is written YYYY-MM-DD, e.g. 2025-07-01".to_string());
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    if !(1..=12).contains(&month) {
        return Err(format!("there is no month {month:02}"));
    }
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(|| {
        let last = (28..=31)
            .rev()
            .find(|d| NaiveDate::from_ymd_opt(year as i32, month, *d).is_some())
            .unwrap_or(28);
        format!("{year:04}-{month:02} has {last} days")
    })
}

#[derive(Debug)]
pub enum Matcher {
    Whole(Pattern),
    Segments(Vec<SegmentCondition>),
}

#[derive(Debug)]
pub struct SegmentCondition {
    pub segment: usize,
    pub test: SegmentTest,
}

#[derive(Debug)]
pub enum SegmentTest {
    Pattern(Pattern),
    /// Inclusive; `shared_prefix` counts the leading digits both bounds share.
    Range {
        low: u128,
        high: u128,
        shared_prefix: u32,
    },
}

#[derive(Debug)]
pub struct DimensionRule {
    pub dimension: usize,
    pub body: DimensionBody,
    pub validity: Validity,
    pub span: Span,
}

#[derive(Debug)]
pub enum DimensionBody {
    Copy(usize),
    Cases(Vec<DimensionCase>),
}

#[derive(Debug)]
pub struct DimensionCase {
    pub matcher: Matcher,
    pub value: String,
    pub validity: Validity,
    pub span: Span,
}

impl Matcher {
    /// What the matcher selects, as text: two rules with the same key (and
    /// priority) are versions of one rule, whatever their spacing or order
    /// of conditions.
    pub fn key(&self) -> String {
        match self {
            Matcher::Whole(pattern) => format!("\"{pattern}\""),
            Matcher::Segments(conditions) => {
                let mut parts: Vec<String> = conditions
                    .iter()
                    .map(|condition| match &condition.test {
                        SegmentTest::Pattern(pattern) => {
                            format!("{} {pattern}", condition.segment)
                        }
                        SegmentTest::Range {
                            low,
                            high,
                            shared_prefix,
                        } => format!("{} {low}..{high}/{shared_prefix}", condition.segment),
                    })
                    .collect();
                parts.sort();
                parts.dedup();
                parts.join(" and ")
            }
        }
    }

    /// How many characters of the code this matcher fixes (see the
    /// precedence section of the language reference).
    pub fn specificity(&self) -> u32 {
        match self {
            Matcher::Whole(pattern) if pattern.is_exact() => pattern.literal_count() + 1,
            Matcher::Whole(pattern) => pattern.literal_count(),
            Matcher::Segments(conditions) => conditions
                .iter()
                .map(|condition| match &condition.test {
                    SegmentTest::Pattern(pattern) => pattern.literal_count(),
                    SegmentTest::Range { shared_prefix, .. } => *shared_prefix,
                })
                .sum(),
        }
    }

    fn matches(&self, code: &str, segments: &[Option<&str>]) -> bool {
        match self {
            Matcher::Whole(pattern) => pattern.matches(code),
            Matcher::Segments(conditions) => conditions.iter().all(|condition| {
                let Some(value) = segments[condition.segment] else {
                    return false;
                };
                match &condition.test {
                    SegmentTest::Pattern(pattern) => pattern.matches(value),
                    SegmentTest::Range { low, high, .. } => {
                        value.bytes().all(|b| b.is_ascii_digit())
                            && value
                                .parse::<u128>()
                                .is_ok_and(|number| (*low..=*high).contains(&number))
                    }
                }
            }),
        }
    }
}

/// What a local code maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub target: CodeId,
    /// Index of the winning rule in `Crosswalk::rules`.
    pub rule: usize,
    /// `(dimension index, value)`, sorted by dimension.
    pub dimensions: Vec<(usize, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapError {
    /// The code does not fit the structure.
    Shape,
    /// No rule matches.
    Unmapped,
    /// Two rules of equal rank disagree (indices into `rules`).
    Ambiguous(usize, usize),
    /// Two dimension cases of equal rank disagree (dimension-rule index, case indices).
    AmbiguousDimension(usize, usize, usize),
}

impl Crosswalk {
    /// Keeps the rules, dimension rules and cases that apply on `date`, and
    /// records every dated one in [`Crosswalk::versions`]. Done once, when the
    /// program is checked, so that mapping a code needs no date.
    pub fn select(&mut self, date: NaiveDate) {
        let mut versions = Vec::new();
        let mut record = |span: Span, validity: Validity, target: VersionTarget| {
            let applies = validity.contains(date);
            if !validity.is_always() {
                versions.push(Version {
                    span,
                    validity,
                    target,
                    applies,
                });
            }
            applies
        };
        self.rules
            .retain(|rule| record(rule.span, rule.validity, VersionTarget::Code(rule.target)));
        self.dimension_rules.retain_mut(|rule| {
            let dimension = rule.dimension;
            if let DimensionBody::Cases(cases) = &mut rule.body {
                cases.retain(|case| {
                    record(
                        case.span,
                        case.validity,
                        VersionTarget::Dimension(dimension),
                    )
                });
            }
            record(
                rule.span,
                rule.validity,
                VersionTarget::Dimension(dimension),
            )
        });
        versions.sort_by_key(|version| (version.span.file, version.span.start));
        self.versions = versions;
    }

    /// Maps one local code. Callers cache the result per distinct code.
    pub fn map(&self, code: &str) -> Result<Mapped, MapError> {
        let segments = self.structure.split(code).ok_or(MapError::Shape)?;
        let rule = self.best_rule(code, &segments)?;
        let mut dimensions = Vec::new();
        for (rule_index, dimension_rule) in self.dimension_rules.iter().enumerate() {
            let value = match &dimension_rule.body {
                DimensionBody::Copy(segment) => segments[*segment].map(str::to_string),
                DimensionBody::Cases(cases) => best_case(cases, code, &segments)
                    .map_err(|(a, b)| MapError::AmbiguousDimension(rule_index, a, b))?,
            };
            if let Some(value) = value {
                dimensions.push((dimension_rule.dimension, value));
            }
        }
        dimensions.sort();
        Ok(Mapped {
            target: self.rules[rule].target,
            rule,
            dimensions,
        })
    }

    fn best_rule(&self, code: &str, segments: &[Option<&str>]) -> Result<usize, MapError> {
        let matching = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.matcher.matches(code, segments))
            .map(|(index, rule)| {
                let rank = (rule.priority, rule.matcher.specificity());
                (index, rank, &rule.target)
            });
        match best_match(matching) {
            Ok(Some(winner)) => Ok(winner),
            Ok(None) => Err(MapError::Unmapped),
            Err((winner, other)) => Err(MapError::Ambiguous(winner, other)),
        }
    }
}

fn best_case(
    cases: &[DimensionCase],
    code: &str,
    segments: &[Option<&str>],
) -> Result<Option<String>, (usize, usize)> {
    let matching = cases
        .iter()
        .enumerate()
        .filter(|(_, case)| case.matcher.matches(code, segments))
        .map(|(index, case)| (index, case.matcher.specificity(), &case.value));
    Ok(best_match(matching)?.map(|winner| cases[winner].value.clone()))
}

/// The precedence of rules and of dimension cases alike: of the matching
/// candidates (index, rank, target), the one of highest rank, the first in
/// order among equals; two of the highest rank with different targets are a
/// tie, `Err((winner, other))`. `Ok(None)` when none matches.
fn best_match<'t, R: Ord + Copy, T: PartialEq + 't>(
    matching: impl Iterator<Item = (usize, R, &'t T)>,
) -> Result<Option<usize>, (usize, usize)> {
    let mut best: Option<(usize, R, &T)> = None;
    let mut tie = None;
    for (index, rank, target) in matching {
        match best {
            Some((_, best_rank, _)) if rank < best_rank => {}
            Some((_, best_rank, best_target)) if rank == best_rank => {
                if tie.is_none() && best_target != target {
                    tie = Some(index);
                }
            }
            _ => {
                best = Some((index, rank, target));
                tie = None;
            }
        }
    }
    match (best, tie) {
        (Some((winner, _, _)), Some(other)) => Err((winner, other)),
        (Some((winner, _, _)), None) => Ok(Some(winner)),
        (None, _) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        parse_date(text).unwrap_or_default()
    }

    #[test]
    fn dates_are_strict_iso() {
        assert_eq!(day("2025-07-01").to_string(), "2025-07-01");
        assert_eq!(
            parse_date("2024-02-29").map(|d| d.to_string()).as_deref(),
            Ok("2024-02-29")
        );
        assert_eq!(parse_date("2025-02-29"), Err("2025-02 has 28 days".into()));
        assert_eq!(parse_date("2025-13-01"), Err("there is no month 13".into()));
        for bad in [
            "2025-7-1",
            "01/07/2025",
            "2025-07-01T00",
            "２０２５-07-01",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validity_is_inclusive_and_open_ended() {
        let old = Validity {
            from: None,
            until: Some(day("2025-06-30")),
        };
        let new = Validity {
            from: Some(day("2025-07-01")),
            until: None,
        };
        assert!(old.contains(day("2025-06-30")) && !old.contains(day("2025-07-01")));
        assert!(new.contains(day("2025-07-01")) && !new.contains(day("2025-06-30")));
        assert!(Validity::default().contains(day("1900-01-01")));
        assert_eq!(old.intersection(&new), None);
        let both = old.intersection(&Validity::default());
        assert_eq!(both, Some(old));
        assert_eq!(
            new.intersection(&Validity {
                from: Some(day("2025-01-01")),
                until: Some(day("2025-07-01")),
            })
            .map(|v| v.to_string()),
            Some("on 2025-07-01".to_string())
        );
    }

    #[test]
    fn matcher_keys_ignore_condition_order() {
        let condition = |segment, low, high| SegmentCondition {
            segment,
            test: SegmentTest::Range {
                low,
                high,
                shared_prefix: 1,
            },
        };
        let a = Matcher::Segments(vec![condition(0, 1, 2), condition(1, 3, 4)]);
        let b = Matcher::Segments(vec![condition(1, 3, 4), condition(0, 1, 2)]);
        assert_eq!(a.key(), b.key());
        assert_ne!(
            Matcher::Whole(Pattern::new("0 1..2/1")).key(),
            Matcher::Segments(vec![condition(0, 1, 2)]).key()
        );
    }
}
