//! The radio downlink: bundles as Encapsulation Packets (133.1-B-3) in the packet service of
//! one TM Virtual Channel (132.0-B-3 §4.1.4), each 1115-octet frame with FECF coded into a
//! CADU: Reed-Solomon (255,223) with interleaving depth 5, pseudo-randomized, behind the ASM
//! (131.0-B-4 §4, §9, §10).
//!
//! [`downlink_encode`] packs the packets back to back across frames (a bundle of megabytes
//! spans thousands of frames), counts the frames from 0 so the receiver sees a lost one, and
//! closes the stream with [`CLOSING_IDLE_FRAMES`] idle-data frames: the frame synchronizer
//! confirms a code block by the marker that follows it, and the receiver knows the stream
//! was not cut. [`downlink_decode`] synchronizes (at any bit offset), derandomizes and
//! corrects each code block, checks each frame (FECF, SCID, VCID) and rebuilds the packets;
//! any loss refuses the whole stream with a [`RadioError`] naming the CADU's offset —
//! including the loss of the first frames, seen as a first frame whose count is not 0.

use ccsds_core::WireError;
use ccsds_tm::cadu::CaduCodec;
use ccsds_tm::ocf::Ocf;
use ccsds_tm::packet_service::{
    ExtractorConfig, FirstHeaderPointer, FrameData, MAX_EXTRACTED_PACKET_LEN, PacketExtractor,
    PacketGenerator,
};
use ccsds_tm::rs::ErrorCapability;
use ccsds_tm::sync::FrameSynchronizer;
use ccsds_tm::tm::{DataFieldContent, TmConfig, TmFrame, TmFrameRepr};

use super::{RadioConfig, RadioError, bundle_of, encapsulate};

/// TM Transfer Frame length: 5 × 223 octets, the information part of RS(255,223) interleaved
/// 5 (131.0-B-4 §4).
pub const DOWNLINK_FRAME_LEN: usize = 1115;

/// Idle-data frames (FHP `0x7FE`) that close every non-empty downlink stream.
pub const CLOSING_IDLE_FRAMES: usize = 2;

/// Frame layout: FECF always (132.0-B-3 §4.1.6); the OCF flag is read from each frame.
const TM: TmConfig = TmConfig {
    frame_len: DOWNLINK_FRAME_LEN,
    fecf: true,
};

/// RS(255,223) E = 16, I = 5, randomized (131.0-B-4 §4, §10).
fn codec() -> Result<CaduCodec, RadioError> {
    CaduCodec::new(DOWNLINK_FRAME_LEN, Some((ErrorCapability::E16, 5)), true)
        .map_err(RadioError::Config)
}

/// Codes `bundles` into the downlink CADU stream (see the module docs), frames without OCF (no
/// COP-1 on this link: the bundle layer retransmits). An empty input gives an empty stream.
pub fn downlink_encode(bundles: &[&[u8]], cfg: &RadioConfig) -> Result<Vec<u8>, RadioError> {
    encode_with_ocf(bundles, cfg, None)
}

/// [`downlink_encode`] with `ocf` in every frame (132.0-B-3 §4.1.5; the decoder reads each
/// frame's OCF flag, so both layouts decode).
fn encode_with_ocf(
    bundles: &[&[u8]],
    cfg: &RadioConfig,
    ocf: Option<Ocf>,
) -> Result<Vec<u8>, RadioError> {
    if bundles.is_empty() {
        return Ok(Vec::new());
    }
    let codec = codec()?;
    let packets = encapsulate(bundles)?;
    let config = |error| RadioError::Config(error);
    let mut repr = TmFrameRepr::idle(
        ccsds_tm::Scid::new(cfg.scid.get()).map_err(config)?,
        ccsds_tm::Vcid::new(cfg.vcid.get()).map_err(config)?,
    );
    repr.fecf = true;
    repr.ocf = ocf;
    let mut data = vec![0u8; repr.data_len_for(DOWNLINK_FRAME_LEN).map_err(config)?];
    let mut frame = vec![0u8; DOWNLINK_FRAME_LEN];
    let mut cadu = vec![0u8; codec.cadu_len()];
    let mut stream = Vec::new();
    let mut generator = PacketGenerator::new();
    let mut queue = packets.as_slice();
    let mut idle_frames = 0;
    let mut count = 0u8;
    while idle_frames < CLOSING_IDLE_FRAMES {
        let encode = |error| RadioError::Encode {
            index: bundles.len() - queue.len().min(bundles.len()),
            error,
        };
        let filled = generator.fill(queue, &mut data).map_err(encode)?;
        queue = queue.get(filled.packets_done..).unwrap_or_default();
        if filled.first_header_pointer == FirstHeaderPointer::IdleData {
            idle_frames += 1;
        }
        repr.content = DataFieldContent::Packets(filled.first_header_pointer);
        repr.mc_frame_count = count;
        repr.vc_frame_count = count;
        repr.emit(&data, &mut frame).map_err(encode)?;
        let len = codec.encode(&frame, &mut cadu).map_err(encode)?;
        stream.extend_from_slice(cadu.get(..len).unwrap_or_default());
        count = count.wrapping_add(1);
    }
    Ok(stream)
}

/// Decodes a downlink CADU stream back into its bundles, in order, checking every layer (see
/// the module docs). Fails on the first uncorrectable code block, invalid or foreign frame,
/// lost octet or non-bundle packet, and if the stream is not closed by an idle-data frame.
pub fn downlink_decode(stream: &[u8], cfg: &RadioConfig) -> Result<Vec<Vec<u8>>, RadioError> {
    if stream.is_empty() {
        return Ok(Vec::new());
    }
    let codec = codec()?;
    let mut sync = FrameSynchronizer::new(codec.sync_config()).map_err(RadioError::Config)?;
    let max_packet_len = cfg
        .max_bundle_len
        .saturating_add(8)
        .clamp(7, MAX_EXTRACTED_PACKET_LEN);
    let mut extractor = PacketExtractor::new(ExtractorConfig {
        max_packet_len,
        ..ExtractorConfig::TM
    })
    .map_err(RadioError::Config)?;
    let mut codeblock = vec![0u8; codec.codeblock_len()];
    let mut bundles = Vec::new();
    let (mut frames, mut closed) = (0, false);
    let mut input = stream;
    loop {
        let taken = sync.push(input);
        input = input.get(taken..).unwrap_or_default();
        while let Some(block) = sync
            .next_codeblock(&mut codeblock)
            .map_err(RadioError::Config)?
        {
            let offset = usize::try_from(block.asm_bit_offset / 8).unwrap_or(usize::MAX);
            let cadu = |error| RadioError::Cadu { offset, error };
            codec.decode_codeblock(&mut codeblock).map_err(cadu)?;
            let frame =
                TmFrame::new_checked(codeblock.get(..DOWNLINK_FRAME_LEN).unwrap_or_default(), TM)
                    .map_err(cadu)?;
            if frame.scid().get() != cfg.scid.get() || frame.vcid().get() != cfg.vcid.get() {
                return Err(RadioError::WrongChannel {
                    offset,
                    scid: frame.scid().get(),
                    vcid: frame.vcid().get(),
                    map_id: None,
                });
            }
            // The encoder counts from 0: a first frame counting from elsewhere means the CADUs
            // before it were lost, which the extractor (it sees gaps between frames) cannot tell.
            if frames == 0 && frame.vc_frame_count() != 0 {
                return Err(RadioError::StreamStart {
                    offset,
                    vc_frame_count: frame.vc_frame_count(),
                });
            }
            let DataFieldContent::Packets(first_header_pointer) = frame.data_field_content() else {
                return Err(cadu(WireError::invalid(4, "synchronization_flag", 1)));
            };
            let data = FrameData {
                vc_frame_count: frame.vc_frame_count().into(),
                first_header_pointer,
                data: frame.data(),
            };
            let mut result = Ok(());
            let stats = extractor.push_frame(&data, |packet| {
                if result.is_ok() {
                    result = bundle_of(packet, offset).map(|b| {
                        bundles.extend(b.map(<[u8]>::to_vec));
                    });
                }
            });
            result?;
            if stats.gaps + stats.discarded_octets + stats.header_errors > 0
                || stats.fhp_inconsistencies + stats.invalid_fhp + stats.oversize_packets > 0
            {
                return Err(RadioError::Lost { offset, stats });
            }
            frames += 1;
            closed = first_header_pointer == FirstHeaderPointer::IdleData;
        }
        if taken == 0 && input.is_empty() {
            break;
        }
    }
    if closed {
        Ok(bundles)
    } else {
        Err(RadioError::Unterminated { frames })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::MissionConfig;

    fn cfg() -> RadioConfig {
        RadioConfig::for_mission(&MissionConfig::default()).unwrap()
    }

    #[test]
    fn bundles_round_trip_over_several_frames() {
        let big: Vec<u8> = (0..5000u32).map(|i| (i * 7) as u8).collect();
        let bundles: [&[u8]; 4] = [b"one", &big, b"", b"three"];
        let stream = downlink_encode(&bundles, &cfg()).unwrap();
        let cadu_len = codec().unwrap().cadu_len();
        assert_eq!(stream.len() % cadu_len, 0);
        assert!(stream.len() / cadu_len >= 5 + CLOSING_IDLE_FRAMES);
        assert_eq!(downlink_decode(&stream, &cfg()).unwrap(), bundles);
    }

    #[test]
    fn frames_with_an_ocf_decode_too() {
        let clcw = ccsds_tm::Clcw {
            vcid: ccsds_tm::Vcid::new(1).unwrap(),
            ..ccsds_tm::Clcw::default()
        };
        let big = vec![0x5Au8; 3000];
        let bundles: [&[u8]; 2] = [&big, b"pong"];
        let stream = encode_with_ocf(&bundles, &cfg(), Some(Ocf::Clcw(clcw))).unwrap();
        assert_ne!(stream, downlink_encode(&bundles, &cfg()).unwrap());
        assert_eq!(downlink_decode(&stream, &cfg()).unwrap(), bundles);
    }

    #[test]
    fn empty_stream_has_no_bundles() {
        assert!(downlink_encode(&[], &cfg()).unwrap().is_empty());
        assert!(downlink_decode(&[], &cfg()).unwrap().is_empty());
    }
}
