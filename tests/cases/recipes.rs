//! README's recipes, run as written (from `recipes/`): the Dockerfile's build and start
//! steps, the Ansible task's idempotence, cloud-init, a Debian postinst offline, a CI step,
//! the systemd unit and the cron line; and the client snippets (psycopg, pg8000,
//! node-postgres) connecting with verify-full to a real PostgreSQL with the saved file.
//!
//! Downloads go to a refused proxy on 127.0.0.1 (never off this machine), and there is no
//! CA store: the recipes must then get the root from rootcert's built-in copy.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::pg::{PgServer, binaries};
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

    fn shell(&self, script: &str, args: &[&str]) -> Run {
        let script = script.replace("/etc/", &format!("{}/etc/", self.dir.path().display()));
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_rootcert")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Run::from(
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg("recipe")
                .args(args)
                .env_clear()
                .env("PATH", path)
                .env("HOME", self.path("home"))
                .env("HTTPS_PROXY", "http://127.0.0.1:9")
                .env("HTTP_PROXY", "http://127.0.0.1:9")
                .env("SSL_CERT_FILE", "/nonexistent")
                .env("SSL_CERT_DIR", "/nonexistent")
                .env("NO_COLOR", "1")
                .current_dir(self.dir.path())
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

#[test]
fn ansible_task_is_changed_once_then_not() {
    let sandbox = Sandbox::new();
    let task = commands(&recipe("ansible-task.yml"));
    assert_eq!(task.len(), 1);
    let changed_when = |run: &Run| run.json()["status"] == "saved";
    let first = sandbox.shell(&task[0], &[]);
    first.expect(0);
    assert!(changed_when(&first));
    let second = sandbox.shell(&task[0], &[]);
    second.expect(0);
    assert!(!changed_when(&second), "a converged run reports no change");
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
        eprintln!("SKIP: the postinst gives the file to root, which needs root");
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
        eprintln!("SKIP: {program} {args:?} is not available");
    }
    ok
}

#[test]
fn clients_connect_with_verify_full_using_the_saved_root() {
    let Some(bins) = binaries() else { return };
    let chain = TestChain::new("recipes root", false);
    let server = PgServer::start(bins, Some(&chain.server));
    // Save the server's root with rootcert, as a user would (pinned, from a local mirror).
    let env = Env::new();
    let mirror = Server::serving(chain.root_pem.clone());
    let root = env.path("out/root.crt");
    env.run(&[
        "fetch",
        "--no-system",
        "--no-builtin",
        "--sha256",
        &chain.root_sha256,
        "--url",
        &mirror.url("/root.pem"),
        "-o",
        root.to_str().unwrap(),
    ])
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
