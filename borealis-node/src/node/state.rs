//! The persistent per-node state: bundle sequence counter (the anti-replay number), IV
//! counter, replay filter and the role's session state, in one file written atomically
//! (temporary file, fsync, rename, directory fsync), so that one write commits all of them.
//!
//! Counters are *reserved* ahead in blocks of [`RESERVE`]: the state file always holds a
//! sequence number and an IV counter value no bundle has used yet, written before any of the
//! block is used (bpsec `IvCounter`: "persist before use"). A restart skips the unused rest
//! of a block; numbers never go back.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use bpsec::{IvCounter, ReplayFilter};
use serde_json::{Value, json};

use super::NodeError;
use crate::transport::fsutil;

/// Sequence numbers and IVs reserved per state write.
pub const RESERVE: u64 = 64;
/// Version of the state file format.
const VERSION: u64 = 1;

/// The bundle sequence counter and IV counter of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    sequence: u64,
    sequence_limit: u64,
    iv: IvCounter,
    iv_limit: u64,
    fixed: [u8; 4],
}

impl Counters {
    /// Fresh counters with IV fixed field `fixed` (distinct per sender sharing a key, NIST SP
    /// 800-38D §8.2.1), sequence numbers from 1.
    pub const fn new(fixed: [u8; 4]) -> Self {
        Self {
            sequence: 1,
            sequence_limit: 1,
            iv: IvCounter::new(fixed, 0),
            iv_limit: 0,
            fixed,
        }
    }

    /// Whether the reserved block is used up.
    pub const fn needs_reserve(&self) -> bool {
        self.sequence >= self.sequence_limit || self.iv.next_value() >= self.iv_limit
    }

    /// Reserves the next block (persist the state before using it).
    pub fn reserve(&mut self) {
        self.sequence_limit = self.sequence.saturating_add(RESERVE);
        self.iv_limit = self.iv.next_value().saturating_add(RESERVE);
    }

    /// The next bundle sequence number (reserve first).
    pub fn next_sequence(&mut self) -> u64 {
        let s = self.sequence;
        self.sequence = s.saturating_add(1);
        s
    }

    /// The IV source.
    pub fn iv_mut(&mut self) -> &mut IvCounter {
        &mut self.iv
    }

    fn to_json(self) -> Value {
        json!({
            "next_sequence": self.sequence_limit,
            "iv_fixed": hex::encode(self.fixed),
            "next_iv": self.iv_limit,
        })
    }

    fn from_json(v: &Value) -> Option<Self> {
        let sequence = v.get("next_sequence")?.as_u64()?;
        let next_iv = v.get("next_iv")?.as_u64()?;
        let fixed: [u8; 4] = hex::decode(v.get("iv_fixed")?.as_str()?)
            .ok()?
            .try_into()
            .ok()?;
        Some(Self {
            sequence,
            sequence_limit: sequence,
            iv: IvCounter::new(fixed, next_iv),
            iv_limit: next_iv,
            fixed,
        })
    }
}

/// A node's state file (JSON; binary parts in hex).
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

/// What a state file holds.
#[derive(Debug)]
pub(crate) struct Saved {
    pub(crate) counters: Counters,
    pub(crate) replay: ReplayFilter,
    /// The role's session state (`ResponseCache` or `Sessions` bytes), if any.
    pub(crate) sessions: Option<Vec<u8>>,
}

impl StateFile {
    /// The state file at `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn load(&self) -> Result<Option<Saved>, NodeError> {
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(NodeError::State(format!("{}: {e}", self.path.display()))),
        };
        let bad = |what: &str| NodeError::State(format!("{}: {what}", self.path.display()));
        let v: Value = serde_json::from_slice(&text).map_err(|e| bad(&e.to_string()))?;
        if v.get("version").and_then(Value::as_u64) != Some(VERSION) {
            return Err(bad("unsupported version"));
        }
        let counters = v
            .get("counters")
            .and_then(Counters::from_json)
            .ok_or_else(|| bad("counters"))?;
        let replay = v
            .get("replay")
            .and_then(Value::as_str)
            .and_then(|h| hex::decode(h).ok())
            .ok_or_else(|| bad("replay"))?;
        let replay = ReplayFilter::from_bytes(&replay).map_err(|e| bad(&e.to_string()))?;
        let sessions = match v.get("sessions").and_then(Value::as_str) {
            Some(h) => Some(hex::decode(h).map_err(|e| bad(&e.to_string()))?),
            None => None,
        };
        Ok(Some(Saved {
            counters,
            replay,
            sessions,
        }))
    }

    pub(crate) fn save(
        &self,
        counters: &Counters,
        replay: &ReplayFilter,
        sessions: &[u8],
    ) -> Result<(), NodeError> {
        let v = json!({
            "version": VERSION,
            "counters": counters.to_json(),
            "replay": hex::encode(replay.to_bytes()),
            "sessions": hex::encode(sessions),
        });
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let name = self.path.file_name().unwrap_or(OsStr::new("state.json"));
        fsutil::write_atomic(dir, name, v.to_string().as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_never_go_back_across_a_restart() {
        let mut c = Counters::new(*b"TEST");
        assert!(c.needs_reserve());
        c.reserve();
        let saved = c.to_json();
        assert_eq!(c.next_sequence(), 1);
        let mut restored = Counters::from_json(&saved).unwrap();
        assert!(restored.needs_reserve());
        restored.reserve();
        assert_eq!(restored.next_sequence(), 1 + RESERVE);
        assert_eq!(restored.iv_mut().next_value(), RESERVE);
    }
}
