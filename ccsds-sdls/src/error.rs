//! The one error type of the crate: wire problems (a [`WireError`] with byte offset and field
//! name) and the security failures of 355.0-B-2 §3.4 (unknown SPI, bad MAC, replay, SA state,
//! keys, counters).

use ccsds_core::WireError;

use crate::sa::SaState;
use crate::{KeyId, Spi};

/// Which anti-replay counter a check or an exhausted counter concerns (355.0-B-2 §3.4 and
/// §3.4: the Initialization Vector used as a counter, or the Anti-Replay Sequence Number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    /// The Initialization Vector (its counter part).
    Iv,
    /// The Anti-Replay Sequence Number.
    Arsn,
}

impl core::fmt::Display for Counter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Iv => "initialization vector",
            Self::Arsn => "anti-replay sequence number",
        })
    }
}

/// Everything that can go wrong applying or processing security, or decoding an SDLS structure.
///
/// The receiving-end failures map one to one onto the flags of the Frame Security Report
/// ([`crate::fsr::Fsr::record`]): [`Error::UnknownSpi`] and [`Error::SaNotOperational`] are a
/// bad SA, [`Error::MacMismatch`] a bad MAC, [`Error::Replay`] a bad sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A malformed or truncated structure (offset and field name inside).
    #[error(transparent)]
    Wire(#[from] WireError),
    /// No security association with this SPI is known (355.0-B-2 §3.4).
    #[error("no security association for SPI {0}")]
    UnknownSpi(Spi),
    /// The SA exists but is not in the state the operation needs (only an operational SA
    /// protects or accepts traffic).
    #[error("security association {spi} is {state:?}, not operational")]
    SaNotOperational {
        /// The SA.
        spi: Spi,
        /// Its state.
        state: SaState,
    },
    /// An SA management procedure was asked from a state that does not allow it
    /// (e.g. Start on an unkeyed SA).
    #[error("SA procedure {procedure} is not allowed in state {state:?}")]
    InvalidTransition {
        /// The state the SA was in.
        state: SaState,
        /// The procedure (`start`, `stop`, `rekey`, `expire`).
        procedure: &'static str,
    },
    /// The key resolver has no usable (active) key with this id.
    #[error("key {0} is not available")]
    KeyUnavailable(KeyId),
    /// A key of the wrong length for the SA's cipher suite.
    #[error("key of {len} octets does not fit the cipher suite")]
    KeyLength {
        /// Length of the key that was offered.
        len: usize,
    },
    /// The MAC (or the GCM tag) does not verify: the frame is not authentic.
    #[error("MAC verification failed for SPI {0}")]
    MacMismatch(Spi),
    /// The IV or the ARSN is not inside the anti-replay window (a replay, or too far ahead).
    #[error("{counter} outside the anti-replay window for SPI {spi}")]
    Replay {
        /// The SA.
        spi: Spi,
        /// Which counter failed.
        counter: Counter,
    },
    /// The sender's counter would wrap: an IV (or sequence number) would be reused. The SA
    /// must be rekeyed.
    #[error("{counter} exhausted for SPI {spi}: rekey the security association")]
    CounterExhausted {
        /// The SA.
        spi: Spi,
        /// Which counter.
        counter: Counter,
    },
    /// The SA configuration is inconsistent (named parameter).
    #[error("invalid security association parameter {0}")]
    InvalidConfig(&'static str),
    /// The authenticated span (frame header + security header) is longer than this crate
    /// handles in its fixed, allocation-free scratch buffer.
    #[error("authenticated header span of {len} octets exceeds {max}")]
    AadTooLong {
        /// Length of the span.
        len: usize,
        /// The limit ([`crate::MAX_AAD_LEN`]).
        max: usize,
    },
    /// Restoring saved counters would move them backwards (an IV could be reused).
    #[error("saved counters for SPI {0} are older than the live ones")]
    StaleCounters(Spi),
}

impl Error {
    /// The same error with any wire offset moved by `base` (when a decoder ran on a sub-slice).
    #[must_use]
    pub fn shifted(self, base: usize) -> Self {
        match self {
            Self::Wire(e) => Self::Wire(e.shifted(base)),
            other => other,
        }
    }
}
