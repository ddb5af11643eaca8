#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Fragmentation (RFC 9171 §5.8) and reassembly (§5.9): random bundles (every CRC type, random
//! extension blocks with and without "replicate in every fragment") split at random sizes give
//! fragments that fit, parse and distribute blocks as §5.8 says; shuffled, duplicated and
//! overlapping fragment sets (several sizes, fragments of fragments) reassemble byte-identical
//! to the original; limits, inconsistencies and refusals give their typed errors; arbitrary
//! fragment sequences never panic.

use bpv7::block::{BlockFlags, CanonicalBlock, block_type};
use bpv7::bundle::{BundleBuilder, BundleView};
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::fragment::{AduId, Reassembler, ReassemblyLimits, fragment};
use bpv7::primary::{BundleFlags, CreationTimestamp, FragmentInfo, PrimaryBlock};
use bpv7::{Error, ErrorKind};
use proptest::prelude::*;

const ROOMY: ReassemblyLimits = ReassemblyLimits {
    max_total_bytes: 1 << 24,
    max_adu_bytes: 1 << 22,
};

fn crc_type() -> impl Strategy<Value = CrcType> {
    prop_oneof![
        Just(CrcType::None),
        Just(CrcType::Crc16X25),
        Just(CrcType::Crc32C)
    ]
}

/// An extension block's (type, flags, CRC, data); numbers are assigned in order from 2.
type Ext = (u64, BlockFlags, CrcType, Vec<u8>);

fn ext_block() -> impl Strategy<Value = Ext> {
    let flags = prop::sample::subsequence(vec![0x01u64, 0x02, 0x04, 0x10], 0..=4)
        .prop_map(|bits| BlockFlags(bits.iter().sum()));
    prop_oneof![
        // Opaque blocks, private and unassigned types.
        (
            prop_oneof![13..=191u64, 192..=255u64],
            flags.clone(),
            crc_type(),
            prop::collection::vec(any::<u8>(), 0..40)
        ),
        // A well-formed Hop Count block, [limit, count].
        (flags, crc_type(), 1..=23u8, 0..=23u8).prop_map(|(f, c, limit, count)| (
            block_type::HOP_COUNT,
            f,
            c,
            vec![0x82, limit, count]
        )),
    ]
}

/// A random valid (STRICT) original bundle's parts.
#[derive(Debug, Clone)]
struct Original {
    flags: BundleFlags,
    primary_crc: CrcType,
    node: u64,
    creation: CreationTimestamp,
    exts: Vec<Ext>,
    payload: Vec<u8>,
    payload_flags: BlockFlags,
    payload_crc: CrcType,
}

impl Original {
    fn primary(&self) -> PrimaryBlock<'static> {
        PrimaryBlock {
            flags: self.flags,
            crc_type: self.primary_crc,
            destination: Eid::Ipn {
                allocator: 0,
                node: 77,
                service: 3,
            },
            source: Eid::Ipn {
                allocator: 0,
                node: self.node,
                service: 0,
            },
            report_to: Eid::Dtn { ssp: "//ground/" },
            creation: self.creation,
            lifetime: 86_400_000,
            fragment: None,
        }
    }

    /// Built by `BundleBuilder`, so canonical. A primary block without CRC needs a BIB over it
    /// (RFC 9171 §4.3.1): one targeting [0] is added, replicated so every fragment parses.
    fn build(&self) -> Vec<u8> {
        let mut builder = BundleBuilder::new(self.primary());
        let mut number = 2;
        const BIB_OVER_PRIMARY: &[u8] = &[0x81, 0x00];
        if self.primary_crc == CrcType::None {
            builder = builder.block(CanonicalBlock {
                block_type: block_type::BIB,
                number,
                flags: BlockFlags::REPLICATE_IN_EVERY_FRAGMENT,
                crc_type: CrcType::None,
                data: BIB_OVER_PRIMARY,
            });
            number += 1;
        }
        for (block_type, flags, crc_type, data) in &self.exts {
            builder = builder.block(CanonicalBlock {
                block_type: *block_type,
                number,
                flags: *flags,
                crc_type: *crc_type,
                data,
            });
            number += 1;
        }
        builder
            .payload(&self.payload, self.payload_flags, self.payload_crc)
            .to_vec()
            .unwrap()
    }
}

fn original() -> impl Strategy<Value = Original> {
    (
        prop_oneof![
            Just(BundleFlags(0)),
            Just(BundleFlags::REPORT_DELIVERY),
            Just(BundleFlags::APP_ACK_REQUESTED | BundleFlags::STATUS_TIME_REQUESTED),
        ],
        crc_type(),
        1..=u64::MAX,
        (1..=u64::MAX, any::<u64>()),
        prop::collection::vec(ext_block(), 0..5)
            .prop_filter("at most one Hop Count block", |exts| {
                exts.iter().filter(|e| e.0 == block_type::HOP_COUNT).count() <= 1
            }),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 1..64),
            prop::collection::vec(any::<u8>(), 1..3000),
        ],
        prop_oneof![
            Just(BlockFlags(0)),
            Just(BlockFlags::REPLICATE_IN_EVERY_FRAGMENT)
        ],
        crc_type(),
    )
        .prop_map(
            |(
                flags,
                primary_crc,
                node,
                (time, sequence),
                exts,
                payload,
                payload_flags,
                payload_crc,
            )| {
                Original {
                    flags,
                    primary_crc,
                    node,
                    creation: CreationTimestamp { time, sequence },
                    exts,
                    payload,
                    payload_flags,
                    payload_crc,
                }
            },
        )
}

/// The smallest limit `fragment` reports for `bundle`, plus 8: always enough (see `fragment`).
fn feasible(bundle: &BundleView<'_>) -> usize {
    match fragment(bundle, 0) {
        Err(Error {
            kind: ErrorKind::FragmentTooSmall { needed, max: 0 },
            ..
        }) => needed + 8,
        other => panic!("unexpected {other:?}"),
    }
}

/// A limit from `feasible` up to the bundle's length (where it fits whole), chosen by `pick`
/// with a bias toward small limits (many fragments).
fn limit(bundle: &BundleView<'_>, pick: prop::sample::Index) -> usize {
    let low = feasible(bundle);
    let span = bundle.bytes().len().saturating_sub(low) + 1;
    let i = pick.index(span);
    low + i * i / span
}

/// Deterministic Fisher-Yates shuffle driven by a xorshift seed.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    seed |= 1;
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

/// The extension blocks (all but the payload) of a bundle, without spans.
fn extensions<'a>(bundle: &BundleView<'a>) -> Vec<CanonicalBlock<'a>> {
    bundle
        .blocks()
        .map(|(block, _)| block)
        .filter(|block| block.block_type != block_type::PAYLOAD)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every fragment fits and parses (STRICT); the fragments tile the payload in order; the
    /// primary block differs only in the fragment flag and fields (§5.8); the first fragment
    /// holds every extension block and the others exactly the replicated ones.
    #[test]
    fn fragments_fit_parse_and_distribute_blocks(orig in original(), pick in any::<prop::sample::Index>()) {
        let bytes = orig.build();
        let view = BundleView::parse(&bytes).unwrap();
        let max = limit(&view, pick);
        let fragments = fragment(&view, max).unwrap();
        if bytes.len() <= max {
            prop_assert_eq!(fragments, vec![bytes.clone()]);
            return Ok(());
        }
        prop_assert!(fragments.len() >= 2);
        let all = extensions(&view);
        let replicated: Vec<_> = all
            .iter()
            .copied()
            .filter(|b| b.flags.contains(BlockFlags::REPLICATE_IN_EVERY_FRAGMENT))
            .collect();
        let mut payload = Vec::new();
        for (i, frag) in fragments.iter().enumerate() {
            prop_assert!(frag.len() <= max, "fragment {} is {} > {}", i, frag.len(), max);
            let fv = BundleView::parse(frag).unwrap();
            let p = fv.primary();
            prop_assert_eq!(
                p.fragment,
                Some(FragmentInfo { offset: payload.len() as u64, total_adu_length: orig.payload.len() as u64 })
            );
            prop_assert_eq!(
                PrimaryBlock { flags: orig.flags | BundleFlags::IS_FRAGMENT, fragment: p.fragment, ..orig.primary() },
                *p
            );
            let (pb, _) = fv.payload_block();
            prop_assert_eq!((pb.flags, pb.crc_type), (orig.payload_flags, orig.payload_crc));
            prop_assert!(!fv.payload().is_empty());
            payload.extend_from_slice(fv.payload());
            let expected = if i == 0 { &all } else { &replicated };
            prop_assert_eq!(&extensions(&fv), expected);
        }
        prop_assert_eq!(payload, orig.payload);
    }

    /// Limits below what one payload octet needs are refused with the typed error, never with
    /// a fragment that is too large; larger limits always work.
    #[test]
    fn any_limit_fits_or_is_refused(orig in original(), max in 0usize..4000) {
        let bytes = orig.build();
        let view = BundleView::parse(&bytes).unwrap();
        match fragment(&view, max) {
            Ok(fragments) => {
                for frag in &fragments {
                    prop_assert!(frag.len() <= max);
                    BundleView::parse(frag).unwrap();
                }
            }
            Err(Error { kind: ErrorKind::FragmentTooSmall { needed, max: m }, .. }) => {
                prop_assert_eq!(m, max);
                prop_assert!(needed > max);
                prop_assert!(max < feasible(&view));
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }

    /// Fragments of two fragmentations at different sizes, plus a fragment re-fragmented at a
    /// third size, shuffled and with duplicates, reassemble to the original octets.
    #[test]
    fn shuffled_overlapping_duplicated_fragments_reassemble(
        orig in original(),
        picks in (any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        duplicates in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        seed in any::<u64>(),
    ) {
        let bytes = orig.build();
        let view = BundleView::parse(&bytes).unwrap();
        let mut set = fragment(&view, limit(&view, picks.0)).unwrap();
        set.extend(fragment(&view, limit(&view, picks.1)).unwrap());
        let chosen = picks.2.get(&set).clone();
        let chosen_view = BundleView::parse(&chosen).unwrap();
        let refragmented = fragment(&chosen_view, limit(&chosen_view, picks.3)).unwrap();
        for frag in &refragmented {
            let fv = BundleView::parse(frag).unwrap();
            if let (Some(outer), Some(inner)) = (chosen_view.primary().fragment, fv.primary().fragment) {
                prop_assert_eq!(inner.total_adu_length, outer.total_adu_length);
                prop_assert!(inner.offset >= outer.offset);
            }
        }
        set.extend(refragmented);
        let extra: Vec<Vec<u8>> = duplicates.iter().map(|i| i.get(&set).clone()).collect();
        set.extend(extra);
        shuffle(&mut set, seed);

        let mut reassembler = Reassembler::new(ROOMY);
        let mut completed = 0;
        for frag in &set {
            let fv = BundleView::parse(frag).unwrap();
            if let Some(whole) = reassembler.push(&fv).unwrap() {
                prop_assert_eq!(&whole, &bytes);
                completed += 1;
            }
        }
        prop_assert!(completed >= 1);
    }

    /// Arbitrary fragments (random offsets, totals, contents, a few ADUs) under tight limits:
    /// never a panic, the limit always holds, and anything returned is a valid whole bundle.
    #[test]
    fn arbitrary_fragment_sequences_never_panic(
        frags in prop::collection::vec(
            (
                0..3u64,
                0..48u64,
                prop_oneof![7 => Just(None), 1 => (0..48u64).prop_map(Some)],
                0..48usize,
                prop_oneof![7 => Just(0u8), 1 => any::<u8>()],
                any::<bool>(),
            ),
            0..60,
        ),
        max_total in prop_oneof![0usize..400, 400usize..4000],
        max_adu in prop_oneof![0usize..400, 400usize..2000],
    ) {
        let limits = ReassemblyLimits { max_total_bytes: max_total, max_adu_bytes: max_adu };
        let mut reassembler = Reassembler::new(limits);
        for (adu, offset, total, len, corrupt, hop) in frags {
            // Each ADU has its own total length, unless the fragment contradicts it.
            let total = total.unwrap_or(adu * 20);
            // Mostly within the ADU; the builder refuses the rest, which are skipped.
            let offset = offset % (total + 2);
            let len = len % (total.saturating_sub(offset) as usize + 2);
            // Octets follow from the position, so overlaps agree unless `corrupt` is non-zero.
            let data: Vec<u8> = (0..len).map(|i| (offset as usize + i) as u8 ^ corrupt).collect();
            let hops = [0x82, 5, 0];
            let primary = PrimaryBlock {
                flags: BundleFlags::IS_FRAGMENT,
                fragment: Some(FragmentInfo { offset, total_adu_length: total }),
                creation: CreationTimestamp { time: 1000 + adu, sequence: 0 },
                ..sample_primary()
            };
            let mut builder = BundleBuilder::new(primary);
            if hop {
                builder = builder.block(CanonicalBlock {
                    block_type: block_type::HOP_COUNT,
                    number: 2,
                    flags: BlockFlags(0),
                    crc_type: CrcType::Crc16X25,
                    data: &hops,
                });
            }
            let Ok(bytes) = builder.payload(&data, BlockFlags(0), CrcType::None).to_vec() else {
                continue;
            };
            let fv = BundleView::parse(&bytes).unwrap();
            match reassembler.push(&fv) {
                Ok(Some(whole)) => {
                    let wv = BundleView::parse(&whole).unwrap();
                    prop_assert_eq!(wv.primary().fragment, None);
                    prop_assert_eq!(wv.payload().len() as u64, total);
                }
                Ok(None) => {}
                Err(Error { kind: ErrorKind::ReassemblyLimit { .. } | ErrorKind::InconsistentFragments(_), .. }) => {
                    prop_assert!(reassembler.pending().all(|(id, _)| *id != AduId::of(fv.primary())));
                }
                Err(e) => panic!("unexpected {e:?}"),
            }
            prop_assert!(reassembler.bytes_held() <= max_total);
            let sum: usize = reassembler.pending().map(|(_, p)| p.bytes_held).sum();
            prop_assert_eq!(sum, reassembler.bytes_held());
            prop_assert!(reassembler.pending().all(|(_, p)| p.bytes_held <= max_adu));
        }
    }
}

fn sample_primary() -> PrimaryBlock<'static> {
    PrimaryBlock {
        flags: BundleFlags(0),
        crc_type: CrcType::Crc32C,
        destination: Eid::Ipn {
            allocator: 0,
            node: 2,
            service: 1,
        },
        source: Eid::Ipn {
            allocator: 0,
            node: 1,
            service: 0,
        },
        report_to: Eid::Null,
        creation: CreationTimestamp {
            time: 757_051_200_000,
            sequence: 7,
        },
        lifetime: 3_600_000,
        fragment: None,
    }
}

/// A fragment of the sample ADU `(time, total)`: `data` at `offset`.
fn piece(time: u64, offset: u64, total: u64, data: &[u8]) -> Vec<u8> {
    let primary = PrimaryBlock {
        flags: BundleFlags::IS_FRAGMENT,
        creation: CreationTimestamp { time, sequence: 0 },
        fragment: Some(FragmentInfo {
            offset,
            total_adu_length: total,
        }),
        ..sample_primary()
    };
    BundleBuilder::new(primary)
        .payload(data, BlockFlags(0), CrcType::Crc16X25)
        .to_vec()
        .unwrap()
}

fn push(reassembler: &mut Reassembler, bytes: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    reassembler.push(&BundleView::parse(bytes).unwrap())
}

fn whole(payload: &[u8], flags: BundleFlags) -> Vec<u8> {
    BundleBuilder::new(PrimaryBlock {
        flags,
        ..sample_primary()
    })
    .payload(payload, BlockFlags(0), CrcType::Crc32C)
    .to_vec()
    .unwrap()
}

#[test]
fn must_not_fragment_is_refused_unless_it_fits() {
    let bytes = whole(&[7; 500], BundleFlags::MUST_NOT_FRAGMENT);
    let view = BundleView::parse(&bytes).unwrap();
    assert!(matches!(
        fragment(&view, 100),
        Err(Error {
            kind: ErrorKind::MustNotFragment,
            ..
        })
    ));
    assert_eq!(fragment(&view, bytes.len()).unwrap(), vec![bytes.clone()]);
}

#[test]
fn too_small_limit_is_refused_with_the_limit_needed() {
    let bytes = whole(&[7; 500], BundleFlags(0));
    let view = BundleView::parse(&bytes).unwrap();
    let Err(Error {
        kind: ErrorKind::FragmentTooSmall { needed, max: 10 },
        ..
    }) = fragment(&view, 10)
    else {
        panic!("expected FragmentTooSmall");
    };
    assert!(fragment(&view, needed - 1).is_err());
    // `needed` carries one octet in the first fragment; the offset field then grows.
    let fragments = fragment(&view, needed + 8).unwrap();
    assert!(fragments.iter().all(|f| f.len() <= needed + 8));
    // An empty payload cannot be split.
    let empty = whole(&[], BundleFlags(0));
    let view = BundleView::parse(&empty).unwrap();
    assert!(matches!(
        fragment(&view, empty.len() - 1),
        Err(Error {
            kind: ErrorKind::FragmentTooSmall { .. },
            ..
        })
    ));
}

#[test]
fn fragmenting_a_fragment_adds_offsets_and_keeps_the_total() {
    let bytes = piece(5, 1000, 5000, &[3; 400]);
    let view = BundleView::parse(&bytes).unwrap();
    let fragments = fragment(&view, 200).unwrap();
    let mut next = 1000;
    for frag in &fragments {
        let fv = BundleView::parse(frag).unwrap();
        let info = fv.primary().fragment.unwrap();
        assert_eq!((info.offset, info.total_adu_length), (next, 5000));
        next += fv.payload().len() as u64;
    }
    assert_eq!(next, 1400);
}

#[test]
fn a_whole_bundle_passes_through() {
    let bytes = whole(b"hello", BundleFlags(0));
    let mut reassembler = Reassembler::new(ROOMY);
    assert_eq!(push(&mut reassembler, &bytes), Ok(Some(bytes.clone())));
    assert_eq!(reassembler.pending().count(), 0);
}

#[test]
fn progress_and_expiry() {
    let mut reassembler = Reassembler::new(ROOMY);
    assert_eq!(
        push(&mut reassembler, &piece(9, 40, 100, &[1; 30])),
        Ok(None)
    );
    assert_eq!(
        push(&mut reassembler, &piece(9, 50, 100, &[1; 30])),
        Ok(None)
    );
    let (id, progress) = reassembler.pending().next().unwrap();
    let id = id.clone();
    assert_eq!(id.source, "ipn:1.0");
    assert_eq!(id.creation.time, 9);
    assert_eq!(
        (
            progress.total_adu_length,
            progress.received,
            progress.has_first
        ),
        (100, 40, false)
    );
    assert_eq!(progress.lifetime, 3_600_000);
    assert_eq!(progress.bytes_held, reassembler.bytes_held());
    assert!(reassembler.expire(&id));
    assert!(!reassembler.expire(&id));
    assert_eq!(reassembler.bytes_held(), 0);
}

#[test]
fn completes_only_with_the_offset_zero_fragment() {
    let mut reassembler = Reassembler::new(ROOMY);
    assert_eq!(push(&mut reassembler, &piece(9, 0, 4, &[])), Ok(None));
    assert_eq!(push(&mut reassembler, &piece(9, 2, 4, &[3, 4])), Ok(None));
    let done = push(&mut reassembler, &piece(9, 0, 4, &[1, 2]))
        .unwrap()
        .unwrap();
    let view = BundleView::parse(&done).unwrap();
    assert_eq!(view.payload(), [1, 2, 3, 4]);
    assert_eq!(view.primary().fragment, None);
    assert!(!view.primary().flags.contains(BundleFlags::IS_FRAGMENT));
    assert_eq!(reassembler.bytes_held(), 0);
    // An empty ADU is whole with its one fragment.
    let done = push(&mut reassembler, &piece(10, 0, 0, &[])).unwrap();
    assert_eq!(BundleView::parse(&done.unwrap()).unwrap().payload(), []);
}

#[test]
fn inconsistent_total_drops_the_adu() {
    let mut reassembler = Reassembler::new(ROOMY);
    assert_eq!(
        push(&mut reassembler, &piece(9, 0, 100, &[1; 10])),
        Ok(None)
    );
    assert_eq!(push(&mut reassembler, &piece(8, 0, 50, &[1; 10])), Ok(None));
    assert!(matches!(
        push(&mut reassembler, &piece(9, 10, 200, &[1; 10])),
        Err(Error {
            kind: ErrorKind::InconsistentFragments(_),
            ..
        })
    ));
    let left: Vec<_> = reassembler
        .pending()
        .map(|(id, _)| id.creation.time)
        .collect();
    assert_eq!(left, [8]);
}

#[test]
fn overlaps_must_agree() {
    let mut reassembler = Reassembler::new(ROOMY);
    assert_eq!(push(&mut reassembler, &piece(9, 0, 20, &[1; 10])), Ok(None));
    // Same octets again, overlapping: fine.
    assert_eq!(push(&mut reassembler, &piece(9, 5, 20, &[1; 5])), Ok(None));
    assert!(matches!(
        push(&mut reassembler, &piece(9, 8, 20, &[2; 4])),
        Err(Error {
            kind: ErrorKind::InconsistentFragments(_),
            ..
        })
    ));
    assert_eq!(reassembler.pending().count(), 0);
}

#[test]
fn memory_limits_drop_the_adu_that_exceeds_them() {
    let limits = ReassemblyLimits {
        max_total_bytes: 3000,
        max_adu_bytes: 2000,
    };
    let mut reassembler = Reassembler::new(limits);
    // Per ADU: the announced total alone is too much; nothing is allocated or kept.
    assert!(matches!(
        push(&mut reassembler, &piece(1, 0, 5000, &[1; 10])),
        Err(Error {
            kind: ErrorKind::ReassemblyLimit { limit: 2000, .. },
            ..
        })
    ));
    assert_eq!(reassembler.bytes_held(), 0);
    // Across ADUs: the second one does not fit beside the first.
    assert_eq!(
        push(&mut reassembler, &piece(2, 0, 1500, &[1; 10])),
        Ok(None)
    );
    assert!(matches!(
        push(&mut reassembler, &piece(3, 0, 1500, &[1; 10])),
        Err(Error {
            kind: ErrorKind::ReassemblyLimit { limit: 3000, .. },
            ..
        })
    ));
    let left: Vec<_> = reassembler
        .pending()
        .map(|(id, _)| id.creation.time)
        .collect();
    assert_eq!(left, [2]);
    assert!(reassembler.bytes_held() <= 3000);
    // An ADU that grows past its limit (many scattered pieces) is dropped too.
    let tight = ReassemblyLimits {
        max_total_bytes: 100_000,
        max_adu_bytes: 1500,
    };
    let mut reassembler = Reassembler::new(tight);
    let mut outcome = Ok(None);
    for offset in (0..1000).step_by(2) {
        outcome = push(&mut reassembler, &piece(4, offset, 1000, &[0]));
        if outcome.is_err() {
            break;
        }
    }
    assert!(matches!(
        outcome,
        Err(Error {
            kind: ErrorKind::ReassemblyLimit { limit: 1500, .. },
            ..
        })
    ));
    assert_eq!(reassembler.pending().count(), 0);
    assert_eq!(reassembler.bytes_held(), 0);
}
