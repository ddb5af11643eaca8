//! Running the `borealis` binary from the process tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::process::Command;

/// The `borealis` binary built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_borealis")
}

/// Runs `borealis args…` (warnings only on stderr), asserts success and returns stdout.
pub fn run(args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
