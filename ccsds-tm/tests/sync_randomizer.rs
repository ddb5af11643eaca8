//! The TM pseudo-randomizer (131.0-B-4 §10) and the Attached Sync Marker / frame
//! synchronizer (131.0-B-4 §9): known answers from the notes and dariol83/ccsds, bit-offset
//! and bit-error tolerance of the search, the search/check/lock machine, and "arbitrary
//! bytes never panic".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_tm::randomizer;
use ccsds_tm::sync::{
    self, ASM, Codeblock, FrameSynchronizer, MarkerStatus, SyncConfig, SyncState,
};
use proptest::prelude::*;

/// A 1279-octet CADU: a 1115-octet TM frame (SCID 123, VC 1, zero data), RS(255,223) I=5,
/// randomized, ASM attached. Source: dariol83/ccsds
/// eu.dariolucia.ccsds.tmtc/src/test/java/eu/dariolucia/ccsds/tmtc/coding/encoder/TmEncoderTest.java
/// @8c1f966f (testTmEncoding, EXPECTED_TM), via shared/vectors/ccsds/dariol83_ccsds.json.
const EXPECTED_TM_CADU: &str = include_str!("vectors/dariol83_expected_tm_cadu.hex");

/// The first 1115 octets of the derandomized code block: the TM frame of EXPECTED_TM
/// (`07 B3 16 0E 47 FF`, then zeros; same source).
fn expected_tm_frame() -> Vec<u8> {
    let mut frame = vec![0u8; 1115];
    frame[..6].copy_from_slice(&[0x07, 0xB3, 0x16, 0x0E, 0x47, 0xFF]);
    frame
}

#[test]
fn randomizer_sequence_matches_the_book() {
    // 131.0-B-4 §10 (figure 10-2 sequence), as restated in CCSDS-NOTES §7.2.
    let expected =
        hex::decode("FF480EC09A0D70BC8E2C93ADA7B746CE5A977DCC32A2BF3E0A10F18894CDEAB1").unwrap();
    assert_eq!(randomizer::SEQUENCE[..32], expected[..]);
    let mut zeros = [0u8; 32];
    randomizer::randomize(&mut zeros);
    assert_eq!(zeros[..], expected[..]);
    assert_eq!(randomizer::keystream().nth(randomizer::PERIOD), Some(0xFF));
}

#[test]
fn dariol83_cadu_derandomizes_to_the_frame() {
    let cadu = hex::decode(EXPECTED_TM_CADU).unwrap();
    assert_eq!(cadu.len(), 1279);
    assert_eq!(cadu[..4], ASM);
    let mut codeblock = cadu[4..].to_vec();
    randomizer::randomize(&mut codeblock);
    assert_eq!(codeblock[..1115], expected_tm_frame()[..]);
}

#[test]
fn attach_builds_the_dariol83_cadu() {
    let cadu = hex::decode(EXPECTED_TM_CADU).unwrap();
    let mut out = vec![0u8; 1300];
    assert_eq!(sync::attach(&cadu[4..], &mut out), Ok(1279));
    assert_eq!(out[..1279], cadu[..]);
    let err = sync::attach(&cadu[4..], &mut out[..1278]).unwrap_err();
    assert_eq!(err.field, "cadu");
}

#[test]
fn synchronizer_finds_dariol83_cadus_at_a_bit_offset() {
    let cadu = hex::decode(EXPECTED_TM_CADU).unwrap();
    let mut stream = vec![0x5Au8; 37];
    for _ in 0..3 {
        stream.extend_from_slice(&cadu);
    }
    let stream = shift_right(&stream, 3);
    let blocks = run(SyncConfig::new(1275), &stream, 500);
    assert_eq!(blocks.len(), 3);
    for (i, (info, block)) in blocks.iter().enumerate() {
        assert_eq!(info.asm_bit_offset, (37 + i as u64 * 1279) * 8 + 3);
        assert_eq!(info.asm_bit_errors, 0);
        assert_eq!(block[..], cadu[4..]);
    }
    assert_eq!(blocks[0].0.marker, MarkerStatus::Found);
    assert_eq!(blocks[2].0.marker, MarkerStatus::Verified);
}

/// `bytes` delayed by `shift` (0..8) bits: `shift` zero bits first, padded with zero bits.
fn shift_right(bytes: &[u8], shift: u32) -> Vec<u8> {
    if shift == 0 {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len() + 1);
    let mut carry = 0u8;
    for b in bytes {
        out.push(carry | (b >> shift));
        carry = b << (8 - shift);
    }
    out.push(carry);
    out
}

/// Pushes `stream` in pieces of at most `chunk` octets and collects every code block.
fn run(config: SyncConfig, stream: &[u8], chunk: usize) -> Vec<(Codeblock, Vec<u8>)> {
    let mut sync = FrameSynchronizer::new(config).unwrap();
    let mut out = vec![0u8; config.codeblock_len];
    let mut blocks = Vec::new();
    for mut piece in stream.chunks(chunk) {
        while !piece.is_empty() {
            let taken = sync.push(piece);
            piece = &piece[taken..];
            while let Some(info) = sync.next_codeblock(&mut out).unwrap() {
                blocks.push((info, out.clone()));
            }
        }
    }
    blocks
}

/// CADUs of `len`-octet code blocks whose octets are all zero, with `errors[i]` flipped
/// marker bits in CADU `i`.
fn cadus(len: usize, errors: &[&[u32]]) -> Vec<u8> {
    let mut stream = Vec::new();
    for flips in errors {
        let mut marker = u32::from_be_bytes(ASM);
        for bit in *flips {
            marker ^= 1 << bit;
        }
        stream.extend_from_slice(&marker.to_be_bytes());
        stream.extend(std::iter::repeat_n(0u8, len));
    }
    stream
}

#[test]
fn lock_flywheel_and_loss_of_lock() {
    let config = SyncConfig {
        codeblock_len: 40,
        search_tolerance: 1,
        lock_tolerance: 3,
        check_frames: 1,
        misses_to_search: 2,
    };
    // CADU 0 acquired, 1 verified (Lock) with 3 errors, 2 missed (flywheel), 3 verified,
    // 4 and 5 missed (second miss in a row: Search), 6 found again.
    let wrong = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18][..].as_ref();
    let stream = cadus(40, &[&[], &[1, 5, 9], wrong, &[], wrong, wrong, &[7], &[]]);
    let stream = shift_right(&stream, 5);
    let mut sync = FrameSynchronizer::new(config).unwrap();
    assert_eq!(sync.state(), SyncState::Search);
    let mut out = [0u8; 40];
    let mut seen = Vec::new();
    for mut rest in stream.chunks(17) {
        while !rest.is_empty() {
            let taken = sync.push(rest);
            rest = &rest[taken..];
            while let Some(info) = sync.next_codeblock(&mut out).unwrap() {
                assert_eq!(out, [0u8; 40]);
                seen.push((
                    info.asm_bit_offset / 8 / 44,
                    info.marker,
                    info.asm_bit_errors,
                    sync.state(),
                ));
            }
        }
    }
    assert_eq!(
        seen,
        vec![
            (0, MarkerStatus::Found, 0, SyncState::Check),
            (1, MarkerStatus::Verified, 3, SyncState::Lock),
            (2, MarkerStatus::Flywheel, 10, SyncState::Lock),
            (3, MarkerStatus::Verified, 0, SyncState::Lock),
            (4, MarkerStatus::Flywheel, 10, SyncState::Lock),
            (6, MarkerStatus::Found, 1, SyncState::Check),
            (7, MarkerStatus::Verified, 0, SyncState::Lock),
        ]
    );
}

#[test]
fn a_miss_in_check_returns_to_search() {
    let config = SyncConfig {
        check_frames: 2,
        ..SyncConfig::new(20)
    };
    let wrong = [3, 4, 5, 6, 7][..].as_ref();
    let stream = cadus(20, &[&[], wrong, &[], &[], &[], &[]]);
    let blocks = run(config, &stream, 1000);
    let seen: Vec<_> = blocks
        .iter()
        .map(|(info, _)| (info.asm_bit_offset / 8 / 24, info.marker))
        .collect();
    assert_eq!(
        seen,
        vec![
            (0, MarkerStatus::Found),
            (2, MarkerStatus::Found),
            (3, MarkerStatus::Verified),
            (4, MarkerStatus::Verified),
            (5, MarkerStatus::Verified),
        ]
    );
}

#[test]
fn short_output_buffer_is_an_error() {
    let mut sync = FrameSynchronizer::new(SyncConfig::new(10)).unwrap();
    assert_eq!(
        sync.next_codeblock(&mut [0u8; 9]).unwrap_err().field,
        "codeblock"
    );
}

/// Flips `count` distinct bits of the marker, chosen by `seed`.
fn flip(count: u32, seed: u64) -> Vec<u32> {
    let mut bits: Vec<u32> = (0..32).collect();
    let mut s = seed;
    for i in 0..32 {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        bits.swap(i, i + (s >> 33) as usize % (32 - i));
    }
    bits.truncate(count as usize);
    bits
}

proptest! {
    #[test]
    fn randomize_twice_is_identity(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut twice = data.clone();
        randomizer::randomize(&mut twice);
        randomizer::randomize(&mut twice);
        prop_assert_eq!(twice, data);
    }

    /// The search finds the marker at every bit offset with up to N bit errors, and not
    /// with N + 1 (the rest of the stream is zeros, which are 19 bits away from the ASM).
    #[test]
    fn search_tolerates_exactly_n_bit_errors(
        shift in 0u32..8,
        prefix in 0usize..20,
        tolerance in 0u32..=4,
        extra in 0u32..=1,
        seed in any::<u64>(),
    ) {
        let errors = tolerance + extra;
        let flips = flip(errors, seed);
        let mut stream = vec![0u8; prefix];
        stream.extend(cadus(16, &[&flips]));
        stream.extend([0u8; 8]);
        let stream = shift_right(&stream, shift);
        let config = SyncConfig {
            search_tolerance: tolerance,
            ..SyncConfig::new(16)
        };
        let blocks = run(config, &stream, 1000);
        if extra == 0 {
            prop_assert_eq!(blocks.len(), 1);
            prop_assert_eq!(blocks[0].0.asm_bit_offset, prefix as u64 * 8 + u64::from(shift));
            prop_assert_eq!(blocks[0].0.asm_bit_errors, errors);
            prop_assert_eq!(&blocks[0].1, &vec![0u8; 16]);
        } else {
            prop_assert!(blocks.is_empty());
        }
    }

    /// Random code blocks at a random bit offset come out intact however the stream is cut.
    #[test]
    fn chunking_does_not_matter(
        blocks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 50), 1..6),
        shift in 0u32..8,
        chunk in 1usize..300,
    ) {
        let mut stream = Vec::new();
        for block in &blocks {
            stream.extend(ASM);
            stream.extend(block);
        }
        stream.extend(ASM);
        let stream = shift_right(&stream, shift);
        let config = SyncConfig { search_tolerance: 0, lock_tolerance: 0, ..SyncConfig::new(50) };
        let got = run(config, &stream, chunk);
        // Random data may contain a marker before the first real one; from the first real
        // marker on the lock holds (every real marker is verified).
        let first = got.iter().position(|(i, _)| i.asm_bit_offset == u64::from(shift)).unwrap();
        let got: Vec<Vec<u8>> = got[first..].iter().map(|(_, b)| b.clone()).collect();
        prop_assert_eq!(got, blocks);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        input in proptest::collection::vec(any::<u8>(), 0..2000),
        len in 1usize..64,
        search_tolerance in 0u32..=8,
        lock_tolerance in 0u32..=8,
        check_frames in 0u32..4,
        misses_to_search in 1u32..4,
        chunk in 1usize..200,
        out_len in 0usize..80,
    ) {
        let config = SyncConfig { codeblock_len: len, search_tolerance, lock_tolerance, check_frames, misses_to_search };
        let mut sync = FrameSynchronizer::new(config).unwrap();
        let mut out = vec![0u8; out_len];
        for piece in input.chunks(chunk) {
            let mut piece = piece;
            let mut rounds = 0;
            while !piece.is_empty() {
                let taken = sync.push(piece);
                piece = &piece[taken..];
                while let Ok(Some(info)) = sync.next_codeblock(&mut out) {
                    prop_assert!(info.asm_bit_errors <= 32);
                }
                rounds += 1;
                if out_len < len && rounds > 3 {
                    break; // cannot drain without a big enough buffer
                }
            }
        }
    }
}
