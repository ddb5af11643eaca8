//! Criterion benches of `otar`: sign and verify times of one OTAR message (a `KeyUpload`
//! carrying one RFC 3394-wrapped 256-bit key), next to the raw `ml-dsa` crate signing and
//! verifying the very same message octets with the same ML-DSA-65 key and the same FIPS 204
//! context string, in the same criterion group (issue #5).
//!
//! - `ground_sign`: `Ground::sign`: CBOR-encode the `Message`, deterministic ML-DSA.Sign
//!   through `otar::sign`, encode the signature, CBOR-encode the `SignedMessage` envelope.
//! - `raw_mldsa_sign`: `ExpandedSigningKey::sign_deterministic(message, CONTEXT)` + `encode()`
//!   of the same message octets (ML-DSA signing time depends on the message through the
//!   rejection loop, FIPS 204 Algorithm 7, so both rows must sign the same octets: checked
//!   before timing, the signatures are equal).
//! - `raw_mldsa_sign_64_counters`: the same, cycling through the same body at counters
//!   1..=64 (64 distinct messages): the mean signing time over messages, not one message's.
//! - `ground_sign_counting`: `Ground::sign` as in service, one `Ground` whose counter
//!   advances every iteration (a new message each time; the counter's CBOR head grows from
//!   1 to 3 octets over the run), to compare with the previous row.
//! - `payload_apply`: `Payload::apply` of the signed envelope: envelope parse, signature
//!   check, message parse, header checks, KEK state/purpose checks, RFC 3394 unwrap, stage.
//! - `otar_verify`: `otar::sign::VerifyingKey::verify` alone (signature decode + ML-DSA.Verify).
//! - `raw_mldsa_verify`: `Signature::try_from` (decode) + `verify_with_context` in the crate.
//!
//! No OTAR message is idempotent: every accepted one advances the payload's counter, so a
//! second `apply` of the same octets is refused as stale right after the signature check.
//! `payload_apply` therefore gets a freshly provisioned `Payload` per iteration
//! (`iter_batched`, setup not timed; the used payload is dropped outside the timing too).
//! Likewise `ground_sign` gets a fresh `Ground` at counter 1 per iteration, so each iteration
//! signs the same octets as the raw row (`Ground` advances its counter and owns its key).
//!
//! `cargo bench -p borealis-benches --bench otar`
// Benchmark code, not flight code: unwraps on known-good, self-generated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ml_dsa::{B32, Keypair, MlDsa65, Signature};
use otar::ground::{Ground, wrap};
use otar::message::{Body, Response, SignedMessage, Uploads, WrappedKey};
use otar::payload::Payload;
use otar::sign::{CONTEXT, SigningKey};
use otar::{ActivationPolicy, KeyId, KeyStore, Purpose};

const NODE: u64 = 1;
const SEED: [u8; 32] = [0x5A; 32];
const KEK: KeyId = KeyId(1);
const KEK_OCTETS: [u8; 32] = [0x4B; 32];
const UPLOADED: KeyId = KeyId(10);
/// Distinct messages of the rotating signing row.
const ROTATING: usize = 64;

fn ground() -> Ground {
    Ground::new(SigningKey::from_seed(&SEED, 1), 1)
}

fn payload(ground: &Ground) -> Payload {
    let mut store = KeyStore::new();
    store
        .provision(KEK, Purpose::KeyEncryption, &KEK_OCTETS)
        .unwrap();
    Payload::new(
        NODE,
        ground.verifying_key(),
        store,
        ActivationPolicy::OnCommand,
    )
}

fn bench_key_upload(c: &mut Criterion) {
    let wrapped = wrap(KEK, &KEK_OCTETS, &[0xA0; 32]).unwrap();
    let entries = [WrappedKey {
        id: UPLOADED,
        purpose: Purpose::BundleIntegrity,
        wrapped: &wrapped,
    }];
    let body = Body::KeyUpload {
        kek: KEK,
        keys: Uploads::new(&entries),
    };

    // The reference message, and the same key in the raw crate.
    let g = ground();
    let signed = ground().sign(NODE, body).unwrap();
    let envelope = SignedMessage::parse(&signed).unwrap();
    let (message, signature) = (envelope.message, envelope.signature);
    let raw_sk = ml_dsa::SigningKey::<MlDsa65>::from_seed(&B32::from(SEED));
    let raw_vk = raw_sk.verifying_key();

    // Same work on both sides: the raw signature over the same octets and context is the
    // signature `Ground` put in the envelope, and the message is accepted.
    let raw_sig = raw_sk
        .expanded_key()
        .sign_deterministic(message, CONTEXT)
        .unwrap();
    assert_eq!(raw_sig.encode().as_slice(), signature);
    assert!(raw_vk.verify_with_context(message, CONTEXT, &raw_sig));
    let mut p = payload(&g);
    assert_eq!(p.apply(&signed), Ok(Response::Ack { counter: 1 }));
    assert_eq!(p.store().staged().collect::<Vec<_>>(), [UPLOADED]);

    let mut group = c.benchmark_group(format!(
        "otar_key_upload_{}B_message_{}B_signed",
        message.len(),
        signed.len()
    ));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    group.bench_function("ground_sign", |b| {
        b.iter_batched(
            ground,
            |mut g| {
                let out = g.sign(NODE, black_box(body)).unwrap();
                (g, out)
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("raw_mldsa_sign", |b| {
        b.iter(|| {
            raw_sk
                .expanded_key()
                .sign_deterministic(black_box(message), CONTEXT)
                .unwrap()
                .encode()
        })
    });
    // ML-DSA signing time varies with the message (the rejection loop runs a
    // message-dependent number of rounds): the same body at counters 1..=64, signed in turn.
    let mut rotating = ground();
    let messages: Vec<Vec<u8>> = (0..ROTATING)
        .map(|_| {
            let signed = rotating.sign(NODE, body).unwrap();
            SignedMessage::parse(&signed).unwrap().message.to_vec()
        })
        .collect();
    group.bench_function(format!("raw_mldsa_sign_{ROTATING}_counters"), |b| {
        let mut next = messages.iter().cycle();
        b.iter(|| {
            raw_sk
                .expanded_key()
                .sign_deterministic(black_box(next.next().unwrap()), CONTEXT)
                .unwrap()
                .encode()
        })
    });
    group.bench_function("ground_sign_counting", |b| {
        let mut counting = ground();
        b.iter(|| counting.sign(NODE, black_box(body)).unwrap())
    });
    group.bench_function("payload_apply", |b| {
        b.iter_batched(
            || payload(&g),
            |mut p| {
                let r = p.apply(black_box(&signed)).unwrap();
                (p, r)
            },
            BatchSize::SmallInput,
        )
    });
    let vk = g.verifying_key();
    group.bench_function("otar_verify", |b| {
        b.iter(|| vk.verify(black_box(message), black_box(signature)).unwrap())
    });
    group.bench_function("raw_mldsa_verify", |b| {
        b.iter(|| {
            let sig = Signature::<MlDsa65>::try_from(black_box(signature)).unwrap();
            assert!(raw_vk.verify_with_context(black_box(message), CONTEXT, &sig));
        })
    });
    group.finish();
}

criterion_group!(benches, bench_key_upload);
criterion_main!(benches);
