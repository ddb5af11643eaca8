//! Property tests for TC Transfer Frames: `parse(emit(repr)) == repr`, and no input makes the
//! decoder panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_core::crc16_ccitt;
use ccsds_tc::frame::{
    ControlCommand, FrameConfig, FrameType, MAX_FRAME_LEN, SegmentHeader, SequenceFlags, TcFrame,
    TcFrameRepr,
};
use ccsds_tc::{MapId, Scid, Vcid};
use proptest::prelude::*;

fn frame_type() -> impl Strategy<Value = FrameType> {
    prop_oneof![
        Just(FrameType::Ad),
        Just(FrameType::Bd),
        Just(FrameType::Bc)
    ]
}

fn segment_header() -> impl Strategy<Value = SegmentHeader> {
    (0u8..4, 0u8..64).prop_map(|(flags, map)| SegmentHeader {
        sequence_flags: SequenceFlags::from_bits(flags),
        map_id: MapId::new(map).unwrap(),
    })
}

fn repr() -> impl Strategy<Value = TcFrameRepr> {
    (
        frame_type(),
        0u16..1024,
        0u8..64,
        any::<u8>(),
        proptest::option::of(segment_header()),
        any::<bool>(),
    )
        .prop_map(
            |(frame_type, scid, vcid, sequence_number, segment, fecf)| TcFrameRepr {
                frame_type,
                scid: Scid::new(scid).unwrap(),
                vcid: Vcid::new(vcid).unwrap(),
                sequence_number,
                // BC frames never carry a segment header (232.0-B-4 §4.1.3.2.1).
                segment: segment.filter(|_| frame_type != FrameType::Bc),
                fecf,
            },
        )
}

fn config() -> impl Strategy<Value = FrameConfig> {
    (any::<bool>(), any::<bool>()).prop_map(|(segment_header, fecf)| FrameConfig {
        segment_header,
        fecf,
    })
}

/// Reads everything an unchecked view offers; none of it may panic.
fn poke<T: AsRef<[u8]>>(frame: &TcFrame<T>) {
    let _ = (
        frame.version(),
        frame.bypass(),
        frame.control_command(),
        frame.frame_type(),
        frame.spare(),
        frame.scid(),
        frame.vcid(),
        frame.frame_length(),
        frame.total_len(),
        frame.sequence_number(),
        frame.segment_header(),
        frame.data(),
        frame.fecf(),
        frame.control_command_data(),
    );
}

proptest! {
    #[test]
    fn parse_emit_round_trip(
        repr in repr(),
        data in proptest::collection::vec(any::<u8>(), 1..=1019),
        slack in 0usize..8,
    ) {
        let data = &data[..data.len().min(repr.max_data_len())];
        let mut buf = vec![0u8; repr.buffer_len(data.len()) + slack];
        let n = repr.emit(data, &mut buf).unwrap();
        prop_assert_eq!(n, repr.buffer_len(data.len()));
        prop_assert!(n <= MAX_FRAME_LEN);
        let frame = TcFrame::new_checked(&buf[..n], repr.config()).unwrap();
        prop_assert_eq!(TcFrameRepr::parse(&frame).unwrap(), repr);
        prop_assert_eq!(frame.data(), data);
        // A BC frame reads the same whether or not its VC uses segment headers.
        if repr.frame_type == FrameType::Bc {
            let cfg = FrameConfig { segment_header: true, ..repr.config() };
            prop_assert_eq!(TcFrameRepr::parse(&TcFrame::new_unchecked_with(&buf[..n], cfg)), Ok(repr));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1100), cfg in config()) {
        let unchecked = TcFrame::new_unchecked_with(&bytes[..], cfg);
        poke(&unchecked);
        let _ = TcFrameRepr::parse(&unchecked);
        if let Ok(frame) = TcFrame::new_checked(&bytes[..], cfg) {
            poke(&frame);
            prop_assert_eq!(frame.total_len(), bytes.len());
            prop_assert!(!frame.data().is_empty());
        }
        let mut owned = bytes.clone();
        let mut frame = TcFrame::new_unchecked_with(&mut owned[..], cfg);
        let _ = frame.data_mut();
        let _ = frame.fill_fecf();
    }

    /// Arbitrary content with a consistent length field and FECF: gets past the length and
    /// CRC checks, so the header rules are exercised on random headers.
    #[test]
    fn random_headers_with_valid_framing(mut bytes in proptest::collection::vec(any::<u8>(), 7..=1024), cfg in config()) {
        let len = bytes.len() as u16 - 1;
        bytes[2] = (bytes[2] & 0xFC) | (len >> 8) as u8;
        bytes[3] = len as u8;
        if cfg.fecf {
            let n = bytes.len() - 2;
            let crc = crc16_ccitt(&bytes[..n]);
            bytes[n..].copy_from_slice(&crc.to_be_bytes());
        }
        let control = bytes[0] & 0x10 != 0;
        let min = 5 + usize::from(cfg.segment_header && !control) + 1 + 2 * usize::from(cfg.fecf);
        let valid_header = bytes[0] & 0xCC == 0 && bytes[0] & 0x30 != 0x10 && bytes.len() >= min;
        let result = TcFrame::new_checked(&bytes[..], cfg);
        prop_assert_eq!(result.is_ok(), valid_header);
        if let Ok(frame) = result {
            // Re-emitting the parsed headers with the parsed data reproduces the frame.
            let repr = TcFrameRepr::parse(&frame).unwrap();
            let mut out = vec![0u8; bytes.len()];
            prop_assert_eq!(repr.emit(frame.data(), &mut out), Ok(bytes.len()));
            prop_assert_eq!(out, bytes);
        }
    }

    #[test]
    fn control_command_round_trip(vr: u8, unlock: bool) {
        let cmd = if unlock { ControlCommand::Unlock } else { ControlCommand::SetVr(vr) };
        let mut buf = [0u8; 3];
        let n = cmd.emit(&mut buf).unwrap();
        prop_assert_eq!(ControlCommand::parse(&buf[..n]), Ok(cmd));
    }

    /// Whatever parses is exactly one command: re-emitting it gives back the input.
    #[test]
    fn control_command_parse_is_exact(data in proptest::collection::vec(any::<u8>(), 0..6)) {
        if let Ok(cmd) = ControlCommand::parse(&data) {
            let mut buf = [0u8; 3];
            let n = cmd.emit(&mut buf).unwrap();
            prop_assert_eq!(&buf[..n], &data[..]);
        }
    }
}
