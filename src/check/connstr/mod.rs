//! What a target is: where to connect, how the protocol starts, and which TLS settings the
//! client would use. Parsed from what the user has at hand: `HOST[:PORT]`, a PostgreSQL URL
//! or keyword/value string ([`libpq_settings`]), a JDBC URL, a `mysql://` URL ([`mysql`]),
//! `tls://HOST:PORT`, or libpq's environment variables.
//!
//! Nothing here prints the string as given: [`Target::shown`] is built from what was
//! parsed, with every secret masked, and errors name the position and kind of a problem,
//! never the text ([`redact`]).

pub(crate) mod conninfo;
mod libpq_settings;
mod mysql;
mod pgjdbc;
pub(crate) mod redact;

use crate::error::Error;
use crate::hint::Hint;
pub(crate) use redact::ParseError;

pub(crate) use libpq_settings::{from_env, settings_of};

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

/// What the user wrote, for each driver to read its own way ([`crate::check::reading`]).
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// `HOST[:PORT]`: each driver configured for full verification with the given roots.
    Bare,
    /// `tls://HOST:PORT`.
    Tls,
    /// A libpq string (URI or keyword/value; or the environment with `--env`): the last
    /// value of each keyword, the services file and `PG*` defaults merged as libpq merges
    /// them; and the keywords libpq does not know, with their positions.
    Libpq {
        uri: bool,
        settings: std::collections::HashMap<String, String>,
        unknown: Vec<(usize, String)>,
    },
    /// A `jdbc:postgresql://` URL's properties.
    Jdbc {
        properties: std::collections::HashMap<String, String>,
    },
    /// A `mysql://` or `mariadb://` URL's options (keys lower-case, `_` as `-`).
    Mysql {
        options: std::collections::HashMap<String, String>,
    },
}

/// What an sslmode error says: the value is not quoted, since a misread string could have
/// put anything there.
pub(crate) const BAD_SSLMODE: &str = "invalid sslmode value (it is one of disable, allow, \
     prefer, require, verify-ca, verify-full)";

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
    /// The target as parsed, every secret `****`; shared by every host of the target.
    pub(crate) shown: std::sync::Arc<str>,
    pub(crate) protocol: Protocol,
    pub(crate) endpoints: Vec<Endpoint>,
    /// TLS from the first byte (PostgreSQL `sslnegotiation=direct`).
    pub(crate) direct: bool,
    /// ALPN protocols to offer (`tls://` targets).
    pub(crate) alpn: Vec<String>,
    /// What was written, for each driver to read.
    pub(crate) source: Source,
    /// The client the target is judged as unless `--client` says otherwise: psql for
    /// PostgreSQL, pgjdbc for JDBC URLs, the mariadb client for MySQL, openssl for `tls://`.
    pub(crate) driver: crate::driver::Driver,
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
        libpq_settings::parse_uri(raw, &std::collections::HashMap::new())?
    } else if lower.starts_with("jdbc:postgresql:") {
        pgjdbc::parse(raw)?
    } else if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
        mysql::parse_url(raw)?
    } else if let Some(rest) = strip_prefix_ignore_case(raw, "tls://") {
        let rest = rest.trim_end_matches('/');
        if let Some(i) = rest.find('@') {
            return Err(ParseError::at_byte(
                raw,
                "tls://".len() + i,
                "a tls:// target takes no user or password: it is tls://HOST:PORT",
            )
            .into_error(raw));
        }
        let (host, port) = split_host_port(rest, None)
            .and_then(|hp| host_name(rest, hp))
            .map_err(|e| {
                ParseError::new(
                    if e.at == 0 { 0 } else { e.at + "tls://".len() },
                    format!("{} (a tls:// target is tls://HOST:PORT)", e.what),
                )
            })
            .map_err(|e| e.into_error(raw))?;
        Target {
            shown: format!("tls://{rest}").into(),
            protocol: Protocol::Tls,
            endpoints: vec![Endpoint {
                name: defaults.sni.clone().unwrap_or_else(|| host.clone()),
                addr: host,
                port,
            }],
            direct: true,
            alpn: defaults.alpn.clone(),
            source: Source::Tls,
            driver: crate::driver::Driver::Openssl,
            dbname: None,
            user: None,
        }
    } else if raw.contains('=') {
        libpq_settings::parse_conninfo(raw, &std::collections::HashMap::new())?
    } else if raw.contains("://") {
        return Err(ParseError::whole(
            "unknown scheme: a target is HOST[:PORT], postgresql://, jdbc:postgresql://, \
             mysql://, mariadb://, tls://HOST:PORT or a libpq \"key=value\" string",
        )
        .into_error(raw));
    } else if let Some(i) = raw.find('@') {
        return Err(ParseError::at_byte(
            raw,
            i,
            "looks like a URL without its scheme (user@host): write postgresql://, mysql:// \
             or mariadb:// before it",
        )
        .into_error(raw));
    } else {
        let protocol = defaults.protocol.unwrap_or(Protocol::Postgres);
        let (host, port) = split_host_port(raw, protocol.default_port())
            .and_then(|hp| host_name(raw, hp))
            .map_err(|e| match protocol {
                Protocol::Tls => ParseError {
                    hint: Some(Hint::TlsNeedsHostPort),
                    ..e
                },
                _ => e,
            })
            .map_err(|e| e.into_error(raw))?;
        Target {
            shown: raw.into(),
            protocol,
            endpoints: vec![Endpoint {
                name: defaults.sni.clone().unwrap_or_else(|| host.clone()),
                addr: host,
                port,
            }],
            direct: defaults.direct || protocol == Protocol::Tls,
            alpn: defaults.alpn.clone(),
            source: if protocol == Protocol::Tls {
                Source::Tls
            } else {
                Source::Bare
            },
            driver: match protocol {
                Protocol::Postgres => crate::driver::Driver::Psql,
                Protocol::Mysql => crate::driver::Driver::Mariadb,
                Protocol::Tls => crate::driver::Driver::Openssl,
            },
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
            shorten(&target.shown, 200)
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
/// makes the port required. Errors point into `target` and quote none of it.
pub(crate) fn split_host_port(
    target: &str,
    default_port: Option<u16>,
) -> Result<(String, u16), ParseError> {
    let port_of = |p: &str| -> Result<u16, ParseError> {
        p.parse::<u16>().ok().filter(|&n| n != 0).ok_or_else(|| {
            ParseError::at_byte(
                target,
                target.len() - p.len(),
                "not a port number (a port is a number from 1 to 65535)",
            )
        })
    };
    let no_port = || ParseError::whole("no port");
    let (host, port) = if let Some(rest) = target.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| ParseError::new(1, "missing \"]\" after an IPv6 address"))?;
        match after.strip_prefix(':') {
            Some(p) => (host.to_string(), port_of(p)?),
            None if after.is_empty() => (host.to_string(), default_port.ok_or_else(no_port)?),
            None => {
                return Err(ParseError::at_byte(
                    target,
                    host.len() + 2,
                    "unexpected text after \"]\"",
                ));
            }
        }
    } else {
        match target.rsplit_once(':') {
            // A bare IPv6 address has several colons and no port.
            Some((host, port)) if !host.contains(':') => (host.to_string(), port_of(port)?),
            _ => (target.to_string(), default_port.ok_or_else(no_port)?),
        }
    };
    if host.is_empty() {
        return Err(ParseError::whole("no host"));
    }
    Ok((host, port))
}

/// A host as a bare target or `tls://` gives it: a DNS name or an IP address (with an IPv6
/// zone). Anything else is refused, so a file that is not a list of targets is not read out
/// in "cannot resolve" messages or sent to a resolver.
pub(super) fn host_name(
    text: &str,
    (host, port): (String, u16),
) -> Result<(String, u16), ParseError> {
    // A colon only in an IPv6 address (a `~/.pgpass` line, `host:port:db:user:password`,
    // is not one); a DNS label is at most 63 bytes.
    let address = host
        .split_once('%')
        .map_or(host.as_str(), |(address, _zone)| address);
    let plain = if host.contains(':') {
        address.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        host.len() <= 253
            && !host.contains('%')
            && host.split('.').all(|label| label.len() <= 63)
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    };
    if plain {
        Ok((host, port))
    } else {
        let bad = text.find(|c: char| !(c.is_ascii_alphanumeric() || "._-:%[]".contains(c)));
        Err(ParseError::at_byte(
            text,
            bad.unwrap_or(0),
            "not a host name or IP address",
        ))
    }
}

/// At most `limit` characters of `text`, with `…` when it was cut.
pub(crate) fn shorten(text: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
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
    fn a_url_without_its_scheme_is_refused_without_its_text() {
        let e = parse("app:hunter2@db.example.com", &Defaults::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a target: looks like a URL without its scheme (user@host): write postgresql://, \
             mysql:// or mariadb:// before it (at character 12)"
        );
    }

    #[test]
    fn a_bare_host_is_a_host_name_or_an_address() {
        for ok in [
            "db.example.com",
            "127.0.0.1:5",
            "[::1]:5",
            "fe80::1%eth0",
            "my_db-1",
        ] {
            assert!(parse(ok, &Defaults::default()).is_ok(), "{ok}");
        }
        // Lines of /etc/shadow and ~/.pgpass, and a key: never hosts, never quoted.
        let long_label = format!("{}.example.com", "a".repeat(64));
        for secret in [
            "root:$y$j9T$S3CRETHASH:19000:0:99999:7:::",
            "127.0.0.1:1:db:user:S3CRETPGPASS",
            "db.example.com:5432:*:app:S3CRET",
            &long_label,
        ] {
            let e = parse(secret, &Defaults::default()).unwrap_err().to_string();
            assert!(!e.contains("S3CRET") && !e.contains("root"), "{e}");
        }
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
            ("host=db password = x", "host=db password=****"),
            (
                "jdbc:postgresql://db/app?user=u&password=x&sslmode=verify-full",
                "jdbc:postgresql://db/app?user=u&password=****&sslmode=verify-full",
            ),
            ("mysql://root:pw@db:3306/x", "mysql://root:****@db:3306/x"),
            ("mysql://root:S3/CRET@db/x", "mysql://root:****@db/x"),
            (
                "mysql://root@db/x?password=S3CRET&ssl-mode=REQUIRED",
                "mysql://root@db/x?password=****&ssl-mode=REQUIRED",
            ),
            // Parameters rootcert does not know are masked: any may be a secret.
            (
                "mysql://root@db/x?password1=S3&passwd=S3&clientCertificateKeyStorePassword=S3&ssl-ca=/ca.pem&charset=utf8",
                "mysql://root@db/x?password1=****&passwd=****&clientCertificateKeyStorePassword=****&ssl-ca=/ca.pem&charset=utf8",
            ),
            (
                "jdbc:postgresql://db/app?passwd=S3&sslpassword=S3&sslmode=verify-full&fancyToken=S3",
                "jdbc:postgresql://db/app?passwd=****&sslpassword=****&sslmode=verify-full&fancyToken=****",
            ),
            (
                "host=db sslpassword=x scram_client_key=y",
                "host=db sslpassword=**** scram_client_key=****",
            ),
            ("host=db", "host=db"),
        ] {
            assert_eq!(
                parse(raw, &Defaults::default()).unwrap().shown,
                shown.into(),
                "{raw}"
            );
        }
    }
}
