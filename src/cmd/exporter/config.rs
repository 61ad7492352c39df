//! The exporter's configuration file (TOML): named modules, each saying what to trust and
//! how to judge. A probe names a module and a target, nothing else, so whoever can reach
//! the exporter can make it connect to a host and port, but never read a file of its
//! choosing or change a setting.
//!
//! ```toml
//! [modules.postgres]
//! ca = "/etc/rootcert/root.pem"   # trust only these roots (or: profiles = ["..."])
//! min_days = 30                    # fail a chain with a certificate expiring sooner
//!
//! [modules.mysql]
//! protocol = "mysql"               # postgres (default), mysql, tls
//! ca = "/etc/rootcert/mysql-ca.pem"
//! timeout = 5                      # seconds; a shorter scrape timeout wins
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use rootcert::{CheckOptions, Driver, Error, Protocol, TargetText};

/// The largest configuration file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A probe's timeout when neither its module nor the scrape gives one.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    modules: BTreeMap<String, ModuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleFile {
    protocol: Option<String>,
    ca: Option<PathBuf>,
    #[serde(default)]
    profiles: Vec<String>,
    client: Option<String>,
    min_days: Option<u32>,
    timeout: Option<f64>,
    #[serde(default)]
    direct: bool,
    sni: Option<String>,
    #[serde(default)]
    alpn: Vec<String>,
}

/// One module: everything about a probe but its target.
#[derive(Debug, Clone)]
pub struct Module {
    pub name: String,
    pub protocol: Protocol,
    ca: Option<PathBuf>,
    profiles: Vec<String>,
    client: Option<Driver>,
    min_days: Option<u32>,
    /// The module's own timeout, if it sets one.
    pub timeout: Option<Duration>,
    direct: bool,
    sni: Option<String>,
    alpn: Vec<String>,
}

impl Module {
    /// The timeout of a probe: the module's, shortened to fit the scrape's when the scraper
    /// says how long it waits.
    pub fn timeout_within(&self, scrape: Option<Duration>) -> Duration {
        match (self.timeout, scrape) {
            (Some(own), Some(scrape)) => own.min(scrape),
            (Some(own), None) => own,
            (None, Some(scrape)) => scrape,
            (None, None) => DEFAULT_TIMEOUT,
        }
    }

    /// The check of one target under this module.
    pub fn options(&self, target: &str, timeout: Duration) -> CheckOptions {
        CheckOptions {
            targets: vec![TargetText::from(target)],
            protocol: Some(self.protocol),
            profiles: self.profiles.clone(),
            ca: self.ca.clone(),
            sni: self.sni.clone(),
            direct: self.direct,
            alpn: self.alpn.clone(),
            timeout,
            jobs: 1,
            per_server: 1,
            min_days: self.min_days,
            clients: self.client.into_iter().collect(),
            ..CheckOptions::default()
        }
    }

    /// Where a target of this module connects, to count probes per server: the host as
    /// written, lower-case, with the protocol's default port when it names none.
    pub fn server_of(&self, target: &str) -> String {
        let lower = target.to_ascii_lowercase();
        let has_port = match lower.rfind(']') {
            Some(end) => lower[end..].contains(':'),
            None => lower.matches(':').count() == 1,
        };
        match (has_port, self.protocol) {
            (true, _) | (false, Protocol::Tls) => lower,
            (false, Protocol::Postgres) => format!("{lower}:5432"),
            (false, Protocol::Mysql) => format!("{lower}:3306"),
        }
    }
}

/// The modules, by name.
#[derive(Debug)]
pub struct Config {
    pub modules: BTreeMap<String, Module>,
}

impl Config {
    /// Reads and checks the file: every module's settings are valid and its trust file is
    /// readable now (it is read again at every probe, so a renewed file is used at once).
    pub fn load(path: &Path) -> Result<Config, Error> {
        let shown = path.display().to_string();
        let bad = |why: String| {
            Error::Usage(format!(
                "{}: {why}",
                super::super::output::terminal_safe(&shown)
            ))
        };
        // A regular file only: a FIFO or a device must not hang the service's start.
        let bytes =
            rootcert::os::read_regular_file(path, MAX_CONFIG_BYTES).map_err(Error::Usage)?;
        let text = String::from_utf8(bytes).map_err(|_| bad("it is not UTF-8 text".into()))?;
        Config::parse(&text).map_err(bad)
    }

    /// Checks a configuration's text (trust files included).
    pub fn parse(text: &str) -> Result<Config, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.modules.is_empty() {
            return Err("no module: add a [modules.NAME] table".into());
        }
        let mut modules = BTreeMap::new();
        for (name, m) in file.modules {
            let module = module(&name, m).map_err(|why| format!("module {name}: {why}"))?;
            modules.insert(name, module);
        }
        Ok(Config { modules })
    }
}

fn module(name: &str, m: ModuleFile) -> Result<Module, String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        return Err("a module name is letters, digits, '_', '-' and '.'".into());
    }
    let protocol = match m.protocol.as_deref().unwrap_or("postgres") {
        "postgres" | "postgresql" => Protocol::Postgres,
        "mysql" | "mariadb" => Protocol::Mysql,
        "tls" => Protocol::Tls,
        other => {
            return Err(format!("protocol {other:?} is not postgres, mysql or tls"));
        }
    };
    match (&m.ca, m.profiles.is_empty()) {
        (Some(_), false) => return Err("give either ca or profiles, not both".into()),
        (None, true) => {
            return Err(
                "say what to trust: ca = \"/path/root.pem\" or profiles = [\"...\"]".into(),
            );
        }
        _ => {}
    }
    if let Some(ca) = &m.ca {
        if !ca.is_absolute() {
            return Err(
                "ca must be an absolute path (the service's directory is not yours)".into(),
            );
        }
        rootcert::os::read_regular_file(ca, rootcert::os::MAX_FILE_BYTES)
            .map_err(|e| format!("ca: {e}"))?;
    }
    for profile in &m.profiles {
        if rootcert::catalog::find(profile).is_none() {
            return Err(format!(
                "no profile {profile:?} in the catalog (rootcert list)"
            ));
        }
    }
    if !m.profiles.is_empty() {
        // Each probe looks for the file `rootcert fetch` saved for them (else the OS
        // store): that needs a data directory, which a service may lack.
        rootcert::catalog::resolve_profiles(&m.profiles)
            .and_then(|p| rootcert::catalog::default_destination(&p))
            .map_err(|e| {
                format!(
                    "profiles need rootcert's directory ({}): set ROOTCERT_DIR, or use ca",
                    crate::cmd::flags::error_text(&e)
                )
            })?;
    }
    let client = match m.client.as_deref() {
        None => None,
        Some(name) => {
            let names: Vec<&str> = Driver::ALL.iter().map(|d| d.name()).collect();
            let driver = Driver::from_name(name)
                .ok_or_else(|| format!("client {name:?} is not one of {}", names.join(", ")))?;
            if driver.protocol() != protocol {
                return Err(format!(
                    "client {} speaks {}, not this module's {}",
                    driver.name(),
                    driver.protocol().as_str(),
                    protocol.as_str()
                ));
            }
            Some(driver)
        }
    };
    let timeout = match m.timeout {
        None => None,
        Some(t) if t > 0.0 && t <= 300.0 => Some(Duration::from_secs_f64(t)),
        Some(_) => return Err("timeout must be more than 0 and at most 300 seconds".into()),
    };
    if m.direct && protocol != Protocol::Postgres {
        return Err("direct is for postgres modules (sslnegotiation=direct)".into());
    }
    Ok(Module {
        name: name.to_string(),
        protocol,
        ca: m.ca,
        profiles: m.profiles,
        client,
        min_days: m.min_days,
        timeout,
        direct: m.direct,
        sni: m.sni,
        alpn: m.alpn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO as the configuration or as a module's ca is refused at once, not waited on
    /// (opening a FIFO for reading blocks until someone writes).
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let Err(Error::Usage(err)) = Config::load(&fifo) else {
            panic!("a FIFO configuration was accepted");
        };
        assert!(err.contains("a FIFO"), "{err}");
        let err =
            Config::parse(&format!("[modules.a]\nca = \"{}\"\n", fifo.display())).unwrap_err();
        assert!(err.contains("a FIFO"), "{err}");
    }

    #[test]
    fn a_module_must_say_what_to_trust_and_nothing_unknown() {
        let err = Config::parse("[modules.a]\nprotocol = \"tls\"\n").unwrap_err();
        assert!(err.contains("say what to trust"), "{err}");
        let err = Config::parse("[modules.a]\nca = \"/etc/hostname\"\nsslrootcert = \"x\"\n")
            .unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
        let err = Config::parse("[modules.a]\nca = \"relative.pem\"\n").unwrap_err();
        assert!(err.contains("absolute"), "{err}");
        let err = Config::parse("[modules.a]\nca = \"/etc/hostname\"\nprotocol = \"smtp\"\n")
            .unwrap_err();
        assert!(err.contains("not postgres, mysql or tls"), "{err}");
        let config = Config::parse(
            "[modules.pg]\nca = \"/etc/hostname\"\nmin_days = 30\ntimeout = 5\nclient = \"pgx\"\n",
        )
        .unwrap();
        let pg = &config.modules["pg"];
        assert_eq!(pg.protocol, Protocol::Postgres);
        assert_eq!(
            pg.timeout_within(Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(pg.timeout_within(None), Duration::from_secs(5));
        assert_eq!(pg.server_of("DB.example.com"), "db.example.com:5432");
        assert_eq!(pg.server_of("[::1]:6432"), "[::1]:6432");
        assert_eq!(pg.server_of("::1"), "::1:5432");
    }
}
