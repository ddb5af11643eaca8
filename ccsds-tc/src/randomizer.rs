//! The TC pseudo-randomizer (CCSDS 231.0-B-4 §6).
//!
//! The sequence comes from h(x) = x^8 + x^6 + x^4 + x^3 + x^2 + x + 1 with every register
//! bit set to 1 at the start of each transfer frame (§6). It is XORed over the transfer
//! frame only, before BCH encoding; fill octets of the last code block are not randomized
//! (§6). The polynomial is primitive, so the bit sequence repeats every 255 bits and the
//! octet sequence every 255 octets: [`SEQUENCE`] holds one period, computed at compile time.
//!
//! XOR is its own inverse: [`randomize`] also derandomizes. The register itself is the
//! shared [`ccsds_core::lfsr`], which the TM randomizer uses with its own polynomial.

use ccsds_core::lfsr;

/// Length of the randomizer's octet period (2^8 − 1).
pub const PERIOD: usize = lfsr::PERIOD;

/// Feedback taps of h(x): the LFSR of 231.0-B-4 §6, as an 8-bit register that outputs its
/// LSB, shifts right and feeds the XOR of register bits {0, 1, 2, 3, 4, 6} into the MSB.
const TAPS: u8 = 0b0101_1111;

/// One period of the TC randomizer output, octet-packed MSB first: `FF 39 9E 5A 68 E9 06 F5 …`.
pub const SEQUENCE: [u8; PERIOD] = lfsr::sequence(TAPS);

/// The randomizer output from the start of a frame, repeating with period [`PERIOD`].
pub fn keystream() -> impl Iterator<Item = u8> {
    SEQUENCE.iter().copied().cycle()
}

/// XORs the randomizer sequence, restarted at `frame[0]`, over `frame` in place. Applied to
/// a randomized frame it restores the original.
pub fn randomize(frame: &mut [u8]) {
    lfsr::xor_cyclic(frame, &SEQUENCE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_is_255_bits() {
        // 255 is odd, so after one octet period the register is back at all ones and the
        // sequence restarts at FF.
        assert_eq!(SEQUENCE[0], 0xFF);
        assert_ne!(SEQUENCE[1..], SEQUENCE[..PERIOD - 1]);
        let mut twice = [0u8; 2 * PERIOD];
        randomize(&mut twice);
        assert_eq!(twice[..PERIOD], twice[PERIOD..]);
    }
}
