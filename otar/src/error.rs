//! The one error type of the `otar` crate. Every precondition the payload checks before it
//! applies an OTAR message has its own variant, so a ground operator (and a test) can tell
//! exactly which rule refused it.

use bpsec::KeyId;

use crate::key::KeyState;

/// Why an OTAR operation, a message decode or a store load was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OtarError {
    /// No key with this id is in the store.
    #[error("unknown key {0}")]
    UnknownKey(KeyId),
    /// The key exists but its lifecycle state does not allow the operation
    /// (355.1-B-1 key states: e.g. only a pre-active key can be activated).
    #[error("key {key} is {found:?}, expected {expected:?}")]
    KeyNotInState {
        /// The key.
        key: KeyId,
        /// The state the operation needs.
        expected: KeyState,
        /// The state the key is in.
        found: KeyState,
    },
    /// A key with this id already exists (or appears twice in one message).
    #[error("duplicate key {0}")]
    DuplicateKey(KeyId),
    /// The id belonged to a key that was destroyed; ids are never reused, so that an old
    /// policy naming the id can never silently pick up new key material.
    #[error("key id {0} was destroyed and cannot be reused")]
    KeyIdReused(KeyId),
    /// The key exists but was provisioned for another purpose.
    #[error("key {key} has purpose {found:?}, expected {expected:?}")]
    PurposeMismatch {
        /// The key.
        key: KeyId,
        /// The purpose the operation needs.
        expected: crate::store::Purpose,
        /// The key's purpose.
        found: crate::store::Purpose,
    },
    /// Key octets of an unusable length (RFC 3394 §2: a non-empty multiple of 8 octets; key
    /// encryption keys are 16, 24 or 32 octets).
    #[error("key {key}: {found} octets is not a valid key length")]
    KeyLength {
        /// The key.
        key: KeyId,
        /// The length found.
        found: usize,
    },
    /// The ML-DSA-65 signature does not verify under the current ground key (or is not a
    /// well-formed signature).
    #[error("bad signature")]
    BadSignature,
    /// ML-DSA signing failed (rejection sampling exhausted: FIPS 204 §6.2 notes it is
    /// practically impossible).
    #[error("signing failed")]
    SigningFailed,
    /// A field of fixed length has another length.
    #[error("{what}: {found} octets, expected {expected}")]
    Length {
        /// The field.
        what: &'static str,
        /// The required length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// CBOR that is not well-formed or not in the strict form OTAR requires (RFC 8949).
    #[error("CBOR: {0}")]
    Cbor(#[from] bpv7::Error),
    /// Well-formed CBOR that is not a valid OTAR item.
    #[error("at byte {offset}: {what}")]
    Malformed {
        /// Byte offset of the offending item.
        offset: usize,
        /// What was wrong.
        what: &'static str,
    },
    /// A message or response version this crate does not speak.
    #[error("unsupported version {0}")]
    UnsupportedVersion(u64),
    /// An unknown body or response type code.
    #[error("unknown body type {0}")]
    UnknownBody(u64),
    /// The message names another payload.
    #[error("message for node {found}, this is node {expected}")]
    WrongTarget {
        /// This payload's node number.
        expected: u64,
        /// The message's target.
        found: u64,
    },
    /// The counter is not above the last accepted one (replay or reordering).
    #[error("counter {received} not above the last accepted {last}")]
    StaleCounter {
        /// Last accepted counter.
        last: u64,
        /// The message's counter.
        received: u64,
    },
    /// A signing-key generation that is not the expected one: a message claiming another
    /// signer generation, or a rotation to anything but current + 1.
    #[error("generation {received}, current is {current}")]
    WrongGeneration {
        /// The payload's current ground-key generation.
        current: u32,
        /// The generation in the message.
        received: u32,
    },
    /// RFC 3394 unwrap under this key-encryption key failed its integrity check (wrong KEK
    /// or modified wrapped key, RFC 3394 §2.2.3).
    #[error("key unwrap under {0} failed")]
    Unwrap(KeyId),
    /// The store file could not be read or written.
    #[cfg(feature = "std")]
    #[error("store file I/O: {0}")]
    Io(std::io::ErrorKind),
    /// The store file is shorter than its fixed parts (magic, body, MAC): truncated.
    #[error("store file truncated ({len} octets)")]
    StoreTruncated {
        /// Its length.
        len: usize,
    },
    /// The store file is not an otar store of a version this crate reads.
    #[error("store file format: {0}")]
    StoreFormat(&'static str),
    /// The store file's HMAC does not verify: the file was modified or corrupted, or the
    /// master key is not the one it was written with (the two cannot be told apart).
    #[error("store file authentication failed (corrupted, or wrong master key)")]
    StoreAuthentication,
}
