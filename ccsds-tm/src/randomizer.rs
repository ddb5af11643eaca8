//! The TM pseudo-randomizer (CCSDS 131.0-B-4 §10).
//!
//! The sequence comes from h(x) = x^8 + x^7 + x^5 + x^3 + 1 with every register bit set to 1
//! at the start of each code block, i.e. right after the Attached Sync Marker (§10). Unlike
//! the TC randomizer it covers the whole code block: the transfer frame *and* the
//! Reed-Solomon check symbols; the ASM itself is never randomized (§9, §10). The polynomial
//! is primitive, so the octet sequence repeats every 255 octets: [`SEQUENCE`] holds one
//! period, computed at compile time by the shared [`ccsds_core::lfsr`] register.
//!
//! XOR is its own inverse: [`randomize`] also derandomizes.

use ccsds_core::lfsr;

/// Length of the randomizer's octet period (2^8 − 1).
pub const PERIOD: usize = lfsr::PERIOD;

/// Feedback taps of h(x) (131.0-B-4 §10): the register outputs its LSB, shifts right and
/// feeds the XOR of register bits {7, 5, 3, 0} into the MSB.
const TAPS: u8 = 0b1010_1001;

/// One period of the TM randomizer output, octet-packed MSB first: `FF 48 0E C0 9A 0D 70 BC …`.
pub const SEQUENCE: [u8; PERIOD] = lfsr::sequence(TAPS);

/// The randomizer output from the start of a code block, repeating with period [`PERIOD`].
pub fn keystream() -> impl Iterator<Item = u8> {
    SEQUENCE.iter().copied().cycle()
}

/// XORs the randomizer sequence, restarted at `codeblock[0]`, over `codeblock` in place
/// (131.0-B-4 §10). Applied to a randomized code block it restores the original.
pub fn randomize(codeblock: &mut [u8]) {
    lfsr::xor_cyclic(codeblock, &SEQUENCE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_with_the_published_sequence() {
        // 131.0-B-4 §10 / CCSDS-NOTES §7.2.
        assert_eq!(
            SEQUENCE[..8],
            [0xFF, 0x48, 0x0E, 0xC0, 0x9A, 0x0D, 0x70, 0xBC]
        );
        let mut block = [0u8; 3 * PERIOD];
        randomize(&mut block);
        assert_eq!(block[..PERIOD], SEQUENCE);
        assert_eq!(block[2 * PERIOD..], SEQUENCE);
    }
}
