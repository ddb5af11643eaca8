//! CCSDS TM (132.0-B-3) and AOS (732.0-B-4) transfer frames, synchronization and channel coding (131.0-B-4).
//!
//! Placeholder crate of the Borealis-rs workspace: its codec arrives with its own issue. It already
//! builds `no_std` + `alloc` so the workspace layout and CI are fixed from the start.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
