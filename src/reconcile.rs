//! The reconciliation an auditor reads first: every physical line of every
//! file accounted for, control totals per entity and year, and the proof
//! that the sum mapped equals the sum read. Also the table of local codes.

use crate::calendar;
use crate::cube::{Cube, EntityCube};
use crate::model::{EntityDef, Program, SourceRole};
use crate::money::Amount;
use crate::source::Sources;
use serde::Serialize;

#[derive(Serialize)]
pub struct Reconciliation {
    pub entities: Vec<EntityReconciliation>,
}

#[derive(Serialize)]
pub struct EntityReconciliation {
    pub entity: String,
    pub files: Vec<FileLines>,
    pub years: Vec<YearTotals>,
    pub local_codes: usize,
    /// Debits and credits of every opening and ledger line read (the files'
    /// own totals) against those placed in the years: a line dropped after
    /// reading shows here, even a balanced entry, which the nets would miss.
    pub placed: Placed,
}

#[derive(Serialize)]
pub struct Placed {
    pub debits_read: String,
    pub credits_read: String,
    pub debits_placed: String,
    pub credits_placed: String,
    pub all_placed: bool,
}

fn placed(data: &EntityCube) -> Placed {
    let ((debits_read, credits_read), (debits_placed, credits_placed)) =
        data.read_and_placed().unwrap_or_default();
    Placed {
        debits_read: debits_read.to_string(),
        credits_read: credits_read.to_string(),
        debits_placed: debits_placed.to_string(),
        credits_placed: credits_placed.to_string(),
        all_placed: data
            .read_and_placed()
            .is_some_and(|(read, placed)| read == placed),
    }
}

#[derive(Serialize)]
pub struct FileLines {
    pub path: String,
    pub role: &'static str,
    pub physical_lines: usize,
    pub header_lines: usize,
    pub blank_lines: usize,
    pub records: usize,
    /// Lines spanned by the records (a quoted description may span several).
    pub record_lines: usize,
    /// physical = header + blank + record lines, each record on at least one line.
    pub all_lines_accounted: bool,
    pub debits: String,
    pub credits: String,
}

#[derive(Serialize)]
pub struct YearTotals {
    pub fiscal_year: String,
    pub opening_lines: u64,
    pub ledger_lines: u64,
    /// Budget lines: mapped like postings, outside the books' totals.
    #[serde(skip_serializing_if = "is_zero")]
    pub budget_lines: u64,
    pub debits: String,
    pub credits: String,
    pub net_read: String,
    pub net_mapped: String,
    pub conserved: bool,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// Physical lines that belong to records: all but the header and blank lines.
fn record_lines(summary: &crate::ingest::ReadSummary) -> usize {
    summary
        .physical_lines
        .saturating_sub(summary.header_lines + summary.blank_lines)
}

pub fn reconciliation(program: &Program, cube: &Cube) -> Reconciliation {
    let entities = program
        .entities
        .iter()
        .zip(&cube.entities)
        .map(|(entity, data)| EntityReconciliation {
            entity: entity.name.clone(),
            files: data
                .files
                .iter()
                .map(|file| {
                    let summary = &file.summary;
                    FileLines {
                        path: file.path.clone(),
                        role: match file.role {
                            SourceRole::Opening => "opening",
                            SourceRole::Ledger if file.adjustments => "adjustments",
                            SourceRole::Ledger => "ledger",
                            SourceRole::Budget => "budget",
                        },
                        physical_lines: summary.physical_lines,
                        header_lines: summary.header_lines,
                        blank_lines: summary.blank_lines,
                        records: summary.records,
                        record_lines: record_lines(summary),
                        all_lines_accounted: record_lines(summary) >= summary.records,
                        debits: summary.debit_total.to_string(),
                        credits: summary.credit_total.to_string(),
                    }
                })
                .collect(),
            years: data
                .reconciliation
                .iter()
                .map(|(year, totals)| {
                    let read = totals
                        .opening_net
                        .checked_add(totals.ledger_net)
                        .unwrap_or(Amount::ZERO);
                    YearTotals {
                        fiscal_year: calendar::label(*year),
                        opening_lines: totals.opening_lines,
                        ledger_lines: totals.ledger_lines,
                        budget_lines: totals.budget_lines,
                        debits: totals.debits.to_string(),
                        credits: totals.credits.to_string(),
                        net_read: read.to_string(),
                        net_mapped: totals.mapped_net.to_string(),
                        conserved: read == totals.mapped_net,
                    }
                })
                .collect(),
            local_codes: data.locals.len(),
            placed: placed(data),
        })
        .collect();
    Reconciliation { entities }
}

pub fn text(reconciliation: &Reconciliation) -> String {
    let mut out = String::from("Rapprochement des données lues\n");
    for entity in &reconciliation.entities {
        out.push_str(&format!(
            "\n{} ({} codes locaux)\n",
            entity.entity, entity.local_codes
        ));
        for file in &entity.files {
            out.push_str(&format!(
                "  {} [{}]: {} lignes physiques = {} en-tête + {} vides + {} lignes de {} écritures{}; débits {}, crédits {}\n",
                crate::diagnostic::visible(&file.path),
                file.role,
                file.physical_lines,
                file.header_lines,
                file.blank_lines,
                file.record_lines,
                file.records,
                if file.all_lines_accounted { "" } else { " (ÉCART)" },
                file.debits,
                file.credits
            ));
        }
        for year in &entity.years {
            out.push_str(&format!(
                "  {}: {} lignes d'ouverture, {} écritures; débits {} = crédits {}; lu {} = réparti {}{}\n",
                year.fiscal_year,
                year.opening_lines,
                year.ledger_lines,
                year.debits,
                year.credits,
                year.net_read,
                year.net_mapped,
                if year.conserved { "" } else { " (ÉCART)" }
            ));
            if year.budget_lines > 0 {
                out.push_str(&format!(
                    "  {}: {} lignes de budget, hors des totaux des livres\n",
                    year.fiscal_year, year.budget_lines
                ));
            }
        }
        let placed = &entity.placed;
        out.push_str(&format!(
            "  lu : débits {}, crédits {} = réparti dans les exercices : débits {}, crédits {}{}\n",
            placed.debits_read,
            placed.credits_read,
            placed.debits_placed,
            placed.credits_placed,
            if placed.all_placed { "" } else { " (ÉCART)" }
        ));
    }
    out
}

/// `code_local,code_harmonise,regle,dimensions,lignes,montant_<year>...`:
/// how each local code of an entity was mapped, and by which rule.
pub fn correspondences(
    program: &Program,
    entity: &EntityDef,
    data: &EntityCube,
    sources: &Sources,
) -> String {
    let crosswalk = &program.crosswalks[entity.crosswalk];
    let mut locals: Vec<usize> = (0..data.locals.len()).collect();
    locals.sort_by(|a, b| data.locals[*a].code.cmp(&data.locals[*b].code));
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let years: Vec<i32> = data.reconciliation.keys().copied().collect();
    let mut header = vec![
        "code_local",
        "code_harmonise",
        "regle",
        "dimensions",
        "premiere_ligne",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    for year in &years {
        header.push(format!("lignes_{year}"));
        header.push(format!("solde_{year}"));
    }
    let mut result = writer.write_record(&header);
    for local in locals {
        let code = &data.locals[local];
        let rule = &crosswalk.rules[code.mapped.rule];
        let dimensions: Vec<String> = code
            .mapped
            .dimensions
            .iter()
            .map(|(d, v)| format!("{}={v}", program.dimensions[*d].name))
            .collect();
        // Every text cell is neutralised, whatever its source: a file name
        // such as `=cmd|' C calc'!A0.csv` reaches the rule and the first
        // line as much as a ledger's code reaches the first column.
        let mut record: Vec<String> = [
            code.code.as_str(),
            &program.chart.accounts[code.mapped.target].code,
            &sources.location(rule.span),
            &dimensions.join(";"),
            &code.first_seen,
        ]
        .into_iter()
        .map(crate::render::csv::neutralise)
        .collect();
        for year in &years {
            record.push(code.lines.get(year).copied().unwrap_or(0).to_string());
            let total = data.local_balance(*year, local).unwrap_or(Amount::ZERO);
            record.push(total.to_string());
        }
        result = result.and_then(|()| writer.write_record(&record));
    }
    match (result, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
        _ => String::new(),
    }
}
