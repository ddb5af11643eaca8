//! Helpers shared by the `ccsds-tm` targets (included with `#[path]`, not a target itself).

use ccsds_tm::ocf::Ocf;
use ccsds_tm::{Clcw, Vcid};

/// An OCF built field by field from 5 octets, deliberately including values the encoder must
/// refuse (CLCW fields that do not fit, a Type-2 report whose first bit is 0).
pub fn ocf(b: [u8; 5]) -> Ocf {
    if b[0] & 1 == 0 {
        return Ocf::Type2([b[1], b[2], b[3], b[4]]);
    }
    Ocf::Clcw(Clcw {
        status: b[1] >> 5,
        cop_in_effect: b[1] & 3 | (b[0] & 0x80) >> 5,
        vcid: Vcid::new(b[2] & 0x3F).unwrap_or_default(),
        no_rf_available: b[3] & 1 != 0,
        no_bit_lock: b[3] & 2 != 0,
        lockout: b[3] & 4 != 0,
        wait: b[3] & 8 != 0,
        retransmit: b[3] & 16 != 0,
        farm_b_counter: b[3] >> 5,
        report_value: b[4],
    })
}
