//! Certificate validity times read straight from the DER, because the `der` crate's
//! UTCTime cannot hold the years 1950–1969 that X.509 allows (and OpenSSL accepts).

use std::time::{Duration, SystemTime};

use crate::tlv::read_tlv;

const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// A certificate validity time: UTC, whole seconds, any year X.509 allows. Displays and
/// serialises as RFC 3339 (`1950-01-01T00:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl Timestamp {
    /// `YYMMDDHHMMSSZ` (UTCTime, 50–99 meaning 1950–1999) or `YYYYMMDDHHMMSSZ`.
    fn parse(tag: u8, text: &[u8]) -> Option<Timestamp> {
        let digits = |range: std::ops::Range<usize>| -> Option<i32> {
            let part = text.get(range)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(part).ok()?.parse().ok()
        };
        let (year, rest) = match (tag, text.len()) {
            (UTC_TIME, 13) => {
                let yy = digits(0..2)?;
                (if yy < 50 { 2000 + yy } else { 1900 + yy }, 2)
            }
            (GENERALIZED_TIME, 15) => (digits(0..4)?, 4),
            _ => return None,
        };
        if text.last() != Some(&b'Z') {
            return None;
        }
        let field = |i: usize| digits(rest + 2 * i..rest + 2 * i + 2).map(|v| v as u8);
        let time = Timestamp {
            year,
            month: field(0)?,
            day: field(1)?,
            hour: field(2)?,
            minute: field(3)?,
            second: field(4)?,
        };
        let valid = (1..=12).contains(&time.month)
            && (1..=31).contains(&time.day)
            && time.hour < 24
            && time.minute < 60
            && time.second < 60;
        valid.then_some(time)
    }

    /// Seconds since the Unix epoch, negative before 1970.
    pub fn unix_seconds(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// The same instant as a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        let seconds = self.unix_seconds();
        if seconds >= 0 {
            SystemTime::UNIX_EPOCH + Duration::from_secs(seconds as u64)
        } else {
            SystemTime::UNIX_EPOCH - Duration::from_secs(seconds.unsigned_abs())
        }
    }

    /// `time` to the whole second (Howard Hinnant's civil_from_days).
    pub(crate) fn from_system_time(time: SystemTime) -> Timestamp {
        let seconds = match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        let (days, second) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Timestamp {
            year: (yoe + era * 400 + i64::from(month <= 2)) as i32,
            month: month as u8,
            day: day as u8,
            hour: (second / 3600) as u8,
            minute: (second / 60 % 60) as u8,
            second: (second % 60) as u8,
        }
    }

    /// RFC 3339, UTC: `1950-01-01T00:00:00Z`.
    pub(crate) fn rfc3339(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// As JSON: the RFC 3339 text `Display` prints.
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm), negative before it.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Each TLV in `der[start..end]` as (tag, offset of its value, length of its value).
fn children(der: &[u8], start: usize, end: usize) -> Option<Vec<(u8, usize, usize)>> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end {
        let (tag, total, value) = read_tlv(der.get(pos..end)?)?;
        out.push((tag, pos + total - value.len(), value.len()));
        pos += total;
    }
    Some(out)
}

/// Where the two validity times sit in a certificate's DER: (tag, offset, length) each.
fn validity_fields(der: &[u8]) -> Option<[(u8, usize, usize); 2]> {
    let (_, total, value) = read_tlv(der)?;
    let certificate = children(der, total - value.len(), total)?;
    let &(_, tbs_start, tbs_len) = certificate.first()?;
    let tbs = children(der, tbs_start, tbs_start + tbs_len)?;
    // [0] version (optional), serialNumber, signature, issuer, then validity.
    let skip = usize::from(tbs.first()?.0 == 0xa0);
    let &(tag, start, len) = tbs.get(skip + 3)?;
    if tag != 0x30 {
        return None;
    }
    match children(der, start, start + len)?.as_slice() {
        [a, b] => Some([*a, *b]),
        _ => None,
    }
}

/// The certificate's notBefore and notAfter.
pub(crate) fn validity(der: &[u8]) -> Option<(Timestamp, Timestamp)> {
    let [a, b] = validity_fields(der)?;
    let read = |(tag, offset, len): (u8, usize, usize)| {
        Timestamp::parse(tag, der.get(offset..offset + len)?)
    };
    Some((read(a)?, read(b)?))
}

/// A copy of `der` whose UTCTimes before 1970 say 1970 instead, for parsers whose time type
/// starts there; `None` when there is nothing to patch.
pub(crate) fn with_pre_1970_years_patched(der: &[u8]) -> Option<Vec<u8>> {
    let fields = validity_fields(der)?;
    let mut patched = der.to_vec();
    let mut changed = false;
    for (tag, offset, _) in fields {
        let yy = der.get(offset..offset + 2)?;
        if tag == UTC_TIME && yy >= b"50".as_slice() && yy < b"70".as_slice() {
            patched[offset..offset + 2].copy_from_slice(b"70");
            changed = true;
        }
    }
    changed.then_some(patched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_generalized_times() {
        let t = Timestamp::parse(UTC_TIME, b"500101000000Z").unwrap();
        assert_eq!(t.rfc3339(), "1950-01-01T00:00:00Z");
        assert_eq!(
            t.to_system_time(),
            SystemTime::UNIX_EPOCH - Duration::from_secs(631_152_000)
        );
        let t = Timestamp::parse(UTC_TIME, b"491231235959Z").unwrap();
        assert_eq!(t.rfc3339(), "2049-12-31T23:59:59Z");
        let t = Timestamp::parse(GENERALIZED_TIME, b"20500101000000Z").unwrap();
        assert_eq!(
            t.to_system_time(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(2_524_608_000)
        );
        let seconds = |text: &[u8]| {
            Timestamp::parse(GENERALIZED_TIME, text)
                .unwrap()
                .unix_seconds()
        };
        assert_eq!(seconds(b"19700101000000Z"), 0);
        assert_eq!(seconds(b"20000301000001Z"), 951_868_801);
        assert_eq!(seconds(b"19500101000000Z"), -631_152_000);
        assert_eq!(seconds(b"20380119031408Z"), 2_147_483_648);
        for text in [
            &b"19500101000000Z"[..],
            b"19700101000000Z",
            b"20380119031408Z",
        ] {
            let t = Timestamp::parse(GENERALIZED_TIME, text).unwrap();
            assert_eq!(Timestamp::from_system_time(t.to_system_time()), t);
        }
        assert!(Timestamp::parse(UTC_TIME, b"501301000000Z").is_none());
        assert!(Timestamp::parse(UTC_TIME, b"5001010000Z").is_none());
    }
}
