#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Record/replay (issue #6, "Must show"): a recorded ground→payload exchange replayed with the
//! same injected clock yields byte-identical bundles. Every input of a bundle is injected: the
//! creation time and file names from the `env::Clock`, sequence numbers and IVs from the
//! counters in the persisted state, keys from the mission directory (one `keys init`, copied
//! into two missions), telemetry from the configured seed, images from the synthetic camera.
//!
//! Two ground nodes send the same requests under the same `SteppingClock`: their uplink files
//! (names and octets) are identical. The uplink recorded on mission A is then fed into both
//! payloads, each under the same clock: their downlinks are identical, over two rounds
//! (Ping, Check, Telemetry, Capture; then the image transfer) and with the health telemetry
//! record of the start.

use std::path::{Path, PathBuf};
use std::process::Command;

use borealis_node::env::SteppingClock;
use borealis_node::node::{GroundNode, MissionConfig, PayloadNode, Request, pass};
use borealis_node::protocol::CaptureParams;

mod cli_common;

/// 2026-01-01T00:00:00Z as DTN time (ms since 2000-01-01), a fixed start for every clock.
const T0: u64 = 820_540_800_000;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "borealis-node-replay-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One `keys init`, with a 100 kB file limit so that the image takes several chunks.
fn mission(tmp: &Path) -> PathBuf {
    let dir = tmp.join("recorded");
    cli_common::run(&[
        "keys",
        "init",
        "--payload-node",
        "2",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    MissionConfig {
        max_file_octets: 100_000,
        ..MissionConfig::default()
    }
    .save(&dir)
    .unwrap();
    dir
}

/// `cp -a`: the same keys, modes and state in a second mission.
fn copy(from: &Path, to: &Path) {
    let st = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(st.success());
}

/// The ready bundle files of `dir`, sorted by name, with their octets.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bp7"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

fn replace(dir: &Path, with: &[(String, Vec<u8>)]) {
    for (name, _) in files(dir) {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    for (name, bytes) in with {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

struct Side {
    dir: PathBuf,
    config: MissionConfig,
    ground: GroundNode,
    payload: PayloadNode,
    ground_clock: SteppingClock,
    payload_clock: SteppingClock,
}

impl Side {
    fn open(dir: PathBuf) -> Self {
        let mut payload_clock = SteppingClock::new(T0 + 500, 3);
        Self {
            config: MissionConfig::load(&dir).unwrap(),
            ground: GroundNode::open(&dir).unwrap(),
            payload: PayloadNode::open(&dir, &mut payload_clock).unwrap(),
            ground_clock: SteppingClock::new(T0, 7),
            payload_clock,
            dir,
        }
    }

    fn uplink(&self) -> PathBuf {
        MissionConfig::resolve(&self.dir, &self.config.uplink_dir)
    }

    fn downlink(&self) -> PathBuf {
        MissionConfig::resolve(&self.dir, &self.config.downlink_dir)
    }

    fn send(&mut self, requests: &[Request]) {
        for r in requests {
            self.ground.send(r, &mut self.ground_clock).unwrap();
        }
    }

    /// Forwards `uplink` (the recorded one) to the payload, runs one iteration and returns the
    /// downlink it wrote; then delivers it to the ground.
    fn payload_turn(&mut self, uplink: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
        replace(&self.uplink(), uplink);
        pass(&self.dir, &self.config).unwrap();
        let report = self.payload.run_once(&mut self.payload_clock).unwrap();
        assert!(report.quarantined.is_empty(), "{:?}", report.quarantined);
        let down = files(&self.downlink());
        pass(&self.dir, &self.config).unwrap();
        let got = self.ground.receive(&mut self.ground_clock).unwrap();
        assert!(got.quarantined.is_empty(), "{:?}", got.quarantined);
        down
    }
}

#[test]
fn a_recorded_exchange_replays_byte_for_byte() {
    let tmp = temp("exchange");
    let recorded = mission(&tmp);
    let replayed = tmp.join("replayed");
    copy(&recorded, &replayed);
    let mut a = Side::open(recorded);
    let mut b = Side::open(replayed);

    let params = CaptureParams {
        width: 512,
        height: 512,
        exposure_ms: 20,
    };
    let first = [
        Request::Ping,
        Request::Check,
        Request::Telemetry(vec!["power".into(), "health".into()]),
        Request::Capture(params),
    ];
    a.send(&first);
    b.send(&first);
    let uplink = files(&a.uplink());
    assert_eq!(uplink.len(), first.len());
    assert_eq!(files(&b.uplink()), uplink, "ground bundles differ");

    let down_a = a.payload_turn(&uplink);
    let down_b = b.payload_turn(&uplink);
    // Health record + four answers.
    assert_eq!(down_a.len(), 1 + first.len());
    assert_eq!(down_a, down_b, "payload bundles differ");

    // Second round: the image of the capture (request id 4) in several chunks.
    a.send(&[Request::Image(4)]);
    b.send(&[Request::Image(4)]);
    let uplink = files(&a.uplink());
    assert_eq!(files(&b.uplink()), uplink, "ground bundles differ");
    let down_a = a.payload_turn(&uplink);
    let down_b = b.payload_turn(&uplink);
    assert!(down_a.len() >= 3, "{} chunks", down_a.len());
    assert_eq!(down_a, down_b, "payload bundles differ");

    // Both grounds reassembled the same image.
    let img = |s: &Side| std::fs::read(s.ground.images_dir().join("4.img")).unwrap();
    assert_eq!(img(&a), img(&b));
    let _ = std::fs::remove_dir_all(&tmp);
}
