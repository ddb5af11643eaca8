#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

pub mod clcw;
mod crc16;
mod error;
mod field;
mod id;
pub mod lfsr;

pub use clcw::Clcw;
pub use crc16::{Crc16, check_fecf, crc16_ccitt, fecf, fill_fecf};
pub use error::{ErrorKind, WireError};
pub use field::{Field, header_prefix, read_be, write_be};
pub use id::{MapId, Scid, Vcid};
