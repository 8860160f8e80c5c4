//! Checking: syntax trees → `Program`. Resolves every name, validates
//! formats and crosswalks, lowers reports to a DAG of figures and rejects
//! cycles, kind and sign mismatches, and chart codes no line reaches. It
//! never reads a ledger, and it reports every error it finds, not the first.

mod crosswalk;
mod dimension;
mod format;
mod reports;
mod submission;
mod tautology;
mod validation;

pub use submission::{is_name_char, is_name_start};

use crate::calendar;
pub use crate::diagnostic::closest;
use crate::diagnostic::{Code, Diagnostic, Result};
use crate::model::*;
use crate::money::Amount;
use crate::source::{Sources, Span};
use crate::syntax::ast::{self, Item};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Reads a file named in the specification (a crosswalk table), relative to
/// the project root. Checking reads nothing else.
pub type Loader<'a> = dyn Fn(&str) -> std::io::Result<Vec<u8>> + 'a;

/// Checks the parsed files of one project.
pub fn check(sources: &mut Sources, files: &[ast::File], loader: &Loader<'_>) -> Result<Program> {
    check_limited(sources, files, loader, &crate::limits::Limits::default())
}

/// [`check`] under explicit limits (the number of crosswalk tables).
pub fn check_limited(
    sources: &mut Sources,
    files: &[ast::File],
    loader: &Loader<'_>,
    limits: &crate::limits::Limits,
) -> Result<Program> {
    check_as_of(sources, files, loader, limits, None)
}

/// [`check_limited`], keeping the crosswalk rules valid on `as_of`: by
/// default the closing day of the fiscal year built (30 June), so that every
/// year shown, comparatives included, is mapped by that year's rules. Every
/// version of every rule is checked whatever the date.
pub fn check_as_of(
    sources: &mut Sources,
    files: &[ast::File],
    loader: &Loader<'_>,
    limits: &crate::limits::Limits,
    as_of: Option<NaiveDate>,
) -> Result<Program> {
    let mut checker = Checker {
        tables_limit: limits.tables,
        as_of,
        ..Checker::default()
    };
    let items: Vec<&Item> = files.iter().flat_map(|file| &file.items).collect();
    let program = checker.program(sources, &items, loader);
    if checker.errors.is_empty() {
        program.ok_or_else(Vec::new)
    } else {
        Err(checker.errors)
    }
}

#[derive(Default)]
struct Checker {
    errors: Vec<Diagnostic>,
    /// Formats declared but refused: sources using them get no second error.
    refused_formats: Vec<String>,
    /// Crosswalk tables included so far, and how many may be.
    tables_read: usize,
    tables_limit: usize,
    /// The day whose crosswalk rules apply; `None` for the fiscal year's end.
    as_of: Option<NaiveDate>,
    /// The fiscal year built, once read (column headings name it).
    fiscal_year: Option<i32>,
}

impl Checker {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic);
    }

    fn program(
        &mut self,
        sources: &mut Sources,
        items: &[&Item],
        loader: &Loader<'_>,
    ) -> Option<Program> {
        let fiscal_year = self.fiscal_year(items);
        self.fiscal_year = fiscal_year;
        let chart = self.chart(items)?;
        let dimensions = self.dimensions(items);
        let mut crosswalks = self.crosswalks(sources, items, &chart, &dimensions, loader);
        let rules_as_of = self.as_of.or_else(|| calendar::last_day(fiscal_year?));
        if let Some(day) = rules_as_of {
            for crosswalk in &mut crosswalks {
                crosswalk.select(day);
            }
        }
        let formats = self.formats(items);
        let entities = self.entities(items, &crosswalks, &formats);
        let groups = self.groups(items, &entities, &chart);
        let rounding = self.global_rounding(items, &chart);
        let reports = reports::lower(self, items, &chart, &dimensions, rounding);
        let validations =
            validation::lower(self, items, rules_as_of, &reports.reports, &reports.figures);
        let submissions = submission::submissions(self, items, &reports.reports, &reports.figures);
        // Over a graph the checker refused (a cycle) the order is not whole.
        let warnings = match self.errors.is_empty() {
            true => tautology::warnings(
                &reports.reports,
                &reports.figures,
                &reports.aggregates,
                &reports.order,
            ),
            false => Vec::new(),
        };
        Some(Program {
            fiscal_year: fiscal_year?,
            rules_as_of: rules_as_of?,
            chart,
            dimensions,
            crosswalks,
            formats,
            entities,
            groups,
            reports: reports.reports,
            figures: reports.figures,
            order: reports.order,
            aggregates: reports.aggregates,
            validations,
            submissions,
            warnings,
        })
    }

    fn fiscal_year(&mut self, items: &[&Item]) -> Option<i32> {
        let years: Vec<&ast::Spanned<i32>> = items
            .iter()
            .filter_map(|item| match item {
                Item::FiscalYear(year) => Some(year),
                _ => None,
            })
            .collect();
        match years.as_slice() {
            [year] => Some(year.value),
            [] => {
                self.error(
                    Diagnostic::error(Code::ProjectShape, "the project declares no `fiscal_year`")
                        .help("add `fiscal_year 2025` (the year in which the fiscal year ends) to a file under reports/"),
                );
                None
            }
            [first, second, ..] => {
                self.error(
                    Diagnostic::error(Code::ProjectShape, "`fiscal_year` is declared twice")
                        .at(second.span, "declared again here")
                        .also(first.span, "first declared here")
                        .help("a project builds one fiscal year: keep one `fiscal_year`"),
                );
                None
            }
        }
    }

    fn chart(&mut self, items: &[&Item]) -> Option<Chart> {
        let charts: Vec<&ast::Chart> = items
            .iter()
            .filter_map(|item| match item {
                Item::Chart(chart) => Some(chart),
                _ => None,
            })
            .collect();
        let chart = match charts.as_slice() {
            [chart] => *chart,
            [] => {
                self.error(
                    Diagnostic::error(Code::ProjectShape, "the project declares no chart")
                        .help("declare the harmonized chart with `chart NAME \"Label\" { ... }`"),
                );
                return None;
            }
            [first, second, ..] => {
                self.error(
                    Diagnostic::error(Code::ProjectShape, "a project has one harmonized chart")
                        .at(second.name.span, "second chart")
                        .also(first.name.span, "first chart"),
                );
                return None;
            }
        };
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut accounts = Vec::new();
        for account in &chart.accounts {
            if let Some(first) = seen.insert(&account.code.text, account.code.span) {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!("chart code `{}` is declared twice", account.code.text),
                    )
                    .at(account.code.span, "declared again here")
                    .also(first, "first declared here"),
                );
                continue;
            }
            accounts.push(ChartAccount {
                code: account.code.text.clone(),
                label: account.label.value.clone(),
                kind: account.kind.value,
                balance: account.balance.value,
                attributes: account
                    .attributes
                    .iter()
                    .map(|(name, value)| (name.text.clone(), value.text.clone()))
                    .collect(),
                span: account.code.span,
            });
        }
        accounts.sort_by(|a, b| code_order(&a.code, &b.code));
        let by_code = accounts
            .iter()
            .enumerate()
            .map(|(index, account)| (account.code.clone(), index))
            .collect();
        Some(Chart {
            name: chart.name.text.clone(),
            label: chart.label.value.clone(),
            accounts,
            by_code,
        })
    }

    fn dimensions(&mut self, items: &[&Item]) -> Vec<DimensionDef> {
        let mut dimensions: Vec<DimensionDef> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        for item in items {
            let Item::Dimension(dimension) = item else {
                continue;
            };
            if let Some(index) = dimensions
                .iter()
                .position(|d| d.name == dimension.name.text)
            {
                self.duplicate("dimension", &dimension.name, spans[index]);
                continue;
            }
            spans.push(dimension.name.span);
            dimensions.push(DimensionDef {
                name: dimension.name.text.clone(),
                label: dimension.label.value.clone(),
                values: dimension.values.as_ref().map(|values| {
                    values
                        .iter()
                        .map(|(value, label)| (value.text.clone(), label.value.clone()))
                        .collect()
                }),
            });
        }
        dimensions
    }

    fn entities<'i>(
        &mut self,
        items: &[&'i Item],
        crosswalks: &[crate::mapping::Crosswalk],
        formats: &[FormatDef],
    ) -> Vec<EntityDef> {
        let mut entities: Vec<EntityDef> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        let mut codes: Vec<&'i ast::Str> = Vec::new();
        for item in items {
            let Item::Entity(entity) = item else {
                continue;
            };
            if let Some(index) = entities.iter().position(|e| e.name == entity.name.text) {
                self.duplicate("entity", &entity.name, spans[index]);
                continue;
            }
            let mut code = None;
            let mut crosswalk = None;
            let mut sources = Vec::new();
            for field in &entity.fields {
                match field {
                    ast::EntityField::Code(text) => {
                        self.unique_code(text, &mut codes);
                        code = Some(text.value.clone());
                    }
                    ast::EntityField::Crosswalk(name) => {
                        crosswalk =
                            self.lookup(name, "crosswalk", crosswalks.iter().map(|c| &c.name));
                    }
                    ast::EntityField::Source(source) => {
                        if self.refused_formats.contains(&source.format.text) {
                            continue;
                        }
                        let format =
                            self.lookup(&source.format, "format", formats.iter().map(|f| &f.name));
                        if let Some(format) = format {
                            sources.push(SourceDef {
                                role: source.role.value,
                                adjustments: source.adjustments,
                                path: source.path.value.clone(),
                                format,
                                span: source.path.span,
                            });
                        }
                    }
                }
            }
            let Some(crosswalk) = crosswalk else {
                if !entity
                    .fields
                    .iter()
                    .any(|f| matches!(f, ast::EntityField::Crosswalk(_)))
                {
                    self.error(
                        Diagnostic::error(
                            Code::ProjectShape,
                            format!("entity `{}` names no crosswalk", entity.name.text),
                        )
                        .at(entity.name.span, "declared here")
                        .help("add `crosswalk NAME` to say how its local codes map to the chart"),
                    );
                }
                continue;
            };
            spans.push(entity.name.span);
            entities.push(EntityDef {
                name: entity.name.text.clone(),
                label: entity.label.value.clone(),
                code: code.unwrap_or_default(),
                crosswalk,
                sources,
            });
        }
        entities
    }

    /// Refuses a ministry code already given to another entity: the
    /// ministry files of both would claim the same centre, and a
    /// counterparty cell naming that code could not tell them apart.
    fn unique_code<'i>(&mut self, code: &'i ast::Str, codes: &mut Vec<&'i ast::Str>) {
        if let Some(first) = codes.iter().find(|c| c.value == code.value) {
            self.error(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("ministry code \"{}\" is given twice", code.value),
                )
                .at(code.span, "given again here")
                .also(first.span, "first given here")
                .help("each entity has its own ministry code: correct one of them"),
            );
        } else {
            codes.push(code);
        }
    }

    fn groups(&mut self, items: &[&Item], entities: &[EntityDef], chart: &Chart) -> Vec<GroupDef> {
        let mut groups: Vec<GroupDef> = Vec::new();
        for item in items {
            let Item::Group(group) = item else {
                continue;
            };
            if entities.iter().any(|e| e.name == group.name.text)
                || groups.iter().any(|g| g.name == group.name.text)
            {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!("`{}` already names an entity or a group", group.name.text),
                    )
                    .at(group.name.span, "declared again here"),
                );
                continue;
            }
            let members = self.group_members(group, entities);
            let eliminations = group
                .eliminations
                .iter()
                .filter_map(|elimination| {
                    Some(EliminationDef {
                        label: elimination.label.value.clone(),
                        codes: reports::resolve_codeset(self, chart, &elimination.codes)?,
                        against: reports::resolve_codeset(self, chart, &elimination.against)?,
                        span: elimination.span,
                    })
                })
                .collect();
            groups.push(GroupDef {
                name: group.name.text.clone(),
                label: group.label.value.clone(),
                members,
                eliminations,
            });
        }
        groups
    }

    /// The entities a group lists, each once: a member listed twice would
    /// be summed twice into the group's figures.
    fn group_members(&mut self, group: &ast::Group, entities: &[EntityDef]) -> Vec<usize> {
        let mut members: Vec<usize> = Vec::new();
        let mut seen: Vec<&ast::Name> = Vec::new();
        for member in &group.members {
            if let Some(first) = seen.iter().find(|m| m.text == member.text) {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!(
                            "entity `{}` is listed twice in group `{}`",
                            member.text, group.name.text
                        ),
                    )
                    .at(member.span, "listed again here")
                    .also(first.span, "first listed here")
                    .help("a member is counted once: delete the second mention"),
                );
                continue;
            }
            seen.push(member);
            if let Some(index) = self.lookup(member, "entity", entities.iter().map(|e| &e.name)) {
                members.push(index);
            }
        }
        members
    }

    fn global_rounding(&mut self, items: &[&Item], chart: &Chart) -> RoundingPolicy {
        let mut policy = RoundingPolicy::default();
        let mut first: Option<Span> = None;
        for item in items {
            if let Item::Rounding(rounding) = item {
                if let Some(first) = first {
                    self.error(
                        Diagnostic::error(
                            Code::DuplicateName,
                            "the project-wide `rounding` is declared twice",
                        )
                        .at(rounding.span, "declared again here")
                        .also(first, "first declared here")
                        .help("a report may carry its own `rounding` block instead"),
                    );
                    continue;
                }
                first = Some(rounding.span);
                policy = self.rounding(rounding, policy, chart);
            }
        }
        policy
    }

    /// The rounding `account`: a revenue or charge code, so that what it
    /// takes passes through the year's result.
    fn rounding_account(&mut self, chart: &Chart, code: &ast::Name) -> Option<CodeId> {
        let id = reports::codes::chart_code(self, chart, code)?;
        let account = &chart.accounts[id];
        if account.kind.is_flow() {
            return Some(id);
        }
        self.error(
            Diagnostic::error(
                Code::BadFormat,
                format!("the rounding account `{}` is not a revenue or charge code", code.text),
            )
            .at(code.span, "a balance-sheet code")
            .also(account.span, "declared here")
            .help("rounding differences pass through the year's result: name a revenue or charge code (e.g. one labelled « Écart d'arrondi »)"),
        );
        None
    }

    fn rounding(
        &mut self,
        rounding: &ast::Rounding,
        mut policy: RoundingPolicy,
        chart: &Chart,
    ) -> RoundingPolicy {
        for option in &rounding.options {
            match option {
                ast::RoundingOption::Unit(unit) => {
                    if unit.value.is_zero() {
                        self.error(
                            Diagnostic::error(
                                Code::BadFormat,
                                "the rounding unit must be positive",
                            )
                            .at(unit.span, "zero here")
                            .help("use `unit 1` to round to the dollar, `unit 0.01` to the cent"),
                        );
                    } else {
                        policy.unit = unit.value;
                    }
                }
                ast::RoundingOption::Method(method) => policy.method = method.value,
                ast::RoundingOption::Residual(residual) => policy.residual = residual.value,
                ast::RoundingOption::Account(code) => {
                    policy.account = self.rounding_account(chart, code).or(policy.account);
                }
            }
        }
        policy
    }

    fn reversed_range(&mut self, low: &ast::Name, high: &ast::Name, why: &str) {
        self.error(
            Diagnostic::error(
                Code::BadMatcher,
                format!("empty range `{}..{}`", low.text, high.text),
            )
            .at(low.span.to(high.span), why)
            .help(format!("write `{}..{}`", high.text, low.text)),
        );
    }

    fn duplicate(&mut self, what: &str, name: &ast::Name, first: Span) {
        self.error(
            Diagnostic::error(
                Code::DuplicateName,
                format!("{what} `{}` is declared twice", name.text),
            )
            .at(name.span, "declared again here")
            .also(first, "first declared here")
            .help("names are unique: rename one of them, or delete the copy"),
        );
    }

    /// Refuses a report or submission named like a file the build writes
    /// itself: `<scope>/<name>.<ext>` would replace it or be replaced by it
    /// (`correspondances.csv`), or sit beside the build's own report of the
    /// same name and be mistaken for it. Returns whether the name is free.
    fn output_name_free(&mut self, what: &str, name: &ast::Name) -> bool {
        let Some(file) = BUILT_IN_OUTPUTS
            .iter()
            .find(|(stem, _)| *stem == name.text)
            .map(|(_, file)| file)
        else {
            return true;
        };
        self.error(
            Diagnostic::error(
                Code::DuplicateName,
                format!("`{}` names a file the build writes itself", name.text),
            )
            .at(name.span, format!("{what} of this name"))
            .help(format!(
                "the build writes `{file}`: give the {what} another name"
            )),
        );
        false
    }

    /// Finds `name` among `candidates`, or reports it unknown with a suggestion.
    fn lookup<'n>(
        &mut self,
        name: &ast::Name,
        what: &str,
        candidates: impl Iterator<Item = &'n String>,
    ) -> Option<usize> {
        let candidates: Vec<&String> = candidates.collect();
        if let Some(index) = candidates.iter().position(|c| **c == name.text) {
            return Some(index);
        }
        let mut diagnostic =
            Diagnostic::error(Code::UnknownName, format!("unknown {what} `{}`", name.text))
                .at(name.span, format!("no {what} of this name"));
        diagnostic = match closest(&name.text, candidates.iter().map(|c| c.as_str())) {
            Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
            None => diagnostic,
        };
        self.error(diagnostic);
        None
    }
}

impl Default for RoundingPolicy {
    fn default() -> RoundingPolicy {
        RoundingPolicy {
            unit: Amount::parse_plain("1").unwrap_or(Amount::ZERO),
            method: RoundingMethod::HalfEven,
            residual: Residual::Total,
            account: None,
        }
    }
}

/// The names of the files the output bundle writes besides the reports and
/// submissions (`pipeline/bundle.rs`, `output.rs`), and the file each stands
/// for: a report or submission may not take one of them.
pub const BUILT_IN_OUTPUTS: [(&str, &str); 9] = [
    ("correspondances", "<entity>/correspondances.csv"),
    ("provenance", "<scope>/provenance.json"),
    ("reconciliation", "reconciliation.txt and .json"),
    ("arrondis", "arrondis.txt and .json"),
    ("validation", "validation.txt and .json"),
    ("eliminations", "eliminations.txt and .json"),
    ("index", "index.html"),
    ("manifest", "manifest.json"),
    ("schemas", "schemas/<submission>.xsd"),
];

/// Chart code order: shorter codes first, then by text (numeric order for digits).
pub fn code_order(a: &str, b: &str) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}
