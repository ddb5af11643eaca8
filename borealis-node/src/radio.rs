//! The radio link mode (`borealis pass --link radio`, issue #6): the same bundles the
//! filesystem transport carries as files, coded as the physical layer would carry them, so the
//! host forwards one coded stream instead of one file per bundle.
//!
//! Uplink, ground side ([`uplink_encode`]):
//!
//! 1. each bundle in an Encapsulation Packet with protocol id 4, Bundle Protocol
//!    (133.1-B-3 §4.1.2.3; the smallest length of length that fits, §4.1.2.4);
//! 2. the packets on one MAP of one Virtual Channel, blocked into or segmented across Type-BD
//!    TC Transfer Frames with FECF (232.0-B-4 §4.2.2–4.2.3, §4.1.4); N(S) counts the frames of
//!    the stream from 0, so the receiver detects a lost frame (the link has no COP-1 here:
//!    the bundle layer retransmits);
//! 3. each frame randomized (231.0-B-4 §6) and BCH-coded into one CLTU (§5), the CLTUs back
//!    to back.
//!
//! Payload side ([`uplink_decode`]): the reverse, with every check of each layer: CLTU decoding
//! corrects one bit error per code block, the frame must pass its checks (FECF included) and
//! belong to the configured SCID/VCID/MAP, segments must arrive in sequence, every packet must
//! be a Bundle Protocol Encapsulation Packet (idle packets are skipped). Any failure returns a
//! [`RadioError`] naming the CLTU's offset in the stream; malformed input never panics.
//!
//! Downlink ([`downlink_encode`], [`downlink_decode`], in [`downlink`]): the same
//! Encapsulation Packets through the TM packet service into 1115-octet TM frames with FECF,
//! each a CADU (RS(255,223) interleaved 5, randomized, ASM; 131.0-B-4).

pub mod downlink;

pub use downlink::{DOWNLINK_FRAME_LEN, downlink_decode, downlink_encode};

use ccsds_core::WireError;
use ccsds_spp::encap::{EncapsulationHeader, EncapsulationPacket, ProtocolId};
use ccsds_tc::bch::DecodeMode;
use ccsds_tc::cltu::{self, CltuConfig};
use ccsds_tc::frame::{FrameConfig, MAX_FRAME_LEN, TcFrame};
use ccsds_tc::mux::{self, ReassemblerConfig, ReassemblyError, Segmenter, SegmenterConfig};
use ccsds_tc::{MapId, Scid, Vcid};
use ccsds_tm::packet_service::ExtractorStats;

use crate::node::MissionConfig;

/// Default Virtual Channel of the uplink (VC 0 is commonly kept for spacecraft commanding).
pub const DEFAULT_VCID: u8 = 1;
/// Default MAP of the bundles on that Virtual Channel.
pub const DEFAULT_MAP_ID: u8 = 1;

/// The link parameters both sides agree on (managed parameters, 232.0-B-4 §5; 231.0-B-4 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RadioConfig {
    /// Spacecraft id of every frame.
    pub scid: Scid,
    /// Virtual Channel of every frame.
    pub vcid: Vcid,
    /// MAP of every frame.
    pub map_id: MapId,
    /// Maximum TC Transfer Frame length, octets (≤ 1024, 232.0-B-4 §4.1.2.7).
    pub max_frame_len: usize,
    /// Largest bundle the receiver reassembles (a memory cap per MAP).
    pub max_bundle_len: usize,
}

impl RadioConfig {
    /// The link of a mission: its SCID (which must fit the 10-bit TC field, 232.0-B-4
    /// §4.1.2.4), [`DEFAULT_VCID`], [`DEFAULT_MAP_ID`], 1024-octet frames, and bundles up to
    /// the mission's maximum file size.
    pub fn for_mission(config: &MissionConfig) -> Result<Self, RadioError> {
        Ok(Self {
            scid: Scid::new(config.scid).map_err(RadioError::Config)?,
            vcid: Vcid::new(DEFAULT_VCID).map_err(RadioError::Config)?,
            map_id: MapId::new(DEFAULT_MAP_ID).map_err(RadioError::Config)?,
            max_frame_len: MAX_FRAME_LEN,
            max_bundle_len: usize::try_from(config.max_file_octets).unwrap_or(usize::MAX),
        })
    }

    fn segmenter(&self) -> Result<Segmenter, RadioError> {
        Segmenter::new(SegmenterConfig {
            scid: self.scid,
            vcid: self.vcid,
            bypass: true,
            fecf: true,
            max_frame_len: self.max_frame_len,
        })
        .map_err(RadioError::Config)
    }
}

/// CLTU coding of the uplink: randomized, error-correcting decoding (231.0-B-4 §3, §6).
const CLTU: CltuConfig = CltuConfig {
    randomize: true,
    mode: DecodeMode::Correct,
};

/// Frame layout of the uplink VC: MAPs (segment header) and FECF.
const FRAME: FrameConfig = FrameConfig {
    segment_header: true,
    fecf: true,
};

/// Why a coded stream could not be produced or read. `offset` is the octet offset, in the
/// stream, of the CLTU where the failure was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RadioError {
    /// The link configuration is invalid (e.g. an SCID wider than 10 bits).
    #[error("link configuration: {0}")]
    Config(WireError),
    /// A bundle could not be encapsulated or framed (e.g. larger than 4 GiB).
    #[error("bundle {index}: {error}")]
    Encode {
        /// Index of the bundle in the input.
        index: usize,
        /// The codec's error.
        error: WireError,
    },
    /// A CLTU could not be decoded (no start or tail sequence, an uncorrectable code block)
    /// or the frame in it is invalid (frame length, FECF, version, spare bits).
    #[error("CLTU at octet {offset}: {error}")]
    Frame {
        /// Offset of the CLTU in the stream.
        offset: usize,
        /// The codec's error (offset within the CLTU's decoded octets or the frame).
        error: WireError,
    },
    /// A valid frame of another spacecraft, Virtual Channel or MAP.
    #[error("frame at octet {offset}: frame of SCID {scid}, VC {vcid}, MAP {map_id:?}, not ours")]
    WrongChannel {
        /// Offset of the CLTU (uplink) or CADU (downlink) in the stream.
        offset: usize,
        /// The frame's SCID.
        scid: u16,
        /// The frame's VCID.
        vcid: u8,
        /// The frame's MAP ID, if it has a segment header.
        map_id: Option<u8>,
    },
    /// Segments were lost or out of order (232.0-B-4 §4.3.3), or a bundle exceeds the cap.
    #[error("CLTU at octet {offset}: {error}")]
    Reassembly {
        /// Offset of the CLTU in the stream.
        offset: usize,
        /// What the reassembler dropped.
        error: ReassemblyError,
    },
    /// A reassembled packet is not a valid Encapsulation Packet.
    #[error("CLTU at octet {offset}: packet: {error}")]
    Packet {
        /// Offset of the CLTU that completed the packet.
        offset: usize,
        /// The codec's error.
        error: WireError,
    },
    /// An Encapsulation Packet of another protocol than the Bundle Protocol.
    #[error("CLTU at octet {offset}: packet of protocol {protocol_id}, not a bundle")]
    NotABundle {
        /// Offset of the CLTU that completed the packet.
        offset: usize,
        /// The packet's protocol id (133.1-B-3 §4.1.2.3).
        protocol_id: u8,
    },
    /// A downlink CADU could not be decoded (an uncorrectable Reed-Solomon codeword) or the
    /// TM frame in it is invalid (FECF, version, not a packet-service frame).
    #[error("CADU at octet {offset}: {error}")]
    Cadu {
        /// Offset of the CADU's marker in the stream.
        offset: usize,
        /// The codec's error.
        error: WireError,
    },
    /// The downlink packet service lost or dropped octets: a frame missing (VC frame count
    /// gap), an invalid packet header, an FHP contradicting the packets, a packet over the cap.
    #[error("CADU at octet {offset}: packet service lost data ({stats:?})")]
    Lost {
        /// Offset of the CADU's marker in the stream.
        offset: usize,
        /// What the extractor counted in that frame.
        stats: ExtractorStats,
    },
    /// The first frame of a downlink stream does not have VC frame count 0: every stream
    /// counts its frames from 0, so the frames before this one were lost (their CADUs were
    /// damaged beyond synchronization), and the bundles they carried with them.
    #[error(
        "CADU at octet {offset}: first frame has VC frame count {vc_frame_count}, not 0: frames lost"
    )]
    StreamStart {
        /// Offset of the first CADU found in the stream.
        offset: usize,
        /// The VC frame count of the first frame found.
        vc_frame_count: u8,
    },
    /// The downlink stream does not end with an idle-data frame (it was cut, or holds no
    /// frame at all), so its last bundles may be missing.
    #[error("downlink stream cut: {frames} frames, no closing idle frame")]
    Unterminated {
        /// Frames decoded.
        frames: usize,
    },
    /// The stream ends in the middle of a segmented bundle.
    #[error("stream ends inside a bundle ({pending} octets received)")]
    Incomplete {
        /// Octets of the unfinished bundle.
        pending: usize,
    },
}

/// Codes `bundles` into the uplink stream: Encapsulation Packets → TC frames on one VC/MAP →
/// CLTUs, back to back (see the module docs). An empty input gives an empty stream.
pub fn uplink_encode(bundles: &[&[u8]], cfg: &RadioConfig) -> Result<Vec<u8>, RadioError> {
    let segmenter = cfg.segmenter()?;
    let packets = encapsulate(bundles)?;
    let sdus: Vec<&[u8]> = packets.iter().map(Vec::as_slice).collect();
    let mut frames = segmenter
        .frames(cfg.map_id, &sdus)
        .map_err(|error| RadioError::Encode { index: 0, error })?;
    let mut frame = vec![0u8; cfg.max_frame_len];
    let mut stream = Vec::new();
    let mut sequence_number = 0u8;
    while let Some(len) = frames.next_frame(sequence_number, &mut frame) {
        let encode = |error| RadioError::Encode { index: 0, error };
        let frame = frame.get(..len.map_err(encode)?).unwrap_or_default();
        let at = stream.len();
        stream.resize(at + cltu::encoded_len(frame.len()), 0);
        cltu::encode(frame, &CLTU, stream.get_mut(at..).unwrap_or_default()).map_err(encode)?;
        sequence_number = sequence_number.wrapping_add(1);
    }
    Ok(stream)
}

/// Each bundle in an Encapsulation Packet of the Bundle Protocol (133.1-B-3 §4.1.2.3), with
/// the shortest Length of Length that fits (§4.1.2.4).
fn encapsulate(bundles: &[&[u8]]) -> Result<Vec<Vec<u8>>, RadioError> {
    bundles
        .iter()
        .enumerate()
        .map(|(index, bundle)| {
            let encode = |error| RadioError::Encode { index, error };
            let header = EncapsulationHeader::for_data(ProtocolId::BUNDLE_PROTOCOL, bundle.len())
                .map_err(encode)?;
            let mut packet = vec![0u8; header.header_len().saturating_add(bundle.len())];
            header.emit_packet(bundle, &mut packet).map_err(encode)?;
            Ok(packet)
        })
        .collect()
}

/// The bundle in one received packet: it must be a Bundle Protocol Encapsulation Packet;
/// idle packets give `None`.
fn bundle_of(bytes: &[u8], offset: usize) -> Result<Option<&[u8]>, RadioError> {
    let header = *EncapsulationPacket::new_checked(bytes)
        .map_err(|error| RadioError::Packet { offset, error })?
        .header();
    match header.protocol_id {
        ProtocolId::IDLE => Ok(None),
        ProtocolId::BUNDLE_PROTOCOL => Ok(bytes.get(header.header_len()..)),
        other => Err(RadioError::NotABundle {
            offset,
            protocol_id: other.get(),
        }),
    }
}

/// Decodes an uplink stream back into its bundles, in order, checking every layer (see the
/// module docs). Fails on the first invalid CLTU, frame or packet: the stream is one file, so
/// the forwarder keeps or drops it as a whole and the bundle layer retransmits.
pub fn uplink_decode(stream: &[u8], cfg: &RadioConfig) -> Result<Vec<Vec<u8>>, RadioError> {
    let mut rx = mux::Reassembler::new(ReassemblerConfig {
        max_sdu_len: cfg.max_bundle_len.saturating_add(8),
        check_sequence: true,
    });
    // The information octets of the largest valid CLTU: a 1024-octet frame plus fill.
    let mut decoded = vec![0u8; MAX_FRAME_LEN + 7];
    let mut bundles = Vec::new();
    let mut offset = 0;
    while let Some(rest) = stream.get(offset..).filter(|r| !r.is_empty()) {
        let at = |error| RadioError::Frame { offset, error };
        let (len, report) = cltu::decode_frame(rest, &CLTU, &mut decoded).map_err(at)?;
        let frame =
            TcFrame::new_checked(decoded.get(..len).unwrap_or_default(), FRAME).map_err(at)?;
        let map_id = frame.segment_header().map(|s| s.map_id);
        if frame.scid() != cfg.scid || frame.vcid() != cfg.vcid || map_id != Some(cfg.map_id) {
            return Err(RadioError::WrongChannel {
                offset,
                scid: frame.scid().get(),
                vcid: frame.vcid().get(),
                map_id: map_id.map(MapId::get),
            });
        }
        let mut result = Ok(());
        rx.push(&frame, |_, sdu| {
            if result.is_ok() {
                result = unpack(sdu, offset, &mut bundles);
            }
        })
        .map_err(|error| RadioError::Reassembly { offset, error })?;
        result?;
        offset += report.consumed;
    }
    match rx.pending(cfg.map_id) {
        0 => Ok(bundles),
        pending => Err(RadioError::Incomplete { pending }),
    }
}

/// The bundles in one MAP SDU: a whole segmented packet, or the packets blocked in an
/// unsegmented frame (232.0-B-4 §4.3.3).
fn unpack(sdu: &[u8], offset: usize, bundles: &mut Vec<Vec<u8>>) -> Result<(), RadioError> {
    let packet_len = |p: &[u8]| {
        EncapsulationHeader::parse_bytes(p)
            .ok()
            .map(|h| h.packet_len())
    };
    for packet in mux::deblock(sdu, packet_len) {
        let packet = packet.map_err(|error| RadioError::Packet { offset, error })?;
        if let Some(bundle) = bundle_of(packet, offset)? {
            bundles.push(bundle.to_vec());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> RadioConfig {
        RadioConfig::for_mission(&MissionConfig::default()).unwrap()
    }

    #[test]
    fn small_bundles_are_blocked_into_one_frame() {
        let stream = uplink_encode(&[b"one", b"two", b"three"], &cfg()).unwrap();
        // One frame: 5 + 1 + (2+3) + (2+3) + (2+5) + 2 = 25 octets → 4 code blocks.
        assert_eq!(stream.len(), cltu::encoded_len(25));
        let bundles = uplink_decode(&stream, &cfg()).unwrap();
        assert_eq!(bundles, [&b"one"[..], b"two", b"three"]);
    }

    #[test]
    fn empty_stream_has_no_bundles() {
        assert!(uplink_encode(&[], &cfg()).unwrap().is_empty());
        assert!(uplink_decode(&[], &cfg()).unwrap().is_empty());
    }

    #[test]
    fn scid_wider_than_ten_bits_is_refused() {
        let mission = MissionConfig {
            scid: 1024,
            ..MissionConfig::default()
        };
        assert!(matches!(
            RadioConfig::for_mission(&mission),
            Err(RadioError::Config(_))
        ));
    }
}
