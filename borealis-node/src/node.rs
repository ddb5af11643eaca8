//! The daemon wiring (issue #6): the mission configuration, the endpoint map, the bundle
//! security policy from the OTAR key store, the persistent per-node state, and the two roles
//! ([`PayloadNode`], [`GroundNode`]) plus the host forwarder ([`pass`]).
//!
//! # Endpoint map (`PROTOCOL.md`, "Endpoints")
//!
//! | endpoint | payload side receives | ground side receives |
//! |---|---|---|
//! | `ipn:<node>.0` | security source and bundle source of everything the node sends | |
//! | `ipn:<node>.1` | `Command`, `ImageRequest` | |
//! | `ipn:<node>.2` | `RekeyRequest` (OTAR) | |
//! | `ipn:<node>.3` | `TelemetryQuery` | `Telemetry` |
//! | `ipn:<node>.4` | | `Response`, `RekeyResult`, `ImageChunk`, `Error` |
//!
//! A verified bundle for another node, another endpoint, or with a message that does not belong
//! to its endpoint is quarantined with the reason, never handled.
//!
//! # Bundle security
//!
//! Keys come from the OTAR store of the side (payload: `payload/store.bin`; ground: its
//! mirror `ground/state.bin`), which resolves active keys only. The policy of each direction is
//! one rule: BCB-AES-GCM, A256GCM, AAD scope 7 (primary block, target and security headers:
//! RFC 9173 §4.3.4) over the payload block, security source `ipn:<sender>.0`. Scope bit 0
//! authenticates the primary block, so the creation-timestamp sequence number is the trusted
//! anti-replay counter and no BIB is needed (RFC 9172 §3.9 forbids a BIB over an encrypted
//! target anyway; key #2 of `keys init` stays provisioned for missions that add one).
//!
//! The sender uses the key assigned to the peer in its store (`ground use-key`), else the
//! configured `bcb_key`; the payload answers a request under the key that request came with.
//! A receiver accepts a bundle under any *active* bundle-confidentiality key, so a rekey
//! (upload → activate → switch → deactivate the old key) never breaks the link.

mod config;
mod ground;
mod pass;
mod payload;
mod state;
mod stop;

use std::path::{Path, PathBuf};

use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::AesVariant;
use bpsec::{Context, KeyId, Options, Policy, ReplayFilter, Rule, Targets};
use bpv7::block::BlockFlags;
use bpv7::bundle::BundleBuilder;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};
use otar::{KeyState, Purpose};

pub use config::{BUNDLE_MARGIN, CONFIG_FILE, DedupConfig, MissionConfig, RetryConfig};
pub use ground::{
    GroundNode, GroundReport, ImageDone, ImageProgress, Request, StoredResponse, summarize,
};
pub use pass::{LinkMode, PassReport, RADIO_DIR, pass, pass_over};
pub use payload::{PayloadNode, RunEnd, RunReport, synthetic_image};
pub use state::{Counters, MAC_LABEL, Role, STATE_FILE, StateFile, StateKey, migrate_state};
pub use stop::Stop;

use crate::env::Clock;
use crate::mission::{Failure, Sealed};
use crate::protocol::MessageKind;
use crate::secured::{self, Bundle, Downlink, Received, Verified};
use crate::transport::Outbox;

/// Service number of the command endpoint (`Command`, `ImageRequest`).
pub const COMMAND_SERVICE: u64 = 1;
/// Service number of the OTAR endpoint (`RekeyRequest`).
pub const OTAR_SERVICE: u64 = 2;
/// Service number of the telemetry endpoint (`TelemetryQuery` / `Telemetry`).
pub const TELEMETRY_SERVICE: u64 = 3;
/// Service number of the ground's response endpoint.
pub const RESPONSE_SERVICE: u64 = 4;

/// The endpoint service a message of `kind` is sent to (the endpoint map above).
pub const fn service_of(kind: MessageKind) -> u64 {
    match kind {
        MessageKind::Command | MessageKind::ImageRequest => COMMAND_SERVICE,
        MessageKind::RekeyRequest => OTAR_SERVICE,
        MessageKind::TelemetryQuery | MessageKind::Telemetry => TELEMETRY_SERVICE,
        MessageKind::Response
        | MessageKind::RekeyResult
        | MessageKind::ImageChunk
        | MessageKind::Error => RESPONSE_SERVICE,
    }
}

/// `ipn:<node>.<service>`.
pub const fn ipn(node: u64, service: u64) -> Eid<'static> {
    Eid::Ipn {
        allocator: 0,
        node,
        service,
    }
}

/// An error of the node (files judged bad are quarantined, not errors).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The configuration file is unreadable or invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// A mission file (key file, OTAR store) is missing or unusable.
    #[error("mission: {0}")]
    Mission(String),
    /// The node's state file is unreadable or corrupt.
    #[error("state: {0}")]
    State(String),
    /// The node's state file does not authenticate under the node's key: edited, damaged,
    /// truncated, or written under another key. Refused: its counters could have been set
    /// back, and IVs would be used twice (`node::state` module docs).
    #[error(
        "state file {}: not authentic (edited, damaged or written under another key); refused",
        path.display()
    )]
    StateNotAuthentic {
        /// The file.
        path: PathBuf,
    },
    /// The node's state file is the unauthenticated version-1 format. Refused until the
    /// operator signs it once with `borealis migrate-state` (`node::state` module docs).
    #[error(
        "state file {}: unauthenticated format version 1; refused (if the node wrote it, sign \
         it once with `borealis migrate-state --mission DIR`)",
        path.display()
    )]
    StateUnsigned {
        /// The file.
        path: PathBuf,
    },
    /// The transport failed.
    #[error("transport: {0}")]
    Transport(#[from] crate::transport::Error),
    /// An outgoing bundle could not be built or protected (nothing was written).
    #[error("protect: {0}")]
    Protect(#[from] secured::Error),
    /// A session operation failed.
    #[error("session: {0}")]
    Session(#[from] crate::session::SessionError),
    /// A message could not be encoded.
    #[error("encode: {0}")]
    Encode(#[from] crate::protocol::EncodeError),
    /// Other I/O.
    #[error("{0}")]
    Io(String),
    /// The radio link could not code or decode the uplink (`pass --link radio`).
    #[error("radio link: {0}")]
    Radio(#[from] crate::radio::RadioError),
}

impl From<Failure> for NodeError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Io(s) => Self::Mission(s),
            Failure::Refused(e) => Self::Mission(format!("refused: {e}")),
        }
    }
}

/// The BCB rule of one direction: A256GCM, AAD scope 7, over the payload, from `source`.
pub fn bcb_rule(source: Eid<'static>, key: KeyId) -> Rule<'static> {
    Rule {
        source,
        targets: Targets::Payload,
        context: Context::AesGcm {
            variant: AesVariant::A256Gcm,
            scope: Scope::ALL,
        },
        key,
    }
}

/// The active bundle-confidentiality keys of `store`, `preferred` first.
pub fn receive_keys(store: &otar::KeyStore, preferred: KeyId) -> Vec<KeyId> {
    let mut keys: Vec<KeyId> = store
        .ids_in(KeyState::Active)
        .filter(|id| store.purpose(*id) == Some(Purpose::BundleConfidentiality))
        .collect();
    keys.sort_by_key(|k| (*k != preferred, k.0));
    keys
}

/// One side of the link: its node numbers, keys, counters, replay filter and outbox. The
/// roles own one each and persist its state with theirs.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) config: MissionConfig,
    pub(crate) own: u64,
    pub(crate) peer: u64,
    pub(crate) keys: Sealed,
    pub(crate) counters: Counters,
    pub(crate) replay: ReplayFilter,
    pub(crate) outbox: Outbox,
}

impl Link {
    /// The key to send with: the one assigned to the peer, else the configured one.
    pub(crate) fn send_key(&self) -> KeyId {
        self.keys
            .state
            .store()
            .assigned(self.peer, Purpose::BundleConfidentiality)
            .unwrap_or(KeyId(self.config.bcb_key))
    }

    /// Builds, protects under `key` and writes one bundle carrying `message` to
    /// `ipn:<peer>.<service>`. The counters are reserved (persisted through `persist`) before
    /// the sequence number and IV are used. Nothing is written if protection fails.
    pub(crate) fn send(
        &mut self,
        message: &[u8],
        service: u64,
        key: KeyId,
        hint: &str,
        clock: &mut dyn Clock,
        persist: &mut dyn FnMut(&Counters, &ReplayFilter) -> Result<(), NodeError>,
    ) -> Result<PathBuf, NodeError> {
        if self.counters.needs_reserve() {
            self.counters.reserve();
            persist(&self.counters, &self.replay)?;
        }
        let sequence = self.counters.next_sequence();
        let source = ipn(self.own, 0);
        let primary = PrimaryBlock {
            flags: BundleFlags(0),
            crc_type: CrcType::Crc32C,
            destination: ipn(self.peer, service),
            source,
            report_to: source,
            creation: CreationTimestamp {
                time: clock.now_ms(),
                sequence,
            },
            lifetime: self.config.lifetime_ms(),
            fragment: None,
        };
        let builder = BundleBuilder::new(primary).payload(message, BlockFlags(0), CrcType::Crc32C);
        let policy = Policy::new().rule(bcb_rule(source, key));
        let protected = Bundle::build(&builder)?.protect(
            &policy,
            &source,
            self.keys.state.store(),
            self.counters.iv_mut(),
            &Options::STRICT,
        )?;
        let mut written = None;
        let outbox = &mut self.outbox;
        let mut downlink = Downlink::new(|bytes: &[u8]| {
            written = Some(
                outbox
                    .put(bytes, hint, clock)
                    .map_err(std::io::Error::other)?,
            );
            Ok(())
        });
        downlink
            .send(protected)
            .map_err(|e| NodeError::Io(e.to_string()))?;
        written.ok_or_else(|| NodeError::Io("bundle not written".into()))
    }

    /// Verifies `bytes` from the peer under each active bundle-confidentiality key (the
    /// preferred one first); returns the verified bundle and its key, or the error under the
    /// preferred key.
    pub(crate) fn verify(
        &mut self,
        bytes: Vec<u8>,
    ) -> Result<(Received<Verified>, KeyId), secured::Error> {
        let store = self.keys.state.store();
        let candidates = receive_keys(store, self.send_key());
        let source = ipn(self.peer, 0);
        let mut first_error = None;
        for key in candidates {
            let policy = Policy::new().rule(bcb_rule(source, key));
            match Received::new(bytes.clone()).verify(
                &policy,
                store,
                &mut self.replay,
                &Options::STRICT,
            ) {
                Ok(v) => return Ok((v, key)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(
            first_error.unwrap_or(secured::Error::Security(bpsec::Error::UnknownKey(KeyId(
                self.config.bcb_key,
            )))),
        )
    }

    /// The quarantine reason of a bundle [`Self::verify`] refused. A BCB-AES-GCM block does
    /// not name its key (RFC 9173 §4.3: IV, AES variant, wrapped key and AAD scope are its
    /// only parameters; which key is local policy), so a
    /// bundle under a key this side does not hold shows as a tag that verifies under none of
    /// the keys tried: the reason lists them, then the error under the preferred one.
    pub(crate) fn refusal(&self, error: &secured::Error) -> String {
        let keys: Vec<String> = receive_keys(self.keys.state.store(), self.send_key())
            .iter()
            .map(ToString::to_string)
            .collect();
        format!(
            "not verified under any active key ({}): {error}",
            keys.join(", ")
        )
    }

    /// Checks that a verified bundle is for this node and returns its destination service.
    pub(crate) fn destination_service(&self, bundle: &Received<Verified>) -> Result<u64, String> {
        let view = bundle.bundle().map_err(|e| e.to_string())?;
        match view.primary().destination {
            Eid::Ipn {
                allocator: 0,
                node,
                service,
            } if node == self.own => Ok(service),
            other => Err(format!(
                "wrong destination: {other} is not an endpoint of node {}",
                self.own
            )),
        }
    }
}

/// Loads an OTAR state file with its key file.
pub(crate) fn open_keys(key_path: &Path, path: PathBuf) -> Result<Sealed, NodeError> {
    Ok(Sealed::open(key_path, path)?)
}
