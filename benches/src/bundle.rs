//! The bundle section of the benchmarks: small BPv7 bundles (RFC 9171) built by our
//! [`BundleBuilder`], and the two decoders under comparison, ours ([`BundleView::parse`], which
//! borrows from the input) and the dtn7 `bp7` crate's (`Bundle::try_from(&[u8])`, serde CBOR
//! into owned structs), both checking every CRC and reading the payload into the same
//! [`Decoded`] summary, so that the harness can check they agree.
//!
//! The bundle of the issue: a primary block (`ipn` EIDs, creation time set, CRC-32C) and a
//! 64-octet payload block (CRC-32C), nothing else: 118 octets.

use core::ops::Range;

use bpv7::block::BlockFlags;
use bpv7::bundle::{BundleBuilder, BundleView};
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};

use crate::XorShift64;

/// Payload octets of the benchmarked bundle.
pub const PAYLOAD_LEN: usize = 64;
/// Bundles per timed batch in the latency harness (about 0.9 µs of our decoding here).
pub const BUNDLES_PER_BATCH: usize = 16;
/// Creation time of every bundle: 2024-01-01T00:00:00Z in ms since 2000-01-01 (RFC 9171
/// §4.2.6); a time of 0 would require a Bundle Age block.
const CREATION_TIME: u64 = 757_382_400_000;

/// The primary block of the benchmarked bundle: `ipn:1.0` (a node ID, as a strict source must
/// be) to `ipn:2.1`, reports to `ipn:1.0`, lifetime one hour, CRC-32C.
pub fn primary(sequence: u64) -> PrimaryBlock<'static> {
    let node = Eid::Ipn {
        allocator: 0,
        node: 1,
        service: 0,
    };
    PrimaryBlock {
        flags: BundleFlags::MUST_NOT_FRAGMENT,
        crc_type: CrcType::Crc32C,
        destination: Eid::Ipn {
            allocator: 0,
            node: 2,
            service: 1,
        },
        source: node,
        report_to: node,
        creation: CreationTimestamp {
            time: CREATION_TIME,
            sequence,
        },
        lifetime: 3_600_000,
        fragment: None,
    }
}

/// The builder of the benchmarked bundle: [`primary`] plus a payload block with CRC-32C.
pub fn builder(sequence: u64, payload: &[u8]) -> BundleBuilder<'_> {
    BundleBuilder::new(primary(sequence)).payload(payload, BlockFlags(0), CrcType::Crc32C)
}

/// The encoded bundle with sequence number `sequence` carrying `payload`.
pub fn small_bundle(sequence: u64, payload: &[u8]) -> Vec<u8> {
    builder(sequence, payload).to_vec().unwrap()
}

/// What each decoder reports of a bundle: enough to prove both read the same fields and every
/// payload octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decoded {
    /// Creation timestamp sequence number.
    pub sequence: u64,
    /// Payload length.
    pub payload_len: usize,
    /// Wrapping sum of the payload octets.
    pub payload_sum: u64,
}

/// Reads the payload the same way for both decoders.
fn payload_sum(payload: &[u8]) -> u64 {
    payload.iter().map(|&b| u64::from(b)).sum()
}

/// Ours: [`BundleView::parse`] (strict rules, both CRCs checked), then the payload.
pub fn decode_ours(bytes: &[u8]) -> Option<Decoded> {
    let view = BundleView::parse(bytes).ok()?;
    let payload = view.payload();
    Some(Decoded {
        sequence: view.primary().creation.sequence,
        payload_len: payload.len(),
        payload_sum: payload_sum(payload),
    })
}

/// `bp7` 0.12.1: `Bundle::try_from(&[u8])` (which does not check CRCs), `crc_valid()` (which
/// does, for every block), then the payload.
pub fn decode_bp7(bytes: &[u8]) -> Option<Decoded> {
    let mut bundle = bp7::Bundle::try_from(bytes).ok()?;
    if !bundle.crc_valid() {
        return None;
    }
    let payload = bundle.payload()?;
    Some(Decoded {
        sequence: bundle.primary.creation_timestamp.seqno(),
        payload_len: payload.len(),
        payload_sum: payload_sum(payload),
    })
}

/// `bp7` 0.12.1 with its own full check: `Bundle::try_from(&[u8])`, then `validate()` (the
/// RFC 9171 rules *and* every block's CRC: the guarantees [`decode_ours`] gives), then the
/// payload.
pub fn decode_bp7_validated(bytes: &[u8]) -> Option<Decoded> {
    let bundle = bp7::Bundle::try_from(bytes).ok()?;
    bundle.validate().ok()?;
    let payload = bundle.payload()?;
    Some(Decoded {
        sequence: bundle.primary.creation_timestamp.seqno(),
        payload_len: payload.len(),
        payload_sum: payload_sum(payload),
    })
}

/// `bp7` decoding alone, `Bundle::try_from(&[u8])`: no CRC check, nothing read (the least work
/// its API allows, for the criterion bench).
pub fn decode_bp7_unchecked(bytes: &[u8]) -> Option<bp7::Bundle> {
    bp7::Bundle::try_from(bytes).ok()
}

/// A pool of distinct bundles (sequence numbers 0.., seeded random payloads), back to back.
#[derive(Debug, Clone)]
pub struct BundlePool {
    /// The encoded bundles.
    pub bytes: Vec<u8>,
    /// Where each bundle is in [`Self::bytes`].
    pub spans: Vec<Range<usize>>,
    /// What a correct decoder reports for each bundle.
    pub expected: Vec<Decoded>,
}

impl BundlePool {
    /// `count` bundles; panics if either decoder disagrees with what was built.
    pub fn generate(seed: u64, count: usize) -> Self {
        let mut rng = XorShift64::new(seed);
        let mut bytes = Vec::new();
        let mut spans = Vec::with_capacity(count);
        let mut expected = Vec::with_capacity(count);
        let mut payload = [0u8; PAYLOAD_LEN];
        for sequence in 0..count as u64 {
            for chunk in payload.chunks_mut(8) {
                chunk.copy_from_slice(&rng.next_u64().to_le_bytes()[..chunk.len()]);
            }
            let start = bytes.len();
            bytes.extend_from_slice(&small_bundle(sequence, &payload));
            spans.push(start..bytes.len());
            expected.push(Decoded {
                sequence,
                payload_len: PAYLOAD_LEN,
                payload_sum: payload_sum(&payload),
            });
        }
        let pool = Self {
            bytes,
            spans,
            expected,
        };
        for (i, want) in pool.expected.iter().enumerate() {
            let bundle = pool.bundle(i);
            assert_eq!(decode_ours(bundle).as_ref(), Some(want), "ours, bundle {i}");
            assert_eq!(decode_bp7(bundle).as_ref(), Some(want), "bp7, bundle {i}");
        }
        pool
    }

    /// Bundle `i` of the pool.
    pub fn bundle(&self, i: usize) -> &[u8] {
        &self.bytes[self.spans[i].clone()]
    }

    /// Bundles in the pool.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Decodes the [`BUNDLES_PER_BATCH`] bundles of batch `b` (cycling through the pool), folding
    /// what was decoded into `sum`; false if a bundle failed to decode or decoded wrongly.
    pub fn run_batch(
        &self,
        b: usize,
        decode: impl Fn(&[u8]) -> Option<Decoded>,
        sum: &mut u64,
    ) -> bool {
        let mut ok = true;
        for k in 0..BUNDLES_PER_BATCH {
            let i = (b * BUNDLES_PER_BATCH + k) % self.len();
            match decode(self.bundle(i)) {
                Some(d) => {
                    ok &= d == self.expected[i];
                    *sum = sum.wrapping_add(d.payload_sum ^ d.sequence);
                }
                None => ok = false,
            }
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_bundle_is_what_the_issue_asks() {
        let bytes = small_bundle(7, &[0xA5; PAYLOAD_LEN]);
        assert_eq!(bytes[0], 0x9F, "indefinite-length array (RFC 9171 §4.1)");
        assert_eq!(bytes.len(), 118);
        let view = BundleView::parse(&bytes).unwrap();
        assert_eq!(view.primary().crc_type, CrcType::Crc32C);
        assert_eq!(view.payload_block().0.crc_type, CrcType::Crc32C);
        assert_eq!(view.block_count(), 1);
        // bp7 reads the same bytes, CRCs included, and re-encodes them byte for byte.
        let mut theirs = bp7::Bundle::try_from(bytes.as_slice()).unwrap();
        assert!(theirs.crc_valid());
        theirs.validate().unwrap();
        assert_eq!(theirs.to_cbor(), bytes);
    }

    #[test]
    fn both_decoders_reject_a_bad_crc() {
        let mut bytes = small_bundle(1, &[0; PAYLOAD_LEN]);
        let last_crc_octet = bytes.len() - 2;
        bytes[last_crc_octet] ^= 1;
        assert_eq!(decode_ours(&bytes), None);
        assert_eq!(decode_bp7(&bytes), None);
    }

    #[test]
    fn pool_decodes_identically() {
        let pool = BundlePool::generate(1, 40);
        let (mut a, mut b) = (0, 0);
        for batch in 0..3 {
            assert!(pool.run_batch(batch, decode_ours, &mut a));
            assert!(pool.run_batch(batch, decode_bp7, &mut b));
        }
        assert_eq!(a, b);
    }
}
