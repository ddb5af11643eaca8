//! The durable-write primitives every part of the transport shares (DESIGN.md, "Filesystem DTN
//! transport"): a file appears under its final name complete or not at all, and once the call
//! returns it survives a crash.

use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Error;

/// Prefix of every temporary file the transport writes. It starts with a dot because names
/// starting with a dot are never listed as ready by a scan, so a reader cannot see a
/// file that is still being written.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Whether a directory entry named `name` may be a ready bundle file. Names starting with a
/// dot are in-progress files (ours, [`TEMP_PREFIX`], and those of common forwarders such as
/// rsync) or bookkeeping files (the dedup log), so they are never read as bundles.
pub fn is_ready_name(name: &OsStr) -> bool {
    !name.as_encoded_bytes().starts_with(b".")
}

/// Whether `name` is one of our temporary files.
pub fn is_temp_name(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(TEMP_PREFIX.as_bytes())
}

/// Writes `bytes` to `dir/name` atomically and durably: a temporary file in the same directory
/// (so the rename cannot cross filesystems), `write`, `fsync`, `rename` over the final name,
/// `fsync` of the directory so the rename itself is on disk. On failure the temporary file is
/// removed (best effort: a leftover one is cleaned up by the next open).
pub fn write_atomic(dir: &Path, name: &OsStr, bytes: &[u8]) -> Result<(), Error> {
    let temp = temp_path(dir, name);
    let target = dir.join(name);
    let written = write_synced(&temp, bytes).and_then(|()| {
        fs::rename(&temp, &target).map_err(|e| Error::io("rename into place", &target, e))
    });
    if let Err(e) = written {
        // Nothing to report beyond the first error: the temp file is invisible to readers.
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(dir)
}

/// The temporary file [`write_atomic`] writes `dir/name` through: [`TEMP_PREFIX`] + `name`,
/// in the same directory.
pub fn temp_path(dir: &Path, name: &OsStr) -> PathBuf {
    let mut temp_name = TEMP_PREFIX.to_owned().into_bytes();
    temp_name.extend_from_slice(name.as_encoded_bytes());
    dir.join(bytes_to_os(&temp_name))
}

/// Creates (or truncates) `path`, writes `bytes` and flushes them to stable storage.
pub fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    file.write_all(bytes)
        .map_err(|e| Error::io("write", path, e))?;
    file.sync_all().map_err(|e| Error::io("fsync", path, e))
}

/// Flushes a directory's entries (creations, renames, removals) to stable storage. POSIX only
/// makes a rename durable once its directory is synced; other platforms cannot open a
/// directory as a file and make metadata durable on their own, so there it is a no-op.
pub fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io("fsync directory", dir, e))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Creates `dir` (and its parents) if it does not exist.
pub fn ensure_dir(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))
}

/// An `OsStr` from bytes that came from an `OsStr` plus ASCII (so still valid for it).
pub fn bytes_to_os(bytes: &[u8]) -> std::ffi::OsString {
    // Lossless on Unix; elsewhere the bytes came from `as_encoded_bytes` plus ASCII, which
    // `from_encoded_bytes_unchecked` would accept, but that is `unsafe`: go through UTF-8
    // lossily instead (only ever reached with non-UTF-8 names on non-Unix hosts).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        OsStr::from_bytes(bytes).to_os_string()
    }
    #[cfg(not(unix))]
    {
        String::from_utf8_lossy(bytes).into_owned().into()
    }
}
