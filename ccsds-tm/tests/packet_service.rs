//! The packet service (132.0-B-3 §4.1.2.7, §4.1.4.2): the generator's FHPs and idle fill,
//! and the extractor's recovery from lost, repeated and reordered frames, property-tested
//! against the generator, plus "arbitrary data fields and FHPs never panic".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;

use ccsds_spp::{Apid, EncapsulationPacket, PrimaryHeader, SpacePacket};
use ccsds_tm::ErrorKind;
use ccsds_tm::packet_service::{
    ExtractorConfig, ExtractorStats, FirstHeaderPointer, FrameData, IDLE_OCTET, MAX_DATA_FIELD_LEN,
    MAX_EXTRACTED_PACKET_LEN, PacketExtractor, PacketGenerator,
};
use proptest::prelude::*;

/// A telemetry packet of `len` (≥ 7) octets, told apart from the others by its APID and
/// sequence count (`id` < 2047, so the APID is never the idle one).
fn packet(id: usize, len: usize) -> Vec<u8> {
    let header = PrimaryHeader {
        apid: Apid::new((id % 2047) as u16).unwrap(),
        sequence_count: (id % 16384) as u16,
        ..PrimaryHeader::default()
    };
    let data: Vec<u8> = (0..len - 6).map(|i| (i * 7 + id) as u8).collect();
    let mut out = vec![0u8; len];
    assert_eq!(header.emit_packet(&data, &mut out), Ok(len));
    out
}

/// One generated frame: its count, FHP and data field, and the packets it carries a part of.
#[derive(Debug, Clone)]
struct Frame {
    count: u32,
    fhp: FirstHeaderPointer,
    data: Vec<u8>,
    touches: Vec<usize>,
}

impl Frame {
    fn view(&self) -> FrameData<'_> {
        FrameData {
            vc_frame_count: self.count,
            first_header_pointer: self.fhp,
            data: &self.data,
        }
    }
}

/// Packs `packets` into `field_len`-octet fields; `releases[i]` packets become available
/// before frame `i` (all of the rest after the schedule ends).
fn generate(packets: &[Vec<u8>], field_len: usize, releases: &[usize]) -> Vec<Frame> {
    let mut generator = PacketGenerator::new();
    let mut queue: VecDeque<&[u8]> = VecDeque::new();
    let (mut released, mut head) = (0, 0);
    let mut frames = Vec::new();
    while head < packets.len() {
        let i = frames.len();
        let n = releases.get(i).copied().unwrap_or(packets.len());
        for p in &packets[released..(released + n).min(packets.len())] {
            queue.push_back(p);
        }
        released = (released + n).min(packets.len());
        let mut data = vec![0u8; field_len];
        let filled = generator.fill(queue.iter(), &mut data).unwrap();
        let done = filled.packets_done;
        let mut touches: Vec<usize> = (head..head + done).collect();
        if generator.pending_offset() > 0 {
            touches.push(head + done);
        }
        queue.drain(..done);
        head += done;
        frames.push(Frame {
            count: (i % 256) as u32,
            fhp: filled.first_header_pointer,
            data,
            touches,
        });
    }
    frames
}

fn extract(config: ExtractorConfig, frames: &[&Frame]) -> (Vec<Vec<u8>>, ExtractorStats) {
    let mut extractor = PacketExtractor::new(config).unwrap();
    let mut delivered = Vec::new();
    let mut total = ExtractorStats::default();
    for frame in frames {
        let report = extractor.push_frame(&frame.view(), |p| delivered.push(p.to_vec()));
        total += report;
    }
    assert_eq!(&total, extractor.stats());
    (delivered, total)
}

/// The packets none of whose octets travel in a frame of `lost`.
fn untouched(packets: &[Vec<u8>], frames: &[Frame], lost: &[usize]) -> Vec<Vec<u8>> {
    let hit: Vec<usize> = lost
        .iter()
        .flat_map(|&i| frames[i].touches.iter().copied())
        .collect();
    (0..packets.len())
        .filter(|i| !hit.contains(i))
        .map(|i| packets[i].clone())
        .collect()
}

#[test]
fn fhp_raw_values() {
    for raw in 0..=0x7FF {
        let fhp = FirstHeaderPointer::from_bits(raw).unwrap();
        assert_eq!(fhp.to_bits(), Ok(raw));
    }
    assert_eq!(
        FirstHeaderPointer::from_bits(0x7FF),
        Ok(FirstHeaderPointer::NoPacketStart)
    );
    assert_eq!(
        FirstHeaderPointer::from_bits(0x7FE),
        Ok(FirstHeaderPointer::IdleData)
    );
    assert!(FirstHeaderPointer::from_bits(0x800).is_err());
    assert!(FirstHeaderPointer::Offset(0x7FE).to_bits().is_err());
}

#[test]
fn generator_fills_with_an_idle_packet() {
    let p = packet(1, 10);
    let mut generator = PacketGenerator::new();
    let mut field = [0u8; 20];
    let filled = generator.fill([&p], &mut field).unwrap();
    assert_eq!(filled.first_header_pointer, FirstHeaderPointer::Offset(0));
    assert_eq!(filled.packets_done, 1);
    assert_eq!(field[..10], p[..]);
    // 133.0-B-2 idle packet: APID 0x7FF, unsegmented, 4 data octets (length field 3).
    assert_eq!(field[10..16], [0x07, 0xFF, 0xC0, 0x00, 0x00, 0x03]);
    assert_eq!(field[16..], [IDLE_OCTET; 4]);
}

#[test]
fn short_idle_packet_spills_into_the_next_field() {
    let p = packet(2, 8);
    let mut generator = PacketGenerator::new();
    let mut field = [0u8; 12];
    let filled = generator.fill([&p], &mut field).unwrap();
    assert_eq!(filled.first_header_pointer, FirstHeaderPointer::Offset(0));
    // 4 octets left: a 7-octet idle packet starts here …
    assert_eq!(field[8..], [0x07, 0xFF, 0xC0, 0x00]);
    // … and ends in the next field, whose first header is the idle packet after it.
    let filled = generator
        .fill(std::iter::empty::<&[u8]>(), &mut field)
        .unwrap();
    assert_eq!(filled.first_header_pointer, FirstHeaderPointer::Offset(3));
    assert_eq!(field[..3], [0x00, 0x00, IDLE_OCTET]);
    assert_eq!(field[3..9], [0x07, 0xFF, 0xC0, 0x00, 0x00, 0x02]);
    // Nothing pending: an idle-data field.
    let filled = generator
        .fill(std::iter::empty::<&[u8]>(), &mut field)
        .unwrap();
    assert_eq!(filled.first_header_pointer, FirstHeaderPointer::IdleData);
    assert_eq!(field, [IDLE_OCTET; 12]);
}

#[test]
fn generator_refuses_bad_input() {
    let mut generator = PacketGenerator::new();
    let p = packet(3, 30);
    let err = generator.fill([&p], &mut []).unwrap_err();
    assert_eq!(err.field, "data_field");
    let mut big = vec![0u8; MAX_DATA_FIELD_LEN + 1];
    assert!(generator.fill([&p], &mut big).is_err());
    // A packet whose length field disagrees with its length.
    let err = generator.fill([&p[..29]], &mut [0u8; 10]).unwrap_err();
    assert!(matches!(
        err.kind,
        ErrorKind::LengthMismatch { .. } | ErrorKind::Truncated { .. }
    ));
    // Half of `p` is sent; the queue must still hold it next time.
    let filled = generator.fill([&p], &mut [0u8; 15]).unwrap();
    assert_eq!(filled.packets_done, 0);
    assert_eq!(generator.pending_offset(), 15);
    let err = generator
        .fill(std::iter::empty::<&[u8]>(), &mut [0u8; 15])
        .unwrap_err();
    assert_eq!(err.field, "packet_queue");
    assert_eq!(generator.pending_offset(), 15);
    let filled = generator.fill([&p], &mut [0u8; 15]).unwrap();
    assert_eq!(filled.packets_done, 1);
    assert_eq!(
        filled.first_header_pointer,
        FirstHeaderPointer::NoPacketStart
    );
}

#[test]
fn extractor_rejects_bad_configs() {
    for config in [
        ExtractorConfig {
            count_modulus: 0,
            ..ExtractorConfig::TM
        },
        ExtractorConfig {
            max_packet_len: 6,
            ..ExtractorConfig::TM
        },
        ExtractorConfig {
            max_packet_len: MAX_EXTRACTED_PACKET_LEN + 1,
            ..ExtractorConfig::TM
        },
    ] {
        assert!(PacketExtractor::new(config).is_err());
    }
}

#[test]
fn header_error_discards_the_rest_of_the_frame() {
    let mut extractor = PacketExtractor::new(ExtractorConfig::TM).unwrap();
    let good = packet(4, 10);
    let mut data = good.clone();
    data.extend([0x20, 0, 0, 0, 0, 3, 1, 2, 3, 4]); // packet version 1
    data.extend(&good);
    let mut delivered = 0;
    let frame = FrameData {
        vc_frame_count: 0,
        first_header_pointer: FirstHeaderPointer::Offset(0),
        data: &data,
    };
    let report = extractor.push_frame(&frame, |p| {
        assert_eq!(p, &good[..]);
        delivered += 1;
    });
    assert_eq!(delivered, 1);
    assert_eq!(report.header_errors, 1);
    assert_eq!(report.discarded_octets, 20);
    // The next frame resynchronises on its FHP, skipping the continuation before it.
    let mut data = vec![0xEE; 3];
    data.extend(&good);
    let frame = FrameData {
        vc_frame_count: 1,
        first_header_pointer: FirstHeaderPointer::Offset(3),
        data: &data,
    };
    let report = extractor.push_frame(&frame, |_| delivered += 1);
    assert_eq!(delivered, 2);
    assert_eq!(report.discarded_octets, 3);
    assert_eq!(report.fhp_inconsistencies, 0);
}

#[test]
fn fhp_contradicting_the_running_packet_wins() {
    let mut extractor = PacketExtractor::new(ExtractorConfig::TM).unwrap();
    let long = packet(5, 30);
    let short = packet(6, 8);
    let mut delivered = Vec::new();
    // Frame 0 starts `long`; frame 1 says a header starts at 4, where `long` cannot end.
    let frame = FrameData {
        vc_frame_count: 0,
        first_header_pointer: FirstHeaderPointer::Offset(0),
        data: &long[..20],
    };
    extractor.push_frame(&frame, |p| delivered.push(p.to_vec()));
    let mut data = long[20..24].to_vec();
    data.extend(&short);
    let frame = FrameData {
        vc_frame_count: 1,
        first_header_pointer: FirstHeaderPointer::Offset(4),
        data: &data,
    };
    let report = extractor.push_frame(&frame, |p| delivered.push(p.to_vec()));
    assert_eq!(report.fhp_inconsistencies, 1);
    assert_eq!(report.discarded_octets, 24);
    assert_eq!(delivered, vec![short.clone()]);
    // A 0x7FF frame in which the running packet would end early is refused too.
    let frame = FrameData {
        vc_frame_count: 2,
        first_header_pointer: FirstHeaderPointer::Offset(0),
        data: &long[..20],
    };
    extractor.push_frame(&frame, |p| delivered.push(p.to_vec()));
    let mut data = long[20..].to_vec();
    data.push(0);
    let frame = FrameData {
        vc_frame_count: 3,
        first_header_pointer: FirstHeaderPointer::NoPacketStart,
        data: &data,
    };
    let report = extractor.push_frame(&frame, |p| delivered.push(p.to_vec()));
    assert_eq!(report.fhp_inconsistencies, 1);
    // An FHP beyond the data field.
    let frame = FrameData {
        vc_frame_count: 4,
        first_header_pointer: FirstHeaderPointer::Offset(8),
        data: &short,
    };
    let report = extractor.push_frame(&frame, |p| delivered.push(p.to_vec()));
    assert_eq!(report.invalid_fhp, 1);
    assert_eq!(delivered, vec![short]);
}

#[test]
fn aos_count_wraps_at_2_pow_24() {
    let mut extractor = PacketExtractor::new(ExtractorConfig::AOS).unwrap();
    let p = packet(7, 12);
    let mut n = 0;
    for count in [0xFF_FFFE, 0xFF_FFFF, 0, 1] {
        let frame = FrameData {
            vc_frame_count: count,
            first_header_pointer: FirstHeaderPointer::Offset(0),
            data: &p,
        };
        let report = extractor.push_frame(&frame, |_| n += 1);
        assert_eq!(report.gaps, 0);
    }
    assert_eq!(n, 4);
    let frame = FrameData {
        vc_frame_count: 3,
        first_header_pointer: FirstHeaderPointer::Offset(0),
        data: &p,
    };
    assert_eq!(extractor.push_frame(&frame, |_| ()).gaps, 1);
}

#[test]
fn idle_packets_on_request_and_oversize_packets_skipped() {
    let packets = vec![packet(8, 40), packet(9, 300), packet(10, 9)];
    let frames = generate(&packets, 64, &[]);
    let all: Vec<&Frame> = frames.iter().collect();
    let config = ExtractorConfig {
        max_packet_len: 100,
        deliver_idle: true,
        ..ExtractorConfig::TM
    };
    let (delivered, stats) = extract(config, &all);
    assert_eq!(stats.oversize_packets, 1);
    assert_eq!(stats.discarded_octets, 300);
    assert_eq!(stats.gaps, 0);
    // The two short packets, then the idle packet that fills the last field.
    assert_eq!(delivered[..2], [packets[0].clone(), packets[2].clone()]);
    assert_eq!(delivered.len(), 3);
    assert_eq!(
        PrimaryHeader::parse_bytes(&delivered[2]).unwrap().apid,
        Apid::IDLE
    );
    assert_eq!(stats.idle_packets, 1);
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Vec<u8>>, Vec<usize>)> {
    (1usize..=160).prop_flat_map(|field_len| {
        let max = (5 * field_len).max(8);
        (
            Just(field_len),
            proptest::collection::vec(7usize..=max, 1..16).prop_map(|lens| {
                lens.iter()
                    .enumerate()
                    .map(|(id, &len)| packet(id, len))
                    .collect()
            }),
            proptest::collection::vec(prop::sample::select(vec![0usize, 0, 1, 1, 2, 5]), 0..20),
        )
    })
}

proptest! {
    /// The property of issue #7: packets packed by the generator, with random frames lost,
    /// come out exactly when none of their octets was in a lost frame; nothing is
    /// fabricated, duplicated or reordered.
    #[test]
    fn lost_frames_lose_only_the_packets_they_touch(
        (field_len, packets, releases) in scenario(),
        lost_mask in proptest::collection::vec(prop::bool::weighted(0.2), 64),
    ) {
        let frames = generate(&packets, field_len, &releases);
        let lost: Vec<usize> = (0..frames.len()).filter(|i| lost_mask[i % 64]).collect();
        let kept: Vec<&Frame> = (0..frames.len()).filter(|i| !lost.contains(i)).map(|i| &frames[i]).collect();
        let (delivered, stats) = extract(ExtractorConfig::TM, &kept);
        prop_assert_eq!(delivered, untouched(&packets, &frames, &lost));
        prop_assert_eq!(stats.fhp_inconsistencies, 0);
        prop_assert_eq!(stats.header_errors, 0);
        prop_assert_eq!(stats.invalid_fhp, 0);
        // One gap per discontinuity in the counts the extractor sees.
        let gaps = kept.windows(2).filter(|w| w[1].count != (w[0].count + 1) % 256).count();
        prop_assert_eq!(stats.gaps as usize, gaps);
    }

    /// A repeated or a swapped pair of frames is a gap: the extractor resynchronises, loses
    /// at most the packets touching those frames, and delivers nothing that was not sent.
    #[test]
    fn repeated_and_reordered_frames_are_gaps(
        (field_len, packets, releases) in scenario(),
        at in any::<prop::sample::Index>(),
        swap in any::<bool>(),
    ) {
        let frames = generate(&packets, field_len, &releases);
        prop_assume!(frames.len() >= 3);
        let k = at.index(frames.len() - 2);
        let mut order: Vec<&Frame> = frames.iter().collect();
        let hit = if swap {
            order.swap(k, k + 1);
            vec![k, k + 1]
        } else {
            order.insert(k + 1, &frames[k]);
            vec![k]
        };
        let (delivered, stats) = extract(ExtractorConfig::TM, &order);
        prop_assert!(stats.gaps >= 1);
        for p in &delivered {
            prop_assert!(packets.contains(p));
        }
        for p in untouched(&packets, &frames, &hit) {
            prop_assert!(delivered.contains(&p));
        }
    }

    #[test]
    fn arbitrary_frames_never_panic(
        frames in proptest::collection::vec(
            (0u32..6, 0u16..=0x7FF, proptest::collection::vec(any::<u8>(), 0..80)),
            1..30,
        ),
        max_packet_len in 7usize..200,
        deliver_idle in any::<bool>(),
    ) {
        let config = ExtractorConfig { count_modulus: 4, max_packet_len, deliver_idle };
        let mut extractor = PacketExtractor::new(config).unwrap();
        let mut count = 0;
        for (step, fhp, data) in &frames {
            count = (count + step) % 5; // sometimes ≥ the modulus
            let frame = FrameData {
                vc_frame_count: count,
                first_header_pointer: FirstHeaderPointer::from_bits(*fhp).unwrap(),
                data,
            };
            extractor.push_frame(&frame, |p| {
                // Either kind of packet (132.0-B-3 §4.1.4.2), whole, within the cap.
                let idle = match EncapsulationPacket::new_checked(p) {
                    Ok(packet) => packet.is_idle(),
                    Err(_) => SpacePacket::new_checked(p).unwrap().apid().is_idle(),
                };
                assert!(p.len() <= max_packet_len);
                assert!(deliver_idle || !idle);
            });
        }
        prop_assert_eq!(extractor.stats().frames, frames.len() as u64);
    }
}
