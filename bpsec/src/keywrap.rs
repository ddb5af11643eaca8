//! AES Key Wrap (RFC 3394) of HMAC and content-encryption keys under a key-encryption key,
//! as RFC 9173 §3.3.2 and §4.3.3 allow: the wrapped key travels in the security block, the
//! resolved key only unwraps it.

use aes_kw::{KeyInit, KwAes128, KwAes192, KwAes256};
use alloc::vec;
use alloc::vec::Vec;
use zeroize::Zeroizing;

use crate::{Error, KeyId};

/// RFC 3394 adds one 64-bit integrity block.
const OVERHEAD: usize = 8;

/// Wraps `key` under `kek` (16, 24 or 32 octets); `key` must be a non-empty multiple of
/// 8 octets (RFC 3394 §2).
pub fn wrap(kek_id: KeyId, kek: &[u8], key: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; key.len() + OVERHEAD];
    let ok = match kek.len() {
        16 => KwAes128::new_from_slice(kek)
            .ok()
            .and_then(|k| k.wrap_key(key, &mut out).ok().map(|_| ())),
        24 => KwAes192::new_from_slice(kek)
            .ok()
            .and_then(|k| k.wrap_key(key, &mut out).ok().map(|_| ())),
        32 => KwAes256::new_from_slice(kek)
            .ok()
            .and_then(|k| k.wrap_key(key, &mut out).ok().map(|_| ())),
        found => {
            return Err(Error::KeyLength {
                key: kek_id,
                expected: 32,
                found,
            });
        }
    };
    ok.map(|()| out).ok_or(Error::KeyLength {
        key: kek_id,
        expected: 16,
        found: key.len(),
    })
}

/// Unwraps `wrapped` under `kek`; a failed integrity check (wrong KEK, modified wrapped key,
/// RFC 3394 §2.2.3) is [`Error::KeyUnwrap`].
pub fn unwrap(kek_id: KeyId, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    if wrapped.len() < 2 * OVERHEAD || !wrapped.len().is_multiple_of(OVERHEAD) {
        return Err(Error::KeyUnwrap(kek_id));
    }
    let mut out = Zeroizing::new(vec![0u8; wrapped.len() - OVERHEAD]);
    let ok = match kek.len() {
        16 => KwAes128::new_from_slice(kek)
            .ok()
            .and_then(|k| k.unwrap_key(wrapped, &mut out).ok().map(|_| ())),
        24 => KwAes192::new_from_slice(kek)
            .ok()
            .and_then(|k| k.unwrap_key(wrapped, &mut out).ok().map(|_| ())),
        32 => KwAes256::new_from_slice(kek)
            .ok()
            .and_then(|k| k.unwrap_key(wrapped, &mut out).ok().map(|_| ())),
        found => {
            return Err(Error::KeyLength {
                key: kek_id,
                expected: 32,
                found,
            });
        }
    };
    ok.map(|()| out).ok_or(Error::KeyUnwrap(kek_id))
}
