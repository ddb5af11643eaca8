//! The mission configuration: `borealis.toml` in the mission directory, every field optional
//! with a documented default, so that a mission made by `borealis keys init` runs as is.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::NodeError;
use crate::session::{CachePolicy, RetryPolicy};
use crate::transport::{DEFAULT_MAX_FILE_OCTETS, DedupRetention};

/// Name of the configuration file in the mission directory.
pub const CONFIG_FILE: &str = "borealis.toml";

/// Octets of a bundle file kept for everything but an image chunk's data (primary block,
/// BCB, CRCs, message header): the chunk budget is the maximum file size minus this.
pub const BUNDLE_MARGIN: u64 = 1024;

/// The mission configuration (`borealis.toml`). Missing fields take the defaults below
/// ([`MissionConfig::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MissionConfig {
    /// Spacecraft id (CCSDS SCID, shown in the banner and telemetry). Default 42.
    pub scid: u16,
    /// Node number of the ground (`ipn:<ground_node>.0`). Default 1.
    pub ground_node: u64,
    /// Node number of the payload; must equal the node of the payload's OTAR store
    /// (`borealis keys init --payload-node`). Default 2.
    pub payload_node: u64,
    /// Where the ground writes request bundles (the host uploads this directory). Relative
    /// paths are under the mission directory. Default `uplink`.
    pub uplink_dir: PathBuf,
    /// Where the payload writes response bundles (the host downloads this directory).
    /// Default `downlink`.
    pub downlink_dir: PathBuf,
    /// The payload's inbox: where the host delivers uplinked files. Default `payload/inbox`.
    pub payload_inbox: PathBuf,
    /// The ground's inbox: where downlinked files arrive. Default `ground/inbox`.
    pub ground_inbox: PathBuf,
    /// Largest bundle file, octets (the host's per-upload limit). Default 5 000 000.
    pub max_file_octets: u64,
    /// Lifetime of every bundle sent, ms (RFC 9171 §4.2.6). Default: the retry deadline, so
    /// that no request outlives the payload's response cache (session module docs).
    pub bundle_lifetime_ms: Option<u64>,
    /// Default bundle-confidentiality key id (BCB-AES-GCM), used when no key is assigned to
    /// the peer in the key store (`borealis ground use-key`). Default 3 (`keys init`).
    pub bcb_key: u32,
    /// Width of the anti-replay window per (source, key), sequence numbers. Default 1024.
    pub replay_window: u32,
    /// Seed of the synthetic telemetry source. Default 1.
    pub telemetry_seed: u64,
    /// How often `payload run` scans its inbox when file notifications are unavailable, ms.
    /// Default 1000.
    pub poll_interval_ms: u64,
    /// The ground's retransmission policy.
    pub retry: RetryConfig,
    /// When each inbox's dedup log forgets the ids of expired bundles.
    pub dedup: DedupConfig,
}

/// [`DedupRetention`] in the configuration file (`[dedup]`; defaults:
/// [`DedupRetention::default`]: compact after 1024 expired ids, 1 h clock-skew margin, ids
/// without an expiry kept 30 days). The transport's `dedup` module docs say why each exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupConfig {
    /// Compact the log once more than this many of its ids have expired.
    pub compact_after: usize,
    /// An id counts as expired only this long after its bundle's expiry, ms: how far the
    /// node's clock may step back without a forgotten bundle becoming acceptable again.
    pub clock_skew_ms: u64,
    /// How long an id recorded without an expiry (a log line from before version 2) is kept
    /// after its creation time, ms; must exceed any bundle lifetime the node accepts.
    pub legacy_retention_ms: u64,
}

impl Default for DedupConfig {
    fn default() -> Self {
        let d = DedupRetention::default();
        Self {
            compact_after: d.compact_after,
            clock_skew_ms: d.clock_skew_ms,
            legacy_retention_ms: d.legacy_retention_ms,
        }
    }
}

impl From<DedupConfig> for DedupRetention {
    fn from(c: DedupConfig) -> Self {
        Self {
            compact_after: c.compact_after,
            clock_skew_ms: c.clock_skew_ms,
            legacy_retention_ms: c.legacy_retention_ms,
        }
    }
}

/// [`RetryPolicy`] in the configuration file (defaults: [`RetryPolicy::default`]: first
/// retransmission after 2 h, doubling, at most 3, give up after 24 h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryConfig {
    /// Wait before the first retransmission, ms.
    pub first_retransmit_ms: u64,
    /// Factor by which each further wait grows.
    pub backoff: u32,
    /// Cap on one wait, ms.
    pub max_interval_ms: u64,
    /// Most retransmissions of one request.
    pub max_retransmissions: u32,
    /// Time after which a request is given up, ms.
    pub deadline_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        let p = RetryPolicy::default();
        Self {
            first_retransmit_ms: p.first_retransmit_ms,
            backoff: p.backoff,
            max_interval_ms: p.max_interval_ms,
            max_retransmissions: p.max_retransmissions,
            deadline_ms: p.deadline_ms,
        }
    }
}

impl Default for MissionConfig {
    fn default() -> Self {
        Self {
            scid: 42,
            ground_node: 1,
            payload_node: 2,
            uplink_dir: PathBuf::from("uplink"),
            downlink_dir: PathBuf::from("downlink"),
            payload_inbox: PathBuf::from("payload/inbox"),
            ground_inbox: PathBuf::from("ground/inbox"),
            max_file_octets: DEFAULT_MAX_FILE_OCTETS,
            bundle_lifetime_ms: None,
            bcb_key: 3,
            replay_window: 1024,
            telemetry_seed: 1,
            poll_interval_ms: 1000,
            retry: RetryConfig::default(),
            dedup: DedupConfig::default(),
        }
    }
}

impl MissionConfig {
    /// Reads `<mission>/borealis.toml`, or the defaults if there is none.
    pub fn load(mission: &Path) -> Result<Self, NodeError> {
        let path = mission.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| NodeError::Config(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(NodeError::Config(format!("{}: {e}", path.display()))),
        }
    }

    /// Writes this configuration as `<mission>/borealis.toml`.
    pub fn save(&self, mission: &Path) -> Result<(), NodeError> {
        let text = toml::to_string(self).map_err(|e| NodeError::Config(e.to_string()))?;
        std::fs::write(mission.join(CONFIG_FILE), text)
            .map_err(|e| NodeError::Config(format!("{}: {e}", mission.display())))
    }

    /// The retransmission policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            first_retransmit_ms: self.retry.first_retransmit_ms,
            backoff: self.retry.backoff,
            max_interval_ms: self.retry.max_interval_ms,
            max_retransmissions: self.retry.max_retransmissions,
            deadline_ms: self.retry.deadline_ms,
            ..RetryPolicy::default()
        }
    }

    /// The payload's response-cache policy: covers the ground's deadline plus one day.
    pub fn cache_policy(&self) -> CachePolicy {
        CachePolicy::covering(&self.retry_policy(), 24 * 3_600_000, 4096)
    }

    /// Lifetime of sent bundles, ms.
    pub fn lifetime_ms(&self) -> u64 {
        self.bundle_lifetime_ms.unwrap_or(self.retry.deadline_ms)
    }

    /// The largest encoded image-chunk message (the chunk budget).
    pub fn chunk_budget(&self) -> usize {
        usize::try_from(self.max_file_octets.saturating_sub(BUNDLE_MARGIN)).unwrap_or(usize::MAX)
    }

    /// `dir` resolved against the mission directory.
    pub fn resolve(mission: &Path, dir: &Path) -> PathBuf {
        if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            mission.join(dir)
        }
    }
}
