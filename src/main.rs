//! The `reddition` command: parses arguments, runs the pipeline, prints
//! diagnostics and sets the exit code. It holds no compiler logic.

use clap::{Parser, Subcommand};
use reddition::commands::explain;
use reddition::commands::trial_balance::{self, AmountColumns, By, FileOptions};
use reddition::cube::{Progress, ReadOptions};
use reddition::diagnostic::{self, Diagnostic};
use reddition::limits::Limits;
use reddition::output;
use reddition::pipeline::{self, OutputFormat};
use reddition::project::Project;
use reddition::source::Sources;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A compiler for regulatory and financial reports: from each centre's ledger
/// exports to checked, reproducible PSAS statements.
#[derive(Parser)]
#[command(name = "reddition", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How diagnostics are printed on stderr: for people, or one JSON document for tools.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "human",
        display_order = 990
    )]
    error_format: ErrorFormat,
    /// Raise or lower a limit, as NAME=VALUE (spec-file-bytes, spec-files, tables,
    /// ledger-file-bytes, line-bytes, columns, local-codes); repeatable.
    #[arg(
        long = "limit",
        global = true,
        value_name = "NAME=VALUE",
        display_order = 991
    )]
    limits: Vec<String>,
    /// No progress bar (one is shown on a terminal when reading takes over a second).
    #[arg(long, short, global = true, display_order = 992)]
    quiet: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ErrorFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExplainFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and fully check the specification, without reading any ledger.
    Check {
        /// Project root (a folder with reports/); the current folder by default.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Keep the crosswalk rules valid on this day (YYYY-MM-DD); by default the fiscal year's end.
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Read the ledgers, map, evaluate, check, and write every statement and ministry file.
    Build {
        /// Project root (a folder with reports/); the current folder by default.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output folder, replaced as a whole (and only if it is a previous output or empty).
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Output formats, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "html,json,csv,txt,xml")]
        format: Vec<OutputFormat>,
        /// If another run is writing the same --out, wait for it instead of failing.
        #[arg(long)]
        wait: bool,
        /// Map with the crosswalk rules valid on this day (YYYY-MM-DD); by default the fiscal year's end.
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Show how one figure was obtained, down to local codes and crosswalk rules.
    Explain {
        /// The figure, as REPORT.LINE or REPORT.LINE[COLUMN] (e.g.
        /// situation.encaisse, rapport_trimestriel.revenus[t2]); REPORT.CHECK
        /// explains both sides of a check.
        figure: String,
        /// Entity or group (by default the first group, or the only entity).
        #[arg(long)]
        entity: Option<String>,
        /// Fiscal year, by its closing year: the report's whole-year column of
        /// that year (by default the year built; a [COLUMN] overrides it).
        #[arg(long, value_parser = clap::value_parser!(i32).range(1900..=9999))]
        year: Option<i32>,
        /// Also list up to N ledger lines behind each local code (text).
        #[arg(long, value_name = "N", default_value_t = 0)]
        lines: usize,
        /// text, or json: the provenance with every ledger line
        /// (schema reddition.provenance/1).
        #[arg(long, value_enum, default_value = "text")]
        format: ExplainFormat,
        /// Project root.
        #[arg(long, default_value = ".")]
        project: PathBuf,
        /// Map with the crosswalk rules valid on this day (YYYY-MM-DD); by default the fiscal year's end.
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Build twice, with the crosswalk rules valid on two days, and show every
    /// figure that moved and the local codes that moved it.
    ///
    /// Exit 0 whether or not figures moved; an error in either build is
    /// reported as `build` reports it.
    Diff {
        /// Project root (a folder with reports/); the current folder by default.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The day of the rules before (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        from: chrono::NaiveDate,
        /// The day of the rules after (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        to: chrono::NaiveDate,
        /// Only this entity or group.
        #[arg(long)]
        entity: Option<String>,
    },
    /// Write the trial balance as CSV: the exact balance of each local account
    /// of each entity for the fiscal year built (`entity,account,balance`).
    ///
    /// The project's sources are read with every check of `build` except the
    /// reports' own. With --file, one export is read instead, in the dialect
    /// given by the flags, and summed by account as it is (no crosswalk, no
    /// balance check). Rows are sorted by entity, account and period; amounts
    /// are exact, with at least two decimals, debit positive.
    TrialBalance(Box<TrialBalanceArgs>),
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("amounts").args(["amount", "debit"])))]
struct TrialBalanceArgs {
    /// Project root (a folder with reports/); the current folder by default.
    #[arg(conflicts_with = "file")]
    path: Option<PathBuf>,
    /// What a row's account is: the local account, or the harmonized chart code.
    #[arg(long, value_enum, conflicts_with = "file")]
    by: Option<By>,
    /// One row per account and period: P0 (opening balances), P1 (July) to P12 (June), P13 (year-end adjustments).
    #[arg(long, conflicts_with = "file")]
    by_period: bool,
    /// Write the CSV to this file (replaced atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// If another run is writing the same --out, wait for it instead of failing.
    #[arg(long, requires = "out")]
    wait: bool,
    /// Read this one CSV export instead of the project's sources.
    #[arg(long, value_name = "FILE", requires_all = ["entity", "account", "amounts"])]
    file: Option<PathBuf>,
    /// With --file: the entity named in the `entity` column.
    #[arg(long, requires = "file")]
    entity: Option<String>,
    /// With --file: the field delimiter.
    #[arg(long, requires = "file", default_value = ",")]
    delimiter: String,
    /// With --file: the quote character.
    #[arg(long, requires = "file", default_value = "\"")]
    quote: String,
    /// With --file: the decimal mark of amounts (`.` or `,`).
    #[arg(long, requires = "file", default_value = ".")]
    decimal: String,
    /// With --file: the character between thousands (none by default).
    #[arg(long, requires = "file")]
    thousands: Option<String>,
    /// With --file: `utf-8` or `windows-1252`.
    #[arg(long, requires = "file", default_value = "utf-8")]
    encoding: String,
    /// With --file: the date pattern (%Y, %m, %d).
    #[arg(long, requires = "file", default_value = "%Y-%m-%d")]
    date: String,
    /// With --file: the header of the date column.
    #[arg(long, value_name = "COL", requires = "file", default_value = "Date")]
    date_column: String,
    /// With --file: the header of the account column.
    #[arg(long, value_name = "COL", requires = "file")]
    account: Option<String>,
    /// With --file: the header of the signed amount column (debit positive).
    #[arg(long, value_name = "COL", requires = "file", conflicts_with_all = ["debit", "credit"])]
    amount: Option<String>,
    /// With --file: the header of the debit column (with --credit).
    #[arg(long, value_name = "COL", requires_all = ["file", "credit"])]
    debit: Option<String>,
    /// With --file: the header of the credit column (with --debit).
    #[arg(long, value_name = "COL", requires_all = ["file", "debit"])]
    credit: Option<String>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    // Ctrl-C: the handler removes nothing itself; it records the request
    // and the run stops at its next check (while reading, before and
    // during a commit). A second Ctrl-C outside a commit exits at once.
    let _ = ctrlc::set_handler(|| match output::interrupt() {
        output::Interruption::Deferred => {}
        output::Interruption::NothingWritten => interrupted_exit(),
        output::Interruption::AlreadyWritten => {
            eprintln!("interrupted: the output was already written");
            std::process::exit(130);
        }
    });
    ExitCode::from(guarded(|| run(cli)))
}

/// Exit 70 for a bug: a panic anywhere in a run is reported as an internal
/// error, never as a crash with the default exit code 101.
fn guarded(run: impl FnOnce() -> u8 + std::panic::UnwindSafe) -> u8 {
    std::panic::catch_unwind(run).unwrap_or_else(|_| {
        eprintln!(
            "error: internal error (this is a bug in reddition; please report it with the command and inputs)"
        );
        70
    })
}

fn run(cli: Cli) -> u8 {
    let mut sources = Sources::default();
    let limits = match limits(&cli.limits) {
        Ok(limits) => limits,
        Err(message) => {
            if cli.error_format == ErrorFormat::Json {
                eprint!("{}", usage_json(&message));
            } else {
                eprintln!("error: {message}");
            }
            return 2;
        }
    };
    let progress = Arc::new(Progress::default());
    let display = ProgressDisplay::start(&progress, cli.quiet);
    let reading = ReadOptions {
        progress: Some(&progress),
        cancelled: Some(output::interrupted),
        ..ReadOptions::default()
    };
    let result = dispatch(cli.command, limits, &mut sources, &reading);
    drop(display);
    if result.is_err() && output::interrupted() && !output::previous_aside() {
        // Whatever failed, it failed because the run stopped for Ctrl-C
        // (unless the previous output could not be put back: that error
        // says where it is).
        interrupted_exit();
    }
    match result {
        Ok(warnings) => report_warnings(&sources, warnings, cli.error_format),
        Err(diagnostics) => report_failure(&sources, diagnostics, cli.error_format),
    }
}

/// The bounds on inputs, from the defaults and every `--limit NAME=VALUE`.
fn limits(assignments: &[String]) -> Result<Limits, String> {
    let mut limits = Limits::default();
    for assignment in assignments {
        limits
            .set(assignment)
            .map_err(|why| format!("invalid --limit: {why}"))?;
    }
    Ok(limits)
}

/// Runs one command. Returns the failing `warning` validation rules of a
/// successful run, to be reported.
fn dispatch(
    command: Command,
    limits: Limits,
    sources: &mut Sources,
    reading: &ReadOptions<'_>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let project = |root: PathBuf| Project { root, limits };
    match command {
        Command::Check { path, as_of } => check(&project(path), sources, as_of),
        Command::Build {
            path,
            out,
            format,
            wait,
            as_of,
        } => {
            let reading = ReadOptions {
                hash: true,
                ..*reading
            };
            let mut reservation = reserve(&out, "folder", wait)?;
            let target = (out.as_path(), &mut reservation);
            build(&project(path), sources, target, &format, &reading, as_of)
        }
        Command::Explain {
            figure,
            entity,
            year,
            lines,
            format,
            project: root,
            as_of,
        } => explain_figure(
            &project(root),
            sources,
            &figure,
            entity.as_deref(),
            (year, lines, format),
            (reading, as_of),
        ),
        Command::Diff {
            path,
            from,
            to,
            entity,
        } => reddition::commands::diff::diff(
            &project(path),
            sources,
            (from, to),
            entity.as_deref(),
            reading,
        )
        .map(|text| {
            say(&text);
            vec![]
        }),
        Command::TrialBalance(args) => trial_balance_command(*args, limits, sources, reading),
    }
}

/// `trial-balance`: of one export read with a dialect given by flags, or of
/// a project's cube.
fn trial_balance_command(
    args: TrialBalanceArgs,
    limits: Limits,
    sources: &mut Sources,
    reading: &ReadOptions<'_>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let out = args.out.clone();
    let mut reservation = match &out {
        Some(out) => Some(reserve(out, "file", args.wait)?),
        None => None,
    };
    let (balance, by_period) = match args.file.clone() {
        Some(path) => (
            trial_balance::file(&file_options(args, path), &limits, sources),
            false,
        ),
        None => {
            let root = args.path.unwrap_or_else(|| PathBuf::from("."));
            let by = args.by.unwrap_or_default();
            let project = Project { root, limits };
            (
                trial_balance::project(&project, sources, by, args.by_period, reading),
                args.by_period,
            )
        }
    };
    let target = out.as_deref().zip(reservation.as_mut());
    balance.and_then(|balance| write_trial_balance(&balance, by_period, target))
}

/// Whether diagnostics printed on a terminal may be coloured.
/// Reserves `--out` before anything is read, waiting with `wait`.
fn reserve(
    out: &std::path::Path,
    what: &str,
    wait: bool,
) -> Result<output::Reservation, Vec<Diagnostic>> {
    let mut say = || {
        eprintln!(
            "waiting for another run writing `{}` to finish…",
            out.display()
        );
    };
    let wait = wait.then_some(&mut say as &mut dyn FnMut());
    output::reserve(out, what, wait).map_err(|d| vec![d])
}

fn interrupted_exit() -> ! {
    eprintln!("interrupted: nothing was written");
    std::process::exit(130);
}

fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Prints the warnings of a successful run; exit 0.
fn report_warnings(sources: &Sources, mut warnings: Vec<Diagnostic>, format: ErrorFormat) -> u8 {
    if warnings.is_empty() {
        return 0;
    }
    diagnostic::sort(&mut warnings);
    let text = match format {
        ErrorFormat::Json => diagnostic::render_json(sources, &warnings),
        ErrorFormat::Human => diagnostic::render(sources, &warnings, colour()),
    };
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
    0
}

/// Prints the diagnostics of a failed run; the exit code of its most
/// specific class.
fn report_failure(sources: &Sources, mut diagnostics: Vec<Diagnostic>, format: ErrorFormat) -> u8 {
    diagnostic::sort(&mut diagnostics);
    let code = diagnostic::exit_code(&diagnostics).clamp(1, 255) as u8;
    let mut stderr = std::io::stderr().lock();
    if format == ErrorFormat::Json {
        let _ = stderr.write_all(diagnostic::render_json(sources, &diagnostics).as_bytes());
        return code;
    }
    let _ = stderr.write_all(diagnostic::render(sources, &diagnostics, colour()).as_bytes());
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == diagnostic::Severity::Error)
        .count();
    let _ = writeln!(
        stderr,
        "error: {errors} error{} found; nothing was written",
        if errors == 1 { "" } else { "s" }
    );
    code
}

/// `check`: the specification checked; its warnings, to be printed.
fn check(
    project: &Project,
    sources: &mut Sources,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let program = pipeline::check_project_as_of(project, sources, as_of)?;
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    // Submissions are named only when there are some: projects without
    // ministry files read as before.
    let submissions = match program.submissions.len() {
        0 => String::new(),
        n => format!(", {}", count(n, "submission", "submissions")),
    };
    say_line(format!(
        "ok: {}, {}, {}, {}, {}{submissions} checked",
        count(program.chart.accounts.len(), "chart code", "chart codes"),
        count(program.crosswalks.len(), "crosswalk", "crosswalks"),
        count(program.entities.len(), "entity", "entities"),
        count(program.reports.len(), "report", "reports"),
        count(program.figures.len(), "figure", "figures")
    ));
    if as_of.is_some() {
        say_line(as_of_summary(&program));
    }
    Ok(program.warnings)
}

/// `--as-of`: a day written YYYY-MM-DD.
fn as_of_date(text: &str) -> Result<chrono::NaiveDate, String> {
    reddition::mapping::parse_date(text)
}

/// What `check --as-of` kept: how many dated rules apply on the day.
fn as_of_summary(program: &reddition::model::Program) -> String {
    let versions = program.crosswalks.iter().flat_map(|c| &c.versions);
    let (dated, applied) = versions.fold((0, 0), |(dated, applied), version| {
        (dated + 1, applied + usize::from(version.applies))
    });
    format!(
        "crosswalk rules as of {}: {applied} of {dated} dated rule{} apply",
        program.rules_as_of,
        if dated == 1 { "" } else { "s" }
    )
}

fn build(
    project: &Project,
    sources: &mut Sources,
    (out, reservation): (&std::path::Path, &mut output::Reservation),
    formats: &[OutputFormat],
    reading: &ReadOptions<'_>,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let program = pipeline::check_project_as_of(project, sources, as_of)?;
    let built = pipeline::run(&program, project, sources, reading)?;
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let bundle = pipeline::bundle(&program, &built, project, sources, &formats)?;
    let mut inputs: Vec<(PathBuf, String)> = sources
        .files()
        .filter(|(_, file)| !file.is_excerpt)
        .map(|(_, file)| (project.root.join(&file.name), file.name.clone()))
        .collect();
    inputs.extend(
        built
            .cube
            .entities
            .iter()
            .flat_map(|entity| &entity.files)
            .map(|file| (project.root.join(&file.path), file.path.clone())),
    );
    inputs.push((project.root.join("reports"), "reports".to_string()));
    output::check_target(out, &inputs).map_err(|d| vec![d])?;
    let committed = output::commit_reserved(&mut output::RealDisk, reservation, &bundle)
        .map_err(|d| vec![d])?;
    let lines: u64 = built
        .cube
        .entities
        .iter()
        .flat_map(|e| e.reconciliation.values())
        .map(|r| r.opening_lines + r.ledger_lines)
        .sum();
    let checks = built.figures.checks.len();
    let rules = match built.figures.rules.len() {
        0 => String::new(),
        count => {
            let failed = built.warnings.len();
            let plural = if failed == 1 { "" } else { "s" };
            format!(", {count} validation results ({failed} warning{plural})")
        }
    };
    let ministry_files = match formats.contains(&OutputFormat::Xml) {
        true => built.figures.scopes.len() * program.submissions.len(),
        false => 0,
    };
    let ministry_files = match ministry_files {
        0 => String::new(),
        1 => ", 1 ministry file".to_string(),
        n => format!(", {n} ministry files"),
    };
    say_line(format!(
        "ok: {} ledger lines mapped, {} statements{ministry_files}, {checks} checks passed{rules}, {} files written to {}",
        lines,
        built.figures.scopes.len() * program.reports.len(),
        bundle.len(),
        out.display()
    ));
    let mut warnings = built.warnings;
    warnings.extend(committed);
    Ok(warnings)
}

fn explain_figure(
    project: &Project,
    sources: &mut Sources,
    figure: &str,
    entity: Option<&str>,
    (year, lines, format): (Option<i32>, usize, ExplainFormat),
    (reading, as_of): (&ReadOptions<'_>, Option<chrono::NaiveDate>),
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let program = pipeline::check_project_as_of(project, sources, as_of)?;
    let (name, column_name) = explain::split_column(figure);
    let figure_ids = explain::find(&program, name);
    let Some(first) = figure_ids.first().copied() else {
        return Err(vec![explain::unknown_figure(&program, name)]);
    };
    let column = explain::column(&program, first, column_name, year)
        .map_err(|names| vec![explain::unknown_column(name, column_name, &names)])?;
    // Checks that fail are said, not blocking: that is when people ask.
    let built = pipeline::evaluate(&program, project, sources, reading)?;
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
    let line_index = explain::lines_for(&program, &built, project, &figure_ids, scope)?;
    let context = reddition::provenance::Context {
        program: &program,
        figures: &built.figures,
        cube: &built.cube,
        sources,
        lines: Some(&line_index),
    };
    let found = explain::provenances(&context, &figure_ids, column, scope);
    match format {
        ExplainFormat::Json => say(&pipeline::to_json(&found)),
        ExplainFormat::Text => {
            let texts: Vec<String> = found
                .iter()
                .map(|p| explain::text(&program, &built.figures, p, lines))
                .collect();
            say(&texts.join("\n"));
        }
    }
    // A failing check is an error of the build, a note here.
    Ok(built
        .warnings
        .into_iter()
        .map(|mut d| {
            d.severity = diagnostic::Severity::Warning;
            d
        })
        .collect())
}

/// The export and dialect of `trial-balance --file`.
fn file_options(args: TrialBalanceArgs, path: PathBuf) -> FileOptions {
    let amounts = match (args.amount, args.debit, args.credit) {
        (Some(amount), _, _) => AmountColumns::Signed(amount),
        (None, Some(debit), Some(credit)) => AmountColumns::DebitCredit { debit, credit },
        // clap requires --amount, or --debit and --credit together.
        _ => AmountColumns::Signed(String::new()),
    };
    FileOptions {
        path,
        entity: args.entity.unwrap_or_default(),
        delimiter: args.delimiter,
        quote: args.quote,
        decimal: args.decimal,
        thousands: args.thousands,
        encoding: args.encoding,
        date: args.date,
        date_column: args.date_column,
        account: args.account.unwrap_or_default(),
        amounts,
    }
}

/// The CSV on stdout, or committed to `out` (then one line says so).
/// Returns the commit's warnings.
fn write_trial_balance(
    balance: &trial_balance::TrialBalance,
    by_period: bool,
    out: Option<(&std::path::Path, &mut output::Reservation)>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let text = trial_balance::csv(&balance.rows, by_period);
    let mut warnings = Vec::new();
    match out {
        None => say(&text),
        Some((out, reservation)) => {
            let disk = &mut output::RealDisk;
            warnings = output::commit_file(disk, reservation, text.as_bytes(), &balance.inputs)
                .map_err(|d| vec![d])?;
            say_line(format!(
                "ok: {} ledger lines, {} balance{} written to {}",
                balance.lines,
                balance.rows.len(),
                if balance.rows.len() == 1 { "" } else { "s" },
                out.display()
            ));
        }
    }
    Ok(warnings)
}

/// A progress bar on stderr while ledgers are read: shown only on a
/// terminal, only once reading has taken a second, and never under
/// `--quiet`. Dropping it clears the bar, before anything else is printed.
struct ProgressDisplay {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressDisplay {
    fn start(progress: &Arc<Progress>, quiet: bool) -> ProgressDisplay {
        let stop = Arc::new(AtomicBool::new(false));
        if quiet || !std::io::stderr().is_terminal() {
            return ProgressDisplay { stop, thread: None };
        }
        let (progress, watch) = (Arc::clone(progress), Arc::clone(&stop));
        let thread = std::thread::spawn(move || show_progress(&progress, &watch));
        ProgressDisplay {
            stop,
            thread: Some(thread),
        }
    }
}

fn show_progress(progress: &Progress, stop: &AtomicBool) {
    let tick = std::time::Duration::from_millis(100);
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(1) {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::park_timeout(tick);
    }
    let bar = indicatif::ProgressBar::new(progress.total.load(Ordering::Relaxed));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "reading ledgers {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    while !stop.load(Ordering::Relaxed) {
        bar.set_length(progress.total.load(Ordering::Relaxed));
        bar.set_position(progress.done.load(Ordering::Relaxed));
        std::thread::park_timeout(tick);
    }
    bar.finish_and_clear();
}

impl Drop for ProgressDisplay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // Wakes it now rather than at its next tick.
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
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

#[cfg(test)]
mod tests {
    use super::guarded;

    // No input reaches a panic, so the guard is proven on a run that
    // panics by construction: a test hook in the product would be worse.
    #[test]
    fn a_panic_is_exit_70() {
        assert_eq!(guarded(|| panic!("a deliberate bug")), 70);
    }

    #[test]
    fn a_run_keeps_its_exit_code() {
        assert_eq!(guarded(|| 0), 0);
        assert_eq!(guarded(|| 3), 3);
    }
}
