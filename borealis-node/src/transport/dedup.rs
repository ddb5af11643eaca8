//! The durable dedup record (DESIGN.md, "Consume idempotently"): an append-only log of
//! consumed bundle ids, one line each, synced before the caller goes on, reloaded on open.
//!
//! Line format (version 1): `1 <creation time> <sequence> <fragment> <source EID>\n`, where
//! `<fragment>` is `-` or `<offset>+<length>`. The source EID comes last and runs to the end of
//! the line: its text form (RFC 9171 §4.2.5.1) has no line breaks. A crash can only tear the
//! last line (no newline yet); such a line was never acknowledged, so on open it is ignored and
//! cut off. Any other malformed line means the log was damaged and is reported, not skipped:
//! forgetting an id would let a bundle be delivered twice.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind as IoErrorKind, Write};
use std::path::{Path, PathBuf};

use super::classify::{BundleId, FragmentId};
use super::{Error, fsutil};

/// The version tag at the start of every line.
const VERSION: &str = "1";

/// The set of consumed bundle ids, backed by an append-only log file.
#[derive(Debug)]
pub struct DedupLog {
    path: PathBuf,
    file: File,
    /// Length of the log's complete lines: where the next line goes, and where a failed
    /// append is cut back to.
    len: u64,
    ids: HashSet<BundleId>,
}

impl DedupLog {
    /// Opens (or creates) the log at `path` and loads its ids; a torn last line is ignored and
    /// truncated away.
    pub fn open(path: &Path) -> Result<Self, Error> {
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
        let mut ids = HashSet::new();
        for (index, line) in lines.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let id = parse_line(line).ok_or_else(|| Error::CorruptDedupLog {
                path: path.to_path_buf(),
                line: index.saturating_add(1),
            })?;
            ids.insert(id);
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
            if let Some(dir) = path.parent() {
                fsutil::sync_dir(dir)?;
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            len,
            ids,
        })
    }

    /// Whether `id` was consumed.
    pub fn contains(&self, id: &BundleId) -> bool {
        self.ids.contains(id)
    }

    /// Number of consumed ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no id was consumed yet.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Records `id` durably (append, then `fdatasync`) before returning; `Ok(false)` if it was
    /// already recorded. A failed append is cut back so that the log keeps only whole lines.
    pub fn record(&mut self, id: &BundleId) -> Result<bool, Error> {
        if self.ids.contains(id) {
            return Ok(false);
        }
        let line = format_line(id).ok_or_else(|| Error::UnrecordableId(id.clone()))?;
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
        self.ids.insert(id.clone());
        Ok(true)
    }
}

/// The log line of `id`, or `None` if its source text could not be read back from one line.
fn format_line(id: &BundleId) -> Option<String> {
    if id.source.is_empty() || id.source.contains(['\n', '\r']) {
        return None;
    }
    let fragment = id
        .fragment
        .map_or_else(|| "-".to_owned(), |f| format!("{}+{}", f.offset, f.length));
    Some(format!(
        "{VERSION} {} {} {fragment} {}\n",
        id.creation_time, id.sequence, id.source
    ))
}

/// Parses one complete line (without its newline).
fn parse_line(line: &[u8]) -> Option<BundleId> {
    let line = std::str::from_utf8(line).ok()?;
    let mut fields = line.splitn(5, ' ');
    if fields.next()? != VERSION {
        return None;
    }
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
    Some(BundleId {
        source: source.to_owned(),
        creation_time,
        sequence,
        fragment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_round_trip() {
        for fragment in [
            None,
            Some(FragmentId {
                offset: 7,
                length: 9,
            }),
        ] {
            let id = BundleId {
                source: "dtn://ground/a b".to_owned(),
                creation_time: 757_051_200_000,
                sequence: 3,
                fragment,
            };
            let line = format_line(&id).unwrap();
            let parsed = parse_line(line.trim_end_matches('\n').as_bytes()).unwrap();
            assert_eq!(parsed, id);
        }
        assert_eq!(parse_line(b"2 1 2 - ipn:1.0"), None);
        assert_eq!(parse_line(b"1 1 2 x ipn:1.0"), None);
        assert_eq!(parse_line(b"1 1 2 -"), None);
    }
}
