//! The Attached Sync Marker and a frame synchronizer (CCSDS 131.0-B-4 §9).
//!
//! On the wire every code block (a transfer frame, plus its Reed-Solomon check symbols if
//! any, randomized) is preceded by the 32-bit ASM `1A CF FC 1D`; the pair is the CADU
//! (§9). [`attach`] builds a CADU. [`FrameSynchronizer`] does the receiver's half: it finds
//! the markers in a demodulated bit stream and hands out the code blocks between them.
//!
//! # The synchronizer
//!
//! A demodulator's output is a bit stream with no octet alignment, so the synchronizer
//! looks for the marker at *every bit offset* and re-aligns each code block into octets
//! for the caller. Bit errors hit the marker as they hit the data, so a marker is accepted
//! when it differs from the ASM in at most a configured number of bits. The book leaves the
//! acquisition strategy to the implementation (§9 only defines the marker); this one is the
//! classic three-state machine of hardware frame synchronizers:
//!
//! - **Search**: slide bit by bit until a window is within
//!   [`SyncConfig::search_tolerance`] bits of the ASM. That code block is delivered
//!   ([`MarkerStatus::Found`]) and the machine moves to Check (or straight to Lock when
//!   [`SyncConfig::check_frames`] is 0).
//! - **Check**: the next marker is expected exactly one CADU later. It must be within
//!   [`SyncConfig::lock_tolerance`] bits; after `check_frames` such markers in a row the
//!   machine is in Lock. A single miss means the first hit was a false one: back to Search.
//! - **Lock**: markers are still verified one CADU apart. A missed marker is tolerated
//!   ("flywheel"): the code block at the expected place is delivered anyway, marked
//!   [`MarkerStatus::Flywheel`], because the receiver's decoder (Reed-Solomon) judges the
//!   block better than the marker does. After [`SyncConfig::misses_to_search`] misses in a
//!   row the machine drops back to Search, starting at the last expected marker position.
//!
//! When Check or Lock fail, search resumes at the position where the marker was expected,
//! not one bit after the previous hit: the octets in between have already been handed out.
//! This can cost one extra code block after a false acquisition, never a wrong one.
//!
//! The synchronizer is sans-IO: [`FrameSynchronizer::push`] takes received octets (as many
//! as fit in its bounded buffer) and [`FrameSynchronizer::next_codeblock`] writes the next
//! code block into a caller buffer (it cannot be borrowed: it may be shifted by 1–7 bits).
//! Inverted-polarity markers (BPSK phase ambiguity) are not searched for.
//!
//! ```
//! use ccsds_tm::sync::{self, FrameSynchronizer, MarkerStatus, SyncConfig};
//!
//! // Two CADUs of 8-octet code blocks, after 3 octets of noise.
//! let mut stream = vec![0x00, 0x00, 0x00];
//! let mut cadu = [0u8; 12];
//! for block in [[1u8; 8], [2u8; 8]] {
//!     let len = sync::attach(&block, &mut cadu)?;
//!     stream.extend_from_slice(&cadu[..len]);
//! }
//! let mut synchronizer = FrameSynchronizer::new(SyncConfig::new(8))?;
//! assert_eq!(synchronizer.push(&stream), stream.len());
//! let mut block = [0u8; 8];
//! let first = synchronizer.next_codeblock(&mut block)?.expect("a code block");
//! assert_eq!((first.asm_bit_offset, first.marker, block), (24, MarkerStatus::Found, [1; 8]));
//! // The second marker is where the first one predicts it: verified.
//! let second = synchronizer.next_codeblock(&mut block)?.expect("a code block");
//! assert_eq!((second.marker, block), (MarkerStatus::Verified, [2; 8]));
//! // The third marker is not there yet: more input is needed.
//! assert_eq!(synchronizer.next_codeblock(&mut block)?, None);
//! # Ok::<(), ccsds_tm::Error>(())
//! ```

use alloc::vec::Vec;
use ccsds_core::WireError;

use crate::Error;

/// The 32-bit Attached Sync Marker of uncoded, convolutional and Reed-Solomon coded
/// telemetry (131.0-B-4 §9), sent MSB first.
pub const ASM: [u8; 4] = [0x1A, 0xCF, 0xFC, 0x1D];

/// Octets in [`ASM`].
pub const ASM_LEN: usize = ASM.len();

/// [`ASM`] as one big-endian word, for Hamming-distance comparisons.
const ASM_WORD: u32 = u32::from_be_bytes(ASM);

/// The largest accepted code block (64 KiB; CCSDS code blocks are at most a few KiB). It
/// bounds the synchronizer's buffer.
pub const MAX_CODEBLOCK_LEN: usize = 65_536;

/// The largest accepted marker tolerance, in bits. Beyond it, random data matches the
/// 32-bit marker too often (with 8 errors, about once every 700 bit positions).
pub const MAX_TOLERANCE: u32 = 8;

/// Writes a CADU — the ASM followed by `codeblock` — into `out` and returns its length
/// (131.0-B-4 §9). `codeblock` must already be randomized if the link randomizes.
pub fn attach(codeblock: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let len = ASM_LEN + codeblock.len();
    let available = out.len();
    let cadu = out
        .get_mut(..len)
        .ok_or(WireError::buffer_too_small("cadu", len, available))?;
    let (marker, block) = cadu.split_at_mut(ASM_LEN);
    marker.copy_from_slice(&ASM);
    block.copy_from_slice(codeblock);
    Ok(len)
}

/// Managed parameters of a [`FrameSynchronizer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncConfig {
    /// Octets in a code block (transfer frame + check symbols), so a CADU is
    /// `ASM_LEN + codeblock_len` octets. Fixed per physical channel (131.0-B-4 §9).
    pub codeblock_len: usize,
    /// Bit errors accepted in a marker found while searching (0..=[`MAX_TOLERANCE`]).
    pub search_tolerance: u32,
    /// Bit errors accepted in a marker at its expected position, in Check and Lock
    /// (0..=[`MAX_TOLERANCE`]).
    pub lock_tolerance: u32,
    /// Markers verified in a row, after acquisition, before the synchronizer trusts the
    /// lock (0 = lock on the first marker found).
    pub check_frames: u32,
    /// Markers missed in a row, in Lock, that drop the synchronizer back to Search (≥ 1).
    pub misses_to_search: u32,
}

impl SyncConfig {
    /// A configuration for `codeblock_len`-octet code blocks with common receiver settings:
    /// 2 bit errors tolerated while searching, 4 at the expected position, one verified
    /// marker before Lock, and 3 missed markers in a row to lose lock.
    pub const fn new(codeblock_len: usize) -> Self {
        Self {
            codeblock_len,
            search_tolerance: 2,
            lock_tolerance: 4,
            check_frames: 1,
            misses_to_search: 3,
        }
    }

    /// Octets in a CADU (marker + code block).
    pub const fn cadu_len(&self) -> usize {
        ASM_LEN + self.codeblock_len
    }

    fn validate(&self) -> Result<(), Error> {
        if self.codeblock_len == 0 || self.codeblock_len > MAX_CODEBLOCK_LEN {
            return Err(WireError::invalid(
                0,
                "codeblock_len",
                self.codeblock_len as u64,
            ));
        }
        for (name, tolerance) in [
            ("search_tolerance", self.search_tolerance),
            ("lock_tolerance", self.lock_tolerance),
        ] {
            if tolerance > MAX_TOLERANCE {
                return Err(WireError::invalid(0, name, tolerance.into()));
            }
        }
        if self.misses_to_search == 0 {
            return Err(WireError::invalid(0, "misses_to_search", 0));
        }
        Ok(())
    }
}

/// Where the synchronizer stands (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// Sliding bit by bit in search of a marker.
    Search,
    /// Acquired; verifying that markers recur one CADU apart.
    Check,
    /// Locked; missed markers are flywheeled until too many occur in a row.
    Lock,
}

/// How the marker in front of a delivered code block was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerStatus {
    /// Found by the search (within the search tolerance).
    Found,
    /// At its expected position, within the lock tolerance.
    Verified,
    /// Missing at its expected position; the block was delivered on the strength of the
    /// lock.
    Flywheel,
}

/// A code block written by [`FrameSynchronizer::next_codeblock`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Codeblock {
    /// Position of the marker's first bit, in bits from the first octet ever pushed
    /// (`/ 8` gives the octet, `% 8` the bit shift, 0 = octet-aligned).
    pub asm_bit_offset: u64,
    /// Bits in which the received marker differs from the ASM.
    pub asm_bit_errors: u32,
    /// How the marker was judged.
    pub marker: MarkerStatus,
}

/// The next thing the synchronizer does at bit `pos` of its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Search for a marker from `pos`.
    Search,
    /// Judge the marker expected at `pos`.
    Verify,
    /// Deliver the code block after the marker at `pos`, once it is all buffered.
    Deliver { errors: u32, marker: MarkerStatus },
}

/// The Check/Lock bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check { verified: u32 },
    Lock { misses: u32 },
}

/// A sans-IO frame synchronizer: finds ASMs at any bit offset with bit-error tolerance and
/// hands out the code blocks behind them (see the [module documentation](self)).
///
/// Memory is one buffer of `2 × CADU + 8` octets, allocated by [`FrameSynchronizer::new`]
/// and never grown.
#[derive(Debug, Clone)]
pub struct FrameSynchronizer {
    config: SyncConfig,
    buf: Vec<u8>,
    capacity: usize,
    /// Octets dropped from the front of `buf` since the start of the stream.
    dropped: u64,
    /// Bit position in `buf` that `step` applies to.
    pos: usize,
    step: Step,
    mode: Mode,
}

impl FrameSynchronizer {
    /// A synchronizer in Search. Fails with [`crate::ErrorKind::InvalidValue`] if `config`
    /// holds a code block length of 0 or over [`MAX_CODEBLOCK_LEN`], a tolerance over
    /// [`MAX_TOLERANCE`], or `misses_to_search` of 0.
    pub fn new(config: SyncConfig) -> Result<Self, Error> {
        config.validate()?;
        let capacity = 2 * config.cadu_len() + 8;
        Ok(Self {
            config,
            buf: Vec::with_capacity(capacity),
            capacity,
            dropped: 0,
            pos: 0,
            step: Step::Search,
            mode: Mode::Check { verified: 0 },
        })
    }

    /// The configuration.
    pub const fn config(&self) -> &SyncConfig {
        &self.config
    }

    /// The current state of the search/check/lock machine.
    pub const fn state(&self) -> SyncState {
        match (self.step, self.mode) {
            (Step::Search, _) => SyncState::Search,
            (_, Mode::Check { .. }) => SyncState::Check,
            (_, Mode::Lock { .. }) => SyncState::Lock,
        }
    }

    /// Appends received octets (MSB first) and returns how many were taken: fewer than
    /// `input.len()` when the buffer is full. Call [`Self::next_codeblock`] until it returns
    /// `None`, then push the rest; that loop always makes progress.
    pub fn push(&mut self, input: &[u8]) -> usize {
        let consumed = (self.pos / 8).min(self.buf.len());
        if consumed > 0 {
            self.buf.drain(..consumed);
            self.pos -= consumed * 8;
            self.dropped += consumed as u64;
        }
        let take = input
            .len()
            .min(self.capacity.saturating_sub(self.buf.len()));
        self.buf
            .extend_from_slice(input.get(..take).unwrap_or_default());
        take
    }

    /// Writes the next code block into `out[..codeblock_len]` and says where its marker
    /// was, or returns `None` when more input is needed. Fails with
    /// [`crate::ErrorKind::BufferTooSmall`] if `out` is shorter than a code block.
    pub fn next_codeblock(&mut self, out: &mut [u8]) -> Result<Option<Codeblock>, Error> {
        let len = self.config.codeblock_len;
        let available = out.len();
        let out =
            out.get_mut(..len)
                .ok_or(WireError::buffer_too_small("codeblock", len, available))?;
        loop {
            match self.step {
                Step::Search => {
                    let Some((pos, errors)) = self.search() else {
                        return Ok(None);
                    };
                    self.pos = pos;
                    self.mode = if self.config.check_frames == 0 {
                        Mode::Lock { misses: 0 }
                    } else {
                        Mode::Check { verified: 0 }
                    };
                    self.step = Step::Deliver {
                        errors,
                        marker: MarkerStatus::Found,
                    };
                }
                Step::Verify => {
                    let Some(window) = window(&self.buf, self.pos) else {
                        return Ok(None);
                    };
                    self.verify((window ^ ASM_WORD).count_ones());
                }
                Step::Deliver { errors, marker } => {
                    if !copy_bits(&self.buf, self.pos + ASM_LEN * 8, out) {
                        return Ok(None);
                    }
                    let block = Codeblock {
                        asm_bit_offset: self.dropped * 8 + self.pos as u64,
                        asm_bit_errors: errors,
                        marker,
                    };
                    self.pos += self.config.cadu_len() * 8;
                    self.step = Step::Verify;
                    return Ok(Some(block));
                }
            }
        }
    }

    /// Slides from `pos` to the last complete 32-bit window; returns the first marker
    /// within the search tolerance, or remembers where to continue.
    fn search(&mut self) -> Option<(usize, u32)> {
        let bits = self.buf.len() * 8;
        let last = bits.checked_sub(ASM_LEN * 8)?;
        for pos in self.pos..=last {
            let errors = (window(&self.buf, pos)? ^ ASM_WORD).count_ones();
            if errors <= self.config.search_tolerance {
                return Some((pos, errors));
            }
        }
        self.pos = self.pos.max(last + 1);
        None
    }

    /// Judges the marker expected at `pos`, which differs from the ASM in `errors` bits.
    fn verify(&mut self, errors: u32) {
        let hit = errors <= self.config.lock_tolerance;
        let delivered = |marker| Step::Deliver { errors, marker };
        (self.mode, self.step) = match (self.mode, hit) {
            (Mode::Check { verified }, true) => {
                let verified = verified + 1;
                let mode = if verified >= self.config.check_frames {
                    Mode::Lock { misses: 0 }
                } else {
                    Mode::Check { verified }
                };
                (mode, delivered(MarkerStatus::Verified))
            }
            (Mode::Lock { .. }, true) => {
                (Mode::Lock { misses: 0 }, delivered(MarkerStatus::Verified))
            }
            (Mode::Lock { misses }, false) if misses + 1 < self.config.misses_to_search => (
                Mode::Lock { misses: misses + 1 },
                delivered(MarkerStatus::Flywheel),
            ),
            (mode, false) => (mode, Step::Search),
        };
    }
}

/// The 32 bits of `buf` starting at bit `bit` (MSB first), if they are all there.
fn window(buf: &[u8], bit: usize) -> Option<u32> {
    let (byte, shift) = (bit / 8, bit % 8);
    let word = u32::from_be_bytes(*buf.get(byte..)?.first_chunk::<4>()?);
    if shift == 0 {
        return Some(word);
    }
    let next = *buf.get(byte + 4)?;
    Some((word << shift) | (u32::from(next) >> (8 - shift)))
}

/// Fills `out` with the bits of `buf` from bit `bit` on, re-aligned to octets. Returns
/// false (leaving `out` unspecified) if `buf` does not hold them all yet.
fn copy_bits(buf: &[u8], bit: usize, out: &mut [u8]) -> bool {
    let (byte, shift) = (bit / 8, bit % 8);
    if shift == 0 {
        let Some(src) = buf.get(byte..byte + out.len()) else {
            return false;
        };
        out.copy_from_slice(src);
    } else {
        let Some(src) = buf.get(byte..=byte + out.len()) else {
            return false;
        };
        for (o, (hi, lo)) in out.iter_mut().zip(src.iter().zip(src.iter().skip(1))) {
            *o = (hi << shift) | (lo >> (8 - shift));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_reads_across_octets() {
        let buf = [0x0D, 0x67, 0xFE, 0x0E, 0x80];
        assert_eq!(window(&buf, 1), Some(ASM_WORD));
        // One bit later the window takes in the 0 after the marker.
        assert_eq!(window(&buf, 2), Some(ASM_WORD << 1));
        assert_eq!(window(&buf, 8), Some(0x67FE_0E80));
        assert_eq!(window(&buf, 9), None);
        assert_eq!(window(&buf[..4], 1), None);
    }

    #[test]
    fn copy_bits_needs_the_whole_block() {
        let mut out = [0u8; 2];
        assert!(!copy_bits(&[0xFF, 0x00], 1, &mut out));
        assert!(copy_bits(&[0x7F, 0x80, 0x80], 1, &mut out));
        assert_eq!(out, [0xFF, 0x01]);
    }

    #[test]
    fn rejects_bad_configs() {
        let ok = SyncConfig::new(10);
        assert!(FrameSynchronizer::new(ok).is_ok());
        for bad in [
            SyncConfig::new(0),
            SyncConfig::new(MAX_CODEBLOCK_LEN + 1),
            SyncConfig {
                search_tolerance: 9,
                ..ok
            },
            SyncConfig {
                lock_tolerance: 9,
                ..ok
            },
            SyncConfig {
                misses_to_search: 0,
                ..ok
            },
        ] {
            assert!(FrameSynchronizer::new(bad).is_err(), "{bad:?}");
        }
    }
}
