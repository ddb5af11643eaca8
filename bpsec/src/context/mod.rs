//! The RFC 9173 default security contexts and what they share: the scope flags and the
//! "scoped prefix" that both the BIB's IPPT (§3.7) and the BCB's AAD (§4.7) start with.

pub mod bcb_aes_gcm;
pub mod bib_hmac_sha2;

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
    fn feed(&self, out: &mut impl FnMut(&[u8])) {
        feed_uint(out, self.block_type);
        feed_uint(out, self.number);
        feed_uint(out, self.flags.0);
    }
}

/// Feeds the CBOR encoding of `value` to `out` without allocating.
pub(crate) fn feed_uint(out: &mut impl FnMut(&[u8]), value: u64) {
    let mut buf = [0u8; 9];
    let len = cbor::head_len(value);
    let mut cursor = buf.as_mut_slice();
    cbor::write_uint(&mut cursor, value);
    out(buf.get(..len).unwrap_or_default());
}

/// The part of the IPPT and of the AAD that the scope selects, fed to `out` piece by piece:
/// the scope flags as a CBOR uint, then the primary block (bit 0), the target's header
/// (bit 1; absent when the target is the primary block, which has none) and the security
/// block's header (bit 2). `primary` is the primary block's canonical form: its exact encoded
/// octets (RFC 9172 §4).
pub(crate) fn feed_scoped(
    scope: Scope,
    primary: &[u8],
    target: Option<&BlockHeader>,
    security: &BlockHeader,
    out: &mut impl FnMut(&[u8]),
) {
    feed_uint(out, u64::from(scope.0));
    if scope.contains(Scope::PRIMARY_BLOCK) {
        out(primary);
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
