//! The security verifier and acceptor roles (RFC 9172 §2, §5.1): checking a received bundle
//! against a [`Policy`], decrypting and verifying, and removing what was accepted.
//!
//! Everything fails closed: any malformed security block, any rule of RFC 9172 §3 broken,
//! any operation the policy does not account for, any missing protection, any bad tag or
//! HMAC, any replayed sequence number refuses the whole bundle with a typed [`Error`] and no
//! partial output.

use alloc::vec::Vec;
use bpv7::block::{CanonicalBlock, block_type};

use crate::asb::{Items, SecurityBlock, Value};
use crate::bundle_io::{BlockList, Output, Parsed, SecurityList, header, is_security_block};
use crate::context::Scope;
use crate::context::bcb_aes_gcm::{self, BcbParameters, Cipher};
use crate::context::bib_hmac_sha2::{self, BibParameters, Ippt, IpptTarget};
use crate::list::List;
use crate::policy::{Context, Policy, Rule, Service};
use crate::replay::ReplayFilter;
use crate::source::Options;
use crate::{Error, KeyId, KeyResolver, KeyUsage, PolicyViolation, keywrap, rules};

/// One security operation that was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Checked {
    /// Integrity (BIB) or confidentiality (BCB).
    pub service: Service,
    /// The security block's number.
    pub block: u64,
    /// The target's number.
    pub target: u64,
    /// The key the policy named.
    pub key: KeyId,
}

/// An accepted bundle: the plaintext bundle without the accepted security blocks, and what
/// was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The bundle with targets decrypted and the security blocks removed (RFC 9172 §5.1.1,
    /// §5.1.2). A primary block without CRC that only a removed BIB excused is left as it
    /// was; it parses under `ParseOptions { require_primary_crc: false, .. }`.
    pub bundle: Vec<u8>,
    /// Every operation checked, in processing order (BCBs first).
    pub checked: CheckedList,
}

/// Operations kept inline in a [`CheckedList`]: a bundle usually carries one or two.
const CHECKED_INLINE: usize = 2;

/// The operations [`accept`] checked, in order; read it as a slice (`Deref`). The first
/// two are kept inline, so that accepting the usual bundle allocates nothing
/// but its output.
#[derive(Debug, Clone)]
pub struct CheckedList {
    /// The list while it has at most `CHECKED_INLINE` entries (the rest are placeholders).
    inline: [Checked; CHECKED_INLINE],
    len: usize,
    /// The whole list once it has more.
    heap: Vec<Checked>,
}

impl CheckedList {
    /// An empty list (allocates nothing).
    pub const fn new() -> Self {
        const UNUSED: Checked = Checked {
            service: Service::Integrity,
            block: 0,
            target: 0,
            key: KeyId(0),
        };
        Self {
            inline: [UNUSED; CHECKED_INLINE],
            len: 0,
            heap: Vec::new(),
        }
    }

    /// Appends `op`; past the inline capacity, the list moves to the heap once.
    #[inline]
    pub fn push(&mut self, op: Checked) {
        if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = op;
        } else {
            if self.heap.is_empty() {
                self.heap.reserve(2 * CHECKED_INLINE);
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.push(op);
        }
        self.len += 1;
    }
}

impl Default for CheckedList {
    fn default() -> Self {
        Self::new()
    }
}

impl core::ops::Deref for CheckedList {
    type Target = [Checked];
    fn deref(&self) -> &[Checked] {
        if self.len <= CHECKED_INLINE {
            self.inline.get(..self.len).unwrap_or_default()
        } else {
            &self.heap
        }
    }
}

impl PartialEq for CheckedList {
    /// Same operations in the same order, wherever they are stored.
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for CheckedList {}

impl Extend<Checked> for CheckedList {
    fn extend<I: IntoIterator<Item = Checked>>(&mut self, ops: I) {
        for op in ops {
            self.push(op);
        }
    }
}

/// One operation of the bundle matched to its rule.
struct Op<'o, 'a, 'p> {
    block: &'o CanonicalBlock<'a>,
    asb: &'o SecurityBlock<'a>,
    rule: &'p Rule<'p>,
    params: Params<'a>,
}

/// The decoded context parameters of an operation (decoded once, when matched to its rule).
#[derive(Clone, Copy)]
enum Params<'a> {
    Bib(BibParameters<'a>),
    Bcb(BcbParameters<'a>),
}

/// `block`'s operation matched to its policy rule, parameters checked ([`match_rule`]).
#[inline(always)]
fn op<'o, 'a, 'p>(
    policy: &'p Policy<'p>,
    bundle: &Parsed<'_>,
    block: &'o CanonicalBlock<'a>,
    asb: &'o SecurityBlock<'a>,
) -> Result<Op<'o, 'a, 'p>, Error> {
    let (rule, params) = match_rule(policy, bundle, block, asb)?;
    Ok(Op {
        block,
        asb,
        rule,
        params,
    })
}

/// The rule for every target of `asb`, and the parameters checked against it.
#[inline(always)]
fn match_rule<'p, 'a>(
    policy: &'p Policy<'p>,
    bundle: &Parsed<'_>,
    block: &CanonicalBlock<'_>,
    asb: &SecurityBlock<'a>,
) -> Result<(&'p Rule<'p>, Params<'a>), Error> {
    let service = if block.block_type == block_type::BCB {
        Service::Confidentiality
    } else {
        Service::Integrity
    };
    let mut found: Option<&'p Rule<'p>> = None;
    for target in asb.targets() {
        let ty = bundle.block(target).map_or(0, |b| b.block_type);
        let rule = policy
            .find(service, &asb.source, target, ty)
            .or_else(|| {
                // A BCB may carry a BIB it encrypts along with the BIB's target (RFC 9172 §3.9).
                (service == Service::Confidentiality && ty == block_type::BIB)
                    .then(|| {
                        policy
                            .rules
                            .iter()
                            .find(|r| r.context.service() == service && r.source == asb.source)
                    })
                    .flatten()
            })
            .ok_or(PolicyViolation::UnexpectedOperation {
                block: block.number,
                target,
            })?;
        if found.is_some_and(|f| f.key != rule.key || f.context != rule.context) {
            return Err(PolicyViolation::WrongParameters {
                block: block.number,
                what: "targets under different rules in one block",
            }
            .into());
        }
        found = Some(rule);
    }
    let rule = found.ok_or(PolicyViolation::UnexpectedOperation {
        block: block.number,
        target: 0,
    })?;
    let params = check_parameters(rule, block.number, asb)?;
    Ok((rule, params))
}

/// The context id, variant and scope of `asb` must be the rule's.
#[inline(always)]
fn check_parameters<'a>(
    rule: &Rule<'_>,
    block: u64,
    asb: &SecurityBlock<'a>,
) -> Result<Params<'a>, Error> {
    let wrong = |what| PolicyViolation::WrongParameters { block, what };
    match rule.context {
        Context::HmacSha2 { variant, scope } => {
            if asb.context_id != bib_hmac_sha2::CONTEXT_ID {
                return Err(unsupported_or(asb.context_id, wrong("security context")));
            }
            let params = asb.bib_parameters()?;
            if params.sha() != variant {
                return Err(wrong("SHA variant").into());
            }
            if params.effective_scope() != scope {
                return Err(wrong("integrity scope").into());
            }
            Ok(Params::Bib(params))
        }
        Context::AesGcm { variant, scope } => {
            if asb.context_id != bcb_aes_gcm::CONTEXT_ID {
                return Err(unsupported_or(asb.context_id, wrong("security context")));
            }
            let params = asb.bcb_parameters()?;
            if params.variant() != variant {
                return Err(wrong("AES variant").into());
            }
            if params.effective_scope() != scope {
                return Err(wrong("AAD scope").into());
            }
            Ok(Params::Bcb(params))
        }
    }
}

fn unsupported_or(context: i64, otherwise: PolicyViolation) -> Error {
    if context == bib_hmac_sha2::CONTEXT_ID || context == bcb_aes_gcm::CONTEXT_ID {
        otherwise.into()
    } else {
        Error::UnsupportedContext(context)
    }
}

/// Every rule's selected blocks must carry its operation (RFC 9172 §5.1.1, §5.1.2: a missing
/// required operation refuses the bundle). An integrity rule is met by a BCB from the same
/// source too.
fn check_required(
    policy: &Policy<'_>,
    bundle: &Parsed<'_>,
    bcbs: &List<Op<'_, '_, '_>, 2>,
    bibs: &List<Op<'_, '_, '_>, 2>,
) -> Result<(), Error> {
    let numbers = core::iter::once((0u64, 0u64))
        .chain(bundle.blocks.iter().map(|(b, _)| (b.number, b.block_type)))
        .filter(|(_, ty)| !is_security_block(*ty));
    for (number, ty) in numbers {
        for rule in policy
            .rules
            .iter()
            .filter(|r| r.targets.selects(number, ty))
        {
            let service = rule.context.service();
            let met = bcbs.iter().chain(bibs).any(|op| {
                let s = op.rule.context.service();
                op.asb.source == rule.source
                    && (s == service || service == Service::Integrity)
                    && op.asb.has_target(number)
            });
            if !met {
                return Err(match service {
                    Service::Integrity => PolicyViolation::MissingBib(number),
                    Service::Confidentiality => PolicyViolation::MissingBcb(number),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// The key of an operation: the resolved key itself, or the key it unwraps.
enum OpKey<'k> {
    Resolved(&'k [u8]),
    Unwrapped(zeroize::Zeroizing<Vec<u8>>),
}

impl core::ops::Deref for OpKey<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            OpKey::Resolved(k) => k,
            OpKey::Unwrapped(k) => k,
        }
    }
}

fn key_for<'k>(
    keys: &'k dyn KeyResolver,
    id: KeyId,
    wrapped: Option<&[u8]>,
) -> Result<OpKey<'k>, Error> {
    let key = keys
        .resolve(id, KeyUsage::Open)
        .ok_or(Error::UnknownKey(id))?;
    match wrapped {
        Some(w) => keywrap::unwrap(id, key, w).map(OpKey::Unwrapped),
        None => Ok(OpKey::Resolved(key)),
    }
}

/// Acts as security acceptor for every operation in `bundle` (RFC 9172 §5.1): checks the
/// §3 rules and the policy, decrypts each BCB target (BCBs first, §3.9), verifies each BIB
/// over the plaintext, checks the sequence number against `replay` (when given; only after
/// everything authenticated, and committed only then), and returns the bundle without its
/// security blocks.
pub fn accept(
    bundle: &[u8],
    policy: &Policy<'_>,
    keys: &impl KeyResolver,
    replay: Option<&mut ReplayFilter>,
    options: &Options,
) -> Result<Accepted, Error> {
    accept_dyn(bundle, policy, keys, replay, options)
}

/// [`accept`], compiled once in this crate whatever the resolver type; the thin generic
/// wrapper passes its result through (same return type: no copy on the way out).
fn accept_dyn(
    bundle: &[u8],
    policy: &Policy<'_>,
    keys: &dyn KeyResolver,
    replay: Option<&mut ReplayFilter>,
    options: &Options,
) -> Result<Accepted, Error> {
    let mut checked = CheckedList::new();
    let mut blocks = BlockList::new();
    // Used where the parser left it: copied out of the `Result` right after the call, its
    // fields were read back wider than they were stored (a store-forwarding stall).
    let parse = Parsed::new(bundle, &options.bundle, &mut blocks);
    let parsed = parse.as_ref().map_err(Clone::clone)?;
    let mut out = Output::start(parsed.primary_bytes(), bundle.len());
    let mut decoded = SecurityList::new();
    let encrypted_bibs = parsed.security_blocks(&mut decoded)?;
    // The §3 rules, checked below once the first BCB's cipher is keyed (AES key expansion is
    // one long chain of dependent instructions: the CPU runs the rules and the output copies
    // alongside it). Until then, an error is reported as it would be had the rules been
    // checked first: a broken rule takes precedence.
    let mut rules_checked = false;
    let rules_first = |rules_done: bool, e: Error| {
        if rules_done {
            e
        } else {
            rules::check(parsed, &decoded, None).err().unwrap_or(e)
        }
    };
    let mut bcbs: List<Op<'_, '_, '_>, 2> = List::new();
    for (b, a) in decoded
        .iter()
        .filter(|(b, _)| b.block_type == block_type::BCB)
    {
        bcbs.push(op(policy, parsed, b, a).map_err(|e| rules_first(false, e))?);
    }

    // The output: every non-security block, BCB targets in deterministic CBOR (re-encoded if
    // they were not) so they can be decrypted in place (copied with the rules, see above).
    let encrypted = |n: u64| bcbs.iter().any(|op| op.asb.has_target(n));
    let input = parsed.view.bytes();
    let copy_blocks = |out: &mut Output| {
        for (block, span) in parsed.blocks {
            if is_security_block(block.block_type) {
                continue;
            }
            if encrypted(block.number) {
                out.rewrite(input, block, span, block.crc_type);
            } else {
                out.copy(input, block, span);
            }
        }
    };

    // Decrypt (RFC 9173 §4.8.2): BIBs into their own buffers, other targets in place.
    let primary = parsed.primary_bytes();
    let mut bib_plain: Vec<(CanonicalBlock<'_>, Vec<u8>)> = Vec::new();
    let mut aad = bcb_aes_gcm::Aad::new();
    for op in &bcbs {
        let Params::Bcb(params) = op.params else {
            let e = Error::UnsupportedContext(op.asb.context_id);
            return Err(rules_first(rules_checked, e));
        };
        let cek = key_for(keys, op.rule.key, params.wrapped_key)
            .map_err(|e| rules_first(rules_checked, e))?;
        let variant = params.variant();
        // Matched by reference: the keyed state stays where it was built (no move).
        let cipher = Cipher::new(variant, &cek);
        let Some(cipher) = &cipher else {
            let e = Error::KeyLength {
                key: op.rule.key,
                expected: variant.key_len(),
                found: cek.len(),
            };
            return Err(rules_first(rules_checked, e));
        };
        if !rules_checked {
            rules::check(parsed, &decoded, None)?;
            rules_checked = true;
            copy_blocks(&mut out);
        }
        let bcb_header = header(op.block);
        // One result set per target, in target order (checked by `SecurityBlock::decode`).
        for (target, results) in op.asb.targets().zip(op.asb.results()) {
            let tag = auth_tag(results)?;
            let fail = || Error::DecryptionFailed {
                block: op.block.number,
                target,
            };
            let Some(target_block) = parsed.block(target) else {
                return Err(fail());
            };
            let aad = aad.build(
                params.effective_scope(),
                primary,
                &header(target_block),
                &bcb_header,
            );
            let ok = if target_block.block_type == block_type::BIB {
                let mut plain = target_block.data.to_vec();
                let ok = cipher.decrypt(params.iv, aad, &mut plain, tag);
                bib_plain.push((*target_block, plain));
                ok
            } else {
                let Some(written) = out.find(target).cloned() else {
                    return Err(fail());
                };
                cipher.decrypt(params.iv, aad, out.data_mut(&written), tag)
            };
            if !ok {
                return Err(fail());
            }
            checked.push(Checked {
                service: Service::Confidentiality,
                block: op.block.number,
                target,
                key: op.rule.key,
            });
        }
    }

    if !rules_checked {
        rules::check(parsed, &decoded, None)?;
        copy_blocks(&mut out);
    }

    // The BIBs, now all in plaintext, and (if some were encrypted) the §3 rules over the
    // complete set.
    let mut decrypted: Vec<(CanonicalBlock<'_>, SecurityBlock<'_>)> = Vec::new();
    for (block, plain) in &bib_plain {
        decrypted.push((*block, SecurityBlock::decode(plain, block.number)?));
    }
    if decrypted.len() != encrypted_bibs {
        let undecrypted = parsed.blocks.iter().find(|(b, _)| {
            b.block_type == block_type::BIB
                && bcbs.iter().any(|op| op.asb.has_target(b.number))
                && !decrypted.iter().any(|(d, _)| d.number == b.number)
        });
        return Err(Error::Rule {
            section: "§3.9",
            rule: "an encrypted BIB was not decrypted",
            block: undecrypted.map_or(0, |(b, _)| b.number),
        });
    }
    let mut all = SecurityList::new();
    let all = if decrypted.is_empty() {
        &decoded
    } else {
        for op in decoded.iter().chain(&decrypted) {
            all.push(op.clone());
        }
        rules::check(parsed, &all, None)?;
        &all
    };
    let mut bibs: List<Op<'_, '_, '_>, 2> = List::new();
    for (b, a) in all.iter().filter(|(b, _)| b.block_type == block_type::BIB) {
        bibs.push(op(policy, parsed, b, a)?);
    }
    for op in &bibs {
        let data_of = |t: u64| out.find(t).map(|w| out.data(w));
        verify_bib(op, parsed, &data_of, keys, options)?;
        checked.extend(op.asb.targets().map(|target| Checked {
            service: Service::Integrity,
            block: op.block.number,
            target,
            key: op.rule.key,
        }));
    }

    check_required(policy, parsed, &bcbs, &bibs)?;

    if let Some(filter) = replay {
        let seq = parsed.view.primary().creation.sequence;
        let covering = bcbs.iter().chain(&bibs).find(|op| {
            op.rule.context.scope().contains(Scope::PRIMARY_BLOCK)
                || (op.rule.context.service() == Service::Integrity && op.asb.has_target(0))
        });
        let op = covering.ok_or(PolicyViolation::SequenceNotAuthenticated)?;
        filter.commit(&op.asb.source, op.rule.key, seq)?;
    }

    // Everything in the output was validated on input except the decrypted data: a known block
    // type's plaintext must decode (RFC 9171 §4.4) like any received block's.
    for (block, _) in parsed.blocks {
        if is_security_block(block.block_type) || !encrypted(block.number) {
            continue;
        }
        let Some(w) = out.find(block.number).cloned() else {
            continue;
        };
        bpv7::block::BlockData::decode(block.block_type, out.data(&w))
            .map_err(|e| bpv7::Error::new(w.data.start + e.offset, e.kind))?;
        out.patch_crc(&w);
    }
    Ok(Accepted {
        bundle: out.finish(),
        checked,
    })
}

/// The authentication tag in one target's results (RFC 9173 §4.4).
fn auth_tag(results: Items<'_>) -> Result<&[u8], Error> {
    match results.get(bcb_aes_gcm::RESULT_AUTH_TAG) {
        Some(Value::Bytes(tag)) if tag.len() == bcb_aes_gcm::TAG_LEN => Ok(tag),
        _ => Err(Error::Parameter {
            context: bcb_aes_gcm::CONTEXT_ID,
            what: "result",
            id: bcb_aes_gcm::RESULT_AUTH_TAG,
            reason: "missing or not 16 octets",
        }),
    }
}

/// Verifies every target of one BIB (RFC 9173 §3.8.2) against the plaintext in `out` (or the
/// input, for the primary block).
fn verify_bib<'d>(
    op: &Op<'_, '_, '_>,
    parsed: &Parsed<'_>,
    data_of: &dyn Fn(u64) -> Option<&'d [u8]>,
    keys: &dyn KeyResolver,
    options: &Options,
) -> Result<(), Error> {
    let Params::Bib(params) = op.params else {
        return Err(Error::UnsupportedContext(op.asb.context_id));
    };
    let key = key_for(keys, op.rule.key, params.wrapped_key)?;
    let sha = params.sha();
    if options.hmac_key_length && key.len() != sha.mac_len() {
        return Err(Error::KeyLength {
            key: op.rule.key,
            expected: sha.mac_len(),
            found: key.len(),
        });
    }
    let security_header = header(op.block);
    for (index, target) in op.asb.targets().enumerate() {
        let fail = Error::IntegrityCheckFailed {
            block: op.block.number,
            target,
        };
        let ippt_target = match parsed.block(target) {
            None => IpptTarget::Primary,
            Some(b) => IpptTarget::Block {
                header: header(b),
                data: data_of(target).ok_or(fail.clone())?,
            },
        };
        let received = match op
            .asb
            .results_of(index)
            .and_then(|r| r.get(bib_hmac_sha2::RESULT_EXPECTED_HMAC))
        {
            Some(Value::Bytes(mac)) => mac,
            _ => {
                return Err(Error::Parameter {
                    context: bib_hmac_sha2::CONTEXT_ID,
                    what: "result",
                    id: bib_hmac_sha2::RESULT_EXPECTED_HMAC,
                    reason: "missing or not a byte string",
                });
            }
        };
        let ippt = Ippt {
            scope: params.effective_scope(),
            primary: parsed.primary_bytes(),
            target: ippt_target,
            security_header,
            primary_form: options.primary_ippt,
        };
        if !bib_hmac_sha2::hmac(sha, &key, &ippt).matches(received) {
            return Err(fail);
        }
    }
    Ok(())
}

/// Acts as security verifier (RFC 9172 §5.1.2, a waypoint): verifies every BIB operation
/// the policy names whose target is not encrypted, changes nothing, and ignores operations
/// it has no rule for (their acceptor is elsewhere).
pub fn verify(
    bundle: &[u8],
    policy: &Policy<'_>,
    keys: &impl KeyResolver,
    options: &Options,
) -> Result<Vec<Checked>, Error> {
    verify_dyn(bundle, policy, keys, options)
}

/// [`verify`], compiled once in this crate whatever the resolver type.
fn verify_dyn(
    bundle: &[u8],
    policy: &Policy<'_>,
    keys: &dyn KeyResolver,
    options: &Options,
) -> Result<Vec<Checked>, Error> {
    let mut blocks = BlockList::new();
    let parsed = Parsed::new(bundle, &options.bundle, &mut blocks)?;
    let mut decoded = SecurityList::new();
    parsed.security_blocks(&mut decoded)?;
    rules::check(&parsed, &decoded, None)?;
    let encrypted = |n: u64| {
        decoded
            .iter()
            .any(|(b, a)| b.block_type == block_type::BCB && a.has_target(n))
    };
    let data_of = |t: u64| parsed.block(t).map(|b| b.data);
    let mut checked = Vec::new();
    for (block, asb) in decoded
        .iter()
        .filter(|(b, _)| b.block_type == block_type::BIB)
    {
        if asb.targets().any(encrypted) {
            continue;
        }
        let Ok(op) = op(policy, &parsed, block, asb) else {
            continue;
        };
        let rule = op.rule;
        verify_bib(&op, &parsed, &data_of, keys, options)?;
        checked.extend(asb.targets().map(|target| Checked {
            service: Service::Integrity,
            block: block.number,
            target,
            key: rule.key,
        }));
    }
    Ok(checked)
}
