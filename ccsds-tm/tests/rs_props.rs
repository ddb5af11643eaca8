//! Property tests of the Reed-Solomon codec (CCSDS 131.0-B-4 §4): encode → inject up to E
//! symbol errors per codeword → decode restores the codeblock and counts the errors, for both
//! capabilities, every interleaving depth and shortened codes; beyond E errors the decoder
//! either refuses (buffer untouched) or lands on another valid codeword within E symbols of
//! what it received; arbitrary bytes never panic it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_tm::ErrorKind;
use ccsds_tm::rs::{ErrorCapability, RsCode};
use proptest::prelude::*;
use proptest::sample::Index;

/// Any valid code: capability, depth ∈ {1,2,3,4,5,8}, 1 ..= k data symbols per codeword.
fn code() -> impl Strategy<Value = RsCode> {
    (
        prop_oneof![Just(ErrorCapability::E8), Just(ErrorCapability::E16)],
        prop::sample::select(vec![1u8, 2, 3, 4, 5, 8]),
        any::<Index>(),
        any::<bool>(),
    )
        .prop_map(|(capability, depth, len, full)| {
            let k = capability.max_data_len();
            // Half the cases unshortened, the others with a random virtual fill.
            let data_len = if full { k } else { 1 + len.index(k) };
            RsCode::new(capability, depth, data_len * usize::from(depth)).unwrap()
        })
}

/// A code and a frame for it.
fn code_and_frame() -> impl Strategy<Value = (RsCode, Vec<u8>)> {
    code().prop_flat_map(|code| {
        (
            Just(code),
            prop::collection::vec(any::<u8>(), code.frame_len()),
        )
    })
}

fn encode(code: &RsCode, frame: &[u8]) -> Vec<u8> {
    let mut block = vec![0u8; code.codeblock_len()];
    block[..frame.len()].copy_from_slice(frame);
    code.encode_in_place(&mut block).unwrap();
    block
}

/// True if `block` is a codeblock of `code` (its check symbols are those of its frame).
fn is_codeblock(code: &RsCode, block: &[u8]) -> bool {
    encode(code, &block[..code.frame_len()]) == block
}

/// XORs the non-zero values of `errors` (position, value) into codeword `j`, skipping
/// repeated positions, until `limit` symbols are corrupted; returns how many were.
fn corrupt(
    code: &RsCode,
    block: &mut [u8],
    j: usize,
    errors: &[(Index, u8)],
    limit: usize,
) -> usize {
    let depth = usize::from(code.interleave());
    let mut hit = vec![false; code.codeword_len()];
    let mut count = 0;
    for (position, value) in errors {
        let s = position.index(code.codeword_len());
        if count < limit && !hit[s] {
            hit[s] = true;
            block[s * depth + j] ^= value;
            count += 1;
        }
    }
    count
}

/// Up to `max` (position, non-zero value) pairs for each of the 8 possible codewords.
fn error_sets(max: usize) -> impl Strategy<Value = Vec<Vec<(Index, u8)>>> {
    prop::collection::vec(
        prop::collection::vec((any::<Index>(), 1u8..=255), 0..=max),
        8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Up to E errors in every codeword: corrected, and counted per codeword.
    #[test]
    fn corrects_up_to_e_errors_per_codeword(
        (code, frame) in code_and_frame(),
        errors in error_sets(16),
    ) {
        let sent = encode(&code, &frame);
        let e = code.capability().e();
        let mut block = sent.clone();
        let mut expected = Vec::new();
        for (j, errors) in errors.iter().take(usize::from(code.interleave())).enumerate() {
            expected.push(corrupt(&code, &mut block, j, errors, e) as u8);
        }
        let report = code.decode_in_place(&mut block).unwrap();
        prop_assert_eq!(report.corrected(), &expected[..]);
        prop_assert_eq!(report.total(), expected.iter().map(|&c| usize::from(c)).sum::<usize>());
        prop_assert_eq!(block, sent);
    }

    /// E+1 ..= 2E errors in one codeword (the others clean): refused with the buffer
    /// untouched, or (miscorrection) turned into another valid codeblock that differs from
    /// the received one in exactly the reported ≤ E symbols, all in that codeword.
    #[test]
    fn beyond_e_errors_is_refused_or_a_valid_other_codeword(
        (code, frame) in code_and_frame(),
        which in any::<Index>(),
        extra in any::<Index>(),
        errors in prop::collection::vec((any::<Index>(), 1u8..=255), 64),
    ) {
        let e = code.capability().e();
        // More than E distinct positions are needed: skip codewords that are too short.
        prop_assume!(code.codeword_len() > e);
        let depth = usize::from(code.interleave());
        let j = which.index(depth);
        let sent = encode(&code, &frame);
        let mut block = sent.clone();
        let wanted = e + 1 + extra.index(e);
        let injected = corrupt(&code, &mut block, j, &errors, wanted);
        prop_assume!(injected > e);
        let received = block.clone();
        match code.decode_in_place(&mut block) {
            Err(err) => {
                prop_assert_eq!(err.kind, ErrorKind::Uncorrectable { block: j });
                prop_assert_eq!(err.offset, j);
                prop_assert_eq!(&block, &received);
            }
            Ok(report) => {
                prop_assert!(block != sent, "claimed success with the wrong codeword");
                prop_assert!(is_codeblock(&code, &block));
                let changed: Vec<usize> =
                    (0..block.len()).filter(|&i| block[i] != received[i]).collect();
                prop_assert!(changed.iter().all(|&i| i % depth == j));
                prop_assert_eq!(usize::from(report.corrected()[j]), changed.len());
                prop_assert!(changed.len() <= e);
                prop_assert_eq!(report.total(), changed.len());
            }
        }
    }

    /// Arbitrary received bytes: no panic; success means a valid codeblock within E symbols
    /// of the input in every codeword, exactly as reported.
    #[test]
    fn arbitrary_bytes_never_panic(code in code(), seed in prop::collection::vec(any::<u8>(), 1..=2040)) {
        let mut block: Vec<u8> = seed.iter().copied().cycle().take(code.codeblock_len()).collect();
        let received = block.clone();
        match code.decode_in_place(&mut block) {
            Err(err) => {
                prop_assert!(matches!(err.kind, ErrorKind::Uncorrectable { .. }), "{:?}", err);
                prop_assert_eq!(block, received);
            }
            Ok(report) => {
                prop_assert!(is_codeblock(&code, &block));
                let depth = usize::from(code.interleave());
                for (j, &count) in report.corrected().iter().enumerate() {
                    let changed = (j..block.len())
                        .step_by(depth)
                        .filter(|&i| block[i] != received[i])
                        .count();
                    prop_assert_eq!(changed, usize::from(count));
                    prop_assert!(changed <= code.capability().e());
                }
            }
        }
    }

    /// A forced miscorrection: v·g(x) is a codeword of minimum weight 2E+1 (all of g's
    /// coefficients are non-zero) on the last 2E+1 symbols. Adding E+1 of its symbols to a
    /// codeword A leaves the word within E of A + v·g(x): a bounded-distance decoder must
    /// return that other, valid, codeword and report E corrections.
    #[test]
    fn miscorrection_lands_on_the_nearest_codeword(
        (code, frame) in code_and_frame().prop_filter("I = 1", |(c, _)| c.interleave() == 1),
        v in 1u8..=255,
        subset in any::<Index>(),
    ) {
        let e = code.capability().e();
        let sent = encode(&code, &frame);
        let mut unit = vec![0u8; code.frame_len()];
        *unit.last_mut().unwrap() = v;
        let minimum = encode(&code, &unit);
        let support: Vec<usize> = (0..minimum.len()).filter(|&i| minimum[i] != 0).collect();
        prop_assert_eq!(support.len(), 2 * e + 1);
        let mut block = sent.clone();
        // E+1 consecutive (cyclically) symbols of the support, starting at a random one.
        let start = subset.index(support.len());
        for k in 0..=e {
            let i = support[(start + k) % support.len()];
            block[i] ^= minimum[i];
        }
        let other: Vec<u8> = sent.iter().zip(&minimum).map(|(a, w)| a ^ w).collect();
        let report = code.decode_in_place(&mut block).unwrap();
        prop_assert_eq!(report.corrected(), &[e as u8][..]);
        prop_assert_eq!(block, other);
    }

    /// The same construction in the full-length code, shifted so that f ≥ 1 symbols of the
    /// nearest full-length codeword lie in a shortened code's virtual fill: that codeword is
    /// not a codeword of the shortened code, and the decoder must refuse instead of
    /// "correcting" fill symbols it never received.
    #[test]
    fn error_in_the_virtual_fill_is_uncorrectable(
        capability in prop_oneof![Just(ErrorCapability::E8), Just(ErrorCapability::E16)],
        fill_hits in any::<Index>(),
        fill in any::<Index>(),
        v in 1u8..=255,
        frame_seed in prop::collection::vec(any::<u8>(), 239),
    ) {
        let e = capability.e();
        let k = capability.max_data_len();
        // f symbols of the weight-(2E+1) codeword in the fill, 1 ≤ f ≤ E, so E+1 remain.
        let f = 1 + fill_hits.index(e);
        // Data symbols of the shortened code: enough for the f high symbols to be fill.
        let data_len = 1 + fill.index(k - f);
        let n = data_len + 2 * e;
        let short = RsCode::new(capability, 1, data_len).unwrap();
        let full = RsCode::new(capability, 1, k).unwrap();
        // v·g(x) is the full codeword of data (0, …, 0, v). The length-255 code is cyclic (in
        // either basis: the basis change acts per symbol), so rotating it gives v·x^m·g(x);
        // its top f coefficients are at powers ≥ n (the fill) for m = n − 2E − 1 + f.
        let m = n - 2 * e - 1 + f;
        let mut unit = vec![0u8; k];
        unit[k - 1] = v;
        let mut shifted = encode(&full, &unit);
        shifted.rotate_left(m);
        prop_assert!(is_codeblock(&full, &shifted));
        let tail = &shifted[255 - n..];
        prop_assert_eq!(tail.iter().filter(|&&w| w != 0).count(), 2 * e + 1 - f);
        let sent = encode(&short, &frame_seed[..data_len]);
        let mut block = sent.clone();
        let mut added = 0;
        for (b, &w) in block.iter_mut().zip(tail) {
            if w != 0 && added <= e {
                *b ^= w;
                added += 1;
            }
        }
        let received = block.clone();
        let err = short.decode_in_place(&mut block).unwrap_err();
        prop_assert_eq!(err.kind, ErrorKind::Uncorrectable { block: 0 });
        prop_assert_eq!(block, received);
    }

    /// Wrong buffer lengths are typed errors, never panics.
    #[test]
    fn any_length_is_safe(code in code(), len in 0usize..2100) {
        let mut block = vec![0u8; len];
        let decoded = code.decode_in_place(&mut block);
        let encoded = code.encode_in_place(&mut block);
        if len == code.codeblock_len() {
            prop_assert!(decoded.is_ok());
            prop_assert!(encoded.is_ok());
        } else {
            prop_assert!(decoded.is_err());
            prop_assert!(encoded.is_err());
        }
    }
}
