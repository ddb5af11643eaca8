//! AOS Transfer Frames (CCSDS 732.0-B-4): known-answer vectors from other implementations,
//! one test per rejection rule, and property tests (`parse(emit(repr)) == repr`, FHEC
//! correction, no input panics).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use ccsds_tm::aos::{
    AosConfig, AosFrame, AosFrameRepr, BPdu, BPduRepr, BitstreamDataPointer, IDLE_VCID, MPdu,
    MPduRepr, fhec,
};
use ccsds_tm::ocf::Ocf;
use ccsds_tm::tm::{DEFAULT_IDLE_PATTERN, FirstHeaderPointer};
use ccsds_tm::{Clcw, Error, ErrorKind, Scid, Vcid};
use common::{assert_checksum_error, fix_fecf, ocf, unhex};
use proptest::prelude::*;

/// yamcs/yamcs@27798b30 yamcs-core/src/test/java/org/yamcs/tctm/ccsds/error/
/// AosFrameHeaderErrorCorrTest.java (testEncode): header octets 0–1 and signalling field →
/// FHEC.
#[test]
fn yamcs_fhec_vectors() {
    for (h01, signalling, expected) in [(0x1234u16, 0x56u8, 0x94DCu16), (0x369C, 0xFA, 0x457C)] {
        let [a, b] = h01.to_be_bytes();
        let header = [a, b, 0xFF, 0xFF, 0xFF, signalling];
        assert_eq!(fhec::compute(&header), expected);
        let [c, d] = expected.to_be_bytes();
        let mut full = [a, b, 0, 0, 0, signalling, c, d];
        assert!(fhec::is_valid(&full));
        // Two nibble errors are corrected.
        full[1] ^= 0x0F;
        full[7] ^= 0x30;
        assert_eq!(fhec::correct(&mut full), Ok(2));
        assert_eq!(full, [a, b, 0, 0, 0, signalling, c, d]);
    }
}

const CONFIG_01: AosConfig = AosConfig {
    frame_len: 892,
    fhec: true,
    insert_zone_len: 0,
    ocf: true,
    fecf: true,
};

/// dariol83/ccsds@8c1f966f AosTransferFrameTest.AOS_FRAME_01 (testAosTransferFrameDecoding:
/// FHEC, OCF and FECF; SCID 123, VC 42, count 0xFED123). Its FHEC `F2DA` is not the RS(10,6)
/// code word of its header (`D377`, which an older version of the same test carried), so the
/// header fields are checked with the FHEC ignored and the FHEC check must fail.
#[test]
fn dariol83_frame_01() {
    let bytes = unhex(AOS_FRAME_01);
    assert_eq!(
        AosFrame::new_checked(&bytes[..], CONFIG_01).unwrap_err(),
        Error::new(
            6,
            "frame_header_error_control",
            ErrorKind::Checksum {
                received: 0xF2DA,
                computed: 0xD377
            }
        )
    );
    let frame = AosFrame::new_unchecked(&bytes[..], CONFIG_01);
    assert_eq!(frame.version(), 1);
    assert_eq!(frame.scid(), Scid::new(123).unwrap());
    assert_eq!(frame.vcid(), Vcid::new(42).unwrap());
    assert_eq!(frame.vc_frame_count(), 0xFED123);
    assert_eq!(frame.signalling_field(), 0x4A);
    assert!(!frame.replay() && frame.vc_frame_count_usage());
    assert_eq!(frame.vc_frame_count_cycle(), 0xA);
    assert_eq!(frame.extended_vc_frame_count(), 0xAFED123);
    assert_eq!(frame.fhec(), Some(0xF2DA));
    assert_eq!(frame.ocf(), Ok(Some(Ocf::Type2([0xAA; 4]))));
    assert_eq!(frame.fecf(), Some(0x1000));
    // F2DA is four nibbles away from D377: beyond what the code corrects.
    let mut owned = bytes.clone();
    let mut frame = AosFrame::new_unchecked(&mut owned[..], CONFIG_01);
    assert_eq!(
        frame.correct_header().unwrap_err().kind,
        ErrorKind::Uncorrectable { block: 0 }
    );
    // With the right FHEC the frame is valid (its FECF covers the FHEC, so recompute it).
    owned[6..8].copy_from_slice(&[0xD3, 0x77]);
    fix_fecf(&mut owned);
    let frame = AosFrame::new_checked(&owned[..], CONFIG_01).unwrap();
    let repr = AosFrameRepr::parse(&frame).unwrap();
    assert_eq!(repr.vc_frame_count_cycle, Some(0xA));
    assert_eq!(frame.data(), &[0u8; 892 - 8 - 6][..]);
}

/// dariol83/ccsds@8c1f966f AosTransferFrameTest.AOS_FRAME_02 (an M_PDU) and AOS_FRAME_03 (a
/// B_PDU), both with FHEC, OCF and FECF. dariol83's own (commented-out) assertions expect an
/// invalid header and an invalid frame: their FHEC `B22B` is not the code word (`38AF`), their
/// FECF does not match, and their signalling field `5A` has reserved spare bits `01`. The
/// header fields and the data field pointers still decode.
#[test]
fn dariol83_frames_02_03() {
    let config = AosConfig {
        frame_len: 1115,
        ..CONFIG_01
    };
    for hex in [AOS_FRAME_02, AOS_FRAME_03] {
        let bytes = unhex(hex);
        let err = AosFrame::new_checked(&bytes[..], config).unwrap_err();
        assert_eq!((err.offset, err.field), (6, "frame_header_error_control"));
        assert!(matches!(
            err.kind,
            ErrorKind::Checksum {
                received: 0xB22B,
                computed: 0x38AF
            }
        ));
        let no_fhec = AosConfig {
            fhec: false,
            ..config
        };
        assert_eq!(
            AosFrame::new_checked(&bytes[..], no_fhec)
                .unwrap_err()
                .field,
            "frame_error_control_field"
        );
        let frame = AosFrame::new_unchecked(&bytes[..], config);
        assert_eq!(frame.scid(), Scid::new(123).unwrap());
        assert_eq!(frame.vcid(), Vcid::new(42).unwrap());
        assert_eq!(frame.vc_frame_count(), 0xFED123);
        assert_eq!(frame.spare(), 1);
        assert_eq!(frame.data().len(), 1115 - 8 - 6);
    }
    let frame = AosFrame::new_unchecked(unhex(AOS_FRAME_02), config);
    let m_pdu = frame.m_pdu().unwrap();
    assert_eq!(m_pdu.first_header_pointer(), FirstHeaderPointer::Offset(0));
    assert_eq!(
        &m_pdu.packet_zone()[..6],
        &[0x08, 0x14, 0xC0, 0x00, 0x00, 0x2D]
    );
    let frame = AosFrame::new_unchecked(unhex(AOS_FRAME_03), config);
    let b_pdu = frame.b_pdu().unwrap();
    assert_eq!(
        b_pdu.bitstream_data_pointer(),
        BitstreamDataPointer::LastValidBit(2048)
    );
    assert_eq!(&b_pdu.data_zone()[..4], &[0, 1, 2, 3]);
}

/// nasa/CryptoLib@b4a50371 test/unit/ut_aos_process.c, UTEST(AOS_PROCESS,
/// HAPPY_PATH_CLEAR_FECF): the plain primary header of a 1786-octet SDLS frame with FECF, no
/// FHEC, insert zone or OCF (only the first 16 octets copied; the rest is an `AABB` filler).
/// TFVN 01, SCID 11 (CryptoLib's own bit math gives the same), VC 0, count 0x000018,
/// signalling 0, then SPI 9.
#[test]
fn cryptolib_header() {
    let bytes = unhex("42C000001800000908010000000F0011");
    let config = AosConfig {
        frame_len: 1786,
        fecf: true,
        ..AosConfig::default()
    };
    let frame = AosFrame::new_unchecked(&bytes[..], config);
    assert_eq!(frame.version(), 1);
    assert_eq!(frame.scid(), Scid::new(11).unwrap());
    assert_eq!(frame.vcid(), Vcid::new(0).unwrap());
    assert_eq!(frame.vc_frame_count(), 0x18);
    assert_eq!(frame.signalling_field(), 0);
    assert_eq!(frame.data_offset(), 6);
    assert_eq!(u16::from_be_bytes([bytes[6], bytes[7]]), 9);
    assert_eq!(frame.fhec(), None);
}

/// A valid frame to corrupt: FHEC, 3-octet insert zone, 8 data octets, OCF, FECF.
fn sample() -> (Vec<u8>, AosConfig) {
    let repr = AosFrameRepr {
        scid: Scid::new(0xAB).unwrap(),
        vcid: Vcid::new(5).unwrap(),
        vc_frame_count: 0x123456,
        replay: true,
        vc_frame_count_cycle: None,
        fhec: true,
        insert_zone: &[1, 2, 3],
        ocf: Some(Ocf::Clcw(Clcw::default())),
        fecf: true,
    };
    let mut buf = vec![0u8; repr.buffer_len(8)];
    repr.emit(&[9; 8], &mut buf).unwrap();
    let cfg = repr.config(8);
    (buf, cfg)
}

/// Sets `mask` bits of octet `at` to `value`, then recomputes FHEC and FECF.
fn patch(frame: &mut [u8], at: usize, mask: u8, value: u8) {
    frame[at] = (frame[at] & !mask) | value;
    let h: [u8; 6] = frame[..6].try_into().unwrap();
    frame[6..8].copy_from_slice(&fhec::compute(&h).to_be_bytes());
    fix_fecf(frame);
}

fn check(frame: &[u8], cfg: AosConfig) -> Error {
    AosFrame::new_checked(frame, cfg).unwrap_err()
}

#[test]
fn rejections() {
    let (good, cfg) = sample();
    assert_eq!(good.len(), 6 + 2 + 3 + 8 + 4 + 2);
    assert!(AosFrame::new_checked(&good[..], cfg).is_ok());
    // §4.1.1: frame length.
    let big = AosConfig {
        frame_len: 2049,
        ..cfg
    };
    assert_eq!(
        check(&vec![0; 2049], big),
        Error::invalid(0, "transfer_frame_length", 2049)
    );
    assert_eq!(
        check(&good[..24], cfg),
        Error::length_mismatch(0, "transfer_frame", 25, 24)
    );
    let short = AosConfig {
        frame_len: 9,
        ..cfg
    };
    assert_eq!(
        check(&good[..9], short),
        Error::truncated(0, "primary_header", 10, 9)
    );
    // §4.1.2.2.2: version 01.
    let mut f = good.clone();
    patch(&mut f, 0, 0xC0, 0x00);
    assert_eq!(
        check(&f, cfg),
        Error::invalid(0, "transfer_frame_version_number", 0)
    );
    // §4.1.2.6: FHEC (detection; correction is a separate step).
    let mut f = good.clone();
    f[1] ^= 0x01;
    assert_checksum_error(check(&f, cfg), 6, "frame_header_error_control");
    let mut frame = AosFrame::new_unchecked(&mut f[..], cfg);
    assert_eq!(frame.correct_header(), Ok(1));
    assert_eq!(f, good);
    // §4.1.6.2: FECF.
    let mut f = good.clone();
    f[12] ^= 1;
    assert_checksum_error(check(&f, cfg), 23, "frame_error_control_field");
    // No room for a data field.
    let tight = AosConfig {
        insert_zone_len: 11,
        ..cfg
    };
    assert_eq!(
        check(&good, tight),
        Error::truncated(19, "transfer_frame_data_field", 26, 25)
    );
    // §4.1.2.5.4: reserved spare 00.
    let mut f = good.clone();
    patch(&mut f, 5, 0x30, 0x10);
    assert_eq!(check(&f, cfg), Error::invalid(5, "reserved_spare", 1));
    // §4.1.2.5.5: cycle 0000 when the usage flag is 0.
    let mut f = good.clone();
    patch(&mut f, 5, 0x0F, 0x03);
    assert_eq!(check(&f, cfg), Error::invalid(5, "vc_frame_count_cycle", 3));
    patch(&mut f, 5, 0x40, 0x40);
    assert!(AosFrame::new_checked(&f[..], cfg).is_ok());
}

#[test]
fn pdu_rules() {
    // M_PDU: spare bits, pointer inside the packet zone, header + at least one octet.
    assert_eq!(
        MPdu::new_checked(&[0x08, 0x00, 0][..]).unwrap_err(),
        Error::invalid(0, "reserved_spare", 1)
    );
    assert_eq!(
        MPdu::new_checked(&[0x00, 0x02, 0, 0][..]).unwrap_err(),
        Error::invalid(0, "first_header_pointer", 2)
    );
    assert_eq!(
        MPdu::new_checked(&[0x07, 0xFF][..]).unwrap_err(),
        Error::truncated(0, "pdu_header", 3, 2)
    );
    let pdu = MPdu::new_checked(&[0x07, 0xFE, 0x55][..]).unwrap();
    assert_eq!(
        MPduRepr::parse(&MPdu::new_unchecked(&[0x07, 0xFE, 0x55][..]))
            .unwrap()
            .first_header_pointer,
        FirstHeaderPointer::IdleData
    );
    assert_eq!(pdu.first_header_pointer(), FirstHeaderPointer::IdleData);
    let mut buf = [0xFFu8; 4];
    let repr = MPduRepr {
        first_header_pointer: FirstHeaderPointer::Offset(1),
    };
    assert_eq!(repr.emit(&mut buf), Ok(2));
    assert_eq!(buf, [0x00, 0x01, 0xFF, 0xFF]);
    assert!(
        MPduRepr {
            first_header_pointer: FirstHeaderPointer::Offset(2)
        }
        .emit(&mut buf)
        .is_err()
    );
    // B_PDU: spare bits, bit pointer inside the data zone, special values.
    assert_eq!(
        BPdu::new_checked(&[0x40, 0x00, 0][..]).unwrap_err(),
        Error::invalid(0, "reserved_spare", 1)
    );
    assert_eq!(
        BPdu::new_checked(&[0x00, 0x08, 0][..]).unwrap_err(),
        Error::invalid(0, "bitstream_data_pointer", 8)
    );
    assert_eq!(
        BPdu::new_checked(&[0x3F, 0xFF, 0][..])
            .unwrap()
            .bitstream_data_pointer(),
        BitstreamDataPointer::AllValid
    );
    assert_eq!(
        BPduRepr::parse(&BPdu::new_unchecked(&[0x3F, 0xFE, 0][..]))
            .unwrap()
            .bitstream_data_pointer,
        BitstreamDataPointer::IdleData
    );
    let repr = BPduRepr {
        bitstream_data_pointer: BitstreamDataPointer::LastValidBit(15),
    };
    assert_eq!(repr.emit(&mut buf), Ok(2));
    assert_eq!(&buf[..2], &[0x00, 0x0F]);
    assert!(
        BitstreamDataPointer::LastValidBit(0x3FFE)
            .to_bits()
            .is_err()
    );
    assert!(BitstreamDataPointer::from_bits(0x4000).is_err());
}

#[test]
fn encoder_refusals() {
    let repr = AosFrameRepr::idle(Scid::new(1).unwrap());
    let mut buf = [0u8; 64];
    // §4.1.2.2.3: 8-bit SCID.
    let bad = AosFrameRepr {
        scid: Scid::new(256).unwrap(),
        ..repr
    };
    assert_eq!(
        bad.emit(&[0], &mut buf),
        Err(Error::invalid(0, "spacecraft_id", 256))
    );
    // §4.1.2.4: 24-bit count; §4.1.2.5.5: 4-bit cycle.
    let bad = AosFrameRepr {
        vc_frame_count: 1 << 24,
        ..repr
    };
    assert_eq!(
        bad.emit(&[0], &mut buf).unwrap_err().field,
        "virtual_channel_frame_count"
    );
    let bad = AosFrameRepr {
        vc_frame_count_cycle: Some(16),
        ..repr
    };
    assert_eq!(
        bad.emit(&[0], &mut buf).unwrap_err().field,
        "vc_frame_count_cycle"
    );
    assert_eq!(
        repr.emit(&[], &mut buf),
        Err(Error::invalid(6, "transfer_frame_data_field", 0))
    );
    let bad = AosFrameRepr {
        ocf: Some(Ocf::Type2([0x7F; 4])),
        ..repr
    };
    assert_eq!(
        bad.emit(&[0], &mut buf).unwrap_err().field,
        "control_word_type"
    );
    assert_eq!(
        repr.emit(&vec![0; 2043], &mut vec![0; 4096]).unwrap_err(),
        Error::invalid(0, "transfer_frame_length", 2049)
    );
    assert!(repr.data_len_for(6).is_err() && repr.data_len_for(2049).is_err());
}

#[test]
fn idle_frame() {
    let repr = AosFrameRepr {
        fhec: true,
        fecf: true,
        ..AosFrameRepr::idle(Scid::new(200).unwrap())
    };
    let mut buf = [0u8; 32];
    assert_eq!(repr.emit_idle(32, DEFAULT_IDLE_PATTERN, &mut buf), Ok(32));
    let frame = AosFrame::new_checked(&buf[..], repr.config(22)).unwrap();
    assert!(frame.is_idle());
    assert_eq!(frame.vcid(), IDLE_VCID);
    assert_eq!(frame.data(), [0x55; 22]);
    assert_eq!(AosFrameRepr::parse(&frame), Ok(repr));
}

/// The header fields of a Repr, except the borrowed insert zone.
#[derive(Debug, Clone)]
struct Fields {
    scid: u16,
    vcid: u8,
    count: u32,
    replay: bool,
    cycle: Option<u8>,
    fhec: bool,
    insert_zone: Vec<u8>,
    ocf: Option<Ocf>,
    fecf: bool,
}

impl Fields {
    fn repr(&self) -> AosFrameRepr<'_> {
        AosFrameRepr {
            scid: Scid::new(self.scid).unwrap(),
            vcid: Vcid::new(self.vcid).unwrap(),
            vc_frame_count: self.count,
            replay: self.replay,
            vc_frame_count_cycle: self.cycle,
            fhec: self.fhec,
            insert_zone: &self.insert_zone,
            ocf: self.ocf,
            fecf: self.fecf,
        }
    }
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        0u16..256,
        0u8..64,
        0u32..(1 << 24),
        any::<bool>(),
        proptest::option::of(0u8..16),
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..16),
        proptest::option::of(ocf()),
        any::<bool>(),
    )
        .prop_map(
            |(scid, vcid, count, replay, cycle, fhec, insert_zone, ocf, fecf)| Fields {
                scid,
                vcid,
                count,
                replay,
                cycle,
                fhec,
                insert_zone,
                ocf,
                fecf,
            },
        )
}

fn config() -> impl Strategy<Value = AosConfig> {
    (
        prop_oneof![0usize..300, Just(usize::MAX)],
        any::<bool>(),
        prop_oneof![0usize..40, Just(usize::MAX)],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(frame_len, fhec, insert_zone_len, ocf, fecf)| AosConfig {
            frame_len,
            fhec,
            insert_zone_len,
            ocf,
            fecf,
        })
}

/// Reads everything an unchecked view offers; none of it may panic.
fn poke<T: AsRef<[u8]>>(frame: &AosFrame<T>) {
    let _ = (
        frame.version(),
        frame.scid(),
        frame.vcid(),
        frame.is_idle(),
        frame.vc_frame_count(),
        frame.signalling_field(),
        frame.replay(),
        frame.vc_frame_count_usage(),
        frame.spare(),
        frame.vc_frame_count_cycle(),
        frame.extended_vc_frame_count(),
        frame.fhec(),
        frame.insert_zone(),
        frame.data(),
        frame
            .m_pdu()
            .map(|p| (p.first_header_pointer(), p.packet_zone().len())),
        frame
            .b_pdu()
            .map(|p| (p.bitstream_data_pointer(), p.data_zone().len())),
        frame.ocf_bytes(),
        frame.ocf(),
        frame.fecf(),
    );
}

proptest! {
    #[test]
    fn parse_emit_round_trip(
        fields in fields(),
        data in proptest::collection::vec(any::<u8>(), 1..=300),
    ) {
        let repr = fields.repr();
        let mut buf = vec![0u8; repr.buffer_len(data.len()) + 3];
        let n = repr.emit(&data, &mut buf).unwrap();
        prop_assert_eq!(n, repr.buffer_len(data.len()));
        prop_assert_eq!(repr.data_len_for(n), Ok(data.len()));
        let frame = AosFrame::new_checked(&buf[..n], repr.config(data.len())).unwrap();
        prop_assert_eq!(AosFrameRepr::parse(&frame).unwrap(), repr);
        prop_assert_eq!(frame.data(), &data[..]);
        prop_assert_eq!(frame.insert_zone(), &fields.insert_zone[..]);
    }

    #[test]
    fn pdu_round_trip(fhp in 0u16..0x800, bdp in 0u16..0x4000, zone in 1usize..300) {
        let mut buf = vec![0u8; 2 + zone];
        let fhp = FirstHeaderPointer::try_from(fhp).unwrap();
        let m = MPduRepr { first_header_pointer: fhp };
        if m.emit(&mut buf).is_ok() {
            prop_assert_eq!(MPduRepr::parse(&MPdu::new_unchecked(&buf[..])), Ok(m));
        } else {
            prop_assert!(matches!(fhp, FirstHeaderPointer::Offset(o) if usize::from(o) >= zone));
        }
        let bdp = BitstreamDataPointer::from_bits(bdp).unwrap();
        let b = BPduRepr { bitstream_data_pointer: bdp };
        if b.emit(&mut buf).is_ok() {
            prop_assert_eq!(BPduRepr::parse(&BPdu::new_unchecked(&buf[..])), Ok(b));
        } else {
            prop_assert!(matches!(bdp, BitstreamDataPointer::LastValidBit(o) if usize::from(o) >= zone * 8));
        }
    }

    /// Up to two wrong nibbles in the protected octets are always corrected.
    #[test]
    fn fhec_corrects_two_nibbles(
        header: [u8; 6],
        errors in proptest::collection::vec((0usize..10, 1u8..16), 0..=2),
    ) {
        let mut good = [0u8; 8];
        good[..6].copy_from_slice(&header);
        good[6..].copy_from_slice(&fhec::compute(&header).to_be_bytes());
        prop_assert!(fhec::is_valid(&good));
        let mut bad = good;
        let mut positions = Vec::new();
        for (p, e) in &errors {
            if positions.contains(p) {
                continue;
            }
            positions.push(*p);
            let octet = [0, 1, 5, 6, 7][p / 2];
            bad[octet] ^= if p % 2 == 0 { e << 4 } else { *e };
        }
        prop_assert_eq!(fhec::correct(&mut bad), Ok(positions.len()));
        prop_assert_eq!(bad, good);
    }

    /// Never panics, and never claims success without leaving a valid code word.
    #[test]
    fn fhec_correct_any_word(mut word: [u8; 8]) {
        let before = word;
        match fhec::correct(&mut word) {
            Ok(n) => {
                prop_assert!(fhec::is_valid(&word));
                prop_assert!(n <= 2);
                prop_assert_eq!(&word[2..5], &before[2..5]);
            }
            Err(e) => {
                prop_assert_eq!(e.kind, ErrorKind::Uncorrectable { block: 0 });
                prop_assert_eq!(word, before);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        cfg in config(),
        exact: bool,
    ) {
        let cfg = if exact { AosConfig { frame_len: bytes.len(), ..cfg } } else { cfg };
        let unchecked = AosFrame::new_unchecked(&bytes[..], cfg);
        poke(&unchecked);
        let _ = AosFrameRepr::parse(&unchecked);
        let _ = MPduRepr::parse(&MPdu::new_unchecked(&bytes[..]));
        let _ = BPduRepr::parse(&BPdu::new_unchecked(&bytes[..]));
        if let Ok(frame) = AosFrame::new_checked(&bytes[..], cfg) {
            poke(&frame);
            prop_assert!(!frame.data().is_empty());
        }
        let mut owned = bytes.clone();
        let mut frame = AosFrame::new_unchecked(&mut owned[..], cfg);
        let _ = frame.correct_header();
        let _ = frame.fill_fhec();
        let _ = frame.insert_zone_mut().len();
        let _ = frame.data_mut().len();
        let _ = frame.set_ocf(&Ocf::Type2([0x80; 4]));
        let _ = frame.fill_fecf();
    }

    /// Random headers with valid FHEC and FECF: whatever passes the checks re-emits to the
    /// same bytes.
    #[test]
    fn random_headers_with_valid_framing(
        mut bytes in proptest::collection::vec(any::<u8>(), 11..=200),
        iz in 0usize..4,
        ocf: bool,
    ) {
        bytes[0] = (bytes[0] & 0x3F) | 0x40;
        let h: [u8; 6] = bytes[..6].try_into().unwrap();
        bytes[6..8].copy_from_slice(&fhec::compute(&h).to_be_bytes());
        fix_fecf(&mut bytes);
        let cfg = AosConfig { frame_len: bytes.len(), fhec: true, insert_zone_len: iz, ocf, fecf: true };
        let valid = bytes[5] & 0x30 == 0 && (bytes[5] & 0x40 != 0 || bytes[5] & 0x0F == 0);
        let result = AosFrame::new_checked(&bytes[..], cfg);
        let long_enough = bytes.len() >= 8 + iz + 1 + 2 + 4 * usize::from(ocf);
        prop_assert_eq!(result.is_ok(), valid && long_enough);
        if let Ok(frame) = result
            && let Ok(repr) = AosFrameRepr::parse(&frame)
        {
            let mut out = vec![0u8; bytes.len()];
            prop_assert_eq!(repr.emit(frame.data(), &mut out), Ok(bytes.len()));
            prop_assert_eq!(out, bytes);
        }
    }
}

// Vectors too long to inline above.
const AOS_FRAME_01: &str = "\
    5EEAFED1234AF2DA00000000000000000000000000000000000000000000000000000000000000000000000000000000\
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
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    00000000000000000000000000000000000000000000AAAAAAAA1000";
const AOS_FRAME_02: &str = "\
    5EEAFED1235AB22B00000814C000002D00031900000000000000010000A8000000000000000000000000000000000000\
    000000000000000000000000807307FFC000041000000000000000000000000000000000000000000000000000000000\
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
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    0000004E9DAAAAAAAAD7FB";
const AOS_FRAME_03: &str = "\
    5EEAFED1235AB22B0800000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425\
    262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455\
    565758595A5B5C5D5E5F606162636465666768696A6B6C6D6E6F707172737475767778797A7B7C7D7E7F808182838485\
    868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9FA0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5\
    B6B7B8B9BABBBCBDBEBFC0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0E1E2E3E4E5\
    E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF00000000000000000000000000000000000000000000\
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
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
    0000000000AAAAAAAAA03C";
