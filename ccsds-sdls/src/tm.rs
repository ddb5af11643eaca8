//! SDLS on TM Transfer Frames (355.0-B-2 §4 with 132.0-B-3 §4.1): the Security Header follows
//! the secondary header (or the primary header), the Security Trailer precedes the OCF and
//! FECF. TM frames have a fixed length, so protection happens in place: the caller builds the
//! frame with its data field laid out as `[Security Header space][data][Trailer space]`
//! ([`data_capacity`] says how much data fits).
//!
//! The frame counts change after protection on many systems: mask them out with the SA's
//! ABM.

use ccsds_tm::tm::{TmConfig, TmFrame};

use crate::procedures::{Applied, Processed, SaProvider, apply_security, process_security};
use crate::{Error, KeyResolver, SecurityAssociation};

/// Plaintext octets that fit a TM data field of `data_field_len` octets under `sa`.
pub fn data_capacity(sa: &SecurityAssociation, data_field_len: usize) -> usize {
    let cfg = sa.config();
    data_field_len.saturating_sub(cfg.header_layout().len() + usize::from(cfg.mac_len))
}

fn split(frame: &mut [u8], config: TmConfig) -> Result<(&mut [u8], &mut [u8], usize), Error> {
    let view = TmFrame::new_unchecked(&*frame, config);
    let offset = view.data_offset();
    let len = view.data().len();
    let (hdr, rest) =
        frame
            .split_at_mut_checked(offset)
            .ok_or(Error::Wire(ccsds_core::WireError::truncated(
                0,
                "tm_transfer_frame",
                offset,
                0,
            )))?;
    let field = rest.get_mut(..len).unwrap_or(&mut []);
    Ok((hdr, field, offset))
}

/// Protects a TM frame in place (headers set, data placed after the Security Header space)
/// and refreshes its FECF. The data range returned is relative to the frame.
pub fn protect_in_place<K: KeyResolver + ?Sized>(
    sa: &mut SecurityAssociation,
    keys: &K,
    config: TmConfig,
    frame: &mut [u8],
) -> Result<Applied, Error> {
    if frame.len() != config.frame_len {
        return Err(ccsds_core::WireError::length_mismatch(
            0,
            "tm_transfer_frame",
            config.frame_len,
            frame.len(),
        )
        .into());
    }
    let (hdr, field, offset) = split(frame, config)?;
    let mut done = apply_security(sa, keys, hdr, field).map_err(|e| e.shifted(offset))?;
    if config.fecf {
        TmFrame::new_unchecked(&mut *frame, config).fill_fecf()?;
    }
    done.data = done.data.start + offset..done.data.end + offset;
    Ok(done)
}

/// Validates a TM frame (132.0-B-3 §4.1, FECF included) and runs ProcessSecurity on its data
/// field in place. The data range returned is relative to the frame.
pub fn process<S: SaProvider + ?Sized, K: KeyResolver + ?Sized>(
    sas: &mut S,
    keys: &K,
    config: TmConfig,
    frame: &mut [u8],
) -> Result<Processed, Error> {
    TmFrame::new_checked(&*frame, config)?;
    let (hdr, field, offset) = split(frame, config)?;
    let mut done = process_security(sas, keys, hdr, field).map_err(|e| e.shifted(offset))?;
    done.data = done.data.start + offset..done.data.end + offset;
    Ok(done)
}
