//! `rootcert list`: the catalog, for people (a table), machines (JSON) and README.md (Markdown).

use serde::Serialize;

use super::cli::ListArgs;
use super::output::print_json;
use rootcert::catalog::{DEFAULT_PROFILE, PROFILES, Profile};

#[derive(Serialize)]
struct ProfileJson {
    name: &'static str,
    aliases: &'static [&'static str],
    description: &'static str,
    certificates: Vec<CertJson>,
}

#[derive(Serialize)]
struct CertJson {
    name: &'static str,
    file_name: &'static str,
    sha256: String,
    urls: &'static [&'static str],
}

fn to_json(profile: &Profile) -> ProfileJson {
    ProfileJson {
        name: profile.name,
        aliases: profile.aliases,
        description: profile.description,
        certificates: profile
            .certs
            .iter()
            .map(|c| CertJson {
                name: c.name,
                file_name: c.file_name,
                sha256: c.sha256.to_string(),
                urls: c.urls,
            })
            .collect(),
    }
}

pub fn run(args: &ListArgs, json: bool) {
    if json {
        print_json(&PROFILES.iter().map(to_json).collect::<Vec<_>>());
    } else if args.markdown {
        super::output::write_stdout(markdown_table().as_bytes());
    } else {
        super::output::write_stdout(human_table().as_bytes());
    }
}

fn human_table() -> String {
    let mut out = String::new();
    for profile in PROFILES {
        let default = if profile.name == DEFAULT_PROFILE {
            " (default)"
        } else {
            ""
        };
        out.push_str(&format!("{}{default}\n", profile.name));
        if !profile.aliases.is_empty() {
            out.push_str(&format!("  aliases: {}\n", profile.aliases.join(", ")));
        }
        out.push_str(&format!("  {}\n", profile.description));
        for cert in profile.certs {
            out.push_str(&format!("  - {}\n    sha256 {}\n", cert.name, cert.sha256));
            for url in cert.urls {
                out.push_str(&format!("    {url}\n"));
            }
        }
        out.push('\n');
    }
    out
}

/// The catalog table in README.md; a test keeps the two identical.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| profile | aliases | what it is for | certificates and SHA-256 pins | URLs, in order |\n\
         |---|---|---|---|---|\n",
    );
    for profile in PROFILES {
        let certs: Vec<String> = profile
            .certs
            .iter()
            .map(|c| format!("{}: `{}`", c.name, c.sha256))
            .collect();
        let urls: Vec<String> = profile
            .certs
            .iter()
            .flat_map(|c| c.urls.iter())
            .map(|u| format!("`{u}`"))
            .collect();
        let aliases: Vec<String> = profile.aliases.iter().map(|a| format!("`{a}`")).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            profile.name,
            aliases.join(", "),
            profile.description,
            certs.join("<br>"),
            urls.join("<br>")
        ));
    }
    out
}
