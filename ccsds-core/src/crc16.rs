//! CRC-16/CCITT-FALSE, the frame error control code of every CCSDS space data link protocol.

use crc::{CRC_16_IBM_3740, Crc, Table};

use crate::{ErrorKind, WireError};

/// The CCSDS CRC-16 (232.0-B-4 §4.1.4.2, 132.0-B-3 §4.1.6): generator
/// x^16 + x^12 + x^5 + 1 (0x1021), register preset to all ones, no reflection, no final XOR.
/// The `crc` catalogue calls it CRC-16/IBM-3740 (alias CCITT-FALSE); check value of
/// `"123456789"` is 0x29B1. The 16-entry slicing table runs about 10× faster than the
/// byte-wise one on a kilobyte frame (see `../shared/DESIGN.md`).
pub struct Crc16;

const CRC16: Crc<u16, Table<16>> = Crc::<u16, Table<16>>::new(&CRC_16_IBM_3740);

impl Crc16 {
    /// Starts an incremental computation, for data that arrives in pieces.
    pub fn digest() -> crc::Digest<'static, u16, Table<16>> {
        CRC16.digest()
    }
}

/// CRC-16/CCITT-FALSE over `data` (see [`Crc16`]).
#[inline]
pub fn crc16_ccitt(data: &[u8]) -> u16 {
    CRC16.checksum(data)
}

/// Length of a Frame Error Control Field.
const FECF_LEN: usize = 2;
/// Error field name of the Frame Error Control Field.
const FECF: &str = "frame_error_control_field";

/// The Frame Error Control Field carried in the last two octets of `frame`, if it has them.
///
/// TC, TM and AOS frames all end with the same optional FECF (232.0-B-4 §4.1.4, 132.0-B-3
/// §4.1.6, 732.0-B-4 §4.1.6); whether it is there is a managed parameter, so the caller
/// decides and passes the frame (trimmed to its own length) only when it is.
#[inline]
pub fn fecf(frame: &[u8]) -> Option<u16> {
    frame
        .last_chunk::<FECF_LEN>()
        .map(|b| u16::from_be_bytes(*b))
}

/// Checks the FECF in the last two octets of `frame` against the CRC of everything before it
/// (232.0-B-4 §4.1.4.2, 132.0-B-3 §4.1.6.2, 732.0-B-4 §4.1.6.2).
///
/// A mismatch is [`ErrorKind::Checksum`] at the FECF's offset; a frame shorter than the FECF
/// is [`ErrorKind::Truncated`] (at 0). Both are named `frame_error_control_field`.
pub fn check_fecf(frame: &[u8]) -> Result<(), WireError> {
    let (covered, fecf) = frame
        .split_last_chunk::<FECF_LEN>()
        .ok_or(WireError::truncated(0, FECF, FECF_LEN, frame.len()))?;
    let received = u16::from_be_bytes(*fecf);
    let computed = crc16_ccitt(covered);
    if received == computed {
        Ok(())
    } else {
        Err(WireError::new(
            covered.len(),
            FECF,
            ErrorKind::Checksum {
                received: received.into(),
                computed: computed.into(),
            },
        ))
    }
}

/// Computes the FECF over everything before the last two octets of `frame` and writes it
/// there (the encoder side of [`check_fecf`]). A frame shorter than the FECF is
/// [`ErrorKind::Truncated`] (at 0, named `frame_error_control_field`).
pub fn fill_fecf(frame: &mut [u8]) -> Result<(), WireError> {
    let available = frame.len();
    let (covered, fecf) = frame
        .split_last_chunk_mut::<FECF_LEN>()
        .ok_or(WireError::truncated(0, FECF, FECF_LEN, available))?;
    *fecf = crc16_ccitt(covered).to_be_bytes();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc16_ccitt(b"123456789"), 0x29B1);
    }

    #[test]
    fn external_vectors() {
        // dariol83/ccsds Crc16AlgorithmTest.testCrc16
        assert_eq!(
            crc16_ccitt(&[0x01, 0x92, 0xFE, 0x00, 0x11, 0x82, 0x5A]),
            0x0EA3
        );
        // nasa/CryptoLib FECF test frame
        let frame = [
            0x20, 0x03, 0x00, 0x20, 0x00, 0xff, 0x00, 0x01, 0x00, 0x00, 0x19, 0x80, 0xd2, 0xc9,
            0x00, 0x0e, 0x19, 0x7f, 0x0b, 0x00, 0x1b, 0x00, 0x04, 0x00, 0x04, 0x00, 0x00, 0x30,
            0x40, 0xd9, 0x5e,
        ];
        assert_eq!(crc16_ccitt(&frame), 0x73EC);
    }

    #[test]
    fn residue_is_zero() {
        let mut data = b"borealis".to_vec();
        let crc = crc16_ccitt(&data);
        data.extend_from_slice(&crc.to_be_bytes());
        assert_eq!(crc16_ccitt(&data), 0);
    }

    #[test]
    fn fecf_fill_check_read() {
        let mut frame = *b"borealis\0\0";
        fill_fecf(&mut frame).unwrap();
        assert_eq!(check_fecf(&frame), Ok(()));
        let crc = crc16_ccitt(b"borealis");
        assert_eq!(fecf(&frame), Some(crc));
        frame[0] ^= 1;
        assert_eq!(
            check_fecf(&frame),
            Err(WireError::new(
                8,
                FECF,
                ErrorKind::Checksum {
                    received: crc.into(),
                    computed: crc16_ccitt(&frame[..8]).into(),
                }
            ))
        );
        assert_eq!(fecf(&[1]), None);
        assert_eq!(check_fecf(&[1]), Err(WireError::truncated(0, FECF, 2, 1)));
        assert_eq!(fill_fecf(&mut []), Err(WireError::truncated(0, FECF, 2, 0)));
    }

    #[test]
    fn incremental_equals_one_shot() {
        let mut d = Crc16::digest();
        d.update(b"1234");
        d.update(b"56789");
        assert_eq!(d.finalize(), 0x29B1);
    }
}
