//! PKCS#12 truststores that Java reads as trusted certificates (`trustedCertEntry`).
//!
//! Written: a PFX (RFC 7292) whose one SafeContents holds a certificate bag per certificate,
//! unencrypted, with no MAC and so no password. Each bag carries a friendly name (Java's
//! alias) and Java's trusted-key-usage attribute (Oracle's OID 2.16.840.1.113894.746875.1.1,
//! value anyExtendedKeyUsage): without it Java lists a certificate bag as no entry at all.
//! This is the file `keytool` itself writes with `keystore.pkcs12.certProtectionAlgorithm`
//! and `keystore.pkcs12.macAlgorithm` set to NONE. Measured with Java 17: the JVM trusts its
//! certificates with `javax.net.ssl.trustStorePassword` unset, empty, or set to anything;
//! a password-protected truststore, by contrast, gives no trusted certificate when the
//! password is unset and fails to load with a wrong one. A truststore holds public
//! certificates only, so a password would protect nothing; the pin is the integrity check.
//!
//! Read: any DER PFX, to say what it holds: the certificates in unencrypted bags, whether
//! each carries the trusted attribute, and how many parts are encrypted or hold keys.

use der::asn1::{AnyRef, BmpString, ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode, Reader, Sequence, SliceReader, Tag, Tagged};

use crate::cert::Certificate;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
/// Oracle's "trusted key usage" bag attribute: Java's mark of a trusted certificate entry.
const JAVA_TRUSTED_KEY_USAGE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.113894.746875.1.1");
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

#[derive(Sequence)]
struct Pfx<'a> {
    version: u8,
    auth_safe: ContentInfo<'a>,
    #[asn1(optional = "true")]
    mac_data: Option<AnyRef<'a>>,
}

#[derive(Sequence)]
struct ContentInfo<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    content: Option<AnyRef<'a>>,
}

#[derive(Sequence)]
struct SafeBag<'a> {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    bag_value: AnyRef<'a>,
    /// A SET OF Attribute, read one by one (not every writer sorts it as DER asks).
    #[asn1(optional = "true")]
    bag_attributes: Option<AnyRef<'a>>,
}

#[derive(Sequence)]
struct CertBag<'a> {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    cert_value: &'a OctetStringRef,
}

#[derive(Sequence)]
struct Attribute<'a> {
    attr_id: ObjectIdentifier,
    /// SET OF values.
    attr_values: AnyRef<'a>,
}

/// A truststore of `certs` (each with its alias), as DER.
pub(crate) fn truststore(certs: &[(&Certificate, &str)]) -> Vec<u8> {
    let mut aliases: Vec<String> = Vec::new();
    let bags: Vec<Vec<u8>> = certs
        .iter()
        .map(|(cert, alias)| {
            let alias = unique_alias(alias, &aliases);
            aliases.push(alias.clone());
            cert_bag(cert, &alias)
        })
        .collect();
    let safe_contents = sequence(&bags);
    let data = |content: &[u8]| -> Vec<u8> {
        let octets = OctetStringRef::new(content).expect("under 4 GiB");
        ContentInfo {
            content_type: DATA,
            content: Some(AnyRef::from(octets)),
        }
        .to_der()
        .expect("in memory")
    };
    let auth_safe = sequence(&[data(&safe_contents)]);
    let auth_safe_octets = OctetStringRef::new(&auth_safe).expect("under 4 GiB");
    Pfx {
        version: 3,
        auth_safe: ContentInfo {
            content_type: DATA,
            content: Some(AnyRef::from(auth_safe_octets)),
        },
        mac_data: None,
    }
    .to_der()
    .expect("in memory")
}

/// A SafeBag holding `cert` as a trusted certificate named `alias`.
fn cert_bag(cert: &Certificate, alias: &str) -> Vec<u8> {
    let value = OctetStringRef::new(cert.der()).expect("under 4 GiB");
    let cert_bag = CertBag {
        cert_id: X509_CERTIFICATE,
        cert_value: value,
    }
    .to_der()
    .expect("in memory");
    let name = BmpString::from_utf8(alias)
        .expect("only BMP characters")
        .to_der();
    let name = name.expect("in memory");
    let usage = ANY_EXTENDED_KEY_USAGE.to_der().expect("in memory");
    let attribute = |id: ObjectIdentifier, value: &[u8]| -> Vec<u8> {
        let values = set_of(vec![value.to_vec()]);
        Attribute {
            attr_id: id,
            attr_values: AnyRef::try_from(values.as_slice()).expect("just encoded"),
        }
        .to_der()
        .expect("in memory")
    };
    let attributes = set_of(vec![
        attribute(FRIENDLY_NAME, &name),
        attribute(JAVA_TRUSTED_KEY_USAGE, &usage),
    ]);
    SafeBag {
        bag_id: CERT_BAG,
        bag_value: AnyRef::try_from(cert_bag.as_slice()).expect("just encoded"),
        bag_attributes: Some(AnyRef::try_from(attributes.as_slice()).expect("just encoded")),
    }
    .to_der()
    .expect("in memory")
}

/// `alias` with the characters a BMPString cannot hold replaced, and a number added when an
/// earlier certificate has it (Java keeps one entry per alias).
fn unique_alias(alias: &str, taken: &[String]) -> String {
    let base: String = alias
        .chars()
        .map(|c| if u32::from(c) > 0xFFFF { '?' } else { c })
        .collect();
    let taken = |name: &str| taken.iter().any(|t| t.eq_ignore_ascii_case(name));
    let mut name = base.clone();
    let mut n = 2;
    while taken(&name) {
        name = format!("{base} {n}");
        n += 1;
    }
    name
}

/// A DER SET OF: the encodings sorted.
fn set_of(mut items: Vec<Vec<u8>>) -> Vec<u8> {
    items.sort();
    tagged(Tag::Set, &items.concat())
}

fn sequence(items: &[Vec<u8>]) -> Vec<u8> {
    tagged(Tag::Sequence, &items.concat())
}

fn tagged(tag: Tag, content: &[u8]) -> Vec<u8> {
    der::asn1::Any::new(tag, content)
        .and_then(|any| any.to_der())
        .expect("under 4 GiB")
}

/// What a PKCS#12 file holds.
pub(crate) struct Truststore {
    /// The certificates of the unencrypted certificate bags, in order.
    pub(crate) entries: Vec<Entry>,
    /// Parts encrypted with a password (rootcert takes none, so cannot read them).
    pub(crate) encrypted_parts: usize,
    /// Private keys (a keystore rather than a truststore).
    pub(crate) keys: usize,
    /// Whether it has a MAC (and so a password).
    pub(crate) mac: bool,
}

/// One certificate bag.
pub(crate) struct Entry {
    pub(crate) cert: Certificate,
    /// Carries Java's trusted-key-usage attribute: Java lists it as a `trustedCertEntry`.
    pub(crate) trusted: bool,
}

impl Truststore {
    /// Whether Java reads it, with or without a password, as exactly its certificates, each
    /// trusted: the form [`truststore`] writes.
    pub(crate) fn is_java_truststore(&self) -> bool {
        !self.mac
            && self.encrypted_parts == 0
            && self.keys == 0
            && self.entries.iter().all(|e| e.trusted)
    }

    pub(crate) fn certs(&self) -> Vec<Certificate> {
        self.entries.iter().map(|e| e.cert.clone()).collect()
    }
}

/// Whether `bytes` start like a PFX (a DER SEQUENCE with version 3), so a file can be
/// told from a certificate before it is read as one.
pub(crate) fn looks_like_pfx(bytes: &[u8]) -> bool {
    Pfx::from_der(bytes).is_ok_and(|pfx| pfx.version == 3)
}

/// Reads a DER PKCS#12 file. An error says what is wrong, without quoting the bytes.
pub(crate) fn read(bytes: &[u8]) -> Result<Truststore, String> {
    fn bad(what: &'static str) -> impl Fn(der::Error) -> String {
        move |e| format!("not a PKCS#12 file: {what} ({e})")
    }
    let pfx = Pfx::from_der(bytes).map_err(bad("no PFX"))?;
    if pfx.version != 3 {
        return Err(format!("a PKCS#12 file of version {}, not 3", pfx.version));
    }
    if pfx.auth_safe.content_type != DATA {
        return Err(
            "a PKCS#12 file signed with a public key, which rootcert does not read".to_string(),
        );
    }
    let auth_safe = data_content(&pfx.auth_safe).map_err(bad("no content"))?;
    let parts = Vec::<ContentInfo<'_>>::from_der(auth_safe).map_err(bad("no AuthenticatedSafe"))?;
    let mut store = Truststore {
        entries: Vec::new(),
        encrypted_parts: 0,
        keys: 0,
        mac: pfx.mac_data.is_some(),
    };
    for part in &parts {
        if part.content_type == ENCRYPTED_DATA {
            store.encrypted_parts += 1;
            continue;
        }
        if part.content_type != DATA {
            return Err("a PKCS#12 part of a kind rootcert does not read".to_string());
        }
        let contents = data_content(part).map_err(bad("a part without content"))?;
        let bags = Vec::<SafeBag<'_>>::from_der(contents).map_err(bad("no SafeContents"))?;
        for bag in bags {
            if bag.bag_id == KEY_BAG || bag.bag_id == SHROUDED_KEY_BAG {
                store.keys += 1;
            }
            if bag.bag_id != CERT_BAG {
                continue;
            }
            let cert_bag: CertBag<'_> = bag.bag_value.decode_as().map_err(bad("a CertBag"))?;
            if cert_bag.cert_id != X509_CERTIFICATE {
                continue;
            }
            let cert = Certificate::from_der(cert_bag.cert_value.as_bytes())
                .map_err(|e| format!("a PKCS#12 certificate bag that is not a certificate: {e}"))?;
            let trusted = match bag.bag_attributes {
                Some(attributes) => has_trusted_usage(attributes).map_err(bad("bag attributes"))?,
                None => false,
            };
            store.entries.push(Entry { cert, trusted });
        }
    }
    Ok(store)
}

/// The octets of a `data` ContentInfo.
fn data_content<'a>(info: &ContentInfo<'a>) -> Result<&'a [u8], der::Error> {
    let content = info.content.ok_or_else(|| {
        der::Error::from(der::ErrorKind::TagUnexpected {
            expected: None,
            actual: Tag::Null,
        })
    })?;
    Ok(content.decode_as::<&'a OctetStringRef>()?.as_bytes())
}

/// Whether a bag's attributes include Java's trusted key usage.
fn has_trusted_usage(attributes: AnyRef<'_>) -> Result<bool, der::Error> {
    if attributes.tag() != Tag::Set {
        return Err(der::Error::from(der::ErrorKind::TagUnexpected {
            expected: Some(Tag::Set),
            actual: attributes.tag(),
        }));
    }
    let mut reader = SliceReader::new(attributes.value())?;
    let mut trusted = false;
    while !reader.is_finished() {
        let attribute = Attribute::decode(&mut reader)?;
        trusted |= attribute.attr_id == JAVA_TRUSTED_KEY_USAGE;
    }
    Ok(trusted)
}

/// For the fuzz target: read, and when that works, write and read again.
pub(crate) fn round_trip(bytes: &[u8]) {
    let _ = looks_like_pfx(bytes);
    let Ok(store) = read(bytes) else {
        return;
    };
    let names: Vec<String> = store
        .entries
        .iter()
        .map(|e| e.cert.display_name())
        .collect();
    let entries: Vec<(&Certificate, &str)> = store
        .entries
        .iter()
        .zip(&names)
        .map(|(e, n)| (&e.cert, n.as_str()))
        .collect();
    let again = read(&truststore(&entries)).expect("a truststore rootcert wrote reads back");
    assert!(again.is_java_truststore());
    let pins = |s: &Truststore| s.entries.iter().map(|e| e.cert.sha256).collect::<Vec<_>>();
    assert_eq!(pins(&again), pins(&store));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Certificate {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        let pem = std::fs::read(path).unwrap();
        crate::parse::parse_certificates(&pem).unwrap().remove(0)
    }

    #[test]
    fn written_truststores_read_back_as_trusted_certificates() {
        let g2 = fixture("DigiCertGlobalRootG2.crt.pem");
        let isrg = fixture("isrgrootx1.pem");
        let der = truststore(&[(&g2, "DigiCert Global Root G2"), (&isrg, "ISRG Root X1")]);
        assert!(looks_like_pfx(&der));
        let store = read(&der).unwrap();
        assert!(store.is_java_truststore());
        let pins: Vec<_> = store.entries.iter().map(|e| e.cert.sha256).collect();
        assert_eq!(pins, [g2.sha256, isrg.sha256]);
        // Deterministic: no salt, no MAC, so a re-run writes the same bytes.
        assert_eq!(
            der,
            truststore(&[(&g2, "DigiCert Global Root G2"), (&isrg, "ISRG Root X1")])
        );
        assert!(!looks_like_pfx(g2.der()));
        assert!(read(g2.der()).is_err());
    }

    #[test]
    fn aliases_are_unique_and_fit_a_bmp_string() {
        assert_eq!(unique_alias("Root", &["root".into()]), "Root 2");
        assert_eq!(unique_alias("Root 😀", &[]), "Root ?");
    }

    #[test]
    fn truncated_or_garbage_input_is_an_error_not_a_panic() {
        let g2 = fixture("DigiCertGlobalRootG2.crt.pem");
        let der = truststore(&[(&g2, "g2")]);
        for len in 0..der.len() {
            assert!(read(&der[..len]).is_err(), "{len}");
        }
        let mut flipped = der.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0xFF;
            let _ = read(&flipped);
            flipped[i] ^= 0xFF;
        }
    }
}
