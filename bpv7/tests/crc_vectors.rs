#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! CRC known answers (RFC 9171 §4.2.1).
//!
//! Sources: the CRC catalogue check values and RFC 7143 Appendix A.4 CRC32C examples, plus the
//! per-block CRCs of `tests/vectors/bpv7_generated_vectors.json` (a copy of `shared/vectors/rfc9171/`) (self-made with
//! python cbor2 and crcmod, cross-checked by the dtn7 `bp7` crate; see the vectors README).

use bpv7::crc::{CrcType, check_block_crc, compute_block_crc, crc16_x25, crc32c};
use bpv7::{Error, ErrorKind};
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/bpv7_generated_vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn hex_field(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(v[key].as_str().unwrap()).unwrap()
}

#[test]
fn catalogue_check_values() {
    // Source: CRC catalogue (reveng) check values for "123456789".
    assert_eq!(crc16_x25(b"123456789"), 0x906E);
    assert_eq!(crc32c(b"123456789"), 0xE306_9283);
}

#[test]
fn vector_file_check_values() {
    // Source: bpv7_generated_vectors.json `crc_check_values` (catalogue + RFC 7143 A.4).
    let v = vectors();
    let checks = v["crc_check_values"].as_array().unwrap();
    assert!(checks.len() >= 7);
    for c in checks {
        let input = hex_field(c, "input_hex");
        let expected = hex_field(c, "crc_hex");
        match c["algorithm"].as_str().unwrap() {
            "CRC-16/X-25" => assert_eq!(crc16_x25(&input).to_be_bytes().to_vec(), expected),
            "CRC-32C" => {
                let crc = crc32c(&input);
                assert_eq!(crc.to_be_bytes().to_vec(), expected, "{}", c["source"]);
                // RFC 7143 prints the CRC least significant byte first (README caveat 6).
                if let Some(wire) = c.get("rfc7143_wire_bytes_hex") {
                    let wire = hex::decode(wire.as_str().unwrap()).unwrap();
                    assert_eq!(crc.to_le_bytes().to_vec(), wire);
                }
            }
            other => panic!("unknown algorithm {other}"),
        }
    }
}

/// Every block with a CRC in every bundle of the vector file: the computed CRC over the block
/// (value zeroed, bstr head kept) equals the carried one, and equals the CRC of `crc_input_hex`.
#[test]
fn block_crcs_from_vectors() {
    let v = vectors();
    let mut checked = 0;
    for bundle in v["bundles"].as_array().unwrap() {
        let Some(blocks) = bundle.get("blocks").and_then(Value::as_array) else {
            continue;
        };
        for block in blocks {
            // Canonical blocks carry `crc_type`, the primary block `fields.crc_type`.
            let code = block
                .get("crc_type")
                .or_else(|| block["fields"].get("crc_type"));
            let crc_type = CrcType::from_code(code.unwrap().as_u64().unwrap(), 0).unwrap();
            assert_eq!(crc_type == CrcType::None, block.get("crc_hex").is_none());
            let bytes = hex_field(block, "hex");
            let number = block["block_number"].as_u64().unwrap();
            assert_eq!(check_block_crc(crc_type, &bytes, number, 0), Ok(()));
            if crc_type == CrcType::None {
                continue;
            }
            let expected = hex_field(block, "crc_hex");
            let computed = compute_block_crc(crc_type, &bytes).unwrap();
            assert_eq!(&computed.to_be_bytes()[4 - expected.len()..], &expected[..]);
            // The zero-copy computation equals the CRC of the explicitly zeroed block.
            let zeroed = hex_field(block, "crc_input_hex");
            let plain = match crc_type {
                CrcType::Crc16X25 => u32::from(crc16_x25(&zeroed)),
                _ => crc32c(&zeroed),
            };
            assert_eq!(computed, plain);
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} CRCs checked");
}

#[test]
fn flipped_bit_is_a_mismatch() {
    // Primary block of "bpv7-minimal-crc16" with the last CRC bit flipped (as in the file's
    // "bpv7-minimal-bad-primary-crc").
    let mut block =
        hex::decode("89070001820282020182028201008202820100821b000000b043c49200001a0036ee80420a1b")
            .unwrap();
    let last = block.len() - 1;
    block[last] ^= 1;
    let err = check_block_crc(CrcType::Crc16X25, &block, 0, 1).unwrap_err();
    assert_eq!(
        err,
        Error::new(
            1 + block.len() - 3,
            ErrorKind::CrcMismatch {
                block_number: 0,
                received: 0x0a1a,
                computed: 0x0a1b
            }
        )
    );
}

#[test]
fn malformed_crc_field() {
    // Too short for the field.
    assert!(matches!(
        compute_block_crc(CrcType::Crc32C, &[0x44, 0, 0])
            .unwrap_err()
            .kind,
        ErrorKind::Truncated {
            needed: 5,
            available: 3
        }
    ));
    // A 4-octet value behind a 2-octet bstr head.
    assert_eq!(
        compute_block_crc(CrcType::Crc32C, &[0x85, 0x42, 0, 0, 0, 0]),
        Err(Error::new(1, ErrorKind::CrcNotZeroPadded))
    );
    assert_eq!(
        check_block_crc(CrcType::Crc16X25, &[0x85, 0x01, 0x44, 0, 0], 3, 10),
        Err(Error::new(12, ErrorKind::CrcNotZeroPadded))
    );
}
