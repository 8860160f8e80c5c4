//! Checking structures and crosswalks, and loading crosswalk tables.

use super::{Checker, Loader};
use crate::diagnostic::{Code, Diagnostic};
use crate::mapping::pattern::Pattern;
use crate::mapping::structure::{Piece, Structure};
use crate::mapping::{
    Crosswalk, DimensionBody, DimensionCase, DimensionRule, Matcher, Rule, SegmentCondition,
    SegmentTest, Validity,
};
use crate::model::{Chart, DimensionDef};
use crate::source::{Sources, Span};
use crate::syntax::ast::{self, Item};
use std::collections::BTreeMap;

impl Checker {
    pub(super) fn crosswalks(
        &mut self,
        sources: &mut Sources,
        items: &[&Item],
        chart: &Chart,
        dimensions: &[DimensionDef],
        loader: &Loader<'_>,
    ) -> Vec<Crosswalk> {
        let structures: Vec<&ast::Structure> = items
            .iter()
            .filter_map(|item| match item {
                Item::Structure(structure) => Some(structure),
                _ => None,
            })
            .collect();
        for (index, structure) in structures.iter().enumerate() {
            if let Some(first) = structures[..index]
                .iter()
                .find(|s| s.name.text == structure.name.text)
            {
                self.duplicate("structure", &structure.name, first.name.span);
            }
        }
        let mut crosswalks: Vec<Crosswalk> = Vec::new();
        for item in items {
            let Item::Crosswalk(crosswalk) = item else {
                continue;
            };
            if let Some(first) = crosswalks.iter().find(|c| c.name == crosswalk.name.text) {
                self.duplicate("crosswalk", &crosswalk.name, first.span);
                continue;
            }
            let names: Vec<String> = structures.iter().map(|s| s.name.text.clone()).collect();
            let Some(structure) = self.lookup(&crosswalk.structure, "structure", names.iter())
            else {
                continue;
            };
            if crosswalk.chart.text != chart.name {
                self.lookup(&crosswalk.chart, "chart", std::iter::once(&chart.name));
            }
            let structure = self.structure(structures[structure]);
            let mut lowered = Crosswalk {
                name: crosswalk.name.text.clone(),
                structure,
                rules: Vec::new(),
                dimension_rules: Vec::new(),
                versions: Vec::new(),
                span: crosswalk.name.span,
            };
            for item in &crosswalk.items {
                match item {
                    ast::CrosswalkItem::Rule(rule) => {
                        if let Some(rule) = self.rule(rule, &lowered.structure, chart) {
                            lowered.rules.push(rule);
                        }
                    }
                    ast::CrosswalkItem::Dimension(rule) => {
                        if let Some(rule) =
                            self.dimension_rule(rule, &lowered.structure, dimensions)
                        {
                            lowered.dimension_rules.push(rule);
                        }
                    }
                    ast::CrosswalkItem::Include(path) => {
                        let rules = self.table(sources, path, chart, loader);
                        lowered.rules.extend(rules);
                    }
                }
            }
            self.overlapping_rules(&lowered, chart);
            self.overlapping_dimension_rules(&lowered, dimensions);
            crosswalks.push(lowered);
        }
        crosswalks
    }

    /// A rule's validity, read and checked: each date a real `YYYY-MM-DD`,
    /// and a period that holds at least one day.
    pub(super) fn validity(&mut self, validity: Option<&ast::Validity>) -> Option<Validity> {
        let Some(validity) = validity else {
            return Some(Validity::default());
        };
        // `Some(None)`: a date was written but could not be read.
        let from = validity.from.as_ref().map(|date| self.date(date));
        let until = validity.until.as_ref().map(|date| self.date(date));
        if from == Some(None) || until == Some(None) {
            return None;
        }
        let (from, until) = (from.flatten(), until.flatten());
        if let (Some(from_day), Some(until_day)) = (from, until)
            && until_day < from_day
        {
            self.error(
                Diagnostic::error(
                    Code::EmptyValidity,
                    format!("this rule is valid on no day: it ends on {until_day}, before it starts on {from_day}"),
                )
                .at(validity.span, "no day between these dates")
                .help("`valid from` gives the first day the rule applies, `until` the last (both inclusive); swap them or correct one"),
            );
            return None;
        }
        Some(Validity { from, until })
    }

    fn date(&mut self, date: &ast::Name) -> Option<chrono::NaiveDate> {
        match crate::mapping::parse_date(&date.text) {
            Ok(day) => Some(day),
            Err(why) => {
                self.error(
                    Diagnostic::error(Code::BadDate, format!("`{}` is not a date", date.text))
                        .at(date.span, why)
                        .help("write a validity date as YYYY-MM-DD: `valid from 2025-07-01` in a specification, `2025-07-01` in the valid_from or valid_until column of a table"),
                );
                None
            }
        }
    }

    /// Rules with the same matcher and priority are versions of one rule:
    /// on any day, at most one of those mapping to different codes may apply.
    fn overlapping_rules(&mut self, crosswalk: &Crosswalk, chart: &Chart) {
        let mut versions: BTreeMap<(String, u32), Vec<usize>> = BTreeMap::new();
        for (index, rule) in crosswalk.rules.iter().enumerate() {
            versions
                .entry((rule.matcher.key(), rule.priority))
                .or_default()
                .push(index);
        }
        for indices in versions.values() {
            for (position, later) in indices.iter().enumerate() {
                let later = &crosswalk.rules[*later];
                let clash = indices[..position].iter().find_map(|earlier| {
                    let earlier = &crosswalk.rules[*earlier];
                    let both = earlier.validity.intersection(&later.validity)?;
                    (earlier.target != later.target).then_some((earlier, both))
                });
                if let Some((earlier, both)) = clash {
                    let code = |rule: &Rule| chart.accounts[rule.target].code.clone();
                    self.overlap(
                        (later.span, &code(later), later.validity),
                        (earlier.span, &code(earlier), earlier.validity),
                        both,
                    );
                }
            }
        }
    }

    /// The same for dimensions: two rules filling one dimension, or two
    /// cases of one rule with the same matcher, never apply on one day with
    /// different values.
    fn overlapping_dimension_rules(&mut self, crosswalk: &Crosswalk, dimensions: &[DimensionDef]) {
        let rules = &crosswalk.dimension_rules;
        for (position, later) in rules.iter().enumerate() {
            let clash = rules[..position].iter().find_map(|earlier| {
                let both = earlier.validity.intersection(&later.validity)?;
                let same = match (&earlier.body, &later.body) {
                    (DimensionBody::Copy(a), DimensionBody::Copy(b)) => a == b,
                    _ => false,
                };
                (earlier.dimension == later.dimension && !same).then_some((earlier, both))
            });
            if let Some((earlier, both)) = clash {
                let name = format!("dimension `{}`", dimensions[later.dimension].name);
                self.overlap(
                    (later.span, &name, later.validity),
                    (earlier.span, &name, earlier.validity),
                    both,
                );
            }
            let DimensionBody::Cases(cases) = &later.body else {
                continue;
            };
            let mut versions: BTreeMap<String, Vec<&DimensionCase>> = BTreeMap::new();
            for case in cases {
                versions.entry(case.matcher.key()).or_default().push(case);
            }
            for cases in versions.values() {
                for (position, later) in cases.iter().enumerate() {
                    let clash = cases[..position].iter().find_map(|earlier| {
                        let both = earlier.validity.intersection(&later.validity)?;
                        (earlier.value != later.value).then_some((earlier, both))
                    });
                    if let Some((earlier, both)) = clash {
                        self.overlap(
                            (later.span, &later.value, later.validity),
                            (earlier.span, &earlier.value, earlier.validity),
                            both,
                        );
                    }
                }
            }
        }
    }

    fn overlap(
        &mut self,
        (later, later_target, later_validity): (Span, &str, Validity),
        (earlier, earlier_target, earlier_validity): (Span, &str, Validity),
        both: Validity,
    ) {
        let help = match (earlier_validity.until, later_validity.from) {
            (None, Some(from)) if from.pred_opt().is_some() => format!(
                "end the earlier version with `valid until {}`, the day before the later one starts",
                from.pred_opt().unwrap_or(from)
            ),
            (Some(until), Some(_)) if until.succ_opt().is_some() => format!(
                "start the later version with `valid from {}`, the day after the earlier one ends",
                until.succ_opt().unwrap_or(until)
            ),
            _ => "give each version its own days with `valid from` and `valid until` (inclusive), so that at most one applies on any date".into(),
        };
        let (later_text, earlier_text) = if later_target == earlier_target {
            (
                format!("valid {later_validity}"),
                format!("valid {earlier_validity}"),
            )
        } else {
            (
                format!("maps to `{later_target}` {later_validity}"),
                format!("maps to `{earlier_target}` {earlier_validity}"),
            )
        };
        self.error(
            Diagnostic::error(
                Code::OverlappingVersions,
                format!("two versions of one crosswalk rule apply at once {both}, with different targets"),
            )
            .at(later, later_text)
            .also(earlier, earlier_text)
            .help(help),
        );
    }

    fn structure(&mut self, structure: &ast::Structure) -> Structure {
        let mut segments = Vec::new();
        let pieces = self.pieces(&structure.pieces, &mut segments);
        if segments.is_empty() {
            self.error(
                Diagnostic::error(
                    Code::BadMatcher,
                    format!("structure `{}` has no segment", structure.name.text),
                )
                .at(structure.name.span, "declared here")
                .help("name the segments of the code, e.g. `unit:3 \"-\" fund:1`"),
            );
        }
        Structure {
            name: structure.name.text.clone(),
            label: structure.label.value.clone(),
            pieces,
            segments,
            span: structure.name.span,
        }
    }

    fn pieces(&mut self, pieces: &[ast::Piece], segments: &mut Vec<String>) -> Vec<Piece> {
        let mut lowered = Vec::new();
        for piece in pieces {
            match piece {
                ast::Piece::Segment { name, width } => {
                    if segments.contains(&name.text) {
                        self.error(
                            Diagnostic::error(
                                Code::DuplicateName,
                                format!("segment `{}` appears twice", name.text),
                            )
                            .at(name.span, "again here"),
                        );
                    }
                    if width.value == 0 || width.value > 64 {
                        self.error(
                            Diagnostic::error(
                                Code::BadMatcher,
                                "a segment is 1 to 64 characters wide",
                            )
                            .at(width.span, "width out of range"),
                        );
                    }
                    segments.push(name.text.clone());
                    lowered.push(Piece::Segment {
                        index: segments.len() - 1,
                        width: width.value as usize,
                    });
                }
                ast::Piece::Literal(text) => lowered.push(Piece::Literal(text.value.clone())),
                ast::Piece::Optional(inner, _) => {
                    lowered.push(Piece::Optional(self.pieces(inner, segments)));
                }
            }
        }
        lowered
    }

    fn target(&mut self, code: &ast::Name, chart: &Chart) -> Option<usize> {
        match chart.by_code.get(&code.text) {
            Some(index) => Some(*index),
            None => {
                let diagnostic = Diagnostic::error(
                    Code::UnknownName,
                    format!("crosswalk target `{}` is not in the chart", code.text),
                )
                .at(code.span, "no chart code of this name");
                let diagnostic =
                    match super::closest(&code.text, chart.by_code.keys().map(|k| k.as_str())) {
                        Some(close) => diagnostic.help(format!("did you mean `{close}`?")),
                        None => diagnostic.help(format!("map to a code of chart `{}`", chart.name)),
                    };
                self.error(diagnostic);
                None
            }
        }
    }

    fn rule(&mut self, rule: &ast::Rule, structure: &Structure, chart: &Chart) -> Option<Rule> {
        let matcher = self.matcher(&rule.matcher, structure);
        let target = self.target(&rule.target, chart);
        let validity = self.validity(rule.validity.as_ref());
        Some(Rule {
            matcher: matcher?,
            target: target?,
            priority: rule.priority.map_or(0, |p| p.value),
            validity: validity?,
            note: rule.note.as_ref().map(|n| n.value.clone()),
            span: rule.span,
        })
    }

    fn matcher(&mut self, matcher: &ast::Matcher, structure: &Structure) -> Option<Matcher> {
        match matcher {
            ast::Matcher::Pattern(text) => Some(Matcher::Whole(Pattern::new(&text.value))),
            ast::Matcher::Conditions(conditions) => {
                let mut lowered = Vec::new();
                for condition in conditions {
                    lowered.push(self.condition(condition, structure)?);
                }
                Some(Matcher::Segments(lowered))
            }
        }
    }

    fn condition(
        &mut self,
        condition: &ast::Condition,
        structure: &Structure,
    ) -> Option<SegmentCondition> {
        let Some(segment) = structure.segment_index(&condition.segment.text) else {
            self.error(
                Diagnostic::error(
                    Code::UnknownName,
                    format!(
                        "structure `{}` has no segment `{}`",
                        structure.name, condition.segment.text
                    ),
                )
                .at(condition.segment.span, "unknown segment")
                .also(structure.span, "structure declared here")
                .help(format!(
                    "its segments are {}",
                    quoted_list(&structure.segments)
                )),
            );
            return None;
        };
        let test = match &condition.test {
            ast::SegmentTest::Pattern(text) => SegmentTest::Pattern(Pattern::new(&text.value)),
            ast::SegmentTest::Range { low, high } => {
                let (Ok(low_value), Ok(high_value)) =
                    (low.text.parse::<u128>(), high.text.parse::<u128>())
                else {
                    self.error(
                        Diagnostic::error(Code::BadMatcher, "range bound is too large")
                            .at(low.span.to(high.span), "here"),
                    );
                    return None;
                };
                if low_value > high_value {
                    self.reversed_range(low, high, "the low bound is above the high bound");
                    return None;
                }
                let shared_prefix = if low.text.len() == high.text.len() {
                    low.text
                        .chars()
                        .zip(high.text.chars())
                        .take_while(|(a, b)| a == b)
                        .count() as u32
                } else {
                    0
                };
                SegmentTest::Range {
                    low: low_value,
                    high: high_value,
                    shared_prefix,
                }
            }
        };
        Some(SegmentCondition { segment, test })
    }

    fn dimension_rule(
        &mut self,
        rule: &ast::DimensionRule,
        structure: &Structure,
        dimensions: &[DimensionDef],
    ) -> Option<DimensionRule> {
        let names: Vec<String> = dimensions.iter().map(|d| d.name.clone()).collect();
        let dimension = self.lookup(&rule.dimension, "dimension", names.iter())?;
        let validity = self.validity(rule.validity.as_ref())?;
        let body = match &rule.body {
            ast::DimensionBody::Copy(segment) => {
                let names = structure.segments.clone();
                DimensionBody::Copy(self.lookup(segment, "segment", names.iter())?)
            }
            ast::DimensionBody::Cases(cases) => {
                let mut lowered = Vec::new();
                for ast::DimensionCase {
                    matcher,
                    value,
                    validity,
                    span,
                } in cases
                {
                    if let Some(values) = &dimensions[dimension].values
                        && !values.contains_key(&value.text)
                    {
                        self.error(
                            Diagnostic::error(
                                Code::BadDimensionValue,
                                format!(
                                    "`{}` is not a value of dimension `{}`",
                                    value.text, rule.dimension.text
                                ),
                            )
                            .at(value.span, "not declared")
                            .help(format!(
                                "its values are {}",
                                quoted_list(&values.keys().cloned().collect::<Vec<_>>())
                            )),
                        );
                        continue;
                    }
                    let matcher = self.matcher(matcher, structure);
                    if let (Some(matcher), Some(validity)) =
                        (matcher, self.validity(validity.as_ref()))
                    {
                        lowered.push(DimensionCase {
                            matcher,
                            value: value.text.clone(),
                            validity,
                            span: *span,
                        });
                    }
                }
                DimensionBody::Cases(lowered)
            }
        };
        Some(DimensionRule {
            dimension,
            body,
            validity,
            span: rule.span,
        })
    }

    /// Loads a crosswalk table `pattern,code[,note]`; each row becomes a
    /// whole-code rule located at its line.
    fn table(
        &mut self,
        sources: &mut Sources,
        path: &ast::Str,
        chart: &Chart,
        loader: &Loader<'_>,
    ) -> Vec<Rule> {
        self.tables_read += 1;
        if self.tables_read > self.tables_limit {
            self.error(
                Diagnostic::error(
                    Code::LimitExceeded,
                    format!(
                        "more than {} crosswalk tables are included",
                        self.tables_limit
                    ),
                )
                .at(path.span, "one too many")
                .help("merge small tables into one, or raise the limit with --limit tables=N"),
            );
            return Vec::new();
        }
        let bytes = match loader(&path.value) {
            Ok(bytes) => bytes,
            Err(error) => {
                let what = format!("crosswalk table `{}`", path.value);
                let mut diagnostic =
                    crate::project::read_error(&what, &error).at(path.span, "included here");
                if diagnostic.help.is_none() {
                    diagnostic = diagnostic.help("paths are relative to the project root");
                }
                self.error(diagnostic);
                return Vec::new();
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                self.error(
                    Diagnostic::error(
                        Code::BadEncoding,
                        format!("crosswalk table `{}` is not UTF-8", path.value),
                    )
                    .at(path.span, "included here")
                    .note(format!(
                        "invalid byte at offset {}",
                        error.utf8_error().valid_up_to()
                    ))
                    .help("save the table as CSV UTF-8"),
                );
                return Vec::new();
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        let file = sources.add(path.value.clone(), text.clone());
        let mut rules = Vec::new();
        let mut columns = TableColumns::default();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for (index, record) in reader.records().enumerate() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    self.error(
                        Diagnostic::error(
                            Code::CsvStructure,
                            format!("unreadable crosswalk table row: {error}"),
                        )
                        .at(Span::new(file, 0, 0), "in this table"),
                    );
                    break;
                }
            };
            let Some(position) = record.position() else {
                continue;
            };
            let start = position.byte() as usize;
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let row_span = Span::new(file, start, line_end.max(start));
            if index == 0 {
                let header: Vec<&str> = record.iter().map(str::trim).collect();
                if header.first() != Some(&"pattern") || header.get(1) != Some(&"code") {
                    self.error(
                        Diagnostic::error(
                            Code::MissingColumn,
                            "a crosswalk table starts with the header `pattern,code,note`",
                        )
                        .at(row_span, "found this header")
                        .help(
                            "make the first row `pattern,code,note` (the note column is optional)",
                        ),
                    );
                    return rules;
                }
                match TableColumns::read(&header) {
                    Ok(read) => columns = read,
                    Err(unknown) => {
                        // Suggest only a column the header does not have yet.
                        let known = ["note", "valid_from", "valid_until"]
                            .into_iter()
                            .filter(|name| !header.contains(name));
                        let help = match super::closest(&unknown, known) {
                            Some(close) => format!("did you mean `{close}`? The columns are `pattern,code`, then `note`, `valid_from` and `valid_until`, each optional"),
                            None => "the columns are `pattern,code`, then `note`, `valid_from` and `valid_until`, each optional".to_string(),
                        };
                        self.error(
                            Diagnostic::error(
                                Code::MissingColumn,
                                format!("unknown column `{unknown}` in a crosswalk table"),
                            )
                            .at(row_span, "in this header")
                            .help(help),
                        );
                        return rules;
                    }
                }
                continue;
            }
            if record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            if !(2..=columns.width).contains(&record.len()) {
                let (expected, help) = if columns.width == 3 {
                    (
                        "2 or 3".to_string(),
                        "each row is `pattern,code` or `pattern,code,note`; quote a note that holds a comma",
                    )
                } else {
                    (
                        format!("2 to {}", columns.width),
                        "each row is `pattern,code` followed by the columns its header names, empty cells allowed; quote a note that holds a comma",
                    )
                };
                self.error(
                    Diagnostic::error(
                        Code::CsvStructure,
                        format!(
                            "expected {expected} fields ({}), found {}",
                            columns.names.join(","),
                            record.len()
                        ),
                    )
                    .at(row_span, "this row")
                    .help(help),
                );
                continue;
            }
            let pattern = record.get(0).unwrap_or("").trim();
            let code_text = record.get(1).unwrap_or("").trim();
            let code_start = text[start..line_end]
                .find(code_text)
                .map_or(start, |offset| start + offset);
            let code = ast::Name {
                text: code_text.to_string(),
                span: Span::new(file, code_start, code_start + code_text.len()),
            };
            if pattern.is_empty() {
                self.error(
                    Diagnostic::error(Code::BadMatcher, "empty pattern in crosswalk table")
                        .at(row_span, "this row"),
                );
                continue;
            }
            // A date cell becomes a validity date located at the cell, so
            // that a bad one is reported exactly like one in a specification.
            let cell = |column: Option<usize>| {
                let value = record.get(column?)?.trim();
                if value.is_empty() {
                    return None;
                }
                let offset = text[start..line_end].rfind(value).unwrap_or(0);
                Some(ast::Name {
                    text: value.to_string(),
                    span: Span::new(file, start + offset, start + offset + value.len()),
                })
            };
            let (from, until) = (cell(columns.from), cell(columns.until));
            let validity = (from.is_some() || until.is_some()).then_some(ast::Validity {
                from,
                until,
                span: row_span,
            });
            let validity = self.validity(validity.as_ref());
            if let (Some(target), Some(validity)) = (self.target(&code, chart), validity) {
                rules.push(Rule {
                    matcher: Matcher::Whole(Pattern::new(pattern)),
                    target,
                    priority: 0,
                    validity,
                    note: columns
                        .note
                        .and_then(|column| record.get(column))
                        .map(|note| note.trim().to_string())
                        .filter(|n| !n.is_empty()),
                    span: row_span,
                });
            }
        }
        rules
    }
}

/// Where the optional columns of a crosswalk table are. The first two are
/// always `pattern,code`; a third column of any other name is the note, as
/// it was before tables could carry validity dates.
struct TableColumns {
    note: Option<usize>,
    from: Option<usize>,
    until: Option<usize>,
    /// The most fields a row may have.
    width: usize,
    names: Vec<String>,
}

impl Default for TableColumns {
    fn default() -> TableColumns {
        TableColumns {
            note: Some(2),
            from: None,
            until: None,
            width: 3,
            names: ["pattern", "code", "note"].map(String::from).to_vec(),
        }
    }
}

impl TableColumns {
    /// Reads a header that starts `pattern,code`; an unknown column past the
    /// third is returned as the error.
    fn read(header: &[&str]) -> Result<TableColumns, String> {
        let mut columns = TableColumns {
            note: None,
            ..TableColumns::default()
        };
        for (index, name) in header.iter().enumerate().skip(2) {
            match *name {
                "valid_from" if columns.from.is_none() => columns.from = Some(index),
                "valid_until" if columns.until.is_none() => columns.until = Some(index),
                "note" if columns.note.is_none() => columns.note = Some(index),
                _ if index == 2 => columns.note = Some(index),
                other => return Err(other.to_string()),
            }
        }
        if header.len() <= 2 {
            columns.note = Some(2);
        }
        columns.width = header.len().max(3);
        columns.names = header.iter().map(|name| name.to_string()).collect();
        if header.len() <= 2 {
            columns.names.push("note".into());
        }
        Ok(columns)
    }
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use crate::source::Sources;

    const SPEC: &str = r#"
fiscal_year 2025
chart c "C" {
  11000 "Encaisse" actif_financier debit
  61000 "A" charge debit
  61010 "B" charge debit
}
dimension nature "Nature" { N1 "Un" N2 "Deux" }
structure s "S" { unit:3 "-" object:3 }
crosswalk x: s -> c {
  include "t.csv"
  object 600..699 => 61000 valid until 2025-06-30
  object 600..699 => 61010 valid from 2025-07-01
  dimension nature {
    object 600..699 => N1 valid until 2025-06-30
    object 600..699 => N2 valid from 2025-07-01
  }
}
report r "R" { line a "A" = sum(11000) line b "B" = sum(61000, 61010) }
"#;

    const TABLE: &str = "pattern,code,valid_from,valid_until,note\n000-110,11000,,2025-06-30,ancien\n000-110,61000,2025-07-01,,nouveau\n";

    fn checked(spec: &str, as_of: &str) -> Result<crate::model::Program, String> {
        let mut sources = Sources::default();
        let file = sources.add("spec.rdn", spec);
        let (tree, errors) = crate::syntax::parse(&sources, file);
        let rendered = crate::diagnostic::render(&sources, &errors, false);
        if !errors.is_empty() {
            return Err(rendered);
        }
        let loader = |_: &str| Ok(TABLE.as_bytes().to_vec());
        super::super::check_as_of(
            &mut sources,
            &[tree],
            &loader,
            &crate::limits::Limits::default(),
            crate::mapping::parse_date(as_of).ok(),
        )
        .map_err(|errors| crate::diagnostic::render(&sources, &errors, false))
    }

    #[test]
    fn each_date_keeps_its_own_rules_cases_and_rows() {
        for (as_of, target, nature, cash) in
            [("2025-06-30", 1, "N1", 0), ("2025-07-01", 2, "N2", 1)]
        {
            let program = checked(SPEC, as_of).expect("checks");
            let crosswalk = &program.crosswalks[0];
            let mapped = crosswalk.map("231-610").expect("maps");
            assert_eq!(mapped.target, target, "{as_of}");
            assert_eq!(mapped.dimensions, vec![(0, nature.to_string())], "{as_of}");
            let row = crosswalk.map("000-110").expect("maps");
            assert_eq!(row.target, cash, "{as_of}");
            assert_eq!(crosswalk.versions.len(), 6);
            assert_eq!(crosswalk.versions.iter().filter(|v| v.applies).count(), 3);
        }
    }

    #[test]
    fn overlapping_dimension_cases_are_refused() {
        let spec = SPEC.replace("N2 valid from 2025-07-01", "N2 valid from 2025-06-01");
        let errors = checked(&spec, "2025-06-30").expect_err("refused");
        assert!(errors.contains("E0310"), "{errors}");
        assert!(
            errors.contains("from 2025-06-01 until 2025-06-30"),
            "{errors}"
        );
    }

    #[test]
    fn two_undated_rules_for_one_dimension_are_refused() {
        let spec = SPEC.replace(
            "  dimension nature {",
            "  dimension nature = unit\n  dimension nature {",
        );
        let errors = checked(&spec, "2025-06-30").expect_err("refused");
        assert!(
            errors.contains("E0310") && errors.contains("on every date"),
            "{errors}"
        );
    }
}
