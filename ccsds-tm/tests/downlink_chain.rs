//! The whole downlink, end to end (issue: packets → TM frames → RS → randomize → ASM stream →
//! bit errors → sync → derandomize → RS decode → frames → packets).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_core::{Clcw, Scid, Vcid};
use ccsds_spp::{Apid, PrimaryHeader};
use ccsds_tm::cadu::CaduCodec;
use ccsds_tm::ocf::Ocf;
use ccsds_tm::packet_service::{ExtractorConfig, FrameData, PacketExtractor, PacketGenerator};
use ccsds_tm::rs::ErrorCapability;
use ccsds_tm::sync::FrameSynchronizer;
use ccsds_tm::tm::{DataFieldContent, TmConfig, TmFrame, TmFrameRepr};
use proptest::prelude::*;

const FRAME_LEN: usize = 1115; // I = 5 × 223: the usual RS(255,223) TM frame

/// Ground-side view of the chain: frames in, packets out.
fn receive(stream: &[u8], codec: &CaduCodec) -> (Vec<Vec<u8>>, usize) {
    let mut sync = FrameSynchronizer::new(codec.sync_config()).unwrap();
    let mut extractor = PacketExtractor::new(ExtractorConfig::TM).unwrap();
    let mut codeblock = vec![0u8; codec.codeblock_len()];
    let (mut packets, mut corrected) = (Vec::new(), 0);
    let mut input = stream;
    loop {
        let taken = sync.push(input);
        input = &input[taken..];
        while let Some(_marker) = sync.next_codeblock(&mut codeblock).unwrap() {
            let report = codec.decode_codeblock(&mut codeblock).unwrap();
            corrected += report.corrected_symbols;
            let frame = TmFrame::new_checked(
                &codeblock[..FRAME_LEN],
                TmConfig {
                    frame_len: FRAME_LEN,
                    fecf: true,
                },
            )
            .unwrap();
            let DataFieldContent::Packets(fhp) = frame.data_field_content() else {
                panic!("VCA_SDU")
            };
            let data = FrameData {
                vc_frame_count: frame.vc_frame_count().into(),
                first_header_pointer: fhp,
                data: frame.data(),
            };
            extractor.push_frame(&data, |p| packets.push(p.to_vec()));
        }
        if taken == 0 && input.is_empty() {
            return (packets, corrected);
        }
    }
}

/// Payload-side view: packets in, an ASM-delimited CADU stream out.
fn transmit(packets: &[Vec<u8>], codec: &CaduCodec) -> Vec<u8> {
    let clcw = Clcw {
        cop_in_effect: Clcw::COP_1,
        vcid: Vcid::new(1).unwrap(),
        report_value: 42,
        ..Clcw::default()
    };
    let mut repr = TmFrameRepr {
        scid: Scid::new(0x2B5).unwrap(),
        vcid: Vcid::new(1).unwrap(),
        mc_frame_count: 0,
        vc_frame_count: 0,
        secondary_header: None,
        content: DataFieldContent::IDLE,
        ocf: Some(Ocf::Clcw(clcw)),
        fecf: true,
    };
    let mut data = vec![0u8; repr.data_len_for(FRAME_LEN).unwrap()];
    let (mut frame, mut cadu, mut stream) = (
        vec![0u8; FRAME_LEN],
        vec![0u8; codec.cadu_len()],
        Vec::new(),
    );
    let mut generator = PacketGenerator::new();
    let mut queue = packets;
    // Frames until every packet is out, plus two trailing idle frames (the synchronizer confirms
    // a block by the marker that follows it).
    let mut idle_frames = 0;
    for count in 0u32.. {
        if queue.is_empty() && generator.pending_offset() == 0 {
            idle_frames += 1;
            if idle_frames > 2 {
                break;
            }
        }
        let filled = generator.fill(queue.iter(), &mut data).unwrap();
        queue = &queue[filled.packets_done..];
        repr.content = DataFieldContent::Packets(filled.first_header_pointer);
        repr.mc_frame_count = count as u8;
        repr.vc_frame_count = count as u8;
        repr.emit(&data, &mut frame).unwrap();
        codec.encode(&frame, &mut cadu).unwrap();
        stream.extend_from_slice(&cadu);
    }
    stream
}

fn packet(i: usize, len: usize) -> Vec<u8> {
    let header = PrimaryHeader {
        apid: Apid::new((i % 2000) as u16).unwrap(),
        sequence_count: (i % 16384) as u16,
        ..Default::default()
    };
    let data: Vec<u8> = (0..len).map(|k| (i * 31 + k) as u8).collect();
    let mut out = vec![0u8; len + 6];
    header.emit_packet(&data, &mut out).unwrap();
    out
}

/// Shifts the stream right by `shift` bits (as an unaligned demodulator output would be).
fn shift_bits(stream: &[u8], shift: u32) -> Vec<u8> {
    if shift == 0 {
        return stream.to_vec();
    }
    let mut out = Vec::with_capacity(stream.len() + 1);
    let mut carry = 0u8;
    for b in stream {
        out.push(carry | (b >> shift));
        carry = b << (8 - shift);
    }
    out.push(carry);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn packets_survive_the_downlink(
        sizes in proptest::collection::vec(1usize..3000, 1..12),
        shift in 0u32..8,
        errors_per_cadu in 0usize..40,
        asm_errors in 0u32..2,
        seed: u64,
    ) {
        let codec = CaduCodec::new(FRAME_LEN, Some((ErrorCapability::E16, 5)), true).unwrap();
        let packets: Vec<Vec<u8>> = sizes.iter().enumerate().map(|(i, &n)| packet(i, n)).collect();
        let mut stream = transmit(&packets, &codec);
        // Noise: up to 40 corrupted octets per codeblock, distinct, and error `e` always in codeword
        // `e mod 5` of the I = 5 interleave (codeblock octet j belongs to codeword j mod 5), so at most
        // 8 per codeword, far below E = 16; and up to 1 bit error in each ASM. (Picking the octet at
        // random within its window let a codeword collect more than 16 errors once in a while.)
        let mut rng = seed | 1;
        let mut next = || { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; rng };
        for cadu in stream.chunks_mut(codec.cadu_len()) {
            for e in 0..errors_per_cadu {
                // Window e covers codeblock octets 29e..29e+28; offset k ≡ 2e (mod 5) puts the octet in
                // codeword (29e + k) mod 5 = e mod 5.
                let k = (2 * e) % 5 + 5 * (next() % 5) as usize;
                let octet = 4 + e * 29 + k;
                cadu[octet] ^= 1 | (next() as u8);
            }
            for _ in 0..asm_errors {
                cadu[(next() % 4) as usize] ^= 1 << (next() % 8);
            }
        }
        let (received, corrected) = receive(&shift_bits(&stream, shift), &codec);
        prop_assert_eq!(received, packets);
        // Every corrupted octet is a distinct symbol error, and every one was corrected.
        prop_assert_eq!(corrected, errors_per_cadu * stream.len() / codec.cadu_len());
    }
}

#[test]
fn clean_link_corrects_nothing() {
    let codec = CaduCodec::new(FRAME_LEN, Some((ErrorCapability::E16, 5)), true).unwrap();
    let packets: Vec<Vec<u8>> = [7usize, 100, 1200, 3000, 1]
        .iter()
        .enumerate()
        .map(|(i, &n)| packet(i, n))
        .collect();
    let (received, corrected) = receive(&transmit(&packets, &codec), &codec);
    assert_eq!((received, corrected), (packets, 0));
}
