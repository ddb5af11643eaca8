//! The Security Header (355.0-B-2 §3.2): SPI, Initialization Vector, Sequence Number and Pad
//! Length, in that order. Only the SPI has a fixed size; the other fields are as long as the
//! security association says (managed parameters, §3.2), possibly zero.
//!
//! ```text
//! | SPI (2) | IV (0..16) | Sequence Number (0..16) | Pad Length (0..4) |
//! ```

use ccsds_core::WireError;

use crate::{Error, Spi};

/// Octets of the Security Parameter Index (§3.2).
pub const SPI_LEN: usize = 2;
/// Longest transmitted IV this crate handles (GCM uses 12, §3.2).
pub const MAX_IV_LEN: usize = 16;
/// Longest Sequence Number field this crate handles (§3.2).
pub const MAX_SN_LEN: usize = 16;
/// Longest Pad Length field this crate handles (§3.2).
pub const MAX_PAD_LENGTH_LEN: usize = 4;

const SPI: &str = "security_parameter_index";
const IV: &str = "initialization_vector";
const SN: &str = "sequence_number";
const PAD_LENGTH: &str = "pad_length";
const HEADER: &str = "security_header";

/// The widths of the variable fields, fixed per security association (§3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HeaderLayout {
    /// Transmitted IV octets (the low-order part of the IV, §3.2).
    pub iv_len: u8,
    /// Transmitted sequence number octets (the low-order part of the ARSN, §3.2).
    pub sn_len: u8,
    /// Pad Length field octets (§3.2).
    pub pad_length_len: u8,
}

impl HeaderLayout {
    /// Total header length in octets.
    pub const fn len(&self) -> usize {
        SPI_LEN + self.iv_len as usize + self.sn_len as usize + self.pad_length_len as usize
    }

    /// Never true: a header always holds the SPI. (Present for `len`'s sake.)
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// Refuses widths above this crate's limits.
    pub fn check(&self) -> Result<(), Error> {
        if usize::from(self.iv_len) > MAX_IV_LEN {
            return Err(Error::InvalidConfig("iv_len"));
        }
        if usize::from(self.sn_len) > MAX_SN_LEN {
            return Err(Error::InvalidConfig("sn_len"));
        }
        if usize::from(self.pad_length_len) > MAX_PAD_LENGTH_LEN {
            return Err(Error::InvalidConfig("pad_length_len"));
        }
        Ok(())
    }

    const fn iv_range(&self) -> core::ops::Range<usize> {
        SPI_LEN..SPI_LEN + self.iv_len as usize
    }

    const fn sn_range(&self) -> core::ops::Range<usize> {
        let start = SPI_LEN + self.iv_len as usize;
        start..start + self.sn_len as usize
    }

    const fn pad_range(&self) -> core::ops::Range<usize> {
        let start = SPI_LEN + self.iv_len as usize + self.sn_len as usize;
        start..start + self.pad_length_len as usize
    }
}

/// Reads the SPI, the only field a receiver can read before it knows the SA (§3.4).
pub fn peek_spi(buf: &[u8]) -> Result<Spi, Error> {
    let spi: &[u8; SPI_LEN] =
        buf.first_chunk()
            .ok_or(WireError::truncated(0, SPI, SPI_LEN, buf.len()))?;
    Ok(Spi(u16::from_be_bytes(*spi)))
}

/// A view of a Security Header at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityHeader<T: AsRef<[u8]>> {
    buffer: T,
    layout: HeaderLayout,
}

impl<T: AsRef<[u8]>> SecurityHeader<T> {
    /// Wraps `buffer` without checking its length; getters of a short buffer return empty
    /// fields (or SPI 0) instead of panicking.
    pub const fn new_unchecked(buffer: T, layout: HeaderLayout) -> Self {
        Self { buffer, layout }
    }

    /// Wraps `buffer`, which must hold at least the whole header (a truncated header is the
    /// shape of CryptoLib's parser CVEs: it is refused here, before any field is read).
    pub fn new_checked(buffer: T, layout: HeaderLayout) -> Result<Self, Error> {
        layout.check()?;
        let available = buffer.as_ref().len();
        if available < layout.len() {
            return Err(WireError::truncated(0, HEADER, layout.len(), available).into());
        }
        Ok(Self { buffer, layout })
    }

    /// Releases the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The layout the view was made with.
    pub const fn layout(&self) -> HeaderLayout {
        self.layout
    }

    /// Security Parameter Index (§3.2).
    pub fn spi(&self) -> Spi {
        peek_spi(self.buffer.as_ref()).unwrap_or_default()
    }

    /// The transmitted IV octets (§3.2).
    pub fn iv(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(self.layout.iv_range())
            .unwrap_or(&[])
    }

    /// The transmitted sequence number octets (§3.2).
    pub fn sn(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(self.layout.sn_range())
            .unwrap_or(&[])
    }

    /// The Pad Length (§3.2): octets of padding at the end of the data field; 0 without
    /// the field.
    pub fn pad_length(&self) -> u32 {
        let bytes = self
            .buffer
            .as_ref()
            .get(self.layout.pad_range())
            .unwrap_or(&[]);
        bytes.iter().fold(0, |acc, b| (acc << 8) | u32::from(*b))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> SecurityHeader<T> {
    /// Sets the SPI.
    pub fn set_spi(&mut self, spi: Spi) -> Result<(), Error> {
        let available = self.buffer.as_ref().len();
        let dst: &mut [u8; SPI_LEN] = self
            .buffer
            .as_mut()
            .first_chunk_mut()
            .ok_or(WireError::buffer_too_small(SPI, SPI_LEN, available))?;
        *dst = spi.0.to_be_bytes();
        Ok(())
    }
}

/// A decoded Security Header; the variable fields borrow from the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecurityHeaderRepr<'a> {
    /// Security Parameter Index.
    pub spi: Spi,
    /// Transmitted IV octets.
    pub iv: &'a [u8],
    /// Transmitted sequence number octets.
    pub sn: &'a [u8],
    /// Width of the Pad Length field (0 = absent).
    pub pad_length_len: u8,
    /// Pad Length value.
    pub pad_length: u32,
}

impl<'a> SecurityHeaderRepr<'a> {
    /// Decodes a checked view.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(header: &SecurityHeader<&'a T>) -> Result<Self, Error> {
        let layout = header.layout;
        let buf: &'a [u8] = header.buffer.as_ref();
        let field = |r: core::ops::Range<usize>, name| {
            let available = buf.len();
            buf.get(r.clone())
                .ok_or(WireError::truncated(r.start, name, r.end, available))
        };
        Ok(Self {
            spi: peek_spi(buf)?,
            iv: field(layout.iv_range(), IV)?,
            sn: field(layout.sn_range(), SN)?,
            pad_length_len: layout.pad_length_len,
            pad_length: SecurityHeader::new_unchecked(buf, layout).pad_length(),
        })
    }

    /// The layout these fields fill.
    pub fn layout(&self) -> HeaderLayout {
        HeaderLayout {
            iv_len: u8::try_from(self.iv.len()).unwrap_or(u8::MAX),
            sn_len: u8::try_from(self.sn.len()).unwrap_or(u8::MAX),
            pad_length_len: self.pad_length_len,
        }
    }

    /// Encoded length.
    pub fn buffer_len(&self) -> usize {
        self.layout().len()
    }

    /// Writes the header at the start of `buf`; refuses fields longer than the limits and a
    /// pad length that does not fit its field.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let layout = self.layout();
        layout.check()?;
        let width_bits = u32::from(self.pad_length_len) * 8;
        if width_bits < 32 && self.pad_length >> width_bits != 0 {
            let offset = layout.pad_range().start;
            return Err(WireError::invalid(offset, PAD_LENGTH, u64::from(self.pad_length)).into());
        }
        let len = layout.len();
        let available = buf.len();
        let out = buf
            .get_mut(..len)
            .ok_or(WireError::buffer_too_small(HEADER, len, available))?;
        let (spi, rest) = out.split_at_mut(SPI_LEN);
        spi.copy_from_slice(&self.spi.0.to_be_bytes());
        let (iv, rest) = rest.split_at_mut(self.iv.len());
        iv.copy_from_slice(self.iv);
        let (sn, pad) = rest.split_at_mut(self.sn.len());
        sn.copy_from_slice(self.sn);
        let pad_bytes = self.pad_length.to_be_bytes();
        let skip = pad_bytes.len().saturating_sub(pad.len());
        pad.copy_from_slice(pad_bytes.get(skip..).unwrap_or(&[]));
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: HeaderLayout = HeaderLayout {
        iv_len: 12,
        sn_len: 2,
        pad_length_len: 1,
    };

    #[test]
    fn parse_emit() {
        let bytes: [u8; 17] = [0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x01, 0x23, 0];
        let h = SecurityHeader::new_checked(&bytes[..], LAYOUT).unwrap();
        let repr = SecurityHeaderRepr::parse(&h).unwrap();
        assert_eq!(repr.spi, Spi(9));
        assert_eq!(repr.sn, &[0x01, 0x23]);
        let mut out = [0u8; 17];
        assert_eq!(repr.emit(&mut out), Ok(17));
        assert_eq!(out, bytes);
    }

    #[test]
    fn truncated_header_refused() {
        let err = SecurityHeader::new_checked(&[0u8; 16][..], LAYOUT).unwrap_err();
        assert!(matches!(err, Error::Wire(e) if e.field == HEADER));
    }

    #[test]
    fn pad_length_must_fit() {
        let repr = SecurityHeaderRepr {
            spi: Spi(1),
            iv: &[],
            sn: &[],
            pad_length_len: 1,
            pad_length: 256,
        };
        assert!(repr.emit(&mut [0u8; 8]).is_err());
    }
}
