//! The outgoing side: a bounded store of bundle files in one directory (the ground's
//! `uplink/`, the payload's `downlink/`), each written atomically and durably.

use std::ffi::OsString;
use std::fs;
use std::io::ErrorKind as IoErrorKind;
use std::path::{Path, PathBuf};

use super::{Error, StoreLimits, fsutil};
use crate::env::Clock;

/// File name extension of a bundle file (DESIGN.md: `<bundle-id>.bp7`).
pub const BUNDLE_EXTENSION: &str = "bp7";

/// Longest name hint kept in a file name, so that names stay well below filesystem limits.
const MAX_HINT_LEN: usize = 48;

/// How much of the store is used: ready bundle files and their total size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Number of ready bundle files.
    pub files: usize,
    /// Their total size, octets.
    pub octets: u64,
}

/// The outgoing store. One `Outbox` per directory is the only writer of bundle files in it;
/// the host's forwarder only takes files away.
///
/// **When full** (a new file would exceed [`StoreLimits::max_files`] or
/// [`StoreLimits::max_total_octets`]), [`Outbox::put`] refuses the new file with
/// [`Error::StoreFull`] and changes nothing: a stored bundle is one the node has promised to
/// deliver, so it is never deleted to make room; the caller keeps the new bundle's request
/// pending (it is retried after the next pass drains the store) or reports it.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    limits: StoreLimits,
    /// An upper bound of the store's usage: exact after open or [`Outbox::refresh`], then
    /// only increased by our own writes (the forwarder can only lower the true value).
    usage: Usage,
    /// Sequence number of the next file name, to order and separate files written in the same
    /// millisecond.
    seq: u64,
}

impl Outbox {
    /// Opens the store in `dir` (created if missing). Restart recovery: temporary files left by
    /// a writer that crashed are removed — their [`Outbox::put`] never returned success, so no
    /// one was told they exist.
    pub fn open(dir: impl Into<PathBuf>, limits: StoreLimits) -> Result<Self, Error> {
        let dir = dir.into();
        fsutil::ensure_dir(&dir)?;
        let mut removed = false;
        for entry in read_dir(&dir)? {
            let entry = entry.map_err(|e| Error::io("list", &dir, e))?;
            if fsutil::is_temp_name(&entry.file_name()) {
                let path = entry.path();
                fs::remove_file(&path).map_err(|e| Error::io("remove leftover", &path, e))?;
                removed = true;
            }
        }
        if removed {
            fsutil::sync_dir(&dir)?;
        }
        let usage = measure(&dir)?;
        Ok(Self {
            dir,
            limits,
            usage,
            seq: 0,
        })
    }

    /// Stores `bytes` as a new bundle file and returns its path once it is durable: named
    /// `<DTN time ms, 20 digits>-<sequence, 10 digits>-<hint>.bp7`, so names sort in the order
    /// they were written; `name_hint` is reduced to `[A-Za-z0-9_-]` (others become `_`, at
    /// most 48 characters). The time comes from the injected `clock`.
    ///
    /// Refuses with [`Error::TooLarge`] a file above [`StoreLimits::max_file_octets`] (the
    /// host's per-upload limit), and with [`Error::StoreFull`] one that does not fit the store
    /// (see [`Outbox`]).
    pub fn put(
        &mut self,
        bytes: &[u8],
        name_hint: &str,
        clock: &mut (impl Clock + ?Sized),
    ) -> Result<PathBuf, Error> {
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > self.limits.max_file_octets {
            return Err(Error::TooLarge {
                size,
                max: self.limits.max_file_octets,
            });
        }
        if !self.fits(size) {
            // The cached usage is an upper bound; the forwarder may have drained the store.
            self.refresh()?;
            if !self.fits(size) {
                return Err(Error::StoreFull {
                    size,
                    files: self.usage.files,
                    octets: self.usage.octets,
                    max_files: self.limits.max_files,
                    max_octets: self.limits.max_total_octets,
                });
            }
        }
        let now = clock.now_ms();
        let hint = sanitize_hint(name_hint);
        let name = loop {
            let name = format!("{now:020}-{:010}-{hint}.{BUNDLE_EXTENSION}", self.seq);
            self.seq = self.seq.wrapping_add(1);
            let taken = self
                .dir
                .join(&name)
                .try_exists()
                .map_err(|e| Error::io("check", &self.dir, e))?;
            if !taken {
                break name;
            }
        };
        fsutil::write_atomic(&self.dir, &OsString::from(&name), bytes)?;
        self.usage.files = self.usage.files.saturating_add(1);
        self.usage.octets = self.usage.octets.saturating_add(size);
        Ok(self.dir.join(name))
    }

    /// Re-measures the store from the directory (files the forwarder took are gone).
    pub fn refresh(&mut self) -> Result<Usage, Error> {
        self.usage = measure(&self.dir)?;
        Ok(self.usage)
    }

    /// The store's usage as last measured plus our writes since (an upper bound).
    pub const fn usage(&self) -> Usage {
        self.usage
    }

    /// The store's limits.
    pub const fn limits(&self) -> &StoreLimits {
        &self.limits
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn fits(&self, size: u64) -> bool {
        self.usage.files < self.limits.max_files
            && self.usage.octets.saturating_add(size) <= self.limits.max_total_octets
    }
}

fn read_dir(dir: &Path) -> Result<fs::ReadDir, Error> {
    fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))
}

/// Counts the ready bundle files in `dir` and their sizes.
fn measure(dir: &Path) -> Result<Usage, Error> {
    let mut usage = Usage::default();
    for entry in read_dir(dir)? {
        let entry = entry.map_err(|e| Error::io("list", dir, e))?;
        if !fsutil::is_ready_name(&entry.file_name()) {
            continue;
        }
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            // Taken by the forwarder while we were listing.
            Err(e) if e.kind() == IoErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io("stat", &entry.path(), e)),
        };
        if meta.is_file() {
            usage.files = usage.files.saturating_add(1);
            usage.octets = usage.octets.saturating_add(meta.len());
        }
    }
    Ok(usage)
}

/// The part of a file name a caller chooses, reduced to characters safe on every filesystem.
fn sanitize_hint(hint: &str) -> String {
    let hint: String = hint
        .chars()
        .take(MAX_HINT_LEN)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if hint.is_empty() {
        "bundle".to_owned()
    } else {
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_sanitized() {
        assert_eq!(sanitize_hint("ping-1_a"), "ping-1_a");
        assert_eq!(sanitize_hint("../etc/passwd"), "___etc_passwd");
        assert_eq!(sanitize_hint(""), "bundle");
        assert_eq!(sanitize_hint(&"x".repeat(100)).len(), MAX_HINT_LEN);
    }
}
