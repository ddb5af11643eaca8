//! TC Transfer Frames (CCSDS 232.0-B-4 §4.1): a zero-copy view ([`TcFrame`]), the validity
//! checks of §4.1/§4.2, a plain representation ([`TcFrameRepr`]) to parse and emit frames, and
//! the two COP-1 control commands carried by BC frames ([`ControlCommand`]).
//!
//! ```text
//! | Primary Header (5) | [Segment Header (1)] | Frame Data Field (1..) | [FECF (2)] |
//! ```
//!
//! Whether a frame carries a segment header or an FECF is not written in the frame: both are
//! managed parameters (232.0-B-4 §5), passed in as a [`FrameConfig`].

use ccsds_core::{Field, MapId, Scid, Vcid, check_fecf, fill_fecf, header_prefix};

use crate::Error;

/// Length of the Transfer Frame Primary Header (232.0-B-4 §4.1.2).
pub const PRIMARY_HEADER_LEN: usize = 5;
/// Length of the optional Segment Header (232.0-B-4 §4.1.3.2).
pub const SEGMENT_HEADER_LEN: usize = 1;
/// Length of the optional Frame Error Control Field (232.0-B-4 §4.1.4).
pub const FECF_LEN: usize = 2;
/// Largest TC Transfer Frame: the 10-bit frame length field holds total octets − 1
/// (232.0-B-4 §4.1.2.7.2).
pub const MAX_FRAME_LEN: usize = 1024;

/// Layout of the Primary Header (232.0-B-4 §4.1.2, Figure 4-2), CCSDS bit numbering.
pub mod field {
    use ccsds_core::Field;

    /// Transfer Frame Version Number, `00` for TC (§4.1.2.2.2).
    pub const VERSION: Field = Field::new("transfer_frame_version_number", 0, 2);
    /// Bypass Flag: 0 = Type-A (sequence-controlled), 1 = Type-B (expedited) (§4.1.2.3).
    pub const BYPASS: Field = Field::new("bypass_flag", 2, 1);
    /// Control Command Flag: 0 = data (D), 1 = control command (C) (§4.1.2.4).
    pub const CONTROL_COMMAND: Field = Field::new("control_command_flag", 3, 1);
    /// Reserved Spare, `00` (§4.1.2.5).
    pub const SPARE: Field = Field::new("reserved_spare", 4, 2);
    /// Spacecraft Identifier (§4.1.2.2.3); same name as [`ccsds_core::Scid`]'s errors.
    pub const SCID: Field = Field::new("spacecraft_id", 6, 10);
    /// Virtual Channel Identifier (§4.1.2.6).
    pub const VCID: Field = Field::new("virtual_channel_id", 16, 6);
    /// Frame Length: total octets − 1 (§4.1.2.7).
    pub const FRAME_LENGTH: Field = Field::new("frame_length", 22, 10);
    /// Frame Sequence Number N(S) (§4.1.2.8).
    pub const SEQUENCE_NUMBER: Field = Field::new("frame_sequence_number", 32, 8);

    /// Segment Header (one octet at offset 5): Sequence Flags (§4.1.3.2.2).
    pub const SEQUENCE_FLAGS: Field = Field::new("sequence_flags", 0, 2);
    /// Segment Header: MAP Identifier (§4.1.3.2.3).
    pub const MAP_ID: Field = Field::new("map_id", 2, 6);
}

/// Error field names that are not header fields.
const PRIMARY_HEADER: &str = "primary_header";
const SEGMENT_HEADER: &str = "segment_header";
const DATA_FIELD: &str = "frame_data_field";
const FECF: &str = "frame_error_control_field";
const CONTROL_COMMAND: &str = "control_command";

/// The managed parameters that decide the frame layout (232.0-B-4 §5): they are agreed per
/// channel, not signalled in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameConfig {
    /// The Virtual Channel uses MAPs, so every data (AD/BD) frame carries a segment header
    /// (§4.1.3.2.1). BC frames never carry one, whatever this says.
    pub segment_header: bool,
    /// The Physical Channel carries a Frame Error Control Field (§4.1.4.1).
    pub fecf: bool,
}

/// The three valid combinations of bypass and control command flags (232.0-B-4 §4.1.2.3–4).
/// Bypass 0 with control command 1 is not a valid frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// Type-AD: sequence-controlled data, accepted through FARM-1.
    Ad,
    /// Type-BD: expedited data, bypasses the FARM-1 acceptance checks.
    Bd,
    /// Type-BC: a COP-1 control command ([`ControlCommand`]).
    Bc,
}

impl FrameType {
    /// The type for a (bypass, control command) flag pair; `None` for the invalid `0, 1`.
    pub const fn from_flags(bypass: bool, control_command: bool) -> Option<Self> {
        match (bypass, control_command) {
            (false, false) => Some(Self::Ad),
            (true, false) => Some(Self::Bd),
            (true, true) => Some(Self::Bc),
            (false, true) => None,
        }
    }

    /// The Bypass Flag of this type.
    pub const fn bypass(self) -> bool {
        !matches!(self, Self::Ad)
    }

    /// The Control Command Flag of this type.
    pub const fn control_command(self) -> bool {
        matches!(self, Self::Bc)
    }
}

/// Sequence Flags of the segment header (232.0-B-4 §4.1.3.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SequenceFlags {
    /// `00`: a continuing segment of an SDU.
    Continuing = 0b00,
    /// `01`: the first segment of an SDU.
    First = 0b01,
    /// `10`: the last segment of an SDU.
    Last = 0b10,
    /// `11`: no segmentation: one or more whole SDUs.
    Unsegmented = 0b11,
}

impl SequenceFlags {
    /// Decodes the 2-bit field (every value is valid; higher bits are ignored).
    pub const fn from_bits(bits: u8) -> Self {
        match bits & 0b11 {
            0b00 => Self::Continuing,
            0b01 => Self::First,
            0b10 => Self::Last,
            _ => Self::Unsegmented,
        }
    }
}

/// The optional one-octet Segment Header (232.0-B-4 §4.1.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentHeader {
    /// Where this frame's data sits in its SDU.
    pub sequence_flags: SequenceFlags,
    /// The MAP the data belongs to.
    pub map_id: MapId,
}

impl SegmentHeader {
    /// Decodes the octet.
    pub fn from_octet(octet: u8) -> Self {
        let h = [octet];
        Self {
            sequence_flags: SequenceFlags::from_bits(field::SEQUENCE_FLAGS.get(&h) as u8),
            map_id: map_id(field::MAP_ID.get(&h)),
        }
    }

    /// Encodes the octet.
    pub fn to_octet(self) -> u8 {
        let mut h = [0u8];
        // Both values fit their fields by construction, so `set` cannot fail.
        let _ = field::SEQUENCE_FLAGS.set(&mut h, self.sequence_flags as u64, PRIMARY_HEADER_LEN);
        let _ = field::MAP_ID.set(&mut h, u64::from(self.map_id.get()), PRIMARY_HEADER_LEN);
        h[0]
    }
}

// The getters below read masked fields, so the checked constructors cannot fail; the defaults
// are never taken.
fn map_id(v: u64) -> MapId {
    MapId::new(v as u8).unwrap_or_default()
}
fn scid(v: u64) -> Scid {
    Scid::new(v as u16).unwrap_or_default()
}
fn vcid(v: u64) -> Vcid {
    Vcid::new(v as u8).unwrap_or_default()
}

/// A read/write view of one whole TC Transfer Frame in a buffer.
///
/// [`TcFrame::new_checked`] validates the frame once (§4.1, §4.2); after that every getter is
/// meaningful. On an unchecked view the getters never panic: missing header octets read as
/// zero and [`TcFrame::data`] is empty if the declared layout does not fit the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcFrame<T: AsRef<[u8]>> {
    buffer: T,
    config: FrameConfig,
}

impl<T: AsRef<[u8]>> TcFrame<T> {
    /// Wraps `buffer` without any check, assuming no segment header and no FECF (see
    /// [`TcFrame::new_unchecked_with`]). Enough to read the primary header, e.g. to learn
    /// [`TcFrame::total_len`] and trim fill octets after CLTU decoding (231.0-B-4 §5.3).
    pub const fn new_unchecked(buffer: T) -> Self {
        Self::new_unchecked_with(
            buffer,
            FrameConfig {
                segment_header: false,
                fecf: false,
            },
        )
    }

    /// Wraps `buffer` without any check, with the channel's managed parameters.
    pub const fn new_unchecked_with(buffer: T, config: FrameConfig) -> Self {
        Self { buffer, config }
    }

    /// Wraps `buffer` and runs [`TcFrame::check`]: the buffer must hold exactly one valid frame.
    pub fn new_checked(buffer: T, config: FrameConfig) -> Result<Self, Error> {
        let frame = Self::new_unchecked_with(buffer, config);
        frame.check()?;
        Ok(frame)
    }

    /// The validity checks of 232.0-B-4 §4.1 and the frame validation of §4.2, in this order:
    ///
    /// 1. at least the 5-octet primary header ([`ErrorKind::Truncated`](crate::ErrorKind));
    /// 2. version `00` (§4.1.2.2.2);
    /// 3. frame length field + 1 equals the buffer length exactly (§4.1.2.7; so the frame is
    ///    at most 1024 octets) (`LengthMismatch`, at the frame length field);
    /// 4. room for the segment header (if any), at least one data octet (§4.1.3.1.3) and the
    ///    FECF (if any) (`Truncated`, at the frame data field);
    /// 5. FECF over everything before it (§4.1.4.2) (`Checksum`);
    /// 6. reserved spare `00` (§4.1.2.5);
    /// 7. not bypass 0 with control command 1 (§4.1.2.3–4).
    ///
    /// Each error names the field and its byte offset in the buffer.
    pub fn check(&self) -> Result<(), Error> {
        let buf = self.buffer.as_ref();
        let header = buf
            .first_chunk::<PRIMARY_HEADER_LEN>()
            .ok_or(Error::truncated(
                0,
                PRIMARY_HEADER,
                PRIMARY_HEADER_LEN,
                buf.len(),
            ))?;
        let version = field::VERSION.get(header);
        if version != 0 {
            return Err(Error::invalid(0, field::VERSION.name, version));
        }
        let total = self.total_len();
        if total != buf.len() {
            return Err(Error::length_mismatch(
                field::FRAME_LENGTH.byte_offset(),
                field::FRAME_LENGTH.name,
                total,
                buf.len(),
            ));
        }
        let min = self.data_offset() + 1 + self.fecf_len();
        if total < min {
            return Err(Error::truncated(self.data_offset(), DATA_FIELD, min, total));
        }
        if self.config.fecf {
            check_fecf(buf)?;
        }
        let spare = field::SPARE.get(header);
        if spare != 0 {
            return Err(Error::invalid(0, field::SPARE.name, spare));
        }
        self.frame_type().map(|_| ())
    }

    /// Releases the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The managed parameters this view was created with.
    pub const fn config(&self) -> FrameConfig {
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

    /// Bypass Flag (§4.1.2.3).
    pub fn bypass(&self) -> bool {
        self.get(field::BYPASS) == 1
    }

    /// Control Command Flag (§4.1.2.4).
    pub fn control_command(&self) -> bool {
        self.get(field::CONTROL_COMMAND) == 1
    }

    /// AD, BD or BC; the invalid flag pair (bypass 0, control 1) is an error at the control
    /// command flag (§4.1.2.3–4).
    pub fn frame_type(&self) -> Result<FrameType, Error> {
        FrameType::from_flags(self.bypass(), self.control_command()).ok_or(Error::invalid(
            field::CONTROL_COMMAND.byte_offset(),
            field::CONTROL_COMMAND.name,
            1,
        ))
    }

    /// Reserved Spare bits (§4.1.2.5; `0` in a valid frame).
    pub fn spare(&self) -> u8 {
        self.get(field::SPARE) as u8
    }

    /// Spacecraft Identifier (§4.1.2.2.3).
    pub fn scid(&self) -> Scid {
        scid(self.get(field::SCID))
    }

    /// Virtual Channel Identifier (§4.1.2.6).
    pub fn vcid(&self) -> Vcid {
        vcid(self.get(field::VCID))
    }

    /// Frame Length field as carried: total octets − 1 (§4.1.2.7).
    pub fn frame_length(&self) -> u16 {
        self.get(field::FRAME_LENGTH) as u16
    }

    /// Total frame length in octets (frame length field + 1, §4.1.2.7), read from the first
    /// four header octets only, so it works on a buffer that still carries CLTU fill octets
    /// after the frame. Returns 0 if the buffer is shorter than four octets (no frame is that
    /// short, so 0 always means "cannot tell").
    pub fn total_len(&self) -> usize {
        self.buffer
            .as_ref()
            .first_chunk::<4>()
            .map_or(0, |h| field::FRAME_LENGTH.get(h) as usize + 1)
    }

    /// Frame Sequence Number N(S) (§4.1.2.8).
    pub fn sequence_number(&self) -> u8 {
        self.get(field::SEQUENCE_NUMBER) as u8
    }

    /// A segment header is present: the channel has them and this is not a BC frame
    /// (§4.1.3.2.1).
    pub fn has_segment_header(&self) -> bool {
        self.config.segment_header && !self.control_command()
    }

    /// The segment header, if this frame has one (and the buffer holds it).
    pub fn segment_header(&self) -> Option<SegmentHeader> {
        if !self.has_segment_header() {
            return None;
        }
        self.buffer
            .as_ref()
            .get(PRIMARY_HEADER_LEN)
            .map(|o| SegmentHeader::from_octet(*o))
    }

    /// Offset of the frame data field (after the segment header, if any).
    pub fn data_offset(&self) -> usize {
        PRIMARY_HEADER_LEN + usize::from(self.has_segment_header()) * SEGMENT_HEADER_LEN
    }

    fn fecf_len(&self) -> usize {
        usize::from(self.config.fecf) * FECF_LEN
    }

    fn data_range(&self) -> core::ops::Range<usize> {
        self.data_offset()..self.total_len().saturating_sub(self.fecf_len())
    }

    /// The frame data field: after the segment header, before the FECF (§4.1.3). Empty if the
    /// declared layout does not fit the buffer (only possible on an unchecked view).
    pub fn data(&self) -> &[u8] {
        self.buffer.as_ref().get(self.data_range()).unwrap_or(&[])
    }

    /// The Frame Error Control Field, if the channel carries one and the buffer holds it.
    pub fn fecf(&self) -> Option<u16> {
        if !self.config.fecf {
            return None;
        }
        ccsds_core::fecf(self.buffer.as_ref().get(..self.total_len())?)
    }

    /// The control command of a BC frame (§4.1.3.3), with error offsets relative to the
    /// frame. An AD/BD frame is an error at the control command flag.
    pub fn control_command_data(&self) -> Result<ControlCommand, Error> {
        if self.frame_type()? != FrameType::Bc {
            return Err(Error::invalid(
                field::CONTROL_COMMAND.byte_offset(),
                field::CONTROL_COMMAND.name,
                0,
            ));
        }
        ControlCommand::parse(self.data()).map_err(|e| e.shifted(self.data_offset()))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> TcFrame<T> {
    fn set(&mut self, f: Field, value: u64) -> Result<(), Error> {
        f.set_in::<PRIMARY_HEADER_LEN>(self.buffer.as_mut(), value, PRIMARY_HEADER)
    }

    /// Sets the Bypass Flag (§4.1.2.3).
    pub fn set_bypass(&mut self, bypass: bool) -> Result<(), Error> {
        self.set(field::BYPASS, bypass.into())
    }

    /// Sets the Control Command Flag (§4.1.2.4).
    pub fn set_control_command(&mut self, control_command: bool) -> Result<(), Error> {
        self.set(field::CONTROL_COMMAND, control_command.into())
    }

    /// Sets both flags from a frame type.
    pub fn set_frame_type(&mut self, frame_type: FrameType) -> Result<(), Error> {
        self.set_bypass(frame_type.bypass())?;
        self.set_control_command(frame_type.control_command())
    }

    /// Sets the version and reserved spare bits to the only valid value, `00`.
    pub fn clear_version_and_spare(&mut self) -> Result<(), Error> {
        self.set(field::VERSION, 0)?;
        self.set(field::SPARE, 0)
    }

    /// Sets the Spacecraft Identifier.
    pub fn set_scid(&mut self, scid: Scid) -> Result<(), Error> {
        self.set(field::SCID, scid.get().into())
    }

    /// Sets the Virtual Channel Identifier.
    pub fn set_vcid(&mut self, vcid: Vcid) -> Result<(), Error> {
        self.set(field::VCID, vcid.get().into())
    }

    /// Sets the Frame Length field (total octets − 1); values above 1023 are refused.
    pub fn set_frame_length(&mut self, frame_length: u16) -> Result<(), Error> {
        self.set(field::FRAME_LENGTH, frame_length.into())
    }

    /// Sets the Frame Sequence Number N(S).
    pub fn set_sequence_number(&mut self, sequence_number: u8) -> Result<(), Error> {
        self.set(field::SEQUENCE_NUMBER, sequence_number.into())
    }

    /// Writes the segment header; refused if this frame has none (the channel has no segment
    /// headers, or this is a BC frame, §4.1.3.2.1) or the buffer is too short.
    pub fn set_segment_header(&mut self, header: SegmentHeader) -> Result<(), Error> {
        let octet = header.to_octet();
        if !self.has_segment_header() {
            return Err(Error::invalid(
                PRIMARY_HEADER_LEN,
                SEGMENT_HEADER,
                octet.into(),
            ));
        }
        let available = self.buffer.as_ref().len();
        let slot = self
            .buffer
            .as_mut()
            .get_mut(PRIMARY_HEADER_LEN)
            .ok_or(Error::truncated(
                PRIMARY_HEADER_LEN,
                SEGMENT_HEADER,
                PRIMARY_HEADER_LEN + SEGMENT_HEADER_LEN,
                available,
            ))?;
        *slot = octet;
        Ok(())
    }

    /// The frame data field, writable (empty if the layout does not fit the buffer).
    pub fn data_mut(&mut self) -> &mut [u8] {
        let range = self.data_range();
        self.buffer.as_mut().get_mut(range).unwrap_or(&mut [])
    }

    /// Computes the FECF over the frame (as long as its frame length field says) and writes
    /// it into the last two octets (§4.1.4.2). Does nothing if the channel carries no FECF.
    pub fn fill_fecf(&mut self) -> Result<(), Error> {
        if !self.config.fecf {
            return Ok(());
        }
        let total = self.total_len();
        let available = self.buffer.as_ref().len();
        let frame = self
            .buffer
            .as_mut()
            .get_mut(..total)
            .filter(|f| f.len() >= FECF_LEN)
            .ok_or(Error::truncated(0, FECF, total.max(FECF_LEN), available))?;
        fill_fecf(frame)
    }
}

/// The content of one TC Transfer Frame's headers, without the data (smoltcp-style `Repr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TcFrameRepr {
    /// AD, BD or BC.
    pub frame_type: FrameType,
    /// Spacecraft Identifier.
    pub scid: Scid,
    /// Virtual Channel Identifier.
    pub vcid: Vcid,
    /// Frame Sequence Number N(S): V(S) from FOP-1 for AD frames; not checked by the FARM for
    /// Type-B frames (§4.1.2.8.2).
    pub sequence_number: u8,
    /// The segment header; `None` on channels without MAPs and always for BC frames.
    pub segment: Option<SegmentHeader>,
    /// The frame ends with an FECF.
    pub fecf: bool,
}

impl TcFrameRepr {
    /// Validates `frame` (the full [`TcFrame::check`], so an unchecked view is safe too) and
    /// reads its headers.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(frame: &TcFrame<&T>) -> Result<Self, Error> {
        frame.check()?;
        Ok(Self {
            frame_type: frame.frame_type()?,
            scid: frame.scid(),
            vcid: frame.vcid(),
            sequence_number: frame.sequence_number(),
            segment: frame.segment_header(),
            fecf: frame.config.fecf,
        })
    }

    /// The managed parameters under which a receiver reads this frame back.
    pub const fn config(&self) -> FrameConfig {
        FrameConfig {
            segment_header: self.segment.is_some(),
            fecf: self.fecf,
        }
    }

    /// Octets before the data field.
    const fn data_offset(&self) -> usize {
        PRIMARY_HEADER_LEN
            + if self.segment.is_some() {
                SEGMENT_HEADER_LEN
            } else {
                0
            }
    }

    /// Length of the whole frame for `data_len` octets of frame data.
    pub const fn buffer_len(&self, data_len: usize) -> usize {
        self.data_offset() + data_len + if self.fecf { FECF_LEN } else { 0 }
    }

    /// The most frame data one frame can carry with these headers (1024 − headers − FECF).
    pub const fn max_data_len(&self) -> usize {
        MAX_FRAME_LEN - self.buffer_len(0)
    }

    /// Writes the frame with `data` as its data field into the start of `buf` and returns its
    /// length; the FECF is filled if configured.
    pub fn emit(&self, data: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
        self.emit_with(data.len(), buf, |d| d.copy_from_slice(data))
    }

    /// Like [`TcFrameRepr::emit`], but `fill` writes the `data_len`-octet data field in place
    /// (for blocking several packets, or a security header, without an intermediate copy).
    /// `fill` runs after the headers are written and before the FECF is computed.
    ///
    /// Refuses what [`TcFrame::check`] would reject: a segment header on a BC frame
    /// (§4.1.3.2.1), an empty data field (§4.1.3.1.3), a frame over 1024 octets (§4.1.2.7).
    pub fn emit_with(
        &self,
        data_len: usize,
        buf: &mut [u8],
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<usize, Error> {
        if let (FrameType::Bc, Some(segment)) = (self.frame_type, self.segment) {
            return Err(Error::invalid(
                PRIMARY_HEADER_LEN,
                SEGMENT_HEADER,
                segment.to_octet().into(),
            ));
        }
        let offset = self.data_offset();
        if data_len == 0 {
            return Err(Error::invalid(offset, DATA_FIELD, 0));
        }
        let total = self.buffer_len(data_len);
        if total > MAX_FRAME_LEN {
            return Err(Error::invalid(
                field::FRAME_LENGTH.byte_offset(),
                field::FRAME_LENGTH.name,
                (total - 1) as u64,
            ));
        }
        let available = buf.len();
        let frame_buf = buf.get_mut(..total).ok_or(Error::buffer_too_small(
            "transfer_frame",
            total,
            available,
        ))?;
        let mut frame = TcFrame::new_unchecked_with(frame_buf, self.config());
        frame.clear_version_and_spare()?;
        frame.set_frame_type(self.frame_type)?;
        frame.set_scid(self.scid)?;
        frame.set_vcid(self.vcid)?;
        frame.set_frame_length((total - 1) as u16)?;
        frame.set_sequence_number(self.sequence_number)?;
        if let Some(segment) = self.segment {
            frame.set_segment_header(segment)?;
        }
        fill(frame.data_mut());
        frame.fill_fecf()?;
        Ok(total)
    }
}

/// The COP-1 control commands carried in the data field of BC frames (232.0-B-4 §4.1.3.3,
/// 232.1-B-2 §5.2/§6.1.6). Anything else in a BC frame is invalid (FARM-1 event E9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlCommand {
    /// Unlock: the single octet `00`.
    Unlock,
    /// Set V(R): `82 00` followed by the new V(R).
    SetVr(u8),
}

/// First two octets of Set V(R).
const SET_VR_PREFIX: [u8; 2] = [0x82, 0x00];

impl ControlCommand {
    /// Decodes a BC frame data field; it must be exactly one command. Error offsets are
    /// relative to the start of `data`.
    pub fn parse(data: &[u8]) -> Result<Self, Error> {
        match data {
            [] => Err(Error::truncated(0, CONTROL_COMMAND, 1, 0)),
            [0x00] => Ok(Self::Unlock),
            [0x00, ..] => Err(Error::length_mismatch(0, CONTROL_COMMAND, 1, data.len())),
            [0x82, 0x00, vr] => Ok(Self::SetVr(*vr)),
            [0x82, second, ..] if *second != 0 => {
                Err(Error::invalid(1, CONTROL_COMMAND, (*second).into()))
            }
            [0x82, ..] => Err(Error::length_mismatch(0, CONTROL_COMMAND, 3, data.len())),
            [first, ..] => Err(Error::invalid(0, CONTROL_COMMAND, (*first).into())),
        }
    }

    /// Encoded length: 1 for Unlock, 3 for Set V(R).
    pub const fn buffer_len(&self) -> usize {
        match self {
            Self::Unlock => 1,
            Self::SetVr(_) => 3,
        }
    }

    /// Writes the command into the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.buffer_len();
        let available = buf.len();
        let out =
            buf.get_mut(..len)
                .ok_or(Error::buffer_too_small(CONTROL_COMMAND, len, available))?;
        match (self, out) {
            (Self::Unlock, [b]) => *b = 0x00,
            (Self::SetVr(vr), [a, b, c]) => {
                [*a, *b] = SET_VR_PREFIX;
                *c = *vr;
            }
            _ => return Err(Error::buffer_too_small(CONTROL_COMMAND, len, available)),
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_header_octet() {
        let h = SegmentHeader::from_octet(0xC1);
        assert_eq!(h.sequence_flags, SequenceFlags::Unsegmented);
        assert_eq!(h.map_id.get(), 1);
        assert_eq!(h.to_octet(), 0xC1);
        for o in 0..=255u8 {
            assert_eq!(SegmentHeader::from_octet(o).to_octet(), o);
        }
    }

    #[test]
    fn frame_type_flags() {
        for t in [FrameType::Ad, FrameType::Bd, FrameType::Bc] {
            assert_eq!(
                FrameType::from_flags(t.bypass(), t.control_command()),
                Some(t)
            );
        }
        assert_eq!(FrameType::from_flags(false, true), None);
    }

    #[test]
    fn total_len_on_short_buffers() {
        assert_eq!(
            TcFrame::new_unchecked(&[0x20, 0x7B, 0x00][..]).total_len(),
            0
        );
        assert_eq!(
            TcFrame::new_unchecked(&[0x20, 0x7B, 0x00, 0x17]).total_len(),
            24
        );
        // Trailing CLTU fill is ignored.
        let frame = TcFrame::new_unchecked([0x20, 0x7B, 0x00, 0x04, 0x00, 0x55, 0x55]);
        assert_eq!(frame.total_len(), 5);
    }

    #[test]
    fn set_vr_prefix_matches_parse() {
        let mut b = [0u8; 3];
        assert_eq!(ControlCommand::SetVr(9).emit(&mut b), Ok(3));
        assert_eq!(b[..2], SET_VR_PREFIX);
    }
}
