//! HTML through minijinja templates, with HTML escaping and strict undefined
//! variables set explicitly (never inferred from a template's file name).

use super::Statement;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

/// Templates used when a project has no `reports/templates/` of its own.
pub const DEFAULT_STATEMENT: &str = include_str!("../../reports/templates/statement.html.j2");
pub const DEFAULT_INDEX: &str = include_str!("../../reports/templates/index.html.j2");

pub struct Templates {
    environment: Environment<'static>,
}

/// One link of the index page.
#[derive(Serialize)]
pub struct IndexEntry {
    pub entity: String,
    pub entity_label: String,
    pub report: String,
    pub title: String,
    pub href: String,
    pub checks_passed: bool,
}

impl Templates {
    /// `statement` and `index` are template sources.
    pub fn new(statement: String, index: String) -> Result<Templates, String> {
        let mut environment = Environment::new();
        environment.set_auto_escape_callback(|_| AutoEscape::Html);
        environment.set_undefined_behavior(UndefinedBehavior::Strict);
        environment
            .add_template_owned("statement.html", statement)
            .map_err(|e| format!("reports/templates/statement.html.j2: {e}"))?;
        environment
            .add_template_owned("index.html", index)
            .map_err(|e| format!("reports/templates/index.html.j2: {e}"))?;
        Ok(Templates { environment })
    }

    pub fn statement(&self, statement: &Statement) -> Result<String, String> {
        let template = self
            .environment
            .get_template("statement.html")
            .map_err(|e| e.to_string())?;
        template
            .render(minijinja::context! { s => minijinja::value::Serde(statement) })
            .map_err(|e| format!("reports/templates/statement.html.j2: {e}"))
    }

    pub fn index(
        &self,
        title: &str,
        fiscal_year: i32,
        entries: &[IndexEntry],
    ) -> Result<String, String> {
        let template = self
            .environment
            .get_template("index.html")
            .map_err(|e| e.to_string())?;
        template
            .render(minijinja::context! { title => title, fiscal_year => fiscal_year, entries => minijinja::value::Serde(entries) })
            .map_err(|e| format!("reports/templates/index.html.j2: {e}"))
    }
}
