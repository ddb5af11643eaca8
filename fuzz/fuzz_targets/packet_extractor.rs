//! Packet Service extraction (132.0-B-3 §4.1.2.7, §4.1.4) from an arbitrary sequence of
//! frames. Four control octets pick the extractor configuration (count modulus, length cap,
//! idle delivery) and the mode:
//! - frames: the rest is a list of `FrameData` (count, first header pointer, data field), each
//!   `[count selector, fhp hi, fhp lo, len]` followed by `len` octets of data field;
//! - generator: the rest is a list of packets (`[apid hi, apid lo, len]` then `len + 1` data
//!   octets) that `PacketGenerator` packs into data fields the extractor reads back.
//!
//! Never panics. Every delivered packet is one valid Space Packet or Encapsulation Packet
//! (132.0-B-3 §4.1.4.2) within the cap (and not an
//! idle packet unless asked for), the per-frame counters add up, and in generator mode the
//! delivered packets are exactly the queued ones (those within the cap), in order.
#![no_main]

use ccsds_spp::{Apid, EncapsulationPacket, PrimaryHeader, SpacePacket};
use ccsds_tm::packet_service::{
    ExtractorConfig, ExtractorStats, FirstHeaderPointer, FrameData, PacketExtractor,
    PacketGenerator,
};
use libfuzzer_sys::fuzz_target;

fn check_packet(config: &ExtractorConfig, p: &[u8]) {
    let idle = match EncapsulationPacket::new_checked(p) {
        Ok(packet) => packet.is_idle(),
        Err(_) => SpacePacket::new_checked(p)
            .expect("delivered packet is a valid Space or Encapsulation Packet")
            .apid()
            .is_idle(),
    };
    assert!(
        p.len() <= config.max_packet_len,
        "packet over the cap delivered"
    );
    assert!(config.deliver_idle || !idle, "idle packet delivered");
}

fuzz_target!(|data: &[u8]| {
    let Some((&[modulus, cap_hi, cap_lo, mode], rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let config = ExtractorConfig {
        count_modulus: match modulus & 3 {
            0 => 256,
            1 => 1 << 24,
            2 => u32::from(modulus >> 2),
            _ => u32::MAX,
        },
        max_packet_len: if mode & 0x40 != 0 {
            usize::from(u16::from_be_bytes([cap_hi, cap_lo]))
        } else {
            7 + usize::from(u16::from_be_bytes([cap_hi, cap_lo]))
        },
        deliver_idle: mode & 1 != 0,
    };
    let Ok(mut extractor) = PacketExtractor::new(config) else {
        assert!(
            config.count_modulus == 0
                || !(7..=ccsds_tm::packet_service::MAX_EXTRACTED_PACKET_LEN)
                    .contains(&config.max_packet_len)
        );
        return;
    };
    let mut total = ExtractorStats::default();
    let mut delivered: Vec<Vec<u8>> = Vec::new();
    let mut push =
        |extractor: &mut PacketExtractor, frame: &FrameData<'_>, delivered: &mut Vec<Vec<u8>>| {
            let before = delivered.len();
            let report = extractor.push_frame(frame, |p| {
                check_packet(&config, p);
                delivered.push(p.to_vec());
            });
            assert_eq!(report.frames, 1);
            assert_eq!(report.packets, (delivered.len() - before) as u64);
            total += report;
            assert_eq!(&total, extractor.stats());
        };

    if mode & 0x80 == 0 {
        let mut input = rest;
        let mut count = 0u32;
        while let Some((&[selector, fhp_hi, fhp_lo, len], tail)) = input.split_first_chunk::<4>() {
            let (field, tail) = tail.split_at(usize::from(len).min(tail.len()));
            input = tail;
            count = match selector {
                0..=199 => count.wrapping_add(1) % config.count_modulus,
                200..=249 => u32::from(selector - 200),
                _ => count.wrapping_add(u32::from(selector)),
            };
            if selector == 255 {
                extractor.reset();
            }
            let bits = u16::from_be_bytes([fhp_hi, fhp_lo]) & 0x7FF;
            let first_header_pointer = FirstHeaderPointer::from_bits(bits).expect("11 bits");
            let frame = FrameData {
                vc_frame_count: count,
                first_header_pointer,
                data: field,
            };
            push(&mut extractor, &frame, &mut delivered);
        }
        return;
    }

    // Generator mode: build the queue.
    let mut queue: Vec<Vec<u8>> = Vec::new();
    let mut input = rest;
    while let Some((&[apid_hi, apid_lo, len], tail)) = input.split_first_chunk::<3>() {
        let (payload, tail) = tail.split_at((usize::from(len) + 1).min(tail.len()));
        input = tail;
        if payload.is_empty() {
            break;
        }
        // Never the idle APID: the generator's own idle packets must stay apart.
        let apid = u16::from_be_bytes([apid_hi, apid_lo]) % 0x7FF;
        let header = PrimaryHeader {
            apid: Apid::new(apid).expect("11 bits"),
            ..PrimaryHeader::default()
        };
        let mut packet = vec![0u8; 6 + payload.len()];
        header
            .emit_packet(payload, &mut packet)
            .expect("valid packet");
        queue.push(packet);
    }
    let expected: Vec<Vec<u8>> = queue
        .iter()
        .filter(|p| p.len() <= config.max_packet_len)
        .cloned()
        .collect();
    let field_len = 1 + usize::from(cap_lo) % 300;
    let mut generator = PacketGenerator::new();
    let mut count = u32::from(cap_hi) % config.count_modulus;
    let mut field = vec![0u8; field_len];
    let mut pending = &queue[..];
    let mut frames = 0;
    while !pending.is_empty() || generator.pending_offset() > 0 {
        let filled = generator
            .fill(pending, &mut field)
            .expect("valid queue fills");
        pending = &pending[filled.packets_done..];
        let frame = FrameData {
            vc_frame_count: count,
            first_header_pointer: filled.first_header_pointer,
            data: &field,
        };
        push(&mut extractor, &frame, &mut delivered);
        count = (count.wrapping_add(1)) % config.count_modulus;
        frames += 1;
        assert!(
            frames <= 1 + queue.iter().map(Vec::len).sum::<usize>(),
            "generator makes no progress"
        );
    }
    let user: Vec<Vec<u8>> = delivered
        .into_iter()
        .filter(|p| !SpacePacket::new_unchecked(&p[..]).apid().is_idle())
        .collect();
    assert_eq!(
        user, expected,
        "extracted packets differ from those generated"
    );
    assert_eq!(extractor.stats().gaps, 0);
});
