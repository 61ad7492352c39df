//! Which tool- and server-backed suites ran and which were skipped. libtest hides what a
//! passing test prints, so a lone SKIP line is lost: each skip is written straight to the
//! process's stderr (past the capture), and a summary is printed when the test binary exits.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Mutex, Once};

#[derive(Default)]
struct Tally {
    ran: bool,
    skipped: Option<String>,
}

static SUITES: Mutex<BTreeMap<String, Tally>> = Mutex::new(BTreeMap::new());

/// A test of `suite` found what it needs and runs.
pub fn ran(suite: &str) {
    record(suite, |tally| tally.ran = true);
}

/// A test of `suite` skips because of `why` (the caller has already refused the skip when
/// the suite's ROOTCERT_REQUIRE_* variable is set).
pub fn skipped(suite: &str, why: &str) {
    record(suite, |tally| {
        tally.skipped.get_or_insert_with(|| why.to_string());
    });
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {suite}: {why}");
}

fn record(suite: &str, update: impl FnOnce(&mut Tally)) {
    static AT_EXIT: Once = Once::new();
    AT_EXIT.call_once(|| {
        // SAFETY: `print_summary` is an `extern "C" fn()` that does not unwind.
        unsafe { libc::atexit(print_summary) };
    });
    let mut suites = SUITES.lock().unwrap_or_else(|e| e.into_inner());
    update(suites.entry(suite.to_string()).or_default());
}

extern "C" fn print_summary() {
    let Ok(suites) = SUITES.lock() else { return };
    let mut out = std::io::stderr().lock();
    let _ = writeln!(out, "\nsuites that need tools or servers:");
    for (suite, tally) in suites.iter() {
        let line = match (&tally.skipped, tally.ran) {
            (None, _) => format!("  ran      {suite}"),
            (Some(why), false) => format!("  SKIPPED  {suite}: {why}"),
            (Some(why), true) => format!("  SKIPPED  {suite} (in part): {why}"),
        };
        let _ = writeln!(out, "{line}");
    }
}
