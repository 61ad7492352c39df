//! When to try again: the server's `Retry-After`, else exponential backoff with jitter.

use std::time::{Duration, SystemTime};

use reqwest::header::RETRY_AFTER;

use super::MAX_RETRY_AFTER;

const BACKOFF_BASE: Duration = Duration::from_millis(250);

/// The server's `Retry-After` when it gave one, else our backoff; never above 30 s.
pub(super) fn retry_delay(retry_after: Option<Duration>, attempt: u32) -> Duration {
    retry_after
        .unwrap_or_else(|| backoff(attempt))
        .min(MAX_RETRY_AFTER)
}

/// 0.25–0.5 s, 0.5–1 s, 1–2 s, …: exponential with jitter so a fleet does not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = BACKOFF_BASE.saturating_mul(1u32 << attempt.min(16));
    base + base.mul_f64(fastrand::f64())
}

pub(super) fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// A `Retry-After` header's wait: delay-seconds or an HTTP date (a date in the past means
/// no wait). `None` for anything else.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_values() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_30_seconds() {
        assert_eq!(
            retry_delay(Some(Duration::from_secs(2)), 0),
            Duration::from_secs(2)
        );
        assert_eq!(
            retry_delay(Some(Duration::from_secs(3600)), 0),
            MAX_RETRY_AFTER
        );
        assert!(retry_delay(None, 20) <= MAX_RETRY_AFTER);
    }

    #[test]
    fn backoff_grows_with_jitter() {
        for attempt in 0..4 {
            let base = BACKOFF_BASE * (1 << attempt);
            let delay = backoff(attempt);
            assert!(delay >= base && delay <= base * 2, "{attempt}: {delay:?}");
        }
    }
}
