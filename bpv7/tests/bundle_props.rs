#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Property tests for whole bundles: random valid bundles (all three CRC types, random `ipn`
//! and `dtn` EIDs, fragments, every RFC 9171 extension block plus opaque ones) survive
//! build → parse unchanged and rebuild byte-identically; arbitrary and mutated bytes never make
//! `BundleView::parse` panic.

use bpv7::block::{BlockData, BlockFlags, CanonicalBlock, HopCount, block_type};
use bpv7::bundle::{BundleBuilder, BundleView, ParseOptions};
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, FragmentInfo, PrimaryBlock};
use proptest::prelude::*;

/// An EID that owns its text, so strategies can produce it.
#[derive(Debug, Clone)]
enum OwnedEid {
    Null,
    Dtn(String),
    Ipn(u64, u64, u64),
}

impl OwnedEid {
    fn eid(&self) -> Eid<'_> {
        match self {
            Self::Null => Eid::Null,
            Self::Dtn(ssp) => Eid::Dtn { ssp },
            Self::Ipn(allocator, node, service) => Eid::Ipn {
                allocator: *allocator,
                node: *node,
                service: *service,
            },
        }
    }
}

fn crc_type() -> impl Strategy<Value = CrcType> {
    prop_oneof![
        Just(CrcType::None),
        Just(CrcType::Crc16X25),
        Just(CrcType::Crc32C)
    ]
}

fn ipn(service: BoxedStrategy<u64>) -> impl Strategy<Value = OwnedEid> {
    prop_oneof![
        (1..=u64::MAX, service.clone()).prop_map(|(n, s)| OwnedEid::Ipn(0, n, s)),
        // RFC 9758 three-element form: 32-bit numbers, non-zero allocator.
        (1..=u64::from(u32::MAX), 0..=u64::from(u32::MAX), service)
            .prop_map(|(a, n, s)| OwnedEid::Ipn(a, n, s & u64::from(u32::MAX))),
    ]
}

/// Any EID (destination, report-to).
fn any_eid() -> impl Strategy<Value = OwnedEid> {
    prop_oneof![
        Just(OwnedEid::Null),
        ("[a-z][a-z0-9.-]{0,10}", "[!-~]{0,12}")
            .prop_map(|(node, demux)| OwnedEid::Dtn(format!("//{node}/{demux}"))),
        ipn(any::<u64>().boxed()),
    ]
}

/// A node ID (source, previous node): `ipn:N.0` or `dtn://node/` (RFC 9171 §4.2.5.2).
fn node_id() -> impl Strategy<Value = OwnedEid> {
    prop_oneof![
        "[a-z][a-z0-9.-]{0,10}".prop_map(|node| OwnedEid::Dtn(format!("//{node}/"))),
        ipn(Just(0).boxed()),
    ]
}

/// An opaque extension block: (type, flags, crc, data).
fn opaque_block() -> impl Strategy<Value = (u64, u64, CrcType, Vec<u8>)> {
    (
        prop_oneof![192..=255u64, 13..=191u64, Just(u64::MAX)],
        0..=0x17u64,
        crc_type(),
        proptest::collection::vec(any::<u8>(), 0..40),
    )
}

/// Everything a random bundle owns; [`Spec::builder`] borrows it.
#[derive(Debug, Clone)]
struct Spec {
    flags: u64,
    crc: CrcType,
    destination: OwnedEid,
    source: OwnedEid,
    report_to: OwnedEid,
    creation: CreationTimestamp,
    lifetime: u64,
    fragment: Option<(u64, u64)>,
    /// (type, number, flags, crc, data), extension blocks in emission order.
    blocks: Vec<(u64, u64, u64, CrcType, Vec<u8>)>,
    payload: (u64, CrcType, Vec<u8>),
}

fn encoded(data: BlockData<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    data.encode(&mut out);
    out
}

prop_compose! {
    fn spec()(
        flags in 0..=0x7_4067u64,
        crc in crc_type(),
        destination in any_eid(),
        anonymous in prop::bool::weighted(0.1),
        source in node_id(),
        report_to in any_eid(),
        time in prop_oneof![Just(0u64), any::<u64>()],
        sequence in any::<u64>(),
        lifetime in any::<u64>(),
        fragment in proptest::option::of((any::<u32>(), any::<u32>())),
        previous in proptest::option::of((node_id(), 0..=0x17u64, crc_type())),
        age in proptest::option::of((any::<u64>(), 0..=0x17u64, crc_type())),
        hops in proptest::option::of((1..=255u8, any::<u64>(), 0..=0x17u64, crc_type())),
        opaque in proptest::collection::vec(opaque_block(), 0..4),
        payload in (0..=0x17u64, crc_type(), proptest::collection::vec(any::<u8>(), 0..200)),
        first_number in 2..1000u64,
    ) -> Spec {
        let source = if anonymous { OwnedEid::Null } else { source };
        // Only assigned flags, fragment flag from the fragment fields, then §4.2.3 consistency.
        let mut flags = BundleFlags(flags & BundleFlags::ASSIGNED.0 & !BundleFlags::IS_FRAGMENT.0);
        let no_reports = flags.contains(BundleFlags::ADMIN_RECORD) || anonymous;
        if no_reports {
            flags.0 &= !BundleFlags::STATUS_REPORT_REQUESTS.0;
        }
        if anonymous {
            flags.0 |= BundleFlags::MUST_NOT_FRAGMENT.0;
        }
        if fragment.is_some() {
            flags.0 |= BundleFlags::IS_FRAGMENT.0;
        }
        let block_flags = |f: u64| {
            let f = f & BlockFlags::ASSIGNED.0;
            if no_reports { f & !BlockFlags::REPORT_IF_UNPROCESSABLE.0 } else { f }
        };
        let mut blocks = Vec::new();
        let mut number = first_number;
        let mut push = |ty, f, crc, data| {
            blocks.push((ty, number, block_flags(f), crc, data));
            number += 1;
        };
        if let Some((eid, f, crc)) = previous {
            push(block_type::PREVIOUS_NODE, f, crc, encoded(BlockData::PreviousNode(eid.eid())));
        }
        // §4.4.2: creation time 0 needs a Bundle Age block.
        let age = age.or(if time == 0 { Some((0, 0, CrcType::None)) } else { None });
        if let Some((ms, f, crc)) = age {
            push(block_type::BUNDLE_AGE, f, crc, encoded(BlockData::BundleAge(ms)));
        }
        if let Some((limit, count, f, crc)) = hops {
            push(block_type::HOP_COUNT, f, crc, encoded(BlockData::HopCount(HopCount { limit, count })));
        }
        for (ty, f, crc, data) in opaque {
            push(ty, f, crc, data);
        }
        let (payload_flags, payload_crc, payload_data) = payload;
        // The payload must fit within the total ADU length.
        let fragment = fragment.map(|(offset, extra)| {
            let offset = u64::from(offset);
            (offset, offset + payload_data.len() as u64 + u64::from(extra))
        });
        Spec {
            flags: flags.0,
            crc: if crc == CrcType::None { CrcType::Crc16X25 } else { crc },
            destination,
            source,
            report_to,
            creation: CreationTimestamp { time, sequence },
            lifetime,
            fragment,
            blocks,
            payload: (block_flags(payload_flags), payload_crc, payload_data),
        }
    }
}

impl Spec {
    fn primary(&self) -> PrimaryBlock<'_> {
        PrimaryBlock {
            flags: BundleFlags(self.flags),
            crc_type: self.crc,
            destination: self.destination.eid(),
            source: self.source.eid(),
            report_to: self.report_to.eid(),
            creation: self.creation,
            lifetime: self.lifetime,
            fragment: self
                .fragment
                .map(|(offset, total_adu_length)| FragmentInfo {
                    offset,
                    total_adu_length,
                }),
        }
    }

    fn canonical(&self) -> Vec<CanonicalBlock<'_>> {
        let mut out: Vec<CanonicalBlock<'_>> = self
            .blocks
            .iter()
            .map(|(ty, number, flags, crc, data)| CanonicalBlock {
                block_type: *ty,
                number: *number,
                flags: BlockFlags(*flags),
                crc_type: *crc,
                data,
            })
            .collect();
        let (flags, crc, data) = &self.payload;
        out.push(CanonicalBlock::payload(data, BlockFlags(*flags), *crc));
        out
    }

    fn builder(&self) -> BundleBuilder<'_> {
        self.canonical()
            .into_iter()
            .fold(BundleBuilder::new(self.primary()), BundleBuilder::block)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn build_then_parse_gives_the_same_bundle(spec in spec()) {
        let builder = spec.builder();
        let bytes = builder.to_vec().unwrap();
        prop_assert_eq!(bytes.len(), builder.encoded_len());
        let view = BundleView::parse(&bytes).unwrap();
        prop_assert_eq!(view.primary(), &spec.primary());
        let parsed: Vec<_> = view.blocks().map(|(block, _)| block).collect();
        prop_assert_eq!(&parsed, &spec.canonical());
        prop_assert_eq!(view.payload(), &spec.payload.2[..]);
        prop_assert_eq!(view.block_count(), parsed.len());
        // Spans tile the bundle: primary, blocks back to back, then the break.
        let mut at = view.primary_span().end;
        for (_, span) in view.blocks() {
            prop_assert_eq!(span.start, at);
            at = span.end;
        }
        prop_assert_eq!(at + 1, bytes.len());
        // Parse → rebuild of a canonical bundle is byte-identical.
        let rebuilt = parsed.into_iter().fold(BundleBuilder::new(*view.primary()), BundleBuilder::block);
        prop_assert_eq!(rebuilt.to_vec().unwrap(), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for options in [ParseOptions::STRICT, ParseOptions::LENIENT] {
            if let Ok(view) = BundleView::parse_with(&bytes, &options) {
                prop_assert!(view.blocks().count() >= 1);
            }
        }
    }

    #[test]
    fn bundle_prefix_then_noise_never_panics(
        noise in proptest::collection::vec(any::<u8>(), 0..120),
        cut in 0usize..60,
    ) {
        // A valid start (indefinite array, primary block) followed by noise reaches the
        // canonical-block and bundle-level checks more often than pure noise.
        let spec = Spec {
            flags: 0,
            crc: CrcType::Crc16X25,
            destination: OwnedEid::Ipn(0, 2, 1),
            source: OwnedEid::Ipn(0, 1, 0),
            report_to: OwnedEid::Null,
            creation: CreationTimestamp { time: 1, sequence: 0 },
            lifetime: 1,
            fragment: None,
            blocks: Vec::new(),
            payload: (0, CrcType::None, Vec::new()),
        };
        let mut bytes = spec.builder().to_vec().unwrap();
        bytes.truncate(bytes.len().saturating_sub(cut).max(1 + spec.primary().encoded_len()));
        bytes.extend_from_slice(&noise);
        let _ = BundleView::parse_with(&bytes, &ParseOptions::LENIENT);
    }

    #[test]
    fn mutated_bundles_never_panic(
        spec in spec(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = spec.builder().to_vec().unwrap();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let len = cut.index(bytes.len() + 1);
        for input in [&bytes[..], &bytes[..len]] {
            if let Ok(view) = BundleView::parse_with(input, &ParseOptions::LENIENT) {
                for (block, span) in view.blocks() {
                    prop_assert!(span.end <= input.len());
                    let _ = block.block_data();
                }
            }
        }
    }
}
