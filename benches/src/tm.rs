//! The TM section of the latency harness: a pool of 1115-octet TM Transfer Frames carrying the
//! harness's packet mix on four virtual channels, and a frame router that checks each frame,
//! dispatches it by VCID to a per-VC [`PacketExtractor`] and routes the packets it rebuilds by
//! APID through the packet [`Router`].
//!
//! The frames are what an RS(255,223) I=5 downlink carries (132.0-B-3 §4.1 with an OCF holding
//! a CLCW and an FECF, 1115 = 5 × 223 octets). Each virtual channel's packets are packed with
//! [`PacketGenerator`], and its stream is cut so that it ends exactly at the end of its last
//! frame after a multiple of 256 frames: reading the pool again and again, every VC sees
//! consecutive frame counts (modulo 256) and an unbroken packet stream, with no gap or resync.

use ccsds_core::{Clcw, Scid, Vcid};
use ccsds_spp::{Apid, PrimaryHeader};
use ccsds_tm::ocf::Ocf;
use ccsds_tm::packet_service::{
    ExtractorConfig, ExtractorStats, FrameData, IDLE_OCTET, PacketExtractor, PacketGenerator,
};
use ccsds_tm::tm::{DataFieldContent, TmConfig, TmFrame, TmFrameRepr};

use crate::{Router, TrafficMix, XorShift64, decode_ours};

/// Octets in a frame: five RS(255,223) codewords' worth of data (131.0-B-4 §4).
pub const FRAME_LEN: usize = 1115;
/// The physical channel's managed parameters: 1115-octet frames with an FECF.
pub const CONFIG: TmConfig = TmConfig {
    frame_len: FRAME_LEN,
    fecf: true,
};
/// Frames per timed batch (about 2–3 µs of work on the reference machine; see README).
pub const FRAMES_PER_BATCH: usize = 8;
/// Virtual channels that carry packets (the other VCIDs of the table are unrouted).
pub const VCS: usize = 4;
/// Spacecraft of the pool's frames.
const SCID: u16 = 0x2B5;
/// Frames of each VC per pool "unit" (a VC's frame count must wrap to 0 at the end of the pool).
const COUNT_MODULUS: usize = 256;
/// Units of 256 frames per VC in a pool of scale 1, about proportional to the octets of the
/// classes each VC carries (VC 0: 13 %, VC 1 and 2: 38 % each, VC 3: 12 %).
const UNITS: [usize; VCS] = [1, 3, 3, 1];
/// Frames in a pool of scale 1 (2048 frames, 2.2 MiB).
pub const FRAMES_PER_SCALE: usize = COUNT_MODULUS * (UNITS[0] + UNITS[1] + UNITS[2] + UNITS[3]);

/// The VC of a packet, by APID: housekeeping (0–255) and the mix's idle packets on VC 0,
/// science split over VC 1 (256–639) and VC 2 (640–1023), events (1024–1535) on VC 3.
pub const fn vc_of_apid(apid: u16) -> usize {
    match apid {
        256..640 => 1,
        640..1024 => 2,
        1024..1536 => 3,
        _ => 0,
    }
}

/// Extractor settings: TM counts; idle packets are delivered so that the mix's idle class is
/// routed to the packet router's idle handler, as in the Space Packet section.
pub const EXTRACTOR: ExtractorConfig = ExtractorConfig {
    deliver_idle: true,
    ..ExtractorConfig::TM
};

/// One VC's packet stream: concatenated packets and where each ends.
#[derive(Debug, Clone, Default)]
pub struct VcStream {
    /// The packets, back to back.
    pub bytes: Vec<u8>,
    /// End offset of each packet in `bytes`.
    pub ends: Vec<usize>,
}

impl VcStream {
    fn push(&mut self, header: &PrimaryHeader, data: &[u8]) {
        let start = self.bytes.len();
        self.bytes.resize(start + header.packet_len(), 0);
        header.emit_packet(data, &mut self.bytes[start..]).unwrap();
        self.ends.push(self.bytes.len());
    }

    /// The packets from index `from` on.
    pub fn packets(&self, from: usize) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .skip(from)
            .map(|(s, e)| &self.bytes[s..e])
    }
}

/// A pool of frames to read front to back, again and again.
#[derive(Debug, Clone)]
pub struct TmPool {
    /// The frames, [`FRAME_LEN`] octets each.
    pub frames: Vec<u8>,
    /// Each VC's packet stream, as generated.
    pub streams: [VcStream; VCS],
    /// Packets completed by each batch of [`FRAMES_PER_BATCH`] frames (the same on every pass
    /// over the pool, and on the first pass after [`TmRouter::reset`]).
    pub batch_packets: Vec<u32>,
}

impl TmPool {
    /// A pool of `scale` × [`FRAMES_PER_SCALE`] frames (`scale` ≥ 1), from the traffic mix
    /// seeded with `seed`; the VCs are multiplexed in a seeded random order.
    pub fn generate(seed: u64, scale: usize) -> Self {
        let scale = scale.max(1);
        let frames_per_vc = UNITS.map(|u| u * scale * COUNT_MODULUS);
        let mut repr = TmFrameRepr {
            scid: Scid::new(SCID).unwrap(),
            vcid: Vcid::default(),
            mc_frame_count: 0,
            vc_frame_count: 0,
            secondary_header: None,
            content: DataFieldContent::IDLE,
            ocf: Some(Ocf::Clcw(Clcw {
                cop_in_effect: Clcw::COP_1,
                ..Clcw::default()
            })),
            fecf: true,
        };
        let data_len = repr.data_len_for(FRAME_LEN).unwrap();

        // Each VC's stream fills its frames exactly: a packet is taken only if it leaves 0 or
        // at least 7 octets (the shortest packet); the last gap is closed by an idle packet.
        let mut streams: [VcStream; VCS] = Default::default();
        let mut room = frames_per_vc.map(|n| n * data_len);
        let mut mix = TrafficMix::new(seed);
        while room.iter().any(|&r| r > 0) {
            let (header, data) = mix.next_packet();
            let vc = vc_of_apid(header.apid.get());
            let len = header.packet_len();
            if room[vc] == 0 {
                continue;
            }
            if len == room[vc] || len + 7 <= room[vc] {
                streams[vc].push(&header, data);
                room[vc] -= len;
            } else {
                let idle = PrimaryHeader {
                    apid: Apid::IDLE,
                    packet_data_length: (room[vc] - 7) as u16,
                    ..PrimaryHeader::default()
                };
                streams[vc].push(&idle, &vec![IDLE_OCTET; room[vc] - 6]);
                room[vc] = 0;
            }
        }

        // Multiplexing order: every VC's frames, shuffled (Fisher–Yates).
        let mut order: Vec<usize> = (0..VCS)
            .flat_map(|vc| std::iter::repeat_n(vc, frames_per_vc[vc]))
            .collect();
        let mut rng = XorShift64::new(seed ^ 0x7E1E_3E7A);
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }

        let mut frames = vec![0u8; order.len() * FRAME_LEN];
        let mut generators: [PacketGenerator; VCS] = Default::default();
        let mut next = [0usize; VCS];
        let mut counts = [0usize; VCS];
        let mut data = vec![0u8; data_len];
        for (i, (&vc, frame)) in order.iter().zip(frames.chunks_mut(FRAME_LEN)).enumerate() {
            let filled = generators[vc]
                .fill(streams[vc].packets(next[vc]), &mut data)
                .unwrap();
            next[vc] += filled.packets_done;
            repr.vcid = Vcid::new(vc as u8).unwrap();
            repr.mc_frame_count = i as u8;
            repr.vc_frame_count = counts[vc] as u8;
            counts[vc] += 1;
            repr.content = DataFieldContent::Packets(filled.first_header_pointer);
            if let Some(Ocf::Clcw(clcw)) = &mut repr.ocf {
                clcw.report_value = (i / 3) as u8;
            }
            repr.emit(&data, frame).unwrap();
        }
        for (vc, stream) in streams.iter().enumerate() {
            assert_eq!(
                next[vc],
                stream.ends.len(),
                "VC {vc} did not send its stream"
            );
            assert_eq!(generators[vc].pending_offset(), 0);
        }

        let mut pool = Self {
            frames,
            streams,
            batch_packets: Vec::new(),
        };
        let mut router = TmRouter::new();
        let batches = pool.frames.len() / (FRAME_LEN * FRAMES_PER_BATCH);
        pool.batch_packets = (0..batches)
            .map(|b| {
                let before = router.packets.counters.packets();
                assert!(run_batch(&pool.frames, b, &mut router));
                (router.packets.counters.packets() - before) as u32
            })
            .collect();
        pool
    }

    /// Frames in the pool.
    pub fn len(&self) -> usize {
        self.frames.len() / FRAME_LEN
    }

    /// Whether the pool is empty (never, for a generated pool).
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Batches of [`FRAMES_PER_BATCH`] frames in the pool.
    pub fn batches(&self) -> usize {
        self.batch_packets.len()
    }
}

/// A VC handler: takes one checked frame's packet-service view; false if the VC is not served.
pub type VcHandler = fn(&mut PacketExtractor, &mut Router, &FrameData<'_>) -> bool;

/// Rebuilds the VC's packets and routes each by APID.
fn extract(extractor: &mut PacketExtractor, router: &mut Router, frame: &FrameData<'_>) -> bool {
    extractor.push_frame(frame, |packet| match decode_ours(packet) {
        Some(d) => router.route(std::hint::black_box(d)),
        None => router.counters.unrouted += 1,
    });
    true
}

fn no_vc(_: &mut PacketExtractor, _: &mut Router, _: &FrameData<'_>) -> bool {
    false
}

/// Routes checked frames by VCID through a table of handlers, one [`PacketExtractor`] per VC,
/// whose packets go on to the packet [`Router`].
#[derive(Debug, Clone)]
pub struct TmRouter {
    table: [VcHandler; 8],
    extractors: [PacketExtractor; 8],
    /// The packet router behind the extractors, with its counters.
    pub packets: Router,
    /// Frames on a VCID without a handler.
    pub unrouted_frames: u64,
    /// Frames that failed [`TmFrame::new_checked`] or were not packet frames.
    pub rejected_frames: u64,
}

impl Default for TmRouter {
    fn default() -> Self {
        Self::new()
    }
}

impl TmRouter {
    /// VCs 0..[`VCS`] extract packets; VCs 4–7 are unrouted.
    pub fn new() -> Self {
        let mut table: [VcHandler; 8] = [no_vc; 8];
        table[..VCS].fill(extract);
        Self {
            table,
            extractors: std::array::from_fn(|_| PacketExtractor::new(EXTRACTOR).unwrap()),
            packets: Router::new(),
            unrouted_frames: 0,
            rejected_frames: 0,
        }
    }

    /// Forgets every VC's packet in progress and frame count ([`PacketExtractor::reset`],
    /// which keeps the buffers) and zeroes the counters.
    pub fn reset(&mut self) {
        self.extractors.iter_mut().for_each(PacketExtractor::reset);
        self.packets.counters = Default::default();
        self.unrouted_frames = 0;
        self.rejected_frames = 0;
    }

    /// Extractor counters of every VC, added up.
    pub fn extractor_stats(&self) -> ExtractorStats {
        let mut total = ExtractorStats::default();
        for e in &self.extractors {
            total += *e.stats();
        }
        total
    }

    /// Dispatches one frame by VCID. Never inlined: the measured loop pays for a real call and
    /// an indirect jump, like a ground station's VC demultiplexer.
    #[inline(never)]
    pub fn route(&mut self, vcid: u8, frame: &FrameData<'_>) {
        let i = usize::from(vcid & 7);
        if !(self.table[i])(&mut self.extractors[i], &mut self.packets, frame) {
            self.unrouted_frames += 1;
        }
    }
}

/// What the frame router needs from a frame: the VCID and the packet-service view.
#[inline(always)]
pub fn decode_frame(bytes: &[u8], sink: impl FnOnce(u8, &FrameData<'_>)) -> bool {
    let Ok(frame) = TmFrame::new_checked(bytes, CONFIG) else {
        return false;
    };
    let DataFieldContent::Packets(first_header_pointer) = frame.data_field_content() else {
        return false;
    };
    let data = FrameData {
        vc_frame_count: frame.vc_frame_count().into(),
        first_header_pointer,
        data: frame.data(),
    };
    sink(frame.vcid().get(), &data);
    true
}

/// The frames of pool batch `batch`, taken modulo the batches in `frames`.
#[inline(always)]
pub fn batch_frames(frames: &[u8], batch: usize) -> std::slice::ChunksExact<'_, u8> {
    let batch_bytes = FRAME_LEN * FRAMES_PER_BATCH;
    let batches = frames.len() / batch_bytes;
    let start = (batch % batches) * batch_bytes;
    frames[start..start + batch_bytes].chunks_exact(FRAME_LEN)
}

/// Checks and routes pool batch `batch` (taken modulo the pool); false if a frame was rejected.
#[inline(always)]
pub fn run_batch(frames: &[u8], batch: usize, router: &mut TmRouter) -> bool {
    let mut ok = true;
    for frame in batch_frames(frames, batch) {
        if !decode_frame(frame, |vcid, data| router.route(vcid, data)) {
            router.rejected_frames += 1;
            ok = false;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_delivers_every_stream_intact_on_every_pass() {
        let pool = TmPool::generate(11, 1);
        assert_eq!(pool.len(), FRAMES_PER_SCALE);
        assert_eq!(pool.batches() * FRAMES_PER_BATCH, pool.len());
        // Every VC's stream comes out whole and in order, twice in a row (the wrap is seamless).
        let mut extractors: [PacketExtractor; VCS] =
            std::array::from_fn(|_| PacketExtractor::new(EXTRACTOR).unwrap());
        let mut received: [Vec<u8>; VCS] = Default::default();
        for _pass in 0..2 {
            for frame in pool.frames.chunks_exact(FRAME_LEN) {
                assert!(decode_frame(frame, |vcid, data| {
                    let vc = usize::from(vcid);
                    extractors[vc].push_frame(data, |p| received[vc].extend_from_slice(p));
                }));
            }
        }
        for (vc, e) in extractors.iter().enumerate() {
            let s = e.stats();
            assert_eq!(
                (
                    s.gaps,
                    s.discarded_octets,
                    s.header_errors,
                    s.fhp_inconsistencies
                ),
                (0, 0, 0, 0),
                "VC {vc}: {s:?}"
            );
            let expected = [pool.streams[vc].bytes.as_slice(); 2].concat();
            assert!(received[vc] == expected, "VC {vc} stream differs");
            assert_eq!(s.packets, 2 * pool.streams[vc].ends.len() as u64);
        }
    }

    #[test]
    fn router_counts_match_the_streams() {
        let pool = TmPool::generate(3, 1);
        let mut router = TmRouter::new();
        for b in 0..2 * pool.batches() {
            assert!(run_batch(&pool.frames, b, &mut router));
        }
        let generated: usize = pool.streams.iter().map(|s| s.ends.len()).sum();
        let c = router.packets.counters;
        assert_eq!(c.packets(), 2 * generated as u64);
        assert_eq!((c.unrouted, router.unrouted_frames), (0, 0));
        let per_pass: u64 = pool.batch_packets.iter().map(|&n| u64::from(n)).sum();
        assert_eq!(per_pass, generated as u64);
        // All four classes arrive.
        assert!(c.housekeeping > 0 && c.science > 0 && c.events > 0 && c.idle > 0);
    }

    #[test]
    fn a_corrupted_frame_is_rejected() {
        let mut pool = TmPool::generate(5, 1);
        pool.frames[100] ^= 1; // FECF mismatch (132.0-B-3 §4.1.6)
        let mut router = TmRouter::new();
        assert!(!run_batch(&pool.frames, 0, &mut router));
        assert_eq!(router.rejected_frames, 1);
    }
}
