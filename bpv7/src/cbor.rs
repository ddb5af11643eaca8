//! The subset of CBOR (RFC 8949) that RFC 9171 bundles use: a zero-copy, never-panicking
//! decoder and a deterministic encoder.
//!
//! # Parse policy (RFC 9171 §4.1, RFC 8949 §4.2.1)
//!
//! RFC 9171 §4.1 asks senders for RFC 8949 §4.2.1 core deterministic encoding ("except that
//! indefinite-length items are not prohibited") and lets a receiver accept non-conformant
//! encodings and transform them into conformant ones. Our policy:
//!
//! * **Emit**: always deterministic — shortest-form heads (RFC 8949 §4.2.1), definite lengths,
//!   except the bundle's own indefinite array that §4.1 requires ([`write_indefinite_array`]).
//! * **Parse**, [`Decoder::new`]: *lenient* about head length: a head whose argument could have
//!   been shorter (e.g. `0x18 0x05` for 5) is accepted. CRCs (§4.2.1) and BPSec targets are
//!   computed over the received bytes, which the decoder reports as spans, so accepting
//!   non-shortest heads never changes what is checked. [`Decoder::strict`] instead rejects
//!   them with [`ErrorKind::NotShortestForm`], for callers that must prove a canonical input.
//! * Indefinite-length *strings* are rejected by [`Decoder::bytes`] / [`Decoder::text`] with
//!   [`ErrorKind::IndefiniteLength`]: they cannot be borrowed as one slice, and RFC 9171 §4.3.2
//!   demands a definite byte string for block data. Indefinite *arrays* are read by
//!   [`Decoder::array`] (the bundle itself is one, §4.1). [`Decoder::skip`] accepts every
//!   well-formed item (RFC 8949 §3), including indefinite strings, arrays and maps.
//! * Additional information 28..=30 is reserved (RFC 8949 §3) and always rejected; so is a
//!   one-octet simple value below 32 (RFC 8949 §3.3, not well-formed).
//!
//! Every error carries the byte offset (from the start of the slice given to the decoder) of
//! the item that failed; a failed read leaves the decoder's position unchanged.

use core::ops::Range;

use bytes::BufMut;

use crate::{Error, ErrorKind};

/// Major type 0: unsigned integer (RFC 8949 §3.1).
pub const MAJOR_UINT: u8 = 0;
/// Major type 1: negative integer.
pub const MAJOR_NINT: u8 = 1;
/// Major type 2: byte string.
pub const MAJOR_BYTES: u8 = 2;
/// Major type 3: UTF-8 text string.
pub const MAJOR_TEXT: u8 = 3;
/// Major type 4: array.
pub const MAJOR_ARRAY: u8 = 4;
/// Major type 5: map.
pub const MAJOR_MAP: u8 = 5;
/// Major type 6: tag.
pub const MAJOR_TAG: u8 = 6;
/// Major type 7: simple values, floats and the break stop code.
pub const MAJOR_SIMPLE: u8 = 7;

/// The "break" stop code that ends an indefinite-length item (RFC 8949 §3.2.1).
pub const BREAK: u8 = 0xFF;
/// Maximum number of containers (arrays, maps, tags) that may enclose an item [`Decoder::skip`]
/// visits; bounds recursion on hostile input.
pub const MAX_DEPTH: usize = 16;

/// Value reported as `found` in [`ErrorKind::UnexpectedType`] when the item is a break.
const FOUND_BREAK: u8 = 0xFF;
/// Additional information 31: indefinite length / break (RFC 8949 §3.2).
const AI_INDEFINITE: u8 = 31;
/// The head of an indefinite-length array (RFC 8949 §3.2.2).
const INDEFINITE_ARRAY: u8 = (MAJOR_ARRAY << 5) | AI_INDEFINITE;
/// `false` and `true` (RFC 8949 §3.3).
const FALSE: u8 = 0xF4;
const TRUE: u8 = 0xF5;

/// One decoded initial byte plus argument (RFC 8949 §3).
#[derive(Debug, Clone, Copy)]
struct Head {
    major: u8,
    /// Additional information (low 5 bits of the initial byte).
    info: u8,
    /// The argument; `None` for additional information 31 (indefinite length, or break).
    arg: Option<u64>,
    /// Octets of the head (1, 2, 3, 5 or 9).
    len: usize,
}

/// A zero-copy CBOR decoder over a byte slice. Reads never copy content (byte and text
/// strings are borrowed from the input) and never allocate.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    strict: bool,
}

impl<'a> Decoder<'a> {
    /// A decoder at the start of `bytes` that accepts non-shortest heads (module docs).
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            strict: false,
        }
    }

    /// A decoder that rejects heads not in shortest form (RFC 8949 §4.2.1) with
    /// [`ErrorKind::NotShortestForm`].
    pub const fn strict(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            strict: true,
        }
    }

    /// Offset of the next item in the original slice.
    #[inline]
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// A lenient decoder over `bytes` positioned at `pos` (clamped to the end): for re-reading
    /// a validated structure from an offset the parser recorded.
    pub(crate) fn at(bytes: &'a [u8], pos: usize) -> Self {
        Self {
            bytes,
            pos: if pos < bytes.len() { pos } else { bytes.len() },
            strict: false,
        }
    }

    /// Consumes `prefix` if the remaining bytes start with it; whether they did. For fast
    /// paths that recognise a fixed encoding (e.g. an EID's heads) in one comparison.
    #[inline(always)]
    pub(crate) fn skip_prefix(&mut self, prefix: &[u8]) -> bool {
        let found = self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(prefix));
        if found {
            // Within the input: `prefix` was found there.
            self.pos += prefix.len();
        }
        found
    }

    /// Reads the next `N` octets through `read` and consumes them if it returns `Some`: for
    /// fast paths that recognise a fixed-size encoding (e.g. a CRC field) in one step.
    #[inline(always)]
    pub(crate) fn read_fixed<const N: usize, T>(
        &mut self,
        read: impl FnOnce(&[u8; N]) -> Option<T>,
    ) -> Option<T> {
        let value = read(self.bytes.get(self.pos..)?.first_chunk::<N>()?)?;
        // Within the input: the N octets were there.
        self.pos += N;
        Some(value)
    }

    /// The octet at the current position, if any.
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The bytes not yet consumed.
    #[inline(always)]
    pub fn remaining(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Whether every byte has been consumed.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Major type (0..=7) of the next item; 7 for simple values, floats and the break.
    pub fn peek_major(&self) -> Result<u8, Error> {
        Ok(self.first()? >> 5)
    }

    /// Whether the next octet is the break stop code `0xFF`.
    #[inline(always)]
    pub fn is_break(&self) -> bool {
        self.peek() == Some(BREAK)
    }

    /// An unsigned integer (major type 0).
    #[inline(always)]
    pub fn uint(&mut self) -> Result<u64, Error> {
        match self.definite_head(MAJOR_UINT) {
            Some((value, len)) => {
                self.pos += len;
                Ok(value)
            }
            None => self.detached(Self::uint_slow),
        }
    }

    /// Runs `slow` (a cold path: errors, rare forms) on a copy of the decoder and takes its
    /// position on success. The copy keeps `self` from escaping into an out-of-line call, so
    /// that a decoder used only through the inlined fast paths stays in registers: this is
    /// what makes a whole-bundle parse cheap. Public for readers built on this decoder in
    /// other crates (e.g. BPSec's security blocks), which have the same need.
    #[inline(always)]
    pub fn detached<T>(
        &mut self,
        slow: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut probe = self.clone();
        let value = slow(&mut probe)?;
        self.pos = probe.pos;
        Ok(value)
    }

    /// The fast path of the typed readers: `(argument, head length)` of a definite head of
    /// major type `major` at the current position, all of it present, in shortest form if the
    /// decoder is strict. `None` for anything else — the caller's slow path then produces the
    /// precise error (or, for a non-shortest head in strict mode, [`ErrorKind::NotShortestForm`]).
    #[inline(always)]
    fn definite_head(&self, major: u8) -> Option<(u64, usize)> {
        let first = self.peek()?;
        if first >> 5 != major {
            return None;
        }
        let info = first & 0x1F;
        if info < 24 {
            return Some((u64::from(info), 1));
        }
        let rest = self.bytes.get(self.pos + 1..)?;
        let (value, len) = match info {
            24 => (u64::from(*rest.first()?), 2),
            25 => (u64::from(u16::from_be_bytes(*rest.first_chunk()?)), 3),
            26 => (u64::from(u32::from_be_bytes(*rest.first_chunk()?)), 5),
            27 => (u64::from_be_bytes(*rest.first_chunk()?), 9),
            _ => return None,
        };
        if self.strict && head_len(value) != len {
            return None;
        }
        Some((value, len))
    }

    /// [`Self::uint`] when [`Self::definite_head`] declines: every error.
    #[cold]
    #[inline(never)]
    fn uint_slow(&mut self) -> Result<u64, Error> {
        let (start, head) = self.typed_head(MAJOR_UINT, "unsigned integer")?;
        let value = head
            .arg
            .ok_or(Error::new(start, ErrorKind::IndefiniteLength))?;
        self.pos = start + head.len;
        Ok(value)
    }

    /// A signed integer (major type 0 or 1) that fits an `i64`, as RFC 9172 §3.6 security
    /// context ids and parameter/result ids are ([`ErrorKind::IntegerTooLarge`] otherwise).
    pub fn int(&mut self) -> Result<i64, Error> {
        let start = self.pos;
        let too_large = Error::new(start, ErrorKind::IntegerTooLarge);
        if self.peek_major()? == MAJOR_NINT {
            let (start, head) = self.typed_head(MAJOR_NINT, "integer")?;
            let arg = head
                .arg
                .ok_or(Error::new(start, ErrorKind::IndefiniteLength))?;
            self.pos = start + head.len;
            // -1 - arg, which fits only when arg <= i64::MAX.
            return i64::try_from(arg).map(|n| -1 - n).map_err(|_| too_large);
        }
        let value = self.uint()?;
        i64::try_from(value).map_err(|_| too_large)
    }

    /// A definite-length byte string (major type 2), borrowed from the input.
    #[inline(always)]
    pub fn bytes(&mut self) -> Result<&'a [u8], Error> {
        self.bytes_with_head().map(|(_, content)| content)
    }

    /// A definite-length byte string, with the span of the whole item (head and content) in
    /// the original slice — what RFC 9171 §4.2.1 CRCs and RFC 9172 targets are computed over.
    #[inline(always)]
    pub fn bytes_with_head(&mut self) -> Result<(Range<usize>, &'a [u8]), Error> {
        // Fast path: a definite head whose content is all there.
        let start = self.pos;
        if let Some((len, head_len)) = self.definite_head(MAJOR_BYTES)
            && let Some(content) = usize::try_from(len)
                .ok()
                .and_then(|len| self.bytes.get(start + head_len..)?.get(..len))
        {
            let end = start + head_len + content.len();
            self.pos = end;
            return Ok((start..end, content));
        }
        self.detached(Self::bytes_slow)
    }

    /// [`Self::bytes_with_head`] when the fast path declines: every error.
    #[cold]
    #[inline(never)]
    fn bytes_slow(&mut self) -> Result<(Range<usize>, &'a [u8]), Error> {
        self.string(MAJOR_BYTES, "byte string")
    }

    /// A definite-length text string (major type 3), UTF-8 checked, borrowed from the input.
    pub fn text(&mut self) -> Result<&'a str, Error> {
        let start = self.pos;
        let mut probe = self.clone();
        let (_, content) = probe.string(MAJOR_TEXT, "text string")?;
        // RFC 8949 §3.1: major type 3 is UTF-8; invalid UTF-8 is invalid CBOR (§5.3.1).
        let text =
            core::str::from_utf8(content).map_err(|_| Error::new(start, ErrorKind::InvalidUtf8))?;
        self.pos = probe.pos;
        Ok(text)
    }

    /// An array head (major type 4): `Some(n)` for a definite array of `n` items, `None` for an
    /// indefinite one (`0x9F`), whose items end at a break ([`Self::expect_break`]).
    #[inline(always)]
    pub fn array(&mut self) -> Result<Option<u64>, Error> {
        if self.peek() == Some(INDEFINITE_ARRAY) {
            self.pos += 1;
            return Ok(None);
        }
        if let Some((items, len)) = self.definite_head(MAJOR_ARRAY) {
            self.pos += len;
            return Ok(Some(items));
        }
        self.detached(Self::array_slow)
    }

    /// [`Self::array`] when the fast paths decline: every error.
    #[cold]
    #[inline(never)]
    fn array_slow(&mut self) -> Result<Option<u64>, Error> {
        let (start, head) = self.typed_head(MAJOR_ARRAY, "array")?;
        self.pos = start + head.len;
        Ok(head.arg)
    }

    /// A definite-length array head; an indefinite one is [`ErrorKind::IndefiniteLength`].
    #[inline(always)]
    pub fn array_definite(&mut self) -> Result<u64, Error> {
        if let Some((items, len)) = self.definite_head(MAJOR_ARRAY) {
            self.pos += len;
            return Ok(items);
        }
        self.detached(Self::array_definite_slow)
    }

    /// [`Self::array_definite`] when [`Self::definite_head`] declines: every error.
    #[cold]
    #[inline(never)]
    fn array_definite_slow(&mut self) -> Result<u64, Error> {
        let (start, head) = self.typed_head(MAJOR_ARRAY, "definite-length array")?;
        let len = head
            .arg
            .ok_or(Error::new(start, ErrorKind::IndefiniteLength))?;
        self.pos = start + head.len;
        Ok(len)
    }

    /// The break stop code `0xFF` that ends an indefinite-length array.
    #[inline(always)]
    pub fn expect_break(&mut self) -> Result<(), Error> {
        if self.is_break() {
            self.pos += 1;
            Ok(())
        } else {
            self.detached(|dec| Err(dec.unexpected("break")))
        }
    }

    /// A boolean: simple value `false` (`0xF4`) or `true` (`0xF5`).
    pub fn bool(&mut self) -> Result<bool, Error> {
        let value = match self.first()? {
            FALSE => false,
            TRUE => true,
            _ => return Err(self.unexpected("bool")),
        };
        self.pos += 1;
        Ok(value)
    }

    /// The error for a next item of the wrong type: [`ErrorKind::UnexpectedType`] naming what
    /// was `expected` and the major type found (`0xFF` for a break), at the item's offset;
    /// `Truncated` at the end of input. For callers that dispatch on [`Self::peek_major`].
    pub fn unexpected(&self, expected: &'static str) -> Error {
        match self.remaining().first() {
            Some(&byte) => {
                let found = if byte == BREAK {
                    FOUND_BREAK
                } else {
                    byte >> 5
                };
                Error::new(self.pos, ErrorKind::UnexpectedType { expected, found })
            }
            None => self.end_of_input(),
        }
    }

    /// Skips one complete, well-formed data item (any major type, RFC 8949 §3) and returns its
    /// span in the original slice. At most [`MAX_DEPTH`] containers may nest
    /// ([`ErrorKind::TooDeep`]).
    pub fn skip(&mut self) -> Result<Range<usize>, Error> {
        let start = self.pos;
        let mut probe = self.clone();
        probe.skip_item(0)?;
        self.pos = probe.pos;
        Ok(start..self.pos)
    }

    /// The next octet, or `Truncated` at the end of input.
    #[inline]
    fn first(&self) -> Result<u8, Error> {
        self.remaining().first().copied().ok_or(self.end_of_input())
    }

    /// `Truncated` for an item expected at the current position, past the end of input.
    fn end_of_input(&self) -> Error {
        let kind = ErrorKind::Truncated {
            needed: 1,
            available: 0,
        };
        Error::new(self.pos, kind)
    }

    /// Decodes the head at the current position without consuming it (RFC 8949 §3).
    fn head(&self) -> Result<Head, Error> {
        let rest = self.remaining();
        let first = self.first()?;
        let (major, info) = (first >> 5, first & 0x1F);
        let err = |kind| Error::new(self.pos, kind);
        let (arg, len) = match info {
            0..=23 => (Some(u64::from(info)), 1),
            24..=27 => {
                let n = 1usize << (info - 24);
                let truncated = ErrorKind::Truncated {
                    needed: 1 + n,
                    available: rest.len(),
                };
                let arg = rest.get(1..1 + n).ok_or(err(truncated))?;
                let value = arg.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
                // Major 7 with 25..=27 are floats, whose shortest form is a different rule.
                if self.strict && major != MAJOR_SIMPLE && head_len(value) != 1 + n {
                    return Err(err(ErrorKind::NotShortestForm));
                }
                (Some(value), 1 + n)
            }
            28..=30 => return Err(err(ErrorKind::ReservedAdditionalInfo(info))),
            _ => (None, 1),
        };
        Ok(Head {
            major,
            info,
            arg,
            len,
        })
    }

    /// The head of an item that must have major type `major`; checks the type before anything
    /// else so that a wrong item is reported as such even when truncated.
    fn typed_head(&self, major: u8, expected: &'static str) -> Result<(usize, Head), Error> {
        if self.first()? >> 5 != major {
            return Err(self.unexpected(expected));
        }
        Ok((self.pos, self.head()?))
    }

    /// A definite-length string of major type 2 or 3: (span of the item, content).
    fn string(
        &mut self,
        major: u8,
        expected: &'static str,
    ) -> Result<(Range<usize>, &'a [u8]), Error> {
        let (start, head) = self.typed_head(major, expected)?;
        let len = head
            .arg
            .ok_or(Error::new(start, ErrorKind::IndefiniteLength))?;
        let content = self.content(start, head.len, len)?;
        let end = start + head.len + content.len();
        self.pos = end;
        Ok((start..end, content))
    }

    /// The `len` content octets after a head of `head_len` octets at `start`; `Truncated` (not an
    /// overflow) for any length beyond the input, up to 2^64 - 1.
    fn content(&self, start: usize, head_len: usize, len: u64) -> Result<&'a [u8], Error> {
        let rest = self.bytes.get(start..).unwrap_or_default();
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        rest.get(head_len..)
            .and_then(|body| body.get(..len))
            .ok_or(Error::new(
                start,
                ErrorKind::Truncated {
                    needed: head_len.saturating_add(len),
                    available: rest.len(),
                },
            ))
    }

    /// Skips one item nested inside `depth` containers.
    fn skip_item(&mut self, depth: usize) -> Result<(), Error> {
        let start = self.pos;
        let head = self.head()?;
        let err = |kind| Error::new(start, kind);
        let enter = || {
            if depth >= MAX_DEPTH {
                Err(err(ErrorKind::TooDeep))
            } else {
                Ok(depth + 1)
            }
        };
        self.pos += head.len;
        match (head.major, head.arg) {
            (MAJOR_UINT | MAJOR_NINT, Some(_)) => {}
            (MAJOR_BYTES | MAJOR_TEXT, Some(len)) => {
                self.pos += self.content(start, head.len, len)?.len();
            }
            (MAJOR_BYTES | MAJOR_TEXT, None) => {
                // RFC 8949 §3.2.3: chunks are definite strings of the same major type.
                while !self.is_break() {
                    let chunk = self.pos;
                    let (_, chunk_head) = self.typed_head(head.major, "definite string chunk")?;
                    let len = chunk_head
                        .arg
                        .ok_or(Error::new(chunk, ErrorKind::IndefiniteLength))?;
                    self.pos += chunk_head.len + self.content(chunk, chunk_head.len, len)?.len();
                }
                self.expect_break()?;
            }
            // Each item consumes at least one octet, so these loops end within the input even for
            // a claimed length of 2^64 - 1.
            (MAJOR_ARRAY, Some(n)) => {
                let inner = enter()?;
                for _ in 0..n {
                    self.skip_item(inner)?;
                }
            }
            (MAJOR_MAP, Some(n)) => {
                let inner = enter()?;
                for _ in 0..n {
                    self.skip_item(inner)?;
                    self.skip_item(inner)?;
                }
            }
            (MAJOR_ARRAY | MAJOR_MAP, None) => {
                let inner = enter()?;
                while !self.is_break() {
                    self.skip_item(inner)?;
                    if head.major == MAJOR_MAP {
                        self.skip_item(inner)?;
                    }
                }
                self.expect_break()?;
            }
            (MAJOR_TAG, Some(_)) => self.skip_item(enter()?)?,
            // RFC 8949 §3.3: a one-octet simple value below 32 is not well-formed.
            (MAJOR_SIMPLE, Some(value)) if head.info == 24 && value < 32 => {
                return Err(err(ErrorKind::NotShortestForm));
            }
            (MAJOR_SIMPLE, Some(_)) => {}
            (MAJOR_SIMPLE, None) => {
                return Err(err(ErrorKind::UnexpectedType {
                    expected: "data item",
                    found: FOUND_BREAK,
                }));
            }
            // Additional information 31 with major types 0, 1 and 6 (RFC 8949 §3.2.4).
            _ => return Err(err(ErrorKind::IndefiniteLength)),
        }
        Ok(())
    }
}

/// Encoded length of a head whose argument is `value`, in shortest form (RFC 8949 §4.2.1):
/// 1, 2, 3, 5 or 9 octets. Use it to size buffers: an item's size is `head_len(len) + len`.
pub const fn head_len(value: u64) -> usize {
    if value < 24 {
        1
    } else if value <= 0xFF {
        2
    } else if value <= 0xFFFF {
        3
    } else if value <= 0xFFFF_FFFF {
        5
    } else {
        9
    }
}

/// Writes a head of major type `major` with argument `value` in shortest form
/// (RFC 8949 §4.2.1 "preferred serialization" of integers and lengths).
#[inline(always)]
fn write_head(buf: &mut impl BufMut, major: u8, value: u64) {
    let major = major << 5;
    // Each branch narrows a value already bounded by `head_len`.
    match head_len(value) {
        1 => buf.put_u8(major | value as u8),
        2 => {
            buf.put_u8(major | 24);
            buf.put_u8(value as u8);
        }
        3 => {
            buf.put_u8(major | 25);
            buf.put_u16(value as u16);
        }
        5 => {
            buf.put_u8(major | 26);
            buf.put_u32(value as u32);
        }
        _ => {
            buf.put_u8(major | 27);
            buf.put_u64(value);
        }
    }
}

/// Writes an unsigned integer (major type 0). Like every `write_*`, panics only if `buf`
/// cannot grow (a fixed `&mut [u8]` that is too short): size it with [`head_len`].
#[inline]
pub fn write_uint(buf: &mut impl BufMut, v: u64) {
    write_head(buf, MAJOR_UINT, v);
}

/// Writes a signed integer: major type 0 when `v >= 0`, else major type 1 with argument
/// `-1 - v` (RFC 8949 §3.1).
#[inline]
pub fn write_int(buf: &mut impl BufMut, v: i64) {
    match u64::try_from(v) {
        Ok(n) => write_head(buf, MAJOR_UINT, n),
        Err(_) => write_head(buf, MAJOR_NINT, (-1 - v) as u64),
    }
}

/// Encoded length of [`write_int`]'s output for `v`.
pub const fn int_len(v: i64) -> usize {
    if v >= 0 {
        head_len(v as u64)
    } else {
        head_len((-1 - v) as u64)
    }
}

/// Writes a definite-length byte string (major type 2).
#[inline]
pub fn write_bytes(buf: &mut impl BufMut, data: &[u8]) {
    write_bytes_head(buf, data.len());
    buf.put_slice(data);
}

/// Writes only the head of a byte string of `len` octets; the caller then writes the content
/// (e.g. block-type-specific data encoded in place, RFC 9171 §4.3.2).
#[inline]
pub fn write_bytes_head(buf: &mut impl BufMut, len: usize) {
    write_head(buf, MAJOR_BYTES, len as u64);
}

/// Writes a definite-length text string (major type 3).
#[inline]
pub fn write_text(buf: &mut impl BufMut, s: &str) {
    write_head(buf, MAJOR_TEXT, s.len() as u64);
    buf.put_slice(s.as_bytes());
}

/// Writes the head of a definite-length array of `len` items (major type 4).
#[inline]
pub fn write_array_head(buf: &mut impl BufMut, len: u64) {
    write_head(buf, MAJOR_ARRAY, len);
}

/// Writes the head of an indefinite-length array (`0x9F`): only the bundle itself
/// (RFC 9171 §4.1). End it with [`write_break`].
#[inline]
pub fn write_indefinite_array(buf: &mut impl BufMut) {
    buf.put_u8(INDEFINITE_ARRAY);
}

/// Writes the break stop code `0xFF`.
#[inline]
pub fn write_break(buf: &mut impl BufMut) {
    buf.put_u8(BREAK);
}

/// Writes `false` (`0xF4`) or `true` (`0xF5`).
#[inline]
pub fn write_bool(buf: &mut impl BufMut, b: bool) {
    buf.put_u8(if b { TRUE } else { FALSE });
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn rfc8949_appendix_a_uints() {
        // RFC 8949 Appendix A examples.
        for (value, hex) in [
            (0u64, &[0x00][..]),
            (23, &[0x17]),
            (24, &[0x18, 0x18]),
            (100, &[0x18, 0x64]),
            (1000, &[0x19, 0x03, 0xe8]),
            (1_000_000, &[0x1a, 0x00, 0x0f, 0x42, 0x40]),
            (
                1_000_000_000_000,
                &[0x1b, 0x00, 0x00, 0x00, 0xe8, 0xd4, 0xa5, 0x10, 0x00],
            ),
            (
                u64::MAX,
                &[0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            ),
        ] {
            let mut out = Vec::new();
            write_uint(&mut out, value);
            assert_eq!(out, hex);
            assert_eq!(Decoder::new(hex).uint(), Ok(value));
        }
    }

    #[test]
    fn rfc8949_appendix_a_ints() {
        // RFC 8949 Appendix A examples, plus the i64 extremes.
        for (value, hex) in [
            (0i64, &[0x00][..]),
            (10, &[0x0a]),
            (-1, &[0x20]),
            (-10, &[0x29]),
            (-100, &[0x38, 0x63]),
            (-1000, &[0x39, 0x03, 0xe7]),
            (
                i64::MIN,
                &[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            ),
        ] {
            let mut out = Vec::new();
            write_int(&mut out, value);
            assert_eq!(out, hex);
            assert_eq!(int_len(value), hex.len());
            assert_eq!(Decoder::new(hex).int(), Ok(value));
        }
        // -2^64 and 2^64-1 do not fit an i64.
        let too_small = [0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            Decoder::new(&too_small).int().map_err(|e| e.kind),
            Err(ErrorKind::IntegerTooLarge)
        );
        let too_big = [0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            Decoder::new(&too_big).int().map_err(|e| e.kind),
            Err(ErrorKind::IntegerTooLarge)
        );
    }

    #[test]
    fn non_shortest_accepted_unless_strict() {
        let overlong = [0x18, 0x05];
        assert_eq!(Decoder::new(&overlong).uint(), Ok(5));
        assert_eq!(
            Decoder::strict(&overlong).uint(),
            Err(Error::new(0, ErrorKind::NotShortestForm))
        );
        assert_eq!(Decoder::strict(&[0x18, 0x18]).uint(), Ok(24));
    }

    #[test]
    fn failed_read_keeps_position() {
        let mut dec = Decoder::new(&[0x62, 0xff, 0xfe]);
        assert!(dec.text().is_err());
        assert_eq!(dec.position(), 0);
        assert_eq!(dec.bytes(), Err(dec.clone().unexpected("byte string")));
    }
}
