//! Running the `borealis` binary from the process tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The `borealis` binary built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_borealis")
}

/// Runs `borealis args…` (warnings only on stderr) and returns what it did, failure included.
pub fn output(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// Runs `borealis args…` (warnings only on stderr), asserts success and returns stdout.
pub fn run(args: &[&str]) -> String {
    let out = output(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The log a background process wrote so far (empty if none yet).
pub fn log_text(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// Polls `done` every 20 ms for up to a minute; on time-out fails with the process log.
pub fn wait_for(what: &str, log: &Path, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; payload log:\n{}",
            log_text(log)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
