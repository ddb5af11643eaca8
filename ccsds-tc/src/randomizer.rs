//! The TC pseudo-randomizer (CCSDS 231.0-B-4 §6).
//!
//! The sequence comes from h(x) = x^8 + x^6 + x^4 + x^3 + x^2 + x + 1 with every register
//! bit set to 1 at the start of each transfer frame (§6). It is XORed over the transfer
//! frame only, before BCH encoding; fill octets of the last code block are not randomized
//! (§6). The polynomial is primitive, so the bit sequence repeats every 255 bits and the
//! octet sequence every 255 octets: [`SEQUENCE`] holds one period, computed at compile time.
//!
//! XOR is its own inverse: [`randomize`] also derandomizes.

/// Length of the randomizer's octet period (2^8 − 1).
pub const PERIOD: usize = 255;

/// One period of the TC randomizer output, octet-packed MSB first: `FF 39 9E 5A 68 E9 06 F5 …`.
///
/// The LFSR of 231.0-B-4 §6, as an 8-bit register: output the LSB, shift right, and
/// feed the XOR of register bits {0, 1, 2, 3, 4, 6} into the MSB.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
pub const SEQUENCE: [u8; PERIOD] = {
    let mut seq = [0u8; PERIOD];
    let mut state: u8 = 0xFF;
    let mut i = 0;
    while i < PERIOD {
        let mut octet = 0u8;
        let mut k = 0;
        while k < 8 {
            octet = (octet << 1) | (state & 1);
            let feedback =
                (state ^ (state >> 1) ^ (state >> 2) ^ (state >> 3) ^ (state >> 4) ^ (state >> 6))
                    & 1;
            state = (state >> 1) | (feedback << 7);
            k += 1;
        }
        seq[i] = octet;
        i += 1;
    }
    seq
};

/// The randomizer output from the start of a frame, repeating with period [`PERIOD`].
pub fn keystream() -> impl Iterator<Item = u8> {
    SEQUENCE.iter().copied().cycle()
}

/// XORs the randomizer sequence, restarted at `frame[0]`, over `frame` in place. Applied to
/// a randomized frame it restores the original.
pub fn randomize(frame: &mut [u8]) {
    for (octet, prn) in frame.iter_mut().zip(keystream()) {
        *octet ^= prn;
    }
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
