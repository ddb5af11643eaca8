//! Reading a validated bundle block by block, and writing a new one that copies blocks
//! verbatim, re-encodes the ones that change, and patches data and CRCs in place afterwards.
//! Security operations touch each payload octet once: the copy into the output buffer, where
//! it is then encrypted or decrypted in place.

use core::ops::Range;

use alloc::vec::Vec;
use bpv7::block::{BlockFlags, CanonicalBlock, block_type};
use bpv7::bundle::{BundleView, ParseOptions};
use bpv7::cbor;
use bpv7::crc::{self, CrcType};

use crate::Error;
use crate::asb::SecurityBlock;
use crate::context::BlockHeader;
use crate::list::List;

/// Canonical blocks kept inline: a bundle with a Previous Node, a Bundle Age, a Hop Count, a
/// BIB, a BCB and the payload fits.
const BLOCKS_INLINE: usize = 6;

/// The canonical blocks of a bundle with their spans, in bundle order.
pub(crate) type BlockList<'a> = List<(CanonicalBlock<'a>, Range<usize>), BLOCKS_INLINE>;

/// Security blocks kept inline (one BIB and one BCB).
const SECURITY_INLINE: usize = 2;

/// Security blocks with their decoded ASBs.
pub(crate) type SecurityList<'a> = List<(CanonicalBlock<'a>, SecurityBlock<'a>), SECURITY_INLINE>;

/// A parsed input bundle with its canonical blocks listed (in a list the caller owns: the
/// parse result is then small enough to be moved around for free).
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub view: BundleView<'a>,
    pub blocks: &'a BlockList<'a>,
}

impl<'a> Parsed<'a> {
    /// Parses `bytes` under `options`, listing the blocks into `blocks` (empty) as the parser
    /// validates them.
    #[inline]
    pub fn new(
        bytes: &'a [u8],
        options: &ParseOptions,
        blocks: &'a mut BlockList<'a>,
    ) -> Result<Self, Error> {
        let view = BundleView::parse_visiting(bytes, options, |block, span| {
            blocks.push((*block, span.clone()));
        })?;
        Ok(Self { view, blocks })
    }

    /// The primary block's exact octets: its canonical form (RFC 9172 §4).
    pub fn primary_bytes(&self) -> &'a [u8] {
        self.view
            .bytes()
            .get(self.view.primary_span())
            .unwrap_or_default()
    }

    pub fn block(&self, number: u64) -> Option<&CanonicalBlock<'a>> {
        self.blocks
            .iter()
            .map(|(b, _)| b)
            .find(|b| b.number == number)
    }

    /// Whether block `number` exists (0 is the primary block).
    pub fn exists(&self, number: u64) -> bool {
        number == 0 || self.block(number).is_some()
    }

    /// Lists the security blocks with their decoded ASBs into `decoded` (empty), BCBs first,
    /// and returns how many BIBs a BCB encrypts: those are left out, undecoded (their data is
    /// ciphertext until the acceptor decrypts them).
    pub fn security_blocks(&self, decoded: &mut SecurityList<'a>) -> Result<usize, Error> {
        for (b, _) in self
            .blocks
            .iter()
            .filter(|(b, _)| b.block_type == block_type::BCB)
        {
            decoded.push((*b, SecurityBlock::decode(b.data, b.number)?));
        }
        let mut encrypted = 0;
        for (b, _) in self
            .blocks
            .iter()
            .filter(|(b, _)| b.block_type == block_type::BIB)
        {
            if decoded.iter().any(|(_, bcb)| bcb.has_target(b.number)) {
                encrypted += 1;
            } else {
                decoded.push((*b, SecurityBlock::decode(b.data, b.number)?));
            }
        }
        Ok(encrypted)
    }

    /// A block number not in use: one past the largest.
    pub fn free_number(&self) -> u64 {
        self.blocks
            .iter()
            .map(|(b, _)| b.number)
            .max()
            .unwrap_or(1)
            .saturating_add(1)
    }
}

/// Whether `block_type` is a BPSec security block (RFC 9172 §3.1).
pub(crate) const fn is_security_block(code: u64) -> bool {
    matches!(code, block_type::BIB | block_type::BCB)
}

/// The header of a canonical block, as the scopes cover it.
pub(crate) const fn header(block: &CanonicalBlock<'_>) -> BlockHeader {
    BlockHeader {
        block_type: block.block_type,
        number: block.number,
        flags: block.flags,
    }
}

/// Where a written block's parts are in the output.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub number: u64,
    pub block: Range<usize>,
    pub data: Range<usize>,
    pub crc_type: CrcType,
}

/// A bundle being written: `0x9F`, primary block, canonical blocks, `0xFF`.
#[derive(Debug)]
pub(crate) struct Output {
    pub buf: Vec<u8>,
    pub written: List<Written, BLOCKS_INLINE>,
}

impl Output {
    /// An output of about `capacity` octets.
    pub fn start(primary: &[u8], capacity: usize) -> Self {
        let mut buf = Vec::with_capacity(capacity);
        cbor::write_indefinite_array(&mut buf);
        buf.extend_from_slice(primary);
        Self {
            buf,
            written: List::new(),
        }
    }

    /// Copies a received block verbatim (its CRC stays valid).
    pub fn copy(&mut self, input: &[u8], block: &CanonicalBlock<'_>, span: &Range<usize>) {
        let start = self.buf.len();
        self.buf
            .extend_from_slice(input.get(span.clone()).unwrap_or_default());
        let end = self.buf.len();
        let data_end = end - block.crc_type.field_len().min(end - start);
        let data_start = data_end.saturating_sub(block.data.len()).max(start);
        self.written.push(Written {
            number: block.number,
            block: start..end,
            data: data_start..data_end,
            crc_type: block.crc_type,
        });
    }

    /// Writes received block `block` (at `span` of `input`) as [`Self::write`] would with CRC
    /// type `crc_type`, so that its data can be changed in place. When the received encoding
    /// already is that one (same CRC type, every head in shortest form: the only encoding of
    /// that length, RFC 8949 §4.2.1) it is copied instead of re-encoded; its CRC, checked by
    /// the parser, is the one [`Self::write`] would compute.
    pub fn rewrite(
        &mut self,
        input: &[u8],
        block: &CanonicalBlock<'_>,
        span: &Range<usize>,
        crc_type: CrcType,
    ) {
        if block.crc_type == crc_type && span.len() == block.encoded_len() {
            self.copy(input, block, span);
        } else {
            self.write(&header(block), crc_type, block.data);
        }
    }

    /// Writes a block in deterministic CBOR with `data` as its type-specific data and a CRC
    /// of `crc_type` (computed now; call [`Self::patch_crc`] after changing the data).
    pub fn write(&mut self, header: &BlockHeader, crc_type: CrcType, data: &[u8]) -> Written {
        self.write_with(header, crc_type, data.len(), &|buf: &mut Vec<u8>| {
            buf.extend_from_slice(data)
        })
    }

    /// [`Self::write`] with the type-specific data (`data_len` octets) written in place by
    /// `fill`, so a new security block is encoded straight into the output.
    #[inline(always)]
    pub fn write_with(
        &mut self,
        header: &BlockHeader,
        crc_type: CrcType,
        data_len: usize,
        fill: &dyn Fn(&mut Vec<u8>),
    ) -> Written {
        let start = self.buf.len();
        let items = 5 + u64::from(crc_type != CrcType::None);
        cbor::write_array_head(&mut self.buf, items);
        cbor::write_uint(&mut self.buf, header.block_type);
        cbor::write_uint(&mut self.buf, header.number);
        cbor::write_uint(&mut self.buf, header.flags.0);
        cbor::write_uint(&mut self.buf, crc_type.code());
        cbor::write_bytes_head(&mut self.buf, data_len);
        let data_start = self.buf.len();
        fill(&mut self.buf);
        debug_assert_eq!(
            self.buf.len() - data_start,
            data_len,
            "fill wrote its length"
        );
        // Keep the block well-formed whatever `fill` did.
        self.buf.resize(data_start + data_len, 0);
        let data_end = self.buf.len();
        if crc_type != CrcType::None {
            cbor::write_bytes_head(&mut self.buf, crc_type.value_len());
            self.buf.resize(self.buf.len() + crc_type.value_len(), 0);
        }
        let written = Written {
            number: header.number,
            block: start..self.buf.len(),
            data: data_start..data_end,
            crc_type,
        };
        self.written.push(written.clone());
        self.patch_crc(&written);
        written
    }

    /// Recomputes and stores the CRC of a written block (RFC 9171 §4.2.1, big-endian), if it
    /// has one (inlined: a decrypted target usually has none, RFC 9173 §4.8.1).
    #[inline]
    pub fn patch_crc(&mut self, w: &Written) {
        if w.crc_type != CrcType::None {
            self.store_crc(w);
        }
    }

    /// [`Self::patch_crc`] of a block with a CRC.
    fn store_crc(&mut self, w: &Written) {
        let Some(block) = self.buf.get_mut(w.block.clone()) else {
            return;
        };
        let Ok(value) = crc::compute_block_crc(w.crc_type, block) else {
            return;
        };
        let n = w.crc_type.value_len();
        let at = block.len().saturating_sub(n);
        if let Some(dst) = block.get_mut(at..) {
            for (i, d) in dst.iter_mut().enumerate() {
                *d = (value >> (8 * (n - 1 - i))) as u8;
            }
        }
    }

    /// The written block `number` (by reference: a `Written` returned by value from an
    /// out-of-line call is read back wider than it was stored, a store-forwarding stall).
    pub fn find(&self, number: u64) -> Option<&Written> {
        self.written.iter().find(|w| w.number == number)
    }

    /// The type-specific data of written block `number`, mutable.
    pub fn data_mut(&mut self, w: &Written) -> &mut [u8] {
        self.buf.get_mut(w.data.clone()).unwrap_or_default()
    }

    /// The type-specific data of written block `number`.
    pub fn data(&self, w: &Written) -> &[u8] {
        self.buf.get(w.data.clone()).unwrap_or_default()
    }

    /// Closes the bundle and hands out its octets (by `&mut`: moving the whole `Output`
    /// into a by-value `finish` copied it).
    #[inline(always)]
    pub fn finish(&mut self) -> Vec<u8> {
        cbor::write_break(&mut self.buf);
        core::mem::take(&mut self.buf)
    }
}

/// Block processing control flags of a new security block (RFC 9172 §3.8).
pub(crate) const REPLICATE: BlockFlags = BlockFlags::REPLICATE_IN_EVERY_FRAGMENT;
