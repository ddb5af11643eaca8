//! TM Transfer Frame decoder on arbitrary bytes (132.0-B-3 §4.1): the first input octet picks
//! the managed parameters (FECF, and a frame length that disagrees with the buffer), the rest
//! is the frame. Never panics, the unchecked getters included; a frame that decodes re-encodes
//! to the same bytes, and the setters rebuild the same header.
//!
//! With the top bit of the first octet set, the input describes a `TmFrameRepr` field by
//! field instead (out-of-range values included): whatever the encoder accepts must decode
//! back to the same `Repr` and data field (the encoder refuses what the decoder rejects).
#![no_main]

#[path = "common/mod.rs"]
mod common;

use ccsds_tm::tm::{DataFieldContent, FirstHeaderPointer, TmConfig, TmFrame, TmFrameRepr};
use ccsds_tm::{Scid, Vcid};
use libfuzzer_sys::fuzz_target;

/// Emit → parse for a `Repr` read from `input`.
fn emit_then_parse(flags: u8, input: &[u8]) {
    let Some((h, rest)) = input.split_first_chunk::<14>() else {
        return;
    };
    let sh_len = usize::from(h[8] & 0x7F);
    let (sh, field) = rest.split_at(sh_len.min(rest.len()));
    let fhp = u16::from_be_bytes([h[6], h[7]]);
    let repr = TmFrameRepr {
        scid: Scid::new(u16::from_be_bytes([h[0] & 3, h[1]])).expect("10 bits"),
        vcid: Vcid::new(h[2] & 0x3F).expect("6 bits"),
        mc_frame_count: h[3],
        vc_frame_count: h[4],
        secondary_header: (h[8] & 0x80 != 0).then_some(sh),
        content: match h[5] & 3 {
            0 => DataFieldContent::Packets(FirstHeaderPointer::Offset(fhp)),
            1 => DataFieldContent::Packets(
                FirstHeaderPointer::from_bits(fhp & 0x7FF).expect("11 bits"),
            ),
            _ => DataFieldContent::VcaSdu {
                packet_order: h[5] & 4 != 0,
                segment_length_id: h[5] >> 3,
                first_header_pointer: fhp,
            },
        },
        ocf: (flags & 2 != 0).then(|| common::ocf(h[9..14].try_into().expect("5"))),
        fecf: flags & 1 != 0,
    };
    let mut out = vec![0u8; 4096];
    let Ok(n) = repr.emit(field, &mut out) else {
        return;
    };
    let config = repr.config(field.len());
    assert_eq!(config.frame_len, n);
    let frame = TmFrame::new_checked(&out[..n], config).expect("emitted frame checks");
    assert_eq!(
        TmFrameRepr::parse(&frame).expect("emitted frame parses"),
        repr
    );
    assert_eq!(frame.data(), field);
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, frame)) = data.split_first() else {
        return;
    };
    if flags & 0x80 != 0 {
        return emit_then_parse(flags, frame);
    }
    let mismatch = usize::from(flags >> 2);
    let config = TmConfig {
        frame_len: frame.len() + mismatch,
        fecf: flags & 1 == 1,
    };
    let view = TmFrame::new_unchecked(frame, config);
    let _ = (
        view.version(),
        view.scid(),
        view.vcid(),
        view.ocf_flag(),
        view.mc_frame_count(),
    );
    let _ = (
        view.vc_frame_count(),
        view.data_field_status(),
        view.data_field_content(),
    );
    let _ = (
        view.secondary_header_len(),
        view.secondary_header_version(),
        view.secondary_header(),
    );
    let _ = (
        view.data_offset(),
        view.data(),
        view.ocf_bytes(),
        view.ocf(),
        view.fecf(),
    );
    let checked = TmFrame::new_checked(frame, config);
    let Ok(repr) = TmFrameRepr::parse(&view) else {
        // A frame that fails to parse may still pass `check` only if its OCF is a bad CLCW.
        if checked.is_ok() {
            assert!(
                view.ocf().is_err(),
                "check passed, parse failed without an OCF error"
            );
        }
        return;
    };
    assert_eq!(
        mismatch, 0,
        "a frame_len different from the buffer was accepted"
    );
    assert!(checked.is_ok(), "parse accepted what new_checked refuses");
    assert_eq!(repr.config(view.data().len()), config);
    assert_eq!(
        repr.data_len_for(frame.len()).expect("length fits"),
        view.data().len()
    );
    let mut out = vec![0u8; frame.len()];
    let n = repr.emit(view.data(), &mut out).expect("re-encodes");
    assert_eq!(&out[..n], frame);
    // A buffer one octet short is refused, not truncated.
    assert!(repr.emit(view.data(), &mut out[..frame.len() - 1]).is_err());
    // The setters of a mutable view build the same frame.
    let mut rebuilt = vec![0u8; frame.len()];
    rebuilt[view.data_offset()..][..view.data().len()].copy_from_slice(view.data());
    let mut m = TmFrame::new_unchecked(&mut rebuilt[..], config);
    m.clear_version().expect("header fits");
    m.set_scid(repr.scid).expect("scid fits");
    m.set_vcid(repr.vcid).expect("vcid fits");
    m.set_ocf_flag(repr.ocf.is_some()).expect("flag fits");
    m.set_mc_frame_count(repr.mc_frame_count)
        .expect("count fits");
    m.set_vc_frame_count(repr.vc_frame_count)
        .expect("count fits");
    m.set_data_field_content(repr.content)
        .expect("content fits");
    if let Some(sh) = repr.secondary_header {
        m.set_secondary_header(sh).expect("secondary header fits");
    }
    if let Some(ocf) = &repr.ocf {
        m.set_ocf(ocf).expect("ocf fits");
    }
    m.fill_fecf().expect("fecf fits");
    assert_eq!(rebuilt, frame);
});
