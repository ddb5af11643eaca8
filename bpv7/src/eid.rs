//! Endpoint IDs (RFC 9171 §4.2.5.1): the `dtn` and `ipn` URI schemes, their CBOR form
//! `[scheme code, SSP]` and their URI text form.
//!
//! * `dtn` (code 1): the SSP is the text `"//node-name/demux"`, or the unsigned integer 0 for
//!   the null endpoint `dtn:none` (§4.2.5.1.1). ABNF: `dtn-hier-part = "//" node-name "/"
//!   demux`, `node-name = reg-name` (RFC 3986 §3.2.2, non-empty), `demux = *VCHAR`.
//! * `ipn` (code 2): the SSP is `[node number, service number]` (§4.2.5.1.2), each a `u64`;
//!   RFC 9758 adds the three-element `[allocator, node, service]` form with 32-bit numbers.
//!   A two-element SSP decodes with `allocator: 0` and its node number (RFC 9758's "fully
//!   qualified node number") kept whole in `node`; an EID with a non-zero allocator encodes as
//!   three elements, any other as two, so decoding then encoding reproduces RFC 9171 bundles.
//!   (A received `[0, node, service]` is accepted and re-encodes in the two-element form.)
//!
//! URI schemes are accepted in lower case only; [`core::fmt::Display`] writes the same form
//! [`Eid::parse_uri`] reads.

use core::fmt;

use bytes::BufMut;

use crate::cbor::{self, Decoder, MAJOR_TEXT, MAJOR_UINT, head_len};
use crate::{Error, ErrorKind};

/// URI scheme code of `dtn` (RFC 9171 §9.6, "Bundle Protocol URI Scheme Types").
pub const SCHEME_DTN: u64 = 1;
/// URI scheme code of `ipn`.
pub const SCHEME_IPN: u64 = 2;

/// An endpoint ID, borrowing its `dtn` SSP from the decoded bundle or the parsed string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Eid<'a> {
    /// The null endpoint `dtn:none`, CBOR `[1, 0]` (RFC 9171 §4.2.5.1.1).
    Null,
    /// A `dtn` EID; `ssp` is the scheme-specific part `"//node-name/demux"`.
    Dtn {
        /// The SSP, starting with `//`.
        ssp: &'a str,
    },
    /// An `ipn` EID (RFC 9171 §4.2.5.1.2, RFC 9758).
    Ipn {
        /// RFC 9758 allocator identifier; 0 for the two-element form.
        allocator: u64,
        /// Node number.
        node: u64,
        /// Service number; 0 names the node itself.
        service: u64,
    },
}

impl<'a> Eid<'a> {
    /// Decodes an EID `[scheme code, SSP]` and validates it ([`Self::validate`]). On error the
    /// decoder's position is unchanged.
    #[inline(always)]
    pub fn decode(dec: &mut Decoder<'a>) -> Result<Self, Error> {
        match Self::decode_ipn_fast(dec) {
            Some(eid) => Ok(eid),
            None => dec.detached(Self::decode_any),
        }
    }

    /// [`Self::decode`] for every EID: the fast path's fallback, run on a detached copy of the
    /// decoder (which is left unchanged on error).
    #[inline(never)]
    fn decode_any(dec: &mut Decoder<'a>) -> Result<Self, Error> {
        let start = dec.position();
        let len = dec.array_definite()?;
        if len != 2 {
            let kind = ErrorKind::ArrayLength {
                expected: "EID [scheme code, SSP]",
                found: len,
            };
            return Err(Error::new(start, kind));
        }
        let scheme_at = dec.position();
        match dec.uint()? {
            SCHEME_DTN => decode_dtn_ssp(dec),
            SCHEME_IPN => decode_ipn_ssp(dec),
            _ => Err(Error::new(
                scheme_at,
                ErrorKind::InvalidEid("unknown URI scheme code"),
            )),
        }
    }

    /// The common case of [`Self::decode`] without its error bookkeeping: an `ipn` EID with
    /// two elements, `[2, [node, service]]` (RFC 9171 §4.2.5.1.2), one-octet array and scheme
    /// heads. `None` (position unchanged) for anything else, which the full decoder then reads.
    #[inline(always)]
    fn decode_ipn_fast(dec: &mut Decoder<'a>) -> Option<Self> {
        const IPN_2: [u8; 3] = [0x82, SCHEME_IPN as u8, 0x82];
        let mut probe = dec.clone();
        if !probe.skip_prefix(&IPN_2) {
            return None;
        }
        let node = probe.uint().ok()?;
        let service = probe.uint().ok()?;
        *dec = probe;
        Some(Self::Ipn {
            allocator: 0,
            node,
            service,
        })
    }

    /// Encodes the EID in deterministic CBOR. Encodes what it is given: run [`Self::validate`]
    /// first on an EID that was built by hand rather than decoded or parsed.
    pub fn encode(&self, buf: &mut impl BufMut) {
        cbor::write_array_head(buf, 2);
        match *self {
            Self::Null => {
                cbor::write_uint(buf, SCHEME_DTN);
                cbor::write_uint(buf, 0);
            }
            Self::Dtn { ssp } => {
                cbor::write_uint(buf, SCHEME_DTN);
                cbor::write_text(buf, ssp);
            }
            Self::Ipn {
                allocator,
                node,
                service,
            } => {
                cbor::write_uint(buf, SCHEME_IPN);
                if allocator == 0 {
                    cbor::write_array_head(buf, 2);
                } else {
                    cbor::write_array_head(buf, 3);
                    cbor::write_uint(buf, allocator);
                }
                cbor::write_uint(buf, node);
                cbor::write_uint(buf, service);
            }
        }
    }

    /// Octets [`Self::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        // Array head and scheme code are one octet each.
        2 + match *self {
            Self::Null => 1,
            Self::Dtn { ssp } => head_len(ssp.len() as u64) + ssp.len(),
            Self::Ipn {
                allocator,
                node,
                service,
            } => {
                let allocator_len = if allocator == 0 {
                    0
                } else {
                    head_len(allocator)
                };
                1 + allocator_len + head_len(node) + head_len(service)
            }
        }
    }

    /// Parses the URI text form: `dtn:none`, `dtn://node/demux`, `ipn:node.service` or
    /// (RFC 9758) `ipn:allocator.node.service`. Errors are at byte offsets into `s`.
    pub fn parse_uri(s: &'a str) -> Result<Self, Error> {
        if s == "dtn:none" {
            Ok(Self::Null)
        } else if let Some(ssp) = s.strip_prefix("dtn:") {
            check_dtn_ssp(ssp).map_err(|reason| Error::new(4, ErrorKind::InvalidEid(reason)))?;
            Ok(Self::Dtn { ssp })
        } else if let Some(ssp) = s.strip_prefix("ipn:") {
            parse_ipn_ssp(ssp, 4)
        } else {
            Err(Error::new(
                0,
                ErrorKind::InvalidEid("URI scheme is not dtn or ipn"),
            ))
        }
    }

    /// Checks the rules [`Self::decode`] enforces, for an EID built by hand: a well-formed
    /// `dtn` SSP, and 32-bit numbers in a three-element `ipn` EID. Errors are at offset 0.
    pub fn validate(&self) -> Result<(), Error> {
        match *self {
            Self::Null => Ok(()),
            Self::Dtn { ssp } => {
                check_dtn_ssp(ssp).map_err(|reason| Error::new(0, ErrorKind::InvalidEid(reason)))
            }
            Self::Ipn {
                allocator,
                node,
                service,
            } => {
                if allocator != 0 && [allocator, node, service].iter().any(|&n| n > U32_MAX) {
                    Err(Error::new(0, ErrorKind::IntegerTooLarge))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Whether this EID may serve as a node ID (RFC 9171 §4.2.5.2): `ipn:N.0` (but not the
    /// RFC 9758 null EID `ipn:0.0`), or a `dtn` EID with an empty demux, `dtn://node/`.
    #[inline(always)]
    pub fn is_node_id(&self) -> bool {
        match *self {
            Self::Null => false,
            // On the SSP, not `self`: the parser keeps its EIDs in registers.
            Self::Dtn { ssp } => dtn_parts(ssp).is_some_and(|(_, demux)| demux.is_empty()),
            Self::Ipn {
                allocator,
                node,
                service,
            } => service == 0 && (allocator, node) != (0, 0),
        }
    }

    /// The node name of a `dtn` EID (`node` in `dtn://node/demux`).
    pub fn node_name(&self) -> Option<&'a str> {
        self.dtn_parts().map(|(node, _)| node)
    }

    /// The demux of a `dtn` EID (`demux` in `dtn://node/demux`, possibly empty).
    pub fn demux(&self) -> Option<&'a str> {
        self.dtn_parts().map(|(_, demux)| demux)
    }

    fn dtn_parts(&self) -> Option<(&'a str, &'a str)> {
        match *self {
            Self::Dtn { ssp } => dtn_parts(ssp),
            _ => None,
        }
    }
}

impl fmt::Display for Eid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Null => f.write_str("dtn:none"),
            Self::Dtn { ssp } => write!(f, "dtn:{ssp}"),
            Self::Ipn {
                allocator: 0,
                node,
                service,
            } => write!(f, "ipn:{node}.{service}"),
            Self::Ipn {
                allocator,
                node,
                service,
            } => write!(f, "ipn:{allocator}.{node}.{service}"),
        }
    }
}

const U32_MAX: u64 = u32::MAX as u64;

/// `(node name, demux)` of a `dtn` SSP `//node/demux`.
fn dtn_parts(ssp: &str) -> Option<(&str, &str)> {
    ssp.strip_prefix("//")?.split_once('/')
}

/// The `dtn` SSP: the integer 0 (`dtn:none`) or a text string (RFC 9171 §4.2.5.1.1).
#[inline]
fn decode_dtn_ssp<'a>(dec: &mut Decoder<'a>) -> Result<Eid<'a>, Error> {
    let at = dec.position();
    let invalid = |reason| Error::new(at, ErrorKind::InvalidEid(reason));
    match dec.peek_major()? {
        MAJOR_UINT => match dec.uint()? {
            0 => Ok(Eid::Null),
            _ => Err(invalid("dtn SSP is an integer other than 0 (dtn:none)")),
        },
        MAJOR_TEXT => {
            let ssp = dec.text()?;
            if ssp == "none" {
                return Err(invalid("dtn:none must be encoded as the integer 0"));
            }
            check_dtn_ssp(ssp).map_err(invalid)?;
            Ok(Eid::Dtn { ssp })
        }
        _ => Err(dec.unexpected("dtn SSP (text string or 0)")),
    }
}

/// The `ipn` SSP: `[node, service]` (RFC 9171 §4.2.5.1.2) or `[allocator, node, service]`
/// with 32-bit numbers (RFC 9758).
#[inline]
fn decode_ipn_ssp<'a>(dec: &mut Decoder<'a>) -> Result<Eid<'a>, Error> {
    let at = dec.position();
    match dec.array_definite()? {
        2 => {
            let node = dec.uint()?;
            let service = dec.uint()?;
            Ok(Eid::Ipn {
                allocator: 0,
                node,
                service,
            })
        }
        3 => {
            let mut u32_item = || {
                let item = dec.position();
                let n = dec.uint()?;
                if n > U32_MAX {
                    Err(Error::new(item, ErrorKind::IntegerTooLarge))
                } else {
                    Ok(n)
                }
            };
            let allocator = u32_item()?;
            let node = u32_item()?;
            let service = u32_item()?;
            Ok(Eid::Ipn {
                allocator,
                node,
                service,
            })
        }
        found => Err(Error::new(
            at,
            ErrorKind::ArrayLength {
                expected: "ipn SSP [node, service] or [allocator, node, service]",
                found,
            },
        )),
    }
}

/// `node.service` or `allocator.node.service`, each `1*DIGIT`; `base` is the SSP's offset.
fn parse_ipn_ssp<'a>(ssp: &str, base: usize) -> Result<Eid<'a>, Error> {
    let mut numbers = [0u64; 3];
    let mut count = 0;
    let mut at = base;
    for part in ssp.split('.') {
        let slot = numbers.get_mut(count).ok_or(Error::new(
            at,
            ErrorKind::InvalidEid("ipn SSP has more than three numbers"),
        ))?;
        *slot = parse_decimal(part, at)?;
        count += 1;
        at += part.len() + 1;
    }
    match (count, numbers) {
        (2, [node, service, _]) => Ok(Eid::Ipn {
            allocator: 0,
            node,
            service,
        }),
        (3, [allocator, node, service]) => {
            let eid = Eid::Ipn {
                allocator,
                node,
                service,
            };
            eid.validate().map_err(|e| Error::new(base, e.kind))?;
            Ok(eid)
        }
        _ => Err(Error::new(
            base,
            ErrorKind::InvalidEid("ipn SSP needs node.service"),
        )),
    }
}

/// A `1*DIGIT` decimal number that fits a `u64` (`u64::from_str` alone would accept a `+`).
fn parse_decimal(digits: &str, at: usize) -> Result<u64, Error> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(
            at,
            ErrorKind::InvalidEid("ipn number is not 1*DIGIT"),
        ));
    }
    digits
        .parse()
        .map_err(|_| Error::new(at, ErrorKind::IntegerTooLarge))
}

/// RFC 9171 §4.2.5.1.1: `"//" node-name "/" demux`, node-name a non-empty RFC 3986 reg-name,
/// demux `*VCHAR`.
fn check_dtn_ssp(ssp: &str) -> Result<(), &'static str> {
    let hier = ssp
        .strip_prefix("//")
        .ok_or("dtn SSP does not start with \"//\"")?;
    let (node, demux) = hier
        .split_once('/')
        .ok_or("dtn SSP has no \"/\" after the node name")?;
    if node.is_empty() {
        return Err("dtn node name is empty");
    }
    check_reg_name(node)?;
    if demux.bytes().all(|b| (0x21..=0x7E).contains(&b)) {
        Ok(())
    } else {
        Err("dtn demux has a character outside VCHAR")
    }
}

/// RFC 3986 §3.2.2 `reg-name = *( unreserved / pct-encoded / sub-delims )`.
fn check_reg_name(name: &str) -> Result<(), &'static str> {
    let mut octets = name.bytes();
    while let Some(b) = octets.next() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {}
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => {}
            b'%' => {
                let hex = |o: Option<u8>| o.is_some_and(|h| h.is_ascii_hexdigit());
                if !(hex(octets.next()) && hex(octets.next())) {
                    return Err("dtn node name has a bad percent-encoding");
                }
            }
            _ => return Err("dtn node name has a character outside RFC 3986 reg-name"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{string::ToString, vec::Vec};

    #[test]
    fn ipn_two_element_bytes() {
        // ipn:2.1 from bpv7_generated_vectors.json "bpv7-minimal-crc16" (destination).
        let eid = Eid::Ipn {
            allocator: 0,
            node: 2,
            service: 1,
        };
        let mut out = Vec::new();
        eid.encode(&mut out);
        assert_eq!(out, [0x82, 0x02, 0x82, 0x02, 0x01]);
        assert_eq!(eid.encoded_len(), out.len());
        assert_eq!(eid.to_string(), "ipn:2.1");
    }

    #[test]
    fn node_ids() {
        assert!(Eid::parse_uri("ipn:5.0").unwrap().is_node_id());
        assert!(!Eid::parse_uri("ipn:0.0").unwrap().is_node_id());
        assert!(!Eid::parse_uri("ipn:5.1").unwrap().is_node_id());
        assert!(Eid::parse_uri("dtn://node1/").unwrap().is_node_id());
        assert!(!Eid::parse_uri("dtn://node1/inbox").unwrap().is_node_id());
        assert!(!Eid::Null.is_node_id());
    }
}
