//! FARM-1, the Frame Acceptance and Reporting Mechanism of COP-1 (CCSDS 232.1-B-2 §6): the
//! receiving end, which decides for every valid TC frame of one Virtual Channel whether its FDU
//! goes to the Higher Procedures, and reports its state to FOP-1 in the [`Clcw`].
//!
//! Sans-IO: [`Farm1::on_frame`] (events E1–E9), [`Farm1::on_buffer_release`] (E10) and
//! [`Farm1::clcw`] (E11) are the only inputs and outputs. The caller runs the frame validation
//! of 232.0-B-4 §4.2 (version, SCID, length, FECF, SDLS) and demultiplexes by VCID *before*
//! calling the FARM (232.1-B-2 §6.1.1): the FARM neither checks nor sees invalid frames.
//!
//! The FARM is a fixed set of counters and flags; it allocates nothing and never fails.

use ccsds_core::{Clcw, Vcid};

use crate::Error;
use crate::frame::{ControlCommand, FrameType, TcFrame};

/// The managed parameters of FARM-1 for one Virtual Channel (232.1-B-2 §6.1.8, §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FarmConfig {
    vcid: Vcid,
    window_width: u8,
}

impl FarmConfig {
    /// Smallest FARM sliding window width W (232.1-B-2 §6.1.8.2).
    pub const MIN_WINDOW_WIDTH: u8 = 2;
    /// Largest FARM sliding window width W (232.1-B-2 §6.1.8.2).
    pub const MAX_WINDOW_WIDTH: u8 = 254;

    /// A FARM for `vcid` with sliding window width `window_width` (W). With retransmission
    /// allowed, W is even and `2 ..= 254`, and the window splits into equal halves
    /// PW = NW = W/2 (232.1-B-2 §6.1.8.2, §6.1.8.3.1); any other W is refused.
    pub fn new(vcid: Vcid, window_width: u8) -> Result<Self, Error> {
        if !window_width.is_multiple_of(2)
            || !(Self::MIN_WINDOW_WIDTH..=Self::MAX_WINDOW_WIDTH).contains(&window_width)
        {
            return Err(Error::invalid(
                0,
                "farm_sliding_window_width",
                window_width.into(),
            ));
        }
        Ok(Self { vcid, window_width })
    }

    /// The Virtual Channel this FARM serves (reported in the CLCW).
    pub const fn vcid(&self) -> Vcid {
        self.vcid
    }

    /// FARM_Sliding_Window_Width W.
    pub const fn window_width(&self) -> u8 {
        self.window_width
    }

    /// FARM_Positive_Window_Width PW = W/2: the positive part of the window is V(R) ..=
    /// V(R)+PW−1 (mod 256), V(R) included.
    pub const fn positive_window_width(&self) -> u8 {
        self.window_width / 2
    }

    /// FARM_Negative_Window_Width NW = W/2: the negative part is V(R)−NW ..= V(R)−1 (mod 256).
    pub const fn negative_window_width(&self) -> u8 {
        self.window_width / 2
    }

    /// Where `n_s` falls relative to `v_r` (232.1-B-2 §6.1.8.2, mod-256 arithmetic per the
    /// note to §6.2.1).
    pub const fn window_area(&self, v_r: u8, n_s: u8) -> WindowArea {
        let ahead = n_s.wrapping_sub(v_r);
        let behind = v_r.wrapping_sub(n_s);
        if ahead == 0 {
            WindowArea::Expected
        } else if ahead < self.positive_window_width() {
            WindowArea::Positive
        } else if behind <= self.negative_window_width() {
            WindowArea::Negative
        } else {
            WindowArea::Lockout
        }
    }
}

/// The part of the FARM sliding window an AD frame's N(S) falls into (232.1-B-2 §6.1.8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowArea {
    /// N(S) = V(R): the frame FARM-1 expects next (E1/E2).
    Expected,
    /// V(R) < N(S) ≤ V(R)+PW−1: a frame was lost before this one (E3).
    Positive,
    /// V(R)−NW ≤ N(S) < V(R): a frame already accepted, retransmitted (E4).
    Negative,
    /// Anywhere else: the FARM and FOP are out of step (E5).
    Lockout,
}

/// The three FARM-1 states (232.1-B-2 §6.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FarmState {
    /// S1 Open: AD frames in sequence are accepted.
    Open,
    /// S2 Wait: no buffer for the next AD frame; left on a buffer release (E10) or a control
    /// command.
    Wait,
    /// S3 Lockout: an AD frame fell outside the window; only an Unlock leaves this state.
    Lockout,
}

/// The FARM-1 events of table 6-1 (232.1-B-2 §6.3.2). E11 (CLCW report) is [`Farm1::clcw`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FarmEvent {
    /// Valid AD frame, N(S) = V(R), buffer available.
    E1,
    /// Valid AD frame, N(S) = V(R), no buffer available.
    E2,
    /// Valid AD frame, N(S) in the positive part of the window, N(S) ≠ V(R).
    E3,
    /// Valid AD frame, N(S) in the negative part of the window.
    E4,
    /// Valid AD frame, N(S) in the lockout area.
    E5,
    /// Valid BD frame.
    E6,
    /// Valid BC frame carrying Unlock.
    E7,
    /// Valid BC frame carrying Set V(R).
    E8,
    /// BC frame whose data is not a valid control command.
    E9,
    /// Buffer release signal from the Higher Procedures.
    E10,
}

/// What the caller does with the frame after an event (232.1-B-2 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FarmAction {
    /// Deliver the frame's FDU to the Higher Procedures (§6.2.2; E1, E6).
    Accept,
    /// Drop the frame (§6.2.3; E2–E5, E9).
    Discard,
    /// A control command was received and counted in FARM-B (E7, E8); it has been executed,
    /// except Set V(R) in Lockout, which is only counted (§6.3.2 notes). Nothing to deliver.
    Execute,
    /// No frame is involved (E10); any flag change shows in the next CLCW.
    Ignore,
}

/// The result of one event: which event the input was classified as, what to do with the
/// frame, and the state transition, for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FarmOutcome {
    /// The table 6-1 event.
    pub event: FarmEvent,
    /// What to do with the frame.
    pub action: FarmAction,
    /// State before the event.
    pub from: FarmState,
    /// State after the event.
    pub to: FarmState,
}

impl FarmOutcome {
    /// True if the FDU goes to the Higher Procedures.
    pub const fn accepted(&self) -> bool {
        matches!(self.action, FarmAction::Accept)
    }
}

/// FARM-1 for one Virtual Channel (232.1-B-2 §6.1): state, V(R), the Lockout/Wait/Retransmit
/// flags, the FARM-B counter and the CLCW fields FARM-1 does not own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Farm1 {
    config: FarmConfig,
    state: FarmState,
    v_r: u8,
    wait: bool,
    retransmit: bool,
    farm_b: u32,
    status_field: u8,
    no_rf_available: bool,
    no_bit_lock: bool,
}

impl Farm1 {
    /// A FARM in S1 (Open) with V(R) = 0, all flags clear and a FARM-B count of 0.
    /// 232.1-B-2 leaves the initial state to management; Open with V(R) = 0 lets FOP-1 start
    /// with any of its "Initiate AD Service" directives.
    pub const fn new(config: FarmConfig) -> Self {
        Self {
            config,
            state: FarmState::Open,
            v_r: 0,
            wait: false,
            retransmit: false,
            farm_b: 0,
            status_field: 0,
            no_rf_available: false,
            no_bit_lock: false,
        }
    }

    /// The managed parameters.
    pub const fn config(&self) -> &FarmConfig {
        &self.config
    }

    /// The current state.
    pub const fn state(&self) -> FarmState {
        self.state
    }

    /// V(R), the N(S) expected in the next AD frame (§6.1.7).
    pub const fn v_r(&self) -> u8 {
        self.v_r
    }

    /// Lockout_Flag: set exactly in S3 (§6.1.3).
    pub const fn lockout(&self) -> bool {
        matches!(self.state, FarmState::Lockout)
    }

    /// Wait_Flag: no buffer space for AD frames (§6.1.4). Set in S2; it may stay set in S3
    /// (entered from S2 by E5) until a buffer release or Unlock.
    pub const fn wait(&self) -> bool {
        self.wait
    }

    /// Retransmit_Flag: an AD frame was lost or discarded for lack of buffer (§6.1.5).
    pub const fn retransmit(&self) -> bool {
        self.retransmit
    }

    /// FARM-B_Counter: accepted BD frames plus valid BC frames, mod 2³² (§6.1.6); the CLCW
    /// carries its two low bits.
    pub const fn farm_b_counter(&self) -> u32 {
        self.farm_b
    }

    /// Sets the mission-specific CLCW Status Field (3 bits, 232.0-B-4 §4.2.1.4); a value that
    /// does not fit is refused.
    pub fn set_status_field(&mut self, status: u8) -> Result<(), Error> {
        if status > 0b111 {
            return Err(Error::invalid(0, "status_field", status.into()));
        }
        self.status_field = status;
        Ok(())
    }

    /// Sets the CLCW No RF Available flag (from the physical layer, not FARM-1).
    pub fn set_no_rf_available(&mut self, no_rf_available: bool) {
        self.no_rf_available = no_rf_available;
    }

    /// Sets the CLCW No Bit Lock flag (from the physical layer, not FARM-1).
    pub fn set_no_bit_lock(&mut self, no_bit_lock: bool) {
        self.no_bit_lock = no_bit_lock;
    }

    /// Classifies a valid frame of this Virtual Channel as E1–E9 and applies table 6-1.
    /// `buffer_available` says whether the Higher Procedures can take one more AD FDU.
    ///
    /// Table 6-1 marks E1 (N(S) = V(R) with a buffer) "not applicable" in S2: in Wait the
    /// FARM has been told there is no buffer and only E10 or a control command says
    /// otherwise, so in S2 an in-sequence AD frame is E2 whatever `buffer_available` says.
    ///
    /// The frame must have passed frame validation and VC demultiplexing; its VCID is not
    /// checked here. A bypass 0 / control command 1 frame (invalid, 232.0-B-4 §4.1.2.3) is
    /// treated as an invalid BC frame (E9) so that the FARM stays total.
    pub fn on_frame<T: AsRef<[u8]>>(
        &mut self,
        frame: &TcFrame<T>,
        buffer_available: bool,
    ) -> FarmOutcome {
        let (event, set_vr) = self.classify(frame, buffer_available);
        self.apply(event, set_vr)
    }

    /// E10: the Higher Procedures released buffer space (232.1-B-2 §6.3.2, "Buffer Release
    /// Signal"). Clears Wait; S2 returns to S1, S3 stays in S3, S1 ignores it.
    pub fn on_buffer_release(&mut self) -> FarmOutcome {
        self.apply(FarmEvent::E10, 0)
    }

    /// E11: the CLCW reporting the current FARM-1 state (232.1-B-2 §6.2.4 'Report'; field
    /// layout 232.0-B-4 §4.2.1).
    pub fn clcw(&self) -> Clcw {
        Clcw {
            status: self.status_field,
            cop_in_effect: Clcw::COP_1,
            vcid: self.config.vcid,
            no_rf_available: self.no_rf_available,
            no_bit_lock: self.no_bit_lock,
            lockout: self.lockout(),
            wait: self.wait,
            retransmit: self.retransmit,
            farm_b_counter: (self.farm_b & 0b11) as u8,
            report_value: self.v_r,
        }
    }

    /// The table 6-1 event a frame is in the current state (232.1-B-2 §6.3.2), with the V*(R)
    /// of a Set V(R) (0 otherwise).
    fn classify<T: AsRef<[u8]>>(
        &self,
        frame: &TcFrame<T>,
        buffer_available: bool,
    ) -> (FarmEvent, u8) {
        match frame.frame_type() {
            Ok(FrameType::Ad) => {
                let event = match self.config.window_area(self.v_r, frame.sequence_number()) {
                    WindowArea::Expected if buffer_available && self.state != FarmState::Wait => {
                        FarmEvent::E1
                    }
                    WindowArea::Expected => FarmEvent::E2,
                    WindowArea::Positive => FarmEvent::E3,
                    WindowArea::Negative => FarmEvent::E4,
                    WindowArea::Lockout => FarmEvent::E5,
                };
                (event, 0)
            }
            Ok(FrameType::Bd) => (FarmEvent::E6, 0),
            Ok(FrameType::Bc) => match frame.control_command_data() {
                Ok(ControlCommand::Unlock) => (FarmEvent::E7, 0),
                Ok(ControlCommand::SetVr(v)) => (FarmEvent::E8, v),
                Err(_) => (FarmEvent::E9, 0),
            },
            Err(_) => (FarmEvent::E9, 0),
        }
    }

    /// One cell of table 6-1 (232.1-B-2 §6.3). `set_vr` is V*(R) for E8.
    fn apply(&mut self, event: FarmEvent, set_vr: u8) -> FarmOutcome {
        use FarmAction::{Accept, Discard, Execute, Ignore};
        use FarmEvent as E;
        use FarmState::{Lockout, Open, Wait};
        let from = self.state;
        let action = match (event, from) {
            // E1 (S1): Accept, Retransmit := 0, V(R) := V(R)+1. (S2: not applicable, see
            // `classify`; S3: Discard.)
            (E::E1, Open) => {
                self.v_r = self.v_r.wrapping_add(1);
                self.retransmit = false;
                Accept
            }
            // E2 (S1): Discard, Retransmit := 1, Wait := 1 → S2.
            (E::E2, Open) => {
                self.retransmit = true;
                self.wait = true;
                self.state = Wait;
                Discard
            }
            // E3 (S1): Discard, Retransmit := 1.
            (E::E3, Open) => {
                self.retransmit = true;
                Discard
            }
            // E5 (S1, S2): Discard, Lockout := 1 → S3 (Wait is left as it was).
            (E::E5, Open | Wait) => {
                self.state = Lockout;
                Discard
            }
            // E1 (S3), E2 (S2, S3), E3 (S2, S3), E4 (all), E5 (S3), E9 (all): Discard only.
            (E::E1 | E::E2 | E::E3 | E::E4 | E::E5 | E::E9, _) => Discard,
            // E6 (all): Accept, FARM-B_Counter + 1.
            (E::E6, _) => {
                self.count_farm_b();
                Accept
            }
            // E7 (all): FARM-B + 1, Retransmit := 0, Wait := 0, Lockout := 0 → S1.
            (E::E7, _) => {
                self.count_farm_b();
                self.retransmit = false;
                self.wait = false;
                self.state = Open;
                Execute
            }
            // E8 (S3): FARM-B + 1 only; Set V(R) is not executed until Unlock.
            (E::E8, Lockout) => {
                self.count_farm_b();
                Execute
            }
            // E8 (S1, S2): FARM-B + 1, Retransmit := 0, Wait := 0, V(R) := V*(R) → S1.
            (E::E8, Open | Wait) => {
                self.count_farm_b();
                self.retransmit = false;
                self.wait = false;
                self.v_r = set_vr;
                self.state = Open;
                Execute
            }
            // E10 (S1): Ignore (Wait is already 0).
            (E::E10, Open) => Ignore,
            // E10 (S2): Wait := 0 → S1.
            (E::E10, Wait) => {
                self.wait = false;
                self.state = Open;
                Ignore
            }
            // E10 (S3): Wait := 0, stay in S3.
            (E::E10, Lockout) => {
                self.wait = false;
                Ignore
            }
        };
        FarmOutcome {
            event,
            action,
            from,
            to: self.state,
        }
    }

    fn count_farm_b(&mut self) {
        self.farm_b = self.farm_b.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(w: u8) -> FarmConfig {
        FarmConfig::new(Vcid::new(5).unwrap(), w).unwrap()
    }

    #[test]
    fn window_width_checked() {
        let vc = Vcid::new(0).unwrap();
        for w in [0u8, 1, 3, 127, 255] {
            assert!(FarmConfig::new(vc, w).is_err(), "W = {w}");
        }
        for w in [2u8, 4, 128, 254] {
            let c = FarmConfig::new(vc, w).unwrap();
            assert_eq!(c.positive_window_width(), w / 2);
            assert_eq!(c.negative_window_width(), w / 2);
        }
    }

    #[test]
    fn window_areas_partition_the_sequence_space() {
        for w in (2..=254u8).step_by(2) {
            let c = config(w);
            let v_r = 250; // so the window wraps for most W
            let mut counts = [0usize; 4];
            for n_s in 0..=255u8 {
                counts[c.window_area(v_r, n_s) as usize] += 1;
            }
            let half = usize::from(w / 2);
            // Expected, Positive (PW − 1 values), Negative (NW values), Lockout (256 − W).
            assert_eq!(counts, [1, half - 1, half, 256 - usize::from(w)]);
        }
    }

    #[test]
    fn smallest_window_has_no_positive_part() {
        let c = config(2);
        assert_eq!(c.window_area(0, 0), WindowArea::Expected);
        assert_eq!(c.window_area(0, 1), WindowArea::Lockout);
        assert_eq!(c.window_area(0, 255), WindowArea::Negative);
        assert_eq!(c.window_area(0, 254), WindowArea::Lockout);
    }

    #[test]
    fn status_field_checked_and_reported() {
        let mut farm = Farm1::new(config(10));
        assert!(farm.set_status_field(8).is_err());
        farm.set_status_field(7).unwrap();
        farm.set_no_rf_available(true);
        farm.set_no_bit_lock(true);
        let clcw = farm.clcw();
        assert_eq!(
            (clcw.status, clcw.no_rf_available, clcw.no_bit_lock),
            (7, true, true)
        );
        assert_eq!(clcw.cop_in_effect, Clcw::COP_1);
        assert_eq!(clcw.vcid.get(), 5);
        assert!(clcw.to_bytes().is_ok());
    }
}
