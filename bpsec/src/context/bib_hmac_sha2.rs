//! BIB-HMAC-SHA2 (RFC 9173 §3): security context 1, an HMAC over each target's
//! Integrity-Protected Plaintext (IPPT).

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

use super::{BlockHeader, ParamFault, Pieces, Scope, feed_scoped};
use crate::Error;
use crate::asb::{Item, Items, Value};

/// Security context id (RFC 9173 §3.1).
pub const CONTEXT_ID: i64 = 1;

/// Parameter ids (RFC 9173 §3.3).
pub mod param {
    /// SHA variant, uint (§3.3.1).
    pub const SHA_VARIANT: i64 = 1;
    /// Wrapped key, bstr (§3.3.2).
    pub const WRAPPED_KEY: i64 = 2;
    /// Integrity scope flags, uint (§3.3.3).
    pub const INTEGRITY_SCOPE: i64 = 3;
}

/// Result id of the expected HMAC, bstr (RFC 9173 §3.4).
pub const RESULT_EXPECTED_HMAC: i64 = 1;

/// The HMAC variant (RFC 9173 §3.3.1, table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ShaVariant {
    /// HMAC 256/256.
    Hmac256,
    /// HMAC 384/384, the default.
    #[default]
    Hmac384,
    /// HMAC 512/512.
    Hmac512,
}

impl ShaVariant {
    /// The parameter value (5, 6, 7).
    pub const fn code(self) -> u64 {
        match self {
            Self::Hmac256 => 5,
            Self::Hmac384 => 6,
            Self::Hmac512 => 7,
        }
    }

    /// The variant with parameter value `code`.
    pub const fn from_code(code: u64) -> Option<Self> {
        match code {
            5 => Some(Self::Hmac256),
            6 => Some(Self::Hmac384),
            7 => Some(Self::Hmac512),
            _ => None,
        }
    }

    /// Octets of the HMAC (and, per RFC 9173 §3.5, of the key).
    pub const fn mac_len(self) -> usize {
        match self {
            Self::Hmac256 => 32,
            Self::Hmac384 => 48,
            Self::Hmac512 => 64,
        }
    }
}

/// Which form of the primary block goes into the IPPT when the target is the primary block.
///
/// RFC 9173 §3.7 step 5 says "the canonical form of the primary block", which RFC 9172 §4
/// defines as its CBOR array with no other encapsulation ([`Self::Canonical`]). The A.3
/// example in the same RFC wraps it in a byte-string head ([`Self::Wrapped`]); HDTN, bp7 and
/// other peers pin the example. We follow the text and offer the example's form for interop
/// (see `../shared/vectors/README.md`, erratum 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PrimaryIppt {
    /// The bare CBOR array (RFC 9173 §3.7 text).
    #[default]
    Canonical,
    /// A CBOR byte string holding the array (RFC 9173 Appendix A.3 as published).
    Wrapped,
}

/// The parameters of one BIB-HMAC-SHA2 operation, as present on the wire: an absent
/// parameter takes its default (§3.3) but is not written, so a received block re-encodes
/// byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BibParameters<'a> {
    /// SHA variant (default HMAC 384/384).
    pub sha_variant: Option<ShaVariant>,
    /// The HMAC key wrapped (RFC 3394) under the resolved key, when present.
    pub wrapped_key: Option<&'a [u8]>,
    /// Integrity scope flags (default all).
    pub scope: Option<Scope>,
}

impl<'a> BibParameters<'a> {
    /// Reads the parameters of a received BIB; an unknown id, a repeated id or a value out
    /// of range is an [`Error::Parameter`].
    pub fn decode(items: Items<'a>) -> Result<Self, Error> {
        let mut out = Self::default();
        for item in items {
            out.add(item).map_err(parameter_error)?;
        }
        Ok(out)
    }

    /// Takes one received parameter (RFC 9173 §3.3): [`Self::decode`]'s step, also run by
    /// the ASB decoder as it validates the parameters (one pass).
    pub(crate) fn add(&mut self, (id, value): Item<'a>) -> Result<(), ParamFault> {
        let repeated = match (id, value) {
            (param::SHA_VARIANT, Value::Uint(code)) => self
                .sha_variant
                .replace(ShaVariant::from_code(code).ok_or((id, "unknown SHA variant"))?)
                .is_some(),
            (param::WRAPPED_KEY, Value::Bytes(key)) => self.wrapped_key.replace(key).is_some(),
            (param::INTEGRITY_SCOPE, Value::Uint(flags)) => self
                .scope
                .replace(Scope::from_param(flags).ok_or((id, "unassigned scope flag"))?)
                .is_some(),
            (param::SHA_VARIANT | param::WRAPPED_KEY | param::INTEGRITY_SCOPE, _) => {
                return Err((id, "wrong CBOR type"));
            }
            _ => return Err((id, "unknown parameter")),
        };
        if repeated {
            return Err((id, "repeated parameter"));
        }
        Ok(())
    }

    /// The parameters to write, in id order; `None` entries are absent.
    pub fn items(&self) -> [Option<Item<'a>>; 3] {
        [
            self.sha_variant
                .map(|v| (param::SHA_VARIANT, Value::Uint(v.code()))),
            self.wrapped_key
                .map(|k| (param::WRAPPED_KEY, Value::Bytes(k))),
            self.scope
                .map(|s| (param::INTEGRITY_SCOPE, Value::Uint(u64::from(s.0)))),
        ]
    }

    /// The effective SHA variant.
    pub fn sha(&self) -> ShaVariant {
        self.sha_variant.unwrap_or_default()
    }

    /// The effective integrity scope.
    pub fn effective_scope(&self) -> Scope {
        self.scope.unwrap_or_default()
    }
}

/// The [`Error::Parameter`] of a BIB-HMAC-SHA2 parameter fault.
pub(crate) fn parameter_error((id, reason): ParamFault) -> Error {
    Error::Parameter {
        context: CONTEXT_ID,
        what: "parameter",
        id,
        reason,
    }
}

/// What one BIB target contributes to its IPPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpptTarget<'b> {
    /// The primary block (its canonical form is the `primary` of [`Ippt`]).
    Primary,
    /// A canonical block: its header and its block-type-specific data (without the bstr head).
    Block {
        /// The target's header.
        header: BlockHeader,
        /// The target's block-type-specific data.
        data: &'b [u8],
    },
}

/// The Integrity-Protected Plaintext of one target (RFC 9173 §3.7), fed piece by piece to
/// the HMAC without being assembled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ippt<'b> {
    /// Integrity scope flags.
    pub scope: Scope,
    /// The primary block's exact encoded octets.
    pub primary: &'b [u8],
    /// The target.
    pub target: IpptTarget<'b>,
    /// The BIB's own header.
    pub security_header: BlockHeader,
    /// Form of the primary block when it is the target.
    pub primary_form: PrimaryIppt,
}

impl Ippt<'_> {
    /// Feeds the IPPT: the scoped prefix (steps 1–4), then the target (step 5): the primary
    /// block's canonical form, or the target's data as a CBOR byte string (head included).
    pub fn feed(&self, out: &mut impl FnMut(&[u8])) {
        let header = match &self.target {
            IpptTarget::Primary => None,
            IpptTarget::Block { header, .. } => Some(header),
        };
        feed_scoped(
            self.scope,
            self.primary,
            header,
            &self.security_header,
            &mut Pieces(&mut *out),
        );
        match self.target {
            IpptTarget::Primary => {
                if self.primary_form == PrimaryIppt::Wrapped {
                    feed_bstr_head(out, self.primary.len());
                }
                out(self.primary);
            }
            IpptTarget::Block { data, .. } => {
                feed_bstr_head(out, data.len());
                out(data);
            }
        }
    }

    /// The IPPT assembled (for tests and tools; operations stream it instead).
    pub fn to_vec(&self) -> alloc::vec::Vec<u8> {
        let mut v = alloc::vec::Vec::new();
        self.feed(&mut |piece: &[u8]| v.extend_from_slice(piece));
        v
    }
}

fn feed_bstr_head(out: &mut impl FnMut(&[u8]), len: usize) {
    let mut buf = [0u8; 9];
    let n = bpv7::cbor::head_len(len as u64);
    let mut cursor = buf.as_mut_slice();
    bpv7::cbor::write_bytes_head(&mut cursor, len);
    out(buf.get(..n).unwrap_or_default());
}

/// An HMAC output: up to 64 octets.
#[derive(Clone, PartialEq, Eq)]
pub struct MacValue {
    bytes: [u8; 64],
    len: usize,
}

impl MacValue {
    /// The MAC octets.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// Constant-time comparison with a received value (RFC 9173 §3.8; DESIGN.md: MAC
    /// comparisons are constant-time). A length mismatch is a mismatch.
    pub fn matches(&self, received: &[u8]) -> bool {
        self.as_bytes().ct_eq(received).into()
    }
}

impl core::fmt::Debug for MacValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "MacValue({} octets)", self.len)
    }
}

/// Computes the HMAC of `ippt` under `key` (any length: RFC 2104 accepts it; the §3.5
/// key-length rule is the caller's policy).
pub fn hmac(variant: ShaVariant, key: &[u8], ippt: &Ippt<'_>) -> MacValue {
    fn run<M: Mac + KeyInit>(key: &[u8], ippt: &Ippt<'_>, out: &mut [u8; 64]) -> usize {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail here.
        let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
            return 0;
        };
        ippt.feed(&mut |piece: &[u8]| mac.update(piece));
        let tag = mac.finalize().into_bytes();
        let len = tag.len().min(out.len());
        for (o, t) in out.iter_mut().zip(tag.iter()) {
            *o = *t;
        }
        len
    }
    let mut bytes = [0u8; 64];
    let len = match variant {
        ShaVariant::Hmac256 => run::<Hmac<Sha256>>(key, ippt, &mut bytes),
        ShaVariant::Hmac384 => run::<Hmac<Sha384>>(key, ippt, &mut bytes),
        ShaVariant::Hmac512 => run::<Hmac<Sha512>>(key, ippt, &mut bytes),
    };
    MacValue { bytes, len }
}
