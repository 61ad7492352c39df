//! Snapshots of every `--help`, so help text changes are reviewed like code.
//! After an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test cli help`.

use std::path::PathBuf;

use crate::support::{Env, ISRG_SHA256};

fn check(args: &[&str], name: &str) {
    let run = Env::new().run(args);
    run.expect(0);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &run.stdout).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        run.stdout,
        expected,
        "`rootcert {}` changed; review, then UPDATE_SNAPSHOTS=1",
        args.join(" ")
    );
}

#[test]
fn help_snapshots() {
    check(&["--help"], "rootcert");
    let subcommands = rootcert_subcommands();
    assert!(subcommands.len() >= 5, "{subcommands:?}");
    for sub in &subcommands {
        check(&[sub, "--help"], sub);
    }
}

/// The subcommands `rootcert --help` lists (all but `help` itself).
fn rootcert_subcommands() -> Vec<String> {
    let run = Env::new().run(&["--help"]);
    run.stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn completions_for_every_shell_and_one_man_page_with_everything() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = env.run(&["completions", shell]);
        run.expect(0);
        assert!(run.stdout.contains("rootcert"), "{shell}");
        assert!(run.stdout.contains("offline"), "{shell}: flags of fetch");
    }
    env.run(&["completions", "tcsh"]).expect(2);
    let run = env.run(&["man"]);
    run.expect(0);
    assert!(
        run.stdout.starts_with(".ie") || run.stdout.contains(".TH rootcert"),
        "roff"
    );
    for needle in [
        "rootcert fetch",
        "rootcert verify",
        "rootcert inspect",
        "rootcert check",
        "EXIT STATUS",
        "ENVIRONMENT",
        "SSL_CERT_FILE",
        "on\\-change",
        "min\\-days",
    ] {
        assert!(run.stdout.contains(needle), "man page lacks {needle}");
    }
}

/// Runs `rootcert ARGS` on a pseudo-terminal (util-linux `script`), as a person would.
fn on_a_terminal(env: &Env, args: &str, no_color: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_rootcert");
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path("home"))
        .env("ROOTCERT_DIR", env.path("out"))
        .env("TERM", "xterm");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
}

#[test]
fn colour_on_a_terminal_only_and_never_with_no_color() {
    let env = Env::new();
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIP: util-linux script is not installed");
        return;
    }
    env.run(&["fetch", "--offline", "-q"]).expect(0);
    let path = env.default_out();
    let shown = on_a_terminal(&env, &format!("verify {}", path.display()), false);
    assert!(
        shown.contains("\x1b[32mOK, holds every pinned certificate"),
        "{shown:?}"
    );
    let plain = on_a_terminal(&env, &format!("verify {}", path.display()), true);
    assert!(
        plain.contains("OK, holds every pinned certificate"),
        "{plain:?}"
    );
    assert!(!plain.contains('\x1b'), "NO_COLOR: {plain:?}");
    // Off a terminal (as every other test runs it): no escape codes either.
    let piped = env.run(&["verify", path.to_str().unwrap()]);
    assert!(!piped.stdout.contains('\x1b') && !piped.stderr.contains('\x1b'));
    // A failure is red on a terminal, and a status line never survives into the output.
    let failed = on_a_terminal(
        &env,
        &format!("verify --sha256 {ISRG_SHA256} {}", path.display()),
        false,
    );
    assert!(failed.contains("\x1b[31mFAILED"), "{failed:?}");
    std::fs::remove_file(env.default_out()).unwrap();
    let fetched = on_a_terminal(&env, "fetch --offline", false);
    assert!(
        fetched.contains("saved DigiCert Global Root G2"),
        "{fetched:?}"
    );

    // While a download waits, a status line says so; it is cleared before the result.
    let body = crate::support::g2_pem();
    let slow = crate::support::Server::http(move |_, w| {
        std::thread::sleep(std::time::Duration::from_millis(200));
        crate::support::respond(w, "200 OK", &[], body.as_bytes());
    });
    std::fs::remove_file(env.default_out()).unwrap();
    let args = format!("fetch --no-system --url {}", slow.url("/g2.pem"));
    let shown = on_a_terminal(&env, &args, false);
    let status = shown
        .find("rootcert: downloading http://")
        .expect("a status line");
    let cleared = shown[status..].find("\r\x1b[2K").expect("cleared");
    assert!(
        shown[status + cleared..].contains("saved DigiCert Global Root G2"),
        "{shown:?}"
    );
    let url = slow.url("/g2.pem");
    let piped = env.run(&["fetch", "--no-system", "--refresh", "--url", &url]);
    assert!(
        !piped.stderr.contains("downloading"),
        "no status line off a terminal"
    );
}
