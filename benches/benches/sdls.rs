//! Criterion benches of `ccsds-sdls`: AES-256-GCM ApplySecurity / ProcessSecurity of a
//! 1115-octet TM frame (in place, FECF refreshed/checked) and a 1024-octet TC frame
//! (`tc::protect` from the plaintext frame, `tc::process` in place), each next to raw
//! `aes-gcm` sealing/opening the same data with the same AAD length in the same run.
//!
//! The SDLS path resolves the key and builds the AES key schedule per frame (keys live in the
//! key store, not in the SA); the `raw_gcm_rekey` rows pay that too, the `raw_gcm` rows reuse
//! one keyed cipher. Process benches replay one frame, so their SA has anti-replay disabled.
//!
//! `cargo bench -p borealis-benches --bench sdls`
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{AeadInOut, KeyInit, Nonce, Tag};
use ccsds_sdls::replay::ReplayWindow;
use ccsds_sdls::{KeyId, KeyMaterial, SaConfig, SecurityAssociation, Spi, tc, tm};
use ccsds_tc::frame::FrameConfig;
use ccsds_tm::tm::TmConfig;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const KEY: [u8; 32] = [0x42; 32];
const TM_LEN: usize = 1115;
const TC_LEN: usize = 1024;

fn keys(_: KeyId) -> Option<KeyMaterial> {
    KeyMaterial::new(&KEY).ok()
}

fn sa(window: ReplayWindow) -> SecurityAssociation {
    let mut c = SaConfig::aes_gcm(Spi(1), window);
    c.abm = vec![0xFF; 32];
    let mut sa = SecurityAssociation::new(c, 0).unwrap();
    sa.rekey(Some(KeyId(1)), None, 0).unwrap();
    sa.start().unwrap();
    sa
}

/// Raw AES-256-GCM on `data` with `aad`, as the SDLS path does it.
fn raw_seal(cipher: &Aes256Gcm, nonce: &[u8; 12], aad: &[u8], data: &mut [u8]) -> [u8; 16] {
    let nonce = Nonce::<Aes256Gcm>::from(*nonce);
    cipher
        .encrypt_inout_detached(&nonce, aad, data.into())
        .unwrap()
        .into()
}

fn raw_open(cipher: &Aes256Gcm, nonce: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8; 16]) {
    let nonce = Nonce::<Aes256Gcm>::from(*nonce);
    let tag = Tag::<Aes256Gcm>::from(*tag);
    cipher
        .decrypt_inout_detached(&nonce, aad, data.into(), &tag)
        .unwrap();
}

fn bench_pair(
    c: &mut Criterion,
    group: &str,
    total: usize,
    aad_len: usize,
    data_len: usize,
    mut protect: impl FnMut(),
    mut process: impl FnMut(),
) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function(BenchmarkId::new("sdls_protect", total), |b| {
        b.iter(&mut protect)
    });
    g.bench_function(BenchmarkId::new("sdls_process", total), |b| {
        b.iter(&mut process)
    });

    let cipher = Aes256Gcm::new_from_slice(&KEY).unwrap();
    let aad = vec![0x11u8; aad_len];
    let nonce = [7u8; 12];
    let mut data = vec![0x5Au8; data_len];
    g.bench_function(BenchmarkId::new("raw_gcm_seal", total), |b| {
        b.iter(|| raw_seal(&cipher, &nonce, black_box(&aad), &mut data))
    });
    g.bench_function(BenchmarkId::new("raw_gcm_rekey_seal", total), |b| {
        b.iter(|| {
            let cipher = Aes256Gcm::new_from_slice(black_box(&KEY)).unwrap();
            raw_seal(&cipher, &nonce, black_box(&aad), &mut data)
        })
    });
    let mut sealed = vec![0x5Au8; data_len];
    let tag = raw_seal(&cipher, &nonce, &aad, &mut sealed);
    let mut work = sealed.clone();
    g.bench_function(BenchmarkId::new("raw_gcm_open", total), |b| {
        b.iter(|| {
            work.copy_from_slice(&sealed);
            raw_open(&cipher, &nonce, black_box(&aad), &mut work, &tag)
        })
    });
    g.finish();
}

fn tm_frame(c: &mut Criterion) {
    let config = TmConfig {
        frame_len: TM_LEN,
        fecf: true,
    };
    // Primary header: SCID 0x2A, VCID 1, no OCF, no secondary header, FHP 0.
    let mut template = vec![0u8; TM_LEN];
    template[..6].copy_from_slice(&[0x02, 0xA2, 0x00, 0x00, 0x18, 0x00]);
    for (i, b) in template[6 + 14..TM_LEN - 2 - 16].iter_mut().enumerate() {
        *b = i as u8;
    }
    let data_len = TM_LEN - 6 - 14 - 16 - 2;
    let mut tx = sa(ReplayWindow::Window(16));
    let mut frame = template.clone();
    let mut protected = template.clone();
    tm::protect_in_place(
        &mut sa(ReplayWindow::Disabled),
        &keys,
        config,
        &mut protected,
    )
    .unwrap();
    let mut rx = sa(ReplayWindow::Disabled);
    let mut work = protected.clone();
    bench_pair(
        c,
        "sdls_tm_1115",
        TM_LEN,
        20,
        data_len,
        || {
            frame.copy_from_slice(&template);
            tm::protect_in_place(&mut tx, &keys, config, black_box(&mut frame)).unwrap();
        },
        || {
            work.copy_from_slice(&protected);
            tm::process(&mut rx, &keys, config, black_box(&mut work)).unwrap();
        },
    );
}

fn tc_frame(c: &mut Criterion) {
    let config = FrameConfig {
        segment_header: true,
        fecf: true,
    };
    let plain_len = TC_LEN - 14 - 16;
    let mut plain = vec![0u8; plain_len];
    plain[..6].copy_from_slice(&[
        0x20,
        0x2A,
        0x04 | ((plain_len - 1) >> 8) as u8,
        (plain_len - 1) as u8,
        0,
        0xC1,
    ]);
    for (i, b) in plain[6..plain_len - 2].iter_mut().enumerate() {
        *b = i as u8;
    }
    ccsds_core::fill_fecf(&mut plain).unwrap();
    let data_len = plain_len - 6 - 2;
    let mut tx = sa(ReplayWindow::Window(16));
    let mut out = vec![0u8; TC_LEN];
    let mut protected = vec![0u8; TC_LEN];
    let n = tc::protect(
        &mut sa(ReplayWindow::Disabled),
        &keys,
        config,
        &plain,
        &mut protected,
    )
    .unwrap();
    assert_eq!(n, TC_LEN);
    let mut rx = sa(ReplayWindow::Disabled);
    let mut work = protected.clone();
    bench_pair(
        c,
        "sdls_tc_1024",
        TC_LEN,
        20,
        data_len,
        || {
            tc::protect(&mut tx, &keys, config, black_box(&plain), &mut out).unwrap();
        },
        || {
            work.copy_from_slice(&protected);
            tc::process(&mut rx, &keys, config, black_box(&mut work)).unwrap();
        },
    );
}

criterion_group!(benches, tm_frame, tc_frame);
criterion_main!(benches);
