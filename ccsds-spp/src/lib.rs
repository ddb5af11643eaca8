//! CCSDS Space Packets (133.0-B-2) and Encapsulation Packets (133.1-B-3).
//!
//! * [`packet`]: the Space Packet primary header as a zero-copy view ([`SpacePacket`]) and a plain
//!   value ([`PrimaryHeader`]) that parses and emits it, with checked identifiers ([`Apid`]).
//! * [`stream`]: iteration over a byte stream of concatenated packets, with truncated trailing
//!   packets reported rather than mis-read.
//! * [`encap`]: Encapsulation Packets, all four length-of-length variants, so that bundles and
//!   other non-CCSDS protocol data units can ride on a CCSDS link.
//!
//! Decoding never allocates and never panics: malformed input yields an [`Error`] naming the
//! field, its byte offset and what was wrong.
//!
//! ```
//! use ccsds_spp::{Apid, PacketType, PrimaryHeader, SequenceFlags, SpacePacket};
//!
//! let header = PrimaryHeader {
//!     packet_type: PacketType::Telecommand,
//!     apid: Apid::new(0x42)?,
//!     sequence_count: 12,
//!     ..PrimaryHeader::default()
//! };
//! let mut buf = [0u8; 9];
//! let len = header.emit_packet(b"abc", &mut buf)?;
//! assert_eq!(&buf[..6], &[0x10, 0x42, 0xC0, 0x0C, 0x00, 0x02]);
//!
//! let packet = SpacePacket::new_checked(&buf[..len])?;
//! assert_eq!(packet.apid(), Apid::new(0x42)?);
//! assert_eq!(packet.sequence_flags(), SequenceFlags::Unsegmented);
//! assert_eq!(packet.data(), b"abc");
//! assert_eq!(PrimaryHeader::parse(&packet)?, PrimaryHeader { packet_data_length: 2, ..header });
//! # Ok::<(), ccsds_spp::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

pub mod encap;
pub mod packet;
pub mod stream;

pub use ccsds_core::{ErrorKind, WireError as Error};
pub use encap::{EncapsulationHeader, EncapsulationPacket, LengthOfLength, ProtocolId};
pub use packet::{Apid, PacketType, PrimaryHeader, SequenceFlags, SpacePacket};
pub use stream::{PacketStream, StreamItem};
