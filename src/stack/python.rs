//! (Being written: until then, OpenSSL's rules as libpq applies them.)

use crate::libpq::{self, Case, Verdict};

/// This stack's decision.
pub(crate) fn judge(case: &Case<'_>) -> Verdict {
    libpq::judge(case)
}
