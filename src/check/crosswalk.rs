//! Checking structures and crosswalks, and loading crosswalk tables.

use super::{Checker, Loader};
use crate::diagnostic::{Code, Diagnostic};
use crate::mapping::pattern::Pattern;
use crate::mapping::structure::{Piece, Structure};
use crate::mapping::{
    Crosswalk, DimensionBody, DimensionCase, DimensionRule, Matcher, Rule, SegmentCondition,
    SegmentTest,
};
use crate::model::{Chart, DimensionDef};
use crate::source::{Sources, Span};
use crate::syntax::ast::{self, Item};

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
            crosswalks.push(lowered);
        }
        crosswalks
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
        Some(Rule {
            matcher: matcher?,
            target: target?,
            priority: rule.priority.map_or(0, |p| p.value),
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
        let body = match &rule.body {
            ast::DimensionBody::Copy(segment) => {
                let names = structure.segments.clone();
                DimensionBody::Copy(self.lookup(segment, "segment", names.iter())?)
            }
            ast::DimensionBody::Cases(cases) => {
                let mut lowered = Vec::new();
                for (matcher, value, span) in cases {
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
                    if let Some(matcher) = self.matcher(matcher, structure) {
                        lowered.push(DimensionCase {
                            matcher,
                            value: value.text.clone(),
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
                continue;
            }
            if record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            if !(2..=3).contains(&record.len()) {
                self.error(
                    Diagnostic::error(
                        Code::CsvStructure,
                        format!(
                            "expected 2 or 3 fields (pattern,code,note), found {}",
                            record.len()
                        ),
                    )
                    .at(row_span, "this row")
                    .help("each row is `pattern,code` or `pattern,code,note`; quote a note that holds a comma"),
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
            if let Some(target) = self.target(&code, chart) {
                rules.push(Rule {
                    matcher: Matcher::Whole(Pattern::new(pattern)),
                    target,
                    priority: 0,
                    note: record
                        .get(2)
                        .map(|note| note.trim().to_string())
                        .filter(|n| !n.is_empty()),
                    span: row_span,
                });
            }
        }
        rules
    }
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
