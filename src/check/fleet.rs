//! What a fleet serves, from one run's outcomes: which roots the servers' chains end at,
//! how many servers each, and the servers that end at a different root than most others
//! checked under the same name (the replica still on the old CA).

use std::collections::HashMap;

use serde::Serialize;

use super::report::CheckOutcome;

/// The roots a run's servers end at, and the servers that differ from their siblings.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct FleetSummary {
    /// Each trusted root a chain ended at, most servers first.
    pub roots: Vec<RootServed>,
    /// Servers reached whose chain ends at no trusted root.
    pub no_root: usize,
    /// Servers that could not be judged (no TLS session, a target that does not parse).
    pub unreached: usize,
    /// Servers ending at another root than most servers checked under the same name.
    pub differing: Vec<Differing>,
}

/// One root and how many servers end at it.
#[derive(Debug, Serialize)]
pub struct RootServed {
    /// RFC 2253.
    pub subject: String,
    /// Colon hex.
    pub sha256: crate::Fingerprint,
    /// How many servers' chains end at it.
    pub servers: usize,
}

/// A server that ends at another root than most others of its name.
#[derive(Debug, Serialize)]
pub struct Differing {
    /// Index into the outcomes.
    pub outcome: usize,
    /// The name checked against the certificate, shared with the others.
    pub name: String,
    /// The root this server ends at (`None`: no trusted root).
    pub root: Option<String>,
    /// The root most others of the name end at, and how many they are.
    pub others_root: Option<String>,
    /// How many other servers of the name end at `others_root`.
    pub others: usize,
}

/// A protocol and the name checked against the certificate.
type Name = (&'static str, String);
/// An outcome's index and the SHA-256 of the root it ends at.
type Member = (usize, Option<crate::Fingerprint>);

/// Counts the roots and finds the servers that differ from the others of their name
/// (protocol and server name). With a tie, the root seen first counts as the usual one.
pub fn fleet_summary(outcomes: &[CheckOutcome]) -> FleetSummary {
    let mut roots: Vec<RootServed> = Vec::new();
    let mut no_root = 0;
    let mut unreached = 0;
    let mut by_name: HashMap<Name, Vec<Member>> = HashMap::new();
    let mut names_in_order: Vec<Name> = Vec::new();
    for (i, outcome) in outcomes.iter().enumerate() {
        let Ok(report) = &outcome.result else {
            unreached += 1;
            continue;
        };
        let root = report.root.as_ref();
        match root {
            Some(root) => match roots.iter_mut().find(|r| r.sha256 == root.sha256) {
                Some(served) => served.servers += 1,
                None => roots.push(RootServed {
                    subject: root.subject.clone(),
                    sha256: root.sha256,
                    servers: 1,
                }),
            },
            None => no_root += 1,
        }
        let key = (report.protocol, report.server_name.to_ascii_lowercase());
        let members = by_name.entry(key.clone()).or_default();
        if members.is_empty() {
            names_in_order.push(key);
        }
        members.push((i, root.map(|r| r.sha256)));
    }
    roots.sort_by_key(|r| std::cmp::Reverse(r.servers));
    let subject_of = |sha256: Option<crate::Fingerprint>| {
        sha256.and_then(|s| {
            roots
                .iter()
                .find(|r| r.sha256 == s)
                .map(|r| r.subject.clone())
        })
    };
    let mut differing = Vec::new();
    for key in &names_in_order {
        let members = &by_name[key];
        let mut counts: Vec<(Option<crate::Fingerprint>, usize)> = Vec::new();
        for (_, root) in members {
            match counts.iter_mut().find(|(r, _)| r == root) {
                Some((_, n)) => *n += 1,
                None => counts.push((*root, 1)),
            }
        }
        if counts.len() < 2 {
            continue;
        }
        // The first of the largest groups: max_by_key would take the last.
        let (usual, usual_count) = counts
            .iter()
            .fold(counts[0], |best, &c| if c.1 > best.1 { c } else { best });
        for &(outcome, root) in members {
            if root != usual {
                differing.push(Differing {
                    outcome,
                    name: key.1.clone(),
                    root: subject_of(root),
                    others_root: subject_of(usual),
                    others: usual_count,
                });
            }
        }
    }
    differing.sort_by_key(|d| d.outcome);
    FleetSummary {
        roots,
        no_root,
        unreached,
        differing,
    }
}
