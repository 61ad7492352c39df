//! `fetch --json`: the report as the library serializes it, but its warnings said with our
//! flags.

use rootcert::{CertSummary, ConnectLines, FetchReport, FetchStatus, JavaLines, TrustFormat};

use super::{Hook, flags};

/// `fetch --json`: the report, what the hook did, and the exit code. The report's fields
/// in its order, but the warnings said with our flags (a test keeps the fields complete).
#[derive(serde::Serialize)]
pub(super) struct FetchJson<'a> {
    status: FetchStatus,
    format: TrustFormat,
    path: &'a Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    path_escaped: bool,
    certificates: &'a [CertSummary],
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connect: &'a Option<ConnectLines>,
    #[serde(skip_serializing_if = "Option::is_none")]
    java: &'a Option<JavaLines>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_change: Option<&'a Hook>,
    exit_code: u8,
}

impl<'a> FetchJson<'a> {
    pub(super) fn new(report: &'a FetchReport, on_change: Option<&'a Hook>, exit_code: u8) -> Self {
        FetchJson {
            status: report.status,
            format: report.format,
            path: &report.path,
            path_escaped: report.path_escaped,
            certificates: &report.certificates,
            warnings: report
                .warnings
                .iter()
                .map(|w| w.said(&flags::Flags))
                .collect(),
            connect: &report.connect,
            java: &report.java,
            on_change,
            exit_code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_report_is_in_the_json() {
        let report = rootcert::fetch(&rootcert::FetchOptions {
            out: rootcert::Output::Stdout,
            use_network: false,
            use_system: false,
            ..rootcert::FetchOptions::default()
        })
        .expect("the built-in copy of the default profile");
        let library = serde_json::to_value(&report).unwrap();
        let ours = serde_json::to_value(FetchJson::new(&report, None, 0)).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        for key in keys(&library) {
            assert!(keys(&ours).contains(&key), "fetch --json lacks {key}");
        }
        assert_eq!(library["warnings"], ours["warnings"]);
    }
}
