//! Snapshots of every `--help`, so help text changes are reviewed like code.
//! After an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test cli help`.

use std::path::PathBuf;

use crate::support::Env;

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
