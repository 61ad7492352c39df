//! `jdbc:postgresql://` URLs as pgjdbc's `Driver.parseURL` reads them: hosts and ports
//! after `//`, the database up to `?`, then `key=value` properties joined by `&` with the
//! values URL-decoded (`+` is a space). pgjdbc takes no `user:password@`. What the
//! properties mean is `crate::check::reading`'s.

use std::collections::HashMap;

use super::redact::{MASK, ParseError, shows_value};
use super::{Endpoint, Protocol, Source, Target, split_host_port};
use crate::driver::Driver;
use crate::error::Error;

const PREFIX: &str = "jdbc:postgresql:";

/// `jdbc:postgresql://host[:port][,host[:port]]/database?sslmode=…&sslrootcert=…`.
pub(super) fn parse(raw: &str) -> Result<Target, Error> {
    parse_parts(raw).map_err(|e| e.into_error(raw))
}

fn parse_parts(raw: &str) -> Result<Target, ParseError> {
    let rest = &raw[PREFIX.len()..];
    let at = |offset: usize, what: &str| ParseError::at_byte(raw, PREFIX.len() + offset, what);
    let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (hosts_at, hosts_part, dbname) = match address.strip_prefix("//") {
        Some(a) => {
            let (h, d) = a.split_once('/').unwrap_or((a, ""));
            (2, h, d)
        }
        None => (0, "localhost", address.trim_start_matches('/')),
    };
    if let Some(i) = hosts_part.find('@') {
        return Err(at(
            hosts_at + i,
            "pgjdbc takes no user:password@ in the URL: give user= and password= after \"?\"",
        ));
    }
    let dbname_at = hosts_at + hosts_part.len() + 1;
    if let Some(i) = dbname.find([';', '=', '@']) {
        return Err(at(
            dbname_at + i,
            "pgjdbc would read this as part of the database name: properties follow \"?\", \
             joined by \"&\"",
        ));
    }
    let mut properties = HashMap::new();
    let mut shown = format!("{PREFIX}//{hosts_part}/{dbname}");
    let mut pair_at = address.len() + 1;
    for (i, pair) in query.split('&').enumerate() {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = url_decode(value).ok_or_else(|| {
            at(
                pair_at + key.len() + 1,
                "invalid percent-encoding in a property value",
            )
        })?;
        shown.push(if i == 0 { '?' } else { '&' });
        shown.push_str(key);
        if pair.contains('=') {
            shown.push('=');
            shown.push_str(if shows_value(key) { value } else { MASK });
        }
        properties.insert(key.to_string(), decoded);
        pair_at += pair.len() + 1;
    }
    if query.is_empty() {
        shown.truncate(shown.trim_end_matches('?').len());
    }
    let mut endpoints = Vec::new();
    let mut part_at = hosts_at;
    for part in hosts_part.split(',') {
        let host_port = if part.is_empty() { "localhost" } else { part };
        let (host, port) = split_host_port(host_port, Some(5432))
            .map_err(|e| at(part_at + e.at.saturating_sub(1), &e.what))?;
        endpoints.push(Endpoint {
            name: host.clone(),
            addr: host,
            port,
        });
        part_at += part.len() + 1;
    }
    Ok(Target {
        shown: shown.into(),
        protocol: Protocol::Postgres,
        endpoints,
        direct: false,
        alpn: Vec::new(),
        dbname: (!dbname.is_empty()).then(|| url_decode(dbname)).flatten(),
        user: properties.get("user").cloned(),
        source: Source::Jdbc { properties },
        driver: Driver::Pgjdbc,
    })
}

/// `java.net.URLDecoder`: `+` is a space, `%` starts two hex digits.
fn url_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(at + 1..at + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                at += 2;
            }
            b => out.push(b),
        }
        at += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_text() {
        let t = parse("jdbc:postgresql://db1:5433,db2/app?ssl=true&sslrootcert=/r.pem&password=x")
            .unwrap();
        assert_eq!(
            t.shown,
            "jdbc:postgresql://db1:5433,db2/app?ssl=true&sslrootcert=/r.pem&password=****".into()
        );
        assert_eq!(t.endpoints.len(), 2);
        for raw in [
            "jdbc:postgresql://u:S3CRET@h:1/db",
            "jdbc:postgresql://h:1/db;password=S3CRET",
            "jdbc:postgresql://h:S3CRET/db",
        ] {
            let e = parse(raw).unwrap_err().to_string();
            assert!(!e.contains("S3CRET"), "{e}");
            assert!(e.starts_with("jdbc:postgresql://****: "), "{e}");
        }
    }
}
