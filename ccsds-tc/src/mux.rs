//! MAP multiplexing: the Segmentation and Blocking functions of the MAP Packet Service
//! (CCSDS 232.0-B-4 §2.3.2, §4.2.2–4.2.3) on the sending side, and reassembly on the
//! receiving side (§4.3.2–4.3.3).
//!
//! * [`Segmenter`] turns MAP service data units (whole Space or Encapsulation Packets, treated
//!   as opaque octets) into frames written into caller-provided buffers: SDUs that fit are
//!   blocked together into unsegmented frames (sequence flags `11`), an SDU that does not fit
//!   an empty frame is segmented into first (`01`), continuing (`00`) and last (`10`) frames,
//!   which carry nothing else (§4.2.2.3). Nothing is allocated on this path.
//! * [`Reassembler`] is sans-IO: push checked frames of one Virtual Channel, in the order
//!   they were accepted; complete SDUs come out through a callback. It keeps one partial SDU
//!   per MAP, so frames of different MAPs may interleave, and caps each one's size.
//! * [`deblock`] splits the data of an unsegmented frame back into the packets blocked in it,
//!   given a function that reads a packet's length from its header.
//!
//! ```
//! use ccsds_tc::frame::{FrameConfig, TcFrame};
//! use ccsds_tc::mux::{Reassembler, ReassemblerConfig, Segmenter, SegmenterConfig};
//! use ccsds_tc::{MapId, Scid, Vcid};
//!
//! let segmenter = Segmenter::new(SegmenterConfig {
//!     scid: Scid::new(123)?,
//!     vcid: Vcid::new(1)?,
//!     bypass: true,
//!     fecf: true,
//!     max_frame_len: 64,
//! })?;
//! let mut rx = Reassembler::new(ReassemblerConfig { max_sdu_len: 4096, check_sequence: true });
//! let packet = [0x5Au8; 200]; // more than one 64-octet frame can carry
//! let sdus = [&packet[..]];
//! let mut frames = segmenter.frames(MapId::new(3)?, &sdus)?;
//! let (mut buf, mut ns, mut delivered) = ([0u8; 64], 0u8, Vec::new());
//! while let Some(len) = frames.next_frame(ns, &mut buf) {
//!     ns = ns.wrapping_add(1); // Type-B: the sender counts N(S) itself
//!     let cfg = FrameConfig { segment_header: true, fecf: true };
//!     let frame = TcFrame::new_checked(&buf[..len?], cfg)?;
//!     rx.push(&frame, |map, sdu| delivered.push((map, sdu.to_vec())))?;
//! }
//! assert_eq!(delivered, [(MapId::new(3)?, packet.to_vec())]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::vec::Vec;

use ccsds_core::{MapId, Scid, Vcid};

use crate::Error;
use crate::frame::{
    FECF_LEN, FrameType, MAX_FRAME_LEN, PRIMARY_HEADER_LEN, SEGMENT_HEADER_LEN, SegmentHeader,
    SequenceFlags, TcFrame, TcFrameRepr,
};

/// The managed parameters of the sending side of one Virtual Channel (232.0-B-4 §5.3–5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmenterConfig {
    /// Spacecraft Identifier.
    pub scid: Scid,
    /// Virtual Channel Identifier.
    pub vcid: Vcid,
    /// Send Type-B (BD) frames instead of Type-A (AD).
    pub bypass: bool,
    /// The Physical Channel carries an FECF.
    pub fecf: bool,
    /// Maximum Transfer Frame Length on this VC, in octets (≤ 1024).
    pub max_frame_len: usize,
}

/// Sending side of the MAP Packet Service: segmentation and blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segmenter {
    config: SegmenterConfig,
}

impl Segmenter {
    /// Validates the configuration: the maximum frame length must be ≤ 1024 and leave room for
    /// the headers, one data octet and the FECF.
    pub fn new(config: SegmenterConfig) -> Result<Self, Error> {
        let segmenter = Self { config };
        let min = segmenter
            .repr(SequenceFlags::Unsegmented, MapId::MAX, 0)
            .buffer_len(1);
        if !(min..=MAX_FRAME_LEN).contains(&config.max_frame_len) {
            return Err(Error::invalid(
                0,
                "max_frame_len",
                config.max_frame_len as u64,
            ));
        }
        Ok(segmenter)
    }

    /// The configuration.
    pub const fn config(&self) -> SegmenterConfig {
        self.config
    }

    /// Octets of SDU data one frame carries at most.
    pub const fn max_data_len(&self) -> usize {
        self.config.max_frame_len
            - PRIMARY_HEADER_LEN
            - SEGMENT_HEADER_LEN
            - if self.config.fecf { FECF_LEN } else { 0 }
    }

    fn repr(
        &self,
        sequence_flags: SequenceFlags,
        map_id: MapId,
        sequence_number: u8,
    ) -> TcFrameRepr {
        TcFrameRepr {
            frame_type: if self.config.bypass {
                FrameType::Bd
            } else {
                FrameType::Ad
            },
            scid: self.config.scid,
            vcid: self.config.vcid,
            sequence_number,
            segment: Some(SegmentHeader {
                sequence_flags,
                map_id,
            }),
            fecf: self.config.fecf,
        }
    }

    /// The frames that carry `sdus`, in order, on `map_id`. Fails if an SDU is empty (an
    /// empty frame data field is invalid, §4.1.3.1.3); the error's offset is then the index
    /// of that SDU in `sdus`. Pull the frames with
    /// [`Frames::next_frame`].
    pub fn frames<'a>(&self, map_id: MapId, sdus: &'a [&'a [u8]]) -> Result<Frames<'a>, Error> {
        if let Some(index) = sdus.iter().position(|s| s.is_empty()) {
            return Err(Error::invalid(index, "sdu_length", 0));
        }
        Ok(Frames {
            segmenter: *self,
            map_id,
            sdus,
            next: 0,
            offset: 0,
        })
    }
}

/// The frames for a batch of SDUs on one MAP; see [`Segmenter::frames`].
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    segmenter: Segmenter,
    map_id: MapId,
    sdus: &'a [&'a [u8]],
    /// Index of the first SDU not completely sent.
    next: usize,
    /// Octets of `sdus[next]` already sent in earlier segments (0 if none).
    offset: usize,
}

impl Frames<'_> {
    /// Writes the next frame into the start of `out` and returns its length, or `None` when
    /// every SDU has been sent.
    ///
    /// `sequence_number` is the frame's N(S): for AD frames FOP-1's V(S) (232.1-B-2), for BD
    /// frames whatever the mission counts (a receiver's [`Reassembler`] can check that it
    /// increments by one per frame, see [`ReassemblerConfig::check_sequence`]).
    ///
    /// On an error (`out` too small) nothing is consumed: call again with a larger buffer.
    pub fn next_frame(
        &mut self,
        sequence_number: u8,
        out: &mut [u8],
    ) -> Option<Result<usize, Error>> {
        let sdu = *self.sdus.get(self.next)?;
        let cap = self.segmenter.max_data_len();
        if self.offset == 0 && sdu.len() <= cap {
            return Some(self.next_block(sequence_number, out, cap));
        }
        // Segmentation (§4.2.2.3): this SDU alone, in frame-sized pieces.
        let end = sdu.len().min(self.offset + cap);
        let piece = sdu.get(self.offset..end).unwrap_or(&[]);
        let flags = match (self.offset, end == sdu.len()) {
            (0, _) => SequenceFlags::First,
            (_, true) => SequenceFlags::Last,
            (_, false) => SequenceFlags::Continuing,
        };
        let repr = self.segmenter.repr(flags, self.map_id, sequence_number);
        Some(repr.emit(piece, out).inspect(|_| {
            if end == sdu.len() {
                self.next += 1;
                self.offset = 0;
            } else {
                self.offset = end;
            }
        }))
    }

    /// Blocking (§4.2.3): as many whole SDUs, from `next` on, as fit one frame.
    fn next_block(
        &mut self,
        sequence_number: u8,
        out: &mut [u8],
        cap: usize,
    ) -> Result<usize, Error> {
        let rest = self.sdus.get(self.next..).unwrap_or(&[]);
        let mut count = 0;
        let mut len = 0;
        for sdu in rest {
            if len + sdu.len() > cap {
                break;
            }
            len += sdu.len();
            count += 1;
        }
        let block = rest.get(..count).unwrap_or(&[]);
        let repr = self
            .segmenter
            .repr(SequenceFlags::Unsegmented, self.map_id, sequence_number);
        let n = repr.emit_with(len, out, |data| {
            let mut at = 0;
            for sdu in block {
                if let Some(slot) = data.get_mut(at..at + sdu.len()) {
                    slot.copy_from_slice(sdu);
                }
                at += sdu.len();
            }
        })?;
        self.next += count;
        Ok(n)
    }
}

/// Why a reassembler dropped data. Every variant means octets were lost; SDUs delivered
/// before or after the error are unaffected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReassemblyError {
    /// The frame has no segment header (a BC frame, or a VC configured without MAPs); it
    /// carries no MAP data and was ignored.
    #[error("frame carries no segment header")]
    NoSegmentHeader,
    /// A continuing or last segment arrived with no SDU open on its MAP (its first segment,
    /// or an earlier one, was lost); the segment was discarded (§4.3.3).
    #[error("MAP {map_id}: {flags:?} segment of {len} octets without a first segment")]
    NoFirstSegment {
        /// The MAP.
        map_id: MapId,
        /// The segment's sequence flags (continuing or last).
        flags: SequenceFlags,
        /// Octets in the discarded segment.
        len: usize,
    },
    /// A first segment or an unsegmented frame arrived while an SDU was open on its MAP (its
    /// last segment was lost): the open partial SDU was discarded. The new frame itself was
    /// accepted (an unsegmented frame's SDU has been delivered, a first segment is open).
    #[error("MAP {map_id}: new SDU while one was open; {discarded} octets discarded")]
    Interrupted {
        /// The MAP.
        map_id: MapId,
        /// Octets of the partial SDU discarded.
        discarded: usize,
    },
    /// The SDU being reassembled would exceed the configured maximum: it was discarded (any
    /// older partial SDU on the MAP too), and later segments of it are refused as
    /// [`ReassemblyError::NoFirstSegment`].
    #[error("MAP {map_id}: SDU of at least {len} octets exceeds the maximum of {max}")]
    TooLong {
        /// The MAP.
        map_id: MapId,
        /// The configured maximum SDU length.
        max: usize,
        /// Length the SDU would have reached with this segment.
        len: usize,
    },
    /// N(S) did not follow the previous frame's (a frame of this VC was lost), so every
    /// partial SDU was discarded (the lost frame could have belonged to any of them). The
    /// current frame was then handled as usual: a first or unsegmented frame was accepted, a
    /// continuing or last one was dropped.
    #[error(
        "sequence gap: expected N(S) {expected}, received {received}; {discarded} octets discarded"
    )]
    SequenceGap {
        /// The N(S) that should have come next.
        expected: u8,
        /// The N(S) received.
        received: u8,
        /// Octets of partial SDUs discarded (over all MAPs), plus the current frame's data if
        /// it was a continuing or last segment.
        discarded: usize,
    },
}

/// The receiving side's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReassemblerConfig {
    /// Largest SDU the reassembler builds, per MAP: a memory cap, so at most 64 times this
    /// much is held (unsegmented frames are delivered from the frame and need no memory).
    pub max_sdu_len: usize,
    /// Check that N(S) increases by one (mod 256) from each frame pushed to the next, and
    /// discard every partial SDU on a gap. Segments carry no counter of their own, so without
    /// this check a lost last segment followed by a lost first segment would splice two SDUs
    /// into one. Enable it when every data frame of this VC is numbered consecutively: Type-A
    /// frames behind FARM-1 (whose in-order acceptance guarantees it, 232.1-B-2), or Type-B
    /// frames from a sender that counts them.
    pub check_sequence: bool,
}

/// One open partial SDU.
#[derive(Debug, Clone, Default)]
struct Partial {
    open: bool,
    data: Vec<u8>,
}

impl Partial {
    /// Discards the partial SDU (keeping its allocation) and returns how many octets it held.
    fn discard(&mut self) -> usize {
        let len = if self.open { self.data.len() } else { 0 };
        self.open = false;
        self.data.clear();
        len
    }
}

/// Receiving side of the MAP Packet Service for one Virtual Channel (sans-IO).
#[derive(Debug, Clone)]
pub struct Reassembler {
    config: ReassemblerConfig,
    /// One slot per MAP ID (6 bits, 232.0-B-4 §4.1.3.2.3).
    partials: [Partial; 1 << MapId::BITS],
    /// N(S) expected next, once a frame has been seen.
    expected: Option<u8>,
}

impl Reassembler {
    /// An empty reassembler.
    pub fn new(config: ReassemblerConfig) -> Self {
        Self {
            config,
            partials: core::array::from_fn(|_| Partial::default()),
            expected: None,
        }
    }

    /// The configuration.
    pub const fn config(&self) -> ReassemblerConfig {
        self.config
    }

    /// Octets held for the partial SDU of `map_id` (0 if none is open).
    pub fn pending(&self, map_id: MapId) -> usize {
        self.partials
            .get(usize::from(map_id.get()))
            .map_or(0, |p| if p.open { p.data.len() } else { 0 })
    }

    /// Discards every partial SDU and forgets the expected N(S) (e.g. after FARM-1 was reset
    /// or V(R) was set by a BC frame).
    pub fn reset(&mut self) {
        self.partials.iter_mut().for_each(|p| {
            p.discard();
        });
        self.expected = None;
    }

    /// Feeds one checked data frame of this VC. Complete SDUs go to `deliver` (MAP ID, SDU
    /// octets); the data of an unsegmented frame is passed straight from the frame (it may
    /// hold several blocked packets, see [`deblock`]). An error reports data that was lost;
    /// `deliver` may still have been called for this frame (see each variant).
    pub fn push<T: AsRef<[u8]>>(
        &mut self,
        frame: &TcFrame<T>,
        deliver: impl FnMut(MapId, &[u8]),
    ) -> Result<(), ReassemblyError> {
        let segment = frame
            .segment_header()
            .ok_or(ReassemblyError::NoSegmentHeader)?;
        self.push_data(frame.sequence_number(), segment, frame.data(), deliver)
    }

    /// [`Reassembler::push`] for a data field that was taken out of its frame already (e.g.
    /// after SDLS processing): the frame's N(S), segment header and data.
    pub fn push_data(
        &mut self,
        sequence_number: u8,
        segment: SegmentHeader,
        data: &[u8],
        deliver: impl FnMut(MapId, &[u8]),
    ) -> Result<(), ReassemblyError> {
        let gap = self.check_sequence(sequence_number);
        let result = self.reassemble(segment, data, deliver);
        match (gap, result) {
            (Some((expected, discarded)), result) => {
                let dropped = match result {
                    Err(ReassemblyError::NoFirstSegment { len, .. }) => len,
                    _ => 0,
                };
                Err(ReassemblyError::SequenceGap {
                    expected,
                    received: sequence_number,
                    discarded: discarded + dropped,
                })
            }
            (None, result) => result,
        }
    }

    /// On a gap, discards every partial SDU and returns the expected N(S) and octets lost.
    fn check_sequence(&mut self, received: u8) -> Option<(u8, usize)> {
        if !self.config.check_sequence {
            return None;
        }
        let expected = self.expected.replace(received.wrapping_add(1))?;
        if expected == received {
            return None;
        }
        let discarded = self.partials.iter_mut().map(Partial::discard).sum();
        Some((expected, discarded))
    }

    /// The reassembly rules of §4.3.3 for one MAP.
    fn reassemble(
        &mut self,
        segment: SegmentHeader,
        data: &[u8],
        mut deliver: impl FnMut(MapId, &[u8]),
    ) -> Result<(), ReassemblyError> {
        let map_id = segment.map_id;
        let max = self.config.max_sdu_len;
        let Some(partial) = self.partials.get_mut(usize::from(map_id.get())) else {
            return Ok(()); // unreachable: a MapId has 6 bits
        };
        match segment.sequence_flags {
            SequenceFlags::Unsegmented | SequenceFlags::First => {
                let discarded = partial.discard();
                if segment.sequence_flags == SequenceFlags::Unsegmented {
                    deliver(map_id, data);
                } else if data.len() > max {
                    return Err(ReassemblyError::TooLong {
                        map_id,
                        max,
                        len: data.len(),
                    });
                } else {
                    partial.open = true;
                    partial.data.extend_from_slice(data);
                }
                if discarded > 0 {
                    return Err(ReassemblyError::Interrupted { map_id, discarded });
                }
                Ok(())
            }
            flags @ (SequenceFlags::Continuing | SequenceFlags::Last) => {
                if !partial.open {
                    return Err(ReassemblyError::NoFirstSegment {
                        map_id,
                        flags,
                        len: data.len(),
                    });
                }
                let len = partial.data.len() + data.len();
                if len > max {
                    partial.discard();
                    return Err(ReassemblyError::TooLong { map_id, max, len });
                }
                partial.data.extend_from_slice(data);
                if flags == SequenceFlags::Last {
                    deliver(map_id, &partial.data);
                    partial.discard();
                }
                Ok(())
            }
        }
    }
}

/// Splits the data of an unsegmented frame into the packets blocked in it (§4.3.3).
/// `packet_len` reads the total length of the packet at the start of its argument from the
/// packet's header (e.g. a Space Packet's data length + 7), or `None` if it cannot.
pub fn deblock<F: FnMut(&[u8]) -> Option<usize>>(data: &[u8], packet_len: F) -> Deblock<'_, F> {
    Deblock {
        data,
        offset: 0,
        packet_len,
    }
}

/// Iterator over the packets of a block; see [`deblock`]. After an error it ends.
#[derive(Debug, Clone)]
pub struct Deblock<'a, F> {
    data: &'a [u8],
    offset: usize,
    packet_len: F,
}

impl<'a, F: FnMut(&[u8]) -> Option<usize>> Iterator for Deblock<'a, F> {
    type Item = Result<&'a [u8], Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.data.get(self.offset..).filter(|r| !r.is_empty())?;
        let offset = self.offset;
        let n = (self.packet_len)(rest).unwrap_or(0);
        // Any error ends the iteration: the next packet's start is unknown.
        self.offset = self.data.len();
        if n == 0 {
            return Some(Err(Error::invalid(offset, "packet_length", 0)));
        }
        match rest.split_at_checked(n) {
            Some((packet, _)) => {
                self.offset = offset + n;
                Some(Ok(packet))
            }
            None => Some(Err(Error::truncated(offset, "packet", n, rest.len()))),
        }
    }
}
