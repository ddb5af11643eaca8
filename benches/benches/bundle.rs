//! Criterion benches of `bpv7` against the dtn7 `bp7` crate 0.12.1 on the same small bundle
//! (primary block + 64-octet payload, CRC-32C on both, 118 octets, built by our
//! `BundleBuilder` and checked to decode identically in both crates first):
//!
//! * decode: `BundleView::parse` (all rules, both CRCs) + reading the payload, against
//!   `bp7::Bundle::try_from(&[u8])` + `crc_valid()` + reading the payload (the same work), and
//!   against `try_from` + `validate()` (bp7's own full check: the RFC rules and every CRC —
//!   the guarantees `parse` gives), `try_from` alone (no CRC check, nothing read: bp7's
//!   cheapest decode) and `try_from` + `crc_valid()` + `validate()` (CRCs checked twice);
//! * encode: `BundleBuilder::build` into a reused buffer and `to_vec`, against `bp7`'s
//!   `Bundle::to_cbor` (which computes the CRCs too).
//!
//! `cargo bench -p borealis-benches --bench bundle`
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use borealis_benches::bundle::{
    PAYLOAD_LEN, builder, decode_bp7, decode_bp7_unchecked, decode_bp7_validated, decode_ours,
    small_bundle,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn payload() -> [u8; PAYLOAD_LEN] {
    core::array::from_fn(|i| i as u8)
}

fn decode(c: &mut Criterion) {
    let bytes = small_bundle(42, &payload());
    // Same bytes, same reading, before anything is timed.
    assert_eq!(decode_ours(&bytes), decode_bp7(&bytes));
    assert_eq!(decode_ours(&bytes), decode_bp7_validated(&bytes));
    assert!(decode_ours(&bytes).is_some());
    let mut g = c.benchmark_group("bundle_decode_small");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("ours_parse_crc_payload", |b| {
        b.iter(|| decode_ours(black_box(&bytes)))
    });
    g.bench_function("bp7_try_from_crc_valid_payload", |b| {
        b.iter(|| decode_bp7(black_box(&bytes)))
    });
    g.bench_function("bp7_try_from_validate_payload", |b| {
        b.iter(|| decode_bp7_validated(black_box(&bytes)))
    });
    g.bench_function("bp7_try_from_only", |b| {
        b.iter(|| decode_bp7_unchecked(black_box(&bytes)))
    });
    g.bench_function("bp7_try_from_crc_valid_validate", |b| {
        b.iter(|| {
            let mut bundle = bp7::Bundle::try_from(black_box(bytes.as_slice())).unwrap();
            assert!(bundle.crc_valid());
            bundle.validate().is_ok()
        })
    });
    g.finish();
}

fn encode(c: &mut Criterion) {
    let payload = payload();
    let ours = builder(42, &payload);
    let bytes = ours.to_vec().unwrap();
    let mut theirs = bp7::Bundle::try_from(bytes.as_slice()).unwrap();
    assert_eq!(
        theirs.to_cbor(),
        bytes,
        "both encoders emit the same octets"
    );
    let mut g = c.benchmark_group("bundle_encode_small");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    let mut buf = Vec::with_capacity(bytes.len());
    g.bench_function("ours_build_into_reused_vec", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&ours).build(&mut buf).unwrap();
            black_box(buf.len())
        })
    });
    g.bench_function("ours_to_vec", |b| b.iter(|| black_box(&ours).to_vec()));
    g.bench_function("bp7_to_cbor", |b| {
        b.iter(|| black_box(&mut theirs).to_cbor())
    });
    g.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
