#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod admin;
pub mod block;
pub mod bundle;
pub mod cbor;
pub mod crc;
pub mod eid;
pub mod error;
mod flags;
pub mod fragment;
pub mod primary;

pub use error::{Error, ErrorKind};
