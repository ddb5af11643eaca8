#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `borealis_node::radio`: the uplink coded stream (Encapsulation Packets → TC frames → CLTUs)
//! round-trips bundles, corrects one bit error per BCH code block (231.0-B-4 §5) and refuses
//! corrupted or foreign frames with a typed error, never a panic.

use borealis_node::node::MissionConfig;
use borealis_node::radio::{RadioConfig, RadioError, uplink_decode, uplink_encode};
use ccsds_tc::bch::BLOCK_LEN;
use ccsds_tc::cltu::{START_SEQUENCE, TAIL_SEQUENCE};
use proptest::prelude::*;

fn cfg() -> RadioConfig {
    RadioConfig::for_mission(&MissionConfig::default()).unwrap()
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

/// Bundles of 0, 1, 100, 1012 (with its 4-octet header exactly one 1024-octet frame's data), 1013, 5000 and 70 000 octets (the last
/// two span many segmented frames; the last needs a 4-octet length of length).
fn mixed() -> Vec<Vec<u8>> {
    [0, 1, 100, 1012, 1013, 5000, 70_000]
        .iter()
        .enumerate()
        .map(|(i, &n)| pattern(n, i as u8))
        .collect()
}

fn refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

/// Offsets of the CLTUs in a stream (each: start sequence, code blocks, tail sequence).
fn cltu_starts(stream: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        assert_eq!(stream[at..at + 2], START_SEQUENCE);
        let mut blocks = 0;
        while stream[at + 2 + blocks * BLOCK_LEN..][..BLOCK_LEN] != TAIL_SEQUENCE {
            blocks += 1;
        }
        out.push((at, blocks));
        at += 2 + (blocks + 1) * BLOCK_LEN;
    }
    out
}

#[test]
fn bundles_of_various_sizes_round_trip() {
    let bundles = mixed();
    let stream = uplink_encode(&refs(&bundles), &cfg()).unwrap();
    assert!(
        cltu_starts(&stream).len() > 70,
        "70 kB need more than 70 frames"
    );
    assert_eq!(uplink_decode(&stream, &cfg()).unwrap(), bundles);
}

#[test]
fn one_bit_error_per_code_block_is_corrected() {
    let bundles = mixed();
    let mut stream = uplink_encode(&refs(&bundles), &cfg()).unwrap();
    let mut flipped = 0;
    for (start, blocks) in cltu_starts(&stream) {
        for b in 0..blocks {
            // A different bit of the 63-bit codeword each time (bit 63 is filler).
            let bit = (start + b) % 63;
            stream[start + 2 + b * BLOCK_LEN + bit / 8] ^= 0x80 >> (bit % 8);
            flipped += 1;
        }
    }
    assert!(flipped > 10_000);
    assert_eq!(uplink_decode(&stream, &cfg()).unwrap(), bundles);
}

#[test]
fn two_bit_errors_in_a_block_are_refused() {
    let mut stream = uplink_encode(&[b"hello radio"], &cfg()).unwrap();
    stream[2] ^= 0b1000_0001;
    let err = uplink_decode(&stream, &cfg()).unwrap_err();
    assert!(matches!(err, RadioError::Frame { offset: 0, .. }), "{err}");
}

#[test]
fn a_lost_frame_is_detected() {
    let bundles = [pattern(3000, 7)];
    let stream = uplink_encode(&refs(&bundles), &cfg()).unwrap();
    let cltus = cltu_starts(&stream);
    // Drop the second CLTU (a continuing segment).
    let (second, _) = cltus[1];
    let (third, _) = cltus[2];
    let mut lossy = stream[..second].to_vec();
    lossy.extend_from_slice(&stream[third..]);
    let err = uplink_decode(&lossy, &cfg()).unwrap_err();
    assert!(matches!(err, RadioError::Reassembly { .. }), "{err}");
    // The stream cut after the first frame ends inside the bundle.
    let err = uplink_decode(&stream[..second], &cfg()).unwrap_err();
    assert!(
        matches!(err, RadioError::Incomplete { pending: 1016 }),
        "{err}"
    );
}

#[test]
fn a_frame_of_another_spacecraft_is_refused() {
    let other = RadioConfig {
        scid: ccsds_tc::Scid::new(7).unwrap(),
        ..cfg()
    };
    let stream = uplink_encode(&[b"not for us"], &other).unwrap();
    let err = uplink_decode(&stream, &cfg()).unwrap_err();
    assert!(
        matches!(err, RadioError::WrongChannel { scid: 7, .. }),
        "{err}"
    );
}

#[test]
fn truncated_stream_is_refused() {
    let stream = uplink_encode(&[b"abc"], &cfg()).unwrap();
    for cut in 1..stream.len() {
        assert!(uplink_decode(&stream[..cut], &cfg()).is_err(), "cut {cut}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip(bundles in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..3000), 0..6)) {
        let stream = uplink_encode(&refs(&bundles), &cfg()).unwrap();
        prop_assert_eq!(uplink_decode(&stream, &cfg()).unwrap(), bundles);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = uplink_decode(&bytes, &cfg());
    }

    /// A corrupted octet anywhere (uncorrectable beyond one bit per block, or caught by the
    /// FECF) either decodes to the same bundles or is refused, never a panic or other bundles.
    #[test]
    fn corrupted_stream_is_corrected_or_refused(at in any::<prop::sample::Index>(), mask in 1u8..) {
        let bundles = [pattern(2500, 3), pattern(10, 4)];
        let mut stream = uplink_encode(&refs(&bundles), &cfg()).unwrap();
        let i = at.index(stream.len());
        stream[i] ^= mask;
        if let Ok(got) = uplink_decode(&stream, &cfg()) {
            prop_assert_eq!(got, bundles.to_vec());
        }
    }
}
