//! AOS Transfer Frames (CCSDS 732.0-B-4 §4.1): a zero-copy view ([`AosFrame`]), the validity
//! checks of §4.1, a plain representation ([`AosFrameRepr`]) to parse and emit frames, the
//! Frame Header Error Control code ([`fhec`]), and the two structured data field formats,
//! M_PDU ([`MPdu`]) and B_PDU ([`BPdu`]).
//!
//! ```text
//! | Primary Header (6) | [FHEC (2)] | [Insert Zone (n)] | Data Field (1..) | [OCF (4)] | [FECF (2)] |
//! ```
//!
//! Unlike TM, nothing after the primary header is announced in the frame: the FHEC, the insert
//! zone, the OCF, the FECF and the frame length are all managed parameters (732.0-B-4 §5),
//! passed in as an [`AosConfig`].

use ccsds_core::{ErrorKind, Field, Scid, Vcid, header_prefix, write_be};

use crate::Error;
use crate::ocf::{OCF_LEN, Ocf};
use crate::tm::{FirstHeaderPointer, check_framing, fill_idle, start_frame};
use crate::trailer::{Trailer, fecf_len};

/// Length of the Transfer Frame Primary Header without the FHEC (732.0-B-4 §4.1.2).
pub const PRIMARY_HEADER_LEN: usize = 6;
/// Length of the optional Frame Header Error Control field (732.0-B-4 §4.1.2.6).
pub const FHEC_LEN: usize = 2;
/// Length of the M_PDU and B_PDU headers (732.0-B-4 §4.1.4.2–3).
pub const PDU_HEADER_LEN: usize = 2;
/// Largest AOS Transfer Frame the crate accepts: 2048 octets, the most an 11-bit M_PDU first
/// header pointer can address (the value is taken from the project notes, which mark it
/// "verify against the book").
pub const MAX_FRAME_LEN: usize = 2048;
/// The Virtual Channel reserved for idle frames (732.0-B-4 §4.1.2.3: all ones).
pub const IDLE_VCID: Vcid = Vcid::MAX;

/// Layout of the Primary Header (732.0-B-4 §4.1.2, Figure 4-2) and of the M_PDU and B_PDU
/// headers (§4.1.4.2–3), CCSDS bit numbering.
pub mod field {
    use ccsds_core::Field;

    /// Transfer Frame Version Number, `01` for AOS (§4.1.2.2.2).
    pub const VERSION: Field = Field::new("transfer_frame_version_number", 0, 2);
    /// Spacecraft Identifier, 8 bits (§4.1.2.2.3).
    pub const SCID: Field = Field::new("spacecraft_id", 2, 8);
    /// Virtual Channel Identifier, 6 bits; all ones = idle frames (§4.1.2.3).
    pub const VCID: Field = Field::new("virtual_channel_id", 10, 6);
    /// Virtual Channel Frame Count, modulo 2^24 (§4.1.2.4).
    pub const VC_FRAME_COUNT: Field = Field::new("virtual_channel_frame_count", 16, 24);
    /// Signalling field: Replay Flag (§4.1.2.5.2).
    pub const REPLAY_FLAG: Field = Field::new("replay_flag", 40, 1);
    /// Signalling field: VC Frame Count Usage Flag (§4.1.2.5.3).
    pub const VC_FRAME_COUNT_USAGE: Field = Field::new("vc_frame_count_usage_flag", 41, 1);
    /// Signalling field: Reserved Spare, `00` (§4.1.2.5.4).
    pub const SPARE: Field = Field::new("reserved_spare", 42, 2);
    /// Signalling field: VC Frame Count Cycle, extends the count by 4 bits (§4.1.2.5.5).
    pub const VC_FRAME_COUNT_CYCLE: Field = Field::new("vc_frame_count_cycle", 44, 4);

    /// M_PDU header: Reserved Spare, 5 bits `00000` (§4.1.4.2.2).
    pub const M_PDU_SPARE: Field = Field::new("reserved_spare", 0, 5);
    /// M_PDU header: First Header Pointer, 11 bits (§4.1.4.2.3).
    pub const FIRST_HEADER_POINTER: Field = Field::new("first_header_pointer", 5, 11);
    /// B_PDU header: Reserved Spare, 2 bits `00` (§4.1.4.3.2).
    pub const B_PDU_SPARE: Field = Field::new("reserved_spare", 0, 2);
    /// B_PDU header: Bitstream Data Pointer, 14 bits (§4.1.4.3.3).
    pub const BITSTREAM_DATA_POINTER: Field = Field::new("bitstream_data_pointer", 2, 14);
}

/// Error field names that are not header fields.
const PRIMARY_HEADER: &str = "primary_header";
const FHEC: &str = "frame_header_error_control";
const INSERT_ZONE: &str = "insert_zone";
const DATA_FIELD: &str = "transfer_frame_data_field";
const FRAME_LENGTH: &str = "transfer_frame_length";
const PDU_HEADER: &str = "pdu_header";
const IDLE_PATTERN: &str = "idle_data_pattern";

/// The Frame Header Error Control (732.0-B-4 §4.1.2.6): a Reed-Solomon (10,6) code over
/// GF(16) that protects the Master Channel ID, the VCID and the signalling field (not the
/// frame count). Field polynomial x^4 + x + 1, α = 2, generator roots α^6..α^9, systematic.
/// The message is the six nibbles of header octets 0, 1 and 5 (most significant nibble first);
/// the four check nibbles are octets 6–7. The code corrects up to two nibble errors.
pub mod fhec {
    use ccsds_core::ErrorKind;

    use crate::Error;

    /// Exponent of the first generator root (α^6).
    const FIRST_ROOT: u32 = 6;
    /// Nibbles in a code word (6 message + 4 check).
    const N: usize = 10;

    /// Multiplication in GF(16) with the field polynomial x^4 + x + 1.
    const fn mul(a: u8, b: u8) -> u8 {
        let (mut a, mut b, mut r) = (a, b, 0);
        while b != 0 {
            if b & 1 != 0 {
                r ^= a;
            }
            b >>= 1;
            a <<= 1;
            if a & 0x10 != 0 {
                a ^= 0x13;
            }
        }
        r
    }

    const fn pow(a: u8, e: u32) -> u8 {
        let mut r = 1;
        let mut i = 0;
        while i < e % 15 {
            r = mul(r, a);
            i += 1;
        }
        r
    }

    /// α^e.
    const fn alpha(e: u32) -> u8 {
        pow(2, e)
    }

    /// a / b (b ≠ 0): a · b^14.
    const fn div(a: u8, b: u8) -> u8 {
        mul(a, pow(b, 14))
    }

    /// The generator polynomial Π (x + α^j), j = 6..=9, highest degree first:
    /// x^4 + α^3·x^3 + α·x^2 + α^3·x + 1 (checked against its roots in the unit tests).
    const GENERATOR: [u8; 5] = [1, 8, 2, 8, 1];

    /// The FHEC of a primary header (octets 0, 1 and 5 are used).
    pub fn compute(header: &[u8; 6]) -> u16 {
        let [a, b, _, _, _, s] = *header;
        let mut parity = [0u8; 4];
        for m in [a >> 4, a & 15, b >> 4, b & 15, s >> 4, s & 15] {
            let feedback = m ^ parity[0];
            parity = [parity[1], parity[2], parity[3], 0];
            for (p, g) in parity.iter_mut().zip(&GENERATOR[1..]) {
                *p ^= mul(feedback, *g);
            }
        }
        let [p0, p1, p2, p3] = parity;
        u16::from_be_bytes([(p0 << 4) | p1, (p2 << 4) | p3])
    }

    /// The ten protected nibbles of an 8-octet header (octets 0, 1, 5, 6, 7), first = x^9.
    fn nibbles(header: &[u8; 8]) -> [u8; N] {
        let [a, b, _, _, _, s, c, d] = *header;
        [
            a >> 4,
            a & 15,
            b >> 4,
            b & 15,
            s >> 4,
            s & 15,
            c >> 4,
            c & 15,
            d >> 4,
            d & 15,
        ]
    }

    /// S_i = r(α^(6+i)), i = 0..4.
    fn syndromes(word: &[u8; N]) -> [u8; 4] {
        let mut s = [0u8; 4];
        for (i, si) in s.iter_mut().enumerate() {
            let x = alpha(FIRST_ROOT + i as u32);
            *si = word.iter().fold(0, |acc, c| mul(acc, x) ^ c);
        }
        s
    }

    /// True if octets 6–7 hold the FHEC of octets 0, 1 and 5.
    pub fn is_valid(header: &[u8; 8]) -> bool {
        syndromes(&nibbles(header)) == [0; 4]
    }

    /// Corrects up to two wrong nibbles among the protected octets (0, 1, 5, 6, 7) of an
    /// 8-octet header in place (Peterson's decoder) and returns how many it changed. More
    /// errors are [`ErrorKind::Uncorrectable`] (reported at octet 6) and leave the header as
    /// it was; like any bounded-distance decoder it may also miscorrect a word with three or
    /// more errors into another valid header.
    pub fn correct(header: &mut [u8; 8]) -> Result<usize, Error> {
        let uncorrectable = Error::new(6, super::FHEC, ErrorKind::Uncorrectable { block: 0 });
        let mut word = nibbles(header);
        let [s0, s1, s2, s3] = syndromes(&word);
        if [s0, s1, s2, s3] == [0; 4] {
            return Ok(0);
        }
        // Error locators X = α^p (p = degree of the wrong nibble) and values Y·X^6 = e.
        let mut fixes: [(usize, u8); 2] = [(0, 0); 2];
        let det = mul(s1, s1) ^ mul(s0, s2);
        let count = if det == 0 {
            // One error: S_i = Y·X^i.
            if s0 == 0 {
                return Err(uncorrectable);
            }
            let x = div(s1, s0);
            let p = (0..N)
                .find(|p| alpha(*p as u32) == x)
                .ok_or(uncorrectable)?;
            fixes[0] = (p, div(s0, pow(x, FIRST_ROOT)));
            1
        } else {
            // Two errors: S_(i+2) = σ1·S_(i+1) + σ2·S_i; the locators are the roots of
            // x^2 + σ1·x + σ2.
            let sigma1 = div(mul(s1, s2) ^ mul(s0, s3), det);
            let sigma2 = div(mul(s1, s3) ^ mul(s2, s2), det);
            let mut roots = (0..N).filter(|p| {
                let x = alpha(*p as u32);
                mul(x, x) ^ mul(sigma1, x) ^ sigma2 == 0
            });
            let (Some(p1), Some(p2), None) = (roots.next(), roots.next(), roots.next()) else {
                return Err(uncorrectable);
            };
            let (x1, x2) = (alpha(p1 as u32), alpha(p2 as u32));
            let y1 = div(s1 ^ mul(s0, x2), x1 ^ x2);
            let y2 = s0 ^ y1;
            fixes = [
                (p1, div(y1, pow(x1, FIRST_ROOT))),
                (p2, div(y2, pow(x2, FIRST_ROOT))),
            ];
            2
        };
        for (p, e) in fixes.iter().take(count) {
            if let Some(c) = word.get_mut(N - 1 - p) {
                *c ^= e;
            }
        }
        if syndromes(&word) != [0; 4] {
            return Err(uncorrectable);
        }
        let [a0, a1, b0, b1, s0, s1, c0, c1, d0, d1] = word;
        header[0] = (a0 << 4) | a1;
        header[1] = (b0 << 4) | b1;
        header[5] = (s0 << 4) | s1;
        header[6] = (c0 << 4) | c1;
        header[7] = (d0 << 4) | d1;
        Ok(count)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn generator_has_the_four_roots() {
            for j in 6..10 {
                let x = alpha(j);
                assert_eq!(GENERATOR.iter().fold(0, |acc, c| mul(acc, x) ^ c), 0);
            }
            assert_eq!(div(mul(7, 9), 9), 7);
        }
    }
}

/// The managed parameters of an AOS physical / virtual channel that decide the frame layout
/// (732.0-B-4 §5): agreed in advance, not signalled in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AosConfig {
    /// Transfer Frame Length in octets, fixed for the physical channel (§4.1.1); at most
    /// [`MAX_FRAME_LEN`].
    pub frame_len: usize,
    /// The primary header carries the Frame Header Error Control field (§4.1.2.6).
    pub fhec: bool,
    /// Length of the Insert Zone, 0 if there is none (§4.1.3).
    pub insert_zone_len: usize,
    /// Every frame carries an Operational Control Field (§4.1.5).
    pub ocf: bool,
    /// Every frame ends with a Frame Error Control Field (§4.1.6).
    pub fecf: bool,
}

impl AosConfig {
    /// Octets before the data field: primary header, FHEC and insert zone.
    pub const fn data_offset(&self) -> usize {
        (PRIMARY_HEADER_LEN + if self.fhec { FHEC_LEN } else { 0 })
            .saturating_add(self.insert_zone_len)
    }

    /// Octets after the data field: OCF and FECF.
    pub const fn trailer_len(&self) -> usize {
        self.trailer().len()
    }

    /// The OCF and FECF, both managed parameters here (§4.1.5, §4.1.6).
    const fn trailer(&self) -> Trailer {
        Trailer {
            ocf: self.ocf,
            fecf: self.fecf,
        }
    }
}

// The getters below read masked fields, so the checked constructors cannot fail; the defaults
// are never taken.
fn scid(v: u64) -> Scid {
    Scid::new(v as u16).unwrap_or_default()
}
fn vcid(v: u64) -> Vcid {
    Vcid::new(v as u8).unwrap_or_default()
}

/// A read/write view of one whole AOS Transfer Frame in a buffer.
///
/// [`AosFrame::new_checked`] validates the frame once (§4.1); after that every getter is
/// meaningful. On an unchecked view the getters never panic: missing header octets read as
/// zero and the variable parts are empty (or `None`) if the layout does not fit the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AosFrame<T: AsRef<[u8]>> {
    buffer: T,
    config: AosConfig,
}

impl<T: AsRef<[u8]>> AosFrame<T> {
    /// Wraps `buffer` without any check.
    pub const fn new_unchecked(buffer: T, config: AosConfig) -> Self {
        Self { buffer, config }
    }

    /// Wraps `buffer` and runs [`AosFrame::check`]: the buffer must hold exactly one valid
    /// frame of the channel's length.
    pub fn new_checked(buffer: T, config: AosConfig) -> Result<Self, Error> {
        let frame = Self::new_unchecked(buffer, config);
        frame.check()?;
        Ok(frame)
    }

    /// The validity checks of 732.0-B-4 §4.1, in this order:
    ///
    /// 1. the configured frame length is at most [`MAX_FRAME_LEN`] (`InvalidValue`, at 0) and
    ///    equals the buffer length (`LengthMismatch`, at 0) (§4.1.1);
    /// 2. the buffer holds the primary header, the FHEC and the FECF, if any (`Truncated`);
    /// 3. version `01` (§4.1.2.2.2);
    /// 4. the FHEC, if configured, matches octets 0, 1 and 5 (§4.1.2.6) (`Checksum`; this
    ///    view only detects — call [`AosFrame::correct_header`] first to correct);
    /// 5. FECF over everything before it (§4.1.6.2) (`Checksum`);
    /// 6. room for at least one data field octet (`Truncated`, at the data field);
    /// 7. reserved spare `00` (§4.1.2.5.4);
    /// 8. a VC frame count cycle of `0000` when the usage flag is `0` (§4.1.2.5.5: the cycle
    ///    is only meaningful when the flag is set; this crate requires zeros so that a header
    ///    has one encoding — (verify) the book's exact wording).
    ///
    /// The content of the OCF and of the data field are not checked here (see
    /// [`AosFrame::ocf`], [`AosFrame::m_pdu`], [`AosFrame::b_pdu`]).
    pub fn check(&self) -> Result<(), Error> {
        let buf = self.buffer.as_ref();
        let needed = self.header_len() + fecf_len(self.config.fecf);
        let header = check_framing(buf, self.config.frame_len, MAX_FRAME_LEN, needed)?;
        let version = field::VERSION.get(header);
        if version != 1 {
            return Err(Error::invalid(0, field::VERSION.name, version));
        }
        if let Some(received) = self.fhec() {
            let computed = fhec::compute(header);
            if received != computed {
                return Err(Error::new(
                    PRIMARY_HEADER_LEN,
                    FHEC,
                    ErrorKind::Checksum {
                        received: received.into(),
                        computed: computed.into(),
                    },
                ));
            }
        }
        self.config.trailer().check_fecf(buf)?;
        let offset = self.config.data_offset();
        let min = offset.saturating_add(1 + self.config.trailer_len());
        if buf.len() < min {
            return Err(Error::truncated(offset, DATA_FIELD, min, buf.len()));
        }
        let spare = field::SPARE.get(header);
        if spare != 0 {
            return Err(Error::invalid(5, field::SPARE.name, spare));
        }
        let cycle = field::VC_FRAME_COUNT_CYCLE.get(header);
        if !self.vc_frame_count_usage() && cycle != 0 {
            return Err(Error::invalid(5, field::VC_FRAME_COUNT_CYCLE.name, cycle));
        }
        Ok(())
    }

    /// Releases the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The managed parameters this view was created with.
    pub const fn config(&self) -> AosConfig {
        self.config
    }

    /// Primary header plus FHEC, if configured.
    const fn header_len(&self) -> usize {
        PRIMARY_HEADER_LEN + if self.config.fhec { FHEC_LEN } else { 0 }
    }

    /// The primary header; octets beyond the end of a short buffer read as zero.
    #[inline]
    fn header(&self) -> [u8; PRIMARY_HEADER_LEN] {
        header_prefix(self.buffer.as_ref())
    }

    #[inline]
    fn get(&self, f: Field) -> u64 {
        f.get(&self.header())
    }

    /// Transfer Frame Version Number (§4.1.2.2.2; `1` in a valid frame).
    pub fn version(&self) -> u8 {
        self.get(field::VERSION) as u8
    }

    /// Spacecraft Identifier (§4.1.2.2.3; 0..=255).
    pub fn scid(&self) -> Scid {
        scid(self.get(field::SCID))
    }

    /// Virtual Channel Identifier (§4.1.2.3).
    pub fn vcid(&self) -> Vcid {
        vcid(self.get(field::VCID))
    }

    /// True on the idle Virtual Channel (VCID all ones, §4.1.2.3).
    pub fn is_idle(&self) -> bool {
        self.vcid() == IDLE_VCID
    }

    /// Virtual Channel Frame Count (§4.1.2.4; 24 bits).
    pub fn vc_frame_count(&self) -> u32 {
        self.get(field::VC_FRAME_COUNT) as u32
    }

    /// The signalling field octet as carried (§4.1.2.5).
    pub fn signalling_field(&self) -> u8 {
        self.header()[5]
    }

    /// Replay Flag (§4.1.2.5.2).
    pub fn replay(&self) -> bool {
        self.get(field::REPLAY_FLAG) == 1
    }

    /// VC Frame Count Usage Flag (§4.1.2.5.3).
    pub fn vc_frame_count_usage(&self) -> bool {
        self.get(field::VC_FRAME_COUNT_USAGE) == 1
    }

    /// Reserved Spare bits (§4.1.2.5.4; `0` in a valid frame).
    pub fn spare(&self) -> u8 {
        self.get(field::SPARE) as u8
    }

    /// VC Frame Count Cycle field as carried (§4.1.2.5.5).
    pub fn vc_frame_count_cycle(&self) -> u8 {
        self.get(field::VC_FRAME_COUNT_CYCLE) as u8
    }

    /// The 28-bit extended frame count (cycle · 2^24 + count) if the usage flag is set,
    /// otherwise the 24-bit count.
    pub fn extended_vc_frame_count(&self) -> u32 {
        let cycle = if self.vc_frame_count_usage() {
            u32::from(self.vc_frame_count_cycle())
        } else {
            0
        };
        (cycle << 24) | self.vc_frame_count()
    }

    /// The Frame Header Error Control as carried, if the channel has one and the buffer holds
    /// it.
    pub fn fhec(&self) -> Option<u16> {
        if !self.config.fhec {
            return None;
        }
        self.buffer
            .as_ref()
            .get(PRIMARY_HEADER_LEN..)
            .and_then(|b| b.first_chunk::<FHEC_LEN>())
            .map(|b| u16::from_be_bytes(*b))
    }

    fn insert_zone_range(&self) -> core::ops::Range<usize> {
        self.header_len()..self.config.data_offset()
    }

    /// The Insert Zone (§4.1.3); empty if there is none or the buffer does not hold it.
    pub fn insert_zone(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(self.insert_zone_range())
            .unwrap_or(&[])
    }

    /// Offset of the data field.
    pub const fn data_offset(&self) -> usize {
        self.config.data_offset()
    }

    fn data_range(&self) -> core::ops::Range<usize> {
        let end = self.buffer.as_ref().len();
        self.config.data_offset()..self.config.trailer().data_end(end)
    }

    /// The Transfer Frame Data Field (§4.1.4): an M_PDU, a B_PDU, a VCA_SDU or idle data,
    /// depending on the Virtual Channel. Empty if the layout does not fit the buffer.
    pub fn data(&self) -> &[u8] {
        self.buffer.as_ref().get(self.data_range()).unwrap_or(&[])
    }

    /// The data field as an M_PDU (§4.1.4.2), checked, with error offsets within the frame.
    pub fn m_pdu(&self) -> Result<MPdu<&[u8]>, Error> {
        MPdu::new_checked(self.data()).map_err(|e| e.shifted(self.data_offset()))
    }

    /// The data field as a B_PDU (§4.1.4.3), checked, with error offsets within the frame.
    pub fn b_pdu(&self) -> Result<BPdu<&[u8]>, Error> {
        BPdu::new_checked(self.data()).map_err(|e| e.shifted(self.data_offset()))
    }

    /// The four OCF octets as carried, if the channel has an OCF and the buffer holds them.
    pub fn ocf_bytes(&self) -> Option<[u8; OCF_LEN]> {
        self.config.trailer().ocf_bytes(self.buffer.as_ref())
    }

    /// The Operational Control Field decoded (§4.1.5): `Ok(None)` without one, an error
    /// (offset within the frame) if it holds a malformed CLCW.
    pub fn ocf(&self) -> Result<Option<Ocf>, Error> {
        self.config.trailer().ocf(self.buffer.as_ref())
    }

    /// The Frame Error Control Field, if the channel carries one and the buffer holds it.
    pub fn fecf(&self) -> Option<u16> {
        self.config.trailer().fecf(self.buffer.as_ref())
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> AosFrame<&'a T> {
    /// [`AosFrame::insert_zone`], borrowed for as long as the buffer.
    fn insert_zone_ref(&self) -> &'a [u8] {
        self.buffer
            .as_ref()
            .get(self.insert_zone_range())
            .unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> AosFrame<T> {
    fn set(&mut self, f: Field, value: u64) -> Result<(), Error> {
        f.set_in::<PRIMARY_HEADER_LEN>(self.buffer.as_mut(), value, PRIMARY_HEADER)
    }

    /// Sets the version to the only valid value, `01`, and the reserved spare bits to `00`.
    pub fn set_version_and_spare(&mut self) -> Result<(), Error> {
        self.set(field::VERSION, 1)?;
        self.set(field::SPARE, 0)
    }

    /// Sets the Spacecraft Identifier; values above 255 are refused (AOS has 8 bits).
    pub fn set_scid(&mut self, scid: Scid) -> Result<(), Error> {
        self.set(field::SCID, scid.get().into())
    }

    /// Sets the Virtual Channel Identifier.
    pub fn set_vcid(&mut self, vcid: Vcid) -> Result<(), Error> {
        self.set(field::VCID, vcid.get().into())
    }

    /// Sets the Virtual Channel Frame Count; values of 2^24 or more are refused.
    pub fn set_vc_frame_count(&mut self, count: u32) -> Result<(), Error> {
        self.set(field::VC_FRAME_COUNT, count.into())
    }

    /// Sets the Replay Flag.
    pub fn set_replay(&mut self, replay: bool) -> Result<(), Error> {
        self.set(field::REPLAY_FLAG, replay.into())
    }

    /// Sets the usage flag and the cycle: `Some(cycle)` sets the flag (cycle 0..=15),
    /// `None` clears it and zeroes the cycle.
    pub fn set_vc_frame_count_cycle(&mut self, cycle: Option<u8>) -> Result<(), Error> {
        let value = cycle.unwrap_or(0);
        field::VC_FRAME_COUNT_CYCLE.check(value.into(), 0)?;
        self.set(field::VC_FRAME_COUNT_USAGE, cycle.is_some().into())?;
        self.set(field::VC_FRAME_COUNT_CYCLE, value.into())
    }

    /// Computes the FHEC over octets 0, 1 and 5 and writes it into octets 6–7 (§4.1.2.6).
    /// Does nothing if the channel has no FHEC.
    pub fn fill_fhec(&mut self) -> Result<(), Error> {
        if !self.config.fhec {
            return Ok(());
        }
        let value = fhec::compute(&self.header());
        let available = self.buffer.as_ref().len();
        let slot = self
            .buffer
            .as_mut()
            .get_mut(PRIMARY_HEADER_LEN..)
            .and_then(|b| b.first_chunk_mut::<FHEC_LEN>())
            .ok_or(Error::truncated(
                PRIMARY_HEADER_LEN,
                FHEC,
                PRIMARY_HEADER_LEN + FHEC_LEN,
                available,
            ))?;
        *slot = value.to_be_bytes();
        Ok(())
    }

    /// Corrects up to two wrong nibbles in the FHEC-protected header octets in place
    /// ([`fhec::correct`]) and returns how many it changed; run it before
    /// [`AosFrame::check`] to get the error correction the FHEC is designed for. Does nothing
    /// (returns 0) if the channel has no FHEC.
    pub fn correct_header(&mut self) -> Result<usize, Error> {
        if !self.config.fhec {
            return Ok(0);
        }
        let available = self.buffer.as_ref().len();
        let header = self
            .buffer
            .as_mut()
            .first_chunk_mut::<{ PRIMARY_HEADER_LEN + FHEC_LEN }>()
            .ok_or(Error::truncated(
                0,
                PRIMARY_HEADER,
                PRIMARY_HEADER_LEN + FHEC_LEN,
                available,
            ))?;
        fhec::correct(header)
    }

    /// The insert zone, writable (empty if there is none or the buffer does not hold it).
    pub fn insert_zone_mut(&mut self) -> &mut [u8] {
        let range = self.insert_zone_range();
        self.buffer.as_mut().get_mut(range).unwrap_or(&mut [])
    }

    /// The data field, writable (empty if the layout does not fit the buffer).
    pub fn data_mut(&mut self) -> &mut [u8] {
        let range = self.data_range();
        self.buffer.as_mut().get_mut(range).unwrap_or(&mut [])
    }

    /// Writes the OCF; refused if the channel has none or the buffer is too short.
    pub fn set_ocf(&mut self, ocf: &Ocf) -> Result<(), Error> {
        let absent = Error::buffer_too_small("operational_control_field", OCF_LEN, 0);
        self.config
            .trailer()
            .set_ocf(self.buffer.as_mut(), ocf, absent)
    }

    /// Computes the FECF over the frame and writes it into the last two octets (§4.1.6.2).
    /// Does nothing if the channel carries no FECF.
    pub fn fill_fecf(&mut self) -> Result<(), Error> {
        self.config.trailer().fill_fecf(self.buffer.as_mut())
    }
}

/// The content of one AOS Transfer Frame's headers and trailer, without the data field
/// (smoltcp-style `Repr`). The insert zone is borrowed: its length is a managed parameter,
/// its content changes per frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AosFrameRepr<'a> {
    /// Spacecraft Identifier (0..=255; larger values are refused on emit).
    pub scid: Scid,
    /// Virtual Channel Identifier ([`IDLE_VCID`] for idle frames).
    pub vcid: Vcid,
    /// Virtual Channel Frame Count (24 bits; larger values are refused on emit).
    pub vc_frame_count: u32,
    /// Replay Flag.
    pub replay: bool,
    /// The VC Frame Count Cycle when the usage flag is set (0..=15), `None` when it is clear
    /// (the field is then `0000`).
    pub vc_frame_count_cycle: Option<u8>,
    /// The header carries an FHEC.
    pub fhec: bool,
    /// The insert zone (empty if the channel has none).
    pub insert_zone: &'a [u8],
    /// The Operational Control Field, if the channel carries one.
    pub ocf: Option<Ocf>,
    /// The frame ends with an FECF.
    pub fecf: bool,
}

impl<'a> AosFrameRepr<'a> {
    /// Headers of an idle frame (VCID 63, §4.1.2.3) with no FHEC, insert zone, OCF or FECF;
    /// set the other fields as the channel needs.
    pub const fn idle(scid: Scid) -> Self {
        Self {
            scid,
            vcid: IDLE_VCID,
            vc_frame_count: 0,
            replay: false,
            vc_frame_count_cycle: None,
            fhec: false,
            insert_zone: &[],
            ocf: None,
            fecf: false,
        }
    }

    /// Validates `frame` (the full [`AosFrame::check`], so an unchecked view is safe too) and
    /// reads its headers, OCF included (a malformed CLCW is an error here).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(frame: &AosFrame<&'a T>) -> Result<Self, Error> {
        frame.check()?;
        Ok(Self {
            scid: frame.scid(),
            vcid: frame.vcid(),
            vc_frame_count: frame.vc_frame_count(),
            replay: frame.replay(),
            vc_frame_count_cycle: frame
                .vc_frame_count_usage()
                .then(|| frame.vc_frame_count_cycle()),
            fhec: frame.config.fhec,
            insert_zone: frame.insert_zone_ref(),
            ocf: frame.ocf()?,
            fecf: frame.config.fecf,
        })
    }

    /// The managed parameters under which a receiver reads back a frame of this shape with
    /// `data_len` octets of data.
    pub const fn config(&self, data_len: usize) -> AosConfig {
        let shape = self.shape();
        AosConfig {
            frame_len: shape
                .data_offset()
                .saturating_add(data_len)
                .saturating_add(shape.trailer_len()),
            ..shape
        }
    }

    /// The configuration without the frame length.
    const fn shape(&self) -> AosConfig {
        AosConfig {
            frame_len: 0,
            fhec: self.fhec,
            insert_zone_len: self.insert_zone.len(),
            ocf: self.ocf.is_some(),
            fecf: self.fecf,
        }
    }

    /// Length of the whole frame for `data_len` octets of data field.
    pub const fn buffer_len(&self, data_len: usize) -> usize {
        self.config(data_len).frame_len
    }

    /// The data field length that makes a frame of `frame_len` octets (the channel's fixed
    /// length); an error if the headers leave no room for at least one data octet or
    /// `frame_len` exceeds [`MAX_FRAME_LEN`].
    pub fn data_len_for(&self, frame_len: usize) -> Result<usize, Error> {
        match frame_len.checked_sub(self.buffer_len(0)) {
            Some(n) if n > 0 && frame_len <= MAX_FRAME_LEN => Ok(n),
            _ => Err(Error::invalid(0, FRAME_LENGTH, frame_len as u64)),
        }
    }

    /// Writes the frame with `data` as its data field into the start of `buf` and returns its
    /// length; FHEC and FECF are filled if configured.
    pub fn emit(&self, data: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
        self.emit_with(data.len(), buf, |d| d.copy_from_slice(data))
    }

    /// Writes an idle frame of `frame_len` octets (these headers; use [`AosFrameRepr::idle`]
    /// for VCID 63) whose data field repeats `pattern` (e.g.
    /// [`crate::tm::DEFAULT_IDLE_PATTERN`]).
    pub fn emit_idle(
        &self,
        frame_len: usize,
        pattern: &[u8],
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        if pattern.is_empty() {
            return Err(Error::invalid(self.shape().data_offset(), IDLE_PATTERN, 0));
        }
        self.emit_with(self.data_len_for(frame_len)?, buf, |d| {
            fill_idle(d, pattern)
        })
    }

    /// The six primary header octets as one integer, refusing values that do not fit.
    fn header_word(&self) -> Result<u64, Error> {
        const N: usize = PRIMARY_HEADER_LEN;
        let mut w = 0;
        w = field::VERSION.insert::<N>(w, 1, 0)?;
        w = field::SCID.insert::<N>(w, self.scid.get().into(), 0)?;
        w = field::VCID.insert::<N>(w, self.vcid.get().into(), 0)?;
        w = field::VC_FRAME_COUNT.insert::<N>(w, self.vc_frame_count.into(), 0)?;
        w = field::REPLAY_FLAG.insert::<N>(w, self.replay.into(), 0)?;
        w = field::VC_FRAME_COUNT_USAGE.insert::<N>(
            w,
            self.vc_frame_count_cycle.is_some().into(),
            0,
        )?;
        field::VC_FRAME_COUNT_CYCLE.insert::<N>(w, self.vc_frame_count_cycle.unwrap_or(0).into(), 0)
    }

    /// Like [`AosFrameRepr::emit`], but `fill` writes the `data_len`-octet data field in place
    /// (an M_PDU header and packets, a B_PDU, an SDLS header...). `fill` runs after the
    /// headers, insert zone and OCF are written and before the FECF is computed.
    ///
    /// Refuses what [`AosFrame::check`] would reject or what does not fit: a SCID above 255,
    /// a frame count of 2^24 or more, a cycle above 15, an empty data field, a frame over
    /// [`MAX_FRAME_LEN`], a Type-2 OCF whose first bit is 0.
    pub fn emit_with(
        &self,
        data_len: usize,
        buf: &mut [u8],
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<usize, Error> {
        let word = self.header_word()?;
        let config = self.config(data_len);
        let total = config.frame_len;
        let available = buf.len();
        let frame_buf = start_frame(
            buf,
            word,
            self.ocf.as_ref(),
            config.data_offset(),
            data_len,
            total,
            MAX_FRAME_LEN,
        )?;
        let mut frame = AosFrame::new_unchecked(frame_buf, config);
        frame.fill_fhec()?;
        let zone = frame.insert_zone_mut();
        if zone.len() != self.insert_zone.len() {
            return Err(Error::buffer_too_small(INSERT_ZONE, total, available));
        }
        zone.copy_from_slice(self.insert_zone);
        if let Some(ocf) = &self.ocf {
            frame.set_ocf(ocf)?;
        }
        fill(frame.data_mut());
        frame.fill_fecf()?;
        Ok(total)
    }
}

/// Reads the 2-octet header of an M_PDU or B_PDU (zero if missing).
fn pdu_header(buffer: &[u8]) -> [u8; PDU_HEADER_LEN] {
    buffer.first_chunk().copied().unwrap_or_default()
}

/// Checks that a PDU has its header and at least one octet after it, and zero spare bits.
fn check_pdu(buffer: &[u8], spare: Field) -> Result<[u8; PDU_HEADER_LEN], Error> {
    let needed = PDU_HEADER_LEN + 1;
    if buffer.len() < needed {
        return Err(Error::truncated(0, PDU_HEADER, needed, buffer.len()));
    }
    let header = pdu_header(buffer);
    let v = spare.get(&header);
    if v != 0 {
        return Err(Error::invalid(0, spare.name, v));
    }
    Ok(header)
}

/// The zone after a PDU header: everything after it (empty if the buffer is too short).
fn pdu_zone(buffer: &[u8]) -> &[u8] {
    buffer.get(PDU_HEADER_LEN..).unwrap_or(&[])
}

/// Writes a 2-octet PDU header into the start of `data_field` (the whole AOS data field) and
/// returns its length. The data field must hold the header and at least one octet; `pointer`
/// gets the length of the zone after the header, checks the pointer against it and returns
/// the value for `pointer_field`.
fn emit_pdu(
    data_field: &mut [u8],
    pointer_field: Field,
    pointer: impl FnOnce(usize) -> Result<u16, Error>,
) -> Result<usize, Error> {
    let available = data_field.len();
    let zone = available.saturating_sub(PDU_HEADER_LEN);
    if zone == 0 {
        return Err(Error::buffer_too_small(
            PDU_HEADER,
            PDU_HEADER_LEN + 1,
            available,
        ));
    }
    let word = pointer_field.insert::<PDU_HEADER_LEN>(0, pointer(zone)?.into(), 0)?;
    let header = data_field
        .first_chunk_mut::<PDU_HEADER_LEN>()
        .ok_or(Error::buffer_too_small(
            PDU_HEADER,
            PDU_HEADER_LEN,
            available,
        ))?;
    write_be(header, word);
    Ok(PDU_HEADER_LEN)
}

/// A view of an M_PDU, the data field of a packet-carrying AOS Virtual Channel
/// (732.0-B-4 §4.1.4.2): a 2-octet header (5 spare bits, 11-bit first header pointer with the
/// TM meanings) and the packet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MPdu<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> MPdu<T> {
    /// Wraps a data field without any check.
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a data field and checks it: header present, packet zone non-empty, spare bits
    /// `00000` (§4.1.4.2.2), first header pointer inside the packet zone (§4.1.4.2.3).
    /// Offsets are relative to the data field.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        check_pdu(buffer.as_ref(), field::M_PDU_SPARE)?;
        let pdu = Self::new_unchecked(buffer);
        let f = field::FIRST_HEADER_POINTER;
        pdu.first_header_pointer().check_within(
            pdu.packet_zone().len(),
            f.byte_offset(),
            f.name,
        )?;
        Ok(pdu)
    }

    /// Releases the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The First Header Pointer (§4.1.4.2.3).
    pub fn first_header_pointer(&self) -> FirstHeaderPointer {
        let bits = field::FIRST_HEADER_POINTER.get(&pdu_header(self.buffer.as_ref())) as u16;
        // An 11-bit value always decodes.
        FirstHeaderPointer::from_bits(bits).unwrap_or(FirstHeaderPointer::NoPacketStart)
    }

    /// The packet zone: everything after the header (empty if the buffer is too short).
    pub fn packet_zone(&self) -> &[u8] {
        pdu_zone(self.buffer.as_ref())
    }
}

/// The header of an M_PDU (732.0-B-4 §4.1.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MPduRepr {
    /// Where the first packet starting in this M_PDU begins in the packet zone.
    pub first_header_pointer: FirstHeaderPointer,
}

impl MPduRepr {
    /// Validates the M_PDU ([`MPdu::new_checked`]'s rules) and reads its header.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(pdu: &MPdu<&T>) -> Result<Self, Error> {
        let pdu = MPdu::new_checked(pdu.buffer.as_ref())?;
        Ok(Self {
            first_header_pointer: pdu.first_header_pointer(),
        })
    }

    /// Length of the header: 2.
    pub const fn buffer_len(&self) -> usize {
        PDU_HEADER_LEN
    }

    /// Writes the header into the start of `data_field` (the whole AOS data field, so the
    /// pointer can be checked against the packet zone after it) and returns its length.
    pub fn emit(&self, data_field: &mut [u8]) -> Result<usize, Error> {
        let f = field::FIRST_HEADER_POINTER;
        let fhp = self.first_header_pointer;
        emit_pdu(data_field, f, |zone| {
            fhp.check_within(zone, f.byte_offset(), f.name)?;
            fhp.to_bits()
        })
    }
}

/// The Bitstream Data Pointer of a B_PDU (732.0-B-4 §4.1.4.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitstreamDataPointer {
    /// The location, in bits from the start of the bitstream data zone, of the last valid
    /// bit; the rest of the zone is idle data. Valid values are `0..=0x3FFD` and must lie
    /// inside the zone. (verify: the book speaks of the last valid bit; dariol83's
    /// AOS_FRAME_03 puts the number of valid bits here instead.)
    LastValidBit(u16),
    /// `0x3FFF`: every bit of the data zone is valid user data (no idle data). (verify)
    AllValid,
    /// `0x3FFE`: the data zone holds only idle data. (verify)
    IdleData,
}

impl BitstreamDataPointer {
    /// Field value for [`BitstreamDataPointer::AllValid`].
    pub const ALL_VALID: u16 = 0x3FFF;
    /// Field value for [`BitstreamDataPointer::IdleData`].
    pub const IDLE_DATA: u16 = 0x3FFE;

    /// Decodes a 14-bit field value; fails if `bits` needs more than 14 bits.
    pub const fn from_bits(bits: u16) -> Result<Self, Error> {
        match bits {
            Self::ALL_VALID => Ok(Self::AllValid),
            Self::IDLE_DATA => Ok(Self::IdleData),
            0..Self::IDLE_DATA => Ok(Self::LastValidBit(bits)),
            _ => Err(Error::invalid(
                0,
                field::BITSTREAM_DATA_POINTER.name,
                bits as u64,
            )),
        }
    }

    /// The 14-bit field value; refuses a bit position that would read back as a special value.
    pub const fn to_bits(self) -> Result<u16, Error> {
        match self {
            Self::AllValid => Ok(Self::ALL_VALID),
            Self::IdleData => Ok(Self::IDLE_DATA),
            Self::LastValidBit(b) if b < Self::IDLE_DATA => Ok(b),
            Self::LastValidBit(b) => Err(Error::invalid(
                0,
                field::BITSTREAM_DATA_POINTER.name,
                b as u64,
            )),
        }
    }

    /// Checks that a bit position lies inside a data zone of `zone_len` octets.
    fn check_within(self, zone_len: usize) -> Result<(), Error> {
        match self {
            Self::LastValidBit(b) if usize::from(b) >= zone_len.saturating_mul(8) => Err(
                Error::invalid(0, field::BITSTREAM_DATA_POINTER.name, b.into()),
            ),
            _ => Ok(()),
        }
    }
}

/// A view of a B_PDU, the data field of a bitstream AOS Virtual Channel (732.0-B-4 §4.1.4.3):
/// a 2-octet header (2 spare bits, 14-bit bitstream data pointer) and the bitstream data zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BPdu<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> BPdu<T> {
    /// Wraps a data field without any check.
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a data field and checks it: header present, data zone non-empty, spare bits `00`
    /// (§4.1.4.3.2), a bit position inside the data zone (§4.1.4.3.3). Offsets are relative
    /// to the data field.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        check_pdu(buffer.as_ref(), field::B_PDU_SPARE)?;
        let pdu = Self::new_unchecked(buffer);
        pdu.bitstream_data_pointer()
            .check_within(pdu.data_zone().len())?;
        Ok(pdu)
    }

    /// Releases the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The Bitstream Data Pointer (§4.1.4.3.3).
    pub fn bitstream_data_pointer(&self) -> BitstreamDataPointer {
        let bits = field::BITSTREAM_DATA_POINTER.get(&pdu_header(self.buffer.as_ref())) as u16;
        // A 14-bit value always decodes.
        BitstreamDataPointer::from_bits(bits).unwrap_or(BitstreamDataPointer::AllValid)
    }

    /// The bitstream data zone: everything after the header (empty if the buffer is too short).
    pub fn data_zone(&self) -> &[u8] {
        pdu_zone(self.buffer.as_ref())
    }
}

/// The header of a B_PDU (732.0-B-4 §4.1.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BPduRepr {
    /// Where the valid data in the bitstream data zone ends.
    pub bitstream_data_pointer: BitstreamDataPointer,
}

impl BPduRepr {
    /// Validates the B_PDU ([`BPdu::new_checked`]'s rules) and reads its header.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(pdu: &BPdu<&T>) -> Result<Self, Error> {
        let pdu = BPdu::new_checked(pdu.buffer.as_ref())?;
        Ok(Self {
            bitstream_data_pointer: pdu.bitstream_data_pointer(),
        })
    }

    /// Length of the header: 2.
    pub const fn buffer_len(&self) -> usize {
        PDU_HEADER_LEN
    }

    /// Writes the header into the start of `data_field` (the whole AOS data field, so the
    /// pointer can be checked against the data zone after it) and returns its length.
    pub fn emit(&self, data_field: &mut [u8]) -> Result<usize, Error> {
        let bdp = self.bitstream_data_pointer;
        emit_pdu(data_field, field::BITSTREAM_DATA_POINTER, |zone| {
            bdp.check_within(zone)?;
            bdp.to_bits()
        })
    }
}
