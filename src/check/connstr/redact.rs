//! How a target is shown: built from what the parser found, never copied from the text as
//! written. A secret (libpq's `password`, `sslpassword`, `oauth_client_secret`,
//! `scram_*`; a URL's password; any keyword that decodes to one of them) is `****`, and an
//! error names the position and kind of the problem, never the text around it.

use crate::error::{Error, at_text};
use crate::hint::Hint;

/// What a secret is shown as.
pub(crate) const MASK: &str = "****";

/// Keywords whose values are secrets, in libpq's strings and in the JDBC and MySQL URLs
/// (compared without case: pgjdbc and the MySQL clients ignore it).
const SECRET_KEYWORDS: &[&str] = &[
    "password",
    "sslpassword",
    "oauth_client_secret",
    "scram_client_key",
    "scram_server_key",
];

pub(crate) fn is_secret(keyword: &str) -> bool {
    SECRET_KEYWORDS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(keyword))
}

/// Whether a JDBC or MySQL URL parameter's value may be shown: only the TLS settings and a
/// few plain ones rootcert knows. Drivers take many more (`password1`,
/// `trustCertificateKeyStorePassword`, `passwd`...), and any of them may be a secret, so
/// every other value is masked.
pub(crate) fn shows_value(keyword: &str) -> bool {
    const PLAIN: &[&str] = &[
        "user",
        "database",
        "dbname",
        "charset",
        "applicationname",
        "currentschema",
        "connecttimeout",
        "connect-timeout",
        "logintimeout",
        "sockettimeout",
        "targetservertype",
        "loadbalancehosts",
    ];
    let key = keyword.to_ascii_lowercase().replace('_', "-");
    let tls = key.starts_with("ssl") || key.starts_with("tls");
    let secret_word = ["pass", "secret", "token", "pwd"]
        .iter()
        .any(|w| key.contains(w));
    !secret_word && (tls || PLAIN.contains(&key.as_str()))
}

/// One keyword and its value, in the order written, and where the keyword starts (a
/// 1-based character position; 0 when it came from elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Setting {
    pub(crate) keyword: String,
    pub(crate) value: String,
    pub(crate) at: usize,
}

impl Setting {
    pub(crate) fn new(keyword: impl Into<String>, value: impl Into<String>) -> Setting {
        Setting {
            keyword: keyword.into(),
            value: value.into(),
            at: 0,
        }
    }
}

/// A problem with a target's text: where it is (a 1-based character position, 0 for the
/// string as a whole) and what it is, in words that quote nothing of the string but the
/// keywords the client knows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseError {
    pub(crate) at: usize,
    pub(crate) what: String,
    /// What would fix it, said right after `what`.
    pub(crate) hint: Option<Hint>,
}

impl ParseError {
    pub(crate) fn new(at: usize, what: impl Into<String>) -> ParseError {
        ParseError {
            at,
            what: what.into(),
            hint: None,
        }
    }

    /// At the byte offset `byte` of `text`.
    pub(crate) fn at_byte(text: &str, byte: usize, what: impl Into<String>) -> ParseError {
        let at = text.get(..byte).map_or(0, |t| t.chars().count() + 1);
        ParseError::new(at, what)
    }

    pub(crate) fn whole(what: impl Into<String>) -> ParseError {
        ParseError::new(0, what)
    }

    /// The usage error for a target whose text is `raw`.
    pub(crate) fn into_error(self, raw: &str) -> Error {
        if let Some(hint) = self.hint {
            return Error::BadTarget {
                label: label(raw),
                problem: self.what,
                hint,
                at: self.at,
            };
        }
        Error::Usage(format!("{}: {}{}", label(raw), self.what, at_text(self.at)))
    }
}

/// The schemes an error may name (anything else before `://` could be a user name).
const KNOWN_SCHEMES: &[&str] = &[
    "postgresql",
    "postgres",
    "jdbc:postgresql",
    "mysql",
    "mariadb",
    "tls",
    "http",
    "https",
];

/// What an error calls a target it cannot show: the scheme of a URL with everything after
/// it masked, or the kind of string.
pub(crate) fn label(raw: &str) -> String {
    let raw = raw.trim();
    if let Some((scheme, _)) = raw.split_once("://") {
        return match KNOWN_SCHEMES
            .iter()
            .find(|known| known.eq_ignore_ascii_case(scheme))
        {
            Some(_) => format!("{scheme}://{MASK}"),
            None => "a URL".to_string(),
        };
    }
    if raw.contains('=') {
        "a keyword/value string".to_string()
    } else {
        "a target".to_string()
    }
}

/// "did you mean …?" for a word that is close to one of `known` (which is ours to quote).
pub(crate) fn did_you_mean(word: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&word.to_ascii_lowercase(), k), k))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or_else(String::new, |(_, k)| format!("; did you mean {k}?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_quote_nothing_but_the_scheme() {
        let e = ParseError::new(17, "invalid percent-encoded token")
            .into_error("postgresql://u:50%offS3CRET@h/db");
        assert_eq!(
            e.to_string(),
            "postgresql://****: invalid percent-encoded token (at character 17)"
        );
        assert_eq!(label("host=h password S3CRET"), "a keyword/value string");
        assert_eq!(label("u:S3CRET://x"), "a URL");
        assert_eq!(label("S3CRET"), "a target");
    }
}
