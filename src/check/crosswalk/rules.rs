//! Crosswalk rules: a matcher (a pattern over the whole local code, or
//! conditions on its segments) and a chart code; and dimension rules, which
//! fill a dimension from a segment or from cases.

use crate::check::Checker;
use crate::check::dimension::quoted_list;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::mapping::pattern::Pattern;
use crate::mapping::structure::Structure;
use crate::mapping::{
    DimensionBody, DimensionCase, DimensionRule, Matcher, Rule, SegmentCondition, SegmentTest,
};
use crate::model::{Chart, DimensionDef};
use crate::syntax::ast;

impl Checker {
    /// The chart code a rule maps to.
    pub(super) fn target(&mut self, code: &ast::Name, chart: &Chart) -> Option<usize> {
        if let Some(index) = chart.by_code.get(&code.text) {
            return Some(*index);
        }
        let diagnostic = Diagnostic::error(
            Code::UnknownName,
            format!("crosswalk target `{}` is not in the chart", code.text),
        )
        .at(code.span, "no chart code of this name");
        let diagnostic = match closest(&code.text, chart.by_code.keys().map(|k| k.as_str())) {
            Some(close) => diagnostic.help(format!("did you mean `{close}`?")),
            None => diagnostic.help(format!("map to a code of chart `{}`", chart.name)),
        };
        self.error(diagnostic);
        None
    }

    pub(super) fn rule(
        &mut self,
        rule: &ast::Rule,
        structure: &Structure,
        chart: &Chart,
    ) -> Option<Rule> {
        let matcher = self.matcher(&rule.matcher, structure);
        let target = self.target(&rule.target, chart);
        let validity = self.validity(rule.validity.as_ref());
        Some(Rule {
            matcher: matcher?,
            target: target?,
            priority: rule.priority.map_or(0, |p| p.value),
            validity: validity?,
            note: rule.note.as_ref().map(|n| n.value.clone()),
            span: rule.span,
        })
    }

    fn matcher(&mut self, matcher: &ast::Matcher, structure: &Structure) -> Option<Matcher> {
        match matcher {
            ast::Matcher::Pattern(text) => Some(Matcher::Whole(Pattern::new(&text.value))),
            ast::Matcher::Conditions(conditions) => {
                let mut lowered = Vec::new();
                for condition in conditions {
                    lowered.push(self.condition(condition, structure)?);
                }
                Some(Matcher::Segments(lowered))
            }
        }
    }

    /// A condition on one segment of the structure.
    fn condition(
        &mut self,
        condition: &ast::Condition,
        structure: &Structure,
    ) -> Option<SegmentCondition> {
        let Some(segment) = structure.segment_index(&condition.segment.text) else {
            self.error(
                Diagnostic::error(
                    Code::UnknownName,
                    format!(
                        "structure `{}` has no segment `{}`",
                        structure.name, condition.segment.text
                    ),
                )
                .at(condition.segment.span, "unknown segment")
                .also(structure.span, "structure declared here")
                .help(format!(
                    "its segments are {}",
                    quoted_list(&structure.segments)
                )),
            );
            return None;
        };
        let test = match &condition.test {
            ast::SegmentTest::Pattern(text) => SegmentTest::Pattern(Pattern::new(&text.value)),
            ast::SegmentTest::Range { low, high } => self.range(low, high)?,
        };
        Some(SegmentCondition { segment, test })
    }

    /// `low..high`: the segments whose number lies between the bounds.
    fn range(&mut self, low: &ast::Name, high: &ast::Name) -> Option<SegmentTest> {
        let (Ok(low_value), Ok(high_value)) = (low.text.parse::<u128>(), high.text.parse::<u128>())
        else {
            self.error(
                Diagnostic::error(Code::BadMatcher, "range bound is too large")
                    .at(low.span.to(high.span), "here"),
            );
            return None;
        };
        if low_value > high_value {
            self.reversed_range(low, high, "the low bound is above the high bound");
            return None;
        }
        // Bounds of one width share their leading digits with every number
        // between them: matching can test those first.
        let shared_prefix = if low.text.len() == high.text.len() {
            low.text
                .chars()
                .zip(high.text.chars())
                .take_while(|(a, b)| a == b)
                .count() as u32
        } else {
            0
        };
        Some(SegmentTest::Range {
            low: low_value,
            high: high_value,
            shared_prefix,
        })
    }

    pub(super) fn dimension_rule(
        &mut self,
        rule: &ast::DimensionRule,
        structure: &Structure,
        dimensions: &[DimensionDef],
    ) -> Option<DimensionRule> {
        let names: Vec<String> = dimensions.iter().map(|d| d.name.clone()).collect();
        let dimension = self.lookup(&rule.dimension, "dimension", names.iter())?;
        let validity = self.validity(rule.validity.as_ref())?;
        let body = match &rule.body {
            ast::DimensionBody::Copy(segment) => {
                let names = structure.segments.clone();
                DimensionBody::Copy(self.lookup(segment, "segment", names.iter())?)
            }
            ast::DimensionBody::Cases(cases) => {
                DimensionBody::Cases(self.cases(cases, structure, &dimensions[dimension]))
            }
        };
        Some(DimensionRule {
            dimension,
            body,
            validity,
            span: rule.span,
        })
    }

    /// The cases of a dimension rule that check: a value of the dimension
    /// for the codes a matcher takes.
    fn cases(
        &mut self,
        cases: &[ast::DimensionCase],
        structure: &Structure,
        dimension: &DimensionDef,
    ) -> Vec<DimensionCase> {
        let mut lowered = Vec::new();
        for ast::DimensionCase {
            matcher,
            value,
            validity,
            span,
        } in cases
        {
            if !self.dimension_value(dimension, value) {
                continue;
            }
            let matcher = self.matcher(matcher, structure);
            if let (Some(matcher), Some(validity)) = (matcher, self.validity(validity.as_ref())) {
                lowered.push(DimensionCase {
                    matcher,
                    value: value.text.clone(),
                    validity,
                    span: *span,
                });
            }
        }
        lowered
    }
}
