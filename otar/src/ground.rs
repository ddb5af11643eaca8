//! The ground side of OTAR: builds and signs messages with the current ML-DSA-65 key, numbers
//! them from one strictly increasing counter, and rotates its signing key.
//!
//! The counter must survive restarts (persist [`Ground::next_counter`] before sending), or the
//! payloads will refuse the ground's messages as stale.

use alloc::vec::Vec;

use bpsec::KeyId;

use crate::OtarError;
use crate::message::{Body, Message, SignedMessage};
use crate::sign::{SigningKey, VerifyingKey};

/// The ground's OTAR signer.
#[derive(Debug)]
pub struct Ground {
    key: SigningKey,
    next_counter: u64,
}

impl Ground {
    /// A signer with `key`, numbering from `next_counter` (≥ 1; persisted value after a
    /// restart).
    pub const fn new(key: SigningKey, next_counter: u64) -> Self {
        Self { key, next_counter }
    }

    /// The counter the next message will carry.
    pub const fn next_counter(&self) -> u64 {
        self.next_counter
    }

    /// The current signing-key generation.
    pub const fn generation(&self) -> u32 {
        self.key.generation()
    }

    /// The current verifying key (provision it on the payload at integration).
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Encodes `body` for `target`, signs it with the current key and returns the signed
    /// envelope; the counter advances.
    pub fn sign(&mut self, target: u64, body: Body<'_>) -> Result<Vec<u8>, OtarError> {
        let message = Message {
            counter: self.next_counter,
            target,
            signer_generation: self.key.generation(),
            body,
        }
        .to_vec()?;
        let signature = self.key.sign(&message)?;
        let signed = SignedMessage {
            message: &message,
            signature: &signature,
        }
        .to_vec()?;
        self.next_counter = self.next_counter.saturating_add(1);
        Ok(signed)
    }

    /// The rotation message announcing `next` to `target`, signed by the **current** key.
    /// Send it to every payload, then [`Self::commit_rotation`].
    pub fn rotation_message(
        &mut self,
        target: u64,
        next: &SigningKey,
    ) -> Result<Vec<u8>, OtarError> {
        self.check_next(next)?;
        let public_key = next.verifying_key().to_bytes();
        self.sign(
            target,
            Body::RotateSigningKey {
                public_key: &public_key,
                generation: next.generation(),
            },
        )
    }

    /// Switches to `next` (generation current + 1); the old key is dropped (zeroized).
    pub fn commit_rotation(&mut self, next: SigningKey) -> Result<(), OtarError> {
        self.check_next(&next)?;
        self.key = next;
        Ok(())
    }

    fn check_next(&self, next: &SigningKey) -> Result<(), OtarError> {
        let current = self.key.generation();
        if current.checked_add(1) == Some(next.generation()) {
            Ok(())
        } else {
            Err(OtarError::WrongGeneration {
                current,
                received: next.generation(),
            })
        }
    }
}

/// Wraps `key` under key-encryption key `kek` (RFC 3394, via `bpsec::keywrap`) for a
/// [`Body::KeyUpload`].
pub fn wrap(kek_id: KeyId, kek: &[u8], key: &[u8]) -> Result<Vec<u8>, OtarError> {
    bpsec::keywrap::wrap(kek_id, kek, key).map_err(|e| match e {
        bpsec::Error::KeyLength { key, found, .. } => OtarError::KeyLength { key, found },
        _ => OtarError::KeyLength {
            key: kek_id,
            found: key.len(),
        },
    })
}
