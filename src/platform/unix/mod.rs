//! Linux and macOS: every step relative to an open directory handle, links followed only
//! when their owner may be trusted. What the two differ in (how the temporary file is
//! made and flushed) is in `linux.rs` and `macos.rs`. The process and its user are in
//! `user.rs`.

mod user;

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, FileType, FlockOperation, Mode, OFlags, Stat};
use rustix::io::Errno;

use super::Permissions;
use super::unix_variant as variant;
use super::{Access, CreateDirError, FileInfo, Identity, Kind, OpenError, PlaceError, Resolved};
use crate::error::Error;
pub(super) use user::{
    HeldInterrupts, caller_uid, check_permissions, default_store_locations, group_id,
    libpq_default_file, open_file_limit, owner_and_mode, passwd_home, shell_command, user_id,
};

/// Symlinks followed while resolving one path, as the kernel's limit.
const MAX_LINKS: usize = 40;
const NEW_FILE_MODE: u32 = 0o644;
const NEW_DIR_MODE: u32 = 0o755;

fn dest_error(message: String) -> Error {
    Error::File(message)
}

fn shown_text(path: &Path) -> String {
    super::path_text(path)
}

pub(super) fn resolve(path: &Path) -> Result<Resolved, Error> {
    let shown = path;
    let mut name = path
        .file_name()
        .ok_or_else(|| Error::NoFileName {
            path: shown_text(path),
        })?
        .to_os_string();
    let parent = path.parent().unwrap_or(Path::new("/"));
    let mut links = 0;
    let (mut dir, mut missing) = walk(root()?, components(parent), shown, &mut links)?;
    // A symlink at the destination: follow it only when its owner may be trusted.
    while missing.is_empty() {
        let stat = match rustix::fs::statat(&dir, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            Err(Errno::NOENT) => break,
            Err(e) => return Err(cannot(shown, "inspect", e)),
        };
        if FileType::from_raw_mode(stat.st_mode) != FileType::Symlink {
            break;
        }
        trusted_link(&stat, shown)?;
        links += 1;
        if links > MAX_LINKS {
            return Err(dest_error(format!(
                "{}: too many levels of symlinks",
                shown_text(shown)
            )));
        }
        let target = rustix::fs::readlinkat(&dir, name.as_os_str(), Vec::new())
            .map_err(|e| cannot(shown, "read the symlink", e))?;
        let target = PathBuf::from(OsStr::from_bytes(target.to_bytes()));
        let start = if target.is_absolute() {
            root()?
        } else {
            dir.try_clone()
                .map_err(|e| dest_error(format!("{}: {e}", shown_text(shown))))?
        };
        name = target
            .file_name()
            .ok_or_else(|| {
                dest_error(format!(
                    "{} is a symlink to {}, which names no file",
                    shown_text(shown),
                    shown_text(&target)
                ))
            })?
            .to_os_string();
        let parent = target.parent().unwrap_or(Path::new(""));
        (dir, missing) = walk(start, components(parent), shown, &mut links)?;
    }
    Ok(Resolved {
        dir: super::Dir(Dir { fd: dir }),
        missing,
        name,
    })
}

pub(super) struct Dir {
    fd: OwnedFd,
}

impl Dir {
    pub(super) fn open_file(&self, name: &OsStr) -> Result<Option<(File, FileInfo)>, OpenError> {
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP) => return Err(OpenError::NotRegular(Kind::Link)),
            Err(Errno::NXIO) => return Err(OpenError::NotRegular(Kind::Socket)),
            Err(e) => return Err(OpenError::Io(e.into())),
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| OpenError::Io(e.into()))?;
        if let Some(kind) = kind_of(&stat) {
            return Err(OpenError::NotRegular(kind));
        }
        Ok(Some((File::from(fd), info_of(&stat))))
    }

    pub(super) fn identity(&self, name: &OsStr) -> Option<Identity> {
        let stat = rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW).ok()?;
        Some(identity_of(&stat))
    }

    pub(super) fn create_dir(&self, name: &OsStr) -> Result<Dir, CreateDirError> {
        match rustix::fs::mkdirat(&self.fd, name, mode_bits(NEW_DIR_MODE)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(CreateDirError::Io(e.into())),
        }
        match open_child_dir(&self.fd, name) {
            Ok(fd) => Ok(Dir { fd }),
            Err(Errno::LOOP | Errno::NOTDIR) => Err(CreateDirError::Replaced),
            Err(e) => Err(CreateDirError::Io(e.into())),
        }
    }

    pub(super) fn lock(&self, wait: bool) -> io::Result<Option<DirLock>> {
        let operation = if wait {
            FlockOperation::LockExclusive
        } else {
            FlockOperation::NonBlockingLockExclusive
        };
        match rustix::fs::flock(&self.fd, operation) {
            Ok(()) => Ok(Some(DirLock {
                fd: self.fd.try_clone()?,
            })),
            Err(Errno::WOULDBLOCK) if !wait => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes `.rootcert-*.tmp`, and the `.NAME.XXXXXX.tmp` files older versions made.
    pub(super) fn remove_stale_temporaries(&self, name: &OsStr) {
        let Ok(entries) = rustix::fs::Dir::read_from(&self.fd) else {
            return;
        };
        let suffix = super::TEMP_SUFFIX.as_bytes();
        let old_prefix = [b".".as_slice(), name.as_bytes(), b"."].concat();
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_bytes();
            let ours = std::str::from_utf8(file_name).is_ok_and(super::is_temporary_name);
            let old = file_name.starts_with(&old_prefix)
                && file_name.ends_with(suffix)
                && file_name.len() == old_prefix.len() + 6 + suffix.len();
            if ours || old {
                let _ = rustix::fs::unlinkat(&self.fd, entry.file_name(), AtFlags::empty());
            }
        }
    }

    pub(super) fn create_temp(&self) -> io::Result<Temp> {
        if let Some(fd) = variant::open_unnamed(&self.fd)? {
            return Ok(Temp {
                file: File::from(fd),
                name: None,
            });
        }
        let name = super::temporary_name();
        let fd = rustix::fs::openat(
            &self.fd,
            name.as_os_str(),
            OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            mode_bits(0o600),
        )?;
        Ok(Temp {
            file: File::from(fd),
            name: Some((self.fd.try_clone()?, name)),
        })
    }

    /// Fails with `Exists` when `name` exists, like the unnamed file's link.
    pub(super) fn place_new(&self, temp: &Temp, name: &OsStr) -> Result<(), PlaceError> {
        match self.link(temp, name) {
            Ok(()) => Ok(()),
            Err(Errno::EXIST) => Err(PlaceError::Exists),
            Err(e) => Err(PlaceError::Io(e.into())),
        }
    }

    pub(super) fn replace(&self, temp: &Temp, name: &OsStr) -> io::Result<()> {
        if let Some((_, temp_name)) = &temp.name {
            return Ok(rustix::fs::renameat(&self.fd, temp_name, &self.fd, name)?);
        }
        // rename needs a name to move: the unnamed file gets a short one first.
        let temp_name = super::temporary_name();
        variant::link_unnamed(&temp.file, &self.fd, &temp_name)?;
        if let Err(e) = rustix::fs::renameat(&self.fd, &temp_name, &self.fd, name) {
            let _ = rustix::fs::unlinkat(&self.fd, &temp_name, AtFlags::empty());
            return Err(e.into());
        }
        Ok(())
    }

    pub(super) fn sync(&self) {
        variant::sync_dir(&self.fd);
    }

    /// Gives the temporary file `name` in the directory; EEXIST when `name` exists.
    fn link(&self, temp: &Temp, name: &OsStr) -> Result<(), Errno> {
        match &temp.name {
            // A hard link, not a rename: the temporary name goes when `temp` is dropped.
            Some((_, temp_name)) => rustix::fs::linkat(
                &self.fd,
                temp_name.as_os_str(),
                &self.fd,
                name,
                AtFlags::empty(),
            ),
            None => variant::link_unnamed(&temp.file, &self.fd, name),
        }
    }
}

pub(super) struct DirLock {
    fd: OwnedFd,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = rustix::fs::flock(&self.fd, FlockOperation::Unlock);
    }
}

/// A file being written: unnamed, or under a temporary name, which dropping it removes
/// (the file stays under the names linked to it).
pub(super) struct Temp {
    file: File,
    name: Option<(OwnedFd, OsString)>,
}

impl Temp {
    pub(super) fn file(&mut self) -> &mut File {
        &mut self.file
    }

    pub(super) fn set_permissions(
        &self,
        permissions: Permissions,
        kept: Option<Access>,
    ) -> io::Result<()> {
        let mode = permissions
            .mode
            .unwrap_or(kept.map_or(NEW_FILE_MODE, |k| k.mode & 0o777));
        let owner = (
            permissions.uid.or(kept.map(|k| k.uid)),
            permissions.gid.or(kept.map(|k| k.gid)),
        );
        if owner != (None, None) {
            let asked = permissions.uid.is_some() || permissions.gid.is_some();
            let result = rustix::fs::fchown(
                &self.file,
                owner.0.map(rustix::fs::Uid::from_raw),
                owner.1.map(rustix::fs::Gid::from_raw),
            );
            // Keeping a replaced file's owner is best effort (only root may give a file
            // away); an owner that was asked for must be set.
            if let Err(e) = result
                && asked
            {
                return Err(e.into());
            }
        }
        rustix::fs::fchmod(&self.file, mode_bits(mode))?;
        Ok(())
    }

    /// Data and size; the name comes with the directory's sync after the link.
    pub(super) fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some((dir, name)) = &self.name {
            let _ = rustix::fs::unlinkat(dir, name.as_os_str(), AtFlags::empty());
        }
    }
}

pub(super) fn open_regular(path: &Path) -> Result<(File, u64), OpenError> {
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let fd = rustix::fs::open(path, flags, Mode::empty()).map_err(|e| OpenError::Io(e.into()))?;
    let stat = rustix::fs::fstat(&fd).map_err(|e| OpenError::Io(e.into()))?;
    if let Some(kind) = kind_of(&stat) {
        return Err(OpenError::NotRegular(kind));
    }
    Ok((File::from(fd), stat.st_size as u64))
}

pub(super) fn path_text(path: &OsStr) -> String {
    let mut out = String::new();
    for chunk in path.as_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

/// What the file is, when it is not a regular file.
fn kind_of(stat: &Stat) -> Option<Kind> {
    Some(match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => return None,
        FileType::Directory => Kind::Directory,
        FileType::CharacterDevice | FileType::BlockDevice => Kind::Device,
        FileType::Fifo => Kind::Fifo,
        FileType::Socket => Kind::Socket,
        FileType::Symlink => Kind::Link,
        _ => Kind::Other,
    })
}

// st_mode is u16 on macOS, u32 on Linux.
#[allow(clippy::useless_conversion)]
fn access_of(stat: &Stat) -> Access {
    Access {
        uid: stat.st_uid,
        gid: stat.st_gid,
        mode: u32::from(stat.st_mode) & 0o7777,
    }
}

fn info_of(stat: &Stat) -> FileInfo {
    FileInfo {
        identity: identity_of(stat),
        size: stat.st_size.max(0) as u64,
        access: Some(access_of(stat)),
    }
}

// The field types differ between Linux and macOS (st_dev is i32 on macOS).
#[allow(clippy::unnecessary_cast)]
fn identity_of(stat: &Stat) -> Identity {
    Identity {
        device: stat.st_dev as u64,
        file: u128::from(stat.st_ino),
        changed: (stat.st_ctime as i64, stat.st_ctime_nsec as i64),
    }
}

// Mode bits are u16 on macOS, u32 on Linux; they fit either.
#[allow(clippy::unnecessary_cast)]
fn mode_bits(bits: u32) -> Mode {
    Mode::from_raw_mode(bits as rustix::fs::RawMode)
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
                        shown_text(shown)
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
                        shown_text(shown)
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
                return Err(Error::destination(
                    shown_text(shown),
                    format!(
                        "cannot save to {}: {} is not a directory",
                        shown_text(shown),
                        String::from_utf8_lossy(component.as_bytes())
                    ),
                ));
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
    Err(Error::UntrustedSymlink {
        path: shown_text(shown),
        owner: stat.st_uid,
    })
}

fn cannot(shown: &Path, verb: &str, e: Errno) -> Error {
    Error::destination(
        shown_text(shown),
        format!(
            "cannot {verb} {}: {}",
            shown_text(shown),
            io::Error::from(e)
        ),
    )
}
