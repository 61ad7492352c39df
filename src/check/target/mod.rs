//! What a target is: where to connect, how the protocol starts, and which TLS settings the
//! client would use. Parsed from what the user has at hand: `HOST[:PORT]`, a PostgreSQL URL
//! or keyword/value string ([`libpq`]), a JDBC URL, a `mysql://` URL ([`mysql`]),
//! `tls://HOST:PORT`, or libpq's environment variables.
//!
//! Nothing here prints the string as given: [`Target::shown`] is the masked form, and
//! errors name the part that is wrong, never the password.

mod libpq;
mod mysql;

use std::path::PathBuf;

use crate::error::Error;

pub(crate) use libpq::{from_env, settings_of};

/// The protocol spoken before TLS, which also decides whose rules judge the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// PostgreSQL: SSLRequest, or TLS at once (`sslnegotiation=direct`); libpq's rules.
    Postgres,
    /// MySQL/MariaDB: greeting, SSLRequest, TLS; the OpenSSL-based clients' rules.
    Mysql,
    /// TLS from the first byte (Redis, MongoDB, …); OpenSSL's host-name rules.
    Tls,
}

impl Protocol {
    /// The name used in `--protocol`, reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Postgres => "postgres",
            Protocol::Mysql => "mysql",
            Protocol::Tls => "tls",
        }
    }

    fn default_port(self) -> Option<u16> {
        match self {
            Protocol::Postgres => Some(5432),
            Protocol::Mysql => Some(3306),
            Protocol::Tls => None,
        }
    }
}

/// The client a target is checked as: whose settings, defaults and rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientKind {
    Libpq,
    Pgjdbc,
    Mysql,
    Mariadb,
    Tls,
}

impl ClientKind {
    /// The name in reports and JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ClientKind::Libpq => "libpq",
            ClientKind::Pgjdbc => "pgjdbc",
            ClientKind::Mysql => "mysql",
            ClientKind::Mariadb => "mariadb",
            ClientKind::Tls => "tls",
        }
    }

    /// Who loads the trust file, in a message.
    pub(crate) fn in_words(self) -> &'static str {
        match self {
            ClientKind::Libpq => "libpq",
            ClientKind::Pgjdbc => "pgjdbc",
            ClientKind::Mysql => "the mysql client",
            ClientKind::Mariadb => "the mariadb client",
            ClientKind::Tls => "the TLS client",
        }
    }

    /// The client of a bare `HOST[:PORT]` target of this protocol.
    fn of(protocol: Protocol) -> ClientKind {
        match protocol {
            Protocol::Postgres => ClientKind::Libpq,
            Protocol::Mysql => ClientKind::Mysql,
            Protocol::Tls => ClientKind::Tls,
        }
    }
}

/// How much the client's TLS settings verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The chain and the host name (`verify-full`, `VERIFY_IDENTITY`,
    /// `--ssl-verify-server-cert`).
    Full,
    /// The chain only (`verify-ca`, `VERIFY_CA`).
    ChainOnly,
    /// Encrypted, and not verified unless the trust file exists: libpq's `require` (and
    /// `prefer`/`allow`, which also verify the chain when the file is there).
    LibpqUnlessFile(String),
    /// Not verified, whatever files exist: the setting as written (`require`, `REQUIRED`,
    /// `PREFERRED`, …, or "no sslmode" for libpq's default `prefer`).
    Unverified(String),
}

/// Where the trusted roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Roots {
    /// `--ca`, the profiles, or rootcert's fetched file: what the user gave rootcert.
    Given,
    /// This file: the string's `sslrootcert`/`ssl-ca`, or the client's default file.
    File { path: PathBuf, named_by: String },
    /// The TLS library's default store (`sslrootcert=system`, or a MariaDB client without
    /// `ssl-ca`).
    System,
    /// The string names no root: `--ca` or the profiles when given, else the client's own
    /// default (libpq's `~/.postgresql/root.crt`, the MariaDB client's default store).
    ClientDefault,
}

impl Roots {
    /// The file a string names with `keyword`, else the client's default.
    fn named(path: Option<&str>, keyword: &str) -> Roots {
        match path {
            Some(path) => Roots::File {
                path: PathBuf::from(path),
                named_by: keyword.into(),
            },
            None => Roots::ClientDefault,
        }
    }
}

/// One server to connect to: a string with `host=a,b` has several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// The name checked against the certificate and sent as SNI (libpq's `host`).
    pub(crate) name: String,
    /// Where to connect: `hostaddr` when given, else the name.
    pub(crate) addr: String,
    pub(crate) port: u16,
}

/// A parsed target.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The target as written, with any password replaced by `****`.
    pub(crate) shown: String,
    pub(crate) protocol: Protocol,
    pub(crate) endpoints: Vec<Endpoint>,
    /// TLS from the first byte (PostgreSQL `sslnegotiation=direct`).
    pub(crate) direct: bool,
    /// ALPN protocols to offer (`tls://` targets).
    pub(crate) alpn: Vec<String>,
    pub(crate) mode: Mode,
    pub(crate) roots: Roots,
    /// Settings that make libpq refuse the string before it connects.
    pub(crate) refused: Option<String>,
    /// Whose rules the string is read by.
    pub(crate) client: ClientKind,
    /// What the string says beyond TLS, to build the working settings from (dbname, user).
    pub(crate) dbname: Option<String>,
    pub(crate) user: Option<String>,
}

/// How the command line shapes targets that do not say it themselves.
#[derive(Debug, Clone, Default)]
pub(crate) struct Defaults {
    /// `--protocol`, for bare `HOST[:PORT]` targets.
    pub(crate) protocol: Option<Protocol>,
    /// `--direct`.
    pub(crate) direct: bool,
    /// `--alpn`.
    pub(crate) alpn: Vec<String>,
    /// `--sni`: the name to check when a bare target is an address.
    pub(crate) sni: Option<String>,
}

/// Parses a target as written on the command line or in a `--targets` file.
pub(crate) fn parse(raw: &str, defaults: &Defaults) -> Result<Target, Error> {
    let raw = raw.trim();
    let lower = raw.get(..16).unwrap_or(raw).to_ascii_lowercase();
    let mut target = if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
        libpq::parse_uri(raw, &std::collections::HashMap::new())?
    } else if lower.starts_with("jdbc:postgresql:") {
        libpq::parse_jdbc(raw)?
    } else if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
        mysql::parse_url(raw)?
    } else if let Some(rest) = strip_prefix_ignore_case(raw, "tls://") {
        let (host, port) = split_host_port(rest.trim_end_matches('/'), None)
            .map_err(|e| Error::Usage(format!("{e} (a tls:// target is tls://HOST:PORT)")))?;
        Target {
            shown: mask(raw),
            protocol: Protocol::Tls,
            endpoints: vec![Endpoint {
                name: defaults.sni.clone().unwrap_or_else(|| host.clone()),
                addr: host,
                port,
            }],
            direct: true,
            alpn: defaults.alpn.clone(),
            mode: Mode::Full,
            roots: Roots::Given,
            refused: None,
            client: ClientKind::Tls,
            dbname: None,
            user: None,
        }
    } else if raw.contains('=') {
        libpq::parse_conninfo(raw, &std::collections::HashMap::new())?
    } else if raw.contains("://") {
        let scheme = raw.split("://").next().unwrap_or_default();
        return Err(Error::Usage(format!(
            "unknown scheme '{}://': a target is HOST[:PORT], postgresql://, jdbc:postgresql://, \
             mysql://, mariadb://, tls://HOST:PORT or a libpq \"key=value\" string",
            mask(scheme)
        )));
    } else if raw.contains('@') {
        return Err(Error::Usage(format!(
            "'{}' looks like a URL without its scheme: write postgresql://, mysql:// or \
             mariadb:// before it",
            mask(&format!("x://{raw}")).trim_start_matches("x://")
        )));
    } else {
        let protocol = defaults.protocol.unwrap_or(Protocol::Postgres);
        let (host, port) = split_host_port(raw, protocol.default_port()).map_err(|e| {
            Error::Usage(match protocol {
                Protocol::Tls => format!("{e} (--protocol tls needs HOST:PORT)"),
                _ => e,
            })
        })?;
        Target {
            shown: mask(raw),
            protocol,
            endpoints: vec![Endpoint {
                name: defaults.sni.clone().unwrap_or_else(|| host.clone()),
                addr: host,
                port,
            }],
            direct: defaults.direct || protocol == Protocol::Tls,
            alpn: defaults.alpn.clone(),
            mode: Mode::Full,
            roots: Roots::Given,
            refused: None,
            client: ClientKind::of(protocol),
            dbname: None,
            user: None,
        }
    };
    if target.protocol == Protocol::Postgres && defaults.direct {
        target.direct = true;
    }
    if target.protocol == Protocol::Postgres && target.direct && target.alpn.is_empty() {
        target.alpn = vec!["postgresql".into()];
    }
    if target.endpoints.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no host (a Unix socket cannot be checked: give host=NAME)",
            target.shown
        )));
    }
    Ok(target)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Splits `HOST[:PORT]`, `[IPv6]:PORT` or a bare IPv6 address; `default_port` `None`
/// makes the port required.
pub(crate) fn split_host_port(
    target: &str,
    default_port: Option<u16>,
) -> Result<(String, u16), String> {
    let port_of = |p: &str| -> Result<u16, String> {
        p.parse::<u16>()
            .ok()
            .filter(|&n| n != 0)
            .ok_or_else(|| format!("'{p}' in '{target}' is not a port number"))
    };
    let no_port = || format!("'{target}' has no port");
    let (host, port) = if let Some(rest) = target.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("'{target}': missing ']' after an IPv6 address"))?;
        match after.strip_prefix(':') {
            Some(p) => (host.to_string(), port_of(p)?),
            None if after.is_empty() => (host.to_string(), default_port.ok_or_else(no_port)?),
            None => return Err(format!("'{target}': unexpected text after ']'")),
        }
    } else {
        match target.rsplit_once(':') {
            // A bare IPv6 address has several colons and no port.
            Some((host, port)) if !host.contains(':') => (host.to_string(), port_of(port)?),
            _ => (target.to_string(), default_port.ok_or_else(no_port)?),
        }
    };
    if host.is_empty() {
        return Err(format!("'{target}' has no host"));
    }
    Ok((host, port))
}

/// The target with any password replaced by `****`: a URL's `user:password@`, a
/// `password=` keyword or query parameter. Used for everything rootcert prints.
pub(crate) fn mask(raw: &str) -> String {
    let mut out = raw.to_string();
    // URL userinfo: scheme://user:secret@host
    if let Some(start) = out.find("://").map(|i| i + 3) {
        let authority_end = out[start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| start + i);
        if let Some(at) = out[start..authority_end].rfind('@').map(|i| start + i)
            && let Some(colon) = out[start..at].find(':').map(|i| start + i)
        {
            out.replace_range(colon + 1..at, "****");
        }
    }
    // password=secret as a query parameter or keyword (quoted values included).
    let lower = out.to_ascii_lowercase();
    let mut masked = String::with_capacity(out.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find("password").map(|i| search + i) {
        let before_ok = found == 0
            || matches!(
                lower.as_bytes()[found - 1],
                b' ' | b'\t' | b'\n' | b'?' | b'&' | b';'
            );
        let mut at = found + "password".len();
        let bytes = out.as_bytes();
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if !before_ok || at >= bytes.len() || bytes[at] != b'=' {
            search = found + 1;
            continue;
        }
        at += 1;
        while at < bytes.len() && bytes[at] == b' ' {
            at += 1;
        }
        let end = value_end(bytes, at);
        masked.push_str(&out[copied..at]);
        masked.push_str("****");
        copied = end;
        search = end.max(found + 1);
    }
    masked.push_str(&out[copied..]);
    masked
}

/// Where a keyword's value ends: a quoted libpq value, or up to a separator.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start;
    if bytes.get(at) == Some(&b'\'') {
        at += 1;
        while at < bytes.len() {
            match bytes[at] {
                b'\\' => at += 2,
                b'\'' => return at + 1,
                _ => at += 1,
            }
        }
        return bytes.len();
    }
    while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t' | b'\n' | b'&' | b';') {
        if bytes[at] == b'\\' {
            at += 1;
        }
        at += 1;
    }
    at.min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        let split = |t| split_host_port(t, Some(5432));
        assert_eq!(
            split("db.example.com").unwrap(),
            ("db.example.com".into(), 5432)
        );
        assert_eq!(split("localhost:6543").unwrap(), ("localhost".into(), 6543));
        assert_eq!(split("[::1]:7000").unwrap(), ("::1".into(), 7000));
        assert_eq!(split("::1").unwrap(), ("::1".into(), 5432));
        assert!(split("host:port").is_err());
        assert!(split(":5432").is_err());
        assert!(split_host_port("redis.internal", None).is_err());
    }

    #[test]
    fn a_url_without_its_scheme_is_refused_without_its_password() {
        let e = parse("app:hunter2@db.example.com", &Defaults::default()).unwrap_err();
        assert!(e.to_string().contains("app:****@db.example.com"), "{e}");
        assert!(!e.to_string().contains("hunter2"));
    }

    #[test]
    fn passwords_are_masked_everywhere() {
        for (raw, shown) in [
            (
                "postgresql://app:s3cr%40t@db.example.com/app",
                "postgresql://app:****@db.example.com/app",
            ),
            (
                "host=db password='a b\\' c' sslmode=require",
                "host=db password=**** sslmode=require",
            ),
            ("host=db password = x", "host=db password = ****"),
            (
                "jdbc:postgresql://db/app?user=u&password=x&sslmode=verify-full",
                "jdbc:postgresql://db/app?user=u&password=****&sslmode=verify-full",
            ),
            ("mysql://root:pw@db:3306/x", "mysql://root:****@db:3306/x"),
            ("host=db passwordx=1", "host=db passwordx=1"),
            ("host=db", "host=db"),
        ] {
            assert_eq!(mask(raw), shown, "{raw}");
        }
    }
}
