//! The Abstract Security Block (RFC 9172 §3.6): the block-type-specific data shared by BIBs
//! and BCBs.
//!
//! On the wire it is a CBOR *sequence* (not an array) of five or six items:
//!
//! | item | CBOR | rule |
//! |---|---|---|
//! | security targets | array of uint block numbers | at least one, no duplicates (§3.6) |
//! | security context id | int | registry of RFC 9172 §11.3; RFC 9173 defines 1 and 2 |
//! | security context flags | uint | bit 0: parameters present; other bits reserved: written 0, ignored on receipt |
//! | security source | EID | RFC 9171 §4.2.5.1 |
//! | security context parameters | array of `[int id, value]` | only if flag bit 0 |
//! | security results | array, one entry per target, each an array of `[int id, value]` | same order as the targets (§3.6) |
//!
//! [`SecurityBlock`] is a zero-copy view validated once by [`SecurityBlock::decode`];
//! results (and the parameters of contexts other than RFC 9173's) are re-read lazily from the
//! validated bytes.

use core::ops::Range;

use bpv7::cbor::{self, Decoder};
use bpv7::eid::Eid;
use bytes::BufMut;

use crate::Error;
use crate::context::ParamFault;
use crate::context::bcb_aes_gcm::{self, BcbParameters, BcbParametersRead};
use crate::context::bib_hmac_sha2::{self, BibParameters};

/// Security context flag bit 0: the parameters item is present (RFC 9172 §3.6).
pub const FLAG_PARAMETERS_PRESENT: u64 = 0x01;

/// Most targets one security block may list: a target must be a block of the bundle, and a
/// bundle has at most [`bpv7::bundle::MAX_CANONICAL_BLOCKS`] canonical blocks plus the primary.
pub const MAX_TARGETS: usize = bpv7::bundle::MAX_CANONICAL_BLOCKS + 1;

/// A parameter or result value. RFC 9173 uses unsigned integers and byte strings; any other
/// item (another context's) is kept as its raw encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Value<'a> {
    /// An unsigned integer.
    Uint(u64),
    /// A definite-length byte string (content, without the head).
    Bytes(&'a [u8]),
    /// Any other single CBOR item, as encoded.
    Raw(&'a [u8]),
}

impl<'a> Value<'a> {
    /// Reads one item. Inlined, with every other item type read on a detached copy of the
    /// decoder, so that the decoder stays in registers while a security block is read.
    #[inline(always)]
    fn decode(dec: &mut Decoder<'a>, bytes: &'a [u8]) -> Result<Self, bpv7::Error> {
        // The major type is the first octet's top 3 bits (RFC 8949 §3).
        match dec.remaining().first().map(|first| first >> 5) {
            Some(cbor::MAJOR_UINT) => dec.uint().map(Value::Uint),
            Some(cbor::MAJOR_BYTES) => dec.bytes().map(Value::Bytes),
            _ => dec.detached(|dec| Self::decode_other(dec, bytes)),
        }
    }

    /// [`Self::decode`] of any other item (or of nothing: `peek_major` reports the end of
    /// input).
    #[cold]
    #[inline(never)]
    fn decode_other(dec: &mut Decoder<'a>, bytes: &'a [u8]) -> Result<Self, bpv7::Error> {
        dec.peek_major()?;
        let span = dec.skip()?;
        Ok(Value::Raw(bytes.get(span).unwrap_or_default()))
    }

    /// Writes the value (a `Raw` value verbatim: the caller vouches that it is one item).
    fn encode(&self, buf: &mut impl BufMut) {
        match self {
            Value::Uint(v) => cbor::write_uint(buf, *v),
            Value::Bytes(b) => cbor::write_bytes(buf, b),
            Value::Raw(raw) => buf.put_slice(raw),
        }
    }

    /// Octets [`Self::encode`] writes.
    fn encoded_len(&self) -> usize {
        match self {
            Value::Uint(v) => cbor::head_len(*v),
            Value::Bytes(b) => cbor::head_len(b.len() as u64) + b.len(),
            Value::Raw(raw) => raw.len(),
        }
    }
}

/// Reads a CBOR integer. Ids and context ids are small in every context: a one-octet
/// unsigned integer (RFC 8949 §3.3: major type 0, value below 24) is read on the decoder's
/// inline path, anything else by [`Decoder::int`] on a detached copy of the decoder.
#[inline(always)]
fn read_int(dec: &mut Decoder<'_>) -> Result<i64, bpv7::Error> {
    match dec.remaining().first() {
        Some(&first) if first < 24 => {
            dec.uint()?;
            Ok(i64::from(first))
        }
        _ => dec.detached(Decoder::int),
    }
}

/// One `[id, value]` pair of a parameter list or of one target's results.
pub type Item<'a> = (i64, Value<'a>);

/// Iterator over a validated `[[id, value], …]` array (parameters, or one target's results).
#[derive(Debug, Clone)]
pub struct Items<'a> {
    bytes: &'a [u8],
    dec: Decoder<'a>,
    left: u64,
}

impl<'a> Items<'a> {
    /// Over the validated array encoded at the start of `bytes` (head included; what follows
    /// the array is never read).
    fn new(bytes: &'a [u8]) -> Self {
        let mut dec = Decoder::new(bytes);
        let left = dec.array_definite().unwrap_or(0);
        Self { bytes, dec, left }
    }

    /// An empty list (no parameters).
    const fn empty() -> Self {
        Self {
            bytes: &[],
            dec: Decoder::new(&[]),
            left: 0,
        }
    }

    /// Reads one `[id, value]` pair (inlined: see [`Value::decode`]).
    #[inline(always)]
    fn read(dec: &mut Decoder<'a>, bytes: &'a [u8]) -> Result<Item<'a>, bpv7::Error> {
        let start = dec.position();
        if dec.array_definite()? != 2 {
            let kind = bpv7::ErrorKind::ArrayLength {
                expected: "security parameter or result: [id, value]",
                found: 0,
            };
            return Err(bpv7::Error::new(start, kind));
        }
        Ok((read_int(dec)?, Value::decode(dec, bytes)?))
    }

    /// The value of the first pair with `id`.
    pub fn get(mut self, id: i64) -> Option<Value<'a>> {
        self.find(|(i, _)| *i == id).map(|(_, v)| v)
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Items::read(&mut self.dec, self.bytes).ok()
    }
}

/// A validated abstract security block borrowed from a BIB's or BCB's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityBlock<'a> {
    bytes: &'a [u8],
    /// The first target, kept decoded (most operations have only that one).
    first_target: u64,
    /// The encoded targets after the first.
    more_targets: Range<usize>,
    target_count: usize,
    /// Security context id (RFC 9172 §3.6; RFC 9173: 1 BIB-HMAC-SHA2, 2 BCB-AES-GCM).
    pub context_id: i64,
    /// Security context flags (bit 0: parameters present).
    pub context_flags: u64,
    /// Security source: the node that added the operation.
    pub source: Eid<'a>,
    parameters: Option<Range<usize>>,
    results: Range<usize>,
    /// The parameters of an RFC 9173 context, read as they were validated.
    known: KnownParameters<'a>,
}

/// The parameters of a context this crate implements (RFC 9173 §3.3, §4.3), read during
/// [`SecurityBlock::decode`]'s validation pass so that the acceptor does not read them again;
/// a fault is kept, not raised, until the acceptor asks (it reports the RFC 9172 rules and its
/// policy first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KnownParameters<'a> {
    /// Another context: its parameters are only validated as `[id, value]` pairs.
    Other,
    Bib(Result<BibParameters<'a>, ParamFault>),
    Bcb(Result<BcbParametersRead<'a>, ParamFault>),
}

impl<'a> KnownParameters<'a> {
    const fn new(context_id: i64) -> Self {
        match context_id {
            bib_hmac_sha2::CONTEXT_ID => Self::Bib(Ok(BibParameters {
                sha_variant: None,
                wrapped_key: None,
                scope: None,
            })),
            bcb_aes_gcm::CONTEXT_ID => Self::Bcb(Ok(BcbParametersRead::EMPTY)),
            _ => Self::Other,
        }
    }

    /// Takes one validated parameter; after a fault the rest are not read (as by `decode`).
    #[inline]
    fn add(&mut self, item: Item<'a>) {
        match self {
            Self::Other => {}
            Self::Bib(read) => {
                if let Ok(p) = read
                    && let Err(fault) = p.add(item)
                {
                    *read = Err(fault);
                }
            }
            Self::Bcb(read) => {
                if let Ok(p) = read
                    && let Err(fault) = p.add(item)
                {
                    *read = Err(fault);
                }
            }
        }
    }
}

impl<'a> SecurityBlock<'a> {
    /// Decodes and validates the ASB in `bytes` (a BIB's or BCB's block-type-specific data)
    /// of security block number `block`. Checks the §3.6 rules: at least one target and no
    /// duplicates, parameters present iff flagged (reserved flag bits ignored), every parameter
    /// and result a `[int, item]` pair, exactly one result set per target, nothing after.
    pub fn decode(bytes: &'a [u8], block: u64) -> Result<Self, Error> {
        let malformed = |offset: usize, reason: &'static str| Error::MalformedAsb {
            block,
            offset,
            reason,
        };
        let wrap = |e: bpv7::Error| malformed(e.offset, "not the RFC 9172 §3.6 CBOR sequence");
        let mut dec = Decoder::new(bytes);

        let targets_start = dec.position();
        let count = dec.array_definite().map_err(wrap)?;
        if count == 0 {
            return Err(malformed(targets_start, "no security target (§3.6)"));
        }
        let target_count = usize::try_from(count)
            .ok()
            .filter(|&n| n <= MAX_TARGETS)
            .ok_or_else(|| malformed(targets_start, "more targets than a bundle has blocks"))?;
        let list_start = dec.position();
        let mut first_target = 0;
        let mut more_start = list_start;
        for i in 0..target_count {
            let at = dec.position();
            let target = dec.uint().map_err(wrap)?;
            let mut earlier = Decoder::new(bytes.get(list_start..at).unwrap_or_default());
            for _ in 0..i {
                if earlier.uint().ok() == Some(target) {
                    return Err(malformed(at, "duplicate security target (§3.6)"));
                }
            }
            if i == 0 {
                first_target = target;
                more_start = dec.position();
            }
        }
        let more_targets = more_start..dec.position();

        let context_id = read_int(&mut dec).map_err(wrap)?;
        // Reserved flag bits are written as 0 and ignored on receipt (RFC 9172 §3.6).
        let context_flags = dec.uint().map_err(wrap)?;
        // `Eid::decode` validates the EID (RFC 9171 §4.2.5.1).
        let source = Eid::decode(&mut dec).map_err(wrap)?;

        let mut known = KnownParameters::new(context_id);
        let parameters = if context_flags & FLAG_PARAMETERS_PRESENT != 0 {
            let item = |item| known.add(item);
            Some(Self::item_list(&mut dec, bytes, item).map_err(wrap)?)
        } else {
            None
        };

        let results_start = dec.position();
        let sets = dec.array_definite().map_err(wrap)?;
        if sets != count {
            return Err(malformed(
                results_start,
                "security results do not match the targets one to one (§3.6)",
            ));
        }
        for _ in 0..sets {
            Self::item_list(&mut dec, bytes, |_| {}).map_err(wrap)?;
        }
        let results = results_start..dec.position();
        if !dec.is_empty() {
            return Err(malformed(
                dec.position(),
                "octets after the security results",
            ));
        }
        Ok(Self {
            bytes,
            first_target,
            more_targets,
            target_count,
            context_id,
            context_flags,
            source,
            parameters,
            results,
            known,
        })
    }

    /// Validates one `[[id, value], …]` array, handing each pair to `item`, and returns its
    /// span.
    #[inline(always)]
    fn item_list(
        dec: &mut Decoder<'a>,
        bytes: &'a [u8],
        mut item: impl FnMut(Item<'a>),
    ) -> Result<Range<usize>, bpv7::Error> {
        let start = dec.position();
        let n = dec.array_definite()?;
        for _ in 0..n {
            item(Items::read(dec, bytes)?);
        }
        Ok(start..dec.position())
    }

    /// [`BibParameters::decode`] of [`Self::parameters`], without reading them again for a
    /// BIB-HMAC-SHA2 block (they were read when the ASB was decoded).
    #[inline]
    pub(crate) fn bib_parameters(&self) -> Result<BibParameters<'a>, Error> {
        match self.known {
            KnownParameters::Bib(read) => read.map_err(bib_hmac_sha2::parameter_error),
            _ => BibParameters::decode(self.parameters()),
        }
    }

    /// [`BcbParameters::decode`] of [`Self::parameters`], without reading them again for a
    /// BCB-AES-GCM block (they were read when the ASB was decoded).
    #[inline]
    pub(crate) fn bcb_parameters(&self) -> Result<BcbParameters<'a>, Error> {
        match self.known {
            KnownParameters::Bcb(read) => read
                .and_then(BcbParametersRead::finish)
                .map_err(bcb_aes_gcm::parameter_error),
            _ => BcbParameters::decode(self.parameters()),
        }
    }

    /// The security targets, in ASB order.
    pub fn targets(&self) -> impl Iterator<Item = u64> + '_ {
        let mut dec = Decoder::new(
            self.bytes
                .get(self.more_targets.clone())
                .unwrap_or_default(),
        );
        let more = (1..self.target_count).map_while(move |_| dec.uint().ok());
        core::iter::once(self.first_target).chain(more)
    }

    /// Number of security targets.
    pub const fn target_count(&self) -> usize {
        self.target_count
    }

    /// Whether `block` is one of the targets. Inlined: the rules, the policy and the acceptor
    /// ask it several times per operation, and most operations have a single target.
    #[inline]
    pub fn has_target(&self, block: u64) -> bool {
        self.first_target == block || (self.target_count > 1 && self.has_later_target(block))
    }

    /// [`Self::has_target`] past the first target.
    fn has_later_target(&self, block: u64) -> bool {
        self.targets().skip(1).any(|t| t == block)
    }

    /// The security context parameters (empty when the flag is clear).
    pub fn parameters(&self) -> Items<'a> {
        match &self.parameters {
            Some(span) => Items::new(self.bytes.get(span.clone()).unwrap_or_default()),
            None => Items::empty(),
        }
    }

    /// The security results, one [`Items`] per target in target order.
    #[inline]
    pub fn results(&self) -> Results<'a> {
        let bytes = self.bytes.get(self.results.clone()).unwrap_or_default();
        let mut dec = Decoder::new(bytes);
        let left = dec.array_definite().unwrap_or(0);
        Results {
            bytes,
            dec,
            left,
            started: false,
        }
    }

    /// The results of the `index`-th target.
    pub fn results_of(&self, index: usize) -> Option<Items<'a>> {
        self.results().nth(index)
    }
}

/// The result sets of a [`SecurityBlock`] ([`SecurityBlock::results`]). Each set is read in
/// place (an [`Items`] reads only its own pairs) and stepped over only when the next one is
/// asked for: looking up the first target's results reads nothing else. A named type with an
/// inlined `next`, so that each [`Items`] is built where it is used (returned by value from
/// an out-of-line closure, it was read back wider than it was stored: a store-forwarding
/// stall per target).
#[derive(Debug, Clone)]
pub struct Results<'a> {
    bytes: &'a [u8],
    dec: Decoder<'a>,
    left: u64,
    started: bool,
}

impl<'a> Iterator for Results<'a> {
    type Item = Items<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<Items<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        if self.started && !self.step_over() {
            self.left = 0;
            return None;
        }
        self.started = true;
        Some(Items::new(self.bytes.get(self.dec.position()..)?))
    }
}

impl Results<'_> {
    /// Steps over the current set; `false` if it does not read (never, once validated).
    fn step_over(&mut self) -> bool {
        SecurityBlock::item_list(&mut self.dec, self.bytes, |_| {}).is_ok()
    }
}

/// The fields of an abstract security block to encode, results excepted: security
/// operations write the results themselves, after computing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsbHeader<'r> {
    /// Security targets in order (at least one, distinct).
    pub targets: &'r [u64],
    /// Security context id.
    pub context_id: i64,
    /// Security source.
    pub source: Eid<'r>,
    /// Parameters, written in this order; the "parameters present" flag is set iff non-empty.
    pub parameters: &'r [Item<'r>],
}

impl AsbHeader<'_> {
    /// Writes targets, context id, flags, source and parameters (deterministic CBOR); the
    /// caller then writes the results with [`write_results_head`] and [`write_result`].
    pub fn encode(&self, buf: &mut impl BufMut) {
        cbor::write_array_head(buf, self.targets.len() as u64);
        for &t in self.targets {
            cbor::write_uint(buf, t);
        }
        cbor::write_int(buf, self.context_id);
        cbor::write_uint(buf, self.flags());
        self.source.encode(buf);
        if !self.parameters.is_empty() {
            cbor::write_array_head(buf, self.parameters.len() as u64);
            for item in self.parameters {
                write_item(buf, item);
            }
        }
    }

    /// Octets [`Self::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        let targets: usize = self.targets.iter().map(|&t| cbor::head_len(t)).sum();
        let params: usize = self.parameters.iter().map(item_len).sum();
        cbor::head_len(self.targets.len() as u64)
            + targets
            + cbor::int_len(self.context_id)
            + cbor::head_len(self.flags())
            + self.source.encoded_len()
            + if self.parameters.is_empty() {
                0
            } else {
                cbor::head_len(self.parameters.len() as u64) + params
            }
    }

    const fn flags(&self) -> u64 {
        if self.parameters.is_empty() {
            0
        } else {
            FLAG_PARAMETERS_PRESENT
        }
    }
}

/// Writes the head of the results array (one entry per target).
pub fn write_results_head(buf: &mut impl BufMut, targets: usize) {
    cbor::write_array_head(buf, targets as u64);
}

/// Writes one target's results: `[[id, value], …]`.
pub fn write_result(buf: &mut impl BufMut, items: &[Item<'_>]) {
    cbor::write_array_head(buf, items.len() as u64);
    for item in items {
        write_item(buf, item);
    }
}

/// Octets [`write_result`] writes.
pub fn result_len(items: &[Item<'_>]) -> usize {
    cbor::head_len(items.len() as u64) + items.iter().map(item_len).sum::<usize>()
}

fn write_item(buf: &mut impl BufMut, (id, value): &Item<'_>) {
    cbor::write_array_head(buf, 2);
    cbor::write_int(buf, *id);
    value.encode(buf);
}

fn item_len((id, value): &Item<'_>) -> usize {
    1 + cbor::int_len(*id) + value.encoded_len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// A parameter of a context's id range (valid or not) with a uint or byte-string value.
    fn item() -> impl Strategy<Value = (i64, Result<u64, Vec<u8>>)> {
        (
            -2i64..7,
            prop_oneof![
                (0u64..10).prop_map(Ok),
                proptest::collection::vec(any::<u8>(), 0..20).prop_map(Err),
            ],
        )
    }

    proptest! {
        /// The parameters read during the ASB decode are exactly what the contexts' own
        /// decoders read from the validated parameters: same values, same first error.
        #[test]
        fn one_pass_parameters_match_decode(
            context_id in 0i64..4,
            items in proptest::collection::vec(item(), 0..6),
        ) {
            let items: Vec<Item<'_>> = items
                .iter()
                .map(|(id, v)| match v {
                    Ok(u) => (*id, Value::Uint(*u)),
                    Err(b) => (*id, Value::Bytes(b)),
                })
                .collect();
            let header = AsbHeader {
                targets: &[1],
                context_id,
                source: Eid::Ipn { allocator: 0, node: 1, service: 0 },
                parameters: &items,
            };
            let mut buf = Vec::new();
            header.encode(&mut buf);
            write_results_head(&mut buf, 1);
            write_result(&mut buf, &[]);
            let asb = SecurityBlock::decode(&buf, 2).unwrap();
            prop_assert_eq!(asb.bcb_parameters(), BcbParameters::decode(asb.parameters()));
            prop_assert_eq!(asb.bib_parameters(), BibParameters::decode(asb.parameters()));
        }
    }
}
