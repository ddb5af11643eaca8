//! Shared helpers of the Borealis-rs benchmarks and of the `latency` harness: a seeded traffic
//! generator with a realistic APID mix, the two header decoders under comparison (ours and the
//! `spacepackets` crate's), and an APID-routed handler table that consumes what they decode.
//!
//! This is benchmark code, not flight code: it runs on trusted, self-generated input, so the
//! workspace's "no unwrap / no indexing" rules (meant for decoders facing hostile input) are
//! relaxed here to keep the measured loops free of extra bound-check plumbing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod bundle;
pub mod tm;

use ccsds_spp::{Apid, PacketType, PrimaryHeader, SequenceFlags};
use spacepackets::{CcsdsPacket, SpHeader};

/// Packets per timed batch in the latency harness.
pub const BATCH: usize = 256;

/// xorshift64* (Vigna 2016): a tiny, seeded, dependency-free PRNG so that every run of a
/// benchmark sees the same traffic.
#[derive(Debug, Clone)]
pub struct XorShift64(u64);

impl XorShift64 {
    /// A generator from `seed` (a zero seed is replaced, xorshift has no zero state).
    pub const fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n` > 0; the modulo bias is irrelevant for traffic shaping).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// One traffic class of the mix: an APID range, its share of the packets and its data field size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficClass {
    /// Name shown in reports.
    pub name: &'static str,
    /// First APID of the class.
    pub apid_start: u16,
    /// Number of APIDs in the class (drawn uniformly).
    pub apid_count: u16,
    /// Share of the packets, in percent.
    pub percent: u8,
    /// Octets in the packet data field.
    pub data_len: usize,
}

/// The traffic mix of the latency harness: 40 % housekeeping (APID < 256, 32-octet data),
/// 35 % science (256–1023, 256 octets), 20 % events (1024–1535, 64 octets), 5 % idle packets
/// (APID 0x7FF, 8 octets).
pub const MIX: [TrafficClass; 4] = [
    TrafficClass {
        name: "housekeeping",
        apid_start: 0,
        apid_count: 256,
        percent: 40,
        data_len: 32,
    },
    TrafficClass {
        name: "science",
        apid_start: 256,
        apid_count: 768,
        percent: 35,
        data_len: 256,
    },
    TrafficClass {
        name: "events",
        apid_start: 1024,
        apid_count: 512,
        percent: 20,
        data_len: 64,
    },
    TrafficClass {
        name: "idle",
        apid_start: 0x7FF,
        apid_count: 1,
        percent: 5,
        data_len: 8,
    },
];

/// Draws Space Packets from [`MIX`] in seeded random order, with a per-APID sequence count.
#[derive(Debug, Clone)]
pub struct TrafficMix {
    rng: XorShift64,
    sequence: Vec<u16>,
    payload: [u8; 256],
}

impl TrafficMix {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = XorShift64::new(seed);
        let mut payload = [0u8; 256];
        for b in &mut payload {
            *b = rng.next_u64() as u8;
        }
        Self {
            rng,
            sequence: vec![0; 2048],
            payload,
        }
    }

    /// The header of the next packet (its data length set) and its data field.
    pub fn next_packet(&mut self) -> (PrimaryHeader, &[u8]) {
        let mut roll = self.rng.below(100) as u8;
        let class = MIX
            .iter()
            .find(|c| {
                let hit = roll < c.percent;
                roll = roll.saturating_sub(c.percent);
                hit
            })
            .unwrap_or(&MIX[0]);
        let apid = class.apid_start + self.rng.below(class.apid_count.into()) as u16;
        let apid = Apid::new(apid).unwrap();
        let seq = &mut self.sequence[usize::from(apid.get())];
        let sequence_count = *seq;
        *seq = (*seq + 1) & 0x3FFF;
        let header = PrimaryHeader {
            packet_type: PacketType::Telemetry,
            // 133.0-B-2 §4.1.3.3.3.4: idle packets carry no secondary header.
            secondary_header: !apid.is_idle(),
            apid,
            sequence_flags: SequenceFlags::Unsegmented,
            sequence_count,
            packet_data_length: (class.data_len - 1) as u16,
            ..PrimaryHeader::default()
        };
        (header, &self.payload[..class.data_len])
    }

    /// Appends the next packet to `out`; returns its length.
    pub fn push_packet(&mut self, out: &mut Vec<u8>) -> usize {
        let (header, data) = self.next_packet();
        let start = out.len();
        out.resize(start + header.packet_len(), 0);
        header.emit_packet(data, &mut out[start..]).unwrap()
    }
}

/// A stream of concatenated mixed packets, as long as possible without exceeding `max_bytes`.
pub fn mixed_stream(seed: u64, max_bytes: usize) -> Vec<u8> {
    let mut mix = TrafficMix::new(seed);
    let mut out = Vec::with_capacity(max_bytes);
    loop {
        let (header, data) = mix.next_packet();
        let start = out.len();
        if start + header.packet_len() > max_bytes {
            return out;
        }
        out.resize(start + header.packet_len(), 0);
        header.emit_packet(data, &mut out[start..]).unwrap();
    }
}

/// A pool of whole batches of [`BATCH`] mixed packets, and where each batch starts. The latency
/// harness reads batch `b` from `batch_starts[b % batch_starts.len()]`: the stream it sees is
/// the pool read front to back, again and again.
#[derive(Debug, Clone)]
pub struct PacketPool {
    /// The concatenated packets.
    pub bytes: Vec<u8>,
    /// Offset of the first packet of each batch in `bytes`.
    pub batch_starts: Vec<usize>,
}

impl PacketPool {
    /// Generates up to `max_batches` batches, stopping earlier once the pool holds `max_bytes`.
    pub fn generate(seed: u64, max_batches: usize, max_bytes: usize) -> Self {
        let mut mix = TrafficMix::new(seed);
        // Average packet: 0.40·38 + 0.35·262 + 0.20·70 + 0.05·14 ≈ 122 octets.
        let estimate = max_bytes.min(max_batches.saturating_mul(BATCH * 128));
        let mut bytes = Vec::with_capacity(estimate);
        let mut batch_starts = Vec::new();
        while batch_starts.len() < max_batches && bytes.len() < max_bytes {
            batch_starts.push(bytes.len());
            for _ in 0..BATCH {
                mix.push_packet(&mut bytes);
            }
        }
        Self {
            bytes,
            batch_starts,
        }
    }
}

/// What the router needs from a primary header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decoded {
    /// Application Process Identifier.
    pub apid: u16,
    /// Packet Sequence Count.
    pub sequence_count: u16,
    /// Packet Data Length field (data field octets − 1).
    pub data_length: u16,
}

impl Decoded {
    /// Total packet length (header + data field).
    #[inline(always)]
    pub const fn packet_len(&self) -> usize {
        6 + self.data_length as usize + 1
    }
}

/// Our decoder: [`PrimaryHeader::parse_bytes`] (validates version and the idle-packet rule).
#[inline(always)]
pub fn decode_ours(bytes: &[u8]) -> Option<Decoded> {
    let h = PrimaryHeader::parse_bytes(bytes).ok()?;
    Some(Decoded {
        apid: h.apid.get(),
        sequence_count: h.sequence_count,
        data_length: h.packet_data_length,
    })
}

/// The peer decoder: `spacepackets::SpHeader::from_be_bytes` (checks only the length).
#[inline(always)]
pub fn decode_spacepackets(bytes: &[u8]) -> Option<Decoded> {
    let (h, _) = SpHeader::from_be_bytes(bytes).ok()?;
    Some(Decoded {
        apid: h.apid().value(),
        sequence_count: h.seq_count().value(),
        data_length: h.data_len(),
    })
}

/// What the handlers accumulate; equal counters from two decoders mean they saw the same stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Housekeeping packets.
    pub housekeeping: u64,
    /// XOR of housekeeping sequence counts.
    pub housekeeping_seq: u64,
    /// Science packets.
    pub science: u64,
    /// Science data octets.
    pub science_octets: u64,
    /// Event packets.
    pub events: u64,
    /// Sum of event APIDs.
    pub event_apids: u64,
    /// Idle packets.
    pub idle: u64,
    /// Packets on APIDs without a handler.
    pub unrouted: u64,
}

impl Counters {
    /// Packets routed to any handler.
    pub const fn packets(&self) -> u64 {
        self.housekeeping + self.science + self.events + self.idle + self.unrouted
    }
}

/// A packet handler: updates the counters for one decoded header.
pub type Handler = fn(&mut Counters, Decoded);

fn housekeeping(c: &mut Counters, d: Decoded) {
    c.housekeeping += 1;
    c.housekeeping_seq ^= u64::from(d.sequence_count);
}

fn science(c: &mut Counters, d: Decoded) {
    c.science += 1;
    c.science_octets += u64::from(d.data_length) + 1;
}

fn events(c: &mut Counters, d: Decoded) {
    c.events += 1;
    c.event_apids += u64::from(d.apid);
}

fn idle(c: &mut Counters, _: Decoded) {
    c.idle += 1;
}

fn unrouted(c: &mut Counters, _: Decoded) {
    c.unrouted += 1;
}

/// Routes packets by APID through a 2048-entry table of handler function pointers, as an
/// on-board software bus would.
#[derive(Debug, Clone)]
pub struct Router {
    table: [Handler; 2048],
    /// What the handlers accumulated.
    pub counters: Counters,
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

impl Router {
    /// The handler table for [`MIX`]; APIDs outside it go to an "unrouted" handler.
    pub fn new() -> Self {
        let handlers: [Handler; 4] = [housekeeping, science, events, idle];
        let mut table: [Handler; 2048] = [unrouted; 2048];
        for (class, handler) in MIX.iter().zip(handlers) {
            let start = usize::from(class.apid_start);
            for slot in &mut table[start..start + usize::from(class.apid_count)] {
                *slot = handler;
            }
        }
        Self {
            table,
            counters: Counters::default(),
        }
    }

    /// Dispatches one decoded header. Never inlined, so that the measured loop pays for a real
    /// call and an indirect jump, like a software bus does, whatever the decoder.
    #[inline(never)]
    pub fn route(&mut self, d: Decoded) {
        (self.table[usize::from(d.apid) & 0x7FF])(&mut self.counters, d);
    }
}

/// Decodes the [`BATCH`] packets starting at `offset` of `stream` and hands each header to
/// `sink` (e.g. [`Router::route`]); returns the offset after them, or `None` if a header did not
/// decode (the stream cannot be followed past it).
#[inline(always)]
pub fn run_batch(
    stream: &[u8],
    mut offset: usize,
    decode: impl Fn(&[u8]) -> Option<Decoded>,
    mut sink: impl FnMut(Decoded),
) -> Option<usize> {
    for _ in 0..BATCH {
        let d = decode(&stream[offset..])?;
        // The advance is taken before the sink, so the loop-carried dependency
        // (offset → header → length → offset) is only the decoder's own work.
        offset += d.packet_len();
        sink(std::hint::black_box(d));
    }
    Some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_decoders_route_the_same_stream_identically() {
        let pool = PacketPool::generate(7, 40, usize::MAX);
        assert_eq!(pool.batch_starts.len(), 40);
        let mut ours = Router::new();
        let mut theirs = Router::new();
        for (i, &start) in pool.batch_starts.iter().enumerate() {
            let end = pool
                .batch_starts
                .get(i + 1)
                .copied()
                .unwrap_or(pool.bytes.len());
            let next = run_batch(&pool.bytes, start, decode_ours, |d| ours.route(d));
            assert_eq!(next, Some(end));
            let next = run_batch(&pool.bytes, start, decode_spacepackets, |d| theirs.route(d));
            assert_eq!(next, Some(end));
        }
        assert_eq!(ours.counters, theirs.counters);
        let c = ours.counters;
        assert_eq!((c.packets(), c.unrouted), (40 * 256, 0));
        // The mix is roughly 40/35/20/5 %.
        let pct = |n: u64| n * 100 / c.packets();
        assert!((37..=43).contains(&pct(c.housekeeping)), "{c:?}");
        assert!((32..=38).contains(&pct(c.science)), "{c:?}");
        assert!((17..=23).contains(&pct(c.events)), "{c:?}");
        assert!((3..=7).contains(&pct(c.idle)), "{c:?}");
    }

    #[test]
    fn a_bad_header_stops_the_batch() {
        let mut pool = PacketPool::generate(5, 1, usize::MAX);
        pool.bytes[0] |= 0xE0; // version 7: ours rejects it (133.0-B-2 §4.1.3.2)
        assert_eq!(run_batch(&pool.bytes, 0, decode_ours, |_| {}), None);
    }

    #[test]
    fn mixed_stream_is_whole_packets_within_bound() {
        let s = mixed_stream(1, 64 * 1024);
        assert!(s.len() <= 64 * 1024 && s.len() > 64 * 1024 - 300);
        let n = ccsds_spp::PacketStream::new(&s)
            .inspect(|p| assert!(p.is_ok()))
            .count();
        assert!(n > 400);
    }

    #[test]
    fn pool_stops_at_max_bytes() {
        let pool = PacketPool::generate(3, usize::MAX, 100_000);
        assert!(pool.bytes.len() >= 100_000);
        assert!(pool.batch_starts.len() < 10);
    }
}
