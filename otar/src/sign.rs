//! ML-DSA-65 (FIPS 204) signing of OTAR messages: thin wrappers over the `ml-dsa` crate that
//! carry the signing-key **generation** (it never goes back) and fix the FIPS 204 context
//! string, so an OTAR signature can never be confused with a signature by the same key over
//! another protocol's bytes (FIPS 204 §5.2: `ctx` domain-separates applications).
//!
//! Signing is the deterministic variant of ML-DSA.Sign (FIPS 204 Algorithm 2 with
//! `rnd = {0}^32`, §3.4): the ground needs no RNG at signing time and a signature can be
//! reproduced in a test. Key pairs come from a 32-octet seed (ML-DSA.KeyGen_internal,
//! Algorithm 6) that the caller draws from a proper RNG.

use alloc::vec::Vec;
use core::fmt;

use ml_dsa::{B32, EncodedVerifyingKey, Keypair, MlDsa65, Signature};

use crate::OtarError;

/// FIPS 204 context string of every OTAR signature.
pub const CONTEXT: &[u8] = b"borealis-otar-v1";
/// Encoded ML-DSA-65 public key (pkEncode, FIPS 204 Table 2).
pub const PUBLIC_KEY_LEN: usize = 1952;
/// Encoded ML-DSA-65 expanded private key (skEncode, FIPS 204 Table 2).
pub const EXPANDED_SECRET_KEY_LEN: usize = 4032;
/// Encoded ML-DSA-65 signature (sigEncode, FIPS 204 Table 2).
pub const SIGNATURE_LEN: usize = 3309;
/// Key-generation seed ξ (FIPS 204 Algorithm 6).
pub const SEED_LEN: usize = 32;

/// The ground's ML-DSA-65 signing key and its generation. Zeroized on drop (`ml-dsa`'s
/// `zeroize` feature); never formatted.
pub struct SigningKey {
    inner: ml_dsa::SigningKey<MlDsa65>,
    generation: u32,
}

impl SigningKey {
    /// The key pair of `seed` (ML-DSA.KeyGen_internal), as generation `generation`.
    pub fn from_seed(seed: &[u8; SEED_LEN], generation: u32) -> Self {
        Self {
            inner: ml_dsa::SigningKey::from_seed(&B32::from(*seed)),
            generation,
        }
    }

    /// The generation of this key.
    pub const fn generation(&self) -> u32 {
        self.generation
    }

    /// The matching verifying key, same generation.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            inner: self.inner.verifying_key(),
            generation: self.generation,
        }
    }

    /// Deterministic ML-DSA.Sign of `message` with context [`CONTEXT`]; the encoded
    /// signature ([`SIGNATURE_LEN`] octets).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, OtarError> {
        self.inner
            .expanded_key()
            .sign_deterministic(message, CONTEXT)
            .map(|sig| sig.encode().to_vec())
            .map_err(|_| OtarError::SigningFailed)
    }
}

impl fmt::Debug for SigningKey {
    /// The generation only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// An ML-DSA-65 verifying (public) key and its generation.
#[derive(Clone)]
pub struct VerifyingKey {
    inner: ml_dsa::VerifyingKey<MlDsa65>,
    generation: u32,
}

impl VerifyingKey {
    /// Decodes a public key (pkDecode, FIPS 204 Algorithm 23) of exactly
    /// [`PUBLIC_KEY_LEN`] octets.
    pub fn from_bytes(bytes: &[u8], generation: u32) -> Result<Self, OtarError> {
        let encoded =
            EncodedVerifyingKey::<MlDsa65>::try_from(bytes).map_err(|_| OtarError::Length {
                what: "ML-DSA-65 public key",
                expected: PUBLIC_KEY_LEN,
                found: bytes.len(),
            })?;
        Ok(Self {
            inner: ml_dsa::VerifyingKey::decode(&encoded),
            generation,
        })
    }

    /// The encoded public key (pkEncode).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.encode().to_vec()
    }

    /// The generation of this key.
    pub const fn generation(&self) -> u32 {
        self.generation
    }

    /// ML-DSA.Verify (FIPS 204 Algorithm 3) of `signature` over `message` with context
    /// [`CONTEXT`]; a signature of the wrong length or that does not verify is
    /// [`OtarError::BadSignature`].
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), OtarError> {
        let sig = Signature::<MlDsa65>::try_from(signature).map_err(|_| OtarError::BadSignature)?;
        if self.inner.verify_with_context(message, CONTEXT, &sig) {
            Ok(())
        } else {
            Err(OtarError::BadSignature)
        }
    }
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation && self.inner.encode() == other.inner.encode()
    }
}

impl Eq for VerifyingKey {}

impl fmt::Debug for VerifyingKey {
    /// Generation and the first octets of the key (public).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let enc = self.inner.encode();
        let head: Vec<u8> = enc.iter().take(8).copied().collect();
        f.debug_struct("VerifyingKey")
            .field("generation", &self.generation)
            .field("head", &head)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_refusals() {
        let sk = SigningKey::from_seed(&[3; 32], 4);
        let vk = sk.verifying_key();
        assert_eq!(vk.generation(), 4);
        let sig = sk.sign(b"hello").unwrap();
        assert_eq!(sig.len(), SIGNATURE_LEN);
        assert_eq!(vk.verify(b"hello", &sig), Ok(()));
        assert_eq!(vk.verify(b"hellp", &sig), Err(OtarError::BadSignature));
        assert_eq!(vk.verify(b"hello", &sig[1..]), Err(OtarError::BadSignature));
        let other = SigningKey::from_seed(&[4; 32], 4).verifying_key();
        assert_eq!(other.verify(b"hello", &sig), Err(OtarError::BadSignature));
        let bytes = vk.to_bytes();
        assert_eq!(bytes.len(), PUBLIC_KEY_LEN);
        assert_eq!(VerifyingKey::from_bytes(&bytes, 4).unwrap(), vk);
        assert!(matches!(
            VerifyingKey::from_bytes(&bytes[1..], 4),
            Err(OtarError::Length { found: 1951, .. })
        ));
        assert!(!alloc::format!("{sk:?}").contains("inner"));
    }
}
