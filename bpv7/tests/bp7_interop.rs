#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Interop with the dtn7 `bp7` crate 0.12.1 (crates.io), used as an independent oracle: bundles
//! built by `bp7` parse here with equal fields and rebuild byte-identically, and bundles built
//! here parse and validate in `bp7` (CRCs included) with equal fields and re-serialize
//! byte-identically. Random bundles stay within what both model: `ipn` two-element and `dtn`
//! EIDs, u8 block flags and hop counts, a non-null destination (the `bp7` builder's rule).

use std::time::Duration;

use bp7::canonical::{CanonicalBlockBuilder, CanonicalData};
use bp7::crc::{CRC_16, CRC_32, CRC_NO, CrcBlock, CrcRawType};
use bp7::dtntime::CreationTimestamp as Bp7Timestamp;
use bp7::eid::EndpointID;
use bp7::primary::PrimaryBlockBuilder;
use bpv7::block::{BlockData, BlockFlags, CanonicalBlock, HopCount, block_type};
use bpv7::bundle::{BundleBuilder, BundleView};
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, FragmentInfo, PrimaryBlock};
use proptest::prelude::*;

/// An EID both crates can express, as its URI.
fn eid_uri(node_id: bool) -> impl Strategy<Value = String> {
    let dtn = if node_id {
        "[a-z][a-z0-9]{0,8}"
            .prop_map(|n| format!("dtn://{n}/"))
            .boxed()
    } else {
        ("[a-z][a-z0-9]{0,8}", "[a-z0-9]{0,8}")
            .prop_map(|(n, d)| format!("dtn://{n}/{d}"))
            .boxed()
    };
    let service = if node_id {
        Just(0).boxed()
    } else {
        any::<u64>().boxed()
    };
    prop_oneof![
        dtn,
        (1..=u64::MAX, service).prop_map(|(n, s)| format!("ipn:{n}.{s}"))
    ]
}

fn crc_type() -> impl Strategy<Value = CrcType> {
    prop_oneof![
        Just(CrcType::None),
        Just(CrcType::Crc16X25),
        Just(CrcType::Crc32C)
    ]
}

/// Extension block contents both crates model.
#[derive(Debug, Clone)]
enum Ext {
    PreviousNode(String),
    BundleAge(u64),
    HopCount(u8, u8),
    Opaque(u64, Vec<u8>),
}

/// A bundle in owned form: (flags, crc) per block and the fields.
#[derive(Debug, Clone)]
struct Spec {
    flags: u64,
    crc: CrcType,
    destination: String,
    source: String,
    report_to: String,
    time: u64,
    sequence: u64,
    lifetime: u64,
    fragment: Option<(u64, u64)>,
    /// (number, flags, crc, content); the payload is block 1, last.
    exts: Vec<(u64, u8, CrcType, Ext)>,
    payload: (u8, CrcType, Vec<u8>),
}

prop_compose! {
    fn spec()(
        flags in 0..=0x7_4067u64,
        // A primary block without CRC needs a BIB over it (RFC 9171 §4.3.1).
        crc in prop_oneof![Just(CrcType::Crc16X25), Just(CrcType::Crc32C)],
        destination in eid_uri(false),
        source in prop_oneof![1 => Just("dtn:none".to_string()), 9 => eid_uri(true)],
        report_to in prop_oneof![1 => Just("dtn:none".to_string()), 9 => eid_uri(false)],
        time in prop_oneof![Just(0u64), 1..=u64::MAX >> 11],
        sequence in any::<u64>(),
        lifetime in 0..=u64::MAX >> 11,
        fragment in proptest::option::of((any::<u32>(), any::<u16>())),
        previous in proptest::option::of(eid_uri(true)),
        age in proptest::option::of(any::<u64>()),
        hops in proptest::option::of((1..=255u8, any::<u8>())),
        opaque in proptest::collection::vec((192..=255u64, proptest::collection::vec(any::<u8>(), 0..24)), 0..3),
        block_meta in proptest::collection::vec((0..=0x17u8, crc_type()), 7),
        payload in proptest::collection::vec(any::<u8>(), 0..100),
    ) -> Spec {
        let anonymous = source == "dtn:none";
        let mut flags = flags & BundleFlags::ASSIGNED.0 & !BundleFlags::IS_FRAGMENT.0;
        let no_reports = anonymous || flags & BundleFlags::ADMIN_RECORD.0 != 0;
        if no_reports {
            flags &= !BundleFlags::STATUS_REPORT_REQUESTS.0;
        }
        if anonymous {
            flags |= BundleFlags::MUST_NOT_FRAGMENT.0;
        }
        let fragment = fragment.map(|(offset, extra)| {
            flags |= BundleFlags::IS_FRAGMENT.0;
            (u64::from(offset), u64::from(offset) + payload.len() as u64 + u64::from(extra))
        });
        let mut meta = block_meta.into_iter().map(|(f, crc)| {
            let f = f & BlockFlags::ASSIGNED.0 as u8;
            (if no_reports { f & !(BlockFlags::REPORT_IF_UNPROCESSABLE.0 as u8) } else { f }, crc)
        });
        let mut exts = Vec::new();
        let mut contents: Vec<Ext> = previous.map(Ext::PreviousNode).into_iter().collect();
        if let Some(ms) = age.or(if time == 0 { Some(0) } else { None }) {
            contents.push(Ext::BundleAge(ms));
        }
        contents.extend(hops.map(|(l, c)| Ext::HopCount(l, c)));
        contents.extend(opaque.into_iter().map(|(t, d)| Ext::Opaque(t, d)));
        for (i, ext) in contents.into_iter().enumerate() {
            let (f, crc) = meta.next().unwrap();
            exts.push((i as u64 + 2, f, crc, ext));
        }
        let (pf, pcrc) = meta.next().unwrap();
        Spec {
            flags,
            crc,
            destination,
            source,
            report_to,
            time,
            sequence,
            lifetime,
            fragment,
            exts,
            payload: (pf, pcrc, payload),
        }
    }
}

fn bp7_crc(crc: CrcType) -> CrcRawType {
    match crc {
        CrcType::None => CRC_NO,
        CrcType::Crc16X25 => CRC_16,
        CrcType::Crc32C => CRC_32,
    }
}

fn bp7_eid(uri: &str) -> EndpointID {
    EndpointID::try_from(uri).unwrap()
}

impl Spec {
    /// The bundle as built by `bp7`.
    fn bp7(&self) -> bp7::Bundle {
        let mut primary = PrimaryBlockBuilder::default()
            .bundle_control_flags(self.flags)
            .destination(bp7_eid(&self.destination))
            .source(bp7_eid(&self.source))
            .report_to(bp7_eid(&self.report_to))
            .creation_timestamp(Bp7Timestamp::with_time_and_seq(self.time, self.sequence))
            .lifetime(Duration::from_millis(self.lifetime));
        if let Some((offset, total)) = self.fragment {
            primary = primary
                .fragmentation_offset(offset)
                .total_data_length(total);
        }
        let mut primary = primary.build().unwrap();
        primary.set_crc_type(bp7_crc(self.crc));
        let block = |ty, number, flags, crc, data| {
            let mut b = CanonicalBlockBuilder::default()
                .block_type(ty)
                .block_number(number)
                .block_control_flags(flags)
                .data(data)
                .build()
                .unwrap();
            b.set_crc_type(bp7_crc(crc));
            b
        };
        let mut canonicals: Vec<_> = self
            .exts
            .iter()
            .map(|(number, flags, crc, ext)| {
                let (ty, data) = match ext {
                    Ext::PreviousNode(uri) => (
                        block_type::PREVIOUS_NODE,
                        CanonicalData::PreviousNode(bp7_eid(uri)),
                    ),
                    Ext::BundleAge(ms) => (block_type::BUNDLE_AGE, CanonicalData::BundleAge(*ms)),
                    Ext::HopCount(l, c) => (block_type::HOP_COUNT, CanonicalData::HopCount(*l, *c)),
                    Ext::Opaque(ty, data) => (*ty, CanonicalData::Unknown(data.clone())),
                };
                block(ty, *number, *flags, *crc, data)
            })
            .collect();
        let (pf, pcrc, data) = &self.payload;
        canonicals.push(block(
            block_type::PAYLOAD,
            1,
            *pf,
            *pcrc,
            CanonicalData::Data(data.clone()),
        ));
        bp7::Bundle::new(primary, canonicals)
    }

    fn primary(&self) -> PrimaryBlock<'_> {
        PrimaryBlock {
            flags: BundleFlags(self.flags),
            crc_type: self.crc,
            destination: Eid::parse_uri(&self.destination).unwrap(),
            source: Eid::parse_uri(&self.source).unwrap(),
            report_to: Eid::parse_uri(&self.report_to).unwrap(),
            creation: CreationTimestamp {
                time: self.time,
                sequence: self.sequence,
            },
            lifetime: self.lifetime,
            fragment: self
                .fragment
                .map(|(offset, total_adu_length)| FragmentInfo {
                    offset,
                    total_adu_length,
                }),
        }
    }

    /// Type-specific data of each extension block, encoded by this crate.
    fn ext_data(&self) -> Vec<Vec<u8>> {
        self.exts
            .iter()
            .map(|(_, _, _, ext)| {
                let data = match ext {
                    Ext::PreviousNode(uri) => BlockData::PreviousNode(Eid::parse_uri(uri).unwrap()),
                    Ext::BundleAge(ms) => BlockData::BundleAge(*ms),
                    Ext::HopCount(l, c) => BlockData::HopCount(HopCount {
                        limit: *l,
                        count: u64::from(*c),
                    }),
                    Ext::Opaque(_, data) => BlockData::Other(data),
                };
                let mut out = Vec::new();
                data.encode(&mut out);
                out
            })
            .collect()
    }

    /// The bundle as built by this crate (`data` from [`Self::ext_data`]).
    fn ours<'a>(&'a self, data: &'a [Vec<u8>]) -> BundleBuilder<'a> {
        let mut builder = BundleBuilder::new(self.primary());
        for ((number, flags, crc, ext), data) in self.exts.iter().zip(data) {
            let block_type = match ext {
                Ext::PreviousNode(_) => block_type::PREVIOUS_NODE,
                Ext::BundleAge(_) => block_type::BUNDLE_AGE,
                Ext::HopCount(..) => block_type::HOP_COUNT,
                Ext::Opaque(ty, _) => *ty,
            };
            builder = builder.block(CanonicalBlock {
                block_type,
                number: *number,
                flags: BlockFlags(u64::from(*flags)),
                crc_type: *crc,
                data,
            });
        }
        let (pf, pcrc, payload) = &self.payload;
        builder.payload(payload, BlockFlags(u64::from(*pf)), *pcrc)
    }
}

/// Field-by-field comparison of a `bp7` bundle with a view of the same bundle.
fn assert_same(theirs: &bp7::Bundle, ours: &BundleView<'_>) {
    let p = ours.primary();
    let q = &theirs.primary;
    assert_eq!(p.flags.0, q.bundle_control_flags);
    assert_eq!(u64::from(bp7_crc(p.crc_type)), u64::from(q.crc.to_code()));
    assert_eq!(p.destination.to_string(), q.destination.to_string());
    assert_eq!(p.source.to_string(), q.source.to_string());
    assert_eq!(p.report_to.to_string(), q.report_to.to_string());
    assert_eq!(p.creation.time, q.creation_timestamp.dtntime());
    assert_eq!(p.creation.sequence, q.creation_timestamp.seqno());
    assert_eq!(u128::from(p.lifetime), q.lifetime.as_millis());
    assert_eq!(
        p.fragment.map(|f| (f.offset, f.total_adu_length)),
        q.has_fragmentation()
            .then_some((q.fragmentation_offset, q.total_data_length))
    );
    let blocks: Vec<_> = ours.blocks().map(|(b, _)| b).collect();
    assert_eq!(blocks.len(), theirs.canonicals.len());
    for (ours, theirs) in blocks.iter().zip(&theirs.canonicals) {
        assert_eq!(ours.block_type, theirs.block_type);
        assert_eq!(ours.number, theirs.block_number);
        assert_eq!(ours.flags.0, u64::from(theirs.block_control_flags));
        assert_eq!(
            u64::from(bp7_crc(ours.crc_type)),
            u64::from(theirs.crc.to_code())
        );
        match (ours.block_data().unwrap(), theirs.data()) {
            (BlockData::Payload(a), CanonicalData::Data(b)) => assert_eq!(a, &b[..]),
            (BlockData::PreviousNode(a), CanonicalData::PreviousNode(b)) => {
                assert_eq!(a.to_string(), b.to_string());
            }
            (BlockData::BundleAge(a), CanonicalData::BundleAge(b)) => assert_eq!(a, *b),
            (BlockData::HopCount(a), CanonicalData::HopCount(l, c)) => {
                assert_eq!((a.limit, a.count), (*l, u64::from(*c)));
            }
            (BlockData::Other(a), CanonicalData::Unknown(b)) => assert_eq!(a, &b[..]),
            (a, b) => panic!("block {}: {a:?} vs {b:?}", ours.number),
        }
    }
}

proptest! {
    // bp7 allocates a lot; a modest number of cases still covers every CRC type on every block.
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn bp7_built_bundles_parse_here(spec in spec()) {
        let mut theirs = spec.bp7();
        let bytes = theirs.to_cbor();
        theirs.validate().unwrap();
        let view = BundleView::parse(&bytes).unwrap();
        assert_same(&theirs, &view);
        // Rebuilt here: byte-identical.
        let rebuilt = view
            .blocks()
            .fold(BundleBuilder::new(*view.primary()), |b, (block, _)| b.block(block));
        prop_assert_eq!(rebuilt.to_vec().unwrap(), bytes);
    }

    #[test]
    fn bundles_built_here_parse_in_bp7(spec in spec()) {
        let data = spec.ext_data();
        let bytes = spec.ours(&data).to_vec().unwrap();
        let mut theirs = bp7::Bundle::try_from(bytes.as_slice()).unwrap();
        theirs.validate().unwrap();
        prop_assert!(theirs.crc_valid());
        assert_same(&theirs, &BundleView::parse(&bytes).unwrap());
        // bp7 re-serializes our bundle byte-identically, and built the same one from the spec.
        prop_assert_eq!(&theirs.to_cbor(), &bytes);
        prop_assert_eq!(spec.bp7().to_cbor(), bytes);
    }
}
