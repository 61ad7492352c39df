//! Snapshots of every `--help`, so help text changes are reviewed like code.
//! After an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test help`.

mod support;

use std::path::PathBuf;

use support::Env;

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
    for sub in rootcert_subcommands() {
        check(&[sub, "--help"], sub);
    }
}

fn rootcert_subcommands() -> Vec<&'static str> {
    use clap::CommandFactory;
    let cmd = rootcert::cli::Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names
        .into_iter()
        .map(|n| &*Box::leak(n.into_boxed_str()))
        .collect()
}
