#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `Payload::apply`: each precondition has its own test and typed error; refused messages
//! change nothing; rotation accepts only generation + 1 and then only the new key.

use otar::ground::{Ground, wrap};
use otar::key::expected_proof;
use otar::message::{Body, KeyIds, Response, Uploads, WrappedKey};
use otar::payload::Payload;
use otar::sign::SigningKey;
use otar::{ActivationPolicy, KeyId, KeyState, KeyStore, OtarError, Purpose};

const NODE: u64 = 1;
const KEK: KeyId = KeyId(1);
const KEK_OCTETS: [u8; 32] = [0x4B; 32];

fn setup(policy: ActivationPolicy) -> (Ground, Payload) {
    let ground = Ground::new(SigningKey::from_seed(&[1; 32], 1), 1);
    let mut store = KeyStore::new();
    store
        .provision(KEK, Purpose::KeyEncryption, &KEK_OCTETS)
        .unwrap();
    let payload = Payload::new(NODE, ground.verifying_key(), store, policy);
    (ground, payload)
}

fn upload(ground: &mut Ground, kek: KeyId, kek_octets: &[u8], keys: &[(u32, u8)]) -> Vec<u8> {
    let wrapped: Vec<Vec<u8>> = keys
        .iter()
        .map(|&(_, b)| wrap(kek, kek_octets, &[b; 32]).unwrap())
        .collect();
    let entries: Vec<WrappedKey<'_>> = keys
        .iter()
        .zip(&wrapped)
        .map(|(&(id, _), w)| WrappedKey {
            id: KeyId(id),
            purpose: Purpose::BundleIntegrity,
            wrapped: w,
        })
        .collect();
    ground
        .sign(
            NODE,
            Body::KeyUpload {
                kek,
                keys: Uploads::new(&entries),
            },
        )
        .unwrap()
}

#[derive(Clone, Copy)]
enum Cmd {
    Activate,
    Deactivate,
    Destroy,
}

fn ids(ground: &mut Ground, cmd: Cmd, list: &[u32]) -> Vec<u8> {
    let list: Vec<KeyId> = list.iter().copied().map(KeyId).collect();
    let ids = KeyIds::new(&list);
    let body = match cmd {
        Cmd::Activate => Body::Activate(ids),
        Cmd::Deactivate => Body::Deactivate(ids),
        Cmd::Destroy => Body::Destroy(ids),
    };
    ground.sign(NODE, body).unwrap()
}

#[test]
fn upload_stages_then_activate_on_command() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    assert_eq!(
        p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0), (11, 0xA1)])),
        Ok(Response::Ack { counter: 1 })
    );
    assert_eq!(
        p.store().staged().collect::<Vec<_>>(),
        [KeyId(10), KeyId(11)]
    );
    assert_eq!(p.store().active_octets(KeyId(10)), None);
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Activate, &[10])),
        Ok(Response::Ack { counter: 2 })
    );
    assert_eq!(p.store().active_octets(KeyId(10)), Some(&[0xA0; 32][..]));
    assert_eq!(p.store().state(KeyId(11)), Some(KeyState::PreActive));
    assert_eq!(p.last_counter(), 2);
}

#[test]
fn upload_activates_on_receipt() {
    let (mut g, mut p) = setup(ActivationPolicy::OnReceipt);
    p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0)]))
        .unwrap();
    assert_eq!(p.store().active_octets(KeyId(10)), Some(&[0xA0; 32][..]));
}

#[test]
fn verify_proves_possession() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0)]))
        .unwrap();
    let challenge = [0x77; 16];
    let r = p
        .apply(
            &g.sign(
                NODE,
                Body::Verify {
                    id: KeyId(10),
                    challenge,
                },
            )
            .unwrap(),
        )
        .unwrap();
    assert_eq!(
        r,
        Response::Verified {
            counter: 2,
            id: KeyId(10),
            proof: expected_proof(&[0xA0; 32], KeyId(10), &challenge)
        }
    );
    let r = p.apply(
        &g.sign(
            NODE,
            Body::Verify {
                id: KeyId(99),
                challenge,
            },
        )
        .unwrap(),
    );
    assert_eq!(r, Err(OtarError::UnknownKey(KeyId(99))));
}

#[test]
fn bad_signature() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    // A message signed by someone else.
    let mut impostor = Ground::new(SigningKey::from_seed(&[2; 32], 1), 1);
    assert_eq!(
        p.apply(&ids(&mut impostor, Cmd::Activate, &[1])),
        Err(OtarError::BadSignature)
    );
    // A genuine message with one bit flipped inside the signed bytes (target 1 → 3).
    let mut m = ids(&mut g, Cmd::Activate, &[1]);
    let pos = m
        .windows(4)
        .position(|w| w == [0x85, 0x01, 0x01, 0x01])
        .unwrap();
    m[pos + 3] ^= 0x02;
    assert_eq!(p.apply(&m), Err(OtarError::BadSignature));
    assert_eq!(p.last_counter(), 0);
}

#[test]
fn wrong_target() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    let m = g.sign(2, Body::Activate(KeyIds::new(&[KeyId(1)]))).unwrap();
    assert_eq!(
        p.apply(&m),
        Err(OtarError::WrongTarget {
            expected: 1,
            found: 2
        })
    );
}

#[test]
fn stale_counter() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    let first = upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0)]);
    let second = g
        .sign(
            NODE,
            Body::Verify {
                id: KEK,
                challenge: [1; 16],
            },
        )
        .unwrap();
    p.apply(&second).unwrap();
    // Older message delivered late, and a replay of the accepted one.
    assert_eq!(
        p.apply(&first),
        Err(OtarError::StaleCounter {
            last: 2,
            received: 1
        })
    );
    assert_eq!(
        p.apply(&second),
        Err(OtarError::StaleCounter {
            last: 2,
            received: 2
        })
    );
}

#[test]
fn unknown_key() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Activate, &[42])),
        Err(OtarError::UnknownKey(KeyId(42)))
    );
    assert_eq!(
        p.apply(&upload(&mut g, KeyId(5), &KEK_OCTETS, &[(10, 0xA0)])),
        Err(OtarError::UnknownKey(KeyId(5)))
    );
}

#[test]
fn key_not_in_state() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0)]))
        .unwrap();
    let not = |key, expected, found| {
        Err(OtarError::KeyNotInState {
            key: KeyId(key),
            expected,
            found,
        })
    };
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Deactivate, &[10])),
        not(10, KeyState::Active, KeyState::PreActive)
    );
    p.apply(&ids(&mut g, Cmd::Activate, &[10])).unwrap();
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Activate, &[10])),
        not(10, KeyState::PreActive, KeyState::Active)
    );
    // An active key cannot be destroyed directly.
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Destroy, &[10])),
        not(10, KeyState::Deactivated, KeyState::Active)
    );
    p.apply(&ids(&mut g, Cmd::Deactivate, &[10])).unwrap();
    // No way back to active, and the KEK must be active to unwrap.
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Activate, &[10])),
        not(10, KeyState::PreActive, KeyState::Deactivated)
    );
    p.apply(&ids(&mut g, Cmd::Destroy, &[10])).unwrap();
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Destroy, &[10])),
        not(10, KeyState::Deactivated, KeyState::Destroyed)
    );
    assert_eq!(
        p.apply(
            &g.sign(
                NODE,
                Body::Verify {
                    id: KeyId(10),
                    challenge: [0; 16]
                }
            )
            .unwrap()
        ),
        not(10, KeyState::Active, KeyState::Destroyed)
    );
    p.apply(&ids(&mut g, Cmd::Deactivate, &[1])).unwrap();
    assert_eq!(
        p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(12, 0xA2)])),
        not(1, KeyState::Active, KeyState::Deactivated)
    );
}

#[test]
fn upload_preconditions() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    // Wrapped under another key: the RFC 3394 integrity check fails.
    assert_eq!(
        p.apply(&upload(&mut g, KEK, &[0x11; 32], &[(10, 0xA0)])),
        Err(OtarError::Unwrap(KEK))
    );
    // The same id twice in one message, and an id already in the store.
    assert_eq!(
        p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0), (10, 0xA1)])),
        Err(OtarError::DuplicateKey(KeyId(10)))
    );
    assert_eq!(
        p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(1, 0xA0)])),
        Err(OtarError::DuplicateKey(KEK))
    );
    // A key that is not a key-encryption key cannot be used as one.
    p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0)]))
        .unwrap();
    p.apply(&ids(&mut g, Cmd::Activate, &[10])).unwrap();
    assert_eq!(
        p.apply(&upload(&mut g, KeyId(10), &[0xA0; 32], &[(11, 0xA1)])),
        Err(OtarError::PurposeMismatch {
            key: KeyId(10),
            expected: Purpose::KeyEncryption,
            found: Purpose::BundleIntegrity
        })
    );
    // A destroyed id is never reused.
    p.apply(&ids(&mut g, Cmd::Deactivate, &[10])).unwrap();
    p.apply(&ids(&mut g, Cmd::Destroy, &[10])).unwrap();
    assert_eq!(
        p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0)])),
        Err(OtarError::KeyIdReused(KeyId(10)))
    );
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Activate, &[1, 1])),
        Err(OtarError::DuplicateKey(KEK))
    );
}

#[test]
fn all_or_nothing() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    p.apply(&upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0), (11, 0xA1)]))
        .unwrap();
    // Second id bad: the first is not activated either, and the counter does not move.
    assert_eq!(
        p.apply(&ids(&mut g, Cmd::Activate, &[10, 12])),
        Err(OtarError::UnknownKey(KeyId(12)))
    );
    assert_eq!(p.store().state(KeyId(10)), Some(KeyState::PreActive));
    assert_eq!(p.last_counter(), 1);
    // Second key of an upload fails to unwrap: the first is not staged.
    let good = wrap(KEK, &KEK_OCTETS, &[0xB0; 32]).unwrap();
    let bad = wrap(KEK, &[0x22; 32], &[0xB1; 32]).unwrap();
    let entries = [
        WrappedKey {
            id: KeyId(20),
            purpose: Purpose::LinkSdls,
            wrapped: &good,
        },
        WrappedKey {
            id: KeyId(21),
            purpose: Purpose::LinkSdls,
            wrapped: &bad,
        },
    ];
    let m = g
        .sign(
            NODE,
            Body::KeyUpload {
                kek: KEK,
                keys: Uploads::new(&entries),
            },
        )
        .unwrap();
    assert_eq!(p.apply(&m), Err(OtarError::Unwrap(KEK)));
    assert_eq!(p.store().state(KeyId(20)), None);
    // The refused message's counter (3) is still usable by a later one (4): nothing moved.
    p.apply(&ids(&mut g, Cmd::Activate, &[10, 11])).unwrap();
    assert_eq!(p.last_counter(), 4);
}

#[test]
fn rotation_accepts_only_the_next_generation() {
    let (mut g, mut p) = setup(ActivationPolicy::OnCommand);
    // Skipping a generation, or re-announcing the current one, is refused.
    for generation in [3, 1, 0] {
        let next = SigningKey::from_seed(&[9; 32], generation);
        let pk = next.verifying_key().to_bytes();
        let m = g
            .sign(
                NODE,
                Body::RotateSigningKey {
                    public_key: &pk,
                    generation,
                },
            )
            .unwrap();
        assert_eq!(
            p.apply(&m),
            Err(OtarError::WrongGeneration {
                current: 1,
                received: generation
            })
        );
    }
    assert!(
        g.rotation_message(NODE, &SigningKey::from_seed(&[9; 32], 3))
            .is_err()
    );
    let old_key = SigningKey::from_seed(&[1; 32], 1);
    let next = SigningKey::from_seed(&[9; 32], 2);
    let rotation = g.rotation_message(NODE, &next).unwrap();
    let pre_signed_by_old = ids(&mut g, Cmd::Activate, &[1]);
    assert_eq!(p.apply(&rotation).unwrap().counter(), 4);
    assert_eq!(p.ground_key().generation(), 2);
    g.commit_rotation(next).unwrap();

    // Replayed rotation: the old key no longer verifies (and it is stale anyway).
    assert_eq!(p.apply(&rotation), Err(OtarError::BadSignature));
    // Anything signed by the old key is refused, even with a fresh counter.
    assert_eq!(p.apply(&pre_signed_by_old), Err(OtarError::BadSignature));
    let mut compromised = Ground::new(old_key, 100);
    assert_eq!(
        p.apply(&ids(&mut compromised, Cmd::Activate, &[1])),
        Err(OtarError::BadSignature)
    );
    // A compromised old key cannot roll the payload back to a key of its choice.
    let evil = SigningKey::from_seed(&[6; 32], 2);
    assert_eq!(
        p.apply(&compromised.rotation_message(NODE, &evil).unwrap()),
        Err(OtarError::BadSignature)
    );
    // The new key works.
    let upload = upload(&mut g, KEK, &KEK_OCTETS, &[(10, 0xA0)]);
    assert_eq!(p.apply(&upload), Ok(Response::Ack { counter: 6 }));
}

#[test]
fn wrong_signer_generation_in_header() {
    let (_, mut p) = setup(ActivationPolicy::OnCommand);
    // Same key, but it claims generation 2 while the payload is at 1.
    let mut g2 = Ground::new(SigningKey::from_seed(&[1; 32], 2), 1);
    assert_eq!(
        p.apply(&ids(&mut g2, Cmd::Activate, &[1])),
        Err(OtarError::WrongGeneration {
            current: 1,
            received: 2
        })
    );
}

#[test]
fn malformed_input_is_an_error() {
    let (_, mut p) = setup(ActivationPolicy::OnCommand);
    assert!(matches!(p.apply(&[]), Err(OtarError::Cbor(_))));
    assert!(matches!(
        p.apply(&[0x82, 0x40, 0x40]),
        Err(OtarError::Malformed { .. })
    ));
}
