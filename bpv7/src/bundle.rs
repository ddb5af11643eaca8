//! Whole bundles (RFC 9171 §4.1): a zero-allocation validating view ([`BundleView`]) and a
//! deterministic encoder ([`BundleBuilder`]) that share one set of bundle-level rules.
//!
//! A bundle is an indefinite-length CBOR array: the primary block, one or more canonical blocks
//! with the payload block last, then the break. [`BundleView::parse`] checks all of it in one
//! pass over the input and keeps only the primary block, the payload block and their spans;
//! other blocks are re-read from the input on demand ([`BundleView::blocks`]), so parsing
//! never allocates. Duplicate block numbers are found with a bit set and a fixed table on the
//! stack, which bounds a bundle to [`MAX_CANONICAL_BLOCKS`] canonical blocks.

use core::ops::Range;

use alloc::vec::Vec;
use bytes::BufMut;

use crate::block::{BlockData, BlockFlags, CanonicalBlock, HopCount, block_type};
use crate::cbor::{self, Decoder};
use crate::crc::CrcType;
use crate::eid::Eid;
use crate::primary::{BundleFlags, PrimaryBlock};
use crate::{Error, ErrorKind};

/// Most canonical blocks a bundle may have: a resource limit of this implementation (RFC 9171
/// sets none), which keeps duplicate detection allocation-free and linear-time bounded.
pub const MAX_CANONICAL_BLOCKS: usize = 64;

/// Which RFC 9171 rules to enforce beyond the bundle's structure. Structure, CRCs, block
/// numbering and type-specific data are always checked; these knobs exist because published
/// examples break the rules they name (see the crate documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseOptions {
    /// A primary block without CRC needs a BIB targeting it (RFC 9171 §4.3.1). The RFC 9173
    /// Appendix A bundles have neither.
    pub require_primary_crc: bool,
    /// Creation time 0 needs a Bundle Age block (RFC 9171 §4.4.2). RFC 9173 A.1, A.2 and A.4
    /// have time 0 and no Bundle Age block.
    pub require_bundle_age: bool,
    /// The source and the Previous Node are node IDs, `ipn:N.0` or `dtn://node/` (RFC 9171
    /// §4.3.1, §4.4.1, §4.2.5.2), or the source is `dtn:none`. RFC 9173 uses source `ipn:2.1`.
    pub require_node_ids: bool,
    /// No reserved or unassigned bundle or block processing control flag is set (§4.2.3,
    /// §4.2.4); turn off to carry flags a later specification assigns.
    pub reject_reserved_flags: bool,
}

impl ParseOptions {
    /// Every rule: the default for parsing and building.
    pub const STRICT: Self = Self {
        require_primary_crc: true,
        require_bundle_age: true,
        require_node_ids: true,
        reject_reserved_flags: true,
    };
    /// [`Self::STRICT`] without the three rules the RFC 9173 Appendix A bundles break (primary
    /// CRC, Bundle Age, node IDs).
    pub const LENIENT: Self = Self {
        require_primary_crc: false,
        require_bundle_age: false,
        require_node_ids: false,
        reject_reserved_flags: true,
    };
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::STRICT
    }
}

/// A validated bundle borrowed from its encoded octets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleView<'a> {
    bytes: &'a [u8],
    primary: PrimaryBlock<'a>,
    primary_span: Range<usize>,
    payload: CanonicalBlock<'a>,
    payload_span: Range<usize>,
    block_count: usize,
}

impl<'a> BundleView<'a> {
    /// Parses and validates a whole bundle under [`ParseOptions::STRICT`]; see
    /// [`Self::parse_with`]. A copy of the parser specialised for these options (their
    /// checks are decided at compile time), the common case.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        Self::parse_inline(bytes, &ParseOptions::STRICT, |_, _| {})
    }

    /// Parses and validates `bytes`, which must hold exactly one bundle (RFC 9171 §4.1):
    /// an indefinite-length array ([`ErrorKind::ArrayLength`] for a definite one) holding the
    /// primary block ([`PrimaryBlock::decode_with`]), then canonical blocks
    /// ([`CanonicalBlock::decode_with`]: layout, CRC, block-local rules), then the break;
    /// octets after it are [`ErrorKind::TrailingBytes`]. Bundle-level rules: unique block
    /// numbers, one payload block and last, at most one Previous Node / Bundle Age / Hop Count
    /// block with well-formed data (unless a BCB targets it: then it is ciphertext), no
    /// "report if unprocessable" block flag in an administrative record or anonymous bundle
    /// (§4.2.4), a fragment's payload within the total ADU length, and the `options` rules.
    /// Error offsets index `bytes`. Allocates nothing.
    pub fn parse_with(bytes: &'a [u8], options: &ParseOptions) -> Result<Self, Error> {
        Self::parse_inline(bytes, options, |_, _| {})
    }

    /// [`Self::parse_with`], handing each canonical block to `visit` (in bundle order, with
    /// its span in `bytes`) as the parser decodes it, so that a caller who needs the blocks
    /// gets them without walking the bundle a second time ([`Self::blocks`]). Blocks are
    /// handed out before the bundle-level rules are all checked: on `Err`, discard what
    /// `visit` saw. Allocates nothing.
    pub fn parse_visiting(
        bytes: &'a [u8],
        options: &ParseOptions,
        visit: impl FnMut(&CanonicalBlock<'a>, &Range<usize>),
    ) -> Result<Self, Error> {
        Self::parse_inline(bytes, options, visit)
    }

    /// The parser, inlined into [`Self::parse`], [`Self::parse_with`] and
    /// [`Self::parse_visiting`].
    #[inline(always)]
    fn parse_inline(
        bytes: &'a [u8],
        options: &ParseOptions,
        mut visit: impl FnMut(&CanonicalBlock<'a>, &Range<usize>),
    ) -> Result<Self, Error> {
        let mut dec = Decoder::new(bytes);
        if let Some(items) = dec.array()? {
            let kind = ErrorKind::ArrayLength {
                expected: "bundle: indefinite-length array",
                found: items,
            };
            return Err(Error::new(0, kind));
        }
        let primary_start = dec.position();
        let primary = PrimaryBlock::decode_with(&mut dec, options)?;
        let mut checker = Checker::new(primary_start, options);
        // The view is assembled as soon as the primary block is known, the payload block
        // filled in at the end: the primary block's fields then go to their final place once,
        // instead of being held (and spilled) across the block loop and copied at the end.
        let mut view = Self {
            bytes,
            primary,
            primary_span: primary_start..dec.position(),
            payload: CanonicalBlock::payload(&[], BlockFlags(0), CrcType::None),
            payload_span: 0..0,
            block_count: 0,
        };
        // The last block, which the checker requires to be the payload block. Carried as a
        // value rather than read back from the checker: it stays in registers.
        let mut last = None;
        while !dec.is_break() {
            let (block, span) = CanonicalBlock::decode_with(&mut dec, options)?;
            checker.block(&view.primary, &block, span.clone())?;
            visit(&block, &span);
            last = Some((block, span));
        }
        let end = dec.position();
        dec.expect_break()?;
        if !dec.is_empty() {
            let trailing = dec.remaining().len();
            return Err(Error::new(
                dec.position(),
                ErrorKind::TrailingBytes(trailing),
            ));
        }
        view.block_count = checker.count;
        let first = view.primary_span.end;
        (view.payload, view.payload_span) = checker.finish(&view.primary, end, last, || {
            Blocks::between(bytes, first, end)
        })?;
        Ok(view)
    }

    /// The primary block.
    pub const fn primary(&self) -> &PrimaryBlock<'a> {
        &self.primary
    }

    /// Span of the primary block in [`Self::bytes`] (what a BIB over block 0 covers).
    pub fn primary_span(&self) -> Range<usize> {
        self.primary_span.clone()
    }

    /// The canonical blocks in bundle order, each with its span in [`Self::bytes`]; re-read
    /// from the input (no allocation, no CRC recomputation).
    pub fn blocks(&self) -> Blocks<'a> {
        Blocks::between(self.bytes, self.primary_span.end, self.payload_span.end)
    }

    /// Number of canonical blocks (payload included).
    pub const fn block_count(&self) -> usize {
        self.block_count
    }

    /// The canonical block numbered `number`, with its span.
    pub fn block(&self, number: u64) -> Option<(CanonicalBlock<'a>, Range<usize>)> {
        self.blocks().find(|(block, _)| block.number == number)
    }

    /// The first canonical block of type `block_type`, with its span.
    pub fn block_of_type(&self, block_type: u64) -> Option<(CanonicalBlock<'a>, Range<usize>)> {
        self.blocks()
            .find(|(block, _)| block.block_type == block_type)
    }

    /// The payload block and its span.
    pub fn payload_block(&self) -> (CanonicalBlock<'a>, Range<usize>) {
        (self.payload, self.payload_span.clone())
    }

    /// The payload (the ADU or a fragment of it), borrowed from the input.
    pub const fn payload(&self) -> &'a [u8] {
        self.payload.data
    }

    /// The Previous Node (§4.4.1), if the bundle has a readable Previous Node block.
    pub fn previous_node(&self) -> Option<Eid<'a>> {
        match self.known_data(block_type::PREVIOUS_NODE)? {
            BlockData::PreviousNode(eid) => Some(eid),
            _ => None,
        }
    }

    /// The Bundle Age in ms (§4.4.2), if the bundle has a readable Bundle Age block.
    pub fn bundle_age(&self) -> Option<u64> {
        match self.known_data(block_type::BUNDLE_AGE)? {
            BlockData::BundleAge(ms) => Some(ms),
            _ => None,
        }
    }

    /// The Hop Count (§4.4.3), if the bundle has a readable Hop Count block.
    pub fn hop_count(&self) -> Option<HopCount> {
        match self.known_data(block_type::HOP_COUNT)? {
            BlockData::HopCount(hops) => Some(hops),
            _ => None,
        }
    }

    /// Decoded data of the block of `block_type`; `None` if absent or ciphertext.
    fn known_data(&self, block_type: u64) -> Option<BlockData<'a>> {
        self.block_of_type(block_type)?.0.block_data().ok()
    }

    /// The whole encoded bundle.
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// Iterator over the canonical blocks of a validated bundle ([`BundleView::blocks`]).
#[derive(Debug, Clone)]
pub struct Blocks<'a> {
    dec: Decoder<'a>,
    end: usize,
}

impl<'a> Blocks<'a> {
    /// The blocks of a validated bundle from offset `start` (just after the primary block,
    /// whose span the parser kept: no need to walk it again) up to `end` (exclusive).
    fn between(bytes: &'a [u8], start: usize, end: usize) -> Self {
        Self {
            dec: Decoder::at(bytes, start),
            end,
        }
    }
}

impl<'a> Iterator for Blocks<'a> {
    type Item = (CanonicalBlock<'a>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.dec.position() >= self.end {
            return None;
        }
        let next = CanonicalBlock::decode_layout(&mut self.dec)
            .ok()
            .map(|(block, span, _)| (block, span));
        if next.is_none() {
            self.end = 0;
        }
        next
    }
}

/// Builds a bundle from a primary block and canonical blocks (payload last), emitting
/// deterministic CBOR and refusing, with the parser's error, anything
/// [`BundleView::parse_with`] would reject under the same options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleBuilder<'a> {
    primary: PrimaryBlock<'a>,
    blocks: Vec<CanonicalBlock<'a>>,
    options: ParseOptions,
}

impl<'a> BundleBuilder<'a> {
    /// A builder for a bundle with this primary block, [`ParseOptions::STRICT`] and no
    /// canonical blocks yet.
    pub const fn new(primary: PrimaryBlock<'a>) -> Self {
        Self {
            primary,
            blocks: Vec::new(),
            options: ParseOptions::STRICT,
        }
    }

    /// Validates against `options` instead of [`ParseOptions::STRICT`].
    pub const fn options(mut self, options: ParseOptions) -> Self {
        self.options = options;
        self
    }

    /// Appends a canonical block; blocks are emitted in the order given, the payload last.
    pub fn block(mut self, block: CanonicalBlock<'a>) -> Self {
        self.blocks.push(block);
        self
    }

    /// Appends the payload block (type 1, number 1) carrying `data`.
    pub fn payload(self, data: &'a [u8], flags: BlockFlags, crc_type: CrcType) -> Self {
        self.block(CanonicalBlock::payload(data, flags, crc_type))
    }

    /// The primary block.
    pub const fn primary(&self) -> &PrimaryBlock<'a> {
        &self.primary
    }

    /// The canonical blocks so far.
    pub fn blocks(&self) -> &[CanonicalBlock<'a>] {
        &self.blocks
    }

    /// Octets [`Self::build`] writes.
    pub fn encoded_len(&self) -> usize {
        self.spans()
            .last()
            .map_or(1 + self.primary.encoded_len(), |(_, span)| span.end)
            + 1
    }

    /// Checks every rule [`BundleView::parse_with`] checks. Error offsets are where the item
    /// would be in the emitted bundle (block starts for block rules; 0 for primary-block rules).
    pub fn validate(&self) -> Result<(), Error> {
        self.primary.validate(&self.options)?;
        let mut checker = Checker::new(1, &self.options);
        for (block, span) in self.spans() {
            block
                .validate(&self.options)
                .map_err(|e| Error::new(span.start + e.offset, e.kind))?;
            checker.block(&self.primary, &block, span)?;
        }
        checker
            .finish(
                &self.primary,
                self.encoded_len() - 1,
                self.spans().last(),
                || self.spans(),
            )
            .map(|_| ())
    }

    /// Validates, then writes the bundle into `buf` and returns its length. A `buf` with less
    /// room than [`Self::encoded_len`] is [`ErrorKind::Truncated`] and nothing is written.
    pub fn build(&self, buf: &mut impl BufMut) -> Result<usize, Error> {
        self.validate()?;
        let len = self.encoded_len();
        if buf.remaining_mut() < len {
            let kind = ErrorKind::Truncated {
                needed: len,
                available: buf.remaining_mut(),
            };
            return Err(Error::new(0, kind));
        }
        cbor::write_indefinite_array(buf);
        self.primary.encode_with(buf, &self.options)?;
        for block in &self.blocks {
            block.encode_with(buf, &self.options)?;
        }
        cbor::write_break(buf);
        Ok(len)
    }

    /// [`Self::build`] into a new vector.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.build(&mut out)?;
        Ok(out)
    }

    /// The blocks with the spans they will have in the emitted bundle.
    fn spans(&self) -> impl Iterator<Item = (CanonicalBlock<'a>, Range<usize>)> + '_ {
        let mut at = 1 + self.primary.encoded_len();
        self.blocks.iter().map(move |block| {
            let start = at;
            at += block.encoded_len();
            (*block, start..at)
        })
    }
}

/// [`Checker::singles`] bit of the Previous Node block.
const SINGLE_PREVIOUS_NODE: u8 = 1;
/// [`Checker::singles`] bit of the Bundle Age block.
const SINGLE_BUNDLE_AGE: u8 = 2;
/// [`Checker::singles`] bit of the Hop Count block.
const SINGLE_HOP_COUNT: u8 = 4;

/// The bundle-level rules, fed one canonical block at a time by both the parser and the
/// builder, so that the two cannot disagree. The primary block is passed to each call rather
/// than held: a reference kept in the checker would pin the parser's primary block in memory,
/// and a copy of its fields costs the parse their stores.
struct Checker<'p> {
    primary_at: usize,
    options: &'p ParseOptions,
    numbers: BlockNumbers,
    count: usize,
    /// The payload block has been seen (it must be the last block, §4.1).
    payload_seen: bool,
    /// Previous Node, Bundle Age and Hop Count seen (§4.4: at most one of each), as the bits
    /// [`SINGLE_PREVIOUS_NODE`], [`SINGLE_BUNDLE_AGE`], [`SINGLE_HOP_COUNT`] (a bit set rather
    /// than an array: it stays in a register).
    singles: u8,
    /// A BIB targets the primary block (§4.3.1).
    primary_protected: bool,
    /// Some type-specific data did not check out: ciphertext, or an error (decided in
    /// [`Self::finish`], once every BCB is known).
    bad_data: bool,
}

impl<'p> Checker<'p> {
    #[inline(always)]
    fn new(primary_at: usize, options: &'p ParseOptions) -> Self {
        Self {
            primary_at,
            options,
            numbers: BlockNumbers::default(),
            count: 0,
            payload_seen: false,
            singles: 0,
            primary_protected: false,
            bad_data: false,
        }
    }

    #[inline(always)]
    fn block(
        &mut self,
        primary: &PrimaryBlock<'_>,
        block: &CanonicalBlock<'_>,
        span: Range<usize>,
    ) -> Result<(), Error> {
        let at = span.start;
        let fail = |kind| Err(Error::new(at, kind));
        if self.payload_seen {
            return fail(ErrorKind::PayloadNotLast);
        }
        if self.numbers.contains(block.number) {
            return fail(ErrorKind::DuplicateBlockNumber(block.number));
        }
        if self.count >= MAX_CANONICAL_BLOCKS {
            return fail(ErrorKind::InvalidBlock(
                "more than MAX_CANONICAL_BLOCKS canonical blocks",
            ));
        }
        self.numbers.insert(block.number);
        self.count += 1;
        // §4.2.4: no "report if unprocessable" where the bundle may not cause reports.
        let no_reports =
            primary.flags.contains(BundleFlags::ADMIN_RECORD) || primary.source == Eid::Null;
        if no_reports && block.flags.contains(BlockFlags::REPORT_IF_UNPROCESSABLE) {
            let rule =
                "status report flag on a block of an administrative record or anonymous bundle";
            return fail(ErrorKind::InvalidFlags(rule));
        }
        let single = match block.block_type {
            block_type::PAYLOAD => {
                self.payload_seen = true;
                return Ok(());
            }
            block_type::BIB => {
                self.primary_protected |= targets(block.data).any(|target| target == 0);
                return Ok(());
            }
            block_type::PREVIOUS_NODE => {
                (SINGLE_PREVIOUS_NODE, "more than one Previous Node block")
            }
            block_type::BUNDLE_AGE => (SINGLE_BUNDLE_AGE, "more than one Bundle Age block"),
            block_type::HOP_COUNT => (SINGLE_HOP_COUNT, "more than one Hop Count block"),
            _ => return Ok(()),
        };
        if self.singles & single.0 != 0 {
            return fail(ErrorKind::InvalidBlock(single.1));
        }
        self.singles |= single.0;
        self.bad_data |= check_data(block, self.options).is_err();
        Ok(())
    }

    /// The rules that need the whole bundle; `end` is where the break is, `last` the last
    /// block (with its span), `blocks` re-reads the blocks. Returns the payload block, which
    /// [`Self::block`] made sure is the last one, and its span.
    #[inline(always)]
    fn finish<'a, I>(
        &self,
        primary: &PrimaryBlock<'_>,
        end: usize,
        last: Option<(CanonicalBlock<'a>, Range<usize>)>,
        blocks: impl Fn() -> I,
    ) -> Result<(CanonicalBlock<'a>, Range<usize>), Error>
    where
        I: Iterator<Item = (CanonicalBlock<'a>, Range<usize>)>,
    {
        let payload_and_span = last
            .filter(|(block, _)| self.payload_seen && block.block_type == block_type::PAYLOAD)
            .ok_or_else(|| Error::new(end, ErrorKind::MissingPayload))?;
        let (payload, span) = &payload_and_span;
        if self.options.require_primary_crc
            && primary.crc_type == CrcType::None
            && !self.primary_protected
        {
            let rule = "primary block has no CRC and no BIB targets it";
            return Err(Error::new(self.primary_at, ErrorKind::MissingCrc(rule)));
        }
        let has_age = self.singles & SINGLE_BUNDLE_AGE != 0;
        if self.options.require_bundle_age && primary.creation.time == 0 && !has_age {
            return Err(Error::new(self.primary_at, ErrorKind::BundleAgeRequired));
        }
        if let Some(fragment) = primary.fragment {
            let fragment_end = u64::try_from(payload.data.len())
                .ok()
                .and_then(|len| fragment.offset.checked_add(len))
                .ok_or_else(|| Error::new(span.start, ErrorKind::IntegerTooLarge))?;
            if fragment_end > fragment.total_adu_length {
                let reason = "fragment extends beyond the total ADU length";
                return Err(Error::new(span.start, ErrorKind::InvalidBlock(reason)));
            }
        }
        if self.bad_data {
            for (block, block_span) in blocks() {
                let Err(e) = check_data(&block, self.options) else {
                    continue;
                };
                // RFC 9172 §3.8: a BCB target's data is ciphertext until decrypted.
                let encrypted = blocks().any(|(bcb, _)| {
                    bcb.block_type == block_type::BCB
                        && targets(bcb.data).any(|t| t == block.number)
                });
                if !encrypted {
                    let data_at = block_span.end - block.crc_type.field_len() - block.data.len();
                    return Err(Error::new(data_at + e.offset, e.kind));
                }
            }
        }
        Ok(payload_and_span)
    }
}

/// The block numbers seen so far, for their uniqueness (RFC 9171 §4.3.2): numbers below 64 in
/// a bit set, larger ones in a table that is only created (and cleared) when the first of them
/// shows up. Most bundles number their blocks 1, 2, 3…; clearing a 64-entry table on every
/// parse cost more than all the other bundle-level bookkeeping.
#[derive(Default)]
struct BlockNumbers {
    /// Bit `n` set: number `n` (< 64) seen.
    low: u64,
    /// Numbers of 64 and above, in the order seen; at most [`MAX_CANONICAL_BLOCKS`] blocks are
    /// recorded in all.
    high: Option<[u64; MAX_CANONICAL_BLOCKS]>,
    high_count: usize,
}

impl BlockNumbers {
    #[inline(always)]
    fn contains(&self, number: u64) -> bool {
        match (low_bit(number), &self.high) {
            (Some(bit), _) => self.low & bit != 0,
            (None, Some(high)) => high
                .get(..self.high_count)
                .unwrap_or_default()
                .contains(&number),
            (None, None) => false,
        }
    }

    /// Records `number`; the caller keeps the count within [`MAX_CANONICAL_BLOCKS`].
    #[inline(always)]
    fn insert(&mut self, number: u64) {
        if let Some(bit) = low_bit(number) {
            self.low |= bit;
        } else if let Some(slot) = self
            .high
            .get_or_insert([0; MAX_CANONICAL_BLOCKS])
            .get_mut(self.high_count)
        {
            *slot = number;
            self.high_count += 1;
        }
    }
}

/// The bit of `number` in [`BlockNumbers::low`], if it is below 64.
#[inline(always)]
fn low_bit(number: u64) -> Option<u64> {
    u32::try_from(number).ok().and_then(|n| 1u64.checked_shl(n))
}

/// Checks the type-specific data of a Previous Node, Bundle Age or Hop Count block, including
/// (if the options say so) that the Previous Node is a node ID. Offsets within the data.
fn check_data(block: &CanonicalBlock<'_>, options: &ParseOptions) -> Result<(), Error> {
    match block.block_data()? {
        BlockData::PreviousNode(eid) if options.require_node_ids && !eid.is_node_id() => Err(
            Error::new(0, ErrorKind::InvalidEid("previous node is not a node ID")),
        ),
        _ => Ok(()),
    }
}

/// The security targets of a BIB or BCB: the first item of its abstract security block, an
/// array of block numbers (RFC 9172 §3.6). Empty if the data does not start with one — BPSec
/// validation is not this crate's job.
fn targets(data: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let mut dec = Decoder::new(data);
    let count = dec.array_definite().unwrap_or(0);
    (0..count).map_while(move |_| dec.uint().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crc::CrcType;
    use crate::primary::CreationTimestamp;

    fn primary() -> PrimaryBlock<'static> {
        PrimaryBlock {
            flags: BundleFlags(0),
            crc_type: CrcType::Crc32C,
            destination: Eid::Ipn {
                allocator: 0,
                node: 2,
                service: 1,
            },
            source: Eid::Ipn {
                allocator: 0,
                node: 1,
                service: 0,
            },
            report_to: Eid::Ipn {
                allocator: 0,
                node: 1,
                service: 0,
            },
            creation: CreationTimestamp {
                time: 1,
                sequence: 0,
            },
            lifetime: 1000,
            fragment: None,
        }
    }

    #[test]
    fn build_parse_round_trip() {
        let builder = BundleBuilder::new(primary()).payload(b"hi", BlockFlags(0), CrcType::None);
        let bytes = builder.to_vec().unwrap();
        assert_eq!(bytes.len(), builder.encoded_len());
        let view = BundleView::parse(&bytes).unwrap();
        assert_eq!(view.primary(), &primary());
        assert_eq!(view.payload(), b"hi");
        assert_eq!(view.block_count(), 1);
        assert_eq!(view.blocks().count(), 1);
    }

    #[test]
    fn parse_visiting_hands_out_the_blocks_in_order() {
        let hop = CanonicalBlock {
            block_type: block_type::HOP_COUNT,
            number: 3,
            flags: BlockFlags(0),
            crc_type: CrcType::Crc32C,
            data: &[0x82, 0x0a, 0x00],
        };
        let bytes = BundleBuilder::new(primary())
            .block(hop)
            .payload(b"hi", BlockFlags(0), CrcType::None)
            .to_vec()
            .unwrap();
        let mut seen = Vec::new();
        let view = BundleView::parse_visiting(&bytes, &ParseOptions::STRICT, |b, span| {
            seen.push((*b, span.clone()));
        })
        .unwrap();
        assert_eq!(view, BundleView::parse(&bytes).unwrap());
        assert_eq!(seen, view.blocks().collect::<Vec<_>>());
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn build_into_short_slice_is_truncated() {
        let builder = BundleBuilder::new(primary()).payload(b"hi", BlockFlags(0), CrcType::None);
        let mut storage = [0u8; 8];
        let mut slice = &mut storage[..];
        assert!(matches!(
            builder.build(&mut slice),
            Err(Error {
                offset: 0,
                kind: ErrorKind::Truncated { .. }
            })
        ));
    }

    #[test]
    fn bib_over_primary_excuses_missing_crc() {
        // Targets [0], then junk the BPSec layer would judge.
        let asb = [0x81, 0x00, 0x01];
        let bib = CanonicalBlock {
            block_type: block_type::BIB,
            number: 2,
            flags: BlockFlags(0),
            crc_type: CrcType::None,
            data: &asb,
        };
        let no_crc = PrimaryBlock {
            crc_type: CrcType::None,
            ..primary()
        };
        let bare = BundleBuilder::new(no_crc).payload(b"x", BlockFlags(0), CrcType::None);
        assert!(matches!(
            bare.validate(),
            Err(Error {
                offset: 1,
                kind: ErrorKind::MissingCrc(_)
            })
        ));
        let signed =
            BundleBuilder::new(no_crc)
                .block(bib)
                .payload(b"x", BlockFlags(0), CrcType::None);
        let bytes = signed.to_vec().unwrap();
        assert!(BundleView::parse(&bytes).is_ok());
    }
}
