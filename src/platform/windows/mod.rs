//! Windows: the same promises in Windows' terms.
//!
//! - A reparse point that redirects a name (a symbolic link or a junction) is never
//!   followed at the destination, nor in a directory rootcert creates: names are opened
//!   with `FILE_FLAG_OPEN_REPARSE_POINT` and their attributes checked. The directories
//!   that already exist are taken as Windows resolves them: they are the machine's layout.
//! - The directories rootcert holds are opened without `FILE_SHARE_DELETE`, so nobody can
//!   rename or replace one between the checks and the save.
//! - The temporary file is created beside the destination (`CREATE_NEW`, no sharing) and
//!   renamed over it through its own handle: the file rootcert wrote, whatever happened to
//!   its temporary name, and never a copy (as `MoveFileExW` with `MOVEFILE_COPY_ALLOWED`
//!   would do across volumes). It is flushed before and after, as
//!   `MOVEFILE_WRITE_THROUGH` does.
//! - Files get the ACL their directory passes on; owner, group and mode do not exist.
//! - Paths are UTF-16: an unpaired surrogate is kept as it is and printed escaped.
//!
//! Opening handles is in `handle.rs`; the process and its user in `user.rs`.

mod handle;
mod user;

use std::ffi::{OsStr, c_void};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_ACCESS_DENIED, ERROR_ALREADY_EXISTS, ERROR_FILE_EXISTS, HANDLE,
    WAIT_ABANDONED, WAIT_OBJECT_0,
};
use windows_sys::Win32::Storage::FileSystem::{
    DELETE, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_READONLY, FILE_DISPOSITION_INFO,
    FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT, FILE_GENERIC_WRITE, FILE_RENAME_INFO,
    FileDispositionInfo, FileRenameInfo, SetFileInformationByHandle,
};
use windows_sys::Win32::System::Threading::{
    CreateMutexW, INFINITE, ReleaseMutex, WaitForSingleObject,
};

use super::Permissions;
use super::{Access, CreateDirError, FileInfo, Identity, OpenError, PlaceError, Resolved};
use crate::error::Error;
use handle::{
    attribute_tag, check_regular, final_path, handle, info_of, is_link, long_path, open_dir,
    open_no_follow, share_all,
};
use user::no_ownership;
pub(super) use user::{
    HeldInterrupts, caller_uid, check_permissions, default_store_locations, group_id,
    libpq_default_file, open_file_limit, owner_and_mode, passwd_home, shell_command, user_id,
};

fn shown_text(path: &Path) -> String {
    super::path_text(path)
}

pub(super) fn resolve(path: &Path) -> Result<Resolved, Error> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::NoFileName {
            path: shown_text(path),
        })?
        .to_os_string();
    let parent = path.parent().unwrap_or(path);
    // The deepest directory on the way that exists, and what is missing below it.
    let mut existing = parent.to_path_buf();
    let mut missing = Vec::new();
    loop {
        match std::fs::symlink_metadata(&existing) {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let Some(component) = existing.file_name() else {
                    return Err(cannot(path, "reach the directory of", e));
                };
                missing.push(component.to_os_string());
                existing.pop();
            }
            Err(e) => return Err(cannot(path, "reach the directory of", e)),
        }
    }
    missing.reverse();
    let file = open_dir(&existing, true).map_err(|e| cannot(path, "reach the directory of", e))?;
    let info = attribute_tag(&file).map_err(|e| cannot(path, "reach the directory of", e))?;
    if info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY == 0 {
        return Err(Error::destination(
            shown_text(path),
            format!(
                "cannot save to {}: {} is not a directory",
                shown_text(path),
                shown_text(&existing)
            ),
        ));
    }
    let dir = Dir {
        path: existing,
        file,
    };
    if missing.is_empty() {
        dir.refuse_link(&name, path)?;
    }
    Ok(Resolved {
        dir: super::Dir(dir),
        missing,
        name,
    })
}

pub(super) struct Dir {
    path: PathBuf,
    file: File,
}

impl Dir {
    /// A symlink or junction at the destination is refused, never followed: whoever
    /// could point it elsewhere would choose what rootcert replaces.
    fn refuse_link(&self, name: &OsStr, shown: &Path) -> Result<(), Error> {
        let Ok(file) = open_no_follow(&self.path.join(name), share_all()) else {
            return Ok(());
        };
        match attribute_tag(&file) {
            Ok(info) if is_link(&info) => Err(Error::DestinationIsLink {
                path: shown_text(shown),
            }),
            _ => Ok(()),
        }
    }

    pub(super) fn open_file(&self, name: &OsStr) -> Result<Option<(File, FileInfo)>, OpenError> {
        let path = self.path.join(name);
        let file = match OpenOptions::new()
            .read(true)
            .share_mode(share_all())
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(OpenError::Io(e)),
        };
        check_regular(&file)?;
        let info = info_of(&file).map_err(OpenError::Io)?;
        Ok(Some((file, info)))
    }

    pub(super) fn identity(&self, name: &OsStr) -> Option<Identity> {
        let file = open_no_follow(&self.path.join(name), share_all()).ok()?;
        info_of(&file).ok().map(|info| info.identity)
    }

    pub(super) fn create_dir(&self, name: &OsStr) -> Result<Dir, CreateDirError> {
        let path = self.path.join(name);
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(CreateDirError::Io(e)),
        }
        let file = open_dir(&path, false).map_err(CreateDirError::Io)?;
        let info = attribute_tag(&file).map_err(CreateDirError::Io)?;
        if !super::windows_rules::is_plain_directory(info.FileAttributes) {
            return Err(CreateDirError::Replaced);
        }
        Ok(Dir { path, file })
    }

    /// A mutex named after the directory: Windows cannot lock a directory, and a lock
    /// file would be litter.
    pub(super) fn lock(&self, wait: bool) -> io::Result<Option<DirLock>> {
        use sha2::Digest;
        let path = final_path(&self.file).unwrap_or_else(|| self.path.clone());
        // Windows names are case-insensitive; a key that differs only in case must not
        // let two runs in.
        let key = path.to_string_lossy().to_lowercase();
        let name = format!(
            "Local\\rootcert-save-{}",
            hex::encode(&sha2::Sha256::digest(key.as_bytes())[..16])
        );
        let name: Vec<u16> = name.encode_utf16().chain([0]).collect();
        // SAFETY: a null-terminated name; the handle is closed by DirLock or below.
        let mutex = unsafe { CreateMutexW(std::ptr::null(), 0, name.as_ptr()) };
        if mutex.is_null() {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a valid mutex handle.
        let waited = unsafe { WaitForSingleObject(mutex, if wait { INFINITE } else { 0 }) };
        // An abandoned mutex belonged to a run that died: its save never finished.
        if waited == WAIT_OBJECT_0 || waited == WAIT_ABANDONED {
            return Ok(Some(DirLock { mutex }));
        }
        let error = io::Error::last_os_error();
        // SAFETY: closing the handle this function opened.
        unsafe { CloseHandle(mutex) };
        if wait { Err(error) } else { Ok(None) }
    }

    pub(super) fn remove_stale_temporaries(&self, _name: &OsStr) {
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return;
        };
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_str()
                .is_some_and(super::is_temporary_name)
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    pub(super) fn create_temp(&self) -> io::Result<Temp> {
        let file = OpenOptions::new()
            .write(true) // std wants it with create_new; access_mode says what is asked
            .access_mode(FILE_GENERIC_WRITE | DELETE)
            .share_mode(0)
            .create_new(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(self.path.join(super::temporary_name()))?;
        Ok(Temp {
            file,
            placed: AtomicBool::new(false),
        })
    }

    pub(super) fn place_new(&self, temp: &Temp, name: &OsStr) -> Result<(), PlaceError> {
        match self.rename(temp, name, false) {
            Ok(()) => Ok(()),
            Err(e)
                if e.raw_os_error() == Some(ERROR_ALREADY_EXISTS as i32)
                    || e.raw_os_error() == Some(ERROR_FILE_EXISTS as i32) =>
            {
                Err(PlaceError::Exists)
            }
            Err(e) => Err(PlaceError::Io(e)),
        }
    }

    /// A read-only file is not replaced, as Windows itself refuses to (Wine does not,
    /// hence the check first).
    pub(super) fn replace(&self, temp: &Temp, name: &OsStr) -> io::Result<()> {
        let read_only = || {
            io::Error::new(
                io::ErrorKind::PermissionDenied,
                "it is read-only (attrib -r clears that, if it should be replaced)",
            )
        };
        if self.read_only(name) {
            return Err(read_only());
        }
        self.rename(temp, name, true).map_err(|e| {
            if e.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32) && self.read_only(name) {
                read_only()
            } else {
                e
            }
        })
    }

    /// Nothing to do: Windows cannot flush a directory; the rename was flushed through
    /// the file's handle.
    pub(super) fn sync(&self) {}

    fn read_only(&self, name: &OsStr) -> bool {
        open_no_follow(&self.path.join(name), share_all())
            .and_then(|file| attribute_tag(&file))
            .is_ok_and(|info| info.FileAttributes & FILE_ATTRIBUTE_READONLY != 0)
    }

    /// Renames the temporary file, by its handle, to `name` in this directory, then
    /// flushes it. The target is a full path (Wine rejects a name relative to a
    /// directory handle); the directory is held without `FILE_SHARE_DELETE`, so the path
    /// still leads to it.
    fn rename(&self, temp: &Temp, name: &OsStr, replace: bool) -> io::Result<()> {
        let target: Vec<u16> = long_path(&self.path.join(name)).encode_wide().collect();
        let header = std::mem::offset_of!(FILE_RENAME_INFO, FileName);
        let size = header + target.len() * 2 + 2;
        // u64 words keep the buffer aligned for the struct's handle field.
        let mut buffer = vec![0u64; size.div_ceil(8)];
        let info = buffer.as_mut_ptr().cast::<FILE_RENAME_INFO>();
        // SAFETY: the buffer is zeroed, aligned, and large enough for the header, the
        // name and its terminating zero.
        unsafe {
            (*info).Anonymous.ReplaceIfExists = replace;
            (*info).FileNameLength = (target.len() * 2) as u32;
            std::ptr::copy_nonoverlapping(
                target.as_ptr(),
                (&raw mut (*info).FileName).cast::<u16>(),
                target.len(),
            );
        }
        // SAFETY: the handle is open with DELETE access; the buffer is described above.
        let ok = unsafe {
            SetFileInformationByHandle(
                handle(&temp.file),
                FileRenameInfo,
                info.cast::<c_void>(),
                size as u32,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        temp.placed.store(true, Ordering::Relaxed);
        temp.file.sync_all()
    }
}

pub(super) struct DirLock {
    mutex: HANDLE,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // SAFETY: the mutex this lock acquired, released on the thread that acquired it
        // (a HANDLE is not Send).
        unsafe {
            ReleaseMutex(self.mutex);
            CloseHandle(self.mutex);
        }
    }
}

/// The temporary file; dropped unplaced, it deletes itself through its handle (so never
/// a file someone else put at its name).
pub(super) struct Temp {
    file: File,
    placed: AtomicBool,
}

impl Temp {
    pub(super) fn file(&mut self) -> &mut File {
        &mut self.file
    }

    pub(super) fn set_permissions(
        &self,
        permissions: Permissions,
        _kept: Option<Access>,
    ) -> io::Result<()> {
        if permissions == Permissions::default() {
            return Ok(());
        }
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            no_ownership().to_string(),
        ))
    }

    pub(super) fn sync(&self) -> io::Result<()> {
        self.file.sync_all()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if self.placed.load(Ordering::Relaxed) {
            return;
        }
        let info = FILE_DISPOSITION_INFO { DeleteFile: true };
        // SAFETY: the handle is open with DELETE access; the struct is the class's.
        unsafe {
            SetFileInformationByHandle(
                handle(&self.file),
                FileDispositionInfo,
                (&raw const info).cast::<c_void>(),
                size_of::<FILE_DISPOSITION_INFO>() as u32,
            );
        }
    }
}

pub(super) fn open_regular(path: &Path) -> Result<(File, u64), OpenError> {
    let file = OpenOptions::new()
        .read(true)
        .share_mode(share_all())
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)
        .map_err(OpenError::Io)?;
    check_regular(&file)?;
    let size = file.metadata().map_err(OpenError::Io)?.len();
    Ok((file, size))
}

pub(super) fn path_text(path: &OsStr) -> String {
    super::windows_rules::path_text(path.encode_wide())
}

fn cannot(shown: &Path, verb: &str, e: io::Error) -> Error {
    Error::destination(
        shown_text(shown),
        format!("cannot {verb} {}: {e}", shown_text(shown)),
    )
}
