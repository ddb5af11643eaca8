//! Reed-Solomon coding of TM/AOS transfer frames (CCSDS 131.0-B-4 §4).
//!
//! The codes are RS(255,223) with E = 16 and RS(255,239) with E = 8 over GF(2^8),
//! F(x) = x^8+x^7+x^2+x+1, with generator g(x) = ∏ (x − α^(11j)) for j = 128−E … 127+E
//! (131.0-B-4 §4), symbols carried in the dual-basis (Berlekamp) representation. A transfer frame of
//! `I·k'` octets (`k' ≤ 255 − 2E`; fewer than `255 − 2E` means a shortened code whose virtual fill
//! is never transmitted) is spread over `I` interleaved codewords (`I` ∈
//! {1, 2, 3, 4, 5, 8}): frame octet `m` belongs to codeword `m mod I`. The codeblock is the
//! frame followed by the `2E·I` check symbols, interleaved the same way: symbol `s` of codeword
//! `j` sits at octet `s·I + j` of the codeblock.
//!
//! ```
//! use ccsds_tm::rs::{ErrorCapability, RsCode};
//!
//! let code = RsCode::new(ErrorCapability::E16, 5, 1115)?;
//! let mut codeblock = [0u8; 1275];
//! codeblock[..4].copy_from_slice(&[0x07, 0xB3, 0x16, 0x0E]);
//! code.encode_in_place(&mut codeblock)?;
//! let sent = codeblock;
//!
//! codeblock[10] ^= 0xFF; // a symbol error in codeword 0
//! let report = code.decode_in_place(&mut codeblock)?;
//! assert_eq!(report.corrected(), [1, 0, 0, 0, 0]);
//! assert_eq!(codeblock, sent);
//! # Ok::<(), ccsds_tm::Error>(())
//! ```
//!
//! Neither encoding nor decoding allocates; the tables are built at compile time.

mod codeword;
mod gf;

use crate::{Error, ErrorKind};
use codeword::{Code, ErrorPattern};

/// The largest interleaving depth (131.0-B-4 §4).
pub const MAX_INTERLEAVE: u8 = 8;

/// The error-correction capability E of the code: symbol errors corrected per codeword
/// (131.0-B-4 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCapability {
    /// E = 8: RS(255,239), 16 check symbols per codeword.
    E8,
    /// E = 16: RS(255,223), 32 check symbols per codeword.
    E16,
}

impl ErrorCapability {
    /// E, the number of symbol errors a codeword can correct.
    pub const fn e(self) -> usize {
        match self {
            Self::E8 => 8,
            Self::E16 => 16,
        }
    }

    /// 2E, the number of check symbols per codeword.
    pub const fn check_len(self) -> usize {
        2 * self.e()
    }

    /// k = 255 − 2E, the number of data symbols of an unshortened codeword.
    pub const fn max_data_len(self) -> usize {
        255 - self.check_len()
    }
}

/// A Reed-Solomon code configuration: capability, interleaving depth and transfer frame
/// length (which fixes the shortening). Encodes and decodes codeblocks in caller buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RsCode {
    capability: ErrorCapability,
    /// Interleaving depth I; one of 1, 2, 3, 4, 5, 8 (checked by [`RsCode::new`]).
    interleave: u8,
    /// Data symbols per codeword, 1 ..= k (checked by [`RsCode::new`]).
    data_len: u8,
}

impl RsCode {
    /// The code carrying `frame_len`-octet transfer frames with interleaving depth
    /// `interleave`.
    ///
    /// `frame_len` must be a non-zero multiple of `interleave` and at most `I·(255 − 2E)`
    /// (131.0-B-4 §4: shortening removes the same number of virtual fill symbols from every
    /// codeword). `interleave` must be 1, 2, 3, 4, 5 or 8 (131.0-B-4 §4).
    pub const fn new(
        capability: ErrorCapability,
        interleave: u8,
        frame_len: usize,
    ) -> Result<Self, Error> {
        if !matches!(interleave, 1..=5 | 8) {
            return Err(Error::invalid(0, "interleaving_depth", interleave as u64));
        }
        let depth = interleave as usize;
        let data_len = frame_len / depth;
        if !frame_len.is_multiple_of(depth) || data_len == 0 || data_len > capability.max_data_len()
        {
            return Err(Error::invalid(0, "transfer_frame_length", frame_len as u64));
        }
        Ok(Self {
            capability,
            interleave,
            // data_len ≤ 239: the cast is lossless.
            data_len: data_len as u8,
        })
    }

    /// The error-correction capability.
    pub const fn capability(&self) -> ErrorCapability {
        self.capability
    }

    /// The interleaving depth I.
    pub const fn interleave(&self) -> u8 {
        self.interleave
    }

    /// Octets of the transfer frame (the data part of the codeblock).
    pub const fn frame_len(&self) -> usize {
        self.data_len as usize * self.interleave as usize
    }

    /// Virtual fill symbols per codeword (0 for an unshortened code); never transmitted.
    pub const fn virtual_fill(&self) -> usize {
        self.capability.max_data_len() - self.data_len as usize
    }

    /// Transmitted symbols per codeword (255 minus the virtual fill).
    pub const fn codeword_len(&self) -> usize {
        self.data_len as usize + self.capability.check_len()
    }

    /// Octets of the check-symbol part of the codeblock, 2E·I.
    pub const fn check_len(&self) -> usize {
        self.capability.check_len() * self.interleave as usize
    }

    /// Octets of the codeblock, I × [`RsCode::codeword_len`].
    pub const fn codeblock_len(&self) -> usize {
        self.codeword_len() * self.interleave as usize
    }

    /// Computes the check symbols of `frame` (exactly [`RsCode::frame_len`] octets) into
    /// `check` (exactly [`RsCode::check_len`] octets), interleaved as they follow the frame in
    /// the codeblock.
    pub fn encode(&self, frame: &[u8], check: &mut [u8]) -> Result<(), Error> {
        if frame.len() != self.frame_len() {
            return Err(Error::length_mismatch(
                0,
                "transfer_frame",
                self.frame_len(),
                frame.len(),
            ));
        }
        if check.len() != self.check_len() {
            return Err(Error::length_mismatch(
                self.frame_len(),
                "check_symbols",
                self.check_len(),
                check.len(),
            ));
        }
        match self.capability {
            ErrorCapability::E8 => self.encode_with(&codeword::E8, frame, check),
            ErrorCapability::E16 => self.encode_with(&codeword::E16, frame, check),
        }
        Ok(())
    }

    /// Encodes a codeblock in place: its first [`RsCode::frame_len`] octets hold the frame,
    /// the check symbols are written after it. `codeblock` must be exactly
    /// [`RsCode::codeblock_len`] octets.
    pub fn encode_in_place(&self, codeblock: &mut [u8]) -> Result<(), Error> {
        if codeblock.len() != self.codeblock_len() {
            return Err(Error::length_mismatch(
                0,
                "codeblock",
                self.codeblock_len(),
                codeblock.len(),
            ));
        }
        let (frame, check) = codeblock.split_at_mut(self.frame_len());
        self.encode(frame, check)
    }

    /// Decodes a received codeblock (exactly [`RsCode::codeblock_len`] octets) in place,
    /// correcting up to E symbol errors in each codeword.
    ///
    /// All or nothing: if any codeword is uncorrectable the buffer is left untouched and the
    /// error ([`ErrorKind::Uncorrectable`], offset = the codeword's first octet) names the
    /// first such codeword. Beyond E errors a decoder can also land on another codeword
    /// (miscorrection); this one rejects every pattern whose locator does not have exactly
    /// its degree in distinct roots inside the transmitted (unshortened) positions.
    pub fn decode_in_place(&self, codeblock: &mut [u8]) -> Result<DecodeReport, Error> {
        let expected = self.codeblock_len();
        if codeblock.len() < expected {
            return Err(Error::truncated(0, "codeblock", expected, codeblock.len()));
        }
        if codeblock.len() > expected {
            return Err(Error::length_mismatch(
                0,
                "codeblock",
                expected,
                codeblock.len(),
            ));
        }
        match self.capability {
            ErrorCapability::E8 => self.decode_with(&codeword::E8, codeblock),
            ErrorCapability::E16 => self.decode_with(&codeword::E16, codeblock),
        }
    }

    /// The interleaving depth as a step (never zero, see [`RsCode::new`]).
    fn depth(&self) -> usize {
        usize::from(self.interleave)
    }

    fn encode_with<const P: usize>(&self, code: &Code<P>, frame: &[u8], check: &mut [u8]) {
        let depth = self.depth();
        for j in 0..depth {
            let parity = code.parity(frame.iter().skip(j).step_by(depth).copied());
            for (slot, symbol) in check.iter_mut().skip(j).step_by(depth).zip(parity) {
                *slot = symbol;
            }
        }
    }

    fn decode_with<const P: usize>(
        &self,
        code: &Code<P>,
        codeblock: &mut [u8],
    ) -> Result<DecodeReport, Error> {
        let depth = self.depth();
        let mut patterns = [ErrorPattern::default(); MAX_INTERLEAVE as usize];
        for (j, pattern) in patterns.iter_mut().enumerate().take(depth) {
            let syndromes = code.syndromes(codeblock.iter().skip(j).step_by(depth).copied());
            if syndromes.iter().any(|&s| s != 0) {
                *pattern =
                    code.error_pattern(&syndromes, self.codeword_len())
                        .ok_or(Error::new(
                            j,
                            "rs_codeword",
                            ErrorKind::Uncorrectable { block: j },
                        ))?;
            }
        }
        let mut report = DecodeReport {
            corrected: [0; MAX_INTERLEAVE as usize],
            interleave: self.interleave,
        };
        for (j, (pattern, count)) in patterns.iter().zip(&mut report.corrected).enumerate() {
            for (index, xor) in pattern.iter() {
                if let Some(octet) = codeblock.get_mut(index * depth + j) {
                    *octet ^= xor;
                }
            }
            // At most E = 16 per codeword.
            *count = pattern.len() as u8;
        }
        Ok(report)
    }
}

/// What [`RsCode::decode_in_place`] corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecodeReport {
    corrected: [u8; MAX_INTERLEAVE as usize],
    interleave: u8,
}

impl DecodeReport {
    /// Symbol errors corrected in each codeword (index = codeword, `I` entries).
    pub fn corrected(&self) -> &[u8] {
        self.corrected
            .get(..usize::from(self.interleave))
            .unwrap_or(&[])
    }

    /// Symbol errors corrected in the whole codeblock.
    pub fn total(&self) -> usize {
        self.corrected().iter().map(|&c| usize::from(c)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_validates_depth_and_length() {
        for depth in [0u8, 6, 7, 9, 255] {
            assert_eq!(
                RsCode::new(ErrorCapability::E16, depth, 223)
                    .unwrap_err()
                    .kind,
                ErrorKind::InvalidValue {
                    value: u64::from(depth)
                }
            );
        }
        for (depth, len) in [(1, 0), (1, 224), (5, 1116), (5, 1114), (2, 479)] {
            assert!(RsCode::new(ErrorCapability::E16, depth, len).is_err());
        }
        assert!(RsCode::new(ErrorCapability::E8, 2, 478).is_ok());
        let code = RsCode::new(ErrorCapability::E16, 4, 400).unwrap();
        assert_eq!(code.virtual_fill(), 123);
        assert_eq!(code.codeword_len(), 132);
        assert_eq!(code.codeblock_len(), 528);
        assert_eq!(code.check_len(), 128);
    }

    #[test]
    fn length_errors_are_typed() {
        let code = RsCode::new(ErrorCapability::E16, 1, 223).unwrap();
        let mut short = [0u8; 254];
        assert!(matches!(
            code.decode_in_place(&mut short).unwrap_err().kind,
            ErrorKind::Truncated {
                needed: 255,
                available: 254
            }
        ));
        let mut long = [0u8; 256];
        assert!(code.decode_in_place(&mut long).is_err());
        assert!(code.encode_in_place(&mut long).is_err());
        assert!(code.encode(&[0; 223], &mut [0; 31]).is_err());
        assert!(code.encode(&[0; 222], &mut [0; 32]).is_err());
    }

    #[test]
    fn uncorrectable_leaves_buffer_untouched() {
        let code = RsCode::new(ErrorCapability::E8, 2, 40).unwrap();
        let mut block = [0u8; 72];
        block
            .iter_mut()
            .take(40)
            .enumerate()
            .for_each(|(i, b)| *b = i as u8);
        code.encode_in_place(&mut block).unwrap();
        // Codeword 0: 1 error (correctable); codeword 1: 9 errors (more than E = 8).
        block[0] ^= 1;
        for s in 0..9 {
            block[2 * s + 1] ^= 0x5A;
        }
        let received = block;
        let err = code.decode_in_place(&mut block).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Uncorrectable { block: 1 });
        assert_eq!(err.offset, 1);
        assert_eq!(block, received);
    }
}
