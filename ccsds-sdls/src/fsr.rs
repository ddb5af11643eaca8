//! The Frame Security Report (355.0-B-2 §4, Annex on the FSR): a four-octet Type-2 report the
//! receiving end of the TC link places in the OCF of the TM frames it sends back, so that the
//! ground sees which SPI was used last, the low octet of its sequence number, and whether
//! frames were refused for a bad SA, a bad MAC or a bad sequence number.
//!
//! Its first bit (Control Word Type) is `1`, which is what distinguishes it from a CLCW (bit
//! `0`, [`ccsds_core::Clcw::is_clcw`]); [`ccsds_tm::ocf::Ocf::Type2`] carries it in a frame.
//! Layout (as in 355.0-B-2 and CryptoLib's `Telemetry_Frame_Ocf_Fsr_t`):
//!
//! ```text
//! | CWT 1 | FSR version 3 = 100 | Alarm 1 | Bad SN 1 | Bad MAC 1 | Bad SA 1 | Last SPI 16 | SN value 8 |
//! ```

use ccsds_core::{Field, WireError, write_be};
use ccsds_tm::ocf::Ocf;

use crate::{Error, Processed, Spi};

/// Octets in an FSR.
pub const FSR_LEN: usize = 4;

/// The FSR layout, written once for parse and emit.
pub mod field {
    use ccsds_core::Field;
    /// Control Word Type: `1` (a Type-2 report, not a CLCW).
    pub const CONTROL_WORD_TYPE: Field = Field::new("control_word_type", 0, 1);
    /// FSR Version Number, `100`.
    pub const VERSION: Field = Field::new("fsr_version_number", 1, 3);
    /// Alarm Flag: some frame failed since the last Alarm Flag Reset.
    pub const ALARM: Field = Field::new("alarm_flag", 4, 1);
    /// Bad Sequence Number flag (last frame).
    pub const BAD_SN: Field = Field::new("bad_sequence_number_flag", 5, 1);
    /// Bad MAC flag (last frame).
    pub const BAD_MAC: Field = Field::new("bad_mac_flag", 6, 1);
    /// Bad Security Association flag (last frame).
    pub const BAD_SA: Field = Field::new("bad_sa_flag", 7, 1);
    /// Last SPI used.
    pub const LAST_SPI: Field = Field::new("last_spi", 8, 16);
    /// Low-order octet of the last sequence number.
    pub const SN_VALUE: Field = Field::new("sequence_number_value", 24, 8);
}

/// The only FSR version defined.
pub const FSR_VERSION: u8 = 0b100;

/// A Frame Security Report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Fsr {
    /// Alarm flag (sticky until [`Fsr::reset_alarm`], the SDLS-EP Alarm Flag Reset).
    pub alarm: bool,
    /// The last frame had a bad sequence number (or IV).
    pub bad_sn: bool,
    /// The last frame failed MAC verification.
    pub bad_mac: bool,
    /// The last frame named an unknown or non-operational SA.
    pub bad_sa: bool,
    /// The SPI of the last frame.
    pub last_spi: Spi,
    /// The low octet of the last accepted sequence number.
    pub sn_value: u8,
}

impl Fsr {
    /// Decodes four octets; refuses a CLCW (Control Word Type 0) and unknown versions.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let word: &[u8; FSR_LEN] = bytes.first_chunk().ok_or(WireError::truncated(
            0,
            "frame_security_report",
            FSR_LEN,
            bytes.len(),
        ))?;
        let get = |f: Field| f.get(word);
        let cwt = get(field::CONTROL_WORD_TYPE);
        if cwt != 1 {
            return Err(WireError::invalid(0, field::CONTROL_WORD_TYPE.name, cwt).into());
        }
        let version = get(field::VERSION);
        if version != u64::from(FSR_VERSION) {
            return Err(WireError::invalid(0, field::VERSION.name, version).into());
        }
        Ok(Self {
            alarm: get(field::ALARM) == 1,
            bad_sn: get(field::BAD_SN) == 1,
            bad_mac: get(field::BAD_MAC) == 1,
            bad_sa: get(field::BAD_SA) == 1,
            last_spi: Spi(u16::try_from(get(field::LAST_SPI)).unwrap_or_default()),
            sn_value: u8::try_from(get(field::SN_VALUE)).unwrap_or_default(),
        })
    }

    /// The four octets.
    pub fn to_bytes(&self) -> [u8; FSR_LEN] {
        let mut word = [0u8; FSR_LEN];
        let fields = [
            (field::CONTROL_WORD_TYPE, 1),
            (field::VERSION, u64::from(FSR_VERSION)),
            (field::ALARM, u64::from(self.alarm)),
            (field::BAD_SN, u64::from(self.bad_sn)),
            (field::BAD_MAC, u64::from(self.bad_mac)),
            (field::BAD_SA, u64::from(self.bad_sa)),
            (field::LAST_SPI, u64::from(self.last_spi.0)),
            (field::SN_VALUE, u64::from(self.sn_value)),
        ];
        // Every value fits its field by construction, so `insert` cannot fail.
        let value = fields.iter().fold(0u64, |acc, (f, v)| {
            f.insert::<FSR_LEN>(acc, *v, 0).unwrap_or(acc)
        });
        write_be(&mut word, value);
        word
    }

    /// Writes the report into the start of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let available = buf.len();
        let out: &mut [u8; FSR_LEN] = buf.first_chunk_mut().ok_or(WireError::buffer_too_small(
            "frame_security_report",
            FSR_LEN,
            available,
        ))?;
        *out = self.to_bytes();
        Ok(FSR_LEN)
    }

    /// The report as a TM/AOS Operational Control Field.
    pub fn to_ocf(&self) -> Ocf {
        Ocf::Type2(self.to_bytes())
    }

    /// The report carried in an OCF, if it is one (a CLCW is `Ok(None)`).
    pub fn from_ocf(ocf: &Ocf) -> Result<Option<Self>, Error> {
        match ocf {
            Ocf::Clcw(_) => Ok(None),
            Ocf::Type2(word) => Self::parse(word).map(Some),
        }
    }

    /// Updates the report with the outcome of ProcessSecurity for a frame that named `spi`:
    /// the three per-frame flags describe this frame; any failure raises the alarm.
    pub fn record(&mut self, spi: Spi, outcome: &Result<Processed, Error>) {
        self.last_spi = spi;
        self.bad_sn = false;
        self.bad_mac = false;
        self.bad_sa = false;
        match outcome {
            Ok(done) => self.sn_value = (done.arsn & 0xFF) as u8,
            Err(Error::Replay { .. }) => self.bad_sn = true,
            Err(Error::MacMismatch(_)) => self.bad_mac = true,
            Err(Error::UnknownSpi(_) | Error::SaNotOperational { .. }) => self.bad_sa = true,
            Err(_) => {}
        }
        if outcome.is_err() {
            self.alarm = true;
        }
    }

    /// Alarm Flag Reset (SDLS-EP security monitoring and control).
    pub fn reset_alarm(&mut self) {
        self.alarm = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Counter;
    use ccsds_core::Clcw;

    #[test]
    fn layout_and_round_trip() {
        let fsr = Fsr {
            alarm: true,
            bad_sn: false,
            bad_mac: true,
            bad_sa: false,
            last_spi: Spi(0x0102),
            sn_value: 0x7F,
        };
        let bytes = fsr.to_bytes();
        assert_eq!(bytes, [0b1100_1010, 0x01, 0x02, 0x7F]);
        assert!(!Clcw::is_clcw(&bytes));
        assert_eq!(Fsr::parse(&bytes), Ok(fsr));
        assert_eq!(Fsr::from_ocf(&fsr.to_ocf()), Ok(Some(fsr)));
        assert_eq!(Fsr::from_ocf(&Ocf::Clcw(Clcw::default())), Ok(None));
        assert!(Fsr::parse(&[0x01, 0, 0, 0]).is_err(), "a CLCW");
        assert!(Fsr::parse(&[0xA0, 0, 0, 0]).is_err(), "version 010");
        assert!(Fsr::parse(&[0xC0, 0, 0]).is_err());
    }

    #[test]
    fn records_outcomes() {
        let mut fsr = Fsr::default();
        fsr.record(
            Spi(2),
            &Err(Error::Replay {
                spi: Spi(2),
                counter: Counter::Arsn,
            }),
        );
        assert!(fsr.alarm && fsr.bad_sn && !fsr.bad_mac);
        let ok = Processed {
            spi: Spi(2),
            iv: 0,
            arsn: 0x1234,
            data: 0..1,
        };
        fsr.record(Spi(2), &Ok(ok));
        assert!(fsr.alarm && !fsr.bad_sn);
        assert_eq!(fsr.sn_value, 0x34);
        fsr.record(Spi(9), &Err(Error::UnknownSpi(Spi(9))));
        assert!(fsr.bad_sa);
        fsr.reset_alarm();
        assert!(!fsr.alarm);
    }

    #[test]
    fn arbitrary_words_never_panic() {
        for b in 0..=255u8 {
            if let Ok(f) = Fsr::parse(&[b, b, b, b]) {
                assert_eq!(f.to_bytes(), [b, b, b, b]);
            }
        }
    }
}
