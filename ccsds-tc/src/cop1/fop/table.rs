//! The FOP-1 state table (232.1-B-2 §5.3, table 5-1): one `match` per input kind on
//! (event, state), one arm per cell or group of identical cells, the event number in the
//! arm's comment. "n/a" marks cells the book leaves empty because the event cannot occur in
//! that state (e.g. N(R) ≠ V(S) in S4/S5, where V(S) = NN(R)); they are handled as Ignore.

use alloc::vec::Vec;

use super::{AlertReason, Directive, Fop1, FopEvent, FopState, RequestId, Response};
use crate::frame::ControlCommand;

use FopState::{
    Active as S1, Initial as S6, InitialisingWithBc as S5, InitialisingWithoutBc as S4,
    RetransmitWithWait as S3, RetransmitWithoutWait as S2,
};

impl Fop1 {
    fn goto(&mut self, state: FopState) {
        self.state = state;
    }

    fn alert_to_initial(&mut self, reason: AlertReason) {
        self.alert(reason);
        self.goto(S6);
    }

    /// CLCW events E1–E15, E101–E103 (`n_r` is the CLCW's report value).
    pub(super) fn on_clcw(&mut self, event: FopEvent, n_r: u8) {
        use FopEvent::*;
        self.last_event = Some(event);
        match (event, self.state) {
            // E1: all acknowledged, nothing new.
            (E1, S1 | S6) => {}
            (E1, S2 | S3) => self.alert_to_initial(AlertReason::Synch),
            (E1, S4) => {
                self.finish_pending_initiate(Response::PositiveConfirm);
                self.cancel_timer();
                self.goto(S1);
            }
            (E1, S5) => {
                self.finish_pending_initiate(Response::PositiveConfirm);
                self.release_bc();
                self.cancel_timer();
                self.goto(S1);
            }
            // E2: all outstanding frames newly acknowledged.
            (E2, S1 | S2 | S3) => {
                self.remove_acknowledged_frames(n_r);
                self.cancel_timer();
                self.look_for_fdu();
                self.goto(S1);
            }
            (E2, S4 | S5) => {} // n/a
            (E2, S6) => {}
            // E3: Wait with nothing outstanding.
            (E3, S1 | S2 | S3 | S4 | S5) => self.alert_to_initial(AlertReason::Clcw),
            (E3, S6) => {}
            // E4: Retransmit with nothing outstanding.
            (E4, S1 | S2 | S3 | S4) => self.alert_to_initial(AlertReason::Synch),
            (E4, S5 | S6) => {}
            // E5: no progress, no retransmit request.
            (E5, S1) => {}
            (E5, S2 | S3) => self.alert_to_initial(AlertReason::Synch),
            (E5, S4 | S5) => {} // n/a
            (E5, S6) => {}
            // E6: some frames acknowledged.
            (E6, S1 | S2 | S3) => {
                self.remove_acknowledged_frames(n_r);
                self.look_for_fdu();
                self.goto(S1);
            }
            (E6, S4 | S5) => {} // n/a
            (E6, S6) => {}
            // E7: Wait without Retransmit.
            (E7, S1 | S2 | S3) => self.alert_to_initial(AlertReason::Clcw),
            (E7, S4 | S5) => {} // n/a
            (E7, S6) => {}
            // E101: retransmit requested, limit 1, some frames acknowledged.
            (E101, S1 | S2 | S3) => {
                self.remove_acknowledged_frames(n_r);
                self.alert_to_initial(AlertReason::Limit);
            }
            (E101, S4 | S5) => {} // n/a
            (E101, S6) => {}
            // E102: retransmit requested, limit 1, nothing acknowledged.
            (E102, S1 | S2 | S3) => self.alert_to_initial(AlertReason::Limit),
            (E102, S4 | S5) => {} // n/a
            (E102, S6) => {}
            // E8: retransmit requested, some acknowledged, no Wait.
            (E8, S1 | S2 | S3) => {
                self.remove_acknowledged_frames(n_r);
                self.initiate_ad_retransmission();
                self.look_for_fdu();
                self.goto(S2);
            }
            (E8, S4 | S5) => {} // n/a
            (E8, S6) => {}
            // E9: retransmit requested, some acknowledged, Wait.
            (E9, S1 | S2 | S3) => {
                self.remove_acknowledged_frames(n_r);
                self.goto(S3);
            }
            (E9, S4 | S5) => {} // n/a
            (E9, S6) => {}
            // E10: retransmit requested, nothing acknowledged, below limit, no Wait.
            (E10, S1) => {
                self.initiate_ad_retransmission();
                self.look_for_fdu();
                self.goto(S2);
            }
            (E10, S2) => {} // already retransmitting
            (E10, S3) => {
                // No "Look for FDU" in this cell: the retransmission goes out on the next
                // AD_Accept or T1 expiry (as dariol83's FopEngine reads the table; yamcs
                // looks at once).
                self.initiate_ad_retransmission();
                self.goto(S2);
            }
            (E10, S4 | S5) => {} // n/a
            (E10, S6) => {}
            // E11 (below limit) / E103 (at limit): retransmit requested, nothing
            // acknowledged, Wait.
            (E11 | E103, S1 | S2) => self.goto(S3),
            (E11 | E103, S3) => {}
            (E11 | E103, S4 | S5) => {} // n/a
            (E11 | E103, S6) => {}
            // E12: retransmit requested, nothing acknowledged, at limit, no Wait: wait for T1.
            (E12, S1 | S3) => self.goto(S2),
            (E12, S2) => {}
            (E12, S4 | S5) => {} // n/a
            (E12, S6) => {}
            // E13: N(R) outside NN(R) ..= V(S).
            (E13, S1 | S2 | S3 | S4) => self.alert_to_initial(AlertReason::NnR),
            (E13, S5 | S6) => {}
            // E14: Lockout.
            (E14, S1 | S2 | S3 | S4) => self.alert_to_initial(AlertReason::LockOut),
            (E14, S5 | S6) => {}
            // E15: invalid CLCW.
            (E15, S1 | S2 | S3 | S4 | S5) => self.alert_to_initial(AlertReason::Clcw),
            (E15, S6) => {}
            // Not a CLCW event.
            (
                E16 | E17 | E18 | E104 | E19 | E20 | E21 | E22 | E23 | E24 | E25 | E26 | E27 | E28
                | E29 | E30 | E31 | E32 | E33 | E34 | E35 | E36 | E37 | E38 | E39 | E40 | E41 | E42
                | E43 | E44 | E45 | E46,
                _,
            ) => {}
        }
    }

    /// Timer events E16–E18, E104.
    pub(super) fn on_timer(&mut self, event: FopEvent) {
        use FopEvent::*;
        self.last_event = Some(event);
        match (event, self.state) {
            // E16 / E104: below the limit.
            (E16 | E104, S1 | S2) => {
                self.initiate_ad_retransmission();
                self.look_for_fdu();
            }
            (E16 | E104, S3) => {} // the FARM said Wait: keep waiting for a CLCW
            (E16, S4) => self.alert_to_initial(AlertReason::T1),
            (E104, S4) => {
                self.suspend(S4);
                self.goto(S6);
            }
            (E16 | E104, S5) => {
                self.initiate_bc_retransmission();
                self.look_for_directive();
            }
            // E17: at the limit, Timeout_Type 0.
            (E17, S1 | S2 | S3 | S4 | S5) => self.alert_to_initial(AlertReason::T1),
            // E18: at the limit, Timeout_Type 1.
            (E18, state @ (S1 | S2 | S3 | S4)) => {
                self.suspend(state);
                self.goto(S6);
            }
            (E18, S5) => self.alert_to_initial(AlertReason::T1),
            // n/a: no timer runs in S6 (an alert cancels it; suspension follows an expiry).
            (E16 | E17 | E18 | E104, S6) => {}
            _ => {}
        }
    }

    /// AD request events E19/E20.
    pub(super) fn on_ad_request(&mut self, event: FopEvent, id: RequestId, fdu: Vec<u8>) {
        use FopEvent::*;
        self.last_event = Some(event);
        match (event, self.state) {
            // E19: Wait_Queue empty.
            (E19, S1 | S2) => {
                self.add_to_wait_queue(id, fdu);
                self.look_for_fdu();
            }
            (E19, S3) => self.add_to_wait_queue(id, fdu),
            (E19, S4 | S5 | S6) => self.respond_request(id, Response::Reject),
            // E20: Wait_Queue full.
            _ => self.respond_request(id, Response::Reject),
        }
    }

    /// BD request events E21/E22: the same in every state.
    pub(super) fn on_bd_request(&mut self, event: FopEvent, id: RequestId, fdu: Vec<u8>) {
        self.last_event = Some(event);
        if event == FopEvent::E21 {
            // E21, all states: Accept, Transmit Type-BD Frame.
            self.respond_request(id, Response::Accept);
            self.transmit_bd(fdu);
        } else {
            // E22, all states: Reject.
            self.respond_request(id, Response::Reject);
        }
    }

    /// Directive events E23–E40.
    pub(super) fn on_directive(&mut self, event: FopEvent, id: RequestId, directive: Directive) {
        use FopEvent::*;
        self.last_event = Some(event);
        let accept = |fop: &mut Self| fop.respond_directive(id, Response::Accept);
        let confirm = |fop: &mut Self| fop.respond_directive(id, Response::PositiveConfirm);
        match (event, self.state) {
            // E23: Initiate AD without CLCW check.
            (E23, S6) => {
                accept(self);
                self.initialise();
                confirm(self);
                self.goto(S1);
            }
            // E24: Initiate AD with CLCW check; confirmed by E1 in S4.
            (E24, S6) => {
                accept(self);
                self.initialise();
                self.pending_initiate = Some(id);
                self.start_timer();
                self.goto(S4);
            }
            // E25: Initiate AD with Unlock, BC_Out ready; confirmed by E1 in S5.
            (E25, S6) => {
                accept(self);
                self.initialise();
                self.pending_initiate = Some(id);
                self.transmit_bc(ControlCommand::Unlock);
                self.goto(S5);
            }
            // E27: Initiate AD with Set V(R), BC_Out ready; confirmed by E1 in S5.
            (E27, S6) => {
                accept(self);
                self.initialise();
                self.pending_initiate = Some(id);
                if let Directive::InitiateAdWithSetVr(v_r) = directive {
                    self.set_v_s(v_r);
                    self.transmit_bc(ControlCommand::SetVr(v_r));
                }
                self.goto(S5);
            }
            // E23–E25, E27 outside S6; E26, E28 (BC_Out not ready) everywhere.
            (E23 | E24 | E25 | E26 | E27 | E28, _) => {
                self.respond_directive(id, Response::Reject);
            }
            // E29: Terminate AD Service.
            (E29, S1 | S2 | S3 | S4 | S5) => {
                accept(self);
                self.alert(AlertReason::Term);
                confirm(self);
                self.goto(S6);
            }
            (E29, S6) => {
                accept(self);
                confirm(self);
            }
            // E31–E34: Resume with SS = 1–4 (SS ≠ 0 only in S6).
            (E31 | E32 | E33 | E34, S6) => {
                let resume_to = match event {
                    E31 => S1,
                    E32 => S2,
                    E33 => S3,
                    _ => S4,
                };
                accept(self);
                self.resume();
                confirm(self);
                self.goto(resume_to);
            }
            // E30: Resume while not suspended; E31–E34 outside S6 (n/a).
            (E30 | E31 | E32 | E33 | E34, _) => self.respond_directive(id, Response::Reject),
            // E35: Set V(S), only when the AD service is neither running nor suspended.
            (E35, S6) if self.suspend_state == 0 => {
                accept(self);
                if let Directive::SetVs(v_s) = directive {
                    self.set_v_s(v_s);
                }
                confirm(self);
            }
            (E35, _) => self.respond_directive(id, Response::Reject),
            // E36–E39: management parameters, every state.
            (E36 | E37 | E38 | E39, _) => {
                accept(self);
                match directive {
                    Directive::SetFopWindowWidth(k) => self.sliding_window_width = k,
                    Directive::SetT1Initial(t1) => self.t1_initial = t1,
                    Directive::SetTransmissionLimit(limit) => self.transmission_limit = limit,
                    Directive::SetTimeoutType(timeout_type) => self.timeout_type = timeout_type,
                    _ => {}
                }
                confirm(self);
            }
            // E40: invalid directive, every state.
            _ => self.respond_directive(id, Response::Reject),
        }
    }

    /// Lower-layer response events E41–E46.
    pub(super) fn on_lower_layer(&mut self, event: FopEvent) {
        use FopEvent::*;
        self.last_event = Some(event);
        match (event, self.state) {
            // E41: AD_Accept.
            (E41, S1 | S2) => {
                self.ad_out = true;
                self.look_for_fdu();
            }
            (E41, _) => self.ad_out = true,
            // E43: BC_Accept.
            (E43, S5) => {
                self.bc_out = true;
                self.look_for_directive();
            }
            (E43, _) => self.bc_out = true,
            // E45: BD_Accept.
            (E45, _) => self.bd_out = true,
            // E42 / E44 / E46: a reject from the Lower Procedures, every state. The reject
            // answers the outstanding transmit request, so the Out flag is Ready again
            // (interpretation: the book only says Alert, which would leave the flag
            // Not_Ready for good and no frame of that type could ever be sent again).
            (E42, _) => {
                self.ad_out = true;
                self.alert_to_initial(AlertReason::Llif);
            }
            (E44, _) => {
                self.bc_out = true;
                self.alert_to_initial(AlertReason::Llif);
            }
            (E46, _) => {
                self.bd_out = true;
                self.alert_to_initial(AlertReason::Llif);
            }
            _ => {}
        }
    }
}
