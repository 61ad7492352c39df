//! Saving a trust file so that root can run rootcert in a directory other users can write.
//!
//! - The destination's directory is opened once, without following a link someone else
//!   could plant (see [`platform::resolve`] for each OS's rule). Every later check and the
//!   final link or rename happen relative to that handle.
//! - Only a regular file is ever replaced: a directory, device, FIFO or socket is refused,
//!   with or without `--force`. Local reads are bounded and never block.
//! - Runs on one directory are serialized with a lock on it. Under the lock the
//!   destination must still be what it was before the download (absent, or the same
//!   file, unchanged); otherwise nothing is replaced.
//! - The new file is written beside the destination (unnamed where the OS can), made
//!   durable, then given its name: a new file only if nothing appeared there meanwhile, a
//!   replacement in one atomic step, with interrupts held back meanwhile. A temporary name
//!   left by a killed run is removed by the next run. The replaced file's owner, group and
//!   mode are kept; a new file gets 0644 (on Windows: the directory's inherited ACL).

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::platform::{self, Access, CreateDirError, Identity, OpenError, PlaceError};
use crate::quote::path_text;
use crate::read::MAX_FILE_BYTES;

/// What was at the destination when rootcert looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    Absent,
    File(Existing),
}

/// A regular file at the destination: its identity, owner and mode, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Existing {
    identity: Identity,
    /// Owner, group and mode; none on Windows, where files have ACLs.
    pub(crate) access: Option<Access>,
    pub(crate) bytes: Vec<u8>,
}

pub use crate::platform::Permissions;

impl Permissions {
    /// Whether `existing` already has what is asked.
    pub(crate) fn satisfied_by(&self, existing: &Existing) -> bool {
        let Some(access) = existing.access else {
            return *self == Permissions::default();
        };
        self.mode.is_none_or(|m| m == access.mode)
            && self.uid.is_none_or(|u| u == access.uid)
            && self.gid.is_none_or(|g| g == access.gid)
    }
}

/// How a save ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Saved {
    /// The file was created or replaced.
    Written,
    /// While rootcert downloaded, another run wrote exactly what it would have written.
    AlreadyThere,
}

/// A destination resolved to a directory handle and a name in it.
pub(crate) struct Destination {
    /// The deepest directory that exists, and the directories still to create below it.
    dir: platform::Dir,
    missing: Vec<OsString>,
    name: OsString,
    /// The path as the user gave it, for messages.
    shown: PathBuf,
    /// Warnings found on the way (a directory others can write).
    pub warnings: Vec<String>,
}

fn dest_error(message: String) -> Error {
    Error::File(message)
}

impl Destination {
    /// Resolves `path` (absolute) safely, without creating anything.
    pub(crate) fn open(path: &Path) -> Result<Destination, Error> {
        let shown = path.to_path_buf();
        let platform::Resolved { dir, missing, name } = platform::resolve(path)?;
        // Who else could change the file is judged once it is saved (crate::owners).
        let warnings = Vec::new();
        Ok(Destination {
            dir,
            missing,
            name,
            shown,
            warnings,
        })
    }

    /// What is at the destination now. Anything but a regular file (or nothing) is an
    /// error: rootcert never replaces a directory, device, FIFO or socket.
    pub(crate) fn look(&self) -> Result<Found, Error> {
        if !self.missing.is_empty() {
            return Ok(Found::Absent);
        }
        let (file, info) = match self.dir.open_file(&self.name) {
            Ok(Some(opened)) => opened,
            Ok(None) => return Ok(Found::Absent),
            Err(OpenError::NotRegular(platform::Kind::Link)) => {
                return Err(dest_error(format!(
                    "{} changed into a symlink while rootcert was checking it; nothing was written",
                    path_text(&self.shown)
                )));
            }
            Err(OpenError::NotRegular(kind)) => return Err(not_regular(&self.shown, kind)),
            Err(OpenError::Io(e)) => return Err(cannot(&self.shown, "read", e)),
        };
        let bytes = read_bounded(file, info.size, &self.shown)?;
        Ok(Found::File(Existing {
            identity: info.identity,
            access: info.access,
            bytes,
        }))
    }

    /// Removes temporary files that killed runs left, when no other run holds the
    /// directory (the in-place re-run does this, so a kill never leaves litter for long).
    pub(crate) fn tidy(&self) {
        if self.missing.is_empty()
            && let Some(_lock) = self.dir.try_lock()
        {
            self.dir.remove_stale_temporaries(&self.name);
        }
    }

    /// Writes `contents` if the destination is still what `expected` describes. When it
    /// changed meanwhile and `already_right` accepts what is there now, nothing is written.
    pub(crate) fn save(
        &mut self,
        contents: &[u8],
        expected: &Found,
        permissions: Permissions,
        already_right: impl Fn(&[u8]) -> bool,
    ) -> Result<Saved, Error> {
        self.create_missing_dirs()?;
        let _lock = self
            .dir
            .lock()
            .map_err(|e| cannot(&self.shown, "lock the directory of", e))?;
        self.dir.remove_stale_temporaries(&self.name);
        // Still what rootcert saw? One stat answers; the file is read again only if not.
        if !self.unchanged(expected) {
            let now = self.look()?;
            if let Found::File(existing) = &now
                && already_right(&existing.bytes)
            {
                return Ok(Saved::AlreadyThere);
            }
            return Err(dest_error(format!(
                "{} changed while rootcert was downloading ({}); nothing was written. Run \
                 rootcert again to check what it holds now",
                path_text(&self.shown),
                match (&now, expected) {
                    (Found::File(_), Found::Absent) => "it appeared",
                    (Found::Absent, _) => "it was removed",
                    _ => "it was replaced",
                }
            )));
        }
        // From here until the new file has its name, an interrupt waits: no temporary
        // name may be left behind.
        let _held = platform::hold_interrupts();
        let temp = self.write_temporary(contents, expected, permissions)?;
        // Nothing may have moved between the look above and now; check once more, as
        // close to the link as possible.
        if !self.unchanged(expected) {
            return Err(dest_error(format!(
                "{} changed while rootcert was saving it; nothing was written",
                path_text(&self.shown)
            )));
        }
        match expected {
            Found::Absent => match self.dir.place_new(&temp, &self.name) {
                Ok(()) => {}
                Err(PlaceError::Exists) => {
                    return Err(dest_error(format!(
                        "{} appeared while rootcert was saving it; nothing was written",
                        path_text(&self.shown)
                    )));
                }
                Err(PlaceError::Io(e)) => return Err(cannot(&self.shown, "write", e)),
            },
            Found::File(_) => self
                .dir
                .replace(&temp, &self.name)
                .map_err(|e| cannot(&self.shown, "replace", e))?,
        }
        self.dir.sync();
        Ok(Saved::Written)
    }

    /// Whether the destination is still what `expected` describes.
    fn unchanged(&self, expected: &Found) -> bool {
        match (expected, self.dir.identity(&self.name)) {
            (Found::Absent, None) => true,
            (Found::File(e), Some(now)) => e.identity == now,
            _ => false,
        }
    }

    fn create_missing_dirs(&mut self) -> Result<(), Error> {
        for component in std::mem::take(&mut self.missing) {
            self.dir = self.dir.create_dir(&component).map_err(|e| match e {
                CreateDirError::Replaced => dest_error(format!(
                    "a directory on the way to {} was replaced while rootcert created it; \
                     nothing was written",
                    path_text(&self.shown)
                )),
                CreateDirError::Io(e) => cannot(&self.shown, "create the directory of", e),
            })?;
        }
        Ok(())
    }

    /// The new content beside the destination, with the owner and mode it will have,
    /// durable.
    fn write_temporary(
        &self,
        contents: &[u8],
        expected: &Found,
        permissions: Permissions,
    ) -> Result<platform::Temp, Error> {
        let write_error = |e: std::io::Error| {
            Error::destination(
                path_text(&self.shown),
                format!("cannot write {}: {e}", path_text(&self.shown)),
            )
        };
        let kept = match expected {
            Found::File(e) => e.access,
            Found::Absent => None,
        };
        let mut temp = self.dir.create_temp().map_err(write_error)?;
        temp.write_all(contents).map_err(write_error)?;
        temp.set_permissions(permissions, kept)
            .map_err(write_error)?;
        temp.sync().map_err(write_error)?;
        Ok(temp)
    }
}

/// Writes `contents` to `path` whatever the file holds now, for files rootcert does not pin
/// (node_exporter's textfile metrics): resolved as a trust file is, written unnamed in
/// the same directory (or under a `.rootcert-*.tmp` name, never one ending in the
/// file's own extension), made durable, then renamed over the old file, so a reader sees
/// the old file or the new one, never a part of either. A replaced file keeps its mode
/// and owner; a new one gets 0644.
pub fn replace_file(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let path =
        std::path::absolute(path).map_err(|e| Error::File(format!("{}: {e}", path_text(path))))?;
    let mut destination = Destination::open(&path)?;
    destination.replace(contents)
}

impl Destination {
    /// Replaces whatever regular file is at the destination (or creates it), without
    /// reading it: see [`replace_file`].
    fn replace(&mut self, contents: &[u8]) -> Result<(), Error> {
        self.create_missing_dirs()?;
        let _lock = self
            .dir
            .lock()
            .map_err(|e| cannot(&self.shown, "lock the directory of", e))?;
        self.dir.remove_stale_temporaries(&self.name);
        let existing = match self.dir.open_file(&self.name) {
            Ok(None) => Found::Absent,
            Ok(Some((_, info))) => Found::File(Existing {
                identity: info.identity,
                access: info.access,
                bytes: Vec::new(),
            }),
            Err(OpenError::NotRegular(kind)) => return Err(not_regular(&self.shown, kind)),
            Err(OpenError::Io(e)) => return Err(cannot(&self.shown, "inspect", e)),
        };
        let _held = platform::hold_interrupts();
        let temp = self.write_temporary(contents, &existing, Permissions::default())?;
        match existing {
            Found::Absent => match self.dir.place_new(&temp, &self.name) {
                Ok(()) => {}
                // Another writer got there first: replace theirs, as a rename would.
                Err(PlaceError::Exists) => self
                    .dir
                    .replace(&temp, &self.name)
                    .map_err(|e| cannot(&self.shown, "replace", e))?,
                Err(PlaceError::Io(e)) => return Err(cannot(&self.shown, "write", e)),
            },
            Found::File(_) => self
                .dir
                .replace(&temp, &self.name)
                .map_err(|e| cannot(&self.shown, "replace", e))?,
        }
        self.dir.sync();
        Ok(())
    }
}

fn not_regular(shown: &Path, kind: platform::Kind) -> Error {
    Error::NotRegularFile {
        path: path_text(shown),
        kind: kind.name().to_string(),
    }
}

fn cannot(shown: &Path, verb: &str, e: std::io::Error) -> Error {
    Error::destination(
        path_text(shown),
        format!("cannot {verb} {}: {e}", path_text(shown)),
    )
}

/// Reads at most [`MAX_FILE_BYTES`]; a larger file is an error that states the limit.
fn read_bounded(file: std::fs::File, size: u64, shown: &Path) -> Result<Vec<u8>, Error> {
    // Sized from the file's metadata, so a small file is one read, not a series of
    // growing probes.
    let mut bytes = Vec::with_capacity(size.min(MAX_FILE_BYTES) as usize + 1);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| dest_error(format!("cannot read {}: {e}", path_text(shown))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::destination(
            path_text(shown),
            format!(
                "{} is larger than {} KiB, far more than a trust file holds",
                path_text(shown),
                MAX_FILE_BYTES / 1024
            ),
        ));
    }
    Ok(bytes)
}

/// Writes `contents` to `path` (no earlier look).
#[cfg(test)]
fn save_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let mut destination = Destination::open(path)?;
    let found = destination.look()?;
    destination
        .save(contents, &found, Permissions::default(), |_| false)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_atomically_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/root.pem");
        save_atomically(&path, b"one").unwrap();
        save_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let entries: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }

    #[test]
    fn keeps_the_mode_of_a_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("root.pem");
        fs::write(&path, "one").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        save_atomically(&path, b"two").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn parent_that_is_a_file_is_a_destination_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = save_atomically(&file.join("sub/root.pem"), b"x").unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::FILE);
        assert!(err.to_string().contains("is not a directory"), "{err}");
        assert_eq!(fs::read(&file).unwrap(), b"x");
    }

    #[test]
    fn follows_an_own_symlink_instead_of_replacing_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.pem");
        let link = dir.path().join("link.pem");
        fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        save_atomically(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn a_change_after_the_look_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("root.pem");
        let mut destination = Destination::open(&path).unwrap();
        let found = destination.look().unwrap();
        fs::write(&path, "someone else's").unwrap();
        let err = destination
            .save(b"ours", &found, Permissions::default(), |_| false)
            .unwrap_err();
        assert!(err.to_string().contains("changed while"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"someone else's");
        drop(destination); // releases the directory lock
        // ... unless what appeared is exactly what we would write.
        let mut destination = Destination::open(&path).unwrap();
        let found = destination.look().unwrap();
        fs::remove_file(&path).unwrap();
        fs::write(&path, "ours").unwrap();
        let saved = destination
            .save(b"ours", &found, Permissions::default(), |b| b == b"ours")
            .unwrap();
        assert_eq!(saved, Saved::AlreadyThere);
    }

    #[test]
    fn without_o_tmpfile_saves_replace_and_keep_a_newcomer_and_leave_no_temporary() {
        crate::platform::force_named_temporaries(true);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("root.pem");
        save_atomically(&path, b"one").unwrap();
        save_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        // A file that appears after the look is kept, not replaced.
        fs::remove_file(&path).unwrap();
        let mut destination = Destination::open(&path).unwrap();
        let found = destination.look().unwrap();
        fs::write(&path, "someone else's").unwrap();
        assert!(
            destination
                .save(b"ours", &found, Permissions::default(), |_| false)
                .is_err()
        );
        drop(destination);
        assert_eq!(fs::read(&path).unwrap(), b"someone else's");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary name is left");
        crate::platform::force_named_temporaries(false);
    }

    #[test]
    fn replace_file_replaces_whatever_regular_file_is_there_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rootcert.prom");
        replace_file(&path, b"one\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        replace_file(&path, b"two\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two\n");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        let err = replace_file(dir.path(), b"x").unwrap_err();
        assert!(
            matches!(&err, Error::NotRegularFile { kind, .. } if kind == "a directory"),
            "{err:?}"
        );
        assert!(
            !err.to_string().contains("--"),
            "the library names no flag: {err}"
        );
    }

    #[test]
    fn stale_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".rootcert-0123456789abcdef.tmp"), "x").unwrap();
        fs::write(dir.path().join(".root.pem.AbC123.tmp"), "x").unwrap();
        fs::write(dir.path().join("unrelated.tmp"), "x").unwrap();
        save_atomically(&dir.path().join("root.pem"), b"pem").unwrap();
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["root.pem", "unrelated.tmp"]);
    }
}
