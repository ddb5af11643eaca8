//! COP-1, the Communications Operation Procedure of CCSDS 232.1-B-2: reliable, in-order,
//! exactly-once delivery of Type-A TC frames over a lossy uplink, acknowledged through CLCWs on
//! the downlink.
//!
//! * [`farm`]: FARM-1, the receiving end (on the payload), which accepts or discards each frame
//!   and reports its state in the [`ccsds_core::Clcw`].
//! * [`fop`]: FOP-1, the sending end (on the ground), which numbers, transmits and retransmits
//!   frames and drives the FARM with control commands.
//!
//! Both are sans-IO: events in, actions out; time is an input.

pub mod farm;
pub mod fop;
