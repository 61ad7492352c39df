//! What the user set and what would fix an error, as values: the library never names a
//! command-line flag, so a message carries a [`Setting`] or a [`Hint`] and the binary says
//! it with its flags (a [`Wording`]). `Display` says them in words ([`Words`]).

/// A setting the user chose, by what it is (the binary knows the flag that sets it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The deadline for each download or connection.
    Timeout,
    /// The base URL that serves the catalog's files.
    Mirror,
    /// The CA trusted for downloads instead of the OS roots.
    CaFile,
    /// Where the trust file is saved.
    Out,
    /// The owner given to a saved file.
    Owner,
    /// The group given to a saved file.
    Group,
    /// The mode given to a saved file.
    Mode,
    /// The fewest days a certificate must have left.
    MinDays,
    /// The target read from the environment (`DATABASE_URL`, `PG*`).
    Env,
    /// The client whose rules judge a target.
    Client,
    /// The protocol spoken to reach TLS.
    Protocol,
    /// Direct TLS, without PostgreSQL's SSLRequest.
    Direct,
    /// The roots a check trusts.
    Ca,
    /// A certificate's own URL.
    Url,
    /// A file of targets.
    Targets,
}

impl Setting {
    /// Every setting, for a caller that must say each one (the binary tests its flags).
    pub const ALL: &[Setting] = &[
        Setting::Timeout,
        Setting::Mirror,
        Setting::CaFile,
        Setting::Out,
        Setting::Owner,
        Setting::Group,
        Setting::Mode,
        Setting::MinDays,
        Setting::Env,
        Setting::Client,
        Setting::Protocol,
        Setting::Direct,
        Setting::Ca,
        Setting::Url,
        Setting::Targets,
    ];

    /// The setting in words, for a message that names no flag.
    pub fn words(self) -> &'static str {
        match self {
            Setting::Timeout => "the timeout",
            Setting::Mirror => "the mirror URL",
            Setting::CaFile => "the CA file for downloads",
            Setting::Out => "the destination",
            Setting::Owner => "the owner",
            Setting::Group => "the group",
            Setting::Mode => "the mode",
            Setting::MinDays => "the minimum days left",
            Setting::Env => "the target from the environment",
            Setting::Client => "the client",
            Setting::Protocol => "the protocol",
            Setting::Direct => "direct TLS",
            Setting::Ca => "the roots to trust",
            Setting::Url => "the certificate's URL",
            Setting::Targets => "the targets file",
        }
    }
}

/// Advice that fixes an error, said after its message (each variant's text starts with its
/// own separator: a space, a comma, a colon).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Hint {
    /// A download took the whole timeout of `seconds`.
    TimedOut {
        /// The timeout.
        seconds: f64,
    },
    /// The next retry would start past the timeout of `seconds`, so none was made.
    PastTimeout {
        /// The last try used up the timeout itself.
        timed_out: bool,
        /// When the next try would have started, in words.
        wait: String,
        /// The timeout.
        seconds: f64,
    },
    /// A server's certificate is from an unknown CA, and this system has no CA store.
    NoCaStore,
    /// A server's certificate is from an unknown CA: an intercepting proxy's, perhaps.
    InterceptingProxy,
    /// A URL served a web page where a certificate was expected.
    WebPage,
    /// There is no data directory to save in by default.
    NoDataDir,
    /// The roots to trust could not be read.
    GiveRoots,
    /// No target was given.
    GiveTarget,
    /// `client` cannot read this kind of string; checking its host and port with a CA
    /// file works (after "or").
    OrCheckHostPort {
        /// The client, as the report names it.
        client: &'static str,
    },
    /// The same, as the only way.
    CheckHostPort {
        /// The client, as the report names it.
        client: &'static str,
    },
    /// pgjdbc trusts the JVM's store here: check the same roots as a given CA file.
    CheckJavaStore,
    /// Someone else owns the trust file: chown it, or save it with another owner.
    ChownOrOwner,
    /// Others may write the trust file: save it with mode 644.
    Mode644,
    /// Plain TLS needs a host and a port.
    TlsNeedsHostPort,
    /// Direct TLS was refused: PostgreSQL's SSLRequest may work.
    TryWithoutDirect,
    /// The setting that decided this.
    SetBy(Setting),
}

impl std::fmt::Display for Hint {
    /// The hint in words.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hint::TimedOut { seconds } => {
                write!(
                    f,
                    " (a timeout of {seconds} s for the URL, retries included)"
                )
            }
            Hint::PastTimeout {
                timed_out,
                wait,
                seconds,
            } => {
                if *timed_out {
                    Hint::TimedOut { seconds: *seconds }.fmt(f)?;
                }
                write!(f, "; {wait}, past the timeout of {seconds} s: not retried")
            }
            Hint::NoCaStore => f.write_str(
                " (this system has no CA store: install ca-certificates, or give a CA file)",
            ),
            Hint::InterceptingProxy => {
                f.write_str(" (behind an intercepting proxy? trust its CA for downloads)")
            }
            Hint::WebPage => {
                f.write_str(" Open the URL in a browser, or give the certificate's own address")
            }
            Hint::NoDataDir => f.write_str("; give a destination or set ROOTCERT_DIR"),
            Hint::GiveRoots => {
                f.write_str(". Give the roots to trust or a profile, or fetch them first")
            }
            Hint::GiveTarget => f.write_str(
                ": give HOST[:PORT] or a connection string, a targets file, or the environment",
            ),
            Hint::OrCheckHostPort { client } => {
                write!(f, ", or check HOST:PORT with a CA file as {client}")
            }
            Hint::CheckHostPort { client } => {
                write!(f, ": check HOST:PORT with a CA file as {client}")
            }
            Hint::CheckJavaStore => f.write_str(
                ": check the same roots as a CA file (a PKCS#12 fetch writes such a store)",
            ),
            Hint::ChownOrOwner => f.write_str(" (chown it, or save it with another owner)"),
            Hint::Mode644 => f.write_str(" (save it with mode 644)"),
            Hint::TlsNeedsHostPort => f.write_str(" (plain TLS needs HOST:PORT)"),
            Hint::TryWithoutDirect => f.write_str(" (try without direct TLS)"),
            Hint::SetBy(setting) => write!(f, " ({})", setting.words()),
        }
    }
}

/// A warning in a report, and what would fix it. Serialized in words, as `Display` says it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Warning {
    /// What is wrong.
    pub text: String,
    /// What would fix it, said after `text`.
    pub hint: Option<Hint>,
}

impl Warning {
    /// The warning, its hint said by `wording`.
    pub fn said(&self, wording: &dyn Wording) -> String {
        match &self.hint {
            Some(hint) => format!("{}{}", self.text, wording.hint(hint)),
            None => self.text.clone(),
        }
    }
}

impl From<String> for Warning {
    fn from(text: String) -> Self {
        Warning { text, hint: None }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.said(&Words))
    }
}

impl serde::Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// How a message says settings and hints: [`Words`] for the library's `Display`; the
/// binary's names the flags.
pub trait Wording {
    /// The setting, as the subject of a sentence.
    fn setting(&self, setting: Setting) -> String;
    /// The hint, from its separator on.
    fn hint(&self, hint: &Hint) -> String;
}

/// Settings and hints in words, naming no flag.
#[derive(Debug, Clone, Copy)]
pub struct Words;

impl Wording for Words {
    fn setting(&self, setting: Setting) -> String {
        setting.words().to_string()
    }

    fn hint(&self, hint: &Hint) -> String {
        hint.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_holds_every_setting() {
        // A new setting fails to compile here until it is in ALL too.
        for setting in Setting::ALL {
            match setting {
                Setting::Timeout
                | Setting::Mirror
                | Setting::CaFile
                | Setting::Out
                | Setting::Owner
                | Setting::Group
                | Setting::Mode
                | Setting::MinDays
                | Setting::Env
                | Setting::Client
                | Setting::Protocol
                | Setting::Direct
                | Setting::Ca
                | Setting::Url
                | Setting::Targets => {}
            }
        }
        assert_eq!(Setting::ALL.len(), 15);
    }
}
