//! CCSDS TC uplink link layer.
//!
//! * [`frame`]: TC Transfer Frames (CCSDS 232.0-B-4): primary header, segment header, FECF,
//!   the validity checks of §4.1, control commands (Unlock, Set V(R)).
//! * [`mux`]: segmentation of a packet stream into frames and reassembly on the other side,
//!   multiplexed over MAP identifiers.
//! * [`bch`], [`randomizer`], [`cltu`]: TC Synchronization and Channel Coding (CCSDS 231.0-B-4):
//!   BCH(63,56) code blocks, the TC pseudo-randomizer, CLTU encode/decode.
//!
//! All decoders are zero-copy views; all errors are [`Error`] (byte offset + field + kind).
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod bch;
pub mod cltu;
pub mod frame;
pub mod mux;
pub mod randomizer;

pub use ccsds_core::{ErrorKind, MapId, Scid, Vcid, WireError as Error};
