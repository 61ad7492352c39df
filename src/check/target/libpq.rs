//! PostgreSQL connection strings as libpq parses them (`conninfo_parse` and
//! `conninfo_uri_parse_options` in fe-connect.c), JDBC URLs as pgjdbc reads them, libpq's
//! environment variables, and the services file. The tests compare this parser with
//! libpq's own `PQconninfoParse`.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{ClientKind, Endpoint, Mode, Protocol, Roots, Target, mask};
use crate::error::Error;

/// Every keyword libpq 18 knows (`PQconninfoOptions`); any other is an error, as in psql.
const KEYWORDS: &[&str] = &[
    "service",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslpassword",
    "sslkeylogfile",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "min_protocol_version",
    "max_protocol_version",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "replication",
    "target_session_attrs",
    "load_balance_hosts",
    "scram_client_key",
    "scram_server_key",
    "oauth_issuer",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_scope",
];

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

fn bad(shown: &str, why: impl std::fmt::Display) -> Error {
    Error::Usage(format!("{shown}: {why}"))
}

/// A keyword/value string: `host=db.example.com port=5432 sslmode=verify-full`.
pub(super) fn parse_conninfo(raw: &str, defaults: &Settings) -> Result<Target, Error> {
    let shown = mask(raw);
    let settings = conninfo_settings(raw).map_err(|why| bad(&shown, why))?;
    to_target(shown, settings, defaults)
}

fn conninfo_settings(raw: &str) -> Result<Settings, String> {
    let chars: Vec<char> = raw.chars().collect();
    let mut at = 0;
    let mut settings = Settings::new();
    let space = |c: char| c.is_ascii_whitespace();
    loop {
        while at < chars.len() && space(chars[at]) {
            at += 1;
        }
        if at >= chars.len() {
            return Ok(settings);
        }
        let mut keyword = String::new();
        while at < chars.len() && chars[at] != '=' {
            if space(chars[at]) {
                while at < chars.len() && space(chars[at]) {
                    at += 1;
                }
                if at >= chars.len() || chars[at] != '=' {
                    return Err(format!(
                        "missing \"=\" after \"{}\" in connection info string",
                        mask(&keyword)
                    ));
                }
                break;
            }
            keyword.push(chars[at]);
            at += 1;
        }
        if at >= chars.len() {
            return Err(format!(
                "missing \"=\" after \"{}\" in connection info string",
                mask(&keyword)
            ));
        }
        at += 1; // '='
        while at < chars.len() && space(chars[at]) {
            at += 1;
        }
        let mut value = String::new();
        if chars.get(at) == Some(&'\'') {
            at += 1;
            loop {
                match chars.get(at) {
                    None => {
                        return Err("unterminated quoted string in connection info string".into());
                    }
                    Some('\\') => {
                        if let Some(&c) = chars.get(at + 1) {
                            value.push(c);
                        }
                        at += 2;
                    }
                    Some('\'') => {
                        at += 1;
                        break;
                    }
                    Some(&c) => {
                        value.push(c);
                        at += 1;
                    }
                }
            }
        } else {
            while at < chars.len() && !space(chars[at]) {
                if chars[at] == '\\' {
                    at += 1;
                    if at >= chars.len() {
                        break;
                    }
                }
                value.push(chars[at]);
                at += 1;
            }
        }
        store(&mut settings, &keyword, value, "invalid connection option")?;
    }
}

fn store(settings: &mut Settings, keyword: &str, value: String, what: &str) -> Result<(), String> {
    if !KEYWORDS.contains(&keyword) {
        return Err(format!("{what} \"{keyword}\""));
    }
    settings.insert(keyword.to_string(), value);
    Ok(())
}

/// `postgresql://[user[:password]@][host[:port][,...]][/dbname][?param=value&...]`.
pub(super) fn parse_uri(raw: &str, defaults: &Settings) -> Result<Target, Error> {
    let shown = mask(raw);
    let settings = uri_settings(raw).map_err(|why| bad(&shown, why))?;
    to_target(shown, settings, defaults)
}

fn uri_settings(raw: &str) -> Result<Settings, String> {
    let after_scheme = raw
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or("not a URI")?;
    let mut settings = Settings::new();
    let mut rest = after_scheme;
    // user[:password]@ comes before the first '/' (libpq looks no further).
    if let Some(at) = rest
        .find(['@', '/'])
        .filter(|&i| rest.as_bytes()[i] == b'@')
    {
        let userinfo = &rest[..at];
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            settings.insert("user".into(), decode(user)?);
        }
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            settings.insert("password".into(), decode(p)?);
        }
        rest = &rest[at + 1..];
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    let bytes = rest.as_bytes();
    let mut at = 0;
    loop {
        let host;
        if bytes.get(at) == Some(&b'[') {
            let close = rest[at..].find(']').map(|i| at + i).ok_or(
                "end of string reached when looking for matching \"]\" in IPv6 host address in URI",
            )?;
            host = &rest[at + 1..close];
            if host.is_empty() {
                return Err("IPv6 host address may not be empty in URI".into());
            }
            at = close + 1;
            if let Some(&c) = bytes.get(at)
                && !matches!(c, b':' | b'/' | b'?' | b',')
            {
                return Err(format!(
                    "unexpected character \"{}\" at position {} in URI (expected \":\" or \"/\")",
                    c as char,
                    at + 1 + raw.len() - rest.len()
                ));
            }
        } else {
            let end = rest[at..]
                .find([':', '/', '?', ','])
                .map_or(rest.len(), |i| at + i);
            host = &rest[at..end];
            at = end;
        }
        let mut port = "";
        if bytes.get(at) == Some(&b':') {
            let end = rest[at + 1..]
                .find(['/', '?', ','])
                .map_or(rest.len(), |i| at + 1 + i);
            port = &rest[at + 1..end];
            at = end;
        }
        hosts.push(host);
        ports.push(port);
        if bytes.get(at) != Some(&b',') {
            break;
        }
        at += 1;
    }
    let host_list = hosts.join(",");
    if !host_list.is_empty() && host_list != "," {
        settings.insert("host".into(), decode(&host_list)?);
    }
    let port_list = ports.join(",");
    if ports.iter().any(|p| !p.is_empty()) {
        settings.insert("port".into(), decode(&port_list)?);
    }
    let mut rest = &rest[at..];
    if let Some(path) = rest.strip_prefix('/') {
        let end = path.find('?').unwrap_or(path.len());
        if end > 0 {
            settings.insert("dbname".into(), decode(&path[..end])?);
        }
        rest = &path[end..];
    }
    if let Some(query) = rest.strip_prefix('?') {
        for pair in query.split('&') {
            let (keyword, value) = pair.split_once('=').ok_or_else(|| {
                format!(
                    "missing key/value separator \"=\" in URI query parameter: \"{}\"",
                    mask(pair)
                )
            })?;
            if value.contains('=') {
                return Err(format!(
                    "extra key/value separator \"=\" in URI query parameter: \"{}\"",
                    mask(pair)
                ));
            }
            let (mut keyword, mut value) = (decode(keyword)?, decode(value)?);
            if keyword == "ssl" && value == "true" {
                keyword = "sslmode".into();
                value = "require".into();
            }
            store(
                &mut settings,
                &keyword,
                value,
                "invalid URI query parameter:",
            )?;
        }
    }
    Ok(settings)
}

/// libpq's percent-decoding: `%` must start two hex digits, and `%00` is refused.
fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = text
                .get(at + 1..at + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("invalid percent-encoded token: \"{}\"", mask(text)))?;
            if hex == 0 {
                return Err(format!(
                    "forbidden value %00 in percent-encoded value: \"{}\"",
                    mask(text)
                ));
            }
            out.push(hex);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "a percent-encoded value is not UTF-8".to_string())
}

/// `jdbc:postgresql://host[:port][,host[:port]]/database?sslmode=…&sslrootcert=…`, as
/// pgjdbc reads it: `ssl=true` without `sslmode` means `verify-full`, `require` never
/// verifies, and unknown properties are ignored.
pub(super) fn parse_jdbc(raw: &str) -> Result<Target, Error> {
    let shown = mask(raw);
    let rest = &raw["jdbc:postgresql:".len()..];
    let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (hosts_part, dbname) = match address.strip_prefix("//") {
        Some(a) => a.split_once('/').unwrap_or((a, "")),
        None => ("localhost", address.trim_start_matches('/')),
    };
    let mut properties = Settings::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = decode(v).map_err(|why| bad(&shown, why))?;
        properties.insert(k.to_string(), v);
    }
    let mut endpoints = Vec::new();
    for part in hosts_part.split(',') {
        let part = if part.is_empty() { "localhost" } else { part };
        let (host, port) =
            super::split_host_port(part, Some(5432)).map_err(|why| bad(&shown, why))?;
        endpoints.push(Endpoint {
            name: host.clone(),
            addr: host,
            port,
        });
    }
    let sslmode = properties.get("sslmode").cloned().or_else(|| {
        matches!(properties.get("ssl").map(String::as_str), Some("true" | ""))
            .then(|| "verify-full".to_string())
    });
    let non_validating = properties
        .get("sslfactory")
        .is_some_and(|f| f.ends_with("NonValidatingFactory"));
    let mode = match sslmode.as_deref() {
        _ if non_validating => Mode::Unverified("sslfactory=NonValidatingFactory".into()),
        Some("verify-full") => Mode::Full,
        Some("verify-ca") => Mode::ChainOnly,
        Some(m @ ("require" | "prefer" | "allow" | "disable")) => {
            Mode::Unverified(format!("sslmode={m}"))
        }
        Some(other) => {
            return Err(bad(&shown, format!("invalid sslmode value: \"{other}\"")));
        }
        None => Mode::Unverified("no sslmode (pgjdbc's default, prefer)".into()),
    };
    let roots = Roots::named(
        properties.get("sslrootcert").map(String::as_str),
        "sslrootcert",
    );
    Ok(Target {
        shown,
        protocol: Protocol::Postgres,
        endpoints,
        direct: false,
        alpn: Vec::new(),
        mode,
        roots,
        refused: None,
        client: ClientKind::Pgjdbc,
        dbname: (!dbname.is_empty()).then(|| dbname.to_string()),
        user: properties.get("user").cloned(),
    })
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
            target.shown = format!("DATABASE_URL={}", target.shown);
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

/// The services file libpq reads for `service=NAME`: `PGSERVICEFILE` or
/// `~/.pg_service.conf`, then `PGSYSCONFDIR/pg_service.conf` (Debian's
/// `/etc/postgresql-common`).
fn service_settings(name: &str) -> Result<Settings, String> {
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
        let Ok(bytes) = crate::read::read_file(file, crate::read::MAX_FILE_BYTES) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut in_section = false;
        let mut found = false;
        let mut settings = Settings::new();
        for line in text.lines() {
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
                let (k, v) = line.split_once('=').ok_or_else(|| {
                    format!(
                        "syntax error in service file \"{}\"",
                        crate::text::path_text(file)
                    )
                })?;
                let (k, v) = (k.trim(), v.trim());
                if k == "service" {
                    return Err(
                        "nested service specifications not supported in service file".into(),
                    );
                }
                store(&mut settings, k, v.to_string(), "invalid connection option")?;
            }
        }
        if found {
            return Ok(settings);
        }
    }
    Err(format!("definition of service \"{name}\" not found"))
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
        for (k, v) in service_settings(&service).map_err(|why| bad(&shown, why))? {
            settings.entry(k).or_insert(v);
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
    let mut endpoints = Vec::new();
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
                .ok_or_else(|| bad(&shown, format!("invalid port number: \"{port_text}\"")))?
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
        Some(other) => {
            return Err(bad(&shown, format!("invalid sslmode value: \"{other}\"")));
        }
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
        Some(other) => {
            return Err(bad(
                &shown,
                format!("invalid sslnegotiation value: \"{other}\""),
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
        shown,
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
        uri_settings(raw)
    } else {
        conninfo_settings(raw)
    }
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
            "postgresql://app:****@db.example.com:6432/app?sslmode=verify-full&sslrootcert=/etc/app/root.crt"
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
        assert_eq!(t.shown, "DATABASE_URL=postgres://u:****@db/app");
        assert!(from_env(&env(&[("PGSSLMODE", "verify-full")])).is_err());
    }
}
