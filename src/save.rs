//! Saving a trust file so that root can run rootcert in a directory other users can write.
//!
//! - The destination's directory is opened once, walking the path one component at a time
//!   without following symlinks; a symlink (in the path or at the destination) is followed
//!   only when it belongs to the invoking user or root, the kernel's `protected_symlinks`
//!   rule. Every later check and the final link or rename happen relative to that handle.
//! - Only a regular file is ever replaced: a directory, device, FIFO or socket is refused,
//!   with or without `--force`. Local reads are bounded and never block.
//! - Runs on one directory are serialized with an advisory lock on its handle. Under the
//!   lock the destination must still be what it was before the download (absent, or the
//!   same inode); otherwise nothing is replaced.
//! - The new file is written unnamed (`O_TMPFILE`), made durable, then linked in: a run
//!   killed before that leaves nothing behind. A new file is linked at its name directly;
//!   a replacement goes through a short `.rootcert-*.tmp` name and a rename, with SIGINT,
//!   SIGTERM and SIGHUP held back meanwhile. Such a name left by a SIGKILL is removed by the
//!   next run. The replaced file's owner, group and mode are kept; a new file gets 0644.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
use rustix::io::Errno;

use crate::error::Error;
use crate::quote::path_text;

use crate::read::{MAX_FILE_BYTES, kind_name};
/// Symlinks followed while resolving one path, as the kernel's limit.
const MAX_LINKS: usize = 40;
const NEW_FILE_MODE: u32 = 0o644;
const TEMP_PREFIX: &str = ".rootcert-";
const TEMP_SUFFIX: &str = ".tmp";

/// What was at the destination when rootcert looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    Absent,
    File(Existing),
}

/// A regular file at the destination: its identity, owner and mode, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Existing {
    /// Device, inode and change time: an inode number alone can be reused at once.
    identity: (u64, u64, i64, i64),
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) mode: u32,
    pub(crate) bytes: Vec<u8>,
}

/// The mode, owner and group a saved file must have; unset ones keep the replaced file's
/// (a new file: 0644, the user running rootcert).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Permissions {
    /// File mode bits (0o644 and the like).
    pub mode: Option<u32>,
    /// Owner, as a user id.
    pub uid: Option<u32>,
    /// Group, as a group id.
    pub gid: Option<u32>,
}

impl Permissions {
    /// Whether `existing` already has what is asked.
    pub(crate) fn satisfied_by(&self, existing: &Existing) -> bool {
        self.mode.is_none_or(|m| m == existing.mode & 0o7777)
            && self.uid.is_none_or(|u| u == existing.uid)
            && self.gid.is_none_or(|g| g == existing.gid)
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
    dir: OwnedFd,
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
        let name = path
            .file_name()
            .ok_or_else(|| {
                dest_error(format!(
                    "{} names no file; choose a file path with --out",
                    path_text(path)
                ))
            })?
            .to_os_string();
        let parent = path.parent().unwrap_or(Path::new("/"));
        let mut links = 0;
        let (mut dir, mut missing) = walk(root()?, components(parent), &shown, &mut links)?;
        let mut name = name;
        // A symlink at the destination: follow it only when its owner may be trusted.
        while missing.is_empty() {
            let stat = match rustix::fs::statat(&dir, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => stat,
                Err(Errno::NOENT) => break,
                Err(e) => return Err(cannot(&shown, "inspect", e)),
            };
            if FileType::from_raw_mode(stat.st_mode) != FileType::Symlink {
                break;
            }
            trusted_link(&stat, &shown)?;
            links += 1;
            if links > MAX_LINKS {
                return Err(dest_error(format!(
                    "{}: too many levels of symlinks",
                    path_text(&shown)
                )));
            }
            let target = rustix::fs::readlinkat(&dir, name.as_os_str(), Vec::new())
                .map_err(|e| cannot(&shown, "read the symlink", e))?;
            let target = PathBuf::from(OsStr::from_bytes(target.to_bytes()));
            let start = if target.is_absolute() {
                root()?
            } else {
                dir.try_clone()
                    .map_err(|e| dest_error(format!("{}: {e}", path_text(&shown))))?
            };
            name = target
                .file_name()
                .ok_or_else(|| {
                    dest_error(format!(
                        "{} is a symlink to {}, which names no file",
                        path_text(&shown),
                        path_text(&target)
                    ))
                })?
                .to_os_string();
            let parent = target.parent().unwrap_or(Path::new(""));
            (dir, missing) = walk(start, components(parent), &shown, &mut links)?;
        }
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
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let file = match rustix::fs::openat(&self.dir, self.name.as_os_str(), flags, Mode::empty())
        {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(Found::Absent),
            Err(Errno::LOOP) => {
                return Err(dest_error(format!(
                    "{} changed into a symlink while rootcert was checking it; nothing was written",
                    path_text(&self.shown)
                )));
            }
            Err(Errno::NXIO) => return Err(not_regular(&self.shown, FileType::Socket)),
            Err(e) => return Err(cannot(&self.shown, "read", e)),
        };
        let stat = rustix::fs::fstat(&file).map_err(|e| cannot(&self.shown, "inspect", e))?;
        let kind = FileType::from_raw_mode(stat.st_mode);
        if kind != FileType::RegularFile {
            return Err(not_regular(&self.shown, kind));
        }
        let bytes = read_bounded(std::fs::File::from(file), stat.st_size, &self.shown)?;
        Ok(Found::File(Existing {
            identity: identity_of(&stat),
            uid: stat.st_uid,
            gid: stat.st_gid,
            mode: stat.st_mode & 0o7777,
            bytes,
        }))
    }

    /// Removes temporary files that killed runs left, when no other run holds the
    /// directory (the in-place re-run does this, so a kill never leaves litter for long).
    pub(crate) fn tidy(&self) {
        if self.missing.is_empty()
            && rustix::fs::flock(
                &self.dir,
                rustix::fs::FlockOperation::NonBlockingLockExclusive,
            )
            .is_ok()
        {
            remove_stale_temporaries(&self.dir, &self.name);
            let _ = rustix::fs::flock(&self.dir, rustix::fs::FlockOperation::Unlock);
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
        rustix::fs::flock(&self.dir, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| cannot(&self.shown, "lock the directory of", e))?;
        remove_stale_temporaries(&self.dir, &self.name);
        // Still what rootcert saw? One stat answers; the file is read again only if not.
        let unchanged = match (expected, self.identity()) {
            (Found::Absent, None) => true,
            (Found::File(e), Some(now)) => e.identity == now,
            _ => false,
        };
        if !unchanged {
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
        // name may be left behind (where the file system lacks O_TMPFILE, one exists).
        let _held = HeldSignals::hold();
        let temp = self.write_unnamed(contents, expected, permissions)?;
        // Nothing may have moved between the look above and now; check once more, as
        // close to the link as possible.
        let again = self.identity();
        let unchanged = match (expected, again) {
            (Found::Absent, None) => true,
            (Found::File(e), Some(now)) => e.identity == now,
            _ => false,
        };
        if !unchanged {
            return Err(dest_error(format!(
                "{} changed while rootcert was saving it; nothing was written",
                path_text(&self.shown)
            )));
        }
        match expected {
            Found::Absent => match self.link(&temp, &self.name) {
                Ok(()) => {}
                Err(Errno::EXIST) => {
                    return Err(dest_error(format!(
                        "{} appeared while rootcert was saving it; nothing was written",
                        path_text(&self.shown)
                    )));
                }
                Err(e) => return Err(cannot(&self.shown, "write", e)),
            },
            Found::File(_) => {
                let temp_name = temporary_name();
                self.link(&temp, &temp_name)
                    .map_err(|e| cannot(&self.shown, "write", e))?;
                if let Err(e) = rustix::fs::renameat(
                    &self.dir,
                    temp_name.as_os_str(),
                    &self.dir,
                    self.name.as_os_str(),
                ) {
                    let _ =
                        rustix::fs::unlinkat(&self.dir, temp_name.as_os_str(), AtFlags::empty());
                    return Err(cannot(&self.shown, "replace", e));
                }
            }
        }
        // Durable rename. Best effort: some file systems refuse to fsync a directory.
        let _ = rustix::fs::fsync(&self.dir);
        Ok(Saved::Written)
    }

    fn identity(&self) -> Option<(u64, u64, i64, i64)> {
        let stat =
            rustix::fs::statat(&self.dir, self.name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW).ok()?;
        Some(identity_of(&stat))
    }

    fn create_missing_dirs(&mut self) -> Result<(), Error> {
        for component in std::mem::take(&mut self.missing) {
            match rustix::fs::mkdirat(&self.dir, component.as_os_str(), Mode::from_raw_mode(0o755))
            {
                Ok(()) | Err(Errno::EXIST) => {}
                Err(e) => return Err(cannot(&self.shown, "create the directory of", e)),
            }
            self.dir = open_child_dir(&self.dir, &component).map_err(|e| match e {
                Errno::LOOP | Errno::NOTDIR => dest_error(format!(
                    "a directory on the way to {} was replaced while rootcert created it; \
                     nothing was written",
                    path_text(&self.shown)
                )),
                e => cannot(&self.shown, "create the directory of", e),
            })?;
        }
        Ok(())
    }

    /// The new content in a file without a name (or, where the file system cannot do that,
    /// under a temporary name), with the owner and mode it will have, fsynced.
    fn write_unnamed(
        &self,
        contents: &[u8],
        expected: &Found,
        permissions: Permissions,
    ) -> Result<Temp, Error> {
        let (kept_mode, kept_owner) = match expected {
            Found::File(e) => (e.mode & 0o777, (Some(e.uid), Some(e.gid))),
            Found::Absent => (NEW_FILE_MODE, (None, None)),
        };
        let mode = permissions.mode.unwrap_or(kept_mode);
        let owner = (
            permissions.uid.or(kept_owner.0),
            permissions.gid.or(kept_owner.1),
        );
        let write_error = |e: std::io::Error| {
            dest_error(format!(
                "cannot write {}: {e}; choose another path with --out",
                path_text(&self.shown)
            ))
        };
        let unnamed = if without_tmpfile() {
            Err(Errno::OPNOTSUPP)
        } else {
            rustix::fs::openat(
                &self.dir,
                ".",
                OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o600),
            )
        };
        let temp = match unnamed {
            Ok(fd) => Temp { fd, name: None },
            // No O_TMPFILE on this file system: a short temporary name instead.
            Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL | Errno::NOENT) => {
                let name = temporary_name();
                let fd = rustix::fs::openat(
                    &self.dir,
                    name.as_os_str(),
                    OFlags::CREATE
                        | OFlags::EXCL
                        | OFlags::WRONLY
                        | OFlags::NOFOLLOW
                        | OFlags::CLOEXEC,
                    Mode::from_raw_mode(0o600),
                )
                .map_err(|e| write_error(e.into()))?;
                Temp {
                    fd,
                    name: Some((self.dir.try_clone().map_err(write_error)?, name)),
                }
            }
            Err(e) => return Err(write_error(e.into())),
        };
        let mut file = std::fs::File::from(temp.fd.try_clone().map_err(write_error)?);
        file.write_all(contents).map_err(write_error)?;
        if owner != (None, None) {
            let asked = permissions.uid.is_some() || permissions.gid.is_some();
            let result = rustix::fs::fchown(
                &file,
                owner.0.map(rustix::fs::Uid::from_raw),
                owner.1.map(rustix::fs::Gid::from_raw),
            );
            // Keeping a replaced file's owner is best effort (only root may give a file
            // away); an owner that was asked for must be set.
            if let Err(e) = result
                && asked
            {
                return Err(write_error(e.into()));
            }
        }
        rustix::fs::fchmod(&file, Mode::from_raw_mode(mode)).map_err(|e| write_error(e.into()))?;
        // Data and size; the name comes with the directory's fsync after the link.
        file.sync_data().map_err(write_error)?;
        Ok(temp)
    }

    /// Gives the temporary file `name` in the directory.
    /// Fails with EEXIST when `name` exists, like the unnamed file's link: a file that
    /// appeared at the last moment is never replaced.
    fn link(&self, temp: &Temp, name: &OsStr) -> Result<(), Errno> {
        if let Some((_, temp_name)) = &temp.name {
            // A hard link, not a rename: the temporary name goes when `temp` is dropped.
            return rustix::fs::linkat(
                &self.dir,
                temp_name.as_os_str(),
                &self.dir,
                name,
                AtFlags::empty(),
            );
        }
        match rustix::fs::linkat(&temp.fd, "", &self.dir, name, AtFlags::EMPTY_PATH) {
            // Without CAP_DAC_READ_SEARCH, link through /proc instead.
            Err(Errno::NOENT | Errno::PERM) => {
                let proc_path = format!(
                    "/proc/self/fd/{}",
                    std::os::fd::AsRawFd::as_raw_fd(&temp.fd)
                );
                rustix::fs::linkat(
                    rustix::fs::CWD,
                    proc_path.as_str(),
                    &self.dir,
                    name,
                    AtFlags::SYMLINK_FOLLOW,
                )
            }
            other => other,
        }
    }
}

/// Writes `contents` to `path` whatever the file holds now, for files rootcert does not pin
/// (node_exporter's textfile metrics): resolved as a trust file is, written unnamed in
/// the same directory (or under a `.rootcert-*.tmp` name, never one ending in the
/// file's own extension), made durable, then renamed over the old file, so a reader sees
/// the old file or the new one, never a part of either. A replaced file keeps its mode
/// and owner; a new one gets 0644. `flag` names the option that gave the path, in
/// messages.
pub fn replace_file(path: &Path, contents: &[u8], flag: &str) -> Result<(), Error> {
    // The messages below name fetch's --out; this path came from another option.
    let named = |e: Error| e.map_message(|m| m.replace("with --out", &format!("with {flag}")));
    let path =
        std::path::absolute(path).map_err(|e| Error::File(format!("{}: {e}", path_text(path))))?;
    let mut destination = Destination::open(&path).map_err(named)?;
    destination.replace(contents).map_err(named)
}

impl Destination {
    /// Replaces whatever regular file is at the destination (or creates it), without
    /// reading it: see [`replace_file`].
    fn replace(&mut self, contents: &[u8]) -> Result<(), Error> {
        self.create_missing_dirs()?;
        rustix::fs::flock(&self.dir, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| cannot(&self.shown, "lock the directory of", e))?;
        remove_stale_temporaries(&self.dir, &self.name);
        let existing =
            match rustix::fs::statat(&self.dir, self.name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
                Err(Errno::NOENT) => Found::Absent,
                Err(e) => return Err(cannot(&self.shown, "inspect", e)),
                Ok(stat) => {
                    let kind = FileType::from_raw_mode(stat.st_mode);
                    if kind != FileType::RegularFile {
                        return Err(not_regular(&self.shown, kind));
                    }
                    Found::File(Existing {
                        identity: identity_of(&stat),
                        uid: stat.st_uid,
                        gid: stat.st_gid,
                        mode: stat.st_mode & 0o7777,
                        bytes: Vec::new(),
                    })
                }
            };
        let _held = HeldSignals::hold();
        let temp = self.write_unnamed(contents, &existing, Permissions::default())?;
        let temp_name = temporary_name();
        self.link(&temp, &temp_name)
            .map_err(|e| cannot(&self.shown, "write", e))?;
        if let Err(e) = rustix::fs::renameat(
            &self.dir,
            temp_name.as_os_str(),
            &self.dir,
            self.name.as_os_str(),
        ) {
            let _ = rustix::fs::unlinkat(&self.dir, temp_name.as_os_str(), AtFlags::empty());
            return Err(cannot(&self.shown, "replace", e));
        }
        let _ = rustix::fs::fsync(&self.dir);
        Ok(())
    }
}

/// A file being written: unnamed, or (on file systems without `O_TMPFILE`) under a
/// temporary name, which dropping it removes (the file stays under the names linked to it).
struct Temp {
    fd: OwnedFd,
    name: Option<(OwnedFd, OsString)>,
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some((dir, name)) = &self.name {
            let _ = rustix::fs::unlinkat(dir, name.as_os_str(), AtFlags::empty());
        }
    }
}

/// Holds back SIGINT, SIGTERM and SIGHUP while the new file is written and named, so that
/// an interrupted run still finishes (the signal is delivered right after, and ends it).
struct HeldSignals {
    previous: libc::sigset_t,
}

impl HeldSignals {
    fn hold() -> HeldSignals {
        // SAFETY: plain signal-mask calls on a zeroed set.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            let mut previous: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::sigaddset(&mut set, signal);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut previous);
            HeldSignals { previous }
        }
    }
}

impl Drop for HeldSignals {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved by `hold`.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut());
        }
    }
}

/// Tests take the path of a file system without `O_TMPFILE` (none is at hand here).
#[cfg(test)]
static WITHOUT_TMPFILE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn without_tmpfile() -> bool {
    #[cfg(test)]
    return WITHOUT_TMPFILE.load(std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(test))]
    false
}

fn temporary_name() -> OsString {
    OsString::from(format!(
        "{TEMP_PREFIX}{:016x}{TEMP_SUFFIX}",
        fastrand::u64(..)
    ))
}

/// Removes what killed runs left: `.rootcert-*.tmp`, and the `.NAME.*.tmp` files older
/// versions made. Called with the directory locked, so no running rootcert owns them.
fn remove_stale_temporaries(dir: &OwnedFd, name: &OsStr) {
    let Ok(entries) = rustix::fs::Dir::read_from(dir) else {
        return;
    };
    let old_prefix = [b".".as_slice(), name.as_bytes(), b"."].concat();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_bytes();
        let ours = file_name.starts_with(TEMP_PREFIX.as_bytes())
            && file_name.ends_with(TEMP_SUFFIX.as_bytes());
        let old = file_name.starts_with(&old_prefix)
            && file_name.ends_with(TEMP_SUFFIX.as_bytes())
            && file_name.len() == old_prefix.len() + 6 + TEMP_SUFFIX.len();
        if ours || old {
            let _ = rustix::fs::unlinkat(dir, entry.file_name(), AtFlags::empty());
        }
    }
}

fn identity_of(stat: &Stat) -> (u64, u64, i64, i64) {
    (
        stat.st_dev,
        stat.st_ino,
        stat.st_ctime,
        stat.st_ctime_nsec as i64,
    )
}

fn root() -> Result<OwnedFd, Error> {
    rustix::fs::openat(
        rustix::fs::CWD,
        "/",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| dest_error(format!("cannot open /: {e}")))
}

fn open_child_dir(dir: &OwnedFd, name: &OsStr) -> Result<OwnedFd, Errno> {
    rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// The components of `path` to walk, `..` included (it is resolved by the kernel, relative
/// to the directory actually reached).
fn components(path: &Path) -> Vec<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

/// Opens the directory `components` names below `start`, following only trusted symlinks.
/// Returns the deepest existing directory and the components below it that do not exist.
fn walk(
    start: OwnedFd,
    path: Vec<OsString>,
    shown: &Path,
    links: &mut usize,
) -> Result<(OwnedFd, Vec<OsString>), Error> {
    let mut dir = start;
    let mut pending: Vec<OsString> = path.into_iter().rev().collect();
    let mut missing = Vec::new();
    while let Some(component) = pending.pop() {
        if !missing.is_empty() {
            missing.push(component);
            continue;
        }
        let stat = match rustix::fs::statat(&dir, component.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)
        {
            Ok(stat) => stat,
            Err(Errno::NOENT) => {
                missing.push(component);
                continue;
            }
            Err(e) => return Err(cannot(shown, "reach the directory of", e)),
        };
        match FileType::from_raw_mode(stat.st_mode) {
            FileType::Directory => {
                dir = open_child_dir(&dir, &component).map_err(|e| match e {
                    Errno::LOOP | Errno::NOTDIR => dest_error(format!(
                        "a directory on the way to {} was replaced while rootcert checked it",
                        path_text(shown)
                    )),
                    e => cannot(shown, "reach the directory of", e),
                })?;
            }
            FileType::Symlink => {
                trusted_link(&stat, shown)?;
                *links += 1;
                if *links > MAX_LINKS {
                    return Err(dest_error(format!(
                        "{}: too many levels of symlinks",
                        path_text(shown)
                    )));
                }
                let target = rustix::fs::readlinkat(&dir, component.as_os_str(), Vec::new())
                    .map_err(|e| cannot(shown, "read a symlink on the way to", e))?;
                let target = PathBuf::from(OsStr::from_bytes(target.to_bytes()));
                if target.is_absolute() {
                    dir = root()?;
                }
                pending.extend(components(&target).into_iter().rev());
            }
            _ => {
                return Err(dest_error(format!(
                    "cannot save to {}: {} is not a directory; choose another path with --out",
                    path_text(shown),
                    String::from_utf8_lossy(component.as_bytes())
                )));
            }
        }
    }
    Ok((dir, missing))
}

/// The kernel's `protected_symlinks` rule, as rootcert applies it everywhere: a symlink is
/// followed only when it belongs to the user running rootcert or to root.
fn trusted_link(stat: &Stat, shown: &Path) -> Result<(), Error> {
    let me = rustix::process::geteuid().as_raw();
    if stat.st_uid == me || stat.st_uid == 0 {
        return Ok(());
    }
    Err(dest_error(format!(
        "{} goes through a symlink owned by uid {}, not by you or root; rootcert does not \
         follow it, since its owner could point it anywhere. Remove the link or choose \
         another path with --out",
        path_text(shown),
        stat.st_uid
    )))
}

fn not_regular(shown: &Path, kind: FileType) -> Error {
    dest_error(format!(
        "{} is {}; rootcert only ever replaces a regular file, even with --force. \
         Choose another path with --out",
        path_text(shown),
        kind_name(kind)
    ))
}

fn cannot(shown: &Path, verb: &str, e: Errno) -> Error {
    dest_error(format!(
        "cannot {verb} {}: {}; choose another path with --out",
        path_text(shown),
        std::io::Error::from(e)
    ))
}

/// Reads at most [`MAX_FILE_BYTES`]; a larger file is an error that states the limit.
fn read_bounded(file: std::fs::File, size: i64, shown: &Path) -> Result<Vec<u8>, Error> {
    // Sized from fstat, so a small file is one read, not a series of growing probes.
    let mut bytes = Vec::with_capacity((size.max(0) as u64).min(MAX_FILE_BYTES) as usize + 1);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| dest_error(format!("cannot read {}: {e}", path_text(shown))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(dest_error(format!(
            "{} is larger than {} KiB, far more than a trust file holds; choose another path \
             with --out",
            path_text(shown),
            MAX_FILE_BYTES / 1024
        )));
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
        WITHOUT_TMPFILE.store(true, std::sync::atomic::Ordering::Relaxed);
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
        WITHOUT_TMPFILE.store(false, std::sync::atomic::Ordering::Relaxed);
    }

    #[test]
    fn replace_file_replaces_whatever_regular_file_is_there_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rootcert.prom");
        replace_file(&path, b"one\n", "--textfile").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        replace_file(&path, b"two\n", "--textfile").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two\n");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        let err = replace_file(dir.path(), b"x", "--textfile").unwrap_err();
        assert!(err.to_string().contains("with --textfile"), "{err}");
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
