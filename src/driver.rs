//! The clients rootcert judges as: each a small profile over a TLS stack
//! ([`crate::stack`]) — which stack verifies, which host-name rule it applies, which
//! version was measured. How each reads its connection string is in
//! [`crate::check`]'s target module; the rules themselves, with sources and measured
//! cases, are in `docs/drivers/`.

use crate::libpq::NameRule;
use crate::stack::Stack;

/// A client: a command-line tool or a driver library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Driver {
    /// psql and every libpq program (libpq + OpenSSL): the default for PostgreSQL.
    Psql,
    /// Python psycopg 3 (its binary wheel bundles libpq 18 and OpenSSL 3.5).
    Psycopg,
    /// Java pgjdbc (JSSE and PKIX): the default for `jdbc:` targets.
    Pgjdbc,
    /// Go pgx v4 (`crypto/x509`).
    Pgx,
    /// Node.js node-postgres (`pg` 8, Node's OpenSSL).
    NodePostgres,
    /// Python asyncpg (Python's `ssl`).
    Asyncpg,
    /// The `mariadb` client (MariaDB Connector/C + OpenSSL): the default for MySQL.
    Mariadb,
    /// Oracle's `mysql` client (read from its source; not run here).
    Mysql,
    /// Node.js mysql2.
    Mysql2,
    /// Python PyMySQL.
    Pymysql,
    /// A TLS client as `openssl s_client` verifies (`tls://` targets).
    Openssl,
}

impl Driver {
    /// Every driver, in the order tables list them.
    pub const ALL: [Driver; 11] = [
        Driver::Psql,
        Driver::Psycopg,
        Driver::Pgjdbc,
        Driver::Pgx,
        Driver::NodePostgres,
        Driver::Asyncpg,
        Driver::Mariadb,
        Driver::Mysql,
        Driver::Mysql2,
        Driver::Pymysql,
        Driver::Openssl,
    ];

    /// The name `--client` takes and reports print.
    pub fn name(self) -> &'static str {
        match self {
            Driver::Psql => "psql",
            Driver::Psycopg => "psycopg",
            Driver::Pgjdbc => "pgjdbc",
            Driver::Pgx => "pgx",
            Driver::NodePostgres => "node-postgres",
            Driver::Asyncpg => "asyncpg",
            Driver::Mariadb => "mariadb",
            Driver::Mysql => "mysql",
            Driver::Mysql2 => "mysql2",
            Driver::Pymysql => "pymysql",
            Driver::Openssl => "openssl",
        }
    }

    /// A name or an alias as `--client` takes it.
    pub fn from_name(name: &str) -> Option<Driver> {
        let name = name.to_ascii_lowercase();
        Some(match name.as_str() {
            "psql" | "libpq" => Driver::Psql,
            "psycopg" | "psycopg3" => Driver::Psycopg,
            "pgjdbc" | "jdbc" => Driver::Pgjdbc,
            "pgx" => Driver::Pgx,
            "node-postgres" | "pg" | "node" => Driver::NodePostgres,
            "asyncpg" => Driver::Asyncpg,
            "mariadb" => Driver::Mariadb,
            "mysql" => Driver::Mysql,
            "mysql2" => Driver::Mysql2,
            "pymysql" => Driver::Pymysql,
            "openssl" | "tls" => Driver::Openssl,
            _ => return None,
        })
    }

    /// The protocol the driver speaks.
    pub fn protocol(self) -> crate::Protocol {
        use crate::Protocol;
        match self {
            Driver::Psql
            | Driver::Psycopg
            | Driver::Pgjdbc
            | Driver::Pgx
            | Driver::NodePostgres
            | Driver::Asyncpg => Protocol::Postgres,
            Driver::Mariadb | Driver::Mysql | Driver::Mysql2 | Driver::Pymysql => Protocol::Mysql,
            Driver::Openssl => Protocol::Tls,
        }
    }

    /// The stack that verifies for it.
    pub(crate) fn stack(self) -> Stack {
        match self {
            Driver::Psql | Driver::Psycopg | Driver::Mariadb | Driver::Mysql | Driver::Openssl => {
                Stack::OpenSsl
            }
            Driver::Asyncpg | Driver::Pymysql => Stack::Python,
            Driver::NodePostgres | Driver::Mysql2 => Stack::Node,
            Driver::Pgjdbc => Stack::Java,
            Driver::Pgx => Stack::Go,
        }
    }

    /// The host-name rule it applies when it verifies the name.
    pub(crate) fn names(self) -> NameRule {
        match self {
            Driver::Psql | Driver::Psycopg => NameRule::Libpq,
            Driver::Mariadb => NameRule::OpenSsl,
            Driver::Mysql => NameRule::OracleMysql,
            Driver::Openssl => NameRule::OpenSsl,
            Driver::Asyncpg | Driver::Pymysql => NameRule::Python,
            Driver::NodePostgres => NameRule::Node,
            Driver::Mysql2 => NameRule::Mysql2,
            Driver::Pgjdbc => NameRule::Java,
            Driver::Pgx => NameRule::Go,
        }
    }

    /// Who loads the trust file, in a message.
    pub fn in_words(self) -> &'static str {
        match self {
            Driver::Psql => "libpq",
            Driver::Psycopg => "psycopg (its libpq)",
            Driver::Pgjdbc => "pgjdbc",
            Driver::Pgx => "pgx",
            Driver::NodePostgres => "node-postgres",
            Driver::Asyncpg => "asyncpg",
            Driver::Mariadb => "the mariadb client",
            Driver::Mysql => "the mysql client",
            Driver::Mysql2 => "mysql2",
            Driver::Pymysql => "PyMySQL",
            Driver::Openssl => "the TLS client",
        }
    }
}
