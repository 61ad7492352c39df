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

#[test]
fn a_symlink_planted_during_the_download_is_not_followed() {
    // 1. Another user plants a link to a root-only file while rootcert downloads.
    if !root_or_skip() {
        return;
    }
    let env = Env::new();
    let dir = sticky_dir(&env);
    let secret = secret(&env);
    let destination = dir.join("root.pem");
    let server = slow_server(g2_pem(), Duration::from_millis(700));
    let mut cmd = env.fetch(&server.url("/g2.pem")).retries(0).command();
    cmd.arg("-o").arg(&destination);
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(250));
    symlink_owned_by(&secret, &destination, NOBODY);
    let run = Run::from(child.wait_with_output().unwrap());
    run.expect(5);
    run.stderr_has("changed");
    assert_secret_untouched(&secret);
    assert!(
        std::fs::symlink_metadata(&destination)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn another_users_symlink_is_refused_even_with_force_and_never_quoted() {
    // 2 and 4: --force does not follow a link another user owns, to a file or a directory.
    if !root_or_skip() {
        return;
    }
    let env = Env::new();
    let dir = sticky_dir(&env);
    let secret = secret(&env);
    let store = store(&env);
    let link = dir.join("root.pem");
    symlink_owned_by(&secret, &link, NOBODY);
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "--force",
            "--json",
            "-o",
            link.to_str().unwrap(),
        ],
    );
    run.expect(5);
    run.stderr_has("symlink owned by uid 65534");
    assert_secret_untouched(&secret);

    let elsewhere = env.path("chosen-by-nobody");
    std::fs::create_dir(&elsewhere).unwrap();
    let dir_link = dir.join("certs");
    symlink_owned_by(&elsewhere, &dir_link, NOBODY);
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "-o",
            dir_link.join("root.pem").to_str().unwrap(),
        ],
    );
    run.expect(5);
    let run2 = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "-o",
            &format!("{}/", dir_link.display()),
        ],
    );
    run2.expect(5);
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written there"
    );

    // 3: a root-owned link is followed, but what it points at is described, never quoted.
    let own_link = env.path("own-link.pem");
    std::os::unix::fs::symlink(&secret, &own_link).unwrap();
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "--json",
            "-o",
            own_link.to_str().unwrap(),
        ],
    );
    run.expect(5);
    run.stderr_has("text that is not a certificate");
    assert!(!run.stderr.contains("very-secret"), "{}", run.stderr);
    assert!(!run.stdout.contains("very-secret"), "{}", run.stdout);
    assert_secret_untouched(&secret);
}

#[test]
fn devices_fifos_and_directories_are_never_replaced() {
    // 5 and 8: a device node, a FIFO, a directory at the destination, even with --force.
    let env = Env::new();
    let store = store(&env);
    let fifo = env.path("fifo.pem");
    make_fifo(&fifo);
    // A directory named like the file that `-o DIR/` would save.
    let parent = env.path("certs");
    std::fs::create_dir_all(parent.join("DigiCertGlobalRootG2.crt.pem")).unwrap();
    let dir = PathBuf::from(format!("{}/", parent.display()));
    let mut targets = vec![(fifo.clone(), "a FIFO"), (dir.clone(), "a directory")];
    if is_root() {
        let null = env.path("null.pem");
        let status = Command::new("mknod")
            .arg(&null)
            .args(["c", "1", "3"])
            .status()
            .unwrap();
        assert!(status.success());
        targets.push((null, "a device"));
    }
    for (target, kind) in &targets {
        let mut cmd = env.cmd();
        cmd.env("SSL_CERT_FILE", &store)
            .args(["fetch", "--offline", "--force", "-o"])
            .arg(target);
        let run = run_within(cmd, Duration::from_secs(10));
        run.expect(5);
        run.stderr_has(&format!(
            "is {kind}; rootcert only ever replaces a regular file"
        ));
    }
    if let Some((null, _)) = targets.get(2) {
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device_like()
        );
    }
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo_like());
}

#[test]
fn a_read_only_destination_is_replaced_only_where_the_os_allows_it() {
    // Windows refuses to replace a read-only file, and so does rootcert there, leaving it
    // as it was; on Unix the rename replaces it and the new file keeps its mode 0444.
    let env = Env::new();
    let path = env.path("out/root.pem");
    std::fs::write(&path, isrg_pem()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = snapshot(&env.path("out"));
    let run = env.run_with_store(
        &store(&env),
        &[
            "fetch",
            "--offline",
            "--force",
            "-o",
            path.to_str().unwrap(),
        ],
    );
    if under_wine() {
        run.expect(5)
            .stderr_has("is read-only (attrib -r clears that");
        assert_eq!(
            snapshot(&env.path("out")),
            before,
            "the file is left as it was"
        );
    } else {
        run.expect(0);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), g2_pem());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o444);
    }
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

#[test]
fn a_directory_others_can_write_is_warned_about() {
    // 6.
    let env = Env::new();
    let store = store(&env);
    let dir = sticky_dir(&env);
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "--json",
            "-o",
            dir.join("root.pem").to_str().unwrap(),
        ],
    );
    run.expect(0);
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("writable by users other than its owner"),
        "{warnings}"
    );
}

#[test]
fn huge_and_endless_inputs_are_refused_without_reading_them() {
    // 7 and 8, under a 1 GiB address-space limit.
    let env = Env::new();
    let sparse = env.path("sparse.pem");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(2 * 1024 * 1024 * 1024)
        .unwrap();
    let fifo = env.path("fifo");
    make_fifo(&fifo);
    let bin = env!("CARGO_BIN_EXE_rootcert");
    let bounded = |args: &str, extra_env: &str| {
        let mut cmd = Command::new("sh");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.path("home"))
            .env("ROOTCERT_DIR", env.path("out"))
            .current_dir(env.dir.path())
            .args([
                "-c",
                &format!("ulimit -v 1048576; {extra_env} exec {bin} {args}"),
            ]);
        run_within(cmd, Duration::from_secs(15))
    };
    for (args, extra_env, code, needle) in [
        ("verify /dev/zero", "", 5, "a device"),
        (
            &format!("verify {}", fifo.display()) as &str,
            "",
            5,
            "a FIFO",
        ),
        (
            &format!("inspect {}", sparse.display()),
            "",
            5,
            "more than the 1024 KiB",
        ),
        (&format!("inspect {}", fifo.display()), "", 5, "a FIFO"),
        (
            "fetch -o /dev/zero --offline",
            "SSL_CERT_FILE=/dev/null",
            5,
            "a device",
        ),
        (
            "fetch --ca-file /dev/zero --url http://127.0.0.1:9/x",
            "",
            2,
            "a device",
        ),
        (
            &format!(
                "fetch --ca-file {} --url http://127.0.0.1:9/x",
                fifo.display()
            ),
            "",
            2,
            "a FIFO",
        ),
        (
            "fetch --offline --no-builtin",
            "SSL_CERT_FILE=/dev/zero",
            3,
            "a device",
        ),
        (
            "fetch --offline --no-builtin",
            &format!("SSL_CERT_FILE={}", fifo.display()),
            3,
            "a FIFO",
        ),
    ] {
        let run = bounded(args, extra_env);
        assert_eq!(run.code, code, "{args}: {}", run.stderr);
        run.stderr_has(needle);
        assert!(!run.stderr.contains("panicked"), "{args}: {}", run.stderr);
    }
    // stdin that never ends honours --timeout.
    let mut cmd = env.cmd();
    cmd.args(["inspect", "--timeout", "1", "-"]);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _keep_open = child.stdin.take();
    let start = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(8));
    let run = Run::from(out);
    run.expect(5);
    run.stderr_has("within 1 s (--timeout)");
}

#[test]
fn killed_runs_leave_no_temporary_files() {
    // 9: SIGKILL and SIGTERM at random moments; then one more run; then only the file.
    let env = Env::new();
    let out = env.path("out");
    let server = slow_server(g2_pem(), Duration::from_millis(5));
    for i in 0..40 {
        let _ = std::fs::remove_file(env.default_out());
        let mut child = env
            .fetch(&server.url("/g2.pem"))
            .retries(0)
            .args(&["--refresh"])
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(fastrand_delay(i)));
        let signal = if i % 2 == 0 { "KILL" } else { "TERM" };
        let _ = Command::new("kill")
            .args(["-s", signal, &child.id().to_string()])
            .status();
        let _ = child.wait();
    }
    // A temporary name left by a kill in the tiny window before a rename, and one from an
    // older version: the next run removes both.
    std::fs::write(out.join(".rootcert-00000000deadbeef.tmp"), "x").unwrap();
    std::fs::write(out.join(".DigiCertGlobalRootG2.crt.pem.Ab12Cd.tmp"), "x").unwrap();
    let run = fetch_url(&env, &server.url("/g2.pem"), &[]);
    run.expect(0);
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["DigiCertGlobalRootG2.crt.pem"]);
}

fn fastrand_delay(i: u64) -> u64 {
    // Spread the kills over the first ~15 ms, where parsing, download and save happen.
    (i * 7919) % 15_000
}

#[test]
fn concurrent_writers_of_two_pins_let_exactly_one_win() {
    // 10: 16 runs, 8 per pin, all in flight at once; one pin wins, the other runs exit 5.
    let env = Env::new();
    let bundle = format!("{}{}", g2_pem(), isrg_pem());
    let server = slow_server(bundle, Duration::from_millis(400));
    let destination = env.path("out/shared.pem");
    let children: Vec<(bool, std::process::Child)> = (0..16)
        .map(|i| {
            let g2 = i % 2 == 0;
            let pin = if g2 { G2_SHA256 } else { ISRG_SHA256 };
            let child = env
                .fetch(&server.url("/bundle.pem"))
                .retries(0)
                .args(&["--json", "--sha256", pin])
                .command()
                .arg("-o")
                .arg(&destination)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (g2, child)
        })
        .collect();
    let results: Vec<(bool, Run)> = children
        .into_iter()
        .map(|(g2, c)| (g2, Run::from(c.wait_with_output().unwrap())))
        .collect();
    let saved = std::fs::read_to_string(&destination).unwrap();
    let winner_is_g2 = saved == g2_pem();
    assert!(
        winner_is_g2 || saved == isrg_pem(),
        "one whole certificate: {saved}"
    );
    for (g2, run) in &results {
        if *g2 == winner_is_g2 {
            assert_eq!(run.code, 0, "{}", run.stderr);
        } else {
            assert_eq!(run.code, 5, "{}", run.stderr);
        }
    }
    let written = results
        .iter()
        .filter(|(_, r)| r.code == 0 && r.json()["status"] == "saved")
        .count();
    assert_eq!(written, 1, "exactly one run wrote the file");
}

#[test]
fn a_replaced_file_keeps_its_owner_and_mode() {
    // 11.
    if !root_or_skip() {
        return;
    }
    let env = Env::new();
    let store = store(&env);
    let path = env.path("postgres-root.crt");
    std::fs::write(&path, isrg_pem()).unwrap();
    std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "--force",
            "-o",
            path.to_str().unwrap(),
        ],
    )
    .expect(0);
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (NOBODY, NOBODY));
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), g2_pem());
}

#[test]
fn no_panics_on_odd_arguments_and_outputs() {
    // 12.
    let env = Env::new();
    let store = store(&env);
    let run = Run::from(
        env.cmd()
            .arg("fetch")
            .arg(OsStr::from_bytes(b"--bogus\xff"))
            .output()
            .unwrap(),
    );
    run.expect(2);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    let odd = env.path("odd");
    std::fs::create_dir(&odd).unwrap();
    let odd_file = odd.join(OsStr::from_bytes(b"r\xffot.pem"));
    std::fs::write(&odd_file, g2_pem()).unwrap();
    for command in ["inspect", "verify"] {
        let run = Run::from(env.cmd().arg(command).arg(&odd_file).output().unwrap());
        run.expect(0);
        run.stdout_has("r\\xFFot.pem");
    }

    let full = Command::new(env!("CARGO_BIN_EXE_rootcert"))
        .args(["inspect"])
        .arg(&odd_file)
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let run = Run::from(full);
    run.expect(1);
    run.stderr_has("cannot write to standard output");

    // A closed pipe ends the run quietly, as it does a Unix tool.
    let bin = env!("CARGO_BIN_EXE_rootcert");
    let piped = Command::new("bash")
        .args([
            "-c",
            &format!(
                "{bin} inspect {} | head -c1 >/dev/null; echo ${{PIPESTATUS[0]}}",
                g2_path(&env).display()
            ),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&piped.stdout).trim(), "141");

    // /dev/null opened read-write (as Python's subprocess.DEVNULL does) is a fine output.
    let devnull = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .unwrap();
    let quiet = Command::new(bin)
        .arg("list")
        .stdout(devnull)
        .output()
        .unwrap();
    assert_eq!(
        quiet.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );

    // `-o -` with standard output closed is an error, not a silent success.
    let closed = Command::new("bash")
        .env("SSL_CERT_FILE", &store)
        .env("HOME", env.path("home"))
        .args(["-c", &format!("{bin} fetch --offline -o - >&-")])
        .output()
        .unwrap();
    let run = Run::from(closed);
    run.expect(1);
    run.stderr_has("cannot write to standard output");
}

fn g2_path(env: &Env) -> PathBuf {
    let path = env.path("g2.pem");
    std::fs::write(&path, g2_pem().repeat(200)).unwrap();
    path
}

#[test]
fn non_utf8_and_long_destinations_are_saved_and_named_faithfully() {
    // 13.
    let env = Env::new();
    let store = store(&env);
    let dir = env.path("dest");
    std::fs::create_dir(&dir).unwrap();
    let odd = dir.join(OsStr::from_bytes(b"root-\xff.pem"));
    let run = Run::from(
        env.cmd()
            .env("SSL_CERT_FILE", &store)
            .args(["fetch", "--offline", "--json", "-o"])
            .arg(&odd)
            .output()
            .unwrap(),
    );
    run.expect(0);
    let json = run.json();
    assert_eq!(json["path_escaped"], true);
    assert!(
        json["path"].as_str().unwrap().ends_with("root-\\xFF.pem"),
        "{json}"
    );
    assert_eq!(std::fs::read_to_string(&odd).unwrap(), g2_pem());

    let long = dir.join("r".repeat(250));
    env.run_with_store(
        &store,
        &["fetch", "--offline", "-o", long.to_str().unwrap()],
    )
    .expect(0);
    assert_eq!(std::fs::read_to_string(&long).unwrap(), g2_pem());
}

#[test]
fn a_bad_proxy_is_refused_and_a_refusing_proxy_is_named() {
    // 14.
    let env = Env::new();
    let server = Server::serving(g2_pem());
    let run = Run::from(
        env.fetch("https://127.0.0.1:9/g2.pem")
            .command()
            .env("HTTPS_PROXY", "http://[not a proxy")
            .output()
            .unwrap(),
    );
    run.expect(2);
    run.stderr_has("HTTPS_PROXY is not a proxy URL");

    let closed = closed_port_url("");
    let run = Run::from(
        env.fetch(&server.url("/g2.pem"))
            .retries(0)
            .command()
            .env("HTTP_PROXY", &closed)
            .output()
            .unwrap(),
    );
    run.expect(3);
    run.stderr_has(&format!(
        "could not connect through the proxy {closed}/ (from HTTP_PROXY)"
    ));
    assert_eq!(
        server.may_be_unused().hits(),
        0,
        "the download went through the proxy, not direct"
    );
}

// ---- Files root writes (issue 16, items 13-16) ----

#[test]
fn modes_with_setuid_setgid_or_sticky_bits_are_refused() {
    let env = Env::new();
    for mode in ["6777", "4755", "2644", "1644", "0o4755"] {
        let run = env.run(&["fetch", "--offline", "--mode", mode]);
        run.expect(2).stderr_has("setuid, setgid or sticky bit");
        assert!(!env.default_out().exists());
    }
    env.run(&["fetch", "--offline", "--mode", "640"]).expect(0);
    let mode = std::fs::metadata(env.default_out()).unwrap().mode() & 0o7777;
    assert_eq!(mode, 0o640);
}

#[test]
fn a_file_another_user_can_change_is_warned_about_whether_replaced_or_kept() {
    if !root_or_skip() {
        return;
    }
    let env = Env::new();
    let out = env.default_out();
    // Planted by nobody, writable by all, holding something else: --force keeps its owner
    // and mode, and says what that means.
    std::fs::write(&out, "planted\n").unwrap();
    std::os::unix::fs::chown(&out, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = env.run(&["fetch", "--offline", "--force", "--json"]);
    run.expect(0);
    let warnings = run.json()["warnings"].to_string();
    assert!(warnings.contains("owned by user 65534"), "{warnings}");
    assert!(
        warnings.contains("writable by its group and every user (mode 666)"),
        "{warnings}"
    );
    // The same file, now holding the pinned root: "unchanged", with the same warnings.
    let run = env.run(&["fetch", "--offline"]);
    run.expect(0)
        .stderr_has("nothing to do")
        .stderr_has("owned by user 65534");
    // A directory above it that others may write (no sticky bit).
    let open = env.path("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = open.join("root.pem");
    let run = env.run(&["fetch", "--offline", "-o", file.to_str().unwrap(), "--json"]);
    run.expect(0);
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("writable by users other than its owner (mode 777)"),
        "{warnings}"
    );
    // A directory further up that others may write (no sticky bit).
    let deeper = open.join("private");
    std::fs::create_dir(&deeper).unwrap();
    std::fs::set_permissions(&deeper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = deeper.join("root.pem");
    let run = env.run(&["fetch", "--offline", "-o", file.to_str().unwrap(), "--json"]);
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("open above it is writable by its group and every user (mode 777)"),
        "{warnings}"
    );
    // Further up, a sticky directory (as /tmp) above a directory of one's own is fine.
    let shared = sticky_dir(&env);
    let mine = shared.join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = mine.join("root.pem");
    let run = env.run(&["fetch", "--offline", "-o", file.to_str().unwrap(), "--json"]);
    let warnings = run.json()["warnings"].to_string();
    assert!(!warnings.contains("shared"), "{warnings}");
}

#[test]
fn ids_that_mean_no_change_are_refused() {
    let env = Env::new();
    for flag in ["--owner", "--group"] {
        env.run(&["fetch", "--offline", flag, "4294967295"])
            .expect(2)
            .stderr_has("no change");
    }
    assert!(!env.default_out().exists());
}

#[test]
fn refresh_with_identical_bytes_is_unchanged_and_fires_nothing() {
    let env = Env::new();
    let marker = env.path("fired");
    let hook = format!("echo fired >> {}", marker.display());
    env.run(&["fetch", "--offline"]).expect(0);
    let before = std::fs::metadata(env.default_out()).unwrap().ino();
    let run = env.run(&[
        "fetch",
        "--offline",
        "--refresh",
        "--on-change",
        &hook,
        "--json",
    ]);
    run.expect(0);
    assert_eq!(run.json()["status"], "unchanged");
    assert!(!marker.exists(), "the hook fired");
    assert_eq!(std::fs::metadata(env.default_out()).unwrap().ino(), before);
}

#[test]
fn the_hook_writes_to_stderr_and_its_failure_is_in_the_json() {
    let env = Env::new();
    let run = env.run(&[
        "fetch",
        "--offline",
        "--json",
        "--on-change",
        "echo hi; echo there",
    ]);
    run.expect(0);
    let json = run.json();
    assert_eq!(json["on_change"]["ok"], true);
    assert!(run.stderr.contains("hi\nthere"), "{}", run.stderr);
    std::fs::remove_file(env.default_out()).unwrap();
    let run = env.run(&[
        "fetch",
        "--offline",
        "--json",
        "--on-change",
        "echo out; exit 7",
    ]);
    run.expect(6);
    let json = run.json();
    assert_eq!(json["status"], "saved");
    assert_eq!(json["on_change"]["ok"], false);
    assert_eq!(json["on_change"]["exit_code"], 7);
    assert_eq!(json["exit_code"], 6);
}

#[test]
fn the_hook_gets_the_exact_bytes_of_a_path_that_is_not_utf8() {
    let env = Env::new();
    let dir = env.path("out");
    let name = OsStr::from_bytes(b"\xff\xfe.pem");
    let path = dir.join(name);
    let got = env.path("got");
    let hook = format!("printf %s \"$ROOTCERT_PATH\" > {}", got.display());
    let status = env
        .cmd()
        .args(["fetch", "--offline", "--on-change", &hook, "-o"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read(&got).unwrap(), path.as_os_str().as_bytes());
}
