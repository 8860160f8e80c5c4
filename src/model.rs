//! The checked specification (`Program`): what `check` produces and every
//! later stage reads. Names are resolved to indices; reports are a DAG of
//! figures in topological order, so evaluation is one forward pass.

use crate::ingest::{Dialect, Layout};
use crate::mapping::Crosswalk;
use crate::money::Amount;
pub use crate::money::RoundingMethod;
use crate::source::Span;
pub use crate::syntax::ast::{
    Balance, Comparison, Kind, Measure, Residual, RuleSeverity, SourceRole,
};
use std::collections::{BTreeMap, BTreeSet};

pub use crate::mapping::CodeId;
/// Index of a figure in [`Program::figures`].
pub type FigureId = usize;

#[derive(Debug)]
pub struct Program {
    pub fiscal_year: i32,
    /// The day whose crosswalk rules were kept (see `Crosswalk::select`).
    pub rules_as_of: chrono::NaiveDate,
    pub chart: Chart,
    pub dimensions: Vec<DimensionDef>,
    pub crosswalks: Vec<Crosswalk>,
    pub formats: Vec<FormatDef>,
    pub entities: Vec<EntityDef>,
    pub groups: Vec<GroupDef>,
    pub reports: Vec<ReportDef>,
    /// Every line, section sum and side of a check.
    pub figures: Vec<Figure>,
    /// `figures` in topological order: operands before the figures using them.
    pub order: Vec<FigureId>,
    pub aggregates: Vec<AggregateDef>,
    /// Ministry file layouts, in declaration order.
    pub submissions: Vec<SubmissionDef>,
    /// The regulators' validation rules.
    pub validations: Vec<ValidationDef>,
    /// What the checker found doubtful but not wrong (a check that can
    /// never fail): printed by `check` and `build`, which still succeed.
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

#[derive(Debug)]
pub struct ValidationDef {
    pub name: String,
    pub label: String,
    pub rules: Vec<RuleDef>,
}

/// A validation rule, run for every entity and group.
#[derive(Debug)]
pub struct RuleDef {
    pub id: String,
    pub severity: RuleSeverity,
    pub label: String,
    /// In force on the day the build's rules are taken (`rules_as_of`):
    /// a rule outside its validity period is reported, not run.
    pub in_force: bool,
    /// The rule applies only where this holds.
    pub when: Option<RuleTestDef>,
    pub test: RuleTestDef,
    /// The rule's id in the source.
    pub span: Span,
}

#[derive(Debug)]
pub struct RuleTestDef {
    pub left: Vec<RuleTermDef>,
    pub comparison: Comparison,
    pub right: Vec<RuleTermDef>,
    /// Compares the figures as printed (rounded) rather than exact.
    pub rounded: bool,
    pub tolerance: Amount,
}

#[derive(Debug)]
pub struct RuleTermDef {
    pub negative: bool,
    pub value: RuleValueDef,
}

#[derive(Debug)]
pub enum RuleValueDef {
    /// A figure summed over columns (indices into its report's columns);
    /// `text` is how the rule names it: `resultats.excedent[courant]`.
    Figure {
        figure: FigureId,
        columns: Vec<usize>,
        text: String,
    },
    Number(Amount),
}

#[derive(Debug)]
pub struct Chart {
    pub name: String,
    pub label: String,
    /// In code order (shorter codes first, then by text), which is numeric
    /// order for all-digit codes.
    pub accounts: Vec<ChartAccount>,
    pub by_code: BTreeMap<String, CodeId>,
}

#[derive(Debug)]
pub struct ChartAccount {
    pub code: String,
    pub label: String,
    pub kind: Kind,
    pub balance: Balance,
    pub attributes: BTreeMap<String, String>,
    pub span: Span,
}

#[derive(Debug)]
pub struct DimensionDef {
    pub name: String,
    pub label: String,
    pub values: Option<BTreeMap<String, String>>,
}

#[derive(Debug)]
pub struct FormatDef {
    pub name: String,
    pub label: String,
    pub dialect: Dialect,
    pub layout: Layout,
}

#[derive(Debug)]
pub struct EntityDef {
    pub name: String,
    pub label: String,
    pub code: String,
    pub crosswalk: usize,
    pub sources: Vec<SourceDef>,
}

#[derive(Debug)]
pub struct SourceDef {
    pub role: SourceRole,
    /// Year-end adjusting entries: a ledger whose postings all go to
    /// period 13, whatever their date within the fiscal year.
    pub adjustments: bool,
    /// Relative to the project root; a file or a folder of `*.csv`.
    pub path: String,
    pub format: usize,
    pub span: Span,
}

#[derive(Debug)]
pub struct GroupDef {
    pub name: String,
    pub label: String,
    pub members: Vec<usize>,
    pub eliminations: Vec<EliminationDef>,
}

/// Inter-entity amounts to leave out of a group's statements: postings of
/// a member on `codes` or `against` whose counterparty is another member.
/// The elimination report pairs each member's `codes` with the
/// counterparty's `against`: they should cancel.
#[derive(Debug)]
pub struct EliminationDef {
    pub label: String,
    pub codes: BTreeSet<CodeId>,
    pub against: BTreeSet<CodeId>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundingPolicy {
    pub unit: Amount,
    pub method: RoundingMethod,
    pub residual: Residual,
    /// The revenue or charge code that takes what the rounded trial
    /// balance lacks to balance (see `eval::rounding`).
    pub account: Option<CodeId>,
}

#[derive(Debug)]
pub struct ReportDef {
    pub name: String,
    pub label: String,
    pub subtitle: Option<String>,
    pub columns: Vec<ColumnDef>,
    pub rounding: RoundingPolicy,
    pub rows: Vec<Row>,
    pub checks: Vec<CheckDef>,
}

#[derive(Debug)]
pub struct ColumnDef {
    pub name: String,
    pub years_back: u32,
    /// The periods of the fiscal year the column covers.
    pub periods: Periods,
    /// The budget rather than the books.
    pub budget: bool,
    /// Only the amounts with one value of a dimension: (dimension, index of
    /// the value among its declared values). The columns of a matrix.
    pub filter: Option<(usize, usize)>,
    /// The total column of a matrix: shown as the sum of the row's other
    /// columns as shown, so that rows foot.
    pub footing: bool,
    /// Written year to date (`through`): headed `Cumul P3`, never `T1`.
    pub to_date: bool,
}

impl ColumnDef {
    /// The heading printed over the column in a build of `built`: the year,
    /// or the part of it (`P9`, `T3`, `Cumul P9`, `Ajust.`), followed by its
    /// year when it is not the year built; `Budget …` for the budget. A
    /// matrix column is headed by its value, which this does not give.
    pub fn heading(&self, built: i32) -> String {
        let year = built - i32::try_from(self.years_back).unwrap_or(i32::MAX);
        let part = match self.to_date {
            true => self.periods.heading_to_date(year),
            false => self.periods.heading(year),
        };
        let part = match self.periods.is_year() || year == built {
            true => part,
            false => format!("{part} {year}"),
        };
        match self.budget {
            true => format!("Budget {part}"),
            false => part,
        }
    }
}

pub use crate::calendar::Periods;

/// One row of a report as presented, in order.
#[derive(Debug)]
pub struct Row {
    pub kind: RowKind,
    pub label: String,
    /// Nesting depth of sections (0 at the report's top level).
    pub depth: usize,
    pub figure: Option<FigureId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// A section heading (no figure).
    Heading,
    Line,
    Memo,
    Total,
}

#[derive(Debug)]
pub struct CheckDef {
    pub name: String,
    pub label: String,
    pub left: FigureId,
    pub comparison: Comparison,
    pub right: FigureId,
    /// Compares the printed (rounded) values rather than the exact ones.
    pub rounded: bool,
    pub tolerance: Amount,
    pub span: Span,
}

#[derive(Debug)]
pub struct Figure {
    /// `report.line`, or `report.check.left` for the sides of checks.
    pub qualified: String,
    pub report: usize,
    pub expr: Expr,
    /// Where the figure is named (line or section id).
    pub span: Span,
    /// Its formula in the source (the section name for a section sum).
    pub formula: Span,
    /// Section id of the section this line sits in directly (for residual allocation).
    pub section: Option<FigureId>,
    /// A leaf refers to no other figure: it is rounded from its exact value.
    pub is_leaf: bool,
}

#[derive(Debug, Clone)]
pub enum Expr {
    Number(Amount),
    Figure(FigureId, Span),
    Aggregate(usize),
    Neg(Box<Expr>),
    Binary(Box<Expr>, BinaryOp, Box<Expr>, Span),
    /// The sum of a section's lines.
    Sum(Vec<FigureId>),
}

pub use crate::syntax::ast::BinaryOp;

/// A resolved aggregate: which codes, which measure for each, which sign.
#[derive(Debug)]
pub struct AggregateDef {
    pub terms: Vec<AggregateTerm>,
    pub filters: Vec<FilterDef>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy)]
pub struct AggregateTerm {
    pub code: CodeId,
    /// Never `Sum`: resolved per code.
    pub measure: Measure,
    /// True when the debit-positive amount is negated (credit presentation).
    pub negate: bool,
}

#[derive(Debug, Clone)]
pub enum FilterDef {
    /// A dimension (by index) in or not in a set of values.
    Dimension {
        dimension: usize,
        negated: bool,
        values: Vec<String>,
    },
    /// Postings with (or without) one of these movements; `None` is "no movement".
    Movement {
        negated: bool,
        values: Vec<Option<crate::ingest::Movement>>,
    },
}

pub use crate::syntax::ast::ValueMode;

/// A checked ministry file layout: one root element.
#[derive(Debug)]
pub struct SubmissionDef {
    pub name: String,
    pub label: String,
    pub version: String,
    /// XML namespace of every element; `None` for no namespace.
    pub namespace: Option<String>,
    pub root: ElementDef,
}

#[derive(Debug)]
pub struct ElementDef {
    pub name: String,
    /// `Some` for an element repeated once per row of a report (`each`).
    pub repeat: Option<Repeat>,
    pub attributes: Vec<AttributeDef>,
    pub content: ContentDef,
}

#[derive(Debug)]
pub enum ContentDef {
    Value(ValueDef),
    Children(Vec<ElementDef>),
}

#[derive(Debug)]
pub struct AttributeDef {
    pub name: String,
    pub value: ValueDef,
}

/// The rows an `each` element is repeated over: every row of the report
/// that carries a figure (lines, memos and totals), in report order.
#[derive(Debug, Clone)]
pub struct Repeat {
    pub report: usize,
    pub rows: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct ValueDef {
    pub source: ValueSource,
    /// Omitted when the value is empty (a string) or zero (an amount, as
    /// written: after rounding for a rounded value).
    pub optional: bool,
    pub format: NumberFmt,
}

/// How an amount is written: `decimals` digits after a `.` (at least that
/// many for an exact value, which is never rounded), `-` for negatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFmt {
    pub decimals: u32,
    pub mode: ValueMode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSource {
    Literal(String),
    Version,
    EntityCode,
    EntityName,
    EntityLabel,
    /// The closing year of the fiscal year: `2025` (xs:gYear).
    PeriodYear,
    /// `2024-2025`.
    PeriodLabel,
    /// `2024-07-01` (xs:date).
    PeriodStart,
    /// `2025-06-30` (xs:date).
    PeriodEnd,
    /// A figure in a column of its report.
    Figure {
        figure: FigureId,
        report: usize,
        column: usize,
    },
    /// In an `each`: the row's id, label, kind, or value in a column.
    LineId,
    LineLabel,
    LineKind,
    LineValue {
        column: usize,
    },
}

impl ValueSource {
    pub fn is_amount(&self) -> bool {
        matches!(
            self,
            ValueSource::Figure { .. } | ValueSource::LineValue { .. }
        )
    }
}
