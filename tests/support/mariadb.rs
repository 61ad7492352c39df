//! Throwaway MariaDB servers (Debian's mariadb-server) on 127.0.0.1, and the `mariadb`
//! client as the oracle for MySQL targets.
//!
//! Each server runs in its own mount namespace with a private /etc/hosts, so that its
//! reverse lookups of client addresses (which `max_connect_errors` needs: MariaDB never
//! blocks 127.0.0.1) are answered from the file, never by a DNS server. Clients that need
//! test names (`db1.rootcert.test` → 127.0.0.1) run in such a namespace too.
//! Without mariadbd the tests print a skip notice, unless ROOTCERT_REQUIRE_MARIADB is set.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use super::pg::{ServerTls, free_port, world_readable_dir};

pub const HOSTS: &str = "127.0.0.1 localhost db1.rootcert.test db.rootcert.test\n\
                         127.0.0.2 probe-source.rootcert.test\n";

/// Whether the MariaDB server and client are installed (else why the test skips).
pub fn available() -> bool {
    let found = Path::new("/usr/sbin/mariadbd").is_file()
        && Path::new("/usr/bin/mariadb").is_file()
        && Path::new("/usr/bin/unshare").is_file();
    if !found {
        let message = "mariadbd, the mariadb client or unshare not found";
        if std::env::var_os("ROOTCERT_REQUIRE_MARIADB").is_some() {
            panic!("{message}, and ROOTCERT_REQUIRE_MARIADB is set");
        }
        super::suites::skipped(
            "mariadb",
            &format!("{message}; install mariadb-server and mariadb-client to run the MySQL tests"),
        );
    } else {
        super::suites::ran("mariadb");
    }
    found
}

/// `program args...` run with `hosts` bind-mounted over /etc/hosts.
pub fn with_hosts(hosts: &Path, program: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("unshare");
    cmd.args([
        "-m",
        "sh",
        "-c",
        "mount --bind \"$0\" /etc/hosts && exec \"$@\"",
    ])
    .arg(hosts)
    .arg(program)
    .args(args);
    cmd
}

pub struct MariaDb {
    pub dir: PathBuf,
    pub port: u16,
    pub hosts: PathBuf,
    child: Child,
}

impl MariaDb {
    /// Starts a server with TLS from `tls` (none when `None`) and `max_connect_errors`.
    pub fn start(tls: Option<&ServerTls>, max_connect_errors: u32) -> MariaDb {
        let dir = world_readable_dir("rootcert-mariadb");
        let hosts = dir.join("hosts");
        std::fs::write(&hosts, HOSTS).unwrap();
        let out = Command::new("cp")
            .arg("-a")
            .arg(template())
            .arg(dir.join("data"))
            .output()
            .unwrap();
        assert!(out.status.success(), "cp: {out:?}");
        std::fs::create_dir(dir.join("tmp")).unwrap();
        let port = free_port();
        let mut conf = format!(
            "[mariadbd]\ndatadir={d}/data\ntmpdir={d}/tmp\nport={port}\nbind-address=127.0.0.1\n\
             socket={d}/sock\npid-file={d}/pid\nskip-log-bin\n\
             max_connect_errors={max_connect_errors}\ninnodb_buffer_pool_size=16M\nlog-error={d}/log\n",
            d = dir.display()
        );
        if let Some(tls) = tls {
            write_tls(&dir, tls);
            conf.push_str(&format!(
                "ssl-cert={d}/server.crt\nssl-key={d}/server.key\n",
                d = dir.display()
            ));
        }
        std::fs::write(dir.join("my.cnf"), conf).unwrap();
        chown_mysql(&dir);
        let child = with_hosts(
            &hosts,
            Path::new("/usr/sbin/runuser"),
            &[
                "-u",
                "mysql",
                "--",
                "/usr/sbin/mariadbd",
                &format!("--defaults-file={}", dir.join("my.cnf").display()),
            ],
        )
        .spawn()
        .unwrap();
        let server = MariaDb {
            dir,
            port,
            hosts,
            child,
        };
        for _ in 0..300 {
            if server.sql("select 1").is_ok() {
                server
                    .sql("CREATE USER 'probe'@'%' IDENTIFIED BY ''")
                    .unwrap();
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "mariadbd did not start: {}",
            std::fs::read_to_string(server.dir.join("log")).unwrap_or_default()
        );
    }

    /// Runs SQL as root over the Unix socket.
    pub fn sql(&self, query: &str) -> Result<String, String> {
        let out = Command::new("mariadb")
            .args(["--no-defaults", "-u", "root", "-N", "-B"])
            .arg(format!("--socket={}", self.dir.join("sock").display()))
            .args(["-e", query])
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Serves another chain: new files, then `FLUSH SSL`.
    pub fn serve(&self, tls: &ServerTls) {
        write_tls(&self.dir, tls);
        chown_mysql(&self.dir);
        self.sql("FLUSH SSL").unwrap();
    }

    /// Whether `mariadb --ssl-verify-server-cert` connects to `host` trusting `ca`, and
    /// its error when it does not; through `relay` (so from its source address) when given.
    pub fn client_verifies(
        &self,
        host: &str,
        ca: &Path,
        relay: Option<&Relay>,
    ) -> Result<(), String> {
        self.client_connects(host, ca, relay, true)
    }

    /// Whether `mariadb --ssl --ssl-ca=CA` connects, with `--ssl-verify-server-cert` when
    /// `verify_name` (without it the client still verifies the chain against `ca`).
    pub fn client_connects(
        &self,
        host: &str,
        ca: &Path,
        relay: Option<&Relay>,
        verify_name: bool,
    ) -> Result<(), String> {
        let port = relay.map_or(self.port, |r| r.port).to_string();
        let ca_arg = format!("--ssl-ca={}", ca.display());
        let mut args = vec![
            "--no-defaults",
            "--protocol=tcp",
            "--connect-timeout=10",
            "-h",
            host,
            "-P",
            &port,
            "-u",
            "probe",
            "--ssl",
            &ca_arg,
            "--ssl-verify-server-cert",
            "-N",
            "-B",
            "-e",
            "select 1",
        ];
        if !verify_name {
            args.retain(|a| *a != "--ssl-verify-server-cert");
        }
        let out = with_hosts(&self.hosts, Path::new("/usr/bin/mariadb"), &args)
            .output()
            .unwrap();
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

/// A TCP relay on 127.0.0.1 that connects on to 127.0.0.1:`port` from `source`: the
/// `mariadb` client cannot choose its source address, and MariaDB blocks only hosts other
/// than 127.0.0.1. Bytes pass unchanged, so TLS stays between the client and the server.
pub struct Relay {
    pub port: u16,
}

impl Relay {
    pub fn start(port: u16, source: &str) -> Relay {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let relay_port = listener.local_addr().unwrap().port();
        let source: std::net::SocketAddr = format!("{source}:0").parse().unwrap();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let socket =
                    socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
                        .unwrap();
                socket.bind(&source.into()).unwrap();
                socket
                    .connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())
                    .unwrap();
                let server: std::net::TcpStream = socket.into();
                let pump = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    })
                };
                pump(client.try_clone().unwrap(), server.try_clone().unwrap());
                pump(server, client);
            }
        });
        Relay { port: relay_port }
    }
}

/// A data directory made once by `mariadb-install-db` (which cannot run twice at once) and
/// copied for each server.
fn template() -> &'static Path {
    static TEMPLATE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = world_readable_dir("rootcert-mariadb-template");
        std::fs::create_dir(dir.join("tmp")).unwrap();
        chown_mysql(&dir);
        let out = Command::new("mariadb-install-db")
            .args([
                "--no-defaults",
                "--user=mysql",
                "--auth-root-authentication-method=socket",
            ])
            .arg(format!("--datadir={}", dir.join("data").display()))
            .arg(format!("--tmpdir={}", dir.join("tmp").display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "mariadb-install-db: {out:?}");
        dir.join("data")
    })
}

fn write_tls(dir: &Path, tls: &ServerTls) {
    std::fs::write(dir.join("server.crt"), &tls.chain_pem).unwrap();
    std::fs::write(dir.join("server.key"), &tls.key_pem).unwrap();
}

fn chown_mysql(path: &Path) {
    let out = Command::new("chown")
        .args(["-R", "mysql:mysql"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "chown: {out:?}");
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = self.sql("SHUTDOWN");
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
