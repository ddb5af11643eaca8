//! The primary bundle block (RFC 9171 §4.3.1) and its bundle processing control flags
//! (§4.2.3).
//!
//! A primary block is a definite CBOR array of 8 to 11 items:
//! `[version, flags, CRC type, destination, source node, report-to, [time, seq], lifetime,
//! (fragment offset, total ADU length)?, CRC?]` — 8 items plain, 9 with a CRC, 10 for a fragment,
//! 11 for a fragment with a CRC. Decoding checks the layout, the CRC over the exact received
//! octets and the flag rules of §4.2.3; encoding refuses what decoding would reject.

use bytes::BufMut;

use crate::block::emit_with_crc;
use crate::bundle::ParseOptions;
use crate::cbor::{self, Decoder, head_len};
use crate::crc::{self, CrcType};
use crate::eid::Eid;
use crate::{Error, ErrorKind};

/// The only bundle protocol version this crate speaks (RFC 9171 §4.3.1).
pub const VERSION: u64 = 7;

/// Bundle processing control flags (RFC 9171 §4.2.3): a `u64` bit field, bit 0 the least
/// significant bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BundleFlags(pub u64);

impl BundleFlags {
    /// Bit 0: the bundle is a fragment; the primary block then carries fragment offset and total
    /// ADU length.
    pub const IS_FRAGMENT: Self = Self(0x0001);
    /// Bit 1: the payload is an administrative record (§6).
    pub const ADMIN_RECORD: Self = Self(0x0002);
    /// Bit 2: the bundle must not be fragmented.
    pub const MUST_NOT_FRAGMENT: Self = Self(0x0004);
    /// Bit 5: acknowledgement by the user application is requested.
    pub const APP_ACK_REQUESTED: Self = Self(0x0020);
    /// Bit 6: status time is requested in all status reports.
    pub const STATUS_TIME_REQUESTED: Self = Self(0x0040);
    /// Bit 14: request reporting of bundle reception.
    pub const REPORT_RECEPTION: Self = Self(0x4000);
    /// Bit 16: request reporting of bundle forwarding.
    pub const REPORT_FORWARDING: Self = Self(0x1_0000);
    /// Bit 17: request reporting of bundle delivery.
    pub const REPORT_DELIVERY: Self = Self(0x2_0000);
    /// Bit 18: request reporting of bundle deletion.
    pub const REPORT_DELETION: Self = Self(0x4_0000);
    /// The four status report request flags (bits 14, 16, 17, 18).
    pub const STATUS_REPORT_REQUESTS: Self = Self(0x7_4000);
    /// Every flag RFC 9171 assigns; the other bits are reserved (3-4, 7-13, 15, 19-20) or
    /// unassigned (21-63).
    pub const ASSIGNED: Self = Self(0x7_4067);

    /// Checks the consistency rules of RFC 9171 §4.2.3 for a bundle from `source`; errors are
    /// [`ErrorKind::InvalidFlags`] at `offset`.
    ///
    /// * an administrative record requests no status reports;
    /// * an anonymous bundle (source `dtn:none`) must not be fragmented and requests no status
    ///   reports, as it has no identity to report on;
    /// * with `reject_reserved`, no reserved or unassigned bit is set (our spare-bit policy: the
    ///   RFC assigns them no meaning, and a sender that sets them is not speaking RFC 9171).
    pub fn check(
        self,
        source: &Eid<'_>,
        reject_reserved: bool,
        offset: usize,
    ) -> Result<(), Error> {
        let fail = |rule| Err(Error::new(offset, ErrorKind::InvalidFlags(rule)));
        if reject_reserved && self.reserved_bits() != 0 {
            return fail("reserved bundle processing control flag set");
        }
        if self.contains(Self::ADMIN_RECORD) && self.intersects(Self::STATUS_REPORT_REQUESTS) {
            return fail("administrative record requests status reports");
        }
        if *source == Eid::Null {
            if !self.contains(Self::MUST_NOT_FRAGMENT) {
                return fail("anonymous bundle without 'must not be fragmented'");
            }
            if self.intersects(Self::STATUS_REPORT_REQUESTS) {
                return fail("anonymous bundle requests status reports");
            }
        }
        Ok(())
    }
}

crate::flags::flag_set!(BundleFlags);

/// Creation timestamp (RFC 9171 §4.2.7): `[DTN time in ms since 2000-01-01, sequence number]`.
/// A time of 0 means the source had no accurate clock; the bundle then needs a Bundle Age
/// block (§4.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CreationTimestamp {
    /// DTN time (ms since 2000-01-01 00:00:00 UTC), or 0 if unknown.
    pub time: u64,
    /// Sequence number, distinguishing bundles created in the same millisecond.
    pub sequence: u64,
}

/// The two primary-block fields present iff the bundle is a fragment (RFC 9171 §4.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FragmentInfo {
    /// Offset of this fragment's payload within the original ADU.
    pub offset: u64,
    /// Length of the original ADU.
    pub total_adu_length: u64,
}

/// The primary bundle block (RFC 9171 §4.3.1), borrowing its `dtn` EIDs from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrimaryBlock<'a> {
    /// Bundle processing control flags (§4.2.3).
    pub flags: BundleFlags,
    /// CRC type of this block (§4.2.1).
    pub crc_type: CrcType,
    /// Destination EID.
    pub destination: Eid<'a>,
    /// Source node ID (`dtn:none` for an anonymous bundle).
    pub source: Eid<'a>,
    /// Report-to EID.
    pub report_to: Eid<'a>,
    /// Creation timestamp (§4.2.7).
    pub creation: CreationTimestamp,
    /// Lifetime in milliseconds after creation.
    pub lifetime: u64,
    /// Fragment offset and total ADU length; `Some` iff [`BundleFlags::IS_FRAGMENT`] is set.
    pub fragment: Option<FragmentInfo>,
}

impl<'a> PrimaryBlock<'a> {
    /// Decodes and validates a primary block under [`ParseOptions::STRICT`].
    pub fn decode(dec: &mut Decoder<'a>) -> Result<Self, Error> {
        Self::decode_with(dec, &ParseOptions::STRICT)
    }

    /// Decodes a primary block: array length consistent with the fragment flag and CRC type,
    /// version 7, known CRC type, the CRC over the exact received octets (block number 0), the
    /// flag rules ([`BundleFlags::check`]) and, if `options.require_node_ids`, a source that is
    /// a node ID or `dtn:none` (§4.2.5.2). Error offsets are decoder positions. The bundle-level
    /// rules (primary CRC vs BIB, Bundle Age) are [`crate::bundle::BundleView`]'s.
    #[inline(always)]
    pub fn decode_with(dec: &mut Decoder<'a>, options: &ParseOptions) -> Result<Self, Error> {
        let block_bytes = dec.remaining();
        let start = dec.position();
        let items = dec.array_definite()?;
        // Built only on the error path: an eager `Error` costs the hot path its construction.
        let array_error = || {
            let kind = ErrorKind::ArrayLength {
                expected: "primary block: 8 + 2 if a fragment + 1 if a CRC items",
                found: items,
            };
            Err(Error::new(start, kind))
        };
        if !(8..=11).contains(&items) {
            return array_error();
        }
        let version_at = dec.position();
        let version = dec.uint()?;
        if version != VERSION {
            return Err(Error::new(version_at, ErrorKind::InvalidVersion(version)));
        }
        let flags_at = dec.position();
        let flags = BundleFlags(dec.uint()?);
        let crc_at = dec.position();
        let crc_type = CrcType::from_code(dec.uint()?, crc_at)?;
        if items != expected_items(flags, crc_type) {
            return array_error();
        }
        let destination = Eid::decode(dec)?;
        let source_at = dec.position();
        let source = Eid::decode(dec)?;
        let report_to = Eid::decode(dec)?;
        let creation = decode_timestamp(dec)?;
        let lifetime = dec.uint()?;
        let fragment = if flags.contains(BundleFlags::IS_FRAGMENT) {
            Some(FragmentInfo {
                offset: dec.uint()?,
                total_adu_length: dec.uint()?,
            })
        } else {
            None
        };
        let crc = crate::block::decode_crc_field(dec, crc_type)?;
        let whole = block_bytes
            .get(..dec.position() - start)
            .unwrap_or_default();
        crc::check_received_crc(crc_type, whole, crc.received, 0, crc.at)?;
        let block = Self {
            flags,
            crc_type,
            destination,
            source,
            report_to,
            creation,
            lifetime,
            fragment,
        };
        block.check(options, flags_at, source_at)?;
        Ok(block)
    }

    /// The rules shared by decode and encode, with the offsets to report.
    #[inline(always)]
    fn check(
        &self,
        options: &ParseOptions,
        flags_at: usize,
        source_at: usize,
    ) -> Result<(), Error> {
        self.flags
            .check(&self.source, options.reject_reserved_flags, flags_at)?;
        if options.require_node_ids && self.source != Eid::Null && !self.source.is_node_id() {
            return Err(Error::new(
                source_at,
                ErrorKind::InvalidEid("source is not a node ID"),
            ));
        }
        Ok(())
    }

    /// Validates the block as [`Self::decode_with`] would (errors at offset 0): the fragment
    /// fields present iff the fragment flag is set, well-formed EIDs, the flag and node-ID
    /// rules.
    pub fn validate(&self, options: &ParseOptions) -> Result<(), Error> {
        if self.fragment.is_some() != self.flags.contains(BundleFlags::IS_FRAGMENT) {
            return Err(Error::new(
                0,
                ErrorKind::InvalidFlags("fragment fields present iff 'is a fragment' is set"),
            ));
        }
        for eid in [&self.destination, &self.source, &self.report_to] {
            eid.validate()?;
        }
        self.check(options, 0, 0)
    }

    /// Encodes the block under [`ParseOptions::STRICT`] ([`Self::encode_with`]).
    pub fn encode(&self, buf: &mut impl BufMut) -> Result<(), Error> {
        self.encode_with(buf, &ParseOptions::STRICT)
    }

    /// Validates ([`Self::validate`]) then writes the block in deterministic CBOR, with its CRC
    /// computed over the written octets. A block with a CRC is assembled in one temporary
    /// buffer first, as a `BufMut` cannot be read back.
    pub fn encode_with(&self, buf: &mut impl BufMut, options: &ParseOptions) -> Result<(), Error> {
        self.validate(options)?;
        emit_with_crc(
            buf,
            self.crc_type,
            self.encoded_len(),
            &|mut out: &mut dyn BufMut| {
                self.write_fields(&mut out);
            },
        )
    }

    /// Octets [`Self::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        let fragment = self
            .fragment
            .map_or(0, |f| head_len(f.offset) + head_len(f.total_adu_length));
        1 + head_len(VERSION)
            + head_len(self.flags.0)
            + head_len(self.crc_type.code())
            + self.destination.encoded_len()
            + self.source.encoded_len()
            + self.report_to.encoded_len()
            + 1
            + head_len(self.creation.time)
            + head_len(self.creation.sequence)
            + head_len(self.lifetime)
            + fragment
            + self.crc_type.field_len()
    }

    /// Writes every item but the CRC field.
    fn write_fields(&self, buf: &mut impl BufMut) {
        cbor::write_array_head(buf, expected_items(self.flags, self.crc_type));
        cbor::write_uint(buf, VERSION);
        cbor::write_uint(buf, self.flags.0);
        cbor::write_uint(buf, self.crc_type.code());
        self.destination.encode(buf);
        self.source.encode(buf);
        self.report_to.encode(buf);
        cbor::write_array_head(buf, 2);
        cbor::write_uint(buf, self.creation.time);
        cbor::write_uint(buf, self.creation.sequence);
        cbor::write_uint(buf, self.lifetime);
        if let Some(fragment) = self.fragment {
            cbor::write_uint(buf, fragment.offset);
            cbor::write_uint(buf, fragment.total_adu_length);
        }
    }
}

/// Items in a primary block (RFC 9171 §4.3.1): 8, +2 for a fragment, +1 for a CRC.
const fn expected_items(flags: BundleFlags, crc_type: CrcType) -> u64 {
    let fragment = if flags.contains(BundleFlags::IS_FRAGMENT) {
        2
    } else {
        0
    };
    let crc = if matches!(crc_type, CrcType::None) {
        0
    } else {
        1
    };
    8 + fragment + crc
}

/// `[time, sequence]` (RFC 9171 §4.2.7).
#[inline(always)]
fn decode_timestamp(dec: &mut Decoder<'_>) -> Result<CreationTimestamp, Error> {
    let start = dec.position();
    let items = dec.array_definite()?;
    if items != 2 {
        let kind = ErrorKind::ArrayLength {
            expected: "creation timestamp: 2 items",
            found: items,
        };
        return Err(Error::new(start, kind));
    }
    Ok(CreationTimestamp {
        time: dec.uint()?,
        sequence: dec.uint()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn sample() -> PrimaryBlock<'static> {
        PrimaryBlock {
            flags: BundleFlags::MUST_NOT_FRAGMENT,
            crc_type: CrcType::Crc16X25,
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
            report_to: Eid::Null,
            creation: CreationTimestamp {
                time: 757_051_200_000,
                sequence: 1,
            },
            lifetime: 3_600_000,
            fragment: None,
        }
    }

    #[test]
    fn encode_decode_round_trip_with_exact_length() {
        for crc_type in [CrcType::None, CrcType::Crc16X25, CrcType::Crc32C] {
            let block = PrimaryBlock {
                crc_type,
                ..sample()
            };
            let mut out = Vec::new();
            block.encode(&mut out).unwrap();
            assert_eq!(out.len(), block.encoded_len());
            let mut dec = Decoder::new(&out);
            assert_eq!(PrimaryBlock::decode(&mut dec), Ok(block));
            assert!(dec.is_empty());
        }
    }

    #[test]
    fn flag_rules() {
        let anon = Eid::Null;
        let node = Eid::Ipn {
            allocator: 0,
            node: 1,
            service: 0,
        };
        let admin_report = BundleFlags::ADMIN_RECORD | BundleFlags::REPORT_DELIVERY;
        assert!(admin_report.check(&node, true, 3).is_err());
        assert!(BundleFlags(0).check(&anon, true, 3).is_err());
        assert!(BundleFlags::MUST_NOT_FRAGMENT.check(&anon, true, 3).is_ok());
        let reserved = BundleFlags(0x08);
        assert_eq!(
            reserved.check(&node, true, 3),
            Err(Error::new(
                3,
                ErrorKind::InvalidFlags("reserved bundle processing control flag set")
            ))
        );
        assert!(reserved.check(&node, false, 3).is_ok());
    }

    #[test]
    fn fragment_fields_follow_the_flag() {
        let mut block = sample();
        block.fragment = Some(FragmentInfo {
            offset: 0,
            total_adu_length: 10,
        });
        assert!(block.encode(&mut Vec::new()).is_err());
        block.flags = BundleFlags::IS_FRAGMENT;
        assert!(block.encode(&mut Vec::new()).is_ok());
    }
}
