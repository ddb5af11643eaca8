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
