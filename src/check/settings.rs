//! The settings that make a verified connection work, written for the client a target was
//! checked as (psql/libpq, pgjdbc, the `mysql` and `mariadb` clients, `openssl s_client`)
//! and for the drivers `--client` names.

use std::str::FromStr;

use serde::Serialize;

use super::target::{ClientKind, Endpoint, Protocol, Target};
use crate::text::{ConnectLines, conninfo_value, shell_word};

/// A driver whose connection settings `--client` adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// Python psycopg 3 (libpq).
    Psycopg,
    /// Node.js `pg`.
    NodePostgres,
    /// PostgreSQL JDBC (pgjdbc).
    Jdbc,
    /// Go pgx.
    Pgx,
    /// Node.js `mysql2`.
    Mysql2,
    /// Python PyMySQL.
    Pymysql,
}

impl Client {
    /// Every name `--client` accepts.
    pub const NAMES: [&'static str; 6] = [
        "psycopg",
        "node-postgres",
        "jdbc",
        "pgx",
        "mysql2",
        "pymysql",
    ];

    fn speaks(self, protocol: Protocol) -> bool {
        match self {
            Client::Psycopg | Client::NodePostgres | Client::Jdbc | Client::Pgx => {
                protocol == Protocol::Postgres
            }
            Client::Mysql2 | Client::Pymysql => protocol == Protocol::Mysql,
        }
    }
}

impl FromStr for Client {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "psycopg" | "psycopg3" => Client::Psycopg,
            "node-postgres" | "pg" => Client::NodePostgres,
            "jdbc" | "pgjdbc" => Client::Jdbc,
            "pgx" => Client::Pgx,
            "mysql2" => Client::Mysql2,
            "pymysql" => Client::Pymysql,
            _ => {
                return Err(format!(
                    "unknown client '{name}': one of {}",
                    Client::NAMES.join(", ")
                ));
            }
        })
    }
}

/// How one client connects with verification.
#[derive(Debug, Clone, Serialize)]
pub struct ClientSetting {
    /// `psql`, `mysql`, `psycopg`, …
    pub client: String,
    /// The command line or code.
    pub text: String,
}

/// What to set for a verified connection, in the target's own terms (for a fix), with the
/// root file when there is one to name.
pub(super) fn verified_setting(target: &Target, file: Option<&str>) -> String {
    let file = file.unwrap_or("FILE");
    match (target.protocol, target.client) {
        (Protocol::Postgres, ClientKind::Pgjdbc) => {
            format!(
                "use sslmode=verify-full and sslrootcert={}",
                url_value(file)
            )
        }
        (Protocol::Postgres, _) => format!(
            "use sslmode=verify-full sslrootcert={}",
            conninfo_value(file)
        ),
        (Protocol::Mysql, ClientKind::Mariadb) => format!(
            "use ssl-verify-server-cert with ssl-ca={} (mariadb --ssl-verify-server-cert)",
            shell_word(file)
        ),
        (Protocol::Mysql, _) => format!(
            "use ssl-mode=VERIFY_IDENTITY with ssl-ca={} (mysql --ssl-mode=VERIFY_IDENTITY)",
            shell_word(file)
        ),
        (Protocol::Tls, _) => format!(
            "verify the certificate and the host name against {}",
            shell_word(file)
        ),
    }
}

/// The psql line (and `PGSSLROOTCERT`) that verifies `endpoint` against `ca`, with the
/// string's database, user and direct TLS.
pub(super) fn psql_lines(target: &Target, endpoint: &Endpoint, ca: &str) -> ConnectLines {
    let mut rest = format!("host={}", conninfo_value(&endpoint.name));
    if endpoint.addr != endpoint.name {
        rest.push_str(&format!(" hostaddr={}", conninfo_value(&endpoint.addr)));
    }
    rest.push_str(&format!(
        " port={} dbname={} user={}",
        endpoint.port,
        conninfo_value(target.dbname.as_deref().unwrap_or("<db>")),
        conninfo_value(target.user.as_deref().unwrap_or("<user>"))
    ));
    if target.direct {
        rest.push_str(" sslnegotiation=direct");
    }
    ConnectLines::new(ca, &rest)
}

/// The working settings: the checked client's, then each `--client` that speaks the
/// target's protocol.
pub(super) fn working(
    target: &Target,
    endpoint: &Endpoint,
    ca: &str,
    extra: &[Client],
) -> Vec<ClientSetting> {
    let (host, port) = (&endpoint.name, endpoint.port);
    let system = ca == "system";
    // Node's drivers take the roots as text; without `ca` they use Node's own store.
    let node_ca = |json: &dyn Fn(&str) -> String| {
        if system {
            String::new()
        } else {
            format!("ca: fs.readFileSync({}, \"utf8\"), ", json(ca))
        }
    };
    let db = target.dbname.as_deref().unwrap_or("<db>");
    let user = target.user.as_deref().unwrap_or("<user>");
    let setting = |client: &str, text: String| ClientSetting {
        client: client.into(),
        text,
    };
    let mut out = Vec::new();
    match target.protocol {
        Protocol::Postgres => {
            out.push(setting("psql", psql_lines(target, endpoint, ca).psql));
            if target.client == ClientKind::Pgjdbc || extra.contains(&Client::Jdbc) {
                out.push(setting("jdbc", jdbc_url(host, port, db, ca)));
            }
        }
        Protocol::Mysql => {
            // The system store: the mysql client needs it named, MariaDB's reads it itself.
            let (mysql_ca, mariadb_ca) = if system {
                ("--ssl-capath=/etc/ssl/certs".to_string(), String::new())
            } else {
                let word = format!("--ssl-ca={}", shell_word(ca));
                (word.clone(), format!(" {word}"))
            };
            let host_word = shell_word(host);
            out.push(setting(
                "mysql",
                format!(
                    "mysql --ssl-mode=VERIFY_IDENTITY {mysql_ca} -h {host_word} -P {port} -u {user}"
                ),
            ));
            out.push(setting(
                "mariadb",
                format!(
                    "mariadb --ssl{mariadb_ca} --ssl-verify-server-cert -h {host_word} -P {port} -u {user}"
                ),
            ));
        }
        Protocol::Tls => out.push(setting(
            "openssl",
            format!(
                "openssl s_client -connect {} {} -verify_return_error {}{}",
                shell_word(&format!("{}:{port}", bracketed(&endpoint.addr))),
                // s_client checks an address only with -verify_ip, and sends no SNI for
                // one, as rootcert does not.
                if crate::libpq::openssl_host::is_address(host) {
                    format!("-verify_ip {host}")
                } else {
                    format!("-servername {host} -verify_hostname {host}")
                },
                if system {
                    "-CApath /etc/ssl/certs".to_string()
                } else {
                    format!("-CAfile {}", shell_word(ca))
                },
                if target.alpn.is_empty() {
                    String::new()
                } else {
                    format!(" -alpn {}", target.alpn.join(","))
                }
            ),
        )),
    }
    for client in extra.iter().filter(|c| c.speaks(target.protocol)) {
        let json = |s: &str| serde_json::to_string(s).expect("a string");
        let text = match client {
            Client::Jdbc => continue, // given above with the psql line
            Client::Psycopg => format!(
                "psycopg.connect(host={}, port={port}, dbname={}, user={}, sslmode=\"verify-full\", sslrootcert={})",
                json(host),
                json(db),
                json(user),
                json(ca)
            ),
            Client::NodePostgres => format!(
                "new pg.Client({{ host: {}, port: {port}, database: {}, user: {}, ssl: {{ {}rejectUnauthorized: true }} }})",
                json(host),
                json(db),
                json(user),
                node_ca(&json)
            ),
            Client::Pgx => format!(
                "pgx.Connect(ctx, {})",
                json(&format!(
                    "postgres://{user}@{}:{port}/{db}?sslmode=verify-full&sslrootcert={}",
                    bracketed(host),
                    url_value(ca)
                ))
            ),
            Client::Mysql2 => format!(
                "mysql.createConnection({{ host: {}, port: {port}, user: {}, ssl: {{ {}rejectUnauthorized: true }} }})",
                json(host),
                json(user),
                node_ca(&json)
            ),
            Client::Pymysql => format!(
                "pymysql.connect(host={}, port={port}, user={}, {}ssl_verify_cert=True, ssl_verify_identity=True)",
                json(host),
                json(user),
                if system {
                    String::new()
                } else {
                    format!("ssl_ca={}, ", json(ca))
                }
            ),
        };
        out.push(setting(Client::NAMES[*client as usize], text));
    }
    out
}

fn jdbc_url(host: &str, port: u16, db: &str, ca: &str) -> String {
    format!(
        "jdbc:postgresql://{}:{port}/{db}?sslmode=verify-full&sslrootcert={}",
        bracketed(host),
        url_value(ca)
    )
}

fn bracketed(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// A query value: everything but unreserved characters and `/` percent-encoded.
fn url_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::target::{Defaults, parse};

    fn texts(raw: &str, ca: &str, extra: &[Client]) -> Vec<String> {
        let target = parse(raw, &Defaults::default()).unwrap();
        working(&target, &target.endpoints[0], ca, extra)
            .into_iter()
            .map(|s| format!("{}: {}", s.client, s.text))
            .collect()
    }

    #[test]
    fn settings_name_the_roots_each_client_needs() {
        let mysql = texts(
            "mysql://app@db.example.com",
            "/etc/ca.pem",
            &[Client::Pymysql, Client::Psycopg],
        );
        assert_eq!(mysql.len(), 3, "psycopg does not speak MySQL: {mysql:?}");
        assert!(mysql[0].contains(
            "--ssl-mode=VERIFY_IDENTITY --ssl-ca=/etc/ca.pem -h db.example.com -P 3306 -u app"
        ));
        assert!(mysql[2].contains("ssl_ca=\"/etc/ca.pem\""));
        let system = texts(
            "mysql://db.example.com",
            "system",
            &[Client::Pymysql, Client::Mysql2],
        );
        assert!(
            system[0].contains("--ssl-capath=/etc/ssl/certs"),
            "{system:?}"
        );
        assert!(
            system[1].starts_with("mariadb: mariadb --ssl --ssl-verify-server-cert"),
            "{system:?}"
        );
        assert!(
            system.iter().all(|s| !s.contains("\"system\"")),
            "{system:?}"
        );
        let pg = texts(
            "host=db hostaddr=10.0.0.5 port=6432 dbname=app sslnegotiation=direct sslmode=require",
            "/r o.pem",
            &[Client::Pgx, Client::Jdbc, Client::NodePostgres],
        );
        assert!(
            pg[0].contains("sslrootcert='/r o.pem' host=db hostaddr=10.0.0.5 port=6432 dbname=app"),
            "{pg:?}"
        );
        assert!(pg[0].ends_with("sslnegotiation=direct\""), "{pg:?}");
        assert!(pg.iter().any(|s| {
            s.contains("jdbc:postgresql://db:6432/app?sslmode=verify-full&sslrootcert=/r%20o.pem")
        }));
        assert!(
            pg.iter()
                .any(|s| s.contains("postgres://<user>@db:6432/app?sslmode=verify-full"))
        );
        let tls = texts("tls://redis.internal:6380", "/ca.pem", &[]);
        assert!(
            tls[0].contains("-verify_hostname redis.internal -verify_return_error -CAfile /ca.pem"),
            "{tls:?}"
        );
    }
}
