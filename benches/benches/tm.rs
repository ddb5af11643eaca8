//! Criterion benches of `ccsds-tm`: Reed-Solomon (255,223) E=16 (131.0-B-4) encode and decode
//! throughput, on the 1115-octet TM frame of interleaving depth 5 (I × 223 = 1115) — clean, and
//! with 16 symbol errors in every codeword (the worst correctable case).
//!
//! `cargo bench -p borealis-benches --bench tm`; criterion reports the throughput of frame data.
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use borealis_benches::XorShift64;
use ccsds_tm::rs::{ErrorCapability, RsCode};
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

criterion_group!(benches, reed_solomon);
criterion_main!(benches);
