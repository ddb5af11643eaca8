#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Endpoint IDs (RFC 9171 §4.2.5.1, RFC 9758): known answers from the generated RFC 9171
//! vectors (`tests/vectors/bpv7_generated_vectors.json` (a copy of `shared/vectors/rfc9171/`), self-made with python
//! cbor2), CBOR and URI round trips, and one test per rejection.

use bpv7::cbor::Decoder;
use bpv7::eid::Eid;
use bpv7::{Error, ErrorKind};
use proptest::prelude::*;
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/bpv7_generated_vectors.json");

fn encode(eid: &Eid<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    eid.encode(&mut out);
    assert_eq!(out.len(), eid.encoded_len());
    out
}

fn decode(bytes: &[u8]) -> Result<Eid<'_>, Error> {
    let mut dec = Decoder::new(bytes);
    let eid = Eid::decode(&mut dec)?;
    assert!(dec.is_empty(), "trailing bytes after EID");
    Ok(eid)
}

/// The three EIDs of every primary block in the vector file decode to the URIs in its
/// `fields`, and re-encode to the same bytes.
#[test]
fn primary_block_eids_from_vectors() {
    // Source: bpv7_generated_vectors.json (see the vectors README).
    let v: Value = serde_json::from_str(VECTORS).unwrap();
    let mut checked = 0;
    for bundle in v["bundles"].as_array().unwrap() {
        let Some(blocks) = bundle.get("blocks").and_then(Value::as_array) else {
            continue;
        };
        let primary = blocks.iter().find(|b| b["kind"] == "primary").unwrap();
        let bytes = hex::decode(primary["hex"].as_str().unwrap()).unwrap();
        let mut dec = Decoder::new(&bytes);
        dec.array_definite().unwrap();
        for _ in 0..3 {
            dec.uint().unwrap(); // version, flags, CRC type (RFC 9171 §4.3.1)
        }
        for field in ["destination", "source_node", "report_to"] {
            let start = dec.position();
            let eid = Eid::decode(&mut dec).unwrap();
            let uri = primary["fields"][field].as_str().unwrap();
            assert_eq!(eid.to_string(), uri);
            assert_eq!(Eid::parse_uri(uri), Ok(eid));
            assert_eq!(encode(&eid), &bytes[start..dec.position()]);
            if field == "source_node" {
                assert!(eid.is_node_id(), "{uri}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 15);
}

#[test]
fn known_encodings() {
    assert_eq!(encode(&Eid::Null), [0x82, 0x01, 0x00]);
    let dtn = Eid::parse_uri("dtn://node1/").unwrap();
    assert_eq!(encode(&dtn), b"\x82\x01\x68//node1/");
    assert_eq!(dtn.node_name(), Some("node1"));
    assert_eq!(dtn.demux(), Some(""));
    let ipn3 = Eid::parse_uri("ipn:977.1.2").unwrap();
    assert_eq!(
        ipn3,
        Eid::Ipn {
            allocator: 977,
            node: 1,
            service: 2
        }
    );
    assert_eq!(
        encode(&ipn3),
        [0x82, 0x02, 0x83, 0x19, 0x03, 0xd1, 0x01, 0x02]
    );
    assert_eq!(ipn3.to_string(), "ipn:977.1.2");
    assert_eq!(decode(&encode(&ipn3)), Ok(ipn3));
    // A three-element SSP with allocator 0 is the same EID as the two-element one.
    assert_eq!(
        decode(&[0x82, 0x02, 0x83, 0x00, 0x05, 0x00]),
        Ok(Eid::Ipn {
            allocator: 0,
            node: 5,
            service: 0
        })
    );
    // Non-shortest heads are accepted (cbor module policy).
    assert_eq!(
        decode(&[0x82, 0x18, 0x02, 0x82, 0x18, 0x05, 0x00]),
        Ok(Eid::Ipn {
            allocator: 0,
            node: 5,
            service: 0
        })
    );
}

#[test]
fn rejects_bad_scheme() {
    for code in [0u8, 3, 0x17] {
        assert_eq!(
            decode(&[0x82, code, 0x00]),
            Err(Error::new(
                1,
                ErrorKind::InvalidEid("unknown URI scheme code")
            ))
        );
    }
    assert!(matches!(
        decode(&[0x82, 0x61, b'1', 0x00]).unwrap_err().kind,
        ErrorKind::UnexpectedType { found: 3, .. }
    ));
    for uri in ["http://x/", "DTN:none", "dtn", "", "ipn"] {
        assert!(Eid::parse_uri(uri).is_err(), "{uri}");
    }
}

#[test]
fn rejects_bad_eid_array_length() {
    assert_eq!(
        decode(&[0x83, 0x01, 0x00, 0x00]),
        Err(Error::new(
            0,
            ErrorKind::ArrayLength {
                expected: "EID [scheme code, SSP]",
                found: 3
            }
        ))
    );
    assert_eq!(
        decode(&[0x9f, 0x01, 0x00, 0xff]),
        Err(Error::new(0, ErrorKind::IndefiniteLength))
    );
}

#[test]
fn rejects_bad_dtn_ssp() {
    for ssp in [
        "node1/",     // no "//"
        "//node1",    // no name delimiter
        "///inbox",   // empty node name
        "//no de/",   // space is not reg-name
        "//node/a b", // space is not VCHAR
        "//nöde/",    // non-ASCII
        "//node/ü",   // non-ASCII demux
        "//n%4/",     // short percent-encoding
        "//n%zz/",    // bad percent-encoding
        "//a:b/",     // ':' is not reg-name
    ] {
        let mut cbor = vec![0x82, 0x01];
        bpv7::cbor::write_text(&mut cbor, ssp);
        let e = decode(&cbor).unwrap_err();
        assert_eq!(e.offset, 2, "{ssp}");
        assert!(matches!(e.kind, ErrorKind::InvalidEid(_)), "{ssp}: {e}");
        let uri = format!("dtn:{ssp}");
        assert!(matches!(
            Eid::parse_uri(&uri).unwrap_err().kind,
            ErrorKind::InvalidEid(_)
        ));
        assert!(Eid::Dtn { ssp }.validate().is_err());
    }
    for ok in ["//node1/", "//a.b-c_d~e!$&'()*+,;=%2F/", "//n/~group/x?y#z"] {
        assert_eq!(
            Eid::parse_uri(&format!("dtn:{ok}")),
            Ok(Eid::Dtn { ssp: ok })
        );
    }
    // Invalid UTF-8 in the SSP is a CBOR error.
    assert_eq!(
        decode(&[0x82, 0x01, 0x62, 0xc3, 0x28]),
        Err(Error::new(2, ErrorKind::InvalidUtf8))
    );
}

#[test]
fn rejects_dtn_none_encoded_wrong() {
    assert_eq!(decode(&[0x82, 0x01, 0x00]), Ok(Eid::Null));
    assert!(matches!(
        decode(&[0x82, 0x01, 0x01]).unwrap_err().kind,
        ErrorKind::InvalidEid(_)
    ));
    let mut text_none = vec![0x82, 0x01];
    bpv7::cbor::write_text(&mut text_none, "none");
    assert_eq!(
        decode(&text_none),
        Err(Error::new(
            2,
            ErrorKind::InvalidEid("dtn:none must be encoded as the integer 0")
        ))
    );
    assert!(matches!(
        decode(&[0x82, 0x01, 0x40]).unwrap_err().kind,
        ErrorKind::UnexpectedType { found: 2, .. }
    ));
    assert!(matches!(
        decode(&[0x82, 0x01, 0xff]).unwrap_err().kind,
        ErrorKind::UnexpectedType { found: 0xFF, .. }
    ));
}

#[test]
fn rejects_bad_ipn_ssp() {
    for (bytes, found) in [
        (&[0x82, 0x02, 0x81, 0x01][..], 1),
        (&[0x82, 0x02, 0x80], 0),
        (&[0x82, 0x02, 0x84, 0x01, 0x01, 0x01, 0x01], 4),
    ] {
        assert!(matches!(
            decode(bytes).unwrap_err(),
            Error { offset: 2, kind: ErrorKind::ArrayLength { found: f, .. } } if f == found
        ));
    }
    // ipn numbers are unsigned integers.
    assert!(matches!(
        decode(&[0x82, 0x02, 0x82, 0x20, 0x01]).unwrap_err().kind,
        ErrorKind::UnexpectedType { found: 1, .. }
    ));
    assert!(matches!(
        decode(&[0x82, 0x02, 0x01]).unwrap_err().kind,
        ErrorKind::UnexpectedType { found: 0, .. }
    ));
    // RFC 9758 three-element numbers are 32-bit.
    assert_eq!(
        decode(&[0x82, 0x02, 0x83, 0x01, 0x1b, 0, 0, 0, 1, 0, 0, 0, 0, 0x00]),
        Err(Error::new(4, ErrorKind::IntegerTooLarge))
    );
    // Two-element numbers are u64: the largest fits.
    let max = Eid::Ipn {
        allocator: 0,
        node: u64::MAX,
        service: u64::MAX,
    };
    assert_eq!(decode(&encode(&max)), Ok(max));
}

#[test]
fn ipn_uri_rules() {
    assert_eq!(
        Eid::parse_uri("ipn:1.2"),
        Ok(Eid::Ipn {
            allocator: 0,
            node: 1,
            service: 2
        })
    );
    assert_eq!(
        Eid::parse_uri("ipn:18446744073709551615.0"),
        Ok(Eid::Ipn {
            allocator: 0,
            node: u64::MAX,
            service: 0
        })
    );
    for (uri, kind) in [
        ("ipn:18446744073709551616.0", ErrorKind::IntegerTooLarge),
        ("ipn:1.4294967296.0", ErrorKind::IntegerTooLarge),
        ("ipn:1", ErrorKind::InvalidEid("ipn SSP needs node.service")),
        (
            "ipn:+1.2",
            ErrorKind::InvalidEid("ipn number is not 1*DIGIT"),
        ),
        (
            "ipn:1..2",
            ErrorKind::InvalidEid("ipn number is not 1*DIGIT"),
        ),
        (
            "ipn:1.2.",
            ErrorKind::InvalidEid("ipn number is not 1*DIGIT"),
        ),
        (
            "ipn:1.2.3.4",
            ErrorKind::InvalidEid("ipn SSP has more than three numbers"),
        ),
        (
            "ipn: 1.2",
            ErrorKind::InvalidEid("ipn number is not 1*DIGIT"),
        ),
    ] {
        assert_eq!(Eid::parse_uri(uri).map_err(|e| e.kind), Err(kind), "{uri}");
    }
    assert_eq!(Eid::parse_uri("ipn:1.x").unwrap_err().offset, 6);
}

fn eid_parts() -> impl Strategy<Value = (u8, String, u64, u64, u64)> {
    let ssp = (
        "[A-Za-z0-9._~!$&'()*+,;=-]{1,12}(%[0-9A-Fa-f]{2})?",
        "[!-~]{0,16}",
    )
        .prop_map(|(node, demux)| format!("//{node}/{demux}"));
    prop_oneof![
        Just((0u8, String::new(), 0, 0, 0)),
        ssp.prop_map(|s| (1, s, 0, 0, 0)),
        (any::<u64>(), any::<u64>()).prop_map(|(n, s)| (2, String::new(), 0, n, s)),
        (
            1..=u64::from(u32::MAX),
            0..=u64::from(u32::MAX),
            0..=u64::from(u32::MAX)
        )
            .prop_map(|(a, n, s)| (2, String::new(), a, n, s)),
    ]
}

fn make(parts: &(u8, String, u64, u64, u64)) -> Eid<'_> {
    match parts {
        (0, ..) => Eid::Null,
        (1, ssp, ..) => Eid::Dtn { ssp },
        (_, _, allocator, node, service) => Eid::Ipn {
            allocator: *allocator,
            node: *node,
            service: *service,
        },
    }
}

proptest! {
    #[test]
    fn cbor_round_trip(parts in eid_parts()) {
        let eid = make(&parts);
        prop_assert_eq!(eid.validate(), Ok(()));
        let bytes = encode(&eid);
        prop_assert_eq!(decode(&bytes), Ok(eid));
        // The strict decoder accepts the encoder's output: it is deterministic.
        prop_assert_eq!(Eid::decode(&mut Decoder::strict(&bytes)), Ok(eid));
        prop_assert_eq!(Decoder::new(&bytes).skip(), Ok(0..bytes.len()));
    }

    #[test]
    fn uri_round_trip(parts in eid_parts()) {
        let eid = make(&parts);
        let uri = eid.to_string();
        prop_assert_eq!(Eid::parse_uri(&uri), Ok(eid));
    }

    #[test]
    fn arbitrary_strings_never_panic_parse_uri(s in "\\PC{0,40}", tail in "(dtn|ipn):[!-~]{0,20}") {
        for input in [&s, &tail] {
            if let Ok(eid) = Eid::parse_uri(input) {
                let shown = eid.to_string();
                prop_assert_eq!(Eid::parse_uri(&shown), Ok(eid));
                let bytes = encode(&eid);
                prop_assert_eq!(decode(&bytes), Ok(eid));
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_decode(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut dec = Decoder::new(&bytes);
        let before = dec.position();
        match Eid::decode(&mut dec) {
            Ok(eid) => {
                prop_assert_eq!(eid.validate(), Ok(()));
                let again = encode(&eid);
                let redecoded = decode(&again);
                prop_assert_eq!(redecoded, Ok(eid));
            }
            Err(e) => {
                prop_assert!(e.offset <= bytes.len());
                prop_assert_eq!(dec.position(), before);
            }
        }
    }
}
