//! Crosswalks, and the test's own reading of them.
//!
//! The generator writes crosswalks with every kind of rule the language
//! reference describes: exact codes, whole-code patterns (`?`, `*`),
//! conditions on named segments (inclusive numeric ranges, exact values
//! written as digits, strings that are exact values or patterns of the
//! segment, joined by `and`), priorities, validity dates, and whole-code
//! rules kept in a CSV table the crosswalk includes. [`Crosswalk::map`]
//! applies them to a code given as text (as hledger reports it), by the
//! reference's precedence (grammar/REFERENCE.md, "Crosswalks"), on its own:
//! it shares no code with `src/mapping`.

use super::chart::{CHART, rdn_string};
use super::rng::Rng;
use super::structure::Structure;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The day whose rules a build keeps: the closing day of fiscal year 2025.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

/// A condition on one segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// An exact value written as digits (`activity 90100`).
    Digits(String),
    /// A string: an exact value or a pattern of the segment (`unit "2??"`).
    Text(String),
    /// An inclusive numeric range, its bounds as written (`object 400..499`).
    Range(String, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// A whole-code string: an exact code, or a pattern with `?` and `*`.
    Whole(String),
    /// Conditions on segments (index into [`Structure::every`]), all of
    /// which must hold.
    Segments(Vec<(usize, Test)>),
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub matcher: Matcher,
    /// Index into [`CHART`].
    pub target: usize,
    pub priority: u32,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub note: Option<String>,
    /// A row of the crosswalk's CSV table rather than a rule of the
    /// specification (whole-code rules of priority 0 only).
    pub table: bool,
}

/// `?` one character, `*` any run of characters (possibly empty).
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| glob(rest, &text[skip..])),
        Some(('?', rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

fn matches_glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    glob(&pattern, &text)
}

fn literals(pattern: &str) -> u32 {
    pattern.chars().filter(|c| !matches!(c, '?' | '*')).count() as u32
}

fn is_exact(pattern: &str) -> bool {
    !pattern.contains(['?', '*'])
}

impl Test {
    fn holds(&self, value: &str) -> bool {
        match self {
            Test::Digits(digits) => value == digits,
            Test::Text(pattern) => matches_glob(pattern, value),
            Test::Range(low, high) => {
                let number = |text: &str| text.parse::<u128>().ok();
                value.bytes().all(|b| b.is_ascii_digit())
                    && matches!(
                        (number(value), number(low), number(high)),
                        (Some(v), Some(l), Some(h)) if l <= v && v <= h
                    )
            }
        }
    }

    /// The characters of the code the condition fixes: an exact value its
    /// width, a pattern its literal characters, a range the digits its two
    /// bounds share at the front when they are written with as many digits.
    fn specificity(&self) -> u32 {
        match self {
            Test::Digits(digits) => digits.len() as u32,
            Test::Text(pattern) => literals(pattern),
            Test::Range(low, high) if low.len() == high.len() => low
                .bytes()
                .zip(high.bytes())
                .take_while(|(a, b)| a == b)
                .count() as u32,
            Test::Range(..) => 0,
        }
    }

    fn rdn(&self) -> String {
        match self {
            Test::Digits(digits) => digits.clone(),
            Test::Text(text) => rdn_string(text),
            Test::Range(low, high) => format!("{low}..{high}"),
        }
    }
}

impl Rule {
    fn valid(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= day) && self.until.is_none_or(|until| day <= until)
    }

    fn matches(&self, code: &str, segments: &[Option<&str>]) -> bool {
        match &self.matcher {
            Matcher::Whole(pattern) => matches_glob(pattern, code),
            Matcher::Segments(conditions) => conditions
                .iter()
                .all(|(index, test)| segments[*index].is_some_and(|value| test.holds(value))),
        }
    }

    /// An exact whole code counts its length plus one, so it beats any
    /// pattern; conditions add up.
    fn specificity(&self) -> u32 {
        match &self.matcher {
            Matcher::Whole(pattern) if is_exact(pattern) => pattern.chars().count() as u32 + 1,
            Matcher::Whole(pattern) => literals(pattern),
            Matcher::Segments(conditions) => conditions.iter().map(|(_, t)| t.specificity()).sum(),
        }
    }

    /// What the rule selects, whatever the way it is written: an exact
    /// segment value is the same condition as digits or as a string.
    fn key(&self, structure: &Structure) -> String {
        match &self.matcher {
            Matcher::Whole(pattern) => pattern.clone(),
            Matcher::Segments(conditions) => {
                let every = structure.every();
                let mut parts: Vec<String> = conditions
                    .iter()
                    .map(|(index, test)| {
                        let name = every[*index].1.name;
                        match test {
                            Test::Digits(value) | Test::Text(value) => format!("{name} {value}"),
                            Test::Range(low, high) => format!("{name} {low}..{high}"),
                        }
                    })
                    .collect();
                parts.sort();
                format!("[{}]", parts.join(" and "))
            }
        }
    }

    fn matcher_rdn(&self, structure: &Structure) -> String {
        match &self.matcher {
            Matcher::Whole(pattern) => rdn_string(pattern),
            Matcher::Segments(conditions) => {
                let every = structure.every();
                conditions
                    .iter()
                    .map(|(index, test)| format!("{} {}", every[*index].1.name, test.rdn()))
                    .collect::<Vec<_>>()
                    .join(" and ")
            }
        }
    }
}

/// Why a code has no single target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unmapped {
    /// The code does not fit the structure.
    Shape,
    /// No rule matches.
    Nothing,
    /// Two best rules of equal rank with different targets (rule indices).
    Tie(usize, usize),
}

pub struct Crosswalk {
    pub rules: Vec<Rule>,
}

/// The priority of the exact rules that settle a tie the generator made.
const SETTLING_PRIORITY: u32 = 3;

impl Crosswalk {
    /// The target and winning rule of a code on `day`: every valid rule that
    /// matches, ranked by (priority, specificity), highest first.
    pub fn map(
        &self,
        structure: &Structure,
        code: &str,
        day: NaiveDate,
    ) -> Result<(usize, usize), Unmapped> {
        let segments = structure.split(code).ok_or(Unmapped::Shape)?;
        let mut best: Option<(usize, (u32, u32))> = None;
        let mut tie = None;
        for (index, rule) in self.rules.iter().enumerate() {
            if !rule.valid(day) || !rule.matches(code, &segments) {
                continue;
            }
            let rank = (rule.priority, rule.specificity());
            match best {
                Some((_, best_rank)) if rank < best_rank => {}
                Some((winner, best_rank)) if rank == best_rank => {
                    if tie.is_none() && self.rules[winner].target != rule.target {
                        tie = Some(index);
                    }
                }
                _ => {
                    best = Some((index, rank));
                    tie = None;
                }
            }
        }
        match (best, tie) {
            (Some((winner, _)), Some(other)) => Err(Unmapped::Tie(winner, other)),
            (Some((winner, _)), None) => Ok((self.rules[winner].target, winner)),
            (None, _) => Err(Unmapped::Nothing),
        }
    }

    /// The target of a code on the as-of day of the build.
    pub fn target(&self, structure: &Structure, code: &str) -> Result<usize, Unmapped> {
        self.map(structure, code, as_of()).map(|(target, _)| target)
    }

    /// Rules of every kind over `codes`; every code is mapped, none is
    /// claimed by two best rules with different targets.
    pub fn random(rng: &mut Rng, structure: &Structure, codes: &[String]) -> Crosswalk {
        let mut generator = Generator {
            rng,
            structure,
            codes,
            rules: Vec::new(),
            keys: BTreeSet::new(),
        };
        generator.generate();
        let mut crosswalk = Crosswalk {
            rules: generator.rules,
        };
        crosswalk.settle(structure, codes);
        crosswalk
    }

    /// Gives `code` its own exact rule of the settling priority, so that it
    /// maps to `target` whatever the other rules say.
    pub fn force(&mut self, code: &str, target: usize) {
        self.rules.retain(|rule| {
            !(rule.priority == SETTLING_PRIORITY && rule.matcher == Matcher::Whole(code.into()))
        });
        self.rules.push(Rule {
            matcher: Matcher::Whole(code.to_string()),
            target,
            priority: SETTLING_PRIORITY,
            from: None,
            until: None,
            note: Some("réglé".into()),
            table: false,
        });
    }

    /// Settles each code two best rules claim with different targets.
    fn settle(&mut self, structure: &Structure, codes: &[String]) {
        for code in codes {
            if let Err(Unmapped::Tie(winner, _)) = self.map(structure, code, as_of()) {
                self.force(code, self.rules[winner].target);
            }
        }
    }

    /// The crosswalk block of a specification (`include`s its table).
    pub fn rdn(
        &self,
        name: &str,
        structure_name: &str,
        structure: &Structure,
        table: &str,
    ) -> String {
        let mut text = format!("crosswalk {name}: {structure_name} -> meq {{\n");
        if self.rules.iter().any(|rule| rule.table) {
            let _ = writeln!(text, "  include {}", rdn_string(table));
        }
        for rule in self.rules.iter().filter(|rule| !rule.table) {
            let _ = write!(
                text,
                "  {} => {}",
                rule.matcher_rdn(structure),
                CHART[rule.target].0
            );
            if rule.priority > 0 {
                let _ = write!(text, " priority {}", rule.priority);
            }
            match (rule.from, rule.until) {
                (Some(from), Some(until)) => {
                    let _ = write!(text, " valid from {from} until {until}");
                }
                (Some(from), None) => {
                    let _ = write!(text, " valid from {from}");
                }
                (None, Some(until)) => {
                    let _ = write!(text, " valid until {until}");
                }
                (None, None) => {}
            }
            if let Some(note) = &rule.note {
                let _ = write!(text, " {}", rdn_string(note));
            }
            text.push('\n');
        }
        text.push_str("}\n");
        text
    }

    /// The CSV table of the whole-code rules kept apart.
    pub fn table_csv(&self) -> String {
        let mut text = String::from("pattern,code,note,valid_from,valid_until\n");
        for rule in self.rules.iter().filter(|rule| rule.table) {
            let Matcher::Whole(pattern) = &rule.matcher else {
                unreachable!("only whole-code rules go to the table")
            };
            let note = rule.note.as_deref().unwrap_or_default();
            let note = if note.contains([',', '"']) {
                format!("\"{}\"", note.replace('"', "\"\""))
            } else {
                note.to_string()
            };
            let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            let _ = writeln!(
                text,
                "{pattern},{},{note},{},{}",
                CHART[rule.target].0,
                date(rule.from),
                date(rule.until)
            );
        }
        text
    }
}

const NOTES: &[&str] = &[
    "Écoles primaires",
    "Transport, berlines",
    "Reclassé « MEQ »",
    "Bilan",
    "Service de garde – dîner",
];

struct Generator<'g> {
    rng: &'g mut Rng,
    structure: &'g Structure,
    codes: &'g [String],
    rules: Vec<Rule>,
    /// `(matcher as written, priority)` of each rule: one version each,
    /// except the dated pairs.
    keys: BTreeSet<(String, u32)>,
}

impl Generator<'_> {
    fn target(&mut self) -> usize {
        self.rng.below(CHART.len() as u64) as usize
    }

    fn priority(&mut self) -> u32 {
        match self.rng.below(10) {
            0 => 2,
            1 | 2 => 1,
            _ => 0,
        }
    }

    fn push(&mut self, matcher: Matcher, priority: u32, dates: [Option<NaiveDate>; 2]) -> bool {
        let mut rule = Rule {
            matcher,
            target: self.target(),
            priority,
            from: dates[0],
            until: dates[1],
            note: None,
            table: false,
        };
        if !self.keys.insert((rule.key(self.structure), priority)) {
            return false;
        }
        rule.note = self
            .rng
            .percent(30)
            .then(|| self.rng.pick(NOTES).to_string());
        rule.table =
            matches!(rule.matcher, Matcher::Whole(_)) && priority == 0 && self.rng.percent(40);
        self.rules.push(rule);
        true
    }

    fn generate(&mut self) {
        let catch_all = self.target();
        self.keys.insert(("*".into(), 0));
        self.rules.push(Rule {
            matcher: Matcher::Whole("*".into()),
            target: catch_all,
            priority: 0,
            from: None,
            until: None,
            note: Some("catch-all".into()),
            table: false,
        });
        let codes = self.codes;
        for code in codes {
            if self.rng.percent(20) {
                let priority = self.priority();
                self.push(Matcher::Whole(code.clone()), priority, [None, None]);
            }
        }
        let some = codes.len() / 8 + 2;
        for _ in 0..some {
            let pattern = self.pattern();
            let priority = self.priority();
            self.push(Matcher::Whole(pattern), priority, [None, None]);
        }
        for _ in 0..some {
            if let Some(conditions) = self.conditions() {
                let priority = self.priority();
                self.push(Matcher::Segments(conditions), priority, [None, None]);
            }
        }
        self.dated_pairs();
    }

    /// A whole-code pattern from one of the codes: some characters `?`,
    /// sometimes the end (or the start) a `*`.
    fn pattern(&mut self) -> String {
        let code: Vec<char> = self.rng.pick(self.codes).chars().collect();
        let mut pattern: String = code
            .iter()
            .map(|&c| if self.rng.percent(25) { '?' } else { c })
            .collect();
        match self.rng.below(10) {
            0..=3 if code.len() > 1 => {
                let keep = self.rng.range(1, code.len() - 1);
                pattern = pattern.chars().take(keep).collect::<String>() + "*";
            }
            4 if code.len() > 1 => {
                let skip = self.rng.range(1, code.len() - 1);
                pattern = format!("*{}", pattern.chars().skip(skip).collect::<String>());
            }
            _ => {}
        }
        pattern
    }

    /// One or two conditions on distinct segments, from the values of a code.
    fn conditions(&mut self) -> Option<Vec<(usize, Test)>> {
        let code = self.rng.pick(self.codes).clone();
        let values = self.structure.split(&code)?;
        let present: Vec<usize> = (0..values.len()).filter(|i| values[*i].is_some()).collect();
        let mut chosen: Vec<usize> = (0..self.rng.range(1, 2))
            .map(|_| *self.rng.pick(&present))
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        let conditions = chosen
            .into_iter()
            .map(|index| {
                let value = values[index].unwrap_or_default();
                (index, self.test(value))
            })
            .collect();
        Some(conditions)
    }

    fn test(&mut self, value: &str) -> Test {
        let numeric = value.bytes().all(|b| b.is_ascii_digit());
        match self.rng.below(10) {
            0..=3 if numeric => {
                let number: u64 = value.parse().unwrap_or_default();
                let top = 10u64.pow(value.len() as u32) - 1;
                let spread = (top / 8).max(1);
                let low = number.saturating_sub(self.rng.below(spread + 1));
                let high = (number + self.rng.below(spread + 1)).min(top);
                Test::Range(low.to_string(), high.to_string())
            }
            4 | 5 if numeric && !value.starts_with('0') => Test::Digits(value.to_string()),
            6..=8 => Test::Text(
                value
                    .chars()
                    .map(|c| if self.rng.percent(35) { '?' } else { c })
                    .collect(),
            ),
            _ => Test::Text(value.to_string()),
        }
    }

    /// A rule that changes target on 1 July 2025 (the old one applies on the
    /// as-of day), and one that stopped applying before it.
    fn dated_pairs(&mut self) {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        for _ in 0..self.rng.range(1, 3) {
            let code = self.rng.pick(self.codes).clone();
            let matcher = if self.rng.percent(50) {
                Matcher::Whole(code)
            } else {
                Matcher::Whole(self.pattern())
            };
            let priority = self.priority();
            if self.push(matcher.clone(), priority, [None, day(2025, 6, 30)]) {
                let old = self.rules.len() - 1;
                // The later version: same matcher and priority, no `push`.
                let mut next = self.rules[old].clone();
                next.from = day(2025, 7, 1);
                next.until = None;
                next.target = (next.target + 1) % CHART.len();
                self.rules.push(next);
            }
        }
        let pattern = self.pattern();
        let priority = SETTLING_PRIORITY - 1;
        self.push(
            Matcher::Whole(pattern),
            priority,
            [day(2023, 7, 1), day(2024, 6, 30)],
        );
    }
}
