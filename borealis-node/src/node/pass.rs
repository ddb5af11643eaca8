//! The host forwarder (`borealis pass`): what lands in the ground's uplink directory appears in
//! the payload's inbox, and the payload's downlink directory reaches the ground's inbox.
//!
//! Over [`LinkMode::Radio`] the uplink crosses as one coded stream per pass ([`crate::radio`]):
//! the ground side encodes every uplink file into `<mission>/radio/uplink-<n>.cltu` (kept for
//! `borealis inspect`), the payload side decodes that file, and only that file, into bundle
//! files in its inbox. The downlink is still moved file by file (TM coding is not done yet).

use std::ffi::OsString;
use std::path::Path;

use super::{MissionConfig, NodeError};
use crate::radio::{RadioConfig, uplink_decode, uplink_encode};
use crate::transport::fsutil;

/// Directory of the coded uplink streams, under the mission directory.
pub const RADIO_DIR: &str = "radio";

/// How the forwarder carries the uplink.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LinkMode {
    /// One file per bundle, as the host forwards them.
    #[default]
    Files,
    /// One coded stream per pass: Encapsulation Packets in TC frames in CLTUs.
    Radio,
}

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
    pass_over(mission, config, LinkMode::Files)
}

/// [`pass`] over `link`. Over [`LinkMode::Radio`] the coded stream is written durably before any
/// bundle is delivered and the uplink files are removed last, so an interrupted pass at worst
/// sends them again in the next stream (the inbox's dedup absorbs the duplicates).
pub fn pass_over(
    mission: &Path,
    config: &MissionConfig,
    link: LinkMode,
) -> Result<PassReport, NodeError> {
    let r = |d: &Path| MissionConfig::resolve(mission, d);
    let (up, inbox) = (r(&config.uplink_dir), r(&config.payload_inbox));
    let uplinked = match link {
        LinkMode::Files => forward(&up, &inbox)?,
        LinkMode::Radio => forward_coded(&up, &mission.join(RADIO_DIR), &inbox, config)?,
    };
    Ok(PassReport {
        uplinked,
        downlinked: forward(&r(&config.downlink_dir), &r(&config.ground_inbox))?,
    })
}

fn io_error(dir: &Path) -> impl Fn(std::io::Error) -> NodeError + '_ {
    move |e| NodeError::Io(format!("{}: {e}", dir.display()))
}

/// The ready files of `dir`, sorted by name.
fn ready_names(dir: &Path) -> Result<Vec<OsString>, NodeError> {
    fsutil::ensure_dir(dir)?;
    let mut names: Vec<OsString> = std::fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name())
        .filter(|n| fsutil::is_ready_name(n))
        .collect();
    names.sort();
    Ok(names)
}

/// Removes the forwarded files from `dir`.
fn remove_sent(dir: &Path, names: &[OsString]) -> Result<(), NodeError> {
    for name in names {
        std::fs::remove_file(dir.join(name)).map_err(io_error(dir))?;
    }
    if !names.is_empty() {
        fsutil::sync_dir(dir)?;
    }
    Ok(())
}

fn forward(from: &Path, to: &Path) -> Result<usize, NodeError> {
    let names = ready_names(from)?;
    fsutil::ensure_dir(to)?;
    for name in &names {
        let bytes = std::fs::read(from.join(name)).map_err(io_error(from))?;
        fsutil::write_atomic(to, name, &bytes)?;
    }
    remove_sent(from, &names)?;
    Ok(names.len())
}

/// The uplink over the radio link: every file of `from` coded into the next
/// `radio/uplink-<n>.cltu`, which is then decoded into `to` as `radio-<n>-<i>.bundle` (the
/// stream carries no file names). Returns the number of bundles delivered.
fn forward_coded(
    from: &Path,
    radio: &Path,
    to: &Path,
    config: &MissionConfig,
) -> Result<usize, NodeError> {
    let names = ready_names(from)?;
    if names.is_empty() {
        return Ok(0);
    }
    let files = names
        .iter()
        .map(|n| std::fs::read(from.join(n)).map_err(io_error(from)))
        .collect::<Result<Vec<_>, _>>()?;
    let link = RadioConfig::for_mission(config)?;
    let bundles: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let stream = uplink_encode(&bundles, &link)?;
    // Ground side: the coded stream, the one file the host forwards.
    fsutil::ensure_dir(radio)?;
    let n = next_stream_number(radio)?;
    let name = format!("uplink-{n:06}.cltu");
    fsutil::write_atomic(radio, name.as_ref(), &stream)?;
    // Payload side: only what is in that file.
    let received = std::fs::read(radio.join(&name)).map_err(io_error(radio))?;
    let bundles = uplink_decode(&received, &link)?;
    fsutil::ensure_dir(to)?;
    for (i, bundle) in bundles.iter().enumerate() {
        fsutil::write_atomic(to, format!("radio-{n:06}-{i:04}.bundle").as_ref(), bundle)?;
    }
    remove_sent(from, &names)?;
    Ok(bundles.len())
}

/// One more than the highest `uplink-<n>.cltu` in `radio` (0 if none).
fn next_stream_number(radio: &Path) -> Result<u64, NodeError> {
    Ok(ready_names(radio)?
        .iter()
        .filter_map(|n| n.to_str())
        .filter_map(|n| {
            n.strip_prefix("uplink-")?
                .strip_suffix(".cltu")?
                .parse::<u64>()
                .ok()
        })
        .max()
        .map_or(0, |n| n.saturating_add(1)))
}
