//! Anti-replay (355.0-B-2 §3.4, and the ARSN window of the managed parameters): the receiver keeps the last
//! accepted value of each counter (the IV's counter and the Anti-Replay Sequence Number) and
//! accepts a frame only if its value is ahead, but not too far ahead.
//!
//! Counters are big-endian integers of up to 16 octets, held as `u128`. Only the low-order
//! octets may be transmitted (§3.2, §3.2): the receiver completes them with the high
//! part of its last accepted value, and when the transmitted part has wrapped
//! (`…FF → 00`) with that high part plus one — the sender increments the non-transmitted part
//! as the counter carries into it (verified against CryptoLib's rollover vectors).

/// The anti-replay window of an SA (the ARSN Window, ARSNW, a managed parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplayWindow {
    /// No anti-replay checking: every value is accepted (and becomes the last one).
    Disabled,
    /// Accept `last < received ≤ last + n` (CryptoLib's semantics; `n = 0` rejects all).
    Window(u64),
}

/// Largest value of a counter `len` octets wide.
pub const fn counter_max(len: usize) -> u128 {
    if len >= 16 {
        u128::MAX
    } else {
        (1u128 << (8 * len)) - 1
    }
}

/// Reads up to 16 big-endian octets.
pub fn read_counter(bytes: &[u8]) -> u128 {
    bytes.iter().fold(0, |acc, b| (acc << 8) | u128::from(*b))
}

/// Writes the low `out.len()` octets of `value`, big-endian.
pub fn write_counter(value: u128, out: &mut [u8]) {
    let all = value.to_be_bytes();
    let skip = all.len().saturating_sub(out.len());
    if let Some(src) = all.get(skip..)
        && let Some(dst) = out.get_mut(out.len().saturating_sub(src.len())..)
    {
        dst.copy_from_slice(src);
    }
}

/// The full value of a counter `full_len` octets wide whose low `wire.len()` octets arrived
/// in a frame, given the last accepted value: high part of `last`, plus one if the low part
/// is not ahead of `last`'s (it wrapped). With nothing transmitted this predicts `last + 1`.
/// Returns `None` if the result does not fit `full_len` octets (the counter is exhausted).
pub fn reconstruct(last: u128, wire: &[u8], full_len: usize) -> Option<u128> {
    let tx_len = wire.len().min(full_len);
    let low = read_counter(wire);
    if tx_len >= full_len {
        return Some(low);
    }
    let step = 1u128 << (8 * tx_len);
    let candidate = (last & !(step - 1)) | low;
    let value = if candidate <= last {
        candidate.checked_add(step)?
    } else {
        candidate
    };
    (value <= counter_max(full_len)).then_some(value)
}

/// Whether `received` may follow `last` under `window`.
pub fn in_window(last: u128, received: u128, window: ReplayWindow) -> bool {
    match window {
        ReplayWindow::Disabled => true,
        ReplayWindow::Window(n) => received > last && received - last <= u128::from(n),
    }
}

/// The next value a sender uses after `last` in a counter `len` octets wide, of which only
/// the low `counter_len` octets count (the rest is a fixed field). `None` when the counter
/// part is exhausted: the next value would repeat one already used (§3.4 never-reuse).
pub fn next(last: u128, len: usize, counter_len: usize) -> Option<u128> {
    let counter_len = counter_len.min(len);
    let mask = counter_max(counter_len);
    let counter = last & mask;
    if counter == mask {
        return None;
    }
    Some((last & !mask) | (counter + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const W5: ReplayWindow = ReplayWindow::Window(5);

    #[test]
    fn window_accepts_and_rejects() {
        assert!(!in_window(0x123, 0x123, W5), "replay");
        assert!(in_window(0x123, 0x124, W5));
        assert!(in_window(0x123, 0x128, W5), "= last + window");
        assert!(!in_window(0x123, 0x129, W5));
        assert!(!in_window(0x123, 0x0444, W5));
        assert!(!in_window(0x123, 0x100, W5), "old");
        assert!(in_window(0x123, 0x100, ReplayWindow::Disabled));
        assert!(!in_window(0, 1, ReplayWindow::Window(0)));
    }

    #[test]
    fn transmitted_part_wraps_into_the_high_part() {
        // 6-octet IV, low 2 octets on the wire.
        let last = 0x0000_0000_FFFE;
        assert_eq!(reconstruct(last, &[0xFF, 0xFF], 6), Some(0x0000_0000_FFFF));
        assert_eq!(reconstruct(0xFFFF, &[0x00, 0x00], 6), Some(0x0001_0000));
        assert_eq!(reconstruct(0xFFFF, &[0x00, 0x02], 6), Some(0x0001_0002));
        // Wrap at the very top of the full width: exhausted.
        assert_eq!(reconstruct(0xFFFF_FFFF_FFFF, &[0, 0], 6), None);
        // Whole counter on the wire: taken as is.
        assert_eq!(reconstruct(5, &[0, 3], 2), Some(3));
        // Nothing on the wire: the next value is predicted.
        assert_eq!(reconstruct(41, &[], 4), Some(42));
    }

    #[test]
    fn sender_never_wraps() {
        assert_eq!(next(0, 12, 12), Some(1));
        assert_eq!(next(0xFF, 1, 1), None);
        // 4-octet fixed field 0xAABBCCDD + 1-octet counter.
        assert_eq!(next(0x00AA_BBCC_DD00, 5, 1), Some(0x00AA_BBCC_DD01));
        assert_eq!(next(0x00AA_BBCC_DDFF, 5, 1), None);
    }

    #[test]
    fn counter_bytes() {
        let mut out = [0u8; 3];
        write_counter(0x0102_0304, &mut out);
        assert_eq!(out, [2, 3, 4]);
        assert_eq!(read_counter(&out), 0x020304);
    }
}
