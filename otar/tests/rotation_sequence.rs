#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The full key rotation of issue #5: upload → verify → activate new → deactivate old →
//! destroy old, over signed OTAR messages; then a bundle sealed with the old key is refused by
//! `bpsec::accept` resolving keys from the payload's store (`UnknownKey`), and one sealed with
//! the new key is accepted.

use bpsec::context::{Scope, bib_hmac_sha2::ShaVariant};
use bpsec::{Context, IvCounter, Options, Policy, Rule, StaticKeys, Targets};
use bpv7::block::BlockFlags;
use bpv7::bundle::BundleBuilder;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};
use otar::ground::{Ground, wrap};
use otar::key::expected_proof;
use otar::message::{Body, KeyIds, Response, Uploads, WrappedKey};
use otar::payload::Payload;
use otar::sign::SigningKey;
use otar::{ActivationPolicy, KeyId, KeyState, KeyStore, Purpose};

const NODE: u64 = 1;
const KEK: KeyId = KeyId(1);
const OLD: KeyId = KeyId(100);
const NEW: KeyId = KeyId(101);

fn bundle(ground: &Eid<'_>, sequence: u64) -> Vec<u8> {
    let primary = PrimaryBlock {
        flags: BundleFlags(0),
        crc_type: CrcType::Crc32C,
        destination: Eid::parse_uri("ipn:1.1").unwrap(),
        source: *ground,
        report_to: *ground,
        creation: CreationTimestamp {
            time: 815_000_000_000,
            sequence,
        },
        lifetime: 3_600_000,
        fragment: None,
    };
    BundleBuilder::new(primary)
        .payload(b"PING", BlockFlags(0), CrcType::None)
        .to_vec()
        .unwrap()
}

fn policy(source: Eid<'_>, key: KeyId) -> Policy<'_> {
    Policy::new().rule(Rule {
        source,
        targets: Targets::Payload,
        context: Context::HmacSha2 {
            variant: ShaVariant::Hmac256,
            scope: Scope::ALL,
        },
        key,
    })
}

#[test]
fn upload_verify_activate_deactivate_destroy_then_bundles() {
    let kek = [0x4B; 32];
    let (old_key, new_key) = ([0x01; 32], [0x02; 32]);
    let mut g = Ground::new(SigningKey::from_seed(&[7; 32], 1), 1);
    let mut store = KeyStore::new();
    store.provision(KEK, Purpose::KeyEncryption, &kek).unwrap();
    store
        .provision(OLD, Purpose::BundleIntegrity, &old_key)
        .unwrap();
    store.assign(2, Purpose::BundleIntegrity, OLD).unwrap();
    let mut p = Payload::new(NODE, g.verifying_key(), store, ActivationPolicy::OnCommand);

    let ground_eid = Eid::parse_uri("ipn:2.0").unwrap();
    let ground_keys = StaticKeys::new().with(OLD, &old_key).with(NEW, &new_key);
    let mut ivs = IvCounter::new(*b"GND1", 0);
    let old_policy = policy(ground_eid, OLD);
    let new_policy = policy(ground_eid, NEW);
    // Before the rotation, the old key protects traffic.
    let sealed_old = bpsec::seal(
        &bundle(&ground_eid, 1),
        &old_policy,
        &ground_eid,
        &ground_keys,
        &mut ivs,
        &Options::STRICT,
    )
    .unwrap();
    bpsec::accept(&sealed_old, &old_policy, p.store(), None, &Options::STRICT).unwrap();

    // 1. Upload the new key, wrapped under the KEK: it lands pre-active in staging.
    let wrapped = wrap(KEK, &kek, &new_key).unwrap();
    let entries = [WrappedKey {
        id: NEW,
        purpose: Purpose::BundleIntegrity,
        wrapped: &wrapped,
    }];
    p.apply(
        &g.sign(
            NODE,
            Body::KeyUpload {
                kek: KEK,
                keys: Uploads::new(&entries),
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(p.store().staged().collect::<Vec<_>>(), [NEW]);
    // Staged keys cannot protect anything yet.
    let sealed_new = bpsec::seal(
        &bundle(&ground_eid, 2),
        &new_policy,
        &ground_eid,
        &ground_keys,
        &mut ivs,
        &Options::STRICT,
    )
    .unwrap();
    assert_eq!(
        bpsec::accept(&sealed_new, &new_policy, p.store(), None, &Options::STRICT).unwrap_err(),
        bpsec::Error::UnknownKey(NEW)
    );

    // 2. Verify the install: the proof matches what the ground computes from the key.
    let challenge = [0xC5; 16];
    let r = p
        .apply(&g.sign(NODE, Body::Verify { id: NEW, challenge }).unwrap())
        .unwrap();
    assert_eq!(
        r,
        Response::Verified {
            counter: 2,
            id: NEW,
            proof: expected_proof(&new_key, NEW, &challenge)
        }
    );

    // 3. Activate the new key, 4. deactivate the old one, 5. destroy it.
    for body in [
        Body::Activate(KeyIds::new(&[NEW])),
        Body::Deactivate(KeyIds::new(&[OLD])),
        Body::Destroy(KeyIds::new(&[OLD])),
    ] {
        assert!(matches!(
            p.apply(&g.sign(NODE, body).unwrap()).unwrap(),
            Response::Ack { .. }
        ));
    }
    assert_eq!(p.store().state(OLD), Some(KeyState::Destroyed));
    assert_eq!(p.store().state(NEW), Some(KeyState::Active));
    assert_eq!(p.store().assigned(2, Purpose::BundleIntegrity), None);
    p.store_mut()
        .assign(2, Purpose::BundleIntegrity, NEW)
        .unwrap();

    // Bundles sealed with the old key (before or after) are refused: the store no longer
    // resolves it. The new key's bundles are accepted.
    let sealed_old_again = bpsec::seal(
        &bundle(&ground_eid, 3),
        &old_policy,
        &ground_eid,
        &ground_keys,
        &mut ivs,
        &Options::STRICT,
    )
    .unwrap();
    for b in [&sealed_old, &sealed_old_again] {
        assert_eq!(
            bpsec::accept(b, &old_policy, p.store(), None, &Options::STRICT).unwrap_err(),
            bpsec::Error::UnknownKey(OLD)
        );
    }
    let accepted =
        bpsec::accept(&sealed_new, &new_policy, p.store(), None, &Options::STRICT).unwrap();
    assert_eq!(accepted.bundle, bundle(&ground_eid, 2));
}
