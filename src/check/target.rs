//! The target as the user writes it: `HOST`, `HOST:PORT`, `[IPv6]:PORT`.

use crate::error::Error;

const DEFAULT_PORT: u16 = 5432;

/// Splits `HOST[:PORT]` (default port 5432).
pub(super) fn split_host_port(target: &str) -> Result<(String, u16), Error> {
    let bad_port = |p: &str| Error::Usage(format!("'{p}' in '{target}' is not a port number"));
    if let Some(rest) = target.strip_prefix('[') {
        // [IPv6]:port or [IPv6]
        let (host, after) = rest.split_once(']').ok_or_else(|| {
            Error::Usage(format!("'{target}': missing ']' after an IPv6 address"))
        })?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad_port(p))?,
            None => DEFAULT_PORT,
        };
        return Ok((host.to_string(), port));
    }
    match target.rsplit_once(':') {
        // A bare IPv6 address has several colons and no port.
        Some((host, port)) if !host.contains(':') => {
            Ok((host.to_string(), port.parse().map_err(|_| bad_port(port))?))
        }
        _ => Ok((target.to_string(), DEFAULT_PORT)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(
            split_host_port("db.example.com").unwrap(),
            ("db.example.com".into(), 5432)
        );
        assert_eq!(
            split_host_port("localhost:6543").unwrap(),
            ("localhost".into(), 6543)
        );
        assert_eq!(split_host_port("[::1]:7000").unwrap(), ("::1".into(), 7000));
        assert_eq!(split_host_port("::1").unwrap(), ("::1".into(), 5432));
        assert!(split_host_port("host:port").is_err());
    }
}
