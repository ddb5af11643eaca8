//! Criterion benches of `bpsec` BCB-AES-GCM (RFC 9173 §4) against raw `aes-gcm` on the same
//! data, in the same group and run (issue #4): 64-octet and 64 KiB payloads.
//!
//! The bundle: the primary block of the bench bundle of `bundle.rs` (`ipn:1.0` → `ipn:2.1`,
//! creation time set, CRC-32C) and a payload block without CRC (one group repeats 64 KiB with a
//! CRC-32C payload), built by our `BundleBuilder`, with a 64-octet or 65,536-octet payload. A256GCM, AAD scope 7 (all), one target (the payload), key
//! from `StaticKeys`, a fixed IV.
//!
//! * `ours_add_bcb`: `bpsec::add_bcb` (strict parse, RFC 9172 rules, key resolve + AES key
//!   schedule, AAD build, copy of every block into a new bundle + in-place encryption, BCB
//!   encode, CRCs);
//! * `ours_seal_policy`: `bpsec::seal` with the same rule and an `IvCounter` (the policy path a
//!   node takes: the rule selects the targets, then the BCB is added as by `add_bcb`, on the
//!   same parse);
//! * `ours_accept`: `bpsec::accept` with the matching `Policy` (parse, rules, policy match,
//!   copy + in-place decryption and tag check, BCB removed, payload CRC restored as received
//!   (none), output re-parsed);
//! * `raw_aes_gcm_encrypt` / `raw_aes_gcm_decrypt`: `Aes256Gcm::new_from_slice` (key schedule),
//!   a copy of the payload into a new `Vec`, then `encrypt_inout_detached` (resp.
//!   `decrypt_inout_detached` with the tag) with a precomputed AAD of the same length as ours,
//!   in fact the same AAD: before timing, the raw ciphertext and tag are asserted equal to
//!   what `add_bcb` wrote, and the raw decryption to give the payload back;
//! * `raw_bpsec_cipher_encrypt` / `raw_bpsec_cipher_decrypt`: the same raw work through
//!   `bpsec`'s own `Cipher` wrapper (the `aes-gcm` code exactly as compiled inside `bpsec`), to
//!   tell `bpsec`'s bundle work apart from code-generation differences between the two
//!   instantiations of `aes-gcm` (see benches/README.md).
//!
//! `cargo bench -p borealis-benches --bench bpsec`
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use borealis_benches::bundle::primary;
use bpsec::context::Scope;
use bpsec::context::bcb_aes_gcm::{AesVariant, Cipher, IV_LEN, TAG_LEN};
use bpsec::{
    BcbSpec, Context, IvCounter, KeyId, NewBlock, Options, Policy, Rule, StaticKeys, Targets,
    accept, add_bcb, seal,
};
use bpv7::block::{BlockFlags, block_type};
use bpv7::bundle::{BundleBuilder, BundleView};
use bpv7::crc::CrcType;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const KEY_ID: KeyId = KeyId(7);
const KEY: [u8; 32] = [0x42; 32];
const IV: [u8; IV_LEN] = [0x5A; IV_LEN];
const OPTIONS: Options = Options::STRICT;

/// The security source and the rule both sides apply.
fn rule() -> Rule<'static> {
    Rule {
        source: primary(0).source,
        targets: Targets::Payload,
        context: Context::AesGcm {
            variant: AesVariant::A256Gcm,
            scope: Scope::ALL,
        },
        key: KEY_ID,
    }
}

/// RFC 9173 §4.7.2 AAD of the payload under scope 7, built independently of `bpsec`: the scope
/// flags (1 octet), the primary block as encoded, the payload's header (type 1, number 1,
/// flags 0) and the BCB's (type 12, number 2, flags "replicate in every fragment").
fn aad(bundle: &[u8]) -> Vec<u8> {
    let view = BundleView::parse(bundle).unwrap();
    let mut aad = vec![Scope::ALL.0];
    aad.extend_from_slice(&bundle[view.primary_span()]);
    aad.extend_from_slice(&[1, 1, 0]);
    aad.extend_from_slice(&[
        block_type::BCB as u8,
        2,
        BlockFlags::REPLICATE_IN_EVERY_FRAGMENT.0 as u8,
    ]);
    aad
}

fn raw_encrypt(aad: &[u8], payload: &[u8]) -> (Vec<u8>, Tag) {
    let cipher = Aes256Gcm::new_from_slice(black_box(&KEY)).unwrap();
    let mut data = payload.to_vec();
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(IV), aad, data.as_mut_slice().into())
        .unwrap();
    (data, tag)
}

fn raw_decrypt(aad: &[u8], ciphertext: &[u8], tag: &Tag) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(black_box(&KEY)).unwrap();
    let mut data = ciphertext.to_vec();
    cipher
        .decrypt_inout_detached(&Nonce::from(IV), aad, data.as_mut_slice().into(), tag)
        .unwrap();
    data
}

fn cipher_encrypt(aad: &[u8], payload: &[u8]) -> (Vec<u8>, [u8; TAG_LEN]) {
    let cipher = Cipher::new(AesVariant::A256Gcm, black_box(&KEY)).unwrap();
    let mut data = payload.to_vec();
    let tag = cipher.encrypt(&IV, aad, &mut data).unwrap();
    (data, tag)
}

fn cipher_decrypt(aad: &[u8], ciphertext: &[u8], tag: &[u8]) -> Vec<u8> {
    let cipher = Cipher::new(AesVariant::A256Gcm, black_box(&KEY)).unwrap();
    let mut data = ciphertext.to_vec();
    assert!(cipher.decrypt(&IV, aad, &mut data, tag));
    data
}

fn bench_size(c: &mut Criterion, name: &str, payload_len: usize, payload_crc: CrcType) {
    let payload: Vec<u8> = (0..payload_len).map(|i| (i * 31 + 7) as u8).collect();
    let bundle = BundleBuilder::new(primary(42))
        .payload(&payload, BlockFlags(0), payload_crc)
        .to_vec()
        .unwrap();
    let keys = StaticKeys::new().with(KEY_ID, &KEY);
    let policy = Policy::new().rule(rule());
    let spec = BcbSpec {
        block: NewBlock::from(rule().source),
        targets: &[1],
        iv: &IV,
        aes_variant: Some(AesVariant::A256Gcm),
        scope: Some(Scope::ALL),
        key: KEY_ID,
        wrap: None,
    };

    // Before timing: ours and raw compute the same thing on the same octets.
    let sealed = add_bcb(&bundle, &spec, &keys, &OPTIONS).unwrap();
    let view = BundleView::parse(&sealed).unwrap();
    let (bcb, _) = view.block_of_type(block_type::BCB).unwrap();
    assert_eq!(bcb.number, 2, "the BCB header the AAD assumes");
    let ours_tag = &bcb.data[bcb.data.len() - TAG_LEN..];
    let aad = aad(&bundle);
    assert_eq!(aad.len(), 1 + view.primary_span().len() + 3 + 3);
    let (ciphertext, tag) = raw_encrypt(&aad, &payload);
    assert_eq!(view.payload(), ciphertext.as_slice(), "same ciphertext");
    assert_eq!(ours_tag, tag.as_slice(), "same tag");
    assert_eq!(raw_decrypt(&aad, &ciphertext, &tag), payload);
    assert_eq!(
        cipher_encrypt(&aad, &payload),
        (ciphertext.clone(), tag.into())
    );
    assert_eq!(cipher_decrypt(&aad, &ciphertext, &tag), payload);
    let accepted = accept(&sealed, &policy, &keys, None, &OPTIONS).unwrap();
    assert_eq!(
        BundleView::parse(&accepted.bundle).unwrap().payload(),
        payload
    );
    let mut ivs = IvCounter::new([0, 0, 0, 1], 0);
    let via_policy = seal(&bundle, &policy, &rule().source, &keys, &mut ivs, &OPTIONS).unwrap();
    assert_eq!(via_policy.len(), sealed.len());

    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(payload_len as u64));
    g.bench_function("ours_add_bcb", |b| {
        b.iter(|| add_bcb(black_box(&bundle), &spec, &keys, &OPTIONS).unwrap())
    });
    g.bench_function("ours_seal_policy", |b| {
        b.iter(|| {
            seal(
                black_box(&bundle),
                &policy,
                &rule().source,
                &keys,
                &mut ivs,
                &OPTIONS,
            )
            .unwrap()
        })
    });
    g.bench_function("raw_aes_gcm_encrypt", |b| {
        b.iter(|| raw_encrypt(black_box(&aad), black_box(&payload)))
    });
    g.bench_function("raw_bpsec_cipher_encrypt", |b| {
        b.iter(|| cipher_encrypt(black_box(&aad), black_box(&payload)))
    });
    g.bench_function("ours_accept", |b| {
        b.iter(|| accept(black_box(&sealed), &policy, &keys, None, &OPTIONS).unwrap())
    });
    g.bench_function("raw_aes_gcm_decrypt", |b| {
        b.iter(|| raw_decrypt(black_box(&aad), black_box(&ciphertext), black_box(&tag)))
    });
    g.bench_function("raw_bpsec_cipher_decrypt", |b| {
        b.iter(|| cipher_decrypt(black_box(&aad), black_box(&ciphertext), black_box(&tag)))
    });
    g.finish();
}

fn bcb(c: &mut Criterion) {
    // The payload carries no CRC: BPSec authenticates it, and RFC 9173 §4.8.1 removes a BCB
    // target's CRC anyway. The last group shows what a CRC-32C on the 64 KiB plaintext costs
    // (the strict parse checks it before sealing).
    bench_size(c, "bpsec_bcb_64B", 64, CrcType::None);
    bench_size(c, "bpsec_bcb_64KiB", 64 * 1024, CrcType::None);
    bench_size(
        c,
        "bpsec_bcb_64KiB_payload_crc32c",
        64 * 1024,
        CrcType::Crc32C,
    );
}

criterion_group!(benches, bcb);
criterion_main!(benches);
