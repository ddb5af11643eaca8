//! Shared primitives of the Borealis CCSDS crates.
//!
//! Every CCSDS header in this workspace is described once, as a table of [`Field`]s (name, bit
//! offset, width), and both the decoder and the encoder read that one table, so parse and emit
//! cannot disagree about a layout. The same crate holds the one error type of the CCSDS layer
//! ([`WireError`]: byte offset + field + kind), the checked identifiers shared by several link
//! protocols ([`Scid`], [`Vcid`], [`MapId`]), and the CRC-16 used by every CCSDS frame check
//! sequence.
//!
//! Bit numbering follows CCSDS: bit 0 is the most significant bit of the first octet.
//!
//! ```
//! use ccsds_core::{Field, crc16_ccitt};
//!
//! // A 10-bit field starting at bit 6 of a 2-octet header.
//! const SCID: Field = Field::new("scid", 6, 10);
//! let mut hdr = [0u8; 2];
//! SCID.set(&mut hdr, 0x3AB, 0).unwrap();
//! assert_eq!(hdr, [0x03, 0xAB]);
//! assert_eq!(SCID.get(&hdr), 0x3AB);
//! assert_eq!(crc16_ccitt(b"123456789"), 0x29B1);
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

mod crc16;
mod error;
mod field;
mod id;

pub use crc16::{Crc16, crc16_ccitt};
pub use error::{ErrorKind, WireError};
pub use field::{Field, read_be, write_be};
pub use id::{MapId, Scid, Vcid};
