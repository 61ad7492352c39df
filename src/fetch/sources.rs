//! Where certificates come from, in order: the URLs, the OS trust store, the built-in
//! copies; each URL downloaded once per run.

use std::collections::HashMap;

use super::in_place::describe;
use super::plan::{Plan, Wanted};
use crate::cert::Certificate;
use crate::download::Downloader;
use crate::error::{Attempt, Error};
use crate::fingerprint::Fingerprint;
use crate::hint::Hint;
use crate::parse::{looks_like_html, parse_certificates};
use crate::quote::url_text;
use crate::system_store::SystemStore;

/// The sources a run may use, built lazily and shared between certificates: one download
/// per URL and one read of the OS store, however many certificates come from them.
pub(super) struct Sources<'a> {
    plan: &'a Plan<'a>,
    downloader: Option<Downloader>,
    bodies: HashMap<String, Result<Vec<Certificate>, Attempt>>,
    store: Option<SystemStore>,
}

impl<'a> Sources<'a> {
    pub(super) fn new(plan: &'a Plan<'a>) -> Self {
        Sources {
            plan,
            downloader: None,
            bodies: HashMap::new(),
            store: None,
        }
    }

    pub(super) fn get(&mut self, wanted: &Wanted) -> Result<(Certificate, String), Error> {
        let mut attempts: Vec<Attempt> = Vec::new();
        let all_pins: Vec<Fingerprint> = self.plan.wanted.iter().map(|w| w.pin).collect();
        if self.plan.options.use_network {
            for (i, url) in wanted.urls.iter().enumerate() {
                let attempt = match self.certs_from(url)? {
                    Ok(certs) => match certs.iter().find(|c| c.sha256 == wanted.pin) {
                        Some(cert) => return Ok((cert.clone(), url_text(url))),
                        None => wrong_certificate(url, wanted, certs),
                    },
                    Err(attempt) => attempt.clone(),
                };
                // A body that delivered another pinned certificate is no failure to report.
                let served_another = matches!(
                    &self.bodies[url],
                    Ok(certs) if certs.iter().any(|c| all_pins.contains(&c.sha256))
                );
                if !served_another {
                    let next = match wanted.urls.get(i + 1) {
                        Some(next) => format!("; trying {next}"),
                        None if self.plan.options.use_system => {
                            "; trying the OS trust store next".to_string()
                        }
                        None if self.builtin_allowed() => {
                            "; using the built-in copy next".to_string()
                        }
                        None => String::new(),
                    };
                    self.plan
                        .note(&format!("{}: {}{next}", attempt.source, attempt.error));
                }
                attempts.push(attempt);
            }
        }
        if self.plan.options.use_system {
            let store = self
                .store
                .get_or_insert_with(|| SystemStore::load(&all_pins));
            match store.find(&wanted.pin) {
                Some(cert) => {
                    if !attempts.is_empty() {
                        self.plan.note(&format!(
                            "using {} from the OS trust store ({})",
                            wanted.name,
                            store.source().trim_start_matches("system:")
                        ));
                    }
                    return Ok((cert.clone(), store.source()));
                }
                None => {
                    let mut error = "not in the OS trust store".to_string();
                    if !store.errors.is_empty() {
                        error.push_str(&format!(" ({})", store.errors.join("; ")));
                    }
                    attempts.push(Attempt {
                        source: store.source(),
                        error,
                        hint: None,
                        wrong_content: false,
                    });
                }
            }
        }
        if self.builtin_allowed() {
            match crate::builtin::find(&wanted.pin) {
                Some(cert) => {
                    self.plan.note(&format!(
                        "using rootcert's built-in copy of {} (checked against its pin)",
                        wanted.name
                    ));
                    return Ok((cert, "builtin".to_string()));
                }
                None => attempts.push(Attempt {
                    source: "builtin".to_string(),
                    error: "rootcert has no built-in copy of it".to_string(),
                    hint: None,
                    wrong_content: false,
                }),
            }
        }
        Err(Error::from_attempts(
            &format!("{} (sha256 {})", wanted.name, wanted.pin),
            attempts,
        ))
    }

    /// Built-in copies serve catalog pins only: a custom pin is the user's own trust.
    fn builtin_allowed(&self) -> bool {
        self.plan.options.use_builtin && self.plan.options.pins.is_empty()
    }
    /// Downloads and parses `url` once per run.
    fn certs_from(&mut self, url: &str) -> Result<&Result<Vec<Certificate>, Attempt>, Error> {
        if !self.bodies.contains_key(url) {
            let downloader = match &self.downloader {
                Some(d) => d,
                None => self
                    .downloader
                    .insert(Downloader::new(&self.plan.options.net)?),
            };
            let plan = self.plan;
            plan.progress(&format!("downloading {}", url_text(url)));
            let result = match downloader.get(url, &mut |msg| {
                plan.note(msg);
                plan.progress(msg);
            }) {
                Ok(body) => parse_certificates(&body).map_err(|error| Attempt {
                    source: url_text(url),
                    error,
                    hint: looks_like_html(&body).then_some(Hint::WebPage),
                    wrong_content: true,
                }),
                Err(failed) => Err(Attempt {
                    source: url_text(url),
                    error: failed.message,
                    hint: failed.hint,
                    wrong_content: false,
                }),
            };
            self.bodies.insert(url.to_string(), result);
        }
        Ok(&self.bodies[url])
    }
}

fn wrong_certificate(url: &str, wanted: &Wanted, certs: &[Certificate]) -> Attempt {
    Attempt {
        source: url_text(url),
        error: format!(
            "not the pinned certificate: expected sha256 {}, got {}",
            wanted.pin,
            describe(certs)
        ),
        hint: None,
        wrong_content: true,
    }
}
