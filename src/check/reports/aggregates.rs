//! Aggregates (`sum(...)`, `flow(...)`, `balance(...)` and the other
//! measures): the codes they select, their filters (movement types,
//! dimension values, chart attributes) and, through `signs`, the measure
//! and sign of each code.

use super::Lowering;
use super::codes::codes_except;
use super::signs::terms;
use crate::check::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::ingest::Movement;
use crate::model::{AggregateDef, Chart, CodeId, DimensionDef, FilterDef};
use crate::source::Span;
use crate::syntax::ast;
use std::collections::BTreeSet;

/// What the name of a filter refers to.
enum FilterTarget {
    Movement,
    /// A dimension, by index.
    Dimension(usize),
    /// An attribute of chart codes: it narrows the code set itself.
    Attribute,
    Unknown,
}

impl Lowering<'_> {
    /// Lowers an aggregate and returns its index. `reaches` says whether
    /// its codes count as reported.
    pub(super) fn aggregate(
        &mut self,
        aggregate: &ast::Aggregate,
        span: Span,
        reaches: bool,
    ) -> Option<usize> {
        let chart = self.chart;
        let mut codes = codes_except(self.checker, chart, &aggregate.codes, &aggregate.except)?;
        if reaches {
            self.reached.extend(codes.iter().copied());
        }
        let mut filters = Vec::new();
        for filter in &aggregate.filters {
            match self.filter_target(&filter.name.text) {
                FilterTarget::Movement => filters.push(movement_filter(self.checker, filter)?),
                FilterTarget::Dimension(index) => {
                    let definition = &self.dimensions[index];
                    filters.push(dimension_filter(self.checker, definition, index, filter)?);
                }
                FilterTarget::Attribute => retain_attribute(chart, filter, &mut codes),
                FilterTarget::Unknown => {
                    self.unknown_filter(filter);
                    return None;
                }
            }
        }
        if codes.is_empty() {
            self.checker.error(
                Diagnostic::error(Code::EmptySelection, "this aggregate selects no chart code")
                    .at(span, "always zero")
                    .help("check the codes, the `except` list and the attribute filters"),
            );
            return None;
        }
        let terms = terms(self.checker, chart, aggregate, &codes, span)?;
        self.aggregates.push(AggregateDef {
            terms,
            filters,
            span,
        });
        Some(self.aggregates.len() - 1)
    }

    /// `movement` first, then a dimension, then a chart attribute of that
    /// name.
    fn filter_target(&self, name: &str) -> FilterTarget {
        if name == "movement" {
            return FilterTarget::Movement;
        }
        if let Some(index) = self.dimensions.iter().position(|d| d.name == name) {
            return FilterTarget::Dimension(index);
        }
        if self
            .chart
            .accounts
            .iter()
            .any(|a| a.attributes.contains_key(name))
        {
            return FilterTarget::Attribute;
        }
        FilterTarget::Unknown
    }

    fn unknown_filter(&mut self, filter: &ast::Filter) {
        let mut known: Vec<String> = vec!["movement".into()];
        known.extend(self.dimensions.iter().map(|d| d.name.clone()));
        let attributes: BTreeSet<&String> = self
            .chart
            .accounts
            .iter()
            .flat_map(|a| a.attributes.keys())
            .collect();
        known.extend(attributes.into_iter().cloned());
        self.checker.lookup(
            &filter.name,
            "attribute, dimension or `movement`",
            known.iter(),
        );
    }
}

/// Keeps the codes whose attribute has (or, negated, has not) one of the
/// values listed.
fn retain_attribute(chart: &Chart, filter: &ast::Filter, codes: &mut BTreeSet<CodeId>) {
    let values: Vec<&str> = filter.values.iter().map(|v| v.text.as_str()).collect();
    codes.retain(|code| {
        let value = chart.accounts[*code].attributes.get(&filter.name.text);
        value.is_some_and(|value| values.contains(&value.as_str())) != filter.negated
    });
}

fn movement_filter(checker: &mut Checker, filter: &ast::Filter) -> Option<FilterDef> {
    let mut values = Vec::new();
    for value in &filter.values {
        if value.text == "none" {
            values.push(None);
        } else if let Some(movement) = Movement::parse(&value.text) {
            values.push(Some(movement));
        } else {
            checker.error(
                Diagnostic::error(Code::UnknownName, format!("unknown movement type `{}`", value.text))
                    .at(value.span, "not a movement type")
                    .help("the movement types are `acquisition`, `disposal`, `transfer`, `borrowing`, `repayment`, and `none`"),
            );
            return None;
        }
    }
    Some(FilterDef::Movement {
        negated: filter.negated,
        values,
    })
}

fn dimension_filter(
    checker: &mut Checker,
    definition: &DimensionDef,
    dimension: usize,
    filter: &ast::Filter,
) -> Option<FilterDef> {
    // The first undeclared value is reported, not the ones after it.
    if !filter
        .values
        .iter()
        .all(|value| checker.dimension_value(definition, value))
    {
        return None;
    }
    Some(FilterDef::Dimension {
        dimension,
        negated: filter.negated,
        values: filter.values.iter().map(|v| v.text.clone()).collect(),
    })
}
