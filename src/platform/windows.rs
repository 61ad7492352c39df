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

use std::ffi::{OsStr, OsString, c_void};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_ACCESS_DENIED, ERROR_ALREADY_EXISTS, ERROR_FILE_EXISTS,
    ERROR_SHARING_VIOLATION, HANDLE, WAIT_ABANDONED, WAIT_OBJECT_0,
};
use windows_sys::Win32::Storage::FileSystem::{
    BY_HANDLE_FILE_INFORMATION, DELETE, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_READONLY,
    FILE_ATTRIBUTE_REPARSE_POINT, FILE_ATTRIBUTE_TAG_INFO, FILE_BASIC_INFO, FILE_DISPOSITION_INFO,
    FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT, FILE_GENERIC_WRITE,
    FILE_READ_ATTRIBUTES, FILE_RENAME_INFO, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
    FILE_TYPE_CHAR, FILE_TYPE_DISK, FILE_TYPE_PIPE, FileAttributeTagInfo, FileBasicInfo,
    FileDispositionInfo, FileRenameInfo, GetFileInformationByHandle, GetFileInformationByHandleEx,
    GetFileType, GetFinalPathNameByHandleW, SYNCHRONIZE, SetFileInformationByHandle,
};
use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, CTRL_C_EVENT, SetConsoleCtrlHandler};
use windows_sys::Win32::System::Threading::{
    CreateMutexW, INFINITE, ReleaseMutex, WaitForSingleObject,
};

use super::Permissions;
use super::{
    Access, CreateDirError, FileInfo, Identity, Kind, OpenError, PlaceError, Resolved,
    StoreLocation,
};
use crate::error::Error;

/// A reparse tag whose point stands for another name (symlink, junction), as opposed to
/// one that only stores data elsewhere (a cloud placeholder, a deduplicated file).
const NAME_SURROGATE: u32 = 0x2000_0000;
/// A Unix domain socket in the file system.
const IO_REPARSE_TAG_AF_UNIX: u32 = 0x8000_0023;
/// How a process ends on Ctrl+C, as the default handler ends it.
const STATUS_CONTROL_C_EXIT: u32 = 0xC000_013A;

const NO_OWNERSHIP: &str = "--owner, --group and --mode do not exist on Windows: a saved \
     file gets the ACL its directory passes on to new files. To choose who may read or \
     change the trust file, set an inheritable ACL on its directory (icacls DIR /grant \
     ...) and save there";

fn dest_error(message: String) -> Error {
    Error::File(message)
}

fn shown_text(path: &Path) -> String {
    super::path_text(path)
}

/// Opens `path` for its attributes only, without following a reparse point at it.
fn open_no_follow(path: &Path, share: u32) -> io::Result<File> {
    OpenOptions::new()
        .access_mode(FILE_READ_ATTRIBUTES | SYNCHRONIZE)
        .share_mode(share)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)
}

/// A directory held open: with `FILE_SHARE_DELETE` withheld where Windows allows it, so
/// that it cannot be renamed or replaced while rootcert works in it.
fn open_dir(path: &Path, follow: bool) -> io::Result<File> {
    let flags = if follow {
        FILE_FLAG_BACKUP_SEMANTICS
    } else {
        FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT
    };
    let open = |share| {
        OpenOptions::new()
            .access_mode(FILE_READ_ATTRIBUTES | SYNCHRONIZE)
            .share_mode(share)
            .custom_flags(flags)
            .open(path)
    };
    match open(FILE_SHARE_READ | FILE_SHARE_WRITE) {
        // Someone holds it open for deletion (an indexer, a sync client): share it.
        Err(e) if e.raw_os_error() == Some(ERROR_SHARING_VIOLATION as i32) => {
            open(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
        }
        other => other,
    }
}

/// The attributes and reparse tag of an open file.
fn attribute_tag(file: &File) -> io::Result<FILE_ATTRIBUTE_TAG_INFO> {
    let mut info = FILE_ATTRIBUTE_TAG_INFO::default();
    // SAFETY: the buffer is the struct the class names, with its exact size.
    let ok = unsafe {
        GetFileInformationByHandleEx(
            handle(file),
            FileAttributeTagInfo,
            (&raw mut info).cast::<c_void>(),
            size_of::<FILE_ATTRIBUTE_TAG_INFO>() as u32,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(info)
}

fn is_link(info: &FILE_ATTRIBUTE_TAG_INFO) -> bool {
    info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT != 0 && info.ReparseTag & NAME_SURROGATE != 0
}

fn handle(file: &File) -> HANDLE {
    file.as_raw_handle() as HANDLE
}

pub(super) fn resolve(path: &Path) -> Result<Resolved, Error> {
    let name = path
        .file_name()
        .ok_or_else(|| {
            dest_error(format!(
                "{} names no file; choose a file path with --out",
                shown_text(path)
            ))
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
        return Err(dest_error(format!(
            "cannot save to {}: {} is not a directory; choose another path with --out",
            shown_text(path),
            shown_text(&existing)
        )));
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
            Ok(info) if is_link(&info) => Err(dest_error(format!(
                "{} is a symbolic link or junction; on Windows rootcert never saves through \
                 one. Remove it, or choose the file it points to with --out",
                shown_text(shown)
            ))),
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
        if info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY == 0
            || info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT != 0
        {
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

/// `path` (absolute) in the `\\?\` form when it is longer than Windows' classic limit,
/// as Rust's own file functions do.
fn long_path(path: &Path) -> OsString {
    let text = path.as_os_str();
    if text.len() < 248 || text.encode_wide().take(2).eq("\\\\".encode_utf16()) {
        return text.to_os_string();
    }
    let mut long = OsString::from("\\\\?\\");
    long.push(text);
    long
}

fn share_all() -> u32 {
    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
}

/// The path Windows resolved the handle to, for naming the lock.
fn final_path(file: &File) -> Option<PathBuf> {
    let mut buffer = vec![0u16; 1024];
    loop {
        // SAFETY: the buffer's length is passed with it.
        let len = unsafe {
            GetFinalPathNameByHandleW(handle(file), buffer.as_mut_ptr(), buffer.len() as u32, 0)
        } as usize;
        if len == 0 {
            return None;
        }
        if len < buffer.len() {
            use std::os::windows::ffi::OsStringExt;
            return Some(PathBuf::from(OsString::from_wide(&buffer[..len])));
        }
        buffer.resize(len + 1, 0);
    }
}

/// Refuses anything but a regular file on disk: a directory, a device (`NUL`, `CON`), a
/// pipe, and (for a file opened without following) a symlink or junction.
fn check_regular(file: &File) -> Result<(), OpenError> {
    // SAFETY: a valid handle.
    let file_type = unsafe { GetFileType(handle(file)) };
    if file_type != FILE_TYPE_DISK {
        return Err(OpenError::NotRegular(match file_type {
            FILE_TYPE_CHAR => Kind::Device,
            FILE_TYPE_PIPE => Kind::Fifo,
            _ => Kind::Other,
        }));
    }
    let info = attribute_tag(file).map_err(OpenError::Io)?;
    if is_link(&info) {
        return Err(OpenError::NotRegular(Kind::Link));
    }
    if info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT != 0
        && info.ReparseTag == IO_REPARSE_TAG_AF_UNIX
    {
        return Err(OpenError::NotRegular(Kind::Socket));
    }
    if info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY != 0 {
        return Err(OpenError::NotRegular(Kind::Directory));
    }
    Ok(())
}

fn info_of(file: &File) -> io::Result<FileInfo> {
    let mut by_handle = BY_HANDLE_FILE_INFORMATION::default();
    let mut basic = FILE_BASIC_INFO::default();
    // SAFETY: each buffer is the struct its call names, with its exact size.
    let ok = unsafe {
        GetFileInformationByHandle(handle(file), &mut by_handle) != 0
            && GetFileInformationByHandleEx(
                handle(file),
                FileBasicInfo,
                (&raw mut basic).cast::<c_void>(),
                size_of::<FILE_BASIC_INFO>() as u32,
            ) != 0
    };
    if !ok {
        return Err(io::Error::last_os_error());
    }
    let index = (u64::from(by_handle.nFileIndexHigh) << 32) | u64::from(by_handle.nFileIndexLow);
    Ok(FileInfo {
        identity: Identity {
            device: u64::from(by_handle.dwVolumeSerialNumber),
            file: u128::from(index),
            changed: (basic.ChangeTime, basic.LastWriteTime),
        },
        size: (u64::from(by_handle.nFileSizeHigh) << 32) | u64::from(by_handle.nFileSizeLow),
        access: None,
    })
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
        Err(io::Error::new(io::ErrorKind::Unsupported, NO_OWNERSHIP))
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

/// Set by the console handler while interrupts are held.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

unsafe extern "system" fn note_interrupt(event: u32) -> windows_sys::core::BOOL {
    if event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT {
        INTERRUPTED.store(true, Ordering::SeqCst);
        return 1;
    }
    0
}

/// Ctrl+C and Ctrl+Break are noted instead of ending the process; dropped, the run ends
/// as Ctrl+C would have ended it.
pub(super) struct HeldInterrupts;

impl HeldInterrupts {
    pub(super) fn hold() -> HeldInterrupts {
        // SAFETY: installs a handler that only stores to an atomic.
        unsafe { SetConsoleCtrlHandler(Some(note_interrupt), 1) };
        HeldInterrupts
    }
}

impl Drop for HeldInterrupts {
    fn drop(&mut self) {
        // SAFETY: removes the handler `hold` installed.
        unsafe { SetConsoleCtrlHandler(Some(note_interrupt), 0) };
        if INTERRUPTED.swap(false, Ordering::SeqCst) {
            std::process::exit(STATUS_CONTROL_C_EXIT as i32);
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
    char::decode_utf16(path.encode_wide())
        .map(|unit| match unit {
            Ok(c) => c.to_string(),
            Err(e) => format!("\\u{{{:04X}}}", e.unpaired_surrogate()),
        })
        .collect()
}

/// libpq asks `SHGetFolderPath(CSIDL_APPDATA)`; `directories` asks for the same folder
/// (`FOLDERID_RoamingAppData`), not the `APPDATA` variable, which may differ.
pub(super) fn libpq_default_file() -> Option<PathBuf> {
    let appdata = directories::BaseDirs::new()?.config_dir().to_path_buf();
    Some(appdata.join("postgresql").join("root.crt"))
}

pub(super) fn default_store_locations() -> Vec<StoreLocation> {
    vec![StoreLocation {
        label: "Windows certificate store".to_string(),
        file: None,
        dir: None,
    }]
}

pub(super) fn check_permissions(permissions: &Permissions) -> Result<(), Error> {
    if *permissions == Permissions::default() {
        return Ok(());
    }
    Err(Error::Usage(NO_OWNERSHIP.to_string()))
}

pub(super) fn user_id(_name: &str) -> Result<u32, Error> {
    Err(Error::Usage(NO_OWNERSHIP.to_string()))
}

pub(super) fn group_id(_name: &str) -> Result<u32, Error> {
    Err(Error::Usage(NO_OWNERSHIP.to_string()))
}

pub(super) fn open_file_limit(_wanted: u64) -> u64 {
    u64::MAX
}

pub(super) fn caller_uid() -> Option<u32> {
    None
}

pub(super) fn owner_and_mode(_meta: &std::fs::Metadata) -> Option<(u32, u32)> {
    None
}

pub(super) fn passwd_home() -> Option<PathBuf> {
    None
}

pub(super) fn shell_command(command: &str) -> std::process::Command {
    use std::os::windows::process::CommandExt;
    let mut shell = std::process::Command::new("cmd.exe");
    // cmd.exe parses its command line itself: pass the command as written.
    shell.arg("/C").raw_arg(command);
    shell
}

fn cannot(shown: &Path, verb: &str, e: io::Error) -> Error {
    dest_error(format!(
        "cannot {verb} {}: {e}; choose another path with --out",
        shown_text(shown)
    ))
}
