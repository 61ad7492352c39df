//! Throwaway PostgreSQL servers for tests, and psql as the oracle.
//!
//! `initdb` and `postgres` refuse to run as root: as root they run as the `postgres` user.
//! Without the binaries the tests print a skip notice, unless ROOTCERT_REQUIRE_POSTGRES is
//! set (as .ci/run does), which turns the skip into a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub struct Binaries {
    pub bin_dir: PathBuf,
    /// The installation's own libraries (PostgreSQL 18's libpq and libssl), if any.
    pub lib_dir: Option<PathBuf>,
    /// The psql to run as the oracle (with `lib_dir` it uses that libpq).
    pub psql: PathBuf,
}

/// The PostgreSQL server binaries, or `None` (after printing why) when a test should skip.
pub fn binaries() -> Option<&'static Binaries> {
    static FOUND: OnceLock<Option<Binaries>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let found = find_bin_dir().filter(|_| which("psql").is_some());
            if found.is_none() {
                let message = "PostgreSQL server binaries (initdb, pg_ctl) or psql not found";
                if std::env::var_os("ROOTCERT_REQUIRE_POSTGRES").is_some() {
                    panic!("{message}, and ROOTCERT_REQUIRE_POSTGRES is set");
                }
                super::suites::skipped(
                    "postgresql",
                    &format!("{message}; install PostgreSQL to run the `rootcert check` tests"),
                );
            } else {
                super::suites::ran("postgresql");
            }
            found.map(|bin_dir| Binaries {
                bin_dir,
                lib_dir: None,
                psql: PathBuf::from("psql"),
            })
        })
        .as_ref()
}

/// PostgreSQL 18 from `.ci/install-pg18` (ROOTCERT_PG18_DIR, else its usual place), with
/// Debian's psql binary running on its libpq 18: the oracle for `sslnegotiation=direct`.
/// Skips unless ROOTCERT_REQUIRE_PG18 is set.
pub fn binaries18() -> Option<&'static Binaries> {
    static FOUND: OnceLock<Option<Binaries>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let native = std::env::var_os("ROOTCERT_PG18_DIR").map_or_else(
                || PathBuf::from("/var/cache/rootcert-pg18/18.4.0-beta.17/package/native"),
                PathBuf::from,
            );
            let psql = std::fs::read_dir("/usr/lib/postgresql")
                .ok()
                .and_then(|dirs| {
                    dirs.flatten()
                        .map(|e| e.path().join("bin/psql"))
                        .find(|p| p.is_file())
                });
            let found =
                native.join("bin/postgres").is_file() && native.join("lib/libpq.so.5").exists();
            match psql.filter(|_| found) {
                Some(psql) => Some({
                    super::suites::ran("postgresql 18");
                    Binaries {
                        bin_dir: native.join("bin"),
                        lib_dir: Some(native.join("lib")),
                        psql,
                    }
                }),
                None => {
                    let message = "PostgreSQL 18 (.ci/install-pg18) or a psql binary not found";
                    if std::env::var_os("ROOTCERT_REQUIRE_PG18").is_some() {
                        panic!("{message}, and ROOTCERT_REQUIRE_PG18 is set");
                    }
                    super::suites::skipped(
                        "postgresql 18",
                        &format!("{message}; run .ci/install-pg18 to test --direct"),
                    );
                    None
                }
            }
        })
        .as_ref()
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn find_bin_dir() -> Option<PathBuf> {
    if let Some(initdb) = which("initdb") {
        let real = std::fs::canonicalize(initdb).ok()?;
        return real.parent().map(Path::to_path_buf);
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| d.join("initdb").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the effective user.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Runs a server binary, as the postgres user when we are root.
fn pg_command(bins: &Binaries, program: &str) -> Command {
    let path = bins.bin_dir.join(program);
    let mut cmd = if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(path);
        cmd
    } else {
        Command::new(path)
    };
    if let Some(lib) = &bins.lib_dir {
        cmd.env("LD_LIBRARY_PATH", lib);
    }
    cmd
}

fn chown_to_postgres(path: &Path) {
    if is_root() {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success(), "chown {}", path.display());
    }
}

fn check(output: Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// PostgreSQL refuses a key file that others can read.
fn write_key_file(path: &Path, key_pem: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, key_pem).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A data directory made by initdb once and copied for every server. It lives at one fixed
/// path per PostgreSQL installation, so repeated runs reuse it instead of piling up copies.
fn template(bins: &Binaries) -> PathBuf {
    static TEMPLATES: std::sync::Mutex<Vec<(PathBuf, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut templates = TEMPLATES.lock().unwrap();
    if let Some((_, data)) = templates.iter().find(|(bin, _)| *bin == bins.bin_dir) {
        return data.clone();
    }
    let data = {
        let key = bins.bin_dir.display().to_string().replace('/', "_");
        let fixed = std::env::temp_dir().join(format!("rootcert-pg-template{key}"));
        if fixed.join("data/PG_VERSION").is_file() {
            let data = fixed.join("data");
            templates.push((bins.bin_dir.clone(), data.clone()));
            return data;
        }
        let building = world_readable_dir("rootcert-pg-template");
        let data = building.join("data");
        std::fs::create_dir(&data).unwrap();
        chown_to_postgres(&data);
        let out = pg_command(bins, "initdb")
            .args(["-D"])
            .arg(&data)
            .args([
                "--auth=trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .output()
            .unwrap();
        check(out, "initdb");
        // Another test process may have won the race; then use its copy.
        if std::fs::rename(&building, &fixed).is_err() {
            let _ = std::fs::remove_dir_all(&building);
        }
        fixed.join("data")
    };
    templates.push((bins.bin_dir.clone(), data.clone()));
    data
}

/// A fresh directory under the system temp dir that the postgres user can traverse.
pub fn world_readable_dir(prefix: &str) -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .unwrap()
        .keep();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// One server with a valid chain (root -> intermediate -> `DNS:localhost`) for the tests
/// that only connect to it, started once per test process; `None` when PostgreSQL is
/// missing. pg_ctl daemonizes it and statics are never dropped, so a watchdog stops it
/// once this process is gone.
pub fn shared() -> Option<&'static (PgServer, super::TestChain)> {
    static SHARED: OnceLock<Option<(PgServer, super::TestChain)>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let bins = binaries()?;
            let chain = super::TestChain::new("rootcert test root", false);
            let server = PgServer::start(bins, Some(&chain.server));
            server.stop_after(std::process::id());
            Some((server, chain))
        })
        .as_ref()
}

/// A running PostgreSQL server on 127.0.0.1, stopped when dropped.
pub struct PgServer {
    bins: &'static Binaries,
    pub dir: PathBuf,
    data: PathBuf,
    pub port: u16,
}

/// TLS material for the server: the chain it sends (leaf first) and its key, as PEM.
pub struct ServerTls {
    pub chain_pem: String,
    pub key_pem: String,
}

impl PgServer {
    /// Starts a server with `ssl = on` and the given chain, or `ssl = off` when `tls` is None.
    pub fn start(bins: &'static Binaries, tls: Option<&ServerTls>) -> PgServer {
        Self::start_with(bins, tls, false)
    }

    /// Like `start`; with `weak_tls` the server's OpenSSL runs at security level 0, so that
    /// it can load and serve weak certificates (RSA 1024, SHA-1) for clients to judge.
    pub fn start_with(
        bins: &'static Binaries,
        tls: Option<&ServerTls>,
        weak_tls: bool,
    ) -> PgServer {
        let dir = world_readable_dir("rootcert-pg");
        let data = dir.join("data");
        let status = Command::new("cp")
            .arg("-a")
            .arg(template(bins))
            .arg(&data)
            .status()
            .unwrap();
        assert!(status.success());
        let port = free_port();
        let mut conf = format!(
            "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = off\n",
            data.display()
        );
        match tls {
            Some(tls) => {
                std::fs::write(data.join("server.crt"), &tls.chain_pem).unwrap();
                write_key_file(&data.join("server.key"), &tls.key_pem);
                conf.push_str(
                    "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
                );
            }
            None => conf.push_str("ssl = off\n"),
        }
        let openssl_conf = dir.join("openssl.cnf");
        if weak_tls {
            // PostgreSQL loads the certificate before it applies ssl_ciphers, so only the
            // library's configuration lowers the level early enough.
            std::fs::write(
                &openssl_conf,
                "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n\
                 [sys]\nCipherString = DEFAULT:@SECLEVEL=0\n",
            )
            .unwrap();
            conf.push_str("ssl_ciphers = 'DEFAULT:@SECLEVEL=0'\n");
        }
        let mut existing = std::fs::read_to_string(data.join("postgresql.conf")).unwrap();
        existing.push_str(&conf);
        std::fs::write(data.join("postgresql.conf"), existing).unwrap();
        chown_to_postgres(&data);
        let mut pg_ctl = pg_command(bins, "pg_ctl");
        if weak_tls {
            pg_ctl.env("OPENSSL_CONF", &openssl_conf);
        }
        let out = pg_ctl
            .args(["-D"])
            .arg(&data)
            .args(["-l"])
            .arg(data.join("log"))
            .args(["-w", "-t", "30", "start"])
            .output()
            .unwrap();
        let server = PgServer {
            bins,
            dir,
            data,
            port,
        };
        if !out.status.success() {
            let log = std::fs::read_to_string(server.data.join("log")).unwrap_or_default();
            panic!(
                "pg_ctl start failed: {}\n{log}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        server
    }

    /// Replaces the server's certificate chain and key, and has it reload them. The reload
    /// is asynchronous: callers wait until the server sends the new certificate.
    pub fn serve(&self, tls: &ServerTls) {
        write_key_file(&self.data.join("server.key"), &tls.key_pem);
        std::fs::write(self.data.join("server.crt"), &tls.chain_pem).unwrap();
        chown_to_postgres(&self.data.join("server.crt"));
        chown_to_postgres(&self.data.join("server.key"));
        let out = pg_command(self.bins, "pg_ctl")
            .args(["-D"])
            .arg(&self.data)
            .arg("reload")
            .output()
            .unwrap();
        check(out, "pg_ctl reload");
    }

    /// Stops the server and removes its directory once process `pid` has exited.
    fn stop_after(&self, pid: u32) {
        let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
        let pg_ctl = quote(&self.bins.bin_dir.join("pg_ctl"));
        let as_postgres = if is_root() {
            "runuser -u postgres -- "
        } else {
            ""
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
             {as_postgres}{pg_ctl} -D {} -m immediate -w stop; rm -rf {}",
            quote(&self.data),
            quote(&self.dir)
        );
        // setsid -f forks and returns at once; the watchdog lives on in its own session.
        let mut watchdog = Command::new("setsid");
        watchdog.args(["-f", "sh", "-c", &script]);
        if let Some(lib) = &self.bins.lib_dir {
            watchdog.env("LD_LIBRARY_PATH", lib);
        }
        // No inherited pipes: the test harness must not wait for the watchdog's output.
        let started = watchdog
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("setsid starts the server's watchdog");
        assert!(started.success(), "setsid: {started}");
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.join("log")).unwrap_or_default()
    }

    pub fn target(&self, host: &str) -> String {
        format!("{host}:{}", self.port)
    }

    /// Whether `psql` connects with `sslmode=verify-full` and `sslrootcert=root`, and its
    /// error when it does not.
    pub fn psql_verify_full(
        &self,
        host: &str,
        hostaddr: Option<&str>,
        root: &Path,
    ) -> Result<(), String> {
        self.psql_verify_full_with(host, hostaddr, root, "")
    }

    /// Like `psql_verify_full`, with more keywords (`sslnegotiation=direct`).
    pub fn psql_verify_full_with(
        &self,
        host: &str,
        hostaddr: Option<&str>,
        root: &Path,
        extra: &str,
    ) -> Result<(), String> {
        let mut conninfo = format!(
            "sslmode=verify-full sslrootcert='{}' host='{host}' port={} dbname=postgres user=postgres connect_timeout=10",
            root.display(),
            self.port
        );
        if let Some(addr) = hostaddr {
            conninfo.push_str(&format!(" hostaddr={addr}"));
        }
        conninfo.push(' ');
        conninfo.push_str(extra);
        let home = tempfile::tempdir().unwrap();
        self.psql(&conninfo, home.path(), &[])
    }

    /// Whether this installation's psql connects over TLS with `conninfo` (as given: the
    /// port is the caller's), with HOME = `home` and more environment `env`; its error
    /// when it does not.
    pub fn psql(&self, conninfo: &str, home: &Path, env: &[(&str, &str)]) -> Result<(), String> {
        let mut psql = Command::new(&self.bins.psql);
        psql.env_clear();
        if let Some(lib) = &self.bins.lib_dir {
            psql.env("LD_LIBRARY_PATH", lib);
        }
        let out = psql
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .envs(env.iter().copied())
            .args([
                conninfo,
                "-X",
                "-A",
                "-t",
                "-c",
                "select ssl from pg_stat_ssl where pid = pg_backend_pid()",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.success() && stdout.trim() == "t" {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                stdout,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = pg_command(self.bins, "pg_ctl")
            .args(["-D"])
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
