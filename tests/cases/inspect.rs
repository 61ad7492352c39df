//! `rootcert inspect` against openssl, field by field, on every root Debian ships.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Runs `openssl x509 ARGS` on one PEM certificate and returns what it printed.
fn openssl_x509(pem_block: &str, args: &[&str]) -> String {
    let out = pipe(
        Command::new("openssl").arg("x509").args(args),
        pem_block.as_bytes(),
    );
    assert!(
        out.status.success(),
        "openssl x509 {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What `openssl x509` prints for one PEM certificate, keyed like our JSON: one openssl
/// process per certificate. (openssl prints one fingerprint a run, so SHA-1, which is
/// arithmetic over the DER rather than interpretation, is computed here with ring.)
fn openssl_fields(pem_block: &str) -> serde_json::Map<String, serde_json::Value> {
    let printed = openssl_x509(
        pem_block,
        &[
            "-noout",
            "-nameopt",
            "RFC2253,-esc_msb",
            "-subject",
            "-issuer",
            "-serial",
            "-dateopt",
            "iso_8601",
            "-startdate",
            "-enddate",
            "-fingerprint",
            "-sha256",
        ],
    );
    let mut fields = serde_json::Map::new();
    for line in printed.lines() {
        let (key, value) = line.split_once('=').unwrap();
        let (key, value) = match key {
            "notBefore" => ("not_before", value.replace(' ', "T")),
            "notAfter" => ("not_after", value.replace(' ', "T")),
            "sha256 Fingerprint" => ("sha256", value.to_string()),
            other => (other, value.to_string()),
        };
        fields.insert(key.to_string(), value.into());
    }
    let der = der_of(pem_block);
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    let sha1: Vec<String> = sha1.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    fields.insert("sha1".into(), sha1.join(":").into());
    fields
}

#[test]
fn inspect_agrees_with_openssl_on_every_system_root() {
    if !Path::new(SYSTEM_BUNDLE).exists() {
        assert!(
            std::env::var_os("ROOTCERT_REQUIRE_SYSTEM_STORE").is_none(),
            "{SYSTEM_BUNDLE} is missing and ROOTCERT_REQUIRE_SYSTEM_STORE is set"
        );
        crate::support::suites::skipped(
            "system store",
            &format!("{SYSTEM_BUNDLE} is missing (install ca-certificates)"),
        );
        return;
    }
    let bundle = std::fs::read_to_string(SYSTEM_BUNDLE).unwrap();
    let blocks: Vec<String> = pem::parse_many(&bundle)
        .unwrap()
        .iter()
        .map(|p| {
            pem::encode_config(
                p,
                pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
            )
        })
        .collect();
    let run = Env::new().run(&["inspect", "--json", SYSTEM_BUNDLE]);
    run.expect(0);
    let ours = run.json();
    let ours = ours.as_array().unwrap();
    assert_eq!(ours.len(), blocks.len());
    assert!(
        ours.len() > 100,
        "expected Debian's ~140 roots, got {}",
        ours.len()
    );

    // openssl runs about 40 ms per call: split the work over a few threads.
    let chunks: Vec<Vec<(usize, String)>> = blocks
        .into_iter()
        .enumerate()
        .collect::<Vec<_>>()
        .chunks(40)
        .map(|c| c.to_vec())
        .collect();
    let expected: Vec<(usize, serde_json::Map<String, serde_json::Value>)> =
        std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|chunk| {
                    s.spawn(move || {
                        chunk
                            .into_iter()
                            .map(|(i, b)| (i, openssl_fields(&b)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
    for (i, fields) in expected {
        for (key, value) in &fields {
            assert_eq!(
                &ours[i][key], value,
                "certificate {i} ({}): field {key}",
                ours[i]["subject"]
            );
        }
        // Every root in the store is a self-signed CA with a valid signature.
        assert_eq!(ours[i]["is_ca"], true, "{}", ours[i]["subject"]);
        assert_eq!(ours[i]["self_signed"], true, "{}", ours[i]["subject"]);
    }
}

#[test]
fn inspect_reports_key_ca_and_catalog_profile() {
    let env = Env::new();
    let g2 = fixture("DigiCertGlobalRootG2.crt.pem");
    let run = env.run(&["inspect", "--json", g2.to_str().unwrap()]);
    run.expect(0);
    let cert = &run.json()[0];
    assert_eq!(cert["key"], "RSA 2048");
    assert_eq!(cert["is_ca"], true);
    assert_eq!(cert["self_signed"], true);
    assert_eq!(cert["profile"], "digicert-global-root-g2");
    assert_eq!(cert["serial"], "033AF1E6A711A9A0BB2864B11D09FAE5");
    assert_eq!(
        cert["sha1"],
        "DF:3C:24:F9:BF:D6:66:76:1B:26:80:73:FE:06:D1:CC:8D:4F:82:A4"
    );

    // A generated leaf: EC key, not a CA, not self-signed, in no profile.
    let ca = TestChain::direct("rootcert test CA");
    std::fs::write(env.path("leaf.pem"), ca.server_pem()).unwrap();
    let run = env.run(&["inspect", "--json", env.path("leaf.pem").to_str().unwrap()]);
    run.expect(0);
    let cert = &run.json()[0];
    assert_eq!(cert["key"], "EC P-256");
    assert_eq!(cert["is_ca"], false);
    assert_eq!(cert["self_signed"], false);
    assert_eq!(cert["profile"], serde_json::Value::Null);
    assert_eq!(cert["issuer"], "CN=rootcert test CA");
}

#[test]
fn inspect_reads_stdin_and_urls_and_never_saves() {
    let env = Env::new();
    let run = env.run_with_stdin(&["inspect", "-"], &der_of(&ms2017_pem()));
    run.expect(0);
    run.stdout_has("-: 1 certificate, DER; libpq cannot load it as sslrootcert");
    run.stdout_has("openssl x509 -inform DER");
    run.stdout_has("CN=Microsoft RSA Root Certificate Authority 2017");
    run.stdout_has("profile      microsoft-rsa-root-2017");

    let server = Server::serving(format!("{}{}", g2_pem(), isrg_pem()));
    let before = snapshot(env.dir.path());
    let run = env.run(&["inspect", "--json", &server.url("/bundle.pem")]);
    run.expect(0);
    let certs = run.json();
    assert_eq!(certs.as_array().unwrap().len(), 2);
    assert_eq!(certs[0]["format"], "pem");
    assert_eq!(certs[0]["libpq_can_load"], true);
    assert_eq!(certs[1]["sha256"], ISRG_SHA256);
    assert_eq!(certs[1]["source"], server.url("/bundle.pem"));
    assert_eq!(
        snapshot(env.dir.path()),
        before,
        "inspect must not write anything"
    );
}

#[test]
fn inspect_failures_have_distinct_exit_codes() {
    let env = Env::new();
    std::fs::write(env.path("page.html"), "<html><title>Oops</title></html>").unwrap();
    let run = env.run(&["inspect", env.path("page.html").to_str().unwrap()]);
    run.expect(4);
    run.stderr_has("got an HTML page, not a certificate");

    let run = env.run(&[
        "inspect",
        "--json",
        env.path("missing.pem").to_str().unwrap(),
    ]);
    run.expect(5);
    assert_eq!(run.json()["exit_code"], 5);

    let server = Server::http(|_, w| respond(w, "404 Not Found", &[], b""));
    let run = env.run(&["inspect", "--retries", "0", &server.url("/x.pem")]);
    run.expect(3);
    run.stderr_has("HTTP 404");
}

#[test]
fn inspect_says_whether_libpq_can_load_the_file() {
    let env = Env::new();
    let run = env.run_with_stdin(&["inspect", "-"], g2_pem().as_bytes());
    run.expect(0);
    run.stdout_has("-: 1 certificate, PEM; libpq can load it as sslrootcert");
    let run = env.run_with_stdin(&["inspect", "--json", "-"], &der_of(&g2_pem()));
    run.expect(0);
    let certs = run.json();
    assert_eq!(certs[0]["format"], "der");
    assert_eq!(certs[0]["libpq_can_load"], false);
    assert_eq!(certs[0]["sha256"], G2_SHA256);
}

/// A self-signed certificate made by `openssl req -x509` with `args` (and `config`, the
/// lines of its configuration file, when not empty).
fn openssl_req(dir: &Path, key: &Path, name: &str, args: &[&str], config: &str) -> String {
    let out = dir.join(format!("{name}.pem"));
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-x509", "-new", "-days", "30", "-key"])
        .arg(key)
        .arg("-out")
        .arg(&out)
        .args(args);
    if !config.is_empty() {
        let cnf = dir.join(format!("{name}.cnf"));
        std::fs::write(
            &cnf,
            format!("[req]\nprompt = no\ndistinguished_name = dn\n{config}"),
        )
        .unwrap();
        cmd.arg("-config").arg(&cnf);
    }
    let status = cmd.output().unwrap();
    assert!(
        status.status.success(),
        "openssl req for {name}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn inspect_agrees_with_openssl_on_unusual_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let mut pki = crate::support::pki::Pki::new();
    let key = pki.key("p256");
    let d = dir.path();
    let mut certs: Vec<(&str, String)> = vec![
        (
            "multi-valued RDNs",
            openssl_req(
                d,
                &key,
                "mv",
                &["-multivalue-rdn", "-subj", "/CN=a+O=b+OU=c/C=US/L=x+ST=y"],
                "",
            ),
        ),
        (
            "negative serial",
            openssl_req(
                d,
                &key,
                "neg",
                &["-subj", "/CN=neg", "-set_serial", "-0x4316693ED"],
                "",
            ),
        ),
        (
            "serial -128",
            openssl_req(
                d,
                &key,
                "neg128",
                &["-subj", "/CN=n", "-set_serial", "-128"],
                "",
            ),
        ),
        (
            "serial -256",
            openssl_req(
                d,
                &key,
                "neg256",
                &["-subj", "/CN=n", "-set_serial", "-256"],
                "",
            ),
        ),
        (
            "serial 0",
            openssl_req(d, &key, "zero", &["-subj", "/CN=z", "-set_serial", "0"], ""),
        ),
        (
            "attribute types openssl names, NumericString values",
            openssl_req(
                d,
                &key,
                "attrs",
                &[
                    "-subj",
                    "/INN=1234567890/OGRN=1027700132195/SNILS=12345678901/x500UniqueIdentifier=abc/description=d/pseudonym=p/UID=u/DC=example/jurisdictionC=US/street=s/title=t/CN=z",
                ],
                "",
            ),
        ),
        (
            "an unknown attribute type, dumped in upper-case hex",
            openssl_req(
                d,
                &key,
                "oid",
                &[],
                "[dn]\nx.1.2.3.4 = xyz\nCN = with oid\n",
            ),
        ),
        (
            "Teletex (Latin-1) and IA5 values",
            openssl_req(
                d,
                &key,
                "t61",
                &[],
                "string_mask = default\n[dn]\nCN = Ünïcödé\nemailAddress = a@b.example\n",
            ),
        ),
        (
            "BMPString values",
            openssl_req(
                d,
                &key,
                "bmp",
                &["-utf8"],
                "string_mask = MASK:0x800\n[dn]\nCN = Ünïcödé ☃\n",
            ),
        ),
        (
            "UTF8String values",
            openssl_req(
                d,
                &key,
                "utf8",
                &["-utf8"],
                "string_mask = utf8only\n[dn]\nCN = Ünïcödé ☃\nO = Ø\n",
            ),
        ),
        (
            "control characters",
            openssl_req(d, &key, "ctrl", &["-subj", "/CN=a\u{1}b\u{7f}c\u{1b}d"], ""),
        ),
        (
            "RFC 2253 specials",
            openssl_req(
                d,
                &key,
                "specials",
                &["-subj", "/CN=#lead, a+b \"q\" <x>;y\\\\z /O= spaced "],
                "",
            ),
        ),
    ];
    for (name, start) in [
        ("notBefore in 1950", "500101000000Z"),
        ("notBefore in 1969", "691231235959Z"),
    ] {
        let mut spec = crate::support::pki::Spec::new("/CN=old", "p256", None, "");
        spec.start = start;
        certs.push((name, pki.issue(spec).pem));
    }
    let bundle = d.join("bundle.pem");
    std::fs::write(
        &bundle,
        certs.iter().map(|(_, p)| p.as_str()).collect::<String>(),
    )
    .unwrap();
    let run = Env::new().run(&["inspect", "--json", bundle.to_str().unwrap()]);
    run.expect(0);
    let ours = run.json();
    assert_eq!(ours.as_array().unwrap().len(), certs.len());
    let mut differences = Vec::new();
    for (i, (name, pem_text)) in certs.iter().enumerate() {
        for (key, value) in openssl_fields(pem_text) {
            if ours[i][&key] != value {
                differences.push(format!(
                    "{name}: {key}: openssl {value}, rootcert {}",
                    ours[i][&key]
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
