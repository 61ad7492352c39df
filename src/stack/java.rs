//! (Being written: until then, OpenSSL's rules as libpq applies them.)

use crate::libpq::{self, Case, TrustFile, Verdict};

/// The trust file as this stack loads it.
pub(crate) fn load(bytes: &[u8]) -> TrustFile {
    TrustFile::load(bytes)
}

/// This stack's decision.
pub(crate) fn judge(case: &Case<'_>) -> Verdict {
    libpq::judge(case)
}
