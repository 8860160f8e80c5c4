//! The oversized inputs of the outside review, kept as tests: each runs
//! `check` and `build` as a real process, and each process's peak resident
//! memory (its own, from `wait4`) must stay under 256 MiB and its stderr
//! under 1 MB, with a clean diagnostic or a clean success.

use crate::atomic::copy_tree;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MEMORY_BOUND: u64 = 256 << 20;
const STDERR_BOUND: usize = 1 << 20;

/// A copy of a base project of the UI catalogue.
fn base(scratch: &Path, name: &str) -> PathBuf {
    let project = scratch.join(name);
    let bases = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/bases");
    copy_tree(&bases.join(name), &project);
    project
}

/// Replaces `old`, found exactly once, in the project's specification.
fn edit_spec(project: &Path, old: &str, new: &str) {
    let path = project.join("reports/spec.rdn");
    let text = std::fs::read_to_string(&path).expect("the base specification");
    assert_eq!(text.matches(old).count(), 1, "`{old}` once in the base");
    std::fs::write(&path, text.replacen(old, new, 1)).expect("written");
}

/// What one run took.
struct Measured {
    code: Option<i32>,
    peak_bytes: u64,
    stderr: Vec<u8>,
}

/// Runs the binary in `project` under GNU time, which reports the peak
/// resident memory of that process alone (in KiB, `%M`).
#[cfg(target_os = "linux")]
fn measure(project: &Path, args: &[&str]) -> Measured {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "GNU time is needed (apt-get install time; .ci/run installs it)"
    );
    let report = project.join(".peak");
    let output = Command::new(time)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(env!("CARGO_BIN_EXE_reddition"))
        .args(args)
        .current_dir(project)
        .stdout(Stdio::null())
        .output()
        .expect("the binary runs");
    let said = std::fs::read_to_string(&report).expect("time wrote its report");
    // A process killed by a signal makes time write "Command terminated…" first.
    let kib: u64 = said
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("time said: {said}"));
    let signalled = said.contains("terminated by signal");
    Measured {
        code: if signalled {
            None
        } else {
            output.status.code()
        },
        peak_bytes: kib * 1024,
        stderr: output.stderr,
    }
}

/// Runs `check` and `build` on the project: each within the bounds, with
/// the exit code expected (`None`: a success).
#[cfg(target_os = "linux")]
fn assert_bounded(project: &Path, what: &str, expected: &[(&str, i32)]) {
    for (command, code) in expected {
        let args: &[&str] = match *command {
            "check" => &["check"],
            _ => &["build", "--out", "out"],
        };
        let run = measure(project, args);
        let said = String::from_utf8_lossy(&run.stderr);
        let shown: String = said.chars().take(2000).collect();
        println!(
            "{what}, {command}: exit {:?}, peak {} KiB, stderr {} bytes",
            run.code,
            run.peak_bytes / 1024,
            run.stderr.len()
        );
        assert_eq!(run.code, Some(*code), "{what}, {command}: {shown}");
        assert!(
            run.peak_bytes < MEMORY_BOUND,
            "{what}, {command}: peak memory {} bytes",
            run.peak_bytes
        );
        assert!(
            run.stderr.len() < STDERR_BOUND,
            "{what}, {command}: {} bytes of stderr",
            run.stderr.len()
        );
        assert!(!said.contains("panicked"), "{what}, {command}: {shown}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn sections_nested_10000_deep() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = base(scratch.path(), "submission");
    let line = "  line nul \"Ligne toujours nulle\" = 0\n";
    let mut nested = String::from(line);
    for depth in 0..10_000 {
        nested.push_str(&format!("section s{depth} \"Niveau {depth}\" {{\n"));
    }
    nested.push_str("line profonde \"Profonde\" = sum(51000)\n");
    nested.push_str(&"}\n".repeat(10_000));
    edit_spec(&project, line, &nested);
    assert_bounded(
        &project,
        "10 000 nested sections",
        &[("check", 5), ("build", 5)],
    );
}

#[cfg(target_os = "linux")]
#[test]
fn structure_optional_tails_100000_deep() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = base(scratch.path(), "submission");
    let old = "structure poste \"UUU-OOO\" { unit:3 \"-\" object:3 }";
    let new = format!(
        "structure poste \"UUU-OOO\" {{ unit:3 \"-\" object:3 {} {} }}",
        "[ \"x\" ".repeat(100_000),
        "] ".repeat(100_000)
    );
    edit_spec(&project, old, &new);
    assert_bounded(
        &project,
        "100 000 optional tails",
        &[("check", 5), ("build", 5)],
    );
}

/// A report of 10 000 lines with one label of `length` characters.
fn long_label_project(scratch: &Path, length: usize) -> PathBuf {
    let project = base(scratch, "minimal");
    let old = "  line revenus \"Revenus\" = sum(51000)\n";
    let label: String = "Subvention de fonctionnement "
        .chars()
        .cycle()
        .take(length)
        .collect();
    let mut new = format!("  line revenus \"{label}\" = sum(51000)\n");
    for i in 0..10_000 {
        new.push_str(&format!(
            "  line l{i:05} \"Ligne {i}\" = sum(61000) + {i}\n"
        ));
    }
    edit_spec(&project, old, &new);
    project
}

/// A 150 000-character label in a report of 10 000 lines (a 540 KB
/// specification): the text rendering once asked for 2.4 GB. Strings are
/// now limited to 4 096 characters: refused, at once.
#[cfg(target_os = "linux")]
#[test]
fn a_150000_character_label_among_10000_lines() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = long_label_project(scratch.path(), 150_000);
    let expected = [("check", 5), ("build", 5)];
    assert_bounded(&project, "a 150 000-character label", &expected);
}

/// The longest label allowed among 10 000 lines builds, every format: the
/// label overflows its column instead of widening every row.
#[cfg(target_os = "linux")]
#[test]
fn a_4096_character_label_among_10000_lines() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = long_label_project(scratch.path(), 4_096);
    let expected = [("check", 0), ("build", 0)];
    assert_bounded(&project, "a 4 096-character label", &expected);
}

/// 4 000 unknown names on one line of 115 KB: each diagnostic once
/// reprinted the whole line (680 MB of stderr).
#[cfg(target_os = "linux")]
#[test]
fn unknown_names_4000_on_one_line() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = base(scratch.path(), "minimal");
    let old = "    line encaisse \"Encaisse\" = sum(11000)\n";
    // A formula holds at most 1 000 terms: four lines on one physical line.
    let line = |n: usize| {
        let names: Vec<String> = (0..1_000)
            .map(|i| format!("inconnu_{n}_{i:04}_xxxxxxxxxxxxxxxx"))
            .collect();
        format!("line encaisse{n} \"Encaisse {n}\" = {}", names.join(" + "))
    };
    let new = format!("    {}\n", (0..4).map(line).collect::<Vec<_>>().join(" "));
    assert!(new.len() > 115_000, "{} bytes", new.len());
    edit_spec(&project, old, &new);
    assert_bounded(
        &project,
        "4 000 unknown names",
        &[("check", 1), ("build", 1)],
    );
}

/// Distinct codes no rule maps, past the `local-codes` limit (1 000 000):
/// 10 M of them once took 4.9 GB and 705 MB of stderr. The codes past the
/// limit are never kept, so 1.2 M prove the bound as well as 10 M.
#[cfg(target_os = "linux")]
#[test]
fn unmapped_codes_past_the_local_codes_limit() {
    use std::io::Write;
    let scratch = tempfile::tempdir().expect("temporary folder");
    let project = base(scratch.path(), "minimal");
    let path = project.join("ledgers/gl-2025.csv");
    let file = std::fs::File::create(&path).expect("created");
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "Date;Compte;Montant;Pièce").expect("written");
    for i in 0..1_200_000_u32 {
        // A unit of three letters or digits and an object no rule maps.
        let unit: String = [i / 300 / 1296, i / 300 / 36 % 36, i / 300 % 36]
            .iter()
            .filter_map(|&digit| char::from_digit(digit, 36))
            .collect();
        writeln!(out, "15/08/2024;{unit}-{};1,00;Z{i}", 700 + i % 300).expect("written");
    }
    out.flush().expect("flushed");
    drop(out);
    assert_bounded(
        &project,
        "1.2 M unmapped codes",
        &[("check", 0), ("build", 5)],
    );
}
