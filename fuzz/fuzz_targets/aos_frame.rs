//! AOS Transfer Frame decoder on arbitrary bytes (732.0-B-4 §4.1): two control octets pick
//! the managed parameters (FHEC, OCF, FECF, insert zone length, possibly absurd), the rest is
//! the frame. Never panics; FHEC correction changes at most two nibbles and only to a valid
//! header (or reports failure and leaves the header alone); a frame that decodes re-encodes to
//! the same bytes, and so do its M_PDU or B_PDU header.
//!
//! With bit 5 of the first octet set, the input describes an `AosFrameRepr` field by field
//! instead (out-of-range values included): whatever the encoder accepts must decode back to
//! the same `Repr` and data field.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use ccsds_tm::aos::{AosConfig, AosFrame, AosFrameRepr, BPduRepr, MPduRepr, fhec};
use ccsds_tm::{Scid, Vcid};
use libfuzzer_sys::fuzz_target;

/// Emit → parse for a `Repr` read from `input`.
fn emit_then_parse(flags: u8, zone_len: u8, input: &[u8]) {
    let Some((h, rest)) = input.split_first_chunk::<14>() else {
        return;
    };
    let (zone, field) = rest.split_at(usize::from(zone_len).min(rest.len()));
    let repr = AosFrameRepr {
        scid: Scid::new(u16::from_be_bytes([h[0] & 3, h[1]])).expect("10 bits"),
        vcid: Vcid::new(h[2] & 0x3F).expect("6 bits"),
        vc_frame_count: u32::from_be_bytes([h[3], h[4], h[5], h[6]]) >> (h[7] & 15),
        replay: h[7] & 0x10 != 0,
        vc_frame_count_cycle: (h[7] & 0x20 != 0).then_some(h[8] >> 3),
        fhec: flags & 1 != 0,
        insert_zone: zone,
        ocf: (flags & 2 != 0).then(|| common::ocf(h[9..14].try_into().expect("5"))),
        fecf: flags & 4 != 0,
    };
    let mut out = vec![0u8; 4096];
    let Ok(n) = repr.emit(field, &mut out) else {
        return;
    };
    let config = repr.config(field.len());
    assert_eq!(config.frame_len, n);
    let frame = AosFrame::new_checked(&out[..n], config).expect("emitted frame checks");
    assert_eq!(
        AosFrameRepr::parse(&frame).expect("emitted frame parses"),
        repr
    );
    assert_eq!(frame.data(), field);
}

/// Nibbles in which two headers differ.
fn nibble_diff(a: &[u8; 8], b: &[u8; 8]) -> usize {
    a.iter()
        .zip(b)
        .map(|(x, y)| usize::from((x ^ y) >> 4 != 0) + usize::from((x ^ y) & 15 != 0))
        .sum()
}

fuzz_target!(|data: &[u8]| {
    let Some((&[flags, zone], frame)) = data.split_first_chunk::<2>() else {
        return;
    };
    if flags & 0x20 != 0 {
        return emit_then_parse(flags, zone, frame);
    }
    let insert_zone_len = if flags & 0x80 != 0 {
        usize::MAX - usize::from(zone)
    } else {
        usize::from(zone)
    };
    let config = AosConfig {
        frame_len: frame.len() + usize::from(flags & 0x10 != 0),
        fhec: flags & 1 != 0,
        insert_zone_len,
        ocf: flags & 2 != 0,
        fecf: flags & 4 != 0,
    };

    if let Some(header) = frame.first_chunk::<8>() {
        let mut corrected = *header;
        match fhec::correct(&mut corrected) {
            Ok(n) => {
                assert!(n <= 2);
                assert!(fhec::is_valid(&corrected));
                assert_eq!(nibble_diff(header, &corrected), n);
                // Octets 2-4 (the frame count) are not protected.
                assert_eq!(header[2..5], corrected[2..5]);
            }
            Err(_) => {
                assert!(!fhec::is_valid(header));
                assert_eq!(&corrected, header);
            }
        }
        assert_eq!(
            fhec::is_valid(header),
            fhec::compute(header[..6].try_into().expect("6")).to_be_bytes() == header[6..8]
        );
    }

    let view = AosFrame::new_unchecked(frame, config);
    let _ = (
        view.version(),
        view.scid(),
        view.vcid(),
        view.is_idle(),
        view.vc_frame_count(),
    );
    let _ = (
        view.signalling_field(),
        view.replay(),
        view.vc_frame_count_usage(),
        view.spare(),
    );
    let _ = (
        view.vc_frame_count_cycle(),
        view.extended_vc_frame_count(),
        view.fhec(),
    );
    let _ = (
        view.insert_zone(),
        view.data_offset(),
        view.data(),
        view.m_pdu(),
        view.b_pdu(),
    );
    let _ = (view.ocf_bytes(), view.ocf(), view.fecf());

    // Correct-then-check on a copy: a correction never breaks a frame that already checked.
    let mut copy = frame.to_vec();
    let mut m = AosFrame::new_unchecked(&mut copy[..], config);
    let fixed = m.correct_header();
    if view.check().is_ok() {
        assert_eq!(fixed.ok(), Some(0));
        assert!(m.check().is_ok());
    }

    let Ok(repr) = AosFrameRepr::parse(&view) else {
        return;
    };
    assert!(
        flags & 0x10 == 0,
        "a frame_len different from the buffer was accepted"
    );
    assert!(AosFrame::new_checked(frame, config).is_ok());
    assert_eq!(repr.config(view.data().len()), config);
    let mut out = vec![0u8; frame.len()];
    let n = repr.emit(view.data(), &mut out).expect("re-encodes");
    assert_eq!(&out[..n], frame);
    assert!(repr.emit(view.data(), &mut out[..frame.len() - 1]).is_err());

    let field = view.data();
    if let Ok(pdu) = view.m_pdu() {
        let header = MPduRepr::parse(&pdu).expect("checked M_PDU parses");
        let mut buf = field.to_vec();
        assert_eq!(header.emit(&mut buf).expect("re-encodes"), 2);
        assert_eq!(buf, field);
    }
    if let Ok(pdu) = view.b_pdu() {
        let header = BPduRepr::parse(&pdu).expect("checked B_PDU parses");
        let mut buf = field.to_vec();
        assert_eq!(header.emit(&mut buf).expect("re-encodes"), 2);
        assert_eq!(buf, field);
    }
});
