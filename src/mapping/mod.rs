//! Mapping: a centre's local codes → harmonized chart codes and dimensions,
//! by the crosswalk's rules and their documented precedence.

pub mod pattern;
pub mod structure;

use crate::model::CodeId;
use crate::source::Span;
use pattern::Pattern;
pub use structure::Structure;

#[derive(Debug)]
pub struct Crosswalk {
    pub name: String,
    pub structure: Structure,
    pub rules: Vec<Rule>,
    pub dimension_rules: Vec<DimensionRule>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Rule {
    pub matcher: Matcher,
    pub target: CodeId,
    pub priority: u32,
    pub note: Option<String>,
    /// Where the rule is written (a specification line or a CSV row).
    pub span: Span,
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
    pub span: Span,
}

impl Matcher {
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
        let mut best: Option<(usize, (u32, u32))> = None;
        let mut tie: Option<usize> = None;
        for (index, rule) in self.rules.iter().enumerate() {
            if !rule.matcher.matches(code, segments) {
                continue;
            }
            let rank = (rule.priority, rule.matcher.specificity());
            match best {
                Some((_, best_rank)) if rank < best_rank => {}
                Some((best_index, best_rank)) if rank == best_rank => {
                    if tie.is_none() && self.rules[best_index].target != rule.target {
                        tie = Some(index);
                    }
                }
                _ => {
                    best = Some((index, rank));
                    tie = None;
                }
            }
        }
        match (best, tie) {
            (Some((winner, _)), Some(other)) => Err(MapError::Ambiguous(winner, other)),
            (Some((winner, _)), None) => Ok(winner),
            (None, _) => Err(MapError::Unmapped),
        }
    }
}

fn best_case(
    cases: &[DimensionCase],
    code: &str,
    segments: &[Option<&str>],
) -> Result<Option<String>, (usize, usize)> {
    let mut best: Option<(usize, u32)> = None;
    let mut tie = None;
    for (index, case) in cases.iter().enumerate() {
        if !case.matcher.matches(code, segments) {
            continue;
        }
        let rank = case.matcher.specificity();
        match best {
            Some((_, best_rank)) if rank < best_rank => {}
            Some((best_index, best_rank)) if rank == best_rank => {
                if tie.is_none() && cases[best_index].value != case.value {
                    tie = Some(index);
                }
            }
            _ => {
                best = Some((index, rank));
                tie = None;
            }
        }
    }
    match (best, tie) {
        (Some((winner, _)), Some(other)) => Err((winner, other)),
        (Some((winner, _)), None) => Ok(Some(cases[winner].value.clone())),
        (None, _) => Ok(None),
    }
}
