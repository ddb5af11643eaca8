//! The key lifecycle of CCSDS 355.1-B-1 (SDLS Extended Procedures, key management), as
//! typestate.
//!
//! ```text
//!  OTAR upload ──► PreActive ──activate──► Active ──deactivate──► Deactivated
//!                     │                                              │
//!                     └────────────── destroy ───────────────────────┴──► Destroyed
//! ```
//!
//! * Only a [`Key<Active>`] exposes its octets ([`Key::octets`]): a pre-active or deactivated
//!   key cannot seal, open or wrap anything (355.1-B-1: only active keys may be used by a
//!   security association or as an OTAR master key).
//! * Transitions consume `self`, so the old state is gone; there is no way back from
//!   `Deactivated` to `Active`, nor from `Active` to `PreActive`.
//! * An active key cannot be destroyed directly: it must be deactivated first
//!   (355.1-B-1 key destruction applies to deactivated keys; CryptoLib enforces
//!   `state == target - 1`). A pre-active key may be destroyed, e.g. a staged upload that
//!   failed verification (NIST SP 800-57 Part 1 §7.1 allows pre-activation → destroyed).
//! * [`Destroyed`] is a receipt: the octets were zeroized when the key was consumed.
//!
//! The illegal transitions are compile errors, proven by the `trybuild` tests in
//! `tests/compile_fail/`.

use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use bpsec::KeyId;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::kdf;

/// The lifecycle states as values, for stores, messages and errors: the SDLS-EP states of
/// `ccsds-sdls` (355.1-B-1; CryptoLib's numbering PREACTIVE 0, ACTIVE 1, DEACTIVATED 2,
/// DESTROYED 3), one definition for the one lifecycle both crates manage.
pub use ccsds_sdls::ep::KeyState;

mod sealed {
    pub trait Sealed {}
}

/// A lifecycle state a [`Key`] can be in (sealed: exactly the three below).
pub trait State: sealed::Sealed {
    /// The state as a value.
    const STATE: KeyState;
}

/// Typestate: installed, not yet usable (355.1-B-1 "pre-activation").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreActive;
/// Typestate: usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Active;
/// Typestate: retired, awaiting destruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deactivated;

impl sealed::Sealed for PreActive {}
impl sealed::Sealed for Active {}
impl sealed::Sealed for Deactivated {}
impl State for PreActive {
    const STATE: KeyState = KeyState::PreActive;
}
impl State for Active {
    const STATE: KeyState = KeyState::Active;
}
impl State for Deactivated {
    const STATE: KeyState = KeyState::Deactivated;
}

/// HKDF label of the key-verification MAC key (see [`Key::possession_proof`]).
pub const VERIFY_LABEL: &str = "borealis otar verify";

/// A symmetric key in lifecycle state `S`. The octets live in zeroizing storage and never
/// appear in `Debug`.
pub struct Key<S: State> {
    id: KeyId,
    octets: Zeroizing<Vec<u8>>,
    state: PhantomData<S>,
}

impl<S: State> Key<S> {
    /// The key's id.
    pub const fn id(&self) -> KeyId {
        self.id
    }

    /// The key's lifecycle state.
    pub const fn state(&self) -> KeyState {
        S::STATE
    }

    /// Length of the key in octets (not secret).
    pub fn len(&self) -> usize {
        self.octets.len()
    }

    /// Whether the key is empty (never, for keys built by this crate).
    pub fn is_empty(&self) -> bool {
        self.octets.is_empty()
    }

    /// Proof of possession for the key-verification procedure (355.1-B-1 key verification),
    /// in any state, without revealing the key:
    /// `HMAC-SHA-256(HKDF-SHA-256(key, "borealis otar verify", id), challenge ‖ id)`, with
    /// `id` as 4 big-endian octets. The MAC key is derived, so the key itself is never used
    /// outside its purpose; the ground computes the same value with [`expected_proof`].
    pub fn possession_proof(&self, challenge: &[u8; 16]) -> [u8; 32] {
        expected_proof(&self.octets, self.id, challenge)
    }

    /// The octets whatever the state, for the store file only: crate-private, so outside
    /// this crate the typestate rule holds (only `Key<Active>` exposes octets).
    #[cfg(feature = "std")]
    pub(crate) fn storage_octets(&self) -> &[u8] {
        &self.octets
    }

    fn transition<T: State>(self) -> Key<T> {
        Key {
            id: self.id,
            octets: self.octets,
            state: PhantomData,
        }
    }
}

/// The value [`Key::possession_proof`] returns, computed from the key octets (ground side).
pub fn expected_proof(octets: &[u8], id: KeyId, challenge: &[u8; 16]) -> [u8; 32] {
    let id_bytes = id.0.to_be_bytes();
    let mac_key = kdf::derive::<32>(octets, VERIFY_LABEL, &id_bytes);
    // HMAC accepts keys of any length, so this cannot fail; a zero tag would fail any check.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(mac_key.as_slice()) else {
        return [0; 32];
    };
    mac.update(challenge);
    mac.update(&id_bytes);
    mac.finalize().into_bytes().into()
}

impl Key<PreActive> {
    /// A new pre-active key (an OTAR upload, or material staged at integration).
    pub fn new(id: KeyId, octets: Zeroizing<Vec<u8>>) -> Self {
        Self {
            id,
            octets,
            state: PhantomData,
        }
    }

    /// Key activation (355.1-B-1): the key becomes usable.
    pub fn activate(self) -> Key<Active> {
        self.transition()
    }

    /// Key destruction of a key that was never activated: the octets are zeroized.
    pub fn destroy(self) -> Destroyed {
        Destroyed { id: self.id }
    }
}

impl Key<Active> {
    /// The key octets, for a cryptographic operation. Only active keys have this method.
    pub fn octets(&self) -> &[u8] {
        &self.octets
    }

    /// Key deactivation (355.1-B-1): the key can no longer be used; irreversible.
    pub fn deactivate(self) -> Key<Deactivated> {
        self.transition()
    }
}

impl Key<Deactivated> {
    /// Key destruction (355.1-B-1): the octets are zeroized, only the id remains.
    pub fn destroy(self) -> Destroyed {
        Destroyed { id: self.id }
    }
}

impl<S: State> fmt::Debug for Key<S> {
    /// Id and state only: key material is never formatted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("state", &S::STATE)
            .field("len", &self.octets.len())
            .finish_non_exhaustive()
    }
}

/// Receipt of a destroyed key: the octets were zeroized when the key was consumed
/// (`Zeroizing` on drop), only the id remains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destroyed {
    id: KeyId,
}

impl Destroyed {
    /// The id of the destroyed key.
    pub const fn id(&self) -> KeyId {
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec;

    fn key() -> Key<PreActive> {
        Key::new(KeyId(7), Zeroizing::new(vec![0xA5; 32]))
    }

    #[test]
    fn lifecycle_and_states() {
        let k = key();
        assert_eq!(k.state(), KeyState::PreActive);
        let k = k.activate();
        assert_eq!(k.state(), KeyState::Active);
        assert_eq!(k.octets(), &[0xA5; 32]);
        let k = k.deactivate();
        assert_eq!(k.state(), KeyState::Deactivated);
        assert_eq!(k.destroy().id(), KeyId(7));
        assert_eq!(key().destroy().id(), KeyId(7));
        for s in [
            KeyState::PreActive,
            KeyState::Active,
            KeyState::Deactivated,
            KeyState::Destroyed,
        ] {
            assert_eq!(KeyState::from_code(s.code()), Some(s));
        }
        assert_eq!(KeyState::from_code(4), None);
    }

    #[test]
    fn debug_never_shows_octets() {
        let k = key().activate();
        let text = format!("{k:?}");
        assert!(text.contains("Active") && text.contains("KeyId(7)"));
        assert!(!text.contains("165") && !text.to_lowercase().contains("a5"));
    }

    #[test]
    fn proof_binds_key_id_and_challenge() {
        let k = key();
        let p = k.possession_proof(&[1; 16]);
        assert_eq!(p, expected_proof(&[0xA5; 32], KeyId(7), &[1; 16]));
        assert_ne!(p, k.possession_proof(&[2; 16]));
        assert_ne!(p, expected_proof(&[0xA5; 32], KeyId(8), &[1; 16]));
        assert_ne!(p, expected_proof(&[0xA4; 32], KeyId(7), &[1; 16]));
    }
}
