//! One test per refusal of the SDLS-EP executor (355.1-B-1): each asserts the typed error and,
//! through `World::refuses`, that the SA table, the key ring and the executor are exactly as
//! they were (all or nothing).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod ep_fixture;

use ccsds_sdls::ep::{Command, EpError, Executor, KeyState, field, seal_otar};
use ccsds_sdls::{Error, ErrorKind, KeyId, SaState, Spi, WireError};
use ep_fixture::*;

const IV12: [u8; 12] = [0; 12];

/// A wire refusal at `field`, of the kind `kind` matches.
fn wire(err: EpError, field: &str, kind: impl Fn(ErrorKind) -> bool) {
    match err {
        EpError::Wire(WireError {
            field: f, kind: k, ..
        }) if f == field && kind(k) => {}
        other => panic!("expected a wire error at {field}, got {other:?}"),
    }
}

fn transition(state: SaState, procedure: &'static str) -> EpError {
    EpError::Sdls(Error::InvalidTransition { state, procedure })
}

// ---- Malformed PDUs ----

#[test]
fn truncated_pdu() {
    let mut w = World::new();
    let err = w.refuses(&[0x02, 0x00]);
    wire(err, "pdu_header", |k| {
        matches!(k, ErrorKind::Truncated { .. })
    });
    let err = w.refuses(&[0x02, 0x00, 0x20, 0x00, 0xC8]);
    wire(err, "pdu_value", |k| {
        matches!(k, ErrorKind::Truncated { .. })
    });
}

#[test]
fn length_not_in_whole_octets() {
    let mut w = World::new();
    let err = w.refuses(&[0x02, 0x00, 0x11, 0x00, 0xC9]);
    wire(err, field::LENGTH.name, |k| {
        k == ErrorKind::InvalidValue { value: 17 }
    });
}

#[test]
fn odd_length_key_id_list() {
    let mut w = World::new();
    let err = w.refuses(&[0x02, 0x00, 0x18, 0x00, 0xC9, 0x00]);
    wire(err, "key_id_list", |k| {
        matches!(k, ErrorKind::LengthMismatch { .. })
    });
}

#[test]
fn trailing_octets_after_the_pdu() {
    let mut w = World::new();
    let mut p = activate(&[K_PRE]);
    p.extend_from_slice(&[0x66, 0xF5]);
    let err = w.refuses(&p);
    wire(err, field::LENGTH.name, |k| {
        k == ErrorKind::LengthMismatch {
            declared: 2,
            actual: 4,
        }
    });
}

#[test]
fn a_reply_is_not_a_command() {
    let mut w = World::new();
    let err = w.refuses(&[0x9F, 0x00, 0x10, 0x00, 0x03]);
    wire(err, field::TYPE.name, |k| {
        matches!(k, ErrorKind::InvalidValue { .. })
    });
}

#[test]
fn procedure_not_executed_create_sa() {
    let mut w = World::new();
    let err = w.refuses(&[0x11, 0x00, 0x10, 0x00, 0x09]);
    wire(err, field::PROCEDURE_ID.name, |k| {
        k == ErrorKind::InvalidValue { value: 1 }
    });
}

#[test]
fn verification_with_a_partial_block() {
    let mut w = World::new();
    let err = w.refuses(&[0x04, 0x00, 0x18, 0x00, 0xC8, 0x01]);
    wire(err, field::LENGTH.name, |k| {
        matches!(k, ErrorKind::LengthMismatch { .. })
    });
}

// ---- Key management ----

#[test]
fn activation_of_an_unknown_key_activates_none() {
    let mut w = World::new();
    // K_PRE alone would activate; with an unknown id next to it, nothing does.
    assert_eq!(
        w.refuses(&activate(&[K_PRE, 999])),
        EpError::UnknownKey(KeyId(999))
    );
}

#[test]
fn activation_of_a_key_in_the_wrong_state() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&activate(&[K_PRE, K_ACTIVE])),
        EpError::KeyState {
            key: KeyId(K_ACTIVE),
            expected: KeyState::PreActive,
            found: KeyState::Active
        }
    );
}

#[test]
fn deactivated_key_is_never_reactivated() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&activate(&[K_DEACTIVATED])),
        EpError::KeyState {
            key: KeyId(K_DEACTIVATED),
            expected: KeyState::PreActive,
            found: KeyState::Deactivated
        }
    );
}

#[test]
fn deactivation_of_a_pre_active_key() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&deactivate(&[K_PRE])),
        EpError::KeyState {
            key: KeyId(K_PRE),
            expected: KeyState::Active,
            found: KeyState::PreActive
        }
    );
}

#[test]
fn destruction_of_an_active_key() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&destroy(&[K_DEACTIVATED, K_ACTIVE])),
        EpError::KeyState {
            key: KeyId(K_ACTIVE),
            expected: KeyState::Deactivated,
            found: KeyState::Active
        }
    );
}

#[test]
fn destroyed_key_stays_destroyed() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&destroy(&[K_DESTROYED])),
        EpError::KeyState {
            key: KeyId(K_DESTROYED),
            expected: KeyState::Deactivated,
            found: KeyState::Destroyed
        }
    );
}

#[test]
fn same_key_twice_in_a_list() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&activate(&[K_PRE, K_PRE])),
        EpError::DuplicateKeyId(KeyId(K_PRE))
    );
}

#[test]
fn master_key_state_is_not_changed_over_the_link() {
    let mut w = World::new();
    assert_eq!(w.refuses(&deactivate(&[0])), EpError::MasterKeyId(KeyId(0)));
}

#[test]
fn otar_uploading_a_master_key_id() {
    let mut w = World::new();
    let p = otar(0, &master_0(), &[(300, [1; 32]), (5, [2; 32])]);
    assert_eq!(w.refuses(&p), EpError::MasterKeyId(KeyId(5)));
}

#[test]
fn otar_mkid_outside_the_master_range() {
    let mut w = World::new();
    let p = otar(K_ACTIVE, &[0x20; 32], &[(300, [1; 32])]);
    assert_eq!(w.refuses(&p), EpError::NotAMasterKey(KeyId(K_ACTIVE)));
}

#[test]
fn otar_under_an_unknown_master_key() {
    let mut w = World::new();
    let p = otar(1, &master_0(), &[(300, [1; 32])]);
    assert_eq!(w.refuses(&p), EpError::NotAMasterKey(KeyId(1)));
}

/// CryptoLib's OTAR vector with one ciphertext bit flipped: the GCM tag fails, nothing is
/// installed (`ut_ep_key_mgmt.EP_KEY_MGMT.OTAR_0_140_142`).
#[test]
fn otar_with_a_bad_mac() {
    let mut w = World::new();
    let (mut p, _) = otar_vector();
    p[3 + 2 + 12 + 5] ^= 0x01;
    assert_eq!(w.refuses(&p), EpError::OtarAuthentication(KeyId(0)));
}

#[test]
fn otar_of_a_key_id_already_present() {
    let mut w = World::new();
    let p = otar(0, &master_0(), &[(300, [1; 32]), (K_PRE, [2; 32])]);
    assert_eq!(w.refuses(&p), EpError::KeyExists(KeyId(K_PRE)));
}

#[test]
fn otar_of_a_destroyed_key_id() {
    let mut w = World::new();
    let p = otar(0, &master_0(), &[(K_DESTROYED, [2; 32])]);
    assert_eq!(w.refuses(&p), EpError::KeyExists(KeyId(K_DESTROYED)));
}

#[test]
fn otar_with_one_id_twice() {
    let mut w = World::new();
    let p = otar(0, &master_0(), &[(300, [1; 32]), (300, [2; 32])]);
    assert_eq!(w.refuses(&p), EpError::DuplicateKeyId(KeyId(300)));
}

#[test]
fn seal_otar_refuses_what_the_executor_would() {
    let mut buf = [0u8; 256];
    assert_eq!(
        seal_otar(
            KeyId(0),
            &[0; 16],
            &IV12,
            &[(KeyId(300), &[0; 32])],
            &mut buf
        ),
        Err(EpError::Sdls(Error::KeyLength { len: 16 }))
    );
    assert!(matches!(
        seal_otar(KeyId(0), &[0; 32], &IV12, &[], &mut buf),
        Err(EpError::Wire(_))
    ));
    assert!(matches!(
        seal_otar(
            KeyId(0),
            &[0; 32],
            &IV12,
            &[(KeyId(300), &[0; 32])],
            &mut buf[..40]
        ),
        Err(EpError::Wire(WireError {
            kind: ErrorKind::BufferTooSmall { .. },
            ..
        }))
    ));
}

#[test]
fn verification_of_a_deactivated_key() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&verify(&[K_ACTIVE, K_DEACTIVATED])),
        EpError::KeyState {
            key: KeyId(K_DEACTIVATED),
            expected: KeyState::Active,
            found: KeyState::Deactivated
        }
    );
}

#[test]
fn verification_of_a_master_key() {
    let mut w = World::new();
    assert_eq!(w.refuses(&verify(&[0])), EpError::MasterKeyId(KeyId(0)));
}

#[test]
fn verification_of_a_key_aes_gcm_cannot_use() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&verify(&[K_HMAC])),
        EpError::Sdls(Error::KeyLength { len: 64 })
    );
}

#[test]
fn verification_reply_buffer_too_small() {
    let mut w = World::new();
    let err = w.refuses_with_reply(&verify(&[K_ACTIVE]), &mut [0u8; 48]);
    wire(err, "pdu", |k| {
        k == ErrorKind::BufferTooSmall {
            needed: 49,
            available: 48,
        }
    });
    assert_eq!(w.exec.last_verification_iv(), 0, "no IV was spent");
}

#[test]
fn verification_reply_longer_than_a_pdu() {
    let mut w = World::new();
    // 200 blocks: 9200 reply octets, over the 8191 a PDU length can say.
    let err = w.refuses_with_reply(&verify(&[K_ACTIVE; 200]), &mut [0u8; 10_000]);
    wire(err, field::LENGTH.name, |k| {
        matches!(k, ErrorKind::InvalidValue { .. })
    });
}

#[test]
fn verification_iv_exhausted() {
    let mut w = World::new();
    w.exec = Executor::new((1u128 << 96) - 1);
    assert_eq!(
        w.refuses(&verify(&[K_ACTIVE])),
        EpError::VerificationIvExhausted
    );
}

#[test]
fn inventory_range_backwards() {
    let mut w = World::new();
    let p = pdu(Command::KeyInventory {
        first: KeyId(300),
        last: KeyId(200),
    });
    let err = w.refuses(&p);
    wire(err, "last_key_id", |k| {
        k == ErrorKind::InvalidValue { value: 200 }
    });
}

#[test]
fn inventory_reply_buffer_too_small() {
    let mut w = World::new();
    let p = pdu(Command::KeyInventory {
        first: KeyId(0),
        last: KeyId(0xFFFF),
    });
    let err = w.refuses_with_reply(&p, &mut [0u8; 10]);
    wire(err, "pdu", |k| {
        matches!(k, ErrorKind::BufferTooSmall { .. })
    });
}

// ---- SA management ----

#[test]
fn unknown_spi() {
    let mut w = World::new();
    for p in [
        pdu(Command::StopSa(Spi(99))),
        pdu(Command::SaStatus(Spi(99))),
        rekey(Spi(99), K_ACTIVE, &IV12),
    ] {
        assert_eq!(w.refuses(&p), EpError::Sdls(Error::UnknownSpi(Spi(99))));
    }
}

#[test]
fn rekey_with_a_pre_active_key() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&rekey(SPI_UNKEYED, K_PRE, &IV12)),
        EpError::KeyState {
            key: KeyId(K_PRE),
            expected: KeyState::Active,
            found: KeyState::PreActive
        }
    );
}

#[test]
fn rekey_with_an_unknown_key() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&rekey(SPI_UNKEYED, 999, &IV12)),
        EpError::UnknownKey(KeyId(999))
    );
}

#[test]
fn rekey_with_a_master_key() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&rekey(SPI_UNKEYED, 0, &IV12)),
        EpError::MasterKeyId(KeyId(0))
    );
}

#[test]
fn rekey_with_a_key_the_suite_cannot_use() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&rekey(SPI_UNKEYED, K_HMAC, &IV12)),
        EpError::Sdls(Error::KeyLength { len: 64 })
    );
}

#[test]
fn rekey_with_a_short_iv() {
    let mut w = World::new();
    let err = w.refuses(&rekey(SPI_UNKEYED, K_ACTIVE, &[0; 6]));
    wire(err, "iv", |k| {
        k == ErrorKind::LengthMismatch {
            declared: 12,
            actual: 6,
        }
    });
}

#[test]
fn rekey_of_a_keyed_sa() {
    let mut w = World::new();
    assert_eq!(
        w.refuses(&rekey(SPI_KEYED, K_ACTIVE, &IV12)),
        transition(SaState::Keyed, "rekey")
    );
}

#[test]
fn start_of_an_unkeyed_sa() {
    let mut w = World::new();
    let p = pdu(Command::StartSa {
        spi: SPI_UNKEYED,
        gvcids: &[],
    });
    assert_eq!(w.refuses(&p), transition(SaState::Unkeyed, "start"));
}

#[test]
fn start_with_a_partial_gvcid() {
    let mut w = World::new();
    let p = pdu(Command::StartSa {
        spi: SPI_KEYED,
        gvcids: &[0, 3, 0],
    });
    wire(w.refuses(&p), "gvcid", |k| {
        matches!(k, ErrorKind::LengthMismatch { .. })
    });
}

#[test]
fn start_after_the_key_was_deactivated() {
    let mut w = World::new();
    w.execute(&pdu(Command::StopSa(SPI_OPERATIONAL)), &mut [])
        .unwrap();
    w.execute(&deactivate(&[K_ACTIVE]), &mut []).unwrap();
    let p = pdu(Command::StartSa {
        spi: SPI_KEYED,
        gvcids: &[],
    });
    assert_eq!(
        w.refuses(&p),
        EpError::KeyState {
            key: KeyId(K_ACTIVE),
            expected: KeyState::Active,
            found: KeyState::Deactivated
        }
    );
}

#[test]
fn stop_of_a_keyed_sa() {
    let mut w = World::new();
    let p = pdu(Command::StopSa(SPI_KEYED));
    assert_eq!(w.refuses(&p), transition(SaState::Keyed, "stop"));
}

#[test]
fn expire_of_an_operational_sa() {
    let mut w = World::new();
    let p = pdu(Command::ExpireSa(SPI_OPERATIONAL));
    assert_eq!(w.refuses(&p), transition(SaState::Operational, "expire"));
}

#[test]
fn set_arsn_while_operational() {
    let mut w = World::new();
    let p = pdu(Command::SetArsn {
        spi: SPI_OPERATIONAL,
        arsn: &[0, 9],
    });
    assert_eq!(w.refuses(&p), transition(SaState::Operational, "set_arsn"));
}

#[test]
fn set_arsn_of_the_wrong_length() {
    let mut w = World::new();
    let p = pdu(Command::SetArsn {
        spi: SPI_KEYED,
        arsn: &[9],
    });
    wire(w.refuses(&p), "arsn", |k| {
        k == ErrorKind::LengthMismatch {
            declared: 0,
            actual: 1,
        }
    });
}

#[test]
fn set_window_while_operational() {
    let mut w = World::new();
    let p = pdu(Command::SetArsnWindow {
        spi: SPI_OPERATIONAL,
        window: &[3],
    });
    assert_eq!(w.refuses(&p), transition(SaState::Operational, "set_arsnw"));
}

#[test]
fn set_window_of_no_octets() {
    let mut w = World::new();
    let p = pdu(Command::SetArsnWindow {
        spi: SPI_KEYED,
        window: &[],
    });
    wire(w.refuses(&p), "arsnw", |k| {
        matches!(k, ErrorKind::LengthMismatch { .. })
    });
}

#[test]
fn status_reply_buffer_too_small() {
    let mut w = World::new();
    let err = w.refuses_with_reply(&pdu(Command::SaStatus(SPI_KEYED)), &mut [0u8; 5]);
    wire(err, "pdu", |k| {
        k == ErrorKind::BufferTooSmall {
            needed: 6,
            available: 5,
        }
    });
}

#[test]
fn read_arsn_reply_buffer_too_small() {
    let mut w = World::new();
    let err = w.refuses_with_reply(&pdu(Command::ReadArsn(SPI_OPERATIONAL)), &mut []);
    wire(err, "pdu", |k| {
        matches!(k, ErrorKind::BufferTooSmall { .. })
    });
}
