//! The host forwarder (`borealis pass`): what lands in the ground's uplink directory appears in
//! the payload's inbox, and the payload's downlink directory reaches the ground's inbox.
//!
//! Over [`LinkMode::Radio`] each direction crosses as one coded stream per pass
//! ([`crate::radio`]): the ground side encodes every uplink file into
//! `<mission>/radio/uplink-<n>.cltu` (CLTUs), the payload side encodes every downlink file into
//! `<mission>/radio/downlink-<n>.cadu` (CADUs); both are kept for `borealis inspect`, and the
//! receiving side decodes that file, and only that file, into bundle files in its inbox.

use std::ffi::OsString;
use std::path::Path;

use super::{MissionConfig, NodeError};
use crate::radio::{
    RadioConfig, RadioError, downlink_decode, downlink_encode, uplink_decode, uplink_encode,
};
use crate::transport::fsutil;

/// Directory of the coded uplink streams, under the mission directory.
pub const RADIO_DIR: &str = "radio";

/// How the forwarder carries the uplink.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LinkMode {
    /// One file per bundle, as the host forwards them.
    #[default]
    Files,
    /// One coded stream per pass and direction: Encapsulation Packets in TC frames in CLTUs
    /// up, in TM frames in CADUs down.
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
    let (down, ground) = (r(&config.downlink_dir), r(&config.ground_inbox));
    let radio = mission.join(RADIO_DIR);
    Ok(match link {
        LinkMode::Files => PassReport {
            uplinked: forward(&up, &inbox)?,
            downlinked: forward(&down, &ground)?,
        },
        LinkMode::Radio => PassReport {
            uplinked: forward_coded(&up, &radio, &inbox, config, &UPLINK)?,
            downlinked: forward_coded(&down, &radio, &ground, config, &DOWNLINK)?,
        },
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

/// One direction of the radio link: its coding and the names of its streams and bundles.
struct Coding {
    /// Stream file prefix (`uplink`, `downlink`).
    name: &'static str,
    /// Stream file extension (`cltu`, `cadu`).
    extension: &'static str,
    /// Prefix of the delivered bundle files.
    bundle_prefix: &'static str,
    encode: Encoder,
    decode: Decoder,
}

/// Bundles → coded stream ([`uplink_encode`], [`downlink_encode`]).
type Encoder = fn(&[&[u8]], &RadioConfig) -> Result<Vec<u8>, RadioError>;
/// Coded stream → bundles ([`uplink_decode`], [`downlink_decode`]).
type Decoder = fn(&[u8], &RadioConfig) -> Result<Vec<Vec<u8>>, RadioError>;

/// TC: CLTUs (231.0-B-4).
const UPLINK: Coding = Coding {
    name: "uplink",
    extension: "cltu",
    bundle_prefix: "radio",
    encode: uplink_encode,
    decode: uplink_decode,
};

/// TM: CADUs (131.0-B-4).
const DOWNLINK: Coding = Coding {
    name: "downlink",
    extension: "cadu",
    bundle_prefix: "radio-down",
    encode: downlink_encode,
    decode: downlink_decode,
};

/// One direction over the radio link: every file of `from` coded into the next
/// `radio/<name>-<n>.<extension>`, which is then decoded into `to` as
/// `<bundle_prefix>-<n>-<i>.bundle` (the stream carries no file names). Returns the number of
/// bundles delivered.
fn forward_coded(
    from: &Path,
    radio: &Path,
    to: &Path,
    config: &MissionConfig,
    coding: &Coding,
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
    let stream = (coding.encode)(&bundles, &link)?;
    // Sending side: the coded stream, the one file the host forwards.
    fsutil::ensure_dir(radio)?;
    let n = next_stream_number(radio, coding)?;
    let name = format!("{}-{n:06}.{}", coding.name, coding.extension);
    fsutil::write_atomic(radio, name.as_ref(), &stream)?;
    // Receiving side: only what is in that file.
    let received = std::fs::read(radio.join(&name)).map_err(io_error(radio))?;
    let bundles = (coding.decode)(&received, &link)?;
    fsutil::ensure_dir(to)?;
    for (i, bundle) in bundles.iter().enumerate() {
        let file = format!("{}-{n:06}-{i:04}.bundle", coding.bundle_prefix);
        fsutil::write_atomic(to, file.as_ref(), bundle)?;
    }
    remove_sent(from, &names)?;
    Ok(bundles.len())
}

/// One more than the highest `<name>-<n>.<extension>` in `radio` (0 if none).
fn next_stream_number(radio: &Path, coding: &Coding) -> Result<u64, NodeError> {
    Ok(ready_names(radio)?
        .iter()
        .filter_map(|n| n.to_str())
        .filter_map(|n| {
            n.strip_prefix(coding.name)?
                .strip_prefix('-')?
                .strip_suffix(coding.extension)?
                .strip_suffix('.')?
                .parse::<u64>()
                .ok()
        })
        .max()
        .map_or(0, |n| n.saturating_add(1)))
}
