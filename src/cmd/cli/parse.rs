//! Value parsers: what a flag's text must be, with messages that say why not.

use std::time::Duration;

use rootcert::Fingerprint;

/// A profile name as typed: any string (the library reports an unknown one with the closest
/// match and the whole list), while completion scripts offer the catalog's names.
#[derive(Debug, Clone, Copy)]
pub(super) struct ProfileName;

impl clap::builder::TypedValueParser for ProfileName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(rootcert::catalog::PROFILES.iter().map(|p| {
            clap::builder::PossibleValue::new(p.name)
                .aliases(p.aliases.iter().copied())
                .help(p.description)
        })))
    }
}

pub(super) fn parse_mode(value: &str) -> Result<u32, String> {
    let digits = value.strip_prefix("0o").unwrap_or(value);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 => Ok(mode),
        Ok(mode) if mode <= 0o7777 => Err(format!(
            "{value} sets the setuid, setgid or sticky bit, which a trust file never needs \
             (and setuid on a file root writes is a hazard): give permission bits only, such \
             as 644 or 640"
        )),
        _ => Err(format!(
            "'{value}' is not an octal file mode such as 644 or 0640"
        )),
    }
}

/// A driver's name or alias, or `all` (`None`).
pub(super) fn parse_client(value: &str) -> Result<Option<rootcert::Driver>, String> {
    if value.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    rootcert::Driver::from_name(value).map(Some).ok_or_else(|| {
        let names: Vec<&str> = rootcert::Driver::ALL.iter().map(|d| d.name()).collect();
        format!(
            "not a driver rootcert knows: one of {}, or all",
            names.join(", ")
        )
    })
}

/// An ALPN protocol name is 1 to 255 bytes (RFC 7301); TLS cannot carry anything else.
pub(super) fn parse_alpn(value: &str) -> Result<String, String> {
    match value.len() {
        1..=255 => Ok(value.to_string()),
        0 => Err("an ALPN protocol name cannot be empty (such as redis or h2)".into()),
        n => Err(format!(
            "an ALPN protocol name is at most 255 bytes (RFC 7301), not {n}"
        )),
    }
}

pub(super) fn parse_fingerprint(value: &str) -> Result<Fingerprint, String> {
    value.parse()
}

pub(super) fn parse_seconds(value: &str) -> Result<Duration, String> {
    let seconds: f64 = value
        .parse()
        .map_err(|_| format!("'{value}' is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err("must be more than 0 and at most 86400 seconds".to_string());
    }
    Ok(Duration::from_secs_f64(seconds))
}
