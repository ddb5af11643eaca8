//! The Packet Service of a virtual channel (CCSDS 132.0-B-3 §2.2.2, §4.1.2.7 and §4.1.4;
//! AOS M_PDUs, 732.0-B-4 §4.1.4, work the same way).
//!
//! Packets travel in the fixed-length data fields of consecutive frames of one virtual
//! channel, back to back, spanning frame boundaries as they fall. The packet zone carries
//! packets of any CCSDS Packet Version Number registered by SANA (132.0-B-3 §4.1.4.2): here
//! Space Packets (PVN `000`, 133.0-B-2) and Encapsulation Packets (PVN `111`, 133.1-B-3),
//! mixed freely; each packet's length is read from the header its PVN selects. Each frame's
//! First Header Pointer (FHP) gives the offset of the first packet header that starts in
//! its data field, or says that none does (`0x7FF`) or that the field holds only idle
//! data (`0x7FE`). A receiver that lost a frame (seen in the VC frame count) uses the FHP to
//! find the next packet boundary (132.0-B-3 §4.1.2.7, §4.1.4).
//!
//! - [`PacketGenerator`] (sender): packs packets into data fields, computes each FHP and
//!   fills the end of the last field with an idle packet (APID `0x7FF`, 133.0-B-2).
//! - [`PacketExtractor`] (receiver): rebuilds the packets, detects gaps and resynchronises;
//!   idle packets of both kinds (APID `0x7FF`; Protocol ID `000`) are dropped.
//!
//! Both are independent of the frame layouts: a frame decoder hands over a [`FrameData`]
//! (VC frame count, FHP, data field) and a frame encoder wraps the data field the generator
//! filled.
//!
//! ```
//! use ccsds_spp::{Apid, PrimaryHeader};
//! use ccsds_tm::packet_service::{ExtractorConfig, FrameData, PacketExtractor, PacketGenerator};
//!
//! // A 40-octet packet in 16-octet data fields: it spans three frames.
//! let header = PrimaryHeader { apid: Apid::new(42)?, ..PrimaryHeader::default() };
//! let mut packet = [0u8; 40];
//! header.emit_packet(&[7; 34], &mut packet)?;
//! let mut queue = vec![&packet[..]];
//!
//! let mut generator = PacketGenerator::new();
//! let mut extractor = PacketExtractor::new(ExtractorConfig::TM)?;
//! let mut received = Vec::new();
//! for count in 0..3 {
//!     let mut field = [0u8; 16];
//!     let filled = generator.fill(&queue, &mut field)?;
//!     queue.drain(..filled.packets_done);
//!     let frame = FrameData {
//!         vc_frame_count: count,
//!         first_header_pointer: filled.first_header_pointer,
//!         data: &field,
//!     };
//!     extractor.push_frame(&frame, |p| received.push(p.to_vec()));
//! }
//! assert_eq!(received, [packet.to_vec()]);
//! # Ok::<(), ccsds_tm::Error>(())
//! ```

use alloc::vec::Vec;
use ccsds_core::WireError;
use ccsds_spp::encap::{
    self, EncapsulationHeader, EncapsulationPacket, LengthOfLength, ProtocolId,
};
use ccsds_spp::packet::{HEADER_LEN, MAX_PACKET_LEN};
use ccsds_spp::{Apid, PrimaryHeader, SpacePacket};
use core::ops::AddAssign;

use crate::Error;

pub use crate::tm::FirstHeaderPointer;

/// What the packet service needs from one received frame of a virtual channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameData<'a> {
    /// Virtual Channel Frame Count (TM: 8 bits, 132.0-B-3 §4.1.2; AOS: 24 bits, or 28
    /// with the count cycle, 732.0-B-4 §4.1.2).
    pub vc_frame_count: u32,
    /// The frame's First Header Pointer.
    pub first_header_pointer: FirstHeaderPointer,
    /// The frame's data field (TM) or M_PDU packet zone (AOS).
    pub data: &'a [u8],
}

/// Managed parameters of a [`PacketExtractor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractorConfig {
    /// The VC frame count wraps at this value: 256 for TM, 2^24 for AOS (2^28 when the
    /// frame count cycle is used).
    pub count_modulus: u32,
    /// Longest packet rebuilt (7..=[`MAX_EXTRACTED_PACKET_LEN`] octets); longer ones are
    /// skipped. It bounds the extractor's memory: the defaults keep the Space Packet maximum
    /// (65 542); raise it explicitly to rebuild longer Encapsulation Packets.
    pub max_packet_len: usize,
    /// Deliver idle packets (APID `0x7FF`, or Encapsulation Protocol ID `000`) too, instead
    /// of dropping them.
    pub deliver_idle: bool,
}

impl ExtractorConfig {
    /// TM virtual channels: count modulo 256, every packet length, idle packets dropped.
    pub const TM: Self = Self {
        count_modulus: 256,
        max_packet_len: MAX_PACKET_LEN,
        deliver_idle: false,
    };
    /// AOS virtual channels without the count cycle: count modulo 2^24.
    pub const AOS: Self = Self {
        count_modulus: 1 << 24,
        ..Self::TM
    };
}

/// The largest packet an extractor can be configured to rebuild: the longest Encapsulation
/// Packet (4-octet Packet Length, 133.1-B-3 §4.1.2.8).
pub const MAX_EXTRACTED_PACKET_LEN: usize = LengthOfLength::Four.max_packet_len() as usize;

/// A packet header of either kind the packet zone carries (132.0-B-3 §4.1.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    /// PVN `000`: a Space Packet primary header (133.0-B-2 §4.1.3).
    Space(PrimaryHeader),
    /// PVN `111`: an Encapsulation Packet header (133.1-B-3 §4.1.2).
    Encapsulation(EncapsulationHeader),
}

impl Header {
    /// Whether the packet starting with octet `first` is an Encapsulation Packet (PVN `111`).
    fn is_encapsulation(first: u8) -> bool {
        encap::field::VERSION.get(&[first]) == u64::from(encap::VERSION)
    }

    /// How many octets of header (from its first octet) are needed to know the packet length:
    /// 1, 2, 4 or 8 for an Encapsulation Packet (its Length of Length, 133.1-B-3 §4.1.2.4), 6
    /// otherwise (any other PVN then fails to parse as a Space Packet header).
    fn needed(first: u8) -> usize {
        if Self::is_encapsulation(first) {
            let bits = encap::field::LENGTH_OF_LENGTH.get(&[first]) as u8;
            LengthOfLength::from_bits(bits).header_len()
        } else {
            HEADER_LEN
        }
    }

    /// Parses the header at the start of `bytes`, by its PVN.
    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        match bytes.first() {
            Some(&first) if Self::is_encapsulation(first) => {
                EncapsulationHeader::parse_bytes(bytes).map(Self::Encapsulation)
            }
            _ => PrimaryHeader::parse_bytes(bytes).map(Self::Space),
        }
    }

    /// Whole packet length, header included (never 0).
    const fn packet_len(&self) -> usize {
        match self {
            Self::Space(h) => h.packet_len(),
            Self::Encapsulation(h) => h.packet_len(),
        }
    }

    /// Idle packets: APID `0x7FF` (133.0-B-2 §4.1.3.3.4.4) or Protocol ID `000`
    /// (133.1-B-3 §4.1.2.3).
    fn is_idle(&self) -> bool {
        match self {
            Self::Space(h) => h.apid.is_idle(),
            Self::Encapsulation(h) => h.protocol_id == ProtocolId::IDLE,
        }
    }
}

/// Counters of a [`PacketExtractor`]: per frame (returned by
/// [`PacketExtractor::push_frame`]) and since creation ([`PacketExtractor::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExtractorStats {
    /// Frames pushed.
    pub frames: u64,
    /// Packets delivered.
    pub packets: u64,
    /// Idle packet headers seen (delivered or dropped).
    pub idle_packets: u64,
    /// Frames with FHP `0x7FE` (only idle data).
    pub idle_frames: u64,
    /// Frame count discontinuities: lost, repeated or reordered frames.
    pub gaps: u64,
    /// Octets thrown away because of a gap, an error or a packet over the length cap
    /// (idle data is not counted).
    pub discarded_octets: u64,
    /// Packet headers that failed to parse (the rest of that frame was discarded).
    pub header_errors: u64,
    /// FHPs that contradict the running packet (it should have ended elsewhere).
    pub fhp_inconsistencies: u64,
    /// FHPs pointing at or beyond the end of the data field.
    pub invalid_fhp: u64,
    /// Packets longer than [`ExtractorConfig::max_packet_len`] (skipped).
    pub oversize_packets: u64,
}

impl AddAssign for ExtractorStats {
    fn add_assign(&mut self, rhs: Self) {
        self.frames += rhs.frames;
        self.packets += rhs.packets;
        self.idle_packets += rhs.idle_packets;
        self.idle_frames += rhs.idle_frames;
        self.gaps += rhs.gaps;
        self.discarded_octets += rhs.discarded_octets;
        self.header_errors += rhs.header_errors;
        self.fhp_inconsistencies += rhs.fhp_inconsistencies;
        self.invalid_fhp += rhs.invalid_fhp;
        self.oversize_packets += rhs.oversize_packets;
    }
}

/// Where the extractor stands in the packet stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assembly {
    /// Position unknown: wait for an FHP.
    OutOfSync,
    /// The next octet starts a packet header.
    Boundary,
    /// `buf` holds the first octets of a header, fewer than [`Header::needed`].
    Header,
    /// `buf` holds the start of a `len`-octet packet that is kept.
    Body { len: usize },
    /// `remaining` octets of a packet that is not kept (idle, or over the cap) follow.
    Skip { remaining: usize, idle: bool },
}

/// Reassembles the Space and Encapsulation Packets of one virtual channel from its frames (sans-IO).
///
/// Rules (132.0-B-3 §4.1.2.7, §4.1.4):
/// - A frame whose VC frame count is not the previous one plus 1 (modulo
///   [`ExtractorConfig::count_modulus`]) is a gap: the packet in progress is discarded and
///   the extractor resynchronises on the next FHP. Repeated and reordered frames are gaps
///   too. The first frame after creation or [`Self::reset`] resynchronises the same way.
/// - A packet header that does not parse (as the header its PVN selects; any PVN other than
///   `000` and `111` is an error): the rest of the frame is discarded, resync on the next FHP.
/// - An FHP that contradicts the running packet (the packet would end before or after the
///   offset the FHP gives, a `0x7FF` frame in which the running packet ends early, or a
///   `0x7FE` frame in the middle of a packet): the FHP is trusted, the running packet is
///   discarded and counted in [`ExtractorStats::fhp_inconsistencies`].
/// - Packets that fit in one data field are delivered straight from the frame (no copy);
///   a packet spanning frames is copied into one buffer that never exceeds
///   [`ExtractorConfig::max_packet_len`]. A spanning packet is delivered only if its end
///   agrees with the FHP of the frame in which it ends.
#[derive(Debug, Clone)]
pub struct PacketExtractor {
    config: ExtractorConfig,
    last_count: Option<u32>,
    assembly: Assembly,
    buf: Vec<u8>,
    stats: ExtractorStats,
}

impl PacketExtractor {
    /// A new extractor, out of sync. Its buffer for packets that span frames is allocated here,
    /// once, at the length cap, so that pushing frames never allocates. Fails with
    /// [`crate::ErrorKind::InvalidValue`] if the count modulus is 0 or the length cap is outside
    /// 7..=[`MAX_EXTRACTED_PACKET_LEN`], and with [`crate::ErrorKind::BufferTooSmall`] if that
    /// buffer cannot be allocated.
    pub fn new(config: ExtractorConfig) -> Result<Self, Error> {
        if config.count_modulus == 0 {
            return Err(WireError::invalid(0, "count_modulus", 0));
        }
        let cap = config.max_packet_len;
        if !(MIN_PACKET_LEN..=MAX_EXTRACTED_PACKET_LEN).contains(&cap) {
            return Err(WireError::invalid(0, "max_packet_len", cap as u64));
        }
        let mut buf = Vec::new();
        buf.try_reserve_exact(cap)
            .map_err(|_| WireError::buffer_too_small("max_packet_len", cap, 0))?;
        Ok(Self {
            config,
            last_count: None,
            assembly: Assembly::OutOfSync,
            buf,
            stats: ExtractorStats::default(),
        })
    }

    /// The configuration.
    pub const fn config(&self) -> &ExtractorConfig {
        &self.config
    }

    /// Counters since creation.
    pub const fn stats(&self) -> &ExtractorStats {
        &self.stats
    }

    /// Forgets the packet in progress and the last frame count (e.g. after the physical
    /// channel lost frame synchronization); the next frame resynchronises on its FHP.
    pub fn reset(&mut self) {
        self.last_count = None;
        self.assembly = Assembly::OutOfSync;
        self.buf.clear();
    }

    /// Takes the next frame of the virtual channel, calls `on_packet` with each packet it
    /// completes (whole packet, primary header first), and returns what happened in this
    /// frame. Never fails: anything malformed is counted and skipped.
    pub fn push_frame<F: FnMut(&[u8])>(
        &mut self,
        frame: &FrameData<'_>,
        mut on_packet: F,
    ) -> ExtractorStats {
        let mut report = ExtractorStats {
            frames: 1,
            ..ExtractorStats::default()
        };
        self.check_count(frame.vc_frame_count, &mut report);
        let data = frame.data;
        match frame.first_header_pointer {
            FirstHeaderPointer::IdleData => {
                report.idle_frames += 1;
                if !matches!(self.assembly, Assembly::OutOfSync | Assembly::Boundary) {
                    report.fhp_inconsistencies += 1;
                    self.abandon(&mut report);
                }
            }
            FirstHeaderPointer::NoPacketStart => {
                self.continue_packet(data, false, &mut report, &mut on_packet);
            }
            FirstHeaderPointer::Offset(offset) => match data.split_at_checked(offset.into()) {
                Some((head, tail)) if !tail.is_empty() => {
                    self.continue_packet(head, true, &mut report, &mut on_packet);
                    self.assembly = Assembly::Boundary;
                    self.start_packets(tail, &mut report, &mut on_packet);
                }
                _ => {
                    report.invalid_fhp += 1;
                    report.discarded_octets += data.len() as u64;
                    self.abandon(&mut report);
                }
            },
        }
        self.stats += report;
        report
    }

    /// 132.0-B-3 §4.1.2 / §4.1.4: a count other than the previous plus one means
    /// frames were lost (or repeated, or reordered); the packet in progress cannot be
    /// completed.
    fn check_count(&mut self, count: u32, report: &mut ExtractorStats) {
        if let Some(last) = self.last_count {
            let expected = (u64::from(last) + 1) % u64::from(self.config.count_modulus);
            if u64::from(count) != expected {
                report.gaps += 1;
                self.abandon(report);
            }
        }
        self.last_count = Some(count);
    }

    /// Drops the packet in progress and waits for an FHP.
    fn abandon(&mut self, report: &mut ExtractorStats) {
        if matches!(self.assembly, Assembly::Header | Assembly::Body { .. }) {
            report.discarded_octets += self.buf.len() as u64;
        }
        self.buf.clear();
        self.assembly = Assembly::OutOfSync;
    }

    /// [`Self::abandon`] because the FHP contradicts the running packet; `bytes` (the
    /// octets the FHP gives to that packet) go too.
    fn contradiction(&mut self, bytes: &[u8], report: &mut ExtractorStats) {
        report.fhp_inconsistencies += 1;
        report.discarded_octets += bytes.len() as u64;
        self.abandon(report);
    }

    /// Feeds `bytes`, which the FHP assigns to the running packet. With `must_end` (the
    /// octets before an FHP) the packet must end exactly at the end of `bytes`; otherwise
    /// (a `0x7FF` frame) it must not end before it.
    fn continue_packet<F: FnMut(&[u8])>(
        &mut self,
        mut bytes: &[u8],
        must_end: bool,
        report: &mut ExtractorStats,
        on_packet: &mut F,
    ) {
        match self.assembly {
            Assembly::OutOfSync => {
                report.discarded_octets += bytes.len() as u64;
                return;
            }
            Assembly::Boundary => {
                if !bytes.is_empty() {
                    self.contradiction(bytes, report);
                }
                return;
            }
            Assembly::Header => {
                let header_len = self.buf.first().map_or(HEADER_LEN, |&b| Header::needed(b));
                let need = header_len.saturating_sub(self.buf.len());
                let Some((rest_of_header, rest)) = bytes.split_at_checked(need) else {
                    if must_end {
                        self.contradiction(bytes, report);
                    } else {
                        self.buf.extend_from_slice(bytes);
                    }
                    return;
                };
                self.buf.extend_from_slice(rest_of_header);
                bytes = rest;
                match Header::parse(&self.buf) {
                    Ok(header) => {
                        if self.keep(&header, report) {
                            self.open_body(&header, &[]);
                        } else {
                            self.skip(&header, header_len, report);
                        }
                    }
                    Err(_) => {
                        report.header_errors += 1;
                        report.discarded_octets += bytes.len() as u64;
                        self.abandon(report);
                        return;
                    }
                }
            }
            Assembly::Body { .. } | Assembly::Skip { .. } => {}
        }
        match self.assembly {
            Assembly::Body { len } => {
                let need = len.saturating_sub(self.buf.len());
                if bytes.len() > need || (must_end && bytes.len() < need) {
                    self.contradiction(bytes, report);
                    return;
                }
                self.buf.extend_from_slice(bytes);
                if bytes.len() == need {
                    on_packet(&self.buf);
                    report.packets += 1;
                    self.buf.clear();
                    self.assembly = Assembly::Boundary;
                }
            }
            Assembly::Skip { remaining, idle } => {
                if bytes.len() > remaining || (must_end && bytes.len() < remaining) {
                    self.contradiction(bytes, report);
                    return;
                }
                if !idle {
                    report.discarded_octets += bytes.len() as u64;
                }
                self.assembly = match remaining - bytes.len() {
                    0 => Assembly::Boundary,
                    remaining => Assembly::Skip { remaining, idle },
                };
            }
            // A completed header leaves Body or Skip.
            Assembly::OutOfSync | Assembly::Boundary | Assembly::Header => {}
        }
    }

    /// Starts rebuilding a packet spanning frames, whose first octets are `buf` followed
    /// by `start`. The buffer already holds the cap (≥ `len`, see [`Self::new`]): no allocation.
    fn open_body(&mut self, header: &Header, start: &[u8]) {
        let len = header.packet_len();
        self.buf.extend_from_slice(start);
        self.assembly = Assembly::Body { len };
    }

    /// Skips the rest of a packet that is not rebuilt, `have` octets of which were seen.
    fn skip(&mut self, header: &Header, have: usize, report: &mut ExtractorStats) {
        let idle = header.is_idle();
        if !idle {
            report.discarded_octets += have as u64;
        }
        self.buf.clear();
        self.assembly = Assembly::Skip {
            remaining: header.packet_len().saturating_sub(have),
            idle,
        };
    }

    /// Whether a packet with this header is rebuilt (counting idle and oversize ones).
    fn keep(&self, header: &Header, report: &mut ExtractorStats) -> bool {
        if header.is_idle() {
            report.idle_packets += 1;
            if !self.config.deliver_idle {
                return false;
            }
        }
        if header.packet_len() > self.config.max_packet_len {
            report.oversize_packets += 1;
            return false;
        }
        true
    }

    /// Reads the packets of `bytes`, which starts at a packet boundary (at the FHP).
    fn start_packets<F: FnMut(&[u8])>(
        &mut self,
        mut bytes: &[u8],
        report: &mut ExtractorStats,
        on_packet: &mut F,
    ) {
        while let Some(&first) = bytes.first() {
            if bytes.len() < Header::needed(first) {
                self.buf.clear();
                self.buf.extend_from_slice(bytes);
                self.assembly = Assembly::Header;
                return;
            }
            let Ok(header) = Header::parse(bytes) else {
                report.header_errors += 1;
                report.discarded_octets += bytes.len() as u64;
                self.abandon(report);
                return;
            };
            let len = header.packet_len();
            let keep = self.keep(&header, report);
            let Some((packet, rest)) = bytes.split_at_checked(len) else {
                // The packet continues in the next frame(s).
                if keep {
                    self.buf.clear();
                    self.open_body(&header, bytes);
                } else {
                    self.skip(&header, bytes.len(), report);
                }
                return;
            };
            if keep {
                on_packet(packet);
                report.packets += 1;
            } else if !header.is_idle() {
                report.discarded_octets += len as u64;
            }
            bytes = rest;
        }
        self.assembly = Assembly::Boundary;
    }
}

/// The octet that fills the data field of idle packets and idle-data frames (its value is
/// mission-defined, 133.0-B-2; this one alternates bits).
pub const IDLE_OCTET: u8 = 0x55;

/// The shortest Space Packet (and so the shortest idle packet): header + 1 data octet.
const MIN_PACKET_LEN: usize = HEADER_LEN + 1;

/// The largest data field a generator fills: every offset in it must be expressible as an
/// FHP (0..=[`FirstHeaderPointer::MAX_OFFSET`]).
pub const MAX_DATA_FIELD_LEN: usize = FirstHeaderPointer::MAX_OFFSET as usize + 1;

/// What [`PacketGenerator::fill`] put in a data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filled {
    /// The FHP to put in the frame.
    pub first_header_pointer: FirstHeaderPointer,
    /// Packets from the front of the queue that are now completely sent: the caller
    /// removes them before the next call.
    pub packets_done: usize,
}

/// Packs Space and Encapsulation Packets, mixed, into fixed-length frame data fields (132.0-B-3 §4.1.4; the
/// sending end of [`PacketExtractor`]).
///
/// The packets live in a queue the caller owns; the generator copies from it into the data
/// field and remembers only how much of the packet at the front of the queue is already
/// sent ([`Self::pending_offset`]), so the send path neither allocates nor copies a packet
/// twice. Contract: between calls the caller removes exactly
/// [`Filled::packets_done`] packets from the front and leaves the (partly sent) next one in
/// place; new packets may be appended at the back at any time.
///
/// When the queue runs dry before the field is full:
/// - if nothing at all went into the field, it becomes an idle-data field (FHP `0x7FE`,
///   every octet [`IDLE_OCTET`]);
/// - otherwise the rest of the field becomes one idle packet (APID `0x7FF`). An idle packet
///   is at least 7 octets: with 1–6 octets left, a 7-octet idle packet is started and its
///   tail opens the next data field, exactly as a user packet would span the boundary.
#[derive(Debug, Clone, Default)]
pub struct PacketGenerator {
    /// Octets of the packet at the front of the queue already sent.
    offset: usize,
    /// Octets of a 7-octet idle packet already sent (0 = none in progress).
    idle_sent: usize,
}

impl PacketGenerator {
    /// A generator at a packet boundary.
    pub const fn new() -> Self {
        Self {
            offset: 0,
            idle_sent: 0,
        }
    }

    /// Octets of the packet at the front of the queue already sent in earlier fields.
    pub const fn pending_offset(&self) -> usize {
        self.offset
    }

    /// Fills `data_field` (all of it) from `queue` and returns its FHP and how many packets
    /// were completed.
    ///
    /// Every packet must be one whole valid Space Packet or Encapsulation Packet (by its PVN;
    /// its length field agrees with its length; checked when it is first reached). Fails, leaving the generator unchanged, if
    /// a packet is not, if `data_field` is empty or longer than [`MAX_DATA_FIELD_LEN`], or
    /// if the queue does not hold the partly sent packet of the previous call.
    pub fn fill<I, P>(&mut self, queue: I, data_field: &mut [u8]) -> Result<Filled, Error>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let field_len = data_field.len();
        if field_len == 0 || field_len > MAX_DATA_FIELD_LEN {
            return Err(WireError::invalid(0, "data_field", field_len as u64));
        }
        let mut pos = 0;
        let mut first_header = None;
        let mut idle_sent = self.idle_sent;
        let mut offset = self.offset;
        let mut packets_done = 0;

        if idle_sent > 0 {
            let idle = idle_packet::<MIN_PACKET_LEN>()?;
            let tail = idle.get(idle_sent..).unwrap_or_default();
            pos = copy_prefix(tail, data_field);
            idle_sent = (idle_sent + pos) % MIN_PACKET_LEN;
        }

        let mut queue = queue.into_iter();
        while pos < field_len {
            let Some(packet) = queue.next() else {
                if offset > 0 {
                    return Err(WireError::invalid(0, "packet_queue", offset as u64));
                }
                break;
            };
            let packet = packet.as_ref();
            if offset == 0 {
                check_packet(packet)?;
                first_header.get_or_insert(pos);
            }
            let rest =
                packet
                    .get(offset..)
                    .ok_or(WireError::invalid(0, "packet_queue", offset as u64))?;
            let n = copy_prefix(rest, data_field.get_mut(pos..).unwrap_or_default());
            pos += n;
            if n == rest.len() {
                packets_done += 1;
                offset = 0;
            } else {
                offset += n;
            }
        }

        let free = field_len - pos;
        let tail = data_field.get_mut(pos..).unwrap_or_default();
        let first_header_pointer = if pos == 0 {
            // 132.0-B-3 §4.1.2.7 (FHP 0x7FE): nothing to send, an idle-data field.
            tail.fill(IDLE_OCTET);
            FirstHeaderPointer::IdleData
        } else {
            if free >= MIN_PACKET_LEN {
                write_idle(tail)?;
                first_header.get_or_insert(pos);
            } else if free > 0 {
                let idle = idle_packet::<MIN_PACKET_LEN>()?;
                idle_sent = copy_prefix(&idle, tail);
                first_header.get_or_insert(pos);
            }
            match first_header {
                // `pos < field_len <= MAX_DATA_FIELD_LEN`, so the offset fits the field.
                Some(at) => FirstHeaderPointer::Offset(at as u16),
                None => FirstHeaderPointer::NoPacketStart,
            }
        };
        self.offset = offset;
        self.idle_sent = idle_sent;
        Ok(Filled {
            first_header_pointer,
            packets_done,
        })
    }
}

/// Checks that `packet` is one whole packet of a kind the extractor reads (by its PVN,
/// 132.0-B-3 §4.1.4.2), so the generator never sends what the receiver would drop.
fn check_packet(packet: &[u8]) -> Result<(), Error> {
    match packet.first() {
        Some(&first) if Header::is_encapsulation(first) => {
            EncapsulationPacket::new_checked(packet).map(|_| ())
        }
        _ => SpacePacket::new_checked(packet).map(|_| ()),
    }
}

/// Copies as much of `src` as fits into the front of `dst`; returns the octets copied.
fn copy_prefix(src: &[u8], dst: &mut [u8]) -> usize {
    let n = src.len().min(dst.len());
    if let (Some(s), Some(d)) = (src.get(..n), dst.get_mut(..n)) {
        d.copy_from_slice(s);
    }
    n
}

/// Writes an idle packet (133.0-B-2 §4.1.3.3.4.4: APID all ones, no secondary header,
/// unsegmented, count 0) filling all of `out` (7..=65 542 octets).
fn write_idle(out: &mut [u8]) -> Result<(), Error> {
    let header = PrimaryHeader {
        apid: Apid::IDLE,
        ..PrimaryHeader::default()
    };
    let available = out.len();
    let (head, data) = out
        .split_at_mut_checked(HEADER_LEN)
        .ok_or(WireError::buffer_too_small(
            "idle_packet",
            MIN_PACKET_LEN,
            available,
        ))?;
    data.fill(IDLE_OCTET);
    // Packet Data Length = data octets − 1 (133.0-B-2 §4.1.3.5.3).
    let packet_data_length = data
        .len()
        .checked_sub(1)
        .and_then(|l| u16::try_from(l).ok())
        .ok_or(WireError::invalid(
            4,
            "packet_data_length",
            data.len() as u64,
        ))?;
    PrimaryHeader {
        packet_data_length,
        ..header
    }
    .emit(head)
}

/// An `N`-octet idle packet.
fn idle_packet<const N: usize>() -> Result<[u8; N], Error> {
    let mut packet = [0u8; N];
    write_idle(&mut packet)?;
    Ok(packet)
}
