//! Diagnostics: what went wrong, where, and how to fix it.
//!
//! Every phase builds `Diagnostic` values; this module alone renders them
//! (through codespan-reporting) and decides the process exit code.

use crate::source::{FileId, Sources, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;
use std::ops::Range;

/// Stable error codes. The list is the error index: each code has at least one
/// fixture under `tests/cases/` named after it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Code {
    /// `report r "x" { line a "A" = }`: the parser expected something else.
    Syntax,
    /// `"Encaisse` with no closing quote before the end of the line.
    UnterminatedString,
    /// `"a\q"`: only `\" \\ \n \t` are escapes.
    InvalidEscape,
    /// `((((...))))` nested deeper than the parser allows.
    NestingTooDeep,
    /// A specification file that is not valid UTF-8.
    SpecNotUtf8,
    /// A control, bidirectional or zero-width character in a specification.
    InvisibleCharacter,
    /// A name used but never declared: `sum(99999)`, `crosswalk nowhere`.
    UnknownName,
    /// Two declarations with one name: two lines `taxe` in one report.
    DuplicateName,
    /// `line a "A" = b` and `line b "B" = a`.
    Cycle,
    /// No `fiscal_year`, two of them, no chart or two charts.
    ProjectShape,
    /// A chart code that no report line reaches.
    UnreachedCode,
    /// `opening(51000)`: revenue and expense codes have no balance.
    MeasureOnFlowKind,
    /// `sum(12100..12110)` mixes debit and credit accounts without `as debit`.
    MixedNormalBalance,
    /// `sum(11000, 51000)` mixes balance-sheet and flow kinds.
    MixedKinds,
    /// A format option with an impossible value: `delimiter ";;"`.
    BadFormat,
    /// A format without `date`, `account`, or an amount column.
    MissingColumnRole,
    /// A dimension value not listed in the dimension's declaration.
    BadDimensionValue,
    /// A malformed matcher: range with `lo > hi`, range on an unknown segment.
    BadMatcher,
    /// `sum(kind revenu where cf = OP)`: a code set that selects no code.
    EmptySelection,
    /// A report column on a period or quarter that does not exist: `period 14`.
    BadPeriod,
    /// `element 2Total`, `attribute xmlns`: not an XML name this tool writes.
    BadXmlName,
    /// A value used where it has no meaning: `line.id` outside `each`.
    MisplacedValue,
    /// A submission without one root element or version, or with two
    /// siblings of one name.
    SubmissionShape,
    /// A number format that would round a second time, or on a non-amount.
    BadNumberFormat,
    /// `valid from 2025-07-01 until 2025-06-30`: a rule valid on no day.
    EmptyValidity,
    /// Two versions of one crosswalk rule that apply on a same day with
    /// different targets.
    OverlappingVersions,
    /// A source file or folder that cannot be read.
    Io,
    /// A ledger or table file that is not valid in its declared encoding.
    BadEncoding,
    /// A CSV row with the wrong number of fields, or an unterminated quote.
    CsvStructure,
    /// A header that lacks a column the format names.
    MissingColumn,
    /// `12,34,5` in a decimal-comma export: not an amount in the dialect.
    BadAmount,
    /// `31/02/2025`: not a date in the declared format; in a specification or
    /// a crosswalk table, a validity date that is not a real `YYYY-MM-DD`.
    BadDate,
    /// A posting dated outside every fiscal year the source may hold.
    DateOutOfRange,
    /// A local code that does not fit the entity's code structure.
    CodeShape,
    /// A `movement` column value that the format does not list.
    UnknownMovement,
    /// A sum that exceeds the 28 significant digits of the decimal type.
    Overflow,
    /// Local codes that no crosswalk rule maps.
    Unmapped,
    /// Two rules of equal precedence map one code to different targets.
    AmbiguousRules,
    /// A ledger (entity and year) whose postings do not sum to zero.
    UnbalancedLedger,
    /// A journal entry (reference) whose lines do not sum to zero.
    UnbalancedEntry,
    /// A report check that does not hold.
    CheckFailed,
    /// The sum mapped differs from the sum read: always a bug, never data.
    Conservation,
    /// A year's opening balances are not the prior year's closing balances.
    Continuity,
    /// A journal entry with postings in two exports (overlapping exports).
    SplitEntry,
    /// A report column asks for a fiscal year the entity has no data for.
    NoData,
    /// Division by zero in a formula.
    DivisionByZero,
    /// An output file or folder that cannot be written.
    OutputIo,
    /// A report template that does not compile or uses an unknown variable.
    Template,
    /// An input larger than a limit (file size, line length, columns, codes).
    LimitExceeded,
    /// A path in the specification that leaves the project root.
    PathOutsideProject,
}

impl Code {
    /// Every code, in index order (tests check that each has a fixture).
    pub const ALL: [Code; 50] = [
        Code::Syntax,
        Code::UnterminatedString,
        Code::InvalidEscape,
        Code::NestingTooDeep,
        Code::SpecNotUtf8,
        Code::InvisibleCharacter,
        Code::UnknownName,
        Code::DuplicateName,
        Code::Cycle,
        Code::ProjectShape,
        Code::UnreachedCode,
        Code::MeasureOnFlowKind,
        Code::MixedNormalBalance,
        Code::MixedKinds,
        Code::BadFormat,
        Code::MissingColumnRole,
        Code::BadDimensionValue,
        Code::BadMatcher,
        Code::EmptySelection,
        Code::BadPeriod,
        Code::BadXmlName,
        Code::MisplacedValue,
        Code::SubmissionShape,
        Code::BadNumberFormat,
        Code::EmptyValidity,
        Code::OverlappingVersions,
        Code::Io,
        Code::BadEncoding,
        Code::CsvStructure,
        Code::MissingColumn,
        Code::BadAmount,
        Code::BadDate,
        Code::DateOutOfRange,
        Code::CodeShape,
        Code::UnknownMovement,
        Code::Overflow,
        Code::Unmapped,
        Code::AmbiguousRules,
        Code::UnbalancedLedger,
        Code::UnbalancedEntry,
        Code::CheckFailed,
        Code::Conservation,
        Code::Continuity,
        Code::SplitEntry,
        Code::NoData,
        Code::DivisionByZero,
        Code::OutputIo,
        Code::Template,
        Code::LimitExceeded,
        Code::PathOutsideProject,
    ];

    pub fn as_str(self) -> &'static str {
        use Code::*;
        match self {
            Syntax => "E0101",
            UnterminatedString => "E0102",
            InvalidEscape => "E0103",
            NestingTooDeep => "E0104",
            SpecNotUtf8 => "E0105",
            InvisibleCharacter => "E0106",
            UnknownName => "E0201",
            DuplicateName => "E0202",
            Cycle => "E0203",
            ProjectShape => "E0204",
            UnreachedCode => "E0205",
            MeasureOnFlowKind => "E0301",
            MixedNormalBalance => "E0302",
            MixedKinds => "E0303",
            BadFormat => "E0304",
            MissingColumnRole => "E0305",
            BadDimensionValue => "E0306",
            BadMatcher => "E0307",
            EmptySelection => "E0308",
            BadPeriod => "E0311",
            BadXmlName => "E0320",
            MisplacedValue => "E0321",
            SubmissionShape => "E0322",
            BadNumberFormat => "E0323",
            EmptyValidity => "E0309",
            OverlappingVersions => "E0310",
            Io => "E0401",
            BadEncoding => "E0402",
            CsvStructure => "E0403",
            MissingColumn => "E0404",
            BadAmount => "E0405",
            BadDate => "E0406",
            DateOutOfRange => "E0407",
            CodeShape => "E0408",
            UnknownMovement => "E0409",
            Overflow => "E0410",
            Unmapped => "E0501",
            AmbiguousRules => "E0502",
            UnbalancedLedger => "E0601",
            UnbalancedEntry => "E0602",
            CheckFailed => "E0603",
            Conservation => "E0605",
            Continuity => "E0606",
            SplitEntry => "E0607",
            NoData => "E0604",
            DivisionByZero => "E0701",
            OutputIo => "E0801",
            Template => "E0802",
            LimitExceeded => "E0901",
            PathOutsideProject => "E0902",
        }
    }

    /// Process exit code for a run that failed with this error.
    pub fn exit_code(self) -> i32 {
        use Code::*;
        match self {
            Io | OutputIo => 3,
            Unmapped | AmbiguousRules | UnbalancedLedger | UnbalancedEntry | SplitEntry
            | CheckFailed | Continuity => 4,
            Conservation => 70,
            NestingTooDeep | LimitExceeded => 5,
            _ => 1,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub text: String,
    pub primary: bool,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

/// Phases return all their diagnostics at once.
pub type Result<T, E = Vec<Diagnostic>> = std::result::Result<T, E>;

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The place the diagnostic is about.
    pub fn at(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: text.into(),
            primary: true,
        });
        self
    }

    /// Another place involved ("first defined here").
    pub fn also(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: text.into(),
            primary: false,
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|label| label.primary)
            .map(|label| label.span)
    }
}

/// The candidate closest to `name` by edit distance (in characters), if
/// close enough to be a typo: the "did you mean" of every message.
pub fn closest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .map(|candidate| (strsim::levenshtein(name, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(3) / 3))
        .min()
        .map(|(_, candidate)| candidate)
}

/// The exit code for a failed run: the most specific class among its errors.
pub fn exit_code(diagnostics: &[Diagnostic]) -> i32 {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.code.exit_code())
        .max_by_key(|code| match code {
            1 => 0,
            other => *other,
        })
        .unwrap_or(0)
}

/// Sorts diagnostics by file and position, so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| d.primary_span().map(|s| (s.file, s.start, s.end)));
}

/// Renders diagnostics as text, without colour (for snapshots and pipes) or with.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], colour: bool) -> String {
    let config = term::Config::default();
    let table = FileTable::new(sources);
    let mut out = String::new();
    let (shown, left) = capped(diagnostics);
    for diagnostic in shown {
        let mut converted = to_codespan(diagnostic);
        let files = Excerpts::new(&table, &mut converted);
        let rendered = if colour {
            let mut buffer = term::termcolor::Buffer::ansi();
            term::emit_to_write_style(&mut buffer, &config, &files, &converted)
                .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
        } else {
            term::emit_into_string(&config, &files, &converted)
        };
        match rendered {
            Ok(text) => out.push_str(&text),
            // A label outside its file is a bug in a phase; still say what went wrong.
            Err(_) => out.push_str(&format!(
                "error[{}]: {}\n",
                diagnostic.code.as_str(),
                diagnostic.message
            )),
        }
    }
    out.push_str(&not_shown(sources, &left));
    out
}

/// At most this many diagnostics are printed for one file...
const PER_FILE: usize = 50;
/// ...and this many in all: the rest are counted, not printed.
const IN_ALL: usize = 200;

/// The diagnostics to print, and the count of those left out per file
/// (`None` for those with no location), in the order given.
fn capped(diagnostics: &[Diagnostic]) -> (Vec<&Diagnostic>, Vec<(Option<FileId>, usize)>) {
    let mut per_file: std::collections::BTreeMap<Option<FileId>, usize> = Default::default();
    let mut shown = Vec::new();
    let mut left: Vec<(Option<FileId>, usize)> = Vec::new();
    for diagnostic in diagnostics {
        let file = diagnostic.primary_span().map(|span| span.file);
        let count = per_file.entry(file).or_default();
        *count += 1;
        if *count <= PER_FILE && shown.len() < IN_ALL {
            shown.push(diagnostic);
        } else if let Some(entry) = left.iter_mut().find(|(f, _)| *f == file) {
            entry.1 += 1;
        } else {
            left.push((file, 1));
        }
    }
    (shown, left)
}

/// One line per file whose diagnostics were not all printed.
fn not_shown(sources: &Sources, left: &[(Option<FileId>, usize)]) -> String {
    let mut out = String::new();
    for (file, count) in left {
        let plural = if *count == 1 { "" } else { "s" };
        let place = file.map_or(String::new(), |file| {
            format!(" in {}", visible(&sources.get(file).name))
        });
        out.push_str(&format!(
            "note: {count} more diagnostic{plural}{place} not shown (at most {PER_FILE} a file and {IN_ALL} in all are)\n\n"
        ));
    }
    out
}

/// Renders diagnostics as one JSON document for tools: every diagnostic with
/// its code, severity, message, location (file, 1-based line and column in
/// characters), labels, notes and help, plus the exit code.
pub fn render_json(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let location = |span: Span| {
        let file = sources.get(span.file);
        let (line, column) = file.line_column(span.start as usize);
        let (end_line, end_column) = file.line_column(span.end as usize);
        serde_json::json!({
            "file": file.name, "line": line, "column": column,
            "end_line": end_line, "end_column": end_column,
        })
    };
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let labels: Vec<serde_json::Value> = d
                .labels
                .iter()
                .map(|label| {
                    let mut value = location(label.span);
                    value["message"] = label.text.clone().into();
                    value["primary"] = label.primary.into();
                    value
                })
                .collect();
            serde_json::json!({
                "code": d.code.as_str(),
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": d.message,
                "location": d.primary_span().map(location),
                "labels": labels,
                "notes": d.notes,
                "help": d.help,
            })
        })
        .collect();
    let document = serde_json::json!({ "diagnostics": items, "exit_code": exit_code(diagnostics) });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn to_codespan(diagnostic: &Diagnostic) -> cs::Diagnostic<FileId> {
    let severity = match diagnostic.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let labels = diagnostic
        .labels
        .iter()
        .map(|label| {
            let text = visible(&label.text);
            let style = if label.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, label.span.file, label.span.range()).with_message(text)
        })
        .collect();
    let mut notes: Vec<String> = diagnostic.notes.iter().map(|note| visible(note)).collect();
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {}", visible(help)));
    }
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(visible(&diagnostic.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// Adapts [`Sources`] to codespan's view of files, keeping excerpt line
/// numbers, and shows every invisible or control character of an excerpt as
/// `?` (byte for byte, so spans stay right): a hostile file cannot move the
/// terminal's cursor or reverse the text of a message. File names come from
/// the disk as much as texts do, so they are shown with [`visible`].
struct FileTable<'a>(&'a Sources, Vec<String>, Vec<String>);

impl<'a> FileTable<'a> {
    fn new(sources: &'a Sources) -> FileTable<'a> {
        let shown = sources
            .files()
            .map(|(_, file)| printable(&file.text))
            .collect();
        let names = sources
            .files()
            .map(|(_, file)| visible(&file.name))
            .collect();
        FileTable(sources, shown, names)
    }
}

/// The text with each invisible character replaced by as many `?` as its bytes.
pub fn printable(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && c != '\r' && c != '\t' && is_invisible(c) {
            shown.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            shown.push(c);
        }
    }
    shown
}

/// The text with each invisible character written as `<U+202E>`, for messages.
pub fn visible(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible(c) {
            shown.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    shown
}

/// The first invisible character of a text (line ends and tabs aside), as
/// the error every text read by people gets: specifications and crosswalk
/// tables alike. `what` names the kind of file, `a specification`.
pub fn invisible_character(text: &str, file: FileId, what: &str) -> Option<Diagnostic> {
    let (offset, c) = text
        .char_indices()
        .find(|(_, c)| *c != '\n' && *c != '\r' && *c != '\t' && is_invisible(*c))?;
    let span = Span::new(file, offset, offset + c.len_utf8());
    Some(
        Diagnostic::error(
            Code::InvisibleCharacter,
            format!("invisible character U+{:04X} in {what}", u32::from(c)),
        )
        .at(span, "here")
        .help(if is_noncharacter(c) {
            "a noncharacter is not text, and U+FFFE and U+FFFF cannot be written in an XML file; delete it"
        } else {
            "control, bidirectional and zero-width characters can make a file read differently from what it does; delete it"
        }),
    )
}

/// Control characters, bidirectional formatting, zero-width characters and
/// noncharacters.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        || is_noncharacter(c)
}

/// Unicode noncharacters (U+FDD0 to U+FDEF, and the last two code points of
/// every plane): never meant for text, and U+FFFE and U+FFFF cannot appear
/// in an XML file at all.
pub fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{FDD0}'..='\u{FDEF}') || (u32::from(c) & 0xFFFE) == 0xFFFE
}

/// A line longer than this (in bytes) is not reprinted whole under a
/// diagnostic: only a window around each label is, so a thousand errors on
/// one line of 100 KB do not print that line a thousand times.
const LONG_LINE: usize = 320;
/// The bytes kept on each side of a label in a long line's window.
const WINDOW_MARGIN: usize = 100;
/// The bytes of a label itself kept in a window.
const WINDOW_LABEL: usize = 120;

/// The part of a long line one label points into, shown as a one-line file
/// of its own with the real line number and columns.
struct Window<'t> {
    name: &'t str,
    text: String,
    line: usize,
    /// The characters of the line before the window, less the `…` that
    /// marks the cut: added to a column counted in the window.
    shift: usize,
}

/// The files of one diagnostic as codespan sees them: the project's, and a
/// window for each label in a long line (numbered after them).
struct Excerpts<'t> {
    table: &'t FileTable<'t>,
    windows: Vec<Window<'t>>,
}

impl<'t> Excerpts<'t> {
    /// Points each label of a long line to a window of its own.
    fn new(table: &'t FileTable<'t>, diagnostic: &mut cs::Diagnostic<FileId>) -> Excerpts<'t> {
        let mut excerpts = Excerpts {
            table,
            windows: Vec::new(),
        };
        for label in &mut diagnostic.labels {
            if let Some((window, range)) = excerpts.window(label.file_id, label.range.clone()) {
                let id = table.1.len() + excerpts.windows.len();
                excerpts.windows.push(window);
                label.file_id = FileId(u32::try_from(id).unwrap_or(u32::MAX));
                label.range = range;
            }
        }
        excerpts
    }

    /// The window around `range` if its line is long, and the range in it.
    fn window(&self, id: FileId, range: Range<usize>) -> Option<(Window<'t>, Range<usize>)> {
        let file = self.table.0.get(id);
        let shown = self.table.1.get(id.0 as usize)?;
        let line = file.line_index(range.start);
        let whole = file.line_range(line)?;
        let text = shown.get(whole.clone())?.trim_end_matches(['\n', '\r']);
        if text.len() <= LONG_LINE {
            return None;
        }
        let at = |byte: usize| floor_boundary(text, byte.min(text.len()));
        let start = at(range.start.saturating_sub(whole.start));
        let label_end = at(range
            .end
            .saturating_sub(whole.start)
            .min(start + WINDOW_LABEL))
        .max(start);
        let from = at(start.saturating_sub(WINDOW_MARGIN));
        let to = at(label_end + WINDOW_MARGIN);
        let before = if from > 0 { "…" } else { "" };
        let after = if to < text.len() { "…" } else { "" };
        let window = Window {
            name: self.table.2.get(id.0 as usize).map_or("", String::as_str),
            text: format!("{before}{}{after}", &text[from..to]),
            line: line + file.first_line,
            shift: text[..from].chars().count() - before.chars().count(),
        };
        let offset = before.len() + start - from;
        Some((window, offset..offset + label_end - start))
    }

    fn window_of(&self, id: FileId) -> Option<&Window<'t>> {
        (id.0 as usize)
            .checked_sub(self.table.1.len())
            .and_then(|index| self.windows.get(index))
    }
}

/// The last character boundary of `text` at or before `byte`.
fn floor_boundary(text: &str, mut byte: usize) -> usize {
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

impl<'b, 't: 'b> Files<'b> for Excerpts<'t> {
    type FileId = FileId;
    type Name = &'b str;
    type Source = &'b str;

    fn name(&'b self, id: FileId) -> Result<&'b str, FilesError> {
        Ok(match self.window_of(id) {
            Some(window) => window.name,
            None => self.table.2.get(id.0 as usize).map_or("", String::as_str),
        })
    }

    fn source(&'b self, id: FileId) -> Result<&'b str, FilesError> {
        Ok(match self.window_of(id) {
            Some(window) => &window.text,
            None => self.table.1.get(id.0 as usize).map_or("", String::as_str),
        })
    }

    fn line_index(&'b self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(match self.window_of(id) {
            Some(_) => 0,
            None => self.table.0.get(id).line_index(byte_index),
        })
    }

    fn line_number(&'b self, id: FileId, line_index: usize) -> Result<usize, FilesError> {
        Ok(match self.window_of(id) {
            Some(window) => window.line,
            None => line_index + self.table.0.get(id).first_line,
        })
    }

    fn column_number(
        &'b self,
        id: FileId,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let source = self.source(id)?;
        let range = self.line_range(id, line_index)?;
        let shift = self.window_of(id).map_or(0, |window| window.shift);
        Ok(codespan_reporting::files::column_index(source, range, byte_index) + 1 + shift)
    }

    fn line_range(&'b self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        if let Some(window) = self.window_of(id) {
            return Ok(0..window.text.len());
        }
        let file = self.table.0.get(id);
        file.line_range(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: file.line_index(file.text.len()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_shown_with_their_control_characters_visible() {
        let mut sources = Sources::default();
        let file = sources.add("gl\u{1b}[2J\u{202e}.csv", "a;b\n");
        let diagnostic =
            Diagnostic::error(Code::CsvStructure, "bad").at(Span::new(file, 0, 1), "here");
        let shown = render(&sources, &[diagnostic], false);
        assert!(shown.contains("gl<U+001B>[2J<U+202E>.csv:1:1"), "{shown}");
        assert!(!shown.contains('\u{1b}') && !shown.contains('\u{202e}'));
    }

    /// The file: 4 000 unknown names on one line of 115 KB once
    /// printed 680 MB; now a window per diagnostic, 200 of them, and a count.
    #[test]
    fn many_diagnostics_on_a_long_line_are_cut_and_capped() {
        let mut sources = Sources::default();
        let line: String = (0..4000)
            .map(|i| format!("nom{i:05} + "))
            .collect::<String>()
            + "\n";
        let file = sources.add("long.rdn", line.as_str());
        let diagnostics: Vec<Diagnostic> = (0..4000)
            .map(|i| {
                let at = i * 11;
                Diagnostic::error(Code::UnknownName, "unknown")
                    .at(Span::new(file, at, at + 8), "here")
            })
            .collect();
        let shown = render(&sources, &diagnostics, false);
        assert!(shown.len() < 120_000, "{} bytes", shown.len());
        assert_eq!(shown.matches("error[").count(), PER_FILE);
        assert!(shown.contains("note: 3950 more diagnostics in long.rdn not shown"));
        assert!(shown.contains("long.rdn:1:540"), "{shown}");
    }
}
