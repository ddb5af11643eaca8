//! BCH(63,56) code blocks of the TC Synchronization and Channel Coding (CCSDS 231.0-B-4 §3).
//!
//! A code block is 8 octets: 7 information octets (56 bits), then one octet holding the 7
//! parity bits of the (63,56) BCH code, complemented, followed by a filler bit that is always
//! 0 (231.0-B-4 §3). The generator is g(x) = x^7 + x^6 + x^2 + 1 = (x + 1)(x^6 + x + 1),
//! which makes the code an expurgated Hamming code with minimum distance 4: every single
//! error has its own syndrome (all 63 single-error syndromes are distinct and of odd weight),
//! and every double error gives a non-zero even-weight syndrome, so it is always detected.
//!
//! Bits of a block are numbered in transmission order: bit 0 is the most significant bit of
//! octet 0, bits 56..=62 are the parity bits and bit 63 ([`FILLER_BIT`]) is the filler bit.
//!
//! **Filler bit policy.** The filler bit is outside the code (231.0-B-4 §3: it is always
//! 0), so the code cannot tell whether it was hit. This decoder treats the block as a 64-bit
//! unit in which the filler bit must be 0: a set filler bit counts as one bit error. In
//! [`DecodeMode::Correct`] a block with exactly one error (in the code bits *or* the filler
//! bit) is corrected; a set filler bit together with a code-bit error is rejected, which is
//! stricter than strictly necessary but never accepts a block showing two bit errors. In
//! [`DecodeMode::DetectOnly`] a set filler bit rejects the block like any other error.
//!
//! Triple errors can look like single errors and be mis-corrected; that is inherent to a
//! distance-4 code in correcting mode. Missions that cannot accept this use
//! [`DecodeMode::DetectOnly`], which detects every pattern of up to three errors.

use crate::{Error, ErrorKind};

/// Information octets per code block (231.0-B-4 §3: 56 information bits).
pub const INFO_LEN: usize = 7;
/// Octets per code block: information, then the parity/filler octet.
pub const BLOCK_LEN: usize = 8;
/// Bit number (transmission order) of the filler bit, the last bit of a code block.
pub const FILLER_BIT: u8 = 63;

/// The generator g(x) = x^7 + x^6 + x^2 + 1 without its x^7 term (x^6 + x^2 + 1 = 0x45),
/// shifted left by one so the 7-bit remainder sits in the top of an 8-bit register, exactly
/// where the parity bits sit in the parity octet (the filler bit is the register's LSB).
const POLY_LEFT: u8 = 0x45 << 1;

/// Multiplies the left-aligned remainder by x modulo g(x).
const fn times_x(r: u8) -> u8 {
    if r & 0x80 != 0 {
        (r << 1) ^ POLY_LEFT
    } else {
        r << 1
    }
}

/// Byte-at-a-time table (the usual CRC trick): with the register left-aligned,
/// `REMAINDER[register ^ octet]` is the register after shifting in eight more information
/// bits, i.e. eight steps of the encoder shift register of 231.0-B-4 §3.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
const REMAINDER: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let mut r = i as u8;
        let mut k = 0;
        while k < 8 {
            r = times_x(r);
            k += 1;
        }
        table[i] = r;
        i += 1;
    }
    table
};

/// Marks a syndrome that no single error produces.
const NO_SINGLE_ERROR: u8 = 0xFF;

/// Maps a left-aligned syndrome (index = syndrome >> 1) to the code bit (0..=62) whose
/// single error produces it. An error in bit j adds x^(62-j) to the received polynomial, so
/// its syndrome is x^(62-j) mod g(x): starting from bit 62 (syndrome 1) each earlier bit
/// multiplies by x. x^6 + x + 1 is primitive, so the 63 syndromes are distinct.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
const SINGLE_ERROR_BIT: [u8; 128] = {
    let mut table = [NO_SINGLE_ERROR; 128];
    let mut syndrome: u8 = 1 << 1;
    let mut bit = 63;
    while bit > 0 {
        bit -= 1;
        table[(syndrome >> 1) as usize] = bit;
        syndrome = times_x(syndrome);
    }
    table
};

/// The parity octet of a code block carrying `info`: the 7 BCH parity bits, complemented,
/// followed by the filler bit 0 (231.0-B-4 §3).
pub fn parity(info: &[u8; INFO_LEN]) -> u8 {
    // An u8 index into a 256-entry table: the bounds check folds away.
    let r = info.iter().fold(0u8, |r, &octet| {
        REMAINDER.get(usize::from(r ^ octet)).copied().unwrap_or(0)
    });
    !r & 0xFE
}

/// The 8-octet code block carrying `info` (231.0-B-4 §3).
pub fn encode_block(info: &[u8; INFO_LEN]) -> [u8; BLOCK_LEN] {
    let mut block = [0u8; BLOCK_LEN];
    let (head, tail) = block.split_at_mut(INFO_LEN);
    head.copy_from_slice(info);
    if let Some(p) = tail.first_mut() {
        *p = parity(info);
    }
    block
}

/// How a receiver treats a block with a non-zero syndrome (231.0-B-4 §3: the decoder
/// operates either in error-correcting or in error-detecting mode, a managed parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum DecodeMode {
    /// Correct any single bit error, reject everything else (the usual mode).
    #[default]
    Correct,
    /// Reject any block showing an error (detects all patterns of up to three errors).
    DetectOnly,
}

/// Outcome of decoding a code block that was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockStatus {
    /// The block is a codeword with filler bit 0.
    Clean,
    /// One bit error was found (and, in [`decode`], corrected).
    Corrected {
        /// Bit number in transmission order: 0..=62 for code bits, [`FILLER_BIT`] for the filler.
        bit: u8,
    },
}

impl BlockStatus {
    /// Number of bits corrected (0 or 1).
    pub const fn corrected_bits(self) -> usize {
        match self {
            Self::Clean => 0,
            Self::Corrected { .. } => 1,
        }
    }
}

/// The 7-bit syndrome of a code block, left-aligned in an octet (bit 0 is always 0), so that
/// a single error in parity bit k (0..=6) shows as `0x80 >> k`. Zero for a codeword.
pub fn syndrome(block: &[u8; BLOCK_LEN]) -> u8 {
    let [i0, i1, i2, i3, i4, i5, i6, received] = *block;
    (parity(&[i0, i1, i2, i3, i4, i5, i6]) ^ received) & 0xFE
}

/// Diagnoses a code block without changing it: what [`decode`] would do to it.
///
/// `index` is the block's position in its CLTU, reported in the error; the error's byte
/// offset is 0 (the start of `block`) for the caller to shift.
pub fn check(
    block: &[u8; BLOCK_LEN],
    mode: DecodeMode,
    index: usize,
) -> Result<BlockStatus, Error> {
    let syndrome = syndrome(block);
    let filler_set = block.last().is_some_and(|p| p & 1 != 0);
    let status = match (syndrome, filler_set, mode) {
        (0, false, _) => Some(BlockStatus::Clean),
        (_, _, DecodeMode::DetectOnly) => None,
        (0, true, DecodeMode::Correct) => Some(BlockStatus::Corrected { bit: FILLER_BIT }),
        (_, true, DecodeMode::Correct) => None,
        (s, false, DecodeMode::Correct) => SINGLE_ERROR_BIT
            .get(usize::from(s >> 1))
            .copied()
            .filter(|&bit| bit != NO_SINGLE_ERROR)
            .map(|bit| BlockStatus::Corrected { bit }),
    };
    status.ok_or(Error::new(
        0,
        "code_block",
        ErrorKind::Uncorrectable { block: index },
    ))
}

/// Decodes a code block in place (231.0-B-4 §3): checks it and, when one bit error is
/// found in [`DecodeMode::Correct`], flips that bit back so `block` holds the codeword.
pub fn decode(
    block: &mut [u8; BLOCK_LEN],
    mode: DecodeMode,
    index: usize,
) -> Result<BlockStatus, Error> {
    let status = check(block, mode, index)?;
    if let BlockStatus::Corrected { bit } = status {
        flip_bit(block, bit);
    }
    Ok(status)
}

/// Inverts bit `bit` (transmission order, bit 0 = MSB of octet 0) of `data`; no-op if out
/// of range.
pub(crate) fn flip_bit(data: &mut [u8], bit: u8) {
    if let Some(octet) = data.get_mut(usize::from(bit / 8)) {
        *octet ^= 0x80 >> (bit % 8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_error_syndromes_are_distinct_and_odd() {
        let bits: alloc::vec::Vec<u8> = SINGLE_ERROR_BIT
            .iter()
            .copied()
            .filter(|&b| b != NO_SINGLE_ERROR)
            .collect();
        assert_eq!(bits.len(), 63);
        for (s, &b) in SINGLE_ERROR_BIT.iter().enumerate() {
            assert_eq!(
                b != NO_SINGLE_ERROR,
                (s.count_ones() % 2 == 1) && s != 0b1000011
            );
        }
    }

    #[test]
    fn every_single_error_is_located() {
        let clean = encode_block(&[0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE]);
        for bit in 0..64u8 {
            let mut block = clean;
            flip_bit(&mut block, bit);
            assert_eq!(
                decode(&mut block, DecodeMode::Correct, 3),
                Ok(BlockStatus::Corrected { bit })
            );
            assert_eq!(block, clean);
        }
    }

    #[test]
    fn parity_bit_error_syndrome_is_that_bit() {
        let mut block = encode_block(&[0; 7]);
        flip_bit(&mut block, 56);
        assert_eq!(syndrome(&block), 0x80);
    }
}
