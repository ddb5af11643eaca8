//! Key resolution: an SA names its keys by id (EKID/AKID, 355.0-B-2 §2.3 SA parameters);
//! the key store that owns them — their lifecycle of 355.1-B-1 (pre-activation, active,
//! deactivated, destroyed) and OTAR — lives in the `otar` crate. This crate only asks a
//! [`KeyResolver`] for the bytes of an *active* key, and wipes its copy when done.

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::Error;

/// A key identifier (2 octets on the SDLS-EP wire, 355.1-B-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct KeyId(pub u16);

impl core::fmt::Display for KeyId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Longest key this crate handles (an HMAC-SHA-512 key).
pub const MAX_KEY_LEN: usize = 64;

/// A copy of a key's bytes, on the stack, wiped when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyMaterial {
    bytes: [u8; MAX_KEY_LEN],
    len: usize,
}

impl KeyMaterial {
    /// Copies `key` (at most [`MAX_KEY_LEN`] octets, else [`Error::KeyLength`]).
    pub fn new(key: &[u8]) -> Result<Self, Error> {
        let mut bytes = [0u8; MAX_KEY_LEN];
        bytes
            .get_mut(..key.len())
            .ok_or(Error::KeyLength { len: key.len() })?
            .copy_from_slice(key);
        Ok(Self {
            bytes,
            len: key.len(),
        })
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl core::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyMaterial({} octets, redacted)", self.len)
    }
}

/// Resolves a key id to the bytes of an active key. Implemented by the `otar` key store; a
/// closure `Fn(KeyId) -> Option<KeyMaterial>` is one too (tests, tools).
///
/// Returning `None` for a key that exists but is not active (355.1-B-1: only active keys
/// may be used) makes the SA fail with [`Error::KeyUnavailable`].
pub trait KeyResolver {
    /// The key with id `id`, if it is known and active.
    fn resolve(&self, id: KeyId) -> Option<KeyMaterial>;
}

impl<F: Fn(KeyId) -> Option<KeyMaterial>> KeyResolver for F {
    fn resolve(&self, id: KeyId) -> Option<KeyMaterial> {
        self(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn material_bounds() {
        assert_eq!(KeyMaterial::new(&[7; 32]).unwrap().as_bytes(), &[7; 32]);
        assert!(KeyMaterial::new(&[0; 65]).is_err());
        assert!(!format!("{:?}", KeyMaterial::new(&[7; 4]).unwrap()).contains('7'));
    }
}
