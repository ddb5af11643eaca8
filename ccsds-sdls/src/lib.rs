#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod crypto;
pub mod ep;
mod error;
pub mod fsr;
pub mod header;
pub mod key;
mod procedures;
pub mod replay;
pub mod sa;
pub mod suite;
pub mod tc;
pub mod tm;
pub mod trailer;

pub use ccsds_core::{ErrorKind, WireError};
pub use error::{Counter, Error};
pub use key::{KeyId, KeyMaterial, KeyResolver};
pub use procedures::{Applied, Processed, SaProvider, apply_security, process_security};
pub use sa::{SaConfig, SaCounters, SaState, SecurityAssociation};
pub use suite::Suite;

/// Largest authenticated header span (frame header + security header, 355.0-B-2 §3.4) the
/// crate masks and authenticates. The span is built in a stack buffer of this size so that
/// protecting and processing a frame never allocate; a TM frame with a 64-octet secondary
/// header and a maximal security header still fits.
pub const MAX_AAD_LEN: usize = 256;

/// Security Parameter Index (355.0-B-2 §3.2): the 16-bit identifier of the security
/// association that protects a frame. Every value is representable; whether one is configured
/// is the SA table's business (CryptoLib's tests use SPI 0 as a real SA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Spi(pub u16);

impl core::fmt::Display for Spi {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u16> for Spi {
    fn from(v: u16) -> Self {
        Self(v)
    }
}
