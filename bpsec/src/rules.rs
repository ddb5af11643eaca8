//! The RFC 9172 §3 rules that relate security blocks to each other and to their targets,
//! checked over a whole bundle. Every security role runs them on what it receives, and the
//! source runs them on what it would produce, so this crate never emits what it would refuse.

use bpv7::block::{BlockFlags, CanonicalBlock, block_type};
use bpv7::primary::BundleFlags;

use crate::Error;
use crate::asb::SecurityBlock;
use crate::bundle_io::{Parsed, is_security_block};

fn rule(section: &'static str, rule: &'static str, block: u64) -> Error {
    Error::Rule {
        section,
        rule,
        block,
    }
}

/// Checks every security block of `bundle` (decoded in `blocks`) against RFC 9172:
///
/// - §3.6: no reserved security context flag (our policy: they are not authenticated);
/// - §3.6: every target is a block of the bundle;
/// - §3.2: no block is the target of two BIB operations, nor of two BCB operations;
/// - §3.7: a BIB does not target a BIB or a BCB;
/// - §3.8: a BCB does not target the primary block or a BCB, targets a BIB only if it shares
///   a target with it, sets "replicate in every fragment" when it targets the payload, and does
///   not set "discard if unprocessable";
/// - §3.9: a BIB whose target is encrypted is itself encrypted by that BCB, and a BIB is never
///   added over a BCB's target (seen on receipt as the same condition);
/// - §5.2: a fragment carries no security operation on its payload (it cannot be verified or
///   decrypted before reassembly).
pub(crate) fn check(
    bundle: &Parsed<'_>,
    blocks: &[(CanonicalBlock<'_>, SecurityBlock<'_>)],
) -> Result<(), Error> {
    let fragment = bundle
        .view
        .primary()
        .flags
        .contains(BundleFlags::IS_FRAGMENT);
    for (block, asb) in blocks {
        // Receivers ignore reserved flag bits (§3.6) so that later specifications can assign
        // them; but no verified operation authenticates the ASB, so a set bit is either a
        // flag we do not understand or tampering. Fail closed.
        if asb.context_flags & !crate::asb::FLAG_PARAMETERS_PRESENT != 0 {
            return Err(rule(
                "§3.6",
                "reserved security context flag set: not understood, refused",
                block.number,
            ));
        }
        let is_bcb = block.block_type == block_type::BCB;
        for target in asb.targets() {
            let Some(target_type) = target_type(bundle, target) else {
                return Err(rule(
                    "§3.6",
                    "security target is not a block of the bundle",
                    block.number,
                ));
            };
            if fragment && target == bpv7::block::PAYLOAD_BLOCK_NUMBER {
                return Err(rule(
                    "§5.2",
                    "security operation on a fragment's payload",
                    block.number,
                ));
            }
            let same_service = blocks
                .iter()
                .filter(|(other, a)| other.block_type == block.block_type && a.has_target(target))
                .count();
            if same_service > 1 {
                return Err(rule(
                    "§3.2",
                    "block is the target of two operations of the same service",
                    target,
                ));
            }
            if is_bcb {
                check_bcb_target(blocks, block, asb, target, target_type)?;
            } else if is_security_block(target_type) {
                return Err(rule(
                    "§3.7",
                    "a BIB must not target a BIB or a BCB",
                    block.number,
                ));
            }
        }
        if is_bcb {
            check_bcb_flags(block, asb)?;
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

fn check_bcb_target(
    blocks: &[(CanonicalBlock<'_>, SecurityBlock<'_>)],
    bcb: &CanonicalBlock<'_>,
    asb: &SecurityBlock<'_>,
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
    if target_type == block_type::BIB {
        // An encrypted BIB is not decoded yet: the acceptor checks again after decrypting.
        let shares = blocks
            .iter()
            .find(|(b, _)| b.number == target)
            .is_none_or(|(_, bib)| bib.targets().any(|t| asb.has_target(t)));
        if !shares {
            return Err(rule(
                "§3.8",
                "a BCB targets a BIB it shares no security target with",
                bcb.number,
            ));
        }
        // §3.9: a BCB covering only some of a BIB's targets requires splitting the BIB; a BIB
        // it encrypts must have all its targets encrypted with it.
        let partial = blocks
            .iter()
            .find(|(b, _)| b.number == target)
            .is_some_and(|(_, bib)| bib.targets().any(|t| !asb.has_target(t)));
        if partial {
            return Err(rule(
                "§3.9",
                "a BCB encrypts a BIB but not all of its targets (the BIB must be split)",
                bcb.number,
            ));
        }
    }
    // §3.9: a BIB over this target must be encrypted by this BCB too.
    for (bib, bib_asb) in blocks
        .iter()
        .filter(|(b, _)| b.block_type == block_type::BIB)
    {
        if bib_asb.has_target(target) && !asb.has_target(bib.number) {
            return Err(rule(
                "§3.9",
                "a BIB over an encrypted block must be encrypted by the same BCB",
                bib.number,
            ));
        }
    }
    Ok(())
}

fn check_bcb_flags(bcb: &CanonicalBlock<'_>, asb: &SecurityBlock<'_>) -> Result<(), Error> {
    if asb.has_target(bpv7::block::PAYLOAD_BLOCK_NUMBER)
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
