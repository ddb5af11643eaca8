//! Bit-field layouts: each CCSDS header is written once as a table of [`Field`]s.

use crate::WireError;

/// One field of a fixed-size header of at most 8 octets: a name, a bit offset (CCSDS numbering,
/// bit 0 = most significant bit of the first octet) and a width in bits.
///
/// Decoders call [`Field::get`], encoders [`Field::set`], on the same constant, so a layout lives
/// in exactly one place. Headers are read as one big-endian integer, which the optimiser turns
/// into a single load, shift and mask once the header length and the field are constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Name as the standard spells it (reported in errors).
    pub name: &'static str,
    /// Offset of the field's first (most significant) bit from the start of the header.
    pub bit_offset: u32,
    /// Width in bits (1..=32).
    pub width: u32,
}

impl Field {
    /// A field `width` bits wide at `bit_offset`.
    pub const fn new(name: &'static str, bit_offset: u32, width: u32) -> Self {
        Self {
            name,
            bit_offset,
            width,
        }
    }

    /// The largest value the field can hold.
    #[inline(always)]
    pub const fn max(&self) -> u64 {
        (1u64 << self.width) - 1
    }

    /// Byte offset (within the header) of the octet holding the field's first bit.
    pub const fn byte_offset(&self) -> usize {
        (self.bit_offset / 8) as usize
    }

    #[inline(always)]
    const fn shift<const N: usize>(&self) -> u32 {
        (N as u32) * 8 - self.bit_offset - self.width
    }

    /// Reads the field out of a header of `N` (≤ 8) octets.
    #[inline(always)]
    pub fn get<const N: usize>(&self, header: &[u8; N]) -> u64 {
        (read_be(header) >> self.shift::<N>()) & self.max()
    }

    /// Fails with [`crate::ErrorKind::InvalidValue`] if `value` does not fit the field.
    /// `base` is the header's offset in the caller's buffer, for the error's byte offset.
    #[inline]
    pub fn check(&self, value: u64, base: usize) -> Result<(), WireError> {
        if value > self.max() {
            Err(WireError::invalid(
                base + self.byte_offset(),
                self.name,
                value,
            ))
        } else {
            Ok(())
        }
    }

    /// Returns `word` (an `N`-octet header held as one big-endian integer) with the field set to
    /// `value`. Encoders that write a whole header build it with one `insert` per field and a
    /// single [`write_be`], instead of a read-modify-write of the buffer per field.
    /// Refuses (rather than truncates) a value that does not fit.
    #[inline(always)]
    pub fn insert<const N: usize>(
        &self,
        word: u64,
        value: u64,
        base: usize,
    ) -> Result<u64, WireError> {
        self.check(value, base)?;
        let shift = self.shift::<N>();
        Ok((word & !(self.max() << shift)) | (value << shift))
    }

    /// Writes `value` into the field, leaving the other bits of the header untouched.
    /// Refuses (rather than truncates) a value that does not fit.
    #[inline]
    pub fn set<const N: usize>(
        &self,
        header: &mut [u8; N],
        value: u64,
        base: usize,
    ) -> Result<(), WireError> {
        let word = self.insert::<N>(read_be(header), value, base)?;
        write_be(header, word);
        Ok(())
    }

    /// [`Field::set`] on the `N`-octet header `header` that starts `buf`: the setter of every
    /// view over a writable buffer. A buffer shorter than the header is
    /// [`crate::ErrorKind::Truncated`] (at offset 0, named `header`), checked before the value;
    /// offsets are relative to `buf`.
    #[inline]
    pub fn set_in<const N: usize>(
        &self,
        buf: &mut [u8],
        value: u64,
        header: &'static str,
    ) -> Result<(), WireError> {
        let available = buf.len();
        let bytes = buf
            .first_chunk_mut::<N>()
            .ok_or(WireError::truncated(0, header, N, available))?;
        self.set(bytes, value, 0)
    }
}

/// The first `N` octets of `bytes`; octets beyond the end of a short buffer read as zero.
///
/// This is how a view's getters read a fixed header: on an unchecked view over a short buffer
/// they return a value instead of panicking, and on a checked one the copy compiles to a
/// single load that [`Field::get`] then shifts and masks.
#[inline(always)]
pub fn header_prefix<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut h = [0u8; N];
    h.iter_mut().zip(bytes).for_each(|(d, s)| *d = *s);
    h
}

/// Reads `N` (≤ 8) octets as one big-endian integer.
#[inline(always)]
pub fn read_be<const N: usize>(bytes: &[u8; N]) -> u64 {
    bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

/// Writes the low `8·N` bits of `word` as `N` (≤ 8) big-endian octets.
#[inline(always)]
pub fn write_be<const N: usize>(bytes: &mut [u8; N], word: u64) {
    // Copying the tail of `to_be_bytes` lets the compiler emit a few wide stores instead of
    // N byte stores (which also stall a wide load of the same octets right after).
    let all = word.to_be_bytes();
    if let Some(tail) = all.get(8usize.saturating_sub(N)..)
        && let Some(dst) = bytes.get_mut(..tail.len())
    {
        dst.copy_from_slice(tail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: Field = Field::new("a", 0, 3);
    const B: Field = Field::new("b", 3, 11);
    const C: Field = Field::new("c", 14, 18);

    #[test]
    fn refuses_oversized_value() {
        let mut h = [0u8; 4];
        let e = A.set(&mut h, 8, 10).unwrap_err();
        assert_eq!(e, WireError::invalid(10, "a", 8));
        assert_eq!(h, [0; 4]);
        assert_eq!(C.byte_offset(), 1);
    }

    #[test]
    fn header_prefix_pads_with_zeros() {
        assert_eq!(header_prefix::<3>(&[1, 2, 3, 4]), [1, 2, 3]);
        assert_eq!(header_prefix::<3>(&[1]), [1, 0, 0]);
        assert_eq!(header_prefix::<2>(&[]), [0, 0]);
    }

    #[test]
    fn set_in_checks_length_then_value() {
        let mut buf = [0u8; 5];
        B.set_in::<4>(&mut buf, 0x7FF, "hdr").unwrap();
        assert_eq!(B.get(&header_prefix::<4>(&buf)), 0x7FF);
        assert_eq!(buf[4], 0);
        assert_eq!(
            A.set_in::<4>(&mut buf[..3], 9, "hdr"),
            Err(WireError::truncated(0, "hdr", 4, 3))
        );
        assert_eq!(
            A.set_in::<4>(&mut buf, 9, "hdr"),
            Err(WireError::invalid(0, "a", 9))
        );
    }

    proptest! {
        #[test]
        fn set_then_get(a in 0u64..8, b in 0u64..2048, c in 0u64..(1 << 18), noise: [u8; 4]) {
            let mut h = noise;
            A.set(&mut h, a, 0).unwrap();
            B.set(&mut h, b, 0).unwrap();
            C.set(&mut h, c, 0).unwrap();
            prop_assert_eq!((A.get(&h), B.get(&h), C.get(&h)), (a, b, c));
        }
    }
}
