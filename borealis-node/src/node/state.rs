//! The persistent per-node state: bundle sequence counter (the anti-replay number), IV
//! counter, replay filter and the role's session state, in one file written atomically
//! (temporary file, fsync, rename, directory fsync), so that one write commits all of them.
//!
//! Counters are *reserved* ahead in blocks of [`RESERVE`]: the state file always holds a
//! sequence number and an IV counter value no bundle has used yet, written before any of the
//! block is used (bpsec `IvCounter`: "persist before use"). A restart skips the unused rest
//! of a block; numbers never go back.
//!
//! # Authentication (format version 2)
//!
//! ```text
//! file = body ‖ "hmac-sha256 " ‖ hex(HMAC-SHA-256(K, body)) ‖ "\n"
//! body = JSON object {"version": 2, "counters": …, "replay": …, "sessions": …} ‖ "\n"
//! K    = otar::kdf::derive(storage master key, "borealis node state mac", role)
//! ```
//!
//! Whoever can edit the file could otherwise roll the counters back — the same sequence
//! numbers and AES-GCM IVs used twice under one key (NIST SP 800-38D §8: IV reuse breaks
//! both confidentiality and authenticity) — or reopen the replay window. So the file carries
//! an HMAC-SHA-256 under a key derived with its own label ([`MAC_LABEL`]) from the side's
//! storage master key, the one that already protects its OTAR store (`otar::store::persist`:
//! payload `payload/master.key`, ground `ground/state.key`), and bound to the role, so a
//! ground file does not authenticate as a payload one. The tag is checked over the exact
//! octets before anything in them is read; a file that does not authenticate is refused
//! ([`NodeError::StateNotAuthentic`]), never replaced by a fresh state (that too would reset
//! the counters).
//!
//! **What the MAC does not stop:** replacing the file with an older copy the node wrote
//! itself. That copy is authentic, so its counters and replay window are accepted, and the
//! rollback happens all the same. Only a monotonic counter kept outside this file, where the
//! same attacker cannot set it back (a TPM or secure-element NV counter, eMMC RPMB), and
//! bound into the authenticated body would detect it. Until a platform offers one, the file's
//! directory must be writable by the daemon only.
//!
//! **Migration from version 1** (no MAC): such a file is refused
//! ([`NodeError::StateUnsigned`]), not accepted once and re-saved. Accepting it "once" would
//! need a record, out of the attacker's reach, that the migration already happened;
//! without one, anyone who can write the file could keep planting version-1 files with
//! rolled-back counters. The operator migrates deliberately, once, after the upgrade:
//! `borealis migrate-state --mission DIR` ([`migrate_state`]) signs the version-1 files the
//! node wrote itself. Deleting the file instead is never safe: fresh counters reuse IVs.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

use bpsec::{IvCounter, ReplayFilter};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::NodeError;
use crate::mission::{Layout, SECRET_LEN, read_secret};
use crate::transport::fsutil;

/// Sequence numbers and IVs reserved per state write.
pub const RESERVE: u64 = 64;
/// Version of the state file format: 2, authenticated.
const VERSION: u64 = 2;
/// The unauthenticated format before it.
const UNSIGNED_VERSION: u64 = 1;
/// HKDF label of the state file's MAC key ([`otar::kdf::derive`]): a label of its own, so the
/// master key never yields this key for another use.
pub const MAC_LABEL: &str = "borealis node state mac";
/// Start of the file's last line, before the hex tag.
const MAC_PREFIX: &[u8] = b"hmac-sha256 ";
/// Name of the state file in each side's directory.
pub const STATE_FILE: &str = "node-state.json";
/// Octets of an HMAC-SHA-256 tag.
const TAG_LEN: usize = 32;

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

/// Which side a state file belongs to: the context its MAC key is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `payload/node-state.json`, keyed from `payload/master.key`.
    Payload,
    /// `ground/node-state.json`, keyed from `ground/state.key`.
    Ground,
}

impl Role {
    /// The KDF context: the role's name.
    const fn name(self) -> &'static str {
        match self {
            Self::Payload => "payload",
            Self::Ground => "ground",
        }
    }

    /// The state file and the storage master key file of this side of `layout`.
    fn paths(self, layout: &Layout) -> (PathBuf, PathBuf) {
        match self {
            Self::Payload => (layout.payload_dir().join(STATE_FILE), layout.master_key()),
            Self::Ground => (
                layout.ground_dir().join(STATE_FILE),
                layout.ground_state_key(),
            ),
        }
    }
}

/// The MAC key of a state file (module docs, "Authentication"). Wiped when dropped, never
/// printed.
pub struct StateKey(Zeroizing<[u8; SECRET_LEN]>);

impl fmt::Debug for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StateKey(..)")
    }
}

impl StateKey {
    /// The key of `role`'s state file, from that side's storage master key.
    pub fn derive(master: &[u8; SECRET_LEN], role: Role) -> Self {
        Self(otar::kdf::derive(master, MAC_LABEL, role.name().as_bytes()))
    }

    /// [`Self::derive`] from the master key in key file `path` (read like the OTAR store's:
    /// [`read_secret`], permissions checked).
    pub fn from_key_file(path: &Path, role: Role) -> Result<Self, NodeError> {
        let (_, master) = read_secret(path)?;
        Ok(Self::derive(&master, role))
    }

    fn mac(&self) -> Result<Hmac<Sha256>, NodeError> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_slice())
            .map_err(|e| NodeError::State(format!("state MAC key: {e}")))
    }
}

/// A node's state file: JSON (binary parts in hex) under an HMAC (module docs).
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    key: StateKey,
}

/// What a state file holds.
#[derive(Debug)]
pub(crate) struct Saved {
    pub(crate) counters: Counters,
    pub(crate) replay: ReplayFilter,
    /// The role's session state (`ResponseCache` or `Sessions` bytes), if any.
    pub(crate) sessions: Option<Vec<u8>>,
}

/// What the octets of a state file are, before their content is read.
enum Envelope<'a> {
    /// Version 2 whose tag verifies: the body.
    Authentic(&'a [u8]),
    /// A version-1 file (JSON, no tag line).
    Unsigned(Value),
}

impl StateFile {
    /// The state file at `path`, authenticated under `key`.
    pub fn new(path: PathBuf, key: StateKey) -> Self {
        Self { path, key }
    }

    /// The state file of `role` in the mission at `layout`, its key derived from that side's
    /// master key file.
    pub fn of(layout: &Layout, role: Role) -> Result<Self, NodeError> {
        let (path, key_file) = role.paths(layout);
        Ok(Self::new(path, StateKey::from_key_file(&key_file, role)?))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn not_authentic(&self) -> NodeError {
        NodeError::StateNotAuthentic {
            path: self.path.clone(),
        }
    }

    /// The file's octets, `None` if it does not exist.
    fn read(&self) -> Result<Option<Vec<u8>>, NodeError> {
        match std::fs::read(&self.path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(NodeError::State(format!("{}: {e}", self.path.display()))),
        }
    }

    /// Checks the tag of `file` before anything else is read from it.
    fn open<'a>(&self, file: &'a [u8]) -> Result<Envelope<'a>, NodeError> {
        let Some(content) = file.strip_suffix(b"\n") else {
            return self.unsigned(file);
        };
        let body_len = content
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i.saturating_add(1));
        let (body, last) = content.split_at_checked(body_len).unwrap_or((&[], content));
        let Some(tag_hex) = last.strip_prefix(MAC_PREFIX) else {
            return self.unsigned(file);
        };
        let mut tag = [0u8; TAG_LEN];
        hex::decode_to_slice(tag_hex, &mut tag).map_err(|_| self.not_authentic())?;
        let mut mac = self.key.mac()?;
        mac.update(body);
        mac.verify_slice(&tag).map_err(|_| self.not_authentic())?;
        Ok(Envelope::Authentic(body))
    }

    /// A file without a tag line: a version-1 file is [`Envelope::Unsigned`]; anything else
    /// (a version-2 body whose tag was cut off included) is not authentic.
    fn unsigned<'a>(&self, file: &[u8]) -> Result<Envelope<'a>, NodeError> {
        match serde_json::from_slice::<Value>(file) {
            Ok(v) if v.get("version").and_then(Value::as_u64) == Some(UNSIGNED_VERSION) => {
                Ok(Envelope::Unsigned(v))
            }
            _ => Err(self.not_authentic()),
        }
    }

    /// Reads the counters, replay filter and sessions of an authentic body of `version`.
    fn parse(&self, v: &Value, version: u64) -> Result<Saved, NodeError> {
        let bad = |what: &str| NodeError::State(format!("{}: {what}", self.path.display()));
        if v.get("version").and_then(Value::as_u64) != Some(version) {
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
        Ok(Saved {
            counters,
            replay,
            sessions,
        })
    }

    fn parse_authentic(&self, body: &[u8]) -> Result<Saved, NodeError> {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| NodeError::State(format!("{}: {e}", self.path.display())))?;
        self.parse(&v, VERSION)
    }

    /// The saved state, `None` if there is no file yet. A file that does not authenticate is
    /// [`NodeError::StateNotAuthentic`], a version-1 one [`NodeError::StateUnsigned`].
    pub(crate) fn load(&self) -> Result<Option<Saved>, NodeError> {
        let Some(file) = self.read()? else {
            return Ok(None);
        };
        match self.open(&file)? {
            Envelope::Authentic(body) => self.parse_authentic(body).map(Some),
            Envelope::Unsigned(_) => Err(NodeError::StateUnsigned {
                path: self.path.clone(),
            }),
        }
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
        self.write(&v)
    }

    /// Writes `v` (a version-2 body) with its tag, atomically.
    fn write(&self, v: &Value) -> Result<(), NodeError> {
        let mut file = v.to_string().into_bytes();
        file.push(b'\n');
        let mut mac = self.key.mac()?;
        mac.update(&file);
        let tag = mac.finalize().into_bytes();
        file.extend_from_slice(MAC_PREFIX);
        file.extend_from_slice(hex::encode(tag).as_bytes());
        file.push(b'\n');
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let name = self.path.file_name().unwrap_or(OsStr::new(STATE_FILE));
        fsutil::write_atomic(dir, name, &file)?;
        Ok(())
    }

    /// Signs a version-1 file in place as version 2, keeping its content; `Ok(false)` if
    /// there is no file or it already is version 2 (and authentic). Only for a file the node
    /// wrote itself (module docs, "Migration from version 1"): it is checked for being a
    /// well-formed state, not for being honest.
    pub fn migrate(&self) -> Result<bool, NodeError> {
        let Some(file) = self.read()? else {
            return Ok(false);
        };
        match self.open(&file)? {
            Envelope::Authentic(body) => self.parse_authentic(body).map(|_| false),
            Envelope::Unsigned(mut v) => {
                self.parse(&v, UNSIGNED_VERSION)?;
                if let Some(version) = v.get_mut("version") {
                    *version = json!(VERSION);
                }
                self.write(&v)?;
                Ok(true)
            }
        }
    }
}

/// `borealis migrate-state`: signs the version-1 state files of `mission` (module docs,
/// "Migration from version 1"), each side whose master key file is present (a real
/// deployment has only its own side's); returns the files it signed.
pub fn migrate_state(mission: &Path) -> Result<Vec<PathBuf>, NodeError> {
    let layout = Layout::new(mission);
    let mut signed = Vec::new();
    for role in [Role::Payload, Role::Ground] {
        let (path, key_file) = role.paths(&layout);
        if !key_file.exists() || !path.exists() {
            continue;
        }
        let state = StateFile::new(path, StateKey::from_key_file(&key_file, role)?);
        if state.migrate()? {
            signed.push(state.path);
        }
    }
    Ok(signed)
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
