//! Block CRCs (RFC 9171 §4.2.1): CRC-16/X-25 and CRC-32C, carried big-endian in a byte string
//! that is the last item of the block's array.
//!
//! The CRC is computed over the whole encoded block with the CRC *value* octets set to zero;
//! the byte string's head (`0x42` / `0x44`) stays in the input (RFC 9171 §4.3.1, §4.3.2, as
//! spelled out by RFC 9171 erratum 8043). We never copy the block to zero those octets: the
//! digest is fed the block without its value, then zeros (for CRC-32C, the four zero octets are
//! one table step on the register rather than a second call of the CRC routine).

use crate::{Error, ErrorKind};
use crc::{CRC_16_IBM_SDLC, Crc, Table};

/// CRC-16/X-25 (RFC 9171 §4.2.1 "X-25 CRC-16"): poly 0x1021 reflected, init and xorout 0xFFFF.
/// The catalogue calls it CRC-16/IBM-SDLC; check value `"123456789"` → 0x906E.
const X25: Crc<u16, Table<16>> = Crc::<u16, Table<16>>::new(&CRC_16_IBM_SDLC);
/// CRC-32C (RFC 9171 §4.2.1 "CRC32C (Castagnoli)", as in RFC 7143): poly 0x1EDC6F41 reflected,
/// init and xorout 0xFFFFFFFF. The catalogue calls it CRC-32/ISCSI; check value → 0xE3069283.
#[cfg(any(not(feature = "std"), test))]
const CASTAGNOLI: Crc<u32, Table<16>> = Crc::<u32, Table<16>>::new(&crc::CRC_32_ISCSI);

/// The CRC-32C polynomial 0x1EDC6F41, bit-reversed (the algorithm is reflected).
const CASTAGNOLI_REFLECTED: u32 = 0x82F6_3B78;

/// Slicing-by-4 tables of CRC-32C: `ZERO_WORD[k][b]` is the register contribution of octet
/// value `b` followed by `k` zero octets. Feeding the four zero octets that stand in for a CRC-32C
/// value (RFC 9171 §4.2.1) is then one step of four independent look-ups
/// ([`Crc32cState::append_zero_word`]) rather than a second pass of the CRC routine.
static ZERO_WORD: [[u32; 256]; 4] = zero_word_tables();

/// Builds [`ZERO_WORD`] at compile time: table 0 is the classic byte-at-a-time table, table
/// `k` extends table `k - 1` by one zero octet.
// Const evaluation with indices bounded by the loops: an out-of-bounds index would fail the
// build, it cannot fail at run time.
#[allow(clippy::indexing_slicing)]
const fn zero_word_tables() -> [[u32; 256]; 4] {
    let mut tables = [[0u32; 256]; 4];
    let mut b = 0;
    while b < 256 {
        let mut reg = b as u32;
        let mut bit = 0;
        while bit < 8 {
            reg = if reg & 1 == 0 {
                reg >> 1
            } else {
                (reg >> 1) ^ CASTAGNOLI_REFLECTED
            };
            bit += 1;
        }
        tables[0][b] = reg;
        b += 1;
    }
    let mut k = 1;
    while k < 4 {
        let mut b = 0;
        while b < 256 {
            let prev = tables[k - 1][b];
            tables[k][b] = (prev >> 8) ^ tables[0][(prev & 0xFF) as usize];
            b += 1;
        }
        k += 1;
    }
    tables
}

/// CRC type of a block (RFC 9171 §4.2.1): the code carried in the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrcType {
    /// Code 0: the block has no CRC field.
    None,
    /// Code 1: CRC-16/X-25, 2 octets.
    Crc16X25,
    /// Code 2: CRC-32C, 4 octets.
    Crc32C,
}

impl CrcType {
    /// The CRC type with `code`; any code but 0, 1 and 2 is [`ErrorKind::UnknownCrcType`] at
    /// `offset` (the code's position).
    pub fn from_code(code: u64, offset: usize) -> Result<Self, Error> {
        match code {
            0 => Ok(Self::None),
            1 => Ok(Self::Crc16X25),
            2 => Ok(Self::Crc32C),
            _ => Err(Error::new(offset, ErrorKind::UnknownCrcType(code))),
        }
    }

    /// The code carried in a block (RFC 9171 §4.2.1).
    pub const fn code(self) -> u64 {
        match self {
            Self::None => 0,
            Self::Crc16X25 => 1,
            Self::Crc32C => 2,
        }
    }

    /// Octets of the CRC value: 0, 2 or 4.
    pub const fn value_len(self) -> usize {
        match self {
            Self::None => 0,
            Self::Crc16X25 => 2,
            Self::Crc32C => 4,
        }
    }

    /// Octets the CRC field adds to the encoded block: the byte-string head plus the value
    /// (0, 3 or 5).
    pub const fn field_len(self) -> usize {
        match self {
            Self::None => 0,
            _ => 1 + self.value_len(),
        }
    }
}

/// CRC-16/X-25 of `data`.
pub fn crc16_x25(data: &[u8]) -> u16 {
    X25.checksum(data)
}

/// CRC-32C of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
    Crc32cState::new().update(data).finish()
}

/// Incremental CRC-32C: the hardware instruction through the `crc32c` crate when `std` is on
/// (about 5× faster than the slicing table on a bundle-sized block), the `crc` table otherwise.
/// Both compute the same function (check value 0xE3069283, tested).
#[derive(Clone, Copy)]
struct Crc32cState(u32);

impl Crc32cState {
    const fn new() -> Self {
        Self(0)
    }

    #[cfg(feature = "std")]
    #[inline]
    fn update(self, data: &[u8]) -> Self {
        Self(crc32c::crc32c_append(self.0, data))
    }

    #[cfg(not(feature = "std"))]
    fn update(self, data: &[u8]) -> Self {
        // Resume from a finalized CRC: undo the final XOR to get the register back. The `crc`
        // crate reflects a custom initial value for reflected algorithms (refin), so hand it
        // the register bit-reversed.
        let mut digest = CASTAGNOLI.digest_with_initial((self.0 ^ 0xFFFF_FFFF).reverse_bits());
        digest.update(data);
        Self(digest.finalize())
    }

    /// The state after four more octets, all zero: one slicing-by-4 step on the register
    /// (the complement of the CRC), whose data word is zero.
    #[inline]
    fn append_zero_word(self) -> Self {
        Self(!slice4((!self.0).to_le_bytes()))
    }

    const fn finish(self) -> u32 {
        self.0
    }
}

/// One slicing-by-4 step with a zero register: the register contribution of the four octets
/// `word` (in stream order). Linear: `slice4(a ^ b) == slice4(a) ^ slice4(b)`.
#[inline(always)]
fn slice4([b0, b1, b2, b3]: [u8; 4]) -> u32 {
    let look_up = |table: usize, octet: u8| {
        ZERO_WORD
            .get(table)
            .and_then(|t| t.get(usize::from(octet)))
            .copied()
            .unwrap_or_default()
    };
    look_up(3, b0) ^ look_up(2, b1) ^ look_up(1, b2) ^ look_up(0, b3)
}

/// Splits an encoded block into (everything before the CRC value, the value), checking that the
/// CRC field is a byte string of the type's length. Errors are at offsets within `block`.
#[inline(always)]
fn split_crc_field(crc_type: CrcType, block: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    if crc_type == CrcType::None {
        return Ok((block, &[]));
    }
    let n = crc_type.value_len();
    let prefix_len = block
        .len()
        .checked_sub(crc_type.field_len())
        .ok_or(Error::new(
            0,
            ErrorKind::Truncated {
                needed: crc_type.field_len(),
                available: block.len(),
            },
        ))?;
    let (prefix, value) = block
        .split_at_checked(block.len() - n)
        .unwrap_or((block, &[]));
    // The CRC field is the byte string `0x40 | n` followed by the value (RFC 9171 §4.2.2).
    if prefix.last() != Some(&(0x40 | n as u8)) {
        return Err(Error::new(prefix_len, ErrorKind::CrcNotZeroPadded));
    }
    Ok((prefix, value))
}

/// CRC of a whole encoded block (primary or canonical) whose CRC value octets — the last
/// `value_len` octets of `block`, after the byte-string head that stays in the input — are
/// treated as zero (RFC 9171 §4.2.1, erratum 8043). Computed without copying the block.
///
/// Returns 0 for [`CrcType::None`]. Errors (offsets within `block`): `Truncated` if the block
/// is shorter than its CRC field, `CrcNotZeroPadded` if the octet before the value is not the
/// byte-string head of the type's length.
pub fn compute_block_crc(crc_type: CrcType, block: &[u8]) -> Result<u32, Error> {
    let (prefix, _) = split_crc_field(crc_type, block)?;
    Ok(prefix_crc(crc_type, prefix))
}

/// CRC of a block given everything before its CRC value (`prefix`), the value taken as zeros.
#[inline(always)]
fn prefix_crc(crc_type: CrcType, prefix: &[u8]) -> u32 {
    match crc_type {
        CrcType::None => 0,
        CrcType::Crc16X25 => {
            let mut digest = X25.digest();
            digest.update(prefix);
            digest.update(&[0; 2]);
            u32::from(digest.finalize())
        }
        CrcType::Crc32C => Crc32cState::new()
            .update(prefix)
            .append_zero_word()
            .finish(),
    }
}

/// Checks the CRC carried (big-endian, RFC 9171 §4.2.1) at the end of an encoded block against
/// [`compute_block_crc`]. `offset` is the block's offset in the bundle: errors are reported at
/// `offset` plus the CRC field's position; a mismatch is [`ErrorKind::CrcMismatch`].
#[inline(always)]
pub fn check_block_crc(
    crc_type: CrcType,
    block: &[u8],
    block_number: u64,
    offset: usize,
) -> Result<(), Error> {
    let at_block = |e: Error| Error::new(offset.saturating_add(e.offset), e.kind);
    let (prefix, value) = split_crc_field(crc_type, block).map_err(at_block)?;
    let received = value.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    let field = offset.saturating_add(prefix.len().saturating_sub(1));
    check_prefix_crc(crc_type, prefix, received, block_number, field)
}

/// [`check_block_crc`] for a parser that has already read the CRC field: `block` is the whole
/// block, its CRC value last, `received` that value, `field_at` the field's offset (where a
/// mismatch is reported).
///
/// A CRC-32C is checked in one pass over the block as received, value included, instead of
/// over the prefix and then four zero octets: the CRC is affine, so the CRC with the value in
/// place differs from the CRC with zeros in its place (the one the value must equal, §4.2.1)
/// by the register contribution of the value octets alone ([`slice4`]), which depends only on
/// `received` and is computed off the CRC's critical path.
#[inline(always)]
pub(crate) fn check_received_crc(
    crc_type: CrcType,
    block: &[u8],
    received: u32,
    block_number: u64,
    field_at: usize,
) -> Result<(), Error> {
    let valid = match crc_type {
        CrcType::Crc32C => {
            Crc32cState::new().update(block).finish() == received ^ slice4(received.to_be_bytes())
        }
        _ => prefix_crc(crc_type, prefix_of(crc_type, block)) == received,
    };
    if valid {
        Ok(())
    } else {
        mismatch(
            crc_type,
            prefix_of(crc_type, block),
            received,
            block_number,
            field_at,
        )
    }
}

/// `block` without its CRC value octets.
#[inline(always)]
fn prefix_of(crc_type: CrcType, block: &[u8]) -> &[u8] {
    block
        .get(..block.len().saturating_sub(crc_type.value_len()))
        .unwrap_or_default()
}

/// [`check_received_crc`] given the block without its value (`prefix`).
#[inline(always)]
fn check_prefix_crc(
    crc_type: CrcType,
    prefix: &[u8],
    received: u32,
    block_number: u64,
    field_at: usize,
) -> Result<(), Error> {
    if prefix_crc(crc_type, prefix) == received {
        Ok(())
    } else {
        mismatch(crc_type, prefix, received, block_number, field_at)
    }
}

/// The error for a CRC that does not match, with the value computed over `prefix`.
#[cold]
#[inline(never)]
fn mismatch(
    crc_type: CrcType,
    prefix: &[u8],
    received: u32,
    block_number: u64,
    field_at: usize,
) -> Result<(), Error> {
    let kind = ErrorKind::CrcMismatch {
        block_number,
        received,
        computed: prefix_crc(crc_type, prefix),
    };
    Err(Error::new(field_at, kind))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hardware_and_table_crc32c_agree() {
        let data: alloc::vec::Vec<u8> = (0..2000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for len in [0, 1, 7, 8, 63, 64, 65, 118, 1000, 2000] {
            let d = &data[..len];
            assert_eq!(super::crc32c(d), super::CASTAGNOLI.checksum(d), "len {len}");
            let (a, b) = d.split_at(len / 3);
            assert_eq!(
                super::Crc32cState::new().update(a).update(b).finish(),
                super::CASTAGNOLI.checksum(d)
            );
            let mut padded = d.to_vec();
            padded.extend_from_slice(&[0; 4]);
            assert_eq!(
                super::Crc32cState::new()
                    .update(d)
                    .append_zero_word()
                    .finish(),
                super::CASTAGNOLI.checksum(&padded),
                "zero word after {len} octets"
            );
        }
    }

    use super::*;

    /// The one-pass check over the block as received agrees with the definition (CRC of the
    /// block with its value zeroed), for both CRC types, every length and every wrong value
    /// tried; a mismatch reports the value of the definition.
    #[test]
    fn received_check_matches_the_definition() {
        for crc_type in [CrcType::Crc16X25, CrcType::Crc32C] {
            for len in 0..80usize {
                let mut block: alloc::vec::Vec<u8> =
                    (0..len).map(|i| (i * 31 + len) as u8).collect();
                block.push(0x40 | crc_type.value_len() as u8);
                block.extend(core::iter::repeat_n(0, crc_type.value_len()));
                let good = compute_block_crc(crc_type, &block).unwrap();
                for received in [good, good ^ 1, good ^ 0x8000, !good & 0xFFFF, 0] {
                    let value_at = block.len() - crc_type.value_len();
                    let be = received.to_be_bytes();
                    block[value_at..].copy_from_slice(&be[4 - crc_type.value_len()..]);
                    let expected = if received == good {
                        Ok(())
                    } else {
                        let kind = ErrorKind::CrcMismatch {
                            block_number: 3,
                            received,
                            computed: good,
                        };
                        Err(Error::new(9, kind))
                    };
                    assert_eq!(
                        check_received_crc(crc_type, &block, received, 3, 9),
                        expected,
                        "{crc_type:?} len {len} received {received:#x}"
                    );
                }
            }
        }
    }

    #[test]
    fn catalogue_check_values() {
        assert_eq!(crc16_x25(b"123456789"), 0x906E);
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn none_needs_no_field() {
        assert_eq!(compute_block_crc(CrcType::None, &[]), Ok(0));
        assert_eq!(check_block_crc(CrcType::None, &[0x85], 1, 9), Ok(()));
    }

    #[test]
    fn codes_round_trip() {
        for t in [CrcType::None, CrcType::Crc16X25, CrcType::Crc32C] {
            assert_eq!(CrcType::from_code(t.code(), 0), Ok(t));
        }
        assert_eq!(
            CrcType::from_code(3, 7),
            Err(Error::new(7, ErrorKind::UnknownCrcType(3)))
        );
    }
}
