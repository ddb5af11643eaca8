//! `parse(emit(repr)) == repr` for the Security Header and the FSR, and the fixed-length frame
//! helpers: a TM frame protected in place, its master channel frame count changed afterwards
//! (masked out by the ABM, 355.0-B-2 §3.4), processed back; an AOS frame with FHEC and insert
//! zone likewise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use ccsds_sdls::fsr::Fsr;
use ccsds_sdls::header::{SecurityHeader, SecurityHeaderRepr};
use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::{Error, SaConfig, Spi, tm};
use ccsds_tm::tm::{TmConfig, TmFrame};
use common::*;
use proptest::prelude::*;

proptest! {
    #[test]
    fn security_header_round_trip(
        spi in any::<u16>(),
        iv in proptest::collection::vec(any::<u8>(), 0..=16),
        sn in proptest::collection::vec(any::<u8>(), 0..=16),
        pad_length_len in 0u8..=4,
        pad in any::<u32>(),
    ) {
        let pad_length = if pad_length_len == 4 { pad } else { pad & ((1u32 << (8 * pad_length_len)) - 1) };
        let repr = SecurityHeaderRepr { spi: Spi(spi), iv: &iv, sn: &sn, pad_length_len, pad_length };
        let mut buf = [0u8; 64];
        let n = repr.emit(&mut buf).unwrap();
        prop_assert_eq!(n, repr.buffer_len());
        let view = SecurityHeader::new_checked(&buf[..n], repr.layout()).unwrap();
        prop_assert_eq!(SecurityHeaderRepr::parse(&view).unwrap(), repr);
    }

    #[test]
    fn fsr_round_trip(a: bool, b: bool, c: bool, d: bool, spi: u16, sn: u8) {
        let fsr = Fsr { alarm: a, bad_sn: b, bad_mac: c, bad_sa: d, last_spi: Spi(spi), sn_value: sn };
        prop_assert_eq!(Fsr::parse(&fsr.to_bytes()).unwrap(), fsr);
    }

    #[test]
    fn headers_from_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40), iv in 0u8..20, sn in 0u8..20) {
        let layout = ccsds_sdls::header::HeaderLayout { iv_len: iv, sn_len: sn, pad_length_len: 1 };
        if let Ok(view) = SecurityHeader::new_checked(&bytes[..], layout) {
            let repr = SecurityHeaderRepr::parse(&view).unwrap();
            let mut out = [0u8; 64];
            let n = repr.emit(&mut out).unwrap();
            prop_assert_eq!(&out[..n], &bytes[..n]);
        }
        let _ = Fsr::parse(&bytes);
    }
}

#[test]
fn tm_frame_protect_count_change_process() {
    let config = TmConfig {
        frame_len: 256,
        fecf: true,
    };
    let mut sa_config = SaConfig::aes_gcm(Spi(1), ReplayWindow::Window(4));
    // Mask out the master channel frame count (octet 2), set after protection.
    sa_config.abm = vec![0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0xFF];
    let keys = MemKeys::default().with(
        7,
        "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f",
    );
    let mut tx = operational(sa_config.clone(), 0, 0, 7);
    let mut rx = operational(sa_config, 0, 0, 7);

    let mut frame = vec![0u8; 256];
    frame[..6].copy_from_slice(&[0x02, 0xA2, 0x00, 0x00, 0x18, 0x00]);
    let capacity = tm::data_capacity(&tx, 256 - 6 - 2);
    assert_eq!(capacity, 248 - 14 - 16);
    let data: Vec<u8> = (0..capacity as u8).collect();
    frame[6 + 14..6 + 14 + capacity].copy_from_slice(&data);
    let applied = tm::protect_in_place(&mut tx, &keys, config, &mut frame).unwrap();
    assert_eq!(applied.data, 20..20 + capacity);
    assert_ne!(&frame[applied.data.clone()], &data[..], "encrypted");

    // The frame count is written later (e.g. by the master channel multiplexer).
    TmFrame::new_unchecked(&mut frame[..], config)
        .set_mc_frame_count(0x5A)
        .unwrap();
    TmFrame::new_unchecked(&mut frame[..], config)
        .fill_fecf()
        .unwrap();
    let mut rx_frame = frame.clone();
    let done = tm::process(&mut rx, &keys, config, &mut rx_frame).unwrap();
    assert_eq!(&rx_frame[done.data], &data[..]);

    // The VC frame count (octet 3) is authenticated: changing it breaks the MAC.
    let mut rx = operational(rx.config().clone(), 0, 0, 7);
    TmFrame::new_unchecked(&mut frame[..], config)
        .set_vc_frame_count(1)
        .unwrap();
    TmFrame::new_unchecked(&mut frame[..], config)
        .fill_fecf()
        .unwrap();
    assert_eq!(
        tm::process(&mut rx, &keys, config, &mut frame),
        Err(Error::MacMismatch(Spi(1)))
    );
}

#[test]
fn aos_frame_with_fhec_and_insert_zone_protect_process() {
    use ccsds_core::{Scid, Vcid};
    use ccsds_tm::aos::{AosConfig, AosFrameRepr};

    // AOS channel: FHEC, 4-octet insert zone, OCF, FECF. The Security Header follows the insert
    // zone; the frame header given to SDLS is primary header + FHEC + insert zone.
    let config = AosConfig {
        frame_len: 300,
        fhec: true,
        insert_zone_len: 4,
        ocf: true,
        fecf: true,
    };
    let sa_config = SaConfig::aes_gcm(Spi(9), ReplayWindow::Window(4));
    let keys = MemKeys::default().with(
        3,
        "303132333435363738393a3b3c3d3e3f303132333435363738393a3b3c3d3e3f",
    );
    let mut tx = operational(sa_config.clone(), 0, 0, 3);
    let mut rx = operational(sa_config, 0, 0, 3);

    let repr = AosFrameRepr {
        scid: Scid::new(0x42).unwrap(),
        vcid: Vcid::new(5).unwrap(),
        vc_frame_count: 77,
        replay: false,
        vc_frame_count_cycle: None,
        fhec: true,
        insert_zone: &[1, 2, 3, 4],
        ocf: Some(ccsds_tm::ocf::Ocf::Type2([0x80, 0, 0, 0])),
        fecf: true,
    };
    let field_len = repr.data_len_for(300).unwrap();
    let capacity = tm::data_capacity(&tx, field_len);
    let data: Vec<u8> = (0..capacity).map(|i| (i * 7) as u8).collect();
    let mut field = vec![0u8; field_len];
    field[14..14 + capacity].copy_from_slice(&data);
    let mut frame = vec![0u8; 300];
    repr.emit(&field, &mut frame).unwrap();

    let applied = tm::protect_in_place(&mut tx, &keys, config, &mut frame).unwrap();
    assert_eq!(applied.data.start, config.data_offset() + 14);
    assert_ne!(&frame[applied.data.clone()], &data[..], "encrypted");
    let mut rx_frame = frame.clone();
    let done = tm::process(&mut rx, &keys, config, &mut rx_frame).unwrap();
    assert_eq!(&rx_frame[done.data], &data[..]);

    // The insert zone is authenticated: change one octet (and refresh the FECF) and the MAC fails.
    let mut rx = operational(rx.config().clone(), 0, 0, 3);
    frame[9] ^= 0x10;
    ccsds_tm::aos::AosFrame::new_unchecked(&mut frame[..], config)
        .fill_fecf()
        .unwrap();
    assert_eq!(
        tm::process(&mut rx, &keys, config, &mut frame),
        Err(Error::MacMismatch(Spi(9)))
    );
}
