//! Every client's measured verdict on every certificate case (`tests/drivers/expected.tsv`),
//! replayed offline against rootcert's model of that client (`fuzzing::judge_as`): no
//! server, no driver, a second each. The live driver matrix keeps the file true.

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::support::matrix::{base, cases};
use crate::support::pki::Pki;
use rootcert::Driver;

/// The clients whose model is complete: every case must agree (or be a listed deliberate
/// difference).
const MODELLED: &[&str] = &[
    "psql",
    "psycopg",
    "pgjdbc",
    "pgx",
    "mariadb",
    "node-postgres",
    "mysql2",
    "asyncpg",
    "pymysql",
];

/// `case name → client → connects`.
pub fn expected() -> (Vec<String>, BTreeMap<String, BTreeMap<String, bool>>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/drivers/expected.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with("# ") && !l.is_empty());
    let header = text
        .lines()
        .find(|l| l.starts_with("# case\t"))
        .expect("a header");
    let clients: Vec<String> = header.split('\t').skip(1).map(str::to_string).collect();
    let mut table = BTreeMap::new();
    for line in lines.by_ref() {
        let mut cells = line.split('\t');
        let name = cells.next().unwrap().to_string();
        let row = clients
            .iter()
            .zip(cells)
            .map(|(c, v)| (c.clone(), v == "connects"))
            .collect();
        table.insert(name, row);
    }
    (clients, table)
}

/// The clients whose model is complete; the live driver matrix asserts the same list.
pub fn modelled() -> &'static [&'static str] {
    MODELLED
}

#[test]
fn every_clients_model_agrees_with_what_it_did() {
    let (clients, table) = expected();
    let mut pki = Pki::new();
    let base = base(&mut pki);
    let cases = cases();
    assert_eq!(cases.len(), table.len(), "expected.tsv lists every case");
    let mut differ: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for case in &cases {
        let setup = (case.build)(&mut pki, &base);
        let chain: Vec<Vec<u8>> = setup.chain.iter().map(|c| c.der.clone()).collect();
        for client in &clients {
            let driver = Driver::from_name(client).unwrap();
            let ours = rootcert::fuzzing::judge_as(
                driver,
                &chain,
                &setup.trust,
                Some(setup.host),
                SystemTime::now(),
            );
            let theirs = table[case.name][client];
            if ours.is_ok() != theirs && case.differs.is_none() {
                differ.entry(client).or_default().push(format!(
                    "    {:<55} {client} {}, rootcert {}",
                    case.name,
                    if theirs { "connects" } else { "refuses" },
                    match &ours {
                        Ok(_) => "connects".to_string(),
                        Err(problems) => format!("refuses ({})", problems.join("; ")),
                    }
                ));
            }
        }
    }
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for client in &clients {
        let rows = differ.remove(client.as_str()).unwrap_or_default();
        report.push(format!(
            "{client}: {} of {} cases differ",
            rows.len(),
            cases.len()
        ));
        if MODELLED.contains(&client.as_str()) && !rows.is_empty() {
            failures.push(format!("{client}:\n{}", rows.join("\n")));
        } else if !rows.is_empty() {
            report.push(rows.join("\n"));
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Where a Node or Python model connects and libpq (or, for MySQL, the mariadb client) does
/// not, a note names the rule; nowhere else. Case name → the words the note must hold.
#[test]
fn lenient_rules_are_named_where_they_let_a_connection_through() {
    const BOTH: &[&str] = &["node-postgres", "mysql2"];
    let named: &[(&str, &[&str], &str)] = &[
        (
            "host with a trailing dot does not match",
            BOTH,
            "trailing dot",
        ),
        // The mariadb client takes partial wildcards too.
        (
            "partial wildcard is not a wildcard",
            &["node-postgres"],
            "partial wildcard db*.example.test",
        ),
        (
            "root, then a corrupt certificate block",
            BOTH,
            "before a block it cannot read",
        ),
        (
            "truncated PEM after the root",
            BOTH,
            "before a block it cannot read",
        ),
        ("RSA 1024 server key", BOTH, "security level 1"),
        ("RSA 1024 intermediate", BOTH, "security level 1"),
        ("RSA 1024 root", BOTH, "security level 1"),
        (
            "IP host matches the CN when there is no IP SAN",
            &["mysql2"],
            "checks an address host as the name localhost",
        ),
    ];
    let mut pki = Pki::new();
    let base = base(&mut pki);
    for case in &cases() {
        let setup = (case.build)(&mut pki, &base);
        let chain: Vec<Vec<u8>> = setup.chain.iter().map(|c| c.der.clone()).collect();
        for client in ["node-postgres", "mysql2", "asyncpg", "pymysql"] {
            let driver = Driver::from_name(client).unwrap();
            let verdict = rootcert::fuzzing::judge_as(
                driver,
                &chain,
                &setup.trust,
                Some(setup.host),
                SystemTime::now(),
            );
            let Ok(notes) = verdict else { continue };
            let wanted = named
                .iter()
                .find(|(name, clients, _)| *name == case.name && clients.contains(&client));
            match wanted {
                Some((_, _, words)) => assert!(
                    notes.iter().any(|n| n.contains(words)),
                    "{} / {client}: {notes:?}",
                    case.name
                ),
                None => assert!(notes.is_empty(), "{} / {client}: {notes:?}", case.name),
            }
        }
    }
}
