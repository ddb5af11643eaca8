//! Bundle fragmentation (RFC 9171 §5.8) and reassembly (§5.9).
//!
//! [`fragment`] splits a bundle's payload so that every fragment fits a size limit; a
//! [`Reassembler`] collects fragments, in any order, duplicated or overlapping, until the
//! application data unit (ADU) is whole, and returns the reassembled bundle. Both allocate: the
//! spec builds new bundles here. Both copy extension blocks octet for octet (their CRCs, and any
//! BPSec signature over them, stay valid) and re-encode only what changes, the primary block
//! (fragment fields) and the payload block, with fresh CRCs.
//!
//! A bundle built by [`crate::bundle::BundleBuilder`] (deterministic CBOR) comes out of
//! fragmentation then reassembly byte-identical.
//!
//! BPSec blocks are copied like any other: a BIB or BCB whose target is the payload does not
//! survive fragmentation (RFC 9172 §3.9 leaves that to the security policy, not to us).

use core::cmp::Ordering;
use core::mem::size_of;
use core::ops::Range;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::block::{BlockFlags, CanonicalBlock, block_type};
use crate::bundle::{BundleView, ParseOptions};
use crate::cbor;
use crate::crc::CrcType;
use crate::primary::{BundleFlags, CreationTimestamp, FragmentInfo, PrimaryBlock};
use crate::{Error, ErrorKind};

/// Rules checked when re-encoding a primary or payload block taken from a [`BundleView`]: none
/// beyond the structural ones. The view was validated under the caller's options when parsed,
/// and fragmenting or reassembling changes only the fragment fields and the payload, so
/// re-checking policy (node IDs, reserved flags) would only refuse what the caller accepted.
const REENCODE: ParseOptions = ParseOptions {
    require_primary_crc: false,
    require_bundle_age: false,
    require_node_ids: false,
    reject_reserved_flags: false,
};

/// Splits `bundle` into fragments of at most `max_bundle_len` encoded octets each (RFC 9171
/// §5.8), in payload order.
///
/// * A bundle that already fits is returned unchanged, as the only element: nothing is
///   fragmented, so this holds even for a bundle flagged "must not be fragmented".
/// * Otherwise a bundle flagged "must not be fragmented" is [`ErrorKind::MustNotFragment`].
/// * Each fragment's primary block is the bundle's with the "is a fragment" flag set and the
///   fragment offset and total ADU length filled in. Offsets are relative to the original ADU:
///   fragmenting a fragment adds its offset and keeps its total ADU length.
/// * The first fragment carries every extension block of `bundle`; the others carry only the
///   blocks flagged "replicate in every fragment", in their original order. (§5.8 requires all
///   blocks in the offset-zero fragment; for a fragment at another offset it does not say
///   where its non-replicated blocks go, and we keep them in the first piece too.)
/// * Each fragment carries as many payload octets as fit; if one cannot carry even one, the
///   result is [`ErrorKind::FragmentTooSmall`] with the smallest limit that would have done.
///   A limit 8 octets above that `needed` always suffices (the offset field grows by at most 8).
pub fn fragment(bundle: &BundleView<'_>, max_bundle_len: usize) -> Result<Vec<Vec<u8>>, Error> {
    let bytes = bundle.bytes();
    if bytes.len() <= max_bundle_len {
        return Ok(alloc::vec![bytes.to_vec()]);
    }
    let primary = bundle.primary();
    let primary_at = bundle.primary_span().start;
    if primary.flags.contains(BundleFlags::MUST_NOT_FRAGMENT) {
        return Err(Error::new(primary_at, ErrorKind::MustNotFragment));
    }
    let (payload, payload_span) = bundle.payload_block();
    let adu = payload.data;
    if adu.is_empty() {
        let kind = ErrorKind::FragmentTooSmall {
            max: max_bundle_len,
            needed: bytes.len(),
        };
        return Err(Error::new(payload_span.start, kind));
    }
    let (base, total_adu_length) = match primary.fragment {
        Some(info) => (info.offset, info.total_adu_length),
        None => (0, adu.len() as u64),
    };
    let all_extensions = extension_octets(bundle);
    let replicated: Vec<&[u8]> = bundle
        .blocks()
        .filter(|(block, _)| {
            block.block_type != block_type::PAYLOAD
                && block
                    .flags
                    .contains(BlockFlags::REPLICATE_IN_EVERY_FRAGMENT)
        })
        .map(|(_, span)| bytes.get(span).unwrap_or_default())
        .collect();

    let mut fragments = Vec::new();
    let mut pos = 0;
    while pos < adu.len() {
        // The parser checked offset + payload length <= total ADU length, so this cannot
        // overflow; the error is for form's sake.
        let offset = base
            .checked_add(pos as u64)
            .ok_or(Error::new(primary_at, ErrorKind::IntegerTooLarge))?;
        let fragment_primary = PrimaryBlock {
            flags: primary.flags | BundleFlags::IS_FRAGMENT,
            fragment: Some(FragmentInfo {
                offset,
                total_adu_length,
            }),
            ..*primary
        };
        let first = [all_extensions];
        let extensions: &[&[u8]] = if pos == 0 { &first } else { &replicated };
        // Indefinite-array head and break, primary block, extension blocks.
        let frame = 2
            + fragment_primary.encoded_len()
            + extensions.iter().map(|block| block.len()).sum::<usize>();
        let piece = |len: usize| CanonicalBlock {
            data: adu.get(pos..pos + len).unwrap_or_default(),
            ..payload
        };
        // Start from the estimate with a one-octet byte-string head, then back off while the
        // longer head (at most 8 more octets) does not fit.
        let mut len = (adu.len() - pos)
            .min(max_bundle_len.saturating_sub(frame.saturating_add(piece(0).encoded_len())));
        while len > 0 && frame + piece(len).encoded_len() > max_bundle_len {
            len -= 1;
        }
        if len == 0 {
            let kind = ErrorKind::FragmentTooSmall {
                max: max_bundle_len,
                needed: frame + piece(1).encoded_len(),
            };
            return Err(Error::new(payload_span.start, kind));
        }
        let mut out = Vec::with_capacity(frame + piece(len).encoded_len());
        emit_head(&fragment_primary, extensions, &mut out)?;
        emit_payload(&piece(len), &mut out)?;
        fragments.push(out);
        pos += len;
    }
    Ok(fragments)
}

/// The encoded extension blocks of `bundle`: everything between the primary block and the
/// payload block, which is last (RFC 9171 §4.1).
fn extension_octets<'a>(bundle: &BundleView<'a>) -> &'a [u8] {
    let (_, payload_span) = bundle.payload_block();
    bundle
        .bytes()
        .get(bundle.primary_span().end..payload_span.start)
        .unwrap_or_default()
}

/// Writes the start of a bundle: the indefinite-array head, `primary` (CRC recomputed) and the
/// encoded extension blocks, copied as they are.
fn emit_head(
    primary: &PrimaryBlock<'_>,
    extensions: &[&[u8]],
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    cbor::write_indefinite_array(out);
    primary.encode_with(out, &REENCODE)?;
    for block in extensions {
        out.extend_from_slice(block);
    }
    Ok(())
}

/// Writes the end of a bundle: the payload block (CRC recomputed) and the break.
fn emit_payload(payload: &CanonicalBlock<'_>, out: &mut Vec<u8>) -> Result<(), Error> {
    payload.encode_with(out, &REENCODE)?;
    cbor::write_break(out);
    Ok(())
}

/// The ADU a fragment belongs to (RFC 9171 §5.9): fragments with the same source node ID and
/// creation timestamp are pieces of one ADU. Owns its source, as the [`Reassembler`] outlives
/// the fragments it is fed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AduId {
    /// The source node ID in URI form (`ipn:1.0`, `dtn://node/`).
    pub source: String,
    /// The creation timestamp.
    pub creation: CreationTimestamp,
}

impl AduId {
    /// The ADU of the bundle with this primary block.
    pub fn of(primary: &PrimaryBlock<'_>) -> Self {
        Self {
            source: primary.source.to_string(),
            creation: primary.creation,
        }
    }

    fn sort_key(&self) -> (&str, u64, u64) {
        (&self.source, self.creation.time, self.creation.sequence)
    }
}

impl Ord for AduId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for AduId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Memory limits of a [`Reassembler`], in octets held: each pending ADU's buffer (its full
/// total ADU length, reserved when its first fragment arrives), the encoded blocks kept from
/// its offset-zero fragment, and bookkeeping (counted by length, not allocator capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReassemblyLimits {
    /// Most octets held across all pending ADUs.
    pub max_total_bytes: usize,
    /// Most octets held for one ADU; bounds the total ADU length a fragment may announce.
    pub max_adu_bytes: usize,
}

/// How far the reassembly of one ADU has come ([`Reassembler::pending`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Progress {
    /// The ADU's total length.
    pub total_adu_length: u64,
    /// Distinct payload octets received so far.
    pub received: u64,
    /// Whether the offset-zero fragment (which carries the extension blocks) has arrived.
    pub has_first: bool,
    /// Lifetime (ms after creation) of the first fragment received: with the creation time in
    /// the [`AduId`], what the node needs to decide when to [`Reassembler::expire`] the ADU.
    pub lifetime: u64,
    /// Octets held for this ADU, as counted against the [`ReassemblyLimits`].
    pub bytes_held: usize,
}

/// Sans-IO bundle reassembly (RFC 9171 §5.9).
///
/// Fragments arrive through [`Self::push`] in any order; duplicates and overlaps are accepted
/// if the overlapping octets agree. When every octet of the ADU and the offset-zero fragment
/// have arrived, `push` returns the reassembled bundle: the offset-zero fragment's primary block
/// without the fragment fields and with "is a fragment" cleared, its extension blocks as
/// received, and its payload block carrying the whole ADU. (§5.9 rebuilds from whichever
/// fragment completes the ADU; we rebuild from the offset-zero one because §5.8 puts every
/// extension block there, so none is lost.) The ADU is then forgotten: a fragment of it arriving
/// later starts a new reassembly, which the node drops through its delivered-bundle record or
/// [`Self::expire`].
///
/// Any error drops the ADU the fragment belongs to: its fragments contradict each other, and
/// which one is right cannot be told here.
///
/// There are no clocks: the node lists [`Self::pending`] ADUs and expires the stale ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassembler {
    limits: ReassemblyLimits,
    pending: BTreeMap<AduId, Pending>,
    bytes_held: usize,
}

/// One ADU being reassembled.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    /// The ADU, `total_adu_length` octets; only the `received` ranges are meaningful.
    adu: Vec<u8>,
    /// Received ranges of `adu`: sorted, disjoint and not adjacent.
    received: Vec<Range<usize>>,
    /// From the offset-zero fragment.
    first: Option<First>,
    lifetime: u64,
    bytes_held: usize,
}

/// What the reassembled bundle takes from the offset-zero fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct First {
    /// The reassembled bundle up to its payload block ([`emit_head`]).
    head: Vec<u8>,
    payload_flags: BlockFlags,
    payload_crc: CrcType,
}

impl Reassembler {
    /// An empty reassembler with these limits.
    pub const fn new(limits: ReassemblyLimits) -> Self {
        Self {
            limits,
            pending: BTreeMap::new(),
            bytes_held: 0,
        }
    }

    /// Accepts one bundle. A fragment is added to its ADU; the result is the reassembled bundle
    /// if that completes the ADU, else `None`. A bundle that is not a fragment is whole
    /// already and comes back as it is.
    ///
    /// Errors, each of which drops the fragment's ADU:
    /// * [`ErrorKind::InconsistentFragments`]: the total ADU length differs from that of the
    ///   ADU's earlier fragments, or payload octets differ from those received for the same
    ///   offsets;
    /// * [`ErrorKind::ReassemblyLimit`]: holding the ADU would exceed a [`ReassemblyLimits`].
    pub fn push(&mut self, fragment: &BundleView<'_>) -> Result<Option<Vec<u8>>, Error> {
        let Some(info) = fragment.primary().fragment else {
            return Ok(Some(fragment.bytes().to_vec()));
        };
        let id = AduId::of(fragment.primary());
        let result = self.add(&id, fragment, info);
        if result.is_err() {
            self.expire(&id);
        }
        result
    }

    /// Drops the reassembly of `id`; whether there was one.
    pub fn expire(&mut self, id: &AduId) -> bool {
        match self.pending.remove(id) {
            Some(pending) => {
                self.bytes_held -= pending.bytes_held;
                true
            }
            None => false,
        }
    }

    /// The ADUs being reassembled, with their progress.
    pub fn pending(&self) -> impl Iterator<Item = (&AduId, Progress)> + '_ {
        self.pending.iter().map(|(id, pending)| {
            let progress = Progress {
                total_adu_length: pending.adu.len() as u64,
                received: pending.received.iter().map(|r| r.len() as u64).sum(),
                has_first: pending.first.is_some(),
                lifetime: pending.lifetime,
                bytes_held: pending.bytes_held,
            };
            (id, progress)
        })
    }

    /// Octets held across all pending ADUs, as counted against the limits.
    pub const fn bytes_held(&self) -> usize {
        self.bytes_held
    }

    /// [`Self::push`] without the clean-up on error.
    fn add(
        &mut self,
        id: &AduId,
        fragment: &BundleView<'_>,
        info: FragmentInfo,
    ) -> Result<Option<Vec<u8>>, Error> {
        let primary_at = fragment.primary_span().start;
        let (payload, payload_span) = fragment.payload_block();
        let limit =
            |needed, limit| Error::new(primary_at, ErrorKind::ReassemblyLimit { needed, limit });
        let total = usize::try_from(info.total_adu_length)
            .map_err(|_| limit(usize::MAX, self.limits.max_adu_bytes))?;
        // The parser checked offset + payload length <= total ADU length.
        let start = usize::try_from(info.offset).unwrap_or(total);
        let range = start..start.saturating_add(payload.data.len()).min(total);
        let existing = self.pending.get(id);

        if let Some(pending) = existing {
            if pending.adu.len() != total {
                let reason = "total ADU length differs from an earlier fragment's";
                return Err(Error::new(
                    primary_at,
                    ErrorKind::InconsistentFragments(reason),
                ));
            }
            if !pending.agrees(&range, payload.data) {
                let reason = "overlapping fragments carry different octets";
                return Err(Error::new(
                    payload_span.start,
                    ErrorKind::InconsistentFragments(reason),
                ));
            }
        }

        // Octets held once this fragment is in (ranges counted as if it added one).
        let reassembled_primary = PrimaryBlock {
            flags: BundleFlags(fragment.primary().flags.0 & !BundleFlags::IS_FRAGMENT.0),
            fragment: None,
            ..*fragment.primary()
        };
        let extensions = extension_octets(fragment);
        let new_head = existing.is_none_or(|p| p.first.is_none()) && start == 0;
        let head_len = match existing.and_then(|p| p.first.as_ref()) {
            Some(first) => first.head.len(),
            None if new_head => 1 + reassembled_primary.encoded_len() + extensions.len(),
            None => 0,
        };
        let ranges = existing.map_or(0, |p| p.received.len()) + 1;
        let held = size_of::<(AduId, Pending, First)>()
            + id.source.len()
            + total
            + head_len
            + ranges * size_of::<Range<usize>>();
        if held > self.limits.max_adu_bytes {
            return Err(limit(held, self.limits.max_adu_bytes));
        }
        let before = existing.map_or(0, |p| p.bytes_held);
        let held_total = self.bytes_held - before + held;
        if held_total > self.limits.max_total_bytes {
            return Err(limit(held_total, self.limits.max_total_bytes));
        }

        let first = if new_head {
            let mut head = Vec::with_capacity(head_len);
            emit_head(&reassembled_primary, &[extensions], &mut head)?;
            Some(First {
                head,
                payload_flags: payload.flags,
                payload_crc: payload.crc_type,
            })
        } else {
            None
        };
        let pending = self.pending.entry(id.clone()).or_insert_with(|| Pending {
            adu: alloc::vec![0; total],
            received: Vec::new(),
            first: None,
            lifetime: fragment.primary().lifetime,
            bytes_held: 0,
        });
        pending.insert(range, payload.data);
        if first.is_some() {
            pending.first = first;
        }
        self.bytes_held = self.bytes_held - before + held;
        pending.bytes_held = held;

        let Some(first) = pending.first.as_ref().filter(|_| pending.is_complete()) else {
            return Ok(None);
        };
        let whole = CanonicalBlock::payload(&pending.adu, first.payload_flags, first.payload_crc);
        let mut out = Vec::with_capacity(first.head.len() + whole.encoded_len() + 1);
        out.extend_from_slice(&first.head);
        emit_payload(&whole, &mut out)?;
        self.expire(id);
        Ok(Some(out))
    }
}

impl Pending {
    /// The received ranges that overlap or touch `range`, as an index range into `received`.
    fn touching(&self, range: &Range<usize>) -> Range<usize> {
        let lo = self.received.partition_point(|r| r.end < range.start);
        let hi = self.received.partition_point(|r| r.start <= range.end);
        lo..hi.max(lo)
    }

    /// Whether `data`, received for `range`, agrees with every octet received before.
    fn agrees(&self, range: &Range<usize>, data: &[u8]) -> bool {
        let touching = self.received.get(self.touching(range)).unwrap_or_default();
        touching.iter().all(|r| {
            let lo = r.start.max(range.start);
            let hi = r.end.min(range.end);
            lo >= hi || self.adu.get(lo..hi) == data.get(lo - range.start..hi - range.start)
        })
    }

    /// Copies `data` into `range` of the ADU and records the range, merged with the ranges it
    /// overlaps or touches.
    fn insert(&mut self, range: Range<usize>, data: &[u8]) {
        if range.is_empty() {
            return;
        }
        if let (Some(dst), Some(src)) = (self.adu.get_mut(range.clone()), data.get(..range.len())) {
            dst.copy_from_slice(src);
        }
        let touching = self.touching(&range);
        let merged = self
            .received
            .drain(touching.clone())
            .fold(range, |acc, r| acc.start.min(r.start)..acc.end.max(r.end));
        self.received.insert(touching.start, merged);
    }

    /// Whether every octet of the ADU has been received.
    fn is_complete(&self) -> bool {
        self.adu.is_empty() || self.received.first() == Some(&(0..self.adu.len()))
    }
}
