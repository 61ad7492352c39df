//! The MySQL/MariaDB clients' reading of a `mysql://` or `mariadb://` URL's options
//! (`docs/drivers/mariadb.md`, `mysql.md`, `mysql2.md`, `pymysql.md`, §1):
//!
//! - The `mariadb` and `mysql` clients: the URL stands for their options (MySQL Shell's
//!   `ssl-mode`, `ssl-ca`; MariaDB's `ssl-verify-server-cert`). No `ssl-mode` means
//!   encrypted and not verified, except that `ssl-ca` alone verifies the chain. Without
//!   `ssl-ca`, the mariadb client verifies against OpenSSL's default store; the mysql client
//!   needs one for `VERIFY_CA`/`VERIFY_IDENTITY`.
//! - mysql2 reads a URL itself: only its `ssl` option (JSON or a profile name) turns TLS
//!   on; `ssl-mode`, `ssl-ca` and the like are ignored with a warning, and the connection
//!   is plaintext.
//! - PyMySQL reads no URL.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Context, Mode, Roots, Store, Tls};
use crate::driver::Driver;
use crate::error::Error;
use crate::hint::Hint;

pub(super) fn read(
    driver: Driver,
    options: &HashMap<String, String>,
    context: &Context,
) -> Result<Tls, Error> {
    match driver {
        Driver::Mysql2 => Ok(read_mysql2(options)?),
        Driver::Pymysql => Ok(read_pymysql(options, context)),
        _ => Ok(read_client(driver, options, context)),
    }
}

/// The `mariadb` and `mysql` command-line clients.
fn read_client(driver: Driver, options: &HashMap<String, String>, context: &Context) -> Tls {
    let ca = options.get("ssl-ca").map(PathBuf::from);
    let verify_server_cert = options
        .get("ssl-verify-server-cert")
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "" | "1" | "true" | "on"));
    let ssl_mode = options.get("ssl-mode").map(|m| m.to_ascii_uppercase());
    let roots = match (ca, context.given) {
        (Some(path), _) => Roots::File {
            path,
            named_by: "ssl-ca".into(),
        },
        (None, true) => Roots::Given,
        (None, false) => Roots::Store(Store::OpenSsl),
    };
    let mode = match ssl_mode.as_deref() {
        Some("VERIFY_IDENTITY") => Mode::Full,
        _ if verify_server_cert => Mode::Full,
        Some("VERIFY_CA") => Mode::ChainOnly { why: None },
        Some(m @ ("REQUIRED" | "PREFERRED" | "DISABLED")) => Mode::Unverified(format!(
            "ssl-mode={m}: the connection is not verified (any certificate, or none, is \
             accepted)"
        )),
        Some(_) => {
            return Tls::refused(format!(
                "{} refuses the option: ssl-mode is one of DISABLED, PREFERRED, REQUIRED, \
                 VERIFY_CA, VERIFY_IDENTITY",
                driver.in_words()
            ));
        }
        None if !matches!(roots, Roots::Store(_)) => Mode::ChainOnly {
            why: Some(format!(
                "ssl-ca without ssl-mode: {} verifies the chain, not the host name",
                driver.in_words()
            )),
        },
        None => Mode::Unverified(format!(
            "no ssl-mode: {} encrypts when the server offers TLS and verifies nothing",
            driver.in_words()
        )),
    };
    let verifies = !matches!(mode, Mode::Unverified(_));
    if driver == Driver::Mysql && verifies && roots == Roots::Store(Store::OpenSsl) {
        return Tls::refused(
            "the mysql client needs ssl-ca for VERIFY_CA and VERIFY_IDENTITY".into(),
        );
    }
    Tls {
        mode,
        roots,
        refused: None,
        notes: Vec::new(),
    }
}

/// PyMySQL reads no URL, so the URL's TLS options are taken for what they ask, in
/// PyMySQL's keywords: `ssl-mode=VERIFY_IDENTITY` (or `ssl-verify-server-cert`) as
/// `ssl_ca=F, ssl_verify_cert=True, ssl_verify_identity=True`, `VERIFY_CA` as
/// `ssl_verify_cert=True`, anything less as no verification (PyMySQL's own `ssl_ca` alone
/// verifies nothing).
fn read_pymysql(options: &HashMap<String, String>, context: &Context) -> Tls {
    let mut tls = read_client(Driver::Mariadb, options, context);
    if tls.roots == Roots::Store(Store::OpenSsl) {
        tls.roots = Roots::Store(Store::OpenSsl);
    }
    if let Mode::ChainOnly { why: Some(_) } = tls.mode {
        tls.mode = Mode::Unverified(
            "ssl_ca without ssl_verify_cert: PyMySQL verifies nothing (it reads no URL; the \
             URL's ssl-ca alone is taken as ssl_ca=FILE)"
                .into(),
        );
    }
    // connections.py, _create_ssl_ctx: `ctx.check_hostname = not hasnoca and ...`.
    if tls.mode == Mode::Full && matches!(tls.roots, Roots::Store(_)) {
        tls.mode = Mode::ChainOnly {
            why: Some(
                "without ssl_ca PyMySQL checks no host name (check_hostname = not hasnoca): \
                 it verifies the chain against the default store only"
                    .into(),
            ),
        };
    }
    tls.notes.push(
        "PyMySQL reads no URL: judged as the pymysql.connect() keywords for what the URL asks"
            .into(),
    );
    tls.refused = tls
        .refused
        .map(|why| why.replace("the mariadb client", "PyMySQL"));
    tls
}

/// mysql2's `ConnectionConfig.parseUrl`: every query parameter becomes an option (its value
/// JSON-parsed when it parses); only `ssl` matters for TLS.
fn read_mysql2(options: &HashMap<String, String>) -> Result<Tls, Error> {
    match options.get("ssl").map(String::as_str) {
        None => {
            let ignored: Vec<&str> = ["ssl-mode", "ssl-ca", "ssl-verify-server-cert"]
                .into_iter()
                .filter(|k| options.contains_key(*k))
                .collect();
            let mut tls = Tls::unverified(if ignored.is_empty() {
                "no ssl option: mysql2 connects in plaintext".to_string()
            } else {
                format!(
                    "mysql2 ignores {} in a URL (\"Ignoring invalid configuration option\") \
                     and connects in plaintext: its TLS option is ssl",
                    ignored.join(", ")
                )
            });
            tls.roots = Roots::Store(Store::Node);
            Ok(tls)
        }
        Some("{}") => Ok(Tls {
            mode: Mode::ChainOnly {
                why: Some(
                    "ssl={} verifies the chain against Node's roots; mysql2 checks the host \
                     name only with verifyIdentity: true"
                        .into(),
                ),
            },
            roots: Roots::Store(Store::Node),
            refused: None,
            notes: Vec::new(),
        }),
        Some(_) => Err(Error::Usage(
            "mysql2's ssl option carries the CA as PEM text (or names a profile), which \
             rootcert does not read from a URL"
                .into(),
        )
        .with_hint(Hint::CheckHostPort {
            client: Driver::Mysql2.name(),
        })),
    }
}
