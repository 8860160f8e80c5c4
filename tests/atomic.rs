//! Atomic commit of outputs: whichever file-system operation fails (the k-th
//! create, write, flush, sync or rename), or whenever the process is killed,
//! the previous output stays exactly as it was and no temporary is left once
//! the next run has cleaned up. An interruption at any step of the commit
//! leaves the previous output, or the complete new one once it is in place.

use reddition::output::{self, Bundle, Disk, RealDisk};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fails the `fail_at`-th operation (1-based) and performs the others; or,
/// with `signal`, performs them all and reports an interruption from that
/// operation on (the signal handler's flag, seen at the commit's next check).
struct FaultyDisk {
    fail_at: usize,
    count: usize,
    signal: bool,
}

impl FaultyDisk {
    fn step(&mut self) -> std::io::Result<()> {
        self.count += 1;
        if self.count == self.fail_at && !self.signal {
            Err(std::io::Error::other(format!(
                "injected fault at operation {}",
                self.count
            )))
        } else {
            Ok(())
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
    fn interrupted(&mut self) -> bool {
        self.signal && self.count >= self.fail_at
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

#[test]
fn a_fault_at_any_operation_leaves_the_previous_output() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let target = scratch.path().join("out");
    let previous = bundle("previous");
    output::commit(&target, &previous).expect("first commit");
    let next = bundle("next");
    let mut faults = 0;
    for fail_at in 1.. {
        let mut disk = FaultyDisk {
            fail_at,
            count: 0,
            signal: false,
        };
        let result = output::commit_with(&mut disk, &target, &next);
        if result.is_ok() {
            assert!(fail_at > disk.count, "the fault was swallowed");
            break;
        }
        faults += 1;
        let error = result.err().map(|d| d.message).unwrap_or_default();
        assert!(error.contains("injected fault"), "{error}");
        assert_eq!(
            tree(&target),
            previous,
            "fault at operation {fail_at} changed the output"
        );
        assert!(
            leftovers(scratch.path()).is_empty(),
            "fault at operation {fail_at} left {:?}",
            leftovers(scratch.path())
        );
    }
    assert!(
        faults >= 20,
        "every file is created, written, flushed and synced: {faults} operations"
    );
    assert_eq!(tree(&target), next);
    assert!(leftovers(scratch.path()).is_empty());
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
        let mut disk = FaultyDisk {
            fail_at: signal_at,
            count: 0,
            signal: true,
        };
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
            Ok(()) => {
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
