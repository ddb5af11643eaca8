//! SDLS on TC Transfer Frames (355.0-B-2 §4 with 232.0-B-4 §4.1): the Security Header follows
//! the segment header (or the primary header without one), the Security Trailer follows the
//! data, before the FECF. The frame length field covers the whole protected frame, and the
//! primary header (and segment header) are the frame header octets the ABM masks.

use ccsds_core::WireError;
use ccsds_tc::frame::{FECF_LEN, FrameConfig, MAX_FRAME_LEN, TcFrame};

use crate::procedures::{Processed, SaProvider, apply_security, process_security};
use crate::{Error, KeyResolver, SecurityAssociation};

const FRAME: &str = "tc_transfer_frame";

fn fecf_len(config: FrameConfig) -> usize {
    if config.fecf { FECF_LEN } else { 0 }
}

/// Octets a protected frame needs for a plaintext frame of `plain_len` octets.
pub fn protected_len(sa: &SecurityAssociation, plain_len: usize) -> usize {
    let cfg = sa.config();
    plain_len + cfg.header_layout().len() + usize::from(cfg.mac_len)
}

/// Protects the valid plaintext TC frame `plain` into `out`: same primary (and segment)
/// header with the frame length updated, then Security Header, protected data, Security
/// Trailer and a fresh FECF. Returns the protected frame's length. Refuses a result longer
/// than a TC frame may be (1024 octets, 232.0-B-4 §4.1.2.7).
pub fn protect<K: KeyResolver + ?Sized>(
    sa: &mut SecurityAssociation,
    keys: &K,
    config: FrameConfig,
    plain: &[u8],
    out: &mut [u8],
) -> Result<usize, Error> {
    let frame = TcFrame::new_checked(plain, config)?;
    let header_len = frame.data_offset();
    let data = frame.data();
    let total = protected_len(sa, plain.len());
    if total > MAX_FRAME_LEN {
        return Err(WireError::invalid(2, "frame_length", total as u64).into());
    }
    let available = out.len();
    let out = out
        .get_mut(..total)
        .ok_or(WireError::buffer_too_small(FRAME, total, available))?;
    let (hdr, rest) = out.split_at_mut(header_len);
    hdr.copy_from_slice(plain.get(..header_len).unwrap_or(&[]));
    let field_len = rest.len() - fecf_len(config);
    let (field, _) = rest.split_at_mut(field_len);
    let start = sa.config().header_layout().len();
    field
        .get_mut(start..start + data.len())
        .ok_or(WireError::buffer_too_small(FRAME, total, available))?
        .copy_from_slice(data);
    let mut view = TcFrame::new_unchecked_with(&mut *hdr, config);
    // `total` ≤ 1024, so it fits the 10-bit field.
    view.set_frame_length(u16::try_from(total - 1).unwrap_or(u16::MAX))?;
    apply_security(sa, keys, hdr, field)?;
    if config.fecf {
        TcFrame::new_unchecked_with(&mut *out, config).fill_fecf()?;
    }
    Ok(total)
}

/// Validates the protected TC frame `frame` (232.0-B-4 §4.1: length field equal to the
/// buffer, FECF, …), then runs ProcessSecurity on it in place with the SA its SPI names.
/// The returned data range is relative to `frame`.
pub fn process<S: SaProvider + ?Sized, K: KeyResolver + ?Sized>(
    sas: &mut S,
    keys: &K,
    config: FrameConfig,
    frame: &mut [u8],
) -> Result<Processed, Error> {
    let header_len = TcFrame::new_checked(&*frame, config)?.data_offset();
    let fecf = fecf_len(config);
    let (hdr, rest) = frame
        .split_at_mut_checked(header_len)
        .ok_or(WireError::truncated(0, FRAME, header_len, 0))?;
    let field_len = rest.len().saturating_sub(fecf);
    let (field, _) = rest.split_at_mut(field_len);
    let mut done = process_security(sas, keys, hdr, field).map_err(|e| e.shifted(header_len))?;
    done.data = done.data.start + header_len..done.data.end + header_len;
    Ok(done)
}
