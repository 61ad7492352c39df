//! The targets as the user wrote them: on the command line, or one a line in a `--targets`
//! file, each remembering where it came from.

use std::time::Duration;

use crate::error::Error;
use crate::quote::path_text;

/// A target as the user wrote it, and where: messages about a target that does not parse
/// name the place, never the text (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetText {
    /// The text.
    pub text: String,
    /// Where it came from: `line 7 of targets.txt`; `None` for a command-line argument.
    pub origin: Option<String>,
}

impl From<&str> for TargetText {
    fn from(text: &str) -> Self {
        TargetText {
            text: text.to_string(),
            origin: None,
        }
    }
}

impl From<String> for TargetText {
    fn from(text: String) -> Self {
        TargetText { text, origin: None }
    }
}

/// Reads a `--targets` file (`-`: standard input, waiting at most `timeout`): one target a
/// line; blank lines and `#` comments (whole lines, or after a space) skipped. Each target
/// remembers its line, so that a line that does not parse is named by number, never
/// shown.
pub fn read_targets_file(
    path: &std::path::Path,
    timeout: Duration,
) -> Result<Vec<TargetText>, Error> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "standard input".to_string()
    } else {
        path_text(path)
    };
    let bytes = if stdin {
        crate::read::read_stdin(crate::read::MAX_FILE_BYTES, timeout)
    } else {
        crate::read::read_file(path, crate::read::MAX_FILE_BYTES)
            .map_err(|e| Error::File(e.to_string()))
    }
    .map_err(|e| Error::TargetsUnreadable { cause: Box::new(e) })?;
    let not_text = || {
        Error::Usage(format!(
            "{name} is not a text file of targets (it holds NUL bytes or is not UTF-8): give \
             one target a line"
        ))
    };
    if bytes.contains(&0) {
        return Err(not_text());
    }
    let text = String::from_utf8(bytes).map_err(|_| not_text())?;
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, line)| (i, without_comment(line).trim()))
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, line)| TargetText {
            text: line.to_string(),
            origin: Some(format!("line {} of {name}", i + 1)),
        })
        .collect())
}

/// A line up to a `#` that starts it or follows a space, outside a libpq quoted value.
fn without_comment(line: &str) -> &str {
    let mut quoted = false;
    let mut escaped = false;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '\'' => quoted = !quoted,
            '#' if !quoted && previous.is_whitespace() => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}
