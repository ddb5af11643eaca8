//! Anti-replay: a sliding window per (security source, key id) over a monotonic sequence
//! number.
//!
//! BPSec itself has no replay protection (RFC 9172 §8 leaves it to policy). We use the
//! **creation timestamp's sequence number** (RFC 9171 §4.2.6) of the primary block as the
//! counter: a Borealis source numbers its bundles from one persistent counter that never
//! goes back, whatever its clock does. The number is only trusted when a verified operation
//! covers the primary block — a BCB or BIB whose scope includes it (RFC 9173 scope bit 0) or a
//! BIB targeting block 0 — otherwise anyone could rewrite it; [`crate::accept`] refuses the
//! bundle in that case ([`crate::PolicyViolation::SequenceNotAuthenticated`]). The ASB's own
//! parameters cannot carry it: neither the IPPT nor the AAD covers them.
//!
//! The window is sans-IO: the caller persists [`ReplayFilter::to_bytes`] (atomically, with its
//! own integrity protection) and restores it with [`ReplayFilter::from_bytes`] at start-up.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use bpv7::cbor::{self, Decoder};
use bpv7::eid::Eid;

use crate::KeyId;

/// Largest window, in sequence numbers.
pub const MAX_WINDOW: u32 = 1024;
const WORDS: usize = (MAX_WINDOW / 64) as usize;
/// Format version of [`ReplayFilter::to_bytes`].
const STATE_VERSION: u64 = 1;

/// Why a sequence number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The number was already accepted.
    #[error("sequence number {0} already seen")]
    Duplicate(u64),
    /// The number is left of the window: too old to tell, refused.
    #[error("sequence number {seq} is older than the window (highest {highest}, width {width})")]
    TooOld {
        /// The refused number.
        seq: u64,
        /// Highest number accepted so far.
        highest: u64,
        /// Window width.
        width: u32,
    },
    /// A window width of 0 or above [`MAX_WINDOW`].
    #[error("window width {0} outside 1..=1024")]
    BadWidth(u32),
    /// Saved state that does not decode.
    #[error("replay state does not decode (at byte {0})")]
    BadState(usize),
}

/// One sliding window (RFC 4303 §3.4.3 style): the highest number accepted, and a bitmap of
/// which of the `width` numbers at and below it were seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayWindow {
    width: u32,
    highest: Option<u64>,
    /// Bit `i` (word `i / 64`, bit `i % 64`): number `highest - i` was seen.
    seen: [u64; WORDS],
}

impl ReplayWindow {
    /// An empty window of `width` numbers (1..=[`MAX_WINDOW`]).
    pub fn new(width: u32) -> Result<Self, ReplayError> {
        if width == 0 || width > MAX_WINDOW {
            return Err(ReplayError::BadWidth(width));
        }
        Ok(Self {
            width,
            highest: None,
            seen: [0; WORDS],
        })
    }

    /// The window width.
    pub const fn width(&self) -> u32 {
        self.width
    }

    /// The highest number accepted so far.
    pub const fn highest(&self) -> Option<u64> {
        self.highest
    }

    /// Whether `seq` would be accepted, without recording it (check before the expensive
    /// cryptography; record with [`Self::commit`] only once the bundle is authenticated).
    pub fn check(&self, seq: u64) -> Result<(), ReplayError> {
        let Some(highest) = self.highest else {
            return Ok(());
        };
        if seq > highest {
            return Ok(());
        }
        let age = highest - seq;
        if age >= u64::from(self.width) {
            return Err(ReplayError::TooOld {
                seq,
                highest,
                width: self.width,
            });
        }
        if self.bit(age as usize) {
            return Err(ReplayError::Duplicate(seq));
        }
        Ok(())
    }

    /// Records `seq` as seen ([`Self::check`] first).
    pub fn commit(&mut self, seq: u64) -> Result<(), ReplayError> {
        self.check(seq)?;
        match self.highest {
            Some(highest) if seq <= highest => self.set((highest - seq) as usize),
            Some(highest) => {
                self.shift(seq - highest);
                self.highest = Some(seq);
                self.set(0);
            }
            None => {
                self.highest = Some(seq);
                self.set(0);
            }
        }
        Ok(())
    }

    fn bit(&self, i: usize) -> bool {
        self.seen
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn set(&mut self, i: usize) {
        if let Some(w) = self.seen.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Moves the window up by `by` numbers: bit `i` becomes bit `i + by`.
    fn shift(&mut self, by: u64) {
        if by >= u64::from(MAX_WINDOW) {
            self.seen = [0; WORDS];
            return;
        }
        let by = by as usize;
        let (words, bits) = (by / 64, by % 64);
        let old = self.seen;
        for (i, w) in self.seen.iter_mut().enumerate() {
            let lo = i
                .checked_sub(words)
                .and_then(|j| old.get(j))
                .copied()
                .unwrap_or(0);
            let carry = i
                .checked_sub(words + 1)
                .and_then(|j| old.get(j))
                .copied()
                .unwrap_or(0);
            *w = if bits == 0 {
                lo
            } else {
                (lo << bits) | (carry >> (64 - bits))
            };
        }
    }
}

/// Windows for every (security source, key) seen, created on first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayFilter {
    width: u32,
    /// Keyed by the security source's CBOR encoding (RFC 9171 §4.2.5.1) and the key id.
    windows: BTreeMap<(Vec<u8>, KeyId), ReplayWindow>,
}

impl ReplayFilter {
    /// A filter whose windows are `width` numbers wide.
    pub fn new(width: u32) -> Result<Self, ReplayError> {
        ReplayWindow::new(width)?;
        Ok(Self {
            width,
            windows: BTreeMap::new(),
        })
    }

    fn key(source: &Eid<'_>, key: KeyId) -> (Vec<u8>, KeyId) {
        let mut encoded = Vec::with_capacity(source.encoded_len());
        source.encode(&mut encoded);
        (encoded, key)
    }

    /// Whether `seq` from `source` under `key` would be accepted.
    pub fn check(&self, source: &Eid<'_>, key: KeyId, seq: u64) -> Result<(), ReplayError> {
        match self.windows.get(&Self::key(source, key)) {
            Some(window) => window.check(seq),
            None => Ok(()),
        }
    }

    /// Records `seq` from `source` under `key`.
    pub fn commit(&mut self, source: &Eid<'_>, key: KeyId, seq: u64) -> Result<(), ReplayError> {
        let width = self.width;
        let window = match self.windows.entry(Self::key(source, key)) {
            alloc::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            alloc::collections::btree_map::Entry::Vacant(e) => e.insert(ReplayWindow::new(width)?),
        };
        window.commit(seq)
    }

    /// Forgets the windows of `key` (after the key is destroyed, its numbers can never verify).
    pub fn forget_key(&mut self, key: KeyId) {
        self.windows.retain(|(_, k), _| *k != key);
    }

    /// The state as CBOR: `[1, width, [[source, key, highest / null, [words…]], …]]`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        cbor::write_array_head(&mut out, 3);
        cbor::write_uint(&mut out, STATE_VERSION);
        cbor::write_uint(&mut out, u64::from(self.width));
        cbor::write_array_head(&mut out, self.windows.len() as u64);
        for ((source, key), w) in &self.windows {
            cbor::write_array_head(&mut out, 4);
            cbor::write_bytes(&mut out, source);
            cbor::write_uint(&mut out, u64::from(key.0));
            match w.highest {
                Some(h) => {
                    cbor::write_array_head(&mut out, 1);
                    cbor::write_uint(&mut out, h);
                }
                None => cbor::write_array_head(&mut out, 0),
            }
            cbor::write_array_head(&mut out, WORDS as u64);
            for word in w.seen {
                cbor::write_uint(&mut out, word);
            }
        }
        out
    }

    /// Restores [`Self::to_bytes`] output; anything else is [`ReplayError::BadState`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ReplayError> {
        let mut dec = Decoder::new(bytes);
        let bad = |dec: &Decoder<'_>| ReplayError::BadState(dec.position());
        let header_ok =
            dec.array_definite().ok() == Some(3) && dec.uint().ok() == Some(STATE_VERSION);
        if !header_ok {
            return Err(bad(&dec));
        }
        let width = dec
            .uint()
            .ok()
            .and_then(|w| u32::try_from(w).ok())
            .ok_or(bad(&dec))?;
        let mut filter = Self::new(width)?;
        let n = dec.array_definite().map_err(|_| bad(&dec))?;
        for _ in 0..n {
            let entry = (|| {
                if dec.array_definite().ok()? != 4 {
                    return None;
                }
                let source = dec.bytes().ok()?.to_vec();
                Eid::decode(&mut Decoder::new(&source)).ok()?;
                let key = KeyId(u32::try_from(dec.uint().ok()?).ok()?);
                let highest = match dec.array_definite().ok()? {
                    0 => None,
                    1 => Some(dec.uint().ok()?),
                    _ => return None,
                };
                if dec.array_definite().ok()? != WORDS as u64 {
                    return None;
                }
                let mut seen = [0u64; WORDS];
                for word in &mut seen {
                    *word = dec.uint().ok()?;
                }
                Some((
                    (source, key),
                    ReplayWindow {
                        width,
                        highest,
                        seen,
                    },
                ))
            })();
            let (k, w) = entry.ok_or(bad(&dec))?;
            filter.windows.insert(k, w);
        }
        if !dec.is_empty() {
            return Err(bad(&dec));
        }
        Ok(filter)
    }
}
