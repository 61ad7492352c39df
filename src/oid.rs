//! The object identifiers rootcert compares, as constants (never as strings).

use der::asn1::ObjectIdentifier as Oid;

pub(crate) const CN: Oid = Oid::new_unwrap("2.5.4.3");
pub(crate) const EMAIL: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
pub(crate) const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
pub(crate) const EC: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub(crate) const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
pub(crate) const ED448: Oid = Oid::new_unwrap("1.3.101.113");
pub(crate) const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
pub(crate) const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
pub(crate) const MD5_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.4");
pub(crate) const SHA1_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
pub(crate) const SHA256_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const SHA384_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
pub(crate) const SHA512_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
pub(crate) const SHA224_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
pub(crate) const SHA1_ECDSA: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
pub(crate) const SHA224_ECDSA: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
pub(crate) const SHA256_ECDSA: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const SHA384_ECDSA: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
pub(crate) const SHA512_ECDSA: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
pub(crate) const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub(crate) const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
pub(crate) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub(crate) const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
pub(crate) const SERVER_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.1");
pub(crate) const NS_SGC: Oid = Oid::new_unwrap("2.16.840.1.113730.4.1");
pub(crate) const MS_SGC: Oid = Oid::new_unwrap("1.3.6.1.4.1.311.10.3.3");
