//! The `borealis` binary as an operator runs it: exit codes, one-line errors, JSON output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn borealis(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_borealis"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn inspect_json_from_stdin() {
    // dariol83 TcTransferFrameTest.FIRST_FRAME
    let out = borealis(
        &["inspect", "--json", "-"],
        &unhex("207B001717C1000102030405060708090A0B0C0D0E0F0DEF"),
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "tc_frame");
    assert_eq!(v["frame_type"], "BD");
    assert_eq!(v["segment_header"]["map_id"], 1);
}

#[test]
fn inspect_file_text() {
    let path = std::env::temp_dir().join(format!("borealis-cli-{}.bin", std::process::id()));
    std::fs::write(&path, unhex("1002c0340002000102")).unwrap();
    let out = borealis(&["inspect", path.to_str().unwrap()], b"");
    std::fs::remove_file(&path).unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("kind: space_packets") && text.contains("apid: 2"),
        "{text}"
    );
}

#[test]
fn bad_input_is_one_line_with_offset_and_exit_2() {
    for bad in [
        &b""[..],
        &[0x10, 0x02, 0xC0][..],
        &[0xEB, 0x90, 1, 2, 3][..],
        &[0xFF; 40][..],
    ] {
        let out = borealis(&["inspect", "-"], bad);
        assert_eq!(out.status.code(), Some(2), "{bad:02x?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(bad.is_empty() || err.contains("at byte"), "{err}");
    }
}

/// bpv7/tests/vectors/bpv7_generated_vectors.json "bpv7-extension-blocks" (self-made vector,
/// cross-checked with the dtn7 bp7 crate).
const BUNDLE: &str = "9f89070002820282010282028202008202820200820018281a000f424044d33192a7860602000145820282030042d21086070300024319012c44eceb49d0860a0400014482181e0142d4b486010100025823526561647920746f2067656e657261746520612033322d62797465207061796c6f6164448f2b7e50ff";
/// The same file, "bpv7-extension-blocks-bad-hop-count-crc": one bit of the Hop Count CRC
/// flipped.
const BUNDLE_BAD_CRC: &str = "9f89070002820282010282028202008202820200820018281a000f424044d33192a7860602000145820282030042d21086070300024319012c44eceb49d0860a0400014482181e0142d4b586010100025823526561647920746f2067656e657261746520612033322d62797465207061796c6f6164448f2b7e50ff";

#[test]
fn inspect_bundle() {
    let out = borealis(&["inspect", "--json", "-"], &unhex(BUNDLE));
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "bundle");
    assert_eq!(v["primary_block"]["crc"]["valid"], true);
    assert_eq!(v["blocks"][2]["type_name"], "hop count");
    let text = borealis(&["inspect", "-"], &unhex(BUNDLE));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("destination: ipn:1.2") && text.contains("bundle_age_ms: 300"),
        "{text}"
    );
}

#[test]
fn bundle_with_bad_crc_is_exit_2() {
    let out = borealis(&["inspect", "-"], &unhex(BUNDLE_BAD_CRC));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("CRC mismatch") && err.contains("at byte 72"),
        "{err}"
    );
}

#[test]
fn missing_file_is_exit_1() {
    let out = borealis(&["inspect", "/nonexistent/borealis"], b"");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn demo_runs() {
    let out = borealis(&["demo"], b"");
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("round trip OK")
    );
}
