//! The pipeline, stage by stage: load and parse the specification, check it,
//! read the ledgers into the cube, evaluate, and render the output bundle.

use crate::cube::{self, Cube};
use crate::diagnostic::{Diagnostic, Result};
use crate::digest::sha256;
use crate::eval::{self, Figures};
use crate::model::Program;
use crate::money::Amount;
use crate::output::{Bundle, MANIFEST};
use crate::project::Project;
use crate::render::{self, html};
use crate::source::Sources;
use crate::{check, syntax};
use serde::Serialize;

/// Output formats of `build`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum OutputFormat {
    Html,
    Json,
    Csv,
    Txt,
    // Ministry files: each submission as XML, with its XSD and CSV and
    // JSON views. (A plain comment: clap would show a doc comment in --help.)
    Xml,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Html => "html",
            OutputFormat::Json => "json",
            OutputFormat::Csv => "csv",
            OutputFormat::Txt => "txt",
            OutputFormat::Xml => "xml",
        }
    }
}

/// Parses and checks the project's specification; reads no ledger.
pub fn check_project(project: &Project, sources: &mut Sources) -> Result<Program> {
    let files = project.load_specification(sources)?;
    let trees = parse_files(sources, &files)?;
    check::check_limited(sources, &trees, &|path| project.read(path), &project.limits)
}

/// [`check_project`] with the crosswalk rules valid on `as_of` (by default
/// the closing day of the fiscal year built).
pub fn check_project_as_of(
    project: &Project,
    sources: &mut Sources,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Program> {
    let mut programs = check_project_versions(project, sources, &[as_of])?;
    programs.pop().ok_or_else(Vec::new)
}

/// Reads and parses the specification once and checks it for each date:
/// one program per date, the same in everything but the rules kept.
pub fn check_project_versions(
    project: &Project,
    sources: &mut Sources,
    dates: &[Option<chrono::NaiveDate>],
) -> Result<Vec<Program>> {
    let files = project.load_specification(sources)?;
    let trees = parse_files(sources, &files)?;
    let mut programs = Vec::new();
    for as_of in dates {
        let loader = |path: &str| project.read(path);
        programs.push(check::check_as_of(
            sources,
            &trees,
            &loader,
            &project.limits,
            *as_of,
        )?);
    }
    Ok(programs)
}

fn parse_files(
    sources: &Sources,
    files: &[crate::source::FileId],
) -> Result<Vec<syntax::ast::File>> {
    let mut trees = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    for file in files {
        let (tree, mut diagnostics) = syntax::parse(sources, *file);
        errors.append(&mut diagnostics);
        trees.push(tree);
    }
    if errors.is_empty() {
        Ok(trees)
    } else {
        Err(errors)
    }
}

/// Parses and checks specification files already in `sources`; `loader`
/// reads the crosswalk tables they include (tests and fuzzing use memory).
pub fn check_files(
    sources: &mut Sources,
    files: &[crate::source::FileId],
    loader: &check::Loader<'_>,
) -> Result<Program> {
    let trees = parse_files(sources, files)?;
    check::check(sources, &trees, loader)
}

/// Everything a build computed.
pub struct Built {
    pub cube: Cube,
    pub figures: Figures,
    /// Failing `warning` validation rules: reported, not blocking.
    pub warnings: Vec<Diagnostic>,
}

/// Reads the ledgers, evaluates every figure and runs every check.
pub fn run(
    program: &Program,
    project: &Project,
    sources: &mut Sources,
    options: &cube::ReadOptions<'_>,
) -> Result<Built> {
    let cube = cube::build(program, project, sources, options)?;
    let figures = eval::evaluate(program, &cube)?;
    let mut failures = eval::check_failures(program, &figures);
    failures.extend(eval::rules::diagnostics(program, &figures));
    let blocking = failures
        .iter()
        .any(|d| d.severity == crate::diagnostic::Severity::Error);
    if blocking {
        return Err(failures);
    }
    Ok(Built {
        cube,
        figures,
        warnings: failures,
    })
}

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
    let templates = if formats.contains(&OutputFormat::Html) {
        let statement = project
            .read("reports/templates/statement.html.j2")
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_else(|_| html::DEFAULT_STATEMENT.to_string());
        let index = project
            .read("reports/templates/index.html.j2")
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_else(|_| html::DEFAULT_INDEX.to_string());
        Some(html::Templates::new(statement, index).map_err(template_error)?)
    } else {
        None
    };
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
                    OutputFormat::Html => match &templates {
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
    if formats.contains(&OutputFormat::Xml) {
        submissions(program, built, &mut bundle, &mut index);
    }
    if let Some(templates) = &templates {
        let page = templates
            .index(&program.chart.label, program.fiscal_year, &index)
            .map_err(template_error)?;
        bundle.insert("index.html".into(), page.into_bytes());
    }
    let reconciliation = crate::reconcile::reconciliation(program, &built.cube);
    bundle.insert(
        "reconciliation.json".into(),
        to_json(&reconciliation).into_bytes(),
    );
    bundle.insert(
        "reconciliation.txt".into(),
        crate::reconcile::text(&reconciliation).into_bytes(),
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
    for (entity, data) in program.entities.iter().zip(&built.cube.entities) {
        let table = crate::reconcile::correspondences(program, entity, data, sources);
        bundle.insert(
            format!("{}/correspondances.csv", entity.name),
            table.into_bytes(),
        );
    }
    verify_bundle(program, built, &bundle)?;
    let manifest = manifest(program, built, sources, formats, &bundle);
    bundle.insert(MANIFEST.into(), to_json(&manifest).into_bytes());
    Ok(bundle)
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

/// Re-reads the rendered outputs before anything is committed: each
/// entity's table of local codes must add up to the lines and amounts read,
/// the CSV and JSON views of every statement must carry the same exact
/// values, and every ministry file must read back, through an XML parser,
/// as the values of its CSV and JSON views. A difference is a defect of ours (exit 70), never of the data.
fn verify_bundle(program: &Program, built: &Built, bundle: &Bundle) -> Result<()> {
    let mut errors = Vec::new();
    let defect = |what: String| {
        Diagnostic::error(
            crate::diagnostic::Code::Conservation,
            format!("internal error: {what}"),
        )
        .help("the outputs were not written; please report this with the inputs")
    };
    for (entity, data) in program.entities.iter().zip(&built.cube.entities) {
        let path = format!("{}/correspondances.csv", entity.name);
        let Some(table) = bundle.get(&path) else {
            continue;
        };
        let mut reader = csv::Reader::from_reader(table.as_slice());
        let header: Vec<String> = reader
            .headers()
            .map(|h| h.iter().map(String::from).collect())
            .unwrap_or_default();
        for (year, totals) in &data.reconciliation {
            let lines_column = header.iter().position(|h| *h == format!("lignes_{year}"));
            let balance_column = header.iter().position(|h| *h == format!("solde_{year}"));
            let (Some(lines_column), Some(balance_column)) = (lines_column, balance_column) else {
                errors.push(defect(format!("`{path}` has no columns for {year}")));
                continue;
            };
            let mut lines: u64 = 0;
            let mut balance = Some(Amount::ZERO);
            let mut reader = csv::Reader::from_reader(table.as_slice());
            for record in reader.records().flatten() {
                lines += record
                    .get(lines_column)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
                let amount = record.get(balance_column).and_then(Amount::parse_plain);
                balance = balance
                    .zip(amount)
                    .and_then(|(sum, amount)| sum.checked_add(amount));
            }
            let read = totals.opening_net.checked_add(totals.ledger_net);
            if lines != totals.opening_lines + totals.ledger_lines || balance != read {
                errors.push(defect(format!(
                    "`{path}` for {year} re-reads as {lines} lines and {balance:?}, but {} lines and {read:?} were read",
                    totals.opening_lines + totals.ledger_lines
                )));
            }
        }
    }
    // Statements only: a submission's views have their own layout.
    let is_submission = |path: &str| {
        program
            .submissions
            .iter()
            .any(|s| path.ends_with(&format!("/{}.json", s.name)))
    };
    for (path, content) in bundle
        .iter()
        .filter(|(path, _)| path.ends_with(".json") && path.contains('/') && !is_submission(path))
    {
        let Some(csv_view) = bundle.get(&path.replace(".json", ".csv")) else {
            continue;
        };
        let exact_json: Vec<String> = serde_json::from_slice::<serde_json::Value>(content)
            .ok()
            .and_then(|statement| statement["rows"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .flat_map(|row| row["values"].as_array().cloned().unwrap_or_default())
            .map(|value| value["exact"].as_str().unwrap_or("").to_string())
            .collect();
        let mut reader = csv::Reader::from_reader(csv_view.as_slice());
        let exact_csv: Vec<String> = reader
            .records()
            .flatten()
            .flat_map(|record| {
                record
                    .iter()
                    .skip(6)
                    .step_by(2)
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .filter(|value| !value.is_empty())
            .collect();
        if exact_json != exact_csv {
            errors.push(defect(format!(
                "the CSV and JSON views of `{path}` disagree"
            )));
        }
    }
    for submission in &program.submissions {
        for scope in &built.figures.scopes {
            let base = format!("{}/{}", scope.name, submission.name);
            let view = |extension: &str| bundle.get(&format!("{base}.{extension}"));
            let (Some(xml), Some(csv), Some(json)) = (view("xml"), view("csv"), view("json"))
            else {
                continue;
            };
            let xml = String::from_utf8_lossy(xml);
            if !render::submission::views_agree(&xml, csv, json) {
                errors.push(defect(format!(
                    "`{base}.xml` does not read back as its CSV and JSON views"
                )));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn template_error(message: String) -> Vec<Diagnostic> {
    vec![Diagnostic::error(crate::diagnostic::Code::Template, message)
        .help("fix the template under reports/templates/ (variables are strict: a misspelt name is an error)")]
}

pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

#[derive(Serialize)]
struct Manifest {
    tool: &'static str,
    version: &'static str,
    fiscal_year: i32,
    /// The day whose crosswalk rules made the figures.
    rules_as_of: String,
    /// Every dated crosswalk rule, and whether it applied on that day.
    rule_versions: Vec<RuleVersion>,
    formats: Vec<&'static str>,
    inputs: Vec<FileHash>,
    outputs: Vec<FileHash>,
}

#[derive(Serialize)]
struct RuleVersion {
    crosswalk: String,
    /// `file:line:column` of the rule or the table row.
    rule: String,
    /// A chart code, or `dimension NAME`.
    target: String,
    valid_from: Option<String>,
    valid_until: Option<String>,
    applied: bool,
}

/// The dated rules of every crosswalk, in crosswalk and source order.
fn rule_versions(program: &Program, sources: &Sources) -> Vec<RuleVersion> {
    let mut versions = Vec::new();
    for crosswalk in &program.crosswalks {
        for version in &crosswalk.versions {
            versions.push(RuleVersion {
                crosswalk: crosswalk.name.clone(),
                rule: sources.location(version.span),
                target: match version.target {
                    crate::mapping::VersionTarget::Code(code) => {
                        program.chart.accounts[code].code.clone()
                    }
                    crate::mapping::VersionTarget::Dimension(dimension) => {
                        format!("dimension {}", program.dimensions[dimension].name)
                    }
                },
                valid_from: version.validity.from.map(|day| day.to_string()),
                valid_until: version.validity.until.map(|day| day.to_string()),
                applied: version.applies,
            });
        }
    }
    versions
}

#[derive(Serialize)]
struct FileHash {
    path: String,
    bytes: usize,
    sha256: String,
}

/// What an auditor needs to reproduce the run: tool version, options, and the
/// SHA-256 of every input and output. No clock, no host name: same inputs,
/// same bytes.
fn manifest(
    program: &Program,
    built: &Built,
    sources: &Sources,
    formats: &[OutputFormat],
    bundle: &Bundle,
) -> Manifest {
    let mut inputs: Vec<FileHash> = sources
        .files()
        .filter(|(_, file)| !file.is_excerpt)
        .map(|(_, file)| FileHash {
            path: file.name.clone(),
            bytes: file.text.len(),
            sha256: sha256(file.text.as_bytes()),
        })
        .collect();
    for data in &built.cube.entities {
        for file in &data.files {
            inputs.push(FileHash {
                path: file.path.clone(),
                bytes: file.bytes,
                sha256: file.sha256.clone().unwrap_or_default(),
            });
        }
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    inputs.dedup_by(|a, b| a.path == b.path);
    Manifest {
        tool: "reddition",
        version: env!("CARGO_PKG_VERSION"),
        fiscal_year: program.fiscal_year,
        rules_as_of: program.rules_as_of.to_string(),
        rule_versions: rule_versions(program, sources),
        formats: formats.iter().map(|f| f.extension()).collect(),
        inputs,
        outputs: bundle
            .iter()
            .map(|(path, content)| FileHash {
                path: path.clone(),
                bytes: content.len(),
                sha256: sha256(content),
            })
            .collect(),
    }
}
