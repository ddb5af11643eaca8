//! BCB-AES-GCM (RFC 9173 §4): security context 2, AES-GCM encryption of each target's
//! block-type-specific data in place, with the authentication tag as the security result.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};
use alloc::vec::Vec;

use super::{BlockHeader, Count, Fill, ParamFault, Scope, feed_scoped};
use crate::Error;
use crate::asb::{Item, Items, Value};

/// Security context id (RFC 9173 §4.1).
pub const CONTEXT_ID: i64 = 2;

/// Parameter ids (RFC 9173 §4.3).
pub mod param {
    /// Initialization vector, bstr (§4.3.1).
    pub const IV: i64 = 1;
    /// AES variant, uint (§4.3.2).
    pub const AES_VARIANT: i64 = 2;
    /// Wrapped key, bstr (§4.3.3).
    pub const WRAPPED_KEY: i64 = 3;
    /// AAD scope flags, uint (§4.3.4).
    pub const AAD_SCOPE: i64 = 4;
}

/// Result id of the authentication tag, bstr (RFC 9173 §4.4).
pub const RESULT_AUTH_TAG: i64 = 1;

/// IV length this implementation uses and accepts: 96 bits, the length RFC 9173 §4.3.1
/// recommends and NIST SP 800-38D §8.2 constructs deterministically.
pub const IV_LEN: usize = 12;

/// Authentication tag length: 128 bits (RFC 9173 §4.4).
pub const TAG_LEN: usize = 16;

/// The AES-GCM variant (RFC 9173 §4.3.2, table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AesVariant {
    /// A128GCM.
    A128Gcm,
    /// A256GCM, the default.
    #[default]
    A256Gcm,
}

impl AesVariant {
    /// The parameter value (1, 3).
    pub const fn code(self) -> u64 {
        match self {
            Self::A128Gcm => 1,
            Self::A256Gcm => 3,
        }
    }

    /// The variant with parameter value `code`.
    pub const fn from_code(code: u64) -> Option<Self> {
        match code {
            1 => Some(Self::A128Gcm),
            3 => Some(Self::A256Gcm),
            _ => None,
        }
    }

    /// Octets of the content-encryption key.
    pub const fn key_len(self) -> usize {
        match self {
            Self::A128Gcm => 16,
            Self::A256Gcm => 32,
        }
    }
}

/// The parameters of one BCB-AES-GCM operation as present on the wire (absent ones take
/// their §4.3 defaults but are not written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BcbParameters<'a> {
    /// The IV (required, §4.3.1).
    pub iv: &'a [u8],
    /// AES variant (default A256GCM).
    pub aes_variant: Option<AesVariant>,
    /// The content-encryption key wrapped (RFC 3394) under the resolved key, when present.
    pub wrapped_key: Option<&'a [u8]>,
    /// AAD scope flags (default all).
    pub scope: Option<Scope>,
}

impl<'a> BcbParameters<'a> {
    /// Reads the parameters of a received BCB: the IV must be present and [`IV_LEN`] octets;
    /// an unknown, repeated or out-of-range parameter is an [`Error::Parameter`].
    pub fn decode(items: Items<'a>) -> Result<Self, Error> {
        let mut read = BcbParametersRead::EMPTY;
        for item in items {
            read.add(item).map_err(parameter_error)?;
        }
        read.finish().map_err(parameter_error)
    }

    /// The parameters to write, in id order; `None` entries are absent.
    pub fn items(&self) -> [Option<Item<'a>>; 4] {
        core::array::from_fn(|i| self.item(i))
    }

    /// The present parameters, in id order, computed one by one (no intermediate array:
    /// its elements, stored piecewise and read back whole, stalled store forwarding).
    pub(crate) fn present_items(&self) -> impl Iterator<Item = Item<'a>> + '_ {
        (0..4).filter_map(|i| self.item(i))
    }

    /// The `i`-th parameter of [`Self::items`].
    #[inline(always)]
    fn item(&self, i: usize) -> Option<Item<'a>> {
        match i {
            0 => Some((param::IV, Value::Bytes(self.iv))),
            1 => self
                .aes_variant
                .map(|v| (param::AES_VARIANT, Value::Uint(v.code()))),
            2 => self
                .wrapped_key
                .map(|k| (param::WRAPPED_KEY, Value::Bytes(k))),
            3 => self
                .scope
                .map(|s| (param::AAD_SCOPE, Value::Uint(u64::from(s.0)))),
            _ => None,
        }
    }

    /// The effective AES variant.
    pub fn variant(&self) -> AesVariant {
        self.aes_variant.unwrap_or_default()
    }

    /// The effective AAD scope.
    pub fn effective_scope(&self) -> Scope {
        self.scope.unwrap_or_default()
    }
}

/// [`BcbParameters`] being read one item at a time: [`BcbParameters::decode`]'s steps, also
/// run by the ASB decoder as it validates the parameters (one pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BcbParametersRead<'a> {
    iv: Option<&'a [u8]>,
    aes_variant: Option<AesVariant>,
    wrapped_key: Option<&'a [u8]>,
    scope: Option<Scope>,
}

impl<'a> BcbParametersRead<'a> {
    /// Nothing read yet.
    pub(crate) const EMPTY: Self = Self {
        iv: None,
        aes_variant: None,
        wrapped_key: None,
        scope: None,
    };

    /// Takes one received parameter (RFC 9173 §4.3).
    pub(crate) fn add(&mut self, (id, value): Item<'a>) -> Result<(), ParamFault> {
        let repeated = match (id, value) {
            (param::IV, Value::Bytes(v)) => self.iv.replace(v).is_some(),
            (param::AES_VARIANT, Value::Uint(code)) => self
                .aes_variant
                .replace(AesVariant::from_code(code).ok_or((id, "unknown AES variant"))?)
                .is_some(),
            (param::WRAPPED_KEY, Value::Bytes(k)) => self.wrapped_key.replace(k).is_some(),
            (param::AAD_SCOPE, Value::Uint(flags)) => self
                .scope
                .replace(Scope::from_param(flags).ok_or((id, "unassigned scope flag"))?)
                .is_some(),
            (param::IV | param::AES_VARIANT | param::WRAPPED_KEY | param::AAD_SCOPE, _) => {
                return Err((id, "wrong CBOR type"));
            }
            _ => return Err((id, "unknown parameter")),
        };
        if repeated {
            return Err((id, "repeated parameter"));
        }
        Ok(())
    }

    /// The parameters once all are read: the IV must be present and [`IV_LEN`] octets.
    pub(crate) fn finish(self) -> Result<BcbParameters<'a>, ParamFault> {
        let iv = self
            .iv
            .ok_or((param::IV, "missing (required by RFC 9173 §4.3.1)"))?;
        if iv.len() != IV_LEN {
            return Err((param::IV, "not 12 octets (the only length supported)"));
        }
        Ok(BcbParameters {
            iv,
            aes_variant: self.aes_variant,
            wrapped_key: self.wrapped_key,
            scope: self.scope,
        })
    }
}

/// The [`Error::Parameter`] of a BCB-AES-GCM parameter fault.
pub(crate) fn parameter_error((id, reason): ParamFault) -> Error {
    Error::Parameter {
        context: CONTEXT_ID,
        what: "parameter",
        id,
        reason,
    }
}

/// Octets of AAD kept on the stack: scope (1) + a primary block of up to ~200 octets + two
/// block headers (up to 27 each) — every Borealis bundle; larger primary blocks spill to the heap.
const AAD_STACK: usize = 256;

/// The Additional Authenticated Data of one target (RFC 9173 §4.7.2), built without
/// allocating in the usual case. Reuse one `Aad` for every target of an operation.
#[derive(Clone)]
pub struct Aad {
    stack: [u8; AAD_STACK],
    len: usize,
    heap: Vec<u8>,
}

impl Default for Aad {
    fn default() -> Self {
        Self::new()
    }
}

impl Aad {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self {
            stack: [0; AAD_STACK],
            len: 0,
            heap: Vec::new(),
        }
    }

    /// Builds the AAD of one target: scope flags, then primary block, target header and the
    /// BCB's own header as the scope selects. (§4.7.2 step 4 says "BIB"; the BCB's header is
    /// meant, as the A.4 example shows.)
    pub fn build(
        &mut self,
        scope: Scope,
        primary: &[u8],
        target: &BlockHeader,
        bcb: &BlockHeader,
    ) -> &[u8] {
        let mut count = Count(0);
        feed_scoped(scope, primary, Some(target), bcb, &mut count);
        self.len = count.0;
        self.heap.clear();
        let buf = match self.stack.get_mut(..count.0) {
            Some(stack) => stack,
            None => {
                self.heap.resize(count.0, 0);
                &mut self.heap
            }
        };
        feed_scoped(scope, primary, Some(target), bcb, &mut Fill(buf));
        self.as_bytes()
    }

    /// The AAD last built.
    pub fn as_bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            self.stack.get(..self.len).unwrap_or_default()
        } else {
            &self.heap
        }
    }
}

impl core::fmt::Debug for Aad {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Aad({} octets)", self.as_bytes().len())
    }
}

/// A keyed AES-GCM instance of either variant.
pub struct Cipher(Inner);

enum Inner {
    A128(Aes128Gcm),
    A256(Aes256Gcm),
}

impl Cipher {
    /// Keys the cipher; `None` if `key` is not [`AesVariant::key_len`] octets. Inlined, so
    /// that the keyed state (round keys, GHASH key) is built where the caller keeps it
    /// instead of being moved there.
    #[inline]
    pub fn new(variant: AesVariant, key: &[u8]) -> Option<Self> {
        Some(Self(match variant {
            AesVariant::A128Gcm => Inner::A128(Aes128Gcm::new_from_slice(key).ok()?),
            AesVariant::A256Gcm => Inner::A256(Aes256Gcm::new_from_slice(key).ok()?),
        }))
    }

    /// Encrypts `data` in place and returns the tag; `None` if the IV is not [`IV_LEN`]
    /// octets or the data exceeds GCM's limit.
    pub fn encrypt(&self, iv: &[u8], aad: &[u8], data: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let nonce = Nonce::try_from(iv).ok()?;
        let tag = match &self.0 {
            Inner::A128(c) => c.encrypt_inout_detached(&nonce, aad, data.into()),
            Inner::A256(c) => c.encrypt_inout_detached(&nonce, aad, data.into()),
        }
        .ok()?;
        Some(tag.into())
    }

    /// Decrypts `data` in place if `tag` verifies (constant-time inside `aes-gcm`); on
    /// failure `data` is left as it was and `false` returned.
    pub fn decrypt(&self, iv: &[u8], aad: &[u8], data: &mut [u8], tag: &[u8]) -> bool {
        let (Ok(nonce), Ok(tag)) = (Nonce::try_from(iv), Tag::try_from(tag)) else {
            return false;
        };
        match &self.0 {
            Inner::A128(c) => c.decrypt_inout_detached(&nonce, aad, data.into(), &tag),
            Inner::A256(c) => c.decrypt_inout_detached(&nonce, aad, data.into(), &tag),
        }
        .is_ok()
    }
}

impl core::fmt::Debug for Cipher {
    /// Names the variant only: never key material.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let variant = match self.0 {
            Inner::A128(_) => AesVariant::A128Gcm,
            Inner::A256(_) => AesVariant::A256Gcm,
        };
        write!(f, "Cipher({variant:?})")
    }
}
