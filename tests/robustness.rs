//! No input makes reddition panic or overflow its stack: random bytes,
//! specification text built from the language's tokens and mutated at
//! random, every sample file truncated at many points, and deeply nested
//! formulas all end in diagnostics and a clean exit, with nothing written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copied");
        }
    }
}

/// A copy of the sample project (reports/ and ledgers/) in a temporary folder.
fn sample_copy() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("temporary folder");
    copy_tree(
        &repository().join("reports"),
        &folder.path().join("reports"),
    );
    copy_tree(
        &repository().join("ledgers"),
        &folder.path().join("ledgers"),
    );
    folder
}

fn run(project: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reddition"))
        .args(args)
        .current_dir(project)
        .output()
        .expect("the binary runs")
}

fn assert_clean_failure(output: &Output, context: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code();
    assert!(
        code.is_some(),
        "{context}: killed by a signal (stack overflow?)"
    );
    assert!(!stderr.contains("panicked"), "{context}: panic\n{stderr}");
    assert_ne!(code, Some(70), "{context}: internal error\n{stderr}");
    assert_ne!(code, Some(0), "{context}: accepted");
    assert!(
        stderr.contains("error"),
        "{context}: no diagnostic\n{stderr}"
    );
}

fn spec_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.join("reports")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rdn") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn check_survives_truncated_specification_files() {
    let project = sample_copy();
    for file in spec_files(project.path()) {
        let original = std::fs::read(&file).expect("readable");
        // Cut in the middle of code lines (a cut inside a trailing comment
        // would leave a valid, shorter file).
        let text = String::from_utf8(original.clone()).expect("UTF-8 specification");
        let mut offset = 0;
        let mut cuts = Vec::new();
        for line in text.split_inclusive('\n') {
            let code = line.trim();
            if code.len() >= 4 && !code.starts_with('#') {
                let middle = (0..=line.len() / 2)
                    .rev()
                    .find(|i| line.is_char_boundary(*i))
                    .unwrap_or(0);
                cuts.push(offset + middle);
            }
            offset += line.len();
        }
        let step = (cuts.len() / 7).max(1);
        for length in cuts.into_iter().step_by(step) {
            std::fs::write(&file, &original[..length]).expect("written");
            let output = run(project.path(), &["check"]);
            let name = format!("{} cut at byte {length}", file.display());
            assert_clean_failure(&output, &name);
            assert_eq!(output.status.code(), Some(1), "{name}");
        }
        std::fs::write(&file, &original).expect("restored");
    }
}

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        &items[self.below(items.len())]
    }
}

#[test]
fn check_refuses_random_bytes_as_not_utf8() {
    let project = sample_copy();
    let target = project.path().join("reports/statements/resultats.rdn");
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for round in 0..6 {
        let bytes: Vec<u8> = (0..(64 + round * 97))
            .map(|_| (random.next() >> 24) as u8)
            .collect();
        assert!(std::str::from_utf8(&bytes).is_err(), "round {round}");
        std::fs::write(&target, &bytes).expect("written");
        let output = run(project.path(), &["check"]);
        assert_clean_failure(&output, &format!("random bytes, round {round}"));
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("[E0105]"), "round {round}: {stderr}");
    }
}

/// The language's tokens: its keywords (every word the grammar quotes),
/// its symbols, and names, strings and numbers, good and bad.
struct Vocabulary {
    keywords: std::collections::BTreeSet<String>,
    tokens: Vec<String>,
    /// Characters a specification refuses before it is parsed (E0106),
    /// inserted in a few rounds only.
    invisible: Vec<String>,
}

fn vocabulary() -> Vocabulary {
    let grammar =
        std::fs::read_to_string(repository().join("grammar/reddition.ebnf")).expect("grammar");
    let keywords: std::collections::BTreeSet<String> = grammar
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|word| word.len() > 1 && word.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_string)
        .collect();
    assert!(
        keywords.len() >= 80,
        "keywords read from the grammar: {keywords:?}"
    );
    let others = [
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "..",
        "=>",
        "->",
        "==",
        "!=",
        "<=",
        ">=",
        "=",
        ",",
        ":",
        ".",
        "+",
        "-",
        "*",
        "/",
        "|",
        "x",
        "revenus",
        "charges",
        "inconnu",
        "resultats",
        "centre",
        "year - 1",
        "\"Libellé\"",
        "\"{year_end}\"",
        "\"\"",
        "\"non terminée",
        "\"\\q\"",
        "\"e\u{301}\"",
        "0",
        "51000",
        "51000..51040",
        "1.5",
        "-1",
        "99999999999999999999999999999999",
        "2025-07-01",
        "1.4300.0620.910",
        "9*",
        "\n",
        "\n\n",
        "\t",
        "# commentaire\n",
        "é",
        "\r\n",
    ];
    let mut tokens: Vec<String> = keywords.iter().cloned().collect();
    tokens.extend(others.iter().map(|t| (*t).to_string()));
    let invisible = ["\u{feff}", "\u{0}", "\"\u{202e}\"", "\u{200b}"];
    Vocabulary {
        keywords,
        tokens,
        invisible: invisible.iter().map(|t| (*t).to_string()).collect(),
    }
}

/// A specification's text cut into tokens: words, strings, comments,
/// blanks and single symbols (concatenated they give the text back).
fn tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        let mut take_until = |until: &dyn Fn(char) -> bool, end: &mut usize| {
            while let Some(&(at, next)) = chars.peek() {
                if until(next) {
                    break;
                }
                *end = at + next.len_utf8();
                chars.next();
            }
        };
        if c == '"' {
            take_until(&|n| n == '"' || n == '\n', &mut end);
            if let Some(&(at, '"')) = chars.peek() {
                end = at + 1;
                chars.next();
            }
        } else if c == '#' {
            take_until(&|n| n == '\n', &mut end);
        } else if c.is_whitespace() {
            take_until(&|n| !n.is_whitespace(), &mut end);
        } else if c.is_alphanumeric() || c == '_' {
            take_until(&|n| !(n.is_alphanumeric() || n == '_'), &mut end);
        }
        tokens.push(text[start..end].to_string());
    }
    tokens
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Blank,
    Comment,
    Keyword,
    Name,
    Number,
    Text,
    Symbol,
}

fn kind(token: &str, vocabulary: &Vocabulary) -> Kind {
    match token.chars().next() {
        Some(c) if c.is_whitespace() => Kind::Blank,
        Some('#') => Kind::Comment,
        Some('"') => Kind::Text,
        Some(c) if c.is_ascii_digit() => Kind::Number,
        Some(_) if vocabulary.keywords.contains(token) => Kind::Keyword,
        Some(c) if c.is_alphabetic() || c == '_' => Kind::Name,
        _ => Kind::Symbol,
    }
}

/// `text` with one to three of its tokens deleted, replaced, inserted,
/// repeated or swapped, or a name, number or string replaced by another of
/// the file's (text the parser may accept, for the checker to judge), and
/// now and then an invisible character; or, one round in four, the file
/// cut at a token and followed by tokens of the language at random.
fn mutated(text: &str, vocabulary: &Vocabulary, random: &mut Random) -> String {
    let words = &vocabulary.tokens;
    let mut tokens = tokens(text);
    assert_eq!(tokens.concat(), text, "the tokens give the text back");
    if random.below(4) == 0 {
        // The file cut at a token, then tokens of the language at random.
        tokens.truncate(random.below(tokens.len()));
        for _ in 0..random.below(40) {
            tokens.push(format!(" {}", random.pick(words)));
        }
        return tokens.concat();
    }
    let original = tokens.clone();
    if random.below(20) == 0 {
        let at = random.below(tokens.len());
        tokens.insert(at, random.pick(&vocabulary.invisible).to_string());
    }
    for _ in 0..1 + random.below(3) {
        let at = random.below(tokens.len());
        match random.below(8) {
            0 => {
                tokens.remove(at);
            }
            1 => tokens[at] = format!(" {} ", random.pick(words)),
            2 => tokens.insert(at, format!(" {} ", random.pick(words))),
            3 => {
                let end = (at + 1 + random.below(12)).min(tokens.len());
                let repeated: Vec<String> = tokens[at..end].to_vec();
                tokens.splice(at..at, repeated);
            }
            4 => {
                let other = random.below(tokens.len());
                tokens.swap(at, other);
            }
            _ => {
                let replaceable = [Kind::Name, Kind::Number, Kind::Text];
                let places: Vec<usize> = (0..tokens.len())
                    .filter(|&i| replaceable.contains(&kind(&tokens[i], vocabulary)))
                    .collect();
                if let Some(&at) = places.get(random.below(places.len())) {
                    let wanted = kind(&tokens[at], vocabulary);
                    let same: Vec<String> = original
                        .iter()
                        .filter(|t| kind(t, vocabulary) == wanted)
                        .cloned()
                        .collect();
                    tokens[at] = random.pick(&same).to_string();
                }
            }
        }
        if tokens.is_empty() {
            tokens.push(random.pick(words).to_string());
        }
    }
    tokens.concat()
}

/// What a round's diagnostics show of how far `check` went.
#[derive(Default, Debug)]
struct Reached {
    /// Exit 0: the mutation left a valid specification.
    accepted: usize,
    /// Refused by the checker (names, kinds, formats, submissions: E02xx, E03xx).
    checker: usize,
    /// Refused by the parser (E0101 to E0104).
    parser: usize,
    /// Refused for an invisible character (E0106), before parsing.
    characters: usize,
    /// Refused as not UTF-8 (E0105): never, the text is UTF-8.
    not_utf8: usize,
    /// Refused otherwise (a limit, a path).
    other: usize,
}

/// Random specification text built from the language's tokens: each
/// round mutates one file of the sample (a chart, a centre's format and
/// crosswalk, statements, a ministry file, validation rules). Every round
/// ends in a clean exit, and most reach the parser and the checker.
#[test]
fn check_survives_random_specification_text() {
    let project = sample_copy();
    let files: Vec<PathBuf> = [
        "chart.rdn",
        "centres/sommets.rdn",
        "centres/reseau.rdn",
        "statements/resultats.rdn",
        "statements/flux.rdn",
        "suivi/suivi_budgetaire.rdn",
        "submissions/reddition_mesures_meq.rdn",
        "validation/meq.rdn",
    ]
    .iter()
    .map(|f| project.path().join("reports").join(f))
    .collect();
    let vocabulary = vocabulary();
    let mut random = Random(0x5eed_2024_0bad_cafe);
    let mut reached = Reached::default();
    let rounds = 240;
    for round in 0..rounds {
        let file = &files[round % files.len()];
        let original = std::fs::read_to_string(file).expect("a UTF-8 specification");
        let text = mutated(&original, &vocabulary, &mut random);
        std::fs::write(file, &text).expect("written");
        let output = run(project.path(), &["check"]);
        std::fs::write(file, &original).expect("restored");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let shown: String = text.chars().take(2000).collect();
        let context = format!("round {round}, {}:\n{shown}\n", file.display());
        let code = output.status.code();
        assert!(code.is_some(), "{context}killed by a signal");
        assert!(!stderr.contains("panicked"), "{context}panic\n{stderr}");
        assert_ne!(code, Some(70), "{context}internal error\n{stderr}");
        let codes: Vec<&str> = stderr
            .match_indices("[E")
            .filter_map(|(at, _)| stderr.get(at + 1..at + 6))
            .collect();
        if code == Some(0) {
            reached.accepted += 1;
            continue;
        }
        assert!(!codes.is_empty(), "{context}no error code\n{stderr}");
        if codes.contains(&"E0105") {
            reached.not_utf8 += 1;
        } else if codes
            .iter()
            .any(|c| c.starts_with("E02") || c.starts_with("E03"))
        {
            reached.checker += 1;
        } else if codes.contains(&"E0106") {
            reached.characters += 1;
        } else if codes.iter().any(|c| c.starts_with("E01")) {
            reached.parser += 1;
        } else {
            reached.other += 1;
        }
    }
    println!("{rounds} rounds of mutated specification text: {reached:?}");
    assert_eq!(reached.not_utf8, 0, "{reached:?}");
    // Measured: 233 rounds of 240 reach the parser, 51 the checker.
    let parsed = reached.parser + reached.checker + reached.accepted;
    assert!(
        parsed * 10 >= rounds * 8,
        "too few rounds reached the parser: {reached:?}"
    );
    let checked = reached.checker + reached.accepted;
    assert!(
        checked * 10 >= rounds,
        "too few rounds reached the checker: {reached:?}"
    );
}

#[test]
fn check_survives_deep_nesting() {
    let project = sample_copy();
    let depth = 200_000;
    let formula = format!("{}sum(52000){}", "(".repeat(depth), ")".repeat(depth));
    let negations = format!("{}sum(52000)", "-".repeat(depth));
    let chain = format!("sum(52000){}", " + 1".repeat(depth));
    for (name, text) in [
        ("parentheses", formula),
        ("negations", negations),
        ("a long chain", chain),
    ] {
        std::fs::write(
            project.path().join("reports/deep.rdn"),
            format!("report deep \"Profond\" {{ line x \"X\" = {text} }}\n"),
        )
        .expect("written");
        let output = run(project.path(), &["check"]);
        assert_clean_failure(&output, name);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("E0104") || stderr.contains("E0901"),
            "{name}: {stderr}"
        );
        assert_eq!(output.status.code(), Some(5), "{name}: a limit");
    }
}

#[test]
fn build_survives_truncated_ledgers() {
    let project = sample_copy();
    let ledger_files: Vec<PathBuf> = {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(project.path().join("ledgers"))
            .expect("ledgers")
            .flatten()
        {
            if entry.path().is_dir() {
                for inner in std::fs::read_dir(entry.path()).expect("centre").flatten() {
                    if inner.path().extension().is_some_and(|e| e == "csv") {
                        files.push(inner.path());
                    }
                }
            }
        }
        files.sort();
        files
    };
    assert!(!ledger_files.is_empty());
    let out = project.path().join("out");
    for file in ledger_files {
        let original = std::fs::read(&file).expect("readable");
        for cut in [1, 3, 5] {
            let length = original.len() * cut / 7;
            std::fs::write(&file, &original[..length]).expect("written");
            let output = run(
                project.path(),
                &["build", "--format", "txt", "--out", "out"],
            );
            assert_clean_failure(&output, &format!("{} cut at byte {length}", file.display()));
            assert!(!out.exists(), "a failed build wrote {}", out.display());
        }
        std::fs::write(&file, &original).expect("restored");
    }
}

/// Acceptance: deleting one crosswalk rule makes the build fail with the list
/// of unmapped codes (count, amount, first location) and writes nothing.
#[test]
fn deleting_a_rule_lists_the_unmapped_codes() {
    let project = sample_copy();
    let crosswalk = project.path().join("reports/centres/sommets.rdn");
    let text = std::fs::read_to_string(&crosswalk).expect("sommets crosswalk");
    let rule = text
        .lines()
        .find(|line| line.contains("=> 61000"))
        .expect("a rule to the teaching code")
        .to_string();
    std::fs::write(&crosswalk, text.replacen(&rule, "", 1)).expect("written");
    let output = run(project.path(), &["build", "--out", "out"]);
    assert_clean_failure(&output, "rule deleted");
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("E0501"), "{stderr}");
    assert!(stderr.contains("lines, amount"), "{stderr}");
    assert!(stderr.contains("first at ledgers/"), "{stderr}");
    assert!(!project.path().join("out").exists());
}

/// A file in a source folder whose name is not UTF-8 is named as such, not
/// reported as missing ("No such file or directory").
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_said_so() {
    use std::os::unix::ffi::OsStrExt;
    let folder = tempfile::tempdir().expect("temporary folder");
    let project = folder.path();
    copy_tree(&repository().join("tests/cases/bases/minimal"), project);
    let monthly = project.join("ledgers/mensuel");
    std::fs::create_dir_all(&monthly).expect("folder");
    std::fs::rename(
        project.join("ledgers/gl-2025.csv"),
        monthly.join("gl-2025.csv"),
    )
    .expect("moved");
    let name = std::ffi::OsStr::from_bytes(b"janvier-\xe9t\xe9.csv");
    std::fs::write(monthly.join(name), "Date;Compte;Montant;Pièce\n").expect("written");
    let spec = project.join("reports/spec.rdn");
    let text = std::fs::read_to_string(&spec).expect("spec");
    let text = text.replace("\"ledgers/gl-2025.csv\"", "\"ledgers/mensuel\"");
    std::fs::write(&spec, text).expect("spec written");
    let output = run(project, &["build", "--out", "out"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_clean_failure(&output, "non-UTF-8 file name");
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
    assert!(stderr.contains("janvier-"), "{stderr}");
    assert!(!stderr.contains("No such file"), "{stderr}");
}
