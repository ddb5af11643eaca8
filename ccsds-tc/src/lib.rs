#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod bch;
pub mod cltu;
pub mod cop1;
pub mod frame;
pub mod mux;
pub mod randomizer;

pub use ccsds_core::{ErrorKind, MapId, Scid, Vcid, WireError as Error};
