//! Criterion benches of `ccsds-tm`, all on the 1115-octet frame of an RS(255,223) I=5 downlink
//! (I × 223 = 1115), throughput in octets of frame data unless stated:
//!
//! - `rs_255_223`: Reed-Solomon E=16 (131.0-B-4) encode and decode, I = 1 and 5 — clean, and
//!   with 16 symbol errors in every codeword (the worst correctable case);
//! - `tm_frame_1115`: TM Transfer Frame (132.0-B-3) decode (`TmFrame::new_checked`, FECF
//!   checked; and `new_checked` + `TmFrameRepr::parse`) and encode (`TmFrameRepr::emit`), with
//!   an OCF holding a CLCW and an FECF;
//! - `aos_frame_1115`: the same for an AOS Transfer Frame (732.0-B-4) with FHEC, OCF and FECF;
//! - `cadu_1115_rs_i5`: CADU encode (RS + randomizer + ASM) and `decode_codeblock`
//!   (derandomize + RS decode, clean codeblock);
//! - `asm_sync_1MiB`: the ASM frame synchronizer over ~1 MiB of back-to-back CADUs, octet-aligned
//!   and shifted by 3 bits (throughput in octets of CADU stream).
//!
//! `cargo bench -p borealis-benches --bench tm`
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use borealis_benches::XorShift64;
use borealis_benches::tm::{CONFIG, FRAME_LEN, TmPool};
use ccsds_core::{Clcw, Scid, Vcid};
use ccsds_tm::aos::{AosFrame, AosFrameRepr};
use ccsds_tm::cadu::CaduCodec;
use ccsds_tm::ocf::Ocf;
use ccsds_tm::rs::{ErrorCapability, RsCode};
use ccsds_tm::sync::FrameSynchronizer;
use ccsds_tm::tm::{TmFrame, TmFrameRepr};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn reed_solomon(c: &mut Criterion) {
    let mut rng = XorShift64::new(0x5EED);
    let mut g = c.benchmark_group("rs_255_223");
    for interleave in [1u8, 5] {
        let code = RsCode::new(
            ErrorCapability::E16,
            interleave,
            223 * usize::from(interleave),
        )
        .unwrap();
        let mut block = vec![0u8; code.codeblock_len()];
        for b in block.iter_mut().take(code.frame_len()) {
            *b = rng.next_u64() as u8;
        }
        code.encode_in_place(&mut block).unwrap();
        // 16 errors in every codeword: codeword k holds octets k, k+I, k+2I, …
        let mut noisy = block.clone();
        for k in 0..usize::from(interleave) {
            for e in 0..16 {
                noisy[k + (e * 15) * usize::from(interleave)] ^= 0x5A;
            }
        }
        g.throughput(Throughput::Bytes(code.frame_len() as u64));
        g.bench_with_input(
            BenchmarkId::new("encode", interleave),
            &block,
            |b, block| {
                let mut work = block.clone();
                b.iter(|| code.encode_in_place(black_box(&mut work)).unwrap())
            },
        );
        g.bench_with_input(
            BenchmarkId::new("decode_clean", interleave),
            &block,
            |b, block| {
                let mut work = block.clone();
                b.iter(|| code.decode_in_place(black_box(&mut work)).unwrap())
            },
        );
        g.bench_with_input(
            BenchmarkId::new("decode_16_errors", interleave),
            &noisy,
            |b, noisy| {
                let mut work = noisy.clone();
                b.iter(|| {
                    work.copy_from_slice(noisy);
                    let report = code.decode_in_place(black_box(&mut work)).unwrap();
                    assert_eq!(report.total(), 16 * usize::from(interleave));
                })
            },
        );
    }
    g.finish();
}

/// A TM frame of the latency harness's pool: packets of the harness's mix, OCF with a CLCW,
/// FECF.
fn tm_frame() -> Vec<u8> {
    TmPool::generate(0x5EED, 1).frames[..FRAME_LEN].to_vec()
}

fn tm_frame_bench(c: &mut Criterion) {
    let frame = tm_frame();
    let view = TmFrame::new_checked(&frame[..], CONFIG).unwrap();
    let repr = TmFrameRepr::parse(&view).unwrap();
    let data = view.data().to_vec();
    let mut out = vec![0u8; FRAME_LEN];
    assert_eq!(repr.emit(&data, &mut out).unwrap(), FRAME_LEN);
    assert_eq!(out, frame, "emit(parse(frame)) == frame");

    let mut g = c.benchmark_group("tm_frame_1115");
    g.throughput(Throughput::Bytes(FRAME_LEN as u64));
    g.bench_function("decode_new_checked", |b| {
        b.iter(|| {
            let f = TmFrame::new_checked(black_box(&frame[..]), CONFIG).unwrap();
            (f.vcid(), f.vc_frame_count(), f.data_field_content())
        })
    });
    g.bench_function("decode_new_checked_parse", |b| {
        b.iter(|| {
            let f = TmFrame::new_checked(black_box(&frame[..]), CONFIG).unwrap();
            TmFrameRepr::parse(&f).unwrap()
        })
    });
    g.bench_function("encode_emit", |b| {
        b.iter(|| repr.emit(black_box(&data), black_box(&mut out)).unwrap())
    });
    g.finish();
}

fn aos_frame_bench(c: &mut Criterion) {
    let mut rng = XorShift64::new(0xA05);
    let repr = AosFrameRepr {
        scid: Scid::new(0xAB).unwrap(),
        vcid: Vcid::new(5).unwrap(),
        vc_frame_count: 0x12_3456,
        replay: false,
        vc_frame_count_cycle: None,
        fhec: true,
        insert_zone: &[],
        ocf: Some(Ocf::Clcw(Clcw {
            cop_in_effect: Clcw::COP_1,
            report_value: 42,
            ..Clcw::default()
        })),
        fecf: true,
    };
    let data: Vec<u8> = (0..repr.data_len_for(FRAME_LEN).unwrap())
        .map(|_| rng.next_u64() as u8)
        .collect();
    let config = repr.config(data.len());
    let mut frame = vec![0u8; FRAME_LEN];
    assert_eq!(repr.emit(&data, &mut frame).unwrap(), FRAME_LEN);
    let view = AosFrame::new_checked(&frame[..], config).unwrap();
    assert_eq!(AosFrameRepr::parse(&view).unwrap(), repr);

    let mut g = c.benchmark_group("aos_frame_1115");
    g.throughput(Throughput::Bytes(FRAME_LEN as u64));
    g.bench_function("decode_new_checked", |b| {
        b.iter(|| {
            let f = AosFrame::new_checked(black_box(&frame[..]), config).unwrap();
            (f.vcid(), f.vc_frame_count())
        })
    });
    g.bench_function("decode_new_checked_parse", |b| {
        b.iter(|| {
            let f = AosFrame::new_checked(black_box(&frame[..]), config).unwrap();
            AosFrameRepr::parse(&f).unwrap()
        })
    });
    let mut out = vec![0u8; FRAME_LEN];
    g.bench_function("encode_emit", |b| {
        b.iter(|| repr.emit(black_box(&data), black_box(&mut out)).unwrap())
    });
    g.finish();
}

/// The RS(255,223) I=5 codec with the randomizer, as on the downlink.
fn codec() -> CaduCodec {
    CaduCodec::new(FRAME_LEN, Some((ErrorCapability::E16, 5)), true).unwrap()
}

fn cadu_bench(c: &mut Criterion) {
    let codec = codec();
    let frame = tm_frame();
    let mut cadu = vec![0u8; codec.cadu_len()];
    codec.encode(&frame, &mut cadu).unwrap();
    let received = cadu[4..].to_vec();
    let mut work = received.clone();
    assert_eq!(
        codec.decode_codeblock(&mut work).unwrap().corrected_symbols,
        0
    );
    assert_eq!(&work[..FRAME_LEN], &frame[..]);

    let mut g = c.benchmark_group("cadu_1115_rs_i5");
    g.throughput(Throughput::Bytes(FRAME_LEN as u64));
    g.bench_function("encode", |b| {
        b.iter(|| {
            codec
                .encode(black_box(&frame), black_box(&mut cadu))
                .unwrap()
        })
    });
    // Each iteration restores the received codeblock first (a 1275-octet copy, included).
    g.bench_function("decode_codeblock_clean", |b| {
        b.iter(|| {
            work.copy_from_slice(&received);
            codec.decode_codeblock(black_box(&mut work)).unwrap()
        })
    });
    g.finish();
}

/// `stream` shifted right by `shift` bits (as an unaligned demodulator would deliver it).
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

/// Runs a fresh synchronizer over `stream`; returns the code blocks it delivered.
fn synchronize(codec: &CaduCodec, stream: &[u8], codeblock: &mut [u8]) -> usize {
    let mut sync = FrameSynchronizer::new(codec.sync_config()).unwrap();
    let (mut input, mut blocks) = (stream, 0);
    loop {
        let taken = sync.push(input);
        input = &input[taken..];
        while sync.next_codeblock(codeblock).unwrap().is_some() {
            blocks += 1;
        }
        if taken == 0 && input.is_empty() {
            return blocks;
        }
    }
}

fn asm_sync_bench(c: &mut Criterion) {
    let codec = codec();
    let pool = TmPool::generate(0x5EED, 1);
    let count = (1 << 20) / codec.cadu_len() + 1;
    let mut stream = vec![0u8; count * codec.cadu_len()];
    for (frame, cadu) in pool
        .frames
        .chunks_exact(FRAME_LEN)
        .zip(stream.chunks_exact_mut(codec.cadu_len()))
    {
        codec.encode(frame, cadu).unwrap();
    }
    let mut codeblock = vec![0u8; codec.codeblock_len()];
    let mut g = c.benchmark_group("asm_sync_1MiB");
    for shift in [0u32, 3] {
        let input = shift_bits(&stream, shift);
        assert_eq!(synchronize(&codec, &input, &mut codeblock), count);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(BenchmarkId::new("bit_shift", shift), &input, |b, input| {
            b.iter(|| synchronize(&codec, black_box(input), &mut codeblock))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    reed_solomon,
    tm_frame_bench,
    aos_frame_bench,
    cadu_bench,
    asm_sync_bench
);
criterion_main!(benches);
