//! Frame synchronizer (131.0-B-4 §9) on arbitrary bit streams pushed in arbitrary chunks, with
//! an arbitrary configuration (invalid ones must be refused). Six control octets give the
//! configuration, the chunking and the stream's construction: either the raw input, or the
//! input cut into code blocks each preceded by an ASM with chosen bit errors, after some
//! noise and shifted by 0-7 bits (so markers are actually there to find).
//!
//! Never panics, never stalls (a push after `next_codeblock` returned `None` takes input),
//! and every delivered code block is exactly the stream's bits after its marker; marker
//! positions increase by at least one CADU, and the reported marker errors are the real
//! Hamming distance, within the tolerance its status claims. When the built stream has no
//! noise and error-free markers and the first marker is found where it is, no code block is
//! lost.
#![no_main]

use ccsds_tm::sync::{ASM, FrameSynchronizer, MAX_TOLERANCE, MarkerStatus, SyncConfig};
use libfuzzer_sys::fuzz_target;

/// The `n` octets of `stream` from bit `bit` on, if present.
fn bits_at(stream: &[u8], bit: u64, n: usize) -> Option<Vec<u8>> {
    let (byte, shift) = (usize::try_from(bit / 8).ok()?, (bit % 8) as u32);
    let src = stream.get(byte..)?;
    (0..n)
        .map(|i| {
            let hi = *src.get(i)?;
            if shift == 0 {
                return Some(hi);
            }
            let lo = *src.get(i + 1)?;
            Some((hi << shift) | (lo >> (8 - shift)))
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&[len_hi, len_lo, tolerances, frames, chunking, build], input)) =
        data.split_first_chunk::<6>()
    else {
        return;
    };
    let config = SyncConfig {
        codeblock_len: usize::from(u16::from_be_bytes([len_hi & 0x03, len_lo])),
        search_tolerance: u32::from(tolerances & 15) % (MAX_TOLERANCE + 2),
        lock_tolerance: u32::from(tolerances >> 4) % (MAX_TOLERANCE + 2),
        check_frames: u32::from(frames & 7),
        misses_to_search: u32::from(frames >> 3 & 7),
    };
    let Ok(mut sync) = FrameSynchronizer::new(config) else {
        assert!(
            config.codeblock_len == 0
                || config.search_tolerance > MAX_TOLERANCE
                || config.lock_tolerance > MAX_TOLERANCE
                || config.misses_to_search == 0
        );
        return;
    };
    let len = config.codeblock_len;

    // (first marker's bit offset, complete CADUs) of a built stream without noise or marker
    // errors.
    let mut clean: Option<(u64, usize)> = None;
    let stream: Vec<u8> = if build & 0x80 == 0 {
        input.to_vec()
    } else {
        // Noise, then for each block an ASM (XOR an error mask octet on its last octet) and
        // `len` input octets; the whole shifted right by 0..=7 bits.
        let noise = usize::from(build & 0x0F);
        let (head, body) = input.split_at(noise.min(input.len()));
        let mut octets = head.to_vec();
        for block in body.chunks(len + 1) {
            let (mask, block) = block.split_first().expect("chunks are non-empty");
            let mut marker = ASM;
            marker[3] ^= if mask & 0x80 == 0 { 0 } else { mask & 0x7F };
            octets.extend_from_slice(&marker);
            octets.extend_from_slice(block);
        }
        let shift = u32::from(build >> 4 & 7);
        let blocks = body.chunks(len + 1);
        if noise == 0 && blocks.clone().all(|b| b[0] & 0x80 == 0) {
            clean = Some((
                u64::from(shift),
                blocks.filter(|b| b.len() == len + 1).count(),
            ));
        }
        if shift == 0 {
            octets
        } else {
            let mut shifted = Vec::with_capacity(octets.len() + 1);
            let mut carry = 0u8;
            for o in octets {
                shifted.push(carry | (o >> shift));
                carry = o << (8 - shift);
            }
            shifted.push(carry);
            shifted
        }
    };

    let mut out = vec![0u8; len + 1];
    if len > 0 {
        assert!(
            sync.next_codeblock(&mut out[..len - 1]).is_err(),
            "short output buffer accepted"
        );
    }
    let cadu_bits = (config.cadu_len() * 8) as u64;
    let mut last: Option<u64> = None;
    let (mut first, mut delivered) = (None, 0usize);
    let mut pushed = 0usize;
    let mut chunk_sizes = [1usize, 3, 7, 64, 1000, usize::MAX]
        .into_iter()
        .cycle()
        .skip(usize::from(chunking % 6));
    let step = chunking >> 3;
    let mut remaining = &stream[..];
    loop {
        loop {
            let Some(block) = sync
                .next_codeblock(&mut out)
                .expect("output buffer is large enough")
            else {
                break;
            };
            let at = block.asm_bit_offset;
            if let Some(prev) = last {
                assert!(
                    at >= prev + cadu_bits,
                    "markers closer than one CADU: {prev} then {at}"
                );
            }
            last = Some(at);
            first.get_or_insert(at);
            delivered += 1;
            assert!(
                at + cadu_bits <= pushed as u64 * 8,
                "delivered a block not yet pushed"
            );
            let expected = bits_at(&stream, at + 32, len).expect("block is in the stream");
            assert_eq!(
                out[..len],
                expected[..],
                "code block differs from the stream at bit {at}"
            );
            let marker = bits_at(&stream, at, 4).expect("marker is in the stream");
            let errors =
                u32::from_be_bytes(marker.try_into().expect("4")) ^ u32::from_be_bytes(ASM);
            assert_eq!(errors.count_ones(), block.asm_bit_errors);
            match block.marker {
                MarkerStatus::Found => assert!(block.asm_bit_errors <= config.search_tolerance),
                MarkerStatus::Verified => assert!(block.asm_bit_errors <= config.lock_tolerance),
                MarkerStatus::Flywheel => assert!(block.asm_bit_errors > config.lock_tolerance),
            }
        }
        if remaining.is_empty() {
            break;
        }
        let size = if step == 0 {
            chunk_sizes.next().expect("cycle")
        } else {
            usize::from(step)
        };
        let chunk = &remaining[..size.min(remaining.len())];
        let took = sync.push(chunk);
        assert!(
            took > 0,
            "push took nothing after next_codeblock returned None"
        );
        pushed += took;
        remaining = &remaining[took..];
    }
    let _ = sync.state();
    if let Some((at, blocks)) = clean {
        if first.is_none_or(|f| f == at) {
            assert_eq!(delivered, blocks, "code blocks lost in a clean stream");
        }
    }
});
