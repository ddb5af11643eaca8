//! FARM-1 (CCSDS 232.1-B-2 §6, state table 6-1): one row per (state, event) cell, the window
//! boundaries with and without wraparound, and properties over arbitrary event sequences.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ccsds_core::Clcw;
use ccsds_tc::cop1::farm::{Farm1, FarmAction, FarmConfig, FarmEvent, FarmOutcome, FarmState};
use ccsds_tc::frame::{ControlCommand, FrameConfig, FrameType, TcFrame, TcFrameRepr};
use ccsds_tc::{Scid, Vcid};
use proptest::prelude::*;

const VCID: u8 = 7;
/// W = 10, so PW = NW = 5.
const W: u8 = 10;
const PW: u8 = W / 2;
const NW: u8 = W / 2;
/// V(R) after every set-up, unless a row says otherwise.
const VR: u8 = 10;

fn emit(frame_type: FrameType, n_s: u8, data: &[u8]) -> TcFrame<Vec<u8>> {
    let repr = TcFrameRepr {
        frame_type,
        scid: Scid::new(0x1AB).unwrap(),
        vcid: Vcid::new(VCID).unwrap(),
        sequence_number: n_s,
        segment: None,
        fecf: true,
    };
    let mut buf = vec![0u8; repr.buffer_len(data.len())];
    repr.emit(data, &mut buf).unwrap();
    TcFrame::new_checked(buf, repr.config()).unwrap()
}

/// One input to the FARM.
#[derive(Debug, Clone)]
enum Input {
    /// AD frame with N(S), and whether the Higher Procedures have a buffer.
    Ad(u8, bool),
    Bd,
    Unlock,
    SetVr(u8),
    /// BC frame whose data field is not a control command.
    BadBc(Vec<u8>),
    /// Bypass 0 + control command 1: not a valid frame type.
    Ac,
    Release,
}

impl Input {
    fn frame(&self) -> Option<TcFrame<Vec<u8>>> {
        let bc = |c: ControlCommand| {
            let mut d = [0u8; 3];
            let n = c.emit(&mut d).unwrap();
            emit(FrameType::Bc, 0, &d[..n])
        };
        Some(match self {
            Self::Ad(n_s, _) => emit(FrameType::Ad, *n_s, b"fdu"),
            Self::Bd => emit(FrameType::Bd, 0, b"fdu"),
            Self::Unlock => bc(ControlCommand::Unlock),
            Self::SetVr(v) => bc(ControlCommand::SetVr(*v)),
            Self::BadBc(data) => emit(FrameType::Bc, 0, data),
            Self::Ac => {
                // Built by hand: the frame codec refuses to emit this combination.
                let mut buf = emit(FrameType::Ad, 0, b"fdu").into_inner();
                buf[0] |= 0x10;
                TcFrame::new_unchecked_with(
                    buf,
                    FrameConfig {
                        segment_header: false,
                        fecf: false,
                    },
                )
            }
            Self::Release => return None,
        })
    }

    fn apply(&self, farm: &mut Farm1) -> FarmOutcome {
        match (self, self.frame()) {
            (Self::Ad(_, buffer), Some(f)) => farm.on_frame(&f, *buffer),
            (_, Some(f)) => farm.on_frame(&f, true),
            (_, None) => farm.on_buffer_release(),
        }
    }
}

/// How the FARM is brought into the row's initial state, from a fresh FARM, by events only.
#[derive(Debug, Clone, Copy)]
enum Setup {
    /// S1 via Set V(R) (FARM-B = 1).
    Open(u8),
    /// S1 with Retransmit set, via Set V(R) then E3.
    OpenRetransmit(u8),
    /// S2 via Set V(R) then E2 (Wait, Retransmit set).
    Wait(u8),
    /// S3 via Set V(R) then E5 (Wait and Retransmit clear).
    Lockout(u8),
    /// S3 entered from S2 (Wait and Retransmit still set).
    LockoutWaiting(u8),
}

impl Setup {
    fn farm(self) -> Farm1 {
        let mut farm = Farm1::new(FarmConfig::new(Vcid::new(VCID).unwrap(), W).unwrap());
        let (vr, steps) = match self {
            Self::Open(vr) => (vr, vec![]),
            Self::OpenRetransmit(vr) => (vr, vec![Input::Ad(vr.wrapping_add(1), true)]),
            Self::Wait(vr) => (vr, vec![Input::Ad(vr, false)]),
            Self::Lockout(vr) => (vr, vec![Input::Ad(vr.wrapping_add(PW), true)]),
            Self::LockoutWaiting(vr) => (
                vr,
                vec![Input::Ad(vr, false), Input::Ad(vr.wrapping_add(PW), true)],
            ),
        };
        Input::SetVr(vr).apply(&mut farm);
        for step in steps {
            step.apply(&mut farm);
        }
        farm
    }
}

/// Expected CLCW flags after the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Flags {
    lockout: bool,
    wait: bool,
    retransmit: bool,
    v_r: u8,
    farm_b: u8,
}

const fn flags(l: u8, w: u8, r: u8, v_r: u8, farm_b: u8) -> Flags {
    Flags {
        lockout: l == 1,
        wait: w == 1,
        retransmit: r == 1,
        v_r,
        farm_b,
    }
}

fn clcw_flags(c: &Clcw) -> Flags {
    Flags {
        lockout: c.lockout,
        wait: c.wait,
        retransmit: c.retransmit,
        v_r: c.report_value,
        farm_b: c.farm_b_counter,
    }
}

struct Row {
    name: &'static str,
    setup: Setup,
    input: Input,
    event: FarmEvent,
    action: FarmAction,
    to: FarmState,
    /// lockout, wait, retransmit, V(R), FARM-B counter (2 bits).
    flags: Flags,
}

#[rustfmt::skip] // one table row per line
fn rows() -> Vec<Row> {
    use FarmAction::{Accept, Discard, Execute, Ignore};
    use FarmEvent::*;
    use FarmState::{Lockout, Open, Wait};
    use Input::{Ac, Ad, BadBc, Bd, Release, SetVr, Unlock};
    let (s1, s1r, s2, s3, s3w) = (
        Setup::Open(VR),
        Setup::OpenRetransmit(VR),
        Setup::Wait(VR),
        Setup::Lockout(VR),
        Setup::LockoutWaiting(VR),
    );
    let row = |name, setup, input, event, action, to, flags| Row {
        name,
        setup,
        input,
        event,
        action,
        to,
        flags,
    };
    vec![
        // ---- S1 Open ----
        row("S1 E1: accept, V(R)++", s1, Ad(VR, true), E1, Accept, Open, flags(0, 0, 0, VR + 1, 1)),
        row("S1r E1: accept clears R", s1r, Ad(VR, true), E1, Accept, Open, flags(0, 0, 0, VR + 1, 1)),
        row("S1 E2: no buffer → S2", s1, Ad(VR, false), E2, Discard, Wait, flags(0, 1, 1, VR, 1)),
        row("S1 E3: first of positive", s1, Ad(VR + 1, true), E3, Discard, Open, flags(0, 0, 1, VR, 1)),
        row("S1 E3: V(R)+PW−1, last positive", s1, Ad(VR + PW - 1, true), E3, Discard, Open, flags(0, 0, 1, VR, 1)),
        row("S1 E5: V(R)+PW, first lockout", s1, Ad(VR + PW, true), E5, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S1 E4: V(R)−1", s1, Ad(VR - 1, true), E4, Discard, Open, flags(0, 0, 0, VR, 1)),
        row("S1 E4: V(R)−NW, last negative", s1, Ad(VR - NW, true), E4, Discard, Open, flags(0, 0, 0, VR, 1)),
        row("S1r E4: R unchanged", s1r, Ad(VR - 1, true), E4, Discard, Open, flags(0, 0, 1, VR, 1)),
        row("S1 E5: V(R)−NW−1, lockout", s1, Ad(VR - NW - 1, true), E5, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S1 E5: opposite V(R)", s1, Ad(VR.wrapping_add(128), false), E5, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S1 E6: BD accepted", s1, Bd, E6, Accept, Open, flags(0, 0, 0, VR, 2)),
        row("S1r E6: R unchanged", s1r, Bd, E6, Accept, Open, flags(0, 0, 1, VR, 2)),
        row("S1 E7: Unlock", s1, Unlock, E7, Execute, Open, flags(0, 0, 0, VR, 2)),
        row("S1r E7: Unlock clears R", s1r, Unlock, E7, Execute, Open, flags(0, 0, 0, VR, 2)),
        row("S1 E8: Set V(R)", s1, SetVr(200), E8, Execute, Open, flags(0, 0, 0, 200, 2)),
        row("S1r E8: Set V(R) clears R", s1r, SetVr(3), E8, Execute, Open, flags(0, 0, 0, 3, 2)),
        row("S1 E9: unknown command", s1, BadBc(vec![0x01]), E9, Discard, Open, flags(0, 0, 0, VR, 1)),
        row("S1 E9: Set V(R) too short", s1, BadBc(vec![0x82, 0x00]), E9, Discard, Open, flags(0, 0, 0, VR, 1)),
        row("S1 E9: Unlock too long", s1, BadBc(vec![0x00, 0x00]), E9, Discard, Open, flags(0, 0, 0, VR, 1)),
        row("S1 E9: AC frame", s1, Ac, E9, Discard, Open, flags(0, 0, 0, VR, 1)),
        row("S1 E10: ignored", s1, Release, E10, Ignore, Open, flags(0, 0, 0, VR, 1)),
        row("S1r E10: R unchanged", s1r, Release, E10, Ignore, Open, flags(0, 0, 1, VR, 1)),
        // ---- S2 Wait ----
        // E1 is "not applicable" in S2: an in-sequence frame is E2 until E10 (see Farm1::on_frame).
        row("S2 E1 n/a: treated as E2", s2, Ad(VR, true), E2, Discard, Wait, flags(0, 1, 1, VR, 1)),
        row("S2 E2: discard", s2, Ad(VR, false), E2, Discard, Wait, flags(0, 1, 1, VR, 1)),
        row("S2 E3: discard", s2, Ad(VR + PW - 1, true), E3, Discard, Wait, flags(0, 1, 1, VR, 1)),
        row("S2 E4: discard", s2, Ad(VR - NW, true), E4, Discard, Wait, flags(0, 1, 1, VR, 1)),
        row("S2 E5: V(R)+PW → S3", s2, Ad(VR + PW, true), E5, Discard, Lockout, flags(1, 1, 1, VR, 1)),
        row("S2 E5: V(R)−NW−1 → S3", s2, Ad(VR - NW - 1, false), E5, Discard, Lockout, flags(1, 1, 1, VR, 1)),
        row("S2 E6: BD accepted", s2, Bd, E6, Accept, Wait, flags(0, 1, 1, VR, 2)),
        row("S2 E7: Unlock → S1", s2, Unlock, E7, Execute, Open, flags(0, 0, 0, VR, 2)),
        row("S2 E8: Set V(R) → S1", s2, SetVr(7), E8, Execute, Open, flags(0, 0, 0, 7, 2)),
        row("S2 E9: discard", s2, BadBc(vec![0x82, 0x01, 0x05]), E9, Discard, Wait, flags(0, 1, 1, VR, 1)),
        row("S2 E10: → S1, R kept", s2, Release, E10, Ignore, Open, flags(0, 0, 1, VR, 1)),
        // ---- S3 Lockout ----
        row("S3 E1: discard", s3, Ad(VR, true), E1, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S3 E2: discard, W stays 0", s3, Ad(VR, false), E2, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S3 E3: discard, R stays 0", s3, Ad(VR + 1, true), E3, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S3 E4: discard", s3, Ad(VR - 1, true), E4, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S3 E5: discard", s3, Ad(VR + PW, true), E5, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S3 E6: BD accepted", s3, Bd, E6, Accept, Lockout, flags(1, 0, 0, VR, 2)),
        row("S3 E7: Unlock → S1", s3, Unlock, E7, Execute, Open, flags(0, 0, 0, VR, 2)),
        row("S3 E8: only counted", s3, SetVr(200), E8, Execute, Lockout, flags(1, 0, 0, VR, 2)),
        row("S3 E9: discard", s3, BadBc(vec![0xFF]), E9, Discard, Lockout, flags(1, 0, 0, VR, 1)),
        row("S3 E10: stays S3", s3, Release, E10, Ignore, Lockout, flags(1, 0, 0, VR, 1)),
        // ---- S3 entered from S2: Wait and Retransmit still set ----
        row("S3w E1: discard, flags kept", s3w, Ad(VR, true), E1, Discard, Lockout, flags(1, 1, 1, VR, 1)),
        row("S3w E6: BD accepted", s3w, Bd, E6, Accept, Lockout, flags(1, 1, 1, VR, 2)),
        row("S3w E7: Unlock resets all", s3w, Unlock, E7, Execute, Open, flags(0, 0, 0, VR, 2)),
        row("S3w E8: only counted", s3w, SetVr(0), E8, Execute, Lockout, flags(1, 1, 1, VR, 2)),
        row("S3w E10: W := 0, stays S3", s3w, Release, E10, Ignore, Lockout, flags(1, 0, 1, VR, 1)),
        // ---- wraparound at 255 → 0 ----
        row("wrap E1: 255 → 0", Setup::Open(255), Ad(255, true), E1, Accept, Open, flags(0, 0, 0, 0, 1)),
        row("wrap E3: 253+PW−1 = 1", Setup::Open(253), Ad(1, true), E3, Discard, Open, flags(0, 0, 1, 253, 1)),
        row("wrap E5: 253+PW = 2", Setup::Open(253), Ad(2, true), E5, Discard, Lockout, flags(1, 0, 0, 253, 1)),
        row("wrap E4: 2−NW = 253", Setup::Open(2), Ad(253, true), E4, Discard, Open, flags(0, 0, 0, 2, 1)),
        row("wrap E5: 2−NW−1 = 252", Setup::Open(2), Ad(252, true), E5, Discard, Lockout, flags(1, 0, 0, 2, 1)),
        row("wrap E4: 0−1 = 255", Setup::Open(0), Ad(255, true), E4, Discard, Open, flags(0, 0, 0, 0, 1)),
        row("wrap E3: 255+1 = 0", Setup::Open(255), Ad(0, true), E3, Discard, Open, flags(0, 0, 1, 255, 1)),
        row("wrap S2 E5: 253+PW", Setup::Wait(253), Ad(2, true), E5, Discard, Lockout, flags(1, 1, 1, 253, 1)),
    ]
}

#[test]
fn state_table_6_1() {
    let rows = rows();
    for row in &rows {
        let mut farm = row.setup.farm();
        let from = farm.state();
        let before = farm.v_r();
        let out = row.input.apply(&mut farm);
        let expected = FarmOutcome {
            event: row.event,
            action: row.action,
            from,
            to: row.to,
        };
        assert_eq!(out, expected, "{}: {:?} in {from:?}", row.name, row.input);
        assert_eq!(farm.state(), row.to, "{}", row.name);
        assert_eq!(clcw_flags(&farm.clcw()), row.flags, "{}", row.name);
        if !matches!(row.event, FarmEvent::E1 | FarmEvent::E8) {
            assert_eq!(farm.v_r(), before, "{}: V(R) moved", row.name);
        }
    }
    // Every (state, event) cell E1–E10 is covered (S2 × E1 is "not applicable" and shows up
    // as E2, the row named "S2 E1 n/a").
    for state in [FarmState::Open, FarmState::Wait, FarmState::Lockout] {
        for event in [
            FarmEvent::E1,
            FarmEvent::E2,
            FarmEvent::E3,
            FarmEvent::E4,
            FarmEvent::E5,
            FarmEvent::E6,
            FarmEvent::E7,
            FarmEvent::E8,
            FarmEvent::E9,
            FarmEvent::E10,
        ] {
            let covered = rows.iter().any(|r| {
                r.setup.farm().state() == state
                    && (r.event == event
                        || (state, event) == (FarmState::Wait, FarmEvent::E1)
                            && r.name.starts_with("S2 E1"))
            });
            assert!(covered, "no row for {state:?} × {event:?}");
        }
    }
}

#[test]
fn setups_reach_their_states() {
    let check = |setup: Setup, state, f: Flags| {
        let farm = setup.farm();
        assert_eq!(farm.state(), state, "{setup:?}");
        assert_eq!(clcw_flags(&farm.clcw()), f, "{setup:?}");
    };
    check(Setup::Open(VR), FarmState::Open, flags(0, 0, 0, VR, 1));
    check(
        Setup::OpenRetransmit(VR),
        FarmState::Open,
        flags(0, 0, 1, VR, 1),
    );
    check(Setup::Wait(VR), FarmState::Wait, flags(0, 1, 1, VR, 1));
    check(
        Setup::Lockout(VR),
        FarmState::Lockout,
        flags(1, 0, 0, VR, 1),
    );
    check(
        Setup::LockoutWaiting(VR),
        FarmState::Lockout,
        flags(1, 1, 1, VR, 1),
    );
}

#[test]
fn fresh_farm_is_open_at_zero() {
    let farm = Farm1::new(FarmConfig::new(Vcid::new(VCID).unwrap(), W).unwrap());
    assert_eq!(farm.state(), FarmState::Open);
    let clcw = farm.clcw();
    assert_eq!(clcw_flags(&clcw), flags(0, 0, 0, 0, 0));
    assert_eq!((clcw.cop_in_effect, clcw.vcid.get()), (Clcw::COP_1, VCID));
}

#[test]
fn extreme_window_widths() {
    let farm_w = |w: u8, vr: u8| {
        let mut f = Farm1::new(FarmConfig::new(Vcid::new(VCID).unwrap(), w).unwrap());
        Input::SetVr(vr).apply(&mut f);
        f
    };
    // W = 2: PW = 1 leaves no positive part beyond V(R) itself; NW = 1.
    assert_eq!(
        Input::Ad(1, true).apply(&mut farm_w(2, 0)).event,
        FarmEvent::E5
    );
    assert_eq!(
        Input::Ad(255, true).apply(&mut farm_w(2, 0)).event,
        FarmEvent::E4
    );
    assert_eq!(
        Input::Ad(254, true).apply(&mut farm_w(2, 0)).event,
        FarmEvent::E5
    );
    // W = 254: PW = NW = 127; only V(R)+127 and V(R)+128 are in the lockout area.
    for (n_s, event) in [
        (126u8, FarmEvent::E3),
        (127, FarmEvent::E5),
        (128, FarmEvent::E5),
        (129, FarmEvent::E4),
    ] {
        assert_eq!(
            Input::Ad(n_s, true).apply(&mut farm_w(254, 0)).event,
            event,
            "{n_s}"
        );
    }
}

#[test]
fn in_order_stream_with_one_loss_and_a_full_buffer() {
    // A FOP-1 style exchange: frames 0, 2 (1 lost) → Retransmit; go-back-N 1, 2 → accepted;
    // frame 3 with no buffer → Wait; buffer release; retransmitted 3 accepted.
    let mut farm = Setup::Open(0).farm();
    let mut accepted = vec![];
    let mut feed = |farm: &mut Farm1, n_s: u8, buffer: bool| {
        let out = Input::Ad(n_s, buffer).apply(farm);
        if out.accepted() {
            accepted.push(n_s);
        }
        out.event
    };
    assert_eq!(feed(&mut farm, 0, true), FarmEvent::E1);
    assert_eq!(feed(&mut farm, 2, true), FarmEvent::E3);
    assert!(farm.clcw().retransmit);
    assert_eq!(feed(&mut farm, 1, true), FarmEvent::E1);
    assert!(!farm.clcw().retransmit);
    assert_eq!(feed(&mut farm, 2, true), FarmEvent::E1);
    assert_eq!(feed(&mut farm, 3, false), FarmEvent::E2);
    assert!(farm.clcw().wait && farm.clcw().retransmit);
    assert_eq!(feed(&mut farm, 3, true), FarmEvent::E2);
    assert_eq!(farm.on_buffer_release().to, FarmState::Open);
    assert_eq!(feed(&mut farm, 3, true), FarmEvent::E1);
    assert_eq!(feed(&mut farm, 1, true), FarmEvent::E4);
    assert_eq!(accepted, [0, 1, 2, 3]);
    assert_eq!(clcw_flags(&farm.clcw()), flags(0, 0, 0, 4, 1));
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        4 => (any::<u8>(), any::<bool>()).prop_map(|(n, b)| Input::Ad(n, b)),
        1 => Just(Input::Bd),
        1 => Just(Input::Unlock),
        1 => any::<u8>().prop_map(Input::SetVr),
        1 => proptest::collection::vec(any::<u8>(), 1..5).prop_map(Input::BadBc),
        1 => Just(Input::Ac),
        2 => Just(Input::Release),
    ]
}

proptest! {
    #[test]
    fn arbitrary_event_sequences_keep_invariants(
        half in 1u8..=127,
        start in any::<u8>(),
        inputs in proptest::collection::vec(input(), 0..200),
    ) {
        let mut farm = Farm1::new(FarmConfig::new(Vcid::new(VCID).unwrap(), half * 2).unwrap());
        Input::SetVr(start).apply(&mut farm);
        let mut b_frames: u32 = 1;
        for input in &inputs {
            let (state, v_r) = (farm.state(), farm.v_r());
            let out = input.apply(&mut farm);
            let clcw = farm.clcw();
            // Outcome and state agree.
            prop_assert_eq!(out.from, state);
            prop_assert_eq!(out.to, farm.state());
            // Wait is set in S2, clear in S1 (it may stay set in S3, entered from S2).
            prop_assert_eq!(farm.state() == FarmState::Wait, clcw.wait && !clcw.lockout);
            prop_assert!(farm.state() != FarmState::Open || !clcw.wait);
            // Lockout flag iff S3.
            prop_assert_eq!(clcw.lockout, farm.state() == FarmState::Lockout);
            // V(R) moves only on E1 (by one) or an executed Set V(R).
            match (out.event, input) {
                (FarmEvent::E1, _) if out.accepted() => prop_assert_eq!(farm.v_r(), v_r.wrapping_add(1)),
                (FarmEvent::E8, Input::SetVr(v)) if state != FarmState::Lockout => prop_assert_eq!(farm.v_r(), *v),
                _ => prop_assert_eq!(farm.v_r(), v_r),
            }
            prop_assert_eq!(clcw.report_value, farm.v_r());
            // Only BD frames (E6) and AD frames in sequence (E1) outside Lockout are delivered.
            let delivers = match out.event {
                FarmEvent::E1 => state != FarmState::Lockout,
                FarmEvent::E6 => true,
                _ => false,
            };
            prop_assert_eq!(out.accepted(), delivers);
            // FARM-B counts BD frames and valid BC frames.
            let valid_bc = match input {
                Input::Unlock | Input::SetVr(_) => true,
                Input::BadBc(data) => ControlCommand::parse(data).is_ok(),
                _ => false,
            };
            if matches!(input, Input::Bd) || valid_bc {
                b_frames += 1;
            }
            prop_assert_eq!(u32::from(clcw.farm_b_counter), b_frames % 4);
            prop_assert_eq!(farm.farm_b_counter(), b_frames);
            // The report always encodes and decodes.
            prop_assert_eq!(Clcw::parse(&clcw.to_bytes().unwrap()).unwrap(), clcw);
        }
    }

    /// The FARM expects validated frames, but an unvalidated buffer must not panic it either.
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..16),
        buffer in any::<bool>(),
        fecf in any::<bool>(),
    ) {
        let mut farm = Setup::Open(VR).farm();
        let frame = TcFrame::new_unchecked_with(bytes, FrameConfig { segment_header: false, fecf });
        let out = farm.on_frame(&frame, buffer);
        prop_assert_eq!(out.to, farm.state());
    }
}
