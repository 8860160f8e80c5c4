//! Atomic commit of outputs, of a folder (`build`) and of one file
//! (`trial-balance --out`): whichever file-system operation fails (the k-th
//! create, write, flush, sync of a file or a folder, rename or removal, once
//! or for good), or whenever the process is killed, the previous output
//! stays whole (in place, or beside it when the disk failed putting it
//! back, which the run says and the next run undoes) and no temporary is
//! left once the next run has cleaned up. An interruption at any step of
//! the commit leaves the previous output, or the complete new one once it
//! is in place.

use reddition::output::{self, Bundle, Disk, RealDisk};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How a [`FaultyDisk`] misbehaves from its `at`-th operation (1-based).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    /// That operation fails; the others are performed.
    Once,
    /// That operation and every one after it fail (a disk gone bad).
    From,
    /// Every operation is performed, and an interruption is reported from
    /// that one on (the signal handler's flag, seen at the next check).
    Signal,
}

/// A disk that performs every operation for real, but one (or all from
/// one on) fails, or is followed by an interruption.
struct FaultyDisk {
    at: usize,
    fault: Fault,
    count: usize,
}

impl FaultyDisk {
    fn new(at: usize, fault: Fault) -> FaultyDisk {
        FaultyDisk {
            at,
            fault,
            count: 0,
        }
    }

    fn step(&mut self) -> std::io::Result<()> {
        self.count += 1;
        let fails = match self.fault {
            Fault::Once => self.count == self.at,
            Fault::From => self.count >= self.at,
            Fault::Signal => false,
        };
        match fails {
            true => Err(std::io::Error::other(format!(
                "injected fault at operation {}",
                self.count
            ))),
            false => Ok(()),
        }
    }
}

impl Disk for FaultyDisk {
    fn create_dir_all(&mut self, path: &Path) -> std::io::Result<()> {
        self.step()?;
        RealDisk.create_dir_all(path)
    }
    fn create(&mut self, path: &Path) -> std::io::Result<fs::File> {
        self.step()?;
        RealDisk.create(path)
    }
    fn write(&mut self, file: &mut fs::File, content: &[u8]) -> std::io::Result<()> {
        self.step()?;
        RealDisk.write(file, content)
    }
    fn flush(&mut self, file: &mut fs::File) -> std::io::Result<()> {
        self.step()?;
        RealDisk.flush(file)
    }
    fn sync(&mut self, file: &fs::File) -> std::io::Result<()> {
        self.step()?;
        RealDisk.sync(file)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()> {
        self.step()?;
        RealDisk.rename(from, to)
    }
    fn sync_dir(&mut self, path: &Path) -> std::io::Result<()> {
        self.step()?;
        RealDisk.sync_dir(path)
    }
    fn remove_all(&mut self, path: &Path) -> std::io::Result<()> {
        self.step()?;
        RealDisk.remove_all(path)
    }
    fn interrupted(&mut self) -> bool {
        self.fault == Fault::Signal && self.count >= self.at
    }
}

/// A bundle whose manifest lists its files, as a build's does.
fn bundle(version: &str) -> Bundle {
    let mut bundle = BTreeMap::new();
    for entity in ["sommets", "riviere"] {
        for report in ["situation", "resultats"] {
            bundle.insert(
                format!("{entity}/{report}.txt"),
                format!("{version} {entity} {report}\n").into_bytes(),
            );
        }
    }
    bundle.insert(
        "index.html".into(),
        format!("<p>{version}</p>\n").into_bytes(),
    );
    let outputs: Vec<serde_json::Value> = bundle
        .iter()
        .map(|(path, content)| {
            serde_json::json!({"path": path, "sha256": reddition::digest::sha256(content)})
        })
        .collect();
    let manifest = serde_json::json!({"tool": "reddition", "version": version, "outputs": outputs});
    bundle.insert(output::MANIFEST.into(), manifest.to_string().into_bytes());
    bundle
}

/// Every file under `root` with its content, by relative path.
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                found.insert(name, fs::read(&path).unwrap_or_default());
            }
        }
    }
    found
}

/// What is beside the output but the output itself.
pub fn leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "out")
        .collect()
}

/// The messages of a commit's warnings.
fn said(warnings: &[reddition::diagnostic::Diagnostic]) -> String {
    let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    messages.join("\n")
}

#[test]
fn a_fault_at_any_operation_leaves_the_previous_output() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let target = scratch.path().join("out");
    let previous = bundle("previous");
    output::commit(&target, &previous).expect("first commit");
    let next = bundle("next");
    let (mut failed, mut warned) = (0, 0);
    for at in 1.. {
        let mut disk = FaultyDisk::new(at, Fault::Once);
        let result = output::commit_with(&mut disk, &target, &next);
        match result {
            Ok(warnings) if at > disk.count => {
                assert!(warnings.is_empty(), "{}", said(&warnings));
                break;
            }
            // Once the new output is in place a fault is not undone: it is said.
            Ok(warnings) => {
                assert!(
                    said(&warnings).contains("injected fault"),
                    "the fault at operation {at} was swallowed: {}",
                    said(&warnings)
                );
                assert_eq!(tree(&target), next, "fault at operation {at}");
                warned += 1;
                // The next run removes what this one could not.
                output::commit(&target, &previous).expect("previous output");
            }
            Err(error) => {
                assert!(
                    error.message.contains("injected fault"),
                    "{}",
                    error.message
                );
                assert_eq!(
                    tree(&target),
                    previous,
                    "fault at operation {at} changed the output"
                );
                failed += 1;
            }
        }
        assert!(
            leftovers(scratch.path()).is_empty(),
            "fault at operation {at} left {:?}",
            leftovers(scratch.path())
        );
    }
    println!("commit of a folder: {failed} faults failed it, {warned} were warnings");
    assert!(
        failed >= 25,
        "every file is created, written, flushed and synced, every folder synced: {failed}"
    );
    // Syncing the folder holding the output, and removing the previous one.
    assert_eq!(warned, 2, "faults once the output is in place");
    assert_eq!(tree(&target), next);
    assert!(leftovers(scratch.path()).is_empty());
}

/// A disk that fails for good from some operation on: when it fails the
/// renaming into place and then the renaming back, the run says so, the
/// previous output is whole beside the target, and the next run puts it
/// back before anything else, even if that run fails too.
#[test]
fn a_disk_failing_for_good_never_loses_the_previous_output() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let target = scratch.path().join("out");
    let previous = bundle("previous");
    let next = bundle("next");
    let mut stranded = 0;
    for at in 1.. {
        output::commit(&target, &previous).expect("previous output");
        let mut disk = FaultyDisk::new(at, Fault::From);
        let result = output::commit_with(&mut disk, &target, &next);
        let error = match result {
            Ok(_) if at > disk.count => break,
            Ok(warnings) => {
                assert!(said(&warnings).contains("injected fault"));
                assert_eq!(tree(&target), next, "failing from operation {at}");
                continue;
            }
            Err(error) => error,
        };
        assert!(
            error.message.contains("injected fault"),
            "{}",
            error.message
        );
        if target.exists() {
            assert_eq!(tree(&target), previous, "failing from operation {at}");
            assert!(leftovers(scratch.path()).is_empty(), "from operation {at}");
            continue;
        }
        // The previous output is beside the target, and the error says where.
        stranded += 1;
        let left = leftovers(scratch.path());
        assert!(
            left.len() == 1 && left[0].starts_with(".out.old-"),
            "failing from operation {at} left {left:?}"
        );
        assert!(
            error.message.contains(&left[0]) && error.message.contains("putting it back failed"),
            "{}",
            error.message
        );
        assert!(
            output::previous_aside(),
            "main must not say nothing was written"
        );
        assert_eq!(tree(&scratch.path().join(&left[0])), previous);
        // The next run puts it back first (its first operation), then fails.
        let mut next_run = FaultyDisk::new(2, Fault::Once);
        let failed = output::commit_with(&mut next_run, &target, &next);
        assert!(failed.is_err(), "the next run's injected fault");
        assert_eq!(tree(&target), previous, "the next run put it back");
        assert!(leftovers(scratch.path()).is_empty());
    }
    println!("a disk failing for good: {stranded} runs left the previous output beside the target");
    assert!(
        stranded >= 1,
        "failing from the renaming into place strands the previous output"
    );
}

/// What a killed run leaves (the previous output aside, the target missing,
/// a staging folder) is put back and removed through the same disk: a
/// fault there stops the commit with the previous output whole.
#[test]
fn a_fault_while_cleaning_up_a_killed_run_loses_nothing() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let target = scratch.path().join("out");
    let aside = scratch.path().join(".out.old-1");
    let previous = bundle("previous");
    let next = bundle("next");
    let (mut failed, mut not_put_back) = (0, 0);
    for at in 1.. {
        // A run killed between its two renames, and another one's staging.
        output::commit(&aside, &previous).expect("the previous output, aside");
        let junk = scratch.path().join(".out.tmp-2/sommets");
        fs::create_dir_all(&junk).expect("a staging");
        fs::write(junk.join("situation.txt"), "half written").expect("written");
        let mut disk = FaultyDisk::new(at, Fault::Once);
        match output::commit_with(&mut disk, &target, &next) {
            Ok(_) if at > disk.count => break,
            Ok(warnings) => {
                assert!(said(&warnings).contains("injected fault"), "{at}");
                assert_eq!(tree(&target), next, "fault at operation {at}");
            }
            Err(error) => {
                assert!(
                    error.message.contains("injected fault"),
                    "{}",
                    error.message
                );
                let now = match target.exists() {
                    true => tree(&target),
                    false => {
                        assert!(error.message.contains("put back"), "{}", error.message);
                        not_put_back += 1;
                        tree(&aside)
                    }
                };
                assert_eq!(now, previous, "fault at operation {at}");
                failed += 1;
            }
        }
        // Whatever happened, the next run ends with its own output alone.
        output::commit(&target, &next).expect("a clean run");
        assert_eq!(tree(&target), next);
        assert!(leftovers(scratch.path()).is_empty(), "{at}");
        fs::remove_dir_all(&target).expect("removed");
    }
    println!(
        "cleaning up a killed run: {failed} faults failed the commit, {not_put_back} putting back"
    );
    // The first operation puts the previous output back.
    assert_eq!(not_put_back, 1, "{failed} faults failed the commit");
    assert!(failed >= 20, "{failed} faults failed the commit");
}

#[test]
fn an_interruption_at_any_step_leaves_one_whole_output() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let target = scratch.path().join("out");
    let previous = bundle("previous");
    let next = bundle("next");
    let mut stopped = 0;
    for signal_at in 1.. {
        output::commit(&target, &previous).expect("previous output");
        let mut disk = FaultyDisk::new(signal_at, Fault::Signal);
        let result = output::commit_with(&mut disk, &target, &next);
        let now = tree(&target);
        assert!(
            leftovers(scratch.path()).is_empty(),
            "signal at step {signal_at} left {:?}",
            leftovers(scratch.path())
        );
        match result {
            Err(error) => {
                assert!(error.message.contains("interrupted"), "{}", error.message);
                assert_eq!(
                    now, previous,
                    "signal at step {signal_at}: not the previous output"
                );
                stopped += 1;
            }
            Ok(warnings) => {
                assert!(warnings.is_empty(), "{}", said(&warnings));
                assert_eq!(now, next, "signal at step {signal_at}: not the new output");
                if signal_at > disk.count {
                    break;
                }
            }
        }
    }
    assert!(
        stopped >= 6,
        "a check before each file and around the renames: {stopped}"
    );
}

/// Everything beside the trial balance `name` in `parent`.
fn beside(parent: &Path, name: &str) -> Vec<String> {
    fs::read_dir(parent)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|found| found != name)
        .collect()
}

/// `trial-balance --out` writes through the same disk: a fault at any of
/// its operations, or an interruption at any step, leaves the previous
/// file or the whole new one, and nothing beside it.
#[test]
fn a_fault_or_an_interruption_writing_one_file_leaves_a_whole_file() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let target = scratch.path().join("balance.csv");
    let previous = b"entity,account,balance\ncentre,100,1.00\n".to_vec();
    let next = b"entity,account,balance\ncentre,100,2.00\ncentre,200,-2.00\n".to_vec();
    for fault in [Fault::Once, Fault::Signal] {
        let (mut failed, mut warned) = (0, 0);
        for at in 1.. {
            fs::write(&target, &previous).expect("the previous trial balance");
            let mut reservation = output::reserve(&target, "file", None).expect("reserved");
            let mut disk = FaultyDisk::new(at, fault);
            let result = output::commit_file(&mut disk, &mut reservation, &next, &[]);
            drop(reservation);
            let now = fs::read(&target).expect("a trial balance");
            assert!(
                beside(scratch.path(), "balance.csv").is_empty(),
                "{fault:?} at operation {at} left {:?}",
                beside(scratch.path(), "balance.csv")
            );
            match result {
                Ok(warnings) if at > disk.count => {
                    assert!(warnings.is_empty(), "{}", said(&warnings));
                    assert_eq!(now, next);
                    break;
                }
                Ok(warnings) => {
                    assert_eq!(now, next, "{fault:?} at operation {at}");
                    if fault == Fault::Once {
                        assert!(said(&warnings).contains("injected fault"), "{at}");
                        warned += 1;
                    }
                }
                Err(error) => {
                    let why = match fault {
                        Fault::Signal => "interrupted",
                        _ => "injected fault",
                    };
                    assert!(error.message.contains(why), "{}", error.message);
                    assert_eq!(now, previous, "{fault:?} at operation {at}");
                    failed += 1;
                }
            }
        }
        println!("commit of one file, {fault:?}: {failed} failed it, {warned} warnings");
        match fault {
            // Create, write, flush, sync and rename; then the folder's sync.
            Fault::Once => assert_eq!((failed, warned), (5, 1)),
            // The check before the rename.
            _ => assert!(failed >= 1, "{failed}"),
        }
    }
}

/// Copies a folder with all it holds.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("folder");
    for entry in fs::read_dir(from).expect("readable").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copied");
        }
    }
}

/// A complete output: a manifest whose every listed file exists with its hash.
pub fn complete(out: &Path) -> bool {
    let Ok(text) = fs::read_to_string(out.join(output::MANIFEST)) else {
        return false;
    };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    let listed = manifest["outputs"].as_array().cloned().unwrap_or_default();
    !listed.is_empty()
        && listed.iter().all(|file| {
            let path = out.join(file["path"].as_str().unwrap_or(""));
            fs::read(path).is_ok_and(|bytes| {
                reddition::digest::sha256(&bytes) == file["sha256"].as_str().unwrap_or("")
            })
        })
}

/// A build of `project` into `out`, its output thrown away.
fn build(project: &Path, out: &Path) -> Command {
    let mut command = crate::interrupt::build(project, out);
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// What a build of `child` into `parent/out` has left, by its process id:
/// its staging folder, and the previous output it moved aside.
fn traces(parent: &Path, child: &std::process::Child) -> [PathBuf; 2] {
    ["tmp", "old"].map(|kind| parent.join(format!(".out.{kind}-{}", child.id())))
}

/// Runs `child` to its end, noting when its staging folder appeared: how
/// long its commit lasts, from the first file written to its exit.
fn commit_duration(parent: &Path, mut child: std::process::Child) -> Option<Duration> {
    let [staging, _] = traces(parent, &child);
    let mut seen = None;
    while child.try_wait().expect("polls").is_none() {
        if seen.is_none() && staging.exists() {
            seen = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    assert!(child.wait().expect("waits").success());
    seen.map(|at| at.elapsed())
}

/// How the kills of [`killing_the_build_never_leaves_a_partial_output`] landed.
#[derive(Default, Debug)]
struct Kills {
    sent: usize,
    /// The process died of the signal: it was still running.
    landed: usize,
    /// ...after its staging folder had appeared.
    after_staging: usize,
    /// ...during its commit, as what it left shows: its staging folder
    /// (killed while writing, or between the renames), or the previous
    /// output it had moved aside (between the renames, or before removing
    /// it once the new output was in place).
    during_commit: usize,
    /// ...of which with the target missing: between the two renames.
    between_renames: usize,
}

#[cfg(unix)]
#[test]
fn killing_the_build_never_leaves_a_partial_output() {
    use std::os::unix::process::ExitStatusExt;
    let scratch = tempfile::tempdir().expect("temporary folder");
    let bases = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/bases");
    // Two projects whose outputs differ, built in turn into one folder, so
    // that a mix of both, or of one and nothing, shows.
    let projects = ["minimal", "two-entities"].map(|base| {
        let project = scratch.path().join(base);
        copy_tree(&bases.join(base), &project);
        project
    });
    let references = [0, 1].map(|i| {
        let out = scratch.path().join(format!("reference-{i}"));
        assert!(build(&projects[i], &out).status().expect("runs").success());
        tree(&out)
    });
    assert_ne!(references[0], references[1]);
    let out = scratch.path().join("out");
    assert!(build(&projects[0], &out).status().expect("runs").success());
    // The commit's length (the median of three), on a build that replaces
    // an output.
    let mut windows: Vec<Duration> = (0..3)
        .filter_map(|_| {
            commit_duration(
                scratch.path(),
                build(&projects[1], &out).spawn().expect("spawns"),
            )
        })
        .collect();
    windows.sort();
    let window = windows.get(1).copied().unwrap_or(Duration::from_millis(20));
    let mut seed = 0x6b11_u64;
    let mut kills = Kills::default();
    // The last whole output, in place or moved aside by a killed run.
    let mut before = tree(&out);
    for round in 0..48 {
        let which = round % 2;
        let mut child = build(&projects[which], &out).spawn().expect("spawns");
        let [staging, aside] = traces(scratch.path(), &child);
        let started = Instant::now();
        let random = u32::try_from(next(&mut seed) % 1000).unwrap_or(0);
        // Wait for a trace of the commit (then for a part of its length):
        // its staging folder, or the previous output moved aside; or, one
        // round in four, anywhere in the run, reading included.
        let (trace, delay) = match round % 4 {
            0 => (Some(&staging), Duration::ZERO),
            1 => (Some(&staging), window * random / 1000),
            2 => (Some(&aside), Duration::ZERO),
            _ => (None, window * 4 * random / 1000),
        };
        if let Some(trace) = trace {
            while !trace.exists() && child.try_wait().expect("polls").is_none() {
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "round {round}: no {} after 20 s",
                    trace.display()
                );
                std::thread::sleep(Duration::from_micros(50));
            }
        }
        std::thread::sleep(delay);
        let staged = staging.exists();
        let _ = child.kill();
        kills.sent += 1;
        let status = child.wait().expect("waits");
        if status.signal() == Some(9) {
            kills.landed += 1;
            let unfinished = staging.exists() || aside.exists();
            kills.after_staging += usize::from(staged || unfinished);
            kills.during_commit += usize::from(unfinished);
            kills.between_renames += usize::from(unfinished && !out.exists());
        } else {
            assert!(status.success(), "round {round}: {status:?}");
        }
        // The folder is one whole output, the previous or the new one; or,
        // a run killed between the renames, missing with the previous one
        // whole beside it (the next run puts it back).
        let whole = match out.exists() {
            true => out.clone(),
            false => {
                let aside: Vec<String> = leftovers(scratch.path())
                    .into_iter()
                    .filter(|n| n.starts_with(".out.old-"))
                    .collect();
                assert_eq!(aside.len(), 1, "round {round}: {aside:?}");
                scratch.path().join(&aside[0])
            }
        };
        let now = tree(&whole);
        assert!(
            complete(&whole) && (now == before || now == references[which]),
            "round {round}: a partial output in {}",
            whole.display()
        );
        before = now;
    }
    println!("the commit lasts about {window:?}");
    println!(
        "{} kills: {} landed on a running build, {} after its staging folder appeared, \
         {} during the commit ({} between the two renames)",
        kills.sent, kills.landed, kills.after_staging, kills.during_commit, kills.between_renames
    );
    assert!(kills.landed >= kills.sent / 2, "{kills:?}");
    assert!(
        kills.during_commit >= 1,
        "no kill landed during the commit: {kills:?}"
    );
    // The next run puts back what a kill left aside and removes the rest.
    assert!(build(&projects[0], &out).status().expect("runs").success());
    assert_eq!(tree(&out), references[0], "same inputs, same bytes");
    let left: Vec<String> = leftovers(scratch.path())
        .into_iter()
        .filter(|n| n.starts_with(".out"))
        .collect();
    assert!(
        left.is_empty(),
        "temporaries left after a clean run: {left:?}"
    );
}

/// A small deterministic generator, so a failure can be replayed.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}
