//! The values of a dimension, as report filters and crosswalk dimension
//! rules name them.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::DimensionDef;
use crate::syntax::ast;

impl Checker {
    /// Whether `value` may be a value of `dimension`: one it declares, or
    /// any when it declares none. An undeclared value is reported.
    pub(super) fn dimension_value(&mut self, dimension: &DimensionDef, value: &ast::Name) -> bool {
        let Some(values) = &dimension.values else {
            return true;
        };
        if values.contains_key(&value.text) {
            return true;
        }
        self.error(
            Diagnostic::error(
                Code::BadDimensionValue,
                format!(
                    "`{}` is not a value of dimension `{}`",
                    value.text, dimension.name
                ),
            )
            .at(value.span, "not declared")
            .help(format!("its values are {}", quoted_list(values.keys()))),
        );
        false
    }
}

/// Names in backticks, separated by commas: `a`, `b`, `c`.
pub(super) fn quoted_list<'n>(names: impl IntoIterator<Item = &'n String>) -> String {
    names
        .into_iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
