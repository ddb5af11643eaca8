//! The FOP-1 actions of 232.1-B-2 §5.2, used by the state table.

use alloc::vec::Vec;

use super::{
    AlertReason, Fop1, FopAction, FopState, RequestId, Response, SentBc, SentFrame, WaitingFdu,
};
use crate::frame::ControlCommand;

impl Fop1 {
    fn push(&mut self, action: FopAction) {
        self.actions.push_back(action);
    }

    pub(super) fn respond_request(&mut self, id: RequestId, response: Response) {
        self.push(FopAction::RequestResponse { id, response });
    }

    pub(super) fn respond_directive(&mut self, id: RequestId, response: Response) {
        self.push(FopAction::DirectiveResponse { id, response });
    }

    /// Start or restart T1 with T1_Initial (§5.1.9).
    pub(super) fn start_timer(&mut self) {
        self.timer_running = true;
        self.push(FopAction::StartTimer(self.t1_initial));
    }

    pub(super) fn cancel_timer(&mut self) {
        self.timer_running = false;
        self.push(FopAction::CancelTimer);
    }

    /// §5.2.2 Purging the Sent_Queue: a Negative Confirm for every frame. The BC frame has
    /// no request of its own (its directive is answered by the caller of this action).
    /// Interpretation: NN(R) := V(S), the definition of NN(R) (§5.1.8) for an empty queue.
    fn purge_sent_queue(&mut self) {
        while let Some(frame) = self.sent_queue.pop_front() {
            self.respond_request(frame.id, Response::NegativeConfirm);
        }
        self.sent_bc = None;
        self.nn_r = self.v_s;
    }

    /// §5.2.3 Purging the Wait_Queue: a Reject for the waiting FDU.
    fn purge_wait_queue(&mut self) {
        if let Some(fdu) = self.wait_queue.take() {
            self.respond_request(fdu.id, Response::Reject);
        }
    }

    /// Answers the outstanding "Initiate AD Service" directive, if any.
    pub(super) fn finish_pending_initiate(&mut self, response: Response) {
        if let Some(id) = self.pending_initiate.take() {
            self.respond_directive(id, response);
        }
    }

    /// §5.2.4 Transmit Type-AD Frame.
    fn transmit_ad(&mut self, fdu: WaitingFdu) {
        let ns = self.v_s;
        self.v_s = self.v_s.wrapping_add(1);
        if self.sent_queue.is_empty() {
            self.transmission_count = 1;
        }
        self.sent_queue.push_back(SentFrame {
            id: fdu.id,
            ns,
            data: fdu.data.clone(),
            to_be_retransmitted: false,
        });
        self.start_timer();
        self.ad_out = false;
        self.push(FopAction::TransmitAd {
            ns,
            data: fdu.data,
            retransmission: false,
        });
    }

    /// §5.2.5 Transmit Type-BC Frame.
    pub(super) fn transmit_bc(&mut self, command: ControlCommand) {
        self.sent_bc = Some(SentBc {
            command,
            to_be_retransmitted: false,
        });
        self.transmission_count = 1;
        self.start_timer();
        self.bc_out = false;
        self.push(FopAction::TransmitBc(command));
    }

    /// §5.2.6 Transmit Type-BD Frame.
    pub(super) fn transmit_bd(&mut self, data: Vec<u8>) {
        self.bd_out = false;
        self.push(FopAction::TransmitBd { data });
    }

    /// §5.2.7 Initiate AD Retransmission.
    pub(super) fn initiate_ad_retransmission(&mut self) {
        self.push(FopAction::Abort);
        self.transmission_count = self.transmission_count.saturating_add(1);
        self.start_timer();
        for frame in &mut self.sent_queue {
            frame.to_be_retransmitted = true;
        }
    }

    /// §5.2.7 Initiate BC Retransmission.
    pub(super) fn initiate_bc_retransmission(&mut self) {
        self.push(FopAction::Abort);
        self.transmission_count = self.transmission_count.saturating_add(1);
        self.start_timer();
        if let Some(bc) = &mut self.sent_bc {
            bc.to_be_retransmitted = true;
        }
    }

    /// §5.2.8 Remove Acknowledged Frames from Sent_Queue: every frame with
    /// NN(R) ≤ N(S) < N(R) is confirmed and released, NN(R) := N(R), Transmission_Count := 1.
    /// Only called for events where NN(R) ≤ N(R) ≤ V(S).
    pub(super) fn remove_acknowledged_frames(&mut self, n_r: u8) {
        for _ in 0..n_r.wrapping_sub(self.nn_r) {
            if let Some(frame) = self.sent_queue.pop_front() {
                self.respond_request(frame.id, Response::PositiveConfirm);
            }
        }
        self.nn_r = n_r;
        self.transmission_count = 1;
    }

    /// §5.2.9 Look for Directive: (re)send the BC frame if it is marked and BC_Out is Ready.
    pub(super) fn look_for_directive(&mut self) {
        if !self.bc_out {
            return;
        }
        if let Some(bc) = self.sent_bc.as_mut().filter(|bc| bc.to_be_retransmitted) {
            // Clearing the mark is implied: otherwise every BC_Accept would resend the frame.
            bc.to_be_retransmitted = false;
            let command = bc.command;
            self.bc_out = false;
            self.push(FopAction::TransmitBc(command));
        }
    }

    /// §5.2.10 Look for FDU: with AD_Out Ready, first the oldest frame marked for
    /// retransmission; else, if V(S) < NN(R) + K, the FDU on the Wait_Queue.
    pub(super) fn look_for_fdu(&mut self) {
        if !self.ad_out {
            return;
        }
        if let Some(frame) = self
            .sent_queue
            .iter_mut()
            .find(|frame| frame.to_be_retransmitted)
        {
            frame.to_be_retransmitted = false;
            let action = FopAction::TransmitAd {
                ns: frame.ns,
                data: frame.data.clone(),
                retransmission: true,
            };
            self.ad_out = false;
            self.push(action);
            return;
        }
        if self.v_s.wrapping_sub(self.nn_r) < self.sliding_window_width
            && let Some(fdu) = self.wait_queue.take()
        {
            self.respond_request(fdu.id, Response::Accept);
            self.transmit_ad(fdu);
        }
    }

    /// Add an AD FDU to the (empty) Wait_Queue.
    pub(super) fn add_to_wait_queue(&mut self, id: RequestId, data: Vec<u8>) {
        self.wait_queue = Some(WaitingFdu { id, data });
    }

    /// Release the copy of the Type-BC frame once the CLCW shows it took effect (E1 in S5).
    pub(super) fn release_bc(&mut self) {
        self.sent_bc = None;
    }

    /// §5.2.14 Initialise. A still-pending "Initiate AD" directive (left by a suspension in
    /// S4) is answered with a Negative Confirm, so that every directive gets a final response.
    pub(super) fn initialise(&mut self) {
        self.finish_pending_initiate(Response::NegativeConfirm);
        self.purge_sent_queue();
        self.purge_wait_queue();
        self.transmission_count = 1;
        self.suspend_state = 0;
    }

    /// §5.2.15 Alert; the caller moves to S6.
    pub(super) fn alert(&mut self, reason: AlertReason) {
        self.cancel_timer();
        self.purge_sent_queue();
        self.purge_wait_queue();
        self.finish_pending_initiate(Response::NegativeConfirm);
        self.push(FopAction::Alert(reason));
    }

    /// §5.2.16 Suspend, recording the state to resume to (§5.1.11); the caller moves to S6.
    pub(super) fn suspend(&mut self, from: FopState) {
        self.suspend_state = from.number();
        self.push(FopAction::Suspended);
    }

    /// §5.2.17 Resume.
    pub(super) fn resume(&mut self) {
        self.start_timer();
        self.suspend_state = 0;
    }

    /// V(S) := NN(R) := value (Set V(S) directive, Initiate AD with Set V(R)).
    pub(super) fn set_v_s(&mut self, value: u8) {
        self.v_s = value;
        self.nn_r = value;
    }
}
