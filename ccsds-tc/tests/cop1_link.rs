//! COP-1 end to end: FOP-1 on the ground and FARM-1 on the payload over a simulated lossy link
//! (seeded: frame loss, duplication and reordering on the uplink, CLCW loss and delay on the
//! downlink, a simulated clock for timer T1).
//!
//! Property (232.1-B-2 §2.2: COP-1 delivers Type-A FDUs in order, without duplication or
//! omission, or the FOP alerts its user): with loss up to 30 %, the payload receives the FDUs
//! exactly once and in order — a prefix of what was sent — and all of them unless FOP-1 raised
//! an alert; every FDU FOP-1 positively confirmed was delivered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;
use std::num::{NonZeroU8, NonZeroU32};
use std::time::Duration;

use ccsds_core::Clcw;
use ccsds_tc::cop1::farm::{Farm1, FarmConfig};
use ccsds_tc::cop1::fop::{
    AlertReason, Directive, Fop1, FopAction, FopConfig, FopState, RequestId, Response, TimeoutType,
};
use ccsds_tc::frame::{FrameType, TcFrame, TcFrameRepr};
use ccsds_tc::{Scid, Vcid};
use proptest::prelude::*;

/// One simulated tick of the link.
const TICK: Duration = Duration::from_millis(100);

/// The link's imperfections, in percent per frame (or per CLCW).
#[derive(Debug, Clone, Copy)]
struct Link {
    loss: u64,
    duplication: u64,
    reordering: u64,
    clcw_loss: u64,
}

/// Deterministic xorshift64 (no dependency, reproducible from the seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[derive(Debug, Default)]
struct Outcome {
    delivered: Vec<Vec<u8>>,
    confirmed: Vec<usize>,
    alert: Option<AlertReason>,
    retransmissions: usize,
}

/// Runs `count` FDUs through FOP-1 → uplink → FARM-1 → CLCW → downlink → FOP-1.
fn run(seed: u64, link: Link, count: usize) -> Outcome {
    let vcid = Vcid::new(3).unwrap();
    let template = TcFrameRepr {
        frame_type: FrameType::Ad,
        scid: Scid::new(0x1AB).unwrap(),
        vcid,
        sequence_number: 0,
        segment: None,
        fecf: true,
    };
    let mut rng = Rng(seed | 1);
    let mut fop = Fop1::new(FopConfig {
        vcid,
        sliding_window_width: NonZeroU8::new(8).unwrap(),
        t1_initial: TICK * 6,
        transmission_limit: NonZeroU32::new(30).unwrap(),
        timeout_type: TimeoutType::Alert,
    });
    let mut farm = Farm1::new(FarmConfig::new(vcid, 20).unwrap());
    fop.directive(Directive::InitiateAdWithoutClcw);

    let fdu = |i: usize| format!("command {i}").into_bytes();
    let mut out = Outcome::default();
    // Frames in flight on the uplink with the tick they arrive at; CLCWs on the downlink too.
    let mut uplink: VecDeque<(u64, Vec<u8>)> = VecDeque::new();
    let mut downlink: VecDeque<(u64, Clcw)> = VecDeque::new();
    let mut requests: Vec<(RequestId, usize)> = Vec::new();
    let mut next = 0usize;
    let mut deadline: Option<u64> = None;

    for now in 0u64..50_000 {
        if out.delivered.len() == count && out.confirmed.len() == count {
            break;
        }
        // The ground's user hands FOP-1 the next FDU whenever its wait queue is free.
        if next < count && fop.state() == FopState::Active && fop.wait_queue_len() == 0 {
            requests.push((fop.request_transfer_ad(fdu(next)), next));
            next += 1;
        }
        while let Some(action) = fop.poll_action() {
            match &action {
                FopAction::TransmitAd {
                    ns,
                    data,
                    retransmission,
                } => {
                    out.retransmissions += usize::from(*retransmission);
                    let repr = TcFrameRepr {
                        sequence_number: *ns,
                        ..template
                    };
                    let mut frame = vec![0u8; repr.buffer_len(data.len())];
                    repr.emit(data, &mut frame).unwrap();
                    fop.ad_accepted(); // the lower layer took the frame
                    if rng.chance(link.loss) {
                        continue;
                    }
                    let copies = if rng.chance(link.duplication) { 2 } else { 1 };
                    for _ in 0..copies {
                        let delay = 1 + if rng.chance(link.reordering) {
                            rng.next() % 4
                        } else {
                            0
                        };
                        uplink.push_back((now + delay, frame.clone()));
                    }
                }
                FopAction::TransmitBc(_) | FopAction::TransmitBd { .. } => {
                    panic!("this scenario sends only AD frames: {action:?}")
                }
                FopAction::StartTimer(d) => {
                    deadline = Some(now + (d.as_millis() / TICK.as_millis()) as u64);
                }
                FopAction::CancelTimer => deadline = None,
                FopAction::Alert(reason) => out.alert = out.alert.or(Some(*reason)),
                FopAction::RequestResponse {
                    id,
                    response: Response::PositiveConfirm,
                } => {
                    let (_, index) = requests.iter().find(|(r, _)| r == id).unwrap();
                    out.confirmed.push(*index);
                }
                _ => {}
            }
        }
        if out.alert.is_some() {
            break;
        }
        // Uplink: frames whose time has come reach the FARM, in arrival-time order (a delayed
        // frame lets later ones overtake it).
        let mut arrived: Vec<(u64, Vec<u8>)> = Vec::new();
        uplink.retain(|(at, frame)| {
            let due = *at <= now;
            if due {
                arrived.push((*at, frame.clone()));
            }
            !due
        });
        arrived.sort_by_key(|(at, _)| *at);
        for (_, bytes) in arrived {
            let frame = TcFrame::new_checked(&bytes[..], template.config()).unwrap();
            if farm.on_frame(&frame, true).accepted() {
                out.delivered.push(frame.data().to_vec());
            }
        }
        // Downlink: one CLCW per tick, sometimes lost, arriving after one or two ticks.
        if !rng.chance(link.clcw_loss) {
            downlink.push_back((now + 1 + rng.next() % 2, farm.clcw()));
        }
        while downlink.front().is_some_and(|(at, _)| *at <= now) {
            let (_, clcw) = downlink.pop_front().unwrap();
            fop.clcw_received(&clcw);
        }
        if deadline.is_some_and(|d| d <= now) {
            deadline = None;
            fop.timer_expired();
        }
    }
    out
}

fn check(seed: u64, link: Link, count: usize) -> Outcome {
    let out = run(seed, link, count);
    let sent: Vec<Vec<u8>> = (0..count)
        .map(|i| format!("command {i}").into_bytes())
        .collect();
    // Exactly once, in order: what arrived is a prefix of what was sent, without duplicates.
    assert!(
        out.delivered.len() <= count,
        "{link:?} seed {seed}: duplicates delivered"
    );
    assert_eq!(
        out.delivered[..],
        sent[..out.delivered.len()],
        "{link:?} seed {seed}"
    );
    // An FDU the FOP confirmed was delivered, and confirmations come in order.
    assert!(
        out.confirmed.iter().enumerate().all(|(i, &c)| c == i),
        "{link:?} seed {seed}"
    );
    assert!(
        out.confirmed.len() <= out.delivered.len(),
        "{link:?} seed {seed}"
    );
    // Everything, unless FOP-1 raised the alert the spec prescribes (limit or T1 expiry).
    match out.alert {
        None => {
            assert_eq!(
                out.delivered.len(),
                count,
                "{link:?} seed {seed}: stalled without alert"
            );
            assert_eq!(
                out.confirmed.len(),
                count,
                "{link:?} seed {seed}: unconfirmed without alert"
            );
        }
        Some(reason) => assert!(
            matches!(reason, AlertReason::Limit | AlertReason::T1),
            "{link:?} seed {seed}: unexpected alert {reason:?}"
        ),
    }
    out
}

#[test]
fn perfect_link_needs_no_retransmission() {
    let link = Link {
        loss: 0,
        duplication: 0,
        reordering: 0,
        clcw_loss: 0,
    };
    let out = check(1, link, 50);
    assert_eq!(
        (out.delivered.len(), out.retransmissions, out.alert),
        (50, 0, None)
    );
}

#[test]
fn thirty_percent_loss_with_duplicates_and_reordering() {
    let link = Link {
        loss: 30,
        duplication: 10,
        reordering: 10,
        clcw_loss: 30,
    };
    let mut alerts = 0;
    for seed in 1..=20 {
        let out = check(seed, link, 40);
        assert!(out.alert.is_some() || out.retransmissions > 0);
        alerts += usize::from(out.alert.is_some());
    }
    // With a transmission limit of 30, 30 % loss should practically never exhaust it.
    assert_eq!(alerts, 0);
}

#[test]
fn a_dead_link_raises_the_alert() {
    let link = Link {
        loss: 100,
        duplication: 0,
        reordering: 0,
        clcw_loss: 100,
    };
    let out = run(5, link, 3);
    assert!(out.delivered.is_empty());
    assert!(
        matches!(out.alert, Some(AlertReason::Limit | AlertReason::T1)),
        "{:?}",
        out.alert
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn exactly_once_in_order_or_alert(
        seed: u64,
        loss in 0u64..=30,
        duplication in 0u64..=20,
        reordering in 0u64..=20,
        clcw_loss in 0u64..=30,
        count in 1usize..40,
    ) {
        check(seed, Link { loss, duplication, reordering, clcw_loss }, count);
    }
}
