//! One parsed certificate and what rootcert reports about it.

use std::time::SystemTime;

use der::Decode;
use x509_cert::Certificate as X509Certificate;
use x509_cert::ext::pkix::BasicConstraints;

use crate::fingerprint::{Fingerprint, colon_hex};
use crate::oid;
use crate::time::Timestamp;

/// A certificate with its original DER bytes (the fingerprint is over these).
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    x509: X509Certificate,
    /// SHA-256 over the DER bytes.
    pub sha256: Fingerprint,
    not_before: Timestamp,
    not_after: Timestamp,
}

/// What checking a certificate's self-signature found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfSignature {
    /// Subject equals issuer and the signature verifies with the certificate's own key.
    Valid,
    /// Subject equals issuer but the signature does not verify.
    Invalid,
    /// Issued by someone else.
    NotSelfIssued,
    /// Self-issued, with a signature algorithm we cannot check (e.g. RSA-PSS, P-521).
    Unchecked,
}

impl Certificate {
    /// Parses exactly one DER certificate; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let x509 = match X509Certificate::from_der(der) {
            Ok(x509) => x509,
            // x509-cert cannot hold a UTCTime before 1970; the dates are read from `der`.
            Err(e) => crate::time::with_pre_1970_years_patched(der)
                .and_then(|patched| X509Certificate::from_der(&patched).ok())
                .ok_or_else(|| e.to_string())?,
        };
        let (not_before, not_after) =
            crate::time::validity(der).ok_or("the validity dates do not parse")?;
        Ok(Certificate {
            sha256: Fingerprint::of_der(der),
            der: der.to_vec(),
            x509,
            not_before,
            not_after,
        })
    }

    /// The DER bytes, as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The parsed certificate.
    pub(crate) fn x509(&self) -> &X509Certificate {
        &self.x509
    }

    /// RFC 2253 string, as `openssl x509 -noout -subject -nameopt RFC2253,-esc_msb` prints it.
    pub fn subject(&self) -> String {
        crate::dn::rfc2253(self.x509.tbs_certificate().subject())
    }

    /// The issuer, as `subject` prints it.
    pub fn issuer(&self) -> String {
        crate::dn::rfc2253(self.x509.tbs_certificate().issuer())
    }

    /// The common name, or the whole subject when there is none.
    pub fn display_name(&self) -> String {
        let subject = self.x509.tbs_certificate().subject();
        subject
            .common_name()
            .ok()
            .flatten()
            .map(|cn| cn.value().into_owned())
            .unwrap_or_else(|| subject.to_string())
    }

    /// Start of validity.
    pub fn not_before(&self) -> SystemTime {
        self.not_before.to_system_time()
    }

    /// End of validity.
    pub fn not_after(&self) -> SystemTime {
        self.not_after.to_system_time()
    }

    pub(crate) fn not_before_timestamp(&self) -> Timestamp {
        self.not_before
    }

    pub(crate) fn not_after_timestamp(&self) -> Timestamp {
        self.not_after
    }

    /// RFC 3339, UTC.
    pub fn not_before_rfc3339(&self) -> String {
        self.not_before.rfc3339()
    }

    /// End of validity, RFC 3339.
    pub fn not_after_rfc3339(&self) -> String {
        self.not_after.rfc3339()
    }

    /// Upper-case hex of the magnitude, `-` before a negative one, as `openssl x509
    /// -serial` prints it.
    pub fn serial_hex(&self) -> String {
        let bytes = self.x509.tbs_certificate().serial_number().as_bytes();
        let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
        let magnitude: Vec<u8> = if negative {
            // Two's complement: invert and add one.
            let mut m: Vec<u8> = bytes.iter().map(|b| !b).collect();
            for byte in m.iter_mut().rev() {
                let (sum, carry) = byte.overflowing_add(1);
                *byte = sum;
                if !carry {
                    break;
                }
            }
            m
        } else {
            bytes.to_vec()
        };
        let first = magnitude
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(magnitude.len().saturating_sub(1));
        let sign = if negative { "-" } else { "" };
        format!("{sign}{}", hex::encode_upper(&magnitude[first..]))
    }

    /// SHA-1 over the DER, colon hex (as openssl prints it).
    pub fn sha1_colon_hex(&self) -> String {
        colon_hex(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der).as_ref())
    }

    /// basicConstraints cA.
    pub fn is_ca(&self) -> bool {
        matches!(
            self.x509
                .tbs_certificate()
                .get_extension::<BasicConstraints>(),
            Ok(Some((_, BasicConstraints { ca: true, .. })))
        )
    }

    /// The subject public key's bits (the SPKI's BIT STRING contents), as signatures use it.
    pub(crate) fn public_key_bytes(&self) -> &[u8] {
        self.x509
            .tbs_certificate()
            .subject_public_key_info()
            .subject_public_key
            .raw_bytes()
    }

    /// Subject equals issuer.
    pub fn is_self_issued(&self) -> bool {
        self.x509.tbs_certificate().subject() == self.x509.tbs_certificate().issuer()
    }

    /// Public key type and size or curve, e.g. `RSA 2048`, `EC P-384`.
    pub fn key_description(&self) -> String {
        let spki = self.x509.tbs_certificate().subject_public_key_info();
        let key = spki.subject_public_key.raw_bytes();
        match spki.algorithm.oid {
            oid::RSA => match rsa_modulus_bits(key) {
                Some(bits) => format!("RSA {bits}"),
                None => "RSA (malformed key)".to_string(),
            },
            oid::EC => format!("EC {}", curve_name(self).unwrap_or("unknown curve")),
            oid::ED25519 => "Ed25519".to_string(),
            oid::ED448 => "Ed448".to_string(),
            other => format!("unknown ({other})"),
        }
    }

    /// Canonical PEM: 64-column base64, LF line endings.
    pub fn to_pem(&self) -> String {
        let block = pem::Pem::new("CERTIFICATE", self.der.clone());
        pem::encode_config(
            &block,
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        )
    }
}

pub(crate) use crate::tlv::{read_tlv, rsa_modulus_bits, tbs_bytes};

fn curve_name(cert: &Certificate) -> Option<&'static str> {
    let params = cert
        .x509
        .tbs_certificate()
        .subject_public_key_info()
        .algorithm
        .parameters
        .as_ref()?;
    match params.decode_as::<der::asn1::ObjectIdentifier>().ok()? {
        oid::P256 => Some("P-256"),
        oid::P384 => Some("P-384"),
        oid::P521 => Some("P-521"),
        _ => None,
    }
}
