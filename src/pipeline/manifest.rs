//! The manifest: what an auditor needs to reproduce a run.

use super::{Built, OutputFormat, to_json};
use crate::digest::sha256;
use crate::model::Program;
use crate::output::Bundle;
use crate::source::Sources;
use serde::Serialize;

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

/// The files a run read besides its ledgers: the specification (with its
/// tables) and the project's HTML templates.
pub(super) struct Inputs<'a> {
    pub sources: &'a Sources,
    pub templates: &'a [(String, Vec<u8>)],
}

#[derive(Serialize)]
struct FileHash {
    path: String,
    bytes: usize,
    sha256: String,
}

/// The manifest of a bundle, as JSON.
pub(super) fn json(
    program: &Program,
    built: &Built,
    inputs: &Inputs<'_>,
    formats: &[OutputFormat],
    bundle: &Bundle,
) -> String {
    to_json(&manifest(program, built, inputs, formats, bundle))
}

/// What an auditor needs to reproduce the run: tool version, options, and the
/// SHA-256 of every input and output. No clock, no host name: same inputs,
/// same bytes.
fn manifest(
    program: &Program,
    built: &Built,
    read: &Inputs<'_>,
    formats: &[OutputFormat],
    bundle: &Bundle,
) -> Manifest {
    let sources = read.sources;
    let mut inputs: Vec<FileHash> = sources
        .files()
        .filter(|(_, file)| !file.is_excerpt)
        .map(|(_, file)| FileHash {
            path: file.name.clone(),
            bytes: file.bytes_read().len(),
            sha256: sha256(&file.bytes_read()),
        })
        .collect();
    inputs.extend(read.templates.iter().map(|(path, bytes)| FileHash {
        path: path.clone(),
        bytes: bytes.len(),
        sha256: sha256(bytes),
    }));
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
