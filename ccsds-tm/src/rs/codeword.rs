//! One Reed-Solomon codeword: systematic encoder and errors-only decoder
//! (131.0-B-4 §4; shared/CCSDS-NOTES.md §7.3).
//!
//! A (possibly shortened) codeword of `n` symbols is the polynomial c(x) whose first
//! transmitted symbol is the coefficient of x^(n-1); the virtual fill of a shortened code is
//! the zero coefficients above that and is never touched. Symbols arrive and leave in the dual
//! basis; all arithmetic is in the conventional basis.

use super::gf::{self, ORDER};

/// Largest number of check symbols (E = 16).
pub(super) const MAX_CHECK: usize = 32;
/// Largest number of correctable symbol errors (E = 16).
pub(super) const MAX_ERRORS: usize = MAX_CHECK / 2;

/// Spacing of the generator's roots: g(x) has the roots β^j with β = α^11 (131.0-B-4 §4).
const ROOT_SPACING: usize = 11;

/// One code of the family, with `P` = 2E check symbols per codeword.
pub(super) struct Code<const P: usize> {
    /// `log_α` of the generator's coefficients of x^(P-1) … x^0 (g(x) is monic).
    gen_log: [u8; P],
    /// `log_α` of the generator's roots β^(fcr+k), k = 0 … P-1 (the syndrome points).
    root_log: [u8; P],
    /// (1 − fcr) mod 255: Forney's factor X^(1−fcr) for a first consecutive root β^fcr.
    forney_exp: usize,
}

/// RS(255,223), E = 16: g(x) = ∏_{j=112}^{143} (x − α^(11j)) (131.0-B-4 §4).
pub(super) static E16: Code<32> = Code::new(112);
/// RS(255,239), E = 8: g(x) = ∏_{j=120}^{135} (x − α^(11j)) (131.0-B-4 §4).
pub(super) static E8: Code<16> = Code::new(120);

impl<const P: usize> Code<P> {
    /// Builds the generator of the code whose roots are β^fcr … β^(fcr+P-1).
    #[allow(
        clippy::indexing_slicing,
        reason = "evaluated at compile time: an out-of-range index fails the build"
    )]
    const fn new(fcr: usize) -> Self {
        assert!(P <= MAX_CHECK);
        let mut root_log = [0u8; P];
        // g[k] = coefficient of x^k.
        let mut g = [0u8; MAX_CHECK + 1];
        g[0] = 1;
        let mut k = 0;
        while k < P {
            let root = (ROOT_SPACING * (fcr + k)) % ORDER;
            root_log[k] = root as u8;
            // g(x) · (x + β^(fcr+k)): shift up, add root · g.
            let mut i = k + 1;
            while i > 0 {
                g[i] = g[i - 1] ^ const_mul_exp(g[i], root);
                i -= 1;
            }
            g[0] = const_mul_exp(g[0], root);
            k += 1;
        }
        let mut gen_log = [0u8; P];
        let mut i = 0;
        while i < P {
            let coefficient = g[P - 1 - i];
            // The encoder multiplies in the log domain: no coefficient may be zero.
            assert!(coefficient != 0);
            gen_log[i] = const_log(coefficient);
            i += 1;
        }
        Self {
            gen_log,
            root_log,
            forney_exp: (1 + ORDER - fcr % ORDER) % ORDER,
        }
    }

    /// The P check symbols (dual basis) of the data symbols (dual basis): the remainder of
    /// d(x)·x^P divided by g(x), computed by the usual feedback shift register.
    pub(super) fn parity(&self, data: impl Iterator<Item = u8>) -> [u8; P] {
        let mut reg = [0u8; P];
        for symbol in data {
            let first = reg.first().copied().unwrap_or(0);
            let feedback = gf::log(gf::dual_to_conv(symbol) ^ first);
            reg.rotate_left(1);
            if let Some(last) = reg.last_mut() {
                *last = 0;
            }
            for (r, &g) in reg.iter_mut().zip(&self.gen_log) {
                *r ^= gf::exp(feedback + usize::from(g));
            }
        }
        reg.map(gf::conv_to_dual)
    }

    /// The syndromes S_k = r(β^(fcr+k)), k = 0 … P-1, of a received codeword (dual basis, first
    /// transmitted symbol first), by Horner's rule. All zero iff the word is a codeword.
    pub(super) fn syndromes(&self, received: impl Iterator<Item = u8>) -> [u8; P] {
        let mut syn = [0u8; P];
        for symbol in received {
            let r = gf::dual_to_conv(symbol);
            for (s, &root) in syn.iter_mut().zip(&self.root_log) {
                *s = gf::mul_exp(*s, usize::from(root)) ^ r;
            }
        }
        syn
    }

    /// The error pattern of a received `n`-symbol codeword with (non-zero) syndromes `syn`,
    /// or `None` when it has more than E errors as far as the decoder can tell.
    ///
    /// Berlekamp–Massey finds the error locator Λ(x) of degree L; a Chien search over the
    /// `n` transmitted positions must find exactly L distinct roots (fewer means Λ does not
    /// split there: too many errors, or an "error" in the virtual fill of a shortened code);
    /// Forney's formula gives each error value, which must be non-zero.
    pub(super) fn error_pattern(&self, syn: &[u8; P], n: usize) -> Option<ErrorPattern> {
        let (lambda, degree) = berlekamp_massey(syn);
        if degree > P / 2 || lambda.iter().rposition(|&c| c != 0) != Some(degree) {
            return None;
        }
        let locator = lambda.get(..=degree)?;
        let omega = evaluator(syn, locator);
        let mut pattern = ErrorPattern::default();
        for power in 0..n {
            if pattern.len() == degree {
                // A degree-L polynomial has no more than L roots.
                break;
            }
            // Position `power` (coefficient of x^power) is X = β^power; test Λ(X⁻¹) = 0.
            let x_log = (ROOT_SPACING * power) % ORDER;
            let x_inv_log = (ORDER - x_log) % ORDER;
            if horner(locator.iter().rev(), x_inv_log) != 0 {
                continue;
            }
            // Λ'(x) = Σ_{k odd} λ_k x^(k-1): a polynomial in x² over the odd coefficients.
            let odd = locator.iter().skip(1).step_by(2);
            let derivative = horner(odd.rev(), (2 * x_inv_log) % ORDER);
            let numerator = horner(omega.iter().take(degree).rev(), x_inv_log);
            if derivative == 0 {
                return None;
            }
            let value = gf::mul_exp(
                gf::div(numerator, derivative),
                (x_log * self.forney_exp) % ORDER,
            );
            if value == 0 {
                return None;
            }
            // Fewer than L ≤ E errors are recorded so far: `push` has room.
            pattern.push(n - 1 - power, gf::conv_to_dual(value))?;
        }
        (pattern.len() == degree).then_some(pattern)
    }
}

/// Error locations (index of the symbol in the transmitted codeword) and the XOR (dual
/// basis) that corrects each one.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ErrorPattern {
    len: usize,
    errors: [(u8, u8); MAX_ERRORS],
}

impl ErrorPattern {
    /// Adds an error; `None` if the pattern is full.
    fn push(&mut self, index: usize, xor: u8) -> Option<()> {
        let slot = self.errors.get_mut(self.len)?;
        *slot = (u8::try_from(index).ok()?, xor);
        self.len += 1;
        Some(())
    }

    /// Number of symbol errors.
    pub(super) const fn len(&self) -> usize {
        self.len
    }

    /// `(index in the codeword, XOR to apply)` for each error.
    pub(super) fn iter(&self) -> impl Iterator<Item = (usize, u8)> + '_ {
        self.errors
            .iter()
            .take(self.len)
            .map(|&(index, xor)| (usize::from(index), xor))
    }
}

/// A polynomial over GF(2^8), coefficient of x^k at index k.
type Poly = [u8; MAX_CHECK + 1];

/// Berlekamp–Massey: the shortest LFSR (connection polynomial Λ, length L) generating the
/// syndrome sequence. Returns (Λ, L).
fn berlekamp_massey(syn: &[u8]) -> (Poly, usize) {
    let mut lambda: Poly = [0; MAX_CHECK + 1];
    lambda[0] = 1;
    let mut prev = lambda;
    let mut len = 0;
    let mut shift = 1;
    let mut prev_discrepancy = 1;
    for (n, &s) in syn.iter().enumerate() {
        let discrepancy = lambda
            .iter()
            .skip(1)
            .take(len)
            .zip(syn.iter().take(n).rev())
            .fold(s, |d, (&l, &s)| d ^ gf::mul(l, s));
        if discrepancy == 0 {
            shift += 1;
            continue;
        }
        let scale = gf::div(discrepancy, prev_discrepancy);
        let before = lambda;
        // Λ ← Λ − (d/b)·x^shift·B. Degrees stay ≤ n + 1 ≤ 32, inside the array.
        for (l, &b) in lambda.iter_mut().skip(shift).zip(&prev) {
            *l ^= gf::mul(scale, b);
        }
        if 2 * len <= n {
            len = n + 1 - len;
            prev = before;
            prev_discrepancy = discrepancy;
            shift = 1;
        } else {
            shift += 1;
        }
    }
    (lambda, len)
}

/// The error evaluator Ω(x) = S(x)·Λ(x) mod x^P, with S(x) = Σ S_k x^k.
fn evaluator(syn: &[u8], locator: &[u8]) -> Poly {
    let mut omega: Poly = [0; MAX_CHECK + 1];
    for (k, o) in omega
        .iter_mut()
        .enumerate()
        .take(syn.len().min(locator.len()))
    {
        *o = locator
            .iter()
            .take(k + 1)
            .zip(syn.iter().take(k + 1).rev())
            .fold(0, |acc, (&l, &s)| acc ^ gf::mul(l, s));
    }
    omega
}

/// Evaluates a polynomial, coefficients from the highest degree down, at α^x_log.
fn horner<'a>(coefficients_high_first: impl Iterator<Item = &'a u8>, x_log: usize) -> u8 {
    coefficients_high_first.fold(0, |acc, &c| gf::mul_exp(acc, x_log) ^ c)
}

/// `a · α^e` at compile time.
const fn const_mul_exp(a: u8, e: usize) -> u8 {
    if a == 0 {
        return 0;
    }
    let mut x = a;
    let mut i = 0;
    while i < e {
        x = const_times_alpha(x);
        i += 1;
    }
    x
}

/// `a · α` at compile time (shift and reduce by F(x)).
const fn const_times_alpha(a: u8) -> u8 {
    let shifted = (a as u16) << 1;
    if shifted & 0x100 != 0 {
        (shifted ^ gf::FIELD_POLY) as u8
    } else {
        shifted as u8
    }
}

/// `log_α(a)`, a ≠ 0, at compile time.
const fn const_log(a: u8) -> u8 {
    let mut x = 1u8;
    let mut i = 0u8;
    while x != a {
        x = const_times_alpha(x);
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator(code_gen_log: &[u8]) -> Vec<u8> {
        core::iter::once(1)
            .chain(code_gen_log.iter().map(|&l| gf::exp(usize::from(l))))
            .collect()
    }

    #[test]
    fn generator_e16_matches_the_notes() {
        // shared/CCSDS-NOTES.md §7.3 (conventional basis, x^32 first).
        let expected = [
            0x01, 0x5B, 0x7F, 0x56, 0x10, 0x1E, 0x0D, 0xEB, 0x61, 0xA5, 0x08, 0x2A, 0x36, 0x56,
            0xAB, 0x20, 0x71, 0x20, 0xAB, 0x56, 0x36, 0x2A, 0x08, 0xA5, 0x61, 0xEB, 0x0D, 0x1E,
            0x10, 0x56, 0x7F, 0x5B, 0x01,
        ];
        assert_eq!(generator(&E16.gen_log), expected);
    }

    #[test]
    fn generator_e8_is_palindromic() {
        // Roots β^j, j = 120..135, are symmetric about β^127.5: g(x) is self-reciprocal.
        let g = generator(&E8.gen_log);
        assert_eq!(g.len(), 17);
        assert!(g.iter().eq(g.iter().rev()));
        // Cross-checked with reedsolo (tests/vectors/rs_reedsolo.json, "generator_e8").
        assert_eq!(
            g,
            [
                0x01, 0xA5, 0x69, 0x1B, 0x9F, 0x68, 0x98, 0x65, 0x4A, 0x65, 0x98, 0x68, 0x9F, 0x1B,
                0x69, 0xA5, 0x01
            ]
        );
    }

    #[test]
    fn const_helpers_agree_with_tables() {
        for a in 0..=255u8 {
            assert_eq!(const_mul_exp(a, 11), gf::mul_exp(a, 11));
            if a != 0 {
                assert_eq!(usize::from(const_log(a)), gf::log(a));
            }
        }
    }

    #[test]
    fn single_error_is_located() {
        let data = [0x42u8; 223];
        let parity = E16.parity(data.iter().copied());
        let mut word: Vec<u8> = data.iter().chain(&parity).copied().collect();
        assert!(E16.syndromes(word.iter().copied()).iter().all(|&s| s == 0));
        word[7] ^= 0x99;
        let syn = E16.syndromes(word.iter().copied());
        let pattern = E16.error_pattern(&syn, 255).unwrap();
        assert_eq!(pattern.iter().collect::<Vec<_>>(), [(7, 0x99)]);
    }
}
