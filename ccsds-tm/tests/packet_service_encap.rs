//! The packet service carrying Encapsulation Packets (133.1-B-3, PVN `111`) alongside Space
//! Packets (133.0-B-2, PVN `000`): the packet zone holds packets of any registered PVN and each
//! packet's length comes from the header its PVN selects (132.0-B-3 §4.1.4.2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;

use ccsds_spp::{Apid, EncapsulationHeader, PrimaryHeader, ProtocolId};
use ccsds_tm::ErrorKind;
use ccsds_tm::packet_service::{
    ExtractorConfig, ExtractorStats, FrameData, PacketExtractor, PacketGenerator,
};
use proptest::prelude::*;

/// A Space Packet of `len` (≥ 7) octets, APID `id` (never the idle one).
fn space_packet(id: usize, len: usize) -> Vec<u8> {
    let header = PrimaryHeader {
        apid: Apid::new((id % 2047) as u16).unwrap(),
        ..PrimaryHeader::default()
    };
    let data: Vec<u8> = (0..len - 6).map(|i| (i * 3 + id) as u8).collect();
    let mut out = vec![0u8; len];
    assert_eq!(header.emit_packet(&data, &mut out), Ok(len));
    out
}

/// An Encapsulation Packet of `protocol_id` carrying `data_len` octets, with the shortest
/// Length of Length (2, 4 or 8-octet header).
fn encap_packet(protocol_id: ProtocolId, id: usize, data_len: usize) -> Vec<u8> {
    let header = EncapsulationHeader::for_data(protocol_id, data_len).unwrap();
    let data: Vec<u8> = (0..data_len).map(|i| (i * 5 + id) as u8).collect();
    let mut out = vec![0u8; header.header_len() + data_len];
    assert_eq!(header.emit_packet(&data, &mut out), Ok(out.len()));
    out
}

/// Packs all of `packets` into `field_len`-octet data fields (TM counts from 0).
fn frames(packets: &[Vec<u8>], field_len: usize) -> Vec<(u32, FrameDataOwned)> {
    let mut generator = PacketGenerator::new();
    let mut queue: VecDeque<&[u8]> = packets.iter().map(Vec::as_slice).collect();
    let mut out = Vec::new();
    while !queue.is_empty() {
        let mut data = vec![0u8; field_len];
        let filled = generator.fill(queue.iter(), &mut data).unwrap();
        queue.drain(..filled.packets_done);
        out.push((
            (out.len() % 256) as u32,
            FrameDataOwned {
                fhp: filled.first_header_pointer,
                data,
            },
        ));
    }
    out
}

struct FrameDataOwned {
    fhp: ccsds_tm::packet_service::FirstHeaderPointer,
    data: Vec<u8>,
}

fn extract(
    config: ExtractorConfig,
    frames: &[(u32, FrameDataOwned)],
) -> (Vec<Vec<u8>>, ExtractorStats) {
    let mut extractor = PacketExtractor::new(config).unwrap();
    let mut delivered = Vec::new();
    for (count, f) in frames {
        let frame = FrameData {
            vc_frame_count: *count,
            first_header_pointer: f.fhp,
            data: &f.data,
        };
        extractor.push_frame(&frame, |p| delivered.push(p.to_vec()));
    }
    (delivered, *extractor.stats())
}

#[test]
fn encapsulation_packets_and_space_packets_mixed() {
    let packets = vec![
        space_packet(1, 40),
        encap_packet(ProtocolId::BUNDLE_PROTOCOL, 2, 3), // 2-octet header
        encap_packet(ProtocolId::BUNDLE_PROTOCOL, 3, 300), // 4-octet header
        space_packet(4, 7),
        encap_packet(ProtocolId::LTP, 5, 0), // header only
    ];
    for field_len in [1, 2, 3, 7, 8, 64, 1105] {
        let (delivered, stats) = extract(ExtractorConfig::TM, &frames(&packets, field_len));
        assert_eq!(delivered, packets, "field length {field_len}");
        assert_eq!(
            stats.header_errors + stats.gaps + stats.fhp_inconsistencies,
            0
        );
    }
}

#[test]
fn encapsulation_idle_packets_are_dropped() {
    // The 1-octet idle packet (133.1-B-3 §4.1.2.4.3) and a longer one (Protocol ID 000).
    let idle_1 = vec![0xE0];
    let idle_long = encap_packet(ProtocolId::IDLE, 0, 20);
    let bundle = encap_packet(ProtocolId::BUNDLE_PROTOCOL, 1, 10);
    let packets = vec![
        idle_1.clone(),
        bundle.clone(),
        idle_long.clone(),
        bundle.clone(),
    ];
    let f = frames(&packets, 16);
    let (delivered, stats) = extract(ExtractorConfig::TM, &f);
    assert_eq!(delivered, [bundle.clone(), bundle.clone()]);
    assert!(stats.idle_packets >= 2);
    assert_eq!(stats.discarded_octets, 0);
    let (delivered, _) = extract(
        ExtractorConfig {
            deliver_idle: true,
            ..ExtractorConfig::TM
        },
        &f,
    );
    assert_eq!(delivered[..4], [idle_1, bundle.clone(), idle_long, bundle]);
}

#[test]
fn one_mebibyte_encapsulation_packet_needs_a_raised_cap() {
    let big = encap_packet(ProtocolId::BUNDLE_PROTOCOL, 9, 1 << 20); // 8-octet header
    let small = space_packet(3, 100);
    let packets = vec![small.clone(), big.clone(), small.clone()];
    let f = frames(&packets, 1105);
    assert!(f.len() > 900);

    // The default cap stays the Space Packet maximum: the big packet is skipped, counted.
    let (delivered, stats) = extract(ExtractorConfig::TM, &f);
    assert_eq!(delivered, [small.clone(), small.clone()]);
    assert_eq!(stats.oversize_packets, 1);
    assert_eq!(stats.discarded_octets, big.len() as u64);

    let config = ExtractorConfig {
        max_packet_len: 5_000_000,
        ..ExtractorConfig::TM
    };
    let (delivered, stats) = extract(config, &f);
    assert_eq!(delivered, packets);
    assert_eq!(stats.oversize_packets, 0);
}

#[test]
fn generator_refuses_invalid_encapsulation_packets() {
    let mut generator = PacketGenerator::new();
    let mut field = [0u8; 32];
    let mut packet = encap_packet(ProtocolId::BUNDLE_PROTOCOL, 0, 10);
    packet.push(0); // longer than its Packet Length
    let err = generator.fill([&packet], &mut field).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::LengthMismatch { .. }),
        "{err:?}"
    );
    // A 1-octet header with a Protocol ID other than idle (133.1-B-3 §4.1.2.4.3).
    let err = generator.fill([[0xE4u8]], &mut field).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::InvalidValue { .. }),
        "{err:?}"
    );
}

fn mixed_packet() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0usize..2047, 7usize..300).prop_map(|(id, len)| space_packet(id, len)),
        (0usize..100, 0usize..300).prop_map(|(id, len)| encap_packet(
            ProtocolId::BUNDLE_PROTOCOL,
            id,
            len
        )),
        (0usize..100, 250usize..70_000).prop_map(|(id, len)| encap_packet(
            ProtocolId::CFDP,
            id,
            len
        )),
        Just(vec![0xE0]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any mix of Space and Encapsulation Packets (idle ones included), packed over many
    /// frames, comes back exactly, idle packets dropped.
    #[test]
    fn mixed_stream_round_trip(
        packets in proptest::collection::vec(mixed_packet(), 1..12),
        field_len in 1usize..=1105,
    ) {
        let config = ExtractorConfig { max_packet_len: 80_000, ..ExtractorConfig::TM };
        let (delivered, stats) = extract(config, &frames(&packets, field_len));
        let expected: Vec<Vec<u8>> = packets.into_iter().filter(|p| p != &[0xE0]).collect();
        prop_assert_eq!(delivered, expected);
        prop_assert_eq!(stats.header_errors + stats.gaps + stats.fhp_inconsistencies, 0);
    }
}
