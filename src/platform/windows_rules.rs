//! The Windows rules that are arithmetic on what the OS reports (attribute bits, reparse
//! tags, UTF-16 units), apart from the calls that get them: they build on every platform
//! in tests, so that they are tested where CI runs (Wine cannot create reparse points).

/// `FILE_ATTRIBUTE_REPARSE_POINT`.
const REPARSE_POINT: u32 = 0x400;
/// `FILE_ATTRIBUTE_DIRECTORY`.
const DIRECTORY: u32 = 0x10;
/// A reparse tag whose point stands for another name (symlink, junction), as opposed to
/// one that only stores data elsewhere (a cloud placeholder, a deduplicated file).
const NAME_SURROGATE: u32 = 0x2000_0000;
/// `IO_REPARSE_TAG_AF_UNIX`: a Unix domain socket in the file system.
const AF_UNIX: u32 = 0x8000_0023;

/// A symlink or junction: a reparse point whose tag stands for another name.
pub(crate) fn is_link(attributes: u32, tag: u32) -> bool {
    attributes & REPARSE_POINT != 0 && tag & NAME_SURROGATE != 0
}

/// A Unix domain socket.
pub(crate) fn is_unix_socket(attributes: u32, tag: u32) -> bool {
    attributes & REPARSE_POINT != 0 && tag == AF_UNIX
}

/// A directory as rootcert made it: a directory and no reparse point of any kind.
pub(crate) fn is_plain_directory(attributes: u32) -> bool {
    attributes & DIRECTORY != 0 && attributes & REPARSE_POINT == 0
}

/// Whether an absolute path needs the `\\?\` form: longer than Windows' classic limit for
/// a directory (248 UTF-16 units) and not already in a `\\` form.
pub(crate) fn needs_long_prefix(units: &[u16]) -> bool {
    let backslash = u16::from(b'\\');
    units.len() >= 248 && !units.starts_with(&[backslash, backslash])
}

/// A path's UTF-16 units as text: as it is when it is Unicode, an unpaired surrogate as
/// `\u{DXXX}`.
pub(crate) fn path_text(units: impl IntoIterator<Item = u16>) -> String {
    char::decode_utf16(units)
        .map(|unit| match unit {
            Ok(c) => c.to_string(),
            Err(e) => format!("\\u{{{:04X}}}", e.unpaired_surrogate()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tags from Microsoft's list (ntifs.h).
    const SYMLINK: u32 = 0xA000_000C;
    const MOUNT_POINT: u32 = 0xA000_0003;
    const CLOUD: u32 = 0x9000_001A;
    const DEDUP: u32 = 0x8000_0013;

    #[test]
    fn symlinks_and_junctions_are_links_and_data_reparse_points_are_not() {
        assert!(is_link(REPARSE_POINT, SYMLINK));
        assert!(is_link(REPARSE_POINT | DIRECTORY, MOUNT_POINT));
        assert!(!is_link(REPARSE_POINT, CLOUD));
        assert!(!is_link(REPARSE_POINT, DEDUP));
        assert!(!is_link(REPARSE_POINT, AF_UNIX));
        // A tag means nothing without the attribute.
        assert!(!is_link(0x20, SYMLINK));
    }

    #[test]
    fn a_socket_is_an_af_unix_reparse_point() {
        assert!(is_unix_socket(REPARSE_POINT, AF_UNIX));
        assert!(!is_unix_socket(REPARSE_POINT, SYMLINK));
        assert!(!is_unix_socket(0, AF_UNIX));
    }

    #[test]
    fn a_directory_made_here_has_no_reparse_point() {
        assert!(is_plain_directory(DIRECTORY));
        assert!(!is_plain_directory(DIRECTORY | REPARSE_POINT));
        assert!(!is_plain_directory(0x20));
    }

    #[test]
    fn long_paths_get_the_prefix_once() {
        let units = |text: &str| text.encode_utf16().collect::<Vec<u16>>();
        let long = format!("C:\\{}", "a".repeat(250));
        assert!(needs_long_prefix(&units(&long)));
        assert!(!needs_long_prefix(&units(&format!("\\\\?\\{long}"))));
        assert!(!needs_long_prefix(&units(
            "C:\\ProgramData\\rootcert\\root.pem"
        )));
        // Counted in UTF-16 units, not bytes: 247 non-ASCII characters stay short.
        assert!(!needs_long_prefix(&units(&"é".repeat(247))));
    }

    #[test]
    fn unpaired_surrogates_are_shown_and_unicode_is_kept() {
        let mut units: Vec<u16> = "C:\\Zürich\\".encode_utf16().collect();
        units.push(0xD800);
        units.extend(".pem".encode_utf16());
        assert_eq!(path_text(units), "C:\\Zürich\\\\u{D800}.pem");
        assert_eq!(path_text("東京".encode_utf16()), "東京");
    }
}
