#![doc = include_str!("../README.md")]
//!
//! # Specifications
//!
//! - CCSDS 355.1-B-1, SDLS Extended Procedures: key management (key states, OTAR, activation,
//!   deactivation, verification, destruction) — [`key`], [`store`], [`message`], [`payload`].
//! - FIPS 204, ML-DSA (ML-DSA-65: Algorithms 2/3 with a context string, 6 KeyGen_internal) —
//!   [`sign`].
//! - RFC 3394, AES Key Wrap (§2.2.1 wrap, §2.2.2 unwrap, §2.2.3 integrity check), through
//!   `bpsec::keywrap` — [`payload`], [`ground`], [`store`].
//! - RFC 5869, HKDF (§2.2 extract, §2.3 expand) — [`kdf`].
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod error;
pub mod ground;
pub mod kdf;
pub mod key;
pub mod message;
pub mod payload;
pub mod sdls_ep;
pub mod sign;
pub mod store;

pub use bpsec::KeyId;
pub use error::OtarError;
pub use key::{Active, Deactivated, Destroyed, Key, KeyState, PreActive};
pub use store::{ActivationPolicy, KeyStore, Purpose, StoredKey};
