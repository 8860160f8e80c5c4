//! The pipeline, stage by stage: load and parse the specification, check it,
//! read the ledgers into the cube, evaluate, and render the output bundle.

mod bundle;
mod manifest;
mod verify;

pub use bundle::bundle;

use crate::cube::{self, Cube};
use crate::diagnostic::{Diagnostic, Result};
use crate::eval::{self, Figures};
use crate::model::Program;
use crate::project::Project;
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
    /// Failing `warning` validation rules: reported, not blocking (from
    /// [`evaluate`], failing checks and `error` rules too).
    pub warnings: Vec<Diagnostic>,
}

/// Reads the ledgers, evaluates every figure and runs every check.
pub fn run(
    program: &Program,
    project: &Project,
    sources: &mut Sources,
    options: &cube::ReadOptions<'_>,
) -> Result<Built> {
    let built = evaluate(program, project, sources, options)?;
    let blocking = built
        .warnings
        .iter()
        .any(|d| d.severity == crate::diagnostic::Severity::Error);
    if blocking {
        return Err(built.warnings);
    }
    Ok(built)
}

/// Reads the ledgers and evaluates every figure, whether or not the checks
/// pass: their failures are in `warnings`, errors among them (`explain`
/// works on a build that fails its checks, which is when it is needed).
pub fn evaluate(
    program: &Program,
    project: &Project,
    sources: &mut Sources,
    options: &cube::ReadOptions<'_>,
) -> Result<Built> {
    let cube = cube::build(program, project, sources, options)?;
    let figures = eval::evaluate(program, &cube)?;
    let mut failures = program.warnings.clone();
    failures.extend(eval::check_failures(program, &figures));
    failures.extend(eval::rules::diagnostics(program, &figures));
    Ok(Built {
        cube,
        figures,
        warnings: failures,
    })
}

pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
