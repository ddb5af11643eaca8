//! Communications Link Transmission Units (CCSDS 231.0-B-4 §5).
//!
//! `Start Sequence EB 90 | N × BCH code block (8 octets) | Tail Sequence C5 C5 C5 C5 C5 C5 C5 79`
//!
//! The sender optionally randomizes the transfer frame ([`crate::randomizer`], §6), cuts it
//! into 7-octet pieces, pads the last piece with fill octets `0x55` (not randomized), and
//! BCH-encodes each piece ([`crate::bch`]). The receiver, after the physical layer's
//! acquisition sequence (PLOP, 201.0: alternating ones and zeros, `55`/`AA` octets), looks for
//! the start sequence and decodes code blocks until the tail sequence.
//!
//! The tail sequence is built to fail BCH decoding: its code part has the one odd-weight
//! syndrome that no single error produces, and its filler bit is 1. It therefore sits at
//! distance ≥ 4 (over the 64 bits) from every codeword, and a block within one bit of it can
//! never be a codeword with fewer than three errors. The decoder recognises the tail with up
//! to one bit error explicitly ([`is_tail`]), so it is never taken for data and a damaged tail
//! still ends the CLTU.

use crate::Error;
use crate::bch::{self, BLOCK_LEN, BlockStatus, DecodeMode, INFO_LEN};
use crate::frame::{PRIMARY_HEADER_LEN, TcFrame, field::FRAME_LENGTH};
use crate::randomizer;

/// Start sequence (231.0-B-4 §5).
pub const START_SEQUENCE: [u8; 2] = [0xEB, 0x90];
/// Tail sequence (231.0-B-4 §5).
pub const TAIL_SEQUENCE: [u8; BLOCK_LEN] = [0xC5, 0xC5, 0xC5, 0xC5, 0xC5, 0xC5, 0xC5, 0x79];
/// Fill octet padding the last code block's information field (231.0-B-4 §5).
pub const FILL: u8 = 0x55;
/// The two octet values of an octet-aligned acquisition or idle sequence of alternating bits
/// (PLOP-1/PLOP-2), skipped before the start sequence.
pub const ACQUISITION_OCTETS: [u8; 2] = [0x55, 0xAA];

/// Coding options of a physical channel (managed parameters of 231.0-B-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct CltuConfig {
    /// Whether transfer frames are randomized before BCH encoding (231.0-B-4 §6).
    pub randomize: bool,
    /// Error-correcting or error-detecting BCH decoding (231.0-B-4 §3).
    pub mode: DecodeMode,
}

/// Length of the CLTU carrying a `frame_len`-octet transfer frame: start sequence, one code
/// block per started 7 octets, tail sequence. Saturates instead of overflowing.
pub const fn encoded_len(frame_len: usize) -> usize {
    frame_len
        .div_ceil(INFO_LEN)
        .saturating_mul(BLOCK_LEN)
        .saturating_add(START_SEQUENCE.len() + TAIL_SEQUENCE.len())
}

/// Encodes `frame` into a CLTU in `out`, returning the number of octets written
/// ([`encoded_len`]). With `cfg.randomize` the frame (not the fill) is randomized first.
///
/// Refuses an empty frame, which would give a CLTU without code blocks that [`decode`]
/// rejects, and an `out` shorter than [`encoded_len`].
pub fn encode(frame: &[u8], cfg: &CltuConfig, out: &mut [u8]) -> Result<usize, Error> {
    if frame.is_empty() {
        return Err(Error::invalid(0, "transfer_frame_length", 0));
    }
    let len = encoded_len(frame.len());
    let available = out.len();
    let out = out
        .get_mut(..len)
        .ok_or(Error::buffer_too_small("CLTU", len, available))?;
    let (start, body) = out.split_at_mut(START_SEQUENCE.len());
    start.copy_from_slice(&START_SEQUENCE);
    let mut prn = randomizer::keystream();
    let mut blocks = body.chunks_exact_mut(BLOCK_LEN);
    for (piece, block) in frame.chunks(INFO_LEN).zip(&mut blocks) {
        let mut info = [FILL; INFO_LEN];
        for ((dst, &octet), mask) in info.iter_mut().zip(piece).zip(&mut prn) {
            *dst = if cfg.randomize { octet ^ mask } else { octet };
        }
        block.copy_from_slice(&bch::encode_block(&info));
    }
    if let Some(tail) = blocks.next() {
        tail.copy_from_slice(&TAIL_SEQUENCE);
    }
    Ok(len)
}

/// Whether `block` is the tail sequence with at most one bit error (see the module docs for
/// why this cannot swallow a data block with fewer than three errors).
pub fn is_tail(block: &[u8; BLOCK_LEN]) -> bool {
    (u64::from_be_bytes(*block) ^ u64::from_be_bytes(TAIL_SEQUENCE)).count_ones() <= 1
}

/// Offset of the start sequence in `input`, after skipping any acquisition octets
/// ([`ACQUISITION_OCTETS`]).
pub fn find_start(input: &[u8]) -> Result<usize, Error> {
    let start = input
        .iter()
        .position(|b| !ACQUISITION_OCTETS.contains(b))
        .unwrap_or(input.len());
    match input.get(start..).and_then(<[u8]>::first_chunk::<2>) {
        Some(&START_SEQUENCE) => Ok(start),
        Some(other) => Err(Error::invalid(
            start,
            "start_sequence",
            u64::from(u16::from_be_bytes(*other)),
        )),
        None => Err(Error::truncated(
            start,
            "start_sequence",
            start + START_SEQUENCE.len(),
            input.len(),
        )),
    }
}

/// One code block of a CLTU, as found on the wire (nothing corrected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeBlock<'a> {
    /// Position of the block in the CLTU (0-based).
    pub index: usize,
    /// Byte offset of the block in the input.
    pub offset: usize,
    /// The information octets as received.
    pub info: &'a [u8; INFO_LEN],
    /// The parity octet as received (complemented parity bits, filler bit).
    pub parity: u8,
    /// What the BCH decoder makes of the block; the error's offset is [`Self::offset`].
    pub status: Result<BlockStatus, Error>,
}

/// Zero-copy iterator over the code blocks of a CLTU, for inspection and as the engine of
/// [`decode`]. It yields every block between the start and the tail sequence, including
/// uncorrectable ones, and stops at the tail or when fewer than 8 octets remain.
#[derive(Debug, Clone)]
pub struct CodeBlocks<'a> {
    input: &'a [u8],
    start: usize,
    pos: usize,
    index: usize,
    mode: DecodeMode,
    tail: Option<usize>,
}

impl<'a> CodeBlocks<'a> {
    /// Finds the start sequence in `input` ([`find_start`]) and iterates over the blocks
    /// after it, diagnosing each in `mode`.
    pub fn new(input: &'a [u8], mode: DecodeMode) -> Result<Self, Error> {
        let start = find_start(input)?;
        Ok(Self {
            input,
            start,
            pos: start + START_SEQUENCE.len(),
            index: 0,
            mode,
            tail: None,
        })
    }

    /// Offset of the start sequence in the input.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Offset of the tail sequence, once the iterator has reached it.
    pub fn tail(&self) -> Option<usize> {
        self.tail
    }

    /// Offset of the first octet not yet consumed (just past the tail once it was found).
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for CodeBlocks<'a> {
    type Item = CodeBlock<'a>;

    fn next(&mut self) -> Option<CodeBlock<'a>> {
        if self.tail.is_some() {
            return None;
        }
        let raw = self
            .input
            .get(self.pos..)
            .and_then(<[u8]>::first_chunk::<BLOCK_LEN>)?;
        let offset = self.pos;
        self.pos += BLOCK_LEN;
        if is_tail(raw) {
            self.tail = Some(offset);
            return None;
        }
        let info = raw.first_chunk::<INFO_LEN>()?;
        let [.., parity] = *raw;
        let index = self.index;
        self.index += 1;
        Some(CodeBlock {
            index,
            offset,
            info,
            parity,
            status: bch::check(raw, self.mode, index).map_err(|e| e.shifted(offset)),
        })
    }
}

/// What [`decode`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CltuReport {
    /// Offset of the start sequence in the input (after any acquisition octets).
    pub start: usize,
    /// Offset just past the tail sequence: the octets of the input this CLTU used.
    pub consumed: usize,
    /// Number of code blocks.
    pub blocks: usize,
    /// Number of bits corrected, over all blocks (at most one per block).
    pub corrected_bits: usize,
    /// Information octets written to the output (`7 × blocks`, including any fill).
    pub len: usize,
}

/// Decodes the first CLTU in `input` (231.0-B-4 §5): skips acquisition octets, finds the
/// start sequence, BCH-decodes every block up to the tail sequence and writes the
/// (corrected) information octets to `out`, derandomizing them if `cfg.randomize`. The
/// trailing fill octets are written too (garbled by derandomization); use
/// [`decode_frame`] to trim them.
///
/// Errors: no start sequence (`InvalidValue` or `Truncated`), no tail before the end of the
/// input (`Truncated`, field "tail_sequence"), a CLTU without code blocks (`InvalidValue`),
/// an uncorrectable block (`Uncorrectable { block }`, at the block's offset) and an `out` too
/// small for the information octets (`BufferTooSmall`).
pub fn decode(input: &[u8], cfg: &CltuConfig, out: &mut [u8]) -> Result<CltuReport, Error> {
    let mut blocks = CodeBlocks::new(input, cfg.mode)?;
    let mut len = 0;
    let mut corrected_bits = 0;
    let mut count = 0;
    for block in &mut blocks {
        let status = block.status?;
        let needed = len + INFO_LEN;
        let available = out.len();
        let dst = out.get_mut(len..needed).ok_or(Error::buffer_too_small(
            "information_octets",
            needed,
            available,
        ))?;
        dst.copy_from_slice(block.info);
        if let BlockStatus::Corrected { bit } = status {
            // Bits 56..=63 (parity, filler) fall outside the 7 information octets: no-op.
            bch::flip_bit(dst, bit);
        }
        corrected_bits += status.corrected_bits();
        count += 1;
        len = needed;
    }
    let Some(tail) = blocks.tail() else {
        let pos = blocks.position();
        return Err(Error::truncated(
            pos,
            "tail_sequence",
            pos + TAIL_SEQUENCE.len(),
            input.len(),
        ));
    };
    if count == 0 {
        return Err(Error::invalid(tail, "code_block_count", 0));
    }
    if cfg.randomize {
        randomizer::randomize(out.get_mut(..len).unwrap_or_default());
    }
    Ok(CltuReport {
        start: blocks.start(),
        consumed: blocks.position(),
        blocks: count,
        corrected_bits,
        len,
    })
}

/// Decodes a CLTU carrying one TC Transfer Frame and trims the fill: [`decode`], then the
/// frame length field of the (derandomized) primary header tells where the frame ends
/// (232.0-B-4 §4.1.2.7; fill octets follow randomization, 231.0-B-4 §6, so they are only
/// recognisable by length). Returns the frame length (the frame is `out[..len]`) and the
/// report.
///
/// Fails with `InvalidValue` (at the frame length field) if the declared frame is shorter than
/// a primary header and one data octet, and with `LengthMismatch` unless the declared frame fits the
/// decoded octets with fewer than 7 octets left over, i.e. unless everything after the frame
/// can be fill of the last code block.
pub fn decode_frame(
    input: &[u8],
    cfg: &CltuConfig,
    out: &mut [u8],
) -> Result<(usize, CltuReport), Error> {
    let report = decode(input, cfg, out)?;
    let decoded = out.get(..report.len).unwrap_or_default();
    let frame_len = TcFrame::new_unchecked(decoded).total_len();
    let frame_length_offset = report.start + START_SEQUENCE.len() + FRAME_LENGTH.byte_offset();
    // A TC frame holds at least its primary header and one data octet (232.0-B-4 §4.1.3.1.3);
    // a shorter declared length cannot be trimmed to a frame (found by the `cltu` fuzz target).
    if frame_len < PRIMARY_HEADER_LEN + 1 {
        return Err(Error::invalid(
            frame_length_offset,
            FRAME_LENGTH.name,
            frame_len.saturating_sub(1) as u64,
        ));
    }
    if frame_len > report.len || report.len - frame_len >= INFO_LEN {
        return Err(Error::length_mismatch(
            frame_length_offset,
            FRAME_LENGTH.name,
            frame_len,
            report.len,
        ));
    }
    Ok((frame_len, report))
}
