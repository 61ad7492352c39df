//! The text after each subcommand's options: examples, then the exit codes it uses, made
//! from the one table in [`crate::cmd::exit_codes`].

use rootcert::exit::{CONTENT, FILE, HOOK, INTERNAL, NETWORK, OK, USAGE};

use crate::cmd::exit_codes::{self, PIPE};

/// Where a manual install puts each file (README.md's Install section shows the same lines;
/// the Debian package uses the /usr/share ones).
pub const COMPLETIONS_AFTER_HELP: &str = "\
Examples:
  rootcert completions bash > /usr/local/share/bash-completion/completions/rootcert
  rootcert completions zsh > /usr/local/share/zsh/site-functions/_rootcert
  rootcert completions fish > ~/.config/fish/completions/rootcert.fish";

pub const MAN_AFTER_HELP: &str = "\
Examples:
  rootcert man --dir /usr/local/share/man/man1
  rootcert man > /usr/local/share/man/man1/rootcert.1
  rootcert man | man -l -";

pub fn fetch() -> String {
    format!(
        "{}\n\n{}",
        "Examples:
  rootcert fetch
  rootcert fetch -o ~/.postgresql/root.crt
  rootcert fetch --json -q -o /etc/myapp/DigiCertGlobalRootG2.crt.pem
  rootcert fetch --url https://mirror.internal/G2.pem --sha256 'sha256 Fingerprint=CB:3C:...'
  rootcert fetch --format pkcs12 -o /etc/myapp/truststore.p12     # for Java",
        exit_codes::help(&[OK, INTERNAL, USAGE, NETWORK, CONTENT, FILE, HOOK, PIPE])
    )
}

pub fn verify() -> String {
    format!(
        "{}\n\n{}",
        "Examples:
  rootcert verify ~/.postgresql/root.crt
  rootcert verify azure-postgres-flexible --min-days 30 /etc/myapp/azure-postgres-flexible.pem
  rootcert verify --sha256 CB:3C:... --json root.pem
  rootcert verify --textfile /var/lib/prometheus/node-exporter/rootcert-verify.prom root.pem",
        exit_codes::help(&[OK, USAGE, CONTENT, FILE, PIPE])
    )
}

pub fn inspect() -> String {
    format!(
        "{}\n\n{}",
        "Examples:
  rootcert inspect DigiCertGlobalRootG2.crt.pem
  rootcert inspect --json https://cacerts.digicert.com/DigiCertGlobalRootG2.crt
  openssl s_client -showcerts -connect host:443 </dev/null | rootcert inspect -",
        exit_codes::help(&[OK, USAGE, NETWORK, CONTENT, FILE, PIPE])
    )
}

pub fn check() -> String {
    format!(
        "{}\n\n{}\n{}",
        "Examples:
  rootcert check db.example.com
  rootcert check mydb.postgres.database.azure.com azure-postgres-flexible
  rootcert check 10.0.0.5:6432 --sni db.internal --ca ./root.crt --json
  rootcert check \"postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=/etc/app/root.crt\"
  rootcert check --env                      # DATABASE_URL, or PGHOST, PGSSLMODE, ...
  rootcert check \"mysql://app@mydb.mysql.database.azure.com?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/app/ca.pem\"
  rootcert check --targets fleet.txt --min-days 30 azure-postgres-flexible
  rootcert check tls://redis.internal:6380 --ca ./root.crt
  rootcert check --targets fleet.txt --ca ./root.crt --format openmetrics
  rootcert check --targets fleet.txt --ca ./root.crt --textfile /var/lib/prometheus/node-exporter/rootcert.prom",
        exit_codes::help(&[OK, USAGE, NETWORK, CONTENT, FILE, PIPE]),
        "With several targets (or several --client): 4 if any fails or is unverified; otherwise
the first other non-zero code (3 for a server that could not be reached, 2 for a target
that does not parse). --json prints one JSON object a line for every server."
    )
}

pub fn exporter() -> String {
    format!(
        "{}\n\n{}\nOtherwise it runs until stopped.",
        "Examples:
  rootcert exporter --config /etc/rootcert/exporter.toml
  rootcert exporter --config exporter.toml --listen 0.0.0.0:9819
  curl 'http://127.0.0.1:9819/probe?target=db.example.com:5432&module=postgres'

The configuration (TOML), one table per module:
  [modules.postgres]
  ca = \"/etc/rootcert/root.pem\"       # or profiles = [\"azure-postgres-flexible\"]
  min_days = 30                       # optional, as check --min-days
  [modules.mysql]
  protocol = \"mysql\"                  # postgres (default), mysql or tls
  ca = \"/etc/rootcert/mysql-ca.pem\"
  timeout = 5                         # seconds; a shorter scrape timeout wins
Other keys: client (as check --client), sni, direct, alpn.",
        exit_codes::help(&[USAGE])
    )
}
