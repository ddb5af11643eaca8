//! GF(2^8) arithmetic of the CCSDS Reed-Solomon code and the dual-basis (Berlekamp) symbol
//! representation (131.0-B-4 §4).
//!
//! Every table is built by `const` evaluation: nothing is initialised at run time and nothing
//! is allocated. Multiplication goes through logarithms; the logarithm of zero is a sentinel
//! that lands in the zero tail of the antilog table, so products involving zero need no branch.

/// Field polynomial F(x) = x^8 + x^7 + x^2 + x + 1 (131.0-B-4 §4); α = x (0x02).
pub(super) const FIELD_POLY: u16 = 0x187;

/// Order of the multiplicative group.
pub(super) const ORDER: usize = 255;

/// `log(0)`: with it, any sum of two logarithms that involves zero is ≥ 510, where the
/// antilog table holds zeros, and every sum stays below the table's 1024 entries.
const LOG_ZERO: u16 = 510;

/// Antilogarithms: `EXP[i] = α^(i mod 255)` for `i < 510`, zero above (see [`LOG_ZERO`]).
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
static EXP: [u8; 1024] = {
    let mut table = [0u8; 1024];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < ORDER {
        table[i] = x as u8;
        table[i + ORDER] = x as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= FIELD_POLY;
        }
        i += 1;
    }
    // α has order 255: F(x) is primitive.
    assert!(x == 1);
    table
};

/// Logarithms to base α: `LOG[α^i] = i`, `LOG[0] = LOG_ZERO`.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
static LOG: [u16; 256] = {
    let mut table = [LOG_ZERO; 256];
    let mut i = 0;
    while i < ORDER {
        table[EXP[i] as usize] = i as u16;
        i += 1;
    }
    table
};

/// `log_α(x)`; for zero, a sentinel that makes [`exp`] of any sum involving it zero.
#[inline(always)]
pub(super) fn log(x: u8) -> usize {
    // A u8 index into a 256-entry table: the bounds check folds away.
    usize::from(LOG.get(usize::from(x)).copied().unwrap_or(LOG_ZERO))
}

/// `α^i` for `i < 510`; zero for the sums produced by [`log`] of zero.
#[inline(always)]
pub(super) fn exp(i: usize) -> u8 {
    // Masked into the 1024-entry table: the bounds check folds away.
    EXP.get(i & 0x3FF).copied().unwrap_or(0)
}

/// `a · b`.
#[inline(always)]
pub(super) fn mul(a: u8, b: u8) -> u8 {
    exp(log(a) + log(b))
}

/// `a · α^e` for `e < 255`.
#[inline(always)]
pub(super) fn mul_exp(a: u8, e: usize) -> u8 {
    exp(log(a) + e)
}

/// `a / b`; zero when `b` is zero (callers rule that case out first).
pub(super) fn div(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        exp(log(a) + ORDER - log(b))
    }
}

/// Rows of the conventional → dual basis matrix T (131.0-B-4, annex on the dual-basis
/// representation; shared/CCSDS-NOTES.md §7.3), bit 0 = MSB:
/// `dual_bit[c] = XOR_r conv_bit[r] · T[r][c]`.
const T: [u8; 8] = [
    0b1000_1101,
    0b1110_1111,
    0b1110_1100,
    0b1000_0110,
    0b1111_1010,
    0b1001_1001,
    0b1010_1111,
    0b0111_1011,
];

/// Conventional → dual basis, one octet (row r of T is added when conventional bit r is set).
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
static CONV_TO_DUAL: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut x = 0;
    while x < 256 {
        let mut out = 0u8;
        let mut r = 0;
        while r < 8 {
            if x & (0x80 >> r) != 0 {
                out ^= T[r];
            }
            r += 1;
        }
        table[x] = out;
        x += 1;
    }
    table
};

/// Dual → conventional basis: the inverse permutation of [`CONV_TO_DUAL`].
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index fails the build"
)]
static DUAL_TO_CONV: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut seen = [false; 256];
    let mut x = 0;
    while x < 256 {
        let dual = CONV_TO_DUAL[x] as usize;
        // T is invertible: every dual value is hit exactly once.
        assert!(!seen[dual]);
        seen[dual] = true;
        table[dual] = x as u8;
        x += 1;
    }
    table
};

/// A wire (dual-basis) symbol in the conventional basis the arithmetic uses.
#[inline(always)]
pub(super) fn dual_to_conv(x: u8) -> u8 {
    DUAL_TO_CONV.get(usize::from(x)).copied().unwrap_or(0)
}

/// A conventional-basis symbol in the dual basis the wire carries.
#[inline(always)]
pub(super) fn conv_to_dual(x: u8) -> u8 {
    CONV_TO_DUAL.get(usize::from(x)).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_axioms_on_samples() {
        for a in 0..=255u8 {
            assert_eq!(mul(a, 0), 0);
            assert_eq!(mul(0, a), 0);
            assert_eq!(mul(a, 1), a);
            if a != 0 {
                assert_eq!(mul(a, div(1, a)), 1, "inverse of {a:#x}");
                assert_eq!(div(a, a), 1);
            }
        }
        // α^8 = x^7 + x^2 + x + 1 reduced by F(x).
        assert_eq!(exp(8), 0x87);
        assert_eq!(mul_exp(1, 11), 0xAD);
    }

    #[test]
    fn mul_matches_carryless_reduction() {
        let slow = |mut a: u16, mut b: u8| {
            let mut p = 0u16;
            while b != 0 {
                if b & 1 != 0 {
                    p ^= a;
                }
                a <<= 1;
                if a & 0x100 != 0 {
                    a ^= FIELD_POLY;
                }
                b >>= 1;
            }
            p as u8
        };
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                assert_eq!(mul(a, b), slow(u16::from(a), b));
            }
        }
    }

    #[test]
    fn dual_basis_round_trips() {
        for x in 0..=255u8 {
            assert_eq!(dual_to_conv(conv_to_dual(x)), x);
        }
        // Linear over GF(2): the conversion commutes with XOR.
        assert_eq!(conv_to_dual(0x81), conv_to_dual(0x80) ^ conv_to_dual(0x01));
        // Row 0 of T is the image of the conventional MSB.
        assert_eq!(conv_to_dual(0x80), 0x8D);
    }
}
