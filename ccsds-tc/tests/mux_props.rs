//! Segmentation, blocking and reassembly (CCSDS 232.0-B-4 §4.2.2–4.2.3, §4.3.2–4.3.3):
//! the reassembly rules one by one, and properties over random SDUs, frame sizes, MAP
//! interleavings and frame losses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_tc::frame::{FrameConfig, SegmentHeader, SequenceFlags, TcFrame};
use ccsds_tc::mux::{
    Reassembler, ReassemblerConfig, ReassemblyError, Segmenter, SegmenterConfig, deblock,
};
use ccsds_tc::{ErrorKind, MapId, Scid, Vcid};
use proptest::prelude::*;

fn map(id: u8) -> MapId {
    MapId::new(id).unwrap()
}

fn segmenter(max_frame_len: usize, fecf: bool, bypass: bool) -> Segmenter {
    Segmenter::new(SegmenterConfig {
        scid: Scid::new(0x2AB).unwrap(),
        vcid: Vcid::new(3).unwrap(),
        bypass,
        fecf,
        max_frame_len,
    })
    .unwrap()
}

fn rx_config(fecf: bool) -> FrameConfig {
    FrameConfig {
        segment_header: true,
        fecf,
    }
}

/// All frames for `sdus` on `map_id` (one `frames` call, so small SDUs are blocked), N(S) 0.
fn frames(seg: &Segmenter, map_id: MapId, sdus: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut it = seg.frames(map_id, sdus).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    while let Some(n) = it.next_frame(0, &mut buf) {
        let n = n.unwrap();
        assert!(n <= seg.config().max_frame_len);
        out.push(buf[..n].to_vec());
    }
    out
}

/// Sets N(S) of an emitted frame and refreshes its FECF.
fn renumber(frame: &mut [u8], fecf: bool, n: u8) {
    let mut view = TcFrame::new_unchecked_with(frame, rx_config(fecf));
    view.set_sequence_number(n).unwrap();
    view.fill_fecf().unwrap();
}

type Delivered = Vec<(MapId, Vec<u8>)>;

fn push(
    rx: &mut Reassembler,
    frame: &[u8],
    fecf: bool,
    delivered: &mut Delivered,
) -> Result<(), ReassemblyError> {
    let frame = TcFrame::new_checked(frame, rx_config(fecf)).unwrap();
    rx.push(&frame, |m, sdu| delivered.push((m, sdu.to_vec())))
}

fn rx(max_sdu_len: usize, check_sequence: bool) -> Reassembler {
    Reassembler::new(ReassemblerConfig {
        max_sdu_len,
        check_sequence,
    })
}

#[test]
fn segmenter_config_is_checked() {
    let cfg = |max_frame_len, fecf| SegmenterConfig {
        scid: Scid::MAX,
        vcid: Vcid::MAX,
        bypass: false,
        fecf,
        max_frame_len,
    };
    assert!(Segmenter::new(cfg(1024, true)).is_ok());
    assert!(Segmenter::new(cfg(9, true)).is_ok());
    assert!(Segmenter::new(cfg(7, false)).is_ok());
    for (len, fecf) in [(1025, false), (8, true), (6, false)] {
        let e = Segmenter::new(cfg(len, fecf)).unwrap_err();
        assert_eq!(e.field, "max_frame_len");
        assert_eq!(e.kind, ErrorKind::InvalidValue { value: len as u64 });
    }
    assert_eq!(segmenter(1024, true, false).max_data_len(), 1016);
}

#[test]
fn empty_sdu_is_refused() {
    let seg = segmenter(64, true, false);
    let sdus: [&[u8]; 2] = [b"abc", b""];
    let e = seg.frames(map(1), &sdus).unwrap_err();
    assert_eq!((e.offset, e.field), (1, "sdu_length"));
}

#[test]
fn segmentation_flags_and_sizes() {
    // 16-octet frames with FECF carry 8 octets of data: 20 octets → 8 + 8 + 4.
    let seg = segmenter(16, true, true);
    let sdu: Vec<u8> = (0..20).collect();
    let sdus = [&sdu[..]];
    let out = frames(&seg, map(5), &sdus);
    let flags: Vec<_> = out
        .iter()
        .map(|f| {
            let f = TcFrame::new_checked(&f[..], rx_config(true)).unwrap();
            assert!(f.bypass());
            assert_eq!(f.segment_header().unwrap().map_id, map(5));
            (f.segment_header().unwrap().sequence_flags, f.data().len())
        })
        .collect();
    assert_eq!(
        flags,
        [
            (SequenceFlags::First, 8),
            (SequenceFlags::Continuing, 8),
            (SequenceFlags::Last, 4)
        ]
    );
    // Exactly one frame's worth is not segmented.
    let sdus = [&sdu[..8]];
    let out = frames(&seg, map(5), &sdus);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0][5], 0xC5); // 11 000101: unsegmented, MAP 5
}

#[test]
fn blocking_fills_frames_and_segments_only_what_does_not_fit() {
    let seg = segmenter(16, false, false); // 10 data octets per frame
    let sdus: [&[u8]; 5] = [b"aaa", b"bbb", b"cccc", b"dd", b"eeeeeeeeeeeeeeee"];
    let out = frames(&seg, map(2), &sdus);
    let data: Vec<(SequenceFlags, Vec<u8>)> = out
        .iter()
        .map(|f| {
            let f = TcFrame::new_checked(&f[..], rx_config(false)).unwrap();
            (
                f.segment_header().unwrap().sequence_flags,
                f.data().to_vec(),
            )
        })
        .collect();
    assert_eq!(
        data,
        [
            (SequenceFlags::Unsegmented, b"aaabbbcccc".to_vec()),
            (SequenceFlags::Unsegmented, b"dd".to_vec()),
            (SequenceFlags::First, b"eeeeeeeeee".to_vec()),
            (SequenceFlags::Last, b"eeeeee".to_vec()),
        ]
    );
}

#[test]
fn next_frame_with_small_buffer_consumes_nothing() {
    let seg = segmenter(32, true, false);
    let sdus: [&[u8]; 1] = [b"hello"];
    let mut it = seg.frames(map(0), &sdus).unwrap();
    let mut small = [0u8; 8];
    let e = it.next_frame(0, &mut small).unwrap().unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::BufferTooSmall {
            needed: 13,
            available: 8
        }
    );
    let mut buf = [0u8; 32];
    assert_eq!(it.next_frame(7, &mut buf).unwrap(), Ok(13));
    assert_eq!(buf[4], 7); // N(S) as given by the caller
    assert!(it.next_frame(8, &mut buf).is_none());
}

/// Frames of `sdu` on `map_id`, 8 data octets each, N(S) 0, no FECF.
fn segments(map_id: u8, sdu: &[u8]) -> Vec<Vec<u8>> {
    frames(&segmenter(14, false, false), map(map_id), &[sdu])
}

#[test]
fn continuing_or_last_without_first_is_an_error() {
    let mut r = rx(100, false);
    let mut got = Vec::new();
    let f = segments(1, &[7; 20]); // first 8, continuing 8, last 4
    assert_eq!(
        push(&mut r, &f[1], false, &mut got),
        Err(ReassemblyError::NoFirstSegment {
            map_id: map(1),
            flags: SequenceFlags::Continuing,
            len: 8
        })
    );
    assert_eq!(
        push(&mut r, &f[2], false, &mut got),
        Err(ReassemblyError::NoFirstSegment {
            map_id: map(1),
            flags: SequenceFlags::Last,
            len: 4
        })
    );
    assert!(got.is_empty());
}

#[test]
fn new_first_segment_discards_the_open_one() {
    let mut r = rx(100, false);
    let mut got = Vec::new();
    let a = segments(1, &[0xA; 20]);
    let b = segments(1, &[0xB; 12]);
    push(&mut r, &a[0], false, &mut got).unwrap();
    push(&mut r, &a[1], false, &mut got).unwrap();
    assert_eq!(r.pending(map(1)), 16);
    assert_eq!(
        push(&mut r, &b[0], false, &mut got),
        Err(ReassemblyError::Interrupted {
            map_id: map(1),
            discarded: 16
        })
    );
    // The new first segment was kept.
    assert_eq!(r.pending(map(1)), 8);
    push(&mut r, &b[1], false, &mut got).unwrap();
    assert_eq!(got, [(map(1), vec![0xB; 12])]);
}

#[test]
fn unsegmented_frame_while_open_is_delivered_and_reports_the_loss() {
    let mut r = rx(100, false);
    let mut got = Vec::new();
    let a = segments(4, &[0xA; 20]);
    let c = segments(4, b"small");
    push(&mut r, &a[0], false, &mut got).unwrap();
    assert_eq!(
        push(&mut r, &c[0], false, &mut got),
        Err(ReassemblyError::Interrupted {
            map_id: map(4),
            discarded: 8
        })
    );
    assert_eq!(got, [(map(4), b"small".to_vec())]);
    assert_eq!(r.pending(map(4)), 0);
}

#[test]
fn sdu_over_the_cap_is_discarded() {
    let mut r = rx(10, false);
    let mut got = Vec::new();
    let a = segments(2, &[0xA; 20]);
    push(&mut r, &a[0], false, &mut got).unwrap();
    assert_eq!(
        push(&mut r, &a[1], false, &mut got),
        Err(ReassemblyError::TooLong {
            map_id: map(2),
            max: 10,
            len: 16
        })
    );
    assert_eq!(r.pending(map(2)), 0);
    // The rest of that SDU has nothing to attach to.
    assert!(matches!(
        push(&mut r, &a[2], false, &mut got),
        Err(ReassemblyError::NoFirstSegment { .. })
    ));
    // A first segment alone over the cap.
    let mut r = rx(5, false);
    assert_eq!(
        push(&mut r, &a[0], false, &mut got),
        Err(ReassemblyError::TooLong {
            map_id: map(2),
            max: 5,
            len: 8
        })
    );
    assert!(got.is_empty());
}

#[test]
fn sequence_gap_discards_every_partial() {
    let mut r = rx(100, true);
    let mut got = Vec::new();
    let mut a = segments(1, &[0xA; 20]);
    let mut b = segments(2, &[0xB; 20]);
    renumber(&mut a[0], false, 10);
    renumber(&mut b[0], false, 11);
    renumber(&mut a[1], false, 12);
    // N(S) 13 (b[1]) lost.
    renumber(&mut a[2], false, 14);
    renumber(&mut b[2], false, 15);
    push(&mut r, &a[0], false, &mut got).unwrap();
    push(&mut r, &b[0], false, &mut got).unwrap();
    push(&mut r, &a[1], false, &mut got).unwrap();
    assert_eq!(
        push(&mut r, &a[2], false, &mut got),
        Err(ReassemblyError::SequenceGap {
            expected: 13,
            received: 14,
            discarded: 16 + 8 + 4
        })
    );
    assert!(matches!(
        push(&mut r, &b[2], false, &mut got),
        Err(ReassemblyError::NoFirstSegment { .. })
    ));
    assert!(got.is_empty());
    // N(S) wraps modulo 256.
    let mut r = rx(100, true);
    let mut c = segments(3, &[0xC; 12]);
    renumber(&mut c[0], false, 255);
    renumber(&mut c[1], false, 0);
    push(&mut r, &c[0], false, &mut got).unwrap();
    push(&mut r, &c[1], false, &mut got).unwrap();
    assert_eq!(got, [(map(3), vec![0xC; 12])]);
}

#[test]
fn frames_without_segment_header_are_refused() {
    let mut r = rx(100, false);
    // A BC frame (Unlock) on a VC with segment headers.
    let bc = [0x30, 0x7B, 0x00, 0x05, 0x00, 0x00];
    let frame = TcFrame::new_checked(&bc[..], rx_config(false)).unwrap();
    assert_eq!(
        r.push(&frame, |_, _| panic!("nothing to deliver")),
        Err(ReassemblyError::NoSegmentHeader)
    );
}

#[test]
fn reset_discards_partials() {
    let mut r = rx(100, true);
    let mut got = Vec::new();
    let a = segments(1, &[0xA; 20]);
    push(&mut r, &a[0], false, &mut got).unwrap();
    r.reset();
    assert_eq!(r.pending(map(1)), 0);
    // After a reset any N(S) is accepted.
    let mut c = segments(1, b"x");
    renumber(&mut c[0], false, 200);
    push(&mut r, &c[0], false, &mut got).unwrap();
    assert_eq!(got, [(map(1), b"x".to_vec())]);
}

#[test]
fn deblock_errors() {
    let len = |b: &[u8]| b.first().map(|&n| usize::from(n));
    let items: Vec<_> = deblock(&[2, 9, 3, 1], len).collect();
    assert_eq!(items[0], Ok(&[2, 9][..]));
    let e = items[1].unwrap_err();
    assert_eq!((e.offset, e.field), (2, "packet"));
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 3,
            available: 2
        }
    );
    assert_eq!(items.len(), 2);
    let items: Vec<_> = deblock(&[1, 0, 5], len).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].unwrap_err().field, "packet_length");
}

/// xorshift64*, to interleave and drop frames reproducibly from a proptest seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Segments each SDU on its own (no blocking), interleaves the MAPs' frame streams at random
/// (keeping each MAP's order) and numbers the result consecutively.
fn interleaved(seg: &Segmenter, maps: &[Vec<Vec<u8>>], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut queues: Vec<std::collections::VecDeque<Vec<u8>>> = maps
        .iter()
        .enumerate()
        .map(|(m, sdus)| {
            sdus.iter()
                .flat_map(|sdu| frames(seg, map(m as u8 * 21), &[&sdu[..]]))
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    while queues.iter().any(|q| !q.is_empty()) {
        let live: Vec<usize> = (0..queues.len())
            .filter(|&i| !queues[i].is_empty())
            .collect();
        let pick = live[(rng.next() % live.len() as u64) as usize];
        let mut f = queues[pick].pop_front().unwrap();
        renumber(&mut f, seg.config().fecf, out.len() as u8);
        out.push(f);
    }
    out
}

fn sdus_per_map() -> impl Strategy<Value = Vec<Vec<Vec<u8>>>> {
    let sdu = (1usize..5000, any::<u8>()).prop_map(|(len, tag)| {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31) ^ tag)
            .collect::<Vec<u8>>()
    });
    proptest::collection::vec(proptest::collection::vec(sdu, 1..4), 1..4)
}

fn max_frame_len() -> impl Strategy<Value = usize> {
    prop_oneof![9usize..=40, 41usize..=1024]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn segment_interleave_reassemble(
        maps in sdus_per_map(),
        max_len in max_frame_len(),
        fecf: bool,
        bypass: bool,
        seed: u64,
    ) {
        let seg = segmenter(max_len, fecf, bypass);
        let stream = interleaved(&seg, &maps, &mut Rng(seed | 1));
        let mut r = rx(5000, true);
        let mut got = Vec::new();
        for f in &stream {
            prop_assert_eq!(push(&mut r, f, fecf, &mut got), Ok(()));
        }
        for (m, sdus) in maps.iter().enumerate() {
            let mine: Vec<&Vec<u8>> = got.iter().filter(|(id, _)| *id == map(m as u8 * 21)).map(|(_, s)| s).collect();
            prop_assert_eq!(mine, sdus.iter().collect::<Vec<_>>());
        }
    }

    /// Losing frames never makes up an SDU: what is delivered on each MAP is a subsequence of
    /// what was sent there (every delivered SDU complete and correct).
    #[test]
    fn frame_loss_never_fabricates(
        maps in sdus_per_map(),
        max_len in max_frame_len(),
        fecf: bool,
        seed: u64,
        drop_per_mille in 1u64..500,
    ) {
        let seg = segmenter(max_len, fecf, false);
        let mut rng = Rng(seed | 1);
        let stream = interleaved(&seg, &maps, &mut rng);
        let mut r = rx(5000, true);
        let mut got = Vec::new();
        for f in &stream {
            if rng.next() % 1000 >= drop_per_mille {
                let _ = push(&mut r, f, fecf, &mut got);
            }
        }
        for (m, sdus) in maps.iter().enumerate() {
            let mut sent = sdus.iter();
            for (_, sdu) in got.iter().filter(|(id, _)| *id == map(m as u8 * 21)) {
                prop_assert!(sent.any(|s| s == sdu), "fabricated SDU of {} octets", sdu.len());
            }
        }
    }

    /// Blocking several packets into one frame and deblocking them on the other side, with a
    /// toy packet format whose first two octets give its total length.
    #[test]
    fn block_and_deblock(
        lens in proptest::collection::vec(2usize..1500, 1..30),
        max_len in max_frame_len(),
        fecf: bool,
    ) {
        let packets: Vec<Vec<u8>> = lens
            .iter()
            .map(|&n| {
                let mut p = (n as u16).to_be_bytes().to_vec();
                p.extend((2..n).map(|i| i as u8));
                p
            })
            .collect();
        let refs: Vec<&[u8]> = packets.iter().map(|p| &p[..]).collect();
        let seg = segmenter(max_len, fecf, true);
        let mut r = rx(1500, false);
        let mut units = Vec::new();
        for f in frames(&seg, map(7), &refs) {
            prop_assert_eq!(push(&mut r, &f, fecf, &mut units), Ok(()));
        }
        let len_of = |b: &[u8]| b.first_chunk::<2>().map(|h| usize::from(u16::from_be_bytes(*h)));
        let got: Vec<&[u8]> = units
            .iter()
            .flat_map(|(_, unit)| deblock(unit, len_of))
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(got, refs);
    }

    #[test]
    fn arbitrary_frames_never_panic_the_reassembler(
        frames in proptest::collection::vec((any::<u8>(), any::<u8>(), proptest::collection::vec(any::<u8>(), 0..40)), 0..60),
        max_sdu_len in 0usize..100,
        check_sequence: bool,
    ) {
        let mut r = rx(max_sdu_len, check_sequence);
        for (ns, seg, data) in frames {
            let mut delivered = 0usize;
            let _ = r.push_data(ns, SegmentHeader::from_octet(seg), &data, |_, sdu| {
                delivered += sdu.len();
            });
            prop_assert!(r.pending(SegmentHeader::from_octet(seg).map_id) <= max_sdu_len);
        }
    }
}
