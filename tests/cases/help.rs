//! Snapshots of every `--help`, so help text changes are reviewed like code.
//! After an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test cli help`.

use std::path::PathBuf;

use crate::support::snapshots::assert_snapshot;
use crate::support::{Env, ISRG_SHA256};

fn check(args: &[&str], name: &str) {
    let run = Env::new().run(args);
    run.expect(0);
    let what = format!("`rootcert {}`", args.join(" "));
    assert_snapshot(&format!("{name}.txt"), &run.stdout, &what);
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
    // Profile names are completed; the bash script is run by bash as a shell would.
    let script = env.run(&["completions", "bash"]).stdout;
    let script_path = env.path("rootcert.bash");
    std::fs::write(&script_path, script).unwrap();
    let bash = |line: &str| -> Vec<String> {
        let words: Vec<&str> = line.split(' ').collect();
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; \
                 COMP_WORDS=({}); COMP_CWORD={}; _rootcert rootcert '{}' '{}'; \
                 printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script_path.display(),
                words.join(" "),
                words.len() - 1,
                words[words.len() - 1],
                words[words.len() - 2],
            ))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(bash("rootcert fetch azure-p"), ["azure-postgres-flexible"]);
    assert!(bash("rootcert fetch ").contains(&"isrg-root-x1".to_string()));
    assert!(
        bash("rootcert fetch --off").contains(&"--offline".to_string()),
        "options still complete"
    );
    let zsh = env.run(&["completions", "zsh"]).stdout;
    assert!(
        zsh.contains("(digicert-global-root-g2\\:"),
        "zsh: profile names"
    );
    let fish = env.run(&["completions", "fish"]).stdout;
    if std::process::Command::new("fish")
        .arg("--version")
        .output()
        .is_ok()
    {
        let fish_path = env.path("rootcert.fish");
        std::fs::write(&fish_path, &fish).unwrap();
        let out = std::process::Command::new("fish")
            .arg("-c")
            .arg(format!(
                "source {}; complete -C 'rootcert fetch azure-p'; complete -C 'rootcert verify isrg'",
                fish_path.display()
            ))
            .output()
            .unwrap();
        let offered: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(offered, ["azure-postgres-flexible", "isrg-root-x1"], "fish");
    } else {
        crate::support::suites::skipped(
            "fish completion",
            "fish is not installed; its script is only checked as text",
        );
        assert!(fish.contains("-a isrg-root-x1"));
    }

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
    man_pages_per_subcommand(&env, &run.stdout);
}

/// `rootcert man --dir` writes rootcert.1 (what `rootcert man` prints) and a page for every
/// subcommand it names; synopses keep the value names; the environment is listed once.
fn man_pages_per_subcommand(env: &Env, rootcert_1: &str) {
    let dir = env.path("man/man1");
    let run = env.run(&["man", "--dir", dir.to_str().unwrap()]);
    run.expect(0);
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(run.stdout.lines().count(), written.len(), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(dir.join("rootcert.1")).unwrap(),
        rootcert_1
    );
    // Every page rootcert(1) names is written, and nothing else.
    let mut named: Vec<String> = rootcert_1
        .split("rootcert\\-")
        .skip(1)
        .filter_map(|rest| rest.split_once("(1)").map(|(name, _)| name.to_string()))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase()))
        .map(|name| format!("rootcert-{name}.1"))
        .collect();
    named.push("rootcert.1".into());
    named.sort();
    named.dedup();
    assert_eq!(named, written);
    for sub in rootcert_subcommands() {
        assert!(written.contains(&format!("rootcert-{sub}.1")), "{sub}");
    }
    let fetch = std::fs::read_to_string(dir.join("rootcert-fetch.1")).unwrap();
    assert!(
        fetch.contains("\n.TH rootcert-fetch 1 \"\" \"rootcert "),
        "{fetch}"
    );
    for synopsis in [
        "\\fB\\-o|\\-\\-out\\fR \\fIPATH\\fR]",
        "\\fB\\-\\-sha256\\fR \\fIFINGERPRINT\\fR]...",
        "[\\fIPROFILE\\fR]...",
    ] {
        assert!(
            fetch.contains(synopsis),
            "rootcert-fetch(1) synopsis lacks {synopsis}"
        );
    }
    assert!(fetch.contains(".SH \"SEE ALSO\""));
    assert!(fetch.contains("rootcert(1), rootcert\\-verify(1)"));
    let see_also = rootcert_1.split(".SH \"SEE ALSO\"").nth(1).unwrap();
    for sub in rootcert_subcommands() {
        assert!(
            see_also.contains(&format!("rootcert\\-{sub}(1)")),
            "{see_also}"
        );
    }
    for page in [rootcert_1, &fetch] {
        let environment = page.split(".SH ENVIRONMENT").nth(1).unwrap();
        let environment = environment.split(".SH").next().unwrap();
        assert_eq!(
            environment.matches("ROOTCERT_DIR").count(),
            1,
            "{environment}"
        );
    }
    // man-db renders every page without a warning, where it is installed.
    if std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_ok()
    {
        for name in &written {
            let out = std::process::Command::new("man")
                .args(["--warnings", "-E", "UTF-8", "-l"])
                .arg(dir.join(name))
                .env("MANWIDTH", "80")
                .env("MAN_KEEP_FORMATTING", "0")
                .output()
                .unwrap();
            assert!(out.status.success(), "{name}");
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{name}");
        }
    }
}

/// The install lines of `man --help` and `completions --help` are README's, word for word.
#[test]
fn readme_installs_man_pages_and_completions_where_the_help_says() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let env = Env::new();
    let mut checked = 0;
    for sub in ["man", "completions"] {
        let help = env.run(&[sub, "--help"]).stdout;
        for line in help.lines().map(str::trim).filter(|l| {
            l.starts_with("rootcert ")
                && (l.contains(" > /") || l.contains(" > ~") || l.contains("--dir "))
        }) {
            assert!(
                readme.contains(line),
                "README.md lacks `{line}` from `{sub} --help`"
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked}");
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
        crate::support::suites::skipped("util-linux script", "script is not installed");
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
