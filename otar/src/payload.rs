//! The payload side of OTAR, sans-IO: [`Payload::apply`] takes the bytes of a signed
//! message and returns the response to send back, or the precondition that refused it. It
//! never touches files, clocks or sockets (persistence: [`crate::store::save`]).
//!
//! Checks, in this order, before anything changes:
//! 1. the ML-DSA-65 signature under the **current** ground key ([`OtarError::BadSignature`]);
//! 2. the signer generation is the current one ([`OtarError::WrongGeneration`]);
//! 3. the target is this node ([`OtarError::WrongTarget`]);
//! 4. the counter is strictly above the last accepted one ([`OtarError::StaleCounter`]);
//! 5. every key-state precondition of the body, for every key it names.
//!
//! Then the body is applied whole, and the counter advances. A refused message changes
//! nothing, the counter included: the ground can correct and resend; once any later message
//! is accepted, the refused one is stale for good.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use bpsec::KeyId;
use zeroize::Zeroizing;

use crate::OtarError;
use crate::key::KeyState;
use crate::message::{Body, KeyIds, Message, Response, SignedMessage, Uploads};
use crate::sign::VerifyingKey;
use crate::store::{ActivationPolicy, KeyStore, Purpose};

/// The payload's OTAR state: its key store, the ground's current verifying key (with its
/// generation), the last accepted counter, its own node number and the activation policy.
#[derive(Debug)]
pub struct Payload {
    pub(crate) store: KeyStore,
    pub(crate) ground: VerifyingKey,
    pub(crate) last_counter: u64,
    pub(crate) node: u64,
    pub(crate) policy: ActivationPolicy,
}

impl Payload {
    /// A payload as provisioned at integration: `store` holds at least the master
    /// key-encryption key; `ground` is the ground's first verifying key. Counters start at
    /// 1 (the first accepted message must carry counter ≥ 1).
    pub const fn new(
        node: u64,
        ground: VerifyingKey,
        store: KeyStore,
        policy: ActivationPolicy,
    ) -> Self {
        Self {
            store,
            ground,
            last_counter: 0,
            node,
            policy,
        }
    }

    /// The key store (e.g. as [`bpsec::KeyResolver`]).
    pub const fn store(&self) -> &KeyStore {
        &self.store
    }

    /// The key store, for local configuration such as (peer, purpose) assignments.
    pub const fn store_mut(&mut self) -> &mut KeyStore {
        &mut self.store
    }

    /// The ground key messages must verify under.
    pub const fn ground_key(&self) -> &VerifyingKey {
        &self.ground
    }

    /// The last accepted counter (0 before the first message).
    pub const fn last_counter(&self) -> u64 {
        self.last_counter
    }

    /// This payload's node number.
    pub const fn node(&self) -> u64 {
        self.node
    }

    /// The activation policy for uploaded keys.
    pub const fn policy(&self) -> ActivationPolicy {
        self.policy
    }

    /// Verifies, checks and applies one signed OTAR message (module docs for the order).
    pub fn apply(&mut self, signed: &[u8]) -> Result<Response, OtarError> {
        let envelope = SignedMessage::parse(signed)?;
        self.ground.verify(envelope.message, envelope.signature)?;
        let message = Message::parse(envelope.message)?;
        self.check_header(&message)?;
        let counter = message.counter;
        let response = match message.body {
            Body::KeyUpload { kek, keys } => {
                let unwrapped = self.check_upload(kek, keys)?;
                for (id, purpose, octets) in unwrapped {
                    self.store.stage(id, purpose, octets)?;
                    if self.policy == ActivationPolicy::OnReceipt {
                        self.store.activate(id)?;
                    }
                }
                Response::Ack { counter }
            }
            Body::Activate(ids) => {
                self.check_each(ids, |s, id| s.expect_state(id, KeyState::PreActive))?;
                for id in ids.iter() {
                    self.store.activate(id)?;
                }
                Response::Ack { counter }
            }
            Body::Deactivate(ids) => {
                self.check_each(ids, |s, id| s.expect_state(id, KeyState::Active))?;
                for id in ids.iter() {
                    self.store.deactivate(id)?;
                }
                Response::Ack { counter }
            }
            Body::Destroy(ids) => {
                self.check_each(ids, KeyStore::check_destroy)?;
                for id in ids.iter() {
                    self.store.destroy(id)?;
                }
                Response::Ack { counter }
            }
            Body::Verify { id, challenge } => {
                let key = self.store.get(id).ok_or(match self.store.state(id) {
                    Some(found) => OtarError::KeyNotInState {
                        key: id,
                        expected: KeyState::Active,
                        found,
                    },
                    None => OtarError::UnknownKey(id),
                })?;
                Response::Verified {
                    counter,
                    id,
                    proof: key.possession_proof(&challenge),
                }
            }
            Body::RotateSigningKey {
                public_key,
                generation,
            } => {
                let current = self.ground.generation();
                if current.checked_add(1) != Some(generation) {
                    return Err(OtarError::WrongGeneration {
                        current,
                        received: generation,
                    });
                }
                self.ground = VerifyingKey::from_bytes(public_key, generation)?;
                Response::Ack { counter }
            }
        };
        self.last_counter = counter;
        Ok(response)
    }

    fn check_header(&self, message: &Message<'_>) -> Result<(), OtarError> {
        let current = self.ground.generation();
        if message.signer_generation != current {
            return Err(OtarError::WrongGeneration {
                current,
                received: message.signer_generation,
            });
        }
        if message.target != self.node {
            return Err(OtarError::WrongTarget {
                expected: self.node,
                found: message.target,
            });
        }
        if message.counter <= self.last_counter {
            return Err(OtarError::StaleCounter {
                last: self.last_counter,
                received: message.counter,
            });
        }
        Ok(())
    }

    /// `check` on every id, and no id twice.
    fn check_each(
        &self,
        ids: KeyIds<'_>,
        check: impl Fn(&KeyStore, KeyId) -> Result<(), OtarError>,
    ) -> Result<(), OtarError> {
        let mut seen = BTreeSet::new();
        if let Some(id) = ids.iter().find(|id| !seen.insert(*id)) {
            return Err(OtarError::DuplicateKey(id));
        }
        ids.iter().try_for_each(|id| check(&self.store, id))
    }

    /// Validates an upload fully and returns the unwrapped keys (nothing is stored yet).
    #[allow(clippy::type_complexity)]
    fn check_upload(
        &self,
        kek: KeyId,
        keys: Uploads<'_>,
    ) -> Result<Vec<(KeyId, Purpose, Zeroizing<Vec<u8>>)>, OtarError> {
        // Only an active key-encryption key may unwrap (355.1-B-1: only active keys may
        // be used, including as OTAR master keys).
        self.store.expect_state(kek, KeyState::Active)?;
        self.store.expect_purpose(kek, Purpose::KeyEncryption)?;
        let kek_octets = self
            .store
            .active_octets(kek)
            .ok_or(OtarError::UnknownKey(kek))?;
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(keys.len());
        for key in keys.iter() {
            if !seen.insert(key.id) {
                return Err(OtarError::DuplicateKey(key.id));
            }
            self.store.check_new(key.id, key.wrapped.len())?;
            let octets =
                bpsec::keywrap::unwrap(kek, kek_octets, key.wrapped).map_err(|e| match e {
                    bpsec::Error::KeyLength { key, found, .. } => {
                        OtarError::KeyLength { key, found }
                    }
                    _ => OtarError::Unwrap(kek),
                })?;
            out.push((key.id, key.purpose, octets));
        }
        Ok(out)
    }
}
