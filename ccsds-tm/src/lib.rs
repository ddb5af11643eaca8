#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod aos;
pub mod cadu;
pub mod ocf;
pub mod packet_service;
pub mod randomizer;
pub mod rs;
pub mod sync;
pub mod tm;
mod trailer;

pub use ccsds_core::{Clcw, ErrorKind, Scid, Vcid, WireError as Error};
