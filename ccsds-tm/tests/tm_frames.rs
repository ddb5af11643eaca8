//! TM Transfer Frames (CCSDS 132.0-B-3): known-answer vectors from other implementations, one
//! test per rejection rule, and property tests (`parse(emit(repr)) == repr`, no input panics).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use ccsds_tm::ocf::Ocf;
use ccsds_tm::tm::{
    DEFAULT_IDLE_PATTERN, DataFieldContent, FirstHeaderPointer, MAX_FRAME_LEN, TmConfig, TmFrame,
    TmFrameRepr,
};
use ccsds_tm::{Clcw, Error, ErrorKind, Scid, Vcid};
use common::{assert_checksum_error, fix_fecf, ocf, unhex};
use proptest::prelude::*;

fn config(frame: &[u8], fecf: bool) -> TmConfig {
    TmConfig {
        frame_len: frame.len(),
        fecf,
    }
}

/// dariol83/ccsds@8c1f966f TmTransferFrameTest.FIRST_FRAME / SECOND_FRAME
/// (eu.dariolucia.ccsds.tmtc/src/test/java/.../datalink/pdu/TmTransferFrameTest.java,
/// testTmTransferFrameDecoding; decoded there with fecfPresent = false).
#[test]
fn dariol83_frames() {
    for (hex, mcfc, vcfc, fhp, ocf) in [
        (TM_FIRST_FRAME, 3, 178, 670, [0x00, 0x02, 0xA6, 0x89]),
        (TM_SECOND_FRAME, 5, 179, 183, [0x00, 0x02, 0xD0, 0xD4]),
    ] {
        let bytes = unhex(hex);
        assert_eq!(bytes.len(), 1115);
        let frame = TmFrame::new_checked(&bytes[..], config(&bytes, false)).unwrap();
        assert_eq!(frame.version(), 0);
        assert_eq!(frame.scid(), Scid::new(123).unwrap());
        assert_eq!(frame.vcid(), Vcid::new(2).unwrap());
        assert!(frame.ocf_flag());
        assert_eq!(
            (frame.mc_frame_count(), frame.vc_frame_count()),
            (mcfc, vcfc)
        );
        assert!(frame.secondary_header_flag());
        assert!(!frame.sync_flag() && !frame.packet_order());
        assert_eq!(frame.segment_length_id(), 3);
        assert_eq!(
            frame.data_field_content(),
            DataFieldContent::Packets(FirstHeaderPointer::Offset(fhp))
        );
        // Secondary header: version 0, length field 3 → 4 octets in all.
        assert_eq!(frame.secondary_header_version(), Some(0));
        assert_eq!(frame.secondary_header_len(), 4);
        assert_eq!(frame.secondary_header().unwrap().len(), 3);
        assert_eq!(frame.data_offset(), 10);
        assert_eq!(frame.data().len(), 1115 - 10 - 4);
        assert_eq!(frame.ocf_bytes(), Some(ocf));
        assert_eq!(frame.fecf(), None);
        // The CLCWs carry `10` in their reserved spare bits (dariol83's "non-standard" CLCW);
        // 232.0-B-4 §4.2.1 fixes them at `00`, so decoding the OCF, and hence the Repr, fails
        // there (disagreement with the peer, following the spec).
        let err = frame.ocf().unwrap_err();
        assert_eq!((err.offset, err.field), (1115 - 4 + 1, "reserved_spare"));
        assert_eq!(TmFrameRepr::parse(&frame), Err(err));
    }
}

/// us-irs/spacepackets-py@b9c6bb15 tests/ccsds/test_tm_frame.py, the five
/// test_pack_unpack_transfer_frame_* frames (SCID 3, VC 7, FHP 0x7FE, data 000102, secondary
/// header data `05`, OCF `10000000`).
#[test]
fn spacepackets_py_frames() {
    let clcw = Ocf::Clcw(Clcw {
        status: 4,
        ..Clcw::default()
    });
    for (hex, secondary_header, ocf, fecf) in [
        ("003f00009ffe010500010210000000626a", true, true, true),
        ("003e00009ffe01050001024273", true, false, true),
        ("003f00001ffe0001021000000060ad", false, true, true),
        ("003e00001ffe0001028f78", false, false, true),
        ("003e00001ffe000102", false, false, false),
    ] {
        let bytes = unhex(hex);
        let frame = TmFrame::new_checked(&bytes[..], config(&bytes, fecf)).unwrap();
        let repr = TmFrameRepr::parse(&frame).unwrap();
        let expected = TmFrameRepr {
            scid: Scid::new(3).unwrap(),
            vcid: Vcid::new(7).unwrap(),
            mc_frame_count: 0,
            vc_frame_count: 0,
            secondary_header: secondary_header.then_some(&[0x05][..]),
            content: DataFieldContent::IDLE,
            ocf: ocf.then_some(clcw),
            fecf,
        };
        assert_eq!(repr, expected, "{hex}");
        assert_eq!(frame.data(), [0, 1, 2]);
        let mut out = vec![0u8; bytes.len()];
        assert_eq!(expected.emit(&[0, 1, 2], &mut out), Ok(bytes.len()));
        assert_eq!(out, bytes);
    }
}

/// us-irs/spacepackets-py@b9c6bb15 tests/ccsds/test_tm_frame.py,
/// test_unpack_transfer_frame_invalid_fefc: FECF 0x814A is right, 0x0123 must be refused. The
/// frame has 4 data octets `00000102` before the OCF `01000000` (a CLCW with COP-1 in effect).
#[test]
fn spacepackets_py_invalid_fecf() {
    let good = unhex("003f00001ffe0000010201000000814a");
    let frame = TmFrame::new_checked(&good[..], config(&good, true)).unwrap();
    assert_eq!(frame.data(), [0, 0, 1, 2]);
    assert_eq!(frame.fecf(), Some(0x814A));
    let Ok(Some(Ocf::Clcw(clcw))) = frame.ocf() else {
        panic!("expected a CLCW")
    };
    assert_eq!(clcw.cop_in_effect, Clcw::COP_1);
    let bad = unhex("003f00001ffe00000102010000000123");
    assert_eq!(
        TmFrame::new_checked(&bad[..], config(&bad, true)).unwrap_err(),
        Error::new(
            14,
            "frame_error_control_field",
            ErrorKind::Checksum {
                received: 0x0123,
                computed: 0x814A
            }
        )
    );
}

/// nasa/CryptoLib@b4a50371 test/unit/ut_tm_process.c, UTEST(TM_PROCESS_SECURITY,
/// HAPPY_PATH_CLEAR_FECF) and UTEST(TM_PROCESS_SECURITY, NO_CONFIG): the plain primary headers
/// of two 1786-octet SDLS frames (only the first 16 octets are copied here; the rest is an
/// `AABB` filler and an FECF). SCID 0x2C (the test's managed parameters), VC 0, no OCF, no
/// secondary header, packets with the first header pointer at 0, then the SPI (5, resp. 12).
#[test]
fn cryptolib_headers() {
    for (hex, spi) in [
        ("02C000001800000508010000000F0011", 5),
        ("02C000001800000C08010000000F0011", 12),
    ] {
        let bytes = unhex(hex);
        let frame = TmFrame::new_unchecked(
            &bytes[..],
            TmConfig {
                frame_len: 1786,
                fecf: true,
            },
        );
        assert_eq!(frame.version(), 0);
        assert_eq!(frame.scid(), Scid::new(0x2C).unwrap());
        assert_eq!(frame.vcid(), Vcid::new(0).unwrap());
        assert!(!frame.ocf_flag() && !frame.secondary_header_flag());
        assert_eq!((frame.mc_frame_count(), frame.vc_frame_count()), (0, 0));
        assert_eq!(
            frame.data_field_content(),
            DataFieldContent::Packets(FirstHeaderPointer::Offset(0))
        );
        assert_eq!(frame.data_offset(), 6);
        assert_eq!(u16::from_be_bytes([bytes[6], bytes[7]]), spi);
        // The buffer is not the channel's frame length.
        assert_eq!(
            frame.check().unwrap_err().kind,
            ErrorKind::LengthMismatch {
                declared: 1786,
                actual: 16
            }
        );
    }
}

/// A valid frame to corrupt: secondary header (2 data octets), 8 data octets, OCF, FECF.
fn sample(content: DataFieldContent) -> (Vec<u8>, TmConfig) {
    let repr = TmFrameRepr {
        scid: Scid::new(0x123).unwrap(),
        vcid: Vcid::new(5).unwrap(),
        mc_frame_count: 9,
        vc_frame_count: 10,
        secondary_header: Some(&[0xAB, 0xCD]),
        content,
        ocf: Some(Ocf::Type2([0x80, 1, 2, 3])),
        fecf: true,
    };
    let mut buf = vec![0u8; repr.buffer_len(8)];
    repr.emit(&[1, 2, 3, 4, 5, 6, 7, 8], &mut buf).unwrap();
    let cfg = repr.config(8);
    (buf, cfg)
}

/// Sets `mask` bits of octet `at` to `value` and recomputes the FECF.
fn patch(frame: &mut [u8], at: usize, mask: u8, value: u8) {
    frame[at] = (frame[at] & !mask) | value;
    fix_fecf(frame);
}

fn check(frame: &[u8], cfg: TmConfig) -> Error {
    TmFrame::new_checked(frame, cfg).unwrap_err()
}

#[test]
fn rejections() {
    let (good, cfg) = sample(DataFieldContent::Packets(FirstHeaderPointer::Offset(7)));
    assert_eq!(good.len(), 6 + 3 + 8 + 4 + 2);
    assert!(TmFrame::new_checked(&good[..], cfg).is_ok());

    // §4.1.1: frame length over 2048, and a buffer that is not the channel's frame length.
    let big = TmConfig {
        frame_len: 2049,
        fecf: false,
    };
    assert_eq!(
        check(&vec![0; 2049], big),
        Error::invalid(0, "transfer_frame_length", 2049)
    );
    assert_eq!(
        check(&good[..22], cfg),
        Error::length_mismatch(0, "transfer_frame", 23, 22)
    );
    // Shorter than the primary header (plus FECF).
    let tiny = TmConfig {
        frame_len: 7,
        fecf: true,
    };
    assert_eq!(
        check(&good[..7], tiny),
        Error::truncated(0, "primary_header", 8, 7)
    );
    // §4.1.2.2.2: version 00.
    let mut f = good.clone();
    patch(&mut f, 0, 0xC0, 0x40);
    assert_eq!(
        check(&f, cfg),
        Error::invalid(0, "transfer_frame_version_number", 1)
    );
    // §4.1.6.2: FECF.
    let mut f = good.clone();
    f[12] ^= 1;
    assert_checksum_error(check(&f, cfg), 21, "frame_error_control_field");
    // §4.1.3.2.2: secondary header version 00.
    let mut f = good.clone();
    patch(&mut f, 6, 0xC0, 0x80);
    assert_eq!(
        check(&f, cfg),
        Error::invalid(6, "secondary_header_version_number", 2)
    );
    // §4.1.3.2.3: a secondary header of at least 2 octets.
    let mut f = good.clone();
    patch(&mut f, 6, 0x3F, 0);
    assert_eq!(
        check(&f, cfg),
        Error::invalid(6, "secondary_header_length", 0)
    );
    // A secondary header that leaves no data field.
    let mut f = good.clone();
    patch(&mut f, 6, 0x3F, 11);
    assert_eq!(
        check(&f, cfg),
        Error::truncated(18, "transfer_frame_data_field", 25, 23)
    );
    // A flagged secondary header whose identification octet is missing.
    let mut f = vec![0x00, 0x00, 0, 0, 0x98, 0x00, 0, 0];
    patch(&mut f, 4, 0x80, 0x80);
    let two = TmConfig {
        frame_len: 8,
        fecf: true,
    };
    assert_eq!(
        check(&f, two),
        Error::truncated(6, "secondary_header", 9, 8)
    );
    // §4.1.2.7.4: packet order flag 0 when the sync flag is 0.
    let mut f = good.clone();
    patch(&mut f, 4, 0x20, 0x20);
    assert_eq!(check(&f, cfg), Error::invalid(4, "packet_order_flag", 1));
    // §4.1.2.7.5: segment length identifier 11 when the sync flag is 0.
    let mut f = good.clone();
    patch(&mut f, 4, 0x18, 0x10);
    assert_eq!(check(&f, cfg), Error::invalid(4, "segment_length_id", 2));
    // §4.1.2.7.6: the first header pointer points inside the data field (8 octets).
    let mut f = good.clone();
    patch(&mut f, 5, 0xFF, 8);
    assert_eq!(check(&f, cfg), Error::invalid(4, "first_header_pointer", 8));
    // With the sync flag 1 (VCA_SDU) those three fields are not interpreted.
    let mut f = good.clone();
    patch(&mut f, 4, 0x7F, 0x7F);
    patch(&mut f, 5, 0xFF, 0xFD);
    let frame = TmFrame::new_checked(&f[..], cfg).unwrap();
    assert_eq!(
        frame.data_field_content(),
        DataFieldContent::VcaSdu {
            packet_order: true,
            segment_length_id: 3,
            first_header_pointer: 0x7FD
        }
    );
}

#[test]
fn encoder_refusals() {
    let repr = TmFrameRepr::idle(Scid::new(1).unwrap(), Vcid::new(7).unwrap());
    let mut buf = [0u8; 64];
    // §4.1.2.3: 3-bit VCID.
    let bad = TmFrameRepr {
        vcid: Vcid::new(8).unwrap(),
        ..repr
    };
    assert_eq!(
        bad.emit(&[0], &mut buf),
        Err(Error::invalid(1, "virtual_channel_id", 8))
    );
    // §4.1.3.2.3: 1..=63 secondary header data octets.
    for sh in [&[][..], &[0u8; 64][..]] {
        let bad = TmFrameRepr {
            secondary_header: Some(sh),
            ..repr
        };
        assert_eq!(
            bad.emit(&[0], &mut [0u8; 128]).unwrap_err().field,
            "secondary_header_length"
        );
    }
    // An empty data field.
    assert_eq!(
        repr.emit(&[], &mut buf),
        Err(Error::invalid(6, "transfer_frame_data_field", 0))
    );
    // §4.1.2.7.6: an offset outside the data field, or one that reads back as a special value.
    for fhp in [3, 0x7FE] {
        let bad = TmFrameRepr {
            content: DataFieldContent::Packets(FirstHeaderPointer::Offset(fhp)),
            ..repr
        };
        assert_eq!(
            bad.emit(&[0; 3], &mut buf).unwrap_err().field,
            "first_header_pointer"
        );
    }
    assert!(FirstHeaderPointer::Offset(0x7FE).to_bits().is_err());
    assert!(FirstHeaderPointer::try_from(0x800).is_err());
    assert_eq!(
        FirstHeaderPointer::try_from(0x7FF),
        Ok(FirstHeaderPointer::NoPacketStart)
    );
    // VCA_SDU fields that do not fit.
    let bad = TmFrameRepr {
        content: DataFieldContent::VcaSdu {
            packet_order: false,
            segment_length_id: 4,
            first_header_pointer: 0,
        },
        ..repr
    };
    assert_eq!(
        bad.emit(&[0], &mut buf).unwrap_err().field,
        "segment_length_id"
    );
    // A Type-2 OCF whose first bit reads as a CLCW.
    let bad = TmFrameRepr {
        ocf: Some(Ocf::Type2([0; 4])),
        ..repr
    };
    assert_eq!(
        bad.emit(&[0], &mut buf).unwrap_err().field,
        "control_word_type"
    );
    // Over 2048 octets, and a short destination.
    assert_eq!(
        repr.emit(&vec![0; 2043], &mut vec![0; 4096]).unwrap_err(),
        Error::invalid(0, "transfer_frame_length", 2049)
    );
    assert_eq!(
        repr.emit(&[0; 60], &mut buf).unwrap_err().kind,
        ErrorKind::BufferTooSmall {
            needed: 66,
            available: 64
        }
    );
    assert!(repr.data_len_for(6).is_err() && repr.data_len_for(2049).is_err());
}

#[test]
fn idle_frame() {
    let repr = TmFrameRepr {
        fecf: true,
        mc_frame_count: 4,
        ..TmFrameRepr::idle(Scid::new(42).unwrap(), Vcid::new(7).unwrap())
    };
    let mut buf = [0u8; 40];
    assert_eq!(repr.emit_idle(32, DEFAULT_IDLE_PATTERN, &mut buf), Ok(32));
    let cfg = TmConfig {
        frame_len: 32,
        fecf: true,
    };
    let frame = TmFrame::new_checked(&buf[..32], cfg).unwrap();
    assert_eq!(frame.data_field_content(), DataFieldContent::IDLE);
    assert_eq!(frame.data(), [0x55; 24]);
    assert_eq!(TmFrameRepr::parse(&frame), Ok(repr));
    // A caller-chosen pattern repeats (and is cut at the end of the data field).
    assert_eq!(repr.emit_idle(32, &[1, 2, 3], &mut buf), Ok(32));
    assert_eq!(&buf[6..12], &[1, 2, 3, 1, 2, 3]);
    assert_eq!(buf[29], 3);
    assert!(repr.emit_idle(32, &[], &mut buf).is_err());
}

#[test]
fn view_setters() {
    let (mut f, cfg) = sample(DataFieldContent::Packets(FirstHeaderPointer::NoPacketStart));
    let mut frame = TmFrame::new_unchecked(&mut f[..], cfg);
    frame.set_scid(Scid::new(1023).unwrap()).unwrap();
    frame.set_vcid(Vcid::new(7).unwrap()).unwrap();
    assert!(frame.set_vcid(Vcid::new(8).unwrap()).is_err());
    frame.set_mc_frame_count(200).unwrap();
    frame.set_vc_frame_count(201).unwrap();
    frame
        .set_data_field_content(DataFieldContent::Packets(FirstHeaderPointer::Offset(2)))
        .unwrap();
    frame.secondary_header_mut().copy_from_slice(&[7, 7]);
    frame.data_mut()[0] = 0xEE;
    frame.set_ocf(&Ocf::Type2([0xFF; 4])).unwrap();
    frame.fill_fecf().unwrap();
    let frame = TmFrame::new_checked(frame.into_inner(), cfg).unwrap();
    assert_eq!(frame.scid().get(), 1023);
    assert_eq!(frame.vcid().get(), 7);
    assert_eq!((frame.mc_frame_count(), frame.vc_frame_count()), (200, 201));
    assert_eq!(frame.secondary_header(), Some(&[7, 7][..]));
    assert_eq!(frame.data()[0], 0xEE);
    assert_eq!(frame.ocf(), Ok(Some(Ocf::Type2([0xFF; 4]))));
    assert_eq!(frame.data_field_status() & 0x7FF, 2);
}

/// The header fields of a Repr, except the borrowed secondary header.
#[derive(Debug, Clone)]
struct Fields {
    scid: u16,
    vcid: u8,
    mc: u8,
    vc: u8,
    secondary_header: Option<Vec<u8>>,
    content: DataFieldContent,
    ocf: Option<Ocf>,
    fecf: bool,
}

impl Fields {
    fn repr(&self) -> TmFrameRepr<'_> {
        TmFrameRepr {
            scid: Scid::new(self.scid).unwrap(),
            vcid: Vcid::new(self.vcid).unwrap(),
            mc_frame_count: self.mc,
            vc_frame_count: self.vc,
            secondary_header: self.secondary_header.as_deref(),
            content: self.content,
            ocf: self.ocf,
            fecf: self.fecf,
        }
    }
}

fn content() -> impl Strategy<Value = DataFieldContent> {
    prop_oneof![
        Just(DataFieldContent::Packets(FirstHeaderPointer::NoPacketStart)),
        Just(DataFieldContent::IDLE),
        (0u16..64).prop_map(|o| DataFieldContent::Packets(FirstHeaderPointer::Offset(o))),
        (any::<bool>(), 0u8..4, 0u16..0x800).prop_map(|(p, s, f)| DataFieldContent::VcaSdu {
            packet_order: p,
            segment_length_id: s,
            first_header_pointer: f,
        }),
    ]
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        0u16..1024,
        0u8..8,
        any::<u8>(),
        any::<u8>(),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 1..=63)),
        content(),
        proptest::option::of(ocf()),
        any::<bool>(),
    )
        .prop_map(
            |(scid, vcid, mc, vc, secondary_header, content, ocf, fecf)| Fields {
                scid,
                vcid,
                mc,
                vc,
                secondary_header,
                content,
                ocf,
                fecf,
            },
        )
}

/// Reads everything an unchecked view offers; none of it may panic.
fn poke<T: AsRef<[u8]>>(frame: &TmFrame<T>) {
    let _ = (
        frame.version(),
        frame.scid(),
        frame.vcid(),
        frame.ocf_flag(),
        frame.mc_frame_count(),
        frame.vc_frame_count(),
        frame.data_field_status(),
        frame.data_field_content(),
        frame.secondary_header_len(),
        frame.secondary_header_version(),
        frame.secondary_header(),
        frame.data_offset(),
        frame.data(),
        frame.ocf_bytes(),
        frame.ocf(),
        frame.fecf(),
    );
}

proptest! {
    #[test]
    fn parse_emit_round_trip(
        fields in fields(),
        data in proptest::collection::vec(any::<u8>(), 64..=300),
    ) {
        let repr = fields.repr();
        let mut buf = vec![0u8; repr.buffer_len(data.len()) + 3];
        let n = repr.emit(&data, &mut buf).unwrap();
        prop_assert_eq!(n, repr.buffer_len(data.len()));
        prop_assert_eq!(repr.data_len_for(n), Ok(data.len()));
        let frame = TmFrame::new_checked(&buf[..n], repr.config(data.len())).unwrap();
        prop_assert_eq!(TmFrameRepr::parse(&frame).unwrap(), repr);
        prop_assert_eq!(frame.data(), &data[..]);
    }

    #[test]
    fn ocf_round_trip(ocf in ocf()) {
        let mut buf = [0u8; 4];
        prop_assert_eq!(ocf.emit(&mut buf), Ok(4));
        prop_assert_eq!(Ocf::parse(&buf), Ok(ocf));
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        frame_len in prop_oneof![0usize..300, Just(usize::MAX), Just(MAX_FRAME_LEN + 1)],
        fecf: bool,
        exact: bool,
    ) {
        let cfg = TmConfig { frame_len: if exact { bytes.len() } else { frame_len }, fecf };
        let unchecked = TmFrame::new_unchecked(&bytes[..], cfg);
        poke(&unchecked);
        let _ = TmFrameRepr::parse(&unchecked);
        if let Ok(frame) = TmFrame::new_checked(&bytes[..], cfg) {
            poke(&frame);
            prop_assert!(!frame.data().is_empty());
        }
        let mut owned = bytes.clone();
        let mut frame = TmFrame::new_unchecked(&mut owned[..], cfg);
        let _ = frame.data_mut().len();
        let _ = frame.secondary_header_mut().len();
        let _ = frame.set_ocf(&Ocf::Type2([0x80; 4]));
        let _ = frame.set_secondary_header(&[1, 2, 3]);
        let _ = frame.fill_fecf();
    }

    /// Random headers with a valid FECF: whatever passes the checks re-emits to the same bytes.
    #[test]
    fn random_headers_with_valid_framing(
        mut bytes in proptest::collection::vec(any::<u8>(), 7..=200),
        fecf: bool,
    ) {
        bytes[0] &= 0x3F;
        if fecf {
            fix_fecf(&mut bytes);
        }
        let cfg = TmConfig { frame_len: bytes.len(), fecf };
        if let Ok(frame) = TmFrame::new_checked(&bytes[..], cfg) {
            if let Ok(repr) = TmFrameRepr::parse(&frame) {
                let mut out = vec![0u8; bytes.len()];
                prop_assert_eq!(repr.emit(frame.data(), &mut out), Ok(bytes.len()));
                prop_assert_eq!(out, bytes);
            } else {
                // Only a malformed CLCW in the OCF stops the Repr.
                prop_assert!(frame.ocf().is_err());
            }
        }
    }
}

// Vectors too long to inline above.
const TM_FIRST_FRAME: &str = "\
    07B503B29A9E0302B0D60000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001\
    DFA500014DAFF14108B4D5710025100319000CBC6A7B0B17C201BE119B3F20900000BE22EA6731FAEC003E2D164972EA\
    2380A18108A4FEC60024100319000CBC6A7B120165079007900776075E076E07740792075A075907670764076FD3E808\
    B2ED08008C100319000CBC6A7B2B1A2FBFE8C9FBF45FEC72BFE3E7C9A27A5122BF8D5C4B59858D8CBFBCEBCD2636C89E\
    BF330D11BE32FF43BEAC4FD48350BFD53E7D715A42B709AF0000000000000000BEA4031FF4DEEAC1BE9BE3D0805555B6\
    0000000000000000000000000000000000000000000000000000000A0000017C0000024E0000000A0000000A00000014\
    6AF008C4CAED0173100319000CBC6A7B8EEA6B002E0CBC6A79000C00050000FFFF007000000000819495F1302EFFFF00\
    037FFF0000000000000000000000000000000000000000000000000000000000000000000A7E42262466D6FF697F7F1C\
    2B292300003E0D0000000100000000005FBFF0000000BF0000AC9030FF00000000000000000000000000000000000000\
    00000000008E5400001401FFFFFF0000070A100A0309FB09F50A1A09F409EB09F009FA0A0009EB0A070A030A040A1C0A\
    1809F3086D01080002A689";
const TM_SECOND_FRAME: &str = "\
    07B505B398B70302B0D6068E079B07130759076A07CD081206E206C306AF079207D00803088606FA0794081309170C10\
    08C9099509910AC30B220BC60BCC0BD80BEA0C060C0C0BFC0BFF0BE70BA50B5F0AEA0AFA0AA20000000000062AEB9005\
    10A0B0000000000000000000000000080000000073FBF458000000000002000000000000000000000002000400040000\
    000000004E0298E80700010000000100000000000000000000FFFFFFFF01017263E62AEE8FBA0D000000070000000020\
    9808B4D5740025100319000CBC6A7C0B17C201BE08DCBAD5900000BE20F260BD402B003E2B045A291ECA20127008D4E9\
    8A01D5100319000CBC6A7C103464010C880D940E0A0E1F0C000C0200080BAB0AA60BB10B4E0E510BAF0B840BBD0AF80E\
    470BB50C0C0BC20B070E440BB70B750B820AB80E450E5F0E7A07FE08001FDB1BC31FDB1BC30AFE0B070BBC0AAA0E2F0B\
    080BFD0BAF0ABC0E370B0B0CAA0BC80AD50E4F0B0E0BE40BAF09FA0E470E4F0E74080107EF27179B5727179B570B1A0A\
    910B8B0B440E3D0B0F0B2C0BC10A6F0E500AF90B6E0C040AE00E2F0AF90BB80BAA0A940E330E4A0E78080107FF532BBB\
    53532BBB530BDC0AFA0BB50BDC0E600BD30B2E0B900B270E580BCB0B1D0BB80C150E630BCA0BDC0BB70BE30E620E550E\
    6F07FF08008B5B8B938B5B8B930C1A0AAA0BA70B870E680C100B960BD80B7D0E6E0C100B650BCF0B500E6A0C100AF90B\
    EF0B140E600E5B0E7807FF07FFA7C33BB7A7C33BB70C020AB10BD709F20E410C210BB80C0C0B3B0E650C1A0B5C0BD10A\
    CF0E700C110B420BF00A730E6C0E590E7E0800080073C377BF73C377BF0C060AB00BCF0A060E490BFF0ACF0C310AA00E\
    4B0BF60A590BCB09E70E3F0BF80B080C070AAD0E3A0E530E7C080007FF071B176F071B176F0000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000004800480000000101F1EA08A4FECF002410\
    0319000CBC6A7C1201650790078F0776075E076E07750792075A0759076807640775477A08B2ED09008C100319000CBC\
    6A7C2B1A2FBFE8C9D99682DC2CBFE3E7C50F2216C0BF8D8B8759AE5DC6BFBCF3328A04DD61BF330D1146B916E3BEAC4E\
    1DE356AB113E7D5301EBC898880000000000000000BEA4019B8B304155BE9BE78506597EFA0000000000000000000000\
    000000000000000000000000000000000A0000017C0000024E0000000A0000000A0000001460CA08A2FDAF01CC100319\
    000CBC6A7C321E3200000000000000000000000000000000000000000000000000000000000000000000000800000001\
    0000001100000000000000000000000000000001000000000000000000000A84C0610000000000230000001200000005\
    000009510003D73D0000000000000000000000000100000000000000000000007B000000200000000018755ACA000001\
    9F0000000000003B0000004400000008000000080000033D000000000000000000000000000000000000000001F02810\
    20B828502001080002D0D4";
