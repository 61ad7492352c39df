//! Distinguished names the way `openssl x509 -nameopt RFC2253,-esc_msb` prints them: the
//! last RDN first (and, inside a multi-valued RDN, the last value first), OpenSSL's short
//! names for attribute types it knows, string values decoded and escaped, anything else
//! as `#` and the DER in upper-case hex.

use der::Tagged;
use der::asn1::ObjectIdentifier as Oid;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

pub(crate) fn rfc2253(name: &Name) -> String {
    let mut atvs: Vec<String> = Vec::new();
    for rdn in name.iter_rdn().collect::<Vec<_>>().into_iter().rev() {
        let values: Vec<String> = rdn.iter().map(attribute).collect();
        let values: Vec<String> = values.into_iter().rev().collect();
        atvs.push(values.join("+"));
    }
    atvs.join(",")
}

fn attribute(atv: &AttributeTypeAndValue) -> String {
    let short = short_name(&atv.oid);
    let value = match string_value(&atv.value) {
        Some(text) if short.is_some() => escape(&text),
        // Unknown attribute types, and values that are not strings, are dumped as DER.
        _ => format!(
            "#{}",
            hex::encode_upper(der::Encode::to_der(&atv.value).unwrap_or_default())
        ),
    };
    match short {
        Some(name) => format!("{name}={value}"),
        None => format!("{}={value}", atv.oid),
    }
}

/// OpenSSL 3.0's short names for the object identifiers used as attribute types, as
/// `openssl x509 -nameopt RFC2253` prints them (read off openssl itself, one attribute at a
/// time; `tests/cases/inspect.rs` checks a sample of them against openssl).
const SHORT_NAMES: &[(Oid, &str)] = &[
    (Oid::new_unwrap("2.5.4.3"), "CN"),
    (Oid::new_unwrap("2.5.4.4"), "SN"),
    (Oid::new_unwrap("2.5.4.5"), "serialNumber"),
    (Oid::new_unwrap("2.5.4.6"), "C"),
    (Oid::new_unwrap("2.5.4.7"), "L"),
    (Oid::new_unwrap("2.5.4.8"), "ST"),
    (Oid::new_unwrap("2.5.4.9"), "street"),
    (Oid::new_unwrap("2.5.4.10"), "O"),
    (Oid::new_unwrap("2.5.4.11"), "OU"),
    (Oid::new_unwrap("2.5.4.12"), "title"),
    (Oid::new_unwrap("2.5.4.13"), "description"),
    (Oid::new_unwrap("2.5.4.14"), "searchGuide"),
    (Oid::new_unwrap("2.5.4.15"), "businessCategory"),
    (Oid::new_unwrap("2.5.4.16"), "postalAddress"),
    (Oid::new_unwrap("2.5.4.17"), "postalCode"),
    (Oid::new_unwrap("2.5.4.18"), "postOfficeBox"),
    (Oid::new_unwrap("2.5.4.19"), "physicalDeliveryOfficeName"),
    (Oid::new_unwrap("2.5.4.20"), "telephoneNumber"),
    (Oid::new_unwrap("2.5.4.21"), "telexNumber"),
    (Oid::new_unwrap("2.5.4.22"), "teletexTerminalIdentifier"),
    (Oid::new_unwrap("2.5.4.23"), "facsimileTelephoneNumber"),
    (Oid::new_unwrap("2.5.4.24"), "x121Address"),
    (Oid::new_unwrap("2.5.4.25"), "internationaliSDNNumber"),
    (Oid::new_unwrap("2.5.4.26"), "registeredAddress"),
    (Oid::new_unwrap("2.5.4.27"), "destinationIndicator"),
    (Oid::new_unwrap("2.5.4.28"), "preferredDeliveryMethod"),
    (Oid::new_unwrap("2.5.4.29"), "presentationAddress"),
    (Oid::new_unwrap("2.5.4.30"), "supportedApplicationContext"),
    (Oid::new_unwrap("2.5.4.31"), "member"),
    (Oid::new_unwrap("2.5.4.32"), "owner"),
    (Oid::new_unwrap("2.5.4.33"), "roleOccupant"),
    (Oid::new_unwrap("2.5.4.34"), "seeAlso"),
    (Oid::new_unwrap("2.5.4.35"), "userPassword"),
    (Oid::new_unwrap("2.5.4.36"), "userCertificate"),
    (Oid::new_unwrap("2.5.4.37"), "cACertificate"),
    (Oid::new_unwrap("2.5.4.38"), "authorityRevocationList"),
    (Oid::new_unwrap("2.5.4.39"), "certificateRevocationList"),
    (Oid::new_unwrap("2.5.4.40"), "crossCertificatePair"),
    (Oid::new_unwrap("2.5.4.41"), "name"),
    (Oid::new_unwrap("2.5.4.42"), "GN"),
    (Oid::new_unwrap("2.5.4.43"), "initials"),
    (Oid::new_unwrap("2.5.4.44"), "generationQualifier"),
    (Oid::new_unwrap("2.5.4.45"), "x500UniqueIdentifier"),
    (Oid::new_unwrap("2.5.4.46"), "dnQualifier"),
    (Oid::new_unwrap("2.5.4.47"), "enhancedSearchGuide"),
    (Oid::new_unwrap("2.5.4.48"), "protocolInformation"),
    (Oid::new_unwrap("2.5.4.49"), "distinguishedName"),
    (Oid::new_unwrap("2.5.4.50"), "uniqueMember"),
    (Oid::new_unwrap("2.5.4.51"), "houseIdentifier"),
    (Oid::new_unwrap("2.5.4.52"), "supportedAlgorithms"),
    (Oid::new_unwrap("2.5.4.53"), "deltaRevocationList"),
    (Oid::new_unwrap("2.5.4.54"), "dmdName"),
    (Oid::new_unwrap("2.5.4.65"), "pseudonym"),
    (Oid::new_unwrap("2.5.4.72"), "role"),
    (Oid::new_unwrap("2.5.4.97"), "organizationIdentifier"),
    (Oid::new_unwrap("2.5.4.98"), "c3"),
    (Oid::new_unwrap("2.5.4.99"), "n3"),
    (Oid::new_unwrap("2.5.4.100"), "dnsName"),
    (Oid::new_unwrap("1.2.840.113549.1.9.1"), "emailAddress"),
    (Oid::new_unwrap("1.2.840.113549.1.9.2"), "unstructuredName"),
    (Oid::new_unwrap("1.2.840.113549.1.9.3"), "contentType"),
    (Oid::new_unwrap("1.2.840.113549.1.9.4"), "messageDigest"),
    (Oid::new_unwrap("1.2.840.113549.1.9.5"), "signingTime"),
    (Oid::new_unwrap("1.2.840.113549.1.9.6"), "countersignature"),
    (Oid::new_unwrap("1.2.840.113549.1.9.7"), "challengePassword"),
    (
        Oid::new_unwrap("1.2.840.113549.1.9.8"),
        "unstructuredAddress",
    ),
    (
        Oid::new_unwrap("1.2.840.113549.1.9.9"),
        "extendedCertificateAttributes",
    ),
    (Oid::new_unwrap("1.2.840.113549.1.9.14"), "extReq"),
    (Oid::new_unwrap("1.2.840.113549.1.9.15"), "SMIME-CAPS"),
    (Oid::new_unwrap("1.2.840.113549.1.9.16"), "SMIME"),
    (Oid::new_unwrap("1.2.840.113549.1.9.20"), "friendlyName"),
    (Oid::new_unwrap("1.2.840.113549.1.9.21"), "localKeyID"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.1"), "UID"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.2"),
        "textEncodedORAddress",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.3"), "mail"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.4"), "info"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.5"),
        "favouriteDrink",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.6"), "roomNumber"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.7"), "photo"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.8"), "userClass"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.9"), "host"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.10"), "manager"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.11"),
        "documentIdentifier",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.12"),
        "documentTitle",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.13"),
        "documentVersion",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.14"),
        "documentAuthor",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.15"),
        "documentLocation",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.20"),
        "homeTelephoneNumber",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.21"), "secretary"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.22"),
        "otherMailbox",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.23"),
        "lastModifiedTime",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.24"),
        "lastModifiedBy",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.25"), "DC"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.26"), "aRecord"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.27"),
        "pilotAttributeType27",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.28"), "mXRecord"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.29"), "nSRecord"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.30"), "sOARecord"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.31"), "cNAMERecord"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.37"),
        "associatedDomain",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.38"),
        "associatedName",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.39"),
        "homePostalAddress",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.40"),
        "personalTitle",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.41"),
        "mobileTelephoneNumber",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.42"),
        "pagerTelephoneNumber",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.43"),
        "friendlyCountryName",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.44"), "uid"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.45"),
        "organizationalStatus",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.46"),
        "janetMailbox",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.47"),
        "mailPreferenceOption",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.48"),
        "buildingName",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.49"), "dSAQuality"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.50"),
        "singleLevelQuality",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.51"),
        "subtreeMinimumQuality",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.52"),
        "subtreeMaximumQuality",
    ),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.53"),
        "personalSignature",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.54"), "dITRedirect"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.55"), "audio"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.56"),
        "documentPublisher",
    ),
    (Oid::new_unwrap("1.3.6.1.4.1.311.60.2.1.1"), "jurisdictionL"),
    (
        Oid::new_unwrap("1.3.6.1.4.1.311.60.2.1.2"),
        "jurisdictionST",
    ),
    (Oid::new_unwrap("1.3.6.1.4.1.311.60.2.1.3"), "jurisdictionC"),
    (Oid::new_unwrap("1.2.643.3.131.1.1"), "INN"),
    (Oid::new_unwrap("1.2.643.100.1"), "OGRN"),
    (Oid::new_unwrap("1.2.643.100.3"), "SNILS"),
    (Oid::new_unwrap("1.2.643.100.5"), "OGRNIP"),
    (Oid::new_unwrap("1.2.643.100.111"), "subjectSignTool"),
    (Oid::new_unwrap("1.3.6.1.5.5.7.9.1"), "id-pda-dateOfBirth"),
    (Oid::new_unwrap("1.3.6.1.5.5.7.9.2"), "id-pda-placeOfBirth"),
    (Oid::new_unwrap("1.3.6.1.5.5.7.9.3"), "id-pda-gender"),
    (
        Oid::new_unwrap("1.3.6.1.5.5.7.9.4"),
        "id-pda-countryOfCitizenship",
    ),
    (
        Oid::new_unwrap("1.3.6.1.5.5.7.9.5"),
        "id-pda-countryOfResidence",
    ),
];

fn short_name(oid: &Oid) -> Option<&'static str> {
    SHORT_NAMES.iter().find(|(o, _)| o == oid).map(|(_, n)| *n)
}

/// The text of a string value as OpenSSL decodes it: one-byte types (Numeric, Printable,
/// Teletex, IA5, Visible and the time types) byte for byte as Latin-1, UTF8String as
/// UTF-8, BMPString as UCS-2. `None` for other types, which OpenSSL dumps as hex.
pub(crate) fn string_value(value: &der::Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        der::Tag::NumericString
        | der::Tag::PrintableString
        | der::Tag::TeletexString
        | der::Tag::Ia5String
        | der::Tag::VisibleString
        | der::Tag::UtcTime
        | der::Tag::GeneralizedTime => Some(bytes.iter().map(|&b| b as char).collect()),
        der::Tag::Utf8String => String::from_utf8(bytes.to_vec()).ok(),
        der::Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// RFC 2253 escapes (`,+"\<>;`, a leading `#` or space, a trailing space) and, as
/// OpenSSL's ESC_CTRL does, control characters as `\XX` in upper-case hex.
fn escape(text: &str) -> String {
    let last = text.chars().count().saturating_sub(1);
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if c < ' ' || c == '\x7f' {
            out.push_str(&format!("\\{:02X}", c as u32));
            continue;
        }
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && matches!(c, '#' | ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_like_openssl() {
        assert_eq!(escape("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape(" #x "), "\\ #x\\ ");
        assert_eq!(escape("a\u{1}b\u{7f}"), "a\\01b\\7F");
    }
}
