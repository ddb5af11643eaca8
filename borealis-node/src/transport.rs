//! The filesystem DTN transport (issue #6; DESIGN.md, "Filesystem DTN transport"): one bundle
//! per file, in the directories the host forwards between ground and payload.
//!
//! * [`Outbox`]: writes each bundle atomically and durably (temporary name in the same
//!   directory, write, `fsync`, `rename`, `fsync` of the directory), so a reader never sees a
//!   partial file and a crash never loses an acknowledged one; refuses a file above the
//!   maximum size ([`Error::TooLarge`]) and, when the bounded store is full, the new file
//!   ([`Error::StoreFull`]) — it never deletes an undelivered bundle.
//! * [`Inbox`]: lists ready files in a deterministic order, reads them under the size limit,
//!   classifies them ([`BundleId`] or [`Reject`]: not a bundle, truncated, expired, too large,
//!   duplicate), consumes each bundle at most once through a durable dedup log (the record is
//!   synced before the file is removed; an id is forgotten once its bundle has expired, by an
//!   atomic compaction), and quarantines anything invalid with a `<name>.reason` file. Restart
//!   recovery on open: leftover temporary files, torn dedup log line, interrupted compaction.
//! * [`InboxWatcher`]: wakes on new files (`notify`), polling if notifications cannot start;
//!   a [`Waker`] ends a wait from another thread.
//!
//! Time comes from the caller (the injected [`crate::env::Clock`]); the logic never reads the
//! system clock. Names starting with a dot are never read as bundles: they are temporary or
//! bookkeeping files.

mod classify;
mod dedup;
pub(crate) mod fsutil;
mod inbox;
mod outbox;
mod watch;

use std::io;
use std::path::{Path, PathBuf};

pub use classify::{BundleId, Classified, FragmentId, Reject, classify_bundle, classify_received};
pub use dedup::{
    DEFAULT_CLOCK_SKEW_MS, DEFAULT_COMPACT_AFTER, DEFAULT_LEGACY_RETENTION_MS, DedupLog,
    DedupRetention,
};
pub use fsutil::TEMP_PREFIX;
pub use inbox::{
    DEFAULT_DEDUP_LOG, DEFAULT_QUARANTINE_DIR, DuplicatePolicy, Inbox, InboxConfig, Incoming,
    REASON_EXTENSION, Scan,
};
pub use outbox::{BUNDLE_EXTENSION, Outbox, Usage};
pub use watch::{InboxWatcher, Wake, Waker};

/// Default largest bundle file: 5 MB, the host's per-upload limit (issue #6). Larger
/// application data (images) is split to fit before it becomes bundles.
pub const DEFAULT_MAX_FILE_OCTETS: u64 = 5_000_000;
/// Default most files in an outgoing store: about a week of one bundle a minute.
pub const DEFAULT_MAX_FILES: usize = 10_000;
/// Default most octets in an outgoing store: 1 GB.
pub const DEFAULT_MAX_TOTAL_OCTETS: u64 = 1_000_000_000;

/// Bounds of an outgoing store ([`Outbox`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    /// Largest bundle file, octets.
    pub max_file_octets: u64,
    /// Most ready files at once.
    pub max_files: usize,
    /// Most octets in ready files at once.
    pub max_total_octets: u64,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self {
            max_file_octets: DEFAULT_MAX_FILE_OCTETS,
            max_files: DEFAULT_MAX_FILES,
            max_total_octets: DEFAULT_MAX_TOTAL_OCTETS,
        }
    }
}

/// An error of the transport (the files themselves are judged by [`Reject`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filesystem operation failed.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was being done.
        op: &'static str,
        /// On what.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A file above the maximum file size.
    #[error("{size} octets exceed the maximum bundle file size of {max} octets")]
    TooLarge {
        /// Its size, octets.
        size: u64,
        /// The limit, octets.
        max: u64,
    },
    /// The outgoing store is full; the new file was refused and nothing was deleted.
    #[error(
        "store full: {files} files, {octets} octets stored (limits {max_files} files, \
         {max_octets} octets); refused a {size}-octet file"
    )]
    StoreFull {
        /// Size of the refused file, octets.
        size: u64,
        /// Files in the store.
        files: usize,
        /// Octets in the store.
        octets: u64,
        /// The file limit.
        max_files: usize,
        /// The octet limit.
        max_octets: u64,
    },
    /// A line of the dedup log other than the last is malformed: the log was damaged, and
    /// skipping the line could deliver a bundle twice.
    #[error("dedup log {}: line {line} is corrupt", path.display())]
    CorruptDedupLog {
        /// The log.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
    },
    /// An id whose source text cannot be one line of the dedup log.
    #[error("bundle id {0} cannot be recorded")]
    UnrecordableId(BundleId),
}

impl Error {
    fn io(op: &'static str, path: &Path, source: io::Error) -> Self {
        Self::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}
