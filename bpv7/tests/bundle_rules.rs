#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! One hand-built bad bundle per rejection rule (RFC 9171 §4), each asserting the exact error
//! kind and offset. Bundles are assembled item by item with the crate's CBOR writers; CRCs are
//! computed with the crate's CRC functions, so that each bundle breaks only the rule under test.

use bpv7::block::{BlockData, BlockFlags, CanonicalBlock, HopCount};
use bpv7::bundle::{BundleBuilder, BundleView, MAX_CANONICAL_BLOCKS, ParseOptions};
use bpv7::cbor;
use bpv7::crc::{self, CrcType};
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, FragmentInfo, PrimaryBlock};
use bpv7::{Error, ErrorKind};

const NODE1: Eid<'static> = Eid::Ipn {
    allocator: 0,
    node: 1,
    service: 0,
};
const SVC1: Eid<'static> = Eid::Ipn {
    allocator: 0,
    node: 1,
    service: 1,
};
const DEST: Eid<'static> = Eid::Ipn {
    allocator: 0,
    node: 2,
    service: 1,
};

/// Primary block fields, written as given (no validation).
#[derive(Clone)]
struct Primary {
    items: Option<u64>,
    version: u64,
    flags: u64,
    crc: u64,
    source: Eid<'static>,
    time: u64,
    fragment: Option<(u64, u64)>,
}

impl Default for Primary {
    fn default() -> Self {
        Self {
            items: None,
            version: 7,
            flags: 0,
            crc: 2,
            source: NODE1,
            time: 1000,
            fragment: None,
        }
    }
}

/// Appends the CRC field (for codes 1 and 2) computed over `block`.
fn finish_crc(mut block: Vec<u8>, code: u64) -> Vec<u8> {
    let Ok(crc_type) = CrcType::from_code(code, 0) else {
        return block;
    };
    if crc_type == CrcType::None {
        return block;
    }
    let n = crc_type.value_len();
    cbor::write_bytes(&mut block, &vec![0; n]);
    let value = crc::compute_block_crc(crc_type, &block)
        .unwrap()
        .to_be_bytes();
    let at = block.len() - n;
    block[at..].copy_from_slice(&value[4 - n..]);
    block
}

impl Primary {
    fn encode(&self) -> Vec<u8> {
        let mut b = Vec::new();
        let natural = 8
            + if self.fragment.is_some() { 2 } else { 0 }
            + u64::from(self.crc == 1 || self.crc == 2);
        cbor::write_array_head(&mut b, self.items.unwrap_or(natural));
        cbor::write_uint(&mut b, self.version);
        cbor::write_uint(&mut b, self.flags);
        cbor::write_uint(&mut b, self.crc);
        DEST.encode(&mut b);
        self.source.encode(&mut b);
        NODE1.encode(&mut b);
        cbor::write_array_head(&mut b, 2);
        cbor::write_uint(&mut b, self.time);
        cbor::write_uint(&mut b, 0);
        cbor::write_uint(&mut b, 3_600_000);
        if let Some((offset, total)) = self.fragment {
            cbor::write_uint(&mut b, offset);
            cbor::write_uint(&mut b, total);
        }
        finish_crc(b, self.crc)
    }
}

/// A canonical block written as given: `[type, number, flags, crc, data, CRC?]`.
fn block_items(items: u64, ty: u64, number: u64, flags: u64, crc: u64, data: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    cbor::write_array_head(&mut b, items);
    for v in [ty, number, flags, crc] {
        cbor::write_uint(&mut b, v);
    }
    cbor::write_bytes(&mut b, data);
    finish_crc(b, crc)
}

fn block(ty: u64, number: u64, crc: u64, data: &[u8]) -> Vec<u8> {
    block_items(
        5 + u64::from(crc == 1 || crc == 2),
        ty,
        number,
        0,
        crc,
        data,
    )
}

fn payload() -> Vec<u8> {
    block(1, 1, 1, b"payload")
}

fn data(d: BlockData<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    d.encode(&mut out);
    out
}

/// `[0x9F, primary, blocks..., 0xFF]`.
fn bundle(primary: &[u8], blocks: &[Vec<u8>]) -> Vec<u8> {
    let mut b = vec![0x9F];
    b.extend_from_slice(primary);
    for block in blocks {
        b.extend_from_slice(block);
    }
    b.push(0xFF);
    b
}

/// Offset of canonical block `i` in `bundle(primary, blocks)`.
fn block_at(primary: &[u8], blocks: &[Vec<u8>], i: usize) -> usize {
    1 + primary.len() + blocks[..i].iter().map(Vec::len).sum::<usize>()
}

fn err(bytes: &[u8]) -> Error {
    BundleView::parse(bytes).expect_err("must be rejected")
}

fn assert_err(bytes: &[u8], offset: usize, kind: ErrorKind) {
    assert_eq!(err(bytes), Error::new(offset, kind));
}

#[test]
fn baseline_is_valid() {
    let p = Primary::default().encode();
    let b = bundle(&p, &[block(7, 2, 2, &[0x01]), payload()]);
    assert!(BundleView::parse(&b).is_ok());
}

#[test]
fn bundle_must_be_indefinite_array() {
    let p = Primary::default().encode();
    let mut b = bundle(&p, &[payload()]);
    b[0] = 0x82;
    b.pop();
    assert_err(
        &b,
        0,
        ErrorKind::ArrayLength {
            expected: "bundle: indefinite-length array",
            found: 2,
        },
    );
    // Not an array at all.
    assert_err(
        &[0x01],
        0,
        ErrorKind::UnexpectedType {
            expected: "array",
            found: 0,
        },
    );
}

#[test]
fn primary_array_lengths() {
    let expected = "primary block: 8 + 2 if a fragment + 1 if a CRC items";
    for items in [7, 8, 10, 11, 12] {
        let p = Primary {
            items: Some(items),
            ..Primary::default()
        }
        .encode();
        assert_err(
            &bundle(&p, &[payload()]),
            1,
            ErrorKind::ArrayLength {
                expected,
                found: items,
            },
        );
    }
    // The fragment flag set without fragment fields: the array is one short of 11 items.
    let p = Primary {
        flags: 1,
        ..Primary::default()
    }
    .encode();
    assert_err(
        &bundle(&p, &[payload()]),
        1,
        ErrorKind::ArrayLength { expected, found: 9 },
    );
    // An indefinite-length primary block.
    let mut p = Primary::default().encode();
    p[0] = 0x9F;
    assert_eq!(
        err(&bundle(&p, &[payload()])).kind,
        ErrorKind::IndefiniteLength
    );
}

#[test]
fn creation_timestamp_array_length() {
    let mut p = Primary {
        crc: 0,
        ..Primary::default()
    }
    .encode();
    // [time, seq] is at a fixed place after the EIDs: 0x82 0x19 0x03 0xE8 0x00.
    let ts = p
        .windows(5)
        .position(|w| w == [0x82, 0x19, 0x03, 0xE8, 0x00])
        .unwrap();
    p[ts] = 0x83;
    p.insert(ts + 5, 0x00);
    let options = ParseOptions {
        require_primary_crc: false,
        ..ParseOptions::STRICT
    };
    assert_eq!(
        BundleView::parse_with(&bundle(&p, &[payload()]), &options),
        Err(Error::new(
            1 + ts,
            ErrorKind::ArrayLength {
                expected: "creation timestamp: 2 items",
                found: 3
            }
        ))
    );
}

#[test]
fn bad_version() {
    let p = Primary {
        version: 6,
        ..Primary::default()
    }
    .encode();
    assert_err(&bundle(&p, &[payload()]), 2, ErrorKind::InvalidVersion(6));
}

#[test]
fn unknown_crc_types() {
    let p = Primary {
        crc: 3,
        ..Primary::default()
    }
    .encode();
    assert_err(&bundle(&p, &[payload()]), 4, ErrorKind::UnknownCrcType(3));
    let p = Primary::default().encode();
    let blocks = [block_items(6, 1, 1, 0, 7, b"x")];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0) + 4,
        ErrorKind::UnknownCrcType(7),
    );
}

#[test]
fn canonical_array_lengths() {
    let expected = "canonical block: 5 items, 6 with a CRC";
    let p = Primary::default().encode();
    for (items, crc) in [(4, 0), (6, 0), (5, 1), (7, 2)] {
        let blocks = [block_items(items, 1, 1, 0, crc, b"x")];
        assert_err(
            &bundle(&p, &blocks),
            block_at(&p, &blocks, 0),
            ErrorKind::ArrayLength {
                expected,
                found: items,
            },
        );
    }
}

#[test]
fn crc_mismatch_names_the_block() {
    let mut p = Primary::default().encode();
    let last = p.len() - 1;
    p[last] ^= 0x80;
    let b = bundle(&p, &[payload()]);
    let e = err(&b);
    assert!(matches!(
        e.kind,
        ErrorKind::CrcMismatch {
            block_number: 0,
            ..
        }
    ));
    assert_eq!(e.offset, 1 + p.len() - 5, "offset of the CRC field");

    let p = Primary::default().encode();
    let mut age = block(7, 5, 1, &[0x01]);
    let last = age.len() - 1;
    age[last] ^= 1;
    let blocks = [age, payload()];
    let e = err(&bundle(&p, &blocks));
    assert!(matches!(
        e.kind,
        ErrorKind::CrcMismatch {
            block_number: 5,
            ..
        }
    ));
    assert_eq!(e.offset, block_at(&p, &blocks, 1) - 3);
}

#[test]
fn crc_field_wrong_length_or_form() {
    let p = Primary::default().encode();
    // CRC-16 type with a 4-octet field.
    let mut b = Vec::new();
    cbor::write_array_head(&mut b, 6);
    for v in [1, 1, 0, 1] {
        cbor::write_uint(&mut b, v);
    }
    cbor::write_bytes(&mut b, b"x");
    let field_at = b.len();
    cbor::write_bytes(&mut b, &[0, 0, 0, 0]);
    let blocks = [b];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0) + field_at,
        ErrorKind::CrcNotZeroPadded,
    );
    // Right length, non-shortest head 0x58 0x02.
    let mut b = blocks[0][..field_at].to_vec();
    b.extend_from_slice(&[0x58, 0x02, 0, 0]);
    let blocks = [b];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0) + field_at,
        ErrorKind::CrcNotZeroPadded,
    );
    // Not a byte string.
    let mut b = blocks[0][..field_at].to_vec();
    b.push(0x00);
    let blocks = [b];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0) + field_at,
        ErrorKind::UnexpectedType {
            expected: "byte string",
            found: 0,
        },
    );
}

#[test]
fn duplicate_block_numbers() {
    let p = Primary::default().encode();
    let blocks = [block(7, 2, 0, &[0x01]), block(192, 2, 0, b""), payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 1),
        ErrorKind::DuplicateBlockNumber(2),
    );
    // Numbers of 64 and above are recorded apart from the smaller ones (a bit set): both
    // sides of the boundary, and the largest number.
    for n in [63, 64, 1000, u64::MAX] {
        let blocks = [
            block(192, n, 0, b""),
            block(193, 65, 0, b""),
            block(194, n, 0, b""),
            payload(),
        ];
        assert_err(
            &bundle(&p, &blocks),
            block_at(&p, &blocks, 2),
            ErrorKind::DuplicateBlockNumber(n),
        );
    }
    // Number 0 is the primary block's.
    let blocks = [block(192, 0, 0, b""), payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0),
        ErrorKind::DuplicateBlockNumber(0),
    );
}

#[test]
fn payload_must_be_last() {
    let p = Primary::default().encode();
    let blocks = [payload(), block(7, 2, 0, &[0x01])];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 1),
        ErrorKind::PayloadNotLast,
    );
    // Two payload blocks: the second one follows the payload.
    let blocks = [payload(), payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 1),
        ErrorKind::PayloadNotLast,
    );
}

#[test]
fn payload_must_be_present() {
    let p = Primary::default().encode();
    let blocks = [block(7, 2, 0, &[0x01])];
    let b = bundle(&p, &blocks);
    assert_err(&b, b.len() - 1, ErrorKind::MissingPayload);
    // No canonical block at all.
    let b = bundle(&p, &[]);
    assert_err(&b, b.len() - 1, ErrorKind::MissingPayload);
}

#[test]
fn block_one_is_the_payload() {
    let p = Primary::default().encode();
    let blocks = [block(7, 1, 0, &[0x01]), payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0),
        ErrorKind::BlockNumberOneNotPayload,
    );
    let blocks = [block(1, 2, 0, b"x")];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0),
        ErrorKind::BlockNumberOneNotPayload,
    );
}

#[test]
fn trailing_bytes_and_missing_break() {
    let p = Primary::default().encode();
    let mut b = bundle(&p, &[payload()]);
    let end = b.len();
    b.extend_from_slice(&[0x00, 0x00]);
    assert_err(&b, end, ErrorKind::TrailingBytes(2));
    b.truncate(end - 1);
    assert_err(
        &b,
        end - 1,
        ErrorKind::Truncated {
            needed: 1,
            available: 0,
        },
    );
}

#[test]
fn lengths_beyond_the_buffer() {
    let p = Primary::default().encode();
    let mut b = bundle(&p, &[block(1, 1, 0, b"payload")]);
    // The payload byte string 0x47 "payload" claims 100 octets (0x58 0x64) instead.
    let at = b.iter().rposition(|&x| x == 0x47).unwrap();
    b[at] = 0x64;
    b.insert(at, 0x58);
    let e = err(&b);
    assert_eq!(e.offset, at);
    assert!(
        matches!(e.kind, ErrorKind::Truncated { needed: 102, .. }),
        "{e:?}"
    );
    // A byte string claiming 2^64 - 1 octets.
    let mut huge = b[..at].to_vec();
    huge.extend_from_slice(&[0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]);
    assert!(matches!(err(&huge).kind, ErrorKind::Truncated { .. }));
    // Truncated anywhere: always an error, never a panic.
    let good = bundle(&p, &[payload()]);
    for len in 0..good.len() {
        assert!(BundleView::parse(&good[..len]).is_err());
    }
}

#[test]
fn integers_that_do_not_fit() {
    let p = Primary::default().encode();
    // Hop limit 256 does not fit its u8.
    let blocks = [block(10, 2, 0, &[0x82, 0x19, 0x01, 0x00, 0x00]), payload()];
    let data_at = block_at(&p, &blocks, 0) + 6;
    assert_err(
        &bundle(&p, &blocks),
        data_at + 1,
        ErrorKind::IntegerTooLarge,
    );
    // Fragment offset + payload length overflows u64.
    let p = Primary {
        flags: 1,
        fragment: Some((u64::MAX, u64::MAX)),
        ..Primary::default()
    }
    .encode();
    let blocks = [payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0),
        ErrorKind::IntegerTooLarge,
    );
}

#[test]
fn bundle_flag_rules() {
    let cases: [(u64, Eid<'static>, &str); 5] = [
        (
            0x2 | 0x4000,
            NODE1,
            "administrative record requests status reports",
        ),
        (
            0,
            Eid::Null,
            "anonymous bundle without 'must not be fragmented'",
        ),
        (
            0x4 | 0x2_0000,
            Eid::Null,
            "anonymous bundle requests status reports",
        ),
        (0x8, NODE1, "reserved bundle processing control flag set"),
        (
            1 << 40,
            NODE1,
            "reserved bundle processing control flag set",
        ),
    ];
    for (flags, source, rule) in cases {
        let p = Primary {
            flags,
            source,
            ..Primary::default()
        }
        .encode();
        assert_err(&bundle(&p, &[payload()]), 3, ErrorKind::InvalidFlags(rule));
    }
    // Reserved bits are carried when the options allow them.
    let p = Primary {
        flags: 0x8,
        ..Primary::default()
    }
    .encode();
    let options = ParseOptions {
        reject_reserved_flags: false,
        ..ParseOptions::STRICT
    };
    assert!(BundleView::parse_with(&bundle(&p, &[payload()]), &options).is_ok());
}

#[test]
fn block_flag_rules() {
    let p = Primary::default().encode();
    let blocks = [block_items(5, 192, 2, 0x08, 0, b""), payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0),
        ErrorKind::InvalidFlags("reserved block processing control flag set"),
    );
    // §4.2.4: no "report if unprocessable" in an administrative record.
    let p = Primary {
        flags: 0x2,
        ..Primary::default()
    }
    .encode();
    let blocks = [block_items(5, 192, 2, 0x02, 0, b""), payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0),
        ErrorKind::InvalidFlags(
            "status report flag on a block of an administrative record or anonymous bundle",
        ),
    );
}

#[test]
fn primary_crc_required_without_bib() {
    let p = Primary {
        crc: 0,
        ..Primary::default()
    }
    .encode();
    assert_err(
        &bundle(&p, &[payload()]),
        1,
        ErrorKind::MissingCrc("primary block has no CRC and no BIB targets it"),
    );
}

#[test]
fn bundle_age_required_at_creation_time_zero() {
    let p = Primary {
        time: 0,
        ..Primary::default()
    }
    .encode();
    assert_err(&bundle(&p, &[payload()]), 1, ErrorKind::BundleAgeRequired);
    assert!(BundleView::parse(&bundle(&p, &[block(7, 2, 0, &[0x00]), payload()])).is_ok());
}

#[test]
fn node_ids() {
    let p = Primary {
        source: SVC1,
        ..Primary::default()
    }
    .encode();
    // Source follows destination [2, [2, 1]] (5 octets) after 4 octets of head/version/flags/crc.
    assert_err(
        &bundle(&p, &[payload()]),
        1 + 4 + 5,
        ErrorKind::InvalidEid("source is not a node ID"),
    );
    let p = Primary::default().encode();
    let blocks = [
        block(6, 2, 0, &data(BlockData::PreviousNode(SVC1))),
        payload(),
    ];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0) + 6,
        ErrorKind::InvalidEid("previous node is not a node ID"),
    );
}

#[test]
fn single_instance_extension_blocks() {
    let p = Primary::default().encode();
    let hops = data(BlockData::HopCount(HopCount { limit: 5, count: 0 }));
    let blocks = [block(10, 2, 0, &hops), block(10, 3, 0, &hops), payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 1),
        ErrorKind::InvalidBlock("more than one Hop Count block"),
    );
}

#[test]
fn extension_block_data() {
    let p = Primary::default().encode();
    // Bundle Age as a text string.
    let blocks = [block(7, 2, 0, &[0x61, 0x41]), payload()];
    let data_at = block_at(&p, &blocks, 0) + 6;
    assert_err(
        &bundle(&p, &blocks),
        data_at,
        ErrorKind::UnexpectedType {
            expected: "unsigned integer",
            found: 3,
        },
    );
    // Octets after the item.
    let blocks = [block(7, 2, 0, &[0x01, 0x02]), payload()];
    assert_err(
        &bundle(&p, &blocks),
        data_at + 1,
        ErrorKind::InvalidBlock("octets after the block-type-specific data item"),
    );
    // Hop limit 0.
    let blocks = [block(10, 2, 0, &[0x82, 0x00, 0x00]), payload()];
    assert_err(
        &bundle(&p, &blocks),
        data_at + 1,
        ErrorKind::InvalidBlock("hop limit 0 (must be 1..=255)"),
    );
    // Hop count that is not a pair.
    let blocks = [block(10, 2, 0, &[0x81, 0x01]), payload()];
    assert_err(
        &bundle(&p, &blocks),
        data_at,
        ErrorKind::ArrayLength {
            expected: "hop count: [limit, count]",
            found: 1,
        },
    );
}

#[test]
fn bcb_target_data_is_ciphertext() {
    // The same unreadable Bundle Age block is fine once a BCB (type 12) names it as a target.
    let p = Primary::default().encode();
    let bcb = block(12, 3, 0, &[0x81, 0x02, 0x02]);
    let blocks = [block(7, 2, 0, &[0x61, 0x41]), bcb, payload()];
    let bytes = bundle(&p, &blocks);
    let view = BundleView::parse(&bytes).unwrap();
    assert_eq!(view.bundle_age(), None);
    // A BCB naming another block does not excuse it.
    let blocks = [
        block(7, 2, 0, &[0x61, 0x41]),
        block(12, 3, 0, &[0x81, 0x01]),
        payload(),
    ];
    assert!(matches!(
        err(&bundle(&p, &blocks)).kind,
        ErrorKind::UnexpectedType { .. }
    ));
}

#[test]
fn fragment_within_total_adu_length() {
    let p = Primary {
        flags: 1,
        fragment: Some((995, 1000)),
        ..Primary::default()
    }
    .encode();
    let blocks = [payload()];
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, 0),
        ErrorKind::InvalidBlock("fragment extends beyond the total ADU length"),
    );
    let p = Primary {
        flags: 1,
        fragment: Some((993, 1000)),
        ..Primary::default()
    }
    .encode();
    assert!(BundleView::parse(&bundle(&p, &blocks)).is_ok());
}

#[test]
fn block_count_limit() {
    let p = Primary::default().encode();
    let mut blocks: Vec<Vec<u8>> = (0..MAX_CANONICAL_BLOCKS as u64 - 1)
        .map(|i| block(192, i + 2, 0, b""))
        .collect();
    blocks.push(payload());
    assert!(BundleView::parse(&bundle(&p, &blocks)).is_ok());
    blocks.insert(0, block(192, 1000, 0, b""));
    assert_err(
        &bundle(&p, &blocks),
        block_at(&p, &blocks, MAX_CANONICAL_BLOCKS),
        ErrorKind::InvalidBlock("more than MAX_CANONICAL_BLOCKS canonical blocks"),
    );
}

/// The builder refuses, with the parser's error kind, what the parser rejects.
#[test]
fn builder_refuses_what_the_parser_rejects() {
    let primary = PrimaryBlock {
        flags: BundleFlags(0),
        crc_type: CrcType::Crc32C,
        destination: DEST,
        source: NODE1,
        report_to: NODE1,
        creation: CreationTimestamp {
            time: 1000,
            sequence: 0,
        },
        lifetime: 3_600_000,
        fragment: None,
    };
    let pay = CanonicalBlock::payload(b"payload", BlockFlags(0), CrcType::Crc16X25);
    let ext = |ty, number, data| CanonicalBlock {
        block_type: ty,
        number,
        flags: BlockFlags(0),
        crc_type: CrcType::None,
        data,
    };
    let age = [0x01];
    let kind = |b: BundleBuilder<'_>| b.to_vec().unwrap_err().kind;
    assert!(BundleBuilder::new(primary).block(pay).to_vec().is_ok());
    assert_eq!(kind(BundleBuilder::new(primary)), ErrorKind::MissingPayload);
    assert_eq!(
        kind(
            BundleBuilder::new(primary)
                .block(pay)
                .block(ext(7, 2, &age))
        ),
        ErrorKind::PayloadNotLast
    );
    assert_eq!(
        kind(
            BundleBuilder::new(primary)
                .block(ext(7, 2, &age))
                .block(ext(8, 2, &[]))
                .block(pay)
        ),
        ErrorKind::DuplicateBlockNumber(2)
    );
    assert_eq!(
        kind(BundleBuilder::new(primary).block(ext(7, 1, &age))),
        ErrorKind::BlockNumberOneNotPayload
    );
    assert_eq!(
        kind(
            BundleBuilder::new(primary)
                .block(ext(7, 2, &[0x61, 0x41]))
                .block(pay)
        ),
        ErrorKind::UnexpectedType {
            expected: "unsigned integer",
            found: 3
        }
    );
    let anonymous = PrimaryBlock {
        source: Eid::Null,
        ..primary
    };
    assert!(matches!(
        kind(BundleBuilder::new(anonymous).block(pay)),
        ErrorKind::InvalidFlags(_)
    ));
    let timeless = PrimaryBlock {
        creation: CreationTimestamp {
            time: 0,
            sequence: 0,
        },
        ..primary
    };
    assert_eq!(
        kind(BundleBuilder::new(timeless).block(pay)),
        ErrorKind::BundleAgeRequired
    );
    let unprotected = PrimaryBlock {
        crc_type: CrcType::None,
        ..primary
    };
    assert!(matches!(
        kind(BundleBuilder::new(unprotected).block(pay)),
        ErrorKind::MissingCrc(_)
    ));
    let fragment = PrimaryBlock {
        flags: BundleFlags::IS_FRAGMENT,
        fragment: Some(FragmentInfo {
            offset: 10,
            total_adu_length: 12,
        }),
        ..primary
    };
    assert!(matches!(
        kind(BundleBuilder::new(fragment).block(pay)),
        ErrorKind::InvalidBlock(_)
    ));
    let half = PrimaryBlock {
        fragment: fragment.fragment,
        ..primary
    };
    assert!(matches!(
        kind(BundleBuilder::new(half).block(pay)),
        ErrorKind::InvalidFlags(_)
    ));
    let reserved = CanonicalBlock {
        flags: BlockFlags(0x40),
        ..ext(192, 2, &[])
    };
    assert!(matches!(
        kind(BundleBuilder::new(primary).block(reserved).block(pay)),
        ErrorKind::InvalidFlags(_)
    ));
}
