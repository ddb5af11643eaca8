//! TM Transfer Frames (CCSDS 132.0-B-3 §4.1): a zero-copy view ([`TmFrame`]), the validity
//! checks of §4.1, and a plain representation ([`TmFrameRepr`]) to parse and emit frames.
//!
//! ```text
//! | Primary Header (6) | [Secondary Header (2..=64)] | Data Field (1..) | [OCF (4)] | [FECF (2)] |
//! ```
//!
//! The secondary header and the OCF are announced by flags in the primary header; the frame
//! length and the presence of an FECF are managed parameters of the physical channel
//! (132.0-B-3 §5), passed in as a [`TmConfig`]. When SDLS is in use, its security header and
//! trailer sit inside what this module calls the data field.

use ccsds_core::{Field, Scid, Vcid, header_prefix, write_be};

use crate::Error;
use crate::ocf::{OCF_LEN, Ocf};
use crate::trailer::{Trailer, fecf_len};

/// Length of the Transfer Frame Primary Header (132.0-B-3 §4.1.2).
pub const PRIMARY_HEADER_LEN: usize = 6;
/// Length of the optional Frame Error Control Field (132.0-B-3 §4.1.6).
pub const FECF_LEN: usize = 2;
/// Largest secondary header data field: the 6-bit length field holds the secondary header's
/// total length − 1, and the identification octet takes one of those (132.0-B-3 §4.1.3.2.3).
pub const MAX_SECONDARY_HEADER_DATA_LEN: usize = 63;
/// Largest TM Transfer Frame: 2048 octets, so that every octet of the data field can be
/// addressed by the 11-bit first header pointer (132.0-B-3 §4.1.1; the value is taken from the
/// project notes, which mark it "verify against B-3").
pub const MAX_FRAME_LEN: usize = 2048;

/// Layout of the Primary Header (132.0-B-3 §4.1.2, Figure 4-2) and of the secondary header's
/// identification octet (§4.1.3.2), CCSDS bit numbering.
pub mod field {
    use ccsds_core::Field;

    /// Transfer Frame Version Number, `00` for TM (§4.1.2.2.2).
    pub const VERSION: Field = Field::new("transfer_frame_version_number", 0, 2);
    /// Spacecraft Identifier (§4.1.2.2.3).
    pub const SCID: Field = Field::new("spacecraft_id", 2, 10);
    /// Virtual Channel Identifier, 3 bits (§4.1.2.3).
    pub const VCID: Field = Field::new("virtual_channel_id", 12, 3);
    /// Operational Control Field Flag (§4.1.2.4).
    pub const OCF_FLAG: Field = Field::new("operational_control_field_flag", 15, 1);
    /// Master Channel Frame Count, modulo 256 (§4.1.2.5).
    pub const MC_FRAME_COUNT: Field = Field::new("master_channel_frame_count", 16, 8);
    /// Virtual Channel Frame Count, modulo 256 (§4.1.2.6).
    pub const VC_FRAME_COUNT: Field = Field::new("virtual_channel_frame_count", 24, 8);
    /// Transfer Frame Secondary Header Flag (§4.1.2.7.2).
    pub const SECONDARY_HEADER_FLAG: Field = Field::new("secondary_header_flag", 32, 1);
    /// Synchronization Flag: 0 = packets or idle data, 1 = VCA_SDU (§4.1.2.7.3).
    pub const SYNC_FLAG: Field = Field::new("synchronization_flag", 33, 1);
    /// Packet Order Flag, `0` when the synchronization flag is 0 (§4.1.2.7.4).
    pub const PACKET_ORDER: Field = Field::new("packet_order_flag", 34, 1);
    /// Segment Length Identifier, `11` when the synchronization flag is 0 (§4.1.2.7.5).
    pub const SEGMENT_LENGTH_ID: Field = Field::new("segment_length_id", 35, 2);
    /// First Header Pointer (§4.1.2.7.6).
    pub const FIRST_HEADER_POINTER: Field = Field::new("first_header_pointer", 37, 11);

    /// Secondary header identification octet (at offset 6): version, `00` (§4.1.3.2.2).
    pub const SECONDARY_HEADER_VERSION: Field = Field::new("secondary_header_version_number", 0, 2);
    /// Secondary header identification octet: total secondary header octets − 1 (§4.1.3.2.3).
    pub const SECONDARY_HEADER_LENGTH: Field = Field::new("secondary_header_length", 2, 6);
}

/// Error field names that are not header fields.
const PRIMARY_HEADER: &str = "primary_header";
const SECONDARY_HEADER: &str = "secondary_header";
const DATA_FIELD: &str = "transfer_frame_data_field";
const FRAME: &str = "transfer_frame";
const FRAME_LENGTH: &str = "transfer_frame_length";
const IDLE_PATTERN: &str = "idle_data_pattern";

/// Segment Length Identifier value required when the synchronization flag is 0 (§4.1.2.7.5).
const SEGMENT_LENGTH_ID_PACKETS: u8 = 0b11;

/// Idle data pattern used when the caller has no mission-specific one (the project's choice;
/// 132.0-B-3 §4.1.4.2 leaves the idle pattern to the mission).
pub const DEFAULT_IDLE_PATTERN: &[u8] = &[0x55];

/// The managed parameters of a TM physical channel that decide the frame layout
/// (132.0-B-3 §5.3): they are agreed in advance, not signalled in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TmConfig {
    /// Transfer Frame Length in octets, fixed for the physical channel (§4.1.1); at most
    /// [`MAX_FRAME_LEN`].
    pub frame_len: usize,
    /// Every frame ends with a Frame Error Control Field (§4.1.6.1).
    pub fecf: bool,
}

/// The First Header Pointer (132.0-B-3 §4.1.2.7.6; also the AOS M_PDU, 732.0-B-4 §4.1.4.2.3):
/// where the first packet that starts in this frame begins, or one of two special values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FirstHeaderPointer {
    /// Octet offset of the first packet header from the start of the data field (or packet
    /// zone). Valid values are `0..=0x7FD` and must point inside the data field.
    Offset(u16),
    /// `0x7FF`: no packet starts in this frame (the data field continues an earlier packet).
    NoPacketStart,
    /// `0x7FE`: the data field holds only idle data (an OID frame).
    IdleData,
}

impl FirstHeaderPointer {
    /// Field value for [`FirstHeaderPointer::NoPacketStart`].
    pub const NO_PACKET_START: u16 = 0x7FF;
    /// Field value for [`FirstHeaderPointer::IdleData`].
    pub const IDLE_DATA: u16 = 0x7FE;
    /// The largest offset the field can carry.
    pub const MAX_OFFSET: u16 = 0x7FD;

    /// Decodes an 11-bit field value; fails if `bits` needs more than 11 bits.
    pub const fn from_bits(bits: u16) -> Result<Self, Error> {
        match bits {
            Self::NO_PACKET_START => Ok(Self::NoPacketStart),
            Self::IDLE_DATA => Ok(Self::IdleData),
            0..Self::IDLE_DATA => Ok(Self::Offset(bits)),
            _ => Err(Error::invalid(
                field::FIRST_HEADER_POINTER.byte_offset(),
                field::FIRST_HEADER_POINTER.name,
                bits as u64,
            )),
        }
    }

    /// The 11-bit field value; refuses an offset that would read back as a special value.
    pub const fn to_bits(self) -> Result<u16, Error> {
        match self {
            Self::NoPacketStart => Ok(Self::NO_PACKET_START),
            Self::IdleData => Ok(Self::IDLE_DATA),
            Self::Offset(o) if o < Self::IDLE_DATA => Ok(o),
            Self::Offset(o) => Err(Error::invalid(
                field::FIRST_HEADER_POINTER.byte_offset(),
                field::FIRST_HEADER_POINTER.name,
                o as u64,
            )),
        }
    }

    /// Checks that an offset points inside a data field of `data_len` octets (special values
    /// always pass). The error is reported at `offset`, the pointer's byte offset.
    pub(crate) fn check_within(
        self,
        data_len: usize,
        offset: usize,
        name: &'static str,
    ) -> Result<(), Error> {
        match self {
            Self::Offset(o) if usize::from(o) >= data_len => {
                Err(Error::invalid(offset, name, o.into()))
            }
            _ => Ok(()),
        }
    }
}

impl TryFrom<u16> for FirstHeaderPointer {
    type Error = Error;
    fn try_from(bits: u16) -> Result<Self, Error> {
        Self::from_bits(bits)
    }
}

/// What the synchronization flag says about the data field (132.0-B-3 §4.1.2.7.3–6), with the
/// three fields whose meaning depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFieldContent {
    /// Synchronization Flag `0`: octet-synchronized, forward-ordered packets or idle data.
    /// The packet order flag is `0` and the segment length identifier `11` (checked, not
    /// stored); the first header pointer is meaningful.
    Packets(FirstHeaderPointer),
    /// Synchronization Flag `1`: a VCA_SDU. The book leaves the other three fields undefined,
    /// so they are carried as they are, never interpreted (the project's choice: a receiver
    /// cannot validate what the standard does not define).
    VcaSdu {
        /// Packet Order Flag, as carried.
        packet_order: bool,
        /// Segment Length Identifier (2 bits), as carried.
        segment_length_id: u8,
        /// First Header Pointer field (11 bits), as carried.
        first_header_pointer: u16,
    },
}

impl DataFieldContent {
    /// An Only Idle Data frame's content (first header pointer `0x7FE`).
    pub const IDLE: Self = Self::Packets(FirstHeaderPointer::IdleData);
}

// The getters below read masked fields, so the checked constructors cannot fail; the defaults
// are never taken.
fn scid(v: u64) -> Scid {
    Scid::new(v as u16).unwrap_or_default()
}
fn vcid(v: u64) -> Vcid {
    Vcid::new(v as u8).unwrap_or_default()
}

/// Fills `data` with repetitions of `pattern` (idle data, 132.0-B-3 §4.1.4.2 and 732.0-B-4
/// §4.1.4.1.5). Shared with the AOS frames.
pub(crate) fn fill_idle(data: &mut [u8], pattern: &[u8]) {
    data.iter_mut()
        .zip(pattern.iter().cycle())
        .for_each(|(d, p)| *d = *p);
}

/// The first checks of a fixed-length frame (shared with AOS, whose maximum is passed in):
/// the configured length must be possible and equal the buffer's length (132.0-B-3 §4.1.1,
/// 732.0-B-4 §4.1.1), and the buffer must hold the `needed` octets of primary header and
/// whatever else every frame of the channel has. Returns the primary header.
pub(crate) fn check_framing(
    buf: &[u8],
    frame_len: usize,
    max: usize,
    needed: usize,
) -> Result<&[u8; PRIMARY_HEADER_LEN], Error> {
    if frame_len > max {
        return Err(Error::invalid(0, FRAME_LENGTH, frame_len as u64));
    }
    if buf.len() != frame_len {
        return Err(Error::length_mismatch(0, FRAME, frame_len, buf.len()));
    }
    buf.first_chunk::<PRIMARY_HEADER_LEN>()
        .filter(|_| buf.len() >= needed)
        .ok_or(Error::truncated(0, PRIMARY_HEADER, needed, buf.len()))
}

/// The first steps of emitting a TM or AOS frame of `total` octets (shared with AOS, whose
/// maximum is passed in): refuses a bad OCF, an empty data field (reported at
/// `data_offset`) and a frame over `max` before writing anything, then writes the primary
/// header `word` and returns the frame's part of `buf`.
pub(crate) fn start_frame<'b>(
    buf: &'b mut [u8],
    word: u64,
    ocf: Option<&Ocf>,
    data_offset: usize,
    data_len: usize,
    total: usize,
    max: usize,
) -> Result<&'b mut [u8], Error> {
    ocf.map(Ocf::to_bytes).transpose()?;
    if data_len == 0 {
        return Err(Error::invalid(data_offset, DATA_FIELD, 0));
    }
    if total > max {
        return Err(Error::invalid(0, FRAME_LENGTH, total as u64));
    }
    let available = buf.len();
    let frame = buf
        .get_mut(..total)
        .ok_or(Error::buffer_too_small(FRAME, total, available))?;
    if let Some(header) = frame.first_chunk_mut::<PRIMARY_HEADER_LEN>() {
        write_be(header, word);
    }
    Ok(frame)
}

/// A read/write view of one whole TM Transfer Frame in a buffer.
///
/// [`TmFrame::new_checked`] validates the frame once (§4.1); after that every getter is
/// meaningful. On an unchecked view the getters never panic: missing header octets read as
/// zero and the variable parts are empty (or `None`) if the layout does not fit the buffer.
/// The layout is computed from the buffer's length, which a checked view guarantees equals
/// [`TmConfig::frame_len`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmFrame<T: AsRef<[u8]>> {
    buffer: T,
    config: TmConfig,
}

impl<T: AsRef<[u8]>> TmFrame<T> {
    /// Wraps `buffer` without any check.
    pub const fn new_unchecked(buffer: T, config: TmConfig) -> Self {
        Self { buffer, config }
    }

    /// Wraps `buffer` and runs [`TmFrame::check`]: the buffer must hold exactly one valid frame
    /// of the channel's length.
    pub fn new_checked(buffer: T, config: TmConfig) -> Result<Self, Error> {
        let frame = Self::new_unchecked(buffer, config);
        frame.check()?;
        Ok(frame)
    }

    /// The validity checks of 132.0-B-3 §4.1, in this order:
    ///
    /// 1. the configured frame length is at most [`MAX_FRAME_LEN`] (`InvalidValue`, at 0) and
    ///    equals the buffer length (`LengthMismatch`, at 0) (§4.1.1);
    /// 2. the buffer holds the primary header and the FECF, if any (`Truncated`);
    /// 3. version `00` (§4.1.2.2.2);
    /// 4. FECF over everything before it (§4.1.6.2) (`Checksum`);
    /// 5. if the secondary header flag is set: its identification octet is there, version
    ///    `00`, and a length field of at least 1 (2 to 64 octets in all) (§4.1.3.2);
    /// 6. room for at least one data field octet between the secondary header and the
    ///    OCF/FECF (`Truncated`, at the data field);
    /// 7. with the synchronization flag `0`: packet order flag `0` (§4.1.2.7.4), segment
    ///    length identifier `11` (§4.1.2.7.5), and a first header pointer offset inside the
    ///    data field (§4.1.2.7.6).
    ///
    /// The content of the OCF is not checked here: it belongs to the service that reads it
    /// (see [`TmFrame::ocf`]).
    pub fn check(&self) -> Result<(), Error> {
        let buf = self.buffer.as_ref();
        let needed = PRIMARY_HEADER_LEN + fecf_len(self.config.fecf);
        let header = check_framing(buf, self.config.frame_len, MAX_FRAME_LEN, needed)?;
        let version = field::VERSION.get(header);
        if version != 0 {
            return Err(Error::invalid(0, field::VERSION.name, version));
        }
        self.trailer().check_fecf(buf)?;
        if self.secondary_header_flag() {
            // The identification octet must lie before the OCF and FECF.
            let trailer = self.trailer_len();
            let id = buf
                .get(..buf.len().saturating_sub(trailer))
                .and_then(|body| body.get(PRIMARY_HEADER_LEN))
                .ok_or(Error::truncated(
                    PRIMARY_HEADER_LEN,
                    SECONDARY_HEADER,
                    PRIMARY_HEADER_LEN + 1 + trailer,
                    buf.len(),
                ))?;
            let id = [*id];
            let version = field::SECONDARY_HEADER_VERSION.get(&id);
            if version != 0 {
                let f = field::SECONDARY_HEADER_VERSION;
                return Err(Error::invalid(PRIMARY_HEADER_LEN, f.name, version));
            }
            if field::SECONDARY_HEADER_LENGTH.get(&id) == 0 {
                let f = field::SECONDARY_HEADER_LENGTH;
                return Err(Error::invalid(PRIMARY_HEADER_LEN, f.name, 0));
            }
        }
        let offset = self.data_offset();
        let min = offset + 1 + self.trailer_len();
        if buf.len() < min {
            return Err(Error::truncated(offset, DATA_FIELD, min, buf.len()));
        }
        self.check_data_field_status()
    }

    /// The synchronization flag rules of §4.1.2.7.3–6.
    fn check_data_field_status(&self) -> Result<(), Error> {
        if let DataFieldContent::Packets(fhp) = self.data_field_content() {
            let h = self.header();
            let order = field::PACKET_ORDER.get(&h);
            if order != 0 {
                return Err(Error::invalid(4, field::PACKET_ORDER.name, order));
            }
            let sl = field::SEGMENT_LENGTH_ID.get(&h);
            if sl != u64::from(SEGMENT_LENGTH_ID_PACKETS) {
                return Err(Error::invalid(4, field::SEGMENT_LENGTH_ID.name, sl));
            }
            let f = field::FIRST_HEADER_POINTER;
            fhp.check_within(self.data().len(), f.byte_offset(), f.name)?;
        }
        Ok(())
    }

    /// Releases the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The managed parameters this view was created with.
    pub const fn config(&self) -> TmConfig {
        self.config
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

    /// Transfer Frame Version Number (§4.1.2.2.2; `0` in a valid frame).
    pub fn version(&self) -> u8 {
        self.get(field::VERSION) as u8
    }

    /// Spacecraft Identifier (§4.1.2.2.3).
    pub fn scid(&self) -> Scid {
        scid(self.get(field::SCID))
    }

    /// Virtual Channel Identifier (§4.1.2.3; 0..=7).
    pub fn vcid(&self) -> Vcid {
        vcid(self.get(field::VCID))
    }

    /// Operational Control Field Flag: the frame ends with an OCF (§4.1.2.4).
    pub fn ocf_flag(&self) -> bool {
        self.get(field::OCF_FLAG) == 1
    }

    /// Master Channel Frame Count (§4.1.2.5).
    pub fn mc_frame_count(&self) -> u8 {
        self.get(field::MC_FRAME_COUNT) as u8
    }

    /// Virtual Channel Frame Count (§4.1.2.6).
    pub fn vc_frame_count(&self) -> u8 {
        self.get(field::VC_FRAME_COUNT) as u8
    }

    /// The 16-bit Transfer Frame Data Field Status as carried (§4.1.2.7).
    pub fn data_field_status(&self) -> u16 {
        let h = self.header();
        u16::from_be_bytes([h[4], h[5]])
    }

    /// Transfer Frame Secondary Header Flag (§4.1.2.7.2).
    pub fn secondary_header_flag(&self) -> bool {
        self.get(field::SECONDARY_HEADER_FLAG) == 1
    }

    /// Synchronization Flag (§4.1.2.7.3).
    pub fn sync_flag(&self) -> bool {
        self.get(field::SYNC_FLAG) == 1
    }

    /// Packet Order Flag (§4.1.2.7.4).
    pub fn packet_order(&self) -> bool {
        self.get(field::PACKET_ORDER) == 1
    }

    /// Segment Length Identifier (§4.1.2.7.5).
    pub fn segment_length_id(&self) -> u8 {
        self.get(field::SEGMENT_LENGTH_ID) as u8
    }

    /// The First Header Pointer field as carried (§4.1.2.7.6).
    pub fn first_header_pointer_bits(&self) -> u16 {
        self.get(field::FIRST_HEADER_POINTER) as u16
    }

    /// The synchronization flag with the fields it governs (§4.1.2.7.3–6).
    pub fn data_field_content(&self) -> DataFieldContent {
        let bits = self.first_header_pointer_bits();
        if self.sync_flag() {
            DataFieldContent::VcaSdu {
                packet_order: self.packet_order(),
                segment_length_id: self.segment_length_id(),
                first_header_pointer: bits,
            }
        } else {
            // An 11-bit value always decodes.
            DataFieldContent::Packets(
                FirstHeaderPointer::from_bits(bits).unwrap_or(FirstHeaderPointer::NoPacketStart),
            )
        }
    }

    /// Total secondary header length (identification octet included), 0 if the flag is clear.
    /// On an unchecked view whose identification octet is missing, 1.
    pub fn secondary_header_len(&self) -> usize {
        if !self.secondary_header_flag() {
            return 0;
        }
        self.buffer
            .as_ref()
            .get(PRIMARY_HEADER_LEN)
            .map_or(1, |id| {
                field::SECONDARY_HEADER_LENGTH.get(&[*id]) as usize + 1
            })
    }

    /// Secondary header version number (§4.1.3.2.2), if the frame has a secondary header.
    pub fn secondary_header_version(&self) -> Option<u8> {
        if !self.secondary_header_flag() {
            return None;
        }
        self.buffer
            .as_ref()
            .get(PRIMARY_HEADER_LEN)
            .map(|id| field::SECONDARY_HEADER_VERSION.get(&[*id]) as u8)
    }

    fn secondary_header_range(&self) -> core::ops::Range<usize> {
        PRIMARY_HEADER_LEN + 1..self.data_offset()
    }

    /// The secondary header data field (after the identification octet, §4.1.3.3), if the frame
    /// has a secondary header and the buffer holds it.
    pub fn secondary_header(&self) -> Option<&[u8]> {
        if !self.secondary_header_flag() {
            return None;
        }
        self.buffer.as_ref().get(self.secondary_header_range())
    }

    /// Offset of the data field: after the primary and secondary headers.
    pub fn data_offset(&self) -> usize {
        PRIMARY_HEADER_LEN + self.secondary_header_len()
    }

    /// The OCF (announced by its flag, §4.1.2.4) and the FECF (a managed parameter, §4.1.6.1).
    fn trailer(&self) -> Trailer {
        Trailer {
            ocf: self.ocf_flag(),
            fecf: self.config.fecf,
        }
    }

    /// Octets after the data field: OCF and FECF.
    fn trailer_len(&self) -> usize {
        self.trailer().len()
    }

    fn data_range(&self) -> core::ops::Range<usize> {
        self.data_offset()..self.trailer().data_end(self.buffer.as_ref().len())
    }

    /// The Transfer Frame Data Field (§4.1.4): after the headers, before the OCF and FECF.
    /// Empty if the layout does not fit the buffer (only possible on an unchecked view).
    pub fn data(&self) -> &[u8] {
        self.buffer.as_ref().get(self.data_range()).unwrap_or(&[])
    }

    /// The four OCF octets as carried, if the OCF flag is set and the buffer holds them.
    pub fn ocf_bytes(&self) -> Option<[u8; OCF_LEN]> {
        self.trailer().ocf_bytes(self.buffer.as_ref())
    }

    /// The Operational Control Field decoded (§4.1.5): `Ok(None)` without one, an error
    /// (offset within the frame) if it holds a malformed CLCW.
    pub fn ocf(&self) -> Result<Option<Ocf>, Error> {
        self.trailer().ocf(self.buffer.as_ref())
    }

    /// The Frame Error Control Field, if the channel carries one and the buffer holds it.
    pub fn fecf(&self) -> Option<u16> {
        self.trailer().fecf(self.buffer.as_ref())
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> TmFrame<&'a T> {
    /// [`TmFrame::secondary_header`], borrowed for as long as the buffer (what
    /// [`TmFrameRepr::parse`] keeps).
    fn secondary_header_ref(&self) -> Option<&'a [u8]> {
        if !self.secondary_header_flag() {
            return None;
        }
        self.buffer.as_ref().get(self.secondary_header_range())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> TmFrame<T> {
    fn set(&mut self, f: Field, value: u64) -> Result<(), Error> {
        f.set_in::<PRIMARY_HEADER_LEN>(self.buffer.as_mut(), value, PRIMARY_HEADER)
    }

    /// Sets the version to the only valid value, `00`.
    pub fn clear_version(&mut self) -> Result<(), Error> {
        self.set(field::VERSION, 0)
    }

    /// Sets the Spacecraft Identifier.
    pub fn set_scid(&mut self, scid: Scid) -> Result<(), Error> {
        self.set(field::SCID, scid.get().into())
    }

    /// Sets the Virtual Channel Identifier; values above 7 are refused (TM has 3 bits).
    pub fn set_vcid(&mut self, vcid: Vcid) -> Result<(), Error> {
        self.set(field::VCID, vcid.get().into())
    }

    /// Sets the OCF flag (this moves the end of the data field).
    pub fn set_ocf_flag(&mut self, present: bool) -> Result<(), Error> {
        self.set(field::OCF_FLAG, present.into())
    }

    /// Sets the Master Channel Frame Count.
    pub fn set_mc_frame_count(&mut self, count: u8) -> Result<(), Error> {
        self.set(field::MC_FRAME_COUNT, count.into())
    }

    /// Sets the Virtual Channel Frame Count.
    pub fn set_vc_frame_count(&mut self, count: u8) -> Result<(), Error> {
        self.set(field::VC_FRAME_COUNT, count.into())
    }

    /// Sets the secondary header flag (this moves the start of the data field).
    pub fn set_secondary_header_flag(&mut self, present: bool) -> Result<(), Error> {
        self.set(field::SECONDARY_HEADER_FLAG, present.into())
    }

    /// Sets the synchronization flag and the three fields it governs; refuses values that do
    /// not fit their fields.
    pub fn set_data_field_content(&mut self, content: DataFieldContent) -> Result<(), Error> {
        let (sync, order, sl, fhp) = match content {
            DataFieldContent::Packets(fhp) => (0, 0, SEGMENT_LENGTH_ID_PACKETS, fhp.to_bits()?),
            DataFieldContent::VcaSdu {
                packet_order,
                segment_length_id,
                first_header_pointer,
            } => (
                1,
                packet_order.into(),
                segment_length_id,
                first_header_pointer,
            ),
        };
        // Check every value before writing any.
        field::SEGMENT_LENGTH_ID.check(sl.into(), 0)?;
        field::FIRST_HEADER_POINTER.check(fhp.into(), 0)?;
        self.set(field::SYNC_FLAG, sync)?;
        self.set(field::PACKET_ORDER, order)?;
        self.set(field::SEGMENT_LENGTH_ID, sl.into())?;
        self.set(field::FIRST_HEADER_POINTER, fhp.into())
    }

    /// Writes the secondary header (identification octet and `data`) after the primary header
    /// and sets the secondary header flag. `data` must be 1 to 63 octets (§4.1.3.2.3).
    pub fn set_secondary_header(&mut self, data: &[u8]) -> Result<(), Error> {
        let f = field::SECONDARY_HEADER_LENGTH;
        if data.is_empty() || data.len() > MAX_SECONDARY_HEADER_DATA_LEN {
            return Err(Error::invalid(
                PRIMARY_HEADER_LEN,
                f.name,
                data.len() as u64,
            ));
        }
        let needed = PRIMARY_HEADER_LEN + 1 + data.len();
        let available = self.buffer.as_ref().len();
        let (id, rest) = self
            .buffer
            .as_mut()
            .get_mut(PRIMARY_HEADER_LEN..needed)
            .and_then(|s| s.split_first_mut())
            .ok_or(Error::truncated(
                PRIMARY_HEADER_LEN,
                SECONDARY_HEADER,
                needed,
                available,
            ))?;
        // The length field holds total − 1 = data.len(), which fits 6 bits (checked above).
        *id = data.len() as u8;
        rest.copy_from_slice(data);
        self.set_secondary_header_flag(true)
    }

    /// The secondary header data field, writable (empty without one).
    pub fn secondary_header_mut(&mut self) -> &mut [u8] {
        let range = self.secondary_header_range();
        if !self.secondary_header_flag() {
            return &mut [];
        }
        self.buffer.as_mut().get_mut(range).unwrap_or(&mut [])
    }

    /// The data field, writable (empty if the layout does not fit the buffer).
    pub fn data_mut(&mut self) -> &mut [u8] {
        let range = self.data_range();
        self.buffer.as_mut().get_mut(range).unwrap_or(&mut [])
    }

    /// Writes the OCF; refused if the OCF flag is clear or the buffer is too short.
    pub fn set_ocf(&mut self, ocf: &Ocf) -> Result<(), Error> {
        let absent = Error::invalid(1, field::OCF_FLAG.name, 0);
        self.trailer().set_ocf(self.buffer.as_mut(), ocf, absent)
    }

    /// Computes the FECF over the frame and writes it into the last two octets (§4.1.6.2).
    /// Does nothing if the channel carries no FECF.
    pub fn fill_fecf(&mut self) -> Result<(), Error> {
        self.trailer().fill_fecf(self.buffer.as_mut())
    }
}

/// The content of one TM Transfer Frame's headers and trailer, without the data field
/// (smoltcp-style `Repr`). The secondary header is borrowed: it is variable-length data that
/// the frame describes itself, so the `Repr` keeps the slice rather than a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TmFrameRepr<'a> {
    /// Spacecraft Identifier.
    pub scid: Scid,
    /// Virtual Channel Identifier (0..=7; larger values are refused on emit).
    pub vcid: Vcid,
    /// Master Channel Frame Count.
    pub mc_frame_count: u8,
    /// Virtual Channel Frame Count.
    pub vc_frame_count: u8,
    /// The secondary header data field (1 to 63 octets, without its identification octet),
    /// or `None` if the frame has no secondary header.
    pub secondary_header: Option<&'a [u8]>,
    /// The synchronization flag and the fields it governs.
    pub content: DataFieldContent,
    /// The Operational Control Field, if the frame carries one.
    pub ocf: Option<Ocf>,
    /// The frame ends with an FECF.
    pub fecf: bool,
}

impl<'a> TmFrameRepr<'a> {
    /// Headers of an Only Idle Data frame (first header pointer `0x7FE`, §4.1.2.7.6) with no
    /// secondary header, no OCF and no FECF; set the other fields as the channel needs.
    pub const fn idle(scid: Scid, vcid: Vcid) -> Self {
        Self {
            scid,
            vcid,
            mc_frame_count: 0,
            vc_frame_count: 0,
            secondary_header: None,
            content: DataFieldContent::IDLE,
            ocf: None,
            fecf: false,
        }
    }

    /// Validates `frame` (the full [`TmFrame::check`], so an unchecked view is safe too) and
    /// reads its headers, OCF included (a malformed CLCW is an error here).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(frame: &TmFrame<&'a T>) -> Result<Self, Error> {
        frame.check()?;
        Ok(Self {
            scid: frame.scid(),
            vcid: frame.vcid(),
            mc_frame_count: frame.mc_frame_count(),
            vc_frame_count: frame.vc_frame_count(),
            secondary_header: frame.secondary_header_ref(),
            content: frame.data_field_content(),
            ocf: frame.ocf()?,
            fecf: frame.config.fecf,
        })
    }

    /// Octets before the data field.
    pub const fn data_offset(&self) -> usize {
        PRIMARY_HEADER_LEN
            + match self.secondary_header {
                Some(sh) => 1 + sh.len(),
                None => 0,
            }
    }

    /// Octets after the data field (OCF and FECF).
    const fn trailer_len(&self) -> usize {
        Trailer {
            ocf: self.ocf.is_some(),
            fecf: self.fecf,
        }
        .len()
    }

    /// Length of the whole frame for `data_len` octets of data field.
    pub const fn buffer_len(&self, data_len: usize) -> usize {
        self.data_offset()
            .saturating_add(data_len)
            .saturating_add(self.trailer_len())
    }

    /// The data field length that makes a frame of `frame_len` octets (the channel's fixed
    /// length); an error if the headers leave no room for at least one data octet or
    /// `frame_len` exceeds [`MAX_FRAME_LEN`].
    pub fn data_len_for(&self, frame_len: usize) -> Result<usize, Error> {
        if frame_len > MAX_FRAME_LEN {
            return Err(Error::invalid(0, FRAME_LENGTH, frame_len as u64));
        }
        match frame_len.checked_sub(self.buffer_len(0)) {
            Some(n) if n > 0 => Ok(n),
            _ => Err(Error::invalid(0, FRAME_LENGTH, frame_len as u64)),
        }
    }

    /// The managed parameters under which a receiver reads back a frame of this shape with
    /// `data_len` octets of data.
    pub const fn config(&self, data_len: usize) -> TmConfig {
        TmConfig {
            frame_len: self.buffer_len(data_len),
            fecf: self.fecf,
        }
    }

    /// Writes the frame with `data` as its data field into the start of `buf` and returns its
    /// length; the FECF is filled if configured.
    pub fn emit(&self, data: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
        self.emit_with(data.len(), buf, |d| d.copy_from_slice(data))
    }

    /// Writes an Only Idle Data frame (this header with the first header pointer `0x7FE`) of
    /// `frame_len` octets whose data field repeats `pattern` (e.g. [`DEFAULT_IDLE_PATTERN`]).
    pub fn emit_idle(
        &self,
        frame_len: usize,
        pattern: &[u8],
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        if pattern.is_empty() {
            return Err(Error::invalid(self.data_offset(), IDLE_PATTERN, 0));
        }
        let idle = Self {
            content: DataFieldContent::IDLE,
            ..*self
        };
        idle.emit_with(idle.data_len_for(frame_len)?, buf, |d| {
            fill_idle(d, pattern)
        })
    }

    /// The six primary header octets as one integer, refusing any value that does not fit or
    /// that [`TmFrame::check`] would reject for a data field of `data_len` octets.
    fn header_word(&self, data_len: usize) -> Result<u64, Error> {
        let (sync, order, sl, fhp) = match self.content {
            DataFieldContent::Packets(fhp) => {
                let f = field::FIRST_HEADER_POINTER;
                fhp.check_within(data_len, f.byte_offset(), f.name)?;
                (0, 0, SEGMENT_LENGTH_ID_PACKETS, fhp.to_bits()?)
            }
            DataFieldContent::VcaSdu {
                packet_order,
                segment_length_id,
                first_header_pointer,
            } => (
                1,
                packet_order.into(),
                segment_length_id,
                first_header_pointer,
            ),
        };
        const N: usize = PRIMARY_HEADER_LEN;
        let mut w = 0;
        w = field::SCID.insert::<N>(w, self.scid.get().into(), 0)?;
        w = field::VCID.insert::<N>(w, self.vcid.get().into(), 0)?;
        w = field::OCF_FLAG.insert::<N>(w, self.ocf.is_some().into(), 0)?;
        w = field::MC_FRAME_COUNT.insert::<N>(w, self.mc_frame_count.into(), 0)?;
        w = field::VC_FRAME_COUNT.insert::<N>(w, self.vc_frame_count.into(), 0)?;
        w = field::SECONDARY_HEADER_FLAG.insert::<N>(
            w,
            self.secondary_header.is_some().into(),
            0,
        )?;
        w = field::SYNC_FLAG.insert::<N>(w, sync, 0)?;
        w = field::PACKET_ORDER.insert::<N>(w, order, 0)?;
        w = field::SEGMENT_LENGTH_ID.insert::<N>(w, sl.into(), 0)?;
        field::FIRST_HEADER_POINTER.insert::<N>(w, fhp.into(), 0)
    }

    /// Like [`TmFrameRepr::emit`], but `fill` writes the `data_len`-octet data field in place
    /// (for blocking several packets, or an SDLS header, without an intermediate copy).
    /// `fill` runs after the headers and the OCF are written and before the FECF is computed.
    ///
    /// Refuses what [`TmFrame::check`] would reject: a VCID above 7 (§4.1.2.3), a secondary
    /// header of 0 or more than 63 data octets (§4.1.3.2.3), an empty data field, a first
    /// header pointer outside the data field (§4.1.2.7.6), a frame over [`MAX_FRAME_LEN`],
    /// a Type-2 OCF whose first bit is 0.
    pub fn emit_with(
        &self,
        data_len: usize,
        buf: &mut [u8],
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<usize, Error> {
        let word = self.header_word(data_len)?;
        let total = self.buffer_len(data_len);
        let frame_buf = start_frame(
            buf,
            word,
            self.ocf.as_ref(),
            self.data_offset(),
            data_len,
            total,
            MAX_FRAME_LEN,
        )?;
        let mut frame = TmFrame::new_unchecked(
            frame_buf,
            TmConfig {
                frame_len: total,
                fecf: self.fecf,
            },
        );
        if let Some(sh) = self.secondary_header {
            frame.set_secondary_header(sh)?;
        }
        if let Some(ocf) = &self.ocf {
            frame.set_ocf(ocf)?;
        }
        fill(frame.data_mut());
        frame.fill_fecf()?;
        Ok(total)
    }
}
