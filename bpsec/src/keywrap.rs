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

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3394 §4.1 and §4.6: 128-bit key data under a 128-bit KEK, 256-bit data under a
    /// 256-bit KEK.
    #[test]
    fn rfc3394_known_answers() {
        let h = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let cases = [
            (
                "000102030405060708090A0B0C0D0E0F",
                "00112233445566778899AABBCCDDEEFF",
                "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5",
            ),
            (
                "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
                "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
                "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21",
            ),
        ];
        for (kek, key, wrapped) in cases {
            let (kek, key, wrapped) = (h(kek), h(key), h(wrapped));
            assert_eq!(wrap(KeyId(1), &kek, &key).unwrap(), wrapped);
            assert_eq!(unwrap(KeyId(1), &kek, &wrapped).unwrap().as_slice(), key);
            let mut bad = wrapped.clone();
            bad[3] ^= 1;
            assert_eq!(
                unwrap(KeyId(1), &kek, &bad),
                Err(Error::KeyUnwrap(KeyId(1)))
            );
        }
        assert!(matches!(
            wrap(KeyId(1), &[0; 20], &[0; 16]),
            Err(Error::KeyLength { found: 20, .. })
        ));
        assert_eq!(
            unwrap(KeyId(1), &[0; 16], &[0; 12]),
            Err(Error::KeyUnwrap(KeyId(1)))
        );
    }
}
