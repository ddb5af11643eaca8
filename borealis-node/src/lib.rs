//! The core of the Borealis reference node (issue #6), as a library so that each part is
//! tested on its own and the daemon (`src/main.rs`) only wires them together:
//!
//! | module | what |
//! |---|---|
//! | [`env`](mod@env) | the injected environment: the DTN clock (IVs come from `bpsec::IvCounter`), so a recorded exchange replays byte for byte |
//! | [`key_file`] | the operator's key file (`<id> <hex>` lines, 0600, zeroized) |
//! | [`mission`] | the mission directory of `borealis keys` (key files, OTAR state files of both sides) |
//! | [`node`] | the daemon: mission config, endpoint map, policy from the key store, persistent state, payload and ground roles, the forwarder |
//! | [`transport`] | the filesystem DTN transport: one bundle per file, atomic writes, durable dedup, quarantine with reasons, expiry, size limit, bounded store |
//! | [`radio`] | `--link radio`: bundles as Encapsulation Packets in TC frames in CLTUs, one coded stream per pass |
//! | [`protocol`] | the application protocol carried in bundle payloads (CBOR, versioned; `PROTOCOL.md`) |
//! | [`session`] | sans-IO request/response sessions: matching, timeouts, retransmissions, persisted |
//! | [`secured`] | bundles as typestate: only protected bundles reach the downlink, only verified ones a handler |
#![forbid(unsafe_code)]

pub mod env;
pub mod key_file;
pub mod mission;
pub mod node;
pub mod protocol;
pub mod radio;
pub mod secured;
pub mod session;
pub mod transport;
