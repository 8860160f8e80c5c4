//! The syntax tree. Every node carries the span it was read from; nothing
//! here knows what a name refers to (that is `check`'s job).

use crate::money::{Amount, RoundingMethod};
use crate::source::Span;

/// A word of the source with its span: an identifier, a chart code or a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

/// A keyword-valued field: the value and where it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Debug)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub enum Item {
    FiscalYear(Spanned<i32>),
    Chart(Chart),
    Dimension(Dimension),
    Structure(Structure),
    Crosswalk(Crosswalk),
    Format(Format),
    Entity(Entity),
    Group(Group),
    Rounding(Rounding),
    Report(Report),
    Submission(Submission),
    Validation(Validation),
}

/// `validation ID "label" { rule … }`: the regulator's validation rules.
#[derive(Debug)]
pub struct Validation {
    pub name: Name,
    pub label: Str,
    pub rules: Vec<ValidationRule>,
}

#[derive(Debug)]
pub struct ValidationRule {
    pub id: Name,
    pub severity: Spanned<RuleSeverity>,
    pub label: Str,
    /// `valid from … until …`: the days the rule is in force.
    pub validity: Option<Validity>,
    /// `when TEST`: the rule applies only where this holds.
    pub when: Option<RuleTest>,
    pub test: RuleTest,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSeverity {
    /// Blocks the submission.
    Error,
    /// Reported.
    Warning,
}

/// `sum comparison sum [ "tolerance" decimal ]`.
#[derive(Debug)]
pub struct RuleTest {
    pub left: Vec<RuleTerm>,
    pub comparison: Spanned<Comparison>,
    pub right: Vec<RuleTerm>,
    /// Compares the figures as printed (rounded) rather than exact.
    pub rounded: bool,
    pub tolerance: Option<Spanned<Amount>>,
}

/// A signed term: a figure in columns (summed), or a number.
#[derive(Debug)]
pub struct RuleTerm {
    pub negative: bool,
    pub value: RuleValue,
}

#[derive(Debug)]
pub enum RuleValue {
    /// `report.line[column, …]`.
    Figure {
        report: Name,
        line: Name,
        columns: Vec<Name>,
        span: Span,
    },
    Number(Spanned<Amount>),
}

#[derive(Debug)]
pub struct Chart {
    pub name: Name,
    pub label: Str,
    pub accounts: Vec<Account>,
}

#[derive(Debug)]
pub struct Account {
    pub code: Name,
    pub label: Str,
    pub kind: Spanned<Kind>,
    pub balance: Spanned<Balance>,
    pub attributes: Vec<(Name, Name)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    FinancialAsset,
    Liability,
    NonFinancialAsset,
    AccumulatedSurplus,
    Revenue,
    Expense,
}

impl Kind {
    pub const ALL: [(&'static str, Kind); 6] = [
        ("actif_financier", Kind::FinancialAsset),
        ("passif", Kind::Liability),
        ("actif_non_financier", Kind::NonFinancialAsset),
        ("excedent_accumule", Kind::AccumulatedSurplus),
        ("revenu", Kind::Revenue),
        ("charge", Kind::Expense),
    ];

    pub fn keyword(self) -> &'static str {
        Kind::ALL
            .iter()
            .find(|(_, kind)| *kind == self)
            .map_or("", |(word, _)| word)
    }

    /// Revenues and expenses are flows: they have no balance to carry over.
    pub fn is_flow(self) -> bool {
        matches!(self, Kind::Revenue | Kind::Expense)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Balance {
    Debit,
    Credit,
}

#[derive(Debug)]
pub struct Dimension {
    pub name: Name,
    pub label: Str,
    pub values: Option<Vec<(Name, Str)>>,
}

#[derive(Debug)]
pub struct Structure {
    pub name: Name,
    pub label: Str,
    pub pieces: Vec<Piece>,
}

#[derive(Debug)]
pub enum Piece {
    Segment { name: Name, width: Spanned<u32> },
    Literal(Str),
    Optional(Vec<Piece>, Span),
}

#[derive(Debug)]
pub struct Crosswalk {
    pub name: Name,
    pub structure: Name,
    pub chart: Name,
    pub items: Vec<CrosswalkItem>,
}

#[derive(Debug)]
pub enum CrosswalkItem {
    Rule(Rule),
    Dimension(DimensionRule),
    Include(Str),
}

#[derive(Debug)]
pub struct Rule {
    pub matcher: Matcher,
    pub target: Name,
    pub priority: Option<Spanned<u32>>,
    pub validity: Option<Validity>,
    pub note: Option<Str>,
    pub span: Span,
}

/// `valid from DATE until DATE`: the dates a rule applies on, both inclusive.
/// Dates keep their text as written; `check` reads them.
#[derive(Debug)]
pub struct Validity {
    pub from: Option<Name>,
    pub until: Option<Name>,
    pub span: Span,
}

#[derive(Debug)]
pub enum Matcher {
    /// A whole-code pattern: exact, or with `?` and `*`.
    Pattern(Str),
    Conditions(Vec<Condition>),
}

#[derive(Debug)]
pub struct Condition {
    pub segment: Name,
    pub test: SegmentTest,
    pub span: Span,
}

#[derive(Debug)]
pub enum SegmentTest {
    Pattern(Str),
    /// Inclusive range; bounds keep their digits as written.
    Range {
        low: Name,
        high: Name,
    },
}

#[derive(Debug)]
pub struct DimensionRule {
    pub dimension: Name,
    pub body: DimensionBody,
    /// Only the copy form carries one; each case of the other form has its own.
    pub validity: Option<Validity>,
    pub span: Span,
}

#[derive(Debug)]
pub enum DimensionBody {
    Copy(Name),
    Cases(Vec<DimensionCase>),
}

#[derive(Debug)]
pub struct DimensionCase {
    pub matcher: Matcher,
    pub value: Name,
    pub validity: Option<Validity>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Format {
    pub name: Name,
    pub label: Str,
    pub options: Vec<(Spanned<FormatOption>, Str)>,
    pub columns: Vec<Column>,
    pub movements: Vec<Movements>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatOption {
    Delimiter,
    Quote,
    Decimal,
    Thousands,
    Encoding,
    Date,
}

#[derive(Debug)]
pub struct Column {
    pub role: Spanned<ColumnRole>,
    pub headers: Vec<Str>,
    pub joined: Option<Str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColumnRole {
    Date,
    Account,
    Amount,
    Debit,
    Credit,
    Journal,
    Reference,
    Description,
    Movement,
    /// The other centre of an inter-entity posting, by its ministry code.
    Counterparty,
}

#[derive(Debug)]
pub struct Movements {
    pub from: Spanned<ColumnRole>,
    pub cases: Vec<(Str, Spanned<MovementKind>)>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MovementKind {
    Acquisition,
    Disposal,
    Transfer,
    Borrowing,
    Repayment,
}

#[derive(Debug)]
pub struct Entity {
    pub name: Name,
    pub label: Str,
    pub fields: Vec<EntityField>,
}

#[derive(Debug)]
pub enum EntityField {
    Code(Str),
    Crosswalk(Name),
    Source(SourceDecl),
}

#[derive(Debug)]
pub struct SourceDecl {
    pub role: Spanned<SourceRole>,
    pub path: Str,
    pub format: Name,
    /// `adjustments` (or `budget adjustments`): year-end adjusting entries
    /// (or their budget), all in period 13.
    pub adjustments: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceRole {
    Ledger,
    Opening,
    /// Budgeted amounts: read and mapped like a ledger, kept apart from the
    /// books (they need not balance) for `budget` report columns.
    Budget,
}

#[derive(Debug)]
pub struct Group {
    pub name: Name,
    pub label: Str,
    pub members: Vec<Name>,
    pub eliminations: Vec<Elimination>,
}

/// `eliminate CODES against CODES "label"`: inter-entity amounts between
/// members, on either side, left out of the group's statements.
#[derive(Debug)]
pub struct Elimination {
    pub codes: (Vec<CodeItem>, Vec<CodeItem>),
    pub against: (Vec<CodeItem>, Vec<CodeItem>),
    pub label: Str,
    pub span: Span,
}

#[derive(Debug)]
pub struct Rounding {
    pub options: Vec<RoundingOption>,
    pub span: Span,
}

#[derive(Debug)]
pub enum RoundingOption {
    Unit(Spanned<Amount>),
    Method(Spanned<RoundingMethod>),
    Residual(Spanned<Residual>),
    /// The chart code that takes the rounded trial balance's difference.
    Account(Name),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Residual {
    /// Recomputed lines show the sum of rounded parts; the écart is reported.
    #[default]
    Total,
    /// The largest line of the section absorbs the écart.
    Largest,
}

#[derive(Debug)]
pub struct Report {
    pub name: Name,
    pub label: Str,
    pub items: Vec<ReportItem>,
}

#[derive(Debug)]
pub enum ReportItem {
    Subtitle(Str),
    Columns(Vec<ReportColumn>, Span),
    /// `columns by DIMENSION of SLICE`: a matrix, one column per value of
    /// the dimension and a total.
    ColumnsBy {
        dimension: Name,
        slice: ReportColumn,
        span: Span,
    },
    Rounding(Rounding),
    Section(Section),
    Line(Line),
    Check(Check),
}

#[derive(Debug)]
pub struct ReportColumn {
    pub name: Name,
    /// Years before the fiscal year being built: `year - 1` is 1.
    pub years_back: Spanned<u32>,
    /// The part of the year: `None` for the whole year.
    pub periods: Option<Spanned<ColumnPeriods>>,
    /// `budget year …`: the budget, not the books.
    pub budget: bool,
}

/// `[through] period N` or `[through] quarter N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnPeriods {
    pub quarter: bool,
    pub number: u32,
    /// `through`: from the start of the year (year to date).
    pub to_date: bool,
}

#[derive(Debug)]
pub struct Section {
    pub name: Name,
    pub label: Str,
    pub items: Vec<SectionItem>,
}

#[derive(Debug)]
pub enum SectionItem {
    Line(Line),
    Section(Section),
    Total(Str),
}

#[derive(Debug)]
pub struct Line {
    pub name: Name,
    pub label: Str,
    pub expr: Expr,
    pub memo: bool,
}

#[derive(Debug)]
pub struct Check {
    pub name: Name,
    pub label: Str,
    pub left: Expr,
    pub comparison: Spanned<Comparison>,
    pub right: Expr,
    /// Compares the figures as printed (rounded) rather than exact.
    pub rounded: bool,
    pub tolerance: Option<Spanned<Amount>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    AtMost,
    AtLeast,
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum ExprKind {
    Number(Amount),
    Reference { report: Option<Name>, name: Name },
    Aggregate(Aggregate),
    Neg(Box<Expr>),
    Binary(Box<Expr>, BinaryOp, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug)]
pub struct Aggregate {
    pub measure: Spanned<Measure>,
    pub codes: Vec<CodeItem>,
    pub except: Vec<CodeItem>,
    pub filters: Vec<Filter>,
    pub sign: Option<Spanned<Balance>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    Sum,
    Balance,
    Opening,
    Flow,
    Change,
}

#[derive(Debug)]
pub enum CodeItem {
    Code(Name),
    Range(Name, Name),
    Kind(Spanned<Kind>),
}

#[derive(Debug)]
pub struct Filter {
    pub name: Name,
    pub negated: bool,
    pub values: Vec<Name>,
    pub span: Span,
}

/// `submission`: the layout of a ministry file (XML, with its schema, and
/// CSV and JSON views of the same data).
#[derive(Debug)]
pub struct Submission {
    pub name: Name,
    pub label: Str,
    pub items: Vec<SubmissionItem>,
}

#[derive(Debug)]
pub enum SubmissionItem {
    Version(Str),
    Namespace(Str),
    Number(NumberFormat),
    Node(Box<Node>),
}

/// `number { decimals 2 exact }`: how amounts are written.
#[derive(Debug, Default)]
pub struct NumberFormat {
    pub decimals: Option<Spanned<u32>>,
    pub mode: Option<Spanned<ValueMode>>,
}

/// Which value of a figure a file carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ValueMode {
    /// The presentation value, rounded by the report's rule.
    #[default]
    Rounded,
    /// The exact value.
    Exact,
}

#[derive(Debug)]
pub enum Node {
    Element(Element),
    Attribute(XmlAttribute),
    Each(Each),
}

#[derive(Debug)]
pub struct Element {
    pub name: Name,
    pub content: ElementContent,
    pub span: Span,
}

#[derive(Debug)]
pub enum ElementContent {
    Value(Binding),
    Children(Vec<Node>),
}

#[derive(Debug)]
pub struct XmlAttribute {
    pub name: Name,
    pub binding: Binding,
    pub span: Span,
}

/// `each line of REPORT element ...`: one element per row with a figure.
#[derive(Debug)]
pub struct Each {
    pub report: Name,
    pub element: Element,
    pub span: Span,
}

/// A value and how it is written.
#[derive(Debug)]
pub struct Binding {
    pub value: ValueRef,
    pub optional: bool,
    pub format: NumberFormat,
    pub span: Span,
}

#[derive(Debug)]
pub enum ValueRef {
    Literal(Str),
    /// `entity.code`, `period.year`, `line.id`, `line.courant`...: a prefix
    /// and a field.
    Field(Name, Name),
    /// `report.line.column`: a figure in a report column.
    Figure {
        report: Name,
        line: Name,
        column: Name,
    },
}
