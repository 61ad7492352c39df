//! The built-in catalog: which roots the services anchor on, with pins and where to get them.
//! Pure data, kept in one place so a reviewer can check every line against the vendors' pages.

use std::path::PathBuf;

use crate::error::Error;
use crate::fingerprint::Fingerprint;

/// One root certificate as published by its vendor.
#[derive(Debug, PartialEq, Eq)]
pub struct CertSpec {
    /// The certificate's common name.
    pub name: &'static str,
    /// The name the vendor publishes it under (used for the default path and `--mirror`).
    pub file_name: &'static str,
    /// SHA-256 over the DER bytes, colon-separated.
    pub sha256: Fingerprint,
    /// In order of preference.
    pub urls: &'static [&'static str],
}

impl CertSpec {
    /// The pin, parsed.
    pub fn pin(&self) -> Fingerprint {
        self.sha256
    }
}

/// A named set of certificates that a service needs in its `sslrootcert` file.
#[derive(Debug)]
pub struct Profile {
    /// The profile's name, as `rootcert fetch NAME` takes it.
    pub name: &'static str,
    /// Other names for it (a service, a short form).
    pub aliases: &'static [&'static str],
    /// What it is for, in a line.
    pub description: &'static str,
    /// The certificates a trust file for it holds, in order.
    pub certs: &'static [&'static CertSpec],
    /// File name to save under when the published one does not fit (several certificates, or
    /// a published DER name such as `.crt` for what rootcert saves as PEM).
    pub saved_as: Option<&'static str>,
}

impl Profile {
    /// The default file name when this profile is fetched on its own.
    pub fn file_name(&self) -> &'static str {
        match (self.saved_as, self.certs) {
            (Some(name), _) => name,
            (None, [only]) => only.file_name,
            (None, _) => self.name,
        }
    }
}

/// DigiCert Global Root G2, as DigiCert publishes it.
pub const DIGICERT_GLOBAL_ROOT_G2: CertSpec = CertSpec {
    name: "DigiCert Global Root G2",
    file_name: "DigiCertGlobalRootG2.crt.pem",
    sha256: Fingerprint::from_colon_hex(
        "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F",
    ),
    urls: &[
        "https://cacerts.digicert.com/DigiCertGlobalRootG2.crt.pem",
        "https://cacerts.digicert.com/DigiCertGlobalRootG2.crt",
    ],
};

/// Microsoft RSA Root Certificate Authority 2017 (published as DER).
pub const MICROSOFT_RSA_ROOT_2017: CertSpec = CertSpec {
    name: "Microsoft RSA Root Certificate Authority 2017",
    file_name: "Microsoft RSA Root Certificate Authority 2017.crt",
    sha256: Fingerprint::from_colon_hex(
        "C7:41:F7:0F:4B:2A:8D:88:BF:2E:71:C1:41:22:EF:53:EF:10:EB:A0:CF:A5:E6:4C:FA:20:F4:18:85:30:73:E0",
    ),
    urls: &[
        "https://www.microsoft.com/pkiops/certs/Microsoft%20RSA%20Root%20Certificate%20Authority%202017.crt",
    ],
};

/// DigiCert Global Root CA (G1), as DigiCert publishes it.
pub const DIGICERT_GLOBAL_ROOT_CA: CertSpec = CertSpec {
    name: "DigiCert Global Root CA",
    file_name: "DigiCertGlobalRootCA.crt.pem",
    sha256: Fingerprint::from_colon_hex(
        "43:48:A0:E9:44:4C:78:CB:26:5E:05:8D:5E:89:44:B4:D8:4F:96:62:BD:26:DB:25:7F:89:34:A4:43:C7:01:61",
    ),
    urls: &[
        "https://cacerts.digicert.com/DigiCertGlobalRootCA.crt.pem",
        "https://cacerts.digicert.com/DigiCertGlobalRootCA.crt",
    ],
};

/// ISRG Root X1 (Let's Encrypt).
pub const ISRG_ROOT_X1: CertSpec = CertSpec {
    name: "ISRG Root X1",
    file_name: "isrgrootx1.pem",
    sha256: Fingerprint::from_colon_hex(
        "96:BC:EC:06:26:49:76:F3:74:60:77:9A:CF:28:C5:A7:CF:E8:A3:C0:AA:E1:1A:8F:FC:EE:05:C0:BD:DF:08:C6",
    ),
    // Plain HTTP is safe here: the pin, not the transport, is the trust.
    urls: &[
        "https://letsencrypt.org/certs/isrgrootx1.pem",
        "http://x1.i.lencr.org/",
    ],
};

/// The profile `rootcert fetch` uses when none is named.
pub const DEFAULT_PROFILE: &str = "digicert-global-root-g2";

/// Every profile in the catalog.
pub static PROFILES: &[Profile] = &[
    Profile {
        name: DEFAULT_PROFILE,
        aliases: &["azure-cosmos-postgres", "digicert-g2"],
        description: "DigiCert Global Root G2 (Azure Cosmos DB for PostgreSQL; the default)",
        certs: &[&DIGICERT_GLOBAL_ROOT_G2],
        saved_as: None,
    },
    Profile {
        name: "microsoft-rsa-root-2017",
        aliases: &["microsoft-rsa-2017"],
        description: "Microsoft RSA Root Certificate Authority 2017 (published as DER; saved as PEM)",
        certs: &[&MICROSOFT_RSA_ROOT_2017],
        saved_as: Some("MicrosoftRSARootCertificateAuthority2017.crt.pem"),
    },
    Profile {
        name: "digicert-global-root-ca",
        aliases: &["digicert-g1"],
        description: "DigiCert Global Root CA (older Azure services and regions; browsers \
                      distrust it for TLS since 2026-04-15: move to G2)",
        certs: &[&DIGICERT_GLOBAL_ROOT_CA],
        saved_as: None,
    },
    Profile {
        name: "isrg-root-x1",
        aliases: &["letsencrypt"],
        description: "ISRG Root X1 (Let's Encrypt)",
        certs: &[&ISRG_ROOT_X1],
        saved_as: None,
    },
    Profile {
        name: "azure-postgres-flexible",
        aliases: &["azure-postgres", "azure-flexible-server"],
        description: "Azure Database for PostgreSQL flexible server: DigiCert Global Root G2 \
                      and Microsoft RSA Root Certificate Authority 2017 in one file",
        certs: &[&DIGICERT_GLOBAL_ROOT_G2, &MICROSOFT_RSA_ROOT_2017],
        saved_as: Some("azure-postgres-flexible.pem"),
    },
    Profile {
        name: "azure-mysql-flexible",
        aliases: &["azure-mysql"],
        description: "Azure Database for MySQL flexible server: DigiCert Global Root G2, \
                      Microsoft RSA Root Certificate Authority 2017 and, while servers \
                      rotate away from it (Azure's root rotation since 2025), DigiCert Global \
                      Root CA, all three in one file as Azure asks",
        certs: &[
            &DIGICERT_GLOBAL_ROOT_G2,
            &MICROSOFT_RSA_ROOT_2017,
            &DIGICERT_GLOBAL_ROOT_CA,
        ],
        saved_as: Some("azure-mysql-flexible.pem"),
    },
];

/// Looks a profile up by name or alias, case-insensitively.
pub fn find(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| {
        p.name.eq_ignore_ascii_case(name) || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// The usage error for a name that is not in the catalog: the closest name, if one is
/// close, and every profile with its aliases.
pub fn unknown_profile_message(name: &str) -> String {
    let known: Vec<String> = PROFILES
        .iter()
        .map(|p| match p.aliases {
            [] => p.name.to_string(),
            aliases => format!("{} (also {})", p.name, aliases.join(", ")),
        })
        .collect();
    let lower = name.to_ascii_lowercase();
    let closest = PROFILES
        .iter()
        .flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()))
        .map(|candidate| (strsim::levenshtein(&lower, candidate), candidate))
        .min();
    let suggestion = match closest {
        Some((distance, candidate)) if distance <= 3.max(name.len() / 3) => {
            format!(" Did you mean '{candidate}'?")
        }
        _ => String::new(),
    };
    format!(
        "unknown profile '{name}'.{suggestion} Known profiles: {} (see `rootcert list`)",
        known.join("; ")
    )
}

/// The catalog certificate with this pin.
pub fn cert_with_pin(pin: &Fingerprint) -> Option<&'static CertSpec> {
    PROFILES
        .iter()
        .flat_map(|p| p.certs.iter().copied())
        .find(|c| c.pin() == *pin)
}

/// The profile a certificate belongs to, by pin: the single-certificate profile first.
pub fn profile_of(pin: &crate::fingerprint::Fingerprint) -> Option<&'static Profile> {
    let holds = |p: &&Profile| p.certs.iter().any(|c| c.pin() == *pin);
    PROFILES.iter().filter(holds).min_by_key(|p| p.certs.len())
}

/// The profiles these names or aliases stand for; none means the default profile.
pub fn resolve_profiles(names: &[String]) -> Result<Vec<&'static Profile>, Error> {
    if names.is_empty() {
        return Ok(vec![find(DEFAULT_PROFILE).expect("default profile exists")]);
    }
    names
        .iter()
        .map(|name| find(name).ok_or_else(|| Error::Usage(unknown_profile_message(name))))
        .collect()
}

/// The file name `fetch` saves these profiles under.
pub(crate) fn file_name(profiles: &[&Profile]) -> String {
    match profiles {
        [one] => one.file_name().to_string(),
        several => {
            let names: Vec<&str> = several.iter().map(|p| p.name).collect();
            format!("{}.pem", names.join("+"))
        }
    }
}

/// Where `rootcert fetch PROFILES` saves without `--out`.
pub fn default_destination(profiles: &[&Profile]) -> Result<PathBuf, Error> {
    let path = default_dir()?.join(file_name(profiles));
    std::path::absolute(&path).map_err(|e| {
        Error::File(format!(
            "cannot resolve {}: {e}",
            crate::quote::path_text(&path)
        ))
    })
}

pub(crate) fn default_dir() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os("ROOTCERT_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "rootcert")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::Usage("cannot find a data directory (is HOME set?)".into())
                .with_hint(crate::hint::Hint::NoDataDir)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique_and_pins_parse() {
        let mut names: Vec<&str> = PROFILES
            .iter()
            .flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()))
            .collect();
        let total = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), total);
        for profile in PROFILES {
            for cert in profile.certs {
                assert_eq!(
                    cert.pin().to_string().parse::<Fingerprint>(),
                    Ok(cert.sha256)
                );
                assert!(!cert.urls.is_empty());
            }
        }
        assert!(find(DEFAULT_PROFILE).is_some());
        assert_eq!(find("Azure-Cosmos-Postgres").unwrap().name, DEFAULT_PROFILE);
    }

    #[test]
    fn file_names() {
        assert_eq!(
            find(DEFAULT_PROFILE).unwrap().file_name(),
            "DigiCertGlobalRootG2.crt.pem"
        );
        assert_eq!(
            find("azure-postgres-flexible").unwrap().file_name(),
            "azure-postgres-flexible.pem"
        );
    }
}
