//! Encapsulation Packets (CCSDS 133.1-B-3 §4.1): carry protocol data units that are not Space
//! Packets (bundles, IP datagrams, …) over a CCSDS link. The header is 1, 2, 4 or 8 octets long
//! depending on its Length of Length field.

use crate::Error;
use ccsds_core::{Field, WireError};

/// The header layouts (133.1-B-3 §4.1.2, figure 4-2), one table per Length of Length value.
pub mod field {
    use super::Field;
    /// Packet Version Number, 3 bits, `111` (version 8) (§4.1.2.2).
    pub const VERSION: Field = Field::new("packet_version_number", 0, 3);
    /// Protocol ID, 3 bits (§4.1.2.3).
    pub const PROTOCOL_ID: Field = Field::new("protocol_id", 3, 3);
    /// Length of Length, 2 bits (§4.1.2.4).
    pub const LENGTH_OF_LENGTH: Field = Field::new("length_of_length", 6, 2);
    /// User Defined Field, 4 bits (4- and 8-octet headers, §4.1.2.5).
    pub const USER_DEFINED: Field = Field::new("user_defined_field", 8, 4);
    /// Protocol ID Extension, 4 bits (4- and 8-octet headers, §4.1.2.6).
    pub const PROTOCOL_ID_EXTENSION: Field = Field::new("protocol_id_extension", 12, 4);
    /// Packet Length, 1 octet (2-octet header, §4.1.2.8).
    pub const PACKET_LENGTH_8: Field = Field::new("packet_length", 8, 8);
    /// Packet Length, 2 octets (4-octet header).
    pub const PACKET_LENGTH_16: Field = Field::new("packet_length", 16, 16);
    /// CCSDS Defined Field, 2 octets (8-octet header only, §4.1.2.7).
    pub const CCSDS_DEFINED: Field = Field::new("ccsds_defined_field", 16, 16);
    /// Packet Length, 4 octets (8-octet header).
    pub const PACKET_LENGTH_32: Field = Field::new("packet_length", 32, 32);
}

/// The Packet Version Number of Encapsulation Packets (`111`, version 8).
pub const VERSION: u8 = 0b111;

/// Protocol ID (133.1-B-3 §4.1.2.3; values assigned by SANA). Kept as a raw 3-bit value so that
/// values assigned later still decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ProtocolId(u8);

impl ProtocolId {
    /// `000`: Encapsulation Idle Packet (fill).
    pub const IDLE: Self = Self(0);
    /// `001`: Licklider Transmission Protocol.
    pub const LTP: Self = Self(1);
    /// `010`: Internet Protocol Extension.
    pub const IPE: Self = Self(2);
    /// `011`: CCSDS File Delivery Protocol.
    pub const CFDP: Self = Self(3);
    /// `100`: Bundle Protocol.
    pub const BUNDLE_PROTOCOL: Self = Self(4);
    /// `110`: the protocol is named by the Protocol ID Extension field.
    pub const EXTENDED: Self = Self(6);
    /// `111`: mission-specific.
    pub const MISSION_SPECIFIC: Self = Self(7);

    /// Checked constructor (3 bits).
    pub fn new(value: u8) -> Result<Self, Error> {
        field::PROTOCOL_ID.check(value.into(), 0)?;
        Ok(Self(value))
    }

    /// The raw 3-bit value.
    pub const fn get(self) -> u8 {
        self.0
    }
}

/// Length of Length (133.1-B-3 §4.1.2.4): how long the header, and its Packet Length field, are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LengthOfLength {
    /// `00`: 1-octet header, no length field; only for a 1-octet idle packet.
    #[default]
    Zero,
    /// `01`: 2-octet header, 1-octet Packet Length.
    One,
    /// `10`: 4-octet header, 2-octet Packet Length.
    Two,
    /// `11`: 8-octet header, 4-octet Packet Length.
    Four,
}

impl LengthOfLength {
    /// From the 2-bit field value.
    pub const fn from_bits(bits: u8) -> Self {
        match bits & 0b11 {
            0 => Self::Zero,
            1 => Self::One,
            2 => Self::Two,
            _ => Self::Four,
        }
    }

    /// The 2-bit field value.
    pub const fn bits(self) -> u8 {
        self as u8
    }

    /// Header length in octets.
    pub const fn header_len(self) -> usize {
        match self {
            Self::Zero => 1,
            Self::One => 2,
            Self::Two => 4,
            Self::Four => 8,
        }
    }

    /// The largest packet (header included) this variant can describe.
    pub const fn max_packet_len(self) -> u64 {
        match self {
            Self::Zero => 1,
            Self::One => 0xFF,
            Self::Two => 0xFFFF,
            Self::Four => 0xFFFF_FFFF,
        }
    }

    /// The shortest variant whose header can describe a packet carrying `data_len` octets.
    pub fn smallest_for(data_len: usize) -> Option<Self> {
        [Self::One, Self::Two, Self::Four].into_iter().find(|lol| {
            (data_len as u64).saturating_add(lol.header_len() as u64) <= lol.max_packet_len()
        })
    }
}

/// The Encapsulation Packet header as plain values: the `Repr` of [`EncapsulationPacket`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EncapsulationHeader {
    /// Protocol ID.
    pub protocol_id: ProtocolId,
    /// Length of Length (selects the header variant).
    pub length_of_length: LengthOfLength,
    /// User Defined Field (4 bits; 4- and 8-octet headers only, else 0).
    pub user_defined: u8,
    /// Protocol ID Extension (4 bits; 4- and 8-octet headers only, else 0).
    pub protocol_id_extension: u8,
    /// CCSDS Defined Field (8-octet header only, else 0).
    pub ccsds_defined: u16,
    /// Packet Length: octets in the whole packet, header included.
    pub packet_length: u32,
}

impl EncapsulationHeader {
    /// A header for `data_len` octets of `protocol_id` data, with the shortest Length of Length.
    pub fn for_data(protocol_id: ProtocolId, data_len: usize) -> Result<Self, Error> {
        let lol = LengthOfLength::smallest_for(data_len).ok_or(WireError::invalid(
            0,
            "packet_length",
            data_len as u64,
        ))?;
        Ok(Self {
            protocol_id,
            length_of_length: lol,
            packet_length: (data_len + lol.header_len()) as u32,
            ..Self::default()
        })
    }

    /// The 1-octet Encapsulation Idle Packet (`E0`), used as fill.
    pub const IDLE_OCTET: Self = Self {
        protocol_id: ProtocolId::IDLE,
        length_of_length: LengthOfLength::Zero,
        user_defined: 0,
        protocol_id_extension: 0,
        ccsds_defined: 0,
        packet_length: 1,
    };

    /// Header length in octets.
    pub const fn header_len(&self) -> usize {
        self.length_of_length.header_len()
    }

    /// Whole packet length in octets.
    pub const fn packet_len(&self) -> usize {
        self.packet_length as usize
    }

    /// Parses and validates the header at the start of `bytes` (the data need not be there).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let first: &[u8; 1] =
            bytes
                .first_chunk()
                .ok_or(WireError::truncated(0, "packet_header", 1, 0))?;
        let version = field::VERSION.get(first) as u8;
        if version != VERSION {
            return Err(WireError::invalid(0, field::VERSION.name, version.into()));
        }
        let protocol_id = ProtocolId(field::PROTOCOL_ID.get(first) as u8);
        let lol = LengthOfLength::from_bits(field::LENGTH_OF_LENGTH.get(first) as u8);
        let truncated = || WireError::truncated(0, "packet_header", lol.header_len(), bytes.len());
        let mut header = Self {
            protocol_id,
            length_of_length: lol,
            ..Self::default()
        };
        match lol {
            LengthOfLength::Zero => {
                // §4.1.2.4.3: a 1-octet header is only allowed for the 1-octet idle packet.
                if protocol_id != ProtocolId::IDLE {
                    return Err(WireError::invalid(0, field::LENGTH_OF_LENGTH.name, 0));
                }
                header.packet_length = 1;
            }
            LengthOfLength::One => {
                let h: &[u8; 2] = bytes.first_chunk().ok_or_else(truncated)?;
                header.packet_length = field::PACKET_LENGTH_8.get(h) as u32;
            }
            LengthOfLength::Two => {
                let h: &[u8; 4] = bytes.first_chunk().ok_or_else(truncated)?;
                header.user_defined = field::USER_DEFINED.get(h) as u8;
                header.protocol_id_extension = field::PROTOCOL_ID_EXTENSION.get(h) as u8;
                header.packet_length = field::PACKET_LENGTH_16.get(h) as u32;
            }
            LengthOfLength::Four => {
                let h: &[u8; 8] = bytes.first_chunk().ok_or_else(truncated)?;
                header.user_defined = field::USER_DEFINED.get(h) as u8;
                header.protocol_id_extension = field::PROTOCOL_ID_EXTENSION.get(h) as u8;
                header.ccsds_defined = field::CCSDS_DEFINED.get(h) as u16;
                header.packet_length = field::PACKET_LENGTH_32.get(h) as u32;
            }
        }
        header.check_length()?;
        Ok(header)
    }

    /// The Packet Length counts the header, so it can never be shorter than the header.
    fn check_length(&self) -> Result<(), Error> {
        if self.packet_len() < self.header_len() {
            return Err(WireError::invalid(
                1,
                "packet_length",
                self.packet_length.into(),
            ));
        }
        Ok(())
    }

    /// Writes the header into `out`, refusing anything [`EncapsulationHeader::parse_bytes`]
    /// would reject or could not represent (a field that the variant lacks set non-zero, a
    /// length that does not fit the variant).
    pub fn emit(&self, out: &mut [u8]) -> Result<(), Error> {
        let lol = self.length_of_length;
        let len = lol.header_len();
        let available = out.len();
        let dst = out.get_mut(..len).ok_or(WireError::buffer_too_small(
            "packet_header",
            len,
            available,
        ))?;
        self.check_length()?;
        if u64::from(self.packet_length) > lol.max_packet_len() {
            return Err(WireError::invalid(
                1,
                "packet_length",
                self.packet_length.into(),
            ));
        }
        let absent = |v: u64, f: Field| {
            if v == 0 {
                Ok(())
            } else {
                Err(WireError::invalid(f.byte_offset(), f.name, v))
            }
        };
        let mut h = [0u8; 8];
        field::VERSION.set(&mut h, VERSION.into(), 0)?;
        field::PROTOCOL_ID.set(&mut h, self.protocol_id.get().into(), 0)?;
        field::LENGTH_OF_LENGTH.set(&mut h, lol.bits().into(), 0)?;
        if matches!(lol, LengthOfLength::Zero | LengthOfLength::One) {
            absent(self.user_defined.into(), field::USER_DEFINED)?;
            absent(
                self.protocol_id_extension.into(),
                field::PROTOCOL_ID_EXTENSION,
            )?;
        } else {
            field::USER_DEFINED.set(&mut h, self.user_defined.into(), 0)?;
            field::PROTOCOL_ID_EXTENSION.set(&mut h, self.protocol_id_extension.into(), 0)?;
        }
        if lol != LengthOfLength::Four {
            absent(self.ccsds_defined.into(), field::CCSDS_DEFINED)?;
        }
        match lol {
            LengthOfLength::Zero => {
                if self.protocol_id != ProtocolId::IDLE {
                    return Err(WireError::invalid(0, field::LENGTH_OF_LENGTH.name, 0));
                }
            }
            // Field bit offsets count from the start of the header, so each variant's fields
            // are written straight into the 8-octet scratch header.
            LengthOfLength::One => {
                field::PACKET_LENGTH_8.set(&mut h, self.packet_length.into(), 0)?
            }
            LengthOfLength::Two => {
                field::PACKET_LENGTH_16.set(&mut h, self.packet_length.into(), 0)?
            }
            LengthOfLength::Four => {
                field::CCSDS_DEFINED.set(&mut h, self.ccsds_defined.into(), 0)?;
                field::PACKET_LENGTH_32.set(&mut h, self.packet_length.into(), 0)?;
            }
        }
        dst.copy_from_slice(h.get(..len).unwrap_or(&[]));
        Ok(())
    }

    /// Writes a whole packet (this header with its length set for `data`, then `data`) into
    /// `out`; returns the packet length.
    pub fn emit_packet(&self, data: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let total = data.len().saturating_add(self.header_len());
        let packet_length = u32::try_from(total)
            .map_err(|_| WireError::invalid(1, "packet_length", total as u64))?;
        let header = Self {
            packet_length,
            ..*self
        };
        let available = out.len();
        let dst = out.get_mut(..total).ok_or(WireError::buffer_too_small(
            "encapsulation_packet",
            total,
            available,
        ))?;
        let (h, d) = dst.split_at_mut(header.header_len());
        header.emit(h)?;
        d.copy_from_slice(data);
        Ok(total)
    }
}

/// A zero-copy view over one whole Encapsulation Packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncapsulationPacket<T: AsRef<[u8]>> {
    buffer: T,
    header: EncapsulationHeader,
}

impl<T: AsRef<[u8]>> EncapsulationPacket<T> {
    /// Wraps a buffer holding exactly one packet, after validating its header and that the
    /// buffer length equals the Packet Length.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let bytes = buffer.as_ref();
        let header = EncapsulationHeader::parse_bytes(bytes)?;
        let (declared, actual) = (header.packet_len(), bytes.len());
        if actual < declared {
            return Err(WireError::truncated(
                0,
                "encapsulated_data",
                declared,
                actual,
            ));
        }
        if actual > declared {
            return Err(WireError::length_mismatch(
                header.header_len() - 1,
                "packet_length",
                declared,
                actual,
            ));
        }
        Ok(Self { buffer, header })
    }

    /// The parsed header.
    pub const fn header(&self) -> &EncapsulationHeader {
        &self.header
    }

    /// The encapsulated data (after the header).
    pub fn data(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(self.header.header_len()..)
            .unwrap_or(&[])
    }

    /// True for Encapsulation Idle Packets (fill).
    pub fn is_idle(&self) -> bool {
        self.header.protocol_id == ProtocolId::IDLE
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccsds_core::ErrorKind;

    #[test]
    fn hand_worked_headers() {
        // 133.1-B-3 §4.1.2: version 111, PID 100 (BP), LoL 01 → 0xF1, then the 1-octet length.
        let mut buf = [0u8; 8];
        let h = EncapsulationHeader::for_data(ProtocolId::BUNDLE_PROTOCOL, 3).unwrap();
        assert_eq!(h.emit_packet(&[0xAA, 0xBB, 0xCC], &mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], &[0xF1, 0x05, 0xAA, 0xBB, 0xCC]);
        // LoL 10: F2 | UDF 0x3, PID ext 0x5 | length 0x0104.
        let h = EncapsulationHeader {
            protocol_id: ProtocolId::BUNDLE_PROTOCOL,
            length_of_length: LengthOfLength::Two,
            user_defined: 3,
            protocol_id_extension: 5,
            ..Default::default()
        };
        let mut big = [0u8; 300];
        assert_eq!(h.emit_packet(&[0; 256], &mut big).unwrap(), 260);
        assert_eq!(&big[..4], &[0xF2, 0x35, 0x01, 0x04]);
        let p = EncapsulationPacket::new_checked(&big[..260]).unwrap();
        assert_eq!(
            *p.header(),
            EncapsulationHeader {
                packet_length: 260,
                ..h
            }
        );
        // LoL 11: 8-octet header with CCSDS defined field and 32-bit length.
        let h = EncapsulationHeader {
            length_of_length: LengthOfLength::Four,
            ccsds_defined: 0xBEEF,
            ..h
        };
        h.emit_packet(&[7], &mut big).unwrap();
        assert_eq!(big[..9], [0xF3, 0x35, 0xBE, 0xEF, 0, 0, 0, 9, 7]);
        // The 1-octet idle packet.
        EncapsulationHeader::IDLE_OCTET.emit(&mut buf).unwrap();
        assert_eq!(buf[0], 0xE0);
        assert!(
            EncapsulationPacket::new_checked(&buf[..1])
                .unwrap()
                .is_idle()
        );
    }

    #[test]
    fn rejections() {
        let e = |b: &[u8]| EncapsulationPacket::new_checked(b).unwrap_err();
        assert_eq!(
            e(&[0x10]),
            WireError::invalid(0, "packet_version_number", 0)
        );
        assert_eq!(e(&[0xF0]), WireError::invalid(0, "length_of_length", 0)); // LoL 0 with PID ≠ idle
        assert_eq!(e(&[0xF1, 0x01]), WireError::invalid(1, "packet_length", 1)); // shorter than header
        assert_eq!(
            e(&[0xF2, 0x00, 0x00]).kind,
            ErrorKind::Truncated {
                needed: 4,
                available: 3
            }
        );
        assert_eq!(
            e(&[0xF1, 0x04, 0]).kind,
            ErrorKind::Truncated {
                needed: 4,
                available: 3
            }
        );
        assert_eq!(
            e(&[0xF1, 0x02, 0]).kind,
            ErrorKind::LengthMismatch {
                declared: 2,
                actual: 3
            }
        );
        assert!(
            e(&[]).kind
                == ErrorKind::Truncated {
                    needed: 1,
                    available: 0
                }
        );
        // Encoder refusals.
        let h = EncapsulationHeader {
            length_of_length: LengthOfLength::One,
            user_defined: 1,
            ..Default::default()
        };
        assert_eq!(
            h.emit_packet(&[1], &mut [0; 4]).unwrap_err().field,
            "user_defined_field"
        );
        let h = EncapsulationHeader {
            length_of_length: LengthOfLength::One,
            ..Default::default()
        };
        assert_eq!(
            h.emit_packet(&[0; 300], &mut [0; 400]).unwrap_err().field,
            "packet_length"
        );
        assert!(ProtocolId::new(8).is_err());
    }

    #[test]
    fn smallest_length_of_length() {
        assert_eq!(LengthOfLength::smallest_for(253), Some(LengthOfLength::One));
        assert_eq!(LengthOfLength::smallest_for(254), Some(LengthOfLength::Two));
        assert_eq!(
            LengthOfLength::smallest_for(65_531),
            Some(LengthOfLength::Two)
        );
        assert_eq!(
            LengthOfLength::smallest_for(65_532),
            Some(LengthOfLength::Four)
        );
    }
}
