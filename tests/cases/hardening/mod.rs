//! The trust-file writer as an attacker and a fault injector see it: symlinks planted by
//! other users, devices, FIFOs, huge inputs, kills mid-save, concurrent writers, closed or
//! full standard output, non-UTF-8 names, bad proxies. Everything happens in temporary
//! directories and on 127.0.0.1.
//!
//! Tests that act as another user (`nobody`) need root; they say so and skip elsewhere,
//! unless ROOTCERT_REQUIRE_ROOT is set (as .ci/run does, which runs as root).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

mod destinations;
mod hooks;
mod inputs;

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// True when this test can act as another user; prints why it skips otherwise.
fn root_or_skip() -> bool {
    if is_root() {
        return true;
    }
    assert!(
        std::env::var_os("ROOTCERT_REQUIRE_ROOT").is_none(),
        "this test needs root, and ROOTCERT_REQUIRE_ROOT is set"
    );
    crate::support::suites::skipped(
        "hardening as root",
        "needs root (to create files owned by another user)",
    );
    false
}

/// A symlink at `link` to `target`, owned by `uid`.
fn symlink_owned_by(target: &Path, link: &Path, uid: u32) {
    std::os::unix::fs::symlink(target, link).unwrap();
    std::os::unix::fs::lchown(link, Some(uid), Some(uid)).unwrap();
}

/// A world-writable sticky directory, like /tmp, inside the test's directory.
fn sticky_dir(env: &Env) -> PathBuf {
    let dir = env.path("shared");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

/// A secret only root may read, that no run may change or quote.
fn secret(env: &Env) -> PathBuf {
    let path = env.path("secret");
    std::fs::write(&path, "root:$6$very-secret-hash:19000:0:99999:7:::\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    path
}

#[track_caller]
fn assert_secret_untouched(path: &Path) {
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        "root:$6$very-secret-hash:19000:0:99999:7:::\n"
    );
    assert_eq!(
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

/// A store holding G2 and ISRG Root X1, for offline runs.
fn store(env: &Env) -> PathBuf {
    let store = env.path("store.pem");
    std::fs::write(&store, format!("{}{}", g2_pem(), isrg_pem())).unwrap();
    store
}

/// Runs rootcert and fails the test if it does not end within `limit` (a hang).
fn run_within(mut cmd: Command, limit: Duration) -> Run {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("rootcert hung for more than {limit:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Run::from(child.wait_with_output().unwrap())
}

fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// A server that answers with `body` after `delay`, as a slow download does.
fn slow_server(body: String, delay: Duration) -> Server {
    Server::http(move |_, w| {
        std::thread::sleep(delay);
        respond(w, "200 OK", &[], body.as_bytes());
    })
}

trait FileTypeLike {
    fn is_char_device_like(&self) -> bool;
    fn is_fifo_like(&self) -> bool;
}

impl FileTypeLike for std::fs::FileType {
    fn is_char_device_like(&self) -> bool {
        std::os::unix::fs::FileTypeExt::is_char_device(self)
    }
    fn is_fifo_like(&self) -> bool {
        std::os::unix::fs::FileTypeExt::is_fifo(self)
    }
}

fn fastrand_delay(i: u64) -> u64 {
    // Spread the kills over the first ~15 ms, where parsing, download and save happen.
    (i * 7919) % 15_000
}

fn g2_path(env: &Env) -> PathBuf {
    let path = env.path("g2.pem");
    std::fs::write(&path, g2_pem().repeat(200)).unwrap();
    path
}

// ---- Files root writes (issue 16, items 13-16) ----
