//! The Communications Link Control Word (CCSDS 232.0-B-4 §4.2.1 / 232.1-B-2 §3.2, carried in
//! the Operational Control Field of TM 132.0-B-3 §4.1.5 and AOS 732.0-B-4 §4.1.5).
//!
//! It lives here, below both `ccsds-tc` (where COP-1's FARM produces it and FOP-1 consumes it)
//! and `ccsds-tm` (whose frames carry it), so that there is exactly one CLCW type.

use crate::{Field, Vcid, WireError, read_be, write_be};

/// The CLCW layout (232.0-B-4 figure 4-6), written once for parse and emit.
pub mod field {
    use crate::Field;
    /// Control Word Type, 1 bit: `0` for a CLCW (a Type-1 report); `1` is a Type-2 report.
    pub const CONTROL_WORD_TYPE: Field = Field::new("control_word_type", 0, 1);
    /// CLCW Version Number, 2 bits, `00`.
    pub const VERSION: Field = Field::new("clcw_version_number", 1, 2);
    /// Status Field, 3 bits, mission-specific.
    pub const STATUS: Field = Field::new("status_field", 3, 3);
    /// COP in Effect, 2 bits: `01` = COP-1.
    pub const COP_IN_EFFECT: Field = Field::new("cop_in_effect", 6, 2);
    /// Virtual Channel Identification, 6 bits.
    pub const VCID: Field = Field::new("virtual_channel_id", 8, 6);
    /// Reserved Spare, 2 bits, `00`.
    pub const SPARE_1: Field = Field::new("reserved_spare", 14, 2);
    /// No RF Available flag.
    pub const NO_RF_AVAILABLE: Field = Field::new("no_rf_available", 16, 1);
    /// No Bit Lock flag.
    pub const NO_BIT_LOCK: Field = Field::new("no_bit_lock", 17, 1);
    /// Lockout flag.
    pub const LOCKOUT: Field = Field::new("lockout", 18, 1);
    /// Wait flag.
    pub const WAIT: Field = Field::new("wait", 19, 1);
    /// Retransmit flag.
    pub const RETRANSMIT: Field = Field::new("retransmit", 20, 1);
    /// FARM-B Counter, 2 bits.
    pub const FARM_B_COUNTER: Field = Field::new("farm_b_counter", 21, 2);
    /// Reserved Spare, 1 bit, `0`.
    pub const SPARE_2: Field = Field::new("reserved_spare", 23, 1);
    /// Report Value: V(R), the next expected frame sequence number.
    pub const REPORT_VALUE: Field = Field::new("report_value", 24, 8);
}

/// Octets in a CLCW.
pub const CLCW_LEN: usize = 4;

/// A decoded CLCW: the FARM-1 state a receiver reports to the sender's FOP-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Clcw {
    /// Status Field (3 bits, mission-specific).
    pub status: u8,
    /// COP in Effect (2 bits; `1` = COP-1).
    pub cop_in_effect: u8,
    /// The virtual channel this report is about.
    pub vcid: Vcid,
    /// No RF Available.
    pub no_rf_available: bool,
    /// No Bit Lock.
    pub no_bit_lock: bool,
    /// Lockout: the FARM is in the Lockout state.
    pub lockout: bool,
    /// Wait: the FARM cannot accept more frames (no buffer).
    pub wait: bool,
    /// Retransmit: at least one frame was rejected and must be retransmitted.
    pub retransmit: bool,
    /// The two low bits of the count of accepted Type-B frames.
    pub farm_b_counter: u8,
    /// V(R): the frame sequence number the FARM expects next.
    pub report_value: u8,
}

impl Clcw {
    /// COP in Effect value for COP-1.
    pub const COP_1: u8 = 1;

    /// True if the first bit of an OCF says it holds a CLCW (Type-1 report) rather than a
    /// Type-2 report such as an SDLS Frame Security Report.
    pub fn is_clcw(ocf: &[u8; CLCW_LEN]) -> bool {
        field::CONTROL_WORD_TYPE.get(ocf) == 0
    }

    /// Parses a CLCW: control word type `0`, version `00`, spare bits zero.
    pub fn parse(bytes: &[u8]) -> Result<Self, WireError> {
        let w: &[u8; CLCW_LEN] =
            bytes
                .first_chunk()
                .ok_or(WireError::truncated(0, "clcw", CLCW_LEN, bytes.len()))?;
        for f in [
            field::CONTROL_WORD_TYPE,
            field::VERSION,
            field::SPARE_1,
            field::SPARE_2,
        ] {
            let v = f.get(w);
            if v != 0 {
                return Err(WireError::invalid(f.byte_offset(), f.name, v));
            }
        }
        let word = read_be(w);
        let get = |f: Field| (word >> (32 - f.bit_offset - f.width)) & f.max();
        Ok(Self {
            status: get(field::STATUS) as u8,
            cop_in_effect: get(field::COP_IN_EFFECT) as u8,
            vcid: Vcid::new(get(field::VCID) as u8)?,
            no_rf_available: get(field::NO_RF_AVAILABLE) == 1,
            no_bit_lock: get(field::NO_BIT_LOCK) == 1,
            lockout: get(field::LOCKOUT) == 1,
            wait: get(field::WAIT) == 1,
            retransmit: get(field::RETRANSMIT) == 1,
            farm_b_counter: get(field::FARM_B_COUNTER) as u8,
            report_value: get(field::REPORT_VALUE) as u8,
        })
    }

    /// The four CLCW octets, refusing field values that do not fit.
    pub fn to_bytes(&self) -> Result<[u8; CLCW_LEN], WireError> {
        let mut w = 0;
        w = field::STATUS.insert::<CLCW_LEN>(w, self.status.into(), 0)?;
        w = field::COP_IN_EFFECT.insert::<CLCW_LEN>(w, self.cop_in_effect.into(), 0)?;
        w = field::VCID.insert::<CLCW_LEN>(w, self.vcid.get().into(), 0)?;
        w = field::NO_RF_AVAILABLE.insert::<CLCW_LEN>(w, self.no_rf_available.into(), 0)?;
        w = field::NO_BIT_LOCK.insert::<CLCW_LEN>(w, self.no_bit_lock.into(), 0)?;
        w = field::LOCKOUT.insert::<CLCW_LEN>(w, self.lockout.into(), 0)?;
        w = field::WAIT.insert::<CLCW_LEN>(w, self.wait.into(), 0)?;
        w = field::RETRANSMIT.insert::<CLCW_LEN>(w, self.retransmit.into(), 0)?;
        w = field::FARM_B_COUNTER.insert::<CLCW_LEN>(w, self.farm_b_counter.into(), 0)?;
        w = field::REPORT_VALUE.insert::<CLCW_LEN>(w, self.report_value.into(), 0)?;
        let mut out = [0u8; CLCW_LEN];
        write_be(&mut out, w);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dariol83_vectors() {
        // dariol83/ccsds@8c1f966f ClcwBuilderTest.testClcwEncoding: COP-1, VC 0, No RF = 1,
        // Lockout = 1, FARM-B = 3, V(R) = 137.
        let c = Clcw::parse(&[0x01, 0x00, 0xA6, 0x89]).unwrap();
        let expected = Clcw {
            cop_in_effect: Clcw::COP_1,
            no_rf_available: true,
            lockout: true,
            farm_b_counter: 3,
            report_value: 137,
            ..Clcw::default()
        };
        assert_eq!(c, expected);
        assert_eq!(expected.to_bytes().unwrap(), [0x01, 0x00, 0xA6, 0x89]);
        // ClcwTest.FIRST_CLCW `0002A689` and SECOND_CLCW `0002D0D4` carry `10` in the reserved
        // spare bits 14–15 (dariol83 calls the builder variant "non-standard"); 232.0-B-4 fixes
        // them at `00`, so we reject them (disagreement with the peer, following the spec) and
        // check the remaining fields with the spare bits cleared.
        assert_eq!(
            Clcw::parse(&[0x00, 0x02, 0xA6, 0x89]).unwrap_err().field,
            "reserved_spare"
        );
        assert_eq!(
            Clcw::parse(&[0x00, 0x02, 0xD0, 0xD4]).unwrap_err().offset,
            1
        );
        let c = Clcw::parse(&[0x00, 0x00, 0xD0, 0xD4]).unwrap();
        assert_eq!(
            (c.cop_in_effect, c.report_value, c.farm_b_counter),
            (0, 0xD4, 0)
        );
        assert!(c.no_rf_available && c.no_bit_lock && c.wait && !c.lockout && !c.retransmit);
    }

    #[test]
    fn rejections() {
        assert_eq!(
            Clcw::parse(&[0x80, 0, 0, 0]).unwrap_err().field,
            "control_word_type"
        );
        assert_eq!(
            Clcw::parse(&[0x20, 0, 0, 0]).unwrap_err().field,
            "clcw_version_number"
        );
        assert_eq!(
            Clcw::parse(&[0, 0, 0x01, 0]).unwrap_err().field,
            "reserved_spare"
        );
        assert_eq!(
            Clcw::parse(&[0, 0, 0]).unwrap_err().kind,
            crate::ErrorKind::Truncated {
                needed: 4,
                available: 3
            }
        );
        assert!(
            Clcw {
                status: 8,
                ..Clcw::default()
            }
            .to_bytes()
            .is_err()
        );
        assert!(Clcw::is_clcw(&[0x01, 0, 0, 0]) && !Clcw::is_clcw(&[0x81, 0, 0, 0]));
    }

    proptest! {
        #[test]
        fn round_trip(status in 0u8..8, cop in 0u8..4, vcid in 0u8..64, flags in 0u8..32, b in 0u8..4, vr: u8) {
            let c = Clcw {
                status, cop_in_effect: cop, vcid: Vcid::new(vcid).unwrap(),
                no_rf_available: flags & 1 != 0, no_bit_lock: flags & 2 != 0, lockout: flags & 4 != 0,
                wait: flags & 8 != 0, retransmit: flags & 16 != 0, farm_b_counter: b, report_value: vr,
            };
            prop_assert_eq!(Clcw::parse(&c.to_bytes().unwrap()).unwrap(), c);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes: [u8; 4]) {
            if let Ok(c) = Clcw::parse(&bytes) {
                prop_assert_eq!(c.to_bytes().unwrap(), bytes);
            }
        }
    }
}
