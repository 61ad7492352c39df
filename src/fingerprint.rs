//! SHA-256 certificate fingerprints: parsing what users paste, printing what openssl prints.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The SHA-256 of a certificate's DER encoding (not of a file).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub(crate) [u8; 32]);

impl Fingerprint {
    /// Parses upper-case colon hex (`CB:3C:...`) at compile time, so that a typo in a
    /// catalog pin fails the build instead of a lookup.
    pub const fn from_colon_hex(text: &str) -> Fingerprint {
        const fn digit(c: u8) -> u8 {
            match c {
                b'0'..=b'9' => c - b'0',
                b'A'..=b'F' => c - b'A' + 10,
                _ => panic!("a pin is upper-case hex"),
            }
        }
        let bytes = text.as_bytes();
        assert!(bytes.len() == 95, "a pin is 32 colon-separated bytes");
        let mut out = [0u8; 32];
        let mut i = 0;
        while i < 32 {
            out[i] = (digit(bytes[3 * i]) << 4) | digit(bytes[3 * i + 1]);
            assert!(
                i == 31 || bytes[3 * i + 2] == b':',
                "bytes are colon-separated"
            );
            i += 1;
        }
        Fingerprint(out)
    }

    /// The fingerprint of these DER bytes.
    pub fn of_der(der: &[u8]) -> Self {
        Fingerprint(Sha256::digest(der).into())
    }

    /// A fingerprint computed elsewhere (a SHA-256 over DER bytes).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Fingerprint(bytes)
    }

    /// The 32 bytes of the digest.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Colon-separated upper-case hex, as `openssl x509 -fingerprint` prints it.
pub(crate) fn colon_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&colon_hex(&self.0))
    }
}

/// As JSON: the same text as `Display`.
impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

const OPENSSL_HINT: &str = "openssl x509 -in CERT.pem -noout -sha256 -fingerprint";

impl FromStr for Fingerprint {
    type Err = String;

    /// Accepts `CB:3C:...`, plain hex in any case, spaces, a `sha256:` prefix, or a pasted
    /// openssl line (`sha256 Fingerprint=CB:3C:...`).
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        // A pasted openssl line: keep what follows the '='.
        let value = trimmed.rsplit_once('=').map_or(trimmed, |(_, v)| v);
        let lower = value.trim().to_ascii_lowercase();
        let value = ["sha256:", "sha-256:", "sha256"]
            .iter()
            .find_map(|p| lower.strip_prefix(p))
            .unwrap_or(&lower);
        let digits: String = value
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '\t' | '-'))
            .collect();
        let bytes = hex::decode(&digits).map_err(|_| {
            format!(
                "'{input}' is not a SHA-256 fingerprint: expected 64 hex digits, \
                 optionally colon-separated (as `{OPENSSL_HINT}` prints them)"
            )
        })?;
        match bytes.len() {
            32 => Ok(Fingerprint(bytes.try_into().expect("length checked"))),
            20 => Err(format!(
                "'{input}' is a SHA-1 fingerprint (20 bytes); rootcert pins SHA-256. \
                 Print the SHA-256 fingerprint with: {OPENSSL_HINT}"
            )),
            n => Err(format!(
                "'{input}' is {n} bytes long; a SHA-256 fingerprint is 32 bytes (64 hex digits). \
                 Print it with: {OPENSSL_HINT}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G2: &str = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";

    #[test]
    fn accepts_every_pasted_form() {
        let expected: Fingerprint = G2.parse().unwrap();
        let plain = G2.replace(':', "");
        for form in [
            plain.clone(),
            plain.to_lowercase(),
            G2.to_lowercase(),
            format!("sha256:{plain}"),
            format!("SHA256:{G2}"),
            format!("sha256 Fingerprint={G2}"),
            format!("SHA256 Fingerprint={G2}\n"),
            G2.replace(':', " "),
            format!("  {G2}  "),
        ] {
            assert_eq!(form.parse::<Fingerprint>(), Ok(expected), "{form}");
        }
        assert_eq!(expected.to_string(), G2);
    }

    #[test]
    fn sha1_is_refused_with_the_openssl_command() {
        let err = "DF:3C:24:F9:BF:D6:66:76:1B:26:80:73:FE:06:D1:CC:8D:4F:82:A4"
            .parse::<Fingerprint>()
            .unwrap_err();
        assert!(err.contains("SHA-1"), "{err}");
        assert!(err.contains("-sha256 -fingerprint"), "{err}");
    }

    #[test]
    fn refuses_non_hex_and_wrong_length() {
        assert!("not a fingerprint".parse::<Fingerprint>().is_err());
        assert!(
            "CB:3C"
                .parse::<Fingerprint>()
                .unwrap_err()
                .contains("2 bytes")
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Every form a person may paste parses to the same fingerprint.
            #[test]
            fn every_format_round_trips(bytes in proptest::array::uniform32(any::<u8>())) {
                let fingerprint = Fingerprint(bytes);
                let colons = fingerprint.to_string();
                let plain = hex::encode(bytes);
                for form in [
                    colons.clone(),
                    colons.to_lowercase(),
                    plain.clone(),
                    plain.to_uppercase(),
                    colons.replace(':', " "),
                    format!("sha256:{plain}"),
                    format!("SHA-256:{colons}"),
                    format!("sha256 Fingerprint={colons}"),
                    format!("\t{colons} \n"),
                ] {
                    prop_assert_eq!(form.parse::<Fingerprint>(), Ok(fingerprint));
                }
                prop_assert_eq!(colons.len(), 95);
                prop_assert!(colons.chars().all(|c| c == ':' || c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
            }

            /// Anything else is refused with a message, never a panic.
            #[test]
            fn arbitrary_text_never_panics(text in ".{0,120}") {
                if let Err(message) = text.parse::<Fingerprint>() {
                    prop_assert!(!message.is_empty());
                }
            }

            /// A digest of another length is refused, naming its length.
            #[test]
            fn other_lengths_are_refused(bytes in proptest::collection::vec(any::<u8>(), 1..64)) {
                prop_assume!(bytes.len() != 32);
                let err = hex::encode(&bytes).parse::<Fingerprint>().unwrap_err();
                let expected = if bytes.len() == 20 { "SHA-1".to_string() } else { format!("{} bytes", bytes.len()) };
                prop_assert!(err.contains(&expected), "{}", err);
            }
        }
    }
}
