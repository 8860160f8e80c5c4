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

#[test]
fn killing_the_build_never_leaves_a_partial_output() {
    let project = tempfile::tempdir().expect("temporary folder");
    let root: PathBuf = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&root.join("reports"), &project.path().join("reports"));
    copy_tree(&root.join("ledgers"), &project.path().join("ledgers"));
    let out = project.path().join("out");
    let build = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_reddition"));
        command
            .args(["build", "--out", "out"])
            .current_dir(project.path());
        command
    };
    // A first, complete output; then time a whole run.
    let started = std::time::Instant::now();
    assert!(build().status().expect("runs").success());
    let duration = started.elapsed();
    let first = tree(&out);
    assert!(complete(&out));
    for step in 0..10u32 {
        // Kill late in the run, where the commit happens, and earlier too.
        let delay = duration * (11 + step) / 20;
        let mut child = build().spawn().expect("spawns");
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let now = tree(&out);
        assert!(
            now == first || complete(&out) || !out.exists(),
            "killed after {delay:?}: a partial output"
        );
        if !out.exists() {
            // Killed between the two renames: the next run puts the previous output back.
            assert!(
                leftovers(project.path())
                    .iter()
                    .any(|n| n.starts_with(".out.old-"))
            );
        }
    }
    assert!(build().status().expect("runs").success());
    assert!(complete(&out));
    assert_eq!(tree(&out), first, "same inputs, same bytes");
    let left: Vec<String> = leftovers(project.path())
        .into_iter()
        .filter(|n| n.starts_with(".out"))
        .collect();
    assert!(
        left.is_empty(),
        "temporaries left after a clean run: {left:?}"
    );
}
