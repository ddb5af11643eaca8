//! Security associations (355.0-B-2 §2.3 and the managed parameters): what protects a
//! channel — the SPI, the cipher suite, the key ids, the header and trailer field lengths, the
//! IV and anti-replay counters, the Authentication Bit Mask — and the SA state machine of
//! 355.1-B-1 (SA management):
//!
//! ```text
//!             rekey            start
//!  Unkeyed ─────────▶ Keyed ─────────▶ Operational
//!     ▲                │ ▲                 │
//!     └──── expire ────┘ └────── stop ─────┘
//! ```
//!
//! Only an operational SA protects or accepts traffic. Every transition not drawn is refused
//! with [`Error::InvalidTransition`].

use alloc::vec::Vec;

use crate::header::HeaderLayout;
use crate::replay::{ReplayWindow, counter_max};
use crate::suite::Suite;
use crate::trailer::MAX_MAC_LEN;
use crate::{Error, KeyId, Spi};

/// GCM's IV length (SP 800-38D §8.2, the 96-bit IV of 352.0-B-2).
pub const GCM_IV_LEN: u8 = 12;
/// Longest IV or ARSN counter (octets).
pub const MAX_COUNTER_LEN: u8 = 16;

/// The state of an SA (355.1-B-1; "None" is simply the SA not being in the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaState {
    /// Created, no keys bound.
    Unkeyed,
    /// Keys bound (Rekey SA), not yet started.
    Keyed,
    /// Started: protects and accepts traffic.
    Operational,
}

/// What the Authentication Bit Mask covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AbmCoverage {
    /// The frame header and the Security Header only (355.0-B-2 §3.4): the data field
    /// is always authenticated as it is. The conformant choice.
    #[default]
    Header,
    /// The mask also covers the data field of authentication-only suites, as NASA CryptoLib
    /// does (its zero ABM then authenticates zeros for the data). Only for interoperating
    /// with CryptoLib's published vectors; never use it on a real link.
    HeaderAndData,
}

/// The managed parameters of one SA (355.0-B-2 managed parameters), fixed while it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaConfig {
    /// Security Parameter Index.
    pub spi: Spi,
    /// Service type and algorithm.
    pub suite: Suite,
    /// Full IV length (0, or 12 for the GCM suites).
    pub iv_len: u8,
    /// IV octets transmitted in the Security Header (the low-order part; ≤ `iv_len`).
    pub iv_transmitted_len: u8,
    /// Low-order IV octets that count; the octets above them are a fixed field (SP 800-38D
    /// §8.2.1 deterministic construction). ≤ `iv_len`; usually equal to it.
    pub iv_counter_len: u8,
    /// Full Anti-Replay Sequence Number length (0 = no ARSN).
    pub arsn_len: u8,
    /// ARSN octets transmitted in the Sequence Number field (≤ `arsn_len`).
    pub arsn_transmitted_len: u8,
    /// Pad Length field octets (0 for the suites here, which never pad; a received non-zero
    /// pad length is honoured if it fits the data).
    pub pad_length_len: u8,
    /// MAC octets in the Security Trailer (16 for GCM/GMAC, ≤ the output of a CMAC/HMAC,
    /// 0 without authentication).
    pub mac_len: u8,
    /// Anti-replay window for both counters.
    pub window: ReplayWindow,
    /// Authentication Bit Mask, ANDed with frame header ‖ Security Header before
    /// authentication (355.0-B-2 §3.4). Octets the mask does not reach are
    /// authenticated as they are (a short mask never weakens protection).
    pub abm: Vec<u8>,
    /// What the mask covers (see [`AbmCoverage`]).
    pub abm_coverage: AbmCoverage,
}

impl SaConfig {
    /// A config with no IV, no ARSN, no padding, no MAC: fill in what the suite needs.
    pub fn new(spi: Spi, suite: Suite) -> Self {
        Self {
            spi,
            suite,
            iv_len: 0,
            iv_transmitted_len: 0,
            iv_counter_len: 0,
            arsn_len: 0,
            arsn_transmitted_len: 0,
            pad_length_len: 0,
            mac_len: 0,
            window: ReplayWindow::Disabled,
            abm: Vec::new(),
            abm_coverage: AbmCoverage::Header,
        }
    }

    /// The CCSDS baseline (352.0-B-2): AES-GCM, 12-octet IV all transmitted and counting,
    /// 16-octet MAC, no ARSN.
    pub fn aes_gcm(spi: Spi, window: ReplayWindow) -> Self {
        Self {
            iv_len: GCM_IV_LEN,
            iv_transmitted_len: GCM_IV_LEN,
            iv_counter_len: GCM_IV_LEN,
            mac_len: 16,
            window,
            ..Self::new(spi, Suite::AesGcm)
        }
    }

    /// The Security Header layout.
    pub const fn header_layout(&self) -> HeaderLayout {
        HeaderLayout {
            iv_len: self.iv_transmitted_len,
            sn_len: self.arsn_transmitted_len,
            pad_length_len: self.pad_length_len,
        }
    }

    /// Checks the parameters against each other and the suite.
    pub fn validate(&self) -> Result<(), Error> {
        self.header_layout().check()?;
        if self.iv_len > MAX_COUNTER_LEN
            || self.iv_transmitted_len > self.iv_len
            || self.iv_counter_len > self.iv_len
            || (self.iv_len > 0 && self.iv_counter_len == 0)
        {
            return Err(Error::InvalidConfig("iv_len"));
        }
        if self.arsn_len > MAX_COUNTER_LEN || self.arsn_transmitted_len > self.arsn_len {
            return Err(Error::InvalidConfig("arsn_len"));
        }
        if self.suite.uses_gcm() && self.iv_len != GCM_IV_LEN {
            return Err(Error::InvalidConfig("iv_len"));
        }
        let mac = usize::from(self.mac_len);
        let mac_ok = match self.suite {
            Suite::Clear | Suite::AesGcmEncryptOnly => mac == 0,
            Suite::AesGcm | Suite::AesGmac => mac == 16,
            Suite::AesCmac | Suite::HmacSha256 | Suite::HmacSha512 => {
                mac >= 1 && mac <= self.suite.max_mac_len()
            }
        };
        if !mac_ok || mac > MAX_MAC_LEN {
            return Err(Error::InvalidConfig("mac_len"));
        }
        Ok(())
    }
}

/// The counters of an SA that must survive a restart: a sender that comes back with an older
/// IV would reuse it, which breaks GCM. Save them (e.g. [`SaCounters::to_bytes`]) after every
/// protected frame — or save a value ahead of use and restore that — and restore them with
/// [`SecurityAssociation::restore_counters`], which refuses to move them backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SaCounters {
    /// The SA they belong to.
    pub spi: Spi,
    /// Last IV used (sender) or accepted (receiver).
    pub iv: u128,
    /// Last ARSN used or accepted.
    pub arsn: u128,
}

impl SaCounters {
    /// Encoded length.
    pub const LEN: usize = 2 + 16 + 16;

    /// SPI, IV, ARSN, big-endian.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        let (spi, rest) = out.split_at_mut(2);
        spi.copy_from_slice(&self.spi.0.to_be_bytes());
        let (iv, arsn) = rest.split_at_mut(16);
        iv.copy_from_slice(&self.iv.to_be_bytes());
        arsn.copy_from_slice(&self.arsn.to_be_bytes());
        out
    }

    /// Inverse of [`SaCounters::to_bytes`].
    pub fn from_bytes(bytes: &[u8; Self::LEN]) -> Self {
        let (spi, rest) = bytes.split_at(2);
        let (iv, arsn) = rest.split_at(16);
        let rd = crate::replay::read_counter;
        Self {
            spi: Spi(u16::try_from(rd(spi)).unwrap_or_default()),
            iv: rd(iv),
            arsn: rd(arsn),
        }
    }
}

/// One security association: its parameters, state, keys and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityAssociation {
    config: SaConfig,
    state: SaState,
    ekid: Option<KeyId>,
    akid: Option<KeyId>,
    iv: u128,
    arsn: u128,
}

impl SecurityAssociation {
    /// Creates an SA (SDLS-EP Create SA): validated, unkeyed, IV `initial_iv`, ARSN 0.
    pub fn new(config: SaConfig, initial_iv: u128) -> Result<Self, Error> {
        config.validate()?;
        if initial_iv > counter_max(usize::from(config.iv_len)) {
            return Err(Error::InvalidConfig("initial_iv"));
        }
        Ok(Self {
            config,
            state: SaState::Unkeyed,
            ekid: None,
            akid: None,
            iv: initial_iv,
            arsn: 0,
        })
    }

    /// The parameters.
    pub fn config(&self) -> &SaConfig {
        &self.config
    }

    /// The SPI.
    pub fn spi(&self) -> Spi {
        self.config.spi
    }

    /// The state.
    pub fn state(&self) -> SaState {
        self.state
    }

    /// Encryption key id, once keyed.
    pub fn ekid(&self) -> Option<KeyId> {
        self.ekid
    }

    /// Authentication key id, once keyed.
    pub fn akid(&self) -> Option<KeyId> {
        self.akid
    }

    /// Last IV used or accepted.
    pub fn iv(&self) -> u128 {
        self.iv
    }

    /// Last ARSN used or accepted.
    pub fn arsn(&self) -> u128 {
        self.arsn
    }

    /// The key this SA's suite uses: the encryption key for the GCM family, the
    /// authentication key for CMAC/HMAC, none in clear mode.
    pub fn key_id(&self) -> Option<KeyId> {
        match self.config.suite {
            Suite::Clear => None,
            Suite::AesGcm | Suite::AesGcmEncryptOnly | Suite::AesGmac => self.ekid,
            Suite::AesCmac | Suite::HmacSha256 | Suite::HmacSha512 => self.akid,
        }
    }

    fn refuse(&self, procedure: &'static str) -> Error {
        Error::InvalidTransition {
            state: self.state,
            procedure,
        }
    }

    /// Rekey SA (355.1-B-1): binds keys and a fresh IV to an unkeyed SA, and clears
    /// the ARSN. The key the suite needs must be given.
    pub fn rekey(
        &mut self,
        ekid: Option<KeyId>,
        akid: Option<KeyId>,
        iv: u128,
    ) -> Result<(), Error> {
        if self.state != SaState::Unkeyed {
            return Err(self.refuse("rekey"));
        }
        if iv > counter_max(usize::from(self.config.iv_len)) {
            return Err(Error::InvalidConfig("iv"));
        }
        let needed = match self.config.suite {
            Suite::Clear => true,
            Suite::AesGcm | Suite::AesGcmEncryptOnly | Suite::AesGmac => ekid.is_some(),
            Suite::AesCmac | Suite::HmacSha256 | Suite::HmacSha512 => akid.is_some(),
        };
        if !needed {
            return Err(Error::InvalidConfig("key id"));
        }
        self.ekid = ekid;
        self.akid = akid;
        self.iv = iv;
        self.arsn = 0;
        self.state = SaState::Keyed;
        Ok(())
    }

    /// Start SA (355.1-B-1): keyed → operational.
    pub fn start(&mut self) -> Result<(), Error> {
        if self.state != SaState::Keyed {
            return Err(self.refuse("start"));
        }
        self.state = SaState::Operational;
        Ok(())
    }

    /// Stop SA (355.1-B-1): operational → keyed.
    pub fn stop(&mut self) -> Result<(), Error> {
        if self.state != SaState::Operational {
            return Err(self.refuse("stop"));
        }
        self.state = SaState::Keyed;
        Ok(())
    }

    /// Expire SA (355.1-B-1): keyed → unkeyed; the key ids are forgotten.
    pub fn expire(&mut self) -> Result<(), Error> {
        if self.state != SaState::Keyed {
            return Err(self.refuse("expire"));
        }
        self.ekid = None;
        self.akid = None;
        self.state = SaState::Unkeyed;
        Ok(())
    }

    /// Set ARSN (355.1-B-1); refused on an operational SA.
    pub fn set_arsn(&mut self, arsn: u128) -> Result<(), Error> {
        if self.state == SaState::Operational {
            return Err(self.refuse("set_arsn"));
        }
        if arsn > counter_max(usize::from(self.config.arsn_len)) {
            return Err(Error::InvalidConfig("arsn"));
        }
        self.arsn = arsn;
        Ok(())
    }

    /// Set ARSN Window (355.1-B-1); refused on an operational SA.
    pub fn set_window(&mut self, window: ReplayWindow) -> Result<(), Error> {
        if self.state == SaState::Operational {
            return Err(self.refuse("set_arsnw"));
        }
        self.config.window = window;
        Ok(())
    }

    /// The counters to persist.
    pub fn counters(&self) -> SaCounters {
        SaCounters {
            spi: self.config.spi,
            iv: self.iv,
            arsn: self.arsn,
        }
    }

    /// Restores persisted counters after a restart. Refuses counters of another SA, and
    /// counters behind the live ones ([`Error::StaleCounters`]): restoring those would let
    /// the sender reuse an IV or the receiver accept a replay.
    pub fn restore_counters(&mut self, saved: SaCounters) -> Result<(), Error> {
        if saved.spi != self.config.spi {
            return Err(Error::InvalidConfig("spi"));
        }
        if saved.iv < self.iv || saved.arsn < self.arsn {
            return Err(Error::StaleCounters(self.config.spi));
        }
        if saved.iv > counter_max(usize::from(self.config.iv_len))
            || saved.arsn > counter_max(usize::from(self.config.arsn_len))
        {
            return Err(Error::InvalidConfig("counters"));
        }
        self.iv = saved.iv;
        self.arsn = saved.arsn;
        Ok(())
    }

    /// Commits counters after a frame was protected or accepted (the only place they move).
    pub(crate) fn commit(&mut self, iv: u128, arsn: u128) {
        self.iv = iv;
        self.arsn = arsn;
    }

    /// Fails unless operational.
    pub(crate) fn check_operational(&self) -> Result<(), Error> {
        if self.state == SaState::Operational {
            Ok(())
        } else {
            Err(Error::SaNotOperational {
                spi: self.config.spi,
                state: self.state,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gcm() -> SecurityAssociation {
        SecurityAssociation::new(SaConfig::aes_gcm(Spi(1), ReplayWindow::Window(5)), 0).unwrap()
    }

    #[test]
    fn state_machine_is_exhaustive() {
        let mut sa = gcm();
        assert_eq!(sa.state(), SaState::Unkeyed);
        assert!(sa.start().is_err());
        assert!(sa.stop().is_err());
        assert!(sa.expire().is_err());
        assert!(
            sa.rekey(None, None, 0).is_err(),
            "GCM needs an encryption key"
        );
        sa.rekey(Some(KeyId(130)), None, 0).unwrap();
        assert_eq!(sa.state(), SaState::Keyed);
        assert!(sa.rekey(Some(KeyId(1)), None, 0).is_err());
        assert!(sa.stop().is_err());
        sa.start().unwrap();
        assert_eq!(sa.state(), SaState::Operational);
        assert!(sa.start().is_err());
        assert!(sa.expire().is_err());
        assert!(sa.set_arsn(1).is_err());
        sa.stop().unwrap();
        sa.expire().unwrap();
        assert_eq!((sa.state(), sa.ekid()), (SaState::Unkeyed, None));
    }

    #[test]
    fn config_validation() {
        let mut c = SaConfig::aes_gcm(Spi(1), ReplayWindow::Disabled);
        c.iv_len = 16;
        assert!(c.validate().is_err());
        let mut c = SaConfig::aes_gcm(Spi(1), ReplayWindow::Disabled);
        c.mac_len = 8;
        assert!(c.validate().is_err());
        let mut c = SaConfig::new(Spi(1), Suite::HmacSha256);
        c.mac_len = 33;
        assert!(c.validate().is_err());
        c.mac_len = 16;
        assert!(c.validate().is_ok());
    }

    #[test]
    fn counters_persist_and_never_go_back() {
        let mut sa = gcm();
        sa.commit(7, 0);
        let saved = SaCounters::from_bytes(&sa.counters().to_bytes());
        assert_eq!(saved, sa.counters());
        let mut fresh = gcm();
        fresh.restore_counters(saved).unwrap();
        assert_eq!(fresh.iv(), 7);
        fresh.commit(9, 0);
        assert_eq!(
            fresh.restore_counters(saved),
            Err(Error::StaleCounters(Spi(1)))
        );
    }
}
