//! The property behind "a password is never printed": strings of every kind rootcert
//! reads, each with a random secret in a secret position (libpq's `password`,
//! `sslpassword`, `oauth_client_secret`, `scram_*`, URL passwords, encoded keys, JDBC and
//! MySQL passwords) surrounded by every separator that once split one (tab, CR, LF, FF,
//! `? ; & # / % @`), valid and then broken, go through the parser and every renderer: the
//! full report, the table, JSON, JSON lines, errors and the printed settings. No piece of
//! the secret may appear. The reports are judged offline against a generated chain, so
//! every verdict (pass, fail, unverified, refused) is reached without a network.

use std::sync::OnceLock;

use proptest::prelude::*;
use rootcert::{CheckOptions, TargetText};

use super::render;

/// A certificate authority, its file, and chains for `localhost` from it and from a
/// stranger.
struct Pki {
    _dir: tempfile::TempDir,
    ca_path: std::path::PathBuf,
    good: Vec<Vec<u8>>,
    stranger: Vec<Vec<u8>>,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
        let issue = |name: &str| {
            let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
            ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            ca.distinguished_name.push(rcgen::DnType::CommonName, name);
            let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
            let leaf = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
                .unwrap()
                .signed_by(&KeyPair::generate().unwrap(), &ca)
                .unwrap();
            (ca.pem(), vec![leaf.der().to_vec()])
        };
        let (ca_pem, good) = issue("property CA");
        let (_, stranger) = issue("stranger CA");
        let dir = tempfile::tempdir().unwrap();
        let ca_path = dir.path().join("ca.pem");
        std::fs::write(&ca_path, ca_pem).unwrap();
        Pki {
            _dir: dir,
            ca_path,
            good,
            stranger,
        }
    })
}

const SEPARATORS: &[&str] = &[
    "\t", "\r", "\n", "\x0c", "\x0b", " ", "?", ";", "&", "#", "/", "%", "@", ":", ",", "=", "'",
    "\\",
];

/// `Q` + 6 letters/digits + a separator + 6 letters/digits + `Z`: the two runs of six are
/// what must never be seen.
fn secret() -> impl Strategy<Value = (String, [String; 2])> {
    (
        "[A-Za-z0-9]{6}",
        proptest::sample::select(SEPARATORS),
        "[A-Za-z0-9]{6}",
    )
        .prop_map(|(a, sep, b)| (format!("Q{a}{sep}{b}Z"), [a, b]))
}

/// libpq's quoting inside `'…'`.
fn quoted(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Percent-encodes the bytes of `value` that are in `special` or not printable ASCII.
fn encode(value: &str, special: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if special.as_bytes().contains(&b) || !(0x21..0x7f).contains(&b) {
                format!("%{b:02X}")
            } else {
                (b as char).to_string()
            }
        })
        .collect()
}

/// Every form a secret takes in the strings rootcert reads, valid as written.
fn target_with(kind: usize, secret: &str, separator: &str, sslmode: &str) -> String {
    let ca = pki().ca_path.display().to_string();
    match kind {
        0..=4 => {
            let keyword = [
                "password",
                "sslpassword",
                "oauth_client_secret",
                "scram_client_key",
                "scram_server_key",
            ][kind];
            format!(
                "host=localhost{separator}port=5432 sslmode={sslmode}{separator}{keyword}={}\
                 {separator}dbname=app sslrootcert={ca}",
                quoted(secret)
            )
        }
        5 => format!(
            "postgresql://app:{}@localhost:5432/app?sslmode={sslmode}&sslrootcert={ca}",
            encode(secret, "/@%")
        ),
        6 => format!(
            "postgresql://localhost/app?sslmode={sslmode}&password={}&sslrootcert={ca}",
            encode(secret, "&=%#")
        ),
        7 => format!(
            "postgres://localhost/app?pass%77ord={}&sslmode={sslmode}&sslrootcert={ca}",
            encode(secret, "&=%#")
        ),
        8 => format!(
            "jdbc:postgresql://localhost:5432/app?sslmode={sslmode}&password={}&sslrootcert={ca}",
            encode(secret, "&=%+#?;/@:,'\\")
        ),
        9 => format!(
            "mysql://root:{}@localhost:3306/app?ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}",
            encode(secret, "%")
        ),
        10 => format!(
            "mariadb://root@localhost/app?password={}&ssl-ca={ca}&ssl-verify-server-cert=true",
            encode(secret, "&=%#")
        ),
        _ => format!(
            "postgresql://localhost/app?sslpassword={}&sslmode={sslmode}&sslrootcert={ca}",
            encode(secret, "&=%#")
        ),
    }
}

/// A valid string made invalid: a character inserted or removed at `at`.
fn broken(valid: &str, at: usize, insert: Option<char>) -> String {
    let chars: Vec<char> = valid.chars().collect();
    let at = at % chars.len().max(1);
    let mut out: Vec<char> = chars.clone();
    match insert {
        Some(c) => out.insert(at, c),
        None => {
            out.remove(at);
        }
    }
    out.into_iter().collect()
}

/// Everything rootcert would print for these targets, in every output form.
fn everything_printed(targets: Vec<String>, chain: &[Vec<u8>]) -> String {
    let options = CheckOptions {
        targets: targets.into_iter().map(TargetText::from).collect(),
        ca: Some(pki().ca_path.clone()),
        all_clients: true,
        ..CheckOptions::default()
    };
    let mut printed = String::new();
    match rootcert::fuzzing::check_offline(&options, chain) {
        Err(e) => printed.push_str(&crate::cmd::flags::error_text(&e)),
        Ok(outcomes) => {
            render::check_table(&outcomes, &mut printed);
            for outcome in &outcomes {
                printed.push_str(&render::check_line(outcome).to_string());
                match &outcome.result {
                    Ok(report) => {
                        render::check(report, &mut printed);
                        printed.push_str(&serde_json::to_string(report).unwrap());
                    }
                    Err(e) => printed.push_str(&crate::cmd::flags::error_text(e)),
                }
            }
        }
    }
    printed
}

fn assert_unseen(printed: &str, pieces: &[String; 2], target: &str) -> Result<(), TestCaseError> {
    for piece in pieces {
        prop_assert!(
            !printed.contains(piece.as_str()),
            "{piece} of the secret printed for {target:?}:\n{printed}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_secret_reaches_any_output(
        (secret, pieces) in secret(),
        kind in 0usize..12,
        separator in proptest::sample::select(&[" ", "\t", "\n", "\r", "\x0c", "\x0b"][..]),
        sslmode in proptest::sample::select(
            &["verify-full", "verify-ca", "require", "prefer", "disable"][..]
        ),
        trusted in any::<bool>(),
        at in any::<usize>(),
        insert in proptest::option::of(proptest::sample::select(
            &['\'', '=', ' ', '@', '/', '%', '?', '&', '\\', ']', '[', ':', '\t'][..]
        )),
    ) {
        let pki = pki();
        let chain = if trusted { &pki.good } else { &pki.stranger };
        let valid = target_with(kind, &secret, separator, sslmode);
        // Two targets, so that the table and JSON lines show the text of each.
        let printed = everything_printed(vec![valid.clone(), "localhost:5432".into()], chain);
        assert_unseen(&printed, &pieces, &valid)?;
        let printed = everything_printed(vec![valid.clone()], chain);
        assert_unseen(&printed, &pieces, &valid)?;
        // Broken, it may not parse at all: then its error must not quote it either. When it
        // still parses the secret may have moved to a setting libpq reads as another one,
        // which the libpq comparison in tests/cases/connstr.rs pins down instead.
        let invalid = broken(&valid, at, insert);
        if let Err(e) = rootcert::fuzzing::parse_target(&invalid)
            .map_err(|e| e.to_string())
        {
            assert_unseen(&e, &pieces, &invalid)?;
            let printed = everything_printed(vec![invalid.clone(), "localhost:5432".into()], chain);
            assert_unseen(&printed, &pieces, &invalid)?;
        }
    }
}
