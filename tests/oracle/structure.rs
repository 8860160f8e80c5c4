//! Local code structures (random ones, and those of the sample centres),
//! the codes of a structure, and how a code splits into its segments.

use super::chart::rdn_string;
use super::rng::Rng;
use std::collections::BTreeSet;
use std::fmt::Write as _;

pub struct Segment {
    pub name: &'static str,
    pub width: usize,
    /// Letters allowed besides digits.
    pub letters: bool,
}

pub struct Structure {
    /// `(separator before, segment)`; the first separator is empty.
    pub segments: Vec<(String, Segment)>,
    pub tail: Option<(String, Segment)>,
}

const SEGMENT_NAMES: [&str; 5] = ["unite", "fonds", "activite", "objet", "site"];
const SEPARATORS: [&str; 4] = ["-", ".", "/", "_"];

fn segment(name: &'static str, width: usize) -> Segment {
    Segment {
        name,
        width,
        letters: false,
    }
}

impl Structure {
    /// A random structure: one to four segments, sometimes an optional tail.
    pub fn random(rng: &mut Rng) -> Structure {
        let count = rng.range(1, 4);
        let segments = (0..count)
            .map(|i| {
                let separator = if i == 0 { "" } else { *rng.pick(&SEPARATORS) };
                let segment = Segment {
                    name: SEGMENT_NAMES[i],
                    width: rng.range(1, 5),
                    letters: rng.percent(20),
                };
                (separator.to_string(), segment)
            })
            .collect();
        let tail = rng.percent(35).then(|| {
            let segment = Segment {
                name: "mesure",
                width: rng.range(2, 5),
                letters: rng.percent(20),
            };
            (rng.pick(&SEPARATORS).to_string(), segment)
        });
        Structure { segments, tail }
    }

    /// The Sommets' `UUU-F-AAAAA-OOO`.
    pub fn sommets() -> Structure {
        Structure {
            segments: vec![
                (String::new(), segment("unit", 3)),
                ("-".into(), segment("fund", 1)),
                ("-".into(), segment("activity", 5)),
                ("-".into(), segment("object", 3)),
            ],
            tail: None,
        }
    }

    /// Rivière-du-Nord's `F.AAAA.OOOO.UUU[-MMMMM]`.
    pub fn riviere() -> Structure {
        Structure {
            segments: vec![
                (String::new(), segment("fund", 1)),
                (".".into(), segment("activity", 4)),
                (".".into(), segment("object", 4)),
                (".".into(), segment("unit", 3)),
            ],
            tail: Some(("-".into(), segment("mesure", 5))),
        }
    }

    /// Lakeshore Valley's GL account (class, function, object) and cost
    /// centre, `511100/CC-1040`.
    pub fn lakeshore() -> Structure {
        Structure {
            segments: vec![
                (String::new(), segment("class", 1)),
                (String::new(), segment("function", 2)),
                (String::new(), segment("object", 3)),
                ("/CC-".into(), segment("cost_centre", 4)),
            ],
            tail: None,
        }
    }

    /// Every segment, the tail last.
    pub fn every(&self) -> Vec<&(String, Segment)> {
        self.segments.iter().chain(&self.tail).collect()
    }

    pub fn rdn(&self, name: &str) -> String {
        let mut text = format!("structure {name} \"Poste\" {{");
        for (separator, segment) in &self.segments {
            if !separator.is_empty() {
                let _ = write!(text, " {}", rdn_string(separator));
            }
            let _ = write!(text, " {}:{}", segment.name, segment.width);
        }
        if let Some((separator, segment)) = &self.tail {
            let _ = write!(
                text,
                " [ {} {}:{} ]",
                rdn_string(separator),
                segment.name,
                segment.width
            );
        }
        text.push_str(" }\n");
        text
    }

    /// The segments of a code, left to right (`None` for an absent optional
    /// tail), as the reference describes them: each segment exactly its
    /// width of ASCII letters or digits, the separators as written, the tail
    /// taken when it is there. `None` when the code does not fit.
    pub fn split<'c>(&self, code: &'c str) -> Option<Vec<Option<&'c str>>> {
        fn take(text: &str, width: usize) -> Option<(&str, &str)> {
            let value = text.get(..width)?;
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
                .then(|| (value, &text[width..]))
        }
        let mut rest = code;
        let mut values = Vec::new();
        for (separator, segment) in &self.segments {
            rest = rest.strip_prefix(separator.as_str())?;
            let (value, after) = take(rest, segment.width)?;
            values.push(Some(value));
            rest = after;
        }
        match &self.tail {
            Some(_) if rest.is_empty() => values.push(None),
            Some((separator, segment)) => {
                let (value, after) = take(rest.strip_prefix(separator.as_str())?, segment.width)?;
                if !after.is_empty() {
                    return None;
                }
                values.push(Some(value));
            }
            None if !rest.is_empty() => return None,
            None => {}
        }
        Some(values)
    }
}

fn segment_value(rng: &mut Rng, segment: &Segment) -> String {
    const DIGITS: &[u8] = b"0123456789";
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let alphabet = if segment.letters { ALNUM } else { DIGITS };
    (0..segment.width)
        .map(|_| char::from(*rng.pick(alphabet)))
        .collect()
}

/// About `wanted` distinct codes of a structure. Each segment draws its
/// value from a pool of `pool(index)` values (0: any value), so that
/// patterns and ranges match several codes; the tail is there in
/// `tail_percent` of the codes.
pub fn codes(
    rng: &mut Rng,
    structure: &Structure,
    wanted: usize,
    pool: impl Fn(usize) -> usize,
    tail_percent: u64,
) -> Vec<String> {
    let every = structure.every();
    let pools: Vec<Vec<String>> = every
        .iter()
        .enumerate()
        .map(|(index, (_, segment))| {
            (0..pool(index))
                .map(|_| segment_value(rng, segment))
                .collect()
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut codes = Vec::new();
    for _ in 0..wanted * 4 {
        if codes.len() == wanted {
            break;
        }
        let mut text = String::new();
        for (index, (separator, segment)) in every.iter().enumerate() {
            let is_tail = index == structure.segments.len();
            if is_tail && !rng.percent(tail_percent) {
                break;
            }
            let value = if pools[index].is_empty() || rng.percent(10) {
                segment_value(rng, segment)
            } else {
                rng.pick(&pools[index]).clone()
            };
            text.push_str(separator);
            text.push_str(&value);
        }
        if seen.insert(text.clone()) {
            codes.push(text);
        }
    }
    codes
}
