#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Known-answer tests for whole bundles.
//!
//! Sources (copies under `tests/vectors/`, see its README):
//! * `bpv7_generated_vectors.json`: self-made RFC 9171 bundles (python cbor2 + own CRC code,
//!   cross-checked by crcmod and the dtn7 `bp7` crate) — NOT external vectors.
//! * `a1`..`a4_*.json`: the RFC 9173 Appendix A example bundles, extracted from the RFC text.

use bpv7::block::{BlockFlags, CanonicalBlock, block_type};
use bpv7::bundle::{BundleBuilder, BundleView, ParseOptions};
use bpv7::crc::CrcType;
use bpv7::primary::PrimaryBlock;
use bpv7::{Error, ErrorKind};
use serde_json::Value;

const RFC9171: &str = include_str!("vectors/bpv7_generated_vectors.json");
const RFC9173: [(&str, &str); 4] = [
    ("A.1", include_str!("vectors/a1_bib_hmac_sha2.json")),
    ("A.2", include_str!("vectors/a2_bcb_aes_gcm_keywrap.json")),
    ("A.3", include_str!("vectors/a3_multiple_sources.json")),
    ("A.4", include_str!("vectors/a4_full_scope.json")),
];

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// Rebuilds a parsed bundle from its blocks with the same options.
fn rebuild(view: &BundleView<'_>, options: ParseOptions) -> Vec<u8> {
    let mut builder = BundleBuilder::new(*view.primary()).options(options);
    for (block, _) in view.blocks() {
        builder = builder.block(block);
    }
    builder.to_vec().unwrap()
}

/// Checks a primary block against a vector's `fields`.
fn check_primary(id: &str, primary: &PrimaryBlock<'_>, fields: &Value) {
    assert_eq!(fields["version"], 7, "{id}");
    assert_eq!(
        primary.flags.0,
        fields["bundle_flags"].as_u64().unwrap(),
        "{id}"
    );
    assert_eq!(
        primary.crc_type.code(),
        fields["crc_type"].as_u64().unwrap(),
        "{id}"
    );
    assert_eq!(
        primary.destination.to_string(),
        fields["destination"],
        "{id}"
    );
    assert_eq!(primary.source.to_string(), fields["source_node"], "{id}");
    assert_eq!(primary.report_to.to_string(), fields["report_to"], "{id}");
    let ts = &fields["creation_timestamp"];
    assert_eq!(primary.creation.time, ts[0].as_u64().unwrap(), "{id}");
    assert_eq!(primary.creation.sequence, ts[1].as_u64().unwrap(), "{id}");
    assert_eq!(
        primary.lifetime,
        fields["lifetime_ms"].as_u64().unwrap(),
        "{id}"
    );
    match primary.fragment {
        Some(f) => {
            assert_eq!(
                f.offset,
                fields["fragment_offset"].as_u64().unwrap(),
                "{id}"
            );
            assert_eq!(
                f.total_adu_length,
                fields["total_adu_length"].as_u64().unwrap(),
                "{id}"
            );
        }
        None => assert!(fields.get("fragment_offset").is_none(), "{id}"),
    }
}

/// Checks every block of `view` against a vector's `blocks` (in bundle order).
fn check_blocks(id: &str, view: &BundleView<'_>, blocks: &[Value]) {
    let (primary_vec, canonical_vecs) = blocks.split_first().unwrap();
    assert_eq!(primary_vec["kind"], "primary");
    assert_eq!(
        view.bytes()[view.primary_span()],
        unhex(&primary_vec["hex"])[..],
        "{id}"
    );
    check_primary(id, view.primary(), &primary_vec["fields"]);
    assert_eq!(view.block_count(), canonical_vecs.len(), "{id}");
    for ((block, span), v) in view.blocks().zip(canonical_vecs) {
        assert_eq!(
            view.bytes()[span],
            unhex(&v["hex"])[..],
            "{id} block {}",
            block.number
        );
        assert_eq!(block.number, v["block_number"].as_u64().unwrap(), "{id}");
        assert_eq!(
            block.block_type,
            v["block_type_code"].as_u64().unwrap(),
            "{id}"
        );
        assert_eq!(block.flags.0, v["block_flags"].as_u64().unwrap(), "{id}");
        assert_eq!(
            block.crc_type.code(),
            v["crc_type"].as_u64().unwrap(),
            "{id}"
        );
        assert_eq!(block.data, unhex(&v["btsd_hex"]), "{id}");
    }
}

#[test]
fn rfc9171_valid_bundles_parse_and_rebuild_byte_identical() {
    let vectors = json(RFC9171);
    let mut valid = 0;
    for bundle in vectors["bundles"].as_array().unwrap() {
        if bundle["expect"] != "valid" {
            continue;
        }
        valid += 1;
        let id = bundle["id"].as_str().unwrap();
        let bytes = unhex(&bundle["bundle_hex"]);
        let view = BundleView::parse(&bytes).unwrap_or_else(|e| panic!("{id}: {e}"));
        check_blocks(id, &view, bundle["blocks"].as_array().unwrap());
        assert_eq!(rebuild(&view, ParseOptions::STRICT), bytes, "{id}");
    }
    assert_eq!(valid, 5);
}

#[test]
fn rfc9171_extension_block_data() {
    // bpv7-extension-blocks: Previous Node ipn:3.0, Bundle Age 300 ms, Hop Count [30, 1].
    let vectors = json(RFC9171);
    let bundle = vectors["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "bpv7-extension-blocks")
        .unwrap();
    let bytes = unhex(&bundle["bundle_hex"]);
    let view = BundleView::parse(&bytes).unwrap();
    assert_eq!(view.previous_node().unwrap().to_string(), "ipn:3.0");
    assert_eq!(view.bundle_age(), Some(300));
    let hops = view.hop_count().unwrap();
    assert_eq!((hops.limit, hops.count, hops.is_exceeded()), (30, 1, false));
    assert_eq!(view.payload(), b"Ready to generate a 32-byte payload");
    assert_eq!(view.block(4).unwrap().0.block_type, block_type::HOP_COUNT);
    assert!(view.block(9).is_none());
}

#[test]
fn rfc9171_bad_crc_bundles_are_rejected_with_block_number() {
    let vectors = json(RFC9171);
    let mut bad = 0;
    for bundle in vectors["bundles"].as_array().unwrap() {
        if bundle["expect"] != "crc_mismatch" {
            continue;
        }
        bad += 1;
        let id = bundle["id"].as_str().unwrap();
        let bytes = unhex(&bundle["bundle_hex"]);
        let want = bundle["bad_block_number"].as_u64().unwrap();
        match BundleView::parse(&bytes) {
            Err(Error {
                kind:
                    ErrorKind::CrcMismatch {
                        block_number,
                        received,
                        computed,
                    },
                ..
            }) => {
                assert_eq!(block_number, want, "{id}");
                // One bit flipped.
                assert_eq!((received ^ computed).count_ones(), 1, "{id}");
            }
            other => panic!("{id}: {other:?}"),
        }
        // Lenient parsing checks CRCs all the same.
        assert!(
            BundleView::parse_with(&bytes, &ParseOptions::LENIENT).is_err(),
            "{id}"
        );
    }
    assert_eq!(bad, 2);
}

#[test]
fn rfc9173_original_bundles_parse_leniently_and_rebuild_byte_identical() {
    for (name, text) in RFC9173 {
        let vector = json(text);
        let original = &vector["original_bundle"];
        let bytes = unhex(&original["hex"]);
        // RFC 9171 strictness rejects them (see tests/vectors/README.md).
        assert!(BundleView::parse(&bytes).is_err(), "{name}");
        let view = BundleView::parse_with(&bytes, &ParseOptions::LENIENT)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_blocks(name, &view, original["blocks"].as_array().unwrap());
        assert_eq!(
            view.payload(),
            b"Ready to generate a 32-byte payload",
            "{name}"
        );
        assert_eq!(rebuild(&view, ParseOptions::LENIENT), bytes, "{name}");
        // The strict builder refuses what the strict parser refuses.
        let strict = BundleBuilder::new(*view.primary()).payload(
            view.payload(),
            BlockFlags(0),
            CrcType::None,
        );
        assert!(strict.validate().is_err(), "{name}");
    }
}

#[test]
fn rfc9173_violations_are_exactly_the_documented_ones() {
    let a1 = json(RFC9173[0].1);
    let bytes = unhex(&a1["original_bundle"]["hex"]);
    let allow = |f: fn(&mut ParseOptions)| {
        let mut options = ParseOptions::LENIENT;
        f(&mut options);
        BundleView::parse_with(&bytes, &options)
            .map(|_| ())
            .map_err(|e| e.kind)
    };
    assert!(matches!(
        allow(|o| o.require_primary_crc = true),
        Err(ErrorKind::MissingCrc(_))
    ));
    assert_eq!(
        allow(|o| o.require_bundle_age = true),
        Err(ErrorKind::BundleAgeRequired)
    );
    assert!(matches!(
        allow(|o| o.require_node_ids = true),
        Err(ErrorKind::InvalidEid(_))
    ));
    assert_eq!(allow(|_| {}), Ok(()));
}

#[test]
fn rfc9173_final_bundles_parse_and_rebuild_byte_identical() {
    for (name, text) in RFC9173 {
        let vector = json(text);
        let bytes = unhex(&vector["final_bundle"]["hex"]);
        let view = BundleView::parse_with(&bytes, &ParseOptions::LENIENT)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let order: Vec<u64> = view.blocks().map(|(b, _)| b.number).collect();
        let expected: Vec<u64> = vector["final_bundle"]["block_order"].as_array().unwrap()[1..]
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert_eq!(order, expected, "{name}");
        assert_eq!(rebuild(&view, ParseOptions::LENIENT), bytes, "{name}");
    }
}

#[test]
fn rfc9173_a3_bib_over_primary_satisfies_the_crc_rule() {
    // A.3's BIB targets the primary block, so RFC 9171 §4.3.1 allows it no CRC, and it has a
    // Bundle Age block: only its source ipn:2.1 breaks a strict rule.
    let a3 = json(RFC9173[2].1);
    let bytes = unhex(&a3["final_bundle"]["hex"]);
    let options = ParseOptions {
        require_node_ids: false,
        ..ParseOptions::STRICT
    };
    let view = BundleView::parse_with(&bytes, &options).unwrap();
    assert_eq!(view.bundle_age(), Some(300));
    let (bib, _) = view.block_of_type(block_type::BIB).unwrap();
    assert_eq!(bib.number, 3);
    // Same bundle without the BIB: the strict CRC rule fires.
    let mut builder = BundleBuilder::new(*view.primary()).options(options);
    for (block, _) in view
        .blocks()
        .filter(|(b, _)| b.block_type != block_type::BIB)
    {
        builder = builder.block(block);
    }
    assert!(matches!(
        builder.validate(),
        Err(Error {
            kind: ErrorKind::MissingCrc(_),
            ..
        })
    ));
}

#[test]
fn canonical_block_decode_matches_vector_blocks() {
    // Each canonical block of the generated vectors decodes alone, CRC included.
    let vectors = json(RFC9171);
    for bundle in vectors["bundles"].as_array().unwrap() {
        for v in bundle["blocks"].as_array().into_iter().flatten().skip(1) {
            let bytes = unhex(&v["hex"]);
            let mut dec = bpv7::cbor::Decoder::new(&bytes);
            let block = CanonicalBlock::decode(&mut dec).unwrap();
            assert!(dec.is_empty());
            assert_eq!(block.number, v["block_number"].as_u64().unwrap());
            let mut out = Vec::new();
            block.encode(&mut out).unwrap();
            assert_eq!(out, bytes);
        }
    }
}
