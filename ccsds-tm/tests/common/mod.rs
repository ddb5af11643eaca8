//! Helpers shared by the TM and AOS frame tests (`tm_frames.rs`, `aos_frames.rs`): both frame
//! kinds end with the same optional OCF and FECF, so their tests build and corrupt frames the
//! same way.

use ccsds_core::crc16_ccitt;
use ccsds_tm::ocf::Ocf;
use ccsds_tm::{Clcw, Error, ErrorKind, Vcid};
use proptest::prelude::*;

/// Decodes a hex vector.
pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Recomputes the FECF in the last two octets of `frame` (computed here with the plain CRC,
/// not with the code under test).
pub fn fix_fecf(frame: &mut [u8]) {
    let n = frame.len() - 2;
    let crc = crc16_ccitt(&frame[..n]);
    frame[n..].copy_from_slice(&crc.to_be_bytes());
}

/// Asserts that `err` is a checksum mismatch of `field` at `offset` (whatever the values).
#[track_caller]
pub fn assert_checksum_error(err: Error, offset: usize, field: &str) {
    assert!(
        matches!(err.kind, ErrorKind::Checksum { .. })
            && err.offset == offset
            && err.field == field,
        "expected a checksum error of {field} at {offset}, got {err:?}"
    );
}

/// Any CLCW the encoder accepts.
pub fn clcw() -> impl Strategy<Value = Clcw> {
    (0u8..8, 0u8..4, 0u8..64, 0u8..32, 0u8..4, any::<u8>()).prop_map(
        |(status, cop, vcid, flags, b, vr)| Clcw {
            status,
            cop_in_effect: cop,
            vcid: Vcid::new(vcid).unwrap(),
            no_rf_available: flags & 1 != 0,
            no_bit_lock: flags & 2 != 0,
            lockout: flags & 4 != 0,
            wait: flags & 8 != 0,
            retransmit: flags & 16 != 0,
            farm_b_counter: b,
            report_value: vr,
        },
    )
}

/// Any OCF the encoder accepts: a CLCW or a Type-2 report (first bit 1).
pub fn ocf() -> impl Strategy<Value = Ocf> {
    prop_oneof![
        clcw().prop_map(Ocf::Clcw),
        any::<[u8; 4]>().prop_map(|mut w| {
            w[0] |= 0x80;
            Ocf::Type2(w)
        }),
    ]
}
