//! Property tests for BCH code blocks, the TC randomizer and CLTUs (CCSDS 231.0-B-4):
//! round trips, single-error correction, double-error detection, detection-only mode, and
//! "arbitrary bytes never panic".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_tc::bch::{self, BlockStatus, DecodeMode};
use ccsds_tc::cltu::{self, CltuConfig, CodeBlocks};
use ccsds_tc::{ErrorKind, randomizer};
use proptest::prelude::*;

/// A TC frame of `body.len()` octets (at least header + 1 data octet) whose frame length field (232.0-B-4 §4.1.2.7, bits
/// 22..=31) is right, so `decode_frame` can trim the fill; the other octets are random.
fn frame() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 6..=1024).prop_map(|mut f| {
        let declared = (f.len() - 1) as u16;
        f[2] = (f[2] & 0xFC) | (declared >> 8) as u8;
        f[3] = declared as u8;
        f
    })
}

fn config() -> impl Strategy<Value = CltuConfig> {
    any::<bool>().prop_map(|randomize| CltuConfig {
        randomize,
        mode: DecodeMode::Correct,
    })
}

fn encode(frame: &[u8], cfg: &CltuConfig) -> Vec<u8> {
    let mut out = vec![0u8; cltu::encoded_len(frame.len())];
    assert_eq!(cltu::encode(frame, cfg, &mut out), Ok(out.len()));
    out
}

/// Flips bit `bit` (0 = MSB of octet 0, 63 = filler) of code block `block`.
fn flip(cltu: &mut [u8], block: usize, bit: usize) {
    cltu[2 + 8 * block + bit / 8] ^= 0x80 >> (bit % 8);
}

proptest! {
    #[test]
    fn raw_round_trip(data in proptest::collection::vec(any::<u8>(), 1..=1024), cfg in config()) {
        let encoded = encode(&data, &cfg);
        let mut out = vec![0u8; encoded.len()];
        let report = cltu::decode(&encoded, &cfg, &mut out).unwrap();
        prop_assert_eq!(report.blocks, data.len().div_ceil(7));
        prop_assert_eq!(report.consumed, encoded.len());
        prop_assert_eq!(&out[..data.len()], &data[..]);
    }

    #[test]
    fn frame_round_trip(frame in frame(), cfg in config()) {
        let encoded = encode(&frame, &cfg);
        let mut out = vec![0u8; encoded.len()];
        let (len, report) = cltu::decode_frame(&encoded, &cfg, &mut out).unwrap();
        prop_assert_eq!(&out[..len], &frame[..]);
        prop_assert_eq!(report.corrected_bits, 0);
    }

    #[test]
    fn one_error_per_block_is_corrected(
        frame in frame(),
        cfg in config(),
        bits in proptest::collection::vec(0usize..64, 147),
        damage_tail in any::<bool>(),
    ) {
        let mut encoded = encode(&frame, &cfg);
        let blocks = frame.len().div_ceil(7);
        for (block, &bit) in bits.iter().take(blocks).enumerate() {
            flip(&mut encoded, block, bit);
        }
        if damage_tail {
            // A tail with one bit error still ends the CLTU.
            flip(&mut encoded, blocks, bits[blocks % bits.len()]);
        }
        let mut out = vec![0u8; encoded.len()];
        let (len, report) = cltu::decode_frame(&encoded, &cfg, &mut out).unwrap();
        prop_assert_eq!(&out[..len], &frame[..]);
        prop_assert_eq!(report.corrected_bits, blocks);
        prop_assert_eq!(report.consumed, encoded.len());
    }

    #[test]
    fn two_errors_in_a_block_are_never_accepted(
        frame in frame(),
        cfg in config(),
        detect_only in any::<bool>(),
        block in any::<prop::sample::Index>(),
        a in 0usize..64,
        b in 0usize..64,
    ) {
        prop_assume!(a != b);
        let cfg = CltuConfig {
            mode: if detect_only { DecodeMode::DetectOnly } else { DecodeMode::Correct },
            ..cfg
        };
        let mut encoded = encode(&frame, &cfg);
        let block = block.index(frame.len().div_ceil(7));
        flip(&mut encoded, block, a);
        flip(&mut encoded, block, b);
        let mut out = vec![0u8; encoded.len()];
        let e = cltu::decode(&encoded, &cfg, &mut out).unwrap_err();
        prop_assert_eq!(e.kind, ErrorKind::Uncorrectable { block });
        prop_assert_eq!(e.offset, 2 + 8 * block);
    }

    #[test]
    fn detect_only_rejects_any_single_error(
        data in proptest::collection::vec(any::<u8>(), 1..=300),
        block in any::<prop::sample::Index>(),
        bit in 0usize..64,
    ) {
        let cfg = CltuConfig { randomize: false, mode: DecodeMode::DetectOnly };
        let mut encoded = encode(&data, &cfg);
        let block = block.index(data.len().div_ceil(7));
        flip(&mut encoded, block, bit);
        let mut out = vec![0u8; encoded.len()];
        let e = cltu::decode(&encoded, &cfg, &mut out).unwrap_err();
        prop_assert_eq!(e.kind, ErrorKind::Uncorrectable { block });
    }

    #[test]
    fn corrected_blocks_are_codewords(block: [u8; 8]) {
        // Whatever the decoder accepts, it turns into a clean codeword (231.0-B-4 §3).
        let mut fixed = block;
        if let Ok(status) = bch::decode(&mut fixed, DecodeMode::Correct, 0) {
            prop_assert_eq!(bch::check(&fixed, DecodeMode::DetectOnly, 0), Ok(BlockStatus::Clean));
            let distance = (u64::from_be_bytes(block) ^ u64::from_be_bytes(fixed)).count_ones();
            prop_assert_eq!(distance as usize, status.corrected_bits());
        }
    }

    #[test]
    fn acquisition_prefix_is_skipped(
        data in proptest::collection::vec(any::<u8>(), 1..=100),
        prefix in proptest::collection::vec(prop::sample::select(vec![0x55u8, 0xAA]), 0..32),
    ) {
        let mut input = prefix.clone();
        input.extend(encode(&data, &CltuConfig::default()));
        let mut out = vec![0u8; input.len()];
        let report = cltu::decode(&input, &CltuConfig::default(), &mut out).unwrap();
        prop_assert_eq!(report.start, prefix.len());
        prop_assert_eq!(report.consumed, input.len());
        prop_assert_eq!(&out[..data.len()], &data[..]);
    }

    #[test]
    fn randomize_twice_is_identity(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut twice = data.clone();
        randomizer::randomize(&mut twice);
        randomizer::randomize(&mut twice);
        prop_assert_eq!(twice, data);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        with_start in any::<bool>(),
        out_len in 0usize..300,
        cfg in config(),
    ) {
        let mut input = if with_start { cltu::START_SEQUENCE.to_vec() } else { Vec::new() };
        input.extend(body);
        let mut out = vec![0u8; out_len];
        let _ = cltu::decode(&input, &cfg, &mut out);
        let _ = cltu::decode_frame(&input, &cfg, &mut out);
        if let Ok(blocks) = CodeBlocks::new(&input, cfg.mode) {
            for block in blocks {
                prop_assert!(block.offset + 8 <= input.len());
            }
        }
    }
}
