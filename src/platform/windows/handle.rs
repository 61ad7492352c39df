//! Windows handles as rootcert opens them: without following a reparse point where it
//! must not, and what an open handle says about its file.

use std::ffi::{OsString, c_void};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::path::{Path, PathBuf};

use windows_sys::Win32::Foundation::{ERROR_SHARING_VIOLATION, HANDLE};
use windows_sys::Win32::Storage::FileSystem::{
    BY_HANDLE_FILE_INFORMATION, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_TAG_INFO, FILE_BASIC_INFO,
    FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT, FILE_READ_ATTRIBUTES,
    FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_TYPE_CHAR, FILE_TYPE_DISK,
    FILE_TYPE_PIPE, FileAttributeTagInfo, FileBasicInfo, GetFileInformationByHandle,
    GetFileInformationByHandleEx, GetFileType, GetFinalPathNameByHandleW, SYNCHRONIZE,
};

use crate::platform::windows_rules as rules;
use crate::platform::{FileInfo, Identity, Kind, OpenError};

/// Opens `path` for its attributes only, without following a reparse point at it.
pub(super) fn open_no_follow(path: &Path, share: u32) -> io::Result<File> {
    OpenOptions::new()
        .access_mode(FILE_READ_ATTRIBUTES | SYNCHRONIZE)
        .share_mode(share)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)
}

/// A directory held open: with `FILE_SHARE_DELETE` withheld where Windows allows it, so
/// that it cannot be renamed or replaced while rootcert works in it.
pub(super) fn open_dir(path: &Path, follow: bool) -> io::Result<File> {
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
pub(super) fn attribute_tag(file: &File) -> io::Result<FILE_ATTRIBUTE_TAG_INFO> {
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

pub(super) fn is_link(info: &FILE_ATTRIBUTE_TAG_INFO) -> bool {
    rules::is_link(info.FileAttributes, info.ReparseTag)
}

pub(super) fn handle(file: &File) -> HANDLE {
    file.as_raw_handle() as HANDLE
}

/// `path` (absolute) in the `\\?\` form when it is longer than Windows' classic limit,
/// as Rust's own file functions do.
pub(super) fn long_path(path: &Path) -> OsString {
    let text = path.as_os_str();
    if !rules::needs_long_prefix(&text.encode_wide().collect::<Vec<u16>>()) {
        return text.to_os_string();
    }
    let mut long = OsString::from("\\\\?\\");
    long.push(text);
    long
}

pub(super) fn share_all() -> u32 {
    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
}

/// The path Windows resolved the handle to, for naming the lock.
pub(super) fn final_path(file: &File) -> Option<PathBuf> {
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
pub(super) fn check_regular(file: &File) -> Result<(), OpenError> {
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
    if rules::is_unix_socket(info.FileAttributes, info.ReparseTag) {
        return Err(OpenError::NotRegular(Kind::Socket));
    }
    if info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY != 0 {
        return Err(OpenError::NotRegular(Kind::Directory));
    }
    Ok(())
}

pub(super) fn info_of(file: &File) -> io::Result<FileInfo> {
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
