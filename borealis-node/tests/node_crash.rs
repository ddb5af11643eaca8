#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Crash safety (issue #6, "Must show"): `kill -9` the payload daemon at random points while
//! it works through a queue of 200 commands; afterwards every command was executed exactly
//! once and every response delivered exactly once.
//!
//! The commands are `Capture`s of a small image: an execution is countable, it writes
//! `payload/images/<id>.img` and logs `image captured image_id=<id>` right after. The payload
//! runs as `borealis payload run` (a child process, stderr appended to one log over all its
//! lives), is SIGKILLed (`Child::kill`) after a random delay, restarted, and so on until the
//! ground holds an answer to every request; the host forwarder (`pass`) runs between lives,
//! and when the payload's inbox is empty while requests are still outstanding the ground's
//! clock moves past the retransmission interval, so the ground retransmits (a crash after the
//! response was committed but before the request was consumed leaves the request bundle a
//! replay on restart: quarantined, and the retransmission gets the cached response).
//!
//! Checked: every request matched exactly once and its stored response is its own `Captured`;
//! every image present with the right octets; no image written twice (at most one log line per
//! id — a kill between the write and the log line leaves none); no "interrupted" error.
//!
//! Repetitions: `BOREALIS_CRASH_REPS` (default 2); the random delays come from
//! `BOREALIS_CRASH_SEED` (default: the time), printed so a failure can be re-run.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use borealis_node::env::{Clock, SystemClock};
use borealis_node::node::{GroundNode, MissionConfig, Request, RetryConfig, pass, synthetic_image};
use borealis_node::protocol::{CaptureParams, CommandResult, Message};

mod cli_common;

const COMMANDS: u64 = 200;
const PARAMS: CaptureParams = CaptureParams {
    width: 16,
    height: 8,
    exposure_ms: 1,
};
/// The ground's retransmission interval; its clock jumps by this much when the payload is idle.
const RETRANSMIT_MS: u64 = 1000;

/// The host clock plus an offset the test moves forward.
struct Shifted(u64);

impl Clock for Shifted {
    fn now_ms(&mut self) -> u64 {
        SystemClock.now_ms() + self.0
    }
}

/// xorshift64*: the delays, reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn mission(tmp: &Path) -> PathBuf {
    let dir = tmp.join("mission");
    cli_common::run(&[
        "keys",
        "init",
        "--payload-node",
        "2",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    MissionConfig {
        poll_interval_ms: 20,
        retry: RetryConfig {
            first_retransmit_ms: RETRANSMIT_MS,
            backoff: 1,
            max_interval_ms: RETRANSMIT_MS,
            max_retransmissions: 10_000,
            deadline_ms: 3_600_000,
        },
        ..MissionConfig::default()
    }
    .save(&dir)
    .unwrap();
    dir
}

fn ready(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "bp7"))
            .count()
    })
}

/// `image captured … image_id=<n>` lines of the log, per id (ANSI colour codes removed).
fn captures(log: &str) -> BTreeMap<u64, usize> {
    let mut plain = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    let mut counts = BTreeMap::new();
    for line in plain.lines().filter(|l| l.contains("image captured")) {
        let id = line
            .split_once("image_id=")
            .and_then(|(_, r)| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no image id in {line:?}"));
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

struct Outcome {
    lives: usize,
    quarantined: usize,
    unlogged: usize,
    /// Captures asked again after a crash and answered from the image already written.
    recovered: usize,
}

fn one_repetition(tmp: &Path, rng: &mut Rng) -> Outcome {
    let m = mission(tmp);
    let config = MissionConfig::load(&m).unwrap();
    let inbox = MissionConfig::resolve(&m, &config.payload_inbox);
    let log_path = tmp.join("payload.log");
    let mut clock = Shifted(0);
    let mut ground = GroundNode::open(&m).unwrap();
    let ids: Vec<u64> = (0..COMMANDS)
        .map(|_| {
            ground
                .send(&Request::Capture(PARAMS), &mut clock)
                .unwrap()
                .0
        })
        .collect();
    let mut matched: BTreeMap<u64, usize> = BTreeMap::new();
    let mut quarantined = 0;
    let mut lives = 0;
    let started = Instant::now();
    loop {
        pass(&m, &config).unwrap();
        let report = ground.receive(&mut clock).unwrap();
        assert!(report.quarantined.is_empty(), "{:?}", report.quarantined);
        for id in report.matched {
            *matched.entry(id.0).or_insert(0) += 1;
        }
        if ground.outstanding().is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not drained after {lives} lives: {} outstanding",
            ground.outstanding().len()
        );
        if ready(&inbox) == 0 {
            // Idle payload, requests outstanding: their answers were lost with a crash.
            clock.0 += RETRANSMIT_MS;
            let report = ground.receive(&mut clock).unwrap();
            assert!(!report.retransmitted.is_empty());
            pass(&m, &config).unwrap();
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_borealis"))
            .args(["payload", "run", "--mission"])
            .arg(&m)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + rng.below(120)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(
            status.code().is_none(),
            "the payload exited by itself: {status}"
        );
        lives += 1;
    }
    let quarantine = inbox.join("quarantine");
    if let Ok(d) = std::fs::read_dir(&quarantine) {
        quarantined += d
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "bp7"))
            .count();
    }

    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let captured = captures(&log);
    let recovered = log.matches("image already captured").count();
    let images = m.join("payload/images");
    let mut unlogged = 0;
    for &id in &ids {
        assert_eq!(
            matched.get(&id),
            Some(&1),
            "request {id} not matched exactly once"
        );
        let bytes = ground
            .response(borealis_node::session::RequestId(id))
            .unwrap();
        match Message::decode(&bytes).unwrap() {
            Message::Response(r) => {
                assert_eq!(r.request_id, id);
                assert!(
                    matches!(r.result, CommandResult::Captured { image_id, .. } if image_id == id),
                    "request {id}: {:?}",
                    r.result
                );
            }
            other => panic!("request {id} answered {other:?}"),
        }
        let image = std::fs::read(images.join(format!("{id}.img"))).unwrap();
        assert_eq!(image, synthetic_image(id, &PARAMS), "image {id}");
        match captured.get(&id) {
            Some(1) => {}
            None => unlogged += 1,
            Some(n) => panic!("image {id} captured {n} times"),
        }
    }
    assert_eq!(matched.len(), ids.len(), "responses to unknown requests");
    Outcome {
        lives,
        quarantined,
        unlogged,
        recovered,
    }
}

#[test]
fn kill_9_at_random_points_while_200_commands_are_processed() {
    let reps = env_u64("BOREALIS_CRASH_REPS").unwrap_or(2);
    let seed = env_u64("BOREALIS_CRASH_SEED")
        .unwrap_or_else(|| SystemClock.now_ms())
        .max(1);
    println!("BOREALIS_CRASH_SEED={seed} BOREALIS_CRASH_REPS={reps}");
    let mut rng = Rng(seed);
    for rep in 0..reps {
        let tmp =
            std::env::temp_dir().join(format!("borealis-node-crash-{}-{rep}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        let t = Instant::now();
        let o = one_repetition(&tmp, &mut rng);
        let line = format!(
            "repetition {rep}: {} lives (kill -9 each), {} replays quarantined, {} captures \
             killed before their log line, {} captures answered from the image a killed life wrote, \
             {:.1} s",
            o.lives,
            o.quarantined,
            o.unlogged,
            o.recovered,
            t.elapsed().as_secs_f64()
        );
        println!("{line}");
        std::io::stdout().flush().unwrap();
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
