//! Certificates for the stacks' unit tests, made with rcgen.

use std::net::IpAddr;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, SanType};

use crate::cert::Certificate;

/// A test CA: its certificate and what it issues.
pub(crate) struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    pub(crate) fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        Ca {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    pub(crate) fn pem(&self) -> String {
        self.issuer.pem()
    }

    pub(crate) fn der(&self) -> Vec<u8> {
        self.issuer.der().to_vec()
    }

    pub(crate) fn cert(&self) -> Certificate {
        Certificate::from_der(&self.der()).unwrap()
    }

    /// A server certificate with these common names (in order) and subjectAltNames:
    /// `DNS:name`, `IP:address` or `URI:text`.
    pub(crate) fn leaf(&self, cns: &[&str], sans: &[&str]) -> Certificate {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        for (i, cn) in cns.iter().enumerate() {
            // rcgen keeps one value per type: later CNs go in as their OID, 2.5.4.3.
            let ty = if i == 0 {
                DnType::CommonName
            } else {
                DnType::CustomDnType(vec![2, 5, 4, 3])
            };
            params.distinguished_name.push(ty, *cn);
        }
        params.subject_alt_names = sans
            .iter()
            .map(|san| match san.split_once(':') {
                Some(("DNS", name)) => SanType::DnsName((*name).try_into().unwrap()),
                Some(("IP", ip)) => SanType::IpAddress(ip.parse::<IpAddr>().unwrap()),
                Some(("URI", uri)) => SanType::URI((*uri).try_into().unwrap()),
                _ => panic!("{san}"),
            })
            .collect();
        let leaf = params
            .signed_by(&KeyPair::generate().unwrap(), &self.issuer)
            .unwrap();
        Certificate::from_der(leaf.der()).unwrap()
    }
}

/// A PEM block of any label.
pub(crate) fn block(label: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(label, der.to_vec()))
}

/// A certificate's DER with bytes after it: OpenSSL trust settings, or junk.
pub(crate) fn with_aux(der: &[u8], aux: &[u8]) -> Vec<u8> {
    [der, aux].concat()
}
