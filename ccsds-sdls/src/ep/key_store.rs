//! What the executor needs from a key store (355.1-B-1, key management), and [`KeyRing`], a
//! small in-memory store that implements it (tests, tools, simple missions). The `otar` crate's
//! `KeyStore` implements the same trait, so both behave the same under one executor.

use alloc::collections::BTreeMap;

use subtle::ConstantTimeEq;

use super::EpError;
use crate::{KeyId, KeyMaterial, KeyResolver};

/// Key ids below this are master keys (key-encryption keys); ids from it up are session keys.
/// CryptoLib's `MKID_MAX`; see the module docs for why we follow it.
pub const MASTER_KEY_ID_LIMIT: u16 = 128;

/// Whether `id` is in the master-key range (below [`MASTER_KEY_ID_LIMIT`]).
pub const fn is_master_key_id(id: KeyId) -> bool {
    id.0 < MASTER_KEY_ID_LIMIT
}

/// The lifecycle state of a session key (355.1-B-1, key management). Codes as CryptoLib numbers
/// them (`KEY_PREACTIVE` 0 … `KEY_DESTROYED` 3), used in the Key Inventory reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyState {
    /// Installed (OTAR), not yet usable.
    PreActive,
    /// Usable.
    Active,
    /// Retired: usable for nothing, awaiting destruction.
    Deactivated,
    /// Zeroized; only the id is remembered, and never reused.
    Destroyed,
}

impl KeyState {
    /// The state code on the wire.
    pub const fn code(self) -> u8 {
        match self {
            Self::PreActive => 0,
            Self::Active => 1,
            Self::Deactivated => 2,
            Self::Destroyed => 3,
        }
    }

    /// The state with code `code`.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::PreActive),
            1 => Some(Self::Active),
            2 => Some(Self::Deactivated),
            3 => Some(Self::Destroyed),
            _ => None,
        }
    }

    /// Whether a command may move a key from this state to `to`: activation from
    /// pre-active, deactivation from active, destruction from deactivated or (a staged upload
    /// never activated) pre-active. Nothing goes back.
    pub const fn allows(self, to: Self) -> bool {
        matches!(
            (self, to),
            (Self::PreActive, Self::Active)
                | (Self::Active, Self::Deactivated)
                | (Self::Deactivated | Self::PreActive, Self::Destroyed)
        )
    }

    /// The state a key is expected in before moving to `to` (for error reports; destruction
    /// names `Deactivated`, the usual one).
    pub const fn before(to: Self) -> Self {
        match to {
            Self::PreActive | Self::Active => Self::PreActive,
            Self::Deactivated => Self::Active,
            Self::Destroyed => Self::Deactivated,
        }
    }
}

/// The key store as SDLS-EP sees it: session keys with their states, and active master keys.
///
/// The [`super::Executor`] decides whether a command is allowed (ids, states, duplicates) using
/// the read methods, and only then calls the write methods; a store must report through
/// [`KeyManagement::state`] exactly what its write methods accept, and should refuse (not
/// half-apply) anything else.
pub trait KeyManagement {
    /// The state of session key `id` (`Destroyed` for a destroyed id), or `None` if the store
    /// has no session key with this id (master keys and keys of other purposes included).
    fn state(&self, id: KeyId) -> Option<KeyState>;
    /// The octets of session key `id` if it is active.
    fn active_key(&self, id: KeyId) -> Option<KeyMaterial>;
    /// The octets of master key `mkid` if it is an active master key (OTAR only).
    fn master_key(&self, mkid: KeyId) -> Option<KeyMaterial>;
    /// Whether a new key may be installed under `id`: no key of any kind holds it, and none
    /// held it before being destroyed.
    fn is_free(&self, id: KeyId) -> bool;
    /// Installs session key `id`, pre-active (OTAR).
    fn install(&mut self, id: KeyId, key: &[u8]) -> Result<(), EpError>;
    /// Moves session key `id` to `to` (`Active`, `Deactivated`, or `Destroyed`, which
    /// zeroizes the octets).
    fn transition(&mut self, id: KeyId, to: KeyState) -> Result<(), EpError>;
    /// Calls `visit` for every session key with an id in `first..=last`, ascending.
    fn inventory(&self, first: KeyId, last: KeyId, visit: &mut dyn FnMut(KeyId, KeyState));
}

#[derive(Clone)]
struct Slot {
    master: bool,
    state: KeyState,
    /// `None` once destroyed: dropping the [`KeyMaterial`] zeroized it.
    key: Option<KeyMaterial>,
}

impl PartialEq for Slot {
    fn eq(&self, other: &Self) -> bool {
        let same_key = match (&self.key, &other.key) {
            (Some(a), Some(b)) => bool::from(a.as_bytes().ct_eq(b.as_bytes())),
            (None, None) => true,
            _ => false,
        };
        self.master == other.master && self.state == other.state && same_key
    }
}

impl Eq for Slot {}

/// An in-memory key ring implementing [`KeyManagement`] and [`KeyResolver`] (active session
/// keys only). Key octets are held as [`KeyMaterial`] (wiped on drop, never in `Debug`); a
/// destroyed key keeps only its id. Nothing here persists: a mission that needs the keys to
/// survive a restart uses a persistent store (e.g. `otar::KeyStore`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct KeyRing {
    keys: BTreeMap<KeyId, Slot>,
}

impl core::fmt::Debug for KeyRing {
    /// Ids and states only: never key material.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.keys.iter().map(|(id, s)| {
                let role = if s.master { "master" } else { "session" };
                (id.0, (role, s.state))
            }))
            .finish()
    }
}

impl KeyRing {
    /// An empty key ring.
    pub const fn new() -> Self {
        Self {
            keys: BTreeMap::new(),
        }
    }

    /// Adds an active master key at integration (355.1-B-1: master keys are pre-installed,
    /// never sent over the link). Its id must be in the master range.
    pub fn provision_master(&mut self, mkid: KeyId, key: &[u8]) -> Result<(), EpError> {
        if !is_master_key_id(mkid) {
            return Err(EpError::NotAMasterKey(mkid));
        }
        self.insert(mkid, true, KeyState::Active, key)
    }

    /// Adds an active session key at integration (e.g. the first SA keys of the mission).
    pub fn provision(&mut self, id: KeyId, key: &[u8]) -> Result<(), EpError> {
        if is_master_key_id(id) {
            return Err(EpError::MasterKeyId(id));
        }
        self.insert(id, false, KeyState::Active, key)
    }

    fn insert(
        &mut self,
        id: KeyId,
        master: bool,
        state: KeyState,
        key: &[u8],
    ) -> Result<(), EpError> {
        if !self.is_free(id) {
            return Err(EpError::KeyExists(id));
        }
        let key = Some(KeyMaterial::new(key)?);
        self.keys.insert(id, Slot { master, state, key });
        Ok(())
    }

    fn session(&self, id: KeyId) -> Option<&Slot> {
        self.keys.get(&id).filter(|s| !s.master)
    }
}

impl KeyManagement for KeyRing {
    fn state(&self, id: KeyId) -> Option<KeyState> {
        self.session(id).map(|s| s.state)
    }

    fn active_key(&self, id: KeyId) -> Option<KeyMaterial> {
        self.session(id)
            .filter(|s| s.state == KeyState::Active)
            .and_then(|s| s.key.clone())
    }

    fn master_key(&self, mkid: KeyId) -> Option<KeyMaterial> {
        self.keys
            .get(&mkid)
            .filter(|s| s.master && s.state == KeyState::Active)
            .and_then(|s| s.key.clone())
    }

    fn is_free(&self, id: KeyId) -> bool {
        !self.keys.contains_key(&id)
    }

    fn install(&mut self, id: KeyId, key: &[u8]) -> Result<(), EpError> {
        if is_master_key_id(id) {
            return Err(EpError::MasterKeyId(id));
        }
        self.insert(id, false, KeyState::PreActive, key)
    }

    fn transition(&mut self, id: KeyId, to: KeyState) -> Result<(), EpError> {
        let slot = self
            .keys
            .get_mut(&id)
            .filter(|s| !s.master)
            .ok_or(EpError::UnknownKey(id))?;
        if !slot.state.allows(to) {
            return Err(EpError::KeyState {
                key: id,
                expected: KeyState::before(to),
                found: slot.state,
            });
        }
        slot.state = to;
        if to == KeyState::Destroyed {
            // Dropping the material wipes it (`KeyMaterial` is `ZeroizeOnDrop`).
            slot.key = None;
        }
        Ok(())
    }

    fn inventory(&self, first: KeyId, last: KeyId, visit: &mut dyn FnMut(KeyId, KeyState)) {
        if first > last {
            return;
        }
        self.keys
            .range(first..=last)
            .filter(|(_, s)| !s.master)
            .for_each(|(id, s)| visit(*id, s.state));
    }
}

impl KeyResolver for KeyRing {
    /// Active session keys only: a pre-active key is not yet trusted, a deactivated one no
    /// longer is, and a master key protects OTAR only (355.1-B-1, key management).
    fn resolve(&self, id: KeyId) -> Option<KeyMaterial> {
        self.active_key(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec::Vec;

    #[test]
    fn transitions_go_forward_only() {
        use KeyState::*;
        let all = [PreActive, Active, Deactivated, Destroyed];
        let allowed: Vec<_> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.allows(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (PreActive, Active),
                (PreActive, Destroyed),
                (Active, Deactivated),
                (Deactivated, Destroyed)
            ]
        );
        for s in all {
            assert_eq!(KeyState::from_code(s.code()), Some(s));
        }
        assert_eq!(KeyState::from_code(4), None);
    }

    #[test]
    fn ring_lifecycle_and_roles() {
        let mut ring = KeyRing::new();
        ring.provision_master(KeyId(0), &[1; 32]).unwrap();
        assert_eq!(
            ring.provision_master(KeyId(128), &[1; 32]),
            Err(EpError::NotAMasterKey(KeyId(128)))
        );
        assert_eq!(
            ring.install(KeyId(5), &[2; 32]),
            Err(EpError::MasterKeyId(KeyId(5)))
        );
        ring.install(KeyId(200), &[2; 32]).unwrap();
        assert_eq!(
            ring.state(KeyId(0)),
            None,
            "a master key is not a session key"
        );
        assert!(ring.master_key(KeyId(0)).is_some());
        assert!(ring.active_key(KeyId(200)).is_none() && ring.resolve(KeyId(200)).is_none());
        ring.transition(KeyId(200), KeyState::Active).unwrap();
        assert_eq!(ring.resolve(KeyId(200)).unwrap().as_bytes(), &[2; 32]);
        assert_eq!(
            ring.transition(KeyId(200), KeyState::Destroyed),
            Err(EpError::KeyState {
                key: KeyId(200),
                expected: KeyState::Deactivated,
                found: KeyState::Active
            })
        );
        ring.transition(KeyId(200), KeyState::Deactivated).unwrap();
        ring.transition(KeyId(200), KeyState::Destroyed).unwrap();
        assert_eq!(ring.state(KeyId(200)), Some(KeyState::Destroyed));
        assert!(!ring.is_free(KeyId(200)), "a destroyed id is never reused");
        assert_eq!(
            ring.transition(KeyId(0), KeyState::Deactivated),
            Err(EpError::UnknownKey(KeyId(0)))
        );
        let text = format!("{ring:?}");
        assert!(text.contains("Destroyed") && !text.contains("[1"));
    }
}
