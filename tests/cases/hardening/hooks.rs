//! --on-change: when it fires, what it gets, and how its failure is reported.

use super::*;

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
