//! The RFC 9172 §3 rules that relate security blocks to each other and to their targets,
//! checked over a whole bundle. Every security role runs them on what it receives, and the
//! source runs them on what it would produce (the existing blocks plus the one it is about to
//! add, before computing anything), so this crate never emits what it would refuse.

use bpv7::block::{BlockFlags, CanonicalBlock, block_type};
use bpv7::primary::BundleFlags;

use crate::Error;
use crate::asb::{FLAG_PARAMETERS_PRESENT, SecurityBlock};
use crate::bundle_io::{Parsed, SecurityList, is_security_block};
use crate::context::BlockHeader;

fn rule(section: &'static str, rule: &'static str, block: u64) -> Error {
    Error::Rule {
        section,
        rule,
        block,
    }
}

/// A security block as the rules see it: its header, its context flags and its targets. A
/// plain value (no trait object), so that the rules compile to straight-line code.
#[derive(Clone, Copy)]
struct SecOp<'s> {
    header: BlockHeader,
    context_flags: u64,
    targets: TargetList<'s>,
}

impl<'s> SecOp<'s> {
    /// A received security block.
    fn received((block, asb): &'s (CanonicalBlock<'_>, SecurityBlock<'s>)) -> Self {
        Self {
            header: crate::bundle_io::header(block),
            context_flags: asb.context_flags,
            targets: TargetList::Asb(asb),
        }
    }
}

/// The targets of a received ASB, or of a block about to be added.
#[derive(Clone, Copy)]
enum TargetList<'s> {
    Asb(&'s SecurityBlock<'s>),
    Slice(&'s [u64]),
}

impl TargetList<'_> {
    fn iter(&self) -> TargetIter<impl Iterator<Item = u64> + '_, impl Iterator<Item = u64> + '_> {
        match self {
            TargetList::Asb(a) => TargetIter::Asb(a.targets()),
            TargetList::Slice(s) => TargetIter::Slice(s.iter().copied()),
        }
    }

    fn has(&self, target: u64) -> bool {
        match self {
            TargetList::Asb(a) => a.has_target(target),
            TargetList::Slice(s) => s.contains(&target),
        }
    }
}

/// [`TargetList::iter`]: one iterator type for either kind of list.
enum TargetIter<A, S> {
    Asb(A),
    Slice(S),
}

impl<A: Iterator<Item = u64>, S: Iterator<Item = u64>> Iterator for TargetIter<A, S> {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        match self {
            TargetIter::Asb(a) => a.next(),
            TargetIter::Slice(s) => s.next(),
        }
    }
}

/// A security block the source is about to add.
pub(crate) struct NewOp<'s> {
    pub header: BlockHeader,
    pub targets: &'s [u64],
}

impl<'s> NewOp<'s> {
    /// As the rules see it: the source writes the parameters it uses, so the flag is set.
    fn op(&'s self) -> SecOp<'s> {
        SecOp {
            header: self.header,
            context_flags: FLAG_PARAMETERS_PRESENT,
            targets: TargetList::Slice(self.targets),
        }
    }
}

/// Checks every security block of `bundle` (decoded in `blocks`, plus `new` when the source is
/// about to add it) against RFC 9172:
///
/// - §3.6: no reserved security context flag (our policy: they are not authenticated);
/// - §3.6: every target is a block of the bundle;
/// - §3.2: no block is the target of two BIB operations, nor of two BCB operations;
/// - §3.7: a BIB does not target a BIB or a BCB;
/// - §3.8: a BCB does not target the primary block or a BCB, targets a BIB only if it shares
///   a target with it, sets "replicate in every fragment" when it targets the payload, and does
///   not set "discard if unprocessable";
/// - §3.9: a BIB whose target is encrypted is itself encrypted by that BCB, with all its
///   targets (else it would have to be split), and a BIB is never added over a BCB's target
///   (seen on receipt as the same condition);
/// - §5.2: a fragment carries no security operation on its payload (it cannot be verified or
///   decrypted before reassembly).
pub(crate) fn check(
    bundle: &Parsed<'_>,
    blocks: &SecurityList<'_>,
    new: Option<&NewOp<'_>>,
) -> Result<(), Error> {
    let ops = || blocks.iter().map(SecOp::received).chain(new.map(NewOp::op));
    let fragment = bundle
        .view
        .primary()
        .flags
        .contains(BundleFlags::IS_FRAGMENT);
    // With a single security block, the rules that relate two blocks (§3.2, §3.8 "shares a
    // target", §3.9) hold trivially: only that block's own rules are checked.
    let alone = ops().nth(1).is_none();
    for op in ops() {
        let header = op.header;
        // Receivers ignore reserved flag bits (§3.6) so that later specifications can assign
        // them; but no verified operation authenticates the ASB, so a set bit is either a
        // flag we do not understand or tampering. Fail closed.
        if op.context_flags & !FLAG_PARAMETERS_PRESENT != 0 {
            return Err(rule(
                "§3.6",
                "reserved security context flag set: not understood, refused",
                header.number,
            ));
        }
        let is_bcb = header.block_type == block_type::BCB;
        let targets = op.targets;
        for target in targets.iter() {
            let Some(target_type) = target_type(bundle, target) else {
                return Err(rule(
                    "§3.6",
                    "security target is not a block of the bundle",
                    header.number,
                ));
            };
            if fragment && target == bpv7::block::PAYLOAD_BLOCK_NUMBER {
                return Err(rule(
                    "§5.2",
                    "security operation on a fragment's payload",
                    header.number,
                ));
            }
            let same_service = || {
                ops()
                    .filter(|o| o.header.block_type == header.block_type && o.targets.has(target))
                    .count()
            };
            if !alone && same_service() > 1 {
                return Err(rule(
                    "§3.2",
                    "block is the target of two operations of the same service",
                    target,
                ));
            }
            if is_bcb {
                check_bcb_target(&ops, alone, &header, &targets, target, target_type)?;
            } else if is_security_block(target_type) {
                return Err(rule(
                    "§3.7",
                    "a BIB must not target a BIB or a BCB",
                    header.number,
                ));
            }
        }
        if is_bcb {
            check_bcb_flags(&header, &targets)?;
        }
    }
    Ok(())
}

/// Block type of target `number`; the primary block reports type 0.
fn target_type(bundle: &Parsed<'_>, number: u64) -> Option<u64> {
    if number == 0 {
        return Some(0);
    }
    bundle.block(number).map(|b| b.block_type)
}

fn check_bcb_target<'o, I: Iterator<Item = SecOp<'o>>>(
    ops: &impl Fn() -> I,
    alone: bool,
    bcb: &BlockHeader,
    targets: &TargetList<'_>,
    target: u64,
    target_type: u64,
) -> Result<(), Error> {
    if target == 0 {
        return Err(rule(
            "§3.8",
            "a BCB must not target the primary block",
            bcb.number,
        ));
    }
    if target_type == block_type::BCB {
        return Err(rule("§3.8", "a BCB must not target a BCB", bcb.number));
    }
    if alone {
        // No BIB besides this BCB: the rules below relate it to one.
        return Ok(());
    }
    if target_type == block_type::BIB {
        // An encrypted BIB is not decoded yet: the acceptor checks again after decrypting.
        let bib =
            ops().find(|o| o.header.number == target && o.header.block_type == block_type::BIB);
        if let Some(bib) = bib {
            let bib_targets = bib.targets;
            if !bib_targets.iter().any(|t| targets.has(t)) {
                return Err(rule(
                    "§3.8",
                    "a BCB targets a BIB it shares no security target with",
                    bcb.number,
                ));
            }
            // §3.9: a BCB covering only some of a BIB's targets requires splitting the BIB.
            if bib_targets.iter().any(|t| !targets.has(t)) {
                return Err(rule(
                    "§3.9",
                    "a BCB encrypts a BIB but not all of its targets (the BIB must be split)",
                    bcb.number,
                ));
            }
        }
    }
    // §3.9: a BIB over this target must be encrypted by this BCB too.
    for bib in ops().filter(|o| o.header.block_type == block_type::BIB) {
        if bib.targets.has(target) && !targets.has(bib.header.number) {
            return Err(rule(
                "§3.9",
                "a BIB over an encrypted block must be encrypted by the same BCB",
                bib.header.number,
            ));
        }
    }
    Ok(())
}

fn check_bcb_flags(bcb: &BlockHeader, targets: &TargetList<'_>) -> Result<(), Error> {
    if targets.has(bpv7::block::PAYLOAD_BLOCK_NUMBER)
        && !bcb.flags.contains(BlockFlags::REPLICATE_IN_EVERY_FRAGMENT)
    {
        return Err(rule(
            "§3.8",
            "a BCB over the payload must be replicated in every fragment",
            bcb.number,
        ));
    }
    if bcb.flags.contains(BlockFlags::DISCARD_IF_UNPROCESSABLE) {
        return Err(rule(
            "§3.8",
            "a BCB must not be discarded when unprocessable",
            bcb.number,
        ));
    }
    Ok(())
}
