//! Hostile input: CryptoLib-parser-CVE-shaped frames give typed errors, arbitrary bytes never
//! panic, anti-replay across wraparound, IVs never reused across a restart, and an
//! apply → process round trip for every suite.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::sa::AbmCoverage;
use ccsds_sdls::{
    Counter, Error, ErrorKind, SaConfig, SaCounters, SecurityAssociation, Spi, Suite,
    process_security, tc,
};
use ccsds_tc::frame::FrameConfig;
use common::*;
use proptest::prelude::*;

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const TC: FrameConfig = FrameConfig {
    segment_header: true,
    fecf: true,
};

fn keys() -> MemKeys {
    MemKeys::default()
        .with(1, KEY)
        .with(2, &format!("{KEY}{KEY}"))
}

fn gcm_sa(window: u64) -> SecurityAssociation {
    let mut c = SaConfig::aes_gcm(Spi(2), ReplayWindow::Window(window));
    c.arsn_len = 4;
    c.arsn_transmitted_len = 2;
    c.pad_length_len = 1;
    operational(c, 0, 0, 1)
}

fn plain_tc(data: &[u8]) -> Vec<u8> {
    let mut f = vec![0x20, 0x03, 0x00, 0x00, 0x00, 0xC0];
    f.extend_from_slice(data);
    f.extend_from_slice(&[0, 0]);
    f[3] = (f.len() - 1) as u8;
    ccsds_core::fill_fecf(&mut f).unwrap();
    f
}

fn protect(sa: &mut SecurityAssociation, data: &[u8]) -> Vec<u8> {
    let mut out = [0u8; 1024];
    let n = tc::protect(sa, &keys(), TC, &plain_tc(data), &mut out).unwrap();
    out[..n].to_vec()
}

fn wire_kind(e: Error) -> ErrorKind {
    match e {
        Error::Wire(w) => w.kind,
        other => panic!("expected a wire error, got {other:?}"),
    }
}

/// CVE shape 1: the TC frame length field says less than the frame needs for its security
/// header and trailer (CryptoLib computed a negative data length from it).
#[test]
fn frame_length_smaller_than_header_and_trailer() {
    let mut sa = gcm_sa(5);
    let mut frame = protect(&mut sa.clone(), b"hello");
    // Keep the buffer consistent with a tiny length field: cut the frame to 12 octets.
    frame.truncate(12);
    frame[3] = 11;
    ccsds_core::fill_fecf(&mut frame).unwrap();
    let err = tc::process(&mut sa, &keys(), TC, &mut frame).unwrap_err();
    assert!(
        matches!(wire_kind(err), ErrorKind::Truncated { .. }),
        "{err:?}"
    );
    // A length field smaller than the buffer: refused by the frame check.
    let mut frame = protect(&mut sa.clone(), b"hello");
    frame[3] = 9;
    let err = tc::process(&mut sa, &keys(), TC, &mut frame).unwrap_err();
    assert!(matches!(wire_kind(err), ErrorKind::LengthMismatch { .. }));
}

/// CVE shape 2: a pad length larger than the data (CryptoLib subtracted it unchecked).
#[test]
fn underflowing_pad_length() {
    let mut tx = gcm_sa(5);
    let mut frame = protect(&mut tx, b"abc");
    // Pad length octet: after hdr(5) seg(1) SPI(2) IV(12) SN(2).
    frame[22] = 0xFF;
    ccsds_core::fill_fecf(&mut frame).unwrap();
    let mut rx = gcm_sa(5);
    let err = tc::process(&mut rx, &keys(), TC, &mut frame).unwrap_err();
    match err {
        Error::Wire(w) => {
            assert_eq!((w.field, w.offset), ("pad_length", 22));
            assert_eq!(w.kind, ErrorKind::InvalidValue { value: 0xFF });
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(rx.iv(), 0, "nothing committed");
}

/// CVE shape 3: the SPI selects an SA whose trailer (a 64-octet HMAC-SHA-512) is larger than
/// what the frame holds.
#[test]
fn oversized_spi_selected_trailer() {
    let mut big = SaConfig::new(Spi(7), Suite::HmacSha512);
    big.mac_len = 64;
    let mut sas = vec![gcm_sa(5), operational(big, 0, 0, 2)];
    let mut frame = plain_tc(&[0x00, 0x07, 1, 2, 3, 4, 5, 6, 7, 8]);
    let err = tc::process(sas.as_mut_slice(), &keys(), TC, &mut frame).unwrap_err();
    match err {
        Error::Wire(w) => {
            assert_eq!(w.offset, 6, "at the security header, in frame coordinates");
            assert!(matches!(
                w.kind,
                ErrorKind::Truncated {
                    needed: 66,
                    available: 10
                }
            ));
        }
        other => panic!("{other:?}"),
    }
}

/// CVE shape 4: a header cut short (even the SPI).
#[test]
fn truncated_header() {
    let mut sa = gcm_sa(5);
    for len in 0..30 {
        let mut field = vec![0x00u8; len];
        if len >= 2 {
            field[1] = 2;
        }
        let err = process_security(&mut sa, &keys(), &[0; 6], &mut field).unwrap_err();
        assert!(
            matches!(wire_kind(err), ErrorKind::Truncated { .. }),
            "len {len}"
        );
    }
    assert!(matches!(
        process_security(&mut sa, &keys(), &[], &mut [0x00, 0x09, 0, 0]),
        Err(Error::UnknownSpi(Spi(9)))
    ));
}

/// Only an operational SA accepts traffic; an unavailable key or a key of the wrong length
/// is a typed error.
#[test]
fn state_and_key_errors() {
    let mut tx = gcm_sa(5);
    let frame = protect(&mut tx, b"x");
    let mut stopped = gcm_sa(5);
    stopped.stop().unwrap();
    let mut buf = frame.clone();
    assert!(matches!(
        tc::process(&mut stopped, &keys(), TC, &mut buf),
        Err(Error::SaNotOperational { .. })
    ));
    let mut rx = gcm_sa(5);
    let mut buf = frame.clone();
    assert!(matches!(
        tc::process(&mut rx, &MemKeys::default(), TC, &mut buf),
        Err(Error::KeyUnavailable(_))
    ));
    let short = MemKeys::default().with(1, "0011");
    assert_eq!(
        tc::process(&mut rx, &short, TC, &mut buf),
        Err(Error::KeyLength { len: 2 })
    );
}

/// Anti-replay: the 4-octet ARSN is sent as its low 2 octets; the receiver follows the sender
/// across the wrap of the sent part, rejects replays and frames beyond the window, and
/// accepts everything when the window is disabled.
#[test]
fn anti_replay_window_with_wraparound() {
    let mut tx = gcm_sa(3);
    tx.stop().unwrap();
    tx.set_arsn(0xFFFD).unwrap();
    tx.start().unwrap();
    let mut rx = gcm_sa(3);
    rx.stop().unwrap();
    rx.set_arsn(0xFFFD).unwrap();
    rx.start().unwrap();
    let frames: Vec<_> = (0..6).map(|i| protect(&mut tx, &[i])).collect();
    for (i, f) in frames.iter().enumerate().take(4) {
        let done = tc::process(&mut rx, &keys(), TC, &mut f.clone()).unwrap();
        assert_eq!(done.arsn, 0xFFFE + i as u128, "across 0xFFFF → 0x1_0000");
    }
    let replay = Err(Error::Replay {
        spi: Spi(2),
        counter: Counter::Arsn,
    });
    assert_eq!(
        tc::process(&mut rx, &keys(), TC, &mut frames[3].clone()),
        replay
    );
    assert_eq!(
        tc::process(&mut rx, &keys(), TC, &mut frames[0].clone()),
        replay
    );
    // Frame 5 is 2 ahead (frame 4 lost): inside the window of 3.
    assert!(tc::process(&mut rx, &keys(), TC, &mut frames[5].clone()).is_ok());
    // Far ahead: refused. Window disabled: accepted.
    let ahead: Vec<_> = (0..5).map(|i| protect(&mut tx, &[i])).collect();
    assert_eq!(
        tc::process(&mut rx, &keys(), TC, &mut ahead[4].clone()),
        replay
    );
    rx.stop().unwrap();
    rx.set_window(ReplayWindow::Disabled).unwrap();
    rx.start().unwrap();
    assert!(tc::process(&mut rx, &keys(), TC, &mut ahead[4].clone()).is_ok());
}

/// The sender refuses to wrap its IV counter (it would reuse an IV): rekey instead.
#[test]
fn iv_exhaustion_is_an_error() {
    let mut c = SaConfig::aes_gcm(Spi(3), ReplayWindow::Window(1));
    c.iv_counter_len = 1; // 11-octet fixed field, 1-octet counter
    let mut sa = operational(c, 0xAB_0000_0000_0000_0000_00FE, 0, 1);
    protect(&mut sa, b"last");
    let mut out = [0u8; 64];
    assert_eq!(
        tc::protect(&mut sa, &keys(), TC, &plain_tc(b"one more"), &mut out),
        Err(Error::CounterExhausted {
            spi: Spi(3),
            counter: Counter::Iv
        })
    );
    assert_eq!(sa.iv(), 0xAB_0000_0000_0000_0000_00FF);
}

/// A sender that restarts from its persisted counters never reuses an IV, and a stale save
/// is refused.
#[test]
fn iv_not_reused_across_restart() {
    let config = SaConfig::aes_gcm(Spi(2), ReplayWindow::Window(5));
    let mut store: Option<[u8; SaCounters::LEN]> = None;
    let mut used = std::collections::BTreeSet::new();
    let mut old_save = None;
    for boot in 0..4 {
        let mut sa = operational(config.clone(), 0, 0, 1);
        if let Some(saved) = store {
            sa.restore_counters(SaCounters::from_bytes(&saved)).unwrap();
        }
        for _ in 0..3 {
            let f = protect(&mut sa, b"telecommand");
            assert!(
                used.insert(f[8..20].to_vec()),
                "IV reused after restart {boot}"
            );
            store = Some(sa.counters().to_bytes()); // persisted after every frame
        }
        if boot == 1 {
            old_save = store;
        }
    }
    let mut sa = operational(config, 0, 0, 1);
    sa.restore_counters(SaCounters::from_bytes(&store.unwrap()))
        .unwrap();
    assert_eq!(
        sa.restore_counters(SaCounters::from_bytes(&old_save.unwrap())),
        Err(Error::StaleCounters(Spi(2)))
    );
}

fn suite_config(suite: Suite, mac_len: u8, abm_ones: bool) -> SaConfig {
    let mut c = SaConfig::new(Spi(5), suite);
    if suite.uses_gcm() {
        c.iv_len = 12;
        c.iv_transmitted_len = 12;
        c.iv_counter_len = 12;
    }
    c.mac_len = match suite {
        Suite::Clear | Suite::AesGcmEncryptOnly => 0,
        Suite::AesGcm | Suite::AesGmac => 16,
        _ => mac_len.clamp(1, suite.max_mac_len() as u8),
    };
    c.arsn_len = 3;
    c.arsn_transmitted_len = 2;
    c.window = ReplayWindow::Window(8);
    if abm_ones {
        c.abm = vec![0xFF; 32];
    } else {
        c.abm = vec![0x00; 4];
        c.abm_coverage = AbmCoverage::Header;
    }
    c
}

proptest! {
    /// apply → process gives back the data for every suite, and any single flipped octet in
    /// the authenticated part of an authenticating SA's frame is rejected.
    #[test]
    fn round_trip_every_suite(
        suite_i in 0usize..7,
        mac_len in 1u8..=64,
        data in proptest::collection::vec(any::<u8>(), 1..200),
        flip in any::<prop::sample::Index>(),
        abm_ones in any::<bool>(),
    ) {
        let suite = Suite::ALL[suite_i];
        let key = if suite == Suite::HmacSha512 { 2 } else { 1 };
        let config = suite_config(suite, mac_len, abm_ones);
        let mut tx = operational(config.clone(), 0, 0, key);
        let mut rx = operational(config, 0, 0, key);
        let mut out = [0u8; 1024];
        let n = tc::protect(&mut tx, &keys(), TC, &plain_tc(&data), &mut out).unwrap();
        let frame = out[..n].to_vec();
        let mut buf = frame.clone();
        let done = tc::process(&mut rx, &keys(), TC, &mut buf).unwrap();
        prop_assert_eq!(&buf[done.data], &data[..]);

        if suite.authenticates() {
            let mut rx = operational(suite_config(suite, mac_len, abm_ones), 0, 0, key);
            let mut bad = frame.clone();
            // Flip inside security header + data + MAC (not the SPI, which would pick no SA).
            let i = 8 + flip.index(n - 8 - 2);
            bad[i] ^= 0x01;
            ccsds_core::fill_fecf(&mut bad).unwrap();
            prop_assert!(tc::process(&mut rx, &keys(), TC, &mut bad).is_err());
        }
    }

    /// Arbitrary bytes through ProcessSecurity (as a bare security field and as a TC frame)
    /// and through the TC/TM helpers never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut sas: Vec<_> = Suite::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut c = suite_config(*s, 16, i % 2 == 0);
                c.spi = Spi(i as u16);
                c.pad_length_len = (i % 3) as u8;
                operational(c, 0, 0, if *s == Suite::HmacSha512 { 2 } else { 1 })
            })
            .collect();
        let hdr_len = bytes.len().min(6);
        let (hdr, field) = bytes.split_at(hdr_len);
        let mut field = field.to_vec();
        let _ = process_security(sas.as_mut_slice(), &keys(), hdr, &mut field);
        for config in [TC, FrameConfig { segment_header: false, fecf: false }] {
            let _ = tc::process(sas.as_mut_slice(), &keys(), config, &mut bytes.clone());
        }
        let tm = ccsds_tm::tm::TmConfig { frame_len: bytes.len(), fecf: false };
        let _ = ccsds_sdls::tm::process(sas.as_mut_slice(), &keys(), tm, &mut bytes.clone());
    }
}
