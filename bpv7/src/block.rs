//! Canonical bundle blocks (RFC 9171 §4.3.2), their block processing control flags (§4.2.4) and
//! the type-specific data of the extension blocks RFC 9171 defines (§4.4).
//!
//! A canonical block is a definite CBOR array `[type, number, flags, CRC type, data, CRC?]` of
//! 5 items (no CRC) or 6; `data` is a definite byte string holding the block-type-specific data.
//! [`CanonicalBlock`] borrows that data undecoded; [`CanonicalBlock::block_data`] decodes the
//! Previous Node, Bundle Age and Hop Count blocks. Blocks of other types (BPSec's BIB and BCB,
//! private types) are carried opaquely, and their flags say what a node that cannot process
//! them must do ([`CanonicalBlock::unprocessable_action`]).

use core::ops::Range;

use alloc::vec::Vec;
use bytes::BufMut;

use crate::bundle::ParseOptions;
use crate::cbor::{self, Decoder, head_len};
use crate::crc::{self, CrcType};
use crate::eid::Eid;
use crate::{Error, ErrorKind};

/// Block type codes (RFC 9171 §9.1, RFC 9172 §11.1).
pub mod block_type {
    /// Bundle Payload Block (RFC 9171 §4.3.3); always block number 1.
    pub const PAYLOAD: u64 = 1;
    /// Previous Node Block (RFC 9171 §4.4.1).
    pub const PREVIOUS_NODE: u64 = 6;
    /// Bundle Age Block (RFC 9171 §4.4.2).
    pub const BUNDLE_AGE: u64 = 7;
    /// Hop Count Block (RFC 9171 §4.4.3).
    pub const HOP_COUNT: u64 = 10;
    /// Block Integrity Block (RFC 9172 §3.7).
    pub const BIB: u64 = 11;
    /// Block Confidentiality Block (RFC 9172 §3.8).
    pub const BCB: u64 = 12;
}

/// The block number of the payload block (RFC 9171 §4.3.3).
pub const PAYLOAD_BLOCK_NUMBER: u64 = 1;

/// Block processing control flags (RFC 9171 §4.2.4): a `u64` bit field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BlockFlags(pub u64);

impl BlockFlags {
    /// Bit 0: the block must be replicated in every fragment.
    pub const REPLICATE_IN_EVERY_FRAGMENT: Self = Self(0x01);
    /// Bit 1: transmit a status report if the block cannot be processed.
    pub const REPORT_IF_UNPROCESSABLE: Self = Self(0x02);
    /// Bit 2: delete the bundle if the block cannot be processed.
    pub const DELETE_BUNDLE_IF_UNPROCESSABLE: Self = Self(0x04);
    /// Bit 4: discard the block if it cannot be processed.
    pub const DISCARD_IF_UNPROCESSABLE: Self = Self(0x10);
    /// Every flag RFC 9171 assigns; bits 3, 5, 6 are reserved and 7-63 unassigned.
    pub const ASSIGNED: Self = Self(0x17);

    /// What a node must do with a block it cannot process (RFC 9171 §5.6 step 5, §4.2.4):
    /// report if asked; delete the bundle if asked, else discard the block if asked, else
    /// keep the block and forward it unchanged.
    pub const fn unprocessable_action(self) -> UnprocessableAction {
        let disposition = if self.contains(Self::DELETE_BUNDLE_IF_UNPROCESSABLE) {
            Disposition::DeleteBundle
        } else if self.contains(Self::DISCARD_IF_UNPROCESSABLE) {
            Disposition::DiscardBlock
        } else {
            Disposition::Keep
        };
        UnprocessableAction {
            report: self.contains(Self::REPORT_IF_UNPROCESSABLE),
            disposition,
        }
    }
}

crate::flags::flag_set!(BlockFlags);

/// What happens to the bundle when one of its blocks cannot be processed (RFC 9171 §5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// Delete the whole bundle (reason "block unintelligible").
    DeleteBundle,
    /// Remove the block and keep the bundle.
    DiscardBlock,
    /// Keep the block as it is and forward it.
    Keep,
}

/// The action [`BlockFlags::unprocessable_action`] prescribes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnprocessableAction {
    /// Send a status report "block unintelligible" (only if the bundle's flags allow reports).
    pub report: bool,
    /// What to do with the bundle or the block.
    pub disposition: Disposition,
}

/// The Hop Count block's data (RFC 9171 §4.4.3): `[hop limit, hop count]`, limit 1..=255.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HopCount {
    /// Hop limit, 1..=255.
    pub limit: u8,
    /// Times the bundle has been forwarded so far.
    pub count: u64,
}

impl HopCount {
    /// Whether the bundle has exceeded its hop limit and must be deleted (§4.4.3).
    pub const fn is_exceeded(&self) -> bool {
        self.count > self.limit as u64
    }
}

/// Decoded block-type-specific data (RFC 9171 §4.3.3, §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockData<'a> {
    /// The payload block's data: the ADU (or a fragment of it), taken as is.
    Payload(&'a [u8]),
    /// Previous Node: the node ID of the forwarder (§4.4.1).
    PreviousNode(Eid<'a>),
    /// Bundle Age: milliseconds since creation (§4.4.2).
    BundleAge(u64),
    /// Hop Count (§4.4.3).
    HopCount(HopCount),
    /// Any other type: the raw data, for BPSec or the application.
    Other(&'a [u8]),
}

impl<'a> BlockData<'a> {
    /// Decodes `data`, the data of a block of `block_type`. Errors are at offsets within `data`.
    /// Previous Node, Bundle Age and Hop Count data must be exactly one CBOR item; a hop limit
    /// above 255 is [`ErrorKind::IntegerTooLarge`], a hop limit of 0 an
    /// [`ErrorKind::InvalidBlock`].
    pub fn decode(block_type: u64, data: &'a [u8]) -> Result<Self, Error> {
        let mut dec = Decoder::new(data);
        let parsed = match block_type {
            block_type::PAYLOAD => return Ok(Self::Payload(data)),
            block_type::PREVIOUS_NODE => Self::PreviousNode(Eid::decode(&mut dec)?),
            block_type::BUNDLE_AGE => Self::BundleAge(dec.uint()?),
            block_type::HOP_COUNT => Self::HopCount(decode_hop_count(&mut dec)?),
            _ => return Ok(Self::Other(data)),
        };
        if !dec.is_empty() {
            let reason = "octets after the block-type-specific data item";
            return Err(Error::new(dec.position(), ErrorKind::InvalidBlock(reason)));
        }
        Ok(parsed)
    }

    /// Writes the block-type-specific data (what goes inside the block's byte string).
    pub fn encode(&self, buf: &mut impl BufMut) {
        match self {
            Self::Payload(data) | Self::Other(data) => buf.put_slice(data),
            Self::PreviousNode(eid) => eid.encode(buf),
            Self::BundleAge(ms) => cbor::write_uint(buf, *ms),
            Self::HopCount(hops) => {
                cbor::write_array_head(buf, 2);
                cbor::write_uint(buf, u64::from(hops.limit));
                cbor::write_uint(buf, hops.count);
            }
        }
    }

    /// Octets [`Self::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Payload(data) | Self::Other(data) => data.len(),
            Self::PreviousNode(eid) => eid.encoded_len(),
            Self::BundleAge(ms) => head_len(*ms),
            Self::HopCount(hops) => 1 + head_len(u64::from(hops.limit)) + head_len(hops.count),
        }
    }
}

/// `[limit, count]` with limit 1..=255 (RFC 9171 §4.4.3).
fn decode_hop_count(dec: &mut Decoder<'_>) -> Result<HopCount, Error> {
    let start = dec.position();
    let items = dec.array_definite()?;
    if items != 2 {
        let kind = ErrorKind::ArrayLength {
            expected: "hop count: [limit, count]",
            found: items,
        };
        return Err(Error::new(start, kind));
    }
    let limit_at = dec.position();
    let limit =
        u8::try_from(dec.uint()?).map_err(|_| Error::new(limit_at, ErrorKind::IntegerTooLarge))?;
    if limit == 0 {
        return Err(Error::new(
            limit_at,
            ErrorKind::InvalidBlock("hop limit 0 (must be 1..=255)"),
        ));
    }
    Ok(HopCount {
        limit,
        count: dec.uint()?,
    })
}

/// A canonical block (RFC 9171 §4.3.2), its data borrowed undecoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CanonicalBlock<'a> {
    /// Block type code ([`block_type`]).
    pub block_type: u64,
    /// Block number, unique within the bundle; 1 for the payload, never 0 (the primary).
    pub number: u64,
    /// Block processing control flags (§4.2.4).
    pub flags: BlockFlags,
    /// CRC type of this block (§4.2.1).
    pub crc_type: CrcType,
    /// Block-type-specific data, without its byte-string head.
    pub data: &'a [u8],
}

impl<'a> CanonicalBlock<'a> {
    /// A payload block (type 1, number 1) carrying `data`.
    pub const fn payload(data: &'a [u8], flags: BlockFlags, crc_type: CrcType) -> Self {
        Self {
            block_type: block_type::PAYLOAD,
            number: PAYLOAD_BLOCK_NUMBER,
            flags,
            crc_type,
            data,
        }
    }

    /// Decodes and validates one block under [`ParseOptions::STRICT`].
    pub fn decode(dec: &mut Decoder<'a>) -> Result<Self, Error> {
        Self::decode_with(dec, &ParseOptions::STRICT).map(|(block, _)| block)
    }

    /// Decodes one block and returns it with its span (decoder positions): the layout, the CRC
    /// over the exact received octets, and the block-local rules ([`Self::validate`]). The
    /// bundle-level rules (unique numbers, payload last, type-specific data) are
    /// [`crate::bundle::BundleView`]'s.
    #[inline(always)]
    pub fn decode_with(
        dec: &mut Decoder<'a>,
        options: &ParseOptions,
    ) -> Result<(Self, Range<usize>), Error> {
        let block_bytes = dec.remaining();
        let (block, span, crc) = Self::decode_layout(dec)?;
        let whole = block_bytes.get(..span.len()).unwrap_or_default();
        crc::check_received_crc(block.crc_type, whole, crc.received, block.number, crc.at)?;
        block.check(options, span.start)?;
        Ok((block, span))
    }

    /// Decodes the layout only, without checking the CRC or the rules (for re-reading a
    /// validated bundle): the block, its span and its CRC field.
    #[inline(always)]
    pub(crate) fn decode_layout(
        dec: &mut Decoder<'a>,
    ) -> Result<(Self, Range<usize>, CrcField), Error> {
        let start = dec.position();
        let items = dec.array_definite()?;
        // Built only on the error path: an eager `Error` costs the hot path its construction.
        let array_error = || {
            let kind = ErrorKind::ArrayLength {
                expected: "canonical block: 5 items, 6 with a CRC",
                found: items,
            };
            Err(Error::new(start, kind))
        };
        if !(5..=6).contains(&items) {
            return array_error();
        }
        let block_type = dec.uint()?;
        let number = dec.uint()?;
        let flags = BlockFlags(dec.uint()?);
        let crc_at = dec.position();
        let crc_type = CrcType::from_code(dec.uint()?, crc_at)?;
        if items != 5 + u64::from(crc_type != CrcType::None) {
            return array_error();
        }
        let data = dec.bytes()?;
        let crc = decode_crc_field(dec, crc_type)?;
        Ok((
            Self {
                block_type,
                number,
                flags,
                crc_type,
                data,
            },
            start..dec.position(),
            crc,
        ))
    }

    /// Block-local rules (errors at `offset`): number 0 belongs to the primary block
    /// ([`ErrorKind::DuplicateBlockNumber`]); type 1 iff number 1
    /// ([`ErrorKind::BlockNumberOneNotPayload`]); reserved flags if the options reject them.
    #[inline(always)]
    fn check(&self, options: &ParseOptions, offset: usize) -> Result<(), Error> {
        if self.number == 0 {
            return Err(Error::new(offset, ErrorKind::DuplicateBlockNumber(0)));
        }
        if (self.block_type == block_type::PAYLOAD) != (self.number == PAYLOAD_BLOCK_NUMBER) {
            return Err(Error::new(offset, ErrorKind::BlockNumberOneNotPayload));
        }
        if options.reject_reserved_flags && self.flags.reserved_bits() != 0 {
            let rule = "reserved block processing control flag set";
            return Err(Error::new(offset, ErrorKind::InvalidFlags(rule)));
        }
        Ok(())
    }

    /// Validates the block-local rules as [`Self::decode_with`] would, errors at offset 0.
    pub fn validate(&self, options: &ParseOptions) -> Result<(), Error> {
        self.check(options, 0)
    }

    /// Encodes the block under [`ParseOptions::STRICT`] ([`Self::encode_with`]).
    pub fn encode(&self, buf: &mut impl BufMut) -> Result<(), Error> {
        self.encode_with(buf, &ParseOptions::STRICT)
    }

    /// Validates ([`Self::validate`]) then writes the block in deterministic CBOR with its CRC
    /// computed over the written octets (assembled in one temporary buffer when there is a
    /// CRC, as a `BufMut` cannot be read back). Type-specific data is checked at bundle level
    /// ([`crate::bundle::BundleBuilder`]), where BCB ciphertext can be told from bad data.
    pub fn encode_with(&self, buf: &mut impl BufMut, options: &ParseOptions) -> Result<(), Error> {
        self.validate(options)?;
        emit_with_crc(
            buf,
            self.crc_type,
            self.encoded_len(),
            &|mut out: &mut dyn BufMut| {
                cbor::write_array_head(&mut out, 5 + u64::from(self.crc_type != CrcType::None));
                cbor::write_uint(&mut out, self.block_type);
                cbor::write_uint(&mut out, self.number);
                cbor::write_uint(&mut out, self.flags.0);
                cbor::write_uint(&mut out, self.crc_type.code());
                cbor::write_bytes(&mut out, self.data);
            },
        )
    }

    /// Octets [`Self::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        1 + head_len(self.block_type)
            + head_len(self.number)
            + head_len(self.flags.0)
            + head_len(self.crc_type.code())
            + head_len(self.data.len() as u64)
            + self.data.len()
            + self.crc_type.field_len()
    }

    /// Decodes the type-specific data ([`BlockData::decode`]); error offsets are within
    /// [`Self::data`]. Fails for a Previous Node, Bundle Age or Hop Count block whose data is
    /// BCB ciphertext, which [`crate::bundle::BundleView`] tolerates.
    pub fn block_data(&self) -> Result<BlockData<'a>, Error> {
        BlockData::decode(self.block_type, self.data)
    }

    /// Whether this crate knows how to process the block's type (payload, Previous Node, Bundle
    /// Age, Hop Count). BIB and BCB are left to a BPSec implementation.
    pub const fn is_known_type(&self) -> bool {
        matches!(
            self.block_type,
            block_type::PAYLOAD
                | block_type::PREVIOUS_NODE
                | block_type::BUNDLE_AGE
                | block_type::HOP_COUNT
        )
    }

    /// What to do if this block cannot be processed ([`BlockFlags::unprocessable_action`]).
    pub const fn unprocessable_action(&self) -> UnprocessableAction {
        self.flags.unprocessable_action()
    }
}

/// A block's CRC field as read by [`decode_crc_field`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct CrcField {
    /// Offset of the field (its byte-string head), where a mismatch is reported.
    pub(crate) at: usize,
    /// The CRC carried (big-endian, RFC 9171 §4.2.1); 0 for a block without CRC.
    pub(crate) received: u32,
}

/// Reads the CRC field of a block whose CRC type is `crc_type`: nothing for `None`, otherwise
/// a byte string of exactly 2 or 4 octets with a one-octet head (RFC 9171 §4.2.2 "CBOR
/// additional information 2 / 4"); anything else is [`ErrorKind::CrcNotZeroPadded`].
#[inline(always)]
pub(crate) fn decode_crc_field(
    dec: &mut Decoder<'_>,
    crc_type: CrcType,
) -> Result<CrcField, Error> {
    let at = dec.position();
    // The only accepted forms, read in one step: head 0x42 or 0x44, then the value.
    let received = match crc_type {
        CrcType::None => Some(0),
        CrcType::Crc16X25 => dec.read_fixed(|&[head, a, b]: &[u8; 3]| {
            (head == 0x42).then(|| u16::from_be_bytes([a, b]).into())
        }),
        CrcType::Crc32C => dec.read_fixed(|&[head, a, b, c, d]: &[u8; 5]| {
            (head == 0x44).then(|| u32::from_be_bytes([a, b, c, d]))
        }),
    };
    received
        .map(|received| CrcField { at, received })
        .ok_or_else(|| crc_field_error(dec.clone()))
}

/// Why a CRC field is not one [`decode_crc_field`] accepts: what reading it as a byte string
/// reports (wrong type, truncated, …), else [`ErrorKind::CrcNotZeroPadded`] (wrong length, or a
/// head longer than one octet).
#[cold]
#[inline(never)]
fn crc_field_error(mut dec: Decoder<'_>) -> Error {
    let at = dec.position();
    match dec.bytes_with_head() {
        Err(e) => e,
        Ok(_) => Error::new(at, ErrorKind::CrcNotZeroPadded),
    }
}

/// Writes a block: `body` writes every item but the CRC field. Without a CRC it writes straight
/// into `buf`; with one it assembles the block (`len` octets) in a temporary buffer, appends
/// the CRC field computed over it (RFC 9171 §4.2.1: value octets zero during the computation,
/// the head kept) and copies it out.
pub(crate) fn emit_with_crc<B: BufMut>(
    buf: &mut B,
    crc_type: CrcType,
    len: usize,
    body: &dyn Fn(&mut dyn BufMut),
) -> Result<(), Error> {
    if crc_type == CrcType::None {
        body(buf);
        return Ok(());
    }
    let value_len = crc_type.value_len();
    let mut block = Vec::with_capacity(len);
    body(&mut block);
    cbor::write_bytes_head(&mut block, value_len);
    block.put_bytes(0, value_len);
    let crc = crc::compute_block_crc(crc_type, &block)?.to_be_bytes();
    let value_at = block.len() - value_len;
    block.truncate(value_at);
    block.extend_from_slice(crc.get(4 - value_len..).unwrap_or_default());
    buf.put_slice(&block);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unprocessable_actions() {
        let none = BlockFlags(0).unprocessable_action();
        assert_eq!(
            none,
            UnprocessableAction {
                report: false,
                disposition: Disposition::Keep
            }
        );
        let all = BlockFlags(0x17).unprocessable_action();
        assert_eq!(
            all,
            UnprocessableAction {
                report: true,
                disposition: Disposition::DeleteBundle
            }
        );
        let discard = BlockFlags::DISCARD_IF_UNPROCESSABLE.unprocessable_action();
        assert_eq!(discard.disposition, Disposition::DiscardBlock);
    }

    #[test]
    fn block_data_round_trip() {
        let eid = Eid::Ipn {
            allocator: 0,
            node: 3,
            service: 0,
        };
        for (block_type, data) in [
            (block_type::PREVIOUS_NODE, BlockData::PreviousNode(eid)),
            (block_type::BUNDLE_AGE, BlockData::BundleAge(300)),
            (
                block_type::HOP_COUNT,
                BlockData::HopCount(HopCount {
                    limit: 30,
                    count: 1,
                }),
            ),
        ] {
            let mut out = Vec::new();
            data.encode(&mut out);
            assert_eq!(out.len(), data.encoded_len());
            assert_eq!(BlockData::decode(block_type, &out), Ok(data));
        }
    }

    #[test]
    fn hop_limit_range() {
        // [256, 0] and [0, 0]
        assert_eq!(
            BlockData::decode(block_type::HOP_COUNT, &[0x82, 0x19, 0x01, 0x00, 0x00]),
            Err(Error::new(1, ErrorKind::IntegerTooLarge))
        );
        assert!(matches!(
            BlockData::decode(block_type::HOP_COUNT, &[0x82, 0x00, 0x00]),
            Err(Error {
                offset: 1,
                kind: ErrorKind::InvalidBlock(_)
            })
        ));
    }

    #[test]
    fn encode_matches_rfc9171_vector() {
        // bpv7-extension-blocks, Hop Count block (bpv7_generated_vectors.json).
        let mut data = Vec::new();
        BlockData::HopCount(HopCount {
            limit: 30,
            count: 1,
        })
        .encode(&mut data);
        let block = CanonicalBlock {
            block_type: block_type::HOP_COUNT,
            number: 4,
            flags: BlockFlags(0),
            crc_type: CrcType::Crc16X25,
            data: &data,
        };
        let mut out = Vec::new();
        block.encode(&mut out).unwrap();
        assert_eq!(
            out,
            [
                0x86, 0x0a, 0x04, 0x00, 0x01, 0x44, 0x82, 0x18, 0x1e, 0x01, 0x42, 0xd4, 0xb4
            ]
        );
        assert_eq!(out.len(), block.encoded_len());
        assert_eq!(CanonicalBlock::decode(&mut Decoder::new(&out)), Ok(block));
    }
}
