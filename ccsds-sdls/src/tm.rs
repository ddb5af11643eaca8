//! SDLS on fixed-length frames: TM Transfer Frames (355.0-B-2 §4 with 132.0-B-3 §4.1) and
//! AOS Transfer Frames (with 732.0-B-4 §4.1). The Security Header follows the frame's headers
//! (TM: primary and secondary header; AOS: primary header, FHEC and insert zone), the Security
//! Trailer precedes the OCF and FECF. The frame length is fixed by the physical channel, so
//! protection happens in place: the caller builds the frame with its data field laid out as
//! `[Security Header space][data][Trailer space]` ([`data_capacity`] says how much data fits).
//!
//! The frame counts change after protection on many systems: mask them out with the SA's
//! ABM.

use core::ops::Range;

use ccsds_tm::aos::{AosConfig, AosFrame};
use ccsds_tm::tm::{TmConfig, TmFrame};

use crate::procedures::{Applied, Processed, SaProvider, apply_security, process_security};
use crate::{Error, KeyResolver, SecurityAssociation};

/// A fixed-length frame type whose data field SDLS protects: where the data field lies, how
/// the frame is validated and how its FECF is refreshed.
pub trait FixedFrame: Copy {
    /// Frame type name for errors.
    const NAME: &'static str;
    /// Octets of a frame.
    fn frame_len(&self) -> usize;
    /// The data field within `frame` (everything before it is the authenticated header).
    fn data_range(&self, frame: &[u8]) -> Range<usize>;
    /// Validates the whole frame (layout, FECF).
    fn check(&self, frame: &[u8]) -> Result<(), Error>;
    /// Recomputes the FECF, if the frame has one.
    fn fill_fecf(&self, frame: &mut [u8]) -> Result<(), Error>;
}

impl FixedFrame for TmConfig {
    const NAME: &'static str = "tm_transfer_frame";
    fn frame_len(&self) -> usize {
        self.frame_len
    }
    fn data_range(&self, frame: &[u8]) -> Range<usize> {
        let view = TmFrame::new_unchecked(frame, *self);
        view.data_offset()..view.data_offset() + view.data().len()
    }
    fn check(&self, frame: &[u8]) -> Result<(), Error> {
        TmFrame::new_checked(frame, *self)?;
        Ok(())
    }
    fn fill_fecf(&self, frame: &mut [u8]) -> Result<(), Error> {
        if self.fecf {
            TmFrame::new_unchecked(frame, *self).fill_fecf()?;
        }
        Ok(())
    }
}

impl FixedFrame for AosConfig {
    const NAME: &'static str = "aos_transfer_frame";
    fn frame_len(&self) -> usize {
        self.frame_len
    }
    fn data_range(&self, frame: &[u8]) -> Range<usize> {
        let view = AosFrame::new_unchecked(frame, *self);
        view.data_offset()..view.data_offset() + view.data().len()
    }
    fn check(&self, frame: &[u8]) -> Result<(), Error> {
        AosFrame::new_checked(frame, *self)?;
        Ok(())
    }
    fn fill_fecf(&self, frame: &mut [u8]) -> Result<(), Error> {
        if self.fecf {
            AosFrame::new_unchecked(frame, *self).fill_fecf()?;
        }
        Ok(())
    }
}

/// Plaintext octets that fit a TM data field of `data_field_len` octets under `sa`.
pub fn data_capacity(sa: &SecurityAssociation, data_field_len: usize) -> usize {
    let cfg = sa.config();
    data_field_len.saturating_sub(cfg.header_layout().len() + usize::from(cfg.mac_len))
}

fn split<F: FixedFrame>(
    frame: &mut [u8],
    config: F,
) -> Result<(&mut [u8], &mut [u8], usize), Error> {
    let range = config.data_range(frame);
    let offset = range.start;
    let (hdr, rest) =
        frame
            .split_at_mut_checked(offset)
            .ok_or(Error::Wire(ccsds_core::WireError::truncated(
                0,
                F::NAME,
                offset,
                0,
            )))?;
    let field = rest.get_mut(..range.len()).unwrap_or(&mut []);
    Ok((hdr, field, offset))
}

/// Protects a TM or AOS frame in place (headers set, data placed after the Security Header
/// space) and refreshes its FECF. The data range returned is relative to the frame.
pub fn protect_in_place<K: KeyResolver + ?Sized, F: FixedFrame>(
    sa: &mut SecurityAssociation,
    keys: &K,
    config: F,
    frame: &mut [u8],
) -> Result<Applied, Error> {
    if frame.len() != config.frame_len() {
        return Err(ccsds_core::WireError::length_mismatch(
            0,
            F::NAME,
            config.frame_len(),
            frame.len(),
        )
        .into());
    }
    let (hdr, field, offset) = split(frame, config)?;
    let mut done = apply_security(sa, keys, hdr, field).map_err(|e| e.shifted(offset))?;
    config.fill_fecf(frame)?;
    done.data = done.data.start + offset..done.data.end + offset;
    Ok(done)
}

/// Validates a TM or AOS frame (132.0-B-3 / 732.0-B-4 §4.1, FECF included) and runs
/// ProcessSecurity on its data field in place. The data range returned is relative to the
/// frame.
pub fn process<S: SaProvider + ?Sized, K: KeyResolver + ?Sized, F: FixedFrame>(
    sas: &mut S,
    keys: &K,
    config: F,
    frame: &mut [u8],
) -> Result<Processed, Error> {
    config.check(frame)?;
    let (hdr, field, offset) = split(frame, config)?;
    let mut done = process_security(sas, keys, hdr, field).map_err(|e| e.shifted(offset))?;
    done.data = done.data.start + offset..done.data.end + offset;
    Ok(done)
}
