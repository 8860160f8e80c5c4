//! The `reddition` command: parses arguments, runs the pipeline, prints
//! diagnostics and sets the exit code. It holds no compiler logic.

use clap::{Parser, Subcommand};
use reddition::diagnostic::{self, Diagnostic};
use reddition::limits::Limits;
use reddition::pipeline::{self, OutputFormat};
use reddition::project::Project;
use reddition::source::Sources;
use reddition::{explain, output};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// A compiler for regulatory and financial reports: from each centre's ledger
/// exports to checked, reproducible PSAS statements.
#[derive(Parser)]
#[command(name = "reddition", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How diagnostics are printed on stderr: for people, or one JSON document for tools.
    #[arg(long, global = true, value_enum, default_value = "human")]
    error_format: ErrorFormat,
    /// Raise or lower a limit, as NAME=VALUE (spec-file-bytes, spec-files, tables,
    /// ledger-file-bytes, line-bytes, columns, local-codes); repeatable.
    #[arg(long = "limit", global = true, value_name = "NAME=VALUE")]
    limits: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ErrorFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and fully check the specification, without reading any ledger.
    Check {
        /// Project root (a folder with reports/); the current folder by default.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Read the ledgers, map, evaluate, check, and write every statement.
    Build {
        /// Project root (a folder with reports/); the current folder by default.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output folder, replaced as a whole (and only if it is a previous output or empty).
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Output formats, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "html,json,csv,txt")]
        format: Vec<OutputFormat>,
    },
    /// Show how one figure was obtained, down to local codes and crosswalk rules.
    Explain {
        /// The figure, as REPORT.LINE (e.g. situation.encaisse).
        figure: String,
        /// Entity or group (by default the first group, or the only entity).
        #[arg(long)]
        entity: Option<String>,
        /// Fiscal year, by its closing year (by default the year built).
        #[arg(long)]
        year: Option<i32>,
        /// Also list up to N ledger lines behind each local code.
        #[arg(long, value_name = "N", default_value_t = 0)]
        lines: usize,
        /// Project root.
        #[arg(long, default_value = ".")]
        project: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    // Ctrl-C: remove any half-written output, leave the previous one, exit 130.
    let _ = ctrlc::set_handler(|| {
        output::abandon();
        eprintln!("interrupted: nothing was written");
        std::process::exit(130);
    });
    let outcome = std::panic::catch_unwind(|| run(cli));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(_) => {
            eprintln!(
                "error: internal error (this is a bug in reddition; please report it with the command and inputs)"
            );
            ExitCode::from(70)
        }
    }
}

fn run(cli: Cli) -> u8 {
    let mut sources = Sources::default();
    let mut limits = Limits::default();
    for assignment in &cli.limits {
        if let Err(why) = limits.set(assignment) {
            let message = format!("invalid --limit: {why}");
            if cli.error_format == ErrorFormat::Json {
                eprint!("{}", usage_json(&message));
            } else {
                eprintln!("error: {message}");
            }
            return 2;
        }
    }
    let project = |root: PathBuf| Project { root, limits };
    let result = match cli.command {
        Command::Check { path } => check(&project(path), &mut sources),
        Command::Build { path, out, format } => build(&project(path), &mut sources, &out, &format),
        Command::Explain {
            figure,
            entity,
            year,
            lines,
            project: root,
        } => explain_figure(
            &project(root),
            &mut sources,
            &figure,
            entity.as_deref(),
            year,
            lines,
        ),
    };
    match result {
        Ok(()) => 0,
        Err(mut diagnostics) => {
            diagnostic::sort(&mut diagnostics);
            let mut stderr = std::io::stderr().lock();
            if cli.error_format == ErrorFormat::Json {
                let _ =
                    stderr.write_all(diagnostic::render_json(&sources, &diagnostics).as_bytes());
                return diagnostic::exit_code(&diagnostics).clamp(1, 255) as u8;
            }
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let _ = stderr.write_all(diagnostic::render(&sources, &diagnostics, colour).as_bytes());
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == diagnostic::Severity::Error)
                .count();
            let _ = writeln!(
                stderr,
                "error: {errors} error{} found; nothing was written",
                if errors == 1 { "" } else { "s" }
            );
            diagnostic::exit_code(&diagnostics).clamp(1, 255) as u8
        }
    }
}

fn check(project: &Project, sources: &mut Sources) -> Result<(), Vec<Diagnostic>> {
    let program = pipeline::check_project(project, sources)?;
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    say_line(format!(
        "ok: {}, {}, {}, {}, {} checked",
        count(program.chart.accounts.len(), "chart code", "chart codes"),
        count(program.crosswalks.len(), "crosswalk", "crosswalks"),
        count(program.entities.len(), "entity", "entities"),
        count(program.reports.len(), "report", "reports"),
        count(program.figures.len(), "figure", "figures")
    ));
    Ok(())
}

fn build(
    project: &Project,
    sources: &mut Sources,
    out: &std::path::Path,
    formats: &[OutputFormat],
) -> Result<(), Vec<Diagnostic>> {
    let program = pipeline::check_project(project, sources)?;
    let built = pipeline::run(&program, project, sources)?;
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let bundle = pipeline::bundle(&program, &built, project, sources, &formats)?;
    let mut inputs: Vec<PathBuf> = sources
        .files()
        .map(|(_, file)| project.root.join(&file.name))
        .collect();
    inputs.extend(
        built
            .cube
            .entities
            .iter()
            .flat_map(|entity| &entity.files)
            .map(|file| project.root.join(&file.path)),
    );
    inputs.push(project.root.join("reports"));
    output::check_target(out, &inputs).map_err(|d| vec![d])?;
    output::commit(out, &bundle).map_err(|d| vec![d])?;
    let lines: u64 = built
        .cube
        .entities
        .iter()
        .flat_map(|e| e.reconciliation.values())
        .map(|r| r.opening_lines + r.ledger_lines)
        .sum();
    let checks = built.figures.checks.len();
    say_line(format!(
        "ok: {} ledger lines mapped, {} statements, {checks} checks passed, {} files written to {}",
        lines,
        built.figures.scopes.len() * program.reports.len(),
        bundle.len(),
        out.display()
    ));
    Ok(())
}

fn explain_figure(
    project: &Project,
    sources: &mut Sources,
    figure: &str,
    entity: Option<&str>,
    year: Option<i32>,
    lines: usize,
) -> Result<(), Vec<Diagnostic>> {
    let program = pipeline::check_project(project, sources)?;
    let Some(figure_id) = explain::find(&program, figure) else {
        let known = explain::names(&program);
        let help = match reddition::check::closest(figure, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "name it as REPORT.LINE, e.g. `{}`",
                known.first().copied().unwrap_or("situation.encaisse")
            ),
        };
        return Err(vec![
            Diagnostic::error(
                diagnostic::Code::UnknownName,
                format!("no figure `{figure}`"),
            )
            .help(help),
        ]);
    };
    let built = pipeline::run(&program, project, sources)?;
    let scopes = &built.figures.scopes;
    let scope = match entity {
        Some(name) => scopes.iter().position(|s| s.name == name).ok_or_else(|| {
            let names: Vec<&str> = scopes.iter().map(|s| s.name.as_str()).collect();
            vec![
                Diagnostic::error(
                    diagnostic::Code::UnknownName,
                    format!("no entity or group `{name}`"),
                )
                .help(format!("choose one of {}", names.join(", "))),
            ]
        })?,
        None => scopes.iter().position(|s| s.is_group).unwrap_or(0),
    };
    let year = year.unwrap_or(program.fiscal_year);
    let ledger = if lines > 0 {
        explain::ledger_lines(&program, &built, project, figure_id, scope, year, lines)
    } else {
        explain::LedgerLines::new()
    };
    say(&explain::explain(
        &program, &built, sources, figure_id, scope, year, &ledger,
    ));
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly.
fn say(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn say_line(text: String) {
    say(&format!("{text}\n"));
}

/// Usage errors (exit 2) in the requested format; `--help` and `--version`
/// print as clap prints them (exit 0).
fn usage_error(error: clap::Error) -> ExitCode {
    let wants_json = std::env::args()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|pair| pair[0] == "--error-format" && pair[1] == "json")
        || std::env::args().any(|arg| arg == "--error-format=json");
    if !error.use_stderr() || !wants_json {
        let _ = error.print();
        return ExitCode::from(error.exit_code().clamp(0, 255) as u8);
    }
    let rendered = error.render().to_string();
    let message = rendered
        .lines()
        .next()
        .unwrap_or("usage error")
        .trim_start_matches("error: ");
    eprint!("{}", usage_json(message));
    ExitCode::from(2)
}

fn usage_json(message: &str) -> String {
    let document = serde_json::json!({
        "diagnostics": [{ "code": "usage", "severity": "error", "message": message,
                          "location": null, "labels": [], "notes": [], "help": "see --help" }],
        "exit_code": 2,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&document).unwrap_or_default()
    )
}
