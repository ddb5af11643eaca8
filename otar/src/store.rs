//! The payload's key store: every key by [`KeyId`] in whatever lifecycle state it is in, a
//! [`Purpose`] per key, the explicit map of which active key serves which (peer, purpose),
//! and the staging slot where uploaded keys wait, pre-active, for activation.
//!
//! Transitions go through the typestate API of [`crate::key`]; the store only decides
//! *whether* a transition is allowed now and reports why not ([`OtarError`]). It implements
//! [`bpsec::KeyResolver`] and resolves **only active keys**, for sealing and opening alike: a
//! deactivated key can neither protect new bundles nor open old ones.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use core::fmt;

use bpsec::{KeyId, KeyResolver, KeyUsage};
use zeroize::Zeroizing;

use crate::OtarError;
use crate::key::{Active, Deactivated, Destroyed, Key, KeyState, PreActive};

#[cfg(feature = "std")]
mod persist;
#[cfg(feature = "std")]
pub use persist::{MAGIC, load, save};

/// What a key is for. A key serves one purpose only (key separation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// BIB-HMAC-SHA2 keys (RFC 9173 §3).
    BundleIntegrity,
    /// BCB-AES-GCM keys (RFC 9173 §4).
    BundleConfidentiality,
    /// Key-encryption keys: unwrap OTAR uploads (RFC 3394); 355.1-B-1 "master keys".
    KeyEncryption,
    /// SDLS (355.0-B) security-association keys of the space link.
    LinkSdls,
}

impl Purpose {
    /// Wire code (OTAR messages, store file).
    pub const fn code(self) -> u8 {
        match self {
            Self::BundleIntegrity => 0,
            Self::BundleConfidentiality => 1,
            Self::KeyEncryption => 2,
            Self::LinkSdls => 3,
        }
    }

    /// The purpose with wire code `code`.
    pub const fn from_code(code: u64) -> Option<Self> {
        match code {
            0 => Some(Self::BundleIntegrity),
            1 => Some(Self::BundleConfidentiality),
            2 => Some(Self::KeyEncryption),
            3 => Some(Self::LinkSdls),
            _ => None,
        }
    }
}

/// When an uploaded key becomes active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationPolicy {
    /// As soon as the upload is applied.
    OnReceipt,
    /// Only on a separate Activate command, after the operator has verified the install
    /// (key verification procedure).
    OnCommand,
}

impl ActivationPolicy {
    /// Wire code (store file).
    pub const fn code(self) -> u8 {
        match self {
            Self::OnReceipt => 0,
            Self::OnCommand => 1,
        }
    }

    /// The policy with code `code`.
    pub const fn from_code(code: u64) -> Option<Self> {
        match code {
            0 => Some(Self::OnReceipt),
            1 => Some(Self::OnCommand),
            _ => None,
        }
    }
}

/// A key of the store, in its typed state.
#[derive(Debug)]
pub enum StoredKey {
    /// In the staging slot: uploaded (or staged), not yet usable.
    PreActive(Key<PreActive>),
    /// Usable.
    Active(Key<Active>),
    /// Retired, awaiting destruction.
    Deactivated(Key<Deactivated>),
}

impl StoredKey {
    /// The lifecycle state.
    pub const fn state(&self) -> KeyState {
        match self {
            Self::PreActive(_) => KeyState::PreActive,
            Self::Active(_) => KeyState::Active,
            Self::Deactivated(_) => KeyState::Deactivated,
        }
    }

    /// The octets in any state, for the store file only (`persist`).
    #[cfg(feature = "std")]
    pub(crate) fn octets_for_storage(&self) -> &[u8] {
        match self {
            Self::PreActive(k) => k.storage_octets(),
            Self::Active(k) => k.storage_octets(),
            Self::Deactivated(k) => k.storage_octets(),
        }
    }

    /// Proof of possession ([`Key::possession_proof`]) in any state.
    pub fn possession_proof(&self, challenge: &[u8; 16]) -> [u8; 32] {
        match self {
            Self::PreActive(k) => k.possession_proof(challenge),
            Self::Active(k) => k.possession_proof(challenge),
            Self::Deactivated(k) => k.possession_proof(challenge),
        }
    }
}

#[derive(Debug)]
struct Entry {
    purpose: Purpose,
    key: StoredKey,
}

/// Keys by id, their purposes, assignments and destroyed ids. See the module docs.
#[derive(Default)]
pub struct KeyStore {
    entries: BTreeMap<KeyId, Entry>,
    assignments: BTreeMap<(u64, Purpose), KeyId>,
    destroyed: BTreeSet<KeyId>,
}

impl fmt::Debug for KeyStore {
    /// Ids, states, purposes and assignments; never key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("keys", &self.entries)
            .field("assignments", &self.assignments)
            .field("destroyed", &self.destroyed)
            .finish()
    }
}

impl KeyStore {
    /// An empty store.
    pub const fn new() -> Self {
        Self {
            entries: BTreeMap::new(),
            assignments: BTreeMap::new(),
            destroyed: BTreeSet::new(),
        }
    }

    /// Adds an active key at integration (e.g. the master key-encryption key, which
    /// 355.1-B-1 says is pre-installed and never transported over the link).
    pub fn provision(
        &mut self,
        id: KeyId,
        purpose: Purpose,
        octets: &[u8],
    ) -> Result<(), OtarError> {
        self.check_new(id, octets.len())?;
        let key = Key::new(id, Zeroizing::new(octets.to_vec())).activate();
        self.entries.insert(
            id,
            Entry {
                purpose,
                key: StoredKey::Active(key),
            },
        );
        Ok(())
    }

    /// Puts a key in the staging slot, pre-active (an OTAR upload).
    pub fn stage(
        &mut self,
        id: KeyId,
        purpose: Purpose,
        octets: Zeroizing<Vec<u8>>,
    ) -> Result<(), OtarError> {
        self.check_new(id, octets.len())?;
        let key = Key::new(id, octets);
        self.entries.insert(
            id,
            Entry {
                purpose,
                key: StoredKey::PreActive(key),
            },
        );
        Ok(())
    }

    /// Refuses an id already in use, an id once destroyed, and a key length RFC 3394
    /// cannot wrap.
    pub fn check_new(&self, id: KeyId, len: usize) -> Result<(), OtarError> {
        if self.destroyed.contains(&id) {
            return Err(OtarError::KeyIdReused(id));
        }
        if self.entries.contains_key(&id) {
            return Err(OtarError::DuplicateKey(id));
        }
        // RFC 3394 §2: wrappable key data is a multiple of 64 bits, at least 128 (every
        // RFC 9173 key length qualifies); the store file and OTAR both wrap keys.
        if len < 16 || !len.is_multiple_of(8) {
            return Err(OtarError::KeyLength {
                key: id,
                found: len,
            });
        }
        Ok(())
    }

    /// The state of key `id` (`Destroyed` for a destroyed id), or `None` if never known.
    pub fn state(&self, id: KeyId) -> Option<KeyState> {
        match self.entries.get(&id) {
            Some(e) => Some(e.key.state()),
            None => self.destroyed.contains(&id).then_some(KeyState::Destroyed),
        }
    }

    /// The purpose of key `id`.
    pub fn purpose(&self, id: KeyId) -> Option<Purpose> {
        self.entries.get(&id).map(|e| e.purpose)
    }

    /// The key `id` in its typed state.
    pub fn get(&self, id: KeyId) -> Option<&StoredKey> {
        self.entries.get(&id).map(|e| &e.key)
    }

    /// Ids of the keys in the staging slot (pre-active), ascending.
    pub fn staged(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.ids_in(KeyState::PreActive)
    }

    /// Ids of the keys in `state`, ascending (destroyed ids for `Destroyed`).
    pub fn ids_in(&self, state: KeyState) -> impl Iterator<Item = KeyId> + '_ {
        let live = self
            .entries
            .iter()
            .filter(move |(_, e)| e.key.state() == state)
            .map(|(id, _)| *id);
        let gone = self
            .destroyed
            .iter()
            .filter(move |_| state == KeyState::Destroyed)
            .copied();
        live.chain(gone)
    }

    /// Every (peer, purpose) → key assignment, ascending.
    pub fn assignments(&self) -> impl Iterator<Item = (u64, Purpose, KeyId)> + '_ {
        self.assignments
            .iter()
            .map(|(&(peer, purpose), &id)| (peer, purpose, id))
    }

    /// The octets of key `id` if it is active: the only way key material leaves the store.
    pub fn active_octets(&self, id: KeyId) -> Option<&[u8]> {
        match self.entries.get(&id) {
            Some(Entry {
                key: StoredKey::Active(k),
                ..
            }) => Some(k.octets()),
            _ => None,
        }
    }

    /// Checks that key `id` exists and is in state `expected`.
    pub fn expect_state(&self, id: KeyId, expected: KeyState) -> Result<(), OtarError> {
        let found = self.state(id).ok_or(OtarError::UnknownKey(id))?;
        if found == expected {
            Ok(())
        } else {
            Err(OtarError::KeyNotInState {
                key: id,
                expected,
                found,
            })
        }
    }

    /// Checks that key `id` exists and serves `expected`.
    pub fn expect_purpose(&self, id: KeyId, expected: Purpose) -> Result<(), OtarError> {
        let found = self.purpose(id).ok_or(OtarError::UnknownKey(id))?;
        if found == expected {
            Ok(())
        } else {
            Err(OtarError::PurposeMismatch {
                key: id,
                expected,
                found,
            })
        }
    }

    /// Key activation: pre-active → active.
    pub fn activate(&mut self, id: KeyId) -> Result<(), OtarError> {
        self.expect_state(id, KeyState::PreActive)?;
        self.replace(id, |key| match key {
            StoredKey::PreActive(k) => StoredKey::Active(k.activate()),
            other => other,
        });
        Ok(())
    }

    /// Key deactivation: active → deactivated. Assignments naming the key are removed.
    pub fn deactivate(&mut self, id: KeyId) -> Result<(), OtarError> {
        self.expect_state(id, KeyState::Active)?;
        self.replace(id, |key| match key {
            StoredKey::Active(k) => StoredKey::Deactivated(k.deactivate()),
            other => other,
        });
        self.assignments.retain(|_, assigned| *assigned != id);
        Ok(())
    }

    /// Checks that key `id` may be destroyed now: it is deactivated or still pre-active
    /// (an active key must be deactivated first).
    pub fn check_destroy(&self, id: KeyId) -> Result<(), OtarError> {
        match self.state(id).ok_or(OtarError::UnknownKey(id))? {
            KeyState::PreActive | KeyState::Deactivated => Ok(()),
            found => Err(OtarError::KeyNotInState {
                key: id,
                expected: KeyState::Deactivated,
                found,
            }),
        }
    }

    /// Key destruction: the octets are zeroized; the id is remembered and never reused.
    pub fn destroy(&mut self, id: KeyId) -> Result<Destroyed, OtarError> {
        self.check_destroy(id)?;
        let entry = self.entries.remove(&id).ok_or(OtarError::UnknownKey(id))?;
        let receipt = match entry.key {
            StoredKey::PreActive(k) => k.destroy(),
            StoredKey::Deactivated(k) => k.destroy(),
            StoredKey::Active(k) => {
                // Unreachable after `check_destroy`; put the key back rather than lose it.
                self.entries.insert(
                    id,
                    Entry {
                        purpose: entry.purpose,
                        key: StoredKey::Active(k),
                    },
                );
                return Err(OtarError::KeyNotInState {
                    key: id,
                    expected: KeyState::Deactivated,
                    found: KeyState::Active,
                });
            }
        };
        self.destroyed.insert(id);
        Ok(receipt)
    }

    /// Assigns active key `id` to (`peer`, `purpose`); the key must be active and have that
    /// purpose. Replaces an earlier assignment of the pair.
    pub fn assign(&mut self, peer: u64, purpose: Purpose, id: KeyId) -> Result<(), OtarError> {
        self.expect_purpose(id, purpose)?;
        self.expect_state(id, KeyState::Active)?;
        self.assignments.insert((peer, purpose), id);
        Ok(())
    }

    /// The active key assigned to (`peer`, `purpose`).
    pub fn assigned(&self, peer: u64, purpose: Purpose) -> Option<KeyId> {
        self.assignments.get(&(peer, purpose)).copied()
    }

    #[cfg(feature = "std")]
    /// Restores a destroyed id (store load).
    pub(crate) fn remember_destroyed(&mut self, id: KeyId) {
        self.destroyed.insert(id);
    }

    #[cfg(feature = "std")]
    /// Restores an assignment (store load).
    pub(crate) fn restore_assignment(
        &mut self,
        peer: u64,
        purpose: Purpose,
        id: KeyId,
    ) -> Result<(), OtarError> {
        self.assign(peer, purpose, id)
    }

    #[cfg(feature = "std")]
    /// Restores a deactivated key (store load).
    pub(crate) fn restore_deactivated(
        &mut self,
        id: KeyId,
        purpose: Purpose,
        octets: Zeroizing<Vec<u8>>,
    ) -> Result<(), OtarError> {
        self.check_new(id, octets.len())?;
        let key = Key::new(id, octets).activate().deactivate();
        self.entries.insert(
            id,
            Entry {
                purpose,
                key: StoredKey::Deactivated(key),
            },
        );
        Ok(())
    }

    #[cfg(feature = "std")]
    /// Every key with its purpose, for persistence.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (KeyId, Purpose, &StoredKey)> + '_ {
        self.entries.iter().map(|(id, e)| (*id, e.purpose, &e.key))
    }

    fn replace(&mut self, id: KeyId, f: impl FnOnce(StoredKey) -> StoredKey) {
        if let Some(entry) = self.entries.remove(&id) {
            let key = f(entry.key);
            self.entries.insert(
                id,
                Entry {
                    purpose: entry.purpose,
                    key,
                },
            );
        }
    }
}

impl KeyResolver for KeyStore {
    /// Only active keys resolve, for both usages: a pre-active key is not yet trusted, a
    /// deactivated one no longer is (355.1-B-1).
    fn resolve(&self, id: KeyId, _usage: KeyUsage) -> Option<&[u8]> {
        self.active_octets(id)
    }
}

/// The same store backs the space link's SDLS security associations (355.0-B-2): one key
/// store, one lifecycle. SDLS key ids are 16-bit (355.1-B-1); only active keys whose purpose is
/// [`Purpose::LinkSdls`] resolve (key separation: a bundle key never keys a link SA).
impl ccsds_sdls::KeyResolver for KeyStore {
    fn resolve(&self, id: ccsds_sdls::KeyId) -> Option<ccsds_sdls::KeyMaterial> {
        let id = KeyId(u32::from(id.0));
        if self.purpose(id) != Some(Purpose::LinkSdls) {
            return None;
        }
        ccsds_sdls::KeyMaterial::new(self.active_octets(id)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec;

    fn z(b: u8) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(vec![b; 32])
    }

    #[test]
    fn resolver_sees_only_active_keys() {
        let mut s = KeyStore::new();
        s.stage(KeyId(1), Purpose::BundleIntegrity, z(1)).unwrap();
        for usage in [KeyUsage::Seal, KeyUsage::Open] {
            assert_eq!(s.resolve(KeyId(1), usage), None);
        }
        s.activate(KeyId(1)).unwrap();
        for usage in [KeyUsage::Seal, KeyUsage::Open] {
            assert_eq!(s.resolve(KeyId(1), usage), Some(&[1u8; 32][..]));
        }
        s.deactivate(KeyId(1)).unwrap();
        for usage in [KeyUsage::Seal, KeyUsage::Open] {
            assert_eq!(s.resolve(KeyId(1), usage), None);
        }
        assert_eq!(s.resolve(KeyId(9), KeyUsage::Open), None);
    }

    #[test]
    fn transitions_report_their_precondition() {
        let mut s = KeyStore::new();
        s.provision(KeyId(1), Purpose::KeyEncryption, &[9; 32])
            .unwrap();
        s.stage(KeyId(2), Purpose::LinkSdls, z(2)).unwrap();
        assert_eq!(s.staged().collect::<Vec<_>>(), [KeyId(2)]);
        assert_eq!(s.activate(KeyId(3)), Err(OtarError::UnknownKey(KeyId(3))));
        assert_eq!(
            s.activate(KeyId(1)),
            Err(OtarError::KeyNotInState {
                key: KeyId(1),
                expected: KeyState::PreActive,
                found: KeyState::Active
            })
        );
        assert_eq!(
            s.deactivate(KeyId(2)),
            Err(OtarError::KeyNotInState {
                key: KeyId(2),
                expected: KeyState::Active,
                found: KeyState::PreActive
            })
        );
        assert_eq!(
            s.destroy(KeyId(1)),
            Err(OtarError::KeyNotInState {
                key: KeyId(1),
                expected: KeyState::Deactivated,
                found: KeyState::Active
            })
        );
        // A staged key may be destroyed without ever being activated.
        assert_eq!(s.destroy(KeyId(2)).unwrap().id(), KeyId(2));
        assert_eq!(s.state(KeyId(2)), Some(KeyState::Destroyed));
        assert_eq!(
            s.stage(KeyId(2), Purpose::LinkSdls, z(2)),
            Err(OtarError::KeyIdReused(KeyId(2)))
        );
        assert_eq!(
            s.provision(KeyId(1), Purpose::LinkSdls, &[1; 16]),
            Err(OtarError::DuplicateKey(KeyId(1)))
        );
        assert_eq!(
            s.stage(KeyId(5), Purpose::LinkSdls, Zeroizing::new(vec![])),
            Err(OtarError::KeyLength {
                key: KeyId(5),
                found: 0
            })
        );
        s.deactivate(KeyId(1)).unwrap();
        s.destroy(KeyId(1)).unwrap();
        assert_eq!(
            s.ids_in(KeyState::Destroyed).collect::<Vec<_>>(),
            [KeyId(1), KeyId(2)]
        );
    }

    #[test]
    fn assignments_name_active_keys_of_the_right_purpose() {
        let mut s = KeyStore::new();
        s.provision(KeyId(1), Purpose::BundleIntegrity, &[1; 32])
            .unwrap();
        s.stage(KeyId(2), Purpose::BundleIntegrity, z(2)).unwrap();
        assert_eq!(
            s.assign(7, Purpose::BundleConfidentiality, KeyId(1)),
            Err(OtarError::PurposeMismatch {
                key: KeyId(1),
                expected: Purpose::BundleConfidentiality,
                found: Purpose::BundleIntegrity
            })
        );
        assert!(matches!(
            s.assign(7, Purpose::BundleIntegrity, KeyId(2)),
            Err(OtarError::KeyNotInState { .. })
        ));
        s.assign(7, Purpose::BundleIntegrity, KeyId(1)).unwrap();
        assert_eq!(s.assigned(7, Purpose::BundleIntegrity), Some(KeyId(1)));
        assert_eq!(s.assigned(8, Purpose::BundleIntegrity), None);
        s.activate(KeyId(2)).unwrap();
        s.assign(7, Purpose::BundleIntegrity, KeyId(2)).unwrap();
        s.assign(8, Purpose::BundleIntegrity, KeyId(1)).unwrap();
        s.deactivate(KeyId(1)).unwrap();
        assert_eq!(
            s.assignments().collect::<Vec<_>>(),
            [(7, Purpose::BundleIntegrity, KeyId(2))]
        );
    }

    #[test]
    fn debug_lists_no_key_material() {
        let mut s = KeyStore::new();
        s.provision(KeyId(1), Purpose::KeyEncryption, &[0xEE; 32])
            .unwrap();
        let text = format!("{s:?}");
        assert!(text.contains("KeyEncryption") && !text.contains("238"));
    }

    #[test]
    fn codes_round_trip() {
        for p in [
            Purpose::BundleIntegrity,
            Purpose::BundleConfidentiality,
            Purpose::KeyEncryption,
            Purpose::LinkSdls,
        ] {
            assert_eq!(Purpose::from_code(p.code().into()), Some(p));
        }
        assert_eq!(Purpose::from_code(4), None);
        for p in [ActivationPolicy::OnReceipt, ActivationPolicy::OnCommand] {
            assert_eq!(ActivationPolicy::from_code(p.code().into()), Some(p));
        }
        assert_eq!(ActivationPolicy::from_code(2), None);
    }
}
