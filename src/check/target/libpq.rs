//! What libpq makes of a connection string's settings (fe-connect.c, fe-secure-*.c): the
//! hosts, ports and addresses, sslmode and its refusals, the root file; and where settings
//! come from besides the string: the services file and the `PG*` environment. The grammar
//! itself is [`conninfo`].

use std::collections::HashMap;
use std::path::PathBuf;

use super::conninfo;
use super::redact::{Setting, show_settings};
use super::{ClientKind, Endpoint, Mode, Protocol, Roots, Target};
use crate::error::Error;

/// The environment variable libpq reads for a keyword's default.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("host", "PGHOST"),
    ("hostaddr", "PGHOSTADDR"),
    ("port", "PGPORT"),
    ("dbname", "PGDATABASE"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("service", "PGSERVICE"),
    ("sslmode", "PGSSLMODE"),
    ("sslnegotiation", "PGSSLNEGOTIATION"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslsni", "PGSSLSNI"),
];

type Settings = HashMap<String, String>;

/// The last value of each keyword, as libpq keeps them.
fn to_map(settings: Vec<Setting>) -> Settings {
    settings.into_iter().map(|s| (s.keyword, s.value)).collect()
}

/// A keyword/value string: `host=db.example.com port=5432 sslmode=verify-full`.
pub(super) fn parse_conninfo(raw: &str, defaults: &Settings) -> Result<Target, Error> {
    let settings = conninfo::keyword_value(raw).map_err(|e| e.into_error(raw))?;
    let shown = show_settings(&settings);
    to_target(shown, to_map(settings), defaults)
}

/// `postgresql://[user[:password]@][host[:port][,...]][/dbname][?param=value&...]`.
pub(super) fn parse_uri(raw: &str, defaults: &Settings) -> Result<Target, Error> {
    let uri = conninfo::uri(raw).map_err(|e| e.into_error(raw))?;
    to_target(uri.shown, to_map(uri.settings), defaults)
}

/// The target libpq would connect to from the environment: `DATABASE_URL` when set (with
/// the `PG*` variables filling what it leaves out, as libpq does), else the `PG*`
/// variables alone.
pub(crate) fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Target, Error> {
    let defaults: Settings = ENVIRONMENT
        .iter()
        .filter_map(|(keyword, var)| {
            env(var)
                .filter(|v| !v.is_empty())
                .map(|v| (keyword.to_string(), v))
        })
        .collect();
    match env("DATABASE_URL").filter(|v| !v.trim().is_empty()) {
        Some(url) => {
            let lower = url.trim_start().to_ascii_lowercase();
            let mut target =
                if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
                    parse_uri(url.trim(), &defaults)?
                } else if url.contains('=') && !url.contains("://") {
                    parse_conninfo(&url, &defaults)?
                } else {
                    super::parse(&url, &super::Defaults::default())?
                };
            target.shown = format!("DATABASE_URL={}", target.shown).into();
            Ok(target)
        }
        None => {
            if !defaults.contains_key("host")
                && !defaults.contains_key("hostaddr")
                && !defaults.contains_key("service")
            {
                return Err(Error::Usage(
                    "--env: neither DATABASE_URL nor PGHOST is set (libpq would use the local \
                     Unix socket, which has no TLS to check)"
                        .into(),
                ));
            }
            let shown = ENVIRONMENT
                .iter()
                .filter(|(keyword, _)| defaults.contains_key(*keyword))
                .map(|(keyword, var)| match *keyword {
                    "password" => format!("{var}=****"),
                    _ => format!("{var}={}", defaults[*keyword]),
                })
                .collect::<Vec<_>>()
                .join(" ");
            to_target(shown, Settings::new(), &defaults)
        }
    }
}

/// What an sslmode error says: the value is not quoted, since a misread string could have
/// put anything there.
pub(super) const BAD_SSLMODE: &str = "invalid sslmode value (it is one of disable, allow, \
     prefer, require, verify-ca, verify-full)";

/// The services file libpq reads for `service=NAME`: `PGSERVICEFILE` or
/// `~/.pg_service.conf`, then `PGSYSCONFDIR/pg_service.conf` (Debian's
/// `/etc/postgresql-common`). A file that is missing is skipped, as libpq does; one that
/// cannot be read is an error that says why. Errors name lines, never their text (a
/// services file holds passwords).
fn service_settings(name: &str) -> Result<Vec<Setting>, String> {
    let mut files = Vec::new();
    match std::env::var_os("PGSERVICEFILE") {
        Some(file) => files.push(PathBuf::from(file)),
        None => {
            if let Some(home) = std::env::var_os("HOME") {
                files.push(PathBuf::from(home).join(".pg_service.conf"));
            }
        }
    }
    let sysconf = std::env::var_os("PGSYSCONFDIR")
        .map_or_else(|| PathBuf::from("/etc/postgresql-common"), PathBuf::from);
    files.push(sysconf.join("pg_service.conf"));
    for file in &files {
        if matches!(file.symlink_metadata(), Err(e) if e.kind() == std::io::ErrorKind::NotFound) {
            continue;
        }
        let bytes = crate::read::read_file(file, crate::read::MAX_FILE_BYTES)
            .map_err(|e| format!("service \"{name}\": {e} (the services file)"))?;
        let text = String::from_utf8_lossy(&bytes);
        let mut in_section = false;
        let mut found = false;
        let mut settings = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                in_section = section == name;
                found |= in_section;
                continue;
            }
            if in_section {
                let where_ = || {
                    format!(
                        "in service file \"{}\", line {}",
                        crate::text::path_text(file),
                        number + 1
                    )
                };
                let (k, v) = line
                    .split_once('=')
                    .ok_or_else(|| format!("syntax error {}", where_()))?;
                let (k, v) = (k.trim(), v.trim());
                if k == "service" {
                    return Err(format!(
                        "nested service specifications not supported {}",
                        where_()
                    ));
                }
                if !conninfo::KEYWORDS.contains(&k) {
                    return Err(format!("invalid connection option {}", where_()));
                }
                settings.push(Setting::new(k, v));
            }
        }
        if found {
            return Ok(settings);
        }
    }
    Err(format!("definition of service \"{name}\" not found"))
}

/// An error about a string's settings: the string is named by its kind, not shown, since
/// a setting that is wrong may be a password in the wrong place.
fn bad(shown: &str, why: impl std::fmt::Display) -> Error {
    Error::Usage(format!("{}: {why}", super::redact::label(shown)))
}

/// libpq's settings to a target: the string first, then the services file, then the
/// environment defaults (only with `--env`).
fn to_target(shown: String, mut settings: Settings, defaults: &Settings) -> Result<Target, Error> {
    for (k, v) in defaults {
        if k != "service" || !settings.contains_key("service") {
            settings.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    if let Some(service) = settings.get("service").cloned() {
        for s in service_settings(&service).map_err(|why| bad(&shown, why))? {
            settings.entry(s.keyword).or_insert(s.value);
        }
    }
    let get = |k: &str| {
        settings
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let hosts: Vec<&str> = get("host").map_or_else(Vec::new, |h| h.split(',').collect());
    let addrs: Vec<&str> = get("hostaddr").map_or_else(Vec::new, |h| h.split(',').collect());
    let count = hosts.len().max(addrs.len());
    if !hosts.is_empty() && !addrs.is_empty() && hosts.len() != addrs.len() {
        return Err(bad(
            &shown,
            format!(
                "could not match {} host names to {} hostaddr values",
                hosts.len(),
                addrs.len()
            ),
        ));
    }
    let ports: Vec<&str> = get("port").map_or_else(Vec::new, |p| p.split(',').collect());
    if ports.len() > 1 && ports.len() != count {
        return Err(bad(
            &shown,
            format!(
                "could not match {} port numbers to {count} hosts",
                ports.len()
            ),
        ));
    }
    let mut endpoints = Vec::with_capacity(count);
    for i in 0..count {
        let name = hosts.get(i).copied().unwrap_or("").trim();
        let addr = addrs.get(i).copied().unwrap_or("").trim();
        if name.starts_with('/') || (name.is_empty() && addr.is_empty()) {
            return Err(bad(
                &shown,
                format!(
                    "host {} is a Unix socket, which has no TLS to check",
                    if name.is_empty() { "(empty)" } else { name }
                ),
            ));
        }
        let port_text = match ports.len() {
            0 => "",
            1 => ports[0],
            _ => ports[i],
        }
        .trim();
        let port = if port_text.is_empty() {
            5432
        } else {
            port_text
                .parse::<u16>()
                .ok()
                .filter(|&p| p != 0)
                .ok_or_else(|| {
                    bad(
                        &shown,
                        format!(
                            "invalid port number for host {} of {count} (a port is a number \
                             from 1 to 65535)",
                            i + 1
                        ),
                    )
                })?
        };
        endpoints.push(Endpoint {
            name: name.to_string(),
            addr: if addr.is_empty() { name } else { addr }.to_string(),
            port,
        });
    }
    let sslrootcert = get("sslrootcert");
    let system = sslrootcert == Some("system");
    let sslmode = get("sslmode");
    let mut refused = None;
    let mode = match sslmode {
        Some("verify-full") => Mode::Full,
        None if system => Mode::Full,
        Some("verify-ca") => Mode::ChainOnly,
        Some("require") => Mode::LibpqUnlessFile("require".into()),
        Some(m @ ("prefer" | "allow" | "disable")) => Mode::Unverified(format!("sslmode={m}")),
        None => Mode::Unverified("no sslmode (libpq's default, prefer)".into()),
        Some(_) => return Err(bad(&shown, BAD_SSLMODE)),
    };
    if system && sslmode.is_some_and(|m| m != "verify-full") {
        refused = Some(format!(
            "libpq refuses the string: weak sslmode \"{}\" may not be used with \
             sslrootcert=system (use \"verify-full\")",
            sslmode.unwrap_or_default()
        ));
    }
    let direct = match get("sslnegotiation") {
        None | Some("postgres") => false,
        Some("direct") => {
            if matches!(sslmode, None | Some("prefer" | "allow" | "disable")) {
                refused = Some(format!(
                    "libpq refuses the string: weak sslmode \"{}\" may not be used with \
                     sslnegotiation=direct (use \"require\", \"verify-ca\", or \"verify-full\")",
                    sslmode.unwrap_or("prefer")
                ));
            }
            true
        }
        Some(_) => {
            return Err(bad(
                &shown,
                "invalid sslnegotiation value (it is postgres or direct)",
            ));
        }
    };
    if mode == Mode::Full && endpoints.iter().any(|e| e.name.is_empty()) {
        refused = Some(
            "without host=, libpq checks the certificate against its default host (the socket \
             directory, /var/run/postgresql on Debian), which no certificate names: give \
             host=NAME with hostaddr"
                .into(),
        );
    }
    let roots = match sslrootcert {
        Some("system") => Roots::System,
        other => Roots::named(other, "sslrootcert"),
    };
    Ok(Target {
        shown: shown.into(),
        protocol: Protocol::Postgres,
        endpoints,
        direct,
        alpn: Vec::new(),
        mode,
        roots,
        refused,
        client: ClientKind::Libpq,
        dbname: get("dbname").map(str::to_string),
        user: get("user").map(str::to_string),
    })
}

/// libpq's keyword/value settings of a string, for comparing with `PQconninfoParse`.
pub(crate) fn settings_of(raw: &str) -> Result<Settings, String> {
    let lower = raw.get(..13).unwrap_or(raw).to_ascii_lowercase();
    if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
        conninfo::uri(raw).map(|u| to_map(u.settings))
    } else {
        conninfo::keyword_value(raw).map(to_map)
    }
    .map_err(|e| e.what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(raw: &str) -> Target {
        super::super::parse(raw, &Default::default()).unwrap()
    }

    #[test]
    fn uri_forms() {
        let t = target(
            "postgresql://app:pw@db.example.com:6432/app?sslmode=verify-full&sslrootcert=/etc/app/root.crt",
        );
        assert_eq!(
            t.shown,
            "postgresql://app:****@db.example.com:6432/app?sslmode=verify-full&sslrootcert=/etc/app/root.crt".into()
        );
        assert_eq!(t.endpoints[0].port, 6432);
        assert_eq!(t.mode, Mode::Full);
        assert_eq!(t.dbname.as_deref(), Some("app"));
        let t = target("postgres://[::1]:7000,other%2Ehost/db?sslmode=require");
        assert_eq!(t.endpoints.len(), 2);
        assert_eq!(t.endpoints[0].addr, "::1");
        assert_eq!(t.endpoints[1].name, "other.host");
        assert_eq!(t.endpoints[1].port, 5432);
        assert_eq!(t.mode, Mode::LibpqUnlessFile("require".into()));
        let t = target("postgresql://db?ssl=true");
        assert_eq!(t.mode, Mode::LibpqUnlessFile("require".into()));
    }

    #[test]
    fn conninfo_forms() {
        let t = target(
            "host=a,b hostaddr=127.0.0.1,127.0.0.2 port=1,2 sslmode = verify-ca password='x y'",
        );
        assert_eq!(
            t.endpoints[1],
            Endpoint {
                name: "b".into(),
                addr: "127.0.0.2".into(),
                port: 2
            }
        );
        assert_eq!(t.mode, Mode::ChainOnly);
        let t = target("host=db sslrootcert=system");
        assert_eq!(
            (t.mode.clone(), t.roots.clone()),
            (Mode::Full, Roots::System)
        );
        assert!(
            target("host=db sslrootcert=system sslmode=require")
                .refused
                .is_some()
        );
        assert!(target("host=db sslnegotiation=direct").refused.is_some());
        assert!(
            target("hostaddr=127.0.0.1 sslmode=verify-full")
                .refused
                .is_some()
        );
        for bad in [
            "host=db sslmode=verify",
            "host=db bogus=1",
            "host=db port=x",
            "host='db",
            "host =",
            "sslmode=verify-full",
            "host=a,b port=1,2,3",
            "host=/var/run/postgresql",
            "postgresql://db/?sslmode",
            "postgresql://db/?a=b=c",
            "postgresql://[::1/db",
            "postgresql://db%zz/",
        ] {
            assert!(
                super::super::parse(bad, &Default::default()).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn jdbc_forms() {
        let t = target("jdbc:postgresql://db1:5433,db2/app?ssl=true&sslrootcert=/r.pem&password=x");
        assert_eq!(t.endpoints.len(), 2);
        assert_eq!(t.mode, Mode::Full);
        assert!(!t.shown.contains("password=x"));
        let t = target("jdbc:postgresql://db/app?sslmode=require");
        assert_eq!(t.mode, Mode::Unverified("sslmode=require".into()));
    }

    #[test]
    fn environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let t = from_env(&env(&[
            ("PGHOST", "db.example.com"),
            ("PGSSLMODE", "verify-full"),
            ("PGPASSWORD", "hunter2"),
        ]))
        .unwrap();
        assert_eq!(t.endpoints[0].name, "db.example.com");
        assert_eq!(t.mode, Mode::Full);
        assert!(!t.shown.contains("hunter2"), "{}", t.shown);
        let t = from_env(&env(&[
            ("DATABASE_URL", "postgres://u:pw@db/app"),
            ("PGSSLMODE", "verify-ca"),
        ]))
        .unwrap();
        assert_eq!(t.mode, Mode::ChainOnly);
        assert_eq!(t.shown, "DATABASE_URL=postgres://u:****@db/app".into());
        assert!(from_env(&env(&[("PGSSLMODE", "verify-full")])).is_err());
    }
}
