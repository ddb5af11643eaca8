//! The Space Packet (CCSDS 133.0-B-2 §4.1): a 6-octet primary header and a data field of
//! 1 to 65 536 octets.

use crate::Error;
use ccsds_core::{Field, WireError, bounded_id, header_prefix, read_be, write_be};

bounded_id!(
    /// Application Process Identifier (11 bits, 133.0-B-2 §4.1.3.3.4). [`Apid::IDLE`] (all ones)
    /// is reserved for idle packets.
    Apid, u16, 11, "apid"
);

impl Apid {
    /// The APID of idle packets (133.0-B-2 §4.1.3.3.4.4).
    pub const IDLE: Self = Self::MAX;

    /// True for the idle APID.
    pub const fn is_idle(self) -> bool {
        self.get() == Self::IDLE.get()
    }
}

/// The primary header layout (133.0-B-2 §4.1.3, figure 4-2), written once for parse and emit.
pub mod field {
    use super::Field;
    /// Packet Version Number, 3 bits, `000` (§4.1.3.2).
    pub const VERSION: Field = Field::new("packet_version_number", 0, 3);
    /// Packet Type, 1 bit (§4.1.3.3.2).
    pub const PACKET_TYPE: Field = Field::new("packet_type", 3, 1);
    /// Secondary Header Flag, 1 bit (§4.1.3.3.3).
    pub const SEC_HEADER_FLAG: Field = Field::new("secondary_header_flag", 4, 1);
    /// Application Process Identifier, 11 bits (§4.1.3.3.4).
    pub const APID: Field = Field::new("apid", 5, 11);
    /// Sequence Flags, 2 bits (§4.1.3.4.2).
    pub const SEQUENCE_FLAGS: Field = Field::new("sequence_flags", 16, 2);
    /// Packet Sequence Count or Packet Name, 14 bits (§4.1.3.4.3).
    pub const SEQUENCE_COUNT: Field = Field::new("packet_sequence_count", 18, 14);
    /// Packet Data Length, 16 bits: data field octets − 1 (§4.1.3.5).
    pub const DATA_LENGTH: Field = Field::new("packet_data_length", 32, 16);
}

/// Packet Type (133.0-B-2 §4.1.3.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PacketType {
    /// `0`: telemetry (reporting).
    #[default]
    Telemetry,
    /// `1`: telecommand (requesting).
    Telecommand,
}

/// Sequence Flags (133.0-B-2 §4.1.3.4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SequenceFlags {
    /// `00`: continuation segment of user data.
    Continuation,
    /// `01`: first segment of user data.
    First,
    /// `10`: last segment of user data.
    Last,
    /// `11`: unsegmented user data.
    #[default]
    Unsegmented,
}

impl SequenceFlags {
    /// From the 2-bit field value (only the low two bits are looked at).
    pub const fn from_bits(bits: u8) -> Self {
        match bits & 0b11 {
            0b00 => Self::Continuation,
            0b01 => Self::First,
            0b10 => Self::Last,
            _ => Self::Unsegmented,
        }
    }

    /// The 2-bit field value.
    pub const fn bits(self) -> u8 {
        self as u8
    }
}

/// Octets in the primary header.
pub const HEADER_LEN: usize = 6;
/// The longest Space Packet: header + 65 536 data octets (§4.1.3.5.3).
pub const MAX_PACKET_LEN: usize = HEADER_LEN + 65_536;

/// A zero-copy view over one whole Space Packet (primary header + data field).
///
/// [`SpacePacket::new_checked`] validates once that the buffer holds exactly the packet its header
/// declares and that the header obeys 133.0-B-2; the getters then read fields without further
/// checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpacePacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> SpacePacket<T> {
    /// Wraps a buffer without validating it. Getters on a buffer shorter than the header read
    /// absent octets as zero; [`SpacePacket::data`] is then empty.
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a buffer holding exactly one packet, after validating the header
    /// ([`PrimaryHeader::parse_bytes`]) and that the buffer length equals the declared length.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let bytes = buffer.as_ref();
        let header = PrimaryHeader::parse_bytes(bytes)?;
        if bytes.len() != header.packet_len() {
            return Err(if bytes.len() < header.packet_len() {
                WireError::truncated(0, "packet_data_field", header.packet_len(), bytes.len())
            } else {
                WireError::length_mismatch(
                    4,
                    "packet_data_length",
                    header.packet_len(),
                    bytes.len(),
                )
            });
        }
        Ok(Self { buffer })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    #[inline(always)]
    fn header(&self) -> [u8; HEADER_LEN] {
        header_prefix(self.buffer.as_ref())
    }

    /// Packet Version Number (`0` for version 1).
    pub fn version(&self) -> u8 {
        field::VERSION.get(&self.header()) as u8
    }

    /// Packet Type.
    pub fn packet_type(&self) -> PacketType {
        if field::PACKET_TYPE.get(&self.header()) == 1 {
            PacketType::Telecommand
        } else {
            PacketType::Telemetry
        }
    }

    /// Secondary Header Flag.
    pub fn secondary_header(&self) -> bool {
        field::SEC_HEADER_FLAG.get(&self.header()) == 1
    }

    /// Application Process Identifier.
    pub fn apid(&self) -> Apid {
        // 11 bits by the field's mask.
        Apid(field::APID.get(&self.header()) as u16)
    }

    /// Sequence Flags.
    pub fn sequence_flags(&self) -> SequenceFlags {
        SequenceFlags::from_bits(field::SEQUENCE_FLAGS.get(&self.header()) as u8)
    }

    /// Packet Sequence Count (or Packet Name), 14 bits.
    pub fn sequence_count(&self) -> u16 {
        field::SEQUENCE_COUNT.get(&self.header()) as u16
    }

    /// The Packet Data Length field: data field octets − 1.
    pub fn packet_data_length(&self) -> u16 {
        field::DATA_LENGTH.get(&self.header()) as u16
    }

    /// Total packet length the header declares (header + data field).
    pub fn packet_len(&self) -> usize {
        HEADER_LEN + usize::from(self.packet_data_length()) + 1
    }

    /// The packet data field (secondary header, if any, and user data).
    pub fn data(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(HEADER_LEN..self.packet_len())
            .unwrap_or(&[])
    }

    /// The whole packet as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> SpacePacket<T> {
    /// The packet data field, writable (empty if the buffer is shorter than declared).
    pub fn data_mut(&mut self) -> &mut [u8] {
        let end = self.packet_len();
        self.buffer
            .as_mut()
            .get_mut(HEADER_LEN..end)
            .unwrap_or(&mut [])
    }

    /// Sets the Packet Sequence Count (refusing values over 14 bits).
    pub fn set_sequence_count(&mut self, count: u16) -> Result<(), Error> {
        self.set_field(field::SEQUENCE_COUNT, u64::from(count))
    }

    /// Sets the Sequence Flags.
    pub fn set_sequence_flags(&mut self, flags: SequenceFlags) -> Result<(), Error> {
        self.set_field(field::SEQUENCE_FLAGS, u64::from(flags.bits()))
    }

    fn set_field(&mut self, f: Field, value: u64) -> Result<(), Error> {
        f.set_in::<HEADER_LEN>(self.buffer.as_mut(), value, "primary_header")
    }
}

/// The Space Packet primary header as plain values: the `Repr` of [`SpacePacket`].
///
/// [`PrimaryHeader::parse`] accepts only what 133.0-B-2 allows, and [`PrimaryHeader::emit`]
/// refuses to write anything the parser would reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PrimaryHeader {
    /// Packet Version Number; only `0` (version 1) is defined (§4.1.3.2.2).
    pub version: u8,
    /// Packet Type.
    pub packet_type: PacketType,
    /// Secondary Header Flag; must be `false` for idle packets (§4.1.3.3.3.4).
    pub secondary_header: bool,
    /// Application Process Identifier.
    pub apid: Apid,
    /// Sequence Flags.
    pub sequence_flags: SequenceFlags,
    /// Packet Sequence Count or Packet Name (14 bits).
    pub sequence_count: u16,
    /// Packet Data Length field: data field octets − 1.
    pub packet_data_length: u16,
}

impl PrimaryHeader {
    /// Octets in the primary header.
    pub const LEN: usize = HEADER_LEN;

    /// Parses the header of a checked packet view.
    pub fn parse<T: AsRef<[u8]>>(packet: &SpacePacket<T>) -> Result<Self, Error> {
        Self::parse_bytes(packet.as_bytes())
    }

    /// Parses and validates the first six octets of `bytes` (which may hold more: a stream, or
    /// a packet whose data field is not checked here). This is the decode hot path: one 48-bit
    /// load, shifts and masks, no allocation.
    #[inline]
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let header: &[u8; HEADER_LEN] = bytes.first_chunk().ok_or(WireError::truncated(
            0,
            "primary_header",
            HEADER_LEN,
            bytes.len(),
        ))?;
        let word = read_be(header);
        let get = |f: Field| (word >> (48 - f.bit_offset - f.width)) & f.max();
        let version = get(field::VERSION) as u8;
        if version != 0 {
            return Err(WireError::invalid(
                0,
                field::VERSION.name,
                u64::from(version),
            ));
        }
        // The mask makes the value 11 bits wide, so the checked constructor is not needed.
        let apid = Apid(get(field::APID) as u16);
        let secondary_header = get(field::SEC_HEADER_FLAG) == 1;
        if apid.is_idle() && secondary_header {
            // §4.1.3.3.3.4: the secondary header flag of an idle packet shall be 0.
            return Err(WireError::invalid(0, field::SEC_HEADER_FLAG.name, 1));
        }
        Ok(Self {
            version,
            packet_type: if get(field::PACKET_TYPE) == 1 {
                PacketType::Telecommand
            } else {
                PacketType::Telemetry
            },
            secondary_header,
            apid,
            sequence_flags: SequenceFlags::from_bits(get(field::SEQUENCE_FLAGS) as u8),
            sequence_count: get(field::SEQUENCE_COUNT) as u16,
            packet_data_length: get(field::DATA_LENGTH) as u16,
        })
    }

    /// Octets in the data field (1..=65 536).
    pub const fn data_len(&self) -> usize {
        self.packet_data_length as usize + 1
    }

    /// Total packet length (header + data field).
    pub const fn packet_len(&self) -> usize {
        HEADER_LEN + self.data_len()
    }

    /// Writes the six header octets into `out`, refusing values the parser would reject.
    pub fn emit(&self, out: &mut [u8]) -> Result<(), Error> {
        let available = out.len();
        let header: &mut [u8; HEADER_LEN] = out.first_chunk_mut().ok_or(
            WireError::buffer_too_small("primary_header", HEADER_LEN, available),
        )?;
        if self.apid.is_idle() && self.secondary_header {
            return Err(WireError::invalid(0, field::SEC_HEADER_FLAG.name, 1));
        }
        if self.version != 0 {
            return Err(WireError::invalid(
                0,
                field::VERSION.name,
                u64::from(self.version),
            ));
        }
        let mut w = 0;
        w = field::PACKET_TYPE.insert::<HEADER_LEN>(
            w,
            (self.packet_type == PacketType::Telecommand).into(),
            0,
        )?;
        w = field::SEC_HEADER_FLAG.insert::<HEADER_LEN>(w, self.secondary_header.into(), 0)?;
        w = field::APID.insert::<HEADER_LEN>(w, self.apid.get().into(), 0)?;
        w = field::SEQUENCE_FLAGS.insert::<HEADER_LEN>(w, self.sequence_flags.bits().into(), 0)?;
        w = field::SEQUENCE_COUNT.insert::<HEADER_LEN>(w, self.sequence_count.into(), 0)?;
        w = field::DATA_LENGTH.insert::<HEADER_LEN>(w, self.packet_data_length.into(), 0)?;
        write_be(header, w);
        Ok(())
    }

    /// Writes a whole packet (this header with its data length set from `data`, then `data`)
    /// into `out`; returns the packet length. `data` must be 1..=65 536 octets (§4.1.4.1).
    pub fn emit_packet(&self, data: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let packet_data_length = data
            .len()
            .checked_sub(1)
            .and_then(|l| u16::try_from(l).ok())
            .ok_or(WireError::invalid(
                4,
                field::DATA_LENGTH.name,
                data.len() as u64,
            ))?;
        let header = Self {
            packet_data_length,
            ..*self
        };
        let len = header.packet_len();
        let available = out.len();
        let dst = out.get_mut(..len).ok_or(WireError::buffer_too_small(
            "space_packet",
            len,
            available,
        ))?;
        let (h, d) = dst.split_at_mut(HEADER_LEN);
        header.emit(h)?;
        d.copy_from_slice(data);
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccsds_core::ErrorKind;

    #[test]
    fn idle_apid() {
        assert!(Apid::IDLE.is_idle());
        assert_eq!(Apid::IDLE.get(), 0x7FF);
        assert!(Apid::new(0x800).is_err());
    }

    #[test]
    fn rejects_version() {
        let e = PrimaryHeader::parse_bytes(&[0x20, 0, 0xC0, 0, 0, 0]).unwrap_err();
        assert_eq!(e, WireError::invalid(0, "packet_version_number", 1));
        let h = PrimaryHeader {
            version: 1,
            ..Default::default()
        };
        assert_eq!(
            h.emit(&mut [0; 6]).unwrap_err().field,
            "packet_version_number"
        );
    }

    #[test]
    fn rejects_idle_with_secondary_header() {
        let e = PrimaryHeader::parse_bytes(&[0x0F, 0xFF, 0xC0, 0, 0, 0]).unwrap_err();
        assert_eq!(e, WireError::invalid(0, "secondary_header_flag", 1));
        let h = PrimaryHeader {
            apid: Apid::IDLE,
            secondary_header: true,
            ..Default::default()
        };
        assert!(h.emit(&mut [0; 6]).is_err());
    }

    #[test]
    fn length_checks() {
        let mut buf = [0u8; 10];
        let n = PrimaryHeader::default()
            .emit_packet(&[1, 2, 3], &mut buf)
            .unwrap();
        assert_eq!(n, 9);
        assert!(SpacePacket::new_checked(&buf[..9]).is_ok());
        let e = SpacePacket::new_checked(&buf[..8]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 9,
                available: 8
            }
        );
        let e = SpacePacket::new_checked(&buf[..10]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::LengthMismatch {
                declared: 9,
                actual: 10
            }
        );
        assert_eq!(
            PrimaryHeader::parse_bytes(&buf[..5]).unwrap_err().kind,
            ErrorKind::Truncated {
                needed: 6,
                available: 5
            }
        );
        assert!(PrimaryHeader::default().emit_packet(&[], &mut buf).is_err());
        assert_eq!(
            PrimaryHeader::default()
                .emit_packet(&[0; 5], &mut buf)
                .unwrap_err()
                .kind,
            ErrorKind::BufferTooSmall {
                needed: 11,
                available: 10
            }
        );
    }

    #[test]
    fn setters() {
        let mut buf = [0u8; 7];
        PrimaryHeader::default()
            .emit_packet(&[9], &mut buf)
            .unwrap();
        let mut p = SpacePacket::new_checked(&mut buf[..]).unwrap();
        p.set_sequence_count(0x3FFF).unwrap();
        assert!(p.set_sequence_count(0x4000).is_err());
        p.set_sequence_flags(SequenceFlags::First).unwrap();
        p.data_mut()[0] = 7;
        assert_eq!(
            (p.sequence_count(), p.sequence_flags(), p.data()),
            (0x3FFF, SequenceFlags::First, &[7u8][..])
        );
    }

    #[test]
    fn unchecked_short_buffer_does_not_panic() {
        let p = SpacePacket::new_unchecked(&[0x18u8][..]);
        assert_eq!(p.data(), &[] as &[u8]);
        assert!(p.secondary_header());
    }
}
