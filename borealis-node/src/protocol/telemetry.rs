//! Telemetry sources: the pluggable producers of [`Sample`]s a `Telemetry` message carries, and
//! a deterministic synthetic source for the demo and the tests (issue #6).

use std::borrow::Cow;

use super::message::{Sample, TelemetryQuery, Value};
use crate::env::Clock;

/// A producer of telemetry samples (a sensor driver, a housekeeping collector, the synthetic
/// source). Sources take time from the injected [`Clock`] — never from the host — so a replay
/// with the same clock yields the same samples (issue #6, "Deterministic core").
pub trait TelemetrySource {
    /// Appends the source's current samples to `out`, named `<source>.<quantity>` and
    /// timestamped with `clock`. A source that cannot read a quantity reports it as a
    /// [`Value::Text`] starting with `ERROR:` rather than omitting it, so that the ground sees
    /// the failure.
    fn sample(&mut self, clock: &mut dyn Clock, out: &mut Vec<Sample<'static>>);
}

/// The samples of every source that `query` selects, in source order.
pub fn collect(
    sources: &mut [&mut dyn TelemetrySource],
    clock: &mut dyn Clock,
    query: &TelemetryQuery<'_>,
) -> Vec<Sample<'static>> {
    let mut samples = Vec::new();
    for source in sources.iter_mut() {
        source.sample(clock, &mut samples);
    }
    samples.retain(|s| query.selects(&s.name));
    samples
}

/// Length of the synthetic orbit: 94 minutes, a typical low Earth orbit.
pub const ORBIT_MS: u64 = 94 * 60 * 1000;
/// Fraction of the orbit in sunlight, in per mille.
const SUNLIT_PERMILLE: u64 = 620;
/// Fixed-point scale of quaternion components (micro-units).
const QUATERNION_SCALE: u8 = 6;
/// One in quaternion units.
const UNIT: i64 = 1_000_000;

/// A synthetic spacecraft: health, attitude quaternion, power and temperatures over a circular
/// orbit with eclipses, plus small noise. Every value is a pure function of the seed and the
/// time read from the clock (integer arithmetic only, no floats, no global RNG), so any two
/// runs with the same seed and clock — across restarts and `--once` runs, on any platform —
/// produce identical samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticSource {
    seed: u64,
}

impl SyntheticSource {
    /// A source whose orbit phase and noise derive from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// The samples at DTN time `time_ms`.
    pub fn samples_at(&self, time_ms: u64) -> Vec<Sample<'static>> {
        let phase = time_ms.wrapping_add(splitmix64(self.seed)) % ORBIT_MS;
        let sunlit_ms = ORBIT_MS * SUNLIT_PERMILLE / 1000;
        let sunlit = phase < sunlit_ms;
        // Noise changes once a second, in [-range, range].
        let noise = |channel: u64, range: i64| -> i64 {
            let r = splitmix64(self.seed ^ splitmix64(time_ms / 1000) ^ channel);
            let span = u64::try_from(2 * range + 1).unwrap_or(1);
            i64::try_from(r % span).unwrap_or(0) - range
        };
        // Battery state of charge (percent): charges linearly from 70 to 100 in sunlight,
        // discharges back to 70 in eclipse. Temperatures follow it (warm in sunlight).
        let soc_permille = if sunlit {
            700 + 300 * phase / sunlit_ms
        } else {
            1000 - 300 * (phase - sunlit_ms) / (ORBIT_MS - sunlit_ms)
        };
        let warmth = i64::try_from(soc_permille).unwrap_or(700) - 850; // -150..=150
        let [q0, q1, q2, q3] = attitude(phase);
        let fixed = |mantissa, scale| Value::Fixed { mantissa, scale };
        let values: [(&'static str, Value<'static>); 12] = [
            ("health.mode", Value::Text(Cow::Borrowed("NOMINAL"))),
            ("health.cpu_load_pct", Value::Int(25 + noise(1, 10))),
            ("attitude.q0", fixed(q0, QUATERNION_SCALE)),
            ("attitude.q1", fixed(q1, QUATERNION_SCALE)),
            ("attitude.q2", fixed(q2, QUATERNION_SCALE)),
            ("attitude.q3", fixed(q3, QUATERNION_SCALE)),
            (
                "power.battery_soc_pct",
                Value::Int(i64::try_from(soc_permille / 10).unwrap_or(0)),
            ),
            (
                "power.bus_voltage_v",
                fixed(
                    7000 + i64::try_from(soc_permille).unwrap_or(0) * 6 / 5 + noise(2, 15),
                    3,
                ),
            ),
            (
                "power.solar_current_a",
                fixed(if sunlit { 1850 + noise(3, 50) } else { 0 }, 3),
            ),
            (
                "temperature.obc_c",
                fixed(2500 + warmth * 3 + noise(4, 20), 2),
            ),
            (
                "temperature.camera_c",
                fixed(-500 + warmth * 10 + noise(5, 20), 2),
            ),
            ("temperature.battery_c", fixed(1500 + warmth * 2, 2)),
        ];
        values
            .into_iter()
            .map(|(name, value)| Sample {
                name: Cow::Borrowed(name),
                time_ms,
                value,
            })
            .collect()
    }
}

impl TelemetrySource for SyntheticSource {
    fn sample(&mut self, clock: &mut dyn Clock, out: &mut Vec<Sample<'static>>) {
        out.extend(self.samples_at(clock.now_ms()));
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a stateless 64-bit mixer, enough for deterministic
/// synthetic noise.
const fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The attitude of a nadir-pointing spacecraft, which turns once per orbit about its pitch
/// axis: `q = (cos θ/2, 0, sin θ/2, 0)` with `θ = 2π · phase / ORBIT_MS`, in micro-units,
/// normalised to unit length.
fn attitude(phase: u64) -> [i64; 4] {
    // θ/2 = π · phase / ORBIT_MS: half-angle in [0, π).
    let period = i128::from(ORBIT_MS);
    let half = i128::from(phase % ORBIT_MS);
    let sin = sine(half, period);
    let cos = sine(half + period / 2, period);
    let norm = isqrt(sin * sin + cos * cos).max(1);
    let unit = |v: i128| i64::try_from(v * i128::from(UNIT) / norm).unwrap_or(0);
    [unit(cos), 0, unit(sin), 0]
}

/// `sin(π · x / period)` in micro-units for `x` in `[0, 2·period)`, by Bhaskara I's rational
/// approximation (error below 0.2 %; the quaternion is normalised afterwards).
fn sine(x: i128, period: i128) -> i128 {
    let (x, sign) = if x < period { (x, 1) } else { (x - period, -1) };
    let p = x * (period - x);
    let denominator = (5 * period * period - 4 * p).max(1);
    sign * 16 * p * i128::from(UNIT) / denominator
}

/// Integer square root (floor), by Newton's method.
fn isqrt(n: i128) -> i128 {
    if n < 2 {
        return n.max(0);
    }
    let mut x = n;
    let mut y = (x + 1) / 2;
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::SteppingClock;

    #[test]
    fn quaternion_is_unit_and_turns_once_per_orbit() {
        for phase in (0..ORBIT_MS).step_by(60_000) {
            let q = attitude(phase);
            let norm2: i128 = q.iter().map(|&c| i128::from(c) * i128::from(c)).sum();
            let one = i128::from(UNIT) * i128::from(UNIT);
            assert!((norm2 - one).abs() < 4 * i128::from(UNIT), "{phase}: {q:?}");
        }
        assert_eq!(attitude(0), [UNIT, 0, 0, 0]);
        // Half an orbit: a half turn about pitch.
        assert_eq!(attitude(ORBIT_MS / 2), [0, 0, UNIT, 0]);
    }

    #[test]
    fn isqrt_exact() {
        for n in [0i128, 1, 2, 3, 4, 15, 16, 17, 1 << 62, (1 << 62) + 1] {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
    }

    #[test]
    fn deterministic_and_seeded() {
        let mut a = SyntheticSource::new(7);
        let mut b = SyntheticSource::new(7);
        let (mut ca, mut cb) = (
            SteppingClock::new(1_000, 10_000),
            SteppingClock::new(1_000, 10_000),
        );
        let (mut sa, mut sb) = (Vec::new(), Vec::new());
        for _ in 0..50 {
            a.sample(&mut ca, &mut sa);
            b.sample(&mut cb, &mut sb);
        }
        assert_eq!(sa, sb);
        assert_ne!(
            SyntheticSource::new(7).samples_at(5_000_000),
            SyntheticSource::new(8).samples_at(5_000_000)
        );
    }

    #[test]
    fn eclipse_has_no_solar_current() {
        let source = SyntheticSource::new(0);
        let offset = splitmix64(0) % ORBIT_MS;
        let eclipse = (ORBIT_MS - offset + ORBIT_MS * 9 / 10) % ORBIT_MS;
        let sunlit = (ORBIT_MS - offset + ORBIT_MS / 10) % ORBIT_MS;
        let current = |t| {
            source
                .samples_at(t)
                .into_iter()
                .find(|s| s.name == "power.solar_current_a")
                .map(|s| s.value)
        };
        assert_eq!(
            current(eclipse),
            Some(Value::Fixed {
                mantissa: 0,
                scale: 3
            })
        );
        assert!(matches!(current(sunlit), Some(Value::Fixed { mantissa, .. }) if mantissa > 1700));
    }
}
