//! Telemetry sources (`PROTOCOL.md`, "Telemetry"): pluggable sources, query selection, the
//! deterministic synthetic source, and its samples on the wire.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::borrow::Cow;

use borealis_node::env::{Clock, SteppingClock};
use borealis_node::protocol::{
    Message, ORBIT_MS, Sample, SyntheticSource, Telemetry, TelemetryQuery, TelemetrySource, Value,
    collect, selector_matches,
};

/// A mission's own source, plugged in next to the synthetic one.
struct Counter(i64);

impl TelemetrySource for Counter {
    fn sample(&mut self, clock: &mut dyn Clock, out: &mut Vec<Sample<'static>>) {
        self.0 += 1;
        out.push(Sample {
            name: Cow::Borrowed("payload.frames"),
            time_ms: clock.now_ms(),
            value: Value::Int(self.0),
        });
    }
}

fn query(names: &[&'static str]) -> TelemetryQuery<'static> {
    TelemetryQuery {
        id: 1,
        names: names.iter().map(|&n| Cow::Borrowed(n)).collect(),
    }
}

fn names(samples: &[Sample<'_>]) -> Vec<String> {
    samples.iter().map(|s| s.name.to_string()).collect()
}

#[test]
fn selection_by_source_or_name() {
    assert!(selector_matches("power", "power.bus_voltage_v"));
    assert!(selector_matches(
        "power.bus_voltage_v",
        "power.bus_voltage_v"
    ));
    assert!(!selector_matches("pow", "power.bus_voltage_v"));
    assert!(!selector_matches("power.bus", "power.bus_voltage_v"));

    let mut synthetic = SyntheticSource::new(1);
    let mut counter = Counter(0);
    let mut clock = SteppingClock::new(800_000_000_000, 1_000);
    let mut sources: [&mut dyn TelemetrySource; 2] = [&mut synthetic, &mut counter];

    let all = collect(&mut sources, &mut clock, &query(&[]));
    for group in [
        "health.",
        "attitude.q",
        "power.",
        "temperature.",
        "payload.frames",
    ] {
        assert!(all.iter().any(|s| s.name.starts_with(group)), "{group}");
    }
    let power = collect(
        &mut sources,
        &mut clock,
        &query(&["power", "payload.frames"]),
    );
    assert_eq!(
        names(&power),
        [
            "power.battery_soc_pct",
            "power.bus_voltage_v",
            "power.solar_current_a",
            "payload.frames"
        ]
    );
    assert_eq!(power[3].value, Value::Int(2));
    let attitude = collect(&mut sources, &mut clock, &query(&["attitude"]));
    assert_eq!(
        names(&attitude),
        ["attitude.q0", "attitude.q1", "attitude.q2", "attitude.q3"]
    );
    assert!(collect(&mut sources, &mut clock, &query(&["nothing"])).is_empty());
}

#[test]
fn synthetic_samples_are_timestamped_by_the_injected_clock() {
    let mut source = SyntheticSource::new(99);
    let mut clock = SteppingClock::new(123_456, 60_000);
    let mut out = Vec::new();
    source.sample(&mut clock, &mut out);
    source.sample(&mut clock, &mut out);
    let half = out.len() / 2;
    assert!(out[..half].iter().all(|s| s.time_ms == 123_456));
    assert!(out[half..].iter().all(|s| s.time_ms == 183_456));
    // A pure function of seed and time: the same at any later call.
    assert_eq!(
        out[..half],
        SyntheticSource::new(99).samples_at(123_456)[..]
    );
}

#[test]
fn synthetic_values_are_plausible_over_an_orbit() {
    let source = SyntheticSource::new(5);
    let fixed = |samples: &[Sample<'_>], name: &str| -> (i64, u8) {
        match samples.iter().find(|s| s.name == name).unwrap().value {
            Value::Fixed { mantissa, scale } => (mantissa, scale),
            ref v => panic!("{name}: {v:?}"),
        }
    };
    let (mut sunlit, mut eclipse) = (0, 0);
    for t in (0..ORBIT_MS).step_by(30_000) {
        let samples = source.samples_at(t);
        // Unit quaternion in micro-units.
        let q: Vec<i128> = (0..4)
            .map(|i| i128::from(fixed(&samples, &format!("attitude.q{i}")).0))
            .collect();
        let norm2: i128 = q.iter().map(|c| c * c).sum();
        assert!((norm2 - 1_000_000_000_000).abs() < 4_000_000, "{t}: {q:?}");
        let (volts, 3) = fixed(&samples, "power.bus_voltage_v") else {
            panic!()
        };
        assert!((7_800..=8_300).contains(&volts), "{volts}");
        let (celsius, 2) = fixed(&samples, "temperature.camera_c") else {
            panic!()
        };
        assert!((-2_100..=1_100).contains(&celsius), "{celsius}");
        match fixed(&samples, "power.solar_current_a").0 {
            0 => eclipse += 1,
            _ => sunlit += 1,
        }
    }
    // About 62 % of the orbit in sunlight.
    assert!((55..70).contains(&(sunlit * 100 / (sunlit + eclipse))));
}

#[test]
fn synthetic_telemetry_round_trips_on_the_wire() {
    let mut source = SyntheticSource::new(3);
    let mut clock = SteppingClock::new(835_000_000_000, 1_000);
    let mut sources: [&mut dyn TelemetrySource; 1] = [&mut source];
    let message = Message::Telemetry(Telemetry {
        request_id: 4,
        samples: collect(&mut sources, &mut clock, &query(&[])),
    });
    let encoded = message.encode().unwrap();
    assert_eq!(Message::decode(&encoded).unwrap(), message);
    // Replayed with the same seed and clock: byte-identical.
    let mut replay_source = SyntheticSource::new(3);
    let mut replay_clock = SteppingClock::new(835_000_000_000, 1_000);
    let mut replay_sources: [&mut dyn TelemetrySource; 1] = [&mut replay_source];
    let replay = Message::Telemetry(Telemetry {
        request_id: 4,
        samples: collect(&mut replay_sources, &mut replay_clock, &query(&[])),
    });
    assert_eq!(replay.encode().unwrap(), encoded);
}
