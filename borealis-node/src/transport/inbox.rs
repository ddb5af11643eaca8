//! The incoming side: ready bundle files in one directory (the payload's `uplink/` inbox, the
//! ground's `downlink/`), consumed at most once each, anything invalid quarantined with a
//! reason.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File};
use std::io::{ErrorKind as IoErrorKind, Read};
use std::path::{Path, PathBuf};

use super::classify::{BundleId, Classified, Reject, classify_received};
use super::dedup::{DedupLog, DedupRetention};
use super::{DEFAULT_MAX_FILE_OCTETS, Error, fsutil};

/// Default name of the quarantine directory, inside the inbox (directories are never read as
/// bundles).
pub const DEFAULT_QUARANTINE_DIR: &str = "quarantine";
/// Default name of the dedup log, inside the inbox (a dot name: never read as a bundle).
pub const DEFAULT_DEDUP_LOG: &str = ".borealis-consumed.log";
/// Extension appended to a quarantined file's name for its reason file.
pub const REASON_EXTENSION: &str = "reason";

/// What [`Inbox::admit`] does with a file whose bundle id was already consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicatePolicy {
    /// Remove it: it is a duplicate delivery, or the leftover of a crash between recording
    /// the id and removing the file (the bundle was handled).
    #[default]
    Remove,
    /// Quarantine it with [`Reject::Duplicate`], keeping it for audit (a replay may be an
    /// attack).
    Quarantine,
}

/// Where an inbox keeps its files and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxConfig {
    /// The directory bundle files arrive in.
    pub dir: PathBuf,
    /// Where rejected files go, each with a `<name>.reason` file.
    pub quarantine_dir: PathBuf,
    /// The dedup log (consumed bundle ids).
    pub dedup_log: PathBuf,
    /// Largest file read, octets (default [`DEFAULT_MAX_FILE_OCTETS`], the host's per-upload
    /// limit).
    pub max_file_octets: u64,
    /// What to do with already-consumed bundles.
    pub duplicates: DuplicatePolicy,
    /// When the dedup log forgets the ids of expired bundles.
    pub dedup: DedupRetention,
}

impl InboxConfig {
    /// The defaults for the inbox `dir`: quarantine in `dir/quarantine/`, dedup log
    /// `dir/.borealis-consumed.log`, 5 MB limit, duplicates removed, the default
    /// [`DedupRetention`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self {
            quarantine_dir: dir.join(DEFAULT_QUARANTINE_DIR),
            dedup_log: dir.join(DEFAULT_DEDUP_LOG),
            dir,
            max_file_octets: DEFAULT_MAX_FILE_OCTETS,
            duplicates: DuplicatePolicy::default(),
            dedup: DedupRetention::default(),
        }
    }
}

/// A ready file found by [`Inbox::scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    name: OsString,
    path: PathBuf,
    size: u64,
}

impl Incoming {
    /// The file name.
    pub fn name(&self) -> &OsStr {
        &self.name
    }

    /// The full path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The size when listed, octets.
    pub const fn size(&self) -> u64 {
        self.size
    }
}

/// What [`Inbox::admit`] made of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// A fresh bundle: handle it, then [`Inbox::consume`] it.
    Deliver {
        /// Its identity.
        id: BundleId,
        /// Its octets.
        bytes: Vec<u8>,
    },
    /// Already consumed (a duplicate, or a crash came between recording and removing): the
    /// file was removed without delivering it again.
    AlreadyConsumed(BundleId),
    /// Rejected and moved to the quarantine.
    Quarantined {
        /// Why.
        reason: Reject,
        /// Where the file is now.
        path: PathBuf,
    },
}

/// The incoming side of the transport.
#[derive(Debug)]
pub struct Inbox {
    config: InboxConfig,
    dedup: DedupLog,
    recovered: Vec<PathBuf>,
    /// The expiry of each bundle [`Inbox::admit`] delivered and nobody recorded yet, for the
    /// dedup line [`Inbox::record`] writes. Entries of bundles that were quarantined instead
    /// go when they expire.
    delivered: HashMap<BundleId, u64>,
}

impl Inbox {
    /// Opens the inbox (creating its directories if missing) and recovers from a crash:
    /// temporary files left in the inbox by an interrupted writer are quarantined as
    /// [`Reject::Incomplete`] (never lost; see [`Inbox::recovered`]), our own unfinished
    /// temporary files in the quarantine are removed (their source is still in the inbox), and
    /// the dedup log is reloaded (a torn last line is ignored and truncated).
    ///
    /// Recovery assumes no writer is active in the inbox at that moment: open it before the
    /// forwarder's next pass, as the daemon does at start-up.
    pub fn open(config: InboxConfig) -> Result<Self, Error> {
        fsutil::ensure_dir(&config.dir)?;
        fsutil::ensure_dir(&config.quarantine_dir)?;
        if let Some(parent) = config.dedup_log.parent() {
            fsutil::ensure_dir(parent)?;
        }
        let dedup = DedupLog::open(&config.dedup_log, config.dedup)?;
        let mut inbox = Self {
            config,
            dedup,
            recovered: Vec::new(),
            delivered: HashMap::new(),
        };
        inbox.recover()?;
        Ok(inbox)
    }

    fn recover(&mut self) -> Result<(), Error> {
        let quarantine = &self.config.quarantine_dir;
        let mut removed = false;
        for name in list_names(quarantine)? {
            if fsutil::is_temp_name(&name) {
                let path = quarantine.join(&name);
                remove_if_present(&path)?;
                removed = true;
            }
        }
        if removed {
            fsutil::sync_dir(quarantine)?;
        }
        for name in list_names(&self.config.dir)? {
            let path = self.config.dir.join(&name);
            if fsutil::is_temp_name(&name) && path.is_file() {
                let incoming = Incoming {
                    size: 0,
                    name,
                    path,
                };
                let moved = self.quarantine(&incoming, &Reject::Incomplete)?;
                self.recovered.push(moved);
            }
        }
        Ok(())
    }

    /// Leftover temporary files quarantined by [`Inbox::open`] (for the caller to log).
    pub fn recovered(&self) -> &[PathBuf] {
        &self.recovered
    }

    /// The configuration.
    pub const fn config(&self) -> &InboxConfig {
        &self.config
    }

    /// The ready files, sorted by name (byte order; the outbox's names sort by time of
    /// writing), so every run handles them in the same order. Not listed: names starting
    /// with a dot (temporary and bookkeeping files), directories (the quarantine), symbolic
    /// links and other non-regular files.
    pub fn scan(&self) -> Result<Vec<Incoming>, Error> {
        let dir = &self.config.dir;
        let mut ready = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
            let entry = entry.map_err(|e| Error::io("list", dir, e))?;
            let name = entry.file_name();
            if !fsutil::is_ready_name(&name) {
                continue;
            }
            let path = entry.path();
            // `symlink_metadata`: a link is not followed out of the inbox.
            let meta = match fs::symlink_metadata(&path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == IoErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io("stat", &path, e)),
            };
            if meta.is_file() {
                ready.push(Incoming {
                    name,
                    path,
                    size: meta.len(),
                });
            }
        }
        ready.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ready)
    }

    /// Reads a listed file. A file above the maximum size is refused with
    /// [`Error::TooLarge`] from its metadata, without reading it; the read itself is capped
    /// too, in case the file grew since.
    pub fn read(&self, incoming: &Incoming) -> Result<Vec<u8>, Error> {
        let max = self.config.max_file_octets;
        let path = &incoming.path;
        let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
        let size = file
            .metadata()
            .map_err(|e| Error::io("stat", path, e))?
            .len();
        if size > max {
            return Err(Error::TooLarge { size, max });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        file.take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("read", path, e))?;
        let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if read > max {
            return Err(Error::TooLarge { size: read, max });
        }
        Ok(bytes)
    }

    /// Classifies `bytes` received at DTN time `now_ms` (from the injected clock):
    /// [`super::classify_bundle`] (size, STRICT parse, lifetime), then [`Reject::Duplicate`]
    /// if its id was already consumed.
    pub fn classify(&self, bytes: &[u8], now_ms: u64) -> Result<BundleId, Reject> {
        self.classify_received(bytes, now_ms).map(|c| c.id)
    }

    fn classify_received(&self, bytes: &[u8], now_ms: u64) -> Result<Classified, Reject> {
        let classified = classify_received(bytes, now_ms, self.config.max_file_octets)?;
        if self.dedup.contains(&classified.id) {
            return Err(Reject::Duplicate(classified.id));
        }
        Ok(classified)
    }

    /// Whether the bundle `id` was consumed.
    pub fn is_consumed(&self, id: &BundleId) -> bool {
        self.dedup.contains(id)
    }

    /// Records `id` as consumed, durably, before returning (`Ok(false)` if it already was).
    /// The first half of [`Inbox::consume`], for a caller that must record before acting.
    /// The line carries the expiry [`Inbox::admit`] found for the bundle; an id that did not
    /// come through it is recorded without one (kept until the legacy cap,
    /// [`DedupRetention::legacy_retention_ms`]).
    pub fn record(&mut self, id: &BundleId) -> Result<bool, Error> {
        let expires = self.delivered.get(id).copied();
        let recorded = self.dedup.record(id, expires)?;
        self.delivered.remove(id);
        Ok(recorded)
    }

    /// The dedup log (consumed ids, their expiry).
    pub const fn dedup(&self) -> &DedupLog {
        &self.dedup
    }

    /// Forgets the consumed ids expired at DTN time `now_ms` now, whatever their number
    /// ([`DedupLog::compact`]); returns how many were dropped. [`Inbox::admit`] does it on its
    /// own once more than [`DedupRetention::compact_after`] have expired.
    pub fn compact(&mut self, now_ms: u64) -> Result<usize, Error> {
        self.dedup.compact(now_ms)
    }

    /// Removes a handled file, durably; a file already gone is not an error.
    pub fn remove(&self, incoming: &Incoming) -> Result<(), Error> {
        remove_if_present(&incoming.path)?;
        fsutil::sync_dir(&self.config.dir)
    }

    /// Marks the bundle `id` of `incoming` as consumed: the durable dedup record first, then
    /// the file's removal. Idempotent, and crash-safe: after a crash between the two steps the
    /// file is still there, its id recorded, and [`Inbox::admit`] removes it without
    /// delivering it again.
    pub fn consume(&mut self, incoming: &Incoming, id: &BundleId) -> Result<(), Error> {
        self.record(id)?;
        self.remove(incoming)
    }

    /// Moves `incoming` into the quarantine with `<name>.reason` holding `reason` and returns
    /// its new path. Never loses a file: names already taken in the quarantine get a `.1`,
    /// `.2`, … suffix, and the reason file is written (atomically) before the file moves, so
    /// after a crash the file is either still in the inbox or quarantined with its reason.
    pub fn quarantine(
        &self,
        incoming: &Incoming,
        reason: &dyn fmt::Display,
    ) -> Result<PathBuf, Error> {
        let dir = &self.config.quarantine_dir;
        let name = self.quarantine_name(&incoming.name)?;
        let mut reason_name = name.clone();
        reason_name.push(".");
        reason_name.push(REASON_EXTENSION);
        let text = format!("{reason}\n");
        fsutil::write_atomic(dir, &reason_name, text.as_bytes())?;
        let target = dir.join(&name);
        move_file(&incoming.path, dir, &name)?;
        fsutil::sync_dir(dir)?;
        fsutil::sync_dir(&self.config.dir)?;
        Ok(target)
    }

    /// A name in the quarantine free for both the file and its reason file: the file's name
    /// without leading dots (a quarantined temporary file stays visible), suffixed if taken.
    fn quarantine_name(&self, name: &OsStr) -> Result<OsString, Error> {
        let bytes = name.as_encoded_bytes();
        let start = bytes.iter().position(|&b| b != b'.').unwrap_or(bytes.len());
        let trimmed = bytes.get(start..).unwrap_or_default();
        let base = if trimmed.is_empty() {
            OsString::from("unnamed")
        } else {
            fsutil::bytes_to_os(trimmed)
        };
        let dir = &self.config.quarantine_dir;
        let mut candidate = base.clone();
        let mut n: u64 = 0;
        loop {
            let mut reason = candidate.clone();
            reason.push(".");
            reason.push(REASON_EXTENSION);
            let taken = exists(&dir.join(&candidate))? || exists(&dir.join(&reason))?;
            if !taken {
                return Ok(candidate);
            }
            n = n.saturating_add(1);
            candidate = base.clone();
            candidate.push(format!(".{n}"));
        }
    }

    /// Reads, classifies and disposes of `incoming` in one step, as received at DTN time
    /// `now_ms`: a fresh bundle is returned for delivery (the caller consumes it after
    /// handling it), an already-consumed one is removed (or quarantined, per
    /// [`InboxConfig::duplicates`]), anything else is quarantined with its [`Reject`] reason.
    ///
    /// First, the dedup log is compacted if enough of its ids have expired at `now_ms`
    /// ([`DedupLog::compact_if_due`]): only expired bundles' ids go, and those bundles are
    /// refused as expired before the log is consulted.
    pub fn admit(&mut self, incoming: &Incoming, now_ms: u64) -> Result<Scan, Error> {
        self.dedup.compact_if_due(now_ms)?;
        let cutoff = now_ms.saturating_sub(self.config.dedup.clock_skew_ms);
        self.delivered.retain(|_, expires| *expires >= cutoff);
        let verdict = match self.read(incoming) {
            Ok(bytes) => self.classify_received(&bytes, now_ms).map(|c| (c, bytes)),
            Err(Error::TooLarge { size, max }) => Err(Reject::TooLarge { size, max }),
            Err(e) => return Err(e),
        };
        match verdict {
            Ok((Classified { id, expires_at }, bytes)) => {
                self.delivered.insert(id.clone(), expires_at);
                Ok(Scan::Deliver { id, bytes })
            }
            Err(Reject::Duplicate(id)) if self.config.duplicates == DuplicatePolicy::Remove => {
                self.remove(incoming)?;
                Ok(Scan::AlreadyConsumed(id))
            }
            Err(reason) => {
                let path = self.quarantine(incoming, &reason)?;
                Ok(Scan::Quarantined { reason, path })
            }
        }
    }
}

fn list_names(dir: &Path) -> Result<Vec<OsString>, Error> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        names.push(entry.map_err(|e| Error::io("list", dir, e))?.file_name());
    }
    names.sort();
    Ok(names)
}

fn exists(path: &Path) -> Result<bool, Error> {
    // `symlink_metadata`: a dangling link still takes the name.
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == IoErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("check", path, e)),
    }
}

fn remove_if_present(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == IoErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("remove", path, e)),
    }
}

/// Moves `from` to `dir/name`: a rename, or — when the quarantine is on another filesystem —
/// a durable copy (temporary name, fsync, rename) followed by removing the original.
fn move_file(from: &Path, dir: &Path, name: &OsStr) -> Result<(), Error> {
    let target = dir.join(name);
    match fs::rename(from, &target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == IoErrorKind::CrossesDevices => {
            let mut temp_name = OsString::from(fsutil::TEMP_PREFIX);
            temp_name.push(name);
            let temp = dir.join(temp_name);
            fs::copy(from, &temp)
                .and_then(|_| File::open(&temp)?.sync_all())
                .and_then(|()| fs::rename(&temp, &target))
                .map_err(|e| {
                    let _ = fs::remove_file(&temp);
                    Error::io("copy into quarantine", &target, e)
                })?;
            fsutil::sync_dir(dir)?;
            remove_if_present(from)
        }
        Err(e) => Err(Error::io("move into quarantine", &target, e)),
    }
}
