//! Driver snippets that check prints, run as printed.

use super::*;

/// The `text` of the `settings` entry for `client` in a `check --json` report.
pub fn setting(report: &serde_json::Value, client: &str) -> String {
    report["settings"]
        .as_array()
        .unwrap_or_else(|| panic!("no settings: {report}"))
        .iter()
        .find(|s| s["client"] == client)
        .unwrap_or_else(|| panic!("no {client} setting: {report}"))["text"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Where the npm packages for the Node snippets are (.ci/run installs them there).
pub fn node_modules() -> String {
    std::env::var("ROOTCERT_NODE_MODULES").unwrap_or_else(|_| {
        format!(
            "{}/.cache/rootcert-node/node_modules",
            std::env::var("HOME").unwrap_or_default()
        )
    })
}

/// Runs `code` with `python3 -c` or `node -e` and panics when it fails. A missing
/// interpreter or library is a skip, unless ROOTCERT_REQUIRE_CLIENTS is set.
pub fn run_snippet(program: &str, code: &str) {
    let flag = if program == "node" { "-e" } else { "-c" };
    let out = Command::new(program)
        .args([flag, code])
        .env("NODE_PATH", node_modules())
        .output();
    let missing = match &out {
        Err(e) => Some(e.to_string()),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            (stderr.contains("ModuleNotFoundError") || stderr.contains("Cannot find module"))
                .then(|| stderr.into_owned())
        }
    };
    match (missing, out) {
        (Some(why), _) if std::env::var_os("ROOTCERT_REQUIRE_CLIENTS").is_none() => {
            suites::skipped(&format!("{program} client snippets"), &why);
        }
        (Some(why), _) => panic!("{program} or its library is missing: {why}"),
        (None, Ok(out)) => {
            suites::ran(&format!("{program} client snippets"));
            assert!(
                out.status.success(),
                "{code}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        }
        (None, Err(_)) => unreachable!("a spawn error is a missing interpreter"),
    }
}
