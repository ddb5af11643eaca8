#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Store file: round trip of the whole payload state, atomic write with mode 0600, and a
//! typed refusal (never a silent reset) for corrupted, truncated, foreign or missing files
//! and for a lost (wrong) master key.

use std::path::PathBuf;

use otar::ground::{Ground, wrap};
use otar::message::{Body, KeyIds, Uploads, WrappedKey};
use otar::payload::Payload;
use otar::sign::SigningKey;
use otar::store::{MAGIC, load, save};
use otar::{ActivationPolicy, KeyId, KeyState, KeyStore, OtarError, Purpose};

const MASTER: [u8; 32] = [0x3C; 32];
const KEK: KeyId = KeyId(1);

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("otar-persist-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A payload that has seen a rotation, an upload, an activation, a deactivation and a
/// destruction, with an assignment.
fn busy_payload() -> (Ground, Payload) {
    let mut g = Ground::new(SigningKey::from_seed(&[1; 32], 1), 1);
    let mut store = KeyStore::new();
    store
        .provision(KEK, Purpose::KeyEncryption, &[0x4B; 32])
        .unwrap();
    let mut p = Payload::new(9, g.verifying_key(), store, ActivationPolicy::OnCommand);
    let next = SigningKey::from_seed(&[2; 32], 2);
    p.apply(&g.rotation_message(9, &next).unwrap()).unwrap();
    g.commit_rotation(next).unwrap();
    let w: Vec<Vec<u8>> = (0..4u8)
        .map(|i| wrap(KEK, &[0x4B; 32], &[0x10 + i; 32]).unwrap())
        .collect();
    let entries: Vec<_> = (0..4)
        .map(|i| WrappedKey {
            id: KeyId(10 + i as u32),
            purpose: Purpose::BundleIntegrity,
            wrapped: &w[i],
        })
        .collect();
    p.apply(
        &g.sign(
            9,
            Body::KeyUpload {
                kek: KEK,
                keys: Uploads::new(&entries),
            },
        )
        .unwrap(),
    )
    .unwrap();
    p.apply(
        &g.sign(
            9,
            Body::Activate(KeyIds::new(&[KeyId(10), KeyId(11), KeyId(12)])),
        )
        .unwrap(),
    )
    .unwrap();
    p.apply(
        &g.sign(9, Body::Deactivate(KeyIds::new(&[KeyId(11), KeyId(12)])))
            .unwrap(),
    )
    .unwrap();
    p.apply(&g.sign(9, Body::Destroy(KeyIds::new(&[KeyId(12)]))).unwrap())
        .unwrap();
    p.store_mut()
        .assign(2, Purpose::BundleIntegrity, KeyId(10))
        .unwrap();
    (g, p)
}

#[test]
fn round_trip_keeps_every_part_of_the_state() {
    let d = dir("round-trip");
    let path = d.join("otar.store");
    let (mut g, p) = busy_payload();
    save(&path, &p, &MASTER).unwrap();
    let mut q = load(&path, &MASTER).unwrap();
    assert_eq!(
        (q.node(), q.last_counter(), q.policy()),
        (9, 5, ActivationPolicy::OnCommand)
    );
    assert_eq!(q.ground_key(), p.ground_key());
    assert_eq!(q.ground_key().generation(), 2);
    for (id, state) in [
        (1, KeyState::Active),
        (10, KeyState::Active),
        (11, KeyState::Deactivated),
        (12, KeyState::Destroyed),
        (13, KeyState::PreActive),
    ] {
        assert_eq!(q.store().state(KeyId(id)), Some(state), "key {id}");
        assert_eq!(q.store().purpose(KeyId(id)), p.store().purpose(KeyId(id)));
    }
    assert_eq!(q.store().active_octets(KeyId(10)), Some(&[0x10; 32][..]));
    assert_eq!(
        q.store().assigned(2, Purpose::BundleIntegrity),
        Some(KeyId(10))
    );
    // The restored payload goes on: counter and generation survived.
    q.apply(
        &g.sign(9, Body::Activate(KeyIds::new(&[KeyId(13)])))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(q.store().active_octets(KeyId(13)), Some(&[0x13; 32][..]));
    // Saving again replaces the file atomically and leaves no temporary behind.
    save(&path, &q, &MASTER).unwrap();
    let names: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["otar.store"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Key material is not in the file in clear.
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes
            .windows(32)
            .any(|w| w == [0x10; 32] || w == [0x4B; 32])
    );
    assert_eq!(&bytes[..8], MAGIC);
}

#[test]
fn corrupted_file_is_refused() {
    let d = dir("corrupt");
    let path = d.join("otar.store");
    let (_, p) = busy_payload();
    save(&path, &p, &MASTER).unwrap();
    let good = std::fs::read(&path).unwrap();
    for at in [8, 20, good.len() / 2, good.len() - 1] {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        std::fs::write(&path, &bad).unwrap();
        assert_eq!(
            load(&path, &MASTER).unwrap_err(),
            OtarError::StoreAuthentication,
            "flip at {at}"
        );
    }
    let mut bad = good.clone();
    bad[0] = b'X';
    std::fs::write(&path, &bad).unwrap();
    assert_eq!(
        load(&path, &MASTER).unwrap_err(),
        OtarError::StoreFormat("not an otar store file")
    );
}

#[test]
fn truncated_file_is_refused() {
    let d = dir("truncated");
    let path = d.join("otar.store");
    let (_, p) = busy_payload();
    save(&path, &p, &MASTER).unwrap();
    let good = std::fs::read(&path).unwrap();
    for len in [0, 5, 8, 40] {
        std::fs::write(&path, &good[..len]).unwrap();
        assert_eq!(
            load(&path, &MASTER).unwrap_err(),
            OtarError::StoreTruncated { len },
            "len {len}"
        );
    }
    for len in [41, good.len() / 2, good.len() - 1] {
        std::fs::write(&path, &good[..len]).unwrap();
        assert_eq!(
            load(&path, &MASTER).unwrap_err(),
            OtarError::StoreAuthentication,
            "len {len}"
        );
    }
}

/// A lost master key: the payload cannot open its store; it must be re-provisioned on the
/// ground (README), nothing is reset.
#[test]
fn wrong_master_key_is_refused() {
    let d = dir("master");
    let path = d.join("otar.store");
    let (_, p) = busy_payload();
    save(&path, &p, &MASTER).unwrap();
    let before = std::fs::read(&path).unwrap();
    assert_eq!(
        load(&path, &[0x3D; 32]).unwrap_err(),
        OtarError::StoreAuthentication
    );
    // The file is left as it was.
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(load(&path, &MASTER).is_ok());
}

#[test]
fn missing_file_is_an_io_error() {
    let d = dir("missing");
    assert_eq!(
        load(&d.join("nope"), &MASTER).unwrap_err(),
        OtarError::Io(std::io::ErrorKind::NotFound)
    );
    // Saving into a directory that does not exist fails, typed.
    let (_, p) = busy_payload();
    assert!(matches!(
        save(&d.join("no/such/dir"), &p, &MASTER),
        Err(OtarError::Io(_))
    ));
}
