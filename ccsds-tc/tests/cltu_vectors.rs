//! Known-answer tests for TC Synchronization and Channel Coding (CCSDS 231.0-B-4): BCH code
//! blocks, the TC randomizer and whole CLTUs, from yamcs and dariol83/ccsds unit tests (hex
//! copied from `shared/vectors/ccsds/yamcs.json` and `dariol83_ccsds.json`; each test names
//! the original source).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_tc::bch::{self, BlockStatus, DecodeMode};
use ccsds_tc::cltu::{self, CltuConfig, CodeBlocks};
use ccsds_tc::{ErrorKind, randomizer};

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

const PLAIN: CltuConfig = CltuConfig {
    randomize: false,
    mode: DecodeMode::Correct,
};
const RANDOMIZED: CltuConfig = CltuConfig {
    randomize: true,
    mode: DecodeMode::Correct,
};

/// Encodes `frame` and compares with `expected`, then decodes `expected` back to `frame`.
fn check_cltu(frame: &[u8], expected: &[u8], cfg: &CltuConfig) {
    assert_eq!(cltu::encoded_len(frame.len()), expected.len());
    let mut out = vec![0u8; expected.len()];
    assert_eq!(cltu::encode(frame, cfg, &mut out), Ok(expected.len()));
    assert_eq!(out, expected);

    let mut decoded = vec![0u8; expected.len()];
    let (len, report) = cltu::decode_frame(expected, cfg, &mut decoded).unwrap();
    assert_eq!(&decoded[..len], frame);
    assert_eq!(report.start, 0);
    assert_eq!(report.consumed, expected.len());
    assert_eq!(report.blocks, frame.len().div_ceil(7));
    assert_eq!(report.corrected_bits, 0);
    assert_eq!(report.len, report.blocks * 7);
}

// yamcs/yamcs yamcs-core/src/test/java/org/yamcs/tctm/ccsds/error/BchCltuGeneratorTest.java
// @0162f94b (testBch), vectors originally from SpacePyLibrary.
#[test]
fn yamcs_bch_code_blocks() {
    for (info, parity) in [
        ("22F600FF00421A", 0x12),
        ("8CC00E010D1906", 0x5A),
        ("301B0009008200", 0x54),
        ("10E4C155555555", 0x3E),
    ] {
        let info: [u8; 7] = hex(info).try_into().unwrap();
        assert_eq!(bch::parity(&info), parity);
        let block = bch::encode_block(&info);
        assert_eq!(block[7], parity);
        assert_eq!(
            bch::check(&block, DecodeMode::Correct, 0),
            Ok(BlockStatus::Clean)
        );
        assert_eq!(
            bch::check(&block, DecodeMode::DetectOnly, 0),
            Ok(BlockStatus::Clean)
        );
    }
}

// yamcs/yamcs BchCltuGeneratorTest.java@0162f94b (testCltu1: TC_FRAME_01/CLTU_01 from
// SpacePyLibrary UnitTest/testData.py), no randomization.
#[test]
fn yamcs_cltu1() {
    let frame = hex(concat!(
        "22f600ff00421a8cc00e010d1906020000010000000001000000ff000000000f0001ff000000000f0002",
        "ff000000000f0003ff000000000f0004ff000000000f0005ff000000000f0006ff000000000f0007ff00",
        "0000000f0008ff000000000f0009ff000000000f000aff000000000f000bff000000000f000cff000000",
        "000f000dff000000000f000eff000000000f000fff000000000f0010ff000000000f0011ff000000000f",
        "0012ff000000000f0013ff000000000f0014ff000000000f0015ff000000000f0016ff000000000f0017",
        "ff000000000f0018ff000000000f0019ff000000000f001aff000000000f001bff000000000f001cff00",
        "0000ad1a"
    ));
    let cltu = hex(concat!(
        "eb9022f600ff00421a128cc00e010d19065a020000010000008a0001000000ff00cc0000000f0001ff28",
        "000000000f00025aff000000000f009203ff000000000fd60004ff00000000d40f0005ff000000a8000f",
        "0006ff0000c800000f0007ff00ca0000000f0008ff66000000000f0009a8ff000000000f00920aff0000",
        "00000ff4000bff000000005a0f000cff000000b0000f000dff0000d800000f000eff00960000000f000f",
        "ffda000000000f001082ff000000000f009211ff000000000f920012ff000000002a0f0013ff00000024",
        "000f0014ff00004a00000f0015ff00720000000f0016ff2e000000000f001720ff000000000f009218ff",
        "000000000fb00019ff00000000900f001aff0000003c000f001bff0000f800000f001cff002e0000ad1a",
        "555555ecc5c5c5c5c5c5c579"
    ));
    assert_eq!(frame.len(), 256);
    check_cltu(&frame, &cltu, &PLAIN);
}

// yamcs/yamcs BchCltuGeneratorTest.java@0162f94b (testCltu2: TC_FRAME_02/CLTU_02), no
// randomization.
#[test]
fn yamcs_cltu2() {
    let frame = hex("22f600230082000f001dff000000000f001eff000000000f001fff000000000fac8f0068");
    let cltu = hex(concat!(
        "eb9022f60023008200240f001dff00000034000f001eff00001000000f001fff00d80000000fac8f0090",
        "6855555555555506c5c5c5c5c5c5c579"
    ));
    check_cltu(&frame, &cltu, &PLAIN);
}

// dariol83/ccsds eu.dariolucia.ccsds.tmtc/src/test/java/eu/dariolucia/ccsds/tmtc/algorithm/
// BchCltuAlgorithmTest.java@8c1f966f (testDecodeEncodeCltu), no randomization.
#[test]
fn dariol83_cltu() {
    let frame =
        hex("2062042900c1000102030405060708090a0baabbccddeeffaabbccddeeffaabbccddeeffaabbccddeeff");
    let cltu = hex(concat!(
        "EB902062042900C10036010203040506077008090A0BAABBCCC4DDEEFFAABBCCDDE6EEFFAABBCCDDEE10",
        "FFAABBCCDDEEFF64C5C5C5C5C5C5C579"
    ));
    check_cltu(&frame, &cltu, &PLAIN);
}

// dariol83/ccsds eu.dariolucia.ccsds.tmtc/src/test/java/eu/dariolucia/ccsds/tmtc/coding/
// encoder/TcEncoderTest.java@8c1f966f (testTcEncoding): randomized frame, fill not randomized.
#[test]
fn dariol83_randomized_cltu() {
    let frame = hex("007b040e000102030405060708090a");
    let mut randomized = frame.clone();
    randomizer::randomize(&mut randomized);
    assert_eq!(randomized, hex("ff429a5468e804f6688c29a6395702"));
    let cltu = hex("EB90FF429A5468E804BEF6688C29A63957C20255555555555556C5C5C5C5C5C5C579");
    check_cltu(&frame, &cltu, &RANDOMIZED);
}

// yamcs/yamcs yamcs-core/src/test/java/org/yamcs/tctm/ccsds/RandomizerTest.java@27798b30
// (testTc): first 40 bits; the next three octets from CCSDS-NOTES §4.2.
#[test]
fn randomizer_sequence() {
    assert_eq!(randomizer::SEQUENCE[..5], [0xFF, 0x39, 0x9E, 0x5A, 0x68]);
    assert_eq!(randomizer::SEQUENCE[5..8], [0xE9, 0x06, 0xF5]);
    let mut zeros = [0u8; 600];
    randomizer::randomize(&mut zeros);
    assert_eq!(zeros[255..510], randomizer::SEQUENCE);
}

#[test]
fn tail_sequence_fails_bch_decoding() {
    // 231.0-B-4 §5: the tail is an uncorrectable "code_block", even with one bit error.
    for mode in [DecodeMode::Correct, DecodeMode::DetectOnly] {
        for bit in 0..=64 {
            let mut tail = u64::from_be_bytes(cltu::TAIL_SEQUENCE);
            if bit < 64 {
                tail ^= 1 << bit;
            }
            let tail = tail.to_be_bytes();
            assert!(cltu::is_tail(&tail));
            assert_eq!(
                bch::check(&tail, mode, 4).unwrap_err().kind,
                ErrorKind::Uncorrectable { block: 4 }
            );
        }
    }
}

fn small_cltu() -> Vec<u8> {
    let mut out = vec![0u8; cltu::encoded_len(10)];
    cltu::encode(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], &PLAIN, &mut out).unwrap();
    out
}

#[test]
fn acquisition_sequence_is_skipped() {
    let mut input = vec![0x55, 0x55, 0xAA, 0x55];
    input.extend(small_cltu());
    input.extend([0x55, 0x55]); // idle after the CLTU
    let mut out = [0u8; 14];
    let report = cltu::decode(&input, &PLAIN, &mut out).unwrap();
    assert_eq!(report.start, 4);
    assert_eq!(report.consumed, input.len() - 2);
    assert_eq!(out[..10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(out[10..], [0x55; 4]);
}

#[test]
fn decode_errors() {
    let good = small_cltu();
    let mut out = [0u8; 64];

    // No start sequence.
    let e = cltu::decode(&[0x55, 0x12, 0x34], &PLAIN, &mut out).unwrap_err();
    assert_eq!((e.offset, e.field), (1, "start_sequence"));
    assert_eq!(e.kind, ErrorKind::InvalidValue { value: 0x1234 });
    let e = cltu::decode(&[0xAA, 0xEB], &PLAIN, &mut out).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 3,
            available: 2
        }
    );

    // Missing tail.
    let e = cltu::decode(&good[..good.len() - 1], &PLAIN, &mut out).unwrap_err();
    assert_eq!((e.offset, e.field), (18, "tail_sequence"));

    // No code blocks.
    let mut empty = cltu::START_SEQUENCE.to_vec();
    empty.extend(cltu::TAIL_SEQUENCE);
    let e = cltu::decode(&empty, &PLAIN, &mut out).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidValue { value: 0 });

    // Output too small.
    let e = cltu::decode(&good, &PLAIN, &mut out[..13]).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::BufferTooSmall {
            needed: 14,
            available: 13
        }
    );

    // Uncorrectable second block, reported at its offset.
    let mut bad = good.clone();
    bad[10] ^= 0x81;
    let e = cltu::decode(&bad, &PLAIN, &mut out).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Uncorrectable { block: 1 });
    assert_eq!(e.offset, 10);

    // decode_frame: a header declaring more octets than the CLTU carries.
    let e = cltu::decode_frame(&good, &PLAIN, &mut out).unwrap_err();
    assert_eq!(e.field, "frame_length");
}

#[test]
fn encode_errors() {
    let mut out = [0u8; 17];
    let e = cltu::encode(&[], &PLAIN, &mut out).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidValue { value: 0 });
    let e = cltu::encode(&[0; 7], &PLAIN, &mut out).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::BufferTooSmall {
            needed: 18,
            available: 17
        }
    );
}

#[test]
fn code_block_view() {
    let mut cltu = small_cltu();
    cltu[2] ^= 0x40; // bit 1 of block 0
    let mut blocks = CodeBlocks::new(&cltu, DecodeMode::Correct).unwrap();
    let first = blocks.next().unwrap();
    assert_eq!((first.index, first.offset), (0, 2));
    assert_eq!(first.info, &[0x41, 2, 3, 4, 5, 6, 7]);
    assert_eq!(first.status, Ok(BlockStatus::Corrected { bit: 1 }));
    let second = blocks.next().unwrap();
    assert_eq!(second.info, &[8, 9, 10, 0x55, 0x55, 0x55, 0x55]);
    assert_eq!(second.status, Ok(BlockStatus::Clean));
    assert!(blocks.next().is_none());
    assert_eq!(blocks.tail(), Some(18));
    assert_eq!(blocks.position(), cltu.len());
}

#[test]
fn hand_worked_bch_blocks() {
    use ccsds_tc::bch::parity;
    // 231.0-B-4 §3, worked by hand. Information bits i0..i55 (i0 = MSB of octet 0) are the
    // coefficients of x^62..x^7 of the codeword; the parity bits are the remainder of that
    // polynomial divided by g(x) = x^7 + x^6 + x^2 + 1, complemented, followed by filler bit 0.
    //
    // All-zero information: remainder 0000000, complemented 1111111, filler 0 → 0xFE.
    assert_eq!(parity(&[0; 7]), 0xFE);
    // Only i55 set: the polynomial is x^7, and x^7 mod g(x) = x^6 + x^2 + 1 → 1000101,
    // complemented 0111010, filler 0 → 0111 0100 = 0x74.
    assert_eq!(parity(&[0, 0, 0, 0, 0, 0, 1]), 0x74);
    // Only i54 set: x^8 = x·x^7 ≡ x^7 + x^3 + x ≡ (x^6 + x^2 + 1) + x^3 + x
    // = x^6 + x^3 + x^2 + x + 1 → 1001111, complemented 0110000 → 0110 0000 = 0x60.
    assert_eq!(parity(&[0, 0, 0, 0, 0, 0, 2]), 0x60);
    // The code is linear before complementing: parity(a ^ b) ^ parity(a) ^ parity(b) equals the
    // complement mask of the all-zero block.
    let (a, b) = ([0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 2]);
    assert_eq!(
        parity(&[0, 0, 0, 0, 0, 0, 3]),
        parity(&a) ^ parity(&b) ^ parity(&[0; 7])
    );
}

#[test]
fn fuzz_regression_frame_shorter_than_a_header() {
    // fuzz/artifacts/cltu/crash-3f78fd0f (cltu target, 2026-11-24): one code block that
    // corrects to all-zero information octets, then a tail with one bit error. The zero header
    // declares a 1-octet "frame"; decode_frame used to return it, and re-encoding it with fill
    // gave a different frame length. A TC frame is at least header + 1 data octet.
    let input = hex("eb90000000000000003ac5c5c5c5c5c5c539ff00aa");
    let mut out = [0u8; 32];
    let e = cltu::decode_frame(&input, &PLAIN, &mut out).unwrap_err();
    assert_eq!((e.field, e.offset), ("frame_length", 4));
    assert_eq!(e.kind, ErrorKind::InvalidValue { value: 0 });
}
