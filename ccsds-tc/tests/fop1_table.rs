//! FOP-1 (CCSDS 232.1-B-2 §5, state table 5-1): one row per (state, event) cell, built from
//! real input sequences (no back door into the state), the cells the table marks "not
//! applicable" proven unreachable by property tests, response-protocol properties over
//! arbitrary input sequences, and a FOP-1 ↔ FARM-1 loop over a lossy link.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeSet, HashMap};
use std::num::{NonZeroU8, NonZeroU32};
use std::time::Duration;

use ccsds_core::Clcw;
use ccsds_tc::cop1::farm::{Farm1, FarmConfig};
use ccsds_tc::cop1::fop::{
    AlertReason, Directive, Fop1, FopAction, FopConfig, FopEvent, FopState, RequestId, Response,
    TimeoutType,
};
use ccsds_tc::frame::{ControlCommand, FrameType, SegmentHeader, TcFrame, TcFrameRepr};
use ccsds_tc::{Scid, Vcid};
use proptest::prelude::*;

use FopEvent::*;
use FopState::{
    Active as S1, Initial as S6, InitialisingWithBc as S5, InitialisingWithoutBc as S4,
    RetransmitWithWait as S3, RetransmitWithoutWait as S2,
};

const VCID: u8 = 3;
const K: u8 = 10;
const LIMIT: u32 = 3;
const T1: Duration = Duration::from_secs(1);

fn config() -> FopConfig {
    FopConfig {
        vcid: Vcid::new(VCID).unwrap(),
        sliding_window_width: NonZeroU8::new(K).unwrap(),
        t1_initial: T1,
        transmission_limit: NonZeroU32::new(LIMIT).unwrap(),
        timeout_type: TimeoutType::Alert,
    }
}

fn drain(fop: &mut Fop1) -> Vec<FopAction> {
    std::iter::from_fn(|| fop.poll_action()).collect()
}

fn clcw(n_r: u8, lockout: bool, wait: bool, retransmit: bool) -> Clcw {
    Clcw {
        cop_in_effect: Clcw::COP_1,
        vcid: Vcid::new(VCID).unwrap(),
        lockout,
        wait,
        retransmit,
        report_value: n_r,
        ..Clcw::default()
    }
}

/// Applies an input and throws its actions away (set-up steps).
fn quiet(fop: &mut Fop1, f: impl FnOnce(&mut Fop1)) {
    f(fop);
    drain(fop);
}

fn directive(fop: &mut Fop1, d: Directive) {
    quiet(fop, |f| {
        f.directive(d);
    });
}

fn ad(fop: &mut Fop1) {
    quiet(fop, |f| {
        f.request_transfer_ad(b"fdu".to_vec());
    });
}

fn ad_ok(fop: &mut Fop1) {
    quiet(fop, Fop1::ad_accepted);
}

fn feed(fop: &mut Fop1, c: Clcw) {
    quiet(fop, |f| f.clcw_received(&c));
}

fn expire(fop: &mut Fop1) {
    quiet(fop, Fop1::timer_expired);
}

/// How a row reaches its state: every set-up is a sequence of real inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    /// S1, nothing outstanding, V(S) = NN(R) = 0.
    S1,
    /// S1 with AD frames 0 and 1 outstanding, AD_Out ready, T1 running.
    S1F,
    /// As S1F but AD_Out not ready and an FDU on the Wait_Queue.
    S1W,
    /// As S1F after one retransmission (Transmission_Count 2), Transmission_Limit 2.
    S1C2,
    /// S2 with frames 0 and 1 outstanding (both retransmitted), Transmission_Count 2.
    S2,
    /// S2 with frame 1 still to retransmit, AD_Out not ready, an FDU waiting.
    S2W,
    /// S2 with Transmission_Count = Transmission_Limit = 2.
    S2C2,
    /// S3 with frames 0 and 1 outstanding.
    S3,
    /// S3 with AD_Out not ready and an FDU waiting.
    S3W,
    /// S3 with Transmission_Count = Transmission_Limit = 2.
    S3C2,
    /// S4 after "Initiate AD with CLCW check".
    S4,
    /// S5 after "Initiate AD with Unlock", BC_Out not ready.
    S5,
    /// S5 with the BC frame accepted by the Lower Procedures (BC_Out ready).
    S5A,
    /// S5 after T1 expired with BC_Out not ready: the BC frame is marked for retransmission.
    S5R,
    /// S6 as created.
    S6,
    /// S6 suspended from S1 (SS = 1), frames 0 and 1 outstanding, Transmission_Limit 1.
    S6Ss1,
    /// As S6Ss1 with an FDU on the Wait_Queue.
    S6Ss1W,
    /// S6 suspended from S2 (SS = 2), Transmission_Count = Transmission_Limit = 2.
    S6Ss2,
    /// S6 suspended from S3 (SS = 3).
    S6Ss3,
    /// S6 suspended from S4 (SS = 4).
    S6Ss4,
}

/// S6 as created, or (`bc_busy`) S6 with BC_Out not ready: Unlock sent, then Terminate
/// before the Lower Procedures answered.
fn base(bc_busy: bool) -> Fop1 {
    let mut f = Fop1::new(config());
    if bc_busy {
        directive(&mut f, Directive::InitiateAdWithUnlock);
        directive(&mut f, Directive::Terminate);
        assert!(!f.bc_out_ready());
    }
    f
}

fn build(setup: Setup, bc_busy: bool) -> Fop1 {
    use Directive::*;
    let from = |s: Setup| build(s, bc_busy);
    let mut f;
    match setup {
        Setup::S6 => f = base(bc_busy),
        Setup::S1 => {
            f = base(bc_busy);
            directive(&mut f, InitiateAdWithoutClcw);
        }
        Setup::S1F => {
            f = from(Setup::S1);
            ad(&mut f);
            ad_ok(&mut f);
            ad(&mut f);
            ad_ok(&mut f);
        }
        Setup::S1W => {
            f = from(Setup::S1);
            ad(&mut f);
            ad_ok(&mut f);
            ad(&mut f);
            ad(&mut f);
        }
        Setup::S1C2 => {
            f = from(Setup::S1F);
            expire(&mut f); // E16: retransmits frame 0
            ad_ok(&mut f); // retransmits frame 1
            ad_ok(&mut f);
            directive(&mut f, SetTransmissionLimit(2));
        }
        Setup::S2 => {
            f = from(Setup::S1F);
            feed(&mut f, clcw(0, false, false, true)); // E10
            ad_ok(&mut f);
            ad_ok(&mut f);
        }
        Setup::S2W => {
            f = from(Setup::S1F);
            feed(&mut f, clcw(0, false, false, true)); // E10
            ad(&mut f);
        }
        Setup::S2C2 => {
            f = from(Setup::S2);
            directive(&mut f, SetTransmissionLimit(2));
        }
        Setup::S3 => {
            f = from(Setup::S1F);
            feed(&mut f, clcw(0, false, true, true)); // E11
        }
        Setup::S3W => {
            f = from(Setup::S1W);
            feed(&mut f, clcw(0, false, true, true)); // E11
        }
        Setup::S3C2 => {
            f = from(Setup::S2);
            feed(&mut f, clcw(0, false, true, true)); // E11
            directive(&mut f, SetTransmissionLimit(2));
        }
        Setup::S4 => {
            f = base(bc_busy);
            directive(&mut f, InitiateAdWithClcw);
        }
        Setup::S5 => {
            f = base(false);
            directive(&mut f, InitiateAdWithUnlock);
        }
        Setup::S5A => {
            f = from(Setup::S5);
            quiet(&mut f, Fop1::bc_accepted);
        }
        Setup::S5R => {
            f = from(Setup::S5);
            expire(&mut f);
        }
        Setup::S6Ss1 | Setup::S6Ss1W => {
            f = from(if setup == Setup::S6Ss1 {
                Setup::S1F
            } else {
                Setup::S1W
            });
            directive(&mut f, SetTimeoutType(TimeoutType::Suspend));
            directive(&mut f, SetTransmissionLimit(1));
            expire(&mut f); // E18
        }
        Setup::S6Ss2 => {
            f = from(Setup::S2C2);
            directive(&mut f, SetTimeoutType(TimeoutType::Suspend));
            expire(&mut f); // E18
        }
        Setup::S6Ss3 => {
            f = from(Setup::S3C2);
            directive(&mut f, SetTimeoutType(TimeoutType::Suspend));
            expire(&mut f); // E18
        }
        Setup::S6Ss4 => {
            f = from(Setup::S4);
            directive(&mut f, SetTimeoutType(TimeoutType::Suspend));
            expire(&mut f); // E104
        }
    }
    f
}

/// The input that produces `event` in `fop`'s current situation, after the set-up steps
/// that the event's condition needs (Transmission_Limit, Timeout_Type, BD_Out). Returns the
/// id of the request or directive, if the input is one.
fn apply(fop: &mut Fop1, event: FopEvent) -> Option<RequestId> {
    use Directive::*;
    let (v_s, nn_r) = (fop.v_s(), fop.nn_r());
    let next = nn_r.wrapping_add(1);
    let c = |f: &mut Fop1, n_r, l, w, r| f.clcw_received(&clcw(n_r, l, w, r));
    match event {
        E101 | E102 => directive(fop, SetTransmissionLimit(1)),
        E8 | E9 | E10 | E11 if fop.transmission_limit() == 1 => {
            directive(fop, SetTransmissionLimit(LIMIT));
        }
        E104 => directive(fop, SetTimeoutType(TimeoutType::Suspend)),
        E17 | E18 => {
            let count = fop.transmission_count();
            directive(fop, SetTransmissionLimit(count));
            if event == E18 {
                directive(fop, SetTimeoutType(TimeoutType::Suspend));
            }
        }
        E22 | E45 => quiet(fop, |f| {
            f.request_transfer_bd(b"bd".to_vec());
        }),
        _ => {}
    }
    match event {
        E1 | E2 => c(fop, v_s, false, false, false),
        E3 => c(fop, v_s, false, true, false),
        E4 => c(fop, v_s, false, false, true),
        E5 => c(fop, nn_r, false, false, false),
        E6 => c(fop, next, false, false, false),
        E7 => c(fop, nn_r, false, true, false),
        E101 | E8 => c(fop, next, false, false, true),
        E9 => c(fop, next, false, true, true),
        E102 | E10 | E12 => c(fop, nn_r, false, false, true),
        E11 | E103 => c(fop, nn_r, false, true, true),
        E13 => c(fop, v_s.wrapping_add(100), false, false, false),
        E14 => c(fop, v_s, true, false, false),
        E15 => fop.clcw_received(&Clcw {
            cop_in_effect: 0,
            ..clcw(v_s, false, false, false)
        }),
        E16 | E17 | E18 | E104 => fop.timer_expired(),
        E19 | E20 => return Some(fop.request_transfer_ad(b"new".to_vec())),
        E21 | E22 => return Some(fop.request_transfer_bd(b"bd".to_vec())),
        E23 => return Some(fop.directive(InitiateAdWithoutClcw)),
        E24 => return Some(fop.directive(InitiateAdWithClcw)),
        E25 | E26 => return Some(fop.directive(InitiateAdWithUnlock)),
        E27 | E28 => return Some(fop.directive(InitiateAdWithSetVr(42))),
        E29 => return Some(fop.directive(Terminate)),
        E30 | E31 | E32 | E33 | E34 => return Some(fop.directive(Resume)),
        E35 => return Some(fop.directive(SetVs(42))),
        E36 => return Some(fop.directive(SetFopWindowWidth(5))),
        E37 => return Some(fop.directive(SetT1Initial(Duration::from_secs(7)))),
        E38 => return Some(fop.directive(SetTransmissionLimit(9))),
        E39 => return Some(fop.directive(SetTimeoutType(TimeoutType::Suspend))),
        E40 => return Some(fop.directive(SetFopWindowWidth(0))),
        E41 => fop.ad_accepted(),
        E42 => fop.ad_rejected(),
        E43 => fop.bc_accepted(),
        E44 => fop.bc_rejected(),
        E45 => fop.bd_accepted(),
        E46 => fop.bd_rejected(),
    }
    None
}

/// A compact rendering of an action: responses about the input's own request are
/// "accept", "d:pconfirm", …; about earlier ones "…:old".
fn render(action: &FopAction, own: Option<RequestId>) -> String {
    let resp = |id: &RequestId, r: &Response| {
        let r = match r {
            Response::Accept => "accept",
            Response::Reject => "reject",
            Response::PositiveConfirm => "pconfirm",
            Response::NegativeConfirm => "nconfirm",
        };
        if Some(*id) == own {
            r.to_string()
        } else {
            format!("{r}:old")
        }
    };
    match action {
        FopAction::TransmitAd {
            ns, retransmission, ..
        } => format!("AD{ns}{}", if *retransmission { "r" } else { "" }),
        FopAction::TransmitBd { .. } => "BD".into(),
        FopAction::TransmitBc(ControlCommand::Unlock) => "BC:unlock".into(),
        FopAction::TransmitBc(ControlCommand::SetVr(v)) => format!("BC:setvr{v}"),
        FopAction::Abort => "abort".into(),
        FopAction::StartTimer(_) => "start".into(),
        FopAction::CancelTimer => "cancel".into(),
        FopAction::RequestResponse { id, response } => resp(id, response),
        FopAction::DirectiveResponse { id, response } => format!("d:{}", resp(id, response)),
        FopAction::Alert(reason) => format!("alert:{reason:?}"),
        FopAction::Suspended => "suspend".into(),
    }
}

struct Row {
    state: FopState,
    setup: Setup,
    bc_busy: bool,
    event: FopEvent,
    expect: &'static [&'static str],
    next: FopState,
    check: fn(&Fop1) -> bool,
}

fn no_check(_: &Fop1) -> bool {
    true
}

macro_rules! rows {
    ($( $state:ident $setup:ident $(+$bc:ident)? , $event:ident => [$($a:literal),*] $next:ident $(, $check:expr)? ;)*) => {
        vec![$(Row {
            state: $state,
            setup: Setup::$setup,
            bc_busy: false $(|| stringify!($bc) == "bc")?,
            event: $event,
            expect: &[$($a),*],
            next: $next,
            check: rows!(@check $($check)?),
        }),*]
    };
    (@check) => { no_check };
    (@check $check:expr) => { $check };
}

/// Table 5-1. The alert cells with frames outstanding list the Negative Confirms of the
/// purged Sent_Queue; alerts in S4/S5 the Negative Confirm of the pending "Initiate AD".
fn table() -> Vec<Row> {
    rows! {
        // ---------------- S1 Active ----------------
        S1 S1, E1 => [] S1;
        S1 S1F, E2 => ["pconfirm:old", "pconfirm:old", "cancel"] S1, |f| f.nn_r() == 2 && !f.timer_running();
        S1 S1F, E3 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S1 S1F, E4 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Synch"] S6;
        S1 S1F, E5 => [] S1;
        S1 S1F, E6 => ["pconfirm:old"] S1, |f| f.nn_r() == 1;
        S1 S1F, E7 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S1 S1F, E101 => ["pconfirm:old", "cancel", "nconfirm:old", "alert:Limit"] S6;
        S1 S1F, E102 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Limit"] S6;
        S1 S1F, E8 => ["pconfirm:old", "abort", "start", "AD1r"] S2, |f| f.transmission_count() == 2;
        S1 S1F, E9 => ["pconfirm:old"] S3;
        S1 S1F, E10 => ["abort", "start", "AD0r"] S2, |f| f.transmission_count() == 2;
        S1 S1F, E11 => [] S3;
        S1 S1C2, E12 => [] S2;
        S1 S1C2, E103 => [] S3;
        S1 S1F, E13 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:NnR"] S6;
        S1 S1F, E14 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:LockOut"] S6;
        S1 S1F, E15 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S1 S1F, E16 => ["abort", "start", "AD0r"] S1, |f| f.transmission_count() == 2;
        S1 S1F, E104 => ["abort", "start", "AD0r"] S1;
        S1 S1F, E17 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:T1"] S6;
        S1 S1F, E18 => ["suspend"] S6, |f| f.suspend_state() == 1 && f.sent_queue_len() == 2;
        S1 S1F, E19 => ["accept", "start", "AD2"] S1, |f| f.v_s() == 3;
        S1 S1W, E20 => ["reject"] S1;
        S1 S1F, E21 => ["accept", "BD"] S1, |f| !f.bd_out_ready();
        S1 S1F, E22 => ["reject"] S1;
        S1 S1F, E23 => ["d:reject"] S1;
        S1 S1F, E24 => ["d:reject"] S1;
        S1 S1F, E25 => ["d:reject"] S1;
        S1 S1F+bc, E26 => ["d:reject"] S1;
        S1 S1F, E27 => ["d:reject"] S1;
        S1 S1F+bc, E28 => ["d:reject"] S1;
        S1 S1F, E29 => ["d:accept", "cancel", "nconfirm:old", "nconfirm:old", "alert:Term", "d:pconfirm"] S6;
        S1 S1F, E30 => ["d:reject"] S1;
        S1 S1F, E35 => ["d:reject"] S1;
        S1 S1F, E36 => ["d:accept", "d:pconfirm"] S1, |f| f.sliding_window_width() == 5;
        S1 S1F, E37 => ["d:accept", "d:pconfirm"] S1, |f| f.t1_initial() == Duration::from_secs(7);
        S1 S1F, E38 => ["d:accept", "d:pconfirm"] S1, |f| f.transmission_limit() == 9;
        S1 S1F, E39 => ["d:accept", "d:pconfirm"] S1, |f| f.timeout_type() == TimeoutType::Suspend;
        S1 S1F, E40 => ["d:reject"] S1, |f| f.sliding_window_width() == K;
        S1 S1W, E41 => ["accept:old", "start", "AD2"] S1;
        S1 S1F, E42 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        S1 S1F+bc, E43 => [] S1, |f| f.bc_out_ready();
        S1 S1F, E44 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        S1 S1F, E45 => [] S1, |f| f.bd_out_ready();
        S1 S1F, E46 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        // ---------------- S2 Retransmit without Wait ----------------
        S2 S2, E2 => ["pconfirm:old", "pconfirm:old", "cancel"] S1;
        S2 S2, E3 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S2 S2, E4 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Synch"] S6;
        S2 S2, E5 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Synch"] S6;
        S2 S2, E6 => ["pconfirm:old"] S1;
        S2 S2, E7 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S2 S2, E101 => ["pconfirm:old", "cancel", "nconfirm:old", "alert:Limit"] S6;
        S2 S2, E102 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Limit"] S6;
        S2 S2, E8 => ["pconfirm:old", "abort", "start", "AD1r"] S2;
        S2 S2, E9 => ["pconfirm:old"] S3;
        S2 S2, E10 => [] S2;
        S2 S2, E11 => [] S3;
        S2 S2C2, E12 => [] S2;
        S2 S2C2, E103 => [] S3;
        S2 S2, E13 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:NnR"] S6;
        S2 S2, E14 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:LockOut"] S6;
        S2 S2, E15 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S2 S2, E16 => ["abort", "start", "AD0r"] S2, |f| f.transmission_count() == 3;
        S2 S2, E104 => ["abort", "start", "AD0r"] S2;
        S2 S2, E17 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:T1"] S6;
        S2 S2, E18 => ["suspend"] S6, |f| f.suspend_state() == 2;
        S2 S2, E19 => ["accept", "start", "AD2"] S2;
        S2 S2W, E20 => ["reject"] S2;
        S2 S2, E21 => ["accept", "BD"] S2;
        S2 S2, E22 => ["reject"] S2;
        S2 S2, E23 => ["d:reject"] S2;
        S2 S2, E24 => ["d:reject"] S2;
        S2 S2, E25 => ["d:reject"] S2;
        S2 S2+bc, E26 => ["d:reject"] S2;
        S2 S2, E27 => ["d:reject"] S2;
        S2 S2+bc, E28 => ["d:reject"] S2;
        S2 S2, E29 => ["d:accept", "cancel", "nconfirm:old", "nconfirm:old", "alert:Term", "d:pconfirm"] S6;
        S2 S2, E30 => ["d:reject"] S2;
        S2 S2, E35 => ["d:reject"] S2;
        S2 S2, E36 => ["d:accept", "d:pconfirm"] S2;
        S2 S2, E37 => ["d:accept", "d:pconfirm"] S2;
        S2 S2, E38 => ["d:accept", "d:pconfirm"] S2;
        S2 S2, E39 => ["d:accept", "d:pconfirm"] S2;
        S2 S2, E40 => ["d:reject"] S2;
        S2 S2W, E41 => ["AD1r"] S2, |f| f.wait_queue_len() == 1;
        S2 S2, E42 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        S2 S2+bc, E43 => [] S2, |f| f.bc_out_ready();
        S2 S2, E44 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        S2 S2, E45 => [] S2;
        S2 S2, E46 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        // ---------------- S3 Retransmit with Wait ----------------
        S3 S3, E2 => ["pconfirm:old", "pconfirm:old", "cancel"] S1;
        S3 S3, E3 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S3 S3, E4 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Synch"] S6;
        S3 S3, E5 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Synch"] S6;
        S3 S3, E6 => ["pconfirm:old"] S1;
        S3 S3, E7 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S3 S3, E101 => ["pconfirm:old", "cancel", "nconfirm:old", "alert:Limit"] S6;
        S3 S3, E102 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Limit"] S6;
        S3 S3, E8 => ["pconfirm:old", "abort", "start", "AD1r"] S2;
        S3 S3, E9 => ["pconfirm:old"] S3;
        S3 S3, E10 => ["abort", "start"] S2, |f| f.transmission_count() == 2;
        S3 S3, E11 => [] S3;
        S3 S3C2, E12 => [] S2;
        S3 S3C2, E103 => [] S3;
        S3 S3, E13 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:NnR"] S6;
        S3 S3, E14 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:LockOut"] S6;
        S3 S3, E15 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Clcw"] S6;
        S3 S3, E16 => [] S3, |f| !f.timer_running() && f.transmission_count() == 1;
        S3 S3, E104 => [] S3;
        S3 S3, E17 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:T1"] S6;
        S3 S3, E18 => ["suspend"] S6, |f| f.suspend_state() == 3;
        S3 S3, E19 => [] S3, |f| f.wait_queue_len() == 1;
        S3 S3W, E20 => ["reject"] S3;
        S3 S3, E21 => ["accept", "BD"] S3;
        S3 S3, E22 => ["reject"] S3;
        S3 S3, E23 => ["d:reject"] S3;
        S3 S3, E24 => ["d:reject"] S3;
        S3 S3, E25 => ["d:reject"] S3;
        S3 S3+bc, E26 => ["d:reject"] S3;
        S3 S3, E27 => ["d:reject"] S3;
        S3 S3+bc, E28 => ["d:reject"] S3;
        S3 S3, E29 => ["d:accept", "cancel", "nconfirm:old", "nconfirm:old", "alert:Term", "d:pconfirm"] S6;
        S3 S3, E30 => ["d:reject"] S3;
        S3 S3, E35 => ["d:reject"] S3;
        S3 S3, E36 => ["d:accept", "d:pconfirm"] S3;
        S3 S3, E37 => ["d:accept", "d:pconfirm"] S3;
        S3 S3, E38 => ["d:accept", "d:pconfirm"] S3;
        S3 S3, E39 => ["d:accept", "d:pconfirm"] S3;
        S3 S3, E40 => ["d:reject"] S3;
        S3 S3W, E41 => [] S3, |f| f.ad_out_ready() && f.wait_queue_len() == 1;
        S3 S3, E42 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        S3 S3+bc, E43 => [] S3, |f| f.bc_out_ready();
        S3 S3, E44 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        S3 S3, E45 => [] S3;
        S3 S3, E46 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6;
        // ---------------- S4 Initialising without BC Frame ----------------
        S4 S4, E1 => ["d:pconfirm:old", "cancel"] S1;
        S4 S4, E3 => ["cancel", "d:nconfirm:old", "alert:Clcw"] S6;
        S4 S4, E4 => ["cancel", "d:nconfirm:old", "alert:Synch"] S6;
        S4 S4, E13 => ["cancel", "d:nconfirm:old", "alert:NnR"] S6;
        S4 S4, E14 => ["cancel", "d:nconfirm:old", "alert:LockOut"] S6;
        S4 S4, E15 => ["cancel", "d:nconfirm:old", "alert:Clcw"] S6;
        S4 S4, E16 => ["cancel", "d:nconfirm:old", "alert:T1"] S6;
        S4 S4, E104 => ["suspend"] S6, |f| f.suspend_state() == 4;
        S4 S4, E17 => ["cancel", "d:nconfirm:old", "alert:T1"] S6;
        S4 S4, E18 => ["suspend"] S6, |f| f.suspend_state() == 4;
        S4 S4, E19 => ["reject"] S4;
        S4 S4, E21 => ["accept", "BD"] S4;
        S4 S4, E22 => ["reject"] S4;
        S4 S4, E23 => ["d:reject"] S4;
        S4 S4, E24 => ["d:reject"] S4;
        S4 S4, E25 => ["d:reject"] S4;
        S4 S4+bc, E26 => ["d:reject"] S4;
        S4 S4, E27 => ["d:reject"] S4;
        S4 S4+bc, E28 => ["d:reject"] S4;
        S4 S4, E29 => ["d:accept", "cancel", "d:nconfirm:old", "alert:Term", "d:pconfirm"] S6;
        S4 S4, E30 => ["d:reject"] S4;
        S4 S4, E35 => ["d:reject"] S4;
        S4 S4, E36 => ["d:accept", "d:pconfirm"] S4;
        S4 S4, E37 => ["d:accept", "d:pconfirm"] S4;
        S4 S4, E38 => ["d:accept", "d:pconfirm"] S4;
        S4 S4, E39 => ["d:accept", "d:pconfirm"] S4;
        S4 S4, E40 => ["d:reject"] S4;
        S4 S4, E41 => [] S4;
        S4 S4, E42 => ["cancel", "d:nconfirm:old", "alert:Llif"] S6;
        S4 S4+bc, E43 => [] S4, |f| f.bc_out_ready();
        S4 S4, E44 => ["cancel", "d:nconfirm:old", "alert:Llif"] S6;
        S4 S4, E45 => [] S4;
        S4 S4, E46 => ["cancel", "d:nconfirm:old", "alert:Llif"] S6;
        // ---------------- S5 Initialising with BC Frame ----------------
        S5 S5, E1 => ["d:pconfirm:old", "cancel"] S1, |f| !f.bc_outstanding();
        S5 S5, E3 => ["cancel", "d:nconfirm:old", "alert:Clcw"] S6, |f| !f.bc_outstanding();
        S5 S5, E4 => [] S5;
        S5 S5, E13 => [] S5;
        S5 S5, E14 => [] S5;
        S5 S5, E15 => ["cancel", "d:nconfirm:old", "alert:Clcw"] S6;
        S5 S5A, E16 => ["abort", "start", "BC:unlock"] S5, |f| f.transmission_count() == 2 && !f.bc_out_ready();
        S5 S5A, E104 => ["abort", "start", "BC:unlock"] S5;
        S5 S5, E17 => ["cancel", "d:nconfirm:old", "alert:T1"] S6;
        S5 S5, E18 => ["cancel", "d:nconfirm:old", "alert:T1"] S6, |f| f.suspend_state() == 0;
        S5 S5, E19 => ["reject"] S5;
        S5 S5, E21 => ["accept", "BD"] S5;
        S5 S5, E22 => ["reject"] S5;
        S5 S5, E23 => ["d:reject"] S5;
        S5 S5, E24 => ["d:reject"] S5;
        S5 S5A, E25 => ["d:reject"] S5;
        S5 S5, E26 => ["d:reject"] S5;
        S5 S5A, E27 => ["d:reject"] S5;
        S5 S5, E28 => ["d:reject"] S5;
        S5 S5, E29 => ["d:accept", "cancel", "d:nconfirm:old", "alert:Term", "d:pconfirm"] S6;
        S5 S5, E30 => ["d:reject"] S5;
        S5 S5, E35 => ["d:reject"] S5;
        S5 S5, E36 => ["d:accept", "d:pconfirm"] S5;
        S5 S5, E37 => ["d:accept", "d:pconfirm"] S5;
        S5 S5, E38 => ["d:accept", "d:pconfirm"] S5;
        S5 S5, E39 => ["d:accept", "d:pconfirm"] S5;
        S5 S5, E40 => ["d:reject"] S5;
        S5 S5, E41 => [] S5;
        S5 S5, E42 => ["cancel", "d:nconfirm:old", "alert:Llif"] S6;
        S5 S5R, E43 => ["BC:unlock"] S5, |f| !f.bc_out_ready();
        S5 S5, E44 => ["cancel", "d:nconfirm:old", "alert:Llif"] S6, |f| f.bc_out_ready();
        S5 S5, E45 => [] S5;
        S5 S5, E46 => ["cancel", "d:nconfirm:old", "alert:Llif"] S6;
        // ---------------- S6 Initial ----------------
        S6 S6, E1 => [] S6;
        S6 S6Ss1, E2 => [] S6, |f| f.sent_queue_len() == 2 && f.nn_r() == 0;
        S6 S6, E3 => [] S6;
        S6 S6, E4 => [] S6;
        S6 S6Ss1, E5 => [] S6;
        S6 S6Ss1, E6 => [] S6, |f| f.nn_r() == 0;
        S6 S6Ss1, E7 => [] S6;
        S6 S6Ss1, E101 => [] S6;
        S6 S6Ss1, E102 => [] S6;
        S6 S6Ss1, E8 => [] S6;
        S6 S6Ss1, E9 => [] S6;
        S6 S6Ss1, E10 => [] S6;
        S6 S6Ss1, E11 => [] S6;
        S6 S6Ss2, E12 => [] S6;
        S6 S6Ss2, E103 => [] S6;
        S6 S6, E13 => [] S6;
        S6 S6, E14 => [] S6;
        S6 S6, E15 => [] S6;
        S6 S6, E19 => ["reject"] S6;
        S6 S6Ss1W, E20 => ["reject"] S6;
        S6 S6, E21 => ["accept", "BD"] S6;
        S6 S6, E22 => ["reject"] S6;
        S6 S6, E23 => ["d:accept", "d:pconfirm"] S1;
        S6 S6, E24 => ["d:accept", "start"] S4;
        S6 S6, E25 => ["d:accept", "start", "BC:unlock"] S5;
        S6 S6+bc, E26 => ["d:reject"] S6;
        S6 S6, E27 => ["d:accept", "start", "BC:setvr42"] S5, |f| f.v_s() == 42 && f.nn_r() == 42;
        S6 S6+bc, E28 => ["d:reject"] S6;
        S6 S6, E29 => ["d:accept", "d:pconfirm"] S6;
        S6 S6, E30 => ["d:reject"] S6;
        S6 S6Ss1, E31 => ["d:accept", "start", "d:pconfirm"] S1, |f| f.suspend_state() == 0 && f.sent_queue_len() == 2;
        S6 S6Ss2, E32 => ["d:accept", "start", "d:pconfirm"] S2, |f| f.suspend_state() == 0;
        S6 S6Ss3, E33 => ["d:accept", "start", "d:pconfirm"] S3, |f| f.suspend_state() == 0;
        S6 S6Ss4, E34 => ["d:accept", "start", "d:pconfirm"] S4, |f| f.suspend_state() == 0;
        S6 S6, E35 => ["d:accept", "d:pconfirm"] S6, |f| f.v_s() == 42 && f.nn_r() == 42;
        S6 S6, E36 => ["d:accept", "d:pconfirm"] S6;
        S6 S6, E37 => ["d:accept", "d:pconfirm"] S6;
        S6 S6, E38 => ["d:accept", "d:pconfirm"] S6;
        S6 S6, E39 => ["d:accept", "d:pconfirm"] S6;
        S6 S6, E40 => ["d:reject"] S6;
        S6 S6, E41 => [] S6;
        S6 S6, E42 => ["cancel", "alert:Llif"] S6;
        S6 S6+bc, E43 => [] S6, |f| f.bc_out_ready();
        S6 S6, E44 => ["cancel", "alert:Llif"] S6;
        S6 S6, E45 => [] S6;
        S6 S6, E46 => ["cancel", "alert:Llif"] S6;
        // ---------------- sub-cases worth a row of their own ----------------
        // Initiate AD from a suspension purges what the suspension kept (§5.2.2 note 2).
        S6 S6Ss1W, E23 => ["d:accept", "nconfirm:old", "nconfirm:old", "reject:old", "d:pconfirm"] S1, |f| f.suspend_state() == 0 && f.v_s() == f.nn_r();
        // Re-initiating after a suspension in S4 answers the earlier directive.
        S6 S6Ss4, E24 => ["d:accept", "d:nconfirm:old", "start"] S4;
        // Set V(S) while suspended is refused.
        S6 S6Ss1, E35 => ["d:reject"] S6, |f| f.v_s() == 2;
        // An alert in S6 purges a suspended service's queues.
        S6 S6Ss1, E42 => ["cancel", "nconfirm:old", "nconfirm:old", "alert:Llif"] S6, |f| f.sent_queue_len() == 0 && f.suspend_state() == 1;
    }
}

/// The cells table 5-1 leaves empty, with the reason they cannot occur. The property test
/// below checks that no input sequence reaches them.
fn unreachable_cells() -> Vec<(FopState, FopEvent)> {
    let mut cells = vec![
        // The Sent_Queue is never empty in S2/S3, so V(S) ≠ NN(R) there.
        (S2, E1),
        (S3, E1),
        // Nothing is ever put on the Wait_Queue in S4/S5 (and Initialise empties it).
        (S4, E20),
        (S5, E20),
    ];
    // V(S) = NN(R) in S4/S5, so N(R) = V(S) implies N(R) = NN(R), and N(R) < V(S) is E13.
    for s in [S4, S5] {
        for e in [E2, E5, E6, E7, E101, E102, E8, E9, E10, E11, E12, E103] {
            cells.push((s, e));
        }
    }
    // Suspend_State ≠ 0 only in S6.
    for s in [S1, S2, S3, S4, S5] {
        for e in [E31, E32, E33, E34] {
            cells.push((s, e));
        }
    }
    // T1 never runs in S6: an alert cancels it, a suspension follows its expiry.
    for e in [E16, E104, E17, E18] {
        cells.push((S6, e));
    }
    cells
}

#[test]
fn state_table_5_1() {
    let rows = table();
    for (i, row) in rows.iter().enumerate() {
        let ctx = format!(
            "row {i}: {:?} ({:?}{}) {:?}",
            row.state,
            row.setup,
            if row.bc_busy { "+bc" } else { "" },
            row.event
        );
        let mut fop = build(row.setup, row.bc_busy);
        assert_eq!(
            fop.state(),
            row.state,
            "{ctx}: set-up reached the wrong state"
        );
        let own = apply(&mut fop, row.event);
        assert_eq!(fop.last_event(), Some(row.event), "{ctx}: input classified");
        let got: Vec<String> = drain(&mut fop).iter().map(|a| render(a, own)).collect();
        assert_eq!(got, row.expect, "{ctx}: actions");
        assert_eq!(fop.state(), row.next, "{ctx}: next state");
        assert!((row.check)(&fop), "{ctx}: variables {fop:?}");
        check_invariants(&fop);
    }
}

#[test]
fn table_covers_every_cell() {
    let states = [S1, S2, S3, S4, S5, S6];
    let covered: BTreeSet<(FopState, FopEvent)> =
        table().iter().map(|r| (r.state, r.event)).collect();
    let unreachable: BTreeSet<_> = unreachable_cells().into_iter().collect();
    for s in states {
        for e in FopEvent::ALL {
            assert!(
                covered.contains(&(s, e)) ^ unreachable.contains(&(s, e)),
                "cell ({s:?}, {e:?}) must be in exactly one of table() and unreachable_cells()"
            );
        }
    }
    assert_eq!(covered.len() + unreachable.len(), 6 * FopEvent::ALL.len());
}

#[test]
fn stale_timer_and_foreign_clcw_are_no_events() {
    let mut fop = build(Setup::S6, false);
    fop.timer_expired();
    assert_eq!(fop.last_event(), None);
    let mut fop = build(Setup::S1F, false);
    let mut other = clcw(2, false, false, false);
    other.vcid = Vcid::new(VCID + 1).unwrap();
    fop.clcw_received(&other);
    assert_eq!(fop.last_event(), None);
    assert!(drain(&mut fop).is_empty());
    assert_eq!(fop.sent_queue_len(), 2);
}

#[test]
fn window_limits_new_frames() {
    let mut fop = build(Setup::S1, false);
    directive(&mut fop, Directive::SetFopWindowWidth(2));
    for _ in 0..3 {
        ad(&mut fop);
        ad_ok(&mut fop);
    }
    // Two frames out (K = 2), the third FDU waits.
    assert_eq!(fop.sent_queue_len(), 2);
    assert_eq!(fop.wait_queue_len(), 1);
    // A CLCW acknowledging frame 0 opens the window.
    fop.clcw_received(&clcw(1, false, false, false));
    let got: Vec<String> = drain(&mut fop).iter().map(|a| render(a, None)).collect();
    assert_eq!(got, ["pconfirm:old", "accept:old", "start", "AD2"]);
}

#[test]
fn sequence_numbers_wrap() {
    let mut fop = build(Setup::S6, false);
    directive(&mut fop, Directive::SetVs(254));
    directive(&mut fop, Directive::InitiateAdWithoutClcw);
    let mut sent = vec![];
    for _ in 0..4 {
        fop.request_transfer_ad(vec![1]);
        fop.ad_accepted();
        for a in drain(&mut fop) {
            if let FopAction::TransmitAd { ns, .. } = a {
                sent.push(ns);
            }
        }
    }
    assert_eq!(sent, [254, 255, 0, 1]);
    assert_eq!(fop.sent_queue_len(), 4);
    fop.clcw_received(&clcw(1, false, false, false)); // E6 across the wrap
    assert_eq!(fop.last_event(), Some(E6));
    assert_eq!(fop.sent_queue_sequence_numbers().collect::<Vec<_>>(), [1]);
    fop.clcw_received(&clcw(253, false, false, false)); // behind NN(R): E13
    assert_eq!(fop.last_event(), Some(E13));
}

#[test]
fn frame_repr_helper() {
    let template = TcFrameRepr {
        frame_type: FrameType::Ad,
        scid: Scid::new(0x1AB).unwrap(),
        vcid: Vcid::new(VCID).unwrap(),
        sequence_number: 0,
        segment: Some(SegmentHeader::from_octet(0xC1)),
        fecf: true,
    };
    let ad = FopAction::TransmitAd {
        ns: 9,
        data: vec![1],
        retransmission: false,
    };
    let repr = ad.frame_repr(template).unwrap();
    assert_eq!((repr.frame_type, repr.sequence_number), (FrameType::Ad, 9));
    let bc = FopAction::TransmitBc(ControlCommand::Unlock)
        .frame_repr(template)
        .unwrap();
    assert_eq!((bc.frame_type, bc.segment), (FrameType::Bc, None));
    let bd = FopAction::TransmitBd { data: vec![1] }
        .frame_repr(template)
        .unwrap();
    assert_eq!(bd.frame_type, FrameType::Bd);
    assert_eq!(FopAction::Abort.frame_repr(template), None);
}

// ---------------------------------------------------------------------------------------
// Properties over arbitrary input sequences.

fn check_invariants(fop: &Fop1) {
    let len = fop.sent_queue_len();
    assert_eq!(
        usize::from(fop.v_s().wrapping_sub(fop.nn_r())),
        len,
        "V(S) − NN(R) = |Sent_Queue|"
    );
    let ns: Vec<u8> = fop.sent_queue_sequence_numbers().collect();
    for (i, n) in ns.iter().enumerate() {
        assert_eq!(
            *n,
            fop.nn_r().wrapping_add(i as u8),
            "Sent_Queue holds NN(R) .. V(S)"
        );
    }
    assert!(fop.wait_queue_len() <= 1);
    if fop.state() != S6 {
        assert_eq!(fop.suspend_state(), 0, "suspended only in S6");
    }
    assert!(fop.suspend_state() <= 4);
    if matches!(fop.state(), S4 | S5) {
        assert_eq!(len, 0, "no AD frames while initialising");
        assert_eq!(fop.wait_queue_len(), 0);
    }
    if matches!(fop.state(), S2 | S3) {
        assert!(len > 0, "something to retransmit in S2/S3");
    }
    assert_eq!(
        fop.bc_outstanding(),
        fop.state() == S5,
        "a BC frame exactly in S5"
    );
    assert!(fop.transmission_limit() >= 1);
    assert!(fop.sliding_window_width() >= 1);
}

#[derive(Debug, Clone)]
enum Op {
    Ad(u8),
    Bd,
    Dir(Directive),
    Clcw {
        /// Chooses N(R): 0 → NN(R), 1 → NN(R)+1, 2 → V(S), 3 → V(S)−1, else the raw value.
        pick: u8,
        raw: u8,
        lockout: bool,
        wait: bool,
        retransmit: bool,
        cop1: bool,
    },
    Timer,
    AdAccept,
    AdReject,
    BcAccept,
    BcReject,
    BdAccept,
    BdReject,
}

fn directive_strategy() -> impl Strategy<Value = Directive> {
    use Directive::*;
    prop_oneof![
        Just(InitiateAdWithoutClcw),
        Just(InitiateAdWithClcw),
        Just(InitiateAdWithUnlock),
        any::<u8>().prop_map(InitiateAdWithSetVr),
        Just(Terminate),
        Just(Resume),
        any::<u8>().prop_map(SetVs),
        (0u8..=12).prop_map(SetFopWindowWidth),
        (0u64..5).prop_map(|s| SetT1Initial(Duration::from_secs(s))),
        (0u32..5).prop_map(SetTransmissionLimit),
        prop_oneof![Just(TimeoutType::Alert), Just(TimeoutType::Suspend)].prop_map(SetTimeoutType),
    ]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u8>().prop_map(Op::Ad),
        1 => Just(Op::Bd),
        3 => directive_strategy().prop_map(Op::Dir),
        5 => (0u8..6, any::<u8>(), prop::bool::weighted(0.1), prop::bool::weighted(0.2),
              prop::bool::weighted(0.3), prop::bool::weighted(0.97))
            .prop_map(|(pick, raw, lockout, wait, retransmit, cop1)| Op::Clcw {
                pick, raw, lockout, wait, retransmit, cop1,
            }),
        2 => Just(Op::Timer),
        4 => Just(Op::AdAccept),
        1 => Just(Op::AdReject),
        2 => Just(Op::BcAccept),
        1 => Just(Op::BcReject),
        1 => Just(Op::BdAccept),
        1 => Just(Op::BdReject),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ad,
    Bd,
    Directive,
}

/// Where a request or directive is in its life (§4.3.3): responses come in the order
/// Accept → Confirm, or a single Reject, and nothing after a final one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Open,
    Accepted,
    Final,
}

fn run(ops: &[Op]) {
    let unreachable: BTreeSet<_> = unreachable_cells().into_iter().collect();
    let mut fop = Fop1::new(config());
    let mut life: HashMap<RequestId, (Kind, Life)> = HashMap::new();
    for op in ops {
        let before = fop.state();
        let (v_s, nn_r) = (fop.v_s(), fop.nn_r());
        match op {
            Op::Ad(len) => {
                let id = fop.request_transfer_ad(vec![0xA5; usize::from(*len) + 1]);
                life.insert(id, (Kind::Ad, Life::Open));
            }
            Op::Bd => {
                let id = fop.request_transfer_bd(vec![0xBD]);
                life.insert(id, (Kind::Bd, Life::Open));
            }
            Op::Dir(d) => {
                let id = fop.directive(*d);
                life.insert(id, (Kind::Directive, Life::Open));
            }
            Op::Clcw {
                pick,
                raw,
                lockout,
                wait,
                retransmit,
                cop1,
            } => {
                let n_r = match pick {
                    0 => nn_r,
                    1 => nn_r.wrapping_add(1),
                    2 => v_s,
                    3 => v_s.wrapping_sub(1),
                    _ => *raw,
                };
                let mut c = clcw(n_r, *lockout, *wait, *retransmit);
                if !cop1 {
                    c.cop_in_effect = 2;
                }
                fop.clcw_received(&c);
            }
            Op::Timer => fop.timer_expired(),
            Op::AdAccept => fop.ad_accepted(),
            Op::AdReject => fop.ad_rejected(),
            Op::BcAccept => fop.bc_accepted(),
            Op::BcReject => fop.bc_rejected(),
            Op::BdAccept => fop.bd_accepted(),
            Op::BdReject => fop.bd_rejected(),
        }
        if let Some(event) = fop.last_event() {
            assert!(
                !unreachable.contains(&(before, event)),
                "reached the 'not applicable' cell ({before:?}, {event:?})"
            );
        }
        for action in drain(&mut fop) {
            match action {
                FopAction::TransmitAd {
                    ns, retransmission, ..
                } => {
                    if retransmission {
                        assert!(
                            fop.sent_queue_sequence_numbers().any(|n| n == ns),
                            "retransmitted N(S) {ns} not on the Sent_Queue"
                        );
                    } else {
                        assert!(
                            fop.sent_queue_len() <= usize::from(fop.sliding_window_width()),
                            "more than K frames outstanding"
                        );
                    }
                }
                FopAction::RequestResponse { id, response }
                | FopAction::DirectiveResponse { id, response } => {
                    let is_directive = matches!(action, FopAction::DirectiveResponse { .. });
                    let (kind, state) = life.get_mut(&id).expect("response to an unknown id");
                    assert_eq!(*kind == Kind::Directive, is_directive, "response kind");
                    *state = match (*state, response) {
                        (Life::Open, Response::Accept) => Life::Accepted,
                        (Life::Open, Response::Reject) => Life::Final,
                        (Life::Accepted, Response::PositiveConfirm | Response::NegativeConfirm)
                            if *kind != Kind::Bd =>
                        {
                            Life::Final
                        }
                        (s, r) => panic!("{kind:?} {id:?}: {r:?} while {s:?}"),
                    };
                }
                _ => {}
            }
        }
        check_invariants(&fop);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary input sequences never panic and keep every invariant: |Sent_Queue| ≤ K for
    /// new frames, V(S) − NN(R) = |Sent_Queue|, |Wait_Queue| ≤ 1, the response protocol, no
    /// "not applicable" cell reached.
    #[test]
    fn arbitrary_inputs_keep_invariants(ops in prop::collection::vec(op_strategy(), 0..200)) {
        run(&ops);
    }
}

// ---------------------------------------------------------------------------------------
// FOP-1 against FARM-1 over a lossy link.

/// Deterministic xorshift, so the lossy link is reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn chance(&mut self, percent: u64) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % 100 < percent
    }
}

/// Runs `count` FDUs through FOP-1 → lossy link → FARM-1 → CLCW → FOP-1; returns what the
/// FARM delivered and how many AD frames were retransmitted.
fn loopback(seed: u64, loss_percent: u64, count: usize) -> (Vec<Vec<u8>>, usize) {
    let template = TcFrameRepr {
        frame_type: FrameType::Ad,
        scid: Scid::new(0x1AB).unwrap(),
        vcid: Vcid::new(VCID).unwrap(),
        sequence_number: 0,
        segment: None,
        fecf: true,
    };
    let mut rng = Rng(seed | 1);
    let mut fop = Fop1::new(FopConfig {
        transmission_limit: NonZeroU32::new(50).unwrap(),
        ..config()
    });
    let mut farm = Farm1::new(FarmConfig::new(Vcid::new(VCID).unwrap(), 20).unwrap());
    let mut delivered = Vec::new();
    fop.directive(Directive::InitiateAdWithClcw);
    let mut next = 0usize;
    let mut timer = false;
    let mut retransmissions = 0;
    for _tick in 0..20_000 {
        if delivered.len() == count {
            break;
        }
        if next < count && fop.wait_queue_len() == 0 && fop.state() == S1 {
            fop.request_transfer_ad(format!("cmd {next}").into_bytes());
            next += 1;
        }
        let mut sent_any = false;
        while let Some(action) = fop.poll_action() {
            let Some(repr) = action.frame_repr(template) else {
                match action {
                    FopAction::StartTimer(_) => timer = true,
                    FopAction::CancelTimer => timer = false,
                    // The CLCW check of S4 can time out when CLCWs are lost (E16 in S4):
                    // initiate again. Any other alert would break the AD guarantee.
                    FopAction::Alert(AlertReason::T1) if next == 0 => {
                        fop.directive(Directive::InitiateAdWithClcw);
                    }
                    FopAction::Alert(reason) => panic!("alert {reason:?}"),
                    FopAction::RequestResponse {
                        response: Response::NegativeConfirm | Response::Reject,
                        ..
                    } => panic!("lost an FDU: {action:?}"),
                    _ => {}
                }
                continue;
            };
            let data = match &action {
                FopAction::TransmitAd { data, .. } | FopAction::TransmitBd { data } => data.clone(),
                FopAction::TransmitBc(cmd) => {
                    let mut buf = [0u8; 3];
                    let n = cmd.emit(&mut buf).unwrap();
                    buf[..n].to_vec()
                }
                _ => unreachable!(),
            };
            if let FopAction::TransmitAd {
                retransmission: true,
                ..
            } = action
            {
                retransmissions += 1;
            }
            match repr.frame_type {
                FrameType::Ad => fop.ad_accepted(),
                FrameType::Bd => fop.bd_accepted(),
                FrameType::Bc => fop.bc_accepted(),
            }
            sent_any = true;
            if rng.chance(loss_percent) {
                continue;
            }
            let mut buf = vec![0u8; repr.buffer_len(data.len())];
            repr.emit(&data, &mut buf).unwrap();
            let frame = TcFrame::new_checked(&buf[..], repr.config()).unwrap();
            if farm.on_frame(&frame, true).accepted() {
                delivered.push(frame.data().to_vec());
            }
        }
        // One CLCW per tick, lost as often as frames; the timer fires when nothing moves.
        if !rng.chance(loss_percent) {
            fop.clcw_received(&farm.clcw());
        } else if timer && !sent_any {
            timer = false;
            fop.timer_expired();
        }
    }
    (delivered, retransmissions)
}

#[test]
fn lossy_link_delivers_in_order_exactly_once() {
    for (seed, loss) in [(1, 0), (7, 10), (42, 30), (99, 50)] {
        let (delivered, retransmissions) = loopback(seed, loss, 40);
        let expected: Vec<Vec<u8>> = (0..40).map(|i| format!("cmd {i}").into_bytes()).collect();
        assert_eq!(delivered, expected, "seed {seed}, loss {loss}%");
        assert_eq!(retransmissions == 0, loss == 0, "seed {seed}, loss {loss}%");
    }
}
