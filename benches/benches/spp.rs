//! Criterion benches of `ccsds-spp`: primary header decode and encode against the
//! `spacepackets` crate on the same packet, `PacketStream` throughput over a 64 KiB stream of
//! mixed packets, and Encapsulation Packet encode / decode.
//!
//! `cargo bench -p borealis-benches --bench spp`
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use arbitrary_int::{u11, u14};
use borealis_benches::{decode_ours, decode_spacepackets, mixed_stream};
use ccsds_spp::{
    Apid, EncapsulationHeader, EncapsulationPacket, PacketStream, PacketType, PrimaryHeader,
    ProtocolId, SequenceFlags, SpacePacket,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use spacepackets::SpHeader;
use std::hint::black_box;

/// The 64-octet telemetry packet both decoders read: APID 0x123, sequence count 42.
fn packet_64() -> ([u8; 64], PrimaryHeader) {
    let header = PrimaryHeader {
        packet_type: PacketType::Telemetry,
        secondary_header: true,
        apid: Apid::new(0x123).unwrap(),
        sequence_flags: SequenceFlags::Unsegmented,
        sequence_count: 42,
        ..PrimaryHeader::default()
    };
    let mut buf = [0u8; 64];
    let n = header.emit_packet(&[0xA5; 58], &mut buf).unwrap();
    assert_eq!(n, 64);
    (buf, PrimaryHeader::parse_bytes(&buf).unwrap())
}

fn header_decode(c: &mut Criterion) {
    let (buf, _) = packet_64();
    // Both decoders must agree before their speed is compared.
    assert_eq!(decode_ours(&buf), decode_spacepackets(&buf));
    let mut g = c.benchmark_group("spp_header_decode_64");
    g.bench_function("ours_parse_bytes", |b| {
        b.iter(|| PrimaryHeader::parse_bytes(black_box(&buf[..])))
    });
    g.bench_function("spacepackets_from_be_bytes", |b| {
        b.iter(|| SpHeader::from_be_bytes(black_box(&buf[..])).map(|(h, _)| h))
    });
    // The same small struct out of both, so neither pays for returning a bigger value.
    g.bench_function("ours_to_fields", |b| {
        b.iter(|| decode_ours(black_box(&buf[..])))
    });
    g.bench_function("spacepackets_to_fields", |b| {
        b.iter(|| decode_spacepackets(black_box(&buf[..])))
    });
    g.bench_function("ours_space_packet_new_checked", |b| {
        b.iter(|| SpacePacket::new_checked(black_box(&buf[..])).map(|p| p.apid()))
    });
    g.finish();
}

fn header_encode(c: &mut Criterion) {
    let (_, ours) = packet_64();
    let theirs = SpHeader::new_from_fields(
        spacepackets::PacketType::Tm,
        true,
        u11::new(0x123),
        spacepackets::SequenceFlags::Unsegmented,
        u14::new(42),
        57,
    );
    let (mut a, mut b6) = ([0u8; 6], [0u8; 6]);
    ours.emit(&mut a).unwrap();
    theirs.write_to_slice(&mut b6).unwrap();
    assert_eq!(a, b6, "both encoders must write the same header");

    let mut g = c.benchmark_group("spp_header_encode");
    g.bench_function("ours_emit", |b| {
        let mut out = [0u8; 6];
        b.iter(|| {
            black_box(&ours).emit(&mut out).unwrap();
            black_box(out)
        })
    });
    g.bench_function("spacepackets_write_to_slice", |b| {
        let mut out = [0u8; 6];
        b.iter(|| {
            black_box(&theirs).write_to_slice(&mut out).unwrap();
            black_box(out)
        })
    });
    g.bench_function("ours_emit_packet_64", |b| {
        let data = [0xA5u8; 58];
        let mut out = [0u8; 64];
        b.iter(|| {
            black_box(&ours)
                .emit_packet(black_box(&data), &mut out)
                .unwrap()
        })
    });
    g.finish();
}

fn packet_stream(c: &mut Criterion) {
    let stream = mixed_stream(0x5EED, 64 * 1024);
    let count = PacketStream::new(&stream).count();
    let mut g = c.benchmark_group("spp_stream_64KiB_mixed");
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function(BenchmarkId::new("ours_packet_stream", count), |b| {
        b.iter(|| {
            PacketStream::new(black_box(&stream))
                .map(|p| u64::from(p.unwrap().apid().get()))
                .sum::<u64>()
        })
    });
    // spacepackets has no stream iterator: the same walk by hand, header by header.
    g.bench_function(BenchmarkId::new("spacepackets_manual_walk", count), |b| {
        b.iter(|| {
            let mut rest = black_box(&stream[..]);
            let mut sum = 0u64;
            while !rest.is_empty() {
                let (h, _) = SpHeader::from_be_bytes(rest).unwrap();
                sum += u64::from(h.apid().value());
                rest = &rest[h.packet_len()..];
            }
            sum
        })
    });
    g.finish();
}

fn encapsulation(c: &mut Criterion) {
    let mut g = c.benchmark_group("encapsulation");
    for len in [64usize, 1024] {
        let data = vec![0x5Au8; len];
        let mut out = vec![0u8; len + 8];
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("encode", len), &data, |b, data| {
            b.iter(|| {
                EncapsulationHeader::for_data(ProtocolId::BUNDLE_PROTOCOL, data.len())
                    .and_then(|h| h.emit_packet(black_box(data), &mut out))
                    .unwrap()
            })
        });
        let h = EncapsulationHeader::for_data(ProtocolId::BUNDLE_PROTOCOL, len).unwrap();
        let n = h.emit_packet(&data, &mut out).unwrap();
        let packet = &out[..n];
        g.bench_with_input(BenchmarkId::new("decode", len), packet, |b, packet| {
            b.iter(|| {
                EncapsulationPacket::new_checked(black_box(packet))
                    .map(|p| p.data().len())
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    header_decode,
    header_encode,
    packet_stream,
    encapsulation
);
criterion_main!(benches);
