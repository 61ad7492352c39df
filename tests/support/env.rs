//! The binary under test in a clean environment, and what a run did.

use super::*;

/// A temporary HOME, output directory and OS store, so a developer's machine cannot leak
/// into a test: no proxies, no ROOTCERT_DIR of theirs, an empty OS trust store.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("out")).unwrap();
        std::fs::write(dir.path().join("empty-store.pem"), "").unwrap();
        Env { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The default destination of the default profile.
    pub fn default_out(&self) -> PathBuf {
        self.path("out/DigiCertGlobalRootG2.crt.pem")
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = rootcert_command();
        cmd.env_clear()
            .envs(runner_env())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("ROOTCERT_DIR", self.path("out"))
            .env("SSL_CERT_FILE", self.path("empty-store.pem"))
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        cmd
    }

    /// Runs `rootcert ARGS` and returns what it did.
    pub fn run(&self, args: &[&str]) -> Run {
        let run = Run::from(self.cmd().args(args).output().unwrap());
        // Wine under load sometimes fails to start a process: exit 1 and no output at all,
        // which rootcert never does (its errors always say something). Once more, then.
        if under_wine() && run.code == 1 && run.stdout.is_empty() && run.stderr.is_empty() {
            return Run::from(self.cmd().args(args).output().unwrap());
        }
        run
    }

    /// Runs `rootcert ARGS` with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        let mut cmd = self.cmd();
        cmd.args(args);
        Run::from(pipe(&mut cmd, input))
    }

    /// Uses `store` (a PEM bundle) as the OS trust store.
    pub fn run_with_store(&self, store: &Path, args: &[&str]) -> Run {
        Run::from(
            self.cmd()
                .env("SSL_CERT_FILE", store)
                .args(args)
                .output()
                .unwrap(),
        )
    }
}

/// The binary under test: this build's, or the one `ROOTCERT_TEST_BIN` names (another
/// platform's build, such as the Windows .exe) run through `ROOTCERT_TEST_RUNNER` (such as
/// wine64). `.ci/run` runs the tests listed in tests/wine-subset.txt that way.
pub fn rootcert_command() -> Command {
    let (program, prefix) = rootcert_program();
    let mut cmd = Command::new(program);
    cmd.args(prefix);
    cmd
}

/// The program that runs the binary under test, and the arguments that come first.
pub fn rootcert_program() -> (PathBuf, Vec<String>) {
    let Some(bin) = std::env::var_os("ROOTCERT_TEST_BIN") else {
        return (env!("CARGO_BIN_EXE_rootcert").into(), Vec::new());
    };
    let bin = bin.into_string().expect("ROOTCERT_TEST_BIN is UTF-8");
    match std::env::var_os("ROOTCERT_TEST_RUNNER") {
        Some(runner) => (runner.into(), vec![bin]),
        None => (bin.into(), Vec::new()),
    }
}

/// Whether the binary under test is the Windows build under Wine.
pub fn under_wine() -> bool {
    std::env::var_os("ROOTCERT_TEST_RUNNER").is_some_and(|r| r.to_string_lossy().contains("wine"))
}

/// What the runner needs from the environment (Wine's prefix and debug settings), kept
/// when a test clears the rest.
pub fn runner_env() -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    std::env::vars_os()
        .filter(|(name, _)| name.to_string_lossy().starts_with("WINE"))
        .collect()
}

/// A path as the binary under test prints it once resolved: under Wine, Linux's `/` is
/// drive `Z:` and the separator a backslash.
pub fn shown_path(path: &Path) -> String {
    let text = path.to_str().expect("test paths are UTF-8");
    if under_wine() {
        format!("Z:{}", text.replace('/', "\\"))
    } else {
        text.to_string()
    }
}

/// The file behind a path the binary under test printed: under Wine, `Z:\\x` is Linux's
/// `/x` and other drives are found with `winepath`.
pub fn host_path(shown: &str) -> PathBuf {
    if !under_wine() {
        return PathBuf::from(shown);
    }
    if let Some(rest) = shown.strip_prefix("Z:") {
        return PathBuf::from(rest.replace('\\', "/"));
    }
    let runner = std::env::var_os("ROOTCERT_TEST_RUNNER").unwrap();
    let out = Command::new(runner)
        .args(["winepath", "-u", shown])
        .output()
        .expect("winepath runs");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Runs a fetch of `url` to the default destination with no OS store and no retries.
pub fn fetch_url(env: &Env, url: &str, extra: &[&str]) -> Run {
    env.fetch(url).retries(0).args(extra).run()
}

/// `rootcert fetch --no-system --no-builtin` and what follows: a fetch that trusts only
/// what the test gives it (`--url`, `--mirror`, `--ca-file`).
pub struct Fetch<'e> {
    env: &'e Env,
    args: Vec<String>,
    store: Option<PathBuf>,
}

impl Env {
    /// A fetch of `url` (see [`Fetch`]).
    pub fn fetch(&self, url: &str) -> Fetch<'_> {
        self.fetch_from("--url", url)
    }

    /// A fetch of a profile's files from `mirror` (see [`Fetch`]).
    pub fn fetch_mirror(&self, mirror: &str) -> Fetch<'_> {
        self.fetch_from("--mirror", mirror)
    }

    fn fetch_from(&self, flag: &str, source: &str) -> Fetch<'_> {
        let args = ["fetch", "--no-system", "--no-builtin", flag, source];
        Fetch {
            env: self,
            args: args.iter().map(|a| a.to_string()).collect(),
            store: None,
        }
    }
}

impl Fetch<'_> {
    pub fn retries(mut self, retries: u32) -> Self {
        self.args
            .extend(["--retries".to_string(), retries.to_string()]);
        self
    }

    pub fn args(mut self, extra: &[&str]) -> Self {
        self.args.extend(extra.iter().map(|a| a.to_string()));
        self
    }

    /// Uses `store` (a PEM bundle) as the OS trust store.
    pub fn store(mut self, store: &Path) -> Self {
        self.store = Some(store.to_path_buf());
        self
    }

    pub fn command(&self) -> Command {
        let mut cmd = self.env.cmd();
        if let Some(store) = &self.store {
            cmd.env("SSL_CERT_FILE", store);
        }
        cmd.args(&self.args);
        cmd
    }

    pub fn run(self) -> Run {
        Run::from(self.command().output().unwrap())
    }
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().expect("exited normally"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Every file under `dir` with its bytes: compare before and after a failing run to prove
/// that nothing was written, replaced or left behind.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(snapshot(&path));
                out.insert(path, b"<dir>".to_vec());
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

/// Runs `cmd` with `input` on stdin and returns its output.
pub fn pipe(cmd: &mut Command, input: &[u8]) -> Output {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// `openssl x509` reads the file as PEM and prints the SHA-256 fingerprint.
pub fn openssl_fingerprint(path: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-sha256", "-fingerprint", "-in"])
        .arg(path)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl rejected {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.trim().rsplit_once('=').unwrap().1.to_string()
}
