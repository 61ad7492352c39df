//! libpq's two connection-string grammars, as `conninfo_parse` and
//! `conninfo_uri_parse_options` in fe-connect.c read them: keyword/value strings and
//! `postgresql://` URIs. Both give the settings in the order written and a masked text
//! built from what was parsed (see [`super::redact`]). The tests compare them with libpq's
//! own `PQconninfoParse`.

use super::redact::{MASK, ParseError, Setting, is_secret};

/// Every keyword libpq 18 knows (`PQconninfoOptions`); any other is an error, as in psql.
pub(crate) const KEYWORDS: &[&str] = &[
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

/// Keywords of other drivers' strings that are shown: node-postgres's `ssl` and
/// `uselibpqcompat`.
const OTHER_KEYWORDS: &[&str] = &["ssl", "uselibpqcompat"];

/// Whether a keyword's value may be shown: a keyword some client knows that is not a
/// secret. A keyword nobody knows could be a mistyped `password`.
pub(crate) fn shows_value(keyword: &str) -> bool {
    !is_secret(keyword) && (KEYWORDS.contains(&keyword) || OTHER_KEYWORDS.contains(&keyword))
}

/// A value as a libpq keyword/value string writes it: `****` unless [`shows_value`],
/// quoted when it holds spaces, quotes or backslashes.
pub(crate) fn conninfo_value(keyword: &str, value: &str) -> String {
    if shows_value(keyword) {
        crate::quote::conninfo_value(value)
    } else {
        MASK.to_string()
    }
}

/// Keyword/value settings as one string: `host=db port=5432 password=****`.
pub(crate) fn show_settings(settings: &[Setting]) -> String {
    settings
        .iter()
        .map(|s| format!("{}={}", s.keyword, conninfo_value(&s.keyword, &s.value)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// libpq's `isspace`: space, tab, line feed, vertical tab, form feed, carriage return.
fn space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r')
}

/// A keyword/value string: `host=db.example.com port=5432 sslmode=verify-full`.
pub(crate) fn keyword_value(raw: &str) -> Result<Vec<Setting>, ParseError> {
    let chars: Vec<char> = raw.chars().collect();
    let mut at = 0;
    let mut settings = Vec::new();
    loop {
        while at < chars.len() && space(chars[at]) {
            at += 1;
        }
        if at >= chars.len() {
            return Ok(settings);
        }
        let start = at;
        let mut keyword = String::new();
        while at < chars.len() && chars[at] != '=' && !space(chars[at]) {
            keyword.push(chars[at]);
            at += 1;
        }
        while at < chars.len() && space(chars[at]) {
            at += 1;
        }
        if chars.get(at) != Some(&'=') {
            return Err(ParseError::new(
                start + 1,
                match KEYWORDS.contains(&keyword.as_str()) {
                    true => format!("missing \"=\" after {keyword}"),
                    false => "missing \"=\" after a word that is not a keyword".to_string(),
                },
            ));
        }
        at += 1;
        while at < chars.len() && space(chars[at]) {
            at += 1;
        }
        let mut value = String::new();
        if chars.get(at) == Some(&'\'') {
            let quote = at;
            at += 1;
            loop {
                match chars.get(at) {
                    None => {
                        return Err(ParseError::new(quote + 1, "unterminated quoted string"));
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
        settings.push(Setting {
            keyword,
            value,
            at: start + 1,
        });
    }
}

/// A `postgresql://` URI as libpq reads it, and its masked text.
#[derive(Debug)]
pub(crate) struct Uri {
    pub(crate) settings: Vec<Setting>,
    pub(crate) shown: String,
}

/// `postgresql://[user[:password]@][host[:port][,...]][/dbname][?param=value&...]`.
pub(crate) fn uri(raw: &str) -> Result<Uri, ParseError> {
    let (scheme, after_scheme) = raw
        .split_once("://")
        .ok_or_else(|| ParseError::whole("not a URI"))?;
    let base = scheme.len() + 3;
    let error_at = |offset: usize, what: &str| ParseError::at_byte(raw, base + offset, what);
    let char_at = |offset: usize| ParseError::at_byte(raw, base + offset, "").at;
    let mut settings = Vec::new();
    let mut shown = format!("{scheme}://");
    let mut rest = after_scheme;
    let mut offset = 0;
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
            settings.push(Setting::new("user", decode(user, &|i, w| error_at(i, w))?));
        }
        if let Some(p) = password {
            let password_at = user.len() + 1;
            let value = decode(p, &|i, w| error_at(password_at + i, w))?;
            if !value.is_empty() {
                settings.push(Setting::new("password", value));
            }
        }
        shown.push_str(user);
        if password.is_some() {
            shown.push(':');
            shown.push_str(MASK);
        }
        shown.push('@');
        rest = &rest[at + 1..];
        offset = at + 1;
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    let bytes = rest.as_bytes();
    let mut at = 0;
    loop {
        let host;
        if bytes.get(at) == Some(&b'[') {
            let close = rest[at..].find(']').map(|i| at + i).ok_or_else(|| {
                error_at(
                    offset + at,
                    "end of string reached when looking for matching \"]\" in IPv6 host \
                     address in URI",
                )
            })?;
            host = &rest[at + 1..close];
            if host.is_empty() {
                return Err(error_at(
                    offset + at,
                    "IPv6 host address may not be empty in URI",
                ));
            }
            at = close + 1;
            if let Some(&c) = bytes.get(at)
                && !matches!(c, b':' | b'/' | b'?' | b',')
            {
                return Err(error_at(
                    offset + at,
                    "unexpected character after an IPv6 host address in URI (expected \":\" \
                     or \"/\")",
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
    let host_text = &rest[..at];
    if let Some(i) = host_text.find('@') {
        return Err(error_at(offset + i, AT_AFTER_USERINFO));
    }
    shown.push_str(host_text);
    let host_list = hosts.join(",");
    if !host_list.is_empty() && host_list != "," {
        settings.push(Setting::new(
            "host",
            decode(&host_list, &|_, w| error_at(offset, w))?,
        ));
    }
    if ports.iter().any(|p| !p.is_empty()) {
        settings.push(Setting::new(
            "port",
            decode(&ports.join(","), &|_, w| error_at(offset, w))?,
        ));
    }
    let mut rest_at = offset + at;
    let mut rest = &rest[at..];
    if let Some(path) = rest.strip_prefix('/') {
        let end = path.find('?').unwrap_or(path.len());
        let dbname = &path[..end];
        if let Some(i) = dbname.find('@') {
            return Err(error_at(rest_at + 1 + i, AT_AFTER_USERINFO));
        }
        if end > 0 {
            settings.push(Setting::new(
                "dbname",
                decode(dbname, &|i, w| error_at(rest_at + 1 + i, w))?,
            ));
        }
        shown.push('/');
        shown.push_str(dbname);
        rest = &path[end..];
        rest_at += 1 + end;
    }
    if let Some(query) = rest.strip_prefix('?') {
        let mut pair_at = rest_at + 1;
        let mut first = true;
        for pair in query.split('&') {
            let (keyword, value) = pair.split_once('=').ok_or_else(|| {
                error_at(
                    pair_at,
                    "missing key/value separator \"=\" in URI query parameter",
                )
            })?;
            if let Some(i) = value.find('=') {
                return Err(error_at(
                    pair_at + keyword.len() + 1 + i,
                    "extra key/value separator \"=\" in URI query parameter",
                ));
            }
            let value_at = pair_at + keyword.len() + 1;
            let keyword_text = decode(keyword, &|i, w| error_at(pair_at + i, w))?;
            let value_text = decode(value, &|i, w| error_at(value_at + i, w))?;
            shown.push(if first { '?' } else { '&' });
            shown.push_str(keyword);
            shown.push('=');
            shown.push_str(if shows_value(&keyword_text) {
                value
            } else {
                MASK
            });
            // libpq's alias; node-postgres reads `ssl` itself, so it is kept too.
            if keyword_text == "ssl" && value_text == "true" {
                settings.push(Setting {
                    keyword: "sslmode".into(),
                    value: "require".into(),
                    at: 0,
                });
            }
            settings.push(Setting {
                keyword: keyword_text,
                value: value_text,
                at: char_at(pair_at),
            });
            pair_at += pair.len() + 1;
            first = false;
        }
    }
    Ok(Uri { settings, shown })
}

/// Why an `@` after the host list is refused: libpq takes `user:password@` only before the
/// first `/`, so a password with `/` in it turns into a host, a port and a database name.
const AT_AFTER_USERINFO: &str = "an \"@\" after the host: libpq reads user:password@ only \
     before the first \"/\", so a password holding \"/\" would be read as host, port and \
     database; percent-encode it (\"/\" as %2F, \"@\" as %40)";

/// libpq's percent-decoding: `%` must start two hex digits, and `%00` is refused. `error`
/// makes the error for a byte offset within `text`.
fn decode(text: &str, error: &dyn Fn(usize, &str) -> ParseError) -> Result<String, ParseError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = text
                .get(at + 1..at + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| error(at, "invalid percent-encoded token"))?;
            if hex == 0 {
                return Err(error(at, "forbidden value %00 in percent-encoded value"));
            }
            out.push(hex);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).map_err(|_| error(0, "a percent-encoded value is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_libpq_space_separates() {
        for sep in [" ", "\t", "\n", "\r", "\x0B", "\x0C"] {
            let raw = format!("port=1{sep}password=S3CRET");
            let settings = keyword_value(&raw).unwrap();
            assert_eq!(
                (
                    settings[1].keyword.as_str(),
                    settings[1].value.as_str(),
                    settings[1].at
                ),
                ("password", "S3CRET", 8),
                "{sep:?}"
            );
            assert_eq!(show_settings(&settings), "port=1 password=****");
        }
        let settings = keyword_value("password=ab;S3CRET").unwrap();
        assert_eq!(settings[0].value, "ab;S3CRET");
    }

    #[test]
    fn uri_passwords_with_separators_are_masked_or_refused() {
        let shown = |raw: &str| uri(raw).map(|u| u.shown);
        assert_eq!(
            shown("postgresql://app:Xy7?Q2z@localhost:5432/db?sslmode=verify-full").unwrap(),
            "postgresql://app:****@localhost:5432/db?sslmode=verify-full"
        );
        assert_eq!(
            shown("postgresql://h/db?pass%77ord=S3CRET&sslpassword=x").unwrap(),
            "postgresql://h/db?pass%77ord=****&sslpassword=****"
        );
        let e = uri("postgresql://u:1/CRET@h/db").unwrap_err();
        assert_eq!(e.at, 22);
        let e = uri("postgresql://u:50%offS3CRET@h/db").unwrap_err();
        assert_eq!(
            (e.at, e.what.as_str()),
            (18, "invalid percent-encoded token")
        );
    }

    #[test]
    fn secrets_are_masked_by_keyword() {
        let settings = [
            Setting::new("host", "db"),
            Setting::new("password", "a b"),
            Setting::new("SSLPassword", "x"),
            Setting::new("application_name", "it's"),
            Setting::new("passwd", "typo"),
        ];
        assert_eq!(
            show_settings(&settings),
            "host=db password=**** SSLPassword=**** application_name='it\\'s' passwd=****"
        );
    }
}
