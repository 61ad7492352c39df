//! `mysql://` and `mariadb://` URLs: `[user[:password]@]host[:port][/db][?options]`. The
//! options (MySQL Shell's `ssl-mode`, `ssl-ca`; MariaDB's `ssl-verify-server-cert`; any
//! other) are kept for each client to read its own way (`crate::check::reading`).

use std::collections::HashMap;

use super::redact::{MASK, ParseError, shows_value};
use super::{Endpoint, Protocol, Source, Target, split_host_port};
use crate::driver::Driver;
use crate::error::Error;

pub(super) fn parse_url(raw: &str) -> Result<Target, Error> {
    parse_parts(raw).map_err(|e| e.into_error(raw))
}

fn parse_parts(raw: &str) -> Result<Target, ParseError> {
    let (scheme, rest) = raw.split_once("://").unwrap_or(("mysql", raw));
    let base = scheme.len() + 3;
    // The user information ends at the "@" that a host follows, so that a password holding
    // "/", "?" or "#" is still read (and masked) as a password. When two "@" could end it
    // (a raw "@" in a password and in a value), the string is refused rather than guessed.
    let ends: Vec<usize> = rest
        .match_indices('@')
        .map(|(i, _)| i)
        .filter(|&i| host_follows(&rest[i + 1..]))
        .collect();
    if ends.len() > 1 {
        return Err(ParseError::at_byte(
            raw,
            base + ends[1],
            "more than one \"@\" could end the user information: percent-encode \"@\" in a \
             password or a value as %40",
        ));
    }
    let (userinfo, after) = match ends.first() {
        Some(&at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let after_at = base + userinfo.map_or(0, |u| u.len() + 1);
    let (address, query) = after.split_once('?').unwrap_or((after, ""));
    let (hostport, dbname) = address.split_once('/').unwrap_or((address, ""));
    let (host, port) = split_host_port(hostport, Some(3306))
        .map_err(|e| ParseError::at_byte(raw, after_at + e.at.saturating_sub(1), e.what))?;
    let mut shown = format!("{scheme}://");
    if let Some(userinfo) = userinfo {
        match userinfo.split_once(':') {
            Some((user, _)) => shown.push_str(&format!("{user}:{MASK}@")),
            None => shown.push_str(&format!("{userinfo}@")),
        }
    }
    shown.push_str(address);
    let mut options: HashMap<String, String> = HashMap::new();
    for (i, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        let (k, v) = pair.split_once('=').unwrap_or((pair, "true"));
        shown.push(if i == 0 { '?' } else { '&' });
        shown.push_str(k);
        if pair.contains('=') {
            shown.push('=');
            shown.push_str(if shows_value(&percent_decode(k)) {
                v
            } else {
                MASK
            });
        }
        // MySQL Shell spells them ssl-mode; drivers ssl_mode or sslMode.
        let key = k.to_ascii_lowercase().replace('_', "-");
        let key = match key.as_str() {
            "sslmode" => "ssl-mode".to_string(),
            "sslca" => "ssl-ca".to_string(),
            _ => key,
        };
        options.insert(key, percent_decode(v));
    }
    let user = userinfo
        .map(|u| u.split_once(':').map_or(u, |(name, _)| name))
        .filter(|u| !u.is_empty())
        .map(percent_decode);
    Ok(Target {
        shown: shown.into(),
        protocol: Protocol::Mysql,
        endpoints: vec![Endpoint {
            name: host.clone(),
            addr: host,
            port,
        }],
        direct: false,
        alpn: Vec::new(),
        source: Source::Mysql { options },
        driver: Driver::Mariadb,
        dbname: (!dbname.is_empty()).then(|| percent_decode(dbname)),
        user,
    })
}

/// Whether `text` starts with `host[:port]`, then `/`, `?` or the end.
fn host_follows(text: &str) -> bool {
    let end = text.find(['/', '?']).unwrap_or(text.len());
    split_host_port(&text[..end], Some(3306))
        .and_then(|hp| super::host_name(&text[..end], hp))
        .is_ok()
}

/// Lenient percent-decoding: what does not decode stays as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match text.get(at + 1..at + 3).map(|h| u8::from_str_radix(h, 16)) {
            Some(Ok(b)) if bytes[at] == b'%' => {
                out.push(b);
                at += 3;
            }
            _ => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        let t = parse_url(
            "mysql://app:pw@db.example.com/app?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem",
        )
        .unwrap();
        assert_eq!(
            t.shown,
            "mysql://app:****@db.example.com/app?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem"
                .into()
        );
        assert_eq!(t.endpoints[0].port, 3306);
        assert_eq!(t.user.as_deref(), Some("app"));
        assert!(parse_url("mysql://:3306").is_err());
    }
}
