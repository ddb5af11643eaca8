#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod error;
pub mod ground;
pub mod kdf;
pub mod key;
pub mod message;
pub mod payload;
pub mod sign;
pub mod store;

pub use bpsec::KeyId;
pub use error::OtarError;
pub use key::{Active, Deactivated, Destroyed, Key, KeyState, PreActive};
pub use store::{ActivationPolicy, KeyStore, Purpose, StoredKey};
