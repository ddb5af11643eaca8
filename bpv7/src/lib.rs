//! Bundle Protocol version 7 (RFC 9171) codec.
//!
//! Placeholder crate of the Borealis-rs workspace: its codec arrives with its own issue. It already
//! builds `no_std` + `alloc` so the workspace layout and CI are fixed from the start.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
