//! The recipes of recipes/README.md, run as written: the Dockerfile's rootcert lines (the
//! whole Dockerfile runs in a fresh Debian root in packaging/test-dockerfile.sh, which needs
//! the package), the Ansible playbook by ansible-playbook (changed, unchanged, failed),
//! cloud-init's file by its schema and its commands, a Debian postinst offline, a CI step,
//! the systemd units by systemd-analyze and their command, and the cron line; and the client
//! snippets (psycopg, pg8000, node-postgres) connecting with verify-full to a real
//! PostgreSQL with the saved file.
//!
//! Downloads go to a refused proxy on 127.0.0.1 (never off this machine), and there is no
//! CA store: the recipes must then get the root from rootcert's built-in copy.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

fn recipe(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("recipes")
            .join(name),
    )
    .unwrap()
}

/// The rootcert command lines of a recipe, as a shell would run them.
fn commands(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|line| {
            let start = line
                .find("/usr/bin/rootcert ")
                .or_else(|| line.find("rootcert "))?;
            let command = line[start..].trim_end().trim_end_matches(['"', ']', '\'']);
            Some(command.replacen("/usr/bin/rootcert", "rootcert", 1))
        })
        .collect()
}

/// A root directory for one recipe, and a shell that runs there as the recipe would, with
/// `/etc/` moved into it.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Sandbox { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// `text` with `/etc/` moved into the sandbox.
    fn moved(&self, text: &str) -> String {
        text.replace("/etc/", &format!("{}/etc/", self.dir.path().display()))
    }

    /// `program` as a recipe runs it: rootcert on the PATH, downloads to a refused proxy,
    /// no CA store.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_rootcert")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.path("home"))
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("SSL_CERT_FILE", "/nonexistent")
            .env("SSL_CERT_DIR", "/nonexistent")
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        command
    }

    fn shell(&self, script: &str, args: &[&str]) -> Run {
        Run::from(
            self.command("sh")
                .arg("-c")
                .arg(self.moved(script))
                .arg("recipe")
                .args(args)
                .output()
                .unwrap(),
        )
    }

    fn saved(&self) -> String {
        std::fs::read_to_string(self.path("etc/ssl/app/DigiCertGlobalRootG2.crt.pem")).unwrap()
    }
}

#[test]
fn dockerfile_fetches_at_build_and_verifies_at_start() {
    let sandbox = Sandbox::new();
    let build = commands(&recipe("Dockerfile"));
    assert_eq!(build.len(), 1, "{build:?}");
    sandbox.shell(&build[0], &[]).expect(0);
    assert_eq!(sandbox.saved(), g2_pem());
    let start = recipe("docker-entrypoint.sh");
    let run = sandbox.shell(&start, &["echo", "started"]);
    run.expect(0);
    run.stdout_has("started");
}

/// A tool a recipe needs (ansible-playbook, cloud-init, systemd-analyze), or `None` after a
/// skip notice; ROOTCERT_REQUIRE_RECIPE_TOOLS (set by .ci/run) makes a missing one a failure.
fn recipe_tool(name: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_none() {
        assert!(
            std::env::var_os("ROOTCERT_REQUIRE_RECIPE_TOOLS").is_none(),
            "{name} is not installed, and ROOTCERT_REQUIRE_RECIPE_TOOLS is set"
        );
        crate::support::suites::skipped(
            &format!("recipe tool {name}"),
            "not installed; .ci/run installs it",
        );
    }
    found
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// ansible-playbook (pip's, beside python3, so that no pyenv shim needs our HOME) and the
/// interpreter it should run modules with.
fn ansible() -> Option<(PathBuf, PathBuf)> {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()?;
    let python = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let beside = python.parent()?.join("ansible-playbook");
    let playbook = recipe_tool(
        "ansible-playbook",
        beside
            .is_file()
            .then_some(beside)
            .or_else(|| which("ansible-playbook")),
    )?;
    Some((playbook, python))
}

/// `changed=N` and `failed=N` of the play recap's localhost line.
fn recap(stdout: &str) -> (u32, u32) {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("localhost") && l.contains("changed="))
        .unwrap_or_else(|| panic!("no play recap in:\n{stdout}"));
    let count = |key: &str| -> u32 {
        line.split_whitespace()
            .find_map(|word| word.strip_prefix(key))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {line}"))
    };
    (count("changed="), count("failed="))
}

#[test]
fn ansible_playbook_is_changed_once_then_not_and_fails_on_a_wrong_file() {
    let Some((playbook, python)) = ansible() else {
        return;
    };
    let sandbox = Sandbox::new();
    // The playbook and its task file as written, with /etc/ moved into the sandbox.
    std::fs::create_dir_all(sandbox.path("ansible")).unwrap();
    for name in ["ansible-playbook.yml", "ansible-tasks.yml"] {
        std::fs::write(
            sandbox.path("ansible").join(name),
            sandbox.moved(&recipe(name)),
        )
        .unwrap();
    }
    let run = || -> Run {
        Run::from(
            sandbox
                .command(&playbook)
                .args(["-i", "localhost,", "-c", "local", "-e"])
                .arg(format!("ansible_python_interpreter={}", python.display()))
                .arg(sandbox.path("ansible/ansible-playbook.yml"))
                .env("LC_ALL", "C.UTF-8")
                .env("ANSIBLE_NOCOLOR", "1")
                .env("ANSIBLE_LOCAL_TEMP", sandbox.path("home/.ansible/tmp"))
                .output()
                .unwrap(),
        )
    };
    let first = run();
    first.expect(0);
    assert_eq!(recap(&first.stdout), (1, 0), "{}", first.stdout);
    assert_eq!(sandbox.saved(), g2_pem());
    let second = run();
    second.expect(0);
    assert_eq!(
        recap(&second.stdout),
        (0, 0),
        "a converged run reports no change: {}",
        second.stdout
    );
    // Another certificate at the path: rootcert refuses (exit 5), so the task fails and the
    // file is left as it was.
    let path = sandbox.path("etc/ssl/app/DigiCertGlobalRootG2.crt.pem");
    std::fs::write(&path, isrg_pem()).unwrap();
    let bad = run();
    bad.expect(2);
    assert_eq!(recap(&bad.stdout), (0, 1), "{}", bad.stdout);
    bad.stdout_has("already holds a different certificate");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), isrg_pem());
}

#[test]
fn cloud_init_file_is_valid_cloud_config() {
    let Some(cloud_init) = recipe_tool("cloud-init", which("cloud-init")) else {
        return;
    };
    let schema = |path: &Path| {
        Command::new(&cloud_init)
            .args(["schema", "--config-file"])
            .arg(path)
            .output()
            .unwrap()
    };
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes/cloud-init.yml");
    let out = schema(&file);
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Valid cloud-config"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The same file with runcmd's list turned into a string is refused: the check can fail.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("cloud-init.yml");
    std::fs::write(
        &broken,
        recipe("cloud-init.yml").replacen("runcmd:", "runcmd: 5\nunused:", 1),
    )
    .unwrap();
    assert!(!schema(&broken).status.success());
}

#[test]
fn systemd_units_pass_systemd_analyze_verify() {
    let Some(analyze) = recipe_tool("systemd-analyze", which("systemd-analyze")) else {
        return;
    };
    // A root with systemd's own units, the two recipes, and rootcert where ExecStart says.
    let root = tempfile::tempdir().unwrap();
    let units = root.path().join("etc/systemd/system");
    std::fs::create_dir_all(&units).unwrap();
    std::fs::create_dir_all(root.path().join("usr/lib/systemd")).unwrap();
    let status = Command::new("cp")
        .args(["-a", "/usr/lib/systemd/system"])
        .arg(root.path().join("usr/lib/systemd/"))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::create_dir_all(root.path().join("usr/bin")).unwrap();
    let bin = root.path().join("usr/bin/rootcert");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_rootcert"), &bin).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_rootcert"), &bin).unwrap();
    }
    let verify = |names: &[&str]| -> (bool, String) {
        let out = Command::new(&analyze)
            .arg("verify")
            .arg(format!("--root={}", root.path().display()))
            .args(names.iter().map(|n| units.join(n)))
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), said)
    };
    let names = ["rootcert-verify.service", "rootcert-verify.timer"];
    for name in names {
        std::fs::write(units.join(name), recipe(name)).unwrap();
    }
    assert_eq!(verify(&names), (true, String::new()));
    // A misspelt key is reported, and a missing binary fails: the check can fail.
    std::fs::write(
        units.join("typo.service"),
        recipe("rootcert-verify.service").replace("Type=", "Typ="),
    )
    .unwrap();
    let (_, said) = verify(&["typo.service"]);
    assert!(said.contains("Unknown key"), "{said}");
    std::fs::remove_file(&bin).unwrap();
    assert!(!verify(&names).0);
}

#[test]
fn cloud_init_ci_systemd_and_cron_commands_run() {
    let sandbox = Sandbox::new();
    for command in commands(&recipe("cloud-init.yml")) {
        sandbox.shell(&command, &[]).expect(0);
    }
    assert_eq!(sandbox.saved(), g2_pem());
    for name in ["rootcert-verify.service", "crontab"] {
        let lines = commands(&recipe(name));
        assert_eq!(lines.len(), 1, "{name}");
        let run = sandbox.shell(&lines[0], &[]);
        run.expect(0);
        if name == "crontab" {
            assert_eq!(
                run.stdout, "",
                "cron mails any output; -q prints none on success"
            );
        }
    }
    assert!(recipe("rootcert-verify.timer").contains("OnCalendar=daily"));
    // The CI step checks a file committed to the repository.
    std::fs::create_dir_all(sandbox.path("config")).unwrap();
    std::fs::write(
        sandbox.path("config/DigiCertGlobalRootG2.crt.pem"),
        g2_pem(),
    )
    .unwrap();
    for command in commands(&recipe("ci-step.yml")) {
        sandbox.shell(&command, &[]).expect(0);
    }
    std::fs::write(
        sandbox.path("config/DigiCertGlobalRootG2.crt.pem"),
        isrg_pem(),
    )
    .unwrap();
    sandbox
        .shell(&commands(&recipe("ci-step.yml"))[0], &[])
        .expect(4);
}

#[test]
fn postinst_works_offline_with_the_built_in_copy() {
    if !std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
    {
        crate::support::suites::skipped(
            "postinst as root",
            "the postinst gives the file to root, which needs root",
        );
        return;
    }
    let sandbox = Sandbox::new();
    let run = sandbox.shell(&recipe("postinst"), &["configure"]);
    run.expect(0);
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("", ""),
        "dpkg --configure shows whatever a postinst prints; -q prints nothing"
    );
    assert_eq!(sandbox.saved(), g2_pem());
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(sandbox.path("etc/ssl/app/DigiCertGlobalRootG2.crt.pem")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o644);
}

/// Whether `program args...` runs (a client library is installed), or why not.
fn available(program: &str, args: &[&str], env: &[(&str, &str)]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("ROOTCERT_REQUIRE_CLIENTS").is_none(),
            "{program} {args:?} fails, and ROOTCERT_REQUIRE_CLIENTS is set"
        );
        crate::support::suites::skipped(
            &format!("recipe client {program}"),
            &format!("{program} {args:?} is not available"),
        );
    }
    ok
}

#[test]
fn clients_connect_with_verify_full_using_the_saved_root() {
    let Some((server, chain)) = pg::shared() else {
        return;
    };
    // Save the server's root with rootcert, as a user would (pinned, from a local mirror).
    let env = Env::new();
    let mirror = Server::serving(chain.root_pem.clone());
    let root = env.path("out/root.crt");
    env.fetch(&mirror.url("/root.pem"))
        .args(&["--sha256", &chain.root_sha256, "-o", root.to_str().unwrap()])
        .run()
        .expect(0);
    let other = env.path("other.crt");
    std::fs::write(&other, TestChain::new("another root", false).root_pem).unwrap();

    let clients_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes/clients");
    let modules = node_modules();
    let no_env: Vec<(&str, String)> = Vec::new();
    let node_env = vec![("NODE_PATH", modules.clone())];
    let clients = [
        ("python3", "psycopg_connect.py", &no_env),
        ("python3", "pg8000_connect.py", &no_env),
        ("node", "node_postgres_connect.js", &node_env),
    ];
    let mut ran = 0;
    for (program, script, extra_env) in &clients {
        let probe: &[&str] = match *script {
            "psycopg_connect.py" => &["-c", "import psycopg"],
            "pg8000_connect.py" => &["-c", "import pg8000"],
            _ => &["-e", "require('pg')"],
        };
        let probe_env: Vec<(&str, &str)> =
            extra_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if !available(program, probe, &probe_env) {
            continue;
        }
        for (trust, should_work) in [(&root, true), (&other, false)] {
            let out = Command::new(program)
                .arg(clients_dir.join(script))
                .envs(probe_env.iter().copied())
                .env("PGHOST", "localhost")
                .env("PGPORT", server.port.to_string())
                .env("ROOTCERT_FILE", trust)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                out.status.success() && stdout.trim() == "1",
                should_work,
                "{script} with {}: {stdout}{}",
                trust.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        ran += 1;
    }
    eprintln!(
        "{ran} of {} clients connected with the saved root",
        clients.len()
    );
}
