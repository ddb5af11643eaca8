//! Known-answer tests from external implementations (see ../shared/vectors/ccsds/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_spp::{Apid, PacketType, PrimaryHeader, SequenceFlags, SpacePacket};

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn header(
    t: PacketType,
    sh: bool,
    apid: u16,
    flags: SequenceFlags,
    count: u16,
    len: u16,
) -> PrimaryHeader {
    PrimaryHeader {
        version: 0,
        packet_type: t,
        secondary_header: sh,
        apid: Apid::new(apid).unwrap(),
        sequence_flags: flags,
        sequence_count: count,
        packet_data_length: len,
    }
}

/// Each header must decode to the fields and the fields must encode back to the bytes.
fn check(hex_header: &str, expected: PrimaryHeader) {
    let bytes = hex(hex_header);
    assert_eq!(
        PrimaryHeader::parse_bytes(&bytes).unwrap(),
        expected,
        "{hex_header}"
    );
    let mut out = [0u8; 6];
    expected.emit(&mut out).unwrap();
    assert_eq!(out.as_slice(), bytes.as_slice(), "{hex_header}");
}

#[test]
fn spacepackets_py_headers() {
    // source: us-irs/spacepackets-py@b9c6bb15 tests/test_space_packet.py (sp_header_tc_first_segment)
    check(
        "180240340016",
        header(
            PacketType::Telecommand,
            true,
            2,
            SequenceFlags::First,
            0x34,
            0x16,
        ),
    );
}

#[test]
fn spacepackets_py_all_ones_is_rejected_as_idle_with_secondary_header() {
    // source: us-irs/spacepackets-py@b9c6bb15 (sp_header_all_ones): APID 0x7FF with the secondary
    // header flag set. spacepackets accepts it; 133.0-B-2 §4.1.3.3.3.4 forbids a secondary header
    // in an idle packet, so we follow the spec and reject it (disagreement noted here).
    let e = PrimaryHeader::parse_bytes(&hex("1fffffffffff")).unwrap_err();
    assert_eq!(e.field, "secondary_header_flag");
}

#[test]
fn spacepackets_rs_headers() {
    // source: us-irs/spacepackets-rs@0180918c src/lib.rs test_serde_sph / test_zc_sph
    check(
        "1042c00c0000",
        header(
            PacketType::Telecommand,
            false,
            0x42,
            SequenceFlags::Unsegmented,
            12,
            0,
        ),
    );
    check(
        "0007c0160024",
        header(
            PacketType::Telemetry,
            false,
            7,
            SequenceFlags::Unsegmented,
            22,
            36,
        ),
    );
    check(
        "17ffffff0000",
        header(
            PacketType::Telecommand,
            false,
            0x7FF,
            SequenceFlags::Unsegmented,
            0x3FFF,
            0,
        ),
    );
}

#[test]
fn whole_packets() {
    // source: us-irs/spacepackets-py@b9c6bb15 (space_packet_tc_unseg_3_bytes)
    let p = hex("1002c0340002000102");
    let v = SpacePacket::new_checked(&p[..]).unwrap();
    assert_eq!(
        (v.apid().get(), v.sequence_count(), v.data()),
        (2, 0x34, &[0u8, 1, 2][..])
    );
    // source: us-irs/spacepackets-rs@0180918c (creator_with_checksum_residue): packet with a PUS
    // CRC-16 over header + data; the residue of the CRC over the whole packet is zero.
    let p = hex("0001c0000005010203042f1f");
    let v = SpacePacket::new_checked(&p[..]).unwrap();
    assert_eq!(v.data(), &[1, 2, 3, 4, 0x2f, 0x1f]);
    assert_eq!(ccsds_core::crc16_ccitt(&p), 0);
    // source: dariol83/ccsds@8c1f966f SpacePacketTest.SP1_DUMP: TM, secondary header, APID 123,
    // count 2312, length field 113 → 120 octets in all (data: 01 01 then zeros).
    let mut p = hex("087BC9080071");
    p.extend_from_slice(&[1, 1]);
    p.resize(120, 0);
    let v = SpacePacket::new_checked(&p[..]).unwrap();
    assert_eq!(
        PrimaryHeader::parse(&v).unwrap(),
        header(
            PacketType::Telemetry,
            true,
            123,
            SequenceFlags::Unsegmented,
            2312,
            113
        )
    );
}

#[test]
fn hand_worked_header() {
    // 133.0-B-2 §4.1.3 worked by hand: version 000, type 1 (TC), sec hdr 0, APID 0x5A5
    // → 0001 0101 1010 0101 = 0x15A5; flags 01 (first), count 0x0123 → 0100 0001 0010 0011 = 0x4123;
    // length 0x00FF.
    check(
        "15a5412300ff",
        header(
            PacketType::Telecommand,
            false,
            0x5A5,
            SequenceFlags::First,
            0x123,
            0xFF,
        ),
    );
}
