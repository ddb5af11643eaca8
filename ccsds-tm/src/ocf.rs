//! The Operational Control Field (TM 132.0-B-3 §4.1.5, AOS 732.0-B-4 §4.1.5): four octets at
//! the end of a frame (before the FECF) that report on the link in the other direction.
//!
//! Its first bit, the Type Flag, says what it holds: `0` is a Type-1 report, the CLCW of COP-1
//! ([`Clcw`], 232.0-B-4 §4.2.1); `1` is a Type-2 report, whose content is project-specific
//! (for example the SDLS Frame Security Report, 355.0-B-2 §4.3.2, decoded by `ccsds-sdls`).

use ccsds_core::Clcw;
use ccsds_core::clcw::field::CONTROL_WORD_TYPE;

use crate::Error;

/// Octets in an Operational Control Field.
pub const OCF_LEN: usize = 4;

/// Error field name for the field as a whole.
const OCF: &str = "operational_control_field";

/// The content of an Operational Control Field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ocf {
    /// Type-1 report (Type Flag `0`): a Communications Link Control Word.
    Clcw(Clcw),
    /// Type-2 report (Type Flag `1`): four octets whose meaning the project defines. The first
    /// bit is always 1 ([`Ocf::to_bytes`] refuses anything else, which would read back as a
    /// CLCW).
    Type2([u8; OCF_LEN]),
}

impl Ocf {
    /// Decodes the first four octets of `bytes`. A Type-1 report must be a valid CLCW (version
    /// `00`, spare bits zero, [`Clcw::parse`]); a Type-2 report is taken as it is.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let word: &[u8; OCF_LEN] =
            bytes
                .first_chunk()
                .ok_or(Error::truncated(0, OCF, OCF_LEN, bytes.len()))?;
        if Clcw::is_clcw(word) {
            Clcw::parse(word).map(Self::Clcw)
        } else {
            Ok(Self::Type2(*word))
        }
    }

    /// The four octets, refusing a CLCW field that does not fit and a Type-2 report whose
    /// first bit is 0.
    pub fn to_bytes(&self) -> Result<[u8; OCF_LEN], Error> {
        match self {
            Self::Clcw(clcw) => clcw.to_bytes(),
            Self::Type2(word) if Clcw::is_clcw(word) => {
                Err(Error::invalid(0, CONTROL_WORD_TYPE.name, 0))
            }
            Self::Type2(word) => Ok(*word),
        }
    }

    /// Encoded length: always [`OCF_LEN`].
    pub const fn buffer_len(&self) -> usize {
        OCF_LEN
    }

    /// Writes the field into the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let bytes = self.to_bytes()?;
        let available = buf.len();
        let out = buf
            .first_chunk_mut::<OCF_LEN>()
            .ok_or(Error::buffer_too_small(OCF, OCF_LEN, available))?;
        *out = bytes;
        Ok(OCF_LEN)
    }
}

impl From<Clcw> for Ocf {
    fn from(clcw: Clcw) -> Self {
        Self::Clcw(clcw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use proptest::prelude::*;

    #[test]
    fn type_flag_selects_the_report() {
        // dariol83/ccsds@8c1f966f ClcwBuilderTest.testClcwEncoding: a CLCW.
        let ocf = Ocf::parse(&[0x01, 0x00, 0xA6, 0x89]).unwrap();
        assert!(matches!(ocf, Ocf::Clcw(c) if c.report_value == 137));
        // dariol83/ccsds@8c1f966f AosTransferFrameTest.AOS_FRAME_01: `AAAAAAAA`, a Type-2 report.
        let ocf = Ocf::parse(&[0xAA; 4]).unwrap();
        assert_eq!(ocf, Ocf::Type2([0xAA; 4]));
        let mut buf = [0u8; 5];
        assert_eq!(ocf.emit(&mut buf), Ok(4));
        assert_eq!(buf, [0xAA, 0xAA, 0xAA, 0xAA, 0]);
    }

    #[test]
    fn rejections() {
        assert_eq!(
            Ocf::parse(&[0; 3]).unwrap_err(),
            Error::truncated(0, OCF, 4, 3)
        );
        // A CLCW with its spare bits set is refused by the CLCW decoder.
        assert_eq!(
            Ocf::parse(&[0x00, 0x02, 0xA6, 0x89]).unwrap_err().field,
            "reserved_spare"
        );
        assert_eq!(
            Ocf::Type2([0x7F, 0, 0, 0]).to_bytes().unwrap_err(),
            Error::invalid(0, "control_word_type", 0)
        );
        assert_eq!(
            Ocf::Type2([0x80; 4]).emit(&mut [0u8; 3]).unwrap_err().kind,
            ErrorKind::BufferTooSmall {
                needed: 4,
                available: 3
            }
        );
    }

    proptest! {
        #[test]
        fn arbitrary_words_round_trip(word: [u8; 4]) {
            if let Ok(ocf) = Ocf::parse(&word) {
                prop_assert_eq!(ocf.to_bytes(), Ok(word));
            } else {
                // Only a malformed CLCW is refused.
                prop_assert!(Clcw::is_clcw(&word));
            }
        }
    }
}
