//! Criterion benches of `ccsds-tc`: TC Transfer Frame decode (`TcFrame::new_checked` +
//! `TcFrameRepr::parse`) and encode (`TcFrameRepr::emit`), and CLTU encode / decode
//! (BCH(63,56) with randomization, 231.0-B-4), for a 256-octet and a 1024-octet frame.
//!
//! `cargo bench -p borealis-benches --bench tc`
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use borealis_benches::XorShift64;
use ccsds_tc::bch::DecodeMode;
use ccsds_tc::cltu::{self, CltuConfig};
use ccsds_tc::frame::{FrameType, SegmentHeader, SequenceFlags, TcFrame, TcFrameRepr};
use ccsds_tc::{MapId, Scid, Vcid};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// Frame sizes benchmarked: a typical TC frame and the largest one (232.0-B-4 §4.1.2.7).
const SIZES: [usize; 2] = [256, 1024];

/// An AD frame with segment header and FECF.
fn repr() -> TcFrameRepr {
    TcFrameRepr {
        frame_type: FrameType::Ad,
        scid: Scid::new(0x2A5).unwrap(),
        vcid: Vcid::new(3).unwrap(),
        sequence_number: 17,
        segment: Some(SegmentHeader {
            sequence_flags: SequenceFlags::Unsegmented,
            map_id: MapId::new(1).unwrap(),
        }),
        fecf: true,
    }
}

/// Random data filling a `total`-octet frame.
fn data_for(total: usize) -> Vec<u8> {
    let mut rng = XorShift64::new(total as u64);
    (0..total - repr().buffer_len(0))
        .map(|_| rng.next_u64() as u8)
        .collect()
}

fn frame(c: &mut Criterion) {
    let repr = repr();
    let cfg = repr.config();
    let mut g = c.benchmark_group("tc_frame");
    for total in SIZES {
        let data = data_for(total);
        let mut buf = vec![0u8; total];
        assert_eq!(repr.emit(&data, &mut buf).unwrap(), total);
        g.throughput(Throughput::Bytes(total as u64));
        g.bench_with_input(BenchmarkId::new("encode", total), &data, |b, data| {
            let mut out = vec![0u8; total];
            b.iter(|| repr.emit(black_box(data), &mut out).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("decode", total), &buf, |b, buf| {
            b.iter(|| {
                let frame = TcFrame::new_checked(black_box(&buf[..]), cfg).unwrap();
                TcFrameRepr::parse(&frame).unwrap()
            })
        });
    }
    g.finish();
}

fn cltu(c: &mut Criterion) {
    let repr = repr();
    let cfg = CltuConfig {
        randomize: true,
        mode: DecodeMode::Correct,
    };
    let mut g = c.benchmark_group("cltu_randomized");
    for total in SIZES {
        let mut frame = vec![0u8; total];
        repr.emit(&data_for(total), &mut frame).unwrap();
        let mut encoded = vec![0u8; cltu::encoded_len(total)];
        cltu::encode(&frame, &cfg, &mut encoded).unwrap();
        let mut decoded = vec![0u8; total + 7];
        let (len, _) = cltu::decode_frame(&encoded, &cfg, &mut decoded).unwrap();
        assert_eq!(&decoded[..len], &frame[..], "CLTU round trip");

        g.throughput(Throughput::Bytes(total as u64));
        g.bench_with_input(BenchmarkId::new("encode", total), &frame, |b, frame| {
            let mut out = vec![0u8; cltu::encoded_len(total)];
            b.iter(|| cltu::encode(black_box(frame), &cfg, &mut out).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("decode", total), &encoded, |b, input| {
            let mut out = vec![0u8; total + 7];
            b.iter(|| cltu::decode_frame(black_box(input), &cfg, &mut out).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, frame, cltu);
criterion_main!(benches);
