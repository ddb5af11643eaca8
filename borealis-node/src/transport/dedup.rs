//! The durable dedup record (DESIGN.md, "Consume idempotently"): a log of consumed bundle
//! ids, one line each, appended and synced before the caller goes on, reloaded on open, and
//! compacted once enough of its ids have expired.
//!
//! # Line format
//!
//! * version 2 (what is written):
//!   `2 <expires> <creation time> <sequence> <fragment> <source EID>\n`
//! * version 1 (still read; written before compaction existed):
//!   `1 <creation time> <sequence> <fragment> <source EID>\n`
//!
//! `<expires>` is the DTN time (ms, on the receiving clock) after which no copy of the bundle
//! can be accepted any more ([`super::Classified::expires_at`]), or `-` when the recorder did
//! not know it (an id recorded without going through `Inbox::admit`). `<fragment>` is `-` or
//! `<offset>+<length>`. The source EID comes last and runs to the end of the line: its text
//! form (RFC 9171 §4.2.5.1) has no line breaks. A crash can only tear the last line (no
//! newline yet); such a line was never acknowledged, so on open it is ignored and cut off. Any
//! other malformed line means the log was damaged and is reported, not skipped: forgetting an
//! id would let a bundle be delivered twice.
//!
//! # Forgetting expired ids
//!
//! An id only needs remembering while a copy of its bundle could still be accepted, and the
//! inbox refuses an expired bundle before it looks at the log (RFC 9171 §4.2.6, §4.4.2; see
//! [`super::classify_received`]). So a compaction drops an id once
//! `expires + clock_skew_ms < now`: the margin ([`DedupRetention::clock_skew_ms`]) is how far
//! the receiving clock may later step back (a correction after drift) without a forgotten
//! bundle becoming acceptable again. Without compaction a payload that runs for years would
//! grow the log, and the set loaded on every start, without bound.
//!
//! Entries without an expiry (version-1 lines, `-`) are kept until creation time +
//! [`DedupRetention::legacy_retention_ms`]: their lifetime was never recorded, so the cap must
//! be longer than any lifetime the node accepts (the default, 30 days, is 30 times the default
//! bundle lifetime of 24 h). With creation time 0 not even that is known; such an entry is
//! kept until the clock of the first compaction that sees it + the cap. A compaction writes
//! every entry it keeps as version 2 with the expiry it assumed, so each is decided once.
//!
//! A limit this cannot lift: a bundle with creation time 0 (a source without an accurate
//! clock) is judged by its Bundle Age block, which does not grow while a copy sits on a disk
//! (RFC 9171 §4.4.2 leaves updating it to the forwarding nodes). Its expiry is taken on the
//! receiving clock at receipt (receipt + the lifetime its age leaves), so a byte-identical
//! copy offered again after its id was forgotten is *not* refused by the transport; the node's
//! BPSec replay window (an authenticated sequence number per source and key) still refuses
//! it. The node's own bundles always carry a creation time.
//!
//! # Crash safety of a compaction
//!
//! The kept lines are written like every durable file of the transport (`fsutil`): to a
//! temporary file in the same directory, `fsync`, renamed over the log, `fsync` of the
//! directory. The append handle is opened on the temporary file before the rename, so it is
//! the new log's from the moment the name is. A crash before the rename leaves the old log
//! (the temporary file is removed by the next open), after it the new one; both hold every
//! live id.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind as IoErrorKind, Write};
use std::path::{Path, PathBuf};

use super::classify::{BundleId, FragmentId};
use super::{Error, fsutil};

/// Version tag of the lines written now: with the expiry.
const VERSION: &str = "2";
/// Version tag of the lines written before compaction existed: no expiry.
const VERSION_1: &str = "1";

/// Default [`DedupRetention::compact_after`]: a compaction rewrites the whole log, so it waits
/// until it saves at least this many lines.
pub const DEFAULT_COMPACT_AFTER: usize = 1024;
/// Default [`DedupRetention::clock_skew_ms`]: one hour, well above the corrections of a clock
/// kept to GPS or ground time, well below the default bundle lifetime (24 h).
pub const DEFAULT_CLOCK_SKEW_MS: u64 = 3_600_000;
/// Default [`DedupRetention::legacy_retention_ms`]: 30 days.
pub const DEFAULT_LEGACY_RETENTION_MS: u64 = 30 * 86_400_000;

/// When the dedup log forgets ids (module docs, "Forgetting expired ids").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DedupRetention {
    /// Compact once more than this many entries have expired. Default
    /// [`DEFAULT_COMPACT_AFTER`].
    pub compact_after: usize,
    /// An entry counts as expired only once its expiry is more than this far in the past, ms:
    /// the backward step of the receiving clock tolerated. Default [`DEFAULT_CLOCK_SKEW_MS`].
    pub clock_skew_ms: u64,
    /// How long an entry without an expiry (version-1 line, or recorded without one) is kept
    /// after its creation time, ms. Default [`DEFAULT_LEGACY_RETENTION_MS`].
    pub legacy_retention_ms: u64,
}

impl Default for DedupRetention {
    fn default() -> Self {
        Self {
            compact_after: DEFAULT_COMPACT_AFTER,
            clock_skew_ms: DEFAULT_CLOCK_SKEW_MS,
            legacy_retention_ms: DEFAULT_LEGACY_RETENTION_MS,
        }
    }
}

impl DedupRetention {
    /// The expiry used to decide about an entry, if it can be decided without a clock: its
    /// own, else creation time + the legacy cap (creation time 0: undecided).
    fn assumed(&self, id: &BundleId, expires: Option<u64>) -> Option<u64> {
        expires.or_else(|| {
            (id.creation_time != 0)
                .then(|| id.creation_time.saturating_add(self.legacy_retention_ms))
        })
    }
}

/// The set of consumed bundle ids, backed by a log file.
#[derive(Debug)]
pub struct DedupLog {
    path: PathBuf,
    file: File,
    /// Length of the log's complete lines: where the next line goes, and where a failed
    /// append is cut back to.
    len: u64,
    /// Each id with its expiry (`None`: not recorded).
    ids: HashMap<BundleId, Option<u64>>,
    /// How many entries expire at each assumed expiry: counts expired entries without
    /// visiting the others.
    expiring: BTreeMap<u64, usize>,
    retention: DedupRetention,
}

impl DedupLog {
    /// Opens (or creates) the log at `path` and loads its ids; a torn last line is ignored and
    /// truncated away, a temporary file left by a compaction a crash interrupted is removed.
    pub fn open(path: &Path, retention: DedupRetention) -> Result<Self, Error> {
        let (dir, name) = split(path);
        let leftover = fsutil::temp_path(dir, name);
        match fs::remove_file(&leftover) {
            Ok(()) => fsutil::sync_dir(dir)?,
            Err(e) if e.kind() == IoErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove interrupted compaction", &leftover, e)),
        }
        let existing = match fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == IoErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read dedup log", path, e)),
        };
        let bytes = existing.as_deref().unwrap_or_default();
        // Everything up to and including the last newline is complete.
        let complete = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i.saturating_add(1));
        let (lines, torn) = bytes.split_at_checked(complete).unwrap_or((bytes, &[]));
        let mut entries = Vec::new();
        for (index, line) in lines.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let entry = parse_line(line).ok_or_else(|| Error::CorruptDedupLog {
                path: path.to_path_buf(),
                line: index.saturating_add(1),
            })?;
            entries.push(entry);
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io("open dedup log", path, e))?;
        let len = u64::try_from(complete).unwrap_or(u64::MAX);
        if !torn.is_empty() {
            file.set_len(len)
                .and_then(|()| file.sync_all())
                .map_err(|e| Error::io("truncate torn dedup log line", path, e))?;
        }
        if existing.is_none() {
            // The new log's directory entry must be durable too.
            fsutil::sync_dir(dir)?;
        }
        let mut log = Self {
            path: path.to_path_buf(),
            file,
            len,
            ids: HashMap::new(),
            expiring: BTreeMap::new(),
            retention,
        };
        for (id, expires) in entries {
            log.insert(id, expires);
        }
        Ok(log)
    }

    /// Whether `id` was consumed (and not forgotten since, having expired).
    pub fn contains(&self, id: &BundleId) -> bool {
        self.ids.contains_key(id)
    }

    /// The recorded expiry of `id`: `None` if it is not in the log, `Some(None)` if it was
    /// recorded without one.
    pub fn expiry(&self, id: &BundleId) -> Option<Option<u64>> {
        self.ids.get(id).copied()
    }

    /// Number of ids in the log.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the log holds no id.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The retention rules in force.
    pub const fn retention(&self) -> &DedupRetention {
        &self.retention
    }

    /// Records `id`, whose bundle expires at `expires` (DTN ms; `None` if unknown), durably
    /// (append, then `fdatasync`) before returning; `Ok(false)` if it was already recorded. A
    /// failed append is cut back so that the log keeps only whole lines.
    pub fn record(&mut self, id: &BundleId, expires: Option<u64>) -> Result<bool, Error> {
        if self.ids.contains_key(id) {
            return Ok(false);
        }
        let line = format_line(id, expires).ok_or_else(|| Error::UnrecordableId(id.clone()))?;
        let appended = self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data());
        if let Err(e) = appended {
            let _ = self.file.set_len(self.len);
            return Err(Error::io("append to dedup log", &self.path, e));
        }
        self.len = self
            .len
            .saturating_add(u64::try_from(line.len()).unwrap_or(u64::MAX));
        self.insert(id.clone(), expires);
        Ok(true)
    }

    /// How many entries have expired at DTN time `now_ms` (with the clock-skew margin),
    /// counted up to `limit`.
    pub fn expired(&self, now_ms: u64, limit: usize) -> usize {
        let mut count: usize = 0;
        for n in self.expiring.range(..self.cutoff(now_ms)).map(|(_, n)| *n) {
            count = count.saturating_add(n);
            if count >= limit {
                return limit;
            }
        }
        count
    }

    /// Compacts the log if more than [`DedupRetention::compact_after`] entries have expired at
    /// DTN time `now_ms`; returns how many were dropped (0: not due).
    pub fn compact_if_due(&mut self, now_ms: u64) -> Result<usize, Error> {
        let threshold = self.retention.compact_after;
        if self.expired(now_ms, threshold.saturating_add(1)) > threshold {
            self.compact(now_ms)
        } else {
            Ok(0)
        }
    }

    /// Rewrites the log without the entries expired at DTN time `now_ms` (module docs,
    /// "Crash safety of a compaction"); returns how many were dropped. After an error the log
    /// on disk is the old one or the new one, both complete; this value keeps appending to
    /// the one the name refers to.
    pub fn compact(&mut self, now_ms: u64) -> Result<usize, Error> {
        let (kept, text) = self.compacted(now_ms);
        let dropped = self.ids.len().saturating_sub(kept.len());
        let (dir, name) = split(&self.path);
        let dir = dir.to_path_buf();
        let temp = fsutil::temp_path(&dir, name);
        let renamed = fsutil::write_synced(&temp, text.as_bytes())
            .and_then(|()| {
                OpenOptions::new()
                    .append(true)
                    .open(&temp)
                    .map_err(|e| Error::io("open compacted dedup log", &temp, e))
            })
            .and_then(|file| {
                fs::rename(&temp, &self.path)
                    .map(|()| file)
                    .map_err(|e| Error::io("rename compacted dedup log", &self.path, e))
            });
        let file = match renamed {
            Ok(file) => file,
            Err(e) => {
                // Before the rename: the old log is intact and still the one appended to.
                let _ = fs::remove_file(&temp);
                return Err(e);
            }
        };
        // From here on the name is the new log's: follow it whatever happens next.
        self.file = file;
        self.len = u64::try_from(text.len()).unwrap_or(u64::MAX);
        self.ids.clear();
        self.expiring.clear();
        for (id, expires) in kept {
            self.insert(id, Some(expires));
        }
        fsutil::sync_dir(&dir)?;
        Ok(dropped)
    }

    /// The entries a compaction at `now_ms` keeps, each with the expiry it is written with,
    /// sorted by id, and the new log's text.
    fn compacted(&self, now_ms: u64) -> (Vec<(BundleId, u64)>, String) {
        let cutoff = self.cutoff(now_ms);
        let legacy_from_now = now_ms.saturating_add(self.retention.legacy_retention_ms);
        let mut kept: Vec<(BundleId, u64)> = self
            .ids
            .iter()
            .map(|(id, expires)| {
                let decided = self
                    .retention
                    .assumed(id, *expires)
                    .unwrap_or(legacy_from_now);
                (id.clone(), decided)
            })
            .filter(|(_, expires)| *expires >= cutoff)
            .collect();
        kept.sort();
        let text: String = kept
            .iter()
            .filter_map(|(id, expires)| format_line(id, Some(*expires)))
            .collect();
        (kept, text)
    }

    /// Entries whose expiry is before this are expired at `now_ms`.
    fn cutoff(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.retention.clock_skew_ms)
    }

    fn insert(&mut self, id: BundleId, expires: Option<u64>) {
        if let Some(at) = self.retention.assumed(&id, expires) {
            let n = self.expiring.entry(at).or_insert(0);
            *n = n.saturating_add(1);
        }
        self.ids.insert(id, expires);
    }
}

/// The directory and file name of the log (a bare name is in the current directory).
fn split(path: &Path) -> (&Path, &OsStr) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    (dir, path.file_name().unwrap_or(path.as_os_str()))
}

/// The version-2 log line of `id`, or `None` if its source text could not be read back from
/// one line.
fn format_line(id: &BundleId, expires: Option<u64>) -> Option<String> {
    if id.source.is_empty() || id.source.contains(['\n', '\r']) {
        return None;
    }
    let fragment = id
        .fragment
        .map_or_else(|| "-".to_owned(), |f| format!("{}+{}", f.offset, f.length));
    let expires = expires.map_or_else(|| "-".to_owned(), |t| t.to_string());
    Some(format!(
        "{VERSION} {expires} {} {} {fragment} {}\n",
        id.creation_time, id.sequence, id.source
    ))
}

/// Parses one complete line (without its newline), version 2 or 1, into the id and its
/// expiry.
fn parse_line(line: &[u8]) -> Option<(BundleId, Option<u64>)> {
    let line = std::str::from_utf8(line).ok()?;
    let (version, rest) = line.split_once(' ')?;
    let (expires, rest) = match version {
        VERSION => {
            let (expires, rest) = rest.split_once(' ')?;
            let expires = match expires {
                "-" => None,
                t => Some(t.parse().ok()?),
            };
            (expires, rest)
        }
        VERSION_1 => (None, rest),
        _ => return None,
    };
    let mut fields = rest.splitn(4, ' ');
    let creation_time = fields.next()?.parse().ok()?;
    let sequence = fields.next()?.parse().ok()?;
    let fragment = match fields.next()? {
        "-" => None,
        f => {
            let (offset, length) = f.split_once('+')?;
            Some(FragmentId {
                offset: offset.parse().ok()?,
                length: length.parse().ok()?,
            })
        }
    };
    let source = fields.next()?;
    if source.is_empty() {
        return None;
    }
    let id = BundleId {
        source: source.to_owned(),
        creation_time,
        sequence,
        fragment,
    };
    Some((id, expires))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(creation_time: u64, sequence: u64) -> BundleId {
        BundleId {
            source: "ipn:1.0".to_owned(),
            creation_time,
            sequence,
            fragment: None,
        }
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("borealis-dedup-unit-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn line_round_trip() {
        for fragment in [
            None,
            Some(FragmentId {
                offset: 7,
                length: 9,
            }),
        ] {
            for expires in [None, Some(757_051_200_000 + 3_600_000)] {
                let id = BundleId {
                    source: "dtn://ground/a b".to_owned(),
                    creation_time: 757_051_200_000,
                    sequence: 3,
                    fragment,
                };
                let line = format_line(&id, expires).unwrap();
                assert!(line.starts_with("2 "));
                let parsed = parse_line(line.trim_end_matches('\n').as_bytes()).unwrap();
                assert_eq!(parsed, (id, expires));
            }
        }
        // Version 1: no expiry field.
        assert_eq!(parse_line(b"1 1 2 - ipn:1.0"), Some((id(1, 2), None)));
        assert_eq!(parse_line(b"2 9 1 2 - ipn:1.0"), Some((id(1, 2), Some(9))));
        assert_eq!(parse_line(b"2 - 1 2 - ipn:1.0"), Some((id(1, 2), None)));
        assert_eq!(parse_line(b"3 1 2 - ipn:1.0"), None);
        assert_eq!(parse_line(b"1 1 2 x ipn:1.0"), None);
        assert_eq!(parse_line(b"1 1 2 -"), None);
        assert_eq!(parse_line(b"2 x 1 2 - ipn:1.0"), None);
        assert_eq!(parse_line(b"2 9 1 2 -"), None);
    }

    /// Every state a crash can leave during a compaction loads as a log holding every live
    /// id: the steps are replayed by hand on the log (a torn temporary file, a complete one
    /// before the rename, the rename done), then the real compaction must write the last one.
    #[test]
    fn a_crash_at_any_step_of_a_compaction_leaves_the_old_or_the_new_log() {
        let dir = temp_dir("crash");
        let path = dir.join(".log");
        let retention = DedupRetention {
            compact_after: 1,
            clock_skew_ms: 10,
            legacy_retention_ms: 1_000,
        };
        let mut log = DedupLog::open(&path, retention).unwrap();
        for seq in 0..6 {
            log.record(&id(100, seq), Some(100 + seq * 100)).unwrap();
        }
        // At 330 (cutoff 320) the live expiries are 400, 500 and 600.
        let now = 330;
        let old = fs::read(&path).unwrap();
        let (kept, new) = log.compacted(now);
        assert_eq!(kept.len(), 3);
        drop(log);
        let live = |log: &DedupLog| (3..6).all(|s| log.contains(&id(100, s)));
        let temp = fsutil::temp_path(&dir, OsStr::new(".log"));

        // 1. The temporary file half written.
        fs::write(&temp, &new.as_bytes()[..new.len() / 2]).unwrap();
        let reopened = DedupLog::open(&path, retention).unwrap();
        assert_eq!(reopened.len(), 6);
        assert!(live(&reopened) && !temp.exists());
        assert_eq!(fs::read(&path).unwrap(), old);
        // 2. Complete and synced, not renamed yet.
        fs::write(&temp, &new).unwrap();
        let reopened = DedupLog::open(&path, retention).unwrap();
        assert_eq!(reopened.len(), 6);
        assert!(live(&reopened) && !temp.exists());
        // 3. Renamed (the directory synced or not: the name is the old log's or this one's).
        fs::write(&path, &new).unwrap();
        let reopened = DedupLog::open(&path, retention).unwrap();
        assert_eq!(reopened.len(), 3);
        assert!(live(&reopened));
        fs::write(&path, &old).unwrap();

        // The real compaction writes exactly that state, and appends to the new log after.
        let mut log = DedupLog::open(&path, retention).unwrap();
        assert_eq!(log.compact_if_due(now).unwrap(), 3);
        assert_eq!(fs::read_to_string(&path).unwrap(), new);
        assert!(!temp.exists());
        log.record(&id(100, 9), Some(900)).unwrap();
        let reopened = DedupLog::open(&path, retention).unwrap();
        assert!(live(&reopened) && reopened.contains(&id(100, 9)));
        assert_eq!(reopened.len(), 4);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn entries_without_expiry_are_kept_until_the_legacy_cap() {
        let dir = temp_dir("legacy");
        let path = dir.join(".log");
        fs::write(
            &path,
            "1 100 1 - ipn:1.0\n1 5000 2 - ipn:1.0\n1 0 3 - ipn:1.0\n",
        )
        .unwrap();
        let retention = DedupRetention {
            compact_after: 0,
            clock_skew_ms: 0,
            legacy_retention_ms: 1_000,
        };
        let mut log = DedupLog::open(&path, retention).unwrap();
        assert_eq!(log.len(), 3);
        // 100 + 1000 < 2000: expired; 5000 + 1000 is not; creation time 0 cannot be decided
        // before a compaction gives it an expiry.
        assert_eq!(log.expired(2_000, usize::MAX), 1);
        assert_eq!(log.compact_if_due(2_000).unwrap(), 1);
        assert!(!log.contains(&id(100, 1)));
        assert_eq!(log.expiry(&id(5000, 2)), Some(Some(6_000)));
        assert_eq!(log.expiry(&id(0, 3)), Some(Some(3_000)));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "2 3000 0 3 - ipn:1.0\n2 6000 5000 2 - ipn:1.0\n"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
