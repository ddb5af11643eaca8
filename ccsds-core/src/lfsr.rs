//! The 8-bit pseudo-randomizer sequences of the CCSDS synchronization and channel coding
//! books (TC: 231.0-B-4 §6, TM: 131.0-B-4 §10), written once and parameterised by the taps.
//!
//! Both books specify an 8-stage linear feedback shift register set to all ones at the start
//! of each frame (TC) or code block (TM), whose output bit stream is XORed over the data.
//! Both polynomials are primitive, so the bit stream repeats every 255 bits; since 255 is
//! odd, the octet-packed stream repeats every [`PERIOD`] octets and one period, computed at
//! compile time by [`sequence`], is all a randomizer needs.

/// Length of the octet period of an 8-stage maximal-length LFSR (2^8 − 1).
pub const PERIOD: usize = 255;

/// One period of the sequence produced by an 8-bit register seeded with all ones, packed MSB
/// first into octets.
///
/// Each step outputs the register's least significant bit, shifts right, and feeds the parity
/// of `state & taps` into the most significant bit. `taps` is the set of register bits of the
/// feedback (e.g. `0xA9` = bits {7, 5, 3, 0} for the TM polynomial x^8+x^7+x^5+x^3+1).
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time for constants: an out-of-range index fails the build"
)]
pub const fn sequence(taps: u8) -> [u8; PERIOD] {
    let mut seq = [0u8; PERIOD];
    let mut state: u8 = 0xFF;
    let mut i = 0;
    while i < PERIOD {
        let mut octet = 0u8;
        let mut k = 0;
        while k < 8 {
            octet = (octet << 1) | (state & 1);
            let feedback = ((state & taps).count_ones() & 1) as u8;
            state = (state >> 1) | (feedback << 7);
            k += 1;
        }
        seq[i] = octet;
        i += 1;
    }
    seq
}

/// XORs `sequence`, restarted at `data[0]` and repeated as often as needed, over `data`.
/// Applied twice it restores the original (XOR is its own inverse).
pub fn xor_cyclic(data: &mut [u8], sequence: &[u8]) {
    for (octet, prn) in data.iter_mut().zip(sequence.iter().cycle()) {
        *octet ^= prn;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_restarts_at_all_ones() {
        for taps in [0x5F, 0xA9] {
            let seq = sequence(taps);
            assert_eq!(seq[0], 0xFF);
            let mut twice = [0u8; 2 * PERIOD];
            xor_cyclic(&mut twice, &seq);
            assert_eq!(twice[..PERIOD], twice[PERIOD..]);
            assert_eq!(twice[..PERIOD], seq);
        }
    }

    #[test]
    fn empty_sequence_leaves_data_alone() {
        let mut data = [1u8, 2, 3];
        xor_cyclic(&mut data, &[]);
        assert_eq!(data, [1, 2, 3]);
    }
}
