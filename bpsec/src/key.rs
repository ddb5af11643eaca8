//! Keys as the security operations see them: an id, a usage, and octets borrowed from a
//! store. The store itself (lifecycle, persistence, over-the-air rekeying) lives in the
//! `otar` crate, which implements [`KeyResolver`]; this crate never depends on it.
//!
//! RFC 9173 carries no key id on the wire: which key protects what is local policy
//! (RFC 9172 §6). A [`crate::Policy`] rule names the [`KeyId`]; the resolver decides whether
//! that key may currently be used (e.g. only an *active* key may seal).

use core::fmt;

/// A key identifier, local to a mission's key store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub u32);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What the key will be used for, so a store can refuse, e.g., sealing with a key that is
/// only kept to verify old bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyUsage {
    /// Add a BIB or BCB (security source role).
    Seal,
    /// Verify a BIB or decrypt a BCB (verifier / acceptor roles).
    Open,
}

/// Resolves key ids to key octets. Implementations keep the octets in zeroizing storage;
/// the borrow returned here must not be copied anywhere that outlives the operation.
pub trait KeyResolver {
    /// The key `id` if it exists and may be used for `usage`, else `None`
    /// ([`crate::Error::UnknownKey`]).
    fn resolve(&self, id: KeyId, usage: KeyUsage) -> Option<&[u8]>;
}

/// A fixed in-memory key table for tests, tools and simple deployments: every key is usable
/// for everything. Octets are zeroized on drop.
#[derive(Default, Clone)]
pub struct StaticKeys {
    keys: alloc::vec::Vec<(KeyId, zeroize::Zeroizing<alloc::vec::Vec<u8>>)>,
}

impl StaticKeys {
    /// An empty table.
    pub const fn new() -> Self {
        Self {
            keys: alloc::vec::Vec::new(),
        }
    }

    /// Adds (or replaces) key `id`.
    pub fn insert(&mut self, id: KeyId, octets: &[u8]) {
        self.keys.retain(|(k, _)| *k != id);
        self.keys
            .push((id, zeroize::Zeroizing::new(octets.to_vec())));
    }

    /// Builder form of [`Self::insert`].
    pub fn with(mut self, id: KeyId, octets: &[u8]) -> Self {
        self.insert(id, octets);
        self
    }
}

impl fmt::Debug for StaticKeys {
    /// Lists key ids only: key octets are never formatted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.keys.iter().map(|(id, _)| id))
            .finish()
    }
}

impl KeyResolver for StaticKeys {
    fn resolve(&self, id: KeyId, _usage: KeyUsage) -> Option<&[u8]> {
        self.keys
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, octets)| octets.as_slice())
    }
}
