//! How values are written for people and shells: paths, URLs, connection-string values,
//! shell words, and the lines that point a client at a saved file. A leaf: it knows no
//! other module of the crate.

use std::path::Path;

use serde::Serialize;

/// How to point psql, and every libpq client, at a trust file.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectLines {
    /// `psql "sslmode=verify-full sslrootcert=... host=<host> ..."`
    pub psql: String,
    /// `export PGSSLROOTCERT=...`
    pub env: String,
}

impl ConnectLines {
    pub(crate) fn for_file(path: &str) -> ConnectLines {
        Self::new(path, "host=<host> dbname=<db> user=<user>")
    }

    /// For the keywords after `sslrootcert` (`host=a port=5432 dbname=<db> user=<user>`).
    pub(crate) fn new(path: &str, rest: &str) -> ConnectLines {
        let conninfo = format!(
            "sslmode=verify-full sslrootcert={} {rest}",
            conninfo_value(path)
        );
        ConnectLines {
            psql: format!("psql \"{}\"", in_double_quotes(&conninfo)),
            env: format!("export PGSSLROOTCERT={}", shell_word(path)),
        }
    }
}

/// How to point a JVM, and pgjdbc in it, at a PKCS#12 truststore.
#[derive(Debug, Clone, Serialize)]
pub struct JavaLines {
    /// `java -Djavax.net.ssl.trustStore=... -Djavax.net.ssl.trustStoreType=PKCS12 ...`
    pub java: String,
    /// A pgjdbc URL that verifies with the JVM's truststore.
    pub pgjdbc: String,
}

impl JavaLines {
    pub(crate) fn for_truststore(path: &str) -> JavaLines {
        JavaLines {
            java: format!(
                "java -Djavax.net.ssl.trustStore={} -Djavax.net.ssl.trustStoreType=PKCS12 ...",
                shell_word(path)
            ),
            pgjdbc: "jdbc:postgresql://<host>/<db>?sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory".to_string(),
        }
    }
}

/// A value for a libpq connection string: quoted when it holds spaces, quotes or backslashes.
pub(crate) fn conninfo_value(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', '\'', '\\']) {
        return value.to_string();
    }
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A word for a POSIX shell: single-quoted unless it is plainly safe.
pub(crate) fn shell_word(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+:=@,%".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return value.to_string();
    }
    format!("'{}'", value.replace('\'', "'\\''"))
}

/// Escapes text for the inside of a double-quoted shell string.
pub(crate) fn in_double_quotes(value: &str) -> String {
    value.chars().fold(String::new(), |mut out, c| {
        if matches!(c, '"' | '$' | '`' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// A URL as rootcert prints it: the user information and the query, where mirrors put
/// their tokens, as `****` (`https://****@host/path?****`); a text that is not a URL as its
/// scheme alone.
pub(crate) fn url_text(url: &str) -> String {
    let mut parsed = match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => parsed,
        _ => {
            let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
            return match scheme.as_deref() {
                Some(scheme @ ("http" | "https")) => format!("{scheme}://****"),
                _ => "(not an http or https URL)".to_string(),
            };
        }
    };
    let userinfo = !parsed.username().is_empty() || parsed.password().is_some();
    if parsed.query().is_some() {
        parsed.set_query(Some("****"));
    }
    parsed.set_fragment(None);
    if userinfo {
        let _ = parsed.set_password(None);
        let _ = parsed.set_username("****");
    }
    parsed.to_string()
}

/// A path as text: exactly as it is when it is Unicode; otherwise what is not (a byte on
/// Unix, an unpaired surrogate on Windows) escaped, so that no two paths print alike.
pub(crate) fn path_text(path: &Path) -> String {
    crate::platform::path_text(path)
}

/// Text with its line breaks escaped as `\x0A` and `\x0D`: for what a server, a
/// certificate or a file controls inside a message, so that it cannot start a line of its
/// own (a forged `OK:`).
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\n', '\r']) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.replace('\n', "\\x0A").replace('\r', "\\x0D"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_and_query() {
        assert_eq!(
            url_text("http://u:S3CRET@mirror.test/certs/a.pem?token=T0KEN#x"),
            "http://****@mirror.test/certs/a.pem?****"
        );
        assert_eq!(url_text("https://h/a.pem"), "https://h/a.pem");
        assert_eq!(url_text("https://u:S3CRET@[bad"), "https://****");
        assert_eq!(url_text("u:S3CRET@h"), "(not an http or https URL)");
    }

    #[test]
    fn quotes_paths_with_spaces() {
        assert_eq!(conninfo_value("/a/b.pem"), "/a/b.pem");
        assert_eq!(
            conninfo_value("/my certs/it's.pem"),
            "'/my certs/it\\'s.pem'"
        );
        assert_eq!(shell_word("/a/b.pem"), "/a/b.pem");
        assert_eq!(shell_word("/my certs/it's.pem"), "'/my certs/it'\\''s.pem'");
        let lines = ConnectLines::for_file("/x y/r.pem");
        assert!(
            lines.psql.contains("sslrootcert='/x y/r.pem' host"),
            "{}",
            lines.psql
        );
        assert_eq!(lines.env, "export PGSSLROOTCERT='/x y/r.pem'");
    }

    #[test]
    fn one_line_escapes_line_breaks_only() {
        assert_eq!(one_line("a\nOK: b\r"), "a\\x0AOK: b\\x0D");
        assert!(matches!(
            one_line("plain"),
            std::borrow::Cow::Borrowed("plain")
        ));
    }
}
