#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod acceptor;
pub mod asb;
mod bundle_io;
pub mod context;
pub mod error;
mod key;
pub mod keywrap;
mod list;
pub mod policy;
pub mod replay;
mod rules;
mod source;

pub use acceptor::{Accepted, Checked, CheckedList, accept, verify};
pub use error::{Error, PolicyViolation};
pub use key::{KeyId, KeyResolver, KeyUsage, StaticKeys};
pub use policy::{Context, Policy, Rule, Service, Targets};
pub use replay::{ReplayError, ReplayFilter, ReplayWindow};
pub use source::{
    BcbSpec, BibSpec, IvCounter, IvSource, NewBlock, Options, Placement, add_bcb, add_bib, seal,
};
