//! Known-answer and rejection tests for TC Transfer Frames (CCSDS 232.0-B-4 §4.1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_core::crc16_ccitt;
use ccsds_tc::frame::{
    ControlCommand, FrameConfig, FrameType, SegmentHeader, SequenceFlags, TcFrame, TcFrameRepr,
};
use ccsds_tc::{Error, ErrorKind, MapId, Scid, Vcid};

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Recomputes the FECF of a hand-edited frame.
fn refecf(mut frame: Vec<u8>) -> Vec<u8> {
    let n = frame.len() - 2;
    let crc = crc16_ccitt(&frame[..n]);
    frame[n..].copy_from_slice(&crc.to_be_bytes());
    frame
}

const SEG_FECF: FrameConfig = FrameConfig {
    segment_header: true,
    fecf: true,
};
const PLAIN: FrameConfig = FrameConfig {
    segment_header: false,
    fecf: false,
};

/// Source: dariol83/ccsds TcTransferFrameTest.FIRST_FRAME
/// (eu.dariolucia.ccsds.tmtc/src/test/java/.../TcTransferFrameTest.java@8c1f966f,
/// vectors/ccsds/dariol83_ccsds.json "dariol83.TcTransferFrameTest.FIRST_FRAME").
const DARIOL83_FIRST_FRAME: &str = "207B001717C1000102030405060708090A0B0C0D0E0F0DEF";

#[test]
fn dariol83_first_frame_decodes_and_reencodes() {
    let bytes = hex(DARIOL83_FIRST_FRAME);
    let frame = TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap();
    assert_eq!(frame.version(), 0);
    assert_eq!(frame.frame_type().unwrap(), FrameType::Bd);
    assert_eq!(frame.scid().get(), 123);
    assert_eq!(frame.vcid().get(), 0);
    assert_eq!(frame.frame_length(), 23);
    assert_eq!(frame.total_len(), 24);
    assert_eq!(frame.sequence_number(), 23);
    assert_eq!(
        frame.segment_header(),
        Some(SegmentHeader {
            sequence_flags: SequenceFlags::Unsegmented,
            map_id: MapId::new(1).unwrap(),
        })
    );
    assert_eq!(frame.data(), (0u8..16).collect::<Vec<_>>());
    assert_eq!(frame.fecf(), Some(0x0DEF));

    let repr = TcFrameRepr::parse(&frame).unwrap();
    let mut out = [0u8; 64];
    let n = repr.emit(frame.data(), &mut out).unwrap();
    assert_eq!(&out[..n], &bytes[..]);
}

/// CryptoLib frames (vectors/ccsds/nasa_cryptolib.json) whose FECF the vector file verified.
/// Their segment header `FF` (unsegmented, MAP 63) is followed by an SDLS security header,
/// which is frame data at this layer.
#[test]
fn cryptolib_frames_decode() {
    let cases: [(&str, &str, u8, usize); 3] = [
        (
            // nasa/CryptoLib:test/unit/et_dt_validation.c@d3ccd23a (ET_VALIDATION.AUTH_ENCRYPTION_TEST)
            "et_dt_validation.ET_VALIDATION.AUTH_ENCRYPTION_TEST.activate_sa4_h",
            "2003002000ff000100011880d2c9000e197f0b001b0004000400003040d95ecbc2",
            0,
            33,
        ),
        (
            // nasa/CryptoLib:test/unit/et_dt_validation.c@d3ccd23a (ET_VALIDATION.AUTH_ENCRYPTION_TEST)
            "et_dt_validation.ET_VALIDATION.AUTH_ENCRYPTION_TEST.enc_test_ping_h",
            "2003041600ff1880d2ca0008197f0b0031000039c5082d",
            1,
            23,
        ),
        (
            // nasa/CryptoLib:test/unit/ut_tc_process.c@2a237a3f (TC_PROCESS.EXERCISE_IV)
            "ut_tc_process.TC_PROCESS.EXERCISE_IV.buffer_good_iv_h",
            "2003002500FF0009B6AC8E4963F49207FFD6374C1224DFEFB72A20D49E09256908874979AD6F",
            0,
            38,
        ),
    ];
    for (name, frame_hex, vc, len) in cases {
        let bytes = hex(frame_hex);
        let frame =
            TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(frame.frame_type().unwrap(), FrameType::Bd, "{name}");
        assert_eq!(frame.scid().get(), 3, "{name}");
        assert_eq!(frame.vcid().get(), vc, "{name}");
        assert_eq!(frame.total_len(), len, "{name}");
        assert_eq!(frame.sequence_number(), 0, "{name}");
        let seg = frame.segment_header().unwrap();
        assert_eq!(seg.sequence_flags, SequenceFlags::Unsegmented, "{name}");
        assert_eq!(seg.map_id, MapId::MAX, "{name}");
        assert_eq!(frame.data(), &bytes[6..len - 2], "{name}");
        let repr = TcFrameRepr::parse(&frame).unwrap();
        let mut out = [0u8; 64];
        let n = repr.emit(frame.data(), &mut out).unwrap();
        assert_eq!(&out[..n], &bytes[..], "{name}");
    }
}

/// Hand-worked from the layout of 232.0-B-4 §4.1.2 (Figure 4-2) and §4.1.3.2:
///
/// ```text
/// octet 0  00 0 0 00 01      version 00, bypass 0, control 0 (AD), spare 00, SCID bits 9..8 = 01
/// octet 1  0101 0101         SCID bits 7..0 → SCID = 0x155 = 341
/// octet 2  000101 00         VCID = 5, frame length bits 9..8 = 00
/// octet 3  0000 1010         frame length = 10 → 11 octets
/// octet 4  0111 1111         N(S) = 127
/// octet 5  01 101010         segment header: first segment, MAP 42
/// octet 6..8  DE AD BE       data
/// octet 9..10 1A 90          FECF = CRC-16/CCITT-FALSE of octets 0..8 (§4.1.4.2)
/// ```
#[test]
fn hand_worked_ad_frame() {
    let bytes = [
        0x01, 0x55, 0x14, 0x0A, 0x7F, 0x6A, 0xDE, 0xAD, 0xBE, 0x1A, 0x90,
    ];
    let repr = TcFrameRepr {
        frame_type: FrameType::Ad,
        scid: Scid::new(341).unwrap(),
        vcid: Vcid::new(5).unwrap(),
        sequence_number: 127,
        segment: Some(SegmentHeader {
            sequence_flags: SequenceFlags::First,
            map_id: MapId::new(42).unwrap(),
        }),
        fecf: true,
    };
    let frame = TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap();
    assert_eq!(TcFrameRepr::parse(&frame).unwrap(), repr);
    assert_eq!(frame.data(), [0xDE, 0xAD, 0xBE]);
    assert_eq!(repr.buffer_len(3), 11);
    let mut out = [0u8; 11];
    assert_eq!(repr.emit(&[0xDE, 0xAD, 0xBE], &mut out), Ok(11));
    assert_eq!(out, bytes);
}

/// A BC frame (bypass 1, control 1) carrying Set V(R) = 5: no segment header even on a VC
/// that has them (§4.1.3.2.1), so the data field starts at octet 5.
#[test]
fn bc_frame_set_vr() {
    let bytes = [0x30, 0x7B, 0x00, 0x09, 0x00, 0x82, 0x00, 0x05, 0x15, 0x4F];
    let frame = TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap();
    assert_eq!(frame.frame_type().unwrap(), FrameType::Bc);
    assert_eq!(frame.segment_header(), None);
    assert_eq!(frame.control_command_data(), Ok(ControlCommand::SetVr(5)));
    let repr = TcFrameRepr::parse(&frame).unwrap();
    assert_eq!(repr.segment, None);
    let mut cmd = [0u8; 3];
    ControlCommand::SetVr(5).emit(&mut cmd).unwrap();
    let mut out = [0u8; 16];
    let n = repr.emit(&cmd, &mut out).unwrap();
    assert_eq!(&out[..n], &bytes[..]);
}

fn err(offset: usize, field: &'static str, kind: ErrorKind) -> Error {
    Error::new(offset, field, kind)
}

#[test]
fn rejects_truncated_header() {
    let e = TcFrame::new_checked(&[0x20, 0x7B, 0x00, 0x17][..], PLAIN).unwrap_err();
    assert_eq!(
        e,
        err(
            0,
            "primary_header",
            ErrorKind::Truncated {
                needed: 5,
                available: 4
            }
        )
    );
}

#[test]
fn rejects_version() {
    let mut bytes = hex(DARIOL83_FIRST_FRAME);
    bytes[0] |= 0x40; // version 01
    let e = TcFrame::new_checked(refecf(bytes), SEG_FECF).unwrap_err();
    assert_eq!(
        e,
        err(
            0,
            "transfer_frame_version_number",
            ErrorKind::InvalidValue { value: 1 }
        )
    );
}

#[test]
fn rejects_length_field_mismatch() {
    let mut longer = hex(DARIOL83_FIRST_FRAME);
    longer.push(0x55); // e.g. a CLTU fill octet left behind
    let e = TcFrame::new_checked(&longer[..], SEG_FECF).unwrap_err();
    let kind = ErrorKind::LengthMismatch {
        declared: 24,
        actual: 25,
    };
    assert_eq!(e, err(2, "frame_length", kind));

    let shorter = hex(DARIOL83_FIRST_FRAME);
    let e = TcFrame::new_checked(&shorter[..23], SEG_FECF).unwrap_err();
    let kind = ErrorKind::LengthMismatch {
        declared: 24,
        actual: 23,
    };
    assert_eq!(e, err(2, "frame_length", kind));
}

#[test]
fn rejects_frame_over_1024_octets() {
    // Length field at its maximum (1023 → 1024 octets), buffer one octet longer.
    let mut bytes = vec![0u8; 1025];
    bytes[..5].copy_from_slice(&[0x20, 0x7B, 0x03, 0xFF, 0x00]);
    let e = TcFrame::new_checked(&bytes[..], PLAIN).unwrap_err();
    let kind = ErrorKind::LengthMismatch {
        declared: 1024,
        actual: 1025,
    };
    assert_eq!(e, err(2, "frame_length", kind));
    assert!(TcFrame::new_checked(&bytes[..1024], PLAIN).is_ok());
}

#[test]
fn rejects_frame_without_data() {
    // Header + segment header only (frame length 5 → 6 octets): no data octet (§4.1.3.1.3).
    let bytes = [0x20, 0x7B, 0x00, 0x05, 0x00, 0xC1];
    let cfg = FrameConfig {
        segment_header: true,
        fecf: false,
    };
    let e = TcFrame::new_checked(&bytes[..], cfg).unwrap_err();
    assert_eq!(
        e,
        err(
            6,
            "frame_data_field",
            ErrorKind::Truncated {
                needed: 7,
                available: 6
            }
        )
    );
    // Header + segment header + FECF only: 8 octets, 9 needed.
    let bytes = refecf(vec![0x20, 0x7B, 0x00, 0x07, 0x00, 0xC1, 0, 0]);
    let e = TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap_err();
    assert_eq!(
        e,
        err(
            6,
            "frame_data_field",
            ErrorKind::Truncated {
                needed: 9,
                available: 8
            }
        )
    );
    // Just a primary header on a plain channel.
    let e = TcFrame::new_checked(&[0x20, 0x7B, 0x00, 0x04, 0x00][..], PLAIN).unwrap_err();
    assert_eq!(
        e,
        err(
            5,
            "frame_data_field",
            ErrorKind::Truncated {
                needed: 6,
                available: 5
            }
        )
    );
}

#[test]
fn rejects_bad_fecf() {
    let mut bytes = hex(DARIOL83_FIRST_FRAME);
    bytes[23] ^= 0x01; // 0x0DEF → 0x0DEE
    let e = TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap_err();
    let kind = ErrorKind::Checksum {
        received: 0x0DEE,
        computed: 0x0DEF,
    };
    assert_eq!(e, err(22, "frame_error_control_field", kind));
    // A data error is caught the same way.
    let mut bytes = hex(DARIOL83_FIRST_FRAME);
    bytes[10] ^= 0x80;
    let e = TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap_err();
    assert!(matches!(
        e.kind,
        ErrorKind::Checksum {
            received: 0x0DEF,
            ..
        }
    ));
    assert_eq!((e.offset, e.field), (22, "frame_error_control_field"));
}

#[test]
fn rejects_spare_bits() {
    let mut bytes = hex(DARIOL83_FIRST_FRAME);
    bytes[0] |= 0x0C; // reserved spare 11
    let e = TcFrame::new_checked(refecf(bytes), SEG_FECF).unwrap_err();
    assert_eq!(
        e,
        err(0, "reserved_spare", ErrorKind::InvalidValue { value: 3 })
    );
}

#[test]
fn rejects_control_command_without_bypass() {
    let mut bytes = hex(DARIOL83_FIRST_FRAME);
    bytes[0] = (bytes[0] & !0x30) | 0x10; // bypass 0, control 1
    let e = TcFrame::new_checked(refecf(bytes), SEG_FECF).unwrap_err();
    assert_eq!(
        e,
        err(
            0,
            "control_command_flag",
            ErrorKind::InvalidValue { value: 1 }
        )
    );
}

fn bd_repr(segment: Option<SegmentHeader>) -> TcFrameRepr {
    TcFrameRepr {
        frame_type: FrameType::Bd,
        scid: Scid::new(123).unwrap(),
        vcid: Vcid::new(0).unwrap(),
        sequence_number: 0,
        segment,
        fecf: true,
    }
}

#[test]
fn emit_refuses_what_check_rejects() {
    let seg = SegmentHeader {
        sequence_flags: SequenceFlags::Unsegmented,
        map_id: MapId::new(1).unwrap(),
    };
    let mut out = [0u8; 1100];
    // Empty data field.
    assert_eq!(
        bd_repr(Some(seg)).emit(&[], &mut out),
        Err(err(
            6,
            "frame_data_field",
            ErrorKind::InvalidValue { value: 0 }
        ))
    );
    // 1017 data octets + 8 header/FECF octets = 1025 > 1024.
    let repr = bd_repr(Some(seg));
    assert_eq!(repr.max_data_len(), 1016);
    assert_eq!(
        repr.emit(&[0; 1017], &mut out),
        Err(err(
            2,
            "frame_length",
            ErrorKind::InvalidValue { value: 1024 }
        ))
    );
    assert_eq!(repr.emit(&[0; 1016], &mut out), Ok(1024));
    // A segment header on a BC frame.
    let bc = TcFrameRepr {
        frame_type: FrameType::Bc,
        ..bd_repr(Some(seg))
    };
    assert_eq!(
        bc.emit(&[0], &mut out),
        Err(err(
            5,
            "segment_header",
            ErrorKind::InvalidValue { value: 0xC1 }
        ))
    );
    // Destination too small.
    assert_eq!(
        bd_repr(None).emit(&[1, 2, 3], &mut out[..9]),
        Err(err(
            0,
            "transfer_frame",
            ErrorKind::BufferTooSmall {
                needed: 10,
                available: 9
            }
        ))
    );
}

#[test]
fn setters_and_fill_fecf() {
    let mut bytes = hex(DARIOL83_FIRST_FRAME);
    let mut frame = TcFrame::new_unchecked_with(&mut bytes[..], SEG_FECF);
    frame.set_sequence_number(24).unwrap();
    frame.set_vcid(Vcid::new(7).unwrap()).unwrap();
    frame
        .set_segment_header(SegmentHeader {
            sequence_flags: SequenceFlags::Last,
            map_id: MapId::new(9).unwrap(),
        })
        .unwrap();
    frame.data_mut()[0] = 0xAA;
    assert!(frame.check().is_err()); // stale FECF
    frame.fill_fecf().unwrap();
    let frame = TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap();
    assert_eq!(frame.sequence_number(), 24);
    assert_eq!(frame.vcid().get(), 7);
    assert_eq!(frame.segment_header().unwrap().map_id.get(), 9);
    assert_eq!(frame.data()[0], 0xAA);
    // Length field above 1023 is refused, not truncated.
    let mut bytes = hex(DARIOL83_FIRST_FRAME);
    let mut frame = TcFrame::new_unchecked(&mut bytes[..]);
    assert_eq!(
        frame.set_frame_length(1024),
        Err(err(
            2,
            "frame_length",
            ErrorKind::InvalidValue { value: 1024 }
        ))
    );
    // A channel without segment headers has no place for one.
    assert!(
        frame
            .set_segment_header(SegmentHeader::from_octet(0xC1))
            .is_err()
    );
    // Setters on a buffer too short for the header.
    let mut short = [0u8; 3];
    assert!(
        TcFrame::new_unchecked(&mut short[..])
            .set_sequence_number(1)
            .is_err()
    );
}

#[test]
fn control_commands_round_trip() {
    for (cmd, wire) in [
        (ControlCommand::Unlock, &[0x00][..]),
        (ControlCommand::SetVr(0), &[0x82, 0x00, 0x00][..]),
        (ControlCommand::SetVr(0xFF), &[0x82, 0x00, 0xFF][..]),
    ] {
        assert_eq!(ControlCommand::parse(wire), Ok(cmd));
        let mut out = [0u8; 3];
        let n = cmd.emit(&mut out).unwrap();
        assert_eq!(&out[..n], wire);
        assert_eq!(cmd.buffer_len(), n);
    }
    let mut small = [0u8; 2];
    assert_eq!(
        ControlCommand::SetVr(1).emit(&mut small),
        Err(err(
            0,
            "control_command",
            ErrorKind::BufferTooSmall {
                needed: 3,
                available: 2
            }
        ))
    );
}

#[test]
fn control_commands_reject_bad_data() {
    let cases: [(&[u8], Error); 6] = [
        (
            &[],
            err(
                0,
                "control_command",
                ErrorKind::Truncated {
                    needed: 1,
                    available: 0,
                },
            ),
        ),
        (
            &[0x00, 0x00],
            err(
                0,
                "control_command",
                ErrorKind::LengthMismatch {
                    declared: 1,
                    actual: 2,
                },
            ),
        ),
        (
            &[0x82, 0x00],
            err(
                0,
                "control_command",
                ErrorKind::LengthMismatch {
                    declared: 3,
                    actual: 2,
                },
            ),
        ),
        (
            &[0x82, 0x00, 0x05, 0x06],
            err(
                0,
                "control_command",
                ErrorKind::LengthMismatch {
                    declared: 3,
                    actual: 4,
                },
            ),
        ),
        (
            &[0x82, 0x01, 0x05],
            err(1, "control_command", ErrorKind::InvalidValue { value: 1 }),
        ),
        (
            &[0x81],
            err(
                0,
                "control_command",
                ErrorKind::InvalidValue { value: 0x81 },
            ),
        ),
    ];
    for (data, expected) in cases {
        assert_eq!(ControlCommand::parse(data), Err(expected), "{data:02x?}");
    }
}

#[test]
fn bc_frame_with_bad_command_reports_frame_offset() {
    // BC frame whose data field (at octet 5) is 82 01 05: bad second octet at frame offset 6.
    let bytes = [0x30, 0x7B, 0x00, 0x07, 0x00, 0x82, 0x01, 0x05];
    let frame = TcFrame::new_checked(&bytes[..], PLAIN).unwrap();
    assert_eq!(
        frame.control_command_data(),
        Err(err(
            6,
            "control_command",
            ErrorKind::InvalidValue { value: 1 }
        ))
    );
    // A data (BD) frame carries no control command.
    let bytes = hex(DARIOL83_FIRST_FRAME);
    let frame = TcFrame::new_checked(&bytes[..], SEG_FECF).unwrap();
    assert!(frame.control_command_data().is_err());
}
