//! How each driver reads a target's TLS settings: what it verifies ([`Mode`]) and against
//! which roots ([`Roots`]), or that it refuses the settings before connecting. A bare
//! `HOST[:PORT]` is every driver configured for full verification with the roots rootcert
//! was given, in its idiomatic form; a connection string is read the way that driver reads
//! it (`docs/drivers/<driver>.md`, section 1, has each rule and the case that measured it).

mod libpq;
mod mysql;
mod node;
mod pgjdbc;
mod pgx;

use std::path::PathBuf;

use super::connstr::{Protocol, Source, Target};
use crate::driver::Driver;
use crate::error::Error;
use crate::hint::{Hint, Setting};

/// What a driver verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The chain and the host name.
    Full,
    /// The chain only; `why` when a setting that says less verifies it anyway (libpq's
    /// `require` with a root file there).
    ChainOnly { why: Option<String> },
    /// Nothing: a server with a certificate from any CA (or no TLS) is accepted. The text
    /// says which setting and what it does.
    Unverified(String),
    /// The host name only, on a certificate whose chain is not verified (pgjdbc's
    /// NonValidatingFactory under verify-full): any CA, but the right name.
    NameOnly(String),
}

/// Where the driver's roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Roots {
    /// What the user gave rootcert (`--ca`, profiles): the root file the driver is
    /// configured with.
    Given,
    /// A file: the string's `sslrootcert`/`ssl-ca`, or the driver's default file.
    File { path: PathBuf, named_by: String },
    /// A default store of the driver's TLS stack.
    Store(Store),
}

/// The default stores: which certificates a driver trusts when it names no file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    /// OpenSSL's default verify paths (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the system bundle):
    /// libpq 16+'s `sslrootcert=system`, the mariadb client, Python's
    /// `create_default_context`.
    OpenSsl,
    /// psycopg's binary wheel: its bundled OpenSSL looks in `/usr/lib/psycopg-openssl`,
    /// which Debian lacks, so only `SSL_CERT_FILE`/`SSL_CERT_DIR` count.
    PsycopgWheel,
    /// Go's system pool (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the system bundle).
    Go,
    /// Node's bundled Mozilla roots plus `NODE_EXTRA_CA_CERTS` (read here as the system
    /// bundle, which Debian also takes from Mozilla).
    Node,
}

/// A driver's reading of a target.
#[derive(Debug, Clone)]
pub(crate) struct Tls {
    pub(crate) mode: Mode,
    pub(crate) roots: Roots,
    /// The driver refuses the settings, or cannot read the string, before it connects.
    pub(crate) refused: Option<String>,
    /// What the driver says on the way (node-postgres's deprecation warning), and how it
    /// read an unusual setting.
    pub(crate) notes: Vec<String>,
}

impl Tls {
    fn full(roots: Roots) -> Tls {
        Tls {
            mode: Mode::Full,
            roots,
            refused: None,
            notes: Vec::new(),
        }
    }

    fn refused(why: String) -> Tls {
        Tls {
            mode: Mode::Full,
            roots: Roots::Given,
            refused: Some(why),
            notes: Vec::new(),
        }
    }

    fn unverified(why: impl Into<String>) -> Tls {
        Tls {
            mode: Mode::Unverified(why.into()),
            roots: Roots::Given,
            refused: None,
            notes: Vec::new(),
        }
    }
}

/// What reading may look at besides the target: whether the user gave rootcert roots
/// (then a string that names no root file is read as naming them), and the home
/// directories the drivers take their default files from.
pub(crate) struct Context {
    pub(crate) given: bool,
    /// `$HOME`: libpq's and asyncpg's home.
    pub(crate) home: Option<PathBuf>,
    /// The password database's home of the user: what the JVM calls `user.home` and Go's
    /// `user.Current().HomeDir`, whatever `$HOME` says.
    pub(crate) passwd_home: Option<PathBuf>,
}

impl Context {
    pub(crate) fn of_process(given: bool) -> Context {
        Context {
            given,
            home: std::env::var_os("HOME").map(PathBuf::from),
            passwd_home: crate::platform::passwd_home(),
        }
    }

    /// `~/.postgresql/root.crt` under `home`.
    fn root_crt(home: Option<&PathBuf>) -> Option<PathBuf> {
        home.map(|h| h.join(".postgresql").join("root.crt"))
    }
}

/// `driver`'s reading of `target`; `Err` when rootcert cannot judge the target as that
/// driver (another protocol, a kind of string the driver does not read, a setting rootcert
/// cannot see through), which is a usage error.
pub(crate) fn read(driver: Driver, target: &Target, context: &Context) -> Result<Tls, Error> {
    if driver.protocol() != target.protocol {
        return Err(Error::BadSetting {
            setting: Setting::Client,
            problem: format!(
                " {} speaks {}, and this target is {}",
                driver.name(),
                protocol_words(driver.protocol()),
                protocol_words(target.protocol)
            ),
        });
    }
    match (&target.source, driver) {
        (Source::Bare | Source::Tls, _) => Ok(Tls::full(Roots::Given)),
        (
            Source::Libpq {
                settings, unknown, ..
            },
            Driver::Psql | Driver::Psycopg,
        ) => {
            libpq::refuse_unknown(unknown).map_err(Error::Usage)?;
            libpq::read(driver, settings, context).map_err(Error::Usage)
        }
        (Source::Libpq { settings, uri, .. }, Driver::Pgx) => {
            Ok(pgx::read(settings, *uri, context))
        }
        (Source::Libpq { settings, uri, .. }, Driver::NodePostgres) => {
            Ok(node::read_node_postgres(settings, *uri, context))
        }
        (Source::Libpq { settings, uri, .. }, Driver::Asyncpg) => {
            Ok(libpq::read_asyncpg(settings, *uri, context))
        }
        (Source::Libpq { .. }, _) => Err(Error::Usage(format!(
            "{} reads only jdbc:postgresql:// URLs: write the string as one",
            driver.name()
        ))
        .with_hint(Hint::OrCheckHostPort {
            client: driver.name(),
        })),
        (Source::Jdbc { properties }, Driver::Pgjdbc) => pgjdbc::read(properties, context),
        (Source::Jdbc { .. }, _) => Err(Error::Usage(format!(
            "{} does not read JDBC URLs: give it a postgresql:// URL",
            driver.name()
        ))
        .with_hint(Hint::OrCheckHostPort {
            client: driver.name(),
        })),
        (Source::Mysql { options }, _) => mysql::read(driver, options, context),
    }
}

fn protocol_words(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Postgres => "PostgreSQL",
        Protocol::Mysql => "MySQL/MariaDB",
        Protocol::Tls => "plain TLS",
    }
}

/// The file a string names with `keyword`, else `default`.
fn named_or(path: Option<&str>, keyword: &str, default: Roots) -> Roots {
    match path {
        Some(path) => Roots::File {
            path: PathBuf::from(path),
            named_by: keyword.into(),
        },
        None => default,
    }
}
