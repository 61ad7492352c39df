//! The library's settings and hints said with this command line's flags: the library names
//! what the user set ([`Setting`]) and what would fix an error ([`Hint`]); the flags are
//! ours.

use rootcert::{Attempt, Error, Hint, Setting, Wording};

/// The flag that sets `setting`.
pub fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Timeout => "--timeout",
        Setting::Mirror => "--mirror",
        Setting::CaFile => "--ca-file",
        Setting::Out => "--out",
        Setting::Owner => "--owner",
        Setting::Group => "--group",
        Setting::Mode => "--mode",
        Setting::MinDays => "--min-days",
        Setting::Env => "--env",
        Setting::Client => "--client",
        Setting::Protocol => "--protocol",
        Setting::Direct => "--direct",
        Setting::Ca => "--ca",
        Setting::Url => "--url",
        Setting::Targets => "--targets",
        // A setting this binary does not know yet: the test below fails first.
        other => {
            debug_assert!(false, "no flag for {other:?}");
            other.words()
        }
    }
}

/// The hint, from its separator on, naming our flags.
fn hint(hint: &Hint) -> String {
    match hint {
        Hint::TimedOut { seconds } => {
            format!(" (--timeout {seconds} s for the URL, retries included)")
        }
        Hint::PastTimeout {
            timed_out,
            wait,
            seconds,
        } => {
            let first = if *timed_out {
                self::hint(&Hint::TimedOut { seconds: *seconds })
            } else {
                String::new()
            };
            format!("{first}; {wait}, past the --timeout of {seconds} s: not retried")
        }
        Hint::NoCaStore => {
            " (this system has no CA store: install ca-certificates, or pass --ca-file)".into()
        }
        Hint::InterceptingProxy => {
            " (behind an intercepting proxy? pass its CA with --ca-file)".into()
        }
        Hint::WebPage => {
            " Open the URL in a browser, or pass --url with the certificate's address".into()
        }
        Hint::NoDataDir => "; pass --out or set ROOTCERT_DIR".into(),
        Hint::GiveRoots => ". Pass --ca PATH or a profile, or run `rootcert fetch` first".into(),
        Hint::GiveTarget => {
            ": give HOST[:PORT] or a connection string, --targets FILE, or --env".into()
        }
        Hint::OrCheckHostPort { client } => {
            format!(", or check HOST:PORT --ca FILE --client {client}")
        }
        Hint::CheckHostPort { client } => format!(": check HOST:PORT --ca FILE --client {client}"),
        Hint::CheckJavaStore => ": check the same roots with --ca FILE (rootcert fetch --format \
                                 pkcs12 writes such a store)"
            .into(),
        Hint::ChownOrOwner => " (chown it, or pass --owner)".into(),
        Hint::Mode644 => " (pass --mode 644)".into(),
        Hint::TlsNeedsHostPort => " (--protocol tls needs HOST:PORT)".into(),
        Hint::TryWithoutDirect => " (try without --direct)".into(),
        Hint::SetBy(setting) => format!(" ({})", flag(*setting)),
        // A hint this binary does not know yet: said in the library's words, and a debug
        // build (every test run) stops here.
        other => {
            debug_assert!(false, "no flags for {other:?}");
            other.to_string()
        }
    }
}

/// Settings as flags, hints naming flags.
pub struct Flags;

impl Wording for Flags {
    fn setting(&self, setting: Setting) -> String {
        flag(setting).to_string()
    }

    fn hint(&self, hint: &Hint) -> String {
        self::hint(hint)
    }
}

/// Where a checked target was given: its text, or the flag that gave it.
pub fn target(outcome: &rootcert::CheckOutcome) -> std::borrow::Cow<'_, str> {
    match outcome.given_by {
        Some(setting) => flag(setting).into(),
        None => (*outcome.target).into(),
    }
}

/// An error's message as this command line says it.
pub fn error_text(err: &Error) -> String {
    err.text(&Flags)
}

/// An attempt's error and hint as this command line says them.
pub fn attempt_error(attempt: &Attempt) -> String {
    attempt.error_text(&Flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_names_the_flag_that_fixes_it() {
        let warning = rootcert::Warning::from("x.pem is writable by every user".to_string());
        assert_eq!(warning.said(&Flags), "x.pem is writable by every user");
        let mut warning = warning;
        warning.hint = Some(Hint::Mode644);
        assert_eq!(
            warning.said(&Flags),
            "x.pem is writable by every user (pass --mode 644)"
        );
        assert!(!warning.to_string().contains("--"), "{warning}");
    }

    #[test]
    fn every_setting_has_a_flag() {
        for &setting in Setting::ALL {
            assert!(flag(setting).starts_with("--"), "{setting:?}");
        }
    }

    #[test]
    fn a_bad_setting_names_its_flag_and_the_library_does_not() {
        let err = Error::BadSetting {
            setting: Setting::Mirror,
            problem: " ftp://x/: only http and https are supported".into(),
        };
        assert_eq!(
            error_text(&err),
            "--mirror ftp://x/: only http and https are supported"
        );
        assert_eq!(
            err.to_string(),
            "the mirror URL ftp://x/: only http and https are supported"
        );
        let hinted = Error::Usage("no target".into()).with_hint(Hint::GiveTarget);
        assert!(error_text(&hinted).ends_with("--targets FILE, or --env"));
        assert!(!hinted.to_string().contains("--"), "{hinted}");
        assert_eq!(hinted.exit_code(), rootcert::exit::USAGE);
    }

    #[test]
    fn settings_and_hints_inside_a_sentence_keep_their_place() {
        let windows = Error::Unsupported {
            settings: vec![Setting::Owner, Setting::Group, Setting::Mode],
            problem: " do not exist on Windows".into(),
        };
        assert_eq!(
            error_text(&windows),
            "--owner, --group and --mode do not exist on Windows"
        );
        assert_eq!(
            windows.to_string(),
            "the owner, the group and the mode do not exist on Windows"
        );
        let stdin = Error::TargetsUnreadable {
            cause: Box::new(
                Error::File("standard input sent nothing to its end within 1 s".into())
                    .with_hint(Hint::SetBy(Setting::Timeout)),
            ),
        }
        .map_message(|m| format!("here: {m}"));
        assert_eq!(
            error_text(&stdin),
            "here: standard input sent nothing to its end within 1 s (--timeout): cannot read \
             the targets"
        );
        assert_eq!(stdin.exit_code(), rootcert::exit::USAGE);
        let target = Error::BadTarget {
            label: "db".into(),
            problem: "no port".into(),
            hint: Hint::TlsNeedsHostPort,
            at: 3,
        }
        .map_message(|m| format!("target 2: {m}"));
        assert_eq!(
            error_text(&target),
            "target 2: db: no port (--protocol tls needs HOST:PORT) (at character 3)"
        );
        assert_eq!(target.exit_code(), rootcert::exit::USAGE);
    }
}
