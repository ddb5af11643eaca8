//! The environment the node core depends on, injected so that runs are deterministic: a
//! recorded ground→payload exchange replayed with the same clock readings and the same nonce
//! seed yields byte-identical bundles (issue #6, "Deterministic core").

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds between the Unix epoch and the DTN epoch, 2000-01-01T00:00:00Z (RFC 9171
/// §4.2.6).
pub const DTN_EPOCH_UNIX_MS: u64 = 946_684_800_000;

/// A source of DTN time (RFC 9171 §4.2.6: milliseconds since 2000-01-01T00:00:00Z UTC).
pub trait Clock {
    /// The current DTN time in milliseconds.
    fn now_ms(&mut self) -> u64;
}

/// The host clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&mut self) -> u64 {
        let unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        unix_ms.saturating_sub(DTN_EPOCH_UNIX_MS)
    }
}

/// A scripted clock for tests and replays: starts at `start` and advances by `step` on every
/// reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SteppingClock {
    next: u64,
    step: u64,
}

impl SteppingClock {
    /// A clock whose first reading is `start`, then `start + step`, …
    pub const fn new(start: u64, step: u64) -> Self {
        Self { next: start, step }
    }
}

impl Clock for SteppingClock {
    fn now_ms(&mut self) -> u64 {
        let now = self.next;
        self.next = self.next.saturating_add(self.step);
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        let mut c = SteppingClock::new(10, 5);
        assert_eq!([c.now_ms(), c.now_ms(), c.now_ms()], [10, 15, 20]);
        // 2026 is well after the DTN epoch and before 2100.
        let now = SystemClock.now_ms();
        assert!(now > 26 * 365 * 86_400_000 && now < 100 * 365 * 86_400_000);
    }
}
