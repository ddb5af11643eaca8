//! The host forwarder (`borealis pass`): what lands in the ground's uplink directory appears in
//! the payload's inbox, and the payload's downlink directory reaches the ground's inbox.

use std::ffi::OsString;
use std::path::Path;

use super::{MissionConfig, NodeError};
use crate::transport::fsutil;

/// What one pass moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Files moved from the uplink to the payload's inbox.
    pub uplinked: usize,
    /// Files moved from the downlink to the ground's inbox.
    pub downlinked: usize,
}

/// Moves every ready file (dot names are temporary or bookkeeping files and stay) from the
/// uplink to the payload inbox and from the downlink to the ground inbox, as the host does:
/// each file is copied durably under a temporary name, renamed into place, then removed from
/// its source, so an interrupted pass at worst delivers a file twice (the inbox's dedup
/// absorbs it), never loses one.
pub fn pass(mission: &Path, config: &MissionConfig) -> Result<PassReport, NodeError> {
    let r = |d: &Path| MissionConfig::resolve(mission, d);
    Ok(PassReport {
        uplinked: forward(&r(&config.uplink_dir), &r(&config.payload_inbox))?,
        downlinked: forward(&r(&config.downlink_dir), &r(&config.ground_inbox))?,
    })
}

fn forward(from: &Path, to: &Path) -> Result<usize, NodeError> {
    fsutil::ensure_dir(from)?;
    fsutil::ensure_dir(to)?;
    let io = |e: std::io::Error| NodeError::Io(format!("{}: {e}", from.display()));
    let mut names: Vec<OsString> = std::fs::read_dir(from)
        .map_err(io)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name())
        .filter(|n| fsutil::is_ready_name(n))
        .collect();
    names.sort();
    for name in &names {
        let bytes = std::fs::read(from.join(name)).map_err(io)?;
        fsutil::write_atomic(to, name, &bytes)?;
        std::fs::remove_file(from.join(name)).map_err(io)?;
    }
    if !names.is_empty() {
        fsutil::sync_dir(from)?;
    }
    Ok(names.len())
}
