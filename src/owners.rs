//! Who else could change a trust file: the file and every directory above it, judged as
//! OpenSSH's StrictModes judges `authorized_keys`. Whoever can write the file, or replace
//! it in its directory, can swap the CA that every client of it trusts.

use std::path::Path;

use crate::hint::{Hint, Warning};
use crate::quote::path_text;

/// The reasons someone other than root and the caller could change `path`, as warnings.
/// The file's own directory must be writable by its owner alone; above it, one difference
/// from StrictModes: a directory with the sticky bit (`/tmp`) is fine above an entry that
/// root or the caller owns, since nobody else may rename or remove it there.
pub(crate) fn others_can_change(path: &Path) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let Some(me) = crate::platform::caller_uid() else {
        return warnings;
    };
    let Ok(file) = std::fs::symlink_metadata(path) else {
        return warnings;
    };
    let mut below = crate::platform::owner_and_mode(&file);
    if let Some((owner, mode)) = below {
        if owner != 0 && owner != me {
            warnings.push(Warning {
                text: format!(
                    "{} is owned by user {owner}, who can change the CA it holds",
                    path_text(path)
                ),
                hint: Some(Hint::ChownOrOwner),
            });
        }
        if mode & 0o022 != 0 {
            warnings.push(Warning {
                text: format!(
                    "{} is writable by {} (mode {:o}): anyone who can write it can swap the CA",
                    path_text(path),
                    writers(mode),
                    mode & 0o7777
                ),
                hint: Some(Hint::Mode644),
            });
        }
    }
    let Some(parent) = path.parent().and_then(|p| {
        std::fs::canonicalize(if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        })
        .ok()
    }) else {
        return warnings;
    };
    for (i, dir) in parent.ancestors().enumerate() {
        let Some((owner, mode)) = std::fs::metadata(dir)
            .ok()
            .as_ref()
            .and_then(crate::platform::owner_and_mode)
        else {
            break;
        };
        let sticky_over_ours = mode & 0o1000 != 0
            && below.is_some_and(|(below_owner, _)| below_owner == 0 || below_owner == me);
        if owner != 0 && owner != me {
            warnings.push(Warning::from(format!(
                "the directory {} above it is owned by user {owner}, who can replace the file",
                path_text(dir)
            )));
        } else if i == 0 && mode & 0o022 != 0 {
            // Its own directory, sticky or not: before the file exists, anyone who may
            // write there may plant it.
            warnings.push(Warning::from(format!(
                "the directory of {} is writable by users other than its owner (mode {:o}): \
                 they can replace the trust file after rootcert has checked it; keep trust \
                 files in a directory only their owner can write",
                path_text(path),
                mode & 0o7777
            )));
        } else if mode & 0o022 != 0 && !sticky_over_ours {
            warnings.push(Warning::from(format!(
                "the directory {} above it is writable by {} (mode {:o}), who can replace the \
                 directory below it",
                path_text(dir),
                writers(mode),
                mode & 0o7777
            )));
        }
        below = Some((owner, mode));
    }
    warnings
}

fn writers(mode: u32) -> &'static str {
    match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => "its group and every user",
        (true, false) => "its group",
        _ => "every user",
    }
}
