//! The RFC 9173 default security contexts and what they share: the scope flags and the
//! "scoped prefix" that both the BIB's IPPT (§3.7) and the BCB's AAD (§4.7) start with.

pub mod bcb_aes_gcm;
pub mod bib_hmac_sha2;

/// What is wrong with one received context parameter: its id and why (an
/// [`crate::Error::Parameter`] without the context, kept small so that a decoded ASB can
/// carry it until the acceptor reports it).
pub(crate) type ParamFault = (i64, &'static str);

use bpv7::block::BlockFlags;
use bpv7::cbor;

/// Integrity scope flags (RFC 9173 §3.3.3) and AAD scope flags (§4.3.4): which parts of the
/// bundle besides the target data the MAC or tag also covers. Both contexts number the bits
/// the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope(pub u8);

impl Scope {
    /// Bit 0: the primary block.
    pub const PRIMARY_BLOCK: Self = Self(0x01);
    /// Bit 1: the target block's header (type code, block number, flags).
    pub const TARGET_HEADER: Self = Self(0x02);
    /// Bit 2: the security block's own header.
    pub const SECURITY_HEADER: Self = Self(0x04);
    /// All three: the RFC 9173 default (§3.3.3, §4.3.4).
    pub const ALL: Self = Self(0x07);

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Reads the parameter value; bits above 2 are unassigned (RFC 9173 §3.3.3, §4.3.4) and
    /// refused, since a peer setting them expects coverage we would not give.
    pub(crate) fn from_param(value: u64) -> Option<Self> {
        u8::try_from(value)
            .ok()
            .filter(|v| v & !0x07 == 0)
            .map(Self)
    }
}

impl Default for Scope {
    fn default() -> Self {
        Self::ALL
    }
}

/// A block's header as the scope covers it: type code, block number and processing flags,
/// each a CBOR unsigned integer (RFC 9173 §3.7 steps 3–4, §4.7.2 steps 3–4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockHeader {
    /// Block type code.
    pub block_type: u64,
    /// Block number.
    pub number: u64,
    /// Block processing control flags.
    pub flags: BlockFlags,
}

impl BlockHeader {
    #[inline]
    fn feed(&self, out: &mut impl ScopedSink) {
        out.uint(self.block_type);
        out.uint(self.number);
        out.uint(self.flags.0);
    }
}

/// Where the scoped prefix goes: a MAC being updated piece by piece, or an AAD buffer.
pub(crate) trait ScopedSink {
    /// Takes octets as they are.
    fn bytes(&mut self, piece: &[u8]);

    /// Takes the CBOR encoding of an unsigned integer.
    #[inline]
    fn uint(&mut self, value: u64) {
        let mut buf = [0u8; 9];
        let len = cbor::head_len(value);
        let mut cursor = buf.as_mut_slice();
        cbor::write_uint(&mut cursor, value);
        self.bytes(buf.get(..len).unwrap_or_default());
    }
}

/// A [`ScopedSink`] that hands each piece to a closure (e.g. a MAC's `update`).
pub(crate) struct Pieces<F>(pub F);

impl<F: FnMut(&[u8])> ScopedSink for Pieces<F> {
    #[inline]
    fn bytes(&mut self, piece: &[u8]) {
        (self.0)(piece);
    }
}

/// A [`ScopedSink`] that only counts octets.
pub(crate) struct Count(pub usize);

impl ScopedSink for Count {
    #[inline]
    fn bytes(&mut self, piece: &[u8]) {
        self.0 += piece.len();
    }

    #[inline]
    fn uint(&mut self, value: u64) {
        self.0 += cbor::head_len(value);
    }
}

/// A [`ScopedSink`] writing into a buffer sized with [`Count`]; what would not fit is dropped
/// (never the case for a buffer of the counted size).
pub(crate) struct Fill<'b>(pub &'b mut [u8]);

impl ScopedSink for Fill<'_> {
    #[inline]
    fn bytes(&mut self, piece: &[u8]) {
        if piece.len() > self.0.len() {
            return;
        }
        let buf = core::mem::take(&mut self.0);
        if let Some((dst, rest)) = buf.split_at_mut_checked(piece.len()) {
            dst.copy_from_slice(piece);
            self.0 = rest;
        }
    }

    #[inline]
    fn uint(&mut self, value: u64) {
        if self.0.len() >= cbor::head_len(value) {
            cbor::write_uint(&mut self.0, value);
        }
    }
}

/// The part of the IPPT and of the AAD that the scope selects, fed to `out` piece by piece:
/// the scope flags as a CBOR uint, then the primary block (bit 0), the target's header
/// (bit 1; absent when the target is the primary block, which has none) and the security
/// block's header (bit 2). `primary` is the primary block's canonical form: its exact encoded
/// octets (RFC 9172 §4).
#[inline]
pub(crate) fn feed_scoped(
    scope: Scope,
    primary: &[u8],
    target: Option<&BlockHeader>,
    security: &BlockHeader,
    out: &mut impl ScopedSink,
) {
    out.uint(u64::from(scope.0));
    if scope.contains(Scope::PRIMARY_BLOCK) {
        out.bytes(primary);
    }
    if scope.contains(Scope::TARGET_HEADER)
        && let Some(target) = target
    {
        target.feed(out);
    }
    if scope.contains(Scope::SECURITY_HEADER) {
        security.feed(out);
    }
}
