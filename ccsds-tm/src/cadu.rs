//! The Channel Access Data Unit (CCSDS 131.0-B-4): what goes on the downlink for each transfer
//! frame. `CADU = ASM | randomize(codeblock)`, where the codeblock is the frame followed by its
//! Reed-Solomon check symbols (when RS is used) — the ASM itself is neither coded nor randomized.
//!
//! [`CaduCodec`] holds the channel's managed parameters (frame length, RS capability and
//! interleaving depth, randomizer on/off) and runs the chain in both directions; on the receive
//! side the [`crate::sync::FrameSynchronizer`] finds the ASMs and hands over codeblocks, which
//! [`CaduCodec::decode_codeblock`] derandomizes and corrects in place.
//!
//! ```
//! use ccsds_tm::cadu::CaduCodec;
//! use ccsds_tm::rs::ErrorCapability;
//!
//! let codec = CaduCodec::new(1115, Some((ErrorCapability::E16, 5)), true)?;
//! let frame = vec![0x42u8; 1115];
//! let mut cadu = vec![0u8; codec.cadu_len()];
//! codec.encode(&frame, &mut cadu)?;
//! assert_eq!(&cadu[..4], &[0x1A, 0xCF, 0xFC, 0x1D]);
//!
//! cadu[100] ^= 0xFF; // a burst on the link
//! let codeblock = &mut cadu[4..];
//! let report = codec.decode_codeblock(codeblock)?;
//! assert_eq!(report.corrected_symbols, 1);
//! assert_eq!(&codeblock[..1115], &frame[..]);
//! # Ok::<(), ccsds_tm::Error>(())
//! ```

use crate::Error;
use crate::randomizer;
use crate::rs::{ErrorCapability, RsCode};
use crate::sync::{self, ASM_LEN, SyncConfig};

/// Coding of one physical channel (the managed parameters of 131.0-B-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaduCodec {
    frame_len: usize,
    rs: Option<RsCode>,
    randomize: bool,
}

/// What [`CaduCodec::decode_codeblock`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeblockReport {
    /// Symbols the Reed-Solomon decoder corrected, over all interleaved codewords.
    pub corrected_symbols: usize,
}

impl CaduCodec {
    /// A codec for `frame_len`-octet frames, with Reed-Solomon `(capability, interleaving depth)`
    /// or none, and with or without the pseudo-randomizer. Fails if the RS code cannot carry
    /// the frame length ([`RsCode::new`]).
    pub fn new(
        frame_len: usize,
        rs: Option<(ErrorCapability, u8)>,
        randomize: bool,
    ) -> Result<Self, Error> {
        let rs = match rs {
            Some((capability, interleave)) => Some(RsCode::new(capability, interleave, frame_len)?),
            None => None,
        };
        if frame_len == 0 {
            return Err(Error::invalid(0, "frame_length", 0));
        }
        Ok(Self {
            frame_len,
            rs,
            randomize,
        })
    }

    /// The transfer frame length.
    pub const fn frame_len(&self) -> usize {
        self.frame_len
    }

    /// The Reed-Solomon code, if any.
    pub const fn rs(&self) -> Option<&RsCode> {
        self.rs.as_ref()
    }

    /// Whether the codeblock is randomized.
    pub const fn randomize(&self) -> bool {
        self.randomize
    }

    /// Octets of a codeblock: the frame plus RS check symbols.
    pub const fn codeblock_len(&self) -> usize {
        match &self.rs {
            Some(rs) => rs.codeblock_len(),
            None => self.frame_len,
        }
    }

    /// Octets of a CADU: ASM + codeblock.
    pub const fn cadu_len(&self) -> usize {
        ASM_LEN + self.codeblock_len()
    }

    /// A frame synchronizer configuration for this channel's codeblocks (default tolerances).
    pub const fn sync_config(&self) -> SyncConfig {
        SyncConfig::new(self.codeblock_len())
    }

    /// Writes the CADU of `frame` into `out` (which must hold [`Self::cadu_len`] octets);
    /// returns its length. Order per 131.0-B-4: RS-encode, then randomize the codeblock, then
    /// prepend the ASM.
    pub fn encode(&self, frame: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if frame.len() != self.frame_len {
            return Err(Error::length_mismatch(
                0,
                "transfer_frame",
                self.frame_len,
                frame.len(),
            ));
        }
        let len = self.cadu_len();
        let available = out.len();
        let cadu = out
            .get_mut(..len)
            .ok_or(Error::buffer_too_small("cadu", len, available))?;
        let (asm, codeblock) = cadu.split_at_mut(ASM_LEN);
        asm.copy_from_slice(&sync::ASM);
        let (data, check) = codeblock.split_at_mut(self.frame_len);
        data.copy_from_slice(frame);
        if let Some(rs) = &self.rs {
            rs.encode(frame, check)?;
        }
        if self.randomize {
            randomizer::randomize(codeblock);
        }
        Ok(len)
    }

    /// Derandomizes and RS-corrects a received codeblock in place; the frame is then
    /// `codeblock[..frame_len]`. An uncorrectable codeword fails with
    /// [`crate::ErrorKind::Uncorrectable`] (the codeblock is then left derandomized but
    /// otherwise as received).
    pub fn decode_codeblock(&self, codeblock: &mut [u8]) -> Result<CodeblockReport, Error> {
        let len = self.codeblock_len();
        if codeblock.len() != len {
            return Err(Error::length_mismatch(0, "codeblock", len, codeblock.len()));
        }
        if self.randomize {
            randomizer::randomize(codeblock);
        }
        let corrected_symbols = match &self.rs {
            Some(rs) => rs.decode_in_place(codeblock)?.total(),
            None => 0,
        };
        Ok(CodeblockReport { corrected_symbols })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn configuration_errors() {
        assert!(CaduCodec::new(1115, Some((ErrorCapability::E16, 4)), true).is_err());
        assert!(CaduCodec::new(0, None, true).is_err());
        let plain = CaduCodec::new(10, None, false).unwrap();
        assert_eq!((plain.codeblock_len(), plain.cadu_len()), (10, 14));
        let e = plain.encode(&[0; 9], &mut [0; 14]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::LengthMismatch {
                declared: 10,
                actual: 9
            }
        );
        let e = plain.encode(&[0; 10], &mut [0; 13]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BufferTooSmall {
                needed: 14,
                available: 13
            }
        );
        assert!(plain.decode_codeblock(&mut [0; 11]).is_err());
    }

    #[test]
    fn uncorrectable_is_reported() {
        let codec = CaduCodec::new(223, Some((ErrorCapability::E16, 1)), true).unwrap();
        let mut cadu = vec![0u8; codec.cadu_len()];
        codec.encode(&[7u8; 223], &mut cadu).unwrap();
        for i in 0..17 {
            cadu[4 + i * 3] ^= 0x81;
        }
        let e = codec.decode_codeblock(&mut cadu[4..]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Uncorrectable { block: 0 });
    }
}
