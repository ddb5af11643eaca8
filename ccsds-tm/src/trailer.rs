//! The trailer of TM and AOS Transfer Frames: an optional Operational Control Field and an
//! optional Frame Error Control Field after the data field (132.0-B-3 §4.1.5–6, 732.0-B-4
//! §4.1.5–6).
//!
//! Both protocols place them the same way — the FECF in the last two octets of the frame, the
//! OCF in the four before it — and differ only in who announces the OCF (a header flag in TM,
//! a managed parameter in AOS). So the two views describe their trailer with one [`Trailer`]
//! and share its arithmetic, which is where an off-by-two would hide.

use ccsds_core::{check_fecf, fecf, fill_fecf};

use crate::Error;
use crate::ocf::{OCF_LEN, Ocf};
use crate::tm::FECF_LEN;

/// Length of an FECF if `present`.
pub(crate) const fn fecf_len(present: bool) -> usize {
    if present { FECF_LEN } else { 0 }
}

/// Which of the two trailer fields a frame carries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trailer {
    /// The frame carries an OCF.
    pub(crate) ocf: bool,
    /// The frame ends with an FECF.
    pub(crate) fecf: bool,
}

impl Trailer {
    /// Octets after the data field.
    #[inline]
    pub(crate) const fn len(self) -> usize {
        (if self.ocf { OCF_LEN } else { 0 }) + fecf_len(self.fecf)
    }

    /// Where the data field ends in a frame of `frame_len` octets (0 if the trailer does not
    /// fit).
    #[inline]
    pub(crate) const fn data_end(self, frame_len: usize) -> usize {
        frame_len.saturating_sub(self.len())
    }

    /// Offset of the OCF in a frame of `frame_len` octets; `None` without an OCF or if the
    /// trailer does not fit.
    fn ocf_offset(self, frame_len: usize) -> Option<usize> {
        let end = frame_len.checked_sub(fecf_len(self.fecf))?;
        end.checked_sub(OCF_LEN).filter(|_| self.ocf)
    }

    /// The OCF's offset and octets in `frame`.
    fn ocf_slot(self, frame: &[u8]) -> Option<(usize, &[u8; OCF_LEN])> {
        let at = self.ocf_offset(frame.len())?;
        Some((at, frame.get(at..)?.first_chunk()?))
    }

    /// The four OCF octets as carried, if there is an OCF and `frame` holds it.
    pub(crate) fn ocf_bytes(self, frame: &[u8]) -> Option<[u8; OCF_LEN]> {
        self.ocf_slot(frame).map(|(_, bytes)| *bytes)
    }

    /// The OCF decoded: `Ok(None)` without one, an error (offset within `frame`) if it holds a
    /// malformed CLCW.
    pub(crate) fn ocf(self, frame: &[u8]) -> Result<Option<Ocf>, Error> {
        match self.ocf_slot(frame) {
            Some((at, bytes)) => Ocf::parse(bytes).map(Some).map_err(|e| e.shifted(at)),
            None => Ok(None),
        }
    }

    /// Writes `ocf` into its place in `frame`. A bad OCF is refused first; `absent` is the
    /// error when the frame has no OCF or is too short for the trailer (each protocol reports
    /// that its own way).
    pub(crate) fn set_ocf(self, frame: &mut [u8], ocf: &Ocf, absent: Error) -> Result<(), Error> {
        let bytes = ocf.to_bytes()?;
        let slot = self
            .ocf_offset(frame.len())
            .and_then(|at| frame.get_mut(at..)?.first_chunk_mut())
            .ok_or(absent)?;
        *slot = bytes;
        Ok(())
    }

    /// The FECF, if the frame has one and `frame` holds it.
    #[inline]
    pub(crate) fn fecf(self, frame: &[u8]) -> Option<u16> {
        if self.fecf { fecf(frame) } else { None }
    }

    /// Checks the FECF, if the frame has one (132.0-B-3 §4.1.6.2, 732.0-B-4 §4.1.6.2).
    pub(crate) fn check_fecf(self, frame: &[u8]) -> Result<(), Error> {
        if self.fecf { check_fecf(frame) } else { Ok(()) }
    }

    /// Computes and writes the FECF, if the frame has one.
    pub(crate) fn fill_fecf(self, frame: &mut [u8]) -> Result<(), Error> {
        if self.fecf { fill_fecf(frame) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let both = Trailer {
            ocf: true,
            fecf: true,
        };
        assert_eq!(both.len(), 6);
        assert_eq!(both.data_end(20), 14);
        assert_eq!(both.data_end(5), 0);
        assert_eq!(both.ocf_offset(20), Some(14));
        assert_eq!(both.ocf_offset(5), None);
        let ocf_only = Trailer {
            ocf: true,
            fecf: false,
        };
        assert_eq!(ocf_only.ocf_offset(20), Some(16));
        let fecf_only = Trailer {
            ocf: false,
            fecf: true,
        };
        assert_eq!(fecf_only.ocf_offset(20), None);
        assert_eq!(fecf_only.fecf(&[0, 1, 2]), Some(0x0102));
        assert_eq!(ocf_only.fecf(&[0, 1, 2]), None);
    }
}
