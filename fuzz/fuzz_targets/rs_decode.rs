//! Reed-Solomon decoder (131.0-B-4 §4) on arbitrary codeblocks. Three control octets pick the
//! code (E, interleaving depth, shortening) and the mode:
//! - raw: the rest of the input is the received codeblock (any length);
//! - noisy: the rest is an error list then a frame; the frame is encoded and the errors XORed
//!   in, so the decoder sees words near a codeword, where its logic is exercised.
//!
//! Never panics. If decoding succeeds, the result is a codeblock (re-encoding its frame gives
//! its check symbols) within E symbols of the input in every codeword, and the report counts
//! exactly the changed symbols; with at most E errors in every codeword it must succeed and
//! restore what was sent. If it fails, the buffer is untouched.
#![no_main]

use ccsds_tm::rs::{ErrorCapability, RsCode};
use libfuzzer_sys::fuzz_target;

const DEPTHS: [u8; 6] = [1, 2, 3, 4, 5, 8];

/// Symbols in which `a` and `b` differ, per interleaved codeword.
fn diff_per_codeword(code: &RsCode, a: &[u8], b: &[u8]) -> Vec<usize> {
    let depth = usize::from(code.interleave());
    let mut counts = vec![0; depth];
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            counts[i % depth] += 1;
        }
    }
    counts
}

fn is_codeblock(code: &RsCode, block: &[u8]) -> bool {
    let (frame, check) = block.split_at(code.frame_len());
    let mut again = vec![0u8; code.check_len()];
    code.encode(frame, &mut again).expect("lengths match");
    again == check
}

fuzz_target!(|data: &[u8]| {
    let Some((&[mode, len, n_errors], rest)) = data.split_first_chunk::<3>() else {
        return;
    };
    let capability = if mode & 1 == 0 {
        ErrorCapability::E8
    } else {
        ErrorCapability::E16
    };
    let depth = DEPTHS[usize::from(mode >> 1) % DEPTHS.len()];
    let data_len = 1 + usize::from(len) % capability.max_data_len();
    // Every fourth code comes from a raw frame length, which `new` may refuse.
    let frame_len = if mode & 0x60 == 0x60 {
        usize::from(len) * 9 + usize::from(n_errors)
    } else {
        data_len * usize::from(depth)
    };
    let Ok(code) = RsCode::new(capability, depth, frame_len) else {
        assert!(mode & 0x60 == 0x60, "a valid code was refused");
        return;
    };
    assert_eq!(code.codeblock_len(), code.frame_len() + code.check_len());
    let cb_len = code.codeblock_len();
    let e = capability.e();

    let (received, sent) = if mode & 0x80 == 0 {
        // Raw: the input as is (length errors included), then fitted to the codeblock length.
        if rest.len() != cb_len {
            let mut raw = rest.to_vec();
            assert!(code.decode_in_place(&mut raw).is_err());
            assert_eq!(raw, rest);
        }
        let mut block = vec![0u8; cb_len];
        block.iter_mut().zip(rest).for_each(|(b, r)| *b = *r);
        (block, None)
    } else {
        let (errors, frame) = rest.split_at(rest.len().min(3 * usize::from(n_errors)));
        let mut block = vec![0u8; cb_len];
        block
            .iter_mut()
            .zip(frame.iter().cycle())
            .take(code.frame_len())
            .for_each(|(b, f)| *b = *f);
        code.encode_in_place(&mut block).expect("encodes");
        let sent = block.clone();
        for err in errors.chunks_exact(3) {
            let at = usize::from(u16::from_be_bytes([err[0], err[1]])) % cb_len;
            block[at] ^= err[2];
        }
        (block, Some(sent))
    };

    let mut block = received.clone();
    match code.decode_in_place(&mut block) {
        Ok(report) => {
            assert!(
                is_codeblock(&code, &block),
                "decoder returned a non-codeword"
            );
            let changed = diff_per_codeword(&code, &received, &block);
            assert!(
                changed.iter().all(|&c| c <= e),
                "more than E symbols changed: {changed:?}"
            );
            let counted: Vec<usize> = report.corrected().iter().map(|&c| usize::from(c)).collect();
            assert_eq!(counted, changed);
            assert_eq!(report.total(), changed.iter().sum::<usize>());
            if let Some(sent) = &sent {
                let errors = diff_per_codeword(&code, sent, &received);
                if errors.iter().all(|&c| c <= e) {
                    assert_eq!(&block, sent, "decoded to the wrong codeword");
                }
            }
        }
        Err(_) => {
            assert_eq!(block, received, "a failed decode changed the buffer");
            if let Some(sent) = &sent {
                let errors = diff_per_codeword(&code, sent, &received);
                assert!(
                    errors.iter().any(|&c| c > e),
                    "failed within capability: {errors:?}"
                );
            }
        }
    }
});
