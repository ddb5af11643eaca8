//! Administrative records (RFC 9171 §6.1) and bundle status reports (§6.1.1).
//!
//! An administrative record is the payload of a bundle whose "payload is an administrative
//! record" flag is set (§4.2.3): a definite CBOR array `[record type code, record content]`.
//! Type 1 is the bundle status report, which this module decodes field by field; any other type
//! is carried opaquely as the raw octets of its content item, so a node can forward or log
//! records it does not understand.
//!
//! A bundle status report is
//! `[[received, forwarded, delivered, deleted], reason code, source node ID, [time, sequence],
//! (fragment offset, payload length)?]` — 4 items, or 6 when the subject bundle is a fragment.
//! Each status item is `[false]`, `[true]` or, when the subject bundle requested status times
//! (§4.2.3 bit 6), `[true, DTN time]`.
//!
//! # Policy
//!
//! * Arrays must be definite-length (like every other fixed layout in this crate); an
//!   indefinite one is [`ErrorKind::IndefiniteLength`].
//! * The status information array must hold exactly the four assertions RFC 9171 defines.
//! * Decoding never copies: the subject's `dtn` EID and an unknown record's content borrow from
//!   the input. A failed decode leaves the decoder where it was.
//! * Encoding writes deterministic CBOR (RFC 8949 §4.2.1) and refuses, with the same typed error,
//!   every value the decoder would reject; errors of [`AdminRecord::encode`] and
//!   [`StatusReport::encode`] are at offset 0, except for an unknown record's content, whose
//!   errors are at offsets into that content.

use core::fmt;

use bytes::BufMut;

use crate::cbor::{self, Decoder, head_len};
use crate::eid::Eid;
use crate::primary::{BundleFlags, CreationTimestamp, PrimaryBlock};
use crate::{Error, ErrorKind};

/// Record type code of a bundle status report (RFC 9171 §6.1, IANA "Bundle Administrative
/// Record Types").
pub const STATUS_REPORT_TYPE: u64 = 1;

/// An administrative record (RFC 9171 §6.1), borrowing from the payload it was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRecord<'a> {
    /// Type 1: a bundle status report (§6.1.1).
    StatusReport(StatusReport<'a>),
    /// Any other record type, carried opaquely.
    Unknown {
        /// Record type code; never [`STATUS_REPORT_TYPE`].
        type_code: u64,
        /// The complete encoded content item (one well-formed CBOR data item, head included).
        content: &'a [u8],
    },
}

impl<'a> AdminRecord<'a> {
    /// Decodes a whole administrative-record payload: exactly one record, no trailing octets
    /// ([`ErrorKind::TrailingBytes`]).
    pub fn parse(payload: &'a [u8]) -> Result<Self, Error> {
        let mut dec = Decoder::new(payload);
        let record = Self::decode(&mut dec)?;
        match dec.remaining().len() {
            0 => Ok(record),
            extra => Err(Error::new(dec.position(), ErrorKind::TrailingBytes(extra))),
        }
    }

    /// Decodes one record `[type code, content]` (RFC 9171 §6.1). A type other than 1 keeps its
    /// content as raw octets, which must still be one well-formed CBOR item (RFC 8949 §3).
    pub fn decode(dec: &mut Decoder<'a>) -> Result<Self, Error> {
        let mut probe = dec.clone();
        expect_items(
            &mut probe,
            "administrative record: [type code, content]",
            &[2],
        )?;
        let record = match probe.uint()? {
            STATUS_REPORT_TYPE => Self::StatusReport(StatusReport::decode(&mut probe)?),
            type_code => {
                let rest = probe.remaining();
                let span = probe.skip()?;
                let content = rest.get(..span.len()).unwrap_or_default();
                Self::Unknown { type_code, content }
            }
        };
        *dec = probe;
        Ok(record)
    }

    /// The record type code.
    pub const fn type_code(&self) -> u64 {
        match *self {
            Self::StatusReport(_) => STATUS_REPORT_TYPE,
            Self::Unknown { type_code, .. } => type_code,
        }
    }

    /// Checks what [`Self::decode`] enforces, for a record built by hand: a valid status
    /// report, or an unknown type (not 1) whose content is exactly one well-formed CBOR item.
    pub fn validate(&self) -> Result<(), Error> {
        match *self {
            Self::StatusReport(ref report) => report.validate(),
            Self::Unknown {
                type_code: STATUS_REPORT_TYPE,
                ..
            } => Err(Error::new(
                0,
                ErrorKind::InvalidBlock("unknown administrative record with type code 1"),
            )),
            Self::Unknown { content, .. } => {
                let mut dec = Decoder::new(content);
                dec.skip()?;
                match dec.remaining().len() {
                    0 => Ok(()),
                    extra => Err(Error::new(dec.position(), ErrorKind::TrailingBytes(extra))),
                }
            }
        }
    }

    /// Validates ([`Self::validate`]) then writes the record in deterministic CBOR.
    pub fn encode(&self, buf: &mut impl BufMut) -> Result<(), Error> {
        self.validate()?;
        cbor::write_array_head(buf, 2);
        cbor::write_uint(buf, self.type_code());
        match *self {
            Self::StatusReport(ref report) => report.write(buf),
            Self::Unknown { content, .. } => buf.put_slice(content),
        }
        Ok(())
    }

    /// Octets [`Self::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        let content = match *self {
            Self::StatusReport(ref report) => report.encoded_len(),
            Self::Unknown { content, .. } => content.len(),
        };
        1 + head_len(self.type_code()) + content
    }
}

/// A bundle status report (RFC 9171 §6.1.1): what a node did with a subject bundle, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusReport<'a> {
    /// The four status assertions.
    pub status: StatusInfo,
    /// Why (§6.1.1 reason code table).
    pub reason: ReasonCode,
    /// Source node ID of the subject bundle.
    pub source: Eid<'a>,
    /// Creation timestamp of the subject bundle.
    pub creation: CreationTimestamp,
    /// Present iff the subject bundle is a fragment.
    pub fragment: Option<SubjectFragment>,
}

/// The fragment fields of a status report (RFC 9171 §6.1.1 items 5 and 6). Unlike the primary
/// block's [`crate::primary::FragmentInfo`], the second number is the length of the subject
/// fragment's own payload, not of the whole ADU: offset and length together identify the
/// fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubjectFragment {
    /// Fragment offset of the subject bundle.
    pub offset: u64,
    /// Length of the subject bundle's payload.
    pub length: u64,
}

impl<'a> StatusReport<'a> {
    /// A report about `subject` (whose payload is `payload_len` octets), asserting nothing yet,
    /// with reason [`ReasonCode::NO_ADDITIONAL_INFORMATION`]: copies the subject's source,
    /// creation timestamp and, for a fragment, its offset (§6.1.1). Set the asserted items with
    /// [`StatusItem::asserted_for`].
    pub fn about(subject: &PrimaryBlock<'a>, payload_len: u64) -> Self {
        Self {
            status: StatusInfo::default(),
            reason: ReasonCode::NO_ADDITIONAL_INFORMATION,
            source: subject.source,
            creation: subject.creation,
            fragment: subject.fragment.map(|f| SubjectFragment {
                offset: f.offset,
                length: payload_len,
            }),
        }
    }

    /// Decodes a status report (the content of a type-1 record). On error the decoder's
    /// position is unchanged.
    pub fn decode(dec: &mut Decoder<'a>) -> Result<Self, Error> {
        let mut probe = dec.clone();
        let items = expect_items(
            &mut probe,
            "bundle status report: 4 items, or 6 for a fragment",
            &[4, 6],
        )?;
        let status = StatusInfo::decode(&mut probe)?;
        let reason = ReasonCode(probe.uint()?);
        let source = Eid::decode(&mut probe)?;
        expect_items(&mut probe, "creation timestamp: [time, sequence]", &[2])?;
        let creation = CreationTimestamp {
            time: probe.uint()?,
            sequence: probe.uint()?,
        };
        let fragment = if items == 6 {
            Some(SubjectFragment {
                offset: probe.uint()?,
                length: probe.uint()?,
            })
        } else {
            None
        };
        *dec = probe;
        Ok(Self {
            status,
            reason,
            source,
            creation,
            fragment,
        })
    }

    /// Checks what [`Self::decode`] enforces, for a report built by hand: a valid source EID
    /// ([`Eid::validate`]). Status items cannot be malformed by construction.
    pub fn validate(&self) -> Result<(), Error> {
        self.source.validate()
    }

    /// Validates ([`Self::validate`]) then writes the report (without the record wrapper) in
    /// deterministic CBOR.
    pub fn encode(&self, buf: &mut impl BufMut) -> Result<(), Error> {
        self.validate()?;
        self.write(buf);
        Ok(())
    }

    /// Octets [`Self::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        let fragment = self
            .fragment
            .map_or(0, |f| head_len(f.offset) + head_len(f.length));
        1 + self.status.encoded_len()
            + head_len(self.reason.0)
            + self.source.encoded_len()
            + 1
            + head_len(self.creation.time)
            + head_len(self.creation.sequence)
            + fragment
    }

    /// Writes an already validated report.
    fn write(&self, buf: &mut impl BufMut) {
        cbor::write_array_head(buf, if self.fragment.is_some() { 6 } else { 4 });
        self.status.write(buf);
        cbor::write_uint(buf, self.reason.0);
        self.source.encode(buf);
        cbor::write_array_head(buf, 2);
        cbor::write_uint(buf, self.creation.time);
        cbor::write_uint(buf, self.creation.sequence);
        if let Some(fragment) = self.fragment {
            cbor::write_uint(buf, fragment.offset);
            cbor::write_uint(buf, fragment.length);
        }
    }
}

/// The bundle status information array (RFC 9171 §6.1.1): the four status assertions, in
/// wire order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StatusInfo {
    /// Reporting node received the bundle.
    pub received: StatusItem,
    /// Reporting node forwarded the bundle.
    pub forwarded: StatusItem,
    /// Reporting node delivered the bundle.
    pub delivered: StatusItem,
    /// Reporting node deleted the bundle.
    pub deleted: StatusItem,
}

impl StatusInfo {
    /// The items in wire order.
    pub const fn items(&self) -> [StatusItem; 4] {
        [self.received, self.forwarded, self.delivered, self.deleted]
    }

    fn decode(dec: &mut Decoder<'_>) -> Result<Self, Error> {
        expect_items(dec, "bundle status information: 4 status items", &[4])?;
        Ok(Self {
            received: StatusItem::decode(dec)?,
            forwarded: StatusItem::decode(dec)?,
            delivered: StatusItem::decode(dec)?,
            deleted: StatusItem::decode(dec)?,
        })
    }

    fn encoded_len(&self) -> usize {
        1 + self
            .items()
            .iter()
            .map(StatusItem::encoded_len)
            .sum::<usize>()
    }

    fn write(&self, buf: &mut impl BufMut) {
        cbor::write_array_head(buf, 4);
        for item in self.items() {
            item.write(buf);
        }
    }
}

/// One bundle status item (RFC 9171 §6.1.1): whether the status is asserted and, if the subject
/// bundle requested status times, when. A time on a status that is not asserted is not
/// representable, as §6.1.1 allows a time only with an asserted status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StatusItem {
    /// `[false]`.
    #[default]
    NotAsserted,
    /// `[true]`, or `[true, time]`.
    Asserted {
        /// DTN time (ms since 2000-01-01 00:00:00 UTC) at which the status was asserted;
        /// present iff the subject bundle set "status time requested" (§4.2.3).
        time: Option<u64>,
    },
}

impl StatusItem {
    /// An asserted item for a subject bundle with `flags`, carrying `now` (DTN time) iff the
    /// subject requested status times ([`BundleFlags::STATUS_TIME_REQUESTED`], §6.1.1).
    pub const fn asserted_for(flags: BundleFlags, now: u64) -> Self {
        let time = if flags.contains(BundleFlags::STATUS_TIME_REQUESTED) {
            Some(now)
        } else {
            None
        };
        Self::Asserted { time }
    }

    /// Whether the status is asserted.
    pub const fn is_asserted(self) -> bool {
        matches!(self, Self::Asserted { .. })
    }

    /// The time of the assertion, if reported.
    pub const fn time(self) -> Option<u64> {
        match self {
            Self::Asserted { time } => time,
            Self::NotAsserted => None,
        }
    }

    fn decode(dec: &mut Decoder<'_>) -> Result<Self, Error> {
        let start = dec.position();
        let items = expect_items(
            dec,
            "bundle status item: [asserted] or [true, time]",
            &[1, 2],
        )?;
        let asserted = dec.bool()?;
        match (asserted, items) {
            (false, 1) => Ok(Self::NotAsserted),
            (true, 1) => Ok(Self::Asserted { time: None }),
            (true, _) => Ok(Self::Asserted {
                time: Some(dec.uint()?),
            }),
            (false, _) => Err(Error::new(
                start,
                ErrorKind::InvalidBlock("status time on a status that is not asserted"),
            )),
        }
    }

    fn encoded_len(&self) -> usize {
        // Array head and bool are one octet each.
        2 + self.time().map_or(0, head_len)
    }

    fn write(self, buf: &mut impl BufMut) {
        match self {
            Self::NotAsserted => {
                cbor::write_array_head(buf, 1);
                cbor::write_bool(buf, false);
            }
            Self::Asserted { time: None } => {
                cbor::write_array_head(buf, 1);
                cbor::write_bool(buf, true);
            }
            Self::Asserted { time: Some(time) } => {
                cbor::write_array_head(buf, 2);
                cbor::write_bool(buf, true);
                cbor::write_uint(buf, time);
            }
        }
    }
}

/// A bundle status report reason code (RFC 9171 §6.1.1, IANA "Bundle Status Report Reason
/// Codes"). Any `u64` decodes: codes without a constant here are unassigned (17-254) or
/// reserved (255) today and are carried as they are, so a later registration needs no change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReasonCode(pub u64);

impl ReasonCode {
    /// 0: no additional information.
    pub const NO_ADDITIONAL_INFORMATION: Self = Self(0);
    /// 1: lifetime expired.
    pub const LIFETIME_EXPIRED: Self = Self(1);
    /// 2: forwarded over unidirectional link.
    pub const FORWARDED_OVER_UNIDIRECTIONAL_LINK: Self = Self(2);
    /// 3: transmission canceled.
    pub const TRANSMISSION_CANCELED: Self = Self(3);
    /// 4: depleted storage.
    pub const DEPLETED_STORAGE: Self = Self(4);
    /// 5: destination endpoint ID unavailable (RFC 5050 called it "unintelligible").
    pub const DESTINATION_EID_UNAVAILABLE: Self = Self(5);
    /// 6: no known route to destination from here.
    pub const NO_KNOWN_ROUTE: Self = Self(6);
    /// 7: no timely contact with next node on route.
    pub const NO_TIMELY_CONTACT: Self = Self(7);
    /// 8: block unintelligible.
    pub const BLOCK_UNINTELLIGIBLE: Self = Self(8);
    /// 9: hop limit exceeded.
    pub const HOP_LIMIT_EXCEEDED: Self = Self(9);
    /// 10: traffic pared (e.g., status reports).
    pub const TRAFFIC_PARED: Self = Self(10);
    /// 11: block unsupported.
    pub const BLOCK_UNSUPPORTED: Self = Self(11);
    /// 12: missing security operation (registered by RFC 9172, BPSec).
    pub const MISSING_SECURITY_OPERATION: Self = Self(12);
    /// 13: unknown security operation (RFC 9172).
    pub const UNKNOWN_SECURITY_OPERATION: Self = Self(13);
    /// 14: unexpected security operation (RFC 9172).
    pub const UNEXPECTED_SECURITY_OPERATION: Self = Self(14);
    /// 15: failed security operation (RFC 9172).
    pub const FAILED_SECURITY_OPERATION: Self = Self(15);
    /// 16: conflicting security operation (RFC 9172).
    pub const CONFLICTING_SECURITY_OPERATION: Self = Self(16);

    /// The registered description, or `None` for an unassigned or reserved code.
    pub const fn description(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "no additional information",
            1 => "lifetime expired",
            2 => "forwarded over unidirectional link",
            3 => "transmission canceled",
            4 => "depleted storage",
            5 => "destination endpoint ID unavailable",
            6 => "no known route to destination from here",
            7 => "no timely contact with next node on route",
            8 => "block unintelligible",
            9 => "hop limit exceeded",
            10 => "traffic pared",
            11 => "block unsupported",
            12 => "missing security operation",
            13 => "unknown security operation",
            14 => "unexpected security operation",
            15 => "failed security operation",
            16 => "conflicting security operation",
            _ => return None,
        })
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.description() {
            Some(text) => write!(f, "{} ({text})", self.0),
            None => write!(f, "{} (unregistered)", self.0),
        }
    }
}

/// Reads a definite array head whose length is one of `allowed`, else
/// [`ErrorKind::ArrayLength`] naming `expected`; returns the length.
fn expect_items(
    dec: &mut Decoder<'_>,
    expected: &'static str,
    allowed: &[u64],
) -> Result<u64, Error> {
    let start = dec.position();
    let items = dec.array_definite()?;
    if allowed.contains(&items) {
        Ok(items)
    } else {
        let kind = ErrorKind::ArrayLength {
            expected,
            found: items,
        };
        Err(Error::new(start, kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn encoded_len_matches_encoding() {
        let report = StatusReport {
            status: StatusInfo {
                delivered: StatusItem::Asserted {
                    time: Some(u64::MAX),
                },
                ..StatusInfo::default()
            },
            reason: ReasonCode(1000),
            source: Eid::Ipn {
                allocator: 0,
                node: 70_000,
                service: 0,
            },
            creation: CreationTimestamp {
                time: 1 << 40,
                sequence: 300,
            },
            fragment: Some(SubjectFragment {
                offset: 24,
                length: 65_536,
            }),
        };
        let record = AdminRecord::StatusReport(report);
        let mut out = Vec::new();
        record.encode(&mut out).unwrap();
        assert_eq!(out.len(), record.encoded_len());
        assert_eq!(AdminRecord::parse(&out), Ok(record));
    }

    #[test]
    fn reason_code_display() {
        assert_eq!(
            alloc::format!("{}", ReasonCode::LIFETIME_EXPIRED),
            "1 (lifetime expired)"
        );
        assert_eq!(alloc::format!("{}", ReasonCode(255)), "255 (unregistered)");
    }
}
