#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

pub mod encap;
pub mod packet;
pub mod stream;

pub use ccsds_core::{ErrorKind, WireError as Error};
pub use encap::{EncapsulationHeader, EncapsulationPacket, LengthOfLength, ProtocolId};
pub use packet::{Apid, PacketType, PrimaryHeader, SequenceFlags, SpacePacket};
pub use stream::{PacketStream, StreamItem};
