//! The output bundle: every statement in every format, the ministry files,
//! the reconciliation, validation and eliminations reports and the code
//! correspondences, re-read, then the manifest.

use super::{Built, OutputFormat, manifest, to_json, verify};
use crate::diagnostic::{Diagnostic, Result};
use crate::model::Program;
use crate::output::{Bundle, MANIFEST};
use crate::project::Project;
use crate::render::{self, html};
use crate::source::Sources;

/// Renders every statement of every entity and group in the requested
/// formats, plus the reconciliation, the code correspondences and the manifest.
pub fn bundle(
    program: &Program,
    built: &Built,
    project: &Project,
    sources: &Sources,
    formats: &[OutputFormat],
) -> Result<Bundle> {
    let mut bundle = Bundle::new();
    let (templates, template_files) = if formats.contains(&OutputFormat::Html) {
        let (templates, files) = templates(project)?;
        (Some(templates), files)
    } else {
        (None, Vec::new())
    };
    let mut index = statements(program, built, formats, templates.as_ref(), &mut bundle)?;
    if formats.contains(&OutputFormat::Xml) {
        submissions(program, built, &mut bundle, &mut index);
    }
    if let Some(templates) = &templates {
        let page = templates
            .index(&program.chart.label, program.fiscal_year, &index)
            .map_err(template_error)?;
        bundle.insert("index.html".into(), page.into_bytes());
    }
    reports(program, built, sources, &mut bundle);
    verify::verify_bundle(program, built, &bundle)?;
    let inputs = manifest::Inputs {
        sources,
        templates: &template_files,
    };
    let manifest = manifest::json(program, built, &inputs, formats, &bundle);
    bundle.insert(MANIFEST.into(), manifest.into_bytes());
    Ok(bundle)
}

/// A template file the project has: its path and bytes.
type TemplateFile = (String, Vec<u8>);

/// The project's HTML templates, or the built-in ones where it has none,
/// with the project's template files read (for the manifest). A template
/// that exists but cannot be read, or is not UTF-8, is an error: falling
/// back to the built-in one would change the pages without a word.
fn templates(project: &Project) -> Result<(html::Templates, Vec<TemplateFile>)> {
    let mut read = Vec::new();
    let mut errors = Vec::new();
    let mut text = |path: &str, default: &str| match template_file(project, path) {
        Ok(None) => default.to_string(),
        Ok(Some((text, bytes))) => {
            read.push((path.to_string(), bytes));
            text
        }
        Err(error) => {
            errors.push(error);
            String::new()
        }
    };
    let statement = text(
        "reports/templates/statement.html.j2",
        html::DEFAULT_STATEMENT,
    );
    let index = text("reports/templates/index.html.j2", html::DEFAULT_INDEX);
    if !errors.is_empty() {
        return Err(errors);
    }
    let templates = html::Templates::new(statement, index).map_err(template_error)?;
    Ok((templates, read))
}

/// A template file of the project: `None` if there is none.
fn template_file(
    project: &Project,
    path: &str,
) -> std::result::Result<Option<(String, Vec<u8>)>, Diagnostic> {
    let bytes = match project.read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(
                crate::project::read_error(&format!("the template `{path}`"), &error)
                    .help("make the template readable, or remove it to use the built-in one"),
            );
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let bytes = text.as_bytes().to_vec();
            Ok(Some((text, bytes)))
        }
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let start = valid
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |at| at + 1);
            let column = String::from_utf8_lossy(&valid[start..]).chars().count() + 1;
            let byte = error.as_bytes()[valid.len()];
            Err(Diagnostic::error(
                crate::diagnostic::Code::Template,
                format!("`{path}`:{line}:{column}: the template is not UTF-8 (byte 0x{byte:02X})"),
            )
            .help("save the template as UTF-8"))
        }
    }
}

/// Every report of every scope in every statement format:
/// `<scope>/<report>.<format>`. Returns the index entries, in order.
fn statements(
    program: &Program,
    built: &Built,
    formats: &[OutputFormat],
    templates: Option<&html::Templates>,
    bundle: &mut Bundle,
) -> Result<Vec<html::IndexEntry>> {
    let mut index = Vec::new();
    for (scope_index, scope) in built.figures.scopes.iter().enumerate() {
        for report_index in 0..program.reports.len() {
            let statement = render::statement(program, &built.figures, report_index, scope_index);
            let base = format!("{}/{}", scope.name, statement.report);
            for format in formats {
                let content = match format {
                    OutputFormat::Json => render::json(&statement),
                    OutputFormat::Csv => render::csv::render(&statement),
                    OutputFormat::Txt => render::text::render(&statement),
                    OutputFormat::Xml => continue,
                    OutputFormat::Html => match templates {
                        Some(templates) => {
                            templates.statement(&statement).map_err(template_error)?
                        }
                        None => continue,
                    },
                };
                bundle.insert(
                    format!("{base}.{}", format.extension()),
                    content.into_bytes(),
                );
            }
            index.push(html::IndexEntry {
                entity: scope.name.clone(),
                entity_label: scope.label.clone(),
                report: statement.report.clone(),
                title: statement.title.clone(),
                href: format!("{base}.html"),
                checks_passed: statement
                    .checks
                    .iter()
                    .all(|c| c.results.iter().all(|r| r.passed)),
            });
        }
    }
    Ok(index)
}

/// The reports of the whole build: reconciliation, rounding, validation (when rules
/// are declared), eliminations (when a group consolidates) and each
/// entity's table of local-code correspondences.
fn reports(program: &Program, built: &Built, sources: &Sources, bundle: &mut Bundle) {
    let reconciliation = crate::reconcile::reconciliation(program, &built.cube);
    bundle.insert(
        "reconciliation.json".into(),
        to_json(&reconciliation).into_bytes(),
    );
    bundle.insert(
        "reconciliation.txt".into(),
        crate::reconcile::text(&reconciliation).into_bytes(),
    );
    let rounding = render::rounding::report(program, &built.figures);
    bundle.insert("arrondis.json".into(), to_json(&rounding).into_bytes());
    bundle.insert(
        "arrondis.txt".into(),
        render::rounding::text(&rounding).into_bytes(),
    );
    if !program.validations.is_empty() {
        let validation = render::validation::report(program, &built.figures);
        bundle.insert("validation.json".into(), to_json(&validation).into_bytes());
        bundle.insert(
            "validation.txt".into(),
            render::validation::text(&validation).into_bytes(),
        );
    }
    if let Some(eliminations) = crate::consolidate::eliminations(program, &built.cube) {
        bundle.insert(
            "eliminations.json".into(),
            to_json(&eliminations).into_bytes(),
        );
        bundle.insert(
            "eliminations.txt".into(),
            crate::consolidate::text(&eliminations).into_bytes(),
        );
    }
    for (scope, name) in built.figures.scopes.iter().enumerate() {
        let file = crate::provenance::build_file(program, built, sources, scope);
        // Compact: a figure per column per scope, a few megabytes each.
        let mut text = serde_json::to_string(&file).unwrap_or_default();
        text.push('\n');
        bundle.insert(format!("{}/provenance.json", name.name), text.into_bytes());
    }
    for (entity, data) in program.entities.iter().zip(&built.cube.entities) {
        let table = crate::reconcile::correspondences(program, entity, data, sources);
        bundle.insert(
            format!("{}/correspondances.csv", entity.name),
            table.into_bytes(),
        );
    }
}

/// Every submission for every scope: `<scope>/<submission>.{xml,csv,json}`,
/// and once per submission its schema, `schemas/<submission>.xsd`. Each file
/// is listed in the index under its entity, after the statements.
fn submissions(
    program: &Program,
    built: &Built,
    bundle: &mut Bundle,
    index: &mut Vec<html::IndexEntry>,
) {
    use render::submission as files;
    for submission in &program.submissions {
        bundle.insert(
            format!("schemas/{}.xsd", submission.name),
            files::xsd(program, submission).into_bytes(),
        );
        for (scope_index, scope) in built.figures.scopes.iter().enumerate() {
            let tree = files::tree(program, &built.figures, submission, scope_index);
            let base = format!("{}/{}", scope.name, submission.name);
            let json = files::json(program, &built.figures, submission, scope_index, &tree);
            bundle.insert(
                format!("{base}.xml"),
                files::xml(submission, &tree).into_bytes(),
            );
            bundle.insert(format!("{base}.csv"), files::csv(&tree).into_bytes());
            bundle.insert(format!("{base}.json"), json.into_bytes());
            index.push(html::IndexEntry {
                entity: scope.name.clone(),
                entity_label: scope.label.clone(),
                report: submission.name.clone(),
                title: format!("{} (fichier XML pour le ministère)", submission.label),
                href: format!("{base}.xml"),
                checks_passed: true,
            });
        }
    }
}

fn template_error(message: String) -> Vec<Diagnostic> {
    vec![Diagnostic::error(crate::diagnostic::Code::Template, message)
        .help("fix the template under reports/templates/ (variables are strict: a misspelt name is an error)")]
}
