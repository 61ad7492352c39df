//! What libpq makes of a connection string's settings (fe-connect.c, fe-secure-*.c): the
//! hosts, ports and addresses, sslmode and its refusals, the root file; and where settings
//! come from besides the string: the services file and the `PG*` environment. The grammar
//! itself is [`conninfo`].

use std::collections::HashMap;
use std::path::PathBuf;

use super::conninfo;
use super::conninfo::show_settings;
use super::redact::Setting;
use super::{Endpoint, Protocol, Source, Target};
use crate::driver::Driver;
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

/// The last value of each keyword, as libpq keeps them, and the keywords libpq does not
/// know (its alias `ssl=true` aside).
fn to_map(settings: Vec<Setting>) -> (Settings, Vec<(usize, String)>) {
    let unknown = settings
        .iter()
        .filter(|s| {
            let alias = s.keyword == "ssl" && s.value == "true";
            !(alias || conninfo::KEYWORDS.contains(&s.keyword.as_str()))
        })
        .map(|s| (s.at, s.keyword.clone()))
        .collect();
    let map = settings.into_iter().map(|s| (s.keyword, s.value)).collect();
    (map, unknown)
}

/// A keyword/value string: `host=db.example.com port=5432 sslmode=verify-full`.
/// Every driver that reads one (libpq, psycopg, pgx) refuses a keyword libpq does not know,
/// so an unknown keyword is an error here, named by position and by what it is close to.
pub(super) fn parse_conninfo(raw: &str, defaults: &Settings) -> Result<Target, Error> {
    let settings = conninfo::keyword_value(raw).map_err(|e| e.into_error(raw))?;
    let shown = show_settings(&settings);
    let (settings, unknown) = to_map(settings);
    if let Some((at, keyword)) = unknown.first() {
        return Err(super::ParseError::new(
            *at,
            format!(
                "invalid connection option{}",
                super::redact::did_you_mean(keyword, conninfo::KEYWORDS)
            ),
        )
        .into_error(raw));
    }
    to_target(shown, settings, unknown, false, defaults)
}

/// `postgresql://[user[:password]@][host[:port][,...]][/dbname][?param=value&...]`.
pub(super) fn parse_uri(raw: &str, defaults: &Settings) -> Result<Target, Error> {
    let uri = conninfo::uri(raw).map_err(|e| e.into_error(raw))?;
    let (settings, unknown) = to_map(uri.settings);
    to_target(uri.shown, settings, unknown, true, defaults)
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
                // The caller says where this came from (InSetting: `--env`).
                return Err(Error::Usage(
                    "neither DATABASE_URL nor PGHOST is set (libpq would use the local Unix \
                     socket, which has no TLS to check)"
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
            to_target(shown, Settings::new(), Vec::new(), false, &defaults)
        }
    }
}

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
                        crate::quote::path_text(file),
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
fn to_target(
    shown: String,
    mut settings: Settings,
    unknown: Vec<(usize, String)>,
    uri: bool,
    defaults: &Settings,
) -> Result<Target, Error> {
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
    // sslnegotiation=direct is libpq 17's; a driver that does not know it refuses or
    // ignores it when it reads the string.
    let direct = get("sslnegotiation") == Some("direct");
    let dbname = get("dbname").map(str::to_string);
    let user = get("user").map(str::to_string);
    Ok(Target {
        shown: shown.into(),
        protocol: Protocol::Postgres,
        endpoints,
        direct,
        alpn: Vec::new(),
        source: Source::Libpq {
            uri,
            settings,
            unknown,
        },
        driver: Driver::Psql,
        dbname,
        user,
    })
}

/// libpq's keyword/value settings of a string, for comparing with `PQconninfoParse`.
pub(crate) fn settings_of(raw: &str) -> Result<Settings, String> {
    let lower = raw.get(..13).unwrap_or(raw).to_ascii_lowercase();
    if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
        conninfo::uri(raw).map(|u| u.settings)
    } else {
        conninfo::keyword_value(raw)
    }
    .map_err(|e| e.what)
    .and_then(|settings| {
        let (mut map, unknown) = to_map(settings);
        // libpq keeps its alias's meaning, not the word.
        if map.get("ssl").is_some_and(|v| v == "true") {
            map.remove("ssl");
        }
        match unknown.first() {
            Some(_) => Err("invalid connection option".to_string()),
            None => Ok(map),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(raw: &str) -> Target {
        super::super::parse(raw, &Default::default()).unwrap()
    }

    fn settings(target: &Target) -> &Settings {
        match &target.source {
            Source::Libpq { settings, .. } => settings,
            other => panic!("not a libpq string: {other:?}"),
        }
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
        assert_eq!(settings(&t)["sslmode"], "verify-full");
        assert_eq!(t.dbname.as_deref(), Some("app"));
        let t = target("postgres://[::1]:7000,other%2Ehost/db?sslmode=require");
        assert_eq!(t.endpoints.len(), 2);
        assert_eq!(t.endpoints[0].addr, "::1");
        assert_eq!(t.endpoints[1].name, "other.host");
        assert_eq!(t.endpoints[1].port, 5432);
        let t = target("postgresql://db?ssl=true");
        assert_eq!(settings(&t)["sslmode"], "require");
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
        // In a URL, a keyword libpq does not know is kept for the drivers that read it
        // (node-postgres's uselibpqcompat), and libpq refuses it when it reads the string.
        let t = target("postgresql://db?uselibpqcompat=true");
        assert!(
            matches!(&t.source, Source::Libpq { unknown, .. } if unknown == &[(17, "uselibpqcompat".to_string())])
        );
        for bad in [
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
        assert_eq!(settings(&t)["sslmode"], "verify-full");
        assert!(!t.shown.contains("hunter2"), "{}", t.shown);
        let t = from_env(&env(&[
            ("DATABASE_URL", "postgres://u:pw@db/app"),
            ("PGSSLMODE", "verify-ca"),
        ]))
        .unwrap();
        assert_eq!(settings(&t)["sslmode"], "verify-ca");
        assert_eq!(t.shown, "DATABASE_URL=postgres://u:****@db/app".into());
        assert!(from_env(&env(&[("PGSSLMODE", "verify-full")])).is_err());
    }
}
