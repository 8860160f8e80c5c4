//! The harmonized chart of the generated projects, and the report that
//! reaches every code of it.

use std::fmt::Write as _;

/// `(code, label, kind, normal balance)`.
pub const CHART: &[(&str, &str, &str, &str)] = &[
    ("11000", "Encaisse", "actif_financier", "debit"),
    (
        "12100",
        "Taxe scolaire à recevoir",
        "actif_financier",
        "debit",
    ),
    (
        "12200",
        "Subventions à recevoir",
        "actif_financier",
        "debit",
    ),
    ("21100", "Créditeurs – fournisseurs", "passif", "credit"),
    ("21500", "Dettes à long terme", "passif", "credit"),
    ("31100", "Bâtiments", "actif_non_financier", "debit"),
    (
        "31910",
        "Amortissement cumulé – bâtiments",
        "actif_non_financier",
        "credit",
    ),
    ("41000", "Excédent accumulé", "excedent_accumule", "credit"),
    ("51000", "Subvention « MEQ »", "revenu", "credit"),
    ("52000", "Taxe scolaire", "revenu", "credit"),
    ("54000", "Frais de garde", "revenu", "credit"),
    ("61000", "Enseignement – jeunes", "charge", "debit"),
    ("62000", "Gestion des écoles", "charge", "debit"),
    ("63000", "Transport scolaire", "charge", "debit"),
    ("65040", "Amortissement", "charge", "debit"),
    ("66010", "Intérêts sur la dette", "charge", "debit"),
];

/// Revenues and expenses have flows, not balances (and no opening balance).
pub fn is_flow(target: usize) -> bool {
    matches!(CHART[target].2, "revenu" | "charge")
}

pub fn is_surplus(target: usize) -> bool {
    CHART[target].2 == "excedent_accumule"
}

/// The chart block of a specification.
pub fn chart_rdn() -> String {
    let mut spec = String::from("chart meq \"Plan comptable\" {\n");
    for (code, label, kind, balance) in CHART {
        let _ = writeln!(spec, "  {code} {} {kind} {balance}", rdn_string(label));
    }
    spec.push_str("}\n");
    spec
}

/// A report with a line per chart code (a chart code no line reaches is an
/// error), its balance or flow in each column (`courant = year`, …; the
/// columns say which fiscal years a build reads), debit positive.
pub fn report_rdn(columns: &str) -> String {
    let mut spec =
        format!("report balance \"Balance de vérification\" {{\n  columns {{ {columns} }}\n");
    for (index, (code, label, _, _)) in CHART.iter().enumerate() {
        let _ = writeln!(
            spec,
            "  line c{code} {} = {}({code} as debit)",
            rdn_string(label),
            if is_flow(index) { "flow" } else { "balance" }
        );
    }
    spec.push_str("}\n");
    spec
}

pub fn rdn_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
