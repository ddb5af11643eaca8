//! OTAR messages: CBOR (RFC 8949, through `bpv7::cbor`, the workspace's one codec),
//! versioned, signed with ML-DSA-65.
//!
//! ```text
//! SignedMessage = [message: bstr, signature: bstr .size 3309]      ; signature over `message`
//! Message       = [version: 1, counter: uint, target: uint, signer_generation: uint32, body]
//! body          = [0, kek: id, [+ [id, purpose, wrapped: bstr]]]   ; KeyUpload (RFC 3394)
//!               / [1, [+ id]]                                      ; Activate
//!               / [2, [+ id]]                                      ; Deactivate
//!               / [3, id, challenge: bstr .size 16]                ; Verify
//!               / [4, [+ id]]                                      ; Destroy
//!               / [5, public_key: bstr .size 1952, generation: uint32] ; RotateSigningKey
//! Response      = [1, counter, 0]                                  ; Ack
//!               / [1, counter, 1, id, proof: bstr .size 32]        ; Verified
//! id = uint32, purpose = 0..3 (store::Purpose)
//! ```
//!
//! The procedures are those of 355.1-B-1 key management (OTAR, activation, deactivation,
//! verification, destruction), re-encoded in CBOR because they travel in bundles, not in SDLS
//! EP PDUs. Decoding is strict and zero-copy: shortest-form heads only
//! (`Decoder::strict`, RFC 8949 §4.2.1), definite lengths, exact array sizes, no trailing
//! bytes; byte strings and id lists are borrowed from the input. The encoder refuses every
//! value the decoder would reject.

use alloc::vec::Vec;
use core::fmt;

use bpsec::KeyId;
use bpv7::cbor::{Decoder, write_array_head, write_bytes, write_uint};

use crate::OtarError;
use crate::sign::{PUBLIC_KEY_LEN, SIGNATURE_LEN};
use crate::store::Purpose;

/// The message format version this crate speaks.
pub const VERSION: u64 = 1;
/// Key-verification challenge length (as SDLS-EP key verification, 355.1-B-1).
pub const CHALLENGE_LEN: usize = 16;
/// Proof-of-possession length (HMAC-SHA-256).
pub const PROOF_LEN: usize = 32;
/// Most keys one message may name: bounds the work a message can cause.
pub const MAX_KEYS: usize = 64;
/// Shortest RFC 3394 output: two 64-bit key-data blocks plus the integrity block.
pub const MIN_WRAPPED_LEN: usize = 24;

fn malformed(offset: usize, what: &'static str) -> OtarError {
    OtarError::Malformed { offset, what }
}

fn expect_array(d: &mut Decoder<'_>, len: u64, what: &'static str) -> Result<(), OtarError> {
    let at = d.position();
    if d.array_definite()? == len {
        Ok(())
    } else {
        Err(malformed(at, what))
    }
}

fn read_u32(d: &mut Decoder<'_>, what: &'static str) -> Result<u32, OtarError> {
    let at = d.position();
    u32::try_from(d.uint()?).map_err(|_| malformed(at, what))
}

fn read_id(d: &mut Decoder<'_>) -> Result<KeyId, OtarError> {
    read_u32(d, "key id above 2^32-1").map(KeyId)
}

fn read_fixed<'a>(
    d: &mut Decoder<'a>,
    len: usize,
    what: &'static str,
) -> Result<&'a [u8], OtarError> {
    let at = d.position();
    let bytes = d.bytes()?;
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err(malformed(at, what))
    }
}

/// Reads a list head of 1..=[`MAX_KEYS`] items.
fn read_list_len(d: &mut Decoder<'_>) -> Result<usize, OtarError> {
    let at = d.position();
    let n = d.array_definite()?;
    match usize::try_from(n) {
        Ok(n) if (1..=MAX_KEYS).contains(&n) => Ok(n),
        _ => Err(malformed(at, "key list must hold 1 to 64 entries")),
    }
}

fn check_list_len(n: usize) -> Result<(), OtarError> {
    if (1..=MAX_KEYS).contains(&n) {
        Ok(())
    } else {
        Err(malformed(0, "key list must hold 1 to 64 entries"))
    }
}

fn check_wrapped(id: KeyId, len: usize) -> Result<(), OtarError> {
    if len >= MIN_WRAPPED_LEN && len.is_multiple_of(8) {
        Ok(())
    } else {
        Err(OtarError::KeyLength {
            key: id,
            found: len,
        })
    }
}

/// A list of key ids: borrowed from a caller's slice (to encode) or from the decoded message
/// (zero-copy: the ids are read from the validated CBOR when iterated).
#[derive(Clone, Copy)]
pub struct KeyIds<'a>(Ids<'a>);

#[derive(Clone, Copy)]
enum Ids<'a> {
    Slice(&'a [KeyId]),
    Encoded { cbor: &'a [u8], len: usize },
}

impl<'a> KeyIds<'a> {
    /// The ids of `ids`.
    pub const fn new(ids: &'a [KeyId]) -> Self {
        Self(Ids::Slice(ids))
    }

    /// Number of ids.
    pub const fn len(&self) -> usize {
        match self.0 {
            Ids::Slice(s) => s.len(),
            Ids::Encoded { len, .. } => len,
        }
    }

    /// Whether the list is empty (never, for a decoded or encodable list).
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids in order.
    pub fn iter(&self) -> impl Iterator<Item = KeyId> + 'a {
        let (slice, cbor, len) = match self.0 {
            Ids::Slice(s) => (s, &[][..], 0),
            Ids::Encoded { cbor, len } => (&[][..], cbor, len),
        };
        let mut d = Decoder::strict(cbor);
        // Validated at parse time: the reads cannot fail; `map_while` ends the list if one did.
        slice
            .iter()
            .copied()
            .chain((0..len).map_while(move |_| read_id(&mut d).ok()))
    }

    fn parse(d: &mut Decoder<'a>) -> Result<Self, OtarError> {
        let len = read_list_len(d)?;
        let cbor = items(d, len, |d| read_id(d).map(|_| ()))?;
        Ok(Self(Ids::Encoded { cbor, len }))
    }

    fn emit(&self, buf: &mut Vec<u8>) -> Result<(), OtarError> {
        check_list_len(self.len())?;
        write_array_head(buf, self.len() as u64);
        for id in self.iter() {
            write_uint(buf, id.0.into());
        }
        Ok(())
    }
}

/// Reads `len` items with `item` and returns their encoded span (zero-copy).
fn items<'a>(
    d: &mut Decoder<'a>,
    len: usize,
    mut item: impl FnMut(&mut Decoder<'a>) -> Result<(), OtarError>,
) -> Result<&'a [u8], OtarError> {
    let rest = d.remaining();
    let start = d.position();
    for _ in 0..len {
        item(d)?;
    }
    Ok(rest.get(..d.position() - start).unwrap_or_default())
}

impl PartialEq for KeyIds<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for KeyIds<'_> {}

impl fmt::Debug for KeyIds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One uploaded key: its id, purpose and octets wrapped with RFC 3394 under the message's
/// key-encryption key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrappedKey<'a> {
    /// Id of the new key.
    pub id: KeyId,
    /// What the new key is for.
    pub purpose: Purpose,
    /// RFC 3394 output (key length + 8 octets).
    pub wrapped: &'a [u8],
}

impl<'a> WrappedKey<'a> {
    fn parse(d: &mut Decoder<'a>) -> Result<Self, OtarError> {
        expect_array(d, 3, "uploaded key must be [id, purpose, wrapped]")?;
        let id = read_id(d)?;
        let at = d.position();
        let purpose = Purpose::from_code(d.uint()?).ok_or(malformed(at, "unknown purpose"))?;
        let wrapped = d.bytes()?;
        check_wrapped(id, wrapped.len())?;
        Ok(Self {
            id,
            purpose,
            wrapped,
        })
    }

    fn emit(&self, buf: &mut Vec<u8>) -> Result<(), OtarError> {
        check_wrapped(self.id, self.wrapped.len())?;
        write_array_head(buf, 3);
        write_uint(buf, self.id.0.into());
        write_uint(buf, self.purpose.code().into());
        write_bytes(buf, self.wrapped);
        Ok(())
    }
}

/// The keys of an upload, borrowed (see [`KeyIds`]).
#[derive(Clone, Copy)]
pub struct Uploads<'a>(Ups<'a>);

#[derive(Clone, Copy)]
enum Ups<'a> {
    Slice(&'a [WrappedKey<'a>]),
    Encoded { cbor: &'a [u8], len: usize },
}

impl<'a> Uploads<'a> {
    /// The keys of `keys`.
    pub const fn new(keys: &'a [WrappedKey<'a>]) -> Self {
        Self(Ups::Slice(keys))
    }

    /// Number of keys.
    pub const fn len(&self) -> usize {
        match self.0 {
            Ups::Slice(s) => s.len(),
            Ups::Encoded { len, .. } => len,
        }
    }

    /// Whether there are none (never, for a decoded or encodable upload).
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keys in order.
    pub fn iter(&self) -> impl Iterator<Item = WrappedKey<'a>> + 'a {
        let (slice, cbor, len) = match self.0 {
            Ups::Slice(s) => (s, &[][..], 0),
            Ups::Encoded { cbor, len } => (&[][..], cbor, len),
        };
        let mut d = Decoder::strict(cbor);
        slice
            .iter()
            .copied()
            .chain((0..len).map_while(move |_| WrappedKey::parse(&mut d).ok()))
    }

    fn parse(d: &mut Decoder<'a>) -> Result<Self, OtarError> {
        let len = read_list_len(d)?;
        let cbor = items(d, len, |d| WrappedKey::parse(d).map(|_| ()))?;
        Ok(Self(Ups::Encoded { cbor, len }))
    }

    fn emit(&self, buf: &mut Vec<u8>) -> Result<(), OtarError> {
        check_list_len(self.len())?;
        write_array_head(buf, self.len() as u64);
        for key in self.iter() {
            key.emit(buf)?;
        }
        Ok(())
    }
}

impl PartialEq for Uploads<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Uploads<'_> {}

impl fmt::Debug for Uploads<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// What an OTAR message asks for (355.1-B-1 key management procedures, plus signing-key
/// rotation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'a> {
    /// OTAR: new keys, wrapped (RFC 3394) under the active key-encryption key `kek`; they
    /// land pre-active in the staging slot.
    KeyUpload {
        /// The key-encryption key that wrapped them.
        kek: KeyId,
        /// The wrapped keys.
        keys: Uploads<'a>,
    },
    /// Key activation: pre-active → active.
    Activate(KeyIds<'a>),
    /// Key deactivation: active → deactivated.
    Deactivate(KeyIds<'a>),
    /// Key verification: prove possession of `id` by answering `challenge`.
    Verify {
        /// The key to verify.
        id: KeyId,
        /// Fresh random challenge from the ground.
        challenge: [u8; CHALLENGE_LEN],
    },
    /// Key destruction: deactivated (or never activated) → destroyed.
    Destroy(KeyIds<'a>),
    /// Signing-key rotation: the ground's next ML-DSA-65 public key, generation current + 1.
    RotateSigningKey {
        /// Encoded ML-DSA-65 public key ([`PUBLIC_KEY_LEN`] octets).
        public_key: &'a [u8],
        /// Its generation.
        generation: u32,
    },
}

impl<'a> Body<'a> {
    /// Wire type code.
    pub const fn code(&self) -> u64 {
        match self {
            Self::KeyUpload { .. } => 0,
            Self::Activate(_) => 1,
            Self::Deactivate(_) => 2,
            Self::Verify { .. } => 3,
            Self::Destroy(_) => 4,
            Self::RotateSigningKey { .. } => 5,
        }
    }

    fn parse(d: &mut Decoder<'a>) -> Result<Self, OtarError> {
        let at = d.position();
        let items = d.array_definite()?;
        let code_at = d.position();
        let code = d.uint()?;
        let expected = match code {
            0 | 3 | 5 => 3,
            1 | 2 | 4 => 2,
            other => return Err(OtarError::UnknownBody(other)),
        };
        if items != expected {
            return Err(malformed(
                at,
                "body array has the wrong length for its type",
            ));
        }
        Ok(match code {
            0 => Self::KeyUpload {
                kek: read_id(d)?,
                keys: Uploads::parse(d)?,
            },
            1 => Self::Activate(KeyIds::parse(d)?),
            2 => Self::Deactivate(KeyIds::parse(d)?),
            3 => {
                let id = read_id(d)?;
                let at = d.position();
                let challenge = read_fixed(d, CHALLENGE_LEN, "challenge must be 16 octets")?
                    .try_into()
                    .map_err(|_| malformed(at, "challenge must be 16 octets"))?;
                Self::Verify { id, challenge }
            }
            4 => Self::Destroy(KeyIds::parse(d)?),
            5 => Self::RotateSigningKey {
                public_key: read_fixed(d, PUBLIC_KEY_LEN, "public key must be 1952 octets")?,
                generation: read_u32(d, "generation above 2^32-1")?,
            },
            _ => return Err(malformed(code_at, "body type")),
        })
    }

    fn emit(&self, buf: &mut Vec<u8>) -> Result<(), OtarError> {
        match self {
            Self::KeyUpload { kek, keys } => {
                write_array_head(buf, 3);
                write_uint(buf, self.code());
                write_uint(buf, kek.0.into());
                keys.emit(buf)
            }
            Self::Activate(ids) | Self::Deactivate(ids) | Self::Destroy(ids) => {
                write_array_head(buf, 2);
                write_uint(buf, self.code());
                ids.emit(buf)
            }
            Self::Verify { id, challenge } => {
                write_array_head(buf, 3);
                write_uint(buf, self.code());
                write_uint(buf, id.0.into());
                write_bytes(buf, challenge);
                Ok(())
            }
            Self::RotateSigningKey {
                public_key,
                generation,
            } => {
                if public_key.len() != PUBLIC_KEY_LEN {
                    return Err(OtarError::Length {
                        what: "ML-DSA-65 public key",
                        expected: PUBLIC_KEY_LEN,
                        found: public_key.len(),
                    });
                }
                write_array_head(buf, 3);
                write_uint(buf, self.code());
                write_bytes(buf, public_key);
                write_uint(buf, (*generation).into());
                Ok(())
            }
        }
    }
}

/// One OTAR message (the signed part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// Strictly increasing across all messages of a ground (anti-replay).
    pub counter: u64,
    /// Node number of the payload that must apply it.
    pub target: u64,
    /// Generation of the ground signing key that signs it.
    pub signer_generation: u32,
    /// What to do.
    pub body: Body<'a>,
}

impl<'a> Message<'a> {
    /// Decodes one message; the whole input must be the message.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, OtarError> {
        let mut d = Decoder::strict(bytes);
        expect_array(&mut d, 5, "message must be a 5-item array")?;
        let version = d.uint()?;
        if version != VERSION {
            return Err(OtarError::UnsupportedVersion(version));
        }
        let counter = d.uint()?;
        let target = d.uint()?;
        let signer_generation = read_u32(&mut d, "generation above 2^32-1")?;
        let body = Body::parse(&mut d)?;
        if !d.is_empty() {
            return Err(malformed(d.position(), "trailing bytes"));
        }
        Ok(Self {
            counter,
            target,
            signer_generation,
            body,
        })
    }

    /// Encodes the message (deterministic CBOR).
    pub fn to_vec(&self) -> Result<Vec<u8>, OtarError> {
        let mut buf = Vec::new();
        write_array_head(&mut buf, 5);
        write_uint(&mut buf, VERSION);
        write_uint(&mut buf, self.counter);
        write_uint(&mut buf, self.target);
        write_uint(&mut buf, self.signer_generation.into());
        self.body.emit(&mut buf)?;
        Ok(buf)
    }
}

/// The envelope: message bytes and the ML-DSA-65 signature over exactly those bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedMessage<'a> {
    /// The encoded [`Message`].
    pub message: &'a [u8],
    /// ML-DSA-65 signature ([`SIGNATURE_LEN`] octets).
    pub signature: &'a [u8],
}

impl<'a> SignedMessage<'a> {
    /// Decodes the envelope (the message inside is not decoded yet: verify first).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, OtarError> {
        let mut d = Decoder::strict(bytes);
        expect_array(&mut d, 2, "signed message must be [message, signature]")?;
        let message = d.bytes()?;
        let signature = read_fixed(&mut d, SIGNATURE_LEN, "signature must be 3309 octets")?;
        if !d.is_empty() {
            return Err(malformed(d.position(), "trailing bytes"));
        }
        Ok(Self { message, signature })
    }

    /// Encodes the envelope.
    pub fn to_vec(&self) -> Result<Vec<u8>, OtarError> {
        if self.signature.len() != SIGNATURE_LEN {
            return Err(OtarError::Length {
                what: "ML-DSA-65 signature",
                expected: SIGNATURE_LEN,
                found: self.signature.len(),
            });
        }
        let mut buf = Vec::with_capacity(self.message.len() + SIGNATURE_LEN + 8);
        write_array_head(&mut buf, 2);
        write_bytes(&mut buf, self.message);
        write_bytes(&mut buf, self.signature);
        Ok(buf)
    }
}

/// The payload's answer to an applied message (travels back in an authenticated bundle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// Applied.
    Ack {
        /// Counter of the applied message.
        counter: u64,
    },
    /// Key verification answer.
    Verified {
        /// Counter of the Verify message.
        counter: u64,
        /// The key.
        id: KeyId,
        /// [`crate::Key::possession_proof`] of the challenge.
        proof: [u8; PROOF_LEN],
    },
}

impl Response {
    /// Decodes a response.
    pub fn parse(bytes: &[u8]) -> Result<Self, OtarError> {
        let mut d = Decoder::strict(bytes);
        let at = d.position();
        let items = d.array_definite()?;
        let version = d.uint()?;
        if version != VERSION {
            return Err(OtarError::UnsupportedVersion(version));
        }
        let counter = d.uint()?;
        let response = match (d.uint()?, items) {
            (0, 3) => Self::Ack { counter },
            (1, 5) => {
                let id = read_id(&mut d)?;
                let at = d.position();
                let proof = read_fixed(&mut d, PROOF_LEN, "proof must be 32 octets")?
                    .try_into()
                    .map_err(|_| malformed(at, "proof must be 32 octets"))?;
                Self::Verified { counter, id, proof }
            }
            (0 | 1, _) => return Err(malformed(at, "response array has the wrong length")),
            (other, _) => return Err(OtarError::UnknownBody(other)),
        };
        if !d.is_empty() {
            return Err(malformed(d.position(), "trailing bytes"));
        }
        Ok(response)
    }

    /// Encodes the response.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        match self {
            Self::Ack { counter } => {
                write_array_head(&mut buf, 3);
                write_uint(&mut buf, VERSION);
                write_uint(&mut buf, *counter);
                write_uint(&mut buf, 0);
            }
            Self::Verified { counter, id, proof } => {
                write_array_head(&mut buf, 5);
                write_uint(&mut buf, VERSION);
                write_uint(&mut buf, *counter);
                write_uint(&mut buf, 1);
                write_uint(&mut buf, id.0.into());
                write_bytes(&mut buf, proof);
            }
        }
        buf
    }

    /// The counter of the message answered.
    pub const fn counter(&self) -> u64 {
        match self {
            Self::Ack { counter } | Self::Verified { counter, .. } => *counter,
        }
    }
}
