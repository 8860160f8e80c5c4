//! Real builds interrupted and raced: whatever the moment of a Ctrl-C, and
//! however two builds into one `--out` overlap, the folder ends as exactly
//! one complete build, and each run says truthfully what it did.

use crate::atomic::{complete, copy_tree, leftovers, tree};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// Two small projects whose outputs differ, so that a mix of both shows.
fn projects(scratch: &Path) -> [PathBuf; 2] {
    let bases = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/bases");
    ["minimal", "two-entities"].map(|base| {
        let project = scratch.join(base);
        copy_tree(&bases.join(base), &project);
        project
    })
}

/// A build of `project` into `out`, its output piped.
pub fn build(project: &Path, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reddition"));
    command
        .arg("build")
        .arg("--out")
        .arg(out)
        .current_dir(project)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command
}

/// The output each project builds alone, and how long a build takes.
fn references(
    projects: &[PathBuf; 2],
    scratch: &Path,
) -> ([BTreeMap<String, Vec<u8>>; 2], Duration) {
    let mut slowest = Duration::ZERO;
    let trees = [0, 1].map(|i| {
        let out = scratch.join(format!("reference-{i}"));
        let started = Instant::now();
        let output = build(&projects[i], &out).output().expect("runs");
        slowest = slowest.max(started.elapsed());
        assert!(output.status.success(), "{output:?}");
        assert!(complete(&out));
        tree(&out)
    });
    assert_ne!(
        trees[0], trees[1],
        "the two projects must build different outputs"
    );
    (trees, slowest)
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(
        status.success() || status.code() == Some(1),
        "kill: {status:?}"
    );
}

/// A small deterministic generator, so a failure can be replayed.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn ctrl_c_at_any_moment_leaves_one_whole_build() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let projects = projects(scratch.path());
    let (references, duration) = references(&projects, scratch.path());
    let out = scratch.path().join("out");
    let mut seed = 0x5eed_u64;
    let (mut stopped, mut finished) = (0, 0);
    for run in 0..50 {
        let before = tree(&out);
        let which = run % 2;
        let delay = duration * u32::try_from(next(&mut seed) % 1200).unwrap_or(0) / 1000;
        let child = build(&projects[which], &out).spawn().expect("spawns");
        std::thread::sleep(delay);
        interrupt(&child);
        let output = child.wait_with_output().expect("waits");
        let now = tree(&out);
        let said = stderr(&output);
        match output.status.code() {
            Some(0) => {
                assert_eq!(
                    now, references[which],
                    "run {run} succeeded: not its output"
                );
                finished += 1;
            }
            Some(130) if said.contains("interrupted: nothing was written") => {
                assert_eq!(now, before, "run {run} said nothing was written: {said}");
                stopped += 1;
            }
            Some(130) => assert_eq!(now, references[which], "run {run}: {said}"),
            // SIGINT before the handler was installed: the run died before writing.
            None => assert_eq!(now, before, "run {run} died by the signal"),
            code => panic!("run {run} exited {code:?}: {said}"),
        }
        assert!(
            now.is_empty() || now == references[0] || now == references[1],
            "run {run} (after {delay:?}) left a mix"
        );
        assert!(now.is_empty() || complete(&out));
        let left: Vec<String> = leftovers(scratch.path())
            .into_iter()
            .filter(|n| n.starts_with(".out"))
            .collect();
        assert!(left.is_empty(), "run {run} left {left:?}");
    }
    // How many finish depends on the machine's load; some must have stopped.
    println!("50 interrupted builds: {stopped} stopped by the signal, {finished} finished");
    assert!(stopped > 0, "{stopped} stopped, {finished} finished");
}

#[test]
fn concurrent_builds_into_one_folder_lose_nothing() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let projects = projects(scratch.path());
    let (references, _) = references(&projects, scratch.path());
    let out = scratch.path().join("out");
    let mut refused = 0;
    for pair in 0..20 {
        let children = [0, 1].map(|i| build(&projects[i], &out).spawn().expect("spawns"));
        let outputs = children.map(|child| child.wait_with_output().expect("waits"));
        let now = tree(&out);
        let winners: Vec<usize> = (0..2)
            .filter(|&i| outputs[i].status.code() == Some(0))
            .collect();
        for (i, output) in outputs.iter().enumerate() {
            match output.status.code() {
                Some(0) => {}
                Some(3) => {
                    assert!(
                        stderr(output).contains("another run is writing"),
                        "pair {pair}, build {i}: {}",
                        stderr(output)
                    );
                    refused += 1;
                }
                code => panic!("pair {pair}, build {i} exited {code:?}: {}", stderr(output)),
            }
        }
        assert!(!winners.is_empty(), "pair {pair}: neither build succeeded");
        assert!(complete(&out), "pair {pair}: an incomplete output");
        assert!(
            winners.iter().any(|&i| now == references[i]),
            "pair {pair}: the output is no winner's"
        );
    }
    println!("20 pairs of concurrent builds: {refused} refused by the lock");
}

/// Holds the lock of `out` as another run would (the lock is advisory, the
/// same system call from any process).
fn hold_lock(out: &Path) -> std::fs::File {
    let name = out.file_name().expect("a name").to_string_lossy();
    let path = out.with_file_name(format!(".{name}.lock"));
    let file = std::fs::File::create(path).expect("creates the lock file");
    file.try_lock().expect("takes the lock");
    file
}

#[test]
fn a_busy_folder_is_refused_before_any_input_is_read() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let [project, _] = projects(scratch.path());
    // A ledger that would fail the build: refused first, it is never read.
    std::fs::write(project.join("ledgers/gl-2025.csv"), "not,a,ledger\n").expect("writes");
    let out = scratch.path().join("out");
    let lock = hold_lock(&out);
    let output = build(&project, &out).output().expect("runs");
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{said}");
    assert!(said.contains("another run is writing"), "{said}");
    assert!(said.contains("--wait"), "the help names --wait: {said}");
    assert!(!said.contains("gl-2025"), "the ledger was read: {said}");
    assert!(!out.exists());
    drop(lock);
}

#[test]
fn with_wait_a_build_waits_for_the_run_holding_the_folder() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let [project, _] = projects(scratch.path());
    let out = scratch.path().join("out");
    let lock = hold_lock(&out);
    let mut child = build(&project, &out).arg("--wait").spawn().expect("spawns");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().expect("polls").is_none(),
        "the build did not wait"
    );
    assert!(
        !out.exists(),
        "the build wrote while another run held the lock"
    );
    drop(lock);
    let output = child.wait_with_output().expect("waits");
    let said = stderr(&output);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("waiting for another run writing"), "{said}");
    assert!(complete(&out));
    let left: Vec<String> = leftovers(scratch.path())
        .into_iter()
        .filter(|n| n.starts_with(".out"))
        .collect();
    assert!(left.is_empty(), "left {left:?}");
}

#[test]
fn ctrl_c_while_waiting_stops_the_wait() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let [project, _] = projects(scratch.path());
    let out = scratch.path().join("out");
    let lock = hold_lock(&out);
    let child = build(&project, &out).arg("--wait").spawn().expect("spawns");
    std::thread::sleep(Duration::from_millis(1000));
    interrupt(&child);
    let output = child.wait_with_output().expect("waits");
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{said}");
    assert!(said.contains("interrupted: nothing was written"), "{said}");
    assert!(!out.exists());
    drop(lock);
}
