//! The settings that make a verified connection work, in each driver's idiomatic form:
//! the psql line, a JDBC URL, a pgx DSN, a Node `ssl` option, a Python `ssl` argument, the
//! mariadb and mysql flags, an `openssl s_client` line.

use serde::Serialize;

use super::connstr::{Endpoint, Target};
use crate::driver::Driver;
use crate::quote::{ConnectLines, conninfo_value, shell_word};

/// How one client connects with verification.
#[derive(Debug, Clone, Serialize)]
pub struct ClientSetting {
    /// `psql`, `mysql`, `psycopg`, …
    pub client: String,
    /// The command line or code.
    pub text: String,
}

/// What to set for a verified connection, in the driver's own terms (for a fix), with the
/// root file when there is one to name.
pub(super) fn verified_setting(driver: Driver, file: Option<&str>) -> String {
    let file = file.unwrap_or("FILE");
    match driver {
        Driver::Pgjdbc => format!(
            "use sslmode=verify-full and sslrootcert={} in the JDBC URL",
            url_value(file)
        ),
        Driver::Pgx => format!(
            "use sslmode=verify-full sslrootcert={} in the pgx connection string",
            conninfo_value(file)
        ),
        Driver::NodePostgres => format!(
            "give node-postgres ssl: {{ ca: fs.readFileSync({}) }} (or sslmode=verify-full&sslrootcert={} in the URL)",
            json(file),
            url_value(file)
        ),
        Driver::Asyncpg => format!(
            "pass ssl=ssl.create_default_context(cafile={}) to asyncpg.connect (or \
             sslmode=verify-full&sslrootcert={} in the URL)",
            json(file),
            url_value(file)
        ),
        Driver::Psql | Driver::Psycopg => format!(
            "use sslmode=verify-full sslrootcert={}",
            conninfo_value(file)
        ),
        Driver::Mariadb => format!(
            "use ssl-verify-server-cert with ssl-ca={} (mariadb --ssl-ca={} --ssl-verify-server-cert)",
            shell_word(file),
            shell_word(file)
        ),
        Driver::Mysql2 => format!(
            "give mysql2 ssl: {{ ca: fs.readFileSync({}), verifyIdentity: true }} (without \
             verifyIdentity it checks no host name)",
            json(file)
        ),
        Driver::Pymysql => format!(
            "pass ssl_ca={}, ssl_verify_cert=True, ssl_verify_identity=True to pymysql.connect \
             (ssl_ca alone verifies nothing)",
            json(file)
        ),
        Driver::Openssl => format!(
            "verify the certificate and the host name against {}",
            shell_word(file)
        ),
        _ => format!(
            "use ssl-mode=VERIFY_IDENTITY with ssl-ca={} (mysql --ssl-mode=VERIFY_IDENTITY)",
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

/// The setting that connects `driver` to `endpoint` with full verification against `ca`
/// (`system`: the driver's default store), in the driver's idiomatic form.
pub(super) fn working(
    driver: Driver,
    target: &Target,
    endpoint: &Endpoint,
    ca: &str,
) -> ClientSetting {
    let (host, port) = (&endpoint.name, endpoint.port);
    let system = ca == "system";
    // Node's drivers take the roots as text; without `ca` they use Node's own store.
    let node_ca = if system {
        String::new()
    } else {
        format!("ca: fs.readFileSync({}, \"utf8\"), ", json(ca))
    };
    let db = target.dbname.as_deref().unwrap_or("<db>");
    let user = target.user.as_deref().unwrap_or("<user>");
    let host_word = shell_word(host);
    let text = match driver {
        Driver::Psql => psql_lines(target, endpoint, ca).psql,
        Driver::Psycopg => format!(
            "psycopg.connect(host={}, port={port}, dbname={}, user={}, sslmode=\"verify-full\", sslrootcert={})",
            json(host),
            json(db),
            json(user),
            json(ca)
        ),
        Driver::Pgjdbc => jdbc_url(host, port, db, ca),
        Driver::Pgx => format!(
            "pgx.Connect(ctx, {})",
            json(&format!(
                "postgres://{user}@{}:{port}/{db}?sslmode=verify-full{}",
                bracketed(host),
                if system {
                    String::new()
                } else {
                    format!("&sslrootcert={}", url_value(ca))
                }
            ))
        ),
        Driver::NodePostgres => format!(
            "new pg.Client({{ host: {}, port: {port}, database: {}, user: {}, ssl: {{ {node_ca}rejectUnauthorized: true }} }})",
            json(host),
            json(db),
            json(user),
        ),
        Driver::Asyncpg => format!(
            "asyncpg.connect(host={}, port={port}, database={}, user={}, ssl=ssl.create_default_context({}))",
            json(host),
            json(db),
            json(user),
            if system {
                String::new()
            } else {
                format!("cafile={}", json(ca))
            }
        ),
        Driver::Mariadb => format!(
            "mariadb --ssl{} --ssl-verify-server-cert -h {host_word} -P {port} -u {user}",
            if system {
                String::new()
            } else {
                format!(" --ssl-ca={}", shell_word(ca))
            }
        ),
        Driver::Mysql => format!(
            "mysql --ssl-mode=VERIFY_IDENTITY {} -h {host_word} -P {port} -u {user}",
            if system {
                "--ssl-capath=/etc/ssl/certs".to_string()
            } else {
                format!("--ssl-ca={}", shell_word(ca))
            }
        ),
        Driver::Mysql2 => format!(
            "mysql.createConnection({{ host: {}, port: {port}, user: {}, ssl: {{ {node_ca}verifyIdentity: true }} }})",
            json(host),
            json(user),
        ),
        Driver::Pymysql => format!(
            "pymysql.connect(host={}, port={port}, user={}, {})",
            json(host),
            json(user),
            // Without a CA file, PyMySQL checks no host name unless given a context.
            if system {
                "ssl=ssl.create_default_context()".to_string()
            } else {
                format!(
                    "ssl_ca={}, ssl_verify_cert=True, ssl_verify_identity=True",
                    json(ca)
                )
            }
        ),
        _ => format!(
            "openssl s_client -connect {} {} -verify_return_error {}{}",
            shell_word(&format!("{}:{port}", bracketed(&endpoint.addr))),
            // s_client checks an address only with -verify_ip, and sends no SNI for one, as
            // rootcert does not.
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
    };
    ClientSetting {
        client: driver.name().to_string(),
        text,
    }
}

fn json(s: &str) -> String {
    serde_json::to_string(s).expect("a string")
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
    use crate::check::connstr::{Defaults, parse};

    fn text(driver: Driver, raw: &str, ca: &str) -> String {
        let target = parse(raw, &Defaults::default()).unwrap();
        working(driver, &target, &target.endpoints[0], ca).text
    }

    #[test]
    fn settings_name_the_roots_each_client_needs() {
        let mysql = text(Driver::Mysql, "mysql://app@db.example.com", "/etc/ca.pem");
        assert!(mysql.contains(
            "--ssl-mode=VERIFY_IDENTITY --ssl-ca=/etc/ca.pem -h db.example.com -P 3306 -u app"
        ));
        let pymysql = text(Driver::Pymysql, "mysql://app@db.example.com", "/etc/ca.pem");
        assert!(
            pymysql
                .contains("ssl_ca=\"/etc/ca.pem\", ssl_verify_cert=True, ssl_verify_identity=True")
        );
        let system = text(Driver::Mysql, "mysql://db.example.com", "system");
        assert!(system.contains("--ssl-capath=/etc/ssl/certs"), "{system}");
        let system = text(Driver::Mariadb, "mysql://db.example.com", "system");
        assert!(
            system.starts_with("mariadb --ssl --ssl-verify-server-cert"),
            "{system}"
        );
        assert!(
            text(Driver::Pymysql, "mysql://db", "system")
                .contains("ssl=ssl.create_default_context()")
        );
        assert!(text(Driver::Mysql2, "mysql://db", "/ca.pem").contains("verifyIdentity: true"));
        let raw =
            "host=db hostaddr=10.0.0.5 port=6432 dbname=app sslnegotiation=direct sslmode=require";
        let psql = text(Driver::Psql, raw, "/r o.pem");
        assert!(
            psql.contains("sslrootcert='/r o.pem' host=db hostaddr=10.0.0.5 port=6432 dbname=app"),
            "{psql}"
        );
        assert!(psql.ends_with("sslnegotiation=direct\""), "{psql}");
        assert!(
            text(Driver::Pgjdbc, raw, "/r o.pem").contains(
                "jdbc:postgresql://db:6432/app?sslmode=verify-full&sslrootcert=/r%20o.pem"
            )
        );
        assert!(
            text(Driver::Pgx, raw, "/r o.pem")
                .contains("postgres://<user>@db:6432/app?sslmode=verify-full")
        );
        let tls = text(Driver::Openssl, "tls://redis.internal:6380", "/ca.pem");
        assert!(
            tls.contains("-verify_hostname redis.internal -verify_return_error -CAfile /ca.pem"),
            "{tls}"
        );
    }
}
