//! The cryptographic primitives behind the suites (RustCrypto): AES-GCM (SP 800-38D) with
//! 128- or 256-bit keys, GMAC, AES-CMAC (SP 800-38B), HMAC-SHA-256/512 (FIPS 198-1).
//! Nothing here allocates; keys come in as slices and the cipher state is dropped (and
//! zeroized, RustCrypto's `zeroize` feature) when the call returns.

use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{Nonce, Tag};
use aes_gcm::{AeadInOut, Aes128Gcm, Aes256Gcm, KeyInit};
use hmac::Mac;

use crate::suite::Suite;
use crate::trailer::MAX_MAC_LEN;
use crate::{Error, MAX_AAD_LEN};

/// GCM IV.
pub(crate) type GcmNonce = [u8; 12];

/// Largest data field authenticated by GMAC (which needs its input in one piece): a maximal
/// TM frame.
const MAX_GMAC_DATA: usize = 2048;

/// The input of an authentication-only MAC: the masked header span, then the data field,
/// itself masked by the rest of the ABM when the SA asks for CryptoLib's coverage.
pub(crate) struct MacInput<'a> {
    pub span: &'a [u8],
    pub data: &'a [u8],
    /// ABM octets that continue over the data (`None`: data authenticated as is).
    pub data_mask: Option<&'a [u8]>,
}

impl MacInput<'_> {
    fn feed(&self, sink: &mut dyn FnMut(&[u8])) {
        sink(self.span);
        let Some(mask) = self.data_mask else {
            sink(self.data);
            return;
        };
        let mut block = [0u8; 64];
        let mut mask_iter = mask.iter();
        for chunk in self.data.chunks(block.len()) {
            for (d, s) in block.iter_mut().zip(chunk) {
                *d = s & mask_iter.next().copied().unwrap_or(0xFF);
            }
            sink(block.get(..chunk.len()).unwrap_or(&[]));
        }
    }

    fn len(&self) -> usize {
        self.span.len() + self.data.len()
    }
}

fn seal<C>(key: &[u8], nonce: &GcmNonce, aad: &[u8], buf: &mut [u8]) -> Result<[u8; 16], Error>
where
    C: KeyInit + AeadInOut<NonceSize = U12, TagSize = U16>,
{
    let cipher = C::new_from_slice(key).map_err(|_| Error::KeyLength { len: key.len() })?;
    let nonce = Nonce::<C>::from(*nonce);
    let tag = cipher
        .encrypt_inout_detached(&nonce, aad, buf.into())
        .map_err(|_| Error::InvalidConfig("data length"))?;
    Ok(tag.into())
}

fn open<C>(
    key: &[u8],
    nonce: &GcmNonce,
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; 16],
) -> Result<bool, Error>
where
    C: KeyInit + AeadInOut<NonceSize = U12, TagSize = U16>,
{
    let cipher = C::new_from_slice(key).map_err(|_| Error::KeyLength { len: key.len() })?;
    let nonce = Nonce::<C>::from(*nonce);
    let tag = Tag::<C>::from(*tag);
    Ok(cipher
        .decrypt_inout_detached(&nonce, aad, buf.into(), &tag)
        .is_ok())
}

/// GCM authenticated encryption in place; returns the tag.
pub(crate) fn gcm_seal(
    key: &[u8],
    nonce: &GcmNonce,
    aad: &[u8],
    buf: &mut [u8],
) -> Result<[u8; 16], Error> {
    match key.len() {
        16 => seal::<Aes128Gcm>(key, nonce, aad, buf),
        _ => seal::<Aes256Gcm>(key, nonce, aad, buf),
    }
}

/// GCM authenticated decryption in place. `Ok(false)`: the tag does not verify, and the
/// buffer is left as it was (RustCrypto checks the tag before decrypting).
pub(crate) fn gcm_open(
    key: &[u8],
    nonce: &GcmNonce,
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; 16],
) -> Result<bool, Error> {
    match key.len() {
        16 => open::<Aes128Gcm>(key, nonce, aad, buf, tag),
        _ => open::<Aes256Gcm>(key, nonce, aad, buf, tag),
    }
}

/// GCM without a tag (encryption-only SAs): the GCM keystream (CTR from inc32(J0)) XORed in
/// place. Its own inverse, so it serves both directions.
pub(crate) fn gcm_keystream(key: &[u8], nonce: &GcmNonce, buf: &mut [u8]) -> Result<(), Error> {
    gcm_seal(key, nonce, &[], buf).map(|_| ())
}

/// The full (untruncated) MAC of an authentication-only suite into `out`; returns its length.
pub(crate) fn mac(
    suite: Suite,
    key: &[u8],
    nonce: &GcmNonce,
    input: &MacInput<'_>,
    out: &mut [u8; MAX_MAC_LEN],
) -> Result<usize, Error> {
    fn run<M: Mac + KeyInit>(
        key: &[u8],
        input: &MacInput<'_>,
        out: &mut [u8; MAX_MAC_LEN],
    ) -> Result<usize, Error> {
        let mut m =
            <M as KeyInit>::new_from_slice(key).map_err(|_| Error::KeyLength { len: key.len() })?;
        input.feed(&mut |chunk| m.update(chunk));
        let tag = m.finalize().into_bytes();
        let n = tag.len().min(out.len());
        if let (Some(d), Some(s)) = (out.get_mut(..n), tag.get(..n)) {
            d.copy_from_slice(s);
        }
        Ok(n)
    }
    match (suite, key.len()) {
        (Suite::AesCmac, 16) => run::<cmac::Cmac<aes::Aes128>>(key, input, out),
        (Suite::AesCmac, _) => run::<cmac::Cmac<aes::Aes256>>(key, input, out),
        (Suite::HmacSha256, _) => run::<hmac::Hmac<sha2::Sha256>>(key, input, out),
        (Suite::HmacSha512, _) => run::<hmac::Hmac<sha2::Sha512>>(key, input, out),
        (Suite::AesGmac, _) => {
            // GMAC = GCM with everything as AAD and an empty plaintext (SP 800-38D §3).
            let mut all = [0u8; MAX_AAD_LEN + MAX_GMAC_DATA];
            let total = input.len();
            if total > all.len() {
                return Err(Error::AadTooLong {
                    len: total,
                    max: all.len(),
                });
            }
            let mut at = 0;
            input.feed(&mut |chunk| {
                if let Some(dst) = all.get_mut(at..at + chunk.len()) {
                    dst.copy_from_slice(chunk);
                }
                at += chunk.len();
            });
            let tag = gcm_seal(key, nonce, all.get(..total).unwrap_or(&[]), &mut [])?;
            let (head, _) = out.split_at_mut(16);
            head.copy_from_slice(&tag);
            Ok(16)
        }
        (Suite::Clear | Suite::AesGcm | Suite::AesGcmEncryptOnly, _) => {
            Err(Error::InvalidConfig("suite has no separate MAC"))
        }
    }
}
