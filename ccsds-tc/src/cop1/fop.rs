//! FOP-1, the Frame Operation Procedure of COP-1 (CCSDS 232.1-B-2 §5): the sending end, which
//! numbers Type-AD frames, keeps a copy of each until a CLCW acknowledges it, retransmits on a
//! CLCW's Retransmit flag or on timeout, and drives FARM-1 with Unlock / Set V(R) control
//! commands.
//!
//! Sans-IO (DESIGN: quinn-proto/rustls style). Inputs are methods: requests from the Higher
//! Procedures ([`Fop1::request_transfer_ad`], [`Fop1::request_transfer_bd`],
//! [`Fop1::directive`]), CLCWs ([`Fop1::clcw_received`]), the expiry of the timer the FOP asked
//! for ([`Fop1::timer_expired`]) and the Lower Procedures' responses ([`Fop1::ad_accepted`]
//! and friends). Outputs are [`FopAction`]s the caller drains with [`Fop1::poll_action`]. The
//! FOP never reads a clock: it asks for T1 to be (re)started with [`FopAction::StartTimer`] or
//! cancelled with [`FopAction::CancelTimer`], and the caller reports the expiry.
//!
//! Every input is classified as one event of the FOP-1 state table (232.1-B-2 table 5-1,
//! [`FopEvent`]) and the cell for (state, event) is executed; [`Fop1::last_event`] tells which.
//!
//! Deviations and interpretations (each also noted where it is coded):
//! * Purging the Sent_Queue (Alert, Initialise) also sets NN(R) := V(S). 5.1.8 defines NN(R)
//!   as the N(S) of the oldest unacknowledged frame *on the Sent_Queue*; with the queue empty
//!   that is the next one to be sent. This keeps V(S) − NN(R) equal to the number of frames
//!   on the queue at all times, which the table's "not applicable" cells for S4/S5 assume.
//! * The Type-BC frame, which the book keeps on the Sent_Queue, is held in its own one-frame
//!   slot; in S5 (the only state that has one) the AD part of the queue is empty anyway.
//! * A timer expiry while no timer runs (a race with [`FopAction::CancelTimer`]) is no event.
//! * A CLCW for another Virtual Channel is no event (routing, outside the table, §5.3.2); a
//!   CLCW whose COP in Effect is not COP-1 is E15 (invalid CLCW).
//! * Each request gets exactly one final response: "Initialise" and a replaced pending
//!   "Initiate AD" directive are answered with a Negative Confirm.
//! * A lower-layer reject (E42/E44/E46) also sets the matching Out flag Ready: it answers the
//!   outstanding transmit request, and without it no frame of that type could be sent after
//!   the next "Initiate AD Service".
//! * A BD FDU is accepted once, at E21; E45 only sets BD_Out Ready (§4.4.3: no further
//!   response for a BD request once Accept or Reject is returned).
//!
//! The public Python implementation `ccsds-cop` 0.1.2 was read for comparison; where it
//! differs from the book this module follows the book. Notably it swaps E8/E9 on the Wait
//! flag, compares N(R) with V(S) and NN(R) without mod-256 arithmetic, removes every frame
//! from the Sent_Queue on any acknowledgement, stays in S3–S5 on E42, and answers nothing to
//! a Set V(S) while suspended (E35 is rejected here).

mod procedures;
mod table;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::num::{NonZeroU8, NonZeroU32};
use core::time::Duration;

use ccsds_core::{Clcw, Vcid};

use crate::frame::{ControlCommand, FrameType, TcFrameRepr};

/// The six FOP-1 states (232.1-B-2 §5.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FopState {
    /// S1 Active: the AD service runs normally.
    Active = 1,
    /// S2 Retransmit without Wait: retransmitting after a CLCW with Retransmit set.
    RetransmitWithoutWait = 2,
    /// S3 Retransmit with Wait: the FARM reports Wait; nothing is sent until it clears.
    RetransmitWithWait = 3,
    /// S4 Initialising without BC Frame: waiting for a CLCW that confirms FARM and FOP agree.
    InitialisingWithoutBc = 4,
    /// S5 Initialising with BC Frame: an Unlock or Set V(R) is outstanding.
    InitialisingWithBc = 5,
    /// S6 Initial: the AD service is not running (or is suspended, see Suspend_State).
    Initial = 6,
}

impl FopState {
    /// The state number as the book writes it (S1 = 1 … S6 = 6); also the Suspend_State value
    /// recorded when the service is suspended in S1–S4 (§5.1.11).
    pub const fn number(self) -> u8 {
        self as u8
    }
}

/// What T1 expiry does once Transmission_Count has reached Transmission_Limit (§5.1.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimeoutType {
    /// Timeout_Type 0: raise the T1 alert and terminate the AD service (E17).
    #[default]
    Alert = 0,
    /// Timeout_Type 1: suspend the AD service so that it can be resumed (E18; also E104 in S4).
    Suspend = 1,
}

/// Alert reason codes (232.1-B-2 table 4-4 / §5.2.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertReason {
    /// LIMIT: a frame was transmitted Transmission_Limit times without acknowledgement.
    Limit,
    /// T1: the timer expired at the transmission limit (or during the CLCW check of S4).
    T1,
    /// LOCKOUT: the CLCW reports the FARM in Lockout.
    LockOut,
    /// SYNCH: the CLCW's flags contradict the FOP's state.
    Synch,
    /// NN_R: the CLCW's N(R) lies outside NN(R) ..= V(S).
    NnR,
    /// CLCW: the CLCW is invalid (Wait with nothing outstanding, Wait without Retransmit, not
    /// COP-1).
    Clcw,
    /// LLIF: the Lower Procedures rejected a frame.
    Llif,
    /// TERM: a "Terminate AD Service" directive.
    Term,
}

/// Identifies one request or directive of the Higher Procedures; handed out by [`Fop1`] and
/// echoed in every response about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// The responses to a "Request to Transfer FDU" or a directive (§4.3.3, §5.2.11–5.2.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Response {
    /// FOP-1 took the request on.
    Accept,
    /// FOP-1 refused the request; it had no effect. Final.
    Reject,
    /// The FDU was acknowledged by the receiving end / the directive completed. Final.
    PositiveConfirm,
    /// The FDU was not (provably) delivered / the directive did not complete. Final.
    NegativeConfirm,
}

/// Directives of the Higher Procedures (§4.3.2, table 4-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Directive {
    /// Initiate AD Service without CLCW check (E23).
    InitiateAdWithoutClcw,
    /// Initiate AD Service with CLCW check (E24): confirmed by a CLCW with N(R) = V(S).
    InitiateAdWithClcw,
    /// Initiate AD Service with Unlock (E25/E26): sends a BC Unlock.
    InitiateAdWithUnlock,
    /// Initiate AD Service with Set V(R) (E27/E28): V(S) := V*(R) and sends a BC Set V(R).
    InitiateAdWithSetVr(u8),
    /// Terminate AD Service (E29).
    Terminate,
    /// Resume AD Service (E30–E34).
    Resume,
    /// Set V(S) to V*(S) (E35); also sets NN(R).
    SetVs(u8),
    /// Set FOP_Sliding_Window_Width K, `1 ..= 255` (E36; 0 is an invalid directive, E40).
    SetFopWindowWidth(u8),
    /// Set T1_Initial (E37).
    SetT1Initial(Duration),
    /// Set Transmission_Limit, at least 1 (E38; 0 is an invalid directive, E40).
    SetTransmissionLimit(u32),
    /// Set Timeout_Type (E39).
    SetTimeoutType(TimeoutType),
}

/// What the caller must do, in order (drained with [`Fop1::poll_action`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FopAction {
    /// Pass a Type-AD frame with N(S) = `ns` and this data field to the Lower Procedures, then
    /// report [`Fop1::ad_accepted`] or [`Fop1::ad_rejected`] (§5.2.4, §5.2.10).
    TransmitAd {
        /// Frame Sequence Number N(S).
        ns: u8,
        /// The frame data field (the FDU).
        data: Vec<u8>,
        /// True if this N(S) was transmitted before.
        retransmission: bool,
    },
    /// Pass a Type-BD frame to the Lower Procedures, then report [`Fop1::bd_accepted`] or
    /// [`Fop1::bd_rejected`] (§5.2.6).
    TransmitBd {
        /// The frame data field (the FDU).
        data: Vec<u8>,
    },
    /// Pass a Type-BC frame carrying this control command to the Lower Procedures, then report
    /// [`Fop1::bc_accepted`] or [`Fop1::bc_rejected`] (§5.2.5, §5.2.9).
    TransmitBc(ControlCommand),
    /// "Abort" request to the Lower Procedures (§5.2.7 a): frames of this Virtual Channel not
    /// yet radiated may be dropped, because a retransmission follows. Optional to honour, but
    /// every transmit request must still be answered by exactly one accept or reject.
    Abort,
    /// (Re)start T1 with this duration (T1_Initial); the caller calls
    /// [`Fop1::timer_expired`] when it runs out.
    StartTimer(Duration),
    /// Cancel T1.
    CancelTimer,
    /// Response to the "Request to Transfer FDU" `id`.
    RequestResponse {
        /// The request.
        id: RequestId,
        /// The response.
        response: Response,
    },
    /// Response to the directive `id`.
    DirectiveResponse {
        /// The directive.
        id: RequestId,
        /// The response.
        response: Response,
    },
    /// Alert notification (§5.2.15): the AD service terminated; FOP-1 is in S6.
    Alert(AlertReason),
    /// Suspend notification (§5.2.16): the AD service is suspended in S6 and can be resumed.
    Suspended,
}

impl FopAction {
    /// For a transmit action, the frame headers to emit: `template`'s SCID, VCID, segment
    /// header and FECF setting with the frame type and N(S) of this action (BC frames carry no
    /// segment header and N(S) 0, §4.1.2.8.2 of 232.0-B-4). `None` for other actions.
    pub fn frame_repr(&self, template: TcFrameRepr) -> Option<TcFrameRepr> {
        let (frame_type, sequence_number, segment) = match self {
            Self::TransmitAd { ns, .. } => (FrameType::Ad, *ns, template.segment),
            Self::TransmitBd { .. } => (FrameType::Bd, 0, template.segment),
            Self::TransmitBc(_) => (FrameType::Bc, 0, None),
            _ => return None,
        };
        Some(TcFrameRepr {
            frame_type,
            sequence_number,
            segment,
            ..template
        })
    }
}

/// The events of the FOP-1 state table (232.1-B-2 table 5-1), as classified from an input.
/// Numbering follows the book; E101–E104 are the sub-events Issue 2 added (FOP-1 revision B).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FopEvent {
    /// CLCW, Lockout 0, N(R) = V(S), Retransmit 0, Wait 0, N(R) = NN(R).
    E1,
    /// CLCW, Lockout 0, N(R) = V(S), Retransmit 0, Wait 0, N(R) ≠ NN(R).
    E2,
    /// CLCW, Lockout 0, N(R) = V(S), Retransmit 0, Wait 1.
    E3,
    /// CLCW, Lockout 0, N(R) = V(S), Retransmit 1.
    E4,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 0, Wait 0, N(R) = NN(R).
    E5,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 0, Wait 0, N(R) ≠ NN(R).
    E6,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 0, Wait 1.
    E7,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 1, Transmission_Limit > 1,
    /// N(R) ≠ NN(R), Wait 0.
    E8,
    /// As E8 with Wait 1.
    E9,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 1, Transmission_Limit > 1,
    /// N(R) = NN(R), Transmission_Count < Transmission_Limit, Wait 0.
    E10,
    /// As E10 with Wait 1.
    E11,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 1, Transmission_Limit > 1,
    /// N(R) = NN(R), Transmission_Count ≥ Transmission_Limit, Wait 0.
    E12,
    /// CLCW, Lockout 0, N(R) outside NN(R) ..= V(S) (invalid N(R)).
    E13,
    /// CLCW, Lockout 1.
    E14,
    /// Invalid CLCW (COP in Effect is not COP-1).
    E15,
    /// T1 expired, Transmission_Count < Transmission_Limit, Timeout_Type 0.
    E16,
    /// T1 expired, Transmission_Count ≥ Transmission_Limit, Timeout_Type 0.
    E17,
    /// T1 expired, Transmission_Count ≥ Transmission_Limit, Timeout_Type 1.
    E18,
    /// Request to transfer an AD FDU, Wait_Queue empty.
    E19,
    /// Request to transfer an AD FDU, Wait_Queue full.
    E20,
    /// Request to transfer a BD FDU, BD_Out ready.
    E21,
    /// Request to transfer a BD FDU, BD_Out not ready.
    E22,
    /// Directive: Initiate AD Service without CLCW check.
    E23,
    /// Directive: Initiate AD Service with CLCW check.
    E24,
    /// Directive: Initiate AD Service with Unlock, BC_Out ready.
    E25,
    /// Directive: Initiate AD Service with Unlock, BC_Out not ready.
    E26,
    /// Directive: Initiate AD Service with Set V(R), BC_Out ready.
    E27,
    /// Directive: Initiate AD Service with Set V(R), BC_Out not ready.
    E28,
    /// Directive: Terminate AD Service.
    E29,
    /// Directive: Resume AD Service, Suspend_State 0 (not suspended).
    E30,
    /// Directive: Resume AD Service, Suspend_State 1.
    E31,
    /// Directive: Resume AD Service, Suspend_State 2.
    E32,
    /// Directive: Resume AD Service, Suspend_State 3.
    E33,
    /// Directive: Resume AD Service, Suspend_State 4.
    E34,
    /// Directive: Set V(S) to V*(S).
    E35,
    /// Directive: Set FOP_Sliding_Window_Width.
    E36,
    /// Directive: Set T1_Initial.
    E37,
    /// Directive: Set Transmission_Limit.
    E38,
    /// Directive: Set Timeout_Type.
    E39,
    /// Invalid directive (a parameter out of range).
    E40,
    /// Lower Procedures: AD_Accept.
    E41,
    /// Lower Procedures: AD_Reject.
    E42,
    /// Lower Procedures: BC_Accept.
    E43,
    /// Lower Procedures: BC_Reject.
    E44,
    /// Lower Procedures: BD_Accept.
    E45,
    /// Lower Procedures: BD_Reject.
    E46,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 1, Transmission_Limit = 1,
    /// N(R) ≠ NN(R).
    E101,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 1, Transmission_Limit = 1,
    /// N(R) = NN(R).
    E102,
    /// CLCW, Lockout 0, NN(R) ≤ N(R) < V(S), Retransmit 1, Transmission_Limit > 1,
    /// N(R) = NN(R), Transmission_Count ≥ Transmission_Limit, Wait 1.
    E103,
    /// T1 expired, Transmission_Count < Transmission_Limit, Timeout_Type 1.
    E104,
}

impl FopEvent {
    /// Every event, in table order.
    pub const ALL: [Self; 50] = {
        use FopEvent::*;
        [
            E1, E2, E3, E4, E5, E6, E7, E101, E102, E8, E9, E10, E11, E12, E103, E13, E14, E15,
            E16, E104, E17, E18, E19, E20, E21, E22, E23, E24, E25, E26, E27, E28, E29, E30, E31,
            E32, E33, E34, E35, E36, E37, E38, E39, E40, E41, E42, E43, E44, E45, E46,
        ]
    };
}

/// Management parameters of FOP-1 for one Virtual Channel (§5.1, §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FopConfig {
    /// The Virtual Channel; CLCWs for other channels are ignored.
    pub vcid: Vcid,
    /// FOP_Sliding_Window_Width K (§5.1.12): at most K unacknowledged AD frames. Choose
    /// K ≤ PW, the FARM's positive window width.
    pub sliding_window_width: NonZeroU8,
    /// T1_Initial (§5.1.9).
    pub t1_initial: Duration,
    /// Transmission_Limit (§5.1.10): transmissions of the first frame on the Sent_Queue.
    pub transmission_limit: NonZeroU32,
    /// Timeout_Type (§5.1.10).
    pub timeout_type: TimeoutType,
}

/// A Type-AD frame on the Sent_Queue (§5.1.7): the master copy of its data field.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SentFrame {
    id: RequestId,
    ns: u8,
    data: Vec<u8>,
    to_be_retransmitted: bool,
}

/// The Type-BC frame of S5, held apart from the AD frames (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SentBc {
    command: ControlCommand,
    to_be_retransmitted: bool,
}

/// An AD FDU waiting for acceptance (the Wait_Queue, §5.1.4, capacity one).
#[derive(Debug, Clone, PartialEq, Eq)]
struct WaitingFdu {
    id: RequestId,
    data: Vec<u8>,
}

/// FOP-1 for one Virtual Channel: the variables of §5.1 and a queue of pending actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fop1 {
    vcid: Vcid,
    state: FopState,
    /// V(S), §5.1.3.
    v_s: u8,
    /// NN(R), §5.1.8.
    nn_r: u8,
    sent_queue: VecDeque<SentFrame>,
    sent_bc: Option<SentBc>,
    wait_queue: Option<WaitingFdu>,
    /// AD_Out_Flag, BD_Out_Flag, BC_Out_Flag (§5.1.5): true = Ready.
    ad_out: bool,
    bd_out: bool,
    bc_out: bool,
    t1_initial: Duration,
    timer_running: bool,
    transmission_limit: u32,
    transmission_count: u32,
    timeout_type: TimeoutType,
    /// Suspend_State SS, 0 ..= 4 (§5.1.11).
    suspend_state: u8,
    /// K, §5.1.12.
    sliding_window_width: u8,
    /// The "Initiate AD Service" directive awaiting its confirm (S4, S5, or suspended from S4).
    pending_initiate: Option<RequestId>,
    next_id: u64,
    last_event: Option<FopEvent>,
    actions: VecDeque<FopAction>,
}

impl Fop1 {
    /// A FOP in S6 (Initial), not suspended, V(S) = NN(R) = 0, empty queues, all Out flags
    /// Ready, Transmission_Count 1 (§5.1; the book leaves the initial values to management).
    pub fn new(config: FopConfig) -> Self {
        Self {
            vcid: config.vcid,
            state: FopState::Initial,
            v_s: 0,
            nn_r: 0,
            sent_queue: VecDeque::new(),
            sent_bc: None,
            wait_queue: None,
            ad_out: true,
            bd_out: true,
            bc_out: true,
            t1_initial: config.t1_initial,
            timer_running: false,
            transmission_limit: config.transmission_limit.get(),
            transmission_count: 1,
            timeout_type: config.timeout_type,
            suspend_state: 0,
            sliding_window_width: config.sliding_window_width.get(),
            pending_initiate: None,
            next_id: 0,
            last_event: None,
            actions: VecDeque::new(),
        }
    }

    /// The next action to perform, oldest first.
    pub fn poll_action(&mut self) -> Option<FopAction> {
        self.actions.pop_front()
    }

    // ---- inputs -------------------------------------------------------------------------

    /// "Request to Transfer FDU" on the AD (sequence-controlled) service (E19/E20). The FDU is
    /// one frame's data field: non-empty and small enough for the frame. Answered with
    /// [`Response::Accept`] when it gets a sequence number, later a confirm.
    pub fn request_transfer_ad(&mut self, fdu: Vec<u8>) -> RequestId {
        let id = self.allocate_id();
        // §5.3.1: E19 if the Wait_Queue is empty, E20 otherwise.
        let event = if self.wait_queue.is_none() {
            FopEvent::E19
        } else {
            FopEvent::E20
        };
        self.on_ad_request(event, id, fdu);
        id
    }

    /// "Request to Transfer FDU" on the BD (expedited) service (E21/E22). Accepted and
    /// transmitted at once if the Lower Procedures are ready, rejected otherwise; never
    /// confirmed (§4.4.3).
    pub fn request_transfer_bd(&mut self, fdu: Vec<u8>) -> RequestId {
        let id = self.allocate_id();
        let event = if self.bd_out {
            FopEvent::E21
        } else {
            FopEvent::E22
        };
        self.on_bd_request(event, id, fdu);
        id
    }

    /// A directive from the Higher Procedures (E23–E40).
    pub fn directive(&mut self, directive: Directive) -> RequestId {
        let id = self.allocate_id();
        let event = match directive {
            Directive::InitiateAdWithoutClcw => FopEvent::E23,
            Directive::InitiateAdWithClcw => FopEvent::E24,
            Directive::InitiateAdWithUnlock if self.bc_out => FopEvent::E25,
            Directive::InitiateAdWithUnlock => FopEvent::E26,
            Directive::InitiateAdWithSetVr(_) if self.bc_out => FopEvent::E27,
            Directive::InitiateAdWithSetVr(_) => FopEvent::E28,
            Directive::Terminate => FopEvent::E29,
            Directive::Resume => match self.suspend_state {
                0 => FopEvent::E30,
                1 => FopEvent::E31,
                2 => FopEvent::E32,
                3 => FopEvent::E33,
                _ => FopEvent::E34,
            },
            Directive::SetVs(_) => FopEvent::E35,
            // 1 ≤ K ≤ 255 (§5.1.12) and Transmission_Limit ≥ 1 (§5.1.10): anything else is an
            // invalid directive.
            Directive::SetFopWindowWidth(0) | Directive::SetTransmissionLimit(0) => FopEvent::E40,
            Directive::SetFopWindowWidth(_) => FopEvent::E36,
            Directive::SetT1Initial(_) => FopEvent::E37,
            Directive::SetTransmissionLimit(_) => FopEvent::E38,
            Directive::SetTimeoutType(_) => FopEvent::E39,
        };
        self.on_directive(event, id, directive);
        id
    }

    /// A CLCW arrived (E1–E15, E101–E103). CLCWs of other Virtual Channels are not events
    /// (§5.3.2: the VCID check is outside the state table).
    pub fn clcw_received(&mut self, clcw: &Clcw) {
        if clcw.vcid != self.vcid {
            self.last_event = None;
            return;
        }
        let event = self.classify_clcw(clcw);
        self.on_clcw(event, clcw.report_value);
    }

    /// T1 ran out (E16–E18, E104). Ignored if no timer is running (an expiry that raced with
    /// a cancel or restart; the caller should not report those, but need not be exact).
    pub fn timer_expired(&mut self) {
        if !self.timer_running {
            self.last_event = None;
            return;
        }
        self.timer_running = false;
        let below_limit = self.transmission_count < self.transmission_limit;
        let event = match (below_limit, self.timeout_type) {
            (true, TimeoutType::Alert) => FopEvent::E16,
            (true, TimeoutType::Suspend) => FopEvent::E104,
            (false, TimeoutType::Alert) => FopEvent::E17,
            (false, TimeoutType::Suspend) => FopEvent::E18,
        };
        self.on_timer(event);
    }

    /// The Lower Procedures accepted the last Type-AD frame (E41): AD_Out is Ready again.
    pub fn ad_accepted(&mut self) {
        self.on_lower_layer(FopEvent::E41);
    }

    /// The Lower Procedures rejected a Type-AD frame (E42).
    pub fn ad_rejected(&mut self) {
        self.on_lower_layer(FopEvent::E42);
    }

    /// The Lower Procedures accepted the last Type-BC frame (E43).
    pub fn bc_accepted(&mut self) {
        self.on_lower_layer(FopEvent::E43);
    }

    /// The Lower Procedures rejected a Type-BC frame (E44).
    pub fn bc_rejected(&mut self) {
        self.on_lower_layer(FopEvent::E44);
    }

    /// The Lower Procedures accepted the last Type-BD frame (E45).
    pub fn bd_accepted(&mut self) {
        self.on_lower_layer(FopEvent::E45);
    }

    /// The Lower Procedures rejected a Type-BD frame (E46).
    pub fn bd_rejected(&mut self) {
        self.on_lower_layer(FopEvent::E46);
    }

    /// Which table 5-1 event a CLCW of this Virtual Channel is, given V(S), NN(R) and the
    /// transmission counters (the decision tree of §5.3.2 / table 5-1, mod-256 arithmetic per
    /// the note to §5.2.1).
    pub fn classify_clcw(&self, clcw: &Clcw) -> FopEvent {
        use FopEvent::*;
        if clcw.cop_in_effect != Clcw::COP_1 {
            return E15;
        }
        if clcw.lockout {
            return E14;
        }
        let n_r = clcw.report_value;
        let outstanding = self.v_s.wrapping_sub(self.nn_r);
        let acked = n_r.wrapping_sub(self.nn_r);
        let new_ack = n_r != self.nn_r;
        if n_r == self.v_s {
            // All outstanding frames acknowledged.
            match (clcw.retransmit, clcw.wait, new_ack) {
                (false, false, false) => E1,
                (false, false, true) => E2,
                (false, true, _) => E3,
                (true, _, _) => E4,
            }
        } else if acked < outstanding {
            // NN(R) ≤ N(R) < V(S): some outstanding frames not yet acknowledged.
            if !clcw.retransmit {
                return match (clcw.wait, new_ack) {
                    (false, false) => E5,
                    (false, true) => E6,
                    (true, _) => E7,
                };
            }
            if self.transmission_limit == 1 {
                return if new_ack { E101 } else { E102 };
            }
            let below_limit = self.transmission_count < self.transmission_limit;
            match (new_ack, below_limit, clcw.wait) {
                (true, _, false) => E8,
                (true, _, true) => E9,
                (false, true, false) => E10,
                (false, true, true) => E11,
                (false, false, false) => E12,
                (false, false, true) => E103,
            }
        } else {
            E13
        }
    }

    // ---- observation --------------------------------------------------------------------

    /// The current state.
    pub const fn state(&self) -> FopState {
        self.state
    }

    /// The event the last input was classified as; `None` if it was no event (a CLCW of
    /// another channel, a stale timer expiry) or before the first input.
    pub const fn last_event(&self) -> Option<FopEvent> {
        self.last_event
    }

    /// V(S): the N(S) of the next new Type-AD frame.
    pub const fn v_s(&self) -> u8 {
        self.v_s
    }

    /// NN(R): the N(S) of the oldest unacknowledged Type-AD frame.
    pub const fn nn_r(&self) -> u8 {
        self.nn_r
    }

    /// Frames on the Sent_Queue (Type-AD; V(S) − NN(R) mod 256).
    pub fn sent_queue_len(&self) -> usize {
        self.sent_queue.len()
    }

    /// N(S) of the Type-AD frames on the Sent_Queue, oldest first.
    pub fn sent_queue_sequence_numbers(&self) -> impl Iterator<Item = u8> + '_ {
        self.sent_queue.iter().map(|f| f.ns)
    }

    /// Whether a Type-BC frame is awaiting acknowledgement (S5).
    pub const fn bc_outstanding(&self) -> bool {
        self.sent_bc.is_some()
    }

    /// FDUs on the Wait_Queue (0 or 1).
    pub const fn wait_queue_len(&self) -> usize {
        if self.wait_queue.is_some() { 1 } else { 0 }
    }

    /// AD_Out_Flag is Ready.
    pub const fn ad_out_ready(&self) -> bool {
        self.ad_out
    }

    /// BD_Out_Flag is Ready.
    pub const fn bd_out_ready(&self) -> bool {
        self.bd_out
    }

    /// BC_Out_Flag is Ready.
    pub const fn bc_out_ready(&self) -> bool {
        self.bc_out
    }

    /// Whether the FOP believes T1 is running (last asked to start and not cancelled/expired).
    pub const fn timer_running(&self) -> bool {
        self.timer_running
    }

    /// Transmission_Count.
    pub const fn transmission_count(&self) -> u32 {
        self.transmission_count
    }

    /// Transmission_Limit.
    pub const fn transmission_limit(&self) -> u32 {
        self.transmission_limit
    }

    /// T1_Initial.
    pub const fn t1_initial(&self) -> Duration {
        self.t1_initial
    }

    /// Timeout_Type.
    pub const fn timeout_type(&self) -> TimeoutType {
        self.timeout_type
    }

    /// FOP_Sliding_Window_Width K.
    pub const fn sliding_window_width(&self) -> u8 {
        self.sliding_window_width
    }

    /// Suspend_State SS: 0 if not suspended, else the state (1–4) to resume to.
    pub const fn suspend_state(&self) -> u8 {
        self.suspend_state
    }

    /// The Virtual Channel this FOP serves.
    pub const fn vcid(&self) -> Vcid {
        self.vcid
    }

    fn allocate_id(&mut self) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        id
    }
}
