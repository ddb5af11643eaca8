//! The security source role (RFC 9172 §2, §3.9): adding BIBs and BCBs to a bundle.
//!
//! [`add_bib`] and [`add_bcb`] each add one security block exactly as specified (that is how
//! the RFC 9173 Appendix A examples are reproduced byte for byte); [`seal`] applies a
//! [`Policy`] the way a Borealis node does.

use alloc::vec::Vec;
use bpv7::block::{BlockFlags, PAYLOAD_BLOCK_NUMBER, block_type};
use bpv7::bundle::ParseOptions;
use bpv7::crc::CrcType;
use bpv7::eid::Eid;
use bpv7::primary::BundleFlags;

use crate::asb::{self, AsbHeader, Item, Value};
use crate::bundle_io::{BlockList, Output, Parsed, REPLICATE, SecurityList, Written, header};
use crate::context::bcb_aes_gcm::{self, AesVariant, BcbParameters, Cipher, IV_LEN, TAG_LEN};
use crate::context::bib_hmac_sha2::{
    self, BibParameters, Ippt, IpptTarget, PrimaryIppt, ShaVariant,
};
use crate::context::{BlockHeader, Scope};
use crate::policy::{Context, Policy, Service};
use crate::{Error, KeyId, KeyResolver, KeyUsage, keywrap, rules};

/// Where a new security block goes among the canonical blocks. RFC 9172 leaves it open; the
/// RFC 9173 examples use both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Placement {
    /// Right after the primary block.
    #[default]
    AfterPrimary,
    /// Right before the payload block (last).
    BeforePayload,
}

/// Options shared by the security roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Options {
    /// How strictly the bundle is parsed (RFC 9171).
    pub bundle: ParseOptions,
    /// RFC 9173 §3.5: an HMAC key must be as long as the HMAC output. The Appendix A examples
    /// use a 16-octet key throughout, so reproducing them needs this off.
    pub hmac_key_length: bool,
    /// Form of the primary block in an IPPT ([`PrimaryIppt`]).
    pub primary_ippt: PrimaryIppt,
}

impl Options {
    /// Every rule, RFC 9173 §3.7 text form of the primary block.
    pub const STRICT: Self = Self {
        bundle: ParseOptions::STRICT,
        hmac_key_length: true,
        primary_ippt: PrimaryIppt::Canonical,
    };
    /// What the RFC 9173 Appendix A examples need: lenient bundle rules (see
    /// [`ParseOptions::LENIENT`]) and short HMAC keys.
    pub const RFC9173_EXAMPLES: Self = Self {
        bundle: ParseOptions::LENIENT,
        hmac_key_length: false,
        primary_ippt: PrimaryIppt::Canonical,
    };
}

impl Default for Options {
    fn default() -> Self {
        Self::STRICT
    }
}

/// Fields of a new security block that are not its ASB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewBlock<'s> {
    /// The security source (RFC 9172 §3.6).
    pub source: Eid<'s>,
    /// Block number; `None`: one past the largest in use.
    pub number: Option<u64>,
    /// Block processing control flags (a BCB over the payload gets "replicate in every
    /// fragment" added, RFC 9172 §3.8).
    pub flags: BlockFlags,
    /// CRC type of the security block.
    pub crc_type: CrcType,
    /// Where it goes.
    pub placement: Placement,
}

impl<'s> NewBlock<'s> {
    /// A block from `source` with defaults: next free number, no flags, no CRC, after the
    /// primary block.
    pub const fn from(source: Eid<'s>) -> Self {
        Self {
            source,
            number: None,
            flags: BlockFlags(0),
            crc_type: CrcType::None,
            placement: Placement::AfterPrimary,
        }
    }
}

/// One BIB-HMAC-SHA2 operation to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BibSpec<'s> {
    /// The block.
    pub block: NewBlock<'s>,
    /// Targets in order (block numbers; 0 is the primary block).
    pub targets: &'s [u64],
    /// SHA variant and scope as written on the wire (`None`: absent, default applies).
    pub sha_variant: Option<ShaVariant>,
    /// Integrity scope (`None`: absent, default all).
    pub scope: Option<Scope>,
    /// The key: the HMAC key, or with `wrap` the key-encryption key.
    pub key: KeyId,
    /// An HMAC key to use and carry wrapped under `key` (RFC 9173 §3.3.2).
    pub wrap: Option<&'s [u8]>,
}

/// One BCB-AES-GCM operation to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BcbSpec<'s> {
    /// The block.
    pub block: NewBlock<'s>,
    /// Targets in order. Every target shares the IV, so more than one target reuses a
    /// (key, IV) pair across plaintexts (as RFC 9173 A.4 does); [`seal`] never does that.
    pub targets: &'s [u64],
    /// The IV; must never repeat under the same key (RFC 9173 §4.3.1).
    pub iv: &'s [u8; IV_LEN],
    /// AES variant as written (`None`: absent, A256GCM).
    pub aes_variant: Option<AesVariant>,
    /// AAD scope as written (`None`: absent, all).
    pub scope: Option<Scope>,
    /// The key: the content-encryption key, or with `wrap` the key-encryption key.
    pub key: KeyId,
    /// A content-encryption key to use and carry wrapped under `key` (RFC 9173 §4.3.3).
    pub wrap: Option<&'s [u8]>,
}

fn resolve(keys: &dyn KeyResolver, id: KeyId, usage: KeyUsage) -> Result<&[u8], Error> {
    keys.resolve(id, usage).ok_or(Error::UnknownKey(id))
}

/// Checks shared by both operations before anything is computed.
fn check_new(bundle: &Parsed<'_>, block: &NewBlock<'_>, targets: &[u64]) -> Result<u64, Error> {
    let number = block.number.unwrap_or_else(|| bundle.free_number());
    let rule = |section, rule, block| Error::Rule {
        section,
        rule,
        block,
    };
    if bundle
        .view
        .primary()
        .flags
        .contains(BundleFlags::IS_FRAGMENT)
    {
        return Err(rule(
            "§5.2",
            "no security block may be added to a fragment",
            number,
        ));
    }
    if number <= PAYLOAD_BLOCK_NUMBER || bundle.exists(number) {
        return Err(Error::Bundle(bpv7::Error::new(
            0,
            bpv7::ErrorKind::DuplicateBlockNumber(number),
        )));
    }
    if targets.is_empty() {
        return Err(rule(
            "§3.6",
            "a security block needs at least one target",
            number,
        ));
    }
    for (i, t) in targets.iter().enumerate() {
        if !bundle.exists(*t) {
            return Err(rule(
                "§3.6",
                "security target is not a block of the bundle",
                *t,
            ));
        }
        if targets.get(..i).is_some_and(|earlier| earlier.contains(t)) {
            return Err(rule("§3.6", "duplicate security target", *t));
        }
    }
    Ok(number)
}

/// Adds one BIB (RFC 9173 §3.8.1): computes the HMAC of each target's IPPT over the bundle as
/// it is, and inserts the BIB. Other blocks are copied verbatim. Refuses (before computing
/// anything) what RFC 9172 forbids: a fragment, a target that is a security block (§3.7),
/// already integrity-protected (§3.2) or encrypted (§3.9).
pub fn add_bib(
    bundle: &[u8],
    spec: &BibSpec<'_>,
    keys: &impl KeyResolver,
    options: &Options,
) -> Result<Vec<u8>, Error> {
    let mut blocks = BlockList::new();
    let parsed = Parsed::new(bundle, &options.bundle, &mut blocks)?;
    add_bib_parsed(&parsed, spec, keys, options)
}

/// [`add_bib`] on a bundle already parsed under `options.bundle`.
fn add_bib_parsed(
    parsed: &Parsed<'_>,
    spec: &BibSpec<'_>,
    keys: &dyn KeyResolver,
    options: &Options,
) -> Result<Vec<u8>, Error> {
    let number = check_new(parsed, &spec.block, spec.targets)?;
    let security_header = BlockHeader {
        block_type: block_type::BIB,
        number,
        flags: spec.block.flags,
    };
    check_new_op(parsed, security_header, spec.targets)?;

    let kek_or_key = resolve(keys, spec.key, KeyUsage::Seal)?;
    let wrapped = spec
        .wrap
        .map(|k| keywrap::wrap(spec.key, kek_or_key, k))
        .transpose()?;
    let hmac_key = spec.wrap.unwrap_or(kek_or_key);
    let params = BibParameters {
        sha_variant: spec.sha_variant,
        wrapped_key: wrapped.as_deref(),
        scope: spec.scope,
    };
    let sha = params.sha();
    if options.hmac_key_length && hmac_key.len() != sha.mac_len() {
        return Err(Error::KeyLength {
            key: spec.key,
            expected: sha.mac_len(),
            found: hmac_key.len(),
        });
    }
    let primary = parsed.primary_bytes();
    let macs: Vec<_> = spec
        .targets
        .iter()
        .map(|&t| {
            let target = match parsed.block(t) {
                Some(b) => IpptTarget::Block {
                    header: header(b),
                    data: b.data,
                },
                None => IpptTarget::Primary,
            };
            let ippt = Ippt {
                scope: params.effective_scope(),
                primary,
                target,
                security_header,
                primary_form: options.primary_ippt,
            };
            bib_hmac_sha2::hmac(sha, hmac_key, &ippt)
        })
        .collect();

    let mut items = [(0, Value::Uint(0)); 3];
    let n = compact(params.items().into_iter().flatten(), &mut items);
    let asb_header = AsbHeader {
        targets: spec.targets,
        context_id: bib_hmac_sha2::CONTEXT_ID,
        source: spec.block.source,
        parameters: items.get(..n).unwrap_or_default(),
    };
    let results_len: usize = macs
        .iter()
        .map(|m| {
            asb::result_len(&[(
                bib_hmac_sha2::RESULT_EXPECTED_HMAC,
                Value::Bytes(m.as_bytes()),
            )])
        })
        .sum();
    let fill = |buf: &mut Vec<u8>| {
        asb_header.encode(buf);
        asb::write_results_head(buf, macs.len());
        for mac in &macs {
            asb::write_result(
                buf,
                &[(
                    bib_hmac_sha2::RESULT_EXPECTED_HMAC,
                    Value::Bytes(mac.as_bytes()),
                )],
            );
        }
    };
    let new = NewData {
        header: security_header,
        crc_type: spec.block.crc_type,
        len: asb_header.encoded_len() + bpv7::cbor::head_len(macs.len() as u64) + results_len,
        fill: &fill,
    };
    let mut out = output_for(parsed, &new);
    assemble(&mut out, parsed, &new, spec.block.placement, |_| false);
    Ok(out.finish())
}

/// Adds one BCB (RFC 9173 §4.8.1): encrypts each target's data in place (the target's CRC is
/// removed: it would expose a checksum of the plaintext), with the tags as results. Refuses
/// what RFC 9172 forbids: a fragment, the primary block or a BCB as target (§3.8), a target
/// already encrypted (§3.2), a BIB not sharing a target, or leaving a BIB over a target
/// unencrypted (§3.9: include the BIB in the targets).
pub fn add_bcb(
    bundle: &[u8],
    spec: &BcbSpec<'_>,
    keys: &impl KeyResolver,
    options: &Options,
) -> Result<Vec<u8>, Error> {
    let mut blocks = BlockList::new();
    let parsed = Parsed::new(bundle, &options.bundle, &mut blocks)?;
    add_bcb_parsed(&parsed, spec, keys)
}

/// [`add_bcb`] on a bundle already parsed under `options.bundle`.
fn add_bcb_parsed(
    parsed: &Parsed<'_>,
    spec: &BcbSpec<'_>,
    keys: &dyn KeyResolver,
) -> Result<Vec<u8>, Error> {
    let number = check_new(parsed, &spec.block, spec.targets)?;
    let mut flags = spec.block.flags;
    if spec.targets.contains(&PAYLOAD_BLOCK_NUMBER) {
        flags = flags | REPLICATE;
    }
    let security_header = BlockHeader {
        block_type: block_type::BCB,
        number,
        flags,
    };

    // The bundle as it would be must pass the RFC 9172 rules: check the new block among the
    // existing ones before encrypting anything.
    check_new_op(parsed, security_header, spec.targets)?;

    let kek_or_key = resolve(keys, spec.key, KeyUsage::Seal)?;
    let wrapped = spec
        .wrap
        .map(|k| keywrap::wrap(spec.key, kek_or_key, k))
        .transpose()?;
    let params = BcbParameters {
        iv: spec.iv,
        aes_variant: spec.aes_variant,
        wrapped_key: wrapped.as_deref(),
        scope: spec.scope,
    };
    let cek = spec.wrap.unwrap_or(kek_or_key);
    let variant = params.variant();
    // Matched by reference: the keyed state stays where it was built (no move).
    let cipher = Cipher::new(variant, cek);
    let Some(cipher) = &cipher else {
        return Err(Error::KeyLength {
            key: spec.key,
            expected: variant.key_len(),
            found: cek.len(),
        });
    };

    // ASB with zero tags, patched once the targets are encrypted: each result is
    // `[[1, bstr(16)]]`, so the tags sit at a fixed stride after the results head.
    let mut items = [(0, Value::Uint(0)); 4];
    let n = compact(params.present_items(), &mut items);
    let asb_header = AsbHeader {
        targets: spec.targets,
        context_id: bcb_aes_gcm::CONTEXT_ID,
        source: spec.block.source,
        parameters: items.get(..n).unwrap_or_default(),
    };
    let zero_tag = [0u8; TAG_LEN];
    let result = [(bcb_aes_gcm::RESULT_AUTH_TAG, Value::Bytes(&zero_tag))];
    let stride = asb::result_len(&result);
    let results_head = bpv7::cbor::head_len(spec.targets.len() as u64);
    let header_len = asb_header.encoded_len();
    let fill = |buf: &mut Vec<u8>| {
        asb_header.encode(buf);
        asb::write_results_head(buf, spec.targets.len());
        for _ in spec.targets {
            asb::write_result(buf, &result);
        }
    };
    let first_tag = header_len + results_head + stride - TAG_LEN;
    let new = NewData {
        header: security_header,
        crc_type: spec.block.crc_type,
        len: header_len + results_head + stride * spec.targets.len(),
        fill: &fill,
    };
    let mut out = output_for(parsed, &new);
    let bcb = assemble(&mut out, parsed, &new, spec.block.placement, |n| {
        spec.targets.contains(&n)
    });
    let primary = parsed.primary_bytes();
    let mut aad = bcb_aes_gcm::Aad::new();
    for (i, &t) in spec.targets.iter().enumerate() {
        let at = first_tag + i * stride;
        let (Some(target), Some(written)) = (parsed.block(t), out.find(t).cloned()) else {
            continue;
        };
        let aad = aad.build(
            params.effective_scope(),
            primary,
            &header(target),
            &security_header,
        );
        let tag = cipher
            .encrypt(spec.iv, aad, out.data_mut(&written))
            .ok_or(Error::Parameter {
                context: bcb_aes_gcm::CONTEXT_ID,
                what: "parameter",
                id: bcb_aes_gcm::param::IV,
                reason: "target too large for AES-GCM",
            })?;
        if let Some(dst) = out
            .buf
            .get_mut(bcb.data.start + at..bcb.data.start + at + TAG_LEN)
        {
            dst.copy_from_slice(&tag);
        }
    }
    out.patch_crc(&bcb);
    Ok(out.finish())
}

/// The parameters `items`, in order, into `out` (the caller's: returning the
/// array just written, element by element, copied it back at once, a store-forwarding
/// stall); returns how many.
fn compact<'a, const N: usize>(
    items: impl IntoIterator<Item = Item<'a>>,
    out: &mut [Item<'a>; N],
) -> usize {
    let mut n = 0;
    for item in items {
        if let Some(slot) = out.get_mut(n) {
            *slot = item;
            n += 1;
        }
    }
    n
}

/// An output for `parsed` plus `new_block`, started with the primary block.
fn output_for(parsed: &Parsed<'_>, new_block: &NewData<'_>) -> Output {
    let capacity = parsed.view.bytes().len() + new_block.len + 32;
    Output::start(parsed.primary_bytes(), capacity)
}

/// Writes the rest of the output bundle ([`output_for`]): the new security block at
/// `placement`, then the received blocks — verbatim, or (for `reencode(number)`) written in deterministic CBOR
/// without CRC so their data can be encrypted in place. Returns where the new block is.
fn assemble(
    out: &mut Output,
    parsed: &Parsed<'_>,
    new_block: &NewData<'_>,
    placement: Placement,
    reencode: impl Fn(u64) -> bool,
) -> Written {
    let input = parsed.view.bytes();
    let write_new = |out: &mut Output| {
        out.write_with(
            &new_block.header,
            new_block.crc_type,
            new_block.len,
            new_block.fill,
        )
    };
    let mut new = None;
    if placement == Placement::AfterPrimary {
        new = Some(write_new(out));
    }
    for (block, span) in parsed.blocks {
        if placement == Placement::BeforePayload && block.number == PAYLOAD_BLOCK_NUMBER {
            new = Some(write_new(out));
        }
        if reencode(block.number) {
            out.rewrite(input, block, span, CrcType::None);
        } else {
            out.copy(input, block, span);
        }
    }
    // The payload block is always there (the parser requires it), so `new` is set; the
    // fallback keeps this total.
    new.unwrap_or_else(|| write_new(out))
}

/// The security block being added: its header, CRC type, and its ASB written in place.
struct NewData<'f> {
    header: BlockHeader,
    crc_type: CrcType,
    len: usize,
    fill: &'f dyn Fn(&mut Vec<u8>),
}

/// Something that hands out IVs that never repeat under a key (NIST SP 800-38D §8).
pub trait IvSource {
    /// The next IV for `key`, or [`Error::IvExhausted`].
    fn next_iv(&mut self, key: KeyId) -> Result<[u8; IV_LEN], Error>;
}

/// The deterministic IV construction of NIST SP 800-38D §8.2.1: a 32-bit fixed field
/// (distinct per sender sharing a key) followed by a 64-bit invocation counter. One counter
/// serves every key, which keeps IVs unique per key a fortiori. Persist [`Self::to_bytes`]
/// *before* using the IVs it hands out (or reserve a block ahead), so a restart never goes
/// back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IvCounter {
    fixed: [u8; 4],
    next: u64,
}

impl IvCounter {
    /// A counter with this fixed field, starting at `next`.
    pub const fn new(fixed: [u8; 4], next: u64) -> Self {
        Self { fixed, next }
    }

    /// The saved state: fixed field then next counter value, big-endian.
    pub fn to_bytes(&self) -> [u8; 12] {
        let mut out = [0u8; 12];
        for (o, b) in out
            .iter_mut()
            .zip(self.fixed.iter().chain(self.next.to_be_bytes().iter()))
        {
            *o = *b;
        }
        out
    }

    /// Restores [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8; 12]) -> Self {
        let (fixed, next) = bytes.split_at(4);
        let mut f = [0u8; 4];
        f.copy_from_slice(fixed);
        let mut n = [0u8; 8];
        n.copy_from_slice(next);
        Self {
            fixed: f,
            next: u64::from_be_bytes(n),
        }
    }

    /// The next counter value (what to persist).
    pub const fn next_value(&self) -> u64 {
        self.next
    }
}

impl IvSource for IvCounter {
    fn next_iv(&mut self, key: KeyId) -> Result<[u8; IV_LEN], Error> {
        let value = self.next;
        self.next = value.checked_add(1).ok_or(Error::IvExhausted(key))?;
        let mut iv = [0u8; IV_LEN];
        let (fixed, counter) = iv.split_at_mut(4);
        fixed.copy_from_slice(&self.fixed);
        counter.copy_from_slice(&value.to_be_bytes());
        Ok(iv)
    }
}

/// Checks the security block about to be added (`header`, over `targets`) among the bundle's
/// existing security blocks against the RFC 9172 rules, before anything is encrypted or
/// signed: the bundle as it would be must pass them.
fn check_new_op(parsed: &Parsed<'_>, header: BlockHeader, targets: &[u64]) -> Result<(), Error> {
    let mut existing = SecurityList::new();
    parsed.security_blocks(&mut existing)?;
    rules::check(parsed, &existing, Some(&rules::NewOp { header, targets }))
}

/// Applies the rules of `policy` whose source is `source` (RFC 9172 security source role):
/// one BIB per integrity rule over the selected blocks that no confidentiality rule also
/// covers, then one BCB per encrypted block (one target each, so no IV is ever shared;
/// BCB-AES-GCM authenticates what it encrypts, so no BIB is added under it). IVs come from
/// `ivs`. Each operation goes through [`add_bib`]/[`add_bcb`]'s checks: the bundle it is
/// added to is parsed strictly under `options` and the new block is checked against the
/// RFC 9172 rules before it is written, so the result is valid by construction (it is not
/// parsed again at the end).
pub fn seal(
    bundle: &[u8],
    policy: &Policy<'_>,
    source: &Eid<'_>,
    keys: &impl KeyResolver,
    ivs: &mut impl IvSource,
    options: &Options,
) -> Result<Vec<u8>, Error> {
    seal_dyn(bundle, policy, source, keys, ivs, options)
}

/// [`seal`], compiled once in this crate whatever the resolver and IV source types.
fn seal_dyn(
    bundle: &[u8],
    policy: &Policy<'_>,
    source: &Eid<'_>,
    keys: &dyn KeyResolver,
    ivs: &mut dyn IvSource,
    options: &Options,
) -> Result<Vec<u8>, Error> {
    // Plan on the input: block numbers do not change as security blocks are added.
    let mut blocks = BlockList::new();
    let parsed = Parsed::new(bundle, &options.bundle, &mut blocks)?;
    let ours = || policy.rules.iter().filter(|r| r.source == *source);
    let numbers = || {
        core::iter::once((0, 0)).chain(
            parsed
                .blocks
                .iter()
                .filter(|(b, _)| !crate::bundle_io::is_security_block(b.block_type))
                .map(|(b, _)| (b.number, b.block_type)),
        )
    };
    let encrypted = |number: u64, ty: u64| {
        ours().any(|r| {
            r.context.service() == Service::Confidentiality && r.targets.selects(number, ty)
        })
    };
    // Intermediate bundles hold nothing the caller does not already have (its plaintext), so
    // they are plain vectors; keys are the secrets, and those stay in the resolver.
    let mut current: Option<Vec<u8>> = None;
    for rule in ours() {
        let Context::HmacSha2 { variant, scope } = rule.context else {
            continue;
        };
        let targets: Vec<u64> = numbers()
            .filter(|&(n, ty)| rule.targets.selects(n, ty) && !encrypted(n, ty))
            .map(|(n, _)| n)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let spec = BibSpec {
            block: NewBlock::from(*source),
            targets: &targets,
            sha_variant: Some(variant),
            scope: Some(scope),
            key: rule.key,
            wrap: None,
        };
        // The first operation works on the bundle as parsed for planning.
        current = Some(match current.as_deref() {
            None => add_bib_parsed(&parsed, &spec, keys, options),
            Some(sealed) => {
                let mut blocks = BlockList::new();
                let parsed = Parsed::new(sealed, &options.bundle, &mut blocks)?;
                add_bib_parsed(&parsed, &spec, keys, options)
            }
        }?);
    }
    for rule in ours() {
        let Context::AesGcm { variant, scope } = rule.context else {
            continue;
        };
        for (t, _) in numbers().filter(|&(n, ty)| rule.targets.selects(n, ty)) {
            let iv = ivs.next_iv(rule.key)?;
            let spec = BcbSpec {
                block: NewBlock::from(*source),
                targets: &[t],
                iv: &iv,
                aes_variant: Some(variant),
                scope: Some(scope),
                key: rule.key,
                wrap: None,
            };
            current = Some(match current.as_deref() {
                None => add_bcb_parsed(&parsed, &spec, keys),
                Some(sealed) => {
                    let mut blocks = BlockList::new();
                    let parsed = Parsed::new(sealed, &options.bundle, &mut blocks)?;
                    add_bcb_parsed(&parsed, &spec, keys)
                }
            }?);
        }
    }
    Ok(current.unwrap_or_else(|| bundle.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iv_counter_never_repeats_and_survives_restart() {
        let mut ivs = IvCounter::new(*b"GND1", 5);
        let first = ivs.next_iv(KeyId(1)).unwrap();
        assert_eq!(&first[..4], b"GND1");
        assert_eq!(&first[4..], &5u64.to_be_bytes());
        let saved = ivs.to_bytes();
        let mut restored = IvCounter::from_bytes(&saved);
        assert_eq!(restored, ivs);
        assert_ne!(restored.next_iv(KeyId(1)).unwrap(), first);
        let mut last = IvCounter::new([0; 4], u64::MAX);
        assert_eq!(last.next_iv(KeyId(3)), Err(Error::IvExhausted(KeyId(3))));
    }
}
